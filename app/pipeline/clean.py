"""Boilerplate removal that keeps exact offsets.

The cleaned text is the raw text with whole boilerplate lines (and a few glued line prefixes) cut out, nothing
rewritten. `Cleaned.to_raw` maps any offset in the cleaned text back to the raw file, so `whosaid extract` can
report raw offsets while the database stores the cleaned text.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

# Whole lines that web pages wrap around an article. Matched against the stripped line, case-insensitively.
BOILERPLATE_LINE = re.compile(
    r"""^(?:
        leave\ a\ (?:comment|reply)|be\ the\ first\ to\ comment|cancel\ reply|post\ comment|comments?(?:\ \(\d+\))?
      | your\ email\ address\ will\ not\ be\ published.*|required\ fields\ are\ marked.*|save\ my\ name.*
      | you\ must\ be\ logged\ in.*|\d+\ comments?
      | related\ (?:posts|articles|stories|content|topics|coverage)|more\ (?:stories|on\ this\ story)|recommended
      | read\ more(?:\ \(\.\.\.\))?|continue\ reading.*|newer\ articles|older\ articles|next\ article|previous\ article
      | back\ to\ top(?:\ button)?|skip\ to\ (?:main\ )?content|advertisement|sponsored(?:\ content)?|share\ this.*
      | share\ on\ \w+|follow\ us.*|sign\ up.*newsletter.*|subscribe.*|click\ here.*|print|email|tweet
      | ["“]?follow\ [\w.'’\ -]{1,40}\ on\ (?:twitter|facebook|instagram)(?:\ @\w+)?[.!]?["”]?
      | this\ article\ is\ more\ than|this\ article\ is\ more\ than\ \d+\ \w+\ old
      | (?:photograph|photo|image|picture)\s*:.*|getty\ images|reuters|afp|ap\ photo.*
      | copyright.*|©.*|all\ rights\ reserved.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# An age banner whose tail got glued to the first paragraph: "2 year oldChinese leader Xi ..."
GLUED_AGE_BANNER = re.compile(r"^\d+\s+(?:year|month|week|day|hour)s?\s+old(?=[A-Z“\"])")

# Photo captions end with a credit: "... in Samarkand. Photograph: Alexandr Demyanchuk/SPUTNIK/AFP/Getty Images"
CAPTION_CREDIT = re.compile(
    r"(?:Photograph|Photo|Image|Picture|Credit)s?\s*:\s*[^.]{0,120}$|\((?:Getty Images|AP|AFP|Reuters)[^)]*\)\s*$"
)
# Credit-only lines like "Getty/Instagram." or "AFP/Getty Images"
CREDIT_ONLY = re.compile(r"^[A-Z][\w.&' -]{0,40}(?:/[A-Z][\w.&' -]{0,40})+\.?$")
# Site section suffix on a headline: "Putin thanks Xi ... | Vladimir Putin"
SECTION_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—]{1,60}$")


def line_key(line: str) -> str:
    """Comparison form of a line: curly and straight quotes alike, case and spacing ignored."""
    s = unicodedata.normalize("NFKC", line)
    s = s.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'}))
    return re.sub(r"\W+", " ", s).strip().casefold()


@dataclass(slots=True)
class Cleaned:
    text: str
    title: str | None
    # parallel arrays: cleaned text [clean_starts[i], clean_starts[i]+len) came from raw_starts[i]
    clean_starts: list[int]
    raw_starts: list[int]

    def to_raw(self, offset: int) -> int:
        """Raw offset of the character at a cleaned offset (a span start)."""
        i = max(bisect.bisect_right(self.clean_starts, offset) - 1, 0)
        return self.raw_starts[i] + offset - self.clean_starts[i]

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw (start, end) of a cleaned span; the end is taken just after the span's last character."""
        if end <= start:
            raw = self.to_raw(start)
            return raw, raw
        return self.to_raw(start), self.to_raw(end - 1) + 1


def headline(lines: list[str]) -> str | None:
    """The first line that is not boilerplate, without a site section suffix (" | Vladimir Putin")."""
    for line in lines:
        body = line.strip()
        if body and not BOILERPLATE_LINE.match(body):
            body = GLUED_AGE_BANNER.sub("", body)
            return SECTION_SUFFIX.sub("", body) if " | " in body else body
    return None


def is_caption_pair(line: str, following: str | None) -> bool:
    """Captions are often printed twice, the second copy ending with the photo credit."""
    if not following or not CAPTION_CREDIT.search(following):
        return False
    a, b = line_key(line), line_key(CAPTION_CREDIT.sub("", following))
    if not a or not b:
        return False
    common = len(set(a.split()) & set(b.split()))
    return common >= 0.6 * max(len(a.split()), 1)


def clean(raw: str) -> Cleaned:
    """Drop boilerplate lines, captions and repeated headline lines; keep everything else byte-for-byte."""
    lines = raw.splitlines(keepends=True)
    title = headline(lines)
    title_keys = {line_key(title)} if title else set()
    first = next((ln.strip() for ln in lines if ln.strip() and not BOILERPLATE_LINE.match(ln.strip())), "")
    title_keys.add(line_key(first))
    seen: set[str] = set()
    pieces: list[tuple[int, int]] = []  # raw (start, end) kept
    pos = 0
    first_content = True
    for i, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end
        body = line.strip()
        key = line_key(body)
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else None
        drop = False
        if body:
            if BOILERPLATE_LINE.match(body) or CREDIT_ONLY.match(body):
                drop = True
            elif key in seen and (key in title_keys or len(key.split()) <= 25):
                drop = True  # a repeated headline or caption line
            elif not first_content and key in title_keys:
                drop = True
            elif CAPTION_CREDIT.search(body) or is_caption_pair(body, nxt):
                drop = True
            if not drop:
                first_content = False
            seen.add(key)
        if drop:
            continue
        m = GLUED_AGE_BANNER.match(line)
        if m:
            start += m.end()
        if pieces and pieces[-1][1] == start:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    text_parts, clean_starts, raw_starts = [], [], []
    n = 0
    for s, e in pieces:
        clean_starts.append(n)
        raw_starts.append(s)
        text_parts.append(raw[s:e])
        n += e - s
    if not pieces:
        clean_starts, raw_starts = [0], [0]
    return Cleaned("".join(text_parts), title, clean_starts, raw_starts)
