"""Gold data: the hand-checked annotations in ``annotations/gold.jsonl``.

One JSON object per line, one line per notice (format: ``annotations/README.md``; meaning:
``annotations/ANNOTATION.md``). Offsets are half-open code-point indices into ``text`` exactly as
decoded from the source file, never into a normalised copy.

``load_gold`` validates every record and names the file, the line and the record id in every
error; ``save_gold`` refuses to write an invalid record and replaces the file atomically.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from pipeline.fsutil import atomic_write_text
from pipeline.types import ENTITY_LABELS, MEASURE_LABELS, STATUSES, Entity, ParsedNotice

try:  # pipeline/errors.py is owned by someone else; use its class when it has one
    from pipeline.errors import AnnotationError  # type: ignore[attr-defined]
except ImportError:  # errors.py missing, or without AnnotationError
    try:
        from pipeline.errors import PipelineError as _PipelineError  # type: ignore[attr-defined]
    except ImportError:
        _PipelineError = None

    if _PipelineError is None or issubclass(_PipelineError, ValueError):
        _BASES: tuple[type, ...] = (_PipelineError or ValueError,)
    else:
        _BASES = (_PipelineError, ValueError)

    class AnnotationError(*_BASES):  # type: ignore[misc]
        """Gold data or an annotation-tool export that breaks the format or the guideline."""


ORIGINS = ("real", "written")
# The normalised-value keys each label carries in the gold file (always present, null if empty).
VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "DATE": ("start_date", "end_date"),
    "MONEY": ("value", "currency", "approx"),
    "PERSON_COUNT": ("value",),
    "DOC_TITLE": ("kind",),
    "ORG": (),
}
_ALL_VALUE_KEYS = {k for keys in VALUE_KEYS.values() for k in keys}
_RECORD_KEYS = {"id", "source", "origin", "notice_date", "text", "entities", "items", "measures"}
_SPAN_KEYS = {"start", "end", "label", "text"}
_ITEM_KEYS = {"number", "start", "end", "status"}
_MEASURE_KEYS = {"start", "end", "text", "labels"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


# --------------------------------------------------------------------------- records


@dataclass
class GoldEntity:
    start: int
    end: int
    label: str
    text: str
    start_date: dt.date | None = None  # DATE, inclusive
    end_date: dt.date | None = None  # DATE, inclusive
    value: float | int | None = None  # MONEY in yuan (float), PERSON_COUNT (int)
    currency: str | None = None  # MONEY
    approx: bool | None = None  # MONEY
    kind: str | None = None  # DOC_TITLE ("" = no document type in the title, None = not set)

    def values(self) -> dict[str, Any]:
        """The normalised values, exactly as :meth:`pipeline.types.Entity.values` gives them."""
        return self.to_entity().values()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label, "text": self.text}
        for key in VALUE_KEYS.get(self.label, ()):
            v = getattr(self, key)
            d[key] = v.isoformat() if isinstance(v, dt.date) else v
        return d

    def to_entity(self) -> Entity:
        """As a pipeline :class:`Entity` (``source="gold"``)."""
        return Entity(
            start=self.start, end=self.end, label=self.label, text=self.text,
            value=None if self.value is None else float(self.value),
            start_date=self.start_date, end_date=self.end_date, currency=self.currency,
            approx=self.approx, kind=self.kind, source="gold",
        )


@dataclass
class GoldItem:
    number: str  # as written, without the trailing "." / "、": "1", "28①", "（三）"
    start: int
    end: int
    status: str = "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "start": self.start, "end": self.end, "status": self.status}


@dataclass
class GoldMeasure:
    start: int
    end: int
    text: str
    labels: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text,
                "labels": sort_measure_labels(self.labels)}


@dataclass
class GoldNotice:
    id: str
    source: str
    origin: str  # "real" (a published notice) or "written" (a text written for testing)
    text: str
    notice_date: dt.date | None = None
    entities: list[GoldEntity] = field(default_factory=list)
    items: list[GoldItem] = field(default_factory=list)
    measures: list[GoldMeasure] = field(default_factory=list)

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "origin": self.origin,
            "notice_date": self.notice_date.isoformat() if self.notice_date else None,
            "text": self.text,
            "entities": [e.to_dict() for e in sorted(self.entities, key=_span_key)],
            "items": [i.to_dict() for i in sorted(self.items, key=_span_key)],
            "measures": [m.to_dict() for m in sorted(self.measures, key=_span_key)],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "GoldNotice":
        """Validate ``d`` and build the record (raises :class:`AnnotationError`)."""
        return validate(d)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sort_measure_labels(labels: Iterable[str]) -> list[str]:
    """Unique labels in MEASURE_LABELS order (unknown labels last, alphabetically)."""
    order = {l: i for i, l in enumerate(MEASURE_LABELS)}
    return sorted(set(labels), key=lambda l: (order.get(l, len(order)), l))


def _span_key(x: Any) -> tuple[int, int]:
    return (x.start, x.end)


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

    _fail(problems, path, line, rid)
    return GoldNotice(id=rid, source=source, origin=origin, text=text, notice_date=notice_date,
                      entities=entities, items=items, measures=measures)


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

    record = GoldNotice(id=id, source=source, origin=origin, text=text, notice_date=parsed.notice_date,
                        entities=entities, items=items, measures=measures)
    return validate(record, path="<from_parsed>")
