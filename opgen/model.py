"""The plan as typed objects with derived figures: totals (TBC-aware), risk scores and bands, the
RAG at the plan's reporting quarter, and the TBC inventory.

Built from schema-valid data (see validate). Every item keeps `path`, its place in the YAML, so a
rule or a diff can point back at the source line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from opgen.governance import Framework, Governance, build_frameworks, build_governance
from opgen.periods import FinancialYear, Period, PeriodError, PlanDate, Quarter, When
from opgen import schedules

RAG_LABELS = {"red": "Red", "amber_red": "Amber/red", "amber": "Amber", "amber_green": "Amber/green",
              "green": "Green", "blue": "Complete", "grey": "Not started"}
# worst to best; grey is not a delivery judgement. amber_red and amber_green are the five-point scale's.
RAG_ORDER = {"red": 0, "amber_red": 1, "amber": 2, "amber_green": 3, "green": 4, "blue": 5}
FIVE_POINT_ONLY = ("amber_red", "amber_green")
RISK_RATINGS = ("low", "moderate", "high", "extreme")
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


COMPARISONS = ("at_most", "at_least", "exactly")


@dataclass(frozen=True, slots=True)
class Revision:
    """What a figure was before it was revised (a target's earlier ambition): the earlier value, when
    the revision was made (a date, month, quarter or year, as written), who agreed it and why."""

    value: "Value"
    date: str | None = None
    by: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """The change a target level means, as the source states it beside the level (version 2)."""
    comparison: str          # reduce_by | increase_by
    amount: Decimal | None
    unit: str | None         # percent, or None for an amount in the indicator's own unit


@dataclass(frozen=True, slots=True)
class Value:
    """A figure a plan may not know yet: a number, tbc, n/a or not stated (the source names the thing
    but gives no figure: never 0, never summed). A number may carry its kind (`comparison`: at_most,
    at_least or exactly), the count behind it (`numerator` of `denominator`) and what it was before a
    revision (`revised_from`)."""

    kind: str  # number | tbc | na | not_stated
    number: Decimal | None = None
    comparison: str | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    revised_from: Revision | None = None
    # a target stated against the present (indicators v2): kind "relative" has no figure of its own
    # ({comparison: maintain} or {see: KPI-X}); change_unit is "percent" for reduce_by 5 percent
    change_unit: str | None = None
    see: str | None = None
    # a level stated with the change it means (version 2): "104.71 (Reduction of 1%)" is
    # {value: 104.71, change: {comparison: reduce_by, value: 1, unit: percent}}
    change: "Change | None" = None

    @classmethod
    def of(cls, raw: Any) -> "Value":
        if isinstance(raw, dict):
            return cls.detailed(raw)
        if raw == "tbc":
            return cls("tbc")
        if raw == "n/a":
            return cls("na")
        if raw == "not_stated":
            return cls("not_stated")
        text = getattr(raw, "text", None) or str(raw)
        try:
            return cls("number", Decimal(text.replace("_", "")))
        except InvalidOperation:
            return cls("number", Decimal(repr(float(raw))))

    @classmethod
    def detailed(cls, raw: dict) -> "Value":
        """{value: 97, comparison: at_most}, {value: 439, numerator: 439, denominator: 500},
        {value: 0.8, revised_from: {value: 3.5, date: 2015-03, by: ..., reason: ...}}."""
        base = cls.of(raw["value"]) if "value" in raw and not isinstance(raw["value"], dict) else cls("not_stated")
        revision = raw.get("revised_from")
        revised = None
        if isinstance(revision, dict) and "value" in revision and not isinstance(revision["value"], dict):
            revised = Revision(cls.of(revision["value"]), _text(revision.get("date")), _text(revision.get("by")),
                               revision.get("reason"))
        kind = base.kind
        if "value" not in raw and (raw.get("comparison") == "maintain" or isinstance(raw.get("see"), str)):
            kind = "relative"  # maintain the current level, or as another indicator's target
        change = raw.get("change")
        change = (Change(change["comparison"], _decimal(change.get("value")), _text(change.get("unit")))
                  if isinstance(change, dict) and change.get("comparison") in ("reduce_by", "increase_by") else None)
        return cls(kind, base.number, raw.get("comparison"), _decimal(raw.get("numerator")),
                   _decimal(raw.get("denominator")), revised, _text(raw.get("unit")), _text(raw.get("see")), change)

    @property
    def is_number(self) -> bool:
        return self.kind == "number"

    @property
    def is_tbc(self) -> bool:
        return self.kind == "tbc"

    @property
    def is_not_stated(self) -> bool:
        return self.kind == "not_stated"

    def display(self, suffix: str = "") -> str:
        if self.kind == "tbc":
            return "TBC"
        if self.kind == "na":
            return "n/a"
        if self.kind == "not_stated":
            return "Not stated"
        if self.kind == "relative":
            return ""  # no figure of its own: display.indicator_value says it in words
        return format_decimal(self.number) + suffix

    def as_json(self) -> Any:
        if self.kind == "relative":
            return self.comparison or f"see:{self.see}"
        return {"tbc": "tbc", "na": "n/a", "not_stated": "not_stated"}.get(self.kind) or str(self.number)


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return None
    return Value.of(raw).number


@dataclass(frozen=True, slots=True)
class Total:
    """A sum over values; `incomplete` when any part is TBC or not stated (neither is ever summed as
    0). `unstated_only` when every part left out is one the source does not state (no TBC): the total
    then reads "+ not stated", not "+ TBC"."""

    value: Decimal
    incomplete: bool = False
    parts: int = 0
    unstated_only: bool = False

    @classmethod
    def of(cls, values: Iterable[Value | None]) -> "Total":
        total, tbc, unstated, parts = Decimal(0), False, False, 0
        for v in values:
            if v is None or v.kind == "na":
                continue
            if v.kind == "tbc":
                tbc = True
                continue
            if v.kind == "not_stated":
                unstated = True
                continue
            total += v.number
            parts += 1
        return cls(total, tbc or unstated, parts, unstated and not tbc)

    def __sub__(self, other: "Total") -> "Total":
        incomplete = self.incomplete or other.incomplete
        unstated = incomplete and all(t.unstated_only or not t.incomplete for t in (self, other))
        return Total(self.value - other.value, incomplete, self.parts + other.parts, unstated)

    def display(self) -> str:
        text = format_decimal(self.value)
        if not self.incomplete:
            return text
        return f"{text} + not stated" if self.unstated_only else f"{text} + TBC"


@dataclass(slots=True)
class TbcItem:
    """One value still to be confirmed, for the inventory."""

    path: tuple
    label: str
    what: str = "value"   # what is unconfirmed, for the fix: "value", "period", "date", "version", "lead"...


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
    reviewers: list[str] = field(default_factory=list)
    status: str | None = None


@dataclass(slots=True)
class Contact:
    name: str | None  # None where the source names the role only
    role: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(slots=True)
class Approval:
    body: str
    date: str | None = None       # a date (2014-02-27) or a month (2014-02), as written
    decision: str | None = None   # approved | endorsed | noted | approved_with_changes | deferred | pending
    note: str | None = None


@dataclass(slots=True)
class Scales:
    """The plan's own vocabulary (`scales:`): its RAG scale and the other words it uses for risk ratings."""

    rag: str = "three_point"
    risk_aliases: dict[str, str] = field(default_factory=dict)  # lower-cased alias -> canonical rating
    schedule: dict[str, schedules.LegendEntry] = field(default_factory=dict)         # phase code -> label
    milestone_types: dict[str, schedules.LegendEntry] = field(default_factory=dict)  # type code -> label

    @property
    def five_point(self) -> bool:
        return self.rag == "five_point"

    def risk_rating(self, word: str | None) -> str | None:
        """The canonical rating (low, moderate, high, extreme) a plan's word stands for, or None."""
        if word is None:
            return None
        text = " ".join(str(word).split())
        if text in RISK_RATINGS:
            return text
        return self.risk_aliases.get(text.lower())


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
    contacts: list[Contact] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    drivers: list["Driver"] = field(default_factory=list)
    refreshes: str | None = None  # Markdown: the parent strategy this plan refreshes
    providers: list["Provider"] = field(default_factory=list)
    as_at_stated: bool = True     # False where the plan gives no as_at (it reports no RAG): never printed

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


PROVIDER_KINDS = ("acute", "community", "mental_health", "ambulance", "primary_care", "social_care", "other")


@dataclass(slots=True)
class Provider:
    """A provider the plan names (`plan.providers`): a trust whose plan it refers to or contracts with."""

    id: str
    title: str
    kind: str | None
    note: str | None
    path: tuple


@dataclass(slots=True)
class Driver:
    """A strategy, policy or input the plan responds to (`plan.drivers`)."""

    id: str
    title: str
    kind: str | None  # national | regional | local | provider | engagement | other
    note: str | None
    path: tuple


@dataclass(slots=True)
class Assessment:
    """A qualitative status against an indicator where the source gives no figure."""

    status: str  # above_target | on_target | below_target | improving | no_change | worsening
    period: Period | None
    period_text: str | None
    note: str | None


@dataclass(slots=True)
class VisionStatement:
    label: str
    text: str


@dataclass(slots=True)
class Vision:
    mission: str | None  # None where the source states none
    statements: list[VisionStatement]
    values: list[str]


@dataclass(slots=True)
class Milestone:
    id: str
    title: str
    due: When | None
    due_text: str | dict | None  # as written: a plan date, ongoing, tbc, {throughout: ...} or {from: ..., to: ...}
    status: str | None
    path: tuple
    see: list[str] = field(default_factory=list)
    type: str | None = None  # a code from scales.milestone_types
    forecast_text: str | dict | None = None  # when the lead now expects it, as written (quarterly returns)

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
    start: When | None
    due: When | None
    start_text: str | dict | None  # as written (see Milestone.due_text)
    due_text: str | dict | None
    milestones: list[Milestone]
    rag: dict[Quarter, str]
    path: tuple
    current_rag: str | None = None
    parent: str | None = None
    see: list[str] = field(default_factory=list)
    contact: str | None = None
    status: str | None = None       # not_started | in_progress | paused | stopped | revised | complete
    status_note: str | None = None  # Markdown
    reports_to: str | None = None   # who progress is reported to, e.g. "NHS England"
    schedule: list[schedules.Span] = field(default_factory=list)  # phases in time order (opgen.schedules)
    aligns: list[str] = field(default_factory=list)  # framework item ids it addresses (opgen.governance)
    category: str | None = None     # the kind of change, in the source's words (version 2)
    programmes: list[str] = field(default_factory=list)  # ids of plan drivers it is part of (version 2)
    # quarterly returns: the lead's commentary and path to green by quarter ({"commentary": ..., "path_to_green": ...})
    updates: dict[Quarter, dict[str, str]] = field(default_factory=dict)

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
    due: When | None = None                # one due date for the group ("over the next 12 months")
    due_text: str | dict | None = None     # as written
    reports_to: str | None = None          # who progress is reported to
    aligns: list[str] = field(default_factory=list)  # framework item ids it addresses (opgen.governance)

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
    confidence: str | None  # a RAG colour, or "tbc"
    note: str | None
    path: tuple
    see: list[str] = field(default_factory=list)
    forecast: dict[Quarter, Value] = field(default_factory=dict)  # forecast savings for the quarter's year, by quarter

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

    @property
    def has_amounts(self) -> bool:
        """Whether a scheme gives an amount (a figure or a TBC) or the plan states a total; without,
        the papers say so in a sentence rather than print tables of dashes."""
        return bool(self.stated_total) or any(t.parts or t.incomplete for y in self.years
                                              for t in (self.savings(y), self.investment(y)))

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
    rating: str | None          # canonical: low, moderate, high or extreme
    mitigation: str | None
    path: tuple
    bands: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_BANDS))
    rating_word: str | None = None  # the plan's own word where it is an alias ("medium"), else None
    see: list[str] = field(default_factory=list)
    updates: dict[Quarter, str] = field(default_factory=dict)  # mitigation update by quarter (quarterly returns)
    scores: dict[Quarter, int] = field(default_factory=dict)  # likelihood x impact reported by quarter (risk history)

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


@dataclass(frozen=True, slots=True)
class Benchmark:
    """How an indicator compares in one period (indicators v2): national, regional, county, peer
    median and percentiles (each a figure, None where not given), and the plan's rank of N."""

    period: Period | None
    period_text: str
    national: Value | None = None
    regional: Value | None = None
    county: Value | None = None
    median: Value | None = None
    p25: Value | None = None
    p75: Value | None = None
    rank: tuple[int, int] | None = None  # (value, of)
    peer_group: str | None = None
    source: str | None = None


BENCHMARK_FIELDS = ("national", "regional", "county", "median", "p25", "p75")


@dataclass(slots=True)
class IndicatorArea:
    """An indicator broken down by area, locality, provider or practice, with its own figures."""

    id: str
    title: str
    kind: str | None
    baseline: Value | None
    baseline_period: Period | None
    targets: dict[Period, Value]
    actuals: dict[Period, Value]
    path: tuple


@dataclass(slots=True)
class Indicator:
    id: str
    domain_id: str | None
    title: str
    unit: str | None        # None where the source does not say
    polarity: str | None    # None where the source does not say: no arrow, no "better" or "worse"
    headline: bool
    source: str | None
    baseline: Value | None
    baseline_period: Period | None
    targets: dict[Period, Value]  # any period, sorted by time
    actuals: dict[Period, Value]
    path: tuple
    baseline_period_text: str | None = None  # as written: a period, or tbc
    code: str | None = None  # national code, e.g. "E.B.1"
    assessments: list[Assessment] = field(default_factory=list)
    group: str | None = None  # nhs_constitution, ccg_outcomes, quality_premium, bcf, local, other
    benchmarks: list[Benchmark] = field(default_factory=list)  # sorted by period
    trajectory: dict[Period, Value] = field(default_factory=dict)
    areas: list[IndicatorArea] = field(default_factory=list)

    @property
    def baseline_period_words(self) -> str:
        """The baseline's period in words ('Dec 2013', '12 months to Jun 2013'), 'TBC', or ''."""
        if self.baseline_period is not None:
            return self.baseline_period.words
        return "TBC" if self.baseline_period_text == "tbc" else ""
    see: list[str] = field(default_factory=list)
    aligns: list[str] = field(default_factory=list)  # framework item ids it addresses (opgen.governance)
    frequency: str | None = None  # how often it is monitored, as the source says (version 2)

    @property
    def suffix(self) -> str:
        return INDICATOR_SUFFIX.get(self.unit or "", "")

    @property
    def unit_label(self) -> str:
        """The unit in words, or "" where the plan does not say."""
        return UNIT_LABELS.get(self.unit, self.unit) if self.unit else ""

    def show(self, value: Value | None) -> str:
        if value is None:
            return "\u2013"
        return ("£" if self.unit == "gbp" and value.is_number else "") + value.display(self.suffix)

    @property
    def polarity_label(self) -> str:
        """'Lower is better', 'Higher is better', or "" where the plan does not say."""
        return {"lower_is_better": "Lower is better", "higher_is_better": "Higher is better"}.get(self.polarity or "", "")

    def latest_actual(self) -> tuple[Period, Value] | None:
        """The actual for the period that ends last (of two ending together, the shorter)."""
        if not self.actuals:
            return None
        period = max(self.actuals, key=lambda p: (p.last_day, p.first_day))
        return period, self.actuals[period]


@dataclass(slots=True)
class MoneyLine:
    id: str
    title: str
    amounts: dict[FinancialYear, Value]
    path: tuple


@dataclass(slots=True)
class BusinessRule:
    name: str
    required_percent: Decimal | None      # None: no rule known for the period (see BUSINESS_RULE_LIMITS)
    value: Value | None
    percent: Decimal | None
    period: Period | None = None          # the period the figures are for
    stated_percent: Value | None = None   # the percentage the plan itself states for the line
    rag: str | None = None                # the plan's own rating of the line for the period
    path: tuple = ()                      # the figure's place in the YAML
    role: str = ""                        # surplus | contingency | non_recurrent
    percent_stated: bool = False          # `percent` is the plan's own (no allocation to compute it from)

    no_rule: str = ""                     # why no threshold is known for the period (then not judged)

    @property
    def met(self) -> bool | None:
        """Met or not; None where there is nothing to judge by: no percentage of allocation, or no
        rule known for the period (`no_rule`)."""
        if self.percent is None or self.required_percent is None:
            return None
        return self.percent >= self.required_percent


# The finance groups, in the order the papers show them, and the NHS business rules: the line role
# each measures, its name and the least percentage of allocation it asks for.
FINANCE_GROUPS = ("allocation", "expenditure", "position", "other")
TOTALLED_GROUPS = ("allocation", "expenditure")  # the groups whose lines add up to a total
BUSINESS_RULES = (("surplus", "Surplus", Decimal("1")), ("contingency", "Contingency", Decimal("0.5")),
                  ("non_recurrent", "Non-recurrent", Decimal("2.5")))
# Where a rule above is not known to hold: (the first financial year it is not, why, in words). The
# planning rules changed from year to year, and a figure is judged only against a rule a source
# states for its year. The non-recurrent rule: 2.5% is the rule of the data contract (plans to
# 2014/15); for 2015/16 no source states a rule for a CCG (the seeds: the only non-recurrent
# percentage is NHS England (Kent and Medway)'s own 2.5% "Headroom", Kent HWB commissioning plans
# 2015, paragraph 168; South Kent Coast's 2015/16 top slice is given as money only). So from
# 2015/16 on, a non-recurrent figure is shown and not judged.
BUSINESS_RULE_LIMITS: dict[str, tuple[FinancialYear, str]] = {
    "non_recurrent": (FinancialYear(2015), "the sources state no non-recurrent spending rule for a CCG for "
                                           "this year"),
}


def business_rule_for(role: str, required: Decimal, period: Period) -> tuple[Decimal | None, str]:
    """The percentage a business rule asks for in a period, or (None, why) where no rule is known."""
    limit = BUSINESS_RULE_LIMITS.get(role)
    if limit and period.first_day >= limit[0].first_day:
        return None, limit[1]
    return required, ""


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
                required_here, no_rule = business_rule_for(role, required, period)
                checks.append(BusinessRule(name, required_here, value, percent, period, stated, line.rag.get(period),
                                           path, role, from_stated, no_rule))
        order = {role: i for i, (role, _, _) in enumerate(BUSINESS_RULES)}
        return sorted(checks, key=lambda r: (r.period, order[r.role]))


@dataclass(slots=True)
class Requirement:
    """A BCF scheme's requirements (version 2): one requirement (title None, one item) or a group of
    them under the source's own heading."""
    title: str | None
    items: list[str]


def _requirements(raw: list | None) -> list[Requirement]:
    out = []
    for r in raw or []:
        if isinstance(r, dict):
            out.append(Requirement(r.get("title"), [str(x) for x in r.get("items") or []]))
        elif r is not None:
            out.append(Requirement(None, [str(r)]))
    return out


@dataclass(slots=True)
class BcfScheme:
    id: str
    title: str
    heading: str | None
    description: str | None
    funding: dict[FinancialYear, Value]   # the amount, or a range's maximum ("up to")
    path: tuple
    funding_min: dict[FinancialYear, Value] = field(default_factory=dict)  # a range's minimum (version 2)
    recurrent: dict[FinancialYear, bool] = field(default_factory=dict)     # where the plan says (version 2)
    open_ranges: set[FinancialYear] = field(default_factory=set)           # a minimum with no maximum
    requirements: list[Requirement] = field(default_factory=list)           # what it must deliver (version 2)

    def minimum(self, year: FinancialYear) -> Value | None:
        """The low end of a year's funding: a range's minimum, else the one amount."""
        return self.funding_min.get(year, self.funding.get(year))


@dataclass(slots=True)
class BcfContribution:
    """Who pays into the pooled budget (version 2)."""
    id: str
    organisation: str
    minimum: dict[FinancialYear, Value]
    actual: dict[FinancialYear, Value]
    holds_pool: bool
    note: str | None
    path: tuple

    @property
    def title(self) -> str:  # the diff and the item index name items by title
        return self.organisation


@dataclass(slots=True)
class Bcf:
    unit: MoneyUnit
    schemes: list[BcfScheme]
    minimum_contribution: dict[FinancialYear, Value]
    actual_contribution: dict[FinancialYear, Value]
    metrics: list[Indicator]
    contributions: list[BcfContribution] = field(default_factory=list)
    stated_totals: dict[FinancialYear, Value] = field(default_factory=dict)
    risks: list[Risk] = field(default_factory=list)

    @property
    def years(self) -> list[FinancialYear]:
        years: set[FinancialYear] = set(self.minimum_contribution) | set(self.actual_contribution)
        years |= set(self.stated_totals)
        for s in self.schemes:
            years.update(s.funding)
        for c in self.contributions:
            years.update(c.minimum)
            years.update(c.actual)
        return sorted(years)

    @property
    def has_ranges(self) -> bool:
        return any(s.funding_min for s in self.schemes)

    def funding_total(self, year: FinancialYear) -> Total:
        return Total.of(s.funding.get(year) for s in self.schemes)

    def funding_min_total(self, year: FinancialYear) -> Total:
        """The sum of the low ends (a range's minimum, else the amount)."""
        return Total.of(s.minimum(year) for s in self.schemes)

    def stated_sum(self, year: FinancialYear) -> Total | None:
        """What a stated total for `year` is checked against: the schemes' sum, or with ranges the
        nearer end (sum of minima or of maxima); None when a stated number lies within the range."""
        stated = self.stated_totals.get(year)
        high, low = self.funding_total(year), self.funding_min_total(year)
        if stated is None or not stated.is_number or high.incomplete or low.incomplete or not high.parts:
            return high
        slack = total_tolerance(stated.number)
        if low.value - slack <= stated.number <= high.value + slack:
            return None
        return low if stated.number < low.value else high

    def contribution_total(self, year: FinancialYear, name: str) -> Total:
        """The contributions' minimum or actual ('minimum', 'actual') summed for a year."""
        return Total.of(getattr(c, name).get(year) for c in self.contributions)


@dataclass(slots=True)
class Placement:
    """Where a narrative chapter goes: `relation` is "before", "after" or "appendix"; `target` the
    built-in chapter or section id it is placed against (None for an appendix)."""

    relation: str
    target: str | None = None


@dataclass(slots=True)
class Section:
    """A narrative chapter (level 1) or one of its subsections (levels 2 and 3): Markdown body,
    placed among the built-in chapters of the full plan (opgen.chapters decides where)."""

    id: str
    title: str
    body: str | None
    place: Placement | None
    sections: list["Section"]
    level: int
    path: tuple

    def walk(self) -> Iterable["Section"]:
        """This section, then its subsections, depth first."""
        yield self
        for child in self.sections:
            yield from child.walk()


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
    sections: list[Section] = field(default_factory=list)   # narrative chapters, top level, in plan order
    tables: list["Table"] = field(default_factory=list)
    scales: Scales = field(default_factory=Scales)
    governance: Governance | None = None                      # governance bodies (opgen.governance)
    frameworks: list[Framework] = field(default_factory=list)  # outcome frameworks items align to
    glossary: list[tuple[str, str]] = field(default_factory=list)  # (term, meaning) the plan defines (`glossary`)
    theme: "Theme | None" = None   # house style (opgen.theme), read and checked by opgen.validate

    def domain(self, domain_id: str | None) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)

    def domain_title(self, domain_id: str | None) -> str:
        d = self.domain(domain_id)
        return d.title if d else (domain_id or "")

    def action(self, action_id: str | None) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def sub_actions(self, action_id: str) -> list[Action]:
        return [a for a in self.actions if a.parent == action_id]

    def items_by_id(self) -> dict[str, tuple[str, str]]:
        """Every id'd item a `see:` may name: id -> (what it is, its title)."""
        out: dict[str, tuple[str, str]] = {}
        for kind, items in (("action", self.actions), ("milestone", [m for _, m in self.milestones]),
                            ("QIPP scheme", self.qipp.schemes if self.qipp else []), ("risk", self.risks),
                            ("indicator", self.indicators), ("domain", self.domains)):
            for item in items:
                out.setdefault(item.id, (kind, item.title))
        return out

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
    def all_sections(self) -> list[Section]:
        """Every narrative chapter and subsection, depth first (a chapter before its subsections)."""
        return [x for s in self.sections for x in s.walk()]

    @property
    def headline_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.headline] or self.indicators[:6]


def target_periods(indicators: Iterable[Indicator], years: Iterable[FinancialYear] = ()) -> list[Period]:
    """The periods a table of indicators has a target column for: every period any of them has a
    target for, and the given financial years (the plan's), sorted by time."""
    periods = {Period.parse(y.label) for y in years}
    for indicator in indicators:
        periods.update(indicator.targets)
    return sorted(periods)
def nested(actions: list[Action]) -> list[tuple[Action, int]]:
    """Actions with each sub-action straight after its parent (and its parent's earlier sub-actions),
    as (action, depth): 0 for an action whose parent is not in the list, 1 under it, and so on.
    A cycle (an error `opgen validate` reports) is broken where it is met."""
    ids = {a.id for a in actions}
    children: dict[str, list[Action]] = {}
    tops = []
    for a in actions:
        if a.parent and a.parent in ids and a.parent != a.id:
            children.setdefault(a.parent, []).append(a)
        else:
            tops.append(a)
    out: list[tuple[Action, int]] = []
    seen: set[int] = set()

    def walk(a: Action, depth: int) -> None:
        if id(a) in seen:
            return
        seen.add(id(a))
        out.append((a, depth))
        for child in children.get(a.id, []):
            walk(child, depth + 1)
    for a in tops:
        walk(a, 0)
    for a in actions:  # in a cycle, with no top: listed where they are
        walk(a, 0)
    return out


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


def _bcf_funding(scheme: BcfScheme, raw: dict | None, tbcs: list[TbcItem]) -> None:
    """A scheme's version 2 funding ({min, max, recurrent} or {amount, recurrent}) into its amount (or
    the range's maximum), its minimum and its recurrence; plain figures were read by _fy_map."""
    for key, entry in (raw or {}).items():
        year = _parse(FinancialYear.parse, key)
        if year is None or not isinstance(entry, dict):
            continue
        path = scheme.path + ("funding", key)
        if "amount" in entry or "max" in entry:
            scheme.funding[year] = Value.of(entry.get("amount", entry.get("max")))
        elif "min" in entry:
            scheme.funding[year] = Value.of(entry["min"])
        else:
            scheme.funding.pop(year, None)
        if "min" in entry and "amount" not in entry:
            scheme.funding_min[year] = Value.of(entry["min"])
            if "max" not in entry:
                scheme.open_ranges.add(year)
        for name in ("amount", "min", "max"):
            if entry.get(name) == "tbc":
                tbcs.append(TbcItem(path + (name,), f"BCF {scheme.id} funding {key} ({name})"))
        if isinstance(entry.get("recurrent"), bool):
            scheme.recurrent[year] = entry["recurrent"]


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


def _by_quarter(raw: dict | None, convert) -> dict:
    """A map keyed by quarter ("2015/16 Q2"), in time order; keys that are not quarters are left out
    (validation reports them)."""
    out = {}
    for key, value in (raw or {}).items():
        quarter = _parse(Quarter.parse, key) if isinstance(key, str) else None
        if quarter is not None:
            out[quarter] = convert(value)
    return dict(sorted(out.items()))


def _quarter_score(update) -> int | None:
    """A risk's likelihood x impact recorded in its update for a quarter, where both are given."""
    if isinstance(update, dict) and isinstance(update.get("likelihood"), int) and isinstance(update.get("impact"), int):
        return update["likelihood"] * update["impact"]
    return None


def _when(raw) -> When | None:
    """An action's or milestone's date in any of its forms, or None (absent, tbc, or not readable:
    the rules report that)."""
    if raw is None or raw == "" or raw == "tbc":
        return None
    return _parse(When.parse, raw)


def _when_tbc(raw) -> bool:
    """A date that is, or has an end that is, to be confirmed."""
    return raw == "tbc" or (isinstance(raw, dict) and "tbc" in raw.values())


# Text facts a plan may write as tbc where its source lacks them (`version: tbc`): (the list, or the
# object, the field is in; the field; the label for people, from the item; what is unconfirmed).
_TEXT_TBC_FIELDS: tuple[tuple[tuple, str, Any, str], ...] = (
    (("organisation",), "name", lambda x: "Organisation name", "name"),
    (("organisation",), "code", lambda x: "Organisation code", "code"),
    (("plan",), "title", lambda x: "Plan title", "title"),
    (("plan",), "version", lambda x: "Plan version", "version"),
    (("plan",), "date", lambda x: "Plan date", "date"),
    (("plan", "signatories", "*"), "name", lambda x: f"Signatory name ({x.get('role')})", "name"),
    (("plan", "signatories", "*"), "date", lambda x: f"Signatory {x.get('name')} date", "date"),
    (("plan", "history", "*"), "version", lambda x: f"Version history entry dated {x.get('date')}: version", "version"),
    (("plan", "history", "*"), "date", lambda x: f"Version {x.get('version')} date", "date"),
    (("plan", "approvals", "*"), "date", lambda x: f"Approval by {x.get('body')} date", "date"),
    (("domains", "*"), "lead", lambda x: f"Domain {x.get('id')} lead", "lead"),
    (("actions", "*"), "lead", lambda x: f"Action {x.get('id')} lead", "lead"),
    (("qipp", "schemes", "*"), "lead", lambda x: f"QIPP {x.get('id')} lead", "lead"),
    (("risks", "*"), "owner", lambda x: f"Risk {x.get('id')} owner", "owner"),
)


def _text_tbcs(data: dict, tbcs: list[TbcItem]) -> None:
    """Text facts written tbc (a version, a date, a lead the source does not give) are TBCs too,
    listed with the figures for reviewers."""
    for where, name, label, what in _TEXT_TBC_FIELDS:
        owners: list[tuple[tuple, Any]] = [((), data)]
        for part in where:
            nxt: list[tuple[tuple, Any]] = []
            for path, node in owners:
                if part == "*":
                    nxt += [(path + (i,), x) for i, x in enumerate(node)] if isinstance(node, list) else []
                elif isinstance(node, dict) and part in node:
                    nxt.append((path + (part,), node[part]))
            owners = nxt
        for path, node in owners:
            if isinstance(node, dict) and isinstance(node.get(name), str) and node[name].strip().lower() == "tbc":
                tbcs.append(TbcItem(path + (name,), label(node), what))


def _text(raw: Any) -> str | None:
    return None if raw is None else str(raw)


def _scales(raw: dict | None) -> Scales:
    raw = raw or {}
    aliases: dict[str, str] = {}
    for rating in RISK_RATINGS:
        for word in ((raw.get("risk_rating") or {}).get(rating) or {}).get("aliases") or []:
            aliases.setdefault(" ".join(str(word).split()).lower(), rating)
    return Scales(raw.get("rag") or "three_point", aliases, schedules.legend(raw.get("schedule")),
                  schedules.legend(raw.get("milestone_types")))


def _alias_word(scales: Scales, word: Any) -> str | None:
    """The plan's own word for a risk rating where it differs from the canonical one ("medium")."""
    if word is None:
        return None
    canonical = scales.risk_rating(word)
    return str(word) if canonical and str(word) != canonical else None


def _position(raw: dict | None) -> RiskPosition | None:
    if raw and isinstance(raw.get("likelihood"), int) and isinstance(raw.get("impact"), int):
        return RiskPosition(raw["likelihood"], raw["impact"])
    return None


def _indicator(raw: dict, path: tuple, tbcs: list[TbcItem]) -> Indicator:
    label = f"Indicator {raw['id']}"
    baseline = raw.get("baseline") or {}
    if baseline == "not_stated":  # the source gives no baseline: printed "Not stated", not asked for
        baseline, baseline_value = {}, Value("not_stated")
    else:
        baseline_value = Value.detailed(baseline) if "value" in baseline else None
    if baseline_value and baseline_value.is_tbc:
        tbcs.append(TbcItem(path + ("baseline", "value"), f"{label} baseline"))
    period_text = baseline.get("period")
    if period_text == "tbc":
        tbcs.append(TbcItem(path + ("baseline", "period"), f"{label} baseline period", "period"))
    return Indicator(
        id=raw["id"], domain_id=raw.get("domain"), title=raw["title"], unit=raw.get("unit"),
        polarity=raw.get("polarity"), headline=bool(raw.get("headline")), source=raw.get("source"),
        baseline=baseline_value,
        baseline_period=_parse(Period.parse, period_text) if period_text and period_text != "tbc" else None,
        targets=_period_map(raw.get("targets"), tbcs, path + ("targets",), f"{label} target"),
        actuals=_period_map(raw.get("actuals"), tbcs, path + ("actuals",), f"{label} actual"),
        path=path, baseline_period_text=period_text, see=list(raw.get("see") or []),
        aligns=list(raw.get("aligns") or []), frequency=_text(raw.get("frequency")),
        code=", ".join(map(str, raw["code"])) if isinstance(raw.get("code"), list) else _text(raw.get("code")),
        assessments=[Assessment(a["status"], _parse(Period.parse, str(a["period"])) if a.get("period") else None,
                                _text(a.get("period")), a.get("note"))
                     for a in raw.get("assessments") or []],
        group=raw.get("group"),
        benchmarks=_benchmarks(raw.get("benchmarks")),
        trajectory=_period_map(raw.get("trajectory"), tbcs, path + ("trajectory",), f"{label} trajectory"),
        areas=[_indicator_area(a, path + ("areas", i), tbcs, label) for i, a in enumerate(raw.get("areas") or [])
               if isinstance(a, dict) and "id" in a],
    )


def _benchmarks(raw: list | None) -> list[Benchmark]:
    out = []
    for b in raw or []:
        if not isinstance(b, dict) or "period" not in b:
            continue
        rank = b.get("rank")
        rank = (rank["value"], rank["of"]) if isinstance(rank, dict) and "value" in rank and "of" in rank else None
        out.append(Benchmark(_parse(Period.parse, str(b["period"])), str(b["period"]),
                             *(Value.of(b[f]) if f in b else None for f in BENCHMARK_FIELDS),
                             rank=rank, peer_group=_text(b.get("peer_group")), source=_text(b.get("source"))))
    return sorted(out, key=lambda b: (b.period is None, b.period.first_day if b.period else None,
                                      b.period.last_day if b.period else None))


def _indicator_area(raw: dict, path: tuple, tbcs: list[TbcItem], label: str) -> IndicatorArea:
    label = f"{label} area {raw['id']}"
    baseline = raw.get("baseline") if isinstance(raw.get("baseline"), dict) else {}
    value = Value.detailed(baseline) if "value" in baseline else None
    if value is not None and value.is_tbc:
        tbcs.append(TbcItem(path + ("baseline", "value"), f"{label} baseline"))
    period = baseline.get("period")
    return IndicatorArea(
        id=raw["id"], title=raw.get("title") or raw["id"], kind=raw.get("kind"), baseline=value,
        baseline_period=_parse(Period.parse, period) if period and period != "tbc" else None,
        targets=_period_map(raw.get("targets"), tbcs, path + ("targets",), f"{label} target"),
        actuals=_period_map(raw.get("actuals"), tbcs, path + ("actuals",), f"{label} actual"), path=path)


def _money_lines(raw: list | None, path: tuple, tbcs: list[TbcItem], label: str) -> list[MoneyLine]:
    return [MoneyLine(item["id"], item["title"],
                      _fy_map(item["amounts"], tbcs, path + (i, "amounts"), f"{label} {item['id']}"),
                      path + (i,))
            for i, item in enumerate(raw or [])]


def _placement(raw: dict | None) -> Placement | None:
    if not raw:
        return None
    if raw.get("appendix"):
        return Placement("appendix")
    for relation in ("before", "after"):
        if relation in raw:
            return Placement(relation, str(raw[relation]))
    return None


def _sections(raw: list | None, path: tuple, level: int = 1) -> list[Section]:
    return [Section(id=s["id"], title=s["title"], body=s.get("body"),
                    place=_placement(s.get("place")) if level == 1 else None,
                    sections=_sections(s.get("sections"), path + (i, "sections"), level + 1),
                    level=level, path=path + (i,))
            for i, s in enumerate(raw or [])]


def build(data: dict, source: str = "<plan>") -> Plan:
    """Build the typed plan from schema-valid data."""
    tbcs: list[TbcItem] = []
    org = data["organisation"]
    p = data["plan"]
    start = _parse(FinancialYear.parse, p["period"]["start"]) or FinancialYear(2000)
    end = _parse(FinancialYear.parse, p["period"]["end"]) or start
    # as_at may be left out by a plan that reports no RAG (opgen validate asks for it once one does);
    # the model then reads RAG at the plan's first quarter, and the papers say the quarter is not stated.
    as_at = (_parse(Quarter.parse, p["as_at"]) if p.get("as_at") else None) or Quarter(start, 1)
    meta = PlanMeta(
        title=p["title"], subtitle=p.get("subtitle"), start=start, end=end, as_at=as_at,
        version=str(p["version"]) if p.get("version") is not None else "", status=p["status"], date=p.get("date"),
        signatories=[Signatory(s["name"], s["role"], s.get("date")) for s in p.get("signatories") or []],
        history=[HistoryEntry(str(h["version"]), _text(h.get("date")), h.get("author"), h.get("summary"),
                              [str(r) for r in h.get("reviewers") or []], h.get("status"))
                 for h in p.get("history") or []],
        contacts=[Contact(c.get("name"), c.get("role"), c.get("organisation"), c.get("email"),
                          _text(c.get("phone"))) for c in p.get("contacts") or []],
        approvals=[Approval(a["body"], _text(a.get("date")), a.get("decision"), a.get("note"))
                   for a in p.get("approvals") or []],
        drivers=[Driver(d["id"], d["title"], d.get("kind"), d.get("note"), ("plan", "drivers", i))
                 for i, d in enumerate(p.get("drivers") or [])],
        refreshes=p.get("refreshes"),
        providers=[Provider(x["id"], x["title"], x.get("kind"), x.get("note"), ("plan", "providers", i))
                   for i, x in enumerate(p.get("providers") or [])],
        as_at_stated=bool(p.get("as_at")),
    )
    _text_tbcs(data, tbcs)
    scales = _scales(data.get("scales"))
    bands = dict(p.get("risk_bands") or DEFAULT_BANDS)
    v = data.get("vision") or {}  # a plan may state no vision at all
    vision = Vision(v.get("mission"), [VisionStatement(s["label"], s["text"]) for s in v.get("statements") or []],
                    list(v.get("values") or []))

    domains = [Domain(d["id"], d["title"], d.get("lead"), d.get("description"), list(d.get("outcomes") or []),
                      ("domains", i), due=_when(d.get("due")), due_text=d.get("due"), reports_to=d.get("reports_to"),
                      aligns=list(d.get("aligns") or []))
               for i, d in enumerate(data["domains"])]
    for i, d in enumerate(data["domains"]):
        if _when_tbc(d.get("due")):
            tbcs.append(TbcItem(("domains", i, "due"), f"Domain {d['id']} due date", "date"))
    by_id = {d.id: d for d in reversed(domains)}

    actions = []
    for i, a in enumerate(data["actions"]):
        path = ("actions", i)
        milestones = []
        for j, m in enumerate(a.get("milestones") or []):
            due_text = m.get("due")
            if _when_tbc(due_text):
                tbcs.append(TbcItem(path + ("milestones", j, "due"), f"Milestone {m['id']} due date", "date"))
            milestones.append(Milestone(m["id"], m["title"], _when(due_text), due_text, m.get("status"),
                                        path + ("milestones", j), see=list(m.get("see") or []),
                                        type=None if m.get("type") is None else str(m["type"]),
                                        forecast_text=m.get("forecast")))
        rag: dict[Quarter, str] = {}
        for year_text, quarters in (a.get("rag") or {}).items():
            year = _parse(FinancialYear.parse, year_text)
            if year is None:
                continue
            for key, colour in (quarters or {}).items():
                rag[Quarter(year, int(key[1]))] = colour
        for field_name in ("start", "due"):
            if _when_tbc(a.get(field_name)):
                tbcs.append(TbcItem(path + (field_name,), f"Action {a['id']} {field_name} date", "date"))
        action = Action(
            id=a["id"], domain_id=a["domain"], title=a["title"], lead=a.get("lead"),
            description=a.get("description"), mitigation=a.get("mitigation"),
            start=_when(a.get("start")), due=_when(a.get("due")), start_text=a.get("start"),
            due_text=a.get("due"), milestones=milestones, rag=dict(sorted(rag.items())), path=path,
            parent=a.get("parent"), see=list(a.get("see") or []), contact=a.get("contact"),
            status=a.get("status"), status_note=a.get("status_note"), reports_to=a.get("reports_to"),
            schedule=schedules.parse(a.get("schedule"), path + ("schedule",))[0],
            aligns=list(a.get("aligns") or []),
            category=a.get("category"), programmes=list(a.get("programmes") or []),
            updates=_by_quarter(a.get("updates"), lambda u: {k: v for k, v in (u or {}).items() if v}),
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
                confidence=s.get("confidence"), note=s.get("note"), path=path, see=list(s.get("see") or []),
                forecast=_by_quarter(s.get("forecast"), Value.of),
            ))
            if s.get("confidence") == "tbc":
                tbcs.append(TbcItem(path + ("confidence",), f"QIPP {s['id']} confidence"))
        qipp = Qipp(MoneyUnit(q["unit"]), schemes,
                    _fy_map(q.get("stated_total"), tbcs, ("qipp", "stated_total"), "QIPP stated net total"),
                    _fy_map(q.get("stated_savings_total"), tbcs, ("qipp", "stated_savings_total"), "QIPP stated savings total"),
                    _fy_map(q.get("stated_investment_total"), tbcs, ("qipp", "stated_investment_total"),
                            "QIPP stated investment total"))

    risks = [Risk(
        id=r["id"], title=r["title"], description=r.get("description"), domain_id=r.get("domain"),
        owner=r.get("owner"), status=r.get("status", "open"), current=_position(r),
        gross=_position(r.get("gross")), target=_position(r.get("target")),
        rating=scales.risk_rating(r.get("rating")), mitigation=r.get("mitigation"), path=("risks", i), bands=bands,
        rating_word=_alias_word(scales, r.get("rating")), see=list(r.get("see") or []),
        updates=_by_quarter(r.get("updates"), lambda u: (u or {}).get("mitigation")),
        scores={q: s for q, s in _by_quarter(r.get("updates"), _quarter_score).items() if s is not None},
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
            unit=MoneyUnit(b.get("unit") or "gbp_thousands"),  # validate asks for the unit once there is money
            schemes=[BcfScheme(s["id"], s["title"], s.get("heading"), s.get("description"),
                               _fy_map(s.get("funding"), tbcs, ("bcf", "schemes", i, "funding"), f"BCF {s['id']} funding"),
                               ("bcf", "schemes", i), requirements=_requirements(s.get("requirements")))
                     for i, s in enumerate(b.get("schemes") or [])],
            minimum_contribution=_fy_map(b.get("minimum_contribution"), tbcs, ("bcf", "minimum_contribution"),
                                         "BCF minimum contribution"),
            actual_contribution=_fy_map(b.get("actual_contribution"), tbcs, ("bcf", "actual_contribution"),
                                        "BCF actual contribution"),
            metrics=[_indicator(raw, ("bcf", "metrics", i), tbcs) for i, raw in enumerate(b.get("metrics") or [])],
            contributions=[BcfContribution(
                c["id"], c["organisation"],
                _fy_map(c.get("minimum"), tbcs, ("bcf", "contributions", i, "minimum"), f"BCF {c['organisation']} minimum contribution"),
                _fy_map(c.get("actual"), tbcs, ("bcf", "contributions", i, "actual"), f"BCF {c['organisation']} actual contribution"),
                c.get("holds_pool") is True, c.get("note"), ("bcf", "contributions", i))
                for i, c in enumerate(b.get("contributions") or [])],
            stated_totals=_fy_map(b.get("stated_totals"), tbcs, ("bcf", "stated_totals"), "BCF stated total"),
            risks=[Risk(
                id=r["id"], title=r["title"], description=r.get("description"), domain_id=r.get("domain"),
                owner=r.get("owner"), status=r.get("status", "open"), current=_position(r),
                gross=_position(r.get("gross")), target=_position(r.get("target")),
                rating=scales.risk_rating(r.get("rating")), mitigation=r.get("mitigation"), path=("bcf", "risks", i),
                bands=bands, rating_word=_alias_word(scales, r.get("rating")), see=list(r.get("see") or []),
            ) for i, r in enumerate(b.get("risks") or [])],
        )
        for i, s in enumerate(b.get("schemes") or []):
            _bcf_funding(bcf.schemes[i], s.get("funding"), tbcs)

    tables = _tables(data, tbcs)

    return Plan(
        source=source,
        organisation=Organisation(org["name"], org.get("short_name"), org.get("code")),
        meta=meta, vision=vision, domains=domains, actions=actions, qipp=qipp, risks=risks,
        indicators=indicators, finance=finance, bcf=bcf, risk_bands=bands, tbcs=tbcs, tables=tables, scales=scales,
        sections=_sections(data.get("sections"), ("sections",)),
        governance=build_governance(data), frameworks=build_frameworks(data),
        glossary=[(str(g["term"]), str(g["meaning"])) for g in data.get("glossary") or []
                  if isinstance(g, dict) and "term" in g and "meaning" in g],
    )


# --- data tables (`tables`) ------------------------------------------------------------------------
# Any other table a plan carries (planning assumptions, activity plans, provider ratings, checklists):
# typed columns, rows by id (unique within their table), and rows marked `total: true` holding stated
# totals of the rows above them. A cell is read by its column's type; one that does not fit is kept
# as written with `fits` False (opgen.rules says what is wrong and how to fix it).

COLUMN_TYPES = ("text", "number", "money", "percent", "rag", "rating", "date", "tick")
SUMMED_TYPES = ("number", "money", "percent")  # the column types a total row adds up
RAG_SCALES = {
    "three_point": ("red", "amber", "green", "blue", "grey"),
    "five_point": ("red", "amber_red", "amber", "amber_green", "green", "blue", "grey"),
}
RATINGS = ("low", "moderate", "high", "extreme")
ROW_FIELDS = ("id", "total", "note")  # row keys that are not column ids
# What a total row adds up (`total:`): true, the rows since the previous total row (a programme's
# subtotal under its rows); `all`, every row of the table that is not a total row (a grand total
# under subtotals); or a list of row ids, those rows (a total that is not under its rows, or a
# group whose own total row the paper left out).
TOTAL_ABOVE = "above"
TOTAL_ALL = "all"


@dataclass(slots=True)
class Column:
    id: str
    title: str | None
    type: str
    unit: MoneyUnit | None
    decimals: int | None
    period: Period | None   # the period the id names ("2013/14", "2013-12"), if it names one
    path: tuple

    @property
    def summed(self) -> bool:
        return self.type in SUMMED_TYPES

    @property
    def label(self) -> str:
        """The heading: the title given, else the period in words ('Dec 2013'), else the id."""
        if self.title:
            return self.title
        return self.period.words if self.period else self.id


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell as its column reads it. `raw` is the value as written (None: nothing written)."""

    raw: Any = None
    value: Value | None = None   # number, money, percent; tbc or n/a in a column of any type
    text: str | None = None      # text; the RAG colour or rating band; a date as written
    date: PlanDate | None = None
    tick: bool | None = None
    fits: bool = True            # False: not what the column's type takes (opgen.rules reports it)

    @property
    def empty(self) -> bool:
        return self.raw is None

    @property
    def is_tbc(self) -> bool:
        return self.value is not None and self.value.is_tbc


@dataclass(slots=True)
class TableRow:
    id: str
    total: bool
    note: str | None
    cells: dict[str, TableCell]
    label: str        # what a reader calls the row: its first text cell, else its id
    path: tuple
    total_of: str | tuple[str, ...] | None = None  # TOTAL_ABOVE, TOTAL_ALL or row ids (total rows only)

    def cell(self, column_id: str) -> TableCell:
        return self.cells.get(column_id) or TableCell()


@dataclass(slots=True)
class Table:
    id: str
    title: str
    chapter: str | None
    description: str | None
    source: str | None
    note: str | None
    columns: list[Column]
    rows: list[TableRow]
    path: tuple

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def rows_above(self, index: int) -> list[TableRow]:
        """The rows a total row at `index` adds up: those its `total:` names (ids not in the table
        are left out: opgen.rules reports them), every row that is not a total row (`all`), or
        those since the previous total row (`true`)."""
        spec = self.rows[index].total_of
        if isinstance(spec, tuple):
            wanted = set(spec)
            return [row for i, row in enumerate(self.rows) if row.id in wanted and i != index]
        if spec == TOTAL_ALL:
            return [row for row in self.rows if not row.total]
        rows: list[TableRow] = []
        for row in reversed(self.rows[:index]):
            if row.total:
                break
            rows.append(row)
        return rows[::-1]

    def sum_above(self, index: int, column: Column) -> Total:
        """The sum of a summed column over the rows above a total row (TBC makes it incomplete)."""
        return Total.of(row.cell(column.id).value for row in self.rows_above(index))


def table_cell(column: Column, raw: Any, rag_scale: str = "three_point",
               rating_words: dict[str, str] | None = None) -> TableCell:
    """A cell read by its column's type; tbc, n/a and not_stated are never a number (and never 0)."""
    if raw is None:
        return TableCell()
    if raw in ("tbc", "n/a", "not_stated"):
        return TableCell(raw, Value.of(raw))
    kind = column.type
    if isinstance(raw, bool):
        return TableCell(raw, tick=raw) if kind == "tick" else TableCell(raw, fits=False)
    if kind in SUMMED_TYPES:
        if isinstance(raw, (int, float)):
            return TableCell(raw, Value.of(raw))
        return TableCell(raw, fits=False)
    if kind == "text":
        return TableCell(raw, text=getattr(raw, "text", None) or str(raw))
    if not isinstance(raw, str):
        return TableCell(raw, fits=False)
    if kind == "rag":
        ok = raw in RAG_SCALES.get(rag_scale, RAG_SCALES["three_point"])
        return TableCell(raw, text=raw) if ok else TableCell(raw, fits=False)
    if kind == "rating":
        band = (rating_words or {}).get(raw.strip().lower())
        return TableCell(raw, text=band) if band else TableCell(raw, fits=False)
    if kind == "date":
        date = _parse(PlanDate.parse, raw)
        return TableCell(raw, text=raw, date=date) if date else TableCell(raw, fits=False)
    return TableCell(raw, fits=False)  # tick: only true or false


def rating_words(scales: dict | None) -> dict[str, str]:
    """Every word a plan may write for a risk rating (its own aliases too) -> the band."""
    words = {band: band for band in RATINGS}
    for band, spec in ((scales or {}).get("risk_rating") or {}).items():
        for alias in (spec or {}).get("aliases") or []:
            words.setdefault(str(alias).strip().lower(), band)
    return words


def _tables(data: dict, tbcs: list[TbcItem]) -> list[Table]:
    scales = data.get("scales") or {}
    rag_scale = scales.get("rag") or "three_point"
    words = rating_words(scales)
    tables = []
    for t_index, raw in enumerate(data.get("tables") or []):
        path = ("tables", t_index)
        columns = []
        for c_index, c in enumerate(raw.get("columns") or []):
            columns.append(Column(
                id=str(c["id"]), title=c.get("title"), type=c["type"],
                unit=MoneyUnit(c["unit"]) if c.get("unit") in MONEY_UNITS else None,
                decimals=c.get("decimals"), period=_parse(Period.parse, str(c["id"])),
                path=path + ("columns", c_index)))
        by_id = {c.id: c for c in reversed(columns)}
        first_text = next((c for c in columns if c.type == "text"), None)
        rows = []
        for r_index, r in enumerate(raw.get("rows") or []):
            row_path = path + ("rows", r_index)
            cells = {key: table_cell(by_id[key], value, rag_scale, words)
                     for key, value in r.items() if key in by_id and key not in ROW_FIELDS}
            label_cell = cells.get(first_text.id) if first_text else None
            label = label_cell.text if label_cell is not None and label_cell.text else str(r["id"])
            spec = r.get("total")
            total_of = (tuple(str(i) for i in spec) if isinstance(spec, list) else
                        TOTAL_ALL if spec == TOTAL_ALL else TOTAL_ABOVE if spec is True else None)
            rows.append(TableRow(str(r["id"]), total_of is not None, r.get("note"), cells, label, row_path,
                                 total_of))
        table = Table(id=raw["id"], title=raw["title"], chapter=raw.get("chapter"),
                      description=raw.get("description"), source=raw.get("source"), note=raw.get("note"),
                      columns=columns, rows=rows, path=path)
        for row in rows:
            for column in columns:
                if row.cell(column.id).is_tbc:
                    tbcs.append(TbcItem(row.path + (column.id,),
                                        f"Table '{table.title}', row '{row.label}', {column.label}"))
        tables.append(table)
    return tables
