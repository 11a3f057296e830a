"""Articles from files, folders and stdin: JSON, JSON Lines, and scraped .txt layouts."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import orjson

SUFFIXES = {".json", ".jsonl", ".ndjson", ".txt"}


@dataclass(frozen=True)
class Item:
    """One article read, or why the input at `origin` could not be read as one."""

    origin: str  # path, with :line for JSON Lines
    article: dict | None = None
    error: str | None = None


def read_articles(paths: Iterable[str]) -> Iterator[Item]:
    for name in paths:
        if name == "-":
            yield from _parse("<stdin>", sys.stdin.buffer.read(), suffix=None)
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not files:
                yield Item(name, error=f"no {', '.join(sorted(SUFFIXES))} files in this folder")
            for file in files:
                yield from _parse(str(file), file.read_bytes(), file.suffix.lower())
        elif path.is_file():
            yield from _parse(name, path.read_bytes(), path.suffix.lower())
        else:
            yield Item(name, error="no such file or folder")


def _parse(origin: str, data: bytes, suffix: str | None) -> Iterator[Item]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Item(origin, error=f"not UTF-8 text: {exc}")
        return
    stripped = text.lstrip()
    if suffix == ".txt" or (suffix is None and not stripped.startswith(("{", "["))):
        yield _scraped_text(origin, text)
    elif suffix in (".jsonl", ".ndjson") or (suffix is None and "\n{" in stripped.rstrip()):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield _json_item(f"{origin}:{number}", line)
    else:
        yield from _json_document(origin, text)


def _json_document(origin: str, text: str) -> Iterator[Item]:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        yield Item(origin, error=f"malformed JSON: {exc}")
        return
    rows = value if isinstance(value, list) else [value]
    for index, row in enumerate(rows):
        where = f"{origin}[{index}]" if isinstance(value, list) else origin
        yield Item(where, article=row) if isinstance(row, dict) else Item(where, error="not a JSON object")


def _json_item(origin: str, line: str) -> Item:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Item(origin, error=f"malformed JSON: {exc}")
    return Item(origin, article=value) if isinstance(value, dict) else Item(origin, error="not a JSON object")


def _scraped_text(origin: str, text: str) -> Item:
    """A scraped article as saved from a page: its first line is the title, the rest the body.

    The body keeps whatever the scraper left (a repeated title, the agency line, footers such as
    «منبع خبر: …»): cleaning them up is the normalize stage's job, so it happens for every producer.
    """
    title, _, body = text.strip().partition("\n")
    return Item(origin, article={"title": title.strip(), "body": body.strip()})
