"""Plain records the pipeline produces and consumes.

Every offset is a half-open ``[start, end)`` code-point index into the notice text *as decoded
from its file*. Nothing here is normalised text: normalisation happens only for matching.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

ENTITY_LABELS = ("DATE", "MONEY", "PERSON_COUNT", "ORG", "DOC_TITLE", "DOC_NUMBER")
MEASURE_LABELS = ("institution_building", "accountability", "fund_recovery")
STATUSES = ("completed", "partially_completed", "not_completed", "unknown")


@dataclass
class Entity:
    start: int
    end: int
    label: str
    text: str
    value: float | None = None  # MONEY in yuan, PERSON_COUNT as a whole number
    start_date: dt.date | None = None  # DATE, inclusive
    end_date: dt.date | None = None  # DATE, inclusive
    currency: str | None = None  # MONEY
    approx: bool | None = None  # MONEY
    kind: str | None = None  # DOC_TITLE document type, e.g. 方案
    issuer_code: str | None = None  # DOC_NUMBER: 益高发 of 益高发〔2023〕12号 (None when not written)
    year: int | None = None  # DOC_NUMBER: the bracketed year
    serial: str | None = None  # DOC_NUMBER: the number before 号, as written
    source: str = "rule"  # which extractor produced it, e.g. "rule:date", "model:ner"

    def values(self) -> dict[str, Any]:
        """The normalised values that apply to this label (for gold data and evaluation)."""
        if self.label == "DATE":
            return {
                "start_date": self.start_date.isoformat() if self.start_date else None,
                "end_date": self.end_date.isoformat() if self.end_date else None,
            }
        if self.label == "MONEY":
            return {"value": self.value, "currency": self.currency, "approx": bool(self.approx)}
        if self.label == "PERSON_COUNT":
            return {"value": None if self.value is None else int(self.value)}
        if self.label == "DOC_TITLE":
            return {"kind": self.kind or ""}
        if self.label == "DOC_NUMBER":
            return {"issuer_code": self.issuer_code, "year": self.year, "serial": self.serial}
        return {}


@dataclass
class Measure:
    start: int
    end: int
    text: str
    item_index: int | None  # index into ParsedNotice.items, None outside items
    labels: list[str] = field(default_factory=list)
    probabilities: dict[str, float] = field(default_factory=dict)  # per label, from the classifier
    keyword_labels: list[str] = field(default_factory=list)  # the transparent keyword baseline
    label_source: str = "keywords"  # "classifier" once a trained model is loaded


@dataclass
class Fact:
    """A number inside a measure tied to what it counts (ANNOTATION.md, "Facts")."""
    start: int  # the number as written: the PERSON_COUNT or MONEY span, or 12项 of 制定制度12项
    end: int
    text: str
    kind: str  # a kind of measures/lexicons/fact_triggers.tsv, e.g. disciplined_party
    category: str  # people, money or things
    quantity: float  # people, yuan, or the count of things
    unit: str  # 人, 名, 人次, 元, 项, 件, 个 ...
    measure_index: int  # index into ParsedNotice.measures
    is_entity: bool = True  # the number is an entity (PERSON_COUNT, MONEY); counted things are not
    trigger: str | None = None  # the word the kind was read from
    trigger_start: int | None = None
    trigger_end: int | None = None
    part_of: int | None = None  # start of the fact this one is a part of (其中 ..., ... 共计), else None


@dataclass
class Group:
    number: str  # as written, e.g. "一" or "十二"
    title: str  # e.g. "全面从严治党主体责任落实不到位。"
    start: int
    end: int  # end of the whole group (up to the next group or section)
    section: str  # the section heading it sits in, e.g. "集中整改期内已完成的整改事项"
    section_status: str  # status implied by the section ("unknown" if none)


@dataclass
class Item:
    number: str  # as written: "1", "28①", "（三）"
    group_index: int | None
    problem: str
    problem_start: int
    problem_end: int
    start: int
    end: int  # the whole item, problem to the end of its description
    status: str = "unknown"
    status_text: str | None = None  # the words the status was read from, e.g. "阶段性完成"
    status_source: str = "none"  # "explicit" (整改结果), "section" (heading), "none"
    description_start: int | None = None
    description_end: int | None = None
    parent_number: str | None = None  # "28" for "28①"
    refers_to: str | None = None  # "见上文" and similar back-references


@dataclass
class ParsedNotice:
    text: str
    title: str | None = None
    issuer: str | None = None
    notice_date: dt.date | None = None
    inspection_body: str | None = None
    inspection_start: dt.date | None = None
    inspection_end: dt.date | None = None
    feedback_date: dt.date | None = None
    groups: list[Group] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    doc: Any = None  # the spaCy Doc, with doc.spans["entities"], ["items"], ["measures"]
