"""Typed dependencies shared by the routers: a database session and the pagination parameters."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from sqlmodel import Session

from app.core.config import get_settings
from app.db import get_session

SessionDep = Annotated[Session, Depends(get_session)]

_settings = get_settings()  # page sizes are fixed at start-up so that they can appear in the OpenAPI document


@dataclass(slots=True)
class PageParams:
    limit: int
    cursor: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=_settings.max_page_size,
                                description=f"Items per page (at most {_settings.max_page_size})")]
    = _settings.default_page_size,
    cursor: Annotated[str | None, Query(description="`next_cursor` from the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor or None)


PageDep = Annotated[PageParams, Depends(page_params)]
