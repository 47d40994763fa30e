"""The board pack's web edition (pack.html, opgen.render.pack_web) of the Kent pack
(packs/kent-hwb-2015-03.yaml: six real plans), opened in a real browser (tests/browser.py): axe-core
for WCAG 2.2 AA, keyboard order, 320 px and 200% zoom, requests and scripts, same bytes twice. The
view is made from the real pack file and plans as `opgen pack` makes it (the PDF is not laid out:
tests/test_pack_cli.py checks that `opgen pack` writes pack.html with the others)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import browser  # noqa: F401  (the session fixture)
from opgen.pack.spec import load_pack
from opgen.pack.view import PlanEntry, pack_view
from opgen.pipeline import plan_from_file
from opgen.render.pack_web import pack_web

ROOT = Path(__file__).resolve().parent.parent
KENT_PACK = ROOT / "packs" / "kent-hwb-2015-03.yaml"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def view():
    spec, diagnostics = load_pack(str(KENT_PACK))
    assert spec is not None, diagnostics
    entries = []
    for ref in spec.plans:
        result = plan_from_file(ref.path)
        assert result.ok, ref.path
        entries.append(PlanEntry(name=ref.path.stem, path=ref.path, plan=result.plan,
                                 diagnostics=list(result.report.diagnostics)))
    return pack_view(spec, entries)


@pytest.fixture(scope="module")
def page_file(view, tmp_path_factory) -> Path:
    html = pack_web(view, {p.name: True for p in view.plans})
    target = tmp_path_factory.mktemp("pack") / "pack.html"
    target.write_text(html, encoding="utf-8")
    return target


def test_no_axe_violations(browser, page_file):
    with browser.open(page_file) as page:
        assert page.axe(WCAG) == []
        assert page.axe() == []   # and axe's best practice (landmarks, heading order, unique ids)
        assert page.requests == []
        assert page.console_errors == []


def test_everything_the_pdf_holds_in_one_page(browser, page_file, view):
    html = page_file.read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in html and len(re.findall(r"<h1\b", html)) == 1
    body = html[html.index("</head>"):]
    assert "pack-part:" not in body and "data-page" not in body
    with browser.open(page_file) as page:
        text = page.evaluate("() => document.body.innerText")
        for p in view.plans:
            assert p.organisation in text
        for heading in ("Contents", "Summary across the plans", "Glossary", "Recommendations"):
            assert heading in text
        levels = page.evaluate("() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))"
                               ".map(h => +h.tagName[1])")
        assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
        tables = page.evaluate("""() => Array.from(document.querySelectorAll('table')).map(t => [
            !!t.querySelector('caption') && t.querySelector('caption').textContent.trim().length > 0,
            Array.from(t.querySelectorAll('th')).every(th => ['col', 'row', 'colgroup', 'rowgroup'].includes(th.scope))])""")
        assert tables and all(c and s for c, s in tables)
        # every link inside the page lands on something
        dangling = page.evaluate("""() => Array.from(document.querySelectorAll('a[href^="#"]'))
            .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
        assert dangling == []
        pops = page.evaluate("""() => Array.from(document.querySelectorAll('a[href$="plan-on-a-page.html"]'))
            .map(a => a.getAttribute('href'))""")
        assert {f"../../{p.name}/plan-on-a-page.html" for p in view.plans} == set(pops)


def test_keyboard_skip_link_first_and_order_follows_reading(browser, page_file):
    with browser.open(page_file) as page:
        order = page.focus_order()
        assert order[0].tag == "a" and order[0].href == "#main" and order[0].text == "Skip to main content"
        assert [f.dom_index for f in order] == page.focusable_in_dom_order()
        assert all(f.outline for f in order)


@pytest.mark.parametrize("width,zoom", [(320, 1.0), (1280, 2.0)])
def test_narrow_screen_and_zoom_never_scroll_the_page_sideways(browser, page_file, width, zoom):
    with browser.open(page_file, width=width, zoom=zoom) as page:
        assert page.overflow() == []


def test_self_contained_and_reproducible(view, page_file):
    html = page_file.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert not re.search(r"""(?:href|src)\s*=\s*["']?(?!#|data:)[a-z]+:""", html, re.I)
    assert "data:font/woff2;base64," in html and "@media print" in html
    assert pack_web(view, {p.name: True for p in view.plans}).encode() == page_file.read_bytes()


def test_a_plan_on_a_page_not_built_is_said_not_linked(browser, view, tmp_path):
    from opgen import display

    html = pack_web(view, {})
    assert "plan-on-a-page.html" not in html
    assert html.count(display.WEB_PACK_WORDS["pop_missing"].replace("'", "&#39;")) == len(view.plans) or \
        html.count(display.WEB_PACK_WORDS["pop_missing"]) == len(view.plans)
    target = tmp_path / "pack.html"
    target.write_text(html, encoding="utf-8")
    with browser.open(target) as page:
        assert page.axe(WCAG) == []
