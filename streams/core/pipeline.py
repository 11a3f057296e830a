"""The NLP core's entry points: normalize, then extract entities and quotes.

Plain dicts in, plain dicts out, nothing of Kafka: the Faust agents and `khabar enrich`
call these same two functions, so offline and streaming results are the same.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from .. import __version__
from .entities import find_entities
from .model import FIELDS
from .ner import gazetteers
from .normalize import normalize_article
from .quotes import find_quotes

NORMALIZED_VERSION = "normalized-article/1"
ENRICHED_VERSION = "enriched-article/1"


@contextmanager
def _timed(timings: dict, stage: str):
    started = time.perf_counter()
    yield
    timings[stage] = round((time.perf_counter() - started) * 1000, 3)


def normalize(article: dict) -> dict:
    """A raw article (with an id) as a normalized article: repaired title and body, attributions."""
    timings: dict = {}
    with _timed(timings, "normalize"):
        text = normalize_article(article["title"], article["body"])
    return {
        **article,
        "schema_version": NORMALIZED_VERSION,
        "title": text.title,
        "body": text.body,
        "source_agency": text.source_agency,
        "cited_sources": text.cited_sources,
        "pipeline": {"version": __version__, "timing_ms": timings},
    }


def extract(normalized: dict) -> dict:
    """A normalized article with its entities and quotes; offsets point into its title and body."""
    timings = dict(normalized["pipeline"]["timing_ms"])
    fields = {name: normalized[name] for name in FIELDS}
    with _timed(timings, "entities"):
        entities = find_entities(fields, normalized.get("source_agency"))
    with _timed(timings, "quotes"):
        quotes = find_quotes(fields, entities, normalized.get("source_agency"))
    return {
        **normalized,
        "schema_version": ENRICHED_VERSION,
        "entities": [entity.to_dict() for entity in entities],
        "quotes": [quote.to_dict() for quote in quotes],
        "pipeline": {"version": __version__, "timing_ms": timings},
    }


def enrich(article: dict) -> dict:
    return extract(normalize(article))


def warm_up() -> None:
    """Load the lexicons and models now: a worker pays that before its first event, not during it."""
    enrich({"id": "warm-up", "title": "آزمایش", "body": "او گفت: «این یک آزمایش است.»"})
    gazetteers.is_spaced_word("", "")  # read only once a two-word person is tagged, which the text above has not
