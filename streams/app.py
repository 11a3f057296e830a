"""The Faust app: topics and the two agents of the chain raw → normalized → enriched (+ quotes).

The agents only move events. Each event is decoded, handed to a Stage (which validates and runs
the NLP core), and its result sent on; anything that fails goes to the dead-letter topic with its
reason and origin, and the agent carries on with the next event.
"""
from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime, timezone

import faust
from faust.sensors.prometheus import setup_prometheus_sensors

from . import contracts, metrics
from .config import settings
from .contracts import Rejected
from .stages import EXTRACT, NORMALIZE, Stage, quote_events

log = logging.getLogger("khabar")
DEAD_LETTER_EXCERPT_BYTES = 64 * 1024

app = faust.App(
    settings.app_id,
    broker=f"kafka://{settings.bootstrap_servers}",
    web_port=settings.web_port,
    datadir=str(settings.state_dir / "faust" / "{conf.name}"),  # its bookkeeping, beside the broker's state
    topic_partitions=settings.topic_partitions,
    topic_replication_factor=settings.topic_replication,
    # at-least-once delivery; outputs are keyed by article id so a replay overwrites, not duplicates
    processing_guarantee="at_least_once",
    key_serializer="raw",
    value_serializer="raw",  # we decode ourselves, so undecodable bytes reach the dead-letter topic
    producer_max_request_size=settings.max_message_bytes,
)
setup_prometheus_sensors(app, pattern="/metrics", name_prefix="faust")


def _topic(name: str) -> faust.TopicT:
    return app.topic(name, partitions=settings.topic_partitions,
                     replicas=settings.topic_replication, key_type=bytes, value_type=bytes)


raw_topic = _topic(settings.topic_raw)
normalized_topic = _topic(settings.topic_normalized)
enriched_topic = _topic(settings.topic_enriched)
quotes_topic = _topic(settings.topic_quotes)
dead_letter_topic = _topic(settings.topic_dead_letter)


def dead_letter_event(stage: str, rejected: Rejected, message, value: dict | None) -> dict:
    """The dead-letter record: what failed, where it came from, and the original value or bytes."""
    key = message.key.decode("utf-8", "replace") if message.key else None
    event = {
        "schema_version": "dead-letter/1",
        "stage": stage,
        "reason": rejected.reason,
        "error": rejected.error,
        "origin": {"topic": message.topic, "partition": message.partition,
                   "offset": message.offset, "key": key},
        "timestamp": datetime.now(timezone.utc).isoformat(),
    }
    original = message.value or b""
    if len(original) > settings.max_message_bytes // 2:
        # base64 of it would not fit in one message; the origin still points at the full original
        event["value_base64"] = base64.b64encode(original[:DEAD_LETTER_EXCERPT_BYTES]).decode("ascii")
        event["value_truncated"] = True
    elif value is None:
        event["value_base64"] = base64.b64encode(original).decode("ascii")
    else:
        event["value"] = value
    return event


async def _process(stage: Stage, event) -> dict | None:
    """The stage's output for one event, or None once the event has been dead-lettered."""
    message, value = event.message, None
    with metrics.STAGE_SECONDS.labels(stage.name).time():
        try:
            value = contracts.decode(message.value)
            # the NLP core is CPU-bound: a thread keeps the event loop (and Kafka heartbeats) alive
            result = await asyncio.get_running_loop().run_in_executor(None, stage.process, value)
        except Rejected as rejected:
            dead = dead_letter_event(stage.name, rejected, message, value)
            log.warning("dead-lettered %s[%s]@%s (%s): %s", message.topic, message.partition,
                        message.offset, rejected.reason, rejected.error)
            await dead_letter_topic.send(key=message.key, value=contracts.encode(dead))
            metrics.DEAD_LETTERS.labels(stage.name, rejected.reason).inc()
            metrics.EVENTS.labels(stage.name, "dead_letter").inc()
            return None
    metrics.EVENTS.labels(stage.name, "ok").inc()
    return result


# concurrency=1: faust with more can commit offsets past in-flight messages; scale by partitions instead
@app.agent(raw_topic, concurrency=1)
async def normalize_agent(stream):
    async for event in stream.events():
        normalized = await _process(NORMALIZE, event)
        if normalized is not None:
            await normalized_topic.send(key=normalized["id"].encode(), value=contracts.encode(normalized))


@app.agent(normalized_topic, concurrency=1)
async def extract_agent(stream):
    async for event in stream.events():
        enriched = await _process(EXTRACT, event)
        if enriched is None:
            continue
        key = enriched["id"].encode()
        await enriched_topic.send(key=key, value=contracts.encode(enriched))
        for quote in quote_events(enriched):
            await quotes_topic.send(key=key, value=contracts.encode(quote))
        metrics.ENTITIES_PER_ARTICLE.observe(len(enriched["entities"]))
        metrics.QUOTES_PER_ARTICLE.observe(len(enriched["quotes"]))
