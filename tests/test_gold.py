"""Gold format: save/load round trips, validation errors, pre-annotation from predictions."""
from __future__ import annotations

import copy
import re
import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.annotation.gold_records import AnnotationError, GoldEntity, GoldItem, GoldMeasure, GoldNotice
from pipeline.annotation.gold import from_parsed, load_gold, save_gold
from pipeline.annotation.gold_validation import validate
from pipeline.types import Entity, Item, Measure, ParsedNotice

ROOT = Path(__file__).resolve().parents[1]
YIYANG = "corpus/yiyang-hitech-2023-12-05.txt"


def real_text() -> str:
    return (ROOT / YIYANG).read_text(encoding="utf-8")


def at(text: str, needle: str, after: str | None = None) -> tuple[int, int]:
    """Offsets of ``needle`` (first occurrence, or first after ``after``)."""
    base = text.index(after) if after else 0
    i = text.index(needle, base)
    return i, i + len(needle)


def real_record() -> GoldNotice:
    """A gold record over the real yiyang notice, offsets found with text.index()."""
    text = real_text()

    def ent(needle, label, after=None, **values):
        s, e = at(text, needle, after)
        return GoldEntity(start=s, end=e, label=label, text=needle, **values)

    def meas(needle, labels):
        s, e = at(text, needle)
        return GoldMeasure(start=s, end=e, text=needle, labels=labels)

    item1_start = text.index("1.未规范落实")
    item1_end = text.index("切实做到知行合一。") + len("切实做到知行合一。")
    return GoldNotice(
        id="yiyang-hitech-2023-12-05", source=YIYANG, origin="real", text=text,
        notice_date=dt.date(2023, 12, 5),
        entities=[
            ent("2023年12月5日", "DATE", start_date=dt.date(2023, 12, 5), end_date=dt.date(2023, 12, 5)),
            ent("2023年3月8日至6月10日", "DATE", start_date=dt.date(2023, 3, 8), end_date=dt.date(2023, 6, 10)),
            ent("省委第八巡视组", "ORG"),
            ent("关于省委第八巡视组反馈意见的整改方案", "DOC_TITLE", kind="方案"),
            ent("35.4万元", "MONEY", value=354000.0, currency="CNY", approx=False),
            ent("7人", "PERSON_COUNT", after="35.4万元，问责", value=7),
        ],
        items=[GoldItem(number="1", start=item1_start, end=item1_end, status="completed")],
        measures=[
            meas("制定了《关于修订〈益阳高新区党工委会议工作规范〉的通知》", ["institution_building"]),
            meas("传达学习了落实“第一议题”制度相关文件精神，并督促指导全区各级党组织对标对表落实", []),
            meas("据实清退了相对固定用车期间领导干部的公务交通补贴", ["fund_recovery"]),
            meas("对相关人员进行了问责处理", ["accountability"]),
        ],
    )


def test_real_record_offsets_read_back():
    rec = real_record()
    for e in rec.entities:
        assert rec.text[e.start:e.end] == e.text
    assert rec.text[rec.entities[5].start - 2:rec.entities[5].end] == "问责7人"
    assert validate(rec).to_dict() == rec.to_dict()


def test_save_load_round_trip(tmp_path):
    rec = real_record()
    written = GoldNotice(id="written-1", source="written/one.txt", origin="written",
                         text="2023年6月起，问责3人。", notice_date=None,
                         entities=[GoldEntity(11, 13, "PERSON_COUNT", "3人", value=3),
                                   GoldEntity(0, 8, "DATE", "2023年6月起", start_date=dt.date(2023, 6, 1))])
    path = tmp_path / "annotations" / "gold.jsonl"
    save_gold([rec, written], path)
    loaded = load_gold(path)
    assert [r.id for r in loaded] == ["yiyang-hitech-2023-12-05", "written-1"]
    assert loaded[0].to_dict() == rec.to_dict()
    assert loaded[0].notice_date == dt.date(2023, 12, 5)
    assert loaded[0].entities[0].start_date == dt.date(2023, 3, 8)  # sorted by start
    assert loaded[1].entities[0].label == "DATE"  # sorted by start on save
    assert loaded[1].entities[0].end_date is None
    assert list(tmp_path.joinpath("annotations").iterdir()) == [path]  # no temp file left behind

    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    raw = json.loads(lines[1])
    assert list(raw) == sorted(raw)  # sorted keys
    assert "问责3人" in lines[1]  # ensure_ascii=False
    assert [e["start"] for e in raw["entities"]] == [0, 11]
    assert raw["entities"][0] == {"start": 0, "end": 8, "label": "DATE", "text": "2023年6月起",
                                  "start_date": "2023-06-01", "end_date": None}
    money = json.loads(lines[0])["entities"][3]
    assert money == {"start": 1689, "end": 1695, "label": "MONEY", "text": "35.4万元",
                     "value": 354000.0, "currency": "CNY", "approx": False}


def test_save_refuses_invalid_and_keeps_old_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    good = real_record()
    save_gold([good], path)
    before = path.read_bytes()
    bad = copy.deepcopy(good)
    bad.entities[0].text = "wrong"
    with pytest.raises(AnnotationError, match="yiyang-hitech-2023-12-05"):
        save_gold([bad], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["gold.jsonl"]


def base_dict() -> dict:
    text = "2023年3月8日至6月10日，省委第八巡视组追缴资金35.4万元，问责7人，制定了《整改方案》。"
    return {
        "id": "t1", "source": "written/t1.txt", "origin": "written", "notice_date": "2023-12-05", "text": text,
        "entities": [
            {"start": 0, "end": 15, "label": "DATE", "text": "2023年3月8日至6月10日",
             "start_date": "2023-03-08", "end_date": "2023-06-10"},
            {"start": 16, "end": 23, "label": "ORG", "text": "省委第八巡视组"},
            {"start": 27, "end": 33, "label": "MONEY", "text": "35.4万元", "value": 354000.0,
             "currency": "CNY", "approx": False},
            {"start": 36, "end": 38, "label": "PERSON_COUNT", "text": "7人", "value": 7},
            {"start": 43, "end": 47, "label": "DOC_TITLE", "text": "整改方案", "kind": "方案"},
        ],
        "items": [{"number": "1", "start": 0, "end": len(text), "status": "completed"}],
        "measures": [{"start": 16, "end": 33, "text": "省委第八巡视组追缴资金35.4万元", "labels": ["fund_recovery"]},
                     {"start": 39, "end": 48, "text": "制定了《整改方案》", "labels": ["institution_building"]}],
    }


def test_base_dict_is_valid():
    rec = validate(base_dict())
    assert [e.label for e in rec.entities] == ["DATE", "ORG", "MONEY", "PERSON_COUNT", "DOC_TITLE"]
    assert rec.entities[3].value == 7 and rec.entities[2].value == 354000.0


def _set(path, value):
    def f(d):
        *keys, last = path
        for k in keys:
            d = d[k]
        d[last] = value
    return f


def _del(path):
    def f(d):
        *keys, last = path
        for k in keys:
            d = d[k]
        del d[last]
    return f


BAD = [
    ("span past the end", _set(["entities", 0, "end"], 999), "outside the text"),
    ("empty span", _set(["entities", 1, "end"], 16), "empty or outside"),
    ("negative start", _set(["entities", 1, "start"], -1), "outside the text"),
    ("text differs", _set(["entities", 1, "text"], "省委巡视组"), "!= text[16:23]"),
    ("float offsets", _set(["entities", 1, "start"], 16.0), "must be integers"),
    ("overlap", lambda d: d["entities"][1].update(start=14, text="日，省委第八巡视组"), "overlapping entities"),
    ("unknown label", _set(["entities", 1, "label"], "PERSON"), "unknown label 'PERSON'"),
    ("value on ORG", _set(["entities", 1, "value"], 1), "value does not apply to ORG"),
    ("unknown entity key", _set(["entities", 1, "lable"], "ORG"), "unknown key(s) lable"),
    ("date not ISO", _set(["entities", 0, "start_date"], "2023/03/08"), "ISO date"),
    ("date not in calendar", _set(["entities", 0, "end_date"], "2023-02-30"), "not a calendar date"),
    ("end before start", _set(["entities", 0, "end_date"], "2023-03-01"), "is before start_date"),
    ("money as string", _set(["entities", 2, "value"], "354000"), "non-negative number"),
    ("negative money", _set(["entities", 2, "value"], -5.0), "non-negative number"),
    ("approx not bool", _set(["entities", 2, "approx"], "yes"), "approx must be true/false"),
    ("currency lowercase", _set(["entities", 2, "currency"], "cny"), "ISO 4217"),
    ("value without currency", _set(["entities", 2, "currency"], None), "needs its currency"),
    ("person count fraction", _set(["entities", 3, "value"], 2.5), "non-negative integer"),
    ("person count bool", _set(["entities", 3, "value"], True), "non-negative integer"),
    ("doc title with brackets", lambda d: d["entities"][4].update(start=42, end=48, text="《整改方案》"),
     "between the outer 《 and 》"),
    ("span with space", lambda d: d.update(text=d["text"][:16] + " " + d["text"][17:]) or
     d["entities"][1].update(text=" 委第八巡视组"), "whitespace"),
    ("unknown status", _set(["items", 0, "status"], "done"), "unknown status 'done'"),
    ("empty item number", _set(["items", 0, "number"], " "), "number must be a non-empty string"),
    ("unknown measure label", _set(["measures", 0, "labels"], ["recovery"]), "unknown measure label"),
    ("repeated measure label", _set(["measures", 0, "labels"], ["fund_recovery"] * 2), "repeated label"),
    ("overlapping measures", lambda d: d["measures"][1].update(start=30, text=d["text"][30:48]),
     "overlapping measures"),
    ("bad origin", _set(["origin"], "synthetic"), "origin must be one of real, written"),
    ("bad notice date", _set(["notice_date"], "5.12.2023"), "notice_date must be an ISO date"),
    ("unknown record key", _set(["note"], "x"), "unknown key(s): note"),
    ("missing source", _del(["source"]), "missing key(s): source"),
]


@pytest.mark.parametrize("name,mutate,message", BAD, ids=[b[0] for b in BAD])
def test_validate_rejects(name, mutate, message):
    d = base_dict()
    mutate(d)
    with pytest.raises(AnnotationError) as info:
        validate(d, path="annotations/gold.jsonl", line=7)
    text = str(info.value)
    assert text.startswith("annotations/gold.jsonl:7: record 't1': ")
    assert message in text
    assert info.value.line == 7 and info.value.record_id == "t1"
    assert isinstance(info.value, ValueError)


def test_validate_lists_every_problem():
    d = base_dict()
    d["entities"][1]["label"] = "PERSON"
    d["items"][0]["status"] = "done"
    with pytest.raises(AnnotationError) as info:
        validate(d)
    assert len(info.value.problems) == 2
    assert "2 problem(s)" in str(info.value)


def test_validate_accepts_empty_values():
    d = base_dict()
    d["entities"][0].update(start_date=None, end_date=None)
    d["entities"][2].update(value=None, currency=None, approx=None)
    d["entities"][3]["value"] = None
    d["entities"][4]["kind"] = ""
    rec = validate(d)
    assert rec.entities[0].values() == {"start_date": None, "end_date": None}
    assert rec.entities[2].values() == {"value": None, "currency": None, "approx": False}
    assert rec.entities[4].values() == {"kind": ""}


def _write_lines(path: Path, dicts_or_strings) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for x in dicts_or_strings:
            f.write((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n")


def test_load_names_file_line_and_id(tmp_path):
    good, bad = base_dict(), base_dict()
    bad["id"] = "broken"
    bad["text"] = bad["text"] + "附"
    bad["entities"][1]["text"] = "省委"
    path = tmp_path / "gold.jsonl"
    _write_lines(path, [good, "", bad])
    with pytest.raises(AnnotationError) as info:
        load_gold(path)
    assert str(info.value).startswith(f"{path}:3: record 'broken': ")
    assert info.value.line == 3


@pytest.mark.parametrize("second,message", [
    (lambda d: d, "duplicate id (first on line 1)"),
    (lambda d: d.update(id="other"), "same text as the record on line 1"),
])
def test_load_rejects_duplicates(tmp_path, second, message):
    a, b = base_dict(), base_dict()
    second(b)
    path = tmp_path / "gold.jsonl"
    _write_lines(path, [a, b])
    with pytest.raises(AnnotationError, match=re.escape(message)) as info:
        load_gold(path)
    assert str(info.value).startswith(f"{path}:2:")


def test_load_reports_bad_json(tmp_path):
    path = tmp_path / "gold.jsonl"
    _write_lines(path, [base_dict(), '{"id": "x",'])
    with pytest.raises(AnnotationError, match=r"gold.jsonl:2: not valid JSON"):
        load_gold(path)


def test_from_parsed_makes_a_valid_preannotation():
    text = "2023年6月起，区纪工委问责3人，追缴资金约35.4万元，印发《整改方案》。\n"
    s = text.index
    parsed = ParsedNotice(
        text=text, notice_date=dt.date(2023, 12, 5),
        entities=[
            Entity(0, 8, "DATE", "2023年6月起", start_date=dt.date(2023, 6, 1), end_date=dt.date(2023, 12, 5)),
            Entity(s("区纪工委"), s("区纪工委") + 4, "ORG", "区纪工委"),
            Entity(s("纪工委"), s("纪工委") + 3, "ORG", "纪工委"),  # nested in the longer one: dropped
            Entity(s("3人"), s("3人") + 2, "PERSON_COUNT", "3人", value=3.0),
            Entity(s("35.4万元"), s("35.4万元") + 6, "MONEY", "35.4万元", value=354000.0, approx=True),
            Entity(s("整改方案") - 1, s("整改方案") + 5, "DOC_TITLE", "《整改方案》", kind="方案"),  # brackets in
            Entity(s("整改方案"), s("整改方案") + 4, "DOC_TITLE", "整改方案", kind="方案"),
        ],
        items=[Item(number=" 1 ", group_index=None, problem="", problem_start=0, problem_end=0,
                    start=0, end=len(text) - 1, status="completed")],
        measures=[Measure(s("区纪工委"), s("，追缴"), "区纪工委问责3人", None, labels=["accountability"]),
                  Measure(s("追缴"), s("。") + 2, "追缴资金约35.4万元，印发《整改方案》。\n", None,
                          labels=["institution_building", "fund_recovery", "fund_recovery"])],
    )
    rec = from_parsed(parsed, id="w1", source="written/w1.txt", origin="written")
    assert rec.notice_date == dt.date(2023, 12, 5)
    assert [(e.label, e.text) for e in rec.entities] == [
        ("DATE", "2023年6月起"), ("ORG", "区纪工委"), ("PERSON_COUNT", "3人"), ("MONEY", "35.4万元"),
        ("DOC_TITLE", "整改方案")]
    assert rec.entities[2].value == 3 and isinstance(rec.entities[2].value, int)
    assert rec.entities[3].values() == {"value": 354000.0, "currency": "CNY", "approx": True}
    assert rec.items == [GoldItem(number="1", start=0, end=len(text) - 1, status="completed")]
    assert rec.measures[1].text == "追缴资金约35.4万元，印发《整改方案》。"  # trailing newline trimmed
    assert rec.measures[1].labels == ["institution_building", "fund_recovery"]
    assert validate(rec).to_dict() == rec.to_dict()
