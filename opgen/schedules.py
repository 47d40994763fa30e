"""Delivery schedules (issue 9, part 1): an action's phase code per quarter or month, from the
legend the plan declares in `scales.schedule`, with continuation to a later period or `ongoing`.

    actions:
      - id: A2.1
        schedule:
          "2014/15": {q1: PL, q2: PL, q3: PI, q4: PI}   # the quarters of a year (or one code: the whole year)
          "2015/16 Q1": IM                              # one quarter
          "2015/16 Q2": {code: IM, to: "2016/17 Q4"}    # one code running on to a later period
          "2016/17 Q1": {code: IM, to: ongoing}          # ...or beyond the chart
          "2014-07": PL                                  # one month

Pure data: parsing into `Span`s (months counted as year * 12 + month - 1), the grid a chart or a
table is drawn on, and the problems `opgen validate` reports (opgen.rules calls `check`). No
wording for readers here: that is opgen.display (schedule_*).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from opgen.diagnostics import did_you_mean
from opgen.periods import FinancialYear, Period, PeriodError, Quarter

_FY = re.compile(r"^\d{4}/\d{2}$")
_QUARTER = re.compile(r"^\d{4}/\d{2} Q[1-4]$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
QUARTER_KEYS = ("q1", "q2", "q3", "q4")
ONGOING = "ongoing"
MAX_COLUMNS = {"quarter": 12, "month": 15}   # wider schedules are drawn as one chart per financial year


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_date(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def quarter_of_month(index: int) -> Quarter:
    """The financial quarter a month falls in (April = Q1)."""
    start_year = index // 12 if index % 12 >= 3 else index // 12 - 1
    return Quarter(FinancialYear(start_year), (index - (start_year * 12 + 3)) // 3 + 1)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    code: str
    label: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """One phase of an action: `code` from `first` to `last` (month indexes, inclusive), written
    at the granularity `unit` (quarter: a year's or a quarter's key; month: a month's key).
    `ongoing` runs on beyond the chart. `key` is the period key as written (plus ' q3' for a
    quarter of a year), `path` where it is in the plan."""

    first: int
    last: int
    code: str
    unit: str
    key: str
    path: tuple
    ongoing: bool = False
    to: str | None = None   # the continuation as written: a period key or "ongoing"

    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)


@dataclass(frozen=True, slots=True)
class Problem:
    path: tuple
    code: str
    message: str
    hint: str
    key: bool = False


def legend(raw: Any) -> dict[str, LegendEntry]:
    """`scales.schedule` (or `scales.milestone_types`): code -> label, or code -> {title, note}."""
    out: dict[str, LegendEntry] = {}
    for code, value in (raw or {}).items() if isinstance(raw, dict) else ():
        if isinstance(value, dict):
            out[str(code)] = LegendEntry(str(code), str(value.get("title") or code), value.get("note"))
        else:
            out[str(code)] = LegendEntry(str(code), str(value if value is not None else code))
    return out


def _period_months(text: str) -> tuple[int, int, str]:
    """(first month, last month, unit) of a schedule key; raises PeriodError."""
    text = str(text)
    if _FY.match(text):
        fy = FinancialYear.parse(text)
        return month_index(fy.first_day), month_index(fy.last_day), "quarter"
    if _QUARTER.match(text):
        q = Quarter.parse(text)
        return month_index(q.first_day), month_index(q.last_day), "quarter"
    if _MONTH.match(text):
        p = Period.parse(text)
        return month_index(p.first_day), month_index(p.first_day), "month"
    raise PeriodError(f"{text!r} is not a schedule period",
                      'write a financial year "2014/15", a quarter "2014/15 Q2" or a month "2014-07"')


def _cell(value: Any) -> tuple[str | None, Any]:
    """(code, to) of one cell as written: "PL" or {code: PL, to: ...}."""
    if isinstance(value, dict):
        code = value.get("code")
        return (None if code is None else str(code)), value.get("to")
    return (None if value is None else str(value)), None


def parse(raw: Any, path: tuple = ()) -> tuple[list[Span], list[Problem]]:
    """An action's `schedule:` as spans in time order, and the problems found reading it."""
    spans: list[Span] = []
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        return spans, problems
    for key, value in raw.items():
        here = path + (key,)
        try:
            first, last, unit = _period_months(key)
        except PeriodError as e:
            problems.append(Problem(here, "schedule-period", str(e), e.hint, key=True))
            continue
        if isinstance(value, dict) and not ({"code", "to"} & set(value)):
            if not _FY.match(str(key)):
                problems.append(Problem(here, "schedule-quarters", f"{key} is one period, so it takes one code, "
                                        "not quarters", f'write "{key}": CODE, or put the quarters under their '
                                        f'financial year ("2014/15": {{q1: CODE, q2: CODE}})'))
                continue
            for qkey, qvalue in value.items():
                if qkey not in QUARTER_KEYS:
                    continue  # the schema names it
                n = QUARTER_KEYS.index(qkey)
                code, to = _cell(qvalue)
                if code is None:
                    continue
                span = _span(first + 3 * n, first + 3 * n + 2, code, "quarter", f"{key} {qkey}", here + (qkey,),
                             to, problems)
                if span:
                    spans.append(span)
            continue
        code, to = _cell(value)
        if code is None:
            continue
        span = _span(first, last, code, unit, str(key), here, to, problems)
        if span:
            spans.append(span)
    spans.sort(key=lambda s: (s.first, s.last))
    return spans, problems


def _span(first: int, last: int, code: str, unit: str, key: str, path: tuple, to: Any,
          problems: list[Problem]) -> Span | None:
    if to is None:
        return Span(first, last, code, unit, key, path)
    to_text = str(to)
    if to_text == ONGOING:
        return Span(first, last, code, unit, key, path, ongoing=True, to=ONGOING)
    try:
        to_first, to_last, to_unit = _period_months(to_text)
    except PeriodError as e:
        problems.append(Problem(path + ("to",), "schedule-period", str(e), e.hint + ", or ongoing"))
        return None
    if to_last < last or to_last == last and to_first == first:
        problems.append(Problem(path + ("to",), "schedule-continuation",
                                f"{key} runs on to {to_text}, which is not after it",
                                f"give a later period than {key} (or leave out to: for one period only)"))
        return None
    unit = "month" if "month" in (unit, to_unit) else unit
    return Span(first, to_last, code, unit, key, path, to=to_text)


# --- the grid -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Column:
    first: int   # month index
    last: int
    unit: str    # quarter | month

    @property
    def quarter(self) -> Quarter:
        return quarter_of_month(self.first)

    @property
    def key(self) -> str:
        """The period as a plan key: "2014/15 Q3" or "2014-07"."""
        return self.quarter.label if self.unit == "quarter" else month_date(self.first).strftime("%Y-%m")


def unit_of(spans: list[Span]) -> str:
    """Quarters where every phase starts and ends on a quarter's boundary, months otherwise."""
    for s in spans:
        if s.unit == "month" or (s.first - 3) % 3 or (s.last - 5) % 3:
            return "month"
    return "quarter"


def columns(spans: list[Span], unit: str, floor: int | None = None, ceiling: int | None = None) -> list[Column]:
    """The columns a set of spans is drawn on: quarters of whole financial years, or the months
    from the first phase to the last. `floor`/`ceiling` widen the range (milestones)."""
    if not spans:
        return []
    first = min(s.first for s in spans)
    last = max(s.last for s in spans)
    if floor is not None:
        first = min(first, floor)
    if ceiling is not None:
        last = max(last, ceiling)
    if unit == "quarter":
        fy_first = quarter_of_month(first).year
        fy_last = quarter_of_month(last).year
        first = month_index(fy_first.first_day)
        last = month_index(fy_last.last_day)
        return [Column(m, m + 2, "quarter") for m in range(first, last + 1, 3)]
    return [Column(m, m, "month") for m in range(first, last + 1)]


def chunks(cols: list[Column]) -> list[list[Column]]:
    """Columns split into charts that fit the page, at most MAX_COLUMNS wide, in even parts; quarters
    in whole financial years (5 years: 3 and 2, not 3 years and 8 one-year charts)."""
    if not cols:
        return []
    limit = MAX_COLUMNS[cols[0].unit]
    if len(cols) <= limit:
        return [cols]
    parts = -(-len(cols) // limit)
    size = -(-len(cols) // parts)
    if cols[0].unit == "quarter":
        size = -(-size // 4) * 4
    return [cols[i:i + size] for i in range(0, len(cols), size)]


def cell_of(spans: list[Span], col: Column) -> Span | None:
    """The phase in a column: the span covering most of it (the first, on a tie)."""
    best, best_n = None, 0
    for s in spans:
        last = max(s.last, col.last) if s.ongoing else s.last  # an ongoing phase fills the chart to its end
        n = min(last, col.last) - max(s.first, col.first) + 1
        if n > best_n:
            best, best_n = s, n
    return best


def cells(spans: list[Span], unit: str) -> dict[str, tuple[str, bool]]:
    """Every column the schedule fills, as a plan key -> (code, ongoing after it): the diff's unit."""
    out: dict[str, tuple[str, bool]] = {}
    for col in columns(spans, unit):
        s = cell_of(spans, col)
        if s is not None:
            out[col.key] = (s.code, s.ongoing and col.last >= s.last)
    return out


# --- checks ---------------------------------------------------------------------------------------

def check(error: Callable[..., None], data: dict) -> None:
    """Every schedule and milestone type problem, through `error(path, code, message, hint, key=)`."""
    scales = data.get("scales") if isinstance(data.get("scales"), dict) else {}
    codes = list(legend(scales.get("schedule")))
    types = list(legend(scales.get("milestone_types")))
    v1 = data.get("schema_version") == 1
    for i, action in enumerate(data.get("actions") or []):
        if not isinstance(action, dict):
            continue
        path = ("actions", i)
        raw = action.get("schedule")
        if raw is not None and v1:
            error(path + ("schedule",), "needs-version-2", "'schedule' needs a version 2 plan, but this plan says "
                  "schema_version: 1", "set schema_version: 2 (opgen migrate PLAN does it, keeping your comments)",
                  key=True)
        spans, problems = parse(raw, path + ("schedule",))
        for p in problems:
            error(p.path, p.code, p.message, p.hint, key=p.key)
        for s in spans:
            if s.code in codes:
                continue
            where = s.path + ("code",) if isinstance(_at(data, s.path), dict) else s.path
            if not codes:
                error(where, "schedule-no-legend", f"action {action.get('id')} uses the schedule code '{s.code}', "
                      "but the plan declares no schedule legend",
                      f"add the legend under scales: (schedule: {{{s.code}: what {s.code} stands for}})")
                continue
            guess = did_you_mean(s.code, codes)
            hint = f"did you mean '{guess}'?" if guess else (f"use one of the codes in scales.schedule "
                                                            f"({', '.join(codes)}), or add {s.code} there")
            error(where, "unknown-schedule-code", f"'{s.code}' is not a code in the schedule legend "
                  "(scales.schedule)", hint)
        _overlaps(error, action, spans)
        for j, m in enumerate(action.get("milestones") or []):
            if not isinstance(m, dict) or m.get("type") is None:
                continue
            mpath = path + ("milestones", j, "type")
            mtype = str(m["type"])
            if v1:
                error(mpath, "needs-version-2", "a milestone 'type' needs a version 2 plan, but this plan says "
                      "schema_version: 1", "set schema_version: 2 (opgen migrate PLAN does it)", key=True)
            elif mtype not in types:
                guess = did_you_mean(mtype, types)
                if not types:
                    hint = f"add the legend under scales: (milestone_types: {{{mtype}: what {mtype} stands for}})"
                else:
                    hint = f"did you mean '{guess}'?" if guess else (
                        f"use one of the types in scales.milestone_types ({', '.join(types)}), or add {mtype} there")
                error(mpath, "unknown-milestone-type", f"milestone {m.get('id')} has the type '{mtype}', which is not "
                      "in the milestone legend (scales.milestone_types)", hint)


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _overlaps(error: Callable[..., None], action: dict, spans: list[Span]) -> None:
    """Two entries may not give the same month (a continuation running into a period also written)."""
    seen: dict[int, Span] = {}
    for s in spans:  # in time order: the later entry is the one reported
        clash = next((seen[m] for m in s.months if m in seen), None)
        if clash is not None:
            error(s.path, "schedule-overlap", f"action {action.get('id')}'s schedule gives {s.key} a phase twice "
                  f"(also {clash.key}{' running on to ' + clash.to if clash.to else ''})",
                  "give each period one code: end the continuation (to:) before it, or remove one entry", key=True)
            continue
        for m in s.months:
            seen[m] = s


def milestone_month(when: Any) -> tuple[int, int] | None:
    """(first, last) month index of a milestone's due date, where it is one day, month or quarter."""
    if when is None or getattr(when, "kind", None) != "date" or when.start is None or when.end is None:
        return None
    if when.precision not in ("day", "month", "quarter"):
        return None
    return month_index(when.start), month_index(when.end)


def scheduled(actions: list) -> Iterator:
    return (a for a in actions if getattr(a, "schedule", None))


@dataclass(frozen=True, slots=True)
class Phase:
    """Consecutive periods with one code, merged: what a Gantt bar and a sentence show."""

    first: int
    last: int
    code: str
    ongoing: bool = False


def phases(spans: list[Span]) -> list[Phase]:
    out: list[Phase] = []
    for s in spans:
        if out and out[-1].code == s.code and out[-1].last + 1 == s.first and not out[-1].ongoing:
            out[-1] = Phase(out[-1].first, s.last, s.code, s.ongoing)
        else:
            out.append(Phase(s.first, s.last, s.code, s.ongoing))
    return out


def phase_at(spans: list[Span], quarter: Quarter) -> str | None:
    """The phase code an action is in during a quarter (the plan's as-at quarter on the plan on a
    page): the phase covering most of it, an ongoing phase counting from when it starts."""
    first = month_index(quarter.first_day)
    s = cell_of(spans, Column(first, first + 2, "quarter"))
    return s.code if s else None
