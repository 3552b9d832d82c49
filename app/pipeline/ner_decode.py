"""spaCy's entity recogniser with its greedy decoding done in numpy: the same entities for a fraction of the time.

en_core_web_sm's NER is a transition system (BILUO moves) read token by token. spaCy decodes it one step at a time
for a few documents at once, checking the validity of all 74 moves of every state at every step, and that loop
was over half of the NER's time. Its features depend on the state only through the token in front of the buffer,
and, while an entity is open, through the entity's first token and the token before the front. So the states
outside any entity (nearly all of them) are scored for the whole document at once, in one matrix product, and
only the few steps inside an entity are taken one by one. Same network (spaCy's NER component, its own tok2vec
and weights, run exactly as spaCy runs them), same moves, same rule for ties: `tests/pipeline/test_nlp.py` checks
that the entities are those spaCy's decoder finds. Documents that already carry entities (presets, which the
moves must respect) are left to spaCy's own decoder.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy
from spacy.attrs import ENT_IOB, IS_SPACE, SENT_START
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span
from spacy.util import minibatch

NER_SLOTS = 3   # the state tokens decode() reads: the front, the open entity's first, the one before the front


class GreedyNER:
    """A pipeline component running `ner`'s model and decoding its moves as spaCy's greedy decoder does; for the
    models `parser_decode.plain_greedy(ner, NER_SLOTS)` accepts."""

    def __init__(self, ner: EntityRecognizer):
        self.ner = ner
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        self.out = names.index("O")
        self.labels = [name[2:] if name[:2] in ("B-", "I-", "L-", "U-") else "" for name in names]
        move = numpy.array([name[0] for name in names])
        labelled = numpy.array([label != "" for label in self.labels])
        self.begin, self.unit = (move == "B") & labelled, (move == "U") & labelled
        # while an entity is open, only I (go on) and L (close) of its own label are valid
        self.in_of = {self.labels[i]: i for i in range(len(names)) if move[i] == "I" and labelled[i]}
        self.last_of = {self.labels[i]: i for i in range(len(names)) if move[i] == "L" and labelled[i]}

    def __call__(self, doc: Doc) -> Doc:
        self.annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        # the same batches as spaCy's Parser.pipe, so the network sees the same inputs
        for batch in minibatch(docs, size=batch_size):
            batch = list(batch)
            for sub in minibatch(sorted(batch, key=len), size=max(batch_size // 4, 2)):
                self.annotate(list(sub))
            yield from batch

    def annotate(self, docs: list[Doc]) -> None:
        docs = [doc for doc in docs if len(doc)]
        if not docs:
            return
        tok2vec, lower, upper = self.ner.model.layers
        # preset entities, which the moves must respect: spaCy's own decoder
        if any(doc.to_array(ENT_IOB).any() for doc in docs):
            self.ner.set_annotations(docs, self.ner.predict(docs))
            return
        # as spaCy's ParserStepModel computes them: features of every (token, feature slot), padding in row 0
        features = lower.predict(tok2vec.predict(docs))      # (tokens + 1, 3 slots, hidden, pieces)
        weights = (lower.get_param("b"), upper.get_param("W"), upper.get_param("b"))
        offset = 1
        for doc in docs:
            feats = features[offset:offset + len(doc)]
            offset += len(doc)
            found = self.decode(doc, feats, features[0], weights)
            doc.set_ents([Span(doc, start, end, label=label) for start, end, label in found], default="outside")

    def decode(self, doc: Doc, feats, pad, weights) -> list[tuple[int, int, str]]:
        bias, W, b = weights
        n = len(doc)
        marks = doc.to_array([IS_SPACE, SENT_START]).astype("int64")
        space = marks[:, 0] == 1
        # an entity neither crosses into a sentence that starts at the next token nor runs past the last token
        next_starts = numpy.ones(n, dtype=bool)
        next_starts[:-1] = marks[1:, 1] == 1
        # Outside an entity the state's features are the front token's and two paddings, summed in spaCy's order.
        hidden = (((feats[:, 0] + pad[1]) + pad[2]) + bias).max(axis=-1)
        scores = hidden @ W.T + b
        valid = numpy.zeros(scores.shape, dtype=bool)
        valid[:, self.out] = True
        valid[~space] |= self.unit
        valid[~space & ~next_starts] |= self.begin
        best = numpy.where(valid, scores, -numpy.inf).argmax(axis=1)   # first of equal scores, as spaCy's argmax
        ents: list[tuple[int, int, str]] = []
        end = 0
        for i in numpy.flatnonzero(best != self.out).tolist():
            if i < end:      # inside the entity just read
                continue
            label = self.labels[best[i]]
            if self.unit[best[i]]:
                ents.append((i, i + 1, label))
                end = i + 1
                continue
            # B: step through the entity until L
            go_on, close = self.in_of[label], self.last_of[label]
            j = i + 1
            while not next_starts[j]:  # else only L is valid
                # inside an entity: the front token, the entity's first token, the token before the front
                h = (((feats[j, 0] + feats[i, 1]) + feats[j - 1, 2]) + bias).max(axis=-1)  # maxout
                s_in, s_last = h @ W[go_on] + b[go_on], h @ W[close] + b[close]
                if not (s_in > s_last or (s_in == s_last and go_on < close)):
                    break
                j += 1
            ents.append((i, j + 1, label))
            end = j + 1
        return ents
