"""Build annotations/gold.jsonl = frozen pre-annotation + hand corrections (a record of the work).

The pre-annotation is the pipeline's output frozen once in annotations/tools/preannotation.jsonl
(by preannotate.py, pipeline as of commit 3e6e499 + working tree of that day); the gold therefore
does not change when the pipeline changes. gold.jsonl itself is the artefact; this script only
documents, reproducibly, every correction made to the pre-annotation.

Corrections per notice (keyed by a substring of the source path):
  drop_ents:  (target, occurrence, label)                 remove a pre-annotated entity
  add_ents:   (context, target, label, values)            add an entity; target located inside the
                                                          first occurrence of context (context may be
                                                          given as (context, occurrence))
  set_vals:   (target, occurrence, values)                change normalised values
  relabel:    (measure text prefix, [labels])             set a measure's labels
  drop_meas:  (measure text prefix)                       remove a measure
  add_meas:   (context, target, [labels])                 add a measure span
  items:      (number, occurrence, {key: value})          change an item (status, start, end, number)
  drop_items / add_items
Printing: python annotations/tools/annotate_corrections.py [--stats]
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.gold import GoldEntity, GoldItem, GoldMeasure, load_gold, save_gold, validate  # noqa: E402

PRE = ROOT / "annotations/tools/preannotation.jsonl"
GOLD = ROOT / "annotations/gold.jsonl"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corrections_data import CORR  # noqa: E402  (the correction lists, one dict per notice)


def find(text: str, s: str, occ: int = 0) -> int:
    pos = -1
    for _ in range(occ + 1):
        pos = text.find(s, pos + 1)
        if pos < 0:
            raise KeyError(f"not found (occurrence {occ}): {s!r}")
    return pos


def locate(text: str, ctx, target: str | None) -> tuple[int, int]:
    occ = 0
    if isinstance(ctx, tuple):
        ctx, occ = ctx
    c = find(text, ctx, occ)
    if target is None:
        return c, c + len(ctx)
    t = ctx.find(target)
    if t < 0:
        raise KeyError(f"target {target!r} not in context {ctx!r}")
    return c + t, c + t + len(target)


_MARKER = re.compile(r"(?:[一二三四五六七八九十]+是|（\d+）|\(\d+\)|[①②③④⑤⑥⑦⑧⑨⑩])")
_BOUND = re.compile(r"[。！？；]")


def split_measures(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split the description text[s:e] at markers and 。！？； (markers and punctuation excluded)."""
    cuts = []  # (cut_start, cut_end): stretches that are boundaries
    for m in _MARKER.finditer(text, s, e):
        cuts.append((m.start(), m.end()))
    for m in _BOUND.finditer(text, s, e):
        cuts.append((m.start(), m.end()))
    cuts.sort()
    spans, pos = [], s
    for a, b in cuts + [(e, e)]:
        if a > pos:
            x, y = pos, a
            while x < y and text[x] in " \t\n，,：:": x += 1
            while y > x and text[y - 1] in " \t\n，,": y -= 1
            if y > x:
                spans.append((x, y))
        pos = max(pos, b)
    return spans


def set_values(e: GoldEntity, vals: dict) -> None:
    for k, v in vals.items():
        if k in ("start_date", "end_date"):
            v = dt.date.fromisoformat(v) if v else None
        setattr(e, k, v)


def apply(rec, corr, log):
    text = rec.text
    ents = list(rec.entities)
    for target, occ, label in corr.get("drop_ents", []):
        s = find(text, target, occ)
        hit = [e for e in ents if e.start == s and e.end == s + len(target) and e.label == label]
        if len(hit) != 1:
            raise KeyError(f"{rec.source}: no pre-annotated {label} {target!r} #{occ} to drop")
        ents.remove(hit[0])
        log["drop", label] += 1
    for target, occ, vals in corr.get("set_vals", []):
        s = find(text, target, occ)
        hit = [e for e in ents if e.start == s and e.end == s + len(target)]
        if len(hit) != 1:
            raise KeyError(f"{rec.source}: no entity {target!r} #{occ} to revalue")
        set_values(hit[0], vals)
        log["revalue", hit[0].label] += 1
    for ctx, target, label, vals in corr.get("add_ents", []):
        s, e_ = locate(text, ctx, target)
        g = GoldEntity(start=s, end=e_, label=label, text=text[s:e_])
        if label == "MONEY":
            g.approx = False
        set_values(g, vals)
        clash = [e for e in ents if not (e.end <= s or e_ <= e.start)]
        for c in clash:  # a boundary fix: the corrected span replaces what it overlaps
            ents.remove(c)
            log["boundary" if c.label == label else "relabel_or_drop", c.label] += 1
        if not clash:
            log["add", label] += 1
        ents.append(g)
    rec.entities = sorted(ents, key=lambda e: (e.start, e.end))

    meas = list(rec.measures)
    for prefix in corr.get("drop_meas", []):
        hit = [m for m in meas if m.text.startswith(prefix)]
        if len(hit) != 1:
            raise KeyError(f"{rec.source}: measure prefix {prefix!r} matches {len(hit)}")
        meas.remove(hit[0])
        log["drop", "MEASURE"] += 1
    for region in corr.get("gen_meas", []):  # (start context, end context): auto-split, labels []
        s0, _ = locate(text, *region[0]) if isinstance(region[0], tuple) and len(region[0]) == 2 and isinstance(region[0][1], str) else locate(text, region[0], None)
        _, e0 = locate(text, *region[1]) if isinstance(region[1], tuple) and len(region[1]) == 2 and isinstance(region[1][1], str) else locate(text, region[1], None)
        for a, b in split_measures(text, s0, e0):
            meas = [m for m in meas if m.end <= a or b <= m.start]
            meas.append(GoldMeasure(start=a, end=b, text=text[a:b], labels=[]))
            log["add", "MEASURE"] += 1
    for ctx, target, labels in corr.get("add_meas", []):
        s, e_ = locate(text, ctx, target)
        clash = [m for m in meas if not (m.end <= s or e_ <= m.start)]
        for c in clash:
            meas.remove(c)
        log["boundary" if clash else "add", "MEASURE"] += 1
        meas.append(GoldMeasure(start=s, end=e_, text=text[s:e_], labels=list(labels)))
    for prefix, labels in corr.get("relabel", []):
        hit = [m for m in meas if m.text.startswith(prefix)]
        if len(hit) != 1:
            raise KeyError(f"{rec.source}: measure prefix {prefix!r} matches {len(hit)}")
        old = set(hit[0].labels)
        for l in set(labels) - old:
            log["measure_label_added", l] += 1
        for l in old - set(labels):
            log["measure_label_removed", l] += 1
        hit[0].labels = list(labels)
    rec.measures = sorted(meas, key=lambda m: (m.start, m.end))

    items = list(rec.items)
    for number, occ in corr.get("drop_items", []):
        hit = [i for i in items if i.number == number][occ]
        items.remove(hit)
        log["drop", "ITEM"] += 1
    for number, occ, changes in corr.get("items", []):
        hit = [i for i in items if i.number == number][occ]
        for k, v in changes.items():
            if k in ("start_at", "end_at"):  # (context, target) -> offset
                s, e_ = locate(text, *v)
                setattr(hit, k[:-3], s if k == "start_at" else e_)
            else:
                if k == "status" and hit.status != v:
                    log["item_status", hit.status + "->" + v] += 1
                setattr(hit, k, v)
    for number, start_ctx, end_ctx, status in corr.get("add_items", []):
        s, _ = locate(text, *start_ctx)
        _, e_ = locate(text, *end_ctx)
        items.append(GoldItem(number=number, start=s, end=e_, status=status))
        log["add", "ITEM"] += 1
    rec.items = sorted(items, key=lambda i: (i.start, -i.end))
    return validate(rec, path=rec.source)


def main() -> None:
    pre = load_gold(PRE)
    out, log = [], collections.Counter()
    for rec in pre:
        keys = [k for k in CORR if k in rec.source]
        if len(keys) > 1:
            raise KeyError(f"ambiguous correction keys {keys}")
        if not keys:
            print(f"WARNING: {rec.source} not yet reviewed: left out of the gold")
            continue
        out.append(apply(rec, CORR[keys[0]], log))
    save_gold(out, GOLD)
    if "--stats" in sys.argv:
        for k, v in sorted(log.items()):
            print(k, v)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
