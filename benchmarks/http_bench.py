"""HTTP read-path benchmark: whosaid and Datasette on the same SQLite file, side by side, in one run.

    python benchmarks/gen_corpus.py --quotes 300000 --db /tmp/w300k.db
    python benchmarks/http_bench.py --db /tmp/w300k.db                 # 15 s per scenario and server

Each server runs alone, pinned to core 0 (`taskset -c 0`): whosaid (uvicorn, one worker) as shipped, whosaid
with its page cache off (`uncached`, WHOSAID_PAGE_CACHE_MB=0: every answer computed, as on the first request for
a page after a write), Datasette (`--setting suggest_facets off`), and a bare Starlette app returning a constant 2 KB JSON body (the framework's
ceiling on this machine). The load generator is pinned to core 1: Debian's `wrk` (C, one thread, 8
connections, a Lua script drawing each request at random from the scenario's list) when it is installed
(`apt-get install wrk`), else a Python asyncio client, which is slower and then says so; the constant-JSON
row shows what the generator can drive. The database file is read once before the servers start (so that
neither pays for cold disk reads), and every scenario is warmed up for 2 s first (not counted).

Scenarios (the same requests for both servers, Datasette's equivalents in brackets; pages of 20 rows):
  mix     GET /quotes?speaker=<full name>, 256 speakers drawn uniformly   [quote.json?speaker_id=&_sort_desc=published]
  hot     the same for the most quoted speaker, first page                [the same]
  q       GET /quotes?q=<common word>: newest first                       [SQL: id IN (FTS match) ORDER BY published]
  entity  GET /entities/{id} for the same 256 speakers                    [entity/{id}.json]
  utter   GET /utterances/{id}, 256 statements quoted at least twice      [utterance/{id}.json]
  verify  POST /verify with 256 stored speech quotes                      [no equivalent]
  l-...   (only with `--only lists`) the first page of each list endpoint: /quotes unfiltered, by outlet, by kind,
          oldest first, /entities/{id}/quotes, /entities, /speakers, /articles, /outlets, /utterances
Rows show requests/s, p50 and p99 latency in ms, requests per second of server CPU (user + system time of the
server process, from /proc/<pid>/stat, over the run: robust to other jobs on the machine, which slow req/s
but not the CPU each request costs), and non-2xx answers (anything but 0 is a failed run).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVER_CORE, CLIENT_CORE = "0", "1"
PAGE = 20
MIX_SIZE = 256
FTS_MASK = (1 << 32) - 1


@dataclass(slots=True)
class Req:
    method: str
    path: str
    body: str | None = None


@dataclass(slots=True)
class Result:
    rps: float
    p50: float
    p99: float
    requests: int
    bad: int          # non-2xx answers and socket errors
    cpu_s: float = 0.0   # CPU time (user + system) the server process spent during the run

    @property
    def per_cpu_s(self) -> float:
        """Requests per second of server CPU: unlike req/s, barely moved by other jobs on the machine."""
        return self.requests / self.cpu_s if self.cpu_s > 0 else 0.0


# ---------- what to ask, from the database itself ----------

def workload(db: Path, word: str | None, seed: int) -> tuple[dict, dict]:
    """(facts about the corpus, scenario -> (whosaid requests, Datasette requests))."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    speakers = conn.execute(
        "SELECT e.id, e.name, count(*) FROM quote q JOIN entity e ON e.id = q.speaker_id "
        "GROUP BY e.id ORDER BY count(*) DESC, e.id").fetchall()
    hot_id, hot_name, hot_n = speakers[0]
    # full names that name exactly one entity (any alias), so ?speaker= selects one speaker as speaker_id= does
    unique = [s for s in speakers if conn.execute(
        "SELECT count(DISTINCT entity_id) FROM alias WHERE norm = lower(?)", (s[1],)).fetchone()[0] <= 1]
    mix = [rng.choice(unique) for _ in range(MIX_SIZE)]
    if word is None:
        word = common_word(conn)
    word_df = conn.execute("SELECT count(*) FROM quote_fts WHERE quote_fts MATCH ?", (f'"{word}"',)).fetchone()[0]
    utterances = [r[0] for r in conn.execute(
        "SELECT id FROM utterance WHERE n_quotes >= 2 ORDER BY id").fetchall()]
    utterances = [rng.choice(utterances) for _ in range(MIX_SIZE)]
    max_id = conn.execute("SELECT max(id) FROM quote").fetchone()[0]
    texts = []
    while len(texts) < MIX_SIZE:
        row = conn.execute("SELECT text FROM quote WHERE id >= ? AND kind = 'speech' ORDER BY id LIMIT 1",
                           (rng.randint(1, max_id),)).fetchone()
        if row:
            texts.append(row[0])
    n_quotes = conn.execute("SELECT count(*) FROM quote").fetchone()[0]
    outlet = conn.execute("SELECT o.domain FROM quote q JOIN outlet o ON o.id = q.outlet_id GROUP BY o.id "
                          "ORDER BY count(*) DESC, o.id LIMIT 1").fetchone()[0]
    conn.close()

    table = f"/{db.stem}/quote.json?_size={PAGE}&_sort_desc=published"
    fts_sql = ("select quote.* from quote where quote.id in (select rowid & %d from quote_fts "
               "where quote_fts match :q) order by published desc limit %d" % (FTS_MASK, PAGE))
    q = urllib.parse.quote
    scenarios = {
        "mix": ([Req("GET", f"/quotes?speaker={q(name)}") for _, name, _ in mix],
                [Req("GET", f"{table}&speaker_id={i}") for i, _, _ in mix]),
        "hot": ([Req("GET", f"/quotes?speaker={q(hot_name)}")], [Req("GET", f"{table}&speaker_id={hot_id}")]),
        "q": ([Req("GET", f"/quotes?q={q(word)}")],
              [Req("GET", f"/{db.stem}.json?sql={q(fts_sql)}&q={q(word)}")]),
        "entity": ([Req("GET", f"/entities/{i}") for i, _, _ in mix],
                   [Req("GET", f"/{db.stem}/entity/{i}.json") for i, _, _ in mix]),
        "utter": ([Req("GET", f"/utterances/{u}") for u in utterances],
                  [Req("GET", f"/{db.stem}/utterance/{u}.json") for u in utterances]),
        "verify": ([Req("POST", "/verify", json.dumps({"text": t})) for t in texts], []),
    }
    # the first page of every list endpoint (whosaid only; `--only lists`): how each scales with the corpus
    scenarios.update({
        "l-quotes": ([Req("GET", "/quotes")], []),
        "l-outlet": ([Req("GET", f"/quotes?outlet={q(outlet)}")], []),
        "l-kind": ([Req("GET", "/quotes?kind=indirect")], []),
        "l-sorted": ([Req("GET", f"/quotes?speaker={q(name)}&sort=published") for _, name, _ in mix], []),
        "l-entity-quotes": ([Req("GET", f"/entities/{i}/quotes") for i, _, _ in mix], []),
        "l-entities": ([Req("GET", "/entities")], []),
        "l-speakers": ([Req("GET", "/speakers")], []),
        "l-articles": ([Req("GET", "/articles")], []),
        "l-outlets": ([Req("GET", "/outlets")], []),
        "l-utterances": ([Req("GET", "/utterances")], []),
    })
    facts = {"quotes": n_quotes, "speakers": len(speakers), "hot": f"{hot_name} (id {hot_id}, {hot_n} quotes)",
             "word": f"{word!r} (in {word_df} quotes, {100 * word_df / max(1, n_quotes):.1f}%)"}
    return facts, scenarios


def list_scenarios(scenarios: dict) -> list[str]:
    return [n for n in scenarios if n.startswith("l-")]


def common_word(conn: sqlite3.Connection) -> str:
    """The commonest content word (not a function word) of at least 6 letters in the quotes, by document
    frequency in the FTS index."""
    from app.pipeline.utterances import STOPWORDS

    conn.execute("CREATE VIRTUAL TABLE temp.bench_vocab USING fts5vocab(main, quote_fts, 'row')")
    for (term,) in conn.execute("SELECT term FROM temp.bench_vocab WHERE length(term) >= 6 ORDER BY doc DESC"):
        if term not in STOPWORDS:
            return term
    raise SystemExit("no word of 6 letters or more in the quotes")


# ---------- servers ----------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name: str, args: list[str], port: int, env: dict, probe: str) -> subprocess.Popen:
    process = subprocess.Popen(["taskset", "-c", SERVER_CORE, *args], cwd=ROOT, env={**os.environ, **env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{name} did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime, stime (fields 14, 15)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def servers(db: Path) -> dict[str, tuple[list[str], dict, str]]:
    url = f"sqlite:///{db}"
    uvicorn = [str(BIN / "python"), "-m", "uvicorn", "--host", "127.0.0.1", "--workers", "1", "--no-access-log",
               "--log-level", "warning"]
    return {
        "whosaid": (uvicorn + ["app.main:app"], {"WHOSAID_DATABASE_URL": url}, "/health"),
        # the same, computing every answer: no kept pages (app/page_cache.py)
        "uncached": (uvicorn + ["app.main:app"], {"WHOSAID_DATABASE_URL": url, "WHOSAID_PAGE_CACHE_MB": "0"},
                     "/health"),
        "datasette": ([str(BIN / "datasette"), "serve", str(db), "--host", "127.0.0.1", "--setting",
                       "suggest_facets", "off"], {}, f"/{db.stem}.json"),
        "ceiling": (uvicorn + ["--app-dir", str(ROOT / "benchmarks"), "constant_json_app:app"], {}, "/"),
    }


# ---------- load ----------

LUA = """
local requests = %s
local count = #requests
function init(args) math.randomseed(%d) end
function request()
  local r = requests[math.random(count)]
  if r[2] then
    return wrk.format(r[1], r[3], {["Content-Type"] = "application/json"}, r[2])
  end
  return wrk.format(r[1], r[3])
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
            + summary.errors.timeout
  io.write(string.format("WRKJSON {\\"requests\\": %%d, \\"us\\": %%d, \\"p50\\": %%d, \\"p99\\": %%d, \\"bad\\": %%d}\\n",
           summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad))
end
"""


def lua_script(reqs: list[Req], seed: int) -> str:
    def lua_str(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    items = ", ".join("{%s, %s, %s}" % (lua_str(r.method), lua_str(r.body) if r.body else "nil", lua_str(r.path))
                      for r in reqs)
    return LUA % ("{" + items + "}", seed)


def run_wrk(port: int, reqs: list[Req], seconds: float, connections: int, seed: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua_script(reqs, seed))
        script = f.name
    try:
        done = subprocess.run(["taskset", "-c", CLIENT_CORE, "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                               "--timeout", "10s", "-s", script, f"http://127.0.0.1:{port}"],
                              capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {done.stdout}\n{done.stderr}")
    r = json.loads(line[len("WRKJSON "):])
    return Result(r["requests"] / (r["us"] / 1e6), r["p50"] / 1000, r["p99"] / 1000, r["requests"], r["bad"])


async def _python_load(port: int, reqs: list[Req], seconds: float, connections: int, seed: int) -> Result:
    rng = random.Random(seed)
    latencies: list[float] = []
    bad = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=10) as client:
        until = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal bad
            while time.perf_counter() < until:
                r = rng.choice(reqs)
                start = time.perf_counter()
                try:
                    resp = await client.request(r.method, r.path, content=r.body,
                                                headers={"Content-Type": "application/json"} if r.body else None)
                    bad += not (200 <= resp.status_code < 300)
                except httpx.HTTPError:
                    bad += 1
                latencies.append(time.perf_counter() - start)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return Result(len(latencies) / elapsed, 1000 * latencies[len(latencies) // 2],
                  1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], len(latencies), bad)


def run_python(port: int, reqs: list[Req], seconds: float, connections: int, seed: int) -> Result:
    return asyncio.run(_python_load(port, reqs, seconds, connections, seed))


# ---------- report ----------

def cell(r: Result | None) -> str:
    if r is None:
        return f"{'n/a':>8} {'':>7} {'':>7} {'':>8}"
    flag = f" !{r.bad}" if r.bad else ""
    return f"{r.rps:8.0f} {r.p50:7.2f} {r.p99:7.2f} {r.per_cpu_s:8.0f}{flag}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file made by benchmarks/gen_corpus.py")
    parser.add_argument("--duration", type=float, default=15, help="seconds per scenario and server (default 15)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--word", help="the word for q= (default: the commonest word of 6+ letters)")
    parser.add_argument("--only", nargs="*", help="scenarios to run (default: all but the list endpoints' l-..., "
                                                  "which `lists` names together)")
    parser.add_argument("--servers", nargs="*", default=["whosaid", "uncached", "datasette", "ceiling"])
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk is "
                                                                     "installed")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    db = Path(args.db).resolve()
    if not db.is_file():
        parser.error(f"{db} does not exist; make it with benchmarks/gen_corpus.py")
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    load = run_wrk if use_wrk else run_python

    # the API migrates its database at start-up: do it now, so no server starts on a half-upgraded file
    subprocess.run([str(BIN / "python"), "-c", f"from app.db import upgrade_database; "
                    f"upgrade_database('sqlite:///{db}')"], cwd=ROOT, check=True)
    facts, scenarios = workload(db, args.word, args.seed)
    with db.open("rb") as f:   # into the OS page cache: neither server pays for the first reads from disk
        while f.read(1 << 24):
            pass
    only = [n for name in args.only or () for n in (list_scenarios(scenarios) if name == "lists" else [name])]
    names = [n for n in scenarios if n in only] if only else [n for n in scenarios if n not in list_scenarios(scenarios)]
    print(f"database: {db} ({db.stat().st_size / 2**20:.0f} MB): {facts['quotes']} quotes, {facts['speakers']} "
          f"speakers; hot speaker {facts['hot']}; q= word {facts['word']}")
    print(f"machine: {os.cpu_count()} cores ({platform_cpu()}); servers pinned to core {SERVER_CORE}, load to core "
          f"{CLIENT_CORE}; load generator: " + (f"wrk -t1 -c{args.connections}" if use_wrk else
                                                  f"Python asyncio client, {args.connections} connections "
                                                  "(slower than wrk: the ceiling row is its limit)"))
    print(f"{args.duration:.0f} s per scenario after a 2 s warm-up; pages of {PAGE} rows\n", flush=True)

    results: dict[str, dict[str, Result | None]] = {}
    for server in args.servers:
        command, env, probe = servers(db)[server]
        port = free_port()
        process = start(server, command + ["--port", str(port)], port, env, probe)
        try:
            plan = [("ceiling", [Req("GET", "/")])] if server == "ceiling" else \
                [(n, scenarios[n][1 if server == "datasette" else 0]) for n in names]
            for scenario, reqs in plan:
                if not reqs:
                    results.setdefault(scenario, {})[server] = None
                    continue
                load(port, reqs, 2, args.connections, args.seed)   # warm-up
                cpu_before = cpu_seconds(process.pid)
                result = load(port, reqs, args.duration, args.connections, args.seed)
                result.cpu_s = cpu_seconds(process.pid) - cpu_before
                results.setdefault(scenario, {})[server] = result
                print(f"  {server:<9} {scenario:<7} {cell(result)}  ({1000 * result.cpu_s / max(1, result.requests):.3f}"
                      " ms server CPU per request)", flush=True)
        finally:
            stop(process)

    blocks = [s for s in args.servers if s != "ceiling"]
    titles = {"whosaid": "whosaid", "uncached": "whosaid, no page cache", "datasette": "Datasette"}
    columns = f"{'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'req/CPUs':>8}"
    against = [s for s in blocks if s != "datasette"] if "datasette" in blocks else []
    print("\n" + f"{'':<8}|" + "|".join(f" {titles[s]:^33} " for s in blocks)
          + "".join(f"| {s}/Datasette " for s in against))
    print(f"{'':<8}|" + "|".join(f" {columns} " for _ in blocks) + "".join("| req/s  req/CPU-s " for _ in against))
    for scenario in names:
        row = results.get(scenario, {})
        ratios = ""
        for server in against:
            mine, theirs = row.get(server), row.get("datasette")
            ratios += f"| {mine.rps / theirs.rps:5.1f}x  {mine.per_cpu_s / theirs.per_cpu_s:5.1f}x " if mine and \
                theirs and theirs.rps and theirs.per_cpu_s else "| "
        print(f"{scenario:<8}|" + "|".join(f" {cell(row.get(s))} " for s in blocks) + ratios)
    ceiling = results.get("ceiling", {}).get("ceiling")
    if ceiling:
        print(f"{'ceiling':<8}| {cell(ceiling)} | constant 2 KB JSON, bare Starlette")
    mix = results.get("mix", {})
    for server in ("whosaid", "uncached"):
        mine, theirs = mix.get(server), mix.get("datasette")
        if not (mine and ceiling):
            continue
        print(f"\nmix, {titles[server]}: {mine.rps:.0f} req/s = {100 * mine.rps / ceiling.rps:.0f}% of the ceiling"
              + (f", {mine.rps / theirs.rps:.1f}x Datasette" if theirs else ""))
        if ceiling.per_cpu_s:
            print(f"  per server CPU-second: {mine.per_cpu_s:.0f} req = {100 * mine.per_cpu_s / ceiling.per_cpu_s:.0f}%"
                  " of the ceiling's" + (f", {mine.per_cpu_s / theirs.per_cpu_s:.1f}x Datasette's"
                                        if theirs and theirs.per_cpu_s else ""))
    failed = sum(r.bad for row in results.values() for r in row.values() if r is not None)
    if failed:
        print(f"{failed} requests failed (non-2xx or socket errors): see the '!' marks")
    return 1 if failed else 0


def platform_cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
