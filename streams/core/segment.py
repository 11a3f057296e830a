"""Tokens and sentences with character offsets, so every later stage can point into the text."""
from __future__ import annotations

import re
from typing import NamedTuple

# A word is a run of letters, marks and digits, glued by ZWNJ or by an inner dot/slash
# between digits (3.5, 1402/05/12) so numbers and dates stay one token.
_TOKEN = re.compile(r"\d+(?:[.,/٫]\d+)*|[\w\u200c]+(?<!\u200c)|[^\w\s\u200c]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?؟…]+[»\"”)]*(?=\s|$)|\n+")


class Token(NamedTuple):
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_texts(text: str, start: int = 0, end: int | None = None) -> list[str]:
    """The texts of the tokens of text[start:end]: tokenize's words without building a
    Token for each, for loops that see every word of a stream."""
    return _TOKEN.findall(text, start, len(text) if end is None else end)


def token_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of the tokens of text[start:end], as offsets into text."""
    return [m.span() for m in _TOKEN.finditer(text, start, len(text) if end is None else end)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, trimmed of surrounding whitespace."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed
