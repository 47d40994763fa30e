"""The validator: each rule of plan-model.md with a passing and a failing case, located messages,
exit codes and output formats."""

import copy
import json
from pathlib import Path

import pytest
import yaml

from opgen.cli import main
from opgen.load import load_text
from opgen.validate import validate_document

ROOT = Path(__file__).resolve().parent.parent
from opgen.resources import SCHEMA_PATH, TEMPLATES_DIR  # noqa: E402
STARTER = yaml.safe_load((TEMPLATES_DIR / "new-plan.yaml").read_text().replace("{{SCHEMA}}", "x"))


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def diagnose(data=None, text=None):
    text = text if text is not None else dump(data)
    return validate_document(load_text(text, "plan.yaml"))


def codes(diags, severity=None):
    return [d.code for d in diags if severity is None or d.severity == severity]


def plan(**changes):
    data = copy.deepcopy(STARTER)
    data["plan"]["date"] = str(data["plan"]["date"])
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return data


DELETE = object()


def test_starter_plan_is_clean():
    assert diagnose(plan()) == []


def test_example_plans_have_no_errors(example_plan_path):
    diags = validate_document(load_text(example_plan_path.read_text(), str(example_plan_path)))
    assert codes(diags, "error") == []


# --- schema errors ------------------------------------------------------------------------------

def test_unknown_key_with_did_you_mean():
    text = dump(plan()).replace("milestones:", "milstones:")
    [d] = diagnose(text=text)
    assert d.code == "unknown-key" and "milstones" in d.message and "did you mean 'milestones'" in d.hint
    assert text.splitlines()[d.line - 1].strip().startswith("milstones")


def test_missing_required_section():
    [d] = diagnose(plan(plan=DELETE))
    assert d.code == "missing-field" and "'plan'" in d.message and "title, period" in d.hint


@pytest.mark.parametrize("value, hint", [("Amber", "did you mean 'amber'"), ("yellow", "allowed: red, amber, green")])
def test_bad_rag_value(value, hint):
    [d] = diagnose(plan(actions__0__rag={"2025/26": {"q1": value}}))
    assert d.code == "bad-value" and hint in d.hint and d.yaml_path == 'actions[0].rag["2025/26"].q1'


@pytest.mark.parametrize("year, fix", [("2025-26", '"2025/26"'), ("2025/2026", '"2025/26"'), ("2025/27", '"2025/26"')])
def test_malformed_financial_year_shows_the_right_form(year, fix):
    diags = diagnose(plan(actions__0__rag={year: {"q1": "green"}}))
    assert codes(diags, "error") == ["financial-year"]
    assert fix in diags[0].hint


def test_quarter_q5():
    [d] = diagnose(plan(actions__0__rag={"2025/26": {"q5": "green"}}))
    assert "q5" in d.message and "q4 (Jan-Mar)" in d.hint


def test_as_at_quarter_must_be_a_quarter():
    [d] = diagnose(plan(plan__as_at="2025/26 Q5"))
    assert d.code == "quarter" and d.yaml_path == "plan.as_at"


def test_list_where_a_mapping_belongs():
    [d] = diagnose(plan(organisation=[{"name": "NHS X"}]))
    assert d.code == "type" and "expected a mapping" in d.message and "not '- ' items" in d.hint


def test_actions_given_as_a_string():
    [d] = diagnose(plan(actions="lots of things"))
    assert d.code == "type" and "expected a list" in d.message


def test_likelihood_out_of_range():
    [d] = diagnose(plan(risks__0__likelihood=6))
    assert d.code == "out-of-range" and "1 to 5" in d.hint


def test_impact_without_likelihood():
    [d] = diagnose(plan(risks__0__likelihood=DELETE))
    assert d.code == "missing-field" and "likelihood" in d.message


def test_number_with_commas_gets_a_hint():
    [d] = diagnose(plan(qipp__schemes__0__savings={"2025/26": "1,500"}))
    assert "without commas" in d.hint


def test_numbers_accept_tbc_and_na():
    diags = diagnose(plan(qipp__schemes__0__savings={"2025/26": "tbc", "2026/27": "n/a"}))
    assert codes(diags, "error") == [] and codes(diags) == ["tbc"]


def test_text_field_given_a_number_is_told_to_quote_it():
    [d] = diagnose(plan(plan__version=1.0))
    assert 'put it in quotes: "1.0"' in d.hint


# --- semantic errors ----------------------------------------------------------------------------

def test_duplicate_id_across_lists():
    data = plan()
    data["risks"][0]["id"] = "OOH-01"
    [d] = diagnose(data)
    assert d.code == "duplicate-id" and "OOH-01" in d.message


def test_reference_to_missing_domain_suggests_the_near_miss():
    [d] = diagnose(plan(actions__0__domain="oh"))
    assert d.code == "unknown-reference" and "did you mean 'ooh'" in d.hint


def test_period_that_ends_before_it_starts():
    diags = diagnose(plan(plan__period={"start": "2025/26", "end": "2024/25"}))
    assert codes(diags, "error") == ["period-order"]


def test_year_outside_the_plan_period():
    diags = diagnose(plan(qipp__schemes__0__savings={"2030/31": 5}))
    assert codes(diags, "error") == ["outside-period"]
    assert "2025/26 to 2026/27" in diags[0].message


def test_impossible_date():
    diags = diagnose(plan(plan__date="2025-02-30"))
    assert codes(diags, "error") == ["date"]


def test_action_due_before_it_starts():
    diags = diagnose(plan(actions__0__due="2025/26 Q1", actions__0__start="2025/26 Q3"))
    assert "date-order" in codes(diags, "error")


def test_risk_bands_must_rise():
    diags = diagnose(plan(plan__risk_bands={"moderate": 8, "high": 4, "extreme": 15}))
    assert codes(diags, "error") == ["risk-bands"]


# --- warnings -----------------------------------------------------------------------------------

def test_stated_total_within_rounding_passes():
    assert diagnose(plan(qipp__stated_total={"2025/26": 350})) == []


@pytest.mark.parametrize("stated, rows", [(775.4, [775.5]), (3300, [3332]), (24006500, [23206000])])
def test_stated_total_that_differs_warns(stated, rows):
    data = plan(qipp__stated_investment_total={"2025/26": stated})
    data["qipp"]["schemes"][0]["investment"] = {"2025/26": rows[0]}
    diags = diagnose(data)
    assert codes(diags) == ["total-mismatch"] and diags[0].severity == "warning"


def test_total_over_tbc_is_reported_incomplete():
    data = plan(qipp__stated_total={"2026/27": 450})
    data["qipp"]["schemes"][0]["savings"]["2026/27"] = "tbc"
    assert sorted(codes(diagnose(data))) == ["tbc", "total-incomplete"]


def test_red_action_without_mitigation():
    assert codes(diagnose(plan(actions__0__rag={"2025/26": {"q1": "red"}}))) == ["red-unmitigated"]
    assert diagnose(plan(actions__0__rag={"2025/26": {"q1": "red"}}, actions__0__mitigation="Recovery plan")) == []


def test_extreme_risk_without_owner():
    assert codes(diagnose(plan(risks__0__likelihood=5, risks__0__impact=4, risks__0__owner=DELETE))) == [
        "extreme-unmitigated"]
    assert diagnose(plan(risks__0__likelihood=5, risks__0__impact=4)) == []


def test_milestone_after_its_action():
    diags = diagnose(plan(actions__0__milestones__0__due="2027-05"))
    assert "milestone-after-action" in codes(diags, "warning")


def test_indicator_without_baseline_or_target():
    assert sorted(codes(diagnose(plan(indicators__0__baseline=DELETE, indicators__0__targets=DELETE)))) == [
        "no-baseline", "no-target"]


def test_rag_after_as_at():
    assert codes(diagnose(plan(actions__0__rag={"2025/26": {"q1": "green", "q2": "green"}}))) == ["rag-after-as-at"]


def test_rating_that_contradicts_the_score():
    assert codes(diagnose(plan(risks__0__rating="low"))) == ["risk-rating-mismatch"]


def test_unrated_risk():
    assert codes(diagnose(plan(risks__0__likelihood=DELETE, risks__0__impact=DELETE, risks__0__target=DELETE))) == [
        "risk-unrated"]


def test_business_rule_surplus_below_one_percent():
    finance = {"unit": "gbp_millions", "allocation": [{"id": "F-1", "title": "Programme", "amounts": {"2025/26": 200}}],
               "surplus": {"2025/26": 1}}
    assert codes(diagnose(plan(finance=finance))) == ["business-rule"]
    finance["surplus"] = {"2025/26": 2}
    assert diagnose(plan(finance=finance)) == []


# --- command line -------------------------------------------------------------------------------

def write(tmp_path, data, name="plan.yaml"):
    path = tmp_path / name
    path.write_text(dump(data))
    return str(path)


def test_exit_codes_and_strict(tmp_path, capsys):
    good = write(tmp_path, plan(), "good.yaml")
    warned = write(tmp_path, plan(qipp__schemes__0__savings={"2025/26": "tbc"}), "warned.yaml")
    bad = write(tmp_path, plan(actions__0__domain="nope"), "bad.yaml")
    assert main(["validate", good]) == 0
    assert main(["validate", warned]) == 0
    assert main(["validate", "--strict", warned]) == 1
    assert main(["validate", good, bad]) == 1
    assert main(["validate", good, str(tmp_path / "missing.yaml")]) == 2
    assert main(["validate", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "error: there is no domain with the id 'nope'" in out


def test_json_format(tmp_path, capsys):
    bad = write(tmp_path, plan(actions__0__domain="nope"))
    assert main(["validate", "--format", "json", bad]) == 1
    [d] = json.loads(capsys.readouterr().out)
    assert {"file", "line", "column", "severity", "code", "message"} <= set(d)
    assert d["line"] > 1 and d["severity"] == "error"


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2


def test_new_writes_a_plan_that_validates(tmp_path, capsys):
    target = tmp_path / "plans" / "mine.yaml"
    (tmp_path / "schemas").mkdir()  # a plans repository's schema copy: the modeline points at it, relatively
    (tmp_path / "schemas" / "plan.schema.json").write_bytes(SCHEMA_PATH.read_bytes())
    assert main(["new", str(target)]) == 0
    assert target.read_text().startswith("# yaml-language-server: $schema=")
    assert main(["validate", "--strict", str(target)]) == 0
    assert main(["new", str(target)]) == 2  # never overwrites without --force


def test_schema_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema")


def test_huge_figure_is_shown_not_crashed_on():
    from decimal import Decimal

    from opgen.model import format_decimal

    assert format_decimal(Decimal("1E+3")) == "1,000"
    assert format_decimal(Decimal("3.4028155562455428E+38")).startswith("340,281,555,624,554,280,000")
    # a figure no plan states is refused where it is read, with its line (opgen.load.MAX_NUMBER)
    from opgen.pipeline import plan_from_bytes

    result = plan_from_bytes(dump(plan(qipp__stated_total={"2025/26": 3.4028155562455428e+38})).encode(), "p.yaml")
    [d] = result.report.errors
    assert d.severity == "error" and d.line > 0 and "too large for a plan figure" in d.message
