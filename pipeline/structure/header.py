"""Notice-level facts: title, issuer, signature date, who inspected and when.

The signature date (the notice date) is read earlier, by :mod:`pipeline.entities.notice_date`,
because relative dates resolve against it. The inspection period is the first date range in the introduction; the
feedback date is the first other date in a sentence that speaks of 反馈.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.resources import patterns
from pipeline.types import Entity

_P = patterns("structure")

@dataclass
class Header:
    title: str | None = None
    issuer: str | None = None
    notice_date: dt.date | None = None
    inspection_body: str | None = None
    inspection_start: dt.date | None = None
    inspection_end: dt.date | None = None
    feedback_date: dt.date | None = None
    intro_start: int | None = None
    intro_end: int | None = None


def parse_header(text: str, mtext: str, lines, first_heading: int | None, dates: list[Entity]) -> Header:
    header = Header()
    head_lines = [line for line in lines if first_heading is None or line.start < first_heading][:12]
    for k, line in enumerate(head_lines):
        if _P["title_line"].search(line.text) and ("关于" in line.text or "通报" in line.text):
            header.title = text[line.start:line.end]
            before = [l for l in head_lines[:k] if not re.match(r"附件\s*\d*$", l.text)]
            if "关于" in line.text and line.text.index("关于") > 1:
                header.issuer = text[line.start:line.start + line.text.index("关于")]
            elif before:
                header.issuer = text[before[-1].start:before[-1].end]
            intro = next((l for l in head_lines[k + 1:] if re.search("巡视|巡察", l.text)), None)
            if intro:
                header.intro_start, header.intro_end = intro.start, intro.end
            break
    if header.intro_start is None:
        intro = next((l for l in head_lines if re.search("巡视|巡察", l.text) and len(l.text) > 30), None)
        if intro:
            header.intro_start, header.intro_end = intro.start, intro.end
    if header.intro_start is not None:
        a, b = header.intro_start, header.intro_end
        body = _P["inspection_body"].search(mtext, a, b)
        if body:
            header.inspection_body = text[body.start():body.end()]
        intro_dates = [e for e in dates if a <= e.start < b and e.start_date]
        period = next((e for e in intro_dates if e.end_date and e.end_date > e.start_date), None)
        if period:
            header.inspection_start, header.inspection_end = period.start_date, period.end_date
        for e in intro_dates:
            if e is period:
                continue
            sentence_start = max(mtext.rfind(ch, a, e.start) for ch in "。；") + 1
            sentence_end = min((i for i in (mtext.find(ch, e.end, b) for ch in "。；") if i >= 0), default=b)
            if "反馈" in mtext[max(a, sentence_start):sentence_end]:
                header.feedback_date = e.start_date
                break
    return header
