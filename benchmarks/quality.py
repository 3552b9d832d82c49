"""Quote extraction quality: runs the extractor and the project's scorer on the seed key and PolNeAR folders.

    python benchmarks/quality.py                       # seeds (tests/data/seeds_gold.json) and ../shared/polnear dev
    python benchmarks/quality.py --polnear DIR --split dev --errors 20

Prints P/R/F1, speaker accuracy and attributed F1 for direct and indirect quotes, and words/s of extraction.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import score_quotes  # noqa: E402  (a verbatim copy of shared/eval/score_quotes.py)

from app.pipeline.extract import Extractor  # noqa: E402
from app.pipeline.jsonl import extraction_records  # noqa: E402


def run_system(texts: dict[str, str], extractor: Extractor) -> tuple[dict, float, float]:
    """System output, wall seconds and CPU seconds (the steadier figure on a shared machine)."""
    t0, c0 = time.perf_counter(), time.process_time()
    system = {r["doc"]: r["quotes"] for r in extraction_records(texts.items(), extractor)}
    return system, time.perf_counter() - t0, time.process_time() - c0


def evaluate(texts: dict[str, str], golds: dict, extractor: Extractor, errors: int = 0) -> dict:
    system, seconds, cpu_seconds = run_system(texts, extractor)
    words = sum(len(t.split()) for t in texts.values())
    out = {c: score_quotes.metrics(score_quotes.score(texts, golds, system, c)) for c in ("direct", "indirect")}
    out["words_per_s"] = words / seconds if seconds else 0.0
    out["words_per_cpu_s"] = words / cpu_seconds if cpu_seconds else 0.0
    out["docs"] = len(texts)
    if errors:
        errs: list = []
        score_quotes.score(texts, golds, system, "direct", 0.5, errs)
        for kind, stem, text, pred, gold in errs[:errors]:
            print(f"  {kind:15} {stem[:36]:36} {text!r:.70} pred={pred!r} gold={gold!r}", file=sys.stderr)
    return out


def seeds_corpus(gold: Path = ROOT / "tests/data/seeds_gold.json", seeds: Path = ROOT / "seeds"):
    return score_quotes.load_seeds(gold, seeds)


def polnear_corpus(root: Path, split: str):
    return score_quotes.load_polnear(root, split)


def print_row(name: str, m: dict) -> None:
    d, i = m["direct"], m["indirect"]
    print(f"{name:14} {d['quote_p']:6.3f} {d['quote_r']:6.3f} {d['quote_f1']:6.3f} {d['speaker_acc']:7.3f} "
          f"{d['attributed_f1']:7.3f} | {i['quote_f1']:6.3f} {i['speaker_acc']:7.3f} | {m['words_per_s']:8.0f} "
          f"{m['words_per_cpu_s']:9.0f} {m['docs']:5d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polnear", type=Path, default=ROOT.parent / "shared" / "polnear")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--errors", type=int, default=0)
    a = ap.parse_args()
    extractor = Extractor()
    extractor.extract("Warm-up.")  # load and initialise spaCy before timing
    print(f"{'corpus':14} {'P':>6} {'R':>6} {'F1':>6} {'spk':>7} {'attrF1':>7} | {'indF1':>6} {'indSpk':>7} | "
          f"{'words/s':>8} {'words/cpu':>9} {'docs':>5}")
    print_row("seeds", evaluate(*seeds_corpus(), extractor, a.errors))
    if (a.polnear / a.split / "text").is_dir():
        print_row(f"polnear-{a.split}", evaluate(*polnear_corpus(a.polnear, a.split), extractor, a.errors))
    else:
        print(f"(no PolNeAR folder at {a.polnear}; pass --polnear DIR)")


if __name__ == "__main__":
    main()
