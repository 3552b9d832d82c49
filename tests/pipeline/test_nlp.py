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
