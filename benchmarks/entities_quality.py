"""Entity quality: ingests the seeds and PolNeAR dev into fresh databases and measures resolution through the API.

    python benchmarks/entities_quality.py                 # seeds vs tests/data/seeds_gold.json, then PolNeAR dev
    python benchmarks/entities_quality.py --no-polnear --sample 20

Seeds (against the gold entities; people named only in credits are neither required nor punished):
  person P/R           person entities that are gold people / gold people found as an entity
  one entity each      gold speakers matched by exactly one person entity
  merged gold          entities that match two gold people (must be 0)
  alias reach q/spk    gold aliases of speakers whose /entities?q= answer / /quotes?speaker= answer includes them
  roles found/agree    quoted gold people with a gold role: a role on the entity / one that shares the gold
                       affiliation's words
PolNeAR dev (no entity key exists): distinct speakers, how many per-article actors were merged across articles,
how many surname-only entities stayed apart as ambiguous, and a sample of entities with aliases to check by hand.
The curated entities file is switched off: these are the figures of resolution alone.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.db import session_factory, upgrade_database  # noqa: E402
from app.pipeline.names import alias_norm, name_key, name_tokens, same_stem  # noqa: E402

GOLD = ROOT / "tests" / "data" / "seeds_gold.json"
SEEDS = ROOT / "seeds"
POLNEAR_DEV = ROOT.parent / "shared" / "polnear" / "dev" / "text"
STOP = {"the", "of", "at", "for", "in", "a", "an", "and", "on", "u", "s", "us"}


def ingest_into_fresh_db(paths: list[Path], extractor, folder: Path):
    """(TestClient on a new database with `paths` ingested, ingest report); curated file off."""
    from app.main import create_app
    from app.services.ingest import ingest_paths

    url = f"sqlite:///{folder / 'entities.db'}"
    upgrade_database(url)
    report = ingest_paths(paths, session_factory=session_factory(url), extractor=extractor,
                          settings=Settings(database_url=url, entities_file=""))
    return TestClient(create_app(database_url=url), raise_server_exceptions=False), report


def all_pages(client: TestClient, path: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        body = client.get(path, params={**params, "limit": 200, **({"cursor": cursor} if cursor else {})}).json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def _norms(names: list[str]) -> set[str]:
    return {alias_norm(n) for n in names} - {""}


def matches(entity: dict, gold: dict) -> bool:
    """An entity is a gold person when its canonical name is one of the gold names or has the gold name key."""
    names = [gold["name"], *gold["aliases"]]
    return alias_norm(entity["name"]) in _norms(names) or \
        name_key(entity["name"], "person") in {name_key(n, "person") for n in names if len(name_tokens(n)) > 1}


def role_agrees(entity: dict, gold: dict) -> bool:
    """The entity's role and affiliation share the gold affiliation's words (or, without one, the role's)."""
    ours = name_tokens(f"{entity.get('role') or ''} {entity.get('affiliation') or ''}")
    target = [w for w in name_tokens(gold.get("affiliation") or gold.get("role") or "") if w not in STOP]
    hits = sum(any(same_stem(w, o) for o in ours) for w in target)
    return bool(target) and hits * 2 >= len(target)


def seed_metrics(client: TestClient, gold: dict) -> dict:
    people = [e for e in gold["entities"] if e["kind"] == "person" and not e.get("credit")]
    credits = [e for e in gold["entities"] if e["kind"] == "person" and e.get("credit")]
    speakers = {q["speaker"] for doc in gold["docs"].values() for q in doc["quotes"] if q.get("speaker")}
    quoted_people = [g for g in people if g["name"] in speakers]
    ours = all_pages(client, "/entities", kind="person")

    found = {g["name"]: [e for e in ours if matches(e, g)] for g in people}
    credit_only = [e for e in ours if any(matches(e, c) for c in credits) and not any(matches(e, g) for g in people)]
    judged = [e for e in ours if e not in credit_only]
    true_pos = [e for e in judged if any(matches(e, g) for g in people)]
    merged = [e for e in ours if sum(matches(e, g) for g in people) > 1]

    reach_q = reach_speaker = total_aliases = 0
    misses: list[str] = []
    for g in quoted_people:
        if len(found[g["name"]]) != 1:
            continue
        eid = found[g["name"]][0]["id"]
        for alias in sorted(set(g["aliases"]) | {g["name"]}):
            total_aliases += 1
            hits = {e["id"] for e in client.get("/entities", params={"q": alias, "limit": 200}).json()["items"]}
            quotes = client.get("/quotes", params={"speaker": alias, "limit": 200}).json()["items"]
            ok_q = eid in hits
            ok_s = any(q["speaker"] and q["speaker"]["id"] == eid for q in quotes)
            reach_q += ok_q
            reach_speaker += ok_s
            if not (ok_q and ok_s):
                misses.append(f"{alias!r} -> {g['name']} (q={ok_q}, speaker={ok_s})")

    with_role = [g for g in quoted_people if g.get("role") and len(found[g["name"]]) == 1]
    details = {g["name"]: client.get(f"/entities/{found[g['name']][0]['id']}").json() for g in with_role}
    roles_found = [g["name"] for g in with_role if details[g["name"]]["role"]]
    roles_agree = [g["name"] for g in with_role if details[g["name"]]["role"] and role_agrees(details[g["name"]], g)]
    return {
        "gold_people": len(people), "person_entities": len(judged),
        "precision": len(true_pos) / len(judged) if judged else 0.0,
        "recall": sum(bool(v) for v in found.values()) / len(people),
        "speakers": len(quoted_people),
        "one_entity_each": sum(len(found[g["name"]]) == 1 for g in quoted_people),
        "merged_gold": len(merged),
        "aliases": total_aliases, "alias_reach_q": reach_q, "alias_reach_speaker": reach_speaker,
        "alias_misses": misses,
        "with_role": len(with_role), "roles_found": len(roles_found), "roles_agree": len(roles_agree),
        "roles_missing": [n for n in (g["name"] for g in with_role) if n not in roles_agree],
        "extra_entities": [e["name"] for e in judged if e not in true_pos],
        "split_gold": [n for n, es in found.items() if len(es) > 1],
        "missed_gold": [n for n, es in found.items() if not es],
    }


def polnear_metrics(client: TestClient, report, sample: int) -> dict:
    entities = all_pages(client, "/entities")
    speakers = all_pages(client, "/speakers")
    people = [e for e in entities if e["kind"] == "person"]
    details = {e["id"]: client.get(f"/entities/{e['id']}").json() for e in entities}
    # an entity seen in n articles folds n per-article actors into one: n - 1 merges across articles
    merges = sum(max(0, d["article_count"] - 1) for d in details.values())
    cross = [details[e["id"]] for e in speakers if details[e["id"]]["article_count"] > 1]
    # surname-only entities that some full-named person also bears, left apart (one per article)
    ends = Counter(t for e in people if len(name_tokens(e["name"])) > 1
                   for t in {name_tokens(e["name"])[0], name_tokens(e["name"])[-1]})
    ambiguous = Counter(e["name"] for e in people if len(name_tokens(e["name"])) == 1 and ends[name_tokens(e["name"])[0]])
    # the sample to check by hand: speakers merged across articles, drawn at random (fixed seed)
    rng = random.Random(5)
    chosen = rng.sample(cross, min(sample, len(cross)))
    return {
        "articles": report.articles_ingested, "quotes": report.quotes, "entities": len(entities),
        "person_entities": len(people), "distinct_speakers": len(speakers),
        "person_speakers": sum(e["kind"] == "person" for e in speakers),
        "speakers_in_several_articles": len(cross),
        "cross_article_merges": merges,
        "entities_in_several_articles": sum(d["article_count"] > 1 for d in details.values()),
        "resolution_pass_merges": report.entities_merged,
        "ambiguous_surnames": dict(sorted(ambiguous.items())),
        "top_speakers": [(e["name"], e["kind"], e["quote_count"]) for e in speakers[:10]],
        "sample": [(d["name"], d["kind"], d["quote_count"], d["article_count"], d["aliases"]) for d in chosen],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polnear", type=Path, default=POLNEAR_DEV, help="folder of PolNeAR .txt files")
    ap.add_argument("--no-polnear", action="store_true")
    ap.add_argument("--sample", type=int, default=20)
    a = ap.parse_args()
    from app.pipeline.extract import Extractor

    extractor = Extractor()
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        client, _ = ingest_into_fresh_db([SEEDS], extractor, Path(tmp))
        with client:
            m = seed_metrics(client, gold)
        print(f"seeds ({time.perf_counter() - t0:.0f}s)")
        print(f"  person P {m['precision']:.3f}  R {m['recall']:.3f}  ({m['person_entities']} person entities, "
              f"{m['gold_people']} gold people)")
        print(f"  gold speakers with exactly one entity: {m['one_entity_each']}/{m['speakers']}; "
              f"entities merging two gold people: {m['merged_gold']}")
        print(f"  gold aliases reaching their entity: /entities?q= {m['alias_reach_q']}/{m['aliases']}, "
              f"/quotes?speaker= {m['alias_reach_speaker']}/{m['aliases']}")
        print(f"  roles: found {m['roles_found']}/{m['with_role']}, agreeing with gold {m['roles_agree']}/{m['with_role']}")
        for key in ("alias_misses", "roles_missing", "extra_entities", "split_gold", "missed_gold"):
            if m[key]:
                print(f"  {key}: {m[key]}")
    if a.no_polnear or not a.polnear.is_dir():
        return
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        client, report = ingest_into_fresh_db([a.polnear], extractor, Path(tmp))
        with client:
            p = polnear_metrics(client, report, a.sample)
        print(f"PolNeAR dev ({time.perf_counter() - t0:.0f}s): {p['articles']} articles, {p['quotes']} quotes, "
              f"{p['entities']} entities ({p['person_entities']} people)")
        print(f"  distinct speakers {p['distinct_speakers']} ({p['person_speakers']} people), "
              f"{p['speakers_in_several_articles']} of them named in several articles")
        print(f"  merges across articles: {p['cross_article_merges']} per-article actors folded into "
              f"{p['entities_in_several_articles']} entities; {p['resolution_pass_merges']} of the merges needed more "
              f"than the name key (surname alone, acronym, mislabelled kind)")
        print(f"  surname-only people left apart as ambiguous (entities per name): {p['ambiguous_surnames']}")
        print("  most quoted: " + "; ".join(f"{n} ({k}, {c})" for n, k, c in p["top_speakers"]))
        print(f"  sample of {len(p['sample'])} speakers quoted or named in several articles:")
        for name, kind, quotes, articles, aliases in p["sample"]:
            print(f"    {name} [{kind}, {quotes} quotes, {articles} articles]: {aliases}")


if __name__ == "__main__":
    main()
