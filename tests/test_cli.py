import subprocess
import sys

import orjson
import pytest
from click.testing import CliRunner

from streams.cli import main

COMMANDS = [[], ["worker"], ["publish"], ["consume"], ["enrich"], ["bench"], ["kafka"], ["kafka", "up"],
            ["kafka", "down"], ["kafka", "status"], ["ner"], ["ner", "tag"], ["ner", "train"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "khabar")
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_the_module_runs_as_the_khabar_command():
    result = subprocess.run([sys.executable, "-m", "streams.cli", "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Usage:" in result.stdout and "worker" in result.stdout


def test_enrich_writes_one_enriched_article_per_input_and_reports_rejects(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([
        '{"id": "a", "title": "خبر اول", "body": "رئیس سازمان گفت: «کار تمام شد.»"}',
        '{"id": "b", "title": "بدون متن"}',
        "{not json",
        '{"id": "c", "title": "خبر سوم", "body": "متن سوم"}',
    ]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["enrich", str(source), "-o", str(out)])
    assert result.exit_code == 1
    assert "in.jsonl:2: invalid_schema" in result.output and "in.jsonl:3: undecodable" in result.output
    assert [orjson.loads(line)["id"] for line in out.read_bytes().splitlines()] == ["a", "c"]


def test_progress_bar_counts_the_articles_ahead_on_a_terminal_only(tmp_path, monkeypatch):
    from streams import progress

    source = tmp_path / "in.jsonl"
    source.write_text('{"title": "یک", "body": "متن"}\n{"title": "دو", "body": "متن"}\nbroken\n', encoding="utf-8")
    (tmp_path / "note.txt").write_text("تیتر\nمتن", encoding="utf-8")
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: True)
    with progress.article_progress([str(tmp_path)], "enriching", quiet=False) as bar:
        assert bar.total == 4  # three JSON lines (one of them broken) and one scraped text
    with progress.article_progress([str(tmp_path)], "enriching", quiet=True) as bar:
        assert bar is None
    with progress.article_progress(["-"], "publishing", quiet=False) as bar:
        assert bar.total is None  # stdin is read once: a rate, no ETA
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: False)
    with progress.article_progress([str(tmp_path)], "enriching", quiet=False) as bar:
        assert bar is None
