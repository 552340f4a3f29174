"""Loaders for the language data each stage keeps beside its code.

A stage folder holds ``patterns/*.jsonl`` (``{"id", "pattern", ...}`` rows) and
``lexicons/*.txt|*.tsv``; a file is named by its stem (``word_list("org_suffixes")``), and every
stem is unique across the package (a test checks it), so call sites need not know the folder.
Each file is read once per process (``functools.cache``); a malformed line raises an error
that names the file and the line, so a bad edit to a data file is easy to find.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
DATA_KINDS = ("patterns", "lexicons")


from pipeline.errors import ResourceError  # noqa: E402,F401  (raised here)


def data_files(kind: str) -> list[Path]:
    """Every ``<stage>/<kind>/*`` data file of the package, sorted by file name."""
    return sorted((p for p in PACKAGE_ROOT.glob(f"*/{kind}/*") if p.is_file()), key=lambda p: p.name)


@functools.cache
def data_file(kind: str, filename: str) -> Path:
    """The one ``<stage>/<kind>/<filename>`` of the package."""
    found = [p for p in data_files(kind) if p.name == filename]
    if len(found) != 1:
        raise ResourceError(f"expected one {kind}/{filename} under {PACKAGE_ROOT}, found {len(found)}")
    return found[0]


def _data_lines(path: Path):
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            stripped = line.rstrip("\n")
            if not stripped.strip() or stripped.lstrip().startswith("#"):
                continue
            yield number, stripped


@functools.cache
def pattern_rows(name: str) -> tuple[dict, ...]:
    """The raw rows of ``patterns/<name>.jsonl`` (for pattern files with extra fields)."""
    path = data_file("patterns", f"{name}.jsonl")
    rows = []
    for number, line in _data_lines(path):
        try:
            row = json.loads(line)
            row["regex"] = re.compile(row["pattern"], re.MULTILINE)
        except (json.JSONDecodeError, KeyError, re.error) as exc:
            raise ResourceError(f"{path}:{number}: cannot read pattern ({exc})") from exc
        rows.append(row)
    return tuple(rows)


def patterns(name: str) -> dict[str, re.Pattern]:
    """Compiled regular expressions of ``patterns/<name>.jsonl`` by id (multiline mode)."""
    return {row["id"]: row["regex"] for row in pattern_rows(name)}


@functools.cache
def table(name: str, columns: int = 2) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated lexicon ``lexicons/<name>.tsv`` (comment lines start with #)."""
    path = data_file("lexicons", f"{name}.tsv")
    rows = []
    for number, line in _data_lines(path):
        cells = tuple(cell.strip() for cell in line.split("\t"))
        if len(cells) < columns or not all(cells[:columns]):
            raise ResourceError(f"{path}:{number}: expected {columns} tab-separated columns, got {line!r}")
        rows.append(cells)
    return tuple(rows)


@functools.cache
def word_list(name: str) -> tuple[str, ...]:
    """Words of ``lexicons/<name>.txt``, one per line (jieba's ``word [freq] [tag]`` format allowed)."""
    path = data_file("lexicons", f"{name}.txt")
    return tuple(line.split()[0] for _, line in _data_lines(path))


def alternation(words) -> str:
    """A regex alternation of literal words, longest first so the longest reading wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
