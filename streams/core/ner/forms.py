"""The folded form under which a word is looked up in the model, clusters and gazetteers."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZWNJ = "\u200c"
# Letter variants, Arabic/Persian digits and joiners differ between sources and typists but
# not in meaning; PEYMA writes "روش های" where normalized text has "روش‌های", so spaces and
# ZWNJ inside a token are dropped too. Every digit becomes 0: the value of a number never
# names anything, its shape does.
_FOLD = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "ؤ": "و",
    "أ": "ا", "إ": "ا", "ٱ": "ا", "آ": "ا",
    "\u0640": None, ZWNJ: None, " ": None, "\u200f": None, "\u200e": None,
    **{chr(0x06F0 + i): "0" for i in range(10)},
    **{chr(0x0660 + i): "0" for i in range(10)},
    **{str(i): "0" for i in range(10)},
})
MARKS = re.compile("[\u064b-\u065f\u0670]")


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    # NFKC turns the Arabic presentation forms some old pages use ("ﺟﺎﻣﻌﻪ") into letters.
    return MARKS.sub("", unicodedata.normalize("NFKC", word)).translate(_FOLD).lower()
