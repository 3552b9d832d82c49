"""API conventions (issue 9) through a real HTTP client: problem+json errors, Link/next pagination stable under
inserts, ETag/304, Cache-Control, gzip, CSV/NDJSON exports, sort, facets, FTS5 syntax and highlighting, the
OpenAPI document, CORS, the /v1 alias and the explorer page."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from collections import Counter
from itertools import islice
from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.db import session_factory
from app.main import create_app
from app.services.fts import fts_match, ts_query
from app.services.ingest import ingest_paths
from tests_support import SEEDS

pytestmark = pytest.mark.both_backends  # conftest.py: on SQLite and on PostgreSQL

LISTS = ["/quotes", "/entities", "/articles", "/outlets"]


def follow_links(client, url: str) -> list[dict]:
    """Every item of a list, following only the RFC 8288 Link headers."""
    items, seen = [], set()
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        items.extend(response.json()["items"])
        link = response.links.get("next", {}).get("url")
        assert link == response.json()["next"]
        assert link not in seen
        seen.add(link)
        url = link
    return items


def ids(items) -> list[int]:
    return [item["id"] for item in items]


def all_quotes(client, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        body = client.get("/quotes", params={**params, "limit": 200, **({"cursor": cursor} if cursor else {})}).json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


# ---------- RFC 9457 problem details ----------

def assert_problem(response, status: int, type_: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status and body["type"] == type_ and body["title"] and body["detail"]
    return body


def test_limit_abc_is_a_422_problem_naming_the_parameter(client):
    body = assert_problem(client.get("/quotes?limit=abc"), 422, "/problems/invalid-parameter")
    reason = "Input should be a valid integer, unable to parse string as an integer"
    assert body["invalid_params"] == [{"name": "limit", "in": "query", "reason": reason}]
    assert "'limit'" in body["detail"] and body["instance"] == "/quotes"
    assert "abc" not in json.dumps(body["invalid_params"])  # the raw input is never echoed


def test_several_bad_parameters_are_all_named(client):
    body = assert_problem(client.get("/quotes?limit=0&kind=shout&sort=loudest"), 422, "/problems/invalid-parameter")
    assert {p["name"] for p in body["invalid_params"]} == {"limit", "kind", "sort"}


def test_unknown_path_and_method_are_problems(client):
    assert_problem(client.get("/no/such/path"), 404, "/problems/http-error")
    body = assert_problem(client.post("/quotes"), 405, "/problems/http-error")
    assert body["title"] == "Method Not Allowed"


def test_http_exceptions_401_403_are_problems_with_their_headers(seeded_url):
    api = create_app(database_url=seeded_url)

    @api.get("/needs-key")
    def needs_key():
        raise HTTPException(401, "an API key is required", headers={"WWW-Authenticate": "ApiKey"})

    @api.get("/forbidden")
    def forbidden():
        raise HTTPException(403)

    with TestClient(api, raise_server_exceptions=False) as test_client:
        unauthorised = test_client.get("/needs-key")
        body = assert_problem(unauthorised, 401, "/problems/http-error")
        assert body["detail"] == "an API key is required" and body["title"] == "Unauthorized"
        assert unauthorised.headers["www-authenticate"] == "ApiKey"
        assert assert_problem(test_client.get("/forbidden"), 403, "/problems/http-error")["title"] == "Forbidden"


def test_problem_types_are_dereferenceable(client):
    for path, status, type_ in [("/quotes/999999", 404, "/problems/not-found"),
                                ("/quotes?limit=abc", 422, "/problems/invalid-parameter"),
                                ("/quotes?facets=mood", 422, "/problems/invalid-parameter")]:
        type_url = assert_problem(client.get(path), status, type_)["type"]
        explained = client.get(type_url)
        assert explained.status_code == 200 and explained.json()["type"] == type_url
    assert_problem(client.get("/problems/no-such-problem"), 404, "/problems/not-found")


def test_unacceptable_accept_header_is_406(client):
    body = assert_problem(client.get("/quotes", headers={"Accept": "image/png"}), 406, "/problems/not-acceptable")
    assert "text/csv" in body["detail"]


# ---------- pagination: next links, Link headers, stability under inserts ----------

@pytest.mark.parametrize("path", LISTS)
def test_every_list_links_to_its_next_page(client, path):
    first = client.get(path, params={"limit": 2})
    body = first.json()
    assert body["next"] and first.headers["link"] == f'<{body["next"]}>; rel="next"'
    assert f"cursor={body['next_cursor']}" in body["next"] and "limit=2" in body["next"]
    everything = client.get(path, params={"limit": 200}).json()
    assert everything["next"] is None and "link" not in client.get(path, params={"limit": 200}).headers
    assert ids(follow_links(client, f"{path}?limit=2")) == ids(everything["items"])


def test_links_keep_the_filters_and_the_version_prefix(client):
    putin = ids(follow_links(client, "/quotes?speaker=putin&sort=speaker&limit=3"))
    assert putin == ids(all_quotes(client, speaker="putin", sort="speaker"))
    versioned = client.get("/v1/quotes", params={"speaker": "putin", "limit": 3})
    assert versioned.status_code == 200 and "/v1/quotes?" in versioned.json()["next"]
    assert ids(follow_links(client, "/v1/quotes?speaker=putin&limit=3")) == ids(all_quotes(client, speaker="putin"))


def test_documented_limit_maximum(client):
    param = next(p for p in client.get("/openapi.json").json()["paths"]["/quotes"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert param["schema"]["maximum"] == 200 and "200" in param["description"]
    assert client.get("/quotes?limit=200").status_code == 200
    assert client.get("/quotes?limit=201").status_code == 422


def _seed_subset(tmp_path: Path, files: list[str]) -> Path:
    folder = tmp_path / "subset"
    folder.mkdir()
    manifest = json.loads((SEEDS / "manifest.json").read_text())
    manifest["articles"] = [a for a in manifest["articles"] if a["file"] in files]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name in files:
        shutil.copy(SEEDS / name, folder / name)
    return folder


@pytest.mark.sqlite_only   # ingests three times; the snapshot per request is tested on both in test_security.py
@pytest.mark.parametrize("sort", ["-published", "published", "speaker"])
def test_pages_are_stable_while_articles_are_added(db_url, extractor, tmp_path, sort):
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    factory = session_factory(db_url)
    ingest_paths([_seed_subset(tmp_path, names[:3])], session_factory=factory, extractor=extractor)
    with TestClient(create_app(database_url=db_url)) as api:
        before = ids(all_quotes(api, sort=sort))
        first = api.get("/quotes", params={"sort": sort, "limit": 5}).json()
        ingest_paths([SEEDS], session_factory=factory, extractor=extractor)  # two more articles, same day
        rest = follow_links(api, first["next"])
        after = ids(all_quotes(api, sort=sort))
    seen = ids(first["items"]) + ids(rest)
    assert len(seen) == len(set(seen)), "a quote appeared on two pages"
    assert set(before) <= set(seen), "a quote that existed before the insert was skipped"
    assert len(after) > len(before)


# ---------- conditional requests, caching, compression ----------

def test_etag_and_if_none_match_give_304(client):
    first = client.get("/quotes", params={"speaker": "putin"})
    etag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', etag)
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/quotes", params={"speaker": "putin"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/quotes", params={"speaker": "putin"},
                      headers={"If-None-Match": f'"other", {etag.removeprefix("W/")}'}).status_code == 304
    other = client.get("/quotes", params={"speaker": "xi"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    for path in ("/quotes/1", "/entities", "/articles/1", "/outlets", "/health"):
        response = client.get(path)
        assert response.headers["etag"] and response.headers["cache-control"] == "no-cache"
        assert client.get(path, headers={"If-None-Match": response.headers["etag"]}).status_code == 304


@pytest.mark.sqlite_only   # the ETag hashes the body, whatever the database
def test_etag_changes_when_the_data_changes(db_url, extractor):
    with TestClient(create_app(database_url=db_url)) as api:
        empty = api.get("/quotes").headers["etag"]
        ingest_paths([SEEDS], session_factory=session_factory(db_url), extractor=extractor)
        assert api.get("/quotes", headers={"If-None-Match": empty}).status_code == 200
        assert api.get("/quotes").headers["etag"] != empty


def test_errors_are_not_cached(client):
    response = client.get("/quotes/999999")
    assert "etag" not in response.headers and "cache-control" not in response.headers


def test_large_responses_are_gzipped_small_ones_not(client):
    big = client.get("/quotes", params={"limit": 200}, headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip" and "Accept-Encoding" in big.headers["vary"]
    assert int(big.headers["content-length"]) < len(big.content)  # httpx decoded it
    small = client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_304_works_on_gzipped_responses(client):
    first = client.get("/quotes", params={"limit": 200}, headers={"Accept-Encoding": "gzip"})
    again = client.get("/quotes", params={"limit": 200},
                       headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


# ---------- exports ----------

def test_csv_export_by_accept_header_has_every_matching_quote(client):
    expected = all_quotes(client, speaker="putin")
    response = client.get("/quotes", params={"speaker": "putin", "limit": 1}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="quotes.csv"'
    assert "content-length" not in response.headers  # streamed
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert [int(r["id"]) for r in rows] == ids(expected)
    by_id = {q["id"]: q for q in expected}
    for row in rows:
        quote = by_id[int(row["id"])]
        assert row["text"] == quote["text"] and row["speaker_name"] == quote["speaker"]["name"]
        assert row["published"] == quote["article"]["published"]
        assert row["outlet_name"] == (quote["outlet"]["name"] if quote["outlet"] else "")
        assert (int(row["start"]), int(row["end"])) == (quote["start"], quote["end"])


def test_ndjson_export_by_format_parameter_matches_the_json_items(client):
    expected = all_quotes(client, q="balanced", sort="published")
    for request in ({"params": {"q": "balanced", "sort": "published", "format": "ndjson"}},
                    {"params": {"q": "balanced", "sort": "published"},
                     "headers": {"Accept": "application/x-ndjson, application/json;q=0.5"}}):
        response = client.get("/quotes", **request)
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = [json.loads(line) for line in response.text.splitlines()]
        assert lines == [{k: v for k, v in q.items() if k != "highlight"} for q in expected]


def test_format_parameter_beats_accept_and_json_is_the_default(client):
    assert client.get("/quotes", params={"format": "json"}, headers={"Accept": "text/csv"}).json()["items"]
    assert client.get("/quotes", params={"format": "csv"},
                      headers={"Accept": "application/json"}).headers["content-type"].startswith("text/csv")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/quotes", headers={"Accept": browser}).headers["content-type"] == "application/json"


def test_export_of_everything_spans_many_internal_pages(client, seeded):
    # iter_quotes reads 500 rows per page; the seed corpus has fewer, so also check a small batch directly
    from app.services.quote_search import iter_quotes
    from app.services.quotes import QuoteFilters

    streamed = client.get("/quotes", params={"format": "ndjson"}).text.splitlines()
    assert len(streamed) == seeded[1].quotes
    rows = list(iter_quotes(session_factory=session_factory(seeded[0]), filters=QuoteFilters(), batch=7))
    assert [r.quote.id for r in rows] == [json.loads(line)["id"] for line in streamed]


@pytest.mark.sqlite_only   # multiplies rows with sqlite3
def test_export_memory_does_not_grow_with_the_result(db_url, extractor):
    """Peak memory while streaming 20x more rows stays about the same: the export holds one page at a time."""
    import tracemalloc

    from app.api.exports import csv_chunks
    from app.api.schemas import QuotePublic
    from app.services.quote_search import iter_quotes
    from app.services.quotes import QuoteFilters

    ingest_paths([SEEDS], session_factory=session_factory(db_url), extractor=extractor)
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:  # multiply the quote rows (FTS triggers keep the index in step)
        for _ in range(6):
            db.execute("INSERT INTO quote (text, kind, start, \"end\", cue, speaker_text, speaker_start, speaker_end,"
                       " sentence, where_said, article_id, speaker_id, outlet_id, published, extractor_version) "
                       "SELECT text, kind, start, \"end\", cue, speaker_text, speaker_start, speaker_end, sentence,"
                       " where_said, article_id, speaker_id, outlet_id, published, extractor_version FROM quote")
    total = sqlite3.connect(path).execute("SELECT count(*) FROM quote").fetchone()[0]
    assert total > 5000

    def peak(limit_rows: int) -> int:
        """Peak traced memory while writing the CSV export of the first `limit_rows` quotes."""
        rows = iter_quotes(session_factory=session_factory(db_url), filters=QuoteFilters(), batch=200)
        tracemalloc.start()
        written = sum(len(chunk) for chunk in csv_chunks(QuotePublic.from_row(r) for r in islice(rows, limit_rows)))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert written > limit_rows * 20
        return top

    small, large = peak(250), peak(total)  # ~1.4 MB both times; holding every row would take ~20 MB
    assert large < 2 * small, (small, large)


# ---------- sort, facets, full-text search, highlighting ----------

def test_sorts(client):
    newest = all_quotes(client)
    oldest = all_quotes(client, sort="published")
    assert sorted(ids(newest)) == sorted(ids(oldest))
    dates = [q["article"]["published"] or "9999" for q in oldest]
    assert dates == sorted(dates)
    by_speaker = all_quotes(client, sort="speaker")
    names = [q["speaker"]["name"] if q["speaker"] else None for q in by_speaker]
    named = [n for n in names if n is not None]
    assert named == sorted(named) and names == named + [None] * (len(names) - len(named))
    for sort in ("published", "speaker"):
        assert ids(follow_links(client, f"/quotes?sort={sort}&limit=9")) == ids(all_quotes(client, sort=sort))


def test_facets_count_every_matching_quote(client):
    putin = all_quotes(client, speaker="putin")
    body = client.get("/quotes", params={"speaker": "putin", "limit": 1,
                                         "facets": "speaker,outlet,published"}).json()
    facets = body["facets"]
    assert set(facets) == {"speaker", "outlet", "published"}
    assert {(f["label"], f["count"]) for f in facets["outlet"]} == set(
        Counter(q["outlet"]["name"] for q in putin if q["outlet"]).items())
    assert [(f["value"], f["count"]) for f in facets["published"]] == [("2022-09-15", len(putin))]
    assert facets["speaker"] == [{"value": putin[0]["speaker"]["id"], "label": putin[0]["speaker"]["name"],
                                  "count": len(putin)}]
    assert client.get("/quotes", params={"facets": "outlet"}).json()["facets"].keys() == {"outlet"}
    assert client.get("/quotes").json()["facets"] is None  # only on request


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_fts_phrase_prefix_and_boolean_syntax(client):
    every = all_quotes(client)
    phrase = ids(all_quotes(client, q='"balanced position"'))
    assert phrase == ids([q for q in every if "balanced position" in " ".join(words(q["text"]))])
    prefix = all_quotes(client, q="balanc*")
    assert ids(prefix) == ids([q for q in every if any(w.startswith("balanc") for w in words(q["text"]))])
    either = all_quotes(client, q="Taiwan OR Ukraine")
    assert ids(either) == ids([q for q in every if {"taiwan", "ukraine"} & set(words(q["text"]))])
    without = all_quotes(client, q="Ukraine NOT crisis")
    assert ids(without) == ids([q for q in every if "ukraine" in words(q["text"]) and "crisis" not in words(q["text"])])
    assert without and ids(all_quotes(client, q="Ukraine AND NOT crisis")) == ids(without)
    grouped = all_quotes(client, q="(Taiwan OR Ukraine) AND (China OR Chinese)")
    assert grouped and all({"china", "chinese"} & set(words(q["text"])) for q in grouped)


def test_search_matches_are_highlighted(client):
    for query, expected in [("balanc*", "balanc"), ('"balanced position"', "balanced position")]:
        body = client.get("/quotes", params={"q": query, "limit": 200}).json()
        assert body["items"]
        for quote in body["items"]:
            assert quote["highlight"], quote["text"]
            for span in quote["highlight"]:
                assert quote["text"][span["start"]:span["end"]].lower().startswith(expected.split()[0])
    assert all(q["highlight"] is None for q in client.get("/quotes").json()["items"])


USER_TEXT = (st.lists(st.sampled_from(list('ab "()*:^-&|!<>\'') + [" AND ", " OR ", " NOT ", "NEAR", "é", "🙂"]),
                      max_size=20).map("".join)
             | st.text(max_size=40))


@settings(max_examples=300, deadline=None)
@given(USER_TEXT)
def test_any_user_text_is_valid_fts5(user_text):
    match = fts_match(user_text)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    db.execute("INSERT INTO t VALUES ('a b ab é')")
    if match is not None:
        db.execute("SELECT * FROM t WHERE t MATCH ?", (match,)).fetchall()


@pytest.fixture(scope="module")
def postgres_connection(postgres_server):
    with postgres_server.admin.connect() as conn:
        yield conn


@settings(max_examples=300, deadline=None)
@given(USER_TEXT)
def test_any_user_text_is_a_valid_tsquery(postgres_connection, user_text):
    query = ts_query(user_text)
    if query is not None:
        postgres_connection.execute(text("SELECT to_tsvector('simple', 'a b ab é') @@ to_tsquery('simple', :q)"),
                                    {"q": query}).scalar_one()


def test_search_syntax_reads_the_same_in_fts5_and_tsquery():
    assert fts_match('"balanced position" OR bal* NOT (Taiwan AND cafe)') == \
        '("balanced position" OR ("bal"* NOT ("Taiwan" AND "cafe")))'
    assert ts_query('"balanced position" OR bal* NOT (Taiwan AND cafe)') == \
        "('balanced' <-> 'position' | ('bal':* & !('Taiwan' & 'cafe')))"
    assert ts_query("it's a:b & !c <-> d") == "('it' <-> 's' & 'a' <-> 'b' & 'c' & 'd')"


# ---------- OpenAPI, CORS, explorer ----------

def test_openapi_is_complete(client):
    doc = client.get("/openapi.json").json()
    assert {t["name"] for t in doc["tags"]} >= {"quotes", "entities", "articles", "outlets", "health"}
    assert "/v1" in doc["info"]["description"] and "Stability" in doc["info"]["description"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert operation.get("tags"), (method, path)
            assert operation.get("summary"), (method, path)
            assert not operation["summary"].istitle(), (path, "summary is only the function name")
            for param in operation.get("parameters", []):
                assert param.get("description"), (path, param["name"])
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    content = response["content"]
                    assert set(content) == {"application/problem+json"}, (path, status)
                    assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    quotes = doc["paths"]["/quotes"]["get"]
    speaker = next(p for p in quotes["parameters"] if p["name"] == "speaker")
    assert speaker["examples"]["Putin"]["value"] == "Putin"
    assert {"text/csv", "application/x-ndjson"} <= set(quotes["responses"]["200"]["content"])
    assert "406" in quotes["responses"] and "422" in quotes["responses"]


def app_with_origins(seeded_url, monkeypatch, origins: str) -> FastAPI:
    from app.core.config import get_settings

    monkeypatch.setenv("WHOSAID_CORS_ALLOW_ORIGINS", origins)
    get_settings.cache_clear()   # conftest's fresh_settings clears it again once the environment is restored
    return create_app(database_url=seeded_url)


def test_cors_allow_list_for_browser_clients(seeded_url, monkeypatch):
    api = app_with_origins(seeded_url, monkeypatch, '["https://factcheck.example"]')
    with TestClient(api) as browser:
        simple = browser.get("/quotes", headers={"Origin": "https://factcheck.example"})
        assert simple.headers["access-control-allow-origin"] == "https://factcheck.example"
        assert {"ETag", "Link"} <= set(simple.headers["access-control-expose-headers"].split(", "))
        preflight = browser.options("/quotes", headers={"Origin": "https://factcheck.example",
                                                        "Access-Control-Request-Method": "GET",
                                                        "Access-Control-Request-Headers": "If-None-Match"})
        assert preflight.status_code == 200 and "GET" in preflight.headers["access-control-allow-methods"]
        other = browser.get("/quotes", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        problem = browser.get("/quotes/999999", headers={"Origin": "https://factcheck.example"})
        assert problem.headers["access-control-allow-origin"] == "https://factcheck.example"  # errors too


def test_cors_any_origin_and_none_by_default(client, seeded_url, monkeypatch):
    assert "access-control-allow-origin" not in client.get("/quotes", headers={"Origin": "https://a.example"}).headers
    with TestClient(app_with_origins(seeded_url, monkeypatch, '["*"]')) as browser:
        assert browser.get("/health", headers={"Origin": "https://a.example"}).headers[
            "access-control-allow-origin"] == "*"


def test_explorer_page_and_its_assets_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in re.findall(r'(?:src|href)="(/web/[^"]+)"', page.text):
        response = client.get(asset)
        assert response.status_code == 200, asset
    assert re.search(r'src="/web/app\.js"', page.text)
    # no network at run time: nothing is loaded from another host
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page.text)
