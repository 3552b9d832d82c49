"""Finding and reading input files for ingest: folders with a manifest.json, loose .txt/.html/.json/.jsonl files.

Reading never raises for a bad file: it yields `Skip(source, reason)` so one broken file cannot stop a batch.
Metadata that a source does not give stays None; nothing is guessed here.
"""
from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".json", ".jsonl"}
MANIFEST = "manifest.json"
# Byte-order marks of the encodings other than UTF-8 that text editors save (UTF-32 first: its LE mark starts
# with UTF-16's). A file without one of these must be UTF-8.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
HTML_START = ("<!doctype html", "<html")


@dataclass(slots=True)
class Skip:
    source: str
    reason: str


@dataclass(slots=True)
class SourceFile:
    """One file to read, with the metadata its folder's manifest gives for it."""

    path: Path
    meta: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(self.path)


@dataclass(slots=True)
class Document:
    """One article's raw text and metadata, ready for extraction."""

    source: str                      # file path, or path#line for JSON Lines
    raw: str
    title: str | None = None
    outlet: str | None = None
    outlet_domain: str | None = None
    published: date | None = None
    url: str | None = None
    language: str | None = None
    warnings: list[str] = field(default_factory=list)   # metadata that was given but unusable


# ---------- discovery ----------

def discover(paths: Iterable[str | Path]) -> tuple[list[SourceFile], list[Skip]]:
    """Expand the paths given on the command line into files to read, and the ones refused outright."""
    sources: list[SourceFile] = []
    skipped: list[Skip] = []
    for given in paths:
        path = Path(given)
        if path.is_file() and path.name == MANIFEST:
            path = path.parent
        if path.is_dir():
            _discover_dir(path, sources, skipped)
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                sources.append(SourceFile(path))
            else:
                skipped.append(Skip(str(path), f"unsupported file type {path.suffix or '(none)'!r}"))
        else:
            skipped.append(Skip(str(path), "no such file or folder"))
    return sources, skipped


def _discover_dir(folder: Path, sources: list[SourceFile], skipped: list[Skip]) -> None:
    if (folder / MANIFEST).is_file():
        _read_manifest(folder, sources, skipped)
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir() and child.is_symlink():  # a link may loop back to a parent: never followed
            skipped.append(Skip(str(child), "symbolic link to a folder; not followed"))
        elif child.is_dir() and not child.name.startswith("."):
            _discover_dir(child, sources, skipped)
        elif child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
            sources.append(SourceFile(child))


def _read_manifest(folder: Path, sources: list[SourceFile], skipped: list[Skip]) -> None:
    """Only the files a manifest lists are read: it defines the corpus (a folder may hold notes or gold data)."""
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        skipped.append(Skip(str(manifest_path), f"unreadable manifest: {exc}"))
        return
    entries = manifest.get("articles") if isinstance(manifest, dict) else None
    if not isinstance(entries, list):
        skipped.append(Skip(str(manifest_path), "manifest has no 'articles' list"))
        return
    root = folder.resolve()
    for i, entry in enumerate(entries):
        name = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            skipped.append(Skip(f"{manifest_path}[{i}]", "manifest entry has no 'file'"))
            continue
        relative = Path(name)
        target = folder / relative
        if relative.is_absolute() or ".." in relative.parts or not target.resolve().is_relative_to(root):
            skipped.append(Skip(str(target), "path in manifest points outside its folder"))
            continue
        if not target.is_file():
            skipped.append(Skip(str(target), "listed in manifest.json but not found"))
            continue
        sources.append(SourceFile(target, meta=entry))


# ---------- reading ----------

def read_documents(source: SourceFile, *, max_bytes: int) -> Iterator[Document | Skip]:
    label = source.label
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            yield Skip(label, f"file too large ({size} bytes; limit {max_bytes})")
            return
        data = source.path.read_bytes()
    except OSError as exc:
        yield Skip(label, f"unreadable: {exc.strerror or exc}")
        return
    content = decode_text(data)
    if isinstance(content, Skip):
        yield Skip(label, content.reason)
        return
    if not content.strip():
        yield Skip(label, "empty file")
        return

    suffix = source.path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_documents(label, content, source.meta)
    elif suffix == ".json":
        yield from _json_documents(label, content, source.meta)
    elif suffix in HTML_SUFFIXES or content.lstrip()[:20].lower().startswith(HTML_START):  # HTML saved as .txt
        body, title = html_to_text(content)
        yield _document(label, body, {"title": title, **_present(source.meta)})
    else:
        yield _document(label, content, source.meta)


def decode_text(data: bytes) -> str | Skip:
    """UTF-8 (BOM optional), or UTF-16/32 when the file starts with their byte-order mark; a Skip (reason only)
    for anything binary or undecodable."""
    encoding = next((enc for bom, enc in BOMS if data.startswith(bom)), "utf-8-sig")
    if encoding == "utf-8-sig" and b"\x00" in data:
        return Skip("", "binary file (contains NUL bytes)")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
        return Skip("", f"not valid {name} (bad byte at offset {exc.start})")
    if "\x00" in text:
        return Skip("", "binary file (contains NUL bytes)")
    return text


def _jsonl_documents(label: str, content: str, meta: dict) -> Iterator[Document | Skip]:
    for lineno, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{label}#{lineno}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield Skip(where, f"invalid JSON: {exc}")
            continue
        yield _record_document(where, record, meta)


def _json_documents(label: str, content: str, meta: dict) -> Iterator[Document | Skip]:
    try:
        data = json.loads(content)
    except ValueError as exc:
        yield Skip(label, f"invalid JSON: {exc}")
        return
    if isinstance(data, list):
        for i, record in enumerate(data):
            yield _record_document(f"{label}[{i}]", record, meta)
    else:
        yield _record_document(label, data, meta)


def _record_document(where: str, record: object, meta: dict) -> Document | Skip:
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return Skip(where, "JSON record has no 'text' string")
    if not record["text"].strip():
        return Skip(where, "empty text")
    return _document(where, record["text"], {**_present(meta), **_present(record)})


def _present(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if v is not None}


def _document(source: str, raw: str, meta: dict) -> Document:
    published = parse_date(meta.get("published"))
    warnings = []
    if published is None and meta.get("published") not in (None, ""):
        warnings.append(f"published {str(meta['published'])[:40]!r} is not an ISO date; stored without a date")
    return Document(
        source=source,
        raw=raw,
        title=_text(meta.get("title")),
        outlet=_text(meta.get("outlet")),
        outlet_domain=_text(meta.get("outlet_domain") or meta.get("domain")),
        published=published,
        url=_text(meta.get("url")),
        language=_text(meta.get("language")),
        warnings=warnings,
    )


def _text(value: object) -> str | None:
    # a NUL (\u0000 in JSON) is never part of a title or a name, and PostgreSQL cannot store one
    return value.replace("\x00", "").strip() or None if isinstance(value, str) else None


def parse_date(value: object) -> date | None:
    """An ISO date, or the date part of an ISO timestamp; anything else is unknown (None)."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# ---------- HTML ----------

class _TextCollector(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "blockquote",
             "tr", "header", "footer", "figcaption", "ul", "ol", "table", "pre", "hr"}
    HIDDEN = {"script", "style", "noscript", "template", "svg", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Visible text of a page, one paragraph per block element, and its <title>."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    paragraphs = (" ".join(p.split()) for p in "".join(collector.parts).split("\n\n"))
    title = " ".join("".join(collector.title_parts).split()) or None
    return "\n\n".join(p for p in paragraphs if p), title
