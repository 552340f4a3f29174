"""``python -m pipeline report``: the pages it writes from a real extract output, and bad input."""
import html
import re

import pytest

from pipeline.cli import main
from pipeline.errors import ReportInputError


@pytest.fixture(scope="module")
def site(report_site):
    return report_site


@pytest.fixture(scope="module")
def tables(extract_output):
    from pipeline.api import load_tables
    return load_tables(extract_output / "output")


def markup_id(tables):
    notices = tables["notices"]
    return notices.loc[notices["source_path"] == "x-markup.txt", "notice_id"].item()


def test_one_page_per_notice_and_the_chart_script(site, tables):
    pages = sorted(p.stem for p in (site / "notices").glob("*.html"))
    assert pages == sorted(tables["notices"]["notice_id"])
    assert (site / "vega-embed.js").stat().st_size > 500_000  # vega + vega-lite + vega-embed, inlined
    assert "window.vegaEmbed" in (site / "vega-embed.js").read_text(encoding="utf-8")
    assert not list(site.rglob("*.tmp")) and not list(site.rglob(".*"))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'src="vega-embed.js"' in index and "cdn" not in index.lower() and "https://" not in index.split("const specs")[0]


def test_the_index_row_of_a_notice_we_wrote(site, tables):
    nid = markup_id(tables)
    index = (site / "index.html").read_text(encoding="utf-8")
    row = re.search(rf'<tr data-notice-id="{nid}">(.*?)</tr>', index, re.DOTALL).group(1)
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
    # issuer, date, inspection body, items, completed, partly, not, completion, money, people, file
    assert cells == ["中共青溪县审计局党组", "2024-09-30", "县委第一巡察组", "1", "1", "0", "0", "100%",
                     "35,000", "2", "x-markup.txt"]  # 追缴…3.5万元; 对2名干部诫勉谈话


def test_the_facts_of_a_notice_we_wrote_sit_beside_their_measure(site, tables):
    nid = markup_id(tables)
    page = (site / "notices" / f"{nid}.html").read_text(encoding="utf-8")
    facts = re.search(r'<table id="facts">(.*?)</table>', page, re.DOTALL).group(1)
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)).split() for c in re.findall(r"<td>(.*?)</td>", r, re.DOTALL)]
            for r in re.findall(r"<tr>(.*?)</tr>", facts.split("</thead>")[1], re.DOTALL)]
    assert rows == [[["追缴违规资金3.5万元"], ["recovered:", "35,000", "元", "←", "追缴"]],
                    [["对2名干部诫勉谈话", "&", "通报</script><b>x</b>"], ["admonished:", "2", "名", "←", "诫勉谈话"]]]
    money = tables["entities"].query("notice_id == @nid and label == 'MONEY'").iloc[0]
    assert f'<a class="num" href="#c{money.start}">35,000 元</a>' in page


def test_notice_text_is_escaped_and_every_entity_marked(site, tables):
    nid = markup_id(tables)
    page = (site / "notices" / f"{nid}.html").read_text(encoding="utf-8")
    assert "<img" not in page and "<b>x</b>" not in page and "</script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    entities = tables["entities"].query("notice_id == @nid")
    marks = re.findall(r'<mark class="entity" id="c(\d+)"', page)
    assert sorted(int(m) for m in marks) == sorted(entities["start"])
    money = entities.query("label == 'MONEY'").iloc[0]
    assert f'href="#c{money.start}">{money.text}</a>' in page  # the measure list links to the span


def test_numbers_read_as_written_never_in_exponent_form():
    from pipeline.report.data import number
    assert [number(x) for x in (3540000.0, 1.5, 2, 0.125, None, float("nan"))] == [
        "3,540,000", "1.5", "2", "0.12", "—", "—"]


def test_rebuilt_doc_refuses_rows_that_do_not_fit_the_text():
    from pipeline.report.highlight import entity_doc, render_entities
    text = "追缴资金3万元，问责2人。"
    rows = [{"start": 4, "end": 7, "label": "MONEY", "value": 30000.0},
            {"start": 10, "end": 12, "label": "PERSON_COUNT", "value": 2.0}]
    doc = entity_doc(text, rows)
    assert [(e.text, e.label_) for e in doc.ents] == [("3万元", "MONEY"), ("2人", "PERSON_COUNT")]
    assert render_entities(text, rows).count("<mark") == 2
    counted = [{"start": 0, "end": 2, "kind": "x", "quantity": 1.0},  # overlaps nothing: marked
               {"start": 5, "end": 6, "kind": "x", "quantity": 3.0}]  # inside 3万元: left to the entity
    marked = render_entities(text, rows, counted=counted)
    assert marked.count('<mark class="entity"') == 2 and marked.count('<mark class="fact" id="c0"') == 1
    assert marked.count("<mark") == 3
    with pytest.raises(ReportInputError, match="n1"):
        entity_doc(text, rows + [{"start": 5, "end": 8, "label": "MONEY"}], "n1")  # overlaps
    with pytest.raises(ReportInputError):
        entity_doc(text, [{"start": 10, "end": 40, "label": "MONEY"}])  # past the end


def test_a_second_build_removes_pages_of_notices_gone(extract_output, tmp_path):
    import shutil
    out = tmp_path / "site"
    assert main(["report", str(extract_output / "output"), "--html", str(out)]) == 0
    (out / "notices" / "0000000000000000.html").write_text("old", encoding="utf-8")
    before = {p.name: p.read_text(encoding="utf-8") for p in (out / "notices").glob("*.html")}
    assert main(["report", str(extract_output / "output"), "--html", str(out)]) == 0
    after = {p.name: p.read_text(encoding="utf-8") for p in (out / "notices").glob("*.html")}
    del before["0000000000000000.html"]
    assert after == before  # the same tables give the same pages
    shutil.rmtree(out)


def test_bad_out_folder_exits_2_and_writes_nothing(tmp_path, capsys, extract_output):
    site = tmp_path / "site"
    assert main(["report", str(tmp_path / "nope"), "--html", str(site)]) == 2
    assert "no such folder" in capsys.readouterr().err
    partial = tmp_path / "partial"
    partial.mkdir()
    import shutil
    shutil.copytree(extract_output / "output" / "notices.parquet", partial / "notices.parquet")
    assert main(["report", str(partial), "--html", str(site)]) == 2
    err = capsys.readouterr().err
    assert "missing table(s) items, measures, entities" in err and str(partial) in err
    (partial / "items.parquet").mkdir()
    (partial / "items.parquet" / "part-000001.parquet").write_bytes(b"not parquet")
    for name in ("measures", "entities"):
        shutil.copytree(extract_output / "output" / f"{name}.parquet", partial / f"{name}.parquet")
    assert main(["report", str(partial), "--html", str(site)]) == 2
    assert "cannot read the tables" in capsys.readouterr().err
    assert not site.exists()
