"""The hostile corpus of tests/test_hostile_input.py through a real worker: each event is dead-lettered
with its reason or enriched, and the worker stays up; an event over the size limit never gets in."""
from __future__ import annotations

import asyncio

import orjson
import pytest

from streams import kafka_io
from streams.readers import Item
from tests.test_hostile_input import BODY, CORPUS, TITLE

from .conftest import collect, send_raw

pytestmark = pytest.mark.integration


def keyed_corpus() -> list[tuple[str, bytes | None, object]]:
    """(key, value, expected) per case; the articles expected to be enriched get the key as their id, and
    in their title, since several normalize to the same text and the worker would take them for duplicates."""
    cases = []
    for index, (_, value, expected) in enumerate(CORPUS):
        key = f"hostile-{index}"
        if expected == "enriched":
            article = orjson.loads(value)
            value = orjson.dumps({**article, "id": key, "title": f"{article['title']} {key}"})
        cases.append((key, value, expected))
    return cases


def test_each_hostile_event_is_dead_lettered_with_its_reason_or_enriched(worker):
    config, cases = worker.config, keyed_corpus()
    asyncio.run(kafka_io.ensure_topics(config))  # before the worker does: a topic made on first use takes 1 MB at most
    for key, value, _ in cases:
        send_raw(config, key.encode(), value)
    send_raw(config, b"after", orjson.dumps({"id": "after", "title": TITLE, "body": BODY}))

    enriched_keys = {key for key, _, expected in cases if expected == "enriched"} | {"after"}
    enriched = collect(config, config.topic_enriched, lambda events: enriched_keys <= {e["id"] for e in events})
    assert enriched_keys <= {event["id"] for event in enriched}
    dead = {letter["origin"]["key"]: letter for letter in collect(
        config, config.topic_dead_letter, lambda events: len(events) >= len(cases) - len(enriched_keys) + 1)}
    for key, _, expected in cases:
        if expected != "enriched":
            reason, words = expected
            assert (dead[key]["reason"], words in dead[key]["error"]) == (reason, True), key
    assert worker.running(), "hostile input must not stop the worker"


def test_an_event_over_the_message_size_limit_is_refused_with_the_reason(worker):
    config = worker.config
    oversized = {"id": "oversized", "title": TITLE, "body": "ب" * (config.max_message_bytes // 2 + 1)}
    report = asyncio.run(kafka_io.publish([Item("big.json", oversized)], config.topic_raw, config))
    assert report.sent == 0
    assert report.rejected == [("big.json", f"larger than KHABAR_MAX_MESSAGE_BYTES={config.max_message_bytes:,} bytes")]
