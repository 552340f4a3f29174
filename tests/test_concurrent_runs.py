"""Two extract runs into one output folder: one at a time, nothing lost, clear messages."""
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import OutputLocked
from pipeline.tables.store import output_lock

REPO = Path(__file__).resolve().parent.parent
NOTICE = ("关于巡察整改进展情况的通报\n根据县委统一部署，2024年3月1日至4月30日，县委第一巡察组对{unit}开展了巡察。\n"
          "1.制度不健全。整改情况：修订《财务管理办法》，追缴资金{n}万元。整改结果：已完成。\n")


def folder(path: Path, units: list[str]) -> Path:
    path.mkdir(parents=True)
    for k, unit in enumerate(units):
        (path / f"{unit}.txt").write_text(NOTICE.format(unit=unit, n=k + 1), encoding="utf-8")
    return path


HOLD = textwrap.dedent("""
    import sys, time
    from pipeline.tables.store import output_lock
    with output_lock(sys.argv[1], wait=0):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def hold_lock(out: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(out), str(seconds)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_run_waits_then_fails_clearly_naming_the_holder(tmp_path):
    out = tmp_path / "out"
    holder = hold_lock(out, 30)
    try:
        messages = []
        with pytest.raises(OutputLocked) as err:
            with output_lock(out, wait=0.5, on_wait=messages.append):
                pass
        assert f"pid {holder.pid}" in str(err.value) and "--wait" in str(err.value)
        assert len(messages) == 1 and f"pid {holder.pid}" in messages[0]
        cli = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(folder(tmp_path / "in", ["县财政局"])),
                              "--out", str(out), "--rules-only", "-q", "--wait", "0.5"],
                             cwd=REPO, capture_output=True, text=True)
        assert cli.returncode == 2
        assert f"another extract run is writing these tables (pid {holder.pid}" in cli.stderr
        assert not (out / "notices.parquet").exists()  # nothing written by the refused run
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_runs_lock_is_taken_over(tmp_path):
    out = tmp_path / "out"
    holder = hold_lock(out, 60)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with output_lock(out, wait=0):  # at once: the lock went with the killed process
        assert (out / ".extract.owner").read_text(encoding="utf-8").startswith(f"pid {os.getpid()}")


def test_two_runs_over_different_folders_into_one_output_keep_both_runs_rows(tmp_path):
    out = tmp_path / "out"
    a = folder(tmp_path / "a", ["县财政局", "县教育局", "县卫健局"])
    b = folder(tmp_path / "b", ["县水利局", "县交通局", "县民政局"])
    cmd = [sys.executable, "-m", "pipeline", "extract", "--out", str(out), "--rules-only", "-q"]
    runs = [subprocess.Popen(cmd + [str(d)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for d in (a, b)]
    results = [(r.wait(timeout=300), r.stderr.read()) for r in runs]
    assert [code for code, _ in results] == [0, 0], results
    notices = pd.read_parquet(out / "notices.parquet")
    assert len(notices) == 6
    assert sorted(pd.read_parquet(out / "manifest.parquet").path) == sorted(
        f"{u}.txt" for u in ["县财政局", "县教育局", "县卫健局", "县水利局", "县交通局", "县民政局"])
