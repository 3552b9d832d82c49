"""Which quotes render the same statement: text normalisation, comparison and word-level diffs. Pure functions.

Outlets quote one statement in different shapes: word for word, in part ("balanced position"), with other
translation choices ("value" / "appreciate"), with other typography (curly or straight marks, "we'll" or "we
will"). Everything here works on a `Signature` of a text:

- `tokens`: casefolded words with straightened apostrophes and expanded contractions ("we'll" -> we will);
  punctuation, case and whitespace are gone, so two copies that differ only in those are `equal`.
- `stems`: each token cut to its first STEM_CHARS characters, a crude but language-agnostic stemmer that makes
  "concern"/"concerns", "Ukraine"/"Ukrainian", "instil"/"instill" one key.
- `content`: the stems of words that carry meaning (not in STOPWORDS). Negations stay content: "no limits" and
  "limits" are different claims. These are the keys of the candidate index (services/utterances.py) and the
  basis of the overlap scores.

`compare(a, b)` says how text `a` relates to text `b`: `equal`, `part` (a is a contiguous piece of b, or nearly
all of a's content words occur in b), `whole` (the reverse), `variant` (most content words shared and the
stemmed word sequences alike), or None. Short texts must match more strictly than long ones, because two short
statements by one speaker ("Russia will win" / "Russia will lose") share most of their few words.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

STEM_CHARS = 5

# function words: they say nothing about which statement a text renders (negations are deliberately absent)
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just let me more most my myself of off on once only
or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up us very was we were what when where
which while who whom why will with would you your yours yourself yourselves also may might must shall upon
said say says saying told tell added adding mr mrs ms
""".split())

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'"})
INITIALISM = re.compile(r"\b(?:[^\W\d_]\.){2,}")
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
CONTRACTIONS = (("n't", " not"), ("'ll", " will"), ("'re", " are"), ("'ve", " have"), ("'m", " am"),
                ("'d", " would"), ("'s", ""))
SPECIAL_NEGATIONS = {"can't": "can not", "won't": "will not", "shan't": "shall not"}

Relation = Literal["equal", "part", "whole", "variant"]


@dataclass(frozen=True, slots=True)
class Signature:
    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    content: frozenset[str]

    @property
    def norm(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True, slots=True)
class Match:
    relation: Relation
    score: float          # 0..1, how much of the two texts agree (1.0 only for `equal`)


def words(text: str) -> list[str]:
    """Casefolded words, apostrophes straightened, contractions expanded, dotted initialisms joined ("P.R.C."
    -> prc); no punctuation."""
    text = unicodedata.normalize("NFKC", text).translate(APOSTROPHES).casefold()
    text = INITIALISM.sub(lambda m: m.group(0).replace(".", ""), text)
    out: list[str] = []
    for word in WORD.findall(text):
        if "'" not in word:   # most words: every contraction and special negation has an apostrophe
            out.append(word)
            continue
        if word in SPECIAL_NEGATIONS:
            out.extend(SPECIAL_NEGATIONS[word].split())
            continue
        for suffix, expansion in CONTRACTIONS:
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[: -len(suffix)] + expansion
                break
        out.extend(word.replace("'", "").split())
    return out


def stem(token: str) -> str:
    return token[:STEM_CHARS]


# bounded for memory: an entry is ~2 KB, and grouping re-reads the wordings of recent utterances mostly
@lru_cache(maxsize=16384)
def signature(text: str) -> Signature:
    tokens = tuple(words(text))
    stems = tuple(stem(t) for t in tokens)
    return Signature(tokens, stems, frozenset(stem(t) for t in tokens if t not in STOPWORDS))


@lru_cache(maxsize=65536)   # the read path normalises the same stored wordings over and over
def normalize(text: str) -> str:
    """One string per wording: 'We’ll  see,' and 'we will see' normalise alike."""
    return " ".join(words(text))


def _contiguous(needle: tuple[str, ...], haystack: tuple[str, ...]) -> bool:
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    first = needle[0]
    return any(haystack[i] == first and haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _part_of(a: Signature, b: Signature, overlap: int) -> float | None:
    """Score if `a` is a piece of `b` (contiguous stems, or nearly all of a's content in b and alike in order)."""
    if not a.content:
        return None
    if _contiguous(a.stems, b.stems):
        return 0.5 + 0.5 * len(a.stems) / len(b.stems)
    # nearly all of a's (three or more) content words, in a clearly shorter text: a loose excerpt; with fewer
    # words this would take "We understand your position" for part of "… explain our position"
    if len(a.content) >= 3 and overlap / len(a.content) >= 0.75 and len(a.stems) <= 0.8 * len(b.stems):
        alike = fuzz.partial_ratio(" ".join(a.stems), " ".join(b.stems)) / 100
        if alike >= 0.75:
            return (0.5 + 0.5 * len(a.stems) / len(b.stems)) * alike
    return None


def compare(a: Signature, b: Signature) -> Match | None:
    """How `a` relates to `b`, or None when they do not render the same statement."""
    if not a.content or not b.content:   # only function words ("we", "the"): no statement to identify
        return None
    if a.tokens == b.tokens:
        return Match("equal", 1.0)
    overlap = len(a.content & b.content)
    if overlap == 0:
        return None
    if len(a.stems) <= len(b.stems):
        score = _part_of(a, b, overlap)
        if score is not None:
            return Match("part", round(score, 4))
    else:
        score = _part_of(b, a, overlap)
        if score is not None:
            return Match("whole", round(score, 4))
    shortest = min(len(a.content), len(b.content))
    dice = 2 * overlap / (len(a.content) + len(b.content))
    alike = fuzz.ratio(" ".join(a.stems), " ".join(b.stems)) / 100
    # short texts: at most about one content word may differ; long ones tolerate translation differences
    needed = 0.75 if shortest <= 4 else 0.6
    if overlap >= 2 and dice >= needed and alike >= 0.6:
        return Match("variant", round(min(0.99, (dice + alike) / 2), 4))
    return None


def is_short(sig: Signature) -> bool:
    """One content word ("balanced", "concern"): evidence of a statement only close to when it was made."""
    return len(sig.content) <= 1


@dataclass(frozen=True, slots=True)
class DiffOp:
    op: Literal["equal", "insert", "delete", "replace"]
    canonical: str
    variant: str


def word_diff(canonical: str, variant: str) -> list[DiffOp]:
    """Word-level diff of a variant against the canonical wording, on the original words (punctuation kept,
    compared ignoring case and quotation-mark style)."""
    left, right = canonical.split(), variant.split()
    key_left = [normalize(w) or w for w in left]
    key_right = [normalize(w) or w for w in right]
    matcher = difflib.SequenceMatcher(a=key_left, b=key_right, autojunk=False)
    return [DiffOp(op, " ".join(left[i1:i2]), " ".join(right[j1:j2]))  # type: ignore[arg-type]
            for op, i1, i2, j1, j2 in matcher.get_opcodes()]


@dataclass(slots=True)
class Candidate:
    """An existing utterance as the grouping step sees it: its distinct wordings, whether it was reported close
    enough in time to the new quote for one-word evidence to count, the speakers of its quotes, and whether it
    is another (related) speaker's utterance rather than the new quote's speaker's own."""

    id: int
    variants: list[Signature]
    near: bool = True
    speakers: frozenset[int] = frozenset()
    related: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    target: int | None                 # the utterance the quote joins; None: it starts a new one
    merge: tuple[int, ...] = ()        # other utterances the quote shows to be the same statement
    match: Match | None = None


CONTEXT_MIN = 2
FEW_WORDS = 2
NEAR_DAYS = 3       # one-word evidence counts only between reports at most this many days apart
RANK = {"equal": 3, "variant": 2, "whole": 2, "part": 1}


STRONG_SHARED = 5    # content words two wordings must share, in order, to join across speakers
STRONG_COVER = 0.7   # ... and the share of the shorter wording's content words they must be


def _content_sequence(sig: Signature) -> list[str]:
    return [stem(t) for t in sig.tokens if t not in STOPWORDS]


def _common_in_order(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two word lists."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def corroborates(a: Signature, b: Signature) -> Match | None:
    """Whether two wordings share so long a run of content words, in the same order, that they cannot be two
    statements: at least STRONG_SHARED of them, making up STRONG_COVER of the shorter wording. This is the
    evidence needed to join quotes of different speakers (a leader's words and his government's readout of
    them, in two translations: "willing to work with Russia to demonstrate the responsibility of big powers" /
    "... of a major country, play a leading role ..."); the loose comparisons that suffice within one speaker
    would not do there."""
    shortest = min(len(a.content), len(b.content))
    if shortest < STRONG_SHARED or len(a.content & b.content) < max(STRONG_SHARED, STRONG_COVER * shortest):
        return None   # cheap bound first: the ordered count never exceeds the shared set
    seq_a, seq_b = _content_sequence(a), _content_sequence(b)
    shared = _common_in_order(seq_a, seq_b)
    cover = shared / min(len(seq_a), len(seq_b))
    if shared < STRONG_SHARED or cover < STRONG_COVER:
        return None
    return Match("variant", round(min(0.99, cover), 4))


def best_match(sig: Signature, variants: list[Signature]) -> Match | None:
    found = [m for v in variants if (m := compare(sig, v)) is not None]
    return max(found, key=lambda m: (m.score, RANK[m.relation]), default=None)


def context_match(context: Signature, own: Signature, variants: list[Signature]) -> Match | None:
    """A one- or two-word fragment ("shocking") that matches no wording is placed by the reporter's sentence
    around it (other quotes cut out): the fragment and its sentence together must share CONTEXT_MIN content
    words with one wording of the utterance, at least one of them from the sentence."""
    extra = context.content - own.content
    best = 0.0
    for v in variants:
        shared = len((extra | own.content) & v.content)
        if shared >= CONTEXT_MIN and extra & v.content:
            best = max(best, shared / len(v.content))
    return Match("variant", round(0.5 * best, 4)) if best else None


def few_words(sig: Signature) -> bool:
    """A fragment-sized wording ("balanced position"): too unspecific to stand for one statement when it is
    merely contained in a new quote."""
    return len(sig.content) <= FEW_WORDS


def _covers_fragment(fragment: Signature, cand: Candidate, candidates: list[Candidate]) -> bool:
    """A new quote containing `fragment` (a wording of `cand`) is evidence for `cand` only when cand has
    nothing but fragments and no other candidate statement contains the fragment too."""
    if not all(few_words(v) for v in cand.variants):
        return False
    for other in candidates:
        if other is not cand and any((m := compare(fragment, v)) is not None and m.relation in ("part", "equal")
                                     for v in other.variants):
            return False
    return True


def match_candidate(sig: Signature, cand: Candidate, candidates: list[Candidate]) -> Match | None:
    """The best relation of a new quote to any wording of one candidate utterance."""
    if not cand.near and (is_short(sig) or all(is_short(v) for v in cand.variants)):
        return None
    best: Match | None = None
    for wording in cand.variants:
        match = compare(sig, wording)
        if match is None:
            continue
        if match.relation == "whole" and few_words(wording) and not _covers_fragment(wording, cand, candidates):
            continue
        if best is None or (match.score, RANK[match.relation]) > (best.score, RANK[best.relation]):
            best = match
    return best


def _corroborated(sig: Signature, cand: Candidate) -> Match | None:
    if not cand.near:
        return None
    found = [m for v in cand.variants if (m := corroborates(sig, v)) is not None]
    return max(found, key=lambda m: m.score, default=None)


def decide(sig: Signature, candidates: list[Candidate], context: Signature | None = None) -> Decision:
    """Which utterance a new quote joins, and which utterances it merges.

    A quote joins its best match. Other matches are merged into it only when the new quote covers them (it
    contains them or is a variant of them): an outlet that quotes two sentences as one piece shows they are one
    remark. A quote that is merely a piece of several utterances ("concern") joins one and merges none, so a
    short fragment never bridges two statements; and a quote that contains a fragment-sized wording of an
    utterance matches it only if that utterance is fragments alone and no other statement contains the
    fragment (else every statement with "Ukraine crisis" in it would join the one quoted as "Ukraine crisis").
    One-word quotes and one-word utterances match only when reported close in time (`Candidate.near`).

    Utterances of related speakers (`Candidate.related`) match only on `corroborates` evidence, reported close
    in time. Once the quote is corroborated as some related speaker's words, that speaker's other utterances
    are compared with it by the ordinary rules (the readout that renders a leader's sentence also contains his
    fragment "major countries").
    """
    matched: list[tuple[Candidate, Match]] = []
    vouched: set[int] = set()
    for cand in candidates:
        if cand.related and (match := _corroborated(sig, cand)) is not None:
            matched.append((cand, match))
            vouched |= cand.speakers
    for cand in candidates:
        if cand.related and (any(c is cand for c, _ in matched) or not cand.speakers & vouched):
            continue
        match = match_candidate(sig, cand, candidates)
        if match is not None:
            matched.append((cand, match))
    if not matched and context is not None and len(sig.content) <= 2:
        for cand in candidates:
            if (cand.near and not cand.related
                    and (match := context_match(context, sig, cand.variants)) is not None):
                matched.append((cand, match))
        matched = sorted(matched, key=lambda cm: (-cm[1].score, cm[0].id))[:1]
    if not matched:
        return Decision(None)
    matched.sort(key=lambda cm: (-cm[1].score, -RANK[cm[1].relation], cm[0].id))
    target, match = matched[0]
    merge = tuple(sorted(c.id for c, m in matched[1:] if m.relation in ("equal", "whole", "variant")))
    return Decision(target.id, merge, match)


ELIGIBLE_KINDS = frozenset({"speech", "fragment"})


@dataclass(frozen=True, slots=True)
class QuoteItem:
    """What grouping needs of a stored quote."""

    id: int
    speaker_id: int | None
    kind: str
    text: str
    start: int = 0
    cue: str | None = None
    sentence: str | None = None


def eligible(item: QuoteItem) -> bool:
    """Only the speaker's own words with a known speaker form utterances: `speech` and `fragment` quotes.

    `indirect` quotes are the writer's paraphrase (their wording is the outlet's, not the speaker's) and
    `unattributed` ones have no speaker; neither joins an utterance, except a speaker-less piece that continues
    an attributed one (see `units`).
    """
    return item.kind in ELIGIBLE_KINDS and item.speaker_id is not None and bool(signature(item.text).content)


def units(items: list[QuoteItem]) -> list[list[QuoteItem]]:
    """An article's eligible quotes in groups that render one statement, longest group first.

    Pieces quoted in one sentence for one speaker with one cue ("said that China was "willing to work with
    Russia …" and to "instil stability …"", or a quote interrupted by "he said") are one statement cut up by
    the writer, so they are matched and grouped together. A piece that follows a conjunction and the cue
    ("were "extremely business-like …," and he called them "great."") starts a statement of its own: the cue
    governs only what follows it, and the piece before was attributed by the same cue only for lack of another.
    A speaker-less piece that continues an attributed one (`_continues`) joins its group.
    """
    groups: dict[tuple, list[QuoteItem]] = {}
    group_of: dict[int, list[QuoteItem]] = {}
    previous: dict[str, QuoteItem] = {}   # sentence -> the quote before, of any kind
    for item in sorted(items, key=lambda i: (i.start, i.id)):
        before = previous.get(item.sentence) if item.sentence else None
        if item.sentence:
            previous[item.sentence] = item
        if not eligible(item):
            if before is not None and before.id in group_of and _continues(before, item):
                group_of[before.id].append(item)
                group_of[item.id] = group_of[before.id]
            continue
        key = (item.speaker_id, item.sentence, (item.cue or "").casefold()) if item.sentence else (item.id,)
        group = groups.get(key)
        if group is not None and _new_clause(item.sentence or "", group[-1], item):
            groups[key + (item.id,)] = groups.pop(key)   # the earlier pieces keep a key of their own
            group = None
        if group is None:
            group = groups[key] = []
        group.append(item)
        group_of[item.id] = group
    return sorted(groups.values(), key=lambda g: (-len(unit_signature(g).content), g[0].start, g[0].id))


CONTINUATION_WORDS = 3


def _between(sentence: str, before: QuoteItem, after: QuoteItem) -> str | None:
    """The words of a sentence between two of its quotes (None when they cannot be found in that order)."""
    end = sentence.find(before.text)
    start = sentence.find(after.text, end + len(before.text)) if end >= 0 else -1
    return sentence[end + len(before.text):start] if start >= 0 else None


def _continues(before: QuoteItem, after: QuoteItem) -> bool:
    """Whether a speaker-less speech or fragment piece continues the attributed piece right before it in the
    sentence: at most CONTINUATION_WORDS words and no clause boundary between them ("Xi had pledged to
    "strongly support" Russia's "core interests."", where attribution found the speaker of the first piece
    only)."""
    if after.speaker_id is not None or after.kind not in ELIGIBLE_KINDS or not signature(after.text).content:
        return False
    between = _between(after.sentence or "", before, after)
    return (between is not None and len(WORD.findall(between)) <= CONTINUATION_WORDS
            and re.search(r"[;:.!?]", between) is None)


NEW_CLAUSE = re.compile(r"\b(?:and|but|while|whereas)\b", re.IGNORECASE)


def _new_clause(sentence: str, before: QuoteItem, after: QuoteItem) -> bool:
    """Whether the words between two pieces of one sentence hold a conjunction followed by their cue."""
    between = _between(sentence, before, after) if before.cue else None
    if between is None:
        return False
    conjunction = NEW_CLAUSE.search(between)
    return conjunction is not None and re.search(
        rf"\b{re.escape(before.cue)}\b", between[conjunction.end():], re.IGNORECASE) is not None


def unit_signature(group: list[QuoteItem]) -> Signature:
    return signature(" … ".join(i.text for i in group))


def context_signature(sentence: str | None, quoted: list[str]) -> Signature | None:
    """The words around a quote: its sentence with the given quoted texts (the speaker's quotes) cut out."""
    if not sentence:
        return None
    for text in sorted(set(quoted), key=len, reverse=True):
        if text:
            sentence = sentence.replace(text, " ")
    return signature(sentence)
