"""Ingest one article sent to the API, through the same path as `whosaid ingest` (services/ingest.py).

The extractor (spaCy) is loaded on the first write only, so a server that only answers reads never loads it.
One lock serialises extraction: a spaCy pipeline is not meant to be shared by threads, and SQLite takes one
writer at a time anyway.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from app.core.config import get_settings
from app.db import session_factory
from app.services.ingest import ingest_document
from app.services.sources import Document

_lock = threading.Lock()


@dataclass(slots=True)
class Submitted:
    article_id: int | None        # None when refused
    created: bool
    quotes: int
    warnings: list[str]
    refused: str | None = None    # why the article was not stored


def submit_article(
    *, text: str, title: str | None = None, outlet: str | None = None, outlet_domain: str | None = None,
    published: date | None = None, url: str | None = None, language: str | None = None,
    database_url: str | None = None,
) -> Submitted:
    from app.pipeline.extract import get_extractor  # imported here: importing it loads spaCy

    doc = Document(source="POST /articles", raw=text, title=title, outlet=outlet, outlet_domain=outlet_domain,
                   published=published, url=url, language=language)
    with _lock:
        report = ingest_document(doc, session_factory=session_factory(database_url), extractor=get_extractor(),
                                 settings=get_settings())
    warnings = [w for _, w in report.warnings]
    if report.skipped:
        return Submitted(article_id=None, created=False, quotes=0, warnings=warnings, refused=report.skipped[0][1])
    return Submitted(article_id=report.article_ids[0], created=report.articles_ingested == 1, quotes=report.quotes,
                     warnings=warnings)
