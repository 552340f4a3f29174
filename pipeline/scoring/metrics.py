"""Scores of predictions against gold: entities, values, structure, measures.

Pure functions over gold records and parsed notices; no model is loaded here.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence


from pipeline.annotation.gold_records import GoldNotice
from pipeline.annotation.gold import load_gold
from pipeline.types import ENTITY_LABELS, MEASURE_LABELS, STATUSES, ParsedNotice


VALUE_LABELS = ("DATE", "MONEY", "PERSON_COUNT", "DOC_NUMBER")
MEASURE_TRIM = " \t\r\n\u3000。；;，,"
MONEY_TOLERANCE = 0.01


# --------------------------------------------------------------------------- basics


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    """Counts and precision/recall/F1 (``None`` where undefined)."""
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn), "f1": _ratio(2 * tp, 2 * tp + fp + fn)}


def _span(x: Any) -> tuple[int, int]:
    if isinstance(x, (tuple, list)):
        return int(x[0]), int(x[1])
    return int(x.start), int(x.end)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def max_overlap_matching(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching of overlapping spans, as (gold index, pred index) pairs.

    Augmenting paths (Kuhn); candidates are tried exact-first, then by larger overlap, so among
    maximum matchings a natural one is returned.
    """
    def score(g, p):
        return (g == p, min(g[1], p[1]) - max(g[0], p[0]))

    cands = [sorted((j for j, p in enumerate(pred) if _overlaps(g, p)),
                    key=lambda j, g=g: score(g, pred[j]), reverse=True) for g in gold]
    match_pred: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in cands[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in match_pred or augment(match_pred[j], seen):
                match_pred[j] = i
                return True
        return False

    for i in range(len(gold)):
        if cands[i]:
            augment(i, set())
    return sorted((i, j) for j, i in match_pred.items())


def _exact_pairs(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    free: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j, p in enumerate(pred):
        free[p].append(j)
    pairs = []
    for i, g in enumerate(gold):
        if free.get(g):
            pairs.append((i, free[g].pop(0)))
    return pairs


# --------------------------------------------------------------------------- entities


def _values_equal(label: str, gold: dict, pred: dict) -> bool:
    if label == "DATE":
        return gold.get("start_date") == pred.get("start_date") and gold.get("end_date") == pred.get("end_date")
    if label == "MONEY":
        gv, pv = gold.get("value"), pred.get("value")
        if (gv is None) != (pv is None):
            return False
        if gv is not None and not abs(float(gv) - float(pv)) <= MONEY_TOLERANCE:
            return False
        return gold.get("currency") == pred.get("currency") and bool(gold.get("approx")) == bool(pred.get("approx"))
    if label == "PERSON_COUNT":
        gv, pv = gold.get("value"), pred.get("value")
        return (gv is None and pv is None) or (gv is not None and pv is not None and int(gv) == int(pv)
                                                and float(pv) == int(pv))
    if label == "DOC_TITLE":
        return (gold.get("kind") or "") == (pred.get("kind") or "")
    if label == "DOC_NUMBER":
        return all(gold.get(k) == pred.get(k) for k in ("issuer_code", "year", "serial"))
    return True


def _entity_values(e: Any) -> dict:
    v = e.values()
    for k in ("start_date", "end_date"):  # tolerate predictions that hold dates, not strings
        if isinstance(v.get(k), dt.date):
            v[k] = v[k].isoformat()
    return v


def score_entities(gold: Sequence[GoldNotice], pred: Sequence[Sequence[Any]], *,
                   labels: Sequence[str] = ENTITY_LABELS,
                   value_labels: Sequence[str] = VALUE_LABELS) -> dict[str, Any]:
    """Entity spans per label, exact and overlap, micro totals; value accuracy on exact matches.

    ``pred[k]`` holds the predicted entities of ``gold[k]`` (:class:`pipeline.types.Entity` or
    anything with ``start``, ``end``, ``label`` and ``values()``). Returns::

        {"labels": {L: {"gold": n, "pred": n, "exact": prf, "overlap": prf}},
         "micro": {"gold", "pred", "exact", "overlap"},
         "values": {L: {"n", "correct", "accuracy"}, "overall": {...}}}
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold notices but {len(pred)} predictions")
    counts = {l: {"gold": 0, "pred": 0, "exact_tp": 0, "overlap_tp": 0} for l in labels}
    vals = {l: {"n": 0, "correct": 0} for l in value_labels}
    for g, p in zip(gold, pred):
        for label in labels:
            ge = sorted((e for e in g.entities if e.label == label), key=_span)
            pe = sorted((e for e in p if e.label == label), key=_span)
            gs, ps = [_span(e) for e in ge], [_span(e) for e in pe]
            c = counts[label]
            c["gold"] += len(gs)
            c["pred"] += len(ps)
            exact = _exact_pairs(gs, ps)
            c["exact_tp"] += len(exact)
            c["overlap_tp"] += len(max_overlap_matching(gs, ps))
            if label in vals:
                for i, j in exact:
                    vals[label]["n"] += 1
                    vals[label]["correct"] += _values_equal(label, _entity_values(ge[i]), _entity_values(pe[j]))
    out: dict[str, Any] = {"labels": {}, "values": {}}
    tot = Counter()
    for label, c in counts.items():
        out["labels"][label] = {
            "gold": c["gold"], "pred": c["pred"],
            "exact": prf(c["exact_tp"], c["pred"] - c["exact_tp"], c["gold"] - c["exact_tp"]),
            "overlap": prf(c["overlap_tp"], c["pred"] - c["overlap_tp"], c["gold"] - c["overlap_tp"])}
        tot.update(c)
    out["micro"] = {
        "gold": tot["gold"], "pred": tot["pred"],
        "exact": prf(tot["exact_tp"], tot["pred"] - tot["exact_tp"], tot["gold"] - tot["exact_tp"]),
        "overlap": prf(tot["overlap_tp"], tot["pred"] - tot["overlap_tp"], tot["gold"] - tot["overlap_tp"])}
    n = correct = 0
    for label, v in vals.items():
        out["values"][label] = {**v, "accuracy": _ratio(v["correct"], v["n"])}
        n, correct = n + v["n"], correct + v["correct"]
    out["values"]["overall"] = {"n": n, "correct": correct, "accuracy": _ratio(correct, n)}
    return out


# --------------------------------------------------------------------------- structure


def normalize_item_number(number: str) -> str:
    """For matching only: ``"（三）"`` → ``"三"``, ``" 1. "`` → ``"1"``, ``"28①"`` unchanged."""
    return number.strip().strip("（）()[]【】").rstrip("、.．:：").strip()


def lcs_pairs(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[int, int]]:
    """Index pairs of one longest common subsequence of ``a`` and ``b`` (earliest-aligned)."""
    n, m = len(a), len(b)
    L = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            L[i][j] = L[i + 1][j + 1] + 1 if a[i] == b[j] else max(L[i + 1][j], L[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif L[i + 1][j] >= L[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def score_structure(gold: Sequence[GoldNotice], pred_notices: Sequence[ParsedNotice]) -> dict[str, Any]:
    """Items found and their statuses.

    * ``count_match``: share of notices whose predicted item count equals the gold count;
    * ``numbers``: precision/recall/F1 of the item-number sequence — the gold and predicted
      numbers in text order (after :func:`normalize_item_number`) are aligned by a longest common
      subsequence, so numbering that restarts in each group is matched in order, not by value;
    * ``status``: accuracy over the aligned items (plus a gold→pred confusion table);
    * ``spans_exact``: aligned items whose start and end are both equal.
    """
    if len(gold) != len(pred_notices):
        raise ValueError(f"{len(gold)} gold notices but {len(pred_notices)} predictions")
    per_notice = []
    tp = n_gold = n_pred = count_ok = status_ok = spans_ok = 0
    confusion = {g: {p: 0 for p in STATUSES} for g in STATUSES}
    for g, p in zip(gold, pred_notices):
        gi = sorted(g.items, key=_span)
        pi = sorted(p.items, key=_span)
        pairs = lcs_pairs([normalize_item_number(x.number) for x in gi],
                          [normalize_item_number(x.number) for x in pi])
        s_ok = sum(gi[i].status == pi[j].status for i, j in pairs)
        for i, j in pairs:
            if gi[i].status in confusion and pi[j].status in confusion[gi[i].status]:
                confusion[gi[i].status][pi[j].status] += 1
        sp_ok = sum(_span(gi[i]) == _span(pi[j]) for i, j in pairs)
        per_notice.append({"id": g.id, "gold_items": len(gi), "pred_items": len(pi),
                           "count_match": len(gi) == len(pi), "matched": len(pairs), "status_correct": s_ok})
        tp, n_gold, n_pred = tp + len(pairs), n_gold + len(gi), n_pred + len(pi)
        count_ok += len(gi) == len(pi)
        status_ok += s_ok
        spans_ok += sp_ok
    return {
        "notices": len(gold),
        "count_match": {"n": len(gold), "correct": count_ok, "accuracy": _ratio(count_ok, len(gold))},
        "numbers": {"gold": n_gold, "pred": n_pred, **prf(tp, n_pred - tp, n_gold - tp)},
        "status": {"n": tp, "correct": status_ok, "accuracy": _ratio(status_ok, tp), "confusion": confusion},
        "spans_exact": {"n": tp, "correct": spans_ok, "accuracy": _ratio(spans_ok, tp)},
        "per_notice": per_notice,
    }


# --------------------------------------------------------------------------- measures


def trim_span(text: str, start: int, end: int, chars: str = MEASURE_TRIM) -> tuple[int, int]:
    """Shrink ``[start, end)`` past whitespace and ``。；;，,`` on both sides."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def measure_matching(text: str, gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, list[tuple[int, int]]]:
    """Exact (after trimming) and overlap (after trimming) one-to-one pairs of measure indices."""
    gs = [trim_span(text, *_span(m)) for m in gold]
    ps = [trim_span(text, *_span(m)) for m in pred]
    gs_ok = [s if s[0] < s[1] else (-1, -1) for s in gs]  # a span of punctuation only matches nothing
    ps_ok = [s if s[0] < s[1] else (-2, -2) for s in ps]
    return {"exact": _exact_pairs(gs_ok, ps_ok), "overlap": max_overlap_matching(gs_ok, ps_ok)}


def score_measure_segmentation(gold: Sequence[GoldNotice], pred: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Measure spans: P/R/F1 where a match is equal spans after trimming whitespace and
    ``。；;，,`` on both sides (``exact``), and where trimmed spans overlap (``overlap``).

    ``pred[k]`` holds the predicted measures of ``gold[k]`` (objects with ``start``/``end``, or
    ``(start, end)`` pairs).
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold notices but {len(pred)} predictions")
    n_gold = n_pred = ex = ov = 0
    for g, p in zip(gold, pred):
        m = measure_matching(g.text, g.measures, list(p))
        n_gold, n_pred = n_gold + len(g.measures), n_pred + len(p)
        ex, ov = ex + len(m["exact"]), ov + len(m["overlap"])
    return {"gold": n_gold, "pred": n_pred,
            "exact": prf(ex, n_pred - ex, n_gold - ex), "overlap": prf(ov, n_pred - ov, n_gold - ov)}


def score_measure_labels(gold_labels: Sequence[Iterable[str]], pred_labels: Sequence[Iterable[str]],
                         labels: Sequence[str] = MEASURE_LABELS) -> dict[str, Any]:
    """Multi-label scores over paired measures: per label P/R/F1 and support, macro and micro F1.

    sklearn with ``zero_division=0``: a label never predicted has precision 0, never in gold
    recall 0 (so it pulls the macro average down; ``support`` tells those cases apart).
    """
    from sklearn.metrics import f1_score, precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    gold_labels, pred_labels = [set(g) for g in gold_labels], [set(p) for p in pred_labels]
    if len(gold_labels) != len(pred_labels):
        raise ValueError(f"{len(gold_labels)} gold label sets but {len(pred_labels)} predicted")
    out: dict[str, Any] = {"n": len(gold_labels), "labels": {}}
    if not gold_labels:
        out.update({l: None for l in ("macro_f1", "micro_f1")})
        out["labels"] = {l: {"precision": None, "recall": None, "f1": None, "support": 0, "predicted": 0}
                         for l in labels}
        return out
    mlb = MultiLabelBinarizer(classes=list(labels))
    known = set(labels)
    y_true = mlb.fit_transform([g & known for g in gold_labels])
    y_pred = mlb.transform([p & known for p in pred_labels])
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, labels=list(range(len(labels))),
                                                 zero_division=0)
    for k, label in enumerate(labels):
        out["labels"][label] = {"precision": float(p[k]), "recall": float(r[k]), "f1": float(f[k]),
                                "support": int(s[k]), "predicted": int(y_pred[:, k].sum())}
    out["macro_f1"] = float(f1_score(y_true, y_pred, average="macro", zero_division=0))
    out["micro_f1"] = float(f1_score(y_true, y_pred, average="micro", zero_division=0))
    return out


# --------------------------------------------------------------------------- whole runs


def evaluate_predictions(gold: Sequence[GoldNotice], parsed: Sequence[ParsedNotice]) -> dict[str, Any]:
    """Every score for one set of notices and their predictions.

    Measure labels are scored on the measure pairs of the trimmed-overlap matching (their count is
    ``measure_labels.n``); unmatched measures count only in the segmentation scores.
    """
    gold_sets: list[set] = []
    pred_sets: list[set] = []
    for g, p in zip(gold, parsed):
        pm = list(p.measures)
        for i, j in measure_matching(g.text, g.measures, pm)["overlap"]:
            gold_sets.append(set(g.measures[i].labels))
            pred_sets.append(set(pm[j].labels))
    return {
        "notices": len(gold),
        "entities": score_entities(gold, [p.entities for p in parsed]),
        "structure": score_structure(gold, parsed),
        "measure_segmentation": score_measure_segmentation(gold, [p.measures for p in parsed]),
        "measure_labels": score_measure_labels(gold_sets, pred_sets),
    }


def run_evaluation(gold_path: str | Path, predict: Callable[[str, dt.date | None], ParsedNotice],
                   report_path: str | Path | None = None) -> dict[str, Any]:
    """Predict every gold notice and score it: over all notices and per ``origin``.

    ``predict(text, notice_date)`` is e.g. ``pipeline.api.parse_text``; it must return offsets into
    the very ``text`` it was given. The report (JSON-serialisable) is written to ``report_path``.
    """
    gold = load_gold(gold_path)
    parsed: list[ParsedNotice] = []
    for g in gold:
        p = predict(g.text, g.notice_date)
        if p.text != g.text:
            raise ValueError(f"predict() changed the text of notice {g.id!r}: offsets would not compare")
        parsed.append(p)
    groups: dict[str, list[int]] = {"all": list(range(len(gold)))}
    for origin in sorted({g.origin for g in gold}):
        groups[origin] = [k for k, g in enumerate(gold) if g.origin == origin]
    report = {
        "gold_path": str(gold_path),
        "notices": len(gold),
        "groups": {name: evaluate_predictions([gold[k] for k in idx], [parsed[k] for k in idx])
                   for name, idx in groups.items()},
    }
    if report_path is not None:
        path = Path(report_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return report
