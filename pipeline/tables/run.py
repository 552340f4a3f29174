"""Batch extraction: a folder of notice files in, the linked parquet tables out.

Incremental and idempotent: a file whose bytes are unchanged since the last run is not parsed
again, a changed file replaces its old rows, a removed file's rows stay until ``prune=True``,
and the same text under two names is parsed once (the second is ``skipped`` as a duplicate).
Tables are flushed every ``checkpoint`` files and at the end, each time all of them at once
(``tables.write_tables``), so a run killed at any point leaves the previous complete tables and
the next run picks up what is left.
"""
from __future__ import annotations

import csv
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.errors import IngestError
from pipeline.read.inputs import corpus_metadata_files, iter_inputs
from pipeline.read.ingest import read_notice
from pipeline.tables.schema import NOTICE_TABLES, TABLE_ORDER
from pipeline.tables.store import output_lock, read_rows, write_tables
from pipeline.tables.summary import summary_row
from pipeline.types import MEASURE_LABELS, ParsedNotice

log = logging.getLogger(__name__)


def notice_id_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def read_origins(folder: Path) -> dict[str, str]:
    """``path relative to folder → origin`` from every metadata.csv in the folder."""
    origins = {}
    for meta in corpus_metadata_files(folder):
        if meta.name.casefold() != "metadata.csv":
            continue
        with meta.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("file") and row.get("origin"):
                    rel = (meta.parent / row["file"]).resolve()
                    try:
                        origins[rel.relative_to(folder.resolve()).as_posix()] = row["origin"]
                    except ValueError:
                        continue
    return origins


def notice_rows(parsed: ParsedNotice, notice_id: str, source_path: str, origin: str,
                fmt: str | None, encoding: str | None, components: dict) -> dict[str, list[dict]]:
    """The rows one parsed notice contributes to each table."""
    items = parsed.items
    item_ids = [f"{notice_id}:i{k:03d}" for k in range(len(items))]
    groups = parsed.groups
    item_rows = []
    for k, item in enumerate(items):
        group = groups[item.group_index] if item.group_index is not None else None
        item_rows.append({
            "item_id": item_ids[k], "notice_id": notice_id, "item_index": k,
            "item_number": item.number, "parent_number": item.parent_number,
            "group_number": group.number if group else None, "group_title": group.title if group else None,
            "section": group.section if group else None, "problem": item.problem, "status": item.status,
            "status_text": item.status_text, "status_source": item.status_source, "refers_to": item.refers_to,
            "start": item.start, "end": item.end, "problem_start": item.problem_start,
            "problem_end": item.problem_end, "description_start": item.description_start,
            "description_end": item.description_end})
    measure_rows, measure_spans = [], []
    for k, m in enumerate(parsed.measures):
        measure_id = f"{notice_id}:m{m.start}"
        measure_spans.append((m.start, m.end, measure_id))
        row = {"measure_id": measure_id, "notice_id": notice_id,
               "item_id": item_ids[m.item_index] if m.item_index is not None else None,
               "measure_index": k, "start": m.start, "end": m.end, "text": m.text,
               "labels": list(m.labels), "keyword_labels": list(m.keyword_labels),
               "label_source": m.label_source}
        for label in MEASURE_LABELS:
            row[label] = label in m.labels
            row[f"p_{label}"] = m.probabilities.get(label)
        measure_rows.append(row)
    entity_rows = []
    for e in parsed.entities:
        item_id = next((item_ids[k] for k, item in enumerate(items)
                        if item.start <= e.start and e.end <= item.end and item.parent_number is None), None)
        sub_id = next((item_ids[k] for k, item in enumerate(items)
                       if item.parent_number and item.start <= e.start and e.end <= item.end), None)
        measure_id = next((mid for s, t, mid in measure_spans if s <= e.start and e.end <= t), None)
        entity_rows.append({
            "entity_id": f"{notice_id}:e{e.start}-{e.end}", "notice_id": notice_id,
            "item_id": sub_id or item_id, "measure_id": measure_id, "start": e.start, "end": e.end,
            "text": e.text, "label": e.label, "value": e.value, "start_date": e.start_date,
            "end_date": e.end_date, "currency": e.currency, "approx": e.approx, "kind": e.kind,
            "source": e.source, "issuer_code": e.issuer_code, "year": e.year, "serial": e.serial})
    notice = {
        "notice_id": notice_id, "source_path": source_path, "origin": origin, "format": fmt,
        "encoding": encoding, "title": parsed.title, "issuer": parsed.issuer,
        "notice_date": parsed.notice_date, "inspection_body": parsed.inspection_body,
        "inspection_start": parsed.inspection_start, "inspection_end": parsed.inspection_end,
        "feedback_date": parsed.feedback_date, "n_groups": len(groups),
        "n_items": sum(1 for i in items if i.parent_number is None),
        "n_measures": len(measure_rows), "n_entities": len(entity_rows), "n_chars": len(parsed.text),
        "text": parsed.text, "entity_source": components.get("entities"),
        "label_source": components.get("measure_labels"), "pipeline_version": __version__,
        "pipeline_fingerprint": components.get("fingerprint")}
    entity_by_start = {row["start"]: row["entity_id"] for row in entity_rows}
    fact_rows = []
    for f in parsed.facts:
        measure = parsed.measures[f.measure_index]
        fact_rows.append({
            "fact_id": f"{notice_id}:f{f.start}", "notice_id": notice_id,
            "item_id": item_ids[measure.item_index] if measure.item_index is not None else None,
            "measure_id": f"{notice_id}:m{measure.start}", "kind": f.kind, "category": f.category,
            "quantity": float(f.quantity), "unit": f.unit,
            "entity_id": entity_by_start.get(f.start) if f.is_entity else None,
            "start": f.start, "end": f.end, "text": f.text, "trigger": f.trigger,
            "trigger_start": f.trigger_start, "trigger_end": f.trigger_end,
            "part_of": f"{notice_id}:f{f.part_of}" if f.part_of is not None else None})
    return {"notices": [notice], "items": item_rows, "measures": measure_rows, "entities": entity_rows,
            "facts": fact_rows, "notice_summary": [summary_row(notice, item_rows, entity_rows, fact_rows)]}


@dataclass
class RunSummary:
    files: int = 0
    parsed: int = 0
    reused: int = 0
    skipped: int = 0
    failed: int = 0
    notices: int = 0
    items: int = 0
    measures: int = 0
    entities: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        return 1 if self.failed else 0

    def format(self) -> str:
        lines = [f"files read: {self.files} (parsed {self.parsed}, unchanged {self.reused}, "
                 f"skipped {self.skipped}, failed {self.failed})",
                 f"notices: {self.notices}  items: {self.items}  measures: {self.measures}  "
                 f"entities: {self.entities}"]
        lines += [f"FAILED {path}: {reason}" for path, reason in self.failures]
        return "\n".join(lines)


def extract_folder(in_dir: str | Path, out_dir: str | Path, *, parser=None, prune: bool = False,
                   checkpoint: int = 100, progress: Callable | None = None, wait: float = 600.0,
                   on_wait: Callable[[str], None] | None = None) -> RunSummary:
    """Extract every notice under ``in_dir`` into the tables in ``out_dir``.

    One run at a time writes an output folder: a second run into the same folder waits for the
    first (up to ``wait`` seconds, telling ``on_wait`` who holds it) and then adds its rows to
    what the first wrote, so runs over different input folders never lose each other's rows.
    """
    with output_lock(out_dir, wait, on_wait):
        return _extract_folder(Path(in_dir), Path(out_dir), parser, prune, checkpoint, progress)


def _extract_folder(in_dir: Path, out_dir: Path, parser, prune: bool, checkpoint: int,
                    progress: Callable | None) -> RunSummary:
    if parser is None:
        from pipeline.parse import default_parser
        parser = default_parser()
    old = {name: read_rows(out_dir, name) for name in TABLE_ORDER}
    rows_by_notice: dict[str, dict[str, list[dict]]] = {}
    for name in NOTICE_TABLES:
        for row in old[name]:
            rows_by_notice.setdefault(row["notice_id"], {}).setdefault(name, []).append(row)
    manifest = {row["path"]: row for row in old["manifest"]}
    origins = read_origins(in_dir) if in_dir.is_dir() else {}
    paths = iter_inputs(in_dir)
    summary = RunSummary(files=len(paths))
    seen_paths: set[str] = set()
    ids_this_run: dict[str, str] = {}
    since_flush = 0

    def flush():
        keep_ids = {row["notice_id"] for row in manifest.values() if row["status"] == "ok" and row["notice_id"]}
        tables = {name: [] for name in NOTICE_TABLES}
        for notice_id in sorted(keep_ids):
            for name, rows in rows_by_notice.get(notice_id, {}).items():
                tables[name].extend(rows)
        tables["manifest"] = [manifest[p] for p in sorted(manifest)]
        write_tables(out_dir, tables)

    iterator = progress(paths) if progress else paths
    for path in iterator:
        rel = path.relative_to(in_dir).as_posix() if path != in_dir else path.name
        seen_paths.add(rel)
        previous = manifest.get(rel)
        sha = file_sha256(path)
        fingerprint = getattr(parser, "fingerprint", None)
        if (previous and sha and previous["sha256"] == sha and previous["status"] == "ok"
                and previous["notice_id"] in rows_by_notice and previous["notice_id"] not in ids_this_run
                and (rows_by_notice[previous["notice_id"]].get("notices") or [{}])[0].get("pipeline_fingerprint") == fingerprint):
            ids_this_run[previous["notice_id"]] = rel
            summary.reused += 1
            continue
        row = {"path": rel, "status": "ok", "reason": None, "error_type": None, "sha256": sha,
               "notice_id": None, "format": path.suffix.lower().lstrip(".") or None, "encoding": None,
               "n_bytes": None, "warnings": []}
        try:
            source = read_notice(path)
            row.update(sha256=source.sha256, format=source.format, encoding=source.encoding,
                       n_bytes=source.n_bytes, warnings=list(source.warnings))
            notice_id = notice_id_of(source.text)
            if notice_id in ids_this_run and ids_this_run[notice_id] != rel:
                row.update(status="skipped", reason=f"duplicate of {ids_this_run[notice_id]}",
                           error_type="Duplicate")
                summary.skipped += 1
            else:
                parsed = parser.parse(source.text)
                rows_by_notice[notice_id] = notice_rows(
                    parsed, notice_id, rel, origins.get(rel, "unknown"), source.format,
                    source.encoding, {**parser.components, "fingerprint": getattr(parser, "fingerprint", None)})
                ids_this_run[notice_id] = rel
                row["notice_id"] = notice_id
                summary.parsed += 1
        except IngestError as exc:
            row.update(status=exc.status, reason=str(exc), error_type=type(exc).__name__)
            if exc.status == "failed":
                summary.failed += 1
                summary.failures.append((rel, str(exc)))
            else:
                summary.skipped += 1
        except Exception as exc:  # noqa: BLE001
            # An unexpected problem in one notice must not stop the batch.
            log.exception("parsing %s failed", path)
            row.update(status="failed", reason=f"{path}: {type(exc).__name__}: {exc}",
                       error_type=type(exc).__name__)
            summary.failed += 1
            summary.failures.append((rel, row["reason"]))
        manifest[rel] = row
        since_flush += 1
        if since_flush >= checkpoint:
            flush()
            since_flush = 0
    if prune:
        manifest = {p: r for p, r in manifest.items() if p in seen_paths}
    flush()
    final_ids = {r["notice_id"] for r in manifest.values() if r["status"] == "ok" and r["notice_id"]}
    summary.notices = len(final_ids)
    for notice_id in final_ids:
        rows = rows_by_notice.get(notice_id, {})
        summary.items += sum(1 for r in rows.get("items", []) if r["parent_number"] is None)
        summary.measures += len(rows.get("measures", []))
        summary.entities += len(rows.get("entities", []))
    return summary
