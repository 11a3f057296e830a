"""The local broker of `khabar kafka up|down|status`, exercised against real Kafka processes."""
from __future__ import annotations

import asyncio
import base64
import shutil
import socket
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams import kafka_local
from streams.processes import free_port
from streams.config import settings

pytestmark = pytest.mark.integration
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="starting a broker of its own needs Java")
JARS = settings.state_dir / "kafka" / "libs"  # brokers of their own reuse the session's jars: no Maven run each


def kafka_uuid() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


def pid_exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_status_describes_the_running_broker(kafka_bootstrap, local_kafka_state):
    report = kafka_local.status(local_kafka_state)

    assert report["running"] and report["healthy"]
    assert report["bootstrap"] == kafka_bootstrap
    assert report["version"] == kafka_local.KAFKA_VERSION
    assert pid_exists(report["pid"])
    assert (Path(report["data_dir"]) / "meta.properties").is_file()  # storage was formatted


def test_up_again_reuses_the_running_broker(kafka_bootstrap, local_kafka_state):
    pid_before = kafka_local.status(local_kafka_state)["pid"]
    started = time.monotonic()

    bootstrap = kafka_local.up(local_kafka_state, port=settings.kafka_port,
                               controller_port=settings.kafka_controller_port)

    assert bootstrap == kafka_bootstrap
    assert kafka_local.status(local_kafka_state)["pid"] == pid_before
    assert time.monotonic() - started < 5  # a health probe, not a second start-up


def test_round_trip_commits_the_consumer_group_offsets(kafka_bootstrap):
    topic, group = f"test-roundtrip-{uuid.uuid4().hex[:8]}", f"test-group-{uuid.uuid4().hex[:8]}"
    sent = [f"پیام شماره {i}".encode() for i in range(12)]

    async def scenario():
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
            producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
            await producer.start()
            try:
                for i, value in enumerate(sent):
                    await producer.send_and_wait(topic, value, key=str(i).encode())
            finally:
                await producer.stop()

            received = await consume(topic, group, expected=len(sent))
            offsets = await admin.list_consumer_group_offsets(group)
            await admin.delete_topics([topic])
            return received, offsets
        finally:
            await admin.close()

    async def consume(topic, group, expected):
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=group,
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        received = []
        try:
            deadline = time.monotonic() + 30
            while len(received) < expected and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=1000)
                received += [record.value for records in batches.values() for record in records]
            await consumer.commit()
        finally:
            await consumer.stop()
        return received

    received, offsets = asyncio.run(scenario())

    assert sorted(received) == sorted(sent)
    assert {tp.topic for tp in offsets} == {topic}
    assert sum(meta.offset for meta in offsets.values()) == len(sent)


@needs_java
def test_down_stops_a_broker_and_frees_its_port(tmp_path):
    # A broker of its own: the session's broker is shared with the other integration tests.
    port, controller_port = free_port(), free_port()
    bootstrap = kafka_local.up(tmp_path, port=port, controller_port=controller_port, libs_cache=JARS)
    pid = kafka_local.status(tmp_path)["pid"]
    assert bootstrap == f"localhost:{port}"

    assert kafka_local.down(tmp_path) is True

    assert not pid_exists(pid)
    assert kafka_local.status(tmp_path)["running"] is False
    assert not (tmp_path / "kafka" / "broker.json").exists()
    assert kafka_local._port_is_free(port)
    assert kafka_local.down(tmp_path) is False  # nothing left to stop


@needs_java
def test_a_taken_port_is_reported_before_anything_starts(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]

        with pytest.raises(kafka_local.KafkaLocalError, match=f"port {taken} .* taken"):
            kafka_local.up(tmp_path, port=taken, controller_port=free_port(), libs_cache=JARS)

    assert not (tmp_path / "kafka" / "broker.json").exists()


def test_missing_java_is_reported_with_a_way_out(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no java, no mvn

    with pytest.raises(kafka_local.KafkaLocalError, match="`java` is not on PATH"):
        kafka_local.up(tmp_path, port=free_port(), controller_port=free_port())


@needs_java
def test_a_broker_that_dies_at_start_up_reports_its_log(tmp_path):
    # Storage that claims another node id: the real broker refuses it and exits.
    data = tmp_path / "kafka" / "data"
    data.mkdir(parents=True)
    (data / "meta.properties").write_text(
        f"version=1\ncluster.id={kafka_uuid()}\nnode.id=7\ndirectory.id={kafka_uuid()}\n")

    with pytest.raises(kafka_local.KafkaLocalError, match="exited during start-up(.|\n)*Stored node id 7"):
        kafka_local.up(tmp_path, port=free_port(), controller_port=free_port(), timeout_s=30, libs_cache=JARS)

    assert kafka_local.status(tmp_path)["running"] is False


def test_cluster_nodes_take_port_pairs_and_only_sizes_that_survive_a_failure():
    assert kafka_local.nodes(9092, 9093, 3) == [kafka_local.Node(1, 9092, 9093), kafka_local.Node(2, 9094, 9095),
                                                 kafka_local.Node(3, 9096, 9097)]
    with pytest.raises(kafka_local.KafkaLocalError, match="1 or 3 brokers, not 2"):
        kafka_local.nodes(9092, 9093, 2)  # 2 controllers: losing either stops the quorum
    with pytest.raises(kafka_local.KafkaLocalError, match="overlapping ports"):
        kafka_local.nodes(9092, 9094, 3)


@pytest.mark.parametrize("username, password", [("khabar", "pass,word"), ("khabar", ""), ("kha bar", "secret")])
def test_a_scram_user_the_format_tool_would_misread_is_refused_without_echoing_it(tmp_path, username, password):
    with pytest.raises(kafka_local.KafkaLocalError, match="KHABAR_SASL_") as error:
        kafka_local.up(tmp_path, port=free_port(), controller_port=free_port(),
                       scram=kafka_local.ScramUser(username, password))

    assert (password or "\0") not in str(error.value) and username not in str(error.value)
    assert not (tmp_path / "kafka").exists()  # refused before anything was made
