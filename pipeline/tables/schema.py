"""The output tables, declared once: columns, Arrow types and what each column means.

The writer checks every table against these schemas before writing, the README's data
dictionary is generated from them (``python -m pipeline schema``), and ``read_tables`` loads them
back as pandas DataFrames. Files are written atomically: a temporary file in the same folder,
flushed to disk, then ``os.replace``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from pipeline.types import MEASURE_LABELS


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str


_ID = pa.string()
_OFF = pa.int64()

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "notices": (
        Column("notice_id", _ID, "Stable id: the first 16 hex digits of the SHA-256 of the decoded text."),
        Column("source_path", pa.string(), "File the notice was read from, relative to the input folder."),
        Column("origin", pa.string(), "`real` or `written` (for the project) from the input folder's metadata.csv; `unknown` without one."),
        Column("format", pa.string(), "Input format: txt, html, docx, pdf."),
        Column("encoding", pa.string(), "Character encoding the file was decoded from (txt and html)."),
        Column("title", pa.string(), "Title line, e.g. 关于巡视整改进展情况的通报."),
        Column("issuer", pa.string(), "Issuing body as written in the header."),
        Column("notice_date", pa.date32(), "Signature date at the end (relative dates resolve against it)."),
        Column("inspection_body", pa.string(), "Who inspected, e.g. 省委第八巡视组."),
        Column("inspection_start", pa.date32(), "First day of the inspection period."),
        Column("inspection_end", pa.date32(), "Last day of the inspection period."),
        Column("feedback_date", pa.date32(), "Day the inspectors gave their feedback."),
        Column("n_groups", pa.int32(), "Number of feedback-problem groups."),
        Column("n_items", pa.int32(), "Number of numbered items (sub-items such as ① not counted)."),
        Column("n_measures", pa.int32(), "Number of measures."),
        Column("n_entities", pa.int32(), "Number of entities."),
        Column("n_chars", pa.int64(), "Length of the decoded text in characters."),
        Column("text", pa.string(), "The full decoded text: every offset in every table indexes it."),
        Column("entity_source", pa.string(), "`rules` or `rules+ner`: what found the entities."),
        Column("label_source", pa.string(), "`keywords` or `classifier`: what labelled the measures."),
        Column("pipeline_version", pa.string(), "Version of this package that wrote the rows."),
        Column("pipeline_fingerprint", pa.string(), "Hash of the package version, pattern and lexicon files and models that produced the rows; a run re-parses notices whose fingerprint differs."),
    ),
    "items": (
        Column("item_id", _ID, "`<notice_id>:i<index>`, stable for the same text."),
        Column("notice_id", _ID, "The notice the item belongs to."),
        Column("item_index", pa.int32(), "Position of the item in the notice, from 0."),
        Column("item_number", pa.string(), "Number as written: `1`, `28①`, `一`, `问题三`."),
        Column("parent_number", pa.string(), "For a sub-item such as `28②`, its item's number (`28`)."),
        Column("group_number", pa.string(), "Number of its feedback-problem group as written (`十二`)."),
        Column("group_title", pa.string(), "Title of its group, e.g. 反馈问题：全面从严治党主体责任落实不到位。"),
        Column("section", pa.string(), "The section heading it sits in, e.g. 集中整改期内已完成的整改事项."),
        Column("problem", pa.string(), "The problem statement."),
        Column("status", pa.string(), "completed, partially_completed, not_completed or unknown (ANNOTATION.md)."),
        Column("status_text", pa.string(), "The words the status was read from, e.g. 阶段性完成."),
        Column("status_source", pa.string(), "`explicit` (整改结果 line or bracket), `section` (heading), `reference` (见上文), `sub_items`, `none`."),
        Column("refers_to", pa.string(), "For a result that points back (见上文): the number of the item it points to."),
        Column("start", _OFF, "Offset of the item's first character in the notice text."),
        Column("end", _OFF, "Offset just past the item's last character."),
        Column("problem_start", _OFF, "Offset of the problem statement."),
        Column("problem_end", _OFF, "End of the problem statement."),
        Column("description_start", _OFF, "Offset of the description of what was done (null if none)."),
        Column("description_end", _OFF, "End of that description."),
    ),
    "measures": (
        Column("measure_id", _ID, "`<notice_id>:m<start>`, stable for the same text."),
        Column("notice_id", _ID, "The notice."),
        Column("item_id", _ID, "The item whose description holds the measure."),
        Column("measure_index", pa.int32(), "Position of the measure in the notice, from 0."),
        Column("start", _OFF, "Offset of the measure in the notice text."),
        Column("end", _OFF, "End offset (exclusive)."),
        Column("text", pa.string(), "The measure as written."),
        Column("labels", pa.list_(pa.string()), "Measure labels that apply (may be empty)."),
        *(Column(label, pa.bool_(), f"True when `{label}` applies.") for label in MEASURE_LABELS),
        *(Column(f"p_{label}", pa.float64(), f"Classifier probability of `{label}` (null with the keyword baseline).")
          for label in MEASURE_LABELS),
        Column("keyword_labels", pa.list_(pa.string()), "Labels by the transparent keyword baseline, for comparison."),
        Column("label_source", pa.string(), "`classifier` or `keywords`."),
    ),
    "entities": (
        Column("entity_id", _ID, "`<notice_id>:e<start>-<end>`."),
        Column("notice_id", _ID, "The notice."),
        Column("item_id", _ID, "The item the entity lies in, if any."),
        Column("measure_id", _ID, "The measure the entity lies in, if any."),
        Column("start", _OFF, "Offset in the notice text."),
        Column("end", _OFF, "End offset (exclusive)."),
        Column("text", pa.string(), "The entity as written."),
        Column("label", pa.string(), "DATE, MONEY, PERSON_COUNT, ORG, DOC_TITLE or DOC_NUMBER."),
        Column("value", pa.float64(), "MONEY in yuan; PERSON_COUNT as a whole number."),
        Column("start_date", pa.date32(), "DATE: first day (inclusive)."),
        Column("end_date", pa.date32(), "DATE: last day (inclusive); open periods end on the notice date."),
        Column("currency", pa.string(), "MONEY: ISO 4217 code (CNY unless another is named)."),
        Column("approx", pa.bool_(), "MONEY: true when 余/多/约/近 qualify the amount."),
        Column("kind", pa.string(), "DOC_TITLE: document type read from the title's ending (方案, 办法 ...)."),
        Column("source", pa.string(), "Extractor that produced it: rule:date, rule:money, rule:person_count, rule:org, rule:doc_title, rule:doc_number, model:ner."),
        Column("issuer_code", pa.string(), "DOC_NUMBER: the issuer's code before the bracket, 益高发 of 益高发〔2023〕12号 (null when none is written, and for other labels)."),
        Column("year", pa.int32(), "DOC_NUMBER: the bracketed year (null for other labels)."),
        Column("serial", pa.string(), "DOC_NUMBER: the serial before 号, as written (null for other labels)."),
    ),
    "manifest": (
        Column("path", pa.string(), "Input file, relative to the input folder."),
        Column("status", pa.string(), "`ok`, `skipped` (not a notice, unsupported format, duplicate) or `failed`."),
        Column("reason", pa.string(), "Why it was skipped or failed (null when ok)."),
        Column("error_type", pa.string(), "Class of the error, e.g. UndecodableText."),
        Column("sha256", pa.string(), "SHA-256 of the file's bytes."),
        Column("notice_id", _ID, "The notice it produced (null unless ok)."),
        Column("format", pa.string(), "txt, html, docx, pdf, or the unsupported extension."),
        Column("encoding", pa.string(), "Detected character encoding."),
        Column("n_bytes", pa.int64(), "File size."),
        Column("warnings", pa.list_(pa.string()), "Non-fatal problems, e.g. a truncated last character."),
    ),
}

TABLE_ORDER = ("notices", "items", "measures", "entities", "manifest")  # parents before children


def schema(name: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type) for c in SCHEMAS[name]])


from pipeline.errors import SchemaError  # noqa: E402,F401  (raised here)


def to_arrow(name: str, rows: list[dict]) -> pa.Table:
    expected = {c.name for c in SCHEMAS[name]}
    for k, row in enumerate(rows):
        extra, missing = set(row) - expected, expected - set(row)
        if extra or missing:
            raise SchemaError(f"table {name!r}, row {k}: unexpected columns {sorted(extra)}, "
                              f"missing {sorted(missing)}; columns are declared in pipeline/tables.py")
    return pa.Table.from_pylist(rows, schema=schema(name))


#: Tables whose key other tables refer to, parents first: (table, key column).
PARENT_KEYS = (("notices", "notice_id"), ("items", "item_id"), ("measures", "measure_id"))


def data_dictionary() -> str:
    """The README's data dictionary, generated from the schemas."""
    parts = []
    for name in TABLE_ORDER:
        parts.append(f"### `{name}.parquet`\n\n| column | type | meaning |\n|---|---|---|")
        parts.extend(f"| `{c.name}` | {c.type} | {c.meaning} |" for c in SCHEMAS[name])
        parts.append("")
    return "\n".join(parts)
