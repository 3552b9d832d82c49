"""The SQLite full-text index of quote texts (quote_fts, migration 0006): its date-ordered rowids, and
highlighting.

quote_fts is a contentless FTS5 table whose rowid is a quote's *date key*, `(julian day of published << 32) +
id` (day 0 for an undated quote). Ordering by the key is ordering by (published, id), undated quotes below every
dated one, so FTS5, which walks its matches in rowid order from any starting rowid, yields "newest quotes
containing these words" a page at a time without fetching the other matches. Quote ids must stay below 2**32
(four billion quotes) for the keys to sort right.

The index holds no text, so highlight() cannot run on it; `highlight` runs the same MATCH over the page's texts
in a small in-memory FTS5 table with the same tokenizer, which gives exactly FTS5's own match positions.
"""
from __future__ import annotations

import sqlite3
import threading
from datetime import date

from sqlalchemy import Integer, literal_column, select, table
from sqlalchemy.sql.elements import ColumnElement

ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1
JULIAN_DAY_OF_ORDINAL_0 = 1721424        # julianday('0001-01-01') is 1721425.5: CAST(... AS INTEGER) -> 1721425
TOKENIZER = "unicode61 remove_diacritics 2"

quote_fts = table("quote_fts", literal_column("rowid", Integer).label("rowid"))
fts_rowid = literal_column("quote_fts.rowid", Integer)
FIRST_DATED_KEY = 1 << ID_BITS          # keys below this are undated quotes


def date_key(published: date | None, quote_id: int) -> int:
    """The quote_fts rowid of a quote (the SQL in migration 0006 computes the same)."""
    day = published.toordinal() + JULIAN_DAY_OF_ORDINAL_0 if published is not None else 0
    return (day << ID_BITS) + quote_id


def quote_id_of(key: ColumnElement) -> ColumnElement:
    return key.op("&")(literal_column(str(ID_MASK), Integer))   # a constant in the SQL, not a parameter


def matches(match: str) -> ColumnElement:
    """WHERE term: quote_fts rows matching an FTS5 expression (from services/fts.fts_match)."""
    return literal_column("quote_fts").op("MATCH")(match)


def matching_ids(match: str):
    """SELECT of the ids of every quote matching `match` (for IN: facets, counts, other sorts)."""
    return select(quote_id_of(fts_rowid)).select_from(quote_fts).where(matches(match))


# ---------- highlighting ----------

_local = threading.local()
# private-use characters: never in news text, so the markers put around matches can be found again
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"


def _scratch() -> sqlite3.Connection:
    """This thread's in-memory database with an FTS5 table tokenised like quote_fts."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.execute(f"CREATE VIRTUAL TABLE hl USING fts5(text, tokenize='{TOKENIZER}')")
        _local.conn = conn
    return conn


def highlight(match: str, texts: dict[int, str]) -> dict[int, list[tuple[int, int]]]:
    """Where the FTS5 expression `match` matches in each text: {id: [(start, end), ...]} as offsets into the
    text, for the ids whose text matches."""
    if not texts:
        return {}
    conn = _scratch()
    conn.execute("BEGIN")
    try:
        conn.executemany("INSERT INTO hl(rowid, text) VALUES (?, ?)", texts.items())
        marked = conn.execute("SELECT rowid, highlight(hl, 0, ?, ?) FROM hl WHERE hl MATCH ?",
                              (MARK_OPEN, MARK_CLOSE, match)).fetchall()
    finally:
        conn.execute("ROLLBACK")   # the table is empty again for the next call
    return {rowid: _spans(text) for rowid, text in marked}


def _spans(marked: str) -> list[tuple[int, int]]:
    """(start, end) of each marked match, as offsets into the text without the markers."""
    found, removed, pos = [], 0, 0
    while (opened := marked.find(MARK_OPEN, pos)) >= 0 and (closed := marked.find(MARK_CLOSE, opened + 1)) >= 0:
        found.append((opened - removed, closed - removed - 1))
        removed += 2
        pos = closed + 1
    return found
