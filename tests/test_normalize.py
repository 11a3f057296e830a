"""Normalization stage: one field (normalize_text) and whole articles (normalize_article)."""
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.normalize import NormalizedText, normalize_article, normalize_text
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


def test_spaced_verb_prefix_is_joined():
    assert normalize_text("آنان به خانه می روند") == f"آنان به خانه می{Z}روند"


def test_whitespace_collapses_but_paragraphs_stay():
    assert normalize_text("  سلام   دنیا \n\n\n\n  روز   خوب  ") == "سلام دنیا\n\nروز خوب"


def test_punctuation_spacing():
    assert normalize_text("او گفت : « فردا می آییم » .") == f"او گفت: «فردا می{Z}آییم»."


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
