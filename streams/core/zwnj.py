"""Put back the zero-width non-joiner (ZWNJ, U+200C) that scraped Persian text lost.

Scrapers often drop ZWNJ, gluing «بی‌اساس» into «بیاساس» and «تنش‌ها» into «تنشها».
Each glued run of letters is repaired in four steps:

1. Spelling memory: every spelling seen in a corpus of well-kept text (plus hazm's
   lexicon and verb conjugations) is keyed by its letters without ZWNJ; a run whose
   key is known gets the spelling most frequent in the corpus (in the lexicons where
   the corpus counts its spellings alike).
2. Inflection: an unknown run ending in a plural or superlative («...ها», «...ترین»), or
   in a clitic after a known stem ending in «ه» («...ه‌ای»), is split there, as standard
   orthography does, and its stem is restored on its own.
3. Derivation: an unknown run that is a known spelling with a ZWNJ plus a short affix
   written glued («کتاب‌فروش»+«ان», «غیر»+«هم‌سو») keeps that spelling's ZWNJ, and one
   that is a word written whole plus a glued ending stays whole («رامشگر»+«ان»); an
   unknown Arabic compound of two known words splits before its article («صعب‌العبور»).
4. Segmentation: any other unknown run is split into known pieces (stems, prefixes such
   as «می»/«بی», suffixes the corpus shows as ZWNJ-separated pieces) by the most probable
   split under a piece unigram model, leaning towards splits after a final «ه» or «ی».

Throughout, a clitic («ای», «اش», «شان» ...) stands apart only after «ه» or «ی».

The counts come from streams/core/data/zwnj/forms.tsv, a list of spellings with
corpus counts (see `python -m streams.core.zwnj --help` for how it is built).
"""
from __future__ import annotations

import argparse
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from operator import itemgetter
from pathlib import Path

from .built_apart import tables

ZWNJ = "\u200c"
DATA_DIR = Path(__file__).parent / "data" / "zwnj"
FORMS_FILE = DATA_DIR / "forms.tsv"  # spelling counts from news corpora (built by main() below)
WORD_FREQUENCY_FILE = DATA_DIR / "wordfreq-fa.tsv"  # general-usage frequencies, see README.md

# Persian/Arabic letters after hazm's character unification (no digits, marks, tatweel or punctuation).
LETTER = "\u0621-\u063a\u0641-\u064a\u067e\u0686\u0698\u06a9\u06af\u06c0\u06cc"
_WORD = re.compile(f"[{LETTER}]+(?:\u200c[{LETTER}]+)*")
# Words as runs of letters and ZWNJ. Only words of 4+ letters can hide a lost ZWNJ (the
# shortest pieces have two letters each); a word that already holds a ZWNJ was written with
# care and is left alone. (Split, not sub with a callback: most words are looked up in a
# memo, which map() does without a Python call per word.)
_WORD_SPLIT = re.compile(f"([{LETTER}\u200c]{{4,}})")
# After these letters a ZWNJ changes nothing visible, and careful writers leave it out.
NON_JOINING = set("آادذرزژوۀأإؤةء")
# Clitics (indefinite «ای», pronouns «اش»/«شان», the copula «است» ...) stand apart only after
# a final silent «ه» or a «ی» («خانه‌ای», «صندلی‌اش»); after other letters standard orthography
# glues them («کتابی», «کتابشان», «دنیاست»). The plural copula is the exception: «نگران‌اند».
CLITICS = frozenset({"ای", "ایی", "ام", "ات", "اش", "است", "مان", "تان", "شان"})
CLITIC_HOSTS = frozenset("هی")
# A ZWNJ after a letter that never joins is invisible; corpus spellings that hold one are
# folded onto the spelling without it («رفت‌و‌آمد» is «رفت‌وآمد»).
_INVISIBLE_ZWNJ = re.compile(f"(?<=[{''.join(sorted(NON_JOINING))}])\u200c")

# Inflections that standard orthography writes apart from their stem («قطره‌ها», «گران‌ترین»,
# «تازه‌ای»). An unknown run ending in a plural or superlative is split there even when its
# stem is unknown, so foreign and new stems get them too; a clitic needs a known stem ending
# in «ه» (unknown names end in «...هام» or «...های» by chance far more often).
PLURAL_ENDINGS = ("ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "هاست", "ترین")
CLITIC_ENDINGS = ("ای", "ایی", "ام", "ات", "اش", "اند", "ایم", "اید", "است")
# A plural perfect («رفته‌اند», «نوشته‌ایم») is recognised by its participle ending even when
# the stem is unknown (prefixed and negated verbs mostly are).
PERFECT_ENDINGS = ("اند", "ایم", "اید")
INFLECTION_ENDINGS = PLURAL_ENDINGS + CLITIC_ENDINGS
PARTICIPLE_ENDS = ("ده", "ته")

MIN_PIECE = 2
MAX_PIECE = 16
# The split bonus after a final «ه» or «ی» needs a piece at least this long before the split:
# two-letter pieces are function words, and three-letter ones ending in «ی» are as often
# syllables of foreign names as words.
SPLIT_BONUS_MIN_PIECE = {"ه": MIN_PIECE + 1, "ی": MIN_PIECE + 2}
# The Arabic article of Arabic compounds («صعب‌العبور», «لازم‌الاجرا»): after a joining letter the
# corpus writes it apart in some 190 spellings, and glued mostly where the letters before it are
# no word («کاتالیست»). Both words around it have at least this many letters.
ARTICLE = "ال"
MIN_ARTICLE_WORD = 3
# Derivation: affixes glued onto a known spelling have at most this many letters.
MAX_GLUED_AFFIX = 5
# Longer runs are not segmented (only looked up), so cost stays linear in the text.
MAX_SEGMENTED_RUN = 40


def _may_split(before: str, piece: str) -> bool:
    """Whether a ZWNJ may stand between a piece ending in before and piece."""
    # Two-letter hosts are function words («به», «که»), never nouns taking a clitic.
    return piece not in CLITICS or (before[-1] in CLITIC_HOSTS and len(before) > MIN_PIECE)


def _well_formed(pieces: list[str]) -> bool:
    return all(_may_split(before, piece) for before, piece in zip(pieces, pieces[1:]))


def _glued_affixes(words: Iterable[str], min_words: int) -> tuple[frozenset[str], frozenset[str]]:
    """Endings and beginnings (of MAX_GLUED_AFFIX letters at most) that at least min_words of
    words show glued onto another of words."""
    known = set(words)
    endings: Counter[str] = Counter()
    beginnings: Counter[str] = Counter()
    for word in known:
        for size in range(1, min(MAX_GLUED_AFFIX, len(word) - MIN_PIECE - 1) + 1):
            if word[:-size] in known:
                endings[word[-size:]] += 1
            if word[size:] in known:
                beginnings[word[:size]] += 1
    return tuple(frozenset(affix for affix, hosts in counts.items() if hosts >= min_words)
                 for counts in (endings, beginnings))


def _join_pieces(pieces: list[str]) -> str:
    out = pieces[0]
    for piece in pieces[1:]:
        out += piece if out[-1] in NON_JOINING else ZWNJ + piece
    return out


class ZwnjRestorer:
    """Restores ZWNJ in glued words from spelling counts.

    form_counts: spelling -> count in well-kept text (spellings may contain ZWNJ).
    lexicon: further spellings -> frequency in some larger corpus (hazm's word list and
        verb conjugations); frequencies are rescaled to the size of form_counts, and every
        lexicon spelling gets at least lexicon_floor counts. Which spelling of a word wins is
        form_counts' call; the lexicon decides it only between spellings counted alike there.
    suffix_min_stems: a piece seen after a ZWNJ following at least this many different
        pieces is a productive suffix («ها», «ترین», «ای» ...).
    suffix_preference: factor favouring a ZWNJ before a productive suffix, since standard
        orthography («آن‌ها», «مهم‌ترین») writes it and much news text omits it.
    unknown_cost: how much less likely than a word seen once an unknown run is (in log units);
        a split must beat keeping the run whole as such an unknown word.
    unknown_letter_cost: how much less likely an unknown run gets with each letter (in log
        units), as under any letter model of new words: a long unknown run is more often
        several known words glued than one word never seen.
    word_backoff: share of a word's standalone frequency lent to it as a compound piece it
        was never seen as, so compounds of known words («کره»+«شمالی») can still split.
    split_after_h, split_after_yeh: log-bonus for splitting an unknown run after a piece (of
        SPLIT_BONUS_MIN_PIECE letters or more) ending in «ه» or «ی»: glued there the letter takes
        its medial shape («پذیرهنویسی»), which careful writers avoid, so such runs are mostly
        compounds.
    short_piece_min_partners: a piece of MIN_PIECE letters is a segmentation piece only if
        the corpus shows it beside a ZWNJ with at least this many different pieces («می»,
        «بی», «ها»); most two-letter strings are function words («را», «تو») or syllables of
        foreign names («دیترویت» is no «دی‌ترویت»), and as pieces they split names apart.
    glued_affix_min_words: an ending or beginning seen glued onto at least this many different
        words written as one piece («ان», «ی», «گری», «باز», «غیر» ...) is a glued affix: an
        unknown run made of it and a known spelling with a ZWNJ keeps that spelling, and one
        made of a word written whole and a glued ending stays whole.
    """

    def __init__(self, form_counts: Mapping[str, int], lexicon: Mapping[str, float] | None = None,
                 lexicon_floor: float = 0.5, suffix_min_stems: int = 50,
                 suffix_preference: float = 1.0, unknown_cost: float = 6.0,
                 word_backoff: float = 0.05, split_after_h: float = 0.0, split_after_yeh: float = 0.0,
                 short_piece_min_partners: int = 20, glued_affix_min_words: int = 20,
                 unknown_letter_cost: float = 0.0):
        # Built once per process from about 400,000 spellings, so the loops below keep a fast
        # path for the spellings without a ZWNJ and split each spelling only where needed.
        spelling_score: dict[str, float] = {}
        for form, count in form_counts.items():
            form = _INVISIBLE_ZWNJ.sub("", form) if ZWNJ in form else form
            spelling_score[form] = spelling_score.get(form, 0) + count
        corpus_count = dict(spelling_score)
        if lexicon:
            scale = sum(form_counts.values()) / max(1.0, sum(lexicon.values()))
            for form, freq in lexicon.items():
                form = _INVISIBLE_ZWNJ.sub("", form) if ZWNJ in form else form
                spelling_score[form] = spelling_score.get(form, 0) + (freq * scale + lexicon_floor)

        starts: dict[str, float] = {}  # first (or only) pieces of words
        whole: dict[str, float] = {}  # words written as one piece
        later: dict[str, float] = {}  # pieces after a ZWNJ
        stem_and_piece: set[tuple[str, str]] = set()  # (piece before a ZWNJ, piece after it)
        split_forms: dict[str, list[str]] = {}  # spellings with a ZWNJ: their pieces
        for form, score in spelling_score.items():
            if ZWNJ not in form:
                starts[form] = starts.get(form, 0) + score
                whole[form] = score
                continue
            pieces = split_forms[form] = form.split(ZWNJ)
            starts[pieces[0]] = starts.get(pieces[0], 0) + score
            for piece in pieces[1:]:
                later[piece] = later.get(piece, 0) + score
            stem_and_piece.update(zip(pieces, pieces[1:]))
        stems_per_piece = Counter(map(itemgetter(1), stem_and_piece))
        followers_per_piece = Counter(map(itemgetter(0), stem_and_piece))
        suffixes = {piece for piece, stems in stems_per_piece.items() if stems >= suffix_min_stems}
        self.suffixes = frozenset(suffixes)  # pieces the corpus writes after a ZWNJ as a rule

        # A key's spelling is chosen by the well-kept corpus first: the lexicons' web text glues
        # far more («میخورم» outnumbers «می‌خورم» there), so their frequencies only decide
        # between spellings that the corpus counts alike, mostly keys it never shows.
        self.best_spelling: dict[str, str] = {}
        best_rank: dict[str, tuple[float, float]] = {}  # by key: (corpus count, score) of its best spelling
        for form, score in spelling_score.items():
            pieces = split_forms.get(form)
            preference = 1.0
            if pieces is None:
                key = form
            elif not (CLITICS.isdisjoint(pieces) or _well_formed(pieces)):
                continue
            else:
                key = "".join(pieces)
                if suffixes.issuperset(pieces[1:]):
                    preference = suffix_preference
            rank = (corpus_count.get(form, 0) * preference, score * preference)
            if rank > best_rank.get(key, (-1.0, -1.0)):
                best_rank[key] = rank
                self.best_spelling[key] = form
        self.spelling_score = {key: score for key, (_, score) in best_rank.items()}  # of its best spelling

        # (hazm's verb conjugations include spaced forms such as «رفته است».)
        self.glued_endings, self.glued_beginnings = _glued_affixes(
            (word for word in whole if " " not in word), glued_affix_min_words)

        total = sum(starts.values())
        self.log_total = math.log(total)
        self.whole_count = whole
        self.unknown_logp = -self.log_total - unknown_cost
        self.unknown_letter_cost = unknown_letter_cost
        def splits_off(piece: str, partners: Counter[str]) -> bool:
            return len(piece) > MIN_PIECE or (
                len(piece) == MIN_PIECE and partners[piece] >= short_piece_min_partners)

        self.start_logp = {p: math.log(c) - self.log_total for p, c in starts.items()
                           if splits_off(p, followers_per_piece)}
        self.split_bonus = {"ه": split_after_h, "ی": split_after_yeh}
        self.later_logp = {
            p: math.log((later.get(p, 0) + word_backoff * whole.get(p, 0))
                        * (suffix_preference if p in suffixes else 1.0))
            - self.log_total
            for p in set(later) | set(whole) if splits_off(p, stems_per_piece)}

    def restore_word(self, run: str) -> str:
        """Best spelling of a run of letters that holds no ZWNJ."""
        known = self.best_spelling.get(run)
        if known is not None and ZWNJ in known:
            return known
        if len(run) > MAX_SEGMENTED_RUN:
            return run
        if known is None:
            inflected = self._split_inflection(run)
            if inflected:
                stem, ending = inflected
                return _join_pieces([self._restored[stem], ending])
            derived = self._derive(run)
            if derived:
                return derived
            compound = self._split_at_article(run)
            if compound:
                head, tail = compound
                return self._restored[head] + ZWNJ + self._restored[tail]
        # A run written glued must still beat its best split: the corpus glues many words
        # that standard orthography separates.
        whole_count = self.whole_count.get(run, 0) if known is not None else 0
        whole_logp = (math.log(whole_count) - self.log_total if whole_count
                      else self.unknown_logp - self.unknown_letter_cost * len(run))
        pieces = self._segment(run, whole_logp, self.split_bonus if known is None else {})
        if pieces is None:
            return known or run
        return _join_pieces([self.best_spelling.get(p, p) for p in pieces])

    def _split_inflection(self, run: str) -> tuple[str, str] | None:
        """(stem, ending) of a run that ends in an inflection; the most frequent stem wins
        («سامانه»+«ای» over «سامان»+«های»), then a perfect verb, then the longest ending."""
        candidates = []
        if not run.endswith(INFLECTION_ENDINGS):
            return None
        for ending in INFLECTION_ENDINGS:
            if not run.endswith(ending) or len(run) - len(ending) < MIN_PIECE:
                continue
            stem = run[:-len(ending)]
            stem_score = self.spelling_score.get(stem, 0.0)
            perfect = ending in PERFECT_ENDINGS and stem.endswith(PARTICIPLE_ENDS)
            if ending in CLITIC_ENDINGS and not (stem_score and stem[-1] == "ه") and not perfect:
                continue
            candidates.append((stem_score, perfect, len(ending), stem, ending))
        return max(candidates)[3:] if candidates else None

    def _derive(self, run: str) -> str | None:
        """The run as the longest known spelling plus a glued affix, if any: a spelling with a
        ZWNJ inside it under any glued affix, one written whole under a glued ending.

        Compounds take derivational affixes glued («کتاب‌فروشان», «جنگ‌افروزان»), which
        the piece model cannot tell from a further compound, while their stem's ZWNJ stays;
        and a stem the corpus writes whole stays whole («رامشگران», not «رامش‌گران»)."""
        n = len(run)
        # A spelling with a ZWNJ has two pieces of MIN_PIECE letters at least.
        for known_length in range(n - 1, max(2 * MIN_PIECE, n - MAX_GLUED_AFFIX) - 1, -1):
            ending = run[known_length:]
            spelling = self.best_spelling.get(run[:known_length])
            if spelling is not None and ending in self.glued_endings and (
                    ZWNJ in spelling or self._glued_onto_whole_stem(spelling, ending)):
                # A clitic after «ه»/«ی» stands apart all the same («خوش‌بینی‌ای»).
                apart = ending in CLITICS and _may_split(spelling.rpartition(ZWNJ)[2], ending)
                return _join_pieces([spelling, ending]) if apart else spelling + ending
            beginning = run[:n - known_length]
            spelling = self.best_spelling.get(run[n - known_length:])
            if spelling is not None and ZWNJ in spelling and beginning in self.glued_beginnings:
                return beginning + spelling
        return None

    def _split_at_article(self, run: str) -> tuple[str, str] | None:
        """(known word, «ال» + known word ...) of a run that glues an Arabic compound, if any."""
        start = run.find(ARTICLE, MIN_ARTICLE_WORD)
        while start != -1:
            head, word_after = run[:start], run[start + len(ARTICLE):]
            if (head[-1] not in NON_JOINING and head in self.spelling_score
                    and len(word_after) >= MIN_ARTICLE_WORD and word_after in self.whole_count):
                return head, run[start:]
            start = run.find(ARTICLE, start + 1)
        return None

    def _glued_onto_whole_stem(self, stem: str, ending: str) -> bool:
        """Whether ending, glued onto stem written as one piece, leaves the word one piece."""
        # Not when the corpus writes the ending apart as a rule («تر», «ها»), nor for a clitic,
        # whose host decides; not after «ه», whose medial shape careful writers avoid; and not
        # for one letter, mostly a verb's person ending after some other word.
        return (len(ending) >= MIN_PIECE and ending not in self.suffixes and ending not in CLITICS
                and stem[-1] != "ه")

    def _segment(self, run: str, whole_logp: float, split_bonus: Mapping[str, float]) -> list[str] | None:
        """Most probable split of run into two or more known pieces (Viterbi), if it beats
        keeping the run whole (whole_logp)."""
        n = len(run)
        # best[i]: (log-probability, start of last piece) of the best split of run[:i]
        best: list[tuple[float, int]] = [(-math.inf, 0)] * (n + 1)
        for end in range(MIN_PIECE, n + 1):
            logp = self.start_logp.get(run[:end]) if end <= MAX_PIECE else None
            if logp is not None:
                best[end] = (logp, 0)
            for start in range(max(MIN_PIECE, end - MAX_PIECE), end - MIN_PIECE + 1):
                piece = run[start:end]
                logp = self.later_logp.get(piece)
                if logp is None or best[start][0] == -math.inf or (
                        piece in CLITICS and not _may_split(run[:start], piece)):
                    continue
                score = best[start][0] + logp
                bonus_min_piece = SPLIT_BONUS_MIN_PIECE.get(run[start - 1]) if split_bonus else None
                if bonus_min_piece and start - best[start][1] >= bonus_min_piece:
                    score += split_bonus[run[start - 1]]
                if score > best[end][0]:
                    best[end] = (score, start)
        if best[n][1] == 0 or best[n][0] <= whole_logp:
            return None
        pieces, end = [], n
        while end:
            start = best[end][1]
            pieces.append(run[start:end])
            end = start
        return pieces[::-1]

    def restore(self, text: str) -> str:
        # Only glued runs are touched. A typed space is the writer's, even in «می شود»: published
        # news types that space itself (Fars News: 362 «می شود»-style verbs to 1,924 with ZWNJ).
        pieces = _WORD_SPLIT.split(text)
        pieces[1::2] = map(self._restored.__getitem__, pieces[1::2])
        return "".join(pieces)

    def _restore_unless_spelled_with_care(self, word: str) -> str:
        return word if ZWNJ in word else self.restore_word(word)

    @property
    def _restored(self) -> "_Memo":
        # Built on first use; news vocabulary repeats heavily, so most words are memo hits.
        memo = getattr(self, "_memo", None)
        if memo is None:
            memo = self._memo = _Memo(self._restore_unless_spelled_with_care, max_size=200_000)
        return memo


class _Memo(dict):
    """compute(key), remembered; emptied when full, so a text of endless new words cannot
    exhaust memory."""

    def __init__(self, compute, max_size: int):
        super().__init__()
        self.compute, self.max_size = compute, max_size

    def __missing__(self, key):
        if len(self) >= self.max_size:
            self.clear()
        value = self[key] = self.compute(key)
        return value


def hazm_lexicon() -> dict[str, float]:
    """Spellings hazm knows with their frequencies: its word list and its verb conjugations."""
    from hazm import Conjugation, words_list
    from hazm.utils import verbs_list

    # hazm's list also holds untagged glued junk such as «میشود»; its tag is "0".
    lexicon = {word: float(freq) for word, freq, tags in words_list() if tags != ("0",)}
    # The forms of `Lemmatizer(joined_verb_parts=False).verbs`, in its order, without the
    # word tokenizer it also builds (a second read of the word list, ~0.4 s).
    lexicon.setdefault("است", 0.0)
    conjugation = Conjugation()
    for verb in reversed(verbs_list()):  # the order in which hazm's WordTokenizer reads them
        for form in conjugation.get_all(verb):
            lexicon.setdefault(form, 0.0)
    return lexicon


def load_tsv(path: Path, value=int) -> dict:
    """A word<TAB>number file as a dict."""
    table = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            word, _, number = line.rstrip("\n").partition("\t")
            table[word] = value(number)
    return table


def mix_lexicons(weighted: Iterable[tuple[float, Mapping[str, float]]]) -> dict[str, float]:
    """Weighted sum of word-frequency tables, each first scaled to sum to one."""
    mixed: dict[str, float] = {}
    for weight, table in weighted:
        total = sum(table.values()) or 1.0
        for word, freq in table.items():
            mixed[word] = mixed.get(word, 0.0) + weight * freq / total
    return mixed


def build_default_restorer() -> ZwnjRestorer:
    # hazm's frequencies come from a web corpus that favours ZWNJ inside lexical compounds far
    # more than news text does, so it counts less than the general-usage list.
    lexicon = mix_lexicons([(0.3, hazm_lexicon()), (1.0, load_tsv(WORD_FREQUENCY_FILE, float))])
    return ZwnjRestorer(load_tsv(FORMS_FILE), lexicon, suffix_preference=2.0,
                        split_after_h=4.0, split_after_yeh=3.0, unknown_letter_cost=0.3)


def default_restorer() -> ZwnjRestorer:
    """The restorer of build_default_restorer, built apart (streams.core.built_apart says why)."""
    return tables()["zwnj_restorer"]


def restore_zwnj(text: str) -> str:
    """Text with ZWNJ put back into glued words."""
    return default_restorer().restore(text)


# ---- building forms.tsv -------------------------------------------------------------------

def count_forms(texts: Iterable[str]) -> Counter[str]:
    """Spelling counts of the Persian words in texts (after hazm's character unification)."""
    from hazm import Normalizer

    unify = Normalizer(correct_spacing=False, seperate_mi=False, decrease_repeated_chars=False)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_WORD.findall(unify.normalize(text)))
    return counts


def fars_texts(paths: Iterable[Path], skip_links: set[str]) -> Iterable[str]:
    for path in paths:
        for article in json.loads(Path(path).read_text(encoding="utf-8")):
            if article.get("link") not in skip_links:
                yield "\n".join([article["title"], article.get("abstract", ""), *article["paragraphs"]])


def peyma_sentences(path: Path) -> Iterable[str]:
    """PEYMA sentences; a multi-part token («روش های») was written with ZWNJ before tokenization."""
    tokens = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            token = line.rstrip("\n").rpartition("|")[0]
            if token:
                tokens.append(token.replace(" ", ZWNJ))
            elif tokens:
                yield " ".join(tokens)
                tokens = []
    if tokens:
        yield " ".join(tokens)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the ZWNJ spelling counts (forms.tsv).")
    parser.add_argument("--fars", type=Path, nargs="*", default=[], help="fars-news-*.json files")
    parser.add_argument("--peyma", type=Path, nargs="*", default=[], help="PEYMA token|TAG files")
    parser.add_argument("--skip-gold", type=Path,
                        help="folder of gold articles whose source articles must not be counted")
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("-o", "--output", type=Path, default=FORMS_FILE)
    args = parser.parse_args(argv)

    skip_links = set()
    if args.skip_gold:
        skip_links = {json.loads(p.read_text(encoding="utf-8")).get("link")
                      for p in args.skip_gold.glob("*.json")} - {None}
    counts = count_forms(fars_texts(args.fars, skip_links))
    counts.update(count_forms(s for p in args.peyma for s in peyma_sentences(p)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as fh:
        for form, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            # Rare spellings only matter when they carry a ZWNJ (they show where one belongs).
            if count >= args.min_count or ZWNJ in form:
                fh.write(f"{form}\t{count}\n")


if __name__ == "__main__":
    main()
