"""Entities: lookups by name for `?speaker=` and `?q=`, listings with counts, one entity in detail, its
mentions, and the per-article merge used by ingest (same kind + same name key = same actor; the cross-article
rules run afterwards in services/resolution.py)."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from typing import NamedTuple

from sqlalchemy import Integer, and_, bindparam, func, or_, tuple_
from sqlmodel import Session, select

from app.errors import InvalidParameter, NotFound
from app.models import MAX_ID, Alias, Article, Entity, EntityRole, Mention, Outlet, Quote
from app.pipeline.names import alias_norm, describes, name_key, role_matches
from app.pipeline.types import EntityRecord
from app.services.driver_sql import fetch_all
from app.services.plain_sql import PlainSql, marks
from app.services.pagination import Page, decode_cursor, encode_cursor, name_id_cursor
from app.services.snapshot_cache import cached


@dataclass(slots=True)
class SpeakerRef:
    """A speaker as quote and utterance rows show it, from a plain row (attribute names as on Entity)."""
    id: int
    name: str
    kind: str


ENTITY_KINDS = ("person", "organization", "location")
ENTITY_SORTS = ("name", "-quotes", "-mentions")
MAX_NAME_CHARS = 120
MAX_QUERY_WORDS = 12


@dataclass(slots=True)
class EntityStats:
    entity: Entity
    quote_count: int
    mention_count: int = 0


@dataclass(slots=True)
class StatedRole:
    role: str
    affiliation: str | None
    article_id: int
    article_title: str | None
    published: date | None
    outlet: Outlet | None
    mention: str


@dataclass(slots=True)
class OutletCount:
    outlet: Outlet
    quote_count: int


@dataclass(slots=True)
class EntityDetail:
    entity: EntityFields
    aliases: list[str]
    quote_count: int
    mention_count: int
    article_count: int = 0
    roles: list[StatedRole] | None = None
    outlets: list[OutletCount] | None = None
    first_seen: date | None = None
    last_seen: date | None = None


@dataclass(slots=True)
class MentionRow:
    mention: Mention
    article_title: str | None
    published: date | None
    outlet: Outlet | None


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ---------- names -> entities ----------

def _exact(session: Session, text: str) -> set[int]:
    """Entities with this alias (normalised) or whose merge key this full name has."""
    norm = alias_norm(text)
    keys = [name_key(text, kind) for kind in ENTITY_KINDS]
    conditions = [Entity.key.in_(keys)]
    if norm:
        conditions.append(Entity.id.in_(select(Alias.entity_id).where(Alias.norm == norm)))
    if norm and " " not in norm:  # a single name: everyone who bears it ("Kovacs": Anna and Peter Kovacs)
        token = escape_like(norm)
        conditions.append(and_(Entity.kind == "person", or_(
            Entity.key.like(f"person:{token} %", escape="\\"), Entity.key.like(f"person:% {token}", escape="\\"),
            Entity.key.like(f"person:% {token} %", escape="\\"))))
    return set(session.exec(select(Entity.id).where(or_(*conditions))).all())


def _contained(session: Session, text: str) -> set[int]:
    """Entities named inside a longer phrase ("China's leader, Xi Jinping", "a statement from the Kremlin"):
    the longest run of words that is somebody's alias wins; equal runs are all kept (ambiguous)."""
    words = alias_norm(text).split()[:MAX_QUERY_WORDS]
    for size in range(len(words) - 1, 0, -1):
        grams = {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}
        found = set(session.exec(select(Alias.entity_id).where(Alias.norm.in_(grams))).all())
        if found:
            return found
    return set()


def _described(session: Session, text: str) -> set[int]:
    """People a descriptive phrase fits ("the Russian president", "Russian leader"), from the roles that the
    articles stated for them."""
    described = describes(text)
    if described is None:
        return set()
    title, modifiers = described
    rows = session.exec(select(EntityRole.entity_id, EntityRole.role, EntityRole.affiliation)).all() \
        if title == "leader" else session.exec(
            select(EntityRole.entity_id, EntityRole.role, EntityRole.affiliation)
            .where(func.lower(EntityRole.role).like(f"%{escape_like(title[:5])}%", escape="\\"))).all()
    return {eid for eid, role, affiliation in rows if role_matches(title, modifiers, f"{role} {affiliation or ''}")}


def ids_for_name(*, session: Session, name: str) -> list[int]:
    """Entities a user's name refers to: an id, any alias ("putin", "Mr. Putin"), the full-name merge key, a
    name inside a longer phrase, or a description by role ("the Russian president").

    The key catches a full name that no article spelled exactly that way ("Vladimir Putin" for an entity seen
    as "Vladimir V. Putin" and "Mr. Putin"). Several matches are all returned (two people called "Clinton"):
    the caller shows them all, never silently one.
    """
    name = name.strip()
    if name.isdecimal():   # an id ("²" is a digit but not a number)
        return [int(name)] if int(name) <= MAX_ID else []
    found = _exact(session, name) or _described(session, name) or _contained(session, name)
    return sorted(found)


def _search_condition(session: Session, q: str):
    """`?q=`: the start of any word of a name or alias ("put" finds Putin), the full-name key, a description by
    role, or (when nothing else matches) a name inside the phrase. None when nothing can match."""
    norm = alias_norm(q)
    prefix = None
    if norm:
        pattern = escape_like(norm)
        prefix = select(Alias.entity_id).where(or_(Alias.norm.like(f"{pattern}%", escape="\\"),
                                                   Alias.norm.like(f"% {pattern}%", escape="\\")))
    more = _exact(session, q) | _described(session, q)
    if not more and (prefix is None or session.exec(prefix.limit(1)).first() is None):
        more = _contained(session, q)
    conditions = [Entity.id.in_(prefix)] if prefix is not None else []
    if more:
        conditions.append(Entity.id.in_(sorted(more)))
    return or_(*conditions) if conditions else None


# ---------- listings ----------

def _counts_by_entity(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    """(quotes per speaker, mentions per entity): one pass over each index, cached until the database changes."""
    def count() -> tuple[dict[int, int], dict[int, int]]:
        quotes = dict(session.exec(select(Quote.speaker_id, func.count()).where(Quote.speaker_id.is_not(None))
                                   .group_by(Quote.speaker_id)).all())
        mentions = dict(session.exec(select(Mention.entity_id, func.count()).group_by(Mention.entity_id)).all())
        return quotes, mentions
    return cached(session, "entities.counts", count)


def _ranking(session: Session, kind: str | None, condition, sort: str, speakers_only: bool) -> list[tuple]:
    """Every matching entity as (sort key, id, quote count, mention count), in `sort` order."""
    quotes, mentions = _counts_by_entity(session)
    stmt = select(Entity.id, Entity.name)
    if kind:
        stmt = stmt.where(Entity.kind == kind)
    if condition is not None:
        stmt = stmt.where(condition)
    rows = []
    for ident, name in session.exec(stmt).all():
        nq, nm = quotes.get(ident, 0), mentions.get(ident, 0)
        if speakers_only and nq == 0:
            continue
        key = (name, ident) if sort == "name" else (-nq if sort == "-quotes" else -nm, ident)
        rows.append((key, ident, nq, nm))
    rows.sort()
    return rows


def _after(sort: str, cursor: str) -> tuple:
    """The sort key of a cursor (the same cursors as always: [name, id] or [count, id])."""
    first, ident = decode_cursor(cursor, 2)
    if sort == "name":
        if not isinstance(first, str) or not isinstance(ident, int):
            raise InvalidParameter("cursor", "not a cursor returned by this API")
        return (first, ident)
    if not isinstance(first, int) or not isinstance(ident, int):
        raise InvalidParameter("cursor", "not a cursor returned by this API")
    return (-first, ident)


def list_entities(
    *, session: Session, kind: str | None = None, q: str | None = None, sort: str = "name", limit: int,
    cursor: str | None = None, speakers_only: bool = False,
) -> Page[EntityStats]:
    """Entities matching `kind` and `q`, in name order or by most quotes / mentions first (keyset pages).

    Ordering by counts needs every entity's count, so the ordered list of matching entities is built once and
    cached until the database changes (services/snapshot_cache.py); a page is then a slice of it after the
    cursor's key.
    """
    if sort not in ENTITY_SORTS:
        raise InvalidParameter("sort", f"one of {', '.join(ENTITY_SORTS)}")
    condition = None
    if q is not None and q.strip():
        condition = _search_condition(session, q)
        if condition is None:
            return Page(items=[], total=0, next_cursor=None)
    ranking = cached(session, ("entities.ranking", kind, q.strip() if q else None, sort, speakers_only),
                     lambda: _ranking(session, kind, condition, sort, speakers_only))
    start = bisect.bisect_right(ranking, (_after(sort, cursor), float("inf"))) if cursor else 0
    found = ranking[start:start + limit + 1]
    entities = {e.id: e for e in session.exec(select(Entity).where(Entity.id.in_([r[1] for r in found]))).all()}
    items = [EntityStats(entity=entities[ident], quote_count=nq, mention_count=nm)
             for _, ident, nq, nm in found[:limit] if ident in entities]
    next_cursor = None
    if len(found) > limit and items:
        last = items[-1]
        if sort == "name":
            next_cursor = name_id_cursor(last.entity.name, last.entity.id)
        else:
            value = last.quote_count if sort == "-quotes" else last.mention_count
            next_cursor = encode_cursor(value, last.entity.id)
    return Page(items=items, total=len(ranking), next_cursor=next_cursor)


# ---------- one entity ----------

class EntityFields(NamedTuple):
    """The columns of an entity that GET /entities/{id} shows (attribute names as on app.models.Entity)."""
    id: int
    kind: str
    name: str
    role: str | None
    affiliation: str | None
    key: str
    description: str | None
    wikidata_id: str | None


# built once, run on the driver's cursor (services/driver_sql.py): only the bound entity id changes
_e, _alias, _role, _article = Entity.__table__.c, Alias.__table__.c, EntityRole.__table__.c, Article.__table__.c
_ENTITY_ID = bindparam("entity_id", type_=Integer)
ENTITY_BY_ID = select(_e.id, _e.kind, _e.name, _e.role, _e.affiliation, _e.key, _e.description,
                      _e.wikidata_id).where(_e.id == _ENTITY_ID)
ALIASES_OF = select(_alias.text).where(_alias.entity_id == _ENTITY_ID).order_by(_alias.text)
ROLES_OF = (select(_role.role, _role.affiliation, _role.article_id, _role.mention_text, _article.title,
                   _article.published, _article.outlet_id)
            .join(Article.__table__, _article.id == _role.article_id)
            .where(_role.entity_id == _ENTITY_ID)
            .order_by(_article.published.desc().nulls_last(), _role.article_id, _role.mention_start))


def get_entity(*, session: Session, entity_id: int) -> EntityDetail:
    """One entity with its aliases, roles per article, outlets and counts. The aggregates over all its quotes and
    mentions are cached until the database changes (services/snapshot_cache.py): a speaker with 33k quotes
    costs that much only once."""
    conn = session.connection()
    params = {"entity_id": entity_id}
    found = fetch_all(conn, ENTITY_BY_ID, params)
    if not found:
        raise NotFound("entity", entity_id)
    entity = EntityFields._make(found[0])
    aliases = [text for text, in fetch_all(conn, ALIASES_OF, params)]
    outlets = _outlets_by_id(session)
    roles = [
        StatedRole(role=role, affiliation=affiliation, article_id=article_id, article_title=title,
                   published=published, outlet=outlets.get(outlet_id), mention=mention)
        for role, affiliation, article_id, mention, title, published, outlet_id in fetch_all(conn, ROLES_OF, params)
    ]
    stats = cached(session, ("entity.stats", entity_id), lambda: _entity_stats(session, entity_id))
    quote_count, mention_count, by_outlet, first, last, articles = stats
    return EntityDetail(entity=entity, aliases=aliases, quote_count=quote_count, mention_count=mention_count,
                        article_count=articles, roles=roles,
                        outlets=[OutletCount(outlet=outlets[o], quote_count=n) for o, n in by_outlet if o in outlets],
                        first_seen=first, last_seen=last)


def _outlets_by_id(session: Session) -> dict:
    """Every outlet (rows with id, name, domain) by id, a few hundred at most, cached until the database
    changes."""
    def load() -> dict:
        o = Outlet.__table__.c
        return {r.id: r for r in session.connection().execute(select(o.id, o.name, o.domain))}
    return cached(session, "outlets.by_id", load)


def _entity_stats(session: Session, entity_id: int) -> tuple:
    """(quote count, mention count, [(outlet id, quotes)] most quotes first, first seen, last seen, articles)."""
    conn = session.connection()
    q, m, a, o = Quote.__table__.c, Mention.__table__.c, Article.__table__.c, Outlet.__table__.c
    quote_count = conn.execute(select(func.count()).where(q.speaker_id == entity_id)).scalar_one()
    mention_count = conn.execute(select(func.count()).where(m.entity_id == entity_id)).scalar_one()
    n = func.count().label("n")
    by_outlet = [tuple(r) for r in conn.execute(   # grouped from ix_quote_speaker_outlet alone
        select(q.outlet_id, n).where(q.speaker_id == entity_id, q.outlet_id.is_not(None)).group_by(q.outlet_id))]
    names = dict(conn.execute(select(o.id, o.name)).all())
    by_outlet.sort(key=lambda r: (-r[1], names.get(r[0], "")))
    seen_in = select(m.article_id).where(m.entity_id == entity_id).union(
        select(q.article_id).where(q.speaker_id == entity_id)).subquery()
    first, last, articles = conn.execute(
        select(func.min(a.published), func.max(a.published), func.count(a.id))
        .where(a.id.in_(select(seen_in.c.article_id)))).one()
    return quote_count, mention_count, by_outlet, first, last, articles


def require_entity(*, session: Session, entity_id: int) -> Entity:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    return entity


def list_mentions(
    *, session: Session, entity_id: int, article_id: int | None = None, limit: int, cursor: str | None = None
) -> Page[MentionRow]:
    """Every named mention of an entity, in article order and then reading order (keyset on mention id)."""
    require_entity(session=session, entity_id=entity_id)
    conditions = [Mention.entity_id == entity_id]
    if article_id is not None:
        conditions.append(Mention.article_id == article_id)
    total = cached(session, ("mentions.count", entity_id, article_id),
                   lambda: session.exec(select(func.count(Mention.id)).where(*conditions)).one())
    if cursor:   # a row-value range of ix_mention_entity_article, not an OR evaluated row by row
        values = decode_cursor(cursor, 2)
        if not all(isinstance(v, int) for v in values):
            raise InvalidParameter("cursor", "not a cursor returned by this API")
        conditions = [*conditions, tuple_(Mention.article_id, Mention.start) > tuple_(*values)]
    rows = session.exec(
        select(Mention, Article.title, Article.published, Outlet)
        .join(Article, Article.id == Mention.article_id)
        .outerjoin(Outlet, Outlet.id == Article.outlet_id)
        .where(*conditions).order_by(Mention.article_id, Mention.start).limit(limit + 1)
    ).all()
    items = [MentionRow(mention=m, article_title=t, published=p, outlet=o) for m, t, p, o in rows[:limit]]
    next_cursor = encode_cursor(items[-1].mention.article_id, items[-1].mention.start) \
        if len(rows) > limit and items else None
    return Page(items=items, total=total, next_cursor=next_cursor)


# ---------- writes (used by ingest; flush only, the caller commits) ----------

def is_well_formed_name(name: str | None) -> bool:
    """A name fit for display: one line, not too long, starts with a letter, not a whole shouted headline."""
    if not name or len(name) > MAX_NAME_CHARS or "\n" in name or "\t" in name:
        return False
    if not name[0].isalpha() or (len(name) > 6 and not any(ch.islower() for ch in name)):
        return False
    return re.search(r"[\"“”()\[\]{}<>|]", name) is None


def better_name(current: str, candidate: str) -> str:
    """Keep the longest well-formed name seen for an entity ("Vladimir V. Putin" over "Putin")."""
    if is_well_formed_name(candidate) and (len(candidate) > len(current) or not is_well_formed_name(current)):
        return candidate
    return current


def upsert_entities(*, session: Session, records: list[EntityRecord]) -> tuple[dict[str, int], int]:
    """The entity of each record (same kind and key), created if new; names, role and aliases are merged in.

    One article's records at a time, in a fixed number of queries (plus one insert per new entity) whatever
    their count, as plain SQL (services/plain_sql.py: ingest runs this for every article). Returns
    ({record key: entity id}, number created).
    """
    if not records:
        return {}, 0
    sql = PlainSql(session.connection())
    keys = sorted({r.key for r in records})
    # (kind, key) -> [id, name, role, affiliation]; descending ids: the oldest one wins
    existing: dict[tuple[str, str], list] = {}
    for ident, kind, key, name, role, affiliation in sql.rows(
            f'SELECT id, kind, "key", name, role, affiliation FROM entity WHERE "key" IN ({marks(len(keys))}) '
            "ORDER BY id DESC", keys):
        existing[(kind, key)] = [ident, name, role, affiliation]
    stored = {k: tuple(v) for k, v in existing.items()}
    created = 0
    for record in records:
        entity = existing.get((record.kind, record.key))
        if entity is None:
            ident = sql.scalar('INSERT INTO entity (kind, "key", name, role, affiliation) VALUES (?, ?, ?, ?, ?) '
                               "RETURNING id", (record.kind, record.key, record.name, record.role,
                                                record.affiliation))
            existing[(record.kind, record.key)] = [ident, record.name, record.role, record.affiliation]
            stored[(record.kind, record.key)] = (ident, record.name, record.role, record.affiliation)
            created += 1
        else:
            entity[1] = better_name(entity[1], record.name)
            entity[2] = entity[2] or record.role
            entity[3] = entity[3] or record.affiliation
    sql.executemany("UPDATE entity SET name = ?, role = ?, affiliation = ? WHERE id = ?",
                    [(name, role, affiliation, ident) for k, (ident, name, role, affiliation) in existing.items()
                     if stored[k] != (ident, name, role, affiliation)])

    by_record = {r.key: existing[(r.kind, r.key)][0] for r in records}
    ids = sorted(set(by_record.values()))
    known: set[tuple[int, str]] = set(sql.rows(
        f"SELECT entity_id, norm FROM alias WHERE entity_id IN ({marks(len(ids))})", ids))
    aliases = []
    for record in records:
        entity_id = by_record[record.key]
        # shortest spelling first, so an alias row reads "Putin" rather than "Mr Putin" for the norm "putin"
        for text in sorted({record.name, *record.aliases}, key=lambda t: (len(t), t)):
            norm = alias_norm(text)
            if norm and (entity_id, norm) not in known:
                known.add((entity_id, norm))
                aliases.append((entity_id, text, norm))
    sql.executemany("INSERT INTO alias (entity_id, text, norm) VALUES (?, ?, ?)", aliases)
    return by_record, created
