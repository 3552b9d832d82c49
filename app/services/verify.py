"""POST /verify: was this sentence said, by whom, and in which wording?

The text is compared with the wordings of candidate utterances (any speaker, found through the content-stem
index) using the same comparison as grouping, plus one lenient rule for lookups: a sentence of at least
MIN_LENIENT_TOKENS words whose normalised text is at least LENIENT_RATIO alike a stored wording, with half its
content words shared, is a `variant`; so is a sentence of at least MIN_SWAP_TOKENS words that differs from a
stored wording in exactly one word (the commonest misquotation). The verdict:

- `verbatim`: a stored quote has the same words (case, punctuation, quotation marks and whitespace aside);
- `partial`: the text is a piece of a longer quote;
- `variant`: the same statement in other words (the closest wording and a word diff are returned);
- `misattributed`: found, but no matching utterance is attributed to the speaker named in the request (an
  utterance is attributed to its speaker and to those of its quotes: a leader's words quoted from his
  government's readout carry both, and naming either is right);
- `not_found`: nothing matches well enough; a sentence nobody said must end here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlmodel import Session

from app.pipeline.utterances import DiffOp, Match, Signature, compare, signature, word_diff
from app.services.entities import ids_for_name
from app.services.quotes import QuoteRow, quotes_in_utterances
from app.services.utterances import candidates, speakers_of

MIN_LENIENT_TOKENS = 4
MIN_SWAP_TOKENS = 5
LENIENT_RATIO = 0.8
MAX_MATCHES = 50
VERDICTS = {"equal": "verbatim", "part": "partial", "variant": "variant", "whole": "variant"}


@dataclass(slots=True)
class ScoredQuote:
    row: QuoteRow
    score: float


@dataclass(slots=True)
class Verification:
    verdict: str
    score: float = 0.0
    utterance_id: int | None = None
    closest_text: str | None = None
    diff: list[DiffOp] = field(default_factory=list)
    matches: list[ScoredQuote] = field(default_factory=list)


def one_word_swapped(query: Signature, wording: Signature) -> bool:
    """Same words but one, in a sentence of at least MIN_SWAP_TOKENS words: the commonest misquotation."""
    if len(query.tokens) != len(wording.tokens) or len(query.tokens) < MIN_SWAP_TOKENS:
        return False
    return sum(a != b for a, b in zip(query.tokens, wording.tokens)) == 1


def lookup_match(query: Signature, wording: Signature) -> Match | None:
    """How a looked-up text relates to one stored wording (None: not the same statement)."""
    match = compare(query, wording)
    if match is not None and match.relation == "whole" and match.score < 0.8:
        return None   # the text says much more than the stored quote: those extra words are unattested
    if match is not None:
        return match
    if one_word_swapped(query, wording):
        return Match("variant", round(1 - 1 / len(wording.tokens), 4))
    if len(query.tokens) >= MIN_LENIENT_TOKENS and query.content and wording.content:
        alike = fuzz.ratio(query.norm, wording.norm) / 100
        shared = len(query.content & wording.content)
        if alike >= LENIENT_RATIO and shared * 2 >= max(len(query.content), len(wording.content)):
            return Match("variant", round(alike * 0.95, 4))
    return None


def verify(*, session: Session, text: str, speaker: str | None = None) -> Verification:
    query = signature(text)
    if not query.content:
        return Verification("not_found")
    found: list[tuple[int, Match, Signature]] = []   # (utterance id, best match, the wording it matched)
    for cand in candidates(session, keys=query.content, speaker_id=None, published=None, limit=100):
        best: tuple[Match, Signature] | None = None
        for wording in cand.variants:
            match = lookup_match(query, wording)
            if match is not None and (best is None or match.score > best[0].score):
                best = (match, wording)
        if best is not None:
            found.append((cand.id, *best))
    if not found:
        return Verification("not_found")
    found.sort(key=lambda f: (-f[1].score, f[0]))

    chosen = found
    misattributed = False
    if speaker is not None and speaker.strip():
        speaker_ids = set(ids_for_name(session=session, name=speaker))
        owners = speakers_of(session=session, utterance_ids=[f[0] for f in found])
        chosen = [f for f in found if owners.get(f[0], set()) & speaker_ids]
        if not chosen:
            chosen, misattributed = found, True
    utterance_id, match, wording = chosen[0]
    rows = quotes_in_utterances(session=session, utterance_ids=[f[0] for f in chosen], limit=MAX_MATCHES * 4)
    matches = []
    for row in rows:
        m = lookup_match(query, signature(row.quote.text))
        matches.append(ScoredQuote(row, m.score if m else 0.0))
    rank = {uid: i for i, (uid, _, _) in enumerate(chosen)}
    matches.sort(key=lambda s: (rank.get(s.row.quote.utterance_id, len(rank)), -s.score, s.row.quote.id))
    closest = next((s.row.quote.text for s in matches
                    if signature(s.row.quote.text).tokens == wording.tokens), wording.norm)
    return Verification(
        verdict="misattributed" if misattributed else VERDICTS[match.relation],
        score=match.score,
        utterance_id=utterance_id,
        closest_text=closest,
        diff=word_diff(closest, text),
        matches=matches[:MAX_MATCHES],
    )
