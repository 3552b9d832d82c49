"""Utterances: statements grouping the quotes that render them, their candidate index, and quote.utterance_id.

Revision ID: 0003_utterances
Revises: 0001_initial
Create Date: 2026-11-23

Hand-written. Adding the column to `quote` in batch mode recreates that table on SQLite, which drops its
triggers, so the quote_fts triggers are created again afterwards (the index itself survives: rowids are the
quote ids). Existing quotes get no utterance here: run `whosaid db regroup` once after upgrading a database
that already holds articles.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_utterances"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUOTE_FTS_TRIGGERS = [
    "DROP TRIGGER IF EXISTS quote_fts_ai",
    "DROP TRIGGER IF EXISTS quote_fts_ad",
    "DROP TRIGGER IF EXISTS quote_fts_au",
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


def _restore_fts_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in QUOTE_FTS_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "utterance",
        sa.Column("canonical_text", sa.String(), nullable=False),
        sa.Column("n_quotes", sa.Integer(), nullable=False),
        sa.Column("n_outlets", sa.Integer(), nullable=False),
        sa.Column("first_published", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("first_outlet_id", sa.Integer(), nullable=True),
        sa.Column("last_published", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["first_outlet_id"], ["outlet.id"],
                                name=op.f("fk_utterance_first_outlet_id_outlet")),
        sa.ForeignKeyConstraint(["speaker_id"], ["entity.id"], name=op.f("fk_utterance_speaker_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_utterance")),
    )
    with op.batch_alter_table("utterance") as batch_op:
        batch_op.create_index(batch_op.f("ix_utterance_speaker_id"), ["speaker_id"], unique=False)
        batch_op.create_index("ix_utterance_outlets", ["n_outlets", "id"], unique=False)
        batch_op.create_index("ix_utterance_first_published", ["first_published", "id"], unique=False)

    op.create_table(
        "utterancekey",
        sa.Column("utterance_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["utterance_id"], ["utterance.id"],
                                name=op.f("fk_utterancekey_utterance_id_utterance")),
        sa.ForeignKeyConstraint(["speaker_id"], ["entity.id"], name=op.f("fk_utterancekey_speaker_id_entity")),
        sa.PrimaryKeyConstraint("utterance_id", "key", name=op.f("pk_utterancekey")),
    )
    with op.batch_alter_table("utterancekey") as batch_op:
        batch_op.create_index("ix_utterancekey_speaker_key", ["speaker_id", "key", "utterance_id"], unique=False)
        batch_op.create_index("ix_utterancekey_key", ["key", "utterance_id"], unique=False)

    with op.batch_alter_table("quote") as batch_op:
        batch_op.add_column(sa.Column("utterance_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_quote_utterance_id_utterance"), "utterance",
                                    ["utterance_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_quote_utterance_id"), ["utterance_id"], unique=False)
    _restore_fts_triggers()


def downgrade() -> None:
    with op.batch_alter_table("quote") as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_utterance_id"))
        batch_op.drop_constraint(batch_op.f("fk_quote_utterance_id_utterance"), type_="foreignkey")
        batch_op.drop_column("utterance_id")
    _restore_fts_triggers()

    with op.batch_alter_table("utterancekey") as batch_op:
        batch_op.drop_index("ix_utterancekey_key")
        batch_op.drop_index("ix_utterancekey_speaker_key")
    op.drop_table("utterancekey")

    with op.batch_alter_table("utterance") as batch_op:
        batch_op.drop_index("ix_utterance_first_published")
        batch_op.drop_index("ix_utterance_outlets")
        batch_op.drop_index(batch_op.f("ix_utterance_speaker_id"))
    op.drop_table("utterance")
