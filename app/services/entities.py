"""Entities: lookups by name for `?speaker=`, listings with quote counts, and the cross-article merge used by
ingest (same kind + same name key = same actor)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.errors import NotFound
from app.models import Alias, Entity, Mention, Quote
from app.pipeline.names import alias_norm, name_key
from app.pipeline.types import EntityRecord
from app.services.pagination import Page, after_name_id, name_id_cursor

ENTITY_KINDS = ("person", "organization", "location")
MAX_NAME_CHARS = 120


@dataclass(slots=True)
class EntityStats:
    entity: Entity
    quote_count: int


@dataclass(slots=True)
class EntityDetail:
    entity: Entity
    aliases: list[str]
    quote_count: int
    mention_count: int


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def ids_for_name(*, session: Session, name: str) -> list[int]:
    """Entities a user's name refers to: an id, any alias ("putin", "Mr. Putin") or the full-name merge key.

    The key catches a full name that no article spelled exactly that way ("Vladimir Putin" for an entity seen
    as "Vladimir V. Putin" and "Mr. Putin"). Several matches are all returned: the caller shows them all.
    """
    name = name.strip()
    if name.isdigit():
        return [int(name)]
    norm = alias_norm(name)
    keys = [name_key(name, kind) for kind in ENTITY_KINDS]
    by_alias = select(Alias.entity_id).where(Alias.norm == norm) if norm else None
    conditions = [Entity.key.in_(keys)]
    if by_alias is not None:
        conditions.append(Entity.id.in_(by_alias))
    return list(session.exec(select(Entity.id).where(or_(*conditions)).order_by(Entity.id)).all())


def _quote_count():
    return select(func.count(Quote.id)).where(Quote.speaker_id == Entity.id).correlate(Entity).scalar_subquery()


def list_entities(
    *, session: Session, kind: str | None = None, q: str | None = None, limit: int, cursor: str | None = None
) -> Page[EntityStats]:
    """Entities in name order; `q` matches the start of any word of a name or alias ("put" finds Putin)."""
    conditions = []
    if kind:
        conditions.append(Entity.kind == kind)
    if q is not None and q.strip():
        norm = alias_norm(q)
        if not norm:
            return Page(items=[], total=0, next_cursor=None)
        pattern = escape_like(norm)
        matching = select(Alias.entity_id).where(
            or_(Alias.norm.like(f"{pattern}%", escape="\\"), Alias.norm.like(f"% {pattern}%", escape="\\"))
        )
        conditions.append(Entity.id.in_(matching))
    total = session.exec(select(func.count(Entity.id)).where(*conditions)).one()
    if cursor:
        conditions.append(after_name_id(Entity.name, Entity.id, cursor))
    rows = session.exec(
        select(Entity, _quote_count()).where(*conditions).order_by(Entity.name, Entity.id).limit(limit + 1)
    ).all()
    items = [EntityStats(entity=e, quote_count=n) for e, n in rows[:limit]]
    next_cursor = name_id_cursor(items[-1].entity.name, items[-1].entity.id) if len(rows) > limit else None
    return Page(items=items, total=total, next_cursor=next_cursor)


def get_entity(*, session: Session, entity_id: int) -> EntityDetail:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    aliases = session.exec(select(Alias.text).where(Alias.entity_id == entity_id).order_by(Alias.text)).all()
    quote_count = session.exec(select(func.count(Quote.id)).where(Quote.speaker_id == entity_id)).one()
    mention_count = session.exec(select(func.count(Mention.id)).where(Mention.entity_id == entity_id)).one()
    return EntityDetail(entity=entity, aliases=list(aliases), quote_count=quote_count, mention_count=mention_count)


def require_entity(*, session: Session, entity_id: int) -> Entity:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound("entity", entity_id)
    return entity


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


def upsert_entity(*, session: Session, record: EntityRecord) -> tuple[Entity, bool]:
    """The entity for `record` (same kind and key), created if new; names, role and aliases are merged in.

    Returns (entity, created). Flushes so the entity has an id.
    """
    entity = session.exec(
        select(Entity).where(Entity.kind == record.kind, Entity.key == record.key).order_by(Entity.id)
    ).first()
    created = entity is None
    if entity is None:
        entity = Entity(kind=record.kind, key=record.key, name=record.name, role=record.role,
                        affiliation=record.affiliation)
        session.add(entity)
    else:
        entity.name = better_name(entity.name, record.name)
        entity.role = entity.role or record.role
        entity.affiliation = entity.affiliation or record.affiliation
    session.flush()

    known = set(session.exec(select(Alias.norm).where(Alias.entity_id == entity.id)).all())
    # shortest spelling first, so an alias row reads "Putin" rather than "Mr Putin" for the norm "putin"
    for text in sorted({record.name, *record.aliases}, key=lambda t: (len(t), t)):
        norm = alias_norm(text)
        if norm and norm not in known:
            known.add(norm)
            session.add(Alias(entity_id=entity.id, text=text, norm=norm))
    return entity, created
