"""Any file a user drops in: every format, bad input, and nothing lost.

The test corpus is generated here (in tmp_path): the two real notices, written notices in other
encodings and formats, and files that must fail or be skipped, each with its manifest row.
Then: files that vanish or cannot be opened mid-run, runs killed with a real SIGKILL (also in
the middle of writing the tables) and resumed, re-runs, and tampered model files.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import CORPUS, HUAIHUA, REPO, YIYANG
import pipeline.tables.run as run_mod
from pipeline.errors import ModelLoadError
from pipeline.read.ingest import read_notice
from pipeline.tables.run import extract_folder
from pipeline.tables.schema import SCHEMAS, TABLE_ORDER
from pipeline.tables.store import TEST_WRITE_DELAY_ENV
from pipeline.types import MEASURE_LABELS

WRITTEN_FILES = sorted((CORPUS / "written").glob("*.txt"))


class _ByUnit(dict):
    """``WRITTEN["qinglan"]``: the written notice whose file name starts with that unit."""

    def __missing__(self, unit):
        (path,) = [p for p in WRITTEN_FILES if p.name.startswith(unit + "-")]
        return path


WRITTEN = _ByUnit()
STALE_GLOB = "*.parquet/.part-*.tmp"  # staged parts inside the table folders


def text_of(path: Path) -> str:
    return read_notice(path).text


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def spawn(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})


def rows(out: Path, name: str) -> list[dict]:
    path = out / f"{name}.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else []


def sorted_rows(out: Path) -> dict[str, list[str]]:
    """Every table as a sorted list of canonical row strings (order-free comparison)."""
    return {name: sorted(json.dumps(r, sort_keys=True, default=str, ensure_ascii=False)
                         for r in rows(out, name)) for name in TABLE_ORDER}


def manifest_of(out: Path) -> dict[str, dict]:
    return {r["path"]: r for r in rows(out, "manifest")}


def assert_consistent(out: Path) -> dict[str, list[dict]]:
    """Every table readable with its declared columns; every key referred to exists."""
    tables = {}
    for name in TABLE_ORDER:
        path = out / f"{name}.parquet"
        if path.exists():
            table = pq.read_table(path)  # raises on a torn file
            assert table.schema.names == [c.name for c in SCHEMAS[name]], name
            tables[name] = table.to_pylist()
        else:
            tables[name] = []
    notice_ids = {r["notice_id"] for r in tables["notices"]}
    item_ids = {r["item_id"] for r in tables["items"]}
    measure_ids = {r["measure_id"] for r in tables["measures"]}
    for name in ("items", "measures", "entities"):
        assert {r["notice_id"] for r in tables[name]} <= notice_ids, f"{name} refers to a missing notice"
    assert {r["item_id"] for r in tables["measures"] + tables["entities"]} - {None} <= item_ids
    assert {r["measure_id"] for r in tables["entities"]} - {None} <= measure_ids
    ok = {r["notice_id"] for r in tables["manifest"] if r["status"] == "ok"}
    assert ok <= notice_ids, "an ok manifest row's notice is missing"
    return tables


# --------------------------------------------------------------------------------------------
# Every kind of file, through the command line

def _docx(text: str) -> bytes:
    import docx
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _blank_pdf() -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(50, 600, 400, 150, fill=1)  # a page with a drawing and no text layer: a "scan"
    c.showPage()
    c.save()
    return buf.getvalue()


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


NAV, FOOTER = "网站首页 政务公开 互动交流 当前位置", "版权所有：某某市人民政府办公室 湘ICP备12345678号"


def _html(text: str) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>整改进展情况的通报</title></head>'
            f'<body><nav><ul>{"".join(f"<li><a href=/>{w}</a></li>" for w in NAV.split())}</ul></nav>'
            f"<article>{body}</article><footer><p>{FOOTER}</p></footer></body></html>").encode("utf-8")


def _huge(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: 50 MiB + 1 byte, written in no time
        handle.truncate(50 * 1024 * 1024 + 1)


# name -> (status, error_type, notice format, encoding)
EXPECTED = {
    "yiyang.txt": ("ok", None, "txt", "utf-8"),
    "huaihua.txt": ("ok", None, "txt", "utf-8"),
    "gb18030.txt": ("ok", None, "txt", "gb18030"),
    "big5.txt": ("ok", None, "txt", "big5"),
    "utf16.txt": ("ok", None, "txt", "utf-16"),
    "truncated.txt": ("ok", None, "txt", "utf-8"),
    "page.html": ("ok", None, "html", "utf-8"),
    "notice.docx": ("ok", None, "docx", None),
    "empty.txt": ("failed", "EmptyInput", None, None),
    "junk.txt": ("failed", "UndecodableText", None, None),
    "scan.pdf": ("failed", "NoTextLayer", None, None),
    "huge.txt": ("failed", "InputTooLarge", None, None),
    "broken.docx": ("failed", "CorruptDocument", None, None),
    "minutes.txt": ("skipped", "NotANotice", None, None),
    "table.xlsx": ("skipped", "UnsupportedFormat", None, None),
}


def make_mixed_folder(folder: Path) -> dict[str, str]:
    """Writes one file per EXPECTED entry; returns the text each good notice must decode to."""
    import opencc
    folder.mkdir()
    texts = {"yiyang.txt": text_of(YIYANG), "huaihua.txt": text_of(HUAIHUA),
             "gb18030.txt": text_of(WRITTEN["qinglan"]),
             "big5.txt": opencc.OpenCC("s2tw").convert(text_of(WRITTEN["meiling"])),
             "utf16.txt": text_of(WRITTEN["nanling"]),
             "truncated.txt": text_of(WRITTEN["zheshan"]).rstrip(),
             "page.html": text_of(WRITTEN["ningchuan"]),
             "notice.docx": text_of(WRITTEN["yuanan"])}
    shutil.copy(YIYANG, folder / "yiyang.txt")
    shutil.copy(HUAIHUA, folder / "huaihua.txt")
    (folder / "gb18030.txt").write_bytes(texts["gb18030.txt"].encode("gb18030"))
    (folder / "big5.txt").write_bytes(texts["big5.txt"].encode("big5"))
    (folder / "utf16.txt").write_bytes(texts["utf16.txt"].encode("utf-16"))  # with BOM
    cut = texts["truncated.txt"].encode("utf-8")[:-1]  # cut inside the last character
    (folder / "truncated.txt").write_bytes(cut)
    texts["truncated.txt"] = texts["truncated.txt"][:-1]
    (folder / "page.html").write_bytes(_html(texts["page.html"]))
    (folder / "notice.docx").write_bytes(_docx(texts["notice.docx"]))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(random.Random(20231205).randbytes(8192))
    (folder / "scan.pdf").write_bytes(_blank_pdf())
    _huge(folder / "huge.txt")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    (folder / "minutes.txt").write_text("今天下午召开了部门例会，会议讨论了下个月的培训安排和办公室搬迁事宜，"
                                        "请各位同事按时参加。\n" * 3, encoding="utf-8")
    (folder / "table.xlsx").write_bytes(_xlsx())
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXPECTED)
    return {name: text for name, text in texts.items() if name != "page.html"}


def test_every_kind_of_file_through_the_cli(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    texts = make_mixed_folder(folder)
    result = cli("extract", str(folder), "--out", str(out), "--rules-only", "-q")
    assert result.returncode == 1, result.stderr
    assert "files read: 15 (parsed 8, unchanged 0, skipped 2, failed 5)" in result.stdout
    for name, (status, error_type, _, _) in EXPECTED.items():
        assert (f"FAILED {name}:" in result.stdout) == (status == "failed"), name
    manifest = manifest_of(out)
    assert sorted(manifest) == sorted(EXPECTED)
    tables = assert_consistent(out)
    notices = {r["source_path"]: r for r in tables["notices"]}
    for name, (status, error_type, fmt, encoding) in EXPECTED.items():
        row = manifest[name]
        assert (row["status"], row["error_type"]) == (status, error_type), (name, row)
        assert row["n_bytes"] is None or row["n_bytes"] == (folder / name).stat().st_size
        if status == "ok":
            assert row["reason"] is None and row["notice_id"] == notices[name]["notice_id"]
            assert (notices[name]["format"], notices[name]["encoding"]) == (fmt, encoding), name
            assert notices[name]["n_items"] > 0, name
            assert any(e["notice_id"] == row["notice_id"] for e in tables["entities"]), name
        else:
            assert name in row["reason"] and row["notice_id"] is None, (name, row["reason"])
    assert set(notices) == {n for n, e in EXPECTED.items() if e[0] == "ok"}
    for name, text in texts.items():
        assert notices[name]["text"] == text, name
    html = notices["page.html"]["text"]
    assert "巡察" in html and "版权所有" not in html and "网站首页" not in html
    assert any("truncated UTF-8" in w for w in manifest["truncated.txt"]["warnings"])
    assert "50.0 MiB" in manifest["huge.txt"]["reason"]
    assert list(out.glob(STALE_GLOB)) == []


def test_huge_file_fails_without_being_loaded(tmp_path, rules_parser):
    folder = tmp_path / "in"
    folder.mkdir()
    _huge(folder / "huge.txt")
    tracemalloc.start()
    try:
        summary = extract_folder(folder, tmp_path / "out", parser=rules_parser)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes: the 50 MiB file was read into memory"
    row = manifest_of(tmp_path / "out")["huge.txt"]
    assert (row["status"], row["error_type"], summary.failed) == ("failed", "InputTooLarge", 1)
    assert row["n_bytes"] is None and row["sha256"]  # hashed in blocks, never decoded


# --------------------------------------------------------------------------------------------
# Files that vanish or cannot be opened while the batch runs

def small_folder(folder: Path, names: list[str]) -> None:
    folder.mkdir()
    sources = [YIYANG, HUAIHUA, *WRITTEN_FILES]
    for name, source in zip(names, sources):
        shutil.copy(source, folder / name)


def test_file_vanishing_mid_run_is_recorded_and_the_batch_goes_on(tmp_path, rules_parser, monkeypatch):
    folder = tmp_path / "in"
    small_folder(folder, ["a.txt", "b-vanishes.txt", "c.txt"])
    real_read = run_mod.read_notice

    def read_after_deletion(path, *args, **kwargs):
        if path.name == "b-vanishes.txt":
            path.unlink()  # listed (and hashed) already; gone before it is read
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(run_mod, "read_notice", read_after_deletion)
    summary = extract_folder(folder, tmp_path / "out", parser=rules_parser)
    manifest = manifest_of(tmp_path / "out")
    row = manifest["b-vanishes.txt"]
    assert (row["status"], row["error_type"]) == ("failed", "UnreadableFile")
    assert "b-vanishes.txt" in row["reason"] and "FileNotFoundError" in row["reason"]
    assert manifest["a.txt"]["status"] == manifest["c.txt"]["status"] == "ok"
    assert (summary.parsed, summary.failed, summary.exit_status) == (2, 1, 1)
    assert summary.failures[0][0] == "b-vanishes.txt"
    assert_consistent(tmp_path / "out")


def test_unopenable_files_are_recorded(tmp_path, rules_parser, monkeypatch):
    folder = tmp_path / "in"
    small_folder(folder, ["a.txt", "locked.txt"])
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    locked = folder / "locked.txt"
    real_open = Path.open

    def refusing_open(self, *args, **kwargs):  # chmod 000 does not stop root: simulate it
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    summary = extract_folder(folder, tmp_path / "out", parser=rules_parser)
    manifest = manifest_of(tmp_path / "out")
    for name, cause in (("dangling.txt", "FileNotFoundError"), ("locked.txt", "PermissionError")):
        row = manifest[name]
        assert (row["status"], row["error_type"]) == ("failed", "UnreadableFile"), name
        assert name in row["reason"] and cause in row["reason"], row["reason"]
        assert row["sha256"] is None
    assert manifest["a.txt"]["status"] == "ok"
    assert (summary.parsed, summary.failed) == (1, 2)


# --------------------------------------------------------------------------------------------
# Killed runs (real SIGKILL) and resuming

def variant(text: str, k: int, tag: str = "") -> str:
    """The notice with its first line marked: a different text (and notice id) per k."""
    first, sep, rest = text.partition("\n")
    return f"{first}（{k}{tag}）{sep}{rest}"


def write_variant(folder: Path, bases: list[str], k: int, tag: str = "") -> None:
    (folder / f"n{k:02d}.txt").write_text(variant(bases[k % len(bases)], k, tag), encoding="utf-8")


def stale_files(out: Path) -> list[Path]:
    return list(out.glob(STALE_GLOB))


def wait_for(predicate, process: subprocess.Popen, timeout: float = 120.0) -> bool:
    """Poll until ``predicate()``; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.005)
    raise AssertionError("timed out waiting for the run")


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_killed_runs_leave_consistent_tables_and_resume_to_the_same_result(tmp_path, rules_parser):
    bases = [text_of(p) for p in (YIYANG, HUAIHUA, *WRITTEN_FILES)]
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(20):
        write_variant(folder, bases, k)
    previous = tmp_path / "previous"
    assert extract_folder(folder, previous, parser=rules_parser).parsed == 20
    # Then: two files change (their old rows must go), one is removed (--prune), 40 are new.
    for k in (0, 1):
        write_variant(folder, bases, k, "改")
    (folder / "n19.txt").unlink()
    for k in range(20, 60):
        write_variant(folder, bases, k)
    reference = tmp_path / "reference"
    shutil.copytree(previous, reference)
    summary = extract_folder(folder, reference, parser=rules_parser, prune=True, checkpoint=4)
    assert (summary.parsed, summary.reused, summary.notices) == (42, 17, 59)

    out = tmp_path / "out"
    shutil.copytree(previous, out)
    args = ("extract", str(folder), "--out", str(out), "--rules-only", "-q", "--prune", "--checkpoint", "4")
    rng = random.Random(8)
    kills = 0

    # 1. Killed between two renames of the first checkpoint (a test-only delay before each
    #    rename makes the window wide): the old rows of n00/n01 are being replaced.
    process = spawn(*args, env={TEST_WRITE_DELAY_ENV: "0.4"})
    peak = 0

    def one_rename_done() -> bool:
        nonlocal peak
        n = len(stale_files(out))
        peak = max(peak, n)
        return peak >= 5 and 0 < n < peak

    assert wait_for(one_rename_done, process)
    kill(process)
    kills += 1
    assert stale_files(out), "the kill should have left staged files behind"
    assert_consistent(out)

    # 2. Killed after staging, before any rename.
    left_behind = set(stale_files(out))  # removed by this run's first write_tables
    process = spawn(*args, env={TEST_WRITE_DELAY_ENV: "0.4"})
    assert wait_for(lambda: len(set(stale_files(out)) - left_behind) >= 5, process)
    time.sleep(0.1)
    kill(process)
    kills += 1
    assert_consistent(out)

    # 3. Killed at random moments once the run is under way.
    for _ in range(3):
        manifest_mtime = (out / "manifest.parquet").stat().st_mtime_ns
        process = spawn(*args)
        started = wait_for(lambda: (out / "manifest.parquet").stat().st_mtime_ns != manifest_mtime, process)
        if not started:
            break  # it finished before we could kill it
        time.sleep(rng.uniform(0.0, 1.2))
        kill(process)
        kills += 1
        assert_consistent(out)
    assert kills >= 3

    # A normal run finishes the job: the same tables as the uninterrupted run, no temp files.
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    assert stale_files(out) == [] and stale_files(reference) == []
    assert_consistent(out)
    assert sorted_rows(out) == sorted_rows(reference)


def test_write_tables_cleans_up_stale_temp_files(tmp_path, rules_parser):
    folder = tmp_path / "in"
    small_folder(folder, ["a.txt"])
    out = tmp_path / "out"
    out.mkdir()
    for name in ("notices", "manifest"):
        (out / f".{name}.parquet.abc123.tmp").write_bytes(b"half-written by a killed run (earlier layout)")
        (out / f"{name}.parquet").mkdir()
        (out / f"{name}.parquet" / ".part-abc123.tmp").write_bytes(b"half-written by a killed run")
    extract_folder(folder, out, parser=rules_parser)
    assert stale_files(out) == [] and sorted(p.name for p in out.iterdir()) == sorted(
        [f"{name}.parquet" for name in TABLE_ORDER] + ["_layout.json", ".extract.lock"])  # the lock stays, unlocked
    assert all([p.name for p in (out / f"{name}.parquet").iterdir()] == ["part-000001.parquet"] for name in TABLE_ORDER)


# --------------------------------------------------------------------------------------------
# Re-running (what tests/test_end_to_end.py does not already check)

def test_rerun_is_byte_identical_and_changes_reach_every_table(tmp_path, rules_parser):
    folder, out = tmp_path / "in", tmp_path / "out"
    small_folder(folder, ["a.txt", "b.txt", "c.txt"])
    extract_folder(folder, out, parser=rules_parser)
    digest = {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*.parquet") if p.is_file()}
    assert len(digest) == len(TABLE_ORDER)
    again = extract_folder(folder, out, parser=rules_parser)
    assert (again.parsed, again.reused) == (0, 3)
    assert {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*.parquet") if p.is_file()} == digest

    old = manifest_of(out)
    (folder / "b.txt").write_text(variant(text_of(folder / "b.txt"), 1), encoding="utf-8")
    (folder / "c.txt").unlink()
    changed = extract_folder(folder, out, parser=rules_parser)
    assert (changed.parsed, changed.reused, changed.notices) == (1, 1, 3)
    tables = assert_consistent(out)
    new = manifest_of(out)
    assert new["b.txt"]["sha256"] != old["b.txt"]["sha256"]
    assert new["b.txt"]["notice_id"] != old["b.txt"]["notice_id"]
    for name in ("notices", "items", "measures", "entities"):
        ids = {r["notice_id"] for r in tables[name]}
        assert old["b.txt"]["notice_id"] not in ids and new["b.txt"]["notice_id"] in ids, name
        assert old["c.txt"]["notice_id"] in ids, name  # removed file: kept until --prune
    pruned = extract_folder(folder, out, parser=rules_parser, prune=True)
    tables = assert_consistent(out)
    assert pruned.notices == 2 and "c.txt" not in manifest_of(out)
    for name in ("notices", "items", "measures", "entities"):
        assert old["c.txt"]["notice_id"] not in {r["notice_id"] for r in tables[name]}, name


# --------------------------------------------------------------------------------------------
# Tampered model files: a clear error, never code execution

class _Payload:
    """Unpickling this runs ``touch <marker>``: proof of code execution if it ever happens."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def pickled_model_dir(models: Path, marker: Path, *, card: bool) -> Path:
    model_dir = models / "measure_classifier"
    model_dir.mkdir(parents=True)
    blob = pickle.dumps(_Payload(marker))
    (model_dir / "model.skops").write_bytes(blob)
    if card:  # a card that matches the file, so only the format check can stop it
        (model_dir / "model_card.json").write_text(json.dumps({
            "labels": list(MEASURE_LABELS),
            "model_file": {"sha256": hashlib.sha256(blob).hexdigest()}}), encoding="utf-8")
    return model_dir


@pytest.mark.parametrize("card", [True, False], ids=["with-card", "without-card"])
def test_pickle_named_model_skops_is_refused(tmp_path, card):
    from pipeline.api import NoticeParser
    marker = tmp_path / "pwned"
    model_dir = pickled_model_dir(tmp_path / "models", marker, card=card)
    with pytest.raises(ModelLoadError) as info:
        NoticeParser(ner=None, classifier=model_dir)
    message = str(info.value)
    assert "model.skops" in message and str(model_dir) in message
    if card:
        assert str(model_dir / "model.skops") in message and "corrupt or non-skops" in message
    assert not marker.exists(), "the pickle was executed"


def test_cli_exits_2_on_a_pickled_model(tmp_path):
    marker = tmp_path / "pwned"
    models = tmp_path / "models"
    model_dir = pickled_model_dir(models, marker, card=True)
    folder = tmp_path / "in"
    small_folder(folder, ["a.txt"])
    result = cli("extract", str(folder), "--out", str(tmp_path / "out"), "--models", str(models), "-q")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert str(model_dir / "model.skops") in result.stderr and "Traceback" not in result.stderr
    assert not marker.exists() and not (tmp_path / "out").exists()
