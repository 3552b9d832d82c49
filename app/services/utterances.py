"""Utterances: grouping stored quotes into statements (incrementally, per article) and reading them back.

Grouping (`group_article`) runs inside the ingest transaction after an article's quotes are flushed. For each
unit of the article's quotes (see pipeline/utterances.units) it looks up candidate utterances of the same
speaker in the `utterancekey` inverted index (content-word stems), and for a unit long enough to be
corroborated also those of related speakers (services/affiliations: a person and the institution he speaks
for), compares the unit with their wordings, and joins, merges or starts an utterance. Cost per article
depends on the article and on the candidates found, never on the size of the whole corpus: there is no
all-pairs pass and no rebuild.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Date, Integer, bindparam, delete, func, tuple_, update
from sqlmodel import Session, select

from app.db import serialize_writes
from app.errors import InvalidParameter, NotFound
from app.models import Article, Entity, Outlet, Quote, Utterance, UtteranceKey
from app.pipeline.utterances import (
    NEAR_DAYS,
    STRONG_SHARED,
    Candidate,
    DiffOp,
    QuoteItem,
    Signature,
    context_signature,
    decide,
    normalize,
    signature,
    unit_signature,
    units,
    word_diff,
)
from app.services.affiliations import PERSON, SpeakerRelations
from app.services.driver_sql import BuiltStatements, bind_ids, fetch_all
from app.services.entities import SpeakerRef, ids_for_name
from app.services.outlets import OutletRef, ids_for_outlet
from app.services.pagination import (
    Page,
    Scan,
    date_id_cursor,
    date_id_scans,
    decode_cursor,
    encode_cursor,
    run_scans,
)
from app.services.plain_sql import PlainSql, as_date, marks
from app.services.snapshot_cache import cached

MAX_CANDIDATES = 20        # utterances compared per unit, those sharing most keys first
MAX_VARIANTS = 40          # distinct wordings of one candidate compared (the most quoted first)
POSTINGS_PER_KEY = 200     # index entries read per content stem, newest utterances first
MAX_KEYS = 40              # content stems looked up per unit (a long speech has more; any 40 find it)
# articles grouped per transaction when regrouping: with a commit per article, the regroup after entity
# resolution wrote the index pages that every article touches (utterance keys, quotes) out again each time
REGROUP_BATCH = 50


# ---------- grouping ----------
# Grouping runs once per ingested article and issues a few statements per quote, so it runs plain SQL on the
# driver's cursor (services/plain_sql.py) instead of SQLAlchemy statements or ORM objects.

_INSERT_KEYS = 'INSERT INTO utterancekey (utterance_id, "key", speaker_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'
_NEW_UTTERANCE = ("INSERT INTO utterance (speaker_id, canonical_text, n_quotes, n_outlets) VALUES (?, ?, 0, 0) "
                  "RETURNING id")
# a speaker of None keeps the utterance's own
_UPDATE_UTTERANCE = ("UPDATE utterance SET speaker_id = coalesce(?, speaker_id), canonical_text = ?, n_quotes = ?, "
                     "n_outlets = ?, first_published = ?, last_published = ?, first_outlet_id = ? WHERE id = ?")


def _near(published: date | None, first: date | None, last: date | None) -> bool:
    if published is None or first is None or last is None:
        return True
    window = timedelta(days=NEAR_DAYS)
    return first - window <= published <= last + window


@lru_cache(maxsize=2 * MAX_KEYS)
def _postings_query(n_keys: int, by_speaker: bool) -> str:
    """One statement reading at most POSTINGS_PER_KEY entries for each of n keys, newest utterances first, and
    returning the `limit` (its last parameter) utterances that share most keys (ties: the newest), counted by
    the database. Parameters: (speaker,) key for each key, then the limit."""
    where = 'speaker_id = ? AND "key" = ?' if by_speaker else '"key" = ?'
    parts = [f"SELECT * FROM (SELECT utterance_id FROM utterancekey WHERE {where} "
             f"ORDER BY utterance_id DESC LIMIT {POSTINGS_PER_KEY}) AS p{i}" for i in range(n_keys)]
    return (f"SELECT utterance_id FROM ({' UNION ALL '.join(parts)}) AS postings "
            "GROUP BY utterance_id ORDER BY count(*) DESC, utterance_id DESC LIMIT ?")


def candidates(
    session: Session, *, keys: Iterable[str], speaker_id: int | None, published: date | None,
    limit: int = MAX_CANDIDATES,
) -> list[Candidate]:
    """Utterances (of `speaker_id`, or of anyone when None) sharing content stems with `keys`, with their
    wordings; those sharing most keys first.

    Each key reads at most POSTINGS_PER_KEY index entries, the most recent utterances first, so the cost of a
    lookup stays bounded however common a word becomes (a rare key still finds every utterance that has it).
    """
    sql = PlainSql(session.connection())
    return _with_wordings(sql, _sharing_keys(sql, keys, speaker_id, limit), published)


def _sharing_keys(sql: PlainSql, keys: Iterable[str], speaker_id: int | None, limit: int) -> list[int]:
    """The ids of the `limit` utterances (of `speaker_id`, or of anyone) sharing most of `keys`."""
    keys = sorted(set(keys))[:MAX_KEYS]
    if not keys:
        return []
    if speaker_id is None:
        params = [*keys, limit]
    else:
        params = [v for key in keys for v in (speaker_id, key)] + [limit]
    return sql.scalars(_postings_query(len(keys), speaker_id is not None), params)


def _with_wordings(sql: PlainSql, ids: list[int], published: date | None) -> list[Candidate]:
    """Candidates for these utterances, in this order: their wordings, speakers and time window."""
    if not ids:
        return []
    in_ids = marks(len(ids))
    windows = {u: (as_date(first), as_date(last)) for u, first, last in sql.rows(
        f"SELECT id, first_published, last_published FROM utterance WHERE id IN ({in_ids})", ids)}
    wordings: dict[int, dict[str, int]] = defaultdict(dict)   # utterance -> wording -> quotes, in row order
    speakers: dict[int, set[int]] = defaultdict(set)
    for utterance_id, quote_text, quote_speaker in sql.rows(
            f"SELECT utterance_id, text, speaker_id FROM quote WHERE utterance_id IN ({in_ids})", ids):
        counts = wordings[utterance_id]
        counts[quote_text] = counts.get(quote_text, 0) + 1
        if quote_speaker is not None:
            speakers[utterance_id].add(quote_speaker)
    out = []
    for uid in ids:
        counts = wordings[uid]
        # the most quoted first, ties in row order (as Counter.most_common; sorting is stable, also reversed)
        texts = (sorted(counts, key=counts.__getitem__, reverse=True)[:MAX_VARIANTS] if len(counts) > 1
                 else list(counts))
        first, last = windows.get(uid, (None, None))
        out.append(Candidate(uid, _distinct_signatures(texts), _near(published, first, last),
                             frozenset(speakers[uid])))
    return out


def related_candidates(session: Session, relations: SpeakerRelations, *, keys: Iterable[str], speaker_id: int,
                       published: date | None, exclude: Iterable[int]) -> list[Candidate]:
    """Utterances of speakers related to `speaker_id` (see services/affiliations) sharing content stems with
    `keys`, marked `related`: looked up in the index of every speaker, then kept when one of their speakers is
    related. Only worth asking for a quote long enough to be corroborated (STRONG_SHARED content words).

    The speakers of the utterances found are read first and the wordings only of those kept: most utterances
    found are unrelated speakers', whose wordings were otherwise read and signed for nothing."""
    if not relations.may_relate(speaker_id):
        return []
    sql = PlainSql(session.connection())
    exclude = set(exclude)
    ids = [uid for uid in _sharing_keys(sql, keys, None, MAX_CANDIDATES) if uid not in exclude]
    if not ids:
        return []
    speakers: dict[int, set[int]] = defaultdict(set)
    for utterance_id, quote_speaker in sql.rows(
            f"SELECT DISTINCT utterance_id, speaker_id FROM quote WHERE utterance_id IN ({marks(len(ids))}) "
            "AND speaker_id IS NOT NULL", ids):
        speakers[utterance_id].add(quote_speaker)
    found = [uid for uid in ids if speaker_id not in speakers[uid]]
    if not found:
        return []
    related = relations.related(speaker_id, set().union(*(speakers[uid] for uid in found)))
    out = _with_wordings(sql, [uid for uid in found if speakers[uid] & related], published)
    for cand in out:
        cand.related = True
    return out


def _distinct_signatures(texts: list[str]) -> list[Signature]:
    seen: dict[tuple[str, ...], Signature] = {}
    for quote_text in texts:
        sig = signature(quote_text)
        seen.setdefault(sig.tokens, sig)
    return list(seen.values())


def _merge(sql: PlainSql, source: int, target: int) -> None:
    sql.execute("UPDATE quote SET utterance_id = ? WHERE utterance_id = ?", (target, source))
    keys = sql.rows('SELECT "key", speaker_id FROM utterancekey WHERE utterance_id = ?', (source,))
    sql.executemany(_INSERT_KEYS, [(target, k, s) for k, s in keys])
    sql.execute("DELETE FROM utterancekey WHERE utterance_id = ?", (source,))
    sql.execute("DELETE FROM utterance WHERE id = ?", (source,))


def group_article(session: Session, article_id: int) -> set[int]:
    """Give the article's ungrouped speech and fragment quotes their utterances (joining, merging or creating
    them). Runs in the caller's transaction (flushes pending ORM changes first); the caller commits. Returns the ids
    of the utterances touched."""
    serialize_writes(session)
    session.flush()
    sql = PlainSql(session.connection())
    published = as_date(sql.scalar("SELECT published FROM article WHERE id = ?", (article_id,)))
    rows = sql.rows('SELECT id, speaker_id, kind, text, start, cue, sentence, utterance_id FROM quote '
                    'WHERE article_id = ?', (article_id,))
    items = [QuoteItem(*row[:-1]) for row in rows]
    ungrouped = [item for item, row in zip(items, rows) if row[-1] is None]
    # a speaker's other quotes are statements of their own: cut out of the context of a fragment
    own_quotes: dict[int | None, list[str]] = defaultdict(list)
    for item in items:
        if item.kind != "indirect":
            own_quotes[item.speaker_id].append(item.text)
    touched: set[int] = set()
    relations = SpeakerRelations(sql, {item.speaker_id for item in ungrouped if item.speaker_id is not None})
    for unit in units(ungrouped):   # quotes already grouped (regrouping one speaker) stay as they are
        # the attributed pieces decide; a speaker-less continuation goes where they go
        attributed = [i for i in unit if i.speaker_id is not None]
        sig = unit_signature(attributed)
        speaker_id = unit[0].speaker_id
        context = (context_signature(unit[0].sentence, own_quotes[speaker_id])
                   if len(attributed) == 1 and len(sig.content) <= 2 else None)
        keys = sig.content | (context.content if context is not None else frozenset())
        found = candidates(session, keys=keys, speaker_id=speaker_id, published=published)
        if len(sig.content) >= STRONG_SHARED:
            found += related_candidates(session, relations, keys=keys, speaker_id=speaker_id, published=published,
                                        exclude=[c.id for c in found])
        decision = decide(sig, found, context)
        if decision.target is None:
            target = sql.scalar(_NEW_UTTERANCE, (speaker_id, unit[0].text))
        else:
            target = decision.target
            for other in decision.merge:
                _merge(sql, other, target)
                touched.discard(other)
        sql.execute(f"UPDATE quote SET utterance_id = ? WHERE id IN ({marks(len(unit))})",
                    [target, *(i.id for i in unit)])
        # each stem is indexed once per utterance, under the speaker who first quoted it (the primary key is
        # utterance and stem): a short quote finds an utterance shared with another speaker only through the
        # stems of its own speaker's wordings (longer ones also look among related speakers)
        stems = set().union(*(signature(i.text).content for i in unit))
        sql.executemany(_INSERT_KEYS, [(target, k, speaker_id) for k in sorted(stems)])
        touched.add(target)
    refresh(sql, touched)
    session.expire_all()   # quotes and utterances changed underneath the ORM
    return touched


class _QuoteRow(NamedTuple):
    id: int
    text: str
    kind: str
    published: date | str | None
    outlet_id: int | None
    utterance_id: int
    speaker_id: int | None
    speaker_kind: str | None


def _canonical(rows: list[_QuoteRow]) -> str:
    """The longest speech wording (the one that covers the others); fragments only when nobody quoted more.
    Ties go to the most quoted wording, then the earliest."""
    counts = Counter(normalize(r.text) for r in rows)

    def rank(row) -> tuple:
        published = as_date(row.published)
        return (row.kind == "speech", len(signature(row.text).tokens), counts[normalize(row.text)],
                -(published.toordinal() if published else 10**7), -row.id)

    return max(rows, key=rank).text


def _speaker(rows: list[_QuoteRow]) -> int | None:
    """Whose statement it is when its quotes name several speakers: a person rather than the institution he
    speaks for (his government's readout of his words), then the speaker of most quotes, then the earliest."""
    counts = Counter(r.speaker_id for r in rows if r.speaker_id is not None)
    first: dict[int, int] = {}
    kinds: dict[int, str] = {}
    for r in sorted(rows, key=lambda r: r.id):
        first.setdefault(r.speaker_id, r.id)
        kinds.setdefault(r.speaker_id, r.speaker_kind)
    return min(counts, key=lambda s: (kinds[s] != PERSON, -counts[s], first[s]), default=None)


def refresh(sql: PlainSql, utterance_ids: Iterable[int]) -> None:
    """Recompute each utterance's speaker, counts, canonical wording and first/last sighting from its quotes;
    delete those with no quote left. One read and one batched update for all of them."""
    ids = sorted(set(utterance_ids))
    if not ids:
        return
    by_utterance: dict[int, list[_QuoteRow]] = defaultdict(list)
    for row in sql.rows("SELECT quote.id, quote.text, quote.kind, quote.published, quote.outlet_id, "
                        "quote.utterance_id, quote.speaker_id, entity.kind FROM quote "
                        "LEFT OUTER JOIN entity ON entity.id = quote.speaker_id "
                        f"WHERE quote.utterance_id IN ({marks(len(ids))})", ids):
        row = _QuoteRow(*row)
        by_utterance[row.utterance_id].append(row)
    empty = [uid for uid in ids if uid not in by_utterance]
    if empty:
        sql.execute(f"DELETE FROM utterancekey WHERE utterance_id IN ({marks(len(empty))})", empty)
        sql.execute(f"DELETE FROM utterance WHERE id IN ({marks(len(empty))})", empty)
    updates = []
    for uid, rows in by_utterance.items():
        first = min(rows, key=lambda r: (r.published is None, as_date(r.published) or date.min, r.id))
        dates = [as_date(r.published) for r in rows if r.published is not None]
        updates.append((
            _speaker(rows),   # None (no quote has a speaker): the utterance keeps the one it has
            _canonical(rows),
            len(rows),
            len({r.outlet_id for r in rows if r.outlet_id is not None}),
            sql.bind_date(min(dates)) if dates else None,
            sql.bind_date(max(dates)) if dates else None,
            first.outlet_id,
            uid,
        ))
    sql.executemany(_UPDATE_UTTERANCE, updates)


def regroup_all(session_factory: Callable[[], Session], progress: Callable[[int, int], None] | None = None) -> int:
    """Forget every utterance and group all articles again, oldest first, one transaction per article.
    For databases ingested before utterances existed. Returns the number of utterances."""
    with session_factory() as session:
        serialize_writes(session)
        session.execute(update(Quote).values(utterance_id=None))
        session.execute(delete(UtteranceKey))
        session.execute(delete(Utterance))
        session.commit()
    return _group_ungrouped(session_factory, None, progress)


def regroup_speakers(session_factory: Callable[[], Session], speaker_ids: Iterable[int]) -> int:
    """Group the quotes of these speakers again, leaving everyone else's utterances alone: for after entity
    resolution merged or split speakers (their statements were grouped under the old ids). Utterances shared
    with other speakers (a leader's words and his government's readout) are regrouped whole. Returns the
    number of utterances."""
    speaker_ids = sorted(set(speaker_ids))
    if not speaker_ids:
        with session_factory() as session:
            return session.exec(select(func.count(Utterance.id))).one()
    with session_factory() as session:
        conn = session.connection()
        stale = sorted(set(conn.execute(select(Utterance.id).where(Utterance.speaker_id.in_(speaker_ids))).scalars())
                       | set(conn.execute(select(Quote.utterance_id).distinct().where(
                           Quote.speaker_id.in_(speaker_ids), Quote.utterance_id.is_not(None))).scalars()))
        affected = Quote.utterance_id.in_(stale) | Quote.speaker_id.in_(speaker_ids)
        article_ids = sorted(set(conn.execute(select(Quote.article_id).distinct().where(affected)).scalars()))
        conn.execute(update(Quote).where(affected).values(utterance_id=None))
        conn.execute(delete(UtteranceKey).where(UtteranceKey.utterance_id.in_(stale)))
        conn.execute(delete(Utterance).where(Utterance.id.in_(stale)))
        session.commit()
    return _group_ungrouped(session_factory, article_ids, None)


def _group_ungrouped(session_factory: Callable[[], Session], article_ids: list[int] | None,
                     progress: Callable[[int, int], None] | None) -> int:
    """Group the ungrouped quotes of these articles (all when None), oldest article first."""
    with session_factory() as session:
        stmt = select(Article.id).order_by(Article.published.is_(None), Article.published, Article.id)
        if article_ids is not None:
            stmt = stmt.where(Article.id.in_(article_ids))
        article_ids = list(session.exec(stmt).all())
    for start in range(0, len(article_ids), REGROUP_BATCH):
        batch = article_ids[start:start + REGROUP_BATCH]
        with session_factory() as session:
            for article_id in batch:
                group_article(session, article_id)
            session.commit()
        if progress is not None:
            progress(start + len(batch), len(article_ids))
    with session_factory() as session:
        return session.exec(select(func.count(Utterance.id))).one()


# ---------- reading ----------

@dataclass(slots=True)
class UtteranceFilters:
    speaker: str | None = None
    outlet: str | None = None
    published_from: date | None = None      # on the date the statement was first reported
    published_to: date | None = None


@dataclass(slots=True)
class UtteranceRow:
    utterance: Utterance
    speaker: Entity | None
    first_outlet: Outlet | None


@dataclass(slots=True)
class Occurrence:
    quote_id: int
    article_id: int
    article_title: str | None
    outlet: Outlet | None
    published: date | None
    start: int
    end: int


@dataclass(slots=True)
class Variant:
    text: str
    quote_ids: list[int] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)
    diff: list[DiffOp] = field(default_factory=list)


@dataclass(slots=True)
class UtteranceDetail:
    row: UtteranceRow
    variants: list[Variant]


def _rows_query():
    return (select(Utterance, Entity, Outlet)
            .outerjoin(Entity, Entity.id == Utterance.speaker_id)
            .outerjoin(Outlet, Outlet.id == Utterance.first_outlet_id))


@dataclass(slots=True)
class UtteranceListing:
    """The columns of an utterance that a listing shows (attribute names as on app.models.Utterance)."""
    id: int
    canonical_text: str
    n_quotes: int
    n_outlets: int
    first_published: date | None


@dataclass(slots=True)
class UtteranceListingRow:
    """A listing row, shaped like UtteranceRow (plain values instead of ORM objects)."""
    utterance: UtteranceListing
    speaker: SpeakerRef | None
    first_outlet: OutletRef | None


# Core columns (not the ORM classes): the listing statements return plain tuples and run on the driver's cursor
# (services/driver_sql.py), as the quote pages do
utterance_cols, entity_cols, outlet_cols = Utterance.__table__.c, Entity.__table__.c, Outlet.__table__.c
quote_cols = Quote.__table__.c
LISTING_ROWS = (select(utterance_cols.id, utterance_cols.canonical_text, utterance_cols.n_quotes,
                       utterance_cols.n_outlets, utterance_cols.first_published,
                       entity_cols.id, entity_cols.name, entity_cols.kind,
                       outlet_cols.id, outlet_cols.name, outlet_cols.domain)
                .select_from(Utterance.__table__)
                .outerjoin(Entity.__table__, entity_cols.id == utterance_cols.speaker_id)
                .outerjoin(Outlet.__table__, outlet_cols.id == utterance_cols.first_outlet_id))


def _quoted_by(outlet_term):
    """Utterances with a quote in an outlet matching `outlet_term` (a condition on quote.outlet_id)."""
    return utterance_cols.id.in_(select(quote_cols.utterance_id)
                              .where(outlet_term, quote_cols.utterance_id.is_not(None)))


# Each filter as a WHERE term with its value bound apart, so that statements are built (and compiled) once per
# combination of filters; one id is a plain bound value, several an expanding IN (SQLAlchemy runs those)
FILTER_TERMS = {
    "speaker": utterance_cols.speaker_id == bindparam("f_speaker", type_=Integer),
    "speakers": utterance_cols.speaker_id.in_(bindparam("f_speakers", expanding=True)),
    "outlet": _quoted_by(quote_cols.outlet_id == bindparam("f_outlet", type_=Integer)),
    "outlets": _quoted_by(quote_cols.outlet_id.in_(bindparam("f_outlets", expanding=True))),
    "from": utterance_cols.first_published >= bindparam("f_from", type_=Date),
    "to": utterance_cols.first_published <= bindparam("f_to", type_=Date),
}
OUTLETS_ORDER = (utterance_cols.n_outlets.desc(), utterance_cols.id.desc())
OUTLETS_FIRST = Scan((), OUTLETS_ORDER, shape="outlets-first")
OUTLETS_AFTER_TERM = (tuple_(utterance_cols.n_outlets, utterance_cols.id)
                      < tuple_(bindparam("k_outlets", type_=Integer), bindparam("k_id", type_=Integer)))


@dataclass(slots=True)
class _ListingWhere:
    shape: tuple[str, ...]    # FILTER_TERMS keys, in order
    params: dict              # their bound values


def _listing_where(session: Session, filters: UtteranceFilters) -> _ListingWhere | None:
    """The filters as FILTER_TERMS keys and values (names resolved to ids); None if nothing can match."""
    shape: list[str] = []
    params: dict = {}
    if filters.speaker is not None and filters.speaker.strip():
        ids = ids_for_name(session=session, name=filters.speaker)
        if not ids:
            return None
        shape.append(bind_ids("speaker", ids, params))
    if filters.outlet is not None and filters.outlet.strip():
        ids = ids_for_outlet(session=session, value=filters.outlet)
        if not ids:
            return None
        shape.append(bind_ids("outlet", ids, params))
    for name, value in (("from", filters.published_from), ("to", filters.published_to)):
        if value:
            shape.append(name)
            params[f"f_{name}"] = value
    return _ListingWhere(tuple(shape), params)


_statements = BuiltStatements(512)   # ("count", filter shape) or (filter shape, scan shape) -> statement


def _count_statement(shape: tuple[str, ...]):
    return _statements.get(("count", shape), lambda: select(func.count(utterance_cols.id))
                           .where(*(FILTER_TERMS[name] for name in shape)))


def _page_statement(shape: tuple[str, ...], scan: Scan):
    return _statements.get((shape, scan.shape), lambda: LISTING_ROWS
                           .where(*(FILTER_TERMS[name] for name in shape), *scan.where)
                           .order_by(*scan.order_by).limit(bindparam("f_limit", type_=Integer)))


def _outlets_scans(cursor: str | None) -> list[Scan]:
    """The scan of (n_outlets, id) descending after `cursor` (n_outlets is never null)."""
    if not cursor:
        return [OUTLETS_FIRST]
    n_outlets, ident = decode_cursor(cursor, 2)
    if not isinstance(n_outlets, int) or not isinstance(ident, int):
        raise InvalidParameter("cursor", "not a cursor returned by this API")
    return [Scan((OUTLETS_AFTER_TERM,), OUTLETS_ORDER, {"k_outlets": n_outlets, "k_id": ident}, "outlets-after")]


def _to_listing_row(r) -> UtteranceListingRow:
    return UtteranceListingRow(
        utterance=UtteranceListing(*r[:5]),
        speaker=SpeakerRef(*r[5:8]) if r[5] is not None else None,
        first_outlet=OutletRef(*r[8:11]) if r[8] is not None else None,
    )


def list_utterances(
    *, session: Session, filters: UtteranceFilters, sort: str = "-outlets", limit: int, cursor: str | None = None
) -> Page[UtteranceListingRow]:
    """Utterances, most widely reported first (`-outlets`: outlets, then id, descending) or newest first
    (`-published`: first reported date, then id, descending)."""
    where = _listing_where(session, filters)
    if where is None:
        return Page(items=[], total=0, next_cursor=None)
    connection = session.connection()
    key = ("utterances.count", filters.speaker, filters.outlet, filters.published_from, filters.published_to)
    total = cached(session, key, lambda: fetch_all(connection, _count_statement(where.shape), where.params)[0][0])
    scans = (date_id_scans(utterance_cols.first_published, utterance_cols.id, cursor) if sort == "-published"
             else _outlets_scans(cursor))

    def fetch(scan: Scan, n: int) -> list[UtteranceListingRow]:
        rows = fetch_all(connection, _page_statement(where.shape, scan), {**where.params, **scan.params, "f_limit": n})
        return [_to_listing_row(r) for r in rows]

    rows = run_scans(scans, fetch, limit + 1, available=total if cursor is None else None)
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit and items:
        last = items[-1].utterance
        next_cursor = (date_id_cursor(last.first_published, last.id) if sort == "-published"
                       else encode_cursor(last.n_outlets, last.id))
    return Page(items=items, total=total, next_cursor=next_cursor)


def speakers_of(*, session: Session, utterance_ids: list[int]) -> dict[int, set[int]]:
    """utterance id -> the speakers it is attributed to: its own and those of its quotes (a leader's statement
    quoted from his government's readout carries both)."""
    out: dict[int, set[int]] = defaultdict(set)
    for uid, speaker_id in session.exec(select(Utterance.id, Utterance.speaker_id)
                                        .where(Utterance.id.in_(utterance_ids))).all():
        out[uid].add(speaker_id)
    for uid, speaker_id in session.exec(select(Quote.utterance_id, Quote.speaker_id).distinct()
                                        .where(Quote.utterance_id.in_(utterance_ids),
                                               Quote.speaker_id.is_not(None))).all():
        out[uid].add(speaker_id)
    return dict(out)


# built once (building an ORM statement costs more than running it); the id is a bound parameter
_ROW_BY_ID = _rows_query().where(Utterance.id == bindparam("utterance_id"))
_WORDINGS = (select(Quote.id, Quote.text, Quote.start, Quote.end, Quote.published, Article.id, Article.title, Outlet)
             .join(Article, Article.id == Quote.article_id)
             .outerjoin(Outlet, Outlet.id == Quote.outlet_id)
             .where(Quote.utterance_id == bindparam("utterance_id"))
             .order_by(Quote.published.is_(None), Quote.published, Quote.id))


@lru_cache(maxsize=8192)
def _wording_diff(canonical: str, wording: str) -> tuple:
    """word_diff of two texts, remembered: GET /utterances/{id} diffs every wording against the canonical one on
    each request, and the diff depends on the two texts alone (its operations are shared: read them only)."""
    return tuple(word_diff(canonical, wording))


def get_row(*, session: Session, utterance_id: int) -> UtteranceRow:
    row = session.exec(_ROW_BY_ID, params={"utterance_id": utterance_id}).first()
    if row is None:
        raise NotFound("utterance", utterance_id)
    return UtteranceRow(*row)


def get_utterance(*, session: Session, utterance_id: int) -> UtteranceDetail:
    """The utterance with every wording that carries it: the canonical one first, then the most quoted."""
    row = get_row(session=session, utterance_id=utterance_id)
    canonical = row.utterance.canonical_text
    variants: dict[str, Variant] = {}
    for qid, text, start, end, published, article_id, title, outlet in session.exec(
            _WORDINGS, params={"utterance_id": utterance_id}).all():
        variant = variants.setdefault(normalize(text), Variant(text=text))
        variant.quote_ids.append(qid)
        variant.occurrences.append(Occurrence(qid, article_id, title, outlet, published, start, end))
    canonical_key = normalize(canonical)
    ordered = sorted(variants.items(), key=lambda kv: (kv[0] != canonical_key, -len(kv[1].quote_ids)))
    for _, variant in ordered:
        variant.diff = list(_wording_diff(canonical, variant.text))
    return UtteranceDetail(row=row, variants=[v for _, v in ordered])
