"""Active learning for measure labels: the least certain measures out, corrected labels back in.

:func:`suggest_uncertain` writes the least certain measures as Label Studio tasks;
:func:`import_measure_labels` and :func:`merge_measure_labels` bring the corrected labels back.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

import numpy as np

from pipeline.errors import PipelineError
from pipeline.fsutil import atomic_write_text
from pipeline.measures.classifier import DEFAULT_GOLD_PATH, DEFAULT_MODEL_DIR, LABELS, LS_FROM_NAME, LS_TO_NAME, MeasureClassifier
from pipeline.annotation.gold import load_gold


# --------------------------------------------------------------------------- active learning


def _classifier_from(classifier: "MeasureClassifier | str | Path") -> MeasureClassifier:
    return classifier if isinstance(classifier, MeasureClassifier) else MeasureClassifier.load(classifier)


def _gold_spans(gold_path: str | Path) -> set[tuple[str, int, int]]:
    return {(n.id, m.start, m.end) for n in load_gold(Path(gold_path)) for m in n.measures}


def suggest_uncertain(measures_parquet_path: str | Path, n: int, out_path: str | Path,
                      classifier: "MeasureClassifier | str | Path" = DEFAULT_MODEL_DIR, *,
                      gold_path: str | Path | None = None,
                      exclude_notices: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Write the ``n`` measures the classifier is least sure about as Label Studio tasks.

    Uncertainty of a measure = its label decision closest to the threshold: the smallest
    ``|p - threshold|`` over the three labels. Ties go by notice id and start. Measures already in
    ``gold_path`` (same notice id, start and end) are skipped. Each task carries the model's
    labels as a prediction (``score`` = that smallest margin scaled to 0..1, low = unsure) for the
    labeling config ``annotations/label_studio_measures_config.xml``. Notices in
    ``exclude_notices`` (the held-out test set) are never suggested, so they stay unseen.

    Example::

        suggest_uncertain("output/measures.parquet", 50, "annotations/ls_measure_tasks.json",
                          "models/measure_classifier", gold_path="annotations/gold.jsonl")

    Returns the tasks written.
    """
    import pandas as pd

    clf = _classifier_from(classifier)
    table = pd.read_parquet(measures_parquet_path)
    missing = {"measure_id", "notice_id", "text", "start", "end"} - set(table.columns)
    if missing:
        raise PipelineError(f"{measures_parquet_path}: missing column(s) {', '.join(sorted(missing))}")
    if gold_path is not None and Path(gold_path).exists():
        done = _gold_spans(gold_path)
        keep = [(str(r.notice_id), int(r.start), int(r.end)) not in done for r in table.itertuples()]
        table = table[keep]
    excluded = set(exclude_notices)
    if excluded:
        table = table[~table["notice_id"].astype(str).isin(excluded)]
    table = table[table["text"].astype(str).str.strip() != ""].reset_index(drop=True)
    tasks: list[dict[str, Any]] = []
    if len(table) and n > 0:
        proba = clf.predict_proba(table["text"].astype(str).tolist())
        t = clf.threshold
        margin = np.abs(proba - t) / max(t, 1 - t)  # 0 = on the threshold, 1 = certain
        least = margin.min(axis=1)
        order = sorted(range(len(table)), key=lambda i: (least[i], str(table.at[i, "notice_id"]),
                                                         int(table.at[i, "start"])))
        for i in order[:n]:
            row = table.iloc[i]
            labels = [label for j, label in enumerate(LABELS) if proba[i, j] >= t]
            result = ([{"from_name": LS_FROM_NAME, "to_name": LS_TO_NAME, "type": "choices",
                        "value": {"choices": labels}}] if labels else [])
            tasks.append({
                "data": {"text": str(row["text"]), "measure_id": str(row["measure_id"]),
                         "notice_id": str(row["notice_id"]), "start": int(row["start"]),
                         "end": int(row["end"])},
                "predictions": [{"model_version": clf.model_version, "score": round(float(least[i]), 4),
                                 "result": result}],
            })
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_path, json.dumps(tasks, ensure_ascii=False, indent=2) + "\n")
    return tasks


class ImportedMeasure(NamedTuple):
    """One labelled measure read back from Label Studio."""

    text: str
    labels: list[str]
    notice_id: str
    start: int
    end: int


def _latest_annotation(task: dict) -> dict | None:
    annotations = [a for a in (task.get("annotations") or task.get("completions") or [])
                   if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        return None
    return max(enumerate(annotations),
               key=lambda pair: (str(pair[1].get("updated_at") or pair[1].get("created_at") or ""), pair[0]))[1]


def import_measure_labels(label_studio_export_json: str | Path | list) -> list[ImportedMeasure]:
    """Read a Label Studio JSON export of measure tasks (made from :func:`suggest_uncertain`).

    Takes each task's latest annotation that was not cancelled; tasks nobody annotated are left
    out. An annotation with no choice means "none of the three labels". Also reads the JSON-MIN
    export (``measure_labels`` as a field of each row).

    Example::

        import_measure_labels("project-3-at-2024-05-01.json")
        # [ImportedMeasure(text='问责7人。', labels=['accountability'], notice_id='...', start=10, end=15)]

    Returns ``[ImportedMeasure(text, labels, notice_id, start, end), ...]``.
    """
    from pipeline.annotation.gold_records import AnnotationError, sort_measure_labels

    source = label_studio_export_json
    if isinstance(source, (str, Path)):
        try:
            tasks = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AnnotationError(f"{source}: cannot read the Label Studio export ({exc})") from exc
    else:
        tasks, source = source, "<export>"
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise AnnotationError(f"{source}: a Label Studio export is a JSON list of tasks")
    out = []
    for k, task in enumerate(tasks):
        where = f"{source}: task {task.get('id', k) if isinstance(task, dict) else k}"
        if not isinstance(task, dict):
            raise AnnotationError(f"{where}: not a JSON object")
        data = task.get("data", task)  # JSON-MIN rows are flat
        if "annotations" in task or "completions" in task:
            annotation = _latest_annotation(task)
            if annotation is None:
                continue
            labels = []
            for r in annotation.get("result") or []:
                if r.get("from_name") == LS_FROM_NAME and r.get("type") == "choices":
                    labels.extend((r.get("value") or {}).get("choices") or [])
        elif LS_FROM_NAME in task:
            value = task[LS_FROM_NAME]
            labels = ([value] if isinstance(value, str) else
                      (value.get("choices") if isinstance(value, dict) else value) or [])
        else:
            continue  # not annotated
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            raise AnnotationError(f"{where}: unknown measure label(s) {unknown} (allowed: {', '.join(LABELS)})")
        try:
            item = ImportedMeasure(str(data["text"]), sort_measure_labels(labels), str(data["notice_id"]),
                                   int(data["start"]), int(data["end"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise AnnotationError(f"{where}: the task data needs text, notice_id, start and end ({exc})") from exc
        out.append(item)
    return out


def merge_measure_labels(imported: Iterable[ImportedMeasure] | str | Path,
                         gold_path: str | Path = DEFAULT_GOLD_PATH, *,
                         echo: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Put imported measure labels into the gold file (matched by notice id + start/end).

    Only labels change; measures that match no gold measure (unknown notice, no measure at that
    span, or a different text there) are reported, never added. The gold file is rewritten
    atomically and only if something changed. ``imported`` may also be the export file itself.

    Example::

        merge_measure_labels(import_measure_labels("export.json"), "annotations/gold.jsonl")

    Returns ``{"updated", "unchanged", "unmatched": [{"notice_id", "start", "end", "text",
    "reason"}]}``.
    """
    from pipeline.annotation.gold import load_gold, save_gold
    from pipeline.annotation.gold_records import sort_measure_labels

    if isinstance(imported, (str, Path)):
        imported = import_measure_labels(imported)
    gold_path = Path(gold_path)
    notices = load_gold(gold_path)
    by_id = {n.id: n for n in notices}
    updated, unchanged, unmatched = 0, 0, []
    for item in imported:
        notice = by_id.get(item.notice_id)
        measure = None
        if notice is not None:
            measure = next((m for m in notice.measures if (m.start, m.end) == (item.start, item.end)), None)
        reason = ("no such notice" if notice is None else
                  "no measure with this span" if measure is None else
                  "the gold text differs" if measure.text != item.text else None)
        if reason:
            unmatched.append({"notice_id": item.notice_id, "start": item.start, "end": item.end,
                              "text": item.text, "reason": reason})
            continue
        labels = sort_measure_labels(item.labels)
        if list(measure.labels) == labels:
            unchanged += 1
        else:
            measure.labels = labels
            updated += 1
    if updated:
        save_gold(notices, gold_path)
    report = {"updated": updated, "unchanged": unchanged, "unmatched": unmatched}
    if echo:
        echo(f"{gold_path}: {updated} measure(s) relabelled, {unchanged} unchanged, "
             f"{len(unmatched)} unmatched")
        for u in unmatched:
            echo(f"  unmatched {u['notice_id']} [{u['start']}, {u['end']}) {u['text'][:30]!r}: {u['reason']}")
    return report
