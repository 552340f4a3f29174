"""Batch b: gold for the five written notices corpus/written/b-*.txt (hand corrections as code).

Input: the rule pipeline's pre-annotation frozen in annotations/tools/batch_b_preannotation.jsonl
(batch_b_preannotate.py: NoticeParser(ner=None, classifier=None) + pipeline.gold.from_parsed).
Output: annotations/batch_b.jsonl (validated, written with pipeline.gold.save_gold).

The correction format and the `apply` function are those of annotate_corrections.py:
  drop_ents (target, occurrence, label) / add_ents (context, target, label, values) /
  set_vals (target, occurrence, values) / relabel (measure prefix, labels) / drop_meas / add_meas /
  items (number, occurrence, changes).
Every sentence of every notice was read; the judgement calls follow annotations/README.md.
Notes on calls specific to this batch:
  * deictic short names take their prefix: 委党组 (not 党组) for a commission's leading group,
    委办公室, 委机关党委, 委计划财务科, 委医政医管科, 院党组, 院纪检组, 公司党委, 公司纪委;
  * a department or party branch of a named unit is one span: 区第二人民医院药剂科,
    县公安局政治处, 市公安局经济犯罪侦查支队, 区疾病预防控制中心党支部, 执行局党支部,
    青岩县人民法院综合办公室, 岚州市城市建设投资有限公司党群工作部;
  * named sub-groups of a leading group are ORGs (综合协调组, 督查督办组, 宣传报道组); groups
    counted in bulk (3个工作专班, 资产清理、债权清收两个工作专班) and plural/generic bodies
    (公立医院党委, 区属医院党组织, 乡镇卫生院, 民营医院, 司法机关, 相关单位) are not;
  * 白沙、石门2个人民法庭 is a bulk reference by place names: no ORG;
  * 扣减绩效(奖金/考核分值) is accountability (a sanction), not fund_recovery; blacklisting a
    contractor is accountability (administrative sanction on a firm); 收缴/责令退赔/挽回经济损失/
    court enforcement of rent and debts/paying out withheld case money to parties are fund_recovery;
  * 建立…机制 with 约谈 in the mechanism's name is institution_building only (no one was held
    responsible); 逐笔/逐案建立台账 is institution_building (a list), as in the development gold;
  * DOC_TITLE kind 汇编 for 《…典型案例汇编》; 2024年秋季学期 gives DATE 2024年 (the whole year).
Run: .venv/bin/python annotations/tools/batch_b_corrections.py [--stats]
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from annotate_corrections import apply  # noqa: E402
from pipeline.gold import load_gold, save_gold, validate  # noqa: E402

PRE = ROOT / "annotations/tools/batch_b_preannotation.jsonl"
OUT = ROOT / "annotations/batch_b.jsonl"

IB, ACC, FR = "institution_building", "accountability", "fund_recovery"
O = {}


def P(v):
    return {"value": v}


CORR: dict[str, dict] = {}

CORR["b-tingyang-drc"] = dict(
    add_ents=[
        ("向委党组反馈", "委党组", "ORG", O),
        ("委党组把巡察整改", "委党组", "ORG", O),
        ("设在委办公室", "委办公室", "ORG", O),
        ("，人事处、机关党委、财务审计处", "人事处", "ORG", O),
        ("，人事处、机关党委、财务审计处", "机关党委", "ORG", O),
        ("，人事处、机关党委、财务审计处", "财务审计处", "ORG", O),
        ("，委党组会议专题研究", "委党组", "ORG", O),
        ("会同市自然资源和规划局、市生态环境局", "市自然资源和规划局", "ORG", O),
        ("会同市自然资源和规划局、市生态环境局", "市生态环境局", "ORG", O),
        ("由固定资产投资科按月", "固定资产投资科", "ORG", O),
        ("督促汀阳市粮食和物资储备局", "汀阳市粮食和物资储备局", "ORG", O),
        ("约谈汀阳市储备粮管理有限公司", "汀阳市储备粮管理有限公司", "ORG", O),
        ("联合农发行汀阳市分行", "农发行汀阳市分行", "ORG", O),
        ("对价格监督检查与反垄断科原科长", "价格监督检查与反垄断科", "ORG", O),
        ("（六）机关纪委监督", "机关纪委", "ORG", O),
        ("调整充实机关纪委委员", "机关纪委", "ORG", O),
        ("二是机关纪委每季度", "机关纪委", "ORG", O),
        ("向委党组和驻委纪检监察组", "委党组", "ORG", O),
        ("向委党组和驻委纪检监察组", "驻委纪检监察组", "ORG", O),
        ("到市重点项目建设指挥部", "市重点项目建设指挥部", "ORG", O),
        ("一是机关党委对11个", "机关党委", "ORG", O),
        ("对资金监管不力的固定资产投资科、财务审计处", "固定资产投资科", "ORG", O),
        ("对资金监管不力的固定资产投资科、财务审计处", "财务审计处", "ORG", O),
        ("与中国建设银行汀阳分行", "中国建设银行汀阳分行", "ORG", O),
        ("下一步，委党组将", "委党组", "ORG", O),
    ],
    relabel=[
        ("抽调骨干组建重大项目前期工作专班", [IB]),
        ("联合农发行汀阳市分行开展", [FR]),
        ("收缴违规报销的接待费用", [FR]),
    ],
)

CORR["b-chuyuan-normal-univ"] = dict(
    add_ents=[
        ("下设综合协调组、督查督办组和宣传报道组", "综合协调组", "ORG", O),
        ("下设综合协调组、督查督办组和宣传报道组", "督查督办组", "ORG", O),
        ("下设综合协调组、督查督办组和宣传报道组", "宣传报道组", "ORG", O),
        ("党委办公室、校长办公室、纪委办公室", "校长办公室", "ORG", O),
        ("党委办公室、校长办公室、纪委办公室", "纪委办公室", "ORG", O),
        ("党委宣传部、教务处", "党委宣传部", "ORG", O),
        ("党委宣传部、教务处", "教务处", "ORG", O),
        ("马克思主义学院与文学院、数学与统计学院", "马克思主义学院", "ORG", O),
        ("马克思主义学院与文学院、数学与统计学院", "文学院", "ORG", O),
        ("马克思主义学院与文学院、数学与统计学院", "数学与统计学院", "ORG", O),
        ("校团委、学生工作部", "校团委", "ORG", O),
        ("校团委、学生工作部", "学生工作部", "ORG", O),
        ("科学技术处、财务处", "科学技术处", "ORG", O),
        ("科学技术处、财务处", "财务处", "ORG", O),
        ("国有资产管理处会同审计处", "国有资产管理处", "ORG", O),
        ("国有资产管理处会同审计处", "审计处", "ORG", O),
        ("楚师科技、源泉文化传媒", "楚师科技", "ORG", O),
        ("楚师科技、源泉文化传媒", "源泉文化传媒", "ORG", O),
        ("（1）基建管理处对", "基建管理处", "ORG", O),
        ("给予基建管理处2名", "基建管理处", "ORG", O),
        ("施工单位江汀建工集团", "江汀建工集团", "ORG", O),
        ("委托楚源明信会计师事务所", "楚源明信会计师事务所", "ORG", O),
        ("（1）人事处对", "人事处", "ORG", O),
        ("向楚源仲裁委员会", "楚源仲裁委员会", "ORG", O),
        ("楚源师范大学党委巡视整改工作领导小组办公室", None, "ORG", O),
    ],
    relabel=[
        ("依法起诉长期拖欠房租", [FR]),
    ],
)

CORR["b-linxi-district-health"] = dict(
    drop_ents=[
        ("公立医院党委", 0, "ORG"),
        ("区属医院党组", 0, "ORG"),
        ("乡镇卫生院", 0, "ORG"),
        # bare 党委 in 修订党委会议和院长办公会议议事规则 (a meeting type of two hospitals): generic
        ("党委", 4, "ORG"),
    ],
    add_ents=[
        ("向委党组反馈", "委党组", "ORG", O),
        ("委党组切实扛起", "委党组", "ORG", O),
        ("，委办公室负责", "委办公室", "ORG", O),
        ("问题1：委党组落实", "委党组", "ORG", O),
        ("③委机关党委对", "委机关党委", "ORG", O),
        ("推动区妇幼保健院", "区妇幼保健院", "ORG", O),
        ("对违规线下采购的区第二人民医院药剂科", "区第二人民医院药剂科", "ORG", O),
        ("③委医政医管科联合", "委医政医管科", "ORG", O),
        ("①委计划财务科会同", "委计划财务科", "ORG", O),
        ("委托临溪明正会计师事务所", "临溪明正会计师事务所", "ORG", O),
        ("①人事科牵头", "人事科", "ORG", O),
        ("与南屏医学院、岚州市中心医院", "南屏医学院", "ORG", O),
        ("与南屏医学院、岚州市中心医院", "岚州市中心医院", "ORG", O),
        ("区疾病预防控制中心党支部书记", "区疾病预防控制中心党支部", "ORG", O),
        ("在区卫生健康综合监督执法大队", "区卫生健康综合监督执法大队", "ORG", O),
        ("下一步，委党组将", "委党组", "ORG", O),
    ],
    set_vals=[("医药领域违纪违法典型案例汇编", 0, {"kind": "汇编"})],
    relabel=[
        ("指导区人民医院党委、区中医医院党委修订", [IB]),
        ("追回违规使用的医保基金共计152.38万元", [ACC, FR]),
        ("委医政医管科联合区市场监督管理局", [ACC]),
        ("收缴违纪所得", [FR]),
    ],
)

CORR["b-lanzhou-urban-invest"] = dict(
    drop_ents=[
        ("次到公司", 0, "ORG"),
    ],
    add_ents=[
        (("中共岚州市城市建设投资有限公司委员会", 0), None, "ORG", O),
        ("向公司党委反馈", "公司党委", "ORG", O),
        ("（以下简称“岚州城投”）", "岚州城投", "ORG", O),
        ("党群工作部、财务融资部、工程管理部、法务审计部", "党群工作部", "ORG", O),
        ("党群工作部、财务融资部、工程管理部、法务审计部", "财务融资部", "ORG", O),
        ("党群工作部、财务融资部、工程管理部、法务审计部", "工程管理部", "ORG", O),
        ("党群工作部、财务融资部、工程管理部、法务审计部", "法务审计部", "ORG", O),
        ("与国家开发银行岚州市分行", "国家开发银行岚州市分行", "ORG", O),
        ("一是法务审计部会同工程管理部", "法务审计部", "ORG", O),
        ("一是法务审计部会同工程管理部", "工程管理部", "ORG", O),
        ("涉嫌串通投标的鼎信建设", "鼎信建设", "ORG", O),
        ("市公安局经济犯罪侦查支队", None, "ORG", O),
        ("负有监管责任的工程管理部", "工程管理部", "ORG", O),
        ("四是将鼎信建设列入", "鼎信建设", "ORG", O),
        ("原财务融资部部长", "财务融资部", "ORG", O),
        ("纳入财务融资部、法务审计部", "财务融资部", "ORG", O),
        ("纳入财务融资部、法务审计部", "法务审计部", "ORG", O),
        ("在岚投物业、岚城建设", "岚投物业", "ORG", O),
        ("一是在岚投物业公司", "岚投物业公司", "ORG", O),
        ("一是党群工作部对", "党群工作部", "ORG", O),
        ("下一步，公司党委将", "公司党委", "ORG", O),
        ("岚州市城市建设投资有限公司党群工作部", None, "ORG", O),
        (("中共岚州市城市建设投资有限公司委员会", 1), None, "ORG", O),
    ],
    relabel=[
        ("对清收不力的2名部门负责人扣减季度绩效奖金", [ACC]),
        ("将鼎信建设列入公司供应商黑名单", [ACC]),
        ("将党建工作要求写入5家子公司章程", [IB]),
    ],
)

CORR["b-qingyan-county-court"] = dict(
    add_ents=[
        ("设在综合办公室，政治部、审判管理办公室、执行局", "综合办公室", "ORG", O),
        ("设在综合办公室，政治部、审判管理办公室、执行局", "政治部", "ORG", O),
        ("设在综合办公室，政治部、审判管理办公室、执行局", "审判管理办公室", "ORG", O),
        ("设在综合办公室，政治部、审判管理办公室、执行局", "执行局", "ORG", O),
        ("整改措施：审判管理办公室对", "审判管理办公室", "ORG", O),
        ("的民事审判第一庭庭长", "民事审判第一庭", "ORG", O),
        ("（1）执行局对", "执行局", "ORG", O),
        ("县司法局、县总工会、县律师协会", "县总工会", "ORG", O),
        ("整改措施：院纪检组对", "院纪检组", "ORG", O),
        ("（1）立案庭会同财务装备科", "立案庭", "ORG", O),
        ("（1）立案庭会同财务装备科", "财务装备科", "ORG", O),
        ("的1名副庭长", "1名", "PERSON_COUNT", P(1)),
        ("整改措施：政治部制定", "政治部", "ORG", O),
        ("整改措施：机关党委将", "机关党委", "ORG", O),
        ("县公安局政治处", None, "ORG", O),
        ("的执行局党支部书记", "执行局党支部", "ORG", O),
        ("青岩县人民法院综合办公室", None, "ORG", O),
    ],
    relabel=[
        ("修订《青岩县人民法院审判流程管理办法》", [IB]),
        ("对审限管理不严的民事审判第一庭庭长", [ACC]),
        ("已向当事人发放案款共计", [FR]),
        ("立案庭会同财务装备科", []),
        ("机关党委将原3个党支部", [IB]),
    ],
)


def main() -> None:
    pre = load_gold(PRE)
    out, log = [], collections.Counter()
    for rec in pre:
        keys = [k for k in CORR if k in rec.source]
        if len(keys) != 1:
            raise KeyError(f"{rec.source}: correction keys {keys}")
        out.append(validate(apply(rec, CORR[keys[0]], log), path=rec.source))
    save_gold(out, OUT)
    if "--stats" in sys.argv:
        for k, v in sorted(log.items()):
            print(k, v)


if __name__ == "__main__":
    main()
