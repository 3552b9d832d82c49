"""Articles: newest-first listings (without their text), one article with its text and quotes, counts.

Listing pages are keyset range scans of (published, id) / (outlet_id, published, id); totals are cached until
the database changes (services/snapshot_cache.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, bindparam, func
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import Article, Outlet, Quote
from app.services.driver_sql import BuiltStatements, bind_ids, fetch_all
from app.services.outlets import OutletRef, ids_for_outlet
from app.services.pagination import Page, Scan, date_id_cursor, date_id_scans, run_scans
from app.services.quotes import QuoteRow, quotes_in_article
from app.services.snapshot_cache import cached


@dataclass(slots=True)
class ArticleListing:
    """The columns of an article that a listing shows (attribute names as on app.models.Article); no text."""
    id: int
    title: str | None
    url: str | None
    published: date | None
    language: str | None


@dataclass(slots=True)
class ArticleStats:
    article: ArticleListing
    outlet: OutletRef | None
    quote_count: int


@dataclass(slots=True)
class ArticleDetail:
    article: Article
    outlet: Outlet | None
    quotes: list[QuoteRow]


# Core columns (not the ORM classes): the listing statements return plain tuples and run on the driver's cursor
# (services/driver_sql.py), as the quote pages do
article_cols, outlet_cols, quote_cols = Article.__table__.c, Outlet.__table__.c, Quote.__table__.c
QUOTE_COUNT = (select(func.count(quote_cols.id)).where(quote_cols.article_id == article_cols.id)
               .correlate(Article.__table__).scalar_subquery())
LISTING_ROWS = (select(article_cols.id, article_cols.title, article_cols.url, article_cols.published,
                       article_cols.language, outlet_cols.id, outlet_cols.name, outlet_cols.domain, QUOTE_COUNT)
                .select_from(Article.__table__)
                .outerjoin(Outlet.__table__, outlet_cols.id == article_cols.outlet_id))
# the outlet filter by shape: one id is a plain bound value (compiled once); several are an expanding IN
OUTLET_TERMS = {
    "outlet": article_cols.outlet_id == bindparam("f_outlet", type_=Integer),
    "outlets": article_cols.outlet_id.in_(bindparam("f_outlets", expanding=True)),
}


def _outlet_ids(session: Session, value: str | None) -> tuple[int, ...] | None:
    """The outlet ids the filter stands for: () without a filter, None when no outlet matches."""
    if value is None or not value.strip():
        return ()
    return tuple(ids_for_outlet(session=session, value=value)) or None


_statements = BuiltStatements(64)   # ("count", filter shape) or (filter shape, scan shape) -> statement


def _terms(shape: str | None) -> tuple:
    return (OUTLET_TERMS[shape],) if shape is not None else ()


def _count_statement(shape: str | None):
    return _statements.get(("count", shape), lambda: select(func.count(article_cols.id)).where(*_terms(shape)))


def _page_statement(shape: str | None, scan: Scan):
    return _statements.get((shape, scan.shape), lambda: LISTING_ROWS.where(*_terms(shape), *scan.where)
                           .order_by(*scan.order_by).limit(bindparam("f_limit", type_=Integer)))


def _to_stats(r) -> ArticleStats:
    return ArticleStats(article=ArticleListing(*r[:5]),
                        outlet=OutletRef(*r[5:8]) if r[5] is not None else None, quote_count=r[8])


def list_articles(
    *, session: Session, outlet: str | None = None, limit: int, cursor: str | None = None
) -> Page[ArticleStats]:
    """Articles newest first (undated last), without their text, each with its outlet and number of quotes."""
    ids = _outlet_ids(session, outlet)
    if ids is None:
        return Page(items=[], total=0, next_cursor=None)
    params: dict = {}
    shape = bind_ids("outlet", ids, params) if ids else None
    connection = session.connection()
    total = cached(session, ("articles.count", ids),
                   lambda: fetch_all(connection, _count_statement(shape), params)[0][0])

    def fetch(scan: Scan, n: int) -> list[ArticleStats]:
        rows = fetch_all(connection, _page_statement(shape, scan), {**params, **scan.params, "f_limit": n})
        return [_to_stats(r) for r in rows]

    rows = run_scans(date_id_scans(article_cols.published, article_cols.id, cursor), fetch, limit + 1,
                     available=total if cursor is None else None)
    items = rows[:limit]
    last = items[-1].article if items else None
    next_cursor = date_id_cursor(last.published, last.id) if len(rows) > limit and last else None
    return Page(items=items, total=total, next_cursor=next_cursor)


def get_article(*, session: Session, article_id: int) -> ArticleDetail:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound("article", article_id)
    outlet = session.get(Outlet, article.outlet_id) if article.outlet_id is not None else None
    return ArticleDetail(article=article, outlet=outlet, quotes=quotes_in_article(session=session, article_id=article_id))


def count_articles(*, session: Session) -> int:
    return cached(session, "articles.all", lambda: session.exec(select(func.count(Article.id))).one())
