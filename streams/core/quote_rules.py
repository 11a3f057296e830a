"""The Persian words the quotes stage looks for: verbs of saying and the words around a speaker.

Everything is written once in standard Persian spelling; `flexible` turns a phrase into a
regex that also accepts the Arabic letter variants, and ZWNJ, space or nothing between
parts, so the stage still works on text that a normalizer only half repaired.
"""
from __future__ import annotations

import re

# Light verbs of compound verbs of saying, as (past stem, present form): «اعلام کرد», «اعلام می‌کند».
# Each maps to the nouns that make a verb of saying with it.
_COMPOUND_CUES = {
    ("کرد", "کند"): (
        "اعلام", "اضافه", "تاکید", "خاطرنشان", "خاطر نشان", "تصریح", "بیان", "عنوان", "اظهار",
        "ابراز", "تشریح", "اعتراف", "ادعا", "اذعان", "توصیه", "هشدار", "یادآوری", "اشاره", "ذکر",
        "گلایه", "پیش بینی", "اعلان", "تکرار",
        # a noun of feeling inside the verb: «ابراز امیدواری کرد که ...»
        "ابراز امیدواری", "ابراز نگرانی", "ابراز تاسف", "ابراز خرسندی", "ابراز خوشحالی",
        "اظهار امیدواری", "اظهار نگرانی", "اظهار تاسف", "اظهار خرسندی", "اظهار خوشحالی", "گوشزد", "تهدید",
    ),
    ("داشت", "دارد"): ("اظهار", "ابراز", "بیان", "اعلام", "عنوان", "اذعان"),
    ("داد", "دهد"): ("ادامه", "هشدار", "توضیح", "پاسخ", "خبر", "اطلاع", "قول", "وعده", "احتمال"),
    ("شد", "شود"): ("یادآور", "مدعی", "متذکر", "خاطرنشان", "خاطر نشان"),
    ("ساخت", "سازد"): ("خاطرنشان", "خاطر نشان", "متذکر"),
    ("نمود", "نماید"): ("اعلام", "اظهار", "تصریح", "تاکید", "بیان", "عنوان", "خاطرنشان", "اضافه"),
    # the honorific «فرمود» of news about religious leaders: «بیان فرمودند»
    ("فرمود", "فرماید"): ("اعلام", "اظهار", "تصریح", "تاکید", "بیان", "عنوان", "خاطرنشان", "اضافه", "اشاره"),
}
# Simple verbs of saying, as (past stem, present form).
_SIMPLE_CUES = (("گفت", "گوید"), ("افزود", "افزاید"), ("نوشت", "نویسد"), ("فرمود", "فرماید"))
# «در بیانیه X آمده است: ...»: a document speaks; only counts before a colon or guillemet.
DOCUMENT_CUES = ("آمده است", "آمده بود")

# «X را «...» توصیف کرد»: a guillemet quote characterizing something, right before one of these.
CHARACTERIZING_WORDS = ("توصیف", "خواند", "نامید", "قلمداد", "ارزیابی")

# «وی با بیان اینکه ...، افزود: ...»: the clause after «اینکه» is reported speech too.
SAYING_NOUNS_BEFORE_THAT = ("بیان", "اعلام", "تاکید بر", "اشاره به", "ابراز", "ذکر", "تصریح")
THAT = ("این که", "آن که")  # «با بیان اینکه», «با بیان آنکه»

# «باید گفت که ...»: a verb of saying after these is the writer's, not a report.
MODALS = frozenset({"باید", "نباید", "می‌توان", "نمی‌توان", "میتوان", "نمیتوان", "بتوان", "شاید", "توان"})
PRONOUNS = frozenset({"وی", "او", "ایشان"})
# Words that open a description of a person: «سخنگوی وزارت ...», «این مقام», «نماینده مردم ...».
PERSON_ROLES = frozenset({
    "وزیر", "سخنگو", "سخنگوی", "رئیس", "رییس", "نائب", "نایب", "معاون", "مدیر", "مدیرعامل",
    "استاد", "نماینده", "عضو", "سرمربی", "مربی", "دبیر", "دبیرکل", "فرمانده", "سفیر", "مشاور",
    "دادستان", "نخست", "رهبر", "کارشناس", "مقام", "دیپلمات", "سناتور", "مسئول", "مسئولان",
    "مقامات", "بازیکن", "کاپیتان", "هماهنگ", "رئیس‌جمهور", "نخست‌وزیر", "سرپرست", "فرماندار",
    "استاندار", "شهردار", "رئیس‌کل", "رییس‌کل", "مدیرکل", "سرکنسول", "کنسول", "وکیل",
    "نظریه‌پرداز", "فعال", "اعضای", "نمایندگان", "وزرای", "سخنگویان", "فرماندهان", "امام", "خطیب",
    "قائم‌مقام", "جانشین", "پژوهشگر", "تحلیلگر",
    "افسر", "خبرنگار", "نویسنده", "کارگردان", "بازیگر", "هنرمند", "پزشک", "متخصص", "محقق", "دانشمند",
    "بازرس", "کاردار", "نامزد", "بنیانگذار", "موسس", "رئیس‌جمهوری", "پادشاه", "ولیعهد",
    "سخنران", "داور", "مهاجم", "هافبک", "دروازه‌بان", "مدافع", "منتقد", "استادیار", "دانشیار", "شاعر",
    "مدیران", "کارشناسان", "تحلیلگران", "وزیران", "پیشکسوت", "مذاکره‌کننده",
})
# Honorifics and ranks before a name («سید», «دکتر», «سردار»): they do not push the name out of the
# few words where a clause's subject is looked for.
HONORIFICS = frozenset({
    "سید", "سیده", "حاج", "حاجی", "آقای", "خانم", "دکتر", "مهندس", "شیخ", "آیت‌الله", "آیت‌الله‌العظمی",
    "حجت‌الاسلام", "حجت‌الاسلام‌والمسلمین", "سردار", "ژنرال", "سرلشکر", "سرتیپ", "سرهنگ", "دریادار", "قاضی",
})
# Words that, after «این», re-mention an organization: «این وزارتخانه اعلام کرد».
ORGANIZATION_NOUNS = frozenset({
    "وزارتخانه", "سازمان", "نهاد", "گروه", "جنبش", "شرکت", "حزب", "دولت", "خبرگزاری", "رسانه",
    "روزنامه", "شبکه", "ارتش", "مجلس", "دانشگاه", "باشگاه", "اتحادیه", "ائتلاف", "کمیته", "شورا",
    "بانک", "دفتر", "ستاد", "فدراسیون", "تیم", "کمیسیون", "پایگاه", "بیانیه",
})
# Words that may open a clause before its subject: «همچنین سخنگوی ...», «در این باره وزیر ...».
CLAUSE_OPENING_WORDS = frozenset({
    "همچنین", "سپس", "ادامه", "ارتباط", "پایان", "باره", "زمینه", "رابطه", "خصوص", "راستا", "نیز", "اما",
    "ولی", "و", "بنابراین", "امروز", "دیروز", "امشب", "همچنان", "سرانجام", "نهایت", "حال", "این",
    "همین", "آن", "پیش", "پس", "اکنون", "هم", "نخست", "ابتدا", "بعد", "قبل", "آنگاه", "اینک",
})
# Words that open a phrase of time between a speaker's description and the verb: «یک مقام ارشد پیش‌تر
# گفته ...», «سخنگوی ... روز شنبه گفت». Not the weekdays themselves: «امام جمعه» is an office.
TIME_OPENERS = frozenset({"روز", "هفته", "ماه", "پیش‌تر", "پیشتر", "قبلا", "قبلاً", "اخیرا", "اخیراً"})
DEMONSTRATIVES = frozenset({"این", "همین"})
INDEFINITE = "یک"  # «یک مقام آمریکایی»: someone described, not yet named
# «با این گفته که ...»: after one of these, a bare participle is a noun, not a verb of saying.
DETERMINERS = DEMONSTRATIVES | {"آن", "همان", "هر", "چنین"}
# A name right after one of these is a complement («با رویترز»), not the one who speaks.
PREPOSITIONS = frozenset({"با", "از", "به", "در", "برای", "درباره", "بر", "علیه", "توسط", "نزد", "طبق",
                          "درمورد", "درخصوص", "پیرامون", "راجع"})
# Reported speech does not open with one of these: «پاسخ داد و ...», «اعلام کرد تا ...».
NOT_SPEECH_OPENERS = frozenset({
    "و", "را", "تا", "اما", "ولی", "از", "با", "برای", "نیز", "هم", "است", "بود", "شد",
    "می‌شود", "یا", "چون", "زیرا", "پس", "سپس",
})
# A sentence may open with where the news came from: «به گزارش ...، X گفت».
SOURCE_OPENERS = ("به گزارش", "به نقل از", "بنا بر", "بنابر", "بر اساس", "طبق", "به نوشته")
# ... or with a connective clause: «این در حالی است که X ...».
CONNECTIVE_OPENERS = ("این در حالی است که", "این در حالیست که", "در حالی که")
# ... or with a phrase of reference, which would otherwise fill the few words where the subject is
# looked for: «در همین راستا شرکت «X» اعلام کرد».
REFERENCE_OPENERS = tuple(f"در {this} {noun}" for this in ("این", "همین") for noun in (
    "باره", "زمینه", "راستا", "رابطه", "خصوص", "ارتباط", "حال", "میان")) + (
    "در ادامه", "در پایان", "در عین حال", "از سوی دیگر", "از طرف دیگر")

_LETTER_VARIANTS = {"ی": "[یيى]", "ک": "[کك]", "ا": "[اأ]", "ه": "[هة]"}
# Inside a phrase, a space or ZWNJ may be written as either or left out (می‌گوید، میگوید).
_JOINER = "[ \u00a0\u200c]?"
# Between a noun and its light verb: a space or ZWNJ, or nothing in hasty typing («اظهارداشت»).
_SEPARATOR = "[ \u00a0\u200c]*"

# Folding for word-list look-ups; the same variants `flexible` accepts.
FOLD_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "ة": "ه"})


def _atoms(phrase: str) -> tuple[str, ...]:
    """One regex piece per character; "_" marks the noun/light-verb separator."""
    atoms = []
    for ch in phrase:
        if ch == "_":
            atoms.append(_SEPARATOR)
        elif ch in " \u200c":
            atoms.append(_JOINER)
        else:
            atoms.append(_LETTER_VARIANTS.get(ch, re.escape(ch)))
    return tuple(atoms)


def flexible(phrase: str) -> str:
    """A regex for `phrase` that tolerates letter variants and ZWNJ/space/nothing between words."""
    return "".join(_atoms(phrase))


def _trie_regex(phrases) -> str:
    """An alternation of phrases with shared prefixes factored out, so each text position
    tries one branch per first letter instead of one per phrase."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for atom in _atoms(phrase):
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alternatives = [atom + emit(child) for atom, child in node.items() if atom]
        if not alternatives:
            return ""
        if len(alternatives) == 1 and "" not in node:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")" + ("?" if "" in node else "")

    return emit(trie)


def _verb_forms(past: str, present: str) -> list[str]:
    """Past, perfect (also without «است»), pluperfect and present forms, singular and plural:
    گفت، گفتند، گفته است، گفته، می‌گوید."""
    stem = present[:-1]
    return [past, past + "ند", past + "ه", past + "ه است", past + "ه بود", past + "ه بودند", past + "ه اند",
            "می " + stem + "د", "می " + stem + "ند"]


def is_bare_participle(cue: str) -> bool:
    """«گفته», «اعلام کرده»: the perfect with its «است» left out, as many outlets write it («او گفته که
    ...»). Alone, the participle is also an adjective or a relative clause's verb («بیانیه‌ای که منتشر
    کرده»), so it reports speech only before «که» or a colon. No past stem of a verb of saying ends in «ه»."""
    return cue.endswith("ه")


def cue_pattern() -> str:
    """Every form of every verb of saying, as one prefix-factored regex."""
    phrases = [f"{noun}_{form}" for light, nouns in _COMPOUND_CUES.items()
               for noun in nouns for form in _verb_forms(*light)]
    phrases += [form for simple in _SIMPLE_CUES for form in _verb_forms(*simple)]
    phrases += DOCUMENT_CUES
    return _trie_regex(phrases)
