"""The output tables, declared once: columns, Arrow types and what each column means.

The writer checks every table against these schemas before writing, the README's data
dictionary is generated from them (``python -m pipeline schema``), and ``read_tables`` loads them
back as pandas DataFrames. Files are written atomically: a temporary file in the same folder,
flushed to disk, then ``os.replace``.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from pipeline.measures.facts import kind_names, kinds_of
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
    "facts": (
        Column("fact_id", _ID, "`<notice_id>:f<start>`: one fact per number."),
        Column("notice_id", _ID, "The notice."),
        Column("item_id", _ID, "The item whose description holds the measure (null outside items)."),
        Column("measure_id", _ID, "The measure the number stands in."),
        Column("kind", pa.string(), "What the number counts: " + ", ".join(f"`{k}`" for k in kind_names())
               + " (pipeline/measures/lexicons/fact_triggers.tsv; ANNOTATION.md, Facts)."),
        Column("category", pa.string(), "`people` (a PERSON_COUNT), `money` (a MONEY) or `things` (a counted number such as 12项)."),
        Column("quantity", pa.float64(), "People, yuan (MONEY value), or the number of things."),
        Column("unit", pa.string(), "The unit as written: 人, 名, 人次, 元 (CNY amounts; another currency gives its code), 项, 件, 个 ..."),
        Column("entity_id", _ID, "The PERSON_COUNT or MONEY entity the number is (null for counted things)."),
        Column("start", _OFF, "Offset of the number as written (with its unit: 3人, 35.4万元, 12项)."),
        Column("end", _OFF, "End offset (exclusive)."),
        Column("text", pa.string(), "The number as written."),
        Column("trigger", pa.string(), "The word the kind was read from, e.g. 党纪处分, 追缴."),
        Column("trigger_start", _OFF, "Offset of the trigger."),
        Column("trigger_end", _OFF, "End of the trigger."),
        Column("part_of", _ID, "The fact this one is a part of (问责3人，其中党纪处分1人: the 1人 fact points to the 3人 fact; 党纪处分1人…共计问责3人 likewise), else null."),
    ),
    "notice_summary": (
        Column("notice_id", _ID, "The notice (one row each)."),
        Column("source_path", pa.string(), "File the notice was read from."),
        Column("issuer", pa.string(), "Issuing body as written in the header."),
        Column("level", pa.string(), "Level of the issuer: province, city, county, town, enterprise, university, hospital, school, central or unknown (pipeline/tables/lexicons/issuer_levels.tsv; development zones count as county)."),
        Column("inspection_body", pa.string(), "Who inspected."),
        Column("notice_date", pa.date32(), "The notice's own date."),
        Column("n_items", pa.int32(), "Numbered items (sub-items such as ① not counted), as in notices.n_items."),
        Column("n_completed", pa.int32(), "Of those, items with status completed."),
        Column("n_partially_completed", pa.int32(), "Items with status partially_completed."),
        Column("n_not_completed", pa.int32(), "Items with status not_completed."),
        Column("n_unknown", pa.int32(), "Items without a stated or implied status."),
        Column("completion_rate", pa.float64(), "n_completed / (n_items - n_unknown): completed among the items whose status is known; null when none is."),
        Column("money_recovered", pa.float64(), "Yuan got back (facts of kind recovered, CNY); a 其中 part of a counted recovered amount is not added again."),
        Column("money_at_issue", pa.float64(), "Yuan at issue (kind at_issue, CNY), parts left out likewise."),
        Column("money_invested", pa.float64(), "Yuan put in (kind invested, CNY), parts left out likewise."),
        *(Column(f"people_{k}", pa.int64(), f"People counted by facts of kind `{k}` (a part is left out only when its total has the same kind).")
          for k in kinds_of("people")),
        Column("people_held_accountable", pa.int64(), "People held to account: the facts of kinds disciplined_party, disciplined_admin, organisational_handling, admonished, talked_to and accountable, each counted once (a 其中 part of one of them, or a part before a 共计 total, is left out). case_opened and transferred are not added: they count the same people at another step."),
        Column("rules_issued", pa.int64(), "Rules, systems, mechanisms issued or revised, as counted in the text (制定制度12项)."),
        Column("clues", pa.int64(), "Problem clues counted (问题线索5件)."),
        Column("projects", pa.int64(), "Projects counted (N个项目); the same projects told twice count twice."),
        Column("cases_opened", pa.int64(), "Cases opened counted as cases (立案2件, 立案查处…9起); people placed under investigation are people_case_opened."),
        Column("first_date", pa.date32(), "Earliest start date of the notice's DATE entities."),
        Column("last_date", pa.date32(), "Latest end date of the notice's DATE entities."),
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

TABLE_ORDER = ("notices", "items", "measures", "entities", "facts", "notice_summary", "manifest")  # parents before children
NOTICE_TABLES = TABLE_ORDER[:-1]  # the tables whose rows belong to one notice (all but the manifest)


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
PARENT_KEYS = (("notices", "notice_id"), ("items", "item_id"), ("measures", "measure_id"),
               ("entities", "entity_id"))


def data_dictionary() -> str:
    """The README's data dictionary, generated from the schemas."""
    parts = []
    for name in TABLE_ORDER:
        parts.append(f"### `{name}.parquet`\n\n| column | type | meaning |\n|---|---|---|")
        parts.extend(f"| `{c.name}` | {c.type} | {c.meaning} |" for c in SCHEMAS[name])
        parts.append("")
    return "\n".join(parts)
