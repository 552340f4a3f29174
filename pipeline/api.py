"""The Python API.

    >>> from pipeline import parse_text, load_tables, label_measures
    >>> notice = parse_text(open("corpus/yiyang-hitech-2023-12-05.txt", encoding="utf-8").read())
    >>> notice.notice_date, len(notice.items)
    (datetime.date(2023, 12, 5), 33)
    >>> notice.doc.spans["measures"][0]._.labels     # the spaCy Doc behind the records
    []
    >>> label_measures(["追缴违纪资金35.4万元", "修订《差旅费管理办法》"])
    [['fund_recovery'], ['institution_building']]
    >>> tables = load_tables("output")          # dict of pandas DataFrames
    >>> tables["measures"].query("fund_recovery")

Models and lexicons are loaded once per process (:func:`pipeline.parse.load_nlp` caches the
pipeline); a missing model falls back to the transparent baselines (keyword labels, rules-only
entities) and says so in ``NoticeParser.components``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from pipeline.parse import NoticeParser, default_parser, load_nlp, parse_text
from pipeline.read.ingest import read_notice

__all__ = ["parse_text", "read_notice", "load_tables", "label_measures", "NoticeParser", "load_nlp",
           "default_parser"]


def load_tables(out_dir: str | Path = "output") -> dict:
    """The output tables of an ``extract`` run as pandas DataFrames, by table name."""
    from pipeline.tables.store import read_tables
    return read_tables(out_dir)


def label_measures(texts: Sequence[str], with_probabilities: bool = False) -> list:
    """Label measure texts with the shipped classifier (the keyword baseline if there is none).

    Returns one label list per text, in ``MEASURE_LABELS`` order; with ``with_probabilities``,
    ``(labels, {label: probability})`` pairs (probabilities empty for the keyword baseline).
    Use it to score the classifier on your own annotated measures.
    """
    from pipeline.types import Measure
    labeller = default_parser().nlp.get_pipe("rectify_measure_labels")
    measures = [Measure(start=0, end=len(t), text=t, item_index=None) for t in texts]
    labeller.label(measures)
    if with_probabilities:
        return [(m.labels, m.probabilities) for m in measures]
    return [m.labels for m in measures]
