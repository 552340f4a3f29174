"""The retraining loop with a live Label Studio: push tasks, pull finished annotations into gold.

Two projects per ``--project`` name: ``NAME: measures`` (one task per measure, config
``annotations/label_studio_measures_config.xml``) and ``NAME: notices`` (one task per whole
notice, config :func:`~pipeline.annotation.label_studio.label_studio_config`).

* :func:`push` parses the notice files of a folder that are not yet in the gold file nor the
  held-out set, and imports the ``n`` measures the shipped classifier is least sure about, plus
  (``notices``) the whole notices those measures come from first, each pre-annotated with our
  predictions. Tasks already on the server are not imported twice.
* :func:`pull` exports both projects and merges the finished annotations into the gold file. A
  gold record is one whole notice, so a measure task's labels land on the measure with the same
  span in its notice's record: the notice pulled in the same run (the measure task wins over the
  labels left in the notice task) or already in gold. A measure whose notice is in neither waits
  for its notice task. An annotation that differs from what gold already holds is a conflict: it
  is reported and gold keeps its value (``replace=True`` takes the annotation). Every task is
  checked before anything is written; a task whose text no longer matches its notice stops the
  pull with nothing written.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np

from pipeline.annotation.gold import from_parsed, load_gold, save_gold
from pipeline.annotation.gold_records import AnnotationError, GoldNotice, sort_measure_labels
from pipeline.annotation.label_studio import label_studio_config, label_studio_task_to_gold, _latest_annotation
from pipeline.annotation.label_studio_server import LabelStudioServer
from pipeline.annotation.measure_labels import import_measure_labels
from pipeline.errors import AnnotationServerError, IngestError, SUPPORTED_SUFFIXES
from pipeline.measures.classifier import LABELS, LS_FROM_NAME, LS_TO_NAME, REPO_DIR, MeasureClassifier

MEASURES_CONFIG = REPO_DIR / "annotations" / "label_studio_measures_config.xml"


def project_titles(name: str) -> dict[str, str]:
    return {"measures": f"{name}: measures", "notices": f"{name}: notices"}


def configs() -> dict[str, str]:
    return {"measures": MEASURES_CONFIG.read_text(encoding="utf-8"), "notices": label_studio_config()}


# --------------------------------------------------------------------------- push


def _known_texts(*gold_paths: Path) -> tuple[set[str], set[str]]:
    ids, hashes = set(), set()
    for path in gold_paths:
        if path.exists():
            for g in load_gold(path):
                ids.add(g.id)
                hashes.add(g.text_hash)
    return ids, hashes


def candidate_notices(corpus: Path, models: Path, gold_path: Path, *, origin: str = "real",
                      echo: Callable[[str], None] | None = None) -> list[GoldNotice]:
    """Our predictions, as pre-annotations, for the notice files under ``corpus`` that neither the
    gold file nor the held-out set (``heldout.jsonl`` beside it) holds."""
    from pipeline.parse import NoticeParser
    from pipeline.read.ingest import read_notice
    from pipeline.tables.run import notice_id_of

    ids, hashes = _known_texts(gold_path, gold_path.with_name("heldout.jsonl"))
    files = [corpus] if corpus.is_file() else sorted(
        p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    parser = NoticeParser(ner=models / "ner", classifier=models / "measure_classifier", build_docs=False)
    records = []
    for path in files:
        try:
            doc = read_notice(path)
        except IngestError as exc:
            if echo:
                echo(f"skipped {path}: {exc}")
            continue
        nid = notice_id_of(doc.text)
        probe = GoldNotice(id=nid, source="", origin=origin, text=doc.text)
        if nid in ids or probe.text_hash in hashes:
            continue
        parsed = parser.parse(doc.text)
        source = str(path.resolve().relative_to(REPO_DIR)) if path.resolve().is_relative_to(REPO_DIR) else str(path)
        records.append(from_parsed(parsed, id=nid, source=source, origin=origin))
        ids.add(nid)
        hashes.add(probe.text_hash)
    return records


def measure_tasks(records: list[GoldNotice], n: int, classifier: MeasureClassifier) -> list[dict]:
    """The ``n`` least certain measures of ``records`` as measure tasks (least certain first):
    uncertainty is the label decision closest to the threshold, as in ``suggest_uncertain``."""
    rows = [(rec, m) for rec in records for m in rec.measures]
    if not rows or n <= 0:
        return []
    proba = classifier.predict_proba([m.text for _, m in rows])
    t = classifier.threshold
    least = (np.abs(proba - t) / max(t, 1 - t)).min(axis=1)
    order = sorted(range(len(rows)), key=lambda i: (least[i], rows[i][0].id, rows[i][1].start))
    tasks = []
    for i in order[:n]:
        rec, m = rows[i]
        labels = [label for j, label in enumerate(LABELS) if proba[i, j] >= t]
        result = ([{"from_name": LS_FROM_NAME, "to_name": LS_TO_NAME, "type": "choices",
                    "value": {"choices": labels}}] if labels else [])
        tasks.append({"data": {"text": m.text, "notice_id": rec.id, "start": m.start, "end": m.end,
                               "source": rec.source},
                      "predictions": [{"model_version": classifier.model_version,
                                       "score": round(float(least[i]), 4), "result": result}]})
    return tasks


def notice_tasks(records: list[GoldNotice], chosen_measures: list[dict], k: int, model_version: str) -> list[dict]:
    """Whole-notice tasks for ``k`` notices: those of the chosen measures first, then the rest."""
    from pipeline.annotation.label_studio import to_label_studio_tasks

    order = list(dict.fromkeys([t["data"]["notice_id"] for t in chosen_measures] + [r.id for r in records]))
    by_id = {r.id: r for r in records}
    return to_label_studio_tasks([by_id[i] for i in order[:max(k, 0)]], model_version=model_version)


def _task_key(kind: str, data: dict) -> tuple:
    return ((data.get("notice_id"),) if kind == "notices" else
            (data.get("notice_id"), data.get("start"), data.get("end")))


def push(server: LabelStudioServer, name: str, corpus: Path, n: int, notices: int, *, models: Path,
         gold_path: Path, origin: str = "real", echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Import the least certain measures (and whole notices) as pre-annotated tasks."""
    server.check()
    titles, cfgs = project_titles(name), configs()
    for kind in ("measures", "notices"):  # fail on a foreign project before parsing anything
        found = server.find_project(titles[kind])
        if found is not None:
            server.require_config(found, cfgs[kind])
    classifier = MeasureClassifier.load(models / "measure_classifier")
    records = candidate_notices(corpus, models, gold_path, origin=origin, echo=echo)
    chosen = measure_tasks(records, n, classifier)
    wanted = {"measures": chosen, "notices": notice_tasks(records, chosen, notices, classifier.model_version)}
    report: dict[str, Any] = {"candidates": len(records)}
    for kind, tasks in wanted.items():
        if not tasks:
            continue
        project, created = server.ensure_project(titles[kind], cfgs[kind])
        present = {_task_key(kind, t.get("data") or {}) for t in server.export(project["id"])}
        new = [t for t in tasks if _task_key(kind, t["data"]) not in present]
        server.import_tasks(project["id"], new)
        report[kind] = {"project": project["id"], "created": created, "imported": len(new),
                        "already_there": len(tasks) - len(new)}
        echo(f"{titles[kind]!r} (project {project['id']}{', new' if created else ''}): imported "
             f"{len(new)} task(s), {len(tasks) - len(new)} already there")
    if not chosen and not wanted["notices"]:
        echo(f"nothing to push: no notice under {corpus} is new to {gold_path.name} and the held-out set")
    return report


# --------------------------------------------------------------------------- pull


def _differences(new: GoldNotice, old: GoldNotice) -> str:
    a, b = new.to_dict(), old.to_dict()
    parts = []
    for layer in ("entities", "items", "measures"):
        na = {json.dumps(x, sort_keys=True, ensure_ascii=False) for x in a[layer]}
        nb = {json.dumps(x, sort_keys=True, ensure_ascii=False) for x in b[layer]}
        if na != nb:
            parts.append(f"{layer}: {len(na - nb)} only in the annotation, {len(nb - na)} only in gold")
    if a["notice_date"] != b["notice_date"]:
        parts.append(f"notice_date {a['notice_date']} vs {b['notice_date']}")
    return "; ".join(parts)


def _same_content(a: GoldNotice, b: GoldNotice) -> bool:
    keep = ("text", "notice_date", "entities", "items", "measures")
    da, db = a.to_dict(), b.to_dict()
    return all(da[k] == db[k] for k in keep)


def _checked_notice(task: dict, where: str) -> GoldNotice:
    from pipeline.annotation.importer import rule_normalizer
    from pipeline.tables.run import notice_id_of

    data = task.get("data") or {}
    text, nid = data.get("text"), data.get("notice_id")
    if isinstance(text, str) and nid and notice_id_of(text) != nid:
        raise AnnotationError(f"{where}: the task's text no longer matches notice {nid!r} (it was changed "
                              f"after the push). Fix: restore the text or delete the task, then pull again")
    return label_studio_task_to_gold(task, rule_normalizer)


def pull(server: LabelStudioServer, name: str, gold_path: Path, *, replace: bool = False,
         echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Merge the finished annotations of both projects into ``gold_path``; see the module doc."""
    server.check()
    titles, cfgs = project_titles(name), configs()
    exports: dict[str, list[dict]] = {}
    for kind in ("notices", "measures"):
        project = server.find_project(titles[kind])
        if project is not None:
            server.require_config(project, cfgs[kind])
            exports[kind] = [t for t in server.export(project["id"]) if _latest_annotation(t) is not None]
    if not exports:
        raise AnnotationServerError(f"Label Studio at {server.url} has no project {titles['notices']!r} "
                                    f"nor {titles['measures']!r}. Fix: push first, or give the --project used")
    gold = load_gold(gold_path) if gold_path.exists() else []
    by_id = {g.id: i for i, g in enumerate(gold)}
    by_hash = {g.text_hash: i for i, g in enumerate(gold)}

    pulled: dict[str, GoldNotice] = {}
    for task in exports.get("notices", []):
        where = f"Label Studio project {titles['notices']!r}, task {task.get('id')}"
        rec = _checked_notice(task, where)
        if rec.id in pulled:
            raise AnnotationError(f"{where}: a second task for notice {rec.id!r}")
        i = by_id.get(rec.id)
        if i is not None and gold[i].text != rec.text:
            raise AnnotationError(f"{where}: the task's text no longer matches notice {rec.id!r} in {gold_path}")
        pulled[rec.id] = rec

    report: dict[str, Any] = {"added": [], "replaced": [], "unchanged": [], "relabelled": 0,
                              "measure_labels": 0, "waiting": [], "conflicts": []}
    relabel_gold: list[tuple[int, int, list[str]]] = []
    for m in import_measure_labels(exports.get("measures", [])):
        span = f"notice {m.notice_id!r} [{m.start}, {m.end})"
        target = pulled.get(m.notice_id)
        gi = by_id.get(m.notice_id)
        record = target if target is not None else (gold[gi] if gi is not None else None)
        if record is None:
            report["waiting"].append(f"{span}: its notice is not in gold yet; annotate its notice task")
            continue
        if record.text[m.start:m.end] != m.text:
            raise AnnotationError(f"Label Studio project {titles['measures']!r}, measure {span}: the task's "
                                  f"text {m.text[:30]!r} no longer matches the notice's text there "
                                  f"{record.text[m.start:m.end][:30]!r}")
        k = next((j for j, x in enumerate(record.measures) if (x.start, x.end) == (m.start, m.end)), None)
        if k is None:
            report["conflicts"].append(f"{span}: the notice's record has no measure with this span")
            continue
        labels = sort_measure_labels(m.labels)
        if target is not None:
            target.measures[k].labels = labels
            report["measure_labels"] += 1
        elif list(record.measures[k].labels) != labels:
            if replace:
                relabel_gold.append((gi, k, labels))
            else:
                report["conflicts"].append(f"{span}: labelled {labels}, gold has {record.measures[k].labels}")

    out = list(gold)
    changed = False
    for rec in pulled.values():
        i = by_id.get(rec.id, by_hash.get(rec.text_hash))
        if i is None:
            out.append(rec)
            report["added"].append(rec.id)
            changed = True
        elif _same_content(rec, out[i]):
            report["unchanged"].append(rec.id)
        elif replace:
            old = out[i]
            out[i] = GoldNotice(id=old.id, source=old.source, origin=old.origin, text=rec.text,
                                notice_date=rec.notice_date, entities=rec.entities, items=rec.items,
                                measures=rec.measures)
            report["replaced"].append(old.id)
            changed = True
        else:
            report["conflicts"].append(f"notice {out[i].id!r}: the annotation differs from gold "
                                       f"({_differences(rec, out[i])})")
    for i, k, labels in relabel_gold:
        out[i].measures[k].labels = labels
        report["relabelled"] += 1
        changed = True
    if changed:
        save_gold(out, gold_path)
    report["written"] = changed
    echo(f"{gold_path}: {len(report['added'])} notice(s) added, {len(report['replaced'])} replaced, "
         f"{report['relabelled']} gold measure(s) relabelled, {len(report['unchanged'])} unchanged; "
         f"{report['measure_labels']} measure label(s) from measure tasks; {len(report['waiting'])} waiting, "
         f"{len(report['conflicts'])} conflict(s)" + ("" if changed else "; nothing new, gold not rewritten"))
    for line in report["waiting"]:
        echo(f"  waiting: {line}")
    for line in report["conflicts"]:
        echo(f"  conflict (gold kept; --replace takes the annotation): {line}")
    return report
