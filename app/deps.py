"""Typed dependencies shared by the routers: a database session (with a time limit on its statements) and the
pagination parameters."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, Response
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.core.config import get_settings
from app.db import get_session, session_factory
from app.errors import InvalidParameter
from app.models import MAX_ID


@contextmanager
def statement_deadline(session: Session, timeout_ms: int) -> Iterator[None]:
    """Abort any statement of this session still running `timeout_ms` after entry (PostgreSQL: each statement
    after `timeout_ms`): a 503 instead of a request that holds a worker for seconds. A safety net only; every
    query is meant to be far faster."""
    dialect = session.get_bind().dialect.name
    if timeout_ms <= 0 or dialect not in ("sqlite", "postgresql"):
        yield
        return
    if dialect == "postgresql":
        # transaction-local (SET LOCAL): gone when the request's transaction ends and the connection is pooled
        session.execute(text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(timeout_ms)})
        try:
            yield
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "57014":   # query_canceled
                raise
            raise _too_slow(timeout_ms) from exc
        return
    raw = session.connection().connection.driver_connection
    deadline = time.monotonic() + timeout_ms / 1000
    raw.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)   # a true result interrupts
    try:
        yield
    except OperationalError as exc:
        if "interrupted" not in str(exc):
            raise
        raise _too_slow(timeout_ms) from exc
    finally:
        raw.set_progress_handler(None, 0)   # the connection goes back to the pool


def _too_slow(timeout_ms: int) -> HTTPException:
    return HTTPException(status_code=503, detail=f"The query took longer than {timeout_ms} ms and was stopped; "
                                                 "narrow the filters")


def request_session(request: Request) -> Iterator[Session]:
    """The session of one request: one read snapshot (GET/HEAD), and a deadline on its statements.

    pysqlite opens no transaction for SELECTs, so each statement would see the database as of its own start: a
    page's `total` and its `items` could disagree while ingestion commits. An explicit BEGIN makes every
    statement of the request read the same snapshot (WAL: it never blocks the writer). PostgreSQL's default
    (READ COMMITTED) has the same problem; a REPEATABLE READ, READ ONLY transaction reads one snapshot and, as
    it writes nothing, can never fail to serialise.
    """
    settings = getattr(request.app.state, "settings", None) or get_settings()
    with contextmanager(get_session)(request) as session:
        dialect = session.get_bind().dialect.name
        # reads only: a write upgrading a stale read snapshot would fail at once (SQLITE_BUSY_SNAPSHOT)
        if request.method in ("GET", "HEAD") and dialect == "sqlite":
            session.connection().exec_driver_sql("BEGIN")
        elif request.method in ("GET", "HEAD") and dialect == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
        with statement_deadline(session, settings.query_timeout_ms):
            yield session


SessionDep = Annotated[Session, Depends(request_session)]


async def no_nul_in_query(request: Request) -> None:   # async: no I/O, so no thread hop
    """A NUL character is never part of a name, a date or a search; PostgreSQL refuses text holding one (a 500
    there), SQLite would just find nothing. Refused up front, alike on both, naming the parameter."""
    for name, value in request.query_params.multi_items():
        if "\x00" in value:
            raise InvalidParameter(name, "must not contain a NUL character")

_settings = get_settings()  # page sizes are fixed at start-up so that they can appear in the OpenAPI document


@dataclass(slots=True)
class PageParams:
    limit: int
    cursor: str | None
    request: Request | None = None
    response: Response | None = None

    def link_next(self, next_cursor: str | None) -> str | None:
        """The next page's URL (this request's URL with `cursor` replaced), also set as an RFC 8288 Link header."""
        if next_cursor is None or self.request is None:
            return None
        url = str(self.request.url.include_query_params(cursor=next_cursor))
        if self.response is not None:
            self.response.headers.append("Link", f'<{url}>; rel="next"')
        return url


def page_params(
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=_settings.max_page_size,
                                description=f"Items per page (at most {_settings.max_page_size})")]
    = _settings.default_page_size,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` from the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor or None, request=request, response=response)


PageDep = Annotated[PageParams, Depends(page_params)]


def session_factory_dep(request: Request) -> Callable[[], Session]:
    """New sessions on the app's database, for responses that stream after the endpoint returns (exports)."""
    return session_factory(getattr(request.app.state, "database_url", None))


SessionFactoryDep = Annotated[Callable[[], Session], Depends(session_factory_dep)]


IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id")]
