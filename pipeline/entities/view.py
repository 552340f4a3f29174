"""What every rule extractor reads: the original text, its matching copy and the notice date.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field


from pipeline.resources import patterns
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


def gloss_pattern() -> re.Pattern:
    """A pinyin gloss a web page writes after a traditional character (``patterns/glosses.jsonl``)."""
    return patterns("glosses")["pinyin_gloss"]


def strip_glosses(text: str) -> str:
    """``text`` without its pinyin glosses: 審(shěn)計(jì)廳 → 審計廳."""
    return gloss_pattern().sub("", text)


def without_glosses(view: TextView) -> tuple[TextView, list[int] | None]:
    """``view`` with its pinyin glosses (``patterns/glosses.jsonl``) cut out of both texts, and
    for each character left its offset in ``view`` (``None`` and ``view`` itself when there is
    no gloss). A span ``(a, b)`` found in the cut view is ``(origin[a], origin[b - 1] + 1)`` in
    the text: glosses inside stay inside, one after the last character stays out."""
    cuts = [m.span() for m in gloss_pattern().finditer(view.mtext)]
    if not cuts:
        return view, None
    origin: list[int] = []
    pos = 0
    for a, b in cuts + [(len(view.text), len(view.text))]:
        origin.extend(range(pos, a))
        pos = b
    return TextView("".join(view.text[k] for k in origin), "".join(view.mtext[k] for k in origin),
                    view.notice_date), origin


def span_in(origin: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """A span of the cut view (:func:`without_glosses`) as offsets into the text."""
    return (start, end) if origin is None else (origin[start], origin[end - 1] + 1)
