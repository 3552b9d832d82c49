"""HTTP routers, one module per resource. They parse parameters, call a service and shape the answer.

The read endpoints are `async def` and run their (synchronous) service calls on the event loop: a page is a few
index range scans of local SQLite, shorter than the hop to a worker thread and back, and on one core the thread
pool only adds GIL hand-offs (measured with benchmarks/http_bench.py: 838 -> 980 req/s and p99 68 -> 14 ms for a
hot speaker's page). Anything slow is bounded by the statement deadline (WHOSAID_QUERY_TIMEOUT_MS). Writes
(POST /articles: seconds of NLP) stay `def`, in the thread pool, and so do streamed exports.
"""
from fastapi import Depends, FastAPI

from app.api import articles, entities, health, outlets, problems, quotes, utterances, verify
from app.api.schemas import Problem
from app.deps import no_nul_in_query

# our problem+json bodies (app/errors.py) replace FastAPI's default 422, so document them instead
INVALID = {422: {"model": Problem, "description": "Invalid parameter"},
           500: {"model": Problem, "description": "Internal server error"}}

CHECKED = [Depends(no_nul_in_query)]

CHECKED_OPTIONS = {"responses": INVALID, "dependencies": CHECKED}
# (router, include_router options), in the order of the OpenAPI document
ROUTERS = [*[(module.router, CHECKED_OPTIONS) for module in (quotes, entities, articles, outlets, problems)],
           (entities.speakers_router, CHECKED_OPTIONS),
           (health.router, {}),
           *[(module.router, CHECKED_OPTIONS) for module in (utterances, verify)]]


def include_api(app: FastAPI, prefix: str = "", include_in_schema: bool = True) -> None:
    """Every resource router, included in `app` itself rather than through one more router: FastAPI matches a
    request level by level (twice each: `matches`, then `handle`), so each level of inclusion is paid on every
    request."""
    for router, options in ROUTERS:
        app.include_router(router, prefix=prefix, include_in_schema=include_in_schema, **options)
