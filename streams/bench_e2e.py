"""End to end through the real broker: publish → raw → normalized → enriched, with `khabar worker`s.

Every measurement runs on topics and a consumer group of its own (named by a fresh uuid) with
freshly started worker processes, which are stopped and whose topics are deleted afterwards.
The workers first enrich a few warm-up articles on every partition, so the figures leave out
start-up. Then the bench publishes the corpus and reads the enriched topic back:

- throughput: the whole corpus sent at once; articles / (last enriched record's timestamp −
  first raw record's timestamp);
- latency: the corpus sent at a paced rate; for each article, the enriched record's Kafka
  timestamp minus its raw record's. Both are CreateTime stamps on this machine's clock: the
  bench stamps the raw record as it sends it, the worker's producer stamps the enriched record
  as the extract agent sends it. So latency covers the raw topic, the normalize agent, the
  normalized topic and the extract agent; the time for a downstream consumer to fetch the
  enriched record is reported beside it (`consumed_p99_ms`).
"""
from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import statistics
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from . import contracts, dedup, kafka_local, stages
from .bench_corpus import generated_article
from .config import Settings
from .contracts import Rejected
from .kafka_io import ensure_topics
from .processes import WorkerProcess, broker, isolated_env

PARTITIONS = 6
PRODUCER_LINGER_MS = 5  # lets a burst go out in batches; paced sends go one by one all the same
RUN_DEADLINE_S = 120  # after the last send; a healthy run ends long before
READY_DEADLINE_S = 180
WARM_UP_PAUSE_S = 1  # a second worker may still be loading its models
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_ARTICLES_IN = re.compile(r'^khabar_articles_in_total\{stage="normalize"\} ([0-9.e+]+)$', re.MULTILINE)


class Worker(WorkerProcess):
    def articles_taken(self) -> float:
        try:
            with urllib.request.urlopen(self.metrics_url, timeout=2) as response:
                found = _ARTICLES_IN.search(response.read().decode())
        except OSError:
            return 0
        return float(found.group(1)) if found else 0

    def check_alive(self) -> None:
        if not self.running():
            raise RuntimeError(f"a worker exited with {self.process.returncode}; its log ends:\n" + self.log_tail(3000))


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of one process so far (0 when it is not ours to see)."""
    if pid is None:
        return 0.0
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(after_name[11]) + int(after_name[12])) / CLOCK_TICKS


def _machine_busy_seconds() -> float:
    """CPU time all processes of the machine have spent, summed over cores."""
    user, nice, system, idle, iowait, *rest = map(int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:])
    return (user + nice + system + sum(rest[:3])) / CLOCK_TICKS


@dataclass
class Measurement:
    articles_per_s: float
    latencies_ms: list[float]
    consumed_latencies_ms: list[float]
    worker_peak_rss_mb: float
    cpu_seconds: dict


class _Run:
    """One measurement's clients: a producer on the raw topic, a consumer on the enriched one."""

    def __init__(self, config: Settings):
        self.config = config
        self.sent_ms: dict[bytes, float] = {}
        self.enriched: dict[bytes, tuple[float, float]] = {}  # key → (record timestamp, received), ms
        self.producer = AIOKafkaProducer(bootstrap_servers=config.bootstrap_servers, linger_ms=PRODUCER_LINGER_MS,
                                         max_request_size=config.max_message_bytes)
        self.consumer = AIOKafkaConsumer(config.topic_enriched, bootstrap_servers=config.bootstrap_servers,
                                         group_id=None, auto_offset_reset="earliest", enable_auto_commit=False)

    async def __aenter__(self):
        await self.producer.start()
        await self.consumer.start()
        self.reading = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc):
        self.reading.cancel()
        await self.consumer.stop()
        await self.producer.stop()

    async def _read(self):
        async for record in self.consumer:
            self.enriched[record.key] = (record.timestamp, time.time() * 1000)

    async def send(self, article: dict, partition: int | None = None) -> None:
        key, now_ms = article["id"].encode(), time.time() * 1000
        self.sent_ms[key] = now_ms
        await self.producer.send(self.config.topic_raw, contracts.encode(article), key=key,
                                 partition=partition, timestamp_ms=int(now_ms))

    async def wait_for(self, keys: list[bytes], deadline_s: float, workers: list[Worker]) -> None:
        started = time.monotonic()
        while not all(key in self.enriched for key in keys):
            if time.monotonic() - started > deadline_s:
                missing = sum(key not in self.enriched for key in keys)
                raise RuntimeError(f"{missing} of {len(keys)} articles not enriched within {deadline_s} s")
            for worker in workers:
                worker.check_alive()
            await asyncio.sleep(0.05)


async def _measure(config: Settings, articles: list[dict], workers: list[Worker], rate_per_s: float | None,
                   broker_pid: int | None, run: str) -> Measurement:
    async with _Run(config) as clients:
        # warm-up rounds until every worker has taken articles: the group is settled, models are loaded
        rng, number, started = random.Random(run), 0, time.monotonic()
        while not all(worker.articles_taken() >= 1 for worker in workers):
            if time.monotonic() - started > READY_DEADLINE_S:
                raise RuntimeError(f"the workers were not all taking articles within {READY_DEADLINE_S} s")
            batch = []
            for partition in range(PARTITIONS):
                number += 1
                batch.append({**generated_article(number, rng), "id": f"warm-up-{number}"})
                await clients.send(batch[-1], partition)
            await clients.wait_for([a["id"].encode() for a in batch], READY_DEADLINE_S, workers)
            await asyncio.sleep(WARM_UP_PAUSE_S)

        pids = {"workers": [w.process.pid for w in workers], "broker": [broker_pid], "bench": [os.getpid()]}
        cpu_before = {who: sum(map(_cpu_seconds, ids)) for who, ids in pids.items()}
        busy_before = _machine_busy_seconds()
        keys = [article["id"].encode() for article in articles]
        first_sent = time.monotonic()
        for index, article in enumerate(articles):
            if rate_per_s:
                await asyncio.sleep(max(0.0, first_sent + index / rate_per_s - time.monotonic()))
            await clients.send(article)
        await clients.wait_for(keys, RUN_DEADLINE_S, workers)
        cpu = {who: round(sum(map(_cpu_seconds, ids)) - cpu_before[who], 2) for who, ids in pids.items()}
        # clock-tick rounding makes this a little negative on an otherwise idle machine
        cpu["other processes"] = round(max(0.0, _machine_busy_seconds() - busy_before - sum(cpu.values())), 2)

        stamped = [clients.enriched[key][0] for key in keys]
        elapsed_s = (max(stamped) - min(clients.sent_ms[key] for key in keys)) / 1000
        return Measurement(
            articles_per_s=round(len(keys) / elapsed_s, 1),
            latencies_ms=[clients.enriched[key][0] - int(clients.sent_ms[key]) for key in keys],
            consumed_latencies_ms=[clients.enriched[key][1] - clients.sent_ms[key] for key in keys],
            worker_peak_rss_mb=round(max(worker.peak_rss_mb() for worker in workers), 1),
            cpu_seconds=cpu)


async def _delete_topics(config: Settings, run: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers)
    try:
        await admin.start()
        ours = [topic for topic in await admin.list_topics() if run in topic]  # also Faust's changelog and assignor topics
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()


def measure(bootstrap: str, articles: list[dict], workers: int, rate_per_s: float | None = None,
            state_dir: Path = Path(".state"), broker_pid: int | None = None) -> Measurement:
    """One measurement on fresh topics with `workers` fresh worker processes."""
    run = uuid.uuid4().hex[:8]
    run_dir = state_dir / "bench" / run
    run_dir.mkdir(parents=True, exist_ok=True)
    env = isolated_env(bootstrap, f"bench-{run}", PARTITIONS)
    config = Settings.from_env(env)
    asyncio.run(ensure_topics(config))
    started = [Worker.start(env, run_dir / f"worker-{number}") for number in range(workers)]
    try:
        measured = asyncio.run(_measure(config, articles, started, rate_per_s, broker_pid, run))
    except RuntimeError as exc:
        raise RuntimeError(f"{exc} (worker logs in {run_dir})") from exc
    finally:
        for worker in started:
            worker.stop()
        asyncio.run(_delete_topics(config, run))
    shutil.rmtree(run_dir, ignore_errors=True)  # kept when the run failed: the logs say why
    return measured


def distinct_articles(articles: list[dict]) -> list[dict]:
    """The articles the pipeline enriches once each: the worker skips a repeated text (same id or
    not) and dead-letters what it rejects, so the bench would wait for those forever."""
    kept, seen = [], set()
    for article in articles:
        try:
            digest = dedup.fingerprint(stages.NORMALIZE.process(article))
        except Rejected:
            continue
        if digest not in seen and article["id"] not in seen:
            seen.update((digest, article["id"]))
            kept.append(article)
    return kept


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def spread(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1),
            "max": round(max(values), 1), "runs": [round(value, 1) for value in values]}


def run_end_to_end(config: Settings, articles: list[dict], offline_articles_per_s: float | None,
                   repeats: int = 3, progress=print) -> dict:
    """Throughput with one worker, latency at half of it, throughput with two: each `repeats` times.
    A run that fails (a worker dies, articles stop coming) is reported as such and left out."""
    articles = distinct_articles(articles)
    failures: list[str] = []
    with broker(config, progress) as (bootstrap, kafka_version):
        broker_pid = None if config.broker else kafka_local.status(config.state_dir)["pid"]

        def runs(workers: int, rate: float | None = None) -> list[Measurement]:
            done = []
            for _ in range(repeats):
                what = f"{workers} worker(s)" + (f" paced at {rate:.0f}/s" if rate else "")
                try:
                    measured = measure(bootstrap, articles, workers, rate, config.state_dir, broker_pid)
                except RuntimeError as exc:
                    failures.append(f"{what}: {exc}")
                    progress(f"end to end, {what}: FAILED: {exc}")
                    continue
                figure = f"p99 {percentile(measured.latencies_ms, 0.99):.0f} ms" if rate else f"{measured.articles_per_s} articles/s"
                progress(f"end to end, {what}: {figure}; CPU-s {measured.cpu_seconds}")
                done.append(measured)
            return done

        single = runs(1)
        if not single:
            raise RuntimeError("every one-worker run failed: " + "; ".join(failures))
        rate = round(statistics.median(m.articles_per_s for m in single) / 2, 1)
        paced = runs(1, rate)
        double = runs(2)
    one_worker = spread([m.articles_per_s for m in single])
    two_workers = spread([m.articles_per_s for m in double]) if double else None
    return {
        "kafka": kafka_version,
        "setup": (f"{PARTITIONS} partitions per topic, replication {config.topic_replication}; bench producer "
                  f"linger {PRODUCER_LINGER_MS} ms; workers with Faust's default batching and fetches that wait "
                  f"{config.fetch_max_wait_ms} ms at most; "
                  f"{len(articles)} distinct articles per run"),
        "one_worker_articles_per_s": one_worker,
        "paced_rate_per_s": rate,
        "latency_ms": {name: spread([percentile(m.latencies_ms, q) for m in paced])
                       for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))} if paced else None,
        "consumed_p99_ms": spread([percentile(m.consumed_latencies_ms, 0.99) for m in paced]) if paced else None,
        "two_workers_articles_per_s": two_workers,
        "one_worker_vs_offline": round(one_worker["median"] / offline_articles_per_s, 3) if offline_articles_per_s else None,
        "two_workers_vs_one": round(two_workers["median"] / one_worker["median"], 3) if two_workers else None,
        "worker_peak_rss_mb": max(m.worker_peak_rss_mb for m in single + paced + double),
        "cpu_seconds_one_worker": _median_cpu(single),
        "cpu_seconds_two_workers": _median_cpu(double),
        "failed_runs": failures,
    }


def _median_cpu(measurements: list[Measurement]) -> dict | None:
    if not measurements:
        return None
    return {who: round(statistics.median(m.cpu_seconds[who] for m in measurements), 2)
            for who in measurements[0].cpu_seconds}
