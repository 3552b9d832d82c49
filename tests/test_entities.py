"""Entities end to end on made-up articles: resolution across ingest batches, ambiguous surnames, the rebuild
command, the curated file, and the /entities, /entities/{id}/mentions and /speakers endpoints."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.core.config import Settings
from app.db import get_engine, session_factory
from app.main import create_app
from app.models import Entity
from app.services.ingest import ingest_paths

pytestmark = pytest.mark.both_backends  # conftest.py: on SQLite and on PostgreSQL

ARTICLES = {
    "a_full.txt": "Harbour talks resume\n\n"
                  "Anna Kovacs, the finance minister of Freedonia, spoke to reporters on Monday.\n\n"
                  "“We will not raise taxes this year,” said Anna Kovacs.\n\n"
                  "“The budget is balanced,” Ms. Kovacs said.\n",
    "b_other.txt": "Port strike spreads\n\n"
                   "Peter Kovacs, a dock workers' union leader, addressed the crowd.\n\n"
                   "“We will strike until the contract is signed,” said Peter Kovacs.\n",
    "c_surname.txt": "Budget vote delayed\n\n"
                     "“Nobody wants another delay,” Mr. Kovacs said on Tuesday.\n",
}


def write(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(ARTICLES[name], encoding="utf-8")
    return folder


def ingest(paths, url, extractor, entities_file=""):
    return ingest_paths(paths, session_factory=session_factory(url), extractor=extractor,
                        settings=Settings(database_url=url, entities_file=entities_file))


def people(url: str) -> dict[str, int]:
    with Session(get_engine(url)) as session:
        return {e.name: e.id for e in session.exec(select(Entity).where(Entity.kind == "person")).all()}


def test_a_surname_ingested_before_its_full_name_joins_it_later(tmp_path, db_url, extractor):
    ingest([write(tmp_path / "1", ["c_surname.txt"])], db_url, extractor)
    assert "Kovacs" in people(db_url)
    report = ingest([write(tmp_path / "2", ["a_full.txt"])], db_url, extractor)
    assert report.entities_merged >= 1
    assert "Kovacs" not in people(db_url) and "Anna Kovacs" in people(db_url)
    with TestClient(create_app(database_url=db_url)) as client:
        quotes = client.get("/quotes", params={"speaker": "Kovacs"}).json()
        assert quotes["total"] == 3 and {q["speaker"]["name"] for q in quotes["items"]} == {"Anna Kovacs"}
    # statements grouped under the old speaker were grouped again under the merged one
    from app.models import Quote, Utterance

    with Session(get_engine(db_url)) as session:
        pairs = session.exec(select(Quote.speaker_id, Utterance.speaker_id)
                             .join(Utterance, Utterance.id == Quote.utterance_id)).all()
        assert pairs and all(q == u for q, u in pairs)
        assert session.exec(select(Utterance).where(Utterance.speaker_id.not_in(
            select(Entity.id)))).first() is None


def test_a_surname_two_people_share_stays_ambiguous_and_the_speaker_filter_returns_everyone(tmp_path, db_url,
                                                                                           extractor):
    ingest([write(tmp_path / "in", list(ARTICLES))], db_url, extractor)
    names = people(db_url)
    assert {"Anna Kovacs", "Peter Kovacs", "Kovacs"} <= set(names)
    with TestClient(create_app(database_url=db_url)) as client:
        quotes = client.get("/quotes", params={"speaker": "Kovacs", "limit": 50}).json()["items"]
        assert {q["speaker"]["name"] for q in quotes} == {"Anna Kovacs", "Peter Kovacs", "Kovacs"}
        # a full name is never ambiguous
        anna = client.get("/quotes", params={"speaker": "Ms. Anna Kovacs"}).json()["items"]
        assert {q["speaker"]["name"] for q in anna} == {"Anna Kovacs"}
        found = client.get("/entities", params={"q": "kovac", "kind": "person"}).json()
        assert found["total"] == 3
        # described by the role an article stated
        minister = client.get("/entities", params={"q": "the Freedonian finance minister"}).json()["items"]
        assert [e["name"] for e in minister] == ["Anna Kovacs"]


def test_rebuild_is_stable_and_reports(tmp_path, db_url, extractor):
    ingest([write(tmp_path / "in", list(ARTICLES))], db_url, extractor)
    before = people(db_url)
    result = CliRunner().invoke(cli, ["entities", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "0 merged" in result.output
    assert people(db_url) == before


def test_curated_file_adds_identifiers_and_aliases_but_resolution_does_not_need_it(tmp_path, db_url, extractor):
    curated = tmp_path / "entities.json"
    curated.write_text(json.dumps([{"name": "Anna Kovacs", "kind": "person", "aliases": ["Anya Kovacs"],
                                    "description": "Finance minister", "wikidata": "Q000001"}]), encoding="utf-8")
    ingest([write(tmp_path / "in", ["a_full.txt", "c_surname.txt"])], db_url, extractor, entities_file=str(curated))
    with TestClient(create_app(database_url=db_url)) as client:
        [anna] = client.get("/entities", params={"q": "Anya Kovacs"}).json()["items"]
        detail = client.get(f"/entities/{anna['id']}").json()
        assert (detail["wikidata_id"], detail["description"]) == ("Q000001", "Finance minister")
    plain = f"sqlite:///{tmp_path / 'plain.db'}"
    from app.db import upgrade_database

    upgrade_database(plain)
    ingest([tmp_path / "in"], plain, extractor)
    assert people(plain).keys() == people(db_url).keys()


@pytest.fixture(scope="module")
def kovacs(tmp_path_factory, extractor):
    from app.db import upgrade_database

    folder = tmp_path_factory.mktemp("kovacs")
    url = f"sqlite:///{folder / 'k.db'}"
    upgrade_database(url)
    ingest([write(folder / "in", list(ARTICLES))], url, extractor)
    with TestClient(create_app(database_url=url)) as client:
        yield client


def test_entity_detail_has_roles_per_article_outlets_and_dates(kovacs):
    [anna] = kovacs.get("/entities", params={"q": "Anna Kovacs"}).json()["items"]
    detail = kovacs.get(f"/entities/{anna['id']}").json()
    assert detail["role"] and "finance minister" in detail["role"]
    assert detail["roles"] and detail["roles"][0]["article"]["id"] and detail["roles"][0]["mention"] == "Anna Kovacs"
    assert detail["quote_count"] == 2 and detail["article_count"] == 1
    assert set(detail["aliases"]) >= {"Anna Kovacs", "Kovacs"}


def test_mentions_point_into_the_article_text(kovacs):
    [anna] = kovacs.get("/entities", params={"q": "Anna Kovacs"}).json()["items"]
    mentions, cursor = [], None
    while True:
        page = kovacs.get(f"/entities/{anna['id']}/mentions",
                          params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        mentions += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(mentions) == page["total"] >= 2
    for m in mentions:
        text = kovacs.get(f"/articles/{m['article']['id']}").json()["text"]
        assert text[m["start"]:m["end"]] == m["text"]
    assert kovacs.get("/entities/999999/mentions").status_code == 404


def test_speakers_are_quoted_entities_most_quoted_first_with_stable_pages(kovacs):
    speakers = kovacs.get("/speakers").json()["items"]
    assert speakers and all(s["quote_count"] > 0 for s in speakers)
    counts = [s["quote_count"] for s in speakers]
    assert counts == sorted(counts, reverse=True)
    paged, cursor = [], None
    while True:
        page = kovacs.get("/speakers", params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        paged += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [s["id"] for s in paged] == [s["id"] for s in speakers]
    by_name = kovacs.get("/entities", params={"sort": "name"}).json()["items"]
    assert [e["name"] for e in by_name] == sorted(e["name"] for e in by_name)
    assert kovacs.get("/entities", params={"sort": "loudest"}).status_code == 422


def test_openapi_describes_the_entity_endpoints(kovacs):
    paths = kovacs.get("/openapi.json").json()["paths"]
    assert {"/entities/{entity_id}/mentions", "/speakers"} <= set(paths)
    params = {p["name"] for p in paths["/entities"]["get"]["parameters"]}
    assert {"kind", "q", "sort", "limit", "cursor"} <= params
