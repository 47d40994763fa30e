"""The semantic rules of plan-model.md, run on a schema-valid plan.

Errors block a build: duplicate ids, references to ids that do not exist, malformed or out-of-period
financial years and quarters, a period that ends before it starts, risk bands out of order.
Warnings report and build: stated totals that differ from the computed sums, TBC values, red actions
and extreme risks without mitigation or owner, milestones due after their action, indicators without
baseline or target, RAG reported after the as-at quarter, NHS business rules not met.
"""

from __future__ import annotations

from typing import Iterator

from opgen.diagnostics import ERROR, WARNING, Diagnostic, did_you_mean, format_yaml_path
from opgen.ids import DOMAIN_REFERENCES, ID_LISTS, MONEY_FIELDS, PERCENT_FIELDS, id_list
from opgen.load import Document
from opgen.figures import compare_stated, stated_unchecked
from opgen.model import BUSINESS_RULES, Plan, Total, Value, build
from opgen.periods import FinancialYear, Period, PeriodError, PlanDate, Quarter

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

    def add(self, severity: str, path: tuple, code: str, message: str, hint: str, key: bool = False) -> None:
        line, column = self.doc.position(path, key=key)
        self.out.append(Diagnostic(self.doc.path, line, column, severity, code, message, hint,
                                   format_yaml_path(path)))

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
    _check_dates(c, plan)
    _check_totals(c, plan)
    _check_tbcs(c, plan)
    _check_unmitigated(c, plan)
    _check_indicators(c, plan)
    _check_risks(c, data, plan)
    _check_finance_periods(c, data)
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
    for pattern in (("indicators",), ("bcf", "metrics")):
        for path, item in _items(data, pattern):
            for key in item.get("targets") or {}:
                yield path + ("targets", key), key, f"target of indicator {item['id']}"


_SECTION_NAMES = {"qipp": "QIPP", "finance": "finance", "bcf": "BCF"}


def _check_years_in_period(c: _Checker, data: dict, period, as_at: Quarter) -> None:
    start, end = period
    label = start.label if start == end else f"{start} to {end}"
    for path, key, what in _year_keys(data):
        year = _fy(c, key, path, key=True)
        if year is not None and not start <= year <= end:
            c.error(path, "outside-period", f"{year} ({what}) is outside the plan period {label}",
                    f"use a financial year from {label}, or widen plan.period", key=True)
    quarter_texts = [(("plan", "as_at"), data["plan"]["as_at"], "the as-at quarter")]
    for pattern in (("indicators",), ("bcf", "metrics")):
        for path, item in _items(data, pattern):
            for key in item.get("actuals") or {}:
                quarter_texts.append((path + ("actuals", key), key, f"actual of indicator {item['id']}"))
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
                              "remove it, or move plan.as_at forward", key=True)


def _check_dates(c: _Checker, plan: Plan) -> None:
    for action in plan.actions:
        for field_name in ("start", "due"):
            text = getattr(action, f"{field_name}_text")
            _parse_date(c, text, action.path + (field_name,))
        if action.start and action.due and action.due.end < action.start.start:
            c.error(action.path + ("due",), "date-order",
                    f"action {action.id} is due ({action.due_text}) before it starts ({action.start_text})",
                    "check the start and due dates")
        for m in action.milestones:
            _parse_date(c, m.due_text, m.path + ("due",))
            if m.due and action.due and m.due.end > action.due.end:
                c.warning(m.path + ("due",), "milestone-after-action",
                          f"milestone {m.id} is due {m.due_text}, after its action {action.id} ({action.due_text})",
                          "move the milestone earlier or the action's due date later")
    _parse_date(c, plan.meta.date, ("plan", "date"))
    for i, signatory in enumerate(plan.meta.signatories):
        _parse_date(c, signatory.date, ("plan", "signatories", i, "date"))
    for i, entry in enumerate(plan.meta.history):
        _parse_date(c, entry.date, ("plan", "history", i, "date"))


def _parse_date(c: _Checker, text: str | None, path: tuple) -> PlanDate | None:
    if not text or text == "tbc":
        return None
    try:
        return PlanDate.parse(str(text))
    except PeriodError as e:
        c.error(path, "date", str(e), e.hint)
        return None


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
                _compare_total(c, ("qipp", field_name, year.label), f"{name} {year}", stated, compute(year), unit)
    if f := plan.finance:  # version 1's stated totals and version 2's, each against its group's lines
        for group in ("allocation", "expenditure"):
            for period, (stated, path) in f.group_stated(group).items():
                name = "budget" if path[1] == "expenditure_stated_total" else group
                _compare_total(c, path, f"{name} total {period.words}", stated, f.group_total(group, period),
                               f.unit.header)


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
