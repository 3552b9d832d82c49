"""Articles: newest-first listings (without their text), one article with its text and quotes, counts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import Article, Outlet, Quote
from app.services.outlets import ids_for_outlet
from app.services.pagination import Page, after_date_id, date_id_cursor, newest_first
from app.services.quotes import QuoteRow, quotes_in_article


@dataclass(slots=True)
class ArticleStats:
    article: Article          # `text` is deferred: do not touch it on listing rows
    outlet: Outlet | None
    quote_count: int


@dataclass(slots=True)
class ArticleDetail:
    article: Article
    outlet: Outlet | None
    quotes: list[QuoteRow]


def list_articles(
    *, session: Session, outlet: str | None = None, limit: int, cursor: str | None = None
) -> Page[ArticleStats]:
    conditions = []
    if outlet is not None and outlet.strip():
        ids = ids_for_outlet(session=session, value=outlet)
        if not ids:
            return Page(items=[], total=0, next_cursor=None)
        conditions.append(Article.outlet_id.in_(ids))
    total = session.exec(select(func.count(Article.id)).where(*conditions)).one()
    if cursor:
        conditions.append(after_date_id(Article.published, Article.id, cursor))
    quote_count = select(func.count(Quote.id)).where(Quote.article_id == Article.id).correlate(Article)
    stmt = (
        select(Article, Outlet, quote_count.scalar_subquery())
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .options(defer(Article.text))
        .where(*conditions)
        .order_by(*newest_first(Article.published, Article.id))
        .limit(limit + 1)
    )
    rows = session.exec(stmt).all()
    items = [ArticleStats(article=a, outlet=o, quote_count=n) for a, o, n in rows[:limit]]
    last = items[-1].article if items else None
    next_cursor = date_id_cursor(last.published, last.id) if len(rows) > limit and last else None
    return Page(items=items, total=total, next_cursor=next_cursor)


def get_article(*, session: Session, article_id: int) -> ArticleDetail:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound("article", article_id)
    outlet = session.get(Outlet, article.outlet_id) if article.outlet_id is not None else None
    return ArticleDetail(article=article, outlet=outlet, quotes=quotes_in_article(session=session, article_id=article_id))


def find_by_hash(*, session: Session, content_hash: str) -> int | None:
    return session.exec(select(Article.id).where(Article.content_hash == content_hash)).first()


def count_articles(*, session: Session) -> int:
    return session.exec(select(func.count(Article.id))).one()
