"""The gold record types (``GoldNotice`` and its spans) and the format's constants.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from pipeline.types import MEASURE_LABELS, Entity


from pipeline.errors import AnnotationError  # noqa: F401  (raised by the gold modules)

ORIGINS = ("real", "written")
# The normalised-value keys each label carries in the gold file (always present, null if empty).
VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "DATE": ("start_date", "end_date"),
    "MONEY": ("value", "currency", "approx"),
    "PERSON_COUNT": ("value",),
    "DOC_TITLE": ("kind",),
    "ORG": (),
    "DOC_NUMBER": ("issuer_code", "year", "serial"),
}
_ALL_VALUE_KEYS = {k for keys in VALUE_KEYS.values() for k in keys}
_RECORD_KEYS = {"id", "source", "origin", "notice_date", "text", "entities", "items", "measures", "facts"}
_SPAN_KEYS = {"start", "end", "label", "text"}
_ITEM_KEYS = {"number", "start", "end", "status"}
_MEASURE_KEYS = {"start", "end", "text", "labels"}
_FACT_KEYS = {"start", "end", "kind", "quantity", "unit"}
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
    issuer_code: str | None = None  # DOC_NUMBER (None when no code is written)
    year: int | None = None  # DOC_NUMBER
    serial: str | None = None  # DOC_NUMBER, as written

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
            approx=self.approx, kind=self.kind, issuer_code=self.issuer_code, year=self.year,
            serial=self.serial, source="gold",
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
class GoldFact:
    """What a number inside a measure counts: the number's offsets, the kind, the quantity."""
    start: int
    end: int
    kind: str  # a kind of pipeline/measures/lexicons/fact_triggers.tsv
    quantity: float  # people, yuan or things
    unit: str  # 人, 名, 元, 项, 件, 个 ...

    def to_dict(self) -> dict[str, Any]:
        q = self.quantity
        return {"start": self.start, "end": self.end, "kind": self.kind,
                "quantity": int(q) if float(q).is_integer() else q, "unit": self.unit}


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
    facts: list[GoldFact] = field(default_factory=list)

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
            "facts": [f.to_dict() for f in sorted(self.facts, key=_span_key)],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "GoldNotice":
        """Validate ``d`` and build the record (raises :class:`AnnotationError`)."""
        from pipeline.annotation.gold_validation import validate  # validation reads these records
        return validate(d)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sort_measure_labels(labels: Iterable[str]) -> list[str]:
    """Unique labels in MEASURE_LABELS order (unknown labels last, alphabetically)."""
    order = {l: i for i, l in enumerate(MEASURE_LABELS)}
    return sorted(set(labels), key=lambda l: (order.get(l, len(order)), l))


def _span_key(x: Any) -> tuple[int, int]:
    return (x.start, x.end)
