"""A real single-node Apache Kafka broker on this machine, for `khabar kafka up|down|status`.

Needs only Java 17+ (and Maven, once, to fetch the broker's jars from Maven Central):
no tarball, no Docker. Everything lives under ``<state_dir>/kafka``::

    libs/<version>/    broker jars, resolved by deploy/kafka/pom.xml (kept as a cache)
    data/              the KRaft log directory, formatted once
    server.properties  rendered from deploy/kafka/server.properties.template
    broker.log         the broker's stdout and stderr
    broker.json        pid, bootstrap address and version of the running broker
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from string import Template

from aiokafka.admin import AIOKafkaAdminClient

from .config import REPO_ROOT, Settings
from aiokafka.errors import KafkaError

DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
KAFKA_VERSION = Settings.kafka_version
BROKER_HEAP = "512m"  # plenty for development traffic; Kafka's own default (1 GiB) is sized for servers
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class KafkaLocalError(RuntimeError):
    """The local broker cannot be provisioned, started or stopped; the message says why."""


@dataclass(frozen=True)
class _Layout:
    root: Path

    @classmethod
    def under(cls, state_dir: Path) -> "_Layout":
        return cls(Path(state_dir).resolve() / "kafka")

    def libs(self, version: str) -> Path:
        return self.root / "libs" / version

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def properties(self) -> Path:
        return self.root / "server.properties"

    @property
    def log(self) -> Path:
        return self.root / "broker.log"

    @property
    def pid_file(self) -> Path:
        return self.root / "broker.json"


def up(state_dir: Path, port: int = 9092, controller_port: int = 9093,
       version: str = KAFKA_VERSION, timeout_s: float = START_TIMEOUT_S) -> str:
    """Start the broker unless it already runs; return its bootstrap address once it answers."""
    layout = _Layout.under(state_dir)
    bootstrap = f"localhost:{port}"
    running = _read_pid_file(layout)
    if running is not None:
        if running["bootstrap"] != bootstrap or running["version"] != version:
            raise KafkaLocalError(
                f"a local broker {running['version']} already runs at {running['bootstrap']} "
                f"(pid {running['pid']}); run `khabar kafka down` before starting {version} at {bootstrap}")
        _wait_until_healthy(bootstrap, running["pid"], layout, timeout_s)
        return bootstrap

    java = _require_tool("java", "Java 17 or newer runs the broker (e.g. apt-get install openjdk-17-jre-headless)")
    for taken in (port, controller_port):
        if not _port_is_free(taken):
            raise KafkaLocalError(f"port {taken} on 127.0.0.1 is taken by another process; "
                                  "free it or choose other ports (KHABAR_KAFKA_PORT, KHABAR_KAFKA_CONTROLLER_PORT)")
    layout.root.mkdir(parents=True, exist_ok=True)
    libs = _ensure_libs(layout, version)
    _write_properties(layout, port, controller_port)
    _format_storage_once(java, libs, layout)

    _progress(f"starting Apache Kafka {version} at {bootstrap} (log: {layout.log})")
    with layout.log.open("ab") as log:
        broker = subprocess.Popen(
            _java_command(java, libs, "kafka.Kafka", str(layout.properties)),
            cwd=layout.root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # survives the CLI that started it, and its Ctrl-C
    layout.pid_file.write_text(json.dumps({"pid": broker.pid, "bootstrap": bootstrap, "version": version}))
    _wait_until_healthy(bootstrap, broker.pid, layout, timeout_s)
    return bootstrap


def down(state_dir: Path, timeout_s: float = STOP_TIMEOUT_S) -> bool:
    """Stop the broker (SIGTERM, then SIGKILL after timeout_s); return whether one was running."""
    layout = _Layout.under(state_dir)
    running = _read_pid_file(layout)
    if running is None:
        return False
    pid = running["pid"]
    os.kill(pid, signal.SIGTERM)  # Kafka's shutdown hook flushes logs and closes the quorum cleanly
    deadline = time.monotonic() + timeout_s
    while _is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _is_alive(pid):
        _progress(f"broker pid {pid} ignored SIGTERM for {timeout_s:.0f} s; killing it")
        os.kill(pid, signal.SIGKILL)
        while _is_alive(pid):
            time.sleep(0.1)
    layout.pid_file.unlink(missing_ok=True)
    return True


def status(state_dir: Path) -> dict:
    """Describe the local broker: running, healthy, pid, bootstrap, version, data_dir, log."""
    layout = _Layout.under(state_dir)
    running = _read_pid_file(layout)
    report = {"running": running is not None, "healthy": False, "pid": None, "bootstrap": None,
              "version": None, "data_dir": str(layout.data), "log": str(layout.log)}
    if running is not None:
        report.update(running)
        report["healthy"] = _answers(running["bootstrap"], timeout_s=3.0)
    return report


def _read_pid_file(layout: _Layout) -> dict | None:
    """The recorded broker if its process is still alive; a stale record is removed."""
    try:
        running = json.loads(layout.pid_file.read_text())
    except FileNotFoundError:
        return None
    if _is_alive(running["pid"]) and _is_kafka(running["pid"]):
        return running
    layout.pid_file.unlink(missing_ok=True)
    return None


def _is_alive(pid: int) -> bool:
    try:
        # Reaps the broker if this very process started it (tests do); otherwise its
        # exit would leave a zombie that still answers signal 0.
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but owned by another user
    return True


def _is_kafka(pid: int) -> bool:
    """Guards against a recycled pid: signals must only ever go to our broker."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no procfs (macOS): trust the pid file
        return True
    return b"kafka.Kafka" in cmdline.read_bytes()


def _require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise KafkaLocalError(f"`{name}` is not on PATH. {hint}. "
                              "Alternatively use `docker compose up` or point KHABAR_BROKER at an existing cluster.")
    return path


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Kafka binds: TIME_WAIT is no conflict
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ensure_libs(layout: _Layout, version: str) -> Path:
    libs = layout.libs(version)
    if (libs / f"kafka_2.13-{version}.jar").exists():
        return libs
    mvn = _require_tool("mvn", "Maven fetches the broker's jars once (e.g. apt-get install maven)")
    _progress(f"fetching Apache Kafka {version} jars from Maven Central into {libs} (first run only)...")
    partial = libs.with_name(libs.name + ".partial")  # an interrupted download must not look complete
    shutil.rmtree(partial, ignore_errors=True)
    command = [mvn, "-q", "-B", "-f", str(DEPLOY_DIR / "pom.xml"), "dependency:copy-dependencies",
               f"-Dkafka.version={version}", f"-DoutputDirectory={partial}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise KafkaLocalError(f"resolving Kafka {version} with Maven failed:\n{_tail(result.stdout + result.stderr)}")
    partial.rename(libs)
    _progress(f"fetched {len(list(libs.glob('*.jar')))} jars")
    return libs


def _write_properties(layout: _Layout, port: int, controller_port: int) -> None:
    template = Template((DEPLOY_DIR / "server.properties.template").read_text())
    layout.properties.write_text(
        template.substitute(port=port, controller_port=controller_port, log_dir=layout.data))


def _format_storage_once(java: str, libs: Path, layout: _Layout) -> None:
    if (layout.data / "meta.properties").exists():
        return
    # KRaft cluster ids are 16 random bytes in unpadded URL-safe base64, as `kafka-storage random-uuid` prints.
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
    command = _java_command(java, libs, "kafka.tools.StorageTool", "format", "--standalone",
                            "--cluster-id", cluster_id, "--config", str(layout.properties))
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise KafkaLocalError(f"formatting {layout.data} failed:\n{_tail(result.stdout + result.stderr)}")


def _java_command(java: str, libs: Path, main_class: str, *args: str) -> list[str]:
    return [java, f"-Xms{BROKER_HEAP}", f"-Xmx{BROKER_HEAP}", "-XX:+UseG1GC",
            f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.xml'}",
            "-cp", str(libs / "*"),  # the JVM expands the wildcard itself
            main_class, *args]


def _wait_until_healthy(bootstrap: str, pid: int, layout: _Layout, timeout_s: float) -> None:
    started = time.monotonic()
    next_note = started + 5
    while not _answers(bootstrap, timeout_s=2.0):
        if not _is_alive(pid):
            layout.pid_file.unlink(missing_ok=True)
            raise KafkaLocalError(f"the broker exited during start-up; end of {layout.log}:\n{_tail_of(layout.log)}")
        waited = time.monotonic() - started
        if waited > timeout_s:
            raise KafkaLocalError(f"the broker (pid {pid}) did not answer at {bootstrap} within {timeout_s:.0f} s; "
                                  f"it is left running for inspection. End of {layout.log}:\n{_tail_of(layout.log)}")
        if time.monotonic() >= next_note:
            _progress(f"waiting for the broker at {bootstrap} ({waited:.0f} s)...")
            next_note += 5
        time.sleep(0.5)


def _answers(bootstrap: str, timeout_s: float) -> bool:
    """Whether a real client request (DescribeCluster) succeeds: an open port alone proves little."""
    async def describe() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000))
        try:
            await asyncio.wait_for(admin.start(), timeout_s)
            await asyncio.wait_for(admin.describe_cluster(), timeout_s)
        finally:
            await admin.close()

    client_log = logging.getLogger("aiokafka")
    level = client_log.level
    client_log.setLevel(logging.CRITICAL)  # a refused probe is expected while the broker boots, not news
    try:
        asyncio.run(describe())
    except (KafkaError, OSError, asyncio.TimeoutError):  # not (yet) serving; the caller decides how long to wait
        return False
    finally:
        client_log.setLevel(level)
    return True


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _tail_of(path: Path) -> str:
    return _tail(path.read_text(errors="replace")) if path.exists() else "(no log written)"


def _progress(message: str) -> None:
    print(f"[kafka] {message}", file=sys.stderr, flush=True)
