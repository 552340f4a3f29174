"""Build the ``nlp`` object from ``pipeline.cfg``; each configuration once per process."""
from __future__ import annotations

import functools
import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
MODELS_DIR = Path(os.environ.get("RECTIFY_MODELS", REPO_DIR / "models"))
CONFIG_PATH = Path(__file__).resolve().parent / "pipeline.cfg"
DEFAULT = "default"  # the shipped model of that kind under MODELS_DIR


def _model_dir(value, default: Path) -> str | None:
    if value is None:
        return None
    path = default if value == DEFAULT else Path(value)
    return str(path) if path.exists() else None


def load_nlp(ner: str | Path | None = DEFAULT, classifier: str | Path | None = DEFAULT):
    """The parse pipeline. ``ner``/``classifier``: a model directory, ``"default"`` for the shipped
    one, or None (rules only / keyword baseline). A missing directory counts as None."""
    return _load(_model_dir(ner, MODELS_DIR / "ner"), _model_dir(classifier, MODELS_DIR / "measure_classifier"))


@functools.lru_cache(maxsize=4)
def _load(ner_dir: str | None, classifier_dir: str | None):
    import spacy

    # the factories register themselves on import
    import pipeline.entities.components  # noqa: F401
    import pipeline.measures.components  # noqa: F401
    import pipeline.read.components  # noqa: F401
    import pipeline.structure.components  # noqa: F401
    config = spacy.util.load_config(CONFIG_PATH)
    config["components"]["rectify_ner"]["model_dir"] = ner_dir
    config["components"]["rectify_measure_labels"]["model_dir"] = classifier_dir
    return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
