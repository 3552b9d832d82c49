"""The REST API over the seeded database: every endpoint, filters, pagination and error bodies."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.both_backends  # conftest.py: on SQLite and on PostgreSQL

SPEAKER_ITEM_KEYS = {"id", "text", "kind", "cue", "speaker", "speaker_mention", "article", "outlet", "start", "end",
                     "sentence", "where", "highlight", "utterance_id"}


def all_pages(client, path: str, **params) -> list[dict]:
    items, cursor, seen_cursors = [], None, set()
    while True:
        body = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert cursor not in seen_cursors
        seen_cursors.add(cursor)


def ids(items) -> list[int]:
    return [item["id"] for item in items]


# ---------- /health, /outlets, /articles ----------

def test_health_counts_rows(client, seeded):
    body = client.get("/health").json()
    assert body == {"status": "ok", "articles": 5, "quotes": seeded[1].quotes}


def test_outlets_list_with_article_counts(client):
    body = client.get("/outlets").json()
    names = {o["name"]: o for o in body["items"]}
    assert set(names) == {"BBC News", "The Guardian", "The Wall Street Journal", "The New York Times"}
    assert names["BBC News"]["domain"] == "bbc.co.uk"
    assert all(o["article_count"] == 1 and o["quote_count"] > 0 for o in body["items"])
    assert body["total"] == 4 and body["next_cursor"] is None


def test_articles_list_and_detail(client):
    body = client.get("/articles").json()
    assert body["total"] == 5 and len(body["items"]) == 5
    assert all("text" not in a for a in body["items"])
    assert sum(a["outlet"] is None for a in body["items"]) == 1
    assert ids(all_pages(client, "/articles", limit=2)) == ids(body["items"])
    assert ids(all_pages(client, "/outlets", limit=1)) == ids(client.get("/outlets").json()["items"])
    first = body["items"][0]
    detail = client.get(f"/articles/{first['id']}").json()
    assert detail["title"] == first["title"] and detail["published"] == "2022-09-15"
    assert len(detail["quotes"]) == first["quote_count"] > 0
    for quote in detail["quotes"]:
        assert detail["text"][quote["start"]:quote["end"]] == quote["text"]
    assert [q["start"] for q in detail["quotes"]] == sorted(q["start"] for q in detail["quotes"])


def test_articles_filter_by_outlet(client):
    body = client.get("/articles", params={"outlet": "theguardian.com"}).json()
    assert [a["outlet"]["name"] for a in body["items"]] == ["The Guardian"]


# ---------- /quotes ----------

@pytest.fixture(scope="module")
def putin_quotes(client) -> list[dict]:
    return all_pages(client, "/quotes", speaker="Putin")


def test_speaker_spellings_give_the_same_quotes(client, putin_quotes):
    assert putin_quotes
    for spelling in ("putin", "Vladimir Putin", "PUTIN", "Mr. Putin"):
        assert ids(all_pages(client, "/quotes", speaker=spelling)) == ids(putin_quotes), spelling


def test_putin_is_quoted_in_at_least_four_outlets_with_names_and_dates(putin_quotes):
    outlets = {q["outlet"]["name"] for q in putin_quotes if q["outlet"]}
    assert len(outlets) >= 4
    assert all(q["article"]["published"] == "2022-09-15" for q in putin_quotes)
    assert all(set(q) == SPEAKER_ITEM_KEYS for q in putin_quotes)
    assert {q["speaker"]["name"] for q in putin_quotes} == {putin_quotes[0]["speaker"]["name"]}


def test_speaker_xi_and_speaker_by_id(client):
    xi = all_pages(client, "/quotes", speaker="Xi")
    assert xi
    speaker_id = xi[0]["speaker"]["id"]
    assert ids(all_pages(client, "/quotes", speaker=str(speaker_id))) == ids(xi)
    assert ids(all_pages(client, f"/entities/{speaker_id}/quotes")) == ids(xi)


def test_unknown_speaker_gives_an_empty_list(client):
    for name in ("Nobody Atall", "'; DROP TABLE quote; --", "%", "999999"):
        response = client.get("/quotes", params={"speaker": name})
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": 0, "next_cursor": None, "next": None, "facets": None}


def test_every_quote_text_is_its_article_text_between_start_and_end(client):
    quotes = all_pages(client, "/quotes", limit=200)
    texts = {aid: client.get(f"/articles/{aid}").json()["text"] for aid in {q["article"]["id"] for q in quotes}}
    for q in quotes:
        assert texts[q["article"]["id"]][q["start"]:q["end"]] == q["text"]
        if q["speaker_mention"]:
            m = q["speaker_mention"]
            assert texts[q["article"]["id"]][m["start"]:m["end"]] == m["text"]


def test_cursor_pagination_covers_everything_once(client, seeded):
    everything = all_pages(client, "/quotes", limit=200)
    assert len(everything) == seeded[1].quotes
    for limit in (1, 7, 50):
        paged = all_pages(client, "/quotes", limit=limit)
        assert ids(paged) == ids(everything)
        assert len(set(ids(paged))) == len(paged)
    first = client.get("/quotes", params={"limit": 7}).json()
    assert first["total"] == len(everything) and len(first["items"]) == 7 and first["next_cursor"]


def test_filters_outlet_article_kind_and_dates(client):
    guardian = all_pages(client, "/quotes", outlet="the guardian")
    assert guardian and {q["outlet"]["name"] for q in guardian} == {"The Guardian"}
    assert ids(all_pages(client, "/quotes", outlet="theguardian.com")) == ids(guardian)
    article_id = guardian[0]["article"]["id"]
    assert ids(all_pages(client, "/quotes", article_id=article_id)) == ids(guardian)
    speech = all_pages(client, "/quotes", kind="speech")
    assert speech and {q["kind"] for q in speech} == {"speech"}
    assert client.get("/quotes", params={"published_from": "2022-09-15", "published_to": "2022-09-15"}).json()["total"] > 0
    assert client.get("/quotes", params={"published_from": "2022-09-16"}).json()["total"] == 0
    assert client.get("/quotes", params={"outlet": "Unknown Gazette"}).json()["total"] == 0


def test_full_text_search(client):
    hits = all_pages(client, "/quotes", q="balanced position")
    assert hits and all("balanced" in q["text"].lower() and "position" in q["text"].lower() for q in hits)
    assert ids(all_pages(client, "/quotes", q="BALANCED")) == ids(
        [q for q in all_pages(client, "/quotes", limit=200) if "balanced" in q["text"].lower()])
    combined = all_pages(client, "/quotes", q="balanced", speaker="Putin")
    assert combined and all(q["speaker"]["name"] == hits[0]["speaker"]["name"] for q in combined)


@pytest.mark.parametrize("query", ['"', 'AND (', "balanced AND (", "NEAR(", "*", "a:b", "'", "^x", "🙂", "-"])
def test_fts_syntax_in_user_text_never_fails(client, query):
    response = client.get("/quotes", params={"q": query})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)


def test_single_quote(client, putin_quotes):
    quote = client.get(f"/quotes/{putin_quotes[0]['id']}").json()
    assert quote == putin_quotes[0]


# ---------- /entities ----------

def test_entities_list_filters_and_pagination(client):
    people = all_pages(client, "/entities", kind="person", limit=5)
    assert people and {e["kind"] for e in people} == {"person"}
    assert len(set(ids(people))) == len(people) == client.get("/entities", params={"kind": "person"}).json()["total"]
    found = client.get("/entities", params={"q": "puti", "kind": "person"}).json()["items"]
    assert any("Putin" in e["name"] and e["quote_count"] > 0 for e in found)


def test_entity_detail(client, putin_quotes):
    entity_id = putin_quotes[0]["speaker"]["id"]
    entity = client.get(f"/entities/{entity_id}").json()
    assert entity["kind"] == "person" and "Putin" in entity["name"]
    assert entity["quote_count"] == len(putin_quotes)
    assert entity["mention_count"] >= entity["quote_count"] > 0
    assert any(a.lower().endswith("putin") for a in entity["aliases"])


# ---------- errors ----------

@pytest.mark.parametrize("path", ["/quotes/999999", "/entities/999999", "/entities/999999/quotes", "/articles/999999"])
def test_unknown_ids_give_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert "not found" in body["detail"]
    assert body["status"] == 404 and body["type"] == "/problems/not-found" and body["instance"] == path


@pytest.mark.parametrize("path,param", [
    ("/quotes?limit=201", "limit"), ("/quotes?limit=0", "limit"), ("/entities?limit=1000", "limit"),
    ("/quotes?published_from=yesterday", "published_from"), ("/quotes?kind=shout", "kind"),
    ("/quotes?cursor=not-a-cursor", "cursor"), ("/quotes/abc", "quote_id"), ("/articles?cursor=W10", "cursor"),
    # NUL characters: PostgreSQL refuses text holding one, so they are refused alike on every database
    ("/quotes?outlet=bbc%00", "outlet"), ("/articles?outlet=%00", "outlet"), ("/quotes?speaker=Pu%00tin", "speaker"),
    ("/entities?q=%00", "q"), ("/utterances?speaker=%00", "speaker"),
])
def test_bad_parameters_give_422_json_naming_the_parameter(client, path, param):
    response = client.get(path)
    assert response.status_code == 422
    body = response.json()
    assert f"'{param}'" in body["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["status"] == 422 and body["type"] == "/problems/invalid-parameter"
    assert param in [p["name"] for p in body["invalid_params"]]


@pytest.mark.parametrize("path", [
    "/quotes?speaker=99999999999", "/quotes?outlet=99999999999", "/utterances?speaker=99999999999",
    "/quotes?speaker=²", "/articles?outlet=³",      # digits that are not numbers
])
def test_ids_beyond_any_stored_one_find_nothing_on_every_database(client, path):
    """Larger than an INTEGER column holds on PostgreSQL (SQLite's are wider): no such id, so nothing, alike."""
    response = client.get(path)
    assert response.status_code == 200 and response.json()["items"] == []


def test_numbers_beyond_the_database_inside_a_cursor_are_never_a_server_error(client):
    from app.services.pagination import encode_cursor

    for path, cursor in [("/quotes", encode_cursor("2022-01-01", 2**40)), ("/entities", encode_cursor("a", 2**40)),
                         ("/utterances", encode_cursor(2**40, 2**40))]:
        response = client.get(path, params={"cursor": cursor})
        assert response.status_code in (200, 422), path   # PostgreSQL: 422 (out of range); SQLite: nothing after it
        assert response.headers["content-type"].split(";")[0] in ("application/json", "application/problem+json")


def test_openapi_describes_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/quotes", "/quotes/{quote_id}", "/entities", "/entities/{entity_id}", "/entities/{entity_id}/quotes",
            "/articles", "/articles/{article_id}", "/outlets", "/health"} <= set(paths)
    schema = paths["/quotes"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("QuotePage")


def test_unexpected_errors_give_500_json_without_a_trace(seeded_url):
    from fastapi.testclient import TestClient

    from app.main import create_app

    api = create_app(database_url=seeded_url)

    @api.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(api, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json() == {"type": "/problems/internal-error", "title": "Internal server error", "status": 500,
                               "detail": "Internal server error", "instance": "/boom"}


@pytest.mark.sqlite_only   # which modules load does not depend on the database
def test_read_endpoints_do_not_load_spacy(seeded_url):
    """The API process answers reads without importing the NLP stack (it takes seconds to load)."""
    script = (
        "import sys, json\n"
        "from fastapi.testclient import TestClient\n"
        "from app.main import create_app\n"
        f"with TestClient(create_app(database_url={seeded_url!r})) as c:\n"
        "    codes = [c.get(p).status_code for p in ('/quotes?speaker=Putin&q=value', '/entities?q=xi',\n"
        "             '/articles/1', '/outlets', '/health', '/entities/1', '/quotes/1')]\n"
        "print(json.dumps({'codes': codes, 'spacy': 'spacy' in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"codes": [200] * 7, "spacy": False}
