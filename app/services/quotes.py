"""Quotes: filtered, keyset-paginated listings (newest first) and single lookups, each row joined with its
speaker, article and outlet so the API can answer in one query."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, column, func, text
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import Article, Entity, Outlet, Quote
from app.services import fts_postgres
from app.services.entities import ids_for_name
from app.services.fts import fts_match
from app.services.outlets import ids_for_outlet
from app.services.pagination import Page, after_date_id, date_id_cursor, newest_first

@dataclass(slots=True)
class ArticleRef:
    id: int
    title: str | None
    url: str | None
    published: date | None


@dataclass(slots=True)
class QuoteRow:
    quote: Quote
    speaker: Entity | None
    article: ArticleRef
    outlet: Outlet | None


@dataclass(slots=True)
class QuoteFilters:
    speaker: str | None = None        # entity id, or any name or alias
    outlet: str | None = None         # outlet id, name or domain
    article_id: int | None = None
    q: str | None = None              # full-text search over the quote text
    published_from: date | None = None
    published_to: date | None = None
    kind: str | None = None


def fts_query(user_text: str) -> str | None:
    """A safe FTS5 MATCH expression for the user's text: words (all required), "phrases", prefix*, AND, OR, NOT
    and parentheses, rebuilt from tokens (app/services/fts.py), so no input is a syntax error. None when the
    text has no searchable word."""
    return fts_match(user_text)


def _rows_query():
    return (
        select(Quote, Entity, Article.id, Article.title, Article.url, Article.published, Outlet)
        .join(Article, Article.id == Quote.article_id)
        .outerjoin(Entity, Entity.id == Quote.speaker_id)
        .outerjoin(Outlet, Outlet.id == Quote.outlet_id)
    )


def _to_row(row) -> QuoteRow:
    quote, speaker, article_id, title, url, published, outlet = row
    return QuoteRow(quote=quote, speaker=speaker, article=ArticleRef(article_id, title, url, published), outlet=outlet)


def _conditions(session: Session, filters: QuoteFilters) -> list | None:
    """WHERE terms on the quote table alone (names are resolved to ids first); None if nothing can match."""
    conditions = []
    if filters.speaker is not None and filters.speaker.strip():
        ids = ids_for_name(session=session, name=filters.speaker)
        if not ids:
            return None
        conditions.append(Quote.speaker_id.in_(ids))
    if filters.outlet is not None and filters.outlet.strip():
        ids = ids_for_outlet(session=session, value=filters.outlet)
        if not ids:
            return None
        conditions.append(Quote.outlet_id.in_(ids))
    if filters.article_id is not None:
        conditions.append(Quote.article_id == filters.article_id)
    if filters.kind:
        conditions.append(Quote.kind == filters.kind)
    if filters.published_from:
        conditions.append(Quote.published >= filters.published_from)
    if filters.published_to:
        conditions.append(Quote.published <= filters.published_to)
    if filters.q is not None and filters.q.strip():
        match = fts_query(filters.q)
        if match is None:
            return None
        if session.get_bind().dialect.name == "sqlite":
            hits = text("SELECT rowid FROM quote_fts WHERE quote_fts MATCH :match").bindparams(match=match)
            conditions.append(Quote.id.in_(hits.columns(column("rowid", Integer))))
        else:  # PostgreSQL: the GIN index on the text's tsvector
            conditions.append(fts_postgres.quote_matches(filters.q))
    return conditions


def list_quotes(
    *, session: Session, filters: QuoteFilters, limit: int, cursor: str | None = None
) -> Page[QuoteRow]:
    conditions = _conditions(session, filters)
    if conditions is None:
        return Page(items=[], total=0, next_cursor=None)
    total = session.exec(select(func.count(Quote.id)).where(*conditions)).one()
    if cursor:
        conditions.append(after_date_id(Quote.published, Quote.id, cursor))
    stmt = _rows_query().where(*conditions).order_by(*newest_first(Quote.published, Quote.id)).limit(limit + 1)
    rows = [_to_row(r) for r in session.exec(stmt).all()]
    items = rows[:limit]
    last = items[-1].quote if items else None
    next_cursor = date_id_cursor(last.published, last.id) if len(rows) > limit and last else None
    return Page(items=items, total=total, next_cursor=next_cursor)


def get_quote(*, session: Session, quote_id: int) -> QuoteRow:
    row = session.exec(_rows_query().where(Quote.id == quote_id)).first()
    if row is None:
        raise NotFound("quote", quote_id)
    return _to_row(row)


def quotes_in_article(*, session: Session, article_id: int) -> list[QuoteRow]:
    """An article's quotes in reading order."""
    stmt = _rows_query().where(Quote.article_id == article_id).order_by(Quote.start, Quote.id)
    return [_to_row(r) for r in session.exec(stmt).all()]


def count_quotes(*, session: Session) -> int:
    return session.exec(select(func.count(Quote.id))).one()


def quotes_in_utterances(*, session: Session, utterance_ids: list[int], limit: int) -> list[QuoteRow]:
    """The quotes that render the given utterances (used by /verify)."""
    stmt = _rows_query().where(Quote.utterance_id.in_(utterance_ids)).order_by(Quote.id).limit(limit)
    return [_to_row(r) for r in session.exec(stmt).all()]
