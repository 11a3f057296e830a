"""Readable one-screen summaries of Khabar's events, for `khabar consume --format pretty`."""
from __future__ import annotations

from collections import Counter

EXCERPT = 160


def _excerpt(text: str, width: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def pretty(value: dict | None, raw: bytes | None = None) -> str:
    if value is None:
        return f"✗ not a JSON object ({len(raw or b'')} bytes)"
    kind = str(value.get("schema_version", "")).partition("/")[0]
    render = {"enriched-article": _enriched, "quote-event": _quote, "dead-letter": _dead_letter}.get(kind, _article)
    return render(value)


def _article(value: dict) -> str:
    return f"■ {value.get('title', '')}  [{value.get('id', '?')}]\n  {_excerpt(value.get('body', ''))}"


def _enriched(value: dict) -> str:
    lines = [f"■ {value['title']}  [{value['id']}]"]
    attribution = [value.get("source_agency")] + value.get("cited_sources", [])
    if any(attribution):
        lines.append("  source: " + " ← ".join(a for a in attribution if a))
    lines.append(f"  entities ({len(value['entities'])}):")
    for entity in value["entities"]:
        spellings = Counter(_mention_text(value, m) for m in entity["mentions"])
        others = ", ".join(s for s in spellings if s != entity["text"])
        lines.append(f"    {entity['type']:<3} {entity['text']} ×{len(entity['mentions'])}"
                     + (f"  (as {others})" if others else ""))
    lines.append(f"  quotes ({len(value['quotes'])}):")
    lines += [f"    {_quote_line(q)}" for q in value["quotes"]]
    timing = value.get("pipeline", {}).get("timing_ms", {})
    lines.append("  took " + ", ".join(f"{stage} {ms:.1f} ms" for stage, ms in timing.items()))
    return "\n".join(lines)


def _mention_text(article: dict, mention: dict) -> str:
    return article[mention["field"]][mention["start"]:mention["end"]]


def _quote_line(quote: dict) -> str:
    speaker = quote.get("speaker") or (f"({quote['speaker_description']})" if quote.get("speaker_description")
                                       else "(unknown speaker)")
    return f"{speaker} [{quote['kind']}, {quote['cue']}]: «{_excerpt(quote['text'])}»"


def _quote(value: dict) -> str:
    return f"❝ {_quote_line(value)}  [{value['quote_id']}]"


def _dead_letter(value: dict) -> str:
    origin = value.get("origin", {})
    return (f"✗ {value['stage']}: {value['reason']}: {value['error']}\n"
            f"  from {origin.get('topic')}[{origin.get('partition')}]@{origin.get('offset')} at {value['timestamp']}")
