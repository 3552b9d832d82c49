"""Database plumbing: the constraint naming convention, engines with SQLite pragmas, sessions, and migrations.

The schema is owned by Alembic (migrations/); nothing here calls `create_all`.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel

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
# key of a pooled connection's .info: True for the API's query_only connections (services/snapshot_cache.py)
READ_ONLY = "whosaid.read_only"


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database).expanduser()
    return None


def _prepare_sqlite_file(url: str) -> None:
    """Create the parent folder of a SQLite file (./data/ by default) so a fresh checkout just works."""
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def sqlite_pragmas(*, foreign_keys: bool = True, query_only: bool = False) -> tuple[str, ...]:
    """The PRAGMAs every new SQLite connection runs: WAL, NORMAL sync, a busy timeout, the mmap and page cache
    sizes from the settings, FK checks (writers) or query_only (the API's readers)."""
    settings = get_settings()
    pragmas = SQLITE_PRAGMAS + (f"mmap_size={settings.sqlite_mmap_bytes}", f"cache_size={-settings.sqlite_cache_kib}")
    if foreign_keys:
        pragmas += ("foreign_keys=ON",)
    if query_only:
        pragmas += ("query_only=ON",)   # last: journal_mode=WAL above may still have to write the header
    return pragmas


def make_engine(url: str, *, foreign_keys: bool = True, query_only: bool = False) -> Engine:
    """A new engine; for SQLite, every connection gets the PRAGMAs of `sqlite_pragmas`.

    Migrations pass foreign_keys=False: batch mode recreates tables, which must not cascade or fail on FKs.
    `query_only=True` makes the read engine of the API: its connections refuse any write, and each checkout
    reads one snapshot (see ReaderSession).
    """
    _prepare_sqlite_file(url)
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    kwargs: dict = {}
    if is_sqlite:
        # FastAPI runs sync endpoints in a threadpool; pooled connections move between those threads
        kwargs["connect_args"] = {"check_same_thread": False}
        if not foreign_keys:
            kwargs["poolclass"] = NullPool
    if query_only:
        # enough connections for the threads that run endpoints (AnyIO's default limiter has 40)
        # LIFO: the same few connections serve a steady load, so their caches (SQLite's pages, the snapshot
        # cache of services/snapshot_cache.py) stay warm
        size = get_settings().reader_pool_size
        kwargs.update(pool_size=size, max_overflow=max(0, 40 - size), pool_use_lifo=True)
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        pragmas = sqlite_pragmas(foreign_keys=foreign_keys, query_only=query_only)

        @event.listens_for(engine, "connect")
        def _set_pragmas(dbapi_connection, record) -> None:  # pragma: no cover - exercised on every connect
            cursor = dbapi_connection.cursor()
            for pragma in pragmas:
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
            record.info[READ_ONLY] = query_only

        if query_only:
            @event.listens_for(engine, "checkin")
            def _clear_deadline(dbapi_connection, _record) -> None:
                if dbapi_connection is not None:   # a statement deadline belongs to one checkout only
                    dbapi_connection.set_progress_handler(None, 0)

    return engine


@lru_cache(maxsize=8)
def _engine_for(url: str, query_only: bool) -> Engine:
    return make_engine(url, query_only=query_only)


def get_engine(url: str | None = None) -> Engine:
    """The process-wide read-write engine for `url` (default: the configured database), created on first use:
    ingestion, POST /articles, the command line."""
    return _engine_for(url or get_settings().database_url, False)


def get_reader_engine(url: str | None = None) -> Engine:
    """The process-wide read-only engine (query_only connections) that answers the API's requests."""
    return _engine_for(url or get_settings().database_url, True)


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


class ReaderSession(Session):
    """A session on the read-only engine. On SQLite its first statement opens a read transaction (BEGIN), so
    every statement of the session reads the same snapshot, and `info["deadline_ms"]` (if set) bounds how long
    the statements of the session may run in total; past it SQLite interrupts them ("interrupted").

    pysqlite opens no transaction for SELECTs, so without the BEGIN each statement would see the database as of
    its own start: a page's `total` and its `items` could disagree while ingestion commits. In WAL mode an open
    read transaction never blocks the writer.
    """


def begin_read(connection: Connection, deadline_ms: int = 0) -> None:
    """Start a read of one snapshot on a connection whose transaction has just begun, with a time limit on its
    statements (0: none); what ReaderSession and Reader do on their first statement."""
    if connection.dialect.name == "postgresql":
        # the first statement of the transaction: one snapshot for all of it (READ COMMITTED would take one per
        # statement), read only, and the deadline as statement_timeout (transaction-local: gone at its end)
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if deadline_ms > 0:
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(deadline_ms)}")
        return
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.driver_connection
    raw.execute("BEGIN")
    if deadline_ms > 0:
        deadline = time.monotonic() + deadline_ms / 1000
        raw.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)   # a true result interrupts


@event.listens_for(ReaderSession, "after_begin")
def _read_snapshot(session: Session, _transaction, connection) -> None:
    begin_read(connection, session.info.get("deadline_ms") or 0)


class Reader:
    """One API request's read access, without an ORM session unless a service asks for one.

    `connection()` takes a connection of the read-only engine on first use (on SQLite one kept from an earlier
    request, see _idle_readers) and begins the read as ReaderSession does (one snapshot, the statement
    deadline): the hot read paths run their statements on it (services/driver_sql.py,
    services/snapshot_cache.py). Anything else a service calls on its `session` (`exec`, `execute`, `get`, ...)
    goes to an ORM Session made on first use over that same connection, so it reads the same snapshot. Building
    and closing an ORM session costs about 0.1 ms, a tenth of a whole page, and most requests never need one.
    Closed by app/deps.RequestSessions (or app/api/direct.py).
    """

    __slots__ = ("engine", "info", "_connection", "_session")

    def __init__(self, engine: Engine, deadline_ms: int = 0) -> None:
        self.engine = engine
        self.info = {"deadline_ms": deadline_ms}
        self._connection: Connection | None = None
        self._session: Session | None = None

    def get_bind(self) -> Engine:
        return self.engine

    def connection(self) -> Connection:
        connection = self._connection
        if connection is None:
            connection = _take_reader_connection(self.engine)
            try:
                if connection.dialect.name != "sqlite":
                    connection.begin()   # on SQLite begin_read's BEGIN is the transaction (_give_back_reader_connection)
                begin_read(connection, self.info["deadline_ms"])
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return connection

    @property
    def session(self) -> Session:
        """An ORM session on this reader's connection (its transaction, snapshot and deadline)."""
        if self._session is None:
            self._session = Session(bind=self.connection())
        return self._session

    def __getattr__(self, name: str):
        return getattr(self.session, name)   # only for what the slots above do not provide

    def close(self) -> None:
        session, connection = self._session, self._connection
        self._session = self._connection = None
        try:
            if session is not None:
                session.close()
        finally:
            if connection is not None:
                _give_back_reader_connection(self.engine, connection)


# SQLite read engine -> (its pool, Connections kept checked out of it between requests). A pool checkout and
# checkin (fairy, events, the reset on return) cost about a tenth of a page; a Reader takes one of these
# instead and gives it back rolled back, its deadline cleared. Keyed by the pool too: after engine.dispose()
# the old connections are closed, not reused. Not on PostgreSQL, where dispose() must find every connection
# back in the pool (and a checkout is small beside a round trip).
_idle_readers: WeakKeyDictionary[Engine, tuple[object, list[Connection]]] = WeakKeyDictionary()


def _take_reader_connection(engine: Engine) -> Connection:
    held = _idle_readers.get(engine)
    if held is not None and held[0] is engine.pool:
        try:
            return held[1].pop()   # LIFO, as the pool: the same few connections keep their caches warm
        except IndexError:
            pass
    return engine.connect()


def _give_back_reader_connection(engine: Engine, connection: Connection) -> None:
    if connection.dialect.name != "sqlite" or connection.invalidated:
        connection.close()   # rolls the read back and returns the connection to the pool
        return
    try:
        if connection.in_transaction():   # a statement through SQLAlchemy (an ORM session) began one
            connection.rollback()
        else:   # only begin_read's BEGIN: SQLAlchemy's rollback (events, transaction objects) cost ~15 us a page
            connection.connection.driver_connection.rollback()
        connection.connection.driver_connection.set_progress_handler(None, 0)   # the deadline was this read's
    except BaseException:
        connection.close()
        raise
    held = _idle_readers.get(engine)
    if held is None or held[0] is not engine.pool:
        for stale in held[1] if held is not None else ():
            stale.close()
        held = _idle_readers[engine] = (engine.pool, [])
    if len(held[1]) < get_settings().reader_pool_size:
        held[1].append(connection)
    else:
        connection.close()


def reader_session(url: str | None = None, deadline_ms: int = 0) -> ReaderSession:
    """A new read-only session (no connection is taken until its first statement)."""
    session = ReaderSession(get_reader_engine(url))
    session.info["deadline_ms"] = deadline_ms
    return session


def reader_session_factory(url: str | None = None) -> Callable[[], Session]:
    """Like session_factory, on the read-only engine: for reads that outlive their request (streamed exports)."""
    get_reader_engine(url)   # created now, not in the middle of a stream
    return lambda: reader_session(url)


def is_interrupted(exc: Exception) -> bool:
    """Whether a database error is a statement stopped past its session's deadline (SQLite: "interrupted";
    PostgreSQL: query_canceled by statement_timeout)."""
    return isinstance(exc, OperationalError) and (
        "interrupted" in str(exc) or getattr(exc.orig, "sqlstate", None) == "57014")


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
