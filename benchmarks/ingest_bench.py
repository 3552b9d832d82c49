"""Ingestion throughput through the full pipeline (clean, extract, resolve entities, group utterances, write).

Input: the PolNeAR texts (train + dev, 924 articles, ~690k words) with a manifest built from metadata.tsv
(outlet, title, date), ingested into a fresh SQLite file by `ingest_paths`, exactly as `whosaid ingest` does.
Each configuration runs in its own child process, so its peak memory is its own; all of them run in one
invocation, on the same texts, so they can be compared on this noisy shared machine:

- `one-by-one`: the baseline, one nlp() call per article (batch size 1), as ingest worked before batching;
- `batched`:    one process, texts streamed through nlp.pipe in batches;
- `workers=N`:  N extraction processes (`whosaid ingest --workers N`), this process the only writer;
- `alone x2`:   what this machine gives two processes of this work: extraction only (no database), first all the
                texts in one process, then each half in its own process, both at once. Its speed-up is the ceiling
                for `workers=2`: when the two vCPUs share a physical core, or the host is busy, two processes get
                less than twice the work done, whatever the code.

Printed: articles/s and words/s (wall clock; the single-process runs load the model before the clock starts, the
worker runs include starting their processes, a few seconds each), words per CPU-second (this process and its
workers: on a shared machine the steadier figure), the speed-up over `batched`, peak RSS of the writer and of the
largest worker, and the writer's RSS at each tenth of the run, as anonymous + file-backed MB (flat, not growing
with the corpus, when memory is under control; the file-backed part is mostly the memory-mapped database), and
how much of it SQLite itself allocated at the end (its page cache, capped by WHOSAID_SQLITE_CACHE_KIB).

With `--against DIR` (another checkout, e.g. main's), every configuration also runs with that checkout's code,
right before ours, on the same texts: the baseline measured in the same run, which is the only fair comparison
when other jobs share the machine.

    python benchmarks/ingest_bench.py                         # all PolNeAR texts; 1 and 2 workers
    python benchmarks/ingest_bench.py --limit 200 --workers 2 3
    python benchmarks/ingest_bench.py --limit 150 --no-baseline --against ../main
    python benchmarks/ingest_bench.py --no-baseline --no-ceiling     # without the two-process ceiling (alone x2)
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The code under test: this checkout, or the one a parent run names (--against). Read from the environment so
# that the extraction workers, which are spawned and import this module afresh, import the same code.
CODE_ENV = "WHOSAID_BENCH_CODE"
sys.path.insert(0, os.environ.get(CODE_ENV, str(ROOT)))


def build_corpus(polnear: Path, out: Path, limit: int | None) -> tuple[int, int]:
    """Copy the texts into `out` with a manifest; returns (articles, words)."""
    meta = {}
    with (polnear / "metadata.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            meta[row["filename"]] = row
    files = sorted((polnear / "train" / "text").glob("*.txt")) + sorted((polnear / "dev" / "text").glob("*.txt"))
    files = files[:limit] if limit else files
    entries, words = [], 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        words += len(text.split())
        (out / path.name).write_text(text, encoding="utf-8")
        row = meta.get(path.stem, {})
        date = row.get("publication_date") or None
        entries.append({"file": path.name, "outlet": row.get("publisher") or None,
                        "title": row.get("title") or None, "published": date if date != "None" else None})
    (out / "manifest.json").write_text(json.dumps({"articles": entries}), encoding="utf-8")
    return len(files), words


def memory_mb() -> tuple[int, int, int]:
    """(anonymous RSS, file-backed RSS, SQLite's own allocations) of this process, in MB. The anonymous part is
    the process's own memory (Python objects, SQLite's page cache); the file-backed part is mostly pages of the
    memory-mapped database, which the kernel shares with its page cache and can drop."""
    import _sqlite3
    import ctypes

    lib = ctypes.CDLL(_sqlite3.__file__)   # the libsqlite3 that Python's sqlite3 module uses
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    rss = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                rss[name] = int(value.split()[0]) // 1024
    return rss["RssAnon"], rss["RssFile"], lib.sqlite3_memory_used() // 2**20


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the extraction workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_one(corpus: Path, config: str) -> dict:
    """One configuration, in this (child) process: prints a JSON line."""
    from app.db import session_factory, upgrade_database
    from app.pipeline.extract import Extractor
    from app.pipeline.nlp import load_nlp
    from app.services.ingest import ingest_paths

    workers = int(config.split("=")[1]) if config.startswith("workers=") else 1
    extractor = None
    if workers == 1:
        extractor = Extractor(load_nlp(), batch_size=1 if config == "one-by-one" else 16)
    db = Path(tempfile.mkdtemp(prefix="ingest-bench-")) / "whosaid.db"
    url = f"sqlite:///{db}"
    upgrade_database(url)
    samples: list[tuple[int, int, int]] = []
    total_files = len(list(corpus.glob("*.txt")))

    def progress(done: int, total: int, _label: str) -> None:
        if done * 10 // total > len(samples) - 1:
            samples.append(memory_mb())

    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    report = ingest_paths([corpus], session_factory=session_factory(url), extractor=extractor, workers=workers,
                          progress=progress)
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - cpu0
    # a text that appears twice (PolNeAR has a few) is stored once: the second is "unchanged"
    assert report.articles_ingested + report.articles_unchanged == total_files, report.skipped[:5]
    return {"config": config, "seconds": seconds, "cpu_seconds": cpu, "articles": report.articles_ingested, "quotes": report.quotes,
            "writer_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "memory_by_tenth": samples, "db_mb": db.stat().st_size / 2**20}


def extract_only(corpus: Path, part: int, parts: int) -> dict:
    """Extraction alone (no database) of every `parts`-th text from `part`, in this (child) process: the clock
    starts once the model is loaded, as in `batched`. Prints a JSON line with wall-clock start and end."""
    from app.pipeline.extract import Extractor
    from app.pipeline.nlp import load_nlp

    extractor = Extractor(load_nlp(), batch_size=16)
    files = sorted(corpus.glob("*.txt"))[part::parts]
    raws = [f.read_text(encoding="utf-8") for f in files]
    start = time.time()
    for _ in extractor.extract_each(raws):
        pass
    return {"start": start, "end": time.time()}


def parallel_ceiling(corpus: Path) -> float:
    """Speed-up of two extraction-only processes at once, each on half the texts, over one on all of them."""
    def launch(part: int, parts: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, __file__, "--extract-only", f"{part}/{parts}", "--corpus",
                                 str(corpus)], stdout=subprocess.PIPE, text=True)

    def finish(procs: list[subprocess.Popen]) -> float:
        runs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        return max(r["end"] for r in runs) - min(r["start"] for r in runs)

    one = finish([launch(0, 1)])
    # each loads its model (~1-2 s) before its clock starts: the pair is timed from the first start to the last end
    two = finish([launch(0, 2), launch(1, 2)])
    return one / two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear", type=Path, default=ROOT.parent / "shared" / "polnear")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--workers", type=int, nargs="*", default=[2])
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-by-one baseline")
    parser.add_argument("--against", type=Path, help="another checkout whose code runs each configuration too")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--extract-only", help=argparse.SUPPRESS)
    parser.add_argument("--no-ceiling", action="store_true", help="skip the two-process ceiling (alone x2)")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.corpus, args.one)))
        return
    if args.extract_only:
        part, parts = map(int, args.extract_only.split("/"))
        print(json.dumps(extract_only(args.corpus, part, parts)))
        return

    corpus = Path(tempfile.mkdtemp(prefix="ingest-bench-corpus-"))
    articles, words = build_corpus(args.polnear, corpus, args.limit)
    configs = ([] if args.no_baseline else ["one-by-one"]) + ["batched"] + [f"workers={n}" for n in args.workers]
    print(f"{articles} articles, {words:,} words (PolNeAR train+dev); {os.cpu_count()} cores; "
          f"each configuration in its own process, one after another\n")
    print(f"{'code':6} {'configuration':12} {'articles/s':>10} {'words/s':>8} {'w/CPU-s':>8} {'speed-up':>8} "
          f"{'quotes':>7} {'writer MB':>9} {'worker MB':>9}  writer RSS anon+file MB at each tenth; SQLite's")
    batched_seconds: dict[str, float] = {}
    two_workers: float | None = None   # this code's speed-up with workers=2 over batched
    codes = ([("against", args.against)] if args.against else []) + [("this", ROOT)]
    for config in configs:
        for label, code in codes:
            out = subprocess.run([sys.executable, __file__, "--one", config, "--corpus", str(corpus)],
                                 capture_output=True, text=True, cwd=code,
                                 env={**os.environ, CODE_ENV: str(code.resolve())})
            if out.returncode != 0:
                sys.exit(f"{label} {config} failed:\n{out.stderr[-3000:]}")
            r = json.loads(out.stdout.strip().splitlines()[-1])
            if config == "batched":
                batched_seconds[label] = r["seconds"]
            speedup = f"{batched_seconds[label] / r['seconds']:.2f}x" if label in batched_seconds else "-"
            if label == "this" and config == "workers=2":
                two_workers = batched_seconds[label] / r["seconds"]
            worker = f"{r['worker_peak_mb']:9.0f}" if config.startswith("workers") else f"{'-':>9}"
            tenths = " ".join(f"{anon}+{file}" for anon, file, _ in r["memory_by_tenth"])
            print(f"{label:6} {config:12} {articles / r['seconds']:10.1f} {words / r['seconds']:8.0f} "
                  f"{words / r['cpu_seconds']:8.0f} {speedup:>8} {r['quotes']:7d} {r['writer_peak_mb']:9.0f} "
                  f"{worker}  {tenths}; SQLite {r['memory_by_tenth'][-1][2]} MB", flush=True)
    if not args.no_ceiling:
        ceiling = parallel_ceiling(corpus)
        reached = f"; workers=2 got {two_workers / ceiling:.0%} of it" if two_workers else ""
        print(f"{'-':6} {'alone x2':12} {'':>10} {'':>8} {'':>8} {ceiling:7.2f}x  two extraction-only processes at "
              f"once, each on half the texts, against one on all: the machine's ceiling for workers=2{reached}",
              flush=True)


if __name__ == "__main__":
    main()
