"""Benchmark: ``python -m pipeline.evaluation.bench --notices 200`` (``make bench``).

Generates N notices by varying the corpus (digits changed at random, so no two texts are equal),
then prints, in one run on the same texts:

* start-up: a fresh ``python`` process from its start to its first parsed notice (imports and
  models), as a user's ``extract`` pays it;
* the whole extraction (ingest, parse, tables) with 1 worker and with every core, in characters
  and notices per second (the median of three runs), and, in a separate run, the peak memory of
  all its processes (resident and proportional set size, summed over the parent and its workers,
  sampled every 50 ms from ``/proc``: the sampling itself slows the workers, so timed runs are
  not sampled);
* the cost of adding 10 notices to a store of ``--store`` notices, against building that store;
* JioNLP's ``extract_time`` + ``extract_money`` over the same texts (the optional ``bench`` extra),
  and the ratio;
* 10,000 notices of the corpus's size mix, extrapolated from the all-cores throughput.

Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STARTUP_PROBE = ("import time; t = time.perf_counter()\n"
                 "from pipeline.parse import NoticeParser\n"
                 "NoticeParser(build_docs=False).parse('整改情况：2023年6月起问责1人。')\n"
                 "print(time.perf_counter() - t)\n")


def generate(corpus: Path, out: Path, n: int, seed: int = 0, start: int = 0) -> int:
    rng = random.Random(seed + start)
    sources = sorted(p for p in corpus.rglob("*.txt"))
    from pipeline.read.ingest import read_notice
    texts = []
    for p in sources:
        try:
            texts.append(read_notice(p).text)
        except Exception:  # noqa: BLE001 - the corpus holds deliberately unreadable files
            continue
    total = 0
    out.mkdir(parents=True, exist_ok=True)
    for k in range(start, start + n):
        text = texts[k % len(texts)]
        varied = re.sub(r"(?<=[^\d年月])(\d)(?=\d*[人名家个项万元])", lambda m: str(rng.randint(1, 9)), text)
        varied += f"\n（编号{k}）\n"
        (out / f"notice-{k:05d}.txt").write_text(varied, encoding="utf-8")
        total += len(varied)
    return total


class MemorySampler(threading.Thread):
    """Peak RSS and PSS (MB) summed over this process and its descendants."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        self.interval, self.stop_flag = interval, threading.Event()
        self.peak_rss = self.peak_pss = 0.0

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children") as handle:
                        todo.extend(int(c) for c in handle.read().split())
            except OSError:
                continue
        return out

    @staticmethod
    def _rollup(pid: int) -> tuple[float, float]:
        rss = pss = 0.0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss = int(line.split()[1]) / 1024
                    elif line.startswith("Pss:"):
                        pss = int(line.split()[1]) / 1024
        except OSError:
            pass
        return rss, pss

    def run(self) -> None:
        while not self.stop_flag.is_set():
            sizes = [self._rollup(p) for p in self._tree(os.getpid())]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in sizes))
            self.peak_pss = max(self.peak_pss, sum(p for _, p in sizes))
            self.stop_flag.wait(self.interval)

    def stop(self) -> "MemorySampler":
        self.stop_flag.set()
        self.join()
        return self


def timed_extract(parser, src: Path, out: Path, workers: int | None, sample: bool = False):
    """(summary, seconds, the memory sampler or None). Timed runs are not sampled: reading
    ``smaps_rollup`` of every process every 50 ms takes the kernel long enough to slow the
    workers by 10 to 25 % on two cores."""
    from pipeline.tables.run import extract_folder
    sampler = MemorySampler() if sample else None
    if sampler is not None:
        sampler.start()
    t = time.perf_counter()
    summary = extract_folder(src, out, parser=parser, workers=workers)
    elapsed = time.perf_counter() - t
    return summary, elapsed, sampler.stop() if sampler is not None else None


TIMED_RUNS = 3  # throughput: the median of this many runs, the range printed beside it


def startup_seconds(runs: int = 3) -> tuple[float, float]:
    """Best of ``runs``: (time to the first parsed notice, whole process wall time)."""
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        t = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", STARTUP_PROBE], cwd=REPO, capture_output=True,
                                text=True, check=True)
        best = min(best, (float(result.stdout.strip().splitlines()[-1]), time.perf_counter() - t))
    return best


def jionlp_seconds(texts: list[str]) -> float | None:
    try:
        import jionlp  # noqa: F401
    except ImportError:
        return None
    import jionlp as jio
    base = time.time()
    jio.ner.extract_time(texts[0], time_base=base)  # its lexicons load on first use
    jio.ner.extract_money(texts[0])
    t = time.perf_counter()
    for text in texts:
        jio.ner.extract_time(text, time_base=base)
        jio.ner.extract_money(text)
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notices", type=int, default=200)
    ap.add_argument("--store", type=int, default=2000, help="store size for the incremental figure (0: skip)")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = ap.parse_args(argv)
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}")
    startup, process_wall = startup_seconds()
    print(f"start-up (fresh process to its first parsed notice): {startup:.2f} s "
          f"(whole process incl. interpreter: {process_wall:.2f} s; best of 3)")

    from pipeline.parse import NoticeParser
    parser = NoticeParser(build_docs=False)
    parser.parse("整改情况：2023年6月起问责1人。")
    print(f"components: {parser.components}")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in")
        chars = generate(args.corpus, src, args.notices)
        texts = [p.read_text(encoding="utf-8") for p in sorted(src.glob("*.txt"))]
        rates = {}
        for label, workers in (("1 worker", 1), (f"all {cores} cores", None)):
            times = []
            for run in range(TIMED_RUNS):  # each into a new output folder: a whole extraction each time
                summary, elapsed, _ = timed_extract(parser, src, Path(tmp, f"out-{workers}-{run}"), workers)
                times.append(elapsed)
            elapsed = statistics.median(times)
            _, _, memory = timed_extract(parser, src, Path(tmp, f"out-{workers}-memory"), workers, sample=True)
            rates[label] = chars / elapsed
            print(f"extract, {label}: {summary.notices} notices, {chars:,} characters in {elapsed:.2f} s "
                  f"(median of {TIMED_RUNS}; {min(times):.2f} to {max(times):.2f} s): "
                  f"{chars / elapsed:,.0f} chars/s, {summary.notices / elapsed:.1f} notices/s; "
                  f"peak memory of all processes (a separate, sampled run): "
                  f"RSS {memory.peak_rss:,.0f} MB, PSS {memory.peak_pss:,.0f} MB")
        best = rates[f"all {cores} cores"]
        mean_chars = chars / args.notices
        print(f"10,000 notices of this size mix ({mean_chars:,.0f} characters each on average): "
              f"{10_000 * mean_chars / best / 60:.1f} min at the all-cores rate (+ {startup:.1f} s start-up)")
        jio = jionlp_seconds(texts)
        if jio is None:
            print("JioNLP: not installed (pip install -e '.[bench]')")
        else:
            print(f"JioNLP extract_time + extract_money, 1 process, same texts: {chars / jio:,.0f} chars/s; "
                  f"the whole pipeline is {best / (chars / jio):.2f}× that with all cores, "
                  f"{rates['1 worker'] / (chars / jio):.2f}× with 1 worker")
        if args.store:
            store_in, store_out = Path(tmp, "store-in"), Path(tmp, "store-out")
            generate(args.corpus, store_in, args.store, start=100_000)
            _, build, _ = timed_extract(parser, store_in, store_out, None)
            generate(args.corpus, store_in, 10, start=200_000)
            summary, add, _ = timed_extract(parser, store_in, store_out, None)
            print(f"store of {args.store:,} notices: built in {build:.1f} s; adding 10 notices "
                  f"(parsed {summary.parsed}, unchanged {summary.reused}) took {add:.2f} s = "
                  f"{100 * add / build:.1f} % of the build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
