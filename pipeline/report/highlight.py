"""A notice's text with its entities highlighted, in displaCy's style, rebuilt from the tables.

The Doc is built from the stored text and the entity rows, not by parsing the text again: the
page must show exactly the rows an analyst queries (a new parse could differ once rules or
models changed, and would cost the models' start-up), and since our tokens are single characters
(``pipeline.spans.CharTokenizer``) every row's offsets are token offsets, so each row becomes a
real ``Span`` with no re-alignment; spaCy refuses rows that overlap or run past the text, which
checks the table. Each highlighted span carries an anchor ``c<start>`` so lists can link to it.
"""
from __future__ import annotations

import html

from spacy import displacy
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from pipeline.errors import ReportInputError
from pipeline.report.data import number
from pipeline.spans import CharTokenizer

_TOKENIZER = CharTokenizer(Vocab())
COLORS = {"DATE": "#bfe1d9", "MONEY": "#e4e7d2", "PERSON_COUNT": "#feca74", "ORG": "#7aecec",
          "DOC_TITLE": "#c887fb", "DOC_NUMBER": "#ddd4f8", "COUNT": "#e0e0e0"}
COUNT_LABEL = "COUNT"  # a counted-things fact (12项) that no entity covers, marked so that it can be linked
# displaCy's own entity template, with the anchor and a tooltip of the normalised value added
ENT_TEMPLATE = (
    '<mark class="{css_class}" id="{anchor}" title="{tip}" data-label="{label}" style="background: {bg}; '
    'padding: 0.45em 0.6em; margin: 0 0.25em; line-height: 1; border-radius: 0.35em;">{text}'
    '<span style="font-size: 0.8em; font-weight: bold; line-height: 1; border-radius: 0.35em; '
    'vertical-align: middle; margin-left: 0.5rem">{label}{kb_link}</span></mark>')


def anchor(start: int) -> str:
    return f"c{int(start)}"


def value_tip(entity: dict) -> str:
    """The normalised value of an entity row, as a short tooltip."""
    label = entity["label"]
    if label == "MONEY" and entity.get("value") is not None:
        return f"{entity['value']:,.2f} {entity.get('currency') or 'CNY'}"
    if label == "PERSON_COUNT" and entity.get("value") is not None:
        return f"{number(entity['value'])} people"
    if label == "DATE" and entity.get("start_date") is not None:
        return f"{entity['start_date']} – {entity.get('end_date')}"
    if entity.get("kind"):
        return str(entity["kind"])
    return label


def entity_doc(text: str, entities: list[dict], notice_id: str = "") -> Doc:
    """A Doc of ``text`` whose ``doc.ents`` are the entity rows."""
    doc = _TOKENIZER(text)
    try:
        doc.ents = [Span(doc, int(e["start"]), int(e["end"]), label=e["label"])
                    for e in sorted(entities, key=lambda e: e["start"])]
    except (ValueError, IndexError) as exc:
        raise ReportInputError(f"notice {notice_id}: its entity rows do not fit its text ({exc})") from exc
    return doc


def render_entities(text: str, entities: list[dict], notice_id: str = "",
                    counted: list[dict] = ()) -> str:
    """displaCy's markup of the text (escaped by displaCy) with one anchored ``<mark>`` per row.

    Entity rows are ``mark.entity``; ``counted`` facts (numbers of things, no entity: 12项) are
    ``mark.fact`` labelled COUNT, left out where they would overlap an entity.
    """
    doc = entity_doc(text, entities, notice_id)
    parsed = displacy.parse_ents(doc)
    by_offsets = {(int(e["start"]), int(e["end"])): e for e in entities}
    for ent in parsed["ents"]:
        row = by_offsets[(ent["start"], ent["end"])]
        ent["params"] = {"anchor": anchor(ent["start"]), "tip": html.escape(value_tip(row)),
                         "css_class": "entity"}
    taken = [(e["start"], e["end"]) for e in parsed["ents"]]
    for fact in sorted(counted, key=lambda f: f["start"]):
        span = (int(fact["start"]), int(fact["end"]))
        if any(s < span[1] and span[0] < e for s, e in taken):
            continue
        taken.append(span)
        parsed["ents"].append({"start": span[0], "end": span[1], "label": COUNT_LABEL, "params": {
            "anchor": anchor(span[0]), "css_class": "fact",
            "tip": html.escape(f"{fact.get('kind')}: {number(fact.get('quantity'))}")}})
    parsed["ents"].sort(key=lambda e: e["start"])
    return displacy.render(parsed, style="ent", manual=True, page=False, jupyter=False,
                           options={"colors": COLORS, "template": ENT_TEMPLATE})
