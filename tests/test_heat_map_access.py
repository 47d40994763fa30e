"""The risk heat map as a screen reader and a reader with low vision meet it (issue 12): a real
tagged table whose 25 cells each hold their score and count as text (nothing drawn outside its
cell's tag, no tag pointing at nothing), header cells with scope, and every colour pair at 4.5:1."""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import lru_cache

import pikepdf

import pdfua
from opgen.render.html import operational_plan_html
from opgen.render.weasy import html_to_pdf
from opgen.resources import TEMPLATES_DIR
from test_render_pdf import plan_from_data, rich_data

CSS = (TEMPLATES_DIR / "operational-plan.css").read_text(encoding="utf-8")
BASE_CSS = (TEMPLATES_DIR / "base.css").read_text(encoding="utf-8")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def heatmap_rules() -> list[tuple[str, str]]:
    """(selector, declarations) of every CSS rule about the heat map."""
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", CSS)
    return [(s.strip(), d) for s, d in rules if "heatmap" in s or ".hm-" in s]


def test_every_heat_map_cell_colour_pair_reads_at_4_5_to_1():
    empty = re.findall(r"\.heatmap td\.hm-empty\.band-([a-z]+)\s*\{\s*background:\s*#([0-9A-Fa-f]{6});\s*color:\s*#([0-9A-Fa-f]{6})", CSS)
    assert {band for band, _, _ in empty} == {"extreme", "high", "moderate", "low"}
    for band, background, text in empty:
        assert contrast(background, text) >= 4.5, (band, background, text, round(contrast(background, text), 2))
    filled = re.findall(r"\.band-(extreme|high|moderate|low)\s*\{\s*background:\s*#([0-9A-Fa-f]{6});\s*color:\s*#([0-9A-Fa-f]{6})", BASE_CSS)
    assert len(filled) == 4
    for band, background, text in filled:
        assert contrast(background, text) >= 4.5, (band, background, text)


def test_no_heat_map_text_is_faded_positioned_or_under_7_5_pt():
    rules = heatmap_rules()
    assert rules
    for selector, declarations in rules:
        # opacity and positioning make WeasyPrint draw a cell's text apart from its cell's tag
        assert "opacity" not in declarations and "position" not in declarations, selector
        for size in re.findall(r"font-size:\s*([\d.]+)pt", declarations):
            assert float(size) >= 7.5, (selector, size)
        assert not re.search(r"font-size:\s*[\d.]+em", declarations), selector  # em sizes hide the floor


@lru_cache(maxsize=None)
def risk_chapter_pdf() -> bytes:
    """The risk chapter (heat map and register) of a plan with scored risks, laid out alone."""
    result = plan_from_data(rich_data(), "rich.yaml")
    html = operational_plan_html(result.plan, result.report.diagnostics)
    at = html.index('class="heatmap"')
    start = html.rindex('<section class="chapter', 0, at)
    end = html.index('<section class="chapter', at)
    body = html.index(">", html.index("<body")) + 1
    return html_to_pdf(html[:body] + html[start:end] + "</body></html>", timestamp=dt.datetime(2015, 10, 15))


def _walk(elem, path=()):
    for kid in (list(elem.K) if isinstance(elem.get("/K"), pikepdf.Array) else [elem.get("/K")]):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") is not None:
            yield kid, path
            yield from _walk(kid, path + (str(kid.S),))


def _mcids(elem) -> int:
    count = 0
    for kid in (list(elem.K) if isinstance(elem.get("/K"), pikepdf.Array) else [elem.get("/K")]):
        if isinstance(kid, int):
            count += 1
        elif isinstance(kid, pikepdf.Dictionary):
            count += _mcids(kid) if kid.get("/S") is not None else int(kid.get("/Type") == "/MCR")
    return count


def test_heat_map_is_a_tagged_table_every_cell_reached():
    pdf_bytes = risk_chapter_pdf()
    problems = pdfua.check(pdf_bytes)
    # nothing drawn outside a tag, no tag pointing at text that is not there, no text in a form
    # XObject claimed as the page's (the page furniture is another part's: opgen.render.pdftags)
    assert not [p for p in problems if p.rule in ("untagged", "mcid-dangling", "table-scope", "table-structure")], problems
    assert not [p for p in problems if "form XObject" in p.what], problems
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        assert not pdf.pages[0].Resources.get("/XObject"), "heat map cells drawn as separate forms"
        tables = [e for e, _ in _walk(pdf.Root.StructTreeRoot) if e.S == "/Table"]
        heatmap = next(t for t in tables if sum(1 for e, _ in _walk(t) if e.S == "/TD") == 25)
        cells = [e for e, _ in _walk(heatmap) if e.S == "/TD"]
        headers = [e for e, _ in _walk(heatmap) if e.S == "/TH"]
        assert all(_mcids(c) >= 1 for c in cells)  # every cell's score (and count) is tagged text
        scopes = sorted(str(h.A.Scope) for h in headers if h.get("/A") is not None and "/Scope" in h.A)
        assert scopes.count("/Column") == 6 and scopes.count("/Row") == 5  # corner + 5 impacts; 5 likelihoods


def test_a_cell_reads_its_count_with_its_unit():
    result = plan_from_data(rich_data(), "rich.yaml")
    html = operational_plan_html(result.plan, result.report.diagnostics)
    assert re.search(r'<span class="hm-count">1</span> <span class="hm-unit">risk</span>', html)
    assert re.search(r'<span class="hm-count">2</span> <span class="hm-unit">risks</span>', html)
