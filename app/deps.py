"""Typed dependencies shared by the routers: the request's read access to the database (app/db.Reader: a time
limit on its statements, closed by the RequestSessions middleware) and the pagination parameters."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.config import get_settings
from app.db import Reader, get_reader_engine
from app.errors import InvalidParameter
from app.models import MAX_ID


SESSIONS_KEY = "whosaid.request_sessions"   # scope key: the sessions opened for this request, closed at its end


async def request_session(request: Request) -> Session:
    """The database access of one request: read-only, one snapshot, a deadline on its statements (app/db.py
    Reader: services take it as their `session`, and an ORM session is made only for what needs one); a
    statement stopped at the deadline becomes a 503 (app/errors.py).

    A plain async function, not a `yield` dependency: FastAPI wraps each of those in a context manager, a
    cancel scope and an exit stack, about a tenth of a page's CPU. RequestSessions closes the session instead,
    once the response is sent. Creating it does no I/O: the connection is taken by the first statement.
    """
    opened = request.scope.get(SESSIONS_KEY)
    if opened is None:
        raise RuntimeError("RequestSessions is not installed: nothing would close this session")
    settings = getattr(request.app.state, "settings", None) or _settings
    reader = Reader(get_reader_engine(getattr(request.app.state, "database_url", None)), settings.query_timeout_ms)
    opened.append(reader)
    return reader   # type: ignore[return-value]  # what read services use of a Session, see Reader


class RequestSessions:
    """ASGI middleware closing the sessions that request_session opened, after the response (streamed or not)
    is sent or the request failed: the connections go back to the pool."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        opened: list[Reader] = []
        scope[SESSIONS_KEY] = opened   # a list, so that copies of the scope made further in share it
        try:
            await self.app(scope, receive, send)
        finally:
            await close_sessions(opened)


async def close_sessions(opened: list[Reader]) -> None:
    """Gives the connections of a request's sessions back to the pool."""
    for session in opened:
        if session.get_bind().dialect.name == "sqlite":
            session.close()   # gives back a local connection: microseconds
        else:
            await run_in_threadpool(session.close)   # a network round trip: not on the event loop


_settings = get_settings()  # page sizes are fixed at start-up so that they can appear in the OpenAPI document

SessionDep = Annotated[Session, Depends(request_session)]


async def no_nul_in_query(request: Request) -> None:   # async: no I/O, so no thread hop
    """A NUL character is never part of a name, a date or a search; PostgreSQL refuses text holding one (a 500
    there), SQLite would just find nothing. Refused up front, alike on both, naming the parameter."""
    for name, value in request.query_params.multi_items():
        if "\x00" in value:
            raise InvalidParameter(name, "must not contain a NUL character")


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
        # as URL.include_query_params(cursor=...) gives (other parameters in order, cursor last), from the
        # already parsed query instead of parsing the query string again
        request = self.request
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        query.append(("cursor", next_cursor))
        scope = request.scope
        path = scope.get("root_path", "") + scope["path"]
        if "?" in path or "#" in path:   # from %3F or %23: only urllib splits that URL as URL.replace does
            url = str(request.url.replace(query=urlencode(query)))
        else:   # the same, without splitting the URL and joining it again
            url = str(request.url)
            query_string = scope.get("query_string", b"").decode()   # as URL decodes it
            url = f"{url[:len(url) - len(query_string) - 1] if query_string else url}?{urlencode(query)}"
        if self.response is not None:
            self.response.headers.append("Link", f'<{url}>; rel="next"')
        return url


async def page_params(   # async: no I/O, so no thread hop
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=_settings.max_page_size,
                                description=f"Items per page (at most {_settings.max_page_size})")]
    = _settings.default_page_size,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` from the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor or None, request=request, response=response)


PageDep = Annotated[PageParams, Depends(page_params)]


IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id")]
