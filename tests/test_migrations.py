"""The migrated schema is the one app/models.py describes, the FTS index follows the quote table, and the
migrations can be undone; on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import alembic_config, downgrade_database, include_object, make_engine, upgrade_database

pytestmark = pytest.mark.both_backends

TABLES = {"outlet", "article", "entity", "alias", "mention", "quote", "utterance", "utterancekey", "entity_role",
          "api_key"}


def fts_index_exists(url: str) -> bool:
    """SQLite: the FTS5 table quote_fts; PostgreSQL: the GIN index quote_fts on the quote table."""
    inspector = inspect(make_engine(url))
    if inspector.engine.dialect.name == "sqlite":
        return "quote_fts" in inspector.get_table_names()
    return "quote" in inspector.get_table_names() and "quote_fts" in {ix["name"] for ix in inspector.get_indexes("quote")}


def test_upgrade_creates_every_table_and_the_fts_index(db_url):
    names = set(inspect(make_engine(db_url)).get_table_names())
    assert TABLES <= names
    assert fts_index_exists(db_url)
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
    assert not fts_index_exists(db_url)
    upgrade_database(db_url)  # and back again
    assert TABLES <= set(inspect(make_engine(db_url)).get_table_names())
    assert fts_index_exists(db_url)


def test_each_migration_goes_down_and_up_again(db_url):
    """Step by step, from head to base and back: every downgrade undoes exactly its upgrade."""
    script = ScriptDirectory.from_config(alembic_config(db_url))
    revisions = [r.revision for r in script.walk_revisions()]   # head first
    for revision in revisions[1:] + ["base"]:
        downgrade_database(db_url, revision)
    for revision in reversed(revisions):
        upgrade_database(db_url, revision)
    with make_engine(db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        assert context.get_current_revision() == revisions[0]
        assert compare_metadata(context, SQLModel.metadata) == []


@pytest.mark.sqlite_only
def test_sqlite_pragmas_are_set_on_every_connection(db_url):
    with make_engine(db_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


@pytest.mark.sqlite_only
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


@pytest.mark.postgres_only
def test_postgres_fts_index_follows_inserts_updates_and_deletes(db_url):
    """The same as the FTS5 test above, through the expression app/services/fts_postgres.py queries with."""
    from sqlmodel import Session, select

    from app.models import Quote
    from app.services.fts_postgres import quote_matches

    engine = make_engine(db_url)

    def search(words: str) -> list[int]:
        with Session(engine) as session:
            return list(session.exec(select(Quote.id).where(quote_matches(words))).all())

    with engine.begin() as conn:
        conn.execute(text("INSERT INTO article (id, text, content_hash, extractor_version, ingested_at) "
                          "VALUES (1, 'x', 'h', 'v', '2024-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO quote (id, article_id, text, kind, start, \"end\", extractor_version) "
                          "VALUES (7, 1, 'We highly value the balanced position', 'speech', 0, 1, 'v')"))
    assert search("balanced") == search("BALANCED") == search("balanc*") == [7]
    assert search('"the balanced position"') == [7] and search('"position balanced"') == []
    with engine.begin() as conn:
        conn.execute(text("UPDATE quote SET text = 'Café society' WHERE id = 7"))
    assert search("balanced") == []
    assert search("cafe") == search("CAFÉ") == [7]   # accents and case folded
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM quote WHERE id = 7"))
    assert search("cafe") == []


@pytest.mark.postgres_only
def test_postgres_fts_queries_use_the_gin_index(db_url):
    """The WHERE term repeats the indexed expression exactly, so the planner can use the index (with sequential
    scans off, as on a table too small for the planner to bother otherwise)."""
    from sqlalchemy.dialects import postgresql
    from sqlmodel import select

    from app.models import Quote
    from app.services.fts_postgres import quote_matches

    stmt = select(Quote.id).where(quote_matches('"balanced position" OR bal*'))
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    with make_engine(db_url).connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + sql).scalars())
    assert "quote_fts" in plan, plan


def test_processes_migrating_at_once_take_turns_on_postgres(postgres_server):
    """API workers each migrate at start-up: several starting together on a new PostgreSQL database must all
    succeed (one migrates, the others wait on the lock and find the database at head)."""
    import os
    import subprocess
    import sys

    url = postgres_server.create_database()
    try:
        env = {**os.environ, "WHOSAID_DATABASE_URL": url}
        code = "from app.db import upgrade_database; upgrade_database()"
        workers = [subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True)
                   for _ in range(3)]
        errors = [w.communicate(timeout=120)[1] for w in workers]
        assert [w.returncode for w in workers] == [0, 0, 0], errors
        assert TABLES <= set(inspect(make_engine(url)).get_table_names())
    finally:
        postgres_server.drop_database(url)
