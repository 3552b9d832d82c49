"""Raw article text -> Extraction (cleaned text, quotes with speakers, entities). No database here."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from itertools import islice
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from app.pipeline.attribution import Attribution, Attributor
from app.pipeline.clean import Cleaned, clean
from app.pipeline.entities import recognise, to_records
from app.pipeline.nlp import load_nlp
from app.pipeline.quotes import QuoteSpan, quote_spans
from app.pipeline.reported import LABEL_STOP, reported_speech
from app.pipeline.types import Extraction, Mention, QuoteRecord

EXTRACTOR_VERSION = "whosaid-rules-0.2"
SPEECH_MIN_WORDS = 4
INTERRUPTION_MAX_WORDS = 12   # words of an attribution that interrupts one statement (“A,” Mr. X, a …, said, “b”)
QUOTE_MARK_CHARS = "\"“”‘’'"


def headline_end(text: str) -> int:
    """End offset of the headline line: the first line when it stands alone as a short title."""
    first_nl = text.find("\n")
    if first_nl < 0:
        return 0
    first = text[:first_nl].strip()
    rest = text[first_nl + 1:]
    standalone = rest.startswith("\n") or rest.startswith("\r")
    if first and len(first.split()) <= 25 and (standalone or not first.endswith((".", "”", '"'))):
        return first_nl
    return 0


def is_section_heading(text: str, lo: int, hi: int) -> bool:
    """A short standalone line in the body that reads like a heading ("What does China want ...?")."""
    line = text[lo:hi].strip()
    before = text[max(0, lo - 2):lo]
    after = text[hi:hi + 2]
    inner = line[1:-1]
    if line[:1] in QUOTE_MARK_CHARS and line[-1:] in QUOTE_MARK_CHARS and not any(m in inner for m in "\"“”"):
        line = inner.strip("'‘’")  # a heading may be quoted as a whole: 'Legend in the Coal Fields.'
    words = line.split()
    if not words or len(words) > 14 or not (before.endswith("\n\n") or lo == 0) or not after.startswith("\n\n"):
        return False
    content_words = [w for w in words if w.lower() not in TITLE_SMALL_WORDS] or words  # "in", "the" may be lower
    capitalised = sum(w[:1].isupper() for w in content_words) / len(content_words)
    label = line.partition(":")[0].split() if ":" in line else []
    # a label before a colon ("Analysis: …", "Xi Jinping: …"), not a sentence ("Mark Evans said: “…”")
    labelled = 0 < len(label) <= 4 and all(w[:1].isupper() or not w[:1].isalpha() for w in label)
    return line.endswith("?") or capitalised > 0.6 or labelled


TITLE_SMALL_WORDS = frozenset("a an the and or of in on at to for with by from is it as but nor vs via de n".split())
# words after which a quoted Title Case phrase names a show, book or song ("on CNN’s “State of the Union”")
TITLE_CONTEXT = frozenset("""on in at from titled entitled headlined show program series book film movie song album
article column essay sings sang starred anthem episode broadcast edition segment podcast documentary""".split())
# ... or the words after it (“Keepin' It Real” radio program), or the kind of name it ends with (a “… Forum”)
TITLE_FOLLOWERS = frozenset("radio program programme show podcast series book song column documentary film movie album "
                            "segment broadcast".split())
EVENT_NAMES = frozenset("Forum Summit Conference Convention Show Hour Awards Festival Tour Series".split())
WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")


def is_title(text: str, q: QuoteSpan) -> bool:
    """A quoted Title Case name of a programme, book or song, given by the words before it: a title, not speech."""
    inner = text[q.start:q.end]
    words = WORD.findall(inner)
    if not 2 <= len(words) <= 12 or re.search(r"[!?;:]|\.\s+\S", inner):
        return False
    if not all(w[0].isupper() or w[0].isdigit() or w.lower() in TITLE_SMALL_WORDS for w in words):
        return False
    # (the first apostrophe of a '' mark is not a word)
    before = re.findall(r"[\w’']+", text[max(0, q.open_mark - 40):q.open_mark].rstrip("'"))
    prev = before[-1] if before else ""
    if prev.lower() == "of" and len(before) > 1:  # "on this weekend's broadcast of “Fox News Sunday”"
        prev = before[-2]
    close = q.close_mark + 1 if q.close_mark is not None else q.end
    after = re.findall(r"[\w’']+", text[close:close + 30].lstrip("'"))
    return (prev.lower() in TITLE_CONTEXT or (prev[:1].isupper() and prev.endswith(("’s", "'s")))
            or (after[:1] and after[0].lower() in TITLE_FOLLOWERS) or words[-1] in EVENT_NAMES)


def is_nickname(text: str, q: QuoteSpan) -> bool:
    """A quoted nickname inside a name: Marcia “Cia” Price, Robert “Bobby” Scott."""
    inner = text[q.start:q.end].split()
    if not 1 <= len(inner) <= 2 or not all(w[:1].isupper() for w in inner) or q.close_mark is None:
        return False
    before = text[max(0, q.open_mark - 30):q.open_mark].split()
    after = text[q.close_mark + 1:q.close_mark + 30].split()
    if not (before and after and after[0][:1].isupper()):
        return False
    name = before[-1]
    return name.isalpha() and name[0].isupper() or re.fullmatch(r"[A-Z]\.", name) is not None  # or an initial


# a quoted term the writer names rather than someone's words: the so-called “Buffett rule”, known as “…”
NAMED_TERM = re.compile(r"(?:\bso[- ]called|\b(?:known|referred to) as(?: an?| the)?)\s*$", re.IGNORECASE)


def is_named_term(text: str, q: QuoteSpan) -> bool:
    return NAMED_TERM.search(text[max(0, q.open_mark - 30):q.open_mark].rstrip("'")) is not None


def quote_kind(text: str, q: QuoteSpan, attribution: Attribution) -> str:
    """speech: a statement quoted as a sentence; fragment: a phrase inside the writer's sentence with a source;
    unattributed: scare quotes, titles and terms nobody is said to have said."""
    if is_title(text, q) or is_nickname(text, q) or is_named_term(text, q):
        return "unattributed"
    inner = text[q.start:q.end]
    before = text[max(0, q.open_mark - 3):q.open_mark].rstrip(" \t'")  # '' marks: see quotes.py
    opens_sentence = q.continued or not before or before[-1] in "\n:,.!?—–-" or q.open_mark == 0
    words = len(inner.split())
    sentence = opens_sentence and (inner[:1].isupper() or inner[:1] in "[‘'")
    if sentence and words >= SPEECH_MIN_WORDS:
        return "speech"
    if words >= 12 and inner[:1].isupper():
        return "speech"
    if attribution.source is None and attribution.cue is None:
        return "unattributed"
    if sentence and inner.rstrip()[-1:] in ".!?,":
        return "speech"   # a short quoted sentence of its speaker's ("Families need certainty.", "We are ready,")
    return "fragment"


class Extractor:
    """Loads spaCy once; extracts one document or a stream of them."""

    def __init__(self, nlp: Language | None = None, batch_size: int = 16):
        self.nlp = nlp or load_nlp()
        self.batch_size = batch_size

    def extract(self, raw: str) -> Extraction:
        return next(self.extract_many([raw]))

    def extract_many(self, raws: Iterable[str]) -> Iterator[Extraction]:
        return (extraction for extraction, _ in self.extract_with_offsets(raws))

    def extract_each(self, raws: Iterable[str]) -> Iterator[Extraction | Exception]:
        """One result per text, in order, batched through nlp.pipe. A text the pipeline fails on gives its
        exception in place of an Extraction instead of ending the stream: the batch it was in is redone one text
        at a time, so the others still come out."""
        texts = iter(raws)
        while batch := list(islice(texts, self.batch_size)):
            try:
                results: list[Extraction | Exception] = list(self.extract_many(batch))
            except Exception:
                results = [_extract_or_error(self, raw) for raw in batch]
            yield from results

    def extract_with_offsets(self, raws: Iterable[str]) -> Iterator[tuple[Extraction, Cleaned]]:
        """Like extract_many, but also gives the offset map back to each raw text."""
        cleaned = (clean(raw) for raw in raws)
        for doc, c in self.nlp.pipe(((c.text, c) for c in cleaned), as_tuples=True, batch_size=self.batch_size):
            yield extract_doc(doc, c), c


def _extract_or_error(extractor: Extractor, raw: str) -> Extraction | Exception:
    try:
        return extractor.extract(raw)
    except Exception as exc:
        return exc


@lru_cache(maxsize=1)
def get_extractor() -> Extractor:
    return Extractor()


def quote_token_mask(doc: Doc, spans: list[QuoteSpan]) -> tuple[list[bool], list[tuple[int, int]]]:
    """Which tokens lie inside a quotation (marks included), and each quote's token range ((0, 0) if none)."""
    mask = [False] * len(doc)
    token_spans: list[tuple[int, int]] = []
    for q in spans:
        span = doc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            token_spans.append((0, 0))
            continue
        token_spans.append((span.start, span.end))
        for i in range(span.start, span.end):
            mask[i] = True
    # the quotation marks themselves belong to the quote too (they are not cue words or subjects)
    for q in spans:
        for off in (q.open_mark, q.close_mark):
            if off is not None:
                tok = doc.char_span(off, off + 1, alignment_mode="expand")
                if tok is not None:
                    for t in tok:
                        if len(t.text) == 1:
                            mask[t.i] = True
    return mask, token_spans


def extract_doc(doc: Doc, cleaned: Cleaned) -> Extraction:
    text = doc.text
    head_end = headline_end(text)
    clusters, token_index = recognise(doc, body_start=head_end)
    spans = quote_spans(text)
    mask, token_spans = quote_token_mask(doc, spans)
    attributor = Attributor(doc, token_index, mask)
    quotes: list[QuoteRecord] = []
    prev: tuple[QuoteRecord, Attribution, int] | None = None  # previous quote, its attribution, its paragraph start
    for q, (ts, te) in zip(spans, token_spans):
        if te <= ts:
            continue
        para_start = text.rfind("\n", 0, q.open_mark) + 1
        para_end = text.find("\n", q.end)
        para_end = len(text) if para_end < 0 else para_end
        # the frame runs over every sentence the quote touches: its cue may follow a quoted sentence or two
        first_sent = doc[ts].sent
        sent = doc[first_sent.start:max(first_sent.end, doc[te - 1].sent.end)]
        if q.close_mark and text[q.close_mark - 1] in "?!":   # spaCy ends a sentence at "?”"
            tail = attributor.attribution_tail(sent)
            if tail is not None:
                sent = doc[sent.start:tail.end]
        att = attributor.attribute(ts, te, sent, q.close_mark)
        start = q.start
        labelled = transcript_label(doc, text, attributor, q)
        if labelled is not None:   # the label is who speaks, whatever the sentence says
            start, att = labelled
        # a short quoted transcript line ends in "?" or holds a colon like a heading, but is somebody's words
        in_heading = q.open_mark < head_end or (labelled is None and is_section_heading(text, para_start, para_end))
        if att.source is None and not in_heading:
            att = _inherited(attributor, att, q, sent, para_start, text, prev)
        kind = "unattributed" if in_heading else "speech" if labelled else quote_kind(text, q, att)
        if kind == "fragment" and _resumes(prev, q, sent, att, text):
            kind = "speech"   # “The relationship,” Mr. Gabuev said, “is asymmetric.”: one statement, interrupted
        if kind == "unattributed":
            att = Attribution()  # a title, term or scare quote is nobody's words, whatever verb stands near it
        record = QuoteRecord(
            start=start, end=q.end, text=text[start:q.end], kind=kind, cue=att.cue_text,
            speaker=_speaker_name(att), speaker_key=att.cluster.key if att.cluster else None,
            speaker_mention=Mention(att.source.start_char, att.source.end_char, att.source.text) if att.source else None,
            sentence_start=sent.start_char, sentence_end=sent.end_char, where=att.where,
        )
        quotes.append(record)
        if kind != "unattributed":  # titles and scare quotes neither start nor break a run of quotes
            prev = (record, att, para_start)
    quotes = merge_clause_pieces(text, quotes)
    reported = reported_speech(doc, attributor, mask)
    quotes = [_within_reported(q, reported) for q in quotes] + reported
    quotes.sort(key=lambda r: r.start)
    return Extraction(text=text, title=cleaned.title, quotes=quotes, entities=to_records(clusters))


def _resumes(prev: tuple[QuoteRecord, Attribution, int] | None, q: QuoteSpan, sent: Span, att: Attribution,
             text: str) -> bool:
    """Whether a quote continues the statement its attribution interrupted: the one before it, in the same
    sentence and by the same speaker, was speech that broke off at a comma, and only that attribution and a
    comma stand between them (not "…,” Lavrov said, describing the meeting as “wonderful.”")."""
    if prev is None:
        return False
    record, prev_att = prev[0], prev[1]
    between = text[record.end:q.open_mark]
    return (record.kind == "speech" and record.sentence_start == sent.start_char and record.text.rstrip()[-1:] == ","
            and att.cluster is not None and att.cluster is prev_att.cluster
            and between.rstrip().endswith(",") and len(between.split()) <= INTERRUPTION_MAX_WORDS)


def _within_reported(quote: QuoteRecord, reported: list[QuoteRecord]) -> QuoteRecord:
    """A quoted phrase that no cue of its own attributes (its speaker carried over from an earlier quote) takes the
    source of the reported statement it stands in: "As Paul Ryan has pointed out, that's the “textbook
    definition” of racism" is Ryan's phrase, whoever spoke last."""
    if quote.kind != "fragment" or quote.cue is not None:
        return quote
    for r in reported:
        if r.start <= quote.start and quote.end <= r.end and r.speaker_mention is not None:
            return replace(quote, cue=r.cue, speaker=r.speaker, speaker_key=r.speaker_key,
                           speaker_mention=r.speaker_mention)
    return quote


# what may stand between two quoted pieces of one list: commas, a conjunction, an article
LIST_GLUE = re.compile(r"[\s,;]*(?:(?:and|or|nor|as well as)\b[\s,]*)?(?:(?:an?|the)\b\s*)?", re.IGNORECASE)
# a few words of the writer's own joining two quoted pieces of one clause (“duped” by “a con”; “some people” who
# feel that way, “but not …”): no sentence break, no dash or parenthesis that would start an aside
CLAUSE_GLUE = re.compile(r"[^.!?;:()\[\]—–\n\"“”]*")
CLAUSE_GLUE_MAX_WORDS = 8
# ... but not a conjunction starting a second infinitive or clause of the same verb ("willing to “help” and to
# “rebuild”"): two things said, each its own quote (and its own utterance when other outlets quote them apart)
PARALLEL_GLUE = re.compile(r"(?:and|or)\s+(?:to|that)", re.IGNORECASE)


def merge_clause_pieces(text: str, quotes: list[QuoteRecord]) -> list[QuoteRecord]:
    """Quoted pieces that one speaker's clause strings together are one fragment: a list (called him a “liar,” a
    “bully” and “sick”) or pieces joined by a few of the writer's words (said it was “a big problem” but “nobody
    talks about it”), with their marks, as the writer quoted them. Pieces split by an attribution of their own
    (“A,” he said, “B”) or reported by two cues stay apart."""
    out: list[QuoteRecord] = []
    for q in quotes:
        last = out[-1] if out else None
        if (last is not None and q.kind == last.kind == "fragment" and q.speaker_key == last.speaker_key
                and q.speaker_mention == last.speaker_mention and q.sentence_start == last.sentence_start
                and _joined_in_clause(text, last, q)):
            out[-1] = replace(last, end=q.end, text=text[last.start:q.end])
        else:
            out.append(q)
    return out


def _joined_in_clause(text: str, first: QuoteRecord, second: QuoteRecord) -> bool:
    between = text[first.end:second.start].strip(QUOTE_MARK_CHARS + " ")
    if 0 < second.start - first.end <= 40 and LIST_GLUE.fullmatch(between) is not None:
        return True
    # one cue's content: a second verb of saying in between ("called him an “old friend” and said it was “…”")
    # makes two statements; an attributing mention in between makes an interrupted quote
    mention = second.speaker_mention
    if first.cue is None or first.cue != second.cue or (mention is not None and first.end <= mention.start < second.start):
        return False
    return (CLAUSE_GLUE.fullmatch(between) is not None and len(between.split()) <= CLAUSE_GLUE_MAX_WORDS
            and PARALLEL_GLUE.fullmatch(between) is None)


def _inherited(attributor: Attributor, att: Attribution, q: QuoteSpan, sent, para_start: int, text: str,
               prev: tuple[QuoteRecord, Attribution, int] | None) -> Attribution:
    """The speaker of a quote with no cue of its own: the actor whose clause introduces it with a colon, or whoever
    the sentence just before it reports (same paragraph, or a previous paragraph ending in a colon), else the
    previous quote's speaker when this quote continues it (same paragraph, or the paragraph right after)."""
    doc = sent.doc
    introduced = attributor.colon_introducer(q.open_mark, text[q.start:q.end])
    if introduced is not None:
        return introduced
    if sent.start > 0:
        before = doc[sent.start - 1].sent
        prev_in_it = prev is not None and prev[0].end > before.start_char
        colon_intro = text[:sent.start_char].rstrip().endswith(":")
        if not prev_in_it and (before.start_char >= para_start or colon_intro):
            found = attributor.sentence_source(before)
            if found is not None:
                return found
    if prev is None:
        return att
    prev_q, prev_att, prev_para = prev
    same_para = prev_para == para_start
    opens_para = q.open_mark == para_start
    if prev_att.source is not None and (q.continued or same_para or (opens_para and _adjacent(text, prev_q, para_start))):
        return Attribution(cue=None, cue_text=None, source=prev_att.source, cluster=prev_att.cluster,
                           where=prev_att.where, named=prev_att.named)
    return att


def _adjacent(text: str, prev: QuoteRecord, para_start: int) -> bool:
    """The previous quote sits in the paragraph just before this one."""
    prev_para_end = text.find("\n", prev.end)
    return 0 <= prev_para_end <= para_start and not text[prev_para_end:para_start].strip()


# a transcript line quoted whole ("“WALLACE: Let's start with …"): a speaker's name in capitals and a colon
TRANSCRIPT_LABEL = re.compile(r"((?:[A-Z][A-Z.’'-]*\s){0,3}[A-Z][A-Z.’'-]+)[ \t]*:[ \t]+(?=\S)")


def transcript_label(doc: Doc, text: str, attributor: Attributor, q: QuoteSpan) -> tuple[int, Attribution] | None:
    """(start of the words after the label, the label as attribution) for a quote that opens with a transcript
    label, else None. The label is no part of what was said. `text` is doc.text, passed in: spaCy builds that
    string anew from every token on each access, which once per quote was ~3% of extraction's CPU."""
    m = TRANSCRIPT_LABEL.match(text, q.start)
    if m is None or m.end() >= q.end or m.group(1).split()[0].title() in LABEL_STOP:
        return None
    label = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
    if label is None:
        return None
    return m.end(), Attribution(cue_text=":", source=label, cluster=attributor.resolve(label[-1]))


def _speaker_name(att: Attribution) -> str | None:
    if att.cluster is not None:
        return att.cluster.best_name
    if att.named is not None:   # a nameless actor quoted through "who": its noun phrase ("legal experts")
        return att.named.text
    if att.source is not None:
        return att.source.text
    return None

