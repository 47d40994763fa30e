"""Validation fixes found by a new user on an unseen real plan (fidelity/west-kent-report.md): one
cause given many times is one message; a duplicate id names the first in file order; a TBC period
asks for the period; text written tbc is a TBC; copy-paste titles, empty domains and spans that run
past the plan period are caught."""

import copy

from opgen.cli import main
from opgen.diagnostics import format_text, grouped
from opgen.load import load_text
from opgen.model import build
from opgen.validate import validate_document

from test_validate import STARTER, dump


def starter() -> dict:
    data = copy.deepcopy(STARTER)
    data["plan"]["date"] = str(data["plan"]["date"])
    return data


def diagnose(data):
    return validate_document(load_text(dump(data), "plan.yaml"))


def with_indicators(n: int, **fields) -> dict:
    data = starter()
    data["indicators"] = [{"id": f"KPI-{i}", "domain": "ooh", "title": f"Measure {i}", **fields}
                          for i in range(1, n + 1)]
    return data


# 1. one cause, many times: one message, and a fix that does not ask for an invented tbc -------------

def test_many_indicators_without_baseline_are_one_message():
    diags = diagnose(with_indicators(27, targets={"2025/26": 5}))
    assert [d.code for d in diags].count("no-baseline") == 27
    merged = [d for d in grouped(diags) if d.code == "no-baseline"]
    assert len(merged) == 1 and merged[0].count == 27 and len(merged[0].lines) == 27
    assert merged[0].message.startswith("27 indicators have no baseline: lines ")
    text = format_text(diags)
    assert text.count("no baseline") == 1


def test_many_indicators_without_target_are_one_message():
    diags = diagnose(with_indicators(5, baseline={"value": 1, "period": "2024/25"}))
    merged = [d for d in grouped(diags) if d.code == "no-target"]
    assert len(merged) == 1 and merged[0].count == 5
    assert merged[0].message.startswith("5 indicators have no target: lines ")


def test_a_few_indicators_without_baseline_stay_one_each():
    diags = grouped(diagnose(with_indicators(3, targets={"2025/26": 5})))
    assert [d.message for d in diags if d.code == "no-baseline"] == [
        f"indicator KPI-{i} has no baseline" for i in (1, 2, 3)]


def test_no_baseline_fix_offers_not_stated_where_the_source_gives_none():
    [d] = [d for d in diagnose(with_indicators(1, targets={"2025/26": 5})) if d.code == "no-baseline"]
    assert "if the source gives one" in d.hint
    assert "baseline: not_stated" in d.hint  # says so explicitly, and silences the warning
    assert "still to be confirmed" in d.hint  # tbc is for a value not yet confirmed, not a missing one
    assert "(or value: tbc)" not in d.hint


def test_many_unrated_risks_are_one_message():
    data = starter()
    data["risks"] = [{"id": f"R-{i}", "title": f"Risk {i}", "domain": "ooh"} for i in range(1, 6)]
    merged = [d for d in grouped(diagnose(data)) if d.code == "risk-unrated"]
    assert len(merged) == 1 and merged[0].count == 5
    assert merged[0].message.startswith("5 risks have no rating: lines ")


def test_grouped_in_the_validate_command(tmp_path, capsys):
    path = tmp_path / "plan.yaml"
    path.write_text(dump(with_indicators(27, targets={"2025/26": 5})))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("has no baseline") == 0 and out.count("27 indicators have no baseline") == 1


# 2. a duplicate id names the first in file order ------------------------------------------------

def test_duplicate_id_names_the_first_line_in_the_file():
    # put a section (a later id list) before the domains in the file, with the id of the action
    data = starter()
    data["actions"][0]["id"] = "next-steps"
    head = {k: data[k] for k in ("schema_version", "organisation", "plan", "vision")}
    head["sections"] = [{"id": "next-steps", "title": "Next steps", "body": "What comes next."}]
    rest = {k: v for k, v in data.items() if k not in head}
    text = dump({**head, **rest})
    diags = validate_document(load_text(text, "plan.yaml"))
    [d] = [d for d in diags if d.code == "duplicate-id"]
    lines = text.splitlines()
    section_line = next(i for i, l in enumerate(lines, 1) if "id: next-steps" in l)
    action_line = next(i for i, l in enumerate(lines, 1) if i > section_line and "id: next-steps" in l)
    assert section_line < action_line
    assert d.line == action_line  # located at the second use
    assert d.message == f"the id 'next-steps' is used twice (first at line {section_line})"


# 3. a TBC period asks for the period ----------------------------------------------------------

def test_tbc_baseline_period_asks_to_confirm_the_period():
    data = starter()
    data["indicators"][0]["baseline"] = {"value": 1774.9, "period": "tbc"}
    [d] = [d for d in diagnose(data) if d.code == "tbc"]
    assert d.message == "Indicator KPI-EA baseline period is still TBC"
    assert d.hint == "confirm the period before the plan goes to the board"


def test_tbc_baseline_value_asks_to_confirm_the_value():
    data = starter()
    data["indicators"][0]["baseline"] = {"value": "tbc", "period": "2024/25"}
    [d] = [d for d in diagnose(data) if d.code == "tbc"]
    assert d.hint == "confirm the value before the plan goes to the board"


# 4. text written tbc is a TBC ------------------------------------------------------------------

def test_tbc_version_is_listed_among_the_tbcs():
    data = starter()
    data["plan"]["version"] = "tbc"
    plan = build(data)
    assert [(t.path, t.label) for t in plan.tbcs] == [(("plan", "version"), "Plan version")]
    [d] = [d for d in diagnose(data) if d.code == "tbc"]
    assert d.message == "Plan version is still TBC"
    assert d.hint == "confirm the version before the plan goes to the board"
    assert d.line == dump(data).splitlines().index("  version: tbc") + 1


def test_tbc_text_facts_are_listed_with_readable_labels():
    data = starter()
    data["plan"]["date"] = "tbc"
    data["actions"][0]["lead"] = "tbc"
    data["risks"][0]["owner"] = "TBC"
    data["domains"][0]["lead"] = "tbc"
    labels = {t.label for t in build(data).tbcs}
    assert labels == {"Plan date", "Action OOH-01 lead", "Risk R-01 owner", "Domain ooh lead"}


def test_text_that_merely_mentions_tbc_is_not_a_tbc():
    data = starter()
    data["actions"][0]["lead"] = "Head of Commissioning (post tbc)"
    assert build(data).tbcs == []


# 5. mistakes not caught before ------------------------------------------------------------------

def test_two_indicators_with_the_same_title():
    data = starter()
    copy_of = copy.deepcopy(data["indicators"][0])
    copy_of["id"] = "KPI-EA2"
    copy_of["title"] = "Emergency admissions per 100,000  population "  # spacing differs
    data["indicators"].append(copy_of)
    text = dump(data)
    [d] = [d for d in validate_document(load_text(text, "plan.yaml")) if d.code == "duplicate-title"]
    lines = text.splitlines()
    first = next(i for i, l in enumerate(lines, 1) if "title:" in l and "Emergency admissions" in l)
    second = next(i for i, l in enumerate(lines, 1) if i > first and "title:" in l and "Emergency admissions" in l)
    assert d.severity == "warning" and d.line == second
    assert f"same title as indicator KPI-EA (line {first})" in d.message
    assert "KPI-EA2" in d.message


def test_different_titles_are_fine():
    data = starter()
    other = copy.deepcopy(data["indicators"][0])
    other.update(id="KPI-EL", title="Elective admissions")
    data["indicators"].append(other)
    assert "duplicate-title" not in [d.code for d in diagnose(data)]


def test_a_domain_with_no_actions():
    data = starter()
    data["domains"].append({"id": "mh", "title": "Mental Health"})
    text = dump(data)
    [d] = [d for d in validate_document(load_text(text, "plan.yaml")) if d.code == "domain-no-actions"]
    assert d.severity == "warning"
    assert d.message == "domain mh (Mental Health) has no actions"
    assert d.line == text.splitlines().index("- id: mh") + 1
    assert "domain: mh" in d.hint


def test_span_starting_before_the_period_is_fine():
    data = starter()
    data["actions"][0]["due"] = {"from": "2024-01", "to": "2026-03"}
    data["actions"][0]["start"] = "2024/25 Q4"
    assert [d.code for d in diagnose(data) if d.code == "date-outside-period"] == []


def test_span_ending_after_the_period_warns_like_a_plain_date():
    plain, span = starter(), starter()
    plain["actions"][0]["due"] = "2027-06"
    span["actions"][0]["due"] = {"from": "2025-06", "to": "2027-06"}
    [p] = [d for d in diagnose(plain) if d.code == "date-outside-period"]
    [s] = [d for d in diagnose(span) if d.code == "date-outside-period"]
    assert p.severity == s.severity == "warning"
    assert "outside the plan period 2025/26 to 2026/27" in s.message


def test_milestone_span_ending_after_the_period_warns():
    data = starter()
    data["actions"][0]["due"] = {"from": "2025-06", "to": "2027-06"}
    data["actions"][0]["milestones"][0]["due"] = {"from": "2025-06", "to": "2027-05"}
    diags = [d for d in diagnose(data) if d.code == "date-outside-period"]
    assert any("milestone OOH-01-M1" in d.message for d in diags)


# found by a second new user (Ashford and Canterbury & Coastal 2015/16) ------------------------------

def _last_year(status: str | None) -> dict:
    data = starter()
    action = data["actions"][0]
    action.update(start="2024/25 Q1", due="2024/25 Q3")
    action["milestones"][0].update(due="2024/25 Q2", status="complete")
    action.pop("rag", None)
    if status:
        action["status"] = status
    return data


def test_work_completed_before_the_plan_period_is_not_questioned():
    # A plan's "review of last year": delivered work dated before the period is a fact, not a mistake.
    assert [d for d in diagnose(_last_year("complete")) if d.code == "date-outside-period"] == []


def test_unfinished_work_dated_before_the_period_still_warns_and_says_how_to_mark_past_work():
    diags = [d for d in diagnose(_last_year("in_progress")) if d.code == "date-outside-period"]
    assert [d.yaml_path for d in diags] == ["actions[0].due"]  # the milestone is complete: not questioned
    assert "status: complete" in diags[0].hint and "widen plan.period" in diags[0].hint


def test_complete_work_due_after_the_period_still_warns():
    data = _last_year("complete")
    data["actions"][0]["due"] = "2027/28 Q1"
    assert [d.yaml_path for d in diagnose(data) if d.code == "date-outside-period"] == ["actions[0].due"]


def test_a_decimal_comma_is_read_as_a_decimal_point_in_the_fix():
    data = starter()
    data["indicators"][0]["baseline"]["value"] = "3,1"
    data["qipp"]["schemes"][0]["savings"]["2025/26"] = "1,500"
    diags = {d.yaml_path: d for d in diagnose(data)}
    assert diags["indicators[0].baseline.value"].hint == "write the decimal point as a full stop: 3.1"
    assert diags['qipp.schemes[0].savings["2025/26"]'].hint == "write numbers without commas: 1500"


def test_a_decimal_comma_in_a_table_cell():
    data = starter()
    data["tables"][0]["rows"][0]["2025/26"] = "2,3"
    [d] = [d for d in diagnose(data) if d.severity == "error"]
    assert "decimal comma" in d.message and d.hint == "write the decimal point as a full stop: 2.3"


def test_an_unrated_risk_is_not_pushed_to_invent_a_rating():
    data = starter()
    for key in ("likelihood", "impact", "target"):
        data["risks"][0].pop(key)
    [d] = [d for d in diagnose(data) if d.code == "risk-unrated"]
    assert "if it rates nothing, leaving them out is right" in d.hint


def test_a_sub_action_due_after_its_parent_warns():
    data = starter()
    parent = data["actions"][0]
    child = {"id": "OOH-01a", "domain": "ooh", "title": "Teams in the north", "parent": "OOH-01",
             "start": "2025/26 Q1", "due": "2026/27 Q4"}
    parent["due"] = "2025/26 Q4"
    parent["milestones"] = []
    data["actions"].append(child)
    [d] = [d for d in diagnose(data) if d.code == "sub-action-after-parent"]
    assert d.yaml_path == "actions[1].due"
    assert d.message == "sub-action OOH-01a is due 2026/27 Q4, after its parent OOH-01 (2025/26 Q4)"
    child["due"] = "2025/26 Q3"
    assert [d for d in diagnose(data) if d.code == "sub-action-after-parent"] == []


def test_contradicting_assessments_of_one_period_warn_and_agreeing_ones_do_not():
    data = starter()
    data["indicators"][0]["assessments"] = [
        {"period": "2014/15", "status": "below_target"}, {"period": "2014/15", "status": "worsening"},
        {"period": "2014/15", "status": "above_target"}, {"period": "2013/14", "status": "above_target"}]
    [d] = [d for d in diagnose(data) if d.code == "assessment-conflict"]
    assert d.yaml_path == "indicators[0].assessments[2].status"
    assert "Above target (2014/15)" in d.message and "Below target (2014/15)" in d.message


def test_two_domains_with_one_title_warn():
    data = starter()
    data["domains"].append({"id": "ooh2", "title": " out of  hospital care", "lead": "x"})
    data["actions"].append({"id": "OOH2-01", "domain": "ooh2", "title": "Other", "due": "2025/26 Q4"})
    [d] = [d for d in diagnose(data) if d.code == "duplicate-title"]
    assert d.yaml_path == "domains[1].title" and "domain ooh" in d.message


def test_a_keyword_written_in_words_gets_the_keyword_as_the_fix():
    data = starter()
    data["indicators"][0]["baseline"] = "Not stated"
    data["qipp"]["schemes"][0]["savings"]["2025/26"] = "TBC"
    data["qipp"]["schemes"][0]["investment"]["2025/26"] = "N/A"
    diags = {d.yaml_path: d for d in diagnose(data)}
    assert diags["indicators[0].baseline"].hint == "write not_stated (in lowercase, with an underscore)"
    assert diags["indicators[0].baseline"].message == "'Not stated' must be written not_stated here"
    assert diags['qipp.schemes[0].savings["2025/26"]'].hint == "write tbc (in lowercase)"
    assert diags['qipp.schemes[0].investment["2025/26"]'].hint == "write n/a (in lowercase)"


def test_a_keyword_the_field_does_not_take_is_not_suggested():
    data = starter()
    data["plan"]["status"] = "TBC"  # a plan's status is draft, submitted or approved: never tbc
    [d] = [d for d in diagnose(data) if d.yaml_path == "plan.status"]
    assert "tbc" not in d.hint
