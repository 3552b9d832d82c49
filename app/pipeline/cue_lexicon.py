"""Which verbs report what someone said or thinks, and where their content is: learned from PolNeAR train.

News attributes statements with hundreds of verbs ("unveiled a plan", "floated the idea", "slammed the
decision") beyond say/tell/claim. This module counts, over an annotated corpus in brat standoff (PolNeAR:
Source/Cue/Content spans), how often each verb lemma is an attribution cue, and which dependent of the cue holds
the content (ccomp, dobj, xcomp, a preposition...). The result is a small JSON lexicon shipped in the package
(app/pipeline/data/cue_lexicon.json); `reported.py` reads it. Rebuild it with:

    python -m app.pipeline.cue_lexicon ../shared/polnear/train   # about 2 minutes on 2 cores

Nothing here is specific to particular articles or people: only lemma and dependency counts are kept.
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "cue_lexicon.json"
MIN_COUNT = 4          # lemmas seen fewer times in the training corpus are left out
CONTENT_SLOTS_MIN = 0.1  # a dependent kind must hold the content this often to be used


@dataclass(frozen=True, slots=True)
class Cue:
    rate: float                   # share of the lemma's verb occurrences that were attribution cues
    count: int                    # verb occurrences seen
    slots: tuple[str, ...]        # where the content sits, most frequent first ("ccomp", "dobj", "prep:on", "head")


def slot_of(child: Token) -> str:
    """The name of a dependent's position under its cue: its dependency label, prepositions by their word."""
    return f"prep:{child.lower_}" if child.dep_ == "prep" else child.dep_


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, Cue]:
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {lemma: Cue(rate, count, tuple(slots)) for lemma, (rate, count, slots) in raw["cues"].items()}


# ---------- building ----------

def _read_ann(path: Path) -> tuple[dict[str, list[tuple[int, int]]], list[dict[str, str]]]:
    """Text-bound spans and event lines of one brat file; malformed lines (a span text broken over two lines)
    are skipped."""
    spans: dict[str, list[tuple[int, int]]] = {}
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        try:
            if line.startswith("T") and len(parts) >= 2:
                _label, offsets = parts[1].split(" ", 1)
                spans[parts[0]] = [tuple(map(int, piece.split())) for piece in offsets.split(";")]
            elif line.startswith("E") and len(parts) >= 2:
                events.append(dict(arg.split(":", 1) for arg in parts[1].split()[1:]))
        except ValueError:
            continue
    return spans, events


def _cue_head(doc, start: int, end: int) -> Token | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    verbs = [t for t in span if t.pos_ in {"VERB", "AUX"}]
    if not verbs:
        return None
    return next((t for t in verbs if not (span.start <= t.head.i < span.end) or t.head.i == t.i), verbs[-1])


def _content_slot(cue: Token, start: int, end: int) -> str | None:
    """The dependent of `cue` whose subtree best covers the content [start, end), or 'head' when the cue is a
    parenthetical inside its content."""
    best, best_score = None, 0.0
    candidates = [(slot_of(c), c.left_edge.idx, c.right_edge.idx + len(c.right_edge)) for c in cue.children]
    head = cue.head
    if head.i != cue.i:
        candidates.append(("head", head.left_edge.idx, head.right_edge.idx + len(head.right_edge)))
    for slot, lo, hi in candidates:
        inter = max(0, min(hi, end) - max(lo, start))
        union = max(hi, end) - min(lo, start)
        score = inter / union if union else 0.0
        if score > best_score:
            best, best_score = slot, score
    return best if best_score >= 0.5 else None


def build(polnear_split: Path, nlp=None) -> dict:
    from app.pipeline.nlp import lemma, load_nlp

    nlp = nlp or load_nlp()
    seen: Counter = Counter()
    cued: Counter = Counter()
    slots: dict[str, Counter] = defaultdict(Counter)
    texts = sorted((polnear_split / "text").glob("*.txt"))
    pairs = []
    for tf in texts:
        anns = sorted((polnear_split / "attributions").glob(f"{tf.stem}_*.ann"))
        if anns:
            pairs.append((tf.read_text(encoding="utf-8"), anns[0]))
    with nlp.select_pipes(disable=[p for p in ("ner",) if p in nlp.pipe_names]):
        for doc, ann in nlp.pipe(((text, ann) for text, ann in pairs), as_tuples=True, batch_size=16):
            spans, events = _read_ann(ann)
            cue_heads: dict[int, Token] = {}
            for event in events:
                cue_span, content = spans.get(event.get("Cue", "")), spans.get(event.get("Content", ""))
                if not cue_span or not content:
                    continue
                head = _cue_head(doc, cue_span[0][0], cue_span[-1][1])
                if head is None:
                    continue
                cue_heads[head.i] = head
                slot = _content_slot(head, content[0][0], content[-1][1])
                if slot is not None:
                    slots[lemma(head)][slot] += 1
            for tok in doc:
                if tok.pos_ in {"VERB", "AUX"}:
                    verb = lemma(tok)
                    seen[verb] += 1
                    cued[verb] += tok.i in cue_heads
    cues = {}
    for verb, n in seen.items():
        if n < MIN_COUNT or not cued[verb]:
            continue
        total = sum(slots[verb].values())
        kept = [s for s, k in slots[verb].most_common() if total and k / total >= CONTENT_SLOTS_MIN]
        if kept:
            cues[verb] = [round(cued[verb] / n, 3), n, kept]
    return {"source": f"PolNeAR {polnear_split.name}", "documents": len(pairs), "cues": dict(sorted(cues.items()))}


def build_command(module: str, argv: list[str] | None, build_from, default_out: Path, summary, *,
                  sort_keys: bool = False) -> None:
    """`python -m MODULE POLNEAR_SPLIT_DIR [OUT.json]`: build an artefact learned from a PolNeAR split with
    `build_from(split_dir)` and write it as JSON (default `default_out`); `summary(data, out)` is printed."""
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        raise SystemExit(f"usage: python -m {module} POLNEAR_SPLIT_DIR [OUT.json]")
    out = Path(args[1]) if len(args) > 1 else default_out
    data = build_from(Path(args[0]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=0, ensure_ascii=False, sort_keys=sort_keys) + "\n", encoding="utf-8")
    print(summary(data, out))


def main(argv: list[str] | None = None) -> None:
    build_command("app.pipeline.cue_lexicon", argv, build, LEXICON_PATH,
                  lambda lexicon, out: f"{len(lexicon['cues'])} cue lemmas from {lexicon['documents']} documents -> {out}")


if __name__ == "__main__":
    main()
