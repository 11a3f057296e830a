"""SASL_SSL (SCRAM-SHA-512 over TLS) against a real broker: `khabar kafka up --sasl-ssl` makes a throwaway
CA with keytool and a SCRAM user; the worker, `khabar publish` and consume connect with the KHABAR_*
settings alone. Wrong credentials and an untrusted certificate fail fast and say which, and no password
nor certificate path shows up in a log, an error or the metrics.
"""
from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import orjson
import pytest

from streams import kafka_local
from streams.config import settings

from streams.processes import KHABAR, free_port

from .conftest import WorkerProcess, collect, pipeline_env

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("java") is None or shutil.which("keytool") is None,
                                 reason="a SASL_SSL broker of its own needs Java and keytool")]

USER, PASSWORD = "khabar-it", "Tp7-کلید-zX9!"
FAIL_FAST_S = 20  # includes the Python and Faust start-up of the command itself


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory):
    """(bootstrap, CA file, the state dir whose paths must never leak) of a SASL_SSL-only broker."""
    state = tmp_path_factory.mktemp("sasl-ssl")
    try:
        bootstrap = kafka_local.up(state, port=free_port(), controller_port=free_port(),
                                   scram=kafka_local.ScramUser(USER, PASSWORD),
                                   libs_cache=settings.state_dir / "kafka" / "libs")
        yield bootstrap, state / "kafka" / "tls" / "ca.crt", state
    finally:
        kafka_local.down(state)


def secure_env(bootstrap: str, cafile: Path, **overrides: str) -> dict:
    secured = {"KHABAR_SECURITY_PROTOCOL": "SASL_SSL", "KHABAR_SASL_USERNAME": USER,
               "KHABAR_SASL_PASSWORD": PASSWORD, "KHABAR_SSL_CAFILE": str(cafile)}
    return pipeline_env(bootstrap, **{**secured, **overrides})


def khabar(env: dict, *args: str, stdin: bytes = b"") -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run([KHABAR, *args], env=env, input=stdin, capture_output=True, timeout=120)
    return result, time.monotonic() - started


def assert_no_secret(text: str, *secrets: object) -> None:
    for secret in (PASSWORD, *map(str, secrets)):
        assert secret not in text, f"{secret!r} leaked"


def listening_address(port: int) -> str:
    """The local address a listening TCP socket of this machine is bound to, from /proc/net/tcp."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, local_port = local.split(":")
        if state == "0A" and int(local_port, 16) == port:  # 0A: LISTEN
            return ".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0))  # little-endian hex
    raise AssertionError(f"nothing listens on port {port}")


def test_the_right_credentials_work_end_to_end(secure_broker, tmp_path):
    bootstrap, cafile, state = secure_broker
    env = secure_env(bootstrap, cafile)
    worker = WorkerProcess.start(env, tmp_path / "worker")
    try:
        articles = [{"id": f"sec-{i}", "title": f"گزارش امنیتی {i}",
                     "body": f"سخنگوی سازمان بنادر گفت: «بارگیری کشتی شماره {i} امروز پایان یافت.»"} for i in range(3)]
        published, _ = khabar(env, "publish", "-", stdin=b"\n".join(orjson.dumps(a) for a in articles))
        assert published.returncode == 0, published.stderr.decode()

        enriched = collect(worker.config, worker.config.topic_enriched,
                           lambda events: {a["id"] for a in articles} <= {e["id"] for e in events if e})
        assert {a["id"] for a in articles} <= {e["id"] for e in enriched if e}
        assert worker.running()

        with urllib.request.urlopen(worker.metrics_url, timeout=10) as response:
            metrics = response.read().decode()
        assert "khabar_articles_in_total" in metrics
        assert_no_secret(metrics, cafile, state)
        assert listening_address(int(worker.env["KHABAR_WEB_PORT"])) == "127.0.0.1"  # KHABAR_WEB_BIND default
    finally:
        worker.stop()
    assert_no_secret(worker.log.read_text(errors="replace") + published.stdout.decode() + published.stderr.decode(),
                     cafile, state)


@pytest.mark.parametrize("command", [("worker",), ("publish", "-")])
def test_a_wrong_password_fails_fast_and_says_so(secure_broker, command):
    bootstrap, cafile, state = secure_broker
    env = secure_env(bootstrap, cafile, KHABAR_SASL_PASSWORD="not-the-password", KHABAR_WEB_PORT=str(free_port()))

    result, took = khabar(env, *command, stdin=orjson.dumps({"title": "عنوان", "body": "متن"}))
    output = result.stdout.decode() + result.stderr.decode()

    assert result.returncode != 0 and took < FAIL_FAST_S, output
    assert "SCRAM-SHA-512 authentication failed" in output and "KHABAR_SASL_PASSWORD" in output
    assert_no_secret(output, "not-the-password", cafile, state)


@pytest.mark.parametrize("command", [("worker",), ("consume", "news.any", "--idle-timeout", "1")])
def test_without_the_ca_the_broker_is_not_trusted_fast_and_says_so(secure_broker, command):
    bootstrap, cafile, state = secure_broker
    env = secure_env(bootstrap, cafile, KHABAR_WEB_PORT=str(free_port()))
    del env["KHABAR_SSL_CAFILE"]  # the system's CAs never signed a throwaway CA's certificate

    result, took = khabar(env, *command)
    output = result.stdout.decode() + result.stderr.decode()

    assert result.returncode != 0 and took < FAIL_FAST_S, output
    assert "certificate is not trusted" in output and "KHABAR_SSL_CAFILE" in output
    assert_no_secret(output, cafile, state)


@pytest.mark.parametrize("protocol", ["PLAINTEXT", "SSL"])
def test_a_client_that_skips_tls_or_sasl_is_told_which_setting_to_look_at(secure_broker, protocol):
    bootstrap, cafile, state = secure_broker
    env = secure_env(bootstrap, cafile, KHABAR_SECURITY_PROTOCOL=protocol)

    result, took = khabar(env, "consume", "news.any", "--idle-timeout", "1")
    output = result.stdout.decode() + result.stderr.decode()

    assert result.returncode != 0 and took < FAIL_FAST_S, output
    assert f"hangs up on {protocol} requests" in output and "KHABAR_SECURITY_PROTOCOL" in output
    assert_no_secret(output, cafile, state)
