"""Keyset pagination: opaque cursors and the WHERE/ORDER BY that continue after one.

A cursor is the sort key of the last row of a page, as URL-safe base64 of a JSON list. Keyset pages stay
stable while rows are added and cost the same on page 1 and page 1000, unlike OFFSET.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import Date, Integer, and_, bindparam, or_, tuple_
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


# ---------- by date: (published, id), either way, undated rows last ----------

def date_id_cursor(published: date | None, ident: int) -> str:
    return encode_cursor(published.isoformat() if published else None, ident)


def parse_date_id_cursor(cursor: str) -> tuple[date | None, int]:
    """(published, id) of a newest-first or oldest-first cursor."""
    published, ident = decode_cursor(cursor, 2)
    try:
        if isinstance(ident, bool) or not isinstance(ident, int):
            raise TypeError
        return (date.fromisoformat(published) if published is not None else None), ident
    except (TypeError, ValueError):
        raise InvalidParameter("cursor", "not a cursor returned by this API") from None


@dataclass(frozen=True, slots=True)
class Scan:
    """One index range scan of a keyset page: its WHERE terms and ORDER BY, with the cursor's values as bound
    parameters (`params`), so that a statement built for one scan of a given `shape` serves every cursor."""
    where: tuple
    order_by: tuple
    params: dict = field(default_factory=dict)
    shape: str = ""


def date_id_scans(published: ColumnElement, ident: ColumnElement, cursor: str | None, *,
                  descending: bool = True) -> list[Scan]:
    """The index range scans that continue a (published, id) keyset page after `cursor`, undated rows last:
    the dated rows from the cursor on, then the undated ones by id.

    Each scan is a single range of an index ending in (published, id): the row-value comparison
    `(published, id) < (:day, :id)` is what lets the database seek to the cursor instead of walking the rows
    before it (an OR of the same conditions is evaluated row by row), and keeping NULLs out of the first scan
    makes the order the same on every database, whatever its NULL ordering.
    """
    scans = _date_id_scan_shapes(published, ident, descending)
    if cursor is None:
        return [scans.dated, scans.undated]
    day, last_id = parse_date_id_cursor(cursor)
    if day is None:
        after = scans.undated_after
        return [Scan(after.where, after.order_by, {"k_id": last_id}, after.shape)]
    after = scans.dated_after
    return [Scan(after.where, after.order_by, {"k_day": day, "k_id": last_id}, after.shape), scans.undated]


@dataclass(frozen=True, slots=True)
class _DateIdScans:
    dated: Scan            # first page: the dated rows
    undated: Scan          # then the undated ones
    dated_after: Scan      # after a dated cursor (bound k_day, k_id)
    undated_after: Scan    # after an undated cursor (bound k_id)


_date_id_shapes: dict[tuple, tuple] = {}   # (id(published), id(ident), descending) -> (columns, _DateIdScans)


def _date_id_scan_shapes(published: ColumnElement, ident: ColumnElement, descending: bool) -> _DateIdScans:
    """The scans of date_id_scans for these columns and direction, built on first use: SQL expressions are
    immutable and only the cursor's values (bound parameters) change between requests, so building them again
    for every page would be wasted work."""
    key = (id(published), id(ident), descending)   # by identity: `==` on columns builds SQL, not a bool
    cached = _date_id_shapes.get(key)
    if cached is not None:
        return cached[1]
    before = (lambda col, value: col < value) if descending else (lambda col, value: col > value)
    order = (lambda col: col.desc()) if descending else (lambda col: col.asc())
    direction = "desc" if descending else "asc"
    last = bindparam("k_id", type_=Integer)
    after = before(tuple_(published, ident), tuple_(bindparam("k_day", type_=Date), last))
    scans = _DateIdScans(
        dated=Scan((published.is_not(None),), (order(published), order(ident)), shape=f"dated-{direction}"),
        undated=Scan((published.is_(None),), (order(ident),), shape=f"undated-{direction}"),
        dated_after=Scan((after,), (order(published), order(ident)), shape=f"dated-after-{direction}"),
        undated_after=Scan((published.is_(None), before(ident, last)), (order(ident),),
                           shape=f"undated-after-{direction}"),
    )
    _date_id_shapes[key] = ((published, ident), scans)   # the columns kept alive with their ids
    return scans


def run_scans(scans: list[Scan], fetch, limit: int, available: int | None = None) -> list:
    """Rows of the scans in turn, at most `limit` of them: fetch(scan, n) returns up to n rows. `available`: how
    many rows all the scans hold together, when known; the scans stop once they are found."""
    rows: list = []
    for scan in scans:
        rows.extend(fetch(scan, limit - len(rows)))
        if len(rows) >= limit or (available is not None and len(rows) >= available):
            break
    return rows


# ---------- alphabetical: (name ASC, id ASC) ----------

def name_id_cursor(name: str, ident: int) -> str:
    return encode_cursor(name, ident)


def after_name_id(name_col: ColumnElement, id_col: ColumnElement, cursor: str) -> ColumnElement:
    name, ident = decode_cursor(cursor, 2)
    if not isinstance(name, str) or not isinstance(ident, int):
        raise InvalidParameter("cursor", "not a cursor returned by this API")
    return or_(name_col > name, and_(name_col == name, id_col > ident))


# ---------- any sort: a list of keys, each ascending or descending, NULLs last ----------

@dataclass(frozen=True, slots=True)
class SortKey:
    column: ColumnElement
    descending: bool = False
    parse: object = None  # turns a cursor value back into a column value (e.g. date.fromisoformat); None = as is
    nullable: bool = True


def keyset_order(keys: list[SortKey]) -> list:
    return [(k.column.desc() if k.descending else k.column.asc()).nulls_last() for k in keys]


def keyset_cursor(values: list) -> str:
    return encode_cursor(*[v.isoformat() if isinstance(v, date) else v for v in values])


def after_keyset(keys: list[SortKey], cursor: str) -> ColumnElement:
    """Rows strictly after the cursor in the order `keyset_order(keys)` gives (NULLs sort after every value).

    For keys k1..kn the row is after the cursor when, for some i, k1..k(i-1) equal the cursor's values and ki
    comes after the cursor's ki. A NULL cursor value has nothing after it on that key but other NULLs' ties.
    """
    values = decode_cursor(cursor, len(keys))
    try:
        values = [k.parse(v) if (k.parse is not None and v is not None) else v for k, v in zip(keys, values)]
    except (TypeError, ValueError):
        raise InvalidParameter("cursor", "not a cursor returned by this API") from None
    alternatives, equal_so_far = [], []
    for key, value in zip(keys, values):
        if value is None:
            equal_so_far.append(key.column.is_(None))
            continue
        beyond = key.column < value if key.descending else key.column > value
        alternatives.append(and_(*equal_so_far, or_(beyond, key.column.is_(None)) if key.nullable else beyond))
        equal_so_far.append(key.column == value)
    if not alternatives:
        raise InvalidParameter("cursor", "not a cursor returned by this API")
    return or_(*alternatives)
