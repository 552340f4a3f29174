"""doccano: JSONL export of our gold and import of doccano's files.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from pipeline.annotation.gold_records import VALUE_KEYS, AnnotationError, GoldEntity, GoldMeasure, GoldNotice, sort_measure_labels, text_hash
from pipeline.annotation.gold_validation import validate
from pipeline.types import ENTITY_LABELS
from pipeline.annotation.spans import MEASURE_TAG, Normalizer, _fill_values, _parse_date, _values_json


# --------------------------------------------------------------------------- doccano


def measure_doccano_label(labels: Iterable[str]) -> str:
    labels = sort_measure_labels(labels)
    return MEASURE_TAG + (":" + "+".join(labels) if labels else "")


def parse_measure_doccano_label(label: str) -> list[str] | None:
    """``"MEASURE:a+b"`` → ``["a", "b"]``, ``"MEASURE"`` → ``[]``, anything else → None."""
    if label == MEASURE_TAG:
        return []
    if label.startswith(MEASURE_TAG + ":"):
        return [l for l in label[len(MEASURE_TAG) + 1:].split("+") if l]
    return None


def to_doccano(records: Iterable[GoldNotice], layer: str = "entities") -> list[dict]:
    """Doccano JSONL lines (as dicts) for one layer: ``"entities"`` or ``"measures"``."""
    if layer not in ("entities", "measures"):
        raise ValueError(f"layer must be 'entities' or 'measures', got {layer!r}")
    lines = []
    for k, rec in enumerate(records, start=1):
        line: dict[str, Any] = {
            "id": k, "text": rec.text, "notice_id": rec.id, "source": rec.source, "origin": rec.origin,
            "notice_date": rec.notice_date.isoformat() if rec.notice_date else None}
        if layer == "entities":
            ents = sorted(rec.entities, key=lambda e: (e.start, e.end))
            line["label"] = [[e.start, e.end, e.label] for e in ents]
            line["entity_values"] = [[e.start, e.end, e.label, json.loads(_values_json(e))]
                                     for e in ents if VALUE_KEYS[e.label]]
        else:
            line["label"] = [[m.start, m.end, measure_doccano_label(m.labels)]
                             for m in sorted(rec.measures, key=lambda m: (m.start, m.end))]
        lines.append(line)
    return lines


def _read_jsonl(src: list[dict] | str | Path) -> list[dict]:
    if isinstance(src, (str, Path)):
        out = []
        with open(src, encoding="utf-8") as f:
            for n, raw in enumerate(f, start=1):
                if raw.strip():
                    try:
                        out.append(json.loads(raw))
                    except json.JSONDecodeError as exc:
                        raise AnnotationError(f"{src}:{n}: not valid JSON: {exc}") from None
        return out
    return list(src)


def _doccano_spans(line: dict, where: str) -> list[tuple[int, int, str]]:
    raw = line.get("label", line.get("labels"))
    if raw is None and isinstance(line.get("entities"), list):  # doccano's relation-project export
        raw = [[e.get("start_offset"), e.get("end_offset"), e.get("label")] for e in line["entities"]]
    spans = []
    for s in raw or []:
        if isinstance(s, dict):
            s = [s.get("start_offset", s.get("start")), s.get("end_offset", s.get("end")), s.get("label")]
        if not (isinstance(s, (list, tuple)) and len(s) == 3):
            raise AnnotationError(f"{where}: a span must be [start, end, label], got {s!r}")
        try:
            spans.append((int(s[0]), int(s[1]), str(s[2])))
        except (TypeError, ValueError):
            raise AnnotationError(f"{where}: a span must be [start, end, label], got {s!r}") from None
    return spans


def _meta(line: dict, key: str) -> Any:
    if key in line:
        return line[key]
    meta = line.get("meta")
    return meta.get(key) if isinstance(meta, dict) else None


def from_doccano(lines: list[dict] | str | Path, *, measure_lines: list[dict] | str | Path | None = None,
                 base: Iterable[GoldNotice] = (), normalizer: Normalizer | None = None,
                 default_origin: str | None = None) -> list[GoldNotice]:
    """Read doccano JSONL exports (dicts or a path): the entity layer and, optionally, the measures.

    Records are keyed by ``notice_id`` (else the text's hash against ``base``). A record in ``base``
    with the same text supplies the items, the measures when ``measure_lines`` is not given, and the
    values of unchanged entity spans. Values come, in this order, from the line's
    ``entity_values``, from ``base``, from ``normalizer``; else they stay empty.
    """
    base_by_id = {r.id: r for r in base}
    base_by_hash = {r.text_hash: r for r in base_by_id.values()}
    entity_lines = _read_jsonl(lines)
    m_lines = _read_jsonl(measure_lines) if measure_lines is not None else []

    def key_of(line: dict, where: str) -> tuple[str, dict]:
        text = line.get("text")
        if not isinstance(text, str) or not text:
            raise AnnotationError(f"{where}: text is missing")
        nid = _meta(line, "notice_id")
        if not nid:
            b = base_by_hash.get(text_hash(text))
            nid = b.id if b else f"doccano-{line.get('id')}"
        return nid, line

    by_id: dict[str, dict[str, dict]] = {}
    for layer, src in (("entities", entity_lines), ("measures", m_lines)):
        for n, line in enumerate(src, start=1):
            nid, line = key_of(line, f"doccano {layer} line {n}")
            slot = by_id.setdefault(nid, {})
            if layer in slot:
                raise AnnotationError(f"doccano {layer} line {n}: notice {nid!r} appears twice")
            slot[layer] = line

    records = []
    for nid, slot in by_id.items():
        first = slot.get("entities") or slot["measures"]
        text = first["text"]
        where = f"doccano notice {nid!r}"
        if "entities" in slot and "measures" in slot and slot["measures"]["text"] != text:
            raise AnnotationError(f"{where}: the entity and measure files hold different texts")
        b = base_by_id.get(nid)
        if b is not None and b.text != text:
            b = None
        b = b or base_by_hash.get(text_hash(text))
        origin = _meta(first, "origin") or (b.origin if b else None) or default_origin
        if origin is None:
            raise AnnotationError(f"{where}: origin is missing and no default_origin was given")
        notice_date = _parse_date(_meta(first, "notice_date")) or (b.notice_date if b else None)
        source = _meta(first, "source") or (b.source if b else "")

        entities: list[GoldEntity] = []
        if "entities" in slot:
            given_values = {}
            for s in _meta(slot["entities"], "entity_values") or []:
                if isinstance(s, (list, tuple)) and len(s) == 4 and isinstance(s[3], dict):
                    given_values[(int(s[0]), int(s[1]), s[2])] = s[3]
            base_values = {(e.start, e.end, e.label): e for e in (b.entities if b else [])}
            for start, end, label in _doccano_spans(slot["entities"], where):
                if label not in ENTITY_LABELS:
                    raise AnnotationError(f"{where}: unknown entity label {label!r} at [{start}, {end})")
                if not 0 <= start < end <= len(text):
                    raise AnnotationError(f"{where}: span [{start}, {end}) outside the text")
                ent = GoldEntity(start=start, end=end, label=label, text=text[start:end])
                given = given_values.get((start, end, label))
                if given is None and (start, end, label) in base_values:
                    old = base_values[(start, end, label)]
                    given = {k: getattr(old, k) for k in VALUE_KEYS[label]}
                _fill_values(ent, given, normalizer, notice_date, f"{where}, {label} [{start}, {end})")
                entities.append(ent)
        elif b is not None:
            entities = list(b.entities)

        if "measures" in slot:
            measures = []
            for start, end, label in _doccano_spans(slot["measures"], where):
                labels = parse_measure_doccano_label(label)
                if labels is None:
                    raise AnnotationError(f"{where}: {label!r} is not a MEASURE label")
                if not 0 <= start < end <= len(text):
                    raise AnnotationError(f"{where}: span [{start}, {end}) outside the text")
                same = [m for m in measures if (m.start, m.end) == (start, end)]
                if same:  # the same span labelled twice: merge the labels
                    same[0].labels = sort_measure_labels(same[0].labels + labels)
                else:
                    measures.append(GoldMeasure(start=start, end=end, text=text[start:end],
                                                labels=sort_measure_labels(labels)))
        else:
            measures = list(b.measures) if b else []

        items = list(b.items) if b else []
        record = GoldNotice(id=nid, source=source, origin=origin, text=text, notice_date=notice_date,
                            entities=entities, items=items, measures=measures)
        records.append(validate(record, path=where))
    return records
