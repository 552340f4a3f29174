import datetime as dt
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
YIYANG = CORPUS / "yiyang-hitech-2023-12-05.txt"
HUAIHUA = CORPUS / "huaihua-hitech-2023-12-18.txt"


@pytest.fixture(scope="session")
def rules_parser():
    from pipeline.api import NoticeParser
    return NoticeParser(ner=None, classifier=None)


@pytest.fixture(scope="session")
def yiyang(rules_parser):
    return rules_parser.parse(YIYANG.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def huaihua(rules_parser):
    return rules_parser.parse(HUAIHUA.read_text(encoding="utf-8"))


def view(text, notice_date=dt.date(2023, 12, 5)):
    from pipeline.entities.view import TextView
    from pipeline.read.textnorm import matching_text
    return TextView(text, matching_text(text), notice_date)
