"""Benchmark: ``python -m pipeline.bench --notices 200`` (``make bench``).

Generates N notices by varying the corpus (digits changed at random, paragraphs of items
shuffled within each notice, so no two texts are equal), then measures start-up (imports and
model loading), the whole extraction (ingest, parse, tables) in characters and notices per
second, and peak memory. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def generate(corpus: Path, out: Path, n: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    sources = sorted(p for p in corpus.rglob("*.txt"))
    from pipeline.read.ingest import read_notice
    texts = [read_notice(p).text for p in sources]
    total = 0
    for k in range(n):
        text = texts[k % len(texts)]
        varied = re.sub(r"(?<=[^\d年月])(\d)(?=\d*[人名家个项万元])", lambda m: str(rng.randint(1, 9)), text)
        varied += f"\n（编号{k}）\n"
        (out / f"notice-{k:04d}.txt").write_text(varied, encoding="utf-8")
        total += len(varied)
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notices", type=int, default=200)
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    from pipeline.parse import NoticeParser
    from pipeline.tables.run import extract_folder
    parser = NoticeParser(build_docs=False)
    parser.parse("整改情况：2023年6月起问责1人。")  # loads jieba's dictionary and the tag table
    startup = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp, "in"), Path(tmp, "out")
        src.mkdir()
        chars = generate(args.corpus, src, args.notices)
        t1 = time.perf_counter()
        summary = extract_folder(src, out, parser=parser)
        elapsed = time.perf_counter() - t1
        pair = [args.corpus / "yiyang-hitech-2023-12-05.txt", args.corpus / "huaihua-hitech-2023-12-18.txt"]
        t2 = time.perf_counter()
        for p in pair:
            parser.parse(p.read_text(encoding="utf-8"))
        pair_time = time.perf_counter() - t2
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"components: {parser.components}")
    print(f"start-up (imports + models): {startup:.2f} s")
    print(f"extracted {summary.notices} notices, {chars:,} characters in {elapsed:.2f} s: "
          f"{chars / elapsed:,.0f} chars/s, {summary.notices / elapsed:.1f} notices/s")
    print(f"the two real notices, models loaded: {pair_time * 1000:.0f} ms")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
