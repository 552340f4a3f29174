"""The real development set's storage: offsets-only gold, texts in an ignored cache, status."""
import datetime as dt
import hashlib
import json

import pytest

from pipeline.annotation import real_set
from pipeline.evaluation.real import header_scores

TEXT = ("首页 > 巡视巡察\n发布时间：2024-05-09 16:02\n"
        "2024年3月1日至4月30日，县委第一巡察组对县财政局开展了巡察。追缴资金3万元，问责2人。")


def write_page(folder, pid="r000000000001", text=TEXT, **over):
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    (folder / "drafts").mkdir(parents=True, exist_ok=True)
    (folder / "texts" / f"{pid}.txt").write_text(text, encoding="utf-8")
    draft = {"id": pid, "url": f"http://example.test/{pid}", "query": "巡察整改", "helper": "t",
             "sha256": hashlib.sha256(text.encode()).hexdigest(), "province": "某省", "level": "county",
             "genre": "xuncha_rectification", "year": 2024, "notice_date": "2024-05-09",
             "header": {"inspection_body": "县委第一巡察组", "inspection_start": "2024-03-01",
                        "inspection_end": "2024-04-30", "feedback_date": None, "publication_date": "2024-05-09"},
             "entities": [["DATE", "2024-05-09 16:02", "2024-05-09", "2024-05-09"],
                          ["DATE", "2024年3月1日至4月30日", "2024-03-01", "2024-04-30"],
                          ["ORG", "县委第一巡察组"], ["ORG", "县财政局"],
                          ["MONEY", "3万元", 30000, "CNY", False], ["PERSON_COUNT", "2人", 2]],
             "measures": [["追缴资金3万元", ["fund_recovery"]], ["问责2人", ["accountability"]]]}
    draft.update(over)
    (folder / "drafts" / f"{pid}.json").write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    return draft


def test_build_writes_offsets_only_and_loads_back(tmp_path):
    write_page(tmp_path)
    assert real_set.build_gold(tmp_path) == (1, {})
    stored = (tmp_path / "gold.jsonl").read_text(encoding="utf-8")
    assert "县财政局" not in stored and "追缴" not in stored  # no third-party text in the gold
    rows = (tmp_path / "sources.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0].split("\t") == list(real_set.SOURCE_COLUMNS)
    [doc] = real_set.load_real(tmp_path)
    notice = doc.notice()
    assert [(e.label, e.text) for e in notice.entities][2:4] == [("ORG", "县委第一巡察组"), ("ORG", "县财政局")]
    assert [(m.text, m.labels) for m in notice.measures] == [("追缴资金3万元", ["fund_recovery"]),
                                                             ("问责2人", ["accountability"])]
    assert doc.inspection_body == "县委第一巡察组"
    assert doc.notice_date == dt.date(2024, 5, 9)


def test_status_names_missing_and_changed_texts(tmp_path):
    write_page(tmp_path, "r000000000001")
    write_page(tmp_path, "r000000000002")
    write_page(tmp_path, "r000000000003")
    real_set.build_gold(tmp_path)
    (tmp_path / "texts" / "r000000000002.txt").unlink()
    (tmp_path / "texts" / "r000000000003.txt").write_text(TEXT + "。", encoding="utf-8")
    assert real_set.status(tmp_path) == {"present": ["r000000000001"], "missing": ["r000000000002"],
                                         "changed": ["r000000000003"]}
    docs = real_set.load_real(tmp_path)
    assert [d.text is not None for d in docs] == [True, False, False]
    with pytest.raises(real_set.AnnotationError, match="r000000000002"):
        docs[1].notice()


@pytest.mark.parametrize("entities, problem", [
    ([["ORG", "县财政厅"]], "not found"),
    ([["ORG", "县财政局"], ["ORG", "县委第一巡察组"]], "not found"),  # out of text order
    ([["MONEY", "3万元", "30000", "CNY", False]], "bad money values"),
    ([["PERSON_COUNT", "2人"]], "takes 1 values"),
])
def test_draft_problems_are_named_and_the_page_is_not_written(tmp_path, entities, problem):
    write_page(tmp_path, entities=entities)
    written, problems = real_set.build_gold(tmp_path)
    assert written == 0
    assert any(problem in p for p in problems["r000000000001"])


def test_header_scores_count_empty_gold_values(tmp_path):
    write_page(tmp_path)
    real_set.build_gold(tmp_path)
    [doc] = real_set.load_real(tmp_path)

    class Parsed:
        inspection_body, inspection_start, inspection_end = "县委第一巡察组", dt.date(2024, 3, 1), dt.date(2024, 4, 30)
        feedback_date, notice_date = dt.date(2024, 5, 1), dt.date(2024, 5, 9)

    scores = header_scores([doc], [Parsed()])
    assert {k: v["accuracy"] for k, v in scores.items()} == {
        "inspection_body": 1.0, "inspection_period": 1.0, "feedback_date": 0.0, "notice_date": 1.0}
    assert scores["feedback_date"]["n_stated"] == 0


def test_the_committed_sources_and_gold_agree():
    """Every committed gold page has its source row, and no text is committed."""
    sources = real_set.read_sources()
    gold = [json.loads(line) for line in (real_set.REAL_DIR / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(gold) == len(sources) >= 120
    assert {g["id"] for g in gold} == set(sources)
    assert all(g["sha256"] == sources[g["id"]]["sha256"] for g in gold)
    assert len({s["province"] for s in sources.values()}) >= 15
    assert all(set(g) == {"id", "sha256", "notice_date", "header", "entities", "measures"} for g in gold)
    assert all("text" not in e for g in gold for e in g["entities"])


TWICE = "县委第一巡察组反馈意见后，县财政局整改。县财政局追缴资金3万元，依据县财〔2024〕7号文件。"


def test_drafts_from_the_gold_build_the_same_gold(tmp_path):
    """gold -> drafts -> gold is the identity, also for a snippet that stands twice (the second is
    annotated: the draft row says where) and for a document number's values."""
    write_page(tmp_path, text=TWICE, header={"inspection_body": "县委第一巡察组", "inspection_start": None,
                                             "inspection_end": None, "feedback_date": None, "publication_date": None},
               entities=[["ORG", "县委第一巡察组"], ["ORG", "县财政局", {"start": 20}], ["MONEY", "3万元", 30000, "CNY", False],
                         ["DOC_NUMBER", "县财〔2024〕7号", "县财", 2024, "7"]],
               measures=[["县财政局追缴资金3万元", ["fund_recovery"]]])
    assert real_set.build_gold(tmp_path) == (1, {})
    gold = (tmp_path / "gold.jsonl").read_bytes()
    sources = (tmp_path / "sources.tsv").read_bytes()
    [row] = [json.loads(gold)]
    assert [(e["start"], e["end"]) for e in row["entities"]] == [(0, 7), (20, 24), (28, 31), (34, 44)]
    assert row["entities"][3] == {"start": 34, "end": 44, "label": "DOC_NUMBER", "issuer_code": "县财",
                                  "year": 2024, "serial": "7"}
    (tmp_path / "drafts" / "r000000000001.json").unlink()
    assert real_set.write_drafts(tmp_path) == (["r000000000001"], [])
    draft = json.loads((tmp_path / "drafts" / "r000000000001.json").read_text(encoding="utf-8"))
    assert draft["entities"][1] == ["ORG", "县财政局", {"start": 20}]
    assert draft["entities"][2] == ["MONEY", "3万元", 30000.0, "CNY", False]
    assert draft["measures"] == [["县财政局追缴资金3万元", ["fund_recovery"]]]
    assert real_set.build_gold(tmp_path) == (1, {})
    assert (tmp_path / "gold.jsonl").read_bytes() == gold
    assert (tmp_path / "sources.tsv").read_bytes() == sources


def test_a_start_hint_that_does_not_hold_is_a_problem(tmp_path):
    write_page(tmp_path, entities=[["ORG", "县财政局", {"start": 3}]])
    written, problems = real_set.build_gold(tmp_path)
    assert written == 0 and problems["r000000000001"] == ["entity 0 ORG '县财政局': not found after offset 0 at 3"]


def test_build_keeps_the_pages_without_a_draft_and_needs_drafts(tmp_path):
    write_page(tmp_path, "r000000000001")
    write_page(tmp_path, "r000000000002")
    real_set.build_gold(tmp_path)
    before = (tmp_path / "gold.jsonl").read_bytes()
    (tmp_path / "drafts" / "r000000000001.json").unlink()
    write_page(tmp_path, "r000000000002", measures=[["问责2人", ["accountability"]]])
    assert real_set.build_gold(tmp_path) == (1, {})
    after = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [g["id"] for g in after] == ["r000000000001", "r000000000002"]
    assert json.dumps(after[0], ensure_ascii=False, sort_keys=True) + "\n" == \
        before.decode("utf-8").splitlines(keepends=True)[0]  # no draft: its row as it was
    assert len(after[1]["measures"]) == 1
    write_page(tmp_path, "r000000000002", entities=[["ORG", "县财政厅"]])  # a broken draft changes nothing
    kept = (tmp_path / "gold.jsonl").read_bytes()
    assert real_set.build_gold(tmp_path)[0] == 0
    assert (tmp_path / "gold.jsonl").read_bytes() == kept
    for draft in (tmp_path / "drafts").iterdir():
        draft.unlink()
    with pytest.raises(real_set.AnnotationError, match="no drafts"):
        real_set.build_gold(tmp_path)
    assert (tmp_path / "gold.jsonl").read_bytes() == kept


def test_write_drafts_keeps_an_annotators_draft(tmp_path):
    write_page(tmp_path)
    real_set.build_gold(tmp_path)
    mine = (tmp_path / "drafts" / "r000000000001.json").read_bytes()
    assert real_set.write_drafts(tmp_path, ["r000000000001"]) == ([], ["r000000000001"])
    assert (tmp_path / "drafts" / "r000000000001.json").read_bytes() == mine
    assert real_set.write_drafts(tmp_path, ["r000000000001"], force=True) == (["r000000000001"], [])
    with pytest.raises(real_set.AnnotationError, match="no page r9"):
        real_set.write_drafts(tmp_path, ["r9"])


@pytest.mark.parametrize("action", ["build", "status"])
def test_cli_real_takes_page_ids_only_for_drafts(action, capsys):
    from pipeline.cli import main
    gold = (real_set.REAL_DIR / "gold.jsonl").read_bytes()
    assert main(["real", action, "r000000000001"]) == 2
    assert capsys.readouterr().err == f"error: real {action} takes no page ids (only `real drafts ID...` does)\n"
    assert (real_set.REAL_DIR / "gold.jsonl").read_bytes() == gold
