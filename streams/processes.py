"""A broker to run against and `khabar worker` processes on topics of their own.

The benchmark and the integration tests both start real workers; this is the one place that
knows how: a broker (KHABAR_BROKER's cluster, or the local one), an environment naming fresh
topics and a fresh consumer group, and worker subprocesses with their own web port and log.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

from . import kafka_local
from .config import Settings

KHABAR = str(Path(sys.executable).with_name("khabar"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def broker(config: Settings, progress=print):
    """Bootstrap servers and Kafka version: KHABAR_BROKER's cluster, or the local broker (started
    here if it is not running, and then stopped at the end)."""
    if config.broker:
        yield config.bootstrap_servers, "external cluster"
        return
    already_running = kafka_local.status(config.state_dir)["running"]
    progress("starting the local Kafka broker" if not already_running else "using the running local broker")
    bootstrap = kafka_local.up(config.state_dir, port=config.kafka_port,
                               controller_port=config.kafka_controller_port, version=config.kafka_version)
    try:
        yield bootstrap, kafka_local.status(config.state_dir)["version"] or config.kafka_version
    finally:
        if not already_running:
            kafka_local.down(config.state_dir)


def isolated_env(bootstrap: str, run: str, partitions: int, **overrides: str) -> dict:
    """Environment for khabar processes whose topics and consumer group are named after `run`,
    so that runs never see each other's events."""
    env = {**os.environ, "KHABAR_BROKER": bootstrap, "KHABAR_APP_ID": f"khabar-{run}",
           "KHABAR_TOPIC_PARTITIONS": str(partitions)}
    for field in fields(Settings):
        if field.name.startswith("topic_") and field.type == "str":
            env[f"KHABAR_{field.name.upper()}"] = f"{run}.{field.name.removeprefix('topic_')}"
    return {**env, **overrides}


@dataclass
class WorkerProcess:
    """A `khabar worker` subprocess with a web port of its own, logging to a file."""
    env: dict
    process: subprocess.Popen
    log: Path

    @classmethod
    def start(cls, env: dict, state_dir: Path, log_name: str = "worker.log") -> "WorkerProcess":
        env = {"KHABAR_STATE_DIR": str(state_dir), **env, "KHABAR_WEB_PORT": str(free_port())}
        state_dir.mkdir(parents=True, exist_ok=True)
        log = state_dir / log_name
        with log.open("ab") as out:
            process = subprocess.Popen([KHABAR, "worker", "--loglevel", "info"], env=env,
                                       stdout=out, stderr=subprocess.STDOUT)
        return cls(env, process, log)

    @property
    def config(self) -> Settings:
        return Settings.from_env(self.env)

    @property
    def metrics_url(self) -> str:
        return f"http://localhost:{self.env['KHABAR_WEB_PORT']}/metrics"

    def running(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
        return 0.0

    def stop(self, timeout_s: float = 30) -> None:
        """SIGTERM, as a user stops a worker; SIGKILL when it has not stopped in time."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
