"""The Word annex's governance and strategic alignment part: the governance bodies table and one
coverage table per framework, with the same texts as the full plan (opgen.render.governance)."""

from __future__ import annotations

from opgen import display
from opgen.render.docx.ooxml import BOLD, MUTED, Cell, Col, Fmt, Row, _para, _run, _table
from opgen.render.governance import view

# Column widths in cm (minimum, flex) by key of the bodies table.
_BODY_COLS = {"title": (4.2, 0.5), "chair": (3.2, 0.3), "frequency": (2.2, 0), "reports_to": (3.2, 0.3),
              "purpose": (4.6, 1)}
GAP = Fmt(italic=True, color="8A4B00")


def governance_part(annex) -> None:
    """Append the part to the annex (a `_Builder`); nothing where the plan has no governance bodies
    and no frameworks."""
    v = view(annex.plan)
    if v is None:
        return
    section, width = annex.section([annex.heading(display.GOVERNANCE_TITLE, 1)])
    out = section.blocks
    if v.note:
        out += annex.rich(v.note, style=None)
    if v.bodies:
        out.append(annex.heading(display.GOVERNANCE_BODIES, 2))
        cols = [Col(v.headings[k], *_BODY_COLS[k]) for k in v.columns]
        rows = []
        for b in v.bodies:
            cells = []
            for k in v.columns:
                if k == "title":
                    cells.append(annex.cell(b.title, fmt=BOLD))
                elif k == "purpose":
                    paras = annex.rich(b.purpose) if b.purpose else []
                    if b.members:
                        paras.append(annex.text_para(b.members, fmt=MUTED))
                    cells.append(Cell(paras) if paras else annex.dash())
                else:
                    cells.append(annex.value_cell(getattr(b, k), align=None))
            rows.append(Row(cells))
        out.append(_table(cols, rows, display.GOVERNANCE_BODIES, width))
    for t in v.coverage:
        out.append(annex.heading(t.caption, 2))
        if t.unaligned:  # nothing aligns to any item: the items as a list, with one sentence
            out.append(annex.body_text(t.unaligned))
            for r in t.rows:
                out.append(_para([_run(f"{r.id} ", BOLD), _run(r.title)]
                                 + ([_run(f" ({r.kind})", MUTED)] if r.kind else []), "ListBullet"))
            continue
        ref, item, by = display.COVERAGE_COLUMNS
        cols = [Col(ref, 1.8), Col(item, 5.5, flex=0.8), Col(by, 6.0, flex=1)]
        rows = []
        for r in t.rows:
            title = [annex.text_para(r.title)] + ([annex.text_para(r.kind, fmt=MUTED)] if r.kind else [])
            addressed = ([annex.text_para(text) for text, _ in r.addressed_by] if r.addressed_by
                         else [annex.text_para(display.NOT_ADDRESSED, fmt=GAP)])
            rows.append(Row([annex.cell(r.id, fmt=BOLD), Cell(title), Cell(addressed)]))
        out.append(_table(cols, rows, t.caption, width))
        out.append(annex.body_text(t.summary, MUTED, before=80))
