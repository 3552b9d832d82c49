"""Security headers, the CORS allow-list and the request body size limit, with their defaults and as settings."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sqlalchemy import text

from app.core.config import Settings
from app.deps import SessionDep
from app.main import create_app


@pytest.fixture(scope="module")
def strict(seeded_url):
    settings = Settings(cors_allow_origins=["https://factcheck.example"], max_request_bytes=2000)
    with TestClient(create_app(database_url=seeded_url, settings=settings), raise_server_exceptions=False) as c:
        yield c


def test_default_settings_are_safe():
    settings = Settings()
    assert settings.cors_allow_origins == []
    assert settings.max_request_bytes == 1024 * 1024
    assert settings.security_headers is True
    assert "frame-ancestors 'none'" in settings.content_security_policy


@pytest.mark.parametrize("path", ["/health", "/quotes?limit=1", "/quotes/999999", "/quotes?limit=0", "/docs"])
def test_every_response_carries_security_headers(client, path):
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_no_cors_headers_by_default(client):
    response = client.get("/health", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_listed_origins(strict):
    ok = strict.get("/health", headers={"Origin": "https://factcheck.example"})
    assert ok.headers["access-control-allow-origin"] == "https://factcheck.example"
    evil = strict.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil.headers
    preflight = strict.options("/articles", headers={"Origin": "https://factcheck.example",
                                                     "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "X-API-Key"})
    assert preflight.status_code == 200
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["x-content-type-options"] == "nosniff"
    refused = strict.options("/articles", headers={"Origin": "https://evil.example",
                                                   "Access-Control-Request-Method": "POST"})
    assert refused.status_code == 400


def test_request_body_over_the_limit_is_413_before_anything_else(strict):
    big = {"text": "x" * 5000}
    # refused from Content-Length, before the key is even looked at
    declared = strict.post("/articles", json=big, headers={"X-API-Key": "whatever"})
    assert declared.status_code == 413
    assert "too large" in declared.json()["detail"]

    def chunks():   # chunked upload: no Content-Length, counted as it arrives
        for _ in range(10):
            yield b"x" * 500

    streamed = strict.post("/articles", content=chunks(), headers={"X-API-Key": "whatever",
                                                                   "Content-Type": "application/json"})
    assert streamed.status_code == 413
    small = strict.post("/articles", json={"text": "short"})
    assert small.status_code == 401


@pytest.mark.both_backends
def test_a_runaway_statement_is_stopped_with_a_503(seeded_url):
    """Every request's session has a statement deadline: a query that would run for minutes is interrupted."""
    api = create_app(database_url=seeded_url, settings=Settings(query_timeout_ms=100))

    @api.get("/endless")
    def endless(session: SessionDep):   # a stand-in for any query that goes wrong
        return session.exec(text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                 "SELECT count(*) FROM n")).one()[0]

    with TestClient(api, raise_server_exceptions=False) as c:
        response = c.get("/endless")
        assert response.status_code == 503
        assert "longer than 100 ms" in response.json()["detail"]
        # the handler is removed again: the pooled connection serves normal requests afterwards
        assert c.get("/health").status_code == 200


@pytest.mark.both_backends
def test_one_request_reads_one_snapshot_while_others_commit(db_url):
    """A count and the page it describes agree even when ingestion commits between the two statements."""
    from itertools import count as counter

    from app.db import make_engine

    api = create_app(database_url=db_url)
    names = counter()

    @api.get("/twice")
    def twice(session: SessionDep):
        count = text("SELECT count(*) FROM outlet")
        before = session.exec(count).one()[0]
        with make_engine(db_url).begin() as writer:       # another process's commit, mid-request
            writer.execute(text("INSERT INTO outlet (name) VALUES (:name)"), {"name": f"outlet {next(names)}"})
        return [before, session.exec(count).one()[0]]

    with TestClient(api) as c:
        assert c.get("/twice").json() == [0, 0]
        assert c.get("/twice").json() == [1, 1]         # the next request sees the commit
