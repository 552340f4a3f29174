"""The input layer: notice files in, decoded text out.

:func:`read_notice` reads one file (``.txt``, ``.html``/``.htm``, ``.docx``, ``.pdf``) into a
:class:`SourceDocument`, or raises a typed :class:`~pipeline.errors.IngestError` whose
``status``/``reason`` go straight into a manifest row. :func:`iter_inputs` lists the files of an
input folder.

The text is kept EXACTLY as decoded (or as the format's library extracted it): no stripping, no
Unicode normalisation, ``\\r\\n`` stays ``\\r\\n``. Only a byte-order mark disappears, by decoding.
Every offset the pipeline stores indexes this text; normalise with
:func:`pipeline.read.textnorm.matching_text` for matching only.

Decisions
---------
Encoding of ``.txt`` (and of ``.html`` bytes), first that applies:

1. a byte-order mark: UTF-8 (``utf-8-sig``), UTF-32/UTF-16 LE/BE -- decoded strictly;
2. ``.html`` only: the charset the page declares (``<meta charset>`` or ``http-equiv``
   ``content=...charset=...`` in its first 4 KiB), if the bytes decode strictly with it
   (GB2312/GBK are read as GB18030); otherwise a warning and on to 3;
3. strict UTF-8;
4. truncated UTF-8: when the ONLY defect is an incomplete multi-byte sequence at the very end
   (a file cut mid-character), that last partial character (1-3 bytes) is dropped and a warning
   is put in :attr:`SourceDocument.warnings`. Bytes that are otherwise UTF-8 (at least 10
   non-ASCII characters, at most 1 % of them invalid) but have a defect elsewhere are a damaged
   UTF-8 file -> :class:`~pipeline.errors.UndecodableText` (never re-guessed as GB18030);
5. charset-normalizer's candidates (``from_bytes(data)``), each decoded strictly, GB family
   codecs (gb2312, gbk, cp936) replaced by their superset gb18030. When it proposes several,
   the one whose text reads most like Chinese wins: score = share of very common Chinese
   characters (after traditional->simplified) - share of characters of other scripts (Hangul,
   kana, Cyrillic, Greek, Latin-1 letters, box drawing, private use) - charset-normalizer's
   chaos; ties keep charset-normalizer's order. (It guesses cp949 for a short GBK line
   otherwise.)
6. nothing decodes -> :class:`~pipeline.errors.UndecodableText`.

Whatever decoded, text of which more than :data:`MAX_JUNK_SHARE` (5 %) is control characters,
U+FFFD or private-use characters is binary junk -> ``UndecodableText``.

Size caps: the file may have at most ``max_bytes`` bytes (default :data:`DEFAULT_MAX_BYTES`,
50 MiB, checked with ``stat`` before reading, so a huge file is never loaded), and the decoded
text at most ``max_chars`` characters (default :data:`DEFAULT_MAX_CHARS`, 1,000,000 = spaCy's
default ``nlp.max_length``; real notices are 10,000-40,000 characters) ->
:class:`~pipeline.errors.InputTooLarge`.

HTML: the decoded page goes to ``trafilatura.extract(include_comments=False,
include_tables=True, favor_recall=False, deduplicate=False)``; its plain-text output keeps one
line per paragraph/heading/``<br>``. ``favor_recall=True`` was tried and rejected: on a
typical government page it lets the breadcrumb, "related links" and the footer (版权所有,
ICP number) into the text. Layout tables (a ``<table>`` whose cells hold block elements --
``p``, ``div``, headings, lists, nested tables -- as old government sites and Word-exported
pages use) are turned into ``<div>`` blocks first, since trafilatura would otherwise flatten the
whole notice into one ``| ... |`` table row; simple data tables stay tables (one ``| a | b |``
line per row). The title is in the text only if trafilatura keeps it as part of the main content.

DOCX: the body's paragraphs and tables in document order (python-docx
``Document.iter_inner_content``); each table cell's paragraphs in row order, a merged cell once;
headers, footers, footnotes and text boxes are left out. Joined with ``"\\n"``.

PDF: pypdf ``page.extract_text()`` for each page, joined with ``"\\n"``; a PDF whose pages give
only whitespace -> :class:`~pipeline.errors.NoTextLayer`.

Not a notice: unless ``require_notice=False``, text with fewer than :data:`MIN_HAN_CHARS` Chinese
characters, fewer than :data:`MIN_HAN_SHARE` of its non-space characters Chinese, or none of
:data:`NOTICE_MARKERS` (整改) -> :class:`~pipeline.errors.NotANotice` (status ``skipped``).
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SUPPORTED_SUFFIXES, CorruptDocument, EmptyInput, InputTooLarge, NoTextLayer, NotANotice, UnreadableFile, UnsupportedFormat
from pipeline.read.textnorm import matching_text
from pipeline.read.decode import _HAN_RE, _META_CHARSET_RE, decode_text_bytes
from pipeline.read.inputs import corpus_metadata_files, is_corpus_metadata, iter_inputs


__all__ = [
    "SourceDocument",
    "read_notice",
    "decode_text_bytes",
    "check_notice_text",
    "iter_inputs",
    "corpus_metadata_files",
    "is_corpus_metadata",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "NOTICE_MARKERS",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_CHARS = 1_000_000


MIN_HAN_CHARS = 20
MIN_HAN_SHARE = 0.3
#: Words of which at least one must occur (in the matching text) for a file to be a notice.
NOTICE_MARKERS = ("整改",)

_FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
assert set(_FORMATS) == set(SUPPORTED_SUFFIXES)


@dataclass(frozen=True)
class SourceDocument:
    """One notice file, decoded.

    ``text`` is exactly what was decoded/extracted (see the module docstring); ``encoding`` is the
    Python codec name that decoded a ``.txt``/``.html`` file (``"utf-8"``, ``"utf-8-sig"``,
    ``"utf-16"``, ``"gb18030"``, ``"big5"``, ...) and ``None`` for ``.docx``/``.pdf``;
    ``sha256`` is the hex digest of the raw file bytes, ``n_bytes`` their number; ``warnings``
    lists anything repaired or doubtful on the way (e.g. a truncated final UTF-8 character).
    """

    path: Path
    text: str
    format: str
    encoding: str | None
    sha256: str
    n_bytes: int
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Format readers

def _read_txt(data: bytes, path: Path) -> tuple[str, str | None, tuple[str, ...]]:
    return decode_text_bytes(data, path)


_BLOCK_TAGS = {"p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "section",
               "article", "blockquote", "pre"}
_TABLE_PARTS = {"table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption"}


def _unwrap_layout_tables(html: str) -> str:
    """Turn layout tables (cells holding block elements) into nested ``<div>``s."""
    import lxml.html
    from lxml import etree

    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return html
    changed = False
    for table in list(tree.iter("table")):
        if table.tag != "table":  # already unwrapped as part of an outer layout table
            continue
        layout = any(
            isinstance(el.tag, str) and el.tag in _BLOCK_TAGS
            for cell in table.iter("td", "th")
            for el in cell.iterdescendants())
        if not layout:
            continue
        changed = True
        own = [el for el in table.iter(*_TABLE_PARTS) if _owner_table(el) is table]
        for el in own:
            el.tag = "div"
            for attr in ("width", "height", "border", "cellpadding", "cellspacing",
                         "colspan", "rowspan", "align", "valign"):
                el.attrib.pop(attr, None)
    if not changed:
        return html
    return lxml.html.tostring(tree, encoding="unicode")


def _owner_table(el):
    """The nearest ``<table>`` that contains ``el`` (``el`` itself if it is one)."""
    node = el
    while node is not None:
        if node.tag == "table":
            return node
        node = node.getparent()
    return None


def _read_html(data: bytes, path: Path) -> tuple[str, str | None, tuple[str, ...]]:
    import trafilatura

    m = _META_CHARSET_RE.search(data[:4096])
    declared = m.group(1).decode("ascii", "replace") if m else None
    page, codec, warnings = decode_text_bytes(data, path, declared=declared)
    extracted = trafilatura.extract(
        _unwrap_layout_tables(page), include_comments=False, include_tables=True,
        favor_recall=False, deduplicate=False, output_format="txt")
    if not extracted or not extracted.strip():
        raise EmptyInput(path, "the HTML page has no main text that trafilatura could extract")
    return extracted, codec, warnings


def _read_docx(data: bytes, path: Path) -> tuple[str, str | None, tuple[str, ...]]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise CorruptDocument(path, "docx", f"python-docx cannot open it "
                                            f"({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    seen_cells: set = set()  # the <w:tc> elements themselves: keeps their proxies alive

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in row.cells:
                        if cell._tc in seen_cells:  # a merged cell appears once per grid slot
                            continue
                        seen_cells.add(cell._tc)
                        walk(cell)

    try:
        walk(document)
    except Exception as exc:
        raise CorruptDocument(path, "docx", f"its body cannot be read "
                                            f"({type(exc).__name__}: {exc})") from exc
    return "\n".join(lines), None, ()


def _read_pdf(data: bytes, path: Path) -> tuple[str, str | None, tuple[str, ...]]:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorruptDocument(path, "pdf", "it is encrypted with a password")
        pages = list(reader.pages)
    except CorruptDocument:
        raise
    except Exception as exc:
        raise CorruptDocument(path, "pdf", f"pypdf cannot open it ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise EmptyInput(path, "the PDF has no pages")
    texts: list[str] = []
    warnings: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception as exc:
            texts.append("")
            warnings.append(f"page {number}: text extraction failed ({type(exc).__name__}: {exc})")
    if not any(t.strip() for t in texts):
        if len(warnings) == len(pages):
            raise CorruptDocument(path, "pdf", "text extraction failed on every page")
        raise NoTextLayer(path, len(pages))
    return "\n".join(texts), None, tuple(warnings)


_READERS = {"txt": _read_txt, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf}


# --------------------------------------------------------------------------------------------
# The entry point

def check_notice_text(text: str, path: str | Path = "<text>") -> None:
    """Raise :class:`~pipeline.errors.NotANotice` unless ``text`` looks like a rectification
    notice: at least :data:`MIN_HAN_CHARS` Chinese characters, at least :data:`MIN_HAN_SHARE`
    of the non-space characters Chinese, and one of :data:`NOTICE_MARKERS` (traditional forms
    count: the test runs on :func:`~pipeline.read.textnorm.matching_text`)."""
    sample = matching_text(text)
    han = len(_HAN_RE.findall(sample))
    nonspace = len(sample) - sum(1 for c in sample if c.isspace())
    if han < MIN_HAN_CHARS:
        raise NotANotice(path, f"it has only {han} Chinese character(s) (at least {MIN_HAN_CHARS} "
                               f"expected)")
    if han / max(nonspace, 1) < MIN_HAN_SHARE:
        raise NotANotice(path, f"only {han / max(nonspace, 1):.0%} of its characters are Chinese "
                               f"(at least {MIN_HAN_SHARE:.0%} expected)")
    if not any(marker in sample for marker in NOTICE_MARKERS):
        raise NotANotice(path, "none of the words " + "/".join(NOTICE_MARKERS) + " occurs in it")


def read_notice(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                max_chars: int = DEFAULT_MAX_CHARS, require_notice: bool = True) -> SourceDocument:
    """Read one notice file; see the module docstring for every rule.

    Raises (all :class:`~pipeline.errors.IngestError`): ``UnsupportedFormat`` (skipped),
    ``UnreadableFile``, ``EmptyInput``, ``InputTooLarge``, ``UndecodableText``,
    ``CorruptDocument``, ``NoTextLayer``, ``NotANotice`` (skipped; only when ``require_notice``).
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputTooLarge(path, size=size, limit=max_bytes, unit="bytes")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile(path, exc) from exc
    if len(data) > max_bytes:
        raise InputTooLarge(path, size=len(data), limit=max_bytes, unit="bytes")
    if not data:
        raise EmptyInput(path)

    text, encoding, warnings = _READERS[fmt](data, path)
    if not text.strip():
        raise EmptyInput(path, "it contains only whitespace" if fmt == "txt"
                         else f"the {fmt} document contains no text")
    if len(text) > max_chars:
        raise InputTooLarge(path, size=len(text), limit=max_chars, unit="characters")
    if require_notice:
        check_notice_text(text, path)
    return SourceDocument(path=path, text=text, format=fmt, encoding=encoding,
                          sha256=hashlib.sha256(data).hexdigest(), n_bytes=len(data),
                          warnings=tuple(warnings))
