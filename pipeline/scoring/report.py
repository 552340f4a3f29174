"""Plain-text tables of scores.
"""
from __future__ import annotations

import math
from typing import Any, Sequence




# --------------------------------------------------------------------------- formatting


def _f(x: float | None) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[k]) for r in cells) for k in range(len(header))]
    fmt = lambda r: "  ".join(c.ljust(w) if k == 0 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([fmt(cells[0]), "  ".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]])


def _format_group(name: str, g: dict) -> str:
    out = [f"== {name} ({g['notices']} notices) =="]
    ent = g["entities"]
    rows = []
    for label, s in list(ent["labels"].items()) + [("micro", ent["micro"])]:
        e, o = s["exact"], s["overlap"]
        rows.append([label, s["gold"], s["pred"], _f(e["precision"]), _f(e["recall"]), _f(e["f1"]),
                     _f(o["precision"]), _f(o["recall"]), _f(o["f1"])])
    out += ["Entities", _table(["label", "gold", "pred", "P exact", "R exact", "F1 exact",
                                "P overlap", "R overlap", "F1 overlap"], rows)]
    out += ["", "Normalised values (on exact matches)",
            _table(["label", "n", "correct", "accuracy"],
                   [[l, v["n"], v["correct"], _f(v["accuracy"])] for l, v in ent["values"].items()])]
    st = g["structure"]
    out += ["", "Structure",
            _table(["measure", "n", "value"], [
                ["notices with the right item count", st["count_match"]["n"],
                 f"{st['count_match']['correct']} ({_f(st['count_match']['accuracy'])})"],
                ["item numbers P / R / F1", f"{st['numbers']['gold']} gold, {st['numbers']['pred']} pred",
                 f"{_f(st['numbers']['precision'])} / {_f(st['numbers']['recall'])} / {_f(st['numbers']['f1'])}"],
                ["status accuracy (matched items)", st["status"]["n"], _f(st["status"]["accuracy"])],
                ["item spans exact (matched items)", st["spans_exact"]["n"], _f(st["spans_exact"]["accuracy"])],
            ])]
    ms = g["measure_segmentation"]
    out += ["", f"Measure segmentation ({ms['gold']} gold, {ms['pred']} pred)",
            _table(["match", "P", "R", "F1"],
                   [[k, _f(ms[k]["precision"]), _f(ms[k]["recall"]), _f(ms[k]["f1"])] for k in ("exact", "overlap")])]
    ml = g["measure_labels"]
    out += ["", f"Measure labels ({ml['n']} matched measures)",
            _table(["label", "support", "predicted", "P", "R", "F1"],
                   [[l, s["support"], s["predicted"], _f(s["precision"]), _f(s["recall"]), _f(s["f1"])]
                    for l, s in ml["labels"].items()]),
            f"macro F1 {_f(ml['macro_f1'])}   micro F1 {_f(ml['micro_f1'])}"]
    return "\n".join(out)


def format_report(report: dict[str, Any]) -> str:
    """Readable tables for a :func:`run_evaluation` report."""
    head = f"Evaluation of {report.get('gold_path', '?')}: {report.get('notices', '?')} notices"
    return "\n\n".join([head] + [_format_group(n, g) for n, g in report["groups"].items()]) + "\n"
