"""The entity stage as spaCy components: the notice date, one ruler per label, the NER model and
the one overlap step.

Rulers append their candidates to ``doc.spans["rule_entities"]`` in pipeline order, the model its
ORG proposals to ``doc.spans["model_entities"]``; ``rectify_overlaps`` alone decides what is kept
(``doc.spans["entities"]`` and ``doc.ents``).
"""
from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.entities import overlaps
from pipeline.entities.date import DateExtractor
from pipeline.entities.doc_number import DocNumberExtractor
from pipeline.entities.doc_title import DocTitleExtractor
from pipeline.entities.money import MoneyExtractor
from pipeline.entities.notice_date import notice_date
from pipeline.entities.org import OrgExtractor
from pipeline.entities.person_count import PersonCountExtractor
from pipeline.entities.view import TextView
from pipeline.spans import add_candidates, add_spans, candidates, doc_text

RULE_KEY = "rule_entities"
MODEL_KEY = "model_entities"
ENTITIES_KEY = "entities"


@Language.factory("rectify_notice_date", assigns=["doc._.notice_date"], requires=["doc._.matching_text"])
def make_notice_date(nlp: Language, name: str):
    return set_notice_date


def set_notice_date(doc: Doc) -> Doc:
    """The notice's own date: the one the caller set, else its signature or publication date."""
    if doc._.notice_date is None:
        doc._.notice_date = notice_date(doc._.matching_text)
    return doc


class RuleRuler:
    """One rule extractor as a component: ``Doc -> Doc``, candidates into ``doc.spans[spans_key]``."""

    def __init__(self, extractor, spans_key: str):
        self.extractor = extractor
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        view = TextView(doc_text(doc), doc._.matching_text, doc._.notice_date)
        add_candidates(doc, self.spans_key, self.extractor.find(view))
        return doc


_RULER_CONFIG = {"spans_key": RULE_KEY}
_RULER_ATTRS = dict(assigns=["doc.spans"], requires=["doc._.matching_text", "doc._.notice_date"],
                    default_config=_RULER_CONFIG)


@Language.factory("rectify_dates", **_RULER_ATTRS)
def make_dates(nlp: Language, name: str, spans_key: str):
    return RuleRuler(DateExtractor(), spans_key)


@Language.factory("rectify_money", **_RULER_ATTRS)
def make_money(nlp: Language, name: str, spans_key: str):
    return RuleRuler(MoneyExtractor(), spans_key)


@Language.factory("rectify_person_counts", **_RULER_ATTRS)
def make_person_counts(nlp: Language, name: str, spans_key: str):
    return RuleRuler(PersonCountExtractor(), spans_key)


@Language.factory("rectify_doc_titles", **_RULER_ATTRS)
def make_doc_titles(nlp: Language, name: str, spans_key: str):
    return RuleRuler(DocTitleExtractor(), spans_key)


@Language.factory("rectify_doc_numbers", **_RULER_ATTRS)
def make_doc_numbers(nlp: Language, name: str, spans_key: str):
    return RuleRuler(DocNumberExtractor(), spans_key)


@Language.factory("rectify_orgs", **_RULER_ATTRS)
def make_orgs(nlp: Language, name: str, spans_key: str):
    return RuleRuler(OrgExtractor(), spans_key)


class NerProposer:
    """The statistical model's ORG proposals (none when no model is configured)."""

    def __init__(self, model_dir: str | None, spans_key: str):
        from pipeline.entities.ner import NerModel
        self.model = NerModel.load(model_dir) if model_dir and Path(model_dir).exists() else None
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        found = self.model.predict(doc_text(doc), doc._.matching_text) if self.model is not None else []
        add_candidates(doc, self.spans_key, found)
        return doc


@Language.factory("rectify_ner", assigns=["doc.spans"], requires=["doc._.matching_text"],
                  default_config={"model_dir": None, "spans_key": MODEL_KEY})
def make_ner(nlp: Language, name: str, model_dir: str | None, spans_key: str):
    return NerProposer(model_dir, spans_key)


class OverlapFilter:
    """The one place where overlapping candidates are resolved (:func:`overlaps.resolve`)."""

    def __init__(self, rule_key: str, model_key: str, spans_key: str):
        self.rule_key, self.model_key, self.spans_key = rule_key, model_key, spans_key

    def __call__(self, doc: Doc) -> Doc:
        kept = overlaps.resolve(candidates(doc, self.rule_key), candidates(doc, self.model_key))
        doc.spans[self.spans_key] = []
        add_spans(doc, self.spans_key, kept)
        text = doc_text(doc)  # span.text would join the span's character tokens anew
        doc.set_ents([s for s in doc.spans[self.spans_key] if not text[s.start_char:s.end_char].isspace()],
                     default="outside")
        return doc


@Language.factory("rectify_overlaps", assigns=["doc.spans", "doc.ents"],
                  default_config={"rule_key": RULE_KEY, "model_key": MODEL_KEY, "spans_key": ENTITIES_KEY})
def make_overlaps(nlp: Language, name: str, rule_key: str, model_key: str, spans_key: str):
    return OverlapFilter(rule_key, model_key, spans_key)
