"""The structure of a notice: header, introduction, groups, items, statuses and measures.

Works line by line on the *matching* text (same length as the original, see ``textnorm``), so
every offset found here is an offset into the original text. Headings are recognised by their
markers (``一、``, ``（一）``, ``1.``, ``问题一：``, ``①``); which marker level holds the items is
decided per notice, from which level is followed by statuses and descriptions, so layouts other
than the two we started from parse without special cases.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.resources import patterns, table
from pipeline.types import Group, Item, Measure

_P = patterns("structure")

# Marker levels, outermost first. Question-style items rank with arabic ones.
_LEVELS = ("heading_l1", "heading_l2", "heading_l3", "heading_paren_arabic", "heading_question", "heading_sub")
# （1） ranks below 1.: where both occur, （1） enumerates measures inside an item's description.
_RANK = {"heading_l1": 1, "heading_l2": 2, "heading_l3": 3, "heading_question": 3, "heading_paren_arabic": 4,
         "heading_sub": 5}
_BRACKETED = ("heading_l2", "heading_paren_arabic")  # their number is kept with its brackets: （一）


@dataclass
class Line:
    start: int  # first non-blank character
    end: int  # before the newline, trailing blanks removed
    text: str  # matching text of the line (start..end)
    level: str | None = None
    num: str | None = None  # the number as written in the original text (not the matching text)
    num_start: int | None = None
    title_start: int | None = None
    is_status: bool = False
    status_value_start: int | None = None
    is_closing: bool = False


def split_lines(mtext: str, text: str | None = None) -> list[Line]:
    lines = []
    last_arabic = 0
    for match in re.finditer(r"[^\n]*", mtext):
        raw_start, raw_end = match.span()
        if raw_start == raw_end and raw_start > 0 and mtext[raw_start - 1] != "\n":
            continue  # re.finditer yields an empty match after each line
        segment = mtext[raw_start:raw_end]
        stripped_left = len(segment) - len(segment.lstrip(" \t\u3000\r\ufeff"))
        stripped_right = len(segment) - len(segment.rstrip(" \t\u3000\r"))
        start, end = raw_start + stripped_left, raw_end - stripped_right
        if start >= end:
            continue
        line = Line(start, end, mtext[start:end])
        for level in _LEVELS:
            m = _P[level].match(line.text)
            if m:
                line.level, line.num = level, m.group("num")
                line.num_start = start + m.start("num")
                if level in _BRACKETED:
                    line.num = line.text[m.start("num") - 1:m.end("num") + 1]
                    line.num_start -= 1
                line.title_start = start + m.start("title")
                break
        if line.level is None:
            # ``5.2022年园区…``: looks like a decimal, but it is item 5 when item 4 came before.
            m = _P["heading_l3_decimal"].match(line.text)
            if m and int(m.group("num")) == last_arabic + 1:
                line.level, line.num = "heading_l3", m.group("num")
                line.num_start = start + m.start("num")
                line.title_start = start + m.start("title")
        if line.level == "heading_l3":
            last_arabic = int(line.num)
        m = _P["status_line"].match(line.text)
        if m:
            line.is_status, line.level = True, None
            line.status_value_start = start + m.start("value")
        line.is_closing = bool(_P["closing"].match(line.text))
        if text is not None and line.num_start is not None:
            line.num = text[line.num_start:line.num_start + len(line.num)]  # 問題1 stays 問題1
        lines.append(line)
    return lines


def _mark_signature(lines: list[Line]) -> None:
    """The signature at the end (issuer line, then a date alone on its line) closes the last item."""
    for k in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
        if _P["signature_date"].match(lines[k].text):
            lines[k].is_closing = True
            above = lines[k - 1] if k else None
            if above is not None and len(above.text) <= 40 and not above.level and not above.is_status \
                    and not any(ch in above.text for ch in "。；：:"):
                above.is_closing = True
            return


def _status_words() -> list[tuple[str, str]]:
    return sorted(((w, s) for s, w in table("status_words")), key=lambda p: len(p[0]), reverse=True)


def read_status(text: str) -> tuple[str, str] | None:
    """(status, word) of the longest status word at the start of ``text``, else None."""
    stripped = text.strip(" \t\u3000：:（）()。")
    for word, status in _status_words():
        if stripped.startswith(word):
            return status, word
    return None


def section_status(title: str) -> str | None:
    """The status a section heading implies (``集中整改期内未完成...`` -> not_completed)."""
    for marker, status in table("section_markers"):
        if marker in title:
            return status
    return None


def _block_end(lines: list[Line], index: int, rank: int, limit: int) -> int:
    """Index of the first line after ``index`` that closes a block of the given rank."""
    for j in range(index + 1, limit):
        line = lines[j]
        if line.is_closing or (line.level and _RANK[line.level] <= rank):
            return j
    return limit


def _has_result(lines: list[Line], i: int, j: int) -> bool:
    for line in lines[i:j]:
        if line.is_status or _P["description_marker"].search(line.text) or _bracket_status(line.text):
            return True
    return False


def _bracket_status(text: str):
    m = _P["status_bracket"].search(text)
    if m and read_status(m.group("value")) and len(m.group("value").strip()) <= 6:
        return m
    return None


def choose_item_level(lines: list[Line]) -> str | None:
    """The marker level whose headings are followed by results: that level holds the items."""
    best, best_count = None, 0
    for level in ("heading_l3", "heading_question", "heading_paren_arabic", "heading_l2", "heading_l1"):
        count = 0
        for i, line in enumerate(lines):
            if line.level == level:
                j = _block_end(lines, i, _RANK[level], len(lines))
                if _has_result(lines, i, j):
                    count += 1
        if count > best_count:
            best, best_count = level, count
    if best is None:
        best = _level_under_status_sections(lines)
    return best


def _level_under_status_sections(lines: list[Line]) -> str | None:
    """With no result markers at all (items told in one paragraph each), the items are the most
    frequent marker level inside sections whose heading implies a status (二、已完成整改的问题)."""
    counts: dict[str, int] = {}
    in_status_section = False
    for line in lines:
        if line.is_closing:
            break
        if line.level == "heading_l1":
            in_status_section = section_status(line.text) is not None
        elif line.level and line.level != "heading_sub" and in_status_section:
            counts[line.level] = counts.get(line.level, 0) + 1
    return max(counts, key=lambda level: (counts[level], -_RANK[level]), default=None)


@dataclass
class Structure:
    groups: list[Group]
    items: list[Item]
    measures: list[Measure]
    lines: list[Line]


def parse_structure(text: str, mtext: str) -> Structure:
    lines = split_lines(mtext, text)
    _mark_signature(lines)
    item_level = choose_item_level(lines)
    if item_level is None:
        return Structure([], [], [], lines)
    item_rank = _RANK[item_level]
    closing = next((i for i, line in enumerate(lines) if line.is_closing), len(lines))
    groups: list[Group] = []
    items: list[Item] = []
    section_title, section_implied = "", None
    group_index: int | None = None
    group_level = None
    # The level that holds groups: the nearest marker level above the items that occurs.
    for level in ("heading_l2", "heading_l1"):
        if _RANK[level] < item_rank and any(line.level == level for line in lines[:closing]):
            group_level = level
            break
    for i, line in enumerate(lines[:closing]):
        if line.level == "heading_l1" and group_level != "heading_l1":
            section_title = text[line.title_start:line.end]
            section_implied = section_status(mtext[line.title_start:line.end])
            group_index = None
        elif group_level and line.level == group_level:
            title = text[line.title_start:line.end]
            end_i = _block_end(lines, i, _RANK[group_level], closing)
            if group_level == "heading_l1":
                implied = section_status(mtext[line.title_start:line.end])
                if implied or not _has_items(lines, i, end_i, item_level):
                    # A section heading (or one with no items), not a feedback-problem group.
                    section_title, section_implied, group_index = title, implied, None
                    continue
            group_end = lines[end_i - 1].end
            groups.append(Group(number=line.num, title=title, start=line.start, end=group_end,
                                section=section_title,
                                section_status=section_implied or "unknown"))
            group_index = len(groups) - 1
        elif line.level == item_level:
            end_i = _block_end(lines, i, item_rank, closing)
            items.extend(_parse_item(text, mtext, lines, i, end_i, group_index, section_implied))
    _resolve_references(items)
    measures = [m for index, item in enumerate(items) for m in _split_measures(text, mtext, item, index)]
    return Structure(groups, items, measures, lines)


def _has_items(lines, i, j, item_level) -> bool:
    return any(line.level == item_level for line in lines[i + 1:j])


def _parse_item(text, mtext, lines, i, end_i, group_index, section_implied) -> list[Item]:
    head = lines[i]
    block_end = lines[end_i - 1].end
    # Sub-items ① ② that carry their own results become items of their own.
    subs = [k for k in range(i + 1, end_i) if lines[k].level == "heading_sub"]
    subs = [k for k in subs if _has_result(lines, k, _block_end(lines, k, _RANK["heading_sub"], end_i))
            or _P["back_reference"].search(lines[k].text)]
    item = _read_item(text, mtext, lines, i, subs[0] if subs else end_i, group_index, section_implied)
    item.end = block_end
    result = [item]
    for n, k in enumerate(subs):
        stop = subs[n + 1] if n + 1 < len(subs) else end_i
        sub = _read_item(text, mtext, lines, k, stop, group_index, section_implied)
        sub.number = head.num + lines[k].num
        sub.parent_number = head.num
        result.append(sub)
    if subs:
        # The parent's own result is what its sub-items add up to.
        item.description_start = item.description_end = None
        item.status_source = "sub_items"
        item.status = "unknown"
    return result


def _read_item(text, mtext, lines, i, end_i, group_index, section_implied) -> Item:
    head = lines[i]
    block_end = lines[end_i - 1].end
    problem_start = head.title_start
    problem_end = head.end
    inline = _P["description_marker"].search(mtext, head.title_start, head.end)
    if inline:
        problem_end = inline.start()
    bracket = _bracket_status(mtext[head.start:block_end])
    bracket_start = head.start + bracket.start() if bracket is not None else None
    status, status_text, source = "unknown", None, "none"
    desc_start = desc_end = None
    refers_to = None
    for line in lines[i:end_i]:
        if line.is_status:
            value = mtext[line.status_value_start:line.end]
            found = read_status(value)
            if found:
                status, status_text, source = found[0], found[1], "explicit"
            ref = _P["back_reference"].search(value)
            if ref:
                refers_to = text[line.status_value_start:line.end]
                source = "reference"
            desc_marker = _P["description_marker"].search(value)
            if desc_marker is None and "整改情况" in mtext[line.start:line.status_value_start]:
                desc_start = line.status_value_start
        elif desc_start is None:
            m = _P["description_marker"].search(mtext, line.start, line.end)
            if m:
                desc_start = m.end()
    if bracket is not None and source == "none":
        found = read_status(bracket.group("value"))
        status, status_text, source = found[0], found[1], "explicit"
    if desc_start is None:
        # No 整改情况： marker: what follows the problem statement is the description.
        following = [line for line in lines[i + 1:end_i] if not line.is_status]
        if following:
            desc_start = following[0].start
        elif problem_end < head.end:
            desc_start = problem_end
        else:
            # One paragraph holds problem, description and a bracketed status: the problem is
            # its first sentence.
            stop = bracket_start if bracket is not None else head.end
            first_end = mtext.find("。", head.title_start, stop)
            if 0 <= first_end < stop - 1:
                problem_end = first_end + 1
                desc_start = problem_end
    if desc_start is not None:
        desc_end = block_end
        if bracket is not None and head.start + bracket.start() >= desc_start:
            desc_end = head.start + bracket.start()
        while desc_end > desc_start and text[desc_end - 1] in " \t\u3000\r\n":
            desc_end -= 1
    if bracket is not None and problem_end > head.start + bracket.start() >= problem_start:
        problem_end = head.start + bracket.start()
    if source == "none" and section_implied:
        status, source = section_implied, "section"
    return Item(number=head.num, group_index=group_index,
                problem=text[problem_start:problem_end].strip(), problem_start=problem_start,
                problem_end=problem_end, start=head.start, end=block_end, status=status,
                status_text=status_text, status_source=source, description_start=desc_start,
                description_end=desc_end, refers_to=refers_to)


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[^\u4e00-\u9fff]", "", s)
    return {s[k:k + 2] for k in range(len(s) - 1)}


def _resolve_references(items: list[Item]) -> None:
    """``②园区土地闲置问题 … 见上文``: take the status of the item it points back to."""
    by_parent: dict[str, list[Item]] = {}
    for item in items:
        if item.parent_number:
            by_parent.setdefault(item.parent_number, []).append(item)
    for item in items:
        if item.refers_to is None:
            continue
        own = _bigrams(item.problem)
        candidates = [other for other in items if other is not item and other.status_source == "explicit"]
        if not own or not candidates:
            continue
        best = max(candidates, key=lambda o: len(own & _bigrams(o.problem)) / (len(own | _bigrams(o.problem)) or 1))
        if own & _bigrams(best.problem):
            item.status, item.status_text = best.status, best.status_text
            item.refers_to = best.number
    for item in items:
        children = by_parent.get(item.number) if item.parent_number is None else None
        if children:
            statuses = {c.status for c in children}
            if statuses == {"completed"}:
                item.status = "completed"
            elif "not_completed" in statuses:
                item.status = "not_completed"
            elif statuses & {"completed", "partially_completed"}:
                item.status = "partially_completed"


def _split_measures(text: str, mtext: str, item: Item, item_index: int) -> list[Measure]:
    if item.description_start is None or item.description_end is None:
        return []
    start, end = item.description_start, item.description_end
    cuts = [start]
    for m in _P["measure_boundary"].finditer(mtext, start, end):
        cuts.extend((m.start(), m.end()))
    cuts.append(end)
    measures = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        a, b = _trim(mtext, a, b)
        heading = _P["measure_heading"].match(mtext, a, b)
        if heading:
            a, b = _trim(mtext, heading.end(), b)
        status_line = _P["status_line"].match(mtext, a, b)
        if status_line or a >= b:
            continue
        segment = mtext[a:b]
        if len(re.findall(r"[\u4e00-\u9fff]", segment)) < 2 or _P["back_reference"].fullmatch(segment.strip("。 ")):
            continue
        measures.append(Measure(start=a, end=b, text=text[a:b], item_index=item_index))
    return measures


def _trim(mtext: str, a: int, b: int) -> tuple[int, int]:
    while a < b and mtext[a] in " \t\u3000\r\n，,：:":
        a += 1
    while b > a and mtext[b - 1] in " \t\u3000\r\n，,":
        b -= 1
    return a, b
