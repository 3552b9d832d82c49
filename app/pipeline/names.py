"""Name normalisation: keys that merge "Mr. Vladimir V. Putin" with "Vladimir Putin" and "SCO" spellings.

Pure functions over strings. Nothing here names a particular person or organisation.
"""
from __future__ import annotations

import re
import unicodedata

HONORIFICS = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "emeritus", "sir", "dame", "lord", "lady",
    "president", "vice", "premier", "chancellor", "minister", "secretary", "senator", "sen", "rep",
    "representative", "gov", "governor", "mayor", "gen", "general", "col", "colonel", "lt", "capt", "captain",
    "adm", "admiral", "judge", "justice", "rev", "reverend", "father", "pope", "king", "queen", "prince",
    "princess", "sheikh", "ambassador", "speaker", "chairman", "chairwoman", "chair", "leader", "chief",
    "spokesman", "spokeswoman", "spokesperson", "commissioner", "deputy", "foreign", "prime", "state",
    "former", "the", "candidate", "nominee", "hon", "honorable", "jr", "sr",
}
# British and American spellings, and a few common variants, folded together for organisation keys
SPELLING = {"organisation": "organization", "organisations": "organizations", "defence": "defense",
            "centre": "center", "programme": "program", "labour": "labor"}
POSSESSIVE = re.compile(r"['’]s?$")


def fold(text: str) -> str:
    """Casefolded ASCII-ish form: accents removed, curly quotes straightened, whitespace collapsed."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
    return " ".join(s.casefold().split())


def name_tokens(name: str) -> list[str]:
    """Word tokens of a name without possessives and punctuation ("Mr. Putin’s" -> ["mr", "putin"])."""
    words = [POSSESSIVE.sub("", w) for w in fold(name).split()]
    return [t for t in (re.sub(r"[^\w-]", "", w).strip("-") for w in words) if t]


def person_tokens(name: str) -> list[str]:
    """Tokens that identify a person: no honorifics or titles, no middle initials."""
    toks = name_tokens(name)
    core = [t for t in toks if t not in HONORIFICS]
    if len(core) > 2:
        core = [t for i, t in enumerate(core) if len(t) > 1 or i in (0, len(core) - 1)]
        core = [core[0], *[t for t in core[1:-1] if len(t) > 1], core[-1]]
    return core or toks


def acronym(name: str) -> str:
    words = [w for w in name_tokens(name) if w not in {"of", "the", "for", "and", "on", "in", "de"}]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


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
    core = [t for t in toks if t not in HONORIFICS]
    return " ".join(core or toks)


def is_initial(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\.?", token))
