"""``python -m pipeline import``: merge an annotation tool's export into the gold file.

Normalised values missing from an export are filled in by the rule extractors run on the
span's own text (``rule_normalizer``), with the notice date for relative dates.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pipeline.entities.rules import RULE_EXTRACTORS
from pipeline.entities.view import TextView
from pipeline.annotation.merge import merge_import
from pipeline.annotation.gold import load_gold, save_gold
from pipeline.read.textnorm import matching_text

_BY_LABEL = {cls.label: cls for cls in RULE_EXTRACTORS}


def rule_normalizer(label: str, text: str, notice_date: dt.date | None) -> dict:
    """The values the rules give a span of this label read on its own (empty if none)."""
    cls = _BY_LABEL.get(label)
    if cls is None or label == "ORG":
        return {}
    found = [e for e in cls().find(TextView(text, matching_text(text), notice_date))
             if e.start == 0 and e.end == len(text)]
    return found[0].values() if found else {}


def import_file(path: str | Path, fmt: str, gold_path: str | Path) -> str:
    gold_path = Path(gold_path)
    if fmt == "label-studio-measures":
        from pipeline.annotation.measure_labels import merge_measure_labels
        result = merge_measure_labels(path, gold_path, echo=None)
        return json.dumps(result, ensure_ascii=False, default=str)
    from pipeline.annotation import spans as annotation_tools
    if fmt == "label-studio":
        imported = annotation_tools.from_label_studio_export(path, rule_normalizer)
    else:
        existing = load_gold(gold_path) if gold_path.exists() else []
        imported = annotation_tools.from_doccano(path, base=existing, normalizer=rule_normalizer)
    existing = load_gold(gold_path) if gold_path.exists() else []
    merged = merge_import(existing, imported)
    save_gold(merged, gold_path)
    return (f"imported {len(imported)} notice(s) from {path}; {gold_path} now holds {len(merged)} "
            f"(was {len(existing)}). Retrain with: make train")
