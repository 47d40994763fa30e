"""Better Care Fund version 2 (issue 9, part 3): national scheme headings, funding ranges and their
recurrence, contributions by organisation, stated totals, metrics and risks with gross, current and
target scores; validated with located messages, printed alike in the full plan and the Word annex,
and reported by `opgen diff` (text and JSON) and textconv."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import docx
import lxml.html
import pytest
import yaml

from opgen import display
from opgen.diff.headline import diff_plans
from opgen.diff.report import render_json, render_text
from opgen.pipeline import plan_from_bytes
from opgen.render.docx import annex_docx
from opgen.render.html import operational_plan_html
from opgen.render.textconv import render_textconv

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "bcf-v2.yaml"
BASE = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def load(data: dict):
    return plan_from_bytes(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode(), "plan.yaml")


def variant(**changes) -> dict:
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        *head, last = path.split("__")
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return data


def messages(result, severity: str | None = None) -> list[str]:
    return [d.as_text() for d in result.report.diagnostics if severity is None or d.severity == severity]


# --- validation ------------------------------------------------------------------------------------

def test_the_fixture_validates_with_only_its_tbc():
    result = load(BASE)
    assert result.ok
    assert [d.code for d in result.report.diagnostics] == ["tbc"]


def test_an_unknown_heading_is_a_located_error_with_did_you_mean_and_the_list():
    data = variant(bcf__schemes__1__heading="Reablement services")
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    result = plan_from_bytes(text.encode(), "plan.yaml")
    (error,) = [d for d in result.report.diagnostics if d.code == "bcf-heading"]
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "heading: Reablement services" in s)
    assert (error.file, error.line, error.column) == ("plan.yaml", line, text.splitlines()[line - 1].index("Reab") + 1)
    assert "'Reablement services' is not a national BCF scheme heading" in error.message
    assert "did you mean 'reablement'" in error.hint
    assert all(key in error.hint for key in display.BCF_HEADINGS)


def test_a_heading_in_the_printed_words_is_matched_to_its_value():
    result = load(variant(bcf__schemes__2__heading="support for carer"))
    (error,) = [d for d in result.report.diagnostics if d.code == "bcf-heading"]
    assert "did you mean 'carers'" in error.hint


def test_version_1_keeps_free_text_headings_but_not_version_2_shapes():
    data = variant(schema_version=1)
    for s in data["bcf"]["schemes"]:
        s["heading"] = "Integrated Teams and Reablement"
        s["funding"] = {"2015/16": 1200}
    for key in ("contributions", "stated_totals", "risks"):
        data["bcf"].pop(key)
    data["bcf"]["metrics"] = [{k: v for k, v in m.items() if k in ("id", "title", "unit", "polarity")}
                              for m in data["bcf"]["metrics"]]
    assert load(data).ok, messages(load(data))
    data["bcf"]["schemes"][0]["funding"] = {"2015/16": {"min": 1200, "max": 1500}}
    data["bcf"]["risks"] = BASE["bcf"]["risks"]
    errors = messages(load(data), "error")
    assert any("needs a version 2 plan" in e and "funding as a range" in e for e in errors), errors
    assert any("'bcf.risks' needs a version 2 plan" in e for e in errors), errors


def test_a_range_with_its_minimum_above_its_maximum_or_with_an_amount_is_an_error():
    result = load(variant(bcf__schemes__1__funding={"2015/16": {"min": 950, "max": 900}}))
    assert any("the minimum (950) is more than the maximum (900)" in m for m in messages(result, "error"))
    result = load(variant(bcf__schemes__1__funding={"2015/16": {"min": 800, "amount": 900}}))
    assert any("gives an amount and a range" in m for m in messages(result, "error"))


def test_a_stated_total_inside_the_range_agrees_and_one_outside_is_checked_like_every_total():
    assert not [d for d in load(variant(bcf__stated_totals={"2015/16": 3400})).report.diagnostics
                if d.code.startswith("total")]
    result = load(variant(bcf__stated_totals={"2015/16": 3600}))
    (warning,) = [d for d in result.report.diagnostics if d.code == "total-mismatch"]
    assert "BCF stated total 2015/16 (the schemes give 3,000 to 3,400)" in warning.message
    assert "stated 3,600 £000" in warning.message and "difference -200" in warning.message
    # over a TBC scheme the total cannot be checked, as everywhere
    result = load(variant(bcf__schemes__2__funding={"2015/16": "tbc"}))
    assert any(d.code == "total-incomplete" for d in result.report.diagnostics)


def test_contribution_below_minimum_and_two_pool_holders_warn():
    data = variant()
    data["bcf"]["contributions"][1]["actual"]["2015/16"] = 1500
    data["bcf"]["contributions"][1]["holds_pool"] = True
    codes = [d.code for d in load(data).report.diagnostics]
    assert "bcf-below-minimum" in codes and "bcf-pool-holders" in codes


def test_bcf_risk_ids_are_plan_ids_and_scores_are_checked():
    data = variant()
    data["bcf"]["risks"][1]["id"] = "BCF-1"
    assert any(d.code == "duplicate-id" for d in load(data).report.diagnostics)
    data = variant()
    data["bcf"]["risks"][0]["target"] = {"likelihood": 5, "impact": 5}
    assert any(d.code == "risk-target-above-current" for d in load(data).report.diagnostics)


def test_the_bcf_needs_a_unit_once_contributions_give_money():
    data = variant()
    del data["bcf"]["unit"]
    assert any(d.code == "unit-missing" for d in load(data).report.diagnostics)


# --- the papers ------------------------------------------------------------------------------------

def _html_tables(html: str) -> dict[str, list[list[str]]]:
    tree = lxml.html.fromstring(html)
    out = {}
    for table in tree.xpath("//table[caption]"):
        caption = " ".join(table.xpath("./caption")[0].text_content().split())
        out[caption] = [[" ".join(" ".join(c.itertext()).split()) for c in tr.xpath("./td|./th")]
                        for tr in table.xpath(".//tr")]
    return out


def _word_tables(raw: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(raw))
    return [[[" ".join(c.text.split()) for c in row.cells] for row in t.rows] for t in document.tables]


@pytest.fixture(scope="module")
def papers():
    result = load(BASE)
    return (_html_tables(operational_plan_html(result.plan, result.report.diagnostics)),
            _word_tables(annex_docx(result.plan, result.report)))


def test_the_full_plan_groups_schemes_by_heading_with_ranges_in_the_plans_money_words(papers):
    html, _ = papers
    rows = html["Schemes by national scheme heading"]
    flat = [r for r in rows]
    assert ["Reablement"] in flat and ["Intermediate care"] in flat and ["Support for carers"] in flat
    assert flat.index(["Reablement"]) < flat.index(["Intermediate care"])  # the national order
    assert ["BCF-1", "Integrated intermediate care Step-up and step-down beds with a multi-disciplinary team.",
            "£1,200k to £1,500k, recurrent", "£1,300k, recurrent"] in flat
    assert ["BCF-4", "Disabled Facilities Grant", "at least £600k", "–"] in flat
    assert ["Total", "£3,000k to £3,400k", "£2,150k"] in flat
    assert ["Total stated in the plan", "£3,100k", "–"] in flat


def test_the_full_plan_prints_contributions_and_risks_with_three_scores(papers):
    html, _ = papers
    contributions = html["Contributions to the pooled budget"]
    assert ["kcc", "Kent County Council Holds the pooled budget", "1,000", "1,200", "–"] in contributions
    assert ["Total", "3,000", "3,300", "TBC"] in contributions
    risks = html[display.BCF_RISKS_TITLE]
    assert risks[0] == ["Ref", "Risk", "Owner", "Gross", "Current", "Target"]
    assert risks[2][-3:] == ["4 × 3 = 12, High", "3 × 3 = 9, High", "2 × 2 = 4, Moderate"]
    metrics = html["Better Care Fund metrics"]
    assert any("at most 5,260" in cell for row in metrics for cell in row)
    assert any("88.1% (370 of 420)" in cell for row in metrics for cell in row)


def test_the_word_annex_prints_the_same_cells(papers):
    html, word = papers
    cells = {cell for table in word for row in table for cell in row}
    for caption in ("Schemes by national scheme heading", "Contributions to the pooled budget",
                    display.BCF_RISKS_TITLE):
        for row in html[caption][1:]:
            for cell in row[2:] if caption != display.BCF_RISKS_TITLE else row[3:]:
                assert cell in cells, (caption, cell)
    assert "Reablement" in cells and "Total stated in the plan" in cells


def test_a_version_1_bcf_keeps_its_one_table():
    data = variant(schema_version=1)
    data["bcf"] = {"unit": "gbp_thousands",
                   "schemes": [{"id": "S1", "title": "Integrated teams", "heading": "Integrated Teams",
                                "funding": {"2015/16": 500}}]}
    result = load(data)
    assert result.ok, messages(result)
    html = _html_tables(operational_plan_html(result.plan, result.report.diagnostics))
    assert "Schemes" in html and "Schemes by national scheme heading" not in html
    assert ["S1", "Integrated teams", "Integrated Teams", "500"] in html["Schemes"]


def test_absent_parts_are_left_out():
    data = variant()
    for key in ("contributions", "risks", "stated_totals"):
        data["bcf"].pop(key)
    result = load(data)
    html = _html_tables(operational_plan_html(result.plan, result.report.diagnostics))
    assert "Contributions to the pooled budget" not in html and display.BCF_RISKS_TITLE not in html
    assert not any(row and row[0] == "Total stated in the plan" for row in html["Schemes by national scheme heading"])


# --- diff and textconv -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def changes():
    new = copy.deepcopy(BASE)
    b = new["bcf"]
    b["schemes"][0]["funding"]["2015/16"]["max"] = 1600
    b["schemes"][1]["funding"]["2016/17"] = 900
    b["contributions"][0]["actual"]["2015/16"] = 1250
    b["metrics"][0]["targets"]["2015/16 Q4"]["value"] = 5200
    b["risks"][0]["likelihood"] = 4
    return diff_plans(load(BASE).plan, load(new).plan)


def test_diff_reports_funding_contribution_metric_and_risk_changes_in_board_words(changes):
    text = render_text(changes)
    assert ("BCF-1 Integrated intermediate care: funding 2015/16: £1,200k to £1,500k, recurrent → "
            "£1,200k to £1,600k, recurrent") in text
    assert "BCF-2 Enhanced rapid response: funding 2016/17: 850 → 900 (up £50k)" in text
    assert "kcc Kent County Council: actual contribution 2015/16: 1,200 → 1,250 (up £50k)" in text
    assert "BCF-M-NEL Non-elective admissions (general and acute): target 2015/16 Q4: 5,260 → 5,200" in text
    assert "BCF-R1 Reduction in non-elective admissions is not achieved: score: 3 × 4 = 12 (high) → 4 × 4 = 16 (extreme)" in text


def test_diff_json_matches_by_id_with_structured_ranges(changes):
    records = {(c["id"], c["field"]): c for c in json.loads(render_json(changes))["changes"]}
    funding = records[("BCF-1", "funding 2015/16")]
    assert funding["old"] == {"min": 1200, "max": 1500, "recurrent": True}
    assert funding["new"] == {"min": 1200, "max": 1600, "recurrent": True}
    assert records[("kcc", "actual 2015/16")]["new"] == 1250 if ("kcc", "actual 2015/16") in records else \
        records[("kcc", "actual contribution 2015/16")]["new"] == 1250
    assert records[("BCF-R1", "score")]["kind"] == "rose"
    assert records[("BCF-M-NEL", "target 2015/16 Q4")]["direction"] == "more-ambitious"


def test_textconv_shows_headings_ranges_contributions_and_risk_scores():
    text = render_textconv(load(BASE).plan)
    assert "[BCF-1] Integrated intermediate care (Intermediate care)" in text
    assert "  BCF-1 2015/16: £1,200k to £1,500k, recurrent" in text
    assert "[kcc] Kent County Council (holds the pooled budget)" in text
    assert "stated totals 2015/16: 3,100" in text
    assert "  BCF-R1 gross: 4 × 4 = 16, Extreme" in text


def test_migrate_names_version_1_headings_from_the_national_list_and_says_so():
    from opgen.migrate import migrate_text
    data = variant(schema_version=1)
    data["bcf"] = {"unit": "gbp_thousands", "schemes": [
        {"id": "S1", "title": "Breaks", "heading": "Support for carers"},
        {"id": "S2", "title": "Teams", "heading": "Integrated Teams and Reablement"},
        {"id": "S3", "title": "X", "heading": "Something else entirely"}]}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    migration = migrate_text(text, yaml.safe_load(text))
    upgraded = yaml.safe_load(migration.text)
    assert [s["heading"] for s in upgraded["bcf"]["schemes"]] == ["carers", "integrated_care_teams", "other"]
    notes = " ".join(migration.notes)
    assert "'Integrated Teams and Reablement' -> integrated_care_teams" in notes and "check it" in notes
    assert "'Something else entirely' -> other" in notes
    assert load(upgraded).ok


def test_a_version_2_bcf_without_headings_is_one_table_without_a_heading_column():
    data = variant()
    for s in data["bcf"]["schemes"]:
        s.pop("heading")
    result = load(data)
    html = _html_tables(operational_plan_html(result.plan, result.report.diagnostics))
    rows = html["Schemes"]
    assert rows[0] == ["Ref", "Scheme", "2015/16", "2016/17"]
    assert ["BCF-3", "Carers' breaks", "£400k, non-recurrent", "–"] in rows


def test_a_metrics_benchmarks_series_and_areas_print_in_the_bcf_chapter_of_both_papers():
    """Indicators v2 on a BCF metric (a national benchmark, a monthly series, a breakdown by area) are
    printed with the metric in the Better Care Fund chapter, not only validated and diffed."""
    data = copy.deepcopy(BASE)
    metric = data["bcf"]["metrics"][0]
    metric["benchmarks"] = [{"period": "2014/15", "national": 21900, "rank": {"value": 12, "of": 152}}]
    metric["actuals"] = {f"2015-{m:02d}": 1800 + 10 * m for m in range(4, 10)}
    metric["areas"] = [{"id": "dover", "title": "Dover and Deal", "kind": "locality",
                        "targets": {"2015/16": 9100}}]
    result = load(data)
    assert not messages(result, "error")
    html = operational_plan_html(result.plan, result.report.diagnostics)
    root = lxml.html.fromstring(html)
    bcf = [s for s in root.xpath("//section[contains(@class, 'chapter')]")
           if "Better Care Fund" in s.xpath("string(./h1)")][0]
    text = " ".join(bcf.text_content().split())
    assert "21,900" in text and "12 of 152" in text          # the benchmark
    assert "Dover and Deal" in text and "9,100" in text       # the area's target
    assert "Sep 2015" in text and "1,890" in text             # the monthly series
    assert "Indicator sets" not in text                       # every metric is a BCF metric: no sets table
    word = {cell for table in _word_tables(annex_docx(result.plan, result.report)) for row in table
            for cell in row}
    assert "12 of 152" in word and "Dover and Deal" in word and "1,890" in word
