"""Training the CRF on a PEYMA-format corpus and exporting it for the numpy tagger."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pycrfsuite

from .conll import read_conll
from .features import sentence_attributes
from .gazetteers import load_clusters
from .tagging import ENTITY_TYPES, CrfTagger, save_model, tag_spans

# The hyperparameters of the shipped model, so `khabar ner train` with no options rebuilds it.
# L-BFGS is stopped early on purpose: 150 and 300 iterations scored lower on PEYMA dev.
DEFAULTS = {"c1": 0.05, "c2": 0.1, "max_iterations": 100, "feature.minfreq": 1}


def _entity_tag(tag: str) -> str:
    return tag if tag[2:] in ENTITY_TYPES else "O"


# (opens a name, closes it) -> the label's prefix
BILOU_PREFIXES = {(True, True): "U-", (True, False): "B-", (False, True): "L-", (False, False): "I-"}


def bilou(tags: list[str]) -> list[str]:
    """IOB2 tags as the model learns them: a name's last token is L-, a one-token name U-,
    so the model can tell where names end and how long they are (the tagger reads them back
    as I- and B-). A stray I- opens a name, as the CoNLL scorer reads it."""
    labels = []
    for i, tag in enumerate(tags):
        kind = tag[2:]
        if tag == "O":
            labels.append(tag)
            continue
        opens = tag.startswith("B-") or i == 0 or tags[i - 1][2:] != kind
        closes = i + 1 == len(tags) or tags[i + 1] != "I-" + kind
        labels.append(BILOU_PREFIXES[opens, closes] + kind)
    return labels


def evaluate(tagger: CrfTagger, corpus_path) -> dict:
    """Exact-match entity precision/recall/F1, micro and per type."""
    sentences = read_conll(corpus_path)
    predicted = tagger.tag_sentences([[token for token, _ in s] for s in sentences])
    counts = {kind: [0, 0, 0] for kind in ENTITY_TYPES}
    for gold, guess in zip(sentences, predicted):
        gold_spans = set(tag_spans([t for _, t in gold]))
        guess_spans = set(tag_spans(guess))
        for kind, c in counts.items():
            g = {s for s in gold_spans if s[2] == kind}
            p = {s for s in guess_spans if s[2] == kind}
            c[0] += len(g & p)
            c[1] += len(p - g)
            c[2] += len(g - p)
    counts["micro"] = [sum(c[i] for c in counts.values()) for i in range(3)]
    report = {}
    for kind, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        report[kind] = {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}
    return report


def train(corpus_path, model_path, dev_path=None, keep_other_types: bool = False, **hyperparams) -> dict:
    """Train on a corpus of "token|TAG" sentences and write the model to model_path.

    hyperparams go to crfsuite's L-BFGS trainer (c1, c2, max_iterations, feature__minfreq for
    feature.minfreq ...);
    L1 (c1) prunes the attributes that do not help, which keeps the shipped model small.
    keep_other_types trains PEYMA's DAT/TIM/MON/PCT as their own labels (tagging reads them as O).
    """
    clusters = load_clusters()
    trainer = pycrfsuite.Trainer(verbose=False)
    for sentence in read_conll(corpus_path):
        tokens = [token for token, _ in sentence]
        tags = bilou([tag if keep_other_types else _entity_tag(tag) for _, tag in sentence])
        trainer.append(sentence_attributes(tokens, clusters), tags)
    trainer.set_params({**DEFAULTS, **{k.replace("__", "."): v for k, v in hyperparams.items()}})
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        crfsuite_model = str(Path(tmp) / "model.crfsuite")
        trainer.train(crfsuite_model)
        _export(crfsuite_model, model_path)
    report = {"seconds": round(time.monotonic() - started, 1), "model_bytes": Path(model_path).stat().st_size}
    if dev_path:
        report["dev"] = evaluate(CrfTagger(model_path, clusters), dev_path)
    return report


def _export(crfsuite_model: str, model_path) -> None:
    tagger = pycrfsuite.Tagger()
    tagger.open(crfsuite_model)
    info = tagger.info()
    labels = list(tagger.labels())
    label_index = {label: j for j, label in enumerate(labels)}
    attributes = sorted({attribute for attribute, _ in info.state_features})
    attribute_index = {a: i for i, a in enumerate(attributes)}
    weights = np.zeros((len(attributes), len(labels)), np.float32)
    for (attribute, label), weight in info.state_features.items():
        weights[attribute_index[attribute], label_index[label]] = weight
    transitions = np.zeros((len(labels), len(labels)), np.float32)
    for (before, after), weight in info.transitions.items():
        transitions[label_index[before], label_index[after]] = weight
    save_model(model_path, labels, attributes, weights, transitions)
