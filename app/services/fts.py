"""User search syntax -> a safe SQLite FTS5 MATCH expression.

Supported: words (all required), "exact phrases", prefixes (`bal*`), `AND`, `OR`, `NOT` (upper case, as in
FTS5) and parentheses. Everything is rebuilt from tokens: every word is emitted inside double quotes, so FTS5
column filters (`text:`), `NEAR(...)`, `^` and stray quotes in user text are plain words, and a malformed query
(dangling operator, unbalanced parenthesis, leading NOT) is repaired rather than passed on. The result is
always valid FTS5 syntax, or None when the text has no searchable word.

Grammar (FTS5 precedence: NOT binds tighter than AND, AND tighter than OR):
    or   := and ("OR" and)*
    and  := not (["AND"] not)*
    not  := atom ("NOT" atom)*
    atom := PHRASE | WORD | WORD* | "(" or ")"
"""
from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"\w+", re.UNICODE)
TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<open>\()|(?P<close>\))|(?P<bare>[^\s()"]+)')
OPERATORS = ("AND", "OR", "NOT")
MAX_TERMS = 32


@dataclass(slots=True)
class _Tok:
    kind: str          # "term" | "op" | "(" | ")"
    words: tuple[str, ...] = ()
    prefix: bool = False
    op: str = ""


def _tokens(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    for match in TOKEN.finditer(text):
        if match.group("open"):
            tokens.append(_Tok("("))
        elif match.group("close"):
            tokens.append(_Tok(")"))
        elif match.group("phrase") is not None:
            words = tuple(WORD.findall(match.group("phrase")))
            if words:
                tokens.append(_Tok("term", words))
        else:
            bare = match.group("bare")
            if bare in OPERATORS:
                tokens.append(_Tok("op", op=bare))
                continue
            words = tuple(WORD.findall(bare))
            if words:  # "don't" -> the phrase "don t", as the unicode61 tokenizer splits it
                tokens.append(_Tok("term", words, prefix=bare.endswith("*")))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> str | None:
        parts = []
        while self.peek() is not None:
            expr = self.or_expr()
            if expr:
                parts.append(expr)
            elif self.peek() is not None:
                self.pos += 1  # a token that cannot start anything (stray ')' or operator): drop it
        return " AND ".join(parts) or None

    def or_expr(self) -> str | None:
        parts = [p for p in [self.and_expr()] if p]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.op == "OR":
            self.pos += 1
            right = self.and_expr()
            if right:
                parts.append(right)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def and_expr(self) -> str | None:
        parts = [p for p in [self.not_expr()] if p]
        while (tok := self.peek()) is not None:
            if tok.kind == "op" and tok.op == "AND":
                self.pos += 1
                continue
            if tok.kind == "op" and tok.op == "NOT":  # "a AND NOT b": subtract from what came before
                self.pos += 1
                right = self.atom()
                if parts and right:
                    parts[-1] = f"({parts[-1]} NOT {right})"
                continue
            if tok.kind in ("term", "("):
                right = self.not_expr()
                if right:
                    parts.append(right)
                continue
            break
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def not_expr(self) -> str | None:
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.op == "NOT":
            # FTS5 NOT is binary and "everything but x" cannot be said: drop a leading NOT with its operand
            # (searching for x instead would invert the user's meaning)
            self.pos += 1
            self.atom()
        left = self.atom()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.op == "NOT":
            self.pos += 1
            right = self.atom()
            if left and right:
                left = f"({left} NOT {right})"
        return left

    def atom(self) -> str | None:
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind == "(":
            self.pos += 1
            inner = self.or_expr()
            if (close := self.peek()) is not None and close.kind == ")":
                self.pos += 1
            return inner
        if tok.kind != "term":
            return None
        self.pos += 1
        if self.terms >= MAX_TERMS:
            return None
        self.terms += 1
        quoted = '"' + " ".join(tok.words) + '"'
        return quoted + "*" if tok.prefix else quoted


def fts_match(user_text: str) -> str | None:
    """The FTS5 MATCH expression for a user's query (see the module docstring); None if nothing to search."""
    return _Parser(_tokens(user_text)).parse()


def plain_words(user_text: str) -> list[str]:
    """The words of a query, operators left out: the fallback search where FTS5 is not available."""
    return [w for w in WORD.findall(user_text) if w not in OPERATORS][:MAX_TERMS]
