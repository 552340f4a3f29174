"""The real development set: openings of public web pages, annotated as offsets only.

Third-party text is never committed. ``annotations/real/`` holds:

* ``sources.tsv``: one row per page: ``id``, ``url``, ``query`` (the search that found it),
  ``sha256`` of the text, ``chars``, ``province``, ``level``, ``genre``, ``year``;
* ``gold.jsonl``: per page ``id``, ``sha256``, ``notice_date``, ``header`` (inspection body as
  offsets, inspection period, feedback and publication dates), ``entities`` (offsets, label,
  values) and ``measures`` (offsets, labels) — no text;
* ``texts/<id>.txt`` (ignored by git): the page text as gathered, exactly;
* ``drafts/<id>.json`` (ignored by git): the annotator's working copy, spans written as snippets
  in text order; :func:`build_gold` resolves them to offsets.

:func:`status` says which texts are present, missing or changed (``python -m pipeline real
status``); :func:`load_real` gives :class:`GoldNotice` records with the texts that are present.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from pipeline.annotation.gold_records import GoldEntity, GoldMeasure, GoldNotice, VALUE_KEYS
from pipeline.errors import AnnotationError
from pipeline.fsutil import atomic_write_text
from pipeline.types import ENTITY_LABELS, MEASURE_LABELS

REAL_DIR = Path(__file__).resolve().parents[2] / "annotations" / "real"
SOURCE_COLUMNS = ("id", "url", "query", "sha256", "chars", "province", "level", "genre", "year")
LEVELS = ("province", "city", "county", "town", "central", "enterprise", "university", "hospital",
          "department", "school", "village", "other")
GENRES = ("xunshi_rectification", "xuncha_rectification", "audit_rectification",
          "environment_rectification", "other_rectification")
HEADER_DATES = ("inspection_start", "inspection_end", "feedback_date", "publication_date")
ORIGIN = "real-web"  # the origin the evaluation groups these under


@dataclass
class RealHeader:
    inspection_body: tuple[int, int] | None = None
    inspection_start: dt.date | None = None
    inspection_end: dt.date | None = None
    feedback_date: dt.date | None = None
    publication_date: dt.date | None = None


@dataclass
class RealDoc:
    id: str
    sha256: str
    source: dict[str, str]
    notice_date: dt.date | None
    header: RealHeader
    gold: dict[str, Any]
    text: str | None = None
    problems: list[str] = field(default_factory=list)

    def notice(self) -> GoldNotice:
        """The page as a gold record (entities and measures; no items: openings are not whole)."""
        if self.text is None:
            raise AnnotationError(f"real page {self.id}: its text is not in {REAL_DIR / 'texts'}")
        ents = []
        for e in self.gold["entities"]:
            values = {k: e.get(k) for k in VALUE_KEYS[e["label"]]}
            for k in ("start_date", "end_date"):
                if values.get(k):
                    values[k] = dt.date.fromisoformat(values[k])
            ents.append(GoldEntity(start=e["start"], end=e["end"], label=e["label"],
                                   text=self.text[e["start"]:e["end"]], **values))
        measures = [GoldMeasure(start=m["start"], end=m["end"], text=self.text[m["start"]:m["end"]],
                                labels=list(m["labels"])) for m in self.gold["measures"]]
        return GoldNotice(id=self.id, source=f"annotations/real/texts/{self.id}.txt", origin=ORIGIN,
                          text=self.text, notice_date=self.notice_date, entities=ents, measures=measures)

    @property
    def inspection_body(self) -> str | None:
        span = self.header.inspection_body
        return None if span is None or self.text is None else self.text[span[0]:span[1]]


def _date(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v) if v else None


def read_sources(folder: Path = REAL_DIR) -> dict[str, dict[str, str]]:
    path = folder / "sources.tsv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle, delimiter="\t")}


def _text_of(folder: Path, pid: str, sha256: str) -> tuple[str | None, str]:
    path = folder / "texts" / f"{pid}.txt"
    if not path.exists():
        return None, "missing"
    text = path.read_bytes().decode("utf-8")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha256:
        return None, "changed"
    return text, "present"


def status(folder: Path = REAL_DIR) -> dict[str, list[str]]:
    """Ids of the pages whose text is ``present``, ``missing`` or ``changed`` (sha256 differs)."""
    out: dict[str, list[str]] = {"present": [], "missing": [], "changed": []}
    for pid, row in read_sources(folder).items():
        out[_text_of(folder, pid, row["sha256"])[1]].append(pid)
    return out


def load_real(folder: Path = REAL_DIR) -> list[RealDoc]:
    """Every annotated page, with its text where present and unchanged (``text`` None otherwise)."""
    sources = read_sources(folder)
    path = folder / "gold.jsonl"
    docs = []
    if not path.exists():
        return docs
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        g = json.loads(line)
        if g["id"] not in sources:
            raise AnnotationError(f"{path}:{n}: page {g['id']} is not in sources.tsv")
        text, _ = _text_of(folder, g["id"], g["sha256"])
        h = g["header"]
        body = h.get("inspection_body")
        header = RealHeader(inspection_body=(body["start"], body["end"]) if body else None,
                            **{k: _date(h.get(k)) for k in HEADER_DATES})
        docs.append(RealDoc(id=g["id"], sha256=g["sha256"], source=sources[g["id"]],
                            notice_date=_date(g.get("notice_date")), header=header, gold=g, text=text))
    return docs


# --------------------------------------------------------------------------- drafts → gold


def _iso_ok(v) -> bool:
    if v is None:
        return True
    try:
        return len(v) == 10 and bool(dt.date.fromisoformat(v))
    except (TypeError, ValueError):
        return False


_N_VALUES = {label: len(keys) for label, keys in VALUE_KEYS.items()}


def _hint(row: list, n_fields: int) -> tuple[list, int | None]:
    """A row without its optional trailing ``{"start": N}`` (where the snippet stands, for a
    snippet that also occurs earlier after the previous row), and N."""
    if len(row) == n_fields + 1 and isinstance(row[-1], dict) and isinstance(row[-1].get("start"), int):
        return row[:-1], row[-1]["start"]
    return row, None


def _find(text: str, snippet: str, cursor: int, at: int | None) -> int:
    if at is not None:
        return at if at >= cursor and text.startswith(snippet, at) else -1
    return text.find(snippet, cursor)


def resolve_draft(draft: dict[str, Any], text: str) -> tuple[dict[str, Any], list[str]]:
    """Offsets for a draft's snippet rows (searched forward in list order), and its problems."""
    problems: list[str] = []
    ents, cursor = [], 0
    for i, row in enumerate(draft["entities"]):
        if not isinstance(row, list) or len(row) < 2 or row[0] not in ENTITY_LABELS:
            problems.append(f"entity {i}: bad row {row!r}")
            continue
        row, at = _hint(row, 2 + _N_VALUES[row[0]])
        label, snippet, values = row[0], row[1], row[2:]
        if len(values) != _N_VALUES[label]:
            problems.append(f"entity {i} {snippet!r}: {label} takes {_N_VALUES[label]} values, got {values!r}")
            continue
        pos = _find(text, snippet, cursor, at) if snippet and snippet == snippet.strip() else -1
        if pos < 0:
            problems.append(f"entity {i} {label} {snippet!r}: not found after offset {cursor}"
                            + ("" if at is None else f" at {at}"))
            continue
        e: dict[str, Any] = {"start": pos, "end": pos + len(snippet), "label": label}
        if label == "DATE":
            if not (_iso_ok(values[0]) and _iso_ok(values[1])) or (values[0] and values[1] and values[1] < values[0]):
                problems.append(f"entity {i} {snippet!r}: bad dates {values!r}")
            e.update(start_date=values[0], end_date=values[1])
        elif label == "MONEY":
            if not isinstance(values[2], bool) or not (values[0] is None or isinstance(values[0], (int, float))):
                problems.append(f"entity {i} {snippet!r}: bad money values {values!r}")
            e.update(value=None if values[0] is None else float(values[0]), currency=values[1], approx=values[2])
        elif label == "PERSON_COUNT":
            if not isinstance(values[0], int) or isinstance(values[0], bool):
                problems.append(f"entity {i} {snippet!r}: value must be an integer")
            e.update(value=values[0])
        elif label == "DOC_TITLE":
            if text[pos - 1:pos] != "《" or text[pos + len(snippet):pos + len(snippet) + 1] != "》":
                problems.append(f"entity {i} {snippet!r}: a DOC_TITLE sits directly inside 《》")
            e.update(kind=values[0])
        elif label == "DOC_NUMBER":
            if not isinstance(values[1], int) or not isinstance(values[2], str):
                problems.append(f"entity {i} {snippet!r}: DOC_NUMBER takes issuer code, year (int), serial (str)")
            e.update(issuer_code=values[0], year=values[1], serial=values[2])
        ents.append(e)
        cursor = pos + len(snippet)
    measures, cursor = [], 0
    for i, row in enumerate(draft["measures"]):
        (snippet, labels), at = _hint(row, 2)
        pos = _find(text, snippet, cursor, at) if snippet.strip() else -1
        if pos < 0 or set(labels) - set(MEASURE_LABELS):
            problems.append(f"measure {i} {snippet[:30]!r}: not found after offset {cursor}, or unknown labels")
            continue
        measures.append({"start": pos, "end": pos + len(snippet), "labels": sorted(set(labels))})
        cursor = pos + len(snippet)
    for a, b in zip(ents, ents[1:]):
        if b["start"] < a["end"]:
            problems.append(f"entities overlap at {b['start']}")
    header: dict[str, Any] = {}
    body = draft["header"].get("inspection_body")
    pos = _find(text, body, 0, draft["header"].get("inspection_body_start")) if body else -1
    if body and pos < 0:
        problems.append(f"inspection_body {body!r} not in the text")
    header["inspection_body"] = {"start": pos, "end": pos + len(body)} if body and pos >= 0 else None
    for key in HEADER_DATES:
        if not _iso_ok(draft["header"].get(key)):
            problems.append(f"header {key}: not YYYY-MM-DD")
        header[key] = draft["header"].get(key)
    if draft.get("level") not in LEVELS or draft.get("genre") not in GENRES:
        problems.append("level or genre missing or unknown")
    gold = {"id": draft["id"], "sha256": draft["sha256"], "notice_date": draft.get("notice_date"),
            "header": header, "entities": ents, "measures": measures}
    return gold, problems


def build_gold(folder: Path = REAL_DIR) -> tuple[int, dict[str, list[str]]]:
    """Rewrite the gold rows (and ``sources.tsv`` rows) of every page whose draft resolves; every
    other page keeps the rows it has (a draft with problems changes nothing). Returns (pages
    written from drafts, problems by page id). No drafts at all is an error: nothing is written."""
    drafts = sorted((folder / "drafts").glob("*.json"))
    if not drafts:
        raise AnnotationError(f"{folder / 'drafts'}: no drafts to build from; write them from the gold "
                              "with `python -m pipeline real drafts` and edit them first")
    problems: dict[str, list[str]] = {}
    sources = dict(read_sources(folder))
    golds = {g["id"]: g for g in _gold_rows(folder)}
    written = 0
    for path in drafts:
        draft = json.loads(path.read_text(encoding="utf-8"))
        text, state = _text_of(folder, draft["id"], draft["sha256"])
        if text is None:
            problems[draft["id"]] = [f"text {state}"]
            continue
        gold, found = resolve_draft(draft, text)
        if found:
            problems[draft["id"]] = found
            continue
        golds[draft["id"]] = gold
        sources[draft["id"]] = {"id": draft["id"], "url": draft["url"], "query": draft["query"],
                                "sha256": draft["sha256"], "chars": str(len(text)), "province": draft["province"],
                                "level": draft["level"], "genre": draft["genre"], "year": str(draft["year"])}
        written += 1
    lines = ["\t".join(SOURCE_COLUMNS)] + ["\t".join(r[c].replace("\t", " ") for c in SOURCE_COLUMNS)
                                          for _, r in sorted(sources.items())]
    atomic_write_text(folder / "sources.tsv", "\n".join(lines) + "\n")
    atomic_write_text(folder / "gold.jsonl", "".join(json.dumps(golds[pid], ensure_ascii=False, sort_keys=True) + "\n"
                                                     for pid in sorted(sources) if pid in golds))
    return written, problems


def _gold_rows(folder: Path) -> list[dict[str, Any]]:
    path = folder / "gold.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def draft_from_gold(gold: dict[str, Any], source: dict[str, str], text: str) -> dict[str, Any]:
    """A page's gold as a draft (snippets in text order, the inverse of :func:`resolve_draft`). A
    row whose snippet also stands earlier after the row before it carries ``{"start": N}``."""
    def rows(spans, fields):
        out, cursor = [], 0
        for span in spans:
            snippet = text[span["start"]:span["end"]]
            row = fields(span, snippet)
            if text.find(snippet, cursor) != span["start"]:
                row.append({"start": span["start"]})
            out.append(row)
            cursor = span["end"]
        return out
    h = gold["header"]
    body = h.get("inspection_body")
    header: dict[str, Any] = {"inspection_body": text[body["start"]:body["end"]] if body else None}
    if body and text.find(header["inspection_body"]) != body["start"]:
        header["inspection_body_start"] = body["start"]
    header.update({k: h.get(k) for k in HEADER_DATES})
    return {"id": gold["id"], "sha256": gold["sha256"], "url": source["url"], "query": source["query"],
            "province": source["province"], "level": source["level"], "genre": source["genre"],
            "year": int(source["year"]) if str(source["year"]).isdigit() else source["year"],
            "notice_date": gold.get("notice_date"), "header": header,
            "entities": rows(gold["entities"], lambda e, s: [e["label"], s] + [e.get(k) for k in VALUE_KEYS[e["label"]]]),
            "measures": rows(gold["measures"], lambda m, s: [s, list(m["labels"])])}


def write_drafts(folder: Path = REAL_DIR, ids: Sequence[str] = (), force: bool = False) -> tuple[list[str], list[str]]:
    """Drafts (``drafts/<id>.json``) from the gold of the given pages (all when none are given)
    whose text is present. An existing draft is kept unless ``force``. Returns (written, kept)."""
    sources, golds = read_sources(folder), {g["id"]: g for g in _gold_rows(folder)}
    unknown = [pid for pid in ids if pid not in golds]
    if unknown:
        raise AnnotationError(f"{folder / 'gold.jsonl'}: no page {', '.join(unknown)}")
    (folder / "drafts").mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for pid in ids or list(golds):
        path = folder / "drafts" / f"{pid}.json"
        text, _ = _text_of(folder, pid, golds[pid]["sha256"])
        if text is None or (path.exists() and not force):
            kept.append(pid)
            continue
        draft = draft_from_gold(golds[pid], sources[pid], text)
        atomic_write_text(path, json.dumps(draft, ensure_ascii=False, indent=1) + "\n")
        written.append(pid)
    return written, kept
