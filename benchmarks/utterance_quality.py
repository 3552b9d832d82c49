"""Utterance grouping quality on the seed answer key: pairwise precision and recall.

The quotes scored are those the pipeline actually extracted and stored (not the gold spans): each stored
quotation-mark quote (not `indirect`) is mapped to the gold quote its raw span overlaps most (one stored quote
per gold quote). A pair of mapped quotes is a gold pair when the gold puts both in one utterance, and a
predicted pair when both have the same `utterance_id`. Three scopes:

- `all`: every mapped quote; speaker-less or indirectly attributed quotes never group, so attribution misses
  count against recall here;
- `grouped`: the quotes grouping is meant for (speech/fragment with a speaker);
- `same_speaker`: pairs of those whose two quotes the pipeline gave the same speaker: this isolates grouping
  within one speaker from the joins across related speakers (the gold joins e.g. Xi's words with the Chinese
  government's readout of them, attributed to "China" or "Beijing").

    python benchmarks/utterance_quality.py [--errors]      # ingests seeds/ into a temporary database
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "seeds_gold.json"


def gold_quotes(gold: dict) -> dict[str, list[dict]]:
    return {doc: d["quotes"] for doc, d in gold["docs"].items()}


def map_to_gold(session: Session, gold: dict, seeds: Path) -> dict[int, dict]:
    """Stored quote id -> the gold quote (with an utterance) its raw span overlaps most, one to one."""
    from app.models import Article, Quote
    from app.pipeline.clean import clean

    by_doc = gold_quotes(gold)
    mapped: dict[int, dict] = {}
    for article in session.exec(select(Article)).all():
        doc = Path(article.source_file or "").stem
        if doc not in by_doc:
            continue
        cleaned = clean((seeds / f"{doc}.txt").read_text(encoding="utf-8"))
        best: dict[str, tuple[int, int]] = {}   # gold id -> (overlap, quote id)
        for q in session.exec(select(Quote).where(Quote.article_id == article.id, Quote.kind != "indirect")):
            start, end = cleaned.span_to_raw(q.start, q.end)
            for g in by_doc[doc]:
                overlap = min(end, g["end"]) - max(start, g["start"])
                if overlap > 0 and g.get("utterance") and overlap > best.get(g["id"], (0, 0))[0]:
                    best[g["id"]] = (overlap, q.id)
        gold_by_id = {g["id"]: g for g in by_doc[doc]}
        for gid, (_, qid) in best.items():
            if qid not in mapped:
                mapped[qid] = gold_by_id[gid]
    return mapped


def pairwise(mapped: dict[int, dict], predicted: dict[int, int | None], pairs) -> dict:
    tp = fp = fn = 0
    errors = []
    for a, b in pairs:
        same_gold = mapped[a]["utterance"] == mapped[b]["utterance"]
        same_pred = predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
        if same_gold and same_pred:
            tp += 1
        elif same_pred or same_gold:
            fp += same_pred
            fn += same_gold
            errors.append(("FP" if same_pred else "FN", mapped[a]["text"], mapped[b]["text"]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"quotes": len({q for p in pairs for q in p}), "gold_pairs": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": round(precision, 3), "recall": round(recall, 3), "errors": errors}


def evaluate(session: Session, gold: dict, seeds: Path) -> dict[str, dict]:
    from app.models import Quote

    mapped = map_to_gold(session, gold, seeds)
    rows = {q.id: q for q in session.exec(select(Quote).where(Quote.id.in_(list(mapped)))).all()}
    predicted = {qid: rows[qid].utterance_id for qid in mapped}
    grouped = sorted(q for q in mapped if rows[q].kind in ("speech", "fragment") and rows[q].speaker_id)
    return {
        "all": pairwise(mapped, predicted, list(itertools.combinations(sorted(mapped), 2))),
        "grouped": pairwise(mapped, predicted, list(itertools.combinations(grouped, 2))),
        "same_speaker": pairwise(mapped, predicted, [
            (a, b) for a, b in itertools.combinations(grouped, 2) if rows[a].speaker_id == rows[b].speaker_id]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="print the pairs scored wrong")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from app.db import session_factory, upgrade_database
    from app.pipeline.extract import get_extractor
    from app.services.ingest import ingest_paths

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/whosaid.db"
        upgrade_database(url)
        factory = session_factory(url)
        ingest_paths([ROOT / "seeds"], session_factory=factory, extractor=get_extractor())
        with factory() as session:
            results = evaluate(session, json.loads(GOLD.read_text(encoding="utf-8")), ROOT / "seeds")
    print(f"{'scope':<14}{'quotes':>7}{'gold pairs':>11}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>7}{'R':>7}")
    for scope, m in results.items():
        print(f"{scope:<14}{m['quotes']:>7}{m['gold_pairs']:>11}{m['tp']:>5}{m['fp']:>5}{m['fn']:>5}"
              f"{m['precision']:>7.3f}{m['recall']:>7.3f}")
    if args.errors:
        for scope in ("same_speaker", "grouped"):
            print(f"\n{scope} errors:")
            for kind, a, b in results[scope]["errors"]:
                print(f"  {kind}  {a[:50]!r}  |  {b[:50]!r}")


if __name__ == "__main__":
    main()
