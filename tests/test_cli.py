"""The `whosaid` command line, run in-process with typer's CliRunner (so spaCy loads once per test session)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from app.cli import app
from app.core.config import get_settings
from app.db import make_engine
from tests_support import SEEDS, seed_files

runner = CliRunner()


def test_db_upgrade_creates_the_schema(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'nested' / 'cli.db'}"
    monkeypatch.setenv("WHOSAID_DATABASE_URL", url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert {"quote", "article", "quote_fts"} <= set(inspect(make_engine(url)).get_table_names())


@pytest.mark.both_backends
def test_ingest_prints_a_summary_and_is_idempotent(db_url, extractor):
    first = runner.invoke(app, ["ingest", str(SEEDS)])
    assert first.exit_code == 0, first.output
    assert "articles ingested: 5" in first.output
    assert "files skipped: 0" in first.output
    second = runner.invoke(app, ["ingest", str(SEEDS)])
    assert second.exit_code == 0, second.output
    assert "articles ingested: 0" in second.output and "unchanged (already ingested): 5" in second.output


def test_ingest_reports_skipped_files_and_fails_only_when_nothing_was_ingested(tmp_path, db_url, extractor):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00binary")
    only_bad = runner.invoke(app, ["ingest", str(bad)])
    assert only_bad.exit_code == 1
    assert "bad.txt" in only_bad.output and "binary" in only_bad.output

    mixed = runner.invoke(app, ["ingest", str(bad), str(seed_files()[0])])
    assert mixed.exit_code == 0, mixed.output
    assert "articles ingested: 1" in mixed.output and "files skipped: 1" in mixed.output


def test_a_skipped_file_is_reported_on_one_line_however_long_its_path(tmp_path, db_url):
    deep = tmp_path / ("folder-with-a-long-name-" * 6) / "empty.txt"
    deep.parent.mkdir()
    deep.write_text("")
    result = runner.invoke(app, ["ingest", str(deep)])
    assert result.exit_code == 1
    assert any(str(deep) in line and "empty" in line.removeprefix(str(deep)) for line in result.output.splitlines()), \
        result.output   # not wrapped at 80 columns: scripts read the report line by line


def test_extract_jsonl_prints_one_record_per_file_with_raw_offsets(extractor):
    files = seed_files()
    result = runner.invoke(app, ["extract", *map(str, files), "--jsonl"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == len(files) == 5
    for path, line in zip(files, lines):
        record = json.loads(line)
        raw = path.read_text(encoding="utf-8")
        assert record["doc"] == path.stem
        assert record["quotes"]
        for quote in record["quotes"]:
            assert raw[quote["start"]:quote["end"]] == quote["text"]


def test_extract_reads_pages_and_json_records_as_ingest_does(tmp_path, extractor):
    said = "Mayor Carlos Ruiz spoke at City Hall on Thursday.\n\n“We cannot wait any longer,” Ruiz told the crowd."
    (tmp_path / "page.html").write_text(
        "<html><head><title>Housing</title><script>var s = \"a “scripted” quote\";</script></head><body><nav>Home</nav>"
        f"<h1>Mayor unveils housing plan</h1><p>{said.replace(chr(10) * 2, '</p><p>')}</p></body></html>")
    (tmp_path / "feed.jsonl").write_text(json.dumps({"text": "Housing plan unveiled\n\n" + said}) + "\n"
                                         + json.dumps({"title": "no text"}) + "\n")
    result = runner.invoke(app, ["extract", str(tmp_path), "--jsonl"])
    assert result.exit_code == 1   # the record without text is reported, the rest still extracted
    assert "feed.jsonl#2: JSON record has no 'text' string" in result.stderr
    records = {r["doc"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert set(records) == {"feed#1", "page"}
    for record in records.values():
        assert [(q["text"], q["speaker"]) for q in record["quotes"] if q["kind"] == "speech"] == [
            ("We cannot wait any longer,", "Carlos Ruiz")]
    quote = next(q for q in records["page"]["quotes"] if q["kind"] == "speech")   # offsets into the visible text
    assert quote["start"] > 0 and "scripted" not in json.dumps(records["page"])


def test_extract_table_output(extractor):
    result = runner.invoke(app, ["extract", str(seed_files()[0])])
    assert result.exit_code == 0, result.output
    assert "quotes," in result.output and "entities" in result.output


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "serve", "extract", "db", "run"):
        assert command in result.output


@pytest.mark.postgres_only
def test_db_upgrade_does_not_print_the_password(db_url, monkeypatch):
    from sqlalchemy.engine import make_url

    with_password = make_url(db_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    monkeypatch.setenv("WHOSAID_DATABASE_URL", with_password)   # the test server trusts local connections
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output and "***" in result.output
