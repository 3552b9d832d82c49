"""In-process read-path benchmark: CPU per request of the ASGI application itself, no sockets, no server.

    python benchmarks/asgi_bench.py --db /tmp/w300k.db                       # this checkout
    python benchmarks/asgi_bench.py --db /tmp/w300k.db --against /tmp/before  # and an older tree, alternating
    python benchmarks/asgi_bench.py --db /tmp/w300k.db --only mix --profile   # where a mix page's CPU goes
    python benchmarks/asgi_bench.py --db /tmp/w1m.db --only l-quotes l-entities ...  # the list endpoints (http_bench)

Each tree's application runs in its own child process pinned to one core (`taskset`, when there is one): the
requests of benchmarks/http_bench.py (mix, hot, q=, entity, utterance) are sent straight to the ASGI callable, the
whole response read, and the process CPU time (user + system) per request printed. With `--against`, the trees
take turns for `--rounds` rounds, so a change of machine load hits both alike; the medians are printed last.
CPU time is much steadier than wall time on a shared machine, and this leaves out uvicorn's HTTP parsing, which
is the same for every tree (http_bench.py measures everything together).
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _scope(method: str, target: str) -> dict:
    path, _, query = target.partition("?")
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": urllib.parse.unquote(path), "raw_path": path.encode(), "query_string": query.encode(),
            "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"accept", b"*/*")],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}


async def _call(app, method: str, target: str, body: bytes = b"") -> int:
    status = 0
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = _scope(method, target)
    if body:
        scope["headers"] = scope["headers"] + [(b"content-type", b"application/json"),
                                               (b"content-length", str(len(body)).encode())]
    await app(scope, receive, send)
    return status


def child(tree: str, db: str, scenarios: list[str], n: int, profile: bool) -> None:
    """Runs in the child process: import the application of `tree`, time each scenario, print JSON lines."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ["WHOSAID_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["WHOSAID_PAGE_CACHE_MB"] = "0"   # the cost of computing each answer, not of sending a kept one
    from http_bench import workload   # the same requests as the HTTP benchmark (it puts ROOT on sys.path)

    for module in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[module]   # the workload's imports came from ROOT; the application must be `tree`'s
    sys.path[:] = [tree] + [p for p in sys.path if Path(p).resolve() != ROOT]
    from app.main import create_app

    import app
    assert Path(app.__file__).resolve().is_relative_to(Path(tree).resolve()), app.__file__

    _facts, plans = workload(Path(db), None, 11)
    app = create_app(database_url=f"sqlite:///{db}", upgrade=False)

    async def run() -> None:
        for name in scenarios:
            reqs = plans[name][0]
            for r in reqs[:300]:   # warm-up: connections, caches (every speaker of mix), compiled statements
                assert await _call(app, r.method, r.path, (r.body or "").encode()) == 200, r.path
            profiler = cProfile.Profile(time.process_time) if profile else None
            walls = []
            started = time.process_time()
            if profiler:
                profiler.enable()
            for i in range(n):
                r = reqs[i % len(reqs)]
                began = time.perf_counter()
                await _call(app, r.method, r.path, (r.body or "").encode())
                walls.append(time.perf_counter() - began)
            if profiler:
                profiler.disable()
            cpu = time.process_time() - started
            walls.sort()
            print(json.dumps({"scenario": name, "ms": 1000 * cpu / n, "p99": 1000 * walls[int(0.99 * (n - 1))]}),
                  flush=True)
            if profiler:
                profiler.dump_stats(f"/tmp/asgi_bench_{name}.prof")   # for pstats: callers, callees
                stats = pstats.Stats(profiler, stream=sys.stderr)
                stats.sort_stats("cumulative").print_stats(45)
                stats.sort_stats("tottime").print_stats(30)

    asyncio.run(run())


def run_tree(tree: str, args) -> dict[str, dict[str, float]]:
    """scenario -> {"ms": CPU ms per request, "p99": 99th percentile of one request's wall time, ms}"""
    command = [sys.executable, __file__, "--child", tree, "--db", args.db, "-n", str(args.n),
               "--only", *args.only] + (["--profile"] if args.profile else [])
    if shutil.which("taskset"):
        command = ["taskset", "-c", args.core, *command]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=None if args.profile else subprocess.PIPE,
                          text=True, check=False, cwd=tree)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: failed\n{done.stderr}")
    return {d.pop("scenario"): d for d in map(json.loads, done.stdout.splitlines()) if d}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file made by benchmarks/gen_corpus.py")
    parser.add_argument("--against", help="another checkout (e.g. `git archive main | tar -x -C /tmp/before`)")
    parser.add_argument("--only", nargs="*", default=["mix", "hot", "q", "entity", "utter"])
    parser.add_argument("-n", type=int, default=3000, help="requests per scenario (default 3000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--core", default="0")
    parser.add_argument("--profile", action="store_true", help="cProfile each scenario (to stderr); one round")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.db = str(Path(args.db).resolve())
    if args.child:
        child(args.child, args.db, args.only, args.n, args.profile)
        return 0
    trees = {"this": str(ROOT)}
    if args.against:
        trees["against"] = str(Path(args.against).resolve())
    results: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
    for round_ in range(1 if args.profile else args.rounds):
        for name, tree in trees.items():
            got = run_tree(tree, args)
            results[name].append(got)
            print(f"round {round_ + 1} {name:<8} " + "  ".join(f"{s} {d['ms']:.3f} (p99 {d['p99']:.2f})"
                                                               for s, d in got.items()), flush=True)
    for measure, title in (("ms", "ms CPU per request"), ("p99", "p99 ms wall per request (in-process, one at a time)")):
        print(f"\nmedian {title}: " + "  ".join(
            f"{name}: " + ", ".join(f"{s} {statistics.median(r[s][measure] for r in runs):.3f}" for s in args.only)
            for name, runs in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
