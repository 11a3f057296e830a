"""Fixtures shared by the unit tests."""
from unittest.mock import AsyncMock

import pytest

from streams import app as worker


@pytest.fixture()
def sent(monkeypatch):
    """What each output topic was sent, as decoded values, instead of sending to Kafka."""
    sent = {}
    for name in ("normalized_topic", "enriched_topic", "quotes_topic", "dead_letter_topic"):
        topic = getattr(worker, name)
        mock = AsyncMock()
        monkeypatch.setattr(topic, "send", mock)
        sent[name] = mock
    return sent
