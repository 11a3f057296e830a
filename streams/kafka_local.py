"""A real Apache Kafka cluster on this machine (one node, or three), for `khabar kafka up|down|status`.

Needs only Java 17+ (and Maven, once, to fetch the broker's jars from Maven Central):
no tarball, no Docker. Everything lives under ``<state_dir>/kafka``::

    libs/<version>/    broker jars, resolved by deploy/kafka/pom.xml (kept as a cache)
    data/              the KRaft log directory, formatted once
    server.properties  rendered from deploy/kafka/server.properties.template
    broker.log         the broker's stdout and stderr
    broker.json        pids, ports, bootstrap address, version and security of the running cluster
    tls/               with --sasl-ssl: the throwaway CA and broker keystore of deploy/kafka/make-certs.sh

A cluster of three keeps data/, server.properties and broker.log per node, in node-1/ … node-3/.
Every node is broker and controller; node n listens at port + 2(n-1) and controller_port + 2(n-1).
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from . import security
from .config import REPO_ROOT, Settings

DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
KAFKA_VERSION = Settings.kafka_version
BROKER_HEAP = "512m"  # plenty for development traffic; Kafka's own default (1 GiB) is sized for servers
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
CLUSTER_SIZES = (1, 3)  # a quorum of 2 controllers cannot lose one; 3 can
UNSAFE_IN_SCRAM_ARGUMENT = (",", "]", "[", '"', "=", " ")
BROKER_USER = "khabar-broker"  # the brokers' own SCRAM user, for replication over SASL_SSL


class KafkaLocalError(RuntimeError):
    """The local broker cannot be provisioned, started or stopped; the message says why."""


@dataclass(frozen=True)
class ScramUser:
    """A SCRAM-SHA-512 user created with the cluster, for its SASL_SSL listener."""
    username: str
    password: str = field(repr=False)

    def check(self) -> None:
        # kafka-storage's --add-scram splits its argument on these, quoted or not
        for what, value in (("KHABAR_SASL_USERNAME", self.username), ("KHABAR_SASL_PASSWORD", self.password)):
            if not value or any(char in value for char in UNSAFE_IN_SCRAM_ARGUMENT):
                raise KafkaLocalError(f"{what}: the local broker's SCRAM user needs one that is not empty and "
                                      f"holds no space nor any of {' '.join(UNSAFE_IN_SCRAM_ARGUMENT[:-1])}")


@dataclass(frozen=True)
class Node:
    node_id: int
    port: int
    controller_port: int

    @property
    def bootstrap(self) -> str:
        return f"localhost:{self.port}"


def nodes(port: int, controller_port: int, brokers: int) -> list[Node]:
    """The nodes of a local cluster: node n at port + 2(n-1), controller_port + 2(n-1)."""
    if brokers not in CLUSTER_SIZES:
        raise KafkaLocalError(f"a local cluster has 1 or 3 brokers, not {brokers}")
    cluster = [Node(n, port + 2 * (n - 1), controller_port + 2 * (n - 1)) for n in range(1, brokers + 1)]
    taken = [p for node in cluster for p in (node.port, node.controller_port)]
    if len(set(taken)) != len(taken):
        raise KafkaLocalError(f"ports {port} and {controller_port} give nodes overlapping ports {sorted(taken)}; "
                              "choose ports at least 2 * brokers apart")
    return cluster


@dataclass(frozen=True)
class _Layout:
    root: Path
    libs_cache: Path

    @classmethod
    def under(cls, state_dir: Path, libs_cache: Path | None = None) -> "_Layout":
        root = Path(state_dir).resolve() / "kafka"
        return cls(root, Path(libs_cache).resolve() if libs_cache else root / "libs")

    def libs(self, version: str) -> Path:
        return self.libs_cache / version

    def node_dir(self, node_id: int, brokers: int) -> Path:
        return self.root if brokers == 1 else self.root / f"node-{node_id}"

    @property
    def tls(self) -> Path:
        return self.root / "tls"

    @property
    def pid_file(self) -> Path:
        return self.root / "broker.json"


def up(state_dir: Path, port: int = 9092, controller_port: int = 9093,
       version: str = KAFKA_VERSION, timeout_s: float = START_TIMEOUT_S, *, brokers: int = 1,
       scram: ScramUser | None = None, libs_cache: Path | None = None) -> str:
    """Start the cluster unless it already runs, restarting any of its nodes that stopped; return its
    bootstrap address once every node answers. With `scram`, clients connect over SASL_SSL as that user
    (CA: <state_dir>/kafka/tls/ca.crt). `libs_cache` holds the jars when not under state_dir (tests)."""
    layout = _Layout.under(state_dir, libs_cache)
    cluster = nodes(port, controller_port, brokers)
    if scram:
        scram.check()
    bootstrap = ",".join(node.bootstrap for node in cluster)
    protocol = "SASL_SSL" if scram else "PLAINTEXT"
    client = _client_settings(layout, bootstrap, scram)
    running = _read_pid_file(layout)
    if running is not None:
        if (running["bootstrap"], running["version"], running["security"]) != (bootstrap, version, protocol):
            raise KafkaLocalError(
                f"a local {running['security']} cluster {running['version']} already runs at {running['bootstrap']}; "
                f"run `khabar kafka down` before starting a {protocol} one {version} at {bootstrap}")
        stopped = [node for node in cluster if not _is_our_broker(running["pids"][str(node.node_id)])]
    else:
        stopped = cluster
        running = {"bootstrap": bootstrap, "version": version, "security": protocol, "pids": {}}
    if stopped:
        _start(layout, cluster, stopped, version, scram, running)
    for node in cluster:
        _wait_until_healthy(node, running["pids"][str(node.node_id)], layout, brokers, client, timeout_s)
    return bootstrap


def _start(layout: _Layout, cluster: list[Node], stopped: list[Node], version: str, scram: ScramUser | None,
           running: dict) -> None:
    """Provision what is missing (jars, certificates, formatted storage), start the stopped nodes and
    record every node's pid in `running`, then in the pid file."""
    java = _require_tool("java", "Java 17 or newer runs the broker (e.g. apt-get install openjdk-17-jre-headless)")
    for taken in (p for node in stopped for p in (node.port, node.controller_port)):
        if not _port_is_free(taken):
            raise KafkaLocalError(f"port {taken} on 127.0.0.1 is taken by another process; free it or choose "
                                  "other ports (KHABAR_KAFKA_PORT, KHABAR_KAFKA_CONTROLLER_PORT)")
    layout.root.mkdir(parents=True, exist_ok=True)
    libs = _ensure_libs(layout, version)
    if scram:
        _ensure_certificates(layout)
    for node in cluster:
        _write_properties(layout, node, cluster, scram is not None)
    _format_storage_once(java, libs, layout, cluster, scram)
    which = f"at {running['bootstrap']}" if stopped == cluster else \
        f"node {', '.join(str(node.node_id) for node in stopped)} of {running['bootstrap']}"
    logs = _log(layout, cluster[0], 1) if len(cluster) == 1 else layout.root / "node-*" / "broker.log"
    _progress(f"starting Apache Kafka {version} {which} ({running['security']}; log: {logs})")
    for node in stopped:
        running["pids"][str(node.node_id)] = _start_node(java, libs, layout, node, len(cluster))
    running["pid"] = running["pids"]["1"]
    layout.pid_file.write_text(json.dumps(running))


def stop_node(state_dir: Path, node_id: int, kill: bool = False, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Stop one node of the running cluster, cleanly or (kill) as a crash would; `up` restarts it."""
    running = _read_pid_file(_Layout.under(state_dir))
    if running is None or str(node_id) not in running["pids"]:
        raise KafkaLocalError(f"no running local cluster with a node {node_id}")
    _stop([running["pids"][str(node_id)]], signal.SIGKILL if kill else signal.SIGTERM, timeout_s)


def down(state_dir: Path, timeout_s: float = STOP_TIMEOUT_S) -> bool:
    """Stop every node (SIGTERM, then SIGKILL after timeout_s); return whether a cluster was running."""
    layout = _Layout.under(state_dir)
    running = _read_pid_file(layout)
    if running is None:
        return False
    _stop(list(running["pids"].values()), signal.SIGTERM, timeout_s)
    layout.pid_file.unlink(missing_ok=True)
    return True


def status(state_dir: Path, client: Settings = Settings()) -> dict:
    """Describe the local cluster: running, healthy (for a client with `client`'s security settings),
    pid (of node 1), pids, bootstrap, version, security, data_dir, log."""
    layout = _Layout.under(state_dir)
    running = _read_pid_file(layout)
    brokers = len(running["pids"]) if running else 1
    report = {"running": running is not None, "healthy": False, "pid": None, "bootstrap": None,
              "version": None, "data_dir": str(layout.node_dir(1, brokers) / "data"),
              "log": str(layout.node_dir(1, brokers) / "broker.log")}
    if running is not None:
        report.update(running)
        try:
            report["healthy"] = all(_is_our_broker(pid) for pid in running["pids"].values()) and _answers(
                running["bootstrap"], timeout_s=3.0, client=client)
        except security.KafkaSecurityError as refused:
            report["refused"] = str(refused)  # it serves, but not a client configured as `client` is
    return report


def _stop(pids: list[int], sig: signal.Signals, timeout_s: float) -> None:
    """Signal every pid at once (Kafka's shutdown hook flushes logs and closes the quorum cleanly),
    then wait; any still alive after timeout_s is killed."""
    pids = [pid for pid in pids if _is_our_broker(pid)]
    for pid in pids:
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout_s
    while any(_is_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if _is_alive(pid):
            _progress(f"broker pid {pid} ignored SIGTERM for {timeout_s:.0f} s; killing it")
            os.kill(pid, signal.SIGKILL)
            while _is_alive(pid):
                time.sleep(0.1)


def _log(layout: _Layout, node: Node, brokers: int) -> Path:
    return layout.node_dir(node.node_id, brokers) / "broker.log"


def _start_node(java: str, libs: Path, layout: _Layout, node: Node, brokers: int) -> int:
    node_dir = layout.node_dir(node.node_id, brokers)
    with _log(layout, node, brokers).open("ab") as log:
        broker = subprocess.Popen(
            _java_command(java, libs, "kafka.Kafka", str(node_dir / "server.properties")),
            cwd=node_dir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)  # survives the CLI that started it, and its Ctrl-C
    return broker.pid


def _client_settings(layout: _Layout, bootstrap: str, scram: ScramUser | None) -> Settings:
    """How the health probe connects: as the SCRAM user over TLS, when the cluster has one."""
    if scram is None:
        return Settings(broker=bootstrap)
    return Settings(broker=bootstrap, security_protocol="SASL_SSL", sasl_username=scram.username,
                    sasl_password=scram.password, ssl_cafile=str(layout.tls / "ca.crt"))


def _read_pid_file(layout: _Layout) -> dict | None:
    """The recorded cluster if any of its nodes still runs; a stale record is removed."""
    try:
        running = json.loads(layout.pid_file.read_text())
    except FileNotFoundError:
        return None
    # a broker started before clusters and SASL existed recorded only its pid
    running.setdefault("pids", {"1": running["pid"]})
    running.setdefault("security", "PLAINTEXT")
    if any(_is_our_broker(pid) for pid in running["pids"].values()):
        return running
    layout.pid_file.unlink(missing_ok=True)
    return None


def _is_our_broker(pid: int) -> bool:
    return _is_alive(pid) and _is_kafka(pid)


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


def _write_properties(layout: _Layout, node: Node, cluster: list[Node], sasl_ssl: bool) -> None:
    node_dir = layout.node_dir(node.node_id, len(cluster))
    node_dir.mkdir(parents=True, exist_ok=True)
    replication = min(3, len(cluster))
    text = Template((DEPLOY_DIR / "server.properties.template").read_text()).substitute(
        node_id=node.node_id, port=node.port, controller_port=node.controller_port, log_dir=node_dir / "data",
        controller_servers=",".join(f"127.0.0.1:{other.controller_port}" for other in cluster),
        listener="SASL_SSL" if sasl_ssl else "PLAINTEXT",
        replication=replication, min_insync_replicas=max(1, replication - 1))
    if sasl_ssl:
        text += Template((DEPLOY_DIR / "sasl-ssl.properties.template").read_text()).substitute(
            broker_user=BROKER_USER, broker_password=_broker_password(layout), keystore=layout.tls / "broker.p12",
            store_password=(layout.tls / "store.password").read_text().strip(), cafile=layout.tls / "ca.crt")
    properties = node_dir / "server.properties"
    properties.touch(mode=0o600)  # it may hold passwords
    properties.write_text(text)


def _broker_password(layout: _Layout) -> str:
    """The brokers' own SCRAM password: random, made once, kept beside their keystore."""
    stored = layout.tls / "broker.password"
    if not stored.exists():
        stored.touch(mode=0o600)
        stored.write_text(secrets.token_urlsafe(24))
    return stored.read_text()


def _ensure_certificates(layout: _Layout) -> None:
    if (layout.tls / "broker.p12").exists():
        return
    _require_tool("keytool", "keytool (part of the JDK) makes the throwaway CA for --sasl-ssl")
    result = subprocess.run([str(DEPLOY_DIR / "make-certs.sh"), str(layout.tls)], capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(layout.tls, ignore_errors=True)  # half a CA is worse than none: make it again next time
        raise KafkaLocalError(f"making the throwaway CA failed:\n{_tail(result.stdout + result.stderr)}")


def _format_storage_once(java: str, libs: Path, layout: _Layout, cluster: list[Node], scram: ScramUser | None) -> None:
    """Format each node's log directory that is not yet, in parallel, all with one cluster id."""
    unformatted = [node for node in cluster
                   if not (layout.node_dir(node.node_id, len(cluster)) / "data" / "meta.properties").exists()]
    if not unformatted:
        return
    cluster_id_file = layout.root / "cluster.id"  # kept so that a node formatted later joins the same cluster
    if not cluster_id_file.exists():
        # KRaft ids are 16 random bytes in unpadded URL-safe base64, as `kafka-storage random-uuid` prints.
        cluster_id_file.write_text(_kafka_uuid())
    directory_ids = {node.node_id: _kafka_uuid() for node in cluster}
    controllers = ",".join(f"{node.node_id}@127.0.0.1:{node.controller_port}:{directory_ids[node.node_id]}"
                           for node in cluster)
    users = []
    if scram:
        for name, password in ((scram.username, scram.password), (BROKER_USER, _broker_password(layout))):
            users += ["--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]"]
    formats = [subprocess.Popen(
        _java_command(java, libs, "kafka.tools.StorageTool", "format", "--cluster-id", cluster_id_file.read_text(),
                      "--initial-controllers", controllers, *users, "--config",
                      str(layout.node_dir(node.node_id, len(cluster)) / "server.properties")),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for node in unformatted]
    for node, format_ in zip(unformatted, formats):
        output, _ = format_.communicate()
        if format_.returncode != 0:
            raise KafkaLocalError(f"formatting node {node.node_id} failed:\n{_redact(_tail(output), scram, layout)}")


def _kafka_uuid() -> str:
    # Never starting with "-", as Kafka's own Uuid.randomUuid: its tools would read it as an option.
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not text.startswith("-"):
            return text


def _redact(text: str, scram: ScramUser | None, layout: _Layout) -> str:
    """The tool may echo its arguments: the passwords go."""
    return text.replace(scram.password, "***").replace(_broker_password(layout), "***") if scram else text


def _java_command(java: str, libs: Path, main_class: str, *args: str) -> list[str]:
    return [java, f"-Xms{BROKER_HEAP}", f"-Xmx{BROKER_HEAP}", "-XX:+UseG1GC",
            f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.xml'}",
            "-cp", str(libs / "*"),  # the JVM expands the wildcard itself
            main_class, *args]


def _wait_until_healthy(node: Node, pid: int, layout: _Layout, brokers: int, client: Settings,
                        timeout_s: float) -> None:
    started = time.monotonic()
    next_note = started + 5
    log = _log(layout, node, brokers)
    while not _answers_or_explains(node, client):
        if not _is_alive(pid):
            raise KafkaLocalError(f"node {node.node_id} exited during start-up; end of {log}:\n{_tail_of(log)}")
        waited = time.monotonic() - started
        if waited > timeout_s:
            raise KafkaLocalError(f"node {node.node_id} (pid {pid}) did not answer at {node.bootstrap} within "
                                  f"{timeout_s:.0f} s; it is left running for inspection. End of {log}:\n{_tail_of(log)}")
        if time.monotonic() >= next_note:
            _progress(f"waiting for the broker at {node.bootstrap} ({waited:.0f} s)...")
            next_note += 5
        time.sleep(0.5)


def _answers_or_explains(node: Node, client: Settings) -> bool:
    try:
        return _answers(node.bootstrap, timeout_s=2.0, client=client)
    except security.KafkaSecurityError as refused:
        # SCRAM users are created when the storage is formatted, once: this one was formatted without
        # --sasl-ssl, or with other credentials
        raise KafkaLocalError(f"node {node.node_id} runs but refuses the SCRAM user ({refused}); its storage holds "
                              "other credentials than KHABAR_SASL_USERNAME/KHABAR_SASL_PASSWORD: `khabar kafka down`, "
                              "then start over with an empty KHABAR_STATE_DIR") from None


def _answers(bootstrap: str, timeout_s: float, client: Settings) -> bool:
    """Whether a real client request (DescribeCluster) succeeds: an open port alone proves little."""
    async def describe() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000),
                                    **security.client_kwargs(client))
        try:
            await asyncio.wait_for(security.start(admin, client), timeout_s)
            await asyncio.wait_for(admin.describe_cluster(), timeout_s)
        finally:
            await admin.close()

    client_log = logging.getLogger("aiokafka")
    level = client_log.level
    client_log.setLevel(logging.CRITICAL)  # a refused probe is expected while the broker boots, not news
    try:
        asyncio.run(describe())
    except security.KafkaSecurityError:
        raise  # serving, but not to this client: waiting will not help
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
