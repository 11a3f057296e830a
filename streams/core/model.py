"""The values the NLP stages hand to each other and to the enriched event."""
from __future__ import annotations

from dataclasses import dataclass, field

FIELDS = ("title", "body")


@dataclass(frozen=True)
class Mention:
    """Where an entity occurs: character offsets into a normalized field."""

    field: str
    start: int
    end: int


@dataclass
class Entity:
    """One real-world person, organization or place, under its canonical name."""

    text: str
    type: str  # PER, ORG or LOC
    mentions: list[Mention] = field(default_factory=list)

    def to_dict(self) -> dict:
        # by hand: dataclasses.asdict deep-copies every value and cost 2% of a worker's time
        return {"text": self.text, "type": self.type,
                "mentions": [{"field": m.field, "start": m.start, "end": m.end} for m in self.mentions]}


@dataclass
class Quote:
    """Something a speaker said, with offsets of the quoted text in a normalized field."""

    text: str
    speaker: str | None  # canonical entity name, None when nobody fitting is found
    kind: str  # direct or indirect
    cue: str
    field: str
    start: int
    end: int
    # the words that describe a speaker with no canonical name: «یک مقام آمریکایی», «استاندار ...»
    speaker_description: str | None = None

    def to_dict(self) -> dict:
        return dict(vars(self))  # its fields are all plain values
