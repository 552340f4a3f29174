"""The input layer: every file is generated here, in tmp_path, from real notice paragraphs."""
from __future__ import annotations

import hashlib
import io
import pickle
import random
from pathlib import Path

import opencc
import pytest

from pipeline import errors
from pipeline.errors import CorruptDocument, EmptyInput, IngestError, InputTooLarge, ModelLoadError, NoTextLayer, NotANotice, UndecodableText, UnreadableFile, UnsupportedFormat
from pipeline.read.ingest import SourceDocument, read_notice
from pipeline.read.inputs import corpus_metadata_files, iter_inputs
from pipeline.read.decode import decode_text_bytes

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CORPUS_FILE = CORPUS / "yiyang-hitech-2023-12-05.txt"

# The first real paragraphs of a published notice: title block, section and group headings,
# an item with its status and description.
PARAGRAPHS = [p for p in CORPUS_FILE.read_text(encoding="utf-8").split("\n") if p.strip()][:12]
NOTICE = "\n".join(PARAGRAPHS) + "\n"
# Big5 has no 爲 (OpenCC s2t's form of 为), so the traditional text uses the Taiwan standard.
NOTICE_TRAD = opencc.OpenCC("s2tw").convert(NOTICE)

NAV = ["网站首页", "政务公开", "互动交流", "当前位置"]
FOOTER = ["版权所有：益阳高新区管委会", "湘ICP备12345678号", "主办单位：益阳高新区党政办"]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_paragraphs_are_real_and_chinese():
    assert PARAGRAPHS[2] == "关于巡视整改进展情况的通报"
    assert NOTICE.endswith("。\n") and len(NOTICE) > 800 and "整改结果：完成" in PARAGRAPHS
    assert NOTICE_TRAD != NOTICE and "關於巡視整改進展情況的通報" in NOTICE_TRAD


# --------------------------------------------------------------------------------------------
# .txt in every encoding a notice comes in

TXT_CASES = [
    # name, bytes, expected text, expected encoding
    ("utf8", NOTICE.encode("utf-8"), NOTICE, "utf-8"),
    ("utf8-bom", NOTICE.encode("utf-8-sig"), NOTICE, "utf-8-sig"),
    ("utf8-crlf", NOTICE.replace("\n", "\r\n").encode("utf-8"), NOTICE.replace("\n", "\r\n"), "utf-8"),
    ("gb18030", NOTICE.encode("gb18030"), NOTICE, "gb18030"),
    ("gbk", NOTICE.encode("gbk"), NOTICE, "gb18030"),  # read with the superset
    ("gbk-crlf", NOTICE.replace("\n", "\r\n").encode("gbk"), NOTICE.replace("\n", "\r\n"), "gb18030"),
    ("big5", NOTICE_TRAD.encode("big5"), NOTICE_TRAD, "big5"),
    ("utf16-le-bom", NOTICE.encode("utf-16"), NOTICE, "utf-16"),
    ("utf16-be-bom", b"\xfe\xff" + NOTICE.encode("utf-16-be"), NOTICE, "utf-16"),
    ("utf16-le-no-bom", NOTICE.encode("utf-16-le"), NOTICE, "utf-16-le"),  # via charset-normalizer
]


@pytest.mark.parametrize("name,data,expected,encoding", TXT_CASES, ids=[c[0] for c in TXT_CASES])
def test_txt_encodings(tmp_path, name, data, expected, encoding):
    path = write(tmp_path, f"{name}.txt", data)
    doc = read_notice(path)
    assert isinstance(doc, SourceDocument)
    assert doc.text == expected  # exact: no BOM, no stripping, \r\n kept
    assert doc.encoding == encoding
    assert doc.format == "txt"
    assert doc.path == path
    assert doc.n_bytes == len(data)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.warnings == ()


def test_gb18030_only_characters(tmp_path):
    # 𠀀 (U+20000) and € exist in GB18030 but not in GBK: the superset must be used.
    text = NOTICE + "附：𠀀€\n"
    doc = read_notice(write(tmp_path, "gb18030-ext.txt", text.encode("gb18030")))
    assert doc.text == text and doc.encoding == "gb18030"


@pytest.mark.parametrize("line,codec", [
    ("整改结果：完成", "gbk"),  # charset-normalizer alone guesses cp949 for this
    ("中共益阳高新区工委", "gbk"),
    ("整改結果：完成", "big5"),
])
def test_short_chinese_lines_decode_as_chinese(line, codec):
    text, encoding, _ = decode_text_bytes(line.encode(codec))
    assert text == line
    assert encoding == ("gb18030" if codec == "gbk" else "big5")


def test_corpus_files_read_exactly():
    for path in sorted(CORPUS.glob("*.txt")):
        doc = read_notice(path)
        assert doc.text == path.read_bytes().decode("utf-8")
        assert doc.encoding == "utf-8"


# --------------------------------------------------------------------------------------------
# Truncated and broken UTF-8

@pytest.mark.parametrize("cut", [1, 2])
def test_truncated_utf8_at_the_very_end_is_repaired_with_a_warning(tmp_path, cut):
    body = NOTICE.rstrip("\n")  # ends in "。" (3 bytes in UTF-8)
    data = body.encode("utf-8")[:-cut]
    doc = read_notice(write(tmp_path, "cut.txt", data))
    assert doc.text == body[:-1]
    assert doc.encoding == "utf-8"
    assert len(doc.warnings) == 1 and "truncated UTF-8" in doc.warnings[0]
    assert f"{3 - cut} byte" in doc.warnings[0]


def test_truncated_utf8_with_bom(tmp_path):
    body = NOTICE.rstrip("\n")
    doc = read_notice(write(tmp_path, "cut-bom.txt", body.encode("utf-8-sig")[:-1]))
    assert doc.text == body[:-1] and doc.encoding == "utf-8-sig" and doc.warnings


@pytest.mark.parametrize("damage", ["middle-byte-removed", "junk-byte-inside", "junk-byte-at-end"])
def test_damaged_utf8_elsewhere_fails(tmp_path, damage):
    data = NOTICE.encode("utf-8")
    mid = len(data) // 2
    while data[mid] & 0xC0 != 0x80:  # land inside a multi-byte character
        mid += 1
    data = {
        "middle-byte-removed": data[:mid] + data[mid + 1:],
        "junk-byte-inside": data[:mid] + b"\xff" + data[mid:],
        "junk-byte-at-end": data + b"\xff",
    }[damage]
    path = write(tmp_path, "damaged.txt", data)
    with pytest.raises(UndecodableText) as info:
        read_notice(path)
    assert str(path) in str(info.value)
    assert "damaged UTF-8" in str(info.value)
    assert info.value.status == "failed" and info.value.reason == "undecodable"


# --------------------------------------------------------------------------------------------
# Inputs that are not notices or not text

def test_random_binary_junk(tmp_path):
    path = write(tmp_path, "junk.txt", random.Random(20231205).randbytes(8192))
    with pytest.raises(UndecodableText) as info:
        read_notice(path)
    assert str(path) in str(info.value)


def test_nul_bytes_are_junk_even_though_valid_utf8(tmp_path):
    path = write(tmp_path, "nul.txt", b"\x00" * 500 + "整改".encode())
    with pytest.raises(UndecodableText, match="control"):
        read_notice(path)


@pytest.mark.parametrize("data,what", [(b"", "empty"), (b" \r\n\t\n", "whitespace"),
                                       ("\u3000\n".encode(), "whitespace")])
def test_empty_input(tmp_path, data, what):
    path = write(tmp_path, "empty.txt", data)
    with pytest.raises(EmptyInput) as info:
        read_notice(path)
    assert str(path) in str(info.value) and what in str(info.value)
    assert info.value.status == "failed"


RECIPE = ("西红柿炒鸡蛋的做法：先把西红柿洗净切块，鸡蛋打散加少许盐。锅中放油烧热，倒入蛋液炒至凝固盛出。"
          "再放少许油，下西红柿翻炒出汁，加入炒好的鸡蛋，放糖和盐调味，翻炒均匀即可出锅。\n")


@pytest.mark.parametrize("text,fragment", [
    (RECIPE, "整改"),
    ("Rectification notice 整改 " + "lorem ipsum dolor sit amet " * 40, "Chinese"),
    ("整改完成\n", "Chinese character"),
])
def test_not_a_notice_is_skipped(tmp_path, text, fragment):
    path = write(tmp_path, "other.txt", text.encode("utf-8"))
    with pytest.raises(NotANotice) as info:
        read_notice(path)
    exc = info.value
    assert exc.status == "skipped" and exc.reason == "not-a-notice"
    assert str(path) in str(exc) and fragment in str(exc)
    # ... and can still be read on purpose
    assert read_notice(path, require_notice=False).text == text


def test_traditional_notice_counts_as_notice(tmp_path):
    doc = read_notice(write(tmp_path, "trad.txt", NOTICE_TRAD.encode("utf-8")))
    assert doc.text == NOTICE_TRAD


@pytest.mark.parametrize("name", ["table.xlsx", "old.doc", "scan.jpg", "noext", "page.xhtml"])
def test_unsupported_format_is_skipped(tmp_path, name):
    path = write(tmp_path, name, NOTICE.encode("utf-8"))
    with pytest.raises(UnsupportedFormat) as info:
        read_notice(path)
    exc = info.value
    assert exc.status == "skipped" and exc.reason == "unsupported-format" and exc.path == path
    assert str(path) in str(exc)
    assert "supported: .txt .html .htm .docx .pdf" in str(exc)


def test_xlsx_message_names_the_suffix(tmp_path):
    with pytest.raises(UnsupportedFormat, match=r"\.xlsx is not a supported notice format"):
        read_notice(write(tmp_path, "TABLE.XLSX", b"PK\x03\x04"))


def test_missing_file_is_unreadable(tmp_path):
    path = tmp_path / "gone.txt"
    with pytest.raises(UnreadableFile) as info:
        read_notice(path)
    assert str(path) in str(info.value) and info.value.status == "failed"
    assert "FileNotFoundError" in str(info.value)


def test_directory_is_unreadable(tmp_path):
    path = tmp_path / "folder.txt"
    path.mkdir()
    with pytest.raises(UnreadableFile):
        read_notice(path)


def test_permission_denied_is_unreadable(tmp_path, monkeypatch):
    # chmod 0 does not stop root (CI runs as root), so the OS refusal is simulated at open().
    path = write(tmp_path, "locked.txt", NOTICE.encode())
    real_open = Path.open

    def refusing_open(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    with pytest.raises(UnreadableFile, match="PermissionError"):
        read_notice(path)


def test_too_large(tmp_path):
    path = write(tmp_path, "big.txt", NOTICE.encode("utf-8"))
    with pytest.raises(InputTooLarge) as info:
        read_notice(path, max_bytes=1000)
    assert str(path) in str(info.value) and "max_bytes" in str(info.value)
    assert info.value.size == len(NOTICE.encode()) and info.value.limit == 1000
    with pytest.raises(InputTooLarge, match="characters"):
        read_notice(path, max_chars=len(NOTICE) - 1)
    assert read_notice(path, max_chars=len(NOTICE)).text == NOTICE


# --------------------------------------------------------------------------------------------
# HTML

def html_page(body_paragraphs: list[str], *, charset: str, layout_table: bool = False) -> str:
    content = "".join(f"<p>{p}</p>" for p in body_paragraphs)
    article = f"<h1>{PARAGRAPHS[2]}</h1><div class='info'>发布时间：2023-12-05</div><div id='zoom'>{content}</div>"
    if layout_table:
        article = f"<table width='1000'><tr><td width='200'>栏目导航</td><td>{article}</td></tr></table>"
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>关于巡视整改进展情况的通报_益阳高新区</title></head>
<body><nav><ul><li><a href="/">{NAV[0]}</a></li><li><a href="/zwgk">{NAV[1]}</a></li>
<li><a href="/hdjl">{NAV[2]}</a></li></ul></nav>
<div class="crumb">{NAV[3]}：<a href="/">首页</a> &gt; 通知公告</div>
<article>{article}</article>
<footer><p>{FOOTER[0]} {FOOTER[1]}</p><p>{FOOTER[2]}</p></footer></body></html>"""


BODY = [p for p in PARAGRAPHS if p != PARAGRAPHS[2]]


@pytest.mark.parametrize("charset,codec,layout,expected_encoding", [
    ("utf-8", "utf-8", False, "utf-8"),
    ("gb2312", "gbk", False, "gb18030"),
    ("gbk", "gb18030", True, "gb18030"),
])
def test_html_main_text_without_nav_and_footer(tmp_path, charset, codec, layout, expected_encoding):
    data = html_page(BODY, charset=charset, layout_table=layout).encode(codec)
    path = write(tmp_path, "notice.html", data)
    doc = read_notice(path)
    assert doc.format == "html" and doc.encoding == expected_encoding
    lines = doc.text.split("\n")
    for paragraph in BODY:  # every paragraph, each on its own line
        assert paragraph in lines, paragraph
    assert PARAGRAPHS[2] in lines  # the <h1> title
    assert lines.index(BODY[0]) < lines.index(BODY[-1])
    for boiler in NAV + FOOTER + ["栏目导航"]:
        assert boiler not in doc.text, boiler
    assert doc.sha256 == hashlib.sha256(data).hexdigest() and doc.n_bytes == len(data)


def test_htm_with_wrong_declared_charset_is_detected(tmp_path):
    data = html_page(BODY, charset="utf-8").encode("gbk")  # declared utf-8, really GBK
    doc = read_notice(write(tmp_path, "notice.htm", data))
    assert doc.encoding == "gb18030"
    assert BODY[-1] in doc.text.split("\n")
    assert any("declared charset" in w for w in doc.warnings)


def test_html_without_main_text_is_empty(tmp_path):
    path = write(tmp_path, "blank.html", b"<html><head><title>x</title></head><body></body></html>")
    with pytest.raises(EmptyInput, match="HTML"):
        read_notice(path)


# --------------------------------------------------------------------------------------------
# DOCX

def test_docx_paragraphs_and_tables_in_order(tmp_path):
    import docx

    document = docx.Document()
    for p in PARAGRAPHS[:6]:
        document.add_paragraph(p)
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "序号"
    table.cell(0, 1).text = "问题"
    table.cell(0, 2).text = "整改结果"
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "未规范落实“第一议题”制度的问题"
    table.cell(1, 2).text = "完成"
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合并单元格只读一次"
    for p in PARAGRAPHS[6:]:
        document.add_paragraph(p)
    document.sections[0].header.paragraphs[0].text = "页眉不是正文"
    buf = io.BytesIO()
    document.save(buf)
    path = write(tmp_path, "notice.docx", buf.getvalue())

    doc = read_notice(path)
    expected = "\n".join(PARAGRAPHS[:6] + ["序号", "问题", "整改结果", "1",
                                           "未规范落实“第一议题”制度的问题", "完成",
                                           "合并单元格只读一次"] + PARAGRAPHS[6:])
    assert doc.text == expected
    assert doc.format == "docx" and doc.encoding is None and doc.warnings == ()


def test_broken_docx(tmp_path):
    path = write(tmp_path, "broken.docx", b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(CorruptDocument) as info:
        read_notice(path)
    assert str(path) in str(info.value) and info.value.status == "failed"


# --------------------------------------------------------------------------------------------
# PDF

PDF_PAGES = [
    ["关于巡视整改进展情况的通报", "中共益阳高新区工委", "（一）反馈问题：全面从严治党主体责任落实不到位。"],
    ["1.未规范落实“第一议题”制度的问题。", "整改结果：完成", "金额12.5万元，占比35%，2023年7月18日"],
]


def make_pdf(pages: list[list[str]], *, image_only: bool = False) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for lines in pages:
        if image_only:  # a "scan": drawn shapes and a raster image, no text operators
            from PIL import Image
            from reportlab.lib.utils import ImageReader

            c.rect(50, 600, 400, 150, fill=1)
            c.drawImage(ImageReader(Image.new("L", (40, 20), 128)), 50, 400, 200, 100)
        else:
            c.setFont("STSong-Light", 12)
            for i, line in enumerate(lines):
                c.drawString(50, 800 - 20 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_with_chinese_text_layer(tmp_path):
    data = make_pdf(PDF_PAGES)
    doc = read_notice(write(tmp_path, "notice.pdf", data))
    # pypdf ends each page's text with "\n"; pages are joined with "\n".
    assert doc.text == "\n".join("\n".join(lines) + "\n" for lines in PDF_PAGES)
    assert doc.format == "pdf" and doc.encoding is None
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("kind", ["image-only", "blank"])
def test_pdf_without_text_layer(tmp_path, kind):
    if kind == "blank":
        import pypdf

        writer = pypdf.PdfWriter()
        writer.add_blank_page(width=595, height=842)
        buf = io.BytesIO()
        writer.write(buf)
        data = buf.getvalue()
    else:
        data = make_pdf([[], []], image_only=True)
    path = write(tmp_path, f"{kind}.pdf", data)
    with pytest.raises(NoTextLayer) as info:
        read_notice(path)
    assert str(path) in str(info.value) and "OCR" in str(info.value)
    assert info.value.reason == "no-text-layer" and info.value.status == "failed"


def test_broken_pdf(tmp_path):
    path = write(tmp_path, "broken.pdf", b"%PDF-1.4\n this is not a pdf body")
    with pytest.raises((CorruptDocument, NoTextLayer, EmptyInput)) as info:
        read_notice(path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------------------------
# Listing an input folder

def test_iter_inputs_rules(tmp_path):
    files = ["b.txt", "a.html", "sub/z.pdf", "sub/deeper/m.docx", "sub/table.xlsx",
             ".hidden.txt", ".git/config.txt", "sub/.cache/x.txt",
             "metadata.csv", "EXPECTED.json", "README.md", "sub/readme.txt", "sub/metadata.csv"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert iter_inputs(tmp_path) == [tmp_path / p for p in
                                     ["a.html", "b.txt", "sub/deeper/m.docx", "sub/table.xlsx", "sub/z.pdf"]]
    assert corpus_metadata_files(tmp_path) == [tmp_path / p for p in
                                               ["EXPECTED.json", "README.md", "metadata.csv",
                                                "sub/metadata.csv", "sub/readme.txt"]]
    assert iter_inputs(tmp_path / "b.txt") == [tmp_path / "b.txt"]
    with pytest.raises(UnreadableFile):
        iter_inputs(tmp_path / "nope")


def test_iter_inputs_on_the_corpus():
    found = iter_inputs(CORPUS)
    assert CORPUS_FILE in found and found == sorted(found, key=lambda p: p.relative_to(CORPUS).parts)
    assert not any(p.name in ("metadata.csv", "EXPECTED.json") for p in found)


# --------------------------------------------------------------------------------------------
# The errors themselves

ERROR_CASES = [
    (UnsupportedFormat("x/a.xlsx"), "skipped", "unsupported-format"),
    (EmptyInput("x/a.txt"), "failed", "empty"),
    (UndecodableText("x/a.txt", "it is binary"), "failed", "undecodable"),
    (CorruptDocument("x/a.pdf", "pdf", "it is encrypted"), "failed", "corrupt-document"),
    (NoTextLayer("x/a.pdf", 3), "failed", "no-text-layer"),
    (InputTooLarge("x/a.txt", size=10, limit=5), "failed", "too-large"),
    (NotANotice("x/a.txt", "no 整改"), "skipped", "not-a-notice"),
    (UnreadableFile("x/a.txt", FileNotFoundError(2, "No such file or directory")), "failed", "unreadable"),
]


@pytest.mark.parametrize("exc,status,reason", ERROR_CASES, ids=[type(c[0]).__name__ for c in ERROR_CASES])
def test_error_fields_messages_and_pickling(exc, status, reason):
    assert isinstance(exc, IngestError) and isinstance(exc, errors.PipelineError)
    assert exc.status == status and exc.reason == reason
    assert exc.path == Path("x") / Path(str(exc.path)).name
    message = str(exc)
    assert message.startswith(str(exc.path) + ": ")
    assert "expected" in message or "supported:" in message
    row = exc.manifest_row()
    assert row["status"] == status and row["reason"] == reason and row["error"] == type(exc).__name__
    clone = pickle.loads(pickle.dumps(exc))
    assert type(clone) is type(exc) and str(clone) == message
    assert (clone.path, clone.status, clone.reason) == (exc.path, status, reason)


def test_model_load_error():
    exc = ModelLoadError("models/measures.skops", "file not found")
    assert isinstance(exc, errors.PipelineError) and not isinstance(exc, IngestError)
    assert exc.path == Path("models/measures.skops") and exc.reason == "file not found"
    assert "models/measures.skops" in str(exc) and "expected" in str(exc) and "Fix:" in str(exc)
    clone = pickle.loads(pickle.dumps(exc))
    assert str(clone) == str(exc) and clone.reason == exc.reason


def test_annotation_error_is_a_pipeline_and_value_error():
    exc = errors.AnnotationError("gold/x.jsonl:3: start/end are not integers")
    assert isinstance(exc, errors.PipelineError) and isinstance(exc, ValueError)
    assert str(pickle.loads(pickle.dumps(exc))) == str(exc)
