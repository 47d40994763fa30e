"""Indicators version 2 (issue 9, part 2): groups, benchmarks by period, targets stated against the
present (maintain, reduce by, increase by, as another indicator), trajectories, breakdown by area;
validated with located messages, printed in the full plan (tables, a chart with a text alternative)
and the Word annex (the same tables), and reported by `opgen diff` matched by id and period."""

from __future__ import annotations

import copy
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import docx
import lxml.html
import pytest
import yaml

from opgen import display
from opgen.diff.headline import diff_plans
from opgen.diff.report import render_json, render_text
from opgen.indicators import xmr_limits
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render import indicators as view
from opgen.render.docx import annex_docx
from opgen.render.html import operational_plan_html
from opgen.render.textconv import render_textconv

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "indicators-v2.yaml"
SPACES = re.compile(r"\s+")


def norm(text: str) -> str:
    return SPACES.sub(" ", text or "").strip()


@pytest.fixture(scope="module")
def data() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan():
    result = plan_from_file(FIXTURE)
    assert result.ok, [d.as_text() for d in result.report.diagnostics]
    return result.plan


def _result(data: dict):
    return plan_from_bytes(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode(), "plan.yaml")


def _plan(data: dict):
    result = _result(data)
    assert result.ok, [d.as_text() for d in result.report.diagnostics]
    return result.plan


def _errors(data: dict, code: str | None = None) -> list:
    found = [d for d in _result(data).report.diagnostics if d.severity == "error"]
    return [d for d in found if code is None or d.code == code]


def _indicator(data: dict, ind_id: str) -> dict:
    return next(i for i in data["indicators"] if i["id"] == ind_id)


# --- validation -----------------------------------------------------------------------------------

def test_the_fixture_validates_without_errors_or_warnings():
    result = plan_from_file(FIXTURE)
    assert result.ok
    assert [d.as_text() for d in result.report.diagnostics] == []


def test_target_see_names_an_existing_other_indicator_with_did_you_mean(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-CDIFF")["targets"]["2015/16"] = {"see": "KPI-MRS"}
    [e] = _errors(d, "unknown-reference")
    assert "no indicator with the id 'KPI-MRS'" in e.message and "did you mean 'KPI-MRSA'?" in e.hint
    dumped = yaml.safe_dump(d, sort_keys=False, allow_unicode=True).splitlines()
    assert dumped[e.line - 1][e.column - 1:].startswith("KPI-MRS")  # located at the value
    _indicator(d, "KPI-CDIFF")["targets"]["2015/16"] = {"see": "KPI-CDIFF"}
    [e] = _errors(d, "target-see-self")
    assert "itself" in e.message and "another indicator" in e.hint


def test_a_target_that_is_both_its_own_figure_and_another_indicators_is_an_error(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-CDIFF")["targets"]["2015/16"] = {"see": "KPI-MRSA", "value": 3}
    [e] = _errors(d, "target-see-and-value")
    assert "remove value" in e.hint


@pytest.mark.parametrize("target, code, words", [
    ({"comparison": "reduce_by"}, "target-no-value", "but not by how much"),
    ({"comparison": "at_most"}, "target-no-value", "but no figure"),
    ({"comparison": "reduce_by", "value": -5}, "target-change-sign", "must be more than 0"),
    ({"value": 5, "unit": "percent"}, "target-unit", "only a change has"),
    ({"comparison": "reduce_by", "value": 5, "unit": "percent", "numerator": 1, "denominator": 20},
     "target-change-count", "no count behind it"),
])
def test_comparison_and_value_combinations_that_make_no_sense_are_errors_with_a_fix(data, target, code, words):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["targets"]["2015/16"] = target
    [e] = _errors(d, code)
    assert words in e.message and e.hint and e.line > 0 and e.column > 0


def test_a_rank_cannot_be_more_than_the_number_ranked(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["benchmarks"][1]["rank"] = {"value": 212, "of": 211}
    [e] = _errors(d, "rank-over")
    assert "ranked 212 of 211" in e.message and "at most 211" in e.hint


def test_benchmark_periods_parse_and_are_not_given_twice(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["benchmarks"][0]["period"] = "2013-13"
    errors = _errors(d)
    assert errors and all(e.line > 0 for e in errors)
    assert any("2013-13" in e.message for e in errors)
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["benchmarks"][0]["period"] = "2013/14"
    [e] = _errors(d, "duplicate-benchmark")
    assert "two benchmarks for 2013/14" in e.message


def test_percentiles_in_order_and_a_benchmark_with_no_figure(data):
    d = copy.deepcopy(data)
    b = _indicator(d, "KPI-EA")["benchmarks"][0]
    b["p25"], b["p75"] = 1905.0, 1610.0
    assert "swap p25 and p75" in _errors(d, "percentile-order")[0].hint
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["benchmarks"][0] = {"period": "2012/13", "source": "PHOF"}
    assert _errors(d, "benchmark-empty")


def test_area_ids_are_unique_within_the_indicator_but_may_repeat_across_indicators(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-AE")["areas"][1]["id"] = "north"
    [e] = _errors(d, "duplicate-id")
    assert "two areas with the id 'north'" in e.message
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["areas"] = [{"id": "north", "title": "North locality", "targets": {"2015/16": 1700}}]
    assert _errors(d) == []


def test_counts_on_the_new_values_are_checked_against_the_value(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-AE")["trajectory"]["2014-04"] = {"value": 94.0, "numerator": 9000, "denominator": 10000}
    [e] = _errors(d, "count-mismatch")
    assert "trajectory Apr 2014" in e.message
    d = copy.deepcopy(data)
    _indicator(d, "KPI-AE")["areas"][0]["actuals"]["2014/15"] = {"value": 94.9, "numerator": 949}
    [e] = _errors(d, "count-half")
    assert "area north actual 2014/15" in e.message


def test_a_version_1_plan_using_indicators_v2_gets_the_located_version_error():
    v1 = yaml.safe_load((Path(__file__).parent / "fixtures" / "v1" / "south-kent-coast-2014-16.yaml").read_text())
    v1["indicators"][0]["group"] = "nhs_constitution"
    v1["indicators"][0]["targets"] = {"2014/15": {"comparison": "maintain"}}
    errors = _errors(v1, "needs-version-2")
    assert {e.message.split(" needs")[0] for e in errors} == {
        f"'group' in indicator {v1['indicators'][0]['id']}", "comparison: maintain"}
    assert all("opgen migrate" in e.hint for e in errors)


def test_a_target_of_the_wrong_shape_gets_a_schema_message_naming_the_new_forms(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["targets"]["2015/16"] = {"comparison": "reduce", "value": 5}
    errors = _errors(d)
    assert errors and errors[0].line > 0
    assert any("reduce_by" in e.hint for e in errors)


# --- statistics and the chart ---------------------------------------------------------------------

def test_xmr_limits_are_mean_plus_or_minus_2_66_mean_moving_ranges():
    values = [Decimal(v) for v in (10, 12, 11, 13, 12, 14, 13, 15, 14, 16, 15, 17)]
    limits = xmr_limits(values)
    assert limits.mean == Decimal("13.5")
    mr = Decimal(sum(abs(b - a) for a, b in zip(values, values[1:]))) / 11  # 21 / 11
    assert limits.upper == limits.mean + Decimal("2.66") * mr
    assert limits.lower == limits.mean - Decimal("2.66") * mr
    assert xmr_limits(values[:11]) is None  # fewer than 12 points: no process limits


def test_chart_needs_6_points_a_run_chart_until_12_then_process_limits(data):
    d = copy.deepcopy(data)
    ae = _indicator(d, "KPI-AE")
    months = list(ae["actuals"])
    ae["actuals"] = {m: ae["actuals"][m] for m in months[:5]}
    assert view.chart(next(i for i in _plan(d).indicators if i.id == "KPI-AE")) is None
    ae["actuals"] = {m: _indicator(data, "KPI-AE")["actuals"][m] for m in months[:8]}
    run = view.chart(next(i for i in _plan(d).indicators if i.id == "KPI-AE"))
    assert not run["spc"] and "Median" in run["legend"] and "Process limits" not in run["legend"]
    assert "Median" in run["summary"] and "process limits" not in run["summary"]


def test_the_chart_has_a_text_alternative_and_marks_special_cause(plan):
    ae = next(i for i in plan.indicators if i.id == "KPI-AE")
    c = view.chart(ae)
    assert c["spc"]
    assert c["summary"] == ("Actuals from Apr 2014 to May 2015 (14 points); latest 95.4% (May 2015). Mean 94.1%; "
                            "process limits 92.0% to 96.2%; 1 point outside them (Dec 2014). Trajectory of 5 points. "
                            "Target at least 95%.")
    assert [d["outside"] for d in c["dots"]].count(True) == 1


# --- the full plan --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(plan):
    return lxml.html.fromstring(operational_plan_html(plan, []))


def _cell_text(el) -> str:
    """A cell as read: a figure and its period note (a block under it) separated by a space."""
    el = copy.deepcopy(el)
    for per in el.xpath(".//*[contains(concat(' ', @class, ' '), ' per ')]"):
        per.text = " " + (per.text or "")
    return norm(el.text_content())


def _html_table(page, table_id: str) -> list[list[str]]:
    table = page.get_element_by_id(f"ind2-{table_id}")
    return [[_cell_text(c) for c in tr.xpath("./th|./td")] for tr in table.xpath(".//tr")]


def test_full_plan_has_a_benchmark_table_with_only_the_columns_given(page):
    rows = _html_table(page, "benchmarks")
    assert rows[0] == ["Period", "This plan", "England", "Region", "County", "Peer median",
                       "Peer 25th\u201375th percentile", "Rank", "Peer group"]
    assert ["2013/14", "1,774.9", "1,800.0", "\u2013", "\u2013", "1,750.0", "1,600.0 to 1,900.0", "118 of 211",
            "ONS cluster"] in rows
    assert ["2013/14", "94.1%", "95.7%", "95.1%", "94.8%", "\u2013", "\u2013", "150 of 211", "\u2013"] in rows


def test_full_plan_has_the_constitution_standards_with_current_position_and_trajectory(page):
    rows = _html_table(page, "constitution")
    assert rows[0] == ["Standard", "Current position", "Trajectory", "Target"]
    assert rows[1] == ["A&E patients seen within 4 hours [E.B.5]", "95.4% (May 2015)", "95.0% (Apr 2015)",
                       "at least 95% (2015/16)"]
    assert rows[2] == ["C. difficile infections", "Not reported", "\u2013", "As KPI-MRSA (2015/16)"]


def test_full_plan_has_the_area_breakdown_and_the_series(page):
    assert _html_table(page, "areas-KPI-AE")[1:] == [
        ["North locality", "Locality", "95.2% (2013/14)", "95%", "94.9% (2014/15)"],
        ["South locality", "Locality", "92.8% (2013/14)", "Increase by 2 percentage points", "93.1% (2014/15)"]]
    series = _html_table(page, "series-KPI-AE")
    assert series[1] == ["Apr 2014", "93.2% (9,320 of 10,000)", "94.0%"]
    assert len(series) == 1 + 14


def test_full_plan_chart_is_inline_svg_with_title_and_description(page, plan):
    svg = page.xpath("//figure[contains(@class, 'ind2-chart')]//svg")
    assert len(svg) == 1
    assert svg[0].get("role") == "img"
    desc = svg[0].xpath(".//desc")[0].text_content()
    assert desc == view.chart(plan.indicators[0])["summary"]
    assert svg[0].xpath(".//polyline")  # drawn as vectors


def test_targets_in_words_in_the_performance_table(page):
    text = norm(page.text_content())
    assert "Maintain" in text and "As KPI-MRSA" in text and "Reduce by 5%" in text


def test_absent_v2_data_leaves_no_empty_tables(data):
    d = copy.deepcopy(data)
    for ind in d["indicators"]:
        for key in ("group", "benchmarks", "trajectory", "areas"):
            ind.pop(key, None)
        ind["actuals"] = dict(list((ind.get("actuals") or {}).items())[:2])
    plan = _plan(d)
    assert view.view(plan) is None
    html = operational_plan_html(plan, [])
    assert "ind2-" not in html and display.BENCHMARKS_TITLE not in html
    doc = docx.Document(io.BytesIO(annex_docx(plan)))
    assert display.BENCHMARKS_TITLE not in [p.text for p in doc.paragraphs]


# --- the Word annex: the same tables, the same words ----------------------------------------------

def test_word_annex_prints_the_same_tables_as_the_full_plan(plan, page):
    doc = docx.Document(io.BytesIO(annex_docx(plan)))
    word_tables = [[[norm(c.text) for c in row.cells] for row in t.rows] for t in doc.tables]
    for table_id in ("constitution", "benchmarks", "areas-KPI-AE", "series-KPI-AE"):
        html_rows = [r for r in _html_table(page, table_id) if len(r) > 1]  # group rows span the table
        match = [t for t in word_tables if t[0] == html_rows[0]]
        assert match, table_id
        word_rows = [r for r in match[0] if len(set(r)) > 1 or len(r) == 1]
        assert [r for r in word_rows if len(set(r)) > 1] == html_rows, table_id
    text = "\n".join(p.text for p in doc.paragraphs)
    assert view.chart(plan.indicators[0])["summary"] in text  # the chart, in words


# --- diff and textconv ----------------------------------------------------------------------------

def test_diff_reports_benchmark_area_target_and_trajectory_changes_by_id_and_period(data):
    old = _plan(data)
    d = copy.deepcopy(data)
    ea, ae, cdiff = _indicator(d, "KPI-EA"), _indicator(d, "KPI-AE"), _indicator(d, "KPI-CDIFF")
    ea["benchmarks"].reverse()  # order in the file does not matter: matched by period
    ea["benchmarks"][0]["national"] = 1795.5
    ea["benchmarks"][0]["rank"] = {"value": 110, "of": 211}
    ae["areas"].reverse()       # matched by area id
    ae["areas"][1]["targets"]["2015/16"] = 96
    ae["trajectory"]["2015-01"] = 94.0
    cdiff["targets"]["2014/15"] = {"value": 30, "comparison": "at_most"}
    ae["areas"].append({"id": "east", "title": "East locality", "actuals": {"2014/15": 95.5}})
    cs = diff_plans(old, _plan(d))
    got = {(c.id, c.field, c.kind, c.old_text, c.new_text) for c in cs.changes}
    assert got == {
        ("KPI-EA", "benchmark 2013/14 England", "decreased", "1,800.0", "1,795.5"),
        ("KPI-EA", "benchmark 2013/14 rank", "changed", "118 of 211", "110 of 211"),
        ("KPI-AE", "area North locality target 2015/16", "increased", "95%", "96%"),
        ("KPI-AE", "trajectory Jan 2015", "decreased", "95.0%", "94.0%"),
        ("KPI-CDIFF", "target 2014/15", "changed", "Maintain", "at most 30"),
        ("KPI-AE", "area east", "added", "", ""),
    }
    by_field = {c.field: c for c in cs.changes}
    assert by_field["trajectory Jan 2015"].direction == "less-ambitious"  # higher is better
    assert by_field["area North locality target 2015/16"].direction == "more-ambitious"
    text = render_text(cs)
    assert "KPI-EA" in text and "benchmark 2013/14 England: 1,800.0 \u2192 1,795.5" in text
    js = json.loads(render_json(cs))
    fields = {(c["id"], c["field"]): c for c in js["changes"]}
    assert fields[("KPI-CDIFF", "target 2014/15")]["old"] == "maintain"
    assert fields[("KPI-CDIFF", "target 2014/15")]["new"] == 30
    assert fields[("KPI-AE", "trajectory Jan 2015")]["old"] == 95


def test_an_unchanged_plan_diffs_empty(plan, data):
    assert diff_plans(plan, _plan(copy.deepcopy(data))).changes == []


def test_textconv_shows_benchmarks_trajectory_and_areas(plan):
    text = render_textconv(plan)
    for line in ("KPI-EA benchmark 2013/14 England: 1,800.0", "KPI-EA benchmark 2013/14 rank: 118 of 211",
                 "KPI-AE trajectory Jan 2015: 95.0%", "KPI-AE area south target 2015/16: Increase by 2 percentage points",
                 "KPI-CDIFF target 2014/15: Maintain", "KPI-CDIFF group: NHS Constitution standards"):
        assert line in text


def test_a_revised_reduction_reads_as_the_board_agreed_it(data):
    d = copy.deepcopy(data)
    _indicator(d, "KPI-EA")["targets"]["2015/16"] = {
        "comparison": "reduce_by", "value": 0.8, "unit": "percent",
        "revised_from": {"value": 3.5, "by": "Kent Health and Wellbeing Board"}}
    plan = _plan(d)
    ea = next(i for i in plan.indicators if i.id == "KPI-EA")
    target = ea.targets[next(p for p in ea.targets if p.text == "2015/16")]
    assert display.indicator_value(ea, target) == "Reduce by 0.8% (revised from 3.5%)"
    assert display.revision_note(ea, "2015/16", target) == (
        "Target 2015/16 (reduce by) revised from 3.5% to 0.8%, agreed by Kent Health and Wellbeing Board")
    html = operational_plan_html(plan, [])
    assert "Reduce by 0.8%" in html and "(revised from 3.5%)" in html


def test_every_indicator_set_is_named_in_both_outputs(plan, page):
    rows = _html_table(page, "sets")
    assert rows == [["Set", "Indicators"],
                    ["NHS Constitution standards", "KPI-AE A&E patients seen within 4 hours, KPI-CDIFF C. difficile "
                     "infections and KPI-MRSA MRSA bacteraemia"],
                    ["CCG Outcomes Indicator Set", "KPI-EA Emergency admissions for acute conditions that should not "
                     "usually require admission"]]
    doc = docx.Document(io.BytesIO(annex_docx(plan)))
    word = [[[norm(c.text) for c in row.cells] for row in t.rows] for t in doc.tables]
    assert rows in word


def test_percent_figures_in_the_new_places_are_held_to_0_to_100(data):
    d = copy.deepcopy(data)
    ae = _indicator(d, "KPI-AE")
    ae["trajectory"]["2014-07"] = 950
    ae["benchmarks"][0]["national"] = 0.957
    ae["areas"][0]["baseline"]["value"] = 952
    errors = _errors(d, "percent-range")
    assert sorted(e.message.split(" is ")[0] for e in errors) == [
        "the area north baseline of indicator KPI-AE", "the trajectory Jul 2014 of indicator KPI-AE"]
    assert all(e.line > 0 for e in errors)  # 0.957 is a (suspicious) percent in range: not an error
