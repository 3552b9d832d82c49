from app.pipeline.names import alias_norm, name_key


def test_person_keys_ignore_honorifics_initials_and_order():
    keys = {name_key(n, "person") for n in ["Vladimir Putin", "Mr. Vladimir V. Putin", "President Vladimir Putin"]}
    assert len(keys) == 1
    assert name_key("Evan A. Feigenbaum", "person") == name_key("Evan Feigenbaum", "person")
    assert name_key("Vladimir Putin", "person") != name_key("Lyudmila Putina", "person")


def test_organisation_spelling_variants_share_a_key():
    assert name_key("Shanghai Cooperation Organisation", "organization") == \
        name_key("Shanghai Cooperation Organization", "organization")
    assert name_key("Nato", "organization") == name_key("NATO", "organization")


def test_alias_norm_is_case_and_honorific_insensitive():
    assert alias_norm("Mr. Putin") == alias_norm("putin") == alias_norm("PUTIN’s") == "putin"


def test_generational_suffixes_are_part_of_a_person_key():
    assert name_key("Omar Haddad Jr.", "person") != name_key("Omar Haddad", "person")


def test_display_names_drop_titles_and_middle_initials_but_keep_spelling():
    from app.pipeline.names import display_person_name

    assert display_person_name("President Anna M. Kovacs") == "Anna Kovacs"
    assert display_person_name("Professor Emeritus Lena Brandt") == "Lena Brandt"
    assert display_person_name("Omar Haddad Jr.") == "Omar Haddad Jr."
    assert display_person_name("Anna M. Kovacs", initials=True) == "Anna M. Kovacs"


def test_canonical_name_is_the_most_used_of_the_fullest_forms():
    from app.pipeline.names import canonical_name

    assert canonical_name({"Kovacs": 9, "Anna M. Kovacs": 3, "Anna Kovacs": 1}, "person") == "Anna Kovacs"
    assert canonical_name({"NTO": 5, "Northern Trade Organisation": 1, "Northern Trade Organization": 2},
                          "organization") == "Northern Trade Organization"
    assert canonical_name({"the Harbour Council": 2}, "organization") == "Harbour Council"


def test_descriptions_match_stated_roles():
    from app.pipeline.names import describes, role_matches

    assert describes("the Freedonian president") == ("president", ["freedonian"])
    assert describes("Anna Kovacs") is None
    assert role_matches("president", ["freedonian"], "Freedonian President")
    assert role_matches("leader", ["freedonia"], "President of Freedonia")
    assert not role_matches("leader", ["freedonia"], "foreign minister of Freedonia")
    assert not role_matches("president", ["freedonian"], "Ruritanian President")


def test_a_one_off_longer_form_does_not_become_the_name():
    from app.pipeline.names import canonical_name

    assert canonical_name({"Crafty Anna Kovacs": 1, "Anna Kovacs": 6, "Kovacs": 20}, "person") == "Anna Kovacs"
    assert canonical_name({"Anna Maria Kovacs": 1, "Kovacs": 4}, "person") == "Anna Maria Kovacs"


def test_a_surname_that_is_also_a_title_is_kept():
    from app.pipeline.names import display_person_name

    assert name_key("Charlie King", "person") != name_key("Charlie", "person")
    assert name_key("Mr. King", "person") == name_key("King", "person") == "person:king"
    assert alias_norm("Charlie King") == "charlie king"
    assert display_person_name("Charlie King") == "Charlie King"
    assert name_key("Martin Luther King Jr.", "person") != name_key("Martin Luther Jr.", "person")
