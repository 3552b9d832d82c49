"""Utterances on real SQLite files: grouping quality on the seed gold, incremental grouping across ingests,
statements kept apart, regrouping, and the /utterances API with its JSON-LD."""
from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.db import make_engine, session_factory
from app.models import Article, Entity, Quote, Utterance, UtteranceKey
from tests_support import ROOT, SEEDS, seed_files

sys.path.insert(0, str(ROOT / "benchmarks"))
import utterance_quality  # noqa: E402

pytestmark = pytest.mark.both_backends  # conftest.py: on SQLite and on PostgreSQL

GOLD = json.loads((ROOT / "tests" / "data" / "seeds_gold.json").read_text(encoding="utf-8"))


def partition(url: str) -> set[frozenset[str]]:
    """Utterances as sets of (file, start) of their quotes: comparable across databases."""
    groups: dict[int, set[str]] = defaultdict(set)
    with Session(make_engine(url)) as session:
        for q, source in session.exec(select(Quote, Article.source_file).join(Article)
                                      .where(Quote.utterance_id.is_not(None))):
            groups[q.utterance_id].add(f"{Path(source).name}:{q.start}")
    return {frozenset(g) for g in groups.values()}


# ---------- quality on the seed gold ----------

def test_seed_grouping_meets_the_measured_floors(seeded_url):
    with Session(make_engine(seeded_url)) as session:
        m = utterance_quality.evaluate(session, GOLD, SEEDS)
    # figures from benchmarks/utterance_quality.py; they may only move up. `grouped` and `same_speaker` count only
    # quotes the pipeline attributed, so a quote attributed correctly for the first time can bring in a pair no
    # wording rule joins ("ugly" / "… hideous form"): that happened once (the Russian President -> Putin), and
    # those two floors were set again to the figures then measured, while `all` rose
    assert m["same_speaker"]["precision"] >= 0.99 and m["same_speaker"]["recall"] >= 0.94
    assert m["grouped"]["precision"] >= 0.99 and m["grouped"]["recall"] >= 0.95
    assert m["all"]["precision"] >= 0.99 and m["all"]["recall"] >= 0.89


def test_only_attributed_speech_and_fragments_have_utterances_and_counts_add_up(seeded_url):
    with Session(make_engine(seeded_url)) as session:
        quotes = session.exec(select(Quote)).all()
        by_id = {q.id: q for q in quotes}
        for q in quotes:
            if q.utterance_id is not None:
                assert q.kind in ("speech", "fragment")
                # speaker-less only as the continuation of an attributed piece of the same sentence
                assert q.speaker_id is not None or any(
                    o.utterance_id == q.utterance_id and o.sentence == q.sentence and o.speaker_id is not None
                    for o in by_id.values())
        for u in session.exec(select(Utterance)).all():
            members = [q for q in quotes if q.utterance_id == u.id]
            assert u.n_quotes == len(members) > 0
            assert u.n_outlets == len({q.outlet_id for q in members if q.outlet_id is not None})
            # one speaker, or a person with the institutions he speaks for (never two people); the person is
            # the utterance's speaker
            kinds = {q.speaker_id: session.get(Entity, q.speaker_id).kind for q in members if q.speaker_id}
            people = [speaker for speaker, kind in kinds.items() if kind == "person"]
            assert u.speaker_id in kinds and len(people) <= 1
            assert u.speaker_id in people or not people
            assert u.canonical_text in {q.text for q in members}
            assert session.exec(select(UtteranceKey).where(UtteranceKey.utterance_id == u.id)).first() is not None


def test_statements_by_one_speaker_on_one_day_stay_apart(client):
    putin = client.get("/utterances", params={"speaker": "Putin", "limit": 50}).json()["items"]
    texts = {u["canonical_text"] for u in putin}
    assert len(putin) >= 5
    assert {u["first_seen"]["published"] for u in putin} == {"2022-09-15"}
    for a, b in [("balanced position", "questions"), ("balanced position", "Taiwan"), ("one China", "Taiwan")]:
        assert not any(a in t and b in t for t in texts), (a, b)


def test_new_statements_on_one_day_stay_apart_and_copies_join(tmp_path, db_url, extractor):
    from app.services.ingest import ingest_paths

    folder = tmp_path / "corpus"
    folder.mkdir()
    articles = {
        "a.txt": "Leader meets rival\n\n“Russia will win this war,” Mr. Putin said on Friday.\n\n"
                 "“We will send more grain to Africa next year,” Mr. Putin said.\n",
        "b.txt": "Talks in Samarkand\n\n“Russia will lose this war,” Mr. Putin said at the summit.\n\n"
                 "“We will send more grain to Africa next year,” Putin told reporters.\n",
    }
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingest_paths([folder], session_factory=session_factory(db_url), extractor=extractor)
    with Session(make_engine(db_url)) as session:
        by_text = {q.text: q.utterance_id for q in session.exec(select(Quote).where(Quote.kind == "speech"))}
    assert by_text["Russia will win this war,"] != by_text["Russia will lose this war,"]
    assert by_text["We will send more grain to Africa next year,"] is not None
    assert len({u for t, u in by_text.items() if "grain" in t}) == 1


def test_a_leaders_words_and_his_governments_readout_are_one_utterance_of_the_leader(tmp_path, db_url, extractor):
    from app.services.ingest import ingest_paths
    from app.services.verify import verify

    folder = tmp_path / "corpus"
    folder.mkdir()
    articles = {
        "a.txt": "Leaders meet in Samarkand\n\nChinese President Xi Jinping met the visiting prime minister on "
                 "Thursday. Mr. Xi said that China was “willing to work with its neighbours to demonstrate the "
                 "responsibility of big powers and bring stability to a troubled region.”\n",
        "b.txt": "Summit ends with pledges\n\nIn a statement issued after the meeting, China said it was “willing "
                 "to work with its neighbours to demonstrate the responsibility of a major country and inject "
                 "stability into a troubled region.”\n\nProfessor Anna Kovacs, a historian at Central European "
                 "University, said the region was “willing to work with its neighbours to demonstrate the "
                 "responsibility of big powers and bring stability.”\n",
    }
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingest_paths([folder], session_factory=session_factory(db_url), extractor=extractor)
    with Session(make_engine(db_url)) as session:
        speakers = {session.get(Entity, q.speaker_id).name: q.utterance_id
                    for q in session.exec(select(Quote).where(Quote.speaker_id.is_not(None)))}
        assert speakers["Xi Jinping"] == speakers["China"] != speakers["Anna Kovacs"]   # never two people
        assert session.get(Entity, session.get(Utterance, speakers["China"]).speaker_id).name == "Xi Jinping"
        readout = "inject stability into a troubled region"
        for speaker in ("China", "Xi Jinping"):
            assert verify(session=session, text=readout, speaker=speaker).verdict == "partial"
        assert verify(session=session, text=readout, speaker="Anna Kovacs").verdict == "misattributed"


# ---------- incremental ----------

def test_articles_ingested_one_by_one_join_existing_utterances(tmp_path, db_url, extractor, seeded_url):
    from app.services.ingest import ingest_paths

    factory = session_factory(db_url)
    manifest = json.loads((SEEDS / "manifest.json").read_text(encoding="utf-8"))
    folders = []
    for path in seed_files():   # one folder per article, each with its own manifest entry
        folder = tmp_path / path.stem
        folder.mkdir()
        shutil.copy(path, folder)
        entry = [a for a in manifest["articles"] if a["file"] == path.name]
        (folder / "manifest.json").write_text(json.dumps({"articles": entry}), encoding="utf-8")
        folders.append(folder)
    for folder in folders:
        with factory() as session:
            before = {u.id: u.n_quotes for u in session.exec(select(Utterance)).all()}
        assert ingest_paths([folder], session_factory=factory, extractor=extractor).articles_ingested == 1
        with factory() as session:
            after = {u.id: u.n_quotes for u in session.exec(select(Utterance)).all()}
        if before:
            assert any(after.get(uid, 0) > n for uid, n in before.items()), f"{folder.name} joined nothing"
    # the same grouping as one batch ingest, and re-ingesting changes nothing
    assert partition(db_url) == partition(seeded_url)
    ingest_paths([folders[0]], session_factory=factory, extractor=extractor)
    assert partition(db_url) == partition(seeded_url)


@pytest.mark.sqlite_only   # copies the seeded database with sqlite3
def test_regroup_rebuilds_the_same_utterances(tmp_path, monkeypatch, seeded_url):
    from app.cli import app
    from app.core.config import get_settings

    copy = tmp_path / "copy.db"
    with sqlite3.connect(seeded_url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
        # as if ingested before utterances existed
        dst.execute("UPDATE quote SET utterance_id = NULL")
        dst.execute("DELETE FROM utterancekey")
        dst.execute("DELETE FROM utterance")
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("WHOSAID_DATABASE_URL", url)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["db", "regroup"])
    assert result.exit_code == 0, result.output
    assert partition(url) == partition(seeded_url)


@pytest.mark.sqlite_only   # copies the seeded database with sqlite3
def test_regrouping_speakers_after_a_merge_of_entities(tmp_path, seeded_url):
    """What entity resolution does to speakers: split one speaker's quotes across two entities, regroup them,
    then merge the entities back (every reference moved, as resolution does) and regroup the survivor."""
    from app.services.utterances import regroup_speakers

    copy = tmp_path / "copy.db"
    with sqlite3.connect(seeded_url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    url = f"sqlite:///{copy}"
    factory = session_factory(url)
    with factory() as session:
        putin = session.exec(select(Utterance).order_by(Utterance.n_quotes.desc())).first().speaker_id
        article = session.exec(select(Article.id).order_by(Article.id.desc())).first()
    with make_engine(url).begin() as conn:
        conn.exec_driver_sql("INSERT INTO entity (kind, name, key) VALUES ('person', 'Putin (split)', 'split')")
        split = conn.exec_driver_sql("SELECT max(id) FROM entity").scalar()
        conn.exec_driver_sql("UPDATE quote SET speaker_id = ? WHERE speaker_id = ? AND article_id = ?",
                             (split, putin, article))
    regroup_speakers(factory, [putin, split])
    with factory() as session:
        for u in session.exec(select(Utterance).where(Utterance.speaker_id.in_([putin, split]))).all():
            speakers = {q.speaker_id for q in session.exec(select(Quote).where(Quote.utterance_id == u.id))}
            assert speakers == {u.speaker_id}
    assert partition(url) != partition(seeded_url)
    with make_engine(url).begin() as conn:
        for table in ("quote", "utterance", "utterancekey"):
            conn.exec_driver_sql(f"UPDATE {table} SET speaker_id = ? WHERE speaker_id = ?", (putin, split))
    regroup_speakers(factory, [putin])
    assert partition(url) == partition(seeded_url)


# ---------- API ----------

def test_list_is_sorted_by_outlets_and_pages_through_everything(client):
    first = client.get("/utterances", params={"limit": 200}).json()
    items = first["items"]
    assert first["total"] == len(items) > 20 and first["next_cursor"] is None
    assert [u["n_outlets"] for u in items] == sorted((u["n_outlets"] for u in items), reverse=True)
    assert items[0]["n_outlets"] >= 3 and "Putin" in items[0]["speaker"]["name"]
    seen, cursor = [], None
    while True:
        page = client.get("/utterances", params={"limit": 7, **({"cursor": cursor} if cursor else {})}).json()
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [u["id"] for u in items]
    newest = client.get("/utterances", params={"limit": 5, "sort": "-published"}).json()
    nxt = client.get("/utterances", params={"limit": 5, "sort": "-published",
                                            "cursor": newest["next_cursor"]}).json()
    assert not {u["id"] for u in newest["items"]} & {u["id"] for u in nxt["items"]}


def test_list_filters(client):
    def total(**params) -> int:
        return client.get("/utterances", params=params).json()["total"]

    everything = total()
    assert 0 < total(speaker="Mr. Putin") < everything
    assert total(speaker="nobody at all") == 0
    assert 0 < total(outlet="bbc.co.uk") < everything
    assert total(outlet="The Guardian") == total(outlet="theguardian.com")
    assert total(outlet="no such outlet") == 0
    assert total(published_from="2022-09-15", published_to="2022-09-15") == everything
    assert total(published_from="2022-09-16") == 0


def test_bad_list_parameters_are_422(client):
    assert client.get("/utterances", params={"sort": "name"}).status_code == 422
    assert client.get("/utterances", params={"cursor": "garbage"}).status_code == 422
    assert client.get("/utterances", params={"limit": 0}).status_code == 422


def test_detail_has_every_wording_with_occurrences_and_diffs(client):
    top = client.get("/utterances", params={"speaker": "Putin", "limit": 1}).json()["items"][0]
    detail = client.get(f"/utterances/{top['id']}").json()
    assert {k: detail[k] for k in top} == top
    variants = detail["variants"]
    assert variants[0]["text"] == detail["canonical_text"]
    assert [op["op"] for op in variants[0]["diff"]] == ["equal"]
    assert sum(len(v["quote_ids"]) for v in variants) == detail["n_quotes"]
    assert len({o["outlet"]["id"] for v in variants for o in v["occurrences"] if o["outlet"]}) == detail["n_outlets"]
    for variant in variants:
        rebuilt = " ".join(op["variant"] for op in variant["diff"] if op["variant"])
        assert rebuilt == " ".join(variant["text"].split())
        for occurrence in variant["occurrences"]:
            article = client.get(f"/articles/{occurrence['article_id']}").json()
            quoted = article["text"][occurrence["start"]:occurrence["end"]]
            assert quoted.casefold().split() == client.get(f"/quotes/{occurrence['quote_id']}").json()["text"] \
                .casefold().split()
            assert client.get(f"/quotes/{occurrence['quote_id']}").json()["utterance_id"] == detail["id"]
    assert any(op["op"] != "equal" for v in variants[1:] for op in v["diff"])


def test_unknown_utterance_is_404(client):
    response = client.get("/utterances/999999")
    assert response.status_code == 404
    assert "utterance 999999 not found" in response.json()["detail"]


def test_quotes_list_carries_utterance_ids(client):
    items = client.get("/quotes", params={"speaker": "Putin", "kind": "speech", "limit": 50}).json()["items"]
    assert items and all(isinstance(q["utterance_id"], int) for q in items)
    indirect = client.get("/quotes", params={"kind": "indirect", "limit": 50}).json()["items"]
    assert indirect and all(q["utterance_id"] is None for q in indirect)


@pytest.mark.parametrize("how", ["format", "accept"])
def test_quote_and_utterance_as_schema_org_quotation(client, how):
    quotes = client.get("/quotes", params={"speaker": "Putin", "kind": "speech", "limit": 50}).json()["items"]
    quote = next(q for q in quotes if q["outlet"])
    ask = ({"params": {"format": "jsonld"}} if how == "format"
           else {"headers": {"Accept": "application/ld+json, application/json;q=0.5"}})
    response = client.get(f"/quotes/{quote['id']}", **ask)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    doc = response.json()
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "Quotation"
    assert doc["text"] == quote["text"]
    assert doc["creator"] == doc["spokenByCharacter"]
    assert doc["creator"]["@type"] == "Person" and doc["creator"]["name"] == quote["speaker"]["name"]
    assert doc["isPartOf"]["@type"] == "NewsArticle" and doc["isPartOf"]["headline"] == quote["article"]["title"]
    assert doc["datePublished"] == "2022-09-15"
    assert doc["publisher"]["name"] == quote["outlet"]["name"]
    assert doc["isBasedOn"].endswith(f"/utterances/{quote['utterance_id']}")

    utterance = client.get(f"/utterances/{quote['utterance_id']}", **ask)
    assert utterance.headers["content-type"].startswith("application/ld+json")
    doc = utterance.json()
    assert doc["@type"] == "Quotation" and doc["spokenByCharacter"]["name"] == quote["speaker"]["name"]
    assert doc["text"] == client.get(f"/utterances/{quote['utterance_id']}").json()["canonical_text"]
    assert isinstance(doc["isPartOf"], list) and all(a["@type"] == "NewsArticle" for a in doc["isPartOf"])
    assert doc["datePublished"] == "2022-09-15"


def test_plain_json_stays_the_default(client):
    quote = client.get("/quotes", params={"limit": 1}).json()["items"][0]
    response = client.get(f"/quotes/{quote['id']}", headers={"Accept": "application/json"})
    assert response.headers["content-type"].startswith("application/json") and "@type" not in response.json()
    assert client.get(f"/quotes/{quote['id']}", params={"format": "xml"}).status_code == 422
