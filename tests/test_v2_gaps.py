"""Version 2 fields for the gaps the West Kent fidelity check left (fidelity/west-kent-report.md):
figures the source names without an amount (`not_stated`), a target's kind (`comparison`) and count
(`numerator` of `denominator`), a revised target (`revised_from`), leads by role, a domain's own
`due` date, `reports_to`, a second indicator code, the providers a plan names, and the fields a
source may lack (plan.as_at, plan.version, vision.mission, bcf.unit). Each is asserted as a reader
meets it: the full plan PDF (pdftotext), the Word annex text, the diff, and the validator's located
messages."""

from __future__ import annotations


import pytest

from opgen.diagnostics import grouped
from opgen.diff import diff_plans
from opgen.ids import tbc_inventory
from opgen.pipeline import plan_from_bytes
from paper_text import checked, diff_text, flat, pdf_text_of, word_text_of
from opgen.render.textconv import render_textconv

PLAN = """\
schema_version: 2
organisation: {name: NHS West Kent CCG}
plan:
  title: Operational Plan Refresh
  period: {start: "2015/16", end: "2015/16"}
  status: submitted
  providers:
    - {id: MTW, title: Maidstone and Tunbridge Wells NHS Trust, kind: acute, note: Key provider plan.}
    - {id: SECAmb, title: SECAmb}
vision:
  statements:
    - {label: Triple aims, text: "Quality, Patient Outcomes and Value."}
domains:
  - id: continuation
    title: Continuation of existing intentions
    lead: Chief Operating Officer
    due: {throughout: "2015/16"}
  - id: recovery
    title: Recovery plans
    reports_to: NHS England
actions:
  - id: CI-01
    domain: continuation
    title: Integrated pathways
    lead: Lead Clinical GP Commissioner
  - id: REC-01
    domain: recovery
    title: Recovery plan, A&E 4 hour waits
    reports_to: NHS England Area Team
indicators:
  - id: E.A.S.5
    code: E.A.S.5
    title: C. Difficile
    unit: count
    baseline: not_stated
    targets: {"2015/16": {value: 97, comparison: at_most}}
  - id: E.D.1
    code: E.D.1
    title: Satisfaction at a GP Practice
    baseline: not_stated
    targets: {"2015/16": {value: 439, numerator: 439, denominator: 500}}
  - id: E.H.2
    code: [E.H.2, A2]
    title: Mental Health Access - 18 Weeks
    unit: percent
    baseline: not_stated
    targets: {"2015/16": 95}
tables:
  - id: winter
    title: Winter resilience investments
    columns:
      - {id: item, title: Investment, type: text}
      - {id: "2014/15", type: money}
    rows:
      - {id: beds, item: Escalation beds, "2014/15": not_stated}
      - {id: ward, item: The Romney ward, "2014/15": not_stated}
finance:
  unit: gbp_thousands
  lines:
    - {id: acute, title: Acute contracts, group: expenditure, amounts: {"2014/15": 1000}}
    - {id: escalation, title: Escalation beds, group: expenditure, amounts: {"2014/15": not_stated}}
  stated_totals: {expenditure: {"2014/15": 1500}}
bcf:
  metrics:
    - id: BCF-NEL
      title: Reduction in non-elective admissions
      unit: percent
      baseline: not_stated
      targets:
        "2015/16":
          value: 0.8
          revised_from:
            value: 3.5
            date: 2015-03
            by: Kent Health and Wellbeing Board
            reason: Growth in NEL admissions over winter 2014/15.
"""


def result_of(text: str, name: str = "wk.yaml"):
    return plan_from_bytes(text.encode("utf-8"), name)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture(scope="module")
def plan():
    return checked(result_of(PLAN))


@pytest.fixture(scope="module")
def pdf_text(plan) -> str:
    return flat(pdf_text_of(plan))


@pytest.fixture(scope="module")
def word_text(plan) -> str:
    return word_text_of(plan)


changed = diff_text


def row_of(word_text: str, start: str) -> str:
    return next(x for x in word_text.splitlines() if x.startswith(start))


# --- 1. items without amounts ----------------------------------------------------------------------

def test_a_figure_not_stated_prints_not_stated_never_zero(pdf_text, word_text):
    assert "Escalation beds Not stated" in pdf_text and "The Romney ward Not stated" in pdf_text
    assert row_of(word_text, "Escalation beds |").endswith("Not stated")
    assert "Escalation beds | 0" not in word_text


def test_a_total_over_a_line_not_stated_is_not_a_plain_sum(plan, pdf_text):
    finance = plan.plan.finance
    period = next(iter(finance.group_periods("expenditure")))
    total = finance.group_total("expenditure", period)
    assert total.incomplete and total.unstated_only and total.value == 1000
    assert "1,000 + not stated" in pdf_text
    # the stated 1,500 is not called a mismatch: the sum cannot be checked, and validate says why
    warning = next(d for d in plan.report.warnings if d.code == "total-incomplete")
    assert "values the plan does not state" in warning.message and "TBC" not in warning.message
    assert not [d for d in plan.report.warnings if d.code == "total-mismatch"]


def test_not_stated_is_not_a_tbc(plan):
    assert not [k for k in tbc_inventory(plan.plan) if "escalation" in k or "beds" in k]
    assert not [d for d in plan.report.warnings if d.code == "tbc"]


def test_a_money_column_with_no_figure_needs_no_unit_but_one_with_figures_does():
    result = result_of(PLAN.replace('"2014/15": not_stated}\n      - {id: ward', '"2014/15": 120}\n      - {id: ward'))
    error = next(d for d in result.report.errors if d.code == "money-unit")
    assert "money column '2014/15' has no unit" in error.message and "unit: gbp_thousands" in error.hint


# --- 2. target kind and denominators ----------------------------------------------------------------

def test_a_target_kind_and_a_count_are_printed_in_words(pdf_text, word_text):
    assert "C. Difficile [E.A.S.5]" not in pdf_text  # the code is the id: printed once
    assert "at most 97" in pdf_text and "C. Difficile" in pdf_text
    assert "Satisfaction at a GP Practice" in pdf_text and "439 of 500" in pdf_text
    assert "at most 97" in row_of(word_text, "E.A.S.5 |")
    assert "439 of 500" in row_of(word_text, "E.D.1 |")


def test_a_count_that_disagrees_with_its_value_is_a_located_error():
    text = PLAN.replace("{value: 439, numerator: 439, denominator: 500}", "{value: 87.8, numerator: 439, denominator: 600}")
    text = text.replace("    title: Satisfaction at a GP Practice\n", "    title: Satisfaction at a GP Practice\n    unit: percent\n")
    result = result_of(text)
    (error,) = [d for d in result.report.errors if d.code == "count-mismatch"]
    assert error.line == line_of(text, "numerator: 439, denominator: 600")
    assert "is 87.8, but 439 of 600 is 73.17%" in error.message
    # the same count as a percent that agrees is fine (439 of 500 is 87.8%)
    ok = result_of(text.replace("denominator: 600", "denominator: 500"))
    assert ok.ok and not [d for d in ok.report.diagnostics if d.code.startswith("count")]


def test_a_numerator_without_a_denominator_is_a_located_error():
    text = PLAN.replace("{value: 439, numerator: 439, denominator: 500}", "{value: 439, numerator: 439}")
    result = result_of(text)
    (error,) = [d for d in result.report.errors if d.code == "count-half"]
    assert error.line == line_of(text, "numerator: 439}") and "add denominator:" in error.hint


def test_a_denominator_of_zero_is_a_located_error_in_words():
    text = PLAN.replace("denominator: 500}", "denominator: 0}")
    result = result_of(text)
    (error,) = result.report.errors
    assert error.line == line_of(text, "denominator: 0}") and "must be more than 0" in error.message
    assert "what the numerator is out of" in error.hint


def test_an_unknown_comparison_is_a_located_error():
    text = PLAN.replace("comparison: at_most", "comparison: ceiling")
    result = result_of(text)
    assert not result.ok
    assert any(d.line == line_of(text, "comparison: ceiling") for d in result.report.errors)


def test_a_changed_target_kind_is_reported_even_when_the_figure_stays():
    text = changed(PLAN, PLAN.replace("comparison: at_most", "comparison: at_least"))
    assert "at most" in text and "at least" in text and "E.A.S.5" in text


# --- 3. revised targets -------------------------------------------------------------------------------

def test_a_revised_target_is_printed_with_what_it_was(pdf_text, word_text):
    # the PDF sets the revision on a line of its own under the figure (a narrow column)
    assert "BCF-NEL Reduction in non-elective admissions" in pdf_text and "(revised from 3.5%)" in pdf_text
    assert "0.8% (revised from 3.5%)" in row_of(word_text, "BCF-NEL |")
    note = ("Target 2015/16 revised from 3.5% to 0.8% (Mar 2015), agreed by Kent Health and Wellbeing Board: "
            "Growth in NEL admissions over winter 2014/15.")
    assert note in pdf_text
    assert note in word_text


def test_a_revision_is_shown_by_the_diff():
    text = changed(PLAN, PLAN.replace("            value: 3.5\n", "            value: 3.0\n"))
    assert "BCF-NEL" in text and "revised from 3.5%" in text and "revised from 3.0%" in text
    text = changed(PLAN.replace("          revised_from:\n", "          revised_fromX:\n").replace(
        "          revised_fromX:\n            value: 3.5\n            date: 2015-03\n            by: Kent Health and Wellbeing Board\n"
        "            reason: Growth in NEL admissions over winter 2014/15.\n", ""), PLAN)
    assert "revised from 3.5%" in text


def test_textconv_shows_the_kind_count_and_revision(plan):
    text = render_textconv(plan.plan)
    assert "E.A.S.5 target 2015/16: at most 97" in text
    assert "E.D.1 target 2015/16: 439 of 500" in text
    assert "BCF-NEL target 2015/16: 0.8% (revised from 3.5%)" in text


# --- 4. people by role only ------------------------------------------------------------------------------

def test_a_lead_named_by_role_is_printed_as_the_role(pdf_text, word_text):
    assert "Chief Operating Officer" in pdf_text and "Lead Clinical GP Commissioner" in pdf_text
    assert "Lead: Chief Operating Officer" in word_text
    assert "Lead Clinical GP Commissioner" in row_of(word_text, "CI-01 |")


# --- 5. domain due date, reporting line, second code, providers ------------------------------------------

def test_a_domain_due_date_and_reporting_lines_are_printed(pdf_text, word_text):
    assert "Due Throughout 2015/16" in pdf_text
    assert "Reported to NHS England" in pdf_text and "NHS England Area Team" in pdf_text
    assert "Due: Throughout 2015/16" in word_text and "Reported to: NHS England" in word_text
    assert "Reported to: NHS England Area Team" in row_of(word_text, "REC-01 |")


def test_domain_due_and_reports_to_are_diffed():
    text = changed(PLAN, PLAN.replace('    due: {throughout: "2015/16"}\n', '    due: "2016/17"\n')
                   .replace("    reports_to: NHS England\n", "    reports_to: Kent HWB\n"))
    assert "Throughout 2015/16" in text and "2016/17" in text
    assert "NHS England" in text and "Kent HWB" in text


def test_a_second_indicator_code_is_printed_with_the_first(pdf_text, word_text):
    assert "Mental Health Access - 18 Weeks [E.H.2, A2]" in pdf_text
    assert "Mental Health Access - 18 Weeks [E.H.2, A2]" in word_text


def test_providers_are_printed_diffed_and_checked(plan, pdf_text, word_text):
    for text in (pdf_text, word_text):
        assert "Providers named in the plan" in text
        assert "Maidstone and Tunbridge Wells NHS Trust" in text and "Acute" in text and "SECAmb" in text
    assert "provider [MTW] Maidstone and Tunbridge Wells NHS Trust (acute)" in render_textconv(plan.plan)
    text = changed(PLAN, PLAN.replace("title: SECAmb}", "title: South East Coast Ambulance Service}"))
    assert "SECAmb" in text and "South East Coast Ambulance Service" in text
    dup = result_of(PLAN.replace("{id: SECAmb,", "{id: MTW,"))
    assert any(d.code == "duplicate-id" and "MTW" in d.message for d in dup.report.errors)


# --- 6. validation messages --------------------------------------------------------------------------

def test_baseline_not_stated_silences_the_warning_and_prints_not_stated(plan, word_text):
    assert not [d for d in plan.report.warnings if d.code == "no-baseline"]
    assert "Not stated" in row_of(word_text, "E.H.2 |")


def test_many_missing_baselines_are_one_message_that_offers_not_stated():
    text = "".join(line for line in PLAN.splitlines(keepends=True) if line.strip() != "baseline: not_stated")
    result = result_of(text)
    (warning,) = [d for d in grouped(result.report.diagnostics) if d.code == "no-baseline"]
    assert warning.count == 4 and "4 indicators have no baseline: lines" in warning.message
    assert "baseline: not_stated" in warning.hint


def test_a_duplicate_id_names_the_earlier_line():
    text = PLAN.replace("  - id: recovery\n", "  - id: continuation\n")
    result = result_of(text)
    error = next(d for d in result.report.errors if d.code == "duplicate-id")
    first = line_of(text, "  - id: continuation")
    assert f"first at line {first}" in error.message and error.line > first


def test_a_plan_may_leave_out_as_at_version_mission_and_bcf_unit(plan, pdf_text, word_text):
    assert plan.ok and plan.plan.meta.version == "" and plan.plan.vision.mission is None
    assert "Delivery status as at Not stated" in pdf_text and "Version Not stated" in pdf_text
    assert "Our mission" not in pdf_text and "Our mission" not in word_text
    assert "RAG as at" not in pdf_text


def test_as_at_is_needed_once_an_action_reports_rag():
    text = PLAN.replace("    title: Integrated pathways\n", '    title: Integrated pathways\n    rag: {"2015/16": {q1: green}}\n')
    result = result_of(text)
    error = next(d for d in result.report.errors if d.code == "as-at-missing")
    assert "1 action report" in error.message and "as_at:" in error.hint
    assert result_of(text.replace("  status: submitted\n", '  status: submitted\n  as_at: "2015/16 Q1"\n')).ok


def test_a_bcf_with_money_needs_its_unit():
    text = PLAN.replace("bcf:\n", 'bcf:\n  minimum_contribution: {"2015/16": 1200}\n')
    result = result_of(text)
    error = next(d for d in result.report.errors if d.code == "unit-missing")
    assert "Better Care Fund" in error.message and "unit: gbp_thousands" in error.hint


def test_a_version_tbc_is_in_the_tbc_inventory():
    result = result_of(PLAN.replace("  status: submitted\n", "  status: submitted\n  version: tbc\n"))
    assert any("version" in " ".join(k).lower() for k in tbc_inventory(result.plan))


def test_version_one_plans_still_validate():
    from pathlib import Path
    from opgen.pipeline import plan_from_bytes as load
    for path in sorted(Path(__file__).resolve().parent.parent.joinpath("plans").glob("*.yaml")):
        assert load(path.read_bytes(), path.name).ok, path.name


def test_a_figure_given_later_is_shown_by_the_diff_in_text_and_json():
    from opgen.diff.report import render_json
    new_text = PLAN.replace('amounts: {"2014/15": not_stated}', 'amounts: {"2014/15": 250}')
    text = changed(PLAN, new_text)
    assert "Not stated" in text and "250" in text
    old, new = result_of(PLAN, "old.yaml"), result_of(new_text, "new.yaml")
    assert '"not_stated"' in render_json(diff_plans(old.plan, new.plan))
