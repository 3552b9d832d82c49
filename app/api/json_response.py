"""JSON bodies serialised once, by orjson, from plain dicts and lists (or pre-validated pydantic models).

Returning a dict or a model from an endpoint makes FastAPI validate it against the `response_model` and then
serialise it: every field walked twice or more. The read endpoints build their body from service rows
themselves (app/api/schemas.py keeps the two in step, and tests compare them), so they return one of these;
the `response_model` still documents the shape in OpenAPI.
"""
from __future__ import annotations

import orjson
from fastapi import Response
from pydantic import BaseModel

JSON_MEDIA_TYPE = "application/json"


def _default(value):
    if isinstance(value, BaseModel):   # models nested in a dict (pages of EntitySummary, ...)
        return value.__pydantic_serializer__.to_python(value, mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(content, *, headers_from: Response | None = None, status_code: int = 200) -> Response:
    """`content` (dicts, lists, str, int, float, None, dates; models inside) as an application/json response.
    `headers_from`: the endpoint's injected Response, whose headers (Link, Vary) FastAPI would otherwise drop
    when an endpoint returns a Response of its own."""
    return _with_headers(Response(orjson.dumps(content, default=_default), status_code=status_code,
                                  media_type=JSON_MEDIA_TYPE), headers_from)


def model_response(model: BaseModel, *, headers_from: Response | None = None) -> Response:
    """A validated pydantic model, serialised by pydantic-core straight to JSON bytes."""
    return _with_headers(Response(model.__pydantic_serializer__.to_json(model), media_type=JSON_MEDIA_TYPE),
                         headers_from)


def _with_headers(response: Response, headers_from: Response | None) -> Response:
    if headers_from is not None:
        for name, value in headers_from.headers.raw:
            if name not in (b"content-length", b"content-type"):
                response.headers.raw.append((name, value))
    return response
