"""Indicators version 2 in the Word annex: the same tables as the full plan (NHS Constitution
standards, benchmarks, each indicator's actuals against trajectory and its breakdown by area), from
the one view in opgen.render.indicators, so both outputs print the same words. The annex has no
charts: the numbers behind them are its series tables, with the chart's text summary above."""

from __future__ import annotations

from typing import Any

from opgen import display
from opgen.model import Plan
from opgen.render.docx.ooxml import BOLD, MUTED, Cell, Col, Row, _fit, _table
from opgen.render.indicators import TableView, view


def _col_width(t: TableView, i: int) -> float:
    texts = [r[i] if isinstance(r[i], str) else r[i][0] for r in t.rows]
    return _fit(texts, 1.6, 5.0, header=t.columns[i])


def table(annex, t: TableView, width: int) -> Any:
    """A TableView as a Word table: the first column flexes, figures right-aligned, a period note
    under a figure in grey, group rows shaded as in every annex table."""
    # a title column takes the spare width; a table of periods (a series) stays as narrow as its figures
    flex_first = t.id == "constitution" or t.id.startswith("areas-")
    flex_last = t.id in ("benchmarks", "sets")
    last = len(t.columns) - 1
    cols = [Col(h, _col_width(t, i), flex=1 if (i == 0 and flex_first) or (i == last and flex_last) else 0,
                align="right" if t.numeric[i] else None) for i, h in enumerate(t.columns)]
    groups = dict(t.groups)
    rows: list[Row] = []
    for n, r in enumerate(t.rows):
        if n in groups:
            rows.append(annex.group_row(groups[n], len(cols)))
        cells = []
        for i, c in enumerate(r):
            align = "right" if t.numeric[i] else None
            if isinstance(c, str):
                cells.append(annex.dash(align) if c == display.DASH else annex.cell(c, align=align))
            else:
                paras = [annex.text_para(c[0], align=align)]
                if c[1]:
                    paras.append(annex.text_para(c[1], align=align, fmt=MUTED))
                cells.append(Cell(paras))
        rows.append(Row(cells))
    return _table(cols, rows, t.title, width)


def blocks(annex, plan: Plan, width: int, indicators: list | None = None) -> list:
    """The paragraphs and tables indicators v2 adds to the annex's performance section, or given the
    Better Care Fund's metrics to its section ([] if none)."""
    v = view(plan, indicators)
    if v is None:
        return []
    out: list = []
    for t in (v["sets"], v["constitution"], v["benchmarks"]):
        if t is not None:
            out.append(annex.heading(t.title, 2))
            out.append(table(annex, t, width))
            if t.note:
                out.append(annex.body_text(t.note, fmt=MUTED, before=80))
    if v["chart_note"]:
        out.append(annex.body_text(display.CHART_NOTE_ANNEX, fmt=MUTED))
    for d in v["details"]:
        out.append(annex.heading(d["title"], 3))
        if d["chart"]:
            out.append(annex.body_text(d["chart"]["summary"]))
        for t in (d["series"], d["areas"]):
            if t is not None:
                out.append(annex.body_text(t.title, fmt=BOLD, keep_next=True, before=200))
                out.append(table(annex, t, width))
    return out
