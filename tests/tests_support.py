"""Paths shared by the test modules (conftest fixtures cannot be imported as plain values), and the PostgreSQL
server the tests create their databases on."""
from __future__ import annotations

import importlib.util
import os
import sys
import time
from itertools import count
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app.db import get_engine, get_reader_engine

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def gen_corpus():
    """benchmarks/gen_corpus.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_corpus", ROOT / "benchmarks" / "gen_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_corpus", module)   # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


class PostgresServer:
    """The PostgreSQL server named by WHOSAID_TEST_POSTGRES_URL: one new database per test (so every test starts
    from nothing, as with a new SQLite file), dropped afterwards."""

    PREFIX = "whosaid_test_"
    COPY_ATTEMPTS = 50   # 0.2 s apart: 10 s for another session to leave a template database

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.names = count(1)
        self._drop_leftovers()

    @staticmethod
    def redacted(url: str) -> str:
        return make_url(url).render_as_string(hide_password=True)

    def create_database(self) -> str:
        name = f"{self.PREFIX}{os.getpid()}_{next(self.names)}"
        self._run(f'CREATE DATABASE "{name}"')
        return self.url.set(database=name).render_as_string(hide_password=False)

    def copy_database(self, url: str) -> str:
        """A new database with the contents of the one at `url` (whose pooled connections are closed first: a
        template must have none)."""
        name = f"{self.PREFIX}{os.getpid()}_{next(self.names)}"
        get_engine(url).dispose()
        get_reader_engine(url).dispose()   # the API's read-only pool too
        # An autovacuum worker may be visiting the template (it was just written to): PostgreSQL then refuses
        # the copy ("being accessed by other users") until the worker is done, which takes a moment.
        for attempt in range(self.COPY_ATTEMPTS):
            try:
                self._run(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
                break
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != "55006" or attempt == self.COPY_ATTEMPTS - 1:
                    raise   # 55006 object_in_use; anything else, or a session that stays, is a real failure
                time.sleep(0.2)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        get_engine(url).dispose()   # the app's pooled connections to it
        get_reader_engine(url).dispose()
        self._run(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self.admin.dispose()

    def _run(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def _drop_leftovers(self) -> None:
        """Databases of earlier test runs that were killed before they could drop theirs."""
        with self.admin.connect() as conn:
            names = conn.exec_driver_sql("SELECT datname FROM pg_database WHERE datname LIKE %(prefix)s",
                                         {"prefix": self.PREFIX + "%"}).scalars().all()
        for name in names:
            pid = name.removeprefix(self.PREFIX).split("_")[0]
            if pid.isdigit() and not _alive(int(pid)):
                self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # someone else's process
        return True
    return True
