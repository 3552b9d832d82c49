"""Load test: a real server (uvicorn, one process) on 127.0.0.1, many concurrent clients, a mix of read queries.

    python benchmarks/load_test.py                         # 60 s, 16 clients, on seeds/ ingested into a temp db
    python benchmarks/load_test.py --duration 10 --clients 4 --db data/whosaid.db

First a baseline with one client (same mix, --baseline seconds), then the load. For each it prints requests,
errors (unexpected status codes, timeouts, connection failures), requests/s and p50/p90/p99/max latency, and the
slowest kinds of request under load. Exits 1 if any request failed.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")

    def all(self) -> list[float]:
        return [s for values in self.latencies.values() for s in values]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_db(path: str | None) -> str:
    if path:
        return f"sqlite:///{Path(path).resolve()}"
    db = Path(tempfile.mkdtemp(prefix="whosaid-load-")) / "whosaid.db"
    url = f"sqlite:///{db}"
    print(f"ingesting seeds/ into {db} ...", flush=True)
    subprocess.run([sys.executable, "-m", "app.cli", "ingest", "seeds"], cwd=ROOT, check=True,
                   env={**os.environ, "WHOSAID_DATABASE_URL": url}, stdout=subprocess.DEVNULL)
    return url


def start_server(url: str, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env={**os.environ, "WHOSAID_DATABASE_URL": url})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start")


def request_mix(client: httpx.Client) -> list[tuple[str, str, dict, int]]:
    """(kind, path, params, expected status), drawn from what the database holds."""
    quotes = client.get("/quotes", params={"limit": 200}).json()["items"]
    entities = client.get("/entities", params={"limit": 200}).json()["items"]
    articles = client.get("/articles", params={"limit": 200}).json()["items"]
    outlets = client.get("/outlets").json()["items"]
    speakers = [e for e in entities if e["quote_count"] > 0] or entities
    words = [w for q in quotes for w in q["text"].split() if w.isalpha() and len(w) > 4] or ["said"]
    cursor = client.get("/quotes", params={"limit": 5}).json()["next_cursor"]
    mix = [
        ("list quotes", "/quotes", {}, 200),
        ("quotes by speaker name", "/quotes", {"speaker": speakers[0]["name"].split()[-1]}, 200),
        ("quotes by outlet", "/quotes", {"outlet": (outlets[0]["domain"] or outlets[0]["name"]) if outlets else "x"},
         200),
        ("full-text search", "/quotes", {"q": random.choice(words)}, 200),
        ("full-text search 2 words", "/quotes", {"q": " ".join(random.sample(words, 2)) if len(words) > 1 else "a"},
         200),
        ("filtered by kind and date", "/quotes", {"kind": "speech", "published_from": "2022-01-01"}, 200),
        ("next page", "/quotes", {"limit": 5, "cursor": cursor} if cursor else {"limit": 5}, 200),
        ("one quote", f"/quotes/{random.choice(quotes)['id']}" if quotes else "/quotes/1", {}, 200),
        ("entity search", "/entities", {"q": speakers[0]["name"][:3]}, 200),
        ("one entity", f"/entities/{random.choice(speakers)['id']}", {}, 200),
        ("entity quotes", f"/entities/{random.choice(speakers)['id']}/quotes", {}, 200),
        ("list articles", "/articles", {}, 200),
        ("one article with text", f"/articles/{random.choice(articles)['id']}" if articles else "/articles/1", {}, 200),
        ("outlets", "/outlets", {}, 200),
        ("health", "/health", {}, 200),
        ("unknown id (404)", "/quotes/999999999", {}, 404),
        ("invalid limit (422)", "/quotes", {"limit": 999}, 422),
    ]
    return mix


def client_loop(base: str, mix, until: float, results: Results, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=10) as client:
        while time.monotonic() < until:
            kind, path, params, expected = rng.choice(mix)
            start = time.perf_counter()
            error = None
            try:
                response = client.get(path, params=params)
                if response.status_code != expected:
                    error = f"status {response.status_code} (expected {expected})"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            results.add(kind, time.perf_counter() - start, error)


def run(base: str, mix, clients: int, seconds: float) -> tuple[Results, float]:
    results = Results()
    started = time.monotonic()
    until = started + seconds
    threads = [threading.Thread(target=client_loop, args=(base, mix, until, results, i)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def report(label: str, results: Results, elapsed: float) -> None:
    values = results.all()
    print(f"{label:<22} requests {len(values):>7}  errors {len(results.errors):>4}  {len(values) / elapsed:>7.1f} req/s"
          f"  p50 {pct(values, 50):6.1f} ms  p90 {pct(values, 90):6.1f} ms  p99 {pct(values, 99):6.1f} ms"
          f"  max {max(values) * 1000:6.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--baseline", type=float, default=10, help="seconds of the one-client baseline (default 10)")
    parser.add_argument("--db", help="an existing SQLite database file (default: seeds/ ingested into a temp file)")
    args = parser.parse_args()

    url = prepare_db(args.db)
    port = free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base) as client:
            random.seed(8)
            mix = request_mix(client)
        print(f"server pid {server.pid} on {base}; {len(mix)} kinds of request; {os.cpu_count()} cores\n")
        baseline, baseline_s = run(base, mix, 1, args.baseline)
        report("baseline (1 client)", baseline, baseline_s)
        load, load_s = run(base, mix, args.clients, args.duration)
        report(f"load ({args.clients} clients)", load, load_s)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print("\nslowest kinds under load (p99):")
    by_p99 = sorted(load.latencies.items(), key=lambda kv: pct(kv[1], 99), reverse=True)
    for kind, values in by_p99[:5]:
        print(f"  {kind:<28} p50 {statistics.median(values) * 1000:6.1f} ms  p99 {pct(values, 99):6.1f} ms"
              f"  ({len(values)} requests)")
    errors = baseline.errors + load.errors
    for line in errors[:20]:
        print("  error:", line)
    print(f"\n{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
