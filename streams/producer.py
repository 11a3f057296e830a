"""Faust's Kafka producer, with the metadata of every Khabar topic tracked from its start.

aiokafka's client asks the brokers for the metadata of the topics it tracks, or of every topic while
it tracks none, and each answer replaces what it knew. A topic it learned from an every-topic answer
(Faust asks for one after declaring a topic) is sent to without being tracked; the next answer for
the tracked ones alone, due as soon as some other topic is first sent to, forgets it. Its partitions
then have no known leader, so their pending batches wait for metadata that never names them: the
sender asks again and again. The only way out is another send to that topic, and the agent that would
send it waits for the full batch to drain. A broker that died under the worker stalled both agents
that way for good (seen in the broker-failure test: the normalized topic forgotten, 25 events held).

Tracking Khabar's topics (created before the worker starts) from the producer's start means no answer
ever covers every topic again, so a topic is known only once it is tracked, Faust's own included.
"""
from __future__ import annotations

from faust.transport.drivers.aiokafka import Producer

from .config import settings


class TopicTrackingProducer(Producer):
    async def on_start(self) -> None:
        await super().on_start()
        client = self._ensure_producer().client
        for topic in settings.topics:
            client.add_topic(topic)
