"""PlannedRoute (app/api/planned.py): read endpoints answer through one compiled validator and a fixed call plan
instead of FastAPI's per-request dependency solving, and nothing a client can see changes: every answer, valid
or not, is the one FastAPI's own handling gives (the same app with `app.state.planned_routes = False`)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

import pytest
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.json_response import json_response
from app.api.planned import PlannedRoute, _Plan
from app.errors import install_error_handlers
from app.main import create_app

pytestmark = pytest.mark.both_backends

QUERY_VALUES = ["", "0", "1", "2", "-1", "201", "abc", "2022-09-15", "2022-13-01", "x" * 201, "x" * 501,
                "speech", "shout", "-published", "speaker", "json", "csv", "ndjson", "jsonld", "speaker,outlet",
                "mood", "Putin", "bbc.co.uk", "1e3", "１", "true", "eyJ4Ijox", "WyIyMDIyLTA5LTE1IiwgMV0"]
PATHS = ["/quotes", "/quotes/1", "/quotes/0", "/quotes/abc", "/entities", "/entities/1", "/entities/0",
         "/entities/1/quotes", "/entities/1/mentions", "/speakers", "/articles", "/articles/1", "/outlets",
         "/utterances", "/utterances/1", "/health", "/v1/quotes", "/v1/entities/1"]
NAMES = ["limit", "cursor", "speaker", "outlet", "article_id", "q", "published_from", "published_to", "kind",
         "sort", "facets", "format"]


@pytest.fixture(scope="module")
def two_clients(seeded_url: str) -> Iterator[tuple[TestClient, TestClient]]:
    planned, standard = create_app(database_url=seeded_url), create_app(database_url=seeded_url)
    standard.state.planned_routes = False
    with TestClient(planned, raise_server_exceptions=False) as a, TestClient(standard, raise_server_exceptions=False) as b:
        yield a, b


def same_answer(clients, url: str, headers: dict | None = None) -> None:
    planned, standard = (c.get(url, headers=headers) for c in clients)
    assert planned.status_code == standard.status_code, (url, planned.text, standard.text)
    assert planned.content == standard.content, url
    drop = {"date"}
    assert {k: v for k, v in planned.headers.items() if k not in drop} == \
           {k: v for k, v in standard.headers.items() if k not in drop}, url


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(path=st.sampled_from(PATHS),
       params=st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(QUERY_VALUES)), max_size=4))
def test_every_answer_is_the_one_fastapi_gives(two_clients, path, params):
    from urllib.parse import urlencode

    same_answer(two_clients, path + ("?" + urlencode(params) if params else ""))


def test_errors_of_several_parameters_come_in_fastapi_order(two_clients):
    planned, _standard = two_clients
    url = "/quotes?sort=loudest&kind=shout&limit=0&published_from=never&article_id=0"
    same_answer(two_clients, url)
    names = [p["name"] for p in planned.get(url).json()["invalid_params"]]
    assert names == ["limit", "article_id", "published_from", "kind", "sort"]   # page first, then the endpoint's


def test_conditional_requests_links_and_exports_are_unchanged(two_clients):
    planned, _standard = two_clients
    first = planned.get("/quotes?limit=2")
    assert first.status_code == 200 and first.headers["link"] and first.headers["etag"]
    same_answer(two_clients, "/quotes?limit=2")
    same_answer(two_clients, "/quotes?limit=2", {"If-None-Match": first.headers["etag"]})
    assert planned.get("/quotes?limit=2", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    same_answer(two_clients, first.json()["next"].replace("http://testserver", ""))
    same_answer(two_clients, "/quotes?format=csv")
    same_answer(two_clients, "/quotes", {"Accept": "application/x-ndjson"})
    same_answer(two_clients, "/quotes", {"Accept": "image/png"})
    same_answer(two_clients, "/quotes/1", {"Accept": "application/ld+json"})
    same_answer(two_clients, "/quotes?facets=speaker,outlet,published")


def test_every_read_route_is_planned_and_documents_what_it_validates(seeded_url):
    """The plan validates exactly the parameters the OpenAPI document lists for the route, in the same places."""
    from app.api import articles, entities, health, outlets, quotes, utterances

    document = create_app(database_url=seeded_url).openapi()
    planned = 0
    routes = [r for m in (quotes, entities, articles, outlets, utterances, health) for r in m.router.routes]
    for route in routes + entities.speakers_router.routes:
        if not isinstance(route, PlannedRoute) or "GET" not in route.methods:
            continue
        plan = _Plan(route.dependant)
        documented = {(p["in"], p["name"]) for p in document["paths"][route.path]["get"].get("parameters", [])}
        assert {(p.where, p.alias) for p in plan.params} == documented, route.path
        planned += 1
    assert planned >= 12


# ---------- the mechanism on its own ----------

async def shared(request: Request) -> list:
    request.state.calls = getattr(request.state, "calls", 0) + 1
    return [request.state.calls]


async def paging(limit: Annotated[int, Query(ge=1, le=10)] = 5, extra: list = Depends(shared)) -> dict:
    return {"limit": limit, "shared": extra}


def small_app(planned: bool) -> FastAPI:
    router = APIRouter(route_class=PlannedRoute)

    @router.get("/items")
    async def items(needed: Annotated[str, Query(min_length=2)], page: dict = Depends(paging),
                    again: list = Depends(shared),
                    day: Annotated[date | None, Query()] = None,
                    tags: Annotated[list[str] | None, Query(max_length=3)] = None,
                    mode: Annotated[Literal["a", "b"], Query()] = "a"):
        return json_response({"page": page, "again": again, "day": day, "tags": tags, "mode": mode,
                              "needed": needed})

    @router.get("/sync/{n}")
    def sync(n: int):   # sync endpoints run in the thread pool, as with FastAPI
        return json_response({"n": n})

    api = FastAPI()
    install_error_handlers(api)
    api.include_router(router)
    api.state.planned_routes = planned
    return api


@pytest.mark.parametrize("url", ["/items?needed=ok", "/items", "/items?needed=x&limit=11&mode=c&day=nope",
                                 "/items?needed=ok&tags=a&tags=b&day=2024-02-29&limit=10&mode=b",
                                 "/items?needed=ok&tags=a&tags=b&tags=c&tags=d", "/items?needed=ok&limit=1&limit=2",
                                 "/sync/3", "/sync/x"])
def test_the_plan_answers_as_fastapi_does(url):
    with TestClient(small_app(True)) as a, TestClient(small_app(False)) as b:
        same_answer((a, b), url)


def test_a_dependency_asked_for_twice_runs_once():
    with TestClient(small_app(True)) as client:
        body = client.get("/items?needed=ok").json()
    assert body["page"]["shared"] == [1] and body["again"] == [1]
