"""Re-resolution over the whole database: regroup every article's actors into real-world entities.

Ingest stores each article's actors under their name key (one transaction per article); this pass then applies
the cross-article rules of `pipeline/resolve.py` to all of them at once, so the result does not depend on the
order articles arrived in: surname-only mentions find their full names, acronyms their organisations, and each
entity gets its canonical name, aliases and a role summary. It runs after every ingest batch and as
`whosaid entities rebuild`. Entity ids are kept where possible (a group keeps the smallest id among its parts).
Flushes only; the caller commits.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Column, Table, delete, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from app.db import serialize_writes
from app.models import Alias, Article, Entity, EntityRole, Mention, Quote
from app.pipeline.names import alias_norm, name_key
from app.pipeline.resolve import Local, resolve
from app.services.plain_sql import PlainSql, marks


@dataclass(slots=True)
class CuratedEntity:
    """One entry of the optional curated file: extra aliases and identifiers for a well-known actor."""

    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    wikidata_id: str | None = None


@dataclass(slots=True)
class ResolutionReport:
    entities_before: int = 0
    entities_after: int = 0
    curated_matches: int = 0
    # speakers whose quotes changed entity: their utterances must be grouped again (services/utterances.py)
    regroup: set[int] = field(default_factory=set)

    @property
    def merged(self) -> int:
        return max(0, self.entities_before - self.entities_after)


def load_curated(path: Path | None) -> list[CuratedEntity]:
    """Entries of a curated entities file ([{name, kind, aliases, description, wikidata}]); [] when absent.

    A malformed file is an error worth stopping for: it is hand-written and read on purpose.
    """
    if path is None or not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("entities", []) if isinstance(data, dict) else data
    out = []
    for item in entries:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError(f"{path}: every entry needs a 'name' string")
        out.append(CuratedEntity(
            name=item["name"], kind=item.get("kind", "person"),
            aliases=[a for a in item.get("aliases", []) if isinstance(a, str)],
            description=item.get("description"), wikidata_id=item.get("wikidata"),
        ))
    return out


def resolve_entities(*, session: Session, curated: list[CuratedEntity] | None = None) -> ResolutionReport:
    """Regroup all stored mentions into entities and rewrite names, kinds, keys, aliases and role summaries."""
    serialize_writes(session)
    report = ResolutionReport(entities_before=session.exec(select(func.count(Entity.id))).one())
    entities = {e.id: e for e in session.exec(select(Entity)).all()}
    locals_: dict[tuple[int, int], Local] = {}
    rows = session.exec(
        select(Mention.article_id, Mention.entity_id, Mention.text, func.count(Mention.id))
        .group_by(Mention.article_id, Mention.entity_id, Mention.text)
    ).all()
    for article_id, entity_id, text, n in rows:
        ref = (article_id, entity_id)
        loc = locals_.get(ref)
        if loc is None:
            loc = locals_[ref] = Local(ref=ref, kind=entities[entity_id].kind, forms=Counter(), article=article_id)
        loc.forms[text] += n
    groups = resolve(list(locals_.values()))

    # each group keeps the smallest free id among its parts; the biggest groups choose first
    by_group: dict[int, Entity] = {}
    taken: set[int] = set()
    for gi in sorted(range(len(groups)), key=lambda i: -len(groups[i].refs)):
        g = groups[gi]
        free = sorted({eid for _a, eid in g.refs} - taken)
        if free:
            entity = entities[free[0]]
            _set(entity, kind=g.kind, key=g.key, name=g.name)
        else:  # an entity split in two: the second part needs a new id
            entity = Entity(kind=g.kind, key=g.key, name=g.name)
            session.add(entity)
            session.flush()
        by_group[gi] = entity
        taken.add(entity.id)
    report.regroup = _move_references(session, groups, by_group)
    report.curated_matches, curated_aliases = _apply_curated(curated or [], list(by_group.values()))
    _rewrite_aliases(session, groups, by_group, curated_aliases)
    _summarise_roles(session, [e.id for e in by_group.values()])

    # entities nothing refers to any more (merged into another) go
    live = {e.id for e in by_group.values()}
    referenced: set[int] = set()
    for table, column in _entity_references():
        referenced.update(session.execute(sa_select(column).where(column.is_not(None)).distinct()).scalars())
    gone = [eid for eid in entities if eid not in live and eid not in referenced]
    if gone:
        session.exec(delete(Alias).where(Alias.entity_id.in_(gone)))
        session.exec(delete(Entity).where(Entity.id.in_(gone)))
    session.flush()
    report.entities_after = session.exec(select(func.count(Entity.id))).one()
    return report


def _entity_references() -> list[tuple[Table, Column]]:
    """Every (table, column) with a foreign key to entity.id, so tables added later (utterances, ...) follow
    merges too. Aliases are rewritten wholesale instead."""
    refs = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in {"entity", "alias"}:
            continue
        for column in table.columns:
            if any(fk.column.table.name == "entity" and fk.column.name == "id" for fk in column.foreign_keys):
                refs.append((table, column))
    return refs


def _move_references(session: Session, groups, by_group: dict[int, Entity]) -> set[int]:
    """Point mentions, quotes, roles (every reference) of each (article, old entity) at its group's entity.

    Returns the speakers (old and new ids) whose quotes moved. Tables without an article (utterances) follow a
    whole entity; when an entity is split they stay put and the returned speakers are regrouped instead."""
    moves: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))  # old -> new -> articles
    for gi, g in enumerate(groups):
        new = by_group[gi].id
        for article_id, old in g.refs:
            if old != new:
                moves[old][new].append(article_id)
    live = {e.id for e in by_group.values()}
    quoted = set(session.execute(sa_select(Quote.speaker_id).where(Quote.speaker_id.in_(list(moves))).distinct())
                 .scalars()) if moves else set()
    regroup = set()
    references = _entity_references()
    # plain SQL on the driver (services/plain_sql.py): thousands of small UPDATEs, each built and compiled anew
    # as a SQLAlchemy statement, were a sixth of the pass
    sql = PlainSql(session.connection())
    for old, targets in moves.items():
        whole = len(targets) == 1 and old not in live
        if old in quoted:
            regroup.update([old, *targets])
        for new, articles in targets.items():
            for table, column in references:
                move = f'UPDATE "{table.name}" SET "{column.name}" = ? WHERE "{column.name}" = ?'
                if whole:
                    sql.execute(move, (new, old))
                elif "article_id" in table.c:  # the old entity lives on elsewhere: move this article's rows only
                    for chunk in range(0, len(articles), 500):
                        part = articles[chunk:chunk + 500]
                        sql.execute(f"{move} AND article_id IN ({marks(len(part))})", (new, old, *part))
    return regroup


def _rewrite_aliases(session: Session, groups, by_group: dict[int, Entity],
                     curated: dict[int, list[str]] | None = None) -> None:
    """Aliases are every surface form of the group (plus curated ones), one row per normalised form, shown in the
    spelling used most (the canonical name for its own form). Only rows that change are written."""
    wanted: dict[tuple[int, str], str] = {}
    for gi, g in enumerate(groups):
        entity = by_group[gi]
        spelling: dict[str, str] = {}
        for text in sorted(g.forms, key=lambda t: (-g.forms[t], len(t), t)):
            spelling.setdefault(alias_norm(text), text)
        spelling[alias_norm(entity.name)] = entity.name
        for text in (curated or {}).get(entity.id, []):
            spelling.setdefault(alias_norm(text), text)
        wanted.update(((entity.id, norm), text) for norm, text in spelling.items() if norm)
    stale = []
    for alias_id, entity_id, norm, text in session.execute(sa_select(Alias.id, Alias.entity_id, Alias.norm,
                                                                     Alias.text)).all():
        if wanted.get((entity_id, norm)) == text:
            del wanted[(entity_id, norm)]
        else:
            stale.append(alias_id)
    for chunk in range(0, len(stale), 500):
        session.execute(delete(Alias).where(Alias.id.in_(stale[chunk:chunk + 500])))
    if wanted:
        session.execute(insert(Alias), [{"entity_id": e, "norm": n, "text": t} for (e, n), t in wanted.items()])


def role_summary(stated: list[tuple[str, str | None, int, date | None]]) -> tuple[str | None, str | None]:
    """The role shown on an entity, from (role, affiliation, article id, published) as articles stated them.

    Prefers roles that name an affiliation, then the role stated by the most articles, then the most recently
    published, then the most specific (longest): "senior fellow at the Carnegie Endowment" over "professor".
    """
    if not stated:
        return None, None
    articles: dict[str, set[int]] = defaultdict(set)
    latest: dict[str, date] = {}
    first: dict[str, tuple[str, str | None]] = {}
    for role, affiliation, article_id, published in stated:
        k = role.casefold()
        articles[k].add(article_id)
        latest[k] = max(latest.get(k, date.min), published or date.min)
        if k not in first or (affiliation and not first[k][1]):
            first[k] = (role, affiliation)
    best = max(first, key=lambda k: (first[k][1] is not None, len(articles[k]), latest[k], len(k)))
    return first[best]


def _summarise_roles(session: Session, entity_ids: list[int]) -> None:
    stated: dict[int, list] = defaultdict(list)
    rows = session.exec(
        select(EntityRole.entity_id, EntityRole.role, EntityRole.affiliation, EntityRole.article_id, Article.published)
        .join(Article, Article.id == EntityRole.article_id)
    ).all()
    for entity_id, role, affiliation, article_id, published in rows:
        stated[entity_id].append((role, affiliation, article_id, published))
    for entity_id in entity_ids:
        role, affiliation = role_summary(stated.get(entity_id, []))
        _set(session.get(Entity, entity_id), role=role, affiliation=affiliation)


def _apply_curated(curated: list[CuratedEntity], entities: list[Entity]) -> tuple[int, dict[int, list[str]]]:
    """Curated entries annotate the entity whose key one of their names has; they never create or merge one.
    Returns (entries matched, extra aliases by entity id)."""
    by_key = {(e.kind, e.key): e for e in entities}
    matched, aliases = 0, {}
    for item in curated:
        keys = [(item.kind, name_key(n, item.kind)) for n in [item.name, *item.aliases]]
        entity = next((by_key[k] for k in keys if k in by_key), None)
        if entity is None:
            continue
        matched += 1
        _set(entity, description=item.description or entity.description,
             wikidata_id=item.wikidata_id or entity.wikidata_id)
        aliases.setdefault(entity.id, []).extend([item.name, *item.aliases])
    return matched, aliases


def _set(entity: Entity, **values) -> None:
    """Assign only what changed, so an unchanged entity costs no UPDATE."""
    for name, value in values.items():
        if getattr(entity, name) != value:
            setattr(entity, name, value)
