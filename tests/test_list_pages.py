"""GET /articles and GET /utterances answer on the driver's cursor (services/driver_sql.py) with plain rows; their
pages must be exactly what the ORM path gave: the same items (bodies built by the response models from ORM
objects), in the same order across pages, with the same totals, on SQLite and on PostgreSQL."""
from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from app.api.articles import article_summary
from app.api.schemas import ArticleSummary, UtteranceSummary
from app.api.utterances import utterance_summary
from app.db import reader_session
from app.main import create_app
from app.models import Article, Entity, Outlet, Quote, Utterance
from app.services.articles import ArticleStats, list_articles
from app.services.utterances import UtteranceFilters, UtteranceRow, list_utterances
from tests_support import gen_corpus

pytestmark = pytest.mark.both_backends  # conftest.py: on SQLite and on PostgreSQL


def walk(client, path: str, limit: int, **params) -> tuple[list[dict], set[int]]:
    """Every item of a listing, `limit` per page following next_cursor, and the totals the pages gave."""
    items, totals, cursor = [], set(), None
    while True:
        response = client.get(path, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        totals.add(body["total"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items, totals


# ---------- the ORM path, as the endpoints ran it before ----------

def orm_articles(session, outlet_id: int | None) -> list[dict]:
    quote_count = select(func.count(Quote.id)).where(Quote.article_id == Article.id).correlate(Article)
    stmt = (select(Article, Outlet, quote_count.scalar_subquery()).outerjoin(Outlet, Outlet.id == Article.outlet_id)
            .order_by(Article.published.is_(None), Article.published.desc(), Article.id.desc()))
    if outlet_id is not None:
        stmt = stmt.where(Article.outlet_id == outlet_id)
    return [ArticleSummary.from_stats(ArticleStats(article=a, outlet=o, quote_count=n)).model_dump(mode="json")
            for a, o, n in session.exec(stmt).all()]


def orm_utterances(session, sort: str, speaker_id: int | None, outlet_id: int | None) -> list[dict]:
    order = ((Utterance.first_published.is_(None), Utterance.first_published.desc(), Utterance.id.desc())
             if sort == "-published" else (Utterance.n_outlets.desc(), Utterance.id.desc()))
    stmt = (select(Utterance, Entity, Outlet).outerjoin(Entity, Entity.id == Utterance.speaker_id)
            .outerjoin(Outlet, Outlet.id == Utterance.first_outlet_id).order_by(*order))
    if speaker_id is not None:
        stmt = stmt.where(Utterance.speaker_id == speaker_id)
    if outlet_id is not None:
        stmt = stmt.where(Utterance.id.in_(select(Quote.utterance_id).where(Quote.outlet_id == outlet_id)))
    return [UtteranceSummary.from_row(UtteranceRow(*row)).model_dump(mode="json") for row in session.exec(stmt).all()]


def busiest(session, column) -> int:
    """The value of `column` (an outlet or speaker id) with most rows: a filter that keeps several pages."""
    return session.exec(select(column).where(column.is_not(None)).group_by(column)
                        .order_by(func.count().desc(), column).limit(1)).one()


# ---------- the driver path against it ----------

def check_article_pages(client, url: str, limit: int) -> None:
    with reader_session(url) as session:
        outlet_id = busiest(session, Article.outlet_id)
        expected = {None: orm_articles(session, None), outlet_id: orm_articles(session, outlet_id)}
    for outlet, rows in expected.items():
        items, totals = walk(client, "/articles", limit, **({"outlet": str(outlet)} if outlet else {}))
        assert rows and items == rows and totals == {len(rows)}, outlet


def check_utterance_pages(client, url: str, limit: int) -> None:
    with reader_session(url) as session:
        speaker_id, outlet_id = busiest(session, Utterance.speaker_id), busiest(session, Quote.outlet_id)
        cases = [(sort, speaker, outlet) for sort in ("-outlets", "-published")
                 for speaker, outlet in ((None, None), (speaker_id, None), (None, outlet_id))]
        expected = {case: orm_utterances(session, *case) for case in cases}
    for (sort, speaker, outlet), rows in expected.items():
        params = {"sort": sort, **({"speaker": str(speaker)} if speaker else {}),
                  **({"outlet": str(outlet)} if outlet else {})}
        items, totals = walk(client, "/utterances", limit, **params)
        assert rows and items == rows and totals == {len(rows)}, params


def test_seed_pages_are_the_orm_pages(client, seeded_url):
    check_article_pages(client, seeded_url, limit=1)
    check_utterance_pages(client, seeded_url, limit=1)


@pytest.fixture(scope="module")
def corpus_api():
    """(client, url) of a generated corpus with undated articles and utterances (undated rows come last)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.db"
        url = f"sqlite:///{path}"
        gen_corpus().generate(url, 1500, progress=lambda _msg: None)
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE article SET published = NULL WHERE id % 9 = 0")
            conn.execute("UPDATE utterance SET first_published = NULL WHERE id % 7 = 0")
        with TestClient(create_app(database_url=url), raise_server_exceptions=False) as client:
            yield client, url


@pytest.mark.sqlite_only
def test_generated_corpus_pages_are_the_orm_pages(corpus_api):
    client, url = corpus_api
    check_article_pages(client, url, limit=25)
    check_utterance_pages(client, url, limit=25)


def test_listing_bodies_match_the_documented_models(seeded_url):
    """article_summary and utterance_summary skip pydantic on the hot path; they must give exactly what the
    response models (the OpenAPI contract) give for the same rows."""
    with reader_session(seeded_url) as session:
        articles = list_articles(session=session, limit=200).items
        utterances = list_utterances(session=session, filters=UtteranceFilters(), limit=200).items
    assert articles and utterances
    for stats in articles:
        assert article_summary(stats) == ArticleSummary.from_stats(stats).model_dump(mode="json")
    for row in utterances:
        assert utterance_summary(row) == UtteranceSummary.from_row(row).model_dump(mode="json")


def test_a_filter_matching_nothing_is_an_empty_page(client):
    for path, params in (("/articles", {"outlet": "no-such-outlet.example"}),
                         ("/utterances", {"speaker": "Nobody Atall"}),
                         ("/utterances", {"outlet": "no-such-outlet.example"})):
        body = client.get(path, params=params).json()
        assert body == {"items": [], "total": 0, "next_cursor": None, "next": None}, (path, params)
