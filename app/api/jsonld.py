"""schema.org `Quotation` JSON-LD for quotes and utterances, for bots that speak schema.org.

A quote is a Quotation whose creator / spokenByCharacter is the speaker, isPartOf the NewsArticle that prints
it (with its publisher and date). An utterance is a Quotation with the canonical text, isPartOf every article
that carries it, and its first publication date and outlet. Asked for with `?format=jsonld` or
`Accept: application/ld+json`.
"""
from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import JSONResponse

from app.models import Entity, Outlet
from app.services.quotes import QuoteRow
from app.services.utterances import UtteranceDetail

MEDIA_TYPE = "application/ld+json"
CONTEXT = "https://schema.org"
JSONLD_RESPONSE = {200: {"content": {MEDIA_TYPE: {"schema": {"type": "object"}}},
                         "description": "schema.org Quotation (with ?format=jsonld or Accept: application/ld+json)"}}


def wants_jsonld(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "jsonld"
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == MEDIA_TYPE for part in accept.split(","))


def response(document: dict) -> JSONResponse:
    return JSONResponse(document, media_type=MEDIA_TYPE)


def _url(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def _person(entity: Entity | None, request: Request) -> dict | None:
    if entity is None:
        return None
    kind = "Person" if entity.kind == "person" else "Organization"
    return {"@type": kind, "@id": _url(request, f"/entities/{entity.id}"), "name": entity.name}


def _publisher(outlet: Outlet | None) -> dict | None:
    if outlet is None:
        return None
    org = {"@type": "NewsMediaOrganization", "name": outlet.name}
    if outlet.domain:
        org["url"] = f"https://{outlet.domain}"
    return org


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _article(request: Request, article_id: int, title: str | None, url: str | None, published: date | None,
             outlet: Outlet | None) -> dict:
    doc = {"@type": "NewsArticle", "@id": _url(request, f"/articles/{article_id}"), "headline": title,
           "url": url, "datePublished": _day(published), "publisher": _publisher(outlet)}
    return {k: v for k, v in doc.items() if v is not None}


def _clean(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if v is not None and v != []}


def quote_document(row: QuoteRow, request: Request) -> dict:
    q, speaker = row.quote, _person(row.speaker, request)
    return _clean({
        "@context": CONTEXT,
        "@type": "Quotation",
        "@id": _url(request, f"/quotes/{q.id}"),
        "text": q.text,
        "creator": speaker,
        "spokenByCharacter": speaker,
        "isPartOf": _article(request, row.article.id, row.article.title, row.article.url, row.article.published,
                             row.outlet),
        "datePublished": _day(row.article.published),
        "publisher": _publisher(row.outlet),
        "isBasedOn": _url(request, f"/utterances/{q.utterance_id}") if q.utterance_id else None,
    })


def utterance_document(detail: UtteranceDetail, request: Request) -> dict:
    u, speaker = detail.row.utterance, _person(detail.row.speaker, request)
    articles: dict[int, dict] = {}
    for variant in detail.variants:
        for o in variant.occurrences:
            articles.setdefault(o.article_id, _article(request, o.article_id, o.article_title, None, o.published,
                                                       o.outlet))
    return _clean({
        "@context": CONTEXT,
        "@type": "Quotation",
        "@id": _url(request, f"/utterances/{u.id}"),
        "text": u.canonical_text,
        "creator": speaker,
        "spokenByCharacter": speaker,
        "isPartOf": list(articles.values()),
        "datePublished": _day(u.first_published),
        "publisher": _publisher(detail.row.first_outlet),
        "workExample": [{"@type": "Quotation", "text": v.text,
                         "@id": _url(request, f"/quotes/{v.quote_ids[0]}")} for v in detail.variants],
    })
