"""Reported speech without quotation marks: "Putin said he understood China's concerns", "according to X, …".

The content clause (the verb's clausal complement, or the main clause around "according to X") is the span.
Only verbs of saying and believing with a stated source count, so narration is not mistaken for a claim.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from app.pipeline.attribution import Attributor
from app.pipeline.types import Mention, QuoteRecord

REPORTING_VERBS = frozenset("""
say tell add claim explain note argue insist warn deny admit acknowledge reveal declare announce report confirm
believe think suggest predict complain tweet write state assert maintain contend agree testify concede allege
boast hint recall reiterate emphasize emphasise stress promise pledge vow estimate expect hope fear worry feel
know understand indicate signal conclude observe remark respond reply answer ask urge caution charge accuse
""".split())
MIN_CONTENT_TOKENS = 3


def _content(span: Span, mask: list[bool]) -> Span | None:
    """Trim a content clause and reject it when it is mostly a direct quote (counted there instead)."""
    doc = span.doc
    start, end = span.start, span.end
    while start < end and (doc[start].is_punct or doc[start].dep_ == "mark" and doc[start].lower_ == "that"):
        start += 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    if end - start < MIN_CONTENT_TOKENS:
        return None
    quoted = sum(mask[i] for i in range(start, end))
    if quoted * 2 >= end - start:
        return None
    return doc[start:end]


def reported_speech(doc: Doc, attributor: Attributor, mask: list[bool], body_start: int) -> list[QuoteRecord]:
    out: list[QuoteRecord] = []
    taken: set[int] = set()
    for tok in doc:
        if tok.idx < body_start or mask[tok.i]:
            continue
        content = source = None
        cue_text = None
        if tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in REPORTING_VERBS:
            comp = next((c for c in tok.children if c.dep_ == "ccomp" and c.i > tok.i), None)
            if comp is None:
                continue
            source = attributor.subject_of(tok)
            content = _content(doc[comp.left_edge.i:comp.right_edge.i + 1], mask)
            cue_text = tok.text
        elif tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
            source = next((c for c in to.children if c.dep_ == "pobj"), None)
            prep = tok if tok.dep_ == "prep" else tok.head if tok.head.dep_ == "prep" else tok
            clause_head = prep.head
            sent = tok.sent
            if clause_head.i == prep.i:
                continue
            # the clause the phrase attaches to, minus the "according to X" phrase itself
            lo, hi = clause_head.left_edge.i, clause_head.right_edge.i + 1
            a_lo, a_hi = prep.left_edge.i, prep.right_edge.i + 1
            if a_lo <= lo:
                lo = a_hi
            elif a_hi >= hi:
                hi = a_lo
            lo, hi = max(lo, sent.start), min(hi, sent.end)
            content = _content(doc[lo:hi], mask) if hi > lo else None
            cue_text = "according to"
        if content is None or source is None or content.start in taken:
            continue
        taken.update(range(content.start, content.end))
        mention = attributor.mention_span(source)
        cluster = attributor.resolve(source)
        sent = content.sent
        out.append(QuoteRecord(
            start=content.start_char, end=content.end_char, text=content.text, kind="indirect", cue=cue_text,
            speaker=cluster.best_name if cluster else mention.text, speaker_key=cluster.key if cluster else None,
            speaker_mention=Mention(mention.start_char, mention.end_char, mention.text),
            sentence_start=sent.start_char, sentence_end=sent.end_char, where=attributor.where(sent, tok),
        ))
    return out
