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
BATCH_CELLS = 8192  # sentences x tokens decoded in one numpy step
WORD_CACHE = 100_000  # word forms whose scores are kept; garbage input must not grow it forever


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
            self.labels = [label if label[2:] in ENTITY_TYPES else "O" for label in map(str, data["labels"])]
            attributes = data["attributes"].tobytes().decode("utf-8").split("\n")
            weights = data["weights"].astype(np.float32)
            self.transitions = data["transitions"]
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

    def emissions(self, folded: list[str]) -> np.ndarray:
        """(tokens, labels) state scores of one sentence of folded words."""
        n = len(folded)
        if len(self.word_rows) + n + 2 * PAD > WORD_CACHE:
            self.word_rows.clear()
        rows = [self._word_row(w) for w in [BOS] * PAD + folded + [EOS] * PAD]
        table = self.word_table[rows]
        scores = sum(table[PAD + k:PAD + k + n, k + PAD] for k in OFFSETS)
        for i, attributes in enumerate(position_attributes(folded)):
            if attributes:
                scores[i] += self._score(attributes)
        return scores

    def tag_sentences(self, sentences: list[list[str]]) -> list[list[str]]:
        """Tags of each sentence. Sentences of similar length are decoded together; an
        endless "sentence" (a body without punctuation) is cut into pieces first, which costs
        the CRF little since its features look two words away at most."""
        pieces = [tokens[start:start + MAX_PIECE]
                  for tokens in sentences for start in range(0, len(tokens), MAX_PIECE)]
        piece_tags: list[list[str]] = [[] for _ in pieces]
        order = sorted(range(len(pieces)), key=lambda i: len(pieces[i]))
        batch: list[int] = []
        for i in [*order, None]:
            if batch and (i is None or (len(batch) + 1) * len(pieces[i]) > BATCH_CELLS):
                for j, tags in zip(batch, self._decode([pieces[j] for j in batch])):
                    piece_tags[j] = tags
                batch = []
            if i is not None:
                batch.append(i)
        tagged, k = [], 0
        for tokens in sentences:
            count = -(-len(tokens) // MAX_PIECE)
            tagged.append([tag for piece in piece_tags[k:k + count] for tag in piece])
            k += count
        return tagged

    def _decode(self, sentences: list[list[str]]) -> list[list[str]]:
        lengths = np.array([len(s) for s in sentences], dtype=np.int64)
        width, n_labels = int(lengths.max()), len(self.labels)
        scores = np.zeros((len(sentences), width, n_labels), np.float32)
        for s, tokens in enumerate(sentences):
            scores[s, :len(tokens)] = self.emissions([fold(t) for t in tokens])
        best = self._viterbi(scores, lengths)
        return [[self.labels[j] for j in best[s, :lengths[s]]] for s in range(len(sentences))]

    def _viterbi(self, scores: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Best label index path of each sentence, all sentences stepped together."""
        count, width, _ = scores.shape
        delta = scores[:, 0]
        back = np.zeros(scores.shape, np.int64)
        final = delta.copy()
        for t in range(1, width):
            candidates = delta[:, :, None] + self.transitions[None]
            back[:, t] = candidates.argmax(axis=1)
            delta = candidates.max(axis=1) + scores[:, t]
            ending = lengths == t + 1
            final[ending] = delta[ending]
        path = np.zeros((count, width), np.int64)
        current = final.argmax(axis=1)
        everyone = np.arange(count)
        for t in range(width - 1, -1, -1):
            current = np.where(lengths == t + 1, final.argmax(axis=1), current)
            path[:, t] = current
            if t:
                current = back[everyone, t, current]
        return path


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
