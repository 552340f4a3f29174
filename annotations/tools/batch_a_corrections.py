"""Build annotations/batch_a.jsonl = frozen pre-annotation + hand corrections for the five
written notices corpus/written/a-*.txt (batch A: ORG-rich development data).

Pre-annotation: ``NoticeParser(ner=None, classifier=None).parse(text)`` + ``from_parsed``, frozen
once in annotations/tools/batch_a_preannotation.jsonl (``--freeze`` rebuilds it from the current
pipeline; without it the frozen file is used, so the gold does not move with the pipeline).

Corrections per notice (keyed by a substring of the source path):
  orgs:       the COMPLETE list of ORG mentions in text order. Every pre-annotated ORG is dropped
              and these are added. An entry is a target string, or (context, target): the context
              is searched from the end of the previous ORG, the target located inside it.
  drop_ents:  (target, occurrence, label)              remove a pre-annotated non-ORG entity
  add_ents:   (context, target, label, values)         add an entity (first occurrence of context,
                                                       or (context, occurrence))
  set_vals:   (target, occurrence, label, values)      change normalised values
  relabel:    (measure text prefix, [labels])          set a measure's labels
  drop_meas / add_meas (context, target, [labels])
  items:      (number, occurrence, {key: value})       change an item

Run: .venv/bin/python annotations/tools/batch_a_corrections.py [--freeze] [--show]
"""
from __future__ import annotations

import glob
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.gold import (GoldEntity, GoldMeasure, dumps_record, save_gold,  # noqa: E402
                           sort_measure_labels, validate)

PRE = ROOT / "annotations/tools/batch_a_preannotation.jsonl"
OUT = ROOT / "annotations/batch_a.jsonl"
FILES = "corpus/written/a-*.txt"

IB, ACC, FR = "institution_building", "accountability", "fund_recovery"


def D(a, b=None):
    return {"start_date": a, "end_date": b or a}


def M(v, approx=False, cur="CNY"):
    return {"value": float(v), "currency": cur, "approx": approx}


def P(v):
    return {"value": v}


def K(kind):
    return {"kind": kind}


CORR: dict[str, dict] = {}

# --------------------------------------------------------------------------- (1) bank branch
CORR["a-taifeng-bank"] = dict(
    orgs=[
        "中共泰丰银行股份有限公司岚江省分行委员会",
        "总行党委",
        "总行党委", "总行党委第三巡视组", "岚江省分行党委",  # bare 巡视组 after it: not an ORG
        "分行党委",
        ("《泰丰银行党委巡视工作实施办法》有关要求，现将整改进展情况予以公布。\n\n分行党委", "分行党委"),
        ("党委书记", "党委"), "巡视整改工作领导小组", "领导小组办公室", "分行党委办公室",
        "内控合规部", "人力资源部", "分行纪委办公室",
        ("分行党委会议", "分行党委"), "岚州分行", "临渡分行",
        "总行纪委第二派驻纪检组", "国家金融监督管理总局岚江监管局", "中国人民银行岚江省分行",
        "岚江省农业农村厅", "省农业融资担保有限公司",
        "临渡鑫达贸易有限公司", "岚州恒远建材", "岚州市中级人民法院", "临渡分行公司业务部", "总行纪委",
        "岚江中和资产评估有限公司", "岚州市公安局经济犯罪侦查支队",
        "城西支行", "分行办公室", "财务会计部", "城西支行",
        "分行纪委", "分行纪委",  # 各二级分行纪检监察室: generic
        ("建立分行纪委", "分行纪委"), "内控合规部", "审计部",
        "岚州市市场监督管理局",
        ("人力资源部对2019年", "人力资源部"), "岚江财经大学",
        "普惠金融事业部", "科技金融中心", "岚江省人民医院党委", "国家税务总局岚州市税务局机关党委",
        ("下一步，分行党委", "分行党委"),
        "泰丰银行岚江省分行巡视整改工作领导小组办公室",
        "中共泰丰银行股份有限公司岚江省分行委员会",
    ],
    relabel=[
        ("出台《岚江省分行不良资产处置尽职免责和问责办法》", [IB]),  # 问责 is in the title only
        ("新增专职纪检干部6名，实现各二级分行纪检监察室全覆盖", [IB]),  # offices set up in every branch
    ],
)

# --------------------------------------------------------------------------- (2) city police bureau
CORR["a-chengzhou-public-security"] = dict(
    orgs=[
        "中共澄州市公安局委员会",
        "市委第六巡察组",
        "市委第六巡察组", "澄州市公安局党委", "市委第六巡察组", "市公安局党委", "市委巡察工作领导小组",
        "局党委", ("党委书记", "党委"), "巡察整改工作领导小组", "领导小组办公室", "局政治部",
        "督察支队", "法制支队", "警务保障部",
        "市纪委监委驻市公安局纪检监察组", "市委政法委",
        # 问题1: 部分分局党委 / 各分局党委 are generic
        ("①局党委修订", "局党委"), ("报局政治部备案", "局政治部"), ("②今年以来，局党委", "局党委"),
        "澄州大学马克思主义学院", "城北分局党委", "开发区分局党委",
        "市局法制支队", "市人民检察院", "市中级人民法院", "市司法局",
        "市反电信网络诈骗中心", "刑侦支队", "网安支队", "技侦支队", "中国人民银行澄州市分行",
        "市审计局", "交警支队", "交警支队", "警务保障部财务科",
        "市人力资源和社会保障局", "滨江派出所", "城南派出所",
        "市纪委监委驻市公安局纪检监察组", "市局督察支队",
        "局办公室", "市信访局", "市公安局城北分局",
        "交警支队", "市交通运输局", "市保险行业协会", "澄州顺驰机动车驾驶员培训有限公司", "车管所",
        "市纪委监委",
        ("下一步，局党委", "局党委"),
        "澄州市公安局巡察整改工作领导小组办公室",
        "中共澄州市公安局委员会",
    ],
    relabel=[
        ("成立市反电信网络诈骗中心", [IB]),
        ("已向受骗群众返还被骗资金", [FR]),
        ("对违规饮酒的3名民警", [ACC, FR]),
    ],
)

# --------------------------------------------------------------------------- (3) county hospital alliance
CORR["a-pingxi-county-hospital"] = dict(
    orgs=[
        "中共萍溪县人民医院委员会",
        "县委",
        "县委第二巡察组", "萍溪县人民医院党委", "萍溪县医共体党委", "县委第二巡察组", "院党委",
        "县委巡察工作领导小组办公室",
        "院党委", ("党委书记", "党委"), "巡察整改工作领导小组", "综合协调组", "专项督查组",
        "院党委办公室", "纪检监察室",
        "县卫生健康局党组", "县纪委监委派驻第三纪检监察组", "县医疗保障局", "县审计局",
        "萍溪县医共体", "县人民医院", "县妇幼保健院",  # 13家乡镇卫生院: generic
        ("1.医共体党委", "医共体党委"), ("纳入医共体党委", "医共体党委"), ("二是院党委", "院党委"),
        "龙口镇中心卫生院", "石门乡卫生院",
        ("须经党委会议", "党委"), "县卫生健康局", "设备科",
        "县医疗保障局", ("三是对龙口镇中心卫生院", "龙口镇中心卫生院"), "县人民医院医保办",
        "医共体医保审核中心",
        "医共体药剂科", "县公共资源交易中心", "萍州华康医疗器械有限公司",
        "萍州医科大学附属第一医院",
        "县委编办", "县人力资源和社会保障局", "萍州卫生职业技术学院",
        "萍州正信会计师事务所", "萍州康源医药有限公司", "财务科", "医务科",
        "县纪委监委", "县人民医院", "县妇幼保健院",  # 患者投诉受理中心 (one in each): generic
        ("四、下一步工作打算\n\n院党委", "院党委"),
        "萍溪县人民医院党委办公室",
        "中共萍溪县人民医院委员会",
    ],
    set_vals=[("萍溪县医共体药品目录", 0, "DOC_TITLE", K("目录"))],
    relabel=[
        ("在县人民医院医保办设立医共体医保审核中心", [IB]),
        ("对供货不及时的萍州华康医疗器械有限公司", [ACC]),  # sanction on a firm
        ("在县人民医院、县妇幼保健院设立患者投诉受理中心", [IB]),
    ],
)

# --------------------------------------------------------------------------- (4) expressway operator
CORR["a-songchuan-expressway"] = dict(
    orgs=[
        "中共嵩川交投高速公路运营管理有限公司委员会",
        "集团党委",
        "嵩川省交通投资集团有限公司党委", "集团党委第二巡察组", "嵩川交投高速公路运营管理有限公司党委",
        "集团党委第二巡察组", "公司党委",
        "公司党委", "巡察整改工作领导小组", "领导小组办公室", "公司党委办公室",  # 3个工作专班: generic
        "集团纪委", "集团审计部", "嵩川省交通运输厅", "嵩川省高速公路路政执法总队",
        ("1、党委前置", "党委"), "公司党委", "公司董事会", ("组织党委委员", "党委"),
        "嵩川省高速公路路政执法总队第三支队", "嵩州星图传媒有限公司", "嵩州市天河区人民法院",
        "嵩通广告有限公司",  # 白鹭湖服务区、青石收费站广场: facilities
        "嵩川高速公路检测中心", "嵩川路桥养护有限公司",
        "嵩川华衡工程造价咨询有限公司", "嵩川路桥养护有限公司", "工程管理部", "计划合同部",
        "北线管理处", "东环管理处",
        "公司纪委", "纪检监察室", "公司纪委", "集团纪委第一纪检监察室",
        "国家税务总局嵩州市税务局第一稽查局",
        "嵩川交通职业技术学院",
        "北线管理处第二党支部", "嵩川银行高新支行党支部", "省高速公路交警总队嵩北支队党支部",
        ("四、下一步工作打算\n\n公司党委", "公司党委"),
        "中共嵩川交投高速公路运营管理有限公司委员会",
    ],
    relabel=[
        ("对拒不缴纳的1家企业，已向嵩州市天河区人民法院申请强制执行", [FR]),  # court enforcement of arrears
        ("公司纪委增设纪检监察室", [IB]),
    ],
)

# --------------------------------------------------------------------------- (5) county education bureau
CORR["a-jichuan-county-education"] = dict(
    orgs=[
        "中共霁川县教育局党组",
        "县委第四巡察组",
        "县委", "县委第四巡察组", "县教育局党组", "霁川县第一中学", "霁川县实验小学",
        "县委第四巡察组", "县教育局党组",
        "局党组", ("党组会议", "党组"), ("党组书记", "党组"), "巡察整改工作领导小组", "局办公室",
        "县纪委监委派驻第二纪检监察组", "局党组", "局党组",
        ("①局党组印发", "局党组"), "县委教育工作领导小组办公室", "城关镇中心学校",
        "县市场监督管理局", "县公安局", "智航教育", "启明星学堂", "智航教育", "霁川农村商业银行",
        "县审计局", "县财政局", "霁川县第二中学", "局计划财务股",
        "局学生资助管理中心", "县民政局", "县乡村振兴局",
        "县公共资源交易中心", "霁川县实验小学", "城关镇中心学校", "霁丰餐饮管理有限公司",
        "局人事股", "基础教育股", "局办公室",  # 局机关, 9个股室: not ORGs
        "县委编办", "县人力资源和社会保障局", "霁州师范学院", "县教师发展中心",
        "霁川县职业中专", "霁川县特殊教育学校", "霁州师范学院教育科学学院党委",
        ("三、下一步工作安排\n\n局党组", "局党组"),
        "霁川县教育局办公室",
        "中共霁川县教育局党组",
    ],
    add_ents=[("核查学生4.3万人", "4.3万人", "PERSON_COUNT", P(43000))],
    relabel=[
        ("督促3所学校将挤占挪用的生均公用经费", [FR]),
    ],
)


# --------------------------------------------------------------------------- machinery


def find(text: str, s: str, occ: int = 0, start: int = 0) -> int:
    pos = start - 1
    for _ in range(occ + 1):
        pos = text.find(s, pos + 1)
        if pos < 0:
            raise KeyError(f"not found (occurrence {occ}) from {start}: {s!r}")
    return pos


def locate(text: str, ctx, target: str, start: int = 0) -> tuple[int, int]:
    occ = 0
    if isinstance(ctx, tuple):
        ctx, occ = ctx
    c = find(text, ctx, occ, start)
    t = ctx.find(target)
    if t < 0:
        raise KeyError(f"target {target!r} not in context {ctx!r}")
    return c + t, c + t + len(target)


def make_entity(text: str, s: int, e: int, label: str, values: dict) -> GoldEntity:
    g = GoldEntity(start=s, end=e, label=label, text=text[s:e])
    for k, v in values.items():
        if k in ("start_date", "end_date") and v is not None:
            import datetime as dt
            v = dt.date.fromisoformat(v)
        setattr(g, k, v)
    if label == "MONEY" and g.approx is None:
        g.approx = False
    return g


def apply(rec, corr: dict):
    text = rec.text
    ents = [e for e in rec.entities if e.label != "ORG"]
    pre_orgs = {(e.start, e.end) for e in rec.entities if e.label == "ORG"}
    for target, occ, label in corr.get("drop_ents", []):
        s = find(text, target, occ)
        n = len(ents)
        ents = [e for e in ents if not (e.start == s and e.text == target and e.label == label)]
        assert len(ents) == n - 1, f"drop_ents: {target!r} not pre-annotated"
    for ctx, target, label, values in corr.get("add_ents", []):
        s, e = locate(text, ctx, target)
        ents.append(make_entity(text, s, e, label, values))
    for target, occ, label, values in corr.get("set_vals", []):
        s = find(text, target, occ)
        hit = [e for e in ents if e.start == s and e.text == target and e.label == label]
        assert len(hit) == 1, f"set_vals: {target!r}"
        for k, v in values.items():
            setattr(hit[0], k, v)
    cursor = 0
    orgs = []
    for entry in corr["orgs"]:
        ctx, target = (entry, entry) if isinstance(entry, str) else entry
        s, e = locate(text, ctx, target, cursor)
        orgs.append(make_entity(text, s, e, "ORG", {}))
        cursor = e
    ents += orgs
    new_orgs = {(e.start, e.end) for e in orgs}
    rec.entities = ents
    for prefix, labels in corr.get("relabel", []):
        hit = [m for m in rec.measures if m.text.startswith(prefix)]
        assert len(hit) == 1, f"relabel: {prefix!r} matches {len(hit)}"
        hit[0].labels = sort_measure_labels(labels)
    for prefix in corr.get("drop_meas", []):
        n = len(rec.measures)
        rec.measures = [m for m in rec.measures if not m.text.startswith(prefix)]
        assert len(rec.measures) == n - 1
    for ctx, target, labels in corr.get("add_meas", []):
        s, e = locate(text, ctx, target)
        rec.measures.append(GoldMeasure(start=s, end=e, text=text[s:e], labels=sort_measure_labels(labels)))
    for number, occ, changes in corr.get("items", []):
        hit = [i for i in rec.items if i.number == number][occ]
        for k, v in changes.items():
            setattr(hit, k, v)
    return rec, len(new_orgs - pre_orgs), len(pre_orgs - new_orgs)


def freeze() -> None:
    from pipeline.api import NoticeParser
    from pipeline.gold import from_parsed
    from pipeline.ingest import read_notice
    from pipeline.run import notice_id_of
    parser = NoticeParser(ner=None, classifier=None)
    lines = []
    for f in sorted(glob.glob(str(ROOT / FILES))):
        rel = Path(f).relative_to(ROOT).as_posix()
        text = read_notice(f).text
        rec = from_parsed(parser.parse(text), id=notice_id_of(text), source=rel, origin="written")
        lines.append(dumps_record(rec) + "\n")
    PRE.write_text("".join(lines), encoding="utf-8")
    print(f"froze {len(lines)} pre-annotations in {PRE.relative_to(ROOT)}")


def main() -> None:
    if "--freeze" in sys.argv or not PRE.exists():
        freeze()
    from pipeline.ingest import read_notice
    out = []
    for raw in PRE.read_text(encoding="utf-8").splitlines():
        rec = validate(json.loads(raw))
        assert rec.text == read_notice(ROOT / rec.source).text, f"{rec.source} changed since the freeze"
        keys = [k for k in CORR if k in rec.source]
        assert len(keys) == 1, rec.source
        rec, added, dropped = apply(rec, CORR[keys[0]])
        rec = validate(rec, path=rec.source)
        out.append(rec)
        print(f"{rec.source}: ORG +{added} -{dropped} vs pre-annotation")
    save_gold(out, OUT)
    print(f"wrote {len(out)} records to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
