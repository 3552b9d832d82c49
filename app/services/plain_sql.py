"""Plain SQL on the driver's cursor, inside the transaction of a SQLAlchemy connection: for the statements that
ingestion and utterance grouping run tens of thousands of times per batch.

Through SQLAlchemy each of these small statements cost several times what SQLite spends on it (the cache-key
and compiled-cache lookup, an execution context, parameter and result processing); together they were most of
the store side's CPU. Here a statement is a string with `?` placeholders (`%s` on PostgreSQL's psycopg, put
in by `PlainSql`), so the SQL must not contain a literal `?` or `%`. Driver errors are raised as SQLAlchemy's
(IntegrityError, OperationalError, ...), so callers handle them as before.

Dates: SQLite stores a Date column as ISO text (as SQLAlchemy writes it) and returns that text; `bind_date`
converts on the way in, readers use `as_date` on the way out. PostgreSQL takes and returns dates.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache

from sqlalchemy import Connection

from app.services.driver_sql import raise_driver_error


def marks(n: int) -> str:
    """The placeholders of an IN list of n values: '?,?,?'."""
    return ",".join("?" * n)


def as_date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


@lru_cache(maxsize=1024)
def _pyformat(sql: str) -> str:
    return sql.replace("?", "%s")


class PlainSql:
    """Runs plain SQL on the DBAPI connection under `conn` (its transaction, not a new one)."""

    __slots__ = ("_conn", "_raw", "_dbapi_error", "_sqlite")

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._raw = conn.connection.driver_connection
        self._dbapi_error = conn.dialect.loaded_dbapi.Error
        self._sqlite = conn.dialect.name == "sqlite"

    def bind_date(self, value: date | None):
        return value.isoformat() if self._sqlite and value is not None else value

    def _run(self, sql: str, params, many: bool = False):
        if not self._sqlite:
            sql = _pyformat(sql)
        cursor = self._raw.cursor()
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            return cursor
        except self._dbapi_error as exc:
            cursor.close()
            raise_driver_error(self._conn, exc, sql, params, self._raw, cursor)

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        cursor = self._run(sql, params)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    def scalars(self, sql: str, params: Sequence = ()) -> list:
        return [row[0] for row in self.rows(sql, params)]

    def scalar(self, sql: str, params: Sequence = ()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def execute(self, sql: str, params: Sequence = ()) -> None:
        self._run(sql, params).close()

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        rows = list(rows)
        if rows:
            self._run(sql, rows, many=True).close()
