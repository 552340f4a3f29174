"""Listing an input folder: notice files, and the corpus metadata files that are not notices.
"""
from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import UnreadableFile


# --------------------------------------------------------------------------------------------
# Listing an input folder

_METADATA_NAMES = {"metadata.csv", "expected.json"}


def is_corpus_metadata(path: str | Path) -> bool:
    """True for corpus bookkeeping files that are never notices: ``metadata.csv``,
    ``EXPECTED.json`` and ``README*`` (names compared case-insensitively)."""
    name = Path(path).name.casefold()
    return name in _METADATA_NAMES or name.startswith("readme")


def _walk(folder: str | Path) -> list[Path]:
    root = Path(folder)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise UnreadableFile(root, "no such directory" if not root.exists() else "not a directory")

    def fail(exc: OSError) -> None:
        raise UnreadableFile(exc.filename or root, exc)

    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=fail):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(Path(dirpath, f) for f in filenames if not f.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(root).parts if p != root else ())


def iter_inputs(folder: str | Path) -> list[Path]:
    """Every candidate notice file under ``folder``, recursively, sorted by relative path.

    Rule: names starting with ``"."`` are skipped (files, and directories with everything in
    them); corpus metadata (:func:`is_corpus_metadata`: ``metadata.csv``, ``EXPECTED.json``,
    ``README*``, at any level) is left out -- :func:`corpus_metadata_files` lists it. Files of
    unsupported formats ARE listed, so that :func:`read_notice` can record them as skipped.
    Symlinked directories are not followed. ``folder`` may also be a single file (a list of it).
    A missing folder raises :class:`~pipeline.errors.UnreadableFile`.
    """
    return [p for p in _walk(folder) if not is_corpus_metadata(p)]


def corpus_metadata_files(folder: str | Path) -> list[Path]:
    """The files :func:`iter_inputs` leaves out as corpus metadata, same order."""
    return [p for p in _walk(folder) if is_corpus_metadata(p)]
