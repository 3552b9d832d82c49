"""Domain errors and the handlers that turn every failure into a JSON body, never a stack trace.

Services raise `NotFound` / `InvalidParameter`; the API maps them to 404 / 422. Request validation errors get
a one-line `detail` naming the offending parameter, with pydantic's list kept under `errors`.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

log = logging.getLogger("whosaid")


class NotFound(Exception):
    """A resource asked for by id does not exist."""

    def __init__(self, resource: str, ident: object) -> None:
        super().__init__(f"{resource} {ident} not found")
        self.detail = f"{resource} {ident} not found"


class InvalidParameter(Exception):
    """A parameter passed type validation but is still unusable (e.g. a cursor that does not decode)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param
        self.message = message
        self.detail = f"Invalid value for parameter '{param}': {message}"


def _describe(error: dict) -> str:
    """'Invalid value for query parameter 'limit': Input should be less than or equal to 200'."""
    loc = [str(part) for part in error.get("loc", ())]
    where, name = (loc[0], ".".join(loc[1:])) if len(loc) > 1 else ("", ".".join(loc))
    place = {"query": "query parameter", "path": "path parameter", "body": "body field"}.get(where, "parameter")
    return f"Invalid value for {place} '{name}': {error.get('msg', 'invalid')}"


async def not_found_handler(_request: Request, exc: NotFound) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": exc.detail})


async def invalid_parameter_handler(_request: Request, exc: InvalidParameter) -> JSONResponse:
    return JSONResponse(
        status_code=422,
        content={"detail": exc.detail, "errors": [{"loc": ["query", exc.param], "msg": exc.message}]},
    )


async def validation_handler(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    detail = "; ".join(_describe(e) for e in errors) or "Invalid request"
    # ctx may hold exception objects; jsonable_encoder makes them strings. The raw input is left out on purpose.
    cleaned = [{k: v for k, v in e.items() if k not in ("input", "url")} for e in errors]
    return JSONResponse(status_code=422, content={"detail": detail, "errors": jsonable_encoder(cleaned)})


async def unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(status_code=500, content={"detail": "Internal server error"})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NotFound, not_found_handler)
    app.add_exception_handler(InvalidParameter, invalid_parameter_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(Exception, unhandled_handler)
