"""The analyst's view: a static HTML site over the tables of an ``extract`` run.

``python -m pipeline report OUT --html DIR`` writes an index (one row per notice, charts of
items by status and money by kind across notices) and one page per notice (its text with the
entities highlighted by displaCy, its items, measures and facts, each number linked to its
offsets in the text). No server is needed: the Vega-Lite charts are drawn by the vega-embed
bundle that vl-convert ships, written beside the pages, so the site works offline. Off the
runtime path: ``extract`` never imports it.
"""
from pipeline.report.site import build_site

__all__ = ["build_site"]
