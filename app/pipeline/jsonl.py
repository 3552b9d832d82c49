"""The `whosaid extract --jsonl` record: the contract scored by shared/eval/score_quotes.py.

One record per document: {"doc": <file stem>, "quotes": [{"start", "end", "text", "speaker", "speaker_start",
"speaker_end", "kind", "cue", "where"}]}. Offsets are Python str indices into the raw file text; `text` is
exactly raw[start:end], without the enclosing quotation marks.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from app.pipeline.clean import Cleaned
from app.pipeline.extract import Extractor, get_extractor
from app.pipeline.types import Extraction


def to_record(doc: str, raw: str, extraction: Extraction, cleaned: Cleaned) -> dict:
    quotes = []
    for q in extraction.quotes:
        start, end = cleaned.span_to_raw(q.start, q.end)
        item = {"start": start, "end": end, "text": raw[start:end], "speaker": q.speaker,
                "speaker_start": None, "speaker_end": None, "kind": q.kind, "cue": q.cue, "where": q.where}
        if q.speaker_mention is not None:
            item["speaker_start"], item["speaker_end"] = cleaned.span_to_raw(q.speaker_mention.start,
                                                                              q.speaker_mention.end)
        quotes.append(item)
    return {"doc": doc, "quotes": quotes}


def extraction_records(docs: Iterable[tuple[str, str]], extractor: Extractor | None = None) -> Iterator[dict]:
    """Records for (name, raw text) pairs, extracted in batches."""
    extractor = extractor or get_extractor()
    docs = list(docs)
    results = extractor.extract_with_offsets(raw for _, raw in docs)
    for (name, raw), (extraction, cleaned) in zip(docs, results):
        yield to_record(name, raw, extraction, cleaned)


def extraction_record(doc: str, raw: str, extractor: Extractor | None = None) -> dict:
    return next(extraction_records([(doc, raw)], extractor))
