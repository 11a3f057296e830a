import pytest

from streams import contracts, stages
from streams.config import settings
from streams.contracts import Rejected

ARTICLE = {
    "id": "unit-1",
    "url": "https://example.org/news/1",
    "title": "وزیر نیرو: مصرف برق رکورد زد",
    "body": "به گزارش خبرگزاری نمونه، مهدی کریمی وزیر نیرو روز یکشنبه گفت: «مصرف برق کشور امروز رکورد زد.»",
}


def test_enrich_keeps_raw_fields_and_emits_valid_events():
    enriched = stages.enrich(ARTICLE)
    contracts.validate(contracts.ENRICHED, enriched)
    assert enriched["id"] == "unit-1" and enriched["url"] == ARTICLE["url"]
    for quote in stages.quote_events(enriched):
        contracts.validate(contracts.QUOTE, quote)


def test_every_offset_points_into_the_normalized_text():
    enriched = stages.enrich(ARTICLE)
    for entity in enriched["entities"]:
        for mention in entity["mentions"]:
            assert enriched[mention["field"]][mention["start"]:mention["end"]]
    for quote in enriched["quotes"]:
        assert enriched[quote["field"]][quote["start"]:quote["end"]] == quote["text"]


def test_the_agency_found_by_normalization_is_never_a_speaker():
    article = {"id": "unit-2", "title": "بازار",
               "body": "به گزارش خبرگزاری نمونه، بازار امروز آرام بود.\n"
                       "خبرگزاری نمونه در گزارشی نوشت که قیمت‌ها ثابت مانده است."}
    enriched = stages.enrich(article)
    assert enriched["source_agency"] == "خبرگزاری نمونه"
    assert enriched["quotes"] and all(quote["speaker"] is None for quote in enriched["quotes"])


def test_article_without_id_gets_one_from_its_url():
    article = {key: value for key, value in ARTICLE.items() if key != "id"}
    assert stages.enrich(article)["id"] == contracts.with_article_id(article)["id"]


def test_quote_events_are_keyed_for_idempotent_replay():
    enriched = {"id": "a1", "title": "t", "url": "u", "quotes": [
        {"text": "x", "speaker": None, "kind": "direct", "cue": "گفت", "field": "body", "start": 0, "end": 1},
        {"text": "y", "speaker": "S", "kind": "indirect", "cue": "افزود", "field": "body", "start": 2, "end": 3}]}
    events = stages.quote_events(enriched)
    assert [e["quote_id"] for e in events] == ["a1#0", "a1#1"]
    assert all(e["article_id"] == "a1" and e["url"] == "u" for e in events)


def test_schema_invalid_input_is_rejected_before_the_core_runs():
    with pytest.raises(Rejected) as caught:
        stages.NORMALIZE.process({"title": "بدون متن"})
    assert caught.value.reason == "invalid_schema"


def test_huge_body_is_rejected_as_too_large():
    article = {**ARTICLE, "body": "خبر " * (settings.max_body_chars // 4 + 1)}
    with pytest.raises(Rejected) as caught:
        stages.NORMALIZE.process(article)
    assert caught.value.reason == "too_large"
    assert "KHABAR_MAX_BODY_CHARS" in caught.value.error


def test_a_failure_inside_a_stage_becomes_a_stage_error():
    def explode(article):
        raise ValueError("boom")

    broken = stages.Stage("normalize", contracts.RAW, contracts.NORMALIZED, explode)
    with pytest.raises(Rejected) as caught:
        broken.process(ARTICLE)
    assert (caught.value.reason, caught.value.error) == ("stage_error", "ValueError: boom")


def test_a_speaker_named_again_by_surname_alone_gets_the_quote_after_another_speaker():
    body = ("کامران پاییزی، مدیر موزه شهر، به خبرنگاران گفت: بازدید از موزه رایگان است. "
            "نادر گلستانی، عضو شورای شهر، نیز گفت: بودجه موزه کافی نیست. "
            "پاییزی در ادامه تصریح کرد: ساعت کار موزه افزایش یافت.")
    enriched = stages.enrich({"id": "unit-2", "title": "موزه", "body": body})
    assert [q["speaker"] for q in enriched["quotes"]] == ["کامران پاییزی", "نادر گلستانی", "کامران پاییزی"]
