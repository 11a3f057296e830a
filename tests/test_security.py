"""streams/security.py: the KHABAR_* security settings become the same aiokafka and Faust settings,
and no message or repr ever shows a secret or a certificate path."""
from __future__ import annotations

import asyncio
import dataclasses
import socket
import ssl
from pathlib import Path

import faust
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from streams import security
from streams.config import Settings

PASSWORD = "s3cret-گذرواژه"
SYSTEM_CAFILE = ssl.get_default_verify_paths().cafile
needs_a_ca_file = pytest.mark.skipif(not (SYSTEM_CAFILE and Path(SYSTEM_CAFILE).is_file()),
                                     reason="needs some PEM CA bundle; the system's is used")


def secured(**overrides) -> Settings:
    values = {"security_protocol": "SASL_SSL", "sasl_username": "khabar-worker", "sasl_password": PASSWORD,
              "ssl_cafile": SYSTEM_CAFILE or "", "broker": "localhost:1"}
    return Settings(**{**values, **overrides})


def test_plaintext_is_the_default_and_adds_nothing():
    config = Settings()

    assert security.client_kwargs(config) == {"security_protocol": "PLAINTEXT", "ssl_context": None}
    assert security.faust_credentials(config) is None
    assert config.web_bind == "127.0.0.1"


def test_settings_come_from_the_environment():
    config = Settings.from_env({"KHABAR_SECURITY_PROTOCOL": "SASL_SSL", "KHABAR_SASL_USERNAME": "u",
                                "KHABAR_SASL_PASSWORD": PASSWORD, "KHABAR_SSL_CAFILE": "/etc/ca.pem",
                                "KHABAR_WEB_BIND": "0.0.0.0"})

    assert (config.security_protocol, config.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (config.sasl_username, config.sasl_password, config.ssl_cafile) == ("u", PASSWORD, "/etc/ca.pem")
    assert config.web_bind == "0.0.0.0"


@needs_a_ca_file
def test_sasl_ssl_gives_scram_over_a_verifying_tls_context():
    kwargs = security.client_kwargs(secured())

    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("khabar-worker", PASSWORD)
    context = kwargs["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@needs_a_ca_file
@pytest.mark.parametrize("protocol", ["SASL_SSL", "SASL_PLAINTEXT", "SSL"])
def test_faust_gets_what_the_other_clients_get(protocol):
    config = secured(security_protocol=protocol)

    credentials = security.faust_credentials(config)
    # Faust turns broker_credentials into aiokafka arguments with this very function
    as_faust_passes_them = credentials_to_aiokafka_auth(*((credentials, None) if isinstance(credentials, faust.SASLCredentials)
                                                          else (None, credentials)))
    ours = security.client_kwargs(config)

    assert {k: v for k, v in as_faust_passes_them.items() if k != "ssl_context"} == \
        {k: v for k, v in ours.items() if k != "ssl_context"}
    assert (as_faust_passes_them["ssl_context"] is None) == (ours["ssl_context"] is None)


def test_a_missing_ca_file_is_named_by_its_variable_not_its_path(tmp_path):
    missing = tmp_path / "nowhere" / "ca.crt"

    with pytest.raises(security.SecurityConfigError) as error:
        security.client_kwargs(secured(ssl_cafile=str(missing)))

    assert "KHABAR_SSL_CAFILE" in str(error.value)
    assert str(tmp_path) not in str(error.value)


def test_a_file_that_holds_no_certificate_is_refused(tmp_path):
    not_a_ca = tmp_path / "ca.crt"
    not_a_ca.write_text("این یک گواهی نیست\n")

    with pytest.raises(security.SecurityConfigError, match="KHABAR_SSL_CAFILE"):
        security.ssl_context(secured(ssl_cafile=str(not_a_ca)))


@pytest.mark.parametrize("overrides, complaint", [
    ({"security_protocol": "TLS"}, "KHABAR_SECURITY_PROTOCOL='TLS'"),
    ({"sasl_mechanism": "SCRAM-SHA-1"}, "KHABAR_SASL_MECHANISM='SCRAM-SHA-1'"),
    ({"sasl_password": ""}, "needs KHABAR_SASL_USERNAME and KHABAR_SASL_PASSWORD"),
])
def test_settings_that_cannot_work_are_refused_before_connecting(overrides, complaint):
    with pytest.raises(security.SecurityConfigError) as error:
        security.client_kwargs(secured(**overrides))

    assert complaint in str(error.value)
    assert PASSWORD not in str(error.value) and "khabar-worker" not in str(error.value)


def test_secrets_and_paths_stay_out_of_the_settings_repr():
    config = secured(ssl_cafile="/very/private/ca.crt")

    shown = repr(config)

    assert PASSWORD not in shown and "khabar-worker" not in shown and "/very/private" not in shown
    assert "SASL_SSL" in shown  # the protocol itself is no secret and helps whoever reads the log
    assert {f.name for f in dataclasses.fields(Settings) if not f.repr} == {"sasl_username", "sasl_password", "ssl_cafile"}


def _silent_server(behaviour):
    """A loopback TCP listener and the coroutine that treats its first connection with `behaviour(conn)`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    async def serve():
        loop = asyncio.get_running_loop()
        listener.setblocking(False)
        conn, _ = await loop.sock_accept(listener)
        behaviour(conn)

    return listener, serve


@needs_a_ca_file
def test_a_listener_that_hangs_up_on_the_tls_handshake_is_explained():
    listener, serve = _silent_server(lambda conn: conn.close())  # as a plaintext listener would, eventually
    config = secured(broker=f"localhost:{listener.getsockname()[1]}")

    async def run():
        server = asyncio.create_task(serve())
        try:
            return await security.diagnose(config)
        finally:
            server.cancel()

    with listener:
        problem = asyncio.run(run())

    assert problem is not None and "KHABAR_SECURITY_PROTOCOL" in problem
    assert PASSWORD not in problem and SYSTEM_CAFILE not in problem


def test_an_unreachable_broker_is_not_called_a_security_problem():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert asyncio.run(security.diagnose(secured(broker=f"localhost:{port}", ssl_cafile=""))) is None
