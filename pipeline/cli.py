"""Command line: ``python -m pipeline COMMAND`` (or the ``rectify`` console script).

Each command's help is its function's docstring, with a runnable example. Library errors are
typed (``pipeline.errors``); here they become one-line messages and exit statuses:
0 everything read, 1 some files failed (the rest were written), 2 bad usage or a fatal error.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path


def cmd_extract(args) -> int:
    """Extract every notice under DIR into parquet tables.

    Example:
      python -m pipeline extract corpus --out output
      python -m pipeline extract new_notices/ --out output --prune

    Reads .txt (UTF-8, GB18030/GBK, Big5, UTF-16), .html/.htm, .docx and .pdf files. Writes
    the notices, items, measures, entities and manifest tables to --out, each a parquet dataset
    folder (OUT/notices.parquet/part-*.parquet). Unchanged files are not parsed again, and a run
    writes only what it adds or replaces; --prune drops rows of files no longer in DIR. Parses in
    one worker process per core (--workers N), or on a Dask cluster (--dask ADDRESS|local). One
    run at a time writes an --out folder: another run waits for it (--wait SECONDS, then exit 2)
    and then adds its rows.
    Exit status 1 when any file failed (see the manifest for the reason), 0 otherwise.
    """
    from tqdm import tqdm

    from pipeline.parse import NoticeParser
    from pipeline.tables.run import extract_folder

    parser = NoticeParser(ner=None if args.rules_only else args.models / "ner",
                          classifier=None if args.rules_only else args.models / "measure_classifier",
                          build_docs=False)
    print(f"models: entities by {parser.components['entities']}, measures labelled by "
          f"{parser.components['measure_labels']}", file=sys.stderr)

    def progress(paths):
        return tqdm(paths, desc="notices", unit="file", disable=args.quiet or not paths)

    summary = extract_folder(args.dir, args.out, parser=parser, prune=args.prune, progress=progress,
                             checkpoint=args.checkpoint, wait=args.wait, workers=args.workers, dask=args.dask,
                             on_wait=lambda message: print(message, file=sys.stderr))
    print(summary.format())
    print(f"tables written to {args.out}/")
    return summary.exit_status


def cmd_evaluate(args) -> int:
    """Score the pipeline against the gold annotations.

    Example:
      python -m pipeline evaluate --gold annotations/gold.jsonl --report output/evaluation.json

    Prints per-label precision/recall/F1 (exact and overlap), value accuracy, structure and
    measure scores, for real and written notices separately; writes the JSON report.
    """
    from pipeline.evaluation.run import evaluate_all
    report = evaluate_all(args.gold, args.report, models=args.models, folds=args.folds)
    print(report)
    return 0


def cmd_train(args) -> int:
    """Retrain the models from the gold annotations.

    Example:
      python -m pipeline train                       # NER and measure classifier
      python -m pipeline train --only classifier --force

    Trains on annotations/gold.jsonl plus the real pages of annotations/real/ whose texts are
    present (it says how many were left out). A new model replaces the current one only if its
    cross-validated scores do not fall on the same data; otherwise the command says which label
    got worse and keeps the old model (--force replaces it). When the training data changed, the
    old scores are not comparable and the gate does not apply (it says so).
    """
    status = 0
    if args.only in (None, "classifier"):
        from pipeline.training.classifier import train_and_evaluate
        result = train_and_evaluate(args.gold, args.models / "measure_classifier", force=args.force,
                                    real=not args.no_real)
        print(result.get("message", json.dumps(result, ensure_ascii=False, default=str)[:2000]))
        status = max(status, 0 if result.get("replaced", True) else 3)
    if args.only in (None, "ner"):
        from pipeline.training.ner import train_ner
        result = train_ner(args.gold, args.models / "ner", force=args.force, echo=print, real=not args.no_real)
        print(result.get("message", ""))
    return status


def cmd_suggest(args) -> int:
    """Write a Label Studio task file with the N measures the classifier is least sure about.

    Example:
      python -m pipeline suggest 50 --tables output --out annotations/suggested_tasks.json
    """
    from pipeline.measures.classifier import MeasureClassifier
    from pipeline.annotation.measure_labels import suggest_uncertain
    from pipeline.annotation.gold import load_gold
    classifier = MeasureClassifier.load(args.models / "measure_classifier")
    heldout = args.gold.with_name("heldout.jsonl")
    exclude = [g.id for g in load_gold(heldout)] if heldout.exists() else []
    from pipeline.tables.store import table_path
    tasks = suggest_uncertain(table_path(args.tables, "measures"), args.n, args.out, classifier,
                              gold_path=args.gold, exclude_notices=exclude)
    print(f"wrote {len(tasks)} Label Studio task(s) to {args.out} (measures already in {args.gold.name} "
          f"and the {len(exclude)} held-out notices are never suggested); label them with "
          f"annotations/label_studio_measures_config.xml, export JSON, then: "
          f"python -m pipeline import EXPORT.json --format label-studio-measures")
    return 0


def cmd_import(args) -> int:
    """Merge an annotation tool's export into annotations/gold.jsonl.

    Example:
      python -m pipeline import export.json --format label-studio
      python -m pipeline import project.jsonl --format doccano
      python -m pipeline import measures_export.json --format label-studio-measures

    Records with the same notice id (or the same text) are replaced, new ones added; missing
    normalised values are filled in by the rules.
    """
    from pipeline.annotation.importer import import_file
    print(import_file(args.file, args.format, args.gold))
    return 0


def cmd_annotate(args) -> int:
    """The retraining loop with a Label Studio server: push tasks, pull finished annotations.

    Example:
      python -m pipeline annotate push 20 --notices 2 --corpus new_notices/ --url http://127.0.0.1:8080 --token PAT
      python -m pipeline annotate pull --url http://127.0.0.1:8080 --token PAT
      make train && make evaluate

    push: parses the notice files under --corpus that are not in the gold file nor the held-out
    set, and imports the N measures the shipped classifier is least sure about (project
    "NAME: measures") and --notices whole notices, those of these measures first (project
    "NAME: notices"), pre-annotated with our predictions. Projects are created with our labelling
    configs or reused; tasks already there are not imported again.
    pull: exports both projects and merges the finished annotations into --gold (offsets checked
    against the text). A measure task's labels go to the measure with the same span in its
    notice's record; an annotation that differs from gold is reported as a conflict and gold keeps
    its value (--replace takes the annotation); a second pull adds nothing. Exit 1 when conflicts
    were left, 2 when the server cannot be reached, refuses the token, holds a project with
    another labelling config, or a task's text no longer matches its notice (gold untouched).
    --token: a personal access token (Account & Settings), or a legacy token where the
    organisation allows them. Without a server: `suggest` and `import` work on files.
    """
    from pipeline.annotation.label_studio_round import pull, push
    from pipeline.annotation.label_studio_server import LabelStudioServer
    server = LabelStudioServer(args.url, args.token, timeout=args.timeout)
    if args.action == "push":
        if args.n is None:
            print("error: annotate push needs N, the number of measures", file=sys.stderr)
            return 2
        push(server, args.project, args.corpus, args.n, args.notices, models=args.models,
             gold_path=args.gold, origin=args.origin)
        return 0
    report = pull(server, args.project, args.gold, replace=args.replace)
    if report["written"]:
        print("retrain with: make train (or python -m pipeline train), then: make evaluate")
    return 1 if report["conflicts"] else 0


def cmd_real(args) -> int:
    """The real development set (openings of public pages, annotations/real/).

    Example:
      python -m pipeline real status     # which page texts are present, missing or changed
      python -m pipeline real drafts r0895c46e5a2   # gold -> annotations/real/drafts/<id>.json to edit
      python -m pipeline real build      # the drafts -> their rows of sources.tsv + gold.jsonl

    Page texts are third-party text and never committed: they live in annotations/real/texts/
    (ignored by git). A missing or changed text is listed with its URL to gather it again; the
    evaluation scores the pages that are present and says how many were left out.
    """
    if args.ids and args.action != "drafts":
        from pipeline.errors import PipelineError
        raise PipelineError(f"real {args.action} takes no page ids (only `real drafts ID...` does)")
    if args.action == "status":
        from pipeline.evaluation.real import status_report
        print(status_report())
        return 0
    if args.action == "drafts":
        from pipeline.annotation.real_set import REAL_DIR, write_drafts
        written, kept = write_drafts(ids=args.ids, force=args.force)
        print(f"wrote {len(written)} draft(s) to {REAL_DIR / 'drafts'}; kept {len(kept)} "
              "(a draft already there, or the page's text is missing: see `real status`)")
        return 0
    from pipeline.annotation.real_set import build_gold
    written, problems = build_gold()
    for pid, found in problems.items():
        print(f"{pid}: not written: " + "; ".join(found[:5]), file=sys.stderr)
    print(f"wrote {written} page(s) to annotations/real/gold.jsonl and sources.tsv")
    return 1 if problems else 0


def cmd_report(args) -> int:
    """Write a static HTML report of an extract output: an index and one page per notice.

    Example:
      python -m pipeline report output --html output/report
      xdg-open output/report/index.html          # no server needed, works offline

    The index lists every notice (issuer, date, items, completion, money recovered, people held
    accountable) with charts across notices; each notice page shows its text with the entities
    highlighted, its items, measures (labels, probabilities) and facts, each number linked to
    its place in the text. Exit status 2 when OUT is not an extract output.
    """
    from pipeline.report import build_site
    print(build_site(args.out, args.html).format())
    return 0


def cmd_schema(args) -> int:
    """Print the data dictionary of the output tables (Markdown).

    Example:
      python -m pipeline schema
    """
    from pipeline.tables.schema import data_dictionary
    print(data_dictionary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Extract linked tables from Chinese rectification notices (巡视/巡察整改进展情况的通报).",
        epilog="Example: python -m pipeline extract corpus --out output",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    root.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = root.add_subparsers(dest="command", required=True)
    repo = Path(__file__).resolve().parent.parent

    def add(name, func):
        doc = func.__doc__ or ""
        summary, _, rest = doc.strip().partition("\n")
        p = sub.add_parser(name, help=summary, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        p.add_argument("--models", type=Path, default=repo / "models", help="models folder (default: models/)")
        return p

    p = add("extract", cmd_extract)
    p.add_argument("dir", type=Path, help="folder of notice files (or one file)")
    p.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    p.add_argument("--prune", action="store_true", help="drop rows of files no longer in DIR")
    p.add_argument("--rules-only", action="store_true", help="ignore trained models")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--wait", type=float, default=600.0, metavar="SECONDS",
                   help="how long to wait for another run writing the same --out (default: 600), then exit 2")
    p.add_argument("--checkpoint", type=int, default=100, metavar="N",
                   help="write the tables every N files (default: 100)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="parser processes (default: one per core; 1: parse in this process)")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="parse on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' "
                        "for a local cluster of one worker process per core (needs the 'dask' extra)")
    p = add("evaluate", cmd_evaluate)
    p.add_argument("--gold", type=Path, default=repo / "annotations" / "gold.jsonl")
    p.add_argument("--report", type=Path, default=Path("output") / "evaluation.json")
    p.add_argument("--folds", type=int, default=5, help="folds of the grouped cross-validation")
    p = add("train", cmd_train)
    p.add_argument("--gold", type=Path, default=repo / "annotations" / "gold.jsonl")
    p.add_argument("--only", choices=("classifier", "ner"))
    p.add_argument("--force", action="store_true", help="replace the model even if scores fall")
    p.add_argument("--no-real", action="store_true",
                   help="train on the gold file only, not on the real pages in annotations/real/")
    p = add("suggest", cmd_suggest)
    p.add_argument("n", type=int, help="how many measures")
    p.add_argument("--tables", type=Path, default=Path("output"))
    p.add_argument("--out", type=Path, default=Path("annotations") / "suggested_tasks.json")
    p.add_argument("--gold", type=Path, default=repo / "annotations" / "gold.jsonl")
    p = add("import", cmd_import)
    p.add_argument("file", type=Path)
    p.add_argument("--format", required=True, choices=("label-studio", "doccano", "label-studio-measures"))
    p.add_argument("--gold", type=Path, default=repo / "annotations" / "gold.jsonl")
    p = add("annotate", cmd_annotate)
    p.add_argument("action", choices=("push", "pull"))
    p.add_argument("n", type=int, nargs="?", help="push: how many measures (least certain first)")
    p.add_argument("--notices", type=int, default=0, help="push: also this many whole notices (default: 0)")
    p.add_argument("--corpus", type=Path, default=repo / "corpus", help="push: folder of notice files")
    p.add_argument("--origin", choices=("real", "written"), default="real", help="push: origin of the new notices")
    p.add_argument("--url", required=True, help="Label Studio server, e.g. http://127.0.0.1:8080")
    token = os.environ.get("LABEL_STUDIO_API_KEY")
    p.add_argument("--token", default=token, required=token is None,
                   help="personal access token (or a legacy token); default: $LABEL_STUDIO_API_KEY")
    p.add_argument("--project", default="rectification", help="project name (default: rectification)")
    p.add_argument("--gold", type=Path, default=repo / "annotations" / "gold.jsonl")
    p.add_argument("--replace", action="store_true", help="pull: take the annotation where it differs from gold")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default: 60)")
    p = add("real", cmd_real)
    p.add_argument("action", choices=("status", "drafts", "build"))
    p.add_argument("ids", nargs="*", help="drafts: page ids (default: every page whose text is present)")
    p.add_argument("--force", action="store_true", help="drafts: overwrite drafts that are already there")
    p = add("report", cmd_report)
    p.add_argument("out", type=Path, help="output folder of an extract run")
    p.add_argument("--html", type=Path, required=True, metavar="DIR", help="folder to write the site into")
    add("schema", cmd_schema)
    return root


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from pipeline.errors import PipelineError
    try:
        return args.func(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc.filename}: no such file or folder", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
