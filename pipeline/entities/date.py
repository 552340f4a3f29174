"""DATE: calendar points and periods by pattern, values by :mod:`pipeline.entities.date_values`.
"""
from __future__ import annotations



from pipeline.entities import date_values as dates
from pipeline.entities.doc_number import DocNumberExtractor
from pipeline.resources import pattern_rows
from pipeline.types import Entity
from pipeline.entities.view import TextView, _entity


class DateExtractor:
    label = "DATE"
    name = "rule:date"

    def __init__(self):
        rows = pattern_rows("dates")
        self.rows = [r for r in rows if r.get("role") != "suffix"]
        self.suffixes = [r["regex"] for r in rows if r.get("role") == "suffix"]
        self.doc_numbers = DocNumberExtractor()


    def find(self, view: TextView) -> list[Entity]:
        candidates = []
        # The year of 益高发〔2023〕12号 or (2022)100号 is part of a document number, never a date.
        inside = self.doc_numbers.spans(view)
        for row in self.rows:
            for m in row["regex"].finditer(view.mtext):
                if m.end() > m.start() and not any(s < m.end() and m.start() < e for s, e in inside):
                    candidates.append((m.start(), m.end(), row["id"], m))
        # Longest match first at each place, so 2023年3月8日至6月10日 is one range.
        candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        chosen, last_end = [], -1
        for start, end, pid, m in candidates:
            if start >= last_end:
                end = self._with_suffix(view.mtext, end)
                chosen.append((start, end, pid, m))
                last_end = end
        entities = []
        explicit_years: list[tuple[int, int, int | None]] = []  # (offset, line, year)
        resolved_days: dict[str, int] = {}  # a month-day without year → the year it was given
        for start, end, pid, m in chosen:
            groups = m.groupdict()
            if pid == "month_without_year" and not any(groups.get(k) for k in ("d", "m2", "m3", "d2")) \
                    and not groups.get("part") and not groups.get("open") and not m.group(0).endswith("份") \
                    and not self._month_context(view, start, end):
                continue  # a bare 3月 is too often part of something else (3月一次)
            context_year = None
            if not (groups.get("y") or groups.get("ycn") or groups.get("rel") or groups.get("near")
                    or groups.get("relday") or groups.get("nearm") or groups.get("neard")):
                context_year = self._context_year(view, start, explicit_years)
                # The same month-day told again (722日反馈会后) is the day already resolved.
                context_year = resolved_days.get(view.mtext[start:end], context_year)
            period = dates.resolve(groups, view.notice_date, context_year)
            if period is None:
                continue
            if (context_year is not None and view.notice_date and context_year == view.notice_date.year
                    and period[0] and period[0] > view.notice_date and not self._deadline(view.mtext, end)):
                # 9月14日 in a notice of 2021-02-08 is a past event of the year before, not a plan
                period = dates.resolve(groups, view.notice_date, context_year - 1) or period
            year = dates.to_int(groups.get("y") or groups.get("ycn"))
            if groups.get("rel") and view.notice_date:
                year = view.notice_date.year + dates.RELATIVE_YEARS[groups["rel"]]
            if groups.get("rel") and not view.notice_date:
                # 今年6月7日起 … 截至7月2日: the year in force is one the text does not give.
                explicit_years.append((start, view.line_of(start), None))
            elif year and not groups.get("open") and groups.get("part") != "度":
                # A budget or reporting year (2016年度) is what a report is about, not when its
                # events happen: it frames no later month-day.
                explicit_years.append((start, view.line_of(start), year))
                later = dates.to_int(groups.get("y2"))
                if later:  # 2023年10月17日至2024年1月15日: what follows is told in 2024
                    explicit_years.append((start, view.line_of(start), later))
            if context_year is not None and period[0] is not None:
                resolved_days.setdefault(view.mtext[start:end], period[0].year)
            entities.append(_entity(view, start, end, self.label, self.name,
                                    start_date=period[0], end_date=period[1]))
        return entities

    def _with_suffix(self, mtext: str, end: int) -> int:
        """The end after a glued clock time (``2022-04-18 07:10:00``, ``8月26日上午9时``)."""
        for regex in self.suffixes:
            m = regex.match(mtext, end)
            if m and m.end() > end and (m.end() == len(mtext) or not mtext[m.end()].isdigit()):
                return m.end()
        return end

    DEADLINE_AFTER = ("前", "之前", "以前", "底前", "起", "开始", "完成", "建成", "到位")

    @classmethod
    def _deadline(cls, mtext: str, end: int) -> bool:
        """A date followed by 前/完成...: a plan, which may lie after the notice date."""
        return mtext.startswith(cls.DEADLINE_AFTER, end)

    @staticmethod
    def _month_context(view: TextView, start: int, end: int) -> bool:
        after = view.mtext[end:end + 1]
        return after in ("，", ",", "起", "以", "至", "前", "底", "末", "中", "完", "开", "")

    @staticmethod
    def _context_year(view: TextView, start: int, explicit_years) -> int | None:
        """Nearest earlier explicit year in the same paragraph, else the notice's year.

        Years after the notice's own year are plans, not the frame of later past events.
        """
        line = view.line_of(start)
        limit = view.notice_date.year if view.notice_date else None
        for offset, year_line, year in reversed(explicit_years):
            if year_line == line and (limit is None or year is None or year <= limit):
                return year
        if limit is None:  # no notice date: the text's own years are the only frame
            return explicit_years[-1][2] if explicit_years else None
        return limit
