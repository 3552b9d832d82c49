"""The pure grouping logic: normalisation, comparison, the join/merge decision, units and word diffs."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.pipeline.utterances import (
    Candidate,
    QuoteItem,
    compare,
    corroborates,
    decide,
    normalize,
    signature,
    unit_signature,
    units,
    word_diff,
)

BALANCED = [
    "We highly value the balanced position of our Chinese friends when it involves the Ukraine crisis,",
    "We highly value the balanced position of our Chinese friends when it comes to the Ukraine crisis,",
    "We highly appreciate the balanced position of our Chinese friends in connection with the Ukrainian crisis,",
]


def rel(a: str, b: str) -> str | None:
    match = compare(signature(a), signature(b))
    return match.relation if match else None


def test_normalisation_ignores_quote_style_case_punctuation_whitespace_and_contractions():
    assert normalize("“During today’s meeting,  we’ll of course explain our position.”") == \
        normalize('"during today\'s meeting we will of course explain our position"')
    assert normalize("We can’t") == "we can not"
    assert normalize("the P.R.C. said") == "the prc said"
    assert normalize("  ") == ""


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_normalisation_is_idempotent_and_case_blind(text):
    once = normalize(text)
    assert normalize(once) == once
    assert normalize(text.upper().lower()) == normalize(text.lower())


@given(st.lists(st.sampled_from("we highly value the balanced position of our friends".split()), min_size=1,
                max_size=12), st.sampled_from(['"', "“", "”", "'", "‘", "’", ",", ".", "  ", " — "]))
def test_punctuation_and_marks_between_words_do_not_change_the_wording(tokens, mark):
    plain = " ".join(tokens)
    assert normalize(mark + (mark + " ").join(tokens) + mark) == normalize(plain)


def test_translation_variants_of_one_statement_match():
    for a in BALANCED:
        for b in BALANCED:
            assert rel(a, b) is not None, (a, b)
    assert rel("We condemn provocations by the United States and their satellites in the Taiwan Strait.",
               "We condemn the US and their satellites’ provocations in the Taiwan Strait.") == "variant"
    assert rel("instil stability and positive energy in a world of chaos",
               "instill stability and constructive energy in a chaotic world.") == "variant"


def test_parts_and_wholes():
    assert rel("balanced", BALANCED[0]) == "part"
    assert rel("questions and concerns", "We understand your questions and concern about this.") == "part"
    assert rel(BALANCED[0], "balanced position") == "whole"
    assert rel("one China", "We intend to firmly adhere to the principle of ‘one China’,") == "part"
    # a loose excerpt: three of its four content words, in order, one translated differently (make / forge)
    assert rel("attempts to make a unipolar world",
               "Attempts to forge a unipolar world have recently assumed a hideous form.") == "part"
    assert rel("attempts to make a deal", "Attempts to forge a unipolar world have recently assumed a form.") is None


def test_different_statements_of_one_speaker_stay_apart():
    pairs = [
        ("We understand your concerns.", "We understand your position."),
        ("Russia will win this war.", "Russia will lose this war."),
        ("There are no differences among us.", "There are no limits to our friendship."),
        (BALANCED[0], "We condemn provocations by the United States and their satellites in the Taiwan Strait."),
        ("We intend to firmly adhere to the principle of ‘one China’,",
         "We intend to firmly expand our trade with China,"),
        ("Attempts to forge a unipolar world have recently assumed an utterly hideous form",
         "We highly value the balanced position of our Chinese friends"),
        ("the", "the"),  # no content word: never a statement
    ]
    for a, b in pairs:
        assert rel(a, b) is None, (a, b)


def test_a_fragment_in_two_statements_joins_one_and_merges_none():
    concerns = Candidate(1, [signature("We understand your concerns about the war.")])
    meeting = Candidate(2, [signature("Our concerns will be discussed at the meeting today.")])
    decision = decide(signature("concerns"), [concerns, meeting])
    assert decision.target in (1, 2) and decision.merge == ()


def test_a_quote_covering_two_utterances_merges_them():
    first = Candidate(1, [signature("We understand your questions and concern about this.")])
    second = Candidate(2, [signature("During today’s meeting, we’ll of course explain our position,")])
    whole = signature("We understand your questions and concern about this. During today’s meeting, we will of "
                      "course explain our position.")
    decision = decide(whole, [first, second])
    assert {decision.target, *decision.merge} == {1, 2}


def test_one_word_evidence_counts_only_close_in_time():
    far = Candidate(1, [signature(BALANCED[0])], near=False)
    assert decide(signature("balanced"), [far]).target is None
    assert decide(signature(BALANCED[1]), [far]).target == 1
    assert decide(signature("balanced"), [Candidate(1, [signature(BALANCED[0])])]).target == 1


def test_unknown_text_starts_a_new_utterance():
    assert decide(signature("Central Asia is unhappy"), [Candidate(1, [signature(BALANCED[0])])]).target is None


def test_pieces_of_one_sentence_with_one_cue_form_one_unit():
    sentence = 'Xi said China was "willing to work with Russia" and to "instil stability".'
    items = [
        QuoteItem(1, 4, "fragment", "willing to work with Russia", 10, "said", sentence),
        QuoteItem(2, 4, "fragment", "instil stability", 50, "said", sentence),
        QuoteItem(3, 4, "fragment", "old friend", 70, "called", sentence),
        QuoteItem(4, None, "speech", "no speaker, no utterance", 90, "said", "x"),
        QuoteItem(5, 4, "indirect", "that China was willing", 5, "said", sentence),
    ]
    groups = units(items)
    assert [[i.id for i in g] for g in groups] == [[1, 2], [3]]
    assert unit_signature(groups[0]).content >= signature("willing russia instil stability").content


def test_a_piece_after_a_conjunction_and_the_cue_is_a_statement_of_its_own():
    sentence = 'The talks, according to Lavrov, were "business-like and concrete," and he called them "great."'
    items = [QuoteItem(1, 7, "fragment", "business-like and concrete,", 20, "called", sentence),
             QuoteItem(2, 7, "fragment", "great.", 60, "called", sentence)]
    assert [[i.id for i in g] for g in units(items)] == [[1], [2]]
    interrupted = '"We see eye to eye," Lavrov said, "and the talks were great."'
    items = [QuoteItem(1, 7, "speech", "We see eye to eye,", 0, "said", interrupted),
             QuoteItem(2, 7, "speech", "and the talks were great.", 33, "said", interrupted)]
    assert [[i.id for i in g] for g in units(items)] == [[1, 2]]


def test_a_speaker_less_piece_continuing_an_attributed_one_joins_its_unit():
    sentence = 'A statement said Xi had pledged to "strongly support" Russia\'s "core interests."'
    items = [QuoteItem(1, 4, "fragment", "strongly support", 30, "pledged", sentence),
             QuoteItem(2, None, "fragment", "core interests.", 60, "said", sentence)]
    assert [[i.id for i in g] for g in units(items)] == [[1, 2]]
    # not across a clause boundary or a longer stretch of words, and never on its own
    far = 'Xi pledged to "strongly support" them; the ministry later spoke of Russia\'s "core interests."'
    items = [QuoteItem(1, 4, "fragment", "strongly support", 10, "pledged", far),
             QuoteItem(2, None, "fragment", "core interests.", 60, None, far)]
    assert [[i.id for i in g] for g in units(items)] == [[1]]
    assert units([QuoteItem(2, None, "fragment", "core interests.", 60, "said", sentence)]) == []


LEADER = "willing to work with Russia to demonstrate the responsibility of big powers"
READOUT = ("willing to work with Russia to demonstrate the responsibility of a major country, play a leading role, "
           "and inject stability into a turbulent world.")


def test_corroboration_needs_a_long_run_of_shared_words_in_order():
    assert corroborates(signature(READOUT), signature(LEADER)) is not None
    assert corroborates(signature(READOUT), signature("a leading role in injecting stability into a world of "
                                                      "change and disorder")) is not None
    # the same words out of order, or too few of them, or too small a share of the shorter text
    assert corroborates(signature("Russia demonstrate willing responsibility work"), signature(LEADER)) is None
    assert corroborates(signature("willing to work with Russia"), signature(LEADER)) is None
    assert corroborates(signature("willing to work with Russia to demonstrate the responsibility of nuclear "
                                  "states for arms control"),
                        signature("willing to work with Russia to demonstrate the responsibility of neighbours "
                                  "against terrorism, extremism and separatism")) is None


def test_a_related_speakers_utterance_joins_only_on_corroborating_text():
    leader = Candidate(1, [signature(LEADER)], speakers=frozenset({4}), related=True)
    fragment = Candidate(2, [signature("major countries")], speakers=frozenset({4}), related=True)
    other = Candidate(3, [signature("a leading role")], speakers=frozenset({9}), related=True)
    decision = decide(signature(READOUT), [leader, fragment, other])
    # joined on the long shared passage; the leader's fragment then counts as the leader's words would,
    # while the same fragment of a speaker nothing corroborated stays apart
    assert (decision.target, decision.merge) == (1, (2,))
    # within one speaker a loose variant suffices; across speakers it does not
    said, loose = signature("Russia will win this war"), signature("Russia will surely win the war")
    assert decide(loose, [Candidate(5, [said])]).target == 5
    assert decide(loose, [Candidate(5, [said], related=True)]).target is None
    assert decide(signature(READOUT), [Candidate(1, [signature(LEADER)], near=False, related=True)]).target is None


def test_word_diff_rebuilds_both_wordings():
    canonical, variant = BALANCED[0], BALANCED[2]
    ops = word_diff(canonical, variant)
    assert " ".join(o.canonical for o in ops if o.canonical) == canonical
    assert " ".join(o.variant for o in ops if o.variant) == variant
    assert {o.op for o in ops} >= {"equal", "replace"}
    assert [o.op for o in word_diff("We understand your concerns.", "we understand YOUR concerns")] == ["equal"]
