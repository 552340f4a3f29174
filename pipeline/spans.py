"""The spaCy side of the plain records: the Doc every stage reads and writes.

Tokens are single characters (:class:`CharTokenizer`), so every character offset the pipeline
reports is a token boundary and every record becomes a real ``Span`` with no re-alignment. Word
segmentation (jieba) is a separate view that the stages that need words ask for.

* ``doc._.matching_text``: the same-length normalised copy used for matching (never for storage);
* ``doc._.notice_date``: set by the caller or read from the signature by ``rectify_notice_date``;
* ``doc._.<header fact>``: ``title``, ``issuer``, ``inspection_body``, ``inspection_start``,
  ``inspection_end``, ``feedback_date`` (``rectify_structure``);
* ``doc._.facts``: the measures' facts as :class:`pipeline.types.Fact` records (``rectify_facts``;
  not spans: a fact's number shares its offsets with an entity, and span extensions are keyed by
  offsets);
* ``doc.spans[key]``: ``rule_entities``, ``model_entities``, ``entities`` (also ``doc.ents``),
  ``groups``, ``items``, ``measures``.

A span of a final group (``entities``, ``groups``, ``items``, ``measures``) carries its record's
other fields as extensions (``span._.value``, ``span._.start_date``, ``span._.status``,
``span._.labels`` ...): :func:`to_span` and :func:`from_span` convert both ways without loss, so
displaCy, ``doc.to_json()`` and the table writer see the same facts. spaCy keys a span extension
by the span's character offsets only, so candidates (``rule_entities``, ``model_entities``), which
may share offsets with each other, keep their records beside the Doc (:func:`add_candidates`,
:func:`candidates`) and their spans carry no extensions.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Iterable, TypeVar

from spacy.tokens import Doc, Span
from spacy.util import registry

from pipeline.types import Entity, Group, Item, Measure

R = TypeVar("R")

SPAN_OWN_FIELDS = ("start", "end", "text", "label")  # carried by the Span itself
RECORD_TYPES = (Entity, Group, Item, Measure)
HEADER_FACTS = ("title", "issuer", "inspection_body", "inspection_start", "inspection_end", "feedback_date")
DOC_FACTS = ("matching_text", "notice_date") + HEADER_FACTS + ("facts",)  # facts: rectify_facts

SPAN_EXTENSIONS = tuple(dict.fromkeys(
    f.name for cls in RECORD_TYPES for f in dataclasses.fields(cls) if f.name not in SPAN_OWN_FIELDS))

for _name in SPAN_EXTENSIONS:
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
for _name in DOC_FACTS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


TEXT_KEY = "rectify.text"  # the Doc's text, kept once: spaCy's doc.text joins every token anew


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (with one token per character, ``doc.text`` costs a
    Python object per character each time it is read)."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


class CharTokenizer:
    """One token per character, no spaces: ``doc.text`` is the input text, offsets unchanged."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = list(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data[TEXT_KEY] = text
        return doc

    # nothing to store: the tokenizer has no settings
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "CharTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        pass

    def from_disk(self, path, **kwargs) -> "CharTokenizer":
        return self


@registry.tokenizers("rectify.char_tokenizer.v1")
def create_char_tokenizer():
    def make(nlp):
        return CharTokenizer(nlp.vocab)
    return make


@functools.cache
def _extension_fields(cls: type) -> tuple[tuple[str, object], ...]:
    """``(name, default factory or None)`` of each field a record's span carries as an extension."""
    return tuple((f.name, f.default_factory if f.default is dataclasses.MISSING
                  and f.default_factory is not dataclasses.MISSING else None)
                 for f in dataclasses.fields(cls) if f.name not in SPAN_OWN_FIELDS)


def to_span(doc: Doc, record, label: str | None = None) -> Span:
    """A Span of ``doc`` for a record (``Entity``, ``Item``, ``Group``, ``Measure``)."""
    label = label or getattr(record, "label", None) or type(record).__name__.upper()
    span = doc.char_span(record.start, record.end, label=label)
    if span is None:  # cannot happen with character tokens; say so loudly if it does
        raise ValueError(f"[{record.start}, {record.end}) is not a span of a {len(doc.text)}-character Doc")
    extensions = span._  # one accessor object for all fields (each ``span._`` builds a new one)
    for name, _ in _extension_fields(type(record)):
        setattr(extensions, name, getattr(record, name))
    return span


def from_span(cls: type[R], span: Span) -> R:
    """The record of type ``cls`` a span carries (the inverse of :func:`to_span`)."""
    start, end = span.start_char, span.end_char
    own = _own_fields(cls)
    values = {"start": start, "end": end}
    if "text" in own:
        values["text"] = doc_text(span.doc)[start:end]
    if "label" in own:
        values["label"] = span.label_
    extensions = span._
    for name, factory in _extension_fields(cls):
        value = getattr(extensions, name)
        if value is None and factory is not None:
            value = factory()
        values[name] = value
    return cls(**values)


@functools.cache
def _own_fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls) if f.name in SPAN_OWN_FIELDS)


def add_spans(doc: Doc, key: str, records: Iterable, label: str | None = None) -> None:
    """Append records to ``doc.spans[key]`` in their order."""
    spans = [to_span(doc, r, label) for r in records]
    if key in doc.spans:
        doc.spans[key].extend(spans)
    else:
        doc.spans[key] = spans


def records(doc: Doc, key: str, cls: type[R]) -> list[R]:
    """The records of ``doc.spans[key]`` in their order (empty if the key is absent)."""
    return [from_span(cls, s) for s in doc.spans[key]] if key in doc.spans else []


def _candidate_key(key: str) -> str:
    return f"rectify.candidates.{key}"


def add_candidates(doc: Doc, key: str, found: Iterable) -> None:
    """Append candidate records to ``doc.spans[key]`` (plain spans) and to their record list."""
    found = list(found)
    spans = [doc.char_span(r.start, r.end, label=r.label) for r in found]
    if key in doc.spans:
        doc.spans[key].extend(spans)
    else:
        doc.spans[key] = spans
    doc.user_data.setdefault(_candidate_key(key), []).extend(found)


def candidates(doc: Doc, key: str) -> list:
    """The candidate records of ``doc.spans[key]`` in their order."""
    return list(doc.user_data.get(_candidate_key(key), []))
