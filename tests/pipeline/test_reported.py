"""Reported speech: the candidate spans and authors the rules find, on small made-up sentences."""
import pytest

from app.pipeline import reported
from app.pipeline.extract import Extractor
from app.pipeline.nlp import load_nlp

HEADLINE = "Council meets on the bridge\n\n"


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def indirect():
    ex = Extractor()

    def run(body):
        return {q.text: q.speaker for q in ex.extract(HEADLINE + body).quotes if q.kind == "indirect"}
    return run


def token(doc, text):
    return next(t for t in doc if t.text == text)


def test_a_participle_speaks_for_the_noun_it_modifies(nlp):
    doc = nlp("Voters backing the mayor want a new bridge.")
    cue = token(doc, "backing")
    assert cue.dep_ == "acl"  # the rule applies to a participle modifying a noun
    assert reported.participle_owner(cue).text == "Voters"
    doc = nlp("The plan proposed by the mayor would cost millions.")
    cue = token(doc, "proposed")
    assert cue.dep_ == "acl"
    assert reported.participle_owner(cue).text == "mayor"


def test_a_participle_of_a_verb_is_not_owned_by_a_noun(nlp):
    doc = nlp("The mayor spoke on Monday, saying the bridge was safe.")
    assert reported.participle_owner(token(doc, "saying")) is None


def test_a_parenthetical_cue_reports_the_whole_clause_it_interrupts(nlp):
    doc = nlp("It is an investment, they say, that would be recouped within three years.")
    cue = token(doc, "say")
    assert cue.dep_ == "parataxis"
    lo, hi = reported._interrupted_clause(cue)
    assert doc[lo].text == "It" and hi >= doc[-2].i + 1


def test_an_as_clause_reports_the_main_clause_after_it(nlp, indirect):
    doc = nlp("As the mayor said on Monday, the bridge will reopen next spring.")
    cue = token(doc, "said")
    assert reported.as_clause_head(cue).text == "reopen"
    lo, hi = reported.content_of(cue)
    assert doc[lo:hi].text.strip(", .") == "the bridge will reopen next spring"
    got = indirect("Jane Smith is the mayor.\n\nAs Smith noted on Monday, the bridge will reopen next spring.")
    assert got.get("the bridge will reopen next spring") == "Jane Smith"
    # an "as" clause after its main clause is not this construction; "as" of time reports nothing
    doc = nlp("The bridge closed, as the mayor said.")
    assert reported.as_clause_head(token(doc, "said")) is None
    assert not indirect("Jane Smith is the mayor.\n\nAs Smith spoke, protesters gathered outside the hall.")


def test_a_wire_dateline_is_not_part_of_a_content(indirect):
    got = indirect("WASHINGTON (AP) — The bridge will reopen next spring, officials said on Monday.")
    assert list(got) == ["The bridge will reopen next spring"]


def test_a_stance_named_by_a_noun_reports_its_object(indirect):
    got = indirect("Jane Smith is a senator.\n\nSmith voiced support for the new bridge on Monday. "
                   "Her refusal to answer questions about the budget angered the committee.")
    assert any("the new bridge" in t and speaker == "Jane Smith" for t, speaker in got.items())
    assert any(t.startswith("to answer questions") for t in got)


def test_a_stance_in_a_prepositional_phrase_is_the_verbs_subjects(indirect):
    got = indirect("Jane Smith is a senator.\n\nSmith resigned in protest of the tax increase.")
    assert got.get("the tax increase") == "Jane Smith"


def test_a_stance_noun_without_an_author_reports_nothing(indirect):
    got = indirect("The decision to close the bridge surprised the town.")
    assert not any("close the bridge" in t for t in got)


def test_according_to_reports_its_whole_sentence_less_the_phrase(indirect):
    got = indirect("On Tuesday, the mayor said little. The bridge will close in May, according to city officials.")
    assert got.get("The bridge will close in May") == "city officials"
    got = indirect("The bridge, according to city officials, will close in May.")
    assert got.get("The bridge") == "city officials" and got.get("will close in May") == "city officials"


def test_according_to_wins_over_a_verb_in_its_sentence(indirect):
    got = indirect("The mayor announced a new plan for the bridge, according to city officials.")
    assert got.get("The mayor announced a new plan for the bridge") == "city officials"


def test_a_headline_can_report_speech():
    ex = Extractor()
    quotes = ex.extract("Mayor says the bridge will close in May\n\nThe city council met on Monday.").quotes
    assert any(q.kind == "indirect" and q.text == "the bridge will close in May" for q in quotes)


def test_a_headline_label_may_be_a_poll_but_not_any_word():
    ex = Extractor()
    got = [(q.kind, q.speaker, q.text) for q in ex.extract(
        "Poll: Sanders Leads Clinton Among Young Voters\n\nThe survey was taken in May.").quotes]
    assert ("indirect", "Poll", "Sanders Leads Clinton Among Young Voters") in got
    assert not ex.extract("Breaking: Bridge Closes After Storm Damage\n\nThe city council met.").quotes


def test_a_content_keeps_the_closing_mark_of_a_phrase_it_quotes(indirect):
    got = indirect("Jane Smith is the mayor.\n\nSmith said the bridge is “unsafe” and must close. "
                   "Smith also said the plan was “too costly”.")
    assert "the bridge is “unsafe” and must close" in got
    assert "the plan was “too costly”" in got   # the mark after the last word, not only inside
    got = indirect("Jane Smith is the mayor.\n\nSmith described the meeting as “wonderful.” Then she left.")
    assert "the meeting as “wonderful.”" in got   # with the period American style puts inside it


def test_quoted_as_saying_reports_what_was_said(indirect):
    got = indirect("Jane Smith is the mayor.\n\nSmith was quoted as saying that the bridge would reopen in May.")
    assert got == {"that the bridge would reopen in May": "Jane Smith"}


def test_a_hedged_claim_is_reported_without_a_speaker():
    ex = Extractor()
    body = "Prices are expected to rise next year. It appears that the bridge was never inspected."
    quotes = {q.text: q for q in ex.extract(HEADLINE + body).quotes if q.kind == "indirect"}
    assert "to rise next year" in quotes and quotes["to rise next year"].speaker is None
    assert "Prices" in quotes
    assert quotes["that the bridge was never inspected"].speaker is None


def test_a_hedging_passive_with_an_agent_has_that_source(nlp):
    doc = nlp("Prices are expected by analysts to rise next year.")
    assert reported.hedged_pieces(token(doc, "expected")) == []


def test_a_short_object_chosen_by_the_model_is_kept(indirect):
    got = indirect("Jane Smith is a senator.\n\nSmith applauded the ruling.")
    assert got.get("the ruling") == "Jane Smith"


def test_a_hedging_adverb_reports_its_clause_around_it(nlp):
    doc = nlp("The mayor was reportedly on the bridge that night.")
    pieces = [doc[a:b].text for a, b in reported.hedged_pieces(token(doc, "reportedly"))]
    assert pieces == ["The mayor was", "on the bridge that night."] or pieces == ["The mayor was", "on the bridge that night"]


def test_a_framing_phrase_reports_its_sentence_as_the_holders_view(indirect):
    got = indirect("In the senator's view, the bridge should never have been built.")
    assert got.get("the bridge should never have been built") == "the senator"
    got = indirect("The bridge, in her view, was a waste of money.")
    assert got.get("The bridge") == "her" and got.get("was a waste of money") == "her"


def test_a_poll_holds_its_findings(indirect):
    got = indirect("In a poll released on Sunday, three of four voters disapproved of the plan.")
    assert got.get("three of four voters disapproved of the plan") == "a poll"


def test_a_view_without_a_holder_or_inside_a_clause_frames_nothing(nlp):
    doc = nlp("In my view and in any other view, the bridge is safe.")
    assert reported.framing_source(doc[0]).text == "my"
    doc = nlp("In the general view, the bridge is safe. He believed in his mind that it was.")
    assert reported.framing_source(doc[0]) is None
    assert reported.framing_source(next(t for t in doc if t.text == "in")) is None
