"""Full-text search over quote.text on PostgreSQL: what SQLite's FTS5 index `quote_fts` does there.

Migration 0001 creates a text search configuration `whosaid` (the `simple` parser and dictionary, which neither
stems nor drops stop words, after `unaccent`: like FTS5's unicode61 tokenizer with remove_diacritics, words are
matched whole, case and accents aside) and a GIN index `quote_fts` on `to_tsvector('whosaid', text)`. The
WHERE term below repeats that expression exactly, so the planner can use the index.

User syntax is the same as on SQLite: app/services/fts.py turns it into tsquery text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import bindparam, func, literal_column, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from app.models import Quote
from app.services.fts import ts_query

# Inlined, never bound: an index on an expression is used only for that same expression, with the configuration
# as a constant (a bound parameter would be a different expression).
CONFIG = literal_column("'whosaid'::regconfig")


def quote_matches(user_text: str) -> ColumnElement[bool]:
    """WHERE term on the quote table for a user's search; false when the text has no searchable word."""
    query = ts_query(user_text)
    if query is None:
        return literal_column("false")
    return matches_tsquery(query)


def matches_tsquery(query: str | ColumnElement) -> ColumnElement[bool]:
    """WHERE term on the quote table for tsquery text (app/services/fts.ts_query), given or as a bound parameter."""
    return func.to_tsvector(CONFIG, Quote.text).op("@@")(func.to_tsquery(CONFIG, query))


def highlighted(
    session: Session, user_text: str, quote_ids: list[int], mark_open: str, mark_close: str
) -> Iterable[tuple[int, str]]:
    """(quote id, quote text with the matches between mark_open and mark_close) for the quotes among `quote_ids`
    that the search matches, from ts_headline over the whole text (HighlightAll).

    ts_headline marks words one by one; matches with only spaces or punctuation between them are joined into
    one, as FTS5 marks a whole phrase. A marked text that is not the stored text once the marks are removed
    (ts_headline rebuilds the text from its tokens) is returned unmarked: no highlight rather than a wrong one.
    """
    query = ts_query(user_text)
    if query is None or not quote_ids:
        return []
    stmt = text(
        "SELECT id, text, ts_headline('whosaid', text, q, :options) "
        "FROM quote, to_tsquery('whosaid', :query) AS q "
        "WHERE id IN :ids AND to_tsvector('whosaid', text) @@ q"
    ).bindparams(bindparam("ids", expanding=True), query=query, ids=list(quote_ids),
                 options=f'StartSel="{mark_open}", StopSel="{mark_close}", HighlightAll=true')
    marks = re.escape(mark_open + mark_close)
    between = re.compile(re.escape(mark_close) + r"([^\w" + marks + r"]*)" + re.escape(mark_open))
    out = []
    for quote_id, original, marked in session.connection().execute(stmt):
        joined = between.sub(r"\1", marked)
        same = joined.replace(mark_open, "").replace(mark_close, "") == original
        out.append((quote_id, joined if same else original))
    return out
