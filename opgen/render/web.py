"""The web editions: the full operational plan and the plan on a page as one self-contained,
accessible HTML file each (WCAG 2.2 AA), for publishing where a PDF is a "disproportionate burden".

They reuse the board papers' views and templates (render/html.py `full_view`, render/pop.py
`pop_view`, display.py texts) and reshape the page for a screen reader and a small screen:

- one h1 (the document's title) and headings nested under it (each print heading one level down);
- landmarks in reading order: a skip link first, then header (the cover), nav (the contents),
  main and footer (version, status and date as text); print furniture (running heads and feet, the
  DRAFT watermark) gives way to the same facts as text;
- every data table has a caption and header cells with scope, and sits in a labelled region that
  scrolls sideways on its own (role=region, tabindex=0), so the page never does at 320 px;
- no script, nothing fetched: `self_contained` inlines the CSS and the fonts (Inter, subset to the
  characters the page uses, as WOFF2 data: URIs made with fontTools; deterministic), and refuses a
  page that still points anywhere outside itself.

`self_contained(html, css_files)` is generic: the diff report and the board pack's web editions use
it too.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from typing import Iterable

from lxml import etree, html as lxml_html

from opgen import display
from opgen.diagnostics import Diagnostic
from opgen.model import Plan
from opgen.render.jinja import render
from opgen.resources import FONTS_DIR, TEMPLATES_DIR

WEB_CSS = "web.css"
# (file in templates/, media it applies to or None for all): the shared typography and pills for
# every medium, the paper's own print stylesheet for printing, the web stylesheet for screens.
FULL_PLAN_CSS = (("base.css", None), ("operational-plan.css", "print"), (WEB_CSS, None))
POP_CSS = (("base.css", None), ("plan-on-a-page.css", "print"), (WEB_CSS, None))

# The faces of Inter the stylesheets use: (style, weight) -> file in fonts/.
INTER_FACES = {
    ("normal", 400): "Inter-Regular.otf", ("italic", 400): "Inter-Italic.otf",
    ("normal", 600): "Inter-SemiBold.otf", ("italic", 600): "Inter-SemiBoldItalic.otf",
    ("normal", 700): "Inter-Bold.otf", ("italic", 700): "Inter-BoldItalic.otf",
}

MAIN_ID = "main"


class NotSelfContained(ValueError):
    """A web edition would have fetched something (a script, an external or file URL)."""


# --- the two web editions ----------------------------------------------------------------------

def operational_plan_web(plan: Plan, diagnostics: list[Diagnostic]) -> str:
    """The full operational plan as one self-contained accessible HTML page."""
    from opgen.render.html import full_view

    view = full_view(plan, list(diagnostics or []))
    doc = _parse(render("operational-plan.html.j2", **view))
    body = doc.find("body")
    _drop_print_furniture(body)
    _demote_headings(body)
    cover = _first(body, "section", "cover")
    title = _first(cover, "h2", "cover-title") if cover is not None else None
    if title is not None:
        title.tag = "h1"
    header = etree.Element("header", {"class": "web-header"})
    if cover is not None:
        header.append(cover)
    header.insert(0, _status_line(view))
    nav = body.find(".//nav")
    main = etree.Element("main", {"id": MAIN_ID, "tabindex": "-1"})
    for child in list(body):
        main.append(child)
    body.append(_skip_link())
    body.append(header)
    if nav is not None:
        nav.set("class", (nav.get("class", "") + " web-toc").strip())
        body.append(nav)
    body.append(main)
    body.append(_footer(view))
    _nest_headings(body)
    _external_links(body)
    _tables(body)
    _figures(body)
    _unique_landmarks(body)
    body.set("class", (body.get("class", "") + " web").strip())
    return self_contained(_serialise(doc), FULL_PLAN_CSS)


def plan_on_a_page_web(plan: Plan, diagnostics: list[Diagnostic]) -> str:
    """The plan on a page as one self-contained accessible HTML page: every action of every programme
    (a screen has no page to fill), the side panels as on paper."""
    from opgen.render.pop import PopLimits, pop_view

    limits = PopLimits(page="A4" if len(plan.domains) <= 4 else "A3")
    view = pop_view(plan, list(diagnostics or []), limits)
    doc = _parse(render("plan-on-a-page.html.j2", **view))
    body = doc.find("body")
    _drop_print_furniture(body)
    sheet = _first(body, "div", "sheet")
    container = sheet if sheet is not None else body
    old_footer = container.find("footer")
    if old_footer is not None:  # first on paper (a running footer); last on a screen
        container.remove(old_footer)
    header = container.find("header")
    if header is not None:
        header.insert(0, _status_line(view))
    # main holds every part after the masthead (the print page keeps the side panels beside it)
    old_main = container.find(".//main")
    if old_main is not None:
        old_main.tag = "section"
        old_main.set("aria-labelledby", "web-domains-title")
        h2 = old_main.find(".//h2")
        if h2 is not None:
            h2.set("id", "web-domains-title")
    aside = container.find(".//aside")
    if aside is not None:  # complementary parts inside main would be a landmark inside a landmark
        aside.tag = "div"
    main = etree.Element("main", {"id": MAIN_ID, "tabindex": "-1"})
    started = False
    for child in list(container):
        if child is header:
            started = True
            continue
        if started:
            main.append(child)
    container.append(main)
    body.insert(0, _skip_link())
    body.append(_footer(view))
    if sheet is not None:
        sheet.tag = "div"
    _nest_headings(body)
    _external_links(body)
    _tables(body)
    _figures(body)
    _unique_landmarks(body)
    body.set("class", (body.get("class", "") + " web").strip())
    return self_contained(_serialise(doc), POP_CSS)


# --- the shared inliner -----------------------------------------------------------------------

_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
_IMPORT = re.compile(r"@import[^;]*;")
_CSS_URL = re.compile(r"""url\(\s*["']?(?!data:|#)([^"')]*)""", re.I)


def self_contained(html: str, css_files: Iterable[tuple[str, str | None] | str], *, css: str = "",
                   fonts: dict[tuple[str, int], str] | None = None) -> str:
    """One HTML page with nothing to fetch: its <link rel=stylesheet> removed, the named stylesheets
    from opgen's templates (each `(name, media)`, media None for all) and `css` inlined in one
    <style>, and the fonts (`fonts`, default Inter's six faces) as subset WOFF2 data: URIs holding only
    the characters the page uses. Raises NotSelfContained if the page still has a script or points
    at anything outside itself (http, https, file or any other scheme)."""
    doc = _parse(html) if isinstance(html, str) else html
    head = doc.find("head")
    for link in head.findall("link"):
        if "stylesheet" in (link.get("rel") or ""):
            head.remove(link)
    sheets = []
    for entry in css_files:
        name, media = (entry, None) if isinstance(entry, str) else entry
        text = _IMPORT.sub("", _FONT_FACE.sub("", (TEMPLATES_DIR / name).read_text(encoding="utf-8")))
        sheets.append(f"@media {media} {{\n{text}\n}}" if media else text)
    if css:
        sheets.append(css)
    body_css = "\n".join(sheets)
    text = "".join(doc.itertext()) + "".join(v for el in doc.iter() if isinstance(el.tag, str)
                                              for k, v in el.attrib.items() if k in ("aria-label", "alt", "title"))
    style = etree.SubElement(head, "style")
    style.text = "\n" + font_faces(text + _css_content_text(body_css), fonts or INTER_FACES) + "\n" + body_css + "\n"
    out = _serialise(doc)
    check_self_contained(out)
    return out


def check_self_contained(html: str) -> None:
    """Refuse a page that would run a script or fetch anything: a <script>, an event handler, an
    attribute holding an address that is not in the page (`#...`), inline data (`data:`) or an email
    address (`mailto:`), or CSS that imports or loads a url()."""
    doc = _parse(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("script", "iframe", "object", "embed", "base"):
            raise NotSelfContained(f"a web edition must not contain <{el.tag}>")
        for name, value in el.attrib.items():
            name = name.lower().split("}")[-1]
            if name.startswith("on"):
                raise NotSelfContained(f"a web edition must not run a script ({name})")
            if name in _URL_ATTRIBUTES and not value.strip().lower().startswith(("#", "data:", "mailto:")):
                raise NotSelfContained(f"a web edition must not point outside itself: {name}={value[:120]!r}")
        css = (el.text or "") if el.tag == "style" else el.get("style", "")
        if "@import" in css:
            raise NotSelfContained("a web edition's CSS must not import a stylesheet")
        for url in _CSS_URL.findall(css):
            if url.strip():
                raise NotSelfContained(f"a web edition's CSS must not fetch {url[:120]}")


_URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "background", "cite",
                   "longdesc", "manifest", "ping", "icon"}


def font_faces(text: str, faces: dict[tuple[str, int], str]) -> str:
    """@font-face rules for `faces`, each a WOFF2 data: URI subset to the characters of `text`."""
    # A fixed base (Latin-1, punctuation, arrows) so that pages share one subset per process (fontTools
    # takes ~0.4 s a face); a character beyond it joins the subset of the page that uses it.
    chars = "".join(sorted(set(_BASE_CHARS) | {c for c in text if c.isprintable()}))
    rules = []
    for (style, weight), name in sorted(faces.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        family = name.split("-")[0]
        data = _subset_woff2(name, chars)
        rules.append(f'@font-face {{ font-family: "{family}"; font-style: {style}; font-weight: {weight}; '
                     f'font-display: swap; src: url("data:font/woff2;base64,{data}") format("woff2"); }}')
    return "\n".join(rules)


# Characters every page's fonts hold: Basic Latin, common punctuation, arrows, currency.
_BASE_CHARS = ("".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u00a3\u00a9\u00b0\u00b1\u00b7\u00bd\u00e9"
               + "\u2010\u2011\u2012\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2009\u202f\u2032\u2033"
               + "\u20ac\u2190\u2191\u2192\u2193\u2212\u2264\u2265\u00d7\u2713\u2714\u2717")


@lru_cache(maxsize=64)
def _subset_woff2(name: str, chars: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS_DIR / name), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "tnum"]  # kerning and tabular figures; each more feature costs ~0.4 s a face
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and licence naming the font
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _css_content_text(css: str) -> str:
    """Text the stylesheets themselves put on the page (`content: "..."`)."""
    return "".join(re.findall(r'content:\s*"([^"]*)"', css))


# --- page shaping -----------------------------------------------------------------------------

def _parse(html: str):
    return lxml_html.document_fromstring(html)


def _serialise(doc) -> str:
    return lxml_html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode", method="html") + "\n"


def _first(root, tag: str, css_class: str):
    if root is None:
        return None
    for el in root.iter(tag):
        if css_class in (el.get("class") or "").split():
            return el
    return None


def _drop_print_furniture(body) -> None:
    """Running heads and feet and the watermark are for paper; the same facts are text on the web."""
    for el in list(body.iter()):
        if not isinstance(el.tag, str):
            continue
        classes = (el.get("class") or "").split()
        if {"watermark", "runhead", "runfoot"} & set(classes):
            el.getparent().remove(el)


def _demote_headings(body) -> None:
    """Print chapters are h1 each; on the web the document's title is the one h1, so every heading
    goes one level down."""
    for el in body.iter("h1", "h2", "h3", "h4", "h5"):
        el.tag = f"h{int(el.tag[1]) + 1}"


def _nest_headings(body) -> None:
    """Headings in reading order go down one level at a time (a print page may go from h2 to h4
    where the gap is only visual): a heading deeper than the one before plus one is lifted to it."""
    previous = 0
    for el in body.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        level = int(el.tag[1])
        if level > previous + 1:
            level = previous + 1
            el.tag = f"h{level}"
        previous = level


def _skip_link():
    link = etree.Element("a", {"class": "skip-link", "href": f"#{MAIN_ID}"})
    link.text = display.WEB_SKIP_LINK
    return link


def _status_line(view: dict):
    """The document's status as text at the top (on paper, the DRAFT watermark on every page)."""
    p = etree.Element("p", {"class": "web-status" + (" is-draft" if view.get("is_draft") else "")})
    p.text = display.web_status_line(view.get("status", ""), view.get("is_draft", False),
                                     view.get("version") if view.get("version_stated") else None)
    return p


def _footer(view: dict):
    footer = etree.Element("footer", {"class": "web-footer"})
    p = etree.SubElement(footer, "p")
    title = view.get("title", "")
    if view.get("title_period"):
        title = f"{title} {view['title_period']}"
    p.text = display.web_footer(view.get("org", ""), title, view.get("status", ""),
                                view.get("version") if view.get("version_stated") else None, view.get("date"))
    return footer


def _table_label(table) -> str:
    caption = table.find("caption")
    if caption is not None:
        return " ".join("".join(caption.itertext()).split())
    label = table.get("aria-label")
    if label:
        return label
    # the nearest heading before the table
    for el in table.itersiblings(preceding=True):
        if isinstance(el.tag, str) and re.fullmatch(r"h[1-6]", el.tag):
            return " ".join("".join(el.itertext()).split())
    parent = table.getparent()
    while parent is not None:
        for el in parent.itersiblings(preceding=True):
            if isinstance(el.tag, str) and re.fullmatch(r"h[1-6]", el.tag):
                return " ".join("".join(el.itertext()).split())
        heading = next((h for h in parent if isinstance(h.tag, str) and re.fullmatch(r"h[1-6]", h.tag)), None)
        if heading is not None:
            return " ".join("".join(heading.itertext()).split())
        parent = parent.getparent()
    return display.WEB_TABLE


def _external_links(body) -> None:
    """A web edition points nowhere outside itself: a link the plan's text makes to a web address
    becomes its text with the address after it, in words ("NHS England (www.england.nhs.uk/...)");
    mailto: links stay (nothing is fetched)."""
    for a in list(body.iter("a")):
        href = (a.get("href") or "").strip()
        if href.startswith("#") or href.lower().startswith("mailto:"):
            continue
        text = " ".join("".join(a.itertext()).split())
        a.tag = "span"
        a.attrib.clear()
        a.set("class", "web-address")
        shown = display.web_address(href)
        if shown and shown not in text:
            span = etree.SubElement(a, "span", {"class": "web-address-url"})
            span.text = f" ({shown})"


def _unique_landmarks(body) -> None:
    """Landmarks a screen reader lists must be told apart: a labelled section repeated per programme
    ("Delivery schedule") is named with its chapter's heading ("Delivery schedule: Urgent care")."""
    landmarks = [el for el in body.iter("section", "nav", "aside", "div")
                 if el.get("aria-label") and (el.tag != "div" or el.get("role") == "region")]
    names: dict[tuple[str, str], list] = {}
    for el in landmarks:
        names.setdefault((el.get("role") or el.tag, el.get("aria-label")), []).append(el)
    for (_, label), same in names.items():
        if len(same) < 2:
            continue
        for n, el in enumerate(same, 1):
            heading = next((h for a in el.iterancestors("section")
                            for h in a if isinstance(h.tag, str) and re.fullmatch(r"h[1-6]", h.tag)), None)
            context = " ".join("".join(heading.itertext()).split()) if heading is not None else ""
            el.set("aria-label", display.web_landmark(label, context, n))


def _owner(cell):
    """The table a cell belongs to (the nearest table above it)."""
    return next((a for a in cell.iterancestors() if a.tag == "table"), None)


def _tables(body) -> None:
    """Data tables: header cells with scope, a caption, and a labelled region that scrolls sideways
    by itself. Layout tables (role=presentation) become plain blocks."""
    seen_labels: dict[str, int] = {}
    for table in list(body.iter("table")):
        if table.get("role") in ("presentation", "none"):
            continue
        if not any(_owner(th) is table for th in table.iter("th")):
            table.set("role", "presentation")  # a grid for layout, not data
            continue
        for th in table.iter("th"):
            if _owner(th) is table and not th.get("scope"):
                in_head = any(a.tag == "thead" for a in th.iterancestors())
                th.set("scope", "col" if in_head else "row")
        label = _table_label(table)
        if table.find("caption") is None:
            caption = etree.Element("caption", {"class": "visually-hidden"})
            caption.text = label
            table.insert(0, caption)
        if any((a.get("class") or "").split().count("table-scroll") for a in table.iterancestors()):
            continue
        n = seen_labels[label] = seen_labels.get(label, 0) + 1
        region = etree.Element("div", {"class": "table-scroll", "role": "region", "tabindex": "0",
                                       "aria-label": display.web_table_region(label, n)})
        parent = table.getparent()
        parent.replace(table, region)
        region.append(table)
        region.tail, table.tail = table.tail, None


def _figures(body) -> None:
    """Inline SVG charts: each is an image with a name; wide ones scroll inside a labelled region."""
    for svg in list(body.iter("svg")):
        if not svg.get("role"):
            svg.set("role", "img")
        if "width" in svg.attrib and "viewbox" in {k.lower() for k in svg.attrib}:
            svg.set("class", (svg.get("class", "") + " web-svg").strip())
        figure = svg.getparent()
        if "gantt" in (svg.get("class") or "").split() and figure is not None and figure.tag == "figure":
            # a timeline stays legible on a phone: it scrolls sideways inside its figure
            figure.set("role", "region")
            figure.set("tabindex", "0")
            figure.set("aria-label", svg.get("aria-label") or display.WEB_TABLE)
            figure.set("class", (figure.get("class", "") + " web-chart-scroll").strip())
