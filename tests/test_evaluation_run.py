"""evaluate_all on a 3-notice gold subset: every report key, no training on test notices."""
from __future__ import annotations

import json
from pathlib import Path


from pipeline.annotation.gold import load_gold, save_gold
from pipeline.entities.ner import NerParams

GOLD = Path(__file__).resolve().parent.parent / "annotations" / "gold.jsonl"


def pick_three(gold):
    """Three small written notices, the one in traditional characters first (if annotated)."""
    from pipeline.read.textnorm import matching_text
    written = sorted((g for g in gold if g.origin == "written"), key=lambda g: len(g.text))
    trad = [g for g in written if matching_text(g.text) != g.text]
    rest = [g for g in written if g not in trad[:1]]
    return (trad[:1] + rest)[:3]


def test_evaluate_all_report_keys(tmp_path):
    from pipeline.evaluation.run import VARIANTS, evaluate_all
    three = pick_three(load_gold(GOLD))  # the gold ships with the repository
    assert len(three) == 3
    save_gold(three, tmp_path / "gold.jsonl")
    params = NerParams(epochs=3, width=32, depth=2, embed_size=500, hidden_width=32, negatives=0.0)
    text = evaluate_all(tmp_path / "gold.jsonl", tmp_path / "report.json", models=tmp_path / "models",
                        folds=3, params=params)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    for key in ("gold_path", "notices", "folds", *VARIANTS, "ner", "org_f1_exact",
                "combined_beats_rules_on_org", "measure_labels"):
        assert key in report, key
    for v in VARIANTS:
        groups = report[v]["groups"]
        assert set(groups) == {"all", "written"}
        for key in ("entities", "structure", "measure_segmentation", "measure_labels"):
            assert key in groups["all"]
        assert set(groups["all"]["entities"]["labels"]) == {"DATE", "MONEY", "PERSON_COUNT", "ORG", "DOC_TITLE",
                                                            "DOC_NUMBER"}
    assert set(report["facts"]) == {"all", "written"}
    assert report["facts"]["all"]["micro"]["gold"] == sum(len(g.facts) for g in three)
    assert "== facts, development all" in text
    folds = report["ner"]["info"]["folds"]
    assert len(folds) == 3 and sorted(i for f in folds for i in f["test"]) == sorted(g.id for g in three)
    assert {"classifier", "keyword_baseline"} <= set(report["measure_labels"])
    assert "rules_plus_model" in text and "ORG" in text
