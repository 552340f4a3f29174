"""Normalisation for MATCHING ONLY -- never for output.

:func:`matching_text` returns a string of exactly the same length as its input, so every offset
found in it is an offset into the original text (which is what every record stores: see
:mod:`pipeline.types`). Match patterns against ``matching_text(text)``, then slice ``text``.

The rule, character by character (nothing else is touched: no NFKC, no case folding, no
whitespace collapsing, line breaks and ``\\r`` stay):

1. **Traditional -> simplified Chinese**, context-free: each character ``c`` is replaced by
   OpenCC ``t2s`` applied to ``c`` alone (its character table, not its phrase table), resolved to
   a fixed point so the mapping is idempotent. Characters whose conversion would not be exactly
   one character are left alone (none exist in OpenCC 1.4). Consequences worth knowing: a few
   variant forms that also occur in simplified text are unified too -- 後→后, 於→于, 徵→征,
   乾→干, 夥→伙, 麽→么, 摺→折, 拚→拼, 捱→挨, 菸→烟 -- while 著 stays 著 (t2s keeps it).
   Patterns should therefore be written with the simplified forms (后, 于, 征, 干).
2. **Full-width digits and Latin letters -> ASCII**: ``０-９`` (U+FF10-FF19), ``Ａ-Ｚ``
   (U+FF21-FF3A), ``ａ-ｚ`` (U+FF41-FF5A).
3. **Full-width symbols used inside numbers, amounts and dates -> ASCII**:
   ``％``→``%``, ``．``→``.``, ``－``→``-``, ``＋``→``+``, ``／``→``/``, ``～``→``~``.
4. **Spaces**: ideographic space U+3000 and no-break space U+00A0 -> ``" "``.

Everything else is KEPT as is, in particular the Chinese punctuation the parser matches:
``，。；：、（）《》〈〉【】！？“”‘’「」『』—…·`` and the other full-width forms
(``＃＆＊＜＝＞＠［］｛｜｝`` etc.). Pattern authors write ``（一）`` and ``整改结果：``, ``1.`` for the
ASCII form of ``１．``, ``12.5%`` for ``１２．５％``.

Speed: one :meth:`str.translate` over a cached per-code-point table (built once per process,
~0.1 s); see ``tests/test_textnorm.py`` for the measured bound on a 1 MB notice.
"""
from __future__ import annotations

import functools

__all__ = ["matching_text", "matching_table", "FULLWIDTH_SYMBOLS", "SPACE_CHARS", "KEPT_PUNCTUATION"]

#: Full-width symbols mapped to ASCII (besides digits and letters).
FULLWIDTH_SYMBOLS = "％．－＋／～"
#: Space characters mapped to the ASCII space.
SPACE_CHARS = "\u3000\u00a0"
#: Punctuation guaranteed to be left untouched (the forms the structure parser matches).
KEPT_PUNCTUATION = "，。；：、（）《》〈〉【】！？“”‘’「」『』—…·"

# Code-point ranges where OpenCC t2s has character entries (CJK radicals supplement through
# compatibility ideographs, plus the supplementary ideographic planes).
_CJK_RANGES = (
    (0x2E80, 0x2FE0),    # CJK radicals supplement, Kangxi radicals
    (0x3400, 0x4DC0),    # Extension A
    (0x4E00, 0xA000),    # CJK unified ideographs
    (0xF900, 0xFB00),    # compatibility ideographs
    (0x20000, 0x2A6E0),  # Extension B
    (0x2A700, 0x2EBF0),  # Extensions C-F
    (0x2F800, 0x2FA20),  # compatibility supplement
    (0x30000, 0x3134B),  # Extension G
)


def _t2s_char_table() -> dict[int, int]:
    import opencc  # local import: only needed once, to build the table

    converter = opencc.OpenCC("t2s")
    chars = [chr(cp) for lo, hi in _CJK_RANGES for cp in range(lo, hi)]
    # One call converts every character separately: "\n" never takes part in a phrase.
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - would mean OpenCC changed behaviour
        converted = [converter.convert(c) for c in chars]
    table = {ord(c): ord(s) for c, s in zip(chars, converted) if s != c and len(s) == 1}
    # Resolve chains (a -> b -> c) so that matching_text is idempotent.
    for src in list(table):
        dst, seen = table[src], {src}
        while dst in table and dst not in seen:
            seen.add(dst)
            dst = table[dst]
        table[src] = dst
    return {k: v for k, v in table.items() if k != v}


@functools.cache
def matching_table() -> dict[int, str]:
    """The code point -> one-character table :func:`matching_text` applies (built once, cached).

    Values are one-character strings (``str.translate`` is fastest with those).
    """
    table = _t2s_char_table()
    for lo, hi in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)):
        for cp in range(lo, hi):
            table[cp] = cp - 0xFEE0
    for ch in FULLWIDTH_SYMBOLS:
        table[ord(ch)] = ord(ch) - 0xFEE0
    for ch in SPACE_CHARS:
        table[ord(ch)] = 0x20
    for ch in KEPT_PUNCTUATION:  # belt and braces: never map these
        table.pop(ord(ch), None)
    return {src: chr(dst) for src, dst in table.items()}


def matching_text(text: str) -> str:
    """``text`` normalised for matching; ``len(result) == len(text)`` always.

    See the module docstring for the exact rule. Use the offsets of matches in the result to
    slice the original ``text``; never store or output the result itself.
    """
    return text.translate(matching_table())
