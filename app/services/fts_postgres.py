"""Full-text search over quote.text on PostgreSQL: what SQLite's FTS5 index `quote_fts` does there.

Migration 0001 creates a text search configuration `whosaid` (the `simple` parser and dictionary, which neither
stems nor drops stop words, after `unaccent`: like FTS5's unicode61 tokenizer with remove_diacritics, words are
matched whole, case and accents aside) and a GIN index `quote_fts` on `to_tsvector('whosaid', text)`. The
WHERE term below repeats that expression exactly, so the planner can use the index.

User syntax is the same as on SQLite: app/services/fts.py turns it into tsquery text.
"""
from __future__ import annotations


from sqlalchemy import func, literal_column
from sqlalchemy.sql.elements import ColumnElement

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
