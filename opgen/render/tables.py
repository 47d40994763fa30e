"""Data tables (`tables`) for the board papers: which chapter each goes in, its number ("Table 3"),
and each cell as a reader sees it. The full plan (render/html.py) and the Word annex
(render/docx/annex.py) both print from these views, so a table has the same number, headings and
cell texts in both.

A table goes at the end of the chapter it names (a section's tables after the section's body; a
programme's, named by its domain id, at the end of that programme).
Tables with no chapter, or naming a chapter the paper does not print (a plan with no QIPP has no
QIPP chapter), go in an appendix, "Tables". Tables are numbered in the order the paper prints them.

Narrative sections (`sections`) print their tables after their body: `chapters_printed` lists
them, in print order, among the chapters (html.tables_view then has a list for each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from opgen import chapters, display
from opgen.figures import TableTotal, table_totals
from opgen.model import Plan, Table

APPENDIX = None  # the chapter key of the "Tables" appendix

# Rough widths (mm, 8.6 pt Inter) for deciding when a table needs a landscape page.
PORTRAIT_MM = 172
_CHAR_MM = 1.65


def chapters_printed(plan: Plan, *, inventory: bool) -> list[str]:
    """The chapters the full plan prints for this plan, in print order: the built-in chapters it has
    and every narrative section and subsection, where opgen.chapters places them."""
    have = chapters.present(plan)
    if not inventory:
        have.discard("inventory")
    order: dict[str, None] = {}
    sections = {s.id for top in plan.sections for s in top.walk()}
    for kind, item in chapters.arrange(plan).order():
        if kind == "builtin":
            if item == "domains" and item in have:
                # a table naming a programme prints at the end of that programme, before the tables
                # of the programmes chapter as a whole (at the end of the last programme)
                order.update(dict.fromkeys(d.id for d in plan.domains if d.id not in sections))
            if item in have:
                order[item] = None
        else:
            order.update(dict.fromkeys(s.id for s in item.walk()))
    return list(order)


@dataclass(slots=True)
class CellView:
    text: str                 # what a reader sees (and a screen reader hears)
    kind: str                 # the column type; "missing" for nothing recorded
    colour: str | None = None  # RAG colour or risk band, for shading (always with `text`)
    mark: str = ""            # a tick's visible mark; `text` says it in words
    flag: str = ""            # beside a stated total that validate warns about, in words
    unchecked: bool = False


@dataclass(slots=True)
class ColumnView:
    id: str
    heading: str
    unit: str
    kind: str
    numeric: bool
    width_mm: float = 0


@dataclass(slots=True)
class RowView:
    id: str
    label: str
    total: bool
    cells: list[CellView]
    note: str | None = None


@dataclass(slots=True)
class TableView:
    number: int
    caption: str
    table: Table
    chapter: str | None
    columns: list[ColumnView]
    rows: list[RowView]
    wide: bool
    differs: bool = False      # a total row flags a stated total
    incomplete: bool = False   # a total row could not be checked (TBC)
    extra: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.table.title


def _cell(table: Table, row, column, totals: dict) -> CellView:
    cell = row.cell(column.id)
    text = display.table_cell(cell, column)
    if cell.empty:
        return CellView(text, "missing")
    view = CellView(text, column.type)
    if not cell.fits or (cell.value is not None and not cell.value.is_number):
        return view
    if column.type == "rag":
        view.colour = cell.text
    elif column.type == "rating":
        view.colour = cell.text
    elif column.type == "tick":
        view.mark = display.TICK_MARK if cell.tick else ""
    t: TableTotal | None = totals.get((row.id, column.id))
    if t is not None:
        view.flag = display.table_total_flag(t)
        view.unchecked = t.unchecked
    return view


def _width(column: ColumnView, texts: list[str]) -> float:
    longest = max([len(t) for t in texts] + [0])
    heading = max((len(w) for w in (column.heading + " " + column.unit).split()), default=0)
    if column.kind == "text":
        return min(max(longest * _CHAR_MM * 0.8 + 4, 28), 70)
    if column.kind in ("rag", "rating"):
        return max(20, heading * _CHAR_MM + 4)
    return max(longest, heading, 3) * _CHAR_MM + 5


def table_view(table: Table, number: int, chapter: str | None) -> TableView:
    totals = {(t.row.id, t.column.id): t for t in table_totals(table)}
    columns = [ColumnView(c.id, c.label, display.column_unit(c), c.type, c.summed) for c in table.columns]
    rows = []
    for row in table.rows:
        cells = [_cell(table, row, column, totals) for column in table.columns]
        rows.append(RowView(row.id, row.label, row.total, cells, row.note))
    for i, column in enumerate(columns):
        column.width_mm = _width(column, [r.cells[i].text for r in rows])
    wide = sum(c.width_mm for c in columns) > PORTRAIT_MM
    differs = any(t.difference is not None for t in totals.values())
    incomplete = any(t.unchecked for t in totals.values())
    return TableView(number, display.table_caption(number, table.title), table, chapter, columns, rows, wide,
                     differs, incomplete)


def numbered_tables(plan: Plan, chapters: Iterable[str]) -> list[TableView]:
    """Every table, numbered in the order the paper prints it: chapter by chapter (in `chapters`
    order: the chapters and sections printed), then the appendix."""
    order = list(chapters)
    placed: list[tuple[int, int, Table, str | None]] = []
    for i, table in enumerate(plan.tables):
        if table.chapter in order:
            placed.append((order.index(table.chapter), i, table, table.chapter))
        else:
            placed.append((len(order), i, table, APPENDIX))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [table_view(table, n, chapter) for n, (_, _, table, chapter) in enumerate(placed, 1)]
