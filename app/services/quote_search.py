"""Quote listings beyond the newest-first page of app/services/quotes.py: other sort orders, the whole result
page by page (for exports), where a search matched in each quote, and facet counts.

Filters and row shapes are the ones quotes.py defines (QuoteFilters, its WHERE terms and joined rows), so a
quote looks the same here as on GET /quotes. The default order delegates to quotes.list_quotes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, text
from sqlmodel import Session, select

from app.models import Entity, Outlet, Quote
from app.services import fts_postgres, quotes
from app.services.fts import fts_match
from app.services.pagination import Page, SortKey, after_keyset, keyset_cursor, keyset_order
from app.services.quotes import QuoteFilters, QuoteRow

DEFAULT_SORT = "-published"  # newest first: quotes.list_quotes
# other sorts -> their keys, the last one unique; every order is keyset-paginated, NULLs last
SORTS: dict[str, list[SortKey]] = {
    "published": [SortKey(Quote.published, False, date.fromisoformat), SortKey(Quote.id, False, int, False)],
    "speaker": [SortKey(Entity.name), SortKey(Quote.speaker_id, False, int),
                SortKey(Quote.published, True, date.fromisoformat), SortKey(Quote.id, True, int, False)],
}


# ---------- the three places that know quotes.py's internals (filters -> WHERE terms, row shape) ----------

def _where(session: Session, filters: QuoteFilters) -> tuple[list, dict] | None:
    """WHERE terms on the quote table for `filters` and the values bound into them (names are resolved to ids by
    quotes.py); None when nothing can match."""
    conditions = quotes._conditions(session, filters)
    return None if conditions is None else (conditions, {})


_row = quotes._to_row  # a result row of quotes._rows_query() -> QuoteRow


def _sort_values(sort: str, row: QuoteRow) -> list:
    """The cursor of a row: its values of SORTS[sort], in order."""
    q = row.quote
    if sort == "speaker":
        return [row.speaker.name if row.speaker else None, q.speaker_id, q.published, q.id]
    return [q.published, q.id]


def list_sorted(
    *, session: Session, filters: QuoteFilters, limit: int, cursor: str | None = None, sort: str = DEFAULT_SORT,
) -> Page[QuoteRow]:
    """One page of quotes in `sort` order (a key of SORTS)."""
    if sort == DEFAULT_SORT:
        return quotes.list_quotes(session=session, filters=filters, limit=limit, cursor=cursor)
    keys = SORTS[sort]
    where = _where(session, filters)
    if where is None:
        return Page(items=[], total=0, next_cursor=None)
    conditions, values = where
    total = session.execute(select(func.count(Quote.id)).where(*conditions), values).scalar_one()
    if cursor:
        conditions = [*conditions, after_keyset(keys, cursor)]
    stmt = quotes._rows_query().where(*conditions).order_by(*keyset_order(keys)).limit(limit + 1)
    rows = [_row(r) for r in session.execute(stmt, values).all()]
    items = rows[:limit]
    next_cursor = keyset_cursor(_sort_values(sort, items[-1])) if len(rows) > limit and items else None
    return Page(items=items, total=total, next_cursor=next_cursor)


def iter_quotes(
    *, session_factory: Callable[[], Session], filters: QuoteFilters, sort: str = DEFAULT_SORT,
    cursor: str | None = None, batch: int = 500,
) -> Iterator[QuoteRow]:
    """Every quote matching `filters` from `cursor` on, a keyset page at a time, each page in its own short
    session: memory stays at one page whatever the result size, and no read transaction stays open while a
    slow client reads the export."""
    while True:
        with session_factory() as session:
            page = list_sorted(session=session, filters=filters, limit=batch, cursor=cursor, sort=sort)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# private-use characters: never in news text, so the markers FTS5 puts around matches can be found again
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"


def match_spans(*, session: Session, q: str, quote_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Where the search `q` matched in each quote: {quote id: [(start, end), ...]}, offsets into quote.text,
    from FTS5's highlight() (PostgreSQL: ts_headline()). Empty when `q` has no searchable word."""
    match = fts_match(q) if q else None
    if match is None or not quote_ids:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        stmt = text(
            "SELECT rowid, highlight(quote_fts, 0, :open, :close) FROM quote_fts "
            "WHERE quote_fts MATCH :match AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True), open=_MARK_OPEN, close=_MARK_CLOSE, match=match,
                     ids=list(quote_ids))
        marked_texts = session.connection().execute(stmt)
    else:
        marked_texts = fts_postgres.highlighted(session, q, quote_ids, _MARK_OPEN, _MARK_CLOSE)
    spans: dict[int, list[tuple[int, int]]] = {}
    for rowid, marked in marked_texts:
        found, removed, start = [], 0, None
        for i, ch in enumerate(marked):
            if ch == _MARK_OPEN:
                start = i - removed
                removed += 1
            elif ch == _MARK_CLOSE:
                if start is not None:
                    found.append((start, i - removed))
                removed += 1
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
    """Counts of the quotes matching `filters` (all pages) by speaker, outlet and/or publication date.

    Speakers and outlets come most quoted first (at most `top`); dates in calendar order (all of them).
    """
    where = _where(session, filters)
    result: dict[str, list[FacetCount]] = {name: [] for name in names}
    if where is None:
        return result
    conditions, values = where
    n = func.count(Quote.id).label("n")
    if "speaker" in names:
        stmt = (select(Entity.id, Entity.name, n).join(Entity, Entity.id == Quote.speaker_id).where(*conditions)
                .group_by(Entity.id, Entity.name).order_by(n.desc(), Entity.name, Entity.id).limit(top))
        result["speaker"] = [FacetCount(i, name, c) for i, name, c in session.execute(stmt, values).all()]
    if "outlet" in names:
        stmt = (select(Outlet.id, Outlet.name, n).join(Outlet, Outlet.id == Quote.outlet_id).where(*conditions)
                .group_by(Outlet.id, Outlet.name).order_by(n.desc(), Outlet.name, Outlet.id).limit(top))
        result["outlet"] = [FacetCount(i, name, c) for i, name, c in session.execute(stmt, values).all()]
    if "published" in names:
        stmt = (select(Quote.published, n).where(*conditions, Quote.published.is_not(None))
                .group_by(Quote.published).order_by(Quote.published))
        result["published"] = [FacetCount(d, None, c) for d, c in session.execute(stmt, values).all()]
    return result
