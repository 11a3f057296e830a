"""The worker's producer keeps knowing where every Khabar topic's partitions lead, whatever else it sends to."""
from __future__ import annotations

import asyncio
import uuid

import faust
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams import kafka_io, producer as producer_module
from streams.config import Settings
from streams.producer import TopicTrackingProducer

from .conftest import pipeline_env

pytestmark = pytest.mark.integration


def test_a_topic_first_sent_to_later_does_not_make_the_producer_forget_the_others(kafka_bootstrap, monkeypatch):
    config = Settings.from_env(pipeline_env(kafka_bootstrap))
    monkeypatch.setattr(producer_module, "settings", config)
    later_topic = f"{config.app_id}.later-{uuid.uuid4().hex[:6]}"

    async def run():
        await kafka_io.ensure_topics(config)
        app = faust.App(config.app_id, broker=f"kafka://{config.bootstrap_servers}", loop=asyncio.get_running_loop())
        producer = TopicTrackingProducer(app.transport, loop=asyncio.get_running_loop(), beacon=app.beacon)
        await producer.start()
        admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
        await admin.start()
        try:
            client = producer._ensure_producer().client
            await client.force_metadata_update()  # as Faust does after declaring a topic: every topic's metadata
            await producer.send_and_wait(config.topic_normalized, key=b"k", value=b"v", partition=None,
                                         timestamp=None, headers=None)
            await admin.create_topics([NewTopic(later_topic, 1, 1)])
            await producer.send_and_wait(later_topic, key=b"k", value=b"v", partition=None,
                                         timestamp=None, headers=None)
            return {topic: client.cluster.partitions_for_topic(topic) for topic in config.topics}
        finally:
            await admin.delete_topics([later_topic])
            await admin.close()
            await producer.stop()

    partitions = asyncio.run(run())
    assert partitions == {topic: set(range(config.topic_partitions)) for topic in config.topics}
