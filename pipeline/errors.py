"""Every typed exception of the pipeline, in one module.

Each message says three things: what was expected, what came instead, and how to fix it, and it
names the file concerned. Ingest errors also carry two short fields for a manifest row:

* ``reason`` -- a machine-friendly slug such as ``"unsupported-format"`` or ``"no-text-layer"``;
* ``status`` -- ``"failed"`` (the file should have been readable and was not) or ``"skipped"``
  (the file is deliberately not processed: not a notice format, or not a notice at all).

All exceptions pickle and unpickle with their attributes intact, so they can cross process
boundaries (``multiprocessing``/``concurrent.futures``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "PipelineError",
    "IngestError",
    "UnsupportedFormat",
    "EmptyInput",
    "UndecodableText",
    "CorruptDocument",
    "NoTextLayer",
    "InputTooLarge",
    "NotANotice",
    "UnreadableFile",
    "ModelLoadError",
    "AnnotationError",
    "AnnotationServerError",
    "ReportInputError",
    "SUPPORTED_SUFFIXES",
]

#: File suffixes :func:`pipeline.read.ingest.read_notice` reads (lower case, compared case-insensitively).
SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf")


def _rebuild(cls: type, args: tuple, state: dict[str, Any]) -> "PipelineError":
    obj = cls.__new__(cls)
    Exception.__init__(obj, *args)
    obj.__dict__.update(state)
    return obj


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


class PipelineError(Exception):
    """Base class of every error the pipeline raises on purpose."""

    def __reduce__(self):  # keep attributes across pickling (custom __init__ signatures)
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class IngestError(PipelineError):
    """A notice file could not be turned into text.

    Attributes: ``path`` (:class:`~pathlib.Path`), ``reason`` (short slug for a manifest row),
    ``status`` (``"failed"`` or ``"skipped"``), ``detail`` (free text, may be empty).
    """

    status: str = "failed"
    reason: str = "ingest-error"

    def __init__(self, path: str | Path, message: str, *, reason: str | None = None,
                 detail: str = "") -> None:
        self.path = Path(path)
        if reason is not None:
            self.reason = reason
        self.detail = detail
        super().__init__(f"{self.path}: {message}")

    def manifest_row(self) -> dict[str, str]:
        """The fields a run manifest records for a file that was not ingested."""
        return {"path": str(self.path), "status": self.status, "reason": self.reason,
                "error": type(self).__name__, "message": str(self)}


class UnsupportedFormat(IngestError):
    """The file's suffix is none of :data:`SUPPORTED_SUFFIXES` (skipped, not failed)."""

    status = "skipped"
    reason = "unsupported-format"

    def __init__(self, path: str | Path) -> None:
        suffix = Path(path).suffix.lower() or "(no suffix)"
        super().__init__(
            path,
            f"{suffix} is not a supported notice format; supported: {' '.join(SUPPORTED_SUFFIXES)}. "
            f"Convert the file to one of these (e.g. save a spreadsheet's text as .txt) or leave "
            f"it out of the input folder.",
            detail=suffix)


class EmptyInput(IngestError):
    """The file has no bytes, or its format yields no text at all (only whitespace)."""

    reason = "empty"

    def __init__(self, path: str | Path, what: str = "the file is empty (0 bytes)") -> None:
        super().__init__(
            path,
            f"expected the text of a rectification notice, but {what}. Check that the download "
            f"or export completed, and re-save the notice.",
            detail=what)


class UndecodableText(IngestError):
    """Bytes that decode to no sensible text: binary junk, unknown encoding, broken UTF-8."""

    reason = "undecodable"

    def __init__(self, path: str | Path, what: str) -> None:
        super().__init__(
            path,
            f"expected text in UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK or Big5, "
            f"but {what}. If this is a notice, re-save it as UTF-8 text; if it is a binary file "
            f"(image, archive, spreadsheet), remove it from the input folder.",
            detail=what)


class CorruptDocument(IngestError):
    """A .docx or .pdf container that its library cannot open (broken, truncated, encrypted)."""

    reason = "corrupt-document"

    def __init__(self, path: str | Path, fmt: str, what: str) -> None:
        super().__init__(
            path,
            f"expected a readable .{fmt} document, but {what}. Re-download or re-export the file "
            f"(for an encrypted PDF, save an unprotected copy).",
            detail=what)


class NoTextLayer(IngestError):
    """A PDF whose pages carry no extractable text (a scan, or blank pages)."""

    reason = "no-text-layer"

    def __init__(self, path: str | Path, n_pages: int) -> None:
        super().__init__(
            path,
            f"expected a PDF with a text layer, but none of its {n_pages} page(s) has extractable "
            f"text (a scanned or image-only PDF). Run OCR on it first (e.g. `ocrmypdf -l chi_sim "
            f"in.pdf out.pdf`) or find the notice as HTML/text.",
            detail=f"{n_pages} pages")


class InputTooLarge(IngestError):
    """The file, or the text decoded from it, is above the configured limit."""

    reason = "too-large"

    def __init__(self, path: str | Path, *, size: int, limit: int, unit: str = "bytes") -> None:
        if unit == "bytes":
            came, cap = f"{size} bytes ({_mb(size)})", f"{limit} bytes ({_mb(limit)})"
            knob = "max_bytes"
        else:
            came, cap = f"{size} characters of text", f"{limit} characters"
            knob = "max_chars"
        self.size, self.limit, self.unit = size, limit, unit
        super().__init__(
            path,
            f"expected at most {cap} for one notice, but the file has {came}. A real notice is "
            f"tens of thousands of characters; split the file into single notices, or raise the "
            f"limit (read_notice(..., {knob}=N)) if this really is one notice.",
            detail=f"{size}>{limit} {unit}")


class NotANotice(IngestError):
    """Decoded text that is not a rectification notice (too little Chinese, no 整改) -- skipped."""

    status = "skipped"
    reason = "not-a-notice"

    def __init__(self, path: str | Path, what: str) -> None:
        super().__init__(
            path,
            f"expected a rectification notice (Chinese text mentioning 整改), but {what}. "
            f"Remove the file from the input folder, or pass require_notice=False to read it anyway.",
            detail=what)


class UnreadableFile(IngestError):
    """The operating system would not give the bytes: missing file, permission, I/O error."""

    reason = "unreadable"

    def __init__(self, path: str | Path, error: BaseException | str) -> None:
        what = error if isinstance(error, str) else f"{type(error).__name__}: {getattr(error, 'strerror', None) or error}"
        super().__init__(
            path,
            f"expected a readable file, but the operating system said {what}. Check that the path "
            f"exists, is a regular file, and is readable by this user.",
            detail=str(what))


class ModelLoadError(PipelineError):
    """A model file that is missing, corrupt, of the wrong version, or not in a safe format.

    ``ModelLoadError(path, "file not found")`` is enough; ``expected`` and ``fix`` refine the
    message, e.g. ``ModelLoadError(p, "a pickle file (unsafe to load)", fix="re-export with skops")``.
    Attributes: ``path``, ``reason`` (the problem as given), ``expected``, ``fix``.
    """

    def __init__(self, path: str | Path, reason: str, *,
                 expected: str = "a model file written by this pipeline's training step "
                                 "(skops format, no pickle)",
                 fix: str = "retrain the model, or point the pipeline at the right model file") -> None:
        self.path = Path(path)
        self.reason = reason
        self.expected = expected
        self.fix = fix
        super().__init__(f"{self.path}: cannot load model: expected {expected}; got: {reason}. "
                         f"Fix: {fix}.")


class AnnotationError(PipelineError, ValueError):
    """Gold data or an annotation-tool export that breaks the format or the guideline.

    Takes one message, which should start with the file (and record) concerned and say what
    was expected and what came, e.g. ``AnnotationError(f"{path}:{n}: start/end are not
    integers: {start!r}, {end!r}")``. Also a ``ValueError``, for callers that catch that.
    """


class AnnotationServerError(PipelineError):
    """An annotation server (Label Studio) that cannot be reached, refuses the token, or holds a
    project that is not ours; the message names the server or project and says how to fix it."""


class ResourceError(PipelineError, ValueError):
    """A data file of the package (a pattern file or a lexicon) is malformed or missing; the
    message names the file and the line."""


class LexiconError(PipelineError, ValueError):
    """The keyword table is malformed; the message names the file and the line."""


class SchemaError(PipelineError, ValueError):
    """Rows that do not fit the declared table schema (a writer bug, never the user's input)."""


class TrainingDataError(PipelineError, ValueError):
    """The gold data cannot train or cross-validate a model (no notices, no measures, one notice)."""


class OutputLocked(PipelineError):
    """Another extract run holds the output folder's lock for longer than we may wait."""

    def __init__(self, out_dir, holder: str, waited: float):
        self.out_dir, self.holder, self.waited = out_dir, holder, waited
        super().__init__(f"{out_dir}: another extract run is writing these tables ({holder}); waited "
                         f"{waited:g} s. Fix: wait for it to finish, give --wait more seconds, or use "
                         f"another --out folder.")


class ReportInputError(PipelineError, ValueError):
    """``report`` was given a folder that is not a readable extract output (tables missing or bad)."""
