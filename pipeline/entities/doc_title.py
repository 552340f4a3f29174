"""DOC_TITLE: titles in 《》 and the document type read from their ending.
"""
from __future__ import annotations

import re


from pipeline.resources import patterns, word_list
from pipeline.types import Entity
from pipeline.entities.view import TextView, _entity


class DocTitleExtractor:
    label = "DOC_TITLE"
    name = "rule:doc_title"

    def __init__(self):
        p = patterns("doc_titles")
        self.title, self.trailer = p["doc_title"], p["title_trailer"]
        self.kinds = sorted(word_list("doc_kinds"), key=len, reverse=True)

    def find(self, view: TextView) -> list[Entity]:
        found = []
        for m in self.title.finditer(view.mtext):
            start, end = m.span("title")
            found.append(_entity(view, start, end, self.label, self.name,
                                 kind=self.kind_of(view.mtext[start:end])))
        return found

    def kind_of(self, title: str) -> str:
        core = self.trailer.sub("", title.strip())
        core = re.sub(r"[〉>」』”\"]+$", "", core)
        for kind in self.kinds:
            if core.endswith(kind):
                return kind
        return ""
