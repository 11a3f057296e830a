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
    ),
    ("داشت", "دارد"): ("اظهار", "ابراز", "بیان", "اعلام", "عنوان", "اذعان"),
    ("داد", "دهد"): ("ادامه", "هشدار", "توضیح", "پاسخ", "خبر", "اطلاع", "قول", "وعده"),
    ("شد", "شود"): ("یادآور", "مدعی", "متذکر", "خاطرنشان", "خاطر نشان"),
    ("ساخت", "سازد"): ("خاطرنشان", "خاطر نشان", "متذکر"),
    ("نمود", "نماید"): ("اعلام", "اظهار", "تصریح", "تاکید", "بیان", "عنوان", "خاطرنشان", "اضافه"),
}
# Simple verbs of saying, as (past stem, present form).
_SIMPLE_CUES = (("گفت", "گوید"), ("افزود", "افزاید"), ("نوشت", "نویسد"))
# «در بیانیه X آمده است: ...»: a document speaks; only counts before a colon.
DOCUMENT_CUE = "آمده است"

# «X را «...» توصیف کرد»: a guillemet quote characterizing something, right before one of these.
CHARACTERIZING_WORDS = ("توصیف", "خواند", "نامید", "قلمداد", "ارزیابی")

# «وی با بیان اینکه ...، افزود: ...»: the clause after «اینکه» is reported speech too.
SAYING_NOUNS_BEFORE_THAT = ("بیان", "اعلام", "تاکید بر", "اشاره به", "ابراز", "ذکر", "تصریح")

PRONOUNS = frozenset({"وی", "او", "ایشان"})
# Words that open a description of a person: «سخنگوی وزارت ...», «این مقام», «نماینده مردم ...».
PERSON_ROLES = frozenset({
    "وزیر", "سخنگو", "سخنگوی", "رئیس", "رییس", "نائب", "نایب", "معاون", "مدیر", "مدیرعامل",
    "استاد", "نماینده", "عضو", "سرمربی", "مربی", "دبیر", "دبیرکل", "فرمانده", "سفیر", "مشاور",
    "دادستان", "نخست", "رهبر", "کارشناس", "مقام", "دیپلمات", "سناتور", "مسئول", "مسئولان",
    "مقامات", "بازیکن", "کاپیتان", "هماهنگ", "رئیس‌جمهور", "نخست‌وزیر", "سرپرست", "فرماندار",
    "استاندار", "شهردار", "امام", "خطیب", "قائم‌مقام", "جانشین", "مشاور", "پژوهشگر", "تحلیلگر",
})
# Words that, after «این», re-mention an organization: «این وزارتخانه اعلام کرد».
ORGANIZATION_NOUNS = frozenset({
    "وزارتخانه", "سازمان", "نهاد", "گروه", "جنبش", "شرکت", "حزب", "دولت", "خبرگزاری", "رسانه",
    "روزنامه", "شبکه", "ارتش", "مجلس", "دانشگاه", "باشگاه", "اتحادیه", "ائتلاف", "کمیته", "شورا",
    "بانک", "دفتر", "ستاد", "فدراسیون", "تیم", "کمیسیون", "پایگاه", "بیانیه",
})
DEMONSTRATIVES = frozenset({"این", "همین"})
# A name right after one of these is a complement («با رویترز»), not the one who speaks.
PREPOSITIONS = frozenset({"با", "از", "به", "در", "برای", "درباره", "بر", "علیه", "توسط", "نزد", "طبق"})
# Reported speech does not open with one of these: «پاسخ داد و ...», «اعلام کرد تا ...».
NOT_SPEECH_OPENERS = frozenset({
    "و", "را", "تا", "اما", "ولی", "به", "از", "با", "برای", "نیز", "هم", "است", "بود", "شد",
    "می‌شود", "و", "یا", "چون", "زیرا", "پس", "سپس",
})
# A sentence may open with where the news came from: «به گزارش ...، X گفت».
SOURCE_OPENERS = ("به گزارش", "به نقل از", "بنا بر", "بنابر", "بر اساس", "طبق", "به نوشته")
# ... or with a connective clause: «این در حالی است که X ...».
CONNECTIVE_OPENERS = ("این در حالی است که", "این در حالیست که", "در حالی که")

_LETTER_VARIANTS = {"ی": "[یيى]", "ک": "[کك]", "ا": "[اأ]", "ه": "[هة]"}
_JOINER = "[ \u00a0\u200c]?"

# Folding for word-list look-ups; the same variants `flexible` accepts.
FOLD_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "ة": "ه"})


def flexible(phrase: str) -> str:
    """A regex for `phrase` that tolerates letter variants and ZWNJ/space/nothing between words."""
    parts = []
    for ch in phrase:
        if ch in " \u200c":
            parts.append(_JOINER)
        else:
            parts.append(_LETTER_VARIANTS.get(ch, re.escape(ch)))
    return "".join(parts)


def _verb_forms(past: str, present: str) -> str:
    """Past, perfect, pluperfect and present forms, singular and plural: گفت، گفتند، گفته است، می‌گوید."""
    past_re, present_re = flexible(past), flexible(present[:-1])
    return (f"(?:{past_re}(?:ه{_JOINER}(?:است|بود(?:ند)?|اند)|ند)?"
            f"|می{_JOINER}{present_re}(?:د|ند))")


def _alternatives(words) -> str:
    return "|".join(flexible(w) for w in sorted(set(words), key=len, reverse=True))


def cue_pattern() -> str:
    """One regex alternative per verb of saying, compound ones grouped by light verb."""
    branches = [
        f"(?:{_alternatives(nouns)})[ \u00a0\u200c]+{_verb_forms(*light)}"
        for light, nouns in _COMPOUND_CUES.items()
    ]
    branches += [_verb_forms(*simple) for simple in _SIMPLE_CUES]
    branches.append(flexible(DOCUMENT_CUE))
    return "|".join(branches)
