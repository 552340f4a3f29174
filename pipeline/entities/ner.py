"""The statistical NER model at inference: a small spaCy ``ner`` pipeline proposing ORG spans.

Combination policy (:mod:`pipeline.entities.overlaps`): the rules decide ``DATE``, ``MONEY``,
``PERSON_COUNT`` and ``DOC_TITLE``; the model only *proposes* ``ORG`` spans, which are added where
no rule span lies, after the rule extractor's generic-phrase veto. :meth:`NerModel.predict`
returns ORG only; :meth:`NerModel.predict_all` returns every label (the evaluation's "model only").

The model reads the *matching text* (same length as the original), so traditional characters are
seen as simplified; offsets are into the original text. Docs are built from
:func:`pipeline.entities.segmenters.segment` (the segmenter recorded in ``meta.json``), one Doc per
sentence (line cut after 。；！？), with no spaces between tokens.

Storage: ``nlp.to_disk`` (spaCy's own format, no pickle), plus ``scores.json`` and
``training.json``. Training lives in :mod:`pipeline.training.ner`.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ModelLoadError
from pipeline.entities.segmenters import DEFAULT_SEGMENTER, SEGMENTERS, segment
from pipeline.read.textnorm import matching_text
from pipeline.types import Entity


REPO_DIR = Path(__file__).resolve().parents[2]
DEFAULT_GOLD_PATH = REPO_DIR / "annotations" / "gold.jsonl"
DEFAULT_MODEL_DIR = REPO_DIR / "models" / "ner"
SOURCE = "model:ner"


@dataclass
class NerParams:
    """Training settings (stored in ``training.json`` next to the model)."""
    segmenter: str = DEFAULT_SEGMENTER
    labels: tuple[str, ...] = ("ORG",)
    negatives: float = 0.1  # share of sentences without any entity kept for training
    seed: int = 0
    epochs: int = 12
    dropout: float = 0.1
    batch_tokens: int = 200  # tokens per minibatch (small batches: many updates on little data)
    width: int = 64
    depth: int = 2
    embed_size: int = 2000
    hidden_width: int = 64

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["labels"] = list(self.labels)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "NerParams":
        d = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "labels" in d:
            d["labels"] = tuple(d["labels"])
        return cls(**d)


# --------------------------------------------------------------------------- docs and examples


_SENTENCE = re.compile(r"[^\n。；！？]*[。；！？]?")


def chunks(mtext: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-blank sentence: a line cut after ``。；！？`` (the unit a Doc
    is built from; short Docs train faster and keep the transition parser on track)."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(mtext) if m.group().strip()]


def make_doc(vocab, mtext: str, start: int, end: int, segmenter: str):
    from spacy.tokens import Doc
    piece = mtext[start:end]
    toks = segment(piece, segmenter)
    words = [piece[s:e] for s, e in toks]
    return Doc(vocab, words=words, spaces=[False] * len(words))


# --------------------------------------------------------------------------- the model


@functools.cache
def _org_veto():
    from pipeline.entities.org import OrgExtractor
    return OrgExtractor()


def is_generic_org(name: str) -> bool:
    """The rule extractor's veto on generic phrases (``相关部门``, ``各级党组织``...)."""
    return _org_veto()._generic(name)


class NerModel:
    """A loaded NER model. ``predict(text, mtext)`` → ORG entities with offsets into ``text``."""

    def __init__(self, nlp, segmenter: str | None = None, path: Path | None = None):
        self.nlp = nlp
        self.segmenter = segmenter or nlp.meta.get("rectify", {}).get("segmenter", DEFAULT_SEGMENTER)
        self.path = path

    @classmethod
    def load(cls, path: str | Path) -> "NerModel":
        path = Path(path)
        if not path.is_dir():
            raise ModelLoadError(path, "no such directory" if not path.exists() else "not a directory",
                                 expected="a spaCy model directory written by `python -m pipeline train --only ner`",
                                 fix="run `python -m pipeline train --only ner`, or remove the path to use rules only")
        for name in ("config.cfg", "meta.json", "ner"):
            if not (path / name).exists():
                raise ModelLoadError(path, f"{name} is missing",
                                     expected="a spaCy model directory (config.cfg, meta.json, ner/)",
                                     fix="retrain with `python -m pipeline train --only ner --force`")
        try:
            import spacy
            nlp = spacy.load(path)
        except Exception as exc:  # corrupt weights, bad config, version mismatch
            raise ModelLoadError(path, f"{type(exc).__name__}: {str(exc)[:300]}",
                                 expected="a readable spaCy model directory",
                                 fix="retrain with `python -m pipeline train --only ner --force`") from exc
        if "ner" not in nlp.pipe_names:
            raise ModelLoadError(path, f"pipeline has no 'ner' component (has {nlp.pipe_names})")
        segmenter = nlp.meta.get("rectify", {}).get("segmenter")
        if segmenter not in SEGMENTERS:
            raise ModelLoadError(path, f"meta.json names no known segmenter (got {segmenter!r})",
                                 expected="a model trained by pipeline.training.ner.train_ner")
        return cls(nlp, segmenter, path)

    def predict_all(self, text: str, mtext: str | None = None) -> list[Entity]:
        """Every label the model predicts, offsets into ``text`` (ORG after the generic veto)."""
        mtext = matching_text(text) if mtext is None else mtext
        if len(mtext) != len(text):
            raise ValueError("mtext must have the length of text (pipeline.read.textnorm.matching_text)")
        spans = chunks(mtext)
        docs = [self._doc(mtext, s, e) for s, e in spans]
        out: list[Entity] = []
        for (cs, _), doc in zip(spans, self.nlp.pipe(docs, batch_size=64)):
            for ent in doc.ents:
                start, end = cs + ent.start_char, cs + ent.end_char
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                if end <= start:
                    continue
                if ent.label_ == "ORG":
                    start = _org_veto().trim_start(mtext, start, end)  # 会同县财政局 → 县财政局
                    if is_generic_org(mtext[start:end]):
                        continue
                out.append(Entity(start=start, end=end, label=ent.label_, text=text[start:end], source=SOURCE))
        return out

    def _doc(self, mtext: str, start: int, end: int):
        """The Doc of one sentence. With jieba, the words come from segmenting the whole notice
        once (cached, shared with the ORG rules): jieba cuts at punctuation and line breaks first,
        so a sentence's words are the same either way."""
        if self.segmenter != "jieba":
            return make_doc(self.nlp.vocab, mtext, start, end, self.segmenter)
        from spacy.tokens import Doc

        from pipeline.entities import segment
        if getattr(self, "_tokens_of", None) is not mtext:
            self._tokens_of, self._all_tokens = mtext, segment.tokens(mtext)
            self._starts = [s for _, s, _ in self._all_tokens]
        import bisect
        k = bisect.bisect_left(self._starts, start)
        words, pos = [], start
        while k < len(self._all_tokens) and self._all_tokens[k][1] < end:
            _, s, e = self._all_tokens[k]
            if s != pos or e > end:
                return make_doc(self.nlp.vocab, mtext, start, end, self.segmenter)
            words.append(mtext[s:e])
            pos = e
            k += 1
        if pos != end:
            return make_doc(self.nlp.vocab, mtext, start, end, self.segmenter)
        return Doc(self.nlp.vocab, words=words, spaces=[False] * len(words))

    def predict(self, text: str, mtext: str | None = None) -> list[Entity]:
        """ORG proposals only (the combination policy: rules decide the other labels)."""
        return [e for e in self.predict_all(text, mtext) if e.label == "ORG"]

    def save(self, path: str | Path) -> None:
        self.nlp.to_disk(Path(path))
