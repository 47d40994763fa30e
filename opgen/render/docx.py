"""The Word annex (DOCX): the plan's tables in a form a board secretary can edit and paste into
board papers. Actions with their quarterly RAG, milestones, QIPP by scheme and year with totals,
the risk register and the indicators, plus the values still to be confirmed.

What makes it a proper Word document rather than a dump:

- real styles (Title, Heading 1/2, List Bullet/Number, Table Text, a Hyperlink character style), all
  in Arial with no theme fonts, so the navigation pane, a contents field and restyling work as a
  secretary expects;
- real tables with fixed column widths, header rows that repeat on every page (`w:tblHeader`),
  rows that never split across pages (`w:cantSplit`) and alt-text captions;
- landscape sections (orientation plus swapped page size) where a table is too wide for portrait;
- RAG and risk bands as cell shading *and* a text label, in black or white, whichever meets WCAG AA
  on that colour;
- Markdown fields as Word formatting (bold and italic runs, bullet and numbered lists, hyperlinks
  with a relationship), never literal asterisks.

Plan text only ever goes into text nodes (lxml escapes it) after characters XML cannot hold are
removed. The bytes are reproducible: fixed zip entry times, order, compression and permissions, and
core properties stamped with `document_timestamp`, so the same plan gives the same file whatever
the clock or the output folder. Tables are built directly as XML, one pass per row (never
python-docx's `table.cell(r, c)`), so a plan with a thousand actions takes a second or two.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath
from typing import Iterable, Sequence
from urllib.parse import quote

import docx
import docx.shared
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn as _qn
from lxml import etree

from opgen import richtext
from opgen.model import (
    MILESTONE_LABELS,
    RAG_LABELS,
    Action,
    Indicator,
    Plan,
    QippScheme,
    Risk,
    Total,
    Value,
)
from opgen.periods import Quarter
from opgen.render import document_timestamp

__all__ = ["annex_docx", "RAG_FILLS", "BAND_FILLS", "text_colour_for", "contrast_ratio", "clean_text"]

# --- colours (NHS identity palette) ------------------------------------------------------------

RAG_FILLS = {"red": "DA291C", "amber": "FFB81C", "green": "009639", "blue": "005EB8", "grey": "768692"}
BAND_FILLS = {"extreme": "DA291C", "high": "ED8B00", "moderate": "FFB81C", "low": "009639"}
BAND_LABELS = {"extreme": "Extreme", "high": "High", "moderate": "Moderate", "low": "Low"}
RAG_MEANINGS = {
    "red": "Off track: delivery at serious risk, action needed",
    "amber": "At risk: issues being managed, may slip",
    "green": "On track",
    "blue": "Complete: delivered",
    "grey": "Not started or not yet due",
}
DARK_BLUE = "003087"
BLUE = "005EB8"
DARK_GREY = "425563"
PALE_GREY = "E8EDEE"
BORDER = "AEB7BD"
FONT = "Arial"

# --- page geometry (twips: 1 cm = 567) -----------------------------------------------------------

CM = 567
A4_SHORT, A4_LONG = 11906, 16838
MARGIN = 1020  # 1.8 cm
PORTRAIT_WIDTH = A4_SHORT - 2 * MARGIN
LANDSCAPE_WIDTH = A4_LONG - 2 * MARGIN

# --- text safety -------------------------------------------------------------------------------

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\n]+")


def clean_text(text: object) -> str:
    """Plan text made safe for XML: characters XML 1.0 cannot hold (NUL, form feed, other C0 and C1
    controls, lone surrogates) are dropped rather than crashing the build; line endings become \\n."""
    if text is None:
        return ""
    return _ILLEGAL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


qn = lru_cache(maxsize=None)(_qn)

# --- column widths -----------------------------------------------------------------------------

_NARROW = set("iljtfrI.,:;!|/()[]'- ")
_WIDE = set("mwMW@%")


def _text_cm(text: str, size_pt: float = 9, bold: bool = False) -> float:
    """Rough width of `text` in Arial (em fractions by character class), for sizing narrow columns."""
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.3
        elif ch in _WIDE:
            ems += 0.86
        elif ch.isupper():
            ems += 0.72
        else:
            ems += 0.56
    return ems * size_pt * (1.06 if bold else 1.0) * 2.54 / 72


def _fit(texts: Iterable[str], lo: float, hi: float, size_pt: float = 9, bold: bool = False,
         header: str = "") -> float:
    """A column width (cm) that holds the longest text on one line where it can (breaking only
    after a hyphen or space otherwise), within [lo, hi], cell margins included."""
    need = _text_cm(header, size_pt, bold=True) if header else 0.0
    for text in texts:
        text = text or ""
        whole = _text_cm(text, size_pt, bold)
        if whole + 0.45 > hi:
            whole = max((_text_cm(piece, size_pt, bold) for piece in re.findall(r"[^\s-]*-?", text)), default=0)
        need = max(need, whole)
    return round(min(max(need + 0.45, lo), hi), 2)


# --- WCAG contrast -----------------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour_for(fill: str) -> str:
    """Black or white, whichever contrasts more with `fill` (every NHS RAG colour then meets AA)."""
    return "FFFFFF" if contrast_ratio(fill, "FFFFFF") >= contrast_ratio(fill, "000000") else "000000"


# --- small XML helpers -------------------------------------------------------------------------

def _el(tag: str, **attrs: object) -> etree._Element:
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _sub(parent: etree._Element, tag: str, **attrs: object) -> etree._Element:
    element = etree.SubElement(parent, qn(tag))
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


@dataclass(frozen=True, slots=True)
class Fmt:
    """Character formatting of a run (direct formatting is kept to what a style cannot say)."""

    bold: bool = False
    italic: bool = False
    color: str | None = None
    size: int | None = None  # half-points
    style: str | None = None  # character style id


PLAIN = Fmt()


def _run(text: str, fmt: Fmt = PLAIN) -> etree._Element:
    """A w:r with rPr children in schema order; \\n becomes a line break and \\t a tab."""
    r = _el("w:r")
    if fmt != PLAIN:
        rpr = _sub(r, "w:rPr")
        if fmt.style:
            _sub(rpr, "w:rStyle", val=fmt.style)
        if fmt.bold:
            _sub(rpr, "w:b")
        if fmt.italic:
            _sub(rpr, "w:i")
        if fmt.color:
            _sub(rpr, "w:color", val=fmt.color)
        if fmt.size:
            _sub(rpr, "w:sz", val=fmt.size)
            _sub(rpr, "w:szCs", val=fmt.size)
    for i, line in enumerate(clean_text(text).split("\n")):
        if i:
            _sub(r, "w:br")
        for j, piece in enumerate(line.split("\t")):
            if j:
                _sub(r, "w:tab")
            if piece:
                t = _sub(r, "w:t")
                t.text = piece
                if piece[0] == " " or piece[-1] == " ":
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _para(runs: Iterable[etree._Element] = (), style: str | None = None, *, align: str | None = None,
          keep_next: bool = False, num: tuple[int, int] | None = None, after: int | None = None,
          before: int | None = None) -> etree._Element:
    """A w:p with pPr children in schema order (pStyle, keepNext, numPr, spacing, jc)."""
    p = _el("w:p")
    if style or align or keep_next or num or after is not None or before is not None:
        ppr = _sub(p, "w:pPr")
        if style:
            _sub(ppr, "w:pStyle", val=style)
        if keep_next:
            _sub(ppr, "w:keepNext")
        if num:
            numpr = _sub(ppr, "w:numPr")
            _sub(numpr, "w:ilvl", val=num[0])
            _sub(numpr, "w:numId", val=num[1])
        if after is not None or before is not None:
            spacing = _sub(ppr, "w:spacing")
            if before is not None:
                spacing.set(qn("w:before"), str(before))
            if after is not None:
                spacing.set(qn("w:after"), str(after))
        if align:
            _sub(ppr, "w:jc", val=align)
    for r in runs:
        p.append(r)
    return p


def _trim_paragraph(p: etree._Element) -> None:
    """Collapse HTML-style whitespace at the ends of a paragraph built from Markdown."""
    texts = [t for t in p.iter(qn("w:t"))]
    if not texts:
        return
    texts[0].text = (texts[0].text or "").lstrip()
    texts[-1].text = (texts[-1].text or "").rstrip()
    for t in dict.fromkeys((texts[0], texts[-1])):
        if not t.text:
            t.getparent().remove(t)
        elif t.text[0] != " " and t.text[-1] != " ":
            t.attrib.pop("{http://www.w3.org/XML/1998/namespace}space", None)


# --- tables ------------------------------------------------------------------------------------

@dataclass(slots=True)
class Col:
    """A table column: `width` in cm (the minimum when `flex` > 0, which shares out spare width)."""

    header: str
    width: float
    flex: float = 0
    align: str | None = None
    group: str | None = None


@dataclass(slots=True)
class Cell:
    paras: list[etree._Element]
    fill: str | None = None
    span: int = 1
    valign: str | None = None
    tight: bool = False  # narrow side margins, for short labels in narrow columns


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    header: bool = False


def _widths(cols: Sequence[Col], available: int) -> list[int]:
    fixed = [round(c.width * CM) for c in cols]
    spare = available - sum(fixed)
    flex_total = sum(c.flex for c in cols)
    if flex_total and spare > 0:
        widths = [w + (int(spare * c.flex / flex_total) if c.flex else 0) for w, c in zip(fixed, cols)]
    elif spare < 0:  # wider than the page even in landscape: scale down
        widths = [max(int(w * available / sum(fixed)), 300) for w in fixed]
    else:
        widths = fixed
    widths[-1] += available - sum(widths) if flex_total or spare < 0 else 0
    return widths


def min_width(cols: Sequence[Col]) -> int:
    return sum(round(c.width * CM) for c in cols)


def _table(cols: Sequence[Col], rows: Sequence[Row], caption: str, available: int) -> etree._Element:
    """A fixed-layout table: header row(s) marked to repeat, no row split across pages."""
    widths = _widths(cols, available)
    tbl = _el("w:tbl")
    tblpr = _sub(tbl, "w:tblPr")
    _sub(tblpr, "w:tblStyle", val="TableGrid")
    _sub(tblpr, "w:tblW", w=sum(widths), type="dxa")
    _sub(tblpr, "w:tblInd", w=0, type="dxa")
    borders = _sub(tblpr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _sub(borders, f"w:{side}", val="single", sz=4, space=0, color=BORDER)
    _sub(tblpr, "w:tblLayout", type="fixed")
    margins = _sub(tblpr, "w:tblCellMar")
    for side, size in (("top", 40), ("left", 85), ("bottom", 40), ("right", 85)):
        _sub(margins, f"w:{side}", w=size, type="dxa")
    _sub(tblpr, "w:tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=1, lastColumn=0, noHBand=0, noVBand=1)
    _sub(tblpr, "w:tblCaption", val=clean_text(caption)[:250])
    grid = _sub(tbl, "w:tblGrid")
    for w in widths:
        _sub(grid, "w:gridCol", w=w)
    for row in _header_rows(cols) + list(rows):
        tr = _sub(tbl, "w:tr")
        trpr = _sub(tr, "w:trPr")
        _sub(trpr, "w:cantSplit")
        if row.header:
            _sub(trpr, "w:tblHeader")
        i = 0
        for cell in row.cells:
            span = max(1, min(cell.span, len(widths) - i))
            tc = _sub(tr, "w:tc")
            tcpr = _sub(tc, "w:tcPr")
            _sub(tcpr, "w:tcW", w=sum(widths[i:i + span]), type="dxa")
            if span > 1:
                _sub(tcpr, "w:gridSpan", val=span)
            merge = getattr(cell, "vmerge", None)
            if merge:
                _sub(tcpr, "w:vMerge", **({"val": "restart"} if merge == "restart" else {}))
            if cell.fill:
                _sub(tcpr, "w:shd", val="clear", color="auto", fill=cell.fill)
            if cell.tight:
                mar = _sub(tcpr, "w:tcMar")
                _sub(mar, "w:left", w=28, type="dxa")
                _sub(mar, "w:right", w=28, type="dxa")
            if cell.valign:
                _sub(tcpr, "w:vAlign", val=cell.valign)
            for p in cell.paras or [_para(style="TableText")]:
                tc.append(p)
            i += span
    return tbl


@dataclass(slots=True)
class _HeaderCell(Cell):
    vmerge: str | None = None


def _header_para(text: str, align: str | None) -> etree._Element:
    return _para([_run(text)], "TableHeading", align=align, keep_next=True)


def _header_rows(cols: Sequence[Col]) -> list[Row]:
    """One header row, or two when columns are grouped (a year over its quarters): the group
    label spans its columns and ungrouped headers are merged down both rows."""
    if not any(c.group for c in cols):
        return [Row([_HeaderCell([_header_para(c.header, c.align)], DARK_BLUE, valign="bottom") for c in cols],
                    header=True)]
    top: list[Cell] = []
    bottom: list[Cell] = []
    i = 0
    while i < len(cols):
        col = cols[i]
        if col.group is None:
            top.append(_HeaderCell([_header_para(col.header, col.align)], DARK_BLUE, valign="bottom",
                                   vmerge="restart"))
            bottom.append(_HeaderCell([_para(style="TableHeading", keep_next=True)], DARK_BLUE, vmerge="continue"))
            i += 1
            continue
        j = i
        while j < len(cols) and cols[j].group == col.group:
            bottom.append(_HeaderCell([_header_para(cols[j].header, cols[j].align)], DARK_BLUE, valign="bottom"))
            j += 1
        top.append(_HeaderCell([_header_para(col.group, "center")], DARK_BLUE, span=j - i, valign="bottom"))
        i = j
    return [Row(top, header=True), Row(bottom, header=True)]


# --- the builder -------------------------------------------------------------------------------

@dataclass(slots=True)
class _Section:
    blocks: list[etree._Element]
    landscape: bool = False


MUTED = Fmt(color=DARK_GREY)
BOLD = Fmt(bold=True)
DASH = "\u2013"


def _total_text(total: Total) -> str:
    """A total, or a dash where nothing at all was recorded (not a misleading 0)."""
    return DASH if total.parts == 0 and not total.incomplete else total.display()


def _fy_text(value: Value | None) -> str:
    return value.display() if value is not None else DASH


def _date_text(parsed, raw: str | None) -> str:
    if parsed is not None:
        return parsed.display()
    return "TBC" if raw == "tbc" else (clean_text(raw) if raw else "")


def _quarter_span(q: Quarter) -> str:
    return f"{q.first_day:%B} to {q.last_day:%B %Y}"


def _long_date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return clean_text(text)
    return f"{day.day} {day:%B %Y}"


@dataclass(slots=True)
class _Builder:
    plan: Plan
    warnings: list
    doc: docx.document.Document = field(init=False)
    sections: list[_Section] = field(default_factory=list)
    _next_num: int = 0
    _numbering: etree._Element | None = None
    _abstract: dict = field(default_factory=dict)
    _paras: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doc = docx.Document()

    # -- text ------------------------------------------------------------------------------------

    def text_para(self, text: str | None, style: str = "TableText", fmt: Fmt = PLAIN, **kw) -> etree._Element:
        """A one-run paragraph; short ones (labels, dashes, dates, names) are built once and copied."""
        if text and len(text) > 48:
            return _para([_run(text, fmt)], style, **kw)
        key = (text, style, fmt, tuple(sorted(kw.items())))
        template = self._paras.get(key)
        if template is None:
            template = self._paras[key] = _para([_run(text, fmt)] if text else [], style, **kw)
        return copy.deepcopy(template)

    def rich(self, markdown: str | None, style: str = "TableText",
             lead: Sequence[etree._Element] = ()) -> list[etree._Element]:
        """Markdown as Word paragraphs: bold and italic runs, lists in the List Bullet/Number styles,
        hyperlinks through a relationship. `lead` runs (e.g. a bold label) open the first paragraph."""
        tree = richtext.to_tree(clean_text(markdown))
        out: list[etree._Element] = []
        for block in tree:
            self._block(block, style, 0, out)
        if lead:
            first = out[0] if out else None
            ppr = first.find(qn("w:pPr")) if first is not None else None
            if ppr is not None and ppr.find(qn("w:numPr")) is None and \
                    ppr.find(qn("w:pStyle")).get(qn("w:val")) == style:
                for r in reversed(list(lead)):
                    ppr.addnext(r)
            else:
                out.insert(0, _para(lead, style))
        return out

    def _block(self, el: etree._Element, style: str, level: int, out: list) -> None:
        tag = el.tag
        if tag in ("ul", "ol"):
            self._list(el, level, out)
        elif tag == "hr":
            return
        elif tag == "pre":
            out.append(_para([_run("".join(el.itertext()).rstrip("\n"))], style))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            p = _para(self._inline(el, Fmt(bold=True)), style)
            _trim_paragraph(p)
            out.append(p)
        elif tag in ("blockquote", "div"):
            if el.text and el.text.strip():
                out.append(_para(self._inline_text(el.text, PLAIN), style))
            for child in el:
                self._block(child, style, level, out)
        else:  # p and anything unexpected: its inline content
            p = _para(self._inline(el, PLAIN), style)
            _trim_paragraph(p)
            out.append(p)

    def _list(self, el: etree._Element, level: int, out: list) -> None:
        ordered = el.tag == "ol"
        depth = min(level, 1)
        style = ("ListNumber", "ListNumber2")[depth] if ordered else ("ListBullet", "ListBullet2")[depth]
        num = (0, self._restart_numbering(depth)) if ordered else None
        for li in el.findall("li"):
            runs: list[etree._Element] = []
            first = True

            def flush(continued: bool = False) -> None:
                nonlocal runs, first
                if runs or (first and not continued):
                    cont_style = ("ListContinue", "ListContinue2")[depth]
                    p = _para(runs, style if first else cont_style, num=num if first else None)
                    _trim_paragraph(p)
                    out.append(p)
                    first = False
                runs = []

            if li.text:
                runs += self._inline_text(li.text, PLAIN)
            for child in li:
                if child.tag in ("ul", "ol"):
                    flush()
                    self._list(child, level + 1, out)
                elif child.tag == "p":
                    flush(continued=True)
                    runs = self._inline(child, PLAIN)
                    flush()
                else:
                    runs += self._inline_one(child, PLAIN)
                    if child.tail:
                        runs += self._inline_text(child.tail, PLAIN)
                    continue
                if child.tail and child.tail.strip():
                    runs += self._inline_text(child.tail, PLAIN)
            flush(continued=True)

    def _restart_numbering(self, depth: int) -> int:
        """A new w:num over the List Number (2) definition, restarting at 1, so each ordered list
        in the plan counts from 1 instead of carrying on from the previous one."""
        if self._numbering is None:
            self._numbering = self.doc.part.numbering_part.element
            ids = [int(n.get(qn("w:numId"))) for n in self._numbering.iter(qn("w:num"))]
            self._next_num = max(ids, default=0) + 1
            style_ids = {"ListNumber": 0, "ListNumber2": 1}
            for absnum in self._numbering.iter(qn("w:abstractNum")):
                pstyle = absnum.find(f"{qn('w:lvl')}/{qn('w:pStyle')}")
                if pstyle is not None and pstyle.get(qn("w:val")) in style_ids:
                    self._abstract[style_ids[pstyle.get(qn("w:val"))]] = absnum.get(qn("w:abstractNumId"))
        num_id = self._next_num
        self._next_num += 1
        num = _sub(self._numbering, "w:num", numId=num_id)
        _sub(num, "w:abstractNumId", val=self._abstract.get(depth, self._abstract.get(0, "7")))
        override = _sub(num, "w:lvlOverride", ilvl=0)
        _sub(override, "w:startOverride", val=1)
        return num_id

    def _inline_text(self, text: str, fmt: Fmt) -> list[etree._Element]:
        text = _SPACES.sub(" ", text)
        return [_run(text, fmt)] if text else []

    def _inline(self, el: etree._Element, fmt: Fmt) -> list[etree._Element]:
        out = self._inline_text(el.text, fmt) if el.text else []
        for child in el:
            out += self._inline_one(child, fmt)
            if child.tail:
                out += self._inline_text(child.tail, fmt)
        return out

    def _inline_one(self, child: etree._Element, fmt: Fmt) -> list[etree._Element]:
        tag = child.tag
        if tag in ("strong", "b"):
            return self._inline(child, Fmt(True, fmt.italic, fmt.color, fmt.size, fmt.style))
        if tag in ("em", "i"):
            return self._inline(child, Fmt(fmt.bold, True, fmt.color, fmt.size, fmt.style))
        if tag == "br":
            return [_run("\n", fmt)]
        if tag in ("ul", "ol"):
            return []  # lists are blocks, handled by _list
        if tag == "a" and child.get("href") and len(child.get("href")) <= 2000:  # Word rejects longer URLs
            return [self._hyperlink(child, fmt)]
        return self._inline(child, fmt)

    def _hyperlink(self, a: etree._Element, fmt: Fmt) -> etree._Element:
        href = clean_text(a.get("href")).strip()
        target = quote(href, safe=":/?#[]@!$&'()*+,;=%~-._")
        r_id = self.doc.part.relate_to(target, RT.HYPERLINK, is_external=True)
        link = _el("w:hyperlink")
        link.set(qn("r:id"), r_id)
        link.set(qn("w:history"), "1")
        runs = self._inline(a, Fmt(fmt.bold, fmt.italic, None, fmt.size, "Hyperlink")) or \
            [_run(href, Fmt(fmt.bold, fmt.italic, None, fmt.size, "Hyperlink"))]
        for r in runs:
            link.append(r)
        return link

    # -- cells -----------------------------------------------------------------------------------

    def cell(self, text: str | None, align: str | None = None, fmt: Fmt = PLAIN, **kw) -> Cell:
        return Cell([self.text_para(text, align=align, fmt=fmt)], **kw)

    def dash(self, align: str | None = None) -> Cell:
        return self.cell(DASH, align=align, fmt=MUTED)

    def value_cell(self, text: str | None, align: str = "right", fmt: Fmt = PLAIN) -> Cell:
        if not text or text == DASH:
            return self.dash(align)
        return self.cell(text, align=align, fmt=fmt)

    def shaded(self, label: str, fill: str) -> Cell:
        return Cell([self.text_para(label, align="center", fmt=Fmt(bold=True, color=text_colour_for(fill), size=16))],
                    fill=fill, valign="center", tight=True)

    def rag_cell(self, colour: str | None, due: bool = True) -> Cell:
        if colour in RAG_FILLS:
            return self.shaded(RAG_LABELS[colour], RAG_FILLS[colour])
        if due:
            cell = self.dash("center")
            cell.valign = "center"
            return cell
        return Cell([_para(style="TableText")])

    def titled_cell(self, title: str, markdown: str | None = None,
                    extra: Sequence[tuple[str, str | None]] = ()) -> Cell:
        """A bold title over its Markdown description, then labelled Markdown fields (Mitigation)."""
        paras = [self.text_para(title, fmt=BOLD)]
        if markdown:
            paras += self.rich(markdown)
        for label, text in extra:
            if text:
                paras += self.rich(text, lead=[_run(f"{label}: ", BOLD)])
        return Cell(paras)

    def group_row(self, label: str, ncols: int) -> Row:
        return Row([Cell([self.text_para(label, fmt=BOLD, keep_next=True)], fill=PALE_GREY, span=ncols)])

    # -- document structure ----------------------------------------------------------------------

    def heading(self, text: str, level: int) -> etree._Element:
        return _para([_run(text)], f"Heading{level}")

    def body_text(self, text: str, fmt: Fmt = PLAIN, **kw) -> etree._Element:
        return _para([_run(text, fmt)], **kw)

    def section(self, blocks: list[etree._Element], tables_cols: Sequence[Sequence[Col]] = ()) -> tuple[_Section, int]:
        landscape = any(min_width(cols) > PORTRAIT_WIDTH for cols in tables_cols)
        section = _Section(blocks, landscape)
        self.sections.append(section)
        return section, (LANDSCAPE_WIDTH if landscape else PORTRAIT_WIDTH)

    # -- sections --------------------------------------------------------------------------------

    def build(self) -> None:
        self.about()
        self.actions()
        self.milestones()
        self.qipp()
        self.risks()
        self.indicators()
        self.open_points()

    def about(self) -> None:
        plan, meta = self.plan, self.plan.meta
        section, width = self.section([])
        out = section.blocks
        out.append(_para([_run(meta.title)], "Title"))
        out.append(_para([_run("Word annex: tables for board papers")], "Subtitle"))
        out.append(_para([_run(plan.organisation.name, Fmt(bold=True, size=24))], after=60))
        if meta.subtitle:
            out.append(self.body_text(meta.subtitle, MUTED))
        details = [
            ("Plan period", meta.period_label),
            ("Delivery status as at", f"{meta.as_at.label} ({_quarter_span(meta.as_at)})"),
            ("Version", "TBC" if meta.version == "tbc" else meta.version),
            ("Status", meta.status.capitalize()),
            ("Plan date", _long_date(meta.date)),
            ("Source", PurePath(plan.source).name if plan.source else None),
        ]
        for i, (label, value) in enumerate(d for d in details if d[1]):
            out.append(_para([_run(f"{label}: ", BOLD), _run(value)], after=40, before=200 if i == 0 else None))

        out.append(_para([_run("About this annex")], "Heading1", before=360))
        out.append(self.body_text(
            "This annex holds the plan's tables in a form that can be edited and pasted into board papers. "
            "Figures, dates and ratings are as recorded in the plan; the full operational plan gives the "
            "narrative. It contains:"))
        contents = []
        if plan.actions:
            contents.append(f"Actions and delivery status: {_count(len(plan.actions), 'action')} in "
                            f"{_count(sum(1 for d in plan.domains if d.actions), 'programme')}")
        if plan.milestones:
            contents.append(f"Milestones: {_count(len(plan.milestones), 'milestone')}")
        if plan.qipp and plan.qipp.schemes:
            contents.append(f"QIPP savings: {_count(len(plan.qipp.schemes), 'scheme')} by year, with totals")
        if plan.risks:
            contents.append(f"Risks: {_count(len(plan.risks), 'risk')}")
        if plan.indicators:
            contents.append(f"Performance indicators: {_count(len(plan.indicators), 'indicator')}")
        if plan.tbcs or self.warnings:
            contents.append("Open points: values still to be confirmed and checks to resolve")
        for line in contents:
            out.append(_para([_run(line, Fmt(size=20))], "ListBullet"))

        out.append(self.heading("RAG ratings", 2))
        out.append(self.body_text("Delivery status is shown as a colour and a word, so it reads in black and "
                                  "white print and with a screen reader."))
        cols = [Col("Rating", 3.2), Col("Meaning", 8.0, flex=1)]
        rows = [Row([self.shaded(RAG_LABELS[c], RAG_FILLS[c]), self.cell(RAG_MEANINGS[c])]) for c in RAG_FILLS]
        out.append(_table(cols, rows, "RAG rating key", min(width, 11 * CM)))

        out.append(self.heading("Conventions", 2))
        notes = [
            "TBC: to be confirmed. The plan does not know the value yet; it is never counted as zero.",
            "A total shown as \u201c1,234 + TBC\u201d is incomplete: it leaves out values still to be confirmed.",
            "n/a means not applicable; a dash (\u2013) means nothing is recorded.",
            "Quarters are NHS financial quarters: Q1 April to June, Q2 July to September, Q3 October to "
            "December, Q4 January to March.",
        ]
        if plan.qipp:
            notes.insert(2, f"Money is in {plan.qipp.unit.header} unless a column says otherwise; savings and "
                            f"investment are positive, net = savings \u2212 investment.")
        for line in notes:
            out.append(_para([_run(line, Fmt(size=20))], "ListBullet"))

    def actions(self) -> None:
        plan = self.plan
        domains = [d for d in plan.domains if d.actions]
        if not domains:
            return
        meta = plan.meta
        actions = plan.actions
        has_rag = any(a.rag for a in actions)
        has_lead = any(a.lead for a in actions)
        has_start = any(a.start or a.start_text for a in actions)
        has_due = any(a.due or a.due_text for a in actions)
        cols = [Col("ID", _fit([a.id for a in actions], 1.4, 3.0)), Col("Action", 5.0, flex=1)]
        if has_lead:
            cols.append(Col("Lead", 2.6, flex=0.3))
        if has_start:
            cols.append(Col("Start", _fit([_date_text(a.start, a.start_text) for a in actions], 1.5, 2.6,
                                          header="Start")))
        if has_due:
            cols.append(Col("Due", _fit([_date_text(a.due, a.due_text) for a in actions], 1.5, 2.6, header="Due")))

        def grid(quarters: list[Quarter]) -> list[Col]:
            return [Col(f"Q{q.number}", 1.5, align="center", group=q.year.label) for q in quarters] if has_rag else []

        # A Q1-Q4 grid for every year of the period where it fits across a landscape page, else the
        # quarters of the reporting year.
        quarters = plan.quarters
        full_grid = min_width(cols + grid(quarters)) <= LANDSCAPE_WIDTH
        if not full_grid:
            quarters = meta.as_at.year.quarters()
        cols += grid(quarters)
        section, width = self.section([self.heading("Actions and delivery status", 1)], [cols])
        out = section.blocks
        if has_rag:
            span = (f"each quarter of {meta.period_label}" if full_grid else
                    f"each quarter of {meta.as_at.year.label}, the year of the reporting quarter "
                    f"(the full operational plan shows every year)")
            out.append(self.body_text(
                f"Delivery status (RAG) for {span}, as reported at {meta.as_at.label}. A dash (\u2013) means "
                f"no rating was reported for a quarter that has started; later quarters are blank."))
        else:
            out.append(self.body_text(f"No delivery status (RAG) has been reported yet for this plan "
                                      f"(as at {meta.as_at.label})."))
        for domain in domains:
            out.append(self.heading(domain.title, 2))
            if domain.lead:
                out.append(self.body_text(f"Lead: {domain.lead}", MUTED))
            rows = [self._action_row(a, quarters, has_lead, has_start, has_due, has_rag) for a in domain.actions]
            out.append(_table(cols, rows, f"Actions: {domain.title}", width))

    def _action_row(self, a: Action, quarters: list[Quarter], has_lead: bool, has_start: bool, has_due: bool,
                    has_rag: bool) -> Row:
        cells = [self.cell(a.id), self.titled_cell(a.title, a.description, [("Mitigation", a.mitigation)])]
        if has_lead:
            cells.append(self.cell(a.lead))
        if has_start:
            cells.append(self.cell(_date_text(a.start, a.start_text)))
        if has_due:
            cells.append(self.cell(_date_text(a.due, a.due_text)))
        if has_rag:
            as_at = self.plan.meta.as_at
            cells += [self.rag_cell(a.rag.get(q), due=q <= as_at) for q in quarters]
        return Row(cells)

    def milestones(self) -> None:
        plan = self.plan
        items = plan.milestones
        if not items:
            return
        has_status = any(m.status for _, m in items)
        cols = [Col("ID", _fit([m.id for _, m in items], 1.4, 3.2)), Col("Milestone", 4.5, flex=1),
                Col("Action", 4.0, flex=0.8),
                Col("Due", _fit([m.due_display for _, m in items], 1.5, 2.6, header="Due"))]
        if has_status:
            cols.append(Col("Status", 2.3))
        section, width = self.section([self.heading("Milestones", 1)], [cols])
        rows: list[Row] = []
        for domain_title, group in _grouped(items, lambda am: am[0].domain_id, plan):
            if domain_title is not None:
                rows.append(self.group_row(domain_title, len(cols)))
            for action, m in group:
                cells = [self.cell(m.id), self.cell(m.title),
                         Cell([_para([_run(f"{action.id} ", MUTED), _run(action.title)], "TableText")]),
                         self.value_cell(m.due_display, align=None)]
                if has_status:
                    cells.append(self.value_cell(MILESTONE_LABELS.get(m.status or "", ""), align=None))
                rows.append(Row(cells))
        section.blocks.append(_table(cols, rows, "Milestones", width))

    def qipp(self) -> None:
        qipp = self.plan.qipp
        if not qipp or not qipp.schemes:
            return
        unit = qipp.unit.header
        years = qipp.years
        has_inv = any(s.investment for s in qipp.schemes)
        has_provider = any(s.provider for s in qipp.schemes)
        has_conf = any(s.confidence for s in qipp.schemes)
        cols = [Col("ID", _fit([s.id for s in qipp.schemes], 1.4, 3.0)), Col("Scheme", 5.0, flex=1)]
        if has_provider:
            cols.append(Col("Provider", 3.0, flex=0.4))
        if has_conf:
            cols.append(Col("Confidence", _fit([], 1.8, 2.6, header="Confidence"), align="center"))
        label_cols = len(cols)
        measures = [("Savings", "savings"), ("Investment", "investment"), ("Net", "net")] if has_inv else \
            [("Savings", "savings")]
        figures = [self._scheme_figure(s, y, key) for s in qipp.schemes for y in years for _, key in measures]
        figures += [_total_text(getattr(qipp, key)(y)) for y in years for _, key in measures]
        money = _fit(figures, 1.9, 2.8, bold=True, header="Investment" if has_inv else "Savings")
        for year in years:
            cols += [Col(f"{name} ({unit})", money, align="right", group=year.label) for name, _ in measures]
        order = {d.id: i for i, d in enumerate(self.plan.domains)}
        summary = sorted(qipp.grouped("domain_id"), key=lambda g: (g[0] not in order, order.get(g[0], 0)))
        summary_cols = [Col("Programme", 5.0, flex=1)] + [
            Col(f"{'Net' if has_inv else 'Savings'} ({unit})", 2.6, align="right", group=y.label) for y in years]
        section, width = self.section([self.heading("QIPP savings", 1)], [cols, summary_cols])
        out = section.blocks
        out.append(self.body_text(
            f"Savings and investment by scheme and financial year, in {unit}"
            + (", with net savings (savings \u2212 investment)." if has_inv else ".")))

        rows: list[Row] = []
        for s in qipp.schemes:
            cells = [self.cell(s.id), self.titled_cell(s.title, s.note)]
            if has_provider:
                cells.append(self.cell(s.provider))
            if has_conf:
                cells.append(self.rag_cell(s.confidence, due=False))
            for year in years:
                cells += [self.value_cell(self._scheme_figure(s, year, key)) for _, key in measures]
            rows.append(Row(cells))

        totals: list[Cell] = [self.cell("Total", fmt=BOLD, fill=PALE_GREY, span=label_cols)]
        incomplete = False
        for year in years:
            for _, key in measures:
                total: Total = getattr(qipp, key)(year)
                incomplete |= total.incomplete
                totals.append(self.value_cell(_total_text(total), fmt=BOLD))
                totals[-1].fill = PALE_GREY
        rows.append(Row(totals))

        stated = {"savings": qipp.stated_savings_total, "investment": qipp.stated_investment_total,
                  "net": qipp.stated_total}
        if not has_inv:
            stated["savings"] = qipp.stated_savings_total or qipp.stated_total
        differs = False
        if any(stated[key] for _, key in measures):
            cells = [self.cell("Total as stated in the plan", fmt=Fmt(italic=True), span=label_cols)]
            for year in years:
                for _, key in measures:
                    value = stated[key].get(year)
                    cells.append(self.cell(value.display(), "right", Fmt(italic=True)) if value else self.cell(""))
                    if value and value.is_number and getattr(qipp, key)(year).value != value.number:
                        differs = True
            rows.append(Row(cells))
        out.append(_table(cols, rows, "QIPP savings by scheme and year", width))

        notes = []
        if incomplete:
            notes.append("A total marked \u201c+ TBC\u201d is incomplete: it leaves out values still to be confirmed.")
        if differs:
            notes.append("Where the total stated in the plan differs from the sum of the schemes, both are shown "
                         "as written.")
        for note in notes:
            out.append(self.body_text(note, MUTED, before=80, after=0))

        if len(summary) > 1:
            out.append(self.heading("QIPP by programme", 2))
            key = "net" if has_inv else "savings"
            rows = []
            for domain_id, schemes in summary:
                cells = [self.cell(self.plan.domain_title(domain_id) if domain_id else "Not assigned to a programme")]
                cells += [self.value_cell(_total_text(getattr(qipp, key)(y, schemes))) for y in years]
                rows.append(Row(cells))
            total_cells = [self.cell("Total", fmt=BOLD, fill=PALE_GREY)]
            for y in years:
                total_cells.append(self.value_cell(_total_text(getattr(qipp, key)(y)), fmt=BOLD))
                total_cells[-1].fill = PALE_GREY
            rows.append(Row(total_cells))
            out.append(_table(summary_cols, rows, "QIPP by programme and year", min(width, PORTRAIT_WIDTH)))

    @staticmethod
    def _scheme_figure(s: QippScheme, year, key: str) -> str:
        if key == "net":
            if year not in s.savings and year not in s.investment:
                return DASH
            return s.net(year).display()
        value = getattr(s, key).get(year)
        return _fy_text(value)

    def risks(self) -> None:
        risks = self.plan.risks
        if not risks:
            return
        has_owner = any(r.owner for r in risks)
        has_current = any(r.current for r in risks)
        has_target = any(r.target for r in risks)
        has_status = any(not r.is_open for r in risks)
        cols = [Col("ID", _fit([r.id for r in risks], 1.4, 3.0)), Col("Risk", 5.0, flex=1.1)]
        if has_owner:
            cols.append(Col("Owner", 2.6))
        if has_current:
            cols += [Col("L \u00d7 I", 1.5, align="center", group="Current"),
                     Col("Score", 1.3, align="center", group="Current"),
                     Col("Band", 2.1, align="center", group="Current")]
        else:
            cols.append(Col("Rating", 2.1, align="center"))
        if has_target:
            cols += [Col("L \u00d7 I", 1.5, align="center", group="Target"),
                     Col("Score", 1.3, align="center", group="Target"),
                     Col("Band", 2.1, align="center", group="Target")]
        cols.append(Col("Mitigation", 5.0, flex=1.3))
        if has_status:
            cols.append(Col("Status", 1.7))
        section, width = self.section([self.heading("Risks", 1)], [cols])
        out = section.blocks
        intro = "L \u00d7 I: likelihood (1 rare to 5 almost certain) \u00d7 impact (1 negligible to 5 catastrophic). " \
                if has_current or has_target else ""
        bands = self.plan.risk_bands
        out.append(self.body_text(
            f"{intro}Bands: low 1\u2013{bands['moderate'] - 1}, moderate {bands['moderate']}\u2013{bands['high'] - 1}, "
            f"high {bands['high']}\u2013{bands['extreme'] - 1}, extreme {bands['extreme']}\u201325."
            + ("" if has_current else " The plan rates these risks by band only.")))
        rows: list[Row] = []
        for domain_title, group in _grouped(risks, lambda r: r.domain_id, self.plan):
            if domain_title is not None:
                rows.append(self.group_row(domain_title, len(cols)))
            rows += [self._risk_row(r, has_owner, has_current, has_target, has_status) for r in group]
        out.append(_table(cols, rows, "Risk register", width))

    def _band_cell(self, band: str | None) -> Cell:
        if band in BAND_FILLS:
            return self.shaded(BAND_LABELS[band], BAND_FILLS[band])
        return self.dash("center")

    def _risk_row(self, r: Risk, has_owner: bool, has_current: bool, has_target: bool, has_status: bool) -> Row:
        cells = [self.cell(r.id), self.titled_cell(r.title, r.description)]
        if has_owner:
            cells.append(self.cell(r.owner))
        if has_current:
            pos = r.current
            cells += [self.value_cell(f"{pos.likelihood} \u00d7 {pos.impact}" if pos else "", "center"),
                      self.value_cell(str(pos.score) if pos else "", "center")]
        cells.append(self._band_cell(r.band))
        if has_target:
            pos = r.target
            cells += [self.value_cell(f"{pos.likelihood} \u00d7 {pos.impact}" if pos else "", "center"),
                      self.value_cell(str(pos.score) if pos else "", "center"),
                      self._band_cell(r.target_band)]
        cells.append(Cell(self.rich(r.mitigation)) if r.mitigation else self.dash())
        if has_status:
            cells.append(self.cell(r.status.capitalize()))
        return Row(cells)

    def indicators(self) -> None:
        indicators = self.plan.indicators
        if not indicators:
            return
        years = sorted({y for i in indicators for y in i.targets} | set(self.plan.meta.years))
        has_actual = any(i.actuals for i in indicators)
        cols = [Col("ID", _fit([i.id for i in indicators], 1.4, 3.2)), Col("Indicator", 5.0, flex=1),
                Col("Unit", _fit([i.unit_label for i in indicators], 1.2, 2.8, header="Unit")),
                Col("Polarity", _fit([i.polarity_label for i in indicators], 1.5, 3.0, header="Polarity")),
                Col("Baseline", _fit([i.show(i.baseline) for i in indicators] +
                                     [f"({i.baseline_period})" for i in indicators if i.baseline_period],
                                     1.8, 2.8, header="Baseline"), align="right")]
        cols += [Col(y.label, 1.9, align="right", group="Target") for y in years]
        if has_actual:
            cols.append(Col("Latest actual", 2.5, align="right"))
        section, width = self.section([self.heading("Performance indicators", 1)], [cols])
        section.blocks.append(self.body_text(
            "Baseline and target for each financial year, as written in the plan (decimals as stated). "
            "Polarity says whether a lower or a higher value is better."))
        rows: list[Row] = []
        for domain_title, group in _grouped(indicators, lambda i: i.domain_id, self.plan):
            if domain_title is not None:
                rows.append(self.group_row(domain_title, len(cols)))
            rows += [self._indicator_row(i, years, has_actual) for i in group]
        section.blocks.append(_table(cols, rows, "Performance indicators", width))

    def _indicator_row(self, ind: Indicator, years, has_actual: bool) -> Row:
        baseline = [self.text_para(ind.show(ind.baseline), align="right")]
        if ind.baseline_period:
            baseline.append(self.text_para(f"({ind.baseline_period})", align="right", fmt=MUTED))
        cells = [self.cell(ind.id), self.cell(ind.title), self.cell(ind.unit_label), self.cell(ind.polarity_label),
                 Cell(baseline)]
        cells += [self.value_cell(ind.show(ind.targets.get(y))) for y in years]
        if has_actual:
            latest = ind.latest_actual()
            if latest:
                quarter, value = latest
                cells.append(Cell([self.text_para(ind.show(value), align="right"),
                                   self.text_para(f"({quarter.label})", align="right", fmt=MUTED)]))
            else:
                cells.append(self.dash("right"))
        return Row(cells)

    def open_points(self) -> None:
        tbcs = self.plan.tbcs
        warnings = self.warnings
        if not tbcs and not warnings:
            return
        section, width = self.section([self.heading("Open points", 1)])
        out = section.blocks
        if tbcs:
            out.append(self.heading("Values to be confirmed", 2))
            out.append(self.body_text(f"{_count(len(tbcs), 'value')} in the plan {'is' if len(tbcs) == 1 else 'are'} "
                                      f"still TBC. Each is shown as TBC in the tables and left out of totals."))
            cols = [Col("No.", 1.2, align="right"), Col("Value to be confirmed", 10, flex=1)]
            rows = [Row([self.cell(str(n), "right"), self.cell(t.label)]) for n, t in enumerate(tbcs, 1)]
            out.append(_table(cols, rows, "Values to be confirmed", width))
        if warnings:
            out.append(self.heading("Checks to resolve", 2))
            out.append(self.body_text("The plan's checks raised these warnings. They do not stop the papers "
                                      "being built, but the version that goes to the board should resolve them."))
            cols = [Col("No.", 1.2, align="right"), Col("Check", 10, flex=1)]
            rows = [Row([self.cell(str(n), "right"), self.cell(_sentence(d.message))])
                    for n, d in enumerate(warnings, 1)]
            out.append(_table(cols, rows, "Checks to resolve", width))

    # -- styles, page furniture, package ---------------------------------------------------------

    def styles(self) -> None:
        styles = self.doc.styles.element
        # One font everywhere: drop theme font references (they would win over Arial in Word).
        for rfonts in styles.iter(qn("w:rFonts")):
            for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
                rfonts.attrib.pop(qn(f"w:{name}"), None)
            for name in ("ascii", "hAnsi", "cs"):
                if rfonts.get(qn(f"w:{name}")) not in ("Symbol", "Wingdings", "Courier New"):
                    rfonts.set(qn(f"w:{name}"), FONT)
        defaults = styles.find(qn("w:docDefaults"))
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        rpr.find(qn("w:sz")).set(qn("w:val"), "20")
        rpr.find(qn("w:szCs")).set(qn("w:val"), "20")
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "en-GB")
        lang.set(qn("w:eastAsia"), "en-GB")
        spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
        spacing.set(qn("w:after"), "120")
        spacing.set(qn("w:line"), "252")

        def restyle(style_id: str, *, size: int | None = None, color: str | None = None, bold: bool | None = None,
                    italic: bool | None = None, before: int | None = None, after: int | None = None,
                    keep_next: bool = False, no_border: bool = False) -> None:
            style = self.doc.styles.element.get_by_id(style_id)
            ppr = style.get_or_add_pPr()
            if no_border:
                for border in ppr.findall(qn("w:pBdr")):
                    ppr.remove(border)
            for numpr in ppr.findall(qn("w:numPr")) if style_id == "Subtitle" else ():
                ppr.remove(numpr)
            if keep_next and ppr.find(qn("w:keepNext")) is None:
                ppr.insert(0, _el("w:keepNext"))
            if before is not None or after is not None:
                sp = ppr.find(qn("w:spacing"))
                if sp is None:
                    sp = _el("w:spacing")
                    _insert_in_order(ppr, sp, _PPR_ORDER)
                if before is not None:
                    sp.set(qn("w:before"), str(before))
                if after is not None:
                    sp.set(qn("w:after"), str(after))
            rpr = style.get_or_add_rPr()
            if bold is not None:
                for tag in ("w:b", "w:bCs"):
                    for e in rpr.findall(qn(tag)):
                        rpr.remove(e)
                if bold:
                    _insert_in_order(rpr, _el("w:b"), _RPR_ORDER)
            if italic is not None:
                for tag in ("w:i", "w:iCs"):
                    for e in rpr.findall(qn(tag)):
                        rpr.remove(e)
                if italic:
                    _insert_in_order(rpr, _el("w:i"), _RPR_ORDER)
            if color:
                for e in rpr.findall(qn("w:color")):
                    rpr.remove(e)
                _insert_in_order(rpr, _el("w:color", val=color), _RPR_ORDER)
            if size:
                for tag in ("w:sz", "w:szCs"):
                    for e in rpr.findall(qn(tag)):
                        rpr.remove(e)
                    _insert_in_order(rpr, _el(tag, val=size), _RPR_ORDER)
            for e in rpr.findall(qn("w:spacing")) + rpr.findall(qn("w:kern")):
                rpr.remove(e)

        restyle("Title", size=52, color=DARK_BLUE, bold=True, after=80, no_border=True)
        restyle("Subtitle", size=28, color=DARK_GREY, italic=False, after=360)
        restyle("Heading1", size=32, color=DARK_BLUE, before=0, after=160)
        restyle("Heading2", size=26, color=BLUE, before=280, after=120)
        for list_style in ("ListBullet", "ListBullet2", "ListNumber", "ListNumber2", "ListContinue", "ListContinue2"):
            restyle(list_style, size=18, after=40)

        table_text = self.doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        table_text.base_style = self.doc.styles["Normal"]
        table_text.element.set(qn("w:customStyle"), "1")
        restyle("TableText", size=18, before=0, after=40)
        table_text.paragraph_format.line_spacing = 1.0
        heading = self.doc.styles.add_style("Table Heading", WD_STYLE_TYPE.PARAGRAPH)
        heading.base_style = table_text
        heading.element.set(qn("w:customStyle"), "1")
        restyle("TableHeading", bold=True, color="FFFFFF", keep_next=True, after=0)
        link = self.doc.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.font.color.rgb = docx.shared.RGBColor.from_string(BLUE)
        link.font.underline = True
        link.element.get_or_add_rPr()
        for name, style in (("TableText", table_text), ("TableHeading", heading)):
            style.element.set(qn("w:styleId"), name)
        link.element.set(qn("w:styleId"), "Hyperlink")

    def page_furniture(self, first_sectpr: etree._Element) -> None:
        """Footer with the plan's identity and "Page X of Y", a DRAFT marker in the header while the
        plan is a draft. Defined once on the first section; later sections inherit them."""
        plan = self.plan
        section = self.doc.sections[0]
        footer = section.footer
        footer.is_linked_to_previous = False
        ftr = footer._element
        for p in list(ftr):
            ftr.remove(p)
        version = "TBC" if plan.meta.version == "tbc" else plan.meta.version
        small = Fmt(color=DARK_GREY, size=16)
        p = _para([_run(f"{plan.organisation.name} \u00b7 {plan.meta.title}: Word annex \u00b7 Version {version} "
                        f"\u00b7 Page ", small)], "Footer", align="center")
        p.append(_field("PAGE", "1", small))
        p.append(_run(" of ", small))
        p.append(_field("NUMPAGES", "1", small))
        ftr.append(p)
        if plan.meta.is_draft:
            header = section.header
            header.is_linked_to_previous = False
            hdr = header._element
            for child in list(hdr):
                hdr.remove(child)
            hdr.append(_para([_run("DRAFT", Fmt(bold=True, color=RAG_FILLS["red"], size=20))], "Header",
                             align="right"))
        assert section._sectPr is first_sectpr

    def assemble(self) -> None:
        body = self.doc.element.body
        final = body.sectPr
        for child in list(body):
            if child is not final:
                body.remove(child)
        sectprs = []
        for i, section in enumerate(self.sections):
            last = i == len(self.sections) - 1
            for block in section.blocks:
                final.addprevious(block)
            if last:
                sectpr = final
                for child in list(sectpr):
                    sectpr.remove(child)
                for name in list(sectpr.attrib):
                    del sectpr.attrib[name]
            else:
                sectpr = _el("w:sectPr")
                brk = _el("w:p")
                ppr = _sub(brk, "w:pPr")
                _sub(ppr, "w:spacing", before=0, after=0, line=20, lineRule="exact")
                rpr = _sub(ppr, "w:rPr")
                _sub(rpr, "w:sz", val=2)
                _sub(rpr, "w:szCs", val=2)
                ppr.append(sectpr)
                final.addprevious(brk)
            _fill_sectpr(sectpr, section.landscape, first=i == 0)
            sectprs.append(sectpr)
        self.page_furniture(sectprs[0])

    def properties(self, when: dt.datetime) -> None:
        plan = self.plan
        props = self.doc.core_properties
        stamp = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
        props.title = clean_text(plan.meta.title)[:255]
        props.subject = clean_text(f"{plan.meta.title}: Word annex ({plan.meta.period_label})")[:255]
        props.author = clean_text(plan.organisation.name)[:255]
        props.last_modified_by = clean_text(plan.organisation.name)[:255]
        props.comments = ""
        props.keywords = "operational plan; annex; QIPP; RAG"
        props.category = "Board paper"
        props.language = "en-GB"
        props.revision = 1
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        package = self.doc.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package.rels[rid]
        for rid, rel in list(self.doc.part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                del self.doc.part.rels[rid]
        for rel in package.rels.values():
            if rel.reltype == RT.EXTENDED_PROPERTIES:
                rel.target_part._blob = _app_xml(plan)

    def bytes(self, when: dt.datetime) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _repack(buffer.getvalue(), when)


# --- helpers used by the builder ---------------------------------------------------------------

_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange"]
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
              "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
              "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def _insert_in_order(parent: etree._Element, child: etree._Element, order: list[str]) -> None:
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    mine = rank.get(child.tag, len(order))
    for i, existing in enumerate(parent):
        if rank.get(existing.tag, len(order)) > mine:
            parent.insert(i, child)
            return
    parent.append(child)


def _field(instr: str, placeholder: str, fmt: Fmt) -> etree._Element:
    fld = _el("w:fldSimple", instr=f" {instr} ")
    fld.append(_run(placeholder, fmt))
    return fld


def _fill_sectpr(sectpr: etree._Element, landscape: bool, first: bool) -> None:
    if not first:
        _sub(sectpr, "w:type", val="nextPage")
    if landscape:
        _sub(sectpr, "w:pgSz", w=A4_LONG, h=A4_SHORT, orient="landscape")
    else:
        _sub(sectpr, "w:pgSz", w=A4_SHORT, h=A4_LONG)
    _sub(sectpr, "w:pgMar", top=MARGIN, right=MARGIN, bottom=MARGIN, left=MARGIN, header=510, footer=510, gutter=0)
    _sub(sectpr, "w:cols", space=720)
    _sub(sectpr, "w:docGrid", linePitch=360)


def _sentence(text: str) -> str:
    text = clean_text(text).strip()
    return text[:1].upper() + text[1:] if text else ""


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _grouped(items: Sequence, domain_of, plan: Plan) -> list[tuple[str | None, list]]:
    """Items grouped by domain, domains in plan order, then those without one; a single group gets
    no group row (label None)."""
    order = {d.id: i for i, d in enumerate(plan.domains)}
    groups: dict[str | None, list] = {}
    for item in items:
        groups.setdefault(domain_of(item), []).append(item)
    if len(groups) <= 1:
        return [(None, list(items))]
    keys = sorted(groups, key=lambda k: (k is None or k not in order, order.get(k, 0)))
    return [(plan.domain_title(k) if k else "Plan-wide", groups[k]) for k in keys]


def _app_xml(plan: Plan) -> bytes:
    root = etree.Element("{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Properties",
                         nsmap={None: "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
                                "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"})
    ns = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    for tag, text in (("Template", "Normal.dotm"), ("TotalTime", "0"), ("Application", "opgen"),
                      ("DocSecurity", "0"), ("ScaleCrop", "false"), ("Company", clean_text(plan.organisation.name)),
                      ("LinksUpToDate", "false"), ("SharedDoc", "false"), ("HyperlinksChanged", "false"),
                      ("AppVersion", "16.0000")):
        etree.SubElement(root, ns + tag).text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _zip_time(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    stamp = when.astimezone(dt.timezone.utc)
    fields = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    if fields < _ZIP_EPOCH:
        return _ZIP_EPOCH
    return min(fields, (2107, 12, 31, 23, 59, 58))


def _repack(raw: bytes, when: dt.datetime) -> bytes:
    """Rewrite the package deterministically: [Content_Types].xml first, then the package
    relationships, then every other part by name; fixed time, compression and permissions."""
    date_time = _zip_time(when)
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        names = source.namelist()
        parts = {name: source.read(name) for name in names}
    ordered = sorted(names, key=lambda n: (n != "[Content_Types].xml", n != "_rels/.rels", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            target.writestr(info, parts[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def _warnings(diagnostics) -> list:
    """The warnings worth a reader's attention: not the TBC ones (the TBC inventory lists them)."""
    items = getattr(diagnostics, "diagnostics", diagnostics) or []
    seen, out = set(), []
    for d in items:
        if getattr(d, "severity", None) != "warning" or getattr(d, "code", "") == "tbc":
            continue
        key = (d.message, getattr(d, "hint", ""))
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def annex_docx(plan: Plan, diagnostics=None) -> bytes:
    """The Word annex of `plan` as DOCX bytes; `diagnostics` (the plan's report, or a list of
    Diagnostic) supplies the warnings listed under Open points. Same plan, same bytes."""
    when = document_timestamp(plan.meta.date)
    builder = _Builder(plan, _warnings(diagnostics))
    builder.styles()
    builder.build()
    builder.assemble()
    builder.properties(when)
    return builder.bytes(when)
