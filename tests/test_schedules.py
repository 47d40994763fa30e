"""Delivery schedules (issue 9, part 1): the legend of phase codes (scales.schedule), an action's
schedule by quarter or month with continuation, milestone types; validated with located messages,
drawn as a Gantt chart per domain in the full plan, a schedule table in the Word annex, and
reported by `opgen diff` cell by cell in a board's words."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import docx
import pytest

from opgen.cli import main
from opgen.diff import diff_plans
from opgen.diff import report as diff_report
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render.docx import annex_docx
from opgen.render.html import operational_plan_html

FIXTURE = Path(__file__).parent / "fixtures" / "schedules-v2.yaml"
TEXT = FIXTURE.read_text()


def result(text: str):
    return plan_from_bytes(text.encode(), "plan.yaml")


def errors(text: str):
    return [d for d in result(text).report.errors]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture(scope="module")
def plan():
    r = plan_from_file(FIXTURE)
    assert r.ok, [d.as_text() for d in r.report.errors]
    return r.plan


# --- validation ---------------------------------------------------------------------------------

def test_the_fixture_validates_without_a_problem_about_schedules():
    r = plan_from_file(FIXTURE)
    assert r.ok and not [d for d in r.report.warnings if "schedule" in d.code or "milestone" in d.code]


def test_a_code_not_in_the_legend_is_located_with_did_you_mean():
    bad = TEXT.replace('"2015/16 Q1": IM', '"2015/16 Q1": Im')
    [e] = errors(bad)
    assert e.code == "unknown-schedule-code" and e.line == line_of(bad, '"2015/16 Q1": Im')
    assert "did you mean 'IM'" in e.hint


def test_a_continuation_code_is_checked_too_and_pointed_at():
    bad = TEXT.replace('{code: IM, to: "2015/16 Q4"}', '{code: XX, to: "2015/16 Q4"}')
    [e] = errors(bad)
    assert e.code == "unknown-schedule-code" and "PL, PI, IM, RV" in e.hint
    assert e.line == line_of(bad, "code: XX") and e.column == bad.splitlines()[e.line - 1].index("XX") + 1


def test_a_milestone_type_not_in_its_legend():
    bad = TEXT.replace("type: FR}", "type: FRR}")
    [e] = errors(bad)
    assert e.code == "unknown-milestone-type" and "did you mean 'FR'" in e.hint and e.line == line_of(bad, "FRR")


def test_a_schedule_without_a_legend_says_to_declare_one():
    bad = re.sub(r"  schedule:\n(    .*\n)+", "", TEXT, count=1)
    errs = errors(bad)
    assert errs and {e.code for e in errs} == {"schedule-no-legend"}
    assert "add the legend under scales:" in errs[0].hint


def test_a_period_given_twice_is_an_error():
    bad = TEXT.replace('"2015/16 Q1": IM\n', '"2015/16 Q1": IM\n      "2015/16 Q3": PI\n')
    [e] = errors(bad)
    assert e.code == "schedule-overlap" and "2015/16 Q3" in e.message and "running on to 2015/16 Q4" in e.message


def test_a_continuation_that_ends_before_it_starts():
    bad = TEXT.replace('{code: PL, to: "2015-09"}', '{code: PL, to: "2015-05"}')
    [e] = errors(bad)
    assert e.code == "schedule-continuation" and e.line == line_of(bad, '"2015-05"')


def test_quarters_under_a_quarter_key_are_refused():
    bad = TEXT.replace('"2015/16 Q1": IM', '"2015/16 Q1": {q1: IM}')
    [e] = errors(bad)
    assert e.code == "schedule-quarters"


def test_a_malformed_period_key_is_a_schema_error_at_the_key():
    bad = TEXT.replace('"2015/16 Q1": IM', '"2015-16 Q1": IM')
    errs = errors(bad)
    assert errs and errs[0].line == line_of(bad, '"2015-16 Q1"')


def test_a_version_1_plan_may_not_use_schedules():
    v1 = (Path(__file__).parent / "fixtures" / "v1" / "south-kent-coast-2014-16.yaml").read_text()
    assert "schema_version: 1" in v1 and "\nactions:\n" in v1
    bad = v1.replace("\nactions:\n", "\nactions:\n  - id: S-1\n    domain: ooh\n    title: t\n"
                     "    schedule: {\"2014/15 Q1\": PL}\n", 1)
    errs = errors(bad)
    [e] = [e for e in errs if e.code == "needs-version-2"]
    assert e.line == line_of(bad, "schedule: {") and "opgen migrate" in e.hint


# --- model --------------------------------------------------------------------------------------

def test_spans_cover_quarters_months_and_continuations(plan):
    a = plan.action("A2.1")
    assert [(s.key, s.code) for s in a.schedule][:4] == [("2014/15 q1", "PL"), ("2014/15 q2", "PL"),
                                                         ("2014/15 q3", "PI"), ("2014/15 q4", "PI")]
    last = a.schedule[-1]
    assert last.code == "IM" and last.last - last.first == 8  # Jul 2015 to Mar 2016
    assert plan.action("A2.2").schedule[-1].ongoing
    assert plan.action("A2.1").milestones[0].type == "HRG"


# --- full plan ----------------------------------------------------------------------------------

def test_the_full_plan_draws_a_gantt_per_domain_with_key_and_words(plan):
    html = operational_plan_html(plan, [])
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="gantt" role="img"') == 2
    assert 'aria-label="Delivery schedule, Hospital Programme, 2014/15 Q1 to 2015/16 Q4"' in html
    assert 'aria-label="Delivery schedule, Urgent Care, Feb 2015 to Mar 2016"' in html
    # each bar carries its code; the key maps codes to labels (colour never alone)
    assert re.search(r">PI</text>", html) and "Phased implementation" in html
    assert "Implement: Service live across the area" in html and "Health Reform Group" in html
    # the same schedule in words, for screen readers
    assert ("A2.1 One-stop outpatient services: Planning 2014/15 Q1 to Q2; Phased implementation 2014/15 Q3 to Q4; "
            "Implement 2015/16 Q1 to Q4. Milestones: Business case to HRG (Health Reform Group), Sep 2014; "
            "First patients seen (Implementation commences), 2015/16 Q1.") in html
    assert "Integrated Urgent Care Service: Planning 2014/15 Q3 to Q4; Phased implementation 2015/16 Q1; " \
           "Implement 2015/16 Q2, then ongoing." in html
    # an ongoing phase ends in an arrow (a polygon drawn past the last column)
    assert "<polygon" in html


def test_a_plan_without_schedules_prints_no_schedule():
    r = plan_from_file(Path(__file__).parent.parent / "plans" / "swale-2015-16.yaml")
    html = operational_plan_html(r.plan, [])
    assert "Delivery schedule" not in html and 'class="gantt"' not in html
    doc = docx.Document(io.BytesIO(annex_docx(r.plan)))
    assert not any(p.text.startswith("Delivery schedule") for p in doc.paragraphs)


def test_wide_schedules_are_split_into_charts_that_fit(plan):
    wide = TEXT.replace('"2015/16 Q2": {code: IM, to: "2015/16 Q4"}', '"2015/16 Q2": {code: IM, to: "2018/19 Q4"}')
    r = result(wide)
    assert r.ok
    html = operational_plan_html(r.plan, [])
    assert 'aria-label="Delivery schedule, Hospital Programme, 2014/15 Q1 to 2016/17 Q4"' in html
    assert 'aria-label="Delivery schedule, Hospital Programme, 2017/18 Q1 to 2018/19 Q4"' in html


# --- Word annex ---------------------------------------------------------------------------------

def test_the_annex_has_a_schedule_table_with_a_repeating_header(plan):
    doc = docx.Document(io.BytesIO(annex_docx(plan)))
    tables = [t for t in doc.tables if any("Q3" == c.text for c in t.rows[1].cells)]
    assert tables
    t = tables[0]
    assert [c.text for c in t.rows[0].cells][2] == "2014/15"
    row = next(r for r in t.rows if r.cells[0].text == "A2.1")
    assert [c.text for c in row.cells[2:]] == ["Planning", "Planning", "Phased implementation",
                                               "Phased implementation"] + ["Implement"] * 4
    ongoing = next(r for r in t.rows if r.cells[0].text == "A2.2")
    assert ongoing.cells[-1].text == "Implement (ongoing)"
    assert t.rows[0]._tr.xpath("./w:trPr/w:tblHeader") and t.rows[1]._tr.xpath("./w:trPr/w:tblHeader")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Business case to HRG (Health Reform Group), Sep 2014" in text


# --- diff ---------------------------------------------------------------------------------------

def _diff(new_text: str):
    old, new = plan_from_file(FIXTURE), result(new_text)
    assert new.ok, [d.as_text() for d in new.report.errors]
    return diff_plans(old.plan, new.plan)


def test_a_changed_cell_reads_as_a_schedule_change():
    cs = _diff(TEXT.replace("q3: PI, q4: PI}", "q3: PI, q4: IM}"))
    text = diff_report.render_text(cs)
    assert "A2.1 One-stop outpatient services: 2014/15 Q4: Phased implementation \u2192 Implement" in text
    [c] = [c for c in cs.changes if c.section == "schedules"]
    data = json.loads(diff_report.render_json(cs))
    [j] = [x for x in data["changes"] if x["section"] == "schedules"]
    assert (j["kind"], j["id"], j["field"], j["old"], j["new"]) == ("changed", "A2.1", "2014/15 Q4", "PI", "IM")


def test_rows_added_and_removed_ongoing_legend_and_milestone_type():
    new = TEXT.replace("    RV: Review\n", "    RV: Review and evaluate\n").replace("type: FR}", "type: IC}")
    new = new.replace('"2015/16": {q1: PI, q2: {code: IM, to: ongoing}}', '"2015/16": {q1: PI, q2: IM}')
    new = new.replace("    title: Ophthalmology - hospital eye service review\n",
                      "    title: Ophthalmology - hospital eye service review\n    schedule: {\"2015/16\": PL}\n")
    text = diff_report.render_text(_diff(new))
    assert "A2.3 Ophthalmology - hospital eye service review: schedule: Planning 2015/16 Q1 to Q4." in text
    assert "A2.2 Integrated Urgent Care Service: ongoing: Implement" in text
    assert "RV: schedule legend: Review \u2192 Review and evaluate" in text
    assert "UC-01-m3 First review: type: First review \u2192 Implementation commences" in text


def test_an_unchanged_schedule_is_no_change():
    assert not [c for c in _diff(TEXT.replace("\n", "\n", 1)).changes]


def test_cli_validate_points_at_the_bad_code(tmp_path, capsys):
    bad = tmp_path / "plan.yaml"
    bad.write_text(TEXT.replace('"2015-02": PL', '"2015-02": PX'))
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr()
    assert f"plan.yaml:{line_of(bad.read_text(), 'PX')}:" in out.out + out.err


def test_textconv_shows_one_line_a_period(plan):
    from opgen.render.textconv import render_textconv
    text = render_textconv(plan)
    assert "  A2.1 schedule 2014/15 Q3: Phased implementation\n" in text
    assert "  UC-01 schedule Feb 2015: Planning\n" in text
    assert "  A2.2 schedule after 2015/16 Q2: Implement (ongoing)\n" in text
    assert "A2.1 milestone [A2.1-m1] Business case to HRG: due Sep 2014, Health Reform Group" in text


def test_the_plan_on_a_page_shows_the_as_at_quarters_phase(plan):
    from opgen.render.pop import plan_on_a_page_html
    html = plan_on_a_page_html(plan, [])
    # as at 2014/15 Q3: A2.1 is in phased implementation, A2.2 in planning; UC-01 starts in Feb 2015
    assert re.search(r"A2\.1</span> One-stop outpatient services <span class=\"a-phase\">Phase: Phased implementation</span>", html)
    assert 'Integrated Urgent Care Service <span class="a-phase">Phase: Planning</span>' in html
    # no phase yet: the title ends its list item, with no "Phase:" after it
    assert '<span class="a-id">UC-01</span> Integrated Urgent Care Centre</span></li>' in html
    later = result(TEXT.replace('as_at: "2014/15 Q3"', 'as_at: "2015/16 Q4"'))
    html = plan_on_a_page_html(later.plan, [])
    assert 'Seven Day Primary Care <span class="a-phase">Phase: Review</span>' in html  # ongoing from Oct 2015
    no_as_at = result(TEXT.replace('  as_at: "2014/15 Q3"\n', ""))
    assert no_as_at.ok and "a-phase" not in plan_on_a_page_html(no_as_at.plan, [])


@pytest.mark.parametrize("entry, message, hint", [
    ('{q5: IM}', "'q5' is not a quarter", "quarters are q1 (Apr-Jun)"),
    ('{code: IM, too: "2016/17 Q4"}', "unknown key 'too' in a schedule entry", "did you mean 'to'?"),
    ('{code: IM, to: "2016-3"}', "'2016-3' is not a period a phase can run to", 'a month "2016-03"'),
    ('[IM, PL]', "is not a schedule entry", "{code: PL, to: ongoing}"),
])
def test_a_malformed_entry_says_what_an_entry_is(entry, message, hint):
    bad = TEXT.replace('"2015/16 Q1": IM', f'"2015/16 Q1": {entry}')
    [e] = errors(bad)
    assert message in e.message and hint in e.hint and e.line == line_of(bad, '"2015/16 Q1"')


def test_the_chart_marks_where_the_plan_stands_from_its_as_at(plan):
    html = operational_plan_html(plan, [])
    assert html.count('stroke="#DA291C" stroke-width="0.9" stroke-dasharray') == 1  # only the 2014/15 chart
    assert "As at end of 2014/15 Q3" in html
    no_as_at = result(TEXT.replace('  as_at: "2014/15 Q3"\n', ""))
    html = operational_plan_html(no_as_at.plan, [])
    assert "stroke-dasharray" not in html and "As at end of" not in html


def test_the_annex_milestones_table_gives_each_milestones_type(plan):
    doc = docx.Document(io.BytesIO(annex_docx(plan)))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Milestone")
    row = next(r for r in table.rows if r.cells[0].text == "A2.1-m1")
    assert row.cells[1].text == "Business case to HRG\nHealth Reform Group"
