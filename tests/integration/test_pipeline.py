"""The whole path on the real broker: publish → worker's agents → enriched, quotes and dead-letter topics."""
from __future__ import annotations

import base64
import subprocess
import urllib.request
from pathlib import Path

import orjson
import pytest

from streams import contracts, stages
from streams.config import REPO_ROOT
from streams.readers import read_articles

from streams.processes import KHABAR

from .conftest import collect, send_raw

pytestmark = pytest.mark.integration

SEED = REPO_ROOT.parent / "shared" / "eval" / "dev" / "seed-mehr-zakharova.json"


def publish(env: dict, path: Path) -> str:
    result = subprocess.run([KHABAR, "publish", str(path)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_scraped_article_comes_out_enriched_and_bad_events_are_dead_lettered(worker, tmp_path):
    if not SEED.exists():
        pytest.skip("../shared is absent: the seed article lives there")
    env, config, process = worker.env, worker.config, worker.process
    seed = orjson.loads(SEED.read_bytes())
    scraped = tmp_path / "seed.txt"
    scraped.write_text(f"{seed['raw_title']}\n{seed['raw_body']}", encoding="utf-8")
    [item] = read_articles([str(scraped)])
    article = contracts.with_article_id(item.article)
    expected = stages.enrich(article)

    # the broken events share the seed's key, hence its partition: the seed comes after them
    malformed, invalid = b'{"title": "unterminated', orjson.dumps({"title": "no body here"})
    not_utf8 = b'{"title": "\xff\xfe", "body": "x"}'
    huge = orjson.dumps({"title": "تیتر", "body": "خبر " * (config.max_body_chars // 4 + 1)})
    send_raw(config, article["id"].encode(), malformed, invalid, not_utf8, huge)
    assert "sent 1 article(s)" in publish(env, scraped)

    [enriched] = collect(config, config.topic_enriched, lambda events: len(events) >= 1)
    assert enriched["id"] == article["id"]
    assert (enriched["title"], enriched["body"]) == (expected["title"], expected["body"])
    assert any(entity["type"] == "PER" for entity in enriched["entities"])
    assert enriched["quotes"]
    contracts.validate(contracts.ENRICHED, enriched)

    quotes = collect(config, config.topic_quotes, lambda events: len(events) >= len(enriched["quotes"]))
    assert [(q["text"], q["speaker"]) for q in quotes] == [(q["text"], q["speaker"]) for q in enriched["quotes"]]
    assert {q["article_id"] for q in quotes} == {article["id"]}

    dead = collect(config, config.topic_dead_letter, lambda events: len(events) >= 4)
    assert [letter["reason"] for letter in dead] == ["undecodable", "invalid_schema", "undecodable", "too_large"]
    assert "not UTF-8" in dead[2]["error"] and "KHABAR_MAX_BODY_CHARS" in dead[3]["error"]
    assert base64.b64decode(dead[0]["value_base64"]) == malformed
    assert dead[1]["value"] == {"title": "no body here"} and "body" in dead[1]["error"]
    assert all(letter["origin"]["topic"] == config.topic_raw and letter["origin"]["offset"] is not None
               for letter in dead)
    assert process.poll() is None, "the worker must keep running after bad input"


def test_worker_keeps_going_and_exports_metrics(worker):
    env, config, process = worker.env, worker.config, worker.process
    published = publish(env, REPO_ROOT / "samples")
    sample_count = sum(1 for _ in read_articles([str(REPO_ROOT / "samples")]))
    assert f"sent {sample_count} article(s)" in published
    ids = {contracts.with_article_id(item.article)["id"] for item in read_articles([str(REPO_ROOT / "samples")])}
    enriched = collect(config, config.topic_enriched, lambda events: ids <= {e["id"] for e in events})
    assert ids <= {event["id"] for event in enriched}

    with urllib.request.urlopen(worker.metrics_url, timeout=10) as response:
        exported = response.read().decode()
    assert 'khabar_articles_out_total{stage="extract"}' in exported
    assert "khabar_stage_seconds_bucket" in exported
    assert process.poll() is None


def test_consume_prints_pretty_summaries_and_json_lines(worker):
    env, config = worker.env, worker.config
    publish(env, REPO_ROOT / "samples" / "articles.jsonl")
    collect(config, config.topic_enriched, lambda events: len(events) >= 1)

    def consume(*options):
        result = subprocess.run([KHABAR, "consume", config.topic_enriched, "--from-beginning", *options],
                                env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    [line] = consume("--limit", "1", "--format", "jsonl").splitlines()
    contracts.validate(contracts.ENRICHED, orjson.loads(line))
    pretty = consume("--idle-timeout", "3")
    assert "entities (" in pretty and "quotes (" in pretty and "■ " in pretty


def test_publish_reports_what_it_sent_and_what_it_rejected_and_why(worker, tmp_path):
    env = worker.env
    (tmp_path / "batch.jsonl").write_text(
        '{"title": "خبر", "body": "متن خبر"}\n{"title": "بدون متن"}\nnot json\n', encoding="utf-8")
    result = subprocess.run([KHABAR, "publish", str(tmp_path)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "sent 1 article(s)" in result.stdout and "rejected 2" in result.stdout
    assert "batch.jsonl:2: raw-article schema" in result.stdout
    assert "batch.jsonl:3: malformed JSON" in result.stdout
