"""Writing the site: an index, one page per notice, the chart script; each file atomically.

Every value from the tables goes through Jinja's autoescaping (notices are third-party text);
the notice text is escaped by displaCy; chart data is JSON made safe for a ``<script>``.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import jinja2

from pipeline.fsutil import atomic_write_text
from pipeline.report.charts import EMBED_OPTIONS, index_charts, script_json, vega_bundle
from pipeline.report.data import ReportData, finite, number, sentence_around
from pipeline.report.highlight import anchor, render_entities

TEMPLATES = Path(__file__).resolve().parent / "templates"
NUMBER_LABELS = ("MONEY", "PERSON_COUNT")  # the entities a measure's "numbers" column links to
BUNDLE_NAME = "vega-embed.js"


def _write(path: Path, text: str) -> None:
    atomic_write_text(path, text)
    os.chmod(path, 0o644)  # a site is for reading: not the temporary file's owner-only mode


def _percent(x):
    return f"{x:.0%}" if finite(x) else "—"


def _yuan(x):
    return f"{x:,.0f}" if finite(x) else "—"


def _prob(x):
    return f"{x:.2f}" if finite(x) else "–"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             autoescape=True, keep_trailing_newline=True)
    env.filters.update(percent=_percent, yuan=_yuan, count=number, prob=_prob, quantity=number)
    return env


@dataclasses.dataclass
class SiteSummary:
    html_dir: Path
    notices: int
    charts: list[str]
    removed: int

    def format(self) -> str:
        return (f"wrote {self.notices} notice page(s), index.html with charts {', '.join(self.charts)} "
                f"to {self.html_dir}/" + (f"; removed {self.removed} stale page(s)" if self.removed else ""))


def _target(entities: list[dict], start: int, entity_id: str | None) -> str:
    """The anchor of the highlighted span a number at ``start`` lies in (its own if no entity's)."""
    for e in entities:
        if e["entity_id"] == entity_id or e["start"] <= start < e["end"]:
            return anchor(e["start"])
    return anchor(start)


def _counted(view) -> list[dict]:
    """Facts whose number no entity covers (counted things such as 12项): marked on their own."""
    return [f for f in view.facts if f.get("quantity") is not None
            and not any(e["start"] <= f["start"] < e["end"] for e in view.entities)]


def _fact_groups(text: str, view) -> list[tuple[str, list[dict]]]:
    """Facts beside their sentence: the measure they come from, else the sentence around them."""
    measures = {m["measure_id"]: m for m in view.measures}
    groups: dict[tuple[int, int], list[dict]] = {}
    for fact in view.facts:
        m = measures.get(fact.get("measure_id"))
        span = (m["start"], m["end"]) if m else sentence_around(text, fact["start"], fact["end"])
        groups.setdefault(span, []).append(
            {**fact, "target": _target(view.entities, fact["start"], fact.get("entity_id"))})
    return [(text[s:e], facts) for (s, e), facts in sorted(groups.items())]


def notice_page(env: jinja2.Environment, data: ReportData, notice_id: str) -> str:
    view = data.notice_view(notice_id)
    text = view.notice["text"]
    by_measure: dict[str, list[dict]] = {}
    for e in view.entities:
        if e["label"] in NUMBER_LABELS and e.get("measure_id"):
            by_measure.setdefault(e["measure_id"], []).append({**e, "target": anchor(e["start"])})
    measures = [{**m, "numbers": by_measure.get(m["measure_id"], []),
                 "labels": list(m["labels"] or []), "keyword_labels": list(m["keyword_labels"] or [])}
                for m in view.measures]
    return env.get_template("notice.html").render(
        notice=view.notice, summary=view.summary, items=view.items, measures=measures,
        entities=view.entities, facts=view.facts, has_facts=data.has_facts,
        fact_groups=_fact_groups(text, view),
        text_html=render_entities(text, view.entities, notice_id, counted=_counted(view)))


def build_site(out_dir: str | Path, html_dir: str | Path) -> SiteSummary:
    """Write the report of the tables in ``out_dir`` into ``html_dir``.

    The tables are checked before anything is written (a bad folder raises
    :class:`~pipeline.errors.ReportInputError`); each file is written atomically, notice pages
    before the index that links to them; pages of notices no longer in the tables are removed.
    """
    data = ReportData(out_dir)
    html_dir = Path(html_dir)
    env = _environment()
    rows = data.index_rows()
    charts = index_charts(rows)
    _write(html_dir / BUNDLE_NAME, vega_bundle())
    pages = html_dir / "notices"
    written = set()
    for notice_id in data.notice_ids():
        _write(pages / f"{notice_id}.html", notice_page(env, data, notice_id))
        written.add(f"{notice_id}.html")
    tables = data.tables
    _write(html_dir / "index.html", env.get_template("index.html").render(
        rows=rows, out_dir=str(out_dir), has_summary=data.has_summary, charts=list(charts),
        n_items=len(tables["items"]), n_measures=len(tables["measures"]), n_entities=len(tables["entities"]),
        specs_json=script_json(charts), embed_json=script_json(EMBED_OPTIONS)))
    removed = 0
    for stale in pages.glob("*.html"):
        if stale.name not in written:
            stale.unlink()
            removed += 1
    return SiteSummary(html_dir, len(written), list(charts), removed)
