"""Typed dependencies shared by the routers: a database session and the pagination parameters."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from sqlmodel import Session

from app.core.config import get_settings
from app.db import get_session, session_factory

SessionDep = Annotated[Session, Depends(get_session)]

_settings = get_settings()  # page sizes are fixed at start-up so that they can appear in the OpenAPI document


@dataclass(slots=True)
class PageParams:
    limit: int
    cursor: str | None
    request: Request | None = None
    response: Response | None = None

    def link_next(self, next_cursor: str | None) -> str | None:
        """The next page's URL (this request's URL with `cursor` replaced), also set as an RFC 8288 Link header."""
        if next_cursor is None or self.request is None:
            return None
        url = str(self.request.url.include_query_params(cursor=next_cursor))
        if self.response is not None:
            self.response.headers.append("Link", f'<{url}>; rel="next"')
        return url


def page_params(
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=_settings.max_page_size,
                                description=f"Items per page (at most {_settings.max_page_size})")]
    = _settings.default_page_size,
    cursor: Annotated[str | None, Query(description="`next_cursor` from the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor or None, request=request, response=response)


PageDep = Annotated[PageParams, Depends(page_params)]


def session_factory_dep(request: Request) -> Callable[[], Session]:
    """New sessions on the app's database, for responses that stream after the endpoint returns (exports)."""
    return session_factory(getattr(request.app.state, "database_url", None))


SessionFactoryDep = Annotated[Callable[[], Session], Depends(session_factory_dep)]
