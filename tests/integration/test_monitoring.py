"""Monitoring end to end: a real Prometheus (Debian's package) scrapes a real worker, and every query
of the Grafana dashboard returns data through Prometheus's HTTP API."""
from __future__ import annotations

import json
import math
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import orjson
import pytest

from streams import stages
from streams.config import REPO_ROOT
from streams.readers import read_articles

from streams.processes import KHABAR, free_port

from .conftest import send_raw

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("prometheus") is None or shutil.which("promtool") is None,
                       reason="Prometheus is not installed (Debian: apt-get install prometheus; .ci/run does it)"),
]

PROMETHEUS_FILES = REPO_ROOT / "deploy" / "prometheus"
DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "khabar.json"
SCRAPE_INTERVAL_S = 5  # prometheus.yml's, which this test uses unchanged
# What the test puts in for Grafana's variables: every worker, and a window reaching back past the
# scrape taken before anything was published, so rate() sees the counters rise from zero.
VARIABLES = {"$__rate_interval": "2m", "$instance": ".+"}
# An article invented for this test in which the model finds no name: the "no entities" share is not 0.
NAMELESS = {"title": "هوای امروز", "body": "امروز هوا سرد و ابری است و شاید عصر باران ببارد."}


def prometheus_dir(directory: Path, targets: list[str]) -> Path:
    """The shared prometheus.yml and alerts.yml, with a workers.json naming these targets."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("prometheus.yml", "alerts.yml"):
        shutil.copy(PROMETHEUS_FILES / name, directory / name)
    (directory / "workers.json").write_text(json.dumps([{"targets": targets}]))
    return directory / "prometheus.yml"


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every target of every panel, rows included."""
    def panels(items):
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))
    dashboard = json.loads(DASHBOARD.read_text())
    return [(panel["title"], target["expr"]) for panel in panels(dashboard["panels"])
            for target in panel.get("targets", [])]


def with_variables(expr: str) -> str:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    assert "$" not in expr, f"a dashboard variable the test does not know: {expr}"
    return expr


class Prometheus:
    def __init__(self, config: Path, storage: Path):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = storage.parent / "prometheus.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={storage}",
                 f"--web.listen-address={self.url.removeprefix('http://')}"],
                stdout=out, stderr=subprocess.STDOUT)

    def get(self, path: str, **params) -> dict:
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict]:
        return self.get("/api/v1/query", query=expr)["result"]

    def wait_for(self, expr: str, holds, deadline_s: float = 60) -> list[dict]:
        started, result = time.monotonic(), None
        while time.monotonic() - started < deadline_s:
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            try:
                result = self.query(expr)
                if holds(result):
                    return result
            except OSError:
                pass  # not listening yet
            time.sleep(0.5)
        raise AssertionError(f"{expr} did not hold within {deadline_s} s: {result}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def total(result: list[dict]) -> float:
    return sum(float(series["value"][1]) for series in result)


@pytest.fixture(scope="module")
def prometheus(worker, tmp_path_factory):
    """A Prometheus scraping the module's worker, once it has scraped it before any article was sent."""
    directory = tmp_path_factory.mktemp("prometheus")
    worker_port = worker.env["KHABAR_WEB_PORT"]
    server = Prometheus(prometheus_dir(directory, [f"localhost:{worker_port}"]), directory / "data")
    try:
        server.wait_for("khabar_build_info", lambda result: len(result) == 1)
        yield server
    finally:
        server.stop()


def test_promtool_accepts_the_config_and_the_alerts(tmp_path):
    def promtool(*args, cwd=PROMETHEUS_FILES):
        result = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
    promtool("check", "config", str(prometheus_dir(tmp_path, ["localhost:6066"])))
    promtool("check", "rules", "alerts.yml")
    promtool("test", "rules", "alerts.test.yml")  # each alert fires on its trouble, not on a look-alike


def test_every_dashboard_query_returns_data_from_a_real_prometheus(worker, prometheus, tmp_path):
    assert stages.enrich(NAMELESS)["entities"] == []
    articles = tmp_path / "articles.jsonl"
    articles.write_bytes(orjson.dumps(NAMELESS) + b"\n")
    send_raw(worker.config, b"broken", b'{"title": "unterminated', orjson.dumps({"title": "no body"}))
    published = subprocess.run([KHABAR, "publish", str(REPO_ROOT / "samples"), str(articles)], env=worker.env,
                               capture_output=True, text=True, timeout=120)
    assert published.returncode == 0, published.stdout + published.stderr
    enriched = sum(1 for _ in read_articles([str(REPO_ROOT / "samples")])) + 1

    # everything processed and scraped, and the lag of every input partition known
    prometheus.wait_for('sum(khabar_articles_out_total{stage="extract"})', lambda r: total(r) >= enriched)
    prometheus.wait_for("sum(khabar_dead_letters_total)", lambda r: total(r) >= 2)
    # raw and normalized partitions, not the dedup table's changelog (Faust never commits those)
    prometheus.wait_for("khabar_consumer_lag_messages", lambda r: len(r) == 2 * worker.config.topic_partitions)
    time.sleep(SCRAPE_INTERVAL_S)  # one more scrape, so each rate() ends on the settled counters

    queries = dashboard_queries()
    assert len(queries) >= 15
    empty, not_finite = [], []
    for title, expr in queries:
        result = prometheus.query(with_variables(expr))
        if not result:
            empty.append((title, expr))
        not_finite += [(title, expr, s["value"][1]) for s in result if not math.isfinite(float(s["value"][1]))]
    assert not empty, f"dashboard queries without data: {empty}"
    assert not not_finite, f"dashboard queries with NaN or infinite values: {not_finite}"

    # the numbers behind the panels say what happened
    reasons = {s["metric"]["reason"]: float(s["value"][1]) for s in prometheus.query(
        with_variables('sum by (reason) (increase(khabar_dead_letters_total[$__rate_interval]))'))}
    assert reasons["undecodable"] > 0 and reasons["invalid_schema"] > 0 and reasons["too_large"] == 0
    assert total(prometheus.query('khabar_articles_without_entities_total')) == 1
    assert 0 < total(prometheus.query(with_variables(
        'histogram_quantile(0.99, sum by (le) (rate(khabar_end_to_end_latency_seconds_bucket[$__rate_interval])))'))) < 60

    instances = prometheus.get("/api/v1/label/instance/values", **{"match[]": "khabar_build_info"})
    assert instances == [f"localhost:{worker.env['KHABAR_WEB_PORT']}"]  # the dashboard's $instance choices
    rules = [rule for group in prometheus.get("/api/v1/rules")["groups"] for rule in group["rules"]]
    assert {rule["name"] for rule in rules} == {"KhabarWorkerDown", "KhabarEventsUndelivered",
                                                "KhabarDeadLettersRising", "KhabarConsumerLagGrowing"}
    assert all(rule["health"] == "ok" for rule in rules), rules
    assert worker.running()
