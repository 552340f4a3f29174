"""Freeze the pipeline's pre-annotation of the 13 corpus notices (run once).

Writes annotations/tools/preannotation.jsonl. annotate_corrections.py builds the gold from this
frozen snapshot plus hand corrections, so the gold never changes when the pipeline changes.
"""
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.api import NoticeParser  # noqa: E402
from pipeline.gold import from_parsed, save_gold  # noqa: E402
from pipeline.ingest import read_notice  # noqa: E402
from pipeline.run import notice_id_of  # noqa: E402


def main() -> None:
    origins = {r["file"]: r["origin"] for r in csv.DictReader(open(ROOT / "corpus/metadata.csv", encoding="utf-8"))}
    parser = NoticeParser(ner=None, classifier=None)
    recs = []
    for rel, origin in origins.items():
        path = ROOT / "corpus" / rel
        text = read_notice(path).text
        parsed = parser.parse(text)
        recs.append(from_parsed(parsed, id=notice_id_of(text), source=f"corpus/{rel}", origin=origin))
    save_gold(recs, ROOT / "annotations/tools/preannotation.jsonl")
    for r in recs:
        print(r.source, r.id, r.notice_date, len(r.entities), len(r.items), len(r.measures))


if __name__ == "__main__":
    main()
