"""Cross-article resolution: which per-article actors are one real-world actor, and what to call it.

Input is one `Local` per actor per article (the names an article used for it and how often); output is one
`Group` per real-world actor. Pure functions, no database: `services/resolution.py` feeds it from the stored
mentions and writes the groups back, after every ingest batch and on `whosaid entities rebuild`.

Rules, in order (nothing here knows any particular name):
1. Same kind and same name key (`names.name_key`: honorifics, middle initials, name order, punctuation and
   organisation spelling variants ignored) -> same actor.
2. A person name is contained in exactly one fuller name with the same first and last token ("Hillary Clinton"
   in "Hillary Rodham Clinton"), or is the whole tail of exactly one in the same article ("Guajardo Villarreal")
   -> same actor. Generational suffixes are tokens, so "Donald Trump" never joins
   "Donald Trump Jr.".
3. A surname-only person ("Putin", "Mr. Shi") joins the one full-named person whose first or last name it is, or,
   when several share it, the one mentioned at least DOMINANCE times as often as the next; otherwise it stays
   apart (ambiguous: its own entity for each article, and `?speaker=` answers with every bearer of the name).
   A surname that no full name anywhere has is one entity across articles.
4. An acronym organisation ("SCO") joins the one organisation whose initials it is.
5. An organisation and a place with the same name key (NER labels "Kremlin" or "Beijing" either way) are one.
6. A one-word organisation or place that is the surname of exactly one full-named person (or of one that
   dominates as in rule 3), and is never part of a longer place or organisation name, joins that person
   ("Putin" mislabelled as a place).
The display name is `names.canonical_name` over every surface form of the group.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from app.pipeline.names import (
    HONORIFICS, acronym, canonical_name, display_person_name, identifying_tokens, name_key, name_tokens,
    person_tokens,
)

ACRONYM = re.compile(r"[A-Z][A-Z.&]{1,9}")
DOMINANCE = 5  # a surname-only mention joins a bearer mentioned this many times more often than the next one


@dataclass(slots=True)
class Local:
    """One actor as seen in one article."""

    ref: Hashable                  # caller's identity for it, e.g. (article_id, entity_id)
    kind: str
    forms: Counter[str]            # surface names used for it, with counts
    article: Hashable = None       # the article it was seen in


@dataclass(slots=True)
class Group:
    """One real-world actor."""

    kind: str
    name: str
    key: str
    refs: list[Hashable] = field(default_factory=list)
    forms: Counter[str] = field(default_factory=Counter)


def fullest_form(forms: Iterable[str], kind: str) -> str:
    """The form that identifies the actor best: most person tokens, or most words and not an acronym."""
    forms = list(forms)
    if kind == "person":
        return max(forms, key=lambda f: (len(person_tokens(f)), -len(f), f))
    spelled = [f for f in forms if not ACRONYM.fullmatch(f)] or forms
    return max(spelled, key=lambda f: (len(name_tokens(f)), -len(f), f))


def _initials(loc: Local) -> tuple[str, ...]:
    """Middle initials the article wrote ("Julian E. Barnes" -> ("e",)); () when none."""
    for form in loc.forms:
        core = [t for t in name_tokens(form) if t not in HONORIFICS]
        middle = tuple(t for t in core[1:-1] if len(t) == 1)
        if middle:
            return middle
    return ()


def _ends(name: str, kind: str) -> set[str]:
    """First and last identifying tokens of a name: where a surname or given name alone can point."""
    toks = identifying_tokens(name) if kind == "person" else name_tokens(name)
    return {toks[0], toks[-1]} if toks else set()


class _Sets:
    """Union-find over indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def resolve(locals_: list[Local]) -> list[Group]:
    """Group per-article actors into real-world actors (see the module docstring for the rules)."""
    n = len(locals_)
    sets = _Sets(n)
    full = [fullest_form(loc.forms, loc.kind) if loc.forms else "" for loc in locals_]

    # 1. same kind, same key; for people, two different middle initials with one key are two people
    # ("George H. Walker" and "George W. Walker"), and the bare name goes with a dominant one or stays apart
    buckets: dict[tuple[str, str], list[int]] = {}
    alone: dict[str, list[int]] = {}  # surname-only people: resolved one by one in rule 3, never by key
    for i, loc in enumerate(locals_):
        if not full[i]:
            continue
        if loc.kind == "person" and len(person_tokens(full[i])) == 1:
            alone.setdefault(person_tokens(full[i])[0], []).append(i)
            continue
        buckets.setdefault((loc.kind, name_key(full[i], loc.kind)), []).append(i)
    size = [sum(loc.forms.values()) for loc in locals_]
    by_key: dict[tuple[str, str], int] = {}
    for k, members in buckets.items():
        signed: dict[tuple[str, ...], list[int]] = {}
        for i in members:
            signed.setdefault(_initials(locals_[i]) if k[0] == "person" else (), []).append(i)
        bare = signed.pop((), [])
        if len(signed) > 1:
            weights = sorted(signed.values(), key=lambda g: -sum(size[i] for i in g))
            if sum(size[i] for i in weights[0]) >= DOMINANCE * sum(size[i] for i in weights[1]):
                weights[0] = weights[0] + bare
            elif bare:
                weights.append(bare)
            parts = weights
        else:
            parts = [bare + next(iter(signed.values()), [])]
        for part in parts:
            for i in part[1:]:
                sets.union(part[0], i)
        by_key[k] = parts[0][0]
        for extra, part in enumerate(parts[1:], 1):
            by_key[(k[0], f"{k[1]}#{extra}")] = part[0]

    people = {k[1]: i for k, i in by_key.items() if k[0] == "person"}  # key (#n when split) -> one of its locals
    tokens = {key: person_tokens(full[i]) for key, i in people.items()}
    multi = {key: toks for key, toks in tokens.items() if len(toks) >= 2}

    # 2. a name inside exactly one fuller name with the same first and last token
    articles_of: dict[str, set[Hashable]] = {}
    for (kind, key), members in buckets.items():
        if kind == "person":
            articles_of[key] = {locals_[i].article for i in members}
    for key in multi:
        articles_of.setdefault(key, articles_of.get(key.split("#")[0], set()))
    by_ends: dict[tuple[str, str], list[str]] = {}
    by_last: dict[str, list[str]] = {}
    for key, toks in multi.items():
        by_ends.setdefault((toks[0], toks[-1]), []).append(key)
        by_last.setdefault(toks[-1], []).append(key)
    for key, toks in multi.items():
        fuller = [k for k in by_ends[(toks[0], toks[-1])] if len(multi[k]) > len(toks) and set(toks) <= set(multi[k])]
        if not fuller:  # or its whole tail in the same article: a double surname alone ("Guajardo Villarreal")
            fuller = [k for k in by_last[toks[-1]] if len(multi[k]) > len(toks) and multi[k][-len(toks):] == toks
                      and articles_of[key] & articles_of[k]]
        if len(fuller) == 1:
            sets.union(people[key], people[fuller[0]])

    # 3. surname-only people: the one full-named bearer, or one that dominates the others (bare "Obama" is the
    # president, not his wife, in a corpus that mentions him far more); otherwise they stay apart
    weight: dict[int, int] = Counter()
    for i, loc in enumerate(locals_):
        weight[sets.find(i)] += sum(loc.forms.values())
    by_name_token: dict[str, set[int]] = {}
    for key, toks in multi.items():
        ident = identifying_tokens(full[people[key]])
        for t in {ident[0], ident[-1]}:
            by_name_token.setdefault(t, set()).add(sets.find(people[key]))
    in_article: dict[Hashable, list[int]] = {}
    for i, loc in enumerate(locals_):
        in_article.setdefault(loc.article, []).append(i)
    for token, members in alone.items():
        unnamed: list[int] = []
        for i in members:
            loc = locals_[i]
            # a full name in the same article comes first, even one NER mislabelled ("Scott" after "Keith Lamont
            # Scott"); two there means ambiguous
            here = {sets.find(j) for j in in_article[loc.article] if j != i and token in _ends(full[j], locals_[j].kind)
                    and (locals_[j].kind == "person" and len(person_tokens(full[j])) > 1
                         or 2 <= len(name_tokens(full[j])) <= 3)
                    and size[i] <= size[j] * 3}  # a bare name used far more than a namesake is someone else
            if loc.article is not None and here:
                if len(here) == 1:
                    sets.union(i, here.pop())
                continue
            owners = sorted({sets.find(j) for j in by_name_token.get(token, set())}, key=lambda r: -weight[r])
            if len(owners) == 1 or (len(owners) > 1 and weight[owners[0]] >= DOMINANCE * weight[owners[1]]):
                sets.union(i, owners[0])
            elif not owners:
                unnamed.append(i)
            # otherwise it stays its own entity for this article: the bearers it could be are known, and differ
        # no full-named bearer anywhere: one entity for the name across articles (nothing tells them apart)
        for i in unnamed[1:]:
            sets.union(unnamed[0], i)

    # 4. acronyms; 5. organisation = place of the same name
    named = {k: i for k, i in by_key.items() if k[0] != "person"}
    initials: dict[str, set[int]] = {}
    for (kind, _key), i in named.items():
        a = acronym(full[i])
        if a and not ACRONYM.fullmatch(full[i]):
            initials.setdefault(a, set()).add(sets.find(i))
    for (kind, key), i in named.items():
        if ACRONYM.fullmatch(full[i]):
            owners = {sets.find(j) for j in initials.get(full[i].replace(".", "").lower(), set())}
            if len(owners) == 1:
                sets.union(i, owners.pop())
        body = key.split(":", 1)[1]
        other = "location" if kind == "organization" else "organization"
        j = by_key.get((other, f"{other}:{body}"))
        if j is not None:
            sets.union(i, j)

    # 6. a lone surname that NER called a place or organisation: its one bearer, or a dominant one (as in rule 3)
    weight = Counter()
    for i, loc in enumerate(locals_):
        weight[sets.find(i)] += sum(loc.forms.values())
    longer_names = {t for (kind, key), i in named.items() for t in name_tokens(full[i]) if len(name_tokens(full[i])) > 1}
    for (kind, key), i in named.items():
        words = name_tokens(full[i])
        if len(words) != 1 or words[0] in longer_names:
            continue
        owners = sorted({sets.find(j) for j in by_name_token.get(words[0], set())}, key=lambda r: -weight[r])
        if len(owners) == 1 or (len(owners) > 1 and weight[owners[0]] >= DOMINANCE * weight[owners[1]]):
            sets.union(i, owners[0])

    groups: dict[int, Group] = {}
    kinds: dict[int, Counter[str]] = {}
    for i, loc in enumerate(locals_):
        root = sets.find(i)
        g = groups.get(root)
        if g is None:
            g = groups[root] = Group(kind=loc.kind, name="", key="")
            kinds[root] = Counter()
        g.refs.append(loc.ref)
        g.forms.update(loc.forms)
        kinds[root][loc.kind] += sum(loc.forms.values()) or 1
    for root, g in groups.items():
        # a person absorbs mislabelled places; otherwise the kind used most often wins (ties: organisation, since
        # an actor that speaks is more often an institution than a place)
        g.kind = "person" if kinds[root]["person"] else max(kinds[root], key=lambda k: (kinds[root][k],
                                                                                        k == "organization"))
        if g.forms:
            g.name = canonical_name(g.forms, g.kind)
            g.key = name_key(fullest_form(g.forms, g.kind), g.kind)
    # people kept apart by their middle initials keep them in the display name
    named: dict[str, list[Group]] = {}
    for g in groups.values():
        if g.kind == "person":
            named.setdefault(g.name, []).append(g)
    for same in (v for v in named.values() if len(v) > 1):
        for g in same:
            initialled = [f for f in g.forms if _initials(Local(None, "person", Counter({f: 1})))]
            if initialled:
                g.name = display_person_name(max(initialled, key=lambda f: (g.forms[f], -len(f))), initials=True)
    return list(groups.values())
