"""/articles: the ingested articles, and one article with its cleaned text and quotes."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.schemas import ArticleOut, ArticleSummary, ErrorOut, Page, page_of
from app.deps import PageDep, SessionDep
from app.services import articles as service

router = APIRouter(prefix="/articles", tags=["articles"])


@router.get("", response_model=Page[ArticleSummary], summary="List articles")
def list_articles(
    session: SessionDep,
    page: PageDep,
    outlet: Annotated[str | None, Query(description="Outlet id, name or domain")] = None,
):
    """Articles, newest first (without their text)."""
    result = service.list_articles(session=session, outlet=outlet, limit=page.limit, cursor=page.cursor)
    return page_of(result, ArticleSummary.from_stats, page)


@router.get("/{article_id}", response_model=ArticleOut, responses={404: {"model": ErrorOut}},
            summary="One article with its text and quotes")
def get_article(article_id: Annotated[int, Path(description="Article id", examples=[1])], session: SessionDep):
    return ArticleOut.from_detail(service.get_article(session=session, article_id=article_id))
