"""Statements and stances named by a noun: "Trump's claim that the election is rigged", "her decision to run",
"the senator's criticism of the deal", "the warning by officials that …", "Clinton voiced support for the plan".

The noun's complement is the content: a "that" clause, a "to" infinitive, or the object of the preposition the
noun takes ("criticism of", "support for", "opposition to"). The author is the noun's possessor, the object of
"by"/"from", or the subject of the verb that puts the statement forward ("voiced support", "made the claim").
Without an author a noun is narration ("the decision to close the plant"), so nothing is reported.
"""
from __future__ import annotations

from spacy.tokens import Token

from app.pipeline.attribution import SPEECH_NOUNS, STATEMENT_VERBS, Attributor
from app.pipeline.nlp import lemma

# Nouns of a stance or a request whose object is what the stance is about, and the prepositions that introduce it
STANCE_NOUNS = {
    "support": {"for", "of"}, "endorsement": {"of"}, "criticism": {"of"}, "opposition": {"to"},
    "attack": {"on"}, "praise": {"for", "of"}, "condemnation": {"of"}, "rejection": {"of"}, "defense": {"of"},
    "defence": {"of"}, "call": {"for"}, "demand": {"for"}, "request": {"for"}, "concern": {"about", "over"},
    "question": {"about"}, "complaint": {"about"}, "warning": {"about", "of", "against"}, "view": {"on", "of"},
    "position": {"on"}, "stance": {"on"}, "denial": {"of"}, "acceptance": {"of"}, "backing": {"of", "for"},
    "commitment": {"to"}, "objection": {"to"}, "pledge": {"of"}, "embrace": {"of"}, "dismissal": {"of"},
    "protest": {"of", "against"}, "favor": {"of"}, "favour": {"of"}, "hope": {"of"}, "hopes": {"of"},
}
# Nouns whose "to" infinitive is what was decided, promised or asked ("her refusal to testify")
INTENT_NOUNS = frozenset("""decision refusal promise pledge vow plan proposal request call offer threat bid
commitment demand push effort intention desire""".split())
# Verbs by which an author puts a statement or stance forward: their subject is the noun's author (those that put
# forward a statement, and more that put forward a stance: "lent support", "threw his backing")
OFFERING_VERBS = STATEMENT_VERBS | frozenset("""announce lend throw state restate signal register air publish post
reaffirm defend explain have share raise unveil outline propose lay put""".split())


def nominal_content(noun: Token, attributor: Attributor) -> tuple[tuple[int, int], Token] | None:
    """(content token range, author) of a statement named by `noun`, or None."""
    # most nouns have no complement at all: look at the parse before computing the lemma
    if not any(c.dep_ in {"acl", "ccomp", "prep"} for c in noun.rights):
        return None
    clause = content_child(noun, lemma(noun))
    if clause is None:
        return None
    source = author_of(noun, attributor)
    if source is None:
        return None
    return (clause.left_edge.i, clause.right_edge.i + 1), source


def content_child(noun: Token, noun_lemma: str) -> Token | None:
    """The dependent of `noun` that holds what is said or wanted, if the noun names a statement or a stance."""
    for c in noun.rights:
        if c.dep_ in {"acl", "ccomp"} and c.left_edge.lower_ == "that" and noun_lemma in SPEECH_NOUNS:
            return c
        if c.dep_ == "acl" and c.left_edge.lower_ == "to" and c.tag_ == "VB" and noun_lemma in INTENT_NOUNS:
            return c
        if c.dep_ == "prep" and c.lower_ in STANCE_NOUNS.get(noun_lemma, ()) and c.i == noun.i + 1:
            obj = next((o for o in c.children if o.dep_ in {"pobj", "pcomp"}), None)
            if obj is not None:
                return obj
    return None


def author_of(noun: Token, attributor: Attributor) -> Token | None:
    """Whose statement the noun names: "Trump's claim", "the claim by Trump", "Trump made the claim"."""
    poss = next((c for c in noun.children if c.dep_ == "poss"), None)
    if poss is not None:
        return poss
    for c in noun.children:
        if c.dep_ in {"prep", "agent"} and c.lower_ in {"by", "from"}:
            pobj = next((o for o in c.children if o.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    if noun.dep_ == "dobj" and lemma(noun.head) in OFFERING_VERBS:
        return attributor.subject_of(noun.head)
    # "spoke in support of the bill", "resigned in protest of the decision": the stance of the verb's subject
    prep = noun.head
    if noun.dep_ == "pobj" and prep.lower_ == "in" and prep.head.pos_ in {"VERB", "AUX"}:
        return attributor.subject_of(prep.head)
    return None
