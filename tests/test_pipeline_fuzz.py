"""Whatever text arrives, the core either enriches it with offsets that hold, or the edge rejects it."""
from hypothesis import HealthCheck, given, settings, strategies as st

from streams import contracts, stages
from streams.core import pipeline

PIECES = ["وزیر", "گفت", ":", "«", "»", "خبرگزاری", "به گزارش", "به گفته", "او", "وی", "تهران", "سازمان",
          "\u200c", " ", "\n", "<p>", "</div>", "&nbsp;", "www.example.org", "3.5", "۱۲", "ي", "ك", "…",
          "a@b.co", "Reuters", "!!!", "؟", "،", "\u200f", "\ufeff", "سید", "به خبرنگار", "کشور", "رژیم", "انگلیس",
          "الدین", "نور", "علی رغم", "ال", "امارات متحده", "رئیس", "اما", "؛"]
text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=40).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=text, body=text)
def test_any_text_is_enriched_or_rejected_with_a_reason(title, body):
    try:
        enriched = stages.enrich({"title": title, "body": body})
    except contracts.Rejected as rejected:
        assert rejected.reason in {"invalid_schema", "too_large"}, rejected.error
        return
    for entity in enriched["entities"]:
        for mention in entity["mentions"]:
            assert 0 <= mention["start"] < mention["end"] <= len(enriched[mention["field"]])
    for quote in enriched["quotes"]:
        assert enriched[quote["field"]][quote["start"]:quote["end"]] == quote["text"]


def test_a_two_megabyte_body_of_unbalanced_quotes_and_cues_goes_through():
    body = ("به گزارش خبرگزاری نمونه، وزیر گفت: «این " * 20_000) + "پایان."
    enriched = pipeline.enrich({"id": "big", "title": "تیتر", "body": body})
    assert len(enriched["body"]) > 500_000


def test_empty_and_invisible_text_give_empty_results():
    enriched = pipeline.enrich({"id": "blank", "title": "\u200c\u200f", "body": "\ufeff \u200c "})
    assert enriched["entities"] == [] and enriched["quotes"] == []
