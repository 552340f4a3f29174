"""Label Studio and doccano converters: exact task shapes, round trips on real text, merging."""
from __future__ import annotations

import copy
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.annotation.doccano import from_doccano, measure_doccano_label, parse_measure_doccano_label, to_doccano
from pipeline.annotation.label_studio import from_label_studio_export, label_studio_config, to_label_studio_tasks
from pipeline.annotation.spans import guess_item_number
from pipeline.annotation.merge import merge_import
from pipeline.annotation.gold_records import AnnotationError, GoldEntity, GoldItem, GoldMeasure, GoldNotice
from pipeline.annotation.gold import load_gold, save_gold
from pipeline.types import ENTITY_LABELS, MEASURE_LABELS, STATUSES

ROOT = Path(__file__).resolve().parents[1]
YIYANG = "corpus/yiyang-hitech-2023-12-05.txt"


def real_records() -> list[GoldNotice]:
    """Two records over real sentences of the yiyang notice; offsets from text.index()."""
    full = (ROOT / YIYANG).read_text(encoding="utf-8")
    # record 1: the introduction paragraph
    intro_start = full.index("根据省委统一部署")
    intro = full[intro_start:full.index("\n", intro_start)]
    # record 2: item 1 with its status and description
    it_start = full.index("1.未规范落实")
    item = full[it_start:full.index("切实做到知行合一。") + len("切实做到知行合一。")]

    def ent(text, needle, label, nth=0, **values):
        i = -1
        for _ in range(nth + 1):
            i = text.index(needle, i + 1)
        return GoldEntity(start=i, end=i + len(needle), label=label, text=needle, **values)

    def meas(text, needle, labels):
        i = text.index(needle)
        return GoldMeasure(start=i, end=i + len(needle), text=needle, labels=labels)

    r1 = GoldNotice(
        id="yiyang-intro", source=YIYANG, origin="real", text=intro, notice_date=dt.date(2023, 12, 5),
        entities=[
            ent(intro, "2023年3月8日至6月10日", "DATE", start_date=dt.date(2023, 3, 8), end_date=dt.date(2023, 6, 10)),
            ent(intro, "省委第八巡视组", "ORG"),
            ent(intro, "2023年7月18日", "DATE", start_date=dt.date(2023, 7, 18), end_date=dt.date(2023, 7, 18)),
            ent(intro, "省委第八巡视组", "ORG", nth=1),
        ])
    r2 = GoldNotice(
        id="yiyang-item-1", source=YIYANG, origin="real", text=item, notice_date=dt.date(2023, 12, 5),
        entities=[
            ent(item, "关于修订〈益阳高新区党工委会议工作规范〉的通知", "DOC_TITLE", kind="通知"),
            ent(item, "2023年6月起", "DATE", start_date=dt.date(2023, 6, 1), end_date=dt.date(2023, 12, 5)),
            ent(item, "党工委", "ORG", nth=1),
        ],
        items=[GoldItem(number="1", start=0, end=len(item), status="completed")],
        measures=[
            meas(item, "制定了《关于修订〈益阳高新区党工委会议工作规范〉的通知》", ["institution_building"]),
            meas(item, "印发了《关于进一步深化落实“第一议题”制度的通知》", ["institution_building"]),
            meas(item, "传达学习了落实“第一议题”制度相关文件精神，并督促指导全区各级党组织对标对表落实", []),
        ])
    return [r1, r2]


def money_record() -> GoldNotice:
    full = (ROOT / YIYANG).read_text(encoding="utf-8")
    s = full.index("为亲友牟利专项整治")
    text = full[s:full.index("问责7人。", s) + len("问责7人。")]
    i, j, k = text.index("35.4万元"), text.index("问责7人") + 2, text.index("2人")
    return GoldNotice(
        id="yiyang-money", source=YIYANG, origin="real", text=text, notice_date=dt.date(2023, 12, 5),
        entities=[GoldEntity(k, k + 2, "PERSON_COUNT", "2人", value=2),
                  GoldEntity(i, i + 6, "MONEY", "35.4万元", value=354000.0, currency="CNY", approx=False),
                  GoldEntity(j, j + 2, "PERSON_COUNT", "7人", value=7)],
        measures=[GoldMeasure(start=text.index("追缴"), end=i + 6, text=text[text.index("追缴"):i + 6],
                              labels=["fund_recovery"]),
                  GoldMeasure(start=j - 2, end=j + 2, text="问责7人", labels=["accountability"])])


def test_real_records_are_valid_and_read_back():
    from pipeline.annotation.gold_validation import validate
    for rec in real_records() + [money_record()]:
        validate(rec)
        for e in rec.entities:
            assert rec.text[e.start:e.end] == e.text


# --------------------------------------------------------------------------- Label Studio


def test_label_studio_task_shape():
    r2 = real_records()[1]
    [task] = to_label_studio_tasks([r2], model_version="pipeline-0.1")
    assert task["data"] == {"text": r2.text, "notice_id": "yiyang-item-1", "source": YIYANG,
                            "origin": "real", "notice_date": "2023-12-05"}
    [pred] = task["predictions"]
    assert pred["model_version"] == "pipeline-0.1"
    res = pred["result"]
    doc = next(r for r in res if r["type"] == "labels" and r["value"]["labels"] == ["DOC_TITLE"])
    s = r2.text.index("关于修订")
    assert doc == {"id": doc["id"], "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": s, "end": s + 23, "text": "关于修订〈益阳高新区党工委会议工作规范〉的通知",
                             "labels": ["DOC_TITLE"]}}
    values = [r for r in res if r["id"] == doc["id"] and r["from_name"] == "values"]
    assert values == [{"id": doc["id"], "from_name": "values", "to_name": "text", "type": "textarea",
                       "value": {"start": s, "end": s + 23, "text": ['{"kind": "通知"}']}}]
    org = next(r for r in res if r["value"].get("labels") == ["ORG"])
    assert not [r for r in res if r["id"] == org["id"] and r is not org]  # ORG has no values box

    measures = [r for r in res if r["from_name"] == "measure"]
    assert [m["value"]["labels"] for m in measures] == [["MEASURE"]] * 3
    choices = [r for r in res if r["from_name"] == "measure_labels"]
    assert len(choices) == 2  # the unlabelled measure has no choices result
    for c in choices:
        region = next(m for m in measures if m["id"] == c["id"])
        assert c["type"] == "choices" and c["to_name"] == "text"
        assert (c["value"]["start"], c["value"]["end"]) == (region["value"]["start"], region["value"]["end"])
        assert c["value"]["choices"] == ["institution_building"]
    item_results = sorted((r["from_name"], r["type"]) for r in res if r["id"] == "i0")
    assert item_results == [("item", "labels"), ("item_number", "textarea"), ("item_status", "choices")]
    assert len({r["id"] for r in res}) == 3 + 3 + 1  # one id per region


def as_export(tasks: list[dict], **annotation_fields) -> list[dict]:
    """What Label Studio exports once someone accepted each prediction unchanged."""
    out = []
    for k, t in enumerate(tasks, start=1):
        out.append({"id": k, "data": t["data"], "predictions": t["predictions"],
                    "annotations": [{"id": 100 + k, "was_cancelled": False, "ground_truth": False,
                                     "created_at": "2024-01-02T10:00:00.000000Z",
                                     "updated_at": "2024-01-02T10:00:00.000000Z",
                                     "result": copy.deepcopy(t["predictions"][0]["result"]),
                                     **annotation_fields}]})
    return out


def test_label_studio_round_trip_on_real_records():
    records = real_records() + [money_record()]
    export = json.loads(json.dumps(as_export(to_label_studio_tasks(records)), ensure_ascii=False))
    back = from_label_studio_export(export)
    assert [r.to_dict() for r in back] == [r.to_dict() for r in records]


def test_label_studio_export_from_file(tmp_path):
    records = real_records()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(as_export(to_label_studio_tasks(records)), ensure_ascii=False), encoding="utf-8")
    assert [r.to_dict() for r in from_label_studio_export(path)] == [r.to_dict() for r in records]


def test_label_studio_uses_latest_non_cancelled_annotation():
    r1 = real_records()[0]
    [task] = as_export(to_label_studio_tasks([r1]))
    full = task["annotations"][0]
    older = copy.deepcopy(full)
    older.update(id=1, updated_at="2024-01-01T09:00:00Z", result=full["result"][:1])
    cancelled = copy.deepcopy(full)
    cancelled.update(id=3, updated_at="2024-03-01T09:00:00Z", was_cancelled=True, result=[])
    newer = copy.deepcopy(full)
    newer.update(id=2, updated_at="2024-02-01T09:00:00Z", result=full["result"][:2])  # DATE + its values
    task["annotations"] = [older, cancelled, newer]
    [rec] = from_label_studio_export([task])
    assert [(e.label, e.text) for e in rec.entities] == [("DATE", "2023年3月8日至6月10日")]
    assert rec.entities[0].end_date == dt.date(2023, 6, 10)


def test_label_studio_skips_tasks_without_annotation():
    tasks = to_label_studio_tasks(real_records())
    export = as_export(tasks)
    export[0]["annotations"][0]["was_cancelled"] = True
    assert [r.id for r in from_label_studio_export(export)] == ["yiyang-item-1"]


def _hand_drawn_task(text: str, regions: list[tuple[int, int, str, str]], data_extra=None) -> dict:
    result = [{"id": f"r{k}", "from_name": from_name, "to_name": "text", "type": "labels",
               "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}
              for k, (s, e, from_name, label) in enumerate(regions)]
    data = {"text": text, "notice_id": "hand", "source": "x.txt", "origin": "written",
            "notice_date": "2023-12-05", **(data_extra or {})}
    return {"id": 7, "data": data, "annotations": [{"id": 1, "result": result}]}


def test_label_studio_missing_values_use_normalizer():
    text = "今年1-10月，问责26人，追缴资金35.4万元。"
    d, p, m = text.index("今年"), text.index("26人"), text.index("35.4万元")
    task = _hand_drawn_task(text, [(d, d + 7, "label", "DATE"), (p, p + 3, "label", "PERSON_COUNT"),
                                   (m, m + 6, "label", "MONEY")])
    # the annotator typed only the currency of the MONEY: the rest comes from the normalizer
    task["annotations"][0]["result"].append(
        {"id": "r2", "from_name": "values", "to_name": "text", "type": "textarea",
         "value": {"start": m, "end": m + 6, "text": ['{"currency": "USD"}']}})
    calls = []

    def normalizer(label, span, notice_date):
        calls.append((label, span, notice_date))
        return {"DATE": {"start_date": "2023-01-01", "end_date": dt.date(2023, 10, 31)},
                "PERSON_COUNT": {"value": 26.0},
                "MONEY": {"value": 354000, "currency": "CNY", "approx": False}}[label]

    [rec] = from_label_studio_export([task], normalizer=normalizer)
    assert calls == [("DATE", "今年1-10月", dt.date(2023, 12, 5)), ("PERSON_COUNT", "26人", dt.date(2023, 12, 5)),
                     ("MONEY", "35.4万元", dt.date(2023, 12, 5))]
    assert [e.values() for e in rec.entities] == [
        {"start_date": "2023-01-01", "end_date": "2023-10-31"}, {"value": 26},
        {"value": 354000.0, "currency": "USD", "approx": False}]

    [empty] = from_label_studio_export([task])  # no normalizer: values stay empty
    assert [e.values() for e in empty.entities] == [
        {"start_date": None, "end_date": None}, {"value": None},
        {"value": None, "currency": "USD", "approx": False}]


def test_label_studio_hand_drawn_items_and_measures():
    text = "3.1名受处分干部未及时调整的问题。\n整改结果：完成\n整改情况：已免去其中4名同志职务；对相关人员进行了问责处理。"
    m1s, m2s = text.index("已免去"), text.index("对相关")
    task = _hand_drawn_task(text, [(0, len(text), "item", "ITEM"), (m1s, text.index("；"), "measure", "MEASURE"),
                                   (m2s, len(text) - 1, "measure", "MEASURE")])
    task["annotations"][0]["result"].append(
        {"id": "r2", "from_name": "measure_labels", "to_name": "text", "type": "choices",
         "value": {"start": m2s, "end": len(text) - 1, "text": text[m2s:-1], "choices": ["accountability"]}})
    [rec] = from_label_studio_export([task])
    assert rec.items == [GoldItem(number="3", start=0, end=len(text), status="unknown")]  # number from the text
    assert [(m.text, m.labels) for m in rec.measures] == [("已免去其中4名同志职务", []),
                                                           ("对相关人员进行了问责处理", ["accountability"])]


@pytest.mark.parametrize("span,expected", [
    ("1.未规范落实", "1"), ("28①高质量发展问题", "28①"), ("（三）反馈问题", "（三）"), ("问题一：", "问题一"),
    ("二、集中整改", "二"), ("未编号", None)])
def test_guess_item_number(span, expected):
    assert guess_item_number(span) == expected


def test_label_studio_utf16_offsets_are_converted():
    text = "😀注意：2023年12月5日省委第八巡视组"
    cp = text.index("省委第八巡视组")
    task = _hand_drawn_task(text, [])
    task["annotations"][0]["result"] = [{
        "id": "a", "from_name": "label", "to_name": "text", "type": "labels",
        "value": {"start": cp + 1, "end": cp + 8, "text": "省委第八巡视组", "labels": ["ORG"]}}]  # UTF-16 units
    [rec] = from_label_studio_export([task])
    assert (rec.entities[0].start, rec.entities[0].end) == (cp, cp + 7)


@pytest.mark.parametrize("mutate,message", [
    (lambda r: r[0]["value"].update(text="省委"), "reads '省委第八巡视组' but the tool says '省委'"),
    (lambda r: r[0]["value"].update(labels=["PERSON"]), "unknown label 'PERSON'"),
    (lambda r: r[0]["value"].update(labels=["ORG", "DATE"]), "exactly one label"),
    (lambda r: r.append({"id": "a", "from_name": "values", "to_name": "text", "type": "textarea",
                         "value": {"start": 0, "end": 1, "text": ['{"kind": "x"}']}}), "['kind'] do not apply to ORG"),
    (lambda r: r.append(copy.deepcopy(r[0]) | {"id": "b"}), "overlapping entities"),
])
def test_label_studio_import_errors(mutate, message):
    text = "省委第八巡视组反馈意见"
    task = _hand_drawn_task(text, [(0, 7, "label", "ORG")])
    task["annotations"][0]["result"][0]["id"] = "a"
    mutate(task["annotations"][0]["result"])
    with pytest.raises(AnnotationError) as info:
        from_label_studio_export([task])
    assert message in str(info.value)
    assert "task 7" in str(info.value)


def test_label_studio_values_must_be_json():
    task = _hand_drawn_task("今年4月份", [(0, 5, "label", "DATE")])
    task["annotations"][0]["result"].append({"id": "r0", "from_name": "values", "to_name": "text",
                                             "type": "textarea", "value": {"start": 0, "end": 5,
                                                                           "text": ["2023-04-01 to 2023-04-30"]}})
    with pytest.raises(AnnotationError, match="values are not JSON"):
        from_label_studio_export([task])


def test_label_studio_config_file_matches_code():
    on_disk = (ROOT / "annotations" / "label_studio_config.xml").read_text(encoding="utf-8")
    assert on_disk == label_studio_config()
    root = ET.fromstring(on_disk)
    controls = {el.get("name"): el for el in root.iter() if el.get("toName")}
    assert {el.get("name") for el in root.iter("Text")} == {"text"}
    assert all(el.get("toName") == "text" for el in controls.values())
    assert [l.get("value") for l in controls["label"].iter("Label")] == list(ENTITY_LABELS)
    assert [l.get("value") for l in controls["measure"].iter("Label")] == ["MEASURE"]
    assert [l.get("value") for l in controls["item"].iter("Label")] == ["ITEM"]
    assert [c.get("value") for c in controls["measure_labels"].iter("Choice")] == list(MEASURE_LABELS)
    assert controls["measure_labels"].get("choice") == "multiple"
    assert [c.get("value") for c in controls["item_status"].iter("Choice")] == list(STATUSES)
    for name in ("measure_labels", "item_status", "item_number", "values"):
        assert controls[name].get("perRegion") == "true"
    # every from_name an export uses is a control of the config
    res = to_label_studio_tasks(real_records())[1]["predictions"][0]["result"]
    assert {r["from_name"] for r in res} <= set(controls)


# --------------------------------------------------------------------------- doccano


@pytest.mark.parametrize("labels,label", [
    ([], "MEASURE"), (["fund_recovery"], "MEASURE:fund_recovery"),
    (["fund_recovery", "accountability"], "MEASURE:accountability+fund_recovery"),
    (list(MEASURE_LABELS), "MEASURE:institution_building+accountability+fund_recovery")])
def test_measure_doccano_labels(labels, label):
    assert measure_doccano_label(labels) == label
    assert sorted(parse_measure_doccano_label(label)) == sorted(labels)


def test_parse_measure_doccano_label_rejects_others():
    assert parse_measure_doccano_label("ORG") is None
    assert parse_measure_doccano_label("MEASURES") is None


def test_doccano_shape():
    r2 = real_records()[1]
    [ents] = to_doccano([r2], "entities")
    [meas] = to_doccano([r2], "measures")
    s = r2.text.index("关于修订")
    assert ents["id"] == 1 and ents["text"] == r2.text and ents["notice_id"] == "yiyang-item-1"
    assert ents["source"] == YIYANG and ents["origin"] == "real" and ents["notice_date"] == "2023-12-05"
    assert ents["label"][0] == [s, s + 23, "DOC_TITLE"]
    assert [l[2] for l in ents["label"]] == ["DOC_TITLE", "DATE", "ORG"]
    assert ents["entity_values"][0] == [s, s + 23, "DOC_TITLE", {"kind": "通知"}]
    assert [l[2] for l in meas["label"]] == ["MEASURE:institution_building"] * 2 + ["MEASURE"]
    with pytest.raises(ValueError):
        to_doccano([r2], "items")


def test_doccano_round_trip_on_real_records(tmp_path):
    records = real_records() + [money_record()]
    ent_path, meas_path = tmp_path / "entities.jsonl", tmp_path / "measures.jsonl"
    for path, layer in ((ent_path, "entities"), (meas_path, "measures")):
        path.write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in to_doccano(records, layer)),
                        encoding="utf-8")
    back = from_doccano(ent_path, measure_lines=meas_path, base=records)
    assert [r.to_dict() for r in back] == [r.to_dict() for r in records]
    # without base, items are lost but everything else survives
    no_base = from_doccano(ent_path, measure_lines=meas_path)
    assert no_base[1].items == [] and no_base[1].measures == records[1].measures
    assert no_base[2].entities == records[2].entities


def test_doccano_variants_and_value_sources():
    r = money_record()
    k = r.text.index("2人")
    i = r.text.index("35.4万元")
    # an older export: "labels", extra keys under "meta", no entity_values; one span added by hand
    line = {"id": 9, "text": r.text, "meta": {"notice_id": r.id, "origin": "real"},
            "labels": [[k, k + 2, "PERSON_COUNT"], [i, i + 6, "MONEY"]]}
    seen = []

    def normalizer(label, span, notice_date):
        seen.append((label, span, notice_date))
        return {"value": 2}

    [rec] = from_doccano([line], base=[r], normalizer=normalizer)
    assert rec.id == r.id and rec.notice_date == dt.date(2023, 12, 5)  # date from base
    assert [e.values() for e in rec.entities] == [{"value": 2}, {"value": 354000.0, "currency": "CNY", "approx": False}]
    assert seen == []  # both spans unchanged from base: values from base, normalizer not needed
    assert rec.measures == r.measures  # no measure file: measures from base



def test_doccano_without_origin_fails_or_uses_default():
    r = money_record()
    k = r.text.index("2人")
    line = {"id": 3, "text": r.text, "entities": [{"id": 1, "label": "PERSON_COUNT", "start_offset": k,
                                                   "end_offset": k + 2}]}
    with pytest.raises(AnnotationError, match="origin is missing"):
        from_doccano([line])
    [rec] = from_doccano([line], default_origin="written", normalizer=lambda l, t, d: {"value": int(t[0])})
    assert rec.id == "doccano-3" and rec.origin == "written"
    assert rec.entities == [GoldEntity(k, k + 2, "PERSON_COUNT", "2人", value=2)]
    [by_text] = from_doccano([line], base=[r])
    assert by_text.id == r.id  # matched to the base record by its text
    assert by_text.entities[0].value == 2


@pytest.mark.parametrize("label,message", [("PERSON", "unknown entity label"), ("MEASURE", "unknown entity label")])
def test_doccano_rejects_unknown_labels(label, message):
    line = {"id": 1, "text": "问责7人", "label": [[2, 4, label]], "origin": "written"}
    with pytest.raises(AnnotationError, match=message):
        from_doccano([line])


def test_doccano_merges_a_measure_labelled_twice():
    text = "追缴违纪资金并问责。"
    lines = [{"id": 1, "text": text, "notice_id": "n", "origin": "written", "label": []}]
    mlines = [{"id": 1, "text": text, "notice_id": "n",
               "label": [[0, 9, "MEASURE:fund_recovery"], [0, 9, "MEASURE:accountability"]]}]
    [rec] = from_doccano(lines, measure_lines=mlines)
    assert rec.measures == [GoldMeasure(0, 9, "追缴违纪资金并问责", ["accountability", "fund_recovery"])]


# --------------------------------------------------------------------------- merging


def test_merge_import_replaces_by_id_and_text_and_appends():
    r1, r2 = real_records()
    m = money_record()
    new_r1 = copy.deepcopy(r1)
    new_r1.entities = new_r1.entities[:1]
    new_r2 = copy.deepcopy(r2)  # same text as r2 under a tool-made id
    new_r2.id, new_r2.origin, new_r2.source = "ls-2", "written", ""
    new_r2.measures = []
    merged = merge_import([r1, r2], [new_r2, m, new_r1])
    assert [r.id for r in merged] == ["yiyang-intro", "yiyang-item-1", "yiyang-money"]
    assert len(merged[0].entities) == 1
    assert merged[1].measures == [] and merged[1].origin == "real" and merged[1].source == YIYANG
    assert merged[2] is m
    assert len(r1.entities) == 4  # inputs untouched


def test_merge_import_conflicts():
    r1, r2 = real_records()
    clash = copy.deepcopy(r2)
    clash.id = r1.id  # id of r1, text of r2
    with pytest.raises(AnnotationError, match="has the id of existing 'yiyang-intro' but the text of"):
        merge_import([r1, r2], [clash])
    twice = copy.deepcopy(r1)
    twice.id = "other"
    with pytest.raises(AnnotationError, match="are the same notice"):
        merge_import([r1], [r1, twice])


def test_import_merge_save_load(tmp_path):
    records = real_records()
    path = tmp_path / "gold.jsonl"
    save_gold(records[:1], path)
    imported = from_label_studio_export(as_export(to_label_studio_tasks(records)))
    save_gold(merge_import(load_gold(path), imported), path)
    assert [r.to_dict() for r in load_gold(path)] == [r.to_dict() for r in records]
