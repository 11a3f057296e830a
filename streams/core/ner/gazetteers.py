"""Name lists and cue words that tell the tagger what a word usually is.

Sources (see NOTICE): country, region and city names from the Unicode CLDR Persian locale
(via Babel), Iranian first names from the MIT-licensed persian-gender-detection package,
and short lists curated by hand for this project. None of them decides a tag alone: the
CRF learns how far to trust each one.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from ..segment import tokenize
from .forms import MARKS, ZWNJ, fold

DATA = Path(__file__).with_name("data")
PLACE_FILES = ("cldr_places.txt", "curated_places.txt")
ORG_FILES = ("curated_orgs.txt",)
FIRST_NAME_FILE = "first_names.txt"
CLUSTER_FILE = DATA / "clusters.tsv.gz"  # word clusters, most frequent words first
LONGEST_NAME = 8  # tokens; longer list entries are never matched

# Words that open the name of an organization ("وزارت ...", "خبرگزاری ...").
ORG_HEADS = """
وزارت وزارتخانه سازمان خبرگزاری دانشگاه دانشکده پژوهشگاه پژوهشکده شورا شورای حزب جنبش
جبهه کمیسیون کمیته مجلس مجمع بانک شرکت باشگاه تیم اداره اداره‌کل ستاد نیروی نیروهای سپاه
ارتش دادگاه دادسرای دیوان بنیاد انجمن موسسه مؤسسه مرکز کانون اتحادیه فدراسیون کنفدراسیون
شبکه روزنامه هفته‌نامه ماهنامه رادیو تلویزیون خبرگاه پایگاه گروه گروهک هیئت هیات اتاق بورس
دبیرخانه فرمانداری استانداری شهرداری دولت کابینه قوه آژانس صندوق کارخانه هلدینگ گروهان لشکر
تیپ قرارگاه جمعیت سندیکا کنسرسیوم آکادمی فرهنگستان کتابخانه موزه بیمارستان دبیرستان مدرسه
""".split()
# Titles and roles that stand before a person's name ("وزیر ...", "آیت‌الله ...").
PERSON_TITLES = """
آقای آقا خانم دکتر مهندس استاد سید سیده حاج حجت‌الاسلام حجت‌الاسلام‌والمسلمین آیت‌الله
آیت‌الله‌العظمی امام شیخ سردار سرلشکر سرتیپ سرهنگ سرگرد سروان ژنرال دریادار امیر سرتیپ‌دوم
رئیس رییس وزیر نخست‌وزیر رئیس‌جمهور رئیس‌جمهوری معاون سخنگوی سخنگو سفیر نماینده مدیرعامل
مدیر دبیرکل دبیر فرمانده استاندار فرماندار شهردار نایب قائم‌مقام مشاور دستیار کارشناس
سرمربی مربی بازیکن هافبک مهاجم دروازه‌بان کاپیتان پادشاه ملک شاه شاهزاده ولیعهد امیر
رهبر دادستان قاضی بازپرس وکیل خبرنگار نویسنده کارگردان بازیگر خواننده شاعر پروفسور عضو
""".split()
# Words that stand before a place name ("شهر ...", "استان ...").
PLACE_HEADS = """
شهر شهرستان استان کشور روستای روستا منطقه جزیره جزایر دریای رود رودخانه خلیج کوه کوه‌های
بندر بخش دهستان محله خیابان میدان بزرگراه جاده تنگه دره دشت صحرای قاره پایتخت ایالت
""".split()
# Verbs and nouns of speech, which follow their speaker.
SPEECH = """
گفت گفته افزود اظهار اظهارداشت تاکید تأکید خاطرنشان تصریح اعلام عنوان یادآور یادآوری
بیان ادامه داد کرد نوشت پرسید پاسخ
""".split()


def load_clusters(path: Path = CLUSTER_FILE) -> dict[str, tuple[str, ...]]:
    """Folded word -> its cluster ids, coarse to fine, in the file's order (most frequent first)."""
    if not Path(path).exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = (line.rstrip("\n").split("\t") for line in fh)
        return {row[0]: tuple(row[1:]) for row in rows if row[0]}


@lru_cache(maxsize=1)
def _frequency_ranks() -> dict[str, int]:
    return {word: rank for rank, word in enumerate(load_clusters())}


def is_common_word(folded: str, top: int = 400) -> bool:
    """Among the most frequent words of news text: function words and everyday nouns."""
    return _frequency_ranks().get(folded, top) < top


@lru_cache(maxsize=1)
def _words_not_nouns() -> frozenset[str]:
    """Folded words that hazm's lexicon lists under some part of speech other than a noun («علی‌رغم»
    a conjunction, «ابرقدرت» also an adjective). Names are nouns there, if listed at all."""
    from hazm.utils import default_words  # word, frequency, tags; read as a stream, kept only in part
    with open(default_words, encoding="utf-8") as fh:
        rows = (line.rstrip("\n").split("\t") for line in fh)
        return frozenset(fold(row[0]) for row in rows if len(row) == 3 and not set(row[2].split(",")) <= {"N", "0"})


def is_spaced_word(first: str, second: str) -> bool:
    """Two folded words that are one everyday word written with a space («علی رغم», «ابر قدرت»), though
    each alone may be a name; a pair that is itself a name («عبد الله») is not one."""
    joined = first + second
    return joined in _words_not_nouns() and not word_classes(joined) & {"first", "place-name", "org-name"}


def _read_names(filename: str) -> list[str]:
    path = DATA / filename
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _folded_token_variants(name: str) -> set[tuple[str, ...]]:
    """A name as folded tokens, both with its ZWNJs and with them typed as spaces."""
    variants = set()
    name = MARKS.sub("", name)  # the tokenizer would split «کرهٔ» at its hamza
    for text in (name, name.replace(ZWNJ, " ")):
        tokens = tuple(fold(t.text) for t in tokenize(text))
        if 0 < len(tokens) <= LONGEST_NAME:
            variants.add(tokens)
    return variants


@lru_cache(maxsize=1)
def _word_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}

    def add(words, label):
        for word in words:
            table.setdefault(fold(word), set()).add(label)

    add(ORG_HEADS, "orghead")
    add(PERSON_TITLES, "title")
    add(PLACE_HEADS, "placehead")
    add(SPEECH, "speech")
    add(_read_names(FIRST_NAME_FILE), "first")
    for filename, label in [*((f, "place") for f in PLACE_FILES), *((f, "org") for f in ORG_FILES)]:
        for name in _read_names(filename):
            for tokens in _folded_token_variants(name):
                add(tokens[:1], f"{label}-first")
                add(tokens[1:], f"{label}-part")
                if len(tokens) == 1:
                    add(tokens, f"{label}-name")
    return {word: frozenset(labels) for word, labels in table.items()}


@lru_cache(maxsize=1)
def _span_table() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First folded token -> (all folded tokens, kind), longest names first."""
    table: dict[str, set[tuple[tuple[str, ...], str]]] = {}
    for files, kind in ((PLACE_FILES, "LOC"), (ORG_FILES, "ORG")):
        for filename in files:
            for name in _read_names(filename):
                for tokens in _folded_token_variants(name):
                    table.setdefault(tokens[0], set()).add((tokens, kind))
    return {first: sorted(names, key=lambda n: (-len(n[0]), n[1])) for first, names in table.items()}


def word_classes(folded: str) -> frozenset[str]:
    return _word_table().get(folded, frozenset())


@lru_cache(maxsize=1)
def _name_kinds() -> dict[tuple[str, ...], set[str]]:
    kinds: dict[tuple[str, ...], set[str]] = {}
    for names in _span_table().values():
        for tokens, kind in names:
            kinds.setdefault(tokens, set()).add(kind)
    return kinds


def name_kind(folded: tuple[str, ...]) -> str | None:
    """The kind of a listed name, None if it is not listed or is listed as both kinds."""
    kinds = _name_kinds().get(folded, ())
    return next(iter(kinds)) if len(kinds) == 1 else None


def starts_name(folded: str) -> bool:
    return folded in _span_table()


def find_spans(folded, candidates=None) -> list[tuple[int, int, str]]:
    """Gazetteer names in a sequence of folded tokens as (start, end, kind), longest match
    first, looked for at every position or only at the candidates (ascending) given.

    A name listed under both kinds ("فارس" is a province and a news agency) yields both.
    """
    table = _span_table()
    found, end = [], 0
    for i in range(len(folded)) if candidates is None else candidates:
        if i < end:
            continue
        for tokens, kind in table.get(folded[i], ()):
            n = len(tokens)
            if n >= end - i and tuple(folded[i:i + n]) == tokens:
                found.append((i, i + n, kind))
                end = i + n
    return found
