"""Read path: indexes for every filter and sort of the read API, and (SQLite) a full-text index in date order.

Revision ID: 0006_read_path
Revises: 0005_api_keys
Create Date: 2026-11-23

Hand-written. The indexes are plain `op.create_index` calls (any database).

SQLite only: `quote_fts` becomes a contentless FTS5 index whose rowid is the quote's *date key*,
`(julian day of published << 32) + quote id` (0 for the day of an undated quote), see app/services/fts_index.py.
FTS5 returns matches in rowid order and can start anywhere in it, so "newest quotes containing this word" is
one index walk that stops after a page, however common the word (with rowid = quote id, every match had to be
fetched and sorted by date first: 60 ms for a word in 4% of 300k quotes). Contentless, because an external
content table must be found by the FTS rowid; highlighting is done on the page's texts instead
(fts_index.highlight). The triggers give FTS5 the old text on delete and update, as contentless tables need.
A later batch migration that recreates `quote` drops these triggers and must create QUOTE_FTS_TRIGGERS again.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0006_read_path"
down_revision: str | None = "0005_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATE_KEY = "((COALESCE(CAST(julianday({row}.published) AS INTEGER), 0) << 32) + {row}.id)"
QUOTE_FTS_TRIGGERS = [
    "DROP TRIGGER IF EXISTS quote_fts_ai",
    "DROP TRIGGER IF EXISTS quote_fts_ad",
    "DROP TRIGGER IF EXISTS quote_fts_au",
    f"""CREATE TRIGGER quote_fts_ai AFTER INSERT ON quote BEGIN
        INSERT INTO quote_fts(rowid, text) VALUES ({DATE_KEY.format(row="new")}, new.text);
    END""",
    f"""CREATE TRIGGER quote_fts_ad AFTER DELETE ON quote BEGIN
        INSERT INTO quote_fts(quote_fts, rowid, text) VALUES ('delete', {DATE_KEY.format(row="old")}, old.text);
    END""",
    f"""CREATE TRIGGER quote_fts_au AFTER UPDATE OF text, published, id ON quote BEGIN
        INSERT INTO quote_fts(quote_fts, rowid, text) VALUES ('delete', {DATE_KEY.format(row="old")}, old.text);
        INSERT INTO quote_fts(rowid, text) VALUES ({DATE_KEY.format(row="new")}, new.text);
    END""",
]
DATE_ORDERED_FTS = [
    "DROP TABLE IF EXISTS quote_fts",
    "CREATE VIRTUAL TABLE quote_fts USING fts5(text, content='', tokenize='unicode61 remove_diacritics 2')",
    f"INSERT INTO quote_fts(rowid, text) SELECT {DATE_KEY.format(row='quote')}, text FROM quote",
    *QUOTE_FTS_TRIGGERS,
]
# what 0001/0003 created: external content, rowid = quote id
ID_ORDERED_FTS = [
    "DROP TRIGGER IF EXISTS quote_fts_ai",
    "DROP TRIGGER IF EXISTS quote_fts_ad",
    "DROP TRIGGER IF EXISTS quote_fts_au",
    "DROP TABLE IF EXISTS quote_fts",
    """CREATE VIRTUAL TABLE quote_fts USING fts5(
        text, content='quote', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )""",
    "INSERT INTO quote_fts(quote_fts) VALUES ('rebuild')",
    """CREATE TRIGGER quote_fts_ai AFTER INSERT ON quote BEGIN
        INSERT INTO quote_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER quote_fts_ad AFTER DELETE ON quote BEGIN
        INSERT INTO quote_fts(quote_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER quote_fts_au AFTER UPDATE ON quote BEGIN
        INSERT INTO quote_fts(quote_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO quote_fts(rowid, text) VALUES (new.id, new.text);
    END""",
]

# (table, index name, columns): each serves a filter + keyset order of a read endpoint
INDEXES = [
    ("quote", "ix_quote_speaker_outlet", ["speaker_id", "outlet_id"]),              # /entities/{id}: outlets
    ("article", "ix_article_published_id", ["published", "id"]),                   # /articles
    ("article", "ix_article_outlet_published", ["outlet_id", "published", "id"]),  # /articles?outlet=
    ("mention", "ix_mention_entity_article", ["entity_id", "article_id", "start"]),  # /entities/{id}/mentions
    ("entity", "ix_entity_kind_name", ["kind", "name", "id"]),                     # /entities?kind=
    ("utterance", "ix_utterance_speaker_outlets", ["speaker_id", "n_outlets", "id"]),       # ?speaker=
    ("utterance", "ix_utterance_speaker_first_published", ["speaker_id", "first_published", "id"]),
]


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in DATE_ORDERED_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in ID_ORDERED_FTS:
            op.execute(statement)
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
