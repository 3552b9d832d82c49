"""Reported-speech quality with a content model trained without the documents it is measured on.

    python benchmarks/content_model_heldout.py                  # ../shared/polnear; ~3 CPU-minutes
    python benchmarks/content_model_heldout.py --threshold 0.35 --threshold 0.4

The shipped content model (app/pipeline/content_model.py) is trained on all of PolNeAR train, so its figures on
train documents flatter it. This trains one on PolNeAR train less a held-out slice (every 8th of the first 800
texts, 100 documents, as in the README's "Measured quality"), then scores the slice and PolNeAR dev with it, at
the model's threshold or at each --threshold given, so a change to candidates, features or training can be
judged on documents nothing was fitted to, not on dev alone. Train documents are parsed once; dev is scored as
benchmarks/quality.py scores it (same extraction, same scorer).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import score_quotes  # noqa: E402  (a verbatim copy of shared/eval/score_quotes.py)

from app.pipeline import content_model, reported  # noqa: E402
from app.pipeline.clean import clean  # noqa: E402
from app.pipeline.extract import extract_doc  # noqa: E402
from app.pipeline.jsonl import to_record  # noqa: E402
from app.pipeline.nlp import load_nlp  # noqa: E402


def annotated_texts(split_dir: Path) -> list[tuple[str, str, Path]]:
    """(stem, raw text, first annotation file) of each annotated text, in file-name order."""
    out = []
    for tf in sorted((split_dir / "text").glob("*.txt")):
        anns = sorted((split_dir / "attributions").glob(f"{tf.stem}_*.ann"))
        if anns:
            out.append((tf.stem, tf.read_text(encoding="utf-8"), anns[0]))
    return out


def gold_of(split_dir: Path, stems: list[str]) -> tuple[dict, dict]:
    """The scorer's texts and gold items of these documents only (a folder of links to them: the scorer reads
    whole folders, and one train annotation elsewhere in the split has a line it cannot read)."""
    root = Path(tempfile.mkdtemp())
    for sub in ("text", "attributions"):
        (root / "split" / sub).mkdir(parents=True)
        for stem in stems:
            for f in (split_dir / sub).glob(f"{stem}.txt" if sub == "text" else f"{stem}_*.ann"):
                (root / "split" / sub / f.name).symlink_to(f)
    return score_quotes.load_polnear(root, "split")


def score(docs: list, texts: dict, golds: dict) -> dict:
    """Direct and indirect metrics of the extraction of parsed (stem, doc, cleaned, raw) documents."""
    system = {stem: to_record(stem, raw, extract_doc(doc, cleaned), cleaned)["quotes"]
              for stem, doc, cleaned, raw in docs}
    return {c: score_quotes.metrics(score_quotes.score(texts, golds, system, c)) for c in ("direct", "indirect")}


def parse(nlp, items: list[tuple[str, str, Path]]) -> list[tuple[str, object, object, str, Path]]:
    cleaned = [clean(raw) for _, raw, _ in items]
    docs = nlp.pipe((c.text for c in cleaned), batch_size=16)
    return [(stem, doc, c, raw, ann) for (stem, raw, ann), c, doc in zip(items, cleaned, docs)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polnear", type=Path, default=ROOT.parent / "shared" / "polnear")
    ap.add_argument("--threshold", type=float, action="append", help="score at this threshold (repeatable)")
    a = ap.parse_args()
    nlp = load_nlp()
    train = parse(nlp, annotated_texts(a.polnear / "train"))
    held_out = {i for i in range(0, min(800, len(train)), 8)}
    rows = [row for i, (_, doc, cleaned, raw, ann) in enumerate(train) if i not in held_out
            for row in content_model.training_rows(doc, cleaned, raw, ann)]
    weights = content_model.train(rows)
    print(f"trained on {len(train) - len(held_out)} train documents ({len(rows)} candidates); "
          f"held out {len(held_out)}")
    slice_docs = [(stem, doc, cleaned, raw) for i, (stem, doc, cleaned, raw, _) in enumerate(train) if i in held_out]
    dev_docs = [(stem, doc, cleaned, raw) for stem, doc, cleaned, raw, _ in parse(nlp, annotated_texts(a.polnear / "dev"))]
    corpora = [("train slice", slice_docs, gold_of(a.polnear / "train", [d[0] for d in slice_docs])),
               ("dev", dev_docs, gold_of(a.polnear / "dev", [d[0] for d in dev_docs]))]
    print(f"{'corpus':12} {'threshold':>9} | {'dirF1':>6} {'spk':>6} {'attrF1':>6} | {'indP':>6} {'indR':>6} "
          f"{'indF1':>6} {'indSpk':>6}")
    for threshold in a.threshold or [content_model.THRESHOLD]:
        model = content_model.ContentModel(weights, threshold)
        reported.load_model = lambda model=model: model  # what reported_speech asks for
        for name, docs, (texts, golds) in corpora:
            m = score(docs, texts, golds)
            d, i = m["direct"], m["indirect"]
            print(f"{name:12} {threshold:9.3f} | {d['quote_f1']:6.3f} {d['speaker_acc']:6.3f} "
                  f"{d['attributed_f1']:6.3f} | {i['quote_p']:6.3f} {i['quote_r']:6.3f} {i['quote_f1']:6.3f} "
                  f"{i['speaker_acc']:6.3f}")


if __name__ == "__main__":
    main()
