"""DOC_NUMBER: document numbers by rule, their values, and no DATE inside them."""
import pytest

from conftest import view
from pipeline.entities.doc_number import DocNumberExtractor


def numbers(text):
    return [(e.text, e.issuer_code, e.year, e.serial) for e in DocNumberExtractor().find(view(text))]


@pytest.mark.parametrize("text, expected", [
    ("印发益高发〔2023〕12号文件", [("益高发〔2023〕12号", "益高发", 2023, "12")]),
    ("根据湘巡改办〔2024〕3号要求", [("湘巡改办〔2024〕3号", "湘巡改办", 2024, "3")]),
    ("按照(2022)100号执行", [("(2022)100号", None, 2022, "100")]),
    ("见[2021]5号", [("[2021]5号", None, 2021, "5")]),
    ("（2023）15号", [("（2023）15号", None, 2023, "15")]),
    ("云市监［2022］第7号", [("云市监［2022］第7号", "云市监", 2022, "7")]),
    ("《规则》（云市监〔2022〕100号），重新制定", [("云市监〔2022〕100号", "云市监", 2022, "100")]),
    ("澄农办〔2023〕15号和澄农发〔2024〕2号", [("澄农办〔2023〕15号", "澄农办", 2023, "15"),
                                        ("澄农发〔2024〕2号", "澄农发", 2024, "2")]),
    # a preposition before the code is not part of it
    ("汇报了对校党字〔2020〕70号文件的落实", [("校党字〔2020〕70号", "校党字", 2020, "70")]),
    # pages that gloss traditional characters in pinyin: the gloss stays in the span, not the code
    ("《報(bào)告》(審企調(diào)報(bào)〔2022〕5號(hào))", [("審企調(diào)報(bào)〔2022〕5號", "審企調報", 2022, "5")]),
    ("根據(jù)審報〔2022〕3號文要求", [("審報〔2022〕3號", "審報", 2022, "3")]),
])
def test_document_number_forms(text, expected):
    assert numbers(text) == expected


@pytest.mark.parametrize("text", [
    "2023年12月5日",          # a date
    "〔2023〕",               # a year in brackets without a serial
    "（2023-2025年）",         # a period in brackets
    "〔2023)12号",            # brackets that do not pair
    "第12号",                 # a serial without a year
    "（1899）12号",            # no plausible year
])
def test_not_document_numbers(text):
    assert numbers(text) == []


@pytest.mark.parametrize("text", ["益高发〔2023〕12号", "(2022)100号", "[2021]5号", "（2023）15号"])
def test_no_date_inside_a_document_number(rules_parser, text):
    parsed = rules_parser.parse(f"根据{text}文件，2024年3月1日完成整改。")
    labels = [(e.label, e.text) for e in parsed.entities]
    assert ("DOC_NUMBER", text) in labels
    assert [t for label, t in labels if label == "DATE"] == ["2024年3月1日"]
    rule_dates = [e for e in rules_parser.parse_doc(f"根据{text}文件").user_data.get("rectify.candidates.rule_entities", [])
                  if e.label == "DATE"]
    assert rule_dates == []  # not even a candidate: the header reads date candidates


def test_doc_number_values_reach_the_gold_format():
    from pipeline.annotation.gold_validation import validate
    from pipeline.errors import AnnotationError
    text = "见益高发〔2023〕12号"
    rec = {"id": "d1", "source": "x.txt", "origin": "written", "notice_date": None, "text": text,
           "entities": [{"start": 1, "end": 13, "label": "DOC_NUMBER", "text": text[1:],
                         "issuer_code": "益高发", "year": 2023, "serial": "12"}]}
    g = validate(rec)
    assert g.entities[0].values() == {"issuer_code": "益高发", "year": 2023, "serial": "12"}
    rec["entities"][0].update(year="2023", issuer_code="湘")
    with pytest.raises(AnnotationError) as err:
        validate(rec)
    assert len(err.value.problems) == 2


def test_doc_number_is_rules_only():
    from pipeline.entities.ner import NerParams
    from pipeline.entities.overlaps import MODEL_LABELS
    assert "DOC_NUMBER" not in NerParams().labels and "DOC_NUMBER" not in MODEL_LABELS
