"""User search syntax -> a safe full-text query: an SQLite FTS5 MATCH expression or a PostgreSQL tsquery.

Supported: words (all required), "exact phrases", prefixes (`bal*`), `AND`, `OR`, `NOT` (upper case, as in
FTS5) and parentheses. Everything is rebuilt from tokens: every word is emitted quoted, so FTS5 column filters
(`text:`), `NEAR(...)`, `^`, tsquery operators (`&`, `|`, `!`, `<->`, `:*`) and stray quotes in user text are
plain words, and a malformed query (dangling operator, unbalanced parenthesis, leading NOT) is repaired rather
than passed on. The result is always valid syntax for its engine, or None when the text has no searchable word.
Both engines get the same parse, so a search means the same on SQLite and on PostgreSQL.

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


class _Fts5:
    """FTS5 MATCH syntax: "phrase", "prefix"*, AND, OR, a NOT b."""

    @staticmethod
    def term(words: tuple[str, ...], prefix: bool) -> str:
        return '"' + " ".join(words) + '"' + ("*" if prefix else "")

    @staticmethod
    def join(op: str, parts: list[str]) -> str:      # op: "AND" | "OR"
        return "(" + f" {op} ".join(parts) + ")"

    @staticmethod
    def minus(left: str, right: str) -> str:
        return f"({left} NOT {right})"


class _TsQuery:
    """PostgreSQL tsquery syntax, for to_tsquery(): 'a' <-> 'b' (phrase), 'b':* (prefix), &, |, a & !b.

    Every word is single-quoted (words are \\w+, so never contain a quote) and still goes through the text
    search configuration's dictionaries, as the indexed text did: case and accents are folded the same way."""

    @staticmethod
    def term(words: tuple[str, ...], prefix: bool) -> str:
        return " <-> ".join(f"'{w}'" for w in words) + (":*" if prefix else "")

    @staticmethod
    def join(op: str, parts: list[str]) -> str:
        return "(" + (" & " if op == "AND" else " | ").join(parts) + ")"

    @staticmethod
    def minus(left: str, right: str) -> str:
        return f"({left} & !{right})"


class _Parser:
    def __init__(self, tokens: list[_Tok], syntax=_Fts5) -> None:
        self.tokens = tokens
        self.syntax = syntax
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
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else self.syntax.join("AND", parts)

    def or_expr(self) -> str | None:
        parts = [p for p in [self.and_expr()] if p]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.op == "OR":
            self.pos += 1
            right = self.and_expr()
            if right:
                parts.append(right)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else self.syntax.join("OR", parts)

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
                    parts[-1] = self.syntax.minus(parts[-1], right)
                continue
            if tok.kind in ("term", "("):
                right = self.not_expr()
                if right:
                    parts.append(right)
                continue
            break
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else self.syntax.join("AND", parts)

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
                left = self.syntax.minus(left, right)
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
        return self.syntax.term(tok.words, tok.prefix)


def fts_match(user_text: str) -> str | None:
    """The FTS5 MATCH expression for a user's query (see the module docstring); None if nothing to search."""
    return _Parser(_tokens(user_text)).parse()


def ts_query(user_text: str) -> str | None:
    """The same query as PostgreSQL tsquery text, for to_tsquery(); None if nothing to search."""
    return _Parser(_tokens(user_text), _TsQuery).parse()
