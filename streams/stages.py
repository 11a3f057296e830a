"""The two processing steps with their edge checks, shared by the Faust agents and `khabar enrich`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import contracts
from .config import settings
from .contracts import Rejected
from .core import pipeline


@dataclass(frozen=True)
class Stage:
    name: str
    accepts: str  # schema of the input event
    produces: str  # schema of the output event
    step: Callable[[dict], dict]

    def process(self, value: dict) -> dict:
        """The output event, or Rejected saying why the input cannot be processed."""
        contracts.validate(self.accepts, value)
        for field in ("title", "body"):
            if len(value[field]) > settings.max_body_chars:
                raise Rejected("too_large", f"{field} has {len(value[field]):,} characters; "
                                            f"the limit is KHABAR_MAX_BODY_CHARS={settings.max_body_chars:,}")
        try:
            result = self.step(value)
        except Exception as exc:  # any failure inside the NLP core dead-letters this one event only
            raise Rejected("stage_error", f"{type(exc).__name__}: {exc}") from exc
        contracts.validate(self.produces, result)
        return result


NORMALIZE = Stage("normalize", contracts.RAW, contracts.NORMALIZED,
                  lambda article: pipeline.normalize(contracts.with_article_id(article)))
EXTRACT = Stage("extract", contracts.NORMALIZED, contracts.ENRICHED, pipeline.extract)


def enrich(article: dict) -> dict:
    """Both stages in one go, exactly as the agents chain them."""
    return EXTRACT.process(NORMALIZE.process(article))


def quote_events(enriched: dict) -> list[dict]:
    """One news.quotes event per quote; quote_id makes a replay overwrite, not duplicate."""
    context = {key: enriched[key] for key in ("url", "source", "published_at") if key in enriched}
    return [
        {
            "schema_version": "quote-event/1",
            "quote_id": f"{enriched['id']}#{index}",
            "article_id": enriched["id"],
            **quote,
            "title": enriched["title"],
            **context,
        }
        for index, quote in enumerate(enriched["quotes"])
    ]
