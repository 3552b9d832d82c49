"""Which speakers may share an utterance: a person and the institution he speaks for, or two institutions.

Outlets attribute one statement to different actors: a leader's words to the leader ("Xi said …"), to his
country ("China said it was willing …") or to its capital ("Beijing called …"), when they quote his
government's readout. Entity resolution rightly keeps these apart, so grouping asks here whether two speakers
are related enough for their quotes to be one statement (the text must then corroborate it, see
pipeline/utterances.corroborates):

- a person and an institution (an organisation or a place speaking) that one of the person's stated roles is
  affiliated with ("Chinese President" -> China; "spokesman for the State Department" -> State Department);
- two institutions: nothing in the texts says that "Beijing" and "China" speak for one government, so the
  corroborating text alone must show it (a readout or joint statement quoted under either name);
- never two different people: one person quoting another is an attribution error, not one statement.
"""
from __future__ import annotations

from app.pipeline.names import alias_norm, same_stem
from app.services.plain_sql import PlainSql, marks

PERSON = "person"


class SpeakerRelations:
    """Relations between speakers, read lazily (by entity id only) and cached for one grouping transaction."""

    def __init__(self, sql: PlainSql, speakers=()):
        """`speakers`: those about to be asked about (an article's), read in two statements up front."""
        self.sql = sql
        self._kinds: dict[int, str | None] = {}
        self._affiliations: dict[int, frozenset[str]] = {}
        self._names: dict[int, frozenset[str]] = {}
        self._read_affiliations({s for s, kind in self._kinds_of(set(speakers)).items() if kind == PERSON})

    def _kinds_of(self, ids: set[int]) -> dict[int, str | None]:
        missing = sorted(ids - self._kinds.keys())
        if missing:
            found = dict(self.sql.rows(f"SELECT id, kind FROM entity WHERE id IN ({marks(len(missing))})", missing))
            self._kinds.update({i: found.get(i) for i in missing})
        return {i: self._kinds[i] for i in ids}

    def _read_affiliations(self, people: set[int]) -> None:
        missing = sorted(people - self._affiliations.keys())
        if not missing:
            return
        stated: dict[int, set[str]] = {p: set() for p in missing}
        for person, affiliation in self.sql.rows(
                "SELECT DISTINCT entity_id, affiliation FROM entity_role "
                f"WHERE entity_id IN ({marks(len(missing))}) AND affiliation IS NOT NULL", missing):
            if norm := alias_norm(affiliation):
                stated[person].add(norm)
        self._affiliations.update({p: frozenset(a) for p, a in stated.items()})

    def _affiliations_of(self, person: int) -> frozenset[str]:
        """The affiliations the person's stated roles name, normalised ("Chinese President" -> chinese)."""
        self._read_affiliations({person})
        return self._affiliations[person]

    def _names_of(self, institution: int) -> frozenset[str]:
        if institution not in self._names:
            self._names[institution] = frozenset(self.sql.scalars("SELECT norm FROM alias WHERE entity_id = ?",
                                                                  (institution,)))
        return self._names[institution]

    def affiliated(self, person: int, institution: int) -> bool:
        """Whether one of the person's stated affiliations names the institution, as a name or an adjective
        ("Chinese" ~ China, "Russian" ~ Russia)."""
        names = self._names_of(institution)
        return any(a in names or (" " not in a and any(" " not in n and same_stem(a, n) for n in names))
                   for a in self._affiliations_of(person))

    def may_relate(self, speaker: int) -> bool:
        """Whether anyone can be related to the speaker: an institution, or a person with a stated affiliation."""
        kind = self._kinds_of({speaker})[speaker]
        return kind is not None and (kind != PERSON or bool(self._affiliations_of(speaker)))

    def related(self, speaker: int, others) -> set[int]:
        """Which of `others` (speaker ids) may share an utterance with `speaker`."""
        others = set(others) - {speaker}
        if not others:
            return set()
        kinds = self._kinds_of(others | {speaker})
        if kinds[speaker] is None:
            return set()
        if kinds[speaker] == PERSON:
            return {o for o in others if kinds[o] not in (None, PERSON) and self.affiliated(speaker, o)}
        return {o for o in others
                if kinds[o] is not None and (kinds[o] != PERSON or self.affiliated(o, speaker))}
