"""/entities: the people, organisations and places seen in the articles, and what each one said."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.api.schemas import EntityOut, EntitySummary, ErrorOut, Page, QuotePublic, page_of
from app.deps import MAX_ID, PageDep, SessionDep
from app.services import entities as service
from app.services import quotes as quote_service

router = APIRouter(prefix="/entities", tags=["entities"])
EntityKind = Literal["person", "organization", "location"]
EntityId = Annotated[int, Path(ge=1, le=MAX_ID, description="Entity id (see GET /entities)", examples=[1])]


@router.get("", response_model=Page[EntitySummary], summary="List people, organisations and places")
def list_entities(
    session: SessionDep,
    page: PageDep,
    kind: Annotated[EntityKind | None, Query(description="person | organization | location")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Start of a word of a name or alias")] = None,
):
    """Entities in name order, each with the number of quotes attributed to it."""
    result = service.list_entities(session=session, kind=kind, q=q, limit=page.limit, cursor=page.cursor)
    return page_of(result, EntitySummary.from_stats, page)


@router.get("/{entity_id}", response_model=EntityOut, responses={404: {"model": ErrorOut}},
            summary="One entity with its aliases and counts")
def get_entity(entity_id: EntityId, session: SessionDep):
    return EntityOut.from_detail(service.get_entity(session=session, entity_id=entity_id))


@router.get("/{entity_id}/quotes", response_model=Page[QuotePublic], responses={404: {"model": ErrorOut}},
            summary="Quotes attributed to an entity")
def entity_quotes(entity_id: EntityId, session: SessionDep, page: PageDep):
    """Quotes attributed to this entity, newest first."""
    service.require_entity(session=session, entity_id=entity_id)
    filters = quote_service.QuoteFilters(speaker=str(entity_id))
    result = quote_service.list_quotes(session=session, filters=filters, limit=page.limit, cursor=page.cursor)
    return page_of(result, QuotePublic.from_row, page)
