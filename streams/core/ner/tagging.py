"""Linear-chain CRF decoding with numpy, from weights exported out of python-crfsuite.

Decoding reimplements what crfsuite's tagger does (sum the weights of each token's
attributes, Viterbi over label transitions) because handing crfsuite ~40 attribute strings
per token costs far more than the stream's time budget. Here a word's attributes at every
offset are summed once per word form and kept as a row of a table, so a sentence's scores
are a few array gathers, and all sentences of an article are decoded together.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .conll import read_conll
from .features import BOS, EOS, OFFSETS, PAD, position_attributes, word_properties
from .forms import fold
from .gazetteers import DATA, load_clusters

MODEL_FILE = DATA / "peyma-crf.npz"
ENTITY_TYPES = ("PER", "ORG", "LOC")
MAX_PIECE = 256  # tokens decoded as one sequence
BATCH_TOKENS = 16384  # tokens decoded together
SURE_O = 6.0 # an O score this far above every other label's fixes the token to O
WORD_CACHE = 100_000
NEVER = -1e9  # score of an impossible label  # word forms whose scores are kept; garbage input must not grow it forever


def save_model(path, labels, attributes, state_weights, transitions) -> None:
    np.savez_compressed(
        path,
        labels=np.array(labels),
        attributes=np.frombuffer("\n".join(attributes).encode("utf-8"), dtype=np.uint8),
        weights=np.asarray(state_weights, dtype=np.float16),
        transitions=np.asarray(transitions, dtype=np.float32),
    )


class CrfTagger:
    def __init__(self, model_path=MODEL_FILE, clusters: dict | None = None):
        with np.load(model_path) as data:
            # Types the model may know beyond PER/ORG/LOC (PEYMA's dates, money...) read as O.
            data_labels = [str(label) for label in data["labels"]]
            self.labels = [label if label[2:] in ENTITY_TYPES else "O" for label in data_labels]
            attributes = data["attributes"].tobytes().decode("utf-8").split("\n")
            weights = data["weights"].astype(np.float32)
            transitions = data["transitions"]
        n = len(self.labels)
        self.outside = data_labels.index("O")
        # One more label for the padding after a sentence's end (see _decode).
        self.padded_transitions = np.full((n + 1, n + 1), NEVER, np.float32)
        self.padded_transitions[:n, :n] = transitions
        self.padded_transitions[:, n] = 0.0
        self.clusters = load_clusters() if clusters is None else clusters
        # The last row stays zero: where every unknown attribute points.
        self.weights = np.vstack([weights, np.zeros((1, len(self.labels)), np.float32)])
        self.unknown = len(weights)
        self.attribute_rows = {a: i for i, a in enumerate(attributes)}
        self.word_rows: dict[str, int] = {}
        self.word_table = np.zeros((1024, len(OFFSETS), len(self.labels)), np.float32)

    def _word_row(self, folded: str) -> int:
        row = self.word_rows.get(folded)
        if row is None:
            row = len(self.word_rows)
            if row == len(self.word_table):
                self.word_table = np.concatenate([self.word_table, np.zeros_like(self.word_table)])
            for k, attributes in word_properties(folded, self.clusters).items():
                self.word_table[row, k + PAD] = self._score(attributes)
            self.word_rows[folded] = row
        return row

    def _score(self, attributes: list[str]) -> np.ndarray:
        rows = [self.attribute_rows.get(a, self.unknown) for a in attributes]
        return self.weights[rows].sum(axis=0)

    def _emissions(self, sentences: list[list[str]]) -> np.ndarray:
        """State scores of every token of some sentences of folded words, concatenated.

        The sentences are laid end to end, each between BOS and EOS padding, so one gather
        from the word table and one sum per offset score them all."""
        sequence: list[str] = []
        for words in sentences:
            sequence += [BOS] * PAD + words + [EOS] * PAD
        if len(self.word_rows) + len(sequence) > WORD_CACHE:
            self.word_rows.clear()
        rows = [self._word_row(w) for w in sequence]  # may grow the table: look it up after
        table = self.word_table[rows]
        n = len(sequence) - 2 * PAD
        scores = sum(table[PAD + k:PAD + k + n, k + PAD] for k in OFFSETS)
        real = []
        start = 0
        for words in sentences:
            for i, attributes in enumerate(position_attributes(words)):
                if attributes:
                    scores[start + i] += self._score(attributes)
            real.append(scores[start:start + len(words)])
            start += len(words) + 2 * PAD
        return np.concatenate(real)

    def tag_sentences(self, sentences: list[list[str]]) -> list[list[str]]:
        """Tags of each sentence. An endless "sentence" (a body without punctuation) is cut
        into pieces first, which costs the CRF little since its features look two words away
        at most; pieces are decoded in batches of bounded size."""
        return self.tag_folded([[fold(t) for t in tokens] for tokens in sentences])

    def tag_folded(self, sentences: list[list[str]]) -> list[list[str]]:
        """tag_sentences for tokens already folded (forms.fold)."""
        pieces = [tokens[start:start + MAX_PIECE]
                  for tokens in sentences for start in range(0, len(tokens), MAX_PIECE)]
        piece_tags: list[list[str]] = []
        batch: list[list[str]] = []
        size = 0
        for piece in [*pieces, None]:
            if batch and (piece is None or size + len(piece) > BATCH_TOKENS):
                piece_tags += self._decode(batch)
                batch, size = [], 0
            if piece is not None:
                batch.append(piece)
                size += len(piece)
        tagged, k = [], 0
        for tokens in sentences:
            count = -(-len(tokens) // MAX_PIECE)
            tagged.append([tag for piece in piece_tags[k:k + count] for tag in piece])
            k += count
        return tagged

    def _decode(self, sentences: list[list[str]]) -> list[list[str]]:
        """Labels of some sentences of folded words.

        Most tokens of news text are plainly outside any name: a token whose O score beats
        every other label by SURE_O is fixed to O (decoding PEYMA dev with and without this
        gives the same tags), and Viterbi runs only over the runs of tokens between such
        tokens, with the transitions from and to their O added at the runs' edges. The runs
        are short, and all are stepped together."""
        lengths = [len(s) for s in sentences]
        scores = self._emissions(sentences)
        ends = np.cumsum(lengths)
        first = np.zeros(len(scores), bool)
        first[ends[:-1]] = True
        first[0] = True
        last = np.zeros(len(scores), bool)
        last[ends - 1] = True
        others = np.delete(scores, self.outside, axis=1).max(axis=1)
        sure = scores[:, self.outside] - others > SURE_O
        best = np.full(len(scores), self.outside)
        opens = ~sure & (first | np.roll(sure, 1))
        closes = ~sure & (last | np.roll(sure, -1))
        if opens.any():
            run_scores = scores.copy()
            transitions = self.padded_transitions[:-1, :-1]
            run_scores[opens & ~first] += transitions[self.outside]
            run_scores[closes & ~last] += transitions[:, self.outside]
            runs = np.flatnonzero(closes) + 1 - np.flatnonzero(opens)
            best[~sure] = self._viterbi(run_scores[~sure], runs)
        labels = [self.labels[j] for j in best]
        return [labels[end - n:end] for n, end in zip(lengths, ends)]

    def _viterbi(self, scores: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Best labels of sequences laid end to end in scores, all stepped together.

        Shorter sequences are padded with an extra label that only follows itself or the
        end of a sequence and costs nothing, so each best path ends in it and no sequence
        needs bookkeeping of its own."""
        count, width, n_labels = len(lengths), int(lengths.max()), scores.shape[1]
        real = np.arange(width)[None, :] < lengths[:, None]
        padded = np.full((count, width, n_labels + 1), NEVER, np.float32)
        padded[..., :n_labels][real] = scores
        padded[..., n_labels][~real] = 0.0
        delta = padded[:, 0]
        back = np.empty((width, count, n_labels + 1), np.int64)
        for t in range(1, width):
            candidates = delta[:, :, None] + self.padded_transitions
            back[t] = candidates.argmax(axis=1)
            delta = candidates.max(axis=1) + padded[:, t]
        path = np.empty((count, width), np.int64)
        path[:, -1] = current = delta.argmax(axis=1)
        everyone = np.arange(count)
        for t in range(width - 1, 0, -1):
            path[:, t - 1] = current = back[t, everyone, current]
        return path[real]


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
