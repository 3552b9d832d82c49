"""/quotes: who said what, filterable by speaker, outlet, article, words, date and kind; sortable, faceted, and
exportable as CSV or NDJSON."""
from __future__ import annotations

from datetime import date
from itertools import chain, islice
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from app.api.planned import PlannedRoute
from app.api import jsonld
from app.api.exports import csv_chunks, ndjson_chunks
from app.api.negotiation import CONTENT_TYPES, choose_format
from app.api.json_response import json_response
from app.api.schemas import ErrorOut, QuotePage, QuotePublic, page_of, quote_item
from app.db import reader_session_factory
from app.deps import MAX_ID, PageDep, SessionDep
from app.errors import InvalidParameter
from app.services import quote_search
from app.services import quotes as service

router = APIRouter(prefix="/quotes", tags=["quotes"], route_class=PlannedRoute)
QuoteKind = Literal["speech", "fragment", "indirect", "unattributed"]
QuoteSort = Literal["-published", "published", "speaker"]
ExportFormat = Literal["json", "csv", "ndjson"]

Q_DESCRIPTION = (
    "Full-text search (SQLite FTS5) over the quote text. Words are all required; `\"exact phrase\"`, `prefix*`, "
    "`AND`, `OR`, `NOT` (upper case) and parentheses are understood; anything else is treated as plain words, "
    "so no input is a syntax error. Matches are reported in each item's `highlight`."
)
EXPORT_RESPONSES = {
    200: {
        "description": "A page of quotes (JSON), or every matching quote as CSV or NDJSON (streamed)",
        "content": {
            "text/csv": {"schema": {"type": "string"},
                         "example": "id,text,kind,...\r\n12,\"During today’s meeting, ...\",speech,...\r\n"},
            "application/x-ndjson": {"schema": {"type": "string"},
                                     "example": '{"id": 12, "text": "During today’s meeting, ...", ...}\n'},
        },
    },
    406: {"model": ErrorOut, "description": "The Accept header names no type offered here"},
}


def _examples(*values: str) -> dict:
    """OpenAPI parameter examples (values from the seed corpus), shown as a pick list by Swagger UI."""
    return {value: {"value": value} for value in values}


def _facet_names(facets: str | None) -> list[str]:
    if not facets:
        return []
    names = [name.strip() for name in facets.split(",") if name.strip()]
    unknown = [name for name in names if name not in quote_search.FACETS]
    if unknown:
        choices = ", ".join(quote_search.FACETS)
        raise InvalidParameter("facets", f"unknown facet {unknown[0]!r}; choose from {choices}")
    return list(dict.fromkeys(names))


@router.get("", response_model=QuotePage, responses=EXPORT_RESPONSES, summary="Search and export quotes")
async def list_quotes(
    session: SessionDep,
    page: PageDep,
    speaker: Annotated[str | None, Query(max_length=200,
                                         description="Entity id, or any name or alias ('Putin', 'Mr. Xi')",
                                         openapi_examples=_examples("Putin", "Xi Jinping", "Alexander Gabuev"))]
    = None,
    outlet: Annotated[str | None, Query(max_length=200, description="Outlet id, name or domain",
                                        openapi_examples=_examples("bbc.co.uk", "The Guardian"))] = None,
    article_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only quotes from this article")] = None,
    q: Annotated[str | None, Query(max_length=500, description=Q_DESCRIPTION,
                                   openapi_examples=_examples('"balanced position"', "Taiwan OR Ukraine",
                                                              "balanc* NOT Ukraine"))] = None,
    published_from: Annotated[date | None, Query(description="Earliest publication date (YYYY-MM-DD)",
                                                 examples=["2022-09-15"])] = None,
    published_to: Annotated[date | None, Query(description="Latest publication date (YYYY-MM-DD)",
                                               examples=["2022-09-15"])] = None,
    kind: Annotated[QuoteKind | None, Query(description="speech | fragment | indirect | unattributed")] = None,
    sort: Annotated[QuoteSort, Query(description="`-published` newest first (default), `published` oldest "
                                                 "first, `speaker` by speaker name then newest first")]
    = "-published",
    facets: Annotated[str | None, Query(description="Comma-separated counts to add over all pages: "
                                                    "`speaker`, `outlet`, `published`",
                                        examples=["speaker,outlet,published"])] = None,
    format: Annotated[ExportFormat | None, Query(description="`csv` or `ndjson` streams every matching quote "
                                                             "(from `cursor` on; `limit` is ignored); overrides "
                                                             "the Accept header")] = None,
):
    """Quotes in `sort` order, a page at a time (keyset pagination: follow `next` or the `Link` header).

    Ask for `text/csv` or `application/x-ndjson` (Accept header or `format=`) to export the whole result
    instead. An unknown speaker or outlet gives an empty list, not an error.
    """
    filters = service.QuoteFilters(speaker=speaker, outlet=outlet, article_id=article_id, q=q,
                                   published_from=published_from, published_to=published_to, kind=kind)
    chosen = choose_format(format, page.request.headers.get("accept"))   # read here: a Header parameter costs more
    facet_names = _facet_names(facets)
    if chosen != "json":
        sessions = reader_session_factory(page.request.app.state.database_url)   # streams outlive the request
        rows = quote_search.iter_quotes(session_factory=sessions, filters=filters, sort=sort, cursor=page.cursor)
        first = list(islice(rows, 1))  # runs the first page now: a bad cursor is a 422, not a broken stream
        quotes = (QuotePublic.from_row(row) for row in chain(first, rows))
        body = csv_chunks(quotes) if chosen == "csv" else ndjson_chunks(quotes)
        return StreamingResponse(body, media_type=CONTENT_TYPES[chosen],
                                 headers={"Content-Disposition": f'attachment; filename="quotes.{chosen}"',
                                          "Vary": "Accept"})
    result = quote_search.list_sorted(session=session, filters=filters, limit=page.limit, cursor=page.cursor,
                                      sort=sort)
    convert = quote_item
    if q:
        spans = quote_search.match_spans(session=session, q=q, rows=result.items)
        convert = lambda row: quote_item(row, spans.get(row.quote.id, []))  # noqa: E731
    body = page_of(result, convert, page)
    body["facets"] = None
    if facet_names:
        counts = quote_search.quote_facets(session=session, filters=filters, names=facet_names)
        body["facets"] = {
            name: [{"value": c.value.isoformat() if isinstance(c.value, date) else c.value, "label": c.label,
                    "count": c.count} for c in values]
            for name, values in counts.items()
        }
    page.response.headers["Vary"] = "Accept"
    return json_response(body, headers_from=page.response)


@router.get("/{quote_id}", response_model=QuotePublic,
            responses={404: {"model": ErrorOut}, **jsonld.JSONLD_RESPONSE}, summary="One quote")
async def get_quote(
    quote_id: Annotated[int, Path(ge=1, le=MAX_ID, description="Quote id", examples=[12])], session: SessionDep,
    request: Request,
    format: Annotated[Literal["json", "jsonld"] | None, Query(
        description="jsonld: schema.org Quotation (same as Accept: application/ld+json)")] = None,
):
    row = service.get_quote(session=session, quote_id=quote_id)
    if jsonld.wants_jsonld(request, format):
        return jsonld.response(jsonld.quote_document(row, request))
    return json_response(quote_item(row))
