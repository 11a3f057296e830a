"""Faust's table recovery with the stream partitions paused in the Kafka client until it is complete.

When the changelog recovery after a (re)assignment completes, Faust 0.15 resumes the stream partitions,
seeks them to their committed offsets, and only then resumes flow control, which clears the agents'
queues. A record fetched in that window is either processed and fetched again after the seek (processed
twice), or queued after the seek and cleared: never processed, and committed past as soon as the record
after it is acked. Both were seen on restarts here; faust-streaming issue #596 describes the race.

Faust's own pausing only keeps records from being handed out (aiokafka keeps fetching). Pausing the
stream partitions in the aiokafka consumer itself while Faust completes the recovery means nothing is
fetched for them, and whatever was fetched before is discarded, not consumed. Once Faust has seeked
and cleared, they resume, and the first record fetched is the one at the committed offset.

Faust's seek is aiokafka's `seek_to_committed`, which leaves a partition whose committed offset is
missing or 0 wherever its fetches had taken it. Records of such a partition fetched while Faust held
it paused (between the assignment and the end of the recovery) were dropped, and were never fetched
again: stuck, or lost once a later record was committed. Seen with two workers on fresh topics.
Those partitions are seeked here: to offset 0, or by the consumer's reset policy when nothing is
committed.

Once recovered, Faust holds its active tables' changelog partitions paused, again in its bookkeeping
only. aiokafka fetched the worker's own changelog writes for them, and the records sat in its buffer,
never consumed: while a partition's records wait there, aiokafka sends no fetch to that broker for its
prefetch backoff (100 ms), so each changelog partition stalled both agents once, and the first
articles after a worker's start waited 50-200 ms. Those partitions are paused in aiokafka too.
"""
from __future__ import annotations

from faust.tables import TableManager
from faust.tables.recovery import Recovery


def _assigned(kafka_consumer, partitions: set) -> list:
    """aiokafka's own TopicPartitions for those of `partitions` it is assigned (it takes no other type)."""
    return [tp for tp in kafka_consumer.assignment() if tp in partitions]


async def _set_paused(kafka_consumer, partitions: set, paused: bool) -> None:
    # run in Faust's consumer thread: aiokafka's pause state belongs to that thread's event loop
    (kafka_consumer.pause if paused else kafka_consumer.resume)(*_assigned(kafka_consumer, partitions))


async def _seek_uncommitted(kafka_consumer, partitions: set, reset: str) -> None:
    """Seeks the partitions that aiokafka's seek_to_committed leaves where they are (in the consumer thread)."""
    for tp in _assigned(kafka_consumer, partitions):
        committed = await kafka_consumer.committed(tp)
        if committed == 0:
            kafka_consumer.seek(tp, 0)
        elif committed is None:
            await (kafka_consumer.seek_to_end if reset == "latest" else kafka_consumer.seek_to_beginning)(tp)


class PausedUntilSeekedRecovery(Recovery):
    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        thread = self.app.consumer._thread  # runs the aiokafka consumer
        kafka_consumer = thread._ensure_consumer()
        streams = {tp for tp in self.app.consumer.assignment() if not self._is_changelog_tp(tp)}
        await thread.call_thread(_set_paused, kafka_consumer, streams, True)
        await thread.call_thread(_seek_uncommitted, kafka_consumer, streams, self.app.conf.consumer_auto_offset_reset)
        await super().on_recovery_completed(generation_id)
        # Not reached when another rebalance interrupts: that one assigns afresh, and unpaused.
        await thread.call_thread(_set_paused, kafka_consumer, streams, False)
        held = {tp for tp in self.app.consumer._paused_partitions if self._is_changelog_tp(tp)}
        await thread.call_thread(_set_paused, kafka_consumer, held, True)


class KhabarTableManager(TableManager):
    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = PausedUntilSeekedRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
