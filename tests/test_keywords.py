"""The keyword baseline (pipeline/keywords.py + pipeline/lexicons/measure_keywords.tsv)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.measures.keywords import KEYWORDS_PATH, KeywordBaseline, LexiconError, load_rules
from pipeline.types import MEASURE_LABELS

IB, AC, FR = MEASURE_LABELS
DATA = Path(__file__).parent / "data" / "measures_small.jsonl"


@pytest.fixture(scope="module")
def kb() -> KeywordBaseline:
    return KeywordBaseline.default()


# (measure text, expected labels) — the guideline's typical words and its caveats.
CASES = [
    # institution_building: a creating verb with the kind of document it creates
    ("制定了《关于修订〈益阳高新区党工委会议工作规范〉的通知》；", [IB]),
    ("修订了《益阳高新区党工委会议工作规范》。", [IB]),
    ("出台了《关于进一步加强区属国有企业人员管理的意见（试行）》。", [IB]),
    ("印发了《益阳高新区关于加强基层党组织建设的实施方案》。", [IB]),
    ("进一步建立健全建设项目管理、招投标领域等制度规范。", [IB]),
    ("建立园区企业“廉络员”制度。", [IB]),
    ("制定整改责任清单，逐一制定整改计划。", [IB]),
    ("已完善相关内部制度。", [IB]),  # 完善 + 制度
    ("完善标准化厂房管理办法，规范出租流程。", [IB]),  # 完善 + 办法
    ("一是成立怀化高新区党的建设工作领导小组。", [IB]),  # 成立……领导小组
    ("完善了预拨征拆资金的相关资料。", []),  # 完善 without a rule noun
    ("逐步完善园区公交站台建设。", []),
    ("严格落实“第一议题”制度。", []),  # applying a rule is not making one
    ("组织专班对预拨征拆资金相关情况进行梳理和审核。", []),  # using a body is not setting one up
    # accountability
    ("洞庭清波专项整治问责7人。", [AC]),
    ("已对相关工作人员进行追责问责处理。", [AC]),
    ("党纪政务立案17人，党纪政务处分17人。", [AC]),
    ("开展专项检查17次，诫勉谈话4人。", [AC]),
    ("对相关责任人员进行了批评教育。", [AC]),
    ("对相关党务专干作出约谈处理。", [AC]),
    ("对履职不力的单位予以通报批评。", [AC]),
    ("对负有领导责任的干部予以免职处理。", [AC]),  # 免职 as a sanction
    ("已免去其中4名同志职务，并作岗位调整。", []),  # not a sanction: fixing an appointment
    ("不符合条件人员已免职。", []),
    ("已将专业机构审计发现的问题线索移交区纪工委监工委。", [AC]),  # 移交纪委
    ("涉嫌犯罪的移交司法机关处理。", [AC]),
    ("组织观看《不可触碰的底线》等警示教育片。", []),
    # fund_recovery
    ("追缴违纪资金35.4万元。", [FR]),
    ("将未按规定使用的惠企资金退回至高新区财政资金账户。", [FR]),
    ("据实清退了相对固定用车期间领导干部的公务交通补贴。", [FR]),
    ("所有违规借调人员清退回原单位。", []),  # people, not money
    ("收回违规发放的补贴12万元。", [FR]),
    ("追回资金8万元。", [FR]),
    ("退还多收费用3万元。", [FR]),
    ("正在全力催收2家合作经营企业的经营权转让费。", [FR]),
    ("挽回经济损失100余万元。", [FR]),
    # synonyms and caveats found in the gold notices
    ("组织专题学习《中国共产党纪律处分条例》。", []),  # 处分 inside a title
    ("对2018以来受组织处理和纪律处分的干部进行了清查。", []),  # describes who was checked
    ("对宏建等5家建筑企业依法作出行政处罚。", [AC]),
    ("抽查办结的行政处罚案卷180卷。", []),
    ("对巡察移交的问题线索，局党组第一时间转交区纪委监委派驻纪检监察组核查。", [AC]),
    ("涉及的公款吃喝费用7960元已由相关人员全部退赔。", [FR]),
    ("清退不符合聘用条件的编外人员9名。", []),  # people, not money
    ("新成立党支部6个。", [IB]),
    # forms of real openings (phrases we wrote)
    ("县委成立由县委书记任组长，县委副书记、县长任副组长，各部门负责人为成员的巡视整改工作领导小组。", [IB]),
    ("领导小组下设办公室，负责日常协调。", [IB]),
    ("研究制定99条整改措施，形成问题、任务、责任清单。", [IB]),
    ("对整改不到位的2个问题重新制定整改措施。", []),  # no new rule for an unfinished problem
    ("实行台账管理，对账销号。", [IB]),
    ("向区纪委监委移交问题线索18件。", [AC]),
    ("对4家超标排放企业依法查处。", [AC]),
    ("通报区纪委监委查处的典型案例6起。", []),  # a case told as a lesson
    ("建立违建发现、认定、查处联动机制。", [IB]),
    ("配合省纪委监委开展审查调查。", [AC]),
    ("有关单位上缴及归还财政资金44.08亿元。", [FR]),
    # forms of real pages (issue 9), in phrases of our own
    ("构建起一级抓一级、层层抓落实的整改责任体系。", [IB]),
    ("进一步优化班子成员带队反馈工作机制。", [IB]),
    ("跨部门成立项目招商小组。", [IB]),
    ("组建3个走教小组。", []),  # groups counted in bulk
    ("组成4个督查组分赴各县区督查。", []),
    ("县长审定了整改工作方案。", [IB]),
    ("整改领导小组办公室设在县纪委。", [IB]),
    ("县政府上报了《青溪县环保督察反馈意见整改方案》。", [IB]),
    ("即日起，全县公务接待一律不准饮酒。", [IB]),
    ("对学历认定不准确的问题进行了重新认定。", []),
    ("实行每周零报告制度。", [IB]),
    ("全县共确定36项整改任务。", [IB]),
    ("将整改情况纳入年度考核。", []),  # an existing assessment: no new rule
    ("某局副局长涉嫌严重违纪，目前正在接受组织调查。", [AC]),
    ("如涉嫌严重违纪，按程序办理。", []),  # a condition, not an investigation
    ("对招生管理混乱的学院进行严肃批评。", [AC]),
    ("处理处罚相关责任人18人次。", [AC]),
    ("运用第一种形态谈话15人次。", [AC]),
    ("将重大问题线索移送有关部门查办。", [AC]),
    # traditional characters match the simplified table
    ("出臺《雲嶺市公共租賃住房資格動態審核辦法》。", [IB]),
    ("對3名參與人員進行誡勉談話。", [AC]),
    ("成立租金清欠專班，已催收欠繳租金96.4萬元。", [IB, FR]),
    # several labels, or none
    ("目前已党纪处分2人，立案2人，追缴违纪资金35.4万元，问责7人。", [AC, FR]),
    ("二是成立租金清收工作小组，对欠缴租金企业进行追缴。", [IB, FR]),
    ("二是高新区班子成员带队定期对企业开展安全生产检查。", []),
    ("今年新签约项目30个，合同引资153.4亿元。", []),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:14] for c in CASES])
def test_guideline_cases(kb, text, expected):
    assert kb.predict([text]) == [expected], kb.explain(text)


def test_explain_names_the_rule_as_written(kb):
    hits = kb.explain("已完善相关内部制度。")
    assert len(hits) == 1
    label, pattern = hits[0]
    assert label == IB and pattern.startswith("完善…制度")
    # every explained pattern is a line of the table
    table = KEYWORDS_PATH.read_text(encoding="utf-8")
    assert f"{label}\tnear\t{pattern}" in table


def test_explain_orders_by_position_and_agrees_with_predict(kb):
    text = "追缴违纪资金35.4万元，问责7人。"
    assert kb.explain(text) == [(FR, "追缴"), (AC, "问责")]
    assert sorted({label for label, _ in kb.explain(text)}) == sorted(kb.predict([text])[0])
    assert kb.explain("开展安全生产检查。") == []


def test_default_is_loaded_once():
    assert KeywordBaseline.default() is KeywordBaseline.default()


def test_predict_wants_a_list(kb):
    with pytest.raises(TypeError):
        kb.predict("问责7人。")
    assert kb.predict([]) == []


def test_baseline_on_the_small_set_stays_good(kb):
    """A regression guard: the table should keep agreeing with the hand labels."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    predicted = kb.predict([r["text"] for r in rows])
    for label in MEASURE_LABELS:
        tp = sum(label in p and label in r["labels"] for p, r in zip(predicted, rows))
        fp = sum(label in p and label not in r["labels"] for p, r in zip(predicted, rows))
        fn = sum(label not in p and label in r["labels"] for p, r in zip(predicted, rows))
        f1 = 2 * tp / (2 * tp + fp + fn)
        assert f1 >= 0.85, (label, tp, fp, fn)


def test_every_rule_is_valid_and_labelled():
    rules = load_rules()
    assert {r.label for r in rules} == set(MEASURE_LABELS)
    assert all(r.kind in ("word", "near", "regex") for r in rules)


BAD_TABLES = [
    ("institution_building\tword\n", "expected 3 or 4 tab-separated columns"),
    ("institution_buildings\tword\t制定\n", "unknown label 'institution_buildings'"),
    ("accountability\tphrase\t问责\n", "unknown kind 'phrase'"),
    ("accountability\tregex\t问责(\n", "bad regex pattern"),
    ("accountability\tnear\t问责\n", "needs at least two parts"),
    ("accountability\tnear\t移交…|纪委\n", "empty alternative"),
    ("accountability\tregex\t(问责)?\n", "matches the empty string"),
    ("accountability\tword\t\n", "empty pattern"),
]


@pytest.mark.parametrize("bad_line,message", BAD_TABLES, ids=[b[1] for b in BAD_TABLES])
def test_loader_errors_name_file_and_line(tmp_path, bad_line, message):
    path = tmp_path / "kw.tsv"
    path.write_text("# comment\n\nfund_recovery\tword\t追缴\n" + bad_line, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        KeywordBaseline(path)
    assert f"{path}:4:" in str(info.value)
    assert message in str(info.value)


def test_loader_errors_for_missing_or_empty_files(tmp_path):
    with pytest.raises(LexiconError, match="cannot read"):
        KeywordBaseline(tmp_path / "missing.tsv")
    empty = tmp_path / "empty.tsv"
    empty.write_text("# only a comment\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="no rules"):
        KeywordBaseline(empty)


def test_a_custom_table_is_used(tmp_path):
    path = tmp_path / "kw.tsv"
    path.write_text("fund_recovery\tnear\t收到…租金|欠款\tour own rule\n", encoding="utf-8")
    kb = KeywordBaseline(path)
    assert kb.predict(["目前已收到部分欠缴租金。", "追缴违纪资金。"]) == [[FR], []]
    assert kb.explain("目前已收到部分欠缴租金。") == [(FR, "收到…租金|欠款")]
    assert kb.rules[0].note == "our own rule" and kb.rules[0].line == 1
