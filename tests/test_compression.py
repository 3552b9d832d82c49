"""app/compression.GZip answers exactly as Starlette's GZipMiddleware does, for clients with and without gzip."""
from __future__ import annotations

import asyncio

import pytest
from starlette.middleware.gzip import GZipMiddleware

from app.compression import GZip

BIG, SMALL = b"x" * 3000, b"y" * 100


def app_sending(status: int, headers: list, bodies: list[bytes]):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        for i, body in enumerate(bodies):
            await send({"type": "http.response.body", "body": body, "more_body": i < len(bodies) - 1})
    return app


def run(middleware, app, accept_encoding: bytes | None) -> list:
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append({k: (list(v) if k == "headers" else v) for k, v in message.items()})

    headers = [(b"host", b"x")] + ([(b"accept-encoding", accept_encoding)] if accept_encoding else [])
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""}
    asyncio.run(middleware(app, minimum_size=1024)(scope, receive, send))
    return sent


CASES = {
    "large json": (200, [(b"content-type", b"application/json")], [BIG]),
    "small json": (200, [(b"content-type", b"application/json")], [SMALL]),
    "large with vary": (200, [(b"content-type", b"application/json"), (b"vary", b"Accept")], [BIG]),
    "two vary headers": (200, [(b"vary", b"Accept"), (b"content-type", b"text/csv"), (b"vary", b"Origin")], [BIG]),
    "streamed": (200, [(b"content-type", b"text/csv; charset=utf-8")], [SMALL, BIG, b""]),
    "excluded type": (200, [(b"content-type", b"image/png")], [BIG]),
    "excluded family": (200, [(b"content-type", b"video/mp4")], [BIG]),
    "already encoded": (200, [(b"content-type", b"text/plain"), (b"content-encoding", b"br")], [BIG]),
    "partial": (206, [(b"content-type", b"text/plain")], [BIG]),
    "no content type": (200, [], [BIG]),
    "not modified": (304, [(b"etag", b'W/"1"')], [b""]),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("accept", [None, b"gzip, deflate", b"br", b"identity"])
def test_same_answer_as_starlette(case, accept):
    status, headers, bodies = CASES[case]
    app = app_sending(status, headers, bodies)
    assert run(GZip, app, accept) == run(GZipMiddleware, app, accept)
