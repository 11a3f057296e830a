"""The Faust app: topics and the two agents of the chain raw → normalized → enriched (+ quotes).

The agents only move events. Each event is decoded, handed to a Stage (which validates and runs
the NLP core), and its result sent on; anything that fails goes to the dead-letter topic with its
reason and origin, and the agent carries on with the next event.
"""
from __future__ import annotations

import base64
import logging
from datetime import datetime, timezone
from functools import partial

import faust
from faust.sensors.prometheus import setup_prometheus_sensors

from . import contracts, dedup, metrics, security
from .config import settings
from .contracts import Rejected
from .recovery import KhabarTableManager
from .stages import EXTRACT, NORMALIZE, Stage, quote_events
from .transport import KhabarTransport, partition_for_key

log = logging.getLogger("khabar")
DEAD_LETTER_EXCERPT_BYTES = 64 * 1024


class KhabarApp(faust.App):
    def _new_transport(self):
        # Faust's aiokafka transport, with its producer and consumer corrected (streams/transport.py)
        return KhabarTransport(self.conf.broker_consumer, self)


app = KhabarApp(
    settings.app_id,
    broker=f"kafka://{settings.bootstrap_servers}",
    web_port=settings.web_port,
    web_bind=settings.web_bind,
    broker_credentials=security.faust_credentials(settings),
    datadir=str(settings.state_dir / "faust" / "{conf.name}"),  # its bookkeeping, beside the broker's state
    topic_partitions=settings.topic_partitions,
    topic_replication_factor=settings.topic_replication,
    # at-least-once delivery; outputs are keyed by article id so a replay overwrites, not duplicates
    processing_guarantee="at_least_once",
    key_serializer="raw",
    value_serializer="raw",  # we decode ourselves, so undecodable bytes reach the dead-letter topic
    producer_max_request_size=settings.max_message_bytes,
    producer_partitioner=partition_for_key,
    producer_acks=-1,  # "all": a send counts once every in-sync replica holds it (min.insync.replicas)
    broker_session_timeout=settings.session_timeout_s,
    TableManager=KhabarTableManager,  # stream partitions paused in aiokafka until seeked and cleared (faust #596)
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
duplicates_topic = _topic(settings.topic_duplicates)
# content fingerprint → dedup.claim of the first event with that text; the changelog topic restores it
# on restart. Co-partitioned with normalized_topic, which is keyed by that same fingerprint.
seen_content = app.Table("seen-content", partitions=settings.topic_partitions,
                         schema=faust.Schema(key_serializer="json", value_serializer="json"))


async def publish(topic: faust.TopicT, *, key: bytes | None, value: dict, headers: dict | None = None) -> None:
    """Hand one event to the worker's producer, which batches it, and count and log it if the producer
    gives up on it after its retries.

    Straight to the producer rather than through Topic.send, whose futures, callbacks and sensors cost
    more than the send itself: with the NLP replaced by a look-up, a worker used 2.2-2.3 CPU-seconds on
    1,500 articles this way against 2.8-3.0. At-least-once holds all the same: Faust flushes the producer
    before it commits the offsets of the events that made these.
    """
    name = topic.get_topic_name()
    delivery = await app.producer.send(name, key, contracts.encode(value), partition=None, timestamp=None,
                                       headers=headers)
    delivery.add_done_callback(partial(_on_delivered, name, key))


def _on_delivered(topic_name: str, key: bytes | None, delivery) -> None:
    if delivery.cancelled() or delivery.exception() is None:
        return
    metrics.SEND_ERRORS.labels(topic_name).inc()
    log.error("could not deliver the event keyed %r to %s after the producer's retries: %r",
              key, topic_name, delivery.exception())


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


def _dead_letter_key(message, value: dict | None) -> bytes | None:
    """The article's id when the event has one (normalized events are keyed by content), else its own key."""
    article_id = value.get("id") if value else None
    return article_id.encode() if isinstance(article_id, str) and article_id else message.key


async def _process(stage: Stage, event, decoded: dict | None = None) -> dict | None:
    """The stage's output for one event (its value already decoded, if given), or None once the
    event has been dead-lettered."""
    message, value = event.message, None
    metrics.ARTICLES_IN.labels(stage.name).inc()
    with metrics.IN_FLIGHT.labels(stage.name).track_inprogress():
        try:
            with metrics.STAGE_SECONDS.labels(stage.name).time():
                value = contracts.decode(message.value) if decoded is None else decoded
                # In the loop itself, not a thread: Kafka's heartbeats live in Faust's consumer thread, and
                # a CPU-bound thread beside the loop made the two queue for the GIL on every event (the
                # worker reached 90-110 articles/s that way, 120-145 inline, with less CPU per article).
                result = stage.process(value)
        except Rejected as rejected:
            metrics.ARTICLES_FAILED.labels(stage.name).inc()
            dead = dead_letter_event(stage.name, rejected, message, value)
            log.warning("dead-lettered %s[%s]@%s (%s): %s", message.topic, message.partition,
                        message.offset, rejected.reason, rejected.error)
            await publish(dead_letter_topic, key=_dead_letter_key(message, value), value=dead)
            metrics.DEAD_LETTERS.labels(stage.name, rejected.reason).inc()
            return None
    metrics.ARTICLES_OUT.labels(stage.name).inc()
    return result


async def _events(stream):
    """The stream's events, each acknowledged only once the agent's body has finished with it.

    Faust acks the current event when its stream closes, also when the agent was cancelled in the
    middle of it (SIGTERM, rebalance): its offset could then be committed with its output never sent.
    """
    manual = stream.noack()
    async for event in manual.events():
        yield event
        await manual.ack(event)


# concurrency=1: faust with more can commit offsets past in-flight messages; scale by partitions instead
@app.agent(raw_topic, concurrency=1)
async def normalize_agent(stream):
    async for event in _events(stream):
        normalized = await _process(NORMALIZE, event)
        if normalized is not None:
            # keyed by content: every copy of one text, whatever its id, meets the same seen_content partition
            await publish(normalized_topic, key=dedup.fingerprint(normalized).encode(), value=normalized,
                          headers=metrics.raw_timestamp_header(event.message.timestamp))


def _decoded(message) -> dict | None:
    try:
        return contracts.decode(message.value)
    except Rejected:
        return None  # _process decodes it again, and dead-letters it


async def _is_duplicate(message, article: dict) -> bool:
    """True for a repeat of an article already taken: counted, logged, forwarded by policy, not enriched."""
    if not all(isinstance(article.get(field), str) for field in ("id", "title", "body")):
        return False  # not a normalized article: _process dead-letters it
    digest = dedup.fingerprint_of(message.key, article)
    first = seen_content.get(digest)
    reason = dedup.judge(first, article["id"], message.partition, message.offset)
    if reason is None:
        if first is None:
            seen_content[digest] = dedup.claim(article["id"], message.partition, message.offset)
        return False
    metrics.DUPLICATES.labels(reason).inc()
    log.info("duplicate %s (%s) of %s at %s[%s]@%s", article["id"], reason, first["id"],
             message.topic, message.partition, message.offset)
    if settings.duplicates == "forward":
        await publish(duplicates_topic, key=article["id"].encode(), value=dedup.notice(article, reason, first, digest))
    return True


@app.agent(normalized_topic, concurrency=1)
async def extract_agent(stream):
    async for event in _events(stream):
        article = _decoded(event.message)
        if settings.duplicates != "off" and article is not None and await _is_duplicate(event.message, article):
            continue
        enriched = await _process(EXTRACT, event, article)
        if enriched is None:
            continue
        key = enriched["id"].encode()
        await publish(enriched_topic, key=key, value=enriched)
        for quote in quote_events(enriched):
            await publish(quotes_topic, key=key, value=quote)
        metrics.observe_enriched(enriched, event.message.headers)


@app.timer(interval=metrics.LAG_INTERVAL_S)
async def consumer_lag():
    # the agents' input topics only: Faust does not commit its tables' changelogs or its leader topic
    await metrics.record_consumer_lag(app.consumer, {raw_topic.get_topic_name(), normalized_topic.get_topic_name()})
