"""The web editions (`opgen build --format web`): operational-plan.html and plan-on-a-page.html, each
one self-contained page meeting WCAG 2.2 AA, checked as a reader gets them, in headless Chromium with
axe-core (tests/browser.py): every example plan, plus the fixture that draws Gantt schedules and
repeats a labelled part per programme (tests/fixtures/schedules-v2.yaml)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from browser import browser  # noqa: F401  (the session fixture)
from opgen.cli import main
from opgen.pipeline import plan_from_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "plans").glob("*.yaml"))
CHART_FIXTURES = [ROOT / "tests" / "fixtures" / f"{name}.yaml" for name in ("schedules-v2",)]
PLANS = EXAMPLES + CHART_FIXTURES
PAGES = ["operational-plan.html", "plan-on-a-page.html"]
CASES = [(p.stem, page) for p in PLANS for page in PAGES]
IDS = [f"{stem}-{page.split('.')[0]}" for stem, page in CASES]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Every plan's web editions, built as a user builds them (`opgen build --format web`)."""
    folder = tmp_path_factory.mktemp("plans")
    for plan in PLANS:
        shutil.copy(plan, folder / plan.name)
    out = tmp_path_factory.mktemp("build")
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1420070400"
    try:
        code = main(["build", str(folder), "--out", str(out), "--format", "web"])
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    assert code == 0
    for stem, page in CASES:
        assert (out / stem / page).is_file(), (stem, page)
    assert not list(out.rglob("*.pdf")) and not list(out.rglob("*.docx"))  # web only: nothing else laid out
    return out


def _page(built: Path, stem: str, page: str) -> Path:
    return built / stem / page


@pytest.mark.parametrize("stem,page", CASES, ids=IDS)
def test_no_axe_violations_and_nothing_fetched(built, browser, stem, page):
    with browser.open(_page(built, stem, page)) as opened:
        violations = opened.axe()
        assert violations == [], "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']}: {[n['target'] for n in v['nodes'][:5]]}" for v in violations)
        assert opened.requests == []
        assert opened.console_errors == []


@pytest.mark.parametrize("stem,page", CASES, ids=IDS)
def test_keyboard_skip_link_first_and_focus_follows_reading_order(built, browser, stem, page):
    with browser.open(_page(built, stem, page)) as opened:
        order = opened.focus_order()
        assert order, "nothing on the page takes focus"
        first = order[0]
        assert (first.tag, first.href, first.text) == ("a", "#main", "Skip to main content")
        stops = [f.dom_index for f in order]
        assert stops == sorted(stops), "focus jumps against the reading order: " + ", ".join(map(str, order[:20]))
        assert stops == opened.focusable_in_dom_order(), "Tab misses something that can take focus"
        assert all(f.outline for f in order), [str(f) for f in order if not f.outline][:5]
        # the skip link lands on the main content
        opened.page.focus("a.skip-link")
        opened.page.keyboard.press("Enter")
        assert opened.evaluate("() => document.activeElement.id") == "main"
        # every scrolling table region is named
        unnamed = [str(f) for f in order if f.role == "region" and not f.text]
        assert unnamed == []


@pytest.mark.parametrize("stem,page", CASES, ids=IDS)
def test_no_sideways_page_scroll_at_320_px_and_at_200_percent_zoom(built, browser, stem, page):
    with browser.open(_page(built, stem, page), width=320, height=640) as opened:
        assert opened.overflow() == []
        scroll, client = opened.widths()
        assert scroll <= client == 320
    with browser.open(_page(built, stem, page), width=1280, height=900, zoom=2.0) as opened:
        assert opened.overflow() == []


@pytest.mark.parametrize("stem,page", CASES, ids=IDS)
def test_the_file_stands_alone_and_reads_in_order(built, stem, page):
    text = _page(built, stem, page).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script\b", text, re.I)
    doc = lxml_html.document_fromstring(text)
    addresses = [(el.tag, name, value) for el in doc.iter() if isinstance(el.tag, str)
                 for name, value in el.attrib.items()
                 if name in ("href", "src", "srcset", "action", "data", "poster")
                 and not value.startswith(("#", "data:", "mailto:"))]
    assert addresses == []
    assert not re.search(r"url\(\s*(?!['\"]?data:)", text), "CSS loads something"
    assert not re.search(r"""(?:href|src)\s*=\s*["']?(?:https?|file):""", text, re.I)
    assert "@font-face" in text and "data:font/woff2;base64," in text  # the fonts travel with the page
    # one h1, headings never skip a level, landmarks in reading order
    assert doc.get("lang") == "en-GB"
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    body = doc.find("body")
    landmarks = [el.tag for el in body.iter("header", "nav", "main", "footer")
                 if not any(a.tag in ("header", "nav", "main", "footer") for a in el.iterancestors())]
    assert landmarks[0] == "header" and landmarks[-1] == "footer" and landmarks.count("main") == 1
    assert body[0].tag == "a" and body[0].get("href") == "#main"
    # data tables: a caption and every header cell's scope
    for table in body.iter("table"):
        if table.get("role") == "presentation":
            continue
        assert table.find("caption") is not None and "".join(table.find("caption").itertext()).strip()
        for th in table.iter("th"):
            if next(a for a in th.iterancestors("table")) is table:
                assert th.get("scope") in ("col", "row", "colgroup", "rowgroup"), lxml_html.tostring(th)[:200]
    # ratings are words as well as colours
    for pill in body.find_class("pill"):
        assert "".join(pill.itertext()).strip(), lxml_html.tostring(pill)[:200]


@pytest.mark.parametrize("plan", EXAMPLES, ids=lambda p: p.stem)
def test_draft_status_is_text_at_the_top(built, plan):
    meta = plan_from_file(plan).plan.meta
    for page in PAGES:
        doc = lxml_html.document_fromstring(_page(built, plan.stem, page).read_bytes())
        header = doc.find(".//header")
        status = " ".join("".join(header.find_class("web-status")[0].itertext()).split())
        assert status.startswith("DRAFT") == meta.is_draft, status
        assert not doc.find_class("watermark")


def test_a_web_address_in_the_plan_is_text_not_a_link(tmp_path):
    from opgen.render.web import operational_plan_web

    old = "Supporting safe and effective prescribing and achieving financial balance by March 2016."
    new = "Supporting safe prescribing, as [NHS England](https://www.england.nhs.uk/ourwork/) asks."
    source = (ROOT / "plans" / "thanet-2015-16.yaml").read_text(encoding="utf-8")
    assert old in source
    changed = tmp_path / "thanet-link.yaml"
    changed.write_text(source.replace(old, new), encoding="utf-8")
    result = plan_from_file(changed)
    assert result.ok, [d.as_text() for d in result.report.errors]
    page = operational_plan_web(result.plan, result.report.diagnostics)
    assert "https://" not in page and "england.nhs.uk" in page
    doc = lxml_html.document_fromstring(page)
    shown = [" ".join("".join(el.itertext()).split()) for el in doc.find_class("web-address")]
    assert shown == ["NHS England (www.england.nhs.uk/ourwork)"]


def test_the_same_bytes_twice(tmp_path):
    """Two builds in fresh processes (SOURCE_DATE_EPOCH set) write identical web editions."""
    plan = ROOT / "plans" / "south-kent-coast-2014-16.yaml"
    env = dict(os.environ, SOURCE_DATE_EPOCH="1420070400")
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        done = subprocess.run([sys.executable, "-m", "opgen", "build", str(plan), "--out", str(out), "--format", "web"],
                              capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        outs.append(out / plan.stem)
    for page in PAGES:
        assert (outs[0] / page).read_bytes() == (outs[1] / page).read_bytes(), page


def test_html_is_an_alias_of_web(tmp_path):
    plan = ROOT / "plans" / "thanet-2015-16.yaml"
    assert main(["build", str(plan), "--out", str(tmp_path / "a"), "--format", "html"]) == 0
    assert main(["build", str(plan), "--out", str(tmp_path / "b"), "--format", "web"]) == 0
    for page in PAGES:
        assert (tmp_path / "a" / plan.stem / page).read_bytes() == (tmp_path / "b" / plan.stem / page).read_bytes()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_built_beside_the_pdf_the_same_bytes_as_alone(tmp_path, jobs):
    """The full plan's web edition reuses the view and HTML its PDF was made from: built with every
    output (in one process, or with workers) it is byte for byte the page `--format web` makes alone."""
    plan = ROOT / "plans" / "south-kent-coast-2014-16.yaml"
    env = dict(os.environ, SOURCE_DATE_EPOCH="1420070400")
    pages = {}
    for fmt in ("web", "all"):
        out = tmp_path / fmt
        done = subprocess.run([sys.executable, "-m", "opgen", "build", str(plan), "--out", str(out), "--format", fmt,
                               "-j", jobs], capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        pages[fmt] = (out / plan.stem / "operational-plan.html").read_bytes()
    assert (tmp_path / "all" / plan.stem / "operational-plan.pdf").is_file()
    assert pages["all"] == pages["web"]
