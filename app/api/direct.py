"""Direct answers to the planned read routes: one pass instead of Starlette's routing and middleware stack.

A GET page went through a dozen layers before its endpoint ran: FastAPI's error, telemetry and body-limit
middleware, ours (security headers, body limit, gzip, conditional GET, request sessions), Starlette's exception
middleware, FastAPI's exit stack, the router (each route's regex, in `matches` and again in `handle`) and the
route's request/response wrapper, each a coroutine and most wrapping `send`: about 40% of a page's CPU.
`WhosaidAPI` answers the GET requests of PlannedRoutes (app/api/planned.py) itself:

- the route is the first of the application's routes, in their order, whose path matches; if that is not a
  planned GET route, the whole stack answers as before;
- the plan runs; its exceptions go to the application's exception handlers, as Starlette's exception middleware
  sends them, and what no handler takes to its ServerErrorMiddleware (the 500 handler, then re-raised);
- a response with its whole body, to a client that does not accept gzip, from an application without CORS, gets in one pass what our middleware would add: Cache-Control, the ETag or a 304
  (app/http_cache.py), Vary (app/compression.py) and the security headers (app/security.py). Any other
  response (streamed exports, gzip, CORS, background tasks) is sent through the application's own middleware;
- the database sessions the request opened are closed once it is answered, as RequestSessions does;
- an answer sent in one pass with status 200 is kept (app/page_cache.py) and sent again, without running the
  route, to the same request until the database changes.

Everything else (other methods and routes, dependency overrides, `app.state.planned_routes = False`) goes
through FastAPI. tests/test_direct_reads.py compares the two ways on every kind of answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.routing import Match, get_route_path
from starlette.types import Receive, Scope, Send

from app.api.planned import plan_for
from app.compression import GZip, accepts_gzip
from app.deps import SESSIONS_KEY, close_sessions
from app.http_cache import conditional, etag_matches, not_modified_headers
from app.page_cache import KeptPage, PageCache, page_key
from app.security import add_missing

RESPONSE_KEY = "whosaid.direct_response"   # scope key: the response for the middleware to send (`_send_response`)
PAGE_KEY = "whosaid.page_key"   # scope key: (page key, data_version read before answering), for the page cache


@dataclass(frozen=True, slots=True)
class DirectHeaders:
    """What our middleware adds to a whole response, for the one-pass answer (app/main.py fills it in from the
    same settings)."""
    cache_control: bytes
    gzip: GZip                           # its minimum size and excluded types decide Vary
    security: list[tuple[bytes, bytes]]  # encoded, as SecurityHeaders adds them
    cors: bool                           # whether CORSMiddleware is installed: it answers through it


@dataclass(frozen=True, slots=True)
class _Entry:
    route: Any
    regex: Any              # the route's path regex, or None: ask `route.matches`
    plan: Any               # a planned GET route's plan, else None: the stack answers whatever this matches
    convertors: dict


class WhosaidAPI(FastAPI):
    direct: DirectHeaders | None = None   # set by create_app; None: every request goes through FastAPI
    page_cache: PageCache | None = None   # set by create_app on SQLite files: answers kept until the data changes
    _table: tuple[int, list[_Entry]] | None = None   # (number of routes it was built from, the routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "GET" and self.direct is not None
                and not self.dependency_overrides and getattr(self.state, "planned_routes", True)):
            cache = self.page_cache
            if cache is not None and not accepts_gzip(scope):
                key, version = page_key(scope), cache.version()
                kept = cache.get(key, version)
                if kept is not None:
                    await _send_kept(self.direct, kept, _if_none_match(scope), send)
                    return
                scope[PAGE_KEY] = (key, version)
            found = self._planned_route(scope)
            if found is not None:
                scope["app"] = self
                scope[SESSIONS_KEY] = []
                scope["path_params"] = found[1]
                scope[RESPONSE_KEY] = found[0]
                await self._server_errors(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    # ---------- routing ----------

    def _planned_route(self, scope: Scope) -> tuple[Any, dict] | None:
        """(plan, path parameters) of the route that answers this GET, if it is a planned one."""
        path = get_route_path(scope)
        for entry in self._entries():
            if entry.regex is None:
                if entry.route.matches(scope)[0] is not Match.NONE:
                    return None
                continue
            match = entry.regex.match(path)
            if match is None:
                continue
            if entry.plan is None:
                return None
            params = dict(scope.get("path_params", {}))
            for name, value in match.groupdict().items():
                params[name] = entry.convertors[name].convert(value)
            return entry.plan, params
        return None

    def _entries(self) -> list[_Entry]:
        """The application's routes in matching order, included routers flattened; rebuilt if routes were added."""
        table = self._table
        if table is None or table[0] != len(self.router.routes):
            entries = []
            for route in _flattened(self.router.routes):
                plan = plan_for(route)
                if plan is not None and "GET" not in (route.methods or ()):
                    plan = None
                regex = getattr(route, "path_regex", None)
                entries.append(_Entry(route, regex, plan, getattr(route, "param_convertors", {})))
            table = self._table = (len(self.router.routes), entries)
            self._build_direct_stack()
        return table[1]

    # ---------- answering ----------

    def _build_direct_stack(self) -> None:
        error_handler, self._status_handlers, self._class_handlers = None, {}, {}
        for key, handler in self.exception_handlers.items():   # split as FastAPI's build_middleware_stack does
            if key in (500, Exception):
                error_handler = handler
            elif isinstance(key, int):
                self._status_handlers[key] = handler
            else:
                self._class_handlers[key] = handler
        self._server_errors = ServerErrorMiddleware(self._answer, handler=error_handler, debug=self.debug)
        middleware = _send_response
        for cls, args, kwargs in reversed(self.user_middleware):
            middleware = cls(middleware, *args, **kwargs)
        self._middleware = middleware   # our middleware around a response: for what one pass does not do

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        opened = scope[SESSIONS_KEY]   # RequestSessions, in the middleware below, would put a new list there
        try:
            try:
                response = await scope[RESPONSE_KEY].run(request)
            except Exception as exc:
                response = await self._handled(request, exc)
            if self._one_pass(scope, response):
                await self._send_one_pass(scope, response, send)
            else:
                scope[RESPONSE_KEY] = response
                await self._middleware(scope, receive, send)
        finally:
            await close_sessions(opened)

    async def _handled(self, request: Request, exc: Exception) -> Response:
        """The response of the application's handler for `exc` (as ExceptionMiddleware finds it), or `exc`."""
        handler = None
        if isinstance(exc, HTTPException):
            handler = self._status_handlers.get(exc.status_code)
        if handler is None:
            for cls in type(exc).__mro__:
                if cls in self._class_handlers:
                    handler = self._class_handlers[cls]
                    break
        if handler is None:
            raise exc
        return await handler(request, exc)   # ours are all async (app/errors.py)

    def _one_pass(self, scope: Scope, response: Response) -> bool:
        if (type(response).__call__ is not Response.__call__ or response.background is not None
                or self.direct.cors):
            return False   # streamed, a file, work to do after sending, or CORS (Vary: Origin on every answer)
        return not accepts_gzip(scope)

    async def _send_one_pass(self, scope: Scope, response: Response, send: Send) -> None:
        direct = self.direct
        status, headers, body = conditional("GET", response.status_code, list(response.raw_headers),
                                            response.body, None, direct.cache_control)
        etag = next((value.decode("latin-1") for name, value in headers if name == b"etag"), None)
        conditional_headers = list(headers)
        page = KeptPage(status, add_missing(direct.gzip.identity(status, headers, body), direct.security), body,
                        etag, conditional_headers)
        cache, keyed = self.page_cache, scope.get(PAGE_KEY)
        if cache is not None and keyed is not None and status == 200 and etag is not None:
            cache.put(keyed[0], keyed[1], page)
        await _send_kept(direct, page, _if_none_match(scope), send)


async def _send_kept(direct: DirectHeaders, page: KeptPage, if_none_match: str | None, send: Send) -> None:
    """A whole answer, or the 304 that ConditionalGetMiddleware would make of it for this If-None-Match."""
    status, headers, body = page.status, page.headers, page.body
    if if_none_match and page.etag is not None and etag_matches(if_none_match, page.etag):
        status, body = 304, b""
        headers = add_missing(direct.gzip.identity(304, not_modified_headers(page.conditional_headers), body),
                              direct.security)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _if_none_match(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return value.decode("latin-1")
    return None


async def _send_response(scope: Scope, receive: Receive, send: Send) -> None:
    await scope[RESPONSE_KEY](scope, receive, send)


def _flattened(routes):
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)   # FastAPI >= 0.160: an included router
        if candidates is not None:
            yield from _flattened(candidates())
        else:
            yield route
