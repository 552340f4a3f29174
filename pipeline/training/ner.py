"""Training the NER model: examples from gold, the training loop, grouped CV and the gate.

``python -m pipeline train --only ner [--force]`` (re)trains it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
import random
import shutil
import time
from pathlib import Path
from typing import Any, Sequence

from pipeline.entities.segmenters import DEFAULT_SEGMENTER, SEGMENTERS
from pipeline.read.textnorm import matching_text
from pipeline.types import Entity
from pipeline.entities.ner import DEFAULT_GOLD_PATH, DEFAULT_MODEL_DIR, NerModel, NerParams, chunks, make_doc


GATE_TOLERANCE = 0.005  # a retrained model may not lose more ORG F1 (CV) than this, unless forced


from pipeline.errors import TrainingDataError  # noqa: E402,F401  (raised here)


@dataclass
class Alignment:
    """How many gold spans could be NER targets: the rest cross a token or line boundary."""
    gold: int = 0
    aligned: int = 0
    lost: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"gold": self.gold, "aligned": self.aligned, "lost": len(self.lost),
                "lost_examples": self.lost[:20]}


def make_examples(nlp, notices: Sequence[Any], params: NerParams, alignment: Alignment | None = None) -> list:
    """spaCy training Examples (one per non-blank line) from gold notices."""
    from spacy.training import Example
    examples = []
    labels = set(params.labels)
    rng = random.Random(params.seed)
    for g in notices:
        mtext = matching_text(g.text)
        ents = sorted((e for e in g.entities if e.label in labels), key=lambda e: (e.start, e.end))
        placed = [False] * len(ents)
        for cs, ce in chunks(mtext):
            doc = make_doc(nlp.vocab, mtext, cs, ce, params.segmenter)
            ref = doc.copy()
            spans = []
            for k, e in enumerate(ents):
                if e.start >= cs and e.end <= ce:
                    span = ref.char_span(e.start - cs, e.end - cs, label=e.label, alignment_mode="strict")
                    if span is not None:
                        spans.append(span)
                        placed[k] = True
            ref.set_ents(spans, default="outside")
            if spans or rng.random() < params.negatives:
                examples.append(Example(doc, ref))
        if alignment is not None:
            for e, ok in zip(ents, placed):
                alignment.gold += 1
                alignment.aligned += ok
                if not ok:
                    alignment.lost.append({"notice": g.id, "label": e.label, "text": e.text, "start": e.start})
    return examples


# --------------------------------------------------------------------------- training


def _blank(params: NerParams):
    import spacy
    nlp = spacy.blank("zh")  # its own tokenizer is unused: Docs come from pipeline.segmenters
    nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner", "extra_state_tokens": False, "hidden_width": params.hidden_width,
        "maxout_pieces": 2, "use_upper": True, "nO": None,
        "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
                    "width": params.width, "depth": params.depth, "embed_size": params.embed_size,
                    "window_size": 1, "maxout_pieces": 3, "subword_features": True}}})
    return nlp


def _batches(examples: list, size: int) -> list[list]:
    out, cur, n = [], [], 0
    for ex in examples:
        cur.append(ex)
        n += len(ex.predicted)
        if n >= size:
            out.append(cur)
            cur, n = [], 0
    if cur:
        out.append(cur)
    return out


def train_model(notices: Sequence[Any], params: NerParams | None = None,
                alignment: Alignment | None = None):
    """A trained spaCy ``Language`` (in memory) from gold notices. Deterministic for a seed."""
    from spacy.util import fix_random_seed
    params = params or NerParams()
    if params.segmenter not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {params.segmenter!r}; choose one of {', '.join(SEGMENTERS)}")
    fix_random_seed(params.seed)
    nlp = _blank(params)
    ner = nlp.get_pipe("ner")
    for label in params.labels:
        ner.add_label(label)
    examples = make_examples(nlp, notices, params, alignment)
    if not any(ex.reference.ents for ex in examples):
        raise TrainingDataError("no gold entities to train the NER model on")
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(params.seed)
    for _ in range(params.epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in _batches(examples, params.batch_tokens):
            nlp.update(batch, drop=params.dropout, sgd=optimizer, losses=losses)
    nlp.meta["name"] = "rectify_ner"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["rectify"] = {"segmenter": params.segmenter, "labels": list(params.labels),
                           "input": "pipeline.read.textnorm.matching_text, one Doc per sentence (pipeline.entities.ner.chunks)"}
    return nlp


# --------------------------------------------------------------------------- cross-validation


def cross_validated_predictions(notices: Sequence[Any], folds: int = 5, params: NerParams | None = None
                                ) -> tuple[list[list[Entity]], dict[str, Any]]:
    """Held-out predictions (all labels) for every notice by grouped CV: each fold's model is
    trained on the other notices only. Returns ``(predictions, info)``; ``info`` has the folds,
    training seconds and the alignment counts of the training parts."""
    from pipeline.scoring.folds import grouped_folds
    params = params or NerParams()
    notices = list(notices)
    preds: list[list[Entity]] = [[] for _ in notices]
    align = Alignment()
    info: dict[str, Any] = {"folds": [], "train_seconds": 0.0, "predict_seconds": 0.0, "predict_chars": 0}
    for train_idx, test_idx in grouped_folds([g.id for g in notices], folds, seed=params.seed):
        t0 = time.perf_counter()
        fold_align = Alignment()
        nlp = train_model([notices[k] for k in train_idx], params, fold_align)
        t1 = time.perf_counter()
        model = NerModel(nlp, params.segmenter)
        for k in test_idx:
            preds[k] = model.predict_all(notices[k].text)
            info["predict_chars"] += len(notices[k].text)
        t2 = time.perf_counter()
        info["train_seconds"] += t1 - t0
        info["predict_seconds"] += t2 - t1
        info["folds"].append({"test": [notices[k].id for k in test_idx], "train_seconds": round(t1 - t0, 2)})
    # alignment over all notices once (the training parts see each notice folds-1 times)
    from spacy.lang.zh import Chinese
    make_examples(Chinese(), notices, params, align)
    info["alignment"] = align.to_dict()
    info["ner_chars_per_second"] = info["predict_chars"] / max(info["predict_seconds"], 1e-9)
    return preds, info


def _rules_entities(notices: Sequence[Any]) -> list[list[Entity]]:
    from pipeline.parse import NoticeParser
    parser = NoticeParser(ner=None, classifier=None, build_docs=False)
    return [parser.parse(g.text, g.notice_date).entities for g in notices]


def combine(rule_entities: list[Entity], model_entities: list[Entity]) -> list[Entity]:
    """Rules + model under the project's policy (model adds ORG only)."""
    from pipeline.entities import overlaps
    return overlaps.resolve(rule_entities, [e for e in model_entities if e.label == "ORG"])


def cv_scores(notices: Sequence[Any], folds: int = 5, params: NerParams | None = None,
              rules: list[list[Entity]] | None = None, subsets: dict[str, Sequence[int]] | None = None
              ) -> dict[str, Any]:
    """Grouped-CV entity scores of the model alone and of rules+model (the scores.json content),
    over all notices and over each subset (e.g. the real pages) of the same predictions."""
    from pipeline.scoring.metrics import score_entities
    notices = list(notices)
    preds, info = cross_validated_predictions(notices, folds, params)
    rules = rules if rules is not None else _rules_entities(notices)
    combined = [combine(r, p) for r, p in zip(rules, preds)]

    def scores(idx):
        pick = lambda xs: [xs[k] for k in idx]
        return {"model_only": score_entities(pick(notices), pick(preds)),
                "rules_plus_model": score_entities(pick(notices), pick(combined)),
                "rules_only": score_entities(pick(notices), pick(rules))}

    out = {"grouping": "notice", "n_splits": len(info["folds"]), "n_notices": len(notices),
           **scores(range(len(notices))), "info": info}
    for name, idx in (subsets or {}).items():
        if idx:
            out.setdefault("by_set", {})[name] = {"n_notices": len(idx), **scores(list(idx))}
    return out


def training_notices(gold_path: str | Path, real: bool = True) -> tuple[list[Any], dict[str, Any]]:
    """The gold file's notices, then the real pages whose text is present; and what each set holds."""
    from pipeline.annotation.gold import load_gold
    notices = load_gold(gold_path)
    sets: dict[str, Any] = {"gold": {"indices": list(range(len(notices)))}}
    if real:
        from pipeline.annotation.real_set import load_real
        docs = load_real()
        present = [d.notice() for d in docs if d.text is not None]
        sets["real"] = {"indices": list(range(len(notices), len(notices) + len(present))),
                        "left_out": len(docs) - len(present)}
        notices = notices + present
    return notices, sets


def _shown(path: Path) -> str:
    """A path as the card shows it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(DEFAULT_GOLD_PATH.parents[1]))
    except ValueError:
        return str(path)


def _data_summary(sets: dict[str, Any]) -> dict[str, Any]:
    return {name: {k: v for k, v in info.items() if k != "indices"} | {"notices": len(info["indices"])}
            for name, info in sets.items()}


def _org_f1(scores: dict[str, Any] | None) -> float | None:
    try:
        return scores["rules_plus_model"]["labels"]["ORG"]["exact"]["f1"]
    except (KeyError, TypeError):
        return None


def train_ner(gold_path: str | Path = DEFAULT_GOLD_PATH, model_dir: str | Path = DEFAULT_MODEL_DIR,
              force: bool = False, segmenter: str = DEFAULT_SEGMENTER, seed: int = 0, *,
              folds: int = 5, params: NerParams | None = None, cv: bool = True, real: bool = False,
              echo=None) -> dict[str, Any]:
    """Cross-validate (grouped by notice) and train the NER model on all gold notices; save it.

    The new model replaces the one in ``model_dir`` unless its CV ORG F1 (rules+model, exact) is
    lower than the stored one's by more than 0.005 (then ``force`` is needed). Returns
    ``{"replaced", "forced", "cv", "previous_f1", "new_f1", "train_seconds", "alignment",
    "model_dir", "message"}``.
    """
    gold_path, model_dir = Path(gold_path), Path(model_dir)
    notices, sets = training_notices(gold_path, real=real)
    if not notices:
        raise TrainingDataError(f"{gold_path}: no notices to train on")
    data = _data_summary(sets)
    if echo and real:
        echo(f"NER training data: {data['gold']['notices']} gold notices + {data['real']['notices']} real pages"
             + (f" ({data['real']['left_out']} left out: texts missing)" if data["real"]["left_out"] else ""))
    params = params or NerParams(segmenter=segmenter, seed=seed)
    scores = (cv_scores(notices, folds, params, subsets={k: v["indices"] for k, v in sets.items()})
              if cv and len(notices) >= 2 else None)
    if scores is not None:
        scores["data"] = data
    t0 = time.perf_counter()
    align = Alignment()
    nlp = train_model(notices, params, align)
    train_seconds = time.perf_counter() - t0

    previous = None
    if (model_dir / "scores.json").exists():
        try:
            previous = json.loads((model_dir / "scores.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
    old_f1, new_f1 = _org_f1(previous), _org_f1(scores)
    comparable = previous is not None and previous.get("data") == data  # like with like
    worse = comparable and old_f1 is not None and new_f1 is not None and old_f1 - new_f1 > GATE_TOLERANCE
    replace = force or not worse
    if replace:
        tmp = model_dir.with_name(model_dir.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        nlp.to_disk(tmp)
        (tmp / "scores.json").write_text(json.dumps(scores, ensure_ascii=False, indent=2, default=str) + "\n",
                                         encoding="utf-8")
        (tmp / "training.json").write_text(json.dumps({
            "params": params.to_dict(), "gold_path": _shown(gold_path), "data": data,
            "notices": [g.id for g in notices],
            "train_seconds": round(train_seconds, 2), "alignment": align.to_dict()},
            ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        shutil.rmtree(model_dir, ignore_errors=True)
        tmp.rename(model_dir)
    fmt = lambda x: "-" if x is None else f"{x:.3f}"
    if replace:
        message = (f"NER model ({params.segmenter} segmentation) trained on {len(notices)} notices in "
                   f"{train_seconds:.1f}s and saved to {model_dir}; CV ORG F1 (rules+model, exact) "
                   f"{fmt(new_f1)} (previous {fmt(old_f1)}); gold spans lost to token misalignment: "
                   f"{len(align.lost)} of {align.gold}"
                   + ("" if comparable or previous is None else "; the training data changed, so the previous "
                      "score is not comparable and the gate did not apply"))
    else:
        message = (f"NER model NOT replaced: CV ORG F1 {fmt(new_f1)} is below the current model's "
                   f"{fmt(old_f1)}; use --force to replace it anyway")
    return {"replaced": replace, "forced": bool(force and worse), "cv": scores, "previous_f1": old_f1,
            "new_f1": new_f1, "train_seconds": train_seconds, "alignment": align.to_dict(),
            "model_dir": str(model_dir), "message": message}
