"""spaCy's attribute ruler as table lookups: the same output for a tenth of the pipeline's time less.

en_core_web_sm sets POS, morphology and some lemmas with an AttributeRuler: 179 Matcher patterns run over every
token. All but a few match one token by its fine-grained tag and/or its lower-cased form, so they become
dictionary lookups here; the rest (dependency labels, regular expressions, two-token exceptions such as
"gon na") are matched as boolean masks over the document's attribute arrays (`MaskedPattern`), since spaCy's
Matcher stepping its 23 patterns through every token was most of this component's time. Rules apply in the
ruler's order, later ones overriding earlier ones, as the ruler does. `tests/pipeline/test_nlp.py` checks the
output is identical.
"""
from __future__ import annotations

import re
from collections import defaultdict

import numpy

from spacy.attrs import DEP, IDS, LEMMA, LOWER, MORPH, POS, TAG
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

ARRAY_ATTRS = (POS, MORPH, LEMMA)  # written for all tokens at once; TAG and DEP (rare) one token at a time


def _values(spec) -> list[str] | None:
    """The strings a one-token pattern value accepts ("NN", or {"IN": [...]}), None for anything else."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


class MaskedPattern:
    """A fixed-length token pattern matched over whole attribute arrays: each token's spec becomes a boolean mask
    over the document's tokens, and the pattern matches at every start where all of its specs hold. Gives the
    Matcher's matches for the predicates it accepts (a value, IN, NOT_IN or REGEX (searched) on a string
    attribute; a value of a boolean flag). `MaskedPattern.accepts` says whether a pattern has only those."""

    STRING_ATTRS = frozenset({"ORTH", "LOWER", "NORM", "TAG", "POS", "DEP", "LEMMA", "SHAPE", "ENT_TYPE"})

    def __init__(self, pattern: list[dict], strings):
        self.specs = [[(IDS[key], self._predicate(key, value, strings)) for key, value in spec.items()]
                      for spec in pattern]
        self.attrs = sorted({attr for spec in self.specs for attr, _ in spec})

    @classmethod
    def accepts(cls, pattern: list[dict]) -> bool:
        def ok(key: str, value) -> bool:
            if key in cls.STRING_ATTRS:
                return isinstance(value, str) or (isinstance(value, dict) and len(value) == 1
                                                  and set(value) <= {"IN", "NOT_IN", "REGEX"})
            return key.startswith("IS_") and key in IDS and isinstance(value, bool)
        return bool(pattern) and all(spec and all(ok(k, v) for k, v in spec.items()) for spec in pattern)

    @staticmethod
    def _predicate(key: str, value, strings):
        """A function from a column of attribute values to a boolean mask."""
        if not isinstance(value, dict):
            wanted = strings.add(value) if isinstance(value, str) else int(value)
            return lambda col: col == wanted
        (op, arg), = value.items()
        if op == "REGEX":
            return _RegexMask(arg, strings)
        hashes = [numpy.uint64(strings.add(v)) for v in arg]
        return (lambda col: _any_equal(col, hashes)) if op == "IN" else (lambda col: ~_any_equal(col, hashes))

    def starts(self, columns: dict[int, numpy.ndarray], n: int) -> numpy.ndarray:
        """Token positions where the pattern matches."""
        width = len(self.specs)
        if n < width:
            return numpy.zeros(0, dtype="int64")
        hit = numpy.ones(n - width + 1, dtype=bool)
        for k, spec in enumerate(self.specs):
            for attr, predicate in spec:
                hit &= predicate(columns[attr])[k:n - width + 1 + k]
        return numpy.flatnonzero(hit)


def _any_equal(col: numpy.ndarray, values: list) -> numpy.ndarray:
    """Which entries of `col` are one of a few `values`: as numpy.isin, a comparison per value (isin sorts)."""
    mask = col == values[0] if values else numpy.zeros(len(col), dtype=bool)
    for value in values[1:]:
        mask |= col == value
    return mask


class _RegexMask:
    """Tokens whose string matches a regular expression (searched, as the Matcher does). Each distinct string is
    tried once per process: the values seen so far and those that matched are kept."""

    def __init__(self, pattern: str, strings):
        self.regex, self.strings = re.compile(pattern), strings
        self.seen: set[int] = set()
        self.matching = numpy.zeros(0, dtype="uint64")

    def __call__(self, col: numpy.ndarray) -> numpy.ndarray:
        new = [h for h in numpy.unique(col).tolist() if h not in self.seen]
        if new:
            self.seen.update(new)
            hits = [h for h in new if self.regex.search(self.strings[h])]
            if hits:
                self.matching = numpy.concatenate([self.matching, numpy.array(hits, dtype="uint64")])
        return numpy.isin(col, self.matching)


def _simple(alternatives: list) -> bool:
    return all(len(p) == 1 and set(p[0]) <= {"TAG", "LOWER"} and all(_values(v) is not None for v in p[0].values())
               for p in alternatives)


class AttributeTable:
    def __init__(self, ruler: AttributeRuler):
        self.attrs = ruler.attrs          # per rule, normalised (attribute id -> value id), in rule order
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.by_lower: dict[str, list[int]] = defaultdict(list)
        self.by_lower_tag: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.residual = Matcher(ruler.vocab)     # rules of other patterns, if a model has any
        self.masked: list[tuple[int, MaskedPattern]] = []
        self.indices: dict[int, int] = {}
        for rule, entry in enumerate(ruler.patterns):
            alternatives = entry["patterns"]
            if not _simple(alternatives):
                self.indices[rule] = entry["index"]
                if all(MaskedPattern.accepts(p) for p in alternatives):
                    self.masked.extend((rule, MaskedPattern(p, ruler.vocab.strings)) for p in alternatives)
                else:
                    self.residual.add(str(rule), alternatives)
                continue
            for (spec,) in alternatives:
                tags, lowers = _values(spec.get("TAG", "")), _values(spec.get("LOWER", ""))
                if "TAG" in spec and "LOWER" in spec:
                    for tag in tags:
                        for lower in lowers:
                            self.by_lower_tag[(lower, tag)].append(rule)
                elif "TAG" in spec:
                    for tag in tags:
                        self.by_tag[tag].append(rule)
                else:
                    for lower in lowers:
                        self.by_lower[lower].append(rule)
        # no token has an empty form, and 0 (the empty string's hash) stands for every form that no rule names
        self.by_lower.pop("", None)
        for pair in [p for p in self.by_lower_tag if not p[0]]:
            del self.by_lower_tag[pair]
        self._merged: dict[tuple[int, ...], dict[int, int]] = {}
        self._plans: dict[tuple[int, int, tuple[int, ...]], tuple[list[int], list[bool], dict[int, int]]] = {}
        self.masked_attrs = sorted({attr for _, p in self.masked for attr in p.attrs})

        # the same tables keyed by string hashes, so a document is read as arrays, without Token objects
        strings = ruler.vocab.strings
        self.by_tag_hash = {strings.add(k): v for k, v in self.by_tag.items()}
        self.by_lower_hash = {strings.add(k): v for k, v in self.by_lower.items()}
        self.by_pair_hash = {(strings.add(lo), strings.add(tag)): v for (lo, tag), v in self.by_lower_tag.items()}
        # the forms some rule names, sorted, after 0 (the empty string's hash), which stands for any other form
        self.named_lowers = numpy.array(sorted({0, *self.by_lower_hash, *(lo for lo, _ in self.by_pair_hash)}),
                                        dtype="uint64")

    def _rules(self, tag: int, lower: int) -> list[int]:
        return (self.by_tag_hash.get(tag, []) + self.by_lower_hash.get(lower, [])
                + self.by_pair_hash.get((lower, tag), []))

    def _merge(self, rules: tuple[int, ...]) -> dict[int, int]:
        merged = self._merged.get(rules)
        if merged is None:
            merged = {}
            for rule in rules:
                merged.update(self.attrs[rule])
            self._merged[rules] = merged
        return merged

    def _plan(self, tag: int, lower: int, more: tuple[int, ...]) -> tuple[list[int], list[bool], dict[int, int]]:
        """What the rules write on a token of this tag and form that patterns of other shapes (`more`) also
        match: the values of ARRAY_ATTRS, which of them to write, and the TAG and DEP values (written one token
        at a time). Kept per key: the forms are only those some rule names (any other counts as 0), so the keys
        are few."""
        plan = self._plans.get((tag, lower, more))
        if plan is None:
            merged = self._merge(tuple(sorted({*self._rules(tag, lower), *more})))
            plan = self._plans[(tag, lower, more)] = (
                [merged.get(attr, 0) for attr in ARRAY_ATTRS], [attr in merged for attr in ARRAY_ATTRS],
                {a: v for a, v in merged.items() if a in (TAG, DEP)})
        return plan

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        extra: dict[int, list[int]] = defaultdict(list)
        strings = doc.vocab.strings
        matches: list[tuple[int, int, int]] = []
        if len(self.residual):
            matches += [(int(strings[m]), start, end) for m, start, end in self.residual(doc, allow_missing=True)]
        if self.masked:
            values = doc.to_array(self.masked_attrs).reshape(n, len(self.masked_attrs))
            columns = {attr: values[:, k] for k, attr in enumerate(self.masked_attrs)}
            for rule, pattern in self.masked:
                width = len(pattern.specs)
                matches += [(rule, start, start + width) for start in pattern.starts(columns, n).tolist()]
        for rule, start, end in matches:
            index = self.indices[rule]
            extra[(end if index < 0 else start) + index].append(rule)

        # The rules of each distinct (tag, form, other patterns matched) once, spread to its tokens as arrays: a
        # loop over the tokens was most of this component's time. Each key becomes one integer: the tag's rank
        # among this document's tags, the form's among the named ones, the other patterns' among those seen here.
        keys = doc.to_array([TAG, LOWER]).reshape(n, 2)
        form = numpy.minimum(numpy.searchsorted(self.named_lowers, keys[:, 1]), len(self.named_lowers) - 1)
        form[self.named_lowers[form] != keys[:, 1]] = 0    # a form no rule names: 0, the first entry
        keys[:, 1] = self.named_lowers[form]
        _, tag = numpy.unique(keys[:, 0], return_inverse=True)
        more_ids: dict[tuple[int, ...], int] = {(): 0}
        more = numpy.zeros(n, dtype="int64")
        for i, rules in extra.items():
            more[i] = more_ids.setdefault(tuple(sorted(set(rules))), len(more_ids))
        key = (tag.reshape(-1) * len(self.named_lowers) + form) * len(more_ids) + more
        _, first, of_token = numpy.unique(key, return_index=True, return_inverse=True)
        by_id = list(more_ids)
        plans = [self._plan(t, lower, by_id[m])
                 for (t, lower), m in zip(keys[first].tolist(), more[first].tolist())]
        of_token = of_token.reshape(-1)
        rule_values = numpy.array([p[0] for p in plans], dtype="uint64")[of_token]
        written = numpy.array([p[1] for p in plans], dtype=bool)[of_token]
        rows = doc.to_array(list(ARRAY_ATTRS)).reshape(n, len(ARRAY_ATTRS))
        doc.from_array(list(ARRAY_ATTRS), numpy.where(written, rule_values, rows))
        one_by_one = numpy.array([bool(p[2]) for p in plans])[of_token]
        for i in numpy.flatnonzero(one_by_one).tolist():
            set_token_attrs(doc[i], plans[of_token[i]][2])
        return doc
