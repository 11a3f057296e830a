"""A broker of a 3-node KRaft cluster dies mid-stream and comes back: nothing is lost, and the
pipeline keeps flowing while it is down.

The cluster is `khabar kafka up --brokers 3` (kafka_local.up with brokers=3) on free loopback ports
and a temporary state dir, with the session's cached jars. Topics have 3 replicas, writes need 2 in
sync (min.insync.replicas=2) and every producer, the worker's included, waits for acks=all.
"""
from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from streams import contracts, kafka_local
from streams.config import Settings, settings

from .conftest import WorkerProcess, metric_lines, pipeline_env

pytestmark = [pytest.mark.integration, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("java") is None, reason="a cluster of its own needs Java")]

RATE_PER_S = 25
FLOWING_AFTER_KILL = 40  # articles published after the kill that must come out before the node returns
DEADLINE_S = 90
RESCAN_S = 20
# invented sentences; the article's number makes each text its own
SENTENCES = ["اداره هواشناسی استان از بارش باران در ارتفاعات خبر داد.",
             "سخنگوی شهرداری گفت: «خط تازه اتوبوس از هفته آینده راه می‌افتد.»",
             "به گزارش خبرنگار ما، جشنواره فیلم کوتاه با حضور هنرمندان جوان آغاز شد.",
             "رئیس دانشگاه اعلام کرد که کلاس‌های ترم تابستان حضوری برگزار می‌شود."]


def article(i: int) -> dict:
    return {"id": f"bf-{i}", "title": f"خبر کوتاه شماره {i}",
            "body": " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(2 + i % 3)) + f" شماره {i}."}


def free_port_block(size: int) -> int:
    """The first of `size` consecutive free loopback ports (node n uses base + 2(n-1) and the next one)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size < 65536 and all(kafka_local._port_is_free(base + k) for k in range(size)):
            return base
    raise RuntimeError(f"no {size} consecutive free ports")


@pytest.fixture
def cluster(tmp_path):
    base = free_port_block(6)
    args = dict(port=base, controller_port=base + 1, brokers=3, libs_cache=settings.state_dir / "kafka" / "libs")
    try:
        bootstrap = kafka_local.up(tmp_path / "cluster", **args)
        yield bootstrap, (lambda: kafka_local.up(tmp_path / "cluster", **args))
    finally:
        kafka_local.down(tmp_path / "cluster")


class Publisher(threading.Thread):
    """Publishes article after article at a steady rate (acks=all, idempotent) until stopped."""

    def __init__(self, config: Settings):
        super().__init__(daemon=True)
        self.config, self.sent, self.error = config, [], None
        self.halt = threading.Event()

    def run(self):
        try:
            asyncio.run(self._publish())
        except Exception as error:  # reported by the test, not lost in a thread
            self.error = error

    async def _publish(self):
        producer = AIOKafkaProducer(bootstrap_servers=self.config.bootstrap_servers, acks="all",
                                    enable_idempotence=True, request_timeout_ms=60_000)
        await producer.start()
        try:
            i = 0
            while not self.halt.is_set():
                value = article(i)
                await producer.send_and_wait(self.config.topic_raw, contracts.encode(value), key=value["id"].encode())
                self.sent.append(value["id"])  # only once every in-sync replica holds it
                i += 1
                await asyncio.sleep(1 / RATE_PER_S)
        finally:
            await producer.stop()


class Tracker(threading.Thread):
    """Counts the keys that come out on the enriched and dead-letter topics."""

    def __init__(self, config: Settings, worker: WorkerProcess):
        super().__init__(daemon=True)
        self.config, self.worker, self.seen, self.records = config, worker, set(), 0
        self.halt = threading.Event()

    def run(self):
        asyncio.run(self._track())

    async def _track(self):
        consumer = AIOKafkaConsumer(self.config.topic_enriched, self.config.topic_dead_letter,
                                    bootstrap_servers=self.config.bootstrap_servers, auto_offset_reset="earliest",
                                    metadata_max_age_ms=2000)
        await consumer.start()
        try:
            while not self.halt.is_set():
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    self.records += len(records)
                    self.seen.update(record.key.decode() for record in records if record.key)
        finally:
            await consumer.stop()

    def wait_for(self, ids, deadline_s: float) -> float:
        """Seconds until every id of `ids` came out; fails at the deadline.

        Every RESCAN_S a fresh consumer also reads both topics from the start, so that the tracker's
        own consumer, should it stay on stale metadata after the kill, cannot pass for a stalled pipeline.
        """
        started = rescanned = time.monotonic()
        while not set(ids) <= self.seen:
            now = time.monotonic()
            if now - rescanned >= RESCAN_S or now - started >= deadline_s:
                self.seen |= keys_out(self.config)
                rescanned = time.monotonic()
                if rescanned - started >= deadline_s:
                    missing = set(ids) - self.seen
                    if missing:
                        self.worker.print_stacks()
                    assert not missing, (f"{len(missing)} of {len(ids)} still missing after {deadline_s} s; "
                                         f"the worker's counters: {metric_lines(self.worker, 'khabar_articles_')}")
            time.sleep(0.5)
        return time.monotonic() - started


def keys_out(config: Settings) -> set[str]:
    """Every key on the enriched and dead-letter topics, read afresh from the start up to where they
    ended when asked. Not until a silence: the pipeline goes on writing to them while this reads, and
    a read that waited for silence would wait as long as the publisher publishes."""
    async def read() -> set[str]:
        topics = [config.topic_enriched, config.topic_dead_letter]
        admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
        await admin.start()
        try:
            partitions = [TopicPartition(description["topic"], p["partition"])
                          for description in await admin.describe_topics(topics) for p in description["partitions"]]
        finally:
            await admin.close()
        keys: set[str] = set()
        if not partitions:
            return keys
        consumer = AIOKafkaConsumer(bootstrap_servers=config.bootstrap_servers, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            give_up = time.monotonic() + RESCAN_S
            while time.monotonic() < give_up and [p for p in partitions if await consumer.position(p) < ends[p]]:
                for records in (await consumer.getmany(timeout_ms=1000)).values():
                    keys.update(record.key.decode() for record in records if record.key)
        finally:
            await consumer.stop()
        return keys
    return asyncio.run(read())


def replication_of(config: Settings) -> tuple[set[int], str]:
    """Replica counts of the raw topic's partitions, and its min.insync.replicas."""
    async def run():
        admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
        await admin.start()
        try:
            [description] = await admin.describe_topics([config.topic_raw])
            [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, config.topic_raw)])
            entries = {entry[0]: entry[1] for entry in response.resources[0][4]}
            return {len(p["replicas"]) for p in description["partitions"]}, entries["min.insync.replicas"]
        finally:
            await admin.close()
    return asyncio.run(run())


def leader_of_partition_0(config: Settings) -> int:
    async def run():
        admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
        await admin.start()
        try:
            [description] = await admin.describe_topics([config.topic_raw])
            return next(p["leader"] for p in description["partitions"] if p["partition"] == 0)
        finally:
            await admin.close()
    return asyncio.run(run())


def test_a_broker_killed_mid_stream_loses_nothing_and_the_pipeline_keeps_flowing(cluster, tmp_path):
    bootstrap, restart = cluster
    env = pipeline_env(bootstrap, partitions=3, KHABAR_TOPIC_REPLICATION="3")
    worker = WorkerProcess.start(env, tmp_path / "worker")
    config = worker.config
    publisher, tracker = Publisher(config), Tracker(config, worker)
    try:
        # the worker creates the topics; publishing starts once it has, so no write ever auto-creates one
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.running():
            try:
                replicas, min_insync = replication_of(config)
                if replicas:  # a topic just created can be described before its partitions are
                    break
            except Exception:
                pass
            time.sleep(1)
        assert worker.running()
        assert (replicas, min_insync) == ({3}, "2")

        publisher.start()
        tracker.start()
        tracker.wait_for(["bf-0"], DEADLINE_S)  # flowing end to end

        victim = leader_of_partition_0(config)
        kafka_local.stop_node(tmp_path / "cluster", victim, kill=True)
        killed_at, sent_at_kill = time.monotonic(), len(publisher.sent)

        # with a node down, articles published after the kill still come out
        while len(publisher.sent) < sent_at_kill + FLOWING_AFTER_KILL:
            assert publisher.is_alive(), publisher.error
            assert time.monotonic() - killed_at < DEADLINE_S, "publishing stalled with one broker down"
            time.sleep(0.5)
        tracker.wait_for(publisher.sent[sent_at_kill:sent_at_kill + FLOWING_AFTER_KILL], DEADLINE_S)
        flowing_s = time.monotonic() - killed_at

        restart()
        sent_during_outage = len(publisher.sent) - sent_at_kill
        downtime_s = time.monotonic() - killed_at
        time.sleep(3)  # and a little more traffic with every node back
        publisher.halt.set()
        publisher.join(timeout=70)
        assert publisher.error is None, publisher.error

        tracker.wait_for(publisher.sent, DEADLINE_S)
        tracker.halt.set()
        tracker.join(timeout=10)
        lost = set(publisher.sent) - tracker.seen
        print(f"\nbroker failure: {len(publisher.sent)} articles published, node {victim} killed (SIGKILL) for "
              f"{downtime_s:.1f} s while {sent_during_outage} were published; the first {FLOWING_AFTER_KILL} "
              f"published after the kill came out within {flowing_s:.1f} s of it, the node still down; lost={len(lost)}, "
              f"duplicates={tracker.records - len(tracker.seen)}")
        assert not lost
        assert worker.running()
    finally:
        publisher.halt.set()
        tracker.halt.set()
        worker.stop()
