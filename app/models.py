"""SQLModel tables and API schemas. Fields are declared once in a *Base class; tables and public views extend it.

The schema itself is created only by Alembic migrations (migrations/versions); `tests/test_migrations.py`
checks that the migrated schema matches these models.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import NAMING_CONVENTION

# Named constraints, so Alembic batch migrations on SQLite can alter them; must precede every table class.
SQLModel.metadata.naming_convention = NAMING_CONVENTION


# Ids are INTEGER columns: signed 64-bit on SQLite, 32-bit on PostgreSQL. No larger id can exist, and binding one
# overflows the column type on PostgreSQL, so this common range is the API's.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---------- outlets ----------

class OutletBase(SQLModel):
    name: str = Field(max_length=200, unique=True)
    domain: str | None = Field(default=None, max_length=200)


class Outlet(OutletBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class OutletPublic(OutletBase):
    id: int


# ---------- articles ----------

class ArticleBase(SQLModel):
    title: str | None = None
    url: str | None = None
    published: date | None = Field(default=None, index=True)
    language: str | None = Field(default=None, max_length=16)


class Article(ArticleBase, table=True):
    __table_args__ = (
        # newest-first keyset pages, all articles or one outlet's (migration 0006)
        Index("ix_article_published_id", "published", "id"),
        Index("ix_article_outlet_published", "outlet_id", "published", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    outlet_id: int | None = Field(default=None, foreign_key="outlet.id", index=True)
    text: str
    content_hash: str = Field(max_length=64, unique=True)
    source_file: str | None = None
    extractor_version: str
    ingested_at: datetime = Field(default_factory=utcnow)


# ---------- entities ----------

class EntityBase(SQLModel):
    kind: str = Field(max_length=16, index=True)  # person | organization | location
    name: str = Field(index=True)
    role: str | None = None
    affiliation: str | None = None


class Entity(EntityBase, table=True):
    __table_args__ = (Index("ix_entity_kind_name", "kind", "name", "id"),)   # /entities?kind=, by name

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)  # normalised name key used to merge across articles
    # from the optional curated file (seeds/entities.json); resolution never depends on them
    description: str | None = None
    wikidata_id: str | None = Field(default=None, max_length=32)


class Alias(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("entity_id", "norm"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    text: str
    norm: str = Field(index=True)  # casefolded, punctuation-free form used for lookups


class Mention(SQLModel, table=True):
    __table_args__ = (Index("ix_mention_entity_article", "entity_id", "article_id", "start"),)   # keyset order

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    start: int
    end: int
    text: str


# ---------- quotes ----------

class QuoteBase(SQLModel):
    text: str
    kind: str = Field(max_length=16)  # speech | fragment | indirect | unattributed
    start: int
    end: int
    cue: str | None = None
    speaker_text: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    sentence: str | None = None
    where_said: str | None = None


class Quote(QuoteBase, table=True):
    __table_args__ = (
        # keyset pages by speaker / outlet / kind, newest first, without scanning rows off the page
        Index("ix_quote_speaker_published", "speaker_id", "published", "id"),
        Index("ix_quote_outlet_published", "outlet_id", "published", "id"),
        Index("ix_quote_kind_published", "kind", "published", "id"),
        Index("ix_quote_published", "published", "id"),
        Index("ix_quote_speaker_outlet", "speaker_id", "outlet_id"),   # an entity's outlets, from the index alone
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    speaker_id: int | None = Field(default=None, foreign_key="entity.id")
    # copied from the article so that filters and sorts by outlet and date use one index on this table
    outlet_id: int | None = Field(default=None, foreign_key="outlet.id")
    published: date | None = None
    extractor_version: str
    # the statement this quote renders (app/services/utterances.py); null for indirect, unattributed and
    # speaker-less quotes
    utterance_id: int | None = Field(default=None, foreign_key="utterance.id", index=True)


# ---------- utterances: one statement, every outlet's quote of it ----------

class UtteranceBase(SQLModel):
    canonical_text: str                                  # the longest wording (a speech quote when there is one)
    n_quotes: int = 0
    n_outlets: int = 0
    first_published: date | None = None


class Utterance(UtteranceBase, table=True):
    __table_args__ = (
        # listings: most outlets first / newest first, keyset-paginated
        Index("ix_utterance_outlets", "n_outlets", "id"),
        Index("ix_utterance_first_published", "first_published", "id"),
        Index("ix_utterance_speaker_outlets", "speaker_id", "n_outlets", "id"),
        Index("ix_utterance_speaker_first_published", "speaker_id", "first_published", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    speaker_id: int = Field(foreign_key="entity.id", index=True)
    first_outlet_id: int | None = Field(default=None, foreign_key="outlet.id")
    last_published: date | None = None                   # with first_published: the window for one-word matches


class UtteranceKey(SQLModel, table=True):
    """Inverted index for candidate generation: the content-word stems of every wording of an utterance."""

    __table_args__ = (
        Index("ix_utterancekey_speaker_key", "speaker_id", "key", "utterance_id"),   # grouping: one speaker
        Index("ix_utterancekey_key", "key", "utterance_id"),                         # /verify: any speaker
    )

    utterance_id: int = Field(foreign_key="utterance.id", primary_key=True)
    key: str = Field(primary_key=True, max_length=32)
    # copied from the utterance (candidates are per speaker); a foreign key, so entity merges move it too
    speaker_id: int = Field(foreign_key="entity.id")


# ---------- roles stated per article ----------

class EntityRoleBase(SQLModel):
    role: str
    affiliation: str | None = None


class EntityRole(EntityRoleBase, table=True):
    """A role as one article states it ("Ned Price, the State Department spokesman"): roles change over time, so
    they are kept per article and only summarised on the entity."""

    __tablename__ = "entity_role"

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    mention_start: int  # the name mention the role is attached to
    mention_end: int
    mention_text: str


# ---------- API keys ----------

class ApiKey(SQLModel, table=True):
    """A key for the write endpoints. Only its SHA-256 digest is stored; the key is shown once, at creation.

    Keys are 256-bit random tokens, so a fast hash is enough (no password stretching needed); `prefix` (the
    first characters of the key, not secret on their own) finds the row, then the digests are compared in
    constant time.
    """
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
