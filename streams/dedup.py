"""Duplicate articles: the same article again under its own id, or its text again under a new id.

Pure logic, no Kafka: the extract agent keeps one `claim` per content fingerprint in a Faust table
(backed by its changelog topic) and asks `judge` about every normalized article before enriching it.

The fingerprint is the normalized topic's key, so every copy of one text lands on the same partition,
hence on the same table partition, whichever id it carries and whichever worker owns it.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone

SAME_ID, SAME_CONTENT = "same_id", "same_content"
NOTICE_VERSION = "duplicate-notice/1"

# Marks that change nothing a reader sees: soft hyphen, zero-width and bidi controls, BOM.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+")


def _folded(text: str) -> str:
    return " ".join(_INVISIBLE.sub("", text).split()).casefold()


_FINGERPRINT = re.compile("[0-9a-f]{32}")


def fingerprint(article: dict) -> str:
    """Hex digest of the normalized title and body, blind to invisible marks, spacing and case."""
    folded = f"{_folded(article['title'])}\x00{_folded(article['body'])}"
    return hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprint_of(key: bytes | None, article: dict) -> str:
    """The fingerprint a normalized event's key carries, or the article's own when the key is not one
    (a producer other than the normalize agent wrote the event)."""
    digest = key.decode("ascii", "replace") if key else ""
    return digest if _FINGERPRINT.fullmatch(digest) else fingerprint(article)


def claim(article_id: str, partition: int | None, offset: int | None) -> dict:
    """What the table remembers of the first event that carried a text: its id and where it was read."""
    return {"id": article_id, "partition": partition, "offset": offset}


def judge(first: dict | None, article_id: str, partition: int | None, offset: int | None) -> str | None:
    """None when this event is to be enriched, else why it is a duplicate (SAME_ID or SAME_CONTENT).

    The claiming event itself, read again after a crash (same partition and offset), is not a
    duplicate: its enriched output may never have been sent, and re-sending it under its key is harmless.
    """
    if first is None or (first["partition"], first["offset"]) == (partition, offset):
        return None
    return SAME_ID if first["id"] == article_id else SAME_CONTENT


def notice(article: dict, reason: str, first: dict, digest: str) -> dict:
    """The event forwarded to the duplicates topic: which article repeats which, and why."""
    context = {key: article[key] for key in ("url", "source", "published_at") if key in article}
    return {
        "schema_version": NOTICE_VERSION,
        "id": article["id"],
        "duplicate_of": first["id"],
        "reason": reason,
        "fingerprint": digest,
        "title": article["title"],
        **context,
        "timestamp": datetime.now(timezone.utc).isoformat(),
    }
