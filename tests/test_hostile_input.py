"""Hostile and broken input: each event is enriched or rejected with a clear reason, in time linear in its size.

The corpus goes through the same path as the worker (contracts.decode, then both stages, then
contracts.encode of what would be sent on); a property-based fuzzer throws arbitrary bytes and JSON at it.
tests/test_pipeline_fuzz.py fuzzes the text inside well-formed articles; this file fuzzes the events.
"""
import time

import orjson
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from streams import contracts, stages
from streams.config import settings
from streams.contracts import Rejected

TITLE = "سخنرانی رئیس سازمان هواشناسی"
BODY = "به گزارش خبرگزاری نمونه، رئیس سازمان هواشناسی گفت: «بارش‌ها از فردا آغاز می‌شود.»"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
HTML_PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>خبر</title><style>p{color:red}</style>"
             "</head><body><div class='news'><p>" + BODY + "</p><br/><a href='/x'>بیشتر</a></div></body></html>")


def article(**fields) -> bytes:
    return orjson.dumps({"title": TITLE, "body": BODY, **fields})


def nested(depth: int) -> bytes:
    return b'{"title": "t", "body": "b", "extra": ' + b"[" * depth + b"]" * depth + b"}"


# (name, message value, expected: "enriched" or (reason, words the error must contain))
CORPUS = [
    ("malformed JSON", b'{"title": "x", "body": ', ("undecodable", "malformed JSON")),
    ("not an object", b'["title", "body"]', ("undecodable", "expected a JSON object")),
    ("no value", None, ("undecodable", "empty message")),
    ("wrong types", orjson.dumps({"title": 7, "body": ["x"]}), ("invalid_schema", "title")),
    ("missing body", orjson.dumps({"title": TITLE}), ("invalid_schema", "body")),
    ("unknown schema version", article(schema_version="raw-article/9"), ("invalid_schema", "schema_version")),
    ("id of the wrong type", article(id={"n": 1}), ("invalid_schema", "id")),
    ("not UTF-8", b'{"title": "\xff\xfe", "body": "\xc3\x28"}', ("undecodable", "not UTF-8")),
    ("lone surrogate", b'{"title": "\\ud800", "body": "x"}', ("undecodable", "surrogate")),
    ("empty body", article(body=""), ("invalid_schema", "body")),
    ("5 MB body", article(body="خبر " * 750_000), ("too_large", "KHABAR_MAX_BODY_CHARS")),
    ("title too long", article(title="ت" * (settings.max_body_chars + 1)), ("too_large", "title")),
    ("nested 100 deep", nested(100), ("undecodable", "nested deeper than")),
    ("nested 5000 deep", nested(5000), ("undecodable", "malformed JSON")),
    ("zero-width only", article(body=ZERO_WIDTH * 2000), "enriched"),
    ("bidi controls only", article(title=BIDI, body=BIDI * 2000), "enriched"),
    ("whitespace only", article(body=" \n\t\u00a0" * 1000), "enriched"),
    ("NUL characters", article(body="\x00" * 1000), "enriched"),
    ("HTML page", article(body=HTML_PAGE), "enriched"),
    ("nested 30 deep", nested(30), "enriched"),
]


def through_the_worker(value: bytes | None) -> dict:
    """What the agents do with one raw event: decode, both stages, encode what is sent on."""
    enriched = stages.enrich(contracts.decode(value))
    contracts.encode(enriched)
    return enriched


@pytest.mark.parametrize("value, expected", [case[1:] for case in CORPUS], ids=[case[0] for case in CORPUS])
def test_each_hostile_event_is_enriched_or_rejected_with_a_clear_reason(value, expected):
    if expected == "enriched":
        enriched = through_the_worker(value)
        contracts.validate(contracts.ENRICHED, enriched)
        return
    reason, words = expected
    with pytest.raises(Rejected) as rejected:
        through_the_worker(value)
    assert rejected.value.reason == reason and words in rejected.value.error


def test_invisible_text_and_html_come_out_clean():
    invisible = through_the_worker(article(title=BIDI, body=ZERO_WIDTH * 50 + BIDI * 50))
    assert invisible["entities"] == [] and invisible["quotes"] == []
    page = through_the_worker(article(body=HTML_PAGE))
    assert "<p>" not in page["body"] and "<div" not in page["body"]
    assert [quote["text"] for quote in page["quotes"]] == ["بارش‌ها از فردا آغاز می‌شود"]


def test_an_oversized_body_is_rejected_whole_never_truncated():
    body = "ب" * (settings.max_body_chars + 1)
    with pytest.raises(Rejected) as rejected:
        through_the_worker(article(body=body))
    assert f"{len(body):,} characters" in rejected.value.error


# Texts built against regular expressions: long runs that a backtracking pattern would retry at every
# position (unclosed quotes, cue words without a quote, tags without an end, dotted and linked runs).
BAIT = {
    "unclosed quotes": "«",
    "cue without quote": "وزیر گفت ",
    "attribution chain": "به گزارش خبرگزاری ",
    "quote inside quote": "«او گفت «",
    "tag never closed": "<a href=",
    "entity never closed": "&#",
    "dotted run": "1.",
    "url-like run": "http://a.",
    "e-mail-like run": "x@",
    "one long word": "ب",
    "zwnj run": "\u200c",
    "punctuation run": "!؟.،",
}


def seconds(body: str) -> float:
    """Best of three, so a busy machine's pause does not count."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        stages.enrich({"id": "bait", "title": "تیتر", "body": body})
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("piece", BAIT.values(), ids=BAIT.keys())
def test_enrichment_time_grows_linearly_with_the_length_of_bait_text(piece):
    size = 20_000
    short, long = (piece * (n // len(piece) + 1) for n in (size, 4 * size))
    ratio = seconds(long) / max(seconds(short), 1e-3)
    # linear: about 4; quadratic would be about 16. Generous for a shared, noisy machine.
    assert ratio < 8, f"{ratio:.1f}x the time for 4x the text"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)
ARTICLE_FIELDS = st.fixed_dictionaries(
    {}, optional={"id": JSON_VALUES | st.text(max_size=10), "title": JSON_VALUES | st.text(max_size=60),
                  "body": JSON_VALUES | st.text(max_size=200), "url": JSON_VALUES, "schema_version": JSON_VALUES,
                  "extra": JSON_VALUES})
EVENTS = st.one_of(st.binary(max_size=300), JSON_VALUES.map(orjson.dumps), ARTICLE_FIELDS.map(orjson.dumps),
                   ARTICLE_FIELDS.map(lambda fields: orjson.dumps(fields)[:-3]))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=EVENTS)
def test_any_event_is_enriched_or_rejected_never_crashes(value):
    try:
        enriched = through_the_worker(value)
    except Rejected as rejected:
        assert rejected.reason in {"undecodable", "invalid_schema", "too_large"} and rejected.error
        return
    contracts.validate(contracts.ENRICHED, enriched)
