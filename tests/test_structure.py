"""Structure facts that must come out of the corpus (issue: end-to-end extraction)."""
import datetime as dt
import json
from collections import Counter

import pytest

from conftest import CORPUS


def top_items(notice):
    return [i for i in notice.items if i.parent_number is None]


def test_yiyang_header(yiyang):
    assert yiyang.title == "关于巡视整改进展情况的通报"
    assert yiyang.issuer == "中共益阳高新区工委"
    assert yiyang.notice_date == dt.date(2023, 12, 5)
    assert yiyang.inspection_body == "省委第八巡视组"
    assert (yiyang.inspection_start, yiyang.inspection_end) == (dt.date(2023, 3, 8), dt.date(2023, 6, 10))
    assert yiyang.feedback_date == dt.date(2023, 7, 18)


def test_yiyang_groups_items_statuses(yiyang):
    assert len(yiyang.groups) == 12
    items = top_items(yiyang)
    assert [i.number for i in items] == [str(n) for n in range(1, 32)]
    assert Counter(i.status_text for i in items if i.status_source == "explicit") == {"完成": 13, "阶段性完成": 17}
    assert Counter(i.status for i in items) == {"completed": 13, "partially_completed": 18}
    assert yiyang.groups[11].title == "反馈问题：重点问题整改不到位。"


def test_yiyang_sub_items_and_back_reference(yiyang):
    subs = [i for i in yiyang.items if i.parent_number == "28"]
    assert [i.number for i in subs] == ["28①", "28②"]
    assert subs[0].status == "partially_completed" and subs[0].status_source == "explicit"
    assert subs[1].status_source == "reference" and subs[1].refers_to == "7"
    assert subs[1].status == "partially_completed"
    parent = next(i for i in yiyang.items if i.number == "28")
    assert parent.status == "partially_completed" and parent.status_source == "sub_items"


def test_item_numbers_that_look_like_decimals(yiyang, huaihua):
    # "3.1名受处分干部…", "5.2022年园区…", "16.2019年重复发放…"
    by_number = {i.number: i for i in yiyang.items}
    assert by_number["3"].problem == "1名受处分干部未及时调整岗位的问题。"
    assert by_number["5"].problem.startswith("2022年园区6项考核指标")
    assert {i.number: i for i in huaihua.items}["16"].problem == "2019年重复发放高新投工作人员工资。"


def test_huaihua_structure(huaihua):
    assert huaihua.inspection_body == "省委第十二巡视组"
    assert (huaihua.inspection_start, huaihua.inspection_end) == (dt.date(2023, 3, 9), dt.date(2023, 6, 10))
    assert huaihua.feedback_date == dt.date(2023, 7, 20)
    assert huaihua.notice_date == dt.date(2023, 12, 18)
    assert huaihua.issuer == "中共怀化高新技术产业开发区工作委员会"
    assert len(huaihua.groups) == 11
    items = top_items(huaihua)
    assert len(items) == 21
    assert [i.status for i in items] == ["completed"] * 20 + ["not_completed"]
    assert all(i.status_source == "section" for i in items)
    assert items[20].problem == "经营权转让费长期未收回。"


def test_measures_split_at_markers_and_sentence_ends(yiyang):
    item4 = next(k for k, i in enumerate(yiyang.items) if i.number == "4")
    texts = [m.text for m in yiyang.measures if m.item_index == item4]
    assert texts[0] == "从镇（街道）抽调3名工作人员，充实了专班力量，正在对一批问题线索进行深入核查，争取实现突破"
    assert "为亲友牟利专项整治，目前已党纪处分2人，立案2人，追缴违纪资金35.4万元，问责7人" in texts
    assert not any(t.startswith("关于") and t.endswith("：") for t in texts)  # sub-headings are not measures
    for m in yiyang.measures:
        assert yiyang.text[m.start:m.end] == m.text


EXPECTED = json.loads((CORPUS / "written" / "EXPECTED.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("expected", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_written_notices_in_other_layouts(rules_parser, expected):
    from pipeline.read.ingest import read_notice
    notice = rules_parser.parse(read_notice(CORPUS / expected["file"]).text)
    assert str(notice.notice_date) == expected["notice_date"]
    assert notice.inspection_body == expected["inspection_body"]
    assert str(notice.inspection_start) == expected["inspection_start"]
    assert str(notice.inspection_end) == expected["inspection_end"]
    assert str(notice.feedback_date) == expected["feedback_date"]
    assert len(notice.groups) == expected["n_groups"]
    assert [(i.number, i.status) for i in notice.items] == [(x["number"], x["status"]) for x in expected["items"]]


PAREN_MEASURES = """关于巡察整改进展情况的通报

一、反馈问题：财务管理不规范。
1.公务接待超标准的问题。
（1）制定《公务接待管理办法》。
（2）追回超标准接待费用1.2万元。
整改结果：已完成
2.固定资产账实不符的问题。
（1）开展资产清查。
整改结果：持续推进

中共某局党组
2024年5月6日
"""


def test_paren_numbers_inside_a_description_are_measures_not_items(rules_parser):
    notice = rules_parser.parse(PAREN_MEASURES)
    assert [(i.number, i.status) for i in notice.items] == [("1", "completed"), ("2", "not_completed")]
    assert [m.text for m in notice.measures] == ["制定《公务接待管理办法》", "追回超标准接待费用1.2万元", "开展资产清查"]


def test_item_numbers_are_taken_from_the_original_text(rules_parser):
    text = "問題1：資金管理不規範。\n整改情況：已追回資金。\n整改結果：已完成\n問題2：制度不健全。\n整改情況：制定辦法。\n整改結果：正在整改\n"
    notice = rules_parser.parse(text)
    assert [(i.number, i.status) for i in notice.items] == [("問題1", "completed"), ("問題2", "not_completed")]


ONE_PARAGRAPH_ITEMS = """关于审计发现问题整改情况的通报

2024年8月12日至10月25日，市审计局对集团开展了专项审计。

一、总体情况

集团成立整改工作专班。

二、已完成整改的问题

1、供水管网漏损率偏高。集团完成老旧管网改造12公里。

2、部分大用户水费长期拖欠。集团追回欠费 326 万元。

三、正在推进整改的问题

1、应收账款管理不规范。集团已建立清收台账，目前已清收 2380 万元。

某某集团有限公司
2025年2月14日
"""


def test_items_told_in_one_paragraph_under_status_sections(rules_parser):
    """No 整改情况/整改结果 markers at all: the items are the headings inside status sections."""
    notice = rules_parser.parse(ONE_PARAGRAPH_ITEMS)
    assert [(i.number, i.status, i.status_source) for i in notice.items] == [
        ("1", "completed", "section"), ("2", "completed", "section"), ("1", "not_completed", "section")]
    assert [m.text for m in notice.measures] == [
        "集团完成老旧管网改造12公里", "集团追回欠费 326 万元", "集团已建立清收台账，目前已清收 2380 万元"]
