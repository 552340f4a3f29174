"""PERSON_COUNT: counts of people (number + person classifier).
"""
from __future__ import annotations

import re


from pipeline.entities import date_values as dates
from pipeline.resources import pattern_rows
from pipeline.types import Entity
from pipeline.entities.view import TextView, _entity


class PersonCountExtractor:
    label = "PERSON_COUNT"
    name = "rule:person_count"
    ONE_INSIDE_WORD = "统唯逐单同专均万第"  # 统一, 唯一, 逐一 ...: the 一 of a word, not a count (明确一名 is one)

    def __init__(self):
        self.rows = pattern_rows("person_counts")

    def find(self, view: TextView) -> list[Entity]:
        found = []
        for row in self.rows:
            for m in row["regex"].finditer(view.mtext):
                num = m.group("num")
                if m.start() and view.mtext[m.start() - 1] in ".．":
                    # 19.5名干部 is item 19 about 5 people; 2.5人 is no count at all.
                    line_start = view.line_starts[view.line_of(m.start())]
                    if not re.fullmatch(r"[ \t\u3000]*\d{1,3}[.．]", view.mtext[line_start:m.start()]):
                        continue
                if num == "一" and m.start() and view.mtext[m.start() - 1] in self.ONE_INSIDE_WORD:
                    continue  # 统一名称, 唯一名额, 逐一位: 一 inside a word, not a count
                value = dates.to_int(num)
                if value is None:  # 0人 is a count too: nobody was held accountable
                    continue
                found.append(_entity(view, m.start(), m.end(), self.label, self.name, value=float(value)))
        return found
