"""Loaders for the language data under ``pipeline/patterns`` and ``pipeline/lexicons``.

Each file is read once per process (``functools.cache``); a malformed line raises an error
that names the file and the line, so a bad edit to a data file is easy to find.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
PATTERNS_DIR = PACKAGE_ROOT / "patterns"
LEXICONS_DIR = PACKAGE_ROOT / "lexicons"


class ResourceError(ValueError):
    """A data file of the package is malformed."""


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
    path = PATTERNS_DIR / f"{name}.jsonl"
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
    path = LEXICONS_DIR / f"{name}.tsv"
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
    path = LEXICONS_DIR / f"{name}.txt"
    return tuple(line.split()[0] for _, line in _data_lines(path))


def alternation(words) -> str:
    """A regex alternation of literal words, longest first so the longest reading wins."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
