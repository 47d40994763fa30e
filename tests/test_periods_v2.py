"""Issue 8, items 4, 5 and 9: figures for any period, the dates real plans use, and validation that
groups one cause into one message. Each test reads what a user would see: validate's messages, the
cells of the full plan, the plan on a page, the Word annex, the diff and the textconv view."""

from __future__ import annotations

import copy
import io
import json
import re

import docx
import pytest
import yaml

from opgen.cli import main
from opgen.diagnostics import format_json, format_text, grouped
from opgen.diff.headline import diff_plans
from opgen.diff.report import render_text
from opgen.load import load_text
from opgen.periods import PeriodError, When
from opgen.pipeline import plan_from_bytes
from opgen.render.docx import annex_docx
from opgen.render.html import operational_plan_html
from opgen.render.pop import plan_on_a_page_html
from opgen.render.textconv import render_textconv
from opgen.resources import TEMPLATES_DIR
from opgen.validate import validate_document

STARTER = yaml.safe_load((TEMPLATES_DIR / "new-plan.yaml").read_text().replace("{{SCHEMA}}", "x"))


def v2(**sections) -> dict:
    """The starter plan as version 2 (plan period 2025/26 to 2026/27), with sections replaced."""
    data = copy.deepcopy(STARTER)
    data["schema_version"] = 2
    data["plan"]["date"] = str(data["plan"]["date"])
    for name, value in sections.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = copy.deepcopy(value)
    return data


def text_of(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def diagnose(data=None, text=None):
    return validate_document(load_text(text if text is not None else text_of(data), "plan.yaml"))


def built(data):
    result = plan_from_bytes(text_of(data).encode(), "plan.yaml")
    assert result.ok, [d.as_text() for d in result.report.errors]
    return result


def codes(diags, severity=None):
    return [d.code for d in diags if severity is None or d.severity == severity]


def cell_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " "))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts).replace("\u00a0", " ")


ANY_PERIOD_INDICATOR = {
    "id": "KPI-A", "domain": "ooh", "title": "A&E within four hours", "unit": "percent",
    "polarity": "higher_is_better", "headline": True,
    "baseline": {"value": 93.1, "period": "2012-07/2013-06"},
    "targets": {"2016/17": 95, "2013-12": 94, "2012": 92.5},
    "actuals": {"2013-12": 93.4, "2014/15 Q1": 94.2},
}


# --- item 4: figures for any period ----------------------------------------------------------------

def test_indicator_figures_for_any_period_are_not_refused():
    # the plan runs 2025/26 to 2026/27; the indicator reports years before it and a target after it
    diags = diagnose(v2(indicators=[ANY_PERIOD_INDICATOR]))
    assert codes(diags, "error") == []
    assert "outside-period" not in codes(diags)


def test_plan_period_still_bounds_delivery():
    data = v2()
    data["actions"][0]["rag"] = {"2030/31": {"q1": "green"}}
    diags = diagnose(data)
    assert "outside-period" in codes(diags, "error")


def test_a_period_that_is_not_real_is_a_located_error():
    indicator = dict(ANY_PERIOD_INDICATOR, targets={"2013-13": 94})
    data = v2(indicators=[indicator])
    text = text_of(data)
    diags = diagnose(text=text)
    (d,) = [d for d in diags if d.severity == "error"]
    assert d.code == "period" and "2013-13" in d.message and d.hint
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "2013-13" in l)
    assert d.line == line


def test_model_sorts_indicator_periods_by_time():
    ind = built(v2(indicators=[ANY_PERIOD_INDICATOR])).plan.indicators[0]
    assert [p.words for p in ind.targets] == ["2012", "Dec 2013", "2016/17"]
    assert ind.baseline_period.words == "12 months to Jun 2013"
    period, value = ind.latest_actual()
    assert period.words == "2014/15 Q1"


def test_full_plan_prints_periods_in_words_never_iso():
    result = built(v2(indicators=[ANY_PERIOD_INDICATOR]))
    html = operational_plan_html(result.plan, result.report.diagnostics)
    performance = cell_text(html[html.rindex("Performance and delivery summary"):])
    performance = performance[:performance.index("QIPP")] if "QIPP" in performance else performance
    for words in ("Target 2012", "Target Dec 2013", "Target 2016/17", "Target 2025/26",
                  "(12 months to Jun 2013)", "(2014/15 Q1)"):
        assert words in performance, words
    assert "2013-12" not in performance and "2012-07" not in performance
    # sorted by time: 2012, Dec 2013, 2016/17, then the plan's years
    order = [performance.index(f"Target {w}") for w in ("2012", "Dec 2013", "2016/17", "2025/26")]
    assert order == sorted(order)


def test_plan_on_a_page_prints_the_baseline_period_in_words():
    result = built(v2(indicators=[ANY_PERIOD_INDICATOR]))
    html = cell_text(plan_on_a_page_html(result.plan, result.report.diagnostics))
    assert "12 months to Jun 2013" in html and "2012-07/2013-06" not in html
    assert "2016/17" in html  # the last target with a number


def test_word_annex_prints_periods_in_words():
    result = built(v2(indicators=[ANY_PERIOD_INDICATOR]))
    text = docx_text(annex_docx(result.plan, result.report.diagnostics))
    for words in ("Dec 2013", "(12 months to Jun 2013)", "2016/17", "(2014/15 Q1)"):
        assert words in text, words
    assert "2013-12" not in text and "2012-07/2013-06" not in text


def test_textconv_and_diff_print_periods_in_words():
    old = built(v2(indicators=[ANY_PERIOD_INDICATOR]))
    changed = dict(ANY_PERIOD_INDICATOR, targets={"2016/17": 95, "2013-12": 94.5, "2012": 92.5})
    new = built(v2(indicators=[changed]))
    conv = render_textconv(new.plan)
    assert "KPI-A target Dec 2013: 94.5%" in conv and "2013-12" not in conv
    assert "KPI-A baseline: 93.1% (12 months to Jun 2013)" in conv
    report = render_text(diff_plans(old.plan, new.plan))
    assert "target Dec 2013" in report and "2013-12" not in report


def test_v1_indicator_targets_render_as_before(skc_result):
    html = operational_plan_html(skc_result.plan, skc_result.report.diagnostics)
    assert "Target<br>2014/15" in html and "Target<br>2015/16" in html
    text = docx_text(annex_docx(skc_result.plan, skc_result.report.diagnostics))
    assert "2014/15" in text


# --- item 5: the dates real plans use ----------------------------------------------------------------

def test_when_forms_in_words():
    assert When.parse("ongoing").words == "Ongoing" and When.parse("ongoing").end is None
    assert When.parse({"throughout": "2014/15"}).words == "Throughout 2014/15"
    span = When.parse({"from": "2014/15 Q2", "to": "2015/16 Q1"})
    assert span.words == "2014/15 Q2 to 2015/16 Q1" and str(span.end) == "2015-06-30"
    assert When.parse("2015-03").words == "Mar 2015"
    with pytest.raises(PeriodError):
        When.parse({"from": "2015/16 Q1", "to": "2014/15 Q2"})


WHEN_ACTIONS = [
    {"id": "OOH-01", "domain": "ooh", "title": "Neighbourhood teams", "start": "2025/26 Q1", "due": "ongoing",
     "milestones": [{"id": "OOH-01-M1", "title": "Teams in place", "due": {"throughout": "2025/26"}}],
     "rag": {"2025/26": {"q1": "green"}}},
    {"id": "OOH-02", "domain": "ooh", "title": "Single point of access",
     "due": {"from": "2025/26 Q2", "to": "2026/27 Q1"}},
]


def test_actions_with_ongoing_throughout_and_spans_validate_and_print_in_words():
    result = built(v2(actions=WHEN_ACTIONS, qipp=None, indicators=None, risks=None))
    assert codes(result.report.diagnostics) == []
    html = cell_text(operational_plan_html(result.plan, result.report.diagnostics))
    for words in ("Ongoing", "Throughout 2025/26", "2025/26 Q2 to 2026/27 Q1"):
        assert words in html, words
    assert "{'" not in html and "throughout:" not in html
    text = docx_text(annex_docx(result.plan, result.report.diagnostics))
    for words in ("Ongoing", "Throughout 2025/26", "2025/26 Q2 to 2026/27 Q1"):
        assert words in text, words
    conv = render_textconv(result.plan)
    assert "OOH-02 due: 2025/26 Q2 to 2026/27 Q1" in conv and "OOH-01 due: Ongoing" in conv


def test_diff_reports_a_due_date_now_ongoing_in_words():
    old_actions = copy.deepcopy(WHEN_ACTIONS)
    old_actions[0]["due"] = "2026/27 Q4"
    old = built(v2(actions=old_actions, qipp=None, indicators=None, risks=None))
    new = built(v2(actions=WHEN_ACTIONS, qipp=None, indicators=None, risks=None))
    cs = diff_plans(old.plan, new.plan)
    (change,) = [c for c in cs.changes if c.id == "OOH-01" and c.field == "due"]
    assert (change.old_text, change.new_text) == ("2026/27 Q4", "Ongoing")
    report = render_text(cs)
    assert "2026/27 Q4" in report and "Ongoing" in report and "ongoing" not in report.replace("Ongoing", "")


def test_a_mistake_inside_throughout_points_at_the_inner_value():
    actions = copy.deepcopy(WHEN_ACTIONS)
    actions[0]["milestones"][0]["due"] = {"throughout": "2025-26"}
    text = text_of(v2(actions=actions, qipp=None, indicators=None, risks=None))
    (d,) = [d for d in diagnose(text=text) if d.severity == "error"]
    assert "2025-26" in d.message and "mapping" not in d.message
    assert d.code == "financial-year" and '"2025/26"' in d.hint
    line_text = text.splitlines()[d.line - 1]
    assert line_text[d.column - 1:].startswith("'2025-26'") or line_text[d.column - 1:].startswith("2025-26")


def test_a_span_ending_before_it_starts_is_an_error():
    actions = copy.deepcopy(WHEN_ACTIONS)
    actions[1]["due"] = {"from": "2026/27 Q1", "to": "2025/26 Q2"}
    diags = diagnose(v2(actions=actions, qipp=None, indicators=None, risks=None))
    (d,) = [d for d in diags if d.severity == "error"]
    assert "ends (2025/26 Q2) before it starts (2026/27 Q1)" in d.message


# --- item 9: validation --------------------------------------------------------------------------------

def test_percent_outside_0_to_100_is_a_located_error():
    indicator = dict(ANY_PERIOD_INDICATOR, targets={"2025/26": 120})
    text = text_of(v2(indicators=[indicator]))
    (d,) = [d for d in diagnose(text=text) if d.severity == "error"]
    assert d.code == "percent-range" and "120%" in d.message and "0 to 100%" in d.message
    assert "120" in text.splitlines()[d.line - 1] and "95.2" in d.hint


def test_dates_outside_the_plan_period_or_before_the_action_starts():
    actions = copy.deepcopy(WHEN_ACTIONS)
    actions[1]["due"] = "2030/31 Q2"
    actions[0]["milestones"] = [{"id": "OOH-01-M1", "title": "Early", "due": "2024-12"}]
    diags = diagnose(v2(actions=actions, qipp=None, indicators=None, risks=None))
    messages = {d.code: d for d in diags}
    assert "action OOH-02 is due 2030/31 Q2, outside the plan period 2025/26 to 2026/27" in \
        messages["date-outside-period"].message
    assert messages["milestone-before-action"].message.startswith("milestone OOH-01-M1 is due Dec 2024, before")
    assert all(d.hint for d in diags)


def test_ongoing_is_never_late_nor_outside_the_period():
    actions = copy.deepcopy(WHEN_ACTIONS)
    actions[0]["due"] = "2025/26 Q2"
    actions[0]["milestones"] = [{"id": "OOH-01-M1", "title": "Runs on", "due": "ongoing"}]
    assert codes(diagnose(v2(actions=actions, qipp=None, indicators=None, risks=None))) == []


def test_a_stated_total_with_no_rows_warns():
    qipp = {"unit": "gbp_thousands", "schemes": [], "stated_total": {"2025/26": 775.4}}
    (d,) = [d for d in diagnose(v2(qipp=qipp)) if d.code == "total-no-rows"]
    assert d.severity == "warning" and "775.4" in d.message and "no QIPP schemes" in d.message


def test_a_tbc_baseline_period_is_in_the_tbc_inventory():
    indicator = dict(ANY_PERIOD_INDICATOR, baseline={"value": 93.1, "period": "tbc"})
    result = built(v2(indicators=[indicator]))
    assert [t.label for t in result.plan.tbcs] == ["Indicator KPI-A baseline period"]
    assert "tbc" in codes(result.report.warnings)
    html = operational_plan_html(result.plan, result.report.diagnostics)
    assert "Indicator KPI-A ‘A&amp;E within four hours’, baseline period" in html  # named in words


def test_a_number_with_commas_says_write_it_without():
    data = v2()
    data["qipp"]["schemes"][0]["savings"]["2025/26"] = "10,009"
    (d,) = [d for d in diagnose(data) if d.severity == "error"]
    assert d.hint == "write numbers without commas: 10009"


def test_version_history_out_of_date_order_warns():
    data = v2()
    data["plan"]["history"] = [{"version": "0.1", "date": "2025-03-01"}, {"version": "0.2", "date": "2025-01"},
                               {"version": "0.3", "date": "2025-04-02"}]
    (d,) = [d for d in diagnose(data) if d.code == "history-order"]
    assert d.severity == "warning" and "version 0.2 is dated Jan 2025, before version 0.1" in d.message


# --- item 9: one cause, one message ---------------------------------------------------------------------

def _many_out_of_period(n: int) -> dict:
    data = v2()
    data["qipp"]["schemes"] = [
        {"id": f"Q-{i:02d}", "domain": "ooh", "title": f"Scheme {i}",
         "savings": {"2024/25": 10 + i, "2025/26": 20 + i, "2027/28": 30 + i}} for i in range(n)]
    return data


def test_one_cause_many_cells_is_one_message_with_the_count_and_lines(tmp_path, capsys):
    path = tmp_path / "plan.yaml"
    path.write_text(text_of(_many_out_of_period(28)))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    errors = [l for l in out.splitlines() if ": error: " in l]
    assert len(errors) == 1, errors
    assert "56 figures are for years outside the plan period 2025/26 to 2026/27: lines " in errors[0]
    listed = errors[0].split("lines ", 1)[1].split(", ")
    assert len(listed) == 56
    assert "56 errors" in out  # the summary still counts every problem
    assert main(["validate", "--format", "json", str(path)]) == 1
    (d,) = json.loads(capsys.readouterr().out)
    assert d["count"] == 56 and len(d["lines"]) == 56 and d["line"] == d["lines"][0]


def test_a_few_of_one_cause_stay_separate():
    diags = diagnose(_many_out_of_period(1))
    assert len(grouped(diags)) == len(diags) == 2
    assert "2024/25" in format_text(diags) and "2027/28" in format_text(diags)


def test_many_dates_with_the_same_mistake_are_one_message():
    data = v2()
    data["actions"] = [{"id": f"A-{i}", "domain": "ooh", "title": f"Action {i}", "due": "Q3 2025"}
                       for i in range(6)]
    diags = diagnose(data)
    assert len([d for d in diags if d.severity == "error"]) == 6
    (d,) = json.loads(format_json(diags))
    assert d["count"] == 6 and d["message"].startswith("6 dates are not in a form this plan understands: lines")


def test_tbc_warnings_are_never_merged():
    data = v2()
    data["qipp"]["schemes"] = [{"id": f"Q-{i}", "title": f"S {i}", "savings": {"2025/26": "tbc"}} for i in range(6)]
    diags = diagnose(data)
    assert len([d for d in grouped(diags) if d.code == "tbc"]) == 6
