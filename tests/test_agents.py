"""The agents in Faust's test context: events in, the right topics out, bad events dead-lettered."""
import asyncio
import base64
from types import SimpleNamespace

from aiokafka.errors import KafkaTimeoutError
from prometheus_client import REGISTRY

from streams import app as worker
from streams import contracts, dedup
from streams.config import settings
from streams.contracts import Rejected

ARTICLE = {"id": "agent-1", "title": "سخنگوی دولت: جلسه فردا برگزار می‌شود",
           "body": "به گزارش خبرگزاری نمونه، سخنگوی دولت گفت: «جلسه هیئت دولت فردا برگزار می‌شود.»"}


def normalize_outputs(sent):
    return [sent["normalized_topic"], sent["dead_letter_topic"]]


def values(mock):
    return [call.kwargs["value"] for call in mock.call_args_list]


def put_all(agent, *payloads, outputs):
    """Put each payload through the agent, then wait until `outputs` mocks were called once per payload.

    Faust's put() returns once the stream took the event, before the agent finishes with it.
    """
    async def run():
        async with agent.test_context() as context:
            for payload in payloads:
                await context.put(payload, key=b"k")
            for _ in range(200):
                if sum(mock.call_count for mock in outputs) >= len(payloads):
                    return
                await asyncio.sleep(0.05)
    asyncio.run(run())


def test_normalize_agent_forwards_a_valid_article_keyed_by_its_content(sent):
    put_all(worker.normalize_agent, contracts.encode(ARTICLE), outputs=normalize_outputs(sent))
    [normalized] = values(sent["normalized_topic"])
    assert normalized["id"] == "agent-1" and normalized["schema_version"] == "normalized-article/1"
    assert sent["normalized_topic"].call_args.kwargs["key"] == dedup.fingerprint(normalized).encode()
    assert not sent["dead_letter_topic"].called


def test_bad_events_are_dead_lettered_and_the_agent_goes_on(sent):
    put_all(worker.normalize_agent, b"{broken json", contracts.encode({"title": "no body"}),
            b"\xff\xfe\xfd", contracts.encode(ARTICLE), outputs=normalize_outputs(sent))
    dead = values(sent["dead_letter_topic"])
    assert [d["reason"] for d in dead] == ["undecodable", "invalid_schema", "undecodable"]
    assert all(d["stage"] == "normalize" and d["timestamp"] for d in dead)
    assert "value_base64" in dead[0] and dead[1]["value"] == {"title": "no body"}
    for letter in dead:
        contracts.validate(contracts.DEAD_LETTER, letter)
    assert [n["id"] for n in values(sent["normalized_topic"])] == ["agent-1"]


def test_an_event_in_flight_when_the_agent_stops_is_left_unacknowledged(sent):
    """Stopped mid-event (SIGTERM, rebalance) before its output is out, the agent must not ack: the
    offset would be committed without the event's output, and the event lost. Processed events are acked."""
    async def run():
        sending, never = asyncio.Event(), asyncio.Event()

        async def stalled_send(**_):
            sending.set()
            await never.wait()

        async with worker.normalize_agent.test_context() as context:
            done = await context.put(contracts.encode({**ARTICLE, "id": "done"}), key=b"k")
            for _ in range(200):
                if sent["normalized_topic"].called:
                    break
                await asyncio.sleep(0.05)
            sent["normalized_topic"].side_effect = stalled_send
            in_flight = await context.put(contracts.encode(ARTICLE), key=b"k")
            await asyncio.wait_for(sending.wait(), 10)
        # leaving the context stopped the agent while in_flight's output was being sent
        return done, in_flight

    done, in_flight = asyncio.run(run())
    assert done.message.acked
    assert not in_flight.message.acked


def test_extract_agent_emits_enriched_article_and_one_event_per_quote(sent):
    put_all(worker.normalize_agent, contracts.encode(ARTICLE), outputs=normalize_outputs(sent))
    [normalized] = values(sent["normalized_topic"])
    put_all(worker.extract_agent, contracts.encode(normalized), outputs=[sent["enriched_topic"], sent["dead_letter_topic"]])
    [enriched] = values(sent["enriched_topic"])
    quotes = values(sent["quotes_topic"])
    assert len(quotes) == len(enriched["quotes"])
    assert all(q["article_id"] == "agent-1" for q in quotes)


def test_an_original_too_large_to_copy_is_excerpted_and_points_at_its_origin():
    huge = SimpleNamespace(topic="raw", partition=1, offset=7, key=b"k",
                           value=b"x" * (settings.max_message_bytes // 2 + 1))
    letter = worker.dead_letter_event("normalize", Rejected("too_large", "body too large"), huge, None)
    contracts.validate(contracts.DEAD_LETTER, letter)
    assert letter["value_truncated"] is True
    assert base64.b64decode(letter["value_base64"]) == huge.value[:worker.DEAD_LETTER_EXCERPT_BYTES]
    assert letter["origin"] == {"topic": "raw", "partition": 1, "offset": 7, "key": "k"}


class FakeProducer:
    """Faust's producer as publish() uses it: send() hands back the delivery future, which the test settles."""

    def __init__(self):
        self.sent, self.deliveries = [], []

    async def send(self, topic, key, value, partition, timestamp, headers):
        self.sent.append((topic, key, value, headers))
        self.deliveries.append(asyncio.get_running_loop().create_future())
        return self.deliveries[-1]


def test_publish_hands_the_encoded_event_to_the_producer_and_reports_a_delivery_it_gave_up_on(monkeypatch, caplog):
    producer = FakeProducer()
    monkeypatch.setattr(worker.app, "_producer", producer)
    topic = settings.topic_enriched
    failed_before = REGISTRY.get_sample_value("khabar_send_errors_total", {"topic": topic})

    async def run():
        await worker.publish(worker.enriched_topic, key=b"a-1", value=ARTICLE, headers={"h": b"1"})
        await worker.publish(worker.enriched_topic, key=b"a-2", value=ARTICLE)
        producer.deliveries[0].set_result(None)
        producer.deliveries[1].set_exception(KafkaTimeoutError())
        await asyncio.sleep(0)  # the delivery callbacks run on the loop

    asyncio.run(run())
    assert producer.sent[0] == (topic, b"a-1", contracts.encode(ARTICLE), {"h": b"1"})
    assert REGISTRY.get_sample_value("khabar_send_errors_total", {"topic": topic}) == failed_before + 1
    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "b'a-2'" in error.getMessage() and topic in error.getMessage()
