"""spaCy's attribute ruler as table lookups: the same output for a tenth of the pipeline's time less.

en_core_web_sm sets POS, morphology and some lemmas with an AttributeRuler: 179 Matcher patterns run over every
token. All but a few match one token by its fine-grained tag and/or its lower-cased form, so they become
dictionary lookups here; the rest (dependency labels, regular expressions, two-token exceptions such as
"gon na") still run through a Matcher, now of 18 patterns. Rules apply in the ruler's order, later ones
overriding earlier ones, as the ruler does. `tests/pipeline/test_nlp.py` checks the output is identical.
"""
from __future__ import annotations

from collections import defaultdict

import numpy

from spacy.attrs import DEP, LEMMA, LOWER, MORPH, POS, TAG
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


def _simple(alternatives: list) -> bool:
    return all(len(p) == 1 and set(p[0]) <= {"TAG", "LOWER"} and all(_values(v) is not None for v in p[0].values())
               for p in alternatives)


class AttributeTable:
    def __init__(self, ruler: AttributeRuler):
        self.attrs = ruler.attrs          # per rule, normalised (attribute id -> value id), in rule order
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        self.by_lower: dict[str, list[int]] = defaultdict(list)
        self.by_lower_tag: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.residual = Matcher(ruler.vocab)
        self.indices: dict[int, int] = {}
        for rule, entry in enumerate(ruler.patterns):
            alternatives = entry["patterns"]
            if not _simple(alternatives):
                self.residual.add(str(rule), alternatives)
                self.indices[rule] = entry["index"]
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
        self._merged: dict[tuple[int, ...], dict[int, int]] = {}

        # the same tables keyed by string hashes, so a document is read as arrays, without Token objects
        strings = ruler.vocab.strings
        self.by_tag_hash = {strings.add(k): v for k, v in self.by_tag.items()}
        self.by_lower_hash = {strings.add(k): v for k, v in self.by_lower.items()}
        self.by_pair_hash = {(strings.add(lo), strings.add(tag)): v for (lo, tag), v in self.by_lower_tag.items()}

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

    def __call__(self, doc: Doc) -> Doc:
        extra: dict[int, list[int]] = defaultdict(list)
        strings = doc.vocab.strings
        for match_id, start, end in self.residual(doc, allow_missing=True):
            rule = int(strings[match_id])
            index = self.indices[rule]
            extra[(end if index < 0 else start) + index].append(rule)
        rows = doc.to_array(list(ARRAY_ATTRS)).tolist()
        one_by_one = []
        for i, (tag, lower) in enumerate(doc.to_array([TAG, LOWER]).tolist()):
            rules = self._rules(tag, lower)
            if i in extra:
                rules = sorted(set(rules + extra[i]))
            else:
                rules.sort()
            merged = self._merge(tuple(rules))
            row = rows[i]
            for col, attr in enumerate(ARRAY_ATTRS):
                if attr in merged:
                    row[col] = merged[attr]
            if TAG in merged or DEP in merged:
                one_by_one.append((i, {a: v for a, v in merged.items() if a in (TAG, DEP)}))
        values = numpy.array(rows, dtype="uint64").reshape(len(doc), len(ARRAY_ATTRS))
        doc.from_array(list(ARRAY_ATTRS), values)
        for i, attrs in one_by_one:
            set_token_attrs(doc[i], attrs)
        return doc
