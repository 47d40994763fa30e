"""The plan on a page, indicators and data tables as a reader sees them, for what the transcribers of
the Kent plans saw on the printed pages (issue 9, round 2): what the page says must be what the plan
says, never a dash per missing field, an arrow to nothing, or a footnote about TBCs that are not there."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from conftest import PLANS_DIR
from opgen.pipeline import plan_from_file
from opgen.render.pop import default_pop_limits, plan_on_a_page_html
from paper_text import checked, flat


def _text(markup: str) -> str:
    markup = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    return flat(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)))


_results: dict[str, object] = {}


def result(name: str):
    if name not in _results:
        _results[name] = checked(plan_from_file(PLANS_DIR / f"{name}.yaml"))
    return _results[name]


def pop_html(name: str) -> str:
    r = result(name)
    # every side-panel item shown, so what is asserted is what the page says, not the fit
    return plan_on_a_page_html(r.plan, r.report.diagnostics, default_pop_limits(r.plan).with_(indicators=50, actions=10_000))


def pop_text(name: str) -> str:
    return _text(pop_html(name))


# --- plan on a page -------------------------------------------------------------------------------

def test_the_qipp_box_says_not_stated_not_tbc_and_shows_the_stated_total():
    text = pop_text("south-kent-coast-2015-16")
    assert "4.3 + not stated" in text
    assert "+ TBC" not in text  # nothing in the plan is to be confirmed
    assert "leave out schemes the plan gives no amount for" in text
    assert "Net saving stated in the plan 6.3" in text  # "£6.3m of net QIPP savings in 2015/16"


def test_a_qipp_box_with_tbcs_still_says_so():
    text = pop_text("dartford-gravesham-swanley-2015-16")
    if "+ TBC" in text:
        assert "include values still to be confirmed" in text


@pytest.mark.parametrize("name", ["thanet-2015-16", "west-kent-2015-16", "south-kent-coast-2015-16"])
def test_the_masthead_leaves_out_what_the_plan_does_not_state(name):
    r = result(name)
    head = _text(re.search(r'<div class="mast-meta">.*?</div>', pop_html(name), re.S).group(0))
    assert "Not stated" not in head and "\u2013" not in head
    assert ("Version" in head) == bool(r.plan.meta.version)
    assert "Status" in head


def test_a_plan_that_states_its_version_and_date_still_shows_them():
    r = result("south-kent-coast-2014-16")
    head = _text(re.search(r'<div class="mast-meta">.*?</div>', pop_html("south-kent-coast-2014-16"), re.S).group(0))
    assert r.plan.meta.version and "Version TBC" in head  # a version still to be confirmed is stated as TBC
    assert "RAG as at 2014/15 Q1" in head


def test_headline_measures_with_no_figures_are_a_list_of_words_not_arrows_to_nothing():
    page = pop_html("thanet-2015-16")
    panel = _text(re.search(r'<section class="panel indicators">.*?</section>', page, re.S).group(0))
    assert "95% of patients being seen and treated within 4 hours in A&E" in panel
    assert "\u2192" not in panel and "\u2013" not in panel and "Not stated" not in panel
    assert "without a baseline or target" in panel


def test_a_headline_indicator_with_a_baseline_but_no_target_says_so_in_words():
    text = """schema_version: 2
plan: {title: Plan, period: {start: "2015/16", end: "2015/16"}, status: draft}
organisation: {name: NHS Test CCG}
domains:
  - {id: d1, title: One}
actions:
  - {id: A-1, domain: d1, title: Something}
indicators:
  - {id: K-1, title: A measure with a baseline only, unit: percent, headline: true, baseline: {value: 52, period: "2014/15"}}
  - {id: K-2, title: A measure with a target, unit: percent, headline: true, baseline: not_stated, targets: {"2015/16": 60}}
"""
    from opgen.pipeline import plan_from_bytes
    r = checked(plan_from_bytes(text.encode(), "t.yaml"))
    page = plan_on_a_page_html(r.plan, r.report.diagnostics)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S)
    first = _text(next(row for row in rows if "baseline only" in row))
    assert "52%" in first and "No target stated" in first and "\u2192" not in first
    second = _text(next(row for row in rows if "with a target" in row))
    assert "\u2192 60%" in second


def test_a_revised_action_says_so_as_a_paused_one_does():
    page = pop_html("west-kent-2015-16")
    for action in ("PA-03", "PA-04"):
        row = re.search(rf'<span class="a-id">{action}</span>.*?</td>', page, re.S).group(0)
        assert "Revised" in _text(row)
    row = re.search(r'<span class="a-id">PA-01</span>.*?</td>', page, re.S).group(0)
    assert "Paused" in _text(row)


def test_the_headline_target_is_the_plan_years_not_a_monthly_point():
    page = pop_html("west-kent-2015-16")
    row = _text(next(r for r in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", page, re.S)
                     if "Dementia (diagnosis rate)" in r))
    assert "66.7%" in row and "2015/16" in row
    assert "Oct 2015" not in row


# --- performance table ----------------------------------------------------------------------------

def full_html(name: str) -> str:
    from opgen.render.html import operational_plan_html
    r = result(name)
    return operational_plan_html(r.plan, r.report.diagnostics)


def _performance(page: str) -> str:
    return re.search(r'<section class="chapter[^"]*" id="part-performance">.*?(?=<section class="chapter)', page, re.S).group(0)


def _row(section: str, ind_id: str) -> str:
    return next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", section, re.S) if f'<span class="ref">{ind_id}</span>' in r)


def test_every_stated_actual_is_printed_the_year_to_date_with_the_quarter():
    perf = _performance(full_html("dartford-gravesham-swanley-2015-16"))
    ae = _text(_row(perf, "KPI-AE4"))
    assert "94.5% (2014/15 Q3)" in ae and "95.2% (Apr to Dec 2014)" in ae.replace("95.20%", "95.2%")
    conv = _text(_row(perf, "KPI-CONV"))
    assert "24% (Jul 2014)" in conv and "33% (Jan 2014)" in conv  # the latest first
    assert conv.index("24%") < conv.index("33%")
    assert "Actuals (latest first)" in _text(perf)


def test_every_stated_actual_is_in_the_word_annex_too():
    import io
    import docx
    from opgen.render.docx import annex_docx
    r = result("dartford-gravesham-swanley-2015-16")
    document = docx.Document(io.BytesIO(annex_docx(r.plan, r.report.diagnostics)))
    rows = [" | ".join(" ".join(c.text.split()) for c in row.cells) for t in document.tables for row in t.rows]
    conv = next(row for row in rows if row.startswith("KPI-CONV |"))
    assert "24%" in conv and "33%" in conv and "(Jan 2014)" in conv


def test_a_count_goes_under_its_figure_and_the_table_gets_a_landscape_page():
    perf = _performance(full_html("dartford-gravesham-swanley-2015-16"))
    assert perf.startswith('<section class="chapter wide"')  # notes have room: assessments on A4 landscape
    row = _row(perf, "KPI-CAN-31-RT")
    assert re.search(r'91\.3%<span class="per count">\(42 of 46\)</span>', row)


# --- data tables ----------------------------------------------------------------------------------

def test_a_percent_column_whose_heading_says_percent_is_not_headed_twice():
    page = full_html("redditch-bromsgrove-2012-13")
    headings = [_text(h) for h in re.findall(r'<th scope="col" class="c-percent[^"]*">.*?</th>', page, re.S)]
    assert headings and all(h == "Change (%)" for h in headings), headings


def test_a_table_naming_a_programme_prints_with_that_programme():
    page = full_html("south-kent-coast-2015-16")
    sections = re.findall(r'<section class="chapter domain" id="[^"]*">.*?(?=<section class="chapter)', page, re.S)
    titled = {re.search(r"<h1>.*?</h1>", s, re.S).group(0): s for s in sections}
    ooh = next(s for h, s in titled.items() if "Out of Hospital Programme" in h)
    mh = next(s for h, s in titled.items() if "Mental Health Programme" in h)
    assert "Out of Hospital Programme: From / To" in ooh and "Mental Health Programme: From / To" not in ooh
    assert "Mental Health Programme: From / To" in mh


def test_a_table_naming_an_unknown_chapter_is_a_located_error_naming_programmes():
    from opgen.pipeline import plan_from_bytes
    text = (PLANS_DIR / "south-kent-coast-2015-16.yaml").read_text().replace("chapter: mh\n", "chapter: mhx\n", 1)
    r = plan_from_bytes(text.encode(), "skc.yaml")
    errors = [d for d in r.report.errors if d.code == "unknown-chapter"]
    assert errors and errors[0].line > 0 and "mhx" in errors[0].message


# --- a short plan reads as short ------------------------------------------------------------------

def test_measures_the_plan_only_names_are_a_list_of_words_in_both_papers():
    perf = _performance(full_html("thanet-2015-16"))
    text = _text(perf)
    assert "IND-GP-1 Reduction in cost of Continuing Health Care spend" in text
    assert "Not stated" not in text and "Not reported" not in text
    import io
    import docx
    from opgen.render.docx import annex_docx
    r = result("thanet-2015-16")
    document = docx.Document(io.BytesIO(annex_docx(r.plan, r.report.diagnostics)))
    rows = [" | ".join(" ".join(c.text.split()) for c in row.cells) for t in document.tables for row in t.rows]
    gp1 = next(row for row in rows if row.startswith("IND-GP-1 |"))
    assert "Not stated" not in gp1 and "\u2013" not in gp1


def test_short_programmes_share_pages_instead_of_one_page_each():
    import shutil
    import subprocess
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from opgen.render.pdf import operational_plan_pdf
    r = result("thanet-2015-16")
    _, pdf = operational_plan_pdf(r.plan, r.report.diagnostics)
    pages = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                           timeout=120, check=True).stdout.decode("utf-8").split("\f")
    # the third programme starts on the page where the second one ends, not on a page of its own
    start = next(p for p in pages if "Patients receive high quality, integrated out of" in p and "OOH-01" in p)
    assert "GP-06" in start
    assert len(pages) - 1 <= 17  # 20 before: a page (and a near-empty one) per programme
