"""Delivery schedules in the Word annex (issue 9, part 1): per domain, a table of its scheduled
actions by period (financial years over quarters or months), each cell the phase's label, shaded
in the colour the full plan's Gantt chart uses (the words carry the meaning; the colour helps).
The header rows repeat on every page; a schedule wider than a landscape page is split by year.
"""

from __future__ import annotations

from opgen import display, schedules
from opgen.model import nested
from opgen.render.docx.ooxml import (LANDSCAPE_WIDTH, Cell, Col, Row, _fit, _para, _table, min_width)
from opgen.render.gantt import colours

CELL_CM = {"quarter": 1.5, "month": 1.3}   # the narrowest a period's column is


def add(builder) -> None:
    """The annex's "Delivery schedules" part, after the milestones; nothing where no action has one."""
    plan = builder.plan
    groups = []
    for domain in plan.domains:
        actions = [a for a, _ in nested(domain.actions) if a.schedule]
        if actions:
            groups.append((domain, actions))
    if not groups:
        return
    palette = colours(plan)
    tables = []
    all_cols = []
    for domain, actions in groups:
        spans = [s for a in actions for s in a.schedule]
        unit = schedules.unit_of(spans)
        id_col = Col(display.SCHEDULE_REF, _fit([a.id for a in actions], 1.4, 3.0))
        title_col = Col(display.SCHEDULE_ACTION, 3.6, flex=1)
        # wide enough for each word of the labels used, so no word breaks inside a cell
        words = [w for s in spans for w in display.schedule_cell(plan.scales, s.code, s.ongoing).split()]
        cell_cm = _fit(words, CELL_CM[unit], 3.2, size_pt=8, bold=True)
        for cols in _fitting(schedules.columns(spans, unit), cell_cm, id_col, title_col):
            word_cols = [id_col, title_col] + [
                Col(display.schedule_column_head(c.first, c.unit)[1], cell_cm, align="center",
                    group=display.schedule_column_head(c.first, c.unit)[0]) for c in cols]
            all_cols.append(word_cols)
            tables.append((domain, actions, cols, word_cols))
    section, width = builder.section([builder.heading(display.SCHEDULE_HEADING + "s", 1)], all_cols)
    out = section.blocks
    legend = "; ".join(f"{e.code} {display.schedule_legend_entry(e)}" for e in plan.scales.schedule.values())
    out.append(builder.body_text(f"Each cell names the phase of the action in that period. "
                                 f"{display.SCHEDULE_KEY}: {legend}."))
    for n, (domain, actions, cols, word_cols) in enumerate(tables):
        if n == 0 or tables[n - 1][0] is not domain:
            out.append(builder.heading(domain.title, 2))
        else:
            out.append(_para(style="TableText"))  # two tables side by side would merge into one in Word
        rows = []
        first, last = cols[0].first, cols[-1].last
        for a in actions:
            cells = [builder.cell(a.id), builder.cell(a.title)]
            for col in cols:
                s = schedules.cell_of(a.schedule, col)
                if s is None:
                    cells.append(Cell([_para(style="TableText")]))
                    continue
                end = col.last == last and s.ongoing
                fill = palette.get(s.code, ("#AEB7BD", "#212B32"))[0].lstrip("#")
                cells.append(builder.shaded(display.schedule_cell(plan.scales, s.code, end), fill))
            rows.append(Row(cells))
        caption = f"{display.SCHEDULE_HEADING}: {domain.title}, {display.schedule_span(first, last, cols[0].unit)}"
        out.append(_table(word_cols, rows, caption, width))
        typed = [(a, m) for a in actions for m in a.milestones if m.type]
        if typed and (n + 1 == len(tables) or tables[n + 1][0] is not domain):
            text = "; ".join(f"{m.title} ({display.milestone_type(plan.scales, m.type)}), {m.due_display}"
                             for _, m in typed)
            out.append(builder.body_text(f"{display.SCHEDULE_MILESTONES}: {text}."))


def _fitting(cols: list, cell_cm: float, *fixed: Col) -> list[list]:
    """The columns in tables that fit across a landscape page, in even parts (14 months in two
    tables of 7, not 12 and 2)."""
    per = max(1, int((LANDSCAPE_WIDTH - min_width(list(fixed))) // round(cell_cm * 567)))
    if len(cols) <= per:
        return [cols]
    parts = -(-len(cols) // per)
    size = -(-len(cols) // parts)
    return [cols[i:i + size] for i in range(0, len(cols), size)]
