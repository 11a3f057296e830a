"""The JSON Schemas in schemas/, applied at the edges, and the orjson wire format."""
from __future__ import annotations

import hashlib
from functools import cache

import orjson
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .config import settings

RAW, NORMALIZED, ENRICHED, QUOTE, DEAD_LETTER = (
    "raw-article", "normalized-article", "enriched-article", "quote-event", "dead-letter")


class Rejected(Exception):
    """An event Khabar will not process; `reason` is one of the dead-letter reasons."""

    def __init__(self, reason: str, error: str):
        super().__init__(error)
        self.reason = reason
        self.error = error


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(settings.schema_dir.glob("*.v*.json")):
        schema = orjson.loads(path.read_bytes())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(name: str, version: int = 1) -> Draft202012Validator:
    schema = _registry().contents(f"urn:khabar:schema:{name}:v{version}")
    return Draft202012Validator(schema, registry=_registry())


def validate(name: str, value) -> None:
    """Raise Rejected(invalid_schema) naming the first problem found, with its path."""
    error = next(iter(validator(name).iter_errors(value)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise Rejected("invalid_schema", f"{name} schema: {where}: {error.message[:300]}")


def encode(value) -> bytes:
    return orjson.dumps(value)


def decode(data: bytes | None) -> dict:
    """JSON object from message bytes; Rejected(undecodable) says why it is not one."""
    if data is None:
        raise Rejected("undecodable", "empty message (no value)")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise Rejected("undecodable", f"not UTF-8: {bad}") from None
        raise Rejected("undecodable", f"malformed JSON: {exc}") from None
    if not isinstance(value, dict):
        raise Rejected("undecodable", f"expected a JSON object, got {type(value).__name__}")
    return value


def with_article_id(article: dict) -> dict:
    """The article with an id: its own, else derived from its url, else from its content."""
    if article.get("id"):
        return article
    basis = article.get("url") or f"{article.get('title', '')}\n{article.get('body', '')}"
    return {"id": hashlib.sha256(str(basis).encode()).hexdigest()[:24], **article}
