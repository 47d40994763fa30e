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

from opgen import chapters, display, governance, indicators, schedules
from opgen.diagnostics import ERROR, WARNING, Diagnostic, did_you_mean, format_yaml_path
from opgen.ids import DOMAIN_REFERENCES, ID_LISTS, MONEY_FIELDS, PERCENT_FIELDS, SEE_REFERENCES, id_list, natural_key
from opgen.load import Document
from opgen.figures import compare_stated, decimal_comma, stated_unchecked, table_totals
from opgen.model import (BUSINESS_RULES, FIVE_POINT_ONLY, RAG_SCALES, RATINGS, RISK_RATINGS, ROW_FIELDS, TOTAL_ABOVE,
                         TOTAL_ALL, Plan, Table, Total, Value, build, rating_words)
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
    _check_version_keys(c, data)
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
    _check_domains(c, plan)
    _check_risks(c, data, plan)
    _check_finance_periods(c, data)
    _check_finance(c, plan)
    _check_sections(c, plan)
    _check_appendix_titles(c, plan)
    _check_tables(c, data, plan)
    _check_rag_scale(c, data)
    _check_risk_rating_words(c, data)
    _check_parents(c, plan)
    _check_see(c, data, plan)
    _check_approval_dates(c, plan)
    _check_contacts(c, data)
    _check_assessments(c, data)
    _check_action_status(c, plan)
    _check_unstated_fields(c, data, plan)
    _check_figures(c, plan)
    schedules.check(c.error, data)
    governance.check(data, plan, c.error, c.warning)
    indicators.check(c, data, plan)
    _check_bcf(c, data, plan)
    _check_gap_fields(c, data, plan)
    return c.out


# Top-level keys only a version 2 plan may use (extend as version 2 grows).
V2_ONLY_KEYS: tuple[str, ...] = ("sections", "tables", "scales", "governance", "frameworks")


def _check_version_keys(c: _Checker, data: dict) -> None:
    if data.get("schema_version") != 1:
        return
    for key in V2_ONLY_KEYS:
        if key in data:
            c.error((key,), "needs-version-2", f"'{key}' needs a version 2 plan, but this plan says schema_version: 1",
                    "set schema_version: 2 (opgen migrate PLAN does it, keeping your comments)", key=True)


def _check_sections(c: _Checker, plan: Plan) -> None:
    """Each narrative chapter's `place` names a chapter that exists, and no chapters are placed
    relative to each other in a circle."""
    if not plan.sections:
        return
    ids = [s.id for s in plan.sections]
    choices = list(chapters.BUILTIN) + ids
    for problem in chapters.arrange(plan).problems:
        s = problem.section
        relation = s.place.relation if s.place else "after"
        path = s.path + ("place", relation)
        target = problem.target
        if problem.kind == "unknown":
            guess = did_you_mean(target, [x for x in choices if x != s.id])
            hint = (f"did you mean '{guess}'?" if guess else
                    f"use a built-in chapter ({', '.join(chapters.BUILTIN)}) or the id of another section")
            c.error(path, "unknown-chapter", f"section {s.id} is placed {relation} '{target}', but there is no "
                    f"chapter with that id", hint)
        elif problem.kind == "subsection":
            c.error(path, "unknown-chapter", f"section {s.id} is placed {relation} '{target}', which is a "
                    f"subsection, not a chapter", "place it against a chapter (a top-level section or a built-in chapter)")
        elif problem.kind == "missing":
            i = s.path[-1]
            where = "before the vision" if i == 0 else f"after section {plan.sections[i - 1].id}"
            c.warning(path, "missing-chapter", f"section {s.id} is placed {relation} the "
                      f"{display.CHAPTER_NAMES[target]} chapter, but this plan has none, so it goes {where}",
                      "place it against a chapter the plan has, or remove place: to let it follow the section before it")
        elif problem.kind == "cycle":
            loop = " -> ".join(problem.cycle + problem.cycle[:1])
            c.error(path, "chapter-cycle", f"section {s.id} is placed {relation} '{target}', but the sections are "
                    f"placed relative to each other in a circle ({loop})",
                    "place one of them against a built-in chapter (e.g. {after: vision}) or remove its place:")



def _check_appendix_titles(c: _Checker, plan: Plan) -> None:
    """An appendix titled 'Appendix C: Foo' that opgen letters otherwise (it is the first appendix,
    so 'Appendix A') would print 'Appendix A Appendix C: Foo': a warning at its title. A title whose
    letter is the one opgen gives is printed without the repeat (display.appendix_title)."""
    if not plan.sections:
        return
    for i, s in enumerate(chapters.arrange(plan).appendices):
        letter = chapters.appendix_letter(i)
        found = display.appendix_prefix(s.title)
        if found is None or found[0] == letter:
            continue
        c.warning(s.path + ("title",), "appendix-title",
                  f"section {s.id} is titled '{s.title}', but it is the plan's {display.appendix(letter)} "
                  f"(appendices are lettered in order), so its heading would read "
                  f"'{display.appendix(letter)} {s.title}'",
                  f"title it '{found[1]}' (opgen adds '{display.appendix(letter)}'), or order the appendices so "
                  f"this one is {display.appendix(found[0])}")


def _check_ids(c: _Checker, data: dict) -> None:
    uses: dict[str, list[tuple]] = {}
    for pattern in (x.path for x in ID_LISTS if x.scope == "plan"):  # rows and columns: _check_tables
        for path, item in _items(data, pattern):
            item_id = item.get("id")
            if isinstance(item_id, str):
                uses.setdefault(item_id, []).append(path + ("id",))
    for item_id, paths in uses.items():
        # the lists are visited list by list, not in file order: the first use is the first in the file
        first, *later = sorted(paths, key=lambda p: c.doc.position(p))
        for path in later:
            c.error(path, "duplicate-id",
                    f"the id '{item_id}' is used twice (first at line {c.doc.position(first)[0]})",
                    "give each item its own id: the diff matches items across versions by id")
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
        if field.by_period:
            continue  # any period, not bounded by the plan period: see _check_finance_periods
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
    quarter_texts = [(("plan", "as_at"), data["plan"]["as_at"], "the as-at quarter")] if data["plan"].get("as_at") else []
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
            baseline = item.get("baseline")
            period = baseline.get("period") if isinstance(baseline, dict) else None
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
    delivery. Ongoing has no end, so it is never late and never outside the period. Work marked
    complete may lie before the period (a plan's review of last year): only its dates after the
    period are questioned."""
    first = last = label = None
    if period:
        first, last = period[0].first_day, period[1].last_day
        label = period[0].label if period[0] == period[1] else f"{period[0]} to {period[1]}"
    for domain in plan.domains:
        _parse_when(c, domain.due_text, domain.path + ("due",))
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
            if due and due.end and _outside_period(due.end, first, last, done=action.status == "complete"):
                _outside(c, action.path + ("due",), f"action {action.id} is due {due.words}", label)
        for m in action.milestones:
            _parse_when(c, m.due_text, m.path + ("due",))
            forecast = _parse_when(c, m.forecast_text, m.path + ("forecast",))  # a lead's forecast (returns)
            if label and forecast and forecast.end and forecast.end > last:
                _outside(c, m.path + ("forecast",), f"milestone {m.id} is forecast for {forecast.words}", label)
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
            if label and _outside_period(m.due.end, first, last,
                                         done=m.status == "complete" or action.status == "complete"):
                _outside(c, m.path + ("due",), f"milestone {m.id} is due {m.due.words}", label)
    _parse_date(c, plan.meta.date, ("plan", "date"))
    for i, signatory in enumerate(plan.meta.signatories):
        _parse_date(c, signatory.date, ("plan", "signatories", i, "date"))
    for i, entry in enumerate(plan.meta.history):
        _parse_date(c, entry.date, ("plan", "history", i, "date"))


def _outside_period(day, first, last, *, done: bool) -> bool:
    """Whether a delivery date lies outside the plan period; work already complete may lie before it."""
    return day > last or (day < first and not done)


def _outside(c: _Checker, path: tuple, what: str, label: str) -> None:
    c.warning(path, "date-outside-period", f"{what}, outside the plan period {label}",
              "check the date; work done before the plan period (a review of last year) is marked "
              "status: complete; otherwise widen plan.period to cover it (the plan period bounds delivery)",
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
        for where, words, value in indicators.count_figures(indicator):  # trajectory, benchmarks, areas (v2)
            path = indicator.path + where + (("value",) if where[-1] == "baseline" else ())
            check_percent(c, path, value, f"the {words} of {what}")


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
                  f"{what}: stated {stated.display()} {unit}, but the rows include {_unknowns(computed)}, so the sum "
                  f"({computed.display()}) cannot be checked", _unknowns_fix(computed))
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
    if f := plan.finance:  # version 1's stated totals and version 2's, each against its group's lines
        for group in ("allocation", "expenditure"):
            for period, (stated, path) in f.group_stated(group).items():
                name = "budget" if path[1] == "expenditure_stated_total" else group
                check_stated_total(c, path, f"{name} total {period.words}", stated, f.group_total(group, period),
                                   f.unit.header, f"{name} lines")


def _check_tbcs(c: _Checker, plan: Plan) -> None:
    """One warning per TBC (never merged: each names its own item), saying what is unconfirmed:
    a value, a period, a date, a version."""
    for item in plan.tbcs:
        c.warning(item.path, "tbc", f"{item.label} is still TBC",
                  f"confirm the {item.what} before the plan goes to the board")


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
        if indicator.assessments and not (indicator.targets or indicator.actuals or indicator.baseline):
            continue  # assessed in words only (the source gives no figure): asking for figures invites invention
        if indicator.baseline is None:
            c.warning(indicator.path, "no-baseline", f"indicator {indicator.id} has no baseline",
                      "add baseline: {value: ..., period: ...} if the source gives one; if it gives none, write "
                      "baseline: not_stated (printed \"Not stated\"; tbc is for a baseline still to be confirmed)",
                      cause="indicators have no baseline")
        if not indicator.targets:
            c.warning(indicator.path, "no-target", f"indicator {indicator.id} has no target",
                      'add targets: {"YYYY/YY": ...} if the source gives them; if it gives none, leaving them out '
                      "is right (tbc is for a target still to be confirmed)",
                      cause="indicators have no target")
    for indicators in (plan.indicators, plan.bcf.metrics if plan.bcf else []):
        _check_duplicate_titles(c, indicators, "indicator",
                                "if it is a copy, remove it; if it measures something else, say what in its title")
    for indicator in plan.indicators + (plan.bcf.metrics if plan.bcf else []):
        _check_assessment_conflicts(c, indicator)


def _check_duplicate_titles(c: _Checker, items, what: str, hint: str) -> None:
    """Two items of one kind with the same title (spacing and case aside): usually a copy-paste."""
    first_of: dict[str, object] = {}
    for item in items:
        key = " ".join(str(item.title or "").split()).casefold()
        if key in first_of:
            first = first_of[key]
            c.warning(item.path + ("title",), "duplicate-title",
                      f"{what} {item.id} has the same title as {what} {first.id} "
                      f"(line {c.doc.position(first.path + ('title',))[0]}): '{item.title}'", hint)
        elif key:
            first_of[key] = item


_ASSESSMENT_FAMILIES = ({"above_target", "on_target", "below_target"}, {"improving", "no_change", "worsening"})


def _check_assessment_conflicts(c: _Checker, indicator) -> None:
    """Two assessments of one indicator for the same period that cannot both hold (above and below
    target, improving and worsening): usually a copy-paste or a wrong period."""
    seen: dict[tuple[str, int], tuple[int, object]] = {}
    for i, assessment in enumerate(indicator.assessments):
        family = next((n for n, f in enumerate(_ASSESSMENT_FAMILIES) if assessment.status in f), None)
        if family is None:
            continue
        key = (str(assessment.period_text or ""), family)
        if key in seen and seen[key][1].status != assessment.status:
            j, first = seen[key]
            c.warning(indicator.path + ("assessments", i, "status"), "assessment-conflict",
                      f"indicator {indicator.id} is assessed {display.assessment(assessment)}, but also "
                      f"{display.assessment(first)} (line {c.doc.position(indicator.path + ('assessments', j))[0]})",
                      "check the periods: two assessments of the same period must agree (or say in a note what each covers, "
                      "with its own period)")
        seen.setdefault(key, (i, assessment))


def _check_domains(c: _Checker, plan: Plan) -> None:
    """A domain (programme) with no actions prints as an empty programme: usually an action's
    domain: is wrong, or the domain is left over."""
    used = {a.domain_id for a in plan.actions}
    if used - {d.id for d in plan.domains}:
        return  # an action names a domain that does not exist (an error): it may be one of these
    _check_duplicate_titles(c, plan.domains, "domain", "merge them, or give each a title that says how they differ")
    for domain in plan.domains:
        if domain.id not in used:
            c.warning(domain.path + ("id",), "domain-no-actions", f"domain {domain.id} ({domain.title}) has no actions",
                      f"give it its actions (domain: {domain.id}), or remove it if the plan has none for it",
                      cause="domains have no actions")


def _check_risks(c: _Checker, data: dict, plan: Plan) -> None:
    bands = plan.risk_bands
    if not bands["moderate"] < bands["high"] < bands["extreme"]:
        c.error(("plan", "risk_bands"), "risk-bands", "risk bands must rise: moderate < high < extreme",
                "e.g. {moderate: 4, high: 8, extreme: 15}")
    for risk in plan.risks:
        if risk.current is None and data["risks"][risk.path[1]].get("rating") is None:  # (an unknown word is an error)
            c.warning(risk.path, "risk-unrated", f"risk {risk.id} has no rating",
                      "add likelihood and impact (1-5 each), or rating: low | moderate | high | extreme, "
                      "if the source rates it; if it rates nothing, leaving them out is right",
                      cause="risks have no rating")
        if risk.current and risk.rating and risk.band_of(risk.score) != risk.rating:
            c.warning(risk.path + ("rating",), "risk-rating-mismatch",
                      f"risk {risk.id} is rated {risk.rating_word or risk.rating}, but likelihood x impact = {risk.score} is "
                      f"{risk.band_of(risk.score)}", "correct the rating or the scores (or drop rating: the score sets the band)")
        if risk.current and risk.target and risk.target.score > risk.current.score:
            c.warning(risk.path + ("target",), "risk-target-above-current",
                      f"risk {risk.id}'s target score ({risk.target.score}) is above its current score ({risk.score})",
                      "the target is where mitigation should bring the risk: check the numbers")


def _check_finance(c: _Checker, plan: Plan) -> None:
    f = plan.finance
    if not f:
        return
    roles: dict[str, object] = {}
    for line in f.all_lines():
        if not line.role:
            continue
        if line.role in roles:
            first = roles[line.role]
            where = (f"line {first.id}" if not first.derived else f"finance.{first.role}")
            rule = next(name for role, name, _ in BUSINESS_RULES if role == line.role)
            path = line.path + ("role",) if not line.derived else line.path
            c.error(path, "finance-role",
                    f"two finance lines are the {rule.lower()} the business rules measure ({where} and "
                    f"{'line ' + line.id if not line.derived else 'finance.' + line.role})",
                    f"keep role: {line.role} on one line only")
        else:
            roles[line.role] = line
    for group in ("allocation", "expenditure"):
        old_field = f"{group}_stated_total"
        for period in f.stated_totals.get(group, {}):
            if period.financial_year in getattr(f, old_field):
                c.error(("finance", "stated_totals", group, period.text), "stated-twice",
                        f"the {group} total for {period.words} is stated twice (here and in finance.{old_field})",
                        f"keep one: finance.stated_totals.{group} is the version 2 place", key=True)
    for rule in f.rule_checks():
        if rule.met is False:
            c.warning(rule.path, "business-rule",
                      f"{rule.name} {rule.period.words} is {rule.percent}% of allocation; the NHS business rule "
                      f"asks for {rule.required_percent}%", "check the figure against the allocation")


def _check_finance_periods(c: _Checker, data: dict) -> None:
    """Finance figures for any period (not bounded by the plan period): each key a real period;
    each percentage from 0 to 100 (a position line's percent of allocation, a deficit, from -100)."""
    f = data.get("finance")
    if not isinstance(f, dict):
        return
    maps: list[tuple[tuple, dict]] = []
    for path, line in _items(data, ("finance", "lines")):
        for name in ("amounts", "percent", "rag"):
            if isinstance(line.get(name), dict):
                maps.append((path + (name,), line[name]))
    for group, mapping in (f.get("stated_totals") or {}).items():
        if isinstance(mapping, dict):
            maps.append((("finance", "stated_totals", group), mapping))
    for path, item in _items(data, ("finance", "assumptions")):
        if isinstance(item.get("values"), dict):
            maps.append((path + ("values",), item["values"]))
    for path, mapping in maps:
        for key in mapping:
            try:
                Period.parse(str(key))
            except PeriodError as e:
                c.error(path + (key,), "period", str(e), e.hint, key=True)
    for pattern, what in PERCENT_FIELDS.items():
        for path, item in _items(data, pattern[:-2]):
            values = item.get(pattern[-1])
            if not isinstance(values, dict):
                continue
            low = -100 if pattern[-1] == "percent" and item.get("group") == "position" else 0
            for key, value in values.items():
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                if not low <= value <= 100:
                    owner = id_list(pattern[:-2]).label
                    c.error(path + (pattern[-1], key), "percent-range",
                            f"{_number(value)}% for {key} ({what} of {owner} {item.get('id')}) is outside "
                            f"{low} to 100",
                            "write a percentage as a number from 0 to 100: 2.5 for 2.5%"
                            + (" (a fall, such as a tariff deflator, as its size, with the direction in the title)"
                               if low == 0 else " (a deficit as a negative number)"))


def _number(value) -> str:
    text = getattr(value, "text", None) or repr(value)
    return text[:-2] if text.endswith(".0") else text


# --- data tables ---------------------------------------------------------------------------------

BUILT_IN_CHAPTERS = ("document_control", "vision", "domains", "performance", "qipp", "risks", "finance", "bcf",
                     "inventory")
_NUMBER_TYPES = {"number": "a number", "money": "an amount of money", "percent": "a percentage"}


def _section_ids(data: dict) -> list[str]:
    """Every narrative chapter's id (top-level `sections` and their nested `sections`), from the data."""
    out: list[str] = []

    def walk(items) -> None:
        for item in items or []:
            if isinstance(item, dict):
                if isinstance(item.get("id"), str):
                    out.append(item["id"])
                walk(item.get("sections"))

    walk(data.get("sections"))
    return out


def _check_tables(c: _Checker, data: dict, plan: Plan) -> None:
    if not plan.tables:
        return
    chapters = list(BUILT_IN_CHAPTERS) + _section_ids(data)
    domain_ids = [d.id for d in plan.domains]  # a programme's table prints with that programme
    chapters += [d for d in domain_ids if d not in chapters]
    scales = data.get("scales") or {}
    rag_scale = scales.get("rag") or "three_point"
    words = rating_words(scales)
    for table, raw in zip(plan.tables, data.get("tables") or []):
        _check_table_ids(c, table)
        if table.chapter is not None and table.chapter not in chapters:
            guess = did_you_mean(table.chapter, chapters)
            c.error(table.path + ("chapter",), "unknown-chapter", f"there is no chapter '{table.chapter}'",
                    f"did you mean '{guess}'?" if guess else
                    f"use a built-in chapter ({', '.join(BUILT_IN_CHAPTERS)}), the id of a section or of a programme (domain); "
                    "leave chapter out to put the table in an appendix")
        for column, raw_column in zip(table.columns, raw.get("columns") or []):
            if column.id in ROW_FIELDS:
                c.error(column.path + ("id",), "column-id",
                        f"table '{table.id}': a column cannot have the id '{column.id}': rows use '{column.id}:' "
                        "for themselves", f"rename the column, e.g. '{column.id}_'; keep its heading with title:")
            # a money column needs its unit unless the source gives no figure in it at all (every cell
            # written is tbc, n/a or not_stated): a unit there would be invented
            written = [row.cell(column.id).raw for row in table.rows if row.cell(column.id).raw is not None]
            if column.type == "money" and column.unit is None and (
                    not written or any(raw not in ("tbc", "n/a", "not_stated") for raw in written)):
                c.error(column.path + ("type",), "money-unit",
                        f"table '{table.id}': money column '{column.id}' has no unit",
                        "add unit: gbp_thousands (£000), gbp (£) or gbp_millions (£m), as the source table says")
            elif column.type != "money" and raw_column.get("unit") is not None:
                c.warning(column.path + ("unit",), "column-unit",
                          f"table '{table.id}': column '{column.id}' is {column.type}, so its unit is not used",
                          "set type: money, or remove unit")
        column_ids = [col.id for col in table.columns]
        misfits: dict[tuple, list[tuple]] = {}
        for row, raw_row in zip(table.rows, raw.get("rows") or []):
            for key in raw_row:
                if key in ROW_FIELDS or key in column_ids:
                    continue
                guess = did_you_mean(str(key), column_ids)
                c.error(row.path + (key,), "unknown-column",
                        f"table '{table.id}', row '{row.id}': there is no column '{key}'",
                        f"did you mean '{guess}'?" if guess else f"use a column id: {', '.join(column_ids)}", key=True)
            for column in table.columns:
                cell = row.cells.get(column.id)
                if cell is None:
                    continue
                if not cell.fits:
                    message, hint = _misfit(cell.raw, column.type, column, rag_scale, words)
                    reason = message.split(": ")[-1].replace(str(cell.raw), "")  # the problem, not the value
                    misfits.setdefault((column.id, reason), []).append((row.path + (column.id,), message, hint))
                elif column.type == "percent" and cell.value is not None and cell.value.is_number \
                        and not -100 <= cell.value.number <= 100:
                    c.warning(row.path + (column.id,), "percent-range",
                              f"table '{table.id}', row '{row.id}', {column.label}: {cell.value.display('%')} is "
                              f"{'more than 100%' if cell.value.number > 0 else 'a fall of more than 100%'}",
                              "check it is a percentage (2.5 for 2.5%); a ratio or a count belongs in a number column")
        _report_misfits(c, table, misfits)
        _check_table_totals(c, table)


def _check_table_ids(c: _Checker, table: Table) -> None:
    for items, what in ((table.columns, "column"), (table.rows, "row")):
        seen: dict[str, tuple] = {}
        for item in items:
            if item.id in seen:
                first_line = c.doc.position(seen[item.id] + ("id",))[0]
                c.error(item.path + ("id",), "duplicate-id",
                        f"table '{table.id}': the {what} id '{item.id}' is used twice (first at line {first_line})",
                        f"give each {what} of the table its own id: the diff matches {what}s across versions by id")
            else:
                seen[item.id] = item.path


def _report_misfits(c: _Checker, table: Table, misfits: dict[tuple, list[tuple]]) -> None:
    """One error per cell; where one fix resolves several cells of a column, one error with the count
    and the lines of the others."""
    for (column_id, _), cells in misfits.items():
        path, message, hint = cells[0]
        if len(cells) > 1:
            lines = [str(c.doc.position(p)[0]) for p, _, _ in cells[1:]]
            shown = ", ".join(lines[:12]) + (", ..." if len(lines) > 12 else "")
            message += f" (and {len(cells) - 1} more cells of this column like it, lines {shown})"
        c.error(path, "cell-type", f"table '{table.id}', {message}", hint)


def _misfit(raw, kind: str, column, rag_scale: str, words: dict[str, str]) -> tuple[str, str]:
    """(message, hint) for a cell its column's type does not take."""
    where = f"column '{column.id}' ({kind})"
    shown = f"'{raw}'" if isinstance(raw, str) else str(raw).lower()
    if isinstance(raw, bool) and kind != "tick":
        return (f"{where}: {shown} is not {_NUMBER_TYPES.get(kind, 'a ' + kind)}",
                "YAML reads yes/no/on/off as true/false: put text in quotes, or use a tick column for yes/no")
    if kind in _NUMBER_TYPES:
        text = str(raw).strip()
        digits = text.replace(",", "").replace("£", "").replace("%", "").replace("k", "").replace("m", "").strip()
        try:
            number = Value.of(digits).number if digits else None
        except Exception:  # noqa: BLE001 - anything unreadable is simply not a number
            number = None
        decimal = decimal_comma(text)
        if decimal is not None:
            return f"{where}: {shown} has a decimal comma", f"write the decimal point as a full stop: {decimal}"
        if number is not None and "," in text:
            return f"{where}: {shown} has commas", f"write numbers without commas: {digits}"
        if number is not None and "%" in text:
            return f"{where}: {shown} has a % sign", f"write {digits}: the column is a percent, the header says %"
        if number is not None and "£" in text:
            unit = column.unit.header if column.unit else "the column's unit"
            return f"{where}: {shown} has a £ sign", f"write {digits} (in {unit}, as the header says)"
        if number is not None:
            return f"{where}: {shown} is a number written in quotes", f"write {digits} without quotes"
        return (f"{where}: {shown} is not {_NUMBER_TYPES[kind]}",
                "write a number, tbc (not known yet), n/a (does not apply) or not_stated (the source gives no "
                "figure); words belong in a text column")
    if kind == "rag":
        allowed = RAG_SCALES.get(rag_scale, RAG_SCALES["three_point"])
        if raw in RAG_SCALES["five_point"]:
            return (f"{where}: {shown} is a five-point RAG, and this plan uses three",
                    "set scales: {rag: five_point}, or use one of " + ", ".join(allowed))
        guess = did_you_mean(str(raw), list(allowed))
        return (f"{where}: {shown} is not a RAG rating",
                f"did you mean '{guess}'?" if guess else "use one of " + ", ".join(allowed))
    if kind == "rating":
        guess = did_you_mean(str(raw).lower(), list(words))
        return (f"{where}: {shown} is not a risk rating",
                (f"did you mean '{guess}'? " if guess else "") + f"use {', '.join(RATINGS)}, or add the word as an "
                "alias in scales.risk_rating (e.g. moderate: {aliases: [medium]}); other ratings belong in a text column")
    if kind == "date":
        try:
            PlanDate.parse(str(raw))
        except PeriodError as e:
            return f"{where}: {e}", e.hint
        return f"{where}: {shown} is not a date", 'write 2015-03-31, 2015-03, "2015/16 Q3" or "2015/16"'
    if kind == "tick":
        return f"{where}: {shown} is not a tick", "write true (ticked) or false (not ticked)"
    return f"{where}: {shown} is not text", "put the text in quotes"


def _check_table_totals(c: _Checker, table: Table) -> None:
    _check_total_lists(c, table)
    warned_rows: set[str] = set()
    for t in table_totals(table):
        what = f"table '{table.title}', total row '{t.row.label}', {t.column.label}"
        path = t.row.path + (t.column.id,)
        listed = isinstance(t.row.total_of, tuple)
        if t.rows == 0:
            if t.row.id not in warned_rows and not listed:  # a list of unknown ids is an error already
                warned_rows.add(t.row.id)
                if t.row.total_of == TOTAL_ALL:
                    c.warning(t.row.path + ("total",), "total-no-rows",
                              f"table '{table.title}', total row '{t.row.label}' says total: all, but every row "
                              "of the table is a total row", "add the rows it totals, or remove total:")
                else:
                    c.warning(t.row.path + ("total",), "total-no-rows",
                              f"table '{table.title}', total row '{t.row.label}' has no rows above it to add up",
                              "move the total row below the rows it totals, say which rows it totals "
                              "(total: [row ids]), or remove total: true")
            continue
        unit = f" {t.column.unit.header}" if t.column.unit else ("%" if t.column.type == "percent" else "")
        rows_words = ("the rows it names" if listed else "the rows of the table" if t.row.total_of == TOTAL_ALL
                      else "the rows above")
        if t.unchecked:
            c.warning(path, "total-incomplete",
                      f"{what}: stated {t.stated.display()}{unit}, but {rows_words} include {_unknowns(t.computed)}, "
                      f"so the sum ({t.computed.display()}) cannot be checked", _unknowns_fix(t.computed))
        elif t.difference is not None:
            c.warning(path, "total-mismatch",
                      f"{what}: stated {t.stated.display()}{unit}, but {rows_words} sum to "
                      f"{t.computed.display()} (difference {t.difference:+,f})",
                      _total_rows_hint(table, t) or
                      "correct the stated total or the rows; if the source paper has the discrepancy, keep it and "
                      "note it")


def _check_total_lists(c: _Checker, table: Table) -> None:
    """A total row's list of row ids (`total: [a, b]`): each must be another row of the table."""
    ids = [row.id for row in table.rows]
    for row in table.rows:
        if not isinstance(row.total_of, tuple):
            continue
        for i, named in enumerate(row.total_of):
            where = row.path + ("total", i)
            if named == row.id:
                c.error(where, "total-rows",
                        f"table '{table.title}', total row '{row.label}' names itself among the rows it totals",
                        f"remove '{named}' from its total: list")
            elif named not in ids:
                guess = did_you_mean(named, [x for x in ids if x != row.id])
                c.error(where, "total-rows",
                        f"table '{table.title}', total row '{row.label}' totals row '{named}', which is not in "
                        "the table", f"did you mean '{guess}'?" if guess else
                        f"name rows of this table: {', '.join(x for x in ids[:8] if x != row.id)}"
                        f"{', ...' if len(ids) > 8 else ''}")


def _total_rows_hint(table: Table, t) -> str | None:
    """A subtotal (total: true) whose stated figure is the sum of only the last rows above it: the
    group above it had no total row of its own (the paper left it out), so say which rows to name."""
    if t.row.total_of != TOTAL_ABOVE:
        return None
    index = table.rows.index(t.row)
    above = table.rows_above(index)
    for start in range(1, len(above)):
        part = Total.of(row.cell(t.column.id).value for row in above[start:])
        if not part.incomplete and part.parts and compare_stated(t.stated, part) is None:
            ids = ", ".join(row.id for row in above[start:])
            return (f"the last {len(above) - start} row(s) above sum to the stated total: if the rows before them "
                    f"have no total row of their own in the source, write total: [{ids}]")
    return None


# --- a plan's own vocabulary (scales) -----------------------------------------------------------

def _rag_values(data: dict) -> Iterator[tuple[tuple, str, str]]:
    """Every RAG value in the plan: (path, value, what it rates)."""
    for path, action in _items(data, ("actions",)):
        for year, quarters in (action.get("rag") or {}).items():
            for key, colour in (quarters or {}).items() if isinstance(quarters, dict) else ():
                yield path + ("rag", year, key), colour, f"action {action.get('id')}'s RAG for {year} {str(key).upper()}"
    for path, scheme in _items(data, ("qipp", "schemes")):
        if "confidence" in scheme:
            yield path + ("confidence",), scheme["confidence"], f"QIPP scheme {scheme.get('id')}'s confidence"
    for path, line in _items(data, ("finance", "lines")):
        for period, colour in (line.get("rag") or {}).items():
            yield path + ("rag", period), colour, f"finance line {line.get('id')}'s RAG for {period}"


def _check_rag_scale(c: _Checker, data: dict) -> None:
    """amber_red and amber_green belong to the five-point scale, which a plan declares."""
    if (data.get("scales") or {}).get("rag") == "five_point":
        return
    for path, colour, what in _rag_values(data):
        if colour in FIVE_POINT_ONLY:
            c.error(path, "rag-scale", f"{colour} ({what}) is a five-point RAG rating, but this plan uses the "
                    "three-point scale (red, amber, green)",
                    "add `scales: {rag: five_point}` at the top level of the plan if it rates on five points "
                    "(red, amber_red, amber, amber_green, green); otherwise use red, amber or green")


def _check_risk_rating_words(c: _Checker, data: dict) -> None:
    """A risk's `rating` is low, moderate, high or extreme, or an alias the plan declares in
    scales.risk_rating; an alias names one rating only and is not itself a rating."""
    declared: dict[str, str] = {}
    spelt: list[str] = []
    for rating in RISK_RATINGS:
        for i, word in enumerate(((data.get("scales") or {}).get("risk_rating") or {}).get(rating, {}).get("aliases") or []):
            key = " ".join(str(word).split()).lower()
            path = ("scales", "risk_rating", rating, "aliases", i)
            if key in RISK_RATINGS:
                if key != rating:
                    c.error(path, "risk-alias", f"'{word}' is itself a risk rating, so it cannot stand for {rating}",
                            f"remove it from the aliases of {rating}")
                continue
            if key in declared and declared[key] != rating:
                c.error(path, "risk-alias", f"'{word}' is declared for both {declared[key]} and {rating}",
                        "give each word one meaning: remove it from one of the two")
                continue
            if key not in declared:
                declared[key] = rating
                spelt.append(str(word))
    for path, risk in _items(data, ("risks",)):
        word = risk.get("rating")
        if word is None:
            continue
        text = " ".join(str(word).split())
        if text in RISK_RATINGS or text.lower() in declared:
            continue
        options = list(RISK_RATINGS) + spelt
        guess = did_you_mean(text, options)
        listed = ", ".join(RISK_RATINGS) + (f" (or the plan's own words: {', '.join(spelt)})" if spelt else "")
        hint = f"did you mean '{guess}'? " if guess else ""
        if guess and guess.lower() == text.lower() and guess in RISK_RATINGS:
            hint = f"write it in lower case: '{guess}'. "
        hint += (f"Use {listed}; if the plan uses its own word for a rating, declare it, e.g. "
                 f"`scales: {{risk_rating: {{moderate: {{aliases: [{text}]}}}}}}`")
        c.error(path + ("rating",), "risk-rating", f"risk {risk.get('id')} is rated '{word}', which is not a risk rating",
                hint)


# --- structure: sub-actions and cross-references -----------------------------------------------

def _check_parents(c: _Checker, plan: Plan) -> None:
    """A sub-action's parent is another action of the plan, with no cycle, normally in the same domain."""
    by_id = {a.id: a for a in plan.actions}
    for action in plan.actions:
        if action.parent is None:
            continue
        path = action.path + ("parent",)
        if action.parent == action.id:
            c.error(path, "parent-self", f"action {action.id} names itself as its parent",
                    "name the action it is part of, or remove parent:")
            continue
        parent = by_id.get(action.parent)
        if parent is None:
            guess = did_you_mean(action.parent, list(by_id))
            c.error(path, "unknown-reference", f"there is no action with the id '{action.parent}' "
                    f"(the parent of action {action.id})",
                    f"did you mean '{guess}'?" if guess else "name an action of this plan, or remove parent:")
            continue
        if action.due and parent.due and action.due.end and parent.due.end and action.due.end > parent.due.end:
            c.warning(action.path + ("due",), "sub-action-after-parent",
                      f"sub-action {action.id} is due {action.due.words}, after its parent {parent.id} "
                      f"({parent.due.words})", "move the sub-action earlier or its parent's due date later")
        if parent.domain_id != action.domain_id:
            c.warning(path, "parent-domain", f"sub-action {action.id} is in {plan.domain_title(action.domain_id)}, but its "
                      f"parent {parent.id} is in {plan.domain_title(parent.domain_id)}",
                      "move one of them so a sub-action sits in its parent's domain, or check the parent")
    for action in plan.actions:  # cycles: reported once, at the action with the first id on the circle
        chain, current = [action.id], by_id.get(action.parent or "")
        while current is not None and current.id not in chain:
            chain.append(current.id)
            current = by_id.get(current.parent or "")
        if current is not None and current.id == action.id and len(chain) > 1 \
                and action.id == min(chain, key=natural_key):
            c.error(action.path + ("parent",), "parent-cycle",
                    f"sub-actions go round in a circle: {' -> '.join(chain + [action.id])}",
                    "one of these actions must be the top one: remove its parent:")


def _see_targets(data: dict) -> dict[str, str]:
    """Every id a `see:` may name, anywhere in the plan: id -> what it is."""
    out: dict[str, str] = {}
    for lst in ID_LISTS:
        for _, item in _items(data, lst.path):
            if isinstance(item.get("id"), str):
                out.setdefault(item["id"], lst.label)

    def sections(items, depth=0):
        for item in items or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str) and depth < 5:
                out.setdefault(item["id"], "section")
                sections(item.get("sections"), depth + 1)
    sections(data.get("sections"))
    for table in data.get("tables") or []:
        if isinstance(table, dict) and isinstance(table.get("id"), str):
            out.setdefault(table["id"], "table")
    return out


def _check_see(c: _Checker, data: dict, plan: Plan) -> None:
    targets = _see_targets(data)
    for pattern in SEE_REFERENCES:
        for path, item in _items(data, pattern):
            for i, ref in enumerate(item.get("see") or []):
                if ref == item.get("id"):
                    c.warning(path + ("see", i), "see-self", f"{item.get('id')} refers to itself in see:",
                              "remove it: see: names other items")
                elif ref not in targets:
                    guess = did_you_mean(ref, list(targets))
                    c.error(path + ("see", i), "unknown-reference",
                            f"there is no item with the id '{ref}' (in see: of {item.get('id')})",
                            f"did you mean '{guess}'?" if guess else
                            "name the id of an action, milestone, QIPP scheme, risk, indicator, section or table")


def _check_approval_dates(c: _Checker, plan: Plan) -> None:
    """An approval's date is a real date or month (2014-02), printed in words."""
    for i, approval in enumerate(plan.meta.approvals):
        _parse_date(c, approval.date, ("plan", "approvals", i, "date"))


def _check_contacts(c: _Checker, data: dict) -> None:
    """A contact is named by a name, a role, or both; one with neither reaches nobody."""
    for i, contact in enumerate((data.get("plan") or {}).get("contacts") or []):
        if isinstance(contact, dict) and not contact.get("name") and not contact.get("role"):
            c.error(("plan", "contacts", i), "contact-unnamed", "this contact has neither a name nor a role",
                    'add name: "Jane Smith" or role: "Chief Operating Officer" (a role alone is fine)')


def _check_assessments(c: _Checker, data: dict) -> None:
    """An assessment's period, where given, is a real period (any period: it is not bound by the
    plan period)."""
    for pattern in (("indicators",), ("bcf", "metrics")):
        for path, item in _items(data, pattern):
            for j, a in enumerate(item.get("assessments") or []):
                if isinstance(a, dict) and a.get("period") is not None:
                    _period(c, a["period"], path + ("assessments", j, "period"))


def _check_action_status(c: _Checker, plan: Plan) -> None:
    """A status note explains a status; an action marked complete is not still rated red."""
    for action in plan.actions:
        if action.status_note and not action.status:
            c.warning(action.path + ("status_note",), "status-note-without-status",
                      f"action {action.id} has a status_note but no status, so the note has nothing to explain",
                      "add status: paused, stopped, revised, in_progress, not_started or complete")
        if action.status == "complete" and action.current_rag in ("red", "amber_red"):
            c.warning(action.path + ("status",), "complete-but-red",
                      f"action {action.id} is marked complete but its latest RAG is "
                      f"{display.rag(action.current_rag).lower()}",
                      "set status to in_progress, or report its RAG as blue (complete)")


def _unknowns(total: Total) -> str:
    """What keeps a sum from being checked: TBC values, or values the source does not state."""
    return "values the plan does not state" if total.unstated_only else "TBC values"


def _unknowns_fix(total: Total) -> str:
    if total.unstated_only:
        return ("give the figures if the source has them; if it has none, the stated total stands as the plan "
                "states it, unchecked")
    return "confirm the TBC values"


def _check_unstated_fields(c: _Checker, data: dict, plan: Plan) -> None:
    """Fields a source may lack are optional only while nothing depends on them: plan.as_at once an
    action reports RAG (the papers show RAG as at that quarter), bcf.unit once the BCF has money."""
    if not plan.meta.as_at_stated:
        rated = [a for a in plan.actions if a.rag]
        if rated:
            c.error(("plan",), "as-at-missing",
                    f"plan.as_at is missing, but {display.plural(len(rated), 'action')} report RAG "
                    f"(first {rated[0].id})",
                    'add as_at: "YYYY/YY Qn" under plan: the quarter whose RAG the papers show')
    bcf = data.get("bcf")
    if isinstance(bcf, dict) and not bcf.get("unit"):
        money = [k for k in ("minimum_contribution", "actual_contribution", "stated_totals") if bcf.get(k)]
        money += ["contributions" for x in bcf.get("contributions") or []
                  if isinstance(x, dict) and (x.get("minimum") or x.get("actual"))][:1]
        money += ["funding" for s in bcf.get("schemes") or [] if isinstance(s, dict) and s.get("funding")][:1]
        if money:
            c.error(("bcf",), "unit-missing", f"the Better Care Fund gives money ({money[0]}) but no unit",
                    "add unit: gbp_thousands (or gbp, gbp_millions) under bcf:")


def _check_figures(c: _Checker, plan: Plan) -> None:
    """An indicator figure's count (`numerator` of `denominator`) is given whole and agrees with its
    value: 439 of 500 is 87.8 (a percent), 0.878 (a ratio), or 439 itself (a count or a score);
    within half a unit of the last digit written."""
    for indicator in plan.indicators + (plan.bcf.metrics if plan.bcf else []):
        figures = [(("baseline",), "baseline", indicator.baseline)]
        figures += [(("targets", p.text), f"target {p.words}", v) for p, v in indicator.targets.items()]
        figures += [(("actuals", p.text), f"actual {p.words}", v) for p, v in indicator.actuals.items()]
        figures += indicators.count_figures(indicator)  # trajectory, benchmarks, areas (indicators v2)
        for where, what, v in figures:
            if v is None or (v.numerator is None and v.denominator is None):
                continue
            path = indicator.path + where
            if v.numerator is None or v.denominator is None:
                given, missing = ("numerator", "denominator") if v.denominator is None else ("denominator", "numerator")
                c.error(path + (given,), "count-half", f"indicator {indicator.id} {what} has a {given} but no {missing}",
                        f"add {missing}: (both say what the figure counts, e.g. numerator: 439, denominator: 500)")
                continue
            if not v.is_number:
                continue
            if not _count_agrees(v.number, v.numerator, v.denominator, indicator.unit):
                share = v.numerator / v.denominator
                c.error(path + ("value",), "count-mismatch",
                        f"indicator {indicator.id} {what} is {_decimal_words(v.number)}, but {_decimal_words(v.numerator)} of "
                        f"{_decimal_words(v.denominator)} is {_decimal_words(round(share * 100, 2))}%",
                        "check the value, the numerator and the denominator against the source")


def _count_agrees(value, numerator, denominator, unit: str | None) -> bool:
    from opgen.model import total_tolerance
    share = numerator / denominator
    scales = {"percent": (100,), "ratio": (1,), "per_1000": (1000,), "per_100k": (100000,)}.get(unit or "")
    candidates = [share * s for s in scales] if scales else [share, share * 100, share * 1000, share * 100000]
    if unit in (None, "count", "score", "days", "gbp"):
        candidates.append(numerator)
    tolerance = total_tolerance(value)
    return any(abs(candidate - value) <= tolerance for candidate in candidates)


def _decimal_words(number) -> str:
    from opgen.model import format_decimal
    return format_decimal(Decimal(number).normalize() if Decimal(number) == Decimal(number).to_integral_value() else Decimal(number))


# --- Better Care Fund (version 2) -------------------------------------------------------------------

BCF_V2_KEYS = ("contributions", "stated_totals", "risks")


def _check_bcf(c: _Checker, data: dict, plan: Plan) -> None:
    """Version 2's BCF: only in a version 2 plan; national scheme headings from the fixed list; a
    funding range that is one (min at most max, never with an amount); the stated totals against the
    schemes (with ranges, anything from the sum of minima to the sum of maxima agrees); an actual
    contribution below its minimum; one organisation holding the pool."""
    raw = data.get("bcf")
    if not isinstance(raw, dict) or plan.bcf is None:
        return
    b = plan.bcf
    v1 = data.get("schema_version") == 1
    fix = "set schema_version: 2 (opgen migrate PLAN does it, keeping your comments)"
    if v1:
        for key in BCF_V2_KEYS:
            if key in raw:
                c.error(("bcf", key), "needs-version-2", f"'bcf.{key}' needs a version 2 plan, but this plan says "
                        "schema_version: 1", fix, key=True)
    for i, s in enumerate(raw.get("schemes") or []):
        if not isinstance(s, dict):
            continue
        scheme_id = s.get("id")
        heading = s.get("heading")
        if heading is not None and not v1 and heading not in display.BCF_HEADINGS:
            words = {label.lower(): key for key, label in display.BCF_HEADINGS.items()}
            guess = did_you_mean(str(heading), list(display.BCF_HEADINGS))
            if guess is None and (by_words := did_you_mean(str(heading).lower(), list(words))):
                guess = words[by_words]
            hint = (f"did you mean '{guess}' ({display.BCF_HEADINGS[guess]})? " if guess else "") + \
                "use one of the national scheme headings: " + ", ".join(display.BCF_HEADINGS)
            c.error(("bcf", "schemes", i, "heading"), "bcf-heading",
                    f"BCF scheme {scheme_id}: '{heading}' is not a national BCF scheme heading", hint)
        for key, entry in (s.get("funding") or {}).items():
            if not isinstance(entry, dict):
                continue
            path = ("bcf", "schemes", i, "funding", key)
            if v1:
                c.error(path, "needs-version-2", f"BCF scheme {scheme_id} {key}: funding as a range or with "
                        "its recurrence needs a version 2 plan, but this plan says schema_version: 1",
                        f"{fix}, or give the one amount: \"{key}\": "
                        f"{entry.get('amount', entry.get('max', entry.get('min', 1200)))}",
                        cause="BCF funding ranges need version 2")
                continue
            if "amount" in entry and ("min" in entry or "max" in entry):
                c.error(path + ("amount",), "bcf-funding", f"BCF scheme {scheme_id} {key}: gives an amount and "
                        "a range", "keep amount: for one figure, or min: and max: for a range", key=True)
            elif not any(k in entry for k in ("amount", "min", "max")):
                c.error(path, "bcf-funding", f"BCF scheme {scheme_id} {key}: gives no amount",
                        "add amount: (one figure) or min: and max: (a range); not_stated if the source gives none")
            low, high = entry.get("min"), entry.get("max")
            if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (low, high)) and low > high:
                c.error(path + ("min",), "bcf-funding", f"BCF scheme {scheme_id} {key}: the minimum ({low}) is "
                        f"more than the maximum ({high})", "swap min: and max:")
    unit = b.unit.header
    for year, stated in b.stated_totals.items():
        path = ("bcf", "stated_totals", year.label)
        high, low = b.funding_total(year), b.funding_min_total(year)
        what = f"BCF stated total {year}"
        if low.value != high.value:
            what += f" (the schemes give {display.bcf_funding_total(low, high)})"
        nearest = b.stated_sum(year)
        if nearest is not None:  # None: within the range the schemes give
            check_stated_total(c, path, what, stated, nearest, unit, "BCF schemes")
    holders = [x for x in b.contributions if x.holds_pool]
    for extra in holders[1:]:
        c.warning(extra.path + ("holds_pool",), "bcf-pool-holders",
                  f"BCF contribution {extra.id}: {extra.organisation} holds the pooled budget, but so does "
                  f"{holders[0].organisation}", "set holds_pool: true on the one organisation that hosts the pool")
    for x in b.contributions:
        for year, actual in x.actual.items():
            minimum = x.minimum.get(year)
            if minimum is not None and minimum.is_number and actual.is_number and actual.number < minimum.number:
                c.warning(x.path + ("actual", year.label), "bcf-below-minimum",
                          f"BCF contribution {x.id} {year}: {x.organisation} pays {actual.display()} {unit}, "
                          f"below its minimum of {minimum.display()} {unit}",
                          "correct the figure; if the source says so, keep it and note why in note:")
    for risk in b.risks:
        if risk.current and risk.target and risk.target.score > risk.current.score:
            c.warning(risk.path + ("target",), "risk-target-above-current",
                      f"BCF risk {risk.id}'s target score ({risk.target.score}) is above its current score ({risk.score})",
                      "the target is where mitigation should bring the risk: check the numbers")
        if risk.current and risk.gross and risk.current.score > risk.gross.score:
            c.warning(risk.path + ("gross",), "risk-current-above-gross",
                      f"BCF risk {risk.id}'s current score ({risk.score}) is above its gross score ({risk.gross.score})",
                      "gross is the risk before any controls: check the numbers")
        if risk.is_open and risk.band == "extreme" and not (risk.mitigation and risk.owner):
            missing = [n for n, v in (("mitigation", risk.mitigation), ("owner", risk.owner)) if not v]
            c.warning(risk.path, "extreme-unmitigated", f"BCF risk {risk.id} is extreme but has no "
                      f"{' or '.join(missing)}", f"add {' and '.join(repr(m + ':') for m in missing)}")


# Version 2 fields for facts the Kent plans had no place for: an action's category and the national
# programmes (plan drivers) it is part of, a BCF scheme's requirements, an indicator's monitoring
# frequency.
V2_ACTION_KEYS = ("category", "programmes")


def _check_gap_fields(c: _Checker, data: dict, plan: Plan) -> None:
    v1 = data.get("schema_version") == 1
    fix = "set schema_version: 2 (opgen migrate PLAN does it, keeping your comments)"

    def needs(path: tuple, what: str) -> None:
        c.error(path, "needs-version-2", f"{what} needs a version 2 plan, but this plan says schema_version: 1",
                fix, key=True)

    drivers = [d.id for d in plan.meta.drivers]
    for i, a in enumerate(data.get("actions") or []):
        if not isinstance(a, dict):
            continue
        path = ("actions", i)
        if v1:
            for key in V2_ACTION_KEYS:
                if key in a:
                    needs(path + (key,), f"'{key}' in action {a.get('id')}")
            continue
        seen: set[str] = set()
        for j, ref in enumerate(a.get("programmes") or []):
            where = path + ("programmes", j)
            if ref in seen:
                c.error(where, "duplicate-programme", f"action {a.get('id')} names programme '{ref}' twice",
                        "remove the second one")
                continue
            seen.add(ref)
            if ref not in drivers:
                guess = did_you_mean(str(ref), drivers)
                if guess:
                    hint = f"did you mean '{guess}'?"
                elif drivers:
                    hint = "use the id of one of the plan's drivers: " + ", ".join(drivers)
                else:
                    hint = ("declare the programme under plan.drivers ({id: DRV-RIGHTCARE, title: NHS RightCare, "
                            "kind: national}) and name its id here")
                c.error(where, "unknown-programme", f"action {a.get('id')} is part of programme '{ref}', but the "
                        "plan declares no driver with that id", hint)
    bcf = data.get("bcf")
    for i, s in enumerate((bcf.get("schemes") or []) if isinstance(bcf, dict) else []):
        if not isinstance(s, dict) or "requirements" not in s:
            continue
        path = ("bcf", "schemes", i, "requirements")
        if v1:
            needs(path, f"'requirements' in BCF scheme {s.get('id')}")
            continue
        seen_text: dict[str, tuple] = {}
        for j, r in enumerate(s.get("requirements") or []):
            texts = ([(path + (j,), r)] if isinstance(r, str) else
                     [(path + (j, "items", k), x) for k, x in enumerate(r.get("items") or [])]
                     if isinstance(r, dict) else [])
            for where, text in texts:
                key = " ".join(str(text).lower().split())
                if key in seen_text:
                    c.warning(where, "duplicate-requirement", f"BCF scheme {s.get('id')} lists the same requirement "
                              f"twice (first on line {c.doc.position(seen_text[key])[0]})", "remove one of them")
                else:
                    seen_text[key] = where
    for path, item in indicators._indicator_items(data):
        if v1 and "frequency" in item:
            needs(path + ("frequency",), f"'frequency' in indicator {item.get('id')}")
        for tpath, key, raw in indicators._targets(path, item):
            if isinstance(raw, dict) and isinstance(raw.get("change"), dict):
                _check_target_change(c, tpath, f"indicator {item.get('id')} target {key}", raw, v1, needs)


def _check_target_change(c: _Checker, path: tuple, where: str, raw: dict, v1: bool, needs) -> None:
    """A level stated with its change ({value: 104.71, change: {comparison: reduce_by, value: 1}}):
    version 2 only; the level is a figure of its own (a missing value is reported by indicators.check);
    the amount more than 0."""
    change = raw["change"]
    if v1:
        needs(path + ("change",), f"a target's 'change' ({where})")
        return
    level = raw.get("value")
    if raw.get("comparison") in ("reduce_by", "increase_by", "maintain") or "see" in raw:
        c.error(path + ("change",), "target-change-twice", f"{where} is already stated against the present "
                f"({'see' if 'see' in raw else raw.get('comparison')}), so it has no level for a change to explain",
                "remove change:, or write the level as value: with change: beside it", key=True)
    elif level in ("tbc", "n/a", "not_stated"):
        c.warning(path + ("change",), "target-change-without-level", f"{where} gives a change but its level is "
                  f"{level}, so the change is not printed", "give the level as a figure (value: 104.71), or write "
                  "the change alone: {comparison: reduce_by, value: 1, unit: percent}", key=True)
    amount = change.get("value")
    if isinstance(amount, (int, float)) and not isinstance(amount, bool) and amount <= 0:
        other = "increase_by" if change.get("comparison") == "reduce_by" else "reduce_by"
        c.error(path + ("change", "value"), "target-change-sign", f"{where}: the change's amount must be more than 0",
                f"write it as a positive number, or use comparison: {other}")
