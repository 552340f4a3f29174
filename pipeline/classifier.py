"""The trained multi-label measure classifier, its evaluation and its retraining loop.

A measure (ANNOTATION.md, "Measures") carries zero or more of ``MEASURE_LABELS``. The model is a
scikit-learn ``Pipeline``::

    features = FeatureUnion(words: TF-IDF over jieba words 1-2-grams (jieba with the project's
                                   domain dictionary, lexicons/domain_dict.txt),
                            chars: TF-IDF over character 1-3-grams)
    classify = OneVsRestClassifier(CalibratedClassifierCV(LinearSVC(class_weight="balanced"),
                                                          method="sigmoid"))

(``estimator="logreg"`` gives LogisticRegression(class_weight="balanced") instead; see
``DEFAULT_PARAMS`` for why the SVM is the default.) Fixed ``random_state``: training twice on the
same data gives the same probabilities.

:class:`MeasureClassifier` wraps it (``fit``, ``predict_proba``, ``predict``, ``save``, ``load``).
Models are stored with skops (never pickle) in a directory holding ``model.skops`` and
``model_card.json``; loading refuses any type outside :data:`ALLOWED_TYPES`.

Retraining: :func:`train_and_evaluate` reads ``annotations/gold.jsonl``, cross-validates grouped by
notice against the keyword baseline, and replaces the stored model only if no score falls.
Active learning: :func:`suggest_uncertain` writes the least certain measures as Label Studio tasks;
:func:`import_measure_labels` and :func:`merge_measure_labels` bring the corrected labels back.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import logging
import os
import platform
import re
import shutil
import tempfile
import threading
import unicodedata
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .errors import ModelLoadError, PipelineError
from .fsutil import atomic_write_text
from .textnorm import matching_text
from .types import MEASURE_LABELS

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DOMAIN_DICT_PATH = PACKAGE_DIR / "lexicons" / "domain_dict.txt"
DEFAULT_MODEL_DIR = REPO_DIR / "models" / "measure_classifier"
DEFAULT_GOLD_PATH = REPO_DIR / "annotations" / "gold.jsonl"
MODEL_FILE = "model.skops"
CARD_FILE = "model_card.json"
LABELS = tuple(MEASURE_LABELS)
GATE_TOLERANCE = 0.005

# Label Studio names (must match annotations/label_studio_measures_config.xml).
LS_FROM_NAME = "measure_labels"
LS_TO_NAME = "text"

# Types a stored model may contain beyond what skops trusts by default. Computed with
# skops.io.get_untrusted_types on models this module builds; anything else in a model file is
# refused on load (and on save: we never write a file we would not load).
ALLOWED_TYPES = frozenset({
    f"{__name__}.CompactTfidfVectorizer",
    f"{__name__}.JiebaTokenizer",
    f"{__name__}.normalize_text",
    f"{__name__}.KeywordFeatures",
    "sklearn.multiclass._ConstantPredictor",  # a label constant in the training data
    "sklearn.calibration._CalibratedClassifier",  # estimator="svm" (CalibratedClassifierCV)
    "sklearn.calibration._SigmoidCalibration",
})

# Chosen by grouped cross-validation (folds by notice), see the report in the commit message:
# on tests/data/measures_small.jsonl (217 measures, 2 notices) the calibrated LinearSVC beat
# LogisticRegression(class_weight="balanced", C 1-100) at every threshold from 0.2 to 0.5 and in
# average precision; on annotations/gold.jsonl (483 measures, 13 notices, 5 folds) macro F1 at
# 0.5 was 0.87 for LinearSVC with word unigrams against 0.85 with word 1-2-grams and 0.84-0.85
# for LogisticRegression. C (0.3-3) changed little; threshold 0.4 or 0.3 did not help.
# Keyword features: chosen by grouped CV on the 23 development notices (5 folds, macro F1): without
# them 0.901 (the keyword baseline alone: 0.935); with them at weight 0.2 / 0.3 / 0.4 / 0.5 / 0.7:
# 0.948 / 0.940 / 0.944 / 0.942 / 0.939. The model learns when a keyword hit is not a label
# (清退 of people, 完善 without a rule) from words and characters around it.
DEFAULT_PARAMS: dict[str, Any] = {
    "estimator": "svm",  # "svm" (LinearSVC + CalibratedClassifierCV, sigmoid) | "logreg"
    "C": 1.0,
    "calibration_folds": 3,  # CalibratedClassifierCV folds (fewer when a label is rarer)
    "class_weight": "balanced",
    "word_ngram_range": (1, 1),
    "char_ngram_range": (1, 3),
    "sublinear_tf": True,
    "min_df": 1,
    "max_iter": 5000,
    "random_state": 0,
    "threshold": 0.5,
    "keyword_features": True,  # the keyword table's rule hits as features (KeywordFeatures)
    "keyword_weight": 0.2,  # see the note above DEFAULT_PARAMS
}


class TrainingDataError(PipelineError, ValueError):
    """The gold data cannot be used for training or cross-validation."""


# --------------------------------------------------------------------------- text features


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def normalize_text(text: str) -> str:
    """Traditional characters to simplified (:func:`pipeline.textnorm.matching_text`), NFKC, and
    every number to ``0``.

    Used as the vectorizers' preprocessor: amounts and counts differ from notice to notice, the
    words around them do not. (A saved model refers to this function by name: changing what it
    does changes what stored models see; retrain after such a change.)
    """
    return _NUMBER.sub("0", unicodedata.normalize("NFKC", matching_text(text)))


def read_domain_dict(path: str | Path = DOMAIN_DICT_PATH) -> tuple[str, ...]:
    """Entries of a jieba user dictionary as ``"word [freq] [tag]"`` lines (``#`` comments and blank
    lines dropped, tabs read as spaces). Missing file: no entries."""
    path = Path(path)
    if not path.exists():
        return ()
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) > 3 or (len(fields) == 3 and not fields[1].isdigit()):
            raise PipelineError(f"{path}:{number}: expected 'word [freq] [tag]', got {raw!r}")
        entries.append(" ".join(fields))
    return tuple(entries)


_TOKENIZERS: dict[tuple[str, ...], Any] = {}
_TOKENIZERS_LOCK = threading.Lock()


def _jieba_for(entries: tuple[str, ...]):
    """A private ``jieba.Tokenizer`` with ``entries`` loaded (one per distinct dictionary)."""
    with _TOKENIZERS_LOCK:
        tok = _TOKENIZERS.get(entries)
        if tok is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)

            tok = jieba.Tokenizer()  # never the global jieba.dt: other code keeps its own dictionary
            tok.initialize()
            if entries:
                tok.load_userdict(io.StringIO("\n".join(entries) + "\n"))
            _TOKENIZERS[entries] = tok
        return tok


def _is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


class JiebaTokenizer:
    """Callable tokenizer for ``TfidfVectorizer``: jieba words, punctuation and spaces dropped.

    The domain dictionary's entries are part of the object (and so of the saved model), so a
    stored model tokenizes the same way even after ``domain_dict.txt`` changes.
    """

    def __init__(self, entries: Iterable[str] = ()):
        self.entries = tuple(entries)

    @classmethod
    def from_domain_dict(cls, path: str | Path = DOMAIN_DICT_PATH) -> "JiebaTokenizer":
        return cls(read_domain_dict(path))

    def __call__(self, text: str) -> list[str]:
        return [w for w in _jieba_for(self.entries).lcut(text) if _is_word(w)]

    # skops stores __getstate__ and restores with __setstate__: keep the state to plain strings.
    def __getstate__(self) -> dict[str, Any]:
        return {"entries": list(self.entries)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.entries = tuple(str(e) for e in state.get("entries", ()))

    def __repr__(self) -> str:
        return f"JiebaTokenizer(<{len(self.entries)} dictionary entries>)"


class CompactTfidfVectorizer(TfidfVectorizer):
    """``TfidfVectorizer`` whose vocabulary is stored as one numpy array of terms.

    skops writes a ``dict`` entry by entry into its JSON schema, which for a character-n-gram
    vocabulary means megabytes and seconds; an array of terms (ordered by column) is one ``.npy``
    file. Behaviour is exactly ``TfidfVectorizer``'s; only the saved state differs.
    """

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: never change the live object
        vocabulary = state.pop("vocabulary_", None)
        if vocabulary is not None:
            terms = sorted(vocabulary, key=vocabulary.__getitem__)
            if [vocabulary[t] for t in terms] != list(range(len(terms))):
                raise PipelineError("the vocabulary's column indices are not 0..n-1")
            state["vocabulary_terms_"] = np.array(terms, dtype=str)
        return state

    def __setstate__(self, state):
        state = dict(state)
        terms = state.pop("vocabulary_terms_", None)
        if terms is not None:
            state["vocabulary_"] = {str(t): i for i, t in enumerate(np.asarray(terms).tolist())}
        super().__setstate__(state)


@functools.lru_cache(maxsize=4)
def _compiled_rules(rules: tuple) -> list:
    """The keyword rules compiled once per process (transform runs for every notice)."""
    from .keywords import _compile
    return [(label, _compile(kind, pattern)) for label, kind, pattern in rules]


class KeywordFeatures:
    """The keyword table's rules as binary features, one column per rule plus one per label.

    The rules (label, kind, pattern as written) are copied into the model when it is fitted, so a
    stored model does not change when the table is edited later; the classifier learns how much
    each rule is worth and what context overrides it, instead of taking every hit as a label.
    """

    def __init__(self, rules=None):
        self.rules = rules

    def fit(self, texts, y=None):
        from .keywords import KeywordBaseline
        table = self.rules if self.rules is not None else [
            (r.label, r.kind, r.pattern) for r in KeywordBaseline.default().rules]
        self.rules_ = [tuple(rule) for rule in table]
        return self

    def get_params(self, deep=True):
        return {"rules": self.rules}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def transform(self, texts):
        from scipy.sparse import csr_matrix

        compiled = _compiled_rules(tuple(self.rules_))
        rows = np.zeros((len(texts), len(compiled) + len(LABELS)), dtype=np.float64)
        for i, text in enumerate(texts):
            norm = matching_text(text)
            for j, (label, regex) in enumerate(compiled):
                if regex.search(norm):
                    rows[i, j] = 1.0
                    rows[i, len(compiled) + LABELS.index(label)] = 1.0
        return csr_matrix(rows)

    def fit_transform(self, texts, y=None):
        return self.fit(texts, y).transform(texts)


def build_pipeline(params: dict[str, Any] | None = None, tokenizer: JiebaTokenizer | None = None):
    """The unfitted scikit-learn ``Pipeline`` for the given hyper-parameters."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    p = {**DEFAULT_PARAMS, **(params or {})}
    tokenizer = tokenizer if tokenizer is not None else JiebaTokenizer.from_domain_dict()
    words = CompactTfidfVectorizer(tokenizer=tokenizer, preprocessor=normalize_text, token_pattern=None,
                                   lowercase=False, ngram_range=tuple(p["word_ngram_range"]),
                                   sublinear_tf=p["sublinear_tf"], min_df=p["min_df"])
    chars = CompactTfidfVectorizer(analyzer="char", preprocessor=normalize_text, lowercase=False,
                                   ngram_range=tuple(p["char_ngram_range"]),
                                   sublinear_tf=p["sublinear_tf"], min_df=p["min_df"])
    if p["estimator"] == "logreg":
        base = LogisticRegression(C=p["C"], class_weight=p["class_weight"], solver="liblinear",
                                  max_iter=p["max_iter"], random_state=p["random_state"])
    elif p["estimator"] == "svm":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        base = CalibratedClassifierCV(
            LinearSVC(C=p["C"], class_weight=p["class_weight"], max_iter=p["max_iter"],
                      random_state=p["random_state"]),
            method="sigmoid", cv=int(p["calibration_folds"]))  # an int: StratifiedKFold, no shuffle
    else:
        raise ValueError(f"unknown estimator {p['estimator']!r} (logreg or svm)")
    parts = [("words", words), ("chars", chars)]
    weights = {"words": 1.0, "chars": 1.0}
    if p["keyword_features"]:
        parts.append(("keywords", KeywordFeatures()))
        weights["keywords"] = float(p["keyword_weight"])
    return Pipeline([
        ("features", FeatureUnion(parts, transformer_weights=weights)),
        ("classify", OneVsRestClassifier(base)),
    ])


# --------------------------------------------------------------------------- the classifier


def _label_matrix(label_sets: Sequence[Iterable[str]]) -> np.ndarray:
    y = np.zeros((len(label_sets), len(LABELS)), dtype=int)
    index = {label: j for j, label in enumerate(LABELS)}
    for i, labels in enumerate(label_sets):
        if isinstance(labels, str):
            raise TypeError(f"example {i}: labels must be a list of labels, not the string {labels!r}")
        for label in labels:
            if label not in index:
                raise TrainingDataError(f"example {i}: unknown measure label {label!r} "
                                        f"(allowed: {', '.join(LABELS)})")
            y[i, index[label]] = 1
    return y


def _effective_params(params: dict[str, Any], y: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """The hyper-parameters a fit can use on ``y``: CalibratedClassifierCV needs, for every label
    that is not constant, at least as many positives and negatives as calibration folds; with a
    label seen only once it cannot calibrate at all, and the model falls back to
    LogisticRegression (recorded in the card's ``fit`` section)."""
    p = dict(params)
    info: dict[str, Any] = {"estimator": p["estimator"]}
    if p["estimator"] == "svm":
        n = len(y)
        rarest = [int(min(c, n - c)) for c in y.sum(axis=0) if 0 < c < n]
        folds = min([int(p["calibration_folds"])] + rarest)
        if folds < 2:
            p["estimator"] = "logreg"
            info = {"estimator": "logreg",
                    "reason": "a label has a single positive or negative example: too few to calibrate "
                              "a LinearSVC, fell back to LogisticRegression"}
        else:
            p["calibration_folds"] = folds
            info["calibration_folds"] = folds
    return p, info


def training_hash(texts: Sequence[str], label_sets: Sequence[Iterable[str]]) -> str:
    """sha256 of the training examples (texts with their sorted labels, in order)."""
    canon = [[t, sorted(set(ls))] for t, ls in zip(texts, label_sets)]
    blob = json.dumps(canon, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    import jieba
    import sklearn
    import skops

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "jieba": jieba.__version__, "numpy": np.__version__}


def label_counts(label_sets: Sequence[Iterable[str]]) -> dict[str, int]:
    """Examples per label, plus ``total`` and ``none`` (examples with no label)."""
    y = _label_matrix(label_sets)
    counts = {label: int(y[:, j].sum()) for j, label in enumerate(LABELS)}
    counts["total"] = len(label_sets)
    counts["none"] = int((y.sum(axis=1) == 0).sum()) if len(label_sets) else 0
    return counts


class MeasureClassifier:
    """Multi-label measure classifier (``LABELS`` = institution_building, accountability,
    fund_recovery).

    Example::

        clf = MeasureClassifier().fit(["已完善相关内部制度。", "问责7人。", ...],
                                      [["institution_building"], ["accountability"], ...])
        clf.predict_proba(["追缴违纪资金35.4万元。"])  # array of shape (1, 3), columns = LABELS
        clf.predict(["追缴违纪资金35.4万元。"])        # [['fund_recovery']]
        clf.save("models/measure_classifier"); MeasureClassifier.load("models/measure_classifier")
    """

    labels = LABELS

    def __init__(self, params: dict[str, Any] | None = None, *, tokenizer: JiebaTokenizer | None = None):
        unknown = set(params or {}) - set(DEFAULT_PARAMS)
        if unknown:
            raise ValueError(f"unknown hyper-parameter(s): {', '.join(sorted(unknown))}")
        self.params = {**DEFAULT_PARAMS, **(params or {})}
        self._tokenizer = tokenizer
        self.pipeline = None
        self.fit_info: dict[str, Any] = {}
        self.training_hash: str | None = None
        self.label_counts: dict[str, int] | None = None
        self.card: dict[str, Any] = {}

    @property
    def threshold(self) -> float:
        return float(self.params["threshold"])

    @property
    def model_version(self) -> str:
        """What Label Studio shows as the prediction's model version: the training-data hash."""
        return (self.training_hash or "untrained")[:16]

    def fit(self, texts: Sequence[str], label_sets: Sequence[Iterable[str]]) -> "MeasureClassifier":
        """Train on measure texts and their label lists (a list may be empty)."""
        texts = list(texts)
        label_sets = [list(ls) for ls in label_sets]
        if len(texts) != len(label_sets):
            raise ValueError(f"{len(texts)} texts but {len(label_sets)} label lists")
        if not texts:
            raise TrainingDataError("no training examples")
        y = _label_matrix(label_sets)
        tokenizer = self._tokenizer if self._tokenizer is not None else JiebaTokenizer.from_domain_dict()
        effective, self.fit_info = _effective_params(self.params, y)
        pipeline = build_pipeline(effective, tokenizer)
        with warnings.catch_warnings():
            # OneVsRestClassifier warns for a label that is constant in the training data; it
            # then predicts that constant, which is what we want (the card shows the counts).
            warnings.filterwarnings("ignore", message=r"Label not \d+ is present in all training examples")
            pipeline.fit(texts, y)
        self.pipeline = pipeline
        self.training_hash = training_hash(texts, label_sets)
        self.label_counts = label_counts(label_sets)
        self.card = {}
        return self

    def _check_fitted(self) -> None:
        if self.pipeline is None:
            raise PipelineError("the measure classifier is not trained: call fit() or load() first")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each label, shape ``(len(texts), 3)``, columns in ``LABELS`` order."""
        self._check_fitted()
        if isinstance(texts, str):
            raise TypeError("predict_proba() takes a list of texts, not one string")
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(LABELS)))
        proba = np.asarray(self.pipeline.predict_proba(texts), dtype=float)
        if proba.shape != (len(texts), len(LABELS)):
            raise PipelineError(f"the model returned probabilities of shape {proba.shape}, "
                                f"expected {(len(texts), len(LABELS))}")
        return proba

    def predict(self, texts: Sequence[str], threshold: float | None = None) -> list[list[str]]:
        """Labels whose probability is at least ``threshold`` (default: the model's, 0.5)."""
        t = self.threshold if threshold is None else float(threshold)
        proba = self.predict_proba(texts)
        return [[label for j, label in enumerate(LABELS) if row[j] >= t] for row in proba]

    # ------------------------------------------------------------------ persistence

    def base_card(self) -> dict[str, Any]:
        """The model card fields this object knows by itself (no evaluation)."""
        self._check_fitted()
        tokenizer = self.pipeline.named_steps["features"].transformer_list[0][1].tokenizer
        entries = list(getattr(tokenizer, "entries", ()))
        return {
            "model": "measure_classifier",
            "description": "multi-label measure classifier: TF-IDF(jieba words + char n-grams) -> "
                           "one-vs-rest " + ("LogisticRegression" if self.fit_info.get("estimator") == "logreg"
                                             else "CalibratedClassifierCV(LinearSVC, sigmoid)"),
            "labels": list(LABELS),
            "threshold": self.threshold,
            "model_version": self.model_version,
            "training_data": {"sha256": self.training_hash, "counts": dict(self.label_counts or {})},
            "hyperparameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params.items()},
            "fit": dict(self.fit_info),
            "tokenizer": {
                "domain_dict": str(DOMAIN_DICT_PATH.relative_to(REPO_DIR)),
                "domain_dict_entries": len(entries),
                "domain_dict_sha256": hashlib.sha256("\n".join(entries).encode("utf-8")).hexdigest(),
            },
            "library_versions": library_versions(),
            "trained_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        }

    def save(self, model_dir: str | Path, card: dict[str, Any] | None = None) -> Path:
        """Write ``model.skops`` and ``model_card.json`` to ``model_dir`` atomically.

        ``card`` adds to (and overrides) :meth:`base_card` — e.g. the cross-validated scores.
        The directory is built beside the target and renamed into place, so a reader sees the
        old model or the new one, never half of each.
        """
        import skops.io as sio

        self._check_fitted()
        blob = sio.dumps(self.pipeline)
        untrusted = sorted(sio.get_untrusted_types(data=blob))
        unexpected = [t for t in untrusted if t not in ALLOWED_TYPES]
        if unexpected:
            raise PipelineError(f"refusing to save a model containing types outside the allow-list: "
                                f"{', '.join(unexpected)}")
        full_card = {**self.base_card(), **(self.card or {}), **(card or {})}
        full_card["model_file"] = {"name": MODEL_FILE, "sha256": hashlib.sha256(blob).hexdigest(),
                                   "trusted_types": untrusted}
        files = {MODEL_FILE: blob,
                 CARD_FILE: (json.dumps(full_card, ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
        _atomic_write_dir(Path(model_dir), files)
        self.card = full_card
        return Path(model_dir)

    @classmethod
    def load(cls, model_dir: str | Path = DEFAULT_MODEL_DIR) -> "MeasureClassifier":
        """Load a model directory written by :meth:`save`.

        Raises ``ModelLoadError`` (naming the file) when the card or the model file is missing or
        corrupt, when the model file holds a type outside :data:`ALLOWED_TYPES`, or when it does
        not match the sha256 recorded in the card.
        """
        model_dir = Path(model_dir)
        card_path, model_path = model_dir / CARD_FILE, model_dir / MODEL_FILE
        card = _read_card(card_path)
        if card.get("labels") != list(LABELS):
            raise ModelLoadError(card_path, f"a model for the labels {card.get('labels')!r}",
                                 expected=f"a measure model for the labels {list(LABELS)!r}",
                                 fix="retrain with `train_and_evaluate`")
        pipeline = load_model_file(model_path, expected_sha256=(card.get("model_file") or {}).get("sha256"))
        params = {**DEFAULT_PARAMS}
        for key, value in (card.get("hyperparameters") or {}).items():
            if key in params:
                params[key] = tuple(value) if isinstance(value, list) else value
        threshold = card.get("threshold", DEFAULT_PARAMS["threshold"])
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
            raise ModelLoadError(card_path, f"threshold {threshold!r}",
                                 expected="a threshold between 0 (exclusive) and 1", fix=_FIX)
        params["threshold"] = float(threshold)
        self = cls(params)
        self.pipeline = pipeline
        self.fit_info = dict(card.get("fit") or {})
        self.training_hash = (card.get("training_data") or {}).get("sha256")
        self.label_counts = (card.get("training_data") or {}).get("counts")
        self.card = card
        return self


_CARD_EXPECTED = f"the {CARD_FILE} written next to {MODEL_FILE} by MeasureClassifier.save"
_FIX = "retrain the model with `train_and_evaluate` (or restore the model directory from git)"


def _read_card(card_path: Path) -> dict[str, Any]:
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelLoadError(card_path, "file not found", expected=_CARD_EXPECTED,
                             fix="train a model first (`train_and_evaluate`)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(card_path, f"an unreadable file ({exc})", expected=_CARD_EXPECTED,
                             fix=_FIX) from exc
    if not isinstance(card, dict):
        raise ModelLoadError(card_path, f"a JSON {type(card).__name__}", expected=_CARD_EXPECTED, fix=_FIX)
    return card


def load_model_file(path: str | Path, expected_sha256: str | None = None):
    """Load one ``.skops`` file, trusting only :data:`ALLOWED_TYPES`; returns the sklearn Pipeline.

    Every failure is a ``ModelLoadError`` naming ``path``: unreadable or corrupt file, a type
    outside the allow-list (listed in the message), a sha256 other than ``expected_sha256``, or
    an object that is not a fitted pipeline with ``predict_proba``.
    """
    import skops.io as sio

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(path, f"an unreadable file ({exc})", fix=_FIX) from exc
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # zipfile.BadZipFile, JSON errors, KeyError... all mean "corrupt"
        raise ModelLoadError(path, f"a corrupt or non-skops file ({type(exc).__name__}: {exc})",
                             fix=_FIX) from exc
    refused = sorted(set(untrusted) - ALLOWED_TYPES)
    if refused:
        raise ModelLoadError(path, f"type(s) outside the allow-list, refused: {', '.join(refused)}",
                             expected="a skops file holding only scikit-learn types and "
                                      f"{', '.join(sorted(ALLOWED_TYPES))}",
                             fix="do not load this file; retrain the model with `train_and_evaluate`")
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise ModelLoadError(path, "a file whose sha256 differs from the one in model_card.json "
                                   "(changed or corrupt)", fix=_FIX)
    try:
        obj = sio.loads(data, trusted=sorted(untrusted))
    except Exception as exc:
        raise ModelLoadError(path, f"a file skops cannot load ({type(exc).__name__}: {exc})",
                             fix=_FIX) from exc
    from sklearn.pipeline import Pipeline

    if not isinstance(obj, Pipeline) or not hasattr(obj, "predict_proba"):
        raise ModelLoadError(path, f"a {type(obj).__name__}", expected="a fitted scikit-learn Pipeline",
                             fix=_FIX)
    return obj


def _atomic_write_dir(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a fresh sibling directory, then swap it in for ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    old = None
    try:
        for name, blob in files.items():
            with open(tmp / name, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.rmdir(old)
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old is not None and not target.exists():
                os.replace(old, target)  # put the previous model back
                old = None
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- evaluation


def label_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """Per-label precision/recall/F1 (with tp/fp/fn/support) and their macro average.

    A label with neither gold nor predicted positives scores 1.0 (nothing to find, nothing
    wrongly found); otherwise an undefined ratio is 0.0.
    """
    per_label = {}
    for j, label in enumerate(LABELS):
        t, p = y_true[:, j].astype(bool), y_pred[:, j].astype(bool)
        tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
        if tp + fp + fn == 0:
            precision = recall = f1 = 1.0
        else:
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": int(t.sum()), "tp": tp, "fp": fp, "fn": fn}
    macro = {k: round(float(np.mean([per_label[l][k] for l in LABELS])), 4)
             for k in ("precision", "recall", "f1")}
    return {"per_label": per_label, "macro": macro}


def cross_validate(texts: Sequence[str], label_sets: Sequence[Iterable[str]], groups: Sequence[str],
                   params: dict[str, Any] | None = None, *, n_splits: int = 5,
                   tokenizer: JiebaTokenizer | None = None, baseline=None) -> dict[str, Any]:
    """Grouped cross-validation (``GroupKFold`` on ``groups``, the notice ids: no notice is in
    both the training and the test part of a fold) of the classifier and the keyword baseline.

    Predictions of all folds are pooled before scoring. Returns ``{"grouping", "n_splits",
    "n_groups", "threshold", "classifier": scores, "keyword_baseline": scores,
    "classifier_beats_baseline": {label: bool, "macro": bool}}`` (see :func:`label_scores`).
    The extractor should only prefer the classifier's labels where it beats the baseline.
    """
    from sklearn.model_selection import GroupKFold

    from .keywords import KeywordBaseline

    texts = list(texts)
    label_sets = [list(ls) for ls in label_sets]
    groups = list(groups)
    y = _label_matrix(label_sets)
    n_groups = len(set(groups))
    if n_groups < 2:
        raise TrainingDataError(f"grouped cross-validation needs measures from at least 2 notices, "
                                f"got {n_groups}")
    k = min(n_splits, n_groups)
    p = {**DEFAULT_PARAMS, **(params or {})}
    tokenizer = tokenizer if tokenizer is not None else JiebaTokenizer.from_domain_dict()
    baseline = baseline if baseline is not None else KeywordBaseline.default()
    y_clf = np.zeros_like(y)
    for train, test in GroupKFold(n_splits=k).split(texts, y, groups):
        model = MeasureClassifier(p, tokenizer=tokenizer).fit([texts[i] for i in train],
                                                              [label_sets[i] for i in train])
        y_clf[test] = (model.predict_proba([texts[i] for i in test]) >= model.threshold).astype(int)
    y_kw = _label_matrix(baseline.predict(texts))
    clf_scores, kw_scores = label_scores(y, y_clf), label_scores(y, y_kw)
    better = {label: clf_scores["per_label"][label]["f1"] > kw_scores["per_label"][label]["f1"]
              for label in LABELS}
    better["macro"] = clf_scores["macro"]["f1"] > kw_scores["macro"]["f1"]
    return {"grouping": "notice", "n_splits": k, "n_groups": n_groups, "threshold": p["threshold"],
            "classifier": clf_scores, "keyword_baseline": kw_scores,
            "classifier_beats_baseline": better}


def format_scores(cv: dict[str, Any]) -> str:
    """The cross-validated scores as a side-by-side text table."""
    head = (f"grouped CV by notice: {cv['n_splits']} folds over {cv['n_groups']} notices\n"
            f"{'label':<22}{'support':>8}  {'keywords P/R/F1':>20}  {'classifier P/R/F1':>20}")
    rows = [head]

    def prf(s):
        return f"{s['precision']:.3f}/{s['recall']:.3f}/{s['f1']:.3f}"

    for label in LABELS:
        kw, cl = cv["keyword_baseline"]["per_label"][label], cv["classifier"]["per_label"][label]
        rows.append(f"{label:<22}{cl['support']:>8}  {prf(kw):>20}  {prf(cl):>20}")
    rows.append(f"{'macro':<22}{'':>8}  {prf(cv['keyword_baseline']['macro']):>20}  "
                f"{prf(cv['classifier']['macro']):>20}")
    return "\n".join(rows)


def compare_scores(old_cv: dict[str, Any] | None, new_cv: dict[str, Any],
                   tolerance: float = GATE_TOLERANCE) -> list[dict[str, Any]]:
    """Where the new classifier's CV F1 is worse than the old one's by more than ``tolerance``:
    ``[{"label": "accountability" | "macro", "old": f1, "new": f1, "drop": old - new}]``."""
    if not old_cv:
        return []
    old, new = old_cv.get("classifier") or {}, new_cv["classifier"]
    worse = []
    for label in LABELS:
        before = ((old.get("per_label") or {}).get(label) or {}).get("f1")
        after = new["per_label"][label]["f1"]
        if before is not None and before - after > tolerance:
            worse.append({"label": label, "old": before, "new": after, "drop": round(before - after, 4)})
    before = (old.get("macro") or {}).get("f1")
    if before is not None and before - new["macro"]["f1"] > tolerance:
        worse.append({"label": "macro", "old": before, "new": new["macro"]["f1"],
                      "drop": round(before - new["macro"]["f1"], 4)})
    return worse


# --------------------------------------------------------------------------- training from gold


def _load_notices(gold_path: Path) -> list[Any]:
    from .gold import load_gold

    return load_gold(gold_path)


def gold_examples(gold_path: str | Path) -> tuple[list[str], list[list[str]], list[str]]:
    """``(texts, label lists, notice ids)`` of every measure in a gold file, in file order."""
    texts, label_sets, groups = [], [], []
    for notice in _load_notices(Path(gold_path)):
        for m in sorted(notice.measures, key=lambda m: (m.start, m.end)):
            texts.append(m.text)
            label_sets.append(list(m.labels))
            groups.append(notice.id)
    return texts, label_sets, groups


def train_and_evaluate(gold_path: str | Path = DEFAULT_GOLD_PATH, model_dir: str | Path = DEFAULT_MODEL_DIR,
                       force: bool = False, *, params: dict[str, Any] | None = None,
                       echo: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train the measure classifier on the gold measures, cross-validate it grouped by notice next
    to the keyword baseline, and store it if it is not worse than the current model.

    The new model replaces the one in ``model_dir`` only if neither any label's CV F1 nor the
    macro F1 falls by more than 0.005 against the current model card; otherwise the old model is
    kept and the regressions are returned (and printed), unless ``force`` is true.

    Example::

        train_and_evaluate("annotations/gold.jsonl", "models/measure_classifier")
        train_and_evaluate("annotations/gold.jsonl", "models/measure_classifier", force=True)

    Returns ``{"replaced", "forced", "regressions": [{"label", "old", "new", "drop"}], "cv",
    "previous_cv", "card", "model_dir", "message"}``.
    """
    gold_path, model_dir = Path(gold_path), Path(model_dir)
    if not gold_path.is_file():
        raise TrainingDataError(f"{gold_path}: no gold file; expected one JSON record per notice "
                                f"with hand-labelled measures (see annotations/README.md)")
    texts, label_sets, groups = gold_examples(gold_path)
    if not texts:
        raise TrainingDataError(f"{gold_path}: no measures to train on")
    p = {**DEFAULT_PARAMS, **(params or {})}
    tokenizer = JiebaTokenizer.from_domain_dict()
    cv = cross_validate(texts, label_sets, groups, p, tokenizer=tokenizer)
    model = MeasureClassifier(p, tokenizer=tokenizer).fit(texts, label_sets)

    previous_cv, previous_version = None, None
    if (model_dir / CARD_FILE).exists():
        try:
            old_card = _read_card(model_dir / CARD_FILE)
            previous_cv, previous_version = old_card.get("cv"), old_card.get("model_version")
        except ModelLoadError as exc:
            if echo:
                echo(f"warning: {exc}; the current model cannot be compared and will be replaced")
    regressions = compare_scores(previous_cv, cv)
    replaced = not regressions or force
    card = {
        "training_data": {
            "sha256": model.training_hash,
            "gold_file": str(gold_path),
            "gold_file_sha256": _sha256_file(gold_path),
            "notices": len(set(groups)),
            "counts": model.label_counts,
        },
        "cv": cv,
        "previous_model_version": previous_version,
    }
    if replaced:
        model.save(model_dir, card)
    if regressions:
        worse = "; ".join(f"{r['label']} F1 {r['old']:.3f} -> {r['new']:.3f} (-{r['drop']:.3f})"
                          for r in regressions)
        message = (f"new model is worse than the current one: {worse}; "
                   + ("replaced anyway (force)" if force else f"kept the current model in {model_dir}"))
    else:
        message = f"model {model.model_version} written to {model_dir}"
    if not cv["classifier_beats_baseline"]["macro"]:
        message += (f"; note: the keyword baseline scores higher in cross-validation (macro F1 "
                    f"{cv['keyword_baseline']['macro']['f1']:.3f} vs {cv['classifier']['macro']['f1']:.3f})")
    if echo:
        echo(format_scores(cv))
        echo(message)
    return {"replaced": replaced, "forced": bool(force and regressions), "regressions": regressions,
            "cv": cv, "previous_cv": previous_cv, "card": model.card if replaced else {**model.base_card(), **card},
            "model_dir": str(model_dir), "message": message}


# --------------------------------------------------------------------------- active learning


def _classifier_from(classifier: "MeasureClassifier | str | Path") -> MeasureClassifier:
    return classifier if isinstance(classifier, MeasureClassifier) else MeasureClassifier.load(classifier)


def _gold_spans(gold_path: str | Path) -> set[tuple[str, int, int]]:
    return {(n.id, m.start, m.end) for n in _load_notices(Path(gold_path)) for m in n.measures}


def suggest_uncertain(measures_parquet_path: str | Path, n: int, out_path: str | Path,
                      classifier: "MeasureClassifier | str | Path" = DEFAULT_MODEL_DIR, *,
                      gold_path: str | Path | None = None,
                      exclude_notices: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Write the ``n`` measures the classifier is least sure about as Label Studio tasks.

    Uncertainty of a measure = its label decision closest to the threshold: the smallest
    ``|p - threshold|`` over the three labels. Ties go by notice id and start. Measures already in
    ``gold_path`` (same notice id, start and end) are skipped. Each task carries the model's
    labels as a prediction (``score`` = that smallest margin scaled to 0..1, low = unsure) for the
    labeling config ``annotations/label_studio_measures_config.xml``. Notices in
    ``exclude_notices`` (the held-out test set) are never suggested, so they stay unseen.

    Example::

        suggest_uncertain("output/measures.parquet", 50, "annotations/ls_measure_tasks.json",
                          "models/measure_classifier", gold_path="annotations/gold.jsonl")

    Returns the tasks written.
    """
    import pandas as pd

    clf = _classifier_from(classifier)
    table = pd.read_parquet(measures_parquet_path)
    missing = {"measure_id", "notice_id", "text", "start", "end"} - set(table.columns)
    if missing:
        raise PipelineError(f"{measures_parquet_path}: missing column(s) {', '.join(sorted(missing))}")
    if gold_path is not None and Path(gold_path).exists():
        done = _gold_spans(gold_path)
        keep = [(str(r.notice_id), int(r.start), int(r.end)) not in done for r in table.itertuples()]
        table = table[keep]
    excluded = set(exclude_notices)
    if excluded:
        table = table[~table["notice_id"].astype(str).isin(excluded)]
    table = table[table["text"].astype(str).str.strip() != ""].reset_index(drop=True)
    tasks: list[dict[str, Any]] = []
    if len(table) and n > 0:
        proba = clf.predict_proba(table["text"].astype(str).tolist())
        t = clf.threshold
        margin = np.abs(proba - t) / max(t, 1 - t)  # 0 = on the threshold, 1 = certain
        least = margin.min(axis=1)
        order = sorted(range(len(table)), key=lambda i: (least[i], str(table.at[i, "notice_id"]),
                                                         int(table.at[i, "start"])))
        for i in order[:n]:
            row = table.iloc[i]
            labels = [label for j, label in enumerate(LABELS) if proba[i, j] >= t]
            result = ([{"from_name": LS_FROM_NAME, "to_name": LS_TO_NAME, "type": "choices",
                        "value": {"choices": labels}}] if labels else [])
            tasks.append({
                "data": {"text": str(row["text"]), "measure_id": str(row["measure_id"]),
                         "notice_id": str(row["notice_id"]), "start": int(row["start"]),
                         "end": int(row["end"])},
                "predictions": [{"model_version": clf.model_version, "score": round(float(least[i]), 4),
                                 "result": result}],
            })
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_path, json.dumps(tasks, ensure_ascii=False, indent=2) + "\n")
    return tasks


class ImportedMeasure(NamedTuple):
    """One labelled measure read back from Label Studio."""

    text: str
    labels: list[str]
    notice_id: str
    start: int
    end: int


def _latest_annotation(task: dict) -> dict | None:
    annotations = [a for a in (task.get("annotations") or task.get("completions") or [])
                   if isinstance(a, dict) and not a.get("was_cancelled")]
    if not annotations:
        return None
    return max(enumerate(annotations),
               key=lambda pair: (str(pair[1].get("updated_at") or pair[1].get("created_at") or ""), pair[0]))[1]


def import_measure_labels(label_studio_export_json: str | Path | list) -> list[ImportedMeasure]:
    """Read a Label Studio JSON export of measure tasks (made from :func:`suggest_uncertain`).

    Takes each task's latest annotation that was not cancelled; tasks nobody annotated are left
    out. An annotation with no choice means "none of the three labels". Also reads the JSON-MIN
    export (``measure_labels`` as a field of each row).

    Example::

        import_measure_labels("project-3-at-2024-05-01.json")
        # [ImportedMeasure(text='问责7人。', labels=['accountability'], notice_id='...', start=10, end=15)]

    Returns ``[ImportedMeasure(text, labels, notice_id, start, end), ...]``.
    """
    from .gold import AnnotationError, sort_measure_labels

    source = label_studio_export_json
    if isinstance(source, (str, Path)):
        try:
            tasks = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AnnotationError(f"{source}: cannot read the Label Studio export ({exc})") from exc
    else:
        tasks, source = source, "<export>"
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise AnnotationError(f"{source}: a Label Studio export is a JSON list of tasks")
    out = []
    for k, task in enumerate(tasks):
        where = f"{source}: task {task.get('id', k) if isinstance(task, dict) else k}"
        if not isinstance(task, dict):
            raise AnnotationError(f"{where}: not a JSON object")
        data = task.get("data", task)  # JSON-MIN rows are flat
        if "annotations" in task or "completions" in task:
            annotation = _latest_annotation(task)
            if annotation is None:
                continue
            labels = []
            for r in annotation.get("result") or []:
                if r.get("from_name") == LS_FROM_NAME and r.get("type") == "choices":
                    labels.extend((r.get("value") or {}).get("choices") or [])
        elif LS_FROM_NAME in task:
            value = task[LS_FROM_NAME]
            labels = ([value] if isinstance(value, str) else
                      (value.get("choices") if isinstance(value, dict) else value) or [])
        else:
            continue  # not annotated
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            raise AnnotationError(f"{where}: unknown measure label(s) {unknown} (allowed: {', '.join(LABELS)})")
        try:
            item = ImportedMeasure(str(data["text"]), sort_measure_labels(labels), str(data["notice_id"]),
                                   int(data["start"]), int(data["end"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise AnnotationError(f"{where}: the task data needs text, notice_id, start and end ({exc})") from exc
        out.append(item)
    return out


def merge_measure_labels(imported: Iterable[ImportedMeasure] | str | Path,
                         gold_path: str | Path = DEFAULT_GOLD_PATH, *,
                         echo: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Put imported measure labels into the gold file (matched by notice id + start/end).

    Only labels change; measures that match no gold measure (unknown notice, no measure at that
    span, or a different text there) are reported, never added. The gold file is rewritten
    atomically and only if something changed. ``imported`` may also be the export file itself.

    Example::

        merge_measure_labels(import_measure_labels("export.json"), "annotations/gold.jsonl")

    Returns ``{"updated", "unchanged", "unmatched": [{"notice_id", "start", "end", "text",
    "reason"}]}``.
    """
    from .gold import load_gold, save_gold, sort_measure_labels

    if isinstance(imported, (str, Path)):
        imported = import_measure_labels(imported)
    gold_path = Path(gold_path)
    notices = load_gold(gold_path)
    by_id = {n.id: n for n in notices}
    updated, unchanged, unmatched = 0, 0, []
    for item in imported:
        notice = by_id.get(item.notice_id)
        measure = None
        if notice is not None:
            measure = next((m for m in notice.measures if (m.start, m.end) == (item.start, item.end)), None)
        reason = ("no such notice" if notice is None else
                  "no measure with this span" if measure is None else
                  "the gold text differs" if measure.text != item.text else None)
        if reason:
            unmatched.append({"notice_id": item.notice_id, "start": item.start, "end": item.end,
                              "text": item.text, "reason": reason})
            continue
        labels = sort_measure_labels(item.labels)
        if list(measure.labels) == labels:
            unchanged += 1
        else:
            measure.labels = labels
            updated += 1
    if updated:
        save_gold(notices, gold_path)
    report = {"updated": updated, "unchanged": unchanged, "unmatched": unmatched}
    if echo:
        echo(f"{gold_path}: {updated} measure(s) relabelled, {unchanged} unchanged, "
             f"{len(unmatched)} unmatched")
        for u in unmatched:
            echo(f"  unmatched {u['notice_id']} [{u['start']}, {u['end']}) {u['text'][:30]!r}: {u['reason']}")
    return report
