"""Reading and writing CoNLL-style files: one "token TAG" (or "token|TAG") line per token."""
from __future__ import annotations

import re
from pathlib import Path

_TAG = re.compile(r"O|[BIbi][-_][A-Za-z]+")
_SPACES = re.compile(r"\s+")


def _split_line(line: str) -> tuple[str, str]:
    """The tag is the last field; the token before it may itself hold spaces (PEYMA: "روش های|O")."""
    head, bar, last = line.rpartition("|")
    if bar and head and _TAG.fullmatch(last):
        return head, last
    head, _, last = _SPACES.sub(" ", line).rpartition(" ")
    if head and _TAG.fullmatch(last):
        return head, last
    return line, "O"  # a line without a readable tag is still a token


def normalize_tag(tag: str) -> str:
    """IOB2 with a hyphen and an upper-case type: B_per -> B-PER."""
    if tag == "O":
        return tag
    prefix, _, kind = tag.replace("_", "-").partition("-")
    return f"{prefix.upper()}-{kind.upper()}"


def read_conll(path) -> list[list[tuple[str, str]]]:
    sentences, current = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            if current:
                sentences.append(current)
                current = []
            continue
        token, tag = _split_line(line)
        current.append((_SPACES.sub(" ", token).strip(), normalize_tag(tag)))
    if current:
        sentences.append(current)
    return sentences
