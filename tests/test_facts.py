"""Facts: what a number inside a measure counts. Phrases we write, one per form, each read as one
measure with the rule entities; then the gold format, the score, and the tables."""
import dataclasses

import pytest

from conftest import view
from pipeline.entities import overlaps
from pipeline.entities.rules import RULE_EXTRACTORS
from pipeline.measures.facts import FactExtractor, kind_names, kinds_of


def facts_of(text):
    v = view(text)
    entities = overlaps.resolve([e for cls in RULE_EXTRACTORS for e in cls().find(v)])
    found = FactExtractor().find(text, v.mtext, [(0, len(text))], entities)
    return [(f.text, f.kind, f.quantity, f.unit) for f in found]


@pytest.mark.parametrize("text, expected", [
    # people: the trigger before or after the number
    ("问责26人", [("26人", "accountable", 26.0, "人")]),
    ("对3人进行诫勉谈话", [("3人", "admonished", 3.0, "人")]),
    ("给予1名科长党内警告处分", [("1名", "disciplined_party", 1.0, "名")]),
    ("给予2名工作人员政务警告处分", [("2名", "disciplined_admin", 2.0, "名")]),
    ("对两名工作人员进行批评教育", [("两名", "talked_to", 2.0, "名")]),
    ("对2名乡镇党委书记进行约谈", [("2名", "talked_to", 2.0, "名")]),
    ("组织处理7人", [("7人", "organisational_handling", 7.0, "人")]),
    ("对推诿扯皮的2名所队负责人进行通报批评", [("2名", "organisational_handling", 2.0, "名")]),
    ("立案审查4人", [("4人", "case_opened", 4.0, "人")]),
    ("移送司法机关5人", [("5人", "transferred", 5.0, "人")]),
    ("将涉案的2名民警移送市纪委监委处理", [("2名", "transferred", 2.0, "名")]),
    ("问责0人", [("0人", "accountable", 0.0, "人")]),
    # coordinated forms: each number takes the trigger of its own part of the list
    ("给予党纪处分3人、政务处分2人",
     [("3人", "disciplined_party", 3.0, "人"), ("2人", "disciplined_admin", 2.0, "人")]),
    ("给予警告处分2人、诫勉3人", [("2人", "accountable", 2.0, "人"), ("3人", "admonished", 3.0, "人")]),
    ("目前已党纪处分2人，立案2人，问责7人",
     [("2人", "disciplined_party", 2.0, "人"), ("2人", "case_opened", 2.0, "人"), ("7人", "accountable", 7.0, "人")]),
    # the specific kind wins over the generic one in the same part; mixed kinds give the generic one
    ("问责并给予党纪处分3人", [("3人", "disciplined_party", 3.0, "人")]),
    ("对2名驾驶员分别给予党内警告和批评教育", [("2名", "accountable", 2.0, "名")]),
    # money
    ("追缴违纪资金35.4万元", [("35.4万元", "recovered", 354000.0, "元")]),
    ("已追缴违规发放的交通补贴、节日慰问金等共计86.3万元", [("86.3万元", "recovered", 863000.0, "元")]),
    ("对违规发放的加班补助约2.3万元已全部清退到位", [("2.3万元", "recovered", 23000.0, "元")]),
    ("涉及金额800余万元", [("800余万元", "at_issue", 8000000.0, "元")]),
    ("剩余475.6万元正在通过法律途径催收", [("475.6万元", "at_issue", 4756000.0, "元")]),
    ("投入维修资金280万元", [("280万元", "invested", 2800000.0, "元")]),
    ("督促加快拨付资金2860.5万元", [("2860.5万元", "invested", 28605000.0, "元")]),
    ("结余资金61.3万元，已全部收回", [("61.3万元", "recovered", 613000.0, "元")]),
    ("责令退赔违规收受的购物卡、礼金，折合4.8万元", [("4.8万元", "recovered", 48000.0, "元")]),
    # counted things, Arabic or Chinese numerals
    ("制定制度12项", [("12项", "rules_issued", 12.0, "项")]),
    ("修订完善规章制度三项", [("三项", "rules_issued", 3.0, "项")]),
    ("移交问题线索5件", [("5件", "clues", 5.0, "件")]),
    ("新开工项目十二个", [("十二个", "projects", 12.0, "个")]),
    ("立案查处违法案件9件", [("9件", "case_opened", 9.0, "件")]),
])
def test_fact_forms(text, expected):
    assert facts_of(text) == expected


@pytest.mark.parametrize("text", [
    "党员人数均不足3人",                      # a count of people without a trigger
    "组织全体党员46名到县廉政教育基地开展警示教育",
    "对巡查发现问题不报告的执法监察人员进行约谈",  # a trigger without a number
    "整改问题12项",                          # a counted thing that is none of the kinds
    "清理制度12项",                          # rules_issued needs an issuing verb
    "对3名高管进行了岗位调整，对相关责任人进行了批评教育",  # the next clause names a new object
    "暂停医保结算3个月",                      # a duration
    "制定了“四个一”领导包案处置制度",          # a slogan
    "正在对一批问题线索进行深入核查",           # no number
    "新入库项目186个、总投资1340亿元"[9:],     # 总投资: a project's size, not money put in
    "工业总产值完成78.4亿元",
    "已将滞留的非税收入4362.8万元统筹，制定《非税收入收缴管理办法》",  # 收缴 inside a title
])
def test_numbers_in_no_fact(text):
    assert facts_of(text) == []


def test_breakdowns_are_parts_of_their_total():
    text = "问责3人，其中党纪处分1人、诫勉谈话2人"
    v = view(text)
    entities = overlaps.resolve([e for cls in RULE_EXTRACTORS for e in cls().find(v)])
    found = FactExtractor().find(text, v.mtext, [(0, len(text))], entities)
    assert [(f.text, f.kind, f.part_of) for f in found] == [
        ("3人", "accountable", None), ("1人", "disciplined_party", 2), ("2人", "admonished", 2)]
    text = "党纪处分1人、诫勉谈话2人，共计问责3人"
    v = view(text)
    entities = overlaps.resolve([e for cls in RULE_EXTRACTORS for e in cls().find(v)])
    found = FactExtractor().find(text, v.mtext, [(0, len(text))], entities)
    total = next(f for f in found if f.text == "3人")
    assert [(f.text, f.part_of) for f in found] == [("1人", total.start), ("2人", total.start), ("3人", None)]


def test_facts_stay_inside_their_measure():
    text = "问责3人。追缴资金5万元。"
    v = view(text)
    entities = overlaps.resolve([e for cls in RULE_EXTRACTORS for e in cls().find(v)])
    found = FactExtractor().find(text, v.mtext, [(5, 12)], entities)
    assert [(f.text, f.kind, f.measure_index) for f in found] == [("5万元", "recovered", 0)]


def test_kinds_live_in_one_lexicon():
    assert kinds_of("people") == ("disciplined_party", "disciplined_admin", "organisational_handling",
                                  "admonished", "talked_to", "case_opened", "transferred", "accountable")
    assert kinds_of("money") == ("recovered", "invested", "at_issue")
    assert set(kinds_of("things")) == {"rules_issued", "clues", "projects", "case_opened"}
    assert len(kind_names()) == len(set(kind_names())) == 14


# --------------------------------------------------------------------------- gold and score


def _record(text, facts, measures=None):
    return {"id": "t1", "source": "x.txt", "origin": "written", "notice_date": None, "text": text,
            "entities": [], "items": [],
            "measures": measures if measures is not None else [{"start": 0, "end": len(text), "text": text, "labels": []}],
            "facts": facts}


def test_gold_facts_are_validated():
    from pipeline.annotation.gold_validation import validate
    from pipeline.errors import AnnotationError
    text = "问责3人，追缴资金5万元"
    ok = validate(_record(text, [{"start": 2, "end": 4, "kind": "accountable", "quantity": 3, "unit": "人"}]))
    assert [(f.start, f.end, f.kind, f.quantity, f.unit) for f in ok.facts] == [(2, 4, "accountable", 3.0, "人")]
    assert ok.to_dict()["facts"] == [{"start": 2, "end": 4, "kind": "accountable", "quantity": 3, "unit": "人"}]
    with pytest.raises(AnnotationError) as err:
        validate(_record(text, [{"start": 2, "end": 4, "kind": "punished", "quantity": -1, "unit": ""}]))
    assert len(err.value.problems) == 3
    assert "unknown kind" in err.value.problems[0]
    with pytest.raises(AnnotationError, match="lies in no measure"):
        validate(_record(text, [{"start": 2, "end": 4, "kind": "accountable", "quantity": 3, "unit": "人"}],
                         measures=[{"start": 5, "end": 12, "text": text[5:12], "labels": []}]))
    with pytest.raises(AnnotationError, match="overlapping facts"):
        validate(_record(text, [{"start": 2, "end": 4, "kind": "accountable", "quantity": 3, "unit": "人"},
                                {"start": 3, "end": 4, "kind": "accountable", "quantity": 3, "unit": "人"}]))


def test_fact_score_needs_offsets_kind_and_quantity():
    from pipeline.annotation.gold_validation import validate
    from pipeline.scoring.facts import score_facts
    from pipeline.types import Fact, ParsedNotice
    text = "问责3人，追缴资金5万元，投入资金2万元"
    gold = validate(_record(text, [
        {"start": 2, "end": 4, "kind": "accountable", "quantity": 3, "unit": "人"},
        {"start": 9, "end": 12, "kind": "recovered", "quantity": 50000, "unit": "元"},
        {"start": 17, "end": 20, "kind": "invested", "quantity": 20000, "unit": "元"}]))
    base = Fact(start=2, end=4, text="3人", kind="accountable", category="people", quantity=3.0, unit="人",
                measure_index=0)
    pred = ParsedNotice(text=text, facts=[
        base,
        dataclasses.replace(base, start=9, end=12, text="5万元", kind="at_issue", category="money", quantity=50000.0),
        dataclasses.replace(base, start=17, end=20, text="2万元", kind="invested", category="money", quantity=30000.0)])
    s = score_facts([gold], [pred])
    assert s["micro"]["span"]["f1"] == 1.0
    assert s["micro"]["kind"]["tp"] == 2
    assert (s["micro"]["exact"]["tp"], s["micro"]["exact"]["fp"], s["micro"]["exact"]["fn"]) == (1, 2, 2)
    assert s["kinds"]["accountable"]["exact"]["f1"] == 1.0
    assert s["kinds"]["recovered"]["exact"]["recall"] == 0.0
    assert s["kinds"]["at_issue"]["pred"] == 1 and s["kinds"]["at_issue"]["exact"]["precision"] == 0.0


def test_every_gold_number_fact_lies_on_a_number_entity_or_a_counted_thing():
    from conftest import REPO
    from pipeline.annotation.gold import load_gold
    for name in ("gold.jsonl", "heldout.jsonl"):
        for g in load_gold(REPO / "annotations" / name):
            starts = {e.start: e for e in g.entities}
            for f in g.facts:
                e = starts.get(f.start)
                if f.kind in kinds_of("people") and e is not None and e.label == "PERSON_COUNT":
                    assert e.end == f.end and e.value == f.quantity, (g.id, f)
                elif e is not None and e.label == "MONEY":
                    assert f.kind in kinds_of("money") and e.end == f.end and e.value == f.quantity, (g.id, f)
                else:
                    assert e is None and f.kind in kinds_of("things"), (g.id, f)


def test_an_import_without_facts_keeps_the_gold_facts():
    from pipeline.annotation.gold_validation import validate
    from pipeline.annotation.merge import merge_import
    text = "问责3人，追缴资金5万元"
    fact = {"start": 2, "end": 4, "kind": "accountable", "quantity": 3, "unit": "人"}
    gold = validate(_record(text, [fact]))
    imported = validate(_record(text, []))
    merged = merge_import([gold], [imported])
    assert [f.to_dict() for f in merged[0].facts] == [fact]
    moved = validate(_record(text, [], measures=[{"start": 5, "end": 12, "text": text[5:12], "labels": []}]))
    assert merge_import([gold], [moved])[0].facts == []  # its measure is gone: so is the fact
