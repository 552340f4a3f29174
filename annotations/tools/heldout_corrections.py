"""Build annotations/heldout.jsonl: the held-out test set (6 notices in corpus/heldout/).

These notices were written for the project and are NOT to be used to write rules or to train:
evaluation figures on them are only honest while nobody tunes anything on them.

How the gold was made: every annotation below was written by hand after reading each sentence
against annotations/ANNOTATION.md and the judgement calls in annotations/README.md. The rules-only
pipeline (``NoticeParser(ner=None, classifier=None)``) was run once as a cross-check
(``--diff`` prints what it predicts that the gold does not have, and vice versa); the gold does not
depend on it.

Spec per notice:
  ents:   A(target, label, values)          every occurrence of target (longest targets first,
                                            never overlapping an entity already placed)
          C(context, target, label, values) the target inside the first occurrence of context
          X(context, target)                forbid: no entity may start inside this occurrence
  items:  found with the notice's item regex; status from its status line or section, checked
          against the expected list
  meas:   description regions split at markers and 。！？； (guideline); labels by unique prefix,
          every other measure []

Run: .venv/bin/python annotations/tools/heldout_corrections.py [--show] [--diff]
"""
from __future__ import annotations

import collections
import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.gold import GoldEntity, GoldItem, GoldMeasure, GoldNotice, save_gold, validate  # noqa: E402
from pipeline.ingest import read_notice  # noqa: E402
from pipeline.run import notice_id_of  # noqa: E402

OUT = ROOT / "annotations/heldout.jsonl"
IB, ACC, FR = "institution_building", "accountability", "fund_recovery"
STATUS = {
    "已完成": "completed", "完成": "completed", "已办结": "completed", "已辦結": "completed",
    "整改完成": "completed", "已整改到位": "completed",
    "基本完成": "partially_completed", "阶段性完成": "partially_completed", "长期坚持": "partially_completed",
    "長期堅持": "partially_completed",
    "未完成": "not_completed", "正在整改": "not_completed", "整改中": "not_completed",
    "持续推进": "not_completed", "持續推進": "not_completed", "长期整改": "not_completed",
}
C_, P_, K_, N_ = "completed", "partially_completed", "not_completed", "unknown"


def D(a, b=None):
    return {"start_date": a, "end_date": b or a}


def M(v, approx=False):
    return {"value": float(v), "currency": "CNY", "approx": approx}


def P(v):
    return {"value": v}


def K(kind):
    return {"kind": kind}


O = {}


def A(target, label, vals=O):
    return ("A", None, target, label, vals)


def C(ctx, target, label, vals=O):
    return ("C", ctx, target, label, vals)


def X(ctx, target):
    return ("X", ctx, target, None, None)


SPEC: dict[str, dict] = {}

# --------------------------------------------------------------------------- 1 provincial department
SPEC["chengchuan-agri-dept-2024-08-16"] = dict(
    date="2024-08-16",
    item_re=r"^（[一二三四五六七八九十]+）",
    group_re=r"^[一二三四五六七八九十]+、",
    statuses=[C_, P_, K_, C_, C_, P_, C_, K_],
    desc=("整改情况：", None),
    ents=[
        A("中共澄川省农业农村厅党组", "ORG"),
        A("省农业农村厅党组", "ORG"),
        A("省委第五巡视组", "ORG"),
        C("根据省委统一部署", "省委", "ORG"),
        C("关于省委巡视整改", "省委", "ORG"),
        C("决策部署和省委工作要求", "省委", "ORG"),
        A("厅党组", "ORG"),
        C("召开党组会议", "党组", "ORG"),
        A("巡视整改工作领导小组", "ORG"),
        A("领导小组办公室", "ORG"),
        A("机关党委", "ORG"),
        A("省财政厅", "ORG"),
        A("澄垦集团", "ORG"),
        A("禾丰粮油", "ORG"),
        A("省农业技术推广总站", "ORG"),
        A("财务处", "ORG"),
        A("省种子管理总站", "ORG"),
        A("省农业机械化服务中心", "ORG"),
        A("省纪委监委驻省农业农村厅纪检监察组", "ORG"),
        A("人事处", "ORG"),
        A("中共澄川省农业农村厅党组落实省委第五巡视组反馈意见整改方案", "DOC_TITLE", K("方案")),
        A("澄川省高标准农田建设项目管理办法", "DOC_TITLE", K("办法")),
        A("澄川省农业产业化龙头企业培育三年行动方案（2024-2026年）", "DOC_TITLE", K("方案")),
        A("厅机关津贴补贴发放管理规定", "DOC_TITLE", K("规定")),
        A("厅机关加班补助发放办法", "DOC_TITLE", K("办法")),
        A("厅机关干部交流轮岗实施办法", "DOC_TITLE", K("办法")),
        A("2023年10月9日至12月15日", "DATE", D("2023-10-09", "2023-12-15")),
        A("2024年1月18日", "DATE", D("2024-01-18")),
        A("2024年7月底", "DATE", D("2024-07-21", "2024-07-31")),
        A("2021年至2023年", "DATE", D("2021-01-01", "2023-12-31")),
        A("上半年", "DATE", D("2024-01-01", "2024-06-30")),
        A("2023年9月起", "DATE", D("2023-09-01", "2024-08-16")),
        A("2020年以来", "DATE", D("2020-01-01", "2024-08-16")),
        A("2022年度", "DATE", D("2022-01-01", "2022-12-31")),
        A("2023年度", "DATE", D("2023-01-01", "2023-12-31")),
        A("2024年8月16日", "DATE", D("2024-08-16")),
        A("1260万元", "MONEY", M(12600000)),
        A("3.5亿元", "MONEY", M(350000000)),
        A("12.6万元", "MONEY", M(126000)),
        A("2380万元", "MONEY", M(23800000)),
        A("86.3万元", "MONEY", M(863000)),
        C("共问责6人", "6人", "PERSON_COUNT", P(6)),
        C("干部职工39名", "39名", "PERSON_COUNT", P(39)),
        C("党纪处分3人", "3人", "PERSON_COUNT", P(3)),
        C("处级干部17名", "17名", "PERSON_COUNT", P(17)),
        C("培训98人次", "98人次", "PERSON_COUNT", P(98)),
    ],
    labels={
        "修订《澄川省高标准农田": [IB],
        "会同省财政厅": [ACC, FR],
        "出台《澄川省农业产业化": [IB],
        "建立农村人居环境整治问题清单": [IB],
        "对排名靠后的4个县": [ACC],
        "对厅机关及直属单位2020年以来": [FR],
        "对负有管理责任的": [ACC],
        "制定《厅机关津贴补贴": [IB],
        "督促省种子管理总站": [FR],
        "由财务处牵头制定": [IB],
        "将巡视移交的5件问题线索": [ACC],
        "对2022年度、2023年度": [FR],
        "制定《厅机关干部交流轮岗": [IB],
    },
)

# --------------------------------------------------------------------------- 2 city water company (GB18030)
SPEC["qingyi-water-group-2024-11-08"] = dict(
    date="2024-11-08",
    item_re=r"^\d+\.",
    group_re=r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)",
    statuses=[P_, C_, C_, K_, C_, P_, P_],
    desc=(None, "完成情况："),  # description: the lines after the heading, up to the status line
    ents=[
        A("中共青漪市水务集团有限公司委员会", "ORG"),
        A("青漪市水务集团有限公司党委", "ORG"),
        A("市委第二巡察组", "ORG"),
        C("按照市委巡察工作", "市委", "ORG"),
        C("关于市委巡察整改", "市委", "ORG"),
        A("集团党委", "ORG"),
        C("党委书记、董事长", "党委", "ORG"),
        A("巡察整改工作领导小组", "ORG"),
        A("整改工作办公室", "ORG"),
        A("党委办公室", "ORG"),
        A("集团纪委", "ORG"),
        C("、财务部、", "财务部", "ORG"),
        A("工程管理部", "ORG"),
        C("召开党委会议9次", "党委", "ORG"),
        A("市卫生健康委", "ORG"),
        C("时任工会主席", "工会", "ORG"),
        A("水费清欠工作专班", "ORG"),
        A("青漪职业技术学院", "ORG"),
        A("青漪市水务集团有限公司落实市委第二巡察组反馈意见整改工作方案", "DOC_TITLE", K("方案")),
        A("青漪市城区老旧供水管网改造规划（2024-2028年）", "DOC_TITLE", K("规划")),
        A("集团工程建设项目招标采购管理办法", "DOC_TITLE", K("办法")),
        A("集团工会经费使用管理细则", "DOC_TITLE", K("细则")),
        A("集团党支部工作考核办法", "DOC_TITLE", K("办法")),
        A("2024年3月25日至5月24日", "DATE", D("2024-03-25", "2024-05-24")),
        A("2024年6月28日", "DATE", D("2024-06-28")),
        A("今年1-10月", "DATE", D("2024-01-01", "2024-10-31")),
        A("今年以来", "DATE", D("2024-01-01", "2024-11-08")),
        A("2024年7月至10月", "DATE", D("2024-07-01", "2024-10-31")),
        A("2021年以来", "DATE", D("2021-01-01", "2024-11-08")),
        A("2022年度", "DATE", D("2022-01-01", "2022-12-31")),
        A("2024年11月8日", "DATE", D("2024-11-08")),
        A("6.8亿元", "MONEY", M(680000000)),
        A("8600万元", "MONEY", M(86000000)),
        A("800余万元", "MONEY", M(8000000, True)),
        A("30万元", "MONEY", M(300000)),
        A("1137.5万元", "MONEY", M(11375000)),
        A("9.8万元", "MONEY", M(98000)),
        C("2名中层干部", "2名", "PERSON_COUNT", P(2)),
        C("技术人员23名", "23名", "PERSON_COUNT", P(23)),
        C("培养学员40人", "40人", "PERSON_COUNT", P(40)),
        C("选派两名年轻干部", "两名", "PERSON_COUNT", P(2)),
    ],
    labels={
        "编制《青漪市城区": [IB],
        "与市卫生健康委建立": [IB],
        "对负有直接责任的": [ACC],
        "修订《集团工程建设": [IB],
        "成立水费清欠工作专班": [IB, FR],
        "对拒不缴纳的3家企业": [FR],
        "对2022年度工会经费": [FR],
        "对时任工会主席": [ACC],
        "制定《集团工会经费": [IB],
        "建立年轻干部": [IB],
        "修订《集团党支部": [IB],
    },
)

# --------------------------------------------------------------------------- 3 vocational college (traditional)
SPEC["lanshan-vocational-college-2024-12-20"] = dict(
    date="2024-12-20",
    traditional=True,
    item_re=r"^问题\d+：",
    group_re=r"^[一二三四五六七八九十]+、",
    statuses=[C_, K_, C_, P_, C_, P_, K_],
    desc=("主要措施：", None),
    ents=[
        A("中共岚山职业技术学院委员会", "ORG"),
        A("岚山职业技术学院党委", "ORG"),
        A("省委教育工委第三巡视组", "ORG"),
        A("省委教育工委", "ORG"),
        A("学院党委", "ORG"),
        C("即召开党委会议", "党委", "ORG"),
        C("以党委书记为组长", "党委", "ORG"),
        C("党委书记坚持每月", "党委", "ORG"),
        A("巡视整改工作领导小组", "ORG"),
        A("整改办公室", "ORG"),
        A("学院纪委", "ORG"),
        A("马克思主义学院", "ORG"),
        A("岚江汽车", "ORG"),
        A("华信电子", "ORG"),
        A("省纪委监委驻省教育厅纪检监察组", "ORG"),
        A("基建处", "ORG"),
        A("科研处", "ORG"),
        A("财务处", "ORG"),
        A("国有资产管理处", "ORG"),
        A("资产管理处", "ORG"),
        A("岚山职业技术学院党委巡视整改工作方案", "DOC_TITLE", K("方案")),
        A("思政课教师集体备课制度", "DOC_TITLE", K("制度")),
        A("岚山职业技术学院校企合作管理办法", "DOC_TITLE", K("办法")),
        A("岚山职业技术学院基建工程项目管理规定", "DOC_TITLE", K("规定")),
        A("横向科研项目经费管理办法", "DOC_TITLE", K("办法")),
        A("二级学院党政联席会议议事规则", "DOC_TITLE", K("规则")),
        A("岚山职业技术学院国有资产出租出借管理办法", "DOC_TITLE", K("办法")),
        A("2024年4月8日至6月7日", "DATE", D("2024-04-08", "2024-06-07")),
        A("2024年7月12日", "DATE", D("2024-07-12")),
        A("2024年11月底", "DATE", D("2024-11-21", "2024-11-30")),
        A("近3年", "DATE", D("2021-12-20", "2024-12-20")),
        A("2021年以来", "DATE", D("2021-01-01", "2024-12-20")),
        A("2022年至2023年", "DATE", D("2022-01-01", "2023-12-31")),
        A("2025年上半年", "DATE", D("2025-01-01", "2025-06-30")),
        A("2024年12月20日", "DATE", D("2024-12-20")),
        A("4.5万元", "MONEY", M(45000)),
        A("386万元", "MONEY", M(3860000)),
        A("152万元", "MONEY", M(1520000)),
        A("23.7万元", "MONEY", M(237000)),
        A("11.2万元", "MONEY", M(112000)),
        C("专职教师6名", "6名", "PERSON_COUNT", P(6)),
        C("共讲授24人次", "24人次", "PERSON_COUNT", P(24)),
        C("对两名招生", "两名", "PERSON_COUNT", P(2)),
        C("两人分别受到", "两人", "PERSON_COUNT", P(2)),
        C("对3名项目负责人", "3名", "PERSON_COUNT", P(3)),
    ],
    labels={
        "马克思主义学院制定": [IB],
        "出台《岚山职业技术学院校企": [IB],
        "对两名招生工作人员": [ACC],
        "退还违规收取的费用": [FR],
        "建立招生": [IB],
        "委托审计机构": [FR],
        "对基建处处长": [ACC],
        "修订《岚山职业技术学院基建": [IB],
        "科研处、财务处联合": [FR],
        "对3名项目负责人": [ACC],
        "制定《横向科研": [IB],
        "修订《二级学院": [IB],
        "国有资产管理处对全院": [IB],
        "对违规出租的2处": [FR],
        "对资产管理处相关责任人": [ACC],
        "制定《岚山职业技术学院国有资产": [IB],
    },
)

# --------------------------------------------------------------------------- 4 county hospital group
SPEC["tongxi-county-hospital-group-2025-01-10"] = dict(
    date="2025-01-10",
    item_re=r"^\d+、",
    group_re=r"^[一二三四五六七八九十]+、",
    statuses=[C_, P_, C_, K_, C_, P_, C_],
    desc=(None, "（"),  # description: the paragraph after the heading, up to the bracketed status
    ents=[
        A("中共桐溪县人民医院医疗集团委员会", "ORG"),
        A("桐溪县人民医院医疗集团党委", "ORG"),
        A("县委第一巡察组", "ORG"),
        C("根据县委统一部署", "县委", "ORG"),
        C("关于县委巡察", "县委", "ORG"),
        A("集团党委", "ORG"),
        C("召开党委会议专题", "党委", "ORG"),
        A("巡察整改工作领导小组", "ORG"),
        A("集团纪委", "ORG"),
        A("县卫生健康局", "ORG"),
        A("集团药事管理与药物治疗学委员会", "ORG"),
        A("县人民医院", "ORG"),
        A("医保办", "ORG"),
        A("县纪委监委", "ORG"),
        A("集团财务部", "ORG"),
        A("澄川医科大学附属第一医院", "ORG"),
        A("桐溪县紧密型县域医共体建设实施方案", "DOC_TITLE", K("方案")),
        A("桐溪县医共体财务统一管理办法", "DOC_TITLE", K("办法")),
        A("桐溪县人民医院医疗集团人才引进和培养管理办法", "DOC_TITLE", K("办法")),
        A("集团党支部标准化规范化建设实施细则", "DOC_TITLE", K("细则")),
        A("2024年5月6日至7月5日", "DATE", D("2024-05-06", "2024-07-05")),
        C("，8月2日向", "8月2日", "DATE", D("2024-08-02")),
        A("2024年12月31日", "DATE", D("2024-12-31")),
        A("2024年以来", "DATE", D("2024-01-01", "2025-01-10")),
        A("2023年度", "DATE", D("2023-01-01", "2023-12-31")),
        A("2023年1月至2024年6月", "DATE", D("2023-01-01", "2024-06-30")),
        A("2024年下半年", "DATE", D("2024-07-01", "2024-12-31")),
        A("2025年1月10日", "DATE", D("2025-01-10")),
        A("282.26万元", "MONEY", M(2822600)),
        C("约5万元", "5万元", "MONEY", M(50000, True)),
        A("18.46万元", "MONEY", M(184600)),
        A("263.8万元", "MONEY", M(2638000)),
        A("20万元", "MONEY", M(200000)),
        C("干部职工14人", "14人", "PERSON_COUNT", P(14)),
        C("骨干医师38名", "38名", "PERSON_COUNT", P(38)),
        C("2名科室负责人", "2名", "PERSON_COUNT", P(2)),
        C("政务处分4人", "4人", "PERSON_COUNT", P(4)),
        C("医务人员参加1850人次", "1850人次", "PERSON_COUNT", P(1850)),
        C("3名财务人员", "3名", "PERSON_COUNT", P(3)),
        C("硕士研究生11名", "11名", "PERSON_COUNT", P(11)),
        C("职称人员3名", "3名", "PERSON_COUNT", P(3)),
        C("进修学习15人次", "15人次", "PERSON_COUNT", P(15)),
        C("支部委员46名", "46名", "PERSON_COUNT", P(46)),
    ],
    labels={
        "制定《桐溪县紧密型": [IB],
        "集团药事管理与药物治疗学委员会建立": [IB],
        "对负有责任的2名科室负责人": [ACC],
        "对2023年1月至2024年6月": [FR],
        "对涉及的5个临床科室": [ACC],
        "医保办牵头建立": [IB],
        "对巡察移交的问题线索": [ACC, FR],
        "部分线索仍在核查中": [ACC],
        "集团财务部对下属": [FR],
        "对负有责任的3名财务人员": [ACC],
        "出台《桐溪县医共体": [IB],
        "修订《桐溪县人民医院": [IB],
        "按照“支部建在科室上”": [IB],
        "制定《集团党支部": [IB],
    },
)

# --------------------------------------------------------------------------- 5 subdistrict working committee
SPEC["shiwan-subdistrict-2024-06-21"] = dict(
    date="2024-06-21",
    item_re=r"^（[一二三四五六七八九十]+）",
    group_re=r"^[一二三四五六七八九十]+、",
    statuses=[C_, C_, C_, C_, K_, P_, K_],
    section_status={"二、已完成的整改事项": C_, "三、正在推进的整改事项": K_},
    desc=("整改措施：", None),
    ents=[
        A("中共柳塘区石湾街道工作委员会", "ORG"),
        A("区委第四巡察组", "ORG"),
        C("关于区委巡察", "区委", "ORG"),
        C("按照区委统一部署", "区委", "ORG"),
        A("石湾街道党工委", "ORG"),
        A("街道党工委", "ORG"),
        A("巡察整改工作领导小组", "ORG"),
        A("领导小组办公室", "ORG"),
        A("街道党政办", "ORG"),
        A("区纪委监委派驻第三纪检监察组", "ORG"),
        A("党工委", "ORG"),
        C("办事处主任", "办事处", "ORG"),
        A("街道城建办", "ORG"),
        A("区住房和城乡建设局", "ORG"),
        A("街道农经站", "ORG"),
        A("街道应急办", "ORG"),
        A("柳塘区消防救援大队", "ORG"),
        A("街道征拆办", "ORG"),
        A("石湾街道党工委关于区委第四巡察组反馈意见的整改落实方案", "DOC_TITLE", K("方案")),
        A("石湾街道社区集体资产管理办法", "DOC_TITLE", K("办法")),
        A("石湾街道公务接待管理规定", "DOC_TITLE", K("规定")),
        A("2024年2月26日至4月19日", "DATE", D("2024-02-26", "2024-04-19")),
        C("，5月10日召开", "5月10日", "DATE", D("2024-05-10")),
        A("5月至6月", "DATE", D("2024-05-01", "2024-06-30")),
        A("2023年6月起", "DATE", D("2023-06-01", "2024-06-21")),
        A("2019年至2023年", "DATE", D("2019-01-01", "2023-12-31")),
        A("2024年6月21日", "DATE", D("2024-06-21")),
        A("两万元", "MONEY", M(20000)),
        A("41.5万元", "MONEY", M(415000)),
        A("68万元", "MONEY", M(680000)),
        A("3.7万元", "MONEY", M(37000)),
        A("52.3万元", "MONEY", M(523000)),
        A("31.6万元", "MONEY", M(316000)),
        C("两名窗口工作人员", "两名", "PERSON_COUNT", P(2)),
        C("对2名经办人员", "2名", "PERSON_COUNT", P(2)),
        C("社区党组织书记1名", "1名", "PERSON_COUNT", P(1)),
        C("1名干部立案审查", "1名", "PERSON_COUNT", P(1)),
    ],
    labels={
        "建立窗口服务": [IB],
        "对服务态度生硬": [ACC],
        "对施工进度滞后": [ACC],
        "建立小区改造": [IB],
        "追缴历年拖欠租金": [FR],
        "街道农经站牵头制定": [IB],
        "对2023年6月起": [FR],
        "对负有责任的街道党政办主任": [ACC],
        "修订《石湾街道公务接待": [IB],
        "街道应急办联合": [ACC],
        "建立网格员每日巡查机制": [IB],
        "对排查出的2个软弱涣散": [IB],
        "调整不胜任的": [ACC],
        "建立党员积分管理制度": [IB],
        "街道征拆办对": [FR],
        "对负有审核责任的1名干部": [ACC],
        "建立补偿款发放": [IB],
    },
)

# --------------------------------------------------------------------------- 6 central-SOE subsidiary
SPEC["huayue-energy-western-power-2024-09-27"] = dict(
    date="2024-09-27",
    item_re=r"^(?:\d+\.|[①②③④⑤])",
    group_re=r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)",
    statuses=[K_, C_, C_, C_, C_, C_, P_, C_],
    desc=("整改措施：", "整改进展："),
    no_measures=["与第3项问题一并整改"],
    ents=[
        A("中共华岳能源西部发电有限公司委员会", "ORG"),
        A("中国华岳能源集团有限公司党组", "ORG"),
        C("西部发电）党委", "党委", "ORG"),
        A("华岳能源西部发电有限公司", "ORG"),
        A("集团公司党组第二巡视组", "ORG"),
        A("集团公司党组", "ORG"),
        C("5月28日，第二巡视组", "第二巡视组", "ORG"),
        A("西部发电", "ORG"),
        A("公司党委", "ORG"),
        C("由党委书记、董事长", "党委", "ORG"),
        A("巡视整改工作领导小组", "ORG"),
        A("党委办公室", "ORG"),
        A("董事会办公室", "ORG"),
        C("召开党委会议7次", "党委", "ORG"),
        A("中央纪委国家监委驻中国华岳能源集团有限公司纪检监察组", "ORG"),
        A("新能源开发领导小组", "ORG"),
        A("华岳新能源公司", "ORG"),
        A("河西热电分公司", "ORG"),
        A("燃料管理部", "ORG"),
        A("驻集团公司纪检监察组", "ORG"),
        A("综合管理部", "ORG"),
        A("西部发电公司党委落实集团公司党组第二巡视组反馈意见整改方案", "DOC_TITLE", K("方案")),
        A("西部发电公司新能源项目开发攻坚行动方案", "DOC_TITLE", K("方案")),
        A("西部发电公司安全生产责任制管理规定", "DOC_TITLE", K("规定")),
        A("西部发电公司优秀年轻干部选拔培养实施办法", "DOC_TITLE", K("办法")),
        A("2024年3月4日至4月30日", "DATE", D("2024-03-04", "2024-04-30")),
        C("。5月28日，", "5月28日", "DATE", D("2024-05-28")),
        A("8月底", "DATE", D("2024-08-21", "2024-08-31")),
        A("今年以来", "DATE", D("2024-01-01", "2024-09-27")),
        A("2023年度", "DATE", D("2023-01-01", "2023-12-31")),
        A("上半年", "DATE", D("2024-01-01", "2024-06-30")),
        A("2024年9月27日", "DATE", D("2024-09-27")),
        C("分别达到45亿、3.6亿", "45亿", "MONEY", M(4500000000)),
        C("分别达到45亿、3.6亿", "3.6亿", "MONEY", M(360000000)),
        A("3.2亿元", "MONEY", M(320000000)),
        A("386.5万元", "MONEY", M(3865000)),
        C("约2.4万元", "2.4万元", "MONEY", M(24000, True)),
        A("1.86万元", "MONEY", M(18600)),
        C("问责9人", "9人", "PERSON_COUNT", P(9)),
        C("对2名负有责任", "2名", "PERSON_COUNT", P(2)),
        C("年轻干部12名", "12名", "PERSON_COUNT", P(12)),
        C("优秀共产党员45名", "45名", "PERSON_COUNT", P(45)),
    ],
    labels={
        "制定《西部发电公司新能源": [IB],
        "对事故负有责任的": [ACC],
        "修订《西部发电公司安全生产": [IB],
        "对2023年度燃料采购合同": [ACC, FR],
        "将涉嫌利益输送": [ACC],
        "清退私车公养费用": [FR],
        "对2名负有责任的干部": [ACC],
        "清退超标准接待费用": [ACC, FR],
        "制定《西部发电公司优秀年轻干部": [IB],
    },
)


# --------------------------------------------------------------------------- machinery

_CC = None


def trad(s: str, notice: dict) -> str:
    """Spec strings are written in simplified characters; convert for the traditional notice."""
    global _CC
    if not notice.get("traditional"):
        return s
    if _CC is None:
        import opencc
        _CC = opencc.OpenCC("s2tw")
    return _CC.convert(s)


def find_all(text: str, s: str) -> list[int]:
    out, pos = [], text.find(s)
    while pos >= 0:
        out.append(pos)
        pos = text.find(s, pos + 1)
    return out


def build_entities(text: str, spec: dict) -> list[GoldEntity]:
    placed: list[GoldEntity] = []

    def free(a, b):
        return all(b <= e.start or e.end <= a for e in placed)

    def make(a, b, label, vals):
        g = GoldEntity(start=a, end=b, label=label, text=text[a:b])
        if label == "MONEY":
            g.approx = False
        for k, v in vals.items():
            if k in ("start_date", "end_date"):
                v = dt.date.fromisoformat(v) if v else None
            setattr(g, k, v)
        return g

    entries = spec["ents"]
    for kind, ctx, target, label, vals in entries:
        if kind != "C":
            continue
        ctx, target = trad(ctx, spec), trad(target, spec)
        hits = find_all(text, ctx)
        if not hits:
            raise KeyError(f"context not found: {ctx!r}")
        a = hits[0] + ctx.index(target)
        b = a + len(target)
        if not free(a, b):
            raise ValueError(f"C entry overlaps: {target!r} in {ctx!r}")
        placed.append(make(a, b, label, vals))
    alls = [e for e in entries if e[0] == "A"]
    alls.sort(key=lambda e: -len(e[2]))
    for kind, _, target, label, vals in alls:
        target = trad(target, spec)
        hits = find_all(text, target)
        if not hits:
            raise KeyError(f"target not found: {target!r}")
        n = 0
        for a in hits:
            b = a + len(target)
            if label == "DOC_TITLE" and not (text[a - 1] == "《" and text[b] == "》"):
                continue
            if free(a, b):
                placed.append(make(a, b, label, vals))
                n += 1
        if n == 0:
            raise ValueError(f"no free occurrence of {target!r}")
    return sorted(placed, key=lambda e: e.start)


def line_starts(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def build_items(text: str, spec: dict) -> list[GoldItem]:
    item_re, group_re = re.compile(trad(spec["item_re"], spec)), re.compile(spec["group_re"])
    section_status = {trad(k, spec): v for k, v in spec.get("section_status", {}).items()}
    marks = []  # (offset, kind, line)
    for pos, line in line_starts(text):
        if item_re.match(line):
            marks.append((pos, "item", line))
        elif group_re.match(line) or line.startswith(trad("下一步", spec)):
            marks.append((pos, "stop", line))
    marks.append((len(text), "stop", ""))
    items, parent = [], None
    section = None
    for k, (pos, kind, line) in enumerate(marks):
        if kind == "stop":
            for sec in section_status:
                if line.startswith(sec):
                    section = section_status[sec]
            continue
        nxt = marks[k + 1][0]
        end = nxt
        while text[end - 1].isspace():
            end -= 1
        number = item_re.match(line).group(0).rstrip(".、：:")
        sub = number in "①②③④⑤"
        body = text[pos:end]
        m = re.search(r"(?:整改结果|完成情况|整改进展|整改進展)：(\S+)", body) or re.search(r"（(\S+?)）$", body)
        status = STATUS[m.group(1)] if m and m.group(1) in STATUS else (section or N_)
        if sub:
            number = parent.number + number
        it = GoldItem(number=number, start=pos, end=end, status=status)
        items.append(it)
        if not sub:
            parent = it
        else:
            parent.end = max(parent.end, end)
    # a parent whose sub-items follow it: no status of its own, takes the one its sub-items share
    for it in items:
        subs = [s for s in items if s is not it and it.start < s.start and s.end <= it.end]
        if subs:
            sts = {s.status for s in subs}
            it.status = sts.pop() if len(sts) == 1 else N_
    got = [i.status for i in items]
    if got != spec["statuses"]:
        raise ValueError(f"statuses {got} != expected {spec['statuses']}")
    return items


_MARKER = re.compile(r"(?:[一二三四五六七八九十]+是|（\d+）|\(\d+\)|[①②③④⑤⑥⑦⑧⑨⑩])")
_BOUND = re.compile(r"[。！？；]")


def split(text: str, s: int, e: int) -> list[tuple[int, int]]:
    cuts = sorted([(m.start(), m.end()) for m in _MARKER.finditer(text, s, e)]
                  + [(m.start(), m.end()) for m in _BOUND.finditer(text, s, e)])
    spans, pos = [], s
    for a, b in cuts + [(e, e)]:
        if a > pos:
            x, y = pos, a
            while x < y and text[x] in " \t\n，,：:":
                x += 1
            while y > x and text[y - 1] in " \t\n，,":
                y -= 1
            if y > x:
                spans.append((x, y))
        pos = max(pos, b)
    return spans


def build_measures(text: str, spec: dict, items: list[GoldItem]) -> list[GoldMeasure]:
    start_lbl, end_lbl = (trad(x, spec) if x else x for x in spec["desc"])
    leaves = [i for i in items if not any(j is not i and i.start < j.start and j.end <= i.end for j in items)]
    spans = []
    for it in leaves:
        body = text[it.start:it.end]
        if start_lbl:
            k = body.find(start_lbl)
            if k < 0:
                raise KeyError(f"no {start_lbl} in item {it.number}")
            s = it.start + k + len(start_lbl)
        else:
            s = it.start + body.index("\n") + 1  # after the heading line
        if end_lbl == "（":  # bracketed status at the paragraph end
            e = it.start + body.rindex("（")
        elif end_lbl:
            k = body.find(end_lbl, s - it.start)
            e = it.start + k if k >= 0 else it.end
            if k < 0:
                # status line before the description: the description runs to the item end
                e = it.end
        else:
            e = it.end
        # a status line placed before the description is not part of it
        desc = text[s:e]
        if any(desc.startswith(trad(p, spec)) for p in spec.get("no_measures", [])):
            continue
        spans += split(text, s, e)
    labels = {trad(k, spec): v for k, v in spec["labels"].items()}
    out = []
    used = collections.Counter()
    for a, b in spans:
        t = text[a:b]
        hit = [k for k in labels if t.startswith(k)]
        if len(hit) > 1:
            raise ValueError(f"several label prefixes match {t!r}: {hit}")
        lab = labels[hit[0]] if hit else []
        if hit:
            used[hit[0]] += 1
        out.append(GoldMeasure(start=a, end=b, text=t, labels=list(lab)))
    for k in labels:
        if used[k] != 1:
            raise ValueError(f"label prefix {k!r} matched {used[k]} measures")
    return out


def build(stem: str, spec: dict) -> GoldNotice:
    path = ROOT / "corpus/heldout" / f"{stem}.txt"
    text = read_notice(path).text
    items = build_items(text, spec)
    rec = GoldNotice(id=notice_id_of(text), source=f"corpus/heldout/{stem}.txt", origin="written",
                     text=text, notice_date=dt.date.fromisoformat(spec["date"]),
                     entities=build_entities(text, spec), items=items,
                     measures=build_measures(text, spec, items))
    return validate(rec, path=rec.source)


def show(rec: GoldNotice) -> None:
    t = rec.text
    marks = {e.start: e for e in rec.entities}
    out, i = [], 0
    while i < len(t):
        if i in marks:
            e = marks[i]
            v = ",".join(str(x) for x in e.values().values())
            out.append(f"⟦{e.text}|{e.label[:3]}{'|' + v if v else ''}⟧")
            i = e.end
            continue
        out.append(t[i])
        i += 1
    print("".join(out))
    for it in rec.items:
        print("ITEM", it.number, it.status, repr(t[it.start:it.start + 12]), "...", repr(t[it.end - 12:it.end]))
    for m in rec.measures:
        print("MEAS", m.labels, m.text)


def diff(rec: GoldNotice) -> None:
    from pipeline.api import NoticeParser
    from pipeline.gold import from_parsed
    pre = from_parsed(NoticeParser(ner=None, classifier=None).parse(rec.text), id=rec.id,
                      source=rec.source, origin="written")
    g = {(e.start, e.end, e.label) for e in rec.entities}
    p = {(e.start, e.end, e.label) for e in pre.entities}
    for s, e, l in sorted(p - g):
        print("  PRED-ONLY", l, rec.text[s:e], "|", rec.text[max(0, s - 8):e + 8].replace("\n", " "))
    for s, e, l in sorted(g - p):
        print("  GOLD-ONLY", l, rec.text[s:e])


def main() -> None:
    recs = [build(stem, spec) for stem, spec in SPEC.items()]
    for r in recs:
        if "--show" in sys.argv:
            show(r)
        if "--diff" in sys.argv:
            print("==", r.source)
            diff(r)
    save_gold(recs, OUT)
    tot = collections.Counter()
    for r in recs:
        c = collections.Counter(e.label for e in r.entities)
        c["items"] = len(r.items)
        c["measures"] = len(r.measures)
        for m in r.measures:
            for l in m.labels:
                c["m:" + l] += 1
            if not m.labels:
                c["m:none"] += 1
        tot.update(c)
        print(Path(r.source).name, dict(sorted(c.items())))
    print("TOTAL", dict(sorted(tot.items())))


if __name__ == "__main__":
    main()
