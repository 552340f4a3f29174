"""Bytes to text: byte-order marks, declared charsets, UTF-8, charset-normalizer's guesses.

The decisions are listed in :mod:`pipeline.read.ingest`.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from pipeline.errors import UndecodableText
from pipeline.read.textnorm import matching_text


MAX_JUNK_SHARE = 0.05


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
