"""CRF attributes for one token, built so the costly part is computed once per word form.

Every attribute of a token is either a property of a word seen at a fixed offset from it
("-1:w=وزیر"), a property of the position itself (a gazetteer span covering it), or a
property of a pair of neighbouring words it belongs to (the two words, their two clusters).
Word properties are cached by folded form, so a news stream, which repeats its vocabulary
all day, pays for each word only once; a pair's weights are looked up in tables.
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


# Attributes of a pair of neighbouring words go to the left one's position ("0|1:...") and
# to the right one's ("-1|0:..."); they name the two words or the two words' clusters.
PAIR_SIDES = ("0|1:", "-1|0:")
PAIR_WORDS, PAIR_CLUSTERS = "w=", "c="
PAIR_GRANULARITY = 1  # which of a word's clusters pairs are made of: the 256 (CLUSTER_SIZES)
UNCLUSTERED = "?"


def pair_key(left: str, right: str) -> str:
    return f"{left}|{right}"


def pair_cluster(folded: str, clusters: dict[str, tuple[str, ...]]) -> str:
    """What a word stands as in a cluster pair; the padding words stand as themselves."""
    if folded in (BOS, EOS):
        return folded
    word_clusters = clusters.get(folded)
    return word_clusters[PAIR_GRANULARITY] if word_clusters else UNCLUSTERED


def pair_properties(left: str, right: str, clusters) -> tuple[list[str], list[str]]:
    """Attributes two neighbouring words give the left one's position and the right one's.

    A word pair says more than its two words: "جام جم" is a newspaper, "جام" and "جم"
    are not names alone; a pair of clusters ("a first name, then an unclustered word")
    says it of pairs never seen in training."""
    words = PAIR_WORDS + pair_key(left, right)
    classes = PAIR_CLUSTERS + pair_key(pair_cluster(left, clusters), pair_cluster(right, clusters))
    return [PAIR_SIDES[0] + words, PAIR_SIDES[0] + classes], [PAIR_SIDES[1] + words, PAIR_SIDES[1] + classes]


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
        to_left, to_right = pair_properties(padded[i + PAD], padded[i + PAD + 1], clusters)
        if i >= 0:
            rows[i].extend(to_left)
        if i + 1 < len(rows):
            rows[i + 1].extend(to_right)
    return rows
