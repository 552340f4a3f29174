"""Resolve a matched date expression to an inclusive ``[start_date, end_date]`` period.

ANNOTATION.md decides every value: a year is Jan 1 – Dec 31, a month its first and last day;
``年初`` is Jan 1 – Mar 31, ``年底/年末`` Oct 1 – Dec 31; ``上半年``/``下半年`` the two halves;
``上旬/中旬/下旬`` days 1–10, 11–20, 21–end; relative words (``今年``) and open periods (``起``,
``以来``) resolve against the notice date. ``近N年`` is the N years up to the notice date.
What cannot be resolved stays ``None``.
"""
from __future__ import annotations

import calendar
import datetime as dt

import cn2an

RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
RELATIVE_DAYS = {"昨天": -1, "昨日": -1, "前天": -2}


def to_int(token: str | None) -> int | None:
    """Arabic or Chinese numerals (``二〇二三``, ``十二``, ``两``) as an int, via cn2an."""
    if not token:
        return None
    if token.isdigit():
        return int(token)
    try:
        if all(ch in "〇零一二三四五六七八九" for ch in token) and len(token) == 4:
            return int("".join(str("〇一二三四五六七八九".index(ch)) if ch != "零" else "0" for ch in token))
        return int(cn2an.cn2an(token.replace("两", "二"), "smart"))
    except (ValueError, KeyError):
        return None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _safe_date(year, month, day) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (TypeError, ValueError):
        return None


def month_period(year: int, month: int, part: str | None) -> tuple[dt.date, dt.date] | None:
    if not 1 <= month <= 12:
        return None
    last = _last_day(year, month)
    days = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, last), "初": (1, 10),
            "底": (21, last), "末": (21, last)}.get(part or "", (1, last))
    return dt.date(year, month, days[0]), dt.date(year, month, days[1])


def year_period(year: int, part: str | None) -> tuple[dt.date, dt.date]:
    spans = {"初": ((1, 1), (3, 31)), "底": ((10, 1), (12, 31)), "末": ((10, 1), (12, 31)),
             "上半年": ((1, 1), (6, 30)), "下半年": ((7, 1), (12, 31))}
    for q, name in enumerate(("一季度", "二季度", "三季度", "四季度")):
        first = 3 * q + 1
        spans[name] = spans["第" + name] = ((first, 1), (first + 2, _last_day(year, first + 2)))
    (m1, d1), (m2, d2) = spans.get(part or "", ((1, 1), (12, 31)))
    return dt.date(year, m1, d1), dt.date(year, m2, d2)


def shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def split_glued(digits: str) -> tuple[int, int] | None:
    """Month and day of digits that lost their 月 (``425`` → 4, 25; ``1116`` → 11, 16).

    Three digits read as one-digit month + two-digit day when that day exists (``115`` → 1, 15),
    else two-digit month + one-digit day (``125`` is 1, 25; ``109`` → 10, 9 needs month 10).
    """
    n = len(digits)
    if n == 2:
        m, d = int(digits[0]), int(digits[1])
    elif n == 3:
        m, d = int(digits[0]), int(digits[1:])
        if not (1 <= m <= 12 and 1 <= d <= 31):
            m, d = int(digits[:2]), int(digits[2])
    elif n == 4:
        m, d = int(digits[:2]), int(digits[2:])
    else:
        return None
    return (m, d) if 1 <= m <= 12 and 1 <= d <= 31 else None


def _resolve_glued(g: dict, context_year: int | None) -> tuple[dt.date | None, dt.date | None] | None:
    first = split_glued(g["glued"])
    if first is None:
        return None
    year = to_int(g.get("y")) or context_year
    if year is None:
        return (None, None)
    start = _safe_date(year, *first)
    if start is None:
        return None
    end = start
    if "glued2" in g:
        second = g["glued2"]
        y2 = to_int(g.get("y2")) or year
        if len(second) <= 2 and len(g["glued"]) >= 3:  # 1116日至18日: the day only
            end = _safe_date(y2, first[0], int(second))
        else:
            md = split_glued(second)
            end = _safe_date(y2, *md) if md else None
        if end is None or end < start:
            return None
    return start, end


def resolve(groups: dict, notice_date: dt.date | None, context_year: int | None) -> tuple[dt.date | None, dt.date | None] | None:
    """The period a match's named groups denote; ``None`` when the match is not a valid date.

    ``context_year`` is the year a date without its own year takes (see ``Resolver``).
    Returns ``(None, None)`` for a valid date whose value cannot be resolved.
    """
    g = {k: v for k, v in groups.items() if v}
    if "glued" in g:
        return _resolve_glued(g, context_year)
    if "relday" in g:
        if notice_date is None:
            return (None, None)
        day = notice_date + dt.timedelta(days=RELATIVE_DAYS[g["relday"]])
        return day, day
    if "neard" in g:
        if notice_date is None:
            return (None, None)
        return notice_date - dt.timedelta(days=int(g["neard"])), notice_date
    if "nearm" in g:
        n = to_int(g["nearm"])
        if not n or notice_date is None:
            return (None, None)
        months = notice_date.year * 12 + notice_date.month - 1 - n
        year, month = divmod(months, 12)
        return _safe_date(year, month + 1, min(notice_date.day, _last_day(year, month + 1))), notice_date
    if "near" in g:
        n = to_int(g["near"])
        if not n or notice_date is None or notice_date.year - n < dt.MINYEAR:
            return (None, None)
        return shift_years(notice_date, -n), notice_date
    year = None
    if "rel" in g:
        if notice_date is None:
            return (None, None)
        year = notice_date.year + RELATIVE_YEARS[g["rel"]]
    elif "y" in g or "ycn" in g:
        year = to_int(g.get("y") or g.get("ycn"))
    else:
        year = context_year
    month, day = to_int(g.get("m")), to_int(g.get("d"))
    if month is not None and not 1 <= month <= 12:
        return None
    if year is None:
        return (None, None)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # 〇〇〇〇年, or 明年 in a notice dated 9999
        return None
    part = g.get("part")
    if part == "度":
        part = None
    if day is not None:
        start = _safe_date(year, month, day)
        if start is None:
            return None
        end = start
    elif month is not None:
        period = month_period(year, month, part)
        if period is None:
            return None
        start, end = period
        if "part_to" in g:  # 3月上旬至中旬: one range inside the month
            end = month_period(year, month, g["part_to"])[1]
    else:
        start, end = year_period(year, part)
    # The second point of a range borrows what it leaves out from the first.
    if "m2" in g or "y2" in g or "m3" in g or "d2" in g:
        y2 = to_int(g.get("y2")) or year
        m2 = to_int(g.get("m2") or g.get("m3"))
        d2 = to_int(g.get("d2"))
        if m2 is None and d2 is not None:
            m2 = month
        if d2 is not None:
            end = _safe_date(y2, m2, d2)
        elif m2 is not None:
            period = month_period(y2, m2, g.get("part2"))
            end = period[1] if period else None
        else:
            end = year_period(y2, g.get("part2"))[1]
        if end is None or end < start:
            return None
    if "open" in g:
        end = notice_date
        if end is not None and end < start:
            # A period that opens after the notice date (a plan: 2024年3月起 in a 2023 notice)
            # has no known end yet.
            end = start if g["open"] == "来" else None
    return start, end
