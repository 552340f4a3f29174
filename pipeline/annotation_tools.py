"""Converters between gold records (:mod:`pipeline.gold`) and annotation tools.

Label Studio
    ``to_label_studio_tasks`` writes import tasks with the records as pre-annotations
    (``predictions``); ``from_label_studio_export`` reads Label Studio's JSON export back. The
    labeling interface is ``label_studio_config()`` (also in ``annotations/label_studio_config.xml``).
    Regions (all ``"type": "labels"`` on the Text tag ``text``):

    * entities: control ``label``, one of ENTITY_LABELS; their normalised values ride in a
      per-region TextArea ``values`` as one JSON object (``{"start_date": ..., "end_date": ...}``);
    * measures: control ``measure``, label ``MEASURE``; their labels are a per-region
      Choices ``measure_labels`` result (same ``id`` as the region, ``value`` = the region's
      start/end/text plus ``choices``);
    * items: control ``item``, label ``ITEM``; per-region TextArea ``item_number`` and
      per-region Choices ``item_status``.

Doccano (sequence-labeling projects, JSONL)
    Two files, because doccano spans carry one label and no attributes:
    ``to_doccano(records, "entities")`` gives ``{"id", "text", "label": [[start, end, LABEL]],
    "notice_id", "source", "origin", "notice_date", "entity_values"}``;
    ``to_doccano(records, "measures")`` gives one span per measure labelled ``MEASURE`` (no label)
    or ``MEASURE:<label>[+<label>...]`` (labels in MEASURE_LABELS order, e.g.
    ``MEASURE:accountability+fund_recovery``), so measures never need doccano's overlapping mode.
    Items are not edited in doccano: ``from_doccano`` takes them from ``base``.

Offsets are code points everywhere. Label Studio has in some versions counted UTF-16 units
(astral characters count twice); on import, a span whose stored text does not match is re-read as
UTF-16 offsets before it is rejected.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any, Callable, Iterable
from xml.sax.saxutils import quoteattr

from pipeline.gold import (
    VALUE_KEYS,
    AnnotationError,
    GoldEntity,
    GoldItem,
    GoldMeasure,
    GoldNotice,
    sort_measure_labels,
    text_hash,
    validate,
)
from pipeline.types import ENTITY_LABELS, MEASURE_LABELS, STATUSES

log = logging.getLogger(__name__)

Normalizer = Callable[[str, str, "dt.date | None"], dict]

# Label Studio control / object names (must match label_studio_config()).
LS_TEXT = "text"
LS_ENTITY = "label"
LS_VALUES = "values"
LS_MEASURE = "measure"
LS_MEASURE_LABELS = "measure_labels"
LS_ITEM = "item"
LS_ITEM_NUMBER = "item_number"
LS_ITEM_STATUS = "item_status"
MEASURE_TAG = "MEASURE"
ITEM_TAG = "ITEM"

_COLORS = {"DATE": "#1f77b4", "MONEY": "#2ca02c", "PERSON_COUNT": "#ff7f0e", "ORG": "#9467bd",
           "DOC_TITLE": "#8c564b", MEASURE_TAG: "#bcbd22", ITEM_TAG: "#7f7f7f"}


# --------------------------------------------------------------------------- offsets


def _has_astral(text: str) -> bool:
    return any(ord(c) > 0xFFFF for c in text)


def _utf16_to_cp(text: str) -> dict[int, int]:
    """Map every UTF-16 offset that falls on a code-point boundary to its code-point offset."""
    mapping, u = {}, 0
    for i, c in enumerate(text):
        mapping[u] = i
        u += 2 if ord(c) > 0xFFFF else 1
    mapping[u] = len(text)
    return mapping


def _resolve_offsets(text: str, start: Any, end: Any, span_text: str | None, where: str) -> tuple[int, int]:
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise AnnotationError(f"{where}: start/end are not integers: {start!r}, {end!r}") from None
    if span_text is None or text[start:end] == span_text:
        return start, end
    if _has_astral(text):
        m = _utf16_to_cp(text)
        if start in m and end in m and text[m[start]:m[end]] == span_text:
            return m[start], m[end]
    raise AnnotationError(
        f"{where}: span [{start}, {end}) reads {text[start:end]!r} but the tool says {span_text!r} "
        "(was the task text changed after annotation?)")


# --------------------------------------------------------------------------- values


def _values_json(e: GoldEntity) -> str:
    return json.dumps({k: v for k, v in e.to_dict().items() if k in VALUE_KEYS[e.label]},
                      ensure_ascii=False, sort_keys=True)


def _coerce_values(label: str, values: dict, where: str) -> dict:
    """Keep the keys that apply to ``label``; dates to dt.date, person counts to int."""
    out: dict[str, Any] = {}
    for key in VALUE_KEYS[label]:
        if key not in values:
            continue
        v = values[key]
        if v == "" and key != "kind":
            v = None
        if key in ("start_date", "end_date") and isinstance(v, str):
            try:
                v = dt.date.fromisoformat(v)
            except ValueError:
                raise AnnotationError(f"{where}: {key} {v!r} is not an ISO date") from None
        elif key in ("start_date", "end_date") and isinstance(v, dt.datetime):
            v = v.date()
        elif key == "value" and label == "PERSON_COUNT" and isinstance(v, float) and v.is_integer():
            v = int(v)
        elif key == "value" and label == "MONEY" and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        out[key] = v
    return out


def _fill_values(ent: GoldEntity, given: dict | None, normalizer: Normalizer | None,
                 notice_date: dt.date | None, where: str) -> None:
    """Set ent's values: explicit ones first, the normalizer for the keys still missing."""
    keys = VALUE_KEYS[ent.label]
    values = _coerce_values(ent.label, given or {}, where)
    if normalizer is not None and any(k not in values for k in keys):
        try:
            computed = normalizer(ent.label, ent.text, notice_date) or {}
        except Exception as exc:
            raise AnnotationError(f"{where}: normalizer failed on {ent.label} {ent.text!r}: {exc}") from exc
        for k, v in _coerce_values(ent.label, computed, where).items():
            values.setdefault(k, v)
    for k, v in values.items():
        setattr(ent, k, v)
    if ent.label == "MONEY" and ent.value is not None and ent.currency is None:
        ent.currency = "CNY"  # the guideline's default


def _parse_date(v: Any) -> dt.date | None:
    if not v:
        return None
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        return None


_ITEM_NUMBER_RE = re.compile(r"^\s*(问题[一二三四五六七八九十百]+|[（(][一二三四五六七八九十百\d]+[)）]"
                             r"|\d+[①-⑳]?|[①-⑳]|[一二三四五六七八九十百]+(?=[、.．]))")


def guess_item_number(span_text: str) -> str | None:
    """The number an item's text starts with (``"28.上轮..."`` → ``"28"``), or None."""
    m = _ITEM_NUMBER_RE.match(span_text)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- Label Studio


def label_studio_config() -> str:
    """The labeling config XML matching the task/result format of this module."""
    def labels(name: str, values: Iterable[str]) -> str:
        inner = "\n".join(f'    <Label value={quoteattr(v)} background={quoteattr(_COLORS.get(v, "#17becf"))}/>'
                          for v in values)
        return f'  <Labels name="{name}" toName="{LS_TEXT}" choice="single" showInline="true">\n{inner}\n  </Labels>'

    def choices(name: str, values: Iterable[str], choice: str) -> str:
        inner = "\n".join(f"      <Choice value={quoteattr(v)}/>" for v in values)
        return (f'    <Choices name="{name}" toName="{LS_TEXT}" perRegion="true" choice="{choice}" '
                f'showInline="true">\n{inner}\n    </Choices>')

    return "\n".join([
        "<View>",
        "  <!-- Generated by pipeline.annotation_tools.label_studio_config(); do not edit by hand. -->",
        "  <Style>.htx-text { white-space: pre-wrap; line-height: 1.9; }</Style>",
        '  <Header value="Entities (flat, never overlapping)"/>',
        labels(LS_ENTITY, ENTITY_LABELS),
        '  <Header value="Measures and items"/>',
        labels(LS_MEASURE, [MEASURE_TAG]),
        labels(LS_ITEM, [ITEM_TAG]),
        f'  <Text name="{LS_TEXT}" value="$text" granularity="symbol"/>',
        f'  <View visibleWhen="region-selected" whenLabelValue="{MEASURE_TAG}">',
        '    <Header value="Measure labels (none = none of the three applies)"/>',
        choices(LS_MEASURE_LABELS, MEASURE_LABELS, "multiple"),
        "  </View>",
        f'  <View visibleWhen="region-selected" whenLabelValue="{ITEM_TAG}">',
        '    <Header value="Item number as written (1, 28①, （三）) and status"/>',
        f'    <TextArea name="{LS_ITEM_NUMBER}" toName="{LS_TEXT}" perRegion="true" editable="true" '
        'maxSubmissions="1" rows="1"/>',
        choices(LS_ITEM_STATUS, STATUSES, "single"),
        "  </View>",
        '  <View visibleWhen="region-selected">',
        '    <Header value="Normalised values, JSON (DATE, MONEY, PERSON_COUNT, DOC_TITLE only; recheck after moving a span)"/>',
        f'    <TextArea name="{LS_VALUES}" toName="{LS_TEXT}" perRegion="true" editable="true" '
        'maxSubmissions="1" rows="2"/>',
        "  </View>",
        "</View>",
        "",
    ])


def _region(rid: str, from_name: str, start: int, end: int, text: str, label: str) -> dict:
    return {"id": rid, "from_name": from_name, "to_name": LS_TEXT, "type": "labels",
            "value": {"start": start, "end": end, "text": text, "labels": [label]}}


def _per_region(rid: str, from_name: str, kind: str, start: int, end: int, payload: dict) -> dict:
    return {"id": rid, "from_name": from_name, "to_name": LS_TEXT, "type": kind,
            "value": {"start": start, "end": end, **payload}}


def gold_to_label_studio_result(record: GoldNotice) -> list[dict]:
    """The Label Studio ``result`` list for one record (regions plus per-region results)."""
    result: list[dict] = []
    for k, e in enumerate(sorted(record.entities, key=lambda x: (x.start, x.end))):
        rid = f"e{k}"
        result.append(_region(rid, LS_ENTITY, e.start, e.end, e.text, e.label))
        if VALUE_KEYS[e.label]:
            result.append(_per_region(rid, LS_VALUES, "textarea", e.start, e.end, {"text": [_values_json(e)]}))
    for k, m in enumerate(sorted(record.measures, key=lambda x: (x.start, x.end))):
        rid = f"m{k}"
        result.append(_region(rid, LS_MEASURE, m.start, m.end, m.text, MEASURE_TAG))
        if m.labels:
            result.append(_per_region(rid, LS_MEASURE_LABELS, "choices", m.start, m.end,
                                      {"text": m.text, "choices": sort_measure_labels(m.labels)}))
    for k, it in enumerate(sorted(record.items, key=lambda x: (x.start, x.end))):
        rid = f"i{k}"
        span = record.text[it.start:it.end]
        result.append(_region(rid, LS_ITEM, it.start, it.end, span, ITEM_TAG))
        result.append(_per_region(rid, LS_ITEM_NUMBER, "textarea", it.start, it.end, {"text": [it.number]}))
        result.append(_per_region(rid, LS_ITEM_STATUS, "choices", it.start, it.end,
                                  {"text": span, "choices": [it.status]}))
    return result


def to_label_studio_tasks(records: Iterable[GoldNotice], model_version: str = "pipeline",
                          *, as_annotations: bool = False) -> list[dict]:
    """Label Studio import tasks, the records as pre-annotations.

    With ``as_annotations=True`` the results go into ``annotations`` instead (to review existing
    gold data in Label Studio rather than correct a prediction).
    """
    tasks = []
    for rec in records:
        result = gold_to_label_studio_result(rec)
        task: dict[str, Any] = {"data": {
            "text": rec.text, "notice_id": rec.id, "source": rec.source, "origin": rec.origin,
            "notice_date": rec.notice_date.isoformat() if rec.notice_date else None}}
        if as_annotations:
            task["annotations"] = [{"result": result}]
        else:
            task["predictions"] = [{"model_version": model_version, "result": result}]
        tasks.append(task)
    return tasks


def _latest_annotation(task: dict) -> dict | None:
    anns = [a for a in task.get("annotations") or task.get("completions") or []
            if not a.get("was_cancelled")]
    if not anns:
        return None
    # latest by updated_at / created_at (ISO strings), then by id, then by position
    def key(pair):
        pos, a = pair
        stamp = str(a.get("updated_at") or a.get("created_at") or "")
        aid = a.get("id")
        return (stamp, aid if isinstance(aid, (int, float)) else -1, pos)
    return max(enumerate(anns), key=key)[1]


def _first_text(value: dict) -> str | None:
    t = value.get("text")
    if isinstance(t, list):
        t = t[0] if t else None
    return t if isinstance(t, str) else None


def label_studio_task_to_gold(task: dict, normalizer: Normalizer | None = None, *,
                              default_origin: str | None = None,
                              result: list[dict] | None = None) -> GoldNotice:
    """One exported task (its latest non-cancelled annotation, or ``result``) as a GoldNotice."""
    data = task.get("data") or {}
    tid = task.get("id")
    text = data.get(LS_TEXT)
    rec_id = data.get("notice_id") or (f"ls-{tid}" if tid is not None else None)
    where = f"Label Studio task {tid!r} (notice {rec_id!r})"
    if not isinstance(text, str) or not text:
        raise AnnotationError(f"{where}: data.text is missing")
    origin = data.get("origin") or default_origin
    if origin is None:
        raise AnnotationError(f"{where}: data.origin is missing and no default_origin was given")
    notice_date = _parse_date(data.get("notice_date"))
    if result is None:
        ann = _latest_annotation(task)
        if ann is None:
            raise AnnotationError(f"{where}: no annotation that was not cancelled")
        result = ann.get("result") or []

    regions: dict[str, dict] = {}
    extras: dict[str, dict[str, dict]] = {}
    for k, r in enumerate(result):
        if r.get("type") == "relation" or not isinstance(r.get("value"), dict):
            continue
        rid = str(r.get("id") if r.get("id") is not None else f"_anon{k}")
        if r.get("type") == "labels" or "labels" in r["value"]:
            if rid in regions:
                raise AnnotationError(f"{where}: two regions with id {rid!r}")
            regions[rid] = r
        else:
            extras.setdefault(rid, {})[r.get("from_name", "")] = r
    for rid in set(extras) - set(regions):
        log.warning("%s: per-region result(s) %s for unknown region %r ignored",
                    where, sorted(extras[rid]), rid)

    entities: list[GoldEntity] = []
    measures: list[GoldMeasure] = []
    items: list[GoldItem] = []
    for rid, r in regions.items():
        v = r["value"]
        labels = v.get("labels") or []
        rwhere = f"{where}, region {rid!r}"
        if len(labels) != 1:
            raise AnnotationError(f"{rwhere}: a region needs exactly one label, has {labels}")
        label = labels[0]
        start, end = _resolve_offsets(text, v.get("start"), v.get("end"), v.get("text"), rwhere)
        span = text[start:end]
        ex = extras.get(rid, {})
        if label in ENTITY_LABELS:
            ent = GoldEntity(start=start, end=end, label=label, text=span)
            given = None
            if LS_VALUES in ex:
                raw = _first_text(ex[LS_VALUES]["value"])
                if raw and raw.strip():
                    try:
                        given = json.loads(raw)
                    except json.JSONDecodeError as exc:
                        raise AnnotationError(f"{rwhere}: values are not JSON: {raw!r} ({exc})") from None
                    if not isinstance(given, dict):
                        raise AnnotationError(f"{rwhere}: values must be a JSON object, got {raw!r}")
                    wrong = set(given) - set(VALUE_KEYS[label])
                    if wrong:
                        raise AnnotationError(f"{rwhere}: {sorted(wrong)} do not apply to {label}")
            _fill_values(ent, given, normalizer, notice_date, rwhere)
            entities.append(ent)
            continue
        if label in (MEASURE_TAG, ITEM_TAG) and _first_text(ex.get(LS_VALUES, {}).get("value", {})):
            log.warning("%s: values typed on a %s region are ignored", rwhere, label)
        if label == MEASURE_TAG:
            choices = ex.get(LS_MEASURE_LABELS, {}).get("value", {}).get("choices") or []
            measures.append(GoldMeasure(start=start, end=end, text=span, labels=sort_measure_labels(choices)))
        elif label == ITEM_TAG:
            number = _first_text(ex.get(LS_ITEM_NUMBER, {}).get("value", {})) or guess_item_number(span)
            if not number or not number.strip():
                raise AnnotationError(f"{rwhere}: ITEM {span[:20]!r}... has no number")
            status = (ex.get(LS_ITEM_STATUS, {}).get("value", {}).get("choices") or ["unknown"])[0]
            items.append(GoldItem(number=number.strip(), start=start, end=end, status=status))
        else:
            raise AnnotationError(f"{rwhere}: unknown label {label!r}")

    record = GoldNotice(id=rec_id, source=data.get("source") or "", origin=origin, text=text,
                        notice_date=notice_date, entities=entities, items=items, measures=measures)
    return validate(record, path=where)


def from_label_studio_export(data: list[dict] | dict | str | Path, normalizer: Normalizer | None = None,
                             *, default_origin: str | None = None) -> list[GoldNotice]:
    """Read a Label Studio JSON export (the list of tasks, a single task, or a path to the file).

    Uses each task's latest non-cancelled annotation; tasks without one are skipped (logged).
    Normalised values missing from an entity's ``values`` TextArea are filled by
    ``normalizer(label, text, notice_date)`` when given, else left empty.
    """
    if isinstance(data, (str, Path)):
        data = json.loads(Path(data).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = [data]
    records = []
    for task in data:
        if _latest_annotation(task) is None:
            log.warning("Label Studio task %r has no annotation that was not cancelled; skipped", task.get("id"))
            continue
        records.append(label_studio_task_to_gold(task, normalizer, default_origin=default_origin))
    return records


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


# --------------------------------------------------------------------------- merging


def merge_import(existing: Iterable[GoldNotice], imported: Iterable[GoldNotice]) -> list[GoldNotice]:
    """Replace the existing records that an imported one has the same id or the same text as; add
    the rest at the end. A record matched only by its text keeps its existing id, source and origin
    (identity stays with the gold file). An imported record that matches one existing record by id
    and another by text, or two imported records for the same notice, raise AnnotationError.
    """
    out = list(existing)
    idx_by_id = {r.id: i for i, r in enumerate(out)}
    idx_by_hash = {r.text_hash: i for i, r in enumerate(out)}
    claimed: dict[int, str] = {}
    for rec in imported:
        i_id, i_hash = idx_by_id.get(rec.id), idx_by_hash.get(rec.text_hash)
        if i_id is not None and i_hash is not None and i_id != i_hash:
            raise AnnotationError(
                f"imported record {rec.id!r} has the id of existing {out[i_id].id!r} but the text of "
                f"existing {out[i_hash].id!r}")
        i = i_id if i_id is not None else i_hash
        if i is None:
            out.append(rec)
            i = len(out) - 1
            idx_by_id[rec.id] = idx_by_hash[rec.text_hash] = i
        else:
            if i in claimed:
                raise AnnotationError(f"imported records {claimed[i]!r} and {rec.id!r} are the same notice")
            old = out[i]
            if i_id is None:  # matched by text only: keep the gold file's identity
                rec = GoldNotice(id=old.id, source=old.source, origin=old.origin, text=rec.text,
                                 notice_date=rec.notice_date or old.notice_date, entities=rec.entities,
                                 items=rec.items, measures=rec.measures)
            idx_by_hash.pop(old.text_hash, None)
            out[i] = rec
            idx_by_hash[rec.text_hash] = i
        claimed[i] = rec.id
    return out
