"""The board papers as the transcribers of the Kent 2015/16 plans saw them printed (issue 9, round 2):
what each paper showed wrongly, checked as a reader sees it (the full plan's HTML, as printed to PDF,
and the Word annex read back with python-docx)."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import docx
import lxml.html
import yaml

from test_scales import ROOT, dump, line_of, result_of

from opgen import display
from opgen.pipeline import plan_from_file
from opgen.render.docx import annex_docx
from opgen.render.governance import CHAR, structure_svg
from opgen.render.html import operational_plan_html

PLANS = ROOT / "plans"
DGS, SKC, SWALE = "dartford-gravesham-swanley-2015-16", "south-kent-coast-2015-16", "swale-2015-16"
SKC_2014 = "south-kent-coast-2014-16"
GOVERNANCE = ROOT / "tests" / "fixtures" / "governance-v2.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@lru_cache(maxsize=None)
def example(name: str):
    result = plan_from_file(PLANS / f"{name}.yaml")
    assert result.ok
    return result


@lru_cache(maxsize=None)
def html_of(name: str):
    result = example(name)
    return lxml.html.fromstring(operational_plan_html(result.plan, result.report.diagnostics))


@lru_cache(maxsize=None)
def annex_of(name: str):
    result = example(name)
    return docx.Document(io.BytesIO(annex_docx(result.plan, result.report.diagnostics)))


def papers(result):
    html = lxml.html.fromstring(operational_plan_html(result.plan, result.report.diagnostics))
    return html, docx.Document(io.BytesIO(annex_docx(result.plan, result.report.diagnostics)))


def text(el) -> str:
    return " ".join(el.text_content().split())


def html_table(html, caption: str):
    found = [t for t in html.iter("table") if t.find("caption") is not None
             and text(t.find("caption")).startswith(caption)]
    assert found, caption
    return found[0]


def word_tables(document) -> dict:
    out = {}
    for t in document.tables:
        cap = t._tbl.tblPr.find(f"{W}tblCaption")
        if cap is not None:
            out.setdefault(cap.get(f"{W}val"), t)
    return out


def word_lines(document) -> list[str]:
    return [" ".join(p.text.split()) for p in document.paragraphs]


def headers(table) -> list[str]:
    return [text(th) for th in table.iter("th") if th.getparent().getparent().tag == "thead"]


# --- 1, 2: QIPP point of delivery (both papers, the same words); no Provider column of dashes -------

def test_each_qipp_scheme_prints_its_point_of_delivery_the_same_in_both_papers():
    plan = example(DGS).plan
    html, annex = html_of(DGS), annex_of(DGS)
    expected = {s.id: display.point_of_delivery(s.point_of_delivery) for s in plan.qipp.schemes}
    # 23 schemes name their point of delivery; four the source leaves blank (its pivot prints "(blank)")
    assert len(expected) == 27 and sum(1 for pod in expected.values() if pod) == 23
    pdf_rows = {text(tr[0]): text(tr[1]) for tr in html_table(html, "QIPP schemes").iter("tr")
                if len(tr) > 2 and text(tr[0]) in expected}
    word_rows = {r.cells[0].text.strip(): r.cells[1].text for r in word_tables(annex)["QIPP savings by scheme and year"].rows
                 if r.cells[0].text.strip() in expected}
    assert set(pdf_rows) == set(word_rows) == set(expected)
    for ref, pod in expected.items():
        if pod:
            assert pod in pdf_rows[ref] and pod in " ".join(word_rows[ref].split()), ref
        else:  # no point of delivery stated: none printed (the scheme's note quotes what the pivot printed)
            assert "Point of delivery:" not in pdf_rows[ref], ref
            assert "Point of delivery:" not in word_rows[ref], ref
    # the two Urgent Care rows the transcriber saw as duplicates now differ by what a reader sees
    urgent = [(ref, pdf_rows[ref]) for ref in expected if pdf_rows[ref].startswith("Urgent Care")]
    assert len(urgent) > 1 and len({t for _, t in urgent}) == len(urgent)


def test_the_qipp_schemes_table_has_a_provider_column_only_where_a_scheme_names_one():
    assert "Provider" not in headers(html_table(html_of(DGS), "QIPP schemes"))
    table = html_table(html_of(SKC_2014), "QIPP schemes")
    assert "Provider" in headers(table)
    total = [tr for tr in table.iter("tr") if "total" in (tr.get("class") or "")][0]
    no_provider = html_table(html_of(DGS), "QIPP schemes")
    row = [tr for tr in no_provider.iter("tr") if "total" in (tr.get("class") or "")][0]
    # the Total label spans the label columns: one fewer without the Provider column
    assert int(total[0].get("colspan")) == int(row[0].get("colspan")) + 1


# --- 3: no Status column of "Not reported" in a plan that reports no milestone status ------------

def test_milestones_have_no_status_column_where_the_plan_reports_no_milestone_status():
    assert not any(m.status for _, m in example(SWALE).plan.milestones)
    html = html_of(SWALE)
    tables = [t for t in html.iter("table") if "milestones" in (t.get("class") or "")]
    assert tables
    for t in tables:
        assert "Status" not in headers(t)
        assert display.NOT_REPORTED not in text(t)
    # a plan that reports some milestone status keeps the column (a blank one reads "Not reported")
    dgs = [t for t in html_of(DGS).iter("table") if "milestones" in (t.get("class") or "")]
    assert all("Status" in headers(t) for t in dgs)


# --- 4, 5: the annex's sign-off; its contents do not claim funding no scheme has -----------------

def test_the_annex_has_the_sign_off_the_pdf_has():
    plan = example(SKC).plan
    assert plan.meta.signatories
    table = word_tables(annex_of(SKC))[display.SIGN_OFF]
    assert [c.text for c in table.rows[0].cells] == ["Name", "Role", "Signature", "Date"]
    word = [(r.cells[0].text, r.cells[1].text) for r in table.rows[1:]]
    pdf = [(text(tr[0]), text(tr[1])) for tr in html_table_by_class(html_of(SKC), "signoff").iter("tr")
           if tr[0].tag == "td"]
    assert word == pdf == [(s.name, s.role) for s in plan.meta.signatories]
    assert display.SIGN_OFF in word_lines(annex_of(SKC))


def html_table_by_class(html, name: str):
    return [t for t in html.iter("table") if name in (t.get("class") or "").split()][0]


def test_the_annex_contents_say_funding_by_year_only_where_a_scheme_has_funding():
    [line] = [x for x in word_lines(annex_of(SKC)) if x.startswith("Better Care Fund:")]
    assert "6 schemes" in line and "funding" not in line
    assert display.bcf_contents(6, False, 0, funded=False) == "Better Care Fund: 6 schemes"
    assert display.bcf_contents(6, False, 0) == "Better Care Fund: 6 schemes with funding by year"


# --- 6: BCF risks print their rating; no empty Total row where no scheme has funding --------------

def test_bcf_risks_print_their_stated_rating_in_both_papers():
    html, annex = html_of(SKC), annex_of(SKC)
    table = html_table(html, display.BCF_RISKS_TITLE)
    assert headers(table)[-1] == display.BCF_RISK_RATING
    assert not {"Gross", "Current", "Target", "Owner"} & set(headers(table))  # no columns of dashes
    pdf = [text(tr[-1]) for tr in table.iter("tr") if tr[0].tag == "td"]
    word_table = word_tables(annex)[display.BCF_RISKS_TITLE]
    word = [r.cells[-1].text for r in word_table.rows[1:]]
    assert [c.text for c in word_table.rows[0].cells] == ["ID", "Risk", display.BCF_RISK_RATING]
    assert pdf == word == ["High"] * 7


def test_a_bcf_with_no_scheme_funding_has_no_total_row():
    html, annex = html_of(SKC), annex_of(SKC)
    table = html_table(html, "Schemes")
    assert not [tr for tr in table.iter("tr") if "total" in (tr.get("class") or "")]
    rows = word_tables(annex)["Better Care Fund schemes"].rows
    assert not any(r.cells[0].text == "Total" for r in rows)


def test_a_funded_bcf_keeps_its_total_row():
    data = yaml.safe_load((PLANS / f"{SKC}.yaml").read_text(encoding="utf-8"))
    scheme = data["bcf"]["schemes"][0]
    scheme["funding"] = {"2015/16": 1000}
    data["bcf"]["unit"] = "gbp"
    html, annex = papers(result_of(dump(data)))
    table = html_table(html, "Schemes")
    assert [tr for tr in table.iter("tr") if "total" in (tr.get("class") or "")]
    assert any(r.cells[0].text == "Total" for r in word_tables(annex)["Better Care Fund schemes"].rows)


# --- 7: the governance diagram keeps its text in its boxes; "Top of the structure" only where true -

def test_long_meeting_frequencies_stay_inside_their_boxes():
    g = example(SKC).plan.governance
    long = [b for b in g.bodies if b.frequency and len(b.frequency) > 30]
    assert long  # "Six times a year (four times informally and twice formally and in public)"
    svg = structure_svg(g)
    rects = [tuple(map(float, m)) for m in re.findall(
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)]
    texts = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    assert texts
    for x, y, size, words in texts:
        x, y, size = float(x), float(y), float(size)
        box = [r for r in rects if r[0] <= x <= r[0] + r[2] and r[1] <= y <= r[1] + r[3]]
        assert box, words  # every line is drawn inside a box (none below it, over the next)
        bx, _, bw, _ = box[-1]
        width = len(words) * size * CHAR
        assert x + width <= bx + bw + 1, (words, x + width, bx + bw)


def test_top_of_the_structure_only_for_the_one_top_body_others_report_to():
    plan = example(SKC).plan
    g = plan.governance
    tops = [b for b in g.bodies if not b.reports_to]
    assert len(tops) > 1
    assert all(display.reports_to_body(g, b) == "" for b in tops)
    html = html_of(SKC)
    assert display.GOVERNANCE_TOP not in text(html_table(html, display.GOVERNANCE_BODIES))
    # one top body with bodies under it is the top of the structure
    fixture = result_of(GOVERNANCE.read_text(encoding="utf-8")).plan.governance
    [top] = [b for b in fixture.bodies if not b.reports_to]
    assert display.reports_to_body(fixture, top) == display.GOVERNANCE_TOP


# --- 8: a framework nothing aligns to is one warning and a list, not a table of "Not addressed" ----

def test_a_framework_nothing_aligns_to_is_one_warning_and_a_list():
    result = example(SKC)
    plan = result.plan
    warns = [d for d in result.report.diagnostics if d.severity == "warning"]
    per_framework = [d for d in warns if d.code == "unaligned-framework"]
    assert len(per_framework) == len(plan.frameworks) == 7
    assert not [d for d in warns if d.code == "unaddressed-framework-item"]
    first = plan.frameworks[0]
    source = (PLANS / f"{SKC}.yaml").read_text(encoding="utf-8").splitlines()
    assert re.search(rf"\bid: {re.escape(first.id)}\b", source[per_framework[0].line - 1])  # at the framework's id
    html, annex = html_of(SKC), annex_of(SKC)
    assert display.NOT_ADDRESSED not in text(html)
    assert not [t for t in html.iter("table") if "gov-coverage" in (t.get("class") or "")]
    assert text(html).count(display.FRAMEWORK_UNALIGNED) == 7
    body = text(html)
    for f in plan.frameworks:
        for item in f.items:
            assert f"{item.id} {item.title}" in body
    lines = word_lines(annex)
    assert lines.count(display.FRAMEWORK_UNALIGNED) == 7
    assert not any(display.NOT_ADDRESSED in x for x in lines)
    assert not [c for c in word_tables(annex) if c.startswith("Alignment with")]
    items = [i for f in plan.frameworks for i in f.items]
    assert sum(1 for x in lines if any(x.startswith(f"{i.id} {i.title}") for i in items)) == len(items)


def test_a_partly_aligned_framework_keeps_its_table_and_groups_its_item_warnings():
    data = yaml.safe_load(GOVERNANCE.read_text(encoding="utf-8"))
    jhws = data["frameworks"][0]
    for n in range(4):  # four more items nothing aligns to: five in all, over the grouping threshold
        jhws["items"].append({"id": f"jhws-x{n}", "title": f"Extra outcome {n}", "kind": "outcome"})
    result = result_of(dump(data))
    item_warnings = [d for d in result.report.diagnostics if d.code == "unaddressed-framework-item"]
    assert len(item_warnings) >= 5 and all(d.cause for d in item_warnings)
    assert not [d for d in result.report.diagnostics if d.code == "unaligned-framework"]
    rows = display.board_warnings(result.plan, result.report.diagnostics)
    grouped = [r for r in rows if r["count"] > 1 and "nothing in the plan aligned" in r["message"]]
    assert len(grouped) == 1 and grouped[0]["count"] == len(item_warnings)
    html, _ = papers(result)
    assert display.NOT_ADDRESSED in text(html_table(html, "Alignment with Kent Joint"))


# --- 9: an appendix titled "Appendix A: Foo" prints "Appendix A Foo", not the letter twice --------

def _with_appendices(*titles: str) -> str:
    data = yaml.safe_load(GOVERNANCE.read_text(encoding="utf-8"))
    data["sections"] = [{"id": f"app-{i}", "title": t, "place": {"appendix": True}, "body": "Text."}
                        for i, t in enumerate(titles)]
    return dump(data)


def test_an_appendix_title_that_repeats_its_letter_prints_it_once():
    result = result_of(_with_appendices("Appendix A: Plan on a page", "Appendix B - Finance detail"))
    assert not [d for d in result.report.diagnostics if d.code == "appendix-title"]
    html, annex = papers(result)
    headings = [text(h) for h in html.iter("h1")]
    assert "Appendix A Plan on a page" in headings and "Appendix B Finance detail" in headings
    assert not any("Appendix A Appendix" in h or "Appendix B Appendix" in h for h in headings)
    lines = word_lines(annex)
    assert "Appendix A: Plan on a page" in lines and "Appendix B: Finance detail" in lines


def test_an_appendix_titled_with_another_letter_is_a_located_warning_with_the_fix():
    source = _with_appendices("Appendix C: Plan on a page")
    result = result_of(source)
    [w] = [d for d in result.report.diagnostics if d.code == "appendix-title"]
    assert w.severity == "warning" and w.line == line_of(source, "Appendix C: Plan on a page")
    assert "Appendix A" in w.message and "title it 'Plan on a page'" in w.hint
