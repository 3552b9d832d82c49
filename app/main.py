"""The FastAPI application. `app` is what uvicorn serves; tests build their own with `create_app(database_url=...)`.

Start-up upgrades the database to the latest migration. The NLP pipeline is never loaded here: every endpoint
reads the database only.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

import app as package
from app.api import api_router
from app.db import upgrade_database
from app.errors import install_error_handlers


def create_app(*, database_url: str | None = None, upgrade: bool = True) -> FastAPI:
    """A new application on `database_url` (default: the configured one), migrated to head at start-up."""

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        if upgrade:
            await run_in_threadpool(upgrade_database, database_url)
        yield

    api = FastAPI(
        title="whosaid",
        version=package.__version__,
        description="Who said what, where, and in which outlet: quotes and the people who said them, from news.",
        lifespan=lifespan,
    )
    api.state.database_url = database_url
    install_error_handlers(api)
    api.include_router(api_router)
    return api


app = create_app()
