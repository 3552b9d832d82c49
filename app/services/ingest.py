"""Ingest: files -> extraction -> one transaction per article.

This module owns the commit. Each article (outlet, article, entities, aliases, mentions, quotes) is written and
committed on its own, so a failure rolls back that article only and the batch goes on. Re-ingesting is a no-op:
an article whose cleaned text hashes to a stored `content_hash` is counted as unchanged.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Iterator
from itertools import tee
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from app.core.config import Settings, get_settings
from app.db import serialize_writes
from app.models import Article
from app.pipeline.types import Extraction
from app.services.entities import upsert_entities
from app.services.outlets import get_or_create_outlet
from app.services.plain_sql import PlainSql
from app.services.resolution import load_curated, resolve_entities
from app.services.sources import Document, Skip, discover, read_documents
from app.services.utterances import group_article, regroup_speakers

ProgressFn = Callable[[int, int, str], None]   # (files done, files in total, file just done)


class ExtractorLike(Protocol):
    def extract_each(self, raws: Iterable[str]) -> Iterator[Extraction | Exception]: ...


@dataclass(slots=True)
class IngestReport:
    articles_ingested: int = 0
    articles_unchanged: int = 0      # already in the database (same cleaned text)
    quotes: int = 0                  # quotes stored by this run
    entities: int = 0                # entities created by this run (existing ones merged into are not counted)
    entities_merged: int = 0         # entities the resolution pass after the batch folded into others
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (source, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (source, what was dropped); article stored
    article_ids: list[int] = field(default_factory=list)           # stored or already stored, in input order


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    session_factory: Callable[[], Session],
    extractor: ExtractorLike | None = None,
    progress: ProgressFn | None = None,
    settings: Settings | None = None,
    workers: int = 1,
) -> IngestReport:
    """Ingest every article found under `paths`; bad inputs are reported in `skipped`, never raised.

    Texts stream through extraction in batches (spaCy's nlp.pipe), on `workers` processes when more than one;
    this process stays the only writer and stores each article in its own transaction as its extraction arrives.
    """
    settings = settings or get_settings()
    report = IngestReport()
    sources, refused = discover(paths)
    report.skipped.extend((s.source, s.reason) for s in refused)

    def accepted() -> Iterator[tuple[Document, int, str]]:  # (document, files started, file label)
        for done, source in enumerate(sources, 1):
            for item in read_documents(source, max_bytes=settings.max_file_bytes):
                if isinstance(item, Skip):
                    report.skipped.append((item.source, item.reason))
                    continue
                report.warnings.extend((item.source, w) for w in item.warnings)
                reason = refusal(item, settings)
                if reason:
                    report.skipped.append((item.source, reason))
                    continue
                yield item, done, source.label

    from app.pipeline.extract import EXTRACTOR_VERSION

    staged, for_text = tee(accepted())
    extractions = _extract_texts((doc.raw for doc, _, _ in for_text), extractor, workers,
                                 settings.spacy_model)
    for (doc, done, label), extraction in zip(staged, extractions):
        _store_document(doc, extraction, session_factory, EXTRACTOR_VERSION, report,
                        settings.max_quotes_per_article)
        if progress is not None:
            progress(done, len(sources), label)
    if progress is not None and sources:
        progress(len(sources), len(sources), sources[-1].label)
    # also when every article was already stored: a run killed after its last commit never resolved them
    if report.articles_ingested or report.articles_unchanged:
        _resolve(session_factory, settings, report)
    return report


def _extract_texts(raws: Iterator[str], extractor: ExtractorLike | None, workers: int,
                   model: str) -> Iterator[Extraction | Exception]:
    """The extraction of each text (or the exception extraction raised), in input order."""
    if workers > 1:
        from app.pipeline.parallel import extract_parallel

        return extract_parallel(raws, workers=workers, model=model)
    if extractor is None:
        from app.pipeline.extract import get_extractor

        extractor = get_extractor()
    return extractor.extract_each(raws)


def _resolve(session_factory: Callable[[], Session], settings: Settings, report: IngestReport) -> None:
    """Cross-article resolution over the whole database, in its own transaction after the batch: the articles
    are already committed, so a failure here leaves them stored and merely less merged (`entities rebuild`)."""
    with session_factory() as session:
        try:
            result = resolve_entities(session=session, curated=load_curated(settings.entities_path))
            session.commit()
        except (SQLAlchemyError, ValueError, OSError) as exc:
            session.rollback()
            report.skipped.append(("(entity resolution)", f"{type(exc).__name__}: {str(exc)[:200]}"))
            return
    report.entities_merged = result.merged
    if result.regroup:  # statements grouped under the old speaker ids are grouped again under the new ones
        regroup_speakers(session_factory, result.regroup)
QUOTE_MARKS = '"“”„‟″'


def refusal(doc: Document, settings: Settings) -> str | None:
    """Why an article is refused before extraction (limits from the settings), or None."""
    if len(doc.raw) > settings.max_article_chars:
        return f"text too long ({len(doc.raw)} chars; limit {settings.max_article_chars})"
    if "\x00" in doc.raw:   # as a file holding one is (sources.decode_text); PostgreSQL cannot store it either
        return "binary text (contains NUL characters)"
    longest = max((len(line) for line in doc.raw.splitlines()), default=0)
    if longest > settings.max_line_chars:
        return f"a line of {longest} chars (limit {settings.max_line_chars}): not article text"
    marks = sum(doc.raw.count(mark) for mark in QUOTE_MARKS) + doc.raw.count("''")  # '' reads as a double mark
    if marks > settings.max_quote_marks:
        return f"too many quotation marks ({marks}; limit {settings.max_quote_marks})"
    return None


def ingest_document(
    doc: Document, *, session_factory: Callable[[], Session], extractor: ExtractorLike,
    settings: Settings | None = None, report: IngestReport | None = None,
) -> IngestReport:
    """Check limits, extract and store one article (its own transaction); the outcome is added to `report`.

    The CLI (through ingest_paths) and POST /articles both come through here.
    """
    from app.pipeline.extract import EXTRACTOR_VERSION

    settings = settings or get_settings()
    report = report if report is not None else IngestReport()
    report.warnings.extend((doc.source, w) for w in doc.warnings)
    reason = refusal(doc, settings)
    if reason:
        report.skipped.append((doc.source, reason))
    else:
        extraction = next(extractor.extract_each([doc.raw]))
        _store_document(doc, extraction, session_factory, EXTRACTOR_VERSION, report,
                        settings.max_quotes_per_article)
    return report


def stored_article_id(session: Session, digest: str) -> int | None:
    """The id of the stored article whose cleaned text has this hash, if any (plain SQL: through the ORM this
    one lookup per article cost ~1 ms, most of it building and compiling the statement)."""
    return PlainSql(session.connection()).scalar("SELECT id FROM article WHERE content_hash = ?", (digest,))


def _store_document(
    doc: Document, extraction: Extraction | Exception, session_factory: Callable[[], Session], version: str,
    report: IngestReport, max_quotes: int,
) -> None:
    if isinstance(extraction, Exception):  # one article the pipeline cannot handle must not stop the batch
        report.skipped.append((doc.source, f"extraction failed: {type(extraction).__name__}: {extraction}"))
        return
    if not extraction.text.strip():
        report.skipped.append((doc.source, "no article text left after cleaning"))
        return
    if len(extraction.quotes) > max_quotes:
        report.warnings.append((doc.source, f"{len(extraction.quotes)} quotes found; only the first {max_quotes} "
                                            f"stored (max_quotes_per_article)"))
        extraction = dataclasses.replace(extraction, quotes=extraction.quotes[:max_quotes])
    digest = content_hash(extraction.text)

    with session_factory() as session:
        try:
            serialize_writes(session)
            existing = stored_article_id(session, digest)
            if existing is not None:
                report.articles_unchanged += 1
                report.article_ids.append(existing)
                return
            stored_id, quotes, new_entities = store_article(
                session=session, doc=doc, extraction=extraction, digest=digest, version=version
            )
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = stored_article_id(session, digest)
            if existing is not None:  # a concurrent run stored it
                report.articles_unchanged += 1
                report.article_ids.append(existing)
            else:
                report.skipped.append((doc.source, "database integrity error; article rolled back"))
            return
        except Exception as exc:  # roll back this article only; the batch goes on
            session.rollback()
            what = "database error" if isinstance(exc, SQLAlchemyError) else "could not store"
            detail = str(exc).splitlines()[0][:200] if str(exc) else ""
            report.skipped.append((doc.source, f"{what}: {type(exc).__name__} {detail}".rstrip()
                                   + "; article rolled back"))
            return
    report.articles_ingested += 1
    report.article_ids.append(stored_id)
    report.quotes += quotes
    report.entities += new_entities


def store_article(
    *, session: Session, doc: Document, extraction: Extraction, digest: str, version: str
) -> tuple[int, int, int]:
    """Add one article and everything extracted from it (flushes, does not commit). Returns (article id, quotes,
    new entities)."""
    outlet = get_or_create_outlet(session=session, name=doc.outlet, domain=doc.outlet_domain)
    article = Article(
        title=doc.title or extraction.title,
        url=doc.url,
        published=doc.published,
        language=doc.language,
        outlet_id=outlet.id if outlet else None,
        text=extraction.text,
        content_hash=digest,
        source_file=doc.source,
        extractor_version=version,
    )
    session.add(article)
    session.flush()
    # read once: grouping expires the session's objects, and reading an attribute then reloads the whole row
    article_id, outlet_id, published = article.id, article.outlet_id, article.published

    entity_ids, new_entities = upsert_entities(session=session, records=extraction.entities)
    # plain executemany inserts on the driver (services/plain_sql.py), not ORM objects: building thousands of
    # SQLModel instances (validation, attribute instrumentation, unit of work) cost more than the SQL itself;
    # nothing reads these rows back as objects in this transaction
    sql = PlainSql(session.connection())
    mentions, roles = [], []
    for record in extraction.entities:
        entity_id = entity_ids[record.key]
        mentions.extend((entity_id, article_id, m.start, m.end, m.text) for m in record.mentions)
        roles.extend((entity_id, article_id, r.role, r.affiliation, r.mention.start, r.mention.end, r.mention.text)
                     for r in record.roles)
    sql.executemany('INSERT INTO mention (entity_id, article_id, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                    mentions)
    sql.executemany("INSERT INTO entity_role (entity_id, article_id, role, affiliation, mention_start, mention_end, "
                    "mention_text) VALUES (?, ?, ?, ?, ?, ?, ?)", roles)

    text = extraction.text
    published = sql.bind_date(published)
    quotes = []
    for q in extraction.quotes:
        mention = q.speaker_mention
        quotes.append((
            article_id, entity_ids.get(q.speaker_key) if q.speaker_key else None, outlet_id, published,
            q.text, q.kind, q.start, q.end, q.cue,
            mention.text if mention else None, mention.start if mention else None, mention.end if mention else None,
            text[q.sentence_start:q.sentence_end] or None, q.where, version,
        ))
    sql.executemany('INSERT INTO quote (article_id, speaker_id, outlet_id, published, text, kind, start, "end", cue, '
                    "speaker_text, speaker_start, speaker_end, sentence, where_said, extractor_version) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", quotes)
    group_article(session, article_id)  # same transaction: the article's quotes join their statements
    return article_id, len(extraction.quotes), new_entities
