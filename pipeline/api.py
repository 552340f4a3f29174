"""The Python API: parse one notice's text, load the output tables.

    >>> from pipeline import parse_text, load_tables
    >>> notice = parse_text(open("corpus/yiyang-hitech-2023-12-05.txt", encoding="utf-8").read())
    >>> notice.notice_date, len(notice.items)
    (datetime.date(2023, 12, 5), 33)
    >>> tables = load_tables("output")          # dict of pandas DataFrames
    >>> tables["measures"].query("fund_recovery")

Models and lexicons are loaded once per process (``NoticeParser`` caches them); a missing model
falls back to the transparent baselines (keyword labels, rules-only entities) and says so in
``NoticeParser.components``.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from pathlib import Path

from . import overlaps
from .extractors import RULE_EXTRACTORS, TextView
from .header import parse_header, signature_date
from .structure import parse_structure
from .textnorm import matching_text
from .types import ParsedNotice

log = logging.getLogger(__name__)

REPO_DIR = Path(__file__).resolve().parent.parent
MODELS_DIR = Path(os.environ.get("RECTIFY_MODELS", REPO_DIR / "models"))


class NoticeParser:
    """Everything needed to parse notices, loaded once.

    ``ner``: path of a spaCy NER model directory, or None for rules only.
    ``classifier``: path of the measure classifier directory, or None for the keyword baseline.
    """

    def __init__(self, ner: str | Path | None = MODELS_DIR / "ner",
                 classifier: str | Path | None = MODELS_DIR / "measure_classifier",
                 build_docs: bool = True):
        from .keywords import KeywordBaseline
        self.extractors = [cls() for cls in RULE_EXTRACTORS]
        self.keywords = KeywordBaseline.default()
        self.build_docs = build_docs
        self.components = {"entities": "rules", "measure_labels": "keywords"}
        self.ner = None
        if ner is not None and Path(ner).exists():
            from .ner import NerModel
            self.ner = NerModel.load(ner)
            self.components["entities"] = "rules+ner"
        self.classifier = None
        if classifier is not None and (Path(classifier) / "model.skops").exists():
            from .classifier import MeasureClassifier
            self.classifier = MeasureClassifier.load(classifier)
            self.components["measure_labels"] = "classifier"
        self.fingerprint = self._fingerprint(ner, classifier)

    def _fingerprint(self, ner, classifier) -> str:
        """What produced the rows: package version, every pattern and lexicon file, the models.

        ``extract`` parses an unchanged file again when this differs from the one its rows carry,
        so new rules or retrained models reach old notices too.
        """
        import hashlib

        from . import __version__
        from .resources import LEXICONS_DIR, PATTERNS_DIR
        digest = hashlib.sha256(__version__.encode())
        for folder in (PATTERNS_DIR, LEXICONS_DIR):
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    digest.update(path.name.encode() + path.read_bytes())
        for used, folder, names in ((self.ner, ner, ("meta.json", "training.json")),
                                    (self.classifier, classifier, ("model_card.json",))):
            for name in names if used is not None else ():
                file = Path(folder) / name
                if file.exists():
                    digest.update(file.read_bytes())
        return digest.hexdigest()[:16]

    def parse(self, text: str, notice_date: dt.date | None = None) -> ParsedNotice:
        """Parse one notice. ``notice_date`` overrides the signature date read from the text."""
        mtext = matching_text(text)
        notice_date = notice_date or signature_date(mtext)
        view = TextView(text, mtext, notice_date)
        rule_entities = [e for extractor in self.extractors for e in extractor.find(view)]
        model_entities = self.ner.predict(text, mtext) if self.ner is not None else []
        entities = overlaps.resolve(rule_entities, model_entities)
        structure = parse_structure(text, mtext)
        first_heading = next((line.start for line in structure.lines if line.level), None)
        dates = [e for e in rule_entities if e.label == "DATE"]
        header = parse_header(text, mtext, structure.lines, first_heading, dates)
        parsed = ParsedNotice(
            text=text, title=header.title, issuer=header.issuer, notice_date=notice_date,
            inspection_body=header.inspection_body, inspection_start=header.inspection_start,
            inspection_end=header.inspection_end, feedback_date=header.feedback_date,
            groups=structure.groups, items=structure.items, measures=structure.measures,
            entities=entities)
        self.label_measures(parsed)
        if self.build_docs:
            from .nlp import build_doc
            parsed.doc = build_doc(parsed)
        return parsed

    def label_measures(self, parsed: ParsedNotice) -> None:
        texts = [m.text for m in parsed.measures]
        if not texts:
            return
        for measure, labels in zip(parsed.measures, self.keywords.predict(texts)):
            measure.keyword_labels = labels
        if self.classifier is not None:
            probabilities = self.classifier.predict_proba(texts)
            threshold = self.classifier.threshold
            for measure, row in zip(parsed.measures, probabilities):
                measure.probabilities = {label: float(p) for label, p in zip(self.classifier.labels, row)}
                measure.labels = [label for label, p in measure.probabilities.items() if p >= threshold]
                measure.label_source = "classifier"
        else:
            for measure in parsed.measures:
                measure.labels = list(measure.keyword_labels)
                measure.label_source = "keywords"


@functools.cache
def default_parser() -> NoticeParser:
    return NoticeParser()


def parse_text(text: str, notice_date: dt.date | None = None) -> ParsedNotice:
    """Parse one notice's text (as decoded from its file) with the default models."""
    return default_parser().parse(text, notice_date)


def load_tables(out_dir: str | Path = "output") -> dict:
    """The output tables of an ``extract`` run as pandas DataFrames, by table name."""
    from .tables import read_tables
    return read_tables(out_dir)
