"""Rich text: the Markdown plans may use (paragraphs, two-level bullet and numbered lists, bold,
italic, links, pipe tables and footnotes), rendered safely. Raw HTML is shown as text, images are
never fetched, and links keep only http(s) and mailto targets (no javascript:, file: or data:).

Python-Markdown does the parsing (its own `tables`, `footnotes` and `sane_lists` extensions); the
`_Sanitise` tree processor then runs last and lets through only the tags and attributes in
ALLOWED_TAGS, so no extension can open a hole: footnote ids are rewritten to `fn-<key>-<n>` (the key
a hash of the field's text, made unique per page by `id_scope`), footnote back-links are dropped,
table alignment becomes a class, and header cells get `scope="col"`."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import html as _html
import re
import threading
import typing
import xml.etree.ElementTree as etree
from functools import lru_cache
from typing import Iterator

import markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import NBSP_PLACEHOLDER, FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:")

# Every tag to_html may emit, with the attributes it may carry (values are checked where set).
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    **{tag: frozenset() for tag in (
        "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "span",
        "h1", "h2", "h3", "h4", "h5", "h6", "thead", "tbody", "tr")},
    "table": frozenset({"class"}),
    "a": frozenset({"href"}),
    "ol": frozenset({"start"}),
    "th": frozenset({"scope", "class"}),
    "td": frozenset({"class"}),
    "sup": frozenset({"id", "class"}),
    "div": frozenset({"class"}),
    "li": frozenset({"id"}),  # only a footnote's list item has one
}

_LIST_ITEM = re.compile(r"^( {0,9})(?:[-*+]|(\d{1,9})[.)])[ \t]+\S")
_TABLE_DELIMITER = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
WIDE_COLUMNS = 6  # a Markdown table with this many columns is set a little smaller
_ALIGN_CLASS = {"right": "ta-right", "center": "ta-center"}


class _Sanitise(Treeprocessor):
    """The last tree processor: footnotes renamed, then every element checked against the allow-list."""

    def run(self, root: etree.Element) -> None:
        key = getattr(self.md, "opgen_key", "x")
        self._footnotes(root, key)
        for element in root.iter():
            tag = element.tag
            if tag == "a":
                self._link(element)
            elif tag in ("th", "td"):
                align = element.get("align")
                element.attrib.clear()
                if align in _ALIGN_CLASS:
                    element.set("class", _ALIGN_CLASS[align])
                if tag == "th":
                    element.set("scope", "col")
            elif tag == "table":
                head = element.find("thead/tr")
                wide = head is not None and len(head) >= WIDE_COLUMNS
                element.attrib.clear()
                element.set("class", "md-table md-wide" if wide else "md-table")
            elif tag == "ol":
                start = element.get("start", "")
                element.attrib.clear()
                if start.isdigit() and start != "1":
                    element.set("start", str(int(start)))
            elif tag not in ALLOWED_TAGS:
                element.tag = "span"
                element.attrib.clear()
            for name in [n for n in element.attrib if n not in ALLOWED_TAGS[element.tag]]:
                del element.attrib[name]

    @staticmethod
    def _footnotes(root: etree.Element, key: str) -> dict[str, str]:
        """Footnote ids as fn-<key>-<n> and references as fnref-<key>-<n>[-<k>]; back-links dropped.
        Returns the old link targets ("#fn:label") mapped to the new ones."""
        targets: dict[str, str] = {}
        for div in root.iter("div"):
            if div.get("class") != "footnote":
                continue
            ol = div.find("ol")
            for n, li in enumerate(ol.findall("li") if ol is not None else (), 1):
                old = li.get("id", "")
                targets["#" + old] = f"#fn-{key}-{n}"
                li.attrib.clear()
                li.set("id", f"fn-{key}-{n}")
                for parent in list(li.iter()):
                    for child in list(parent):
                        if child.tag == "a" and child.get("class") == "footnote-backref":
                            parent.remove(child)
                    for attr in ("text", "tail"):
                        value = getattr(parent, attr)
                        if value and NBSP_PLACEHOLDER in value:
                            setattr(parent, attr, value.replace(NBSP_PLACEHOLDER, "").rstrip() or None)
                if len(li) and li[-1].tag == "p" and not len(li[-1]) and not (li[-1].text or "").strip():
                    li.remove(li[-1])  # the paragraph that held only a back-link
            div.attrib.clear()
            div.set("class", "footnote")
        seen: dict[str, int] = {}
        for sup in root.iter("sup"):
            a = sup.find("a")
            if a is None or a.get("class") != "footnote-ref" or a.get("href") not in targets:
                sup.attrib.clear()
                continue
            new = targets[a.get("href")]
            n = new.rsplit("-", 1)[1]
            seen[new] = seen.get(new, 0) + 1
            sup.attrib.clear()
            sup.set("id", f"fnref-{key}-{n}" + (f"-{seen[new]}" if seen[new] > 1 else ""))
            sup.set("class", "footnote-ref")
            a.set("href", new)
            a.set("_footnote", "1")
        return targets

    @staticmethod
    def _link(element: etree.Element) -> None:
        href = (element.get("href") or "").strip()
        if element.get("_footnote"):
            element.attrib.clear()
            element.set("href", href)
            return
        if href.startswith(AMP_SUBSTITUTE):  # an obfuscated <name@example.org> autolink
            href = _html.unescape(href.replace(AMP_SUBSTITUTE, "&"))
        element.attrib.clear()
        if href.lower().startswith(SAFE_SCHEMES):
            element.set("href", href)
        else:
            element.tag = "span"


class _Safe(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        for name in ("image_link", "image_reference", "short_image_ref"):
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
        md.treeprocessors.register(_Sanitise(md), "opgen_sanitise", -100)


def _converter() -> markdown.Markdown:
    # extensions as instances, not names: a name makes Markdown scan every installed package's entry
    # points for it, which cost more than the rest of `opgen validate`'s start-up
    return markdown.Markdown(
        extensions=[_Safe(), SaneListExtension(), TableExtension(use_align_attribute=True),
                    FootnoteExtension(BACKLINK_TEXT="", BACKLINK_TITLE="")],
        output_format="html")


def normalise_markdown(text: str) -> str:
    """Lists and tables the way authors write them in YAML, for Python-Markdown: a list or a pipe
    table may start straight after a paragraph line ("System change:" then "- Revised pathway"), as
    in CommonMark, and a nested item may be indented by two spaces. Python-Markdown needs a blank
    line before the list or table and four spaces of indent, so without this the bullets would
    print as literal "- " text and the table as pipes."""
    lines = text.split("\n")
    out: list[str] = []
    in_list = False
    in_table = False
    previous_blank = True
    for i, line in enumerate(lines):
        blank = not line.strip()
        m = _LIST_ITEM.match(line)
        if m and (in_list or len(m.group(1)) <= 3):
            if not in_list and not previous_blank and m.group(2) not in (None, "1"):
                m = None  # CommonMark: only "1." may interrupt a paragraph (a year like "2014. " does not)
        if not in_table and "|" in line and i + 1 < len(lines) and _TABLE_DELIMITER.match(lines[i + 1]) \
                and "|" in lines[i + 1] + line.strip()[1:-1] and not (in_list and line.startswith(" ")):
            if not previous_blank:
                out.append("")
            in_table, in_list = True, False
        elif in_table and (blank or "|" not in line):
            in_table = False
            if not blank:
                out.append("")
        if in_table:
            pass
        elif m and (in_list or len(m.group(1)) <= 3):
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


_SCOPE: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("opgen_richtext_ids", default=None)


@contextlib.contextmanager
def id_scope() -> Iterator[None]:
    """One page: inside it, two fields with the same text (and so the same footnote ids) get
    distinct ids, in rendering order, so every id on the page is unique and the bytes reproducible."""
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


_LOCAL = threading.local()


# --- Work limits --------------------------------------------------------------------------------
# What one Markdown text may ask of the renderers. Measured (bench/fuzz-report.md): WeasyPrint lays
# out a run of text with no break opportunity in time quadratic in the inline boxes inside it (500
# <em> in one word: 3.6 s, 1,000: 14.7 s; the same with spaces between: 0.4 s, 0.8 s), so `*a_`
# repeated 3,000 times made the full plan take minutes; Python-Markdown looks for the end of a
# link from every `[`, quadratic when they are unclosed (3,000 `[`: 1.7 s, "`[" 3,000 times: 6.5 s);
# and deep nesting (500 quotes or list levels, or emphasis opened inside emphasis) overflows the
# Python stack in Python-Markdown or WeasyPrint. The real plans are far inside every limit (largest
# text 6,773 characters, 5 `[`, 36 marks in a text, 4 in a word, nesting under 6).
# `opgen validate` reports a text over a limit (rules.py, `limit_problem`), so a plan that validates
# always builds; the renderers check again and print such a text as plain paragraphs, so no
# RecursionError and no unbounded work can escape even where validation was not run first.
MAX_CHARS = 50_000          # characters in one text (the longest real one: 6,773)
MAX_NESTING = 16            # quotes, lists, emphasis and links inside each other
MAX_BRACKETS = 500          # `[` (links, footnote references) in one text
MAX_MARKS = 2_000           # emphasis, code and link marks (* _ ` ~ [ ]) in one text
MAX_MARKS_IN_WORD = 40      # the same marks in one word (a run without spaces or line breaks)
_PARSE_NESTING = 2 * MAX_NESTING  # block nesting seen on the source lines past which a text is not parsed at all

# A mark: * ` ~ [ ] or an _ at a word's edge (one inside a word is not emphasis), unless escaped with \.
_MARK = re.compile(r"(?<!\\)[*`~\[\]]|(?<![A-Za-z0-9\\])_|(?<!\\)_(?![A-Za-z0-9])")
_BRACKET = re.compile(r"(?<!\\)\[")
_WORD = re.compile(r"[^ \t\r\n]+")
_CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|\[\^[^\]\n]*\]:)")
_NESTING_TAGS = frozenset({"blockquote", "ul", "ol", "em", "strong", "a", "code", "sup", "span"})


class Limit(typing.NamedTuple):
    """A text over one of the work limits: which (`kind`), how much it has, the limit, and a short
    excerpt from where it is exceeded."""

    kind: str        # "length", "nesting", "brackets", "marks" or "word"
    found: int
    limit: int
    excerpt: str = ""


def _excerpt(text: str, start: int = 0, size: int = 24) -> str:
    piece = text[start:start + size].replace("\n", " ")
    return piece + ("..." if len(text) > start + size else "")


def _line_nesting(normalised: str) -> int:
    """Block nesting as the source lines show it (an estimate that never reads less than Python-Markdown
    will build: each `>`, list marker or footnote label at a line's start, and every 4 columns of
    indent, is a level)."""
    deepest = 0
    for line in normalised.split("\n"):
        expanded = line.expandtabs(4)
        level = (len(expanded) - len(expanded.lstrip(" "))) // 4
        position = 0
        while (m := _CONTAINER.match(expanded, position)) and m.end() > position:
            level += 1
            position = m.end()
        deepest = max(deepest, level)
    return deepest


def _tree_nesting(root: etree.Element) -> int:
    """How deep quotes, lists and inline markup nest in a parsed text (without recursion)."""
    deepest = 0
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        depth += element.tag in _NESTING_TAGS
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in element)
    return deepest


class _TooDeep(Exception):
    pass


@lru_cache(maxsize=4096)
def _limit(text: str) -> Limit | None:
    """The first work limit the text is over, or None. Bounded work: the counts come first, and the
    text is parsed (to measure its nesting) only once they hold and only when its marks could nest
    it past the limit."""
    if len(text) > MAX_CHARS:
        return Limit("length", len(text), MAX_CHARS, _excerpt(text, MAX_CHARS - 12))
    brackets = len(_BRACKET.findall(text))
    if brackets > MAX_BRACKETS:
        return Limit("brackets", brackets, MAX_BRACKETS, _excerpt(text, _BRACKET.search(text).start()))
    marks = len(_MARK.findall(text))
    if marks > MAX_MARKS:
        return Limit("marks", marks, MAX_MARKS, _excerpt(text, _MARK.search(text).start()))
    for word in _WORD.finditer(text) if marks > MAX_MARKS_IN_WORD else ():
        in_word = len(_MARK.findall(word.group()))
        if in_word > MAX_MARKS_IN_WORD:
            return Limit("word", in_word, MAX_MARKS_IN_WORD, _excerpt(text, word.start()))
    block = _line_nesting(normalise_markdown(text))
    if block > _PARSE_NESTING:
        return Limit("nesting", block, MAX_NESTING, _excerpt(text))
    if block + 2 * marks + text.count("<") <= MAX_NESTING:  # every level needs a mark: cannot be too deep
        return None
    try:
        html = _parsed(text)[0]
    except _TooDeep:
        return Limit("nesting", max(block, MAX_NESTING + 1), MAX_NESTING, _excerpt(text))
    try:
        depth = _tree_nesting(etree.fromstring(_as_xml(f"<div>{html}</div>")))
    except etree.ParseError:  # cannot happen for our own output
        depth = 0
    return Limit("nesting", depth, MAX_NESTING, _excerpt(text)) if depth > MAX_NESTING else None


@lru_cache(maxsize=4096)
def _parsed(text: str) -> tuple[str, str]:
    """Python-Markdown's HTML for the text and its footnote key; _TooDeep if it overflows the stack."""
    md = getattr(_LOCAL, "md", None)
    if md is None:  # building a converter costs ~3 ms: one per thread, reset between texts
        md = _LOCAL.md = _converter()
    key = _key(text)
    md.reset()
    md.opgen_key = key  # type: ignore[attr-defined]
    try:
        return md.convert(normalise_markdown(text)), key
    except RecursionError:
        _LOCAL.md = None  # a converter interrupted mid-text is not reused
        raise _TooDeep() from None


def limit_problem(text: str | None) -> Limit | None:
    """The first work limit a Markdown text is over, or None (what `opgen validate` reports)."""
    if not text:
        return None
    return _limit(str(text))


def _plain_paragraphs(text: str) -> str:
    """A text over a work limit, as the renderers print it: its paragraphs as plain text, no markup."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text)]
    return "\n".join(f"<p>{_html.escape(p, quote=False)}</p>" for p in paragraphs if p)


@lru_cache(maxsize=4096)
def _to_html(text: str) -> tuple[str, str]:
    if _limit(text) is None:
        try:
            return _parsed(text)
        except _TooDeep:
            pass
    return _plain_paragraphs(text), _key(text)


def to_html(text: str | None) -> Markup:
    """Markdown to safe HTML (a Markup, so Jinja's autoescape leaves it alone)."""
    if not text:
        return Markup("")
    html, key = _to_html(str(text))
    seen = _SCOPE.get()
    if seen is not None and f'id="fn-{key}-' in html:
        count = seen[key] = seen.get(key, 0) + 1
        if count > 1:
            html = re.sub(rf'(id="|href="#)(fn|fnref)-{key}-', rf"\g<1>\g<2>-{key}x{count}-", html)
    return Markup(html)


_MD_TABLE = re.compile(r'<table class="md-table[^"]*">.*?</table>', re.S)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_LONG_RUN = re.compile(r"[^\s<>&\u200b]{%d,}" % 25)
_ZWSP = "\u200b"


def _break_long_words(match: re.Match) -> str:
    """A Markdown table with a break opportunity (U+200B) every 20 characters of a word longer than 24,
    so a long word or URL wraps inside its cell. (WeasyPrint's `overflow-wrap: anywhere`, which did
    this before, lays a cell out in time quadratic in its text: 1,000 characters of plain words in
    one cell took 12 s, 4,000 took 52 s.)"""
    parts = _TAG_OR_TEXT.split(match.group(0))
    for i in range(0, len(parts), 2):  # the text between tags
        parts[i] = _LONG_RUN.sub(lambda m: _ZWSP.join(m.group(0)[k:k + 20] for k in range(0, len(m.group(0)), 20)),
                                 parts[i])
    return "".join(parts)


def to_page_html(text: str | None) -> Markup:
    """to_html for the PDF pages: the same HTML, with long words in Markdown tables breakable."""
    html = str(to_html(text))
    return Markup(_MD_TABLE.sub(_break_long_words, html)) if "md-table" in html else Markup(html)


def to_inline_html(text: str | None) -> Markup:
    """Like to_html, but without the wrapping <p> for one-paragraph text (table cells, labels)."""
    html = str(to_html(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def is_inline(text: str | None) -> bool:
    """Whether the text is one paragraph of inline Markdown (no list, table, footnote or heading),
    so it can sit inside a sentence-sized box."""
    html = str(to_html(text))
    return not html or (html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1
                        and "<sup" not in html)


_VOID = re.compile(r"<(br|hr)>")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def _xml_entity(m: re.Match) -> str:
    """An HTML entity as XML can read it: a named one as its character, an unknown one or a
    character XML 1.0 cannot hold as text."""
    name = m.group(1)
    if name in _XML_ENTITIES:
        return m.group(0)
    char = _html.unescape(m.group(0))
    if char == m.group(0):
        return "&amp;" + m.group(0)[1:]
    if any(ord(c) < 0x20 and c not in "\t\n\r" or 0xD800 <= ord(c) <= 0xDFFF or ord(c) in (0xFFFE, 0xFFFF)
           for c in char):
        return ""
    return "".join(f"&#{ord(c)};" for c in char)


def _as_xml(html: str) -> str:
    """to_html's output as XML (void elements closed, HTML entities as characters)."""
    return _ENTITY.sub(_xml_entity, _VOID.sub(r"<\1/>", html))


def to_tree(text: str | None) -> etree.Element:
    """Markdown to an element tree (<div> root of <p>, <ul>/<ol> with <li>, <table> with
    <thead>/<tbody>, <strong>, <em>, <a>, <sup class="footnote-ref"> and a trailing
    <div class="footnote"> holding the footnotes as an <ol>), for renderers that are not HTML (the
    Word annex, plain text)."""
    if not text:
        return etree.Element("div")
    try:
        return etree.fromstring(_as_xml(f"<div>{to_html(text)}</div>"))
    except etree.ParseError:  # cannot happen for our own output; keep the text rather than fail
        root = etree.Element("div")
        etree.SubElement(root, "p").text = str(text)
        return root


def table_rows(table: etree.Element) -> list[list[etree.Element]]:
    """A Markdown table's rows (header row first) as lists of their <th>/<td> cells."""
    return [list(tr) for tr in table.iter("tr")]


def footnotes(div: etree.Element) -> list[etree.Element]:
    """The footnotes' list items, in number order, of a to_tree <div class="footnote">."""
    return [li for li in div.iter("li") if li.get("id")]


def is_footnotes(element: etree.Element) -> bool:
    """Whether a to_tree block is the footnotes (the <div class="footnote"> after the text)."""
    return element.tag == "div" and element.get("class") == "footnote"


_BLOCKS = {"p", "ul", "ol", "li", "table", "div", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}


def _inline_plain(element: etree.Element) -> str:
    """An inline element's text, a footnote reference as [n]."""
    if element.tag == "sup" and element.get("class") == "footnote-ref":
        return f"[{''.join(element.itertext()).strip()}]"
    return (element.text or "") + "".join(_inline_plain(c) + (c.tail or "") for c in element)


def _table_plain(table: etree.Element) -> str:
    """A table as its rows: cells separated by " | ", rows by "; "."""
    return "; ".join(" | ".join(" ".join(_inline_plain(cell).split()) for cell in row) for row in table_rows(table))


def _plain(element: etree.Element, out: list[str]) -> None:
    """A block's text into `out`: tables row by row, footnotes numbered."""
    if element.tag == "table":  # a table itself (a footnote's only block), as when it is a child
        out.append(_table_plain(element))
        return
    if not any(child.tag in _BLOCKS for child in element):
        out.append(_inline_plain(element))
        return
    out.append(element.text or "")
    for child in element:
        if child.tag == "table":
            out.append(_table_plain(child))
        elif is_footnotes(child):
            for n, li in enumerate(footnotes(child), 1):
                note: list[str] = []
                _plain(li, note)
                out.append(f"[{n}] " + " ".join(note))
        elif child.tag in _BLOCKS:
            _plain(child, out)
        else:
            out.append(_inline_plain(child))
        out.append(child.tail or "")


def element_plain(element: etree.Element) -> str:
    """One element of a to_tree tree (a table cell, a footnote) as plain text, spaces collapsed."""
    out: list[str] = []
    _plain(element, out)
    return " ".join(" ".join(out).split())


def to_plain(text: str | None) -> str:
    """Markdown to plain text (for metadata, sorting, word-level diffs and compact views): a table
    as its rows, cells separated by " | " and rows by "; ", and footnotes after the text as
    "[1] ...", so no table cell or footnote is lost."""
    if not text:
        return ""
    out: list[str] = []
    _plain(to_tree(text), out)
    return " ".join(" ".join(out).split())
