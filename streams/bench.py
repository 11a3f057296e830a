"""`khabar bench`: what enrichment costs next to hazm's Normalizer alone, measured in one run.

The machines are shared and noisy, so the two are timed in alternating rounds over the same
texts and the best round of each is compared: the ratio is what counts, not the seconds.
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import orjson
from hazm import Normalizer

from . import stages
from .core.pipeline import warm_up
from .contracts import Rejected


def fars_articles(folder: Path) -> list[dict]:
    """Raw articles from Fars News dumps ({title, abstract, paragraphs[], link})."""
    articles = []
    for path in sorted(folder.glob("*.json")):
        for row in orjson.loads(path.read_bytes()):
            body = "\n".join([row.get("abstract") or "", *row.get("paragraphs", [])]).strip()
            if row.get("title") and body:
                articles.append({"id": row.get("link") or f"{path.stem}-{len(articles)}",
                                 "title": row["title"], "body": body})
    return articles


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def run(articles: list[dict], rounds: int = 3, progress=print) -> dict:
    normalizer = Normalizer()

    def hazm_alone():
        for article in articles:
            normalizer.normalize(article["title"])
            normalizer.normalize(article["body"])

    rejected: dict[str, str] = {}
    stage_ms: Counter = Counter()  # summed over all rounds, from each event's own pipeline timing

    def enrich_all():
        for article in articles:
            try:
                stage_ms.update(stages.enrich(article)["pipeline"]["timing_ms"])
            except Rejected as exc:  # timed all the same: a rejection costs what it costs
                rejected[article["id"]] = f"{exc.reason}: {exc.error}"

    warm_up()  # models and lexicons load outside the timed rounds
    hazm_seconds = enrich_seconds = float("inf")
    for round_number in range(1, rounds + 1):
        hazm_seconds = min(hazm_seconds, _seconds(hazm_alone))
        enrich_seconds = min(enrich_seconds, _seconds(enrich_all))
        progress(f"round {round_number}/{rounds}: hazm {hazm_seconds:.2f} s, enrich {enrich_seconds:.2f} s")
    characters = sum(len(a["title"]) + len(a["body"]) for a in articles)
    return {
        "articles": len(articles),
        "characters": characters,
        "hazm_normalizer_seconds": round(hazm_seconds, 3),
        "enrich_seconds": round(enrich_seconds, 3),
        "ratio": round(enrich_seconds / hazm_seconds, 3),
        "stage_seconds_mean": {stage: round(ms / 1000 / rounds, 3) for stage, ms in stage_ms.items()},
        "articles_per_second": round(len(articles) / enrich_seconds, 1),
        "rejected": rejected,
    }
