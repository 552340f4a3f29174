"""Every table of a real extract output reads back the same in pandas, DuckDB and polars, and the
README's example queries (the fenced blocks after ``<!-- tested-query -->``) run on it."""
import ast
import datetime as dt
import math
import re

import duckdb
import pandas as pd
import polars as pl
import pytest

from conftest import REPO
from pipeline.api import load_tables
from pipeline.tables.schema import PARENT_KEYS, TABLE_ORDER, schema
from pipeline.tables.store import table_source

KEYS = dict(PARENT_KEYS) | {"entities": "entity_id", "manifest": "path", "facts": "fact_id",
                            "notice_summary": "notice_id"}
MARKER = "<!-- tested-query -->"
QUERY_BLOCK = re.compile(re.escape(MARKER) + r"\s*```(\w+)\n(.*?)```", re.DOTALL)


def canonical(value):
    """One value as the three readers agree to show it: None for missing, tuples for lists."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0:
        return tuple(canonical(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def rows(records, key):
    out = [{k: canonical(v) for k, v in r.items()} for r in records]
    return sorted(out, key=lambda r: r[key])


@pytest.fixture(scope="module")
def out(extract_output):
    return extract_output / "output"


@pytest.fixture(scope="module")
def pandas_tables(out):
    return load_tables(out)


@pytest.mark.parametrize("name", TABLE_ORDER)
def test_table_reads_back_the_same_in_pandas_duckdb_and_polars(out, pandas_tables, name):
    key, columns = KEYS[name], schema(name).names
    from_pandas = rows(pandas_tables[name].to_dict("records"), key)
    relation = duckdb.execute("SELECT * FROM read_parquet(?)", [table_source(out, name)])
    duck_columns = [d[0] for d in relation.description]
    from_duckdb = rows([dict(zip(duck_columns, r)) for r in relation.fetchall()], key)
    frame = pl.read_parquet(table_source(out, name))
    from_polars = rows(frame.to_dicts(), key)
    assert list(pandas_tables[name].columns) == duck_columns == frame.columns == columns
    assert len(from_pandas) > 0
    assert from_pandas == from_duckdb == from_polars


def test_the_readers_agree_on_the_facts_an_analyst_asks_for(out, pandas_tables):
    """Counts and sums by three routes, checked against the notice we wrote (x-markup.txt)."""
    notices = pandas_tables["notices"]
    nid = notices.loc[notices["source_path"] == "x-markup.txt", "notice_id"].item()
    money = duckdb.execute("SELECT sum(value) FROM read_parquet(?) WHERE label = 'MONEY' AND notice_id = ?",
                           [table_source(out, "entities"), nid]).fetchone()[0]
    people = (pl.scan_parquet(table_source(out, "entities"))
              .filter((pl.col("notice_id") == nid) & (pl.col("label") == "PERSON_COUNT"))
              .select(pl.col("value").sum()).collect().item())
    entities = pandas_tables["entities"]
    assert money == 35000.0 == entities.query("notice_id == @nid and label == 'MONEY'")["value"].sum()
    assert people == 2.0
    statuses = duckdb.execute("SELECT status, count(*) FROM read_parquet(?) WHERE notice_id = ? GROUP BY ALL",
                              [table_source(out, "items"), nid]).fetchall()
    assert statuses == [("completed", 1)]
    labels = pl.read_parquet(table_source(out, "measures")).filter(pl.col("notice_id") == nid)["labels"].to_list()
    assert labels == [["institution_building"], ["fund_recovery"], ["accountability"]]
    manifest = pandas_tables["manifest"]
    assert sorted(manifest.loc[manifest["status"] == "ok", "notice_id"]) == sorted(notices["notice_id"])


def readme_queries():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [(lang, body) for lang, body in QUERY_BLOCK.findall(text)]


def test_readme_marks_its_example_queries():
    queries = readme_queries()
    assert {lang for lang, _ in queries} == {"sql", "python"}
    assert len(queries) >= 4
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text.count(MARKER) == len(queries)  # a marker not followed by a fenced block is a typo


def run_python(body: str):
    """Run a README snippet; the value of its last line is its result."""
    tree = ast.parse(body)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    namespace: dict = {}
    exec(compile(tree, "<README>", "exec"), namespace)  # noqa: S102 - our own README
    assert last is not None, "a tested query ends with the expression whose value it shows"
    return eval(compile(ast.Expression(last.value), "<README>", "eval"), namespace)  # noqa: S307


@pytest.mark.parametrize("lang, body", readme_queries(), ids=lambda v: v.splitlines()[0][:40] if "\n" in str(v) else v)
def test_readme_query_runs_on_a_real_output(extract_output, monkeypatch, lang, body):
    monkeypatch.chdir(extract_output)  # the README's queries name the folder output/
    if lang == "sql":
        result = duckdb.connect().execute(body).fetchall()
    else:
        result = run_python(body)
    assert len(result) > 0, body


def test_canonical_values_compare_across_readers():
    assert canonical(float("nan")) is None and canonical(pd.NaT) is None
    assert canonical(pd.Timestamp("2024-05-09")) == dt.date(2024, 5, 9)
    assert canonical(pd.Series([["a"]]).iloc[0]) == ("a",)
