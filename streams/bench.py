"""`khabar bench`: what enrichment costs, offline and end to end through Kafka.

Offline, the whole enrichment and hazm's Normalizer alone are timed in alternating rounds over
the same texts, and the best round of each is compared: on a shared, noisy machine the ratio
measured in one run is what counts, not the seconds. The end-to-end part is in bench_e2e.
"""
from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from unittest import mock

import orjson
from hazm import Normalizer

from . import stages
from .contracts import Rejected
from .core import normalize as normalize_module
from .core.pipeline import warm_up

MB = 1_000_000
# the core's own per-event timing; the ZWNJ share is timed by the bench (see _zwnj_timed)
STAGES = ("normalize", "zwnj", "entities", "quotes")
STAGE_LABELS = {"normalize": "normalize (without ZWNJ)", "zwnj": "ZWNJ restoration",
                "entities": "entities", "quotes": "quotes", "checks": "schemas and checks"}


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


def corpus_summary(name: str, articles: list[dict]) -> dict:
    texts = [article["title"] + article["body"] for article in articles]
    return {"name": name, "articles": len(articles), "characters": sum(map(len, texts)),
            "megabytes": round(sum(len(text.encode()) for text in texts) / MB, 3)}


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


@contextmanager
def _zwnj_timed(spent_ms: Counter):
    """Adds the time spent in ZWNJ restoration to spent_ms["zwnj"]. The core times whole stages
    only; restoration runs inside normalize, so the bench wraps it for its rounds, at the cost
    of two clock reads per field."""
    restore = normalize_module.restore_zwnj

    def timed(text: str) -> str:
        started = time.perf_counter()
        try:
            return restore(text)
        finally:
            spent_ms["zwnj"] += (time.perf_counter() - started) * 1000

    with mock.patch.object(normalize_module, "restore_zwnj", timed):
        yield


def _rate(seconds: float, corpus: dict) -> dict:
    return {"seconds": round(seconds, 3),
            "articles_per_s": round(corpus["articles"] / seconds, 1) if seconds else None,
            "mb_per_s": round(corpus["megabytes"] / seconds, 3) if seconds else None}


def run_offline(articles: list[dict], rounds: int = 3, progress=print) -> dict:
    """Enrichment against hazm's Normalizer alone, in one process on one core, best of `rounds`."""
    normalizer = Normalizer()
    corpus = corpus_summary("", articles)

    def hazm_alone():
        for article in articles:
            normalizer.normalize(article["title"])
            normalizer.normalize(article["body"])

    rejected: dict[str, str] = {}

    def enrich_all(spent_ms: Counter):
        with _zwnj_timed(spent_ms):
            for article in articles:
                try:
                    spent_ms.update(stages.enrich(article)["pipeline"]["timing_ms"])
                except Rejected as exc:  # timed all the same: a rejection costs what it costs
                    rejected[article["id"]] = f"{exc.reason}: {exc.error}"

    warm_up()  # models and lexicons load outside the timed rounds
    hazm_seconds, enrich_seconds, best_stages, cpu_share = float("inf"), float("inf"), Counter(), []
    for round_number in range(1, rounds + 1):
        hazm_seconds = min(hazm_seconds, _seconds(hazm_alone))
        spent_ms: Counter = Counter()
        cpu_started = time.process_time()
        seconds = _seconds(lambda: enrich_all(spent_ms))
        cpu_share.append((time.process_time() - cpu_started) / seconds)
        if seconds < enrich_seconds:
            enrich_seconds, best_stages = seconds, spent_ms
        progress(f"offline round {round_number}/{rounds}: hazm {hazm_seconds:.2f} s, enrich {enrich_seconds:.2f} s (best so far)")
    stage_seconds = {stage: best_stages[stage] / 1000 for stage in STAGES}
    stage_seconds["normalize"] -= stage_seconds["zwnj"]  # the core's normalize timing includes it
    stage_seconds["checks"] = max(enrich_seconds - sum(stage_seconds.values()), 0.0)
    return {
        "rounds": rounds,
        "hazm_normalizer": _rate(hazm_seconds, corpus),
        "enrich": _rate(enrich_seconds, corpus),
        "ratio": round(enrich_seconds / hazm_seconds, 3),
        "stages": {stage: _rate(seconds, corpus) for stage, seconds in stage_seconds.items()},
        # under 1.0 when other processes took the core from us during the rounds
        "cpu_per_wall": round(statistics.median(cpu_share), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rejected": rejected,
    }


def machine(kafka: str | None = None) -> dict:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    return {
        "cores": os.cpu_count(), "cpu": cpu, "system": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in ("hazm", "faust-streaming", "aiokafka", "orjson")},
        "kafka": kafka, "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def new_report(corpus: dict, kafka: str | None) -> dict:
    return {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine(kafka),
            "corpus": corpus}


TARGETS = (
    # (name, report path, comparison, target)
    ("enrich / hazm Normalizer alone", ("offline", "ratio"), "<=", 2.0),
    ("end to end 1 worker / offline throughput", ("end_to_end", "one_worker_vs_offline"), ">=", 0.8),
    ("p99 publish-to-enriched latency at half load (ms)", ("end_to_end", "latency_ms", "p99", "median"), "<=", 100),
    ("worker peak RSS (MB)", ("end_to_end", "worker_peak_rss_mb"), "<=", 400),
    ("2 workers / 1 worker throughput", ("end_to_end", "two_workers_vs_one"), ">=", 1.7),
)


def _lookup(report: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(report, dict) or key not in report:
            return None
        report = report[key]
    return report


def check_targets(report: dict) -> list[dict]:
    checked = []
    for name, path, comparison, target in TARGETS:
        measured = _lookup(report, path)
        if measured is None:
            continue
        met = measured <= target if comparison == "<=" else measured >= target
        checked.append({"target": name, "wanted": f"{comparison} {target}", "measured": measured, "met": met})
    return checked


def _row(*cells) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def render(report: dict) -> str:
    """The report as Markdown tables, as the README shows them."""
    corpus, offline = report["corpus"], report.get("offline")
    lines = [f"Corpus: {corpus['name']}, {corpus['articles']} articles, {corpus['megabytes']} MB of UTF-8 text", ""]
    if offline:
        lines += [_row("Offline, one process (one core)", "seconds", "articles/s", "MB/s"), _row("---", "---:", "---:", "---:")]
        for label, figures in [("hazm Normalizer().normalize alone", offline["hazm_normalizer"]),
                               ("whole enrichment", offline["enrich"]),
                               *((f"· {STAGE_LABELS[stage]}", figures) for stage, figures in offline["stages"].items())]:
            lines.append(_row(label, figures["seconds"], figures["articles_per_s"], figures["mb_per_s"]))
        lines += ["", f"Ratio enrich / hazm alone: {offline['ratio']} (best of {offline['rounds']} alternating rounds); "
                      f"peak RSS {offline['peak_rss_mb']} MB; CPU/wall during the rounds {offline['cpu_per_wall']}", ""]
    e2e = report.get("end_to_end")
    if e2e:
        rows = [("1 worker, articles/s", e2e["one_worker_articles_per_s"]),
                ("2 workers, articles/s", e2e["two_workers_articles_per_s"])]
        rows += [(f"latency {p} at {e2e['paced_rate_per_s']} articles/s, ms", (e2e["latency_ms"] or {}).get(p))
                 for p in ("p50", "p95", "p99")]
        rows.append(("· p99 until a consumer has read it, ms", e2e["consumed_p99_ms"]))
        lines += [_row("End to end (publish → raw → normalized → enriched)", "median", "min", "max", "runs"),
                  _row("---", "---:", "---:", "---:", "---:")]
        lines += [_row(label, figures["median"], figures["min"], figures["max"], len(figures["runs"]))
                  for label, figures in rows if figures]
        lines += ["", f"1 worker / offline: {e2e['one_worker_vs_offline']}; 2 workers / 1: {e2e['two_workers_vs_one']}; "
                      f"worker peak RSS {e2e['worker_peak_rss_mb']} MB; {e2e['setup']}", ""]
        for workers in ("one_worker", "two_workers"):
            if e2e.get(f"cpu_seconds_{workers}"):
                lines.append(f"CPU-seconds during a {workers.replace('_', ' ')} run (median): " +
                             ", ".join(f"{who} {seconds}" for who, seconds in e2e[f"cpu_seconds_{workers}"].items()))
        lines += [f"FAILED run: {failure}" for failure in e2e["failed_runs"]] + [""]
    if report.get("targets"):
        lines += [_row("Target", "wanted", "measured", "met"), _row("---", "---", "---:", "---")]
        lines += [_row(t["target"], t["wanted"], t["measured"], "yes" if t["met"] else "**no**") for t in report["targets"]]
    machine_ = report["machine"]
    lines += ["", f"Machine: {machine_['cores']} cores, {machine_['cpu']}, Python {machine_['python']}, "
                  f"Kafka {machine_['kafka'] or '-'}, load average at start {machine_['load_average_at_start']}"]
    return "\n".join(lines)


def write_report(report: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    return path


GENERATED_ARTICLES = 1500  # as many as the Fars set


def load_corpus(folder: Path | None, limit: int | None) -> tuple[str, list[dict]]:
    """Fars News articles from `folder` when it holds them, else the generated corpus."""
    articles = fars_articles(folder) if folder and folder.is_dir() else []
    if articles:
        return "fars-news", articles[:limit]
    from .bench_corpus import generated_articles

    return "generated", generated_articles(limit or GENERATED_ARTICLES)


def run(folder: Path | None, *, rounds: int, limit: int | None, repeats: int, end_to_end: bool,
        config, progress=print) -> dict:
    """The whole benchmark: offline rounds, then (unless told not to) the end-to-end runs."""
    name, articles = load_corpus(folder, limit)
    report = new_report(corpus_summary(name, articles), None)
    progress(f"corpus: {name}, {len(articles)} articles")
    report["offline"] = run_offline(articles, rounds, progress)
    if end_to_end:
        from .bench_e2e import run_end_to_end

        report["end_to_end"] = run_end_to_end(config, articles, report["offline"]["enrich"]["articles_per_s"],
                                              repeats, progress)
        report["machine"]["kafka"] = report["end_to_end"]["kafka"]
    report["targets"] = check_targets(report)
    return report
