"""Forms real web pages use, each rule tested on phrases we write (table of input → expected)."""
import datetime as dt

import pytest

D = dt.date


@pytest.fixture(scope="module")
def parse():
    from pipeline.parse import NoticeParser
    parser = NoticeParser(ner=None, classifier=None, build_docs=False)
    return parser.parse


def dates(notice):
    return [(e.text, e.start_date, e.end_date) for e in notice.entities if e.label == "DATE"]


@pytest.mark.parametrize("text, expected", [
    # a clock time glued to a date belongs to it
    ("发布时间：2022-04-18 07:10:00  来源：县纪委\n整改", [("2022-04-18 07:10:00", D(2022, 4, 18), D(2022, 4, 18))]),
    ("更新时间:2022/08/04 08:26:45\n整改", [("2022/08/04 08:26:45", D(2022, 8, 4), D(2022, 8, 4))]),
    ("2025年12月30日 16:13\n整改", [("2025年12月30日 16:13", D(2025, 12, 30), D(2025, 12, 30))]),
    ("2019年8月26日上午9时，督察组进驻。整改", [("2019年8月26日上午9时", D(2019, 8, 26), D(2019, 8, 26))]),
    # digits that lost their 年 and 月
    ("2019年，巡察组于2019425日反馈了意见。整改", [("2019年", D(2019, 1, 1), D(2019, 12, 31)),
                                             ("2019425日", D(2019, 4, 25), D(2019, 4, 25))]),
    ("202131日至430日，市委巡视一组开展巡视。整改", [("202131日至430日", D(2021, 3, 1), D(2021, 4, 30))]),
    ("2023年1017日至2024年115日，巡察。整改", [("2023年1017日至2024年115日", D(2023, 10, 17), D(2024, 1, 15))]),
    ("2021年3月开展巡视，722日反馈。整改", [("2021年3月", D(2021, 3, 1), D(2021, 3, 31)),
                                      ("722日", D(2021, 7, 22), D(2021, 7, 22))]),
    ("2019年11月，1116日至18日督察组进驻。整改", [("2019年11月", D(2019, 11, 1), D(2019, 11, 30)),
                                           ("1116日至18日", D(2019, 11, 16), D(2019, 11, 18))]),
    ("20249月至11月，县委巡察组开展巡察。整改", [("20249月至11月", D(2024, 9, 1), D(2024, 11, 30))]),
    # a date in brackets is a date
    ("督察进驻期间（2017年8月11日至9月11日）设立值班电话。整改", [("2017年8月11日至9月11日", D(2017, 8, 11), D(2017, 9, 11))]),
])
def test_web_page_date_forms(parse, text, expected):
    assert dates(parse(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("3月上旬至中旬，开展专项检查。整改", [("3月上旬至中旬", D(2024, 3, 1), D(2024, 3, 20))]),
    ("5年来，共追缴资金。整改", [("5年来", D(2019, 9, 30), D(2024, 9, 30))]),
    ("一年多来，持续整改。整改", [("一年多来", D(2023, 9, 30), D(2024, 9, 30))]),
    ("较上年提升。整改", [("上年", D(2023, 1, 1), D(2023, 12, 31))]),
    ("昨天下午，召开推进会。整改", [("昨天", D(2024, 9, 29), D(2024, 9, 29))]),
    ("3个月来，共召开常委会。整改", [("3个月来", D(2024, 6, 30), D(2024, 9, 30))]),
    ("督察组入驻近一个月以来，共问责。整改", [("近一个月以来", D(2024, 8, 30), D(2024, 9, 30))]),
    ("26天来，各地认真整改。整改", [("26天来", D(2024, 9, 4), D(2024, 9, 30))]),
    ("2024年8月下旬至10月中旬，县委第六巡察组开展巡察。整改", [("2024年8月下旬至10月中旬", D(2024, 8, 21), D(2024, 10, 20))]),
    ("5月下旬至8月中旬选派干部。整改", [("5月下旬至8月中旬", D(2024, 5, 21), D(2024, 8, 20))]),
    ("对2022年度至2024年度支出开展核查。整改", [("2022年度至2024年度", D(2022, 1, 1), D(2024, 12, 31))]),
    ("2018年11月26日——2019年1月26日，市委巡察组开展巡察。整改", [("2018年11月26日——2019年1月26日", D(2018, 11, 26), D(2019, 1, 26))]),
    ("5月20日上午，召开推进会。整改", [("5月20日", D(2024, 5, 20), D(2024, 5, 20))]),  # a part of the day alone is left out
    ("今天是：2019年10月31日 星期四\n整改", [("2019年10月31日", D(2019, 10, 31), D(2019, 10, 31))]),
])
def test_relative_forms_resolve_against_the_notice_date(parse, text, expected):
    assert dates(parse(text, D(2024, 9, 30))) == expected


@pytest.mark.parametrize("text, expected", [
    # page time stamps written day first, or with the year apart from the month and day
    ("扶贫审计整改\n\n31.07.2017  14:01\n\n整改", [("31.07.2017  14:01", D(2017, 7, 31), D(2017, 7, 31))]),
    ("正文\n2021 10/23 20:38\n来源: 日报", [("2021 10/23 20:38", D(2021, 10, 23), D(2021, 10, 23))]),
    ("环保网\n\n2021\n11/24\n14:07\n文章二维码", [("2021\n11/24\n14:07", D(2021, 11, 24), D(2021, 11, 24))]),
    ("软件版本1.2.2019更新。整改", []),  # d.m.y without a clock time is not taken
])
def test_page_time_stamps(parse, text, expected):
    assert dates(parse(text)) == expected


def test_a_day_first_time_stamp_is_the_publication_date(parse):
    notice = parse("扶贫审计整改\n\n31.07.2017  14:01\n\n今年，省审计厅开展审计。整改")
    assert notice.notice_date == D(2017, 7, 31)
    assert dates(notice)[1] == ("今年", D(2017, 1, 1), D(2017, 12, 31))


@pytest.mark.parametrize("text, notice_date, expected", [
    # a budget year (2024年度) frames no later month-day: the notice's year does
    ("审计署将2024年度审计工作报告反映的问题纳入整改。12月22日，审计长作了报告。", D(2025, 12, 23),
     ("12月22日", D(2025, 12, 22))),
    # without a notice date, the last year that is not a budget year
    ("2025年整改情况公告如下：\n2025年审计厅在2024年度预算执行审计中发现问题。\n截至12月底，已全部整改。", None,
     ("12月底", D(2025, 12, 21))),
    ("针对2016年度中央预算执行审计结果，要求10月底前整改。", None, ("10月底", None)),
    # 今年 without a notice date: what follows is in a year the text does not give
    ("2016年7月，督察组进驻。今年6月7日起开展回头看。截至7月2日，已办结。", None, ("7月2日", None)),
    # the same month-day told again in a later paragraph is the same day
    ("2021年3月1日至4月30日开展巡视。722日，巡视组反馈了意见。\n（一）提高站位。722日巡视反馈会后，区委作了部署。",
     D(2022, 8, 4), ("722日", D(2021, 7, 22))),
])
def test_the_year_a_month_day_takes(parse, text, notice_date, expected):
    last = dates(parse(text, notice_date))[-1]
    assert (last[0], last[1]) == expected


def test_month_day_without_a_year_and_without_a_notice_date_takes_the_texts_year(parse):
    notice = parse("2017年5月，省委巡视组开展巡视。\n6月8日，反馈巡视意见。整改")
    assert notice.notice_date is None
    assert dates(notice)[1] == ("6月8日", D(2017, 6, 8), D(2017, 6, 8))


@pytest.mark.parametrize("text, expected", [
    # the publication date is the fallback notice date (ANNOTATION.md)
    ("首页 > 巡视巡察\n发布时间：2021-03-03 10:26  来源：区纪委\n今年以来，区委巡察组…整改", D(2021, 3, 3)),
    ("关于巡视整改进展情况的通报\n2021-10-23 20:38 来源: 日报\n今年以来…整改", D(2021, 10, 23)),
    ("报社出版\n2020年08月04日\n本报讯 今年以来…整改", D(2020, 8, 4)),
    ("关于巡视集中整改进展情况的通报 (2024-07-26)\n来源: 区委\n整改", D(2024, 7, 26)),
    # a report opens with the day it was given
    ("关于审计查出问题整改情况的报告\n——2024年11月26日在省人大常委会第十三次会议上\n整改", D(2024, 11, 26)),
    # the signature beats the page's time stamp
    ("发布时间：2021-03-03 10:26\n整改情况……\n中共某县委\n2021年2月26日\n", D(2021, 2, 26)),
    # a date followed by more text on its line is an event, not a signature
    ("整改情况……\n2023年7月28日，巡视组反馈了意见，现将整改情况公布", None),
])
def test_notice_date(parse, text, expected):
    assert parse(text).notice_date == expected


def test_relative_dates_resolve_against_the_publication_date(parse):
    notice = parse("发布时间：2021-03-03 10:26\n今年以来，追缴资金3万元。整改")
    assert dates(notice)[1] == ("今年以来", D(2021, 1, 1), D(2021, 3, 3))


@pytest.mark.parametrize("text, expected", [
    ("问责0人，整改", [("PERSON_COUNT", "0人", 0)]),
    ("给予党纪处分0名干部。整改", [("PERSON_COUNT", "0名", 0)]),
    ("追缴资金300 万元。整改", [("MONEY", "300 万元", 3_000_000)]),
    ("清退12.5 万元，整改", [("MONEY", "12.5 万元", 125_000)]),
    ("调账处理金额3,.83万元，整改", [("MONEY", "3,.83万元", None)]),  # garbled by the page: amount, no value
    ("对1名副股长给予诫勉，明确一名班子成员牵头。整改", [("PERSON_COUNT", "1名", 1), ("PERSON_COUNT", "一名", 1)]),
    ("排名较上年提升38名，“五人小组”会议。整改", []),
])
def test_counts_and_amounts(parse, text, expected):
    assert [(e.label, e.text, e.value) for e in parse(text).entities if e.label != "DATE"] == expected


def orgs(notice):
    return [e.text for e in notice.entities if e.label == "ORG"]


@pytest.mark.parametrize("text, expected", [
    # numbered teams, with their term prefix
    ("根据市委统一部署，市委巡视五组于2021年3月开展巡视。", ["市委", "市委巡视五组"]),
    ("十二届南通市委第八轮巡察二组对学校开展巡察。", ["十二届南通市委第八轮巡察二组"]),
    ("区委巡察一组二分组对该校开展了巡察。", ["区委巡察一组二分组"]),
    ("兴宁市委机动巡察一组、县委专项巡察二组开展巡察。", ["兴宁市委机动巡察一组", "县委专项巡察二组"]),
    ("关于十一届市委第九轮巡视整改进展情况", ["十一届市委"]),
    ("第十三届浙江省委第三轮巡视", ["第十三届浙江省委"]),
    # central bodies and teams
    ("根据党中央统一部署，经党中央、国务院批准。", ["党中央", "党中央", "国务院"]),
    ("中央第四环境保护督察组向江西省委反馈督察意见。", ["中央第四环境保护督察组", "江西省委"]),
    ("中央督察组向山东转办信访件。", ["中央督察组"]),
    ("向全国人大常委会报告", ["全国人大常委会"]),
    ("向十四届全国人大常委会第十九次会议作了报告，贯彻全国人大常委会办公厅的通知", ["十四届全国人大常委会", "全国人大常委会办公厅"]),
    ("市政府办公厅印发《办法》，被巡视单位党委（党组）表示将抓好整改。", ["市政府办公厅"]),
    # coordinated bodies written together, verbs glued between names, role titles after names
    ("省委省政府高度重视整改。", ["省委", "省政府"]),
    ("郑州市委高度重视省委巡视整改工作。", ["郑州市委", "省委"]),
    ("镇党委对市委巡察组反馈的问题逐条整改。", ["镇党委", "市委巡察组"]),
    ("民革省委主委出席会议。", ["民革省委"]),
    ("中央巡视组向湖北省委反馈了巡视意见。湖北省委坚决扛起责任。", ["中央巡视组", "湖北省委", "湖北省委"]),
    ("涪陵区在安排部署区委第十一轮巡察反馈时，区委书记专题会研究。", ["区委", "区委"]),
    ("区委第一时间召开常委会会议。", ["区委", "常委会"]),
    ("2021年2月4日，中央巡视组向湖北省委反馈了巡视意见。", ["中央巡视组", "湖北省委"]),
    # a committee joined to a team by 和 is two names; a bare team that points back is none
    ("迅速传达省委和省委巡视组有关要求。", ["省委", "省委巡视组"]),
    ("严格按照省委、市委和巡视组安排部署。", ["省委", "市委"]),
    ("市委第四巡察组到城投公司督查回访。", ["市委第四巡察组", "城投公司"]),
    # verbs before a name are not part of it; a longer role title is cut whole
    ("严格执行省人大常委会审议意见，拟以省委办公厅名义印发。", ["省人大常委会", "省委办公厅"]),
    ("学习领会县委第三巡察组反馈意见，民主生活会暨省委巡视整改专题会。", ["县委第三巡察组", "省委"]),
    ("民建省委副主委、農工黨省委專職副主委出席。", ["民建省委", "農工黨省委"]),
    # a web page's 来源 line names its publisher, wherever else it is named too
    ("来源：青溪在线\n青溪在线1月6日讯 记者从县委了解到", ["青溪在线", "青溪在线", "县委"]),
    ("发布时间：2021-03-03 10:26  来源：青溪信息港\n整改", ["青溪信息港"]),
    ("来源：中央纪委国家监委网站\n整改", ["中央纪委国家监委"]),
    ("来源:\n青溪在线\n【摘要】整改", ["青溪在线"]),
])
def test_organisation_forms(parse, text, expected):
    assert orgs(parse(text)) == expected


def test_an_organisation_with_pinyin_glosses_keeps_them_inside_its_span(parse):
    text = "近日，青溪縣審計(jì)局、縣生態(tài)環(huán)境局(jú)聯合開展檢查。"
    found = [(e.text, e.start, e.end) for e in parse(text).entities if e.label == "ORG"]
    assert found == [("青溪縣審計(jì)局", 3, 13), ("縣生態(tài)環(huán)境局", 14, 31)]


def test_a_bare_audit_office_is_a_name_a_department_keeps_its_stem(parse):
    assert orgs(parse("审计部会同财务审计处整改。")) == ["审计部", "财务审计处"]


def test_a_dispatched_team_is_not_cut_into_national_bodies(parse):
    found = orgs(parse("主动接受中央纪委国家监委驻青溪能源集团有限公司纪检监察组监督"))
    assert not {"中央纪委", "国家监委", "中央纪委国家监委"} & set(found)


@pytest.mark.parametrize("text, expected", [
    # the inspector's first mention; the period and the feedback from the sentence that tells them
    ("关于市委第六巡察组巡察反馈意见整改进展情况的通报\n2024年4月8日至6月7日，市委第六巡察组对局党组开展了巡察。"
     "2024年6月27日，市委第六巡察组向局党组反馈了巡察意见。",
     ("市委第六巡察组", D(2024, 4, 8), D(2024, 6, 7), D(2024, 6, 27))),
    ("发布时间：2025-02-20 10:00\n2024年8月18日至9月30日，省委巡视七组对我市开展巡视，2025年2月20日反馈了意见。",
     ("省委巡视七组", D(2024, 8, 18), D(2024, 9, 30), D(2025, 2, 20))),
    # a month-day after a range takes the range's later year
    ("2023年10月17日至2024年1月15日，县委第二巡察组开展巡察。3月22日，县委第二巡察组反馈巡察意见。",
     ("县委第二巡察组", D(2023, 10, 17), D(2024, 1, 15), D(2024, 3, 22))),
    # digits that lost their 月 still give the period; several teams: the count phrase
    ("根据市委统一部署，202131日至430日，市委巡视一组对静海区开展了常规巡视。722日，市委巡视一组反馈了意见。",
     ("市委巡视一组", D(2021, 3, 1), D(2021, 4, 30), D(2021, 7, 22))),
    ("2023年8月29日至10月26日，州党委7个巡察组对12个单位开展了巡察。",
     ("7个巡察组", D(2023, 8, 29), D(2023, 10, 26), None)),
    # feedback is given on a day or in a month (its first day): a year, an open period or the
    # inspection range in the feedback sentence is not its date
    ("根据党中央统一部署，2021年5月至7月，中央第七巡视组对学校开展常规巡视，并于2021年9月反馈了巡视情况。",
     ("中央第七巡视组", D(2021, 5, 1), D(2021, 7, 31), D(2021, 9, 1))),
    ("2016年以来，县委第二巡察组对各单位开展巡察，督察组累计反馈问题36个。",
     ("县委第二巡察组", None, None, None)),
    # half-width punctuation (web pages): ';' ends the clause, so an earlier date is not the feedback's
    ("2022年3月1日至4月30日,市委巡察三组对区农业局开展了巡察。2022年4月9日,区农业局并入区农业农村局;市委巡察三组于2022年6月20日反馈了巡察意见。",
     ("市委巡察三组", D(2022, 3, 1), D(2022, 4, 30), D(2022, 6, 20))),
    # a clause about the rectification of fed-back problems does not tell the feedback
    ("2022年3月1日至4月30日，市委巡察三组对区农业局开展了巡察。5月9日，市委巡察三组到区农业局督查巡察反馈问题整改落实情况。",
     ("市委巡察三组", D(2022, 3, 1), D(2022, 4, 30), None)),
    # a month first, the day in a later clause: the day
    ("2022年3月1日至4月30日，市委巡察三组对区农业局开展了巡察。2022年6月，市委巡察三组向区农业局反馈了巡察情况。\n"
     "按照要求，现将整改情况通报如下。2022年6月20日，市委巡察三组向区农业局党组反馈了巡察意见。",
     ("市委巡察三组", D(2022, 3, 1), D(2022, 4, 30), D(2022, 6, 20))),
    # pinyin glosses a page writes after traditional characters: matched without them, kept in the value
    ("2023年5月6日至6月6日，中央第三生態(tài)環(huán)境保護(hù)督察組對(duì)青溪省開展督察。",
     ("中央第三生態(tài)環(huán)境保護(hù)督察組", D(2023, 5, 6), D(2023, 6, 6), None)),
    ("青溪市審計(jì)局對(duì)本局預(yù)算執(zhí)行情況進(jìn)行了審計(jì)。", ("青溪市審計(jì)局", None, None, None)),
    ("2023年5月6日至6月6日，3個省生態(tài)環(huán)保督察組分別進駐青溪、白沙、石門三市。",
     ("3個省生態(tài)環(huán)保督察組", D(2023, 5, 6), D(2023, 6, 6), None)),
    # a bare audit office is the auditing body (the notice's own audit department or its authority)
    ("会上，审计处通报了专项审计查出的问题。", ("审计处", None, None, None)),
    # an unnumbered team mentioned first gives way to the team the sentence with the period names
    ("区农业局党组高度重视区委巡察组反馈意见。2023年3月1日至4月30日，十届区委机动巡察二组对区农业局党组开展了巡察。",
     ("十届区委机动巡察二组", D(2023, 3, 1), D(2023, 4, 30), None)),
    # a committee the text tells inspected is the body; one whose inspection fed back, when no team is named
    ("学校党委于2023年5月11日至20日对化工学院开展了巡察工作。", ("学校党委", D(2023, 5, 11), D(2023, 5, 20), None)),
    ("2022年3月至5月，八届市委对市教育局等9个党组织开展了第三轮巡察。", ("八届市委", D(2022, 3, 1), D(2022, 5, 31), None)),
    ("会议指出，学校党委巡察反馈意见指出了学院存在的问题。", ("学校党委", None, None, None)),
    ("区委巡视整改落实工作领导小组召开会议，听取区委巡视整改工作汇报。", (None, None, None, None)),
    ("关于县委巡察反馈意见整改进展情况的通报\n2023年9月4日至11月3日，县委第二巡察组对县林业局党组开展了常规巡察。",
     ("县委第二巡察组", D(2023, 9, 4), D(2023, 11, 3), None)),
    # coordinated committees share the team: the body is the whole phrase
    ("各地紧紧围绕中央、省委生态环境保护督察组的反馈问题抓整改。", ("中央、省委生态环境保护督察组", None, None, None)),
    # a provincial team without a number; a date before the inspection began is not its feedback
    # (8月15日 takes the year 2021 the sentence before writes)
    ("2024年6月3日至6月28日，省生态环境保护督察组对青溪县开展了督察，重点检查2021年首轮督察问题整改情况。"
     "8月15日，省生态环境保护督察组向青溪县委反馈了督察意见。",
     ("省生态环境保护督察组", D(2024, 6, 3), D(2024, 6, 28), None)),
    # a year leading the clause that tells the inspection is its period when no range is written
    ("2019年，青溪县委巡察组对白沙、石门2个乡镇开展了专项巡察。", ("青溪县委巡察组", D(2019, 1, 1), D(2019, 12, 31), None)),
    # a date things are counted up to (截至) is neither the period nor the feedback
    ("审计署推动整改。截至2025年9月底，审计署督促整改问题金额1万亿元，中央第五巡视组反馈的问题已整改。",
     ("审计署", None, None, None)),
    # no team named: the line after a news lead tells the inspection with its period
    ("青溪网3月2日讯 近日，12家单位公布了巡视整改进展情况。\n"
     "根据中央统一部署，2022年4月至6月，中央第九轮巡视对12家单位党组织开展了常规巡视，并于2022年8月反馈了巡视意见。",
     (None, D(2022, 4, 1), D(2022, 6, 30), D(2022, 8, 1))),
    # the feedback told where the team is named again, sentences after the period
    ("2023年3月1日至4月30日，市委第六巡察组对区林业局开展了巡察。巡察期间召开了见面会。巡察组听取了汇报。"
     "巡察组开展了个别谈话。巡察组调阅了资料。2023年6月20日，市委第六巡察组向区林业局党组反馈了巡察意见。",
     ("市委第六巡察组", D(2023, 3, 1), D(2023, 4, 30), D(2023, 6, 20))),
    # a clause that tells the publication of the feedback does not tell the feedback
    ("根据中央统一部署，2022年4月至6月，中央第九巡视组对青溪省开展了常规巡视。"
     "2023年1月30日，中央第九巡视组对12个巡视对象的反馈情况进行集中公布。",
     ("中央第九巡视组", D(2022, 4, 1), D(2022, 6, 30), None)),
    # an audit: the auditing body; a whole year is no inspection period
    ("关于2021年度市级预算执行审计查出问题整改情况的报告\n市审计局对2021年度预算执行情况进行了审计。",
     ("市审计局", None, None, None)),
])
def test_inspection_facts(parse, text, expected):
    n = parse(text)
    assert (n.inspection_body, n.inspection_start, n.inspection_end, n.feedback_date) == expected


@pytest.mark.parametrize("text, expected", [
    # a month-day that would lie after the notice date is a past event of the year before...
    ("9月14日，召开巡视整改推进会。整改", ("9月14日", D(2020, 9, 14))),
    # ...unless it is a deadline
    ("9月14日前完成全部整改。整改", ("9月14日", D(2021, 9, 14))),
])
def test_month_days_after_the_notice_date(parse, text, expected):
    first = dates(parse(text, D(2021, 2, 8)))[0]
    assert (first[0], first[1]) == expected
