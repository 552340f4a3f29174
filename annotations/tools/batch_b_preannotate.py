"""Freeze the rule pipeline's pre-annotation of the batch-b written notices (run once).

Writes annotations/tools/batch_b_preannotation.jsonl; batch_b_corrections.py builds
annotations/batch_b.jsonl from this frozen snapshot plus hand corrections.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.api import NoticeParser  # noqa: E402
from pipeline.gold import from_parsed, save_gold  # noqa: E402
from pipeline.ingest import read_notice  # noqa: E402
from pipeline.run import notice_id_of  # noqa: E402

FILES = [
    "written/b-tingyang-drc-2024-11-08.txt",
    "written/b-chuyuan-normal-univ-2024-12-20.txt",
    "written/b-linxi-district-health-2025-03-14.txt",
    "written/b-lanzhou-urban-invest-2024-09-27.txt",
    "written/b-qingyan-county-court-2024-10-25.txt",
]


def main() -> None:
    parser = NoticeParser(ner=None, classifier=None)
    recs = []
    for rel in FILES:
        text = read_notice(ROOT / "corpus" / rel).text
        recs.append(from_parsed(parser.parse(text), id=notice_id_of(text), source=f"corpus/{rel}", origin="written"))
    save_gold(recs, ROOT / "annotations/tools/batch_b_preannotation.jsonl")
    for r in recs:
        print(r.source, r.id, r.notice_date, len(r.entities), len(r.items), len(r.measures))


if __name__ == "__main__":
    main()
