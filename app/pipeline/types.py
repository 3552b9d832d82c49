"""Plain data passed from the pipeline to the services. Offsets are Python str indices into `Extraction.text`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

QuoteKind = Literal["speech", "fragment", "indirect", "unattributed"]
EntityKind = Literal["person", "organization", "location"]


@dataclass(slots=True)
class Mention:
    """A surface mention of an entity in the text."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class RoleRecord:
    """A role stated for an actor in one article ("senior fellow at the Carnegie Endowment"), where it is stated."""

    role: str
    affiliation: str | None
    mention: Mention               # the name mention the role is attached to


@dataclass(slots=True)
class EntityRecord:
    """One actor as seen in one article: every mention, the names used for it, role and affiliation stated there."""

    key: str                       # name key shared across articles (see pipeline.names.name_key)
    kind: EntityKind
    name: str                      # fullest well-formed name in this article
    aliases: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    role: str | None = None
    affiliation: str | None = None
    roles: list[RoleRecord] = field(default_factory=list)  # every role stated in the article


@dataclass(slots=True)
class QuoteRecord:
    start: int
    end: int
    text: str                      # exactly text[start:end], without the enclosing quotation marks
    kind: QuoteKind
    cue: str | None = None         # the verb or phrase that introduces it ("said", "according to")
    speaker: str | None = None     # resolved name of the speaker entity
    speaker_key: str | None = None  # key of the speaker's EntityRecord
    speaker_mention: Mention | None = None  # the mention that attributes it ("he", "Mr. Putin")
    sentence_start: int = 0
    sentence_end: int = 0
    where: str | None = None       # place or occasion of the statement, when the text gives it


@dataclass(slots=True)
class Extraction:
    text: str                      # cleaned text; all offsets point into it
    title: str | None = None
    quotes: list[QuoteRecord] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)
