"""Notice-level facts: title, issuer, signature date, who inspected and when.

The signature date (the notice date) is read earlier, by :mod:`pipeline.entities.notice_date`,
because relative dates resolve against it. The inspection period is the first date range in the introduction; the
feedback date is the first other date in a sentence that speaks of 反馈.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.entities.view import TextView, span_in, strip_glosses, without_glosses
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
    period_at: int | None = None  # where the inspection period is written


INSPECTOR_SEARCH = 1200  # characters from the start where the introduction names the inspector
SENTENCE_ENDS = "。！？\n"
CLAUSE_ENDS = "。；;！？\n"  # web pages write the semicolon half-width too


def _inspectors(mtext: str, orgs: list[Entity]) -> list[Entity]:
    """Organisations named near the start whose name ends like an inspecting body
    (``inspector_name`` in ``patterns/structure.jsonl``: 巡视组, 巡察七组, 督察组, 审计厅 ...), or
    committees the text after tells that they inspected (``committee_inspects``: 校党委对学院开展了巡察);
    failing all these, committees whose inspection is named (``committee_inspection``: 省委巡视反馈意见)."""
    def inspects(e: Entity, form: str) -> bool:
        name = strip_glosses(mtext[e.start:e.end])
        return bool(_P["inspector_name"].search(name) or (
            _P["committee_name"].search(name) and _P[form].match(mtext, e.end)))
    near = [e for e in sorted(orgs, key=lambda e: e.start) if e.start < INSPECTOR_SEARCH]
    return [e for e in near if inspects(e, "committee_inspects")] or \
        [e for e in near if _P["committee_name"].search(mtext, e.start, e.end) and inspects(e, "committee_inspection")]


def _counted_teams(mtext: str) -> tuple[int, int] | None:
    """区委4个巡察组 near the start (``counted_teams``), read without pinyin glosses."""
    cut, origin = without_glosses(TextView(mtext, mtext))
    m = _P["counted_teams"].search(cut.mtext, 0, INSPECTOR_SEARCH)
    return span_in(origin, *m.span()) if m else None


def _named_body(mtext: str, inspectors: list[Entity], period_at: int | None) -> Entity:
    """The first inspector as written, unless it is an unnumbered team (市委巡察组反馈意见) and the
    sentence that tells the period names the team (兴宁市委机动巡察一组对…进行了巡察)."""
    first = inspectors[0]
    name = strip_glosses(mtext[first.start:first.end])
    if period_at is not None and _P["unnumbered_team"].fullmatch(name):
        a, b = _sentence(mtext, period_at)
        return next((e for e in inspectors[1:] if a <= e.start < b and _P["team_name"].search(mtext, e.start, e.end)), first)
    return first


def _sentence(mtext: str, pos: int) -> tuple[int, int]:
    a = max(mtext.rfind(ch, 0, pos) for ch in SENTENCE_ENDS) + 1
    ends = [i for i in (mtext.find(ch, pos) for ch in SENTENCE_ENDS) if i >= 0]
    return a, min(ends, default=len(mtext))


def _whole_years(e: Entity) -> bool:
    return (e.start_date.month, e.start_date.day, e.end_date.month, e.end_date.day) == (1, 1, 12, 31)


def _read_inspection_dates(header: Header, mtext: str, dates: list[Entity], a: int, b: int) -> bool:
    """The inspection period: the first range in the sentence from ``a`` to ``b`` (else in the one
    before); the feedback date: the first other date in the next sentences that speak of 反馈.
    True when a period or a feedback date was found."""
    def ranges(lo, hi):
        found = [e for e in dates if lo <= e.start < hi and e.start_date and e.end_date and e.end_date > e.start_date
                 and not mtext[e.start:e.end].endswith(("以来", "起", "来", "至今"))
                 and not _P["not_a_period_before"].search(mtext, max(0, e.start - 4), e.start)]
        # a whole year is the period only when it leads the clause and no other range is written
        # (2017年，县委巡察组对3个乡镇开展了巡察); 2021年度 names a budget or reporting year
        return [e for e in found if not _whole_years(e)] or \
            [e for e in found if _whole_years(e) and _P["leading_year"].fullmatch(mtext, e.start, e.end + 1)]
    period = next(iter(ranges(a, b)), None)
    if period is None and a > 0:
        before = max(mtext.rfind(ch, 0, a - 1) for ch in SENTENCE_ENDS) + 1
        period = next(iter(ranges(before, a)), None)
    if period is None and b < len(mtext):  # a title's mention: the introduction follows
        period = next(iter(ranges(b, _sentence(mtext, b + 1)[1])), None)
    if period:
        header.inspection_start, header.inspection_end = period.start_date, period.end_date
        header.period_at = period.start
    else:
        header.inspection_start = header.inspection_end = header.period_at = None
    header.feedback_date = None
    stop = b
    for _ in range(3):  # the feedback is told in the same sentence or shortly after
        nxt = [i for i in (mtext.find(ch, stop + 1) for ch in "。！？") if i >= 0]
        stop = min(nxt, default=len(mtext))
    after = period.end if period else a
    for e in sorted(dates, key=lambda e: e.start):
        if e is period or not (a <= e.start < stop) or e.start < after or not e.start_date:
            continue
        if _P["not_a_period_before"].search(mtext, max(0, e.start - 4), e.start):
            continue  # 截至9月底: a date things are counted up to
        if period and (e.end_date or e.start_date) < period.start_date:
            continue  # feedback is not given before the inspection began
        if (e.end_date and (e.end_date - e.start_date).days > 30) or \
                mtext[e.start:e.end].endswith(("以来", "起", "来", "至今")):
            continue  # feedback is given on a day (or in a month): not 2016年, 2016年以来, 5月至7月
        if _tells_feedback(mtext, e):
            header.feedback_date = e.start_date
            if _whole_month(e):  # a month: the day, if a later clause tells it
                day = next((d for d in sorted(dates, key=lambda d: d.start) if d.start > e.end and d.start_date
                            and d.start_date == d.end_date and e.start_date <= d.start_date <= e.end_date
                            and _tells_feedback(mtext, d)), None)
                if day is not None:
                    header.feedback_date = day.start_date
            return True
    return period is not None


def _whole_month(e: Entity) -> bool:
    return bool(e.start_date and e.end_date) and e.start_date.day == 1 and e.end_date.month == e.start_date.month \
        and (e.end_date + dt.timedelta(days=1)).day == 1 and e.end_date > e.start_date


def _tells_feedback(mtext: str, e: Entity) -> bool:
    """The clause around ``e`` tells the feedback itself (``feedback_event``)."""
    s_start = max(mtext.rfind(ch, 0, e.start) for ch in CLAUSE_ENDS) + 1
    ends = [i for i in (mtext.find(ch, e.end) for ch in CLAUSE_ENDS) if i >= 0]
    return bool(_P["feedback_event"].search(mtext, s_start, min(ends, default=len(mtext))))


def parse_header(text: str, mtext: str, lines, first_heading: int | None, dates: list[Entity],
                 orgs: list[Entity] = ()) -> Header:
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
            intro = next((l for l in head_lines[k + 1:] if _P["inspection_word"].search(l.text)), None)
            if intro:
                header.intro_start, header.intro_end = intro.start, intro.end
            break
    if header.intro_start is None:
        intro = next((l for l in head_lines if _P["inspection_word"].search(l.text) and len(l.text) > 30), None)
        if intro:
            header.intro_start, header.intro_end = intro.start, intro.end
    inspectors = _inspectors(mtext, orgs)
    counted = _counted_teams(mtext)
    if counted and (not inspectors or counted[0] < inspectors[0].start):
        # several teams inspected (区委4个巡察组): the count phrase names the inspecting body
        inspectors = [Entity(start=counted[0], end=counted[1], label="ORG", text=text[counted[0]:counted[1]])] + inspectors
    if inspectors:
        # the dates stand in the sentence that tells the inspection, often not the title's mention
        for e in inspectors:
            a, b = _sentence(mtext, e.start)
            if _read_inspection_dates(header, mtext, dates, a, b) and header.inspection_start:
                break
        else:
            a, b = _sentence(mtext, inspectors[0].start)
            _read_inspection_dates(header, mtext, dates, a, b)
        for e in inspectors if header.feedback_date is None else ():
            # the feedback may be told where the team is named again (5月31日，中央第五巡视组向…反馈)
            probe = Header()
            _read_inspection_dates(probe, mtext, dates, *_sentence(mtext, e.start))
            if probe.feedback_date and (header.inspection_end is None or probe.feedback_date >= header.inspection_end):
                header.feedback_date = probe.feedback_date
                break
        body = _named_body(mtext, inspectors, header.period_at)
        shared = _P["coordinated_committee"].search(mtext, max(0, body.start - 4), body.start)
        header.inspection_body = text[shared.start() if shared else body.start:body.end]
    elif header.intro_start is not None:
        a, b = header.intro_start, header.intro_end
        body = _P["inspection_body"].search(mtext, a, b)
        if body:
            header.inspection_body = text[body.start():body.end()]
        _read_inspection_dates(header, mtext, dates, a, b)
        if header.inspection_start is None:
            # no inspector named: the line after a news lead may tell the inspection with its period
            # (新华社…电 …公布了巡视整改情况 | 2021年5月至7月，十九届中央第七轮巡视对…开展巡视)
            line = next((l for l in head_lines if l.start > b and l.text.strip()), None)
            if line is not None and _P["inspection_word"].search(line.text):
                probe = Header()
                _read_inspection_dates(probe, mtext, dates, line.start, line.end)
                if probe.inspection_start:
                    header.inspection_start, header.inspection_end = probe.inspection_start, probe.inspection_end
                    header.feedback_date = header.feedback_date or probe.feedback_date
    return header
