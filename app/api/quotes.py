"""/quotes: who said what, filterable by speaker, outlet, article, words, date and kind."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.api.schemas import ErrorOut, Page, QuotePublic, page_of
from app.deps import PageDep, SessionDep
from app.services import quotes as service

router = APIRouter(prefix="/quotes", tags=["quotes"])
QuoteKind = Literal["speech", "fragment", "indirect", "unattributed"]


@router.get("", response_model=Page[QuotePublic])
def list_quotes(
    session: SessionDep,
    page: PageDep,
    speaker: Annotated[str | None, Query(description="Entity id, or any name or alias ('Putin', 'Mr. Xi')")] = None,
    outlet: Annotated[str | None, Query(description="Outlet id, name or domain")] = None,
    article_id: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=500, description="Words that must all occur in the quote")] = None,
    published_from: Annotated[date | None, Query(description="Earliest publication date (YYYY-MM-DD)")] = None,
    published_to: Annotated[date | None, Query(description="Latest publication date (YYYY-MM-DD)")] = None,
    kind: QuoteKind | None = None,
):
    """Quotes, newest first. An unknown speaker or outlet gives an empty list, not an error."""
    filters = service.QuoteFilters(speaker=speaker, outlet=outlet, article_id=article_id, q=q,
                                   published_from=published_from, published_to=published_to, kind=kind)
    result = service.list_quotes(session=session, filters=filters, limit=page.limit, cursor=page.cursor)
    return page_of(result, QuotePublic.from_row)


@router.get("/{quote_id}", response_model=QuotePublic, responses={404: {"model": ErrorOut}})
def get_quote(quote_id: int, session: SessionDep):
    return QuotePublic.from_row(service.get_quote(session=session, quote_id=quote_id))
