"""CRF attributes for one token, built so the costly part is computed once per word form.

Every attribute of a token is either a property of a word seen at a fixed offset from it
("-1:w=وزیر") or a property of the position itself (a gazetteer span covering it, the word
bigram ending at it). Word properties are cached by folded form, so a news stream, which
repeats its vocabulary all day, pays for each word only once.
"""
from __future__ import annotations

import re

from . import gazetteers
from .forms import fold

_PERSIAN = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z]")

BOS, EOS = "<s>", "</s>"
OFFSETS = (-2, -1, 0, 1, 2)
PAD = 2  # how many BOS/EOS words surround a sentence so every offset lands on a word


def _shape(word: str) -> str:
    if word.isdigit() or set(word) <= set("0.,/٫:-"):
        return "num"
    if _PERSIAN.search(word):
        return "fa"
    if _LATIN.search(word):
        return "lat"
    return "punct" if not any(c.isalnum() for c in word) else "other"


def word_properties(folded: str, clusters: dict[str, tuple[str, ...]]) -> dict[int, list[str]]:
    """Attributes a word contributes to the tokens at each offset from it (offset = its
    position relative to the token being labelled)."""
    if folded in (BOS, EOS):
        return {k: [f"{k}:w={folded}"] for k in OFFSETS}
    shape = _shape(folded)
    lexical = [f"w={folded}", f"shape={shape}"]
    word_clusters = clusters.get(folded, ())
    lexical += [f"c{i}={c}" for i, c in enumerate(word_clusters)]
    lexical += [f"gaz={g}" for g in gazetteers.word_classes(folded)]
    own = ["bias", *lexical, f"len={min(len(folded), 8)}"]
    if shape == "fa":
        own += [f"p{n}={folded[:n]}" for n in (1, 2, 3) if len(folded) > n]
        own += [f"s{n}={folded[-n:]}" for n in (1, 2, 3, 4) if len(folded) > n]
    # Far neighbours are worth their identity and coarse clusters; near ones everything
    # but the affixes (neighbours' affixes lowered PEYMA dev F1).
    near = lexical
    far = [f"w={folded}", *(f"c{i}={c}" for i, c in enumerate(word_clusters[:2]))]
    far += [f"gaz={g}" for g in gazetteers.word_classes(folded)]
    return {
        0: own,
        -1: [f"-1:{a}" for a in near], 1: [f"1:{a}" for a in near],
        -2: [f"-2:{a}" for a in far], 2: [f"2:{a}" for a in far],
    }


PAIR_TO_LEFT, PAIR_TO_RIGHT = "0|1:w=", "-1|0:w="


def pair_key(left: str, right: str) -> str:
    return f"{left}|{right}"


def pair_properties(left: str, right: str) -> tuple[list[str], list[str]]:
    """Attributes two neighbouring words give the left one's position and the right one's.

    A word pair says more than its two words: "جام جم" is a newspaper, "جام" and "جم"
    are not names alone."""
    pair = pair_key(left, right)
    return [PAIR_TO_LEFT + pair], [PAIR_TO_RIGHT + pair]


def position_attributes(folded: list[str]) -> list[list[str]]:
    """Attributes of each position that depend on more than one word."""
    attrs = [[] for _ in folded]
    for start, end, kind in gazetteers.find_spans(tuple(folded)):
        attrs[start].append(f"span=B-{kind}")
        for i in range(start + 1, end):
            attrs[i].append(f"span=I-{kind}")
    return attrs


def sentence_attributes(tokens: list[str], clusters) -> list[list[str]]:
    """Full attribute lists, as python-crfsuite trains on them."""
    folded = [fold(t) for t in tokens]
    padded = [BOS] * PAD + folded + [EOS] * PAD
    props = [word_properties(w, clusters) for w in padded]
    rows = position_attributes(folded)
    for i, row in enumerate(rows):
        for k in OFFSETS:
            row.extend(props[i + PAD + k][k])
    # The pairs with the padding word on either side of the sentence count too.
    for i in range(-1, len(rows)):
        to_left, to_right = pair_properties(padded[i + PAD], padded[i + PAD + 1])
        if i >= 0:
            rows[i].extend(to_left)
        if i + 1 < len(rows):
            rows[i + 1].extend(to_right)
    return rows
