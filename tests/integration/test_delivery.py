"""Delivery on the real broker: a killed worker, a rebalance, a clean stop, republished articles.

Every test counts what came out by message key (the article id), without decoding the large enriched
events, and prints its figures (the README's "Guarantees" section quotes them).
"""
from __future__ import annotations

import asyncio
import re
import time
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams import kafka_io
from streams.bench import fars_articles
from streams.config import REPO_ROOT, Settings
from streams.readers import Item

from .conftest import WorkerProcess, metric_lines, pipeline_env

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FARS = REPO_ROOT.parent / "shared" / "data" / "fars-news"
READY_S = 90
# the machine running the tests may be busy: waits end when output stops growing, not at a fixed time
IDLE_S = 30
# invented sentences for when ../shared is absent; the number in each makes every article's text its own
SENTENCES = ["شورای شهر در نشست امروز خود بودجه حمل و نقل عمومی را بررسی کرد.",
             "مدیر کل راهداری استان گفت: «برف‌روبی محورهای کوهستانی از بامداد آغاز شده است.»",
             "به گزارش خبرگزاری نمونه، نمایشگاه کتاب کودک هفته آینده در مرکز استان گشایش می‌یابد.",
             "کارشناسان هواشناسی از کاهش دمای هوا در مناطق شمالی کشور خبر دادند.",
             "وزیر آموزش و پرورش اعلام کرد که ثبت‌نام مدارس از نیمه تیرماه آغاز می‌شود."]


def corpus(count: int, tag: str) -> list[dict]:
    """`count` raw articles with distinct ids and texts: Fars articles (cycled) when ../shared is present."""
    if FARS.exists():
        fars = fars_articles(FARS)
        return [{"id": f"{tag}-{i}", "title": f"{fars[i % len(fars)]['title']} - {i}",
                 "body": fars[i % len(fars)]["body"]} for i in range(count)]
    return [{"id": f"{tag}-{i}", "title": f"گزارش شماره {i} از شهر",
             "body": " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3 + i % 5)) + f" کد {i}."}
            for i in range(count)]


def publish(config: Settings, articles: list[dict]) -> None:
    report = asyncio.run(kafka_io.publish([Item(a["id"], a) for a in articles], config.topic_raw, config))
    assert report.sent == len(articles), report.summary(config.topic_raw)


async def _stop(consumer: AIOKafkaConsumer) -> None:
    # aiokafka's group-less consumer starts a task it awaits on stop; cancelled before its first step,
    # that task raises CancelledError out of stop(): let it start first
    await asyncio.sleep(0)
    await consumer.stop()


def _partitions(config: Settings, topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in range(config.topic_partitions)]  # as ensure_topics made them


def topic_size(config: Settings, topic: str) -> int:
    """Messages in a topic: the sum of its partitions' end offsets."""
    async def run():
        consumer = AIOKafkaConsumer(bootstrap_servers=config.bootstrap_servers)
        await consumer.start()
        try:
            return sum((await consumer.end_offsets(_partitions(config, topic))).values())
        finally:
            await _stop(consumer)
    return asyncio.run(run())


def settled_size(config: Settings, topic: str, quiet_s: float = 1.0) -> int:
    """A topic's size once it stops growing: a killed worker's last sends may still be on their way in."""
    size = topic_size(config, topic)
    while True:
        time.sleep(quiet_s)
        if (later := topic_size(config, topic)) == size:
            return size
        size = later


def committed(config: Settings, topic: str) -> int:
    """Sum of the worker group's committed offsets (the next each partition will read) on a topic."""
    async def run():
        admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(config.app_id)
        finally:
            await admin.close()
        return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)
    return asyncio.run(run())


def keys(config: Settings, topics: list[str], enough, idle_s: float = IDLE_S) -> dict[str, Counter]:
    """Message keys of each topic from the start, read until enough(counts) holds or none came for idle_s."""
    async def run():
        counts = {topic: Counter() for topic in topics}
        consumer = AIOKafkaConsumer(bootstrap_servers=config.bootstrap_servers, enable_auto_commit=False,
                                    auto_offset_reset="earliest", max_partition_fetch_bytes=16 * 1024 * 1024)
        await consumer.start()
        try:
            consumer.assign([tp for topic in topics for tp in _partitions(config, topic)])
            last_record = time.monotonic()
            while not enough(counts) and time.monotonic() - last_record < idle_s:
                for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                    counts[tp.topic].update(record.key.decode() for record in records)
                    last_record = time.monotonic()
        finally:
            await _stop(consumer)
        return counts
    return asyncio.run(run())


def accounted_for(config: Settings, ids: set[str]) -> dict[str, Counter]:
    """Keys of the enriched and dead-letter topics, once every id is in one of them (or output stalls)."""
    outputs = [config.topic_enriched, config.topic_dead_letter]
    return keys(config, outputs, lambda counts: ids <= set(counts[outputs[0]]) | set(counts[outputs[1]]))


def wait_ready(worker: WorkerProcess, starts: int = 1) -> None:
    """Until the worker's log says it is ready for the `starts`-th time (a restart appends to the log)."""
    started = time.monotonic()
    while worker.log.read_text(errors="replace").count("[^Worker]: Ready") < starts:
        assert worker.running(), worker.log.read_text(errors="replace")[-3000:]
        assert time.monotonic() - started < READY_S, "worker not ready in time"
        time.sleep(0.5)


def extracted(worker: WorkerProcess) -> float:
    [line] = metric_lines(worker, 'khabar_articles_out_total{stage="extract"}')
    return float(line.split()[-1])


def assigned(worker: WorkerProcess, topic: str) -> set[int]:
    """Partitions of `topic` the worker holds, from its consumer-lag gauge (one series per assigned partition)."""
    pattern = re.compile(r'partition="(\d+)",topic="' + re.escape(topic) + '"')
    return {int(match.group(1)) for line in metric_lines(worker, "khabar_consumer_lag_messages")
            if (match := pattern.search(line))}


def wait_until(condition, what: str, deadline_s: float = 120) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < deadline_s, f"{what}: not within {deadline_s} s"
        time.sleep(0.2)


def kill(worker: WorkerProcess) -> None:
    worker.process.kill()
    worker.process.wait(timeout=30)


def test_a_killed_worker_loses_nothing_and_duplicates_stay_within_the_uncommitted_window(kafka_bootstrap, tmp_path):
    articles = corpus(5000, "crash")
    ids = {a["id"] for a in articles}
    env = pipeline_env(kafka_bootstrap, partitions=4)
    first = WorkerProcess.start(env, tmp_path / "first")
    config = first.config
    restarted = None
    try:
        wait_ready(first)
        publish(config, articles)
        wait_until(lambda: topic_size(config, config.topic_enriched) >= len(articles) // 3, "a third enriched")
        kill(first)  # SIGKILL: no flush, no commit
        at_kill = {name: settled_size(config, topic) for name, topic in (
            ("enriched", config.topic_enriched), ("dead-lettered", config.topic_dead_letter),
            ("duplicate notices", config.topic_duplicates), ("normalized", config.topic_normalized))}
        at_kill["normalized committed"] = committed(config, config.topic_normalized)
        at_kill["raw committed"] = committed(config, config.topic_raw)

        restarted = WorkerProcess.start(env, tmp_path / "restarted")
        counts = accounted_for(config, ids)
        enriched, dead = counts[config.topic_enriched], counts[config.topic_dead_letter]
        assert ids <= set(enriched) | set(dead), f"lost: {sorted(ids - set(enriched) - set(dead))[:10]}"
        duplicates = sum(enriched.values()) - len(enriched)
        # normalized events handled before the kill (enriched, dead-lettered or found duplicate) but not
        # committed are read again; raw events read again come back as same-id duplicates, not enriched
        uncommitted = (at_kill["enriched"] + at_kill["dead-lettered"] + at_kill["duplicate notices"]
                       - at_kill["normalized committed"])
        print(f"\ncrash: {len(articles)} articles, SIGKILL at {at_kill}; after the restart {len(enriched)} enriched, "
              f"{len(dead)} dead-lettered, {duplicates} duplicate enriched events "
              f"(handled but uncommitted at the kill: {uncommitted})")
        assert duplicates <= uncommitted
        assert restarted.running()
    finally:
        first.stop()
        if restarted:
            restarted.stop()


def test_the_surviving_worker_takes_over_every_partition_and_nothing_is_lost(kafka_bootstrap, tmp_path):
    articles = corpus(1500, "rebalance")
    ids = {a["id"] for a in articles}
    env = pipeline_env(kafka_bootstrap, partitions=6, KHABAR_SESSION_TIMEOUT_S="6")
    workers = [WorkerProcess.start(env, tmp_path / name) for name in ("a", "b")]
    survivor, victim = workers
    config = survivor.config
    try:
        for worker in workers:
            wait_ready(worker)
        publish(config, articles[:300])
        accounted_for(config, {a["id"] for a in articles[:300]})
        assert extracted(survivor) > 0 and extracted(victim) > 0, "the load did not spread over both workers"
        wait_until(lambda: assigned(survivor, config.topic_raw), "the survivor's partitions in its metrics", 20)
        held = assigned(survivor, config.topic_raw)
        assert len(held) < 6

        publish(config, articles[300:])
        killed_at = time.monotonic()
        kill(victim)
        wait_until(lambda: assigned(survivor, config.topic_raw) == set(range(6)), "the survivor's takeover", 60)
        takeover_s = time.monotonic() - killed_at

        counts = accounted_for(config, ids)
        outputs = set(counts[config.topic_enriched]) | set(counts[config.topic_dead_letter])
        print(f"\nrebalance: {len(articles)} articles over 6 partitions, survivor held {sorted(held)} before, "
              f"all 6 {takeover_s:.1f} s after the kill (session timeout 6 s); "
              f"{sum(counts[config.topic_enriched].values()) - len(counts[config.topic_enriched])} duplicates")
        assert ids <= outputs, f"lost: {sorted(ids - outputs)[:10]}"
    finally:
        for worker in workers:
            worker.stop()


def test_sigterm_commits_what_was_done_and_the_table_of_texts_outlives_the_worker(kafka_bootstrap, tmp_path):
    articles = corpus(400, "stop")
    env = pipeline_env(kafka_bootstrap, partitions=2)
    first = WorkerProcess.start(env, tmp_path / "first")
    config = first.config
    second = None
    try:
        wait_ready(first)
        publish(config, articles[:300])
        wait_until(lambda: topic_size(config, config.topic_enriched) >= 100, "100 enriched")
        first.process.terminate()  # SIGTERM mid-stream
        first.process.wait(timeout=60)
        stopped = {topic: (committed(config, topic), topic_size(config, topic)) for topic in (
            config.topic_raw, config.topic_normalized, config.topic_enriched, config.topic_dead_letter)}
        print(f"\nSIGTERM: (committed, written) per topic at the stop: {stopped}")
        # every normalized event enriched before the stop was committed, and none that was not
        assert stopped[config.topic_dead_letter][1] == 0
        assert stopped[config.topic_normalized][0] == stopped[config.topic_enriched][1]
        done = keys(config, [config.topic_enriched],
                    lambda c: sum(c[config.topic_enriched].values()) >= stopped[config.topic_enriched][1])

        second = WorkerProcess.start(env, tmp_path / "second")
        wait_ready(second)
        # the same id again, and the same text under a new id, of an article enriched before the stop
        again = next(a for a in articles if a["id"] in done[config.topic_enriched])
        copy = {**again, "id": "stop-copy"}
        publish(config, [*articles[300:], again, copy])
        ids = {a["id"] for a in articles}
        counts = keys(config, [config.topic_enriched, config.topic_dead_letter, config.topic_duplicates],
                      lambda c: ids <= set(c[config.topic_enriched]) | set(c[config.topic_dead_letter])
                      and len(c[config.topic_duplicates]) >= 2)
        enriched = counts[config.topic_enriched]
        print(f"after restart: {len(enriched)} enriched, {sum(enriched.values()) - len(enriched)} duplicates, "
              f"notices {dict(counts[config.topic_duplicates])}")
        repeated = {key: count for key, count in enriched.items() if count > 1}
        assert not repeated, f"a clean stop must not lead to reprocessing: {repeated}"
        assert "stop-copy" not in enriched
        assert counts[config.topic_duplicates] == Counter({again["id"]: 1, "stop-copy": 1})
        assert ids <= set(enriched), f"lost on restart: {ids - set(enriched)}"
    finally:
        first.stop()
        if second:
            second.stop()
