"""Normalization stage: turn scraped Persian news text into final, clean text.

Every later stage points offsets into the strings returned here, so nothing after this
stage may change the text. A field goes through:

1. markup removal: HTML tags and entities, stray zero-width and bidi control characters;
2. protection: URLs, e-mail addresses, Latin text and numbers with separators are swapped
   for a placeholder, because hazm's spacing and digit rules mangle them («www. irna. ir»);
3. hazm's Normalizer for letters, digits, diacritics and punctuation style, without its
   spacing rules, which turn typed spaces into ZWNJ on guesswork («ماه می‌سال»); its steps
   run through HazmNormalizer, which gives hazm's output at a fraction of the cost;
4. our repair: ZWNJ restoration (streams.core.zwnj), light punctuation spacing,
   whitespace clean-up, and the protected spans put back.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from streams.core.built_apart import tables
from streams.core.zwnj import LETTER, ZWNJ, restore_zwnj

PLACEHOLDER = "\ue000"  # private-use character: hazm leaves it alone and it never occurs in news text
# hazm is fed pieces of at most this size: some of its steps rescan the whole text per match.
HAZM_CHUNK = 20_000

_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|tr|table|h[1-6]|blockquote|section|article)\b[^<>]{0,500}>",
                        re.IGNORECASE)
_ANY_TAG = re.compile(r"<!--.{0,2000}?-->|</?[A-Za-z][^<>]{0,500}>", re.DOTALL)
# Zero-width and bidi controls other than ZWNJ carry no meaning in stored text.
_INVISIBLE = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad" + PLACEHOLDER + "]")

_URL = r"(?:https?://|www\.)[^\s<>\"«»]+[^\s<>\"«».,;:!?)\]،؛؟]"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_LATIN_WORD = r"[A-Za-z][A-Za-z0-9]*(?:[-_.'’&+/][A-Za-z0-9]+)*"
_NUMBER = r"[0-9۰-۹٠-٩]+(?:[.,٫٬/:][0-9۰-۹٠-٩]+)+[%٪]?"
_PROTECTED = re.compile(f"{_URL}|{_EMAIL}|{_LATIN_WORD}(?: {_LATIN_WORD})*|{_NUMBER}")
# Every protected span holds one of these (an e-mail address at least its «@»).
_PROTECTABLE = re.compile("[A-Za-z0-9۰-۹٠-٩@]")
_TO_PERSIAN_NUMBER = str.maketrans("0123456789٠١٢٣٤٥٦٧٨٩.", "۰۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸۹٫")

# These passes run over every text, so each pattern starts with a character or character
# class (not a lookaround or an alternation of classes): the search then skips ahead by first
# character instead of trying the whole pattern at every position.
# Runs of blanks, and single blanks other than a plain space (tabs, no-break spaces).
_SPACES = re.compile(r"[^\S\n](?:[^\S\n]+|(?<! ))")
_SPACE_BEFORE_CLOSING = re.compile(r"  *(?=[.,:;!?،؛؟»)\]}])")
# hazm turns "..." into " …", adding a space the writer did not type; we convert it first.
_THREE_DOTS = re.compile(r"\.\.\.")
_SPACE_AFTER_OPENING = re.compile(r"([«(\[{]) +")
# A Persian comma or semicolon typed against the next word («بودم ،افزود»): the space belongs after it.
_GLUED_AFTER_COMMA = re.compile(f"([،؛])(?=[{LETTER}])")
# ZWNJ runs that need a look: longer than one, or a single one not between two letters.
_ZWNJ_DEBRIS = re.compile(f"\u200c(?:\u200c+|(?<![{LETTER}]\u200c)|(?![{LETTER}]))")
_LETTER_CHAR = re.compile(f"[{LETTER}]")
_BLANK_LINES = re.compile(r"\n\n\n+")
_TATWEEL = re.compile("\u0640+")


class CharacterReplacer:
    """A str.translate for tables whose replacements hold none of its keys, that only touches
    the characters present: news text mostly holds none or a few of them, and replacing those
    few costs far less than looking up every character."""

    # A replace pass costs about a fiftieth of a translate (which looks up every character),
    # so past this many different characters in one text a single translate is cheaper.
    MAX_REPLACES = 20

    def __init__(self, table: Mapping[str, str]):
        self._table = dict(table)
        self._translation = str.maketrans(self._table)
        self._present = re.compile("[" + "".join(map(re.escape, self._table)) + "]") if table else None

    def __call__(self, text: str) -> str:
        if self._present is None:
            return text
        position = 0
        for _ in range(self.MAX_REPLACES):
            found = self._present.search(text, position)
            if found is None:
                return text
            # Every earlier character is already final, so the next search starts here.
            position = found.start()
            text = text.replace(found.group(), self._table[found.group()])
        return text.translate(self._translation)


class HazmNormalizer:
    """hazm's `Normalizer(correct_spacing=False, seperate_mi=False).normalize`, same output, cheaper.

    hazm rebuilds its translation tables on every call and runs about twenty regular
    expressions over the text. Here its own tables, patterns and word list are taken once from a
    hazm Normalizer: consecutive per-character steps become one table, and a step is skipped when
    its trigger is absent from the text. The object holds only those tables, so that a worker
    unpickles it without importing hazm (streams.core.built_apart).
    """

    # hazm's persian_style patterns cannot match without this text.
    STYLE_TRIGGERS = {'"([^\n"]+)"': '"', r"([\d+])\.([\d+])": ".", r" ?\.\.\.": "..."}

    def __init__(self):
        from hazm import Normalizer
        from hazm.utils import maketrans

        hazm = Normalizer(correct_spacing=False, seperate_mi=False)
        letters = maketrans(hazm.translation_src, hazm.translation_dst)
        self._unify_letters = CharacterReplacer({chr(code): to for code, to in letters.items()})
        self._style = [(re.compile(pattern), replacement, self.STYLE_TRIGGERS.get(pattern, ""))
                       for pattern, replacement in hazm.persian_style_patterns]

        # Digits, diacritics, ligatures and special marks: hazm's steps between persian_style
        # and the repeated-letter step, each acting on single characters, so their combined
        # effect is what they make of each character they mention.
        def per_character_steps(char: str) -> str:
            char = hazm.persian_number(char)
            return hazm.remove_specials_chars(hazm.unicodes_replacement(hazm.remove_diacritics(char)))

        mentioned = set(hazm.number_translation_src).union(
            *(pattern for pattern, _ in hazm.diacritics_patterns + hazm.specials_chars_patterns + hazm.replacements))
        self._per_character = CharacterReplacer(
            {char: per_character_steps(char) for char in mentioned if per_character_steps(char) != char})
        self._repeated_letters = re.compile(hazm.more_than_two_repeat_pattern)
        self._words_with_repeats = re.compile(hazm.repeated_chars_pattern)
        self._words = frozenset(hazm.words)

    def normalize(self, text: str) -> str:
        text = self._unify_letters(text)
        for pattern, replacement, trigger in self._style:
            if trigger in text:
                text = pattern.sub(replacement, text)
        text = self._per_character(text)
        if self._repeated_letters.search(text):
            text = self._decrease_repeated_letters(text)
        return text

    def _decrease_repeated_letters(self, text: str) -> str:
        """hazm's decrease_repeated_chars: a word with a letter three times or more, unless hazm
        knows it so, gets the one of its forms with that letter once or twice that hazm knows,
        else the twice form («سلامممم» → «سلام»)."""
        for word in [found.group() for found in self._words_with_repeats.finditer(text)]:
            if word not in self._words:
                once, twice = self._repeated_letters.sub(r"\1", word), self._repeated_letters.sub(r"\1\1", word)
                text = text.replace(word, once if once in self._words and twice not in self._words else twice)
        return text


def _hazm_normalizer() -> HazmNormalizer:
    return tables()["hazm_normalizer"]


def strip_markup(text: str) -> str:
    """Text without HTML tags, entities and invisible control characters (ZWNJ kept)."""
    if "<" in text:
        text = _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    return _INVISIBLE.sub("", text)


def _protected_form(span: str) -> str:
    # Numbers follow the text's Persian digits and decimal separator; the rest stays as typed.
    return span.translate(_TO_PERSIAN_NUMBER) if span[0].isdigit() else span


def _protect(text: str) -> tuple[str, list[str]]:
    """Text with each protected span replaced by PLACEHOLDER, and the spans' final forms."""
    protected: list[str] = []
    if not _PROTECTABLE.search(text):
        return text, protected

    def hold(span: re.Match) -> str:
        protected.append(_protected_form(span.group()))
        return PLACEHOLDER

    return _PROTECTED.sub(hold, text), protected


def _hazm_normalize(text: str) -> str:
    normalizer = _hazm_normalizer()
    if len(text) <= HAZM_CHUNK:
        return normalizer.normalize(text)
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + HAZM_CHUNK)
        if end < len(text):
            # Cut after a newline, or else after a space, so no word is split.
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            end = cut + 1 if cut > start else end
        pieces.append(normalizer.normalize(text[start:end]))
        start = end
    return "".join(pieces)


def _one_zwnj_between_letters(run: re.Match) -> str:
    # A ZWNJ only means something between two letters; elsewhere it is debris.
    text, start, end = run.string, run.start(), run.end()
    inside_word = start > 0 and end < len(text) and _LETTER_CHAR.match(text[start - 1]) \
        and _LETTER_CHAR.match(text[end])
    return ZWNJ if inside_word else ""


def _tidy_spacing(text: str) -> str:
    if "\u0640" in text:
        text = _TATWEEL.sub("", text)
    text = _ZWNJ_DEBRIS.sub(_one_zwnj_between_letters, text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_CLOSING.sub("", text)
    text = _SPACE_AFTER_OPENING.sub(r"\1", text)
    text = _GLUED_AFTER_COMMA.sub(r"\1 ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def normalize_text(text: str) -> str:
    """One field of an article: hazm's Normalizer plus our repair of scraped text."""
    if not text:
        return ""
    text = strip_markup(text)
    text, protected = _protect(text)
    text = _hazm_normalize(_THREE_DOTS.sub("…", text))
    text = _tidy_spacing(restore_zwnj(text))
    if protected:
        spans = iter(protected)
        text = re.sub(PLACEHOLDER, lambda _: next(spans, ""), text)
    return text


# ---- article level --------------------------------------------------------------------------

_FOOTER_LABEL = (r"(?:منبع(?: خبر)?|اخبار مرتبط|مطالب مرتبط|بیشتر بخوانید|کد خبر|شناسه خبر|لینک کوتاه"
                 r"|نشانی کوتاه|برچسب[\u200c ]?ها|کلید[\u200c ]?واژه[\u200c ]?ها|تگ[\u200c ]?ها)")
_FOOTER_LINE = re.compile(rf"^(?:{_FOOTER_LABEL}\s*[:：].*|{_FOOTER_LABEL}|انتهای پیام\W*)$")

# An attribution names its source up to the first comma, colon or line end.
_NAME = r"[^\n،,:؛.]{2,80}?"
_NAMED = rf"\s+({_NAME})\s*(?=[\n،,:؛.]|به نقل از)"
_REPORTED_BY = re.compile("به گزارش" + _NAMED)
# Every outlet the text reports from: «به نقل از X», «به نوشته X», «بنا بر گزارش X», and a «به
# گزارش X» other than the article's own agency («به گزارش فارس به نقل از رویترز، ...»).
_CITING = re.compile(r"(?:به نقل از|به نوشته[\u200cٔی]?|بنا ?بر گزارش|به گزارش)" + _NAMED)
# «به نوشته این روزنامه»: a source named earlier, not a new one.
_ANAPHORIC = re.compile(r"(?:این|همین|آن)\s")
# Words that begin the outlet's own name inside «به گزارش گروه سیاسی خبرگزاری X».
_OUTLET_HEAD = re.compile(r"(?:خبرگزاری|روزنامه|پایگاه|شبکه|رادیو|تلویزیون|هفته[\u200c ]?نامه|باشگاه خبرنگاران)")
# The outlet's desk or reporter before a bare outlet name: «به گزارش گروه اقتصادی ایرنا».
_DESK = re.compile(r"(?:گروه|سرویس|خبرنگار|دبیرخانه)\b")
# Where the outlet reports from, after its name: «خبرگزاری نمونه از تبریز», «... در واشنگتن».
_DATELINE = re.compile(r"\s+(?:از|در)\s+[^\n]*$")
# «به گزارش X و به نقل از Y»: the «و» before the cited source is not part of X.
_TRAILING_AND = re.compile(r"\s+و$")
# A news agency's own stamp opening the body: «خبرگزاری نمونه: ...», «خبرگزاری نمونه- ...». It names
# the publisher, whatever «به گزارش X» follows («خبرگزاری نمونه: به گزارش رویترز، ...»).
_AGENCY_STAMP = re.compile(r"\s*(خبرگزاری(?:\s+[^\s:،,\-–_]+){1,3}?)\s*[:\-–_]")
# A dateline that opens the body with the outlet's name: «روزنامه نمونه: مدیرکل ... گفت».
_OUTLET_DATELINE = re.compile(rf"\s*({_OUTLET_HEAD.pattern}[^\n:،,]{{1,40}}?)\s*:")
_MAX_NAME_WORDS = 8
# An interview with the outlet's own reporter: «X در گفت‌وگو با خبرنگار اقتصادی نمونه، گفت», «X به
# خبرنگار نمونه گفت»; the reporter's desk and outlet end at a comma, a verb of saying or a dateline.
_TOLD_REPORTER = re.compile(r"(?:با|به)\s+(خبرنگار(?:\s+[^\s،,:؛.«»]+){1,5}?)(?=\s*[،,:؛.]|\s+(?:گفت|اظهار|افزود"
                            r"|تصریح|اعلام|تاکید|تأکید|بیان|عنوان|خاطرنشان|در\s|از\s))")


@dataclass
class NormalizedText:
    title: str
    body: str
    source_agency: str | None = None
    cited_sources: list[str] = field(default_factory=list)


def _letters(text: str) -> str:
    """Comparison key that ignores spacing, ZWNJ and punctuation."""
    return re.sub(r"[\W_]+", "", text)


def _drop_repeated_title(title: str, body: str) -> str:
    lines = body.split("\n")
    if title and lines and _letters(lines[0]) == _letters(title):
        return "\n".join(lines[1:]).lstrip()
    return body


def _drop_footer(body: str) -> str:
    lines = body.split("\n")
    while lines and (not lines[-1].strip() or _FOOTER_LINE.match(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines)


def _outlet_name(phrase: str) -> str | None:
    phrase = _TRAILING_AND.sub("", phrase.strip())
    if len(phrase.split()) > _MAX_NAME_WORDS:
        return None
    head = _OUTLET_HEAD.search(phrase)
    if head:
        return _DATELINE.sub("", phrase[head.start():])
    if _DESK.match(phrase):
        outlet = _DATELINE.sub("", phrase).split()[-1]
        return None if outlet == "ما" else outlet  # «خبرنگار ما»: our reporter names no outlet
    return phrase


def _source_agency(body: str) -> str | None:
    """The agency stamping the body, else the outlet of «به گزارش X», else of a dateline opening the body,
    else the outlet whose reporter someone spoke to."""
    if stamp := _AGENCY_STAMP.match(body):
        return stamp.group(1)
    reported = _REPORTED_BY.search(body)
    if reported and (name := _outlet_name(reported.group(1))):
        return name
    if dateline := _OUTLET_DATELINE.match(body):
        return dateline.group(1)
    told = _TOLD_REPORTER.search(body)
    return _outlet_name(told.group(1)) if told else None


def normalize_article(title: str, body: str) -> NormalizedText:
    """Both fields normalized, the body rid of a repeated title and of footer lines, and the
    attribution («به گزارش X به نقل از Y») returned as structured fields (it stays in the body)."""
    title = normalize_text(title)
    body = _drop_footer(_drop_repeated_title(title, normalize_text(body)))
    source_agency = _source_agency(body)
    return NormalizedText(title=title, body=body, source_agency=source_agency,
                          cited_sources=_cited_sources(body, source_agency))


def _cited_sources(body: str, source_agency: str | None) -> list[str]:
    """The outlets the text cites, each once («اسپوتنیک» after «خبرگزاری اسپوتنیک» is the same one),
    in order; the article's own agency and bare outlet words («روزنامه») are not among them."""
    known = [key] if (key := _letters(source_agency or "")) else []
    cited = []
    for match in _CITING.finditer(body):
        name = _outlet_name(match.group(1))
        if not name or _ANAPHORIC.match(name) or _OUTLET_HEAD.fullmatch(name):
            continue
        key = _letters(name)
        if key and not any(key in other or other in key for other in known):
            known.append(key)
            cited.append(name)
    return cited
