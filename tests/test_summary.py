"""The facts and notice_summary tables through real parquet, their sums on the two real corpus
notices computed by hand from the text, and the issuer level."""
import datetime as dt
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import HUAIHUA, YIYANG
from pipeline.tables.run import extract_folder
from pipeline.tables.schema import SCHEMAS, schema
from pipeline.tables.store import read_tables
from pipeline.tables.summary import issuer_level
from pipeline.tables.store import part_files


@pytest.fixture(scope="module")
def tables(tmp_path_factory, rules_parser):
    folder = tmp_path_factory.mktemp("real")
    shutil.copy(YIYANG, folder)
    shutil.copy(HUAIHUA, folder)
    out = folder / "out"
    extract_folder(folder, out, parser=rules_parser)
    for name in ("facts", "notice_summary"):  # real files with the declared schema
        (part,) = part_files(out, name)
        assert pq.read_schema(part).equals(schema(name), check_metadata=False)
    return read_tables(out)


def _summary(tables, source):
    rows = tables["notice_summary"][tables["notice_summary"].source_path == source]
    assert len(rows) == 1
    return rows.iloc[0]


def test_yiyang_sums(tables):
    s = _summary(tables, YIYANG.name)
    # By hand, from corpus/yiyang-hitech-2023-12-05.txt:
    #   为亲友牟利专项整治，目前已党纪处分2人，立案2人，追缴违纪资金35.4万元，问责7人。
    #   乡村振兴及“三湘护农”领域党纪处分2人，立案2人，追缴违纪资金35.4万元。
    #   洞庭清波专项整治问责7人。
    #   开展“两带头五整治”纠风防腐行动，……诫勉谈话4人，问责1人。
    #   二是今年1-10月，党纪政务立案17人，党纪政务处分17人，问责26人。
    #   截至目前，共计兑现产业扶持资金17580.24万元
    # money_recovered = 35.4万 + 35.4万 = 708,000 yuan (the two sentences are counted as written;
    #   the first one's figures equal the next two together, but the text does not say 其中)
    # money_invested = 17580.24万 = 175,802,400 yuan; nothing is stated as at issue
    # disciplined_party = 2 + 2 + 17 (党纪政务处分 counts as party discipline) = 21
    # case_opened = 2 + 2 + 17 = 21; admonished = 4; accountable = 7 + 7 + 1 + 26 = 41
    # held accountable = 21 + 4 + 41 = 66 (立案 counts the same people at another step: not added)
    # projects: 重点项目8个 + 1个项目 + 1个项目 + 引进项目近40个 + 新引进产业项目35个 = 85
    #   (其中“三类500强”项目1个 is a part of the 35)
    assert s.money_recovered == 708000.0
    assert s.money_invested == 175802400.0
    assert s.money_at_issue == 0.0
    assert (s.people_disciplined_party, s.people_case_opened, s.people_admonished, s.people_accountable) == (21, 21, 4, 41)
    assert (s.people_disciplined_admin, s.people_talked_to, s.people_transferred, s.people_organisational_handling) == (0, 0, 0, 0)
    assert s.people_held_accountable == 66
    assert (s.projects, s.rules_issued, s.clues, s.cases_opened) == (85, 0, 0, 0)
    # 31 items: 13 with 整改结果：完成, 18 阶段性完成 (the gold's statuses)
    assert (s.n_items, s.n_completed, s.n_partially_completed, s.n_not_completed, s.n_unknown) == (31, 13, 18, 0, 0)
    assert s.completion_rate == pytest.approx(13 / 31)
    assert (s.issuer, s.level, s.inspection_body) == ("中共益阳高新区工委", "county", "省委第八巡视组")
    assert s.notice_date == dt.date(2023, 12, 5)
    assert (s.first_date, s.last_date) == (dt.date(2018, 1, 1), dt.date(2025, 12, 31))


def test_huaihua_sums(tables):
    s = _summary(tables, HUAIHUA.name)
    # By hand, from corpus/huaihua-hitech-2023-12-18.txt: no amount is recovered, at issue or put
    # in (合同引资153.4亿元 and 工业总产值78.4亿元 are economic figures), nobody is counted as held
    # to account; projects: 新签约项目30个 (其中…项目22个 is a part) + 新增14个项目 + 项目15个 +
    # 签约项目30个 + 7个在建工程项目 = 96
    assert (s.money_recovered, s.money_at_issue, s.money_invested) == (0.0, 0.0, 0.0)
    assert s.people_held_accountable == 0
    assert s.projects == 96
    # 21 items: 20 in the section 已完成, 1 in 未完成或长期整改
    assert (s.n_items, s.n_completed, s.n_not_completed) == (21, 20, 1)
    assert s.completion_rate == pytest.approx(20 / 21)
    assert s.level == "county"


def test_facts_rows_point_to_their_measure_entity_and_text(tables):
    facts, notices = tables["facts"], tables["notices"].set_index("notice_id")
    measures = tables["measures"].set_index("measure_id")
    entities = tables["entities"].set_index("entity_id")
    assert len(facts) == 26 and facts.fact_id.is_unique
    for f in facts.itertuples():
        text = notices.loc[f.notice_id, "text"]
        assert text[f.start:f.end] == f.text and text[f.trigger_start:f.trigger_end] == f.trigger
        m = measures.loc[f.measure_id]
        assert m.start <= f.start and f.end <= m.end and m.item_id == f.item_id
        if f.category == "things":
            assert pd.isna(f.entity_id)
        else:
            assert entities.loc[f.entity_id, "value"] == f.quantity
    yiyang = facts[facts.notice_id == tables["notice_summary"].set_index("source_path").loc[YIYANG.name, "notice_id"]]
    first = yiyang.iloc[:4]
    assert list(zip(first.text, first.kind, first.trigger)) == [
        ("2人", "disciplined_party", "党纪处分"), ("2人", "case_opened", "立案"),
        ("35.4万元", "recovered", "追缴"), ("7人", "accountable", "问责")]
    part = yiyang[yiyang.part_of.notna()]
    assert list(zip(part.text, part.part_of.str.split(":").str[1])) == [("1个", "f7891")]


def test_groupby_example_from_the_readme(tables):
    """The README's pandas example, run on the real tables."""
    facts = tables["facts"]
    recovered = facts[(facts.kind == "recovered") & facts.part_of.isna()].groupby("notice_id").quantity.sum()
    summary = tables["notice_summary"].set_index("notice_id")
    assert recovered.to_dict() == {nid: v for nid, v in summary.money_recovered.items() if v}
    by_level = tables["notice_summary"].groupby("level")[["money_recovered", "people_held_accountable"]].sum()
    assert by_level.loc["county"].tolist() == [708000.0, 66]


def test_entities_table_has_doc_number_columns(tables):
    entities = tables["entities"]
    assert {"issuer_code", "year", "serial"} <= set(entities.columns)
    assert entities[entities.label != "DOC_NUMBER"][["issuer_code", "year", "serial"]].isna().all().all()


def test_summary_columns_follow_the_lexicon():
    names = [c.name for c in SCHEMAS["notice_summary"]]
    assert [n for n in names if n.startswith("people_")] == [
        "people_disciplined_party", "people_disciplined_admin", "people_organisational_handling",
        "people_admonished", "people_talked_to", "people_case_opened", "people_transferred",
        "people_accountable", "people_held_accountable"]


@pytest.mark.parametrize("issuer, level", [
    ("中共岭东省林业局党组", "province"),
    ("中共北亭市委", "city"),
    ("中共澄州市公安局委员会", "city"),
    ("中共梅岭县委", "county"),
    ("中共云岫区市场监督管理局党组", "county"),
    ("中共益阳高新区工委", "county"),
    ("中共柘山县青岚镇委员会", "town"),
    ("中共安澜区望江街道工作委员会", "town"),
    ("中共柘山县乡村振兴局党组", "county"),  # 乡村振兴 is no 乡
    ("中共南岭交通投资集团有限公司委员会", "enterprise"),
    ("中共泰丰银行股份有限公司岚江省分行委员会", "enterprise"),
    ("中共江临理工大学委员会", "university"),
    ("中共嵐山職業技術學院委員會", "university"),  # traditional characters
    ("中共宁川市第一人民医院委员会", "hospital"),
    ("中共桐溪县人民医院医疗集团委员会", "hospital"),
    ("雁溪县第一中学", "school"),
    ("中共中央办公厅", "central"),
    ("首页 > 生态环境 > 督察整改", "unknown"),
    (None, "unknown"),
])
def test_issuer_level(issuer, level):
    assert issuer_level(issuer) == level
