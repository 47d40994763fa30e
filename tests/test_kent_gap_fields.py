"""Version 2 fields for the facts the Kent 2015/16 transcriptions could not place (issue 9 item 5, the
ledgers in fidelity/): a BCF scheme's `requirements`, an action's `category` and the national
`programmes` (plan drivers) it is part of, an indicator's monitoring `frequency`, and a target given
as a level and its change (`{value: 104.71, change: {comparison: reduce_by, value: 1, unit: percent}}`).
Each is asserted as a reader meets it: the full plan PDF (pdftotext), the Word annex text, the diff,
textconv and the validator's located messages."""

from __future__ import annotations

import re

import pytest

from opgen.pipeline import plan_from_bytes
from opgen.render.textconv import render_textconv
from paper_text import checked, diff_text, flat, pdf_text_of, word_text_of

PLAN = """\
schema_version: 2
organisation: {name: NHS South Kent Coast CCG}
plan:
  title: Operational Delivery Plan
  period: {start: "2015/16", end: "2015/16"}
  as_at: "2015/16 Q1"
  version: "1.0"
  status: draft
  drivers:
    - id: DRV-RIGHTCARE
      title: NHS Right Care programme
      kind: national
    - id: DRV-MH2020
      title: Achieving Better Access to Mental Health Services 2020
      kind: national
vision:
  mission: Better health for South Kent Coast.
domains:
  - id: ooh
    title: Out of Hospital Programme
actions:
  - id: OOH-01
    domain: ooh
    title: Four community hubs
    category: System changes
  - id: OOH-P05
    domain: ooh
    title: Diabetes
    category: Pathway specific change
    programmes: [DRV-RIGHTCARE]
indicators:
  - id: KPI-NEL
    domain: ooh
    title: Total non-elective admissions per 100,000 population
    targets: {"2015/16": {value: 104.71, change: {comparison: reduce_by, value: 1, unit: percent}}}
    source: Out of hospital performance targets
  - id: KPI-EIP
    domain: ooh
    title: Early intervention in psychosis within 2 weeks
    unit: percent
    targets: {"2015/16": 50}
    frequency: monthly
bcf:
  schemes:
    - id: BCF-TEAMS
      title: Integrated Teams and Reablement
      heading: reablement
      description: Integrated teams available 24 hours a day.
      requirements:
        - title: Enhanced Rapid Response
          items:
            - Teams respond directly to A&E referrals;
            - Teams integrate with the Dementia Crisis Service.
        - Intermediate care beds only for comprehensive assessments.
"""


def result_of(text: str, name: str = "skc.yaml"):
    return plan_from_bytes(text.encode("utf-8"), name)


@pytest.fixture(scope="module")
def plan():
    return checked(result_of(PLAN))


@pytest.fixture(scope="module")
def pdf_text(plan) -> str:
    return flat(pdf_text_of(plan))


@pytest.fixture(scope="module")
def word_text(plan) -> str:
    return word_text_of(plan)


def errors_of(text: str) -> list[str]:
    result = result_of(text)
    return [d.as_text() for d in result.report.errors]


# --- 1. BCF scheme requirements ------------------------------------------------------------------

def test_scheme_requirements_are_listed_under_the_scheme(pdf_text, word_text):
    for text in (pdf_text, flat(word_text)):
        assert "Integrated teams available 24 hours a day. Scheme requirements Enhanced Rapid Response" in text
        assert "Teams respond directly to A&E referrals;" in text
        assert "Intermediate care beds only for comprehensive assessments." in text


def test_an_added_requirement_is_reported_by_scheme():
    text = diff_text(PLAN, PLAN.replace("            - Teams integrate with the Dementia Crisis Service.\n",
                                        "            - Teams integrate with the Dementia Crisis Service.\n"
                                        "            - Teams include medicines management.\n"))
    assert "BCF-TEAMS" in text and "requirement" in text
    assert "Enhanced Rapid Response: Teams include medicines management." in text
    assert "Dementia Crisis" not in text


def test_textconv_lists_each_requirement(plan):
    text = render_textconv(plan.plan)
    assert "  BCF-TEAMS requirement: Enhanced Rapid Response: Teams respond directly to A&E referrals;" in text
    assert "  BCF-TEAMS requirement: Intermediate care beds only for comprehensive assessments." in text


def test_requirements_in_a_version_1_plan_are_a_located_error():
    v1 = PLAN.replace("schema_version: 2", "schema_version: 1")
    errors = [e for e in errors_of(v1) if "'requirements'" in e]
    assert errors and errors[0].startswith("skc.yaml:49:") and "schema_version: 2" in errors[0]


def test_an_empty_requirement_group_is_a_located_error():
    broken = PLAN.replace("          items:\n            - Teams respond directly to A&E referrals;\n"
                          "            - Teams integrate with the Dementia Crisis Service.\n", "          items: []\n")
    errors = errors_of(broken)
    assert errors and all(e.startswith("skc.yaml:") for e in errors)


def test_a_requirement_listed_twice_is_warned_with_both_lines():
    twice = PLAN.replace("        - Intermediate care beds only for comprehensive assessments.\n",
                         "        - Intermediate care beds only for comprehensive assessments.\n"
                         "        - Intermediate care beds only for comprehensive assessments.\n")
    result = result_of(twice)
    (warning,) = [d for d in result.report.warnings if "same requirement" in d.message]
    assert warning.as_text().startswith("skc.yaml:55:") and "line 54" in warning.message


# --- 2. action category and national programmes ---------------------------------------------------

def test_category_and_programme_are_printed_beside_the_action(pdf_text, word_text):
    # the labels are set in small capitals; pdftotext may put the programme after the page footer
    assert "OOH-P05 Diabetes CATEGORY Pathway specific change" in pdf_text
    assert "OOH-01 Four community hubs CATEGORY System changes" in pdf_text
    assert "PROGRAMME NHS Right Care programme" in pdf_text
    row = next(x for x in word_text.splitlines() if x.startswith("OOH-P05 |"))
    assert "Category: Pathway specific change" in row and "Programme: NHS Right Care programme" in row
    assert "Category: System changes" in next(x for x in word_text.splitlines() if x.startswith("OOH-01 |"))


def test_an_unknown_programme_is_a_located_error_with_a_suggestion():
    errors = errors_of(PLAN.replace("programmes: [DRV-RIGHTCARE]", "programmes: [DRV-RIGHTCAR]"))
    (error,) = errors
    assert error.startswith("skc.yaml:30:") and "DRV-RIGHTCAR" in error and "did you mean 'DRV-RIGHTCARE'" in error


def test_category_needs_version_2():
    errors = errors_of(PLAN.replace("schema_version: 2", "schema_version: 1"))
    assert any(e.startswith("skc.yaml:25:") and "'category'" in e for e in errors)


def test_a_programme_change_is_reported_by_its_title():
    text = diff_text(PLAN, PLAN.replace("programmes: [DRV-RIGHTCARE]", "programmes: [DRV-RIGHTCARE, DRV-MH2020]"))
    assert "OOH-P05" in text and "Achieving Better Access to Mental Health Services 2020" in text
    text = diff_text(PLAN, PLAN.replace("category: System changes", "category: Pathway specific change"))
    assert "OOH-01" in text and "System changes" in text and "category" in text


# --- 3. monitoring frequency ----------------------------------------------------------------------

def test_monitoring_frequency_is_a_note_in_both_papers(pdf_text, word_text):
    assert "KPI-EIP Monitored monthly." in pdf_text
    assert "KPI-EIP: Monitored monthly." in word_text


def test_a_frequency_change_is_reported_and_textconv_shows_it(plan):
    text = diff_text(PLAN, PLAN.replace("frequency: monthly", "frequency: weekly"))
    assert "KPI-EIP" in text and "monthly" in text and "weekly" in text
    assert "  KPI-EIP frequency: monthly" in render_textconv(plan.plan)


# --- 4. a target as a level and its change --------------------------------------------------------

def test_a_target_level_prints_with_its_change(pdf_text, word_text):
    # the full plan sets the change on a line of its own under the level, as it does a revision
    assert re.search(r"104\.71 (\S+ ){0,6}\(1% reduction\)", pdf_text)
    assert "104.71 (1% reduction)" in flat(word_text)


def test_a_changed_change_is_reported():
    text = diff_text(PLAN, PLAN.replace("comparison: reduce_by, value: 1,", "comparison: reduce_by, value: 2,"))
    assert "KPI-NEL" in text and "1% reduction" in text and "2% reduction" in text


def test_a_change_without_a_level_is_a_located_error():
    errors = errors_of(PLAN.replace("{value: 104.71, change:", "{change:"))
    (error,) = errors
    assert error.startswith("skc.yaml:35:") and "add value:" in error


def test_a_change_beside_a_level_to_be_confirmed_is_warned():
    result = result_of(PLAN.replace("{value: 104.71, change:", "{value: tbc, change:"))
    (warning,) = [d for d in result.report.warnings if "gives a change" in d.message]
    assert warning.as_text().startswith("skc.yaml:35:") and "not printed" in warning.message


def test_a_change_beside_a_relative_target_is_an_error():
    errors = errors_of(PLAN.replace("{value: 104.71, change:", "{comparison: maintain, change:"))
    assert any("already stated against the present" in e for e in errors)


def test_a_change_must_be_more_than_zero():
    errors = errors_of(PLAN.replace("comparison: reduce_by, value: 1,", "comparison: reduce_by, value: -1,"))
    assert any("more than 0" in e and "increase_by" in e for e in errors)
