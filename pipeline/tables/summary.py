"""``notice_summary``: one row per notice, rolled up from the notice's other rows.

Sums count each fact once: a fact that is a part of another (``facts.part_of``: 其中 …, … 共计)
is left out of a sum that also counts the fact it is a part of. Money sums are in yuan and take
CNY amounts only (``unit`` 元).
"""
from __future__ import annotations

import functools

from pipeline.read.textnorm import matching_text
from pipeline.resources import table
from pipeline.measures.facts import kinds_of
from pipeline.types import STATUSES

LEVELS = ("province", "city", "county", "town", "enterprise", "university", "hospital", "school",
          "central", "unknown")
MONEY_COLUMNS = {"money_recovered": "recovered", "money_at_issue": "at_issue", "money_invested": "invested"}
THING_COLUMNS = {"rules_issued": "rules_issued", "clues": "clues", "projects": "projects",
                 "cases_opened": "case_opened"}
# the kinds people_held_accountable adds up: sanctions and talks, not case steps (立案, 移送)
# that count the same people again
HELD_ACCOUNTABLE = ("disciplined_party", "disciplined_admin", "organisational_handling", "admonished",
                    "talked_to", "accountable")


def people_kinds() -> tuple[str, ...]:
    return kinds_of("people")


@functools.cache
def _levels() -> tuple[tuple[str, tuple[str, ...]], ...]:
    rows = table("issuer_levels", 2)
    unknown = [r[0] for r in rows if r[0] not in LEVELS]
    if unknown:
        from pipeline.errors import ResourceError
        raise ResourceError(f"issuer_levels.tsv: unknown level(s) {unknown} (allowed: {', '.join(LEVELS)})")
    return tuple((r[0], tuple(w for w in r[1].split("|") if w)) for r in rows)


def issuer_level(issuer: str | None) -> str:
    """``province`` … ``school``, ``central``, or ``unknown`` (lexicons/issuer_levels.tsv)."""
    if not issuer:
        return "unknown"
    text = matching_text(issuer)
    for level, words in _levels():
        if any(w in text for w in words):
            return level
    return "unknown"


def _sum(facts: list[dict], kinds: set[str], category: str, unit: str | None = None) -> float:
    kind_of = {f["fact_id"]: f["kind"] for f in facts}
    total = 0.0
    for f in facts:
        if f["kind"] not in kinds or f["category"] != category or (unit and f["unit"] != unit):
            continue
        if f["part_of"] is not None and kind_of.get(f["part_of"]) in kinds:
            continue  # its total is counted already
        total += f["quantity"]
    return total


def summary_row(notice: dict, items: list[dict], entities: list[dict], facts: list[dict]) -> dict:
    top = [i for i in items if i["parent_number"] is None]
    counts = {s: sum(1 for i in top if i["status"] == s) for s in STATUSES}
    known = len(top) - counts["unknown"]
    dates = [(e["start_date"], e["end_date"]) for e in entities if e["label"] == "DATE"]
    row = {
        "notice_id": notice["notice_id"], "source_path": notice["source_path"], "issuer": notice["issuer"],
        "level": issuer_level(notice["issuer"]), "inspection_body": notice["inspection_body"],
        "notice_date": notice["notice_date"], "n_items": len(top),
        **{f"n_{s}": counts[s] for s in STATUSES},
        "completion_rate": counts["completed"] / known if known else None,
    }
    for column, kind in MONEY_COLUMNS.items():
        row[column] = _sum(facts, {kind}, "money", "元")
    for kind in people_kinds():
        row[f"people_{kind}"] = int(_sum(facts, {kind}, "people"))
    row["people_held_accountable"] = int(_sum(facts, set(HELD_ACCOUNTABLE), "people"))
    for column, kind in THING_COLUMNS.items():
        row[column] = int(_sum(facts, {kind}, "things"))
    starts = [s for s, _ in dates if s is not None]
    ends = [e for _, e in dates if e is not None]
    row["first_date"] = min(starts) if starts else None
    row["last_date"] = max(ends) if ends else None
    return row
