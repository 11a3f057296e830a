"""Linear-chain CRF decoding with numpy, from weights exported out of python-crfsuite.

Decoding reimplements what crfsuite's tagger does (sum the weights of each token's
attributes, Viterbi over label transitions) because handing crfsuite ~40 attribute strings
per token costs far more than the stream's time budget. Here a word's attributes at every
offset are summed once per word form and kept as a row of a table, so an article's scores
are a few array gathers over all its sentences at once.

A news stream repeats its vocabulary all day, so the raw token -> row map is the only
per-token Python work besides one look-up of each word pair among the pairs the model
weighs (cluster pairs are an array gather); folding, cluster and gazetteer look-ups happen
once per new word.
"""
from __future__ import annotations

import itertools
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import gazetteers
from .conll import read_conll
from .features import (BOS, EOS, OFFSETS, PAD, PAIR_CLUSTERS, PAIR_GRANULARITY, PAIR_SIDES, PAIR_WORDS,
                       UNCLUSTERED, pair_cluster, pair_key, word_properties)
from .forms import fold
from .gazetteers import DATA, load_clusters

MODEL_FILE = DATA / "peyma-crf.npz"
ENTITY_TYPES = ("PER", "ORG", "LOC")
IOB2 = {"U-": "B-", "L-": "I-"}  # the model's BILOU labels (see training.bilou) as IOB2 tags


def iob_spans(kind: np.ndarray, begins: np.ndarray) -> list[tuple[int, int, str]]:
    """(start, end, type) of the spans in a tag sequence given as type indexes (0 is O, i is
    ENTITY_TYPES[i - 1]) and B- flags; a stray I- opens a span, as the CoNLL scorer reads it."""
    continued = np.zeros(len(kind), bool)
    continued[1:] = (kind[1:] != 0) & (kind[1:] == kind[:-1]) & ~begins[1:]
    starts = np.flatnonzero((kind != 0) & ~continued)
    ends = np.flatnonzero((kind != 0) & ~np.append(continued[1:], False)) + 1
    return [(i, j, ENTITY_TYPES[kind[i] - 1]) for i, j in zip(starts.tolist(), ends.tolist())]


def tag_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """iob_spans of IOB2 strings such as B-PER; types other than PER/ORG/LOC count as O."""
    kind = np.array([ENTITY_TYPES.index(t[2:]) + 1 if t[2:] in ENTITY_TYPES else 0 for t in tags], int)
    return iob_spans(kind, np.array([t.startswith("B-") for t in tags], bool))


# A lead of O over a label this large is taken as sure even where the transitions could in
# theory overturn it (see _decode): on PEYMA dev the tags are those of exact decoding, and an
# article's Viterbi runs stay short (exact margins reach 19 and leave whole sentences to it).
SURE_CAP = 8.0
MAX_PIECE = 256  # tokens decoded as one sequence: an endless "sentence" is cut into pieces
BATCH_TOKENS = 16384  # tokens decoded together, which bounds the arrays a huge body needs
WORD_CACHE = 100_000  # token forms whose rows are kept; garbage input must not grow it forever
PRESCORED = 20_000  # most frequent news words scored when the model loads, not on first sight
SCORED_TOGETHER = 2_000  # new word forms whose weights are gathered at once
HEAD, TAIL = [BOS] * PAD, [EOS] * PAD


def save_model(path, labels, attributes, state_weights, transitions) -> None:
    np.savez_compressed(
        path,
        labels=np.array(labels),
        attributes=np.frombuffer("\n".join(attributes).encode("utf-8"), dtype=np.uint8),
        weights=np.asarray(state_weights, dtype=np.float16),
        transitions=np.asarray(transitions, dtype=np.float32),
    )


def pieces(tokens: list) -> list[list]:
    """A sentence as the pieces it is decoded in (one piece unless it is endless)."""
    if len(tokens) <= MAX_PIECE:
        return [tokens]
    return [tokens[start:start + MAX_PIECE] for start in range(0, len(tokens), MAX_PIECE)]


class Analysis(NamedTuple):
    """Sentences laid end to end, each between PAD BOS and PAD EOS positions.

    Everything is indexed by position in that sequence: sentence k's tokens are at
    firsts[k], firsts[k] + 1, ...; padding positions are labelled O.
    """

    rows: np.ndarray  # word-table row of each position
    folded: list[str]  # folded form of each position
    labels: np.ndarray  # label index of each position
    names: list[tuple[int, int, str]]  # gazetteer names (start, end, kind)
    firsts: list[int]  # position of each sentence's first token


class CrfTagger:
    def __init__(self, model_path=MODEL_FILE, clusters: dict | None = None):
        with np.load(model_path) as data:
            # Types the model may know beyond PER/ORG/LOC (PEYMA's dates, money...) read as O.
            data_labels = [str(label) for label in data["labels"]]
            self.labels = [IOB2.get(label[:2], label[:2]) + label[2:] if label[2:] in ENTITY_TYPES else "O"
                           for label in data_labels]
            attributes = data["attributes"].tobytes().decode("utf-8").split("\n")
            weights = data["weights"].astype(np.float32)
            transitions = data["transitions"]
        n = len(self.labels)
        self.outside = data_labels.index("O")
        self.kinds = np.array([ENTITY_TYPES.index(l[2:]) + 1 if l != "O" else 0 for l in self.labels])
        self.begins = np.array([l.startswith("B-") for l in self.labels])
        self.transitions = transitions
        # How much more label j can gain than O from the transitions into and out of a token
        # (a sentence edge has none, so never less than 0): a token whose O score beats label
        # j's by at least that is never better off as j, whatever its neighbours are.
        into = (transitions - transitions[:, [self.outside]]).max(axis=0)
        out_of = (transitions - transitions[[self.outside], :]).max(axis=1)
        self.sure_margin = np.maximum(into, 0) + np.maximum(out_of, 0)
        self.clusters = load_clusters() if clusters is None else clusters
        # The last row stays zero: where every unknown attribute points.
        self.weights = np.vstack([weights, np.zeros((1, n), np.float32)])
        self.unknown = len(weights)
        self.attribute_rows = {a: i for i, a in enumerate(attributes)}
        self._index_pairs()
        self.name_scores = {(prefix, kind): self._score([f"span={prefix}-{kind}"])
                            for prefix in "BI" for kind in ("PER", "ORG", "LOC")}
        self._forget_words()

    def _index_pairs(self) -> None:
        """Tables of the pair attributes' weights, [pair, side] for the left (0) and right (1)
        position.

        Word pairs are rows of pair_table (row 0, zero, for the pairs the model does not
        know), found without a string per token: each word of a known pair has an id as a left
        and as a right word (form_ids columns 1 and 2, -1 for none), and pair_codes holds the
        sorted left * len(right ids) + right of every known pair, pair_code_rows their rows.
        Cluster pairs are at left * n + right of cluster_pair_table, n the number of
        pair_clusters, each form's cluster in form_ids column 0."""
        self.pair_rows: dict[str, int] = {}
        cells = []
        for side, prefix in enumerate(PAIR_SIDES):
            prefix += PAIR_WORDS
            for attribute, i in self.attribute_rows.items():
                if attribute.startswith(prefix):
                    row = self.pair_rows.setdefault(attribute[len(prefix):], len(self.pair_rows) + 1)
                    cells.append((row, side, i))
        self.pair_table = np.zeros((len(self.pair_rows) + 1, 2, len(self.labels)), np.float32)
        for row, side, i in cells:
            self.pair_table[row, side] = self.weights[i]
        self.left_ids: dict[str, int] = {}
        self.right_ids: dict[str, int] = {}
        separator, split = pair_key("", ""), []
        for key, row in self.pair_rows.items():
            # Every reading of the key, as a word may hold the separator itself.
            for cut in range(len(key)):
                if key.startswith(separator, cut):
                    split.append((self.left_ids.setdefault(key[:cut], len(self.left_ids)),
                                  self.right_ids.setdefault(key[cut + len(separator):], len(self.right_ids)), row))
        codes = {left * len(self.right_ids) + right: row for left, right, row in split}
        # A last code above every real one, so a search always lands on an entry.
        self.pair_codes = np.array([*sorted(codes), np.iinfo(np.intp).max], np.intp)
        self.pair_code_rows = np.array([*(codes[c] for c in sorted(codes)), 0], np.intp)
        names = sorted({BOS, EOS, UNCLUSTERED, *(c[PAIR_GRANULARITY] for c in self.clusters.values())})
        self.pair_clusters = {name: i for i, name in enumerate(names)}
        self.cluster_pair_table = np.zeros((len(names) ** 2, 2, len(self.labels)), np.float32)
        for (left, a), (right, b) in itertools.product(self.pair_clusters.items(), repeat=2):
            for side, prefix in enumerate(PAIR_SIDES):
                i = self.attribute_rows.get(prefix + PAIR_CLUSTERS + pair_key(left, right))
                if i is not None:
                    self.cluster_pair_table[a * len(names) + b, side] = self.weights[i]

    def _forget_words(self) -> None:
        self.token_rows: dict[str, int] = {}
        self.form_rows: dict[str, int] = {}
        self.forms: list[str] = []
        self.word_table = np.zeros((1024, len(OFFSETS), len(self.labels)), np.float32)
        self.starts_name = np.zeros(1024, bool)
        self.form_ids = np.zeros((1024, 3), np.intp)  # see _index_pairs
        # The cluster file lists words most frequent first; folded forms fold to themselves.
        self._add_tokens({BOS, EOS, *itertools.islice(self.clusters, PRESCORED)})

    def _add_tokens(self, tokens: set[str]) -> None:
        """Give new token forms their rows; forms new to the table are scored all at once
        (one gather and one grouped sum), as a cold start sees thousands of them."""
        new_forms = []
        for token in tokens:
            folded = fold(token)
            row = self.form_rows.get(folded)
            if row is None:
                row = self.form_rows[folded] = len(self.forms)
                self.forms.append(folded)
                new_forms.append(folded)
            self.token_rows[token] = row
        if not new_forms:
            return
        while len(self.word_table) < len(self.forms):
            self.word_table = np.concatenate([self.word_table, np.zeros_like(self.word_table)])
            self.starts_name = np.concatenate([self.starts_name, np.zeros_like(self.starts_name)])
            self.form_ids = np.concatenate([self.form_ids, np.zeros_like(self.form_ids)])
        # A cold start scores thousands of forms: in chunks, so the gathered weights stay small.
        for start in range(0, len(new_forms), SCORED_TOGETHER):
            self._score_forms(new_forms[start:start + SCORED_TOGETHER])

    def _score_forms(self, forms: list[str]) -> None:
        attribute_rows, group_starts, table_cells = [], [], []
        for folded in forms:
            row = self.form_rows[folded]
            for k, attributes in word_properties(folded, self.clusters).items():
                group_starts.append(len(attribute_rows))
                table_cells.append((row, k + PAD))
                # Each group opens with the zero row, so none is empty.
                attribute_rows.append(self.unknown)
                attribute_rows += [self.attribute_rows.get(a, self.unknown) for a in attributes]
            self.starts_name[row] = gazetteers.starts_name(folded)
            self.form_ids[row] = (self.pair_clusters[pair_cluster(folded, self.clusters)],
                                  self.left_ids.get(folded, -1), self.right_ids.get(folded, -1))
        sums = np.add.reduceat(self.weights[attribute_rows], group_starts, axis=0)
        rows, offsets = zip(*table_cells)
        self.word_table[list(rows), list(offsets)] = sums

    def _score(self, attributes: list[str]) -> np.ndarray:
        rows = [self.attribute_rows.get(a, self.unknown) for a in attributes]
        return self.weights[rows].sum(axis=0)

    def analyse(self, sentences: list[list[str]]) -> Analysis:
        """Labels of sentences of raw tokens (each at most MAX_PIECE long, see pieces())."""
        if len(self.token_rows) > WORD_CACHE:  # only between calls: rows must stay valid within one
            self._forget_words()
        batches, batch, size = [], [], 0
        for tokens in sentences:
            if batch and size + len(tokens) > BATCH_TOKENS:
                batches.append(batch)
                batch, size = [], 0
            batch.append(tokens)
            size += len(tokens)
        parts = [self._analyse_batch(b) for b in [*batches, batch]]
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0, *(len(p.rows) for p in parts[:-1])])
        return Analysis(
            rows=np.concatenate([p.rows for p in parts]),
            folded=[w for p in parts for w in p.folded],
            labels=np.concatenate([p.labels for p in parts]),
            names=[(a + o, b + o, k) for p, o in zip(parts, offsets) for a, b, k in p.names],
            firsts=[f + o for p, o in zip(parts, offsets) for f in p.firsts],
        )

    def _analyse_batch(self, sentences: list[list[str]]) -> Analysis:
        sequence, firsts = [], []
        for tokens in sentences:
            sequence += HEAD
            firsts.append(len(sequence))
            sequence += tokens
            sequence += TAIL
        rows = list(map(self.token_rows.get, sequence))
        if None in rows:
            self._add_tokens({t for t, r in zip(sequence, rows) if r is None})
            rows = list(map(self.token_rows.__getitem__, sequence))
        folded = list(map(self.forms.__getitem__, rows))
        rows = np.array(rows, np.intp)
        names = gazetteers.find_spans(folded, np.flatnonzero(self.starts_name[rows]).tolist())
        # +1 where a sentence starts, -1 after it ends: the running sum is 0 on the padding.
        edges = np.zeros(len(rows) + 1, np.int32)
        edges[firsts] = 1
        edges[[first + len(tokens) for first, tokens in zip(firsts, sentences)]] -= 1
        padding = np.cumsum(edges[:-1]) == 0
        labels = self._decode(self._emissions(rows, names), padding)
        return Analysis(rows, folded, labels, names, firsts)

    def _emissions(self, rows: np.ndarray, names) -> np.ndarray:
        """State scores of every position (meaningless at the padding)."""
        table = self.word_table[rows]
        n = len(rows)
        scores = np.zeros((n, len(self.labels)), np.float32)
        for k in OFFSETS:
            scores[PAD:n - PAD] += table[PAD + k:n - PAD + k, PAD + k]
        ids = self.form_ids[rows]
        lefts, rights = ids[:-1, 1], ids[1:, 2]
        codes = np.where((lefts >= 0) & (rights >= 0), lefts * len(self.right_ids) + rights, -1)
        found = np.searchsorted(self.pair_codes, codes)
        pairs = np.where(self.pair_codes[found] == codes, self.pair_code_rows[found], 0)
        pair_scores = self.pair_table[pairs]
        pair_scores += self.cluster_pair_table[ids[:-1, 0] * len(self.pair_clusters) + ids[1:, 0]]
        scores[:-1] += pair_scores[:, 0]
        scores[1:] += pair_scores[:, 1]
        for start, end, kind in names:
            scores[start] += self.name_scores["B", kind]
            scores[start + 1:end] += self.name_scores["I", kind]
        return scores

    def _decode(self, scores: np.ndarray, padding: np.ndarray) -> np.ndarray:
        """Best label of every position.

        Most tokens of news text are plainly outside any name: a token whose O score beats
        every other label's by that label's sure_margin is O on the best path and is fixed to
        O (by SURE_CAP at most), and Viterbi runs only over the runs of tokens between such
        tokens and the padding, with the transitions from and to a fixed O added at the runs'
        edges. The runs are short, and all are stepped together."""
        outside = self.outside
        sure = (scores[:, [outside]] - scores >= np.minimum(self.sure_margin, SURE_CAP)).all(axis=1)
        sure &= ~padding
        fixed = sure | padding
        free = ~fixed
        best = np.full(len(scores), outside)
        if free.any():
            # The sequence starts and ends with padding, so the shifted ends are never read.
            after_sure = np.zeros_like(free)
            after_sure[1:] = sure[:-1]
            before_sure = np.zeros_like(free)
            before_sure[:-1] = sure[1:]
            opens = free & np.roll(fixed, 1)
            closes = free & np.roll(fixed, -1)
            scores[free & after_sure] += self.transitions[outside]
            scores[free & before_sure] += self.transitions[:, outside]
            runs = np.flatnonzero(closes) + 1 - np.flatnonzero(opens)
            best[free] = self._viterbi(scores[free], runs)
        return best

    def _viterbi(self, scores: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Best labels of sequences laid end to end in scores, all stepped together.

        The sequences are stacked longest first, so at each step the ones still running are
        a leading slice and the work done is proportional to the tokens, not to the longest
        sequence times their number."""
        count, width, n_labels = len(lengths), int(lengths.max()), scores.shape[1]
        order = np.argsort(-lengths, kind="stable")
        starts = (np.cumsum(lengths) - lengths)[order]
        lengths = lengths[order]
        real = np.arange(width)[None, :] < lengths[:, None]
        where = (starts[:, None] + np.arange(width)[None, :])[real]  # stacked -> scores position
        stacked = np.zeros((count, width, n_labels), np.float32)
        stacked[real] = scores[where]
        running = count - np.searchsorted(lengths[::-1], np.arange(width), side="right")  # length > t
        delta = stacked[:, 0].copy()
        back = np.zeros((width, count, n_labels), np.intp)
        for t in range(1, width):
            m = running[t]
            candidates = delta[:m, :, None] + self.transitions
            back[t, :m] = candidates.argmax(axis=1)
            delta[:m] = candidates.max(axis=1) + stacked[:m, t]
        path = np.zeros((count, width), np.intp)
        current = delta.argmax(axis=1)
        path[np.arange(count), lengths - 1] = current
        for t in range(width - 1, 0, -1):
            m = running[t]
            current[:m] = back[t, np.arange(m), current[:m]]
            path[:m, t - 1] = current[:m]
        best = np.empty(len(scores), np.intp)
        best[where] = path[real]
        return best

    def tag_sentences(self, sentences: list[list[str]]) -> list[list[str]]:
        """IOB2 tags of each sentence of raw tokens."""
        split = [piece for tokens in sentences for piece in pieces(list(tokens))]
        analysis = self.analyse(split)
        labels = [self.labels[j] for j in analysis.labels.tolist()]
        piece_tags = [labels[first:first + len(piece)] for first, piece in zip(analysis.firsts, split)]
        tagged, k = [], 0
        for tokens in sentences:
            count = len(pieces(list(tokens)))
            tagged.append([tag for piece in piece_tags[k:k + count] for tag in piece])
            k += count
        return tagged


@lru_cache(maxsize=1)
def default_tagger() -> CrfTagger:
    return CrfTagger()


def tag(tokens: list[str]) -> list[str]:
    """IOB2 tags ("B-PER", "I-ORG", "O") for one sentence of tokens."""
    return default_tagger().tag_sentences([list(tokens)])[0]


def tag_conll(in_path, out_path) -> int:
    """Tag every sentence of a CoNLL file, writing "token TAG" lines; returns sentences written."""
    sentences = [[token for token, _ in s] for s in read_conll(in_path)]
    tagged = default_tagger().tag_sentences(sentences)
    with open(out_path, "w", encoding="utf-8") as out:
        for tokens, tags in zip(sentences, tagged):
            out.writelines(f"{token} {tag}\n" for token, tag in zip(tokens, tags))
            out.write("\n")
    return len(sentences)
