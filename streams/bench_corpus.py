"""A generated corpus of Persian news articles, for `khabar bench` when ../shared is absent.

The articles are built from invented templates and vocabulary: an agency's attribution line,
reported speech and direct quotes with speakers, people, organizations and places, numbers
and dates, words whose ZWNJ a scraper lost («میشود»), now and then a Latin name, a URL or an
HTML remnant. Their lengths follow a news wire's (most a few paragraphs, a few long ones),
so each stage of the enrichment gets the kind of work it gets on scraped news. Every article
is different, since the worker skips repeated texts. The same seed gives the same corpus.
"""
from __future__ import annotations

import random

AGENCIES = ["خبرگزاری پیام نو", "خبرگزاری افق", "پایگاه خبری نگاه روز", "روزنامه صبح امید", "خبرگزاری کرانه"]
DESKS = ["گروه سیاسی", "گروه اقتصادی", "گروه اجتماعی", "گروه فرهنگی", "گروه بین‌الملل", "گروه استان‌ها"]
FIRST_NAMES = ["بهرام", "کیوان", "نسرین", "فرامرز", "شهلا", "منوچهر", "پروانه", "سیاوش", "ژاله", "تورج",
               "مهرداد", "گلاره", "هوشنگ", "آذر", "کامبیز", "ترانه"]
SURNAMES = ["کوهسارنیا", "دشتبان", "مهرآیین", "نیک‌سرشت", "زرین‌دشت", "آبنوسی", "کاوه‌پور", "روشن‌ضمیر",
            "سپیدرود", "افراسیابی", "بهارلویی", "تیزهوش", "پاکدامن", "لاله‌زاری"]
TITLES = ["وزیر نیرو", "معاون وزیر راه و شهرسازی", "رئیس سازمان برنامه و بودجه", "استاندار", "سخنگوی دولت",
          "نماینده مجلس", "مدیرعامل شرکت آب و فاضلاب", "رئیس کمیسیون اقتصادی مجلس", "شهردار"]
ORGANIZATIONS = ["وزارت نیرو", "سازمان حفاظت محیط زیست", "شورای شهر", "بانک مرکزی", "مجلس شورای اسلامی",
                 "سازمان هواشناسی", "اتاق بازرگانی", "دانشگاه صنعتی", "سازمان ملل متحد", "فدراسیون فوتبال",
                 "شرکت ملی نفت", "سازمان بهزیستی", "هلال احمر"]
PLACES = ["تهران", "اصفهان", "شیراز", "تبریز", "مشهد", "رشت", "کرمان", "یزد", "اهواز", "همدان", "زنجان",
          "بندرعباس", "سنندج", "ارومیه", "خرم‌آباد", "بوشهر", "قزوین", "ساری"]
COUNTRIES = ["ترکیه", "عراق", "ژاپن", "برزیل", "آلمان", "هند", "روسیه", "چین", "قطر", "ارمنستان"]
TOPICS = ["طرح انتقال آب", "بودجه سال آینده", "ساخت بیمارستان جدید", "قیمت مسکن", "آلودگی هوا",
          "صادرات محصولات کشاورزی", "بازسازی مدارس", "توسعه حمل و نقل عمومی", "مدیریت پسماند", "انرژی خورشیدی"]
# verbs and nouns as scrapers leave them: the ZWNJ lost, the word glued or split by a space
GLUED = ["میشود", "نمیتوان", "میکنند", "بیتوجهی", "پروژهها", "برنامههای", "کارخانهها", "میگیرد",
         "بیسابقه", "شهرستانها", "سالهای", "درخواستها", "میدهد", "نمیکند", "تصمیمگیری"]
SPEECH_VERBS = ["گفت", "اعلام کرد", "تأکید کرد", "افزود", "اظهار داشت", "خاطرنشان کرد"]
STATEMENTS = [
    "{topic} تا پایان سال {year} به بهره‌برداری می‌رسد و اعتبار آن {number} میلیارد تومان است",
    "در {place} {glued} و باید {topic} با سرعت بیشتری دنبال شود",
    "هیچ کوتاهی در اجرای {topic} پذیرفته نیست و {org} بر کار نظارت {glued}",
    "همکاری با {country} در زمینه {topic} ادامه دارد و نشست بعدی در {place} برگزار {glued}",
    "{glued} {topic} به تعویق بیفتد، زیرا مردم {place} منتظر نتیجه هستند",
    "سهم {place} از {topic} {number} درصد افزایش یافته است",
]
NARRATIVE = [
    "این نشست با حضور نمایندگان {org} و مسئولان استان {place} در محل {org2} برگزار شد.",
    "بر اساس آمار رسمی، در {number} ماه گذشته بیش از {big} نفر از خدمات {org} استفاده کرده‌اند.",
    "کارشناسان می‌گویند {topic} در {place} با مشکلاتی روبه‌رو است و {glued} بدون برنامه پیش برود.",
    "{org} روز {weekday} گزارشی درباره {topic} منتشر کرد که در نشانی {url} در دسترس است.",
    "سفر هیئتی از {country} به {place} برای گفتگو درباره {topic} از هفته آینده آغاز {glued}.",
    "در این مراسم از {number} طرح {glued} در حوزه {topic} رونمایی شد.",
    "شرکت {latin} نیز قرار است در {topic} با {org} همکاری کند.",
    "به گفته کارشناسان <b>{org}</b>، {topic} تا {number} سال آینده به پایان می‌رسد.",
]
WEEKDAYS = ["شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه"]
LATIN = ["Siemens", "Hyundai Rotem", "Alstom", "Huawei", "Airbus"]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        topic=rng.choice(TOPICS), place=rng.choice(PLACES), org=rng.choice(ORGANIZATIONS),
        org2=rng.choice(ORGANIZATIONS), country=rng.choice(COUNTRIES), glued=rng.choice(GLUED),
        year=rng.randint(1400, 1410), number=rng.randint(2, 95), big=f"{rng.randint(1, 900)}٬{rng.randint(100, 999)}",
        weekday=rng.choice(WEEKDAYS), latin=rng.choice(LATIN),
        url=f"www.{rng.choice(['payamno', 'ofogh', 'negah'])}.ir/news/{rng.randint(10_000, 99_999)}")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _quote_paragraph(rng: random.Random) -> str:
    speaker = f"{rng.choice(TITLES)}، {_person(rng)}"
    statement, verb = _fill(rng.choice(STATEMENTS), rng), rng.choice(SPEECH_VERBS)
    if rng.random() < 0.5:
        return f"{speaker} در جمع خبرنگاران {verb}: «{statement}.» وی همچنین {rng.choice(SPEECH_VERBS)}: «{_fill(rng.choice(STATEMENTS), rng)}.»"
    return f"{speaker} با اشاره به {rng.choice(TOPICS)} {verb} که {statement}. به گفته وی، {_fill(rng.choice(STATEMENTS), rng)}."


def _paragraph(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return _quote_paragraph(rng)
    return " ".join(_fill(rng.choice(NARRATIVE), rng) for _ in range(rng.randint(1, 4)))


def generated_article(index: int, rng: random.Random) -> dict:
    agency, place = rng.choice(AGENCIES), rng.choice(PLACES)
    title = f"{_fill(rng.choice(['تازه‌ترین وضعیت {topic} در {place}', 'نشست {org} درباره {topic}', 'واکنش {org} به {topic}']), rng)}"
    lead = f"به گزارش {rng.choice(DESKS)} {agency} از {place}، {_fill(rng.choice(NARRATIVE), rng)}"
    # a wire's lengths: mostly 2-6 paragraphs, one article in ten a long report
    paragraphs = rng.randint(12, 30) if rng.random() < 0.1 else rng.randint(2, 6)
    body = "\n".join([lead, *(_paragraph(rng) for _ in range(paragraphs)), f"شناسه خبر: {index}", "انتهای پیام/"])
    return {"id": f"generated-{index}", "title": title, "body": body}


def generated_articles(count: int, seed: int = 1404) -> list[dict]:
    rng = random.Random(seed)
    return [generated_article(index, rng) for index in range(count)]
