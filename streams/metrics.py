"""Prometheus metrics every worker exports at /metrics (the Grafana dashboard reads these names)."""
from prometheus_client import Counter, Histogram

EVENTS = Counter("khabar_events_total", "Events handled, by stage and outcome (ok or dead_letter)",
                 ["stage", "outcome"])
STAGE_SECONDS = Histogram("khabar_stage_seconds", "Time spent processing one event, by stage", ["stage"],
                          buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
DEAD_LETTERS = Counter("khabar_dead_letters_total", "Events sent to the dead-letter topic, by stage and reason",
                       ["stage", "reason"])
ENTITIES_PER_ARTICLE = Histogram("khabar_entities_per_article", "Consolidated entities found in one article",
                                 buckets=(0, 1, 2, 5, 10, 20, 50, 100))
QUOTES_PER_ARTICLE = Histogram("khabar_quotes_per_article", "Quotes found in one article",
                               buckets=(0, 1, 2, 5, 10, 20, 50))
