"""The index's charts as Vega-Lite specs (altair), drawn in the browser by vl-convert's bundle.

vl-convert ships the vega-embed bundle (vega, vega-lite, vega-embed in one script) for the
Vega-Lite version altair writes, so the site carries its own JavaScript and needs no network
when it is viewed. The charts are drawn as SVG.
"""
from __future__ import annotations

import json

import altair as alt
import pandas as pd

from pipeline.report.data import MONEY_KINDS, STATUSES

STATUS_COLORS = {"completed": "#4c9f70", "partially_completed": "#f2b134", "not_completed": "#d9534f",
                 "unknown": "#9e9e9e"}
EMBED_OPTIONS = {"renderer": "svg", "actions": False}


def _label(row: dict) -> str:
    date = row["notice_date"] or "no date"
    return f"{row['issuer'] or row['source_path']} ({date})"


def items_by_status(rows: list[dict]) -> alt.Chart:
    data = pd.DataFrame([{"notice": _label(r), "status": s, "items": r[f"n_{s}"]}
                         for r in rows for s in STATUSES if r[f"n_{s}"]],
                        columns=["notice", "status", "items"])
    return alt.Chart(data, title="Items by status").mark_bar().encode(
        y=alt.Y("notice:N", title=None, sort=None),
        x=alt.X("sum(items):Q", title="items"),
        color=alt.Color("status:N", sort=list(STATUSES),
                        scale=alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values()))),
        order=alt.Order("status_order:Q"),
        tooltip=["notice:N", "status:N", "items:Q"],
    ).transform_calculate(
        status_order=f"indexof({json.dumps(list(STATUSES))}, datum.status)")


def money_by_kind(rows: list[dict]) -> alt.Chart | None:
    """Yuan recovered, at issue and invested per notice (from notice_summary); None without it."""
    data = pd.DataFrame([{"notice": _label(r), "kind": k, "yuan": r["summary"].get(f"money_{k}")}
                         for r in rows if r.get("summary") for k in MONEY_KINDS
                         if r["summary"].get(f"money_{k}")], columns=["notice", "kind", "yuan"])
    if data.empty:
        return None
    # amounts span orders of magnitude (千元 to 亿元): a log axis keeps the small ones visible
    return alt.Chart(data, title="Money by kind (yuan, log scale)").mark_bar().encode(
        y=alt.Y("notice:N", title=None, sort=None),
        x=alt.X("yuan:Q", title="yuan", stack=None, scale=alt.Scale(type="log")),
        yOffset="kind:N",
        color=alt.Color("kind:N", sort=list(MONEY_KINDS)),
        tooltip=["notice:N", "kind:N", alt.Tooltip("yuan:Q", format=",.0f")],
    )


def people_by_kind(rows: list[dict]) -> alt.Chart | None:
    """People counted per kind of handling per notice (notice_summary.people_<kind>)."""
    data = pd.DataFrame([{"notice": _label(r), "kind": k.removeprefix("people_"), "people": v}
                         for r in rows if r.get("summary") for k, v in r["summary"].items()
                         if k.startswith("people_") and k != "people_held_accountable" and v],
                        columns=["notice", "kind", "people"])
    if data.empty:
        return None
    return alt.Chart(data, title="People by kind of handling").mark_bar().encode(
        y=alt.Y("notice:N", title=None, sort=None),
        x=alt.X("sum(people):Q", title="people"),
        color=alt.Color("kind:N"),
        tooltip=["notice:N", "kind:N", "people:Q"],
    )


def index_charts(rows: list[dict]) -> dict[str, dict]:
    """Chart id -> Vega-Lite spec (a dict), the charts there are data for."""
    charts = {"chart-status": items_by_status(rows), "chart-money": money_by_kind(rows),
              "chart-people": people_by_kind(rows)}
    return {key: chart.properties(width=420).to_dict() for key, chart in charts.items() if chart is not None}


def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script, for the Vega-Lite version altair writes."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert
    return vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())


def script_json(value) -> str:
    """JSON safe inside an HTML ``<script>``: no ``</script>`` or ``<!--`` can end it early."""
    return (json.dumps(value, ensure_ascii=False, default=str)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
