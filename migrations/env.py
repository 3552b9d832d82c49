"""Alembic environment: the target is SQLModel.metadata (app.models), the URL comes from the settings.

`app.db.alembic_config()` passes the URL as `config.attributes["database_url"]`; the `alembic` command line
falls back to WHOSAID_DATABASE_URL / the default in app.core.config.
"""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.core.config import get_settings
from app.db import include_object, make_engine

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata
MIGRATION_LOCK_KEY = 0x77686F7361696400  # "whosaid\0": the PostgreSQL advisory lock held while migrating


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # foreign_keys off: batch mode copies and drops tables, which FK enforcement would block or cascade
    engine = make_engine(database_url(), foreign_keys=False)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                include_object=include_object,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # several API workers (or machines) starting at once each migrate at start-up: one at a time,
                    # and the others then find the database at head (DDL is transactional on PostgreSQL)
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
