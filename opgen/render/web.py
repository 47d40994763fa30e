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

The inliner, `self_contained(html, css_files)`, is render/inline.py's: the diff report and the board
pack's web editions use it too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from opgen import display
from opgen.diagnostics import Diagnostic
from opgen.model import Plan
from opgen.render.inline import parse_page, self_contained, serialise_page
from opgen.render.jinja import render

if TYPE_CHECKING:
    from opgen.render.html import FullPlanPage

WEB_CSS = "web.css"
# (file in templates/, media it applies to or None for all): the shared typography and pills for
# every medium, the paper's own print stylesheet for printing, the web stylesheet for screens.
FULL_PLAN_CSS = (("base.css", None), ("operational-plan.css", "print"), (WEB_CSS, None))
POP_CSS = (("base.css", None), ("plan-on-a-page.css", "print"), (WEB_CSS, None))


MAIN_ID = "main"




# --- the two web editions ----------------------------------------------------------------------

def operational_plan_web(plan: Plan, diagnostics: list[Diagnostic], page: FullPlanPage | None = None) -> str:
    """The full operational plan as one self-contained accessible HTML page. `page`: the
    opgen.render.html.FullPlanPage the build made for the PDF (the same view and HTML), if it has one."""
    from opgen.render.html import operational_plan_page

    if page is None:
        page = operational_plan_page(plan, diagnostics)
    view = page.view
    doc = parse_page(page.html)
    _inline_logo(doc, plan)
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
    return _finish(doc, body, plan, FULL_PLAN_CSS)


def plan_on_a_page_web(plan: Plan, diagnostics: list[Diagnostic]) -> str:
    """The plan on a page as one self-contained accessible HTML page: every action of every programme
    (a screen has no page to fill), the side panels as on paper."""
    from opgen.render.pop import PopLimits, pop_view

    limits = PopLimits(page="A4" if len(plan.domains) <= 4 else "A3")
    view = pop_view(plan, list(diagnostics or []), limits)
    doc = parse_page(render("plan-on-a-page.html.j2", **view))
    _inline_logo(doc, plan)
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
    return _finish(doc, body, plan, POP_CSS)


# --- page shaping -----------------------------------------------------------------------------


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


def _inline_logo(doc, plan: Plan) -> None:
    """A theme's logo inside the page (a data: URI): the papers' reserved name is served by the PDF
    renderer from memory, which a browser cannot reach, and a web edition loads nothing."""
    from opgen.render.theming import logo_view

    logo = logo_view(plan.theme)
    for img in doc.iter("img"):
        if logo and (img.get("src") or "").startswith("opgen-asset:"):
            img.set("src", logo["inline_src"])


def _theme_fonts(doc, plan: Plan) -> dict | None:
    """A theme's own font for the page (None: Inter, the default): the theme's @font-face rules,
    which point at files a browser cannot reach, taken out of the page's <style>, and the faces they
    name given to the inliner to put inside the page."""
    from opgen.theme import DEFAULT_FONT, FONTS

    theme = plan.theme
    if theme is None or theme.font == DEFAULT_FONT:
        return None
    for style in doc.iter("style"):
        style.text = re.sub(r"@font-face\s*\{[^}]*\}\s*", "", style.text or "")
    family, _, faces = FONTS[theme.font]
    return {(style, weight): (family, file) for weight, style, file in faces}


def _finish(doc, body, plan: Plan, css) -> str:
    """The reshaping both web editions end with (headings nested, links, tables, figures, landmarks
    named), then the page made self-contained with its stylesheets and fonts."""
    _nest_headings(body)
    _external_links(body)
    _tables(body)
    _figures(body)
    _unique_landmarks(body)
    body.set("class", (body.get("class", "") + " web").strip())
    fonts = _theme_fonts(doc, plan)
    return self_contained(serialise_page(doc), css, fonts=fonts)
