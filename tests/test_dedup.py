"""Duplicate articles: the fingerprint, the verdicts, and the extract agent with its table under each policy."""
import asyncio
import dataclasses

import pytest
from prometheus_client import REGISTRY

from streams import app as worker
from streams import contracts, dedup, stages
from streams.config import Settings

from .test_agents import values

ARTICLE = {"id": "dup-1", "title": "بارش برف در گردنه‌های شمالی",
           "body": "به گزارش خبرگزاری نمونه، راهداران گفتند: «تردد فقط با زنجیر ممکن است.»"}


def test_the_fingerprint_ignores_spacing_case_and_invisible_marks_but_not_words():
    base = dedup.fingerprint({"title": "Tehran خبر", "body": "متن  اول\nو دوم"})
    assert dedup.fingerprint({"title": " tehran\u200f خبر", "body": "متن اول \u200b و\tدوم\ufeff"}) == base
    assert dedup.fingerprint({"title": "Tehran خبر", "body": "متن اول و سوم"}) != base
    # the same words split differently between title and body are another article
    assert dedup.fingerprint({"title": "Tehran", "body": "خبر متن اول و دوم"}) != base


def test_judge_tells_a_first_copy_a_redelivery_and_both_kinds_of_duplicate():
    first = dedup.claim("a", 2, 40)
    assert dedup.judge(None, "a", 2, 40) is None
    assert dedup.judge(first, "a", 2, 40) is None  # the claiming event itself, read again after a crash
    assert dedup.judge(first, "a", 2, 41) == dedup.SAME_ID
    assert dedup.judge(first, "b", 2, 41) == dedup.SAME_CONTENT


def test_a_notice_names_both_articles_and_follows_its_schema():
    normalized = {**ARTICLE, "url": "https://example.org/2"}
    notice = dedup.notice(normalized, dedup.SAME_CONTENT, dedup.claim("dup-0", 0, 3), "f" * 32)
    contracts.validate(contracts.DUPLICATE_NOTICE, notice)
    assert (notice["id"], notice["duplicate_of"], notice["url"]) == ("dup-1", "dup-0", "https://example.org/2")


def test_an_unknown_policy_is_refused_with_the_allowed_ones():
    with pytest.raises(SystemExit, match="skip, forward, off"):
        Settings.from_env({"KHABAR_DUPLICATES": "drop"})


@pytest.fixture()
def sent(sent):
    """The output mocks of conftest, and an empty duplicates table before and after the test."""
    worker.seen_content.data.clear()
    yield sent
    worker.seen_content.data.clear()


def use_policy(monkeypatch, policy: str) -> None:
    monkeypatch.setattr(worker, "settings", dataclasses.replace(worker.settings, duplicates=policy))


def test_the_fingerprint_is_read_from_the_key_the_normalize_agent_set_and_computed_for_any_other_key():
    article = {"title": "خبر", "body": "متن اول"}
    digest = dedup.fingerprint(article)
    assert dedup.fingerprint_of(digest.encode(), {"title": "خبر", "body": "متن اول با ویرایش"}) == digest
    assert dedup.fingerprint_of(b"article-7", article) == digest
    assert dedup.fingerprint_of(None, article) == digest


def duplicates_counted(reason: str) -> float:
    return REGISTRY.get_sample_value("khabar_duplicates_total", {"reason": reason})


def extract(*articles, done):
    """Normalized copies of `articles` through the extract agent, one offset each, until done() holds."""
    async def run():
        async with worker.extract_agent.test_context() as context:
            for article in articles:
                normalized = stages.NORMALIZE.process(article)
                await context.put(contracts.encode(normalized), key=dedup.fingerprint(normalized).encode())
            for _ in range(200):
                if done():
                    return
                await asyncio.sleep(0.05)
            raise AssertionError("the agent did not finish in 10 s")
    asyncio.run(run())


# a republished copy: other spacing and an invisible mark, which normalization or the fingerprint drop
REPUBLISHED = {**ARTICLE, "id": "dup-2", "body": ARTICLE["body"].replace(" ", "  ") + "\u200b"}
OTHER = {**ARTICLE, "id": "dup-3", "body": "متن دیگری درباره بارش باران در جنوب."}


def test_repeats_are_enriched_once_counted_and_forwarded(sent, monkeypatch):
    use_policy(monkeypatch, "forward")
    same_id, same_content = duplicates_counted("same_id"), duplicates_counted("same_content")
    extract(ARTICLE, ARTICLE, REPUBLISHED, OTHER,
            done=lambda: sent["enriched_topic"].call_count + sent["duplicates_topic"].call_count >= 4)
    assert [e["id"] for e in values(sent["enriched_topic"])] == ["dup-1", "dup-3"]
    notices = values(sent["duplicates_topic"])
    assert [(n["id"], n["duplicate_of"], n["reason"]) for n in notices] == [
        ("dup-1", "dup-1", "same_id"), ("dup-2", "dup-1", "same_content")]
    assert [call.kwargs["key"] for call in sent["duplicates_topic"].call_args_list] == [b"dup-1", b"dup-2"]
    for notice in notices:
        contracts.validate(contracts.DUPLICATE_NOTICE, notice)
    assert duplicates_counted("same_id") == same_id + 1
    assert duplicates_counted("same_content") == same_content + 1


def test_skip_counts_without_forwarding(sent, monkeypatch):
    use_policy(monkeypatch, "skip")
    before = duplicates_counted("same_content")
    extract(ARTICLE, REPUBLISHED, OTHER, done=lambda: sent["enriched_topic"].call_count >= 2)
    assert [e["id"] for e in values(sent["enriched_topic"])] == ["dup-1", "dup-3"]
    assert duplicates_counted("same_content") == before + 1
    assert not sent["duplicates_topic"].called


def test_off_enriches_every_copy(sent, monkeypatch):
    use_policy(monkeypatch, "off")
    extract(ARTICLE, ARTICLE, REPUBLISHED, done=lambda: sent["enriched_topic"].call_count >= 3)
    assert [e["id"] for e in values(sent["enriched_topic"])] == ["dup-1", "dup-1", "dup-2"]
    assert not sent["duplicates_topic"].called


def test_a_corrected_article_under_its_own_id_is_enriched_again(sent, monkeypatch):
    use_policy(monkeypatch, "forward")
    corrected = {**ARTICLE, "body": ARTICLE["body"] + " راه‌ها از صبح بازگشایی شد."}
    extract(ARTICLE, corrected, done=lambda: sent["enriched_topic"].call_count >= 2)
    first, second = values(sent["enriched_topic"])
    assert first["id"] == second["id"] == "dup-1" and second["body"] != first["body"]
    assert not sent["duplicates_topic"].called


def test_the_table_holds_one_claim_per_text(sent, monkeypatch):
    use_policy(monkeypatch, "forward")
    extract(ARTICLE, REPUBLISHED, done=lambda: sent["duplicates_topic"].call_count >= 1)
    [(digest, first)] = list(worker.seen_content.data.items())
    assert digest == dedup.fingerprint(stages.NORMALIZE.process(ARTICLE)) and first["id"] == "dup-1"


def test_a_dead_letter_of_the_content_keyed_topic_is_keyed_by_the_article_id(sent, monkeypatch):
    use_policy(monkeypatch, "forward")

    async def run():
        async with worker.extract_agent.test_context() as context:
            await context.put(contracts.encode({"id": "dup-9", "title": "تیتر"}), key=b"0123abcd")
            for _ in range(200):
                if sent["dead_letter_topic"].called:
                    return
                await asyncio.sleep(0.05)
    asyncio.run(run())
    assert sent["dead_letter_topic"].call_args.kwargs["key"] == b"dup-9"
    [letter] = values(sent["dead_letter_topic"])
    assert letter["reason"] == "invalid_schema" and letter["origin"]["key"] == "0123abcd"
