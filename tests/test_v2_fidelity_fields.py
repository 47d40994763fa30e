"""Version 2 fields found missing by the West Kent fidelity check: an indicator's national `code`,
an action's lifecycle `status` (with `status_note`), an indicator's qualitative `assessments`, the
plan's `drivers` and `refreshes`, a contact named by role only, and a calendar year ("2015") as an
action or milestone date. Each is asserted as a reader meets it: the full plan PDF (pdftotext), the
Word annex text, the diff and the validator's located messages."""

from __future__ import annotations

import io
import re

import docx
import pytest

from opgen.pipeline import plan_from_bytes
from paper_text import checked, diff_text, flat, pdf_text_of, word_text_of
from opgen.render.docx import annex_docx
from opgen.render.textconv import render_textconv

PLAN = """\
schema_version: 2
organisation: {name: NHS West Kent CCG}
plan:
  title: Operational Plan Refresh
  period: {start: "2015/16", end: "2015/16"}
  as_at: "2015/16 Q1"
  version: "1.0"
  status: approved
  refreshes: Year 2 of our five year *Strategic Commissioning Plan*, set out in summer 2014.
  drivers:
    - id: DRV-FYFV
      title: Five Year Forward View
      kind: national
      note: New models of care shape the out of hospital programme.
    - id: DRV-PROV
      title: Key provider plans (MTW, KMPT, KCHT, SECAmb)
      kind: provider
  contacts:
    - role: Chief Operating Officer
    - name: Jane Smith
      role: Head of Planning
vision:
  mission: To improve the health and well-being of the population of West Kent.
domains:
  - id: ooh
    title: Out of hospital care
actions:
  - id: EPP
    domain: ooh
    title: Expert Patient Programme
    status: paused
    status_note: Paused for evaluation of outcomes.
    due: "2015"
    milestones:
      - id: EPP-M1
        title: Evaluation reported
        due: 2015
  - id: HIT
    domain: ooh
    title: HIT Team
    status: revised
indicators:
  - id: RTT
    code: E.B.1
    domain: ooh
    title: Referral to treatment within 18 weeks
    unit: percent
    targets: {"2015/16": 90}
    assessments:
      - period: "2014/15"
        status: above_target
        note: Above target against *18 weeks RTT*.
  - id: PYLL
    code: CCGOF 1.1
    title: Potential years of life lost
    assessments:
      - status: worsening
        note: Worsened over the past 5 years.
"""


def result_of(text: str, name: str = "wk.yaml"):
    return plan_from_bytes(text.encode("utf-8"), name)


@pytest.fixture(scope="module")
def plan():
    return checked(result_of(PLAN))


@pytest.fixture(scope="module")
def pdf_text(plan) -> str:
    return pdf_text_of(plan)


@pytest.fixture(scope="module")
def word_text(plan) -> str:
    return word_text_of(plan)


changed = diff_text


# --- 1. indicator code ----------------------------------------------------------------------------

def test_indicator_code_is_printed_beside_the_title(pdf_text, word_text):
    assert "RTT Referral to treatment within 18 weeks [E.B.1]" in flat(pdf_text)
    assert "PYLL Potential years of life lost [CCGOF 1.1]" in flat(pdf_text)
    assert "Referral to treatment within 18 weeks [E.B.1]" in word_text
    assert "Potential years of life lost [CCGOF 1.1]" in word_text


def test_a_changed_indicator_code_is_reported():
    text = changed(PLAN, PLAN.replace("code: E.B.1", "code: E.B.2"))
    assert "national code" in text and "E.B.1" in text and "E.B.2" in text


# --- 2. action status -----------------------------------------------------------------------------

def test_action_status_is_shown_in_words(pdf_text, word_text):
    text = flat(pdf_text)
    # a paused action with no RAG: its badge says "Paused" (not "Not reported"), once, over its note
    # (pdftotext puts the badge, set on the right, among the first line's words, or straight after the
    # title, before the due date)
    assert re.search(r"EPP Expert Patient Programme (DUE )?Paused (DUE )?(2015 )?Paused for evaluation of outcomes\. MILESTONES",
                     text)
    assert "Paused for evaluation of outcomes." in text
    # a revised action with no RAG: its badge says "Revised", as a paused one's says "Paused"
    assert re.search(r"HIT HIT Team (STATUS )?(Not reported )?Revised", text)
    row = next(x for x in word_text.splitlines() if x.startswith("EPP |"))
    assert "Paused" in row and "Paused for evaluation of outcomes." in row
    assert "Revised" in next(x for x in word_text.splitlines() if x.startswith("HIT |"))


def test_a_status_change_is_reported_in_words():
    text = changed(PLAN, PLAN.replace("status: paused", "status: stopped"))
    assert "Paused" in text and "Stopped" in text and "status" in text


def test_an_unknown_status_is_a_located_error():
    result = result_of(PLAN.replace("status: paused", "status: on_hold"))
    assert not result.ok
    (error,) = result.report.errors
    assert error.as_text().startswith("wk.yaml:31:")
    assert "paused" in error.as_text() and "stopped" in error.as_text()


def test_a_status_note_without_a_status_is_warned():
    result = result_of(PLAN.replace("    status: paused\n", ""))
    warning = next(d for d in result.report.warnings if "status_note" in d.message)
    assert warning.as_text().startswith("wk.yaml:31:") and "add status:" in warning.as_text()


# --- 3. qualitative assessments -------------------------------------------------------------------

def test_assessments_are_shown_in_words_in_a_latest_assessment_column(pdf_text, word_text):
    text = flat(pdf_text)
    assert "Latest assessment" in text
    assert "RTT Referral to treatment within 18 weeks [E.B.1] Above target (2014/15)" in text
    assert "Worsening Worsened over the past 5 years." in text
    assert "Worsened over the past 5 years." in text
    assert "Latest assessment" in word_text
    row = next(x for x in word_text.splitlines() if x.startswith("RTT |"))
    assert "Above target (2014/15)" in row and "Above target against 18 weeks RTT." in row


def test_a_changed_assessment_is_reported():
    text = changed(PLAN, PLAN.replace("status: worsening", "status: improving"))
    assert "Worsening" in text and "Improving" in text and "assessments" in text


def test_an_assessment_period_must_be_a_period():
    result = result_of(PLAN.replace('- period: "2014/15"', '- period: "2014/13"'))
    assert not result.ok
    assert any("2014/13" in d.as_text() and ":" in d.as_text().split(" ")[0] for d in result.report.errors)


# --- 4. drivers and refreshes ---------------------------------------------------------------------

def test_drivers_and_refreshes_are_shown(pdf_text, word_text):
    for text in (flat(pdf_text), word_text):
        assert "What the plan responds to" in text
        assert "Five Year Forward View" in text and "National" in text
        assert "Key provider plans (MTW, KMPT, KCHT, SECAmb)" in text and "Provider" in text
        assert "New models of care shape the out of hospital programme." in text
        assert "This plan refreshes" in text and "Year 2 of our five year Strategic Commissioning Plan" in text


def test_drivers_are_diffed_by_id_and_textconv_lists_them(plan):
    text = changed(PLAN, PLAN.replace("title: Five Year Forward View", "title: NHS Five Year Forward View"))
    assert "DRV-FYFV" in text and "NHS Five Year Forward View" in text
    assert "driver [DRV-FYFV] Five Year Forward View (national)" in render_textconv(plan.plan)


def test_duplicate_driver_ids_are_located():
    result = result_of(PLAN.replace("id: DRV-PROV", "id: DRV-FYFV"))
    assert any("DRV-FYFV" in d.message and "twice" in d.message for d in result.report.errors)


# --- 5. contacts by role only ---------------------------------------------------------------------

def test_a_contact_may_be_named_by_role_only(pdf_text, word_text):
    assert "Chief Operating Officer" in pdf_text
    assert "Chief Operating Officer" in word_text


def test_a_contact_with_neither_name_nor_role_is_a_located_error():
    result = result_of(PLAN.replace("    - role: Chief Operating Officer\n", "    - email: coo@nhs.net\n"))
    assert not result.ok
    (error,) = result.report.errors
    assert error.as_text().startswith("wk.yaml:19:") and "neither a name nor a role" in error.as_text()
    assert "role:" in error.as_text()


# --- 6. a calendar year as a date -----------------------------------------------------------------

def test_a_calendar_year_is_a_due_date_printed_as_written(plan, pdf_text, word_text):
    action = plan.plan.action("EPP")
    assert (action.due.start.isoformat(), action.due.end.isoformat()) == ("2015-01-01", "2015-12-31")
    assert action.milestones[0].due.words == "2015"  # written unquoted
    assert "EPP Expert Patient Programme 2015 Paused" in flat(pdf_text)  # actions summary: due 2015
    assert "EPP-M1 Evaluation reported 2015" in flat(pdf_text)
    assert "2015" in next(x for x in word_text.splitlines() if x.startswith("EPP |"))
    assert not [d for d in plan.report.diagnostics if "not a date" in d.message]


def test_a_calendar_year_still_rejects_nonsense():
    result = result_of(PLAN.replace('due: "2015"', 'due: "20155"'))
    assert not result.ok


def test_an_indicator_assessed_only_in_words_is_not_asked_for_figures(plan):
    pyll = [d for d in plan.report.warnings if "PYLL" in d.message]
    assert pyll == []  # no "has no baseline" / "has no target": the source gives none
    rtt = [d.message for d in plan.report.warnings if "RTT" in d.message]
    assert "indicator RTT has no baseline" in rtt  # figures given elsewhere: still asked for a baseline


def test_a_code_used_as_the_id_is_not_printed_twice():
    result = result_of(PLAN.replace("  - id: RTT\n    code: E.B.1", "  - id: E.B.1\n    code: E.B.1"))
    assert result.ok
    document = docx.Document(io.BytesIO(annex_docx(result.plan, result.report.diagnostics)))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "Referral to treatment within 18 weeks" in cells and not any("[E.B.1]" in c for c in cells)


def test_a_calendar_year_due_date_that_moves_is_reported_as_slipped():
    text = changed(PLAN, PLAN.replace('    due: "2015"\n', '    due: "2016"\n'))
    assert "2015" in text and "2016" in text and "slipped" in text
