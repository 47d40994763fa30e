"""The board pack as a Word document (`opgen pack`): the cover report, the comparisons across plans,
per plan its facts and what changed, and the glossary, for a board secretary to edit.

It prints the PackView's texts as they are (the PDF prints the same strings), in the Word annex's
house style and table style (opgen.render.docx.ooxml): headings as Word headings (the navigation
pane lists every plan), tables with repeating header rows and rows that never split, colours always
with their text, landscape sections for tables too wide for portrait, and reproducible bytes (fixed
zip entry times and core properties from the meeting date)."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from opgen import display
from opgen.render import document_timestamp
from opgen.render.docx.annex import _Builder
from opgen.render.pack_pdf import table_is_wide
from opgen.render.docx.ooxml import (
    BAND_FILLS, BOLD, CM, DARK_GREY, LANDSCAPE_WIDTH, MUTED, PORTRAIT_WIDTH, RAG_FILLS, Cell, Col, Fmt, Row,
    _Section, _field, _para, _run, _table, clean_text, qn, set_properties, text_colour_for,
)

_STATE_FILLS = {"met": "009639", "notmet": "DA291C", "not_met": "DA291C"}


def _fill(tone: str | None) -> str | None:
    if not tone:
        return None
    return RAG_FILLS.get(tone) or BAND_FILLS.get(tone) or _STATE_FILLS.get(tone)


class _PackBuilder(_Builder):
    """The annex's builder (styles, Markdown as Word, sections, packaging) with the pack's content."""

    def __init__(self, view) -> None:
        super().__init__(plan=None, warnings=[])
        self.view = view
        self.words = display.PACK_WORDS

    # -- small pieces -----------------------------------------------------------------------------

    def cell(self, text: str | None, *, tone: str | None = None, note: str | None = None,
             bold: bool = False, align: str | None = None) -> Cell:
        fill = _fill(tone)
        fmt = Fmt(bold=bold or bool(fill), color=text_colour_for(fill) if fill else None)
        paras = [self.text_para(text or display.DASH, fmt=fmt, align=align)]
        if note:
            paras.append(self.text_para(note, fmt=Fmt(color=DARK_GREY, size=16), align=align))
        return Cell(paras, fill=fill)

    def table_of(self, table) -> tuple[list[etree._Element], bool]:
        """A view Table as a caption paragraph, a Word table and its note; (blocks, wide)."""
        wide = table_is_wide(table)   # as the PDF: a landscape section where the PDF turns the page
        numeric = list(table.numeric) + [False] * len(table.columns)
        available_cm = (LANDSCAPE_WIDTH if wide else PORTRAIT_WIDTH) / CM
        values = max(1, len(table.columns) - 1)
        least = min(2.6, 0.7 * (available_cm - 3.2) / values)   # many columns: narrower, and the spare shared
        cols = [Col(table.columns[0], 3.2, flex=1)]
        for i, head in enumerate(table.columns[1:]):   # a long header gets more of the spare width
            cols.append(Col(head, min(2.0, least) if numeric[i] else least, flex=min(4.0, max(1.0, len(head) / 25)),
                            align="right" if numeric[i] else None))
        rows = []
        for r in table.rows:
            cells = [self.cell(r.label, bold=True)]
            for i, c in enumerate(r.cells):
                cells.append(self.cell(c.text, tone=c.tone, note=c.note, align="right" if numeric[i] else None))
            cells[-1].span = len(table.columns) - len(r.cells)   # a row said once (a plan with no such framework)
            rows.append(Row(cells))
        width = LANDSCAPE_WIDTH if wide else PORTRAIT_WIDTH
        blocks = [_para([_run(table.caption, Fmt(bold=True, color="003087"))], keep_next=True, after=80),
                  _table(cols, rows, table.caption, width)]
        if table.note:
            blocks.append(_para([_run(table.note, MUTED)], before=60))
        else:
            blocks.append(_para(after=0))
        return blocks, wide

    def facts(self, pairs: list[tuple[str, str]], caption: str) -> etree._Element:
        cols = [Col(self.words["col_fact"], 4.5), Col(self.words["col_value"], 8, flex=1)]
        rows = [Row([self.cell(k), self.cell(v, bold=True)]) for k, v in pairs]
        return _table(cols, rows, caption, PORTRAIT_WIDTH)

    def items(self, lines, title: str, status_head: str, detail_head: str, empty: str) -> list[etree._Element]:
        w = self.words
        out = [self.heading(title, 2)]
        if not lines:
            out.append(_para([_run(empty, MUTED)]))
            return out
        cols = [Col(w["col_ref"], 2.0), Col(w["col_item"], 5.6, flex=1),
                Col(status_head, 2.6), Col(detail_head, 6.5, flex=1)]
        rows = [Row([self.cell(i.id), self.cell(i.title, bold=True),
                     self.cell(i.status, tone=i.tone), self.cell(i.detail)]) for i in lines]
        out.append(_table(cols, rows, title, PORTRAIT_WIDTH))
        return out

    # -- the document -----------------------------------------------------------------------------

    def portrait(self) -> list[etree._Element]:
        if not self.sections or self.sections[-1].landscape:
            self.sections.append(_Section([], False))
        return self.sections[-1].blocks

    def landscape(self) -> list[etree._Element]:
        if not self.sections or not self.sections[-1].landscape:
            self.sections.append(_Section([], True))
        return self.sections[-1].blocks

    def add_table(self, table) -> None:
        blocks, wide = self.table_of(table)
        (self.landscape() if wide else self.portrait()).extend(blocks)

    def build(self) -> None:
        view, w = self.view, self.words
        cover = {k: v for k, v in (view.cover or {}).items() if v not in ("", None)}
        out = self.portrait()
        kicker = [x for x in (cover.get("board"), cover.get("meeting"), display.agenda_item(cover.get("item"))) if x]
        if kicker:
            out.append(_para([_run("  |  ".join(kicker), Fmt(bold=True, color="005EB8"))], after=60))
        out.append(_para([_run(view.title)], "Title"))
        facts = [(w["author"], cover.get("author")), (w["board"], cover.get("board")),
                 (w["meeting"], cover.get("meeting")), (w["item"], cover.get("item")),
                 (w["subject"], view.title), (w["plans"], "; ".join(p.organisation for p in view.plans))]
        for i, (label, value) in enumerate((k, v) for k, v in facts if v):
            out.append(_para([_run(f"{label}: ", BOLD), _run(clean_text(value))], after=40,
                             before=200 if i == 0 else None))
        number = 0
        if cover.get("purpose"):
            number += 1
            out.append(self.heading(f"{number}  {w['purpose']}", 1))
            out += self.rich(cover["purpose"], style="Normal")
        number += 1
        out.append(self.heading(f"{number}  {w['recommendations']}", 1))
        recs = cover.get("recommendations") or []
        recs = [recs] if isinstance(recs, str) else list(recs)
        if recs:
            out += self.rich("\n".join(f"{i}. {' '.join(str(r).split())}" for i, r in enumerate(recs, 1)),
                             style="Normal")
        else:
            out.append(_para([_run(w["no_recommendations"], MUTED)]))
        if cover.get("background"):
            number += 1
            out.append(self.heading(f"{number}  {w['background']}", 1))
            out += self.rich(cover["background"], style="Normal")

        out = self.portrait()
        out.append(self.heading(w["summary"], 1))
        out[-1].find(qn("w:pPr")).insert(1, etree.Element(qn("w:pageBreakBefore")))
        for t in view.summary:
            self.add_table(t)
        if view.matrix is not None:
            blocks, wide = self.table_of(view.matrix)
            target = self.landscape() if wide else self.portrait()
            target.append(self.heading(w["matrix"], 1))
            target.extend(blocks)
        else:
            self.portrait().extend([self.heading(w["matrix"], 1), _para([_run(w["no_matrix"], MUTED)])])
        self.portrait().append(self.heading(w["indicators"], 1))
        for t in view.indicators:
            self.add_table(t)
        if not view.indicators:
            self.portrait().append(_para([_run(w["no_indicators"], MUTED)]))
        if view.left_out:
            out = self.portrait()
            out.append(self.heading(w["left_out"], 1))
            cols = [Col(w["col_path"], 6), Col(w["col_reason"], 8, flex=1)]
            out.append(_table(cols, [Row([self.cell(p, bold=True), self.cell(r)]) for p, r in view.left_out],
                              w["left_out"], PORTRAIT_WIDTH))

        for p in view.plans:
            out = self.portrait()
            out.append(_para([_run(p.organisation)], "Heading1", before=0))
            out[-1].find(qn("w:pPr")).insert(1, etree.Element(qn("w:pageBreakBefore")))
            out.append(_para([_run(p.title, Fmt(color=DARK_GREY, size=26))], after=160))
            out.append(self.heading(w["plan_facts"], 2))
            out.append(self.facts(p.facts, f"{p.organisation}: {w['plan_facts']}"))
            ch = p.changes
            if ch is None:
                out.append(_para([_run(w["no_changes"], MUTED)], before=160))
            else:
                out.append(self.heading(ch.since_label, 2))
                if ch.headline:
                    out.append(_para([_run(ch.headline, BOLD)]))
                for line in ch.key_changes:
                    out.append(_para([_run(line)], "ListBullet"))
                if ch.more:
                    out.append(_para([_run(display.more_changes(ch.more), Fmt(italic=True, color=DARK_GREY))]))
            mine = lambda lines: [i for i in lines if i.plan == p.short]  # noqa: E731 - this plan's lines
            out.extend(self.items(mine(view.red_amber), w["red_amber"], w["col_rag"], w["col_detail"],
                                  w["none_red_amber"] if p.rates_actions else w["unrated_actions"]))
            out.extend(self.items(mine(view.high_risks), w["high_risks"], w["col_rating"], w["col_mitigation"],
                                  w["none_high_risks"] if p.rates_risks else w["unrated_risks"]))
            out.extend(self.items(mine(view.open_items), w["open_items"], w["col_status"], w["col_what"],
                                  w["none_open_items"]))

        out = self.portrait()
        out.append(_para([_run(w["glossary"])], "Heading1"))
        out[-1].find(qn("w:pPr")).insert(1, etree.Element(qn("w:pageBreakBefore")))
        if view.glossary:
            cols = [Col(w["col_term"], 3.2), Col(w["col_meaning"], 10, flex=1)]
            out.append(_table(cols, [Row([self.cell(t, bold=True), self.cell(m)]) for t, m in view.glossary],
                              w["glossary"], PORTRAIT_WIDTH))
        else:
            out.append(_para([_run(w["no_glossary"], MUTED)]))

    # -- furniture and package ----------------------------------------------------------------------

    def page_furniture(self, first_sectpr: etree._Element) -> None:
        """Footer: the board, meeting and item, and "Page X of Y"; defined once on the first section."""
        c = self.view.cover or {}
        footer = self.doc.sections[0].footer
        footer.is_linked_to_previous = False
        ftr = footer._element
        for child in list(ftr):
            ftr.remove(child)
        small = Fmt(color=DARK_GREY, size=16)
        lead = display.pack_footer(c.get("board"), c.get("meeting"), c.get("item")) or self.view.title
        p = _para([_run(f"{lead} \u00b7 {self.view.title} \u00b7 Page ", small)], "Footer", align="center")
        p.append(_field("PAGE", "1", small))
        p.append(_run(" of ", small))
        p.append(_field("NUMPAGES", "1", small))
        ftr.append(p)

    def properties(self, when: dt.datetime) -> None:
        view, cover = self.view, self.view.cover or {}
        set_properties(self.doc, when, title=view.title,
                       subject=display.pack_footer(cover.get("board"), cover.get("meeting"), cover.get("item")),
                       author=cover.get("board") or view.title, keywords="board pack; operational plans; NHS")

def pack_docx(view) -> bytes:
    """The Word pack of `view` as DOCX bytes. Same view, same bytes."""
    when = document_timestamp(view.date)
    builder = _PackBuilder(view)
    builder.styles()
    builder.build()
    builder.assemble()
    builder.properties(when)
    return builder.bytes(when)
