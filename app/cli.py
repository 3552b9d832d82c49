"""The `whosaid` command line. Each command parses its arguments and calls a service; nothing else lives here.

Examples:
    whosaid db upgrade                      # create or migrate the database (WHOSAID_DATABASE_URL)
    whosaid db regroup                      # group all stored quotes into utterances again
    whosaid ingest seeds/ more/*.txt        # extract quotes and store them; safe to repeat
    whosaid serve --port 8000               # the REST API (docs at /docs)
    whosaid extract seeds/*.txt --jsonl     # quotes as JSON Lines, offsets into the raw files; no database
    whosaid run                             # db upgrade + ingest seeds/ + serve
    whosaid entities rebuild                # re-resolve entities over the whole database
"""
from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="whosaid: who said what, where, and in which outlet.", no_args_is_help=True,
                  add_completion=False)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
entities_app = typer.Typer(help="Entity resolution commands.", no_args_is_help=True)
app.add_typer(entities_app, name="entities")

# soft_wrap: a message is one line however long its file path, for scripts that read the output line by line
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PathsArg = Annotated[list[Path], typer.Argument(help="Files or folders (a folder's manifest.json gives metadata)")]
HostOpt = Annotated[str, typer.Option(help="Interface to listen on")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on")]


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Create the database or migrate it to the latest schema."""
    from sqlalchemy.engine import make_url

    from app.core.config import get_settings
    from app.db import upgrade_database

    upgrade_database(revision=revision)
    # a PostgreSQL URL may hold a password
    out.print(f"database at {revision}: {make_url(get_settings().database_url).render_as_string(hide_password=True)}")


@db_app.command("regroup")
def db_regroup(
    speaker: Annotated[list[int] | None, typer.Option(help="Only the quotes of this speaker entity id (repeatable)")]
    = None,
) -> None:
    """Group stored quotes into utterances again: all of them (after upgrading a database ingested before
    utterances existed), or those of some speakers (after their entities were merged or split)."""
    from app.db import session_factory, upgrade_database
    from app.services.utterances import regroup_all, regroup_speakers

    upgrade_database()
    total = regroup_speakers(session_factory(), speaker) if speaker else regroup_all(session_factory())
    out.print(f"utterances: {total}")


@entities_app.command("rebuild")
def entities_rebuild() -> None:
    """Re-resolve every stored mention into entities (merges across all articles, names, aliases, roles)."""
    from app.core.config import get_settings
    from app.db import session_factory, upgrade_database
    from app.services.resolution import load_curated, resolve_entities

    upgrade_database()
    settings = get_settings()
    with session_factory()() as session:
        report = resolve_entities(session=session, curated=load_curated(settings.entities_path))
        session.commit()
    if report.regroup:  # their statements were grouped under the old speaker ids
        from app.services.utterances import regroup_speakers

        regroup_speakers(session_factory(), report.regroup)
    out.print(f"entities: {report.entities_before} before, {report.entities_after} after "
              f"({report.merged} merged); curated entries matched: {report.curated_matches}")


WorkersOpt = Annotated[int, typer.Option(
    "--workers", "-w", min=1, help="Processes extracting in parallel (each loads its own spaCy model; "
    "this process stays the only database writer). 1 extracts in this process.")]


@app.command()
def ingest(paths: PathsArg, workers: WorkersOpt = 1) -> None:
    """Extract quotes from articles and store them. Already-ingested articles are skipped.

    Exits non-zero only when nothing could be ingested and some input was refused.
    """
    report = _ingest(paths, workers)
    if report.articles_ingested == 0 and report.articles_unchanged == 0 and report.skipped:
        raise typer.Exit(code=1)


@app.command()
def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (one core each); see README, PostgreSQL")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request to stderr (costs CPU per request; "
                                                  "README, Performance, is measured without it)")] = True,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs). The database is migrated at start-up."""
    import uvicorn

    if workers > 1:  # migrate once here, so that the workers starting together all find the database at head
        from app.db import upgrade_database

        upgrade_database()
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, access_log=access_log)


@app.command()
def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="What to ingest first")] = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Migrate, ingest (seeds/ by default), then serve."""
    _ingest(paths or [Path("seeds")])
    serve(host=host, port=port)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(
        help="Files: .txt (any other name is read as text too), .html/.htm, .json/.jsonl records with a 'text'; "
             "a folder means its files of those types, as `ingest` finds them")],
    jsonl: Annotated[bool, typer.Option("--jsonl", help=(
        "One JSON record per document; offsets into the raw text of a text file, into the visible text of a "
        "page, into the 'text' of a JSON record"))] = False,
) -> None:
    """Print the quotes found in articles, without touching the database."""
    docs, failed = _read_texts(paths)
    if docs:
        if jsonl:
            from app.pipeline.jsonl import extraction_records

            for record in extraction_records(docs):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            from app.pipeline.extract import get_extractor

            extractor = get_extractor()
            for name, raw in docs:
                _print_extraction(name, extractor.extract(raw))
    if failed:
        raise typer.Exit(code=1)


# ---------- helpers ----------

def _ingest(paths: list[Path], workers: int = 1):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from app.db import session_factory, upgrade_database
    from app.pipeline.extract import get_extractor
    from app.services.ingest import ingest_paths

    upgrade_database()
    extractor = None  # with workers, each worker process loads its own
    if workers == 1:
        with err.status("loading the language model…", spinner="dots") if err.is_terminal else nullcontext():
            extractor = get_extractor()
    if err.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("ingesting", total=None)

            def progress(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=f"ingesting {Path(label).name}")

            report = ingest_paths(paths, session_factory=session_factory(), extractor=extractor, progress=progress,
                                  workers=workers)
    else:
        report = ingest_paths(paths, session_factory=session_factory(), extractor=extractor, workers=workers)
    _print_report(report)
    return report


def _print_report(report) -> None:
    out.print(f"articles ingested: {report.articles_ingested}")
    out.print(f"articles unchanged (already ingested): {report.articles_unchanged}")
    out.print(f"quotes stored: {report.quotes}")
    out.print(f"entities created: {report.entities}")
    out.print(f"entities merged across articles: {report.entities_merged}")
    out.print(f"files skipped: {len(report.skipped)}")
    for source, reason in report.skipped:
        out.print(f"  skipped {source}: {reason}", markup=False)
    for source, warning in report.warnings:
        out.print(f"  warning {source}: {warning}", markup=False)


def _read_texts(paths: list[Path]) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, text) of each document to extract, and what could not be read (each reported on stderr).

    A text file is read as it is, so that offsets point into the file (benchmarks/score_quotes.py checks them);
    pages and JSON records are read as `ingest` reads them (app/services/sources.py), so a page's offsets point
    into its visible text and a record's into its "text". Names are file stems; a JSON Lines record is
    stem#line, an item of a JSON array stem[i]."""
    from app.core.config import get_settings
    from app.services.sources import (MANIFEST, SUPPORTED_SUFFIXES, TEXT_SUFFIXES, Skip, SourceFile, discover,
                                      read_documents)

    sources: list[SourceFile] = []
    failed: list[str] = []

    def skipped(source: str, reason: str) -> None:
        err.print(f"skipped {source}: {reason}", markup=False)
        failed.append(source)

    for path in paths:
        if path.is_file() and path.name != MANIFEST:
            sources.append(SourceFile(path))   # an explicit file is read whatever its name
            continue
        found, refused = discover([path])
        sources.extend(found)
        for skip in refused:
            skipped(skip.source, skip.reason)
    docs = []
    for source in sources:
        path = source.path
        if path.suffix.lower() not in SUPPORTED_SUFFIXES - TEXT_SUFFIXES:   # not a page or JSON: text as it is
            try:
                docs.append((path.stem, path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                skipped(str(path), str(exc))
            continue
        for item in read_documents(source, max_bytes=get_settings().max_file_bytes):
            if isinstance(item, Skip):
                skipped(item.source, item.reason)
            else:
                docs.append((path.stem + item.source.removeprefix(source.label), item.raw))
    return docs, failed


def _print_extraction(name: str, extraction) -> None:
    table = Table(title=f"{name}: {extraction.title or '(no title)'}", show_lines=True, expand=True)
    table.add_column("quote", ratio=5)
    table.add_column("speaker", ratio=2)
    table.add_column("kind")
    table.add_column("cue")
    for q in extraction.quotes:
        table.add_row(q.text, q.speaker or "—", q.kind, q.cue or "")
    out.print(table)
    out.print(f"{len(extraction.quotes)} quotes, {len(extraction.entities)} entities\n")


# ---------- API keys ----------

keys_app = typer.Typer(help="API keys for the write endpoints (POST /articles).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _key_session():
    from sqlmodel import Session

    from app.db import get_engine, upgrade_database

    upgrade_database()
    return Session(get_engine())


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Argument(help="Who the key is for, e.g. 'factcheck-bot'")]) -> None:
    """Create a key and print it. It is shown only this once: the database keeps a hash of it."""
    from app.services.api_keys import DuplicateKeyName, create_key

    with _key_session() as session:
        try:
            new = create_key(session=session, name=name)
        except (DuplicateKeyName, ValueError) as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(code=1) from None
    err.print(f"API key {new.row.name!r} created; store it now, it cannot be shown again:", markup=False)
    sys.stdout.write(new.key + "\n")


@keys_app.command("list")
def keys_list() -> None:
    """Names, creation and revocation times of every key (never the keys)."""
    from app.services.api_keys import list_keys

    with _key_session() as session:
        for row in list_keys(session=session):
            state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            out.print(f"{row.name}\tcreated {row.created_at:%Y-%m-%d %H:%M}\t{state}", markup=False)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="Name given at creation")]) -> None:
    """Revoke a key: requests with it get 403 from now on."""
    from app.errors import NotFound
    from app.services.api_keys import revoke_key

    with _key_session() as session:
        try:
            revoke_key(session=session, name=name)
        except NotFound as exc:
            err.print(exc.detail, markup=False)
            raise typer.Exit(code=1) from None
    out.print(f"API key {name!r} revoked", markup=False)


if __name__ == "__main__":  # pragma: no cover
    app()
