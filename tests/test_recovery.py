"""While Faust completes a recovery, the stream partitions are paused in the Kafka client itself."""
import asyncio
from types import SimpleNamespace

import pytest
from aiokafka import TopicPartition
from faust.tables.recovery import RebalanceAgain, Recovery
from faust.types import TP

from streams import app as worker
from streams.recovery import PausedUntilSeekedRecovery

CHANGELOG = "khabar-seen-content-changelog"
ASSIGNED = {TP("normalized", 0), TP("normalized", 1), TP(CHANGELOG, 0)}


class KafkaConsumer:
    """aiokafka's consumer as far as pausing and seeking go: it takes only its own TopicPartition type."""

    def __init__(self, committed=None):
        self.paused, self.seeks = set(), []
        self._committed = committed or {}

    async def committed(self, tp):
        return self._committed.get(tp)

    def seek(self, tp, offset):
        assert tp in self.paused, "seeked while fetching"
        self.seeks.append((tp.partition, offset))

    async def seek_to_beginning(self, *partitions):
        self.seeks += [(tp.partition, "beginning") for tp in partitions if tp in self.paused]

    def assignment(self):
        return {TopicPartition(*tp) for tp in ASSIGNED}

    def pause(self, *partitions):
        assert all(type(tp) is TopicPartition for tp in partitions)
        self.paused.update(partitions)

    def resume(self, *partitions):
        self.paused.difference_update(partitions)


class ConsumerThread:
    def __init__(self, committed=None):
        self.kafka_consumer = KafkaConsumer(committed)

    def _ensure_consumer(self):
        return self.kafka_consumer

    async def call_thread(self, fun, *args):
        return await fun(*args)


def recovery_of(thread) -> PausedUntilSeekedRecovery:
    recovery = object.__new__(PausedUntilSeekedRecovery)
    # after the recovery, Faust holds the changelog paused in its bookkeeping
    recovery.app = SimpleNamespace(consumer=SimpleNamespace(_thread=thread, assignment=lambda: set(ASSIGNED),
                                                            _paused_partitions={TP(CHANGELOG, 0)}),
                                   conf=SimpleNamespace(consumer_auto_offset_reset="earliest"))
    recovery.tables = SimpleNamespace(changelog_topics={CHANGELOG})
    return recovery


def faust_completion(seen: list, outcome=None):
    """Stands for Faust's own completion (resume, seek, clear the queues): notes what was paused then."""
    async def on_recovery_completed(self, generation_id=0):
        seen.append(set(self.app.consumer._thread.kafka_consumer.paused))
        if outcome:
            raise outcome
    return on_recovery_completed


def test_stream_partitions_stay_paused_in_the_client_until_faust_has_seeked_and_cleared(monkeypatch):
    seen, thread = [], ConsumerThread()
    monkeypatch.setattr(Recovery, "on_recovery_completed", faust_completion(seen))
    asyncio.run(recovery_of(thread).on_recovery_completed(generation_id=3))
    assert seen == [{TopicPartition("normalized", 0), TopicPartition("normalized", 1)}]
    assert thread.kafka_consumer.paused == {TopicPartition(CHANGELOG, 0)}


def test_only_the_changelog_partitions_faust_holds_paused_are_paused_in_the_client(monkeypatch):
    """Records fetched for a held partition would never be consumed, and aiokafka fetches nothing from a
    broker while unconsumed records of one of its partitions are younger than its prefetch backoff.
    A standby changelog partition is one Faust reads: it stays fetched."""
    thread = ConsumerThread()
    monkeypatch.setattr(Recovery, "on_recovery_completed", faust_completion([]))
    recovery = recovery_of(thread)
    recovery.app.consumer._paused_partitions = set()  # a standby changelog: Faust reads it
    asyncio.run(recovery.on_recovery_completed(generation_id=3))
    assert thread.kafka_consumer.paused == set()


def test_partitions_that_aiokafka_would_not_seek_to_committed_are_seeked_while_paused(monkeypatch):
    """aiokafka's seek_to_committed skips a partition committed at 0 or not at all: records fetched and
    dropped during the recovery would never be fetched again. Those with a later commit are Faust's to seek."""
    seen, thread = [], ConsumerThread({TopicPartition("normalized", 0): 0})
    monkeypatch.setattr(Recovery, "on_recovery_completed", faust_completion(seen))
    asyncio.run(recovery_of(thread).on_recovery_completed(generation_id=3))
    assert sorted(thread.kafka_consumer.seeks, key=str) == [(0, 0), (1, "beginning")]

    thread = ConsumerThread({TopicPartition("normalized", 0): 7, TopicPartition("normalized", 1): 3})
    asyncio.run(recovery_of(thread).on_recovery_completed(generation_id=3))
    assert thread.kafka_consumer.seeks == []


def test_a_rebalance_during_completion_propagates(monkeypatch):
    seen, thread = [], ConsumerThread()
    monkeypatch.setattr(Recovery, "on_recovery_completed", faust_completion(seen, RebalanceAgain()))
    with pytest.raises(RebalanceAgain):
        asyncio.run(recovery_of(thread).on_recovery_completed(generation_id=3))
    assert len(seen) == 1


def test_the_worker_recovers_its_tables_this_way():
    assert isinstance(worker.app.tables.recovery, PausedUntilSeekedRecovery)
