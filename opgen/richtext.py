"""Rich text: the Markdown subset plans may use (paragraphs, two-level bullet lists, bold, italic,
links), rendered safely. Raw HTML is shown as text, images are never fetched, and links keep only
http(s) and mailto targets (no javascript:, file: or data:)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:")

_LIST_ITEM = re.compile(r"^( {0,9})(?:[-*+]|(\d{1,9})[.)])[ \t]+\S")


class _SafeLinks(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                href = (element.get("href") or "").strip()
                if not href.lower().startswith(SAFE_SCHEMES):
                    element.attrib.pop("href", None)
                    element.tag = "span"
                for name in list(element.attrib):
                    if name not in ("href",):
                        del element.attrib[name]


class _Safe(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        for name in ("image_link", "image_reference", "short_image_ref"):
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=[_Safe(), "sane_lists"], output_format="html")


def normalise_markdown(text: str) -> str:
    """Lists the way authors write them in YAML, for Python-Markdown: a list may start straight
    after a paragraph line ("System change:" then "- Revised pathway"), as in CommonMark, and a
    nested item may be indented by two spaces. Python-Markdown needs a blank line before the list
    and four spaces of indent, so without this the bullets would print as literal "- " text."""
    lines = text.split("\n")
    out: list[str] = []
    in_list = False
    previous_blank = True
    for line in lines:
        blank = not line.strip()
        m = _LIST_ITEM.match(line)
        if m and (in_list or len(m.group(1)) <= 3):
            if not in_list and not previous_blank and m.group(2) not in (None, "1"):
                m = None  # CommonMark: only "1." may interrupt a paragraph (a year like "2014. " does not)
        if m and (in_list or len(m.group(1)) <= 3):
            if not in_list and not previous_blank:
                out.append("")
            indent = len(m.group(1))
            if in_list and 0 < indent:
                line = " " * (4 if indent < 6 else 8) + line[indent:]
            in_list = True
        elif blank:
            in_list = False
        out.append(line)
        previous_blank = blank
    return "\n".join(out)


@lru_cache(maxsize=4096)
def to_html(text: str | None) -> Markup:
    """Markdown to safe HTML (a Markup, so Jinja's autoescape leaves it alone)."""
    if not text:
        return Markup("")
    md = _converter()
    return Markup(md.convert(normalise_markdown(str(text))))


def to_inline_html(text: str | None) -> Markup:
    """Like to_html, but without the wrapping <p> for one-paragraph text (table cells, labels)."""
    html = str(to_html(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def to_tree(text: str | None) -> etree.Element:
    """Markdown to an element tree (<div> root of <p>, <ul>/<ol> with <li>, <strong>, <em>, <a>),
    for renderers that are not HTML (the Word annex)."""
    if not text:
        return etree.Element("div")
    try:
        return etree.fromstring(f"<div>{to_html(text)}</div>")
    except etree.ParseError:  # an HTML-only entity: fall back to the text as one paragraph
        root = etree.Element("div")
        etree.SubElement(root, "p").text = str(text)
        return root


def to_plain(text: str | None) -> str:
    """Markdown to plain text (for metadata, sorting and word-level diffs)."""
    return " ".join("".join(to_tree(text).itertext()).split())
