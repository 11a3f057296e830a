"""ZWNJ restoration: the mechanism on small hand-made tables, then the shipped data."""
import time

import pytest

from streams.core.zwnj import ZWNJ, ZwnjRestorer, restore_zwnj

Z = ZWNJ


@pytest.fixture(scope="module")
def toy():
    # A tiny corpus: stems seen whole, suffixes seen after a ZWNJ on several stems.
    counts = {
        "کتاب": 50, "درخت": 40, "دیوار": 30, "باغ": 30, "خانه": 40, "گفت": 60,
        f"کتاب{Z}ها": 20, f"درخت{Z}ها": 10, f"خانه{Z}ها": 10, f"خانه{Z}ای": 5, f"باغ{Z}های": 8,
        "دیوارها": 6, "میز": 25, f"می{Z}رود": 30, f"می{Z}گفت": 12, "رود": 5,
        f"بی{Z}رنگ": 3, "رنگ": 20, "کتابها": 2,
    }
    return ZwnjRestorer(counts, suffix_min_stems=2)


def test_known_spelling_wins_by_frequency(toy):
    assert toy.restore_word("کتابها") == f"کتاب{Z}ها"  # 20 with ZWNJ against 2 glued
    assert toy.restore_word("میرود") == f"می{Z}رود"
    assert toy.restore_word("میز") == "میز"


def test_unknown_word_splits_into_stem_and_suffix(toy):
    assert toy.restore_word("باغها") == f"باغ{Z}ها"
    assert toy.restore_word("درختهای") == f"درخت{Z}های"
    assert toy.restore_word("بیرنگها") == f"بی{Z}رنگ{Z}ها"


def test_no_zwnj_after_a_non_joining_letter(toy):
    assert toy.restore_word("دیوارهای") == "دیوارهای"


def test_unknown_word_without_a_likely_split_stays(toy):
    assert toy.restore_word("زرتشتیان") == "زرتشتیان"


def test_spaced_prefix_joins_only_into_a_known_verb(toy):
    assert toy.restore("او می رود") == f"او می{Z}رود"
    assert toy.restore("ماه می باغ") == "ماه می باغ"


def test_words_that_already_hold_a_zwnj_are_left_alone(toy):
    assert toy.restore(f"کتاب{Z}ها و باغها") == f"کتاب{Z}ها و باغ{Z}ها"


def test_shipped_data_restores_common_glued_words():
    text = "دانشآموزان کتابهای تازهای میخوانند و نمیتوانند بیتفاوت بمانند"
    restored = restore_zwnj(text)
    for word in (f"کتاب{Z}های", f"تازه{Z}ای", f"می{Z}خوانند", f"نمی{Z}توانند", f"بی{Z}تفاوت"):
        assert word in restored
    assert restored.replace(Z, "") == text


def test_plain_words_are_not_split():
    text = "میزبان بیمار در بیمارستان میان مردم ماند"
    assert restore_zwnj(text) == text


def test_restoration_is_stable():
    once = restore_zwnj("مدرسههای شهر بستهاند و گفتوگوها ادامه دارد")
    assert restore_zwnj(once) == once


def test_long_text_runs_in_linear_time():
    sentence = "پژوهشگران دانشگاهها نتیجههای آزمایشهای تازه را منتشر میکنند. "
    small, big = sentence * 200, sentence * 16_000  # about 1 MB
    restore_zwnj(small)
    started = time.perf_counter()
    restore_zwnj(small * 10)
    per_char_small = (time.perf_counter() - started) / (len(small) * 10)
    started = time.perf_counter()
    restore_zwnj(big)
    per_char_big = (time.perf_counter() - started) / len(big)
    assert per_char_big < per_char_small * 5 + 1e-6
