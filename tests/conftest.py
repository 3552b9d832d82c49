"""Shared fixtures: real SQLite files under tmp_path, migrated with Alembic; the real extractor, loaded once.

`db_url` is a fresh empty database per test (and points WHOSAID_DATABASE_URL at it, for the CLI).
`seeded_url` / `client` are one database with seeds/ ingested, shared by the read-only API tests.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.config import get_settings
from app.db import session_factory, upgrade_database
from tests_support import SEEDS


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = sqlite_url(tmp_path / "whosaid.db")
    monkeypatch.setenv("WHOSAID_DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade_database(url)
    yield url
    get_settings.cache_clear()  # before monkeypatch restores the environment, so nothing stale is cached


@pytest.fixture(scope="session")
def extractor():
    from app.pipeline.extract import get_extractor

    return get_extractor()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, extractor):
    """(database url, ingest report) for seeds/ ingested once."""
    from app.services.ingest import ingest_paths

    url = sqlite_url(tmp_path_factory.mktemp("seeded") / "whosaid.db")
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
