"""The real column of ``make evaluate``: openings of public web pages (``annotations/real/``).

The pipeline gets each page's text alone (no notice date: it must find it). Scores:

* entities, three variants: **rules only**; **model only** and **rules + model** by grouped
  cross-validation over the pages: each fold's NER model is trained on the written gold plus the
  other folds' pages, never on the pages it predicts;
* each label's exact F1 and value accuracy, micro totals;
* **measure labels** on the annotated measure spans: the keyword baseline, and the classifier by
  the same folds (trained on the written measures plus the other folds' pages);
* **header facts**: inspection body, period, feedback date and notice date, exact accuracy over
  all pages (an empty gold value must be predicted empty).

Pages whose text is missing or changed are left out and counted (``python -m pipeline real status``).
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Sequence

from pipeline.annotation.real_set import RealDoc, load_real, status
from pipeline.scoring.folds import grouped_folds
from pipeline.scoring.metrics import score_entities
from pipeline.scoring.report import _f, _table
from pipeline.types import ENTITY_LABELS

VARIANTS = ("rules_only", "model_only", "rules_plus_model")
REAL_LABELS = tuple(ENTITY_LABELS)  # every label, DOC_NUMBER included (annotated on the pages since issue 11)
SCORED_HEADER_FACTS = ("inspection_body", "inspection_period", "feedback_date", "notice_date")


def header_scores(docs: Sequence[RealDoc], parsed: Sequence[Any]) -> dict[str, Any]:
    """Exact accuracy of each header fact over all pages, and over the pages where gold has one."""
    out: dict[str, Any] = {}
    for fact in SCORED_HEADER_FACTS:
        pairs = []
        for d, p in zip(docs, parsed):
            if fact == "inspection_body":
                pairs.append((d.inspection_body, p.inspection_body))
            elif fact == "inspection_period":
                gold = (d.header.inspection_start, d.header.inspection_end)
                pairs.append((gold if any(gold) else None,
                              (p.inspection_start, p.inspection_end) if p.inspection_start else None))
            elif fact == "feedback_date":
                pairs.append((d.header.feedback_date, p.feedback_date))
            else:
                pairs.append((d.notice_date, p.notice_date))
        stated = [(g, p) for g, p in pairs if g is not None]
        out[fact] = {"n": len(pairs), "correct": sum(g == p for g, p in pairs),
                     "accuracy": _ratio(sum(g == p for g, p in pairs), len(pairs)),
                     "n_stated": len(stated), "accuracy_stated": _ratio(sum(g == p for g, p in stated), len(stated))}
    return out


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def real_report(dev: Sequence[Any], params, folds: int = 5, docs: Sequence[RealDoc] | None = None,
                measure_labels: bool = True) -> dict[str, Any]:
    """Everything in the module docstring, for the pages whose text is present."""
    from pipeline.entities.ner import NerModel
    from pipeline.parse import NoticeParser
    from pipeline.training.ner import combine, train_model

    docs = list(load_real() if docs is None else docs)
    present = [d for d in docs if d.text is not None]
    out: dict[str, Any] = {"pages": len(docs), "scored": len(present),
                           "left_out": [d.id for d in docs if d.text is None]}
    if not present:
        return out
    gold = [d.notice() for d in present]
    parser = NoticeParser(ner=None, classifier=None, build_docs=False)
    rules = [parser.parse(d.text) for d in present]
    preds: list[list] = [[] for _ in present]
    t0 = time.perf_counter()
    split = list(grouped_folds([d.id for d in present], folds, seed=params.seed))
    for train_idx, test_idx in split:
        model = NerModel(train_model(list(dev) + [gold[k] for k in train_idx], params), params.segmenter)
        for k in test_idx:
            preds[k] = model.predict_all(present[k].text)
    out["ner_train_seconds"] = round(time.perf_counter() - t0, 1)
    variants = {
        "rules_only": rules,
        "model_only": [dataclasses.replace(p, entities=sorted(m, key=lambda e: (e.start, e.end)))
                       for p, m in zip(rules, preds)],
        "rules_plus_model": [dataclasses.replace(p, entities=combine(p.entities, m)) for p, m in zip(rules, preds)],
    }
    for name, parsed in variants.items():
        out[name] = score_entities(gold, [[e for e in p.entities if e.label in REAL_LABELS] for p in parsed],
                                   labels=REAL_LABELS)
    out["header"] = header_scores(present, rules)
    out["folds"] = len(split)
    if measure_labels:
        out["measure_labels"] = measure_report(dev, present, split)
    return out


def measure_report(dev: Sequence[Any], present: Sequence[RealDoc], split) -> dict[str, Any]:
    """Keyword baseline vs classifier on the pages' gold measure spans, by the entity folds."""
    import numpy as np

    from pipeline.measures.classifier import MeasureClassifier, _label_matrix
    from pipeline.measures.features import JiebaTokenizer
    from pipeline.measures.keywords import KeywordBaseline
    from pipeline.training.classifier import label_scores

    dev_texts = [m.text for g in dev for m in sorted(g.measures, key=lambda m: m.start)]
    dev_labels = [list(m.labels) for g in dev for m in sorted(g.measures, key=lambda m: m.start)]
    page_measures = [[(d.text[m["start"]:m["end"]], list(m["labels"])) for m in d.gold["measures"]] for d in present]
    texts = [t for ms in page_measures for t, _ in ms]
    labels = [ls for ms in page_measures for _, ls in ms]
    owner = [k for k, ms in enumerate(page_measures) for _ in ms]
    if not texts:
        return {"n": 0}
    y = _label_matrix(labels)
    y_clf = np.zeros_like(y)
    tokenizer = JiebaTokenizer.from_domain_dict()
    for train_idx, test_idx in split:
        train, test = set(train_idx), set(test_idx)
        tr = [i for i, k in enumerate(owner) if k in train]
        te = [i for i, k in enumerate(owner) if k in test]
        if not te:
            continue
        model = MeasureClassifier(tokenizer=tokenizer).fit(dev_texts + [texts[i] for i in tr],
                                                           dev_labels + [labels[i] for i in tr])
        y_clf[te] = (model.predict_proba([texts[i] for i in te]) >= model.threshold).astype(int)
    y_kw = _label_matrix(KeywordBaseline.default().predict(texts))
    return {"n": len(texts), "classifier": label_scores(y, y_clf), "keyword_baseline": label_scores(y, y_kw)}


def format_real(r: dict[str, Any]) -> str:
    """The real column as text tables."""
    head = f"== real pages: {r['scored']} of {r['pages']} scored"
    if r["left_out"]:
        head += f" ({len(r['left_out'])} texts missing or changed: `python -m pipeline real status`)"
    if not r["scored"]:
        return head + " =="
    head += f"; NER and classifier by grouped {r['folds']}-fold CV over the pages =="
    rows = []
    for label in list(REAL_LABELS) + ["micro"]:
        row = [label, (r["rules_only"]["micro"] if label == "micro" else r["rules_only"]["labels"][label])["gold"]]
        for v in VARIANTS:
            s = r[v]["micro"] if label == "micro" else r[v]["labels"][label]
            row.append(f"{_f(s['exact']['precision'])}/{_f(s['exact']['recall'])}/{_f(s['exact']['f1'])}")
        rows.append(row)
    vals = r["rules_plus_model"]["values"]
    out = [head, _table(["label", "gold"] + [f"{v} P/R/F1 exact" for v in VARIANTS], rows),
           "value accuracy (rules+model, exact spans): "
           + ", ".join(f"{k} {_f(v.get('accuracy'))} (n={v['n']})" for k, v in vals.items()),
           "header facts (rules), accuracy over all pages / over pages that state it:",
           _table(["fact", "pages", "all", "stated", "n stated"],
                  [[k, v["n"], _f(v["accuracy"]), _f(v["accuracy_stated"]), v["n_stated"]]
                   for k, v in r["header"].items()])]
    ml = r.get("measure_labels")
    if ml and ml.get("n"):
        label_rows = [[label, ml["classifier"]["per_label"][label]["support"],
                       _f(ml["keyword_baseline"]["per_label"][label]["f1"]), _f(ml["classifier"]["per_label"][label]["f1"])]
                      for label in ml["classifier"]["per_label"]]
        label_rows.append(["macro", "", _f(ml["keyword_baseline"]["macro"]["f1"]), _f(ml["classifier"]["macro"]["f1"])])
        out += [f"measure labels on {ml['n']} gold measure spans, F1:",
                _table(["label", "support", "keyword baseline", "classifier"], label_rows)]
    return "\n".join(out)


def status_report() -> str:
    """Which page texts are present, missing or changed, with the URLs to gather again."""
    from pipeline.annotation.real_set import read_sources
    st, sources = status(), read_sources()
    lines = [f"real pages: {sum(len(v) for v in st.values())} in sources.tsv; present {len(st['present'])}, "
             f"missing {len(st['missing'])}, changed {len(st['changed'])}"]
    for state in ("missing", "changed"):
        for pid in st[state]:
            lines.append(f"{state}\t{pid}\t{sources[pid]['url']}")
    return "\n".join(lines)
