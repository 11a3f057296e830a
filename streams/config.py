"""All configuration, read once from KHABAR_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# skip: count and log duplicates; forward: also send a notice to topic_duplicates; off: enrich every copy
DUPLICATE_POLICIES = ("skip", "forward", "off")


@dataclass(frozen=True)
class Settings:
    broker: str = ""  # host:port[,host:port] of an existing cluster; empty means the local broker
    app_id: str = "khabar"
    web_port: int = 6066  # the worker's HTTP port: /metrics for Prometheus
    web_bind: str = "127.0.0.1"  # the address it listens on: this machine only, unless set (0.0.0.0 in a container)
    # how every client reaches Kafka (streams/security.py): PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    # kept out of repr(): credentials and certificate paths must never reach a log line
    sasl_username: str = field(default="", repr=False)
    sasl_password: str = field(default="", repr=False)
    ssl_cafile: str = field(default="", repr=False)  # PEM CA of the brokers' certificates; empty: the system's CAs
    topic_raw: str = "news.articles.raw"
    topic_normalized: str = "news.articles.normalized"
    topic_enriched: str = "news.articles.enriched"
    topic_quotes: str = "news.quotes"
    topic_dead_letter: str = "news.articles.dead-letter"
    topic_duplicates: str = "news.articles.duplicates"
    duplicates: str = "forward"  # one of DUPLICATE_POLICIES
    topic_partitions: int = 4
    topic_replication: int = 1
    max_body_chars: int = 500_000  # longer bodies are dead-lettered as too_large
    # an enriched event repeats its body's quotes and grows past Kafka's 1 MB default: topics and producers allow this
    max_message_bytes: int = 8 * 1024 * 1024
    # a worker silent this long is presumed dead and its partitions go to the others (Faust's default: 60 s)
    session_timeout_s: float = 10.0
    # longest a worker's fetch waits for new records; a fetch for idle partitions holds back every
    # other partition of its broker that long (Faust's own: 1,500 ms; see streams/transport.py)
    fetch_max_wait_ms: int = 100
    state_dir: Path = REPO_ROOT / ".state"  # local broker's jars, data and logs
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    # newest 4.x, checked with aiokafka 0.14.0 and faust-streaming 0.15.3; docker-compose.yml pins the same
    kafka_version: str = "4.4.0"
    schema_dir: Path = REPO_ROOT / "schemas"

    @classmethod
    def from_env(cls, environ=os.environ) -> "Settings":
        values = {}
        for f in fields(cls):
            raw = environ.get(f"KHABAR_{f.name.upper()}")
            if raw is None:
                continue
            kind = type(f.default)
            try:
                values[f.name] = kind(raw)
            except ValueError:
                raise SystemExit(f"KHABAR_{f.name.upper()}={raw!r}: expected {kind.__name__}") from None
        return cls(**values)

    def __post_init__(self):
        if self.duplicates not in DUPLICATE_POLICIES:
            raise SystemExit(f"KHABAR_DUPLICATES={self.duplicates!r}: expected one of {', '.join(DUPLICATE_POLICIES)}")

    @property
    def bootstrap_servers(self) -> str:
        return self.broker.removeprefix("kafka://") or f"localhost:{self.kafka_port}"

    @property
    def topics(self) -> list[str]:
        return [self.topic_raw, self.topic_normalized, self.topic_enriched,
                self.topic_quotes, self.topic_dead_letter, self.topic_duplicates]


settings = Settings.from_env()
