"""Property tests: whatever text comes in, the extractors and the parser neither raise nor
return spans that break the record invariants (pipeline/types.py, overlaps.py).

Inputs: random Unicode, random text built from the markers the rules look for (年月日万元人名
《》（）一、1. 整改结果：完成 ...), and the two real notices mutated (slices deleted, duplicated,
swapped, random characters inserted, parts turned full-width or traditional, cut anywhere).

Every counterexample hypothesis found is kept below as an explicit ``@example``.
``RECTIFY_PROPERTY_SCALE=20 pytest tests/test_properties.py`` runs 20 times as many examples.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import HUAIHUA, YIYANG
from pipeline.api import NoticeParser
from pipeline.entities.rules import RULE_EXTRACTORS
from pipeline.entities.view import TextView
from pipeline.read.textnorm import matching_text

SCALE = float(os.environ.get("RECTIFY_PROPERTY_SCALE", "1"))


def budget(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


BASES = (YIYANG.read_text(encoding="utf-8"), HUAIHUA.read_text(encoding="utf-8"))

MARKERS = (
    "年", "月", "日", "号", "万", "亿", "千", "百", "元", "美元", "人", "名", "人次", "位", "余", "多", "约", "近",
    "《", "》", "（", "）", "(", ")", "一、", "二、", "（一）", "（二）", "1.", "2、", "3）", "（1）", "①", "②",
    "问题一：", "整改结果：", "整改情况：", "完成情况：", "完成", "已完成", "基本完成", "阶段性完成", "未完成",
    "正在整改", "见上文", "一是", "二是", "。", "；", "，", "：", "、", "\n", "\r\n", " ", "\u3000", "-", "—",
    "~", "至", "到", "起", "以来", "来", "至今", "今年", "去年", "明年", "本年", "上半年", "下半年", "年初", "年底",
    "第一季度", "上旬", "下旬", "份", "度", "〇", "零", "两", "十", "第", ".", "．", ",", "%", "０", "１", "２",
    "９", "2023", "2024", "1900", "2099", "〇〇〇〇", "〇〇〇一", "二〇二三", "十二", "三十一", "九十九", "0",
    "党工委", "省委", "市委", "巡视组", "第八巡视组", "纪工委", "领导小组", "有限公司", "集团", "等企业",
    "管理办法", "实施方案", "（试行）", "通报", "关于", "特此通报", "欢迎广大", "追缴", "资金", "问责", "处分",
    "高新区", "益阳", "財政局", "萬元", "整改", "反馈",
)

marker_text = st.lists(
    st.one_of(st.sampled_from(MARKERS),
              st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
              st.characters(min_codepoint=ord("0"), max_codepoint=ord("9"))),
    max_size=80).map("".join)

notice_dates = st.one_of(st.none(), st.dates(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))


@functools.cache
def _s2t():
    import opencc
    return opencc.OpenCC("s2t")


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in s)


@st.composite
def mutated_notices(draw):
    """One of the real notices after 1-6 random edits."""
    text = draw(st.sampled_from(BASES))
    for _ in range(draw(st.integers(1, 6))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 3000)))
        op = draw(st.sampled_from(("delete", "duplicate", "swap", "insert", "full_width", "traditional", "cut")))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "swap":
            k = draw(st.integers(j, n))
            m = draw(st.integers(k, min(n, k + 3000)))
            text = text[:i] + text[k:m] + text[j:k] + text[i:j] + text[m:]
        elif op == "insert":
            text = text[:i] + draw(st.one_of(marker_text, st.text(max_size=20))) + text[i:]
        elif op == "full_width":
            text = text[:i] + _full_width(text[i:j]) + text[j:]
        elif op == "traditional":
            text = text[:i] + _s2t().convert(text[i:j]) + text[j:]
        else:  # cut: keep a prefix, a suffix or a window
            text = draw(st.sampled_from((text[:i], text[i:], text[i:j])))
    return text


HEADS = ("", "", "一、", "二、", "（一）", "（二）", "1.", "2.", "3、", "（1）", "（2）", "①", "②", "问题一：",
         "整改结果：", "整改情况：", "完成情况：", "整改进展：", "特此通报", "  ", "\u3000\u3000", "5.2")
#: Notice-shaped text: lines that start with heading, status and closing markers.
structured_text = st.lists(st.tuples(st.sampled_from(HEADS), marker_text), max_size=12).map(
    lambda lines: "\n".join(head + body for head, body in lines))

any_text = st.one_of(st.text(max_size=200), marker_text, structured_text)


# --------------------------------------------------------------------------------------------
# Invariants

def check_entity(text: str, e, *, notice_date: dt.date | None = None) -> None:
    assert 0 <= e.start < e.end <= len(text), (e.start, e.end, len(text))
    assert e.text == text[e.start:e.end]
    if e.label == "DATE":
        if e.start_date is not None and e.end_date is not None:
            assert e.start_date <= e.end_date, (e.text, e.start_date, e.end_date)
    elif e.label == "MONEY":
        if e.value is None:  # only a number a page garbled (3,.83万元) has no value
            assert re.search(r"\d[.,]{2}\d", e.text), e.text
        else:
            assert math.isfinite(e.value) and e.value >= 0, (e.text, e.value)
        assert e.currency, e.text
    elif e.label == "PERSON_COUNT":  # 0人 is a count too
        assert e.value is not None and e.value == int(e.value) and e.value >= 0, (e.text, e.value)
    elif e.label == "DOC_TITLE":
        assert e.start >= 1 and text[e.start - 1] == "《" and text[e.end:e.end + 1] == "》", e.text


def check_parsed(text: str, parsed) -> None:
    assert parsed.text == text
    n = len(text)
    for e in parsed.entities:
        check_entity(text, e)
    spans = [(e.start, e.end) for e in parsed.entities]
    assert spans == sorted(spans)
    for (_, a_end), (b_start, _) in zip(spans, spans[1:]):
        assert a_end <= b_start, "entities overlap after resolution"
    for item in parsed.items:
        assert 0 <= item.start <= item.end <= n
        assert item.start <= item.problem_start <= item.problem_end <= item.end, item
        if item.description_start is not None or item.description_end is not None:
            assert item.description_start is not None and item.description_end is not None
            assert item.start <= item.description_start <= item.description_end <= item.end, item
        if item.group_index is not None:
            assert 0 <= item.group_index < len(parsed.groups)
    for group in parsed.groups:
        assert 0 <= group.start <= group.end <= n
    previous_end = 0
    for m in sorted(parsed.measures, key=lambda m: (m.start, m.end)):
        assert 0 <= m.start < m.end <= n and m.text == text[m.start:m.end]
        assert m.start >= previous_end, "measures overlap"
        previous_end = m.end
        if m.item_index is not None:
            item = parsed.items[m.item_index]
            assert item.start <= m.start and m.end <= item.end


@pytest.fixture(scope="module")
def parser():
    return NoticeParser(ner=None, classifier=None)


@pytest.fixture(scope="module")
def extractors():
    return [cls() for cls in RULE_EXTRACTORS]


def run_extractors(extractors, text, notice_date):
    view = TextView(text, matching_text(text), notice_date)
    for extractor in extractors:
        for e in extractor.find(view):
            assert e.label == extractor.label
            check_entity(text, e)


# --------------------------------------------------------------------------------------------
# Properties

@budget(150)
@given(text=any_text, notice_date=notice_dates)
@example(text="〇〇〇〇年", notice_date=None)  # year 0: dates.year_period raised ValueError
@example(text="〇〇〇〇年3月", notice_date=None)
@example(text="近5年", notice_date=dt.date(1, 1, 1))  # before year 1: shift_years raised
@example(text="去年", notice_date=dt.date(1, 6, 1))
@example(text="明年", notice_date=dt.date(9999, 6, 1))
@example(text="2024年3月起", notice_date=dt.date(2023, 12, 5))  # open period from after the notice date
@example(text="9" * 400 + "万元", notice_date=None)  # float overflow: value was inf
def test_extractors_never_raise_and_keep_their_spans(extractors, text, notice_date):
    run_extractors(extractors, text, notice_date)


@budget(100)
@given(text=any_text)
@example(text="〇〇〇〇年整改")
@example(text="整改工作自2024年3月起开展。\n\n2023年12月5日")
@example(text="近5年整改\n〇〇〇一年一月一日")  # signature date in year 1
def test_parse_never_raises_on_random_text(parser, text):
    check_parsed(text, parser.parse(text))


@budget(60)
@given(text=st.one_of(marker_text, structured_text), notice_date=notice_dates)
def test_parse_with_any_notice_date(parser, text, notice_date):
    check_parsed(text, parser.parse(text, notice_date=notice_date))


@budget(25)
@given(text=mutated_notices())
def test_mutated_real_notices(parser, text):
    check_parsed(text, parser.parse(text))


@budget(15)
@given(text=mutated_notices())
def test_extractors_on_mutated_notices(extractors, text):
    run_extractors(extractors, text, dt.date(2023, 12, 5))


@pytest.mark.parametrize("base", [YIYANG, HUAIHUA], ids=["yiyang", "huaihua"])
def test_real_notices_satisfy_the_invariants(parser, base):
    text = base.read_text(encoding="utf-8")
    parsed = parser.parse(text)
    check_parsed(text, parsed)
    assert parsed.items and parsed.measures and parsed.entities
    # the whole notice in traditional characters and full-width forms
    variant = _full_width(_s2t().convert(text))
    check_parsed(variant, parser.parse(variant))
