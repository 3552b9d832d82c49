"""Quote listings beyond the newest-first page of app/services/quotes.py: other sort orders, the whole result
page by page (for exports), where a search matched in each quote, and facet counts.

Filters and row shapes are the ones quotes.py defines (QuoteFilters, its WHERE terms and joined rows), so a
quote looks the same here as on GET /quotes. Date orders delegate to quotes.list_quotes; facet counts are cached
until the database changes, like totals.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Entity, Outlet, Quote
from app.services import fts_index, quotes
from app.services.fts import fts_match
from app.services.pagination import Page, SortKey, after_keyset, keyset_cursor, keyset_order
from app.services.quotes import QuoteFilters, QuoteRow
from app.services.snapshot_cache import cached

DEFAULT_SORT = "-published"  # newest first
DATE_SORTS = {"-published": True, "published": False}   # sort -> descending; quotes.list_quotes pages them
# other sorts -> their keys, the last one unique; keyset-paginated, NULLs last. The speaker name is on another
# table, so no index of quote gives this order: each page sorts the matching rows (bounded by the filters).
SORTS: dict[str, list[SortKey]] = {
    "speaker": [SortKey(Entity.name), SortKey(Quote.speaker_id, False, int),
                SortKey(Quote.published, True, date.fromisoformat), SortKey(Quote.id, True, int, False)],
}


def _sort_values(row: QuoteRow) -> list:
    """The cursor of a row in `speaker` order."""
    q = row.quote
    return [row.speaker.name if row.speaker else None, q.speaker_id, q.published, q.id]


def list_sorted(
    *, session: Session, filters: QuoteFilters, limit: int, cursor: str | None = None, sort: str = DEFAULT_SORT,
) -> Page[QuoteRow]:
    """One page of quotes in `sort` order (a key of DATE_SORTS or SORTS)."""
    if sort in DATE_SORTS:
        return quotes.list_quotes(session=session, filters=filters, limit=limit, cursor=cursor,
                                  descending=DATE_SORTS[sort])
    keys = SORTS[sort]
    where = quotes.where_terms(session, filters)
    if where is None:
        return Page(items=[], total=0, next_cursor=None)
    conditions = list(where.terms)
    if cursor:
        conditions.append(after_keyset(keys, cursor))
    stmt = quotes._rows_query().where(*conditions).order_by(*keyset_order(keys)).limit(limit + 1)
    rows = quotes._fetch(session, stmt, where.params)
    items = rows[:limit]
    next_cursor = keyset_cursor(_sort_values(items[-1])) if len(rows) > limit and items else None
    return Page(items=items, total=quotes.count_matching(session, where), next_cursor=next_cursor)


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


def match_spans(*, session: Session, q: str, rows: list[QuoteRow]) -> dict[int, list[tuple[int, int]]]:
    """Where the search `q` matched in each quote: {quote id: [(start, end), ...]}, offsets into quote.text, as
    FTS5 finds them (services/fts_index.highlight, an in-memory FTS5 table over the page's texts: on PostgreSQL
    too, so highlights are the same on both). Empty when `q` has no searchable word. The result is shared: read it,
    never change it."""
    match = fts_match(q) if q else None
    if match is None or not rows:
        return {}
    texts = {row.quote.id: row.quote.text for row in rows}
    # a function of the search and the page's texts, which change only with a commit: kept until then, like the
    # totals (the same search asked again, page after page or by many clients, skips the scratch index)
    return cached(session, ("quotes.highlight", match, tuple(texts)), lambda: fts_index.highlight(match, texts))


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
    where = quotes.where_terms(session, filters)
    if where is None:
        return {name: [] for name in names}
    return cached(session, ("quotes.facets", where.key, tuple(names), top),
                  lambda: _facets(session, where.terms, where.params, names, top))


def _facets(session: Session, conditions: list, values: dict, names: list[str],
            top: int) -> dict[str, list[FacetCount]]:
    result: dict[str, list[FacetCount]] = {name: [] for name in names}
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
