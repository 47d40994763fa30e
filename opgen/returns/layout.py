"""The shape of a quarterly return workbook, described once: which sheets, which columns, which
of them a lead fills in and what each accepts. `export.py` writes it and `read.py` checks a
returned workbook against it, so the two cannot drift apart.

A data sheet has a title (row 1), a line saying which plan and quarter (row 2), a blank row, the
header row (row 4) and one row per item from row 5, its id in column A. Input columns are unlocked
and carry data validation; every other cell is locked by sheet protection without a password.
"""

from __future__ import annotations

from dataclasses import dataclass

from opgen.periods import Quarter

FORMAT = "opgen-return/1"
HOW_TO = "How to fill in"
META = "opgen"           # the hidden sheet: where the workbook came from, and each row's id
DATA_SHEETS = ("Actions", "Milestones", "QIPP", "Risks", "Indicators")
SHEETS = (HOW_TO,) + DATA_SHEETS
TITLE_ROW, INFO_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 4, 5
MAX_TEXT = 10_000        # characters in one commentary cell (a plan's Markdown text may hold 50,000)
MAX_ROWS = 3_000         # a plan holds at most 3,000 items

# what an input column accepts
RAG, TEXT, STATUS, DATE, MONEY, SCALE, NUMBER, CONFIDENCE = (
    "rag", "text", "status", "date", "money", "scale", "number", "confidence")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str            # may name {q} (this quarter), {prev} (the last), {year} (this quarter's year), {unit}
    width: int
    accepts: str | None = None   # None: read-only

    @property
    def is_input(self) -> bool:
        return self.accepts is not None


COLUMNS: dict[str, tuple[Column, ...]] = {
    "Actions": (
        Column("id", "Id", 12),
        Column("title", "Action", 44),
        Column("rag_prev", "RAG {prev}", 13),
        Column("rag", "RAG {q}", 14, RAG),
        Column("commentary", "Commentary {q}", 50, TEXT),
        Column("path_to_green", "Path to green {q}", 50, TEXT),
        Column("domain", "Programme", 28),
        Column("lead", "Lead", 22),
    ),
    "Milestones": (
        Column("id", "Id", 14),
        Column("title", "Milestone", 44),
        Column("action", "Action", 12),
        Column("due", "Due", 16),
        Column("status_prev", "Status (last reported)", 16),
        Column("status", "Status {q}", 16, STATUS),
        Column("forecast_prev", "Forecast (last reported)", 16),
        Column("forecast", "Forecast date {q}", 16, DATE),
    ),
    "QIPP": (
        Column("id", "Id", 14),
        Column("title", "Scheme", 40),
        Column("planned", "Planned savings {year} ({unit})", 18),
        Column("forecast_prev", "Forecast {year} at {prev} ({unit})", 20),
        Column("forecast", "Forecast savings {year} at {q} ({unit})", 22, MONEY),
        Column("confidence_prev", "Confidence (last reported)", 16),
        Column("confidence", "Confidence {q}", 16, CONFIDENCE),
        Column("domain", "Programme", 28),
    ),
    "Risks": (
        Column("id", "Id", 12),
        Column("title", "Risk", 40),
        Column("position_prev", "Likelihood \u00d7 impact (last reported)", 20),
        Column("likelihood", "Likelihood {q} (1-5)", 14, SCALE),
        Column("impact", "Impact {q} (1-5)", 14, SCALE),
        Column("mitigation_prev", "Mitigation update {prev}", 40),
        Column("mitigation", "Mitigation update {q}", 50, TEXT),
        Column("owner", "Owner", 22),
    ),
    "Indicators": (
        Column("id", "Id", 14),
        Column("title", "Indicator", 44),
        Column("unit", "Unit", 14),
        Column("target", "Target {year}", 14),
        Column("actual_prev", "Actual {prev}", 14),
        Column("actual", "Actual {q}", 14, NUMBER),
        Column("domain", "Programme", 28),
    ),
}


def previous(quarter: Quarter) -> Quarter:
    """The quarter before."""
    if quarter.number > 1:
        return Quarter(quarter.year, quarter.number - 1)
    from opgen.periods import FinancialYear

    return Quarter(FinancialYear(quarter.year.start_year - 1), 4)


def header(column: Column, quarter: Quarter, unit: str = "") -> str:
    return column.header.format(q=quarter.label, prev=previous(quarter).label, year=quarter.year.label,
                                unit=unit).replace(" ()", "")


def letter(index: int) -> str:
    """Column letter of a 0-based column index (A..Z is enough: no sheet has more than 26 columns)."""
    return chr(ord("A") + index)


def inputs(sheet: str) -> list[tuple[int, Column]]:
    return [(i, c) for i, c in enumerate(COLUMNS[sheet]) if c.is_input]
