import pytest
from jsonschema import Draft202012Validator

from streams import contracts
from streams.config import settings
from streams.contracts import Rejected


@pytest.mark.parametrize("path", sorted(settings.schema_dir.glob("*.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_json_schema(path):
    Draft202012Validator.check_schema(contracts.orjson.loads(path.read_bytes()))


@pytest.mark.parametrize("data, why", [
    (b"{\"title\": ", "malformed JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"[1, 2]", "expected a JSON object"),
    (None, "empty message"),
])
def test_decode_names_what_is_wrong(data, why):
    with pytest.raises(Rejected) as caught:
        contracts.decode(data)
    assert caught.value.reason == "undecodable"
    assert why in caught.value.error


def test_decode_round_trips_persian_text():
    article = {"title": "خبر فوری", "body": "متن\u200cخبر"}
    assert contracts.decode(contracts.encode(article)) == article


def test_raw_schema_names_the_missing_field():
    with pytest.raises(Rejected) as caught:
        contracts.validate(contracts.RAW, {"title": "تیتر"})
    assert caught.value.reason == "invalid_schema"
    assert caught.value.error.startswith("raw-article schema: (top level):")
    assert "body" in caught.value.error


def test_raw_schema_points_at_the_bad_field():
    with pytest.raises(Rejected) as caught:
        contracts.validate(contracts.RAW, {"title": "تیتر", "body": 42})
    assert caught.value.error.startswith("raw-article schema: body:")


def test_article_id_is_kept_when_given():
    assert contracts.with_article_id({"id": "a-1", "title": "t", "body": "b"})["id"] == "a-1"


def test_article_id_derives_from_url_before_content():
    first = contracts.with_article_id({"url": "https://example.org/1", "title": "t", "body": "b"})
    same_url = contracts.with_article_id({"url": "https://example.org/1", "title": "t2", "body": "b2"})
    assert first["id"] == same_url["id"]


def test_article_id_from_content_differs_between_articles():
    one = contracts.with_article_id({"title": "t", "body": "b"})
    other = contracts.with_article_id({"title": "t", "body": "c"})
    assert one["id"] != other["id"]
    assert one["id"] == contracts.with_article_id({"title": "t", "body": "b"})["id"]
