"""Who said each quotation: cue verbs and their subjects from spaCy's dependency parse.

For a quote, the cue is found first through the parse (the verb that governs the quoted clause or phrase:
"…," Mr. Gabuev said / said Evan Feigenbaum / thanked China for its "balanced position"), then in the text
around the quote within its sentence, then through "according to X" and a dash byline ("…" ― Name). The
source is the subject of the cue (inherited through conjoined and participial verbs), or the object of
"according to". Pronouns and role nouns ("he", "the professor", "the Russian leader") resolve to the most
salient earlier actor. A quote with no cue that opens its paragraph continues the previous quote's speaker.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from app.pipeline.nlp import lemma
from app.pipeline.entities import COMPANY_SUFFIX, Cluster

SPEECH_VERBS = frozenset("""
say tell add ask answer reply respond write state claim explain note argue insist warn describe call praise thank
accuse acknowledge admit reveal declare pledge promise believe think suggest announce report confirm deny comment
remark observe conclude emphasize emphasise stress predict complain tweet post recall quip joke urge vow decry
denounce condemn commend criticize criticise reiterate assert maintain contend agree testify mention hint concede
caution charge allege boast brag shout chant exclaim wonder whisper muse label dub term characterize characterise
express voice welcome hail slam blast lament estimate tout
question challenge demand propose recommend counter retort rebut speculate surmise
disclose divulge proclaim affirm underscore underline highlight signal indicate
brand scoff sigh laugh cry yell scream plead beg implore caution advise assure reassure inform remind
lecture preach suggest concur dispute reject dismiss decline refuse blame credit applaud congratulate criticize
scold chide rebuke admonish reprimand berate
""".split())
# Nouns that name a statement or stance, and verbs by which its author puts one forward ("made the claim that")
SPEECH_NOUNS = frozenset("""claim assertion statement argument warning promise pledge vow suggestion accusation
allegation charge insistence belief view contention remark comment prediction admission denial assurance threat
message announcement proposal demand complaint position conclusion finding estimate report""".split())
STATEMENT_VERBS = frozenset("make issue repeat reiterate offer deliver give release renew voice express".split())
# Verbs that introduce a quote only when they stand right beside it ("Limbaugh continued: “…”", "the letter
# reads: “…”", "Blige sings “…”"); elsewhere in a sentence they are narration.
ADJACENT_CUES = frozenset("continue read sing begin start open close finish go".split())
# Verbs that cue a quote only with an object phrase ("called it "X"", "described it as "X"")
PRONOUNS_PERSON = {"he", "she", "him", "her", "his", "hers", "i", "me", "we", "us"}
PRONOUNS_GROUP = {"it", "its", "they", "them", "their"}
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
GENDERED_HONORIFICS = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}
# a gendered honorific right before a mention, or opening it ("Mr. Xi" as one span)
HONORIFIC_BEFORE = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+$")
HONORIFIC_OPENING = re.compile(r"(Mr|Mrs|Ms|Miss)\.?\s")
ROLE_NOUNS = frozenset("""
president leader minister premier chancellor spokesman spokeswoman spokesperson official professor analyst expert
secretary senator governor mayor ambassador diplomat candidate nominee chairman chairwoman director chief head
general commander adviser advisor aide lawyer attorney economist researcher fellow scholar author founder
executive ceo king queen prince host anchor reporter statement government ministry agency spokesmen officials
""".split())
# Nouns by which a story names a business it has named before ("Acme Corp said … the company said")
COMPANY_NOUNS = frozenset("""company firm corporation bank lender insurer carrier airline automaker carmaker retailer
manufacturer maker startup conglomerate""".split())
# Role nouns that fit nearly any public figure ("the Russian leader" for a president): they may refer to the salient
# person whatever role the text gave them; the other role nouns only to someone without a stated role
GENERIC_ROLE_NOUNS = frozenset("leader official head chief candidate nominee expert analyst executive".split())
# used with .match(text, pos): anchored at pos (a "^" would only match at the start of the text)
DASH_BYLINE = re.compile(r"[ \t\xa0]*[―—–-][ \t\xa0]*")
# "Where" is a prepositional phrase on the cue verb whose noun names an occasion ("in a statement", "at a news
# conference", "during the meeting in Samarkand") or a place ("in Beijing"), or "on" a medium ("on Twitter"). Only
# phrases the parse attaches to the cue count: a phrase elsewhere in the sentence is about something else ("they
# have questions at a hearing next week", "after video surfaced").
WHERE_PREPOSITIONS = frozenset("at during in on after before from".split())
OCCASION_NOUNS = frozenset("""
conference briefing interview statement speech rally summit meeting hearing remarks remark debate event forum tweet
post video broadcast address session talks sidelines television tv radio podcast commentary op-ed editorial column
appearance hall call letter memo email release testimony show program programme episode ceremony dinner luncheon
breakfast fundraiser visit stop floor town chat webcast livestream announcement report
""".split())
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
MEDIUM_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART"})
SPEAKING_VERBS = frozenset("speak talk address appear testify campaign write post tweet".split())
MAX_WHERE_TOKENS = 16
ROLE_WINDOW = 799   # tokens looked back for the bearer of a role noun ("the professor", "the company")


def is_dateline(tok: Token) -> bool:
    """Whether a token is in the dateline that opens a wire story's paragraph ("SAN FRANCISCO (Reuters) -",
    "BEIJING, Sept 15 (Reuters) -", "WASHINGTON —"): the capitalised place, a date and the agency, up to a dash.
    They say where and by whom the story was filed, never who spoke."""
    doc = tok.doc
    start = tok.i
    while start > 0 and "\n" not in doc[start - 1].text and tok.i - start < 10:
        start -= 1
    if start > 0 and "\n" not in doc[start - 1].text or not (doc[start].is_upper and len(doc[start].text) > 1):
        return False   # not at a paragraph's start, or no capitalised place opens it
    for t in doc[start:start + 12]:
        if t.text in {"-", "—", "–"}:
            return tok.i < t.i
        if t.is_alpha and not t.text[:1].isupper() or "\n" in t.text:
            return False   # a word of a sentence: "NATO, the alliance, said"
    return False


@dataclass(slots=True)
class Attribution:
    cue: Token | None = None
    cue_text: str | None = None
    source: Span | None = None        # the mention that attributes the quote
    cluster: Cluster | None = None    # the actor it resolves to
    where: str | None = None
    named: Span | None = None         # the noun phrase `source` stands for, when that is a relative pronoun


class Attributor:
    """Attribution over one parsed article. Build once per Doc, then call `attribute` for each quote in order."""

    def __init__(self, doc: Doc, token_index: dict[int, Cluster], quote_token_mask: list[bool]):
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token again on each access
        self.token_index = token_index
        self.in_quote = quote_token_mask
        self.salient = self._salient_subjects()
        self._genders: dict[int, str | None] = {}   # id(cluster) -> stated_gender

    # ----- helpers over the parse -----

    def _salient_subjects(self) -> list[tuple[int, Cluster]]:
        """(token position, actor) for every named actor that is the subject of a main or speech verb."""
        out = []
        for tok in self.doc:
            cl = self.token_index.get(tok.i)
            if cl is None:
                continue
            subj = tok.head if tok.dep_ in {"compound", "flat"} else tok
            if subj.dep_ == "appos" and subj.head.pos_ == "NOUN":
                subj = subj.head   # "Acme's chief executive, John Doe, was quoted": the name is the subject's
            if subj.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            verb = subj.head
            if verb.dep_ == "ROOT" or lemma(verb) in SPEECH_VERBS:
                out.append((tok.i, cl))
        return out

    def is_cue(self, tok: Token, quote: tuple[int, int] | None = None) -> bool:
        """A speech verb outside quotes; with `quote` (its token range), also a verb of ADJACENT_CUES next to it."""
        if tok.pos_ not in {"VERB", "AUX"} or self.in_quote[tok.i]:
            return False
        verb = lemma(tok)
        if verb in SPEECH_VERBS:
            return True
        if quote is None:
            return False
        qstart, qend = quote
        if verb in ADJACENT_CUES:
            before = tok.i < qstart and all(t.is_punct for t in self.doc[tok.i + 1:qstart])  # "continued: “…”"
            return before or 0 <= tok.i - qend <= 6
        return self.inverted_after(tok, qend)

    def inverted_after(self, tok: Token, qend: int) -> bool:
        """A verb inverted before its subject right after a quote that ends in a comma ("…,” remembered Roy
        Verley, …"): English inverts only verbs that attribute the quote there, whatever the verb."""
        if (tok.tag_ not in {"VBD", "VBZ"} or tok.i <= qend or tok.i + 1 >= len(self.doc)
                or self.doc[qend - 1].text != ","):
            return False
        if any(not self.in_quote[i] for i in range(qend, tok.i)):   # only the closing mark(s) in between
            return False
        if any(c.dep_ in {"nsubj", "nsubjpass"} and c.i < tok.i for c in tok.children):
            return False   # not inverted: "The spot, titled “Arrogant,” features a report"
        after = self.doc[tok.i + 1]
        return after.pos_ == "PROPN" or (after.pos_ == "DET" and after.lower_ in {"the", "a", "an"})

    def subject_of(self, verb: Token) -> Token | None:
        """Subject of a verb, inherited through conj/xcomp/advcl/participles ("and said", "adding")."""
        seen = 0
        while verb is not None and seen < 4:
            for child in verb.children:
                # (a dash or stray mark the parser took for a subject is none: "― Trump boasted"; nor is a wire
                # story's dateline: "SAN FRANCISCO (Reuters) - Acme Corp said")
                if child.dep_ in {"nsubj", "nsubjpass", "csubj"} and not self.in_quote[child.i] and not child.is_punct \
                        and not is_dateline(child):
                    if child.dep_ == "nsubjpass":
                        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
                        pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
                        if pobj is not None:
                            return pobj
                        if child.lower_ == "it":
                            return None  # "it is said": no source
                    if child.lower_ in {"who", "which", "that"} and verb.dep_ == "relcl":
                        return verb.head  # "Mr Xi, who described ..."
                    return child
            # "and said", "adding", "before asking her" (pcomp of a preposition): the subject of the main verb
            if verb.dep_ in {"conj", "xcomp", "advcl", "ccomp", "relcl", "acl", "pcomp", "prep"} and verb.head.i != verb.i:
                if verb.dep_ == "relcl":
                    return verb.head  # "Sussex, who said ..."
                verb = verb.head
                seen += 1
                continue
            break
        return None

    def mention_span(self, tok: Token) -> Span:
        """The whole mention a source token belongs to: the entity, or the noun phrase without clauses."""
        cl = self.token_index.get(tok.i)
        if cl is not None:
            for m in cl.mentions:
                if m.start <= tok.idx < m.end:
                    span = self.doc.char_span(m.start, m.end, alignment_mode="expand")
                    if span is not None:
                        return span
        left = [c for c in tok.lefts if c.dep_ in {"det", "amod", "compound", "poss", "nmod", "nummod"}]
        start = min([tok.i] + [c.left_edge.i for c in left])
        end = tok.i + 1
        for c in tok.rights:
            if c.dep_ == "compound" or (c.dep_ == "prep" and c.lower_ in {"of", "from", "at"} and c.i == end):
                end = c.right_edge.i + 1
        return self.doc[start:end]

    def relative_pronoun(self, source: Token, cue: Token | None) -> Span | None:
        """The relative pronoun through which `source` is the cue's subject ("Mr. Trump, [who] has criticized …"):
        that word is the mention attributing the statement, as "he" is, while the speaker is `source`'s actor."""
        verb = cue
        for _ in range(4):   # as far up as subject_of climbs
            if verb is None:
                return None
            if verb.dep_ == "relcl" and verb.head.i == source.i:
                rel = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}
                            and c.lower_ in {"who", "which", "that"}), None)
                return self.doc[rel.i:rel.i + 1] if rel is not None else None
            if verb.head.i == verb.i:
                return None
            verb = verb.head
        return None

    def resolve(self, tok: Token) -> Cluster | None:
        """The actor a source token refers to: its own entity, or for pronouns and role nouns the salient one."""
        if tok.pos_ == "NOUN":   # "The chancellor, Rachel Reeves, said", "Acme's chief executive, John Doe, said":
            for child in tok.children:   # the name in apposition is the speaker (not the possessor)
                cl = self.token_index.get(child.i) if child.dep_ == "appos" else None
                if cl is not None and cl.kind in {"person", "organization"}:
                    return cl
            # "A spokesman for the Kremlin, Dmitry Peskov, said": the parser often hangs the person's name on the
            # organisation it follows, which a person cannot be in apposition to
            for prep in (c for c in tok.children if c.dep_ == "prep"):
                for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                    owner = self.token_index.get(pobj.i)
                    if owner is None or owner.kind == "person":
                        continue
                    for appos in (c for c in pobj.children if c.dep_ == "appos"):
                        cl = self.token_index.get(appos.i)
                        if cl is not None and cl.kind == "person":
                            return cl
        span = self.mention_span(tok)
        for t in span:
            cl = self.token_index.get(t.i)
            if cl is not None:
                return cl
        low = tok.lower_
        if low in PRONOUNS_PERSON:
            return self.antecedent(tok.i, {"person"}, PRONOUN_GENDER.get(low))
        if low in PRONOUNS_GROUP:
            kinds = {"organization", "location"} if low in {"it", "its"} else {"organization", "location", "person"}
            return self.antecedent(tok.i, kinds)
        if tok.pos_ not in {"NOUN", "PROPN"} or not any(c.lower_ == "the" for c in tok.children):
            return None
        if lemma(tok) in ROLE_NOUNS:
            return self.role_antecedent(tok)
        if tok.pos_ == "NOUN" and lemma(tok) in COMPANY_NOUNS:
            return self.company_antecedent(tok.i)
        return None

    def antecedent(self, before: int, kinds: set[str], gender: str | None = None) -> Cluster | None:
        """Most recent salient actor (subject of a clause) of the right kind, else the most recent mention; for
        "he" or "she" (`gender` "m" / "f") not a person the article calls Mrs. or Mr."""
        window_start = max(0, before - 400)

        def fits(cl: Cluster) -> bool:
            return cl.kind in kinds and (gender is None or self.stated_gender(cl) in (None, gender))

        for i, cl in reversed(self.salient):
            if window_start <= i < before and fits(cl):
                return cl
        return next((cl for cl in self.mentioned_between(window_start, before) if fits(cl)), None)

    def stated_gender(self, cl: Cluster) -> str | None:
        """"m" or "f" when the article puts a gendered honorific before one of the person's mentions ("Mr. Xi",
        "Mrs. Clinton"), and only one kind of them; else None (no guess from names)."""
        key = id(cl)
        if key not in self._genders:
            text = self.text
            found = {GENDERED_HONORIFICS[m.group(1).lower()]
                     for mention in cl.mentions
                     if (m := HONORIFIC_BEFORE.search(text[max(0, mention.start - 6):mention.start])
                         or HONORIFIC_OPENING.match(text, mention.start, mention.end))}
            self._genders[key] = found.pop() if len(found) == 1 else None
        return self._genders[key]

    def mentioned_between(self, since: int, before: int) -> Iterator[Cluster]:
        """The actor of every mention token from `before` - 1 back to `since`, nearest first."""
        for i in range(before - 1, since - 1, -1):
            cl = self.token_index.get(i)
            if cl is not None:
                yield cl

    def company_antecedent(self, before: int) -> Cluster | None:
        """"the company said" -> the latest organisation named as a business ("Acme Corp", "Widgets Inc."); no
        guess among others (a regulator named in between is not "the company")."""
        return next((cl for cl in self.mentioned_between(max(0, before - ROLE_WINDOW), before)
                     if cl.kind == "organization" and any(COMPANY_SUFFIX.search(name) for name in cl.names)), None)

    def role_antecedent(self, tok: Token) -> Cluster | None:
        """"the professor" -> the latest person whose stated role has that noun; else the salient person."""
        noun = lemma(tok)
        if noun in {"statement", "government", "ministry", "agency"}:
            return None
        mods = {c.lower_ for c in tok.children if c.dep_ in {"amod", "compound"}}
        for cl in self.mentioned_between(max(0, tok.i - ROLE_WINDOW), tok.i):
            if cl.kind == "person" and cl.role and noun in cl.role.lower() and all(m in cl.role.lower() for m in mods):
                return cl
        salient = self.antecedent(tok.i, {"person"})
        if salient is not None and salient.roles and noun not in GENERIC_ROLE_NOUNS:
            return None   # "the prime minister" is not the "director of the IFS" quoted just before
        return salient

    # ----- the attribution itself -----

    def governing_cues(self, qstart: int, qend: int) -> list[Token]:
        """Speech verbs outside the quote on the way up the parse from the quoted tokens, nearest first."""
        found: list[Token] = []
        for i in range(qstart, qend):
            tok = self.doc[i]
            if not self.in_quote[tok.head.i]:
                head, steps = tok.head, 0
                while steps < 8 and head.i != tok.i:
                    if self.is_cue(head, (qstart, qend)) and head not in found:
                        found.append(head)
                    tok, head, steps = head, head.head, steps + 1
        return found

    def nearest_cue(self, sent_tokens: list[Token], qstart: int, qend: int) -> Token | None:
        cues = [t for t in sent_tokens if self.is_cue(t, (qstart, qend))]
        if not cues:
            return None
        return min(cues, key=lambda t: (qstart - t.i) if t.i < qstart else (t.i - qend) * 0.9)

    def beside_cue(self, cue: Token, qstart: int, qend: int) -> Token | None:
        """The actor named between the quote and its cue, or right after the cue, when the parse gave the cue no
        subject (quoted titles and appositions confuse it: "…,” Flynn, a top Trump surrogate, said on “Fox…”").

        The first named person or organisation wins, so an apposition's own names ("a top Trump surrogate") do
        not; failing a name, a personal pronoun right beside the cue ("…,” he said).
        """
        inverted = False
        if cue.i >= qend:
            start = qend
            while start < cue.i and self.in_quote[start]:  # the closing mark(s)
                start += 1
            window = range(start, cue.i)
            if start == cue.i:   # "…,” said the woman, who …": the subject follows the cue
                window, inverted = range(cue.i + 1, min(len(self.doc), cue.i + 6)), True
        elif cue.i < qstart:
            window = range(cue.i + 1, min(qstart, cue.i + 6))  # "said Evan Feigenbaum, …"
        else:
            return None
        pronoun = None
        for i in window:
            if self.in_quote[i] or self.doc[i].is_sent_start and i != window.start:
                break
            tok = self.doc[i]
            if (cue.i < qstart or inverted) and tok.pos_ in {"ADP", "VERB", "AUX", "PUNCT"}:
                break  # "said Thursday on Fox News": past the subject slot
            cl = self.token_index.get(i)
            if cl is not None and cl.kind in {"person", "organization"}:
                return tok
            if inverted and tok.pos_ == "NOUN" and not tok.ent_type_:
                return tok   # "said the woman", "recalled a former aide": the noun phrase right after the cue
            if pronoun is None and tok.lower_ in {"he", "she", "they", "we", "i"}:
                pronoun = tok
        return pronoun

    def according_to(self, tokens: list[Token]) -> tuple[Token, Token] | None:
        for t in tokens:
            if t.lower_ in {"according", "per"} and not self.in_quote[t.i]:
                to = t if t.lower_ == "per" else next((c for c in t.children if c.lower_ == "to"), None)
                if to is None and t.i + 1 < len(self.doc) and self.doc[t.i + 1].lower_ == "to":
                    to = self.doc[t.i + 1]
                if to is None:
                    continue
                pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    return t, pobj
        return None

    def dash_byline(self, close_char: int) -> Token | None:
        """A source printed after the quote: “…” ― Sonya Herridge."""
        text = self.text
        m = DASH_BYLINE.match(text, close_char + 1)
        if not m or m.end() == close_char + 1:
            return None
        span = self.doc.char_span(m.end(), min(len(text), m.end() + 1), alignment_mode="expand")
        if span is None:
            return None
        tok = span[0]
        return tok if tok.pos_ == "PROPN" or tok.i in self.token_index else None

    def attribute(self, qstart: int, qend: int, sent: Span, close_char: int | None) -> Attribution:
        """Attribution of the quote over tokens [qstart, qend) that sits in sentence `sent`."""
        frame = [t for t in sent if not self.in_quote[t.i]]
        cue = source = None
        for candidate in self.governing_cues(qstart, qend):
            source = self.subject_of(candidate)
            if source is not None:
                cue = candidate
                break
        if source is None:
            cue = self.nearest_cue(frame, qstart, qend)
            if cue is not None:
                source = self.subject_of(cue) or self.beside_cue(cue, qstart, qend)
        if source is None:
            acc = self.according_to(frame)
            if acc is not None:
                cue, source = acc
        if source is None and close_char is not None:
            source = self.dash_byline(close_char)
            if source is not None:
                cue = None
        if source is None:
            return Attribution(cue=cue, cue_text=self._cue_text(cue))
        named = self.mention_span(source)
        relative = self.relative_pronoun(source, cue)   # "Mr. Trump, [who] said …": that word attributes the quote
        return Attribution(cue=cue, cue_text=self._cue_text(cue), source=relative or named,
                           cluster=self.resolve(source), where=self.where(sent, cue),
                           named=named if relative is not None else None)

    def attribution_tail(self, sent: Span) -> Span | None:
        """The next sentence when it only attributes the quote that ends `sent` ("“…?” Graham asked."): spaCy
        ends a sentence at "?”" or "!”", which leaves the speech verb outside the quote's own sentence. Only a
        short sentence on the same line whose main verb is a cue with no clause of its own counts, or a longer one
        that opens with its cue ("“…!” LeVell declared, a point he likes to make after …")."""
        if sent.end >= len(self.doc):
            return None
        tail = self.doc[sent.end].sent
        root = tail.root
        last = sent.end - 1
        while last > sent.start and self.doc[last].is_space:   # spaCy gives a paragraph break to the sentence before
            last -= 1
        between = self.text[self.doc[last].idx + len(self.doc[last]):tail.start_char]
        if ("\n" in between or (len(tail) > 25 and root.i - tail.start > 4) or not self.is_cue(root)
                or any(c.dep_ in {"ccomp", "xcomp"} and not self.in_quote[c.i] for c in root.children)):
            return None
        return tail

    def sentence_source(self, sent: Span) -> Attribution | None:
        """The speaker of a sentence that reports speech ("…, Schiff said." / "Said Ellis:"), for a quote with no
        cue of its own that follows it."""
        for tok in reversed([t for t in sent if self.is_cue(t)]):
            source = self.subject_of(tok)
            if source is None and tok.i + 1 < sent.end:
                source = self.beside_cue(tok, tok.i + 1, tok.i + 1)  # "Said Ellis:" (inverted order)
            if source is not None and source.lower_ not in {"it", "that", "this", "which"}:
                return self._uncued(source)
        # "Sanders made the following comment:", "the ministry issued a statement:"
        for tok in sent:
            if (tok.dep_ == "dobj" and lemma(tok) in SPEECH_NOUNS and lemma(tok.head) in STATEMENT_VERBS
                    and not self.in_quote[tok.i]):
                source = self.subject_of(tok.head)
                if source is not None:
                    return self._uncued(source)
        return None

    def colon_introducer(self, open_char: int, quoted: str) -> Attribution | None:
        """The speaker of a quote that a clause introduces with a colon, whatever its verb ("He also played up his
        strength in a general election: “…”", "Clinton has since apologized: “…”", "Cruz continued:" then the
        quote's paragraph): the subject of the clause ending in that colon, when it is an actor and the quote reads
        as words said (a sentence, or five words or more: not "listed his guilty pleasure: “Saturday Night Live”").
        A thing as subject ("The sign read:", "The timing of Sanders' surge surprised nobody:") gives nothing."""
        before = self.text[:open_char].rstrip()
        words = quoted.split()
        if not before.endswith(":") or not words or (len(words) < 5 and quoted.rstrip()[-1:] not in ".?!"):
            return None
        colon = self.doc.char_span(len(before) - 1, len(before))
        if colon is None or self.in_quote[colon[0].i]:
            return None
        verb = colon[0].head   # the clause the colon ends ("…, and NBC News has proof:" is NBC's, not the first's)
        if verb.pos_ not in {"VERB", "AUX"}:
            return None
        source = self.subject_of(verb)
        if source is None or source.i > colon[0].i:
            return None
        if (source.i not in self.token_index and source.lower_ not in PRONOUNS_PERSON
                and lemma(source) not in ROLE_NOUNS):
            return None   # the actor must be the subject itself, not named inside it ("the timing of [Sanders]")
        cluster = self.resolve(source)
        if cluster is None or cluster.kind not in {"person", "organization"}:
            return None
        return Attribution(cue=None, cue_text=None, source=self.mention_span(source), cluster=cluster)

    def _uncued(self, source: Token) -> Attribution:
        """`source` as the speaker of a quote that has no cue of its own."""
        return Attribution(cue=None, cue_text=None, source=self.mention_span(source), cluster=self.resolve(source))

    def _cue_text(self, cue: Token | None) -> str | None:
        if cue is None:
            return None
        if cue.lower_ == "according":
            return "according to"
        return cue.text

    def where(self, sent: Span, cue: Token | None) -> str | None:
        """Place or occasion the parse attaches to the cue ("said at a news conference", "told the BBC",
        "speaking in Beijing, he said"); None when the text gives none: never guessed."""
        if cue is None:
            return None
        for head in self._where_heads(cue):
            for child in head.children:
                phrase = self._where_phrase(child, sent)
                if phrase:
                    return phrase
        if lemma(cue) == "tell":   # "told the BBC", "told the state news agency TASS", "told CNN's Jake Tapper"
            for child in cue.children:
                named = [child] + [c for c in child.children if c.dep_ in {"poss", "appos"}]   # not "a Kremlin aide"
                if child.dep_ in {"dobj", "dative"} and not self.in_quote[child.i] and any(
                        (cl := self.token_index.get(t.i)) is not None and cl.kind == "organization" for t in named):
                    return self._text(cue, child.right_edge)
        return None

    @staticmethod
    def _where_heads(cue: Token) -> list[Token]:
        """The cue, a speaking participle on it ("speaking at a rally, he said"), and for a cue that adds to or
        follows another verb ("…, adding that", "poked at him during the debate, tweeting") that
        verb, where the phrase is usually stated once."""
        heads = [cue]
        heads += [c for c in cue.children if c.dep_ in {"advcl", "acl"} and lemma(c) in SPEAKING_VERBS]
        if cue.dep_ in {"advcl", "conj", "xcomp"} and cue.head.pos_ in {"VERB", "AUX"}:
            heads.append(cue.head)
        return heads

    def _where_phrase(self, prep: Token, sent: Span) -> str | None:
        if prep.dep_ != "prep" or prep.lower_ not in WHERE_PREPOSITIONS or self.in_quote[prep.i]:
            return None
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if pobj is None or pobj.ent_type_ in {"DATE", "TIME"}:
            return None
        titled = self.in_quote[pobj.i]  # "on “Fox News Sunday”": a programme's quoted title
        if titled and not (prep.lower_ == "on" and pobj.pos_ == "PROPN"):
            return None
        occasion = lemma(pobj) in OCCASION_NOUNS or pobj.lower_ in OCCASION_NOUNS
        place = (pobj.ent_type_ in PLACE_LABELS and prep.lower_ in {"in", "from"}
                 or pobj.ent_type_ == "FAC" and prep.lower_ == "at")   # "at the U.S." is a target, not a place
        medium = prep.lower_ == "on" and (pobj.ent_type_ in MEDIUM_LABELS or titled)
        if not (occasion or place or medium):
            return None
        end = prep.right_edge
        doc = sent.doc
        for t in doc[prep.i:end.i + 1]:  # it stops before a quotation or a relative clause it runs into,
            if t.dep_ == "relcl":
                end = doc[t.left_edge.i - 1]
                break
            # but a quoted title it needs is part of it ("on this weekend's broadcast of “Fox News Sunday”")
            if (self.in_quote[t.i] and t.i > prep.i and doc[t.i - 1].pos_ not in {"ADP", "DET"}
                    and not self.in_quote[t.i - 1]):
                end = doc[t.i - 1]
                break
        if end.i - prep.i + 1 > MAX_WHERE_TOKENS:  # a long tail ("…, which…"): the phrase up to its noun
            end = pobj
        if self.in_quote[end.i]:  # a title it took in: up to its closing mark
            while end.i + 1 < sent.end and self.in_quote[end.i + 1]:
                end = doc[end.i + 1]
            if end.i + 1 < sent.end and doc[end.i + 1].is_quote:
                end = doc[end.i + 1]
        return self._text(prep, end)

    @staticmethod
    def _text(first: Token, last: Token) -> str | None:
        text = first.doc[first.i:last.i + 1].text.strip().rstrip(",;:–—-").strip()
        return text or None
