"""Structure (issue 8 item 7): sub-actions (`parent`), checked cross-references (`see`), contacts,
version history with several reviewers and a status, and approvals dated by month. Each is checked
in `opgen validate`, the full PDF, the Word annex and `opgen diff`."""

from __future__ import annotations

import io
import re

import yaml
from docx.oxml.ns import qn
from pypdf import PdfReader

from test_scales import TEXT, annex, diagnose, diff_text, dump, errors, line_of, pdf_bytes, pdf_text, result_of

from opgen import display
from opgen.model import nested
from opgen.pipeline import plan_from_bytes
from opgen.render.html import operational_plan_html


def data():
    return yaml.safe_load(TEXT)


# --- sub-actions: validation -------------------------------------------------------------------

def test_parent_must_name_an_existing_action_with_did_you_mean():
    text = TEXT.replace("    parent: UC-01\n    title: Walk-in centre review", "    parent: UC-1\n    title: Walk-in centre review")
    [d] = errors(text)
    line = line_of(text, "parent: UC-1")
    assert (d.code, d.line, d.column, d.yaml_path) == ("unknown-reference", line, 13, "actions[1].parent")
    assert "no action with the id 'UC-1'" in d.message and "UC-01b" in d.message
    assert d.hint == "did you mean 'UC-01'?"


def test_parent_cannot_be_itself():
    plan = data()
    plan["actions"][1]["parent"] = "UC-01b"
    [d] = errors(dump(plan))
    assert (d.code, d.yaml_path) == ("parent-self", "actions[1].parent")
    assert "names itself as its parent" in d.message


def test_parents_cannot_go_round_in_a_circle():
    plan = data()
    plan["actions"][0]["parent"] = "UC-01a"  # UC-01 -> UC-01a -> UC-01
    found = errors(dump(plan))
    assert [d.code for d in found] == ["parent-cycle"]  # once, not once per action on the circle
    assert found[0].yaml_path == "actions[0].parent"
    assert "UC-01 -> UC-01a -> UC-01" in found[0].message
    assert plan_from_bytes(dump(plan).encode(), "plan.yaml").ok is False  # an error: nothing is built


def test_parent_in_another_domain_is_a_warning():
    plan = data()
    plan["actions"][4]["parent"] = "UC-02"
    text = dump(plan)
    assert errors(text) == []
    [d] = [d for d in diagnose(text) if d.code == "parent-domain"]
    assert d.severity == "warning" and d.yaml_path == "actions[4].parent"
    assert "sub-action PC-02 is in Primary Care, but its parent UC-02 is in Urgent Care" in d.message


def test_nested_order_puts_sub_actions_after_their_parent():
    plan = result_of(TEXT).plan
    uc = plan.domain("uc").actions
    assert [a.id for a in uc] == ["UC-01", "UC-01b", "UC-02", "UC-01a"]
    assert [(a.id, depth) for a, depth in nested(uc)] == [("UC-01", 0), ("UC-01b", 1), ("UC-01a", 1), ("UC-02", 0)]


# --- cross-references: validation --------------------------------------------------------------

def test_see_must_name_an_item_anywhere_in_the_plan():
    text = TEXT.replace("see: [PC-02, R-02]", "see: [PC-2, R-02]")
    [d] = errors(text)
    line = line_of(text, "see: [PC-2")
    assert (d.code, d.line, d.yaml_path) == ("unknown-reference", line, "actions[0].see[0]")
    assert d.column == text.splitlines()[line - 1].index("PC-2") + 1
    assert "no item with the id 'PC-2'" in d.message and "UC-01" in d.message
    assert d.hint == "did you mean 'PC-02'?"


def test_see_is_checked_on_milestones_schemes_risks_and_indicators():
    plan = data()
    plan["actions"][0]["milestones"][0]["see"] = ["KPI-EB"]
    plan["qipp"]["schemes"][0]["see"] = ["UC-09"]
    plan["risks"][1]["see"] = ["nothing-like-it"]
    plan["indicators"][1]["see"] = ["UC-01-M2"]
    found = {d.yaml_path: d for d in errors(dump(plan))}
    assert set(found) == {"actions[0].milestones[0].see[0]", "qipp.schemes[0].see[0]", "risks[1].see[0]",
                          "indicators[1].see[0]"}
    assert found["actions[0].milestones[0].see[0]"].hint == "did you mean 'KPI-EA'?"
    assert "name the id of an action, milestone" in found["risks[1].see[0]"].hint


def test_see_may_name_sections_tables_and_any_list():
    plan = data()
    plan["actions"][0]["see"] = ["uc", "Q-02", "UC-01-M1", "KPI-X"]
    assert errors(dump(plan)) == []


# --- the full PDF ------------------------------------------------------------------------------

def test_pdf_nests_sub_actions_under_their_parent():
    text = pdf_text(TEXT)
    summary = text[text.index("Actions summary"):]
    order = [summary.index(x) for x in ("UC-01 Urgent care redesign", "UC-01b Walk-in centre review",
                                        "UC-01a Minor injuries pathway", "UC-02 NHS 111 roll-out")]
    assert order == sorted(order)
    assert "Part of UC-01 Urgent care redesign" in text
    assert "Sub-actions: UC-01b Walk-in centre review; UC-01a Minor injuries pathway" in text
    html = operational_plan_html(result_of(TEXT).plan, [])
    assert html.count('class="sub-action depth-1"') == 2  # the summary rows, indented
    assert html.count('class="action sub-action depth-1"') == 2  # the articles, indented


def test_pdf_see_also_lines_are_internal_links_to_the_items():
    text = pdf_text(TEXT)
    assert "See also: PC-02 Extended GP access; R-02 Provider capacity" in text
    assert "See also: KPI-EA Emergency admissions per 100,000 population" in text  # from a milestone
    assert re.search(r"See also: UC-01 Urgent\s+care\s+redesign", text)  # from a QIPP scheme, in a narrow cell
    reader = PdfReader(io.BytesIO(pdf_bytes(TEXT)))
    names = reader.named_destinations
    links = {}
    for i, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and annot.get("/Dest"):
                links.setdefault(str(annot["/Dest"]), set()).add(i)
    html = operational_plan_html(result_of(TEXT).plan, [])
    targets = dict(re.findall(r'<a href="#([a-z0-9-]+)"><span class="ref">([A-Z0-9-]+)</span>', html))
    assert {"PC-02", "R-02", "KPI-EA", "UC-01"} <= set(targets.values())
    for anchor, item in targets.items():
        assert anchor in names, item                     # a destination exists in the PDF
        assert anchor in links, item                     # and a link goes to it
        page = reader.get_destination_page_number(names[anchor])
        assert item in reader.pages[page].extract_text()  # on the page that shows the item


def test_pdf_document_control_has_contacts_approvals_and_history():
    text = pdf_text(TEXT)
    control = text[text.index("Document control"):text.index("Contents")]
    assert "Contacts" in control and "Jane Smith Head of Planning jane.smith@nhs.net 01234 567890" in control
    assert "Raj Patel Finance Lead" in control and "Example CSU" in control
    assert "Approvals" in control
    assert "Governing Body Feb 2014 Approved" in control
    assert "Health and Wellbeing Board 19 March 2014 Endorsed Subject to the BCF submission" in control
    assert "Reviewed by" in control and "Status" in control
    assert re.search(r"0\.5 Jan 2014 Planning Finance Committee, Dr A Draft for Governing First full draft", control)
    assert "2014-02" not in control and "2014-01" not in control  # dates in words, never ISO


# --- the Word annex ----------------------------------------------------------------------------

def tables_by_header(document) -> dict[str, list[list[str]]]:
    out = {}
    for t in document.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        out.setdefault(" | ".join(rows[0]), rows)
    return out


def test_annex_document_control():
    doc = annex(TEXT)
    tables = tables_by_header(doc)
    assert tables["Name | Role | Email | Telephone"][1:] == [
        ["Jane Smith", "Head of Planning", "jane.smith@nhs.net", "01234 567890"],
        ["Raj Patel", "Finance Lead\nExample CSU", "\u2013", "\u2013"]]
    assert tables["Board or committee | Date | Decision | Note"][1:] == [
        ["Governing Body", "Feb 2014", "Approved", "\u2013"],
        ["Health and Wellbeing Board", "19 March 2014", "Endorsed", "Subject to the BCF submission"]]
    history = tables["Version | Date | Author | Reviewed by | Status | Summary of changes"]
    assert history[1] == ["0.5", "Jan 2014", "Planning team", "Finance Committee, Dr A Chair",
                          "Draft for Governing Body", "First full draft"]
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ["Document control", "Contacts", "Approvals", "Version history"] == \
        [h for h in headings if h in ("Document control", "Contacts", "Approvals", "Version history")]


def test_annex_nests_sub_actions_and_lists_see_also():
    doc = annex(TEXT)
    rows = [r for t in doc.tables for r in t.rows if r.cells[0].text in ("UC-01", "UC-01b", "UC-01a", "UC-02")]
    assert [r.cells[0].text for r in rows] == ["UC-01", "UC-01b", "UC-01a", "UC-02"]
    sub = rows[1].cells[1]
    assert sub.paragraphs[0].text == "Walk-in centre review"
    assert sub.paragraphs[1].text == "Part of UC-01 Urgent care redesign"
    assert "Contact: Sam Jones" in sub.text
    for p in sub.paragraphs:  # indented under the parent
        ind = p._p.find(f"{qn('w:pPr')}/{qn('w:ind')}")
        assert ind is not None and int(ind.get(qn("w:left"))) > 0
    assert rows[0].cells[1].paragraphs[0]._p.find(f"{qn('w:pPr')}/{qn('w:ind')}") is None
    assert "See also: PC-02 Extended GP access; R-02 Provider capacity" in rows[0].cells[1].text
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any("See also: UC-01 Urgent care redesign" in c for c in cells)  # a QIPP scheme, and a risk
    assert any("See also: KPI-EA Emergency admissions per 100,000 population" in c for c in cells)  # a milestone


# --- the diff ----------------------------------------------------------------------------------

def test_diff_names_the_parent_and_the_cross_references():
    new = TEXT.replace("    parent: UC-01\n    title: Walk-in centre review", "    parent: UC-02\n    title: Walk-in centre review")
    new = new.replace("see: [PC-02, R-02]", "see: [PC-02]")
    out = diff_text(TEXT, new)
    assert re.search(r"changed\s+UC-01b Walk-in centre review: part of: UC-01 Urgent care redesign \u2192 "
                     r"UC-02 NHS 111 roll-out", out)
    assert re.search(r"changed\s+UC-01 Urgent care redesign: see also: PC-02 Extended GP access; R-02 Provider "
                     r"capacity \u2192 PC-02 Extended GP access", out)


def test_diff_of_a_new_sub_action_says_what_it_is_part_of():
    plan = data()
    plan["actions"].append({"id": "UC-01c", "domain": "uc", "parent": "UC-01", "title": "Frailty unit"})
    out = diff_text(TEXT, dump(plan))
    assert re.search(r"added\s+UC-01c Frailty unit.*part of UC-01 Urgent care redesign", out)


def test_diff_of_contacts_approvals_and_history():
    plan = data()
    plan["plan"]["approvals"].append({"body": "Audit Committee", "date": "2014-04", "decision": "noted"})
    plan["plan"]["contacts"][1]["role"] = "Chief Finance Officer"
    plan["plan"]["history"].append({"version": "1.1", "date": "2014-05", "author": "Planning team",
                                    "reviewers": ["Audit Committee", "Finance Committee"], "status": "Update",
                                    "summary": "Q1 refresh"})
    out = diff_text(TEXT, dump(plan))
    assert re.search(r"added\s+Audit Committee: approval: Apr 2014; Noted", out)
    assert re.search(r"changed\s+Raj Patel: contact: Raj Patel, Finance Lead, Example CSU \u2192 "
                     r"Raj Patel, Chief Finance Officer, Example CSU", out)
    assert re.search(r"added\s+history: version 1.1: May 2014; Planning team; reviewed by Audit Committee, "
                     r"Finance Committee; Update; Q1 refresh", out)


def test_month_dates_in_words():
    assert display.month_or_date("2014-02") == "Feb 2014"
    assert display.month_or_date("2014-02-27") == "27 February 2014"
    assert display.month_or_date(None) == ""


def test_see_references_are_every_schema_list_whose_items_have_see():
    """opgen.ids.SEE_REFERENCES names every list whose items carry `see:`, so each is checked."""
    import json

    from opgen.ids import SEE_REFERENCES
    from opgen.resources import SCHEMA_PATH
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    found = set()

    def walk(node, path, depth=0):
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        if depth > 10:
            return
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            items = node["items"]
            while "$ref" in items:
                items = schema["$defs"][items["$ref"].rsplit("/", 1)[-1]]
            if "see" in items.get("properties", {}):
                found.add(path)
            walk(node["items"], path + ("*",), depth + 1)
            return
        for key, child in (node.get("properties") or {}).items():
            if isinstance(child, dict):
                walk(child, path + (key,), depth + 1)
    walk(schema, ())
    assert found == set(SEE_REFERENCES)


def test_approval_month_must_be_real():
    text = TEXT.replace("date: 2014-02, decision", "date: 2014-13, decision")
    [d] = errors(text)
    assert (d.line, d.yaml_path) == (line_of(text, "date: 2014-13"), "plan.approvals[0].date")
    assert "'2014-13' is not a real month" in d.message
