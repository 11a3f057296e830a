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
"""
from __future__ import annotations

from faust.tables import TableManager
from faust.tables.recovery import Recovery


async def _set_paused(kafka_consumer, partitions: set, paused: bool) -> None:
    # run in Faust's consumer thread: aiokafka's pause state belongs to that thread's event loop
    assigned = [tp for tp in kafka_consumer.assignment() if tp in partitions]  # aiokafka's own TopicPartitions
    (kafka_consumer.pause if paused else kafka_consumer.resume)(*assigned)


class PausedUntilSeekedRecovery(Recovery):
    async def on_recovery_completed(self, generation_id: int = 0) -> None:
        thread = self.app.consumer._thread  # runs the aiokafka consumer
        kafka_consumer = thread._ensure_consumer()
        streams = {tp for tp in self.app.consumer.assignment() if not self._is_changelog_tp(tp)}
        await thread.call_thread(_set_paused, kafka_consumer, streams, True)
        await super().on_recovery_completed(generation_id)
        # Not reached when another rebalance interrupts: that one assigns afresh, and unpaused.
        await thread.call_thread(_set_paused, kafka_consumer, streams, False)


class KhabarTableManager(TableManager):
    @property
    def recovery(self) -> Recovery:
        if self._recovery is None:
            self._recovery = PausedUntilSeekedRecovery(self.app, self, beacon=self.beacon, loop=self.loop)
        return self._recovery
