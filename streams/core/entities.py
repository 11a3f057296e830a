"""Entities stage: people, organizations and places of an article, each under one name.

1. The CRF (streams.core.ner) tags every sentence of the title and body.
2. Rules on top: gazetteer names of two or more words the CRF missed are added, a bare
   institution noun («مجلس») is an organization, a country's everyday short name («انگلیس») a
   place, and a place named inside an organization's name («سفارت ژاپن») is an entity of its own too.
3. Consolidation: mentions that name the same thing become one Entity whose text is the
   fullest form seen (by letters). Spelling variants (ي/ی, ك/ک, آ/ا, ZWNJ or space) share a key; a lone
   surname joins the full name it ends (an Arabic one also without its article «ال»); a short
   organization name joins the long one it abbreviates (a bare «X» after «خبرگزاری X» or «تیم
   فوتبال X», an acronym declared in parentheses); a place named without its designator, state
   form or compass word joins its full name, and so does a country's short name («امارات»).
4. Every further occurrence of a consolidated name is added as a mention, and so is a person's
   surname alone, unless it is a frequent plain word or two people of the article share it.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field  # «field» is also a span attribute: the text field it is in

import numpy as np

from .model import FIELDS, Entity, Mention
from .ner import gazetteers
from .ner.features import BOS, EOS
from .ner.forms import fold
from .ner.tagging import MAX_PIECE, Analysis, default_tagger, iob_spans, pieces
from .segment import sentence_spans, token_spans, token_texts

OPENING, CLOSING = "(", ")"
# Words that never begin or end a name, though taggers let them in at the edges: function words,
# pronouns («دفتر وی») and the days of a news report («شورا دیروز»).
EDGE_WORDS = frozenset(fold(w) for w in "و در از به با که را برای تا یا این آن اين ان وی او دیروز امروز فردا کشورمان ای ها".split())
# Words no name runs across: a tagged span that reaches one ends before it («کمیسیون تلفیق عادلانه نبود»).
NAME_BREAKS = frozenset(fold(w) for w in "به‌عنوان بعنوان است بود نبود شد نشد نیست هست باشد درباره درمورد درخصوص پیرامون".split())
DIRECTIONS = frozenset(fold(w) for w in "شمال جنوب شرق غرب مرکز شمال‌غرب شمال‌شرق جنوب‌غرب جنوب‌شرق".split())
GOVERNMENT_HEADS = frozenset(fold(w) for w in "دولت کابینه حکومت رژیم".split())
# A country's official name: a form of state, its qualifiers, then the country («جمهوری اسلامی پاکستان»,
# «پادشاهی اردن»). It names the country, a place, though PEYMA tags it as an organization.
STATE_FORMS = frozenset(fold(w) for w in "جمهوری پادشاهی امیرنشین".split())
REGIME = fold("رژیم")
STATE_QUALIFIERS = STATE_FORMS | frozenset(fold(w) for w in "اسلامی خلق دموکراتیک فدرال متحد".split())
# Heads a place's name may drop once it is known («غزه» for «نوار غزه», «قشم» for «جزیره قشم»).
# Only heads that leave the same place: «استان اصفهان» is a province, «اصفهان» mostly its capital.
PLACE_DESIGNATORS = frozenset(fold(w) for w in "شهر کشور روستا روستای منطقه نوار جزیره قاره بندر".split())
# Of those, the ones that are never part of the name itself: «کشور عراق» names «عراق».
GENERIC_DESIGNATORS = frozenset(fold(w) for w in "شهر کشور روستا روستای".split())
# Compass adjectives after a place («کره جنوبی»); the place's first word alone is its short form when
# the article names no other compass part of it.
COMPASS_ADJECTIVES = frozenset(fold(w) for w in "شمالی جنوبی شرقی غربی مرکزی".split())
# The second parts of compound first names written with a space («نور الدین», «روح الله»)
COMPOUND_NAME_ENDS = frozenset(fold(w) for w in "الدین الله".split())
BRACKETS = frozenset('«»"()[]{}“”')
COMMAS = frozenset("،,")
NAME_CLASSES = frozenset({"first", "place-name", "org-name"})
KIND_NAME_CLASS = {"PER": "first", "LOC": "place-name", "ORG": "org-name"}  # a name of that kind by itself
NOT_PERSONAL = frozenset({"place-name", "org-name", "orghead", "placehead"})
# The world is no named place, though PEYMA tags «جهان» as one.
NOT_NAMES = frozenset(fold(w) for w in "جهان دنیا عالم".split())
# Institutions news names by their bare noun: «مجلس» alone is the parliament (the country's own, or the
# one after it: «پارلمان عراق»), though a tagger trained on PEYMA leaves it out.
BARE_INSTITUTIONS = frozenset(fold(w) for w in "مجلس پارلمان".split())
# Countries by the short names Persian news gives them, where the CLDR names the gazetteer holds are
# formal («امارات متحده عربی», «عربستان سعودی») or other («بریتانیا»). They stay out of the tagger's
# gazetteer, whose weights were learned without them (retrained with them, PEYMA dev F1 fell from
# 0.777 to 0.765); alone, outside any name the tagger found, each is a place.
COUNTRY_SHORT_NAMES = frozenset(fold(w) for w in "انگلیس امارات عربستان فلسطین اسکاتلند ولز بوسنی مقدونیه".split())
# Words this frequent after an organization's head describe it («تیم فوتبال», «باشگاه فرهنگی ورزشی»)
DESCRIPTIVE_RANK = 1000
REPORTER = fold("خبرنگار")
ARTICLE = "ال"  # the Arabic article, written joined to the surname it opens
MIN_REPEATED_NAME = 3  # letters; shorter names are too often plain words to look for again
# A surname this frequent in news is too often a plain word («روستا», «امید») to be taken alone for the person
PLAIN_WORD_RANK = 1000


@dataclass
class _Span:
    field: str
    start: int  # character offsets into the field
    end: int
    kind: str
    words: tuple[str, ...]  # folded tokens: the span's identity, whatever its spelling
    tagged: bool = True  # found by the tagger, not only by a gazetteer (which is weaker evidence of type)
    stop: int = -1  # position after its last token in the article's Analysis sequence
    key: str = dataclass_field(init=False)  # the words joined: spellings that differ only in spacing share it

    def __post_init__(self) -> None:
        self.key = "".join(self.words)


@dataclass
class _Sentence:
    field: str
    start: int  # character offsets into the field
    end: int
    tokens: list[str]  # token texts
    _offsets: list[tuple[int, int]] | None = None

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each token, found only for the sentences that hold a name."""
        if self._offsets is None:
            self._offsets = token_spans(text, self.start, self.end)
        return self._offsets


def _sentences(fields: dict[str, str]) -> list[_Sentence]:
    sentences = []
    for name in FIELDS:
        text = fields[name]
        for start, end in sentence_spans(text):
            tokens = token_texts(text, start, end)
            if len(tokens) > MAX_PIECE:  # an endless sentence is tagged in pieces
                for piece in pieces(token_spans(text, start, end)):
                    sentences.append(_Sentence(name, piece[0][0], piece[-1][1], [text[i:j] for i, j in piece]))
            elif tokens:
                sentences.append(_Sentence(name, start, end, tokens))
    return sentences


def _is_word(folded: str) -> bool:
    return any(c.isalpha() for c in folded)


def _classes(word: str) -> frozenset[str]:
    return gazetteers.word_classes(word)


def _trim(words: list[str], i: int, j: int, kind: str) -> tuple[int, int]:
    """Narrow a span to its name: no function words or honorifics at its edges («دفتر
    دکتر» before a name), none before a person either, no compass word or generic designator before a
    place («جنوب کرمان» names Kerman, «کشور عراق» Iraq), no everyday word opening («انتقاد مرکل» in a headline) or
    ending a person's name."""
    while i < j and (words[i] in EDGE_WORDS or (kind == "PER" and "title" in _classes(words[i]))
                     or (kind == "PER" and j - i > 1 and gazetteers.is_common_word(words[i], top=1000)
                         and not _is_name_word(words[i]))
                     or (kind == "LOC" and (words[i] in DIRECTIONS or words[i] in GENERIC_DESIGNATORS) and j - i > 1)):
        i += 1
    while j > i and (words[j - 1] in EDGE_WORDS or "title" in _classes(words[j - 1]) or (
            kind == "PER" and gazetteers.is_common_word(words[j - 1]) and not _is_name_word(words[j - 1]))):
        j -= 1
    return i, j


def _never_alone(words: list[str]) -> bool:
    """A word that names nothing by itself: «جهان», or a compass adjective («مرکزی» of «بانک مرکزی»)."""
    return len(words) == 1 and (words[0] in NOT_NAMES or words[0] in COMPASS_ADJECTIVES)


def _is_name_word(word: str) -> bool:
    """A first name, or a name all by itself in a gazetteer."""
    return bool(_classes(word) & NAME_CLASSES)


def _looks_personal(words: list[str]) -> bool:
    """Two or three words with no everyday word, and a first name or else no name or head word (a
    foreign name), as opposed to «وحدت ملی», «جمهوری اسلامی پاکستان» or a longer description."""
    if len(words) > 3 or any(gazetteers.is_common_word(w) for w in words):
        return False
    return "first" in _classes(words[0]) or not any(_classes(w) & NOT_PERSONAL for w in words)


def _unambiguous(names: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Gazetteer names of one kind only: «مهر» (a month and a news agency) is left to the CRF."""
    if len(names) < 2:
        return names
    counts = Counter((i, j) for i, j, _ in names)
    return [(i, j, kind) for i, j, kind in names if counts[i, j] == 1]


def _unambiguous_names(words: list[str]) -> list[tuple[int, int, str]]:
    return _unambiguous(gazetteers.find_spans(words))


def _coordinated(words: list[str], i: int, j: int, kind: str) -> list[tuple[int, int, str]]:
    """«ناتو و یونیسف» as two names when a side of the «و» is a known name and the whole is not."""
    if "و" not in words[i:j]:  # the common case, without a gazetteer scan
        return [(i, j, gazetteers.name_kind(tuple(words[i:j])) or kind)]
    known = {(a + i, b + i): k for a, b, k in _unambiguous_names(words[i:j])}
    if (i, j) not in known:
        for n in range(i + 1, j - 1):
            if words[n] == "و" and ((i, n) in known or (n + 1, j) in known):
                return [(i, n, known.get((i, n), kind)), (n + 1, j, known.get((n + 1, j), kind))]
    return [(i, j, known.get((i, j), kind))]


def _state_form_length(words) -> int:
    """How many words of a state's form open `words` («جمهوری اسلامی» in «جمهوری اسلامی ایران»), else 0."""
    if not words or words[0] not in STATE_FORMS:
        return 0
    n = 1
    while n < len(words) and words[n] in STATE_QUALIFIERS:
        n += 1
    return n


def _is_country_name(words: list[str]) -> bool:
    """«جمهوری اسلامی پاکستان», or a regime named after its people, party or place («رژیم بعث عراق»),
    which news uses for the state itself."""
    if len(words) > 1 and words[0] == REGIME:
        return True
    n = _state_form_length(words)
    return 0 < n < len(words) and gazetteers.name_kind(tuple(words[n:])) == "LOC"


def _repair(words: list[str], i: int, j: int, kind: str) -> list[tuple[int, int, str]]:
    """The names inside one span the CRF proposed (none, one or several)."""
    while kind == "ORG" and i < j and "title" in _classes(words[i]):
        i += 1  # «[عضو کمیسیون ...]»: a person's office opens the span, the organization follows it
    if kind == "ORG" and i < j and i and "title" in _classes(words[i - 1]) and "orghead" not in _classes(words[i]):
        # «وزیر [خارجه کانادا]» describes a person's office: no organization, but its country is a place
        return [(i + a, i + b, "LOC") for a, b, k in _unambiguous_names(words[i:j]) if k == "LOC"]
    if kind == "ORG" and words[i] in GOVERNMENT_HEADS and j - i > 2 and _looks_personal(words[i + 1:j]):
        return _repair(words, i + 1, j, "PER")  # «دولت جیمز مونرو» is a person's administration
    if kind == "PER" and i and words[i] in COMPOUND_NAME_ENDS and "first" in _classes(words[i - 1]) \
            and "title" not in _classes(words[i - 1] + words[i]):
        i -= 1  # «نور [الدین X]»: the tagger left out the first part of a compound first name, not «آیت الله»
    j = _end_at_stray_comma(words, i, j)
    if not NAME_BREAKS.isdisjoint(words[i:j]):
        j = next(n for n in range(i, j) if words[n] in NAME_BREAKS)
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
        if _never_alone(words[a:b]) or (b - a == 1 and gazetteers.is_common_word(words[a], top=500)
                                        and KIND_NAME_CLASS[piece_kind] not in _classes(words[a])):
            continue  # nor is an everyday word alone («جمهوری», «خیابان», «خانه» though a first name)
        if piece_kind == "PER" and b - a == 2 and gazetteers.is_spaced_word(words[a], words[a + 1]):
            continue  # nor an everyday word written in two («علی رغم»: «علی» is also a first name)
        if piece_kind == "LOC" and _are_two_places(words[a:b]):
            repaired += [(a, b - 1, "LOC"), (b - 1, b, "LOC")]
        else:
            repaired.append((a, b, "LOC" if _is_country_name(words[a:b]) else piece_kind))
    return repaired


def _are_two_places(words: list[str]) -> bool:
    """«موصل عراق», «استان ادلب سوریه»: a listed place, maybe after its designator, then the country or
    region it lies in, which the tagger took as one name. Only a one-word place: «ایالات متحده آمریکا» is one."""
    if not 2 <= len(words) <= 3:
        return False
    place = words[1:-1] if len(words) == 3 and "placehead" in _classes(words[0]) else words[:-1]
    return (len(place) == 1 and gazetteers.name_kind(tuple(place)) == "LOC"
            and gazetteers.name_kind(tuple(words[-1:])) == "LOC" and gazetteers.name_kind(tuple(words)) is None)


def _end_at_stray_comma(words: list[str], i: int, j: int) -> int:
    """Where a span's name ends: at its first comma, unless a coordinated tail follows it. In
    «سازمان هواشناسی، پایداری هوا ...» the comma ends the name and a clause goes on; in «وزارت صنعت،
    معدن و تجارت» it separates the first of the name's coordinated parts."""
    for n in range(i, j):
        if words[n] in COMMAS:
            return j if "و" in words[n + 1:j] else n
    return j


def _joined(words: list[str], tagged: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """An organization and the place right after it as one organization («وزارت خارجه ژاپن»):
    a ministry is named with its country, which the tagger sometimes cuts off."""
    joined: list[tuple[int, int, str]] = []
    for i, j, kind in tagged:
        if (kind == "LOC" and joined and joined[-1][1:] == (i, "ORG")
                and "orghead" in _classes(words[joined[-1][0]])):
            joined[-1] = (joined[-1][0], j, "ORG")
        else:
            joined.append((i, j, kind))
    return joined


def _bare_institutions(words: list[str], found: list[tuple[int, int, str, bool]]) -> None:
    """Adds each bare institution noun outside the names found, joined to a place right after it."""
    taken = {t for i, j, _, _ in found for t in range(i, j)}
    for i, word in enumerate(words):
        if word in BARE_INSTITUTIONS and i not in taken:
            place = next((span for span in found if span[0] == i + 1 and span[2] == "LOC"), None)
            if place:
                found.remove(place)
            found.append((i, place[1] if place else i + 1, "ORG", True))


def _short_country_names(words: list[str], found: list[tuple[int, int, str, bool]]) -> None:
    """Adds each country's short name outside the names found."""
    if COUNTRY_SHORT_NAMES.isdisjoint(words):
        return
    taken = {t for i, j, _, _ in found for t in range(i, j)}
    found += [(i, i + 1, "LOC", False) for i, word in enumerate(words) if word in COUNTRY_SHORT_NAMES and i not in taken]


def _named_before_office(words: list[str], found: list[tuple[int, int, str, bool]]) -> None:
    """Adds the person a sentence opens with, named by a word or two that no list knows and set off by a
    comma before an office («X، رئیس جمهور ...»), when the tagger missed the name."""
    for n in (1, 2):
        if (len(words) > n + 1 and words[n] in COMMAS and "title" in _classes(words[n + 1])
                and all(_is_unknown_word(w) for w in words[:n]) and not any(i < n for i, _, _, _ in found)):
            found.append((0, n, "PER", True))
            return


def _is_unknown_word(word: str) -> bool:
    """A word in Persian letters that is no everyday word and in no list but the first names."""
    return (word.isalpha() and word not in EDGE_WORDS and not gazetteers.is_common_word(word, top=PLAIN_WORD_RANK)
            and _classes(word) <= {"first"})


def _sentence_spans(sentence: _Sentence, text: str, words: list[str], tagged: list[tuple[int, int, str]],
                    names: list[tuple[int, int, str]], first: int) -> list[_Span]:
    """The names of one sentence, from its tagged spans and gazetteer names (token indices)."""
    tagged = _joined(words, tagged)
    found = [(a, b, kind, True) for i, j, kind in tagged for a, b, kind in _repair(words, i, j, kind)]
    _bare_institutions(words, found)
    _short_country_names(words, found)
    _named_before_office(words, found)
    taken = {t for i, j, _, _ in found for t in range(i, j)}
    # «سفارت ژاپن»: the place is an entity of its own. Only in what is still an organization once
    # repaired: «جمهوری اسلامی پاکستان و هند», tagged as one, holds a country and a place.
    for i, j, kind, _ in list(found):
        if kind == "ORG":
            found += [(i + a, i + b, "LOC", False) for a, b, k in _unambiguous_names(words[i:j])
                      if k == "LOC" and (a, b) != (0, j - i) and not _never_alone(words[i + a:i + b])]
    for i, j, kind in _unambiguous(names):
        # One listed word alone is too weak a cue: «مهر» is also a month, «دوشنبه» a weekday, «آستانه»
        # a threshold. The tagger, which sees the gazetteers too, decides about single words.
        if not taken.intersection(range(i, j)) and j - i > 1:
            found.append((i, j, kind, False))
            taken.update(range(i, j))
    offsets = sentence.offsets(text)
    return [_Span(sentence.field, offsets[i][0], offsets[j - 1][1], kind, tuple(words[i:j]), tagged, first + j)
            for i, j, kind, tagged in found]


def _by_sentence(firsts: list[int], spans: list[tuple[int, int, str]]) -> dict[int, list[tuple[int, int, str]]]:
    """Spans given as sequence positions, grouped by sentence index, as token indices."""
    grouped: dict[int, list[tuple[int, int, str]]] = {}
    for i, j, kind in spans:
        k = bisect_right(firsts, i) - 1
        grouped.setdefault(k, []).append((i - firsts[k], j - firsts[k], kind))
    return grouped


def _spans(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis) -> list[_Span]:
    tagger = default_tagger()
    tagged = _by_sentence(analysis.firsts, iob_spans(tagger.kinds[analysis.labels], tagger.begins[analysis.labels]))
    names = _by_sentence(analysis.firsts, analysis.names)
    bare = {bisect_right(analysis.firsts, p) - 1 for p in _positions(analysis, BARE_INSTITUTIONS | COUNTRY_SHORT_NAMES)}
    spans = []
    for k in sorted(tagged.keys() | names.keys() | bare):
        sentence, first = sentences[k], analysis.firsts[k]
        words = analysis.folded[first:first + len(sentence.tokens)]
        spans += _sentence_spans(sentence, fields[sentence.field], words, tagged.get(k, []), names.get(k, []), first)
    return spans


def _positions(analysis: Analysis, words) -> list[int]:
    """Sequence positions whose folded form is one of words."""
    tagger = default_tagger()
    rows = [tagger.form_rows[w] for w in words if w in tagger.form_rows]
    if not rows:
        return []
    wanted = np.zeros(len(tagger.forms), bool)
    wanted[rows] = True
    return np.flatnonzero(wanted[analysis.rows]).tolist()


class _Group:
    """Mentions believed to name one entity."""

    def __init__(self) -> None:
        self.spans: list[_Span] = []
        self.words: tuple[str, ...] = ()
        self.key = ""  # of its fullest name
        self.votes: dict[str, int] = {}  # kind -> how many spans say so
        self.tagged_votes: dict[str, int] = {}  # the same among spans the tagger found

    def add(self, span: _Span) -> None:
        self.spans.append(span)
        # the fullest name, however it is spaced; of two spacings the one with more words has more short forms
        key = span.key
        if (len(key), len(span.words)) > (len(self.key), len(self.words)):
            self.words, self.key = span.words, key
        self.votes[span.kind] = self.votes.get(span.kind, 0) + 1
        if span.tagged:
            self.tagged_votes[span.kind] = self.tagged_votes.get(span.kind, 0) + 1

    def absorb(self, other: _Group, kind: str) -> None:
        """Takes the other group's spans as mentions of `kind`: a short form is whatever its full name is."""
        for span in other.spans:
            self.add(span if span.kind == kind else replace(span, kind=kind))

    @property
    def kind(self) -> str:
        """The kind most spans say, the tagger's spans first; a tie goes to the earliest."""
        votes = self.tagged_votes or self.votes
        return max(votes, key=votes.get)


def _short_forms(words: tuple[str, ...], kind: str) -> list[tuple[str, ...]]:
    """Shorter names a writer uses for an entity once its full name is known."""
    if kind == "PER":
        forms = [words[k:] for k in range(1, len(words))]  # «کاظمی» for «نادر کاظمی»
        bare = _without_article(words[-1]) if len(words) > 1 else None
        return forms + [(bare,)] if bare else forms  # «کرمانی» for «کاوه الکرمانی»
    if kind == "ORG" and len(words) > 1:
        forms = [words[:k] for k in range(2, len(words))]  # «شورای عالی» for «شورای عالی فضای مجازی»
        if words[0] in BARE_INSTITUTIONS:
            forms.append(words[:1])  # «مجلس» for «مجلس شورای اسلامی»
        forms += [words[:k] + words[k + 1:] for k in range(1, len(words) - 1)]  # «تیم ازبکستان» for «تیم ملی ازبکستان»
        if "orghead" in gazetteers.word_classes(words[0]):
            forms.append(words[1:])  # «ایسنا» for «خبرگزاری ایسنا»
            k = 1
            while k + 1 < len(words) and _describes_head(words[k]) and not _heads(words[k + 1]):
                k += 1
                forms.append(words[k:])  # «استقلال» for «تیم فوتبال استقلال»
        return forms
    if kind == "LOC" and len(words) > 1:
        forms = []
        if words[0] in PLACE_DESIGNATORS:
            forms.append(words[1:])  # «غزه» for «نوار غزه»
        n = _state_form_length(words)
        # «آذربایجان» for «جمهوری آذربایجان», where the full name told the country from the region;
        # a place that is listed by itself («ایران» in «جمهوری اسلامی ایران») is an entity of its own
        if 0 < n < len(words) and gazetteers.name_kind(words[n:]) != "LOC":
            forms.append(words[n:])
        if words[0] in COUNTRY_SHORT_NAMES:
            forms.append(words[:1])  # «امارات» for «امارات متحده عربی»
        if words[-1] in COMPASS_ADJECTIVES:
            forms.append(words[:-1])  # «کره» for «کره جنوبی»
        return forms
    return []


def _without_article(surname: str) -> str | None:
    """An Arabic surname without its article «ال», as Persian text also writes it («الکرمانی», «کرمانی»);
    None if it has none. A first name that happens to begin so («الهام») is no such surname."""
    if (surname.startswith(ARTICLE) and len(surname) - len(ARTICLE) >= MIN_REPEATED_NAME
            and "first" not in _classes(surname)):
        return surname[len(ARTICLE):]
    return None


def _describes_head(word: str) -> bool:
    """An everyday word that qualifies an organization's head («تیم فوتبال», «باشگاه فرهنگی ورزشی»)."""
    return gazetteers.is_common_word(word, top=DESCRIPTIVE_RANK) and not _heads(word) and not _is_name_word(word)


def _heads(word: str) -> bool:
    """A word that opens a name of its own: what follows «شورای امنیت» in «شورای امنیت سازمان ملل»
    is another organization, and «شهر» opens a place."""
    return bool(gazetteers.word_classes(word) & {"orghead", "placehead"})


def _acronyms(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis,
              spans: list[_Span]) -> dict[str, str]:
    """Key of a one-word name in parentheses right after an organization -> that organization's
    key. The declaration names the organization even where the tagger missed it, so the word
    is added to spans as a mention."""
    ends = {s.stop: s for s in spans if s.kind == "ORG" and len(s.words) > 1}
    seen = {(s.field, s.start) for s in spans}
    folded, firsts = analysis.folded, analysis.firsts  # every sentence is followed by padding
    declared = {}
    for n in _positions(analysis, [OPENING]):
        if n in ends and folded[n + 2] == CLOSING and _is_word(folded[n + 1]):
            declared[folded[n + 1]] = ends[n].key
            k = bisect_right(firsts, n + 1) - 1
            sentence = sentences[k]
            start, end = sentence.offsets(fields[sentence.field])[n + 1 - firsts[k]]
            if (sentence.field, start) not in seen:
                spans.append(_Span(sentence.field, start, end, "ORG", (folded[n + 1],), False, n + 2))
    return declared


def _owner(claimants: list[str], groups: dict[str, _Group]) -> str | None:
    """The longest name that has a short form, as writers shorten the name they just used; but two
    places of that length leave it to neither («کره» beside «کره شمالی» and «کره جنوبی»)."""
    if len(claimants) > 1 and all(groups[key].kind == "LOC" and len(groups[key].words) == len(groups[claimants[0]].words)
                                  for key in claimants[:2]):
        return None
    return claimants[0] if claimants else None


def _extend_to_short_forms(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis,
                           spans: list[_Span]) -> None:
    """An organization's span one word short of a short form of a longer organization of the article
    takes that word («شورای امنیت» + «ملی» after «شورای عالی امنیت ملی»): the tagger stopped where a
    listed name («شورای امنیت») ends."""
    forms = {words for s in spans if s.kind == "ORG" for words in _short_forms(s.words, "ORG")}
    covered = {p for s in spans for p in range(s.stop - len(s.words), s.stop)}
    for n, span in enumerate(spans):
        after = span.stop
        if span.kind == "ORG" and after not in covered and (*span.words, analysis.folded[after]) in forms:
            end = _token_at(fields, sentences, analysis, after)[2]
            spans[n] = replace(span, end=end, words=(*span.words, analysis.folded[after]), stop=after + 1)
            covered.add(after)


def _token_at(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis, p: int) -> tuple[str, int, int]:
    """Field, start and end of the token at sequence position p."""
    k = bisect_right(analysis.firsts, p) - 1
    sentence = sentences[k]
    start, end = sentence.offsets(fields[sentence.field])[p - analysis.firsts[k]]
    return sentence.field, start, end


def _extend_cut_names(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis,
                      spans: list[_Span]) -> dict[str, str]:
    """A person's span followed by a word that the article also writes after the span's last word
    as a person's name of its own takes that word: the surname has two words («سارا کاظمی نیک ...
    کاظمی نیک افزود»), which the tagger cut after the first («سارا کاظمی»). Of its own means
    tagged as a person or opening a sentence, where news names a person by surname; elsewhere the
    pair is any two words («... نماد عدالت» after «سعدی نماد»). The rarer the word, the likelier a
    name: a frequent word, a cue or a title after a surname is the sentence going on («کاظمی گفت»).
    An untagged pair becomes a mention. Returns the name as cut and the surname's first word, each
    -> the key of the whole name: the writer may still use them («سارا کاظمی», «کاظمی»)."""
    folded = analysis.folded
    covered = {p: s for s in spans for p in range(s.stop - len(s.words), s.stop)}
    cut = [n for n, s in enumerate(spans) if s.kind == "PER" and len(s.words) > 1 and s.stop not in covered
           and folded[s.stop] != EOS and _may_end_surname(folded[s.stop])]  # not at the sentence's end
    if not cut:
        return {}
    alone = {}  # (surname word, next word) -> positions of the pairs that name a person by themselves
    for p in _positions(analysis, {spans[n].words[-1] for n in cut}):
        pair = (folded[p], folded[p + 1])
        span = covered.get(p)
        if (span and span.kind == "PER" and span.words == pair) or (
                folded[p - 1] == BOS and p not in covered and p + 1 not in covered):
            alone.setdefault(pair, []).append(p)
    cut_names = {}
    for n in cut:
        span = spans[n]
        pair = (span.words[-1], folded[span.stop])
        if pair not in alone:
            continue
        spans[n] = replace(span, end=_token_at(fields, sentences, analysis, span.stop)[2],
                           words=(*span.words, pair[1]), stop=span.stop + 1)
        covered[span.stop] = spans[n]
        cut_names[span.key] = cut_names[pair[0]] = spans[n].key
        for p in alone.pop(pair):
            if p not in covered:
                field, start, _ = _token_at(fields, sentences, analysis, p)
                spans.append(_Span(field, start, _token_at(fields, sentences, analysis, p + 1)[2], "PER", pair, False, p + 2))
                covered[p] = covered[p + 1] = spans[-1]
    return cut_names


def _may_end_surname(word: str) -> bool:
    """A word that may be the second word of a surname: rare in news and no cue, title or head."""
    return (_is_word(word) and not gazetteers.is_common_word(word, top=PLAIN_WORD_RANK)
            and not _classes(word) & {"title", "speech", "orghead", "placehead"} and word not in NAME_BREAKS)


def _consolidate(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis,
                 spans: list[_Span]) -> list[_Group]:
    _extend_to_short_forms(fields, sentences, analysis, spans)
    cut_names = _extend_cut_names(fields, sentences, analysis, spans)
    acronyms = _acronyms(fields, sentences, analysis, spans)
    groups: dict[str, _Group] = {}
    for span in spans:
        groups.setdefault(span.key, _Group()).add(span)
    longest_first = sorted(groups, key=lambda k: -len(groups[k].words))
    claimants: dict[str, list[str]] = {}  # a short form -> the names that have it, longest first
    for key in longest_first:
        for form in {"".join(words) for words in _short_forms(groups[key].words, groups[key].kind)}:
            claimants.setdefault(form, []).append(key)
    for cut, full in cut_names.items():
        claimants.setdefault(cut, []).append(full)  # «کاظمی» for «سارا کاظمی نیک»
    parent = {}
    for key in longest_first:
        # A place's short form is that place whatever its mention was tagged («آذربایجان اعلام کرد»
        # after «جمهوری آذربایجان»); other short forms must agree on the kind.
        fitting = [full for full in claimants.get(key, []) if groups[full].kind in (groups[key].kind, "LOC")]
        full = acronyms.get(key) or _owner(fitting, groups)
        # A parent's name has strictly more letters than its child's, so following parents always ends;
        # not more words: «پاییزی نژاد» is the short form «پاییزی‌نژاد» of «کامران پاییزی‌نژاد».
        if full in groups and len(full) > len(key):
            parent[key] = full
    merged: dict[str, _Group] = {}
    for key in longest_first:
        root = key
        while root in parent:
            root = parent[root]
        merged.setdefault(root, _Group()).absorb(groups[key], groups[root].kind)
    return list(merged.values())


def _add_repeated_mentions(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis,
                           groups: list[_Group]) -> None:
    """Occurrences of an already recognised name that the tagger left untagged, and of a person's
    surname alone («پاییزی افزود» after «کامران پاییزی»)."""
    names: dict[str, list[tuple[tuple[str, ...], _Group]]] = {}
    for group in groups:
        for words in {s.words for s in group.spans}:
            if len("".join(words)) >= MIN_REPEATED_NAME:
                names.setdefault(words[0], []).append((words, group))
    for surname, group in _surnames(groups).items():
        names.setdefault(surname, []).append(((surname,), group))
    for candidates in names.values():
        candidates.sort(key=lambda c: -len(c[0]))
    # One mark per character already inside a mention: a linear-time overlap test.
    marked = {field: bytearray(len(text)) for field, text in fields.items()}
    for group in groups:
        for span in group.spans:
            marked[span.field][span.start:span.end] = b"\1" * (span.end - span.start)
    folded, firsts = analysis.folded, analysis.firsts
    free_from = 0  # positions inside a mention just added are not looked at again
    for p in _positions(analysis, names):
        if p < free_from:
            continue
        k = bisect_right(firsts, p) - 1
        sentence, i = sentences[k], p - firsts[k]
        for words, group in names[folded[p]]:
            j = i + len(words)
            if tuple(folded[p:p + len(words)]) != words:
                continue
            offsets, mask = sentence.offsets(fields[sentence.field]), marked[sentence.field]
            if not any(mask[start] for start, _ in offsets[i:j]):
                group.add(_Span(sentence.field, offsets[i][0], offsets[j - 1][1], group.kind, words))
                free_from = p + len(words)
                break


def _surnames(groups: list[_Group]) -> dict[str, _Group]:
    """Surname -> the one person of the article who has it, for surnames that are no plain word
    and no name of their own (a surname two people of the article share is left to neither)."""
    owners: dict[str, list[_Group]] = {}
    for group in groups:
        if group.kind == "PER" and len(group.words) > 1 and "و" not in group.words:  # not «کامران و فرزاد پاییزی»
            owners.setdefault(group.words[-1], []).append(group)
            bare = _without_article(group.words[-1])
            if bare:
                owners.setdefault(bare, []).append(group)
    named_alone = {s.words[0] for group in groups for s in group.spans if len(s.words) == 1}
    return {surname: people[0] for surname, people in owners.items()
            if len(people) == 1 and surname not in named_alone and len(surname) >= MIN_REPEATED_NAME
            and not gazetteers.is_common_word(surname, top=PLAIN_WORD_RANK)}


def _entity(group: _Group, fields: dict[str, str]) -> Entity:
    fullest = [s for s in group.spans if s.key == group.key]
    text = Counter(fields[s.field][s.start:s.end] for s in fullest).most_common(1)[0][0]
    mentions = sorted({Mention(s.field, s.start, s.end) for s in group.spans},
                      key=lambda m: (FIELDS.index(m.field), m.start))
    return Entity(text=text, type=group.kind, mentions=mentions)


def _agency_names(agency: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The agency's folded full name and its bare name, without a head word («خبرگزاری نمونه», «نمونه»)."""
    words = tuple(fold(token) for token in agency.split())
    return words, words[1:] if "orghead" in _classes(words[0]) and len(words) > 1 else words


def _agency_mentions_as_organization(spans: list[_Span], agency: str) -> list[_Span]:
    """The reporting agency named by itself («خبرنگار نمونه») is that organization, whatever else its name
    means (the «کرمان» of a «خبرگزاری کرمان» is also a city), and joins its full name, inside which its
    name is no place of its own."""
    names = set(_agency_names(agency))
    return [replace(span, kind="ORG") if span.words in names else span for span in spans
            if span.tagged or span.words not in names]


def _agency_after_reporter(fields: dict[str, str], sentences: list[_Sentence], analysis: Analysis,
                           spans: list[_Span], agency: str) -> list[_Span]:
    """The reporting agency where the article names it only through its reporter («به گزارش خبرنگار
    نمونه»), which the tagger leaves untagged: those mentions, as that organization."""
    name = _agency_names(agency)[1]
    covered = {p for s in spans for p in range(s.stop - len(s.words), s.stop)}
    found = []
    for p in _positions(analysis, {name[0]}):
        stop = p + len(name)
        if (analysis.folded[p - 1] == REPORTER and tuple(analysis.folded[p:stop]) == name
                and covered.isdisjoint(range(p, stop))):
            field, start, _ = _token_at(fields, sentences, analysis, p)
            found.append(_Span(field, start, _token_at(fields, sentences, analysis, stop - 1)[2], "ORG", name, True, stop))
    return found


def find_entities(fields: dict[str, str], agency: str | None = None) -> list[Entity]:
    """Entities of an article from its normalized fields ({"title": ..., "body": ...}), and the agency
    that reports it (normalization's source_agency), if known."""
    fields = {field: fields.get(field) or "" for field in FIELDS}
    sentences = _sentences(fields)
    analysis = default_tagger().analyse([s.tokens for s in sentences])
    spans = _spans(fields, sentences, analysis)
    if agency and agency.split():
        spans = _agency_mentions_as_organization(spans, agency)
        spans += _agency_after_reporter(fields, sentences, analysis, spans, agency)
    groups = _consolidate(fields, sentences, analysis, spans)
    _add_repeated_mentions(fields, sentences, analysis, groups)
    entities = [_entity(group, fields) for group in groups]
    entities.sort(key=lambda e: (FIELDS.index(e.mentions[0].field), e.mentions[0].start))
    return entities
