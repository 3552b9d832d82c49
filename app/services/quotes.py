"""Quotes: filtered, keyset-paginated listings (newest or oldest first) and single lookups, each row joined with
its speaker, article and outlet so the API can answer in one query.

A page reads only the page: one range scan of the index that matches the filters ((speaker|outlet|kind,
published, id), (article_id), (published, id)), or, for `q=`, of the date-ordered full-text index
(services/fts_index.py), continued after the cursor with a row-value comparison, never an OFFSET. Rows are
plain column tuples (no ORM objects). `total` is exact for the snapshot the request reads, and cached until the
database changes (services/snapshot_cache.py), so paging a speaker with 33k quotes does not count them again on
every page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String, bindparam, func, select
from sqlmodel import Session

from app.errors import NotFound
from app.models import Article, Entity, Outlet, Quote
from app.services import fts_index, fts_postgres
from app.services.driver_sql import BuiltStatements, bind_ids, fetch_all
from app.services.entities import SpeakerRef, ids_for_name
from app.services.fts import fts_match, ts_query
from app.services.outlets import OutletRef, ids_for_outlet
from app.services.pagination import Page, Scan, date_id_cursor, date_id_scans, parse_date_id_cursor, run_scans
from app.services.snapshot_cache import cached


@dataclass(slots=True)
class ArticleRef:
    id: int
    title: str | None
    url: str | None
    published: date | None


@dataclass(slots=True)
class QuoteFields:
    """The columns of a quote that the API shows (attribute names as on app.models.Quote)."""
    id: int
    text: str
    kind: str
    start: int
    end: int
    cue: str | None
    speaker_text: str | None
    speaker_start: int | None
    speaker_end: int | None
    sentence: str | None
    where_said: str | None
    article_id: int
    speaker_id: int | None
    outlet_id: int | None
    published: date | None
    utterance_id: int | None


@dataclass(slots=True)
class QuoteRow:
    quote: QuoteFields
    speaker: SpeakerRef | None
    article: ArticleRef
    outlet: OutletRef | None


@dataclass(slots=True)
class QuoteFilters:
    speaker: str | None = None        # entity id, or any name or alias
    outlet: str | None = None         # outlet id, name or domain
    article_id: int | None = None
    q: str | None = None              # full-text search over the quote text
    published_from: date | None = None
    published_to: date | None = None
    kind: str | None = None


@dataclass(slots=True)
class QuoteWhere:
    """`filters` as WHERE terms on the quote table (names resolved to ids)."""
    terms: list                       # every condition; a full-text one is an IN (matching ids) subquery
    match: str | None = None          # the FTS5 expression, when q= is searched through quote_fts (SQLite)
    others: list = field(default_factory=list)   # the terms other than the full-text one
    params: dict = field(default_factory=dict)   # the values bound into the terms (names f_...)
    shape: tuple = ()                 # which terms, in order: requests of one shape share statements
    key: tuple = ()                   # shape and values, hashable: for cached counts


def fts_query(user_text: str) -> str | None:
    """A safe FTS5 MATCH expression for the user's text: words (all required), "phrases", prefix*, AND, OR, NOT
    and parentheses, rebuilt from tokens (app/services/fts.py), so no input is a syntax error. None when the
    text has no searchable word."""
    return fts_match(user_text)


# Core columns (not the ORM classes): these statements return plain tuples, and skipping the ORM layer is a
# large part of a page's cost
quote, article, entity, outlet = Quote.__table__.c, Article.__table__.c, Entity.__table__.c, Outlet.__table__.c
ROW_COLUMNS = (
    quote.id, quote.text, quote.kind, quote.start, quote.end, quote.cue, quote.speaker_text, quote.speaker_start,
    quote.speaker_end, quote.sentence, quote.where_said, quote.article_id, quote.speaker_id, quote.outlet_id,
    quote.published, quote.utterance_id,
    entity.name, entity.kind, article.title, article.url, article.published, outlet.name, outlet.domain,
)


def _rows_query(*, from_fts: bool = False):
    """Quotes with their speaker, article and outlet; from_fts: driven by quote_fts (rows in date-key order)."""
    stmt = select(*ROW_COLUMNS)
    if from_fts:
        stmt = stmt.select_from(fts_index.quote_fts).join(
            Quote.__table__, quote.id == fts_index.quote_id_of(fts_index.fts_rowid))
    return (
        stmt
        .join(Article.__table__, article.id == quote.article_id)
        .outerjoin(Entity.__table__, entity.id == quote.speaker_id)
        .outerjoin(Outlet.__table__, outlet.id == quote.outlet_id)
    )


ROWS = _rows_query()                    # built once: statements are immutable, .where() makes a new one
FTS_ROWS = _rows_query(from_fts=True)


def _to_row(r) -> QuoteRow:
    quote = QuoteFields(*r[:16])
    return QuoteRow(
        quote=quote,
        speaker=SpeakerRef(quote.speaker_id, r[16], r[17]) if quote.speaker_id is not None and r[16] is not None
        else None,
        article=ArticleRef(quote.article_id, r[18], r[19], r[20]),
        outlet=OutletRef(quote.outlet_id, r[21], r[22]) if quote.outlet_id is not None and r[21] is not None
        else None,
    )


def _fetch(session: Session, stmt, params: dict | None = None) -> list[QuoteRow]:
    """Rows of a statement built for this call, through SQLAlchemy (which caches its compilation)."""
    # .all(): one fetchall from the driver, not a fetchone per row (a page is at most a few hundred rows)
    return [_to_row(r) for r in session.connection().execute(stmt, params or {}).all()]


def _fetch_built(session: Session, stmt, params: dict) -> list[QuoteRow]:
    """Rows of a statement built once (module constant or cached by shape), on the driver's cursor."""
    return [_to_row(r) for r in fetch_all(session.connection(), stmt, params)]


def _cached_ids(session: Session, kind: str, value: str, resolve) -> tuple[int, ...]:
    return cached(session, (kind, value), lambda: tuple(resolve(session=session, **{
        "name" if kind == "speaker" else "value": value})))


# Each filter as a WHERE term on quote with its value as a bound parameter: the terms are built once, and so are
# the statements for every request with the same filters (same "shape", _page_statement), values passed apart.
FILTER_TERMS = {
    "speaker": quote.speaker_id == bindparam("f_speaker", type_=Integer),
    "speakers": quote.speaker_id.in_(bindparam("f_speakers", expanding=True)),
    "outlet": quote.outlet_id == bindparam("f_outlet", type_=Integer),
    "outlets": quote.outlet_id.in_(bindparam("f_outlets", expanding=True)),
    "article": quote.article_id == bindparam("f_article", type_=Integer),
    "kind": quote.kind == bindparam("f_kind", type_=String),
    "from": quote.published >= bindparam("f_from", type_=Date),
    "to": quote.published <= bindparam("f_to", type_=Date),
}
MATCH = bindparam("f_match", type_=String)
MATCHING = quote.id.in_(fts_index.matching_ids(MATCH))   # the full-text term for counts, facets, other sorts


def where_terms(session: Session, filters: QuoteFilters) -> QuoteWhere | None:
    """WHERE terms on the quote table alone (names are resolved to ids first); None if nothing can match."""
    params: dict = {}
    shape: list[str] = []
    if filters.speaker is not None and filters.speaker.strip():
        ids = _cached_ids(session, "speaker", filters.speaker.strip(), ids_for_name)
        if not ids:
            return None
        shape.append(bind_ids("speaker", ids, params))
    if filters.outlet is not None and filters.outlet.strip():
        ids = _cached_ids(session, "outlet", filters.outlet.strip(), ids_for_outlet)
        if not ids:
            return None
        shape.append(bind_ids("outlet", ids, params))
    for name, value in (("article", filters.article_id), ("kind", filters.kind or None),
                        ("from", filters.published_from), ("to", filters.published_to)):
        if value is not None:
            shape.append(name)
            params[f"f_{name}"] = value
    terms = [FILTER_TERMS[name] for name in shape]
    where = QuoteWhere(terms=terms, others=list(terms), params=params)
    if filters.q is not None and filters.q.strip():
        match = fts_query(filters.q)
        if match is None:
            return None
        if session.get_bind().dialect.name == "sqlite":
            shape.append("match")
            params["f_match"] = where.match = match
            where.terms.append(MATCHING)
        else:  # PostgreSQL: the GIN index on the text's tsvector (services/fts_postgres.py)
            shape.append("tsquery")
            params["f_tsquery"] = ts_query(filters.q)
            where.terms.append(fts_postgres.matches_tsquery(bindparam("f_tsquery", type_=String)))
    where.shape = tuple(shape)
    where.key = (where.shape, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items())))
    return where


_statements = BuiltStatements(1024)   # (filters shape, scan shape) or ("count", filters shape) -> statement


def _count_statement(where: QuoteWhere):
    """The count of the quotes matching filters of this shape, built on first use."""
    def build():
        if where.match is not None and not where.others:
            return select(func.count()).select_from(fts_index.quote_fts).where(fts_index.matches(MATCH))
        if where.match is not None:   # walk the matches, each joined to its quote by primary key
            return (select(func.count()).select_from(fts_index.quote_fts)
                    .join(Quote.__table__, quote.id == fts_index.quote_id_of(fts_index.fts_rowid))
                    .where(fts_index.matches(MATCH), *where.others))
        return select(func.count()).select_from(Quote.__table__).where(*where.terms)
    return _statements.get(("count", where.shape), build)


def count_matching(session: Session, where: QuoteWhere) -> int:
    """How many quotes match (all pages), cached until the database changes."""
    return cached(session, ("quotes.count", where.key),
                  lambda: fetch_all(session.connection(), _count_statement(where), where.params)[0][0])


def _page_statement(where: QuoteWhere, scan: Scan):
    """The statement of one scan of a page for these filters, built on first use; LIMIT is bound as f_limit."""
    def build():
        source = FTS_ROWS.where(fts_index.matches(MATCH), *where.others) if where.match is not None else \
            ROWS.where(*where.terms)
        return source.where(*scan.where).order_by(*scan.order_by).limit(bindparam("f_limit", type_=Integer))
    return _statements.get((where.shape, scan.shape), build)


def _date_page(session: Session, where: QuoteWhere, limit: int, cursor: str | None, descending: bool,
               total: int | None = None) -> list:
    """Up to `limit` rows in (published, id) order after `cursor`, undated quotes last. `total`: how many match
    in all (read on the same snapshot); on the first page, once that many are found no later scan runs."""
    scans = _fts_scans(cursor, descending) if where.match is not None else \
        date_id_scans(quote.published, quote.id, cursor, descending=descending)

    def fetch(scan: Scan, n: int) -> list[QuoteRow]:
        return _fetch_built(session, _page_statement(where, scan), {**where.params, **scan.params, "f_limit": n})

    return run_scans(scans, fetch, limit, available=total if cursor is None else None)


def _fts_scans(cursor: str | None, descending: bool) -> list[Scan]:
    """The walks of quote_fts in date-key order from the cursor's key, for `q=`: each match is joined to its
    quote and kept if it passes the other filters, until the page is full."""
    key, first_dated = fts_index.fts_rowid, fts_index.FIRST_DATED_KEY
    order = (key.desc(),) if descending else (key.asc(),)
    direction = "desc" if descending else "asc"
    if cursor is None:
        if descending:   # undated quotes have the smallest keys: one walk down covers both
            return [Scan((), order, shape="fts-desc")]
        return [Scan((key >= first_dated,), order, shape="fts-dated-asc"),
                Scan((key < first_dated,), order, shape="fts-undated-asc")]
    day, last_id = parse_date_id_cursor(cursor)
    cursor_key = fts_index.date_key(day, last_id)
    bound = bindparam("k_key", type_=BigInteger)
    params = {"k_key": cursor_key}
    if descending:
        return [Scan((key < bound,), order, params, f"fts-after-{direction}")]
    if cursor_key >= first_dated:
        return [Scan((key > bound,), order, params, "fts-dated-after-asc"),
                Scan((key < first_dated,), order, shape="fts-undated-asc")]
    return [Scan((key > bound, key < first_dated), order, params, "fts-undated-after-asc")]


def list_quotes(
    *, session: Session, filters: QuoteFilters, limit: int, cursor: str | None = None, descending: bool = True,
) -> Page[QuoteRow]:
    """One page of quotes, newest first (or oldest first), undated quotes last."""
    where = where_terms(session, filters)
    if where is None:
        return Page(items=[], total=0, next_cursor=None)
    # the total first (cached until the database changes): a speaker's few dated quotes then spare the page the
    # scan for undated ones, which most requests for a speaker with less than a page of quotes paid for nothing
    total = count_matching(session, where)
    rows = _date_page(session, where, limit + 1, cursor, descending, total)
    items = rows[:limit]
    last = items[-1].quote if items else None
    next_cursor = date_id_cursor(last.published, last.id) if len(rows) > limit and last else None
    return Page(items=items, total=total, next_cursor=next_cursor)


QUOTE_BY_ID = ROWS.where(quote.id == bindparam("quote_id", type_=Integer))
QUOTES_OF_ARTICLE = ROWS.where(quote.article_id == bindparam("article_id", type_=Integer)).order_by(
    quote.start, quote.id)


def get_quote(*, session: Session, quote_id: int) -> QuoteRow:
    rows = _fetch_built(session, QUOTE_BY_ID, {"quote_id": quote_id})
    if not rows:
        raise NotFound("quote", quote_id)
    return rows[0]


def quotes_in_article(*, session: Session, article_id: int) -> list[QuoteRow]:
    """An article's quotes in reading order."""
    return _fetch_built(session, QUOTES_OF_ARTICLE, {"article_id": article_id})


def count_quotes(*, session: Session) -> int:
    return cached(session, "quotes.all", lambda: session.execute(select(func.count(quote.id))).scalar_one())


def quotes_in_utterances(*, session: Session, utterance_ids: list[int], limit: int) -> list[QuoteRow]:
    """The quotes that render the given utterances (used by /verify)."""
    return _fetch(session, ROWS.where(quote.utterance_id.in_(utterance_ids)).order_by(quote.id).limit(limit))
