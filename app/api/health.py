"""/health: liveness plus row counts, cheap enough for a load balancer to poll."""
from __future__ import annotations

from fastapi import APIRouter

from app.api.json_response import json_response
from app.api.planned import PlannedRoute
from app.api.schemas import HealthOut
from app.deps import SessionDep
from app.services.articles import count_articles
from app.services.quotes import count_quotes

router = APIRouter(tags=["health"], route_class=PlannedRoute)


@router.get("/health", response_model=HealthOut, summary="Liveness and row counts")
async def health(session: SessionDep):
    return json_response({"status": "ok", "articles": count_articles(session=session),
                          "quotes": count_quotes(session=session)})
