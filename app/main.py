"""The FastAPI application. `app` is what uvicorn serves; tests build their own with `create_app(database_url=...)`.

Start-up upgrades the database to the latest migration. Read endpoints never load the NLP pipeline; the one
write that needs it (POST /articles) loads it on its first call.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import app as package
from app.api import explorer, include_api
from app.api.direct import DirectHeaders, WhosaidAPI
from app.compression import GZip
from app.core.config import Settings, get_settings
from app.db import sqlite_file, upgrade_database
from app.deps import RequestSessions
from app.errors import install_error_handlers
from app.http_cache import ConditionalGetMiddleware
from app.openapi import install_openapi
from app.page_cache import PageCache
from app.security import encoded, install_security, security_headers

GZIP_MINIMUM_SIZE = 1024   # bytes: smaller answers are sent as they are
API_VERSION_PREFIX = "/v1"  # the stable contract; unprefixed paths follow the newest version (app/openapi.py)


def create_app(*, database_url: str | None = None, upgrade: bool = True, settings: Settings | None = None) -> WhosaidAPI:
    """A new application on `database_url` (default: the configured one), migrated to head at start-up.
    `settings` (default: the configured ones) give the CORS origins, body size limit and security headers."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        if upgrade:
            await run_in_threadpool(upgrade_database, database_url)
        try:
            yield
        finally:
            if api.page_cache is not None:
                api.page_cache.close()

    api = WhosaidAPI(
        title="whosaid",
        version=package.__version__,
        description="Who said what, where, and in which outlet: quotes and the people who said them, from news.",
        lifespan=lifespan,
    )
    api.state.database_url = database_url
    api.state.settings = settings
    api.state.planned_routes = True   # False: FastAPI's own handling for every request (tests compare the two)
    install_error_handlers(api)
    include_api(api)
    include_api(api, prefix=API_VERSION_PREFIX, include_in_schema=False)
    api.include_router(explorer.router)
    api.mount("/web", StaticFiles(directory=explorer.WEB_DIR), name="web")
    install_openapi(api)

    # outermost last: CORS sees every response (errors too), gzip compresses what the ETag was computed on
    cache_control = f"public, max-age={settings.cache_max_age}" if settings.cache_max_age > 0 else "no-cache"
    api.add_middleware(RequestSessions)   # closes each request's database session once it is answered
    api.add_middleware(ConditionalGetMiddleware, cache_control=cache_control)
    api.add_middleware(GZip, minimum_size=GZIP_MINIMUM_SIZE)
    if settings.cors_allow_origins:
        api.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type", "If-None-Match", "Authorization", "X-API-Key"],
            expose_headers=["ETag", "Link", "Content-Disposition"],
            max_age=600,
        )
    install_security(api, settings)   # outermost: preflight answers and 304s carry the security headers too
    # what the middleware above adds, for the planned routes' answers that skip it (app/api/direct.py)
    api.direct = DirectHeaders(
        cache_control=cache_control.encode("latin-1"),
        gzip=GZip(None, minimum_size=GZIP_MINIMUM_SIZE),
        security=encoded(security_headers(settings)) if settings.security_headers else [],
        cors=bool(settings.cors_allow_origins))
    api.page_cache = page_cache(database_url or settings.database_url, settings.page_cache_mb)
    return api


def page_cache(database_url: str, megabytes: int) -> PageCache | None:
    """The store of whole answers, on a SQLite file only (app/page_cache.py)."""
    path = sqlite_file(database_url)
    return PageCache(path, megabytes << 20) if path is not None and megabytes > 0 else None


app = create_app()
