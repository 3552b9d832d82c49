"""The learned content model: candidate spans from the parse, training, the shipped weights, and its use."""
import pytest

from app.pipeline import reported
from app.pipeline.clean import clean
from app.pipeline.content_model import MODEL_PATH, ContentModel, build, candidates, load_model, train, training_rows
from app.pipeline.extract import Extractor
from app.pipeline.nlp import load_nlp

from .test_cue_lexicon import attribution_ann, write_doc


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def extract():
    return Extractor().extract


def spans_of(doc, verb_text: str) -> dict[str, set[str]]:
    verb = next(t for t in doc if t.text == verb_text)
    out: dict[str, set[str]] = {}
    for c in candidates(verb, None, reported._without_appendix):
        out.setdefault(c.cut, set()).add(doc[c.start:c.end].text)
    return out


def test_an_object_is_offered_whole_and_as_its_core_noun_phrase(nlp):
    got = spans_of(nlp("The senator rejected the plan that the mayor proposed."), "rejected")
    assert "the plan that the mayor proposed" in got["aside"]  # a restrictive clause is no aside
    assert "the plan" in got["core"]


def test_a_passive_with_an_agent_offers_its_subject(nlp):
    got = spans_of(nlp("The new bridge plan was criticized by the council on Monday."), "criticized")
    assert "The new bridge plan" in got["aside"]
    # without an agent nobody is named as holding a view of the subject
    got = spans_of(nlp("The new bridge plan was criticized on Monday."), "criticized")
    assert "The new bridge plan" not in {span for spans in got.values() for span in spans}
    got = spans_of(nlp("The council rejected the changes proposed by the mayor."), "proposed")
    assert "the changes" in got["aside"]   # a passive participle's noun, before it


def test_a_trailing_aside_is_offered_with_and_without_it(nlp):
    got = spans_of(nlp("The senator rejected the plan, which the mayor proposed."), "rejected")
    assert "the plan" in got["aside"]
    assert "the plan, which the mayor proposed" in got["whole"]


def test_a_clause_is_offered_up_to_its_first_comma(nlp):
    got = spans_of(nlp("She said the vote was close, which surprised nobody in the room."), "said")
    assert "the vote was close" in got["comma"]


def test_a_preposition_stands_for_its_object(nlp):
    doc = nlp("He spoke about the budget crisis on Monday.")
    verb = next(t for t in doc if t.text == "spoke")
    got = {(c.slot, doc[c.start:c.end].text) for c in candidates(verb, None, reported._without_appendix)}
    assert ("prep:about", "the budget crisis") in got


def test_training_learns_which_features_mark_a_content():
    rows = [(["bias", "S=ccomp"], 1)] * 30 + [(["bias", "S=nsubj"], 0)] * 30 + [(["bias", "S=ccomp"], 0)] * 3
    weights = train(rows, epochs=200)
    model = ContentModel(weights, 0.5)
    assert model.score(["bias", "S=ccomp"]) > 0.8
    assert model.score(["bias", "S=nsubj"]) < 0.2


def test_build_reads_a_brat_corpus(tmp_path):
    for n in range(3):
        text = f"The mayor rejected the proposal number {n}. The mayor walked home."
        content = f"the proposal number {n}"
        ann = attribution_ann(text, "The mayor", "rejected", content)
        write_doc(tmp_path, f"doc{n}", text, ann)
    model = build(tmp_path)
    assert model["documents"] == 3 and model["rows"] > 0
    assert 0 < model["threshold"] < 1 and model["weights"]


def test_the_shipped_model_loads():
    assert MODEL_PATH.is_file()
    model = load_model()
    assert model is not None and 0 < model.threshold < 1 and len(model.weights) > 1000


def test_what_someone_spoke_about_is_reported(extract):
    ind = [q for q in extract("He spoke about the budget crisis.").quotes if q.kind == "indirect"]
    assert [(q.text, q.speaker) for q in ind] == [("the budget crisis", "He")]


def test_narration_verbs_report_nothing(extract):
    text = "The governor walked to the car and drove home after lunch."
    assert [q for q in extract(text).quotes if q.kind == "indirect"] == []


def test_without_a_model_the_hand_rules_decide(monkeypatch, extract):
    monkeypatch.setattr(reported, "load_model", lambda: None)
    ind = [q.text for q in extract("He spoke about the budget crisis.").quotes if q.kind == "indirect"]
    assert ind == []  # "speak about" is not in the rules' lists
    ind = [q.text for q in extract("The mayor said that the bridge would reopen in May.").quotes
           if q.kind == "indirect"]
    assert ind == ["that the bridge would reopen in May"]


def test_a_candidate_giving_another_verbs_content_is_no_training_example(nlp, tmp_path):
    text = "The mayor rejected the plan for the bridge, she said."
    rows = {}
    for cue in ("rejected", "said"):
        write_doc(tmp_path / cue, "doc", text, attribution_ann(text, "she", cue, "the plan for the bridge"))
        ann = tmp_path / cue / "attributions" / "doc_x.ann"
        rows[cue] = training_rows(nlp(clean(text).text), clean(text), text, ann)
    # "rejected" offers "the plan for the bridge": right when the annotation makes "rejected" its cue ...
    assert any(label for feats, label in rows["rejected"] if "L=reject" in feats)
    # ... and left out, neither right nor wrong, when the content is another verb's; its other candidates stay
    rejected = [label for feats, label in rows["said"] if "L=reject" in feats]
    assert rejected and not any(rejected)
    assert len(rejected) == len([f for f, _ in rows["rejected"] if "L=reject" in f]) - 1
