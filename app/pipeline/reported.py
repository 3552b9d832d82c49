"""Reported speech without quotation marks: "Putin said he understood China's concerns", "according to X, …".

The content clause (the verb's clausal complement, or the sentence around "according to X") is the span.
Only verbs of saying and believing with a stated source count, so narration is not mistaken for a claim; the
one exception is a claim the writer hedges ("is expected to", "seems to", "reportedly"), reported with no
speaker. Which of the spans a verb's parse offers is its content, if any, is decided by a model learned from
PolNeAR train (content_model.py); the hand rules' answer is one of those spans. Nouns that name a statement
or stance are in nominal.py.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from app.pipeline.nlp import lemma
from app.pipeline.attribution import Attributor, is_dateline
from app.pipeline.content_model import Candidate, ContentModel, candidates, features, load_model
from app.pipeline.cue_lexicon import load_lexicon, slot_of
from app.pipeline.nominal import nominal_content
from app.pipeline.types import Mention, QuoteRecord

REPORTING_VERBS = frozenset("""
say tell add claim explain note argue insist warn deny admit acknowledge reveal declare announce report confirm
believe think suggest predict complain tweet write state assert maintain contend agree testify concede allege
boast hint recall reiterate emphasize emphasise stress promise pledge vow estimate expect hope fear worry feel
know understand indicate signal conclude observe remark respond reply answer ask urge caution charge accuse
show find reveal suggest
""".split())
# "PENCE: Well, look, ..." in transcripts and "Caddell: Voters Worried ..." in headlines
SPEAKER_LABEL = re.compile(r"(?m)^[ \t]*((?:[A-Z][\w.’'-]*\s){0,3}[A-Z][\w.’'-]*)[ \t]*:[ \t]+(?=\S)")
LABEL_STOP = {"Photo", "Photograph", "Image", "Credit", "Source", "Update", "Updated", "Note", "Editor",
              "Related", "Read", "Watch", "Listen", "See", "Q", "A", "Subscribe", "Follow", "Tags", "Share"}
LABEL_FINDINGS = frozenset("poll survey study report".split())
# Verbs whose object or infinitive complement is the content of a statement or stance
# ("criticized his early-morning tweets", "plans to triple the size of the program")
OBJECT_CUES = frozenset("""
cite defend attack criticize criticise endorse discuss announce propose praise blame urge support oppose reject
dismiss question want plan promise pledge vow seek refuse decline agree call demand describe mention recommend
condemn slam blast deny acknowledge admit confirm highlight tout
""".split())
# Verbs whose object is the person addressed, not what is said
ADDRESSEE_CUES = frozenset("tell inform assure remind warn urge ask advise encourage order instruct invite".split())
# "blasted Romney for not releasing his returns", "described Estonia as a suburb": the preposition right after
# the object carries what is said about it
OBJECT_COMPLEMENTS = frozenset({"for", "as"})
MIN_CONTENT_TOKENS = 3
QUOTE_MARK_CHARS = "\"“”„‟«»‘’'"
# a learned verb counts as a cue when at least this share of its uses in the training corpus attributed speech;
# chosen on PolNeAR dev (precision and recall of indirect quotes), never on the seed articles
LEARNED_RATE_MIN = 0.2



def _content(span: Span, mask: list[bool], min_tokens: int = MIN_CONTENT_TOKENS) -> Span | None:
    """Trim a content clause and reject it when it is mostly a direct quote (counted there instead)."""
    doc = span.doc
    start, end = span.start, span.end
    while start < end and (doc[start].is_punct or doc[start].is_space or is_dateline(doc[start])):
        start += 1   # nor the dateline of a wire story's first sentence ("WASHINGTON (AP) —"): where it was filed
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end - start < min_tokens:
        return None
    # characters, not tokens, and the quotation marks themselves not counted: a clause that merely contains a
    # short quoted phrase is still reported speech ("A cashier who “steals a handful of $20s” is held accountable")
    quoted = total = 0
    for tok in doc[start:end]:
        if len(tok.text) == 1 and tok.text in QUOTE_MARK_CHARS:
            continue
        total += len(tok.text)
        quoted += len(tok.text) * mask[tok.i]
    if quoted * 2 >= total:
        return None
    # the closing mark of a phrase the content quotes stays with it ("called the proposal «absurd»"), with the
    # punctuation American style puts inside it ("described it as “wonderful.”")
    if _unclosed(doc[start:end].text):
        close = end
        while close < min(len(doc), end + 2) and doc[close].text in ".,!?" and not doc[close - 1].whitespace_:
            close += 1
        if close < len(doc) and not doc[close - 1].whitespace_ and doc[close].text in CLOSING_MARKS:
            end = close + 1
    return doc[start:end]


CLOSING_MARKS = frozenset("”»\"")


def _unclosed(text: str) -> bool:
    """Whether a double quotation opened in `text` is still open at its end."""
    straight = text.count('"') % 2 == 1
    return straight or text.count("“") > text.count("”") or text.count("«") > text.count("»")


def reported_speech(doc: Doc, attributor: Attributor, mask: list[bool]) -> list[QuoteRecord]:
    """Every reported statement of the document, the headline's included ("Trump Says He Will Build the Wall"):
    unlike a quoted title, a headline's verb of saying states who said what."""
    out: list[QuoteRecord] = []
    taken: set[int] = set()
    model = load_model()
    # "according to X" first: it attributes its whole sentence, even when a verb in it reports something too
    according = [t for t in doc if is_according_to(t)]
    first = {t.i for t in according}
    for tok in according + [t for t in doc if t.i not in first]:
        if mask[tok.i]:
            continue
        hedged = None
        if tok.i in first:
            source, contents = according_to_content(tok, mask)
            cue_text = "according to"
        elif tok.pos_ in {"VERB", "AUX", "ADV"} and (hedged := hedged_pieces(tok)):
            source, contents = None, [_content(doc[lo:hi], mask, 1) for lo, hi in hedged]
            cue_text = tok.text
        elif tok.pos_ in {"VERB", "AUX"} and (chosen := verb_content(tok, attributor, model)) is not None:
            (lo, hi), source, slot = chosen
            contents = verb_contents(tok, source, lo, hi, slot, mask)
            cue_text = tok.text
        elif tok.pos_ == "ADP" and (source := framing_source(tok)) is not None:
            contents = _sentence_less(tok.i, tok.right_edge.i + 1, tok.sent, mask)
            cue_text = doc[tok.i:tok.right_edge.i + 1].text
        elif tok.pos_ == "NOUN" and (nominal := nominal_content(tok, attributor)) is not None:
            (lo, hi), source = nominal
            sent = tok.sent
            contents = [_content(doc[max(lo, sent.start):min(hi, sent.end)], mask)]
            cue_text = tok.text
        else:
            continue
        if source is None and not hedged:
            continue
        for content in contents:
            if content is None or content.start in taken:
                continue
            taken.update(range(content.start, content.end))
            out.append(_record(attributor, content, source, cue_text, tok))
    labelled = [q for q in labelled_paragraphs(doc, attributor, mask)
                if not any(o.start < q.end and q.start < o.end for o in out)]
    return out + labelled


# Verbs by which the writer hedges a claim without naming whose it is: "The bank seems [to act] …", "X is
# expected to win": the subject and the infinitive are the claim, and nobody is its source
HEDGING_VERBS = frozenset("seem appear".split())
HEDGING_ADVERBS = frozenset("reportedly allegedly seemingly purportedly supposedly ostensibly reputedly".split())
HEDGING_PASSIVES = frozenset("expect project predict believe think consider rumor rumour say report".split())


def hedged_pieces(verb: Token) -> list[tuple[int, int]]:
    """The pieces of a claim hedged by `verb` ("[The bank] seems [to act soon]", "[Prices] are expected [to
    rise]", "It appears [that …]"), or [] when the verb hedges nothing here or a source is named ("by analysts")."""
    if verb.pos_ == "ADV":
        return _hedged_by_adverb(verb)
    passive = verb.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in verb.children)
    if not (passive or verb.lower_.startswith(("seem", "appear"))):  # the lemma costs more than these tests
        return []
    verb_lemma = lemma(verb)
    if not (verb_lemma in HEDGING_VERBS or (passive and verb_lemma in HEDGING_PASSIVES)):
        return []
    if any(c.dep_ == "agent" for c in verb.children):
        return []
    complement = next((c for c in verb.children if c.i > verb.i and (
        (c.dep_ == "xcomp" and c.pos_ in {"VERB", "AUX"}) or (c.dep_ == "ccomp" and c.left_edge.lower_ == "that"))),
        None)
    if complement is None:
        return []
    pieces = [(complement.left_edge.i, _without_appendix(complement))]
    subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i < verb.i), None)
    if subject is not None and subject.lower_ not in {"it", "there", "who", "which", "that"} and not subject.is_punct:
        pieces.insert(0, (subject.left_edge.i, _without_appendix(subject)))
    return pieces


def _hedged_by_adverb(adverb: Token) -> list[tuple[int, int]]:
    """"[Khoga was] reportedly [on that trip]": the clause the adverb modifies, in the pieces around it."""
    clause = adverb.head
    if adverb.lower_ not in HEDGING_ADVERBS or adverb.dep_ != "advmod" or clause.pos_ not in {"VERB", "AUX"}:
        return []
    sent = adverb.sent
    lo, hi = max(clause.left_edge.i, sent.start), min(_without_appendix(clause), sent.end)
    return [(a, b) for a, b in ((lo, adverb.i), (adverb.i + 1, hi)) if b > a]


def is_according_to(tok: Token) -> bool:
    return tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to"


def according_to_content(according: Token, mask: list[bool]) -> tuple[Token | None, list[Span | None]]:
    """The source and content of "according to X": the sentence it stands in, less the phrase itself (two pieces
    when the phrase interrupts it: "The plan, according to officials, will cost more")."""
    doc, sent = according.doc, according.sent
    to = doc[according.i + 1]
    source = next((c for c in to.children if c.dep_ == "pobj"), None)
    if source is None:
        return None, []
    return source, _sentence_less(according.i, max(according.right_edge.i, to.right_edge.i) + 1, sent, mask)


def _sentence_less(a_lo: int, a_hi: int, sent: Span, mask: list[bool]) -> list[Span | None]:
    """The sentence around an attributing phrase [a_lo, a_hi), in one or two pieces."""
    doc = sent.doc
    pieces = [(sent.start, a_lo), (a_hi, sent.end)]
    pieces = [(lo, hi) for lo, hi in pieces if any(not (t.is_punct or t.is_space) for t in doc[lo:hi])]
    short = 1 if len(pieces) > 1 else MIN_CONTENT_TOKENS
    return [_content(doc[lo:hi], mask, short) for lo, hi in pieces]


# "In his view, …", "In the poll, …": a phrase that frames its whole sentence as somebody's opinion or finding.
# Opinions need their holder named (the possessor); a poll or survey holds its findings itself.
OPINION_NOUNS = frozenset("view opinion estimation judgment judgement assessment mind words telling".split())
FINDING_NOUNS = frozenset("poll survey study".split())


def framing_source(prep: Token) -> Token | None:
    """Whose opinion or finding a framing phrase "in X's view" / "in the poll" makes of its sentence, or None."""
    if prep.lower_ != "in" or prep.dep_ != "prep":
        return None
    sent = prep.sent
    if prep.i != sent.start and prep.nbor(-1).text not in {",", "—", "--"}:
        return None  # an aside or the sentence's start, not "believed in his mind"
    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
    if obj is None:
        return None
    noun = lemma(obj)
    if noun in OPINION_NOUNS:
        return next((c for c in obj.children if c.dep_ == "poss"), None)
    return obj if noun in FINDING_NOUNS else None


def verb_content(cue: Token, attributor: Attributor, model: ContentModel | None
                 ) -> tuple[tuple[int, int], Token, str] | None:
    """The content span a verb reports, its subject and the span's slot; None when the verb reports nothing here.

    Each candidate span the parse offers (content_model.candidates, the hand rules' answer among them) is scored
    by the learned model and the likeliest kept if likely enough; without a model, the hand rules decide alone.
    """
    scored = scored_candidates(cue, attributor)
    if not scored:
        return None
    source = scored[0][2]
    if model is None:
        rule = next((c for c, _, _ in scored if c.slot == "rule"), None)
        return ((rule.start, rule.end), source, rule.slot) if rule is not None else None
    p, best = max(((model.score(feats), cand) for cand, feats, _ in scored), key=lambda pc: pc[0])
    if p < model.threshold:
        return None
    return (best.start, best.end), source, best.slot


def scored_candidates(cue: Token, attributor: Attributor) -> list[tuple[Candidate, list[str], Token]]:
    """(candidate span, its features, the cue's subject) for a verb that may report speech and has a subject."""
    verb = lemma(cue)
    lists = tuple(name for name, verbs in (("report", REPORTING_VERBS), ("object", OBJECT_CUES),
                                          ("addressee", ADDRESSEE_CUES)) if verb in verbs)
    rule = content_of(cue)
    if rule is None and not lists and verb not in load_lexicon():
        return []
    source = attributor.subject_of(cue) or participle_owner(cue)
    if source is None:
        return []
    cands = candidates(cue, rule, _without_appendix, as_clause_head(cue))
    return [(cand, feats, source) for cand, feats in zip(cands, features(cue, source, cands, lists))]


def participle_owner(cue: Token) -> Token | None:
    """Who a participle modifying a noun speaks for, which the parse gives no subject: the noun itself ("voters
    backing other candidates") or, for a past participle, its agent ("the plan proposed by the mayor")."""
    if cue.dep_ != "acl" or cue.head.pos_ not in {"NOUN", "PROPN", "PRON"}:
        return None
    if cue.tag_ == "VBG":
        return cue.head
    agent = next((c for c in cue.children if c.dep_ == "agent"), None)
    return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None


def verb_contents(cue: Token, source: Token, lo: int, hi: int, slot: str, mask: list[bool]) -> list[Span | None]:
    """The content pieces of a verb's chosen span, each within the sentence: split around an attribution inside
    it, and followed by further complement clauses of the same cue."""
    doc, sent = cue.doc, cue.sent
    spans = [(lo, hi)]
    if slot in {"rule", "ccomp"}:
        spans += further_clauses(cue, (lo, hi))
    contents = []
    for a, b in spans:
        a, b = max(a, sent.start), min(b, sent.end)
        a = _past_saying(doc, a, b)
        # one piece, or two around an attribution that sits inside the content
        pieces = _around_attribution(a, b, cue, source)
        # a piece cut by the attribution may be short ("The museum, Mr. Obama said, would …"), and an object
        # may be one word ("applauded [the ruling]", "rejected [it]"), whichever rule or slot offered it
        contents += [_content(doc[x:y], mask, 1) for x, y in pieces]
    return contents


def _past_saying(doc: Doc, lo: int, hi: int) -> int:
    """Where a content starts once a participle of saying that opens it is left out: "was quoted as [saying] that
    Russia valued the partnership" reports what was said, not the saying."""
    first = doc[lo]
    if first.tag_ != "VBG" or lemma(first) not in REPORTING_VERBS:
        return lo
    clause = next((c for c in first.children if c.dep_ == "ccomp" and c.i > first.i), None)
    return clause.left_edge.i if clause is not None and clause.left_edge.i < hi else lo


def content_of(cue: Token) -> tuple[int, int] | None:
    """Token range of what a reporting verb reports, or None when it is not used as a cue here.

    The content clause may follow the cue ("said that …") or precede it ("…, sources said"), or the cue may sit
    inside it ("Acts of protest, Mr. Obama said, are acts of patriotism"). Besides the verbs listed above, the
    learned lexicon (cue_lexicon.py) names verbs that attribute in news and where their content sits.
    """
    verb = lemma(cue)
    if verb in ADDRESSEE_CUES:
        return _addressed_content(cue)
    slots: tuple[str, ...] = ()
    if verb in REPORTING_VERBS:
        slots = ("ccomp", "head")
    if verb in OBJECT_CUES:
        slots += ("ccomp", "dobj", "xcomp")
    learned = load_lexicon().get(verb)
    if learned is not None and learned.rate >= LEARNED_RATE_MIN:
        slots += learned.slots
    if slots and (named := _object_and_predicate(cue)) is not None:
        return named
    for slot in slots:
        if slot == "head":
            if cue.dep_ == "parataxis":
                return _interrupted_clause(cue)
            if as_clause_head(cue) is not None:   # _content trims the comma after the "as" clause
                return cue.right_edge.i + 1, _without_appendix(cue.head)
            continue
        for child in cue.children:
            if slot_of(child) != slot or (slot in {"dobj", "xcomp"} and child.i < cue.i):
                continue
            if slot.startswith("prep:"):  # the preposition's object is the content ("accused him of lying")
                child = next((c for c in child.children if c.dep_ in {"pobj", "pcomp"}), None)
                if child is None:
                    continue
            lo, hi = child.left_edge.i, _without_appendix(child)
            if slot == "dobj":  # what the object is blamed for or described as belongs to it
                hi = max([hi] + [c.right_edge.i + 1 for c in cue.children
                                 if c.dep_ == "prep" and c.lower_ in OBJECT_COMPLEMENTS and c.i == hi])
            return lo, hi
    return None


def _object_and_predicate(cue: Token) -> tuple[int, int] | None:
    """"called [the charges unsubstantiated]", "called [him a master at deals]": the object and what it is called
    are the content together."""
    after = [c for c in cue.children if c.i > cue.i]
    predicates = [c for c in after if c.dep_ == "oprd"]
    if not predicates:
        return None
    parts = [c for c in after if c.dep_ in {"dobj", "oprd"}]
    lo = min(c.left_edge.i for c in parts)
    hi = max(c.right_edge.i for c in parts) + 1
    for c in after:  # "a master [at bolting deals together]": a phrase right after it completes the predicate
        if c.dep_ == "prep" and c.i == hi:
            hi = c.right_edge.i + 1
    return lo, hi


def as_clause_head(cue: Token) -> Token | None:
    """The main clause's verb when the cue stands in an "as" clause before it ("As the Post reported, [the
    department issued subpoenas]"): what the main clause states is what the source said."""
    head = cue.head
    if cue.dep_ != "advcl" or head.i < cue.i or head.pos_ not in {"VERB", "AUX"}:
        return None
    mark = next((c for c in cue.children if c.dep_ == "mark"), None)
    return head if mark is not None and mark.lower_ == "as" and mark.i == cue.left_edge.i else None


def _interrupted_clause(cue: Token) -> tuple[int, int]:
    """The clause a parenthetical cue interrupts: its head's subtree, but from the sentence's start to its end when
    the attribution stands between commas ("It's an investment, they say, that would be recouped"): the parse
    often hangs the part after it on a word of the part before, so the head's subtree misses the first part."""
    head, sent = cue.head, cue.sent
    lo, hi = head.left_edge.i, head.right_edge.i + 1
    doc = cue.doc
    before = doc[cue.left_edge.i - 1] if cue.left_edge.i > sent.start else None
    if before is not None and (before.text in {",", "—", "--"} or doc[cue.left_edge.i].text in {",", "—", "--"}):
        lo, hi = min(lo, sent.start), max(hi, sent.end)
    return lo, hi


def _addressed_content(cue: Token) -> tuple[int, int] | None:
    """What a verb with an addressee reports: "told reporters [that he would run]", "urged [Congress to act]" (the
    addressee belongs to a request, as in PolNeAR). The object alone is never the content ("told me on Friday")."""
    after = [c for c in cue.children if c.i > cue.i]
    obj = next((c for c in after if c.dep_ in {"dobj", "dative"}), None)
    clause = next((c for c in after if c.dep_ == "ccomp"), None)
    if clause is None and obj is not None:
        # "told a meeting of leaders that few people understood …" is often parsed as a relative clause
        clause = next((c for c in obj.children if c.dep_ == "relcl" and c.left_edge.dep_ == "mark"
                       and c.left_edge.lower_ == "that"), None)
    if clause is not None:
        return clause.left_edge.i, _without_appendix(clause)
    request = next((c for c in after if c.dep_ == "xcomp"), None)
    if obj is not None and request is not None:
        return obj.left_edge.i, _without_appendix(request)
    if cue.dep_ == "parataxis":  # "The difference now, he told me, is that …"
        return _interrupted_clause(cue)
    return None


def further_clauses(cue: Token, first: tuple[int, int]) -> list[tuple[int, int]]:
    """Other clauses the cue reports after the first one ("said her plan was detailed and would not blow a hole
    in the budget", parsed as two complements): each is a statement of its own."""
    return [(c.left_edge.i, _without_appendix(c)) for c in cue.children
            if c.dep_ == "ccomp" and c.i > cue.i and c.left_edge.i >= first[1]]


def _without_appendix(head: Token) -> int:
    """End of the head's subtree, less a trailing aside the writer adds after a comma: a non-restrictive relative
    clause (", who has not been charged") or a participle (", focusing on people under 30", ", arguing that …").
    """
    doc = head.doc
    hi = head.right_edge.i + 1
    for tok in head.subtree:
        if tok.i == head.i or tok.right_edge.i + 1 != hi or tok.left_edge.i <= head.left_edge.i:
            continue
        before = doc[tok.left_edge.i - 1]
        if tok.dep_ == "relcl" and before.text == "," and tok.left_edge.lower_ in {"which", "who", "whom", "whose"}:
            return before.i
        if tok.dep_ in {"advcl", "acl"} and tok.tag_ == "VBG" and tok.left_edge.i == tok.i and before.text == ",":
            return before.i
    return hi


def _around_attribution(lo: int, hi: int, cue, source) -> list[tuple[int, int]]:
    """[lo, hi) as one piece, or two when the attribution ("Mr. Obama said") sits inside it."""
    a_lo = min(cue.i, source.left_edge.i)
    a_hi = max(cue.i, source.right_edge.i) + 1
    if lo < a_lo and a_hi < hi:
        return [(lo, a_lo), (a_hi, hi)]
    return [(lo, hi)]


def _record(attributor: Attributor, content: Span, source: Token | None, cue_text: str, cue) -> QuoteRecord:
    """The record of one reported content; without a source (a hedged claim) it has no speaker."""
    sent = content.sent
    if source is None:
        return QuoteRecord(start=content.start_char, end=content.end_char, text=content.text, kind="indirect",
                           cue=cue_text, sentence_start=sent.start_char, sentence_end=sent.end_char)
    named = attributor.mention_span(source)
    mention = attributor.relative_pronoun(source, cue) or named
    cluster = attributor.resolve(source)
    return QuoteRecord(
        start=content.start_char, end=content.end_char, text=content.text, kind="indirect", cue=cue_text,
        speaker=cluster.best_name if cluster else named.text, speaker_key=cluster.key if cluster else None,
        speaker_mention=Mention(mention.start_char, mention.end_char, mention.text),
        sentence_start=sent.start_char, sentence_end=sent.end_char, where=attributor.where(sent, cue),
    )


def labelled_paragraphs(doc: Doc, attributor: Attributor, mask: list[bool]) -> list[QuoteRecord]:
    """Transcript and headline form: a speaker label and a colon, then what they said ("PENCE: Well, …")."""
    text = attributor.text
    out = []
    for m in SPEAKER_LABEL.finditer(text):
        label = m.group(1)
        if label.split()[0] in LABEL_STOP or label.isdigit():
            continue
        label_span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if label_span is None or not (all(t.pos_ == "PROPN" or t.text.isupper() for t in label_span)
                                      or (len(label_span) == 1 and label_span[0].lower_ in LABEL_FINDINGS)):
            continue   # a name ("Caddell:", "PENCE:"), or a finding's holder ("Poll: Sanders leads …")
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        content = doc.char_span(m.end(), line_end, alignment_mode="contract")
        if content is None or len(content) < MIN_CONTENT_TOKENS:
            continue
        content = _content(content, mask)
        if content is None:
            continue
        cluster = attributor.resolve(label_span[-1])
        sent = content.sent
        out.append(QuoteRecord(
            start=content.start_char, end=content.end_char, text=content.text, kind="indirect", cue=":",
            speaker=cluster.best_name if cluster else label_span.text, speaker_key=cluster.key if cluster else None,
            speaker_mention=Mention(label_span.start_char, label_span.end_char, label_span.text),
            sentence_start=sent.start_char, sentence_end=sent.end_char,
        ))
    return out
