"""The tables on disk: one partitioned parquet dataset per table, written in batches that touch only
what they change.

Layout of an output folder::

    OUT/notices.parquet/part-000001.parquet   one folder per table (Spark's naming), one file per
    OUT/items.parquet/part-000001.parquet     batch; a notice's rows live in parts of the same name
    ...                                       in every table
    OUT/manifest.parquet/part-000001.parquet  one row per input file
    OUT/_layout.json                          the layout version and each table's columns

Every reader loads a whole table with one call: ``pd.read_parquet("OUT/notices.parquet")``,
DuckDB ``read_parquet('OUT/notices.parquet/*.parquet')``, polars
``pl.read_parquet("OUT/notices.parquet/*.parquet")``, or :func:`read_tables`. What is in the folders is
the table: there is no log a reader must apply, so a plain parquet reader is never wrong.

A batch (:meth:`Store.commit`) adds k notices with I/O that grows with k, not with the store: it
stages one new part per table, then (1) takes out of the existing parts the rows it replaces
(manifest rows first, then children before parents: entities, measures, items, notices; only the
parts that hold such rows are rewritten), then (2) renames its new parts into place, parents
first and the manifest last. Each step is one atomic ``os.replace``, so a process killed at any
moment leaves tables that are readable and whose keys resolve (every ``notice_id``, ``item_id`` and
``measure_id`` referred to exists); at worst part of the interrupted batch is missing or visible
without its manifest rows, and the next run, which finds those files unlisted, parses them again.
Staged files (``.part-*.tmp``) a killed run left behind are removed when the next run opens the store.

Output folders of the earlier layout (one ``<table>.parquet`` file per table) are moved into the
new one when a run opens them; tables whose declared columns changed are rewritten with the new
columns (new ones null).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.errors import OutputLocked
from pipeline.tables.schema import SCHEMAS, TABLE_ORDER, schema, to_arrow

LOCK_NAME = ".extract.lock"  # one run writes an output folder at a time
OWNER_NAME = ".extract.owner"  # who holds it, for the waiting run's message
LAYOUT_FILE = "_layout.json"
LAYOUT_VERSION = 2
PART_PATTERN = re.compile(r"part-(\d{6,})\.parquet")
STALE_GLOB = ".part-*.tmp"

#: How each table's rows are ordered when read back (the order of a single-file table before).
ROW_ORDER = {"notices": ("notice_id",), "items": ("notice_id", "item_index"),
             "measures": ("notice_id", "measure_index"), "entities": ("notice_id", "start", "end", "label"),
             "facts": ("notice_id", "start", "kind"), "notice_summary": ("notice_id",),
             "manifest": ("path",)}

#: Test-only: seconds to sleep before each rename, rewrite or removal in ``Store.commit``, so that
#: a test can kill the process in the middle of a batch. Never set it otherwise.
TEST_WRITE_DELAY_ENV = "RECTIFY_TEST_WRITE_DELAY"


def table_dir(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / f"{name}.parquet"


def table_path(out_dir: str | Path, name: str) -> Path:
    """Where table ``name`` of an output folder is stored (what ``pd.read_parquet`` takes):
    readers ask here, never build the path."""
    return table_dir(out_dir, name)


def table_source(out_dir: str | Path, name: str) -> str:
    """What DuckDB's ``read_parquet`` and polars' ``read_parquet``/``scan_parquet`` take for table
    ``name``: the glob of its part files."""
    return str(table_dir(out_dir, name) / "*.parquet")


def part_files(out_dir: str | Path, name: str) -> list[Path]:
    folder = table_dir(out_dir, name)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if PART_PATTERN.fullmatch(p.name))


def _conform(table: pa.Table, name: str) -> pa.Table:
    """``table`` with exactly the declared columns of ``name`` (missing ones null)."""
    target = schema(name)
    if table.schema.equals(target):
        return table
    columns = [table.column(f.name).cast(f.type) if f.name in table.column_names
               else pa.nulls(len(table), f.type) for f in target]
    return pa.Table.from_arrays(columns, schema=target)


def read_table(out_dir: str | Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """One table as Arrow, in :data:`ROW_ORDER` (empty with its schema when there are no parts)."""
    parts = [_conform(pq.read_table(p), name) for p in part_files(out_dir, name)]
    legacy = Path(out_dir) / f"{name}.parquet"
    if not parts and legacy.is_file():  # an output folder of the earlier layout, not yet migrated
        parts = [_conform(pq.read_table(legacy), name)]
    table = pa.concat_tables(parts) if parts else schema(name).empty_table()
    if len(table):
        table = table.sort_by([(key, "ascending") for key in ROW_ORDER.get(name, ())])
    return table.select(columns) if columns else table


def read_rows(out_dir: str | Path, name: str) -> list[dict]:
    return read_table(out_dir, name).to_pylist()


def read_tables(out_dir: str | Path) -> dict:
    """The tables of an output folder as pandas DataFrames (missing tables come back empty)."""
    return {name: read_table(out_dir, name).to_pandas() for name in TABLE_ORDER}


def _delay() -> None:
    delay = float(os.environ.get(TEST_WRITE_DELAY_ENV) or 0)
    if delay:
        time.sleep(delay)


def _stage(folder: Path, table: pa.Table, staged: list[Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=folder)
    os.close(fd)
    staged.append(Path(tmp))
    pq.write_table(table, tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    return Path(tmp)


class Store:
    """An output folder's tables, opened by one run (under :func:`output_lock`)."""

    def __init__(self, out_dir: str | Path):
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self._clean_stale()
        self._migrate_legacy()
        self._conform_layout()
        self.next_seq = 1 + max((int(PART_PATTERN.fullmatch(p.name).group(1))
                                 for name in TABLE_ORDER for p in part_files(self.out, name)), default=0)

    # ------------------------------------------------------------------ opening

    def _clean_stale(self) -> None:
        for name in TABLE_ORDER:
            folder = table_dir(self.out, name)
            if folder.is_dir():
                for stale in folder.glob(STALE_GLOB):
                    stale.unlink(missing_ok=True)
        for stale in self.out.glob(".*.parquet.*.tmp"):  # the earlier layout's staged files
            stale.unlink(missing_ok=True)

    def _migrate_legacy(self) -> None:
        """``OUT/<table>.parquet`` files of the earlier layout become each table's first part."""
        for name in TABLE_ORDER:  # parents first, the manifest last
            legacy = self.out / f"{name}.parquet"
            moving = self.out / f".{name}.legacy.tmp"
            if legacy.is_file():
                os.replace(legacy, moving)
            if moving.exists():
                table_dir(self.out, name).mkdir(exist_ok=True)
                os.replace(moving, table_dir(self.out, name) / "part-000000.parquet")

    def _layout(self) -> dict:
        return {"layout": LAYOUT_VERSION,
                "tables": {name: [f"{c.name}:{c.type}" for c in SCHEMAS[name]] for name in TABLE_ORDER}}

    def _conform_layout(self) -> None:
        path = self.out / LAYOUT_FILE
        wanted = self._layout()
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        if found == wanted:
            return
        for name in TABLE_ORDER:
            for part in part_files(self.out, name):
                table = pq.read_table(part)
                if not table.schema.equals(schema(name)):
                    self._replace(part, _conform(table, name), [])
        fd, tmp = tempfile.mkstemp(prefix=".layout-", suffix=".tmp", dir=self.out)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(wanted, handle, indent=1)
        os.replace(tmp, path)

    # ------------------------------------------------------------------ what is there

    def manifest(self) -> dict[str, tuple[dict, str]]:
        """``path → (manifest row, part file name)``."""
        out = {}
        for part in part_files(self.out, "manifest"):
            for row in _conform(pq.read_table(part), "manifest").to_pylist():
                out[row["path"]] = (row, part.name)
        return out

    def notices(self) -> dict[str, tuple[str | None, str]]:
        """``notice_id → (pipeline_fingerprint, part file name)``, read from two columns only."""
        out = {}
        for part in part_files(self.out, "notices"):
            table = pq.read_table(part, columns=["notice_id", "pipeline_fingerprint"])
            for notice_id, fingerprint in zip(table.column(0).to_pylist(), table.column(1).to_pylist()):
                out[notice_id] = (fingerprint, part.name)
        return out

    def counts(self, notice_ids: set[str]) -> tuple[int, int, int]:
        """Items, measures and entities of these notices (from the notices table's counts)."""
        totals = [0, 0, 0]
        for part in part_files(self.out, "notices"):
            table = pq.read_table(part, columns=["notice_id", "n_items", "n_measures", "n_entities"])
            for row in table.to_pylist():
                if row["notice_id"] in notice_ids:
                    totals[0] += row["n_items"] or 0
                    totals[1] += row["n_measures"] or 0
                    totals[2] += row["n_entities"] or 0
        return tuple(totals)

    # ------------------------------------------------------------------ one batch

    def _replace(self, part: Path, table: pa.Table, staged: list[Path]) -> None:
        if len(table):
            tmp = _stage(part.parent, table, staged)
            _delay()
            os.replace(tmp, part)
        else:
            _delay()
            part.unlink(missing_ok=True)

    def _drop_rows(self, name: str, parts: set[str], column: str, values: set, staged: list[Path]) -> None:
        if not values:
            return
        folder = table_dir(self.out, name)
        lookup = pa.array(sorted(values), type=pa.string())
        for part_name in sorted(parts):
            part = folder / part_name
            if not part.exists():
                continue
            table = _conform(pq.read_table(part), name)
            drop = pc.is_in(table.column(column), value_set=lookup)
            if not pc.any(drop).as_py():
                continue
            self._replace(part, table.filter(pc.invert(drop)), staged)

    def commit(self, rows_by_table: dict[str, list[dict]], *, remove_notices: dict[str, str] | None = None,
               remove_paths: dict[str, str] | None = None) -> str | None:
        """Write one batch; returns the name of its parts (None when there was nothing to do).

        ``rows_by_table``: the new rows of each table (the manifest rows of every file this batch
        read, and of files whose rows it moves). ``remove_notices``: ``notice_id → part`` whose rows
        are replaced or dropped; ``remove_paths``: ``path → part`` of manifest rows replaced or dropped.
        Rows are validated against the schemas before anything on disk changes.
        """
        remove_notices, remove_paths = remove_notices or {}, remove_paths or {}
        tables = {name: to_arrow(name, rows_by_table.get(name, [])) for name in TABLE_ORDER}
        if not remove_notices and not remove_paths and not any(len(t) for t in tables.values()):
            return None
        part_name = f"part-{self.next_seq:06d}.parquet"
        staged: list[Path] = []
        try:
            new = {name: _stage(table_dir(self.out, name), table, staged)
                   for name, table in tables.items() if len(table)}
            self._drop_rows("manifest", set(remove_paths.values()), "path", set(remove_paths), staged)
            notice_parts = set(remove_notices.values())
            for name in reversed(TABLE_ORDER):  # children before parents
                if name != "manifest":
                    self._drop_rows(name, notice_parts, "notice_id", set(remove_notices), staged)
            for name in TABLE_ORDER:  # parents first, the manifest last
                if name in new:
                    _delay()
                    os.replace(new[name], table_dir(self.out, name) / part_name)
        finally:
            for tmp in staged:
                tmp.unlink(missing_ok=True)
        self.next_seq += 1
        return part_name


@contextlib.contextmanager
def output_lock(out_dir: str | Path, wait: float = 600.0, on_wait=None):
    """Hold the output folder's exclusive lock for one extract run.

    A second run waits (``on_wait`` gets a message naming the holder's pid) up to ``wait``
    seconds, then raises :class:`~pipeline.errors.OutputLocked`. The lock is an OS file lock
    (``filelock``): a killed run's lock goes with its process, so the next run takes it over.
    """
    from filelock import FileLock, Timeout
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = _holder(out)
        if on_wait is not None:
            on_wait(f"{out}: another extract run is writing these tables ({holder}); "
                    f"waiting up to {wait:g} s")
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise OutputLocked(out, holder, wait) from None
    try:
        (out / OWNER_NAME).write_text(f"pid {os.getpid()}, since {dt.datetime.now().isoformat(timespec='seconds')}",
                                      encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            (out / OWNER_NAME).unlink()
        lock.release()


def _holder(out: Path) -> str:
    try:
        return (out / OWNER_NAME).read_text(encoding="utf-8").strip() or "pid unknown"
    except OSError:
        return "pid unknown"
