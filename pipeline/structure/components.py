"""The structure stage as a spaCy component: header facts, groups, items with their status, and
the measure spans inside each item's description."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.spans import HEADER_FACTS, add_spans, candidates, doc_text
from pipeline.structure.header import parse_header
from pipeline.structure.parse import parse_structure



class StructureParser:
    def __init__(self, dates_key: str):
        self.dates_key = dates_key

    def __call__(self, doc: Doc) -> Doc:
        text, mtext = doc_text(doc), doc._.matching_text
        structure = parse_structure(text, mtext)
        first_heading = next((line.start for line in structure.lines if line.level), None)
        found = candidates(doc, self.dates_key)
        dates = [e for e in found if e.label == "DATE"]
        orgs = [e for e in found if e.label == "ORG"]
        header = parse_header(text, mtext, structure.lines, first_heading, dates, orgs)
        for attr in HEADER_FACTS:  # the Doc extensions spans.py declares
            setattr(doc._, attr, getattr(header, attr))
        for key, found, label in (("groups", structure.groups, "GROUP"), ("items", structure.items, "ITEM"),
                                  ("measures", structure.measures, "MEASURE")):
            doc.spans[key] = []
            add_spans(doc, key, found, label)
        return doc


@Language.factory("rectify_structure", assigns=["doc.spans", "doc._.title", "doc._.issuer",
                                                "doc._.inspection_body", "doc._.feedback_date"],
                  requires=["doc._.matching_text"], default_config={"dates_key": "rule_entities"})
def make_structure(nlp: Language, name: str, dates_key: str):
    """``dates_key``: where the DATE candidates for the inspection period and feedback date are."""
    return StructureParser(dates_key)
