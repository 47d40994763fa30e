"""The finance chapter as plain texts, for the full plan (html.py) and the Word annex (docx/annex.py)
alike, so both print the same cells: one table per group of lines (allocation, expenditure,
financial position, other) with a column per period in time order, the NHS business rules and the
planning assumptions. Version 1 and version 2 plans go through the same path (Finance.all_lines).

Periods outside the plan period are shown (last year's outturn, projections to year five) and
grouped under "Before the plan" / "Plan years" / "After the plan" when there are any.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opgen import display
from opgen.figures import compare_stated
from opgen.model import FINANCE_GROUPS, TOTALLED_GROUPS, Plan, Total
from opgen.periods import Period

# More period columns than this and the finance chapter is set on landscape pages.
PORTRAIT_PERIODS = 5


@dataclass(slots=True)
class PeriodColumn:
    text: str        # the period in words
    phase: str       # before | plan | after


@dataclass(slots=True)
class FigureCell:
    text: str                   # the amount (or percentage) as printed
    percent: str = ""           # the line's percent of allocation, where the plan states it
    rag: str | None = None      # the plan's own rating of the line for the period (a RAG key)
    rag_label: str = ""


@dataclass(slots=True)
class LineRow:
    id: str
    title: str
    note: str
    cells: list[FigureCell]


@dataclass(slots=True)
class StatedCell:
    text: str
    flag: str = ""              # "lines differ by ..." where validate warns


@dataclass(slots=True)
class FigureTable:
    key: str                    # allocation | expenditure | position | other | assumptions
    title: str
    unit: str                   # the unit every figure is in ("£000", "%")
    columns: list[PeriodColumn]
    rows: list[LineRow]
    phases: list[tuple[str, int]] = field(default_factory=list)  # (label, span); empty when all in the plan
    totals: list[str] | None = None
    stated: list[StatedCell] | None = None
    incomplete: bool = False    # a total leaves out a TBC (or a figure not stated)
    incomplete_note: str = ""   # what the incomplete totals leave out, in words

    @property
    def wide(self) -> bool:
        return len(self.columns) > PORTRAIT_PERIODS


@dataclass(slots=True)
class RuleRow:
    period: str
    name: str
    required: str
    value: str
    percent: str
    rag: str | None
    rag_label: str
    met: bool | None
    state: str


@dataclass(slots=True)
class FinanceTables:
    unit: str
    tables: list[FigureTable]
    rules: list[RuleRow]
    rules_rated: bool           # the plan rates some rule line itself (a "Rated in the plan" column)
    rules_unassessed: bool
    assumptions: FigureTable | None
    plan_years: str             # the plan period in words, for the note under the tables
    note: str
    rules_unjudged: str = ""    # why some rule figures are not judged (no rule known for their year)

    @property
    def wide(self) -> bool:
        return any(t.wide for t in self.tables + ([self.assumptions] if self.assumptions else []))

    @property
    def outside(self) -> bool:
        """Some figure is for a period outside the plan period."""
        return any(t.phases for t in self.tables + ([self.assumptions] if self.assumptions else []))


def _columns(plan: Plan, periods: list[Period]) -> tuple[list[PeriodColumn], list[tuple[str, int]]]:
    columns = [PeriodColumn(display.period(p), plan.meta.phase(p)) for p in periods]
    if all(c.phase == "plan" for c in columns):
        return columns, []
    phases: list[tuple[str, int]] = []
    for c in columns:
        label = display.PHASE_LABELS[c.phase]
        if phases and phases[-1][0] == label:
            phases[-1] = (label, phases[-1][1] + 1)
        else:
            phases.append((label, 1))
    return columns, phases


def finance_tables(plan: Plan) -> FinanceTables | None:
    f = plan.finance
    if f is None:
        return None
    unit = f.unit.header
    tables = []
    for group in FINANCE_GROUPS:
        lines = f.group_lines(group)
        stated_map = f.group_stated(group)
        if not lines and not stated_map:
            continue
        periods = f.group_periods(group)
        columns, phases = _columns(plan, periods)
        rows = []
        for line in lines:
            cells = []
            for p in periods:
                colour = line.rag.get(p)
                cells.append(FigureCell(display.value(line.amounts.get(p)),
                                        display.percent_value(line.percent[p]) if p in line.percent else "",
                                        colour, display.rag(colour) if colour else ""))
            rows.append(LineRow(line.id, line.title, line.note or "", cells))
        table = FigureTable(group, display.FINANCE_GROUP_TITLES[group], unit, columns, rows, phases)
        if group in TOTALLED_GROUPS:
            totals: list[Total] = [f.group_total(group, p) for p in periods]
            if len(lines) > 1 or not lines:
                table.totals = [display.total(t) for t in totals]
                table.incomplete = any(t.incomplete and t.parts for t in totals)
                table.incomplete_note = display.incomplete_note([t for t in totals if t.parts])
            if stated_map:
                table.stated = []
                for p, total in zip(periods, totals):
                    value = stated_map[p][0] if p in stated_map else None
                    difference = compare_stated(value, total)
                    table.stated.append(StatedCell(display.value(value),
                                                   display.stated_flag(difference, "lines") if difference is not None
                                                   else ""))
        tables.append(table)

    rules = []
    for r in f.rule_checks():
        rules.append(RuleRow(display.period(r.period), r.name, display.rule_required(r.required_percent),
                             display.value(r.value), display.rule_percent(r.percent, r.stated_percent, r.percent_stated),
                             r.rag, display.rag(r.rag) if r.rag else display.NOT_RATED, r.met,
                             display.rule_state(r.met, r.no_rule)))
    unjudged = display.rules_unjudged_note([(r.name, display.period(r.period), r.no_rule)
                                            for r in f.rule_checks() if r.no_rule])

    assumptions = None
    if f.assumptions:
        periods = sorted({p for a in f.assumptions for p in a.values})
        columns, phases = _columns(plan, periods)
        rows = [LineRow(a.id, a.title, a.note or "", [FigureCell(display.percent_value(a.values.get(p))) for p in periods])
                for a in f.assumptions]
        assumptions = FigureTable("assumptions", "Planning assumptions", "%", columns, rows, phases)

    if not tables and not rules and not assumptions and not f.note:
        return None
    return FinanceTables(unit=unit, tables=tables, rules=rules, rules_rated=any(r.rag for r in rules),
                         rules_unassessed=any(r.met is None and not r.no_rule for r in f.rule_checks()),
                         assumptions=assumptions, rules_unjudged=unjudged,
                         plan_years=plan.meta.period_label, note=f.note or "")
