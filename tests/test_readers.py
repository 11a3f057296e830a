import io
import sys

from streams.readers import read_articles


def read(*paths):
    return list(read_articles([str(p) for p in paths]))


def test_scraped_text_first_line_is_title(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("تیتر خبر\nتیتر خبر\nبه گزارش خبرگزاری نمونه، متن خبر.\n\nمنبع خبر: نمونه\n", encoding="utf-8")
    [item] = read(path)
    assert item.article["title"] == "تیتر خبر"
    assert item.article["body"].startswith("تیتر خبر\nبه گزارش")


def test_json_object_list_and_lines(tmp_path):
    (tmp_path / "one.json").write_text('{"title": "الف", "body": "ب"}', encoding="utf-8")
    (tmp_path / "many.json").write_text('[{"title": "1", "body": "x"}, {"title": "2", "body": "y"}]')
    (tmp_path / "lines.jsonl").write_text('{"title": "3", "body": "z"}\n\n{"title": "4", "body": "w"}\n')
    titles = [item.article["title"] for item in read(tmp_path)]
    assert sorted(titles) == ["1", "2", "3", "4", "الف"]


def test_folders_are_searched_recursively(tmp_path):
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "deep.txt").write_text("تیتر\nمتن", encoding="utf-8")
    (nested / "ignored.csv").write_text("x,y")
    assert [item.article["title"] for item in read(tmp_path)] == ["تیتر"]


def test_bad_inputs_are_reported_not_raised(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"title": "ok", "body": "x"}\n{oops\n[1]\n')
    (tmp_path / "latin1.json").write_bytes(b'{"title": "caf\xe9"}')
    items = read(tmp_path / "bad.jsonl", tmp_path / "latin1.json", tmp_path / "missing.json")
    errors = {item.origin.rsplit("/", 1)[-1]: item.error for item in items if item.error}
    assert "malformed JSON" in errors["bad.jsonl:2"]
    assert errors["bad.jsonl:3"] == "not a JSON object"
    assert errors["latin1.json"].startswith("not UTF-8")
    assert errors["missing.json"] == "no such file or folder"
    assert items[0].article == {"title": "ok", "body": "x"}


def test_stdin_json_lines(monkeypatch):
    data = '{"title": "1", "body": "x"}\n{"title": "2", "body": "y"}\n'.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert [item.article["title"] for item in read_articles(["-"])] == ["1", "2"]


def test_stdin_scraped_text(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("تیتر\nمتن خبر".encode())))
    [item] = read_articles(["-"])
    assert item.article == {"title": "تیتر", "body": "متن خبر"}
