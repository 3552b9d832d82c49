"""Domain errors and the handlers that turn every failure into an RFC 9457 problem document, never a stack trace.

Every error response has `Content-Type: application/problem+json` and the body
`{"type", "title", "status", "detail", "instance"}`; errors about a request parameter add `invalid_params`
(`[{"name", "in", "reason"}]`, the extension member RFC 9457 shows). Services raise `NotFound` /
`InvalidParameter`; routers may raise `fastapi.HTTPException` (401, 403, ...) and it gets the same shape.
`type` is a relative URI under /problems/ that the API itself documents (GET /problems/{name}).
"""
from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.config import get_settings
from app.db import is_interrupted

log = logging.getLogger("whosaid")

PROBLEM_MEDIA_TYPE = "application/problem+json"

# name -> (title, what it means); `type` is f"/problems/{name}"
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "not-found": ("Resource not found", "No resource has the id given in the path."),
    "invalid-parameter": ("Invalid parameter",
                          "A query or path parameter is missing, malformed or out of range; `invalid_params` "
                          "names each one and says why."),
    "not-acceptable": ("Not acceptable",
                       "None of the media types in the Accept header can be produced; see the endpoint's "
                       "documentation for the ones it offers."),
    "http-error": ("HTTP error", "An HTTP-level error (unknown path, method not allowed, unauthorised, "
                                 "forbidden, ...); `status` and `detail` say which."),
    "internal-error": ("Internal server error", "The server failed; the details are in its log, never here."),
}


def problem_type(name: str) -> str:
    return f"/problems/{name}"


class NotFound(Exception):
    """A resource asked for by id does not exist."""

    def __init__(self, resource: str, ident: object) -> None:
        super().__init__(f"{resource} {ident} not found")
        self.detail = f"{resource} {ident} not found"


class InvalidParameter(Exception):
    """A parameter passed type validation but is still unusable (e.g. a cursor that does not decode)."""

    def __init__(self, param: str, message: str, where: str = "query") -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message
        self.where = where
        self.detail = f"Invalid value for {_PLACES.get(where, 'parameter')} '{param}': {message}"


class NotAcceptable(Exception):
    """The Accept header asks only for media types the endpoint cannot produce."""

    def __init__(self, offered: list[str]) -> None:
        self.detail = "Acceptable media types here: " + ", ".join(offered)
        super().__init__(self.detail)


_PLACES = {"query": "query parameter", "path": "path parameter", "body": "body field", "header": "header"}


def problem_response(
    request: Request, status: int, name: str, detail: str, *, title: str | None = None,
    headers: dict[str, str] | None = None, **extensions: object,
) -> JSONResponse:
    """One RFC 9457 problem document as a response."""
    body = {
        "type": problem_type(name),
        "title": title or PROBLEM_TYPES[name][0],
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return JSONResponse(status_code=status, content=body, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _invalid_param(error: dict) -> dict:
    """pydantic's {'loc': ('query', 'limit'), 'msg': ...} as {'name': 'limit', 'in': 'query', 'reason': ...}."""
    loc = [str(part) for part in error.get("loc", ())]
    where, name = (loc[0], ".".join(loc[1:])) if len(loc) > 1 else ("", ".".join(loc))
    return {"name": name, "in": where, "reason": error.get("msg", "invalid")}


def _describe(param: dict) -> str:
    """'Invalid value for query parameter 'limit': Input should be less than or equal to 200'."""
    return f"Invalid value for {_PLACES.get(param['in'], 'parameter')} '{param['name']}': {param['reason']}"


async def not_found_handler(request: Request, exc: NotFound) -> JSONResponse:
    return problem_response(request, 404, "not-found", exc.detail)


async def invalid_parameter_handler(request: Request, exc: InvalidParameter) -> JSONResponse:
    return problem_response(request, 422, "invalid-parameter", exc.detail,
                            invalid_params=[{"name": exc.param, "in": exc.where, "reason": exc.message}])


async def not_acceptable_handler(request: Request, exc: NotAcceptable) -> JSONResponse:
    return problem_response(request, 406, "not-acceptable", exc.detail)


async def validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    # the raw input and pydantic's ctx are left out on purpose: they may echo huge or hostile values
    params = [_invalid_param(e) for e in exc.errors()]
    detail = "; ".join(_describe(p) for p in params) or "Invalid request"
    return problem_response(request, 422, "invalid-parameter", detail, invalid_params=params)


async def data_error_handler(request: Request, exc: DataError) -> JSONResponse:
    """The database refused a value of the request (SQLSTATE class 22: a number beyond its column type inside a
    cursor or a name made of digits, ...). PostgreSQL checks what SQLite lets through, so this is the request's
    fault, said as such rather than as a server error."""
    reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
    log.warning("data error on %s %s: %s", request.method, request.url.path, reason)
    return problem_response(request, 422, "invalid-parameter",
                            f"A value of the request is out of what the database can hold: {reason}",
                            invalid_params=[])


async def operational_error_handler(request: Request, exc: OperationalError) -> JSONResponse:
    """A statement stopped at its session's deadline (app/db.py) is a 503 that says so; any other operational
    error is a server failure, re-raised to the 500 handler."""
    if not is_interrupted(exc):
        raise exc
    settings = getattr(request.app.state, "settings", None) or get_settings()
    detail = f"The query took longer than {settings.query_timeout_ms} ms and was stopped; narrow the filters"
    return problem_response(request, 503, "http-error", detail, title=HTTPStatus(503).phrase)


async def http_exception_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """HTTPException from a router or from routing itself (404 unknown path, 405, 401/403 from auth)."""
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "HTTP error"
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem_response(request, exc.status_code, "http-error", detail, title=title,
                            headers=getattr(exc, "headers", None))


async def unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "internal-error", "Internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NotFound, not_found_handler)
    app.add_exception_handler(InvalidParameter, invalid_parameter_handler)
    app.add_exception_handler(NotAcceptable, not_acceptable_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(OperationalError, operational_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(Exception, unhandled_handler)
