"""Name normalisation: keys that merge "Mr. Vladimir V. Putin" with "Vladimir Putin" and "SCO" spellings.

Pure functions over strings. Nothing here names a particular person or organisation.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

HONORIFICS = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "emeritus", "sir", "dame", "lord", "lady",
    "president", "vice", "premier", "chancellor", "minister", "secretary", "senator", "sen", "rep",
    "representative", "gov", "governor", "mayor", "gen", "general", "col", "colonel", "lt", "capt", "captain",
    "adm", "admiral", "judge", "justice", "rev", "reverend", "father", "pope", "king", "queen", "prince",
    "princess", "sheikh", "ambassador", "speaker", "chairman", "chairwoman", "chair", "leader", "chief",
    "spokesman", "spokeswoman", "spokesperson", "commissioner", "deputy", "foreign", "prime", "state",
    "former", "the", "candidate", "nominee", "hon", "honorable",
}
# generational suffixes tell a son from his father ("Donald Trump Jr." is not "Donald Trump"): kept in keys
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
# British and American spellings, and a few common variants, folded together for organisation keys
SPELLING = {"organisation": "organization", "organisations": "organizations", "defence": "defense",
            "centre": "center", "programme": "program", "labour": "labor"}
POSSESSIVE = re.compile(r"['’]s?$")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Casefolded ASCII-ish form: accents removed, curly quotes straightened, whitespace collapsed."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
    return " ".join(s.casefold().split())


def name_tokens(name: str) -> list[str]:
    """Word tokens of a name without possessives and punctuation ("Mr. Putin’s" -> ["mr", "putin"])."""
    return list(_name_tokens(name))


@lru_cache(maxsize=1 << 16)  # resolution tokenises the same few thousand names over and over
def _name_tokens(name: str) -> tuple[str, ...]:
    words = [POSSESSIVE.sub("", w) for w in fold(name).split()]
    return tuple(t for t in (re.sub(r"[^\w-]", "", w).strip("-") for w in words) if t)


def _without_titles(toks: list[str]) -> list[str]:
    """Tokens without honorifics and titles, except in the surname slot (the last word, or the one before a
    "Jr."): "Mr. Putin" -> putin, but "Charlie King" keeps its King and "Martin Luther King Jr." too."""
    keep = len(toks) - 1 - (len(toks) > 1 and toks[-1] in SUFFIXES)
    return [t for i, t in enumerate(toks) if t not in HONORIFICS or i >= keep]


def person_tokens(name: str) -> list[str]:
    """Tokens that identify a person: no honorifics or titles, no middle initials."""
    return list(_person_tokens(name))


@lru_cache(maxsize=1 << 16)  # as _name_tokens: resolution asks for the same names hundreds of thousands of times
def _person_tokens(name: str) -> tuple[str, ...]:
    toks = list(_name_tokens(name))
    core = _without_titles(toks)
    if len(core) > 2:
        core = [core[0], *[t for t in core[1:-1] if len(t) > 1], core[-1]]
    return tuple(core or toks)


def identifying_tokens(name: str) -> list[str]:
    """person_tokens without generational suffixes: the given and family names that a surname mention can match."""
    toks = _person_tokens(name)
    return [t for t in toks if t not in SUFFIXES] or list(toks)


def display_person_name(name: str, initials: bool = False) -> str:
    """A person's name as written, without titles, honorifics and middle initials, for display.

    "President Vladimir V. Putin" -> "Vladimir Putin"; "Professor Emeritus Rosemary Foot" -> "Rosemary Foot";
    "Donald Trump Jr." keeps its suffix. Words keep their original spelling and order.
    """
    words = [w for w in name.replace("\u00a0", " ").split() if w.strip(".,")]
    while words and fold(words[0]).strip(".'’") in HONORIFICS and len(words) > 1:
        words = words[1:]
    if len(words) > 2 and not initials:
        words = [words[0], *[w for w in words[1:-1] if not is_initial(w)], words[-1]]
    return " ".join(words)


def acronym(name: str) -> str:
    words = [w for w in name_tokens(name) if w not in {"of", "the", "for", "and", "on", "in", "de"}]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


@lru_cache(maxsize=1 << 16)
def name_key(name: str, kind: str) -> str:
    """Key under which mentions of one actor are merged across articles.

    People: the identifying tokens, sorted, so that name order ("Xi Jinping") and honorifics do not matter.
    Organisations and places: folded words with spelling variants unified; all-caps short names keep their
    letters ("Nato" = "NATO").
    """
    if kind == "person":
        return "person:" + " ".join(sorted(person_tokens(name)))
    toks = [SPELLING.get(t, t) for t in name_tokens(name)]
    if toks and toks[0] == "the":
        toks = toks[1:]
    return f"{kind}:" + " ".join(toks)


def alias_norm(text: str) -> str:
    """Lookup form of an alias or a user's query: folded, punctuation-free, honorifics kept out for people.

    Used both when storing Alias.norm and when answering `?speaker=`: "Mr. Putin", "mr putin" and "Putin"
    all normalise to "putin".
    """
    toks = name_tokens(text)
    return " ".join(_without_titles(toks) or toks)


def is_initial(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\.?", token))


def canonical_name(forms: dict[str, int], kind: str) -> str:
    """The display name of an actor from the surface forms used for it and how often each was used.

    The rule (README, "Entities"): forms are compared as displayed (people without titles, honorifics and middle
    initials: "President Vladimir V. Putin" -> "Vladimir Putin"; organisations without a leading "the").
    Established forms, used at least twice, are preferred to one-offs (an epithet or an NER slip such as
    "Crooked Hillary Clinton" is a one-off); among them the fullest compete (people: most name words;
    organisations: spelled out rather than an acronym, then most words), and the most used wins, ties going to
    the shorter and then the alphabetically first form.
    """
    if not forms:
        return ""
    shown: dict[str, int] = {}
    for form, n in forms.items():
        name = display_person_name(form) if kind == "person" else re.sub(r"^(?:the|The|THE)\s+", "", form.strip())
        shown[name] = shown.get(name, 0) + n
    if kind == "person":
        pool = {f: n for f, n in shown.items() if len(identifying_tokens(f)) > 1} or shown
        width = identifying_tokens
    else:
        pool = {f: n for f, n in shown.items() if not re.fullmatch(r"[A-Z.&]{2,8}", f)} or shown
        width = name_tokens
    pool = {f: n for f, n in pool.items() if n > 1} or pool
    widest = max(len(width(f)) for f in pool)
    fullest = {f: n for f, n in pool.items() if len(width(f)) == widest}
    return min(fullest, key=lambda f: (-fullest[f], len(f), f))


# Title nouns that make a query descriptive ("the Russian president", "Chinese leader"): such a query is matched
# against the roles articles stated, not against names. "leader" covers the heads of state and government.
TITLE_NOUNS = {
    "president", "leader", "premier", "chancellor", "minister", "secretary", "senator", "governor", "mayor",
    "ambassador", "spokesman", "spokeswoman", "spokesperson", "official", "professor", "fellow", "analyst",
    "director", "chairman", "chairwoman", "chief", "speaker", "king", "queen", "prince", "general", "commander",
    "candidate", "nominee", "diplomat", "adviser", "advisor", "economist", "researcher", "scholar", "envoy",
}
LEADER_TITLES = {"president", "leader", "premier", "chancellor", "king", "queen", "prime", "ruler"}
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its"}


def describes(query: str) -> tuple[str, list[str]] | None:
    """(title noun, modifiers) when a query describes someone by role ("the Russian president" ->
    ("president", ["russian"])); None when it has no title noun or nothing but titles and honorifics."""
    toks = [t for t in name_tokens(query) if t not in DETERMINERS]
    titles = [t for t in toks if t in TITLE_NOUNS]
    if not titles:
        return None
    modifiers = [t for t in toks if t not in TITLE_NOUNS and t not in HONORIFICS]
    return titles[-1], modifiers


def same_stem(a: str, b: str) -> bool:
    """"russia" ~ "russian", "china" ~ "chinese": a shared prefix of 4+ letters covering most of the shorter word."""
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n >= 4 and n >= 0.75 * min(len(a), len(b))


def role_matches(title: str, modifiers: list[str], role_text: str) -> bool:
    """Whether a stated role (with its affiliation) fits a descriptive query's title noun and modifiers."""
    words = name_tokens(role_text)
    if title == "leader":
        has_title = any(w in LEADER_TITLES for w in words)
    else:
        has_title = any(same_stem(title, w) for w in words)
    return has_title and all(any(same_stem(m, w) for w in words) for m in modifiers)
