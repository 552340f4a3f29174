"""The read stage as a spaCy component: the matching text every later stage matches on."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.spans import doc_text  # also registers the Doc extensions
from pipeline.read.textnorm import matching_text


@Language.factory("rectify_matching_text", assigns=["doc._.matching_text"])
def make_matching_text(nlp: Language, name: str):
    return set_matching_text


def set_matching_text(doc: Doc) -> Doc:
    """``doc._.matching_text``: same length as ``doc.text``, traditional → simplified, full-width → ASCII."""
    doc._.matching_text = matching_text(doc_text(doc))
    return doc
