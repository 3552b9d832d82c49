"""The only place spaCy is loaded, and where our pipeline components are registered.

One pipeline per process, loaded on first use.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import IS_SPACE
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token
from thinc.api import Model, NumpyOps
from threadpoolctl import threadpool_limits

from app.pipeline.attribute_table import AttributeTable
from app.pipeline.ner_decode import NER_SLOTS, GreedyNER
from app.pipeline.parser_decode import SteppedParser, plain_greedy

# The rules ask for the lemma of a few tokens (verbs that may cue speech, role nouns), so the pipeline runs without
# spaCy's lemmatizer, which costs a tenth of the pipeline's time lemmatising every token, and `lemma()` applies
# the same rules to the tokens asked about. One entry per loaded pipeline, by vocabulary.
_lemmatizers: dict[int, Callable[[Token], list[str]]] = {}


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and captions have no final period, and without this the parser
    runs them into the next paragraph. Set before the parser, which keeps boundaries that are already set."""
    # Only a space token can hold a line break: a token's trailing whitespace (whitespace_) is one space at most.
    # Tokens are made only for the space tokens, not for every token, as iterating the doc would.
    if len(doc) > 1:
        for i in numpy.flatnonzero(doc.to_array(IS_SPACE)[:-1]).tolist():
            if "\n" in doc[i].text:
                doc[i + 1].is_sent_start = True
    return doc


@Language.factory("attribute_table")
def make_attribute_table(nlp: Language, name: str) -> AttributeTable:
    return AttributeTable(nlp.get_pipe("attribute_ruler"))


@Language.factory("greedy_ner")
def make_greedy_ner(nlp: Language, name: str) -> GreedyNER:
    return GreedyNER(nlp.get_pipe("spacy_ner"))


@Language.factory("stepped_parser")
def make_stepped_parser(nlp: Language, name: str) -> SteppedParser:
    return SteppedParser(nlp.get_pipe("spacy_parser"))


@lru_cache(maxsize=2)
def load_nlp(model: str | None = None) -> Language:
    """Load the spaCy model named in the settings (installed as a package, so no network is touched)."""
    if model is None:
        from app.core.config import get_settings  # settings only; the pipeline never touches the database

        model = get_settings().spacy_model
    nlp = spacy.load(model)
    nlp.add_pipe("paragraph_boundaries", before="parser")
    nlp.max_length = 10_000_000
    if "attribute_ruler" in nlp.pipe_names:  # same output, a third of the time (attribute_table.py)
        nlp.add_pipe("attribute_table", before="attribute_ruler")
        nlp.disable_pipe("attribute_ruler")
    if "lemmatizer" in nlp.pipe_names:
        nlp.disable_pipe("lemmatizer")
        _lemmatizers[id(nlp.vocab)] = _on_demand(nlp.get_pipe("lemmatizer")).lemmatize
    if "parser" in nlp.pipe_names and plain_greedy(nlp.get_pipe("parser")):
        # same parses, less time (parser_decode.py); spaCy's stays, disabled
        nlp.rename_pipe("parser", "spacy_parser")
        nlp.add_pipe("stepped_parser", name="parser", after="spacy_parser")
        nlp.disable_pipe("spacy_parser")
    if "ner" in nlp.pipe_names and plain_greedy(nlp.get_pipe("ner"), NER_SLOTS):
        # same entities, a third of the time (ner_decode.py); spaCy's stays, disabled
        nlp.rename_pipe("ner", "spacy_ner")
        nlp.add_pipe("greedy_ner", name="ner", after="spacy_ner")
        nlp.disable_pipe("spacy_ner")
    # Matrix products by numpy's OpenBLAS instead of thinc's BLIS, on one thread. Nearly all of the network's time
    # is the tok2vec layers' matrix products (the shared tok2vec's and NER's own), and the BLIS bundled with thinc
    # picks its 'generic' kernels on this kind of CPU (BLIS_ARCH_DEBUG=1 says so): ~20 GFLOP/s where OpenBLAS
    # reaches 60-80. The annotations are the same (tests/pipeline/test_nlp.py). OpenBLAS gets one thread: by
    # default it starts one per core, whose spinning costs more CPU than it saves, and processes (parallel.py),
    # not threads, are how extraction uses several cores. The limit is process-wide, for BLAS only.
    threadpool_limits(limits=1, user_api="blas")
    use_ops(nlp, NumpyOps(use_blis=False))
    return nlp


def use_ops(nlp: Language, ops: NumpyOps) -> None:
    """Run every component's model with `ops` (thinc models keep the ops they were built with)."""
    for _, component in nlp.components:  # disabled ones too: the benchmarks re-enable the stock components
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            for node in model.walk():
                node.ops = ops


def _on_demand(lemmatizer: Lemmatizer) -> Lemmatizer:
    """A copy of the rule lemmatizer whose word lists are sets: the rules test each candidate form for membership
    in a list of up to 57,000 words, which made the first lemma of each word cost ~0.1 ms (a fifth of the rules'
    CPU on a fresh process). Same lemmas (tests/pipeline/test_nlp.py compares with the pipeline's lemmatizer)."""
    lookups = Lookups()
    for name in lemmatizer.lookups.tables:
        table = lookups.add_table(name)
        for key, value in lemmatizer.lookups.get_table(name).items():
            table[key] = frozenset(value) if name == "lemma_index" else value
    copy = type(lemmatizer)(lemmatizer.vocab, None, name="lemma_on_demand", mode=lemmatizer.mode)  # English rules
    copy.lookups = lookups
    return copy


def lemma(token: Token) -> str:
    """The token's lemma, lower-cased, as spaCy's lemmatizer would set it (computed on demand, then cached by
    the lemmatizer). Lemmas the pipeline did set (the attribute ruler's exceptions) are kept."""
    if token.lemma:
        return token.lemma_.lower()
    lemmatize = _lemmatizers.get(id(token.vocab))
    return lemmatize(token)[0].lower() if lemmatize else token.lower_
