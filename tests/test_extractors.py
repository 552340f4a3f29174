"""Table-driven tests per extractor: phrases from the corpus and the hard cases."""
import datetime as dt

import pytest

from conftest import view
from pipeline.entities.rules import RULE_EXTRACTORS
from pipeline.entities.date import DateExtractor
from pipeline.entities.doc_title import DocTitleExtractor
from pipeline.entities.money import MoneyExtractor
from pipeline.entities.org import OrgExtractor
from pipeline.entities.person_count import PersonCountExtractor

D = dt.date
NOTICE = D(2023, 12, 5)


def run(extractor_class, text, notice_date=NOTICE):
    return [(e.text, e) for e in extractor_class().find(view(text, notice_date))]


DATES = [
    ("2023年3月8日至6月10日，省委第八巡视组", "2023年3月8日至6月10日", D(2023, 3, 8), D(2023, 6, 10)),
    ("今年1-10月，党纪政务立案17人", "今年1-10月", D(2023, 1, 1), D(2023, 10, 31)),
    ("2023年6月起，党工委会议", "2023年6月起", D(2023, 6, 1), NOTICE),
    ("今年以来，“三重一大”事项", "今年以来", D(2023, 1, 1), NOTICE),
    ("对2018以来受组织处理", "2018以来", D(2018, 1, 1), NOTICE),
    ("今年4月份，原区纪工委书记", "今年4月份", D(2023, 4, 1), D(2023, 4, 30)),
    ("2023年初制定了年度土地供应计划", "2023年初", D(2023, 1, 1), D(2023, 3, 31)),
    ("五是1—11月，工业总产值完成78.4亿元", "1—11月", D(2023, 1, 1), D(2023, 11, 30)),
    ("2018年7月，部分管聘人员", "2018年7月", D(2018, 7, 1), D(2018, 7, 31)),
    ("2023-2025年", "2023-2025年", D(2023, 1, 1), D(2025, 12, 31)),
    ("申报2023年度市级绿色工厂", "2023年度", D(2023, 1, 1), D(2023, 12, 31)),
    ("二〇二三年十二月五日", "二〇二三年十二月五日", D(2023, 12, 5), D(2023, 12, 5)),
    ("2023-05-04召开", "2023-05-04", D(2023, 5, 4), D(2023, 5, 4)),
    ("对2019年至2022年重复发放的", "2019年至2022年", D(2019, 1, 1), D(2022, 12, 31)),
    ("近5年新发展的党员", "近5年", D(2018, 12, 5), NOTICE),
    ("2023年1-9月新引进产业项目35个", "2023年1-9月", D(2023, 1, 1), D(2023, 9, 30)),
    ("今年上半年完成", "今年上半年", D(2023, 1, 1), D(2023, 6, 30)),
    ("2024年9月下旬", "2024年9月下旬", D(2024, 9, 21), D(2024, 9, 30)),
    ("1个楼盘已于11月份部分交付", "11月份", D(2023, 11, 1), D(2023, 11, 30)),
    # The year of a date without one: the nearest earlier explicit year in the paragraph,
    # not an open period's, not a future plan's.
    ("从2021年9月起，提出要求。1-9月，科技支出2.1亿元", "1-9月", D(2023, 1, 1), D(2023, 9, 30)),
    ("2022年7月开始，9月10日完成", "9月10日", D(2022, 9, 10), D(2022, 9, 10)),
]


@pytest.mark.parametrize("text,span,start,end", DATES, ids=[d[1] for d in DATES])
def test_dates(text, span, start, end):
    found = {t: e for t, e in run(DateExtractor, text)}
    assert span in found, found.keys()
    assert (found[span].start_date, found[span].end_date) == (start, end)


NOT_DATES = ["区党工委第一时间成立了", "区纪工委监工委每周组织一次业务知识学习", "明确了全部任务计划分四年完成整改",
             "三个月内整改到位", "当天下午召开会议", "开展七一走访慰问", "省委第十一巡视组", "益政发〔2022〕100号",
             "计划通过两年的时间", "1个月内完成", "近年来", "目前", "近日"]


@pytest.mark.parametrize("text", NOT_DATES)
def test_things_that_only_look_like_dates(text):
    assert run(DateExtractor, text) == []


def test_relative_dates_without_notice_date_keep_span_but_no_value():
    (text, e), = run(DateExtractor, "今年以来开展检查", notice_date=None)
    assert text == "今年以来" and e.start_date is None and e.end_date is None


MONEY = [
    ("追缴违纪资金35.4万元，问责7人", "35.4万元", 354000.0, "CNY", False),
    ("1-9月，科技支出2.1亿元", "2.1亿元", 210000000.0, "CNY", False),
    ("共计兑现产业扶持资金17580.24万元", "17580.24万元", 175802400.0, "CNY", False),
    ("涉及资金1000余万元", "1000余万元", 10000000.0, "CNY", True),
    ("挽回损失约12万元", "12万元", 120000.0, "CNY", True),
    ("追回五十万元", "五十万元", 500000.0, "CNY", False),
    ("引进外资3万美元", "3万美元", 30000.0, "USD", False),
    ("退还3600元", "3600元", 3600.0, "CNY", False),
    ("技工贸收入、GDP分别突破1000亿、200亿", "1000亿", 100000000000.0, "CNY", False),
]


@pytest.mark.parametrize("text,span,value,currency,approx", MONEY, ids=[m[1] for m in MONEY])
def test_money(text, span, value, currency, approx):
    found = {t: e for t, e in run(MoneyExtractor, text)}
    assert (found[span].value, found[span].currency, found[span].approx) == (value, currency, approx)


@pytest.mark.parametrize("text", ["同比增长139.07%", "年产6万吨磷酸铁锂", "益缘新材500万KM/月金刚石线项目",
                                  "梳理政务服务事项1000余项"])
def test_not_money(text):
    assert run(MoneyExtractor, text) == []


def test_bare_amounts_are_money_only_in_money_context():
    assert [t for t, _ in run(MoneyExtractor, "收入、GDP分别突破1000亿、200亿")] == ["1000亿", "200亿"]


COUNTS = [("问责26人", "26人", 26), ("抽调3名工作人员", "3名", 3), ("对两名干部", "两名", 2),
          ("1名受处分干部", "1名", 1), ("培训3581人", "3581人", 3581), ("慰问12人次", "12人次", 12),
          ("19.5名干部在企业任职", "5名", 5)]


@pytest.mark.parametrize("text,span,value", COUNTS, ids=[c[1] for c in COUNTS])
def test_person_counts(text, span, value):
    found = {t: e for t, e in run(PersonCountExtractor, text)}
    assert found[span].value == value


@pytest.mark.parametrize("text", ["4家企业", "制定17项制度", "个人因私出国", "对相关责任人进行批评教育",
                                  "人民群众", "该名干部", "增长2.5人"])
def test_not_person_counts(text):
    assert run(PersonCountExtractor, text) == []


TITLES = [
    ("制定了《关于修订〈益阳高新区党工委会议工作规范〉的通知》；", "关于修订〈益阳高新区党工委会议工作规范〉的通知", "通知"),
    ("《益阳高新区落实“智赋万企”行动工作实施方案（2023-2025年）》", "益阳高新区落实“智赋万企”行动工作实施方案（2023-2025年）", "方案"),
    ("出台了《关于进一步加强区属国有企业人员管理的意见（试行）》", "关于进一步加强区属国有企业人员管理的意见（试行）", "意见"),
    ("组织观看《不可触碰的底线》等警示教育片", "不可触碰的底线", ""),
]


@pytest.mark.parametrize("text,span,kind", TITLES, ids=[t[2] or "film" for t in TITLES])
def test_doc_titles(text, span, kind):
    (found, e), = run(DocTitleExtractor, text)
    assert found == span and e.kind == kind


ORGS = [
    ("省委第八巡视组向益阳市反馈了园区专项巡视意见", ["省委第八巡视组"]),
    ("落实省委巡视办、省纪委监委第一监督检查室的意见", ["省委巡视办", "省纪委监委第一监督检查室"]),
    ("区组织工作局会同区纪工委监工委对干部进行了清查", ["区组织工作局", "区纪工委监工委"]),
    ("并会同高新区公安分局对全区国家工作人员", ["高新区公安分局"]),
    ("联合市统计局举办了“统计开放日”活动", ["市统计局"]),
    ("支持金博碳素、维仕科技等龙头骨干企业做大做强", ["金博碳素", "维仕科技"]),
    ("通过58同城、省联交所、市公共交易中心等网络媒介发布招租", ["58同城", "省联交所", "市公共交易中心"]),
    ("市委常委、常务副市长刘勇会兼任高新区党工委副书记", ["市委", "高新区党工委"]),
    ("中共怀化高新技术产业开发区工作委员会", ["中共怀化高新技术产业开发区工作委员会"]),
    ("成立了巡视整改工作领导小组", ["巡视整改工作领导小组"]),
]


@pytest.mark.parametrize("text,names", ORGS, ids=[o[1][0] for o in ORGS])
def test_orgs(text, names):
    assert [t for t, _ in run(OrgExtractor, text)] == names


@pytest.mark.parametrize("text", ["协调相关部门进行整改", "督促指导全区各级党组织对标对表落实", "第三方审计机构已完成审计",
                                  "3个区属国有企业的纪委书记已配备到位"])
def test_generic_references_are_not_orgs(text):
    assert run(OrgExtractor, text) == []


@pytest.mark.parametrize("extractor_class", RULE_EXTRACTORS)
@pytest.mark.parametrize("text", ["", "。", "整改", "２０２３年１２月５日问责２６人，追缴３５．４万元"])
def test_extractor_contract(extractor_class, text):
    """Every extractor: spans inside the text, sorted, deterministic, text equals the slice."""
    first = extractor_class().find(view(text))
    second = extractor_class().find(view(text))
    assert [(e.start, e.end) for e in first] == [(e.start, e.end) for e in second]
    assert [(e.start, e.end) for e in first] == sorted((e.start, e.end) for e in first)
    for e in first:
        assert 0 <= e.start < e.end <= len(text) and e.text == text[e.start:e.end]
        assert e.label == extractor_class.label


def test_full_width_digits_are_matched_but_offsets_refer_to_the_original():
    text = "２０２３年１２月５日问责２６人，追缴３５．４万元"
    found = {e.label: e for cls in RULE_EXTRACTORS for e in cls().find(view(text))}
    assert found["DATE"].text == "２０２３年１２月５日" and found["DATE"].start_date == D(2023, 12, 5)
    assert found["PERSON_COUNT"].text == "２６人" and found["PERSON_COUNT"].value == 26
    assert found["MONEY"].text == "３５．４万元" and found["MONEY"].value == 354000.0
