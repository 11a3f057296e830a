"""Fixtures shared by the unit tests."""
from unittest.mock import AsyncMock

import pytest

from streams import app as worker


@pytest.fixture()
def sent(monkeypatch):
    """One mock per output topic, called with what the agents publish to it instead of sending to Kafka."""
    sent = {name: AsyncMock() for name in ("normalized_topic", "enriched_topic", "quotes_topic",
                                          "dead_letter_topic", "duplicates_topic")}
    by_topic = {getattr(worker, name): mock for name, mock in sent.items()}

    async def publish(topic, **event):
        await by_topic[topic](**event)
    monkeypatch.setattr(worker, "publish", publish)
    return sent
