"""Database plumbing: the constraint naming convention, engines with SQLite pragmas, sessions, and migrations.

The schema is owned by Alembic (migrations/); nothing here calls `create_all`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel
from starlette.requests import Request

from app.core.config import get_settings

# Every constraint and index gets a predictable name. Alembic's batch mode on SQLite recreates tables and can
# only drop or alter a constraint it can name, so this must be in place before any table class is declared
# (app/models.py applies it at the top for that reason).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

# WAL lets the API read while `whosaid ingest` writes; busy_timeout makes a writer wait instead of failing.
SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000")


def _prepare_sqlite_file(url: str) -> None:
    """Create the parent folder of a SQLite file (./data/ by default) so a fresh checkout just works."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """A new engine; for SQLite, every connection gets WAL, NORMAL sync, a busy timeout and (normally) FK checks.

    Migrations pass foreign_keys=False: batch mode recreates tables, which must not cascade or fail on FKs.
    """
    _prepare_sqlite_file(url)
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    kwargs: dict = {}
    if is_sqlite:
        # FastAPI runs sync endpoints in a threadpool; pooled connections move between those threads
        kwargs["connect_args"] = {"check_same_thread": False}
        if not foreign_keys:
            kwargs["poolclass"] = NullPool
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        pragmas = SQLITE_PRAGMAS + (("foreign_keys=ON",) if foreign_keys else ())

        @event.listens_for(engine, "connect")
        def _set_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - exercised on every connect
            cursor = dbapi_connection.cursor()
            for pragma in pragmas:
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    return engine


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the configured database), created on first use."""
    return _engine_for(url or get_settings().database_url)


def session_factory(url: str | None = None) -> Callable[[], Session]:
    """A zero-argument callable returning new sessions, for code that owns its own transactions (ingest)."""
    engine = get_engine(url)
    return lambda: Session(engine)


# PostgreSQL advisory lock taken by every write transaction of the pipeline (key: "whosaid" + 1)
WRITE_LOCK_KEY = 0x77686F7361696401


def serialize_writes(session: Session) -> None:
    """Make this transaction the only writer until it ends (PostgreSQL; no-op on SQLite, which allows one writer
    at a time by itself). Call first in the transaction. Ingest checks then creates (is the article stored? the
    outlet, the entity?): two writers at once, e.g. `whosaid ingest` beside API workers taking POST /articles,
    would both find an outlet missing and both insert it. Taking the lock again in the same transaction is free."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, on the database the app was created for.

    `create_app(database_url=...)` pins a database (tests do); otherwise the configured one is used.
    """
    with Session(get_engine(getattr(request.app.state, "database_url", None))) as session:
        yield session


# ---------- migrations ----------

def migrations_dir() -> Path:
    """The Alembic scripts folder: beside the package in a checkout (editable install), else under the cwd."""
    candidates = [Path(__file__).resolve().parent.parent / "migrations", Path.cwd() / "migrations"]
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("cannot find the migrations/ folder; run from the project checkout")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the full-text index out of autogenerate and drift checks (SQLite: the FTS5 table
    quote_fts and its shadow tables; PostgreSQL: the GIN index quote_fts); no model describes it, migration
    0001 creates it by hand."""
    return not (type_ in ("table", "index") and name is not None and name.startswith("quote_fts"))


def alembic_config(url: str | None = None):
    """An Alembic Config built in code, so `whosaid db upgrade` works from any directory without alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # passed as an attribute rather than a main option: configparser would choke on '%' in passwords
    config.attributes["database_url"] = url or get_settings().database_url
    return config


def upgrade_database(url: str | None = None, revision: str = "head") -> None:
    """Bring the database to `revision` (cheap when it is already there)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str | None = None, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)
