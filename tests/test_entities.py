"""Entities stage: tagging, rules and consolidation over invented articles."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core.entities import find_entities
from streams.core.model import Entity

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "eval" / "dev"


def _by_name(entities: list[Entity]) -> dict[str, Entity]:
    return {e.text: e for e in entities}


def _mention_texts(fields, entity):
    return [fields[m.field][m.start:m.end] for m in entity.mentions]


def test_a_lone_surname_joins_the_full_name_across_title_and_body():
    fields = {"title": "سفر کریمی به مشهد",
              "body": "سارا کریمی سخنگوی وزارت نیرو امروز در تهران گفت: برق روستاها وصل می‌شود.\n\n"
                      "کریمی افزود: کار تا پایان سال تمام می‌شود."}
    entities = _by_name(find_entities(fields))
    person = entities["سارا کریمی"]
    assert person.type == "PER"
    assert _mention_texts(fields, person) == ["کریمی", "سارا کریمی", "کریمی"]
    assert [m.field for m in person.mentions] == ["title", "body", "body"]
    assert entities["تهران"].type == "LOC"
    assert entities["وزارت نیرو"].type == "ORG"
    assert not any(e.text == "کریمی" for e in entities.values())


MUSEUM_NEWS = "بازدید از موزه رایگان است. پاییزی در ادامه تصریح کرد: ساعت کار موزه افزایش یافت."


def test_a_surname_the_tagger_left_untagged_is_still_a_mention_of_its_person():
    fields = {"title": "", "body": "کامران پاییزی، مدیر موزه شهر، به خبرنگاران گفت: " + MUSEUM_NEWS}
    person = _by_name(find_entities(fields))["کامران پاییزی"]
    assert _mention_texts(fields, person) == ["کامران پاییزی", "پاییزی"]


def test_a_surname_alone_is_left_alone_when_it_is_a_plain_word_or_two_people_share_it():
    plain = {"title": "", "body": "یوسف امید در جلسه حاضر شد. امید به بهبود اقتصاد زیاد است."}
    assert _mention_texts(plain, _by_name(find_entities(plain))["یوسف امید"]) == ["یوسف امید"]
    shared = {"title": "", "body": "کامران پاییزی و فرزاد پاییزی مدیران موزه شهر هستند. " + MUSEUM_NEWS}
    entities = _by_name(find_entities(shared))
    assert [len(entities[name].mentions) for name in ("کامران پاییزی", "فرزاد پاییزی")] == [1, 1]


def test_a_surname_spaced_apart_joins_the_full_name_written_with_a_zwnj():
    fields = {"title": "", "body": "کامران پاییزی‌نژاد، مدیر موزه شهر، گفت: بازدید رایگان است. "
                                   "پاییزی نژاد افزود: ساعت کار موزه افزایش یافت."}
    [person] = find_entities(fields)
    assert person.text == "کامران پاییزی‌نژاد"
    assert _mention_texts(fields, person) == ["کامران پاییزی‌نژاد", "پاییزی نژاد"]


def test_letter_variants_are_one_entity_under_the_fullest_name():
    fields = {"title": "", "body": "علي احمدی در کرمان سخن گفت. علی احمدی سپس به يزد رفت."}
    people = [e for e in find_entities(fields) if e.type == "PER"]
    assert len(people) == 1
    assert len(people[0].mentions) == 2


def test_an_acronym_declared_in_parentheses_is_the_same_organization():
    fields = {"title": "", "body": "سازمان بهداشت جهانی (WHO) گزارشی داد. به گفته کارشناسان، WHO از این طرح حمایت کرد."}
    entities = _by_name(find_entities(fields))
    who = entities["سازمان بهداشت جهانی"]
    assert who.type == "ORG"
    assert _mention_texts(fields, who) == ["سازمان بهداشت جهانی", "WHO", "WHO"]
    assert "WHO" not in entities


def test_a_compass_word_is_not_part_of_a_place():
    fields = {"title": "", "body": "سیل دیروز به روستاهای شمال اصفهان رسید."}
    places = [e.text for e in find_entities(fields) if e.type == "LOC"]
    assert places == ["اصفهان"]


def test_a_weekday_that_is_also_a_listed_city_is_not_a_place_by_the_list_alone():
    fields = {"title": "", "body": "جلسه شورا روز دوشنبه با حضور اعضا برگزار شد و تا عصر ادامه داشت."}
    assert [e.text for e in find_entities(fields) if e.type == "LOC"] == []


def test_a_compass_adjective_in_an_organization_is_no_place():
    fields = {"title": "", "body": "رئیس کل بانک مرکزی دیروز از کاهش نرخ تورم خبر داد."}
    assert [(e.text, e.type) for e in find_entities(fields)] == [("بانک مرکزی", "ORG")]


def test_an_office_before_a_country_is_not_an_organization():
    fields = {"title": "", "body": "وزیر خارجه آلمان دیروز با همتای خود دیدار کرد."}
    entities = find_entities(fields)
    assert [(e.text, e.type) for e in entities] == [("آلمان", "LOC")]


def test_a_place_named_again_without_its_designator_is_one_place():
    fields = {"title": "", "body": "ارتش اسرائیل دیروز به نوار غزه حمله کرد. ساکنان غزه از کمبود آب خبر دادند."}
    entities = _by_name(find_entities(fields))
    assert _mention_texts(fields, entities["نوار غزه"]) == ["نوار غزه", "غزه"]
    assert "غزه" not in entities


def test_a_team_named_again_without_its_describing_words_is_one_organization():
    fields = {"title": "", "body": "تیم فوتبال سپاهان دیروز در اصفهان تمرین کرد. سپاهان فردا با تراکتور بازی دارد."}
    teams = {e.text: len(e.mentions) for e in find_entities(fields) if e.type == "ORG"}
    assert teams.get("تیم فوتبال سپاهان") == 2 and "سپاهان" not in teams


def test_an_organization_inside_a_longer_one_stays_its_own():
    fields = {"title": "", "body": "شورای امنیت سازمان ملل دیروز تشکیل جلسه داد. دبیرکل سازمان ملل در این جلسه حضور داشت."}
    orgs = [e.text for e in find_entities(fields) if e.type == "ORG"]
    assert orgs == ["شورای امنیت سازمان ملل", "سازمان ملل"]


def test_a_surname_joins_the_person_even_when_an_organization_ends_with_it_too():
    fields = {"title": "", "body": "مریم کاظمی دیروز به تهران رفت. اعضای گروه تروریستی کاظمی دستگیر شدند. "
                                   "کاظمی گفت: ما بی‌گناهیم."}
    people = {e.text: len(e.mentions) for e in find_entities(fields) if e.type == "PER"}
    assert people == {"مریم کاظمی": 2}


def test_a_bare_parliament_is_an_organization_and_joins_its_full_name():
    alone = {"title": "", "body": "نمایندگان مجلس دیروز طرح بودجه را تصویب کردند."}
    assert [(e.text, e.type) for e in find_entities(alone)] == [("مجلس", "ORG")]
    with_full_name = {"title": "", "body": "طرح دیروز در مجلس شورای اسلامی تصویب شد. رئیس مجلس گفت: طرح مهم است."}
    assert [(e.text, e.type, len(e.mentions)) for e in find_entities(with_full_name)] == [
        ("مجلس شورای اسلامی", "ORG", 2)]


def test_a_bare_parliament_before_a_country_is_that_countrys():
    fields = {"title": "", "body": "پارلمان عراق دیروز نخست وزیر جدید را انتخاب کرد."}
    assert [(e.text, e.type) for e in find_entities(fields)] == [("پارلمان عراق", "ORG"), ("عراق", "LOC")]


def test_a_country_told_apart_by_its_state_form_is_one_place_with_its_short_name():
    fields = {"title": "", "body": "نمایندگان جمهوری آذربایجان و ارمنستان در مسکو دیدار کردند. "
                                   "آذربایجان اعلام کرد آتش‌بس را می‌پذیرد."}
    entities = _by_name(find_entities(fields))
    assert entities["جمهوری آذربایجان"].type == "LOC"
    assert _mention_texts(fields, entities["جمهوری آذربایجان"]) == ["جمهوری آذربایجان", "آذربایجان"]


def test_a_country_s_official_name_is_a_place_and_its_listed_name_stays_apart():
    fields = {"title": "", "body": "جمهوری اسلامی پاکستان و هند دیروز در ژنو توافق کردند. "
                                   "هیئتی از جمهوری اسلامی ایران به ژنو رفت. ایران خواستار لغو تحریم‌ها شد."}
    entities = _by_name(find_entities(fields))
    assert entities["جمهوری اسلامی پاکستان"].type == "LOC"
    assert "پاکستان" not in entities  # no place of its own inside the official name
    assert entities["جمهوری اسلامی ایران"].type == "LOC"
    assert _mention_texts(fields, entities["ایران"]) == ["ایران"]


def test_a_shared_first_word_joins_one_compass_part_but_not_two():
    one = {"title": "", "body": "تیم ملی کره جنوبی به تهران رسید. کره در این بازی شانس اول است."}
    assert _mention_texts(one, _by_name(find_entities(one))["کره جنوبی"]) == ["کره جنوبی", "کره"]
    two = {"title": "", "body": "کره شمالی و کره جنوبی دیروز گفت‌وگو کردند. کره هنوز دو پاره است."}
    entities = _by_name(find_entities(two))
    assert len(entities["کره شمالی"].mentions) == len(entities["کره جنوبی"].mentions) == 1


def test_an_organization_named_without_one_inner_word_is_the_same_organization():
    fields = {"title": "", "body": "شورای عالی امنیت ملی دیروز تشکیل جلسه داد. شورای امنیت ملی بیانیه‌ای صادر کرد."}
    entities = find_entities(fields)
    assert [(e.text, e.type) for e in entities] == [("شورای عالی امنیت ملی", "ORG")]
    assert _mention_texts(fields, entities[0]) == ["شورای عالی امنیت ملی", "شورای امنیت ملی"]


def test_offsets_point_at_the_mentions():
    fields = {"title": "دیدار در پکن", "body": "به گزارش خبرگزاری ایسنا، هیئتی از ژاپن به پکن رفت."}
    for entity in find_entities(fields):
        for mention in entity.mentions:
            assert fields[mention.field][mention.start:mention.end].strip() == fields[mention.field][mention.start:mention.end]
            assert mention.end > mention.start


@pytest.mark.parametrize("body", ["", "   ", "!!!؟؟...،،", "\u200c\u200b\u200d" * 50, "<p><b></b></p>&nbsp;",
                                  "Tehran Times گزارش داد IAEA و OPEC", "\n\n\n"])
def test_odd_input_gives_a_list_and_never_raises(body):
    entities = find_entities({"title": body, "body": body})
    assert isinstance(entities, list)
    for entity in entities:
        assert entity.type in ("PER", "ORG", "LOC") and entity.mentions


def test_missing_or_none_fields_are_empty():
    assert find_entities({}) == []
    assert find_entities({"title": None, "body": None}) == []


def test_time_grows_linearly_with_body_size():
    paragraph = "رضا موسوی رئیس سازمان هواپیمایی در تهران گفت پروازهای مشهد از فردا برقرار است. " * 20

    def seconds(times):
        started = time.perf_counter()
        find_entities({"title": "", "body": paragraph * times})
        return time.perf_counter() - started

    seconds(1)
    small, large = seconds(10), seconds(100)
    assert large < 25 * small + 0.5


def test_a_five_megabyte_body_without_sentence_ends_is_handled():
    body = ("کار در اصفهان ادامه دارد و " * 200_000)[:5_000_000]
    started = time.perf_counter()
    entities = find_entities({"title": "", "body": body})
    assert time.perf_counter() - started < 60
    assert any(e.text == "اصفهان" for e in entities)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ابپتسجکگلمنوهیيكآ ‌،.:«»()ًٌ0123456789۱۲abcXYZ\n\u200b<>&")), max_size=300),
       st.text(max_size=100))
def test_fuzz_find_entities_never_raises_and_offsets_stay_inside(body, title):
    fields = {"title": title, "body": body}
    for entity in find_entities(fields):
        assert entity.text
        for m in entity.mentions:
            assert 0 <= m.start < m.end <= len(fields[m.field])


@pytest.mark.skipif(not GOLD.exists(), reason="needs the shared gold articles")
def test_dev_articles_typed_entity_f1(tmp_path):
    from streams.core.normalize import normalize_article

    scorer = SHARED / "eval" / "score.py"
    raw = tmp_path / "raw.jsonl"
    subprocess.run([sys.executable, str(scorer), "make-input", str(GOLD), "-o", str(raw)], check=True,
                   capture_output=True)
    pred = tmp_path / "pred.jsonl"
    with open(pred, "w", encoding="utf-8") as out:
        for line in raw.read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            text = normalize_article(article["title"], article["body"])
            entities = find_entities({"title": text.title, "body": text.body})
            out.write(json.dumps({"id": article["id"], "title": text.title, "body": text.body,
                                  "entities": [e.to_dict() for e in entities]}, ensure_ascii=False) + "\n")
    result = subprocess.run([sys.executable, str(scorer), "entities", str(GOLD), str(pred)],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["entities_typed"]["f1"] >= 0.89


def test_token_texts_and_spans_agree_with_tokenize_on_a_slice():
    from streams.core.segment import token_spans, token_texts, tokenize

    text = "نرخ ۳.۵ درصد شد. «علی‌رضا» گفت: خوب‌ است\u200c! abc"
    start, end = 4, 40
    expected = tokenize(text[start:end])
    assert token_texts(text, start, end) == [t.text for t in expected]
    assert token_spans(text, start, end) == [(t.start + start, t.end + start) for t in expected]


def test_an_organization_cut_off_from_its_country_is_joined_to_it():
    from streams.core.entities import _joined
    from streams.core.ner.forms import fold

    words = [fold(w) for w in "وزارت خارجه کانادا در کره جنوبی دفتری گشود".split()]
    split = [(0, 2, "ORG"), (2, 3, "LOC"), (4, 6, "LOC")]
    assert _joined(words, split) == [(0, 3, "ORG"), (4, 6, "LOC")]
    plain = [fold(w) for w in "ایرنا کانادا را نقد کرد".split()]  # no head word: two names side by side
    assert _joined(plain, [(0, 1, "ORG"), (1, 2, "LOC")]) == [(0, 1, "ORG"), (1, 2, "LOC")]


def test_a_comma_ends_a_name_unless_a_coordinated_tail_follows():
    from streams.core.entities import _repair
    from streams.core.ner.forms import fold

    clause = [fold(w) for w in "سازمان هواشناسی ، پایداری هوا ادامه دارد".split()]
    assert _repair(clause, 0, 5, "ORG") == [(0, 2, "ORG")]
    ministry = [fold(w) for w in "وزارت صنعت ، معدن و تجارت گفت".split()]
    assert _repair(ministry, 0, 6, "ORG") == [(0, 6, "ORG")]


def test_an_everyday_word_alone_is_a_name_only_of_the_kind_it_is_listed_as():
    from streams.core.entities import _repair
    from streams.core.ner.forms import fold

    words = [fold(w) for w in "علی به خانه رفت".split()]
    assert _repair(words, 2, 3, "LOC") == []  # «خانه» is listed as a first name, not as a place
    assert _repair(words, 0, 1, "PER") == [(0, 1, "PER")]


def test_an_office_opening_an_organization_span_is_left_out_of_its_name():
    from streams.core.entities import _repair
    from streams.core.ner.forms import fold

    words = [fold(w) for w in "عضو کمیسیون آموزش مجلس گفت".split()]
    assert _repair(words, 0, 4, "ORG") == [(1, 4, "ORG")]
    office = [fold(w) for w in "وزیر خارجه کانادا گفت".split()]  # an office, no organization: its country
    assert _repair(office, 0, 3, "ORG") == [(2, 3, "LOC")]


def test_a_country_or_city_named_with_its_designator_is_the_place_itself():
    fields = {"title": "", "body": "هیئت تجاری دیروز به کشور عراق رفت و سپس در شهر بصره با بازرگانان دیدار کرد."}
    places = [e.text for e in find_entities(fields) if e.type == "LOC"]
    assert places == ["عراق", "بصره"]


def test_a_place_and_the_country_it_lies_in_are_two_places():
    city = {"title": "", "body": "او در کابل افغانستان زندگی می‌کند."}
    assert [(e.text, e.type) for e in find_entities(city)] == [("کابل", "LOC"), ("افغانستان", "LOC")]
    province = {"title": "", "body": "درگیری در استان ادلب سوریه ادامه دارد."}
    assert [e.text for e in find_entities(province)] == ["استان ادلب", "سوریه"]


def test_a_name_ends_before_a_verb_or_a_possessive_the_tagger_ran_into():
    role = {"title": "", "body": "عضو کمیسیون تلفیق به‌عنوان موافق صحبت کرد."}
    assert [e.text for e in find_entities(role)] == ["کمیسیون تلفیق"]
    indefinite = {"title": "", "body": "دولت باید برای این کار کمیته ای تشکیل دهد."}
    assert find_entities(indefinite) == []
    ours = {"title": "", "body": "سخنگوی وزارت امور خارجه کشورمان دیروز به این اقدام واکنش نشان داد."}
    assert [e.text for e in find_entities(ours)] == ["وزارت امور خارجه"]


def test_a_country_by_its_short_name_is_a_place_where_the_tagger_misses_it():
    fields = {"title": "", "body": "هیئتی از انگلیس و امارات دیروز به تهران آمد."}
    assert {"انگلیس", "امارات", "تهران"} <= {e.text for e in find_entities(fields) if e.type == "LOC"}


def test_an_organization_ends_before_what_it_is_spoken_about_and_a_plural_head_is_no_name():
    topic = {"title": "", "body": "رئیس فدراسیون فوتبال درباره کی‌روش توضیح داد."}
    assert [e.text for e in find_entities(topic)] == ["فدراسیون فوتبال"]
    plural = {"title": "", "body": "مدیران باشگاه ها دیروز جلسه داشتند."}
    assert find_entities(plural) == []


def test_a_regime_named_after_its_place_is_the_state_a_place():
    fields = {"title": "", "body": "مقامات رژیم بعث عراق بازداشت شدند."}
    assert [(e.text, e.type) for e in find_entities(fields)] == [("رژیم بعث عراق", "LOC")]


def test_the_reporting_agency_named_by_itself_is_that_organization_not_the_place_it_is_named_after():
    fields = {"title": "", "body": "به گزارش خبرگزاری کرمان، سارا کاظمی به خبرنگار کرمان گفت: بازار آرام است."}
    entities = find_entities(fields, agency="خبرگزاری کرمان")
    assert [(e.text, e.type, len(e.mentions)) for e in entities] == [
        ("خبرگزاری کرمان", "ORG", 2), ("سارا کاظمی", "PER", 1)]
    assert {e.type for e in find_entities(fields) if e.text == "کرمان"} == {"LOC"}


def test_an_arabic_surname_named_again_without_its_article_is_the_same_person():
    fields = {"title": "", "body": "کاوه الکرمانی وزیر نیرو در تهران گفت: برق وصل می‌شود. کرمانی افزود: کار تمام است."}
    entities = _by_name(find_entities(fields))
    assert _mention_texts(fields, entities["کاوه الکرمانی"]) == ["کاوه الکرمانی", "کرمانی"]
    assert "کرمانی" not in entities


def test_a_country_s_short_name_joins_its_longer_official_name():
    fields = {"title": "", "body": "وزیر خارجه امارات متحده عربی به کرمان رفت. امارات پیش از این سفیر خود را فراخوانده بود."}
    entities = _by_name(find_entities(fields))
    assert _mention_texts(fields, entities["امارات متحده عربی"]) == ["امارات متحده عربی", "امارات"]
    assert entities["امارات متحده عربی"].type == "LOC"
    assert "امارات" not in entities


def test_a_name_cut_before_its_surname_s_second_word_takes_it_when_the_article_names_the_person_by_both():
    fields = {"title": "", "body": "کاوه نادری سرشت امشب در کرمان افزود: کار تمام است.\n"
                                   "نادری سرشت با بیان اینکه کار سخت است گفت: باید صبر کرد."}
    entities = _by_name(find_entities(fields))
    assert _mention_texts(fields, entities["کاوه نادری سرشت"]) == ["کاوه نادری سرشت", "نادری سرشت"]
    assert "کاوه نادری" not in entities


def test_a_cut_name_and_its_tagged_two_word_surname_are_one_person_known_by_either_surname_word():
    fields = {"title": "", "body": "کاوه نادری پیما امشب در کرمان افزود: کار تمام است.\n"
                                   "نادری پیما با بیان اینکه کار سخت است گفت: باید صبر کرد. نادری همچنین گفت: صبر کنید."}
    entities = find_entities(fields)
    assert [(e.text, e.type) for e in entities] == [("کاوه نادری پیما", "PER"), ("کرمان", "LOC")]
    assert _mention_texts(fields, entities[0]) == ["کاوه نادری پیما", "نادری پیما", "نادری"]



def test_an_everyday_word_written_in_two_is_no_person_though_a_part_is_a_first_name():
    fields = {"title": "", "body": "مردم کرمان علی رغم مشکلات ایستادند. کاوه نادری گفت: کار تمام است."}
    entities = _by_name(find_entities(fields))
    assert "علی رغم" not in entities
    assert entities["کاوه نادری"].type == "PER"


def test_a_compound_first_name_written_with_a_space_keeps_its_first_part():
    from streams.core.entities import _repair
    from streams.core.ner.forms import fold

    words = [fold(w) for w in "خبرنگار ما نور الدین نادری گفت".split()]
    assert _repair(words, 3, 5, "PER") == [(2, 5, "PER")]
    pious = [fold(w) for w in "آیت الله کاظمی گفت".split()]  # «آیت‌الله» is a title, though «آیت» is a name
    assert _repair(pious, 1, 3, "PER") == [(1, 3, "PER")]


def test_an_unknown_word_set_before_an_office_at_a_sentence_start_is_a_person():
    fields = {"title": "", "body": "دوبل، رئیس شورای شهر کرمان از یزد خواست کمک کند.\nامروز، رئیس شورا به یزد رفت."}
    entities = _by_name(find_entities(fields))
    assert entities["دوبل"].type == "PER"
    assert "امروز" not in entities  # an everyday word before the comma names nobody


def test_a_village_is_named_without_its_designator():
    from streams.core.entities import _repair
    from streams.core.ner.forms import fold

    words = [fold(w) for w in "اهالی روستای گل‌آباد کرمان آمدند".split()]
    assert _repair(words, 1, 3, "LOC") == [(2, 3, "LOC")]


def test_the_agency_named_only_through_its_reporter_is_that_organization():
    fields = {"title": "", "body": "به گزارش خبرنگار آوانگار در کرمان، کاوه نادری مدیر بیمارستان گفت: سه عضو اهدا شد."}
    entities = _by_name(find_entities(fields, agency="آوانگار"))
    assert entities["آوانگار"].type == "ORG"
    assert "آوانگار" not in _by_name(find_entities(fields))  # not without knowing the agency
