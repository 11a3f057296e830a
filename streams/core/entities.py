"""Entities stage: people, organizations and places of an article, each under one name.

1. The CRF (streams.core.ner) tags every sentence of the title and body.
2. Rules on top: gazetteer names the CRF missed are added, and a place named inside an
   organization's name («سفارت ژاپن») is an entity of its own too.
3. Consolidation: mentions that name the same thing become one Entity whose text is the
   fullest form seen. Spelling variants (ي/ی, ك/ک, آ/ا, ZWNJ or space) share a key; a lone
   surname joins the full name it ends; a short organization name joins the long one it
   abbreviates (a bare «X» after «خبرگزاری X», an acronym declared in parentheses).
4. Every further occurrence of a consolidated name is added as a mention.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import FIELDS, Entity, Mention
from .ner import gazetteers
from .ner.forms import fold
from .ner.tagging import default_tagger
from .segment import _TOKEN as TOKEN
from .segment import sentence_spans

TYPES = ("PER", "ORG", "LOC")
OPENING, CLOSING = "(", ")"
# Words that never begin or end a name, though taggers let them in at the edges.
EDGE_WORDS = frozenset(fold(w) for w in "و در از به با که را برای تا یا این آن اين ان".split())
DIRECTIONS = frozenset(fold(w) for w in "شمال جنوب شرق غرب مرکز شمال‌غرب شمال‌شرق جنوب‌غرب جنوب‌شرق".split())
GOVERNMENT_HEADS = frozenset(fold(w) for w in "دولت کابینه حکومت رژیم".split())
BRACKETS = frozenset('«»"()[]{}“”')
NAME_CLASSES = frozenset({"first", "place-name", "org-name"})
NOT_PERSONAL = frozenset({"place-name", "org-name", "orghead", "placehead"})
# The world is no named place, though PEYMA tags «جهان» as one.
NOT_NAMES = frozenset(fold(w) for w in "جهان دنیا عالم".split())
MIN_REPEATED_NAME = 3  # letters; shorter names are too often plain words to look for again


@dataclass
class _Span:
    field: str
    start: int  # character offsets into the field
    end: int
    kind: str
    words: tuple[str, ...]  # folded tokens: the span's identity, whatever its spelling
    tagged: bool = True  # found by the tagger, not only by a gazetteer (which is weaker evidence of type)

    @property
    def key(self) -> str:
        return "".join(self.words)


@dataclass
class _Sentence:
    field: str
    tokens: list[tuple[int, int]]  # (start, end) of each token in the field
    folded: list[str]


def _sentences(fields: dict[str, str]) -> list[_Sentence]:
    sentences = []
    for field in FIELDS:
        text = fields.get(field) or ""
        # segment.tokenize's tokens, as bare offsets: building a Token per word costs more
        # than this whole stage may spend on tokenizing.
        offsets, n = [m.span() for m in TOKEN.finditer(text)], 0
        for _, end in sentence_spans(text):
            first = n
            while n < len(offsets) and offsets[n][0] < end:
                n += 1
            if n > first:
                spans = offsets[first:n]
                sentences.append(_Sentence(field, spans, [fold(text[a:b]) for a, b in spans]))
    return sentences


def _iob_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    spans, start, kind = [], None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, t = tag.partition("-")
        if start is not None and (prefix != "I" or t != kind):
            spans.append((start, i, kind))
            start = None
        if prefix == "B" or (prefix == "I" and start is None):
            start, kind = i, t
    return spans


def _is_word(folded: str) -> bool:
    return any(c.isalpha() for c in folded)


def _classes(word: str) -> frozenset[str]:
    return gazetteers.word_classes(word)


def _trim(words: list[str], i: int, j: int, kind: str) -> tuple[int, int]:
    """Narrow a span to its name: no function words or honorifics at its edges («دفتر
    دکتر» before a name), none before a person either, no compass word before a place
    («جنوب کرمان» names Kerman), no everyday word ending a person's name."""
    while i < j and (words[i] in EDGE_WORDS or (kind == "PER" and "title" in _classes(words[i]))
                     or (kind == "LOC" and words[i] in DIRECTIONS and j - i > 1)):
        i += 1
    while j > i and (words[j - 1] in EDGE_WORDS or "title" in _classes(words[j - 1]) or (
            kind == "PER" and gazetteers.is_common_word(words[j - 1]) and not _is_name_word(words[j - 1]))):
        j -= 1
    return i, j


def _is_name_word(word: str) -> bool:
    """A first name, or a name all by itself in a gazetteer."""
    return bool(_classes(word) & NAME_CLASSES)


def _looks_personal(words: list[str]) -> bool:
    """A first name, or no everyday word, name or head word (a foreign name), as opposed
    to «امید ملی» or «جمهوری اسلامی پاکستان»."""
    if "first" in _classes(words[0]):
        return True
    return not any(gazetteers.is_common_word(w) or _classes(w) & NOT_PERSONAL for w in words)


def _unambiguous_names(words: list[str]) -> list[tuple[int, int, str]]:
    """Gazetteer names of one kind only: «مهر» (a month and a news agency) is left to the CRF."""
    spans = gazetteers.find_spans(tuple(words))
    counts = Counter((i, j) for i, j, _ in spans)
    return [(i, j, kind) for i, j, kind in spans if counts[i, j] == 1]


def _coordinated(words: list[str], i: int, j: int, kind: str) -> list[tuple[int, int, str]]:
    """«ناتو و یونیسف» as two names when a side of the «و» is a known name and the whole is not."""
    known = {(a + i, b + i): k for a, b, k in _unambiguous_names(words[i:j])}
    if (i, j) not in known:
        for n in range(i + 1, j - 1):
            if words[n] == "و" and ((i, n) in known or (n + 1, j) in known):
                return [(i, n, known.get((i, n), kind)), (n + 1, j, known.get((n + 1, j), kind))]
    return [(i, j, known.get((i, j), kind))]


def _repair(words: list[str], i: int, j: int, kind: str) -> list[tuple[int, int, str]]:
    """The names inside one span the CRF proposed (none, one or several)."""
    if kind == "ORG" and i and "title" in _classes(words[i - 1]) and "orghead" not in _classes(words[i]):
        return []  # «وزیر [خارجه کانادا]» describes a person's office, it names no organization
    if kind == "ORG" and words[i] in GOVERNMENT_HEADS and j - i > 2 and _looks_personal(words[i + 1:j]):
        return _repair(words, i + 1, j, "PER")  # «دولت جیمز مونرو» is a person's administration
    pieces, start = [], i
    for n in range(i, j + 1):
        if n == j or words[n] in BRACKETS:  # quotes and brackets end a name
            if start < n:
                pieces.append((start, n, kind) if (start, n) == (i, j) else _coordinated(words, start, n, kind)[0])
            start = n + 1
    if len(pieces) == 1:
        pieces = _coordinated(words, i, j, kind)
    repaired = []
    for a, b, piece_kind in pieces:
        a, b = _trim(words, a, b, piece_kind)
        if a == b or all(_classes(w) & {"orghead", "title", "placehead"} for w in words[a:b]):
            continue  # a generic noun («شبکه») is not a name
        if b - a == 1 and (words[a] in NOT_NAMES or (
                gazetteers.is_common_word(words[a], top=500) and not _is_name_word(words[a]))):
            continue  # nor is an everyday word alone («جمهوری», «خیابان»)
        repaired.append((a, b, piece_kind))
    return repaired


def _sentence_spans(sentence: _Sentence, tags: list[str]) -> list[_Span]:
    words = sentence.folded
    tagged = [(i, j, kind) for i, j, kind in _iob_spans(tags) if kind in TYPES]
    found = [(a, b, kind, True) for i, j, kind in tagged for a, b, kind in _repair(words, i, j, kind)]
    taken = {t for i, j, _, _ in found for t in range(i, j)}
    for i, j, kind in tagged:
        if kind == "ORG":  # «سفارت ژاپن»: the place is an entity of its own
            found += [(i + a, i + b, "LOC", False) for a, b, k in _unambiguous_names(words[i:j])
                      if k == "LOC" and (a, b) != (0, j - i)]
    for i, j, kind in _unambiguous_names(words):
        # One word is too weak a cue for an organization («مهر» is also a month).
        single_ok = kind == "LOC" and not gazetteers.is_common_word(words[i])
        if not taken.intersection(range(i, j)) and (j - i > 1 or single_ok):
            found.append((i, j, kind, False))
            taken.update(range(i, j))
    return [_Span(sentence.field, sentence.tokens[i][0], sentence.tokens[j - 1][1],
                  kind, tuple(words[i:j]), tagged) for i, j, kind, tagged in found]


class _Group:
    """Mentions believed to name one entity."""

    def __init__(self) -> None:
        self.spans: list[_Span] = []
        self.words: tuple[str, ...] = ()

    def add(self, span: _Span) -> None:
        self.spans.append(span)
        if len(span.words) > len(self.words):
            self.words = span.words

    def absorb(self, other: _Group) -> None:
        for span in other.spans:
            self.add(span)

    @property
    def kind(self) -> str:
        tagged = [s.kind for s in self.spans if s.tagged] or [s.kind for s in self.spans]
        return Counter(tagged).most_common(1)[0][0]


def _short_forms(words: tuple[str, ...], kind: str) -> list[tuple[str, ...]]:
    """Shorter names a writer uses for an entity once its full name is known."""
    if kind == "PER":
        return [words[k:] for k in range(1, len(words))]  # «کاظمی» for «نادر کاظمی»
    if kind == "ORG" and len(words) > 1:
        forms = [words[:k] for k in range(2, len(words))]  # «شورای عالی» for «شورای عالی فضای مجازی»
        if "orghead" in gazetteers.word_classes(words[0]):
            forms.append(words[1:])  # «ایسنا» for «خبرگزاری ایسنا»
        return forms
    return []


def _acronyms(sentences: list[_Sentence], spans: list[_Span]) -> dict[str, str]:
    """Key of a one-word name in parentheses right after an organization -> that organization's key."""
    ends = {(s.field, s.end): s for s in spans if s.kind == "ORG" and len(s.words) > 1}
    declared = {}
    for sentence in sentences:
        tokens, folded = sentence.tokens, sentence.folded
        for n in range(1, len(tokens) - 2):
            if folded[n] == OPENING and folded[n + 2] == CLOSING and _is_word(folded[n + 1]):
                named = ends.get((sentence.field, tokens[n - 1][1]))
                if named:
                    declared[folded[n + 1]] = named.key
    return declared


def _consolidate(sentences: list[_Sentence], spans: list[_Span]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for span in spans:
        groups.setdefault(span.key, _Group()).add(span)
    longest_first = sorted(groups, key=lambda k: -len(groups[k].words))
    claimed: dict[str, str] = {}  # a short form -> the longest name that has it
    for key in longest_first:
        for words in _short_forms(groups[key].words, groups[key].kind):
            claimed.setdefault("".join(words), key)
    acronyms = _acronyms(sentences, spans)
    parent = {}
    for key in longest_first:
        full = acronyms.get(key) or claimed.get(key)
        # A parent has strictly more words than its child, so following parents always ends.
        if (full in groups and len(groups[full].words) > len(groups[key].words)
                and (key in acronyms or groups[full].kind == groups[key].kind)):
            parent[key] = full
    merged: dict[str, _Group] = {}
    for key in longest_first:
        root = key
        while root in parent:
            root = parent[root]
        merged.setdefault(root, _Group()).absorb(groups[key])
    return list(merged.values())


def _add_repeated_mentions(fields: dict[str, str], sentences: list[_Sentence], groups: list[_Group]) -> None:
    """Occurrences of an already recognised name that the tagger left untagged."""
    names: dict[str, list[tuple[tuple[str, ...], _Group]]] = {}
    for group in groups:
        for words in {s.words for s in group.spans}:
            if len("".join(words)) >= MIN_REPEATED_NAME:
                names.setdefault(words[0], []).append((words, group))
    for candidates in names.values():
        candidates.sort(key=lambda c: -len(c[0]))
    # One mark per character already inside a mention: a linear-time overlap test.
    marked = {field: bytearray(len(text)) for field, text in fields.items()}
    for group in groups:
        for span in group.spans:
            marked[span.field][span.start:span.end] = b"\1" * (span.end - span.start)
    for sentence in sentences:
        mask = marked[sentence.field]
        covered = {i for i, (start, _) in enumerate(sentence.tokens) if mask[start]}
        i = 0
        while i < len(sentence.folded):
            step = 1
            for words, group in names.get(sentence.folded[i], ()):
                j = i + len(words)
                if tuple(sentence.folded[i:j]) == words and not covered.intersection(range(i, j)):
                    group.add(_Span(sentence.field, sentence.tokens[i][0], sentence.tokens[j - 1][1],
                                    group.kind, words))
                    step = len(words)
                    break
            i += step


def _entity(group: _Group, fields: dict[str, str]) -> Entity:
    fullest = [s for s in group.spans if len(s.words) == len(group.words)]
    text = Counter(fields[s.field][s.start:s.end] for s in fullest).most_common(1)[0][0]
    mentions = sorted({Mention(s.field, s.start, s.end) for s in group.spans},
                      key=lambda m: (FIELDS.index(m.field), m.start))
    return Entity(text=text, type=group.kind, mentions=mentions)


def find_entities(fields: dict[str, str]) -> list[Entity]:
    """Entities of an article from its normalized fields ({"title": ..., "body": ...})."""
    fields = {field: fields.get(field) or "" for field in FIELDS}
    sentences = _sentences(fields)
    tags = default_tagger().tag_folded([s.folded for s in sentences])
    spans = [span for sentence, sentence_tags in zip(sentences, tags)
             for span in _sentence_spans(sentence, sentence_tags)]
    groups = _consolidate(sentences, spans)
    _add_repeated_mentions(fields, sentences, groups)
    entities = [_entity(group, fields) for group in groups]
    entities.sort(key=lambda e: (FIELDS.index(e.mentions[0].field), e.mentions[0].start))
    return entities
