"""The measure classifier: determinism, safe persistence, the retraining gate, active learning."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from pipeline.measures import classifier as C
from pipeline.measures.features import JiebaTokenizer
from pipeline.training.classifier import cross_validate
from pipeline.measures.classifier import ALLOWED_TYPES, CARD_FILE, LABELS, MODEL_FILE, MeasureClassifier, load_model_file
from pipeline.annotation.measure_labels import ImportedMeasure, import_measure_labels, merge_measure_labels, suggest_uncertain
from pipeline.measures.features import JiebaTokenizer
from pipeline.training.classifier import compare_scores, train_and_evaluate
from pipeline.errors import ModelLoadError, PipelineError
from pipeline.measures.components import load_classifier
from pipeline.measures.linear import INFERENCE_FILE, LinearMeasureModel

IB, AC, FR = LABELS
TESTS = Path(__file__).parent
REPO = TESTS.parent
DATA = TESTS / "data" / "measures_small.jsonl"
CONFIG = REPO / "annotations" / "label_studio_measures_config.xml"
# words the domain dictionary might hold; given explicitly so the tests do not depend on it
ENTRIES = ("纪工委监工委", "巡视整改工作领导小组 10 nt")


def rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def small():
    r = rows()
    return [x["text"] for x in r], [x["labels"] for x in r]


@pytest.fixture(scope="module")
def tokenizer():
    return JiebaTokenizer(ENTRIES)


@pytest.fixture(scope="module")
def trained(small, tokenizer):
    texts, labels = small
    return MeasureClassifier(tokenizer=tokenizer).fit(texts, labels)


def write_gold(path: Path, relabel=None, drop: set[str] = frozenset()) -> Path:
    """A gold file in the real format from the small set: one record per corpus notice.

    ``relabel(row) -> labels`` changes labels; ``drop`` leaves measures out by id."""
    by_notice: dict[str, list[dict]] = {}
    for r in rows():
        if r["id"] in drop:
            continue
        labels = relabel(r) if relabel else r["labels"]
        by_notice.setdefault(r["notice_id"], []).append(
            {"start": r["start"], "end": r["end"], "text": r["text"], "labels": labels})
    with open(path, "w", encoding="utf-8") as f:
        for notice_id, measures in sorted(by_notice.items()):
            text = (REPO / "corpus" / f"{notice_id}.txt").read_text(encoding="utf-8")
            record = {"id": notice_id, "source": f"corpus/{notice_id}.txt", "origin": "real",
                      "notice_date": None, "text": text, "entities": [], "items": [],
                      "measures": measures}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture()
def quiet(monkeypatch):
    """Use the test tokenizer everywhere (no dependency on lexicons/domain_dict.txt)."""
    monkeypatch.setattr(JiebaTokenizer, "from_domain_dict", classmethod(lambda cls, path=None: cls(ENTRIES)))


# --------------------------------------------------------------------------- the data


def test_small_set_is_well_formed():
    r = rows()
    assert len(r) >= 60
    assert len({x["id"] for x in r}) == len(r)
    for x in r:
        assert set(x["labels"]) <= set(LABELS) and len(set(x["labels"])) == len(x["labels"])
        text = (REPO / "corpus" / f"{x['notice_id']}.txt").read_text(encoding="utf-8")
        assert text[x["start"]:x["end"]] == x["text"]
    for label in LABELS:
        assert sum(label in x["labels"] for x in r) >= 5, label


# --------------------------------------------------------------------------- the model


def test_predict_proba_shape_and_threshold(trained, small):
    texts, _ = small
    proba = trained.predict_proba(texts[:7])
    assert proba.shape == (7, 3)
    assert np.all((proba >= 0) & (proba <= 1))
    assert trained.predict_proba([]).shape == (0, 3)
    assert trained.predict(texts[:3], threshold=0.0) == [list(LABELS)] * 3
    assert trained.predict(texts[:3], threshold=1.01) == [[]] * 3
    expected = [[l for j, l in enumerate(LABELS) if row[j] >= 0.5] for row in proba]
    assert trained.predict(texts[:7]) == expected


def test_learns_the_training_data(trained, small):
    texts, labels = small
    predicted = trained.predict(texts)
    agree = sum(sorted(p) == sorted(g) for p, g in zip(predicted, labels))
    assert agree / len(texts) > 0.9


def test_training_twice_gives_identical_probabilities(small, tokenizer, trained):
    texts, labels = small
    again = MeasureClassifier(tokenizer=JiebaTokenizer(ENTRIES)).fit(texts, labels)
    probe = texts + ["追缴违纪资金35.4万元。", "制定了《管理办法》。"]
    assert np.array_equal(trained.predict_proba(probe), again.predict_proba(probe))
    assert again.training_hash == trained.training_hash


def test_unknown_label_or_mismatched_lengths_are_refused(tokenizer):
    with pytest.raises(C.TrainingDataError, match="unknown measure label 'sanction'"):
        MeasureClassifier(tokenizer=tokenizer).fit(["问责7人。"], [["sanction"]])
    with pytest.raises(ValueError):
        MeasureClassifier(tokenizer=tokenizer).fit(["问责7人。"], [])
    with pytest.raises(ValueError, match="unknown hyper-parameter"):
        MeasureClassifier({"alpha": 1})


def test_rare_label_falls_back_to_logistic_regression(small, tokenizer):
    texts, labels = small
    seen, rare = 0, []
    for ls in labels:  # keep a single fund_recovery example
        ls = list(ls)
        if FR in ls:
            seen += 1
            if seen > 1:
                ls.remove(FR)
        rare.append(ls)
    clf = MeasureClassifier(tokenizer=tokenizer).fit(texts, rare)
    assert clf.fit_info["estimator"] == "logreg"
    assert clf.predict_proba(texts[:2]).shape == (2, 3)


def test_tokenizer_keeps_global_jieba_untouched():
    import jieba

    word = "巡察整改测试专用词组"
    tok = JiebaTokenizer([word])
    assert word in tok(f"成立了{word}。")
    assert word not in jieba.lcut(f"成立了{word}。")
    assert "，" not in tok("问责7人，追缴资金。")


# --------------------------------------------------------------------------- persistence


def test_save_load_predicts_exactly_the_same(trained, small, tmp_path):
    texts, _ = small
    trained.save(tmp_path / "m", {"note": "test"})
    assert sorted(os.listdir(tmp_path / "m")) == [INFERENCE_FILE, MODEL_FILE, CARD_FILE]
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temp directories left behind
    loaded = MeasureClassifier.load(tmp_path / "m")
    assert np.array_equal(loaded.predict_proba(texts), trained.predict_proba(texts))
    assert loaded.predict(texts) == trained.predict(texts)
    assert loaded.training_hash == trained.training_hash
    assert loaded.threshold == trained.threshold
    tok = loaded.pipeline.named_steps["features"].transformer_list[0][1].tokenizer
    assert isinstance(tok, JiebaTokenizer) and tok.entries == ENTRIES

    card = json.loads((tmp_path / "m" / CARD_FILE).read_text(encoding="utf-8"))
    assert card["labels"] == list(LABELS) and card["threshold"] == 0.5 and card["note"] == "test"
    assert set(card["library_versions"]) >= {"scikit-learn", "skops", "jieba", "numpy"}
    assert set(card["model_file"]["trusted_types"]) <= ALLOWED_TYPES
    assert card["training_data"]["counts"]["total"] == len(texts)
    assert card["hyperparameters"]["random_state"] == 0


def test_flipped_bytes_raise_model_load_error(trained, tmp_path):
    model_dir = trained.save(tmp_path / "m")
    path = model_dir / MODEL_FILE
    data = bytearray(path.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError) as info:
        MeasureClassifier.load(model_dir)
    assert str(path) in str(info.value)
    # the same file without the card's checksum: still refused, as a corrupt file
    with pytest.raises(ModelLoadError, match="corrupt|cannot load"):
        load_model_file(path)


def test_truncated_file_and_missing_card(trained, tmp_path):
    model_dir = trained.save(tmp_path / "m")
    path = model_dir / MODEL_FILE
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_model_file(path)
    (model_dir / CARD_FILE).unlink()
    with pytest.raises(ModelLoadError, match=CARD_FILE):
        MeasureClassifier.load(model_dir)
    (model_dir / CARD_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=CARD_FILE):
        MeasureClassifier.load(model_dir)


def test_disallowed_type_is_refused_before_loading(trained, tmp_path, monkeypatch):
    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    model_dir = trained.save(tmp_path / "m")
    evil = Pipeline([("run", FunctionTransformer(func=os.system))])
    blob = sio.dumps(evil)
    (model_dir / MODEL_FILE).write_bytes(blob)
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    import hashlib
    card["model_file"]["sha256"] = hashlib.sha256(blob).hexdigest()  # only the type check can stop it
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")

    calls = []
    monkeypatch.setattr(sio, "loads", lambda *args, **kwargs: calls.append(args))
    monkeypatch.setattr(sio, "load", lambda *args, **kwargs: calls.append(args))
    with pytest.raises(ModelLoadError) as info:
        MeasureClassifier.load(model_dir)
    assert calls == []  # refused before anything was constructed
    message = str(info.value)
    assert "system" in message and "allow-list" in message and str(model_dir / MODEL_FILE) in message


def test_save_refuses_a_model_with_a_disallowed_type(trained, tmp_path):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    clf = MeasureClassifier()
    clf.pipeline = Pipeline([("run", FunctionTransformer(func=os.system))])
    clf.training_hash, clf.label_counts = "x", {}
    with pytest.raises(PipelineError, match="allow-list"):
        clf.save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_wrong_labels_in_card_are_refused(trained, tmp_path):
    model_dir = trained.save(tmp_path / "m")
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    card["labels"] = ["a", "b", "c"]
    (model_dir / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="labels"):
        MeasureClassifier.load(model_dir)


# --------------------------------------------------------------------------- training from gold


def test_train_and_evaluate_writes_model_and_card(tmp_path, quiet):
    gold = write_gold(tmp_path / "gold.jsonl")
    result = train_and_evaluate(gold, tmp_path / "model", echo=None)
    assert result["replaced"] and not result["regressions"]
    card = json.loads((tmp_path / "model" / CARD_FILE).read_text(encoding="utf-8"))
    counts = card["training_data"]["counts"]
    r = rows()
    assert counts["total"] == len(r)
    assert counts[AC] == sum(AC in x["labels"] for x in r)
    assert counts["none"] == sum(not x["labels"] for x in r)
    assert card["training_data"]["notices"] == 2
    cv = card["cv"]
    assert cv["grouping"] == "notice" and cv["n_splits"] == 2
    for side in ("classifier", "keyword_baseline"):
        assert set(cv[side]["per_label"]) == set(LABELS)
        assert {"precision", "recall", "f1"} <= set(cv[side]["per_label"][IB])
        assert "f1" in cv[side]["macro"]
    assert cv["keyword_baseline"]["macro"]["f1"] > 0.8
    loaded = MeasureClassifier.load(tmp_path / "model")
    assert loaded.model_version == card["model_version"] == card["training_data"]["sha256"][:16]


def test_cross_validation_never_splits_a_notice(monkeypatch, small):
    from sklearn.model_selection import GroupKFold

    seen = []
    real_split = GroupKFold.split

    def spy(self, X, y=None, groups=None):
        for train, test in real_split(self, X, y, groups):
            seen.append(({groups[i] for i in train}, {groups[i] for i in test}))
            yield train, test

    monkeypatch.setattr(GroupKFold, "split", spy)
    texts, labels = small
    groups = [x["notice_id"] for x in rows()]
    cross_validate(texts, labels, groups, tokenizer=JiebaTokenizer(ENTRIES))
    assert seen and all(not (train & test) for train, test in seen)
    with pytest.raises(C.TrainingDataError, match="at least 2 notices"):
        cross_validate(texts, labels, ["one"] * len(texts), tokenizer=JiebaTokenizer(ENTRIES))


def test_retraining_on_changed_data_changes_the_card(tmp_path, quiet):
    model_dir = tmp_path / "model"
    train_and_evaluate(write_gold(tmp_path / "a.jsonl"), model_dir, echo=None)
    first = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    dropped = {x["id"] for x in rows() if FR in x["labels"]}
    dropped = set(sorted(dropped)[:2]) | {"m000", "m001"}
    train_and_evaluate(write_gold(tmp_path / "b.jsonl", drop=dropped), model_dir, force=True, echo=None)
    second = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    assert second["training_data"]["sha256"] != first["training_data"]["sha256"]
    assert second["training_data"]["gold_file_sha256"] != first["training_data"]["gold_file_sha256"]
    assert second["training_data"]["counts"]["total"] == first["training_data"]["counts"]["total"] - 4
    assert second["training_data"]["counts"][FR] == first["training_data"]["counts"][FR] - 2
    assert second["model_version"] != first["model_version"]
    assert second["previous_model_version"] == first["model_version"]


def test_gate_refuses_a_worse_model_and_names_the_label(tmp_path, quiet, capsys):
    model_dir = tmp_path / "model"
    train_and_evaluate(write_gold(tmp_path / "good.jsonl"), model_dir, echo=None)
    before = {name: (model_dir / name).read_bytes() for name in (MODEL_FILE, CARD_FILE)}
    old_f1 = json.loads(before[CARD_FILE])["cv"]["classifier"]["per_label"][AC]["f1"]
    assert old_f1 > 0.1

    # move every accountability label onto measures with no label: the labels no longer mean anything
    r = rows()
    ac_ids = [x["id"] for x in r if AC in x["labels"]]
    none_ids = [x["id"] for x in r if not x["labels"]][::5][:len(ac_ids)]

    def scramble(x):
        labels = [l for l in x["labels"] if l != AC]
        return labels + [AC] if x["id"] in none_ids else labels

    bad = write_gold(tmp_path / "bad.jsonl", relabel=scramble)
    result = train_and_evaluate(bad, model_dir)
    assert not result["replaced"]
    worse = {w["label"]: w for w in result["regressions"]}
    assert AC in worse and worse[AC]["old"] == old_f1 and worse[AC]["drop"] > 0.005
    assert "accountability" in result["message"] and "kept the current model" in result["message"]
    assert "accountability" in capsys.readouterr().out
    assert {name: (model_dir / name).read_bytes() for name in before} == before  # untouched
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    forced = train_and_evaluate(bad, model_dir, force=True, echo=None)
    assert forced["replaced"] and forced["forced"]
    assert (model_dir / CARD_FILE).read_bytes() != before[CARD_FILE]


def test_compare_scores_tolerance():
    def cv(f1s, macro):
        return {"classifier": {"per_label": {l: {"f1": f} for l, f in zip(LABELS, f1s)}, "macro": {"f1": macro}}}

    old = cv([0.8, 0.7, 0.6], 0.7)
    assert compare_scores(None, old) == []
    assert compare_scores(old, cv([0.796, 0.7, 0.9], 0.8)) == []  # within 0.005
    worse = compare_scores(old, cv([0.79, 0.7, 0.9], 0.8))
    assert [w["label"] for w in worse] == [IB] and worse[0]["drop"] == pytest.approx(0.01)
    assert [w["label"] for w in compare_scores(old, cv([0.8, 0.7, 0.6], 0.69))] == ["macro"]


# --------------------------------------------------------------------------- active learning


def measures_parquet(path: Path) -> Path:
    import pandas as pd

    r = rows()
    pd.DataFrame({
        "measure_id": [x["id"] for x in r], "notice_id": [x["notice_id"] for x in r],
        "text": [x["text"] for x in r], "start": [x["start"] for x in r], "end": [x["end"] for x in r],
        "labels": [[] for _ in r],
    }).to_parquet(path)
    return path


def config_names() -> tuple[str, str, set[str]]:
    root = ET.parse(CONFIG).getroot()
    choices = root.find("Choices")
    return (choices.get("name"), choices.get("toName"), {c.get("value") for c in choices.findall("Choice")})


def test_config_matches_the_task_format():
    from_name, to_name, values = config_names()
    assert (from_name, to_name) == (C.LS_FROM_NAME, C.LS_TO_NAME)
    assert values == set(LABELS)
    root = ET.parse(CONFIG).getroot()
    assert root.find("Text").get("name") == to_name and root.find("Text").get("value") == "$text"
    assert root.find("Choices").get("choice") == "multiple"


def test_suggest_uncertain_picks_the_least_sure(trained, tmp_path, tokenizer):
    # a weak model (trained on a part of the data) so that some measures are uncertain
    r = rows()
    weak = MeasureClassifier(tokenizer=tokenizer).fit([x["text"] for x in r[::3]], [x["labels"] for x in r[::3]])
    out = tmp_path / "tasks.json"
    tasks = suggest_uncertain(measures_parquet(tmp_path / "measures.parquet"), 8, out, weak)
    assert json.loads(out.read_text(encoding="utf-8")) == tasks
    assert len(tasks) == 8
    proba = weak.predict_proba([x["text"] for x in r])
    margin = (np.abs(proba - 0.5) / 0.5).min(axis=1)
    chosen = {t["data"]["measure_id"] for t in tasks}
    worst_chosen = max(margin[i] for i, x in enumerate(r) if x["id"] in chosen)
    assert all(margin[i] >= worst_chosen for i, x in enumerate(r) if x["id"] not in chosen)
    scores = [t["predictions"][0]["score"] for t in tasks]
    assert scores == sorted(scores)

    from_name, to_name, values = config_names()
    by_id = {x["id"]: x for x in r}
    for t in tasks:
        data = t["data"]
        src = by_id[data["measure_id"]]
        assert data == {"text": src["text"], "measure_id": src["id"], "notice_id": src["notice_id"],
                        "start": src["start"], "end": src["end"]}
        (pred,) = t["predictions"]
        assert pred["model_version"] == weak.model_version and 0 <= pred["score"] <= 1
        expected = weak.predict([src["text"]])[0]
        if expected:
            (res,) = pred["result"]
            assert (res["from_name"], res["to_name"], res["type"]) == (from_name, to_name, "choices")
            assert res["value"]["choices"] == expected and set(expected) <= values
        else:
            assert pred["result"] == []


def test_suggest_skips_measures_already_in_gold(trained, tmp_path):
    gold = write_gold(tmp_path / "gold.jsonl", drop={x["id"] for x in rows()[10:]})
    tasks = suggest_uncertain(measures_parquet(tmp_path / "m.parquet"), 1000, tmp_path / "t.json",
                              trained, gold_path=gold)
    ids = {t["data"]["measure_id"] for t in tasks}
    assert len(tasks) == len(rows()) - 10 and not ids & {x["id"] for x in rows()[:10]}


def export_task(row: dict, annotations: list[dict] | None) -> dict:
    task = {"id": 1, "data": {k: row[k] for k in ("text", "notice_id", "start", "end")} | {"measure_id": row["id"]}}
    if annotations is not None:
        task["annotations"] = annotations
    return task


def annotation(labels, *, cancelled=False, updated="2024-01-01T00:00:00Z"):
    result = [{"id": "a1", "from_name": "measure_labels", "to_name": "text", "type": "choices",
               "value": {"choices": labels}}] if labels else []
    return {"id": 7, "result": result, "was_cancelled": cancelled, "updated_at": updated}


def test_import_measure_labels(tmp_path):
    r = rows()
    export = [
        export_task(r[0], [annotation([FR, AC])]),
        export_task(r[1], [annotation([IB], updated="2024-01-01T00:00:00Z"),
                           annotation([AC], updated="2024-02-01T00:00:00Z"),  # the latest wins
                           annotation([FR], cancelled=True, updated="2024-03-01T00:00:00Z")]),
        export_task(r[2], [annotation([])]),  # submitted with no label: none applies
        export_task(r[3], []),  # not annotated yet
        export_task(r[4], None),
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    got = import_measure_labels(path)
    assert got == [
        ImportedMeasure(r[0]["text"], [AC, FR], r[0]["notice_id"], r[0]["start"], r[0]["end"]),
        ImportedMeasure(r[1]["text"], [AC], r[1]["notice_id"], r[1]["start"], r[1]["end"]),
        ImportedMeasure(r[2]["text"], [], r[2]["notice_id"], r[2]["start"], r[2]["end"]),
    ]
    assert got[0] == (r[0]["text"], [AC, FR], r[0]["notice_id"], r[0]["start"], r[0]["end"])

    from pipeline.annotation.gold_records import AnnotationError
    with pytest.raises(AnnotationError, match="unknown measure label"):
        import_measure_labels([export_task(r[0], [annotation(["sanction"])])])


def test_merge_updates_gold_and_reports_unmatched(tmp_path):
    from pipeline.annotation.gold import load_gold

    r = rows()
    gold = write_gold(tmp_path / "gold.jsonl")
    imported = [
        ImportedMeasure(r[0]["text"], [IB], r[0]["notice_id"], r[0]["start"], r[0]["end"]),  # change
        ImportedMeasure(r[83]["text"], r[83]["labels"], r[83]["notice_id"], r[83]["start"], r[83]["end"]),
        ImportedMeasure("不存在。", [AC], "no-such-notice", 0, 4),
        ImportedMeasure(r[5]["text"], [AC], r[5]["notice_id"], r[5]["start"] + 1, r[5]["end"]),
    ]
    report = merge_measure_labels(imported, gold, echo=None)
    assert report["updated"] == 1 and report["unchanged"] == 1
    assert [u["reason"] for u in report["unmatched"]] == ["no such notice", "no measure with this span"]
    notices = {n.id: n for n in load_gold(gold)}
    m0 = next(m for m in notices[r[0]["notice_id"]].measures if m.start == r[0]["start"])
    assert m0.labels == [IB]
    m5 = next(m for m in notices[r[5]["notice_id"]].measures if m.start == r[5]["start"])
    assert m5.labels == r[5]["labels"]


# --------------------------------------------------------------------------- the arrays form


def test_arrays_give_bit_for_bit_the_pipelines_probabilities(trained, small, tmp_path):
    texts, _ = small
    model_dir = trained.save(tmp_path / "m")
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    linear = LinearMeasureModel.load(model_dir, card)
    assert linear is not None
    odd = ["", "   ", "问责", "追缴资金12.5万元。\n\n  并且\u3000\u3000完善制度", "ＡＢＣ１２３追回"]
    assert np.array_equal(linear.predict_proba(texts + odd), trained.predict_proba(texts + odd))
    assert load_classifier(model_dir).__class__ is LinearMeasureModel


def test_shipped_arrays_match_the_shipped_model():
    """models/measure_classifier/inference.npz was exported from the model.skops beside it and gives
    its probabilities exactly (on our own phrases and the small test set)."""
    model_dir = Path(__file__).resolve().parents[1] / "models" / "measure_classifier"
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    linear = LinearMeasureModel.load(model_dir, card)
    assert linear is not None, "inference.npz is missing or was exported from another model.skops"
    texts = [r["text"] for r in rows()][:120] + ["建立健全财务管理制度3项。", "给予党纪处分2人，追缴违纪资金35.4万元。"]
    assert np.array_equal(linear.predict_proba(texts), MeasureClassifier.load(model_dir).predict_proba(texts))


def test_arrays_of_another_model_are_ignored(trained, small, tmp_path):
    model_dir = trained.save(tmp_path / "m")
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    card["model_file"]["sha256"] = "0" * 64  # as if model.skops had been replaced after the export
    assert LinearMeasureModel.load(model_dir, card) is None
    (model_dir / INFERENCE_FILE).write_bytes(b"not an npz file")
    with pytest.raises(ModelLoadError, match="inference.npz"):
        LinearMeasureModel.load(model_dir, json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8")))
