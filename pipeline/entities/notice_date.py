"""The notice's own date: the last full date in its closing lines (its signature).

ANNOTATION.md: relative dates (``今年``, ``以来``) resolve against it, so it is read before the
date ruler runs.
"""
from __future__ import annotations

import datetime as dt
import re

from pipeline.entities.date_values import to_int

_FULL_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?P<ycn>[〇零○一二三四五六七八九]{4})年(?P<mcn>[一二三四五六七八九十]{1,3})月(?P<dcn>[一二三四五六七八九十]{1,3})日"
    r"|(?<!\d)(?P<yi>(?:19|20)\d{2})[-/.](?P<mi>\d{1,2})[-/.](?P<di>\d{1,2})(?!\d)")
SIGNATURE_WINDOW = 300  # characters at the end of a notice where the signature date stands


def signature_date(mtext: str) -> dt.date | None:
    tail_start = max(0, len(mtext.rstrip()) - SIGNATURE_WINDOW)
    found = None
    for m in _FULL_DATE.finditer(mtext, tail_start):
        y = to_int(m.group("y") or m.group("yi") or (m.group("ycn") or "").replace("○", "〇"))
        mo = to_int(m.group("m") or m.group("mi") or m.group("mcn"))
        d = to_int(m.group("d") or m.group("di") or m.group("dcn"))
        try:
            found = dt.date(y, mo, d)
        except (TypeError, ValueError):
            continue
    return found
