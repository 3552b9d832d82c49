"""Fuzz the API from its own OpenAPI document (schemathesis, bounded examples): no 5xx, every response matches
the documented status codes, content types, headers and schemas. Writes are fuzzed too, with a valid key, on a
copy of the seeded database so the other tests' data stays as it was."""
from __future__ import annotations

import os
import sqlite3

import pytest
import schemathesis
from schemathesis import checks
from hypothesis import HealthCheck, settings
from sqlmodel import Session

from app.db import get_engine
from app.main import create_app
from app.services.api_keys import create_key

MAX_EXAMPLES = int(os.environ.get("WHOSAID_FUZZ_EXAMPLES", "25"))
# What the issue asks for: no server error, and every response as documented. Left out on purpose:
# - positive_data_acceptance: `cursor` is an opaque string, so most schema-valid strings are (rightly) a 422;
# - negative_data_rejection: pydantic's lax parsing takes `published=0` as 1970-01-01, harmlessly;
# - allow_header_conformance: Starlette's 405 lists only the methods of the first route matching a path
#   (OPTIONS /articles answers `Allow: GET` though POST exists too).
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_db(request, backend, seeded_url, tmp_path_factory, extractor) -> tuple[str, str]:
    """(database url, API key): a copy of the seeded database, with one key."""
    if backend == "sqlite":
        target = tmp_path_factory.mktemp("fuzz") / "whosaid.db"
        with sqlite3.connect(seeded_url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        url = f"sqlite:///{target}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.copy_database(seeded_url)
        request.addfinalizer(lambda: server.drop_database(url))
    with Session(get_engine(url)) as session:
        key = create_key(session=session, name="fuzzer").key
    return url, key


# The schema is loaded at import time (schemathesis' lazy fixture loader does not work with pytest 9); the app
# gets its database when the fixture has made it: requests read `app.state.database_url`.
app = create_app(upgrade=False)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.both_backends
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case, fuzz_db):
    app.state.database_url = fuzz_db[0]
    case.call_and_validate(headers={"X-API-Key": fuzz_db[1]}, checks=CHECKS)


# ---------- what the fuzzer found, pinned ----------

def test_found_by_fuzzing(client):
    # ids beyond SQLite's integer range were a 500 (driver overflow)
    for path in ("/quotes/9223372036854775808", "/entities/9223372036854775808", "/articles/9223372036854775808",
                 "/quotes?article_id=9223372036854775808"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert "detail" in response.json()
    # a bad cursor on an export failed after the stream had started (a broken 200)
    for fmt in ("ndjson", "csv"):
        response = client.get("/quotes", params={"format": fmt, "cursor": "0" * 100})
        assert response.status_code == 422 and "cursor" in response.json()["detail"]
    # an unreadable JSON body is a documented 400/422, not an error page
    assert client.post("/articles", content=b"\xff", headers={"Content-Type": "application/json",
                                                                 "X-API-Key": "x"}).status_code in (400, 403, 422)
