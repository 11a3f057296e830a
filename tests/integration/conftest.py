"""One real Kafka broker for the whole integration session.

With KHABAR_BROKER set, the tests use that cluster and start nothing. Otherwise they
use the local broker of `khabar kafka up`: started here if it is not running yet (and
then stopped at the end), left alone if it was (so `make test` keeps its broker).
"""
from __future__ import annotations

import os

import pytest

from streams import kafka_local
from streams.config import settings

EXTERNAL_CLUSTER = "KHABAR_BROKER" in os.environ


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap servers of a broker that answers client requests."""
    if EXTERNAL_CLUSTER:
        yield settings.bootstrap_servers
        return
    already_running = kafka_local.status(settings.state_dir)["running"]
    bootstrap = kafka_local.up(settings.state_dir, port=settings.kafka_port,
                               controller_port=settings.kafka_controller_port,
                               version=settings.kafka_version)
    yield bootstrap
    if not already_running:
        kafka_local.down(settings.state_dir)


@pytest.fixture
def local_kafka_state(kafka_bootstrap):
    """State dir of the session's local broker; tests of it are moot on an external cluster."""
    if EXTERNAL_CLUSTER:
        pytest.skip("KHABAR_BROKER names an external cluster: no local broker to inspect")
    return settings.state_dir
