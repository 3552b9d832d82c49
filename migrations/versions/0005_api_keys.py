"""API keys for the write endpoints: name, key prefix (lookup), SHA-256 digest, created and revoked times.

Revision ID: 0005_api_keys
Revises: 0003_utterances
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_api_keys"
down_revision: str | None = "0002_entities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("name", name=op.f("uq_api_key_name")),
    )
    with op.batch_alter_table("api_key") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_prefix"), ["prefix"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("api_key") as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_prefix"))
    op.drop_table("api_key")
