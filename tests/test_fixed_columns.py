"""The full plan's actions summary and milestones tables are laid out with fixed column widths
(opgen.render.fixed_columns): a reference or a status pill never runs out of its column, however long
it is, in either font a theme may choose; and the widths come from font metrics that never print
narrower than WeasyPrint sets the same text."""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

import yaml
from hypothesis import given, settings, strategies as st

from opgen.pipeline import plan_from_bytes
from opgen.render.fontmetrics import text_width_mm
from opgen.render.html import operational_plan_html
from opgen.render.weasy import render_document

from conftest import PLANS_DIR

PX_PER_MM = 96 / 25.4
REFERENCE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./ ", min_size=1,
                    max_size=28)
FONTS = {"inter": "Inter", "liberation-sans": "Liberation Sans"}


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def _laid_out_widths(texts: list[str], family: str, size_pt: float, weight: int, spacing_em: float) -> list[float]:
    """Each text's width in mm as WeasyPrint lays it out (on one line), in `family`."""
    spans = "".join(f'<p><span data-i="{i}">{html_lib.escape(t)}</span></p>' for i, t in enumerate(texts))
    html = (f'<html><head><link rel="stylesheet" href="base.css"><style>p {{ margin: 0 }} span {{ font-family: "{family}"; '
            f'font-size: {size_pt}pt; font-weight: {weight}; letter-spacing: {spacing_em}em; white-space: pre; '
            f'font-variant-numeric: tabular-nums }}</style>'
            + ("" if family == "Inter" else _liberation_faces()) + f"</head><body>{spans}</body></html>")
    document = render_document(html)
    widths: dict[int, float] = {}
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if type(box).__name__ == "InlineBox" and element is not None and element.get("data-i") is not None:
                widths[int(element.get("data-i"))] = widths.get(int(element.get("data-i")), 0) + box.width / PX_PER_MM
    return [widths[i] for i in range(len(texts))]


def _liberation_faces() -> str:
    from opgen.render.theming import css
    from opgen.theme import Theme

    return f"<style>{css(Theme(font='liberation-sans'))}</style>"


@settings(max_examples=12, deadline=None)
@given(texts=st.lists(REFERENCE, min_size=1, max_size=30), font=st.sampled_from(sorted(FONTS)),
       pill=st.booleans())
def test_metrics_never_print_narrower_than_weasyprint_lays_out(texts, font, pill):
    size, weight, spacing = (7.5, 600, 0.01) if pill else (8.6, 600, 0.0)
    laid_out = _laid_out_widths(texts, FONTS[font], size, weight, spacing)
    for text, width in zip(texts, laid_out):
        bound = text_width_mm(text, size, font=font, weight=weight, letter_spacing_em=spacing)
        assert width <= bound + 0.01, (text, width, bound)
        assert bound <= width * 1.25 + 1, (text, width, bound)   # an upper bound, not a wild one


def _long_references(font: str) -> str:
    """Ashford's plan (sub-actions, milestone statuses) with a third of its actions' and all its
    milestones' references made long (wherever they are referred to), RAG on its sub-actions and the
    theme font `font`."""
    text = (PLANS_DIR / "ashford-canterbury-2015-16.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    longer = {a["id"]: f"{a['id']}-WWW-MMMM-{i:03d}" for i, a in enumerate(data["actions"]) if i % 3 == 0}
    longer.update({m["id"]: f"{m['id']}-MILESTONE-WW" for a in data["actions"] for m in a.get("milestones") or []})
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(longer, key=len, reverse=True))) + r")(?![\w-])")
    data = yaml.safe_load(pattern.sub(lambda m: longer[m.group(1)], text))
    for action in data["actions"]:
        if action.get("parent"):
            action["rag"] = {"2015/16": {"q1": "amber", "q2": "green"}}
    data["plan"]["as_at"] = "2015/16 Q2"
    if font != "inter":
        data["theme"] = {"font": font}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@lru_cache(maxsize=None)
def _laid_out(font: str):
    """(the HTML, the WeasyPrint document) of the full plan of _long_references(font)."""
    result = plan_from_bytes(_long_references(font).encode("utf-8"), "long-refs.yaml")
    assert result.ok, [d.message for d in result.report.errors]
    html = operational_plan_html(result.plan, result.report.diagnostics)
    return html, render_document(html)


def _cells(document, wanted: set[str]):
    """The table cells (th and td) with any of the classes `wanted`, on every page."""
    for page in document.pages:
        for cell in _boxes(page._page_box):
            element = getattr(cell, "element", None)
            if (type(cell).__name__ == "TableCellBox" and element is not None
                    and set((element.get("class") or "").split()) & wanted):
                yield cell


def test_no_reference_or_pill_runs_out_of_its_column():
    for font in FONTS:
        html, document = _laid_out(font)
        assert 'style="width: ' in html
        checked = 0
        for cell in _cells(document, {"c-ref", "c-rag", "c-status"}):
            right = cell.content_box_x() + cell.width
            for inner in _boxes(cell):
                if type(inner).__name__ == "TextBox":
                    checked += 1
                    assert inner.position_x + inner.width <= right + 0.5, (
                        font, inner.text, (inner.position_x + inner.width - right) / PX_PER_MM)
        assert checked > 100, checked


def test_the_rag_heading_is_one_line_in_either_font():
    """'RAG 2015/16 Q2' above a column of narrow pills (Amber, Green) stays on one line: the column is
    as wide as its heading too."""
    for font in FONTS:
        html, document = _laid_out(font)
        assert ">RAG 2015/16 Q2</th>" in html
        headings = [cell for cell in _cells(document, {"c-rag"}) if cell.element.tag == "th"]
        assert headings
        for cell in headings:
            lines = [b for b in _boxes(cell) if type(b).__name__ == "LineBox"]
            assert len(lines) == 1, (font, [" ".join(t.text for t in _boxes(line) if hasattr(t, "text"))
                                            for line in lines])
