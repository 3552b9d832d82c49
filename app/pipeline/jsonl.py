"""The `whosaid extract --jsonl` record: the contract scored by shared/eval/score_quotes.py.

Offsets are Python str indices into the raw file text; `text` is exactly raw[start:end].
"""
from __future__ import annotations

from app.pipeline.clean import Cleaned
from app.pipeline.types import Extraction


def extraction_record(doc: str, raw: str, extraction: Extraction, cleaned: Cleaned) -> dict:
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
