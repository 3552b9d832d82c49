"""Gzip for clients that accept it, and nothing but the `Vary` header for the others, cheaply.

Starlette's GZipMiddleware builds a responder per request even for a client that does not accept gzip (wrk,
curl, most API clients and bots): it normalises its list of excluded content types again and parses the
response headers twice, about 20 µs a request, a twentieth of a page. `GZip` hands the requests that accept gzip
to Starlette's middleware unchanged and answers the others itself, doing what Starlette's IdentityResponder
does: a response of at least `minimum_size` bytes (or streamed), not already encoded, not partial and not of an
excluded type, gets `Vary: Accept-Encoding` (joined to the existing Vary values, as
MutableHeaders.add_vary_header does), and nothing else changes. tests/test_compression.py compares the two on every kind of response.
"""
from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Message, Receive, Scope, Send


def accepts_gzip(scope: Scope) -> bool:
    """Whether the request's Accept-Encoding names gzip."""
    return any(name == b"accept-encoding" and b"gzip" in value for name, value in scope["headers"])


class GZip(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or accepts_gzip(scope):
            await super().__call__(scope, receive, send)
            return
        held: Message | None = None

        async def send_identity(message: Message) -> None:
            nonlocal held
            kind = message["type"]
            if kind == "http.response.start":
                if not self._may_vary(message["status"], message.get("headers", ())):
                    await send(message)
                    return
                held = message   # until the first body says whether the response is large enough
                return
            if held is not None and kind == "http.response.body":
                start, held = held, None
                if message.get("more_body", False) or len(message.get("body", b"")) >= self.minimum_size:
                    start["headers"] = _add_vary(list(start.get("headers", ())))
                await send(start)
            elif held is not None and kind == "http.response.pathsend":
                start, held = held, None
                await send(start)
            await send(message)

        await self.app(scope, receive, send_identity)

    def identity(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> list[tuple[bytes, bytes]]:
        """The headers of a whole response (not streamed) to a client that does not accept gzip."""
        if len(body) >= self.minimum_size and self._may_vary(status, headers):
            return _add_vary(headers)
        return headers

    def _may_vary(self, status: int, headers) -> bool:
        """Not partial, not already encoded and not of an excluded content type."""
        if status == 206:
            return False
        media = ""
        for name, value in headers:
            name = name.lower()
            if name == b"content-encoding":
                return False
            if name == b"content-type" and not media:
                media = value.decode("latin-1").partition(";")[0].strip().lower()
        types = {media, media.partition("/")[0] + "/*"}
        if media.startswith("application/grpc+"):
            types.add("application/grpc")
        return types.isdisjoint(self.exclude_content_types)


def _add_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Every Vary value and Accept-Encoding, joined in the first Vary header, the others dropped (as
    MutableHeaders.add_vary_header does)."""
    found = [i for i, (name, _) in enumerate(headers) if name.lower() == b"vary"]
    if not found:
        headers.append((b"vary", b"Accept-Encoding"))
        return headers
    headers[found[0]] = (b"vary", b", ".join([*(headers[i][1] for i in found), b"Accept-Encoding"]))
    for i in reversed(found[1:]):
        del headers[i]
    return headers
