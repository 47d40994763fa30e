"""Data tables (`tables`): typed columns, rows by id, checked totals; validated with located fixes,
printed in the full plan (PDF) and the Word annex, compared by the diff and shown by textconv."""

from __future__ import annotations

import copy
import io
import re
from functools import lru_cache

import docx
import pytest
import yaml
from docx.oxml.ns import qn
from pypdf import PdfReader

from opgen.diff import diff_plans
from opgen.diff.report import render_markdown, render_text
from opgen.ids import semantic_key, item_paths, tbc_inventory
from opgen.load import load_text
from opgen.pipeline import plan_from_bytes
from opgen.render.docx import annex_docx
from opgen.render.html import operational_plan_html
from opgen.render.pdf import operational_plan_pdf
from opgen.render.textconv import render_textconv
from opgen.validate import validate_document
from tables_data import ASSUMPTIONS, CHECKLIST, PROVIDERS, WIDE, tables_plan
from test_render_pdf import pdf_text, flat


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def diagnose(data):
    text = dump(data)
    return text, validate_document(load_text(text, "plan.yaml"))


def result_of(data, name="plan.yaml"):
    result = plan_from_bytes(dump(data).encode(), name)
    assert result.ok, [d.as_text() for d in result.report.errors]
    return result


def line_of(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first `needle` after the first `after`."""
    start = text.index(after) if after else 0
    return text[:text.index(needle, start)].count("\n") + 1


def only(diags, code):
    found = [d for d in diags if d.code == code]
    assert found, [d.as_text() for d in diags]
    return found


# --- the model --------------------------------------------------------------------------------------

def test_cells_are_read_by_column_type_and_tbc_is_never_zero():
    plan = result_of(tables_plan()).plan
    table = plan.tables[0]
    growth, deflator, cquin, total = table.rows
    assert str(growth.cell("2014/15").value.number) == "2.14"   # decimals as written
    assert str(growth.cell("2013-12").value.number) == "12345.5"
    assert cquin.cell("2014/15").is_tbc
    assert table.sum_above(3, table.column("2014/15")).incomplete  # TBC: incomplete, never 0
    assert [c.label for c in table.columns] == ["Assumption", "2013/14", "2014/15", "Dec 2013"]
    wide = plan.tables[1]
    assert wide.column("2012-07/2013-06").label == "12 months to Jun 2013"
    assert [r.label for r in plan.tables[3].rows] == ["East Kent Hospitals", "Kent Community Health"]
    assert plan.tables[3].rows[1].cell("beds").value.kind == "na"
    assert any(t.label == "Table 'Planning assumptions', row 'CQUIN', 2014/15" for t in plan.tbcs)


def test_row_and_column_ids_are_scoped_to_their_table():
    data = tables_plan(ASSUMPTIONS, {**copy.deepcopy(ASSUMPTIONS), "id": "assumptions-2", "chapter": "finance"})
    text, diags = diagnose(data)
    assert [d for d in diags if d.severity == "error"] == []  # the same row ids in two tables
    plan = result_of(data).plan
    paths = item_paths(plan)
    assert semantic_key(("tables", 1, "rows", 2, "2014/15"), paths) == ("assumptions-2", "cqc", "2014/15")
    inventory = tbc_inventory(plan)
    assert ("planning-assumptions", "cqc", "2014/15") in inventory and ("assumptions-2", "cqc", "2014/15") in inventory


# --- validation: every error located, with a fix -------------------------------------------------------

def _broken() -> dict:
    table = copy.deepcopy(ASSUMPTIONS)
    table["chapter"] = "finanse"
    table["columns"] += [{"id": "rag", "type": "rag"}, {"id": "done", "type": "tick"},
                         {"id": "due", "type": "date"}, {"id": "risk", "type": "rating"},
                         {"id": "spend", "type": "money"}, {"id": "2013/14", "type": "number"}]
    table["rows"] = [
        {"id": "a", "item": "One", "2013/14": "2.3%", "rag": "Amber", "done": "x", "due": "2015-13",
         "risk": "medium", "itme": "typo"},
        {"id": "b", "item": "Two", "2013-12": "10,009", "rag": "amber_red"},
        {"id": "a", "item": "Three", "2013-12": "1,234"},
        {"id": "c", "item": "Four", "2013-12": "2,000"},
    ]
    return tables_plan(table)


@pytest.fixture(scope="module")
def broken():
    return diagnose(_broken())


@pytest.mark.parametrize("code,needle,after,words,fix", [
    ("unknown-chapter", "finanse", "", "there is no chapter 'finanse'", "did you mean 'finance'?"),
    ("unknown-column", "itme", "", "there is no column 'itme'", "did you mean 'item'?"),
    ("cell-type", "2.3%", "", "has a % sign", "write 2.3"),
    ("cell-type", "Amber", "", "'Amber' is not a RAG rating", "did you mean 'amber'?"),
    ("cell-type", "amber_red", "", "five-point RAG", "scales: {rag: five_point}"),
    ("cell-type", "done: x", "", "'x' is not a tick", "write true (ticked) or false"),
    ("cell-type", "2015-13", "", "'2015-13' is not a real month", "write a month as YYYY-MM"),
    ("cell-type", "medium", "", "'medium' is not a risk rating", "scales.risk_rating"),
    ("cell-type", "10,009", "", "'10,009' has commas", "write numbers without commas: 10009"),
    ("duplicate-id", "id: a", "id: b", "the row id 'a' is used twice", "its own id"),
    ("duplicate-id", "id: 2013/14", "id: spend", "the column id '2013/14' is used twice", "its own id"),
    ("money-unit", "type: money", "id: spend", "money column 'spend' has no unit", "unit: gbp_thousands"),
])
def test_every_table_error_is_located_with_a_fix(broken, code, needle, after, words, fix):
    text, diags = broken
    found = [d for d in diags if d.code == code and words in d.message]
    assert found, [d.as_text() for d in diags if d.code == code]
    d = found[0]
    assert d.severity == "error"
    assert d.line == line_of(text, needle, after), (d.as_text(), needle)
    assert d.column > 0
    assert fix in d.hint, d.hint


def test_one_fix_for_many_cells_is_one_message_with_the_count_and_lines(broken):
    text, diags = broken
    commas = [d for d in diags if d.code == "cell-type" and "has commas" in d.message]
    assert len(commas) == 1
    assert "and 2 more cells of this column like it" in commas[0].message
    assert f"lines {line_of(text, '1,234')}, {line_of(text, '2,000')}" in commas[0].message


def test_chapter_may_name_a_section_read_from_the_data():
    data = tables_plan(dict(ASSUMPTIONS, chapter="workforce"))
    _, diags = diagnose(data)
    assert "unknown-chapter" in [d.code for d in diags]
    data["sections"] = [{"id": "strategy", "title": "Strategy",
                         "sections": [{"id": "workforce", "title": "Workforce"}]}]
    _, diags = diagnose(data)
    assert "unknown-chapter" not in [d.code for d in diags]


def test_a_column_cannot_take_a_row_field_name():
    table = copy.deepcopy(PROVIDERS)
    table["columns"].append({"id": "note", "type": "text"})
    text, diags = diagnose(tables_plan(table))
    (d,) = only(diags, "column-id")
    assert d.line == line_of(text, "id: note")


# --- totals: the same rule as every other stated total -------------------------------------------------

def test_a_mismatched_total_warns_with_its_location():
    text, diags = diagnose(tables_plan(ASSUMPTIONS))
    (d,) = only(diags, "total-mismatch")
    assert d.severity == "warning"
    assert d.line == line_of(text, "23125")
    assert d.yaml_path == 'tables[0].rows[3]["2013-12"]'
    assert "table 'Planning assumptions', total row 'Total', Dec 2013: stated 23,125 £000" in d.message
    assert "the rows above sum to 23,120.9" in d.message


def _totals_table(rows, kind="number", **column):
    return {"id": "t", "title": "Totals", "columns": [{"id": "item", "type": "text"},
                                                      {"id": "v", "type": kind, **column}], "rows": rows}


def test_totals_within_rounding_and_subtotals_since_the_previous_total_row():
    rows = [{"id": "a", "v": 100.04}, {"id": "b", "v": 200}, {"id": "s1", "total": True, "v": 300},
            {"id": "c", "v": 50}, {"id": "s2", "total": True, "v": 51}]
    text, diags = diagnose(tables_plan(_totals_table(rows)))
    (d,) = only(diags, "total-mismatch")  # 300 vs 300.04 is rounding; 51 vs 50 is not (only 'c' above s2)
    assert d.line == line_of(text, "v: 51")


def test_tbc_in_a_summed_column_makes_the_total_incomplete_not_a_mismatch():
    rows = [{"id": "a", "v": "tbc"}, {"id": "b", "v": 200}, {"id": "s", "total": True, "v": 999}]
    _, diags = diagnose(tables_plan(_totals_table(rows, "money", unit="gbp_thousands")))
    assert "total-mismatch" not in [d.code for d in diags]
    (d,) = only(diags, "total-incomplete")
    assert "(200 + TBC) cannot be checked" in d.message


def test_a_total_with_no_rows_above_warns():
    rows = [{"id": "s", "total": True, "item": "Total", "v": 10}, {"id": "a", "v": 10}]
    text, diags = diagnose(tables_plan(_totals_table(rows)))
    (d,) = only(diags, "total-no-rows")
    assert d.line == line_of(text, "total: true")


def test_percent_totals_are_checked_only_as_shares_of_100():
    shares = [{"id": "a", "v": 60}, {"id": "b", "v": 30}, {"id": "s", "total": True, "v": 100}]
    _, diags = diagnose(tables_plan(_totals_table(shares, "percent")))
    assert "total-mismatch" in [d.code for d in diags]  # 90 is not 100
    rates = [{"id": "a", "v": 2.3}, {"id": "b", "v": 1.9}, {"id": "s", "total": True, "v": 2.1}]
    _, diags = diagnose(tables_plan(_totals_table(rates, "percent")))
    assert "total-mismatch" not in [d.code for d in diags]  # an overall rate is not a sum of rates


# --- the full plan PDF --------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _pdf() -> tuple[str, bytes]:
    result = result_of(tables_plan())
    return operational_plan_html(result.plan, result.report.diagnostics), \
        operational_plan_pdf(result.plan, result.report.diagnostics)[1]


def test_pdf_prints_each_table_numbered_in_its_chapter_with_cells_as_written():
    html, pdf = _pdf()
    text = flat(pdf_text(pdf))
    pages = _pages(pdf)
    chapter_of = {needle: next(p[0] for p in pages if needle in p[0]) for needle in
                  ("Table 1: Provider ratings", "Table 2: Planning assumptions", "Table 4: Assurance checklist")}
    assert "1 Our vision" in chapter_of["Table 1: Provider ratings"]  # after the chapter's own content
    assert chapter_of["Table 1: Provider ratings"].index("Delivery at a glance") < \
        chapter_of["Table 1: Provider ratings"].index("Table 1: Provider ratings")
    assert "3 Finance" in chapter_of["Table 2: Planning assumptions"]
    assert "5 Tables" in chapter_of["Table 4: Assurance checklist"]  # no chapter: the appendix
    assert re.search(r"Allocation growth 2\.3 2\.14 12,345\.5", text)
    assert re.search(r"CQUIN 2\.5 TBC 10,000", text)
    assert "Dec 2013 £000" in text and "12 months to Jun 2013" in text
    assert "rows above sum to 23,120.9; differs by 4.1" in text
    assert re.search(r"East Kent Hospitals Amber 1,250", text) and "Kent Community Health Green n/a" in text
    assert re.search(r"Requirement 1: the plan shows how it meets standard 1 ✓ Yes 31 Mar 2015 Moderate", text)
    assert re.search(r"standard 3 ✗ No 31 Mar 2015 Extreme", text)
    assert html.count('<th scope="col"') >= sum(len(t["columns"]) for t in (ASSUMPTIONS, WIDE, CHECKLIST, PROVIDERS))


def _pages(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    return [(flat(p.extract_text() or ""), float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def test_a_wide_table_gets_a_landscape_page_and_narrow_ones_stay_portrait():
    pages = _pages(_pdf()[1])
    (wide,) = [p for p in pages if "Table 3: Activity plan" in p[0]]
    assert wide[1] > wide[2]  # landscape
    for needle in ("Table 2: Planning assumptions", "Table 4: Assurance checklist"):
        (page,) = [p for p in pages if needle in p[0]]
        assert page[1] < page[2], needle


def test_a_long_table_repeats_its_header_row_on_the_next_page():
    pages = _pages(_pdf()[1])
    holding = [p for p in pages if "standard 1" in p[0] or "standard 40" in p[0]]
    assert len(holding) == 2
    assert all(re.search(r"Requirement Met Due Risk", p[0]) for p in holding)


# --- the Word annex ---------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@lru_cache(maxsize=None)
def _annex():
    result = result_of(tables_plan())
    return docx.Document(io.BytesIO(annex_docx(result.plan, result.report)))


def _word_table(document, caption):
    for table in document.tables:
        cap = table._tbl.find(f"{W}tblPr/{W}tblCaption")
        if cap is not None and cap.get(f"{W}val") == caption:
            return table
    raise AssertionError(f"no table {caption!r}")


def _texts(row):
    return [" ".join(p.text for p in c.paragraphs if p.text) for c in row.cells]


def test_annex_prints_each_table_as_a_word_table_numbered_as_in_the_pdf():
    document = _annex()
    table = _word_table(document, "Table 2: Planning assumptions")
    header = table.rows[0]
    assert header._tr.find(f"{W}trPr/{W}tblHeader") is not None
    assert _texts(header) == ["Assumption", "2013/14\n%", "2014/15\n%", "Dec 2013\n£000"]
    assert _texts(table.rows[1]) == ["Allocation growth", "2.3", "2.14", "12,345.5"]
    assert _texts(table.rows[3]) == ["CQUIN", "2.5", "TBC", "10,000"]
    assert _texts(table.rows[4])[3] == "23,125 rows above sum to 23,120.9; differs by 4.1"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("Table 1: Provider ratings") < headings.index("Table 4: Assurance checklist")


def test_annex_rag_and_rating_cells_are_shaded_with_their_text():
    document = _annex()
    table = _word_table(document, "Table 1: Provider ratings")
    cell = table.rows[1].cells[1]
    assert cell.text == "Amber"
    assert cell._tc.find(f"{W}tcPr/{W}shd").get(f"{W}fill") == "FFB81C"
    checklist = _word_table(document, "Table 4: Assurance checklist")
    assert _texts(checklist.rows[3]) == ["Requirement 3: the plan shows how it meets standard 3", "No",
                                         "31 Mar 2015", "Extreme"]


def test_annex_wide_table_is_in_a_landscape_section():
    document = _annex()
    body = document.element.body
    table = _word_table(document, "Table 3: Activity plan by point of delivery")._tbl
    following = [el for el in body.iterchildren() if el is table or el.find(f"{W}pPr/{W}sectPr") is not None]
    sectpr = following[following.index(table) + 1].find(f"{W}pPr/{W}sectPr")
    assert sectpr.find(f"{W}pgSz").get(f"{W}orient") == "landscape"


# --- the diff and textconv --------------------------------------------------------------------------

def test_the_diff_reports_a_changed_cell_in_words():
    old = tables_plan()
    new = copy.deepcopy(old)
    new["tables"][0]["rows"][0]["2013/14"] = 2.5
    new["tables"][0]["rows"].insert(1, {"id": "tariff", "item": "Tariff uplift", "2013/14": 1.1})
    new["tables"][0]["columns"].append({"id": "2018/19", "type": "percent"})
    del new["tables"][3]["rows"][1]
    new["tables"][3]["rows"][0]["rag"] = "red"
    cs = diff_plans(result_of(old).plan, result_of(new).plan)
    text = render_text(cs)
    assert "Table 'Planning assumptions', row 'Allocation growth', 2013/14: 2.3% \u2192 2.5% (up 0.2)" in text
    assert re.search(r"added +Table 'Planning assumptions', row 'Tariff uplift' \(2013/14 1\.1%\)", text)
    assert "Table 'Planning assumptions', column '2018/19'" in text
    assert re.search(r"removed +Table 'Provider ratings', row 'Kent Community Health' \(Quality RAG Green; Beds n/a\)",
                     text)
    assert re.search(r"worsened +Table 'Provider ratings', row 'East Kent Hospitals', Quality RAG: Amber \u2192 Red",
                     text)
    assert "Tables (5)" in text
    assert "Allocation growth" in render_markdown(cs)
    assert not diff_plans(result_of(old).plan, result_of(copy.deepcopy(old)).plan)


def test_textconv_shows_every_cell_of_every_table():
    text = render_textconv(result_of(tables_plan()).plan)
    assert "[planning-assumptions] Planning assumptions (in finance)" in text
    assert "  planning-assumptions growth Dec 2013: £12,345.5k" in text
    assert "  planning-assumptions cqc 2014/15: TBC" in text
    assert "  checklist r3 Met: No" in text


def test_a_table_goes_in_every_chapter_printed_and_otherwise_in_the_appendix():
    from pathlib import Path

    # the version 1 example: the tables below replace its own, which its items' see: would name
    data = yaml.safe_load((Path(__file__).resolve().parent / "fixtures" / "v1" / "south-kent-coast-2014-16.yaml")
                          .read_text(encoding="utf-8"))
    chapters = ["document_control", "vision", "domains", "performance", "qipp", "risks", "finance", "bcf",
                "inventory", None]
    plain = {k: v for k, v in copy.deepcopy(PROVIDERS).items() if k != "chapter"}
    data["schema_version"] = 2
    data["tables"] = [dict(plain, id=f"t-{n}", title=f"In {chapter or 'no chapter'}",
                           **({"chapter": chapter} if chapter else {})) for n, chapter in enumerate(chapters)]
    result = result_of(data)
    assert result.plan.bcf is None  # so its table goes to the appendix
    html = operational_plan_html(result.plan, result.report.diagnostics)
    captions = re.findall(r"<caption>(Table \d+: In [^<]+)</caption>", html)
    printed = [c for c in chapters if c not in ("bcf", None)]
    assert captions == [f"Table {n}: In {c}" for n, c in enumerate(printed, 1)] + \
        ["Table 9: In bcf", "Table 10: In no chapter"]
    appendix = html[html.index('class="chapter tables-appendix'):]
    assert "Table 9: In bcf" in appendix and "Table 10: In no chapter" in appendix
    inventory = html[html.index("Items to be confirmed and warnings</h1>"):html.index('class="chapter tables-appendix')]
    assert "Table 8: In inventory" in inventory


def test_a_percent_beyond_100_warns_and_a_fall_does_not():
    table = _totals_table([{"id": "a", "v": 250}, {"id": "b", "v": -1.8}, {"id": "c", "v": -120}], "percent")
    text, diags = diagnose(tables_plan(table))
    found = only(diags, "percent-range")
    assert [(d.line, d.severity) for d in found] == [(line_of(text, "v: 250"), "warning"),
                                                     (line_of(text, "v: -120"), "warning")]
    assert "250% is more than 100%" in found[0].message and "a fall of more than 100%" in found[1].message
