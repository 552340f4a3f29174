"""The notice's own date: its signature date, else its publication date (ANNOTATION.md).

Relative dates (``今年``, ``以来``) resolve against it, so it is read before the date ruler runs.

* Signature: the last full date in the closing lines that ends its line (a date followed by more
  text on its line is an event in the body: a page cut before its signature has none).
* Report date: a report opens with the day it was given, ``——2024年11月26日在…会议上``.
* Publication: on a web page, the first full date in the opening lines that follows a publication
  marker on its line (``发布时间：``, ``日期：``, ``lexicons/publication_markers.txt``), carries a
  clock time (``2021-10-23 20:38``: a page's time stamp), stands alone on its line apart from
  punctuation (a newspaper's date line) or alone in brackets after a title (``(2024-07-26)``).
"""
from __future__ import annotations

import datetime as dt
import functools
import re

from pipeline.entities.date_values import to_int
from pipeline.resources import alternation, word_list

_FULL_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?P<ycn>[〇零○一二三四五六七八九]{4})年(?P<mcn>[一二三四五六七八九十]{1,3})月(?P<dcn>[一二三四五六七八九十]{1,3})日"
    r"|(?<!\d)(?P<yi>(?:19|20)\d{2})[-/.](?P<mi>\d{1,2})[-/.](?P<di>\d{1,2})(?!\d)"
    r"|(?<![\d.])(?P<dr>\d{1,2})\.(?P<mr>\d{1,2})\.(?P<yr>(?:19|20)\d{2})(?=[ \u3000]{1,3}\d{1,2}:\d{2})")
SIGNATURE_WINDOW = 300  # characters at the end of a notice where the signature date stands
PUBLICATION_WINDOW = 400  # characters at the start of a page where its time stamp stands
_CLOCK_AFTER = re.compile(r"[ \u3000]{0,3}\d{1,2}:\d{2}")
_REPORT_DASH = re.compile(r"[ \t\u3000]*[—－―]{1,2}[ \t\u3000]*$")
_PUNCT_ONLY = re.compile(r"[\s\W_]*")


def _value(m: re.Match) -> dt.date | None:
    y = to_int(m.group("y") or m.group("yi") or m.group("yr") or (m.group("ycn") or "").replace("○", "〇"))
    mo = to_int(m.group("m") or m.group("mi") or m.group("mr") or m.group("mcn"))
    d = to_int(m.group("d") or m.group("di") or m.group("dr") or m.group("dcn"))
    try:
        return dt.date(y, mo, d)
    except (TypeError, ValueError):
        return None


def signature_date(mtext: str) -> dt.date | None:
    """The last full date of the closing lines that ends its line."""
    tail_start = max(0, len(mtext.rstrip()) - SIGNATURE_WINDOW)
    found = None
    for m in _FULL_DATE.finditer(mtext, tail_start):
        rest = mtext[m.end():].split("\n", 1)[0]
        if rest.strip(" \t\u3000\r") == "":
            found = _value(m) or found
    return found


@functools.cache
def _publication_marker() -> re.Pattern:
    return re.compile(alternation(word_list("publication_markers")))


def publication_date(mtext: str) -> dt.date | None:
    """The page's publication time stamp in its opening lines, if it has one."""
    head = mtext[:PUBLICATION_WINDOW]
    for m in _FULL_DATE.finditer(head):
        line_start = head.rfind("\n", 0, m.start()) + 1
        before = head[line_start:m.start()]
        line_end = head.find("\n", m.end())
        after = head[m.end():line_end if line_end >= 0 else len(head)]
        bracketed = before.rstrip()[-1:] in ("(", "（") and after.lstrip()[:1] in (")", "）")
        alone = _PUNCT_ONLY.fullmatch(before) and _PUNCT_ONLY.fullmatch(after)
        if _publication_marker().search(before) or _CLOCK_AFTER.match(head, m.end()) or alone or bracketed:
            value = _value(m)
            if value is not None:
                return value
    return None


def report_date(mtext: str) -> dt.date | None:
    """The date a report was given, from its ``——date在…`` line in the opening lines."""
    head = mtext[:PUBLICATION_WINDOW]
    for m in _FULL_DATE.finditer(head):
        line_start = head.rfind("\n", 0, m.start()) + 1
        if _REPORT_DASH.fullmatch(head[line_start:m.start()]):
            return _value(m)
    return None


def notice_date(mtext: str) -> dt.date | None:
    """The signature date, else the report date, else the publication date."""
    return signature_date(mtext) or report_date(mtext) or publication_date(mtext)
