"""Whole answers of the read API, kept until the database changes.

A fact-check bot asks for the same speaker again and again, and a frontend asks for the same page on every
keystroke; between two writes, the answer to the same GET is the same bytes. So app/api/direct.py keeps the
answers it sends in one pass (the planned read routes, a whole JSON body, status 200) and sends them again
for as long as SQLite's `PRAGMA data_version` stays the same: SQLite changes it whenever another connection
commits, this process's writers included, so a kept answer is exactly what the request would compute now,
never stale. Each request still asks SQLite for the version (a few microseconds), and a kept answer is always
one that was computed before that version was read, never after.

What an answer depends on is its key: the path, the query string, the scheme and root path, and every request
header but those known not to change the body (`IGNORED_HEADERS`: conditional and transport headers; the
ETag of a kept answer is compared with If-None-Match as before). Bounded by bytes (`page_cache_mb` in the
settings, 0 turns it off), least recently used out first; the whole store is dropped when the version moves.
Only on SQLite files: other databases have no such version.
"""
from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from starlette.types import Scope

# request headers that never change a read's body: conditional (If-None-Match is applied to a kept answer as to
# a new one), transport and client identity headers (behind a proxy, the client's address: the scheme it implies
# is in the key as the scope's)
IGNORED_HEADERS = frozenset({
    b"if-none-match", b"if-modified-since", b"connection", b"keep-alive", b"user-agent", b"cache-control",
    b"pragma", b"dnt", b"referer", b"priority", b"upgrade-insecure-requests", b"sec-fetch-dest",
    b"sec-fetch-mode", b"sec-fetch-site", b"sec-fetch-user", b"accept-language", b"x-request-id", b"traceparent",
    b"tracestate", b"x-forwarded-for", b"x-real-ip",
})
MAX_PAGE_SHARE = 8   # one answer may take at most this fraction of the store


@dataclass(frozen=True, slots=True)
class KeptPage:
    status: int
    headers: list[tuple[bytes, bytes]]   # as sent, the ETag among them
    body: bytes
    etag: str | None
    conditional_headers: list[tuple[bytes, bytes]]   # before Vary and the security headers: what a 304 keeps


def page_key(scope: Scope) -> Hashable:
    """Everything about a GET request that its answer may depend on."""
    headers = tuple(item for item in scope["headers"] if item[0] not in IGNORED_HEADERS)
    return scope["path"], scope["query_string"], scope.get("root_path", ""), scope.get("scheme"), headers


class PageCache:
    """Kept answers of one application on one SQLite file. Used from the event loop's thread only."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._pages: OrderedDict[Hashable, tuple[KeptPage, int]] = OrderedDict()   # key -> (page, its bytes)
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._pages)

    def version(self) -> int | None:
        """The database's data_version now, as seen by this cache's own connection; None when it cannot be read
        (no such file yet, a broken file): nothing is kept or sent from the store then."""
        try:
            if self._connection is None:
                if not self.path.is_file():
                    return None
                self._connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                                   check_same_thread=False, isolation_level=None)
            version = self._connection.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            self.close()
            return None
        if version != self._version:
            self._pages.clear()
            self._bytes = 0
            self._version = version
        return version

    def get(self, key: Hashable, version: int | None) -> KeptPage | None:
        if version is None or version != self._version:
            return None
        kept = self._pages.get(key)
        if kept is None:
            return None
        self._pages.move_to_end(key)
        return kept[0]

    def put(self, key: Hashable, version: int | None, page: KeptPage) -> None:
        """Keeps `page` if the database is still at `version`, the one read before the page was computed."""
        size = len(page.body) + sum(len(n) + len(v) for n, v in page.headers)
        if version is None or version != self._version or size * MAX_PAGE_SHARE > self.max_bytes:
            return
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._pages[key] = (page, size)
        self._bytes += size
        while self._bytes > self.max_bytes:
            self._bytes -= self._pages.popitem(last=False)[1][1]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._version = None
        self._pages.clear()
        self._bytes = 0
