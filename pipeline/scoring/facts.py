"""Scores of facts (what a number inside a measure counts) against the gold.

A predicted fact matches a gold fact when the number's offsets, the kind and the quantity are
the same (quantities within 0.01: yuan are floats). The number's offsets fix its measure, so a
fact the pipeline finds in a measure it cut differently still matches; a fact in a span the
pipeline did not take for a measure is missed. ``span`` scores the offsets alone (was the number
tied to anything), ``kind`` adds the kind, ``exact`` adds the quantity: that is the headline.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from pipeline.annotation.gold_records import GoldNotice
from pipeline.measures.facts import kind_names
from pipeline.scoring.metrics import prf
from pipeline.types import ParsedNotice

QUANTITY_TOLERANCE = 0.01


def _key(f: Any, level: str) -> tuple:
    if level == "span":
        return (f.start, f.end)
    if level == "kind":
        return (f.start, f.end, f.kind)
    return (f.start, f.end, f.kind, round(float(f.quantity) / QUANTITY_TOLERANCE))


def score_facts(gold: Sequence[GoldNotice], parsed: Sequence[ParsedNotice]) -> dict[str, Any]:
    """``{"kinds": {kind: {"gold", "pred", "exact": prf}}, "micro": {"gold", "pred", "span", "kind", "exact"}}``."""
    if len(gold) != len(parsed):
        raise ValueError(f"{len(gold)} gold notices but {len(parsed)} predictions")
    per = {k: Counter() for k in kind_names()}
    tot = Counter()
    for g, p in zip(gold, parsed):
        for level in ("span", "kind", "exact"):
            gk = Counter(_key(f, level) for f in g.facts)
            pk = Counter(_key(f, level) for f in p.facts)
            tot[f"{level}_tp"] += sum((gk & pk).values())
        gk = Counter(_key(f, "exact") for f in g.facts)
        pk = Counter(_key(f, "exact") for f in p.facts)
        for f in g.facts:
            per.setdefault(f.kind, Counter())["gold"] += 1
        for f in p.facts:
            per.setdefault(f.kind, Counter())["pred"] += 1
        for key, n in (gk & pk).items():
            per[key[2]]["tp"] += n
        tot["gold"] += len(g.facts)
        tot["pred"] += len(p.facts)
    kinds = {k: {"gold": c["gold"], "pred": c["pred"],
                 "exact": prf(c["tp"], c["pred"] - c["tp"], c["gold"] - c["tp"])} for k, c in per.items()}
    micro = {"gold": tot["gold"], "pred": tot["pred"]}
    for level in ("span", "kind", "exact"):
        tp = tot[f"{level}_tp"]
        micro[level] = prf(tp, tot["pred"] - tp, tot["gold"] - tp)
    return {"kinds": kinds, "micro": micro}


def format_facts(scores: dict[str, Any], title: str) -> str:
    from pipeline.scoring.report import _f, _table
    rows = [[k, s["gold"], s["pred"], _f(s["exact"]["precision"]), _f(s["exact"]["recall"]), _f(s["exact"]["f1"])]
            for k, s in scores["kinds"].items() if s["gold"] or s["pred"]]
    m = scores["micro"]
    rows.append(["overall", m["gold"], m["pred"], _f(m["exact"]["precision"]), _f(m["exact"]["recall"]),
                 _f(m["exact"]["f1"])])
    return "\n".join([f"== facts, {title}: offsets + kind + quantity (F1 span {_f(m['span']['f1'])}, "
                      f"span+kind {_f(m['kind']['f1'])}) ==",
                      _table(["kind", "gold", "pred", "P", "R", "F1 exact"], rows)])
