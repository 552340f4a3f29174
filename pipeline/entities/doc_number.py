"""DOC_NUMBER: document numbers (文号) such as 益高发〔2023〕12号, (2022)100号.

Rules only (no model learns this label). Values: ``issuer_code`` (the code before the bracket,
null when none is written), ``year`` (the bracketed year) and ``serial`` (the number before 号,
as written). The year inside a document number is never a DATE: :class:`DateExtractor` drops
date candidates inside these spans, and the overlap step ranks DOC_NUMBER first.
"""
from __future__ import annotations

import functools

from pipeline.resources import patterns, word_list
from pipeline.types import Entity
from pipeline.entities.view import TextView, _entity, gloss_pattern, strip_glosses

_PAIRS = {"〔": "〕", "[": "]", "［": "］", "(": ")", "（": "）", "【": "】"}


@functools.cache
def _left_words() -> tuple[str, ...]:
    return tuple(word_list("doc_number_left_words"))


def issuer_start(mtext: str, start: int, end: int) -> int:
    """Where the issuer code really starts in ``mtext[start:end]``: after the last left word."""
    run = mtext[start:end]
    cut = 0
    for word in _left_words():
        at = run.rfind(word)
        if at >= 0:
            cut = max(cut, at + len(word))
    gloss = gloss_pattern().match(run, cut) if cut else None  # 根據(jù)桂審報…: the left word's own gloss
    return start + (gloss.end() if gloss else cut)


class DocNumberExtractor:
    label = "DOC_NUMBER"
    name = "rule:doc_number"

    def __init__(self):
        self.regex = patterns("doc_numbers")["doc_number"]

    def find(self, view: TextView) -> list[Entity]:
        found = []
        for m in self.regex.finditer(view.mtext):
            if _PAIRS.get(m.group("open")) != m.group("close"):
                continue  # 〔2023) is not a bracketed year
            start = m.start("open")
            if m.group("issuer"):
                start = issuer_start(view.mtext, m.start("issuer"), m.end("issuer"))
            issuer = strip_glosses(view.text[start:m.start("open")]) or None
            found.append(_entity(view, start, m.end(), self.label, self.name, issuer_code=issuer,
                                 year=int(m.group("year")),
                                 serial=view.text[m.start("serial"):m.end("serial")]))
        return found

    def spans(self, view: TextView) -> list[tuple[int, int]]:
        return [(e.start, e.end) for e in self.find(view)]
