"""/utterances: statements, each with every outlet's wording of it."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from app.api.planned import PlannedRoute
from app.api import jsonld
from app.api.json_response import json_response, model_response
from app.api.schemas import ErrorOut, Page, UtteranceOut, UtteranceSummary, page_of
from app.deps import MAX_ID, PageDep, SessionDep
from app.services import utterances as service
from app.services.utterances import UtteranceListingRow


def utterance_summary(row: UtteranceListingRow) -> dict:
    """The JSON object of UtteranceSummary for a listing row, built directly (UtteranceSummary.from_row(row)
    .model_dump(mode="json") gives the same, field for field; a test keeps them equal)."""
    u, speaker, outlet = row.utterance, row.speaker, row.first_outlet
    return {
        "id": u.id,
        "speaker": {"id": speaker.id, "name": speaker.name, "kind": speaker.kind} if speaker else None,
        "canonical_text": u.canonical_text, "n_quotes": u.n_quotes, "n_outlets": u.n_outlets,
        "first_seen": {"published": u.first_published.isoformat() if u.first_published else None,
                       "outlet": {"name": outlet.name, "domain": outlet.domain, "id": outlet.id} if outlet else None},
    }


router = APIRouter(prefix="/utterances", tags=["utterances"], route_class=PlannedRoute)


@router.get("", response_model=Page[UtteranceSummary], summary="Statements quoted across outlets")
async def list_utterances(
    session: SessionDep,
    page: PageDep,
    speaker: Annotated[str | None, Query(description="Entity id, or any name or alias ('Putin')")] = None,
    outlet: Annotated[str | None, Query(description="Outlet id, name or domain that quoted the statement")] = None,
    published_from: Annotated[date | None, Query(description="Earliest first-reported date (YYYY-MM-DD)")] = None,
    published_to: Annotated[date | None, Query(description="Latest first-reported date (YYYY-MM-DD)")] = None,
    sort: Annotated[Literal["-outlets", "-published"], Query(
        description="-outlets: most outlets first; -published: most recently first reported first")] = "-outlets",
):
    """Statements, each grouping the quotes of it from every article. An unknown speaker or outlet gives an
    empty list."""
    filters = service.UtteranceFilters(speaker=speaker, outlet=outlet, published_from=published_from,
                                       published_to=published_to)
    result = service.list_utterances(session=session, filters=filters, sort=sort, limit=page.limit,
                                     cursor=page.cursor)
    return json_response(page_of(result, utterance_summary, page), headers_from=page.response)


@router.get("/{utterance_id}", response_model=UtteranceOut,
            responses={404: {"model": ErrorOut}, **jsonld.JSONLD_RESPONSE}, summary="One statement, every wording")
async def get_utterance(
    utterance_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Utterance id", examples=[3])],
    session: SessionDep, request: Request,
    format: Annotated[Literal["json", "jsonld"] | None, Query(
        description="jsonld: schema.org Quotation (same as Accept: application/ld+json)")] = None,
):
    """The statement, its canonical wording, and every wording with the outlets, articles, dates and offsets
    that carry it and a word diff against the canonical one."""
    detail = service.get_utterance(session=session, utterance_id=utterance_id)
    if jsonld.wants_jsonld(request, format):
        return jsonld.response(jsonld.utterance_document(detail, request))
    return model_response(UtteranceOut.from_detail(detail))
