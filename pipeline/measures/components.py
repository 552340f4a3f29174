"""The measure stage as a spaCy component: every measure span gets its labels.

The keyword baseline always runs (its labels stay in ``span._.keyword_labels``); with a trained
classifier its labels and probabilities win (``span._.label_source == "classifier"``).
"""
from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.measures.facts import default_extractor
from pipeline.measures.keywords import KeywordBaseline
from pipeline.spans import add_spans, doc_text, records
from pipeline.types import Entity, Measure


def load_classifier(model_dir: str | Path):
    """The trained classifier in ``model_dir``: its arrays (``inference.npz``, numpy only) when they
    were exported from the ``model.skops`` the card names, else the skops pipeline; None when the
    directory holds no model."""
    model_dir = Path(model_dir)
    if not (model_dir / "model.skops").exists():
        return None
    from pipeline.measures.linear import LinearMeasureModel
    try:
        card = json.loads((model_dir / "model_card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        card = None  # MeasureClassifier.load names the problem
    threshold = card.get("threshold") if isinstance(card, dict) else None
    if isinstance(threshold, (int, float)) and not isinstance(threshold, bool) and 0 < threshold <= 1:
        linear = LinearMeasureModel.load(model_dir, card)
        if linear is not None:
            return linear
    from pipeline.measures.classifier import MeasureClassifier
    return MeasureClassifier.load(model_dir)


class MeasureLabeller:
    def __init__(self, model_dir: str | None, spans_key: str):
        self.keywords = KeywordBaseline.default()
        self.classifier = load_classifier(model_dir) if model_dir else None
        self.spans_key = spans_key

    def label(self, measures: list[Measure]) -> None:
        """Set the labels of these measures in place."""
        texts = [m.text for m in measures]
        if not texts:
            return
        for measure, labels in zip(measures, self.keywords.predict(texts)):
            measure.keyword_labels = labels
        if self.classifier is not None:
            probabilities = self.classifier.predict_proba(texts)
            threshold = self.classifier.threshold
            for measure, row in zip(measures, probabilities):
                measure.probabilities = {label: float(p) for label, p in zip(self.classifier.labels, row)}
                measure.labels = [label for label, p in measure.probabilities.items() if p >= threshold]
                measure.label_source = "classifier"
        else:
            for measure in measures:
                measure.labels = list(measure.keyword_labels)
                measure.label_source = "keywords"

    def __call__(self, doc: Doc) -> Doc:
        measures = records(doc, self.spans_key, Measure)
        self.label(measures)
        doc.spans[self.spans_key] = []
        add_spans(doc, self.spans_key, measures, "MEASURE")
        return doc


@Language.factory("rectify_measure_labels", assigns=["doc.spans"],
                  default_config={"model_dir": None, "spans_key": "measures"})
def make_measure_labels(nlp: Language, name: str, model_dir: str | None, spans_key: str):
    """``model_dir``: a trained classifier (``model.skops`` + card), or null for the keyword baseline."""
    return MeasureLabeller(model_dir, spans_key)


def set_facts(doc: Doc, measures_key: str = "measures", entities_key: str = "entities") -> Doc:
    """``doc._.facts``: what the numbers inside each measure count (:mod:`pipeline.measures.facts`)."""
    measures = [(s.start_char, s.end_char) for s in doc.spans[measures_key]] if measures_key in doc.spans else []
    entities = records(doc, entities_key, Entity)
    doc._.facts = default_extractor().find(doc_text(doc), doc._.matching_text, measures, entities)
    return doc


@Language.factory("rectify_facts", assigns=["doc._.facts"], requires=["doc.spans"],
                  default_config={"measures_key": "measures", "entities_key": "entities"})
def make_facts(nlp: Language, name: str, measures_key: str, entities_key: str):
    """Facts over the final measure and entity spans (rules: ``lexicons/fact_triggers.tsv``)."""
    return lambda doc: set_facts(doc, measures_key, entities_key)
