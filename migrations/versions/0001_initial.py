"""Initial schema: outlets, articles, entities, aliases, mentions, quotes, and the quote_fts full-text index.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23

Written from autogenerate output, with plain SQLAlchemy types so this file does not depend on SQLModel
internals. `quote_fts` is the full-text index over quote.text, and not a model (migrations/env.py keeps it out
of autogenerate): on SQLite an FTS5 table kept in sync by triggers; on PostgreSQL a GIN index on the tsvector of
the text under the `whosaid` text search configuration (app/services/fts_postgres.py queries it), which the
database keeps in sync by itself.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUOTE_FTS_UP = [
    # external content: the index stores only tokens; the text itself stays in quote.text
    """CREATE VIRTUAL TABLE quote_fts USING fts5(
        text, content='quote', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    )""",
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
QUOTE_FTS_DOWN = [
    "DROP TRIGGER IF EXISTS quote_fts_au",
    "DROP TRIGGER IF EXISTS quote_fts_ad",
    "DROP TRIGGER IF EXISTS quote_fts_ai",
    "DROP TABLE IF EXISTS quote_fts",
]

# `simple` neither stems nor drops stop words; `unaccent` first folds accents: words match whole, case and accents
# aside, as with FTS5's unicode61 tokenizer above. unaccent ships with PostgreSQL (contrib) and is a trusted
# extension, so a database owner may create it.
QUOTE_FTS_UP_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION whosaid (COPY = pg_catalog.simple)",
    "ALTER TEXT SEARCH CONFIGURATION whosaid ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    "CREATE INDEX quote_fts ON quote USING gin (to_tsvector('whosaid'::regconfig, text))",
]
# the extension stays: other schemas of the database may use it
QUOTE_FTS_DOWN_POSTGRES = [
    "DROP INDEX IF EXISTS quote_fts",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS whosaid",
]


def upgrade() -> None:
    op.create_table(
        "entity",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=True),
        sa.Column("affiliation", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity")),
    )
    with op.batch_alter_table("entity") as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_entity_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_entity_name"), ["name"], unique=False)

    op.create_table(
        "outlet",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlet")),
        sa.UniqueConstraint("name", name=op.f("uq_outlet_name")),
    )

    op.create_table(
        "alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("norm", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_alias_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alias")),
        sa.UniqueConstraint("entity_id", "norm", name=op.f("uq_alias_entity_id_norm")),
    )
    with op.batch_alter_table("alias") as batch_op:
        batch_op.create_index(batch_op.f("ix_alias_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alias_norm"), ["norm"], unique=False)

    op.create_table(
        "article",
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(), nullable=True),
        sa.Column("extractor_version", sa.String(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"], name=op.f("fk_article_outlet_id_outlet")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_article_content_hash")),
    )
    with op.batch_alter_table("article") as batch_op:
        batch_op.create_index(batch_op.f("ix_article_outlet_id"), ["outlet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_published"), ["published"], unique=False)

    op.create_table(
        "mention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], name=op.f("fk_mention_article_id_article")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_mention_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mention")),
    )
    with op.batch_alter_table("mention") as batch_op:
        batch_op.create_index(batch_op.f("ix_mention_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mention_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "quote",
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("cue", sa.String(), nullable=True),
        sa.Column("speaker_text", sa.String(), nullable=True),
        sa.Column("speaker_start", sa.Integer(), nullable=True),
        sa.Column("speaker_end", sa.Integer(), nullable=True),
        sa.Column("sentence", sa.String(), nullable=True),
        sa.Column("where_said", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("outlet_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("extractor_version", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], name=op.f("fk_quote_article_id_article")),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"], name=op.f("fk_quote_outlet_id_outlet")),
        sa.ForeignKeyConstraint(["speaker_id"], ["entity.id"], name=op.f("fk_quote_speaker_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
    )
    with op.batch_alter_table("quote") as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_article_id"), ["article_id"], unique=False)
        batch_op.create_index("ix_quote_kind_published", ["kind", "published", "id"], unique=False)
        batch_op.create_index("ix_quote_outlet_published", ["outlet_id", "published", "id"], unique=False)
        batch_op.create_index("ix_quote_published", ["published", "id"], unique=False)
        batch_op.create_index("ix_quote_speaker_published", ["speaker_id", "published", "id"], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": QUOTE_FTS_UP, "postgresql": QUOTE_FTS_UP_POSTGRES}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": QUOTE_FTS_DOWN, "postgresql": QUOTE_FTS_DOWN_POSTGRES}.get(dialect, []):
        op.execute(statement)

    with op.batch_alter_table("quote") as batch_op:
        batch_op.drop_index("ix_quote_speaker_published")
        batch_op.drop_index("ix_quote_published")
        batch_op.drop_index("ix_quote_outlet_published")
        batch_op.drop_index("ix_quote_kind_published")
        batch_op.drop_index(batch_op.f("ix_quote_article_id"))
    op.drop_table("quote")

    with op.batch_alter_table("mention") as batch_op:
        batch_op.drop_index(batch_op.f("ix_mention_entity_id"))
        batch_op.drop_index(batch_op.f("ix_mention_article_id"))
    op.drop_table("mention")

    with op.batch_alter_table("article") as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_published"))
        batch_op.drop_index(batch_op.f("ix_article_outlet_id"))
    op.drop_table("article")

    with op.batch_alter_table("alias") as batch_op:
        batch_op.drop_index(batch_op.f("ix_alias_norm"))
        batch_op.drop_index(batch_op.f("ix_alias_entity_id"))
    op.drop_table("alias")

    op.drop_table("outlet")

    with op.batch_alter_table("entity") as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_name"))
        batch_op.drop_index(batch_op.f("ix_entity_kind"))
        batch_op.drop_index(batch_op.f("ix_entity_key"))
    op.drop_table("entity")
