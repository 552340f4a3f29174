"""Batch extraction: a folder of notice files in, the linked parquet tables out.

Incremental and idempotent: a file whose bytes are unchanged since the last run is not parsed
again, a changed file replaces its old rows, a removed file's rows stay until ``prune=True``,
and the same text under two names is parsed once (the second is ``skipped`` as a duplicate).
Every ``checkpoint`` files the parsed rows are committed as one batch (:class:`~pipeline.tables.store.Store`),
whose cost grows with the batch, not with the store; a run killed at any point leaves tables
whose keys resolve, and the next run picks up what is left.

Parsing runs in worker processes (``workers``, default: every core; forked, so the models loaded
once in the parent are shared) or on a Dask cluster (``dask``); results are taken in input order,
so the tables are byte for byte the same for any number of workers.
"""
from __future__ import annotations

import csv
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.errors import IngestError
from pipeline.read.inputs import corpus_metadata_files, iter_inputs
from pipeline.read.ingest import read_notice
from pipeline.tables.store import Store, output_lock
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
                   on_wait: Callable[[str], None] | None = None, workers: int | None = 1,
                   dask: str | None = None) -> RunSummary:
    """Extract every notice under ``in_dir`` into the tables in ``out_dir``.

    One run at a time writes an output folder: a second run into the same folder waits for the
    first (up to ``wait`` seconds, telling ``on_wait`` who holds it) and then adds its rows to
    what the first wrote, so runs over different input folders never lose each other's rows.
    ``workers``: parser processes (None: one per core); ``dask``: a Dask scheduler address, or
    ``"local"`` for a local cluster, instead of local workers.
    """
    if parser is None:
        from pipeline.parse import default_parser
        parser = default_parser()
    with output_lock(out_dir, wait, on_wait):
        return _Run(Path(in_dir), Path(out_dir), parser, checkpoint).run(prune, progress, workers, dask)


@dataclass
class FileResult:
    """What parsing one file gives: its manifest fields, its notice id and rows (None unless ok)."""
    row: dict
    notice_id: str | None = None
    rows: dict[str, list[dict]] | None = None
    failure: str | None = None


def parse_file(parser, path: Path, rel: str, origin: str) -> FileResult:
    """Read and parse one file (in whichever process runs it); never raises for a bad file."""
    row = {"path": rel, "status": "ok", "reason": None, "error_type": None, "sha256": file_sha256(path),
           "notice_id": None, "format": path.suffix.lower().lstrip(".") or None, "encoding": None,
           "n_bytes": None, "warnings": []}
    try:
        source = read_notice(path)
        row.update(sha256=source.sha256, format=source.format, encoding=source.encoding,
                   n_bytes=source.n_bytes, warnings=list(source.warnings))
        notice_id = notice_id_of(source.text)
        parsed = parser.parse(source.text)
        rows = notice_rows(parsed, notice_id, rel, origin, source.format, source.encoding,
                           {**parser.components, "fingerprint": getattr(parser, "fingerprint", None)})
        return FileResult(row, notice_id, rows)
    except IngestError as exc:
        row.update(status=exc.status, reason=str(exc), error_type=type(exc).__name__)
        return FileResult(row, failure=str(exc) if exc.status == "failed" else None)
    except Exception as exc:  # noqa: BLE001
        # An unexpected problem in one notice must not stop the batch.
        log.exception("parsing %s failed", path)
        row.update(status="failed", reason=f"{path}: {type(exc).__name__}: {exc}", error_type=type(exc).__name__)
        return FileResult(row, failure=row["reason"])


_WORKER_PARSER = None


def _init_worker(parser) -> None:
    global _WORKER_PARSER
    _WORKER_PARSER = parser


def _parse_task(task: tuple[str, str, str]) -> FileResult:
    path, rel, origin = task
    return parse_file(_WORKER_PARSER, Path(path), rel, origin)


def _dask_task(task: tuple[str, str, str], parser) -> FileResult:
    path, rel, origin = task
    return parse_file(parser, Path(path), rel, origin)


#: Below this many files to parse, worker processes cost more than they save.
MIN_FILES_PER_WORKER = 4


def parsed_in_order(parser, tasks: list[tuple[str, str, str]], workers: int | None, dask: str | None):
    """Each task's :class:`FileResult`, in task order, from wherever the parsing runs."""
    if dask:
        yield from _dask_results(parser, tasks, dask)
        return
    workers = (os.cpu_count() or 1) if workers is None else max(1, workers)
    workers = min(workers, len(tasks) // MIN_FILES_PER_WORKER or 1)
    if workers <= 1:
        for path, rel, origin in tasks:
            yield parse_file(parser, Path(path), rel, origin)
        return
    import multiprocessing
    try:  # forked workers share the parent's loaded models; elsewhere each loads its own
        context = multiprocessing.get_context("fork")
    except ValueError:
        context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(parser,)) as pool:
        yield from pool.imap(_parse_task, tasks, chunksize=1)


def _dask_results(parser, tasks, address: str):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=None) if address == "local" else None
    try:
        with Client(cluster if cluster is not None else address) as client:
            remote_parser = client.scatter(parser, broadcast=True)
            futures = client.map(_dask_task, tasks, parser=remote_parser, pure=False)
            for future in futures:  # in task order, whichever worker finished first
                yield future.result()
    finally:
        if cluster is not None:
            cluster.close()


class _Run:
    def __init__(self, in_dir: Path, out_dir: Path, parser, checkpoint: int):
        self.in_dir, self.parser, self.checkpoint = in_dir, parser, max(1, checkpoint)
        self.store = Store(out_dir)
        self.manifest = self.store.manifest()  # path → (row, part)
        self.notices = self.store.notices()  # notice_id → (fingerprint, part)
        self.fingerprint = getattr(parser, "fingerprint", None)
        self._reset_batch()

    def _reset_batch(self) -> None:
        self.batch_rows: dict[str, list[dict]] = {}
        self.batch_manifest: dict[str, dict] = {}
        self.batch_notices: dict[str, str] = {}  # notice_id parsed in this batch → path

    def _reusable(self, rel: str, sha: str | None) -> str | None:
        """The notice id of an unchanged file whose rows the current parser wrote, else None."""
        previous = self.manifest.get(rel, (None, None))[0]
        if not previous or not sha or previous["sha256"] != sha or previous["status"] != "ok":
            return None
        notice_id = previous["notice_id"]
        if notice_id not in self.notices or self.notices[notice_id][0] != self.fingerprint:
            return None
        return notice_id

    def run(self, prune: bool, progress, workers, dask) -> RunSummary:
        origins = read_origins(self.in_dir) if self.in_dir.is_dir() else {}
        paths = iter_inputs(self.in_dir)
        summary = RunSummary(files=len(paths))
        plan = []  # (path, rel, reusable notice id or None)
        for path in paths:
            rel = path.relative_to(self.in_dir).as_posix() if path != self.in_dir else path.name
            plan.append((path, rel, self._reusable(rel, file_sha256(path))))
        tasks = [(str(path), rel, origins.get(rel, "unknown")) for path, rel, reuse in plan if reuse is None]
        results = parsed_in_order(self.parser, tasks, workers, dask)
        ids_this_run: dict[str, str] = {}
        since_flush = 0
        for path, rel, reuse in (progress(plan) if progress else plan):
            if reuse is not None and reuse not in ids_this_run:
                ids_this_run[reuse] = rel
                summary.reused += 1
                continue
            if reuse is not None:  # the same text as a file parsed earlier in this run
                row = dict(self.manifest[rel][0])
                result = FileResult(row, reuse)
            else:
                result = next(results)
            row = result.row
            if result.notice_id and result.notice_id in ids_this_run and ids_this_run[result.notice_id] != rel:
                row.update(status="skipped", reason=f"duplicate of {ids_this_run[result.notice_id]}",
                           error_type="Duplicate", notice_id=None)
                summary.skipped += 1
            elif result.rows is not None:
                ids_this_run[result.notice_id] = rel
                row["notice_id"] = result.notice_id
                self.batch_notices[result.notice_id] = rel
                for name, table_rows in result.rows.items():
                    self.batch_rows.setdefault(name, []).extend(table_rows)
                summary.parsed += 1
            elif row["status"] == "failed":
                summary.failed += 1
                summary.failures.append((rel, result.failure or row["reason"]))
            else:
                summary.skipped += 1
            self.batch_manifest[rel] = row
            since_flush += 1
            if since_flush >= self.checkpoint:
                self.flush()
                since_flush = 0
        self.flush(drop_paths={rel for rel in self.manifest if rel not in {r for _, r, _ in plan}} if prune else set())
        final_ids = {row["notice_id"] for row, _ in self.manifest.values() if row["status"] == "ok" and row["notice_id"]}
        summary.notices = len(final_ids)
        summary.items, summary.measures, summary.entities = self.store.counts(final_ids)
        return summary

    def flush(self, drop_paths: set[str] = frozenset()) -> None:
        """Commit the batch: its rows, the manifest rows it replaces, the notices no row refers to."""
        replaced = set(self.batch_manifest) | set(drop_paths)
        remove_paths = {rel: self.manifest[rel][1] for rel in replaced if rel in self.manifest}
        still_referenced = {row["notice_id"] for rel, (row, _) in self.manifest.items()
                            if rel not in replaced and row["status"] == "ok"}
        # every notice no manifest row will point at: the old text of a changed or pruned file,
        # and rows a killed run wrote without their manifest rows
        orphans = set(self.notices) - still_referenced - set(self.batch_notices)
        reparsed = {i for i in self.batch_notices if i in self.notices}
        remove_notices = {i: self.notices[i][1] for i in orphans | reparsed if i in self.notices}
        # manifest rows of other files that point at a notice being rewritten move with it, so that
        # no manifest row ever points at a notice that is not there
        moved = {rel: row for rel, (row, _) in self.manifest.items()
                 if rel not in replaced and row["notice_id"] in remove_notices}
        remove_paths.update({rel: self.manifest[rel][1] for rel in moved})
        manifest_rows = {**moved, **self.batch_manifest}
        rows = dict(self.batch_rows)
        rows["manifest"] = [manifest_rows[rel] for rel in sorted(manifest_rows)]
        part = self.store.commit(rows, remove_notices=remove_notices, remove_paths=remove_paths)
        for rel in remove_paths:
            self.manifest.pop(rel, None)
        for notice_id in remove_notices:
            self.notices.pop(notice_id, None)
        if part is not None:
            for rel, row in manifest_rows.items():
                self.manifest[rel] = (row, part)
            for row in rows.get("notices", []):
                self.notices[row["notice_id"]] = (row["pipeline_fingerprint"], part)
        self._reset_batch()
