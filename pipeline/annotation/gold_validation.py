"""Validation of gold records: every problem of a record, named, with file and line.
"""
from __future__ import annotations

import datetime as dt
import math
import os
from typing import Any

from pipeline.types import ENTITY_LABELS, MEASURE_LABELS, STATUSES
from pipeline.annotation.gold_records import _FACT_KEYS, GoldFact
from pipeline.annotation.gold_records import AnnotationError, GoldEntity, GoldItem, GoldMeasure, GoldNotice, ORIGINS, VALUE_KEYS, _ALL_VALUE_KEYS, _CURRENCY, _ISO_DATE, _ITEM_KEYS, _MEASURE_KEYS, _RECORD_KEYS, _SPAN_KEYS, _span_key, sort_measure_labels


# --------------------------------------------------------------------------- validation


def _where(path: str | os.PathLike | None, line: int | None, record_id: Any) -> str:
    parts = []
    if path is not None:
        parts.append(f"{path}:{line}" if line is not None else str(path))
    elif line is not None:
        parts.append(f"line {line}")
    parts.append(f"record {record_id!r}")
    return ": ".join(parts)


def _fail(problems: list[str], path, line, record_id) -> None:
    if problems:
        shown = "\n  - ".join(problems)
        err = AnnotationError(f"{_where(path, line, record_id)}: {len(problems)} problem(s):\n  - {shown}")
        err.path, err.line, err.record_id, err.problems = path, line, record_id, list(problems)
        raise err


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


def _parse_iso(v: Any, what: str, problems: list[str]) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if not isinstance(v, str) or not _ISO_DATE.match(v):
        problems.append(f"{what} must be an ISO date YYYY-MM-DD or null, got {v!r}")
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        problems.append(f"{what} is not a calendar date: {v!r}")
        return None


def _check_span(obj: dict, text: str, what: str, problems: list[str], *, has_text: bool = True) -> bool:
    start, end = obj.get("start"), obj.get("end")
    if not (_is_int(start) and _is_int(end)):
        problems.append(f"{what}: start/end must be integers, got {start!r}, {end!r}")
        return False
    if not 0 <= start < end <= len(text):
        problems.append(f"{what}: span [{start}, {end}) is empty or outside the text (length {len(text)})")
        return False
    if has_text:
        if obj.get("text") != text[start:end]:
            problems.append(f"{what}: text {obj.get('text')!r} != text[{start}:{end}] = {text[start:end]!r}")
            return False
        if text[start:end] != text[start:end].strip():
            problems.append(f"{what}: span starts or ends with whitespace: {text[start:end]!r}")
            return False
    return True


def _entity_from_dict(e: Any, text: str, k: int, problems: list[str]) -> GoldEntity | None:
    if not isinstance(e, dict):
        problems.append(f"entities[{k}] is not an object")
        return None
    label = e.get("label")
    what = f"entities[{k}] {label} {e.get('text')!r}"
    n_before = len(problems)
    if label not in ENTITY_LABELS:
        problems.append(f"entities[{k}]: unknown label {label!r} (allowed: {', '.join(ENTITY_LABELS)})")
        return None
    allowed = _SPAN_KEYS | set(VALUE_KEYS[label])
    extra = set(e) - allowed
    if extra:
        wrong = sorted(extra & _ALL_VALUE_KEYS)
        other = sorted(extra - _ALL_VALUE_KEYS)
        if wrong:
            problems.append(f"{what}: {', '.join(wrong)} does not apply to {label}")
        if other:
            problems.append(f"{what}: unknown key(s) {', '.join(other)}")
    if not _check_span(e, text, what, problems):
        return None
    ent = GoldEntity(start=e["start"], end=e["end"], label=label, text=e["text"])
    if label == "DATE":
        ent.start_date = _parse_iso(e.get("start_date"), f"{what}: start_date", problems)
        ent.end_date = _parse_iso(e.get("end_date"), f"{what}: end_date", problems)
        if ent.start_date and ent.end_date and ent.end_date < ent.start_date:
            problems.append(f"{what}: end_date {ent.end_date} is before start_date {ent.start_date}")
    elif label == "MONEY":
        value, currency, approx = e.get("value"), e.get("currency"), e.get("approx")
        if value is not None and not (_is_number(value) and value >= 0):
            problems.append(f"{what}: value must be a non-negative number of yuan or null, got {value!r}")
        if currency is not None and not (isinstance(currency, str) and _CURRENCY.match(currency)):
            problems.append(f"{what}: currency must be an ISO 4217 code like 'CNY' or null, got {currency!r}")
        if approx is not None and not isinstance(approx, bool):
            problems.append(f"{what}: approx must be true/false or null, got {approx!r}")
        if value is not None and currency is None:
            problems.append(f"{what}: a value needs its currency")
        ent.value = float(value) if _is_number(value) else None
        ent.currency, ent.approx = currency, approx
    elif label == "PERSON_COUNT":
        value = e.get("value")
        if value is not None and not (_is_int(value) and value >= 0):
            problems.append(f"{what}: value must be a non-negative integer or null, got {value!r}")
        ent.value = value if _is_int(value) else None
    elif label == "DOC_TITLE":
        kind = e.get("kind")
        if kind is not None and not isinstance(kind, str):
            problems.append(f"{what}: kind must be a string or null, got {kind!r}")
        ent.kind = kind if isinstance(kind, str) else None
        start, end = e["start"], e["end"]
        if not (start > 0 and text[start - 1] == "《" and end < len(text) and text[end] == "》"):
            problems.append(f"{what}: a DOC_TITLE is everything between the outer 《 and 》 (brackets excluded)")
    elif label == "DOC_NUMBER":
        issuer, year, serial = e.get("issuer_code"), e.get("year"), e.get("serial")
        if issuer is not None and not (isinstance(issuer, str) and issuer and e["text"].startswith(issuer)):
            problems.append(f"{what}: issuer_code must be null or the text before the bracket, got {issuer!r}")
        if year is not None and not (_is_int(year) and 1900 <= year <= 2100):
            problems.append(f"{what}: year must be an integer year or null, got {year!r}")
        if serial is not None and not (isinstance(serial, str) and serial and serial in e["text"]):
            problems.append(f"{what}: serial must be null or the number as written, got {serial!r}")
        ent.issuer_code, ent.year, ent.serial = issuer, year if _is_int(year) else None, serial
    return ent if len(problems) == n_before else None


def validate(record: dict[str, Any] | GoldNotice, *, path: str | os.PathLike | None = None,
             line: int | None = None) -> GoldNotice:
    """Check one gold record against the format and the guideline; return it as a GoldNotice.

    Raises :class:`AnnotationError` listing every problem found, prefixed with ``path:line`` (when
    given) and the record id. Attributes ``path``, ``line``, ``record_id``, ``problems`` are set.
    """
    if isinstance(record, GoldNotice):
        record = record.to_dict()
    problems: list[str] = []
    if not isinstance(record, dict):
        _fail([f"a record must be a JSON object, got {type(record).__name__}"], path, line, None)
    rid = record.get("id")
    if not isinstance(rid, str) or not rid.strip():
        problems.append(f"id must be a non-empty string, got {rid!r}")
    extra = set(record) - _RECORD_KEYS
    if extra:
        problems.append(f"unknown key(s): {', '.join(sorted(extra))}")
    missing = {"id", "source", "origin", "text"} - set(record)
    if missing:
        problems.append(f"missing key(s): {', '.join(sorted(missing))}")
    text = record.get("text")
    if not isinstance(text, str) or not text:
        problems.append("text must be a non-empty string")
        _fail(problems, path, line, rid)
    source = record.get("source")
    if not isinstance(source, str):
        problems.append(f"source must be a string, got {source!r}")
    origin = record.get("origin")
    if origin not in ORIGINS:
        problems.append(f"origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
    notice_date = _parse_iso(record.get("notice_date"), "notice_date", problems)

    entities: list[GoldEntity] = []
    raw_entities = record.get("entities", [])
    if not isinstance(raw_entities, list):
        problems.append("entities must be a list")
        raw_entities = []
    for k, e in enumerate(raw_entities):
        ent = _entity_from_dict(e, text, k, problems)
        if ent is not None:
            entities.append(ent)
    entities.sort(key=_span_key)
    for a, b in zip(entities, entities[1:]):
        if b.start < a.end:
            problems.append(
                f"overlapping entities: {a.label} {a.text!r} [{a.start}, {a.end}) and "
                f"{b.label} {b.text!r} [{b.start}, {b.end}) (spans are flat: keep the longest reading)")

    items: list[GoldItem] = []
    raw_items = record.get("items", [])
    if not isinstance(raw_items, list):
        problems.append("items must be a list")
        raw_items = []
    for k, it in enumerate(raw_items):
        if not isinstance(it, dict):
            problems.append(f"items[{k}] is not an object")
            continue
        what = f"items[{k}] {it.get('number')!r}"
        n_before = len(problems)
        extra = set(it) - _ITEM_KEYS
        if extra:
            problems.append(f"{what}: unknown key(s) {', '.join(sorted(extra))}")
        number = it.get("number")
        if not isinstance(number, str) or not number.strip() or number != number.strip():
            problems.append(f"{what}: number must be a non-empty string without surrounding spaces")
        status = it.get("status", "unknown")
        if status not in STATUSES:
            problems.append(f"{what}: unknown status {status!r} (allowed: {', '.join(STATUSES)})")
        if _check_span(it, text, what, problems, has_text=False) and len(problems) == n_before:
            items.append(GoldItem(number=number, start=it["start"], end=it["end"], status=status))
    items.sort(key=_span_key)
    for a in items:  # items may nest ("28" around "28①"), never cross
        for b in items:
            if a.start < b.start < a.end < b.end:
                problems.append(f"items {a.number!r} [{a.start}, {a.end}) and {b.number!r} "
                                f"[{b.start}, {b.end}) cross each other")

    measures: list[GoldMeasure] = []
    raw_measures = record.get("measures", [])
    if not isinstance(raw_measures, list):
        problems.append("measures must be a list")
        raw_measures = []
    for k, m in enumerate(raw_measures):
        if not isinstance(m, dict):
            problems.append(f"measures[{k}] is not an object")
            continue
        what = f"measures[{k}] {str(m.get('text'))[:20]!r}"
        n_before = len(problems)
        extra = set(m) - _MEASURE_KEYS
        if extra:
            problems.append(f"{what}: unknown key(s) {', '.join(sorted(extra))}")
        labels = m.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(l, str) for l in labels):
            problems.append(f"{what}: labels must be a list of strings")
            labels = []
        unknown = [l for l in labels if l not in MEASURE_LABELS]
        if unknown:
            problems.append(f"{what}: unknown measure label(s) {unknown} (allowed: {', '.join(MEASURE_LABELS)})")
        if len(set(labels)) != len(labels):
            problems.append(f"{what}: repeated label in {labels}")
        if _check_span(m, text, what, problems) and len(problems) == n_before:
            measures.append(GoldMeasure(start=m["start"], end=m["end"], text=m["text"],
                                        labels=sort_measure_labels(labels)))
    measures.sort(key=_span_key)
    for a, b in zip(measures, measures[1:]):
        if b.start < a.end:
            problems.append(f"overlapping measures [{a.start}, {a.end}) and [{b.start}, {b.end})")

    facts = _facts(record.get("facts", []), text, measures, problems)
    _fail(problems, path, line, rid)
    return GoldNotice(id=rid, source=source, origin=origin, text=text, notice_date=notice_date,
                      entities=entities, items=items, measures=measures, facts=facts)


def _facts(raw: Any, text: str, measures: list[GoldMeasure], problems: list[str]) -> list[GoldFact]:
    """Facts: a known kind, a quantity, a unit, the number inside one measure, one fact a number."""
    from pipeline.measures.facts import kind_names  # the one list of kinds (its lexicon)
    if not isinstance(raw, list):
        problems.append("facts must be a list")
        return []
    kinds = kind_names()
    facts: list[GoldFact] = []
    for k, f in enumerate(raw):
        if not isinstance(f, dict):
            problems.append(f"facts[{k}] is not an object")
            continue
        what = f"facts[{k}] {f.get('kind')!r} at {f.get('start')!r}"
        n_before = len(problems)
        extra, missing = set(f) - _FACT_KEYS, _FACT_KEYS - set(f)
        if extra or missing:
            problems.append(f"{what}: unknown key(s) {sorted(extra)}, missing {sorted(missing)}")
            continue
        if f["kind"] not in kinds:
            problems.append(f"{what}: unknown kind (allowed: {', '.join(kinds)})")
        if not (_is_number(f["quantity"]) and f["quantity"] >= 0):
            problems.append(f"{what}: quantity must be a non-negative number, got {f['quantity']!r}")
        if not (isinstance(f["unit"], str) and f["unit"].strip()):
            problems.append(f"{what}: unit must be a non-empty string")
        if _check_span(f, text, what, problems, has_text=False) and len(problems) == n_before:
            if not any(m.start <= f["start"] and f["end"] <= m.end for m in measures):
                problems.append(f"{what}: the number {text[f['start']:f['end']]!r} lies in no measure")
                continue
            facts.append(GoldFact(start=f["start"], end=f["end"], kind=f["kind"],
                                  quantity=float(f["quantity"]), unit=f["unit"]))
    facts.sort(key=_span_key)
    for a, b in zip(facts, facts[1:]):
        if b.start < a.end:
            problems.append(f"overlapping facts [{a.start}, {a.end}) and [{b.start}, {b.end}): a number is in one fact")
    return facts
