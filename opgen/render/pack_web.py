"""The board pack's web edition (`opgen pack` writes build/packs/<pack>/pack.html): one self-contained
accessible HTML page (WCAG 2.2 AA) with what pack.pdf holds: the cover report, the contents, the
summary tables, per plan its part, the matrix, the indicators and the glossary.

It is made from the very parts the PDF is laid out from (render/pack_pdf.py `_part_html`, the one
template pack.html.j2), joined into one page and reshaped for a screen and a screen reader:

- a skip link first, then the banner (board, meeting, item), main (the cover report, the contents as
  a nav, the rest in the print order) and the footer;
- one h1 (the pack's title); every other heading one level down from the print parts' (each part
  there starts with its own h1), the cover report's numbered headings staying h2;
- links between parts (`pack-part:<id>`, which opgen.render.merge turns into PDF links) become links
  within the page; a plan's plan on a page is linked as its own web edition,
  `../../<plan>/plan-on-a-page.html`, when that file has been built (else its part says so);
- every data table has a caption and header cells with scope, and sits in a labelled region that
  scrolls sideways by itself, so the page never does at 320 px; no page numbers (a screen has none);
- CSS and fonts inline (render/inline.py), no script, nothing fetched; same view, same bytes.
"""

from __future__ import annotations

import re

from lxml import etree, html as lxml_html

from opgen import display

# base.css (typography, pills) for every medium, the pack's print stylesheet on paper, then the web
# edition's own screen and print rules.
WEB_CSS = (("base.css", None), ("pack.css", "print"), ("pack-web.css", None))
MAIN_ID = "main"
POP_FILE = "plan-on-a-page.html"
_HEADING = re.compile(r"h[1-6]")


def pop_href(name: str) -> str:
    """Where a plan's plan on a page web edition is, from build/packs/<pack>/pack.html."""
    return f"../../{name}/{POP_FILE}"


def pack_web(view, pops: dict[str, bool]) -> str:
    """The pack's web edition. `pops` says, per plan name, whether its plan on a page web edition
    exists beside the pack (build/<plan>/plan-on-a-page.html), so it can be linked."""
    from opgen.render.inline import self_contained
    from opgen.render.pack_pdf import FRONT, GLOSSARY, _PLAN_PREFIX, _POP_PREFIX, _footer, _part_html

    words = display.WEB_PACK_WORDS
    front = _body(_part_html(view, FRONT, {}))
    plans = [(p, _body(_part_html(view, _PLAN_PREFIX + p.name))) for p in view.plans]
    glossary = _body(_part_html(view, GLOSSARY))

    doc = lxml_html.document_fromstring(
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"></head><body class="pack web"></body></html>')
    head, body = doc.find("head"), doc.find("body")
    etree.SubElement(head, "title").text = view.title
    etree.SubElement(head, "meta", {"name": "description", "content": _footer(view) or view.title})
    etree.SubElement(head, "meta", {"name": "generator", "content": "opgen pack"})

    skip = etree.SubElement(body, "a", {"class": "skip-link", "href": f"#{MAIN_ID}"})
    skip.text = words["skip"]
    banner = etree.SubElement(body, "header", {"class": "web-banner"})
    kicker = next((el for el in front.iter("p") if "report-kicker" in (el.get("class") or "")), None)
    if kicker is not None:   # board | meeting | item, from the cover report, leads the page
        kicker.getparent().remove(kicker)
        kicker.set("class", "web-kicker")
        banner.append(kicker)
    else:
        etree.SubElement(banner, "p", {"class": "web-kicker"}).text = words["report"]
    nav = front.find("nav")
    if nav is not None:   # after the cover report, as on paper
        nav.set("class", "web-toc")
    main = etree.SubElement(body, "main", {"id": MAIN_ID, "tabindex": "-1"})
    for child in list(front):
        main.append(child)
    for plan, part in plans:
        divider = part.find("section")
        if divider is None:
            continue
        divider.set("id", _PLAN_PREFIX + plan.name)
        divider.set("aria-labelledby", f"{_PLAN_PREFIX}{plan.name}-title")
        title = divider.find("h1")
        if title is not None:
            title.set("id", f"{_PLAN_PREFIX}{plan.name}-title")
        divider.insert(_after_title(divider), _pop_line(plan, pops.get(plan.name, False)))
        main.append(divider)
    for child in list(glossary):
        main.append(child)
    footer = etree.SubElement(body, "footer", {"class": "web-footer"})
    etree.SubElement(footer, "p").text = " | ".join(t for t in (view.title, _footer(view)) if t)

    _links(body, {p.name: pops.get(p.name, False) for p in view.plans}, _PLAN_PREFIX, _POP_PREFIX)
    _headings(body)
    _tables(body)
    _unique_ids(body)
    html = lxml_html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode", method="html") + "\n"
    return self_contained(html, WEB_CSS)


def _body(html: str):
    return lxml_html.document_fromstring(html).find("body")


def _after_title(divider) -> int:
    """Where the plan on a page line goes in a plan's part: after its title block."""
    for i, el in enumerate(divider):
        if "divider-title" in (el.get("class") or ""):
            return i + 1
    return len(divider)


def _pop_line(plan, exists: bool):
    words = display.WEB_PACK_WORDS
    p = etree.Element("p", {"class": "web-pop"})
    if exists:
        a = etree.SubElement(p, "a", {"href": pop_href(plan.name)})
        a.text = display.web_pop_link(plan.organisation)
    else:
        p.text = words["pop_missing"]
        p.set("class", "web-pop muted")
    return p


def _links(body, pops: dict[str, bool], plan_prefix: str, pop_prefix: str) -> None:
    """pack-part: links (PDF links between parts) as links on the page; page numbers dropped. A
    contents entry for a plan on a page that was not built goes (its plan's part says why)."""
    for a in list(body.iter("a")):
        a.attrib.pop("data-page", None)
        href = a.get("href") or ""
        if not href.startswith("pack-part:"):
            continue
        target = href[len("pack-part:"):]
        if target.startswith(pop_prefix):
            name = target[len(pop_prefix):]
            if pops.get(name):
                a.set("href", pop_href(name))
                continue
            item = a.getparent()
            if item is not None and item.tag == "li":
                lst = item.getparent()
                lst.remove(item)
                if not len(lst):
                    lst.getparent().remove(lst)
            else:
                a.set("href", f"#{plan_prefix}{name}")
            continue
        a.set("href", f"#{target}")


def _headings(body) -> None:
    """One h1 (the pack's title); each print part's h1 and what is under it one level down. The
    cover report's own h2s (purpose, recommendations, background) already sit under the title."""
    for el in list(body.iter("h1", "h2", "h3", "h4", "h5")):
        classes = (el.get("class") or "").split()
        if "report-title" in classes or "report-h2" in classes:
            continue
        el.tag = f"h{int(el.tag[1]) + 1}"


def _label(table) -> str:
    """A table's name: its caption, else the nearest heading before it."""
    caption = table.find("caption")
    if caption is not None:
        return " ".join("".join(caption.itertext()).split())
    node = table
    while node is not None:
        for el in node.itersiblings(preceding=True):
            if isinstance(el.tag, str) and _HEADING.fullmatch(el.tag):
                return " ".join("".join(el.itertext()).split())
        node = node.getparent()
        if node is not None and node.tag == "body":
            break
    return display.WEB_PACK_WORDS["report"]


def _tables(body) -> None:
    """Each data table: header cells scoped, a caption (hidden when a heading says it already) and a
    labelled region that scrolls sideways by itself."""
    counts: dict[str, int] = {}
    for table in list(body.iter("table")):
        for th in table.iter("th"):
            if not th.get("scope"):
                th.set("scope", "col" if any(a.tag == "thead" for a in th.iterancestors()) else "row")
        label = _label(table)
        if table.find("caption") is None:
            caption = etree.Element("caption", {"class": "visually-hidden"})
            caption.text = label
            table.insert(0, caption)
        counts[label] = counts.get(label, 0) + 1
        name = label if counts[label] == 1 else f"{label} ({counts[label]})"
        region = etree.Element("div", {"class": "table-scroll", "role": "region", "tabindex": "0",
                                       "aria-label": display.web_table_region(name)})
        parent = table.getparent()
        parent.replace(table, region)
        region.append(table)
        region.tail, table.tail = table.tail, None


def _unique_ids(body) -> None:
    """Parts laid out one by one may repeat an id (a footnote's, say): a later one gets a suffix, so
    the page stays valid (the axe tests would catch a repeat)."""
    seen: set[str] = set()
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        ident = el.get("id")
        if not ident:
            continue
        if ident in seen:
            n = 2
            while f"{ident}-{n}" in seen:
                n += 1
            el.set("id", f"{ident}-{n}")
            ident = f"{ident}-{n}"
        seen.add(ident)
