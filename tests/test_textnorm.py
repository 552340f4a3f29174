"""matching_text: same length as its input, traditional -> simplified, full-width digits/letters
-> ASCII, Chinese punctuation kept."""
from __future__ import annotations

import time
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.textnorm import KEPT_PUNCTUATION, matching_table, matching_text

CORPUS_FILE = Path(__file__).resolve().parent.parent / "corpus" / "yiyang-hitech-2023-12-05.txt"

CASES = [
    # traditional -> simplified, character by character
    ("關於巡視整改進展情況的通報", "关于巡视整改进展情况的通报"),
    ("整改結果：已完成", "整改结果：已完成"),
    ("追繳資金１２．５萬元", "追缴资金12.5万元"),
    ("後續", "后续"),
    ("顯著", "显著"),  # 著 stays 著
    # full-width digits, letters and number symbols -> ASCII
    ("２０２３年１２月５日", "2023年12月5日"),
    ("占比３５％", "占比35%"),
    ("ＡＢＣ　ａｂｃ", "ABC abc"),
    ("２０２３－２０２５年", "2023-2025年"),
    ("３～５月", "3~5月"),
    ("１／３", "1/3"),
    ("＋１", "+1"),
    ("\u00a0x", " x"),
    # Chinese punctuation the parser matches is kept
    ("（一）反馈问题：", "（一）反馈问题："),
    ("一、；，。、《》〈〉【】！？", "一、；，。、《》〈〉【】！？"),
    ("“第一议题”「引号」", "“第一议题”「引号」"),
    # other full-width symbols are kept, and nothing else changes
    ("＃＆＊＜＝＞＠［］｛｜｝", "＃＆＊＜＝＞＠［］｛｜｝"),
    ("a\r\nb\tc  d", "a\r\nb\tc  d"),
    ("", ""),
    ("😀𠀀", "😀𠀀"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_cases(text, expected):
    assert matching_text(text) == expected
    assert len(matching_text(text)) == len(text)


def test_kept_punctuation_is_never_mapped():
    assert matching_text(KEPT_PUNCTUATION) == KEPT_PUNCTUATION
    assert all(ord(c) not in matching_table() for c in KEPT_PUNCTUATION)


def test_whole_traditional_notice_maps_back_to_simplified():
    simplified = CORPUS_FILE.read_text(encoding="utf-8")
    traditional = opencc.OpenCC("t2s").convert(opencc.OpenCC("s2t").convert(simplified))
    # s2t then t2s is the identity on this notice; the per-character table must agree.
    assert traditional == simplified
    trad = opencc.OpenCC("s2t").convert(simplified)
    assert trad != simplified
    assert matching_text(trad) == simplified


def test_every_table_entry_is_one_character_and_idempotent():
    table = matching_table()
    assert all(len(v) == 1 for v in table.values())
    assert all(ord(v) not in table for v in table.values())  # chains resolved


@given(st.text())
@settings(max_examples=500)
def test_length_is_preserved(text):
    assert len(matching_text(text)) == len(text)


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["Lo", "Nd", "P", "Zs", "Cc", "L"])))
@settings(max_examples=300)
def test_idempotent_and_length_preserving_on_cjk_heavy_text(text):
    once = matching_text(text)
    assert len(once) == len(text)
    assert matching_text(once) == once


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_ascii_is_untouched(text):
    assert matching_text(text) == text


def test_speed_on_one_megabyte():
    base = CORPUS_FILE.read_text(encoding="utf-8")
    text = opencc.OpenCC("s2t").convert(base * (1_000_000 // len(base) + 1))[:1_000_000]
    matching_text("預熱")  # build the table outside the timing
    best = min(_timed(matching_text, text) for _ in range(3))
    # Measured ~0.04 s on the 2-core dev machine; the bound leaves room for a slow CI.
    assert best < 0.5, f"matching_text took {best:.3f}s on 1,000,000 characters"


def _timed(fn, arg) -> float:
    start = time.perf_counter()
    fn(arg)
    return time.perf_counter() - start
