"""Finance v2 (issue 8 item 8): finance lines for any period (last year's outturn, projections to
year five) grouped allocation / expenditure / position / other, a RAG per line per period, percent
of allocation, planning assumptions in percent, stated totals per group, the NHS business rules from
lines marked with a role; in the full plan PDF, the Word annex, the diff and validate. Version 1
finance keeps its figures."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import docx
import lxml.html
import pytest
import yaml
from pypdf import PdfReader

from opgen.cli import main
from opgen.diff import diff_plans
from opgen.diff.report import render_text
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render.docx import RAG_FILLS, annex_docx
from opgen.render.html import operational_plan_html
from opgen.render.pdf import operational_plan_pdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "finance-v2.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def load(text: str = TEXT, name: str = "finance.yaml"):
    return plan_from_bytes(text.encode(), name)


@lru_cache(maxsize=None)
def fixture():
    result = plan_from_file(FIXTURE)
    assert result.ok, [d.as_text() for d in result.report.errors]
    return result


def html_tables(html: str) -> dict[str, lxml.html.HtmlElement]:
    tree = lxml.html.fromstring(html)
    return {" ".join(t.xpath("string(./caption)").split()): t for t in tree.xpath("//table[caption]")}


def html_rows(table) -> dict[str, list[str]]:
    """Row title -> cell texts, as read (parts separated by a space)."""
    from test_parity import _html_text
    out = {}
    for tr in table.xpath("./tbody/tr|./tfoot/tr"):
        cells = [_html_text(c) for c in tr.xpath("./td|./th")]
        out[cells[0]] = cells[1:]
    return out


def html_header(table) -> list[str]:
    from test_parity import _html_text
    return [_html_text(th) for th in table.xpath("./thead/tr[last()]/th")]


def word_tables(data: bytes) -> dict[str, object]:
    document = docx.Document(io.BytesIO(data))
    out = {}
    for table in document.tables:
        caption = table._tbl.find(f"{W}tblPr/{W}tblCaption")
        out[caption.get(f"{W}val") if caption is not None else ""] = table
    return out


def word_rows(table) -> dict[str, list]:
    return {" ".join(p.text for p in row.cells[0].paragraphs if p.text).split(" The ")[0]: row.cells[1:]
            for row in table.rows}


def cell_text(cell) -> str:
    return " ".join(p.text for p in cell.paragraphs if p.text.strip())


def cell_fill(cell) -> str | None:
    shd = cell._tc.find(f"{W}tcPr/{W}shd")
    return shd.get(f"{W}fill") if shd is not None else None


# --- any period: last year's outturn and projections to year five ----------------------------------

def test_outturn_and_projection_outside_the_plan_period_are_accepted():
    result = fixture()
    assert result.plan.meta.period_label == "2014/15 to 2015/16"
    assert not [d for d in result.report.diagnostics if d.code == "outside-period"]
    periods = [p.words for p in result.plan.finance.periods]
    assert periods[0] == "2012/13" and periods[-1] == "2018/19"
    assert "Dec 2013" in periods and "12 months to Jun 2013" in periods


def test_outturn_and_projection_are_printed_in_the_full_plan_in_time_order_with_plan_years_marked():
    result = fixture()
    tables = html_tables(operational_plan_html(result.plan, result.report.diagnostics))
    allocation = tables["Allocation"]
    assert html_header(allocation) == [f"{y} £000" for y in
                                       ("2012/13", "2013/14", "2014/15", "2015/16", "2016/17", "2017/18", "2018/19")]
    phases = [(" ".join(th.text_content().split()), th.get("colspan"))
              for th in allocation.xpath("./thead/tr[1]/th[@scope='colgroup']")]
    assert phases == [("Before the plan", "2"), ("Plan years", "2"), ("After the plan", "3")]
    rows = html_rows(allocation)
    assert rows["Programme allocation"][0] == "240,100" and rows["Programme allocation"][-1] == "264,200"
    assert rows["Total"][-1] == "264,200 + TBC"  # a TBC is never summed as 0
    other = html_header(tables["Other finance lines"])
    assert other[:3] == ["12 months to Jun 2013 £000", "2013/14 £000", "Dec 2013 £000"]  # in words, time order


def test_outturn_and_projection_are_in_the_word_annex():
    result = fixture()
    tables = word_tables(annex_docx(result.plan, result.report))
    for caption in ("Allocation", "Expenditure", "Financial position", "Other finance lines", "NHS business rules",
                    "Planning assumptions"):
        assert caption in tables, caption
    allocation = tables["Allocation"]
    top = [cell_text(c) for c in allocation.rows[0].cells]
    header = [cell_text(c) for c in allocation.rows[1].cells]
    assert header[1] == "2012/13 (£000)" and header[-1] == "2018/19 (£000)"
    assert top[1] == "Before the plan" and top[3] == "Plan years" and top[-1] == "After the plan"
    rows = word_rows(allocation)
    assert cell_text(rows["Programme allocation"][0]) == "240,100"
    assert cell_text(rows["Programme allocation"][-1]) == "264,200"


def test_the_wide_finance_chapter_is_on_landscape_pages_and_nothing_is_cut():
    result = fixture()
    _, pdf = operational_plan_pdf(result.plan, result.report.diagnostics)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [(page, page.extract_text()) for page in reader.pages]
    allocation = [page for page, text in pages if "Allocation" in text and "Programme allocation" in text]
    assert allocation
    box = allocation[0].mediabox
    assert box.width > box.height  # landscape
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    else:
        text = "\n".join(t for _, t in pages)
    line = next(ln for ln in text.splitlines() if "Programme allocation" in ln)
    assert "240,100" in line and "264,200" in line  # the whole row on one line: every column fits the page
    flat = " ".join(text.split())
    assert "2018/19" in flat and "12 months to" in flat and "Jun 2013" in flat


# --- RAG per line per period, percent of allocation ---------------------------------------------------

def test_a_rag_per_line_per_year_reads_as_colour_and_text_in_both_papers():
    result = fixture()
    position = html_tables(operational_plan_html(result.plan, result.report.diagnostics))["Financial position"]
    surplus = position.xpath("./tbody/tr[td[1][starts-with(normalize-space(.), 'Cumulative surplus')]]")[0]
    from test_parity import _html_text
    cells = surplus.xpath("./td")[1:]
    assert _html_text(cells[1]) == "2,350 0.9% Amber"
    assert cells[1].xpath(".//span[contains(@class, 'rag-amber')]")
    assert _html_text(cells[2]) == "2,550 1.0% Green"

    word = word_rows(word_tables(annex_docx(result.plan, result.report))["Financial position"])
    cell = word["Cumulative surplus"][1]
    assert cell_text(cell) == "2,350 0.9% Amber" and cell_fill(cell) == RAG_FILLS["amber"]
    nonrec = word_rows(word_tables(annex_docx(result.plan, result.report))["Other finance lines"])
    assert cell_fill(nonrec["Non-recurrent headroom"][4]) == RAG_FILLS["red"]


def test_business_rules_are_computed_from_the_lines_marked_with_a_role():
    result = fixture()
    rules = {(r.period.words, r.name): r for r in result.plan.finance.rule_checks()}
    assert str(rules[("2013/14", "Surplus")].percent) == "0.94" and rules[("2013/14", "Surplus")].met is False
    assert rules[("2014/15", "Non-recurrent")].met is True
    assert rules[("2015/16", "Non-recurrent")].rag == "red"
    # the allocation for 2018/19 is incomplete (TBC): the plan's own percentage is used, and said so
    table = html_rows(html_tables(operational_plan_html(result.plan, result.report.diagnostics))["NHS business rules"])
    assert "1.0% (as stated)" in " ".join(" ".join(v) for v in table.values())
    warnings = [d for d in result.report.diagnostics if d.code == "business-rule"]
    assert {(d.yaml_path, d.line) for d in warnings} >= {('finance.lines[6].amounts["2013/14"]', 60)}


def test_two_lines_with_the_same_role_is_an_error():
    result = load(TEXT.replace("role: contingency", "role: surplus"))
    (error,) = [d for d in result.report.errors if d.code == "finance-role"]
    assert error.yaml_path == "finance.lines[9].role" and error.line == 75
    assert "surplus" in error.message and "one line" in error.hint


# --- validation --------------------------------------------------------------------------------------

def test_a_stated_total_that_differs_from_its_lines_is_a_located_warning_and_flagged():
    result = fixture()
    (warning,) = [d for d in result.report.diagnostics if d.code == "total-mismatch"]
    assert (warning.line, warning.column) == (88, 48)
    assert warning.yaml_path == 'finance.stated_totals.allocation["2015/16"]'
    assert "allocation total 2015/16: stated 261,700" in warning.message and "261,500" in warning.message
    html = html_rows(html_tables(operational_plan_html(result.plan, result.report.diagnostics))["Allocation"])
    assert html["Total stated in the plan"][3] == "261,700 lines differ by \u2212200"
    word = word_rows(word_tables(annex_docx(result.plan, result.report))["Allocation"])
    assert cell_text(word["Total stated in the plan"][3]) == "261,700 lines differ by \u2212200"


@pytest.mark.parametrize("old, new, where, written", [
    ('"2014/15": 1.15', '"2014/15": 115', 'finance.assumptions[1].values["2014/15"]', "115"),
    ('"2013/14": 1.3', '"2013/14": -1.3', 'finance.assumptions[0].values["2013/14"]', "-1.3"),
    ('percent: {"2014/15": 2.5', 'percent: {"2014/15": 250', 'finance.lines[10].percent["2014/15"]', "250"),
])
def test_a_percent_outside_0_to_100_is_a_located_error(old, new, where, written):
    assert TEXT.count(old) == 1
    text = TEXT.replace(old, new)
    result = load(text)
    (error,) = [d for d in result.report.errors if d.code == "percent-range"]
    assert error.yaml_path == where
    line = text.splitlines()[error.line - 1]
    assert line[error.column - 1:].startswith(written)
    assert "outside 0 to 100" in error.message and "2.5 for 2.5%" in error.hint


def test_a_position_line_may_be_a_negative_percent_of_allocation():
    result = fixture()
    assert result.ok
    underlying = next(x for x in result.plan.finance.lines if x.id == "POS-UNDERLYING")
    assert str(next(iter(underlying.percent.values())).number) == "-0.6"


def test_validate_exits_1_on_a_percent_out_of_range(tmp_path, capsys):
    path = tmp_path / "plan.yaml"
    path.write_text(TEXT.replace('"2014/15": 1.15', '"2014/15": 115'), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr()
    assert re.search(r"plan\.yaml:92:\d+: error: 115% for 2014/15", out.out + out.err)


def test_a_period_that_is_not_real_is_a_located_error():
    result = load(TEXT.replace('"2013-12": 4300', '"2013-13": 4300'))
    (error,) = [d for d in result.report.errors if d.code == "period"]
    assert error.yaml_path == 'finance.lines[11].amounts["2013-13"]' and "month" in error.message


def test_tbc_figures_are_in_the_inventory_in_words():
    labels = [t.label for t in fixture().plan.tbcs]
    assert "Finance line ALLOC-RUN 2018/19" in labels and "Planning assumption AS-PRESC 2015/16" in labels


# --- the same cells in both papers ----------------------------------------------------------------

def test_the_finance_tables_print_the_same_cells_in_the_pdf_and_word():
    from test_parity import check, html_records
    result = fixture()
    check(result)
    records = html_records(operational_plan_html(result.plan, result.report.diagnostics))
    assert sum(1 for k in records if k[0] == "finance") > 100


# --- the diff ---------------------------------------------------------------------------------------

def test_the_diff_reports_line_amount_percent_and_rag_changes_by_id_and_period_in_words():
    text = (TEXT.replace('"2013/14": amber, "2014/15": green', '"2013/14": amber, "2014/15": red')
            .replace('"2018/19": 264200', '"2018/19": 265000')
            .replace('{"2013-12": 4300,', '{"2013-12": 4400,')
            .replace('"2015/16": 1.2, "2018/19": 1.3', '"2015/16": 1.25, "2018/19": 1.3')
            .replace('percent: {"2014/15": 2.5, "2015/16": 2.0}', 'percent: {"2014/15": 2.5, "2015/16": 2.1}'))
    changes = diff_plans(fixture().plan, load(text).plan)
    found = {(c.kind, c.id, c.field) for c in changes.changes if c.section == "finance"}
    assert found == {("worsened", "POS-SURPLUS", "RAG 2014/15"),
                     ("increased", "ALLOC-PROG", "amount 2018/19"),
                     ("increased", "OTHER-QIPP", "amount Dec 2013"),
                     ("increased", "OTHER-NR", "percent of allocation 2015/16"),
                     ("increased", "AS-DEMOG", "2015/16")}
    report = render_text(changes, color=False)
    assert "RAG 2014/15: Green \u2192 Red" in report and "amount Dec 2013: 4,300 \u2192 4,400 (up \u00a3100k)" in report
    assert "allocation 2018/19: 264,200 + TBC \u2192 265,000 + TBC" in report


# --- version 1 finance -------------------------------------------------------------------------------

def test_version_1_finance_renders_the_same_figures():
    """A version 1 plan's allocation, budget, stated totals and business-rule figures read as before
    (a v1 plan normalises into the same lines by group)."""
    data = yaml.safe_load((ROOT / "plans" / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8"))
    data["finance"]["allocation"] = [{"id": "A-1", "title": "Programme allocation", "amounts": {"2014/15": 263}}]
    data["finance"]["contingency"] = {"2014/15": 1.3}
    result = plan_from_bytes(yaml.safe_dump(data, sort_keys=False).encode(), "v1.yaml")
    assert result.ok
    tables = html_tables(operational_plan_html(result.plan, result.report.diagnostics))
    assert html_rows(tables["Expenditure"])["Baseline budget"] == ["261.7"]
    assert html_rows(tables["Expenditure"])["Total stated in the plan"] == ["252 lines differ by 9.7"]
    assert html_rows(tables["Allocation"])["Programme allocation"] == ["263"]
    from test_parity import _html_text
    body = [" ".join(_html_text(td) for td in tr.xpath("./td")) for tr in tables["NHS business rules"].xpath("./tbody/tr")]
    assert body == ["2014/15 Surplus at least 1% 2.63 1.00% Met", "2014/15 Contingency at least 0.5% 1.3 0.49% Not met"]
    (mismatch,) = [d for d in result.report.diagnostics if d.code == "total-mismatch"]
    assert mismatch.yaml_path == 'finance.expenditure_stated_total["2014/15"]'
    assert mismatch.message == "budget total 2014/15: stated 252 £m, but the rows sum to 261.7 (difference +9.7)"
    (rule,) = [d for d in result.report.diagnostics if d.code == "business-rule"]
    assert rule.yaml_path == 'finance.contingency["2014/15"]'
    word = word_rows(word_tables(annex_docx(result.plan, result.report))["Expenditure"])
    assert cell_text(word["Baseline budget"][0]) == "261.7"
