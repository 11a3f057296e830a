"""The worker's Kafka clients: its producer keeps knowing where every Khabar topic's partitions lead,
whatever else it sends to; its consumer's fetches wait as long as configured, not Faust's 1.5 s."""
from __future__ import annotations

import asyncio
import uuid

import faust
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams import kafka_io, transport as transport_module
from streams.app import app as khabar_app
from streams.config import Settings, settings
from streams.transport import TopicTrackingProducer

from .conftest import pipeline_env

pytestmark = pytest.mark.integration


def test_a_topic_first_sent_to_later_does_not_make_the_producer_forget_the_others(kafka_bootstrap, monkeypatch):
    config = Settings.from_env(pipeline_env(kafka_bootstrap))
    monkeypatch.setattr(transport_module, "settings", config)
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


def test_the_worker_consumer_fetches_with_the_configured_wait():
    async def created():  # aiokafka binds a consumer to the running loop
        return khabar_app.consumer._thread._create_worker_consumer(khabar_app.transport)

    assert asyncio.run(created())._fetch_max_wait_ms == settings.fetch_max_wait_ms != 1500
