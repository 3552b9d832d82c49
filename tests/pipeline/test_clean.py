"""Boilerplate removal keeps every kept character at an exact, recoverable raw offset."""
from hypothesis import given, settings
from hypothesis import strategies as st

from app.pipeline.clean import clean

ARTICLE = """Putin thanks Xi for China’s ‘balanced’ stance | Vladimir Putin

Putin thanks Xi for China's 'balanced' stance

Vladimir Putin has thanked Xi Jinping for China’s “balanced” stance.

Leaders met in Samarkand. Photograph: Someone/AFP/Getty Images

Related posts

Leave a Comment"""


def test_boilerplate_and_repeated_headlines_are_dropped():
    c = clean(ARTICLE)
    assert c.title == "Putin thanks Xi for China’s ‘balanced’ stance"
    assert "Leave a Comment" not in c.text and "Related posts" not in c.text
    assert "Photograph" not in c.text
    assert c.text.count("stance") == 2  # the headline once, the body once
    assert "Vladimir Putin has thanked Xi Jinping" in c.text


def test_follow_the_author_lines_are_boilerplate():
    c = clean('Pence spoke on Sunday.\n\n"It was great," he said.\n\n"Follow Pam Key on Twitter @pamkeyNEN."\n')
    assert "Follow" not in c.text and "It was great" in c.text


def test_glued_age_banner_is_cut():
    c = clean("This article is more than\n2 year oldChinese leader Xi Jinping met Putin.\n")
    assert c.text.startswith("Chinese leader Xi Jinping")
    assert c.title == "Chinese leader Xi Jinping met Putin."


def test_offsets_map_back_to_raw():
    c = clean(ARTICLE)
    for i, ch in enumerate(c.text):
        assert ARTICLE[c.to_raw(i)] == ch
    start = c.text.index("balanced”")
    s, e = c.span_to_raw(start, start + len("balanced"))
    assert ARTICLE[s:e] == "balanced"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Leave a Comment", "Body text here.", "Headline", "", "Related posts",
                                 "x Photograph: A/B", "Another line “quoted”."]), max_size=12))
def test_every_cleaned_character_is_a_raw_character(lines):
    raw = "\n".join(lines)
    c = clean(raw)
    for i, ch in enumerate(c.text):
        assert raw[c.to_raw(i)] == ch
