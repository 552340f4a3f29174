"""The whole path: corpus files → parquet tables, read back with pandas and pyarrow."""
import csv
import datetime as dt
import shutil
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import CORPUS, HUAIHUA, REPO, YIYANG
from pipeline.tables.run import extract_folder
from pipeline.tables.schema import SCHEMAS, TABLE_ORDER
from pipeline.tables.store import part_files

with (CORPUS / "metadata.csv").open(encoding="utf-8") as _handle:
    METADATA = list(csv.DictReader(_handle))


@pytest.fixture(scope="module")
def tables(tmp_path_factory, rules_parser):
    out = tmp_path_factory.mktemp("out")
    summary = extract_folder(CORPUS, out, parser=rules_parser)
    assert summary.failed == 0 and summary.parsed == len(METADATA) >= 13
    return out, {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLE_ORDER}


def test_tables_match_declared_schemas(tables):
    out, frames = tables
    for name in TABLE_ORDER:
        parts = part_files(out, name)
        assert [p.name for p in parts] == ["part-000001.parquet"]  # 51 files: one batch
        for part in parts:
            assert pq.read_schema(part).names == [c.name for c in SCHEMAS[name]]


def test_notices_table(tables):
    _, t = tables
    notices = t["notices"].set_index("source_path")
    yiyang = notices.loc["yiyang-hitech-2023-12-05.txt"]
    assert yiyang.origin == "real" and yiyang.n_groups == 12 and yiyang.n_items == 31
    assert yiyang.notice_date == dt.date(2023, 12, 5)
    assert yiyang.inspection_body == "省委第八巡视组"
    assert (notices.origin == "written").sum() == sum(row["origin"] == "written" for row in METADATA) >= 11
    assert (notices.origin == "real").sum() == 2
    huaihua = notices.loc["huaihua-hitech-2023-12-18.txt"]
    assert (huaihua.n_groups, huaihua.n_items, huaihua.feedback_date) == (11, 21, dt.date(2023, 7, 20))


def test_money_recovered_in_its_measure(tables):
    _, t = tables
    notice_id = t["notices"].set_index("source_path").loc["yiyang-hitech-2023-12-05.txt", "notice_id"]
    money = t["entities"].query("notice_id == @notice_id and label == 'MONEY' and text == '35.4万元'")
    assert list(money.value) == [354000.0, 354000.0] and set(money.currency) == {"CNY"}
    first = money.iloc[0]
    measure = t["measures"].set_index("measure_id").loc[first.measure_id]
    assert measure.text == "为亲友牟利专项整治，目前已党纪处分2人，立案2人，追缴违纪资金35.4万元，问责7人"
    assert measure.fund_recovery and measure.accountability and "fund_recovery" in list(measure.labels)
    item = t["items"].set_index("item_id").loc[first.item_id]
    assert item.item_number == "4" and item.status == "completed"
    text = t["notices"].set_index("notice_id").loc[notice_id, "text"]
    assert text[first.start:first.end] == "35.4万元"


def test_every_row_points_back_to_its_text(tables):
    _, t = tables
    texts = t["notices"].set_index("notice_id").text
    for name in ("measures", "entities"):
        for row in t[name].itertuples():
            assert texts[row.notice_id][row.start:row.end] == row.text
    statuses = t["items"].groupby("notice_id").status.value_counts()
    yiyang_id = t["notices"].set_index("source_path").loc["yiyang-hitech-2023-12-05.txt", "notice_id"]
    top = t["items"].query("notice_id == @yiyang_id and parent_number.isna()")
    assert top.status.value_counts().to_dict() == {"partially_completed": 18, "completed": 13}
    assert len(statuses) > 0


def test_rerun_is_idempotent_and_incremental(tmp_path, rules_parser):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(YIYANG, corpus)
    out = tmp_path / "out"
    first = extract_folder(corpus, out, parser=rules_parser)
    before = {n: pd.read_parquet(out / f"{n}.parquet") for n in TABLE_ORDER}
    again = extract_folder(corpus, out, parser=rules_parser)
    assert (first.parsed, again.parsed, again.reused) == (1, 0, 1)
    after = {n: pd.read_parquet(out / f"{n}.parquet") for n in TABLE_ORDER}
    for name in TABLE_ORDER:
        pd.testing.assert_frame_equal(before[name], after[name])
    shutil.copy(HUAIHUA, corpus)
    third = extract_folder(corpus, out, parser=rules_parser)
    assert (third.parsed, third.reused, third.notices) == (1, 1, 2)
    notices = pd.read_parquet(out / "notices.parquet")
    assert sorted(notices.source_path) == ["huaihua-hitech-2023-12-18.txt", "yiyang-hitech-2023-12-05.txt"]
    # A removed file's rows stay until --prune.
    (corpus / HUAIHUA.name).unlink()
    extract_folder(corpus, out, parser=rules_parser)
    assert len(pd.read_parquet(out / "notices.parquet")) == 2
    extract_folder(corpus, out, parser=rules_parser, prune=True)
    assert list(pd.read_parquet(out / "notices.parquet").source_path) == ["yiyang-hitech-2023-12-05.txt"]


def test_changed_file_replaces_its_rows(tmp_path, rules_parser):
    corpus = tmp_path / "in"
    corpus.mkdir()
    target = corpus / "notice.txt"
    target.write_text(HUAIHUA.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    extract_folder(corpus, out, parser=rules_parser)
    old_id = pd.read_parquet(out / "notices.parquet").notice_id.item()
    target.write_text(HUAIHUA.read_text(encoding="utf-8").replace("问责处理", "问责处理。追缴资金12万元"), encoding="utf-8")
    extract_folder(corpus, out, parser=rules_parser)
    notices = pd.read_parquet(out / "notices.parquet")
    assert len(notices) == 1 and notices.notice_id.item() != old_id
    assert old_id not in set(pd.read_parquet(out / "entities.parquet").notice_id)


def test_bad_files_are_listed_and_the_batch_goes_on(tmp_path, rules_parser):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(YIYANG, corpus)
    shutil.copy(YIYANG, corpus / "zz-copy-of-yiyang.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "junk.txt").write_bytes(bytes(range(256)) * 20)
    (corpus / "table.xlsx").write_bytes(b"PK\x03\x04")
    summary = extract_folder(corpus, tmp_path / "out", parser=rules_parser)
    manifest = pd.read_parquet(tmp_path / "out" / "manifest.parquet").set_index("path")
    assert manifest.loc["yiyang-hitech-2023-12-05.txt", "status"] == "ok"
    assert manifest.loc["zz-copy-of-yiyang.txt", "status"] == "skipped"
    assert manifest.loc["zz-copy-of-yiyang.txt", "reason"] == "duplicate of yiyang-hitech-2023-12-05.txt"
    assert manifest.loc["empty.txt", "status"] == "failed" and "empty.txt" in manifest.loc["empty.txt", "reason"]
    assert manifest.loc["junk.txt", "status"] == "failed"
    assert manifest.loc["table.xlsx", "status"] == "skipped"
    assert (summary.parsed, summary.failed, summary.exit_status) == (1, 2, 1)


def test_spacy_doc_holds_the_entities(yiyang):
    doc = yiyang.doc
    assert doc.text == yiyang.text
    spans = doc.spans["entities"]
    money = [s for s in spans if s.label_ == "MONEY" and s.text == "35.4万元"]
    assert money and money[0]._.value == 354000.0
    assert len(doc.spans["measures"]) == len(yiyang.measures)
    assert [s.start_char for s in doc.ents] == [e.start for e in yiyang.entities]


def test_cli_help_shows_an_example():
    for command in ("extract", "evaluate", "train", "suggest", "import", "schema"):
        result = subprocess.run([sys.executable, "-m", "pipeline", command, "--help"], cwd=REPO,
                                capture_output=True, text=True, check=True)
        assert "Example:" in result.stdout, command


def test_cli_extract_exit_status_and_summary(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(HUAIHUA, corpus)
    (corpus / "broken.txt").write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(tmp_path / "out"),
                             "--rules-only", "-q"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1
    assert "files read: 2 (parsed 1, unchanged 0, skipped 0, failed 1)" in result.stdout
    assert "FAILED broken.txt" in result.stdout


def test_readme_data_dictionary_is_generated_from_the_schemas():
    from pipeline.tables.schema import data_dictionary
    assert data_dictionary() in (REPO / "README.md").read_text(encoding="utf-8")


def test_cli_suggest_writes_label_studio_tasks_for_new_notices_only(tmp_path):
    import json
    corpus = tmp_path / "in"
    corpus.mkdir()
    # A notice that is in no annotation file: a real one with its figures changed.
    (corpus / "new.txt").write_text(HUAIHUA.read_text(encoding="utf-8").replace("153.4亿元", "98.1亿元"),
                                    encoding="utf-8")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "-q"],
                   cwd=REPO, check=True, capture_output=True)
    tasks_path = tmp_path / "tasks.json"
    result = subprocess.run([sys.executable, "-m", "pipeline", "suggest", "4", "--tables", str(out),
                             "--out", str(tasks_path)], cwd=REPO, capture_output=True, text=True, check=True)
    assert "wrote 4 Label Studio task(s)" in result.stdout
    tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    measures = pd.read_parquet(out / "measures.parquet").set_index("measure_id")
    for task in tasks:
        row = measures.loc[task["data"]["measure_id"]]
        assert task["data"]["text"] == row.text
        assert task["predictions"][0]["result"] == [] or task["predictions"][0]["result"][0]["type"] == "choices"


def test_readme_python_example_runs_and_its_comments_are_true(monkeypatch):
    import datetime
    import re
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    monkeypatch.chdir(REPO)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    notice = namespace["notice"]
    assert (notice.notice_date, notice.inspection_body) == (datetime.date(2023, 12, 5), "省委第八巡视组")
    assert [(i.number, i.status) for i in notice.items][:2] == [("1", "completed"), ("2", "completed")]
    money = [(e.text, e.label, e.value) for e in notice.entities if e.label == "MONEY"][0]
    assert money == ("35.4万元", "MONEY", 354000.0)
    assert namespace["labels"] == [["fund_recovery"], ["institution_building"]]
    rules_doc = namespace["doc"]  # rules only: every DATE and MONEY of the notice is found by rules
    assert [e.text for e in rules_doc.ents if e.label_ == "MONEY"] == [
        e.text for e in notice.entities if e.label == "MONEY"]
