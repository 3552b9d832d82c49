"""Which representation a client asked for: a `format` parameter wins, else the Accept header (RFC 9110
proactive negotiation with q-values), else JSON."""
from __future__ import annotations

from app.errors import NotAcceptable

# media type -> format name; the first one is the default
MEDIA_TYPES = {
    "application/json": "json",
    "text/csv": "csv",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
}
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


def _accepted(accept: str) -> list[tuple[float, int, str]]:
    """(q, -position, media range) for each entry of an Accept header, best first; q=0 entries dropped."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranges.append((q, -position, media.lower()))
    return sorted(ranges, reverse=True)


def choose_format(fmt: str | None, accept: str | None) -> str:
    if fmt:
        return fmt
    if not accept or not accept.strip():
        return "json"
    for _q, _pos, media in _accepted(accept):
        if media in MEDIA_TYPES:
            return MEDIA_TYPES[media]
        if media in ("*/*", "application/*", "application/problem+json"):
            return "json"
        if media == "text/*":
            return "csv"
    raise NotAcceptable(list(dict.fromkeys(MEDIA_TYPES)))
