"""One real Kafka broker for the whole integration session.

With KHABAR_BROKER set, the tests use that cluster and start nothing. Otherwise they
use the local broker of `khabar kafka up`: started here if it is not running yet (and
then stopped at the end), left alone if it was (so `make test` keeps its broker).
"""
from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
import urllib.request
import uuid

import pytest
from aiokafka import AIOKafkaProducer

from streams import kafka_io, processes
from streams.config import Settings, settings
from streams.processes import broker, isolated_env

DEADLINE_S = 120
TIMESTAMP = re.compile(r"^\[[\d-]+ [\d:,]+\] ")

EXTERNAL_CLUSTER = "KHABAR_BROKER" in os.environ


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap servers of a broker that answers client requests."""
    with broker(settings, progress=lambda _: None) as (bootstrap, _version):
        yield bootstrap


@pytest.fixture
def local_kafka_state(kafka_bootstrap):
    """State dir of the session's local broker; tests of it are moot on an external cluster."""
    if EXTERNAL_CLUSTER:
        pytest.skip("KHABAR_BROKER names an external cluster: no local broker to inspect")
    return settings.state_dir


def pipeline_env(bootstrap: str, partitions: int = 2, **overrides: str) -> dict:
    """Environment for khabar processes on topics of their own, so runs never see each other's events."""
    return isolated_env(bootstrap, f"it-{uuid.uuid4().hex[:8]}", partitions, **overrides)


class WorkerProcess(processes.WorkerProcess):
    """A `khabar worker` subprocess whose log is printed when it is stopped, to explain failures."""

    def stop(self, timeout_s: float = 30) -> None:
        super().stop(timeout_s)
        sys.stdout.write(f"\n--- worker log ({self.log}), repeated messages collapsed ---\n{self.readable_tail()}\n")

    def print_stacks(self) -> None:
        """Has the worker log where each of its threads and tasks stands (mode's SIGUSR1), and prints that."""
        before = self.log.stat().st_size
        self.process.send_signal(signal.SIGUSR1)
        time.sleep(5)
        with self.log.open("rb") as log:
            log.seek(before)
            sys.stdout.write(f"\n--- worker stacks ---\n{log.read(30_000).decode(errors='replace')}\n")

    def readable_tail(self, lines: int = 120) -> str:
        """The log's last lines, a message repeated in a row (a dead broker's connect errors) shown once with its count."""
        runs: list[list] = []  # [first line, message without its timestamp, count]
        for line in self.log.read_text(errors="replace").splitlines():
            message = TIMESTAMP.sub("", line, count=1)
            recent = next((run for run in runs[-3:] if run[1] == message), None)  # errors come in alternating pairs
            if recent:
                recent[2] += 1
            else:
                runs.append([line, message, 1])
        return "\n".join(line if count == 1 else f"{line}  (x{count})" for line, _, count in runs[-lines:])


def metric_lines(worker: processes.WorkerProcess, name: str) -> list[str]:
    """The exposition lines of the worker's /metrics that start with `name`."""
    with urllib.request.urlopen(worker.metrics_url, timeout=10) as response:
        return [line for line in response.read().decode().splitlines() if line.startswith(name)]


@pytest.fixture(scope="module")
def worker(kafka_bootstrap, tmp_path_factory):
    """One worker on topics of its own, shared by a test module."""
    started = WorkerProcess.start(pipeline_env(kafka_bootstrap), tmp_path_factory.mktemp("worker"))
    try:
        yield started
    finally:
        started.stop()


def send_raw(config: Settings, key: bytes, *payloads: bytes) -> None:
    """Bytes to the raw topic as they are, bypassing publish's checks: for input publish would refuse."""
    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=config.bootstrap_servers,
                                    max_request_size=config.max_message_bytes)
        await producer.start()
        try:
            for payload in payloads:
                await producer.send_and_wait(config.topic_raw, payload, key=key)
        finally:
            await producer.stop()
    asyncio.run(run())


def collect(config: Settings, topic: str, enough, deadline_s: float = DEADLINE_S) -> list[dict]:
    """Events of `topic` from the start, until `enough(events)` holds or the deadline passes."""
    async def run():
        events, started = [], time.monotonic()
        while time.monotonic() - started < deadline_s:
            events = [value async for _, value in kafka_io.consume(
                topic, from_beginning=True, limit=None, idle_timeout=3, config=config)]
            if enough(events):
                break
            await asyncio.sleep(1)
        return events
    return asyncio.run(run())
