"""Scoring: hand-made cases with exact expected numbers."""
from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import numpy as np
import pytest

from pipeline.scoring.report import format_report
from pipeline.scoring.folds import grouped_folds
from pipeline.scoring.metrics import lcs_pairs, max_overlap_matching, normalize_item_number, prf, run_evaluation, score_entities, score_measure_labels, score_measure_segmentation, score_structure, trim_span
from pipeline.annotation.gold_records import GoldEntity, GoldItem, GoldMeasure, GoldNotice
from pipeline.annotation.gold import save_gold
from pipeline.types import Entity, Item, Measure, ParsedNotice

TEXT = "0123456789" * 5  # 50 characters; only offsets matter for entity scoring


def gold_notice(entities=(), items=(), measures=(), text=TEXT, id="g", origin="real") -> GoldNotice:
    return GoldNotice(id=id, source="", origin=origin, text=text, entities=list(entities),
                      items=list(items), measures=list(measures))


def ge(s, e, label, **v) -> GoldEntity:
    return GoldEntity(s, e, label, TEXT[s:e], **v)


def pe(s, e, label, **v) -> Entity:
    return Entity(s, e, label, TEXT[s:e], **v)


def approx(x):
    return pytest.approx(float(x))


def test_prf_definitions():
    assert prf(1, 2, 2) == {"tp": 1, "fp": 2, "fn": 2, "precision": approx(Fraction(1, 3)),
                            "recall": approx(Fraction(1, 3)), "f1": approx(Fraction(1, 3))}
    assert prf(0, 0, 0) == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None}
    assert prf(0, 0, 5) == {"tp": 0, "fp": 0, "fn": 5, "precision": None, "recall": 0.0, "f1": 0.0}


def test_three_gold_three_pred_one_exact_one_overlap_one_wrong():
    gold = [gold_notice([ge(0, 5, "ORG"), ge(10, 15, "DATE"), ge(20, 25, "MONEY")])]
    pred = [[pe(0, 5, "ORG"), pe(11, 16, "DATE"), pe(30, 35, "MONEY")]]
    s = score_entities(gold, pred)
    assert s["micro"]["gold"] == 3 and s["micro"]["pred"] == 3
    ex, ov = s["micro"]["exact"], s["micro"]["overlap"]
    assert (ex["tp"], ex["fp"], ex["fn"]) == (1, 2, 2)
    assert ex["precision"] == approx(Fraction(1, 3)) and ex["recall"] == approx(Fraction(1, 3))
    assert ex["f1"] == approx(Fraction(1, 3))
    assert (ov["tp"], ov["fp"], ov["fn"]) == (2, 1, 1)
    assert ov["precision"] == approx(Fraction(2, 3)) and ov["recall"] == approx(Fraction(2, 3))
    lab = s["labels"]
    assert (lab["ORG"]["exact"]["f1"], lab["ORG"]["overlap"]["f1"]) == (1.0, 1.0)
    assert (lab["DATE"]["exact"]["f1"], lab["DATE"]["overlap"]["f1"]) == (0.0, 1.0)
    assert (lab["MONEY"]["exact"]["precision"], lab["MONEY"]["overlap"]["recall"]) == (0.0, 0.0)
    assert lab["PERSON_COUNT"]["exact"] == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None,
                                            "f1": None}


@pytest.mark.parametrize("gold_spans,pred_spans,exact_tp,overlap_tp", [
    # an overlap with another label never counts
    ([(0, 5, "MONEY")], [(0, 5, "PERSON_COUNT")], 0, 0),
    # one gold span, two predictions overlapping it: one-to-one, so one match
    ([(0, 10, "ORG")], [(0, 4, "ORG"), (5, 10, "ORG")], 0, 1),
    # one long prediction over two gold spans: one match
    ([(0, 4, "ORG"), (5, 10, "ORG")], [(0, 10, "ORG")], 0, 1),
    # greedy would give g0 the larger overlap p0 and leave g1 alone; the maximum matching finds 2
    ([(0, 10, "DATE"), (10, 20, "DATE")], [(5, 15, "DATE"), (0, 3, "DATE")], 0, 2),
    # a duplicated prediction: one exact match, the copy is a false positive
    ([(0, 5, "ORG")], [(0, 5, "ORG"), (0, 5, "ORG")], 1, 1),
    # touching spans do not overlap (half-open)
    ([(0, 5, "ORG")], [(5, 9, "ORG")], 0, 0),
])
def test_matching_is_one_to_one(gold_spans, pred_spans, exact_tp, overlap_tp):
    s = score_entities([gold_notice([ge(*g) for g in gold_spans])], [[pe(*p) for p in pred_spans]])
    m = s["micro"]
    assert m["exact"]["tp"] == exact_tp and m["overlap"]["tp"] == overlap_tp
    assert m["overlap"]["fp"] == len(pred_spans) - overlap_tp
    assert m["overlap"]["fn"] == len(gold_spans) - overlap_tp


def test_max_overlap_matching_pairs():
    assert max_overlap_matching([(0, 10), (10, 20)], [(5, 15), (0, 3)]) == [(0, 1), (1, 0)]
    assert max_overlap_matching([(0, 10)], [(0, 2), (0, 10), (8, 12)]) == [(0, 1)]  # exact preferred
    assert max_overlap_matching([], [(0, 1)]) == []


D = dt.date


@pytest.mark.parametrize("gold_e,pred_e,correct", [
    (ge(0, 5, "DATE", start_date=D(2023, 3, 8), end_date=D(2023, 6, 10)),
     pe(0, 5, "DATE", start_date=D(2023, 3, 8), end_date=D(2023, 6, 10)), True),
    (ge(0, 5, "DATE", start_date=D(2023, 3, 8), end_date=D(2023, 6, 10)),
     pe(0, 5, "DATE", start_date=D(2023, 3, 8), end_date=D(2023, 6, 30)), False),
    (ge(0, 5, "DATE"), pe(0, 5, "DATE"), True),  # both unresolved
    (ge(0, 5, "DATE"), pe(0, 5, "DATE", start_date=D(2023, 1, 1), end_date=D(2023, 12, 31)), False),
    (ge(0, 5, "MONEY", value=354000.0, currency="CNY", approx=False),
     pe(0, 5, "MONEY", value=354000.009, currency="CNY", approx=False), True),
    (ge(0, 5, "MONEY", value=354000.0, currency="CNY", approx=False),
     pe(0, 5, "MONEY", value=354000.02, currency="CNY", approx=False), False),
    (ge(0, 5, "MONEY", value=354000.0, currency="CNY", approx=False),
     pe(0, 5, "MONEY", value=354000.0, currency="USD", approx=False), False),
    (ge(0, 5, "MONEY", value=1e7, currency="CNY", approx=True),
     pe(0, 5, "MONEY", value=1e7, currency="CNY", approx=None), False),
    (ge(0, 5, "MONEY", value=1e7, currency="CNY", approx=False),
     pe(0, 5, "MONEY", value=1e7, currency="CNY", approx=None), True),  # None reads as not approximate
    (ge(0, 5, "PERSON_COUNT", value=26), pe(0, 5, "PERSON_COUNT", value=26.0), True),
    (ge(0, 5, "PERSON_COUNT", value=26), pe(0, 5, "PERSON_COUNT", value=27.0), False),
    (ge(0, 5, "PERSON_COUNT", value=2), pe(0, 5, "PERSON_COUNT", value=None), False),
])
def test_value_accuracy_cases(gold_e, pred_e, correct):
    s = score_entities([gold_notice([gold_e])], [[pred_e]])
    v = s["values"][gold_e.label]
    assert (v["n"], v["correct"]) == (1, int(correct))
    assert s["values"]["overall"] == {"n": 1, "correct": int(correct), "accuracy": float(correct)}


def test_value_accuracy_only_on_exact_matches_and_per_label():
    gold = [gold_notice([ge(0, 5, "DATE", start_date=D(2023, 1, 1), end_date=D(2023, 1, 1)),
                         ge(10, 15, "DATE", start_date=D(2023, 2, 1), end_date=D(2023, 2, 1)),
                         ge(20, 22, "PERSON_COUNT", value=3), ge(30, 33, "PERSON_COUNT", value=4),
                         ge(40, 45, "ORG")])]
    pred = [[pe(0, 5, "DATE", start_date=D(2023, 1, 1), end_date=D(2023, 1, 1)),
             pe(10, 14, "DATE", start_date=D(2023, 2, 1), end_date=D(2023, 2, 1)),  # overlap only
             pe(20, 22, "PERSON_COUNT", value=3), pe(30, 33, "PERSON_COUNT", value=5),
             pe(40, 45, "ORG")]]
    v = score_entities(gold, pred)["values"]
    assert v["DATE"] == {"n": 1, "correct": 1, "accuracy": 1.0}
    assert v["PERSON_COUNT"] == {"n": 2, "correct": 1, "accuracy": 0.5}
    assert v["MONEY"] == {"n": 0, "correct": 0, "accuracy": None}
    assert v["overall"] == {"n": 3, "correct": 2, "accuracy": approx(Fraction(2, 3))}
    assert "ORG" not in v


def test_entities_length_mismatch():
    with pytest.raises(ValueError):
        score_entities([gold_notice()], [])


# --------------------------------------------------------------------------- structure


def gi(number, start, end, status="completed"):
    return GoldItem(number, start, end, status)


def pi(number, start, end, status="completed"):
    return Item(number=number, group_index=None, problem="", problem_start=start, problem_end=start,
                start=start, end=end, status=status)


@pytest.mark.parametrize("raw,norm", [("（三）", "三"), (" 1. ", "1"), ("28①", "28①"), ("2、", "2"), ("(4)", "4")])
def test_normalize_item_number(raw, norm):
    assert normalize_item_number(raw) == norm


def test_lcs_pairs():
    assert lcs_pairs(list("1231"), list("1321")) in ([(0, 0), (1, 2), (3, 3)], [(0, 0), (2, 1), (3, 3)])
    assert lcs_pairs([], ["1"]) == []


def test_score_structure():
    gold = [gold_notice(items=[gi("1", 0, 10), gi("2", 10, 20, "not_completed"), gi("3", 20, 30, "partially_completed")]),
            gold_notice(items=[gi("（一）", 0, 20), gi("（二）", 20, 40, "unknown")], id="g2")]
    pred = [ParsedNotice(TEXT, items=[pi("1", 0, 10), pi("3", 20, 29, "completed"), pi("4", 30, 40)]),
            ParsedNotice(TEXT, items=[pi("一", 0, 20)])]
    s = score_structure(gold, pred)
    assert s["count_match"] == {"n": 2, "correct": 1, "accuracy": 0.5}
    n = s["numbers"]
    assert (n["gold"], n["pred"], n["tp"], n["fp"], n["fn"]) == (5, 4, 3, 1, 2)
    assert n["precision"] == 0.75 and n["recall"] == 0.6
    # matched: 1 (completed = completed), 3 (partially vs completed), 一 (completed = completed)
    assert (s["status"]["n"], s["status"]["correct"]) == (3, 2)
    assert s["status"]["accuracy"] == approx(Fraction(2, 3))
    assert s["status"]["confusion"]["partially_completed"]["completed"] == 1
    assert s["spans_exact"] == {"n": 3, "correct": 2, "accuracy": approx(Fraction(2, 3))}
    assert [p["count_match"] for p in s["per_notice"]] == [True, False]


def test_structure_restarting_numbers_align_in_order():
    gold = [gold_notice(items=[gi("1", 0, 5), gi("2", 5, 10), gi("1", 10, 15, "not_completed"),
                               gi("2", 15, 20, "not_completed")])]
    pred = [ParsedNotice(TEXT, items=[pi("1", 0, 5), pi("1", 10, 15, "not_completed"),
                                      pi("2", 15, 20, "not_completed")])]
    s = score_structure(gold, pred)
    assert (s["numbers"]["tp"], s["numbers"]["fn"], s["numbers"]["fp"]) == (3, 1, 0)
    assert s["status"]["correct"] == 3


# --------------------------------------------------------------------------- measures


MTEXT = "整改情况：一是制定了制度。二是追缴资金35万元；三是开展学习，四是约谈。"


def mspan(needle, with_punct=False):
    s = MTEXT.index(needle)
    return (s, s + len(needle) + (1 if with_punct else 0))


def test_trim_span():
    s, e = mspan("一是制定了制度", with_punct=True)
    assert trim_span(MTEXT, s, e) == (s, e - 1)
    assert trim_span("  ，好。 ", 0, 6) == (3, 4)
    assert trim_span("。；", 0, 2) == (2, 2)


def test_measure_segmentation_trimmed_exact_and_overlap():
    gm = [GoldMeasure(*mspan(n, True), MTEXT[slice(*mspan(n, True))]) for n in
          ("一是制定了制度", "二是追缴资金35万元", "三是开展学习", "四是约谈")]
    gold = [gold_notice(measures=gm, text=MTEXT)]
    pred = [[mspan("一是制定了制度"),  # same after trimming the 。
             mspan("二是追缴资金35万元", True),  # identical
             mspan("三是开展学习，四是约谈"),  # one span over two gold measures: overlap with one of them
             (0, 5)]]  # the heading: no match
    s = score_measure_segmentation(gold, pred)
    assert (s["gold"], s["pred"]) == (4, 4)
    assert (s["exact"]["tp"], s["exact"]["fp"], s["exact"]["fn"]) == (2, 2, 2)
    assert s["exact"]["precision"] == 0.5 and s["exact"]["recall"] == 0.5
    assert (s["overlap"]["tp"], s["overlap"]["fp"], s["overlap"]["fn"]) == (3, 1, 1)
    assert s["overlap"]["f1"] == 0.75


def test_measure_segmentation_accepts_measure_objects_and_punctuation_only_spans():
    text = "甲。；乙。"
    gold = [gold_notice(measures=[GoldMeasure(0, 2, "甲。"), GoldMeasure(3, 5, "乙。")], text=text)]
    pred = [[Measure(0, 1, "甲", None), Measure(1, 3, "。；", None), Measure(3, 4, "乙", None)]]
    s = score_measure_segmentation(gold, pred)
    assert (s["exact"]["tp"], s["exact"]["fp"], s["overlap"]["tp"]) == (2, 1, 2)


def test_measure_labels_exact_numbers():
    gold = [{"institution_building"}, {"institution_building", "accountability"}, set(), {"fund_recovery"}]
    pred = [{"institution_building"}, {"accountability"}, {"institution_building"}, set()]
    s = score_measure_labels(gold, pred)
    ib, acc, fr = (s["labels"][l] for l in ("institution_building", "accountability", "fund_recovery"))
    assert (ib["precision"], ib["recall"], ib["f1"], ib["support"], ib["predicted"]) == (0.5, 0.5, 0.5, 2, 2)
    assert (acc["precision"], acc["recall"], acc["f1"], acc["support"]) == (1.0, 1.0, 1.0, 1)
    assert (fr["precision"], fr["recall"], fr["f1"], fr["support"], fr["predicted"]) == (0.0, 0.0, 0.0, 1, 0)
    assert s["macro_f1"] == pytest.approx(0.5)
    assert s["micro_f1"] == approx(Fraction(4, 7))
    assert s["n"] == 4


def test_measure_labels_empty_and_custom_labels():
    assert score_measure_labels([], [])["macro_f1"] is None
    s = score_measure_labels([{"a"}, {"b"}], [{"a"}, {"a"}], labels=("a", "b"))
    assert s["labels"]["a"]["precision"] == 0.5 and s["labels"]["b"]["recall"] == 0.0
    assert s["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)


# --------------------------------------------------------------------------- run_evaluation


def _records() -> list[GoldNotice]:
    t1 = "2023年3月8日，省委第八巡视组反馈意见。1.问题。整改结果：完成\n整改情况：追缴资金35.4万元。问责7人。"
    t2 = "今年4月份，区纪工委约谈2人。1.问题。整改结果：未完成\n整改情况：制定了《管理办法》。"

    def e(t, needle, label, **v):
        s = t.index(needle)
        return GoldEntity(s, s + len(needle), label, needle, **v)

    def m(t, needle, labels):
        s = t.index(needle)
        return GoldMeasure(s, s + len(needle), needle, labels)

    r1 = GoldNotice(
        id="real-1", source="corpus/r1.txt", origin="real", text=t1, notice_date=dt.date(2023, 12, 5),
        entities=[e(t1, "2023年3月8日", "DATE", start_date=D(2023, 3, 8), end_date=D(2023, 3, 8)),
                  e(t1, "省委第八巡视组", "ORG"),
                  e(t1, "35.4万元", "MONEY", value=354000.0, currency="CNY", approx=False),
                  e(t1, "7人", "PERSON_COUNT", value=7)],
        items=[GoldItem("1", t1.index("1.问题"), len(t1), "completed")],
        measures=[m(t1, "追缴资金35.4万元。", ["fund_recovery"]), m(t1, "问责7人。", ["accountability"])])
    r2 = GoldNotice(
        id="written-1", source="written/w1.txt", origin="written", text=t2, notice_date=dt.date(2023, 12, 5),
        entities=[e(t2, "今年4月份", "DATE", start_date=D(2023, 4, 1), end_date=D(2023, 4, 30)),
                  e(t2, "区纪工委", "ORG"), e(t2, "2人", "PERSON_COUNT", value=2),
                  e(t2, "管理办法", "DOC_TITLE", kind="办法")],
        items=[GoldItem("1", t2.index("1.问题"), len(t2), "not_completed")],
        measures=[m(t2, "制定了《管理办法》。", ["institution_building"])])
    return [r1, r2]


def perfect_predictor(records):
    by_text = {r.text: r for r in records}

    def predict(text, notice_date):
        g = by_text[text]
        return ParsedNotice(
            text=text, notice_date=notice_date,
            entities=[x.to_entity() for x in g.entities],
            items=[pi(i.number, i.start, i.end, i.status) for i in g.items],
            measures=[Measure(x.start, x.end, x.text, 0, labels=list(x.labels)) for x in g.measures])
    return predict


def test_run_evaluation_perfect_and_degraded(tmp_path):
    records = _records()
    gold_path = tmp_path / "gold.jsonl"
    save_gold(records, gold_path)
    calls = []
    perfect = perfect_predictor(records)

    def recording(text, notice_date):
        calls.append(notice_date)
        return perfect(text, notice_date)

    report = run_evaluation(gold_path, recording, report_path=tmp_path / "out" / "report.json")
    assert calls == [dt.date(2023, 12, 5)] * 2
    assert list(report["groups"]) == ["all", "real", "written"]
    assert [report["groups"][g]["notices"] for g in ("all", "real", "written")] == [2, 1, 1]
    a = report["groups"]["all"]
    assert a["entities"]["micro"]["exact"]["f1"] == 1.0
    assert a["entities"]["values"]["overall"] == {"n": 5, "correct": 5, "accuracy": 1.0}  # DOC_TITLE not counted
    assert a["structure"]["status"]["accuracy"] == 1.0
    assert a["measure_segmentation"]["exact"]["f1"] == 1.0
    assert a["measure_labels"]["macro_f1"] == 1.0
    on_disk = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(report))

    def degraded(text, notice_date):
        p = perfect(text, notice_date)
        if "省委" in text:  # the real notice: lose the ORG, get a MONEY value wrong, miss a status
            p.entities = [e for e in p.entities if e.label != "ORG"]
            for e in p.entities:
                if e.label == "MONEY":
                    e.value = 35.4
            p.items[0].status = "partially_completed"
            p.measures[1].labels = []
        return p

    report = run_evaluation(gold_path, degraded)
    real, written, a = (report["groups"][g] for g in ("real", "written", "all"))
    assert real["entities"]["micro"]["exact"] == {"tp": 3, "fp": 0, "fn": 1, "precision": 1.0,
                                                  "recall": 0.75, "f1": approx(Fraction(6, 7))}
    assert real["entities"]["values"]["MONEY"] == {"n": 1, "correct": 0, "accuracy": 0.0}
    assert written["entities"]["micro"]["exact"]["f1"] == 1.0
    assert a["entities"]["micro"]["exact"]["recall"] == approx(Fraction(7, 8))
    assert a["entities"]["values"]["overall"] == {"n": 5, "correct": 4, "accuracy": 0.8}
    assert a["structure"]["status"] == {"n": 2, "correct": 1, "accuracy": 0.5, "confusion": a["structure"]["status"]["confusion"]}
    assert a["measure_labels"]["labels"]["accountability"]["recall"] == 0.0

    text = format_report(report)
    for needle in ("== all (2 notices) ==", "== real (1 notices) ==", "== written (1 notices) ==",
                   "F1 exact", "F1 overlap", "PERSON_COUNT", "micro", "status accuracy", "macro F1",
                   "Measure segmentation", "fund_recovery"):
        assert needle in text
    org_row = next(l for l in text.splitlines()[text.splitlines().index("== real (1 notices) =="):]
                   if l.startswith("ORG"))
    assert org_row.split()[1:4] == ["1", "0", "-"]  # 1 gold, 0 predicted, precision undefined


def test_run_evaluation_rejects_a_predictor_that_changes_the_text(tmp_path):
    save_gold(_records(), tmp_path / "gold.jsonl")
    with pytest.raises(ValueError, match="changed the text of notice 'real-1'"):
        run_evaluation(tmp_path / "gold.jsonl", lambda text, d: ParsedNotice(text=text.replace("\n", "")))


# --------------------------------------------------------------------------- folds


def test_grouped_folds_never_split_a_notice():
    records = [{"notice_id": n, "k": k} for k, n in enumerate("aaabbcddddeffg")]
    folds = grouped_folds(records, n_splits=3, seed=1)
    assert len(folds) == 3
    seen = np.concatenate([test for _, test in folds])
    assert sorted(seen.tolist()) == list(range(len(records)))  # each record tested exactly once
    for train, test in folds:
        assert not set(train.tolist()) & set(test.tolist())
        assert len(train) + len(test) == len(records)
        tr = {records[i]["notice_id"] for i in train}
        te = {records[i]["notice_id"] for i in test}
        assert not tr & te
    sizes = sorted(len(t) for _, t in folds)
    assert sizes[-1] - sizes[0] <= 4  # balanced by records, within the largest notice
    assert [t.tolist() for _, t in folds] == [t.tolist() for _, t in grouped_folds(records, 3, seed=1)]


def test_grouped_folds_leave_one_notice_out_when_few_notices():
    records = [GoldNotice(id=i, source="", origin="real", text=i) for i in ("x", "y")]
    folds = grouped_folds(records, n_splits=5, seed=0)
    assert sorted(t.tolist() for _, t in folds) == [[0], [1]]
    assert sorted(tr.tolist() for tr, _ in folds) == [[0], [1]]


def test_grouped_folds_group_key_and_errors():
    folds = grouped_folds(["a", "b", "a", "c"], n_splits=3, seed=0)
    assert sorted(t.tolist() for _, t in folds) == [[0, 2], [1], [3]]
    folds = grouped_folds([(1, "p"), (2, "q")], 2, group_key=lambda r: r[1])
    assert sorted(t.tolist() for _, t in folds) == [[0], [1]]
    with pytest.raises(ValueError):
        grouped_folds(["a", "a"], 2)
    with pytest.raises(ValueError):
        grouped_folds(["a", "b"], 1)
