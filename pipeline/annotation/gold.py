"""The gold file: load, save, and gold records from parsed notices.

The format is documented in ``annotations/README.md``; the meaning in ``annotations/ANNOTATION.md``.
"""
from __future__ import annotations

import json
import math
import os
from typing import Iterable

from pipeline.fsutil import atomic_write_text
from pipeline.types import ENTITY_LABELS, MEASURE_LABELS, STATUSES, ParsedNotice
from pipeline.annotation.gold_records import AnnotationError, GoldEntity, GoldFact, GoldItem, GoldMeasure, GoldNotice, _span_key, sort_measure_labels
from pipeline.annotation.gold_validation import _fail, validate


# --------------------------------------------------------------------------- file I/O


def load_gold(path: str | os.PathLike) -> list[GoldNotice]:
    """Read and validate a gold JSONL file. Blank lines are skipped; ids and texts must be unique."""
    records: list[GoldNotice] = []
    seen_ids: dict[str, int] = {}
    seen_texts: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                d = json.loads(raw)
            except json.JSONDecodeError as exc:
                err = AnnotationError(f"{path}:{lineno}: not valid JSON: {exc}")
                err.path, err.line, err.record_id, err.problems = path, lineno, None, [str(exc)]
                raise err from exc
            rec = validate(d, path=path, line=lineno)
            if rec.id in seen_ids:
                _fail([f"duplicate id (first on line {seen_ids[rec.id]})"], path, lineno, rec.id)
            h = rec.text_hash
            if h in seen_texts:
                _fail([f"same text as the record on line {seen_texts[h]}"], path, lineno, rec.id)
            seen_ids[rec.id], seen_texts[h] = lineno, lineno
            records.append(rec)
    return records


def dumps_record(record: GoldNotice) -> str:
    """One gold line (no newline): sorted keys, UTF-8 text kept as is, spans sorted by start."""
    return json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True)


def save_gold(records: Iterable[GoldNotice], path: str | os.PathLike) -> None:
    """Validate and write ``records`` (in the given order) to ``path`` atomically.

    Writes a temporary file in the same directory, fsyncs it, then ``os.replace``s the target, so
    readers see either the old file or the new one, never a half-written one.
    """
    records = list(records)
    lines = []
    ids: set[str] = set()
    for k, rec in enumerate(records, start=1):
        validate(rec, path=f"<record {k} being saved to {path}>")
        if rec.id in ids:
            _fail(["duplicate id"], f"<records being saved to {path}>", k, rec.id)
        ids.add(rec.id)
        lines.append(dumps_record(rec) + "\n")
    atomic_write_text(path, "".join(lines))


# --------------------------------------------------------------------------- predictions


def _resolve_overlaps(entities: list[GoldEntity]) -> list[GoldEntity]:
    """Keep the longest of overlapping spans (the guideline's rule for nested readings)."""
    kept: list[GoldEntity] = []
    for e in sorted(entities, key=lambda e: (-(e.end - e.start), e.start, e.label)):
        if all(e.end <= k.start or k.end <= e.start for k in kept):
            kept.append(e)
    return sorted(kept, key=_span_key)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def from_parsed(parsed: ParsedNotice, id: str, source: str, origin: str) -> GoldNotice:
    """Turn a pipeline prediction into a pre-annotation (a valid GoldNotice to correct by hand).

    Spans are re-read from ``parsed.text`` and trimmed of surrounding whitespace; of overlapping
    entities only the longest is kept; values that break the format (a non-integral person count,
    a currency without a value...) are dropped rather than copied.
    """
    text = parsed.text
    entities: list[GoldEntity] = []
    for e in parsed.entities:
        if e.label not in ENTITY_LABELS:
            continue
        start, end = _trim(text, e.start, e.end)
        if not 0 <= start < end <= len(text):
            continue
        g = GoldEntity(start=start, end=end, label=e.label, text=text[start:end])
        if e.label == "DATE":
            g.start_date, g.end_date = e.start_date, e.end_date
            if g.start_date and g.end_date and g.end_date < g.start_date:
                g.start_date = g.end_date = None
        elif e.label == "MONEY":
            if e.value is not None and math.isfinite(e.value) and e.value >= 0:
                g.value = float(e.value)
                g.currency = e.currency or "CNY"
            g.approx = bool(e.approx)
        elif e.label == "PERSON_COUNT":
            if e.value is not None and float(e.value).is_integer() and e.value >= 0:
                g.value = int(e.value)
        elif e.label == "DOC_TITLE":
            g.kind = e.kind or ""
        if e.label == "DOC_TITLE" and not (start > 0 and text[start - 1] == "《"
                                           and end < len(text) and text[end] == "》"):
            continue  # not between 《 and 》: the format would reject it
        entities.append(g)
    entities = _resolve_overlaps(entities)

    items = [GoldItem(number=it.number.strip(), start=it.start, end=it.end,
                      status=it.status if it.status in STATUSES else "unknown")
             for it in parsed.items if it.number.strip() and 0 <= it.start < it.end <= len(text)]

    measures: list[GoldMeasure] = []
    last_end = -1
    for m in sorted(parsed.measures, key=_span_key):
        start, end = _trim(text, m.start, m.end)
        if not 0 <= start < end <= len(text) or start < last_end:
            continue
        measures.append(GoldMeasure(start=start, end=end, text=text[start:end],
                                    labels=sort_measure_labels(l for l in m.labels if l in MEASURE_LABELS)))
        last_end = end

    facts = [GoldFact(start=f.start, end=f.end, kind=f.kind, quantity=f.quantity, unit=f.unit)
             for f in parsed.facts if any(m.start <= f.start and f.end <= m.end for m in measures)]
    record = GoldNotice(id=id, source=source, origin=origin, text=text, notice_date=parsed.notice_date,
                        entities=entities, items=items, measures=measures, facts=facts)
    return validate(record, path="<from_parsed>")
