"""Crash safety and concurrent reads, with real `whosaid ingest` processes on a small generated corpus.

- SIGKILL ingestion at random moments while it writes, several times, then run it to the end: the database
  holds exactly what a clean run stores (no partial article, no duplicate), and SQLite's own checks pass.
- While ingestion writes, the API keeps answering reads (SQLite WAL), and what it reports only grows.

WHOSAID_CRASH_KILLS (default 3) sets how many times ingestion is killed.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db import session_factory, upgrade_database
from app.main import create_app
from app.services.ingest import ingest_paths
from tests_support import ROOT, seed_files

KILLS = int(os.environ.get("WHOSAID_CRASH_KILLS", "3"))
# each seed 4 times (a different last paragraph): 20 articles, more than one extraction batch (16), so that
# a kill or a read lands while the first batch is stored or the second extracted; a single batch is stored in
# a few milliseconds, too quickly to be caught in the middle
EDITIONS = 4


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash-corpus")
    for edition in range(EDITIONS):
        for path in seed_files():
            text = path.read_text(encoding="utf-8") + f"\n\nThis is edition {edition} of the report.\n"
            (folder / f"{path.stem}-{edition}.txt").write_text(text, encoding="utf-8")
    return folder


def spawn_ingest(db: Path, corpus: Path) -> subprocess.Popen:
    env = {**os.environ, "WHOSAID_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.Popen([sys.executable, "-m", "app.cli", "ingest", str(corpus)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def article_count(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return conn.execute("SELECT count(*) FROM article").fetchone()[0]


def snapshot(db: Path) -> dict[str, set]:
    """Everything ingestion stores, by natural keys (ids may differ between runs)."""
    with sqlite3.connect(db) as conn:
        q = lambda sql: set(conn.execute(sql).fetchall())  # noqa: E731
        return {
            "articles": q("SELECT a.content_hash, a.title, a.source_file, a.published, o.name, "
                          "(SELECT count(*) FROM quote WHERE article_id = a.id), "
                          "(SELECT count(*) FROM mention WHERE article_id = a.id) "
                          "FROM article a LEFT JOIN outlet o ON o.id = a.outlet_id"),
            "quotes": q("SELECT a.content_hash, q.start, q.\"end\", q.text, q.kind, q.cue, q.speaker_text, e.name "
                        "FROM quote q JOIN article a ON a.id = q.article_id LEFT JOIN entity e ON e.id = q.speaker_id"),
            "entities": q("SELECT kind, name, key, role, affiliation FROM entity"),
            "aliases": q("SELECT e.key, al.norm FROM alias al JOIN entity e ON e.id = al.entity_id"),
            "fts": q("SELECT rowid FROM quote_fts WHERE quote_fts MATCH 'said OR the'"),
            "counts": {tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                             for t in ("article", "quote", "entity", "alias", "mention", "outlet"))},
        }


def sqlite_checks(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO quote_fts(quote_fts) VALUES ('integrity-check')")  # raises if the index is off


def test_killed_ingestion_resumes_to_exactly_a_clean_run(tmp_path, corpus, extractor):
    clean_db = tmp_path / "clean.db"
    upgrade_database(f"sqlite:///{clean_db}")
    clean_report = ingest_paths([corpus], session_factory=session_factory(f"sqlite:///{clean_db}"),
                                extractor=extractor)
    total = clean_report.articles_ingested
    assert total == EDITIONS * len(seed_files())

    db = tmp_path / "crashed.db"
    upgrade_database(f"sqlite:///{db}")
    rng = random.Random(8)
    killed_mid_run = []
    for _ in range(KILLS):
        before = article_count(db)
        if before == total:
            break
        process = spawn_ingest(db, corpus)
        while process.poll() is None and article_count(db) == before:   # the model is loading
            time.sleep(0.02)
        # then somewhere while it writes (articles arrive a batch at a time) or resolves entities after
        time.sleep(rng.uniform(0.0, 0.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed_mid_run.append(article_count(db))
        sqlite_checks(db)
    assert killed_mid_run and min(killed_mid_run) < total, "no kill landed while ingestion was writing"

    rerun = spawn_ingest(db, corpus)
    assert rerun.wait(timeout=300) == 0
    sqlite_checks(db)
    assert snapshot(db) == snapshot(clean_db)


def test_api_keeps_reading_while_ingestion_writes(tmp_path, corpus):
    db = tmp_path / "live.db"
    upgrade_database(f"sqlite:///{db}")
    process = spawn_ingest(db, corpus)
    seen: list[int] = []
    seen_while_writing: set[int] = set()
    try:
        with TestClient(create_app(database_url=f"sqlite:///{db}"), raise_server_exceptions=False) as client:
            while process.poll() is None:
                health = client.get("/health")
                quotes = client.get("/quotes", params={"q": "said", "limit": 5})
                articles = client.get("/articles", params={"limit": 50})
                assert (health.status_code, quotes.status_code, articles.status_code) == (200, 200, 200)
                seen.append(health.json()["articles"])
                if process.poll() is None:
                    seen_while_writing.add(seen[-1])
                assert len(articles.json()["items"]) <= articles.json()["total"]
    finally:
        if process.poll() is None:
            process.kill()
    assert process.wait() == 0
    total = EDITIONS * len(seed_files())
    assert seen == sorted(seen)                      # never goes backwards: no partial state is visible
    assert any(0 < n < total for n in seen_while_writing), seen_while_writing
    with TestClient(create_app(database_url=f"sqlite:///{db}")) as client:
        assert client.get("/health").json()["articles"] == total
