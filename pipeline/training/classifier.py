"""Training the measure classifier: grouped cross-validation, scores, the retraining gate.

:func:`train_and_evaluate` reads ``annotations/gold.jsonl``, cross-validates grouped by notice
against the keyword baseline, and replaces the stored model only if no score falls.
"""
from __future__ import annotations

import hashlib
import json

from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from pipeline.errors import ModelLoadError
from pipeline.measures.classifier import CARD_FILE, DEFAULT_GOLD_PATH, DEFAULT_MODEL_DIR, DEFAULT_PARAMS, GATE_TOLERANCE, LABELS, MeasureClassifier, TrainingDataError, _label_matrix, _read_card, _sha256_file
from pipeline.measures.features import JiebaTokenizer


# --------------------------------------------------------------------------- evaluation


def label_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """Per-label precision/recall/F1 (with tp/fp/fn/support) and their macro average.

    A label with neither gold nor predicted positives scores 1.0 (nothing to find, nothing
    wrongly found); otherwise an undefined ratio is 0.0.
    """
    per_label = {}
    for j, label in enumerate(LABELS):
        t, p = y_true[:, j].astype(bool), y_pred[:, j].astype(bool)
        tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
        if tp + fp + fn == 0:
            precision = recall = f1 = 1.0
        else:
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": int(t.sum()), "tp": tp, "fp": fp, "fn": fn}
    macro = {k: round(float(np.mean([per_label[l][k] for l in LABELS])), 4)
             for k in ("precision", "recall", "f1")}
    return {"per_label": per_label, "macro": macro}


def cross_validate(texts: Sequence[str], label_sets: Sequence[Iterable[str]], groups: Sequence[str],
                   params: dict[str, Any] | None = None, *, n_splits: int = 5,
                   tokenizer: JiebaTokenizer | None = None, baseline=None,
                   subsets: dict[str, Sequence[int]] | None = None) -> dict[str, Any]:
    """Grouped cross-validation (``GroupKFold`` on ``groups``, the notice ids: no notice is in
    both the training and the test part of a fold) of the classifier and the keyword baseline.

    Predictions of all folds are pooled before scoring. Returns ``{"grouping", "n_splits",
    "n_groups", "threshold", "classifier": scores, "keyword_baseline": scores,
    "classifier_beats_baseline": {label: bool, "macro": bool}}`` (see :func:`label_scores`).
    The extractor should only prefer the classifier's labels where it beats the baseline.
    """
    from sklearn.model_selection import GroupKFold

    from pipeline.measures.keywords import KeywordBaseline

    texts = list(texts)
    label_sets = [list(ls) for ls in label_sets]
    groups = list(groups)
    y = _label_matrix(label_sets)
    n_groups = len(set(groups))
    if n_groups < 2:
        raise TrainingDataError(f"grouped cross-validation needs measures from at least 2 notices, "
                                f"got {n_groups}")
    k = min(n_splits, n_groups)
    p = {**DEFAULT_PARAMS, **(params or {})}
    tokenizer = tokenizer if tokenizer is not None else JiebaTokenizer.from_domain_dict()
    baseline = baseline if baseline is not None else KeywordBaseline.default()
    y_clf = np.zeros_like(y)
    for train, test in GroupKFold(n_splits=k).split(texts, y, groups):
        model = MeasureClassifier(p, tokenizer=tokenizer).fit([texts[i] for i in train],
                                                              [label_sets[i] for i in train])
        y_clf[test] = (model.predict_proba([texts[i] for i in test]) >= model.threshold).astype(int)
    y_kw = _label_matrix(baseline.predict(texts))
    clf_scores, kw_scores = label_scores(y, y_clf), label_scores(y, y_kw)
    better = {label: clf_scores["per_label"][label]["f1"] > kw_scores["per_label"][label]["f1"]
              for label in LABELS}
    better["macro"] = clf_scores["macro"]["f1"] > kw_scores["macro"]["f1"]
    out = {"grouping": "notice", "n_splits": k, "n_groups": n_groups, "threshold": p["threshold"],
           "classifier": clf_scores, "keyword_baseline": kw_scores,
           "classifier_beats_baseline": better}
    for name, idx in (subsets or {}).items():  # the same pooled predictions, scored by data set
        idx = list(idx)
        if idx:
            out.setdefault("by_set", {})[name] = {"n": len(idx), "classifier": label_scores(y[idx], y_clf[idx]),
                                                  "keyword_baseline": label_scores(y[idx], y_kw[idx])}
    return out


def format_scores(cv: dict[str, Any]) -> str:
    """The cross-validated scores as a side-by-side text table."""
    head = (f"grouped CV by notice: {cv['n_splits']} folds over {cv['n_groups']} notices\n"
            f"{'label':<22}{'support':>8}  {'keywords P/R/F1':>20}  {'classifier P/R/F1':>20}")
    rows = [head]

    def prf(s):
        return f"{s['precision']:.3f}/{s['recall']:.3f}/{s['f1']:.3f}"

    for label in LABELS:
        kw, cl = cv["keyword_baseline"]["per_label"][label], cv["classifier"]["per_label"][label]
        rows.append(f"{label:<22}{cl['support']:>8}  {prf(kw):>20}  {prf(cl):>20}")
    rows.append(f"{'macro':<22}{'':>8}  {prf(cv['keyword_baseline']['macro']):>20}  "
                f"{prf(cv['classifier']['macro']):>20}")
    return "\n".join(rows)


def compare_scores(old_cv: dict[str, Any] | None, new_cv: dict[str, Any],
                   tolerance: float = GATE_TOLERANCE) -> list[dict[str, Any]]:
    """Where the new classifier's CV F1 is worse than the old one's by more than ``tolerance``:
    ``[{"label": "accountability" | "macro", "old": f1, "new": f1, "drop": old - new}]``."""
    if not old_cv:
        return []
    old, new = old_cv.get("classifier") or {}, new_cv["classifier"]
    worse = []
    for label in LABELS:
        before = ((old.get("per_label") or {}).get(label) or {}).get("f1")
        after = new["per_label"][label]["f1"]
        if before is not None and before - after > tolerance:
            worse.append({"label": label, "old": before, "new": after, "drop": round(before - after, 4)})
    before = (old.get("macro") or {}).get("f1")
    if before is not None and before - new["macro"]["f1"] > tolerance:
        worse.append({"label": "macro", "old": before, "new": new["macro"]["f1"],
                      "drop": round(before - new["macro"]["f1"], 4)})
    return worse


# --------------------------------------------------------------------------- training from gold


def _load_notices(gold_path: Path) -> list[Any]:
    from pipeline.annotation.gold import load_gold

    return load_gold(gold_path)


def gold_examples(gold_path: str | Path) -> tuple[list[str], list[list[str]], list[str]]:
    """``(texts, label lists, notice ids)`` of every measure in a gold file, in file order."""
    texts, label_sets, groups = [], [], []
    for notice in _load_notices(Path(gold_path)):
        for m in sorted(notice.measures, key=lambda m: (m.start, m.end)):
            texts.append(m.text)
            label_sets.append(list(m.labels))
            groups.append(notice.id)
    return texts, label_sets, groups


def training_examples(gold_path: str | Path, real: bool = True):
    """``(texts, label lists, notice ids, sets)``: the gold file's measures, then the real pages'
    (those whose text is present); ``sets`` maps each set to its example indices and says what was
    left out."""
    texts, label_sets, groups = gold_examples(gold_path)
    sets: dict[str, Any] = {"gold": {"indices": list(range(len(texts))),
                                     "notices": len(set(groups))}}
    if real:
        from pipeline.annotation.real_set import load_real
        docs = load_real()
        present = [d for d in docs if d.text is not None]
        start = len(texts)
        for d in present:
            for m in d.gold["measures"]:
                texts.append(d.text[m["start"]:m["end"]])
                label_sets.append(list(m["labels"]))
                groups.append(d.id)
        sets["real"] = {"indices": list(range(start, len(texts))), "pages": len(present),
                        "left_out": len(docs) - len(present)}
    return texts, label_sets, groups, sets


def example_digest(text: str, labels: Iterable[str]) -> str:
    """A short fingerprint of one training example (its text and labels), for the model card."""
    return hashlib.sha256(f"{text}\t{'+'.join(sorted(labels))}".encode("utf-8")).hexdigest()[:12]


def new_examples(texts, label_sets, groups, previous_digests: str | None) -> list[dict[str, Any]] | None:
    """The examples (notice, text, labels) whose fingerprint the previous card does not list: new
    measures and relabelled ones. None when the previous card lists no fingerprints."""
    if previous_digests is None:
        return None
    known = set(previous_digests.split())
    return [{"notice_id": g, "text": t, "labels": list(ls)} for t, ls, g in zip(texts, label_sets, groups)
            if example_digest(t, ls) not in known]


def _data_summary(sets: dict[str, Any]) -> dict[str, Any]:
    return {name: {k: v for k, v in info.items() if k != "indices"} | {"measures": len(info["indices"])}
            for name, info in sets.items()}


def train_and_evaluate(gold_path: str | Path = DEFAULT_GOLD_PATH, model_dir: str | Path = DEFAULT_MODEL_DIR,
                       force: bool = False, *, params: dict[str, Any] | None = None,
                       echo: Callable[[str], None] | None = print, real: bool = False) -> dict[str, Any]:
    """Train the measure classifier on the gold measures, cross-validate it grouped by notice next
    to the keyword baseline, and store it if it is not worse than the current model.

    The new model replaces the one in ``model_dir`` only if neither any label's CV F1 nor the
    macro F1 falls by more than 0.005 against the current model card; otherwise the old model is
    kept and the regressions are returned (and printed), unless ``force`` is true.

    Example::

        train_and_evaluate("annotations/gold.jsonl", "models/measure_classifier")
        train_and_evaluate("annotations/gold.jsonl", "models/measure_classifier", force=True)

    Returns ``{"replaced", "forced", "regressions": [{"label", "old", "new", "drop"}], "cv",
    "previous_cv", "card", "model_dir", "message"}``.
    """
    gold_path, model_dir = Path(gold_path), Path(model_dir)
    if not gold_path.is_file():
        raise TrainingDataError(f"{gold_path}: no gold file; expected one JSON record per notice "
                                f"with hand-labelled measures (see annotations/README.md)")
    texts, label_sets, groups, sets = training_examples(gold_path, real=real)
    if not texts:
        raise TrainingDataError(f"{gold_path}: no measures to train on")
    data = _data_summary(sets)
    if echo and real:
        r = data["real"]
        echo(f"training data: {data['gold']['measures']} measures of {data['gold']['notices']} gold notices"
             f" + {r['measures']} of {r['pages']} real pages"
             + (f" ({r['left_out']} real pages left out: texts missing; `python -m pipeline real status`)"
                if r["left_out"] else ""))
    p = {**DEFAULT_PARAMS, **(params or {})}
    tokenizer = JiebaTokenizer.from_domain_dict()
    cv = cross_validate(texts, label_sets, groups, p, tokenizer=tokenizer,
                        subsets={name: info["indices"] for name, info in sets.items()})
    model = MeasureClassifier(p, tokenizer=tokenizer).fit(texts, label_sets)

    previous_cv, previous_version, previous_data, previous_digests = None, None, None, None
    if (model_dir / CARD_FILE).exists():
        try:
            old_card = _read_card(model_dir / CARD_FILE)
            previous_cv, previous_version = old_card.get("cv"), old_card.get("model_version")
            previous_data = (old_card.get("training_data") or {}).get("sets")
            previous_digests = (old_card.get("training_data") or {}).get("example_digests")
        except ModelLoadError as exc:
            if echo:
                echo(f"warning: {exc}; the current model cannot be compared and will be replaced")
    # like with like: cross-validated scores on other data say nothing about which model is better
    comparable = previous_data == data
    regressions = compare_scores(previous_cv, cv) if comparable else []
    if previous_cv is not None and not comparable and echo:
        echo("the training data changed since the current model: its scores are not comparable, "
             "so the gate does not apply (previous data: "
             f"{json.dumps(previous_data, ensure_ascii=False)}; now: {json.dumps(data, ensure_ascii=False)})")
    replaced = not regressions or force
    card = {
        "training_data": {
            "sha256": model.training_hash,
            "gold_file": str(gold_path),
            "gold_file_sha256": _sha256_file(gold_path),
            "notices": len(set(groups)),
            "counts": model.label_counts,
            "sets": data,
            # what the next card compares with to list its new examples
            "example_digests": " ".join(sorted({example_digest(t, ls) for t, ls in zip(texts, label_sets)})),
        },
        "new_examples": new_examples(texts, label_sets, groups, previous_digests),
        "cv": cv,
        "previous_model_version": previous_version,
    }
    if replaced:
        model.save(model_dir, card)
    if regressions:
        worse = "; ".join(f"{r['label']} F1 {r['old']:.3f} -> {r['new']:.3f} (-{r['drop']:.3f})"
                          for r in regressions)
        message = (f"new model is worse than the current one: {worse}; "
                   + ("replaced anyway (force)" if force else f"kept the current model in {model_dir}"))
    else:
        message = f"model {model.model_version} written to {model_dir}"
    added = card["new_examples"]
    message += ("; the previous card lists no examples, so new ones cannot be told" if added is None else
                f"; {len(added)} example(s) not in the previous model (listed in the card's new_examples)")
    if not cv["classifier_beats_baseline"]["macro"]:
        message += (f"; note: the keyword baseline scores higher in cross-validation (macro F1 "
                    f"{cv['keyword_baseline']['macro']['f1']:.3f} vs {cv['classifier']['macro']['f1']:.3f})")
    if echo:
        echo(format_scores(cv))
        for name, sc in (cv.get("by_set") or {}).items():
            echo(f"  {name}: {sc['n']} measures, macro F1 keyword baseline "
                 f"{sc['keyword_baseline']['macro']['f1']:.3f}, classifier {sc['classifier']['macro']['f1']:.3f}")
        echo(message)
    return {"replaced": replaced, "forced": bool(force and regressions), "regressions": regressions,
            "cv": cv, "previous_cv": previous_cv, "card": model.card if replaced else {**model.base_card(), **card},
            "model_dir": str(model_dir), "message": message}
