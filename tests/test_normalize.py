"""Normalization stage: one field (normalize_text) and whole articles (normalize_article)."""
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.normalize import (CharacterReplacer, HazmNormalizer, NormalizedText, normalize_article,
                                    normalize_text)
from streams.core.zwnj import ZWNJ

Z = ZWNJ
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_arabic_letters_and_latin_digits_become_persian():
    assert normalize_text("كتاب يك 12 صفحه دارد") == "کتاب یک ۱۲ صفحه دارد"


def test_html_tags_and_entities_are_removed():
    raw = "<div><p>باران&nbsp;آمد</p><p>هوا <b>سرد</b> شد &amp; باد وزید</p></div>"
    assert normalize_text(raw) == "باران آمد\n\nهوا سرد شد & باد وزید"


def test_urls_emails_latin_and_decimals_survive():
    text = "گزارش در https://example.org/a/b?x=1 و www.example.ir آمد؛ نشانی news@example.com است"
    out = normalize_text(text)
    for kept in ("https://example.org/a/b?x=1", "www.example.ir", "news@example.com"):
        assert kept in out
    assert "نرخ ۲٫۷۵ درصد" in normalize_text("نرخ 2.75 درصد")
    assert "Machine Learning" in normalize_text("درس Machine Learning آغاز شد")


def test_glued_words_get_their_zwnj_back():
    out = normalize_text("شهرداری بیتوجه به هشدارها خیابانهای تازهای میسازد")
    for word in (f"بی{Z}توجه", f"خیابان{Z}های", f"تازه{Z}ای", f"می{Z}سازد"):
        assert word in out


def test_spaced_verb_prefix_keeps_its_space():
    assert normalize_text("آنان به خانه می روند") == "آنان به خانه می روند"


def test_whitespace_collapses_but_paragraphs_stay():
    assert normalize_text("  سلام   دنیا \n\n\n\n  روز   خوب  ") == "سلام دنیا\n\nروز خوب"


def test_punctuation_spacing():
    assert normalize_text("او گفت : « فردا میآییم » .") == f"او گفت: «فردا می{Z}آییم»."
    assert normalize_text("نان گران نشد ،افزود ؛آرد هست") == "نان گران نشد، افزود؛ آرد هست"
    assert normalize_text("عدد ۳،۵ و 3,5") == "عدد ۳،۵ و ۳,۵"  # only before a letter


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200c\u200d\ufeff", "!!! ... ؟؟", "<br><br/>", "&nbsp;"])
def test_degenerate_input_gives_clean_text(text):
    out = normalize_text(text)
    assert out == out.strip()
    assert "\u200b" not in out and "<" not in out


def test_one_megabyte_body_in_reasonable_time():
    paragraph = "نمایندگان مجلس درباره بودجه سالانه و برنامههای توسعه گفتوگو کردند. " * 40
    body = "\n\n".join([paragraph] * 350)  # about 1 MB
    started = time.perf_counter()
    out = normalize_text(body)
    assert time.perf_counter() - started < 60
    assert out.count("\n\n") == 349


def test_article_drops_repeated_title_and_footer_lines():
    title = "افتتاح کتابخانه تازه در شهر"
    body = (f"{title}\n\nبه گزارش خبرگزاری نمونه به نقل از روزنامه محلی، کتابخانه امروز افتتاح شد.\n\n"
            "منبع خبر: خبرگزاری نمونه\n\nاخبار مرتبط: خبری دیگر\nانتهای پیام\nکد خبر: 1234")
    result = normalize_article(title, body)
    assert isinstance(result, NormalizedText)
    assert result.title == title
    assert result.body == ("به گزارش خبرگزاری نمونه به نقل از روزنامه محلی، کتابخانه امروز افتتاح شد.")
    assert result.source_agency == "خبرگزاری نمونه"
    assert result.cited_sources == ["روزنامه محلی"]


def test_attribution_keeps_only_the_outlet_and_stops_at_the_comma():
    body = ("به گزارش گروه اقتصادی خبرگزاری نمونه، بازار آرام بود.\n"
            "این خبر به نقل از پایگاه خبری دیگر، منتشر شد و به نقل از پایگاه خبری دیگر، تکرار شد.")
    result = normalize_article("بازار", body)
    assert result.source_agency == "خبرگزاری نمونه"
    assert result.cited_sources == ["پایگاه خبری دیگر"]


@pytest.mark.parametrize("body, agency", [
    ("به گزارش خبرگزاری نمونه از تبریز، نمایشگاه امروز باز شد.", "خبرگزاری نمونه"),
    ("به گزارش شبکه خبری نمونه در واشنگتن، جلسه امروز برگزار شد.", "شبکه خبری نمونه"),
    ("به گزارش خبرگزاری نمونه و به نقل از روزنامه محلی، نمایشگاه امروز باز شد.", "خبرگزاری نمونه"),
    ("به گزارش گروه اقتصادی نمونه، بازار آرام بود.", "نمونه"),
    ("به گزارش خبرنگار نمونه از شیراز، باران آمد.", "نمونه"),
    ("خبرگزاری نمونه: مدیرکل بنادر گفت: اسکله ساخته می‌شود.", "خبرگزاری نمونه"),
    ("به گزارش خبرنگار ما، باران آمد.", None),
    ("مدیرکل بنادر در گفت‌وگو با خبرنگار اقتصادی نمونه، اظهار داشت: اسکله ساخته می‌شود.", "نمونه"),
    ("مدیرکل بنادر به خبرنگار نمونه در شیراز گفت: اسکله ساخته می‌شود.", "نمونه"),
    ("مدیرکل بنادر به خبرنگار ما گفت: اسکله ساخته می‌شود.", None),
])
def test_attribution_names_the_outlet_without_its_desk_dateline_or_conjunction(body, agency):
    assert normalize_article("", body).source_agency == agency


def test_cited_sources_are_every_outlet_reported_from_but_the_agency_itself():
    body = ("به گزارش خبرگزاری نمونه به نقل از روزنامه محلی، بازار آرام بود.\n"
            "به نوشته هفته‌نامه اقتصادی شهر، قیمت‌ها ثابت ماند. بنا بر گزارش شبکه خبری دیگر، خرید کم شد.\n"
            "به گزارش نمونه، بازار فردا باز است. به نوشته این هفته‌نامه، فروشندگان راضی‌اند.\n"
            "به گزارش دیگر، صف‌ها کوتاه شد.")
    result = normalize_article("بازار", body)
    assert result.source_agency == "خبرگزاری نمونه"
    assert result.cited_sources == ["روزنامه محلی", "هفته‌نامه اقتصادی شهر", "شبکه خبری دیگر"]


@pytest.mark.parametrize("separator", [":", " -", "_"])
def test_an_agency_stamp_opening_the_body_is_the_agency_and_a_later_report_is_cited(separator):
    body = f"خبرگزاری نمونه{separator} به گزارش خبرگزاری دیگر، دو کشتی در بندر پهلو گرفتند."
    result = normalize_article("", body)
    assert result.source_agency == "خبرگزاری نمونه"
    assert result.cited_sources == ["خبرگزاری دیگر"]


def test_article_without_attribution():
    result = normalize_article("", "متنی ساده بدون منبع.")
    assert result.source_agency is None and result.cited_sources == []


def test_footer_words_inside_the_text_are_kept():
    body = "منبع خبر: این جمله وسط متن است.\n\nو متن ادامه دارد."
    assert normalize_article("عنوان", body).body == body


persian_text = st.text(alphabet=st.sampled_from(list("ابپتثجچحخدرزسشصطعفقکگلمنوهیيكءآ ۱۲3.:،«»<>&;\n\u200c\u200b")),
                       max_size=200)


@settings(max_examples=150, deadline=None)
@given(st.one_of(persian_text, st.text(max_size=200)))
def test_fuzz_never_raises_and_is_stable(text):
    once = normalize_text(text)
    assert isinstance(once, str)
    assert normalize_text(once) == once


@pytest.mark.skipif(not (SHARED / "eval" / "dev").is_dir(), reason="shared evaluation data absent")
def test_gold_articles_keep_their_words():
    # Normalization may move spaces and ZWNJ but must not lose or invent words.
    for path in sorted((SHARED / "eval" / "dev").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        raw = gold.get("raw_body", gold["body"])
        out = normalize_article(gold.get("raw_title", gold["title"]), raw).body
        letters = lambda s: "".join(ch for ch in s if ch.isalpha())  # noqa: E731
        assert len(letters(out)) > 0.8 * len(letters(raw))


@pytest.fixture(scope="module")
def hazm_pair():
    from hazm import Normalizer

    return Normalizer(correct_spacing=False, seperate_mi=False), HazmNormalizer()


def test_hazm_steps_give_hazm_output(hazm_pair):
    reference, ours = hazm_pair
    texts = ['او گفت "بازار ۱۲.۵ درصد رشد کرد" و ...', "كتاب يك\u00a0صفحه 45% ٣ است", "سلامممم بر شما",
             "بِسمِ اللّه ﷲ ﻻ ﷼ و ١٠.٢", "متنی بی نشانه", ""]
    for text in texts:
        assert ours.normalize(text) == reference.normalize(text)


def test_the_normalizer_built_apart_gives_hazm_output_without_hazm_in_this_process():
    from hazm import Normalizer

    probe = ("import sys; from streams.core.normalize import _hazm_normalizer; "
             "print(_hazm_normalizer().normalize('سلامممم بر شما «خوببببب» 3.5'), 'hazm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    expected = Normalizer(correct_spacing=False, seperate_mi=False).normalize("سلامممم بر شما «خوببببب» 3.5")
    assert " ".join(out[:-1]) == " ".join(expected.split())
    assert out[-1] == "False"  # the worker never imports hazm (nltk, scikit-learn, scipy: some 140 MB)


def test_every_letter_hazm_shortens_when_repeated_is_shortened_here_too(hazm_pair):
    reference, ours = hazm_pair
    hazm_letters = re.search(r"\[(.+?)\]", reference.more_than_two_repeat_pattern).group(1)
    for letter in hazm_letters:
        text = f"سلا{letter * 4}ی خوب"
        assert ours.normalize(text) == reference.normalize(text)


hazm_sensitive = st.text(alphabet=st.sampled_from(list('ابپکیيكىة ۀ"..1234٣%\u064e\u0651\u0670ﷲﻻ﷼ \n\u00a0مممم')),
                         max_size=80)


@settings(max_examples=200, deadline=None)
@given(hazm_sensitive)
def test_fuzz_hazm_steps_match_hazm(hazm_pair, text):
    reference, ours = hazm_pair
    assert ours.normalize(text) == reference.normalize(text)


def test_character_replacer_is_a_translate_with_few_or_many_characters():
    table = {digit: chr(0x06F0 + int(digit)) for digit in "0123456789"}
    table |= {chr(0x0660 + i): chr(0x06F0 + i) for i in range(10)} | {"%": "٪", "ـ": ""}
    replace = CharacterReplacer(table)
    few, many = "۱ ٣ و ٣%", ("0123456789٠١٢٣٤٥٦٧٨٩" * 3) + "%ـ"  # the second has more kinds than MAX_REPLACES
    assert len(set(many)) > CharacterReplacer.MAX_REPLACES
    for text in (few, many, "بدون رقم", ""):
        assert replace(text) == text.translate(str.maketrans(table))
