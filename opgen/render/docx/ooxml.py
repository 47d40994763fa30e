"""Word (OOXML) primitives: character formats, runs and paragraphs, fixed-layout tables with
repeating headers, column widths, WCAG contrast, the house styles, section properties and the
reproducible zip repack. Nothing here knows about plans; opgen.render.docx.annex builds the annex
from these.

Plan text only ever goes into text nodes (lxml escapes it) after characters XML cannot hold are
removed (`clean_text`)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import docx
import docx.document
import docx.shared
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn as _qn
from lxml import etree

# --- colours (NHS identity palette) ------------------------------------------------------------

RAG_FILLS = {"red": "DA291C", "amber": "FFB81C", "green": "009639", "blue": "005EB8", "grey": "768692",
             "amber_red": "ED8B00", "amber_green": "78BE20"}  # the five-point scale's: NHS orange, NHS light green
BAND_FILLS = {"extreme": "DA291C", "high": "ED8B00", "moderate": "FFB81C", "low": "009639"}
BAND_LABELS = {"extreme": "Extreme", "high": "High", "moderate": "Moderate", "low": "Low"}
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
                if p.tag == qn("w:tbl"):
                    _fit_nested(p, sum(widths[i:i + span]) - (56 if cell.tight else 170))
                tc.append(p)
            i += span
    return tbl


def _fit_nested(tbl: etree._Element, inner: int) -> None:
    """A table inside a table cell (a Markdown table in a description), sized to the cell: its
    columns keep their natural widths when they fit; otherwise the widest (text) columns give way
    first, down to a common cap, so short figures stay on one line."""
    grid = tbl.find(qn("w:tblGrid"))
    cols = [int(g.get(qn("w:w"))) for g in grid]
    if sum(cols) > inner > 0:
        widths = sorted(cols)
        cap, rest = 0, inner
        for k, w in enumerate(widths):  # water-filling: the largest cap with sum(min(w, cap)) <= inner
            share = rest // (len(widths) - k)
            if w > share:
                cap = share
                break
            rest -= w
        cols = [min(w, cap) for w in cols] if cap >= 200 else [max(int(w * inner / sum(cols)), 200) for w in cols]
    for g, w in zip(grid, cols):
        g.set(qn("w:w"), str(w))
    tblpr = tbl.find(qn("w:tblPr"))
    tblw = tblpr.find(qn("w:tblW"))
    tblw.set(qn("w:w"), str(sum(cols)))
    tblw.set(qn("w:type"), "dxa")
    for tr in tbl.findall(qn("w:tr")):
        k = 0
        for tc in tr.findall(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            span = tcpr.find(qn("w:gridSpan"))
            n = int(span.get(qn("w:val"))) if span is not None else 1
            tcpr.find(qn("w:tcW")).set(qn("w:w"), str(sum(cols[k:k + n])))
            k += n


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




@dataclass(slots=True)
class _Section:
    blocks: list[etree._Element]
    landscape: bool = False


MUTED = Fmt(color=DARK_GREY)
BOLD = Fmt(bold=True)


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


def house_styles(doc: docx.document.Document, *, font: str = FONT, heading: str = DARK_BLUE,
                 primary: str = BLUE) -> None:
    """The house styles: Arial everywhere (no theme fonts), en-GB, Title/Heading/List restyled, and the
    custom Table Text, Table Heading and Hyperlink styles the annex uses. A plan's or pack's `theme`
    (opgen.render.theming.word_styles) may name another font and the heading and brand colours."""
    styles = doc.styles.element
    # One font everywhere: drop theme font references (they would win over Arial in Word).
    for rfonts in styles.iter(qn("w:rFonts")):
        for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            rfonts.attrib.pop(qn(f"w:{name}"), None)
        for name in ("ascii", "hAnsi", "cs"):
            if rfonts.get(qn(f"w:{name}")) not in ("Symbol", "Wingdings", "Courier New"):
                rfonts.set(qn(f"w:{name}"), font)
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
        style = doc.styles.element.get_by_id(style_id)
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

    restyle("Title", size=52, color=heading, bold=True, after=80, no_border=True)
    restyle("Subtitle", size=28, color=DARK_GREY, italic=False, after=360)
    restyle("Heading1", size=32, color=heading, before=0, after=160)
    restyle("Heading2", size=26, color=primary, before=280, after=120)
    restyle("Heading3", size=22, color=heading, before=200, after=80)
    for list_style in ("ListBullet", "ListBullet2", "ListNumber", "ListNumber2", "ListContinue", "ListContinue2"):
        restyle(list_style, size=18, after=40)

    table_text = doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    table_text.element.set(qn("w:customStyle"), "1")
    restyle("TableText", size=18, before=0, after=40)
    table_text.paragraph_format.line_spacing = 1.0
    heading = doc.styles.add_style("Table Heading", WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = table_text
    heading.element.set(qn("w:customStyle"), "1")
    restyle("TableHeading", bold=True, color="FFFFFF", keep_next=True, after=0)
    link = doc.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = docx.shared.RGBColor.from_string(primary)
    link.font.underline = True
    link.element.get_or_add_rPr()
    for name, style in (("TableText", table_text), ("TableHeading", heading)):
        style.element.set(qn("w:styleId"), name)
    link.element.set(qn("w:styleId"), "Hyperlink")


def set_properties(doc: docx.document.Document, when: dt.datetime, *, title: str, subject: str, author: str,
                   keywords: str) -> None:
    """The document's core and extended properties, fixed so the same input gives the same bytes:
    dates from `when`, no thumbnail, no stylesWithEffects part, opgen as the application."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    props = doc.core_properties
    stamp = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    author = clean_text(author)[:255]
    props.title = clean_text(title)[:255]
    props.subject = clean_text(subject)[:255]
    props.author = author
    props.last_modified_by = author
    props.comments = ""
    props.keywords = keywords
    props.category = "Board paper"
    props.language = "en-GB"
    props.revision = 1
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rid]
    for rel in package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _app_xml(author)


def _app_xml(company: str) -> bytes:
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    root = etree.Element(f"{{{ns}}}Properties",
                         nsmap={None: ns, "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"})
    for tag, text in (("Template", "Normal.dotm"), ("TotalTime", "0"), ("Application", "opgen"),
                      ("DocSecurity", "0"), ("ScaleCrop", "false"), ("Company", company),
                      ("LinksUpToDate", "false"), ("SharedDoc", "false"), ("HyperlinksChanged", "false"),
                      ("AppVersion", "16.0000")):
        etree.SubElement(root, f"{{{ns}}}{tag}").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
