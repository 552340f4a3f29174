"""Plain records from the pipeline's Doc, and the parser object the extract run holds."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from spacy.tokens import Doc

from pipeline.parse.loader import DEFAULT, MODELS_DIR, load_nlp
from pipeline.spans import doc_text, records
from pipeline.types import Entity, Group, Item, Measure, ParsedNotice


def notice_from_doc(doc: Doc, keep_doc: bool = True) -> ParsedNotice:
    """The :class:`ParsedNotice` a parsed Doc holds."""
    return ParsedNotice(
        text=doc_text(doc), title=doc._.title, issuer=doc._.issuer, notice_date=doc._.notice_date,
        inspection_body=doc._.inspection_body, inspection_start=doc._.inspection_start,
        inspection_end=doc._.inspection_end, feedback_date=doc._.feedback_date,
        groups=records(doc, "groups", Group), items=records(doc, "items", Item),
        measures=records(doc, "measures", Measure), entities=records(doc, "entities", Entity),
        facts=list(doc._.facts or []), doc=doc if keep_doc else None)


class NoticeParser:
    """The parse pipeline with its models, loaded once.

    ``ner``: a spaCy NER model directory, or None for rules only. ``classifier``: the measure
    classifier directory, or None for the keyword baseline. A missing directory falls back the
    same way, and ``components`` says what is in use. ``build_docs=False`` drops the Doc from the
    returned records (less memory in batch runs).
    """

    def __init__(self, ner: str | Path | None = MODELS_DIR / "ner",
                 classifier: str | Path | None = MODELS_DIR / "measure_classifier",
                 build_docs: bool = True):
        self.nlp = load_nlp(DEFAULT if ner == MODELS_DIR / "ner" else ner,
                            DEFAULT if classifier == MODELS_DIR / "measure_classifier" else classifier)
        self.build_docs = build_docs
        self._arguments = (None if ner is None else str(ner), None if classifier is None else str(classifier), build_docs)
        self.ner = self.nlp.get_pipe("rectify_ner").model
        self.classifier = self.nlp.get_pipe("rectify_measure_labels").classifier
        self.components = {"entities": "rules+ner" if self.ner is not None else "rules",
                           "measure_labels": "classifier" if self.classifier is not None else "keywords"}
        self.fingerprint = self._fingerprint(ner, classifier)

    def _fingerprint(self, ner, classifier) -> str:
        """What produced the rows: package version, every pattern and lexicon file, the models.

        ``extract`` parses an unchanged file again when this differs from the one its rows carry,
        so new rules or retrained models reach old notices too.
        """
        import hashlib

        from pipeline import __version__
        from pipeline.resources import DATA_KINDS, data_files
        digest = hashlib.sha256(__version__.encode())
        for kind in DATA_KINDS:  # patterns, then lexicons, each by file name
            for path in data_files(kind):
                digest.update(path.name.encode() + path.read_bytes())
        for used, folder, names in ((self.ner, ner, ("meta.json", "training.json")),
                                    (self.classifier, classifier, ("model_card.json",))):
            for name in names if used is not None else ():
                file = Path(folder) / name
                if file.exists():
                    digest.update(file.read_bytes())
        return digest.hexdigest()[:16]

    def __reduce__(self):
        # Sent to another process (a Dask worker) as its settings: each process loads the models
        # once (:func:`parser_for`) however many tasks it runs.
        return parser_for, self._arguments

    def parse_doc(self, text: str, notice_date: dt.date | None = None) -> Doc:
        """The parsed Doc. ``notice_date`` overrides the signature date read from the text."""
        doc = self.nlp.make_doc(text)
        doc._.notice_date = notice_date
        return self.nlp(doc)

    def parse(self, text: str, notice_date: dt.date | None = None) -> ParsedNotice:
        """Parse one notice into plain records (``.doc`` holds the Doc unless ``build_docs=False``)."""
        return notice_from_doc(self.parse_doc(text, notice_date), keep_doc=self.build_docs)


@functools.cache
def parser_for(ner: str | None, classifier: str | None, build_docs: bool = True) -> NoticeParser:
    """One :class:`NoticeParser` per process and settings."""
    return NoticeParser(ner=None if ner is None else Path(ner),
                        classifier=None if classifier is None else Path(classifier), build_docs=build_docs)


@functools.cache
def default_parser() -> NoticeParser:
    return NoticeParser()


def parse_text(text: str, notice_date: dt.date | None = None) -> ParsedNotice:
    """Parse one notice's text (as decoded from its file) with the default models."""
    return default_parser().parse(text, notice_date)
