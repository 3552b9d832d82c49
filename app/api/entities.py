"""/entities: the people, organisations and places seen in the articles, and what each one said."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.api.schemas import EntityOut, EntitySummary, ErrorOut, Page, QuotePublic, page_of
from app.deps import PageDep, SessionDep
from app.services import entities as service
from app.services import quotes as quote_service

router = APIRouter(prefix="/entities", tags=["entities"])
EntityKind = Literal["person", "organization", "location"]


@router.get("", response_model=Page[EntitySummary])
def list_entities(
    session: SessionDep,
    page: PageDep,
    kind: EntityKind | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Start of a word of a name or alias")] = None,
):
    """Entities in name order, each with the number of quotes attributed to it."""
    result = service.list_entities(session=session, kind=kind, q=q, limit=page.limit, cursor=page.cursor)
    return page_of(result, EntitySummary.from_stats)


@router.get("/{entity_id}", response_model=EntityOut, responses={404: {"model": ErrorOut}})
def get_entity(entity_id: int, session: SessionDep):
    return EntityOut.from_detail(service.get_entity(session=session, entity_id=entity_id))


@router.get("/{entity_id}/quotes", response_model=Page[QuotePublic], responses={404: {"model": ErrorOut}})
def entity_quotes(entity_id: int, session: SessionDep, page: PageDep):
    """Quotes attributed to this entity, newest first."""
    service.require_entity(session=session, entity_id=entity_id)
    filters = quote_service.QuoteFilters(speaker=str(entity_id))
    result = quote_service.list_quotes(session=session, filters=filters, limit=page.limit, cursor=page.cursor)
    return page_of(result, QuotePublic.from_row)
