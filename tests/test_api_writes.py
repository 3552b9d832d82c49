"""Writes need an API key (401 without, 403 wrong or revoked); POST /articles ingests through the CLI's path;
keys are stored hashed and shown once; read endpoints never load spaCy."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app as cli
from app.db import get_engine
from app.main import create_app
from app.services.api_keys import create_key, revoke_key
from tests_support import ROOT, seed_files

pytestmark = pytest.mark.both_backends  # conftest.py: on SQLite and on PostgreSQL

ARTICLE = {"text": seed_files()[0].read_text(encoding="utf-8"), "title": "Posted", "outlet": "Post Daily",
           "outlet_domain": "post.example", "published": "2022-09-15"}


@pytest.fixture
def api(db_url):
    with TestClient(create_app(database_url=db_url), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def key(db_url) -> str:
    with Session(get_engine(db_url)) as session:
        return create_key(session=session, name="tester").key


def test_write_without_a_key_is_401(api):
    response = api.post("/articles", json=ARTICLE)
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"
    assert api.post("/articles", json=ARTICLE, headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


@pytest.mark.parametrize("wrong", ["nope", "whosaid_" + "A" * 43, "whosaid_" + "x" * 5000, "ключ".encode()])
def test_write_with_a_wrong_key_is_403(api, key, wrong):
    response = api.post("/articles", json=ARTICLE, headers={"X-API-Key": wrong})
    assert response.status_code == 403
    assert "not recognised" in response.json()["detail"]
    # right prefix, wrong rest
    response = api.post("/articles", json=ARTICLE, headers={"X-API-Key": key[:-4] + "AAAA"})
    assert response.status_code == 403


def test_revoked_key_is_403(api, key, db_url):
    with Session(get_engine(db_url)) as session:
        revoke_key(session=session, name="tester")
    response = api.post("/articles", json=ARTICLE, headers={"X-API-Key": key})
    assert response.status_code == 403
    assert "revoked" in response.json()["detail"]


def test_post_article_ingests_it_once(api, key, extractor):
    first = api.post("/articles", json=ARTICLE, headers={"X-API-Key": key})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "created" and body["quotes"] > 0
    article = api.get(f"/articles/{body['id']}").json()
    assert article["title"] == "Posted" and article["published"] == "2022-09-15"
    assert article["outlet"]["domain"] == "post.example"
    assert len(article["quotes"]) == body["quotes"]
    for quote in article["quotes"]:
        assert article["text"][quote["start"]:quote["end"]] == quote["text"]
    # the same text again (as a bearer token this time): 200, same article, nothing stored
    again = api.post("/articles", json=ARTICLE, headers={"Authorization": f"Bearer {key}"})
    assert again.status_code == 200
    assert again.json() == {"status": "unchanged", "id": body["id"], "quotes": 0, "warnings": []}
    assert api.get("/health").json()["articles"] == 1


def test_post_article_validates_its_body(api, key):
    headers = {"X-API-Key": key}
    missing = api.post("/articles", json={"title": "no text"}, headers=headers)
    assert missing.status_code == 422 and "text" in missing.json()["detail"]
    bad_date = api.post("/articles", json={"text": "x", "published": "yesterday"}, headers=headers)
    assert bad_date.status_code == 422 and "published" in bad_date.json()["detail"]
    not_json = api.post("/articles", content=b"{not json", headers={**headers, "Content-Type": "application/json"})
    assert not_json.status_code == 422
    refused = api.post("/articles", json={"text": "Title\n\n" + '"' * 3000}, headers=headers)
    assert refused.status_code == 422
    assert "too many quotation marks" in refused.json()["detail"]
    doubled = api.post("/articles", json={"text": "Title\n\n" + "''a'' " * 1500}, headers=headers)  # '' as marks
    assert doubled.status_code == 422 and "too many quotation marks" in doubled.json()["detail"]
    blank = api.post("/articles", json={"text": "   \n  "}, headers=headers)
    assert blank.status_code == 422 and "detail" in blank.json()
    for field in ("text", "title", "outlet"):   # PostgreSQL cannot store a NUL character: refused on any database
        nul = api.post("/articles", json={"text": ARTICLE["text"], field: "a\u0000b"}, headers=headers)
        assert nul.status_code == 422 and field in [p["name"] for p in nul.json()["invalid_params"]]


def test_keys_are_shown_once_and_stored_hashed(db_url):
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "factcheck-bot"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("whosaid_") and len(key) > 40
    with get_engine(db_url).connect() as conn:
        rows = [json.dumps([str(v) for v in row]) for row in conn.execute(text("SELECT * FROM api_key"))]
    assert len(rows) == 1 and key not in rows[0] and key[8:] not in rows[0]

    duplicate = runner.invoke(cli, ["keys", "create", "factcheck-bot"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    listed = runner.invoke(cli, ["keys", "list"])
    assert "factcheck-bot" in listed.output and "active" in listed.output and key not in listed.output
    assert runner.invoke(cli, ["keys", "revoke", "factcheck-bot"]).exit_code == 0
    assert "revoked" in runner.invoke(cli, ["keys", "list"]).output
    assert runner.invoke(cli, ["keys", "revoke", "nobody"]).exit_code == 1


@pytest.mark.sqlite_only   # which modules load does not depend on the database
def test_read_endpoints_never_load_spacy(seeded_url):
    script = f"""
import sys
from fastapi.testclient import TestClient
from app.main import create_app
with TestClient(create_app(database_url={seeded_url!r})) as client:
    for path in ["/health", "/quotes?speaker=putin", "/quotes?q=balanced", "/quotes/1", "/entities?q=xi",
                 "/entities/1", "/entities/1/quotes", "/articles", "/articles/1", "/outlets", "/openapi.json"]:
        assert client.get(path).status_code == 200, path
    assert client.post("/articles", json={{"text": "x"}}).status_code == 401
print("spacy loaded:", "spacy" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "spacy loaded: False" in result.stdout
