"""People, organisations and places named in one article, grouped into one record per actor.

Mentions come from spaCy's NER plus a rule for honorifics ("Mr. Shi" even when NER misses it). Within an
article, a surname-only or honorific mention joins the full name that shares a token with it ("Mr. Putin" ->
"Vladimir V. Putin", "Mr Xi" -> "Xi Jinping"); an acronym joins the organisation it abbreviates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy
from spacy.attrs import LOWER, POS
from spacy.tokens import Doc, Span, Token

from app.pipeline.nlp import lemma
from app.pipeline.names import acronym, fold, name_key, person_tokens
from app.pipeline.types import EntityRecord, Mention, RoleRecord

LABEL_KIND = {"PERSON": "person", "ORG": "organization", "GPE": "location", "LOC": "location", "FAC": "location"}
HONORIFIC_TOKENS = {"mr", "mrs", "ms", "dr", "prof", "professor", "sen", "senator", "rep", "gov", "governor",
                    "president", "gen", "secretary", "minister", "mayor", "judge", "justice"}
JUNK = re.compile(r"\d|^\W|[@#/|©]|^(?:[A-Z]{2,} ?){2,}$")  # digits, credits, handles, "BIO BIO"
STOP_NAMES = {"leave", "comment", "reply", "read", "more", "share", "related", "photograph", "photo", "getty",
              "images", "bio", "newsletter", "subscribe", "advertisement"}
ROLE_START = {"a", "an", "the"}
# how a business's name ends ("Acme Corp", "Widgets Inc.", "Foo Holdings")
COMPANY_SUFFIX = re.compile(r"\b(?:Corp|Corporation|Inc|Co|Ltd|LLC|plc|PLC|Group|Holdings|AG|SA|NV|SE)\.?$")


@dataclass
class Cluster:
    kind: str
    names: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    role: str | None = None
    affiliation: str | None = None
    roles: list[RoleRecord] = field(default_factory=list)  # every role stated in the article, in reading order

    @property
    def best_name(self) -> str:
        def score(n: str) -> tuple[int, int]:
            toks = person_tokens(n) if self.kind == "person" else n.split()
            return (len(toks), -len(n)) if self.kind == "person" else (len(n), 0)
        return max(dict.fromkeys(self.names), key=score)  # distinct names: a cluster can have thousands of mentions

    @property
    def key(self) -> str:
        return name_key(self.best_name, self.kind)


def clean_name(span: Span) -> Span | None:
    """Trim determiners, possessive endings and punctuation from an entity span; None when it is junk."""
    toks = list(span)   # each Token made once: indexing the doc makes a new one on every access
    start, end = 0, len(toks)
    while start < end and (toks[start].lower_ in {"the", "a", "an"} or toks[start].is_punct):
        start += 1
    while end > start and (toks[end - 1].is_punct or toks[end - 1].tag_ == "POS"
                           or toks[end - 1].lower_ in {"'s", "’s"}):
        end -= 1
    for i in range(start, end):  # "Shanghai Cooperation Organisation (SCO": the bracket starts something else
        if toks[i].text in {"(", "[", "|"}:
            end = i
            break
    while end - start > 1 and (toks[end - 1].lower_ in STOP_NAMES or toks[end - 1].is_punct):
        end -= 1  # "Niva Yau BIO BIO": a byline widget glued to the name
    if start >= end:
        return None
    trimmed = span.doc[span.start + start:span.start + end]
    text = trimmed.text
    if JUNK.search(text) or end - start > 6 or "\n" in text:
        return None
    kept = toks[start:end]
    if any(t.lower_ in STOP_NAMES for t in kept) or not any(t.is_alpha and t.text[0].isupper() for t in kept):
        return None
    return trimmed


def tokens_where(doc: Doc, attr: int, accept) -> list[Token]:
    """The tokens whose string value of `attr` (LOWER, POS, ...) `accept`s, each distinct value tested once: most
    tokens fail, and making a Token of each to test it cost more than the rule."""
    if not len(doc):
        return []
    values = doc.to_array(attr)
    strings = doc.vocab.strings
    wanted = [v for v in numpy.unique(values).tolist() if accept(strings[v])]
    return [doc[i] for i in numpy.flatnonzero(numpy.isin(values, wanted)).tolist()] if wanted else []


def honorific_mentions(doc: Doc, taken: set[int]) -> list[Span]:
    """Person mentions introduced by an honorific that NER missed: "Mr. Shi", "Prof Foot"."""
    out = []
    for tok in tokens_where(doc, LOWER, lambda lower: lower.rstrip(".") in HONORIFIC_TOKENS):
        if tok.i + 1 >= len(doc):
            continue
        j = tok.i + 1
        while j < len(doc) and doc[j].pos_ == "PROPN" and doc[j].text[0].isupper() and j not in taken \
                and doc[j].lower_ not in HONORIFIC_TOKENS and doc[j].lower_ != "emeritus":
            j += 1
        if j > tok.i + 1:
            out.append(doc[tok.i + 1:j])
    return out


SPEECH_LEMMAS = {"say", "tell", "add", "write", "argue", "explain", "note", "claim", "warn", "insist", "state",
                 "speak", "describe", "call", "ask", "answer", "reply", "respond", "believe", "think"}


def speaker_names(doc: Doc, taken: set[int], ents: tuple[Span, ...]) -> list[Span]:
    """Proper names in speaker position that NER missed: the subject of a speech verb ("Ned Price said"),
    or the object of "according to". Two or three capitalised proper nouns, none already in an entity; or one,
    the surname of a person NER found elsewhere in the article ("Mayor Carlos Ruiz …" then "…,” Ruiz told")."""
    out = []
    surnames = {ent[-1].text for ent in ents if ent.label_ == "PERSON" and len(ent) >= 2}
    for tok in tokens_where(doc, POS, lambda pos: pos == "PROPN"):
        if tok.i in taken or not tok.text[:1].isupper():
            continue
        head = tok.head
        speaker_slot = (tok.dep_ == "nsubj" and lemma(head) in SPEECH_LEMMAS) or \
            (tok.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according")
        if not speaker_slot:
            continue
        start = tok.i
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper() \
                and start - 1 not in taken and (doc[start - 1].dep_ == "compound" or _stray_root(doc[start - 1])):
            start -= 1
        if 2 <= tok.i + 1 - start <= 3 or start == tok.i and tok.text in surnames:
            out.append(doc[start:tok.i + 1])
    return out


def _stray_root(tok: Token) -> bool:
    """A lone word the parser made a sentence of its own, as it does with a given name opening a paragraph
    ("Mark | Evans said: …")."""
    return tok.dep_ == "ROOT" and tok.is_sent_start and tok.n_lefts == tok.n_rights == 0


def appositive_role(span: Span) -> Span | None:
    """The role in "Alexander Gabuev, a senior fellow at the Carnegie Endowment," or "Ned Price, the ... spokesman",
    or without an article when the parse makes the noun an apposition of the name ("Paul Johnson, director of …")."""
    doc = span.doc
    i = span.end
    if i + 1 >= len(doc) or doc[i].text != ",":
        return None
    opener = doc[i + 1]
    possessive = opener.ent_type_ in {"GPE", "ORG", "NORP"} and i + 2 < len(doc) and doc[i + 2].tag_ == "POS"
    bare = opener.pos_ == "NOUN" and opener.dep_ == "appos" and opener.head.i == span.end - 1
    if opener.lower_ not in ROLE_START and not possessive and not bare:
        return None
    j = i + 1
    while j < len(doc) and j - i <= 20 and doc[j].text not in {",", ".", ";", "—", "–", "\n"} and "\n" not in doc[j].text:
        j += 1
    role = doc[i + 1:j] if possessive or bare else doc[i + 2:j]
    if len(role) == 0 or not any(t.pos_ == "NOUN" for t in role):
        return None
    return role


def title_role(span: Span) -> Span | None:
    """The title in front of a name: "Russian President Vladimir Putin", "Chinese leader Xi Jinping"."""
    doc = span.doc
    j = span.start
    while j > span.sent.start and (doc[j - 1].pos_ in {"PROPN", "ADJ", "NOUN"}) and doc[j - 1].ent_type_ in {"", "NORP", "GPE"} \
            and not doc[j - 1].is_punct and doc[j - 1].text[0] != doc[j - 1].text[0].lower() or \
            (j > span.sent.start and doc[j - 1].lower_ in {"president", "leader", "minister", "spokesman", "premier"}):
        j -= 1
        if span.start - j > 4:
            return None
    if j == span.start:
        return None
    words = doc[j:span.start]
    if not any(t.lower_ in {"president", "leader", "minister", "spokesman", "spokeswoman", "premier", "secretary",
                            "chancellor", "senator", "governor", "professor", "ambassador", "official"} for t in words):
        return None
    return words


def affiliation_in(role: Span, ents: tuple[Span, ...]) -> str | None:
    """The organisation (or country) a role names: "... at the Carnegie Endowment" -> Carnegie Endowment.
    `ents`: the document's entities (doc.ents builds them anew on each access)."""
    ents = [e for e in ents if e.start >= role.start and e.end <= role.end]
    for label in ("ORG", "GPE", "NORP"):
        for e in ents:
            if e.label_ == label:
                named = clean_name(e)
                return named.text if named is not None else e.text
    return None


def is_modifier(span: Span, kind: str) -> bool:
    """A name used only to qualify a common noun ("the Biden administration", "Kyrgyz president", "the Xi-Putin
    relationship"): it names no actor by itself (it still joins one named elsewhere in the article). For
    organisations only hyphenated pairs count, since "State Department spokesman" does name the department."""
    root = span.root
    if not (root.dep_ in {"compound", "amod", "nmod"} and root.head.pos_ == "NOUN" and root.head.i >= span.end):
        return False
    return kind in {"person", "location"} or any(t.text == "-" for t in span)


def entity_spans(ents: tuple[Span, ...]) -> list[tuple[Span, str]]:
    """NER spans (a document's entities) of the kinds we keep, split at line breaks (NER sometimes runs a
    headline into a paragraph)."""
    out = []
    for ent in ents:
        doc = ent.doc
        kind = LABEL_KIND.get(ent.label_)
        if not kind:
            continue
        start = ent.start
        for tok in ent:
            if tok.is_space and "\n" in tok.text:
                if tok.i > start:
                    out.append((doc[start:tok.i], kind))
                start = tok.i + 1
        if ent.end > start:
            out.append((doc[start:ent.end], kind))
    return out


def recognise(doc: Doc, body_start: int = 0) -> tuple[list[Cluster], dict[int, Cluster]]:
    """Clusters of mentions for one article, and an index from token position to the cluster mentioned there.

    Mentions before `body_start` (the headline, where title case confuses NER) are ignored."""
    spans: list[tuple[Span, str]] = []
    taken: set[int] = set()
    ents = doc.ents
    for ent, kind in entity_spans(ents):
        span = clean_name(ent)
        if span is None or span.start_char < body_start:
            continue
        spans.append((span, kind))
        taken.update(range(span.start, span.end))
    for span in honorific_mentions(doc, taken) + speaker_names(doc, taken, ents):
        span = clean_name(span)
        if span is not None and span.start_char >= body_start:
            # a name in speaker position that ends like a business ("Acme Corp said") is one, not a person
            spans.append((span, "organization" if COMPANY_SUFFIX.search(span.text) else "person"))
            taken.update(range(span.start, span.end))
    spans.sort(key=lambda s: s[0].start)

    clusters: list[Cluster] = []
    by_key: dict[str, Cluster] = {}
    token_index: dict[int, Cluster] = {}
    # each name's acronym once per article: every organisation or place mention compares it with every cluster
    acronym_of = lru_cache(maxsize=None)(acronym)
    for span, kind in spans:
        text = span.text
        if kind == "person" and "," in text:  # "Politico, Democratic party": a list, not a name
            continue
        cluster = None
        if kind == "person":
            toks = person_tokens(text)
            if len(toks) == 1:
                # surname or given name alone: the most mentioned person so far who has it (ties: the one named
                # first, the article's subject), since writers give full names to a second person of a surname
                # ("Trump ... Ivanka Trump ... Trump"; "Hillary Clinton ... President Bill Clinton ... Clinton")
                having = [c for c in clusters if c.kind == "person" and toks[0] in c.tokens and c.mentions]
                cluster = max(having, key=lambda c: len(c.mentions), default=None)
            else:
                cluster = by_key.get(name_key(text, kind))
        else:
            folded, abbreviated = fold(text).replace(".", ""), acronym_of(text)
            # (a one-word name has no acronym: "" equals no name)
            cluster = by_key.get(name_key(text, kind)) or next(
                (c for c in clusters if c.kind != "person" and (acronym_of(c.best_name) == folded or (
                    abbreviated and any(abbreviated == fold(n) for n in c.names)))),
                None)
            if cluster is None and kind == "organization":
                # NER may label the same name ORG in one sentence and GPE in another
                cluster = by_key.get(name_key(text, "location"))
        if cluster is None:
            if is_modifier(span, kind):
                continue
            cluster = Cluster(kind)
            clusters.append(cluster)
        cluster.names.append(text)
        cluster.mentions.append(Mention(span.start_char, span.end_char, text))
        if kind == "person":
            cluster.tokens.update(person_tokens(text))
        by_key[name_key(text, cluster.kind)] = cluster
        for i in range(span.start, span.end):
            token_index[i] = cluster
        if cluster.kind == "person":
            role = appositive_role(span) or title_role(span)
            if role is not None:
                stated = RoleRecord(role=role.text, affiliation=affiliation_in(role, ents),
                                    mention=Mention(span.start_char, span.end_char, text))
                cluster.roles.append(stated)
                if cluster.role is None:
                    cluster.role, cluster.affiliation = stated.role, stated.affiliation
    _merge_surname_only(clusters, token_index)
    return [c for c in clusters if c.mentions], token_index


def outweighs(surname: Cluster, full: Cluster) -> bool:
    """A bare surname that comes first and is used more often than the full name it might abbreviate is the
    article's main subject, not that passing namesake ("Clinton ... Clinton ... former President Bill Clinton ...
    Clinton"): it is left for cross-article resolution."""
    return bool(surname.mentions and full.mentions) and surname.mentions[0].start < full.mentions[0].start \
        and len(surname.mentions) > len(full.mentions)


def _merge_surname_only(clusters: list[Cluster], token_index: dict[int, Cluster]) -> None:
    """A surname seen before its full name ("Putin ... Vladimir Putin") joins the unique full name containing it;
    so does a one-word name that NER labelled as an organisation or place ("Price" after "Ned Price"), unless it
    `outweighs` that full name."""
    for c in clusters:
        if c.kind == "person":
            if len(c.tokens) != 1:
                continue
            token = next(iter(c.tokens))
        else:
            words = {n for name in c.names for n in person_tokens(name)}
            if len(words) != 1 or any(len(n.split()) > 1 for n in c.names):
                continue
            token = next(iter(words))
        fuller = [o for o in clusters if o is not c and o.kind == "person" and len(o.tokens) > 1 and token in o.tokens]
        if len(fuller) == 1 and not outweighs(c, fuller[0]):
            target = fuller[0]
            target.names += c.names
            target.mentions += c.mentions
            target.mentions.sort(key=lambda m: m.start)
            target.roles = sorted(target.roles + c.roles, key=lambda r: r.mention.start)
            if not target.role:
                target.role, target.affiliation = c.role, c.affiliation
            c.mentions = []
            for i, cl in token_index.items():
                if cl is c:
                    token_index[i] = target


def to_records(clusters: list[Cluster]) -> list[EntityRecord]:
    return [EntityRecord(key=c.key, kind=c.kind, name=c.best_name, aliases=set(c.names), mentions=list(c.mentions),
                         role=c.role, affiliation=c.affiliation, roles=list(c.roles)) for c in clusters]
