"""Scale: worker processes, a Dask cluster, and batches whose cost grows with what they add.

Speed itself is measured by ``make bench``, never asserted here; these tests check that the
parallel paths give exactly the rows of a plain run and that an incremental run leaves the
existing part files alone.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import CORPUS, HUAIHUA, YIYANG
from pipeline.read.ingest import read_notice
from pipeline.tables.run import extract_folder
from pipeline.tables.schema import TABLE_ORDER
from pipeline.tables.store import part_files, read_tables

WRITTEN = sorted((CORPUS / "written").glob("*.txt"))


def notice_folder(folder: Path, n: int, start: int = 0) -> Path:
    """``n`` distinct notices (corpus texts with a numbered first line)."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = [read_notice(p).text for p in (YIYANG, HUAIHUA, *WRITTEN)]
    for k in range(start, start + n):
        first, sep, rest = bases[k % len(bases)].partition("\n")
        (folder / f"n{k:03d}.txt").write_text(f"{first}（第{k}号）{sep}{rest}", encoding="utf-8")
    return folder


def digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for name in TABLE_ORDER for p in part_files(out, name)}


def frames(out: Path) -> dict[str, pd.DataFrame]:
    tables = read_tables(out)
    tables["notices"] = tables["notices"].drop(columns=["pipeline_fingerprint"])
    return tables


def test_two_workers_write_byte_for_byte_the_tables_of_one(tmp_path, rules_parser):
    folder = notice_folder(tmp_path / "in", 12)
    one = extract_folder(folder, tmp_path / "one", parser=rules_parser, workers=1, checkpoint=5)
    two = extract_folder(folder, tmp_path / "two", parser=rules_parser, workers=2, checkpoint=5)
    assert (one.parsed, two.parsed, one.entities) == (12, 12, two.entities) and one.entities > 0
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    assert len(part_files(tmp_path / "one", "notices")) == 3  # 12 files, a batch every 5


def test_a_failing_file_in_a_worker_is_recorded_and_the_rest_go_on(tmp_path, rules_parser):
    folder = notice_folder(tmp_path / "in", 9)
    (folder / "n004.txt").write_bytes(b"\xff\xfe\x00\xd8 not text")  # undecodable
    summary = extract_folder(folder, tmp_path / "out", parser=rules_parser, workers=2)
    manifest = read_tables(tmp_path / "out")["manifest"].set_index("path")
    assert summary.parsed == 8 and manifest.loc["n004.txt", "status"] in ("failed", "skipped")
    assert manifest.loc["n004.txt", "reason"]


def test_adding_notices_rewrites_no_existing_part(tmp_path, rules_parser):
    folder = notice_folder(tmp_path / "in", 10)
    out = tmp_path / "out"
    extract_folder(folder, out, parser=rules_parser, workers=1)
    before = digests(out)
    notice_folder(folder, 2, start=10)
    summary = extract_folder(folder, out, parser=rules_parser, workers=1)
    assert (summary.parsed, summary.reused, summary.notices) == (2, 10, 12)
    after = digests(out)
    assert {k: v for k, v in after.items() if k in before} == before  # untouched
    assert sorted(set(after) - set(before)) == sorted(f"{name}.parquet/part-000002.parquet" for name in TABLE_ORDER)


def test_a_changed_file_rewrites_only_the_parts_holding_its_rows(tmp_path, rules_parser):
    folder = notice_folder(tmp_path / "in", 6)
    out = tmp_path / "out"
    extract_folder(folder, out, parser=rules_parser, workers=1, checkpoint=3)  # parts 1 (n000-2) and 2
    before = digests(out)
    path = folder / "n004.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("（第4号）", "（第4号，修订）"), encoding="utf-8")
    summary = extract_folder(folder, out, parser=rules_parser, workers=1)
    assert (summary.parsed, summary.reused, summary.notices) == (1, 5, 6)
    after = digests(out)
    for name in TABLE_ORDER:
        assert after[f"{name}.parquet/part-000001.parquet"] == before[f"{name}.parquet/part-000001.parquet"]
        assert after[f"{name}.parquet/part-000002.parquet"] != before[f"{name}.parquet/part-000002.parquet"]
    notices = read_tables(out)["notices"]
    assert len(notices) == 6 and notices.text.str.contains("第4号，修订").sum() == 1


def test_earlier_single_file_layout_is_migrated(tmp_path, rules_parser):
    folder = notice_folder(tmp_path / "in", 3)
    out = tmp_path / "out"
    extract_folder(folder, out, parser=rules_parser, workers=1)
    expected = frames(out)
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    for name in TABLE_ORDER:  # what an earlier version wrote: OUT/<table>.parquet files
        (part,) = part_files(out, name)
        shutil.copy(part, legacy / f"{name}.parquet")
    summary = extract_folder(folder, legacy, parser=rules_parser, workers=1)
    assert (summary.parsed, summary.reused) == (0, 3)
    assert all((legacy / f"{name}.parquet").is_dir() for name in TABLE_ORDER)
    for name, frame in frames(legacy).items():
        pd.testing.assert_frame_equal(frame, expected[name], check_dtype=True)


@pytest.fixture(scope="module")
def dask_cluster():
    import distributed  # a test dependency (pyproject's test extra)
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, host="127.0.0.1")
    try:
        yield cluster
    finally:
        cluster.close()


def test_a_dask_cluster_writes_the_rows_of_a_local_run(tmp_path, rules_parser, dask_cluster):
    folder = notice_folder(tmp_path / "in", 8)
    local = extract_folder(folder, tmp_path / "local", parser=rules_parser, workers=1)
    remote = extract_folder(folder, tmp_path / "dask", parser=rules_parser, dask=dask_cluster.scheduler_address)
    assert (remote.parsed, remote.entities) == (local.parsed, local.entities) == (8, local.entities)
    assert digests(tmp_path / "dask") == digests(tmp_path / "local")
    with dask_cluster.get_client() if hasattr(dask_cluster, "get_client") else _client(dask_cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2


def _client(cluster):
    from distributed import Client
    return Client(cluster)
