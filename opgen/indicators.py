"""Indicators version 2: groups, benchmarks, targets stated against the present (maintain, reduce
by, increase by, as another indicator), trajectories, breakdown by area, and the statistics a board
reads from a series of actuals (a run chart from 6 points; XmR process limits from 12, as NHS
England's "Making Data Count" does).

`check` is the semantic rules of these fields (rules.check calls it with its checker); the rest is
plain arithmetic on the model, shared by the full plan's charts, the Word annex and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from opgen.diagnostics import did_you_mean
from opgen.model import BENCHMARK_FIELDS, Indicator, Plan, Value
from opgen.periods import Period, PeriodError

# keys of an indicator (and of a BCF metric) only a version 2 plan may use
V2_INDICATOR_KEYS = ("group", "benchmarks", "trajectory", "areas")
V2_TARGET_KEYS = ("see", "unit")
V2_COMPARISONS = ("maintain", "reduce_by", "increase_by")

RUN_CHART_POINTS = 6   # a run chart needs at least 6 points
SPC_POINTS = 12        # process limits need at least 12 (Making Data Count)
XMR_CONSTANT = Decimal("2.66")


# --- statistics ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Limits:
    """XmR process limits: the mean of the points and mean +/- 2.66 x the mean moving range."""

    mean: Decimal
    upper: Decimal
    lower: Decimal
    points: int


def numbered(series: dict[Period, Value]) -> list[tuple[Period, Decimal]]:
    """The points of a series that are numbers, in time order (TBC, n/a and not stated left out)."""
    return [(p, v.number) for p, v in sorted(series.items()) if v.is_number and v.number is not None]


def same_granularity(series: dict[Period, Value]) -> dict[Period, Value]:
    """The actuals a chart can draw as one series: those of the commonest kind of period (a monthly
    series is not mixed with a yearly outturn)."""
    kinds: dict[tuple, int] = {}
    for p in series:
        kinds[(p.kind, p.months)] = kinds.get((p.kind, p.months), 0) + 1
    if not kinds:
        return {}
    commonest = max(kinds, key=lambda k: (kinds[k], -k[1]))
    return {p: v for p, v in series.items() if (p.kind, p.months) == commonest}


def xmr_limits(values: list[Decimal]) -> Limits | None:
    """Process limits from at least SPC_POINTS values, else None."""
    if len(values) < SPC_POINTS:
        return None
    mean = sum(values, Decimal(0)) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:])]
    mr = sum(ranges, Decimal(0)) / len(ranges)
    return Limits(mean, mean + XMR_CONSTANT * mr, mean - XMR_CONSTANT * mr, len(values))


def median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def outside_limits(points: list[tuple[Period, Decimal]], limits: Limits) -> list[Period]:
    """Periods whose value lies outside the process limits (special cause variation)."""
    return [p for p, v in points if v > limits.upper or v < limits.lower]


# --- rules --------------------------------------------------------------------------------------

def _indicator_items(data: dict) -> Iterator[tuple[tuple, dict]]:
    for key, path in (("indicators", ("indicators",)), ("bcf", ("bcf", "metrics"))):
        holder = data.get(key)
        items = holder if key == "indicators" else (holder.get("metrics") if isinstance(holder, dict) else None)
        for i, item in enumerate(items or []):
            if isinstance(item, dict):
                yield path + (i,), item


def _targets(path: tuple, item: dict) -> Iterator[tuple[tuple, str, object]]:
    """(path of the target, its period key, the raw target) for the item's and its areas' targets."""
    for key, raw in (item.get("targets") or {}).items():
        yield path + ("targets", key), key, raw
    for i, area in enumerate(item.get("areas") or []):
        if isinstance(area, dict):
            for key, raw in (area.get("targets") or {}).items():
                yield path + ("areas", i, "targets", key), key, raw


def check(c, data: dict, plan: Plan) -> None:
    """The semantic rules of indicators version 2, reported through rules' checker `c`."""
    ids = [item.get("id") for _, item in _indicator_items(data) if isinstance(item.get("id"), str)]
    version_1 = data.get("schema_version") == 1
    for path, item in _indicator_items(data):
        if version_1:
            _check_version(c, path, item)
        for tpath, key, raw in _targets(path, item):
            _check_target(c, tpath, key, raw, item, ids)
        _check_benchmarks(c, path, item)
        _check_areas(c, path, item)
        for key in item.get("trajectory") or {}:
            _period(c, key, path + ("trajectory", key), key=True)


def _check_version(c, path: tuple, item: dict) -> None:
    def needs(where: tuple, what: str) -> None:
        c.error(where, "needs-version-2", f"{what} needs a version 2 plan, but this plan says schema_version: 1",
                "set schema_version: 2 (opgen migrate PLAN does it, keeping your comments)", key=True)
    for key in V2_INDICATOR_KEYS:
        if key in item:
            needs(path + (key,), f"'{key}' in indicator {item.get('id')}")
    for tpath, _, raw in _targets(path, item):
        if isinstance(raw, dict):
            for key in V2_TARGET_KEYS:
                if key in raw:
                    needs(tpath + (key,), f"a target's '{key}'")
            if raw.get("comparison") in V2_COMPARISONS:
                needs(tpath + ("comparison",), f"comparison: {raw['comparison']}")


def _check_target(c, path: tuple, key: str, raw, item: dict, ids: list[str]) -> None:
    """A target's comparison, value, unit and see make sense together."""
    if not isinstance(raw, dict):
        return
    where = f"indicator {item.get('id')} target {key}"
    comparison, has_value, see = raw.get("comparison"), "value" in raw, raw.get("see")
    if see is not None:
        others = [k for k in ("value", "comparison", "unit", "numerator", "denominator", "revised_from") if k in raw]
        if others:
            c.error(path + (others[0],), "target-see-and-value",
                    f"{where} says see: {see} and also {others[0]}: a target is either its own figure or another "
                    f"indicator's", f"remove {', '.join(others)}, or remove see: {see}", key=True)
        if see == item.get("id"):
            c.error(path + ("see",), "target-see-self", f"{where} says it is the target of {see}, itself",
                    "name another indicator's id, or give the target's own figure")
        elif see not in ids:
            guess = did_you_mean(see, [i for i in ids if i != item.get("id")])
            c.error(path + ("see",), "unknown-reference", f"there is no indicator with the id '{see}' (in {where})",
                    f"did you mean '{guess}'?" if guess else "name the id of another indicator in this plan")
        return
    if comparison in ("reduce_by", "increase_by"):
        if not has_value:
            c.error(path, "target-no-value", f"{where} says {comparison} but not by how much",
                    f"add the amount: {{comparison: {comparison}, value: 5, unit: percent}} (leave out unit for an "
                    "amount in the indicator's own unit)")
        elif isinstance(raw["value"], (int, float)) and not isinstance(raw["value"], bool) and raw["value"] <= 0:
            word = "reduce" if comparison == "reduce_by" else "increase"
            other = "increase_by" if comparison == "reduce_by" else "reduce_by"
            c.error(path + ("value",), "target-change-sign",
                    f"{where} says {comparison} {raw['value']}: the amount must be more than 0",
                    f"write the amount to {word} by as a positive number, or use comparison: {other}")
        if raw.get("unit") == "percent" and ("numerator" in raw or "denominator" in raw):
            c.error(path + ("numerator" if "numerator" in raw else "denominator",), "target-change-count",
                    f"{where} is a change in percent, which has no count behind it",
                    "remove numerator and denominator (they belong to a figure, not to a change)", key=True)
        return
    if "unit" in raw:
        c.error(path + ("unit",), "target-unit", f"{where} has unit: {raw['unit']}, which only a change has",
                f"use comparison: reduce_by or increase_by with unit: percent, or remove unit (the indicator's "
                f"own unit applies)", key=True)
    if comparison == "maintain":
        return
    if not has_value:
        what = f"comparison: {comparison}" if comparison else "no value"
        c.error(path, "target-no-value", f"{where} has {what} but no figure",
                "add value: (e.g. {value: 97, comparison: at_most}), or write comparison: maintain to keep "
                "the current level, or see: ID for another indicator's target")


def _period(c, text, path: tuple, key: bool = False) -> Period | None:
    try:
        return Period.parse(str(text))
    except PeriodError as e:
        c.error(path, "period", str(e), e.hint, key=key)
        return None


def _number(raw) -> Decimal | None:
    value = raw.get("value") if isinstance(raw, dict) else raw
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Decimal(str(value))


def _check_benchmarks(c, path: tuple, item: dict) -> None:
    seen: dict[str, int] = {}
    for i, b in enumerate(item.get("benchmarks") or []):
        if not isinstance(b, dict):
            continue
        where = path + ("benchmarks", i)
        period = _period(c, b.get("period"), where + ("period",)) if "period" in b else None
        if period is not None:
            if period.text in seen:
                c.error(where + ("period",), "duplicate-benchmark",
                        f"indicator {item.get('id')} has two benchmarks for {period.words} (items {seen[period.text] + 1} "
                        f"and {i + 1})", "merge them into one item: the diff matches benchmarks by period")
            seen.setdefault(period.text, i)
        rank = b.get("rank")
        if isinstance(rank, dict) and isinstance(rank.get("value"), int) and isinstance(rank.get("of"), int):
            if rank["value"] > rank["of"]:
                c.error(where + ("rank", "value"), "rank-over",
                        f"indicator {item.get('id')} is ranked {rank['value']} of {rank['of']}: a rank cannot be "
                        f"more than the number ranked",
                        f"check the source: the rank is at most {rank['of']} (or 'of' is at least {rank['value']})")
        low, high = _number(b.get("p25")), _number(b.get("p75"))
        if low is not None and high is not None and low > high:
            c.error(where + ("p25",), "percentile-order",
                    f"indicator {item.get('id')} benchmark {b.get('period')}: the 25th percentile ({low}) is above the "
                    f"75th ({high})", "swap p25 and p75", key=True)
        mid = _number(b.get("median"))
        if mid is not None and low is not None and high is not None and not low <= mid <= high:
            c.error(where + ("median",), "percentile-order",
                    f"indicator {item.get('id')} benchmark {b.get('period')}: the median ({mid}) is not between the "
                    f"25th ({low}) and 75th ({high}) percentiles", "check the median and the percentiles against the source",
                    key=True)
        figures = [f for f in BENCHMARK_FIELDS if f in b] + (["rank"] if "rank" in b else [])
        if not figures:
            c.error(where, "benchmark-empty", f"indicator {item.get('id')} has a benchmark for {b.get('period')} with no figure",
                    "add national:, regional:, county:, median:, p25:, p75: or rank: {value: ..., of: ...}, or remove it")


def _check_areas(c, path: tuple, item: dict) -> None:
    first: dict[str, int] = {}
    for i, area in enumerate(item.get("areas") or []):
        if not isinstance(area, dict) or not isinstance(area.get("id"), str):
            continue
        where = path + ("areas", i)
        if area["id"] in first:
            line = c.doc.position(path + ("areas", first[area["id"]], "id"))[0]
            c.error(where + ("id",), "duplicate-id",
                    f"indicator {item.get('id')} has two areas with the id '{area['id']}' (first at line {line})",
                    "give each area its own id: the diff matches areas by id")
        first.setdefault(area["id"], i)
        for name in ("targets", "actuals"):
            for key in area.get(name) or {}:
                _period(c, key, where + (name, key), key=True)
        baseline = area.get("baseline")
        if isinstance(baseline, dict) and baseline.get("period") not in (None, "tbc"):
            _period(c, baseline["period"], where + ("baseline", "period"))
        if not any(k in area for k in ("baseline", "targets", "actuals")):
            c.warning(where, "area-empty", f"area {area['id']} of indicator {item.get('id')} has no figure",
                      "add its baseline, targets or actuals from the source, or remove it")


def count_figures(indicator: Indicator) -> list[tuple[tuple, str, Value | None]]:
    """The new values of an indicator (trajectory, benchmarks, areas) as (path under the indicator,
    what in words, figure), so rules._check_figures holds their numerator/denominator to the same
    rule as a target's or an actual's."""
    figures: list[tuple[tuple, str, Value | None]] = []
    figures += [(("trajectory", p.text), f"trajectory {p.words}", v) for p, v in indicator.trajectory.items()]
    for i, b in enumerate(indicator.benchmarks):
        figures += [(("benchmarks", i, f), f"{f} benchmark {b.period_text}", getattr(b, f)) for f in BENCHMARK_FIELDS]
    for area in indicator.areas:
        rel = area.path[len(indicator.path):]
        figures.append((rel + ("baseline",), f"area {area.id} baseline", area.baseline))
        figures += [(rel + ("targets", p.text), f"area {area.id} target {p.words}", v) for p, v in area.targets.items()]
        figures += [(rel + ("actuals", p.text), f"area {area.id} actual {p.words}", v) for p, v in area.actuals.items()]
    return figures
