"""/entities and /speakers: the people, organisations and places seen in the articles, and what each one said."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.api.planned import PlannedRoute
from app.api.json_response import json_response
from app.api.schemas import EntityOut, EntitySummary, ErrorOut, MentionOut, Page, QuotePublic, page_of, quote_item
from app.deps import MAX_ID, PageDep, SessionDep
from app.services import entities as service
from app.services import quotes as quote_service

router = APIRouter(prefix="/entities", tags=["entities"], route_class=PlannedRoute)
speakers_router = APIRouter(prefix="/speakers", tags=["entities"], route_class=PlannedRoute)
EntityKind = Literal["person", "organization", "location"]
EntityId = Annotated[int, Path(ge=1, le=MAX_ID, description="Entity id (see GET /entities)", examples=[1])]
EntitySort = Literal["name", "-quotes", "-mentions"]
KindQ = Annotated[EntityKind | None, Query(description="person | organization | location")]
SearchQ = Annotated[str | None, Query(max_length=200, description=(
    "Start of a word of a name or alias ('puti'), a full name in any form ('President Vladimir V. Putin'), "
    "a single name (every bearer), or a description by role ('the Russian president')"))]


@router.get("", response_model=Page[EntitySummary], summary="List people, organisations and places")
async def list_entities(
    session: SessionDep,
    page: PageDep,
    kind: KindQ = None,
    q: SearchQ = None,
    sort: Annotated[EntitySort, Query(description="name, or most quotes / mentions first")] = "name",
):
    """Entities with the number of quotes attributed to them and of their named mentions."""
    result = service.list_entities(session=session, kind=kind, q=q, sort=sort, limit=page.limit, cursor=page.cursor)
    return json_response(page_of(result, EntitySummary.from_stats, page), headers_from=page.response)


@router.get("/{entity_id}", response_model=EntityOut, responses={404: {"model": ErrorOut}},
            summary="One entity with its aliases, roles, outlets and counts")
async def get_entity(entity_id: EntityId, session: SessionDep):
    """One entity: canonical name, aliases, roles per article, outlets that quote it, counts and dates."""
    return json_response(EntityOut.body(service.get_entity(session=session, entity_id=entity_id)))


@router.get("/{entity_id}/quotes", response_model=Page[QuotePublic], responses={404: {"model": ErrorOut}},
            summary="Quotes attributed to an entity")
async def entity_quotes(entity_id: EntityId, session: SessionDep, page: PageDep):
    """Quotes attributed to this entity, newest first."""
    service.require_entity(session=session, entity_id=entity_id)
    filters = quote_service.QuoteFilters(speaker=str(entity_id))
    result = quote_service.list_quotes(session=session, filters=filters, limit=page.limit, cursor=page.cursor)
    return json_response(page_of(result, quote_item, page), headers_from=page.response)


@router.get("/{entity_id}/mentions", response_model=Page[MentionOut], responses={404: {"model": ErrorOut}},
            summary="Where the articles name an entity")
async def entity_mentions(
    entity_id: EntityId, session: SessionDep, page: PageDep,
    article_id: Annotated[int | None, Query(ge=1, description="Only mentions in this article")] = None,
):
    """Named mentions of this entity: surface text and offsets into the article text, in article order."""
    result = service.list_mentions(session=session, entity_id=entity_id, article_id=article_id, limit=page.limit,
                                   cursor=page.cursor)
    return json_response(page_of(result, MentionOut.from_row, page), headers_from=page.response)


@speakers_router.get("", response_model=Page[EntitySummary], summary="Entities that are quoted")
async def list_speakers(
    session: SessionDep,
    page: PageDep,
    kind: KindQ = None,
    q: SearchQ = None,
    sort: Annotated[EntitySort, Query(description="most quotes first, or by name / mentions")] = "-quotes",
):
    """Entities with at least one quote, most quoted first."""
    result = service.list_entities(session=session, kind=kind, q=q, sort=sort, limit=page.limit,
                                   cursor=page.cursor, speakers_only=True)
    return json_response(page_of(result, EntitySummary.from_stats, page), headers_from=page.response)
