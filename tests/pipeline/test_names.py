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
