"""Entities: lookups by name for `?speaker=` and `?q=`, listings with counts, one entity in detail, its
mentions, and the per-article merge used by ingest (same kind + same name key = same actor; the cross-article
rules run afterwards in services/resolution.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.errors import InvalidParameter, NotFound
from app.models import MAX_ID, Alias, Article, Entity, EntityRole, Mention, Outlet, Quote
from app.pipeline.names import alias_norm, describes, name_key, role_matches
from app.pipeline.types import EntityRecord
from app.services.pagination import Page, after_name_id, decode_cursor, encode_cursor, name_id_cursor

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
    entity: Entity
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

def _quote_count():
    return select(func.count(Quote.id)).where(Quote.speaker_id == Entity.id).correlate(Entity).scalar_subquery()


def _mention_count():
    return select(func.count(Mention.id)).where(Mention.entity_id == Entity.id).correlate(Entity).scalar_subquery()


def list_entities(
    *, session: Session, kind: str | None = None, q: str | None = None, sort: str = "name", limit: int,
    cursor: str | None = None, speakers_only: bool = False,
) -> Page[EntityStats]:
    """Entities matching `kind` and `q`, in name order or by most quotes / mentions first (keyset pages)."""
    if sort not in ENTITY_SORTS:
        raise InvalidParameter("sort", f"one of {', '.join(ENTITY_SORTS)}")
    quotes, mentions = _quote_count().label("quote_count"), _mention_count().label("mention_count")
    base = select(Entity.id.label("id"), Entity.name.label("name"), quotes, mentions)
    if kind:
        base = base.where(Entity.kind == kind)
    if q is not None and q.strip():
        condition = _search_condition(session, q)
        if condition is None:
            return Page(items=[], total=0, next_cursor=None)
        base = base.where(condition)
    counted = base.subquery()
    rows = sa_select(counted)
    if speakers_only:
        rows = rows.where(counted.c.quote_count > 0)
    total = session.execute(sa_select(func.count()).select_from(rows.subquery())).scalar_one()
    count_col = counted.c.quote_count if sort == "-quotes" else counted.c.mention_count
    if sort == "name":
        if cursor:
            rows = rows.where(after_name_id(counted.c.name, counted.c.id, cursor))
        rows = rows.order_by(counted.c.name, counted.c.id)
    else:
        if cursor:
            n, ident = decode_cursor(cursor, 2)
            if not isinstance(n, int) or not isinstance(ident, int):
                raise InvalidParameter("cursor", "not a cursor returned by this API")
            rows = rows.where(or_(count_col < n, and_(count_col == n, counted.c.id > ident)))
        rows = rows.order_by(count_col.desc(), counted.c.id)
    found = session.execute(rows.limit(limit + 1)).all()
    entities = {e.id: e for e in session.exec(select(Entity).where(Entity.id.in_([r.id for r in found]))).all()}
    items = [EntityStats(entity=entities[r.id], quote_count=r.quote_count, mention_count=r.mention_count)
             for r in found[:limit]]
    next_cursor = None
    if len(found) > limit and items:
        last = items[-1]
        if sort == "name":
            next_cursor = name_id_cursor(last.entity.name, last.entity.id)
        else:
            value = last.quote_count if sort == "-quotes" else last.mention_count
            next_cursor = encode_cursor(value, last.entity.id)
    return Page(items=items, total=total, next_cursor=next_cursor)


# ---------- one entity ----------

def get_entity(*, session: Session, entity_id: int) -> EntityDetail:
    entity = require_entity(session=session, entity_id=entity_id)
    aliases = session.exec(select(Alias.text).where(Alias.entity_id == entity_id).order_by(Alias.text)).all()
    quote_count = session.exec(select(func.count(Quote.id)).where(Quote.speaker_id == entity_id)).one()
    mention_count = session.exec(select(func.count(Mention.id)).where(Mention.entity_id == entity_id)).one()
    roles = [
        StatedRole(role=r.role, affiliation=r.affiliation, article_id=r.article_id, article_title=title,
                   published=published, outlet=outlet, mention=r.mention_text)
        for r, title, published, outlet in session.exec(
            select(EntityRole, Article.title, Article.published, Outlet)
            .join(Article, Article.id == EntityRole.article_id)
            .outerjoin(Outlet, Outlet.id == Article.outlet_id)
            .where(EntityRole.entity_id == entity_id)
            .order_by(Article.published.desc().nulls_last(), EntityRole.article_id, EntityRole.mention_start)
        ).all()
    ]
    outlets = [OutletCount(outlet=o, quote_count=n) for o, n in session.exec(
        select(Outlet, func.count(Quote.id)).join(Quote, Quote.outlet_id == Outlet.id)
        .where(Quote.speaker_id == entity_id).group_by(Outlet.id).order_by(func.count(Quote.id).desc(), Outlet.name)
    ).all()]
    seen_in = select(Mention.article_id).where(Mention.entity_id == entity_id).union(
        select(Quote.article_id).where(Quote.speaker_id == entity_id)).subquery()
    first, last, articles = session.exec(
        select(func.min(Article.published), func.max(Article.published), func.count(Article.id))
        .where(Article.id.in_(select(seen_in.c.article_id)))
    ).one()
    return EntityDetail(entity=entity, aliases=list(aliases), quote_count=quote_count, mention_count=mention_count,
                        article_count=articles, roles=roles, outlets=outlets, first_seen=first, last_seen=last)


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
    total = session.exec(select(func.count(Mention.id)).where(*conditions)).one()
    if cursor:
        values = decode_cursor(cursor, 2)
        if not all(isinstance(v, int) for v in values):
            raise InvalidParameter("cursor", "not a cursor returned by this API")
        a, s = values
        conditions.append(or_(Mention.article_id > a, and_(Mention.article_id == a, Mention.start > s)))
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

    One article's records at a time, in a fixed number of queries whatever their count. Returns
    ({record key: entity id}, number created). Flushes so every entity has an id.
    """
    existing: dict[tuple[str, str], Entity] = {}
    keys = sorted({r.key for r in records})
    with session.no_autoflush:
        for entity in session.exec(select(Entity).where(Entity.key.in_(keys)).order_by(Entity.id.desc())).all():
            existing[(entity.kind, entity.key)] = entity  # descending ids: the oldest one wins
    created = 0
    for record in records:
        entity = existing.get((record.kind, record.key))
        if entity is None:
            entity = Entity(kind=record.kind, key=record.key, name=record.name, role=record.role,
                            affiliation=record.affiliation)
            session.add(entity)
            existing[(record.kind, record.key)] = entity
            created += 1
        else:
            entity.name = better_name(entity.name, record.name)
            entity.role = entity.role or record.role
            entity.affiliation = entity.affiliation or record.affiliation
    session.flush()

    by_record = {r.key: existing[(r.kind, r.key)] for r in records}
    known: set[tuple[int, str]] = set(session.exec(
        select(Alias.entity_id, Alias.norm).where(Alias.entity_id.in_({e.id for e in by_record.values()}))).all())
    for record in records:
        entity_id = by_record[record.key].id
        # shortest spelling first, so an alias row reads "Putin" rather than "Mr Putin" for the norm "putin"
        for text in sorted({record.name, *record.aliases}, key=lambda t: (len(t), t)):
            norm = alias_norm(text)
            if norm and (entity_id, norm) not in known:
                known.add((entity_id, norm))
                session.add(Alias(entity_id=entity_id, text=text, norm=norm))
    return {key: entity.id for key, entity in by_record.items()}, created
