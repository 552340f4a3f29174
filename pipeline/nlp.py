"""The spaCy side: one ``Doc`` per notice, built once the entities and measures are known.

Tokens are the segmenter's words (jieba with the domain dictionary by default), split further
at every entity, item and measure boundary, so that every span the pipeline reports is a real
``Span`` of the ``Doc``: ``doc.ents`` and ``doc.spans["entities"]`` hold the entities (values in
``span._.value``, ``span._.start_date`` ...), ``doc.spans["items"]`` and ``doc.spans["measures"]``
the structure. Offsets of a span (``span.start_char``) are offsets into the original text.
"""
from __future__ import annotations

import functools

import spacy
from spacy.tokens import Doc, Span

from . import segment
from .types import ParsedNotice

ENTITY_ATTRS = ("value", "start_date", "end_date", "currency", "approx", "kind", "source")
for _attr in ENTITY_ATTRS + ("labels", "status"):
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)


@functools.cache
def vocab():
    return spacy.blank("zh").vocab  # character segmenter: needs no download


def build_doc(parsed: ParsedNotice) -> Doc:
    text = parsed.text
    cuts = {0, len(text)}
    for e in parsed.entities:
        cuts.update((e.start, e.end))
    for m in parsed.measures:
        cuts.update((m.start, m.end))
    for item in parsed.items:
        cuts.update((item.start, item.end))
    for _, s, e in segment.tokens(text):
        cuts.update((s, e))
    bounds = sorted(cuts)
    words, spaces = [], []
    for a, b in zip(bounds, bounds[1:]):
        chunk = text[a:b]
        if chunk:
            words.append(chunk)
            spaces.append(False)
    doc = Doc(vocab(), words=words, spaces=spaces)
    ents = []
    for e in parsed.entities:
        span = doc.char_span(e.start, e.end, label=e.label)
        for attr in ENTITY_ATTRS:
            setattr(span._, attr, getattr(e, attr))
        ents.append(span)
    doc.spans["entities"] = ents
    doc.set_ents([s for s in ents if not s.text.isspace()], default="outside")
    items = []
    for item in parsed.items:
        span = doc.char_span(item.start, item.end, label="ITEM")
        span._.status = item.status
        items.append(span)
    doc.spans["items"] = items
    measures = []
    for m in parsed.measures:
        span = doc.char_span(m.start, m.end, label="MEASURE")
        span._.labels = list(m.labels)
        measures.append(span)
    doc.spans["measures"] = measures
    return doc
