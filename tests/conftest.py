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


# A notice we write whose text carries markup: the report must show it as text, never run it.
MARKUP_NOTICE = (
    "中共青溪县审计局党组关于巡察整改进展情况的通报\n"
    "根据县委统一部署，2024年3月1日至4月30日，县委第一巡察组对县审计局党组开展了常规巡察。\n"
    "一、反馈问题整改情况\n"
    "1.财务制度不健全<img src=x onerror=alert(1)>。\n"
    "整改情况：修订《青溪县审计局财务管理办法》；追缴违规资金3.5万元；对2名干部诫勉谈话 & 通报</script><b>x</b>。\n"
    "整改结果：已完成。\n"
    "中共青溪县审计局党组\n2024年9月30日\n")
EXTRACT_SAMPLE = (YIYANG, HUAIHUA, CORPUS / "written" / "c-heshui-town-2024-05-09.txt",
                  CORPUS / "written" / "a-chengzhou-public-security-2024-06-14.txt")


@pytest.fixture(scope="session")
def extract_output(tmp_path_factory):
    """A real extract run (trained models, as ``make extract``) over a few of our notices.

    Returns the folder that holds ``output/`` (the extract's --out), so that the README's
    queries, written against ``output/``, run there unchanged.
    """
    import shutil

    from pipeline.api import NoticeParser
    from pipeline.tables.run import extract_folder
    root = tmp_path_factory.mktemp("extract")
    notices = root / "notices"
    notices.mkdir()
    for path in EXTRACT_SAMPLE:
        shutil.copy(path, notices / path.name)
    (notices / "x-markup.txt").write_text(MARKUP_NOTICE, encoding="utf-8")
    summary = extract_folder(notices, root / "output", parser=NoticeParser(build_docs=False))
    assert summary.exit_status == 0
    return root


@pytest.fixture(scope="session")
def report_site(extract_output, tmp_path_factory):
    """``python -m pipeline report`` over :func:`extract_output`, built once for the report tests."""
    from pipeline.cli import main
    out = tmp_path_factory.mktemp("report") / "site"
    assert main(["report", str(extract_output / "output"), "--html", str(out)]) == 0
    return out
