"""The one definition of "stated total differs", shared by `opgen validate` (opgen.rules), the
full plan PDF and the Word annex, so whatever a board paper flags is a warning of validate and
every such warning is flagged in the papers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from opgen.model import Column, Table, TableRow, Total, Value, total_tolerance


def compare_stated(stated: Value | None, computed: Total) -> Decimal | None:
    """The difference (computed − stated) when a stated total disagrees with the sum of its rows,
    else None. Only a stated number checked against a complete, non-empty sum can differ; a
    difference within half a unit of the last digit the author wrote (500 vs 500.2) is rounding."""
    if stated is None or not stated.is_number or computed.incomplete or computed.parts == 0:
        return None
    diff = computed.value - stated.number
    return diff if abs(diff) > total_tolerance(stated.number) else None


def stated_unchecked(stated: Value | None, computed: Total) -> bool:
    """A stated number whose rows include a TBC, so the sum cannot be checked."""
    return stated is not None and stated.is_number and computed.incomplete


@dataclass(frozen=True, slots=True)
class TableTotal:
    """One stated total of a data table's total row, in one summed column, against the rows above it
    (since the previous total row). `difference` as compare_stated; `unchecked` when a row above is
    TBC (the sum is incomplete, not a mismatch); `checked` False where the figure is not a sum (a
    percent that is not a share of 100, or a total row with no rows above)."""

    row: TableRow
    column: Column
    stated: Value | None
    computed: Total
    rows: int                # rows it adds up (those above it, or those its total: names)
    checked: bool
    difference: Decimal | None
    unchecked: bool


def table_totals(table: Table) -> list[TableTotal]:
    """Every stated total of a table's total rows, in every summed column, in table order.

    Number and money columns are always checked. A percent column is checked only when its stated
    total is 100: then the rows are shares of a whole and must add up to it. Any other percent in a
    total row (an overall growth rate, a weighted average) is not a sum of the rates above it, so it
    is printed as stated and never called a mismatch."""
    out = []
    for index, row in enumerate(table.rows):
        if not row.total:
            continue
        above = len(table.rows_above(index))
        for column in table.columns:
            if not column.summed:
                continue
            stated = row.cell(column.id).value
            computed = table.sum_above(index, column)
            checked = above > 0 and (column.type != "percent" or _is_hundred(stated))
            out.append(TableTotal(row, column, stated, computed, above, checked,
                                  compare_stated(stated, computed) if checked else None,
                                  checked and stated_unchecked(stated, computed)))
    return out


def _is_hundred(stated: Value | None) -> bool:
    return stated is not None and stated.is_number and abs(stated.number - 100) <= total_tolerance(stated.number)


_DECIMAL_COMMA = re.compile(r"-?\d+,(\d{1,2}|\d{4,})")


def decimal_comma(text: str) -> str | None:
    """'3,1' -> '3.1': a comma that cannot separate thousands (not followed by exactly three digits)
    is a decimal comma, as continental spreadsheets write it. None for anything else."""
    text = text.strip().replace("%", "").replace("£", "").strip()
    return text.replace(",", ".") if _DECIMAL_COMMA.fullmatch(text) else None
