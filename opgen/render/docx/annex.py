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
  with a relationship, pipe tables as Word tables, footnotes as a Notes list after the text), never
  literal asterisks or pipes.

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
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Sequence
from urllib.parse import quote

import docx
import docx.document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from opgen import chapters, display, richtext
from opgen.figures import compare_stated
from opgen.model import (
    Action,
    Indicator,
    Plan,
    QippScheme,
    Risk,
    Section,
    Total,
    target_periods,
    nested,
)
from opgen.periods import Quarter
from opgen.render import bcf as bcf_tables
from opgen.render import document_timestamp
from opgen.render.theming import word_styles
from opgen.render.tables import TableView, chapters_printed, numbered_tables
from opgen.render.finance import FigureTable, finance_tables
from opgen.render.docx import schedule
from opgen.render.docx.governance import governance_part
from opgen.render.docx import indicators as indicators_v2
from opgen.render.docx.ooxml import (
    BAND_FILLS, BOLD, CM, DARK_GREY, LANDSCAPE_WIDTH, MUTED, PALE_GREY, PLAIN, PORTRAIT_WIDTH,
    RAG_FILLS, _RPR_ORDER, _SPACES, Cell, Col, Fmt, Row, _Section, _el, _field, _fill_sectpr, _fit,
    _insert_in_order, _para, _repack, _run,
    _sub, _table, _trim_paragraph, clean_text, house_styles, min_width, qn, set_properties, text_colour_for,
)

DASH = display.DASH
_RAG_STEP_FILLS = {**RAG_FILLS, "amber_red": "ED8B00", "amber_green": "78BE20"}  # five-point RAG steps


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
    _titles: dict | None = None  # every id'd item's (kind, title), for "See also"
    _refs_in_words: set = field(default_factory=set)  # chapters and tables: named by title, not id

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
             lead: Sequence[etree._Element] = (), width: int | None = None) -> list[etree._Element]:
        """Markdown as Word paragraphs: bold and italic runs, lists in the List Bullet/Number styles,
        hyperlinks through a relationship, pipe tables as Word tables (`width` twips wide; inside a
        table cell, None: the cell's width) and footnotes as numbered notes after the text. `lead`
        runs (e.g. a bold label) open the first paragraph."""
        tree = richtext.to_tree(clean_text(markdown))
        out: list[etree._Element] = []
        for block in tree:
            self._block(block, style, 0, out, width)
        if out and out[-1].tag == qn("w:tbl"):
            out.append(_para(style=style, after=0))  # a cell ends with a paragraph; tables never touch
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

    def _block(self, el: etree._Element, style: str, level: int, out: list, width: int | None = None) -> None:
        tag = el.tag
        if tag in ("ul", "ol"):
            self._list(el, level, out)
        elif tag == "table":
            if out and out[-1].tag == qn("w:tbl"):
                out.append(_para(style=style, after=0))
            out.append(self._md_table(el, width))
        elif richtext.is_footnotes(el):
            self._footnotes(el, style, out)
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
                self._block(child, style, level, out, width)
        else:  # p and anything unexpected: its inline content
            p = _para(self._inline(el, PLAIN), style)
            _trim_paragraph(p)
            out.append(p)

    def _list(self, el: etree._Element, level: int, out: list) -> None:
        ordered = el.tag == "ol"
        depth = min(level, 1)
        style = ("ListNumber", "ListNumber2")[depth] if ordered else ("ListBullet", "ListBullet2")[depth]
        start = int(el.get("start") or 1) if ordered else 1
        num = (0, self._restart_numbering(depth, start)) if ordered else None
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

    def _restart_numbering(self, depth: int, start: int = 1) -> int:
        """A new w:num over the List Number (2) definition, restarting at 1 (or the list's own
        start), so each ordered list in the plan counts from 1 instead of carrying on from the
        previous one."""
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
        _sub(override, "w:startOverride", val=start)
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
        if tag == "sup":  # a footnote reference: its number, superscript (the notes follow the text)
            run = _run(" ".join("".join(child.itertext()).split()), fmt)
            rpr = run.find(qn("w:rPr"))
            if rpr is None:
                rpr = _el("w:rPr")
                run.insert(0, rpr)
            _insert_in_order(rpr, _el("w:vertAlign", val="superscript"), _RPR_ORDER)
            return [run]
        if tag in ("ul", "ol"):
            return []  # lists are blocks, handled by _list
        if tag == "a" and child.get("href") and not child.get("href").startswith("#") \
                and len(child.get("href")) <= 2000:  # Word rejects longer URLs
            return [self._hyperlink(child, fmt)]
        return self._inline(child, fmt)

    def _md_table(self, table: etree._Element, width: int | None) -> etree._Element:
        """A Markdown pipe table as a Word table in the annex's table style: the header row marked
        to repeat, each column aligned as the Markdown says, every cell's text kept."""
        rows = richtext.table_rows(table)
        if not rows:
            return _para(style="TableText")
        ncols = max(len(r) for r in rows)
        head = rows[0] if rows[0] and rows[0][0].tag == "th" else []
        body = rows[1:] if head else rows
        aligns: list[str | None] = []
        for i in range(ncols):
            cls = next((r[i].get("class") for r in rows if i < len(r) and r[i].get("class")), None)
            aligns.append({"ta-right": "right", "ta-center": "center"}.get(cls or ""))
        nested = not width  # inside a table cell: smaller type, so a few columns fit a narrow cell
        fmt, size_pt = (Fmt(size=14), 7) if nested else (PLAIN, 9)
        texts = [[richtext.element_plain(c) for c in r] for r in body]
        cols = [Col(richtext.element_plain(head[i]) if i < len(head) else "",
                    _fit([r[i] for r in texts if i < len(r)], 0.6 if nested else 1.2, 6.5, size_pt,
                         header=richtext.element_plain(head[i]) if i < len(head) else ""),
                    flex=0 if aligns[i] == "right" else 1, align=aligns[i])
                for i in range(ncols)]
        available = width or 0
        out_rows = []
        for r in body:
            cells = []
            for i in range(ncols):
                runs = self._inline(r[i], fmt) if i < len(r) else []
                p = _para(runs, "TableText", align=aligns[i], after=0 if nested else None)
                _trim_paragraph(p)
                cells.append(Cell([p], tight=nested))
            out_rows.append(Row(cells))
        caption = " | ".join(c.header for c in cols if c.header) or "Table"
        tbl = _table(cols, out_rows, caption, max(min_width(cols), available) if width else min_width(cols))
        if head:  # header cells may hold formatting: rebuild their runs from the Markdown
            first = tbl.find(qn("w:tr"))
            for i, tc in enumerate(first.findall(qn("w:tc"))):
                p = tc.find(qn("w:p"))
                for r in p.findall(qn("w:r")):
                    p.remove(r)
                for r in self._inline(head[i], fmt) if i < len(head) else []:
                    p.append(r)
                _trim_paragraph(p)
        else:
            tbl.remove(tbl.find(qn("w:tr")))
        return tbl  # nested: ooxml._table sizes it to the cell it lands in (_fit_nested)

    def _footnotes(self, div: etree._Element, style: str, out: list) -> None:
        """Footnotes as a "Notes" list after the text: "1. ...", in a smaller grey run."""
        notes = richtext.footnotes(div)
        if not notes:
            return
        out.append(_para([_run(display.NOTES_LABEL, Fmt(bold=True, color=DARK_GREY, size=16))], style,
                         keep_next=True, before=60, after=20))
        for n, li in enumerate(notes, 1):
            runs: list[etree._Element] = [_run(f"{n}. ", Fmt(color=DARK_GREY, size=16))]
            blocks = [c for c in li if c.tag in ("p", "ul", "ol", "table")] or [li]
            for k, block in enumerate(blocks):
                if k:
                    runs.append(_run("\n", Fmt(color=DARK_GREY, size=16)))
                runs += self._inline(block, Fmt(color=DARK_GREY, size=16)) if block.tag == "p" or block is li \
                    else [_run(richtext.element_plain(block), Fmt(color=DARK_GREY, size=16))]
            p = _para(runs, style, after=20)
            _trim_paragraph(p)
            out.append(p)

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
            return self.shaded(display.rag(colour), RAG_FILLS[colour])
        if due:
            cell = self.dash("center")
            cell.valign = "center"
            return cell
        return Cell([_para(style="TableText")])

    def titled_cell(self, title: str, markdown: str | None = None,
                    extra: Sequence[tuple[str, str | None]] = (), see: Sequence[str] = (),
                    part_of: str | None = None, indent: int = 0, fmt: Fmt = BOLD) -> Cell:
        """A bold title over its Markdown description, then labelled Markdown fields (Mitigation) and
        the items it refers to (See also). A sub-action's cell is indented and says what it is part of."""
        paras = [self.text_para(title, fmt=fmt)]
        if part_of:
            paras.append(self.text_para(part_of, fmt=MUTED))
        if markdown:
            paras += self.rich(markdown)
        for label, text in extra:
            if text:
                paras += self.rich(text, lead=[_run(f"{label}: ", BOLD)])
        if see:
            paras.append(self.see_para(see))
        if indent:
            for p in paras:
                _indent(p, indent * 284)  # 0.5 cm a level
        return Cell(paras)

    def see_para(self, ids: Sequence[str]) -> etree._Element:
        """'See also: PC-02 Extended GP access; R-02 Provider capacity'."""
        if self._titles is None:
            named = self._chapter_and_table_refs()
            self._titles = {**named, **self.plan.items_by_id()}
            self._refs_in_words = set(named) - set(self.plan.items_by_id())
        items = self._titles
        text = display.see_also([("" if i in self._refs_in_words else i, items.get(i, ("", ""))[1]) for i in ids])
        label, _, rest = text.partition(": ")
        return _para([_run(f"{label}: ", Fmt(bold=True, color=DARK_GREY, size=16)),
                      _run(rest, Fmt(color=DARK_GREY, size=16))], "TableText")

    def _chapter_and_table_refs(self) -> dict[str, tuple[str, str]]:
        """A see-reference to a chapter or a table as this annex names it: the chapter's title
        (appendices with their letter), the table's caption; never the raw id. The id part is left
        empty so display.see_also prints the words only."""
        out: dict[str, tuple[str, str]] = {}
        appendices = {s.id: display.appendix(chapters.appendix_letter(i))
                      for i, s in enumerate(chapters.arrange(self.plan).appendices)}
        def walk(s, path: tuple[str, ...], label: str) -> None:
            title = display.appendix_title(label.split()[-1], s.title) if label else s.title
            ref = display.section_ref(label, " › ".join(path + (title,)))
            out[s.id] = (ref[0], f"{ref[0]} {ref[1]}".strip() if ref[0] else ref[1])
            for child in s.sections:
                walk(child, path + (s.title,), "")
        for s in self.plan.sections:
            walk(s, (), appendices.get(s.id, ""))
        if self.plan.tables:
            for view in numbered_tables(self.plan, chapters_printed(self.plan,
                                                                    inventory=bool(self.plan.tbcs or self.warnings))):
                out[view.table.id] = ("table", view.caption)
        return out

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

    # The annex's parts by the built-in chapter of the full plan they match, in the annex's order;
    # the plan's narrative chapters go before or after them as in the full plan (those placed against
    # a chapter the annex has no part for keep their order), appendices last.
    ANNEX_ORDER = ("document_control", "vision", "domains", "qipp", "risks", "performance", "finance", "bcf",
                   "inventory")

    def build(self) -> None:
        parts = {"document_control": (self.document_control, self.drivers), "vision": (self.vision,),
                 "domains": (self.actions, self.milestones, lambda: schedule.add(self)), "qipp": (self.qipp,),
                 "risks": (self.risks,), "performance": (self.indicators,), "finance": (self.finance,),
                 "bcf": (self.bcf, self.governance), "inventory": (self.data_tables, self.open_points)}
        arrangement = chapters.arrange(self.plan)
        self.about()  # the title page stays first
        for name in self.ANNEX_ORDER:
            for s in arrangement.before.get(name, []):
                self.narrative(s)
            for part in parts.get(name, ()):
                part()
            for s in arrangement.after.get(name, []):
                self.narrative(s)
        for i, s in enumerate(arrangement.appendices):
            self.narrative(s, display.appendix(chapters.appendix_letter(i)))

    def governance(self) -> None:
        """Governance bodies and framework coverage (opgen.render.docx.governance)."""
        governance_part(self)

    def narrative(self, chapter: Section, label: str = "") -> None:
        """A narrative chapter of the plan: Heading 1, its body, subsections as Heading 2 and 3."""
        section, _ = self.section([])
        for s in chapter.walk():
            # an appendix's own "Appendix A:" is not repeated after its label
            title = (f"{label}: {display.appendix_title(label.split()[-1], s.title)}" if label and s is chapter
                     else s.title)
            section.blocks.append(self.heading(title, min(s.level, 3)))
            if s.body:
                section.blocks += self.rich(s.body, style=None)

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
            ("Delivery status as at", f"{meta.as_at.label} ({display.quarter_span(meta.as_at)})"
             if display.as_at(meta) else display.NOT_STATED),
            ("Version", display.version(meta.version)),
            ("Status", display.status(meta.status)),
            ("Plan date", clean_text(display.long_date(meta.date))),
            ("Source", PurePath(plan.source).name if plan.source else None),
        ]
        for i, (label, value) in enumerate(d for d in details if d[1]):
            out.append(_para([_run(f"{label}: ", BOLD), _run(value)], after=40, before=200 if i == 0 else None))

        out.append(_para([_run("About this annex")], "Heading1", before=360))
        out.append(self.body_text(
            "This annex holds the plan's tables in a form that can be edited and pasted into board papers. "
            "Figures, dates and ratings are as recorded in the plan; "
            + ("the plan's own chapters are included as written. It contains:"
               if plan.sections else "the full operational plan gives the narrative. It contains:")))
        contents = []
        if plan.actions:
            contents.append(f"Actions and delivery status: {display.plural(len(plan.actions), 'action')} in "
                            f"{display.plural(sum(1 for d in plan.domains if d.actions), 'programme')}")
        contents.insert(0, f"{display.VISION_TITLE}: {display.vision_in_brief(plan.vision)}")
        if plan.milestones:
            contents.append(f"Milestones: {display.plural(len(plan.milestones), 'milestone')}")
        if plan.qipp and plan.qipp.schemes:
            contents.append(f"QIPP savings: {display.plural(len(plan.qipp.schemes), 'scheme')} by year, with totals")
        if plan.risks:
            contents.append(f"Risks: {display.plural(len(plan.risks), 'risk')}")
        if plan.indicators:
            contents.append(f"Performance indicators: {display.plural(len(plan.indicators), 'indicator')}")
        if plan.sections:
            contents.append(f"Chapters of the plan: {', '.join(s.title for s in plan.sections)}")
        if plan.tables:
            contents.append(f"Tables: {display.plural(len(plan.tables), 'table')} from the plan, numbered as in "
                            f"the full operational plan")
        if finance_tables(plan):
            contents.append("Finance: allocation, expenditure and position by period, the NHS business rules"
                            + (" and planning assumptions" if plan.finance.assumptions else ""))
        if plan.bcf:
            contents.append(display.bcf_contents(len(plan.bcf.schemes),
                                                 bool(plan.bcf.minimum_contribution or plan.bcf.actual_contribution
                                                      or plan.bcf.contributions),
                                                 len(plan.bcf.metrics), len(plan.bcf.risks),
                                                 funded=bcf_tables.funded(plan.bcf)))
        if plan.governance or plan.frameworks:
            contents.append(display.governance_contents(plan))
        if plan.tbcs or self.warnings:
            contents.append("Open points: values still to be confirmed and checks to resolve")
        for line in contents:
            out.append(_para([_run(line, Fmt(size=20))], "ListBullet"))

        out.append(self.heading("RAG ratings", 2))
        out.append(self.body_text("Delivery status is shown as a colour and a word, so it reads in black and "
                                  "white print and with a screen reader."))
        cols = [Col("Rating", 3.2), Col("Meaning", 8.0, flex=1)]
        rows = [Row([self.shaded(display.rag(c), RAG_FILLS[c]), self.cell(display.RAG_MEANINGS[c])])
                for c in display.rag_keys(plan.scales.five_point)]
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

    def document_control(self) -> None:
        """Contacts, approvals, sign-off and version history (with reviewers and status), where the plan
        has them."""
        meta = self.plan.meta
        if not (meta.contacts or meta.approvals or meta.signatories or meta.history):
            return
        section, width = self.section([self.heading("Document control", 1)])
        out = section.blocks
        if meta.contacts:
            out.append(self.heading(display.CONTACTS, 2))
            cols = [Col("Name", 3.6), Col("Role", 4.0, flex=1), Col("Email", 4.6), Col("Telephone", 3.0)]
            rows = [Row([self.cell(display.contact_name(c.name), fmt=BOLD if c.name else MUTED),
                         Cell([self.text_para(c.role or DASH)] +
                              ([self.text_para(c.organisation, fmt=MUTED)] if c.organisation else [])),
                         self.value_cell(c.email, align=None), self.value_cell(c.phone, align=None)])
                    for c in meta.contacts]
            out.append(_table(cols, rows, display.CONTACTS, width))
        if meta.approvals:
            out.append(self.heading(display.APPROVALS, 2))
            cols = [Col("Board or committee", 4.6, flex=0.6), Col("Date", 3.0), Col("Decision", 3.4),
                    Col("Note", 5.0, flex=1)]
            rows = [Row([self.cell(a.body, fmt=BOLD), self.value_cell(display.month_or_date(a.date), align=None),
                         self.value_cell(display.decision(a.decision) if a.decision else None, align=None),
                         Cell(self.rich(a.note)) if a.note else self.dash()])
                    for a in meta.approvals]
            out.append(_table(cols, rows, display.APPROVALS, width))
        if meta.signatories:  # as the full plan's sign-off table, with a blank Signature column to sign in
            out.append(self.heading(display.SIGN_OFF, 2))
            cols = [Col("Name", 4.0, flex=0.5), Col("Role", 4.6, flex=1), Col("Signature", 4.0), Col("Date", 3.0)]
            rows = [Row([self.cell(s.name, fmt=BOLD), self.value_cell(s.role, align=None), self.cell(""),
                         self.cell(display.long_date(s.date))])  # blank to date by hand, as the PDF
                    for s in meta.signatories]
            out.append(_table(cols, rows, display.SIGN_OFF, width))
        if meta.history:
            out.append(self.heading("Version history", 2))
            has_reviewers = any(h.reviewers for h in meta.history)
            has_status = any(h.status for h in meta.history)
            cols = [Col("Version", 1.8), Col("Date", 3.0), Col("Author", 3.0, flex=0.4)]
            if has_reviewers:
                cols.append(Col("Reviewed by", 3.6, flex=0.5))
            if has_status:
                cols.append(Col("Status", 3.0, flex=0.4))
            cols.append(Col("Summary of changes", 4.0, flex=1))
            rows = []
            for h in meta.history:
                cells = [self.cell(display.version(h.version), fmt=BOLD),
                         self.value_cell(display.month_or_date(h.date), align=None),
                         self.value_cell(h.author, align=None)]
                if has_reviewers:
                    cells.append(self.value_cell(display.reviewers(h.reviewers), align=None))
                if has_status:
                    cells.append(self.value_cell(h.status, align=None))
                cells.append(self.value_cell(h.summary, align=None))
                rows.append(Row(cells))
            out.append(_table(cols, rows, "Version history", width))

    def drivers(self) -> None:
        """What the plan responds to (`plan.drivers`) and the parent strategy it refreshes."""
        meta = self.plan.meta
        if not (meta.drivers or meta.refreshes or meta.providers):
            return
        section, width = self.section([self.heading(display.DRIVERS, 1)])
        out = section.blocks
        if meta.refreshes:
            out.append(self.heading(display.REFRESHES, 2))
            out += self.rich(meta.refreshes, style=None)
        if meta.drivers:
            cols = [Col("Strategy, policy or input", 5.0, flex=0.6), Col("Kind", 2.6),
                    Col("How it shapes the plan", 6.0, flex=1)]
            rows = [Row([self.cell(d.title, fmt=BOLD), self.value_cell(display.driver_kind(d.kind), align=None),
                         Cell(self.rich(d.note)) if d.note else self.dash()])
                    for d in meta.drivers]
            out.append(_table(cols, rows, display.DRIVERS, width))
        if meta.providers:
            out.append(self.heading(display.PROVIDERS, 2))
            cols = [Col("Provider", 5.0, flex=0.6), Col("Kind", 2.6), Col("What the plan says", 6.0, flex=1)]
            rows = [Row([self.cell(x.title, fmt=BOLD), self.value_cell(display.provider_kind(x.kind) or None, align=None),
                         Cell(self.rich(x.note)) if x.note else self.dash()])
                    for x in meta.providers]
            out.append(_table(cols, rows, display.PROVIDERS, width))

    def vision(self) -> None:
        """The plan's vision as the full plan gives it: the mission, each statement under its label, the values."""
        v = self.plan.vision
        section, _ = self.section([self.heading(display.VISION_TITLE, 1)])
        out = section.blocks
        if v.mission:
            out.append(self.heading(display.MISSION_LABEL, 2))
            out += self.rich(v.mission, style=None)
        for st in v.statements:
            out.append(self.heading(st.label, 2))
            out += self.rich(st.text, style=None)
        if v.values:
            out.append(self.heading(display.VALUES_LABEL, 2))
            for value in v.values:
                out += self.rich(value, style="ListBullet")
        if not (v.mission or v.statements or v.values):
            out.append(self.body_text(display.NO_VISION))

    def source_notes(self, items, out: list) -> None:
        """'Sources and notes' after an indicators table: one entry per distinct source, with its ids."""
        notes = display.source_notes(items)
        if not notes:
            return
        out.append(self.heading(display.SOURCES_TITLE, 2))
        for n in notes:
            out.append(_para([_run(f"{n['label']}: ", BOLD), _run(n["text"])], after=80))

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
        has_status = any(a.status for a in actions)
        cols = [Col("ID", _fit([a.id for a in actions], 1.4, 3.0)), Col("Action", 5.0, flex=1)]
        if has_status:
            cols.append(Col(display.ACTION_STATUS, 2.6, flex=0.3))
        if has_lead:
            cols.append(Col("Lead", 2.6, flex=0.3))
        if has_start:
            cols.append(Col("Start", _fit([display.date_text(a.start, a.start_text) for a in actions], 1.5, 2.6,
                                          header="Start")))
        if has_due:
            cols.append(Col("Due", _fit([display.date_text(a.due, a.due_text) for a in actions], 1.5, 2.6, header="Due")))

        def grid(quarters: list[Quarter]) -> list[Col]:
            width = 1.9 if plan.scales.five_point else 1.5  # "Amber/green" on one line
            return [Col(f"Q{q.number}", width, align="center", group=q.year.label) for q in quarters] if has_rag else []

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
            out.append(self.body_text(display.sentence(display.no_rag_yet(display.as_at(meta)))))
        for domain in domains:
            out.append(self.heading(domain.title, 2))
            if domain.lead:
                out.append(self.body_text(f"Lead: {domain.lead}", MUTED))
            if domain.due:
                out.append(self.body_text(f"{display.DOMAIN_DUE}: {display.date_text(domain.due, domain.due_text)}", MUTED))
            if domain.reports_to:
                out.append(self.body_text(f"{display.REPORTS_TO}: {domain.reports_to}", MUTED))
            rows = [self._action_row(a, quarters, has_lead, has_start, has_due, has_rag, depth, has_status)
                    for a, depth in nested(domain.actions)]
            out.append(_table(cols, rows, f"Actions: {domain.title}", width))

    def _action_row(self, a: Action, quarters: list[Quarter], has_lead: bool, has_start: bool, has_due: bool,
                    has_rag: bool, depth: int = 0, has_status: bool = False) -> Row:
        parent = self.plan.action(a.parent) if a.parent else None
        part_of = display.part_of(a.parent, parent.title if parent else "") if a.parent else None
        extra = [("Mitigation", a.mitigation), ("Contact", a.contact), (display.REPORTS_TO, a.reports_to),
                 (display.ACTION_CATEGORY, a.category),
                 (display.ACTION_PROGRAMMES, display.action_programmes(self.plan, a.programmes))]
        cells = [self.cell(a.id), self.titled_cell(a.title, a.description, extra, see=a.see, part_of=part_of,
                                                   indent=min(depth, 3))]
        if has_status:
            if a.status:
                cells.append(Cell([self.text_para(display.action_status(a.status), fmt=BOLD)] +
                                  (self.rich(a.status_note) if a.status_note else [])))
            else:
                cells.append(self.dash())
        if has_lead:
            cells.append(self.value_cell(a.lead, align=None))
        if has_start:
            cells.append(self.value_cell(display.date_text(a.start, a.start_text), align=None))
        if has_due:
            cells.append(self.value_cell(display.date_text(a.due, a.due_text), align=None))
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
                title = self.titled_cell(m.title, see=m.see, fmt=PLAIN) if m.see else self.cell(m.title)
                if m.type:  # its type from scales.milestone_types, under the title as in the full plan
                    title.paras.append(self.text_para(display.milestone_type(plan.scales, m.type), fmt=MUTED))
                cells = [self.cell(m.id), title,
                         Cell([_para([_run(f"{action.id} ", MUTED), _run(action.title)], "TableText")]),
                         self.value_cell(m.due_display, align=None)]
                if has_status:
                    cells.append(self.value_cell(display.milestone_status(m.status) or display.NOT_REPORTED, align=None))
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
        figures += [display.total(getattr(qipp, key)(y)) for y in years for _, key in measures]
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
        no_amounts = not qipp.has_amounts
        if no_amounts:
            out.append(self.body_text(display.qipp_no_amounts(len(qipp.schemes))))

        rows: list[Row] = []
        for s in qipp.schemes:
            title = self.titled_cell(s.title, s.note, see=s.see)
            if s.point_of_delivery:  # under the title, as in the full plan
                title.paras.insert(1, self.text_para(display.point_of_delivery(s.point_of_delivery), fmt=MUTED))
            cells = [self.cell(s.id), title]
            if has_provider:
                cells.append(self.cell(s.provider))
            if has_conf:
                cells.append(self._confidence_cell(s.confidence))
            for year in years:
                cells += [self.value_cell(self._scheme_figure(s, year, key)) for _, key in measures]
            rows.append(Row(cells))

        totals: list[Cell] = [self.cell("Total", fmt=BOLD, fill=PALE_GREY, span=label_cols)]
        incomplete = False
        for year in years:
            for _, key in measures:
                total: Total = getattr(qipp, key)(year)
                incomplete |= total.incomplete
                totals.append(self.value_cell(display.total(total), fmt=BOLD))
                totals[-1].fill = PALE_GREY
        if years:  # schemes with no amounts in any year have nothing to total
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
                    difference = compare_stated(value, getattr(qipp, key)(year))
                    cell = self.value_cell(display.value(value), fmt=Fmt(italic=True))
                    if difference is not None:
                        differs = True
                        cell.paras.append(self.text_para(display.stated_flag(difference), align="right", fmt=MUTED))
                    cells.append(cell)
            rows.append(Row(cells))
        out.append(_table(cols, rows, "QIPP savings by scheme and year", width))

        notes = []
        if incomplete:
            notes.append(display.TOTAL_INCOMPLETE_NOTE)
        if differs:
            notes.append("Where the total stated in the plan differs from the sum of the schemes, both are shown "
                         "as written.")
        for note in notes:
            out.append(self.body_text(note, MUTED, before=80, after=0))

        if len(summary) > 1 and not no_amounts:   # as the full plan: no grid of dashes
            out.append(self.heading("QIPP by programme", 2))
            key = "net" if has_inv else "savings"
            rows = []
            for domain_id, schemes in summary:
                cells = [self.cell(display.domain(self.plan.domain_title, domain_id))]
                cells += [self.value_cell(display.total(getattr(qipp, key)(y, schemes))) for y in years]
                rows.append(Row(cells))
            total_cells = [self.cell("Total", fmt=BOLD, fill=PALE_GREY)]
            for y in years:
                total_cells.append(self.value_cell(display.total(getattr(qipp, key)(y)), fmt=BOLD))
                total_cells[-1].fill = PALE_GREY
            rows.append(Row(total_cells))
            out.append(_table(summary_cols, rows, "QIPP by programme and year", min(width, PORTRAIT_WIDTH)))

    @staticmethod
    def _scheme_figure(s: QippScheme, year, key: str) -> str:
        if key == "net":
            return display.net(s.savings.get(year), s.investment.get(year), s.net(year))
        return display.value(getattr(s, key).get(year))

    def risks(self) -> None:
        risks = self.plan.risks
        if not risks:
            return
        has_owner = any(r.owner for r in risks)
        has_current = any(r.current for r in risks)
        has_target = any(r.target for r in risks)
        has_status = any(not r.is_open for r in risks)
        # a band with the plan's own word ("Extreme (very high)") on one line
        band_width = _fit([display.risk_rating(r.band, r.rating_word) for r in risks], 2.1, 3.6, size_pt=8, bold=True)
        cols = [Col("ID", _fit([r.id for r in risks], 1.4, 3.0)), Col("Risk", 5.0, flex=1.1)]
        if has_owner:
            cols.append(Col("Owner", 2.6))
        if has_current:
            cols += [Col("L \u00d7 I", 1.5, align="center", group="Current"),
                     Col("Score", 1.3, align="center", group="Current"),
                     Col("Band", band_width, align="center", group="Current")]
        else:
            cols.append(Col("Rating", band_width, align="center"))
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
            f"{intro}Bands: " + ", ".join(f"{b} {r}" for b, r in display.band_ranges(bands).items()) + "."
            + ("" if has_current else " " + display.risks_without_scores(
                sum(1 for r in risks if r.band), sum(1 for r in risks if not r.band)))))
        rows: list[Row] = []
        for domain_title, group in _grouped(risks, lambda r: r.domain_id, self.plan):
            if domain_title is not None:
                rows.append(self.group_row(domain_title, len(cols)))
            rows += [self._risk_row(r, has_owner, has_current, has_target, has_status) for r in group]
        out.append(_table(cols, rows, "Risk register", width))

    def _band_cell(self, band: str | None, word: str | None = None) -> Cell:
        if band in BAND_FILLS:
            return self.shaded(display.risk_rating(band, word), BAND_FILLS[band])
        return self.cell(display.band(None), align="center", fmt=MUTED, valign="center")

    def _confidence_cell(self, colour: str | None) -> Cell:
        if colour in RAG_FILLS:
            return self.shaded(display.confidence(colour), RAG_FILLS[colour])
        if colour == "tbc":  # to be confirmed: a word, never a colour
            return self.cell(display.confidence(colour), align="center", fmt=BOLD, valign="center")
        return self.cell(display.NOT_STATED, align="center", fmt=MUTED, valign="center")

    def _risk_row(self, r: Risk, has_owner: bool, has_current: bool, has_target: bool, has_status: bool) -> Row:
        cells = [self.cell(r.id), self.titled_cell(r.title, r.description, see=r.see)]
        if has_owner:
            cells.append(self.cell(r.owner or display.NOT_STATED, fmt=PLAIN if r.owner else MUTED))
        if has_current:
            pos = r.current
            cells += [self.value_cell(display.likelihood_impact(pos), "center"),
                      self.value_cell(display.score(pos), "center")]
        cells.append(self._band_cell(r.band, r.rating_word if r.current is None else None))
        if has_target:
            pos = r.target
            cells += [self.value_cell(display.likelihood_impact(pos), "center"),
                      self.value_cell(display.score(pos), "center"),
                      self._band_cell(r.target_band)]
        cells.append(Cell(self.rich(r.mitigation)) if r.mitigation else self.dash())
        if has_status:
            cells.append(self.cell(display.sentence(r.status)))
        return Row(cells)

    def indicators(self) -> None:
        everything = self.plan.indicators
        if not everything:
            return
        # an indicator given in words only has a table of its own, where the words are the content
        # a measure the plan only names is a list of words, not a row of "Not stated" and dashes
        named = [i for i in everything if display.named_only(i)]
        indicators = [i for i in everything if not display.words_only(i) and not display.named_only(i)]
        if not indicators:
            section, width = self.section([self.heading("Performance indicators", 1)])
            worded = [i for i in everything if display.words_only(i)]
            if worded:
                self._words_indicators(worded, section.blocks, width, heading=False)
            if named:
                self._named_indicators(named, section.blocks, width, heading=bool(worded))
            self.source_notes(everything, section.blocks)
            return
        years = target_periods(indicators, self.plan.meta.years)
        has_actual = any(i.actuals for i in indicators)
        cols = [Col("ID", _fit([i.id for i in indicators], 1.4, 3.2)), Col("Indicator", 5.0, flex=1),
                Col("Unit", _fit([display.unit(i.unit_label) for i in indicators], 1.2, 2.8, header="Unit")),
                Col("Polarity", _fit([display.polarity(i.polarity) for i in indicators], 1.5, 3.0, header="Polarity")),
                Col("Baseline", _fit([display.indicator_value(i, i.baseline) for i in indicators] +
                                     [display.period_note(i.baseline_period_words) for i in indicators if i.baseline_period_words],
                                     1.8, 2.8, header="Baseline"), align="right")]
        cols += [Col(display.period(y), 1.9, align="right", group="Target") for y in years]
        if has_actual:
            cols.append(Col(display.actuals_heading(indicators), 2.5, align="right"))
        has_assessment = any(i.assessments for i in indicators)
        if has_assessment:
            cols.append(Col(display.assessment_heading(indicators), 3.4, flex=0.4))
        section, width = self.section([self.heading("Performance indicators", 1)], [cols])
        section.blocks.append(self.body_text(
            "Baseline and targets by period, as written in the plan (decimals as stated). "
            "Polarity says whether a lower or a higher value is better"
            + ("; \u201cNot stated\u201d where the plan does not say." if any(not i.polarity for i in indicators) else ".")))
        rows: list[Row] = []
        for domain_title, group in _grouped(indicators, lambda i: i.domain_id, self.plan):
            if domain_title is not None:
                rows.append(self.group_row(domain_title, len(cols)))
            rows += [self._indicator_row(i, years, has_actual, has_assessment) for i in group]
        section.blocks.append(_table(cols, rows, "Performance indicators", width))
        worded = [i for i in everything if display.words_only(i)]
        if worded:
            self._words_indicators(worded, section.blocks, width, heading=True)
        if named:
            self._named_indicators(named, section.blocks, width, heading=True)
        section.blocks += indicators_v2.blocks(self, self.plan, width)  # standards, benchmarks, series, areas
        self.source_notes(everything, section.blocks)

    def _assessments_cell(self, ind: Indicator) -> Cell:
        """Every assessment the plan states for an indicator, newest first, each with its note."""
        paras = []
        for a in display.assessments_newest_first(ind.assessments):
            paras.append(self.text_para(display.assessment(a), fmt=BOLD))
            if a.note:
                paras += self.rich(a.note)
        return Cell(paras) if paras else self.dash()

    def _words_indicators(self, indicators: list[Indicator], out: list, width: int, heading: bool) -> None:
        """Indicators the plan gives in words only: ID, indicator and its assessments, by programme."""
        if heading:
            out.append(self.heading(display.ASSESSED_IN_WORDS, 2))
        out.append(self.body_text(display.ASSESSED_IN_WORDS_NOTE))
        cols = [Col("ID", _fit([i.id for i in indicators], 1.4, 3.2)), Col("Indicator", 5.0, flex=0.8),
                Col(display.assessment_heading(indicators), 6.0, flex=1)]
        rows: list[Row] = []
        for domain_title, group in _grouped(indicators, lambda i: i.domain_id, self.plan):
            if domain_title is not None:
                rows.append(self.group_row(domain_title, len(cols)))
            for ind in group:
                title = display.indicator_title(ind.title, ind.code, ind.id)
                rows.append(Row([self.cell(ind.id),
                                 self.titled_cell(title, see=ind.see, fmt=PLAIN) if ind.see else self.cell(title),
                                 self._assessments_cell(ind)]))
        out.append(_table(cols, rows, display.ASSESSED_IN_WORDS, width))

    def _named_indicators(self, indicators: list[Indicator], out: list, width: int, heading: bool) -> None:
        """Measures the plan only names: ID and measure, by programme (no columns of 'Not stated')."""
        if heading:
            out.append(self.heading(display.NAMED_MEASURES, 2))
        out.append(self.body_text(display.NAMED_MEASURES_NOTE))
        cols = [Col("ID", _fit([i.id for i in indicators], 1.4, 3.2)), Col("Measure", 8.0, flex=1)]
        rows: list[Row] = []
        for domain_title, group in _grouped(indicators, lambda i: i.domain_id, self.plan):
            if domain_title is not None:
                rows.append(self.group_row(domain_title, len(cols)))
            for ind in group:
                title = display.indicator_title(ind.title, ind.code, ind.id)
                rows.append(Row([self.cell(ind.id),
                                 self.titled_cell(title, see=ind.see, fmt=PLAIN) if ind.see else self.cell(title)]))
        out.append(_table(cols, rows, display.NAMED_MEASURES, width))

    def _indicator_row(self, ind: Indicator, years, has_actual: bool, has_assessment: bool = False) -> Row:
        baseline = [self.text_para(display.indicator_value(ind, ind.baseline), align="right")]
        if ind.baseline_period_words:
            baseline.append(self.text_para(display.period_note(ind.baseline_period_words), align="right", fmt=MUTED))
        cells = [self.cell(ind.id),
                 (self.titled_cell(display.indicator_title(ind.title, ind.code, ind.id), see=ind.see, fmt=PLAIN) if ind.see
                  else self.cell(display.indicator_title(ind.title, ind.code, ind.id))),
                 self.cell(display.unit(ind.unit_label), fmt=PLAIN if ind.unit else MUTED),
                 self.cell(display.polarity(ind.polarity), fmt=PLAIN if ind.polarity else MUTED),
                 Cell(baseline)]
        cells += [self.value_cell(display.indicator_value(ind, ind.targets.get(y))) for y in years]
        if has_actual:
            paras = []  # every stated actual, the latest first, each with its period
            for period, value in display.actuals_newest_first(ind):
                paras += [self.text_para(display.indicator_value(ind, value), align="right"),
                          self.text_para(display.period_note(period), align="right", fmt=MUTED)]
            cells.append(Cell(paras) if paras else self.dash("right"))
        if has_assessment:
            cells.append(self._assessments_cell(ind))
        return Row(cells)

    def data_tables(self) -> None:
        """The plan's data tables, numbered as in the full plan; a table too wide for a portrait page
        gets a landscape section of its own."""
        plan = self.plan
        if not plan.tables:
            return
        views = numbered_tables(plan, chapters_printed(plan, inventory=bool(plan.tbcs or self.warnings)))
        section = None
        for i, view in enumerate(views):
            cols = self._table_cols(view)
            wide = min_width(cols) > PORTRAIT_WIDTH
            if section is None or wide or section.landscape:
                section, width = self.section([self.heading(display.TABLES_APPENDIX, 1)] if i == 0 else [], [cols])
            out = section.blocks
            out.append(_para([_run(view.caption)], "Heading2", keep_next=True, before=0 if not out else None))
            if view.table.description:
                out += self.rich(view.table.description, style="Normal")
            out.append(_table(cols, [self._table_row(view, row) for row in view.rows], view.caption, width))
            notes = [note for note, show in ((display.TABLE_DIFFERS_NOTE, view.differs),
                                             (display.TABLE_UNCHECKED_NOTE, view.incomplete)) if show]
            for note in notes:
                out.append(self.body_text(note, MUTED, before=80, after=0))
            for row in view.rows:
                if row.note:
                    out += self.rich(row.note, style="Normal", lead=[_run(f"{row.label}: ", BOLD)])
            if view.table.note:
                out += self.rich(view.table.note, style="Normal")
            if view.table.source:
                out.append(self.body_text(display.table_source(view.table.source), Fmt(italic=True, color=DARK_GREY),
                                          before=80))

    def _table_cols(self, view: TableView) -> list[Col]:
        cols = []
        for i, c in enumerate(view.columns):
            texts = [r.cells[i].text for r in view.rows]
            header = c.heading + (f"\n{c.unit}" if c.unit else "")
            if c.kind == "text":
                cols.append(Col(header, _fit(texts, 2.6, 5.5, header=c.heading), flex=1))
            elif c.kind in ("rag", "rating"):
                cols.append(Col(header, _fit(texts, 1.9, 2.8, bold=True, header=c.heading), align="center"))
            elif c.kind == "tick":
                cols.append(Col(header, _fit(texts, 1.2, 2.4, header=c.heading), align="center"))
            elif c.numeric:
                flags = [r.cells[i].flag for r in view.rows if r.cells[i].flag]
                cols.append(Col(header, _fit(texts + flags, 1.5, 4.0 if flags else 3.2, bold=True, header=c.heading),
                                align="right"))
            else:
                cols.append(Col(header, _fit(texts, 1.8, 3.0, header=c.heading)))
        return cols

    def _table_row(self, view: TableView, row) -> Row:
        cells = []
        total_fmt = BOLD if row.total else PLAIN
        for column, c in zip(view.columns, row.cells):
            align = "right" if column.numeric else ("center" if column.kind in ("rag", "rating", "tick") else None)
            if c.kind == "missing":
                cell = self.dash(align)
            elif c.colour and column.kind == "rag" and c.colour in _RAG_STEP_FILLS:
                cell = self.shaded(c.text, _RAG_STEP_FILLS[c.colour])
            elif c.colour and column.kind == "rating" and c.colour in BAND_FILLS:
                cell = self.shaded(c.text, BAND_FILLS[c.colour])
            else:
                cell = self.cell(c.text, align=align, fmt=total_fmt)
            if c.flag:
                cell.paras.append(self.text_para(c.flag, align=align, fmt=MUTED))
            if row.total and not cell.fill:
                cell.fill = PALE_GREY
            cells.append(cell)
        return Row(cells)
    # -- finance and the Better Care Fund ---------------------------------------------------------

    def _figure_cols(self, t: FigureTable) -> list[Col]:
        figures = [c.text for r in t.rows for c in r.cells] + (t.totals or []) + [s.text for s in t.stated or []]
        width = _fit(figures + [c.percent for r in t.rows for c in r.cells] + [s.flag for s in t.stated or []]
                     + [c.text for c in t.columns], 1.8, 2.8, header="Not met")
        label = "Assumption" if t.key == "assumptions" else "Line"
        return [Col(label, 4.2, flex=1)] + [
            Col(f"{c.text} ({t.unit})", width, align="right",
                group=display.PHASE_LABELS[c.phase] if t.phases else None) for c in t.columns]

    def _figure_cell(self, text: str, percent: str, rag: str | None, rag_label: str) -> Cell:
        fill = RAG_FILLS.get(rag or "")
        colour = text_colour_for(fill) if fill else None
        if not percent and not fill:
            return self.value_cell(text)
        paras = [self.text_para(text, align="right", fmt=Fmt(color=colour) if fill else PLAIN)]
        if percent:
            paras.append(self.text_para(percent, align="right", fmt=Fmt(color=colour or DARK_GREY, size=16)))
        if fill:
            paras.append(self.text_para(rag_label, align="right", fmt=Fmt(bold=True, color=colour, size=16)))
        return Cell(paras, fill=fill)

    def _figure_table(self, t: FigureTable, cols: list[Col], width: int) -> list[etree._Element]:
        rows: list[Row] = []
        for r in t.rows:
            rows.append(Row([self.titled_cell(r.title, r.note or None)]
                            + [self._figure_cell(c.text, c.percent, c.rag, c.rag_label) for c in r.cells]))
        if t.totals:
            cells = [self.cell("Total", fmt=BOLD, fill=PALE_GREY)]
            for text in t.totals:
                cells.append(self.value_cell(text, fmt=BOLD))
                cells[-1].fill = PALE_GREY
            rows.append(Row(cells))
        if t.stated:
            cells = [self.cell(display.STATED_TOTAL, fmt=Fmt(italic=True))]
            for s in t.stated:
                cell = self.value_cell(s.text, fmt=Fmt(italic=True))
                if s.flag:
                    cell.paras.append(self.text_para(s.flag, align="right", fmt=MUTED))
                cells.append(cell)
            rows.append(Row(cells))
        out = [self.heading(t.title, 2), _table(cols, rows, t.title, width)]
        if t.incomplete:
            out.append(self.body_text(t.incomplete_note or display.TOTAL_INCOMPLETE_NOTE, MUTED, before=80, after=0))
        if any(c.percent for r in t.rows for c in r.cells):
            out.append(self.body_text(display.FINANCE_PERCENT_NOTE, MUTED, before=80, after=0))
        return out

    def finance(self) -> None:
        view = finance_tables(self.plan)
        if view is None:
            return
        tables = view.tables + ([view.assumptions] if view.assumptions else [])
        figure_cols = {id(t): self._figure_cols(t) for t in tables}
        rule_cols = [Col("Year", 2.2), Col("Rule", 2.6, flex=1), Col("Required", 2.4, align="right"),
                     Col(f"Planned ({view.unit})", 2.4, align="right"), Col("% of allocation", 2.8, align="right")]
        if view.rules_rated:
            rule_cols.append(Col("Rated in the plan", 2.6, align="center"))
        rule_cols.append(Col("Assessment", 2.6, align="center"))
        section, width = self.section([self.heading("Finance", 1)], list(figure_cols.values()) + [rule_cols])
        out = section.blocks
        intro = f"Money is in {view.unit}. "
        if view.outside:
            intro += (f"Figures are shown for every period the plan gives them; the columns under “Plan years” "
                      f"are the plan period ({view.plan_years}). ")
        intro += "A rating is shown as cell shading and a word."
        out.append(self.body_text(intro))
        for t in view.tables:
            out += self._figure_table(t, figure_cols[id(t)], width)
        if view.rules:
            out.append(self.heading("NHS business rules", 2))
            rows = []
            for r in view.rules:
                cells = [self.cell(r.period), self.cell(r.name), self.cell(r.required, "right"),
                         self.value_cell(r.value), self.value_cell(r.percent)]
                if view.rules_rated:
                    cells.append(self.rag_cell(r.rag) if r.rag else
                                 self.cell(r.rag_label, align="center", fmt=MUTED, valign="center"))
                if r.met is None:
                    cells.append(self.cell(r.state, align="center", fmt=MUTED, valign="center"))
                else:
                    cells.append(self.shaded(r.state, RAG_FILLS["green" if r.met else "red"]))
                rows.append(Row(cells))
            out.append(_table(rule_cols, rows, "NHS business rules", min(width, PORTRAIT_WIDTH)))
            if view.rules_unassessed:
                out.append(self.body_text(display.RULES_UNASSESSED_NOTE, MUTED, before=80, after=0))
            if view.rules_unjudged:
                out.append(self.body_text(view.rules_unjudged, MUTED, before=80, after=0))
        if view.assumptions:
            out += self._figure_table(view.assumptions, figure_cols[id(view.assumptions)], width)
        if view.note:
            out.append(self.heading("Notes", 2))
            out += self.rich(view.note, "Normal")

    def bcf(self) -> None:
        b = self.plan.bcf
        if b is None:
            return
        unit = b.unit.header
        years = b.years
        has_heading = any(s.heading for s in b.schemes)
        money = _fit([display.value(s.funding.get(y)) for s in b.schemes for y in years]
                     + [display.total(b.funding_total(y)) for y in years], 1.9, 2.8, bold=True)
        cols = [Col("ID", _fit([s.id for s in b.schemes], 1.4, 3.0)), Col("Scheme", 5.0, flex=1)]
        if has_heading:
            cols.append(Col("Scheme heading", 3.2, flex=0.4))
        cols += [Col(f"{y.label} ({unit})", money, align="right") for y in years]
        v2 = bcf_tables.v2(b)
        schemes = bcf_tables.schemes_table(b) if v2 else None
        if schemes:
            cols = self._bcf_scheme_cols(schemes)
        section, width = self.section([self.heading("Better Care Fund", 1)], [cols])
        out = section.blocks
        if schemes:
            self._bcf_schemes(schemes, cols, out, width)
        elif b.schemes:
            out.append(self.body_text(f"Funding by scheme and financial year, in {unit}."))
            rows = []
            for s in b.schemes:
                cells = [self.cell(s.id), self.titled_cell(s.title, s.description)]
                if has_heading:
                    cells.append(self.cell(s.heading) if s.heading else self.dash())
                cells += [self.value_cell(display.value(s.funding.get(y))) for y in years]
                rows.append(Row(cells))
            label_cols = 3 if has_heading else 2
            if bcf_tables.funded(b):  # no Total row of dashes where no scheme has funding
                totals = [self.cell("Total", fmt=BOLD, fill=PALE_GREY, span=label_cols)]
                for y in years:
                    totals.append(self.value_cell(display.total(b.funding_total(y)), fmt=BOLD))
                    totals[-1].fill = PALE_GREY
                rows.append(Row(totals))
            out.append(_table(cols, rows, "Better Care Fund schemes", width))
        if b.minimum_contribution or b.actual_contribution:
            out.append(self.heading("Pooled budget contributions", 2))
            ccols = [Col("Contribution", 4.0, flex=1)] + [Col(f"{y.label} ({unit})", money, align="right") for y in years]
            rows = []
            for label, mapping in (("Minimum", b.minimum_contribution), ("Actual", b.actual_contribution)):
                if mapping:
                    rows.append(Row([self.cell(label)] + [self.value_cell(display.value(mapping.get(y))) for y in years]))
            out.append(_table(ccols, rows, "Pooled budget contributions", min(width, PORTRAIT_WIDTH)))
        if contributions := bcf_tables.contributions_table(b):
            self._bcf_contributions(contributions, out, width)
        if b.metrics:
            out.append(self.heading("Better Care Fund metrics", 2))
            metric_years = sorted({y for i in b.metrics for y in i.targets})
            has_actual = any(i.actuals for i in b.metrics)
            mcols = [Col("ID", _fit([i.id for i in b.metrics], 1.4, 3.2)), Col("Metric", 5.0, flex=1),
                     Col("Unit", _fit([i.unit_label for i in b.metrics], 1.2, 2.8, header="Unit")),
                     Col("Polarity", _fit([i.polarity_label for i in b.metrics], 1.5, 3.0, header="Polarity")),
                     Col("Baseline", 2.2, align="right")]
            mcols += [Col(y.label, 1.9, align="right", group="Target") for y in metric_years]
            if has_actual:
                mcols.append(Col("Latest actual", 2.5, align="right"))
            rows = [self._indicator_row(i, metric_years, has_actual) for i in b.metrics]
            out.append(_table(mcols, rows, "Better Care Fund metrics", width))
            self.source_notes(b.metrics, out)
            out += indicators_v2.blocks(self, self.plan, width, b.metrics)  # benchmarks, series, areas
        if risks := bcf_tables.risks_table(b):
            self._bcf_risks(risks, out, width)

    # Better Care Fund, version 2 (the rows come from opgen/render/bcf.py, as in the full plan)

    def _bcf_scheme_cols(self, t: bcf_tables.SchemesTable) -> list[Col]:
        rows = [r for g in t.groups for r in g.rows]
        money = _fit([c for r in rows for c in r.cells] + t.totals + (t.stated or []), 1.9, 4.6, bold=True)
        cols = [Col("ID", _fit([r.id for r in rows], 1.4, 3.0)), Col("Scheme", 5.0, flex=1)]
        return cols + [Col(f"{y} ({t.unit})" if t.unit else y, money, align="right") for y in t.years]

    def _bcf_schemes(self, t: bcf_tables.SchemesTable, cols: list[Col], out: list, width: int) -> None:
        out.append(self.body_text("Funding by scheme and financial year" + (", by national scheme heading"
                                  if t.grouped else "") + (f", in {t.unit}." if t.unit else ".")))
        label_cols = 2
        rows = []
        for g in t.groups:
            if t.grouped:
                rows.append(Row([self.cell(g.heading, fmt=BOLD, fill=PALE_GREY, span=len(cols))]))
            for r in g.rows:
                cells = [self.cell(r.id), self.titled_cell(r.title, "\n\n".join(x for x in (r.description,
                                                                                         r.requirements) if x) or None)]
                rows.append(Row(cells + [self.value_cell(c) for c in r.cells]))
        if t.totals:  # none where no scheme has funding
            totals = [self.cell("Total", fmt=BOLD, fill=PALE_GREY, span=label_cols)]
            for c in t.totals:
                totals.append(self.value_cell(c, fmt=BOLD))
                totals[-1].fill = PALE_GREY
            rows.append(Row(totals))
        if t.stated:
            stated = [self.cell("Total stated in the plan", span=label_cols)]
            for c, flag in zip(t.stated, t.flags):
                stated.append(self.value_cell(f"{c} ({flag})" if flag else c))
            rows.append(Row(stated))
        out.append(_table(cols, rows, "Better Care Fund schemes", width))
        for note in t.notes:
            out.append(self.body_text(note, fmt=MUTED))

    def _bcf_contributions(self, t: bcf_tables.ContributionsTable, out: list, width: int) -> None:
        out.append(self.heading("Contributions to the pooled budget", 2))
        money = _fit([c for r in t.rows for c in r["cells"]] + t.totals, 1.9, 3.0, bold=True)
        cols = [Col("ID", _fit([r["id"] for r in t.rows], 1.4, 3.0)), Col("Organisation", 5.0, flex=1)]
        cols += [Col(f"{name} {y} ({t.unit})", max(money, 2.4), align="right") for y, name in t.columns]
        rows = []
        for r in t.rows:
            rows.append(Row([self.cell(r["id"]), self.titled_cell(r["organisation"], r["note"] or None,
                                                                  part_of=r["pool"] or None)]
                            + [self.value_cell(c) for c in r["cells"]]))
        totals = [self.cell("Total", fmt=BOLD, fill=PALE_GREY, span=2)]
        for c in t.totals:
            totals.append(self.value_cell(c, fmt=BOLD))
            totals[-1].fill = PALE_GREY
        rows.append(Row(totals))
        out.append(_table(cols, rows, "Contributions to the pooled budget", width))
        for note in t.notes:
            out.append(self.body_text(note, fmt=MUTED))

    def _bcf_risks(self, risks: list[dict], out: list, width: int) -> None:
        out.append(self.heading(display.BCF_RISKS_TITLE, 2))
        owners = any(r["owner"] for r in risks)  # no Owner column of dashes where no risk names one
        cols = [Col("ID", _fit([r["id"] for r in risks], 1.4, 3.0)), Col("Risk", 5.0, flex=1)]
        cols += [Col("Owner", 2.6, flex=0.3)] if owners else []
        cols += [Col(c, 2.6) for c in bcf_tables.risk_columns(self.plan.bcf)]
        rows = [Row([self.cell(r["id"]), self.titled_cell(r["title"] + (" (closed)" if r["closed"] else ""),
                                                          r["description"] or None,
                                                          extra=[("Mitigation", r["mitigation"] or None)])]
                    + ([self.cell(r["owner"]) if r["owner"] else self.dash()] if owners else [])
                    + [self.value_cell(s, align="left") for s in r["scores"]])
                for r in risks]
        out.append(_table(cols, rows, display.BCF_RISKS_TITLE, width))

    def open_points(self) -> None:
        tbcs = self.plan.tbcs
        warnings = self.warnings
        if not tbcs and not warnings:
            return
        section, width = self.section([self.heading("Open points", 1)])
        out = section.blocks
        if tbcs:
            out.append(self.heading("Values to be confirmed", 2))
            out.append(self.body_text(f"{display.plural(len(tbcs), 'value')} in the plan {'is' if len(tbcs) == 1 else 'are'} "
                                      f"still TBC. Each is shown as TBC in the tables and left out of totals."))
            cols = [Col("No.", 1.2, align="right"), Col("Value to be confirmed", 10, flex=1)]
            index = display.item_index(self.plan)
            rows = [Row([self.cell(str(n), "right"), self.cell(display.item_in_words(self.plan, t.path, index))])
                    for n, t in enumerate(tbcs, 1)]
            out.append(_table(cols, rows, "Values to be confirmed", width))
        if warnings:
            out.append(self.heading("Checks to resolve", 2))
            out.append(self.body_text("The plan's checks raised these warnings. They do not stop the papers "
                                      "being built, but the version that goes to the board should resolve them."))
            cols = [Col("No.", 1.2, align="right"), Col("Item", 5.0, flex=0.6), Col("Check", 10, flex=1)]
            rows = [Row([self.cell(str(n), "right"), self.cell(w["item"]), self.cell(clean_text(w["message"]))])
                    for n, w in enumerate(warnings, 1)]
            out.append(_table(cols, rows, "Checks to resolve", width))

    # -- styles, page furniture, package ---------------------------------------------------------

    def styles(self) -> None:
        theme = self.plan.theme if self.plan is not None else getattr(getattr(self, "view", None), "theme", None)
        house_styles(self.doc, **word_styles(theme))

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
        version = display.version(plan.meta.version)
        small = Fmt(color=DARK_GREY, size=16)
        shown = "" if version == display.NOT_STATED else f"Version {version} \u00b7 "
        p = _para([_run(f"{plan.organisation.name} \u00b7 {plan.meta.title}: Word annex \u00b7 {shown}"
                        f"Page ", small)], "Footer", align="center")
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
        set_properties(self.doc, when, title=plan.meta.title,
                       subject=f"{plan.meta.title}: Word annex ({plan.meta.period_label})",
                       author=plan.organisation.name, keywords="operational plan; annex; QIPP; RAG")

    def bytes(self, when: dt.datetime) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _repack(buffer.getvalue(), when)


def _indent(p: etree._Element, twips: int) -> None:
    """Indent a paragraph from the left (w:ind goes after w:spacing and before w:jc in w:pPr)."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = _el("w:pPr")
        p.insert(0, ppr)
    ind = _el("w:ind", left=twips)
    jc = ppr.find(qn("w:jc"))
    if jc is not None:
        jc.addprevious(ind)
    else:
        ppr.append(ind)


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
    return [(display.domain(plan.domain_title, k, display.PLAN_WIDE), groups[k]) for k in keys]


def annex_docx(plan: Plan, diagnostics=None) -> bytes:
    """The Word annex of `plan` as DOCX bytes; `diagnostics` (the plan's report, or a list of
    Diagnostic) supplies the warnings listed under Open points. Same plan, same bytes."""
    when = document_timestamp(plan.meta.date)
    builder = _Builder(plan, display.board_warnings(plan, diagnostics))
    builder.styles()
    builder.build()
    builder.assemble()
    builder.properties(when)
    return builder.bytes(when)
