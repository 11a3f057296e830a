"""The worker's /metrics exposition: names, types and bounded labels, the values the agents record, the
consumer-lag gauges, and that the dashboard and the alerts read only metrics that exist."""
import asyncio
import json
import logging
import re
import time
from collections import defaultdict

import pytest
from faust.types import TP
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from streams import app as worker  # registers Faust's sensor on the same registry, as the worker does
from streams import contracts, metrics
from streams.config import REPO_ROOT

from .test_agents import ARTICLE, put_all

# name -> (type, label names of its samples, le aside); the contract the dashboard and alerts rely on
EXPECTED = {
    "khabar_build_info": ("gauge", {"version"}),
    "khabar_articles_in": ("counter", {"stage"}),
    "khabar_articles_out": ("counter", {"stage"}),
    "khabar_articles_failed": ("counter", {"stage"}),
    "khabar_dead_letters": ("counter", {"stage", "reason"}),
    "khabar_duplicates": ("counter", {"reason"}),
    "khabar_events_in_flight": ("gauge", {"stage"}),
    "khabar_stage_seconds": ("histogram", {"stage"}),
    "khabar_end_to_end_latency_seconds": ("histogram", set()),
    "khabar_entities_per_article": ("histogram", {"type"}),
    "khabar_quotes_per_article": ("histogram", set()),
    "khabar_articles_without_entities": ("counter", set()),
    "khabar_consumer_lag_messages": ("gauge", {"topic", "partition"}),
    "khabar_send_errors": ("counter", {"topic"}),
}
BOUNDED = {"stage": set(metrics.STAGES), "reason": {*metrics.DEAD_LETTER_REASONS, *metrics.DUPLICATE_REASONS},
           "type": set(metrics.ENTITY_TYPES)}


class FakeConsumer:
    """What record_consumer_lag asks of Faust's consumer."""

    def __init__(self, ends: dict, committed: dict, earliest: dict, fail: bool = False):
        self.ends, self.earliest, self.fail = ends, earliest, fail
        self._committed_offset = defaultdict(lambda: None, committed)

    def assignment(self):
        return set(self.ends)

    async def highwaters(self, *tps):
        if self.fail:
            raise ConnectionError("broker gone")
        return {tp: self.ends[tp] for tp in tps}

    async def earliest_offsets(self, *tps):
        return {tp: self.earliest[tp] for tp in tps}


def exposition() -> dict:
    return {family.name: family for family in text_string_to_metric_families(generate_latest(REGISTRY).decode())}


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def lag(topic: str, partition: int):
    return REGISTRY.get_sample_value("khabar_consumer_lag_messages", {"topic": topic, "partition": str(partition)})


def test_exposition_has_the_khabar_metrics_with_their_types_and_bounded_labels(sent):
    extract_outputs = [sent["enriched_topic"], sent["dead_letter_topic"]]
    put_all(worker.normalize_agent, contracts.encode(ARTICLE), b"{broken",
            outputs=[sent["normalized_topic"], sent["dead_letter_topic"]])
    normalized = [contracts.encode(call.kwargs["value"]) for call in sent["normalized_topic"].call_args_list]
    put_all(worker.extract_agent, *normalized, outputs=extract_outputs)
    asyncio.run(metrics.record_consumer_lag(FakeConsumer({TP("raw", 0): 3}, {}, {TP("raw", 0): 0}), {"raw"}))

    families = exposition()
    ours = {name: family for name, family in families.items() if name.startswith("khabar_")}
    assert set(ours) == set(EXPECTED)
    for name, family in ours.items():
        kind, labels = EXPECTED[name]
        assert family.type == kind, name
        assert family.samples, f"{name} exports no sample"
        for s in family.samples:
            assert set(s.labels) - {"le"} == labels, (name, s.labels)
            for label, allowed in BOUNDED.items():
                assert s.labels.get(label, next(iter(allowed))) in allowed, (name, s.labels)
            assert ARTICLE["id"] not in s.labels.values()
        if kind == "counter":
            assert {s.name for s in family.samples} == {f"{name}_total"}
        assert not re.search(r"_(ms|milliseconds|minutes)(_|$)", name), "base units: seconds"
    assert families["khabar_build_info"].samples[0].labels == {"version": metrics.__version__}
    assert any(name.startswith("faust_") for name in families), "Faust's own sensor shares /metrics"
    assert not any(s.name.endswith("_created") for family in families.values() for s in family.samples)


def test_agents_count_in_out_failed_dead_letters_and_stage_time(sent):
    before = {name: sample(f"khabar_articles_{name}_total", stage="normalize") for name in ("in", "out", "failed")}
    timed = sample("khabar_stage_seconds_count", stage="normalize")
    invalid = sample("khabar_dead_letters_total", stage="normalize", reason="invalid_schema")
    put_all(worker.normalize_agent, contracts.encode(ARTICLE), contracts.encode({"title": "no body"}),
            outputs=[sent["normalized_topic"], sent["dead_letter_topic"]])
    assert sample("khabar_articles_in_total", stage="normalize") - before["in"] == 2
    assert sample("khabar_articles_out_total", stage="normalize") - before["out"] == 1
    assert sample("khabar_articles_failed_total", stage="normalize") - before["failed"] == 1
    assert sample("khabar_dead_letters_total", stage="normalize", reason="invalid_schema") - invalid == 1
    assert sample("khabar_stage_seconds_count", stage="normalize") - timed == 2
    assert sample("khabar_events_in_flight", stage="normalize") == 0


def test_the_raw_timestamp_travels_in_a_header_to_the_end_to_end_latency(sent):
    published = time.time() - 1.5
    put_all(worker.normalize_agent, contracts.encode(ARTICLE), outputs=[sent["normalized_topic"]])
    [call] = sent["normalized_topic"].call_args_list
    header = call.kwargs["headers"][metrics.RAW_TIMESTAMP_HEADER]
    assert abs(int(header) / 1000 - time.time()) < 60  # Faust's test context stamps the event now

    count, total = sample("khabar_end_to_end_latency_seconds_count"), sample("khabar_end_to_end_latency_seconds_sum")
    metrics.observe_enriched({"entities": [], "quotes": []},
                             [(metrics.RAW_TIMESTAMP_HEADER, str(round(published * 1000)).encode())])
    assert sample("khabar_end_to_end_latency_seconds_count") - count == 1
    assert 1.4 < sample("khabar_end_to_end_latency_seconds_sum") - total < 5
    metrics.observe_enriched({"entities": [], "quotes": []}, None)  # no header: no latency to observe
    assert sample("khabar_end_to_end_latency_seconds_count") - count == 1


def test_entities_are_counted_per_type_with_zeros_and_articles_without_any():
    entity = lambda kind: {"text": "x", "type": kind, "mentions": [{"field": "body", "start": 0, "end": 1}]}  # noqa: E731
    per_type = {kind: sample("khabar_entities_per_article_sum", type=kind) for kind in metrics.ENTITY_TYPES}
    zero_loc = sample("khabar_entities_per_article_bucket", type="LOC", le="0.0")
    without = sample("khabar_articles_without_entities_total")
    metrics.observe_enriched({"entities": [entity("PER"), entity("PER"), entity("ORG")], "quotes": [{}]}, None)
    assert sample("khabar_entities_per_article_sum", type="PER") - per_type["PER"] == 2
    assert sample("khabar_entities_per_article_sum", type="ORG") - per_type["ORG"] == 1
    assert sample("khabar_entities_per_article_bucket", type="LOC", le="0.0") - zero_loc == 1  # a LOC-less article
    assert sample("khabar_articles_without_entities_total") == without
    metrics.observe_enriched({"entities": [], "quotes": []}, None)
    assert sample("khabar_articles_without_entities_total") - without == 1


def test_consumer_lag_is_end_minus_committed_and_forgets_revoked_partitions(caplog):
    p0, p1, changelog = TP("lag-topic", 0), TP("lag-topic", 1), TP("khabar-table-changelog", 0)
    # p0 committed at 4 of 10; p1 never committed, its log starting at 2 of 5; a changelog is not an input
    asyncio.run(metrics.record_consumer_lag(FakeConsumer({p0: 10, p1: 5, changelog: 7}, {p0: 4}, {p1: 2}),
                                            {"lag-topic"}))
    assert (lag("lag-topic", 0), lag("lag-topic", 1)) == (6, 3)
    assert lag("khabar-table-changelog", 0) is None
    asyncio.run(metrics.record_consumer_lag(FakeConsumer({p0: 12}, {p0: 12}, {}), {"lag-topic"}))  # p1 moved away
    assert (lag("lag-topic", 0), lag("lag-topic", 1)) == (0, None)
    with caplog.at_level(logging.WARNING, logger="khabar"):
        asyncio.run(metrics.record_consumer_lag(FakeConsumer({p0: 20}, {p0: 12}, {}, fail=True), {"lag-topic"}))
    assert lag("lag-topic", 0) == 0 and "broker gone" in caplog.text  # kept, and the worker goes on


@pytest.mark.parametrize("path", ["deploy/grafana/dashboards/khabar.json", "deploy/prometheus/alerts.yml"])
def test_dashboard_and_alerts_read_only_exported_metrics(path):
    text = (REPO_ROOT / path).read_text()
    if path.endswith(".json"):
        dashboard = json.loads(text)
        text = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", []))
    used = set(re.findall(r"\bkhabar_[a-z_]+", text))
    assert used
    exported = {s.name for family in exposition().values() for s in family.samples}
    assert used <= exported, used - exported
