"""The only place spaCy is loaded. One pipeline per process, loaded on first use."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

# The lemmatizer is rule-based and cheap; it gives "say" for "said". Nothing else is disabled: the attribution
# rules need the tagger and parser, entity recognition needs ner.
UNUSED_COMPONENTS: tuple[str, ...] = ()


@lru_cache(maxsize=2)
def load_nlp(model: str | None = None) -> Language:
    """Load the spaCy model named in the settings (installed as a package, so no network is touched)."""
    if model is None:
        from app.core.config import get_settings  # settings only; the pipeline never touches the database

        model = get_settings().spacy_model
    nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
    nlp.max_length = 10_000_000
    return nlp
