"""Cross-article resolution rules (pipeline/resolve.py) on made-up names."""
from collections import Counter

from app.pipeline.resolve import Local, resolve


def local(ref, kind, article=None, **forms):
    return Local(ref=ref, kind=kind, forms=Counter({k.replace("_", " "): v for k, v in forms.items()}),
                 article=article if article is not None else ref)


def groups_of(locals_):
    return {frozenset(g.refs): g for g in resolve(locals_)}


def test_keys_merge_titles_initials_and_order_and_the_display_name_follows_the_rule():
    found = resolve([
        Local(1, "person", Counter({"Anna M. Kovacs": 3, "Kovacs": 4}), article=1),
        Local(2, "person", Counter({"President Anna Kovacs": 1, "Ms. Kovacs": 2}), article=2),
        Local(3, "person", Counter({"Kovacs Anna": 1}), article=3),
    ])
    assert len(found) == 1
    # the fullest forms compete; the most used one wins, shown without title or middle initial
    assert found[0].name == "Anna Kovacs"
    assert found[0].kind == "person"


def test_surname_alone_joins_its_only_bearer_and_stays_apart_when_two_share_it():
    found = groups_of([
        Local(1, "person", Counter({"Anna Kovacs": 2}), article=1),
        Local(2, "person", Counter({"Kovacs": 3}), article=2),
        Local(3, "person", Counter({"Lena Brandt": 2}), article=3),
        Local(4, "person", Counter({"Otto Brandt": 2}), article=4),
        Local(5, "person", Counter({"Brandt": 1}), article=5),
        Local(6, "person", Counter({"Brandt": 1}), article=6),
    ])
    assert frozenset({1, 2}) in found
    assert frozenset({3}) in found and frozenset({4}) in found
    # ambiguous: not merged into either bearer, nor with each other (two articles' "Brandt" may be two people)
    assert frozenset({5}) in found and frozenset({6}) in found and found[frozenset({5})].name == "Brandt"


def test_a_far_more_mentioned_bearer_takes_the_bare_surname():
    found = groups_of([
        Local(1, "person", Counter({"Lena Brandt": 40}), article=1),
        Local(2, "person", Counter({"Otto Brandt": 2}), article=2),
        Local(3, "person", Counter({"Brandt": 5}), article=3),
    ])
    assert frozenset({1, 3}) in found and frozenset({2}) in found


def test_the_full_name_in_the_same_article_wins_over_a_more_famous_bearer():
    found = groups_of([
        Local(1, "person", Counter({"Lena Brandt": 40}), article=1),
        Local(2, "organization", Counter({"Otto Brandt": 1}), article=2),  # NER called him an organisation
        Local(3, "person", Counter({"Brandt": 2}), article=2),
    ])
    assert frozenset({2, 3}) in found and found[frozenset({2, 3})].kind == "person"


def test_a_bare_name_used_far_more_than_a_passing_namesake_is_the_famous_bearer():
    found = groups_of([
        Local(1, "person", Counter({"Lena Brandt": 40}), article=1),
        Local(2, "person", Counter({"Otto Brandt": 1}), article=2),
        Local(3, "person", Counter({"Brandt": 6}), article=2),
    ])
    assert frozenset({1, 3}) in found and frozenset({2}) in found


def test_generational_suffix_keeps_father_and_son_apart():
    found = groups_of([local(1, "person", Omar_Haddad=3), local(2, "person", Omar_Haddad_Jr=2)])
    assert len(found) == 2


def test_organisations_acronyms_spellings_and_places_of_the_same_name():
    found = groups_of([
        local(1, "organization", Northern_Trade_Organisation=1),
        local(2, "organization", NTO=4),
        local(3, "organization", Northern_Trade_Organization=2),
        local(4, "location", Harbour_Council=1),
        local(5, "organization", the_Harbour_Council=2),
    ])
    assert found[frozenset({1, 2, 3})].name == "Northern Trade Organization"
    assert found[frozenset({4, 5})].kind == "organization"


def test_a_surname_mislabelled_as_a_place_joins_the_person():
    found = groups_of([local(1, "person", Anna_Kovacs=2), local(2, "location", Kovacs=1)])
    assert frozenset({1, 2}) in found and found[frozenset({1, 2})].kind == "person"


def test_a_one_word_place_that_is_also_a_longer_place_name_stays_a_place():
    found = groups_of([local(1, "person", Anna_Jordan=2), local(2, "location", Jordan=1),
                       local(3, "location", Jordan_Valley=1)])
    assert frozenset({2}) in found


def test_different_middle_initials_are_different_people_and_the_bare_name_goes_with_a_dominant_one():
    found = groups_of([
        Local(1, "person", Counter({"George H. Walker": 2}), article=1),
        Local(2, "person", Counter({"George W. Walker": 30, "Walker": 20}), article=2),
        Local(3, "person", Counter({"George Walker": 1}), article=3),
        Local(4, "person", Counter({"Maria T. Lind": 1}), article=4),
        Local(5, "person", Counter({"Maria Lind": 1}), article=5),
    ])
    assert frozenset({1}) in found and frozenset({2, 3}) in found
    assert frozenset({4, 5}) in found  # one initial is no conflict
    assert {g.name for g in found.values()} >= {"George H. Walker", "George W. Walker"}


def test_a_double_surname_alone_joins_the_full_name():
    found = groups_of([local(1, "person", 7, Rosa_Maria_Ortega_Diaz=1), local(2, "person", 7, Ortega_Diaz=3),
                       local(3, "person", Luis_Diaz=1), local(4, "person", Ana_Luis_Diaz=1)])
    assert frozenset({1, 2}) in found
    assert frozenset({3}) in found and frozenset({4}) in found  # not in the same article: maybe not the same


def test_a_name_nobody_has_in_full_is_one_entity_across_articles():
    found = groups_of([local(1, "person", Melek=2), local(2, "person", Melek=1), local(3, "person", Ana_Ruiz=1)])
    assert frozenset({1, 2}) in found


def test_a_mislabelled_surname_joins_a_dominant_bearer():
    found = groups_of([local(1, "person", Lena_Brandt=40), local(2, "person", Otto_Brandt=2),
                       local(3, "organization", Brandt=3), local(4, "organization", Brandt=1)])
    assert frozenset({1, 3, 4}) in found and found[frozenset({1, 3, 4})].kind == "person"
