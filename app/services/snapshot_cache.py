"""Aggregates (a listing's `total`, counts per entity or outlet, facets) remembered until the database changes.

A page of a hot speaker costs a few index entries, but counting that speaker's 33k quotes costs ~100 times
more, on every page. So such values are computed once and kept, per pooled SQLite connection, for as long as
that connection's `PRAGMA data_version` stays the same: SQLite changes it whenever another connection commits,
so a cached value is always exactly what the query would return on the snapshot the request reads, never
stale. Only the API's read-only (query_only) connections cache: a connection's own commits do not change its
data_version.

On other databases (no data_version), and on read-write connections, values are computed every time.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlmodel import Session

from app.db import READ_ONLY

T = TypeVar("T")
MAX_ENTRIES = 4096          # per connection; least recently used first out
_INFO_KEY = "whosaid.snapshot_cache"


def cached(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or its value from an earlier call with the same `key` on this connection if the database
    has not changed since. `key` must say everything the value depends on (filters, ids, limits)."""
    connection = session.connection()
    pooled = connection.connection           # .info lives as long as the DBAPI connection, across checkouts
    if connection.dialect.name != "sqlite" or not pooled.info.get(READ_ONLY):
        return compute()   # a connection that commits does not see its own commits in data_version
    version = pooled.driver_connection.execute("PRAGMA data_version").fetchone()[0]
    store = pooled.info.get(_INFO_KEY)
    if store is None or store[0] != version:
        store = (version, OrderedDict())
        pooled.info[_INFO_KEY] = store
    entries: OrderedDict = store[1]
    if key in entries:
        entries.move_to_end(key)
        return entries[key]
    value = compute()
    entries[key] = value
    if len(entries) > MAX_ENTRIES:
        entries.popitem(last=False)
    return value
