"""Governance and strategic alignment (issue 9, part 4): governance bodies (`governance.bodies`, a
tree by `reports_to`), outcome frameworks (`frameworks`) and `aligns` on domains, actions, indicators
and BCF metrics. Each is checked in `opgen validate`, the full PDF (bodies table, structure diagram,
coverage table), the Word annex, `opgen diff` (text and JSON) and the textconv view."""

from __future__ import annotations

import json
import re

import lxml.html
import yaml

from test_scales import ROOT, annex, diagnose, dump, errors, line_of, pdf_bytes, pdf_text, result_of

from opgen import display
from opgen.diff import diff_plans
from opgen.diff.report import render_json, render_text
from opgen.governance import coverage, framework
from opgen.render.governance import structure_svg, view as governance_view
from opgen.render.html import operational_plan_html
from opgen.render.textconv import render_textconv

FIXTURE = ROOT / "tests" / "fixtures" / "governance-v2.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")


def data() -> dict:
    return yaml.safe_load(TEXT)


def warnings(text: str):
    return [d for d in diagnose(text) if d.severity == "warning"]


def diff(old: str, new: str):
    a, b = result_of(old, "old.yaml"), result_of(new, "new.yaml")
    return diff_plans(a.plan, b.plan, old_warnings=a.report.warnings, new_warnings=b.report.warnings)


# --- validation ------------------------------------------------------------------------------------

def test_the_fixture_is_valid_and_warns_only_of_the_unaddressed_item():
    assert errors(TEXT) == []
    [w] = [d for d in warnings(TEXT) if d.code == "unaddressed-framework-item"]
    line = line_of(TEXT, "{id: nhsof-1,")
    assert (w.line, w.column, w.yaml_path) == (line, TEXT.splitlines()[line - 1].index("nhsof-1") + 1,
                                               "frameworks[1].items[0].id")
    assert "nhsof-1 (Preventing people from dying prematurely)" in w.message
    assert "NHS Outcomes Framework" in w.message
    assert "aligns:" in w.hint and w.cause  # one hint for all such items: the papers group them


def test_reports_to_an_unknown_body_is_located_with_did_you_mean():
    text = TEXT.replace("{id: qc, title: Quality Committee, reports_to: gb,", "{id: qc, title: Quality Committee, reports_to: gbb,")
    [d] = errors(text)
    line = line_of(text, "reports_to: gbb")
    assert (d.code, d.line, d.yaml_path) == ("unknown-reference", line, "governance.bodies[3].reports_to")
    assert d.column == text.splitlines()[line - 1].index("gbb") + 1
    assert "no governance body with that id" in d.message and d.hint == "did you mean 'gb'?"


def test_bodies_reporting_round_a_loop_are_one_error():
    plan = data()
    plan["governance"]["bodies"][7]["reports_to"] = "mmg"   # sg -> mmg
    plan["governance"]["bodies"][9]["reports_to"] = "sg"    # mmg -> sg
    found = errors(dump(plan))
    assert [d.code for d in found] == ["governance-cycle"]
    assert "sg -> mmg -> sg" in found[0].message and found[0].yaml_path == "governance.bodies[7].reports_to"


def test_a_body_reporting_to_itself():
    plan = data()
    plan["governance"]["bodies"][1]["reports_to"] = "audit"
    [d] = errors(dump(plan))
    assert (d.code, d.message) == ("governance-cycle", "body audit reports to itself")


def test_aligns_to_an_unknown_item_is_located_with_did_you_mean():
    text = TEXT.replace("aligns: [jhws-o4]", "aligns: [jhws-04]")
    [d] = errors(text)
    line = line_of(text, "jhws-04")
    assert (d.code, d.line, d.yaml_path) == ("unknown-reference", line, "actions[2].aligns[0]")
    assert d.hint == "did you mean 'jhws-o4'?"


def test_aligns_without_frameworks_says_to_declare_them():
    plan = data()
    del plan["frameworks"]
    found = errors(dump(plan))
    assert found and all(d.code == "unknown-reference" and "declares no frameworks" in d.message for d in found)


def test_framework_item_ids_are_unique_in_the_plan():
    text = TEXT.replace("{id: jhws-p1, title: Tackle obesity", "{id: jhws-o1, title: Tackle obesity")
    assert "duplicate-id" in [d.code for d in errors(text)]


def test_version_1_plans_may_not_use_governance_frameworks_or_aligns():
    plan = data()
    plan["schema_version"] = 1
    codes = {(d.code, d.yaml_path) for d in errors(dump(plan))}
    assert ("needs-version-2", "governance") in codes and ("needs-version-2", "frameworks") in codes
    assert ("needs-version-2", "actions[0].aligns") in codes


def test_an_empty_bodies_list_is_refused_by_the_schema():
    plan = data()
    plan["governance"]["bodies"] = []
    assert errors(dump(plan))


# --- the model: what a board pack asks ---------------------------------------------------------------

def test_which_jhws_outcomes_the_plan_addresses():
    plan = result_of(TEXT).plan
    [cov] = coverage(plan, "jhws")
    assert [x.id for x in cov.addressed] == ["jhws-o1", "jhws-o2", "jhws-o3", "jhws-o4", "jhws-p1"]
    [nhs] = coverage(plan, "nhs_outcomes")   # by kind, where the plan has one framework of that kind
    assert [x.id for x in nhs.unaddressed] == ["nhsof-1"]
    assert framework(plan, "nope") is None and coverage(plan, "nope") == []
    by = dict((item.id, [a.id for a in who]) for item, who in nhs.rows)
    assert by["nhsof-3"] == ["uc", "UC-01", "KPI-EA"]


def test_structure_tree_lists_every_body_once_under_its_parent():
    g = result_of(TEXT).plan.governance
    tree = g.tree()
    assert len(tree) == 15 and len({b.id for b, _ in tree}) == 15
    assert tree[0][0].id == "gb" and tree[0][1] == 0
    depth = {b.id: d for b, d in tree}
    assert depth["qc"] == 1 and depth["sg"] == 2


# --- the full plan -------------------------------------------------------------------------------

def test_full_plan_has_bodies_table_diagram_and_coverage():
    text = pdf_text(TEXT)
    assert display.GOVERNANCE_TITLE in text
    assert "Governance bodies" in text and "Governance structure" in text
    assert "Alignment with Kent Joint Health and Wellbeing Strategy" in text
    assert "Not addressed: nothing in the plan aligns to it" in text
    assert "2 of 3 domains are addressed by the plan." in text
    assert "5 of 5 outcomes and priorities are addressed by the plan." in text
    assert "Action UC-01: Urgent care redesign" in text


def test_structure_diagram_has_a_box_per_body_and_a_text_alternative_and_fits_the_page():
    result = result_of(TEXT)
    html = operational_plan_html(result.plan, result.report.diagnostics)
    tree = lxml.html.fromstring(html)
    [svg] = tree.xpath("//svg")
    assert len(svg.xpath(".//rect")) == 15
    label = svg.get("aria-label")
    assert "Governing Body at the top" in label and "Safeguarding Group" in label
    width, height = (float(x) for x in svg.get("viewbox", svg.get("viewBox")).split()[2:])
    assert width <= 482 and height < 700  # A4 portrait text width (pt); fits under the heading
    # the boxes lie inside the drawing
    for rect in svg.xpath(".//rect"):
        assert float(rect.get("x")) >= 0 and float(rect.get("x")) + float(rect.get("width")) <= width + 0.5


def test_the_coverage_links_to_the_items_that_address_it():
    result = result_of(TEXT)
    tree = lxml.html.fromstring(operational_plan_html(result.plan, result.report.diagnostics))
    links = {a.text_content(): a.get("href") for a in tree.xpath("//table[contains(@class, 'gov-coverage')]//a")}
    target = links["Action LTC-02: Dementia diagnosis"]
    assert tree.xpath(f"//*[@id='{target[1:]}']")


def test_absent_governance_prints_no_chapter():
    plan = data()
    del plan["governance"], plan["frameworks"]
    for x in plan["domains"] + plan["actions"] + plan["indicators"]:
        x.pop("aligns", None)
    result = result_of(dump(plan))
    html = operational_plan_html(result.plan, result.report.diagnostics)
    assert display.GOVERNANCE_TITLE not in html and "gov-coverage" not in html


def test_a_single_body_has_a_table_but_no_diagram_and_no_empty_columns():
    plan = data()
    del plan["frameworks"]
    for x in plan["domains"] + plan["actions"] + plan["indicators"]:
        x.pop("aligns", None)
    plan["governance"]["bodies"] = [{"id": "epb", "title": "Executive Programme Board"}]
    result = result_of(dump(plan))
    tree = lxml.html.fromstring(operational_plan_html(result.plan, result.report.diagnostics))
    assert not tree.xpath("//svg")
    [table] = tree.xpath("//table[contains(@class, 'gov-bodies')]")
    assert [th.text_content() for th in table.xpath(".//th")] == ["Body"]


def test_diagram_fits_wide_structures():
    """30 committees all reporting to one board: in rows of at most five, inside the page width."""
    plan = data()
    plan["governance"]["bodies"] = [{"id": "gb", "title": "Governing Body"}] + [
        {"id": f"c{i}", "title": f"Committee number {i} with a long name", "reports_to": "gb"} for i in range(30)]
    g = result_of(dump(plan)).plan.governance
    svg = structure_svg(g)
    xs = [(float(x), float(w)) for x, w in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)]
    assert len(xs) == 31 and all(x >= 0 and x + w <= 480.5 for x, w in xs)


# --- the Word annex ------------------------------------------------------------------------------

def test_annex_has_the_bodies_and_coverage_tables_with_the_pdf_words():
    document = annex(TEXT)
    tables = {t._tbl.tblPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblCaption")
              .get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val"): t for t in document.tables
              if t._tbl.tblPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblCaption") is not None}
    bodies = tables["Governance bodies"]
    assert [c.text for c in bodies.rows[0].cells] == list(display.GOVERNANCE_COLUMNS)
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in bodies.rows[1:]}
    assert len(rows) == 15
    assert rows["Safeguarding Group"][1:4] == [display.DASH, "Quarterly", "Quality Committee"]
    assert rows["Governing Body"][3] == "Top of the structure"
    cov = tables["Alignment with NHS Outcomes Framework"]
    cells = {r.cells[0].text: r.cells[2].text for r in cov.rows[1:]}
    assert cells["nhsof-1"] == display.NOT_ADDRESSED
    assert "Action UC-01: Urgent care redesign" in cells["nhsof-3"]


def test_annex_and_pdf_print_the_same_body_cells():
    result = result_of(TEXT)
    tree = lxml.html.fromstring(operational_plan_html(result.plan, result.report.diagnostics))
    [table] = tree.xpath("//table[contains(@class, 'gov-bodies')]")
    html_rows = {}
    for tr in table.xpath("./tbody/tr"):
        cells = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        html_rows[cells[0]] = cells[1:4]
    document = annex(TEXT)
    word = next(t for t in document.tables if t.rows[0].cells[0].text == "Body")
    for r in word.rows[1:]:
        assert html_rows[r.cells[0].text] == [c.text for c in r.cells[1:4]]


# --- the diff ------------------------------------------------------------------------------------

def _changed() -> str:
    text = TEXT.replace("chair: Dr A Smith, Clinical Chair", "chair: Dr B Jones, Clinical Chair")
    text = text.replace("    - {id: ipc, title: Infection Prevention and Control Group, reports_to: qc, frequency: quarterly}\n", "")
    text = text.replace("{id: epb, title: Executive Programme Board, reports_to: cc,", "{id: epb, title: Executive Programme Board, reports_to: gb,")
    text = text.replace("title: Urgent care redesign, aligns: [nhsof-3, jhws-o2]}", "title: Urgent care redesign, aligns: [nhsof-3, nhsof-1]}")
    return text.replace("title: Tackle obesity,", "title: Tackle childhood obesity,")


def test_diff_reports_bodies_frameworks_and_alignment_in_a_boards_words():
    text = render_text(diff(TEXT, _changed()), color=False)
    assert "Governance and alignment (8)" in text
    assert "removed   ipc Infection Prevention and Control Group (governance body, meets quarterly)" in text
    assert "epb Executive Programme Board: reports to: Clinical Strategy Committee (cc) \u2192 Governing Body (gb)" in text
    assert "gb Governing Body: chair: Dr A Smith, Clinical Chair \u2192 Dr B Jones, Clinical Chair" in text
    assert "retitled  jhws-p1 Tackle childhood obesity: title: Tackle obesity \u2192 Tackle childhood obesity" in text
    assert ("added     UC-01 Urgent care redesign: aligns to: NHS Outcomes Framework domain nhsof-1 (Preventing "
            "people from dying prematurely) (Action UC-01 now aligns to it)") in text
    assert "Action UC-01 no longer aligns to it" in text
    assert "jhws-o2 Effective prevention" in text and "coverage: addressed \u2192 not addressed" in text


def test_diff_json_carries_the_governance_changes():
    out = json.loads(render_json(diff(TEXT, _changed())))
    gov = [c for c in out["changes"] if c["section"] == "governance"]
    assert {"kind": "added", "id": "UC-01", "field": "aligns to", "new": "nhsof-1"}.items() <= \
        next(c for c in gov if c["field"] == "aligns to" and c["kind"] == "added").items()
    assert any(c["kind"] == "removed" and c["id"] == "ipc" for c in gov)


def test_no_change_no_governance_section():
    assert "Governance and alignment" not in render_text(diff(TEXT, TEXT), color=False)


# --- textconv ------------------------------------------------------------------------------------

def test_textconv_lists_bodies_and_coverage():
    result = result_of(TEXT)
    text = render_textconv(result.plan, result.report.warnings)
    assert "[qc] Quality Committee" in text and "  sg reports to: Quality Committee" in text
    assert "== Framework [jhws] Kent Joint Health and Wellbeing Strategy (Joint Health and Wellbeing Strategy)" in text
    assert "  nhsof-3 addressed by: Action UC-01: Urgent care redesign" in text
    assert f"  nhsof-1: {display.NOT_ADDRESSED}" in text


def test_swale_names_its_bodies_from_the_seed_without_a_chart():
    """Swale's plan names five bodies (the Governing Body, its two joint bodies, a project board and a
    medicines committee) and what they do, no reporting line between them: a table, no structure chart
    of unconnected boxes, no empty Chair or Meets columns."""
    from test_scales import ROOT as root
    from opgen.pipeline import plan_from_file
    result = plan_from_file(root / "plans" / "swale-2015-16.yaml")
    assert result.ok
    bodies = result.plan.governance.bodies
    assert [b.id for b in bodies] == ["gb", "epb", "jsocg", "pbsg", "moc"]
    assert not any(b.reports_to or b.chair or b.frequency for b in bodies)
    tree = lxml.html.fromstring(operational_plan_html(result.plan, result.report.diagnostics))
    assert not tree.xpath("//svg[contains(@class, 'gov-chart')]")
    [table] = tree.xpath("//table[contains(@class, 'gov-bodies')]")
    assert [th.text_content() for th in table.xpath(".//th")] == ["Body", "Purpose and members"]


def test_a_structure_taller_than_the_page_is_left_to_its_table_not_drawn_smaller():
    """Drawn smaller, its text would fall under 7.5 pt; cut, it would lose bodies: the table carries
    every body and whom it reports to, and no diagram is drawn."""
    plan = data()
    plan["governance"]["bodies"] = [{"id": "b0", "title": "Governing Body"}] + [
        {"id": f"b{i}", "title": f"Group {i}", "reports_to": f"b{i - 1}"} for i in range(1, 45)]
    model = result_of(dump(plan)).plan
    assert structure_svg(model.governance) == ""
    shown = governance_view(model)
    assert shown.diagram == "" and len(shown.bodies) == 45
    # a structure that fits is drawn at full size: its text at 7.5 pt, never scaled
    plan["governance"]["bodies"] = plan["governance"]["bodies"][:4]
    svg = structure_svg(result_of(dump(plan)).plan.governance)
    width, height = (float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    view_w, view_h = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    assert (width, height) == (view_w, view_h) and 'font-size="7.4"' not in svg and 'font-size="6.2"' not in svg


def test_reports_to_a_title_suggests_the_id():
    text = TEXT.replace("{id: qc, title: Quality Committee, reports_to: gb,", "{id: qc, title: Quality Committee, reports_to: Governing Body,")
    [d] = errors(text)
    assert d.code == "unknown-reference" and d.hint == "did you mean 'gb'?"


def test_reports_to_a_list_is_a_located_type_error():
    text = TEXT.replace("{id: qc, title: Quality Committee, reports_to: gb,", "{id: qc, title: Quality Committee, reports_to: [gb],")
    [d] = errors(text)
    assert d.yaml_path == "governance.bodies[3].reports_to" and "found a list" in d.message
