"""Talking to Kafka outside the worker: create topics, publish raw articles, read events back."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, TopicAlreadyExistsError

from . import contracts, security
from .config import Settings, settings
from .contracts import Rejected
from .readers import Item

LEADER_WAIT_S = 10


async def ensure_topics(config: Settings = settings) -> None:
    """Create Khabar's topics with the configured partitions and replication, if missing."""
    admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers, **security.client_kwargs(config))
    try:
        await security.start(admin, config)
        existing = set(await admin.list_topics())
        topic_config = {"max.message.bytes": str(config.max_message_bytes)}
        missing = [NewTopic(name, config.topic_partitions, config.topic_replication, topic_configs=topic_config)
                   for name in config.topics if name not in existing]
        if missing:
            response = await admin.create_topics(missing)
            failures = [f"{error[0]}: {error[2] or error[1]}" for error in response.topic_errors
                        if error[1] not in (0, TopicAlreadyExistsError.errno)]
            if failures:
                raise KafkaError("could not create topics: " + "; ".join(failures))
            await _until_led(admin, [topic.name for topic in missing])
    finally:
        await admin.close()


async def _until_led(admin: AIOKafkaAdminClient, topics: list[str]) -> None:
    """Returns once every partition of the topics has a leader, or after LEADER_WAIT_S: a producer
    that sends before then is answered NotLeaderForPartition, and retries with a warning each time."""
    give_up = time.monotonic() + LEADER_WAIT_S
    while time.monotonic() < give_up:
        described = await admin.describe_topics(topics)
        if all(d["partitions"] and all(p["leader"] >= 0 for p in d["partitions"]) for d in described):
            return
        await asyncio.sleep(0.1)


@dataclass
class PublishReport:
    sent: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (origin, why)

    def summary(self, topic: str) -> str:
        lines = [f"sent {self.sent} article(s) to {topic}; rejected {len(self.rejected)}"]
        lines += [f"  rejected {origin}: {why}" for origin, why in self.rejected]
        return "\n".join(lines)


async def publish(items: Iterable[Item], topic: str, config: Settings = settings, progress=None) -> PublishReport:
    """Validate each article against the raw schema and send it keyed by its id; `progress()` is
    called once per item handled, sent or rejected."""
    report = PublishReport()
    await ensure_topics(config)
    producer = AIOKafkaProducer(bootstrap_servers=config.bootstrap_servers, acks="all",
                                max_request_size=config.max_message_bytes, enable_idempotence=True,
                                **security.client_kwargs(config))
    try:
        await security.start(producer, config)
        pending = []
        for item in items:
            if progress:
                progress()
            if item.error:
                report.rejected.append((item.origin, item.error))
                continue
            try:
                article = contracts.with_article_id(item.article)
                contracts.validate(contracts.RAW, article)
                pending.append(await producer.send(topic, contracts.encode(article), key=article["id"].encode()))
            except Rejected as rejected:
                report.rejected.append((item.origin, rejected.error))
                continue
            except MessageSizeTooLargeError:
                report.rejected.append((item.origin, f"larger than KHABAR_MAX_MESSAGE_BYTES={config.max_message_bytes:,} bytes"))
                continue
            report.sent += 1
        await asyncio.gather(*pending)  # every send acknowledged by the broker before we report
    finally:
        await producer.stop()
    return report


async def consume(topic: str, *, from_beginning: bool, limit: int | None, idle_timeout: float | None,
                  config: Settings = settings) -> AsyncIterator[tuple[object, dict | None]]:
    """(message, decoded value or None) for each event, until `limit` or `idle_timeout` seconds of silence."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=config.bootstrap_servers, group_id=None,
                                auto_offset_reset="earliest" if from_beginning else "latest",
                                enable_auto_commit=False, **security.client_kwargs(config))
    try:
        await security.start(consumer, config)
        seen = 0
        while limit is None or seen < limit:
            batch = await consumer.getmany(timeout_ms=int((idle_timeout or 3600) * 1000),
                                           max_records=None if limit is None else limit - seen)
            if not batch:
                if idle_timeout is not None:
                    return
                continue
            for records in batch.values():
                for message in records:
                    try:
                        value = contracts.decode(message.value)
                    except Rejected:
                        value = None
                    seen += 1
                    yield message, value
    finally:
        await consumer.stop()

