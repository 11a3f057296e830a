"""Quotes stage: cues, speaker attribution, coreference, nesting, offsets, robustness.

Every sentence here is invented for the test; entity lists are built by hand.
"""
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.core.model import Entity, Mention
from streams.core.quotes import find_quotes


def entities(fields: dict[str, str], names: dict[str, str]) -> list[Entity]:
    """Entities for every occurrence of each name (longest names first, no overlaps)."""
    found: dict[str, Entity] = {}
    for field, text in fields.items():
        taken = [False] * len(text)
        for name in sorted(names, key=len, reverse=True):
            for m in re.finditer(re.escape(name), text):
                if any(taken[m.start():m.end()]):
                    continue
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                entity = found.setdefault(name, Entity(name, names[name]))
                entity.mentions.append(Mention(field, m.start(), m.end()))
    return list(found.values())


def quotes_of(body: str, names: dict[str, str] | None = None, title: str = "", agency: str | None = None):
    fields = {"title": title, "body": body}
    quotes = find_quotes(fields, entities(fields, names or {}), agency)
    for q in quotes:
        assert fields[q.field][q.start:q.end] == q.text
    return quotes


def said(quotes) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.text) for q in quotes]


# ---- cue types ---------------------------------------------------------------------------

@pytest.mark.parametrize("cue", [
    "گفت", "افزود", "اعلام کرد", "اضافه کرد", "ادامه داد", "خاطرنشان کرد", "یادآور شد",
    "تصریح کرد", "اظهار داشت", "عنوان کرد", "بیان کرد", "نوشت", "هشدار داد", "تاکید کرده است",
    "اظهار کرد", "می‌گوید", "گفته بود", "فرمودند", "بیان فرمودند", "می‌فرمایند",
    "اظهارداشت", "یادآورشد", "ابراز امیدواری کرد", "ابراز نگرانی کرد", "احتمال داد",
    "اظهار امیدواری کرد", "اظهار تاسف کرد", "گوشزد کرد", "تهدید کرد",
])
def test_every_verb_of_saying_before_a_colon_opens_speech(cue):
    body = f"کاوه نادری رئیس اتحادیه نانوایان {cue}: قیمت نان تا پایان سال تغییر نمی‌کند."
    quotes = quotes_of(body, {"کاوه نادری": "PER"})
    assert said(quotes) == [("کاوه نادری", "قیمت نان تا پایان سال تغییر نمی‌کند")]
    assert quotes[0].cue == cue and quotes[0].kind == "indirect"


@pytest.mark.parametrize("stray", ["'", "“", "‘"])
def test_a_stray_quotation_mark_glued_to_the_verb_does_not_hide_it(stray):
    body = f"کاوه نادری در گفت‌وگو با شبکه نمونه {stray}گفته بود:«نان گران نمی‌شود.»"
    assert said(quotes_of(body, {"کاوه نادری": "PER"})) == [("کاوه نادری", "نان گران نمی‌شود")]


@pytest.mark.parametrize("that", ["", " که"])
def test_two_verbs_of_saying_joined_with_and_report_two_clauses(that):
    body = f"کاوه نادری گفت{that} قیمت نان ثابت می‌ماند و تاکید کرد{that} آرد به اندازه کافی وجود دارد."
    assert said(quotes_of(body, {"کاوه نادری": "PER"})) == [
        ("کاوه نادری", "قیمت نان ثابت می‌ماند"), ("کاوه نادری", "آرد به اندازه کافی وجود دارد")]


def test_reported_speech_may_open_with_a_condition():
    body = ("کاوه نادری وزیر نیرو اعلام کرد به شرط آنکه باران ببارد، سد تا بهار پر می‌شود.\n"
            "این مقام افزود: برق قطع نمی‌شود.")
    assert said(quotes_of(body, {"کاوه نادری": "PER"})) == [
        ("کاوه نادری", "به شرط آنکه باران ببارد، سد تا بهار پر می‌شود"), ("کاوه نادری", "برق قطع نمی‌شود")]


def test_guillemets_after_the_cue_make_a_direct_quote_without_the_marks():
    body = "سارا احمدی سرمربی تیم افزود: «ما برای این مسابقه آماده هستیم و نتیجه می‌گیریم»."
    [quote] = quotes_of(body, {"سارا احمدی": "PER"})
    assert (quote.kind, quote.text) == ("direct", "ما برای این مسابقه آماده هستیم و نتیجه می‌گیریم")


@pytest.mark.parametrize("closing", [".»", "!»", ". »", "»."])
def test_a_quote_is_direct_with_its_full_stop_inside_the_guillemets_or_outside(closing):
    body = f"سارا احمدی گفت: «تمرین‌ها از فردا آغاز می‌شود{closing} او افزود که بازیکنان آماده‌اند."
    quote = quotes_of(body, {"سارا احمدی": "PER"})[0]
    assert (quote.kind, quote.text) == ("direct", "تمرین‌ها از فردا آغاز می‌شود")


@pytest.mark.parametrize("between", ["؛ این را", "، این را", ". این سخنان را", " این جمله را"])
def test_guillemet_words_are_of_the_speaker_named_after_them(between):
    body = f"«نان تا پایان سال گران نمی‌شود»{between} کاوه نادری روز دوشنبه در جمع خبرنگاران گفت."
    [quote] = quotes_of(body, {"کاوه نادری": "PER"})
    assert (quote.speaker, quote.text, quote.kind, quote.cue) == ("کاوه نادری", "نان تا پایان سال گران نمی‌شود",
                                                                 "direct", "گفت")


def test_guillemets_followed_by_this_without_a_verb_of_saying_are_no_quote():
    body = "شعار «نان برای همه» این را نشان می‌دهد که کاوه نادری محبوب است."
    assert quotes_of(body, {"کاوه نادری": "PER"}) == []


def test_a_reported_clause_without_guillemets_stays_indirect_beside_a_direct_quote():
    body = "سارا احمدی گفت تمرین‌ها از فردا آغاز می‌شود. او افزود: «بازیکنان آماده‌اند.»"
    assert [(q.kind, q.text) for q in quotes_of(body, {"سارا احمدی": "PER"})] == [
        ("indirect", "تمرین‌ها از فردا آغاز می‌شود"), ("direct", "بازیکنان آماده‌اند")]


def test_that_clause_runs_to_the_end_of_its_sentence_without_the_final_mark():
    body = "پرویز صدری مدعی شد که واردات میوه نصف شده است! بازار اما آرام بود."
    assert said(quotes_of(body, {"پرویز صدری": "PER"})) == [("پرویز صدری", "واردات میوه نصف شده است")]


def test_pluperfect_cue_with_that():
    body = "شهرداری تبریز تاکید کرده بود که خط دوم مترو پاییز افتتاح می‌شود."
    assert said(quotes_of(body, {"شهرداری تبریز": "ORG"})) == [
        ("شهرداری تبریز", "خط دوم مترو پاییز افتتاح می‌شود")]


@pytest.mark.parametrize("cue", ["گفته", "تاکید کرده", "اعلام کرده", "هشدار داده", "مدعی شده"])
def test_the_perfect_without_its_auxiliary_reports_before_that_or_a_colon(cue):
    clause = "واردات برنج تا پایان سال متوقف می‌شود"
    for body in (f"پرویز صدری {cue} که {clause}.", f"پرویز صدری {cue}: {clause}."):
        quotes = quotes_of(body, {"پرویز صدری": "PER"})
        assert said(quotes) == [("پرویز صدری", clause)] and quotes[0].cue == cue


@pytest.mark.parametrize("body", [
    "بیانیه‌ای که شهرداری تبریز اعلام کرده، دیروز منتشر شد.",  # the participle of a relative clause
    "پرویز صدری گفته‌های خود را پس گرفت.",  # a noun: «گفته‌ها»
    "پرویز صدری با این گفته که واردات برنج متوقف می‌شود موافق نیست.",  # a noun after «این»
    "پرویز صدری پیش‌تر گفته شده بود که واردات برنج متوقف می‌شود.",  # a passive
])
def test_the_bare_participle_elsewhere_is_no_verb_of_saying(body):
    assert quotes_of(body, {"پرویز صدری": "PER", "شهرداری تبریز": "ORG"}) == []


def test_cue_followed_directly_by_the_reported_clause():
    body = "پرویز صدری در پاسخ به پرسشی درباره نامزدی گفت هنوز در این باره تصمیم نگرفته است."
    assert said(quotes_of(body, {"پرویز صدری": "PER"})) == [("پرویز صدری", "هنوز در این باره تصمیم نگرفته است")]


def test_comma_after_the_cue_works_like_a_colon():
    body = "پرویز صدری تاکید کرد، کارخانه‌های کوچک سهم بیشتری از یارانه می‌گیرند."
    assert said(quotes_of(body, {"پرویز صدری": "PER"})) == [
        ("پرویز صدری", "کارخانه‌های کوچک سهم بیشتری از یارانه می‌گیرند")]


def test_speech_after_a_colon_spans_its_paragraph_until_a_new_attribution():
    body = ("نسرین فلاحی گفت: صادرات فرش کم شده است. بازار آمریکا بسته است. "
            "وی افزود: باید بازارهای تازه پیدا کنیم.\nپاراگراف بعدی خبر دیگری است.")
    assert said(quotes_of(body, {"نسرین فلاحی": "PER"})) == [
        ("نسرین فلاحی", "صادرات فرش کم شده است. بازار آمریکا بسته است"),
        ("نسرین فلاحی", "باید بازارهای تازه پیدا کنیم"),
    ]


def test_reported_clause_after_ba_bayan_inke_belongs_to_the_main_speaker():
    body = "بهرام شفیعی با بیان اینکه بودجه پژوهش کافی نیست، افزود: دانشگاه‌ها باید درآمد داشته باشند."
    assert said(quotes_of(body, {"بهرام شفیعی": "PER"})) == [
        ("بهرام شفیعی", "بودجه پژوهش کافی نیست"),
        ("بهرام شفیعی", "دانشگاه‌ها باید درآمد داشته باشند"),
    ]


def test_according_to_names_the_speaker_before_the_comma():
    body = "به گفته رضا کریمی، صادرات زعفران امسال دو برابر شده است."
    assert said(quotes_of(body, {"رضا کریمی": "PER"})) == [("رضا کریمی", "صادرات زعفران امسال دو برابر شده است")]


def test_according_to_a_pronoun_needs_no_comma():
    body = "کاوه نادری وزیر نیرو گفت: برق قطع نمی‌شود.\nبه گفته وی قیمت برق تا پایان سال ثابت می‌ماند."
    assert said(quotes_of(body, {"کاوه نادری": "PER"}))[1] == ("کاوه نادری", "قیمت برق تا پایان سال ثابت می‌ماند")


@pytest.mark.parametrize("joint", [" اما", "؛"])
def test_a_coordinated_clause_with_its_own_subject_has_that_speaker(joint):
    body = f"کرمان و یزد دیروز توافق کردند{joint} سارا کاظمی اعلام کرد که این توافق اجرا نمی‌شود."
    names = {"کرمان": "LOC", "یزد": "LOC", "سارا کاظمی": "PER"}
    assert said(quotes_of(body, names)) == [("سارا کاظمی", "این توافق اجرا نمی‌شود")]


def test_but_inside_a_description_or_an_inner_clause_keeps_the_subject_before_it():
    body = ("کاوه نادری کار را ساده اما پرزحمت نامید و تصریح کرد: باید صبور بود.\n"
            "سارا کاظمی با اشاره به اینکه برق قطع شده اما کاوه نادری آن را نپذیرفت، گفت: برق برمی‌گردد.")
    quotes = quotes_of(body, {"کاوه نادری": "PER", "سارا کاظمی": "PER"})
    assert [(q.speaker, q.cue) for q in quotes] == [
        ("کاوه نادری", "تصریح کرد"), ("سارا کاظمی", "با اشاره به اینکه"), ("سارا کاظمی", "گفت")]


def test_according_to_leaves_the_speakers_description_out_of_the_quote():
    body = "به گفته رضا کریمی، کارشناس بازار زعفران در مشهد، «صادرات امسال دو برابر شده است.»"
    assert said(quotes_of(body, {"رضا کریمی": "PER"})) == [("رضا کریمی", "صادرات امسال دو برابر شده است")]
    body = "به گفته رضا کریمی، صادرات امسال «بی‌سابقه» بوده است."
    assert said(quotes_of(body, {"رضا کریمی": "PER"})) == [("رضا کریمی", "صادرات امسال «بی‌سابقه» بوده است")]


def test_a_statement_speaks_for_its_organization():
    body = "در ادامه بیانیه سازمان هواشناسی آمده است: بارش‌ها از فردا شدیدتر می‌شود."
    assert said(quotes_of(body, {"سازمان هواشناسی": "ORG"})) == [
        ("سازمان هواشناسی", "بارش‌ها از فردا شدیدتر می‌شود")]


def test_characterizing_guillemets_are_the_subjects_words():
    body = "وزارت نیرو در بیانیه‌ای این گزارش را «نادرست و شتاب‌زده» توصیف کرد."
    [quote] = quotes_of(body, {"وزارت نیرو": "ORG"})
    assert (quote.speaker, quote.text, quote.kind) == ("وزارت نیرو", "نادرست و شتاب‌زده", "direct")


def test_headline_quote_in_the_title():
    quotes = quotes_of("متن خبر درباره نان است.", {"نادری": "PER"}, title="نادری: قیمت نان کاهش می‌یابد")
    assert [(q.field, q.speaker, q.text) for q in quotes] == [("title", "نادری", "قیمت نان کاهش می‌یابد")]


def test_described_headline_speaker_is_the_articles_first_speaker():
    body = "ژاله صدری سرمربی تیم میهمان گفت: بازیکنان ما خسته بودند.\nپیمان رضوی گفت: داوری خوب بود."
    quotes = quotes_of(body, {"ژاله صدری": "PER", "پیمان رضوی": "PER"},
                       title="سرمربی تیم میهمان: خستگی کار دستمان داد")
    assert (quotes[-1].field, quotes[-1].speaker) == ("title", "ژاله صدری")


# ---- speakers ----------------------------------------------------------------------------

def test_source_attribution_before_the_comma_is_not_the_speaker():
    body = "به گزارش خبرگزاری نمونه، کاوه نادری امروز گفت: نانوایی‌ها شب‌ها باز می‌مانند."
    names = {"خبرگزاری نمونه": "ORG", "کاوه نادری": "PER"}
    assert said(quotes_of(body, names))[0][0] == "کاوه نادری"


def test_person_opening_the_clause_wins_over_the_organization_in_the_apposition():
    body = "مریم کاظمی سخنگوی سازمان محیط زیست گفت: شکار در این منطقه ممنوع است."
    names = {"مریم کاظمی": "PER", "سازمان محیط زیست": "ORG"}
    assert said(quotes_of(body, names))[0][0] == "مریم کاظمی"


def test_name_closing_a_role_description_is_the_speaker():
    body = "سخنگوی سازمان محیط زیست مریم کاظمی گفت: شکار در این منطقه ممنوع است."
    names = {"مریم کاظمی": "PER", "سازمان محیط زیست": "ORG"}
    assert said(quotes_of(body, names))[0][0] == "مریم کاظمی"


def test_name_right_after_the_role_word_is_its_complement_not_the_speaker():
    body = "مشاور جان اسمیت گفت: گزارش تا هفته آینده آماده نمی‌شود."
    [quote] = quotes_of(body, {"جان اسمیت": "PER"})
    assert quote.speaker is None


def test_organization_can_speak():
    body = "وزارت بهداشت در بیانیه‌ای اعلام کرد: واکسن جدید از ماه آینده توزیع می‌شود."
    assert said(quotes_of(body, {"وزارت بهداشت": "ORG"}))[0][0] == "وزارت بهداشت"


def test_name_after_a_preposition_is_not_the_speaker():
    body = ("کاوه نادری گفت: نان گران نمی‌شود.\n"
            "در مصاحبه با شبکه خبر گفت: آرد کافی داریم.")
    names = {"کاوه نادری": "PER", "شبکه خبر": "ORG"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["کاوه نادری", "کاوه نادری"]


def test_pronouns_and_elided_subjects_resolve_to_the_last_speaker():
    body = ("کاوه نادری گفت: نان گران نمی‌شود.\n"
            "وی افزود: آرد کافی داریم.\n"
            "او ادامه داد: نانوایان نگران نباشند.\n"
            "در این ارتباط افزود: یارانه آرد پرداخت می‌شود.")
    speakers = [s for s, _ in said(quotes_of(body, {"کاوه نادری": "PER"}))]
    assert speakers == ["کاوه نادری"] * 4


def test_pronoun_follows_a_new_person_who_opens_a_sentence():
    body = ("کاوه نادری گفت: نان گران نمی‌شود.\n"
            "لیلا مرادی دیروز از یک نانوایی بازدید کرد.\n"
            "وی گفت: کیفیت نان بهتر شده است.")
    names = {"کاوه نادری": "PER", "لیلا مرادی": "PER"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["کاوه نادری", "لیلا مرادی"]


def test_a_personal_pronoun_never_takes_an_organization_that_spoke_before():
    body = ("اتحادیه نانوایان اعلام کرد که نان گران نمی‌شود.\n"
            "وی افزود: آرد کافی داریم.")
    assert said(quotes_of(body, {"اتحادیه نانوایان": "ORG"})) == [
        ("اتحادیه نانوایان", "نان گران نمی‌شود"), (None, "آرد کافی داریم")]


def test_names_inside_quoted_speech_are_not_antecedents():
    body = ("کاوه نادری گفت: کار خوبی بود.\n"
            "وی افزود: در این طرح لیلا مرادی هم همکاری کرد.\n"
            "وی ادامه داد: طرح بعدی پاییز آغاز می‌شود.")
    names = {"کاوه نادری": "PER", "لیلا مرادی": "PER"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["کاوه نادری"] * 3


def test_person_description_resolves_to_the_person_introduced_with_it():
    body = ("بهرام شفیعی نماینده مردم شیراز گفت: سد ملاصدرا کم‌آب است.\n"
            "لیلا مرادی گفت: برنج کافی داریم.\n"
            "نماینده مردم شیراز افزود: باید آب را جیره‌بندی کرد.\n"
            "این مقام ایرانی گفت: تابستان سختی در پیش است.")
    names = {"بهرام شفیعی": "PER", "لیلا مرادی": "PER", "شیراز": "LOC"}
    assert [s for s, _ in said(quotes_of(body, names))] == [
        "بهرام شفیعی", "لیلا مرادی", "بهرام شفیعی", "بهرام شفیعی"]


def test_organization_description_resolves_to_the_last_organization_speaker():
    body = ("وزارت بهداشت اعلام کرد: واکسن جدید توزیع می‌شود.\n"
            "لیلا مرادی گفت: مردم استقبال کرده‌اند.\n"
            "این وزارتخانه همچنین اعلام کرد که نوبت‌دهی اینترنتی است.")
    names = {"وزارت بهداشت": "ORG", "لیلا مرادی": "PER"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["وزارت بهداشت", "لیلا مرادی", "وزارت بهداشت"]


def test_dateline_before_a_colon_is_not_the_speaker():
    body = ("خبرگزاری نمونه: مدیرکل بنادر استان گفت: اسکله جدید آماده است.\n"
            "بهرام شفیعی مدیرکل بنادر استان پیش از این گفته بود که کار عقب است.")
    names = {"خبرگزاری نمونه": "ORG", "بهرام شفیعی": "PER"}
    assert said(quotes_of(body, names))[0] == ("بهرام شفیعی", "اسکله جدید آماده است")


def test_lead_description_resolves_to_the_person_introduced_with_it_later():
    body = ("شهردار کرمان گفت: پل جدید هفته آینده باز می‌شود.\n"
            "به گزارش خبرگزاری نمونه، بهرام شفیعی شهردار کرمان امروز از پل بازدید کرد.\n"
            "لیلا مرادی سرمربی تیم شهر گفت: بازی فردا برگزار می‌شود.")
    names = {"خبرگزاری نمونه": "ORG", "بهرام شفیعی": "PER", "لیلا مرادی": "PER", "کرمان": "LOC"}
    assert said(quotes_of(body, names))[0] == ("بهرام شفیعی", "پل جدید هفته آینده باز می‌شود")


def test_description_introduced_for_someone_else_does_not_match():
    body = ("سرمربی تیم میزبان گفت: آماده‌ایم.\n"
            "لیلا مرادی سرمربی تیم میهمان گفت: ما هم آماده‌ایم.")
    assert [s for s, _ in said(quotes_of(body, {"لیلا مرادی": "PER"}))] == [None, "لیلا مرادی"]


def test_lead_description_goes_to_the_next_person_quoted_by_name():
    body = ("مدیرکل بنادر استان گفت: اسکله دوم تا پایان سال ساخته می‌شود.\n"
            "به گزارش خبرگزاری نمونه، سازمان بنادر اعلام کرد: بودجه تامین شده است.\n"
            "بهرام شفیعی امروز در جمع خبرنگاران افزود: کار از هفته آینده آغاز می‌شود.")
    names = {"خبرگزاری نمونه": "ORG", "سازمان بنادر": "ORG", "بهرام شفیعی": "PER"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["بهرام شفیعی", "سازمان بنادر", "بهرام شفیعی"]


def test_lead_description_goes_to_a_person_introduced_with_a_fuller_form_of_it():
    body = ("نماینده مجلس گفت: طرح هفته آینده بررسی می‌شود.\n"
            "بهرام شفیعی نماینده مردم کرمان در مجلس افزود: کمیسیون موافق است.")
    assert [s for s, _ in said(quotes_of(body, {"بهرام شفیعی": "PER"}))] == ["بهرام شفیعی"] * 2


def test_the_reporting_outlet_is_never_the_speaker():
    body = ("خبرگزاری نمونه - مدیرکل بنادر استان گفت: اسکله دوم ساخته می‌شود.\n"
            "به گزارش خبرگزاری نمونه از بوشهر بهرام شفیعی امروز در جمع خبرنگاران افزود: کار آغاز شده است.\n"
            "وی ادامه داد: بودجه تامین شده است.")
    names = {"خبرگزاری نمونه": "ORG", "بهرام شفیعی": "PER", "بوشهر": "LOC"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["بهرام شفیعی"] * 3


def test_an_outlet_cited_without_a_comma_does_not_speak_for_the_statement():
    body = "به گزارش خبرگزاری نمونه به نقل از روابط عمومی شهرداری در این اطلاعیه آمده است: معابر بسته است."
    names = {"خبرگزاری نمونه": "ORG", "روابط عمومی شهرداری": "ORG"}
    assert [s for s, _ in said(quotes_of(body, names))] == [None]


def test_the_agency_reporting_the_article_speaks_in_none_of_its_quotes():
    body = ("خبرگزاری نمونه در گزارشی نوشت که بازار امروز آرام بود.\n"
            "این بیانیه می‌افزاید: قیمت‌ها ثابت مانده است.")
    names = {"خبرگزاری نمونه": "ORG"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["خبرگزاری نمونه"] * 2  # the agency unknown
    assert [s for s, _ in said(quotes_of(body, names, agency="نمونه"))] == [None, None]


def test_lead_description_stays_unattributed_when_nobody_is_quoted_by_name():
    body = ("مدیرکل بنادر استان گفت: اسکله دوم ساخته می‌شود.\n"
            "وی افزود: کار از هفته آینده آغاز می‌شود.")
    assert [s for s, _ in said(quotes_of(body, {}))] == [None, None]


def test_unrecognized_name_before_a_role_word_blocks_coreference_to_an_earlier_speaker():
    body = ("کاوه نادری گفت: کار خوبی بود.\n"
            "همچنین پرستو نیک‌پی سرپرست تیم گفت: تمرینات ادامه دارد.\n"
            "وی افزود: اردو در شمال برگزار می‌شود.")
    assert [s for s, _ in said(quotes_of(body, {"کاوه نادری": "PER"}))] == ["کاوه نادری", None, None]


def test_compound_role_word_opens_a_description_not_the_organization_inside_it():
    body = ("لیلا مرادی رئیس‌کل دادگستری استان گفت: پرونده‌ها کم شده است.\n"
            "رئیس‌کل دادگستری استان افزود: قاضیان جدید استخدام می‌شوند.")
    names = {"لیلا مرادی": "PER", "دادگستری استان": "ORG"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["لیلا مرادی", "لیلا مرادی"]


@pytest.mark.parametrize("role", ["افسر", "مهاجم", "داور", "کارگردان", "پیشکسوت"])
def test_a_role_word_opens_a_description_not_the_organization_after_it(role):
    body = (f"کاوه نادری {role} باشگاه نمونه گفت: کار خوبی بود.\n"
            f"{role} باشگاه نمونه افزود: تمرینات ادامه دارد.")
    names = {"کاوه نادری": "PER", "باشگاه نمونه": "ORG"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["کاوه نادری", "کاوه نادری"]


@pytest.mark.parametrize("opener", ["در همین راستا", "در ادامه", "در این میان", "از سوی دیگر"])
def test_a_phrase_of_reference_does_not_push_the_subject_out_of_its_window(opener):
    body = ("سارا کاظمی گفت: قرارداد امضا شد.\n"
            f"{opener} شرکت فیلم‌سازی «آوای نمونه کرمان» اعلام کرد: نخستین فیلم تا بهار ساخته می‌شود.")
    names = {"سارا کاظمی": "PER", "آوای نمونه کرمان": "ORG"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["سارا کاظمی", "آوای نمونه کرمان"]


def test_a_military_rank_before_a_name_is_an_honorific_not_a_description():
    body = ("سارا کاظمی فرمانده پادگان گفت: دو نفر زخمی شدند.\n"
            "ژنرال کاوه نادری سخنگوی ارتش نیز گفت: هیچ سربازی کشته نشد.")
    names = {"سارا کاظمی": "PER", "کاوه نادری": "PER"}
    assert [s for s, _ in said(quotes_of(body, names))] == ["سارا کاظمی", "کاوه نادری"]


def test_description_with_no_one_to_resolve_to_gives_no_speaker():
    [quote] = quotes_of("سخنگوی دولت گفت: جلسه فردا برگزار می‌شود.")
    assert quote.speaker is None and quote.text == "جلسه فردا برگزار می‌شود"


def test_a_speaker_with_no_name_keeps_its_description_and_pronouns_after_it_too():
    body = ("یک مقام ارشد وزارت نیرو پیش‌تر گفته که سد تازه تا بهار آبگیری می‌شود.\n"
            "او افزود: «کار با تاخیر پیش می‌رود.»")
    quotes = quotes_of(body, {"وزارت نیرو": "ORG"})
    assert [(q.speaker, q.speaker_description) for q in quotes] == [(None, "یک مقام ارشد وزارت نیرو")] * 2


def test_a_lead_description_is_kept_until_the_person_is_named():
    lead = "سخنگوی ستاد بحران استان روز شنبه گفت: جاده‌ها باز است."
    [quote] = quotes_of(lead)
    assert (quote.speaker, quote.speaker_description) == (None, "سخنگوی ستاد بحران استان")
    named = lead + "\nکاوه نادری سخنگوی ستاد بحران استان افزود: برف بند آمده است."
    assert [(q.speaker, q.speaker_description) for q in quotes_of(named, {"کاوه نادری": "PER"})] == [
        ("کاوه نادری", None), ("کاوه نادری", None)]


def test_a_weekday_inside_an_office_is_no_time_phrase():
    [quote] = quotes_of("امام جمعه موقت روستای نمونه گفت: مسجد تازه هفته آینده افتتاح می‌شود.")
    assert quote.speaker_description == "امام جمعه موقت روستای نمونه"


def test_an_indefinite_lead_description_goes_to_the_person_named_later_with_that_role():
    body = ("یک کارشناس انرژی گفت: مصرف برق رو به رشد است.\n"
            "به گزارش خبرگزاری نمونه، کاوه نادری کارشناس انرژی در گفت‌وگو با خبرنگاران گفت: مصرف بالا می‌رود.")
    quotes = quotes_of(body, {"کاوه نادری": "PER", "خبرگزاری نمونه": "ORG"})
    assert [(q.speaker, q.speaker_description) for q in quotes] == [("کاوه نادری", None)] * 2


def test_an_indefinite_description_after_a_named_speaker_stays_unnamed():
    body = ("کاوه نادری کارشناس انرژی گفت: مصرف بالا می‌رود.\n"
            "یک کارشناس انرژی دیگر گفت: مصرف برق رو به افت است.")
    quotes = quotes_of(body, {"کاوه نادری": "PER"})
    assert [(q.speaker, q.speaker_description) for q in quotes] == [
        ("کاوه نادری", None), (None, "یک کارشناس انرژی دیگر")]


def test_a_named_speaker_has_no_description():
    [quote] = quotes_of("کاوه نادری نیز گفت: جاده‌ها باز است.", {"کاوه نادری": "PER"})
    assert (quote.speaker, quote.speaker_description) == ("کاوه نادری", None)


@pytest.mark.parametrize("apposition_names", [{}, {"ارتش کشور ب": "ORG"}])
def test_nested_quote_belongs_to_the_verb_it_sits_under(apposition_names):
    body = ("وزارت خارجه کشور الف در بیانیه‌ای سخنان جان اسمیت، فرمانده ارتش کشور ب، که گفته بود مذاکرات "
            "«کاملا بی‌نتیجه» است را رد و تاکید کرد که گفتگوها ادامه دارد.")
    names = {"وزارت خارجه کشور الف": "ORG", "جان اسمیت": "PER", **apposition_names}
    quotes = quotes_of(body, names)
    assert said(quotes) == [("جان اسمیت", "کاملا بی‌نتیجه"), ("وزارت خارجه کشور الف", "گفتگوها ادامه دارد")]
    assert quotes[0].kind == "direct"


def test_guillemets_inside_a_that_clause_are_the_quote():
    body = "وزارت نیرو تاکید کرد که این تصمیم «فقط برای تابستان» گرفته شده است."
    assert said(quotes_of(body, {"وزارت نیرو": "ORG"})) == [("وزارت نیرو", "فقط برای تابستان")]


@pytest.mark.parametrize("second, names", [("«صدف»", {}), ("«ستاره دریا»", {"ستاره دریا": "ORG"})])
def test_guillemets_that_set_a_name_apart_leave_the_whole_clause_as_the_quote(second, names):
    body = f"وزارت نیرو اعلام کرد دو کشتی به نام‌های «مروارید» و {second} فردا به بندر می‌رسند."
    assert said(quotes_of(body, {"وزارت نیرو": "ORG", **names})) == [
        ("وزارت نیرو", f"دو کشتی به نام‌های «مروارید» و {second} فردا به بندر می‌رسند")]


def test_a_document_speaks_in_the_pluperfect_before_guillemets():
    body = "در بیانیه وزارت نیرو آمده بود «سد تازه تا بهار آبگیری می‌شود.»"
    assert said(quotes_of(body, {"وزارت نیرو": "ORG"})) == [("وزارت نیرو", "سد تازه تا بهار آبگیری می‌شود")]


@pytest.mark.parametrize("ba, that", [("با ", "اینکه"), ("با", "اینکه"), ("با‌", "اینکه"), ("با ", "آنکه"),
                                      ("با ", "آن که")])
def test_reported_clause_after_ba_bayan_inke_however_ba_is_joined(ba, that):
    body = f"کاوه نادری {ba}بیان {that} نان گران نمی‌شود، افزود: آرد کافی داریم."
    assert said(quotes_of(body, {"کاوه نادری": "PER"})) == [
        ("کاوه نادری", "نان گران نمی‌شود"), ("کاوه نادری", "آرد کافی داریم")]


@pytest.mark.parametrize("honorifics", ["سید ", "دکتر سید ", "حجت‌الاسلام "])
def test_honorifics_do_not_push_the_name_out_of_the_subject_window(honorifics):
    body = ("کاوه نادری گفت: نان گران نمی‌شود.\n"
            f"در این باره {honorifics}سارا کاظمی سخنگوی اتحادیه گفت: آرد کافی داریم.")
    names = {"کاوه نادری": "PER", "سارا کاظمی": "PER"}
    assert [q.speaker for q in quotes_of(body, names)] == ["کاوه نادری", "سارا کاظمی"]


def test_an_honorific_alone_before_the_verb_is_an_unnamed_subject_not_a_crash():
    [quote] = quotes_of("دکتر گفت: نان گران نمی‌شود.")
    assert (quote.speaker, quote.text) == (None, "نان گران نمی‌شود")


@pytest.mark.parametrize("lead_in", ["از سوی دیگر،", "در همین حال،", "با این همه،"])
def test_a_lead_in_set_off_by_a_comma_does_not_hide_a_described_speaker(lead_in):
    body = ("سارا کاظمی سخنگوی اتحادیه نانوایان گفت: نان گران نمی‌شود.\n"
            "کاوه نادری وزیر نیرو گفت: برق قطع نمی‌شود.\n"
            f"{lead_in} سخنگوی اتحادیه نانوایان افزود: آرد کافی داریم.")
    names = {"کاوه نادری": "PER", "سارا کاظمی": "PER"}
    assert [q.speaker for q in quotes_of(body, names)] == ["سارا کاظمی", "کاوه نادری", "سارا کاظمی"]


@pytest.mark.parametrize("lead_in", ["بعد از سخنان «کاظمی»،", "پس از سارا کاظمی،", "در دیدار با کاظمی،"])
def test_a_lead_in_opening_with_a_preposition_is_not_the_subject_even_when_it_names_someone(lead_in):
    body = f"سارا کاظمی گفت: برق قطع نمی‌شود.\n{lead_in} کاوه نادری آهنگساز به سمفونی پرداخت و گفت: سمفونی فرم دارد."
    names = {"سارا کاظمی": "PER", "کاوه نادری": "PER", "کاظمی": "PER"}
    assert [q.speaker for q in quotes_of(body, names)] == ["سارا کاظمی", "کاوه نادری"]


def test_someone_cited_in_passing_inside_speech_neither_ends_it_nor_becomes_the_antecedent():
    body = ("کاوه نادری تاکید کرد: قیمت ثابت می‌ماند. برخلاف نظر سارا کاظمی که می‌گوید «نان گران می‌شود»، "
            "آرد کافی داریم.\nوی افزود: نانوایی‌ها باز است.")
    quotes = quotes_of(body, {"کاوه نادری": "PER", "سارا کاظمی": "PER"})
    assert [q.speaker for q in quotes] == ["کاوه نادری", "کاوه نادری"]
    assert quotes[0].text.endswith("آرد کافی داریم")


@pytest.mark.parametrize("named_with", [
    "سخنگوی اتحادیه نانوایان",
    "نماینده مردم شهر نمونه و سخنگوی اتحادیه نانوایان",
    "سخنگوی اتحادیه نانوایان و رئیس هیئت مدیره",
])
def test_a_lead_description_goes_to_the_person_holding_it_among_other_roles(named_with):
    body = ("سخنگوی اتحادیه نانوایان گفت: نان گران نمی‌شود.\n"
            f"کاوه نادری {named_with} پیش از این در کرمان کار می‌کرد.\n"
            "کاوه نادری افزود: آرد کافی داریم.")
    quotes = quotes_of(body, {"کاوه نادری": "PER"})
    assert [q.speaker for q in quotes] == ["کاوه نادری", "کاوه نادری"]


def test_a_description_means_the_person_met_since_with_that_role_rather_than_the_last_one_quoted():
    body = ("کاوه نادری وزیر نیرو گفت: برق قطع نمی‌شود.\n"
            "سارا کاظمی سخنگوی جدید اتحادیه نانوایان نیز در این جلسه حضور داشت.\n"
            "سخنگوی اتحادیه افزود: آرد کافی داریم.\nوی افزود: نانوایی‌ها باز است.")
    quotes = quotes_of(body, {"کاوه نادری": "PER", "سارا کاظمی": "PER"})
    assert [q.speaker for q in quotes] == ["کاوه نادری", "سارا کاظمی", "سارا کاظمی"]


def test_a_lead_description_fits_a_long_role_beyond_its_first_words():
    body = ("رئیس اتحادیه نانوایان کشور گفت: نان گران نمی‌شود.\n"
            "کاوه نادری رئیس سازمان اصناف و اتحادیه نانوایان کشور افزود: آرد کافی داریم.")
    quotes = quotes_of(body, {"کاوه نادری": "PER"})
    assert [q.speaker for q in quotes] == ["کاوه نادری", "کاوه نادری"]


def test_a_pronoun_after_a_lead_description_waits_with_it_for_the_name():
    body = ("سخنگوی اتحادیه نانوایان گفت: نان گران نمی‌شود.\nوی افزود: آرد کافی داریم.\n"
            "کاوه نادری تاکید کرد: نانوایی‌ها باز است.")
    quotes = quotes_of(body, {"کاوه نادری": "PER"})
    assert [q.speaker for q in quotes] == ["کاوه نادری"] * 3


# ---- what is not a quote -----------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "«شرکت ملی نفت» قرارداد تازه‌ای امضا کرد.",
    "این دو وزیر درباره همکاری‌ها گفت و گو کردند.",
    "در وهله اول باید گفت که اقتصاد بهتر شده است.",
    "مربیان دو تیم به سؤالات خبرنگاران پاسخ دادند.",
    "وزیر به پرسش‌ها پاسخ داد و جلسه را ترک کرد.",
    "گفت‌وگوی دو رئیس‌جمهور دو ساعت طول کشید.",
    "وی از سیاست‌های دولت انتقاد کرد.",
])
def test_no_quote(body):
    assert quotes_of(body, {"شرکت ملی نفت": "ORG"}) == []


def test_arabic_letter_variants_and_missing_zwnj_still_match():
    body = "كاوه نادري افزود: مي‌توانيم صادرات را بيشتر كنيم.\nوي همچنین ميگويد كه بازار رو به رشد است."
    quotes = quotes_of(body, {"كاوه نادري": "PER"})
    assert [q.cue for q in quotes] == ["افزود", "ميگويد"]
    assert [q.speaker for q in quotes] == ["كاوه نادري"] * 2


# ---- robustness --------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "", "...؟!،:", "\u200c\u200c\u200c", "<p>گفت:</p> <br/>", "گفت:", "«", "»«", "Mixed English گفت: yes.",
    "به گفته", "با بیان اینکه", "وی گفت: «", ":" * 1000,
])
def test_odd_input_never_raises(body):
    quotes_of(body, {})


def test_malformed_arguments_give_no_quotes():
    assert find_quotes({"title": None, "body": 42}, []) == []
    bad_mention = Entity("x", "PER", [Mention("body", 50, 10)])
    assert find_quotes({"title": "", "body": "وی گفت: سلام دوستان عزیز."}, [bad_mention])[0].speaker is None


def test_huge_body_with_unbalanced_guillemets_is_linear():
    unit = "وی گفت: «این جمله بسته نمی‌شود و " + "کلمه " * 20 + "\n"
    body = unit * (5_000_000 // len(unit))
    started = time.perf_counter()
    quotes = find_quotes({"title": "", "body": body}, [])
    assert time.perf_counter() - started < 10
    assert len(quotes) == body.count("\n")


def test_a_paragraph_of_many_attributions_is_linear():
    unit = "به گزارش خبرگزاری نمونه گفت: سلام. "
    body = unit * 150_000  # one line of 5 MB, each outlet's attribution looked for just before it
    start = unit.index("خبرگزاری")
    agency = Entity("خبرگزاری نمونه", "ORG", [Mention("body", n * len(unit) + start, n * len(unit) + start + 15)
                                               for n in range(150_000)])
    started = time.perf_counter()
    assert len(find_quotes({"title": "", "body": body}, [agency])) == 150_000
    assert time.perf_counter() - started < 10


def test_huge_single_paragraph_is_linear():
    body = ("وی با بیان اینکه «بازار آرام است افزود کاوه گفت " + "،" * 30) * 60_000
    started = time.perf_counter()
    find_quotes({"title": body[:1000], "body": body}, [])
    assert time.perf_counter() - started < 10


_PIECES = st.sampled_from([
    "وی", "گفت", "افزود", ":", "،", "«", "»", "که", "با بیان اینکه", "به گفته", "\n", ".", " ",
    "کاوه نادری", "وزارت نیرو", "اعلام کرد", "آمده است", "توصیف", "را", "این مقام", "\u200c", "x",
    "سید", "دکتر", "اظهارداشت", "از سوی دیگر،", "و سخنگوی", "که می‌گوید",
    "؛", "اما", "در همین راستا", "بعد از", "و تاکید کرد", "به شرط آنکه", "'", "مهاجم",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_PIECES, max_size=60), spans=st.lists(
    st.tuples(st.integers(-5, 400), st.integers(-5, 400), st.sampled_from(["PER", "ORG", "LOC", "?"])),
    max_size=8))
def test_fuzz_offsets_always_point_at_the_quote(pieces, spans):
    body = " ".join(pieces)
    ents = [Entity(f"e{i}", kind, [Mention("body", s, e)]) for i, (s, e, kind) in enumerate(spans)]
    for quote in find_quotes({"title": body[:40], "body": body}, ents):
        text = body if quote.field == "body" else body[:40]
        assert text[quote.start:quote.end] == quote.text
        assert quote.text.strip() == quote.text and quote.text
        assert quote.speaker is None or quote.speaker in {e.text for e in ents}
