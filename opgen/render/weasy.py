"""HTML to PDF with WeasyPrint: fetches only opgen's own templates and assets, tags the PDF for
screen readers, and gives the same bytes for the same input."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import opgen.render.workarounds  # noqa: F401 - first: WeasyPrint imported without gcc, its parser cache mended
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from opgen.render.pdftags import fix_structure, layout_hints
from opgen.render.theming import served
from opgen.resources import FONTS_DIR, TEMPLATES_DIR

ALLOWED_ROOTS = (TEMPLATES_DIR, FONTS_DIR)

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class FetchRefused(ValueError):
    """A resource outside opgen's own templates and assets was asked for."""


class AssetFetcher(URLFetcher):
    """A URL fetcher that serves file: URLs inside templates/ and assets/ and refuses everything else
    (http, https, data, other files), so plan content can never make the renderer fetch anything.
    A theme's logo, read by opgen itself, is served from memory by its reserved name (opgen-asset:...)."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if (asset := served(url)) is not None:
            return URLFetcherResponse(url, asset[0], {"Content-Type": asset[1]})
        if not is_allowed(url):
            self.refused.append(url)
            raise FetchRefused(f"opgen renders only its own templates and assets; refused {url[:200]}")
        return super().fetch(url, headers)


def is_allowed(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parsed.path)).resolve()
    return any(path.is_relative_to(root) for root in ALLOWED_ROOTS)


# Python's cycle collector at its default thresholds (700, 10, 10) scans WeasyPrint's boxes, styles and
# drawing objects (millions, all alive until the PDF is written) over and over: a third of a 60-page
# chapter's layout time. While laying out and writing, it runs a hundred times less often; the
# thresholds are put back after (a watch process renders for hours).
_LAYOUT_GC_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def fewer_collections():
    before = gc.get_threshold()
    gc.set_threshold(*_LAYOUT_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def html_to_pdf(html: str, *, timestamp: dt.datetime, identifier_seed: str = "") -> bytes:
    """Render HTML (whose relative URLs resolve against templates/) to tagged, reproducible PDF bytes."""
    document = render_document(html)
    return document_to_pdf(document, html=html, timestamp=timestamp, identifier_seed=identifier_seed)


def render_document(html: str):
    """Lay out HTML (relative URLs against templates/, same asset-only fetcher as html_to_pdf) and
    return the WeasyPrint Document, so a caller can count pages before writing the PDF."""
    with fewer_collections():
        return HTML(string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=AssetFetcher()).render()


_LINK = re.compile(r'<link rel="stylesheet" href="([A-Za-z0-9_.-]+\.css)">\n?')


def render_with_shared_styles(html: str):
    """render_document for the many documents of one kind a process lays out (the full plan's parts):
    the <link>ed stylesheets of opgen's templates are parsed once a process, with one font
    configuration, instead of once a document (0.4-0.7 s each). They apply as WeasyPrint's user
    stylesheets, beneath the page's own <style> (its @page switches, the contents' page numbers), as
    they did as its first author stylesheets; stylesheets with !important rules, or a page with
    @font-face rules of its own (a theme's font), are laid out by render_document."""
    names = _LINK.findall(html)
    if not names or "@font-face" in html or any("!important" in _sheet_text(n) for n in names):
        return render_document(html)
    sheets = [_sheet(name) for name in names]
    with fewer_collections():
        return HTML(string=_LINK.sub("", html), base_url=str(TEMPLATES_DIR) + "/",
                    url_fetcher=AssetFetcher()).render(stylesheets=sheets, font_config=_font_config())


# A page with what the full plan's pages are made of (headings, references, emphasis, a list, a table
# of figures, a link), laid out and written by `warm`.
_WARM_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>opgen</title>
<link rel="stylesheet" href="base.css">
<link rel="stylesheet" href="operational-plan.css">
</head><body class="full"><section class="chapter" id="warm"><h1>Warm up</h1>
<article class="action" id="warm-action"><div class="action-head"><h2><span class="ref">A-01</span> Action</h2></div>
<div class="prose"><p><strong>Strong</strong> <em>emphasis</em> and <a href="#warm">a link</a>, 1,234.</p>
<ul><li>One</li><li>Two</li></ul></div>
<table class="grid milestones"><caption>Milestones</caption><thead><tr><th scope="col">Ref</th><th scope="col">Due</th>
<th scope="col" class="num">£000</th></tr></thead><tbody><tr><td class="ref">A-01-M1</td><td>Q1</td>
<td class="num">1,234</td></tr></tbody></table></article></section></body></html>
"""


def warm() -> None:
    """Do once what every full-plan layout starts with: parse the stylesheets, set up the fonts, and lay
    out and write one small page (loading the font faces, the text engine's bindings and the PDF
    writer). The render server does this before it forks a process for each task (opgen.render_pool),
    so each starts warm: about 0.1 s a task."""
    document = render_with_shared_styles(_WARM_PAGE)
    document_to_pdf(document, html=_WARM_PAGE, timestamp=dt.datetime(2000, 1, 1), identifier_seed="warm")


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=16)
def _sheet_text(name: str) -> str:
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def _sheet(name: str) -> CSS:
    return CSS(string=_sheet_text(name), base_url=str(TEMPLATES_DIR) + "/", url_fetcher=AssetFetcher(),
               font_config=_font_config(), media_type="print")


def document_to_pdf(document, *, html: str, timestamp: dt.datetime, identifier_seed: str = "") -> bytes:
    """Write a Document from render_document exactly as html_to_pdf would have written it."""
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    document.metadata.created = stamp
    document.metadata.modified = stamp
    identifier = hashlib.md5((identifier_seed or html).encode("utf-8")).hexdigest().encode("ascii")
    with fewer_collections():
        pdf = document.write_pdf(pdf_identifier=identifier, pdf_tags=True, pdf_variant="pdf/ua-1",
                                 uncompressed_pdf=True)   # tagged: fix_structure saves it compressed, sooner
        # WeasyPrint's tags do not hold up read back (furniture, watermark, links, split tables): mend them
        watermark, continued = layout_hints(document)
        return fix_structure(pdf, watermark=watermark, continued=continued)
