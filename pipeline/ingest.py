"""The input layer: notice files in, decoded text out.

:func:`read_notice` reads one file (``.txt``, ``.html``/``.htm``, ``.docx``, ``.pdf``) into a
:class:`SourceDocument`, or raises a typed :class:`~pipeline.errors.IngestError` whose
``status``/``reason`` go straight into a manifest row. :func:`iter_inputs` lists the files of an
input folder.

The text is kept EXACTLY as decoded (or as the format's library extracted it): no stripping, no
Unicode normalisation, ``\\r\\n`` stays ``\\r\\n``. Only a byte-order mark disappears, by decoding.
Every offset the pipeline stores indexes this text; normalise with
:func:`pipeline.textnorm.matching_text` for matching only.

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

import codecs
import hashlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import (
    SUPPORTED_SUFFIXES,
    CorruptDocument,
    EmptyInput,
    InputTooLarge,
    NoTextLayer,
    NotANotice,
    UndecodableText,
    UnreadableFile,
    UnsupportedFormat,
)
from .textnorm import matching_text

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
MAX_JUNK_SHARE = 0.05
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


# --------------------------------------------------------------------------------------------
# Decoding bytes

_GB_FAMILY = {"gb2312", "gbk", "cp936", "euc_cn", "euccn", "ms936", "gb18030", "x_gbk", "gb_2312_80"}
_BIG5_FALLBACKS = ("big5", "cp950", "big5hkscs")

# Characters that make up about half of any Chinese prose (and most of a notice).
_COMMON_HAN = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过"
    "发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心本前"
    "开但因只从想实日者意无力与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并"
    "物手应向头文体政相见被利二等产或新己制身果加月合回特代内信表化给位次度门任常先通教原东提立及"
    "比员解水名真论处走义各入几口认条平系气题活更别打变四总何电数安少报才结反受目量再感建务做接必"
    "场件计管期市直资命金指许统区保至队形社便决治展基书非则界达放强即难且权思完设式路记品告类求据"
    "程边该交规万取格术领共确传观清今切院让识带导争运步改收根干造言联持组每济车亲极服办议往元证近"
    "转令准布始存未单具字流备连调深商算质团集需价党华城级整府况请技际约示复息究线似官断精满支视消"
    "越器容照须增研写称企功包史委查易早除农找装广显标谈图念引历首局突专费号尽另较注语仅考落随选列"
    "响推势参众构半节投某案维革划致律足态护兴验责营够章志底站严例防族供效续施留讲型料终答紧绝察段"
    "依批群项故按围织害境客纪采举密低诉止细愿值仍助育属限职速刻否刚状率独普校创假久错承印试预益若"
    "继送急素适省初源险待述陆习置居劳财环排获模充负停层范策演简判担静退积余检差富协角占配征修降阶"
    "审坚善读超免压银执副乱犯帮宣优税份背阵概守靠评版座释景顾登货互付换危核介讨序升监临永域减编测"
    "败困封救贵缺县尚移智短掌遗固席遇康虑均销探录附予港板归额含顺输补督疗材词择寻授借禁谋抓荣镇练"
    "础训私握熟访典盘扩稳途侵刑套贸毕轮库促延振彻描仿陷闭撤季缘宜旦缩聚径启累暂估泛偿拒忆零码劲贫"
    "辑恢润废净署奉旋伏乏诊污凭综悉返薄扫敏详幅剩贴辞键贯侦崇宪趋阅拟巡颜剂绩贡截伪劝呈搜勤戒腐践"
    "籍遵贷叙扶铺询扣凝腾埋辖鉴械揭誉筹旨贺抛衰诱冠遥抚纠耗赔涂亏恭循赋抑秩履涨耀拨绘堪雇廉契惩覆"
    "嫌缴赢妥址邀斥宅添讼妨挣悬轨览屏辱俱辨谨纲卓贤毅函携填蓄竭巩固落实整改反馈问题情况完成措施工"
    "作制度责任单位领导干部会议组织建设资金项目管理监督检查纪律规定要求开展推进进一步加强"
)
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_FOREIGN_RE = re.compile(
    "[\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u2500-\u259f\u3040-\u30ff\u3130-\u318f"
    "\uac00-\ud7af\ue000-\uf8ff]")
_JUNK_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd"
                      "\U000f0000-\U0010ffff]")
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _canonical(codec: str) -> str:
    return codecs.lookup(codec).name


def _preferred_codec(name: str) -> str:
    """Codec to decode with for a detected/declared ``name``: the GB family becomes gb18030."""
    try:
        canon = _canonical(name)
    except LookupError:
        return name
    key = canon.replace("-", "_").lower()
    if key in _GB_FAMILY or name.replace("-", "_").lower() in _GB_FAMILY:
        return "gb18030"
    return canon


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_family(data: bytes, codec: str) -> tuple[str, str] | None:
    """Strictly decode with ``codec`` (or, for Big5, its common supersets)."""
    names = [codec]
    if codec in _BIG5_FALLBACKS:
        names += [c for c in _BIG5_FALLBACKS if c != codec]
    for name in names:
        text = _strict(data, name)
        if text is not None:
            return text, _canonical(name)
    return None


def _chinese_score(text: str) -> float:
    sample = text[:20000]
    nonspace = sum(1 for c in sample if not c.isspace()) or 1
    han = _HAN_RE.findall(matching_text(sample))
    common = (sum(1 for c in han if c in _COMMON_HAN) / len(han)) if han else 0.0
    foreign = len(_FOREIGN_RE.findall(sample)) / nonspace
    return common - foreign


def _junk_share(text: str) -> float:
    sample = text if len(text) <= 200_000 else text[:100_000] + text[-100_000:]
    if not sample:
        return 0.0
    return len(_JUNK_RE.findall(sample)) / len(sample)


def _bom_decode(data: bytes) -> tuple[str, str] | None | bool:
    """Decode by byte-order mark: (text, codec), False if a BOM is there but decoding fails,
    None if there is no BOM."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = _strict(data, codec)
            return (text, codec) if text is not None else False
    return None


def _truncated_utf8(data: bytes) -> str | None:
    """The text if ``data`` is valid UTF-8 except for an incomplete sequence at the very end."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        if exc.end != len(data) or exc.reason != "unexpected end of data" or exc.start < len(data) - 3:
            return None
        return _strict(data[: exc.start], "utf-8")


def decode_text_bytes(data: bytes, path: str | Path = "<bytes>", *,
                      declared: str | None = None) -> tuple[str, str, tuple[str, ...]]:
    """Decode a text file's bytes: ``(text, codec, warnings)``. See the module docstring for
    the order of attempts. Raises :class:`~pipeline.errors.UndecodableText`."""
    warnings: list[str] = []
    result: tuple[str, str] | None = None

    by_bom = _bom_decode(data)
    if by_bom is False:
        if data.startswith(codecs.BOM_UTF8) and (text := _truncated_utf8(data[3:])) is not None:
            warnings.append(_truncation_warning(data[3:], text))
            result = (text, "utf-8-sig")
        else:
            raise UndecodableText(path, "the bytes start with a Unicode byte-order mark and "
                                        "are not valid in that encoding")
    elif by_bom is not None:
        result = by_bom

    if result is None and declared:
        codec = _preferred_codec(declared)
        decoded = _decode_family(data, codec)
        if decoded is not None:
            result = decoded
        else:
            warnings.append(f"declared charset {declared!r} does not decode the bytes; "
                            f"detected the encoding instead")

    if result is None and (text := _strict(data, "utf-8")) is not None:
        result = (text, "utf-8")

    if result is None and (text := _truncated_utf8(data)) is not None:
        warnings.append(_truncation_warning(data, text))
        result = (text, "utf-8")

    if result is None:
        _reject_damaged_utf8(data, path)
        result = _detect(data)
        if result is None:
            raise UndecodableText(path, "no text encoding decodes these bytes (they look like "
                                        "binary data, or the encoding is broken)")

    text, codec = result
    share = _junk_share(text)
    if share > MAX_JUNK_SHARE:
        raise UndecodableText(
            path, f"decoded as {codec}, {share:.0%} of the characters are control, replacement "
                  f"or private-use characters (binary data, not text; limit {MAX_JUNK_SHARE:.0%})")
    return text, _canonical(codec), tuple(warnings)


def _reject_damaged_utf8(data: bytes, path: str | Path) -> None:
    """Raise ``UndecodableText`` for UTF-8 with a defect inside it (not only at the end).

    Multi-byte UTF-8 is so regular that text whose non-ASCII characters are at least 99 % valid
    UTF-8 sequences is UTF-8 and nothing else; handing it to charset detection would only turn
    it into GB18030 mojibake.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 0x7F) - bad
    if good >= 10 and bad <= 0.01 * good:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UndecodableText(
                path, f"the bytes are UTF-8 except for {bad} invalid sequence(s), the first at "
                      f"byte {exc.start} ({exc.reason}) -- a damaged UTF-8 file, not repairable "
                      f"(only a character cut off at the very end is dropped)") from exc


def _truncation_warning(data: bytes, text: str) -> str:
    dropped = len(data) - len(text.encode("utf-8"))
    return (f"truncated UTF-8: the file ends in the middle of a character; dropped the last "
            f"{dropped} byte(s)")


def _detect(data: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes

    candidates: list[tuple[float, int, str, str]] = []
    for order, match in enumerate(from_bytes(data)):
        codec = _preferred_codec(match.encoding)
        decoded = _decode_family(data, codec) or _decode_family(data, match.encoding)
        if decoded is None:
            continue
        text, name = decoded
        score = _chinese_score(text) - float(match.chaos)
        candidates.append((score, order, text, name))
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c[0], -c[1]))
    return best[2], best[3]


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
    count: the test runs on :func:`~pipeline.textnorm.matching_text`)."""
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
