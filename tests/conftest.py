"""Shared fixtures: real databases migrated with Alembic; the real extractor, loaded once.

`db_url` is a fresh empty database per test (and points WHOSAID_DATABASE_URL at it, for the CLI).
`seeded_url` / `client` are one database with seeds/ ingested, shared by the read-only API tests.

Every database fixture follows the `backend` parameter: an SQLite file under tmp_path, or a new database on the
PostgreSQL server named by WHOSAID_TEST_POSTGRES_URL (`bash .ci/start-postgres` starts one and prints its URL).
Tests marked `both_backends` (a module's `pytestmark` or one test) run on both; the others on SQLite only; a
test marked `sqlite_only` stays on SQLite inside a `both_backends` module, and one marked `postgres_only` runs on
PostgreSQL alone. Without the variable, the PostgreSQL runs are skipped, saying so.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.config import get_settings
from app.db import session_factory, upgrade_database
from tests_support import SEEDS, PostgresServer

BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get("WHOSAID_TEST_POSTGRES_URL", "").strip()
NO_POSTGRES = ("PostgreSQL run skipped: WHOSAID_TEST_POSTGRES_URL is not set "
               "(`bash .ci/start-postgres` starts a local server and prints the URL; `make test` does it for you)")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_backends: run on SQLite and on PostgreSQL (WHOSAID_TEST_POSTGRES_URL)")
    config.addinivalue_line("markers", "sqlite_only: stays on SQLite inside a both_backends module")
    config.addinivalue_line("markers", "postgres_only: runs on PostgreSQL only (what SQLite does not have)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    marked = metafunc.definition.get_closest_marker
    if marked("postgres_only"):
        backends = BACKENDS[1:]
    elif marked("both_backends") and not marked("sqlite_only"):
        backends = BACKENDS
    else:
        backends = BACKENDS[:1]
    metafunc.parametrize("backend", backends, indirect=True, scope="session")


def pytest_report_header(config: pytest.Config) -> str:
    return f"PostgreSQL tests: {'on ' + PostgresServer.redacted(POSTGRES_URL) if POSTGRES_URL else NO_POSTGRES}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    server = PostgresServer(POSTGRES_URL)   # fails (not skips) when the server named is unreachable
    yield server
    server.close()


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """"sqlite" or "postgresql" (parametrised by pytest_generate_tests)."""
    name = request.param
    if name == "postgresql":
        request.getfixturevalue("postgres_server")   # skips here when there is no server
    return name


def new_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    """The URL of a new, empty database on `backend`, dropped when `request`'s scope ends."""
    if backend == "sqlite":
        return sqlite_url(folder / "whosaid.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    request.addfinalizer(lambda: server.drop_database(url))
    return url


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings read during a test that changed the environment (monkeypatch) are not cached for the next one:
    autouse, so set up before monkeypatch and torn down after it has restored the environment."""
    yield
    get_settings.cache_clear()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = new_database(request, backend, tmp_path)
    monkeypatch.setenv("WHOSAID_DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade_database(url)
    yield url   # fresh_settings (above) clears the settings read with this environment


@pytest.fixture(scope="session")
def extractor():
    from app.pipeline.extract import get_extractor

    return get_extractor()


@pytest.fixture(scope="session")
def seeded(request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory, extractor):
    """(database url, ingest report) for seeds/ ingested once per backend."""
    from app.services.ingest import ingest_paths

    url = new_database(request, backend, tmp_path_factory.mktemp("seeded"))
    upgrade_database(url)
    report = ingest_paths([SEEDS], session_factory=session_factory(url), extractor=extractor)
    return url, report


@pytest.fixture(scope="session")
def seeded_url(seeded) -> str:
    return seeded[0]


@pytest.fixture(scope="session")
def client(seeded_url: str) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(database_url=seeded_url), raise_server_exceptions=False) as test_client:
        yield test_client
