"""MONEY: amounts with their unit and currency, values in yuan.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

from pipeline.resources import alternation, pattern_rows, table, word_list
from pipeline.types import Entity
from pipeline.entities.view import TextView, _entity


class MoneyExtractor:
    label = "MONEY"
    name = "rule:money"

    def __init__(self):
        self.rows = pattern_rows("money")
        self.currencies = dict(table("currencies"))
        self.context = re.compile(alternation(word_list("money_context")))

    def find(self, view: TextView) -> list[Entity]:
        found = []
        for row in self.rows:
            for m in row["regex"].finditer(view.mtext):
                if row.get("requires_context"):
                    sentence_start = max(view.mtext.rfind(ch, 0, m.start()) for ch in "。；\n") + 1
                    if not self.context.search(view.mtext, sentence_start, m.start()):
                        continue
                value = self._value(m.group("num"), m.group("unit"))
                if value is None and not re.search(r"[.,]{2}", m.group("num")):
                    continue
                before = view.mtext[max(0, m.start() - 1):m.start()]
                approx = bool(m.group("approx1") or m.group("approx2") or before in ("约", "近"))
                currency = self.currencies.get(m.groupdict().get("cur") or "元", "CNY")
                found.append(_entity(view, m.start(), m.end(), self.label, self.name,
                                     value=value, currency=currency, approx=approx))
        return found

    @staticmethod
    def _value(num: str, unit: str | None) -> float | None:
        multipliers = {None: 1, "": 1, "百": 100, "千": 1000, "万": 10_000, "百万": 1_000_000,
                       "千万": 10_000_000, "亿": 100_000_000, "万亿": 1_000_000_000_000}
        if re.search(r"[.,]{2}", num):
            return None  # 3,.83: a page garbled the number; the amount is there, its value is not
        try:
            if re.fullmatch(r"[\d.,]+", num):
                amount = Decimal(num.replace(",", ""))
            else:
                amount = Decimal(str(cn2an.cn2an(num.replace("两", "二"), "smart")))
            # round() raises InvalidOperation past the context's 28 digits (a 30-digit number)
            return float(round(amount * multipliers[unit], 2))
        except (ValueError, InvalidOperation, KeyError):
            return None
