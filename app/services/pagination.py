"""Keyset pagination: opaque cursors and the WHERE/ORDER BY that continue after one.

A cursor is the sort key of the last row of a page, as URL-safe base64 of a JSON list. Keyset pages stay
stable while rows are added and cost the same on page 1 and page 1000, unlike OFFSET.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from app.errors import InvalidParameter

T = TypeVar("T")


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    next_cursor: str | None


def encode_cursor(*values: object) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, arity: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        values = None
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidParameter("cursor", "not a cursor returned by this API")
    return values


# ---------- newest first: (published DESC, NULLs last; id DESC) ----------

def newest_first(published: ColumnElement, ident: ColumnElement) -> tuple:
    return (published.desc().nulls_last(), ident.desc())


def date_id_cursor(published: date | None, ident: int) -> str:
    return encode_cursor(published.isoformat() if published else None, ident)


def after_date_id(published_col: ColumnElement, id_col: ColumnElement, cursor: str) -> ColumnElement:
    """Rows strictly after the cursor in newest-first order."""
    published, ident = decode_cursor(cursor, 2)
    try:
        ident = int(ident)
        day = date.fromisoformat(published) if published is not None else None
    except (TypeError, ValueError):
        raise InvalidParameter("cursor", "not a cursor returned by this API") from None
    if day is None:
        return and_(published_col.is_(None), id_col < ident)
    return or_(
        published_col < day,
        and_(published_col == day, id_col < ident),
        published_col.is_(None),
    )


# ---------- alphabetical: (name ASC, id ASC) ----------

def name_id_cursor(name: str, ident: int) -> str:
    return encode_cursor(name, ident)


def after_name_id(name_col: ColumnElement, id_col: ColumnElement, cursor: str) -> ColumnElement:
    name, ident = decode_cursor(cursor, 2)
    if not isinstance(name, str) or not isinstance(ident, int):
        raise InvalidParameter("cursor", "not a cursor returned by this API")
    return or_(name_col > name, and_(name_col == name, id_col > ident))
