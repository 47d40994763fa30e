"""HTML to PDF with WeasyPrint: fetches only opgen's own templates and assets, tags the PDF for
screen readers, and gives the same bytes for the same input."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from opgen.render.pdfscope import with_table_scope
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


def html_to_pdf(html: str, *, timestamp: dt.datetime, identifier_seed: str = "") -> bytes:
    """Render HTML (whose relative URLs resolve against templates/) to tagged, reproducible PDF bytes."""
    document = HTML(string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=AssetFetcher()).render()
    return document_to_pdf(document, html=html, timestamp=timestamp, identifier_seed=identifier_seed)


def render_document(html: str):
    """Lay out HTML (relative URLs against templates/, same asset-only fetcher as html_to_pdf) and
    return the WeasyPrint Document, so a caller can count pages before writing the PDF."""
    return HTML(string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=AssetFetcher()).render()


def document_to_pdf(document, *, html: str, timestamp: dt.datetime, identifier_seed: str = "") -> bytes:
    """Write a Document from render_document exactly as html_to_pdf would have written it."""
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    document.metadata.created = stamp
    document.metadata.modified = stamp
    identifier = hashlib.md5((identifier_seed or html).encode("utf-8")).hexdigest().encode("ascii")
    pdf = document.write_pdf(pdf_identifier=identifier, pdf_tags=True, pdf_variant="pdf/ua-1")
    # WeasyPrint's tags do not hold up read back (furniture, watermark, links, split tables): mend them
    watermark, continued = layout_hints(document)
    return fix_structure(with_table_scope(pdf), watermark=watermark, continued=continued)
