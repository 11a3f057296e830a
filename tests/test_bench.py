"""The bench's machinery on a tiny generated corpus: the figures it reports are there and add up.
No timing assertions: the machines are shared and noisy."""
from __future__ import annotations

from dataclasses import fields

import orjson
from click.testing import CliRunner

from streams import bench, bench_e2e, contracts, dedup, stages
from streams.bench_corpus import generated_articles
from streams.cli import main
from streams.config import Settings
from streams.processes import isolated_env


def test_generated_corpus_is_valid_distinct_and_reproducible():
    articles = generated_articles(40)
    assert generated_articles(40) == articles
    for article in articles:
        contracts.validate(contracts.RAW, article)
    assert len({dedup.fingerprint(stages.NORMALIZE.process(a)) for a in articles}) == len(articles)


def test_generated_articles_give_every_stage_work():
    enriched = [stages.enrich(article) for article in generated_articles(20)]
    assert all(article["entities"] for article in enriched)
    assert sum(len(article["quotes"]) for article in enriched) >= 5
    assert any(quote["speaker"] for article in enriched for quote in article["quotes"])
    assert all(article["source_agency"] for article in enriched)
    # a scraper's glued word comes out with its ZWNJ restored
    assert any("\u200c" in article["body"] for article in enriched)


def test_offline_run_reports_each_stage_and_the_ratio():
    articles = generated_articles(8)
    report = bench.run_offline(articles, rounds=1, progress=lambda line: None)
    assert set(report["stages"]) == {"normalize", "zwnj", "entities", "quotes", "checks"}
    # the rate comes from the unrounded time: restoring 8 articles can take under half a millisecond
    assert report["stages"]["zwnj"]["articles_per_s"] > 0
    staged = sum(figures["seconds"] for figures in report["stages"].values())
    assert abs(staged - report["enrich"]["seconds"]) <= 0.01
    assert report["ratio"] > 0 and report["enrich"]["articles_per_s"] > 0
    assert report["peak_rss_mb"] > 0 and not report["rejected"]


def test_zwnj_timing_is_only_wrapped_during_the_rounds():
    restore = bench.normalize_module.restore_zwnj
    bench.run_offline(generated_articles(2), rounds=1, progress=lambda line: None)
    assert bench.normalize_module.restore_zwnj is restore


def test_corpus_falls_back_to_generated_articles(tmp_path):
    name, articles = bench.load_corpus(tmp_path / "absent", limit=5)
    assert name == "generated" and len(articles) == 5


def test_targets_are_checked_on_what_was_measured():
    report = {"offline": {"ratio": 2.5}, "end_to_end": {"one_worker_vs_offline": 0.9, "worker_peak_rss_mb": 300}}
    checked = {target["target"]: target["met"] for target in bench.check_targets(report)}
    assert checked == {"enrich / hazm Normalizer alone": False, "end to end 1 worker / offline throughput": True,
                       "worker peak RSS (MB)": True}


def test_distinct_articles_drop_repeats_and_rejects():
    first, second = generated_articles(2)
    repeated = {**first, "id": "another-id"}
    empty = {"id": "empty", "title": "", "body": ""}
    assert bench_e2e.distinct_articles([first, repeated, second, empty, first]) == [first, second]


def test_percentiles_and_spread():
    values = list(range(1, 101))
    assert bench_e2e.percentile(values, 0.5) == 50 or bench_e2e.percentile(values, 0.5) == 51
    assert bench_e2e.percentile(values, 0.99) == 99 and bench_e2e.percentile([7], 0.99) == 7
    assert bench_e2e.spread([3, 1, 2]) == {"median": 2, "min": 1, "max": 3, "runs": [3, 1, 2]}


def test_each_run_gets_topics_and_a_group_of_its_own():
    env = isolated_env("localhost:1", "bench-abc123", 6, KHABAR_DUPLICATES="skip")
    config = Settings.from_env(env)
    topics = {getattr(config, f.name) for f in fields(Settings) if f.name.startswith("topic_") and f.type == "str"}
    assert len(topics) == 6 and all(topic.startswith("bench-abc123.") for topic in topics)
    assert (config.app_id, config.bootstrap_servers, config.topic_partitions) == ("khabar-bench-abc123", "localhost:1", 6)
    assert config.duplicates == "skip"


def test_offline_bench_command_prints_the_table_and_writes_json(tmp_path):
    output = tmp_path / "bench.json"
    result = CliRunner().invoke(main, ["bench", str(tmp_path / "no-corpus"), "--offline-only", "--limit", "4",
                                       "--rounds", "1", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "whole enrichment" in result.stdout and "ZWNJ restoration" in result.stdout
    report = orjson.loads(output.read_bytes())
    assert report["corpus"] == {**report["corpus"], "name": "generated", "articles": 4}
    assert report["machine"]["cores"] >= 1 and "end_to_end" not in report
