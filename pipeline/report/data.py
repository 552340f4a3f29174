"""The tables the report reads, checked once, and the per-notice slices its pages show."""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pandas as pd

from pipeline.errors import ReportInputError
from pipeline.tables.store import table_path

REQUIRED = ("notices", "items", "measures", "entities")
OPTIONAL = ("manifest", "facts", "notice_summary")  # facts, notice_summary: newer extract runs
STATUSES = ("completed", "partially_completed", "not_completed", "unknown")
MONEY_KINDS = ("recovered", "at_issue", "invested")  # notice_summary.money_<kind>
# a fact with no measure is shown beside the sentence around it: cut at these
SENTENCE_END = re.compile(r"[。！？；\n]")


def _value(x):
    """A cell as a plain Python value, pandas' missing markers as None."""
    if x is None:
        return None
    if isinstance(x, (list, tuple)) or getattr(x, "ndim", 0) > 0:  # list columns (labels)
        return [_value(v) for v in x]
    if pd.isna(x):
        return None
    return x.item() if hasattr(x, "item") else x


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _value(v) for k, v in row.items()} for row in frame.to_dict("records")]


@dataclasses.dataclass
class NoticeView:
    """Everything one notice page shows, as plain records."""
    notice: dict
    items: list[dict]
    measures: list[dict]
    entities: list[dict]
    facts: list[dict]
    summary: dict | None


class ReportData:
    """The tables of one output folder, checked: every required table there and readable."""

    def __init__(self, out_dir: str | Path):
        self.out_dir = Path(out_dir)
        if not self.out_dir.is_dir():
            raise ReportInputError(f"{self.out_dir}: no such folder; expected the --out folder of an "
                                   f"extract run (python -m pipeline extract DIR --out {self.out_dir})")
        missing = [name for name in REQUIRED if not table_path(self.out_dir, name).exists()]
        if missing:
            raise ReportInputError(
                f"{self.out_dir}: not an extract output, missing table(s) {', '.join(missing)} "
                f"(looked for {table_path(self.out_dir, missing[0])}); run "
                f"python -m pipeline extract DIR --out {self.out_dir} first")
        from pipeline.api import load_tables
        try:
            self.tables = load_tables(self.out_dir)
            for name in OPTIONAL:  # tables this checkout's store may not list yet
                if name not in self.tables and table_path(self.out_dir, name).exists():
                    self.tables[name] = pd.read_parquet(table_path(self.out_dir, name))
        except Exception as exc:  # noqa: BLE001 - a corrupt or foreign parquet file
            raise ReportInputError(f"{self.out_dir}: cannot read the tables ({type(exc).__name__}: "
                                   f"{exc}); run extract again into this folder") from exc
        for name in REQUIRED:
            if "notice_id" not in self.tables[name].columns:
                raise ReportInputError(f"{table_path(self.out_dir, name)}: no notice_id column; "
                                       f"not a table written by extract")
        self.has_facts = "facts" in self.tables
        self.has_summary = "notice_summary" in self.tables
        self.notices = self.tables["notices"].sort_values(["notice_date", "source_path"], na_position="last")

    def notice_ids(self) -> list[str]:
        return list(self.notices["notice_id"])

    def index_rows(self) -> list[dict]:
        """One row per notice: who, when, how many items, how far done, money and people.

        From ``notice_summary`` when the tables have it; otherwise items and completion are
        counted from ``items`` (completion: completed among the items whose status is known) and
        money and people are left None: without facts they are unknown, not zero.
        """
        items = self.tables["items"]
        counts = items.groupby(["notice_id", "status"]).size().unstack(fill_value=0)
        summary = (self.tables["notice_summary"].set_index("notice_id")
                   if self.has_summary else None)
        rows = []
        for notice in records(self.notices):
            nid = notice["notice_id"]
            by_status = {s: int(counts.at[nid, s]) if nid in counts.index and s in counts.columns else 0
                         for s in STATUSES}
            n_items = sum(by_status.values())
            known = n_items - by_status["unknown"]
            row = {"notice_id": nid, "source_path": notice["source_path"], "issuer": notice["issuer"],
                   "notice_date": notice["notice_date"], "inspection_body": notice["inspection_body"],
                   "n_items": n_items, **{f"n_{s}": by_status[s] for s in STATUSES},
                   "completion_rate": by_status["completed"] / known if known else None,
                   "money_recovered": None, "people_held_accountable": None}
            if summary is not None and nid in summary.index:
                s = {k: _value(v) for k, v in summary.loc[nid].items()}
                row.update({k: s[k] for k in ("n_items", *(f"n_{x}" for x in STATUSES), "completion_rate")})
                row["money_recovered"] = s.get("money_recovered")
                row["people_held_accountable"] = s.get("people_held_accountable")
                row["summary"] = s
            rows.append(row)
        return rows

    def notice_view(self, notice_id: str) -> NoticeView:
        def of(name, order):
            frame = self.tables.get(name)
            if frame is None:
                return []
            return records(frame[frame["notice_id"] == notice_id].sort_values(order))
        notice = records(self.notices[self.notices["notice_id"] == notice_id])[0]
        summary = None
        if self.has_summary:
            found = of("notice_summary", "notice_id")
            summary = found[0] if found else None
        return NoticeView(notice=notice, items=of("items", "item_index"),
                          measures=of("measures", "measure_index"),
                          entities=of("entities", "start"), facts=of("facts", "start"), summary=summary)


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence (cut at 。！？； or a line break) that holds ``text[start:end]``."""
    left = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    found = SENTENCE_END.search(text, end)
    return left, found.end() if found else len(text)


def finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def number(x) -> str:
    """A quantity as an analyst reads it: 3,540,000 or 1.5, never 3.54e+06; — when missing."""
    if not finite(x):
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")
