"""Column widths for the tables the full plan repeats for every action: a programme's actions summary
(a row an action) and each action's milestones. operational-plan.css lays them out with
`table-layout: fixed`, so WeasyPrint sizes their columns from the header row alone instead of
measuring every cell of every row (a sixth of a long programme's layout time); the columns whose text
never wraps (references, status pills) are made as wide as their widest entry here, from the shipped
font's metrics (opgen.render.fontmetrics), never narrower than the stylesheet's widths were.

Each width is the header cell's CSS width (its content box): the stylesheet pads a column's cells
alike, except a sub-action's reference in the summary, indented by SUB_ACTION_INDENT_MM."""

from __future__ import annotations

import math
from typing import Any, Iterable

from opgen.render.fontmetrics import PT_PER_MM, text_width_mm

# the sizes operational-plan.css gives these cells (.grid, table.milestones, .ref, .full .pill, .grid thead th)
SUMMARY_SIZE_PT = 8.6
HEADING_SIZE_PT, HEADING_WEIGHT = 7.9, 700
MILESTONES_SIZE_PT = 8.2
REF_WEIGHT = 600
PILL_SIZE_PT, PILL_WEIGHT, PILL_LETTER_SPACING_EM = 7.5, 600, 0.01
PILL_PADDING_EM, PILL_BORDER_PT = 0.5, 0.6
SUB_ACTION_INDENT_MM = 3.5   # .action-summary tr.sub-action td.c-ref

# the least widths (the widths the stylesheet gave these columns before they were measured)
SUMMARY_REF_MM, SUMMARY_RAG_MM = 18, 22
MILESTONE_REF_MM, MILESTONE_STATUS_MM = 24, 24


def _mm(value: float) -> str:
    return f"{math.ceil(value * 10) / 10:g}mm"


def pill_width_mm(label: str, font: str) -> float:
    text = text_width_mm(label, PILL_SIZE_PT, font=font, weight=PILL_WEIGHT, letter_spacing_em=PILL_LETTER_SPACING_EM)
    return text + (2 * PILL_PADDING_EM * PILL_SIZE_PT + 2 * PILL_BORDER_PT) / PT_PER_MM


def _widest(widths: Iterable[float], least: float) -> str:
    return _mm(max([least, *widths]))


def summary_columns(actions: list[dict[str, Any]], font: str, rag_heading: str = "") -> dict[str, str]:
    """{"ref", "rag"}: CSS widths of a programme's actions summary's reference and RAG columns (the RAG
    column as wide as its heading too, 'RAG 2015/16 Q1' on one line)."""
    heading = text_width_mm(rag_heading, HEADING_SIZE_PT, font=font, weight=HEADING_WEIGHT)
    return {
        "ref": _widest((text_width_mm(a["id"], SUMMARY_SIZE_PT, font=font, weight=REF_WEIGHT)
                        + (SUB_ACTION_INDENT_MM if a["depth"] else 0) for a in actions), SUMMARY_REF_MM),
        "rag": _widest([heading, *(pill_width_mm(a["rag"].label, font) for a in actions if a["rag"])],
                       SUMMARY_RAG_MM),
    }


def milestone_columns(milestones: list[dict[str, Any]], font: str) -> dict[str, str]:
    """{"ref", "status"}: CSS widths of an action's milestones' reference and status columns."""
    return {
        "ref": _widest((text_width_mm(m["id"], MILESTONES_SIZE_PT, font=font, weight=REF_WEIGHT)
                        for m in milestones), MILESTONE_REF_MM),
        "status": _widest((pill_width_mm(m["status"].label, font) for m in milestones if m["status"]),
                          MILESTONE_STATUS_MM),
    }
