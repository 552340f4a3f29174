"""Word segmenters for the NER model: one function per segmenter, all returning token offsets.

``segment(text, name)`` returns ``[(start, end), ...]``: contiguous, non-empty tokens that cover
``text`` exactly (so a spaCy ``Doc`` built from them, with no trailing spaces, has the same
character offsets as ``text``). Training and prediction use the same function, so tokenisation
always matches. Segmenters:

* ``char`` -- one token per character (what ``spacy.blank("zh")`` does by default). Every gold
  span aligns with tokens.
* ``jieba`` -- jieba with the project's domain dictionary (:mod:`pipeline.entities.segment`).
* ``pkuseg`` -- spacy-pkuseg with its pretrained ``mixed`` model. The model is not shipped with
  the wheel; it is a file in the *source* distribution of ``pkuseg`` 0.0.25 on PyPI. It is looked
  for in ``$RECTIFY_PKUSEG_MODEL`` or ``models/pkuseg_mixed/``; it is never downloaded at run time.

Word segmenters may cut through a gold span (``区纪工委`` inside a longer word): such spans cannot
be NER targets; :func:`pipeline.training.ner.make_examples` counts them as "lost to misalignment".
"""
from __future__ import annotations

import functools
import os
import time
from pathlib import Path

SEGMENTERS = ("char", "jieba", "pkuseg")
DEFAULT_SEGMENTER = "jieba"  # by the figures in docs/evaluation.md (segmenter comparison)

REPO_DIR = Path(__file__).resolve().parents[2]
PKUSEG_MODEL_DIR = Path(os.environ.get("RECTIFY_PKUSEG_MODEL", REPO_DIR / "models" / "pkuseg_mixed"))


def char_tokens(text: str) -> list[tuple[int, int]]:
    return [(k, k + 1) for k in range(len(text))]


def jieba_tokens(text: str) -> list[tuple[int, int]]:
    from pipeline.entities import segment
    return [(s, e) for _, s, e in segment.tokens(text)]


@functools.cache
def _pkuseg():
    import spacy_pkuseg
    if not (PKUSEG_MODEL_DIR / "features.pkl").exists() and not (PKUSEG_MODEL_DIR / "features.msgpack").exists():
        from pipeline.errors import ModelLoadError
        raise ModelLoadError(PKUSEG_MODEL_DIR, "no pkuseg model files (features.*, weights.*) there",
                             expected="the pretrained pkuseg 'mixed' model from the pkuseg 0.0.25 sdist",
                             fix="unpack it at build time (see docs/evaluation.md), or use segmenter='char'")
    return spacy_pkuseg.pkuseg(str(PKUSEG_MODEL_DIR))


def align_words(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Token offsets for ``words`` found in order in ``text``; gaps become one token per char."""
    out: list[tuple[int, int]] = []
    pos = 0
    for w in words:
        if not w:
            continue
        k = text.find(w, pos)
        if k < 0:
            continue
        out.extend((j, j + 1) for j in range(pos, k))
        out.append((k, k + len(w)))
        pos = k + len(w)
    out.extend((j, j + 1) for j in range(pos, len(text)))
    return out


def pkuseg_tokens(text: str) -> list[tuple[int, int]]:
    seg = _pkuseg()
    out: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            out.extend((s + offset, e + offset) for s, e in align_words(line, seg.cut(line)))
        else:
            out.extend((offset + j, offset + j + 1) for j in range(len(line)))
        offset += len(line)
        if offset < len(text):
            out.append((offset, offset + 1))  # the newline
            offset += 1
    return out


_FUNCS = {"char": char_tokens, "jieba": jieba_tokens, "pkuseg": pkuseg_tokens}


def segment(text: str, name: str = DEFAULT_SEGMENTER) -> list[tuple[int, int]]:
    try:
        func = _FUNCS[name]
    except KeyError:
        raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(SEGMENTERS)}") from None
    return func(text)


def available(name: str) -> bool:
    """Whether ``name`` can run here (pkuseg needs its model files)."""
    if name != "pkuseg":
        return name in _FUNCS
    try:
        _pkuseg()
        return True
    except Exception:
        return False


def tokenisation_speed(texts: list[str], name: str, repeat: int = 1) -> float:
    """Characters per second of :func:`segment` over ``texts`` (after one warm-up call)."""
    segment(texts[0][:200], name)
    n = sum(len(t) for t in texts) * repeat
    t0 = time.perf_counter()
    for _ in range(repeat):
        for t in texts:
            segment(t, name)
    return n / max(time.perf_counter() - t0, 1e-9)
