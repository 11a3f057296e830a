"""Prometheus metrics every worker exports at /metrics (the Grafana dashboard and alerts read these names).

Each `khabar worker` process serves its own registry and is its own scrape target, told apart by
Prometheus's `instance` label; totals are sums over instances. A worker is one process (asyncio plus
Faust's consumer thread, sharing the registry), so prometheus-client's multiprocess mode is not needed.

Labels are bounded: stage, topic, partition, dead-letter reason and entity type, never an id or a name.
Every series whose label values are known in advance starts at zero, so a rate() sees the first events.
"""
from __future__ import annotations

import logging
import time

import orjson
from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

from . import __version__
from .config import settings
from .stages import EXTRACT, NORMALIZE

log = logging.getLogger("khabar")


def _schema_enum(schema: str, *path: str) -> list[str]:
    """Allowed values of a field in one of schemas/, so the metrics follow the contracts."""
    node = orjson.loads((settings.schema_dir / schema).read_bytes())
    for key in path:
        node = node[key]
    return node["enum"]


STAGES = (NORMALIZE.name, EXTRACT.name)
DEAD_LETTER_REASONS = _schema_enum("dead-letter.v1.json", "properties", "reason")
DUPLICATE_REASONS = _schema_enum("duplicate-notice.v1.json", "properties", "reason")
ENTITY_TYPES = _schema_enum("enriched-article.v1.json", "properties", "entities", "items", "properties", "type")
# The raw record's Kafka timestamp (ms), carried on the normalized event for the end-to-end latency.
RAW_TIMESTAMP_HEADER = "khabar-raw-timestamp-ms"
LAG_INTERVAL_S = 5.0

# No panel or alert reads the *_created series, and they would double the number of series per worker.
disable_created_metrics()

BUILD_INFO = Gauge("khabar_build_info", "Always 1; the running Khabar version is a label", ["version"])
ARTICLES_IN = Counter("khabar_articles_in_total", "Events a stage took from its input topic", ["stage"])
ARTICLES_OUT = Counter("khabar_articles_out_total", "Events a stage processed and sent on", ["stage"])
ARTICLES_FAILED = Counter("khabar_articles_failed_total",
                          "Events a stage could not process (each is then dead-lettered)", ["stage"])
DEAD_LETTERS = Counter("khabar_dead_letters_total", "Events sent to the dead-letter topic, by stage and reason",
                       ["stage", "reason"])
DUPLICATES = Counter("khabar_duplicates_total", "Articles not enriched again because they repeat an earlier one, "
                     "by reason (same_id, same_content)", ["reason"])
SEND_ERRORS = Counter("khabar_send_errors_total",
                      "Events the producer could not deliver after its retries, by output topic", ["topic"])
IN_FLIGHT = Gauge("khabar_events_in_flight", "Events a stage has taken and not finished yet", ["stage"])
# Measured here: ~0.6 ms (normalize) and ~2 ms (extract) per article at p50, tens of ms for the largest.
STAGE_SECONDS = Histogram("khabar_stage_seconds", "Time one event spends in a stage: decode, checks, NLP",
                          ["stage"], buckets=(0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01,
                                              0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
# Measured here: ~0.1 s for one article on an idle worker; 0.5-10 s (p50 ~3 s) for a burst of 300.
END_TO_END_SECONDS = Histogram("khabar_end_to_end_latency_seconds",
                               "From the raw article's Kafka timestamp to its enriched event's emit",
                               buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 0.75, 1, 1.5, 2.5,
                                        4, 6, 10, 15, 30, 60, 120, 300))
ENTITIES_PER_ARTICLE = Histogram("khabar_entities_per_article", "Consolidated entities of one type in one article",
                                 ["type"], buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100))
QUOTES_PER_ARTICLE = Histogram("khabar_quotes_per_article", "Quotes found in one article",
                               buckets=(0, 1, 2, 3, 5, 8, 13, 21, 50))
ARTICLES_WITHOUT_ENTITIES = Counter("khabar_articles_without_entities_total",
                                    "Enriched articles in which no entity of any type was found")
CONSUMER_LAG = Gauge("khabar_consumer_lag_messages",
                     "Messages in a partition this worker is assigned that its group has not committed yet",
                     ["topic", "partition"])

BUILD_INFO.labels(__version__).set(1)
for _stage in STAGES:
    for _metric in (ARTICLES_IN, ARTICLES_OUT, ARTICLES_FAILED, IN_FLIGHT, STAGE_SECONDS):
        _metric.labels(_stage)
    for _reason in DEAD_LETTER_REASONS:
        DEAD_LETTERS.labels(_stage, _reason)
for _reason in DUPLICATE_REASONS:
    DUPLICATES.labels(_reason)
for _topic in (settings.topic_normalized, settings.topic_enriched, settings.topic_quotes,
               settings.topic_dead_letter, settings.topic_duplicates):
    SEND_ERRORS.labels(_topic)
for _type in ENTITY_TYPES:
    ENTITIES_PER_ARTICLE.labels(_type)


def raw_timestamp_header(timestamp_s: float | None) -> dict[str, bytes]:
    """Header for the normalized event that carries its raw record's timestamp on to the extract stage."""
    return {} if timestamp_s is None else {RAW_TIMESTAMP_HEADER: str(round(timestamp_s * 1000)).encode()}


def observe_enriched(enriched: dict, headers) -> None:
    """Yield and end-to-end latency of one enriched article, just emitted."""
    raw_ms = dict(headers or ()).get(RAW_TIMESTAMP_HEADER)
    if raw_ms is not None:
        # clocks of producer and worker may differ a little; a negative latency means "no time at all"
        END_TO_END_SECONDS.observe(max(0.0, time.time() - int(raw_ms) / 1000))
    counts = dict.fromkeys(ENTITY_TYPES, 0)
    for entity in enriched["entities"]:
        counts[entity["type"]] += 1
    for kind, count in counts.items():
        ENTITIES_PER_ARTICLE.labels(kind).observe(count)
    if not enriched["entities"]:
        ARTICLES_WITHOUT_ENTITIES.inc()
    QUOTES_PER_ARTICLE.observe(len(enriched["quotes"]))


async def record_consumer_lag(consumer, topics: set[str]) -> None:
    """Refresh the lag gauges; a failed look-up is logged and retried next round, never stops the worker."""
    try:
        await _set_consumer_lag(consumer, topics)
    except Exception as exc:  # noqa: BLE001 - monitoring must not take the worker down
        log.warning("consumer lag not updated: %s: %s", type(exc).__name__, exc)


async def _set_consumer_lag(consumer, topics: set[str]) -> None:
    """Set the lag of each partition of `topics` assigned to this worker: log end offset minus committed offset.

    End offsets are asked of the broker, not taken from the last fetch, so a stalled worker's lag grows.
    Faust keeps the group's committed offsets (read from the broker on assignment, updated on each
    commit) in `_committed_offset` and offers no public accessor; a partition without a commit yet
    (None) is read from its earliest offset, as auto_offset_reset=earliest does.
    """
    assigned = sorted(tp for tp in consumer.assignment() if tp.topic in topics)
    if not assigned:
        CONSUMER_LAG.clear()
        return
    ends = await consumer.highwaters(*assigned)
    uncommitted = [tp for tp in assigned if not consumer._committed_offset.get(tp)]
    starts = await consumer.earliest_offsets(*uncommitted) if uncommitted else {}
    CONSUMER_LAG.clear()  # partitions revoked since the last round are no longer this worker's
    for tp in assigned:
        committed = consumer._committed_offset.get(tp) or starts.get(tp, 0)
        CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, ends.get(tp, committed) - committed))
