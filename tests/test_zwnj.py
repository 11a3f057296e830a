"""ZWNJ restoration: the mechanism on small hand-made tables, then the shipped data."""
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.zwnj import ZWNJ, ZwnjRestorer, build_default_restorer, default_restorer, restore_zwnj

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


def test_the_corpus_chooses_the_spelling_and_the_lexicon_only_where_the_corpus_is_silent():
    # The lexicon glues «می‌بافم» more often than not; the well-kept corpus writes it apart.
    lexicon = {"میبافم": 40.0, f"می{Z}بافم": 10.0, "نمیبافم": 8.0, f"نمی{Z}بافم": 1.0, "کتاب": 60.0}
    restorer = ZwnjRestorer({f"می{Z}بافم": 3, "کتاب": 50}, lexicon)
    assert restorer.restore_word("میبافم") == f"می{Z}بافم"
    assert restorer.restore_word("نمیبافم") == "نمیبافم"


def test_unknown_word_splits_into_stem_and_suffix(toy):
    assert toy.restore_word("باغها") == f"باغ{Z}ها"
    assert toy.restore_word("درختهای") == f"درخت{Z}های"
    assert toy.restore_word("بیرنگها") == f"بی{Z}رنگ{Z}ها"


def test_no_zwnj_after_a_non_joining_letter(toy):
    assert toy.restore_word("دیوارهای") == "دیوارهای"


def test_unknown_word_without_a_likely_split_stays(toy):
    assert toy.restore_word("زرتشتیان") == "زرتشتیان"


def test_a_typed_space_is_kept_even_after_a_verb_prefix(toy):
    assert toy.restore("او می رود و میرود") == f"او می رود و می{Z}رود"


def test_words_that_already_hold_a_zwnj_are_left_alone(toy):
    assert toy.restore(f"کتاب{Z}ها و باغها") == f"کتاب{Z}ها و باغ{Z}ها"


def test_shipped_data_restores_common_glued_words():
    text = "دانشآموزان کتابهای تازهای میخوانند و نمیتوانند بیتفاوت بمانند"
    restored = restore_zwnj(text)
    for word in (f"کتاب{Z}های", f"تازه{Z}ای", f"می{Z}خوانند", f"نمی{Z}توانند", f"بی{Z}تفاوت"):
        assert word in restored
    assert restored.replace(Z, "") == text


def test_the_restorer_built_in_its_own_process_is_the_one_built_here():
    here, shipped = build_default_restorer(), default_restorer()
    text = "کتابهای تازه در کتابخانههای شهر بیاساس نیست و دانشجویان میگویند آنها میخواهند"
    assert shipped.restore(text) == here.restore(text) != text
    assert shipped.best_spelling == here.best_spelling
    assert shipped.later_logp == here.later_logp


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


def test_memo_of_restored_words_stays_bounded():
    restorer = ZwnjRestorer({"کتاب": 5, f"کتاب{Z}ها": 5})
    restorer._restored.max_size = 3
    restorer.restore("کتابها کتابدار کتابخوان کتابساز کتابها")
    assert 0 < len(restorer._restored) <= 3
    assert restorer.restore("کتابها") == f"کتاب{Z}ها"


def test_clitic_stands_apart_only_after_h_or_yeh(toy):
    assert toy.restore_word("خانهای") == f"خانه{Z}ای"
    assert toy.restore_word("درختای") == "درختای"  # «ای» is a known piece, but not after «ت»


def test_corpus_spelling_with_a_misplaced_clitic_zwnj_is_ignored():
    restorer = ZwnjRestorer({f"کتاب{Z}شان": 9, "کتابشان": 1, f"نامه{Z}شان": 3, "کتاب": 20, "نامه": 20})
    assert restorer.restore_word("کتابشان") == "کتابشان"
    assert restorer.restore_word("نامهشان") == f"نامه{Z}شان"


def test_plural_and_superlative_split_off_even_unknown_stems(toy):
    assert toy.restore_word("زرتشتها") == f"زرتشت{Z}ها"
    assert toy.restore_word("ناشناسترین") == f"ناشناس{Z}ترین"
    assert toy.restore_word("بیرنگهای") == f"بی{Z}رنگ{Z}های"  # the stem gets its own ZWNJ


def test_clitic_after_h_needs_a_known_stem(toy):
    assert toy.restore_word("خانهام") == f"خانه{Z}ام"
    assert toy.restore_word("لوتهام") == "لوتهام"  # unknown «لوته»: more likely a name


def test_plural_perfect_splits_after_an_unknown_participle(toy):
    assert toy.restore_word("برنچیدهاند") == f"برنچیده{Z}اند"
    assert toy.restore_word("نکاشتهایم") == f"نکاشته{Z}ایم"  # not «نکاشت»+«هایم»


def test_the_more_frequent_stem_decides_between_readings():
    # «خانه»+«ای» against «خان»+«های»
    assert ZwnjRestorer({"خانه": 50, "خان": 5}).restore_word("خانهای") == f"خانه{Z}ای"
    assert ZwnjRestorer({"خانه": 5, "خان": 50}).restore_word("خانهای") == f"خان{Z}های"


def test_invisible_zwnj_after_a_non_joining_letter_is_dropped_from_corpus_spellings():
    restorer = ZwnjRestorer({f"رفت{Z}و{Z}آمد": 5, "رفت": 10, "آمد": 10})
    assert restorer.restore_word("رفتوآمد") == f"رفت{Z}وآمد"


def test_a_long_unknown_run_splits_more_readily_than_a_short_one():
    counts = {"جنگل": 30, "سنگ": 30, "کمان": 30, "شمشیر": 30, "کتاب": 30, f"کتاب{Z}ها": 5}
    plain = ZwnjRestorer(counts)
    by_length = ZwnjRestorer(counts, unknown_letter_cost=0.5)
    assert plain.restore_word("جنگلسنگ") == by_length.restore_word("جنگلسنگ") == f"جنگل{Z}سنگ"
    assert plain.restore_word("جنگلسنگکمانشمشیر") == "جنگلسنگکمانشمشیر"
    assert by_length.restore_word("جنگلسنگکمانشمشیر") == f"جنگل{Z}سنگ{Z}کمان{Z}شمشیر"


def test_the_split_bonus_after_yeh_needs_a_piece_of_four_letters():
    counts = {"نیلی": 30, "پری": 30, "باغ": 30, f"گل{Z}باغ": 2, "گل": 30}
    restorer = ZwnjRestorer(counts, unknown_cost=0.0, split_after_yeh=4.0)
    assert restorer.restore_word("نیلیباغ") == f"نیلی{Z}باغ"
    assert restorer.restore_word("پریباغ") == "پریباغ"


def test_no_zwnj_after_a_hamza_which_joins_nothing():
    restorer = ZwnjRestorer({f"سوء{Z}نیت": 5, "سوء": 10, "نیت": 10, "تغذیه": 10})
    assert restorer.restore_word("سوءنیت") == "سوءنیت"
    assert restorer.restore_word("سوءتغذیه") == "سوءتغذیه"


def test_unknown_run_splits_more_readily_after_a_final_h():
    counts = {"کوچه": 30, "باغ": 30, "کوچک": 30, f"گل{Z}باغ": 2, "گل": 30}
    plain = ZwnjRestorer(counts, unknown_cost=0.0)
    favoured = ZwnjRestorer(counts, unknown_cost=0.0, split_after_h=4.0)
    assert plain.restore_word("کوچهباغ") == "کوچهباغ"
    assert favoured.restore_word("کوچهباغ") == f"کوچه{Z}باغ"
    assert favoured.restore_word("کوچکباغ") == "کوچکباغ"  # no bonus after «ک»


persian_runs = st.text(alphabet="ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآ \u200c", max_size=60)


@settings(max_examples=60, deadline=None)
@given(st.one_of(persian_runs, st.text(max_size=60)))
def test_restoration_only_inserts_zwnj_and_is_stable(text):
    restored = restore_zwnj(text)
    assert restored.replace(Z, "") == text.replace(Z, "")
    assert restore_zwnj(restored) == restored


@pytest.fixture(scope="module")
def derived():
    # «ان» and «نا» are seen glued onto two words each, so they are glued affixes here.
    counts = {"باغ": 30, "باغان": 5, "درخت": 30, "درختان": 5, "آرام": 20, "ناآرام": 4, "پیدا": 20,
              "ناپیدا": 4, "کوه": 30, "نورد": 20, f"کوه{Z}نورد": 10, f"بی{Z}رحم": 8, "رحم": 20,
              "خانه": 40, f"کتاب{Z}خانه": 6, "کتاب": 40}
    return ZwnjRestorer(counts, glued_affix_min_words=2)


def test_unknown_run_keeps_the_zwnj_of_a_known_spelling_under_a_glued_affix(derived):
    assert derived.restore_word("کوهنوردان") == f"کوه{Z}نوردان"
    assert derived.restore_word("نابیرحم") == f"نابی{Z}رحم"


def test_unknown_run_keeps_a_stem_written_whole_under_a_glued_ending():
    # «رامش»+«گران» is a fine split, but «رامشگر» is a word and «ان» a glued ending.
    counts = {"باغ": 30, "باغان": 5, "درخت": 30, "درختان": 5, "رامشگر": 10, "رامش": 20, "گران": 30}
    assert ZwnjRestorer(counts, glued_affix_min_words=2).restore_word("رامشگران") == "رامشگران"


def test_an_unknown_arabic_compound_of_known_words_splits_before_its_article():
    counts = {"صعب": 10, "عبور": 30, "لازم": 30, "اجرا": 30, "کاتالیست": 5, "کات": 10}
    restorer = ZwnjRestorer(counts)
    assert restorer.restore_word("صعبالعبور") == f"صعب{Z}العبور"
    assert restorer.restore_word("لازمالاجرا") == f"لازم{Z}الاجرا"
    assert restorer.restore_word("کاتالیستی") == "کاتالیستی"  # «یستی» is no word
    assert restorer.restore_word("عبورالاجرا") == "عبورالاجرا"  # never after «ر»


def test_only_affixes_seen_glued_onto_words_extend_a_spelling(derived):
    # «یم» is glued onto no word of the corpus, so the run is not read as «کوه‌نورد»+«یم».
    assert derived.restore_word("کوهنوردیم") != f"کوه{Z}نوردیم"


def test_a_clitic_after_a_derived_host_still_stands_apart():
    counts = {"باغ": 30, "باغای": 5, "درخت": 30, "درختای": 5, f"نیم{Z}رخی": 6, "رخی": 20,
              f"هم{Z}خوان": 6, "خوان": 20}
    restorer = ZwnjRestorer(counts, glued_affix_min_words=2)
    assert restorer.restore_word("نیمرخیای") == f"نیم{Z}رخی{Z}ای"
    assert restorer.restore_word("همخوانای") == f"هم{Z}خوانای"


def test_a_two_letter_piece_splits_only_if_seen_beside_a_zwnj_with_many_pieces():
    counts = {"دی": 40, "بالا": 40, "بی": 30, "خواب": 30, "رنگ": 20, "کار": 20, "تاب": 20,
              f"بی{Z}رنگ": 5, f"بی{Z}کار": 5, f"بی{Z}تاب": 5, f"دی{Z}ماه": 2, f"کم{Z}خواب": 10,
              f"نیم{Z}بالا": 10}
    restorer = ZwnjRestorer(counts, unknown_cost=0.0, short_piece_min_partners=3)
    assert restorer.restore_word("بیخواب") == f"بی{Z}خواب"
    assert restorer.restore_word("دیبالا") == "دیبالا"  # «دی» is seen before one piece only
    assert ZwnjRestorer(counts, unknown_cost=0.0, short_piece_min_partners=1).restore_word("دیبالا") == f"دی{Z}بالا"
