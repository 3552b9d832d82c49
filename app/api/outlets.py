"""/outlets: the news organisations whose articles were ingested."""
from __future__ import annotations

from fastapi import APIRouter

from app.api.planned import PlannedRoute
from app.api.json_response import json_response
from app.api.schemas import OutletOut, Page, page_of
from app.deps import PageDep, SessionDep
from app.services import outlets as service

router = APIRouter(prefix="/outlets", tags=["outlets"], route_class=PlannedRoute)


@router.get("", response_model=Page[OutletOut], summary="List outlets")
async def list_outlets(session: SessionDep, page: PageDep):
    """Outlets in name order, with how many articles and quotes each has."""
    result = service.list_outlets(session=session, limit=page.limit, cursor=page.cursor)
    return json_response(page_of(result, OutletOut.from_stats, page), headers_from=page.response)
