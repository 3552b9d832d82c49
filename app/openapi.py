"""The OpenAPI document: tag descriptions, the stability policy, and error responses as application/problem+json.

FastAPI documents every `responses={...: {"model": Problem}}` entry under application/json; our error bodies are
sent as application/problem+json (app/errors.py), so the document is rewritten to say so.
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.errors import PROBLEM_MEDIA_TYPE

DESCRIPTION = """\
Who said what, where, and in which outlet: quotes and the people who said them, from news articles.

**Conventions.** Lists are keyset-paginated: follow `next` in the body or the `Link: <...>; rel="next"` header
(`limit` is at most the documented maximum). Reads carry an `ETag`; send it back in `If-None-Match` to get
`304 Not Modified`. Errors are RFC 9457 `application/problem+json` documents (`type`, `title`, `status`,
`detail`, `instance`, and `invalid_params` naming each offending parameter). Large responses are gzip-compressed
when the client sends `Accept-Encoding: gzip`. `GET /quotes` also streams CSV or NDJSON exports.

**Stability.** Every path is also served under `/v1` (for example `/v1/quotes`); `/v1` is the stable contract.
Within v1, changes are additive only: new endpoints, new optional parameters, new fields in responses (clients
must ignore fields they do not know). Removing or renaming a field or parameter, or changing its meaning, happens
only in a new prefix (`/v2`), with `/v1` kept alongside for at least one release. The unprefixed paths always
follow the newest version.
"""

TAGS = [
    {"name": "quotes", "description": "Direct and reported quotes with exact offsets, speaker, article and outlet"},
    {"name": "entities", "description": "People, organisations and places, with aliases, roles and affiliations"},
    {"name": "articles", "description": "The ingested articles, their cleaned text and their quotes"},
    {"name": "outlets", "description": "The news organisations the articles come from"},
    {"name": "health", "description": "Liveness and row counts"},
    {"name": "meta", "description": "Explanations of the problem types used in error bodies"},
]


def _problem_media_types(schema: dict) -> None:
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[:1] in ("4", "5") and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")


def _summaries_from_docstrings(app: FastAPI) -> None:
    """An endpoint without `summary=` is summarised by its docstring's first paragraph, not its function name."""
    for route in app.routes:
        if isinstance(route, APIRoute) and not route.summary and route.description:
            route.summary = " ".join(route.description.strip().split("\n\n")[0].split()).rstrip(".")


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema is None:
            _summaries_from_docstrings(app)
            schema = get_openapi(title=app.title, version=app.version, description=DESCRIPTION,
                                 routes=app.routes, tags=TAGS)
            _problem_media_types(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
