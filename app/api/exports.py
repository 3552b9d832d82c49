"""Quote exports: CSV and NDJSON bodies produced row by row from an iterator (constant memory)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from app.api.schemas import QuotePublic

CSV_COLUMNS = ["id", "text", "kind", "cue", "speaker_id", "speaker_name", "speaker_kind", "speaker_mention",
               "article_id", "article_title", "article_url", "published", "outlet_id", "outlet_name",
               "outlet_domain", "start", "end", "where", "sentence"]
CHUNK_ROWS = 100  # rows per chunk written to the socket


def csv_row(q: QuotePublic) -> list:
    return [q.id, q.text, q.kind, q.cue,
            q.speaker.id if q.speaker else None, q.speaker.name if q.speaker else None,
            q.speaker.kind if q.speaker else None, q.speaker_mention.text if q.speaker_mention else None,
            q.article.id, q.article.title, q.article.url,
            q.article.published.isoformat() if q.article.published else None,
            q.outlet.id if q.outlet else None, q.outlet.name if q.outlet else None,
            q.outlet.domain if q.outlet else None, q.start, q.end, q.where, q.sentence]


def csv_chunks(quotes: Iterable[QuotePublic]) -> Iterator[str]:
    """RFC 4180 CSV with a header line; newlines inside quotes stay inside their quoted field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n, quote in enumerate(quotes, 1):
        writer.writerow(csv_row(quote))
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def ndjson_chunks(quotes: Iterable[QuotePublic]) -> Iterator[str]:
    """One JSON object per line, each the same shape as an item of GET /quotes."""
    lines: list[str] = []
    for quote in quotes:
        lines.append(quote.model_dump_json(exclude={"highlight"}) + "\n")
        if len(lines) >= CHUNK_ROWS:
            yield "".join(lines)
            lines = []
    yield "".join(lines)
