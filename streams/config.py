"""All configuration, read once from KHABAR_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    broker: str = ""  # host:port[,host:port] of an existing cluster; empty means the local broker
    app_id: str = "khabar"
    web_port: int = 6066  # the worker's HTTP port: /metrics for Prometheus
    topic_raw: str = "news.articles.raw"
    topic_normalized: str = "news.articles.normalized"
    topic_enriched: str = "news.articles.enriched"
    topic_quotes: str = "news.quotes"
    topic_dead_letter: str = "news.articles.dead-letter"
    topic_partitions: int = 4
    topic_replication: int = 1
    max_body_chars: int = 500_000  # longer bodies are dead-lettered as too_large
    # an enriched event repeats its body's quotes and grows past Kafka's 1 MB default: topics and producers allow this
    max_message_bytes: int = 8 * 1024 * 1024
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

    @property
    def bootstrap_servers(self) -> str:
        return self.broker.removeprefix("kafka://") or f"localhost:{self.kafka_port}"

    @property
    def topics(self) -> list[str]:
        return [self.topic_raw, self.topic_normalized, self.topic_enriched,
                self.topic_quotes, self.topic_dead_letter]


settings = Settings.from_env()
