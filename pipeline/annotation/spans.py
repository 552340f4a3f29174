"""What the Label Studio and doccano converters share: offsets, values, item numbers.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any, Callable

from pipeline.annotation.gold_records import VALUE_KEYS, AnnotationError, GoldEntity


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
