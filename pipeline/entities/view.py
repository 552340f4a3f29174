"""What every rule extractor reads: the original text, its matching copy and the notice date.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field


from pipeline.types import Entity


_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class TextView:
    text: str  # as decoded: offsets refer to it, values are read from it
    mtext: str  # same length, traditional → simplified, full-width → half-width: for matching
    notice_date: dt.date | None = None
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self):
        if not self.line_starts:
            self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.mtext)]

    def line_of(self, offset: int) -> int:
        import bisect
        return bisect.bisect_right(self.line_starts, offset) - 1


def _entity(view: TextView, start: int, end: int, label: str, source: str, **values) -> Entity:
    return Entity(start=start, end=end, label=label, text=view.text[start:end], source=source, **values)
