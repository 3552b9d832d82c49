"""Quotes: filtered, keyset-paginated listings (newest first) and single lookups, each row joined with its
speaker, article and outlet so the API can answer in one query."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, bindparam, column, func, text
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import Article, Entity, Outlet, Quote
from app.services.entities import ids_for_name
from app.services.outlets import ids_for_outlet
from app.services.fts import fts_match, plain_words
from app.services.pagination import Page, SortKey, after_keyset, keyset_cursor, keyset_order


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
    """A safe FTS5 MATCH expression for the user's text: words, "phrases", prefix*, AND/OR/NOT, parentheses
    (app/services/fts.py). Never a syntax error; None when the text has no searchable word."""
    return fts_match(user_text)


# sort name -> keys, the last one unique; every order is keyset-paginated (NULLs last)
SORTS: dict[str, list[SortKey]] = {
    "-published": [SortKey(Quote.published, True, date.fromisoformat), SortKey(Quote.id, True, int, False)],
    "published": [SortKey(Quote.published, False, date.fromisoformat), SortKey(Quote.id, False, int, False)],
    "speaker": [SortKey(Entity.name), SortKey(Quote.speaker_id, False, int),
                SortKey(Quote.published, True, date.fromisoformat), SortKey(Quote.id, True, int, False)],
}
DEFAULT_SORT = "-published"


def _sort_values(sort: str, row: QuoteRow) -> list:
    q = row.quote
    if sort == "speaker":
        return [row.speaker.name if row.speaker else None, q.speaker_id, q.published, q.id]
    return [q.published, q.id]


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
        else:  # no FTS5: every word as a case-insensitive substring (operators ignored)
            conditions.extend(Quote.text.ilike(f"%{t}%") for t in plain_words(filters.q))
    return conditions


def list_quotes(
    *, session: Session, filters: QuoteFilters, limit: int, cursor: str | None = None, sort: str = DEFAULT_SORT,
    with_total: bool = True,
) -> Page[QuoteRow]:
    """One page in `sort` order (a key of SORTS). `with_total=False` skips the count (exports need no total)."""
    keys = SORTS[sort]
    conditions = _conditions(session, filters)
    if conditions is None:
        return Page(items=[], total=0, next_cursor=None)
    total = session.exec(select(func.count(Quote.id)).where(*conditions)).one() if with_total else -1
    if cursor:
        conditions.append(after_keyset(keys, cursor))
    stmt = _rows_query().where(*conditions).order_by(*keyset_order(keys)).limit(limit + 1)
    rows = [_to_row(r) for r in session.exec(stmt).all()]
    items = rows[:limit]
    next_cursor = keyset_cursor(_sort_values(sort, items[-1])) if len(rows) > limit and items else None
    return Page(items=items, total=total, next_cursor=next_cursor)


def iter_quotes(
    *, session_factory, filters: QuoteFilters, sort: str = DEFAULT_SORT, cursor: str | None = None,
    batch: int = 500,
):
    """Every quote matching `filters`, page by page (keyset), each page in its own short session: memory stays
    at one page whatever the result size, and no read transaction is held open while a slow client reads."""
    while True:
        with session_factory() as session:
            page = list_quotes(session=session, filters=filters, limit=batch, cursor=cursor, sort=sort,
                               with_total=False)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# private-use characters: never in news text, so the markers FTS5 puts around matches can be found again
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"


def match_spans(*, session: Session, q: str, quote_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Where the words matched by `q` lie in each quote's text: {quote id: [(start, end), ...]} (offsets into
    quote.text), from FTS5's highlight(). Empty without FTS5 or when `q` has no searchable word."""
    match = fts_match(q) if q else None
    if match is None or not quote_ids or session.get_bind().dialect.name != "sqlite":
        return {}
    stmt = text(
        "SELECT rowid, highlight(quote_fts, 0, :open, :close) FROM quote_fts "
        "WHERE quote_fts MATCH :match AND rowid IN :ids"
    ).bindparams(bindparam("ids", expanding=True), open=_MARK_OPEN, close=_MARK_CLOSE, match=match,
                 ids=list(quote_ids))
    spans: dict[int, list[tuple[int, int]]] = {}
    for rowid, marked in session.connection().execute(stmt):
        found, offset, start = [], 0, None
        for i, ch in enumerate(marked):
            if ch == _MARK_OPEN:
                start = i - offset
                offset += 1
            elif ch == _MARK_CLOSE:
                offset += 1
                if start is not None:
                    found.append((start, i - offset + 1))
                start = None
        spans[rowid] = found
    return spans


FACETS = ("speaker", "outlet", "published")


@dataclass(slots=True)
class FacetCount:
    value: object     # entity id, outlet id, or date
    label: str | None
    count: int


def quote_facets(
    *, session: Session, filters: QuoteFilters, names: list[str], top: int = 50
) -> dict[str, list[FacetCount]]:
    """Counts of the quotes matching `filters` by speaker, outlet and/or publication date (all pages).

    Speakers and outlets come most quoted first (at most `top`); dates in calendar order (all of them).
    """
    conditions = _conditions(session, filters)
    result: dict[str, list[FacetCount]] = {name: [] for name in names}
    if conditions is None:
        return result
    n = func.count(Quote.id).label("n")
    if "speaker" in names:
        stmt = (select(Entity.id, Entity.name, n).join(Entity, Entity.id == Quote.speaker_id).where(*conditions)
                .group_by(Entity.id, Entity.name).order_by(n.desc(), Entity.name, Entity.id).limit(top))
        result["speaker"] = [FacetCount(i, name, c) for i, name, c in session.exec(stmt).all()]
    if "outlet" in names:
        stmt = (select(Outlet.id, Outlet.name, n).join(Outlet, Outlet.id == Quote.outlet_id).where(*conditions)
                .group_by(Outlet.id, Outlet.name).order_by(n.desc(), Outlet.name, Outlet.id).limit(top))
        result["outlet"] = [FacetCount(i, name, c) for i, name, c in session.exec(stmt).all()]
    if "published" in names:
        stmt = (select(Quote.published, n).where(*conditions, Quote.published.is_not(None))
                .group_by(Quote.published).order_by(Quote.published))
        result["published"] = [FacetCount(d, None, c) for d, c in session.exec(stmt).all()]
    return result


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
