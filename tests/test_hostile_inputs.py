"""Hostile ingest inputs, generated under tmp_path: each is refused with a one-line reason naming the file, or
ingested sensibly, and every good file in the same run is still ingested."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.core.config import Settings
from app.db import get_engine, session_factory, upgrade_database
from app.models import Article, Quote
from app.services.ingest import ingest_paths
from tests_support import seed_files

SEEDS = seed_files()
MB = 1024 * 1024


def build_corpus(root: Path) -> Path:
    """One folder of loose files (every kind of bad file beside good ones) and two folders with manifests."""
    loose = root / "loose"
    loose.mkdir()
    shutil.copy(SEEDS[0], loose / "good.txt")
    (loose / "empty.txt").write_bytes(b"")
    (loose / "blank.txt").write_text(" \n\t\r\n  \n")
    (loose / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2048))
    (loose / "latin1.txt").write_bytes("Le président a dit « non ».".encode("latin-1"))
    (loose / "utf16.txt").write_bytes(SEEDS[1].read_text(encoding="utf-8").encode("utf-16"))  # with BOM
    (loose / "crlf.txt").write_bytes(SEEDS[2].read_bytes().replace(b"\n", b"\r\n"))
    with open(loose / "huge.txt", "w", encoding="utf-8") as f:   # 50 MB of real text
        line = "Putin said the talks were constructive, officials said.\n"
        f.write(line * (50 * MB // len(line) + 1))
    (loose / "one-line.txt").write_text("x" * MB, encoding="utf-8")
    (loose / "quote-marks.txt").write_text("Headline\n\n" + '"' * 5000 + "\n\nHe said “yes”.", encoding="utf-8")
    raw = SEEDS[3].read_text(encoding="utf-8").split("\n\n")
    raw.insert(2, "“This quote never closes and goes on")
    (loose / "unbalanced.txt").write_text("\n\n".join(raw), encoding="utf-8")
    paragraphs = "".join(f"<p>{p}</p>" for p in SEEDS[4].read_text(encoding="utf-8").split("\n\n"))
    (loose / "page.txt").write_text(f"<!DOCTYPE html><html><head><title>T</title><style>p{{}}</style></head>"
                                    f"<body>{paragraphs}</body></html>", encoding="utf-8")
    (loose / "[bold]odd name.txt").write_bytes(b"")     # rich markup in a name is printed as it is
    (loose / "loop").symlink_to(loose, target_is_directory=True)

    with_manifest = root / "manifested"
    with_manifest.mkdir()
    article = SEEDS[0].read_text(encoding="utf-8") + "\n\nA closing paragraph only this copy has.\n"
    (with_manifest / "a.txt").write_text(article, encoding="utf-8")
    (with_manifest / "a-copy.txt").write_text(article, encoding="utf-8")   # the same article under another name
    shutil.copy(SEEDS[1], root / "outside.txt")
    (with_manifest / "manifest.json").write_text(json.dumps({"articles": [
        {"file": "a.txt", "outlet": "Example", "published": "2022-13-45"},
        {"file": "a-copy.txt", "outlet": "Example", "published": "yesterday"},
        {"file": "missing.txt"},
        {"file": "../outside.txt"},
        {"file": "/etc/passwd"},
        "not an object",
    ]}))

    broken = root / "broken-manifest"
    broken.mkdir()
    shutil.copy(SEEDS[2], broken / "b.txt")
    (broken / "manifest.json").write_text('{"articles": [{"file": "b.txt",}]')   # trailing comma
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, extractor):
    root = build_corpus(tmp_path_factory.mktemp("hostile"))
    url = f"sqlite:///{root / 'whosaid.db'}"
    upgrade_database(url)
    report = ingest_paths([root / "loose", root / "manifested", root / "broken-manifest"],
                          session_factory=session_factory(url), extractor=extractor, settings=Settings())
    return root, url, report


def reason_for(report, name: str) -> str:
    found = [reason for source, reason in report.skipped if Path(source.split("#")[0]).name == name]
    assert len(found) == 1, (name, report.skipped)
    return found[0]


def test_every_bad_file_is_named_with_a_one_line_reason(hostile):
    _, _, report = hostile
    expected = {
        "empty.txt": "empty", "blank.txt": "empty", "binary.txt": "binary", "latin1.txt": "not valid UTF-8",
        "huge.txt": "too large", "one-line.txt": "not article text", "quote-marks.txt": "too many quotation marks",
        "[bold]odd name.txt": "empty", "loop": "symbolic link", "missing.txt": "not found",
        "outside.txt": "outside its folder", "passwd": "outside its folder", "manifest.json": "unreadable manifest",
    }
    for name, words in expected.items():
        assert words in reason_for(report, name)
    assert any("manifest entry has no 'file'" in reason for _, reason in report.skipped)
    assert all("\n" not in source + reason for source, reason in report.skipped)
    assert len(report.skipped) == len(expected) + 1


def test_every_good_file_is_ingested(hostile):
    _, url, report = hostile
    # good, utf16, crlf, unbalanced, page (loose) + a.txt (manifest); a-copy.txt is the same article
    assert (report.articles_ingested, report.articles_unchanged) == (6, 1)
    with Session(get_engine(url)) as session:
        assert session.exec(select(func.count()).select_from(Article)).one() == 6
        for quote, article in session.exec(select(Quote, Article).join(Article)).all():
            assert article.text[quote.start:quote.end] == quote.text


def test_bad_dates_are_warnings_and_the_article_is_stored_without_a_date(hostile):
    _, url, report = hostile
    warned = {Path(source).name: w for source, w in report.warnings}
    assert "'2022-13-45' is not an ISO date" in warned["a.txt"]
    assert "'yesterday' is not an ISO date" in warned["a-copy.txt"]
    with Session(get_engine(url)) as session:
        article = session.exec(select(Article).where(Article.source_file.endswith("a.txt"))).one()
        assert article.published is None


def test_utf16_crlf_html_and_unbalanced_files_read_like_their_clean_versions(hostile, extractor):
    _, url, _ = hostile
    with Session(get_engine(url)) as session:
        stored = {Path(a.source_file).name: a for a in session.exec(select(Article)).all()}
        quotes = {name: session.exec(select(Quote.text).where(Quote.article_id == a.id)).all()
                  for name, a in stored.items()}
    assert stored["utf16.txt"].text == extractor.extract(SEEDS[1].read_text(encoding="utf-8")).text
    lf = extractor.extract(SEEDS[2].read_text(encoding="utf-8"))
    assert sorted(q.replace("\r", "") for q in quotes["crlf.txt"]) == sorted(q.text for q in lf.quotes)
    assert "<p>" not in stored["page.txt"].text and "p{}" not in stored["page.txt"].text
    assert len(quotes["page.txt"]) > 0
    clean = extractor.extract(SEEDS[3].read_text(encoding="utf-8"))
    # the stray mark makes at most its own paragraph a quote, and swallows nothing after it
    assert len(quotes["unbalanced.txt"]) in (len(clean.quotes), len(clean.quotes) + 1)
    assert {q.text for q in clean.quotes} <= set(quotes["unbalanced.txt"])
    extra = set(quotes["unbalanced.txt"]) - {q.text for q in clean.quotes}
    assert all("\n" not in q.strip() and len(q) < 100 for q in extra), extra


def test_quotes_stored_per_article_are_capped(tmp_path, db_url, extractor):
    report = ingest_paths([SEEDS[0]], session_factory=session_factory(db_url), extractor=extractor,
                          settings=Settings(max_quotes_per_article=3))
    assert report.articles_ingested == 1 and report.quotes == 3
    assert "only the first 3 stored" in report.warnings[0][1]
    with Session(get_engine(db_url)) as session:
        assert session.exec(select(func.count()).select_from(Quote)).one() == 3


def test_cli_exits_non_zero_only_when_nothing_was_ingested(hostile, tmp_path, db_url, extractor):
    root, _, _ = hostile
    runner = CliRunner()
    bad_only = runner.invoke(cli, ["ingest", str(root / "loose" / "binary.txt"), str(root / "loose" / "huge.txt"),
                                   str(root / "broken-manifest")])
    assert bad_only.exit_code == 1, bad_only.output
    assert "binary.txt" in bad_only.output and "huge.txt" in bad_only.output and "manifest.json" in bad_only.output
    mixed = runner.invoke(cli, ["ingest", str(root / "loose")])
    assert mixed.exit_code == 0, mixed.output
    assert "articles ingested: 5" in mixed.output
    assert "skipped " + str(root / "loose" / "[bold]odd name.txt") in mixed.output
