"""Which dependent of a verb, if any, is what its subject said or thinks: a small linear model from PolNeAR train.

News reports speech and stance with hundreds of verbs and constructions ("has not taken me up on my offer",
"became interested in poverty issues", "floated the idea"), more than hand rules can list. For each verb with a
stated subject, `candidates` proposes content spans from the parse (its clausal complement, object, infinitive,
prepositional object, the clause it interrupts, and the hand rules' own answer); `ContentModel.score` gives the
probability that a span is the content of an attribution, from features of the verb, its subject and the span
(lemma, dependency slot, lengths, punctuation). Nothing about particular articles or people is kept: only
weights of such features (app/pipeline/data/content_model.json). Rebuild it with:

    python -m app.pipeline.content_model ../shared/polnear/train   # parses 840 documents: ~5 CPU-minutes
"""
from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

from app.pipeline.cue_lexicon import build_command, load_lexicon, slot_of
from app.pipeline.nlp import lemma

MODEL_PATH = Path(__file__).resolve().parent / "data" / "content_model.json"
# dependents whose subtree may be what is said: complements, objects, and the clause a parenthetical cue
# interrupts ("The plan, he said, would …"); a preposition stands for its object ("accused him of lying")
CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "prep", "advcl", "oprd", "attr", "acomp", "dative"})
LEAD_WORDS = frozenset("that to whether if how what why when where who which for as about of on".split())
PERSON_PRONOUNS = frozenset("i we you he she they me us him her them".split())
MODALS = frozenset("will would could can should may might must".split())


@dataclass(frozen=True, slots=True)
class Candidate:
    slot: str       # where the span sits under the verb: "ccomp", "prep:of", "head", "rule" (the hand rules')
    start: int      # token range [start, end)
    end: int
    cut: str = "aside"  # how the subtree was cut: "aside" (a trailing aside left out), "whole", "core", "comma"


def candidates(verb: Token, rule_span: tuple[int, int] | None, end_of, as_head: Token | None = None
               ) -> list[Candidate]:
    """Content spans the parse offers for `verb`; `end_of(token)` ends a subtree before a trailing aside;
    `as_head`, the main clause's verb when `verb` stands in an "as" clause before it.

    Each dependent gives its subtree cut in up to four ways, since news and its annotators differ on where a
    content ends: less a trailing aside, whole, its core noun phrase (without the clauses and prepositions after
    it), and up to its first comma."""
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()

    def add(slot: str, lo: int, hi: int, cut: str) -> None:
        if hi > lo and (lo, hi) not in seen:
            seen.add((lo, hi))
            out.append(Candidate(slot, lo, hi, cut))

    if rule_span is not None:
        add("rule", *rule_span, "aside")
    doc = verb.doc
    for child in verb.children:
        if child.dep_ not in CONTENT_DEPS:
            continue
        node = child
        if child.dep_ == "prep":
            node = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
            if node is None:
                continue
        slot, lo = slot_of(child), node.left_edge.i
        add(slot, lo, end_of(node), "aside")
        add(slot, lo, node.right_edge.i + 1, "whole")
        if node.pos_ in {"NOUN", "PROPN", "PRON"}:
            after = [c.left_edge.i for c in node.rights if c.dep_ in {"prep", "relcl", "acl", "punct", "appos"}]
            add(slot, lo, min(after) if after else node.right_edge.i + 1, "core")
        comma = next((t.i for t in doc[lo:node.right_edge.i + 1] if t.text in {",", ";", "—", "--"} and t.i > lo), None)
        if comma is not None:
            add(slot, lo, comma, "comma")
    # a passive's subject is what the agent said or thinks of: "[the plan] was criticized by Democrats"
    patient = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    if patient is not None and any(c.dep_ == "agent" for c in verb.children):
        add("nsubjpass", patient.left_edge.i, end_of(patient), "aside")
        add("nsubjpass", patient.left_edge.i, patient.right_edge.i + 1, "whole")
    head = verb.head
    # ... and so is the noun a passive participle modifies: "[legislative changes] proposed by the government"
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and head.i < verb.i and any(c.dep_ == "agent" for c in verb.children):
        add("nsubjpass", head.left_edge.i, verb.left_edge.i, "aside")
    if verb.dep_ in {"parataxis", "ccomp", "advcl"} and head.i != verb.i and head.i < verb.i:
        lo = head.left_edge.i  # the clause before the cue: "… , officials said"
        if verb.left_edge.i - lo >= 2:
            add("head", lo, verb.left_edge.i, "aside")
    elif as_head is not None:   # the clause after it: "As officials said, …"
        lo = verb.right_edge.i + 1
        while lo < as_head.i and doc[lo].is_punct:
            lo += 1
        add("head", lo, end_of(as_head), "aside")
        add("head", lo, as_head.right_edge.i + 1, "whole")
    return out


def _length(n: int) -> str:
    return "1" if n <= 1 else "2" if n == 2 else "3-5" if n <= 5 else "6-10" if n <= 10 else "11-20" if n <= 20 \
        else "21-40" if n <= 40 else "41+"


def features(verb: Token, source: Token, cands: list[Candidate], lists: tuple[str, ...]) -> list[list[str]]:
    """Names of the features that hold for each (verb, subject, span) triple of one verb's candidates."""
    doc = verb.doc
    lem = lemma(verb)
    sent = verb.sent
    learned = load_lexicon().get(lem)
    rate = "none" if learned is None else str(min(9, int(learned.rate * 10)))
    subj = ("pron-" + source.lower_) if source.lower_ in PERSON_PRONOUNS else source.ent_type_ or source.pos_
    negated = any(c.dep_ == "neg" for c in verb.children)
    modal = any(c.dep_ == "aux" and c.lower_ in MODALS for c in verb.children)
    of_verb = ["bias", f"L={lem}", f"T={verb.tag_}", f"D={verb.dep_}", f"RATE={rate}", f"SUBJ={subj}",
               f"SUBJDEP={source.dep_}", f"NEG={negated}", f"MODAL={modal}", f"LSUBJ={lem}|{subj}"]
    # who holds the content, as a common word: "a [poll] shows …" (lower-case only: a name the tagger took for a
    # noun must not become a feature)
    if source.pos_ == "NOUN" and source.text.islower():
        of_verb.append(f"SUBJW={source.lower_}")
    out = []
    for cand in cands:
        slot = cand.slot
        gen_slot = slot.split(":")[0]
        lo, hi = cand.start, cand.end
        first, last = doc[lo], doc[hi - 1]
        n = _length(hi - lo)
        side = "before" if hi <= verb.i else "after" if lo > verb.i else "around"
        lead = first.lower_ if first.lower_ in LEAD_WORDS else first.pos_
        tokens = doc[lo:hi]
        has_verb = any(t.pos_ in {"VERB", "AUX"} for t in tokens)
        feats = of_verb + [
            f"S={slot}", f"G={gen_slot}", f"LS={lem}|{slot}", f"LG={lem}|{gen_slot}", f"DG={verb.dep_}|{gen_slot}",
            f"TG={verb.tag_}|{gen_slot}", f"RATEG={rate}|{gen_slot}", f"SUBJG={subj}|{gen_slot}", f"LEN={n}",
            f"LENG={n}|{gen_slot}", f"SIDE={side}|{gen_slot}", f"LEAD={lead}|{gen_slot}", f"LLEAD={lem}|{lead}",
            f"LAST={last.pos_}", f"VERBIN={has_verb}|{gen_slot}", f"SENTEND={hi >= sent.end - 1}|{gen_slot}",
            f"SENTSTART={lo <= sent.start}|{gen_slot}", f"CUT={cand.cut}|{gen_slot}", f"LCUT={lem}|{cand.cut}",
            f"CUTLEN={cand.cut}|{n}",
        ]
        # what the content is about, as a common word: "unveiled a [plan]"
        top = next((t for t in tokens if not lo <= t.head.i < hi or t.head.i == t.i), first)
        if top.pos_ in {"NOUN", "PRON"} and top.text.islower():
            feats.append(f"HW={top.lower_}|{gen_slot}")
        feats += [f"LIST={name}|{gen_slot}" for name in lists]
        out.append(feats)
    return out


@dataclass(frozen=True, slots=True)
class ContentModel:
    weights: dict[str, float]
    threshold: float

    def score(self, feats: list[str]) -> float:
        w = self.weights
        z = sum(w.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> ContentModel | None:
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return ContentModel(raw["weights"], raw["threshold"])


# ---------- building ----------

L2 = 1e-4            # weight decay per example, against features seen in few documents
MIN_FEATURE_COUNT = 3  # features seen fewer times in training are left out
# a verb's likeliest candidate is kept from this probability on: chosen on the held-out slice of PolNeAR train
# (benchmarks/content_model_heldout.py), never on dev: indirect F1 0.566 / 0.563 / 0.557 at 0.25 / 0.3 / 0.35
# there, 0.3 for the higher precision (0.697 against 0.678) of the two best
THRESHOLD = 0.3


@lru_cache(maxsize=1)
def _scorer():
    """The project's copy of the scorer (benchmarks/score_quotes.py), so that training counts a match, trims a span
    and tells direct from indirect content exactly as the figures are measured. Building runs in a checkout."""
    import importlib.util

    if "score_quotes" in sys.modules:   # already imported (benchmarks/quality.py puts benchmarks/ on sys.path)
        return sys.modules["score_quotes"]
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "score_quotes.py"
    spec = importlib.util.spec_from_file_location("score_quotes", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_quotes"] = module   # its dataclasses look their module up there while being defined
    spec.loader.exec_module(module)
    return module


Span = tuple[int, int]


def gold_contents(raw: str, ann: Path, cleaned) -> tuple[list[tuple[Span, list[Span]]], list[Span]]:
    """(indirect, direct) content pieces of one annotated text, trimmed, in cleaned-text offsets; each indirect
    piece with the character spans of its attribution's cue."""
    import bisect

    from app.pipeline.cue_lexicon import _read_ann

    def to_clean(off: int) -> int:
        i = max(bisect.bisect_right(cleaned.raw_starts, off) - 1, 0)
        return cleaned.clean_starts[i] + off - cleaned.raw_starts[i]

    scorer = _scorer()
    spans, events = _read_ann(ann)
    indirect, direct = [], []
    for event in events:
        cue = [(to_clean(a), to_clean(b - 1) + 1) for a, b in spans.get(event.get("Cue", ""), [])]
        for start, end in spans.get(event.get("Content", ""), []):
            quoted = scorer.quoted_share(raw[start:end]) >= 0.5
            start, end = scorer.trim(raw, start, end)
            if end - start >= 2:
                piece = (to_clean(start), to_clean(end - 1) + 1)
                if quoted:
                    direct.append(piece)
                else:
                    indirect.append((piece, cue))
    return indirect, direct


def training_rows(doc, cleaned, raw: str, ann: Path) -> list[tuple[list[str], int]]:
    """(features, label) for every candidate content of every verb of one article: label 1 when the content the
    candidate would give matches (IoU >= 0.5, as scored) a gold indirect content whose cue holds the verb.
    Candidates that give nothing, fall on a direct quote's content, or give the content of another verb's
    attribution ("who he claims [has been unfair to him]", offered by "been" too) are left out: the last are
    neither right nor wrong for this verb, and counting them as right taught the model that narrative verbs
    report."""
    from app.pipeline.attribution import Attributor
    from app.pipeline.entities import recognise
    from app.pipeline.extract import headline_end, quote_token_mask
    from app.pipeline.quotes import quote_spans
    from app.pipeline.reported import scored_candidates, verb_contents

    text = doc.text
    head_end = headline_end(text)
    _clusters, token_index = recognise(doc, body_start=head_end)
    mask, _ = quote_token_mask(doc, quote_spans(text))
    attributor = Attributor(doc, token_index, mask)
    indirect, direct = gold_contents(raw, ann, cleaned)
    trim, iou = _scorer().trim, _scorer().iou
    rows = []
    for tok in doc:
        if mask[tok.i] or tok.pos_ not in {"VERB", "AUX"}:
            continue
        if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            continue
        lo, hi = tok.idx, tok.idx + len(tok.text)
        own = [piece for piece, cue in indirect if any(a < hi and lo < b for a, b in cue)]
        for cand, feats, source in scored_candidates(tok, attributor):
            pieces = [p for p in verb_contents(tok, source, cand.start, cand.end, cand.slot, mask) if p is not None]
            spans = [trim(text, p.start_char, p.end_char) for p in pieces]
            if not spans or any(iou(s, g) >= 0.5 for s in spans for g in direct):
                continue
            right = any(iou(s, g) >= 0.5 for s in spans for g in own)
            if not right and any(iou(s, g) >= 0.5 for s in spans for g, _ in indirect):
                continue
            rows.append((feats, int(right)))
    return rows


def train(rows: list[tuple[list[str], int]], epochs: int = 300, rate: float = 0.5) -> dict[str, float]:
    """Logistic regression by full-batch gradient descent (Adagrad step sizes) over binary features."""
    import numpy as np

    counts: dict[str, int] = {}
    for feats, _ in rows:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    names = sorted(f for f, n in counts.items() if n >= MIN_FEATURE_COUNT)
    index = {f: i for i, f in enumerate(names)}
    cols = [[index[f] for f in feats if f in index] for feats, _ in rows]
    row_ids = np.repeat(np.arange(len(rows)), [len(c) for c in cols])
    col_ids = np.fromiter((i for c in cols for i in c), dtype=np.int64, count=len(row_ids))
    y = np.array([label for _, label in rows], dtype=np.float64)
    w = np.zeros(len(names))
    g2 = np.full(len(names), 1e-8)
    for _ in range(epochs):
        z = np.bincount(row_ids, weights=w[col_ids], minlength=len(rows))
        err = 1.0 / (1.0 + np.exp(-z)) - y
        grad = np.bincount(col_ids, weights=err[row_ids], minlength=len(names)) / len(rows) + L2 * w
        g2 += grad * grad
        w -= rate * grad / np.sqrt(g2)
    return {f: round(float(v), 4) for f, v in zip(names, w) if abs(v) >= 1e-3}


def build(polnear_split: Path, nlp=None) -> dict:
    from app.pipeline.clean import clean
    from app.pipeline.nlp import load_nlp

    nlp = nlp or load_nlp()
    pairs = []
    for tf in sorted((polnear_split / "text").glob("*.txt")):
        anns = sorted((polnear_split / "attributions").glob(f"{tf.stem}_*.ann"))
        if anns:  # texts annotated twice: the first annotation, as the scorer reads them
            raw = tf.read_text(encoding="utf-8")
            pairs.append((clean(raw), raw, anns[0]))
    rows = []
    for doc, (cleaned, raw, ann) in nlp.pipe(((c.text, (c, r, a)) for c, r, a in pairs), as_tuples=True,
                                             batch_size=16):
        rows += training_rows(doc, cleaned, raw, ann)
    return {"source": f"PolNeAR {polnear_split.name}", "documents": len(pairs), "rows": len(rows),
            "threshold": THRESHOLD, "weights": train(rows)}


def main(argv: list[str] | None = None) -> None:
    build_command("app.pipeline.content_model", argv, build, MODEL_PATH, lambda model, out: (
        f"{len(model['weights'])} weights from {model['rows']} candidates in {model['documents']} documents -> {out}"),
        sort_keys=True)


if __name__ == "__main__":
    main()
