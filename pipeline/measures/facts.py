"""Facts: what a number inside a measure counts (ANNOTATION.md, section "Facts").

Rules only. A number is a ``PERSON_COUNT`` (category people), a ``MONEY`` (money) or a counted
thing that is no entity (``12项``, ``5件``, ``3个``: things). It takes the kind of a trigger of
its category (``lexicons/fact_triggers.tsv``) inside its clause (the measure split at ``，；。：``
...): a trigger inside its own part of a ``、`` list first (``给予党纪处分3人、政务处分2人``), then
the kind listed first in the lexicon (the specific sanction before 问责, the action 追缴 before
the description 违规), then the nearest, a trigger before the number at equal distance. A clause
without a trigger may take one from the next clause when that goes on about it (``，已全部收回``)
or from the one before when it only gives the amount (``，折合4.8万元``). A number without a
trigger is in no fact. ``其中`` makes the facts after it parts of the fact before it; ``共计``
makes a fact the total of the earlier ones (``lexicons/fact_context_words.tsv``), so rollups
can count each person or yuan once.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

from pipeline.entities import date_values
from pipeline.resources import alternation, table
from pipeline.types import Entity, Fact

CLAUSE_BREAKS = "，,；;。！？!?：:\n"
LIST_BREAK = "、"
CATEGORY_OF_LABEL = {"PERSON_COUNT": "people", "MONEY": "money"}
_PEOPLE_UNIT = re.compile(r"(人次|人|名|位)$")
# 6个月, 5个工作日, 2.3个百分点, 一项目一策, 四个一: a duration, a rate or a slogan, not a count
NOT_A_COUNT = "(?!月|工作日|百分点|小时|目|一)"
TOTAL_REACH = 4
# A next clause that goes on about the same thing (no new object): 已全部收回, 均已退还, 全部清退到位
CONTINUES = re.compile(r"(?:已|均|并|全部|目前|现)")
# A clause that only gives the amount of what the clause before names: 折合4.8万元, 共计3万元
CONTINUED = re.compile(r"(?:折合|共计|合计|总计|价值|计)")  # a total word stands at most this many characters before its fact


@dataclass(frozen=True)
class FactKind:
    kind: str
    category: str
    triggers: tuple[str, ...]
    classifiers: tuple[str, ...]
    requires: tuple[str, ...]


def _words(cell: str) -> tuple[str, ...]:
    return () if cell in ("", "-") else tuple(w for w in cell.split("|") if w)


@functools.cache
def fact_kinds() -> tuple[FactKind, ...]:
    """The kinds of ``lexicons/fact_triggers.tsv`` in file order."""
    return tuple(FactKind(row[0], row[1], _words(row[2]), _words(row[3]), _words(row[4]))
                 for row in table("fact_triggers", 5))


def kind_names() -> tuple[str, ...]:
    """Every kind once, in file order."""
    return tuple(dict.fromkeys(k.kind for k in fact_kinds()))


def kinds_of(category: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k.kind for k in fact_kinds() if k.category == category))


@functools.cache
def _context_words() -> dict[str, tuple[str, ...]]:
    return {row[0]: _words(row[1]) for row in table("fact_context_words", 2)}


@dataclass
class _Number:
    start: int
    end: int
    category: str
    quantity: float
    unit: str
    is_entity: bool
    classifier: str | None = None


class FactExtractor:
    def __init__(self):
        self.kinds = fact_kinds()
        self.triggers: dict[str, list[tuple[str, FactKind]]] = {}
        for k in self.kinds:
            self.triggers.setdefault(k.category, []).extend((t, k) for t in k.triggers)
        words = _context_words()
        decoys = words.get("not_triggers", ())
        # a decoy blocks the triggers of the categories it holds a trigger of
        self.trigger_regex = {cat: re.compile(alternation(
            [t for t, _ in rows] + [d for d in decoys if any(t in d for t, _ in rows)]))
            for cat, rows in self.triggers.items()}
        self.rank: dict[str, int] = {}
        for n, k in enumerate(self.kinds):
            self.rank.setdefault(k.kind, n)
        self.kind_of_trigger = {cat: {t: k for t, k in rows} for cat, rows in self.triggers.items()}
        classifiers = sorted({c for k in self.kinds for c in k.classifiers})
        self.thing = re.compile(r"(?<![\d.．第])(?P<num>\d+|[一二三四五六七八九十两百千]+)(?:余|多)?(?P<cls>"
                                + alternation(classifiers) + ")" + NOT_A_COUNT) if classifiers else None
        self.parts_follow = tuple(words.get("parts_follow", ()))
        self.total_follows = tuple(words.get("total_follows", ()))
        self.mixed = tuple(words.get("mixed_kinds", ()))
        self.generic_people = (words.get("generic_people") or (None,))[0]

    # ------------------------------------------------------------------ numbers

    def _numbers(self, mtext: str, start: int, end: int, entities: Sequence[Entity]) -> list[_Number]:
        inside = [e for e in entities if start <= e.start and e.end <= end]
        out = []
        for e in inside:
            category = CATEGORY_OF_LABEL.get(e.label)
            if category is None or e.value is None:
                continue
            if category == "people":
                m = _PEOPLE_UNIT.search(e.text)
                unit = m.group(1) if m else "人"
            else:
                unit = "元" if (e.currency or "CNY") == "CNY" else e.currency
            out.append(_Number(e.start, e.end, category, float(e.value), unit, True))
        if self.thing is not None:
            for m in self.thing.finditer(mtext, start, end):
                if any(e.start < m.end() and m.start() < e.end for e in entities):
                    continue  # part of a date, an amount, a person count or a title
                value = date_values.to_int(m.group("num"))
                if value is not None:
                    out.append(_Number(m.start(), m.end(), "things", float(value), m.group("cls"),
                                       False, m.group("cls")))
        return sorted(out, key=lambda n: n.start)

    # ------------------------------------------------------------------ triggers

    @staticmethod
    def _bounds(mtext: str, lo: int, hi: int, at: int, end: int, breaks: str) -> tuple[int, int]:
        s = at
        while s > lo and mtext[s - 1] not in breaks:
            s -= 1
        e = end
        while e < hi and mtext[e] not in breaks:
            e += 1
        return s, e

    def _trigger(self, mtext: str, number: _Number, clause: tuple[int, int], segment: tuple[int, int],
                 entities: Sequence[Entity] = ()):
        regex = self.trigger_regex.get(number.category)
        if regex is None:
            return None
        found = []
        for m in regex.finditer(mtext, clause[0], clause[1]):
            if m.start() < number.end and number.start < m.end():
                continue
            kind = self.kind_of_trigger[number.category].get(m.group())
            if kind is None or any(e.start < m.end() and m.start() < e.end for e in entities):
                continue  # a decoy (总投资), or a word inside a title or a name (《…收缴管理办法》)
            if number.category == "things":
                if number.classifier not in kind.classifiers:
                    continue
                if kind.requires and not any(w in mtext[clause[0]:clause[1]] for w in kind.requires):
                    continue
            before = m.end() <= number.start
            distance = number.start - m.end() if before else m.start() - number.end
            in_segment = segment[0] <= m.start() and m.end() <= segment[1]
            # The kind listed first in the lexicon wins (the specific sanction over 问责, the action
            # 追缴 over the description 违规), then the nearer trigger.
            found.append(((not in_segment, self.rank[kind.kind], distance, not before), m, kind))
        if not found:
            return None
        _, m, kind = min(found, key=lambda f: f[0])
        if number.category == "people" and self.generic_people and kind.kind != self.generic_people:
            after = mtext[number.end:clause[1]]
            named = {k.kind for _, _, k in found if k.kind != self.generic_people}
            if len(named) > 1 and any(w in after for w in self.mixed):
                generic = next(k for k in self.kinds if k.kind == self.generic_people and k.category == "people")
                return m, generic  # 分别给予党内警告和批评教育: the number counts people of both kinds
        return m, kind

    # ------------------------------------------------------------------ facts

    def find(self, text: str, mtext: str, measures: Sequence[tuple[int, int]],
             entities: Sequence[Entity]) -> list[Fact]:
        """The facts inside each measure ``(start, end)``, in text order."""
        facts: list[Fact] = []
        for index, (lo, hi) in enumerate(measures):
            here: list[Fact] = []
            numbers = self._numbers(mtext, lo, hi, entities)
            for number in numbers:
                clause = self._bounds(mtext, lo, hi, number.start, number.end, CLAUSE_BREAKS)
                segment = self._bounds(mtext, clause[0], clause[1], number.start, number.end,
                                       CLAUSE_BREAKS + LIST_BREAK)
                hit = self._trigger(mtext, number, clause, segment, entities)
                if hit is None and clause[1] < hi:
                    # 结余资金61.3万元，已全部收回: a next clause without a number of its own says it
                    following = self._bounds(mtext, lo, hi, clause[1] + 1, clause[1] + 1, CLAUSE_BREAKS)
                    if CONTINUES.match(mtext, following[0]) and not any(
                            n.category == number.category and following[0] <= n.start < following[1]
                            for n in numbers):
                        hit = self._trigger(mtext, number, following, following, entities)
                if hit is None and clause[0] > lo and CONTINUED.match(mtext, clause[0]):
                    # 责令退赔违规收受的购物卡、礼金，折合4.8万元: the clause before says what it is
                    before = self._bounds(mtext, lo, hi, clause[0] - 1, clause[0] - 1, CLAUSE_BREAKS)
                    hit = self._trigger(mtext, number, before, before, entities)
                if hit is None:
                    continue
                m, kind = hit
                here.append(Fact(start=number.start, end=number.end, text=text[number.start:number.end],
                                 kind=kind.kind, category=number.category, quantity=number.quantity,
                                 unit=number.unit, measure_index=index, is_entity=number.is_entity,
                                 trigger=text[m.start():m.end()], trigger_start=m.start(), trigger_end=m.end()))
            self._breakdowns(mtext, lo, hi, here)
            facts.extend(here)
        return facts

    def _breakdowns(self, mtext: str, lo: int, hi: int, facts: list[Fact]) -> None:
        """Set ``part_of`` for 其中 parts and for the parts before a 共计 total."""
        for k, fact in enumerate(facts):
            earlier = [f for f in facts[:k] if f.category == fact.category]
            if not earlier:
                continue
            first = min(fact.start, fact.trigger_start if fact.trigger_start is not None else fact.start)
            window = mtext[max(lo, first - TOTAL_REACH):first]
            if any(w in window for w in self.total_follows):
                for part in earlier:
                    if part.part_of is None:
                        part.part_of = fact.start
                continue
            for total in reversed(earlier):
                between = mtext[total.end:first]
                if any(w in between for w in self.parts_follow):
                    fact.part_of = total.part_of if total.part_of is not None else total.start
                    break


@functools.cache
def default_extractor() -> FactExtractor:
    return FactExtractor()
