"""Quotes stage: what was said in an article, and by whom.

Persian news reports speech with a verb of saying after its subject («X گفت: ...»,
«وی افزود ...», «X تاکید کرد که ...»), with «با بیان اینکه ...» clauses, «به گفته X، ...»,
and guillemet quotes («...»). The stage finds those cues with precompiled regexes, takes
the reported text after each cue, and names the speaker from the words that open the
clause: an entity mention, a pronoun or a description («این مقام»، «سخنگوی ...»), the last
two resolved against the speakers and subjects met earlier in the article.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from . import quote_rules as rules
from .model import Entity, Quote
from .segment import sentence_spans

_WS = " \t\u00a0\u200c\u200f\u200e"
_CUE = re.compile(r"(?<![\w\u200c])(?:" + rules.cue_pattern() + r")(?![\w\u200c])(?![ \u200c]*و[ \u200c]*گو)")
# What follows a cue decides what the quote is: a colon or comma opens speech to the end of
# the paragraph, «که» a reported clause to the end of the sentence, «...» a direct quote.
_AFTER_CUE = re.compile(r"[ \u00a0\u200c]*(?:(?P<colon>[:：])|(?P<comma>[،,])|(?P<that>"
                        + rules.flexible("که") + r")(?![\w\u200c])|(?=(?P<word>[^\W\d_])))")
_REPORTED_THAT = re.compile(
    r"(?<![\w\u200c])با[ \u200c]+(?:" + "|".join(rules.flexible(w) for w in rules.SAYING_NOUNS_BEFORE_THAT)
    + r")[ \u200c]+(?:" + rules.flexible("این که") + r")(?![\w\u200c])")
_ACCORDING_TO = re.compile(r"(?<![\w\u200c])" + rules.flexible("به گفته") + r"(?:ی)?(?![\w\u200c])[ \u200c]*"
                           r"(?P<who>[^،,:\n.]{1,80})[،,]")
# Bounded, negated classes: each attempt stops at the next guillemet or newline, so
# unbalanced «s in a huge body still cost linear time.
_GUILLEMETS = re.compile(r"«([^«»\n]{1,3000})»")
_CHARACTERIZED = re.compile(r"«(?P<text>[^«»\n]{1,300})»[ \u200c]*(?:را[ \u200c]+)?(?P<cue>"
                           + "|".join(rules.flexible(w) for w in rules.CHARACTERIZING_WORDS) + r")(?![\w\u200c])")
_WORD = re.compile(r"[\w\u200c]+")
_CLAUSE_OPENER = re.compile(
    r"[\s\"'«]*(?:(?:" + "|".join(rules.flexible(w) for w in rules.SOURCE_OPENERS) + r")[^،,:\n]{0,200}[،,]"
    r"|(?:" + "|".join(rules.flexible(w) for w in rules.CONNECTIVE_OPENERS) + r")(?![\w\u200c]))")
_HEADLINE = re.compile(r"\s*(?P<head>[^:\n«»]{2,60}?)\s*:\s*(?P<text>\S[^\n]*)")
_TRAILING = re.compile(r"[\s\u200c.!»\"”،,؛;:]+$")
_LEADING = re.compile(r"^[\s\u200c«\"“]+")

SUBJECT_WINDOW = 4  # the speaker phrase opens within this many words of the clause start
APPOSITION_WINDOW = 8  # «سخنگوی وزارت خارجه روسیه ماریا زاخارووا»: name within this many words


@dataclass
class _Mention:
    start: int
    end: int
    entity: Entity


@dataclass
class _Subject:
    """Who a clause is about, before resolution: an entity, a pronoun, a description or nobody."""

    kind: str  # entity, pronoun, person, organization, elided
    entity: Entity | None = None
    words: tuple[str, ...] = ()


def find_quotes(fields: dict[str, str], entities: list[Entity]) -> list[Quote]:
    """Quotes in the body (in order), then a headline quote in the title («X: ...»)."""
    quotes: list[Quote] = []
    try:
        body = _FieldQuotes("body", fields.get("body") or "", entities)
        quotes += body.quotes()
        title = _FieldQuotes("title", fields.get("title") or "", entities)
        quotes += title.headline()
    except (AttributeError, TypeError):
        # Malformed input (not strings, odd entity objects) yields no quotes rather than a crash.
        return []
    return quotes


class _FieldQuotes:
    """Quote finding over one field; keeps the discourse (who spoke last) while reading."""

    def __init__(self, field: str, text: str, entities: list[Entity]):
        self.field, self.text = field, text
        self.mentions = sorted(
            (_Mention(m.start, m.end, e) for e in entities for m in e.mentions
             if m.field == field and 0 <= m.start < m.end <= len(text)),
            key=lambda m: m.start)
        self.mention_starts = [m.start for m in self.mentions]
        self.sentences = sentence_spans(text)
        self.sentence_starts = [s for s, _ in self.sentences]
        self.speakers: list[tuple[int, Entity]] = []  # (position, speaker) in reading order

    # ---- reading the field ---------------------------------------------------------------

    def quotes(self) -> list[Quote]:
        text = self.text
        cues = list(_CUE.finditer(text))
        events = sorted(
            [(m.start(), "cue", m) for m in cues]
            + [(m.start(), "that", m) for m in _REPORTED_THAT.finditer(text)]
            + [(m.start(), "according", m) for m in _ACCORDING_TO.finditer(text)]
            + [(m.start(), "characterized", m) for m in _CHARACTERIZED.finditer(text)],
            key=lambda event: event[0])
        cue_starts = [m.start() for m in cues]
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
            else:
                new, resume = self._characterized(match)
            found += new
        return found

    def headline(self) -> list[Quote]:
        """«X: ...» in a title, where X names or describes a speaker."""
        match = _HEADLINE.match(self.text)
        if not match:
            return []
        head_start, head_end = match.span("head")
        subject = self._subject_in(head_start, head_end)
        if subject.kind == "elided":
            return []
        quote = self._quote(match.start("text"), len(self.text), self._resolve(subject, head_start), ":")
        return [quote] if quote else []

    # ---- cue handlers: each returns its quotes and where reading goes on ------------------

    def _after_cue(self, cue: re.Match, cues: list[re.Match], cue_starts: list[int]):
        after = _AFTER_CUE.match(self.text, cue.end())
        if not after or after.lastgroup is None:
            return [], cue.end()
        is_document = cue.group().startswith("آمد")
        if is_document and not after.group("colon"):
            return [], cue.end()
        start = after.end()
        relative = self._follows_relative_that(cue.start())
        if after.group("colon") or after.group("comma"):
            end = self._speech_end(start, cues, cue_starts)
            opens_guillemet = self._guillemet_at(start)
            if opens_guillemet:
                start, end = opens_guillemet.span(1)
        else:
            if after.group("word") and self._first_word(start) in rules.NOT_SPEECH_OPENERS:
                return [], cue.end()
            end = self._clause_end(start, relative)
            inner = [g for g in _GUILLEMETS.finditer(self.text, start, end)]
            if inner:
                # A paraphrase carrying the speaker's own words: the words are the quote.
                speaker = self._speaker(cue.start(), relative)
                found = [q for g in inner
                         if (q := self._quote(g.start(1), g.end(1), speaker, cue.group(), "direct"))]
                return found, end
            if after.group("word") and len(_WORD.findall(self.text, start, end)) < 3:
                return [], cue.end()
        speaker = self._speaker(cue.start(), relative)
        quote = self._quote(start, end, speaker, cue.group())
        return ([quote] if quote else []), max(end, cue.end())

    def _reported_that(self, match: re.Match, cues: list[re.Match], cue_starts: list[int]):
        """«با بیان اینکه X، افزود: Y»: X is reported speech of the main verb's subject."""
        sentence_end = self._sentence(match.start())[1]
        i = bisect.bisect_left(cue_starts, match.end())
        while i < len(cues) and cues[i].start() < sentence_end:
            after = _AFTER_CUE.match(self.text, cues[i].end())
            if after and (after.group("colon") or after.group("comma") or after.group("that")):
                speaker = self._speaker(cues[i].start(), False)
                phrase = match.group().strip(_WS)
                quote = self._quote(match.end(), cues[i].start(), speaker, phrase)
                return ([quote] if quote else []), cues[i].start()
            i += 1
        return [], match.end()

    def _according_to(self, match: re.Match):
        """«به گفته X، ...»: X speaks the rest of the sentence."""
        subject = self._subject_in(*match.span("who"))
        speaker = self._resolve(subject, match.start())
        end = self._sentence(match.start())[1]
        quote = self._quote(match.end(), end, speaker, "به گفته")
        return ([quote] if quote else []), end

    def _characterized(self, match: re.Match):
        """«X را «...» توصیف کرد»: the guillemet words are the subject's own."""
        speaker = self._speaker(match.start(), False)
        quote = self._quote(match.start("text"), match.end("text"), speaker, match.group("cue"), "direct")
        return ([quote] if quote else []), match.end("text")

    # ---- spans ----------------------------------------------------------------------------

    def _sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_starts, pos) - 1
        return self.sentences[i] if i >= 0 else (0, len(self.text))

    def _paragraph_end(self, pos: int) -> int:
        end = self.text.find("\n", pos)
        return len(self.text) if end < 0 else end

    def _speech_end(self, start: int, cues: list[re.Match], cue_starts: list[int]) -> int:
        """Speech after a colon runs to the paragraph end, or to a sentence that quotes anew."""
        end = self._paragraph_end(start)
        i = bisect.bisect_left(cue_starts, start)
        while i < len(cues) and cues[i].start() < end:
            after = _AFTER_CUE.match(self.text, cues[i].end())
            sentence_start = self._sentence(cues[i].start())[0]
            if after and after.group("colon") and sentence_start > start:
                return sentence_start
            i += 1
        return end

    def _clause_end(self, start: int, relative: bool) -> int:
        """A reported clause ends with its sentence; a relative one («که گفته بود ...») at «را» or a comma."""
        end = min(self._sentence(start)[1], self._paragraph_end(start))
        if relative:
            for word in _WORD.finditer(self.text, start, end):
                if word.group() == "را":
                    return word.start()
            comma = self.text.find("،", start, end)
            if comma >= 0:
                return comma
        return end

    def _guillemet_at(self, pos: int) -> re.Match | None:
        while pos < len(self.text) and self.text[pos] in _WS:
            pos += 1
        return _GUILLEMETS.match(self.text, pos)

    def _first_word(self, pos: int) -> str:
        word = _WORD.match(self.text, pos)
        return word.group().translate(rules.FOLD_LETTERS) if word else ""

    def _follows_relative_that(self, pos: int) -> bool:
        """«... بلینکن که گفته بود»: the cue's subject is the noun before «که»."""
        before = self.text[max(0, pos - 8):pos].rstrip(_WS)
        return before.translate(rules.FOLD_LETTERS).endswith("که") and (
            len(before) == 2 or not (before[-3].isalpha() or before[-3] == "\u200c"))

    def _quote(self, start: int, end: int, speaker: Entity | None, cue: str,
               kind: str | None = None) -> Quote | None:
        """The quote over text[start:end] without edge spaces, guillemets or the full stop."""
        span = self.text[start:end]
        lead = _LEADING.search(span)
        start += lead.end() if lead else 0
        trail = _TRAILING.search(self.text, start, end)
        end = trail.start() if trail else end
        if end <= start or not _WORD.search(self.text, start, end):
            return None
        if kind is None:
            kind = "direct" if self.text[max(0, start - 1)] == "«" else "indirect"
        if speaker is not None:
            self.speakers.append((start, speaker))
        return Quote(text=self.text[start:end], speaker=speaker.text if speaker else None, kind=kind,
                     cue=cue.strip(_WS), field=self.field, start=start, end=end)

    # ---- speakers -------------------------------------------------------------------------

    def _speaker(self, cue_start: int, relative: bool) -> Entity | None:
        if relative:
            return self._nearest_speaker_mention_before(cue_start)
        clause_start = self._clause_start(cue_start)
        return self._resolve(self._subject_in(clause_start, cue_start), cue_start)

    def _clause_start(self, pos: int) -> int:
        start = self._sentence(pos)[0]
        while (opener := _CLAUSE_OPENER.match(self.text, start, pos)) and opener.end() > start:
            start = opener.end()
        return start

    def _mention_at(self, start: int, end: int) -> _Mention | None:
        """The mention that covers the word text[start:end], if any."""
        i = bisect.bisect_right(self.mention_starts, start) - 1
        if i >= 0 and self.mentions[i].end >= end:
            return self.mentions[i]
        return None

    def _subject_in(self, start: int, end: int) -> _Subject:
        """The speaker phrase opening text[start:end]: the first name, pronoun or description."""
        words = list(_window(_WORD.finditer(self.text, start, end), SUBJECT_WINDOW + APPOSITION_WINDOW))
        folded = [w.group().translate(rules.FOLD_LETTERS) for w in words]
        for i, word in enumerate(words[:SUBJECT_WINDOW]):
            if _CUE.match(self.text, word.start()):
                break  # the clause opens with its verb: the subject is elided
            mention = self._mention_at(word.start(), word.end())
            after_preposition = i > 0 and folded[i - 1] in rules.PREPOSITIONS
            if mention and not after_preposition and (mention.entity.type != "LOC" or i == 0):
                return _Subject("entity", mention.entity)
            if folded[i] in rules.PRONOUNS:
                return _Subject("pronoun")
            next_word = folded[i + 1] if i + 1 < len(folded) else ""
            if folded[i] in rules.DEMONSTRATIVES and next_word in rules.ORGANIZATION_NOUNS:
                return _Subject("organization")
            if folded[i] in rules.DEMONSTRATIVES and next_word in rules.PERSON_ROLES:
                return _Subject("person")
            if folded[i] in rules.PERSON_ROLES:
                named = self._apposed_person(words[i + 1:], folded[i + 1:])
                if named:
                    return _Subject("entity", named)
                return _Subject("person", words=tuple(folded[i:i + 2]))
        return _Subject("elided")

    def _apposed_person(self, words: list[re.Match], folded: list[str]) -> Entity | None:
        """«سخنگوی وزارت خارجه روسیه ماریا زاخارووا گفت»: a name closing the description."""
        for word, plain in zip(words, folded):
            if plain in rules.PREPOSITIONS or plain == "که":
                return None
            mention = self._mention_at(word.start(), word.end())
            if mention and mention.entity.type == "PER":
                return mention.entity
        return None

    def _resolve(self, subject: _Subject, pos: int) -> Entity | None:
        if subject.kind == "entity":
            return subject.entity
        if subject.kind == "person":
            return (self._described_person(subject.words, pos) or self._last_speaker(pos, "PER")
                    or self._last_subject(pos, "PER"))
        if subject.kind == "pronoun":
            return self._latest(self._last_speaker_entry(pos, "PER"), self._last_subject_entry(pos, "PER"))
        if subject.kind == "organization":
            return self._last_speaker(pos, "ORG") or self._last_subject(pos, "ORG")
        return self._last_speaker(pos, None) or self._last_subject(pos, "PER")

    def _described_person(self, words: tuple[str, ...], pos: int) -> Entity | None:
        """A person introduced earlier with the same description: «نادر قاضی‌پور نماینده مردم ارومیه»."""
        if len(words) < 2:
            return None
        found = None
        for mention in self.mentions:
            if mention.start >= pos:
                break
            if mention.entity.type != "PER":
                continue
            following = _window(_WORD.finditer(self.text, mention.end, min(len(self.text), mention.end + 60)), 2)
            gap = self.text[mention.end:mention.end + 4].lstrip(_WS + "»\"”،,")
            if gap[:1].isalpha() and tuple(w.group().translate(rules.FOLD_LETTERS) for w in following) == words:
                found = mention.entity
        return found

    def _last_speaker_entry(self, pos: int, entity_type: str | None):
        for at, entity in reversed(self.speakers):
            if at < pos and (entity_type is None or entity.type == entity_type):
                return at, entity
        return None

    def _last_speaker(self, pos: int, entity_type: str | None) -> Entity | None:
        entry = self._last_speaker_entry(pos, entity_type)
        return entry[1] if entry else None

    def _last_subject_entry(self, pos: int, entity_type: str):
        """The last mention of that type that opens its clause (the sentence is about it)."""
        i = bisect.bisect_left(self.mention_starts, pos) - 1
        while i >= 0:
            mention = self.mentions[i]
            if mention.entity.type == entity_type:
                clause_start = self._clause_start(mention.start)
                if len(_WORD.findall(self.text, clause_start, mention.start)) < SUBJECT_WINDOW:
                    return mention.start, mention.entity
            i -= 1
        return None

    def _last_subject(self, pos: int, entity_type: str) -> Entity | None:
        entry = self._last_subject_entry(pos, entity_type)
        return entry[1] if entry else None

    @staticmethod
    def _latest(*entries) -> Entity | None:
        present = [e for e in entries if e]
        return max(present, key=lambda e: e[0])[1] if present else None

    def _nearest_speaker_mention_before(self, pos: int) -> Entity | None:
        sentence_start = self._sentence(pos)[0]
        i = bisect.bisect_left(self.mention_starts, pos) - 1
        while i >= 0 and self.mentions[i].start >= sentence_start:
            if self.mentions[i].entity.type in ("PER", "ORG"):
                return self.mentions[i].entity
            i -= 1
        return None


def _window(iterator, size: int) -> list:
    out = []
    for item in iterator:
        out.append(item)
        if len(out) >= size:
            break
    return out
