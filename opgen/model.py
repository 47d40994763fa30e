"""The plan as typed objects with derived figures: totals (TBC-aware), risk scores and bands, the
RAG at the plan's reporting quarter, and the TBC inventory.

Built from schema-valid data (see validate). Every item keeps `path`, its place in the YAML, so a
rule or a diff can point back at the source line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from opgen.periods import FinancialYear, Period, PeriodError, PlanDate, Quarter

RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "blue": "Complete", "grey": "Not started"}
RAG_ORDER = {"red": 0, "amber": 1, "green": 2, "blue": 3}  # grey is not a delivery judgement
BAND_ORDER = {"low": 0, "moderate": 1, "high": 2, "extreme": 3}
DEFAULT_BANDS = {"moderate": 4, "high": 8, "extreme": 15}
MONEY_UNITS = {
    "gbp_thousands": ("£000", "£{}k"),
    "gbp": ("£", "£{}"),
    "gbp_millions": ("£m", "£{}m"),
}
INDICATOR_SUFFIX = {"percent": "%", "per_100k": "", "per_1000": "", "count": "", "score": "", "gbp": "",
                    "days": " days", "ratio": ""}
UNIT_LABELS = {"percent": "%", "count": "number", "per_100k": "per 100,000", "per_1000": "per 1,000",
               "score": "score", "gbp": "£", "days": "days", "ratio": "ratio"}
MILESTONE_LABELS = {"not_started": "Not started", "in_progress": "In progress", "complete": "Complete",
                    "at_risk": "At risk", "missed": "Missed"}


def total_tolerance(stated: Decimal) -> Decimal:
    """Half a unit of the last digit the author wrote: 775.4 tolerates 0.05, 9297 tolerates 0.5."""
    exponent = stated.as_tuple().exponent
    return Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else Decimal("0.5")


def format_decimal(number: Decimal) -> str:
    """1774.9 -> '1,774.9'; keeps the decimals written (88.10 stays 88.10)."""
    if number == number.to_integral_value() and number.as_tuple().exponent > 0:
        number = Decimal(int(number))  # 1E+3 -> 1000, exactly, however many digits (quantize is capped at 28)
    text = f"{number:,f}"
    return "\u2212" + text[1:] if text.startswith("-") else text


@dataclass(frozen=True, slots=True)
class Value:
    """A figure a plan may not know yet: a number, tbc or n/a."""

    kind: str  # number | tbc | na
    number: Decimal | None = None

    @classmethod
    def of(cls, raw: Any) -> "Value":
        if raw == "tbc":
            return cls("tbc")
        if raw == "n/a":
            return cls("na")
        text = getattr(raw, "text", None) or str(raw)
        try:
            return cls("number", Decimal(text.replace("_", "")))
        except InvalidOperation:
            return cls("number", Decimal(repr(float(raw))))

    @property
    def is_number(self) -> bool:
        return self.kind == "number"

    @property
    def is_tbc(self) -> bool:
        return self.kind == "tbc"

    def display(self, suffix: str = "") -> str:
        if self.kind == "tbc":
            return "TBC"
        if self.kind == "na":
            return "n/a"
        return format_decimal(self.number) + suffix

    def as_json(self) -> Any:
        return {"tbc": "tbc", "na": "n/a"}.get(self.kind) or str(self.number)


@dataclass(frozen=True, slots=True)
class Total:
    """A sum over values; `incomplete` when any part is TBC (a TBC is never summed as 0)."""

    value: Decimal
    incomplete: bool = False
    parts: int = 0

    @classmethod
    def of(cls, values: Iterable[Value | None]) -> "Total":
        total, incomplete, parts = Decimal(0), False, 0
        for v in values:
            if v is None or v.kind == "na":
                continue
            if v.kind == "tbc":
                incomplete = True
                continue
            total += v.number
            parts += 1
        return cls(total, incomplete, parts)

    def __sub__(self, other: "Total") -> "Total":
        return Total(self.value - other.value, self.incomplete or other.incomplete, self.parts + other.parts)

    def display(self) -> str:
        text = format_decimal(self.value)
        return f"{text} + TBC" if self.incomplete else text


@dataclass(slots=True)
class TbcItem:
    """One value still to be confirmed, for the inventory."""

    path: tuple
    label: str


@dataclass(slots=True)
class Organisation:
    name: str
    short_name: str | None
    code: str | None

    @property
    def display_short(self) -> str:
        return self.short_name or self.name


@dataclass(slots=True)
class Signatory:
    name: str
    role: str
    date: str | None


@dataclass(slots=True)
class HistoryEntry:
    version: str
    date: str | None
    author: str | None
    summary: str | None


@dataclass(slots=True)
class PlanMeta:
    title: str
    subtitle: str | None
    start: FinancialYear
    end: FinancialYear
    as_at: Quarter
    version: str
    status: str
    date: str | None
    signatories: list[Signatory]
    history: list[HistoryEntry]

    @property
    def years(self) -> list[FinancialYear]:
        years, year = [], self.start
        while year <= self.end and len(years) < 50:
            years.append(year)
            year = year.next()
        return years

    def phase(self, period: Period) -> str:
        """Where a figure's period lies against the plan period: before, plan (within or across it)
        or after. Only delivery is bounded by the plan period; figures may be for any period."""
        if period.last_day < self.start.first_day:
            return "before"
        if period.first_day > self.end.last_day:
            return "after"
        return "plan"

    @property
    def period_label(self) -> str:
        return self.start.label if self.start == self.end else f"{self.start.label} to {self.end.label}"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


@dataclass(slots=True)
class VisionStatement:
    label: str
    text: str


@dataclass(slots=True)
class Vision:
    mission: str
    statements: list[VisionStatement]
    values: list[str]


@dataclass(slots=True)
class Milestone:
    id: str
    title: str
    due: PlanDate | None
    due_text: str | None
    status: str | None
    path: tuple

    @property
    def status_label(self) -> str:
        return MILESTONE_LABELS.get(self.status or "", "")

    @property
    def due_display(self) -> str:
        if self.due:
            return self.due.display()
        return "TBC" if self.due_text == "tbc" else ""


@dataclass(slots=True)
class Action:
    id: str
    domain_id: str
    title: str
    lead: str | None
    description: str | None
    mitigation: str | None
    start: PlanDate | None
    due: PlanDate | None
    start_text: str | None
    due_text: str | None
    milestones: list[Milestone]
    rag: dict[Quarter, str]
    path: tuple
    current_rag: str | None = None

    def rag_for(self, quarter: Quarter) -> str | None:
        return self.rag.get(quarter)

    def rag_as_at(self, quarter: Quarter) -> str | None:
        """The RAG reported for `quarter`, or else the latest reported before it."""
        earlier = [q for q in self.rag if q <= quarter]
        return self.rag[max(earlier)] if earlier else None


@dataclass(slots=True)
class Domain:
    id: str
    title: str
    lead: str | None
    description: str | None
    outcomes: list[str]
    path: tuple
    actions: list[Action] = field(default_factory=list)

    def rag_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for action in self.actions:
            key = action.current_rag or "none"
            counts[key] = counts.get(key, 0) + 1
        return counts


@dataclass(slots=True)
class MoneyUnit:
    key: str

    @property
    def header(self) -> str:
        return MONEY_UNITS[self.key][0]

    def short(self, total: Total | Decimal) -> str:
        value = total.value if isinstance(total, Total) else total
        text = MONEY_UNITS[self.key][1].format(format_decimal(abs(value)))
        return ("\u2212" if value < 0 else "") + text


@dataclass(slots=True)
class QippScheme:
    id: str
    domain_id: str | None
    title: str
    provider: str | None
    point_of_delivery: str | None
    lead: str | None
    savings: dict[FinancialYear, Value]
    investment: dict[FinancialYear, Value]
    confidence: str | None
    note: str | None
    path: tuple

    def net(self, year: FinancialYear) -> Total:
        return Total.of([self.savings.get(year)]) - Total.of([self.investment.get(year)])


def _sum_by_year(items: Iterable, attribute: str, year: FinancialYear) -> Total:
    return Total.of(getattr(item, attribute).get(year) for item in items)


@dataclass(slots=True)
class Qipp:
    unit: MoneyUnit
    schemes: list[QippScheme]
    stated_total: dict[FinancialYear, Value]
    stated_savings_total: dict[FinancialYear, Value]
    stated_investment_total: dict[FinancialYear, Value]

    @property
    def years(self) -> list[FinancialYear]:
        years = set(self.stated_total)
        for s in self.schemes:
            years.update(s.savings)
            years.update(s.investment)
        return sorted(years)

    def savings(self, year: FinancialYear, schemes: Iterable[QippScheme] | None = None) -> Total:
        return _sum_by_year(self.schemes if schemes is None else schemes, "savings", year)

    def investment(self, year: FinancialYear, schemes: Iterable[QippScheme] | None = None) -> Total:
        return _sum_by_year(self.schemes if schemes is None else schemes, "investment", year)

    def net(self, year: FinancialYear, schemes: Iterable[QippScheme] | None = None) -> Total:
        chosen = list(self.schemes if schemes is None else schemes)
        return self.savings(year, chosen) - self.investment(year, chosen)

    def grouped(self, key: str) -> list[tuple[str, list[QippScheme]]]:
        """Schemes grouped by an attribute (domain_id, provider, point_of_delivery), in first-seen order."""
        groups: dict[str, list[QippScheme]] = {}
        for s in self.schemes:
            groups.setdefault(getattr(s, key) or "", []).append(s)
        return list(groups.items())


@dataclass(slots=True)
class RiskPosition:
    likelihood: int
    impact: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass(slots=True)
class Risk:
    id: str
    title: str
    description: str | None
    domain_id: str | None
    owner: str | None
    status: str
    current: RiskPosition | None
    gross: RiskPosition | None
    target: RiskPosition | None
    rating: str | None
    mitigation: str | None
    path: tuple
    bands: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_BANDS))

    @property
    def score(self) -> int | None:
        return self.current.score if self.current else None

    def band_of(self, score: int | None) -> str | None:
        if score is None:
            return None
        if score >= self.bands["extreme"]:
            return "extreme"
        if score >= self.bands["high"]:
            return "high"
        if score >= self.bands["moderate"]:
            return "moderate"
        return "low"

    @property
    def band(self) -> str | None:
        """Band from the score where there is one, else the stated rating."""
        return self.band_of(self.score) or self.rating

    @property
    def target_band(self) -> str | None:
        return self.band_of(self.target.score) if self.target else None

    @property
    def is_open(self) -> bool:
        return self.status != "closed"


@dataclass(slots=True)
class Indicator:
    id: str
    domain_id: str | None
    title: str
    unit: str
    polarity: str
    headline: bool
    source: str | None
    baseline: Value | None
    baseline_period: str | None
    targets: dict[FinancialYear, Value]
    actuals: dict[Quarter, Value]
    path: tuple

    @property
    def suffix(self) -> str:
        return INDICATOR_SUFFIX.get(self.unit, "")

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS.get(self.unit, self.unit)

    def show(self, value: Value | None) -> str:
        if value is None:
            return "\u2013"
        return ("£" if self.unit == "gbp" and value.is_number else "") + value.display(self.suffix)

    @property
    def polarity_label(self) -> str:
        return "Lower is better" if self.polarity == "lower_is_better" else "Higher is better"

    def latest_actual(self) -> tuple[Quarter, Value] | None:
        if not self.actuals:
            return None
        quarter = max(self.actuals)
        return quarter, self.actuals[quarter]


@dataclass(slots=True)
class MoneyLine:
    id: str
    title: str
    amounts: dict[FinancialYear, Value]
    path: tuple


@dataclass(slots=True)
class BusinessRule:
    name: str
    required_percent: Decimal
    value: Value | None
    percent: Decimal | None
    period: Period | None = None          # the period the figures are for
    stated_percent: Value | None = None   # the percentage the plan itself states for the line
    rag: str | None = None                # the plan's own rating of the line for the period
    path: tuple = ()                      # the figure's place in the YAML
    role: str = ""                        # surplus | contingency | non_recurrent
    percent_stated: bool = False          # `percent` is the plan's own (no allocation to compute it from)

    @property
    def met(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.required_percent


# The finance groups, in the order the papers show them, and the NHS business rules: the line role
# each measures, its name and the least percentage of allocation it asks for.
FINANCE_GROUPS = ("allocation", "expenditure", "position", "other")
TOTALLED_GROUPS = ("allocation", "expenditure")  # the groups whose lines add up to a total
BUSINESS_RULES = (("surplus", "Surplus", Decimal("1")), ("contingency", "Contingency", Decimal("0.5")),
                  ("non_recurrent", "Non-recurrent", Decimal("2.5")))


@dataclass(slots=True)
class FinanceLine:
    """One finance line in the one shape both plan versions normalise to: figures keyed by Period.
    Version 1's allocation and expenditure lines and its surplus, contingency and non-recurrent
    figures become lines too (`derived`), so every renderer has one path."""

    id: str
    title: str
    group: str                               # allocation | expenditure | position | other
    amounts: dict[Period, Value]
    percent: dict[Period, Value]
    rag: dict[Period, str]
    note: str | None
    role: str | None                         # surplus | contingency | non_recurrent
    path: tuple                              # the line's place in the YAML
    amounts_path: tuple                      # the place of its amounts map (a figure is amounts_path + (key,))
    derived: bool = False                    # made from a version 1 field, not a `lines` item


@dataclass(slots=True)
class Assumption:
    """A planning assumption in percent by period (tariff deflator, demographic growth)."""

    id: str
    title: str
    values: dict[Period, Value]
    note: str | None
    path: tuple


@dataclass(slots=True)
class Finance:
    unit: MoneyUnit
    allocation: list[MoneyLine]
    allocation_stated_total: dict[FinancialYear, Value]
    expenditure: list[MoneyLine]
    expenditure_stated_total: dict[FinancialYear, Value]
    surplus: dict[FinancialYear, Value]
    contingency: dict[FinancialYear, Value]
    non_recurrent: dict[FinancialYear, Value]
    note: str | None
    path: tuple
    lines: list[FinanceLine] = field(default_factory=list)           # version 2 `lines`, as written
    stated_totals: dict[str, dict[Period, Value]] = field(default_factory=dict)  # version 2, by group
    assumptions: list[Assumption] = field(default_factory=list)
    _normal: list[FinanceLine] | None = field(default=None, repr=False, compare=False)

    @property
    def years(self) -> list[FinancialYear]:
        years: set[FinancialYear] = set()
        for line in self.allocation + self.expenditure:
            years.update(line.amounts)
        for mapping in (self.allocation_stated_total, self.expenditure_stated_total, self.surplus,
                        self.contingency, self.non_recurrent):
            years.update(mapping)
        return sorted(years)

    def allocation_total(self, year: FinancialYear) -> Total:
        return Total.of(line.amounts.get(year) for line in self.allocation)

    def expenditure_total(self, year: FinancialYear) -> Total:
        return Total.of(line.amounts.get(year) for line in self.expenditure)

    def allocation_base(self, year: FinancialYear) -> Decimal | None:
        """The allocation the business rules are measured against: the lines' sum, else the stated total."""
        total = self.allocation_total(year)
        if total.parts and not total.incomplete:
            return total.value
        stated = self.allocation_stated_total.get(year)
        return stated.number if stated and stated.is_number else None

    def business_rules(self, year: FinancialYear | Period) -> list[BusinessRule]:
        """The NHS business rules for one period, from the lines marked with a role (version 1's
        surplus, contingency and non-recurrent fields are such lines)."""
        period = year if isinstance(year, Period) else Period.parse(year.label)
        return [rule for rule in self.rule_checks() if rule.period == period]

    # --- the normalised view: one shape for version 1 and version 2 ---------------------------

    def all_lines(self) -> list[FinanceLine]:
        """Every line of both versions in plan order: version 1's allocation and expenditure lines,
        its surplus, contingency and non-recurrent figures, then version 2's `lines`."""
        if self._normal is not None:
            return self._normal
        out: list[FinanceLine] = []
        for group, lines in (("allocation", self.allocation), ("expenditure", self.expenditure)):
            for line in lines:
                out.append(FinanceLine(line.id, line.title, group, _as_periods(line.amounts), {}, {}, None, None,
                                       line.path, line.path + ("amounts",), derived=True))
        for role, mapping, title, group in (("surplus", self.surplus, "Planned surplus", "position"),
                                            ("contingency", self.contingency, "Contingency", "other"),
                                            ("non_recurrent", self.non_recurrent, "Non-recurrent", "other")):
            if mapping:
                out.append(FinanceLine(role, title, group, _as_periods(mapping), {}, {}, None, role,
                                       self.path + (role,), self.path + (role,), derived=True))
        self._normal = out + list(self.lines)
        return self._normal

    def group_lines(self, group: str) -> list[FinanceLine]:
        return [line for line in self.all_lines() if line.group == group]

    def group_stated(self, group: str) -> dict[Period, tuple[Value, tuple]]:
        """The totals the plan states for a group, by period, with the place each is written."""
        out: dict[Period, tuple[Value, tuple]] = {}
        v1 = {"allocation": ("allocation_stated_total", self.allocation_stated_total),
              "expenditure": ("expenditure_stated_total", self.expenditure_stated_total)}.get(group)
        if v1:
            for year, value in v1[1].items():
                out[Period.parse(year.label)] = (value, self.path + (v1[0], year.label))
        for period, value in self.stated_totals.get(group, {}).items():
            out.setdefault(period, (value, self.path + ("stated_totals", group, period.text)))
        return out

    def group_total(self, group: str, period: Period) -> Total:
        return Total.of(line.amounts.get(period) for line in self.group_lines(group))

    def group_periods(self, group: str) -> list[Period]:
        periods: set[Period] = set(self.group_stated(group))
        for line in self.group_lines(group):
            periods.update(line.amounts)
            periods.update(line.percent)
            periods.update(line.rag)
        return sorted(periods)

    @property
    def periods(self) -> list[Period]:
        """Every period any finance figure is given for, in time order."""
        periods: set[Period] = set()
        for group in FINANCE_GROUPS:
            periods.update(self.group_periods(group))
        for a in self.assumptions:
            periods.update(a.values)
        return sorted(periods)

    def allocation_base_for(self, period: Period) -> Decimal | None:
        """The allocation a business rule is measured against: the allocation lines' sum where it
        is complete, else the stated allocation total."""
        total = self.group_total("allocation", period)
        if total.parts and not total.incomplete:
            return total.value
        stated = self.group_stated("allocation").get(period)
        return stated[0].number if stated and stated[0].is_number else None

    def rule_checks(self) -> list[BusinessRule]:
        """Every business rule for every period where the line it measures has a figure, in time
        order then rule order."""
        by_role = {line.role: line for line in reversed(self.all_lines()) if line.role}
        checks = []
        for role, name, required in BUSINESS_RULES:
            line = by_role.get(role)
            if line is None:
                continue
            for period in sorted(set(line.amounts) | set(line.percent)):
                value = line.amounts.get(period)
                base = self.allocation_base_for(period)
                percent = None
                if base and value is not None and value.is_number:
                    percent = (value.number / base * 100).quantize(Decimal("0.01"))
                stated = line.percent.get(period)
                from_stated = percent is None and stated is not None and stated.is_number
                if from_stated:
                    percent = stated.number
                path = (line.amounts_path if period in line.amounts else line.path + ("percent",)) + (period.text,)
                checks.append(BusinessRule(name, required, value, percent, period, stated, line.rag.get(period),
                                           path, role, from_stated))
        order = {role: i for i, (role, _, _) in enumerate(BUSINESS_RULES)}
        return sorted(checks, key=lambda r: (r.period, order[r.role]))


@dataclass(slots=True)
class BcfScheme:
    id: str
    title: str
    heading: str | None
    description: str | None
    funding: dict[FinancialYear, Value]
    path: tuple


@dataclass(slots=True)
class Bcf:
    unit: MoneyUnit
    schemes: list[BcfScheme]
    minimum_contribution: dict[FinancialYear, Value]
    actual_contribution: dict[FinancialYear, Value]
    metrics: list[Indicator]

    @property
    def years(self) -> list[FinancialYear]:
        years: set[FinancialYear] = set(self.minimum_contribution) | set(self.actual_contribution)
        for s in self.schemes:
            years.update(s.funding)
        return sorted(years)

    def funding_total(self, year: FinancialYear) -> Total:
        return Total.of(s.funding.get(year) for s in self.schemes)


@dataclass(slots=True)
class Plan:
    source: str
    organisation: Organisation
    meta: PlanMeta
    vision: Vision
    domains: list[Domain]
    actions: list[Action]
    qipp: Qipp | None
    risks: list[Risk]
    indicators: list[Indicator]
    finance: Finance | None
    bcf: Bcf | None
    risk_bands: dict[str, int]
    tbcs: list[TbcItem]

    def domain(self, domain_id: str | None) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)

    def domain_title(self, domain_id: str | None) -> str:
        d = self.domain(domain_id)
        return d.title if d else (domain_id or "")

    @property
    def quarters(self) -> list[Quarter]:
        return [q for year in self.meta.years for q in year.quarters()]

    @property
    def milestones(self) -> list[tuple[Action, Milestone]]:
        return [(a, m) for a in self.actions for m in a.milestones]

    @property
    def open_risks(self) -> list[Risk]:
        return [r for r in self.risks if r.is_open]

    def risks_in_bands(self, *bands: str) -> list[Risk]:
        chosen = [r for r in self.open_risks if r.band in bands]
        return sorted(chosen, key=lambda r: (-BAND_ORDER.get(r.band or "", -1), -(r.score or 0)))

    @property
    def headline_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.headline] or self.indicators[:6]


# --- building ----------------------------------------------------------------------------------

def _fy_map(raw: dict | None, tbcs: list[TbcItem], path: tuple, label: str) -> dict[FinancialYear, Value]:
    out: dict[FinancialYear, Value] = {}
    for key, value in (raw or {}).items():
        year = _parse(FinancialYear.parse, key)
        if year is None:
            continue
        out[year] = Value.of(value)
        if out[year].is_tbc:
            tbcs.append(TbcItem(path + (key,), f"{label} {key}"))
    return out


def _as_periods(mapping: dict[FinancialYear, Value]) -> dict[Period, Value]:
    return {Period.parse(year.label): value for year, value in mapping.items()}


def _period_map(raw: dict | None, tbcs: list[TbcItem] | None, path: tuple, label: str) -> dict[Period, Value]:
    """Figures by period ({"2012/13": 2100, "2013-12": tbc}), in time order; a key that is not a
    period is left out here (opgen validate reports it)."""
    out: dict[Period, Value] = {}
    for key, value in (raw or {}).items():
        period = _parse(Period.parse, key)
        if period is None:
            continue
        out[period] = Value.of(value)
        if tbcs is not None and out[period].is_tbc:
            tbcs.append(TbcItem(path + (key,), f"{label} {period.words}"))
    return dict(sorted(out.items()))


def _finance_lines(raw: list | None, tbcs: list[TbcItem]) -> list[FinanceLine]:
    out = []
    for i, item in enumerate(raw or []):
        path = ("finance", "lines", i)
        rag = {}
        for key, colour in (item.get("rag") or {}).items():
            period = _parse(Period.parse, key)
            if period is not None:
                rag[period] = colour
        out.append(FinanceLine(
            id=item["id"], title=item["title"], group=item.get("group") or "other",
            amounts=_period_map(item.get("amounts"), tbcs, path + ("amounts",), f"Finance line {item['id']}"),
            percent=_period_map(item.get("percent"), tbcs, path + ("percent",), f"Finance line {item['id']} percent"),
            rag=dict(sorted(rag.items())), note=item.get("note"), role=item.get("role"), path=path,
            amounts_path=path + ("amounts",)))
    return out


def _parse(parser, text):
    try:
        return parser(text)
    except (PeriodError, TypeError):
        return None


def _date(text: str | None) -> PlanDate | None:
    if not text or text == "tbc":
        return None
    return _parse(PlanDate.parse, str(text))


def _position(raw: dict | None) -> RiskPosition | None:
    if raw and isinstance(raw.get("likelihood"), int) and isinstance(raw.get("impact"), int):
        return RiskPosition(raw["likelihood"], raw["impact"])
    return None


def _indicator(raw: dict, path: tuple, tbcs: list[TbcItem]) -> Indicator:
    label = f"Indicator {raw['id']}"
    baseline = raw.get("baseline") or {}
    baseline_value = Value.of(baseline["value"]) if "value" in baseline else None
    if baseline_value and baseline_value.is_tbc:
        tbcs.append(TbcItem(path + ("baseline", "value"), f"{label} baseline"))
    actuals: dict[Quarter, Value] = {}
    for key, value in (raw.get("actuals") or {}).items():
        quarter = _parse(Quarter.parse, key)
        if quarter is not None:
            actuals[quarter] = Value.of(value)
            if actuals[quarter].is_tbc:
                tbcs.append(TbcItem(path + ("actuals", key), f"{label} actual {key}"))
    return Indicator(
        id=raw["id"], domain_id=raw.get("domain"), title=raw["title"], unit=raw["unit"],
        polarity=raw["polarity"], headline=bool(raw.get("headline")), source=raw.get("source"),
        baseline=baseline_value, baseline_period=baseline.get("period"),
        targets=_fy_map(raw.get("targets"), tbcs, path + ("targets",), f"{label} target"),
        actuals=actuals, path=path,
    )


def _money_lines(raw: list | None, path: tuple, tbcs: list[TbcItem], label: str) -> list[MoneyLine]:
    return [MoneyLine(item["id"], item["title"],
                      _fy_map(item["amounts"], tbcs, path + (i, "amounts"), f"{label} {item['id']}"),
                      path + (i,))
            for i, item in enumerate(raw or [])]


def build(data: dict, source: str = "<plan>") -> Plan:
    """Build the typed plan from schema-valid data."""
    tbcs: list[TbcItem] = []
    org = data["organisation"]
    p = data["plan"]
    start = _parse(FinancialYear.parse, p["period"]["start"]) or FinancialYear(2000)
    end = _parse(FinancialYear.parse, p["period"]["end"]) or start
    as_at = _parse(Quarter.parse, p["as_at"]) or Quarter(start, 1)
    meta = PlanMeta(
        title=p["title"], subtitle=p.get("subtitle"), start=start, end=end, as_at=as_at,
        version=str(p["version"]), status=p["status"], date=p.get("date"),
        signatories=[Signatory(s["name"], s["role"], s.get("date")) for s in p.get("signatories") or []],
        history=[HistoryEntry(str(h["version"]), h.get("date"), h.get("author"), h.get("summary"))
                 for h in p.get("history") or []],
    )
    bands = dict(p.get("risk_bands") or DEFAULT_BANDS)
    v = data["vision"]
    vision = Vision(v["mission"], [VisionStatement(s["label"], s["text"]) for s in v.get("statements") or []],
                    list(v.get("values") or []))

    domains = [Domain(d["id"], d["title"], d.get("lead"), d.get("description"), list(d.get("outcomes") or []),
                      ("domains", i)) for i, d in enumerate(data["domains"])]
    by_id = {d.id: d for d in reversed(domains)}

    actions = []
    for i, a in enumerate(data["actions"]):
        path = ("actions", i)
        milestones = []
        for j, m in enumerate(a.get("milestones") or []):
            due_text = m.get("due")
            if due_text == "tbc":
                tbcs.append(TbcItem(path + ("milestones", j, "due"), f"Milestone {m['id']} due date"))
            milestones.append(Milestone(m["id"], m["title"], _date(due_text), due_text, m.get("status"),
                                        path + ("milestones", j)))
        rag: dict[Quarter, str] = {}
        for year_text, quarters in (a.get("rag") or {}).items():
            year = _parse(FinancialYear.parse, year_text)
            if year is None:
                continue
            for key, colour in (quarters or {}).items():
                rag[Quarter(year, int(key[1]))] = colour
        for field_name in ("start", "due"):
            if a.get(field_name) == "tbc":
                tbcs.append(TbcItem(path + (field_name,), f"Action {a['id']} {field_name} date"))
        action = Action(
            id=a["id"], domain_id=a["domain"], title=a["title"], lead=a.get("lead"),
            description=a.get("description"), mitigation=a.get("mitigation"),
            start=_date(a.get("start")), due=_date(a.get("due")), start_text=a.get("start"),
            due_text=a.get("due"), milestones=milestones, rag=dict(sorted(rag.items())), path=path,
        )
        action.current_rag = action.rag_as_at(as_at)
        actions.append(action)
        if action.domain_id in by_id:
            by_id[action.domain_id].actions.append(action)

    qipp = None
    if q := data.get("qipp"):
        schemes = []
        for i, s in enumerate(q["schemes"]):
            path = ("qipp", "schemes", i)
            schemes.append(QippScheme(
                id=s["id"], domain_id=s.get("domain"), title=s["title"], provider=s.get("provider"),
                point_of_delivery=s.get("point_of_delivery"), lead=s.get("lead"),
                savings=_fy_map(s.get("savings"), tbcs, path + ("savings",), f"QIPP {s['id']} savings"),
                investment=_fy_map(s.get("investment"), tbcs, path + ("investment",), f"QIPP {s['id']} investment"),
                confidence=s.get("confidence"), note=s.get("note"), path=path,
            ))
        qipp = Qipp(MoneyUnit(q["unit"]), schemes,
                    _fy_map(q.get("stated_total"), tbcs, ("qipp", "stated_total"), "QIPP stated net total"),
                    _fy_map(q.get("stated_savings_total"), tbcs, ("qipp", "stated_savings_total"), "QIPP stated savings total"),
                    _fy_map(q.get("stated_investment_total"), tbcs, ("qipp", "stated_investment_total"),
                            "QIPP stated investment total"))

    risks = [Risk(
        id=r["id"], title=r["title"], description=r.get("description"), domain_id=r.get("domain"),
        owner=r.get("owner"), status=r.get("status", "open"), current=_position(r),
        gross=_position(r.get("gross")), target=_position(r.get("target")), rating=r.get("rating"),
        mitigation=r.get("mitigation"), path=("risks", i), bands=bands,
    ) for i, r in enumerate(data.get("risks") or [])]

    indicators = [_indicator(raw, ("indicators", i), tbcs) for i, raw in enumerate(data.get("indicators") or [])]

    finance = None
    if f := data.get("finance"):
        finance = Finance(
            unit=MoneyUnit(f["unit"]),
            allocation=_money_lines(f.get("allocation"), ("finance", "allocation"), tbcs, "Allocation"),
            allocation_stated_total=_fy_map(f.get("allocation_stated_total"), tbcs,
                                            ("finance", "allocation_stated_total"), "Allocation stated total"),
            expenditure=_money_lines(f.get("expenditure"), ("finance", "expenditure"), tbcs, "Budget"),
            expenditure_stated_total=_fy_map(f.get("expenditure_stated_total"), tbcs,
                                             ("finance", "expenditure_stated_total"), "Budget stated total"),
            surplus=_fy_map(f.get("surplus"), tbcs, ("finance", "surplus"), "Planned surplus"),
            contingency=_fy_map(f.get("contingency"), tbcs, ("finance", "contingency"), "Contingency"),
            non_recurrent=_fy_map(f.get("non_recurrent"), tbcs, ("finance", "non_recurrent"), "Non-recurrent"),
            note=f.get("note"), path=("finance",),
            lines=_finance_lines(f.get("lines"), tbcs),
            stated_totals={group: _period_map(mapping, tbcs, ("finance", "stated_totals", group),
                                              f"{group.title()} stated total")
                           for group, mapping in (f.get("stated_totals") or {}).items()},
            assumptions=[Assumption(a["id"], a["title"],
                                    _period_map(a.get("values"), tbcs, ("finance", "assumptions", i, "values"),
                                                f"Planning assumption {a['id']}"),
                                    a.get("note"), ("finance", "assumptions", i))
                         for i, a in enumerate(f.get("assumptions") or [])],
        )

    bcf = None
    if b := data.get("bcf"):
        bcf = Bcf(
            unit=MoneyUnit(b["unit"]),
            schemes=[BcfScheme(s["id"], s["title"], s.get("heading"), s.get("description"),
                               _fy_map(s.get("funding"), tbcs, ("bcf", "schemes", i, "funding"), f"BCF {s['id']} funding"),
                               ("bcf", "schemes", i))
                     for i, s in enumerate(b.get("schemes") or [])],
            minimum_contribution=_fy_map(b.get("minimum_contribution"), tbcs, ("bcf", "minimum_contribution"),
                                         "BCF minimum contribution"),
            actual_contribution=_fy_map(b.get("actual_contribution"), tbcs, ("bcf", "actual_contribution"),
                                        "BCF actual contribution"),
            metrics=[_indicator(raw, ("bcf", "metrics", i), tbcs) for i, raw in enumerate(b.get("metrics") or [])],
        )

    return Plan(
        source=source,
        organisation=Organisation(org["name"], org.get("short_name"), org.get("code")),
        meta=meta, vision=vision, domains=domains, actions=actions, qipp=qipp, risks=risks,
        indicators=indicators, finance=finance, bcf=bcf, risk_bands=bands, tbcs=tbcs,
    )
