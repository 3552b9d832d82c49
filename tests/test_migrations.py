"""The migrated schema is the one app/models.py describes, the FTS index follows the quote table, and the
migration can be undone."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import alembic_config, downgrade_database, include_object, make_engine, upgrade_database

TABLES = {"outlet", "article", "entity", "alias", "mention", "quote"}


def test_upgrade_creates_every_table_and_the_fts_index(db_url):
    names = set(inspect(make_engine(db_url)).get_table_names())
    assert TABLES <= names
    assert "quote_fts" in names
    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    with make_engine(db_url).connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_migrated_schema_matches_the_models(db_url):
    with make_engine(db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_twice_is_a_no_op(db_url):
    upgrade_database(db_url)
    assert TABLES <= set(inspect(make_engine(db_url)).get_table_names())


def test_downgrade_to_base_removes_everything(db_url):
    downgrade_database(db_url, "base")
    assert set(inspect(make_engine(db_url)).get_table_names()) <= {"alembic_version"}
    upgrade_database(db_url)  # and back again
    assert TABLES <= set(inspect(make_engine(db_url)).get_table_names())


def test_sqlite_pragmas_are_set_on_every_connection(db_url):
    with make_engine(db_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_fts_index_follows_inserts_updates_and_deletes(db_url):
    engine = make_engine(db_url)
    match = text("SELECT rowid FROM quote_fts WHERE quote_fts MATCH :q")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO article (id, text, content_hash, extractor_version, ingested_at) "
                          "VALUES (1, 'x', 'h', 'v', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO quote (id, article_id, text, kind, start, \"end\", extractor_version) "
                          "VALUES (7, 1, 'We highly value the balanced position', 'speech', 0, 1, 'v')"))
        assert conn.execute(match, {"q": "balanced"}).scalars().all() == [7]
        assert conn.execute(match, {"q": "BALANCED"}).scalars().all() == [7]
        conn.execute(text("UPDATE quote SET text = 'Café society' WHERE id = 7"))
        assert conn.execute(match, {"q": "balanced"}).scalars().all() == []
        assert conn.execute(match, {"q": "cafe"}).scalars().all() == [7]  # diacritics folded
        conn.execute(text("DELETE FROM quote WHERE id = 7"))
        assert conn.execute(match, {"q": "cafe"}).scalars().all() == []
