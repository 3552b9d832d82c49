"""Ingest: idempotent, stores manifest metadata (and only that), survives bad files, merges entities."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from app.core.config import Settings
from app.db import get_engine, session_factory
from app.models import Alias, Article, Entity, Outlet, Quote, Utterance
from app.services.ingest import ingest_paths
from app.services.plain_sql import PlainSql, as_date
from tests_support import SEEDS, seed_files

GOOD = seed_files()[0]


def ingest(paths, url, extractor, **kwargs):
    return ingest_paths(paths, session_factory=session_factory(url), extractor=extractor, **kwargs)


def count(url, model) -> int:
    with Session(get_engine(url)) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def reasons(report) -> dict[str, str]:
    return {Path(source).name: reason for source, reason in report.skipped}


def test_second_ingest_adds_nothing(db_url, extractor):
    first = ingest([SEEDS], db_url, extractor)
    assert first.articles_ingested == 5 and first.skipped == []
    assert first.quotes == count(db_url, Quote) > 0
    assert first.entities - first.entities_merged == count(db_url, Entity) > 0
    before = {m: count(db_url, m) for m in (Article, Quote, Entity, Alias, Outlet)}

    second = ingest([SEEDS], db_url, extractor)
    assert (second.articles_ingested, second.articles_unchanged, second.quotes, second.entities) == (0, 5, 0, 0)
    assert {m: count(db_url, m) for m in before} == before


@pytest.mark.both_backends
def test_manifest_metadata_is_stored_and_missing_metadata_is_null(db_url, extractor):
    ingest([SEEDS], db_url, extractor)
    manifest = {a["file"]: a for a in json.loads((SEEDS / "manifest.json").read_text())["articles"]}
    with Session(get_engine(db_url)) as session:
        rows = session.exec(select(Article, Outlet).outerjoin(Outlet, Outlet.id == Article.outlet_id)).all()
        assert len(rows) == 5
        for article, outlet in rows:
            entry = manifest[Path(article.source_file).name]
            assert article.title == entry["title"]
            assert article.published == date.fromisoformat(entry["published"])
            assert article.url is None and article.language == "en"
            assert (outlet.name if outlet else None) == entry["outlet"]
            assert (outlet.domain if outlet else None) == entry["outlet_domain"]
            assert len(article.content_hash) == 64
        # quotes carry their article's outlet and date, and their offsets point into the stored text
        for quote, article in session.exec(select(Quote, Article).join(Article)).all():
            assert article.text[quote.start:quote.end] == quote.text
            assert (quote.outlet_id, quote.published) == (article.outlet_id, article.published)
            if quote.speaker_start is not None:
                assert article.text[quote.speaker_start:quote.speaker_end] == quote.speaker_text


def test_entities_merge_across_articles(db_url, extractor):
    ingest([SEEDS], db_url, extractor)
    with Session(get_engine(db_url)) as session:
        putin = session.exec(select(Entity).join(Alias).where(Alias.norm == "putin", Entity.kind == "person")).all()
        assert len(putin) == 1
        outlets = session.exec(select(func.count(func.distinct(Quote.article_id)))
                               .where(Quote.speaker_id == putin[0].id)).one()
        assert outlets >= 4
        # one alias row per (entity, normalised form)
        pairs = session.exec(select(Alias.entity_id, Alias.norm)).all()
        assert len(pairs) == len(set(pairs))


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_ingested(tmp_path, db_url, extractor):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.txt")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("  \n\t\n")
    (folder / "latin1.txt").write_bytes("Le président a dit « non ».".encode("latin-1"))
    (folder / "notes.md").write_text("ignored: not an article format")

    report = ingest([folder, tmp_path / "missing-folder"], db_url, extractor)
    assert report.articles_ingested == 1
    skipped = reasons(report)
    assert set(skipped) == {"binary.txt", "empty.txt", "blank.txt", "latin1.txt", "missing-folder"}
    assert "binary" in skipped["binary.txt"]
    assert "empty" in skipped["empty.txt"] and "empty" in skipped["blank.txt"]
    assert "UTF-8" in skipped["latin1.txt"]
    assert "no such file" in skipped["missing-folder"]
    assert count(db_url, Article) == 1


def test_loose_text_files_get_title_from_text_and_no_invented_metadata(tmp_path, db_url, extractor):
    folder = tmp_path / "loose"
    folder.mkdir()
    shutil.copy(GOOD, folder / "article.txt")
    report = ingest([folder], db_url, extractor)
    assert report.articles_ingested == 1
    with Session(get_engine(db_url)) as session:
        article = session.exec(select(Article)).one()
        assert article.title and article.title in GOOD.read_text(encoding="utf-8")
        assert (article.outlet_id, article.published, article.url, article.language) == (None, None, None, None)
        assert session.exec(select(func.count()).select_from(Outlet)).one() == 0


def test_manifest_entries_that_escape_the_folder_or_are_missing_are_refused(tmp_path, db_url, extractor):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.txt")
    shutil.copy(seed_files()[1], tmp_path / "secret.txt")
    manifest = {"articles": [
        {"file": "good.txt", "outlet": "Example News", "outlet_domain": "example.com", "published": "2024-02-29"},
        {"file": "../secret.txt", "outlet": "Nope"},
        {"file": "/etc/passwd"},
        {"file": "gone.txt"},
        {"title": "no file"},
    ]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    report = ingest([folder], db_url, extractor)
    assert report.articles_ingested == 1
    skipped = [reason for _, reason in report.skipped]
    assert sum("outside" in r for r in skipped) == 2
    assert any("not found" in r for r in skipped) and any("no 'file'" in r for r in skipped)
    with Session(get_engine(db_url)) as session:
        article, outlet = session.exec(select(Article, Outlet).join(Outlet)).one()
        assert (outlet.name, outlet.domain, article.published) == ("Example News", "example.com", date(2024, 2, 29))


def test_html_json_and_jsonl_inputs(tmp_path, db_url, extractor):
    folder = tmp_path / "mixed"
    folder.mkdir()
    raw = GOOD.read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{p}</p>" for p in raw.split("\n\n")[3:])
    (folder / "page.html").write_text(f"<html><head><title>A page</title><script>var x = '“no”';</script></head>"
                                      f"<body>{paragraphs}</body></html>", encoding="utf-8")
    (folder / "one.json").write_text(json.dumps({"text": seed_files()[1].read_text(encoding="utf-8"),
                                                 "outlet": "JSON Daily", "published": "2022-09-16T08:00:00Z"}))
    lines = [json.dumps({"text": seed_files()[2].read_text(encoding="utf-8"), "title": "Line one"}),
             "{not json", json.dumps({"title": "no text"})]
    (folder / "many.jsonl").write_text("\n".join(lines) + "\n")

    report = ingest([folder], db_url, extractor)
    assert report.articles_ingested == 3
    assert [Path(s).name for s, _ in report.skipped] == ["many.jsonl#2", "many.jsonl#3"]
    with Session(get_engine(db_url)) as session:
        by_title = {a.title: a for a in session.exec(select(Article)).all()}
        assert "A page" in by_title and "Line one" in by_title
        assert "var x" not in by_title["A page"].text
        json_article = next(a for a in by_title.values() if a.source_file.endswith("one.json"))
        assert json_article.published == date(2022, 9, 16)


@pytest.mark.both_backends
def test_nul_characters_in_json_text_refuse_the_article_and_are_dropped_from_metadata(tmp_path, db_url, extractor):
    """A file holding a NUL byte is refused as binary; in JSON it can hide as \\u0000 (PostgreSQL cannot store it)."""
    folder = tmp_path / "nul"
    folder.mkdir()
    raw = GOOD.read_text(encoding="utf-8")
    (folder / "text.json").write_text(json.dumps({"text": raw[:400] + "\u0000" + raw[400:]}))
    (folder / "meta.json").write_text(json.dumps({"text": raw, "title": "Nul\u0000 title", "outlet": "\u0000"}))
    report = ingest([folder], db_url, extractor)
    assert reasons(report) == {"text.json": "binary text (contains NUL characters)"}
    with Session(get_engine(db_url)) as session:
        article = session.exec(select(Article)).one()
    assert article.title == "Nul title" and article.outlet_id is None


def test_files_over_the_size_limit_are_skipped(tmp_path, db_url, extractor):
    report = ingest([GOOD], db_url, extractor, settings=Settings(max_file_bytes=100))
    assert report.articles_ingested == 0
    assert "too large" in report.skipped[0][1]


@pytest.mark.parametrize("payload", [b"", b"\x00\x00", b"\xff\xfe\xfa"])
def test_a_batch_of_only_bad_files_ingests_nothing(tmp_path, db_url, extractor, payload):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(payload)
    report = ingest([bad], db_url, extractor)
    assert report.articles_ingested == 0 and len(report.skipped) == 1


def stored_quotes(url) -> list[tuple]:
    with Session(get_engine(url)) as session:
        rows = session.exec(select(Article.source_file, Quote.start, Quote.end, Quote.kind, Quote.speaker_text)
                            .join(Article, Article.id == Quote.article_id)).all()
    return sorted((Path(f).name, *rest) for f, *rest in rows)


def test_two_worker_processes_store_exactly_what_one_process_does(tmp_path, db_url, extractor):
    ingest([SEEDS], db_url, extractor)
    parallel_url = f"sqlite:///{tmp_path / 'parallel.db'}"
    from app.db import upgrade_database

    upgrade_database(parallel_url)
    report = ingest([SEEDS], parallel_url, None, workers=2)
    assert report.articles_ingested == 5 and report.skipped == []
    assert stored_quotes(parallel_url) == stored_quotes(db_url) != []


def test_an_article_the_pipeline_fails_on_is_skipped_and_its_batch_mates_are_still_stored(
        tmp_path, db_url, extractor, monkeypatch):
    import app.pipeline.extract as extract_module

    real = extract_module.extract_doc

    def fails_on_marker(doc, cleaned):
        if "KABOOM" in doc.text:
            raise RuntimeError("the parser fell over")
        return real(doc, cleaned)

    monkeypatch.setattr(extract_module, "extract_doc", fails_on_marker)
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):   # one nlp.pipe batch; the middle one fails
        text = GOOD.read_text(encoding="utf-8") + f"\n\nEdition {name}."
        (folder / name).write_text(text + ("\n\nKABOOM" if name == "b.txt" else ""), encoding="utf-8")
    report = ingest([folder], db_url, extractor)
    assert report.articles_ingested == 2
    assert reasons(report) == {"b.txt": "extraction failed: RuntimeError: the parser fell over"}


@pytest.mark.postgres_only
def test_a_second_writer_waits_for_the_first_on_postgres(db_url, extractor):
    """PostgreSQL lets several transactions write at once; ingest takes one lock per transaction so that, as on
    SQLite, writers take turns (two would otherwise both create a missing outlet or entity)."""
    import threading

    from app.db import serialize_writes
    from app.services.ingest import ingest_document
    from app.services.sources import Document

    raw = GOOD.read_text(encoding="utf-8")
    extraction = extractor.extract(raw)   # extracted beforehand: the thread below only writes

    class Extracted:
        def extract_each(self, raws):
            return (extraction for _ in raws)

    reports = []
    writer = threading.Thread(target=lambda: reports.append(ingest_document(
        Document(source="waiting", raw=raw, outlet="Turn Times"), session_factory=session_factory(db_url),
        extractor=Extracted())))
    with Session(get_engine(db_url)) as first:
        serialize_writes(first)
        writer.start()
        writer.join(timeout=1)
        assert writer.is_alive() and count(db_url, Article) == 0   # waiting for the first writer
        first.commit()
    writer.join(timeout=30)
    assert not writer.is_alive() and reports[0].articles_ingested == 1 and count(db_url, Article) == 1


@pytest.mark.both_backends
def test_plain_sql_on_the_drivers_cursor_raises_sqlalchemys_errors_and_stores_dates_as_the_orm_reads_them(db_url):
    # ingest's per-article rollback catches SQLAlchemy's IntegrityError / SQLAlchemyError, not the driver's own
    with Session(get_engine(db_url)) as session:
        sql = PlainSql(session.connection())
        speaker = sql.scalar('INSERT INTO entity (kind, "key", name) VALUES (?, ?, ?) RETURNING id',
                             ("person", "person:anna kovacs", "Anna Kovacs"))
        utterance = sql.scalar("INSERT INTO utterance (speaker_id, canonical_text, n_quotes, n_outlets, "
                               "first_published) VALUES (?, ?, 1, 1, ?) RETURNING id",
                               (speaker, "We will see.", sql.bind_date(date(2022, 9, 15))))
        assert session.get(Utterance, utterance).first_published == date(2022, 9, 15)
        assert as_date(sql.scalar("SELECT first_published FROM utterance WHERE id = ?", (utterance,))) \
            == date(2022, 9, 15)
        alias = ("INSERT INTO alias (entity_id, text, norm) VALUES (?, ?, ?)", (speaker, "Kovacs", "kovacs"))
        sql.execute(*alias)
        with pytest.raises(IntegrityError):
            sql.execute(*alias)
        session.rollback()
