"""Hot read statements run on the DBAPI cursor of the session's connection, compiled once per dialect.

Executing a Core statement through SQLAlchemy costs more than SQLite spends answering it: the compiled-cache
lookup, an execution context, parameter processing and a CursorResult with a Row per row, on every request.
The statements of a page never change (only their bound values do), so each is compiled once per dialect, its
SQL and bound-parameter names kept, and run as `cursor.execute(sql, params)`. The column types' own bind and
result processors are applied (on SQLite a Date is stored as text), so rows are the same tuples SQLAlchemy
returns, on SQLite and on PostgreSQL. Errors are raised as SQLAlchemy's (app/db.is_interrupted, app/errors.py
see the same exceptions as before).

Statements whose SQL depends on the values (expanding IN lists, literal-rendered values) are not compiled
here: `fetch_all` runs those through SQLAlchemy.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True, slots=True)
class DriverStatement:
    sql: str
    names: tuple[str, ...] | None                 # positional paramstyle: the parameter names in order
    defaults: dict                                 # values bound in the statement itself (literals)
    bind_processors: tuple[tuple[str, object], ...]   # (name, processor) where the type converts values
    result_processors: tuple[tuple[int, object], ...]  # (column index, processor) likewise for results


_compiled: dict[tuple[int, str], tuple[object, DriverStatement | None]] = {}   # (id(stmt), dialect) -> ...


def _compile(stmt, dialect) -> DriverStatement | None:
    compiled = stmt.compile(dialect=dialect)
    if compiled.literal_execute_params or compiled.post_compile_params or compiled.escaped_bind_names:
        return None   # the SQL text depends on the values, or the driver sees other names: SQLAlchemy runs it
    binds = compiled.binds
    defaults = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
    bind_processors = tuple((name, proc) for name, bind in binds.items()
                            if (proc := bind.type._cached_bind_processor(dialect)) is not None)
    result_processors = tuple((i, proc) for i, column in enumerate(stmt.selected_columns)
                              if (proc := column.type._cached_result_processor(dialect, None)) is not None)
    positional = compiled.positional
    return DriverStatement(compiled.string, tuple(compiled.positiontup) if positional else None, defaults,
                           bind_processors, result_processors)


def driver_statement(stmt, dialect) -> DriverStatement | None:
    """`stmt` compiled for `dialect`, on first use. Only for statements built once (module constants or
    cached builds): they are kept by identity."""
    key = (id(stmt), dialect.name)
    entry = _compiled.get(key)
    if entry is None:
        entry = (stmt, _compile(stmt, dialect))   # the statement kept alive with its id
        if len(_compiled) < 4096:   # statements are built once per shape; the bound is a safeguard
            _compiled[key] = entry
    return entry[1]


class BuiltStatements:
    """Statements built on first use, one per key (the shape of a page: its filters and scan), so that each is
    compiled once by `driver_statement`, which keeps compiled statements by identity."""

    __slots__ = ("_built", "_bound")

    def __init__(self, bound: int) -> None:
        self._built: dict = {}
        self._bound = bound   # shapes are combinations of filters and scans, a handful; the bound is a safeguard

    def get(self, key, build):
        stmt = self._built.get(key)
        if stmt is None:
            stmt = build()
            if len(self._built) < self._bound:
                self._built[key] = stmt
        return stmt


def bind_ids(name: str, ids, params: dict) -> str:
    """The filter term for these ids, with its value put in `params`: `name` bound to the one id (f_<name>), a
    statement compiled once, or `<name>s` bound to the list (f_<name>s), an expanding IN that SQLAlchemy runs."""
    if len(ids) == 1:
        params[f"f_{name}"] = ids[0]
        return name
    params[f"f_{name}s"] = list(ids)
    return name + "s"


def raise_driver_error(connection: Connection, exc: Exception, sql: str, params, raw, cursor):
    """Raise the driver's `exc` as SQLAlchemy would (IntegrityError, OperationalError, ...), invalidating the
    connection when the error says it was lost."""
    dialect = connection.dialect
    invalidated = dialect.is_disconnect(exc, raw, cursor)
    if invalidated:
        connection.invalidate(exc)
    raise DBAPIError.instance(sql, params, exc, dialect.loaded_dbapi.Error, connection_invalidated=invalidated,
                              dialect=dialect) from exc


def fetch_all(connection: Connection, stmt, params: dict) -> list[tuple]:
    """All rows of `stmt` with `params` on `connection` (a session's connection: its transaction, snapshot and
    deadline apply), as tuples."""
    dialect = connection.dialect
    compiled = driver_statement(stmt, dialect)
    if compiled is None:
        return [tuple(row) for row in connection.execute(stmt, params).all()]
    values = {**compiled.defaults, **params} if compiled.defaults else dict(params)
    for name, proc in compiled.bind_processors:
        value = values.get(name)
        if value is not None:
            values[name] = proc(value)
    bound = tuple(values[name] for name in compiled.names) if compiled.names is not None else values
    raw = connection.connection.driver_connection
    cursor = raw.cursor()
    try:
        cursor.execute(compiled.sql, bound)
        rows = cursor.fetchall()
    except dialect.loaded_dbapi.Error as exc:
        raise_driver_error(connection, exc, compiled.sql, bound, raw, cursor)
    finally:
        cursor.close()
    if not compiled.result_processors:
        return rows
    processors = compiled.result_processors
    out = []
    for row in rows:
        row = list(row)
        for i, proc in processors:
            if row[i] is not None:
                row[i] = proc(row[i])
        out.append(tuple(row))
    return out
