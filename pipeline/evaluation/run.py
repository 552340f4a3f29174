"""The whole evaluation: rules only, NER model only, rules+model, and the measure classifier.

``evaluate_all(gold_path, report_path, models=..., folds=5)`` (CLI ``python -m pipeline evaluate``):

(a) **rules only** on every gold notice. The rules were written before these annotations existed,
    but the written notices were drafted with the rules in view, so real and written notices are
    reported separately (and together);
(b) **model only** and (c) **rules + model**: grouped cross-validation by notice -- the NER model
    of each fold is trained on the other notices only, and predicts the held-out ones; the
    combination is :func:`pipeline.entities.overlaps.resolve` (model adds ORG only, never replaces a rule
    span; generic phrases are vetoed). The model is never scored on its own training data; the
    saved ``models/ner`` is NOT used here (it was trained on all gold).
    Structure and measure segmentation do not depend on the NER model: they are the same in (a),
    (b) and (c) and are printed once;
(d) **measure labels**: keyword baseline vs trained classifier, grouped CV
    (:func:`pipeline.training.classifier.cross_validate`).
(f) **real pages** (``annotations/real/``, printed first): :mod:`pipeline.evaluation.real`.
(e) **held-out notices** (``annotations/heldout.jsonl``): notices written after the rules, the
    keyword table and the models were tuned, never looked at while tuning. The NER model and the
    classifier are trained on all of ``gold.jsonl`` and score the held-out notices once: rules only,
    model only, rules + model, and keyword baseline vs classifier. The development figures (a)-(d)
    are optimistic for the rules and the keyword table, which were refined on those notices; (e)
    is the honest estimate.

``compare_segmenters`` runs (b)/(c) for each segmenter and measures speed (docs/evaluation.md).
"""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any, Sequence

from pipeline.scoring.report import _f, _table, _format_group
from pipeline.scoring.metrics import evaluate_predictions
from pipeline.scoring.facts import format_facts, score_facts
from pipeline.annotation.gold import load_gold
from pipeline.types import ENTITY_LABELS

VARIANTS = ("rules_only", "model_only", "rules_plus_model")


def _groups(gold: Sequence[Any]) -> dict[str, list[int]]:
    out = {"all": list(range(len(gold)))}
    for origin in sorted({g.origin for g in gold}):
        out[origin] = [k for k, g in enumerate(gold) if g.origin == origin]
    return out


def _grouped(gold, parsed) -> dict[str, Any]:
    return {name: evaluate_predictions([gold[k] for k in idx], [parsed[k] for k in idx])
            for name, idx in _groups(gold).items()}


def _ner_params(models: Path | None, segmenter: str | None, seed: int):
    """Training settings: the saved model's (``models/ner/training.json``) if any, else defaults."""
    from pipeline.entities.ner import NerParams
    params = NerParams()
    path = Path(models) / "ner" / "training.json" if models is not None else None
    if path is not None and path.exists():
        try:
            params = NerParams.from_dict(json.loads(path.read_text(encoding="utf-8"))["params"])
        except (ValueError, KeyError, TypeError):
            params = NerParams()
    if segmenter is not None:
        params.segmenter = segmenter
    params.seed = seed
    return params


def entity_runs(gold: Sequence[Any], folds: int = 5, params=None) -> dict[str, Any]:
    """Parsed notices of the three variants, and the NER CV info."""
    from pipeline.parse import NoticeParser
    from pipeline.training.ner import combine, cross_validated_predictions
    parser = NoticeParser(ner=None, classifier=None, build_docs=False)
    rules = []
    t0 = time.perf_counter()
    for g in gold:
        p = parser.parse(g.text, g.notice_date)
        if p.text != g.text:
            raise ValueError(f"the parser changed the text of notice {g.id!r}")
        rules.append(p)
    rules_seconds = time.perf_counter() - t0
    preds, info = cross_validated_predictions(gold, folds, params)
    info["rules_seconds"] = rules_seconds
    model_only = [dataclasses.replace(p, entities=sorted(m, key=lambda e: (e.start, e.end)))
                  for p, m in zip(rules, preds)]
    combined = [dataclasses.replace(p, entities=combine(p.entities, m)) for p, m in zip(rules, preds)]
    return {"rules_only": rules, "model_only": model_only, "rules_plus_model": combined, "info": info}


def _label_rows(report: dict[str, Any], group: str) -> list[list[Any]]:
    rows = []
    for label in list(ENTITY_LABELS) + ["micro"]:
        row = [label]
        for v in VARIANTS:
            ent = report[v]["groups"][group]["entities"]
            s = ent["micro"] if label == "micro" else ent["labels"][label]
            row.append(f"{_f(s['exact']['precision'])}/{_f(s['exact']['recall'])}/{_f(s['exact']['f1'])}")
            row.append(_f(s["overlap"]["f1"]))
        row.insert(1, (report["rules_only"]["groups"][group]["entities"]["micro"]["gold"] if label == "micro"
                       else report["rules_only"]["groups"][group]["entities"]["labels"][label]["gold"]))
        rows.append(row)
    return rows


def format_comparison(report: dict[str, Any]) -> str:
    out = [f"Evaluation of {report['gold_path']}: {report['notices']} notices "
           f"(NER by grouped {report['folds']}-fold CV, segmenter {report['ner']['params']['segmenter']})"]
    header = ["label", "gold"]
    for v in VARIANTS:
        header += [f"{v} P/R/F1 exact", "F1 ovl"]
    for group in report["rules_only"]["groups"]:
        n = report["rules_only"]["groups"][group]["notices"]
        out += ["", f"== entities, {group} ({n} notices) ==", _table(header, _label_rows(report, group))]
    al = report["ner"]["info"]["alignment"]
    out += ["", f"NER: {report['ner']['info']['train_seconds']:.1f}s training over the folds; "
                f"{al['lost']} of {al['gold']} gold spans lost to token misalignment"]
    for group, g in report["rules_only"]["groups"].items():
        out += ["", "Rules-only details (structure and measures are the same for every variant)",
                _format_group(f"rules only, {group}", g)]
    for group, scores in report.get("facts", {}).items():
        out += ["", format_facts(scores, f"development {group} ({report['rules_only']['groups'][group]['notices']} notices)")]
    ml = report.get("measure_labels")
    if ml:
        from pipeline.training.classifier import format_scores
        out += ["", "== measure labels: keyword baseline vs classifier ==", format_scores(ml)]
    if report.get("heldout"):
        out += ["", format_heldout(report["heldout"])]
    if report.get("real"):
        from pipeline.evaluation.real import format_real
        out = [format_real(report["real"]), ""] + out  # real text first: it is the measure
    return "\n".join(out) + "\n"


def evaluate_all(gold_path: str | Path, report_path: str | Path | None = None, models: str | Path | None = None,
                 folds: int = 5, *, segmenter: str | None = None, seed: int = 0,
                 measure_labels: bool = True, params=None, heldout: str | Path | None = None,
                 real: bool = True) -> str:
    """Run (a)-(d) (module docstring), write the JSON report, return the printable tables."""
    gold_path = Path(gold_path)
    gold = load_gold(gold_path)
    if params is None:
        params = _ner_params(Path(models) if models is not None else None, segmenter, seed)
    runs = entity_runs(gold, folds, params)
    report: dict[str, Any] = {"gold_path": str(gold_path), "notices": len(gold), "folds": folds,
                              "origins": {k: [gold[i].id for i in idx] for k, idx in _groups(gold).items()}}
    for v in VARIANTS:
        report[v] = {"groups": _grouped(gold, runs[v])}
    report["ner"] = {"params": params.to_dict(), "info": runs["info"]}
    # facts are rules over the rules' entities and measures: the same in every variant
    report["facts"] = {name: score_facts([gold[k] for k in idx], [runs["rules_only"][k] for k in idx])
                       for name, idx in _groups(gold).items()}
    report["org_f1_exact"] = {v: {g: report[v]["groups"][g]["entities"]["labels"]["ORG"]["exact"]["f1"]
                                  for g in report[v]["groups"]} for v in VARIANTS}
    report["combined_beats_rules_on_org"] = {
        g: (report["org_f1_exact"]["rules_plus_model"][g] or 0) > (report["org_f1_exact"]["rules_only"][g] or 0)
        for g in report["rules_only"]["groups"]}
    if measure_labels:
        from pipeline.training.classifier import cross_validate, gold_examples
        texts, label_sets, groups = gold_examples(gold_path)
        report["measure_labels"] = cross_validate(texts, label_sets, groups, n_splits=folds)
    heldout_path = Path(heldout) if heldout is not None else gold_path.with_name("heldout.jsonl")
    if heldout_path.exists():
        report["heldout"] = heldout_report(gold, load_gold(heldout_path), params, gold_path)
        report["heldout"]["path"] = str(heldout_path)
    if real:
        from pipeline.evaluation.real import real_report
        report["real"] = real_report(gold, params, folds, measure_labels=measure_labels)
    if report_path is not None:
        path = Path(report_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return format_comparison(report)


def heldout_report(dev: Sequence[Any], held: Sequence[Any], params, dev_path: Path) -> dict[str, Any]:
    """(e): models trained on all development notices, scored once on the held-out notices."""
    from pipeline.parse import NoticeParser
    from pipeline.measures.classifier import MeasureClassifier, _label_matrix
    from pipeline.training.classifier import gold_examples, label_scores
    from pipeline.measures.keywords import KeywordBaseline
    from pipeline.entities.ner import NerModel
    from pipeline.training.ner import combine, train_model
    parser = NoticeParser(ner=None, classifier=None, build_docs=False)
    rules = [parser.parse(g.text, g.notice_date) for g in held]
    t0 = time.perf_counter()
    model = NerModel(train_model(list(dev), params), params.segmenter)
    train_seconds = time.perf_counter() - t0
    preds = [model.predict_all(g.text) for g in held]
    model_only = [dataclasses.replace(p, entities=sorted(m, key=lambda e: (e.start, e.end)))
                  for p, m in zip(rules, preds)]
    combined = [dataclasses.replace(p, entities=combine(p.entities, m)) for p, m in zip(rules, preds)]
    out: dict[str, Any] = {"notices": len(held), "ner_train_seconds": round(train_seconds, 1)}
    for name, parsed in (("rules_only", rules), ("model_only", model_only), ("rules_plus_model", combined)):
        out[name] = evaluate_predictions(list(held), parsed)
    out["facts"] = score_facts(list(held), rules)
    texts, label_sets, _ = gold_examples(dev_path)
    classifier = MeasureClassifier().fit(texts, label_sets)
    held_texts = [m.text for g in held for m in g.measures]
    held_labels = [list(m.labels) for g in held for m in g.measures]
    y = _label_matrix(held_labels)
    y_clf = (classifier.predict_proba(held_texts) >= classifier.threshold).astype(int)
    y_kw = _label_matrix(KeywordBaseline.default().predict(held_texts))
    out["measure_labels"] = {"n": len(held_texts), "classifier": label_scores(y, y_clf),
                             "keyword_baseline": label_scores(y, y_kw)}
    return out


def format_heldout(h: dict[str, Any]) -> str:
    rows = []
    for label in list(ENTITY_LABELS) + ["micro"]:
        row = [label]
        for v in VARIANTS:
            ent = h[v]["entities"]
            sc = ent["micro"] if label == "micro" else ent["labels"][label]
            row.append(f"{_f(sc['exact']['precision'])}/{_f(sc['exact']['recall'])}/{_f(sc['exact']['f1'])}")
        rows.append(row)
    vals = h["rules_plus_model"]["entities"]["values"]
    ml = h["measure_labels"]
    label_rows = [[label, _f(ml["keyword_baseline"]["per_label"][label]["f1"]), _f(ml["classifier"]["per_label"][label]["f1"])]
                  for label in ml["classifier"]["per_label"]]
    label_rows.append(["macro", _f(ml["keyword_baseline"]["macro"]["f1"]), _f(ml["classifier"]["macro"]["f1"])])
    seg = h["rules_only"]["measure_segmentation"]["exact"]
    st = h["rules_only"]["structure"]
    return "\n".join([
        f"== held-out notices ({h['notices']}), models trained on the development gold ==",
        _table(["label"] + [f"{v} P/R/F1 exact" for v in VARIANTS], rows),
        "value accuracy (rules+model): " + ", ".join(f"{k} {_f(v.get('accuracy'))}" for k, v in vals.items()),
        f"structure: items {_f(st['numbers']['f1'])} F1, status accuracy {_f(st['status']['accuracy'])}; "
        f"measure segmentation F1 {_f(seg['f1'])}",
        f"measure labels ({ml['n']} measures), F1:",
        _table(["label", "keyword baseline", "classifier"], label_rows),
        format_facts(h["facts"], f"held-out ({h['notices']} notices)") if "facts" in h else ""])


# --------------------------------------------------------------------------- segmenters


def compare_segmenters(gold_path: str | Path, folds: int = 5, segmenters: Sequence[str] | None = None,
                       seed: int = 0) -> dict[str, Any]:
    """ORG F1 (model only and rules+model, grouped CV) and speed for each available segmenter."""
    from pipeline.scoring.metrics import score_entities
    from pipeline.entities.ner import NerParams
    from pipeline.entities.segmenters import SEGMENTERS, available, tokenisation_speed
    gold = load_gold(gold_path)
    texts = [g.text for g in gold]
    out: dict[str, Any] = {"gold_path": str(gold_path), "folds": folds, "segmenters": {}}
    rules = None
    for name in segmenters or SEGMENTERS:
        if not available(name):
            out["segmenters"][name] = {"available": False}
            continue
        params = NerParams(segmenter=name, seed=seed)
        runs = entity_runs(gold, folds, params)
        if rules is None:
            rules = score_entities(gold, [p.entities for p in runs["rules_only"]])["labels"]["ORG"]
            out["rules_only_org"] = rules
        row: dict[str, Any] = {"available": True,
                               "tokens_chars_per_second": tokenisation_speed(texts, name),
                               "ner_chars_per_second": runs["info"]["ner_chars_per_second"],
                               "train_seconds_per_fold": runs["info"]["train_seconds"] / len(runs["info"]["folds"]),
                               "alignment": runs["info"]["alignment"]}
        for v in ("model_only", "rules_plus_model"):
            row[v] = {}
            for group, idx in _groups(gold).items():
                s = score_entities([gold[k] for k in idx], [runs[v][k].entities for k in idx])["labels"]["ORG"]
                row[v][group] = {"exact": s["exact"], "overlap": s["overlap"]}
        out["segmenters"][name] = row
    return out


def format_segmenters(cmp: dict[str, Any]) -> str:
    rows = []
    for name, r in cmp["segmenters"].items():
        if not r.get("available"):
            rows.append([name] + ["n/a"] * 8)
            continue
        rows.append([name, f"{r['alignment']['lost']}/{r['alignment']['gold']}",
                     _f(r["model_only"]["all"]["exact"]["f1"]), _f(r["model_only"]["all"]["overlap"]["f1"]),
                     _f(r["rules_plus_model"]["all"]["exact"]["f1"]),
                     _f(r["rules_plus_model"].get("real", {}).get("exact", {}).get("f1")),
                     f"{r['tokens_chars_per_second']:,.0f}", f"{r['ner_chars_per_second']:,.0f}",
                     f"{r['train_seconds_per_fold']:.1f}"])
    return _table(["segmenter", "spans lost", "model F1 exact", "model F1 ovl", "rules+model F1",
                   "rules+model F1 real", "tokenise chars/s", "NER chars/s", "train s/fold"], rows)


if __name__ == "__main__":  # python -m pipeline.evaluation.run segmenters [gold] [out.json]
    import sys
    if len(sys.argv) > 1 and sys.argv[1] == "segmenters":
        gold = sys.argv[2] if len(sys.argv) > 2 else "annotations/gold.jsonl"
        names = sys.argv[4].split(",") if len(sys.argv) > 4 else None
        result = compare_segmenters(gold, segmenters=names)
        if len(sys.argv) > 3:
            Path(sys.argv[3]).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        print(format_segmenters(result))
    else:
        print(evaluate_all(sys.argv[1] if len(sys.argv) > 1 else "annotations/gold.jsonl", None, models=Path("models")))
