"""Where one process's ingest CPU goes: each spaCy component, our pipeline code, and the store side.

On the first N PolNeAR texts (train, then dev, as ingest_bench.py takes them): the texts are cleaned, tokenised
and run through the pipeline one component at a time (each over all the texts, in batches as nlp.pipe does), our
rules run on the finished docs, and then the extractions are stored into a fresh SQLite file by `ingest_paths`
exactly as `whosaid ingest` stores them (resolution pass included). Printed: CPU-seconds and share of each part.

    python benchmarks/ingest_split.py --limit 150
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.ingest_bench import build_corpus  # noqa: E402


class Stored:
    """An extractor that hands back extractions already made, so only the store side is timed."""

    def __init__(self, extractions: list) -> None:
        self.extractions = extractions

    def extract_each(self, raws):
        return iter(self.extractions)   # in input order, as ingest_paths reads the corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear", type=Path, default=ROOT.parent / "shared" / "polnear")
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    from app.db import session_factory, upgrade_database
    from app.pipeline.clean import clean
    from app.pipeline.extract import extract_doc
    from app.pipeline.nlp import load_nlp
    from app.pipeline.types import Extraction
    from app.services.ingest import ingest_paths
    from app.services.sources import discover, read_documents

    corpus = Path(tempfile.mkdtemp(prefix="ingest-split-"))
    articles, words = build_corpus(args.polnear, corpus, args.limit)
    sources, _ = discover([corpus])
    raws = [doc.raw for source in sources for doc in read_documents(source, max_bytes=10**9)]
    nlp = load_nlp()
    nlp("Warm up. He said so.")
    cpu: dict[str, float] = {}

    def timed(name: str, fn):
        start = time.process_time()
        result = fn()
        cpu[name] = time.process_time() - start
        return result

    cleaned = timed("clean (ours)", lambda: [clean(raw) for raw in raws])
    docs = timed("tokenizer", lambda: [nlp.make_doc(c.text) for c in cleaned])
    for name, component in nlp.pipeline:
        label = name + (" (ours)" if name in ("paragraph_boundaries", "attribute_table") else "")
        docs = timed(label, lambda: list(component.pipe(docs, batch_size=args.batch_size))
                     if hasattr(component, "pipe") else [component(doc) for doc in docs])
    extractions: list[Extraction] = timed("rules (ours)", lambda: [extract_doc(d, c) for d, c in zip(docs, cleaned)])
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='ingest-split-db-')) / 'whosaid.db'}"
    upgrade_database(url)
    report = timed("store (ours)", lambda: ingest_paths([corpus], session_factory=session_factory(url),
                                                        extractor=Stored(extractions)))
    assert report.articles_ingested == articles, report.skipped[:5]

    total = sum(cpu.values())
    print(f"{articles} articles, {words:,} words: {total:.1f} CPU-s, {words / total:,.0f} words per CPU-second")
    for name, seconds in cpu.items():
        print(f"  {name:28} {seconds:6.2f} CPU-s {100 * seconds / total:5.1f}%")
    ours = sum(s for n, s in cpu.items() if n.endswith("(ours)"))
    print(f"  {'spaCy model':28} {total - ours:6.2f} CPU-s {100 * (total - ours) / total:5.1f}%  "
          f"({words / (total - ours):,.0f} words per CPU-second alone)")
    print(f"  {'ours':28} {ours:6.2f} CPU-s {100 * ours / total:5.1f}%")


if __name__ == "__main__":
    main()
