"""Outlets: lookup by name or domain, get-or-create for ingest, and a listing with counts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.models import MAX_ID, Article, Outlet, Quote
from app.services.pagination import Page, after_name_id, name_id_cursor
from app.services.snapshot_cache import cached


@dataclass(slots=True)
class OutletRef:
    """An outlet as quote, article and utterance rows show it, from a plain row (attribute names as on Outlet)."""
    id: int
    name: str
    domain: str | None


@dataclass(slots=True)
class OutletStats:
    outlet: Outlet
    article_count: int
    quote_count: int


def _bare_domain(value: str) -> str:
    value = value.strip().casefold()
    for prefix in ("https://", "http://", "www."):
        value = value.removeprefix(prefix)
    return value.rstrip("/")


def ids_for_outlet(*, session: Session, value: str) -> list[int]:
    """Outlets named by a user: an id, a name ("the guardian") or a domain ("www.theguardian.com")."""
    value = value.strip()
    if value.isdecimal():   # an id ("²" is a digit but not a number)
        return [int(value)] if int(value) <= MAX_ID else []
    stmt = select(Outlet.id).where(
        or_(func.lower(Outlet.name) == value.casefold(), func.lower(Outlet.domain) == _bare_domain(value))
    )
    return list(session.exec(stmt).all())


def get_or_create_outlet(*, session: Session, name: str | None, domain: str | None) -> Outlet | None:
    """The outlet called `name` (or, with no name, the one at `domain`); None when both are unknown."""
    name = (name or "").strip() or None
    domain = _bare_domain(domain) if domain and domain.strip() else None
    if name is None and domain is None:
        return None
    if name is not None:
        outlet = session.exec(select(Outlet).where(func.lower(Outlet.name) == name.casefold())).first()
    else:
        outlet = session.exec(select(Outlet).where(Outlet.domain == domain)).first()
    if outlet is None:
        outlet = Outlet(name=name or domain, domain=domain)
        session.add(outlet)
    elif outlet.domain is None and domain is not None:
        outlet.domain = domain
    session.flush()
    return outlet


def _counts(session: Session) -> tuple[int, dict[int, int], dict[int, int]]:
    """(outlets, articles per outlet, quotes per outlet): one pass over each outlet index."""
    total = session.exec(select(func.count(Outlet.id))).one()
    articles = dict(session.exec(select(Article.outlet_id, func.count()).group_by(Article.outlet_id)).all())
    quotes = dict(session.exec(select(Quote.outlet_id, func.count()).group_by(Quote.outlet_id)).all())
    return total, articles, quotes


def list_outlets(*, session: Session, limit: int, cursor: str | None = None) -> Page[OutletStats]:
    """Outlets by name with their article and quote counts (counted once, then cached until the database
    changes: counting every quote per outlet on each page would grow with the corpus)."""
    total, articles, quotes = cached(session, "outlets.counts", lambda: _counts(session))
    conditions = [after_name_id(Outlet.name, Outlet.id, cursor)] if cursor else []
    rows = session.exec(select(Outlet).where(*conditions).order_by(Outlet.name, Outlet.id).limit(limit + 1)).all()
    items = [OutletStats(outlet=o, article_count=articles.get(o.id, 0), quote_count=quotes.get(o.id, 0))
             for o in rows[:limit]]
    next_cursor = name_id_cursor(items[-1].outlet.name, items[-1].outlet.id) if len(rows) > limit else None
    return Page(items=items, total=total, next_cursor=next_cursor)
