"""Extraction speed: whosaid's pipeline against the stock en_core_web_sm components it replaces, in one run.

whosaid runs spaCy with its attribute ruler replaced by table lookups (app/pipeline/attribute_table.py), without
the lemmatizer (lemmas computed on demand), with the models' matrix products done by numpy's OpenBLAS instead
of thinc's BLIS (app/pipeline/nlp.py), with the parser's steps scored by numpy (app/pipeline/parser_decode.py)
and with the NER's moves decoded in numpy (app/pipeline/ner_decode.py). All give the same output; this measures
what they save. Three pipelines take turns on the same texts (PolNeAR dev by default), several rounds, so noise
from other jobs on the machine falls on all alike: `stock` (en_core_web_sm as shipped), `blis` (whosaid's
components with thinc's BLIS and spaCy's own parser and NER decoding: whosaid before those changes) and
`whosaid`. Printed per round and as medians: words per second (wall clock and per CPU-second) for spaCy alone
and for the full extraction (spaCy + rules).

    python benchmarks/extract_speed.py [--rounds 3] [--texts DIR]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.pipeline.clean import clean  # noqa: E402
from app.pipeline.extract import extract_doc  # noqa: E402
from app.pipeline.nlp import load_nlp, use_ops  # noqa: E402
from thinc.api import NumpyOps  # noqa: E402


@contextmanager
def blis(nlp):
    """The same loaded pipeline with thinc's default kernels (BLIS) for the matrix products and spaCy's own parser
    and NER decoding: whosaid's pipeline before those changes."""
    use_ops(nlp, NumpyOps())
    for ours in ("parser", "ner"):
        nlp.disable_pipe(ours)
        nlp.enable_pipe(f"spacy_{ours}")
    try:
        yield
    finally:
        for ours in ("parser", "ner"):
            nlp.disable_pipe(f"spacy_{ours}")
            nlp.enable_pipe(ours)
        use_ops(nlp, NumpyOps(use_blis=False))


@contextmanager
def stock(nlp):
    """The same loaded pipeline with the stock components and kernels back in place of whosaid's."""
    nlp.disable_pipe("attribute_table")
    nlp.enable_pipe("attribute_ruler")
    nlp.enable_pipe("lemmatizer")
    try:
        with blis(nlp):
            yield
    finally:
        nlp.disable_pipe("lemmatizer")
        nlp.disable_pipe("attribute_ruler")
        nlp.enable_pipe("attribute_table")


@contextmanager
def whosaid(nlp):
    yield


CONFIGS = {"stock": stock, "blis": blis, "whosaid": whosaid}


def timed(nlp, cleaned: list, rules: bool) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    for doc, c in zip(nlp.pipe([c.text for c in cleaned], batch_size=16), cleaned):
        if rules:
            extract_doc(doc, c)
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=Path, default=ROOT.parent / "shared" / "polnear" / "dev" / "text")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    raws = [p.read_text(encoding="utf-8") for p in sorted(args.texts.glob("*.txt"))]
    cleaned = [clean(raw) for raw in raws]
    words = sum(len(raw.split()) for raw in raws)
    nlp = load_nlp()
    timed(nlp, cleaned[:5], True)  # warm-up
    results: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for rules in (False, True):
            for name, config in CONFIGS.items():
                label = f"{name:8} {'spaCy + rules' if rules else 'spaCy only':14}"
                with config(nlp):
                    wall, cpu = timed(nlp, cleaned, rules)
                results.setdefault(label, []).append((wall, cpu))
                print(f"{label} {words / wall:8.0f} words/s {words / cpu:8.0f} words/CPU-s", flush=True)
    print(f"\nmedians over {args.rounds} rounds, {len(raws)} texts, {words:,} words:")
    for label, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{label} {words / wall:8.0f} words/s {words / cpu:8.0f} words/CPU-s")


if __name__ == "__main__":
    main()
