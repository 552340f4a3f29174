"""Writing and reading the tables: staged files, atomic renames, keys that always resolve.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import OutputLocked
from pipeline.tables.schema import PARENT_KEYS, TABLE_ORDER, schema, to_arrow

LOCK_NAME = ".extract.lock"  # one run writes an output folder at a time
OWNER_NAME = ".extract.owner"  # who holds it, for the waiting run's message


#: Test-only: seconds to sleep before each rename in ``write_tables``, so that a test can kill
#: the process between staging and renaming, or between two renames. Never set it otherwise.
TEST_WRITE_DELAY_ENV = "RECTIFY_TEST_WRITE_DELAY"


def _stage(out: Path, name: str, table: pa.Table, staged: list[str]) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.parquet.", suffix=".tmp", dir=out)
    os.close(fd)
    staged.append(tmp)
    pq.write_table(table, tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    return tmp


def _bridge(path: Path, key: str, new: pa.Table) -> pa.Table | None:
    """``new`` plus the rows of the table at ``path`` whose keys ``new`` drops (None if none)."""
    if not path.exists():
        return None
    try:
        old_keys = set(pq.read_table(path, columns=[key]).column(key).to_pylist())
        dropped = old_keys - set(new.column(key).to_pylist())
        if not dropped:
            return None
        old = pq.read_table(path).cast(new.schema)
    except Exception:  # noqa: BLE001 - an unreadable or outdated old table is simply replaced
        return None
    keep = pa.array([k in dropped for k in old.column(key).to_pylist()], type=pa.bool_())
    return pa.concat_tables([new, old.filter(keep)])


def write_tables(out_dir: str | Path, rows_by_table: dict[str, list[dict]]) -> None:
    """Write every table; all are validated and serialised before the first one is replaced.

    A process killed at any moment leaves tables that are readable and whose keys resolve
    (every ``notice_id``, ``item_id``, ``measure_id``, ``entity_id`` referred to exists): each parent
    table (notices, items, measures, entities) that loses keys is first replaced by a *bridge*, the new rows
    plus the dropped old rows; parents are renamed into place before their children, and the
    bridges are replaced by the final tables only after every child and the manifest. Temporary
    files a killed run left behind (``.<table>.parquet.*.tmp``) are removed first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.parquet.*.tmp"):
        stale.unlink(missing_ok=True)
    delay = float(os.environ.get(TEST_WRITE_DELAY_ENV) or 0)
    staged: list[str] = []
    try:
        tables = {name: to_arrow(name, rows_by_table.get(name, [])) for name in TABLE_ORDER}
        final = {name: _stage(out, name, tables[name], staged) for name in TABLE_ORDER}
        first, last = [], []  # (tmp, name): renamed in this order
        for name, key in PARENT_KEYS:
            bridge = _bridge(out / f"{name}.parquet", key, tables[name])
            if bridge is None:
                first.append((final[name], name))
            else:
                first.append((_stage(out, name, bridge, staged), name))
                last.insert(0, (final[name], name))
        parents = {name for name, _ in PARENT_KEYS}
        first += [(final[name], name) for name in TABLE_ORDER if name not in parents]  # manifest last
        for tmp, name in first + last:
            if delay:
                time.sleep(delay)
            os.replace(tmp, out / f"{name}.parquet")
    finally:
        for tmp in staged:
            Path(tmp).unlink(missing_ok=True)


def table_path(out_dir: str | Path, name: str) -> Path:
    """Where table ``name`` of an output folder is stored: readers ask here, never build the path."""
    return Path(out_dir) / f"{name}.parquet"


def table_source(out_dir: str | Path, name: str) -> str:
    """What DuckDB's ``read_parquet`` and polars' ``scan_parquet`` take for table ``name``."""
    return str(table_path(out_dir, name))


def read_rows(out_dir: str | Path, name: str) -> list[dict]:
    path = table_path(out_dir, name)
    if not path.exists():
        return []
    return pq.read_table(path).to_pylist()


def read_tables(out_dir: str | Path) -> dict:
    """The tables of an output folder as pandas DataFrames (missing tables come back empty)."""
    frames = {}
    for name in TABLE_ORDER:
        path = table_path(out_dir, name)
        table = pq.read_table(path) if path.exists() else schema(name).empty_table()
        frames[name] = table.to_pandas()
    return frames


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
