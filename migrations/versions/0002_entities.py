"""Entities: roles stated per article (entity_role), and curated description / Wikidata id on entity.

Revision ID: 0002_entities
Revises: 0003_utterances
Create Date: 2026-11-23

Hand-written; batch operations so that SQLite can add the columns and indexes.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_entities"
down_revision: str | None = "0003_utterances"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entity") as batch_op:
        batch_op.add_column(sa.Column("description", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("wikidata_id", sa.String(length=32), nullable=True))

    op.create_table(
        "entity_role",
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("affiliation", sa.String(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("mention_start", sa.Integer(), nullable=False),
        sa.Column("mention_end", sa.Integer(), nullable=False),
        sa.Column("mention_text", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], name=op.f("fk_entity_role_article_id_article")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_entity_role_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_role")),
    )
    with op.batch_alter_table("entity_role") as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_role_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entity_role_entity_id"), ["entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity_role") as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_role_entity_id"))
        batch_op.drop_index(batch_op.f("ix_entity_role_article_id"))
    op.drop_table("entity_role")

    with op.batch_alter_table("entity") as batch_op:
        batch_op.drop_column("wikidata_id")
        batch_op.drop_column("description")
