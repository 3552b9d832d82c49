"""Articles: newest-first listings (without their text), one article with its text and quotes, counts.

Listing pages are keyset range scans of (published, id) / (outlet_id, published, id); totals are cached until
the database changes (services/snapshot_cache.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import Article, Outlet, Quote
from app.services.outlets import ids_for_outlet
from app.services.pagination import Page, date_id_cursor, date_id_scans, run_scans
from app.services.quotes import QuoteRow, quotes_in_article
from app.services.snapshot_cache import cached


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
    ids: tuple = ()
    if outlet is not None and outlet.strip():
        ids = tuple(ids_for_outlet(session=session, value=outlet))
        if not ids:
            return Page(items=[], total=0, next_cursor=None)
        conditions.append(Article.outlet_id == ids[0] if len(ids) == 1 else Article.outlet_id.in_(ids))
    total = cached(session, ("articles.count", ids),
                   lambda: session.exec(select(func.count(Article.id)).where(*conditions)).one())
    quote_count = select(func.count(Quote.id)).where(Quote.article_id == Article.id).correlate(Article)

    def fetch(scan, n):
        return session.exec(
            select(Article, Outlet, quote_count.scalar_subquery())
            .outerjoin(Outlet, Outlet.id == Article.outlet_id)
            .options(defer(Article.text))
            .where(*conditions, *scan.where).order_by(*scan.order_by).limit(n), params=scan.params
        ).all()

    rows = run_scans(date_id_scans(Article.published, Article.id, cursor), fetch, limit + 1)
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
    return cached(session, "articles.all", lambda: session.exec(select(func.count(Article.id))).one())
