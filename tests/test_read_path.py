"""The read path at scale, checked for behaviour (timings are for benchmarks/http_bench.py): a generated corpus is
served correctly, keyset pages cover every row once in order without OFFSET, the API's connections are read-only,
the hot-speaker and full-text pages are index range scans with no sort, and `total` is exact and follows
commits."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.db import get_engine, reader_session
from app.main import create_app
from app.services import fts_index
from app.services.quotes import QuoteFilters, list_quotes
from tests_support import gen_corpus

N_QUOTES = 3000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[str, str]:
    """(url, file) of a generated corpus where every 9th article is undated (NULL published)."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    url = f"sqlite:///{path}"
    counts = gen_corpus().generate(url, N_QUOTES, progress=lambda _msg: None)
    assert counts["quote"] == N_QUOTES and counts["utterance"] > 0 and counts["utterancekey"] > 0
    with sqlite3.connect(path) as conn:   # through the FTS triggers, like any later change
        conn.execute("UPDATE article SET published = NULL WHERE id % 9 = 0")
        conn.execute("UPDATE quote SET published = NULL WHERE article_id % 9 = 0")
    return url, str(path)


@pytest.fixture(scope="module")
def api(corpus):
    with TestClient(create_app(database_url=corpus[0]), raise_server_exceptions=False) as client:
        yield client


def sql(path: str, query: str, *args):
    with sqlite3.connect(path) as conn:
        return conn.execute(query, args).fetchall()


def all_pages(api, **params) -> tuple[list[dict], int]:
    items, cursor, first_total = [], None, None
    while True:
        body = api.get("/quotes", params={**params, **({"cursor": cursor} if cursor else {})}).json()
        first_total = body["total"] if first_total is None else first_total
        assert body["total"] == first_total
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items, first_total


def newest_first(rows) -> list[int]:
    """Quote ids by (published DESC, undated last, id DESC) from (id, published) rows."""
    dated = sorted((r for r in rows if r[1] is not None), key=lambda r: (r[1], r[0]), reverse=True)
    return [r[0] for r in dated] + sorted((r[0] for r in rows if r[1] is None), reverse=True)


# ---------- a generated corpus, served ----------

def test_generated_corpus_is_consistent_and_served(corpus, api):
    url, path = corpus
    (speaker_id, name, n), = sql(path, "SELECT e.id, e.name, count(*) FROM quote q JOIN entity e "
                                       "ON e.id = q.speaker_id GROUP BY e.id ORDER BY 3 DESC LIMIT 1")
    body = api.get("/quotes", params={"speaker": name, "limit": 50}).json()
    assert body["total"] == n and len(body["items"]) == 50
    assert {q["speaker"]["id"] for q in body["items"]} == {speaker_id}
    for quote in body["items"][:10]:   # offsets point into the article text
        article = api.get(f"/articles/{quote['article']['id']}").json()
        assert article["text"][quote["start"]:quote["end"]] == quote["text"]
        mention = quote["speaker_mention"]
        assert mention is None or article["text"][mention["start"]:mention["end"]] == mention["text"]
    entity = api.get(f"/entities/{speaker_id}").json()
    assert entity["quote_count"] == n and entity["name"] == name and entity["outlets"]
    (uid, quoted), = sql(path, "SELECT id, n_quotes FROM utterance ORDER BY n_quotes DESC, id LIMIT 1")
    utterance = api.get(f"/utterances/{uid}").json()
    assert quoted >= 2 and sum(len(v["quote_ids"]) for v in utterance["variants"]) == quoted
    (said,), = sql(path, "SELECT text FROM quote WHERE utterance_id = ? ORDER BY id LIMIT 1", uid)
    verdict = api.post("/verify", json={"text": said}).json()
    assert verdict["verdict"] == "verbatim" and verdict["utterance_id"] == uid


# ---------- keyset pages ----------

@pytest.mark.parametrize("sort", ["-published", "published"])
def test_keyset_pages_cover_every_row_once_in_order(corpus, api, sort):
    url, path = corpus
    (speaker_id,), = sql(path, "SELECT speaker_id FROM quote GROUP BY speaker_id ORDER BY count(*) DESC LIMIT 1")
    (word,), = sql(path, "SELECT 'government'")
    cases = {
        "speaker": (dict(speaker=str(speaker_id)), "speaker_id = ?", (speaker_id,)),
        "q": (dict(q=word), "id IN (SELECT rowid & 4294967295 FROM quote_fts WHERE quote_fts MATCH ?)", (word,)),
        "q+kind": (dict(q=word, kind="speech"), "kind = 'speech' AND id IN "
                   "(SELECT rowid & 4294967295 FROM quote_fts WHERE quote_fts MATCH ?)", (word,)),
        "all": ({}, "1", ()),
    }
    for name, (params, where, args) in cases.items():
        rows = sql(path, f"SELECT id, published FROM quote WHERE {where}", *args)
        expected = newest_first(rows)
        if sort == "published":   # oldest first, undated still last
            dated = [i for i in expected if i not in {r[0] for r in rows if r[1] is None}]
            expected = dated[::-1] + sorted((r[0] for r in rows if r[1] is None))
        items, total = all_pages(api, sort=sort, limit=97, **params)
        assert [q["id"] for q in items] == expected, name
        assert total == len(expected) and any(q["article"]["published"] is None for q in items), name


def sent_to_sqlite(session) -> list[str]:
    """The statements SQLite runs on this session's connection from now on, with their values inlined (page
    statements go to the driver's cursor directly, app/services/driver_sql.py, past SQLAlchemy's events)."""
    seen: list[str] = []
    session.connection().connection.driver_connection.set_trace_callback(seen.append)
    return seen


def test_pages_never_skip_rows_with_offset(corpus):
    """Every statement a page sends is LIMITed from the cursor: SQLAlchemy always writes an OFFSET clause for
    SQLite, and it must stay 0."""
    url, _path = corpus
    paged: list[str] = []
    cursor = None
    for _ in range(3):
        with reader_session(url) as session:
            seen = sent_to_sqlite(session)
            page = list_quotes(session=session, filters=QuoteFilters(speaker="1"), limit=5, cursor=cursor)
            session.connection().connection.driver_connection.set_trace_callback(None)
        paged += [s for s in seen if "LIMIT" in s]
        cursor = page.next_cursor
    assert paged and all(" OFFSET " not in s or s.endswith(" OFFSET 0") for s in paged), paged


def test_a_first_page_holding_every_match_skips_the_undated_scan_only_when_none_is_left(corpus):
    """The first page of a speaker with fewer quotes than a page reads the dated ones, and the undated ones only
    when the total says some are left; either way the page is every quote, undated last."""
    url, path = corpus
    cases = sql(path, "SELECT speaker_id, count(*), sum(published IS NULL) FROM quote WHERE speaker_id IS NOT NULL "
                      "GROUP BY speaker_id HAVING count(*) BETWEEN 2 AND 15")
    all_dated = next(c for c in cases if c[2] == 0)
    some_undated = next(c for c in cases if 0 < c[2] < c[1])
    for speaker_id, n, undated in (all_dated, some_undated):
        with reader_session(url) as session:
            seen = sent_to_sqlite(session)
            page = list_quotes(session=session, filters=QuoteFilters(speaker=str(speaker_id)), limit=20)
            session.connection().connection.driver_connection.set_trace_callback(None)
        expected = newest_first(sql(path, "SELECT id, published FROM quote WHERE speaker_id = ?", speaker_id))
        assert [row.quote.id for row in page.items] == expected and page.total == n
        scans = [s for s in seen if "LIMIT" in s and "quote.text" in s]
        assert len(scans) == (2 if undated else 1), scans


def test_cursor_of_the_full_text_index_is_the_date_key(corpus):
    """The migration's SQL and fts_index.date_key agree, dated or not, so FTS pages and other pages share
    cursors."""
    _url, path = corpus
    rows = sql(path, "SELECT id, published, ((COALESCE(CAST(julianday(published) AS INTEGER), 0) << 32) + id) "
                     "FROM quote WHERE id IN (1, 2, 3) OR published IS NULL LIMIT 20")
    assert any(p is None for _, p, _ in rows) and any(p is not None for _, p, _ in rows)
    for ident, published, key in rows:
        day = date.fromisoformat(published) if published else None
        assert fts_index.date_key(day, ident) == key
        assert sql(path, "SELECT count(*) FROM quote_fts WHERE rowid = ?", key) == [(1,)]


# ---------- connections ----------

def test_api_connections_are_read_only_and_writes_still_work(corpus):
    url, _path = corpus
    with reader_session(url) as session:
        assert session.connection().exec_driver_sql("PRAGMA query_only").scalar() == 1
        assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert session.connection().exec_driver_sql("PRAGMA mmap_size").scalar() > 0
        with pytest.raises(OperationalError, match="readonly"):
            session.execute(text("INSERT INTO outlet (name) VALUES ('x')"))
    with get_engine(url).connect() as writer:
        assert writer.exec_driver_sql("PRAGMA query_only").scalar() == 0


# ---------- plans ----------

def plans_of(url: str, filters: QuoteFilters, cursor: str | None = None) -> list[list[str]]:
    """EXPLAIN QUERY PLAN of every statement that reads a page of quotes."""
    with reader_session(url) as session:
        seen = sent_to_sqlite(session)
        list_quotes(session=session, filters=filters, limit=20, cursor=cursor)
        connection = session.connection().connection.driver_connection
        connection.set_trace_callback(None)
        statements = [s for s in seen if "LIMIT" in s and "quote.text" in s]
        return [[row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + s)] for s in statements]


def test_hot_speaker_and_full_text_pages_are_range_scans_without_a_sort(corpus):
    url, path = corpus
    (hot,), = sql(path, "SELECT speaker_id FROM quote GROUP BY speaker_id ORDER BY count(*) DESC LIMIT 1")
    with reader_session(url) as session:
        cursor = list_quotes(session=session, filters=QuoteFilters(speaker=str(hot)), limit=20).next_cursor
    for plans in (plans_of(url, QuoteFilters(speaker=str(hot))), plans_of(url, QuoteFilters(speaker=str(hot)),
                                                                           cursor)):
        assert plans
        for plan in plans:
            assert any("USING INDEX ix_quote_speaker_published (speaker_id=?" in step for step in plan), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
    for plan in plans_of(url, QuoteFilters(q="government")):
        assert plan[0].startswith("SCAN quote_fts VIRTUAL TABLE"), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan


# ---------- total ----------

def test_total_is_exact_and_follows_commits(corpus, api):
    url, path = corpus
    (speaker_id, n), = sql(path, "SELECT speaker_id, count(*) FROM quote WHERE speaker_id IS NOT NULL "
                                 "GROUP BY speaker_id ORDER BY 2 LIMIT 1")
    first = api.get("/quotes", params={"speaker": str(speaker_id)}).json()
    assert first["total"] == n
    assert api.get("/quotes", params={"speaker": str(speaker_id)}).json()["total"] == n   # cached: the same
    assert api.get(f"/entities/{speaker_id}").json()["quote_count"] == n
    (article_id, outlet_id), = sql(path, "SELECT id, outlet_id FROM article WHERE published IS NOT NULL LIMIT 1")
    with get_engine(url).begin() as writer:   # a commit by another connection (ingestion)
        writer.execute(text("INSERT INTO quote (article_id, speaker_id, outlet_id, published, text, kind, start, "
                            "\"end\", extractor_version) VALUES (:a, :s, :o, '2030-01-01', 'A brand new quote', "
                            "'speech', 0, 1, 'test')"), {"a": article_id, "s": speaker_id, "o": outlet_id})
    try:
        after = api.get("/quotes", params={"speaker": str(speaker_id)}).json()
        assert after["total"] == n + 1 and after["items"][0]["text"] == "A brand new quote"
        assert api.get(f"/entities/{speaker_id}").json()["quote_count"] == n + 1
        assert api.get("/quotes", params={"q": "brand new"}).json()["total"] == 1
    finally:
        with get_engine(url).begin() as writer:
            writer.execute(text("DELETE FROM quote WHERE extractor_version = 'test'"))
    assert api.get("/quotes", params={"speaker": str(speaker_id)}).json()["total"] == n
    assert api.get("/quotes", params={"q": "brand new"}).json()["total"] == 0


# ---------- serialisation ----------

def test_bodies_built_for_speed_match_the_documented_models(seeded_url):
    """quote_item, EntityOut.body and VerifyOut.body skip pydantic on the hot path; they must give exactly
    what the response models (the OpenAPI contract) give."""
    from app.api.schemas import EntityOut, QuotePublic, VerifyOut, quote_item
    from app.services.entities import get_entity
    from app.services.verify import verify

    with reader_session(seeded_url) as session:
        rows = list_quotes(session=session, filters=QuoteFilters(), limit=200).items
        assert rows
        for row in rows:
            assert quote_item(row) == QuotePublic.from_row(row).model_dump(mode="json")
            spans = [(0, 3)]
            assert quote_item(row, spans)["highlight"] == [{"start": 0, "end": 3}]
        speakers = {row.quote.speaker_id for row in rows if row.quote.speaker_id}
        for entity_id in speakers:
            detail = get_entity(session=session, entity_id=entity_id)
            assert EntityOut.body(detail) == EntityOut.from_detail(detail).model_dump(mode="json")
        checked = 0
        for row in rows:
            if row.quote.utterance_id:
                result = verify(session=session, text=row.quote.text)
                assert VerifyOut.body(result) == VerifyOut.from_verification(result).model_dump(mode="json")
                checked += 1
        assert checked


@pytest.mark.parametrize("path, query, host", [
    ("/quotes", b"speaker=Xi%20Jinping&cursor=abc", b"127.0.0.1:8000"), ("/quotes", b"", b"h"),
    ("/v1/entities/3/quotes", b"limit=2&x=%C3%A9", b""), ("/quotes", b"a=1&a=2&cursor=x&b", b"example.org"),
    ("/q?x#y", b"a=\xc3\xa9", b"h"), ("/quotes", "a=é&q=\"x y\"".encode(), b"h:81")])
def test_the_next_link_is_the_url_with_its_cursor_replaced(path, query, host):
    """PageParams.link_next builds what URL.replace(query=...) gives, without splitting the URL again."""
    from urllib.parse import urlencode

    from starlette.requests import Request

    from app.deps import PageParams

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "root_path": "",
             "headers": [(b"host", host)], "server": ("127.0.0.1", 8000), "scheme": "http"}
    request = Request(scope)
    expected = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"] + [("cursor", "WyJ4Il0")]
    assert PageParams(20, None, Request(scope)).link_next("WyJ4Il0") == \
        str(request.url.replace(query=urlencode(expected)))
