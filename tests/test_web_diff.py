"""The diff report's web edition (`opgen diff --format html`), opened in a real browser (tests/browser.py):
two real versions of South Kent Coast's plan (q1 and q2), checked with axe-core for WCAG 2.2 AA, by
keyboard, at 320 px and 200% zoom, for requests, scripts, and for the same bytes twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import browser  # noqa: F401  (the session fixture)
from opgen.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
Q1 = FIXTURES / "south-kent-coast-2014-16-q1.yaml"
Q2 = FIXTURES / "south-kent-coast-2014-16-q2.yaml"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("diff") / "changes.html"
    assert main(["diff", str(Q1), str(Q2), "--format", "html", "-o", str(target)]) == 1
    return target


def test_no_axe_violations(browser, report):
    with browser.open(report) as page:
        assert page.axe(WCAG) == []
        assert page.axe() == []   # and axe's best practice (landmarks, heading order, one main)
        assert page.requests == []
        assert page.console_errors == []


def test_structure_a_screen_reader_relies_on(browser, report):
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert len(re.findall(r"<h1\b", html)) == 1
    with browser.open(report) as page:
        levels = page.evaluate("() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))"
                               ".map(h => +h.tagName[1])")
        assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
        landmarks = page.evaluate("() => ['header','nav','main','footer'].map(t => document.querySelectorAll("
                                  "'body > ' + t + ', main ' + t).length)")
        assert landmarks[0] >= 1 and landmarks[1] >= 1 and landmarks[2] == 1 and landmarks[3] >= 1
        # every data table: a caption and every header cell scoped
        tables = page.evaluate("""() => Array.from(document.querySelectorAll('table')).map(t => [
            !!t.querySelector('caption') && t.querySelector('caption').textContent.trim().length > 0,
            Array.from(t.querySelectorAll('th')).every(th => ['col', 'row', 'colgroup', 'rowgroup'].includes(th.scope))])""")
        assert tables and all(c and s for c, s in tables)
        # the DRAFT status, a RAG move and a tone are words, not colour alone
        text = page.evaluate("() => document.body.innerText")
        assert "DRAFT" in text or "is approved" in text or "is final" in text
        worse = page.evaluate("() => Array.from(document.querySelectorAll('.tag-bad')).map(e => e.textContent)")
        assert worse and all("(worse)" in t for t in worse)
        rag = page.evaluate("() => Array.from(document.querySelectorAll('.pill')).map(e => e.textContent.trim())")
        assert "Amber" in rag and all(rag)
        ins = page.evaluate("() => Array.from(document.querySelectorAll('ins')).map(e => e.textContent)")
        assert ins and all(t.startswith("inserted:") for t in ins)


def test_keyboard_skip_link_first_and_order_follows_reading(browser, report):
    with browser.open(report) as page:
        order = page.focus_order()
        assert order[0].tag == "a" and order[0].href == "#main" and order[0].text == "Skip to main content"
        assert [f.dom_index for f in order] == page.focusable_in_dom_order()
        assert all(f.outline for f in order)
        page.page.keyboard.press("Home")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.page.keyboard.press("Tab")
        page.page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.parametrize("width,zoom", [(320, 1.0), (1280, 2.0)])
def test_narrow_screen_and_zoom_never_scroll_the_page_sideways(browser, report, width, zoom):
    with browser.open(report, width=width, zoom=zoom) as page:
        assert page.overflow() == []


def test_self_contained_and_reproducible(report, tmp_path, monkeypatch):
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(?:href|src)\s*=\s*["']?(?!#|data:)[a-z]+:""", html, re.I)
    assert "@font-face" in html and "data:font/woff2;base64," in html
    assert "@media print" in html
    again = tmp_path / "again.html"
    assert main(["diff", str(Q1), str(Q2), "--format", "html", "-o", str(again)]) == 1
    assert again.read_bytes() == report.read_bytes()


def test_the_pdf_keeps_its_print_page():
    """The web flags leave the page the PDF is laid out from as it was."""
    from opgen.diff import diff_plans, report as diff_report
    from opgen.pipeline import plan_from_file

    old, new = plan_from_file(str(Q1)), plan_from_file(str(Q2))
    cs = diff_plans(old.plan, new.plan, old_warnings=old.report.warnings, new_warnings=new.report.warnings)
    html = diff_report.render_html(cs)
    assert 'href="diff.css"' in html and "skip-link" not in html and "<main" not in html
    assert '<tr class="section-row"><th colspan="5" scope="colgroup"><h2' in html
