"""The quotation-mark scanner on hand-written texts, and properties that must hold for any text."""
from hypothesis import given, settings
from hypothesis import strategies as st

from app.pipeline.quotes import quote_spans


def texts_of(text: str) -> list[str]:
    return [text[q.start:q.end] for q in quote_spans(text)]


def test_straight_and_curly_double_quotes():
    assert texts_of('He said "yes, really" and left.') == ["yes, really"]
    assert texts_of("“We understand your concerns,” Putin said.") == ["We understand your concerns,"]


def test_apostrophes_are_not_quotation_marks():
    assert texts_of("China’s leaders don’t comment on the leaders’ meeting.") == []


def test_curly_single_quotes_used_as_quotation_marks():
    assert texts_of("Russian leader reveals China’s ‘concern’ over Ukraine") == ["concern"]


def test_nested_quote_stays_inside_the_outer_one():
    text = "“We intend to adhere to the principle of ‘one China’,” Putin said."
    assert texts_of(text) == ["We intend to adhere to the principle of ‘one China’,"]


def test_double_quote_of_the_other_style_nests_inside_the_outer_one():
    # straight inside curly, and curly inside straight (a question read out in an interview)
    assert texts_of('“He called it "fake news" today,” she said.') == ['He called it "fake news" today,']
    assert texts_of('She said: “He called it "fake news" today,” and left.') == ['He called it "fake news" today,']
    text = '"I will read the question: “Do you think so?” Forty-three, yes," he said.'
    assert texts_of(text) == ["I will read the question: “Do you think so?” Forty-three, yes,"]


def test_a_stray_mark_of_the_other_style_does_not_nest():
    # the straight mark never closes: the curly quote is the quotation
    assert texts_of('A stray " mark and “a real quote,” she said.') == ["a real quote,"]
    assert texts_of('"Stray at the start and “a real quote,” she said.') == ["a real quote,"]


def test_interrupted_quote_gives_two_spans():
    text = "“Talking is not important,” he said, “while Russia’s failure makes prudence imperative.”"
    assert texts_of(text) == ["Talking is not important,", "while Russia’s failure makes prudence imperative."]


def test_wrong_way_closing_mark_still_closes():
    text = "“This meeting is occurring days after setbacks in Ukraine,“ said Craig Singleton, a diplomat."
    assert texts_of(text) == ["This meeting is occurring days after setbacks in Ukraine,"]


def test_quote_running_across_paragraphs_is_one_span_per_paragraph():
    text = "He said: “First paragraph of the statement goes here.\n\n“Second paragraph ends it.”\n\nNarration."
    spans = quote_spans(text)
    assert [text[q.start:q.end] for q in spans] == ["First paragraph of the statement goes here.",
                                                   "Second paragraph ends it."]
    assert spans[0].continues and spans[1].continued


def test_stray_mark_does_not_swallow_the_rest():
    text = 'The 6" pipe burst.\n\nLater, officials said "all is well" in a statement.'
    assert texts_of(text) == ["all is well"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab .,\n"“”‘’\'—:')), max_size=200))
def test_spans_are_in_bounds_ordered_and_within_one_paragraph(text):
    spans = quote_spans(text)
    for q in spans:
        assert 0 <= q.open_mark < q.start <= q.end <= len(text)
        assert "\n" not in text[q.start:q.end]
        if q.close_mark is not None:
            assert q.close_mark == q.end
    starts = [q.start for q in spans]
    assert starts == sorted(starts)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=3000))
def test_thousands_of_marks_do_not_blow_up(n):
    text = '"' * n + " word " + "“" * n
    assert isinstance(quote_spans(text), list)


def test_doubled_apostrophes_are_double_quotation_marks():
    text = "The plan is modest. ''It doesn't make our problems worse,'' said Mr. Burman. Its ''base'' is broad."
    assert [text[q.start:q.end] for q in quote_spans(text)] == ["It doesn't make our problems worse,", "base"]
