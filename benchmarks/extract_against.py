"""Extraction speed of this tree's code against another tree's (the branch point, say), in alternating processes.

Each round runs a fresh process for each tree, in turn, on the same texts (PolNeAR dev by default): the process
loads the pipeline, warms it on five texts, then times spaCy alone and the full extraction (spaCy + rules) over
all the texts, each once, from a cold start as an ingest sees it. Printed: words per CPU-second (and wall
words/s) per round, then medians. Noise from other jobs falls on both trees alike.

    mkdir -p /tmp/base && git archive 547a089 app | tar -x -C /tmp/base    # the branch point's code
    python benchmarks/extract_against.py --against /tmp/base [--rounds 3] [--texts DIR]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# run inside each process, with the tree's root first on sys.path
MEASURE = r"""
import json, sys, time
from pathlib import Path
from app.pipeline.clean import clean
from app.pipeline.extract import extract_doc
from app.pipeline.nlp import load_nlp
raws = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
words = sum(len(raw.split()) for raw in raws)
cleaned = [clean(raw) for raw in raws]
nlp = load_nlp()
for doc, c in zip(nlp.pipe([c.text for c in cleaned[:5]], batch_size=16), cleaned[:5]):
    extract_doc(doc, c)
out = {}
for rules in (False, True):
    t0, c0 = time.perf_counter(), time.process_time()
    for doc, c in zip(nlp.pipe([c.text for c in cleaned], batch_size=16), cleaned):
        if rules:
            extract_doc(doc, c)
    out["spaCy + rules" if rules else "spaCy only"] = (words / (time.process_time() - c0),
                                                      words / (time.perf_counter() - t0))
print(json.dumps(out))
"""


def run(tree: Path, texts: Path) -> dict[str, list[float]]:
    result = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tree)!r})\n" + MEASURE,
                             str(texts)], capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--against", type=Path, required=True, help="root of the other tree (holding app/)")
    parser.add_argument("--texts", type=Path, default=ROOT.parent / "shared" / "polnear" / "dev" / "text")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"before": args.against.resolve(), "now": ROOT}
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            for part, (cpu, wall) in run(tree, args.texts).items():
                results.setdefault((name, part), []).append((cpu, wall))
                print(f"{name:7} {part:14} {cpu:8.0f} words/CPU-s {wall:8.0f} words/s", flush=True)
    print(f"\nmedians over {args.rounds} rounds:")
    for (name, part), runs in results.items():
        print(f"{name:7} {part:14} {statistics.median(c for c, _ in runs):8.0f} words/CPU-s "
              f"{statistics.median(w for _, w in runs):8.0f} words/s")


if __name__ == "__main__":
    main()
