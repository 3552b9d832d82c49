"""app/api/direct.py: GET requests of the planned routes are answered without Starlette's routing and middleware
stack, and every answer is the one the whole stack gives (the same app with `app.state.planned_routes = False`):
status, body and headers, with each kind of request header the middleware looks at, for errors too."""
from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import Request, Response
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.deps import PageParams, page_params
from app.main import create_app
from app.services import quotes as quote_service

ORIGIN = "https://factcheck.example"
URLS = ["/quotes", "/quotes?limit=2", "/quotes?limit=200", "/quotes?speaker=Putin", "/quotes?q=balanced",
        "/quotes?facets=speaker,outlet,published", "/quotes?format=csv", "/quotes?format=ndjson", "/quotes?limit=0",
        "/quotes/1", "/quotes/999999", "/quotes/abc", "/quotes/1?format=jsonld", "/entities", "/entities/1",
        "/entities/1/quotes", "/speakers", "/articles", "/articles/1", "/outlets", "/utterances",
        "/utterances/1", "/health", "/v1/quotes?limit=1", "/problems/not-found", "/nowhere", "/web/",
        "/quotes?speaker=%00"]
HEADERS = {"plain": {}, "gzip": {"Accept-Encoding": "gzip, deflate"}, "identity": {"Accept-Encoding": "identity"},
           "origin": {"Origin": ORIGIN}, "other origin": {"Origin": "https://evil.example"},
           "json-ld": {"Accept": "application/ld+json"}, "csv": {"Accept": "text/csv"},
           "unacceptable": {"Accept": "image/png"}}


def clients(url: str, settings: Settings | None = None) -> Iterator[tuple[TestClient, TestClient]]:
    direct, standard = create_app(database_url=url, settings=settings), create_app(database_url=url,
                                                                                   settings=settings)
    standard.state.planned_routes = False
    with TestClient(direct, raise_server_exceptions=False) as a, \
            TestClient(standard, raise_server_exceptions=False) as b:
        yield a, b


@pytest.fixture(scope="module")
def both(seeded_url):
    yield from clients(seeded_url)


@pytest.fixture(scope="module")
def both_with_cors(seeded_url):
    yield from clients(seeded_url, Settings(cors_allow_origins=[ORIGIN], cache_max_age=60))


def same_answer(pair, url: str, headers: dict | None = None):
    direct, standard = (c.get(url, headers=headers) for c in pair)
    assert direct.status_code == standard.status_code, (url, headers, direct.text, standard.text)
    assert direct.content == standard.content, (url, headers)
    drop = {"date"}
    assert [(k, v) for k, v in direct.headers.multi_items() if k not in drop] == \
           [(k, v) for k, v in standard.headers.multi_items() if k not in drop], (url, headers)
    return direct


@pytest.mark.parametrize("kind", HEADERS)
@pytest.mark.parametrize("url", URLS)
def test_every_answer_is_the_one_the_whole_stack_gives(both, both_with_cors, url, kind):
    same_answer(both, url, HEADERS[kind])
    same_answer(both_with_cors, url, HEADERS[kind])


@pytest.mark.parametrize("url", ["/quotes?limit=3", "/quotes/1", "/quotes/1?format=jsonld", "/entities/1"])
def test_conditional_requests(both, url):
    etag = both[0].get(url).headers["etag"]
    for if_none_match in (etag, etag.removeprefix("W/"), f'"nope", {etag}', '"nope"', "*"):
        answer = same_answer(both, url, {"If-None-Match": if_none_match})
        assert answer.status_code == (200 if if_none_match == '"nope"' else 304)


def test_the_planned_reads_are_answered_directly(both):
    app = both[0].app
    for path in ("/quotes", "/quotes/1", "/entities/1", "/v1/utterances/3", "/health"):
        assert app._planned_route({"type": "http", "method": "GET", "path": path}) is not None, path
    for path in ("/nowhere", "/problems/not-found", "/web/app.js", "/docs", "/"):
        assert app._planned_route({"type": "http", "method": "GET", "path": path}) is None, path


def test_a_server_error_is_answered_and_raised_as_the_stack_does(seeded_url, monkeypatch, caplog):
    def broken(**_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(quote_service, "get_quote", broken)
    for pair in clients(seeded_url):
        with caplog.at_level(logging.ERROR, logger="whosaid"):
            answer = same_answer(pair, "/quotes/1")
        assert answer.status_code == 500 and "boom" not in answer.text
        assert [r.message for r in caplog.records].count("unhandled error on GET /quotes/1") == 2   # once each
        direct = TestClient(pair[0].app)   # raising server exceptions, as uvicorn logs them
        with pytest.raises(RuntimeError, match="boom"):
            direct.get("/quotes/1")


def test_dependency_overrides_are_honoured(seeded_url):
    async def one_item(request: Request, response: Response) -> PageParams:
        return PageParams(limit=1, cursor=None, request=request, response=response)

    app = create_app(database_url=seeded_url)
    app.dependency_overrides[page_params] = one_item
    with TestClient(app) as client:
        answer = client.get("/quotes")
        assert len(answer.json()["items"]) == 1, answer.text
