"""The trained multi-label measure classifier (inference, storage).

A measure (ANNOTATION.md, "Measures") carries zero or more of ``MEASURE_LABELS``. The model is a
scikit-learn ``Pipeline``::

    features = FeatureUnion(words: TF-IDF over jieba words (jieba with the project's
                                   domain dictionary, entities/lexicons/domain_dict.txt),
                            chars: TF-IDF over character 1-3-grams,
                            keywords: the keyword table's rule hits)
    classify = OneVsRestClassifier(CalibratedClassifierCV(LinearSVC(class_weight="balanced"),
                                                          method="sigmoid"))

Fixed ``random_state``: training twice on the same data gives the same probabilities.
:class:`MeasureClassifier` wraps it (``fit``, ``predict_proba``, ``predict``, ``save``, ``load``).
Models are stored with skops (never pickle) in a directory holding ``model.skops`` and
``model_card.json``; loading refuses any type outside :data:`ALLOWED_TYPES`.
Cross-validation and the retraining gate live in :mod:`pipeline.training.classifier`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from pipeline.errors import ModelLoadError, PipelineError


from pipeline.measures.features import DEFAULT_PARAMS, DOMAIN_DICT_PATH, FEATURES_MODULE, LABELS, JiebaTokenizer, build_pipeline

REPO_DIR = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_DIR / "models" / "measure_classifier"
DEFAULT_GOLD_PATH = REPO_DIR / "annotations" / "gold.jsonl"
MODEL_FILE = "model.skops"
CARD_FILE = "model_card.json"
GATE_TOLERANCE = 0.005

# Label Studio names (must match annotations/label_studio_measures_config.xml).
LS_FROM_NAME = "measure_labels"
LS_TO_NAME = "text"

# Types a stored model may contain beyond what skops trusts by default. Computed with
# skops.io.get_untrusted_types on models this module builds; anything else in a model file is
# refused on load (and on save: we never write a file we would not load).
# The feature classes live in pipeline.measures.features, so that path is in every model file.
ALLOWED_TYPES = frozenset({
    f"{FEATURES_MODULE}.CompactTfidfVectorizer",
    f"{FEATURES_MODULE}.JiebaTokenizer",
    f"{FEATURES_MODULE}.normalize_text",
    f"{FEATURES_MODULE}.KeywordFeatures",
    "sklearn.multiclass._ConstantPredictor",  # a label constant in the training data
    "sklearn.calibration._CalibratedClassifier",  # estimator="svm" (CalibratedClassifierCV)
    "sklearn.calibration._SigmoidCalibration",
})



from pipeline.errors import TrainingDataError  # noqa: E402,F401  (raised here)


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
        from pipeline.measures.linear import INFERENCE_FILE, export_arrays, write_arrays
        arrays = export_arrays(self.pipeline, full_card["model_file"]["sha256"])
        if arrays is not None:  # the same model as plain arrays, for extract runs
            files[INFERENCE_FILE] = write_arrays(arrays)
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
