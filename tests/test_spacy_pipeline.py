"""The parse as spaCy components: Doc in, Doc out; records and spans convert without loss."""
import datetime as dt

import pytest
from spacy import displacy

from pipeline.spans import from_span, to_span
from pipeline.types import Entity, Group, Item, Measure

NOTICE = ("中共青溪县财政局党组关于巡察整改进展情况的通报\n"
          "根据县委统一部署，2024年3月1日至4月30日，县委第一巡察组对县财政局党组开展了常规巡察。"
          "2024年5月20日，县委第一巡察组反馈了巡察意见。\n"
          "一、反馈问题整改情况\n"
          "1.财务制度不健全。\n整改情况：修订《青溪县财政局财务管理办法》；追缴违规资金3.5万元；问责2人。\n整改结果：已完成。\n"
          "中共青溪县财政局党组\n2024年9月30日\n")

EXPECTED_PIPES = ["rectify_matching_text", "rectify_notice_date", "rectify_dates", "rectify_money",
                  "rectify_person_counts", "rectify_doc_titles", "rectify_doc_numbers", "rectify_orgs", "rectify_ner",
                  "rectify_overlaps", "rectify_structure", "rectify_measure_labels", "rectify_facts"]


@pytest.fixture(scope="module")
def nlp():
    from pipeline.parse import load_nlp
    return load_nlp(ner=None, classifier=None)


@pytest.fixture(scope="module")
def doc(nlp):
    return nlp(NOTICE)


def test_pipeline_order_and_config(nlp):
    assert nlp.pipe_names == EXPECTED_PIPES
    assert nlp.get_pipe_config("rectify_dates") == {"factory": "rectify_dates", "spans_key": "rule_entities"}
    analysis = nlp.analyze_pipes()
    assert analysis["problems"] == {name: [] for name in EXPECTED_PIPES}


def test_loaded_once_per_configuration(nlp):
    from pipeline.parse import load_nlp
    assert load_nlp(ner=None, classifier=None) is nlp


def test_doc_in_doc_out(doc):
    assert doc.text == NOTICE
    assert doc._.notice_date == dt.date(2024, 9, 30)
    assert doc._.inspection_body == "县委第一巡察组"
    assert (doc._.inspection_start, doc._.inspection_end) == (dt.date(2024, 3, 1), dt.date(2024, 4, 30))
    assert doc._.feedback_date == dt.date(2024, 5, 20)
    money = [e for e in doc.ents if e.label_ == "MONEY"]
    assert [(e.text, e._.value, e._.currency) for e in money] == [("3.5万元", 35000.0, "CNY")]
    people = [e for e in doc.ents if e.label_ == "PERSON_COUNT"]
    assert [(e.text, e._.value) for e in people] == [("2人", 2)]
    assert [e.text for e in doc.ents if e.label_ == "DOC_TITLE"] == ["青溪县财政局财务管理办法"]
    assert [(s.text, s._.status) for s in doc.spans["items"]][0][1] == "completed"
    assert [(s.text, s._.labels) for s in doc.spans["measures"]] == [
        ("修订《青溪县财政局财务管理办法》", ["institution_building"]),
        ("追缴违规资金3.5万元", ["fund_recovery"]),
        ("问责2人", ["accountability"])]


def test_given_notice_date_wins(nlp):
    doc = nlp.make_doc("今年以来，追缴资金3万元。整改")
    doc._.notice_date = dt.date(2021, 6, 1)
    doc = nlp(doc)
    date = [e for e in doc.ents if e.label_ == "DATE"][0]
    assert (date.text, date._.start_date, date._.end_date) == ("今年以来", dt.date(2021, 1, 1), dt.date(2021, 6, 1))


def test_parser_records_equal_doc_spans(doc):
    from pipeline.parse import notice_from_doc
    notice = notice_from_doc(doc)
    assert [(e.start, e.end, e.label) for e in notice.entities] == [
        (s.start_char, s.end_char, s.label_) for s in doc.spans["entities"]]
    assert [(e.start_char, e.end_char) for e in doc.ents] == [(e.start, e.end) for e in notice.entities]
    assert all(NOTICE[m.start:m.end] == m.text for m in notice.measures)


@pytest.mark.parametrize("record", [
    Entity(3, 9, "MONEY", "", value=35000.0, currency="CNY", approx=False, source="rule:money"),
    Entity(0, 4, "DATE", "", start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)),
    Item(number="28①", group_index=2, problem="问题", problem_start=1, problem_end=3, start=1, end=20,
         status="partially_completed", status_text="阶段性完成", status_source="explicit", parent_number="28"),
    Group(number="一", title="标题", start=0, end=30, section="集中整改", section_status="completed"),
    Measure(start=5, end=12, text="", item_index=0, labels=["accountability"],
            probabilities={"accountability": 0.9}, keyword_labels=["accountability"], label_source="classifier"),
])
def test_records_round_trip_through_spans(nlp, record):
    doc = nlp.make_doc("〇" * 40)
    if hasattr(record, "text"):
        record.text = doc.text[record.start:record.end]
    assert from_span(type(record), to_span(doc, record)) == record


def test_displacy_renders_our_doc(doc):
    html = displacy.render(doc, style="ent", page=False)
    assert html.count("<mark") == len(doc.ents)
    assert "3.5万元" in html and "MONEY" in html
    import html as html_lib
    import re
    plain = re.sub(r"<span[^>]*>[^<]*</span>", "", html)  # drop the label tags
    plain = html_lib.unescape(re.sub(r"<[^>]+>", "", plain))
    assert re.sub(r"\s", "", plain) == re.sub(r"\s", "", doc.text)  # characters as in the text, in order


def test_label_measures_api():
    from pipeline.api import label_measures
    labels = label_measures(["追缴违纪资金35.4万元", "修订《差旅费管理办法》", "组织集中学习"])
    assert labels == [["fund_recovery"], ["institution_building"], []]
    [(labels, probabilities)] = label_measures(["对3名责任人诫勉谈话"], with_probabilities=True)
    assert labels == ["accountability"]
    assert set(probabilities) == {"institution_building", "accountability", "fund_recovery"}
    assert probabilities["accountability"] >= 0.5
