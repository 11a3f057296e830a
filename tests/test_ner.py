"""The CRF tagger: CoNLL reading and writing, decoding, training, and its score on PEYMA."""
import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from streams.core.ner import read_conll, tag, tag_conll, train
from streams.core.ner.features import BOS, EOS, PAD, pair_key, sentence_attributes
from streams.core.ner.forms import fold
from streams.core.ner.gazetteers import find_spans
from streams.core.ner.tagging import CrfTagger, default_tagger
from streams.core.ner.training import bilou

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PEYMA = SHARED / "data" / "peyma"
ENTITY_TAGS = {"O", *(f"{p}-{t}" for p in "BI" for t in ("PER", "ORG", "LOC"))}


def test_read_conll_takes_the_last_field_as_tag_and_keeps_spaces_in_tokens(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("روش های|O\nمریم|B_PER\nاحمدی|I_per\n\n\nدر O\nبندر عباس B-LOC\n", encoding="utf-8")
    assert read_conll(path) == [
        [("روش های", "O"), ("مریم", "B-PER"), ("احمدی", "I-PER")],
        [("در", "O"), ("بندر عباس", "B-LOC")],
    ]


def test_fold_unifies_letter_variants_joiners_and_digits():
    assert fold("علي‌اكبر") == fold("علی اکبر") == fold("علیاکبر")
    assert fold("آمریکا") == fold("امریکا")
    assert fold("۱۴۰۲") == fold("1402") == "0000"


def test_gazetteer_match_prefers_the_longest_name():
    words = tuple(fold(w) for w in "سفر به کره جنوبی و سازمان ملل متحد".split())
    spans = find_spans(words)
    assert (2, 4, "LOC") in spans
    assert (5, 8, "ORG") in spans
    assert not any(s[0] == 5 and s[1] < 8 for s in spans)


def test_tag_finds_a_person_and_a_city_in_an_invented_sentence():
    tokens = "آقای حسن رضایی دیروز به شیراز سفر کرد .".split()
    assert tag(tokens) == ["O", "B-PER", "I-PER", "O", "O", "B-LOC", "O", "O", "O"]


def test_tag_handles_empty_and_odd_sentences():
    assert tag([]) == []
    odd = ["", "\u200c", "<b>", "!!!", "x" * 10_000, "۱۲۳"]
    tags = tag(odd)
    assert len(tags) == len(odd) and set(tags) <= ENTITY_TAGS


def test_a_sentence_longer_than_a_decoding_piece_keeps_one_tag_per_token():
    tokens = ("مردم شهر تبریز امروز جمع شدند و".split()) * 200
    tags = tag(tokens)
    assert len(tags) == len(tokens)
    assert tags.count("B-LOC") >= 150


def _brute_force(tagger, scores):
    n, labels = scores.shape
    transitions = tagger.transitions
    best = max(itertools.product(range(labels), repeat=n),
               key=lambda p: scores[range(n), p].sum() + sum(transitions[a, b] for a, b in zip(p, p[1:])))
    return list(best)


def test_batched_viterbi_matches_brute_force_search():
    tagger = default_tagger()
    rng = np.random.default_rng(7)
    lengths = np.array([1, 3, 2, 4, 1, 3])
    scores = rng.normal(0, 3, (lengths.sum(), len(tagger.labels))).astype(np.float32)
    decoded = tagger._viterbi(scores, lengths)
    start = 0
    for n in lengths:
        assert list(decoded[start:start + n]) == _brute_force(tagger, scores[start:start + n])
        start += n


def test_tokens_fixed_to_o_before_viterbi_are_o_on_the_best_path(monkeypatch):
    from streams.core.ner import tagging

    monkeypatch.setattr(tagging, "SURE_CAP", np.inf)  # the margins alone are exact
    tagger = default_tagger()
    rng = np.random.default_rng(3)
    n, labels = 5, len(tagger.labels)
    fixed_any = False
    for _ in range(30):
        scores = rng.normal(0, 4, (n, labels)).astype(np.float32)
        # Some tokens' O scores land close to the margin that fixes them, on either side.
        lifted = rng.random(n) < 0.6
        scores[lifted, tagger.outside] += tagger.sure_margin.max() * rng.uniform(0.7, 1.3, lifted.sum())
        fixed_any |= bool(((scores[:, [tagger.outside]] - scores) >= tagger.sure_margin).all(axis=1).any())
        padded = np.zeros((n + 2 * PAD, labels), np.float32)
        padded[PAD:-PAD] = scores
        padding = np.ones(len(padded), bool)
        padding[PAD:-PAD] = False
        assert list(tagger._decode(padded, padding)[PAD:-PAD]) == _brute_force(tagger, scores)
    assert fixed_any


def test_cached_word_and_pair_scores_equal_the_sum_of_each_tokens_attribute_weights():
    tagger = default_tagger()
    tokens = "به گزارش خبرگزاری جمهوری اسلامی ، وزیر امور خارجه امروز در تهران گفت .".split()
    sequence = [BOS] * PAD + tokens + [EOS] * PAD
    tagger._add_tokens(set(sequence))
    rows = np.array([tagger.token_rows[t] for t in sequence])
    folded = [tagger.forms[r] for r in rows]
    assert any(pair_key(a, b) in tagger.pair_rows for a, b in zip(folded, folded[1:]))
    scores = tagger._emissions(rows, find_spans(folded))[PAD:-PAD]
    expected = [tagger._score(attributes) for attributes in sentence_attributes(tokens, tagger.clusters)]
    np.testing.assert_allclose(scores, expected, atol=1e-3)


def test_training_labels_mark_the_last_token_and_one_token_names():
    tags = ["O", "B-PER", "I-PER", "I-PER", "B-LOC", "B-LOC", "I-LOC", "I-ORG", "I-ORG", "B-DAT"]
    assert bilou(tags) == ["O", "B-PER", "I-PER", "L-PER", "U-LOC", "B-LOC", "L-LOC", "B-ORG", "L-ORG", "U-DAT"]
    assert bilou([]) == []


def test_training_on_a_tiny_corpus_learns_it(tmp_path):
    sentences = [("نادر", "B_PER"), ("کاظمی", "I_PER"), ("به", "O"), ("کرمان", "B_LOC"), ("رفت", "O")]
    other = [("سازمان", "B_ORG"), ("فضایی", "I_ORG"), ("گزارش", "O"), ("داد", "O")]
    corpus = tmp_path / "train.txt"
    corpus.write_text(("\n".join(f"{w}|{t}" for w, t in sentences) + "\n\n"
                       + "\n".join(f"{w}|{t}" for w, t in other) + "\n\n") * 20, encoding="utf-8")
    model = tmp_path / "model.npz"
    report = train(corpus, model, dev_path=corpus, max_iterations=50)
    assert model.stat().st_size > 0
    assert report["dev"]["micro"]["f1"] == 1.0
    tagger = CrfTagger(model)
    assert tagger.tag_sentences([[w for w, _ in sentences]]) == [["B-PER", "I-PER", "O", "B-LOC", "O"]]


def test_tag_conll_writes_one_line_per_token_and_keeps_sentence_breaks(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("مینا|B_PER\nآمد|O\n\nبه|O\nقم|B_LOC\nرفتیم|O\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    assert tag_conll(source, out) == 2
    written = read_conll(out)
    assert [[w for w, _ in s] for s in written] == [["مینا", "آمد"], ["به", "قم", "رفتیم"]]
    assert all(t in ENTITY_TAGS for s in written for _, t in s)


def test_shipped_files_stay_small():
    data = Path(__file__).resolve().parents[1] / "streams" / "core" / "ner" / "data"
    assert all(f.stat().st_size < 2_000_000 for f in data.iterdir())


@pytest.mark.skipif(not (PEYMA / "dev.txt").exists(), reason="needs the shared PEYMA corpus")
def test_peyma_dev_f1_does_not_regress(tmp_path):
    out = tmp_path / "dev.conll"
    tag_conll(PEYMA / "dev.txt", out)
    scorer = SHARED / "eval" / "score.py"
    result = subprocess.run([sys.executable, str(scorer), "conll", str(PEYMA / "dev.txt"), str(out)],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["micro"]["f1"] >= 0.77


def test_sentences_tagged_together_or_alone_get_the_same_tags(monkeypatch):
    from streams.core.ner import tagging

    sentences = [["دیروز", "مهدی", "صالحی", "به", "اراک", "رسید", "."],
                 ["خبرگزاری", "ایرنا", "گزارش", "داد", "."], [], ["سلام"]] * 3
    alone = [tag(s) for s in sentences]
    monkeypatch.setattr(tagging, "BATCH_TOKENS", 6)  # forces several batches, offsets joined after
    assert default_tagger().tag_sentences(sentences) == alone
