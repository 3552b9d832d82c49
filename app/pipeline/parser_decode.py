"""spaCy's dependency parser with the scoring of each step done by numpy: the same parses in less time.

spaCy's greedy parser (`Parser._parseC`) scores the states of 4 documents at a time, step by step, with matrix
products through thinc's bundled BLIS, which on this kind of CPU runs its unvectorised 'generic' kernels (see
nlp.py): for small products like these (a few states by 64 hidden units by 106 moves) that was most of the
parser's time. Here each step's scores come from numpy (OpenBLAS) for all the documents of a batch at once, and
everything else stays spaCy's own: the network's precomputed features (run exactly as spaCy runs them), the
features each state reads (`get_token_ids`), the validity of moves and the move taken (`transition_states`,
first of equal scores), and writing the parse (`set_annotations`, which also undoes the non-projective labels).
The sums are taken in spaCy's order, so the parses are the same: `tests/pipeline/test_nlp.py` checks it.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import SimpleNamespace

import numpy
from spacy.ml.parser_model import ParserStepModel
from spacy.pipeline import DependencyParser
from spacy.tokens import Doc
from spacy.util import minibatch


class SteppedParser:
    """A pipeline component running `parser`'s model and transition system with numpy scoring each step."""

    def __init__(self, parser: DependencyParser):
        self.parser = parser

    def __call__(self, doc: Doc) -> Doc:
        self.annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 16) -> Iterator[Doc]:
        # one batch at a time: more states per step, fewer steps (the features take ~4 KB per token)
        for batch in minibatch(docs, size=batch_size):
            batch = list(batch)
            self.annotate(batch)
            yield from batch

    def annotate(self, docs: list[Doc]) -> None:
        parser = self.parser
        states = parser.moves.init_batch(docs)
        if not any(len(doc) for doc in docs):
            parser.set_annotations(docs, states)
            return
        tok2vec, lower, upper = parser.model.layers
        # as spaCy's ParserStepModel computes them: features of every (token, feature slot), padding in row 0
        features = lower.predict(tok2vec.predict(docs))       # (tokens + 1, slots, hidden, pieces)
        rows, slots, hidden, pieces = features.shape
        table = features.reshape(rows * slots, hidden * pieces)
        bias = lower.get_param("b").reshape(hidden * pieces)
        W, b = upper.get_param("W"), upper.get_param("b")
        slot = numpy.arange(slots)
        shape = SimpleNamespace(state2vec=SimpleNamespace(nF=slots))   # all get_token_ids reads of its model
        todo = [state for state in states if not state.is_final()]
        while todo:
            ids = ParserStepModel.get_token_ids(shape, todo)    # -1 for no token: the padding row
            gathered = table[((ids + 1) * slots + slot).ravel()].reshape(len(todo), slots, hidden * pieces)
            summed = gathered[:, 0] + gathered[:, 1]           # summed slot by slot, then the bias, as spaCy does
            for f in range(2, slots):
                summed += gathered[:, f]
            summed += bias
            units = summed.reshape(len(todo), hidden, pieces)
            activations = units[:, :, 0]
            for p in range(1, pieces):                         # maxout
                activations = numpy.maximum(activations, units[:, :, p])
            scores = activations @ W.T
            scores += b
            todo = parser.transition_states(todo, scores)
        parser.set_annotations(docs, states)


def plain_greedy(component, slots: int | None = None) -> bool:
    """Whether `component` is the kind of model this module and ner_decode.py reproduce, as en_core_web_sm's
    parser and NER are: greedy (no beam), every move seen in training, a precomputed lower layer with maxout
    pieces (over `slots` state tokens when given) and a linear output layer. Anything else keeps spaCy's own
    component (nlp.py)."""
    layers = getattr(component.model, "layers", [])
    if len(layers) != 3:
        return False
    _, lower, upper = layers
    attrs = component.model.attrs
    return (component.cfg.get("beam_width", 1) == 1 and attrs.get("has_upper", False)
            and not attrs.get("unseen_classes") and lower.name == "precomputable_affine" and upper.name == "linear"
            and lower.has_dim("nP") and lower.get_dim("nP") > 1
            and (slots is None or lower.has_dim("nF") and lower.get_dim("nF") == slots))
