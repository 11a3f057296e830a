"""Quotes stage: what was said in an article, and by whom.

Persian news reports speech with a verb of saying after its subject («X گفت: ...»,
«وی افزود ...», «X تاکید کرد که ...», also the perfect without its «است»: «X گفته که ...»),
with «با بیان اینکه ...» clauses, «به گفته X، ...», and guillemet quotes («...»). The stage
finds those cues with precompiled regexes, takes the reported text after each cue, and names
the speaker from the words that open the clause: an entity mention, a pronoun or a
description («این مقام»، «سخنگوی ...»), the last two resolved against the speakers and
subjects met earlier in the article. A lead that describes its speaker before anyone is
named gets the next person quoted by name. The outlet the news comes through («به گزارش
خبرگزاری X»، «خبرگزاری X - ...») is never a speaker.

Every scan is bounded (regex classes stop at the next guillemet or newline, look-backs are
capped), so a 5 MB body with unbalanced guillemets still costs linear time.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from . import quote_rules as rules
from .model import Entity, Quote
from .segment import sentence_spans

_SPACE = " \t\u00a0\u200c\u200f\u200e"
_QUOTE_EDGE_START = _SPACE + "\n«\"“"
_QUOTE_EDGE_END = _SPACE + "\n.!»\"”،,؛;:"
_CUE_END = r"(?![\w\u200c])(?![ \u200c]*و[ \u200c]*گو)"  # not «گفت و گو» (conversation)
_CUE_HERE = re.compile(r"(?:" + rules.cue_pattern() + r")" + _CUE_END)
# Searching from the character before the cue lets the regex engine skip ahead to that
# character instead of trying a look-behind at every position: a cue after a space (nearly all
# of them) is found by a literal-prefix scan, the rest by a scan for a few rarer characters.
_CUE_AFTER_SPACE = re.compile(r" (?P<cue>(?:" + rules.cue_pattern() + r")" + _CUE_END + ")")
_CUE_AFTER_OTHER = re.compile(r"[\t\n\u00a0«\"'“‘(](?P<cue>(?:" + rules.cue_pattern() + r")" + _CUE_END + ")")
# What follows a cue decides the quote: a colon, comma or guillemet opens speech to the end
# of the paragraph, «که» a reported clause to the end of the sentence, a word the same.
_AFTER_CUE = re.compile(r"[ \u00a0\u200c]*(?:(?P<colon>[:：،,]|(?=«))|(?P<that>"
                        + rules.flexible("که") + r")(?![\w\u200c])|(?=(?P<word>[^\W\d_])))")
# Literal first letters (no look-behind) keep these scans fast; word starts are checked after.
_REPORTED_THAT = re.compile(
    r"با[ \u200c]*(?:" + "|".join(rules.flexible(w) for w in rules.SAYING_NOUNS_BEFORE_THAT)
    + r")[ \u200c]+(?:" + "|".join(rules.flexible(w) for w in rules.THAT) + r")(?![\w\u200c])")
# the speaker is set off by a comma, or is a pronoun that needs none («به گفته وی قیمت‌ها ...»)
_ACCORDING_TO = re.compile(r"به[ \u200c]?" + rules.flexible("گفته") + r"(?:ی)?(?![\w\u200c])[ \u200c]*"
                           r"(?:(?P<who>[^،,:\n.]{1,80})[،,]|(?P<pronoun>"
                           + "|".join(rules.flexible(w) for w in rules.PRONOUNS) + r")(?=[ \u00a0]))")
# «به گفته X، description of X، «...»»: a short clause that ends in a comma right before a guillemet
_APPOSITIVE_BEFORE_GUILLEMET = re.compile(r"[^«»\n.:]{1,120}?[،,][ \u200c]*(?=«)")
# a quote in guillemets, also with its full stop inside them («... است.»)
_OPENED, _CLOSED = re.compile(f"«[{_SPACE}]*$"), re.compile(f"[{_SPACE}.!؟?]*»")
_EDGE_REACH = 8
_GUILLEMETS = re.compile(r"«(?P<text>[^«»\n]{1,3000})»")
_CHARACTERIZED = re.compile(
    r"«(?P<text>[^«»\n]{1,300})»[ \u200c]*(?:را[ \u200c]+)?(?P<cue>"
    + "|".join(rules.flexible(w) for w in rules.CHARACTERIZING_WORDS) + r")(?![\w\u200c])")
# «...»؛ این را X گفت: the words in guillemets, their speaker named after them
_SAID_BEFORE = re.compile(
    _GUILLEMETS.pattern + r"[ \u200c]*[؛،,.:]?[ \u200c]*(?:این|همین)"
    r"(?:[ \u200c]+(?:سخنان|سخن|جمله|جملات|حرف|حرف‌ها|مطلب|مطالب))?[ \u200c]+را(?=[ \u200c])")
SAID_BEFORE_REACH = 120  # characters from that «را» to the verb of saying
_WORD = re.compile(r"[\w\u200c]+")
# Between a name and the description set beside it: «کاوه نیک‌نام» + «نماینده مردم ...».
_APPOSITION_GAP = re.compile(r"[ \u00a0\u200c»\"”،,]*")
_LAST_WORD = re.compile(r"([\w\u200c]+)[\s\u200c]*$")
_PARAGRAPH = re.compile(r"[^\n]+")
_CLAUSE_OPENER = re.compile(
    r"[\s\"'«]*(?:(?:" + "|".join(rules.flexible(w) for w in rules.SOURCE_OPENERS)
    + r")[^،,:\n]{0,200}[،,]|(?:" + "|".join(rules.flexible(w) for w in rules.CONNECTIVE_OPENERS)
    + r")(?![\w\u200c])|(?:" + "|".join(rules.flexible(w) for w in rules.REFERENCE_OPENERS)
    + r")(?![\w\u200c])[ \u00a0]*[،,]?)")
# An outlet named as where the news came from («به گزارش گروه سیاسی خبرگزاری X», «به نقل از روابط
# عمومی X») or as a dateline («خبرگزاری X - ...») reports what others say; it is never their speaker.
_ATTRIBUTION_BEFORE = re.compile(
    "(?:" + "|".join(rules.flexible(w) for w in ("به گزارش", "به نقل از")) + r")[^،,:\n]{0,60}$")
_DATELINE_AFTER = re.compile(r"[ \u00a0]*[-_–—]")
_AFTER_REPORTER = re.compile(r"(?:[ \u00a0\u200c]+(?:از|در)[ \u00a0\u200c]+[\w\u200c]+)?[ \u00a0\u200c]*[-_–—،,]?")
_CLAUSE_JOINT = re.compile(r"؛|;|(?<![\w\u200c])اما(?=[ \u00a0])")
_COMMA = re.compile(r"[،,]")
_HEADLINE = re.compile(r"\s*(?P<head>[^:\n«»]{2,60}?)\s*:\s*(?P<text>\S[^\n]*)")

_APPOSITION_STOPS = rules.PREPOSITIONS | {"که"}
_SUBJECT_WORDS = rules.PRONOUNS | rules.PERSON_ROLES | rules.ORGANIZATION_NOUNS
# A few words set off by a comma at a clause's start: a lead-in («در همین حال،») or the subject itself.
# Possessive, so that a clause without that comma fails at once instead of retrying every split of its words.
_LEAD_IN = re.compile(r"[ \u00a0]*+(?P<first>[\w\u200c«»]++)(?:[ \u00a0]++[\w\u200c«»]++){0,3}+[ \u00a0]*+[،,]")
_LEAD_IN_OPENERS = rules.PREPOSITIONS | {"پس", "بعد", "قبل", "پیش"}
_GUILLEMET_MARKS = str.maketrans("", "", "«»")
_ROLE_END = re.compile(r"[.:!?؟]")  # a role read after a person's name ends with its sentence
# What a description in a headline stands for, when the title itself names nobody.
_DESCRIBED_TYPE = {"person": "PER", "pronoun": "PER", "organization": "ORG"}

SUBJECT_WINDOW = 4  # the speaker phrase opens within this many words of the clause start
APPOSITION_WINDOW = 8  # «سخنگوی وزارت نیرو سارا کاظمی»: a name within this many words
DESCRIPTION_WORDS = 6  # «نائب رئیس کمیسیون کشاورزی ...»: compared on at most this many words
ROLE_WORDS = 10  # «رئیس سازمان اصناف و کتابخانه ملی ایران»: a role, against which a description is compared
ROLES_REACH = 16  # words after a person's name where a second role joined with «و» may start
LABEL_REACH = 300  # how far before a cue a dateline's colon is looked for
THAT_CLAUSE_REACH = 600  # «با بیان اینکه ...» finds its main verb within this many characters
LOOKBACK_MENTIONS = 200  # how far back an antecedent is searched, in mentions
ATTRIBUTION_REACH = 80  # how far before an outlet's name «به گزارش» is looked for
HONORIFIC_REACH = 2  # honorifics before a name that are not counted in SUBJECT_WINDOW
SHORTEST_WORDS_SAID = 2  # one word in guillemets, inside a reported clause, is a name or term set apart
MAX_ROLES = 8  # a person's roles compared with a lead's description: a bound for hostile input


class _Cue(NamedTuple):
    start: int
    end: int
    text: str
    opens: str | None  # what follows: colon, that, word, or None when nothing is reported
    speech_start: int  # where the reported words begin


@dataclass
class _Mention:
    start: int
    end: int
    entity: Entity


@dataclass
class _Unnamed(Entity):
    """A speaker the article describes or names without an entity («یک مقام آمریکایی», «X Y سرمربی ...»):
    no canonical name, but pronouns after it are this speaker, and its words are the speaker_description."""

    text: str = ""
    type: str = "PER"
    phrase: str = ""


@dataclass
class _NamedLater(_Unnamed):
    """The speaker of a lead that describes a person before anyone is named («مدیرکل ... گفت: ...»):
    the next person quoted under a name, unless that person is introduced with another description."""

    description: tuple[str, ...] = ()


@dataclass
class _Subject:
    """Who a clause is about, before resolution: an entity, a pronoun, a description or nobody."""

    kind: str  # entity, pronoun, person, organization, unnamed (a name not recognized), elided
    entity: Entity | None = None
    words: tuple[str, ...] = ()  # a person's description, letter-folded
    phrase: str = ""  # the text naming or describing an unrecognized speaker


def find_quotes(fields: dict[str, str], entities: list[Entity], agency: str | None = None) -> list[Quote]:
    """Quotes in the body in reading order, then a headline quote in the title («X: ...»).
    The agency that reports the article (normalization's source_agency), if known, speaks in none."""
    try:
        reporting = _words(agency) if agency else ()
        body_reader = _FieldReader("body", fields.get("body") or "", entities, reporting)
        body = body_reader.quotes()
        title = _FieldReader("title", fields.get("title") or "", entities, reporting).headline(
            body_reader.first_speaker)
    except (AttributeError, TypeError):
        # Malformed input (not strings, odd entity objects) yields no quotes rather than a crash.
        return []
    return body + title


def _words(name: str) -> tuple[str, ...]:
    return tuple(word.translate(rules.FOLD_LETTERS) for word in _WORD.findall(name))


def _same_outlet(name: tuple[str, ...], agency: tuple[str, ...]) -> bool:
    """«خبرگزاری نمونه» and «نمونه» name one outlet: one ends with the other."""
    shorter, longer = sorted((name, agency), key=len)
    return bool(shorter) and longer[len(longer) - len(shorter):] == shorter


class _FieldReader:
    """Reads one field in order, remembering who spoke so later pronouns can be resolved."""

    def __init__(self, field: str, text: str, entities: list[Entity], agency: tuple[str, ...] = ()):
        self.field, self.text, self.agency = field, text, agency
        mentions = sorted((_Mention(m.start, m.end, e) for e in entities for m in e.mentions
                           if m.field == field and 0 <= m.start < m.end <= len(text)), key=lambda m: m.start)
        # the outlets in attributions and datelines, after which a clause opens; they and the agency never speak
        attributed = [self._attributed_to(m) for m in mentions]
        self.reporters = [m for m, reports in zip(mentions, attributed) if reports]
        self.reporter_ends = [m.end for m in self.reporters]
        agency_entities = {id(e) for e in entities if self._is_agency(e)}
        self.mentions = [m for m, reports in zip(mentions, attributed)
                         if not reports and id(m.entity) not in agency_entities]
        self.mention_starts = [m.start for m in self.mentions]
        self.paragraphs = [m.span() for m in _PARAGRAPH.finditer(text)]
        self.paragraph_starts = [s for s, _ in self.paragraphs]
        self._sentences: dict[int, tuple[list[int], list[tuple[int, int]]]] = {}
        self._clause_openers: dict[int, bool] = {}
        self._appositions: list[tuple[int, Entity, tuple[str, ...]]] | None = None
        self._apposition_starts: list[int] = []
        self.last_speaker: dict[str | None, tuple[int, Entity]] = {}  # by type, None = any
        self.first_speaker: dict[str, Entity] = {}  # by type
        self.quoted_starts: list[int] = []  # spans of the quotes found so far, in order
        self.quoted_ends: list[int] = []
        self.cue_starts: set[int] = set()
        self.awaiting_name: list[tuple[Quote, tuple[str, ...]]] = []  # described speakers' quotes, with the description
        self.last_described: tuple[int, _NamedLater] | None = None  # the speaker of the latest quote awaiting a name

    def _is_agency(self, entity: Entity) -> bool:
        """Whether the entity is the agency reporting the article («خبرگزاری نمونه» or «نمونه» alone)."""
        return entity.type == "ORG" and bool(self.agency) and _same_outlet(_words(entity.text), self.agency)

    def _attributed_to(self, mention: _Mention) -> bool:
        """Whether the mention is of an outlet named as the source of the news, in an attribution
        («به گزارش خبرگزاری نمونه»، «به نقل از روابط عمومی ...») or a dateline («خبرگزاری نمونه - ...»)."""
        if mention.entity.type != "ORG":
            return False
        reach = max(0, mention.start - ATTRIBUTION_REACH)
        before = self.text[max(self.text.rfind("\n", reach, mention.start) + 1, reach):mention.start]
        return bool(_ATTRIBUTION_BEFORE.search(before)) or (
            not before.strip() and bool(_DATELINE_AFTER.match(self.text, mention.end)))

    # ---- reading the field ---------------------------------------------------------------

    def quotes(self) -> list[Quote]:
        cues = self._cues()
        cue_starts = [c.start for c in cues]
        self.cue_starts = set(cue_starts)
        text = self.text
        events = sorted(
            [(c.start, "cue", c) for c in cues]
            + [(m.start(), "that", m) for m in _REPORTED_THAT.finditer(text) if self._starts_word(m.start())]
            + [(m.start(), "according", m) for m in _ACCORDING_TO.finditer(text) if self._starts_word(m.start())]
            + [(m.start(), "characterized", m) for m in _CHARACTERIZED.finditer(text)]
            + [(m.start(), "said_before", m) for m in _SAID_BEFORE.finditer(text)],
            key=lambda event: event[0])
        found: list[Quote] = []
        resume = 0
        for start, kind, match in events:
            if start < resume:
                continue  # inside speech already taken: its verbs are not new cues
            if kind == "cue":
                new, resume = self._after_cue(match, cues, cue_starts)
            elif kind == "that":
                new, resume = self._reported_that(match, cues, cue_starts)
            elif kind == "according":
                new, resume = self._according_to(match)
            elif kind == "said_before":
                new, resume = self._said_before(match, cues, cue_starts)
            else:
                new, resume = self._characterized(match)
            found += new
        return found

    def headline(self, body_speakers: dict[str, Entity]) -> list[Quote]:
        """«X: ...» in a title, where X names or describes a speaker. A description
        («سرمربی تیم میهمان:») means the article's main speaker: the body's first of that type."""
        match = _HEADLINE.match(self.text)
        if not match:
            return []
        subject = self._subject_in(*match.span("head"))
        if subject.kind == "elided":
            return []
        speaker = self._resolve(subject, 0)
        if speaker is None or isinstance(speaker, _NamedLater):
            speaker = body_speakers.get(_DESCRIBED_TYPE.get(subject.kind, ""))
        quote = self._quote(match.start("text"), len(self.text), speaker, ":")
        return [quote] if quote else []

    def _cues(self) -> list[_Cue]:
        spans = sorted(m.span("cue") for search in (_CUE_AFTER_SPACE, _CUE_AFTER_OTHER)
                       for m in search.finditer(self.text))
        at_start = _CUE_HERE.match(self.text)
        if at_start:
            spans.insert(0, at_start.span())
        cues = []
        for start, end in spans:
            after = _AFTER_CUE.match(self.text, end)
            opens = after.lastgroup if after else None
            if opens and rules.is_bare_participle(self.text[start:end]) and (
                    self._word_before(start) in rules.DETERMINERS
                    or not (opens == "that" or self.text[after.start("colon")] in ":：")):
                opens = None
            cues.append(_Cue(start, end, self.text[start:end], opens, after.end() if after else end))
        return cues

    # ---- cue handlers: each returns its quotes and where reading goes on ------------------

    def _after_cue(self, cue: _Cue, cues: list[_Cue], cue_starts: list[int]):
        """«X گفت: ...», «X گفت که ...», «X گفت ...»: the words the verb of saying reports."""
        if cue.opens is None:
            return [], cue.end
        if cue.text.startswith("آمد") and cue.opens != "colon":
            return [], cue.end  # «آمده است» only introduces a document's words before a colon
        word_before = self._word_before(cue.start)
        if word_before in rules.MODALS:
            return [], cue.end  # «باید گفت که ...»: the writer's own voice, nobody is reported
        start = cue.speech_start
        relative = word_before == "که"
        if cue.opens == "colon":
            end = self._speech_end(start, cues, cue_starts)
            guillemet = self._guillemet_at(start)
            if guillemet:
                start, end = guillemet.span(1)
            speaker = self._speaker(cue.start, relative)
            quote = self._quote(start, end, speaker, cue.text, remember=not relative)
            return ([quote] if quote else []), max(end, cue.end)
        if cue.opens == "word" and self._first_word(start) in rules.NOT_SPEECH_OPENERS:
            return [], cue.end
        end = self._coordinated_cue_start(start, self._clause_end(start, relative), cues, cue_starts)
        inner = [g for g in _GUILLEMETS.finditer(self.text, start, end) if self._are_words_said(*g.span(1))]
        too_short = len(list(islice(_WORD.finditer(self.text, start, end), 3))) < 3
        if not inner and cue.opens == "word" and too_short:
            return [], cue.end
        speaker = self._speaker(cue.start, relative)
        if inner:
            # A paraphrase carrying the speaker's own words: those words are the quote.
            spans = [g.span(1) for g in inner]
        else:
            spans = [(start, end)]
        found = [q for s, e in spans if (q := self._quote(s, e, speaker, cue.text, remember=not relative))]
        return found, max(end, cue.end)

    def _are_words_said(self, start: int, end: int) -> bool:
        """Whether guillemets hold someone's words rather than a name they set apart («کشتی «نمونه»»,
        «روزنامه «نمونه»»): more than one word, and not one entity's mention."""
        if len(list(islice(_WORD.finditer(self.text, start, end), SHORTEST_WORDS_SAID))) < SHORTEST_WORDS_SAID:
            return False
        mention = self._mention_at(start, start + 1)
        return mention is None or mention.end < end - 1

    def _reported_that(self, match: re.Match, cues: list[_Cue], cue_starts: list[int]):
        """«با بیان اینکه X، افزود: Y»: X is reported speech of the main verb's subject."""
        limit = min(self._sentence(match.start())[1], match.end() + THAT_CLAUSE_REACH)
        i = bisect.bisect_left(cue_starts, match.end())
        while i < len(cues) and cues[i].start < limit:
            if cues[i].opens in ("colon", "that"):
                speaker = self._speaker(cues[i].start, False)
                quote = self._quote(match.end(), cues[i].start, speaker, match.group())
                return ([quote] if quote else []), cues[i].start
            i += 1
        return [], match.end()

    def _according_to(self, match: re.Match):
        """«به گفته X، ...»: X speaks the rest of the sentence."""
        who = "who" if match.group("who") else "pronoun"
        speaker = self._resolve(self._subject_in(*match.span(who)), match.start())
        end = self._sentence(match.start())[1]
        # a description set beside the speaker is not what was said
        appositive = _APPOSITIVE_BEFORE_GUILLEMET.match(self.text, match.end(), end)
        quote = self._quote(appositive.end() if appositive else match.end(), end, speaker, "به گفته")
        return ([quote] if quote else []), end

    def _said_before(self, match: re.Match, cues: list[_Cue], cue_starts: list[int]):
        """«...»؛ این را X گفت: the words in guillemets are those of the subject of the verb after them."""
        i = bisect.bisect_left(cue_starts, match.end())
        limit = min(self._sentence(match.end())[1], match.end() + SAID_BEFORE_REACH)
        if i == len(cues) or cues[i].start >= limit:
            return [], match.start()
        cue = cues[i]
        speaker = self._resolve(self._subject_in(match.end(), cue.start), match.end())
        quote = self._quote(match.start("text"), match.end("text"), speaker, cue.text)
        return ([quote] if quote else []), cue.end

    def _characterized(self, match: re.Match):
        """«X را «...» توصیف کرد»: the guillemet words are the subject's own."""
        speaker = self._speaker(match.start(), False)
        quote = self._quote(match.start("text"), match.end("text"), speaker, match.group("cue"))
        return ([quote] if quote else []), match.end("text")

    # ---- spans ----------------------------------------------------------------------------

    def _paragraph(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.paragraph_starts, pos) - 1
        if i >= 0 and pos <= self.paragraphs[i][1]:
            return self.paragraphs[i]
        return pos, pos

    def _sentence(self, pos: int) -> tuple[int, int]:
        """The sentence around pos; paragraphs are segmented when first needed."""
        para_start, para_end = self._paragraph(pos)
        if para_start not in self._sentences:
            spans = [(para_start + s, para_start + e)
                     for s, e in sentence_spans(self.text[para_start:para_end])] or [(para_start, para_end)]
            self._sentences[para_start] = ([s for s, _ in spans], spans)
        starts, spans = self._sentences[para_start]
        return spans[max(bisect.bisect_right(starts, pos) - 1, 0)]

    def _speech_end(self, start: int, cues: list[_Cue], cue_starts: list[int]) -> int:
        """Speech after a colon runs to the paragraph end, or to a later sentence that quotes anew."""
        end = self._paragraph(start)[1]
        i = bisect.bisect_left(cue_starts, start)
        while i < len(cues) and cues[i].start < end:
            if cues[i].opens == "colon" and self._word_before(cues[i].start) != "که":  # not «X که می‌گوید «...»»
                sentence_start = self._sentence(cues[i].start)[0]
                if sentence_start > start:
                    return sentence_start
            i += 1
        return end

    def _coordinated_cue_start(self, start: int, end: int, cues: list[_Cue], cue_starts: list[int]) -> int:
        """«X گفت A و تاکید کرد B»: a verb of saying joined with «و» ends the clause before it and reports B."""
        i = bisect.bisect_left(cue_starts, start)
        while i < len(cues) and cues[i].start < end:
            if cues[i].opens and self._word_before(cues[i].start) == "و":
                return self.text.rfind("و", start, cues[i].start)
            i += 1
        return end

    def _clause_end(self, start: int, relative: bool) -> int:
        """A reported clause ends with its sentence; a relative one («که گفته بود ...») at «را» or a comma."""
        end = self._sentence(start)[1]
        if relative:
            for word in _WORD.finditer(self.text, start, end):
                if word.group() == "را":
                    return word.start()
            comma = self.text.find("،", start, end)
            if comma >= 0:
                return comma
        return end

    def _guillemet_at(self, pos: int) -> re.Match | None:
        while pos < len(self.text) and self.text[pos] in _SPACE:
            pos += 1
        return _GUILLEMETS.match(self.text, pos)

    def _first_word(self, pos: int) -> str:
        word = _WORD.match(self.text, pos)
        return word.group().translate(rules.FOLD_LETTERS) if word else ""

    def _starts_word(self, pos: int) -> bool:
        return pos == 0 or not (self.text[pos - 1].isalnum() or self.text[pos - 1] == "\u200c")

    def _word_before(self, pos: int) -> str:
        """The word just before pos, letter-folded («که» in «... کاظمی که گفته بود»)."""
        word = _LAST_WORD.search(self.text, max(0, pos - 24), pos)
        return word.group(1).translate(rules.FOLD_LETTERS) if word else ""

    def _quote(self, start: int, end: int, speaker: Entity | None, cue: str, remember: bool = True) -> Quote | None:
        """The quote over text[start:end] without edge spaces, guillemets or the full stop. Unless told not
        to remember it (someone «که می‌گوید ...», cited in passing), its speaker is the one pronouns and
        descriptions after it may mean."""
        text = self.text
        while start < end and text[start] in _QUOTE_EDGE_START:
            start += 1
        while end > start and text[end - 1] in _QUOTE_EDGE_END:
            end -= 1
        if not _WORD.search(text, start, end):
            return None
        in_guillemets = bool(_OPENED.search(text, max(0, start - _EDGE_REACH), start)
                             and _CLOSED.match(text, end, end + _EDGE_REACH))
        kind = "direct" if in_guillemets else "indirect"
        quote = Quote(text=text[start:end], speaker=speaker.text if speaker else None, kind=kind,
                      cue=cue.strip(_SPACE), field=self.field, start=start, end=end)
        if isinstance(speaker, _Unnamed):
            quote.speaker, quote.speaker_description = None, speaker.phrase or None
        if isinstance(speaker, _NamedLater):
            self.awaiting_name.append((quote, speaker.description))  # unless a named speaker follows
            self.last_described = (start, speaker)
        elif speaker is not None and remember:
            # an unnamed speaker is remembered too, so that «وی» after it is not someone earlier
            self.last_speaker[speaker.type] = self.last_speaker[None] = (start, speaker)
            if not isinstance(speaker, _Unnamed):
                self.first_speaker.setdefault(speaker.type, speaker)
            if speaker.type == "PER" and self.awaiting_name:  # the described person, named here (or unrecognized)
                if not isinstance(speaker, _Unnamed):
                    introduced = bool(self._roles(speaker))
                    for awaiting, description in self.awaiting_name:
                        if not introduced or self._holds(speaker, description):
                            awaiting.speaker, awaiting.speaker_description = quote.speaker, None
                self.awaiting_name.clear()
        self.quoted_starts.append(start)
        self.quoted_ends.append(end)
        return quote

    # ---- speakers -------------------------------------------------------------------------

    def _speaker(self, cue_start: int, relative: bool) -> Entity | None:
        if relative:
            return self._nearest_speaker_mention_before(cue_start)
        clause_start = self._clause_start(cue_start)
        # Antecedents come from before the clause: names inside it are not its subject.
        return self._resolve(self._subject_in(clause_start, cue_start), clause_start)

    def _clause_start(self, pos: int) -> int:
        """Where the clause holding pos opens, past «به گزارش ...،» or «این در حالی است که»."""
        start = self._sentence(pos)[0]
        # A colon before pos closes a dateline or label («خبرگزاری نمونه: مدیرکل ... گفت»).
        start = max(start, self.text.rfind(":", max(start, pos - LABEL_REACH), pos) + 1)
        # «... توافق کردند اما X اعلام کرد»: a coordinated clause opens after «؛» or «اما» with its own
        # subject, unless a comma before the verb shows a clause set inside the subject's own.
        joint = None
        for joint in _CLAUSE_JOINT.finditer(self.text, max(start, pos - LABEL_REACH), pos):
            pass
        if joint and self._opens_with_subject(joint.end(), pos) and not _COMMA.search(self.text, joint.end(), pos):
            start = joint.end()
        while (opener := _CLAUSE_OPENER.match(self.text, start, pos)) and opener.end() > start:
            start = opener.end()
        # «از سوی دیگر، X گفت», «پس از سخنان Y، X گفت»: a lead-in set off by a comma, which names nobody
        # or opens with a preposition
        lead_in = _LEAD_IN.match(self.text, start, pos)
        if lead_in and (self._first_word(lead_in.start("first")) in _LEAD_IN_OPENERS
                        or not self._names_anyone(start, lead_in.end())):
            start = lead_in.end()
        # «به گزارش خبرگزاری نمونه از تبریز X گفت»: without a comma, the clause opens after the outlet
        i = bisect.bisect_right(self.reporter_ends, pos) - 1
        if i >= 0 and self.reporters[i].start >= start:
            start = _AFTER_REPORTER.match(self.text, self.reporters[i].end, pos).end()
        return start

    def _opens_with_subject(self, start: int, end: int) -> bool:
        """Whether the first word of text[start:end] is a mention, a pronoun or a role word."""
        word = _WORD.search(self.text, start, end)
        return bool(word) and (self._mention_at(word.start(), word.end()) is not None
                               or word.group().translate(rules.FOLD_LETTERS) in _SUBJECT_WORDS)

    def _names_anyone(self, start: int, end: int) -> bool:
        """Whether text[start:end] holds a mention, a pronoun or a role word: someone who may be the subject."""
        i = bisect.bisect_left(self.mention_starts, start)
        if i < len(self.mentions) and self.mentions[i].start < end:
            return True
        return any(word.group().translate(rules.FOLD_LETTERS) in _SUBJECT_WORDS
                   for word in _WORD.finditer(self.text, start, end))

    def _mention_at(self, start: int, end: int) -> _Mention | None:
        """The mention that covers the word text[start:end], if any."""
        i = bisect.bisect_right(self.mention_starts, start) - 1
        if i >= 0 and self.mentions[i].end >= end:
            return self.mentions[i]
        return None

    def _subject_in(self, start: int, end: int) -> _Subject:
        """The speaker phrase opening text[start:end]: the first name, pronoun or description."""
        words = list(islice(_WORD.finditer(self.text, start, end), SUBJECT_WINDOW + HONORIFIC_REACH + 1))
        if not words:
            return _Subject("elided")
        # Letter folding keeps offsets, so one translate serves every word of the window.
        chunk = self.text[start:words[-1].end()].translate(rules.FOLD_LETTERS)
        folded = [chunk[w.start() - start:w.end() - start] for w in words]
        if not rules.HONORIFICS.isdisjoint(folded):
            kept = [k for k, f in enumerate(folded) if f not in rules.HONORIFICS]
            words, folded = [words[k] for k in kept], [folded[k] for k in kept]
        for i, word in enumerate(words[:SUBJECT_WINDOW]):
            if word.start() in self.cue_starts:
                break  # the clause opens with its verb: the subject is elided
            mention = self._mention_at(word.start(), word.end())
            after_preposition = i > 0 and folded[i - 1] in rules.PREPOSITIONS
            if mention and not after_preposition and (mention.entity.type != "LOC" or i == 0):
                return _Subject("entity", mention.entity)
            next_word = folded[i + 1] if i + 1 < len(folded) else ""
            if folded[i] in rules.PRONOUNS:
                return _Subject("pronoun")
            if folded[i] in rules.DEMONSTRATIVES and next_word in rules.ORGANIZATION_NOUNS:
                return _Subject("organization")
            if folded[i] in rules.DEMONSTRATIVES and next_word in rules.PERSON_ROLES:
                return _Subject("person")
            if folded[i] in rules.PERSON_ROLES:
                named = self._apposed_person(word.end(), end)
                if named:
                    return _Subject("entity", named)
                words_of_role, role_end = self._description(word.start(), end)
                if i > 0 and folded[i - 1] not in rules.CLAUSE_OPENING_WORDS:
                    # «X Y سرمربی ...»: a name the entities stage missed; «یک مقام ...»: nobody named
                    opening = next(j for j in range(i + 1) if folded[j] not in rules.CLAUSE_OPENING_WORDS)
                    if folded[opening] in rules.PREPOSITIONS:
                        return _Subject("unnamed")  # «در نشست ... رئیس ...»: no subject to describe
                    # «یک کارشناس انرژی گفت» in a lead: someone the article may name later with that role
                    indefinite = folded[opening] == rules.INDEFINITE and opening == i - 1
                    return _Subject("unnamed", words=words_of_role if indefinite else (),
                                    phrase=self._phrase(words[opening].start(), role_end))
                return _Subject("person", words=words_of_role, phrase=self._phrase(word.start(), role_end))
        return _Subject("elided")

    def _phrase(self, start: int, end: int) -> str:
        """text[start:end] as a speaker's description, without a parenthesis or guillemet left open at
        its end («امام خمینی (ره») or the linking words that close it («نیز»)."""
        phrase = self.text[start:end]
        opened = max(phrase.rfind("("), phrase.rfind("«"))
        if opened > max(phrase.rfind(")"), phrase.rfind("»")):
            phrase = phrase[:opened]
        words = phrase.translate(_GUILLEMET_MARKS).split()  # a name in guillemets may open before start
        while words and words[-1].translate(rules.FOLD_LETTERS) in rules.CLAUSE_OPENING_WORDS:
            words.pop()
        return " ".join(words)

    def _description(self, start: int, end: int) -> tuple[tuple[str, ...], int]:
        """The folded words of a role description, up to its first preposition, word of time («روز شنبه»,
        «پیش‌تر») or verb, and where it ends."""
        words, description_end = [], start
        for word in islice(_WORD.finditer(self.text, start, end), DESCRIPTION_WORDS):
            folded = word.group().translate(rules.FOLD_LETTERS)
            if word.start() in self.cue_starts or folded in _APPOSITION_STOPS or folded in rules.TIME_OPENERS:
                break
            words.append(folded)
            description_end = word.end()
        return tuple(words), description_end

    def _apposed_person(self, start: int, end: int) -> Entity | None:
        """«سخنگوی وزارت نیرو سارا کاظمی گفت»: a name closing the description.
        A name right after the role word is its complement instead («مشاور اوباما»)."""
        first_word_start = None
        for word in islice(_WORD.finditer(self.text, start, end), APPOSITION_WINDOW):
            if first_word_start is None:
                first_word_start = word.start()
            if word.group().translate(rules.FOLD_LETTERS) in _APPOSITION_STOPS:
                return None
            mention = self._mention_at(word.start(), word.end())
            if mention and mention.entity.type == "PER" and mention.start != first_word_start:
                return mention.entity
        return None

    def _resolve(self, subject: _Subject, pos: int) -> Entity | None:
        """Entity subjects speak for themselves; the rest take the fitting earlier speaker or
        subject, and, when entity types were mistaken upstream, any earlier speaker."""
        if subject.kind == "entity":
            return subject.entity
        if subject.kind == "unnamed":
            if subject.words and not self._last_speaker(pos, None) and not self._last_subject_entry(pos, "PER"):
                return _NamedLater(phrase=subject.phrase, description=subject.words)
            return _Unnamed(phrase=subject.phrase)
        if subject.kind == "person":
            resolved = self._introduced_as(subject.words, pos) or self._latest_fitting_person(subject, pos)
        elif subject.kind == "pronoun":
            # «وی افزود» after a lead's described speaker is that speaker, still waiting for a name
            described = self.last_described if self.awaiting_name else None
            candidates = [e for e in (self.last_speaker.get("PER"), self._last_subject_entry(pos, "PER"), described)
                          if e and e[0] < pos]
            if not candidates:
                return None  # «وی»/«او» is a person: never the organization that spoke before
            resolved = max(candidates, key=lambda e: e[0])[1]
        elif subject.kind == "organization":
            resolved = self._last_speaker(pos, "ORG") or self._last_subject(pos, "ORG")
        else:
            resolved = self._last_speaker(pos, None) or self._last_subject(pos, "PER")
        return resolved or self._last_speaker(pos, None)

    def _latest_fitting_person(self, subject: _Subject, pos: int) -> Entity | None:
        """The last person quoted, unless the last person a clause opened with was introduced with a role
        that holds the description and the one quoted was not."""
        candidates = [e[1] for e in (self.last_speaker.get("PER"), self._last_subject_entry(pos, "PER"))
                      if e and e[0] < pos]
        if not candidates:
            return self._last_speaker(pos, None) or _NamedLater(phrase=subject.phrase, description=subject.words)
        holds = [bool(subject.words) and self._holds(person, subject.words) for person in candidates]
        return candidates[holds.index(True)] if any(holds) else candidates[0]

    def _holds(self, person: Entity, description: tuple[str, ...]) -> bool:
        """Whether one of the roles the person was introduced with holds every word of the description."""
        return any(set(description) <= role for role in self._roles(person))

    def _introduced_as(self, words: tuple[str, ...], pos: int) -> Entity | None:
        """The person introduced with this description («کاوه نیک‌نام نماینده مردم کرمان»):
        the latest before pos, else the first after it (a lead that describes before naming)."""
        if not words:
            return None
        appositions = self._person_appositions()
        i = bisect.bisect_left(self._apposition_starts, pos)
        for at, entity, roles in appositions[max(0, i - LOOKBACK_MENTIONS):i][::-1]:
            if any(role[:len(words)] == words for role in roles):
                return entity
        for at, entity, roles in appositions[i:i + LOOKBACK_MENTIONS]:
            if any(role[:len(words)] == words for role in roles):
                return entity
        return None

    def _person_appositions(self) -> list[tuple[int, Entity, tuple[tuple[str, ...], ...]]]:
        """(start, person, descriptions) for every person mention: the folded words right after it, and
        those of each further role joined with «و» («نماینده مردم تبریز و سخنگوی کمیسیون ...»)."""
        if self._appositions is None:
            self._appositions = []
            for mention in self.mentions:
                gap = _APPOSITION_GAP.match(self.text, mention.end).end()
                if mention.entity.type == "PER" and gap - mention.end < 4:
                    reach = min(gap + 300, self._paragraph(gap)[1])
                    stop = _ROLE_END.search(self.text, gap, reach)
                    words = _WORD.finditer(self.text, gap, stop.start() if stop else reach)
                    following = [w.group().translate(rules.FOLD_LETTERS) for w in islice(words, ROLE_WORDS)]
                    roles = [following[:]]
                    if following[:1] and following[0] in rules.PERSON_ROLES:  # not «نماینده [ولی فقیه] در ...»
                        following += [w.group().translate(rules.FOLD_LETTERS)
                                      for w in islice(words, ROLES_REACH - ROLE_WORDS)]
                        roles += [following[k + 1:k + 1 + ROLE_WORDS] for k in range(len(following) - 1)
                                  if following[k] == "و" and following[k + 1] in rules.PERSON_ROLES]
                    self._appositions.append((mention.start, mention.entity, tuple(map(tuple, roles))))
            self._apposition_starts = [at for at, _, _ in self._appositions]
        return self._appositions

    def _roles(self, person: Entity) -> list[set[str]]:
        """The words of the first roles the person is introduced with. A description fits the person
        when one of the roles holds all its words: «نماینده مردم تبریز در مجلس» may be «نماینده مجلس»,
        «سرمربی تیم میهمان» is not «سرمربی تیم میزبان»."""
        roles = dict.fromkeys(role for _, entity, descriptions in self._person_appositions() if entity is person
                              for role in descriptions if role[:1] and role[0] in rules.PERSON_ROLES)
        return [set(role) for role in islice(roles, MAX_ROLES)]

    def _last_speaker(self, pos: int, entity_type: str | None) -> Entity | None:
        entry = self.last_speaker.get(entity_type)
        return entry[1] if entry and entry[0] < pos else None

    def _last_subject_entry(self, pos: int, entity_type: str) -> tuple[int, Entity] | None:
        """The last mention of that type that opens its clause (the sentence is about it)."""
        i = bisect.bisect_left(self.mention_starts, pos) - 1
        for mention in self.mentions[max(0, i - LOOKBACK_MENTIONS):i + 1][::-1]:
            if mention.entity.type == entity_type and self._opens_clause(mention):
                return mention.start, mention.entity
        return None

    def _opens_clause(self, mention: _Mention) -> bool:
        """Whether the mention is what its clause is about; names inside quoted speech never are."""
        i = bisect.bisect_right(self.quoted_starts, mention.start) - 1
        if i >= 0 and mention.start < self.quoted_ends[i]:
            return False
        if mention.start not in self._clause_openers:
            clause_start = self._clause_start(mention.start)
            words_before = list(islice(_WORD.finditer(self.text, clause_start, mention.start),
                                       SUBJECT_WINDOW))
            self._clause_openers[mention.start] = len(words_before) < SUBJECT_WINDOW
        return self._clause_openers[mention.start]

    def _last_subject(self, pos: int, entity_type: str) -> Entity | None:
        entry = self._last_subject_entry(pos, entity_type)
        return entry[1] if entry else None

    def _nearest_speaker_mention_before(self, pos: int) -> Entity | None:
        """The noun «که» attaches to: the closest person within a short noun phrase
        («کاظمی، وزیر نیرو که ...»), else the closest person or organization."""
        sentence_start = self._sentence(pos)[0]
        i = bisect.bisect_left(self.mention_starts, pos) - 1
        closest = None
        for mention in self.mentions[max(0, i - LOOKBACK_MENTIONS):i + 1][::-1]:
            if mention.start < sentence_start:
                break
            if mention.entity.type == "PER":
                words_between = islice(_WORD.finditer(self.text, mention.end, pos), APPOSITION_WINDOW + 1)
                if closest is None or len(list(words_between)) <= APPOSITION_WINDOW:
                    return mention.entity
            if mention.entity.type == "ORG" and closest is None:
                closest = mention.entity
        return closest
