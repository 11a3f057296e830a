"""Khabar's topics, as `ensure_topics` makes them for the worker, the publisher and the bench."""
from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from streams import kafka_io
from streams.config import Settings

from .conftest import pipeline_env

pytestmark = pytest.mark.integration


def test_every_partition_of_new_topics_has_a_leader_once_they_are_ensured(kafka_bootstrap):
    config = Settings.from_env(pipeline_env(kafka_bootstrap, partitions=6))

    async def leaders():
        await kafka_io.ensure_topics(config)
        admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
        await admin.start()
        try:
            return {d["topic"]: [p["leader"] for p in d["partitions"]] for d in await admin.describe_topics(config.topics)}
        finally:
            await admin.close()

    described = asyncio.run(leaders())
    assert sorted(described) == sorted(config.topics)
    assert all(len(ids) == 6 and min(ids) >= 0 for ids in described.values()), described
