"""Find quotation-mark spans in text. Pure string processing, no NLP.

Rules follow how English news prints quotations:
- double quotes, straight or curly, open and close in turn within a paragraph; a wrong-way mark closes when a
  quote is open and opens when none is (scraped text often has “…,“ said X or ”Text” at a paragraph start);
- curly or straight single quotes are quotation marks only where they do not sit between letters (China’s,
  don’t) and only when a matching closing mark is found in the same paragraph; inside a double quote they are a
  nested quote, which stays part of the outer one, as does a double quote of the other style (straight inside
  curly, curly inside straight) that closes before the outer one closes in the same paragraph;
- a quote left open at the end of a paragraph continues when the next paragraph opens with a quotation mark
  (one span per paragraph); otherwise it ends at the paragraph end only when it looks like a real quotation
  (opened at the start of a sentence or after a colon or comma), so a stray mark never swallows the text after it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE_OPEN = "“„«"
DOUBLE_CLOSE = "”»"
DOUBLE_ANY = DOUBLE_OPEN + DOUBLE_CLOSE + '"'
SINGLE_MARKS = "‘’'‚"
OPENER_CONTEXT = " \t\n([{—–-/:;,“\"‘'"  # characters after which a mark opens a quote
PARAGRAPH = re.compile(r"[^\n]+")
MAX_QUOTE_CHARS = 5000  # no real quotation paragraph is longer; caps the damage of an unbalanced mark


@dataclass(slots=True, frozen=True)
class QuoteSpan:
    start: int          # first character inside the marks
    end: int            # one past the last character inside the marks
    open_mark: int      # offset of the opening mark
    close_mark: int | None  # offset of the closing mark, None when the quote runs to the paragraph end
    continues: bool = False  # True when the quote goes on in the next paragraph
    continued: bool = False  # True when this piece continues a quote from the previous paragraph


def _opens(text: str, i: int, para_start: int) -> bool:
    """A mark opens when it starts the paragraph or follows space/punctuation, and is followed by a non-space."""
    before_ok = i == para_start or text[i - 1] in OPENER_CONTEXT
    after_ok = i + 1 < len(text) and not text[i + 1].isspace()
    return before_ok and after_ok


def _closes(text: str, i: int) -> bool:
    after = text[i + 1] if i + 1 < len(text) else " "
    return not after.isalnum()


def _single_quotes(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Pairs of single quotation marks in text[lo:hi] (a paragraph segment outside double quotes)."""
    pairs, open_at = [], None
    for i in range(lo, hi):
        ch = text[i]
        if ch not in SINGLE_MARKS:
            continue
        prev = text[i - 1] if i > lo else " "
        nxt = text[i + 1] if i + 1 < hi else " "
        if prev.isalnum() and nxt.isalnum():
            continue  # apostrophe inside a word: China’s, don’t
        if open_at is None:
            if ch in "‘'‚" and (i == lo or prev in OPENER_CONTEXT) and nxt.isalnum():
                open_at = i
        elif ch in "’'" and not prev.isspace() and not nxt.isalnum():
            if prev in "sS" and nxt == " " and text[open_at + 1:i].count(" ") > 12:
                continue  # a plural possessive (leaders’ meeting) inside a long span, not the closing mark
            pairs.append((open_at, i))
            open_at = None
    return pairs


def _nested_close(text: str, outer: int, i: int, lo: int, hi: int) -> int | None:
    """The closing mark of a quote opened at `i` inside one opened at `outer` with the other style of mark
    (straight inside curly, curly inside straight), or None when the marks are not nested that way: the inner
    quote must close before any other mark, and the outer one after it, in the same paragraph (else the outer
    mark is more likely stray)."""
    straight = text[outer] == '"'
    if straight == (text[i] == '"') or not _opens(text, i, lo):
        return None
    # within a quotation's longest length, so that a paragraph of many marks costs no more than a short one
    marks = [j for j in range(i + 1, min(hi, outer + 1 + MAX_QUOTE_CHARS)) if text[j] in DOUBLE_ANY]
    if len(marks) < 2 or not _closes(text, marks[0]) or (text[marks[0]] == '"') == straight:
        return None
    outer_closes = any((text[k] == '"') == straight and _closes(text, k) for k in marks[1:])
    return marks[0] if outer_closes else None


def _paragraph_quotes(text: str, lo: int, hi: int, carried: bool) -> tuple[list[QuoteSpan], bool]:
    """Quotes inside one paragraph. `carried`: a quote from the previous paragraph continues here.
    Returns the spans and whether a quote is still open at the paragraph end."""
    spans: list[QuoteSpan] = []
    outside: list[tuple[int, int]] = []  # segments outside double quotes, for single-quote detection
    open_at: int | None = None
    seg_start = lo
    i = lo
    if carried and lo < hi and text[lo] in DOUBLE_ANY:
        open_at = lo
        i = lo + 1
    while i < hi:
        ch = text[i]
        if ch in DOUBLE_ANY:
            if open_at is None:
                if ch in DOUBLE_CLOSE and _closes(text, i) and not _opens(text, i, lo):
                    i += 1
                    continue  # a lone closing mark with no opener: stray
                if _opens(text, i, lo) or ch in DOUBLE_OPEN:
                    outside.append((seg_start, i))
                    open_at = i
            elif _closes(text, i) or ch in DOUBLE_CLOSE:
                if i > open_at + 1:
                    spans.append(QuoteSpan(open_at + 1, i, open_at, i, continued=carried and open_at == lo))
                open_at = None
                seg_start = i + 1
            elif (inner_close := _nested_close(text, open_at, i, lo, hi)) is not None:
                i = inner_close   # “He called it "fake news" today,”: part of the outer quote
            elif _opens(text, i, lo) and i - open_at > 1:
                # a new opener while one is open: the first mark was stray; restart here
                open_at = i
        i += 1
    still_open = False
    if open_at is not None:
        content = text[open_at + 1:hi].rstrip()
        starts_quote = open_at == lo or text[max(lo, open_at - 2):open_at].strip() in {":", ",", ""} \
            or text[open_at - 1] in ":,"
        if content and starts_quote and len(content) <= MAX_QUOTE_CHARS and len(content.split()) >= 3:
            end = open_at + 1 + len(content)
            spans.append(QuoteSpan(open_at + 1, end, open_at, None, continues=True,
                                   continued=carried and open_at == lo))
            still_open = True
        else:
            outside.append((seg_start, hi))
    else:
        outside.append((seg_start, hi))
    for s, e in outside:
        for o, c in _single_quotes(text, s, e):
            if c > o + 1:
                spans.append(QuoteSpan(o + 1, c, o, c))
    spans.sort(key=lambda q: q.start)
    return spans, still_open


# Two apostrophes stand for a double quotation mark in some wire and newspaper archives (''It's real,'' he said).
DOUBLED_APOSTROPHE = re.compile(r"(?<!')''(?!')")


def _doubled_apostrophes_as_marks(text: str) -> str:
    """Same-length copy of the text where each '' reads as one straight double mark: ' "' where it opens a
    quote (the mark right before the words), '" ' where it closes one (right after them), so offsets hold."""
    def swap(m: re.Match) -> str:
        i = m.start()
        opens = i + 2 < len(text) and not text[i + 2].isspace() and (i == 0 or not text[i - 1].isalnum())
        return ' "' if opens else '" '
    return DOUBLED_APOSTROPHE.sub(swap, text) if "''" in text else text


def quote_spans(text: str) -> list[QuoteSpan]:
    """Every quotation in the text, in order. Offsets exclude the marks."""
    text = _doubled_apostrophes_as_marks(text)
    out: list[QuoteSpan] = []
    carried = False
    paragraphs = [(m.start(), m.end()) for m in PARAGRAPH.finditer(text)]
    for n, (lo, hi) in enumerate(paragraphs):
        spans, still_open = _paragraph_quotes(text, lo, hi, carried)
        if still_open:
            nxt = paragraphs[n + 1] if n + 1 < len(paragraphs) else None
            carried = bool(nxt) and text[nxt[0]] in DOUBLE_ANY
            if not carried and spans and spans[-1].close_mark is None:
                spans[-1] = QuoteSpan(spans[-1].start, spans[-1].end, spans[-1].open_mark, None,
                                      continues=False, continued=spans[-1].continued)
        else:
            carried = False
        out.extend(spans)
    return out
