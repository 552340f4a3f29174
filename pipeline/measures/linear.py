"""The trained measure classifier as plain arrays: the same probabilities without scikit-learn.

``model.skops`` (the scikit-learn ``Pipeline``, :mod:`pipeline.measures.classifier`) stays the model
of record: training writes it, and the retraining gate and cross-validation use it. Beside it,
:meth:`MeasureClassifier.save` writes ``inference.npz``: the vocabularies and idf weights of the two
TF-IDF vectorizers, the keyword rules, and for every label the calibrated LinearSVCs' weights,
intercepts and sigmoid parameters, with the sha256 of the ``model.skops`` they come from. Loading it
needs numpy only (``np.load(allow_pickle=False)``: no code runs), which saves an extract process
about two seconds of scikit-learn and skops imports and the per-call input checks, and makes the
per-measure cost a few array operations.

The arithmetic follows scikit-learn's step for step and in the same order (counts, ``1 + log(tf)``,
times idf, l2 norm summed left to right, the feature blocks side by side in column order, the dot
product accumulated in column order, ``expit(-(a·d + b))``, the mean over calibration folds), so the
probabilities are bit for bit the pipeline's: ``tests/test_classifier.py`` checks this on every gold
measure. Only the LinearSVC + sigmoid form is exported; any other model (the LogisticRegression
fallback) keeps the skops path.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from pipeline.errors import ModelLoadError
from pipeline.measures.features import LABELS, JiebaTokenizer, normalize_text
from pipeline.read.textnorm import matching_text

INFERENCE_FILE = "inference.npz"
FORMAT = "rectify-linear-measure-model/1"
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer collapses runs of white space


# --------------------------------------------------------------------------- export (training side)


def export_arrays(pipeline, model_sha256: str) -> dict[str, np.ndarray] | None:
    """The arrays of a fitted pipeline (:func:`pipeline.measures.features.build_pipeline`), or None
    when its form is not the exported one (then only the skops path serves it)."""
    features = pipeline.named_steps["features"]
    blocks = dict(features.transformer_list)
    weights = features.transformer_weights or {}
    if set(blocks) - {"words", "chars", "keywords"} or "words" not in blocks or "chars" not in blocks:
        return None
    words, chars = blocks["words"], blocks["chars"]
    for vec in (words, chars):
        if vec.norm != "l2" or not vec.use_idf or vec.binary:
            return None
    offsets, n = {}, 0
    for name in ("words", "chars", "keywords"):
        if name in blocks:
            offsets[name] = n
            n += (len(blocks[name].vocabulary_) if name != "keywords"
                  else len(blocks[name].rules_) + len(LABELS))
    label_estimators = pipeline.named_steps["classify"].estimators_
    if len(label_estimators) != len(LABELS):
        return None
    coef, intercept, sig_a, sig_b, owner, constant = [], [], [], [], [], []
    for j, est in enumerate(label_estimators):
        name = type(est).__name__
        if name == "_ConstantPredictor":
            constant.append(float(np.ravel(est.y_)[0]))
            continue
        if name != "CalibratedClassifierCV" or est.method != "sigmoid":
            return None
        constant.append(math.nan)
        for cc in est.calibrated_classifiers_:
            if type(cc.estimator).__name__ != "LinearSVC" or len(cc.calibrators) != 1 or len(cc.classes) != 2:
                return None
            coef.append(np.asarray(cc.estimator.coef_, dtype=np.float64).reshape(-1))
            intercept.append(float(np.ravel(cc.estimator.intercept_)[0]))
            sig_a.append(float(cc.calibrators[0].a_))
            sig_b.append(float(cc.calibrators[0].b_))
            owner.append(j)
    rules = blocks["keywords"].rules_ if "keywords" in blocks else []
    meta = {
        "format": FORMAT, "model_sha256": model_sha256, "labels": list(LABELS),
        "offsets": offsets, "n_features": n,
        "weights": {name: (None if weights.get(name) is None else float(weights[name])) for name in blocks},
        "words": {"ngram_range": list(words.ngram_range), "sublinear_tf": bool(words.sublinear_tf)},
        "chars": {"ngram_range": list(chars.ngram_range), "sublinear_tf": bool(chars.sublinear_tf)},
        "keyword_rules": [list(rule) for rule in rules],
        "tokenizer_entries": list(getattr(words.tokenizer, "entries", ())),
    }
    vocab_terms = {name: sorted(blocks[name].vocabulary_, key=blocks[name].vocabulary_.__getitem__)
                   for name in ("words", "chars")}
    return {
        "meta": np.array(json.dumps(meta, ensure_ascii=False)),
        "words_terms": np.array(vocab_terms["words"], dtype=str),
        "words_idf": np.asarray(words.idf_, dtype=np.float64),
        "chars_terms": np.array(vocab_terms["chars"], dtype=str),
        "chars_idf": np.asarray(chars.idf_, dtype=np.float64),
        # (features, estimators), C order: one row per feature, so a measure's rows are contiguous
        "coef_t": np.ascontiguousarray(np.stack(coef, axis=1)) if coef else np.zeros((n, 0)),
        "intercept": np.array(intercept, dtype=np.float64),
        "sigmoid_a": np.array(sig_a, dtype=np.float64),
        "sigmoid_b": np.array(sig_b, dtype=np.float64),
        "owner": np.array(owner, dtype=np.int64),
        "constant": np.array(constant, dtype=np.float64),
    }


def write_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    import io
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


# --------------------------------------------------------------------------- inference (runtime)


class LinearMeasureModel:
    """``predict_proba(texts)`` from ``inference.npz``; ``threshold`` and ``labels`` from the card."""

    labels = LABELS

    def __init__(self, arrays: dict[str, np.ndarray], threshold: float, path: Path | None = None):
        from pipeline.measures.keywords import _compile

        self.path = path
        self.threshold = float(threshold)
        meta = json.loads(str(arrays["meta"]))
        self.meta = meta
        self.offsets = meta["offsets"]
        self.weights = meta["weights"]
        self.vocab = {name: {t: i for i, t in enumerate(arrays[f"{name}_terms"].tolist())} for name in ("words", "chars")}
        self.idf = {name: arrays[f"{name}_idf"] for name in ("words", "chars")}
        self.word_ngrams = tuple(meta["words"]["ngram_range"])
        self.char_ngrams = tuple(meta["chars"]["ngram_range"])
        self.sublinear = {name: meta[name]["sublinear_tf"] for name in ("words", "chars")}
        self.rules = [(LABELS.index(label), _compile(kind, pattern)) for label, kind, pattern in meta["keyword_rules"]]
        self.coef_t = arrays["coef_t"]
        self.intercept = arrays["intercept"].tolist()
        self.sig_a = arrays["sigmoid_a"].tolist()
        self.sig_b = arrays["sigmoid_b"].tolist()
        self.owner = arrays["owner"].tolist()
        self.constant = arrays["constant"].tolist()
        self.tokenize = JiebaTokenizer(meta["tokenizer_entries"])  # the words the pipeline saw

    @classmethod
    def load(cls, model_dir: str | Path, card: dict[str, Any]) -> "LinearMeasureModel | None":
        """The arrays beside ``model.skops``, or None when they are missing or were exported from
        another ``model.skops`` than the card names (then the caller loads the skops file)."""
        path = Path(model_dir) / INFERENCE_FILE
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            meta = json.loads(str(arrays["meta"]))
        except Exception as exc:  # noqa: BLE001 - a corrupt file is named, never half-used
            raise ModelLoadError(path, f"an unreadable arrays file ({type(exc).__name__}: {exc})",
                                 fix="retrain with `python -m pipeline train`, or delete the file "
                                     "to use model.skops") from exc
        if meta.get("format") != FORMAT or meta.get("labels") != list(LABELS):
            return None
        if meta.get("model_sha256") != (card.get("model_file") or {}).get("sha256"):
            return None
        return cls(arrays, card.get("threshold", 0.5), path)

    # the three feature blocks, as (sorted column, value) pairs in scikit-learn's arithmetic

    def _tfidf(self, name: str, terms: list[str]) -> list[tuple[int, float]]:
        vocab = self.vocab[name]
        found = sorted((vocab[t], n) for t, n in Counter(terms).items() if t in vocab)
        if not found:
            return []
        cols = [k for k, _ in found]
        data = np.array([n for _, n in found], dtype=np.float64)
        if self.sublinear[name]:
            np.log(data, data)
            data += 1.0
        data *= self.idf[name][cols]
        total = 0.0
        for v in data.tolist():  # left to right, as scikit-learn's inplace_csr_row_normalize_l2
            total += v * v
        if total != 0.0:
            data /= math.sqrt(total)
        weight = self.weights.get(name)
        if weight is not None:
            data *= weight
        offset = self.offsets[name]
        return list(zip((offset + k for k in cols), data.tolist()))

    def _words(self, text: str) -> list[str]:
        tokens = self.tokenize(text)
        lo, hi = self.word_ngrams
        if hi == 1:
            return tokens
        out = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), min(hi + 1, len(tokens) + 1)):
            out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return out

    def _chars(self, text: str) -> list[str]:
        text = _WHITE_SPACES.sub(" ", text)
        lo, hi = self.char_ngrams
        out = []
        for n in range(lo, min(hi, len(text)) + 1):
            out.extend(text[i:i + n] for i in range(len(text) - n + 1))
        return out

    def _keywords(self, text: str) -> list[tuple[int, float]]:
        if "keywords" not in self.offsets:
            return []
        norm = matching_text(text)
        cols = set()
        for j, (label_index, regex) in enumerate(self.rules):
            if regex.search(norm):
                cols.add(j)
                cols.add(len(self.rules) + label_index)
        weight = self.weights.get("keywords")
        value = 1.0 if weight is None else 1.0 * weight
        offset = self.offsets["keywords"]
        return [(offset + c, value) for c in sorted(cols)]

    def features(self, text: str) -> list[tuple[int, float]]:
        pre = normalize_text(text)
        return self._tfidf("words", self._words(pre)) + self._tfidf("chars", self._chars(pre)) + self._keywords(text)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("predict_proba() takes a list of texts, not one string")
        out = np.zeros((len(texts), len(LABELS)))
        n_est = len(self.intercept)
        for i, text in enumerate(texts):
            feats = self.features(text)
            if feats and n_est:
                cols = [c for c, _ in feats]
                products = np.array([v for _, v in feats])[:, None] * self.coef_t[cols]
                decision = np.add.reduce(products, axis=0).tolist()  # row after row: column order
            else:
                decision = [0.0] * n_est
            sums = [0.0] * len(LABELS)
            folds = [0] * len(LABELS)
            for e in range(n_est):
                d = decision[e] + self.intercept[e]
                x = -(self.sig_a[e] * d + self.sig_b[e])  # scipy's expit(x) = 1 / (1 + exp(-x))
                p = 1.0 / (1.0 + math.exp(-x))
                sums[self.owner[e]] += p
                folds[self.owner[e]] += 1
            for j in range(len(LABELS)):
                out[i, j] = self.constant[j] if folds[j] == 0 else sums[j] / folds[j]
        return out
