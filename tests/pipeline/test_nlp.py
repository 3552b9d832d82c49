"""The pipeline's speed-ups over en_core_web_sm give exactly what the components (and kernels) they replace give."""
import numpy
import pytest
from spacy.attrs import DEP, LEMMA, MORPH, POS, TAG

from app.pipeline.attribute_table import AttributeTable
from app.pipeline.nlp import lemma, load_nlp
from tests_support import seed_files

TRICKY = ("I ain't gonna say it, let's wait. You gotta see what they're doin' -- y'all know it.\n"
          "He said: “We’re ready.” 'Tis the season, isn't it? Who'd've thought.")


@pytest.fixture(scope="module")
def parsed():
    """Seed articles and a text full of the ruler's multi-token exceptions, parsed without attribute rules."""
    nlp = load_nlp()
    texts = [path.read_text(encoding="utf-8") for path in seed_files()] + [TRICKY]
    with nlp.select_pipes(disable=[p for p in ("attribute_table", "ner") if p in nlp.pipe_names]):
        return nlp, list(nlp.pipe(texts))


def test_attribute_table_sets_what_the_attribute_ruler_sets(parsed):
    nlp, docs = parsed
    ruler = nlp.get_pipe("attribute_ruler")
    table = AttributeTable(ruler)
    for doc in docs:
        by_ruler, by_table = ruler(doc.copy()), table(doc.copy())
        for attr in (POS, MORPH, LEMMA, TAG, DEP):
            assert numpy.array_equal(by_ruler.to_array([attr]), by_table.to_array([attr])), attr


def test_attribute_table_on_documents_of_no_and_one_token(parsed):
    nlp, _ = parsed
    ruler, table = nlp.get_pipe("attribute_ruler"), nlp.get_pipe("attribute_table")
    for text in ("", "gonna", "Nothin'", "\n"):
        doc = nlp.make_doc(text)
        for name, component in nlp.pipeline:
            if name in ("attribute_table", "ner"):
                break
            doc = component(doc)
        by_ruler, by_table = ruler(doc.copy()), table(doc.copy())
        for attr in (POS, MORPH, LEMMA, TAG, DEP):
            assert numpy.array_equal(by_ruler.to_array([attr]), by_table.to_array([attr])), (text, attr)


def test_lemma_on_demand_is_the_lemmatizers_lemma(parsed):
    nlp, docs = parsed
    for doc in docs:
        doc = nlp.get_pipe("attribute_table")(doc.copy())
        lemmatised = nlp.get_pipe("lemmatizer")(doc.copy())
        assert [lemma(t) for t in doc] == [t.lemma_.lower() for t in lemmatised]


def annotations(docs) -> list:
    return [[(t.tag_, t.pos_, t.dep_, t.head.i, t.is_sent_start, t.ent_iob_, t.ent_type_) for t in doc] for doc in docs]


def test_numpy_matrix_products_annotate_as_blis_does():
    """load_nlp runs the models' matrix products through numpy's OpenBLAS; thinc's BLIS gives the same labels."""
    from thinc.api import NumpyOps

    from app.pipeline.nlp import use_ops

    nlp = load_nlp()
    texts = [path.read_text(encoding="utf-8") for path in seed_files()] + [TRICKY]
    fast = annotations(nlp.pipe(texts))
    use_ops(nlp, NumpyOps())  # thinc's default: BLIS
    try:
        by_blis = annotations(nlp.pipe(texts))
    finally:
        use_ops(nlp, NumpyOps(use_blis=False))
    assert fast == by_blis


def test_numpy_ner_decoder_finds_spacys_entities():
    """The NER moves decoded in numpy (ner_decode.py) give the entities spaCy's own decoder gives."""
    nlp = load_nlp()
    texts = [path.read_text(encoding="utf-8") for path in seed_files()] + [TRICKY, "Putin", "", "\n\nMr. Xi\n"]
    with nlp.select_pipes(disable=["ner"]):
        docs = list(nlp.pipe(texts))
    ours, spacys = [d.copy() for d in docs], [d.copy() for d in docs]
    list(nlp.get_pipe("ner").pipe(ours, batch_size=4))
    list(nlp.get_pipe("spacy_ner").pipe(spacys, batch_size=4))
    assert sum(len(d.ents) for d in spacys) > 100
    for a, b in zip(ours, spacys):
        assert [(t.ent_iob_, t.ent_type_) for t in a] == [(t.ent_iob_, t.ent_type_) for t in b]


def test_numpy_ner_decoder_leaves_preset_entities_to_spacy():
    from spacy.tokens import Span

    nlp = load_nlp()
    with nlp.select_pipes(disable=["ner"]):
        doc = nlp("The talks in Samarkand were held by Vladimir Putin and Xi Jinping.")
    doc.set_ents([Span(doc, 3, 4, label="ORG")], default="unmodified")
    ours, spacys = nlp.get_pipe("ner")(doc.copy()), nlp.get_pipe("spacy_ner")(doc.copy())
    assert [(e.text, e.label_) for e in ours.ents] == [(e.text, e.label_) for e in spacys.ents]
    assert ("Samarkand", "ORG") in [(e.text, e.label_) for e in ours.ents]


def test_numpy_decoders_only_take_the_models_they_know():
    """Each decoder replaces only the model shape it reproduces: the NER's 3 state tokens are not the parser's 8."""
    from app.pipeline.ner_decode import NER_SLOTS
    from app.pipeline.parser_decode import plain_greedy

    nlp = load_nlp()
    assert plain_greedy(nlp.get_pipe("spacy_ner"), NER_SLOTS)
    assert plain_greedy(nlp.get_pipe("spacy_parser"))
    assert not plain_greedy(nlp.get_pipe("spacy_parser"), NER_SLOTS)


def test_numpy_scored_parser_parses_as_spacy_does():
    """The parser's steps scored by numpy (parser_decode.py) give spaCy's parses and sentence boundaries."""
    nlp = load_nlp()
    texts = [path.read_text(encoding="utf-8") for path in seed_files()] + [TRICKY, "Putin", "", "\n\nMr. Xi\n"]
    with nlp.select_pipes(enable=["tok2vec", "tagger", "paragraph_boundaries"]):
        docs = list(nlp.pipe(texts))
    ours, spacys = [d.copy() for d in docs], [d.copy() for d in docs]
    list(nlp.get_pipe("parser").pipe(ours, batch_size=4))
    list(nlp.get_pipe("spacy_parser").pipe(spacys, batch_size=4))
    for a, b in zip(ours, spacys):
        assert [(t.dep_, t.head.i, t.is_sent_start) for t in a] == [(t.dep_, t.head.i, t.is_sent_start) for t in b]


def test_a_line_break_starts_a_sentence_before_the_parser_runs():
    from app.pipeline.nlp import paragraph_boundaries

    nlp = load_nlp()
    for text, starts in [("Headline without a period\nThe body begins here.", ["The"]),
                         ("Caption\n\n  Photo by someone", ["Photo"]),
                         ("One line only, no break", []), ("\n", []), ("", []), ("A\n", [])]:
        doc = paragraph_boundaries(nlp.make_doc(text))
        after_break = [t.text for t in doc[1:] if t.is_sent_start and not t.is_space]
        assert after_break == starts, text
        assert all(doc[t.i + 1].is_sent_start for t in doc[:-1] if t.is_space and "\n" in t.text), text
