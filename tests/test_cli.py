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
