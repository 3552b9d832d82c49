"""Outlets: lookup by name or domain, get-or-create for ingest, and a listing with counts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from app.models import MAX_ID, Article, Outlet, Quote
from app.services.pagination import Page, after_name_id, name_id_cursor


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


def list_outlets(*, session: Session, limit: int, cursor: str | None = None) -> Page[OutletStats]:
    articles = select(func.count(Article.id)).where(Article.outlet_id == Outlet.id).correlate(Outlet)
    quotes = select(func.count(Quote.id)).where(Quote.outlet_id == Outlet.id).correlate(Outlet)
    total = session.exec(select(func.count(Outlet.id))).one()
    conditions = [after_name_id(Outlet.name, Outlet.id, cursor)] if cursor else []
    rows = session.exec(
        select(Outlet, articles.scalar_subquery(), quotes.scalar_subquery())
        .where(*conditions)
        .order_by(Outlet.name, Outlet.id)
        .limit(limit + 1)
    ).all()
    items = [OutletStats(outlet=o, article_count=a, quote_count=q) for o, a, q in rows[:limit]]
    next_cursor = name_id_cursor(items[-1].outlet.name, items[-1].outlet.id) if len(rows) > limit else None
    return Page(items=items, total=total, next_cursor=next_cursor)
