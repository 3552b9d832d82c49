"""app/page_cache.py: whole read answers are kept until the database changes, and a kept answer is always the one
the request would get without the store (app/api/direct.py sends them)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.db import session_factory
from app.main import create_app
from app.page_cache import KeptPage, PageCache, page_key
from app.services.ingest import ingest_paths
from tests_support import SEEDS

PLAIN = {"Accept-Encoding": "identity"}   # answered in one pass: the only answers that are kept


def page(body: bytes) -> KeptPage:
    return KeptPage(200, [(b"etag", b'W/"x"')], body, 'W/"x"', [(b"etag", b'W/"x"')])


def database(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    return path


def test_a_kept_page_lasts_until_another_connection_commits(tmp_path):
    path = database(tmp_path / "db.sqlite")
    cache = PageCache(path, 1 << 20)
    version = cache.version()
    cache.put("a", version, page(b"one"))
    assert cache.get("a", cache.version()).body == b"one"
    with sqlite3.connect(path) as writer:
        writer.execute("INSERT INTO t VALUES (1)")
    assert cache.get("a", cache.version()) is None
    cache.put("b", version, page(b"computed before the commit"))   # read at the old version: not kept
    assert cache.get("b", cache.version()) is None and len(cache) == 0
    cache.close()


def test_the_store_is_bounded_by_bytes(tmp_path):
    cache = PageCache(database(tmp_path / "db.sqlite"), 3_000)
    version = cache.version()
    for i in range(10):   # 310 bytes each, headers counted
        cache.put(i, version, page(bytes(300)))
    assert len(cache) == 9 and cache.get(9, version) is not None and cache.get(0, version) is None
    cache.put("big", version, page(bytes(400)))   # over an eighth of the store: never kept
    assert cache.get("big", version) is None
    cache.close()


def test_a_file_name_with_uri_characters_is_read(tmp_path):
    cache = PageCache(database(tmp_path / "a db?#%.sqlite"), 1 << 20)
    assert cache.version() is not None
    cache.close()


def test_nothing_is_kept_without_a_database_file(tmp_path):
    cache = PageCache(tmp_path / "missing.sqlite", 1 << 20)
    assert cache.version() is None
    cache.put("a", None, page(b"one"))
    assert cache.get("a", None) is None


def test_the_key_has_what_an_answer_depends_on():
    def scope(path="/quotes", query=b"", **headers):
        return {"path": path, "query_string": query, "scheme": "http", "root_path": "",
                "headers": [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]}

    base = page_key(scope(host="a.example"))
    assert page_key(scope(host="a.example", user_agent="bot/1", if_none_match='"x"', x_forwarded_for="10.0.0.7")) \
        == base
    for other in (scope("/entities", host="a.example"), scope(query=b"limit=2", host="a.example"),
                  scope(host="b.example"), scope(host="a.example", accept="application/ld+json")):
        assert page_key(other) != base


@pytest.fixture
def seeded_file(db_url):
    ingest_paths([SEEDS / "000_b18bc3e30c297083.txt"], session_factory=session_factory(db_url))
    return db_url


def test_an_ingest_is_seen_at_once(seeded_file):
    app = create_app(database_url=seeded_file)
    with TestClient(app) as client:
        before = client.get("/quotes?limit=200", headers=PLAIN)
        assert client.get("/quotes?limit=200", headers=PLAIN).content == before.content
        assert len(app.page_cache) > 0
        ingest_paths([SEEDS / "001_d43e4ba3b98ca47f.txt"], session_factory=session_factory(seeded_file))
        after = client.get("/quotes?limit=200", headers=PLAIN)
        assert len(after.json()["items"]) > len(before.json()["items"])
        assert after.headers["etag"] != before.headers["etag"]


def undated(answer) -> list[tuple[str, str]]:
    return [(k, v) for k, v in answer.headers.multi_items() if k != "date"]


def test_kept_answers_are_the_ones_computed_without_the_store(seeded_url):
    if not seeded_url.startswith("sqlite"):
        pytest.skip("the store is for SQLite files")
    kept = create_app(database_url=seeded_url)
    fresh = create_app(database_url=seeded_url, settings=Settings(page_cache_mb=0))
    assert fresh.page_cache is None
    with TestClient(kept) as a, TestClient(fresh) as b:
        for url in ("/quotes?speaker=Putin", "/quotes?limit=2", "/quotes/1", "/entities/1", "/utterances/1",
                    "/health"):
            for headers in (PLAIN, {**PLAIN, "Accept": "application/ld+json"}, {**PLAIN, "Host": "other.example"}):
                first, second, reference = a.get(url, headers=headers), a.get(url, headers=headers), \
                    b.get(url, headers=headers)
                for answer in (first, second):
                    assert answer.status_code == reference.status_code, (url, headers)
                    assert answer.content == reference.content, (url, headers)
                    assert undated(answer) == undated(reference), (url, headers)
            etag = a.get(url, headers=PLAIN).headers["etag"]
            not_modified = a.get(url, headers={**PLAIN, "If-None-Match": etag})
            reference = b.get(url, headers={**PLAIN, "If-None-Match": etag})
            assert not_modified.status_code == reference.status_code == 304
            assert undated(not_modified) == undated(reference), url
        assert len(kept.page_cache) > 0
