"""HTTP hardening, driven by settings: a request body size limit and security headers. (The CORS allow-list,
`cors_allow_origins`, is installed in app/main.py.)

The size limit raises HTTPException(413) from inside `receive`, i.e. while the endpoint reads its body, so the
error goes through the application's own exception handlers like any other error.
"""
from __future__ import annotations

from fastapi import FastAPI, HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings


class BodySizeLimit:
    """413 for a body larger than `max_bytes`: refused up front when Content-Length says so, else counted as
    chunks arrive (chunked uploads declare no length)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self) -> HTTPException:   # made only when needed: most requests have no body at all
        return HTTPException(status_code=413, detail=f"Request body too large (limit {self.max_bytes} bytes)")


class SecurityHeaders:
    """Adds headers to every response that does not set them itself."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = encoded(headers)   # once

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = add_missing(list(message.get("headers", ())), self.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_missing(headers: list[tuple[bytes, bytes]], pairs: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` (changed in place) with each of `pairs` whose name is not there yet."""
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for pair in pairs if pair[0] not in present)
    return headers


def encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as ASGI pairs (names in lower case)."""
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


def security_headers(settings: Settings) -> dict[str, str]:
    return {
        "X-Content-Type-Options": "nosniff",          # JSON is never sniffed into HTML
        "X-Frame-Options": "DENY",                    # no clickjacking through frames (old browsers)
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": settings.content_security_policy,
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def install_security(app: FastAPI, settings: Settings) -> None:
    """Call last in create_app: the headers middleware is then outermost, so every answer carries them (CORS
    preflights and 304s too). The body limit works from any position: it acts inside `receive`."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    if settings.security_headers:
        app.add_middleware(SecurityHeaders, headers=security_headers(settings))
