"""The semantic rules of plan-model.md, run on a schema-valid plan.

Errors block a build: duplicate ids, references to ids that do not exist, malformed or out-of-period
financial years and quarters, a period that ends before it starts, risk bands out of order.
Warnings report and build: stated totals that differ from the computed sums, TBC values, red actions
and extreme risks without mitigation or owner, milestones due after their action, indicators without
baseline or target, RAG reported after the as-at quarter, NHS business rules not met.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from opgen import display
from opgen.diagnostics import ERROR, WARNING, Diagnostic, did_you_mean, format_yaml_path
from opgen.ids import DOMAIN_REFERENCES, ID_LISTS, MONEY_FIELDS, id_list
from opgen.load import Document
from opgen.figures import compare_stated, stated_unchecked
from opgen.model import Plan, Total, Value, build
from opgen.periods import FinancialYear, Period, PeriodError, PlanDate, Quarter, When

def _walk(data, pattern: tuple, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Yield (path, value) for every place matching a pattern of keys, '*' meaning each list item."""
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, path + (i,))
    elif isinstance(data, dict) and head in data:
        yield from _walk(data[head], rest, path + (head,))


def _items(data, pattern: tuple) -> Iterator[tuple[tuple, dict]]:
    for path, items in _walk(data, pattern):
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield path + (i,), item


class _Checker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.out: list[Diagnostic] = []

    def add(self, severity: str, path: tuple, code: str, message: str, hint: str, key: bool = False,
            cause: str = "") -> None:
        """`cause`, in plural words, marks problems one fix resolves together (see diagnostics.grouped)."""
        line, column = self.doc.position(path, key=key)
        self.out.append(Diagnostic(self.doc.path, line, column, severity, code, message, hint,
                                   format_yaml_path(path), cause))

    def error(self, *args, **kwargs) -> None:
        self.add(ERROR, *args, **kwargs)

    def warning(self, *args, **kwargs) -> None:
        self.add(WARNING, *args, **kwargs)


def check(doc: Document, plan: Plan | None = None) -> list[Diagnostic]:
    """Run every semantic rule on a schema-valid document (and its model, if already built)."""
    c = _Checker(doc)
    data = doc.data
    _check_ids(c, data)
    period = _check_periods(c, data)
    plan = plan or build(data, doc.path)
    if period:
        _check_years_in_period(c, data, period, plan.meta.as_at)
    _check_indicator_periods(c, data)
    _check_dates(c, plan, period)
    _check_history_order(c, plan)
    _check_percents(c, plan)
    _check_totals(c, plan)
    _check_tbcs(c, plan)
    _check_unmitigated(c, plan)
    _check_indicators(c, plan)
    _check_risks(c, data, plan)
    _check_finance(c, plan)
    return c.out


def _check_ids(c: _Checker, data: dict) -> None:
    seen: dict[str, tuple] = {}
    for pattern in (x.path for x in ID_LISTS):
        for path, item in _items(data, pattern):
            item_id = item.get("id")
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                first_line = c.doc.position(seen[item_id] + ("id",))[0]
                c.error(path + ("id",), "duplicate-id",
                        f"the id '{item_id}' is used twice (first at line {first_line})",
                        "give each item its own id: the diff matches items across versions by id")
            else:
                seen[item_id] = path
    domain_ids = [d.get("id") for d in data.get("domains") or [] if isinstance(d, dict)]
    for pattern in DOMAIN_REFERENCES:
        for path, item in _items(data, pattern):
            ref = item.get("domain")
            if ref is None or ref in domain_ids:
                continue
            guess = did_you_mean(ref, [d for d in domain_ids if isinstance(d, str)])
            hint = f"did you mean '{guess}'?" if guess else f"use one of the domain ids: {', '.join(map(str, domain_ids))}"
            c.error(path + ("domain",), "unknown-reference", f"there is no domain with the id '{ref}'", hint)


def _fy(c: _Checker, text, path: tuple, key: bool = False) -> FinancialYear | None:
    try:
        return FinancialYear.parse(str(text))
    except PeriodError as e:
        c.error(path, "financial-year", str(e), e.hint, key=key)
        return None


def _check_periods(c: _Checker, data: dict) -> tuple[FinancialYear, FinancialYear] | None:
    p = data["plan"]
    start = _fy(c, p["period"]["start"], ("plan", "period", "start"))
    end = _fy(c, p["period"]["end"], ("plan", "period", "end"))
    if start is None or end is None:
        return None
    if end < start:
        c.error(("plan", "period", "end"), "period-order",
                f"the plan period ends ({end}) before it starts ({start})",
                f"swap them, or set end to {start} or later")
        return None
    return start, end


def _year_keys(data: dict) -> Iterator[tuple[tuple, str, str]]:
    """Every financial-year key in the plan: (path of the key, the key, what it is for). The money
    fields come from the one table of them (opgen.ids.MONEY_FIELDS)."""
    for path, action in _items(data, ("actions",)):
        for key in action.get("rag") or {}:
            yield path + ("rag", key), key, f"RAG of action {action['id']}"
    for field in MONEY_FIELDS:  # (section, list, "*", name) for an item's field, (section, name) for the section's
        if field.per_item:
            owner = id_list(field.path[:-2]).label
            for path, item in _items(data, field.path[:-2]):
                for key in item.get(field.name) or {}:
                    yield path + (field.name, key), key, f"{field.label} of {owner} {item.get('id')}"
        else:
            for key in (data.get(field.section) or {}).get(field.name) or {}:
                yield (field.section, field.name, key), key, f"{_SECTION_NAMES[field.section]} {field.label}"


_SECTION_NAMES = {"qipp": "QIPP", "finance": "finance", "bcf": "BCF"}


def _check_years_in_period(c: _Checker, data: dict, period, as_at: Quarter) -> None:
    start, end = period
    label = start.label if start == end else f"{start} to {end}"
    for path, key, what in _year_keys(data):
        year = _fy(c, key, path, key=True)
        if year is not None and not start <= year <= end:
            c.error(path, "outside-period", f"{year} ({what}) is outside the plan period {label}",
                    f"use a financial year from {label}, or widen plan.period", key=True,
                    cause=f"figures are for years outside the plan period {label}")
    quarter_texts = [(("plan", "as_at"), data["plan"]["as_at"], "the as-at quarter")]
    for path, text, what in quarter_texts:
        try:
            quarter = Quarter.parse(text)
        except PeriodError as e:
            c.error(path, "quarter", str(e), e.hint, key=path[-1] == text)
            continue
        if not start <= quarter.year <= end:
            c.error(path, "outside-period", f"{quarter} ({what}) is outside the plan period {label}",
                    f"use a quarter from {start} Q1 to {end} Q4", key=path[-1] == text)
    for path, action in _items(data, ("actions",)):
        for year_text, quarters in (action.get("rag") or {}).items():
            try:
                year = FinancialYear.parse(year_text)
            except PeriodError:
                continue
            for key in quarters or {}:
                if Quarter(year, int(key[1])) > as_at:
                    c.warning(path + ("rag", year_text, key), "rag-after-as-at",
                              f"action {action['id']} has a RAG for {year} {key.upper()}, after the as-at quarter {as_at}",
                              "remove it, or move plan.as_at forward", key=True,
                              cause=f"RAG ratings are for quarters after the as-at quarter {as_at}")


def _check_indicator_periods(c: _Checker, data: dict) -> None:
    """Indicators' figures may be for any period (a plan reports last year's outturn and targets
    years ahead): each key, and the baseline's period, must be a real one; none is bound by the
    plan period."""
    for pattern in (("indicators",), ("bcf", "metrics")):
        for path, item in _items(data, pattern):
            for name in ("targets", "actuals"):
                for key in item.get(name) or {}:
                    _period(c, key, path + (name, key), key=True)
            period = (item.get("baseline") or {}).get("period")
            if period is not None and period != "tbc":
                _period(c, period, path + ("baseline", "period"))


def _period(c: _Checker, text, path: tuple, key: bool = False) -> Period | None:
    try:
        return Period.parse(str(text))
    except PeriodError as e:
        c.error(path, "period", str(e), e.hint, key=key)
        return None


def _check_dates(c: _Checker, plan: Plan, period: tuple[FinancialYear, FinancialYear] | None) -> None:
    """Actions' and milestones' dates in every form (a plan date, ongoing, throughout a year, a
    span): readable; an action due after it starts; a milestone within its action (due no later
    than the action, not before the action starts); and within the plan period, which bounds
    delivery. Ongoing has no end, so it is never late and never outside the period."""
    first = last = label = None
    if period:
        first, last = period[0].first_day, period[1].last_day
        label = period[0].label if period[0] == period[1] else f"{period[0]} to {period[1]}"
    for action in plan.actions:
        for field_name in ("start", "due"):
            _parse_when(c, getattr(action, f"{field_name}_text"), action.path + (field_name,))
        start, due = action.start, action.due
        if start and due and start.start and due.end and due.end < start.start:
            c.error(action.path + ("due",), "date-order",
                    f"action {action.id} is due ({due.words}) before it starts ({start.words})",
                    "check the start and due dates")
        if label:
            if start and start.start and start.start > last:
                _outside(c, action.path + ("start",), f"action {action.id} starts {start.words}", label)
            if due and due.end and not first <= due.end <= last:
                _outside(c, action.path + ("due",), f"action {action.id} is due {due.words}", label)
        for m in action.milestones:
            _parse_when(c, m.due_text, m.path + ("due",))
            if not m.due or not m.due.end:
                continue
            if due and due.end and m.due.end > due.end:
                c.warning(m.path + ("due",), "milestone-after-action",
                          f"milestone {m.id} is due {m.due.words}, after its action {action.id} ({due.words})",
                          "move the milestone earlier or the action's due date later")
            if start and start.start and m.due.end < start.start:
                c.warning(m.path + ("due",), "milestone-before-action",
                          f"milestone {m.id} is due {m.due.words}, before its action {action.id} starts "
                          f"({start.words})", "check the milestone's due date and the action's start")
            if label and not first <= m.due.end <= last:
                _outside(c, m.path + ("due",), f"milestone {m.id} is due {m.due.words}", label)
    _parse_date(c, plan.meta.date, ("plan", "date"))
    for i, signatory in enumerate(plan.meta.signatories):
        _parse_date(c, signatory.date, ("plan", "signatories", i, "date"))
    for i, entry in enumerate(plan.meta.history):
        _parse_date(c, entry.date, ("plan", "history", i, "date"))


def _outside(c: _Checker, path: tuple, what: str, label: str) -> None:
    c.warning(path, "date-outside-period", f"{what}, outside the plan period {label}",
              f"check the date, or widen plan.period to cover it (the plan period bounds delivery)",
              cause=f"action and milestone dates are outside the plan period {label}")


def _parse_when(c: _Checker, raw, path: tuple) -> When | None:
    if raw is None or raw == "" or raw == "tbc":
        return None
    try:
        return When.parse(raw)
    except PeriodError as e:
        c.error(path, "date", str(e), e.hint)
        return None


def _parse_date(c: _Checker, text: str | None, path: tuple) -> PlanDate | None:
    if not text or text == "tbc":
        return None
    try:
        return PlanDate.parse(str(text))
    except PeriodError as e:
        c.error(path, "date", str(e), e.hint)
        return None


def _check_history_order(c: _Checker, plan: Plan) -> None:
    """Version history is listed oldest first ("newest last"); an entry dated before the one above
    it is out of order (a typo in the date, or a row in the wrong place)."""
    previous: tuple[PlanDate, str] | None = None
    for i, entry in enumerate(plan.meta.history):
        try:
            date = PlanDate.parse(str(entry.date)) if entry.date else None
        except PeriodError:
            continue
        if date is None:
            continue
        if previous and date.end < previous[0].start:
            c.warning(("plan", "history", i, "date"), "history-order",
                      f"version {entry.version} is dated {date.display()}, before version {previous[1]} above it "
                      f"({previous[0].display()})",
                      "list the history oldest first, newest last, and check the dates")
        previous = (date, entry.version)


PERCENT_RANGE = (Decimal(0), Decimal(100))


def check_percent(c: _Checker, path: tuple, value: Value | None, what: str, *, key: bool = False,
                  low: Decimal = PERCENT_RANGE[0], high: Decimal = PERCENT_RANGE[1]) -> None:
    """One percent figure: an error, located, when it lies outside low..high (0 to 100 unless the
    caller says otherwise, e.g. a growth rate that may be negative). For every percent a plan
    states: indicators in percent, finance planning assumptions, table columns of type percent."""
    if value is None or not value.is_number or low <= value.number <= high:
        return
    c.error(path, "percent-range",
            f"{what} is {display.value(value)}%, outside {display.value(Value('number', low))} to "
            f"{display.value(Value('number', high))}%",
            "write a percent as a number of hundredths: 95.2 for 95.2% (not 0.952, not 952); "
            "if the figure is not a percentage, change the unit", key=key)


def _check_percents(c: _Checker, plan: Plan) -> None:
    for indicator in plan.indicators + (plan.bcf.metrics if plan.bcf else []):
        if indicator.unit != "percent":
            continue
        what = f"indicator {indicator.id}"
        check_percent(c, indicator.path + ("baseline", "value"), indicator.baseline, f"the baseline of {what}")
        for name, figures in (("target", indicator.targets), ("actual", indicator.actuals)):
            for period, value in figures.items():
                check_percent(c, indicator.path + (name + "s", period.text), value,
                              f"the {name} of {what} for {period.words}")


def check_stated_total(c: _Checker, path: tuple, what: str, stated: Value | None, computed: Total, unit: str,
                       rows: str, key: bool = False) -> None:
    """A stated total against the sum of its rows, by the one rule (figures.compare_stated): warns
    when they differ, when a TBC row stops the check, and when there are no rows to check it
    against (`rows` names them, plural: "QIPP schemes", "allocation lines")."""
    if stated is not None and stated.is_number and computed.parts == 0 and not computed.incomplete:
        c.warning(path, "total-no-rows",
                  f"{what}: stated {stated.display()} {unit}, but there are no {rows} with a figure for it, so "
                  f"it cannot be checked", f"add the {rows} it sums, or remove the stated total", key=key)
        return
    _compare_total(c, path, what, stated, computed, unit)


def _compare_total(c: _Checker, path: tuple, what: str, stated: Value, computed: Total, unit: str) -> None:
    if stated_unchecked(stated, computed):
        c.warning(path, "total-incomplete",
                  f"{what}: stated {stated.display()} {unit}, but the rows include TBC values, so the sum "
                  f"({computed.display()}) cannot be checked", "confirm the TBC values")
        return
    difference = compare_stated(stated, computed)
    if difference is not None:
        c.warning(path, "total-mismatch",
                  f"{what}: stated {stated.display()} {unit}, but the rows sum to {computed.display()} "
                  f"(difference {difference:+,f})",
                  "correct the stated total or the rows; if the source paper has the discrepancy, keep it and note it")


def _check_totals(c: _Checker, plan: Plan) -> None:
    if q := plan.qipp:
        unit = q.unit.header
        for mapping, compute, name, field_name in (
                (q.stated_total, q.net, "QIPP net total", "stated_total"),
                (q.stated_savings_total, q.savings, "QIPP savings total", "stated_savings_total"),
                (q.stated_investment_total, q.investment, "QIPP investment total", "stated_investment_total")):
            for year, stated in mapping.items():
                check_stated_total(c, ("qipp", field_name, year.label), f"{name} {year}", stated, compute(year),
                                   unit, "QIPP schemes")
    if f := plan.finance:
        for mapping, compute, name, field_name, rows in (
                (f.allocation_stated_total, f.allocation_total, "allocation total", "allocation_stated_total",
                 "allocation lines"),
                (f.expenditure_stated_total, f.expenditure_total, "budget total", "expenditure_stated_total",
                 "budget lines")):
            for year, stated in mapping.items():
                check_stated_total(c, ("finance", field_name, year.label), f"{name} {year}", stated, compute(year),
                                   f.unit.header, rows)


def _check_tbcs(c: _Checker, plan: Plan) -> None:
    for item in plan.tbcs:
        c.warning(item.path, "tbc", f"{item.label} is still TBC", "confirm the value before the plan goes to the board")


def _check_unmitigated(c: _Checker, plan: Plan) -> None:
    for action in plan.actions:
        if action.current_rag == "red":
            missing = [n for n, v in (("mitigation", action.mitigation), ("lead", action.lead)) if not v]
            if missing:
                c.warning(action.path, "red-unmitigated",
                          f"action {action.id} is red at {plan.meta.as_at} but has no {' or '.join(missing)}",
                          f"add {' and '.join(repr(m + ':') for m in missing)} to say who is recovering it and how")
    for risk in plan.open_risks:
        if risk.band == "extreme":
            missing = [n for n, v in (("mitigation", risk.mitigation), ("owner", risk.owner)) if not v]
            if missing:
                c.warning(risk.path, "extreme-unmitigated",
                          f"risk {risk.id} is extreme but has no {' or '.join(missing)}",
                          f"add {' and '.join(repr(m + ':') for m in missing)}")


def _check_indicators(c: _Checker, plan: Plan) -> None:
    for indicator in plan.indicators + (plan.bcf.metrics if plan.bcf else []):
        if indicator.baseline is None:
            c.warning(indicator.path, "no-baseline", f"indicator {indicator.id} has no baseline",
                      "add baseline: {value: ..., period: ...} (or value: tbc)")
        if not indicator.targets:
            c.warning(indicator.path, "no-target", f"indicator {indicator.id} has no target",
                      'add targets: {"YYYY/YY": ...} (or tbc)')


def _check_risks(c: _Checker, data: dict, plan: Plan) -> None:
    bands = plan.risk_bands
    if not bands["moderate"] < bands["high"] < bands["extreme"]:
        c.error(("plan", "risk_bands"), "risk-bands", "risk bands must rise: moderate < high < extreme",
                "e.g. {moderate: 4, high: 8, extreme: 15}")
    for risk in plan.risks:
        if risk.current is None and risk.rating is None:
            c.warning(risk.path, "risk-unrated", f"risk {risk.id} has no rating",
                      "add likelihood and impact (1-5 each), or rating: low | moderate | high | extreme")
        if risk.current and risk.rating and risk.band_of(risk.score) != risk.rating:
            c.warning(risk.path + ("rating",), "risk-rating-mismatch",
                      f"risk {risk.id} is rated {risk.rating}, but likelihood x impact = {risk.score} is "
                      f"{risk.band_of(risk.score)}", "correct the rating or the scores (or drop rating: the score sets the band)")
        if risk.current and risk.target and risk.target.score > risk.current.score:
            c.warning(risk.path + ("target",), "risk-target-above-current",
                      f"risk {risk.id}'s target score ({risk.target.score}) is above its current score ({risk.score})",
                      "the target is where mitigation should bring the risk: check the numbers")


def _check_finance(c: _Checker, plan: Plan) -> None:
    f = plan.finance
    if not f:
        return
    for year in f.years:
        for rule in f.business_rules(year):
            if rule.met is False:
                field_name = rule.name.lower().replace("-", "_")
                c.warning(("finance", field_name, year.label), "business-rule",
                          f"{rule.name} {year} is {rule.percent}% of allocation; the NHS business rule asks for "
                          f"{rule.required_percent}%", "check the figure against the allocation")
