"""/articles: the ingested articles, and one article with its cleaned text and quotes; POST (with an API key)
ingests one article."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from app.api.planned import PlannedRoute
from app.api.auth import AUTH_ERRORS, WriteKey
from app.api.json_response import json_response, model_response
from app.api.schemas import ArticleIn, ArticleIngestOut, ArticleOut, ArticleSummary, ErrorOut, Page, page_of
from app.deps import MAX_ID, PageDep, SessionDep
from app.services import articles as service
from app.services.articles import ArticleStats
from app.services.submit import submit_article


def article_summary(stats: ArticleStats) -> dict:
    """The JSON object of ArticleSummary for a listing row, built directly (ArticleSummary.from_stats(stats)
    .model_dump(mode="json") gives the same, field for field; a test keeps them equal)."""
    a, outlet = stats.article, stats.outlet
    return {"title": a.title, "url": a.url, "published": a.published.isoformat() if a.published else None,
            "language": a.language, "id": a.id,
            "outlet": {"name": outlet.name, "domain": outlet.domain, "id": outlet.id} if outlet else None,
            "quote_count": stats.quote_count}


router = APIRouter(prefix="/articles", tags=["articles"], route_class=PlannedRoute)


@router.get("", response_model=Page[ArticleSummary], summary="List articles")
async def list_articles(
    session: SessionDep,
    page: PageDep,
    outlet: Annotated[str | None, Query(max_length=200, description="Outlet id, name or domain")] = None,
):
    """Articles, newest first (without their text)."""
    result = service.list_articles(session=session, outlet=outlet, limit=page.limit, cursor=page.cursor)
    return json_response(page_of(result, article_summary, page), headers_from=page.response)


@router.get("/{article_id}", response_model=ArticleOut, responses={404: {"model": ErrorOut}},
            summary="One article with its text and quotes")
async def get_article(article_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Article id", examples=[1])],
                session: SessionDep):
    return model_response(ArticleOut.from_detail(service.get_article(session=session, article_id=article_id)))


@router.post(
    "", response_model=ArticleIngestOut, status_code=201, summary="Ingest one article (needs an API key)",
    responses={**AUTH_ERRORS, 200: {"model": ArticleIngestOut, "description": "Already stored (same cleaned text)"},
               400: {"model": ErrorOut, "description": "The body is not readable JSON"},
               413: {"model": ErrorOut, "description": "Request body too large"}},
)
def create_article(article: ArticleIn, request: Request, response: Response, _key: WriteKey):
    """Ingest one article (needs an API key): extraction, entities and quotes, exactly as `whosaid ingest` does.
    Idempotent: the same text again answers 200 with the stored article's id."""
    result = submit_article(**article.model_dump(), database_url=request.app.state.database_url)
    if result.refused is not None:
        raise RequestValidationError([{"loc": ("body", "text"), "msg": result.refused, "type": "value_error"}])
    if not result.created:
        response.status_code = 200
    return ArticleIngestOut(status="created" if result.created else "unchanged", id=result.article_id,
                            quotes=result.quotes, warnings=result.warnings)
