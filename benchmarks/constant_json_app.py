"""The framework's ceiling for benchmarks/http_bench.py: a bare Starlette app answering every GET with the same
2 KB JSON document (no database, no validation, no middleware)."""
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = (b'{"items":[' + b",".join(b'{"id":%d,"text":"%s"}' % (i, b"x" * 80) for i in range(20)) + b"]}")[:2048]
BODY = BODY + b" " * (2048 - len(BODY))   # exactly 2 KB, still valid JSON (trailing whitespace)


async def constant(_request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", constant)])
