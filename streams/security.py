"""How Khabar's Kafka clients authenticate and encrypt: one place that turns the KHABAR_* security
settings into aiokafka's keyword arguments and Faust's broker credentials.

    KHABAR_SECURITY_PROTOCOL=SASL_SSL KHABAR_SASL_MECHANISM=SCRAM-SHA-512
    KHABAR_SASL_USERNAME=... KHABAR_SASL_PASSWORD=... KHABAR_SSL_CAFILE=/path/to/ca.crt

Secrets stay secrets: no message made here names the password, the username or the CA file's path,
and a refused connection is explained (wrong credentials, untrusted certificate, wrong protocol)
instead of surfacing as aiokafka's bare "Unable to bootstrap".
"""
from __future__ import annotations

import asyncio
import ssl

from aiokafka.conn import create_conn
from aiokafka.errors import (KafkaConnectionError, KafkaError, SaslAuthenticationFailed,
                             UnsupportedSaslMechanismError)
from aiokafka.protocol.metadata import MetadataRequest

from .config import Settings

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
PROBE_TIMEOUT_S = 10.0


class SecurityConfigError(SystemExit):
    """The security settings cannot work; raised before any connection is tried."""


class KafkaSecurityError(KafkaError):
    """The broker refused our credentials or we refused its certificate; the message says which."""


def _checked(config: Settings) -> Settings:
    if config.security_protocol not in PROTOCOLS:
        raise SecurityConfigError(f"KHABAR_SECURITY_PROTOCOL={config.security_protocol!r}: "
                                  f"expected one of {', '.join(PROTOCOLS)}")
    if uses_sasl(config):
        if config.sasl_mechanism not in MECHANISMS:
            raise SecurityConfigError(f"KHABAR_SASL_MECHANISM={config.sasl_mechanism!r}: "
                                      f"expected one of {', '.join(MECHANISMS)}")
        if not (config.sasl_username and config.sasl_password):
            raise SecurityConfigError(f"KHABAR_SECURITY_PROTOCOL={config.security_protocol} needs "
                                      "KHABAR_SASL_USERNAME and KHABAR_SASL_PASSWORD")
    return config


def uses_sasl(config: Settings) -> bool:
    return config.security_protocol.startswith("SASL_")


def uses_tls(config: Settings) -> bool:
    return config.security_protocol in ("SSL", "SASL_SSL")


def ssl_context(config: Settings) -> ssl.SSLContext | None:
    """A context that verifies the broker's certificate and host name against KHABAR_SSL_CAFILE
    (the system's CAs when unset); None for the protocols without TLS."""
    if not uses_tls(_checked(config)):
        return None
    try:
        return ssl.create_default_context(cafile=config.ssl_cafile or None)
    except (OSError, ssl.SSLError):
        # the exception may quote the path; the variable's name is enough to find it
        raise SecurityConfigError("KHABAR_SSL_CAFILE: cannot read a PEM CA certificate from that file") from None


def client_kwargs(config: Settings) -> dict:
    """Keyword arguments for every aiokafka client (producer, consumer, admin)."""
    kwargs = {"security_protocol": _checked(config).security_protocol, "ssl_context": ssl_context(config)}
    if uses_sasl(config):
        kwargs.update(sasl_mechanism=config.sasl_mechanism, sasl_plain_username=config.sasl_username,
                      sasl_plain_password=config.sasl_password)
    return kwargs


def faust_credentials(config: Settings):
    """Faust's broker_credentials for the same settings (it hands them to its aiokafka clients):
    SASLCredentials, an SSLContext, or None."""
    import faust  # here, not at the top: publish and consume need no Faust

    context = ssl_context(config)
    if uses_sasl(config):
        # with an ssl_context, Faust's SASLCredentials switch themselves from SASL_PLAINTEXT to SASL_SSL
        return faust.SASLCredentials(username=config.sasl_username, password=config.sasl_password,
                                     ssl_context=context, mechanism=config.sasl_mechanism)
    return context


async def start(client, config: Settings) -> None:
    """`await client.start()`, with a refused connection explained by diagnose(); the caller still
    stops the client, as after any failed start."""
    try:
        await client.start()
    except KafkaConnectionError:
        problem = await diagnose(config)
        if problem is None:
            raise
        raise KafkaSecurityError(problem) from None


async def diagnose(config: Settings) -> str | None:
    """Why connecting to the first bootstrap server fails when the reason is security (credentials,
    certificate, protocol); None otherwise (the broker is down, say), so that the caller's own error stands."""
    host, _, port = config.bootstrap_servers.split(",")[0].strip().rpartition(":")
    try:
        connection = await asyncio.wait_for(
            create_conn(host, int(port), request_timeout_ms=int(PROBE_TIMEOUT_S * 1000), **client_kwargs(config)),
            PROBE_TIMEOUT_S)
    except ssl.SSLCertVerificationError as refused:
        return (f"TLS: the broker's certificate is not trusted ({refused.verify_message}); "
                "KHABAR_SSL_CAFILE must name the CA that signed it")
    except ssl.SSLError as failed:
        return (f"TLS handshake failed ({failed.reason}); does this listener speak "
                f"{config.security_protocol} (KHABAR_SECURITY_PROTOCOL)?")
    except SaslAuthenticationFailed:
        return (f"SASL {config.sasl_mechanism} authentication failed: wrong KHABAR_SASL_USERNAME or "
                "KHABAR_SASL_PASSWORD, or the user has no credentials for this mechanism on the broker")
    except UnsupportedSaslMechanismError:
        return f"the broker does not offer SASL {config.sasl_mechanism} here (KHABAR_SASL_MECHANISM)"
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionResetError, KafkaConnectionError):
        return _hung_up(config)  # reached, then dropped or left waiting during the handshake
    except (OSError, KafkaError):
        return None
    try:
        # connected and authenticated as configured; a listener that wants TLS or SASL hangs up on the first request
        await asyncio.wait_for(connection.send(MetadataRequest([])), PROBE_TIMEOUT_S)
    except (KafkaConnectionError, asyncio.TimeoutError):
        return _hung_up(config)
    except KafkaError:
        return None
    finally:
        connection.close()
    return None


def _hung_up(config: Settings) -> str:
    return (f"the broker hangs up on {config.security_protocol} requests: does this listener want TLS or SASL "
            "(KHABAR_SECURITY_PROTOCOL)?")
