"""A plan's own vocabulary (`scales:`, issue 8 item 6): the five-point RAG, risk-rating aliases, QIPP
confidence `tbc`, and indicators whose polarity or unit the source does not state. Each is checked
where a reader meets it: `opgen validate`, the full PDF, the Word annex and `opgen diff`."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from opgen.diff import diff_plans
from opgen.diff.report import render_text
from opgen.load import load_text
from opgen.pipeline import plan_from_bytes
from opgen.render.docx import RAG_FILLS, annex_docx, contrast_ratio, text_colour_for
from opgen.render.html import operational_plan_html
from opgen.render.pdf import operational_plan_pdf
from opgen.resources import TEMPLATES_DIR
from opgen.validate import validate_document

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "v2-scales-structure.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"


# --- helpers -----------------------------------------------------------------------------------

def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def diagnose(text: str):
    return validate_document(load_text(text, "plan.yaml"))


def errors(text: str):
    return [d for d in diagnose(text) if d.severity == "error"]


def result_of(text: str, name: str = "plan.yaml"):
    result = plan_from_bytes(text.encode("utf-8"), name)
    assert result.ok, [d.as_text() for d in result.report.errors]
    return result


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@lru_cache(maxsize=None)
def pdf_bytes(text: str) -> bytes:
    result = result_of(text)
    return operational_plan_pdf(result.plan, result.report.diagnostics)[1]


@lru_cache(maxsize=None)
def pdf_text(text: str) -> str:
    pdf = pdf_bytes(text)
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, timeout=60)
        if done.returncode == 0:
            return " ".join(done.stdout.decode("utf-8").split())
    from pypdf import PdfReader
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


@lru_cache(maxsize=None)
def annex(text: str):
    result = result_of(text)
    return docx.Document(io.BytesIO(annex_docx(result.plan, result.report.diagnostics)))


def shaded_cells(document) -> list[tuple[str, str | None, str | None]]:
    """(text, fill, text colour) of every table cell."""
    out = []
    for tc in document.element.body.iter(qn("w:tc")):
        shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
        colour = tc.find(f".//{qn('w:color')}")
        text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
        out.append((text, shd.get(qn("w:fill")) if shd is not None else None,
                    colour.get(qn("w:val")) if colour is not None else None))
    return out


def diff_text(old: str, new: str) -> str:
    a, b = result_of(old, "old.yaml"), result_of(new, "new.yaml")
    return render_text(diff_plans(a.plan, b.plan, old_warnings=a.report.warnings, new_warnings=b.report.warnings),
                       color=False)


# --- five-point RAG ----------------------------------------------------------------------------

def test_the_fixture_is_valid():
    assert errors(TEXT) == []


def test_five_point_rating_without_the_scale_is_a_located_error_with_the_fix():
    text = TEXT.replace("  rag: five_point\n", "")
    found = [d for d in errors(text) if d.code == "rag-scale"]
    assert len(found) == 3  # amber_red and amber_green in two actions' RAG, amber_green as QIPP confidence
    first = found[0] if found[0].line < found[1].line else found[1]
    line = line_of(text, "q2: amber_red")
    assert (first.line, first.column) == (line, text.splitlines()[line - 1].index("amber_red") + 1)
    assert first.yaml_path == 'actions[0].rag["2014/15"].q2'
    assert "amber_red" in first.message and "five-point" in first.message and "three-point" in first.message
    assert "scales: {rag: five_point}" in first.hint and "red, amber or green" in first.hint
    assert any(d.yaml_path == "qipp.schemes[0].confidence" for d in found)


def test_three_point_plans_are_unchanged():
    text = TEXT.replace("  rag: five_point\n", "").replace("amber_red", "amber").replace("amber_green", "green")
    assert errors(text) == []
    result = result_of(text)
    assert not result.plan.scales.five_point
    # the annex's RAG key lists only the colours the plan may use
    key = [t for t, fill, _ in shaded_cells(annex(text)) if fill and t in ("Amber/red", "Amber/green")]
    assert key == []


def test_five_point_labels_and_counts_in_the_pdf():
    text = pdf_text(TEXT)
    assert "UC-01 Urgent care redesign Amber/red" in text
    assert "Amber/green" in text
    # counts run worst to best: red, amber/red, amber, amber/green, green
    assert re.search(r"Urgent Care 4 1 Red 1 Amber/red 1 Amber/green 1 Green 1", text)
    html = operational_plan_html(result_of(TEXT).plan, [])
    assert 'class="pill rag-amber_red' in html and 'class="pill rag-amber_green' in html


def test_five_point_colours_meet_wcag_aa_in_css_and_word():
    css = (TEMPLATES_DIR / "base.css").read_text()
    rules = {k: (b, c) for k, b, c in re.findall(
        r"\.rag-(amber_red|amber_green)\s*\{\s*background:\s*#([0-9A-F]{6});\s*color:\s*#([0-9A-F]{6})", css)}
    assert set(rules) == {"amber_red", "amber_green"}
    for name, (background, colour) in rules.items():
        assert background == RAG_FILLS[name]  # the PDF and the annex use the same colour
        assert contrast_ratio(background, colour) >= 4.5, (name, contrast_ratio(background, colour))
        assert contrast_ratio(background, text_colour_for(background)) >= 4.5
    # in between their neighbours: redder than amber, greener than amber
    red, amber, green = (int(RAG_FILLS[k][2:4], 16) for k in ("red", "amber", "green"))
    assert red < int(RAG_FILLS["amber_red"][2:4], 16) < amber
    assert int(RAG_FILLS["amber_green"][0:2], 16) < int(RAG_FILLS["amber"][0:2], 16)


def test_five_point_cells_in_the_word_annex_are_shaded_and_labelled():
    cells = shaded_cells(annex(TEXT))
    for label, name in (("Amber/red", "amber_red"), ("Amber/green", "amber_green")):
        found = [(fill, colour) for t, fill, colour in cells if t == label]
        assert len(found) >= 2, label  # the RAG key and at least one quarter
        for fill, colour in found:
            assert fill == RAG_FILLS[name]
            assert contrast_ratio(fill, colour) >= 4.5
    key = [t for t, fill, _ in cells if fill and t in ("Red", "Amber/red", "Amber", "Amber/green", "Green")]
    assert key[:5] == ["Red", "Amber/red", "Amber", "Amber/green", "Green"]  # the key, worst to best


@pytest.mark.parametrize("before, after, kind", [
    ("amber_red", "amber_green", "improved"), ("amber_red", "red", "worsened"), ("amber_red", "amber", "improved"),
    ("amber_green", "green", "improved"), ("amber_green", "amber", "worsened")])
def test_diff_direction_on_the_five_point_scale(before, after, kind):
    old = TEXT.replace("q2: amber_red}", f"q2: {before}}}")
    new = TEXT.replace("q2: amber_red}", f"q2: {after}}}")
    labels = {"amber_red": "Amber/red", "amber_green": "Amber/green", "red": "Red", "amber": "Amber", "green": "Green"}
    assert re.search(rf"{kind}\s+UC-01 Urgent care redesign: {labels[before]} \(2014/15 Q2\) \u2192 "
                     rf"{labels[after]} \(2014/15 Q2\)", diff_text(old, new))


# --- risk ratings with aliases -----------------------------------------------------------------

def test_declared_alias_resolves_to_its_rating_and_keeps_the_word():
    plan = result_of(TEXT).plan
    r2, r3 = plan.risks[1], plan.risks[2]
    assert (r2.rating, r2.rating_word, r2.band) == ("moderate", "medium", "moderate")
    assert (r3.rating, r3.rating_word, r3.band) == ("extreme", "very high", "extreme")
    assert [r.id for r in plan.risks_in_bands("extreme")] == ["R-03"]


def test_undeclared_rating_word_lists_the_ratings_and_aliases_with_did_you_mean():
    text = TEXT.replace("rating: medium", "rating: meduim")
    [d] = errors(text)
    line = line_of(text, "rating: meduim")
    assert (d.code, d.line, d.column) == ("risk-rating", line, text.splitlines()[line - 1].index("meduim") + 1)
    assert d.yaml_path == "risks[1].rating"
    assert "'meduim'" in d.message and "R-02" in d.message
    assert "did you mean 'medium'?" in d.hint
    assert "low, moderate, high, extreme" in d.hint and "medium, very high" in d.hint
    assert "aliases: [meduim]" in d.hint
    assert not any(x.code == "risk-unrated" for x in diagnose(text))  # one message, not two


def test_alias_not_declared_without_scales():
    data = yaml.safe_load(TEXT)
    del data["scales"]["risk_rating"]
    found = [d for d in errors(dump(data)) if d.code == "risk-rating"]
    assert [d.yaml_path for d in found] == ["risks[1].rating", "risks[2].rating"]
    assert "declare it" in found[0].hint and "plan's own words" not in found[0].hint


def test_capitalised_rating_is_told_to_use_lower_case():
    [d] = errors(TEXT.replace("rating: medium", "rating: Moderate"))
    assert "lower case: 'moderate'" in d.hint


def test_an_alias_is_one_rating_only():
    text = TEXT.replace("extreme: {aliases: [very high]}", "extreme: {aliases: [very high, Medium, high]}")
    found = [d for d in errors(text) if d.code == "risk-alias"]
    assert len(found) == 2
    assert any("'Medium' is declared for both moderate and extreme" in d.message for d in found)
    assert any("'high' is itself a risk rating" in d.message for d in found)


def test_the_band_is_shown_with_the_plans_own_word():
    text = pdf_text(TEXT)
    assert "Moderate (medium) R-02 Provider capacity" in text
    assert "Extreme (very high) R-03 Winter pressures" in text
    cells = [(t, fill) for t, fill, _ in shaded_cells(annex(TEXT))]
    assert ("Moderate (medium)", "FFB81C") in cells and ("Extreme (very high)", "DA291C") in cells


def test_diff_reports_an_alias_change_by_its_band():
    new = TEXT.replace("rating: medium", "rating: very high")
    out = diff_text(TEXT, new)
    assert re.search(r"rose\s+R-02 Provider capacity: rating: moderate \(medium\) \u2192 extreme \(very high\)", out)
    same = TEXT.replace("rating: medium", "rating: moderate")
    assert "R-02" not in diff_text(TEXT, same).split("Risks", 1)[-1] or "Risks (" not in diff_text(TEXT, same)


# --- QIPP confidence tbc -----------------------------------------------------------------------

def test_tbc_confidence_is_a_tbc_not_a_colour():
    result = result_of(TEXT)
    assert "QIPP Q-02 confidence" in [t.label for t in result.plan.tbcs]
    assert any(d.code == "tbc" and d.yaml_path == "qipp.schemes[1].confidence" for d in result.report.diagnostics)
    text = pdf_text(TEXT)
    assert re.search(r"Q-02 Prescribing .{0,60}?300 .{0,10}?300 TBC", text)
    assert "QIPP scheme Q-02 ‘Prescribing’, confidence" in text.split("Values to be confirmed", 1)[1]  # the PDF's TBC inventory
    html = operational_plan_html(result.plan, [])
    assert 'rag-tbc' not in html
    cells = shaded_cells(annex(TEXT))
    [(fill, _)] = [(fill, colour) for t, fill, colour in cells if t == "TBC"]
    assert fill is None  # never shaded as a colour
    assert ("Medium to high", RAG_FILLS["amber_green"]) in [(t, f) for t, f, _ in cells]
    assert "QIPP scheme Q-02 ‘Prescribing’, confidence" in [t for t, _, _ in cells]  # the annex's TBC inventory


def test_diff_of_tbc_confidence():
    new = TEXT.replace("confidence: tbc", "confidence: green")
    out = diff_text(TEXT, new)
    assert re.search(r"TBC resolved\s+Q-02 Prescribing: confidence: TBC \u2192 High", out)
    assert "resolved (1): QIPP Q-02 confidence" in out


# --- indicators without polarity or unit ------------------------------------------------------

def test_indicator_without_polarity_has_no_arrow_and_says_not_stated():
    plan = result_of(TEXT).plan
    ind = plan.indicators[1]
    assert (ind.unit, ind.polarity, ind.polarity_label) == (None, None, "")
    text = pdf_text(TEXT)
    row = text[text.index("KPI-X"):text.index("(2013/14)", text.index("KPI-X"))]
    assert row.count("Not") == 2 and row.count("stated") == 2  # unit and polarity, however they wrap
    assert "\u2191" not in row and "\u2193" not in row
    assert "better" not in row
    assert "\u2193 Lower is" in text  # the indicator that says keeps its arrow
    assert "There is no arrow where the plan does not say which direction is better" in text
    rows = [r for r in annex(TEXT).tables if r.rows[0].cells[1].text == "Indicator"][0].rows
    kpi_x = [r for r in rows if r.cells[0].text == "KPI-X"][0]
    assert [c.text for c in kpi_x.cells[2:4]] == ["Not stated", "Not stated"]


def test_diff_never_calls_a_move_better_or_worse_without_polarity():
    new = TEXT.replace('targets: {"2014/15": 84}', 'targets: {"2014/15": 86}').replace(
        'targets: {"2014/15": 1759.7}', 'targets: {"2014/15": 1750}')
    out = diff_text(TEXT, new)
    [line] = [x for x in out.splitlines() if "KPI-X" in x]
    assert line.split()[0] == "changed"
    assert "84 \u2192 86 (up 2; polarity not stated, so not judged better or worse)" in line
    assert "ambitious" not in line and "better," not in line
    [line] = [x for x in out.splitlines() if "KPI-EA" in x]
    assert "more ambitious" in line  # a stated polarity still judges


def test_a_v1_plan_still_builds_the_same_way():
    """SKC (version 1, three-point) keeps its arrows, its three-colour key and no 'Not stated' units."""
    result = plan_from_bytes(SKC.read_bytes(), str(SKC))
    assert result.ok and not result.plan.scales.five_point
    assert all(i.polarity for i in result.plan.indicators)
    html = operational_plan_html(result.plan, result.report.diagnostics)
    assert "Amber/red" not in html and "no arrow where" not in html
