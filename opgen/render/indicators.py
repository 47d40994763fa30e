"""Indicators version 2 as reader-facing tables and charts, one view for the full plan (HTML to PDF)
and the Word annex: NHS Constitution standards (current position and trajectory), benchmarks by
period, each indicator's breakdown by area, and its series of actuals against the trajectory, with
a small vector chart (run chart from 6 points, XmR process limits from 12).

Every cell is text from opgen.display; a table or a column with nothing to show is left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from opgen import display
from opgen.indicators import RUN_CHART_POINTS, median, numbered, outside_limits, same_granularity, xmr_limits
from opgen.model import BENCHMARK_FIELDS, Indicator, Plan, Value
from opgen.periods import Period


@dataclass
class TableView:
    """A table as text: column headings, rows of cells (a cell is text, or (text, note) where a
    period note goes under a figure), which columns are figures (right-aligned)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]
    numeric: list[bool]
    note: str = ""
    id: str = ""
    groups: list[tuple[int, str]] = field(default_factory=list)  # (row index, group heading) before that row


def _value(ind: Indicator, v: Value | None) -> str:
    return display.indicator_value(ind, v)


def _current_target(ind: Indicator, when: Period | None) -> tuple[Period, Value] | None:
    """The target for the period the latest actual falls in, else the first target after it, else
    the last target."""
    if not ind.targets:
        return None
    items = list(ind.targets.items())
    if when is not None:
        for p, v in items:
            if p.first_day <= when.last_day <= p.last_day:
                return p, v
        later = [(p, v) for p, v in items if p.first_day > when.last_day]
        if later:
            return later[0]
    return items[-1]


def _trajectory_at(ind: Indicator, when: Period | None) -> tuple[Period, Value] | None:
    """The trajectory point for the latest actual's period, else the next one after it, else the last."""
    if not ind.trajectory:
        return None
    items = list(ind.trajectory.items())
    if when is not None:
        for p, v in items:
            if p == when:
                return p, v
        later = [(p, v) for p, v in items if p.first_day > when.last_day]
        if later:
            return later[0]
    return items[-1]


def constitution_table(indicators: list[Indicator]) -> TableView | None:
    """The NHS Constitution standards, each with its current position (the latest actual) and the
    trajectory and target it is held to."""
    # a standard the plan only names has no position or target to show: it is in the list of measures
    rows_of = [i for i in indicators if i.group == "nhs_constitution" and not display.named_only(i)]
    if not rows_of:
        return None
    cols = display.CONSTITUTION_COLUMNS
    has_traj = any(i.trajectory for i in rows_of)
    rows = []
    for ind in rows_of:
        latest = ind.latest_actual()
        when = latest[0] if latest else None
        row: list[Any] = [display.indicator_title(ind.title, ind.code, ind.id)]
        row.append((_value(ind, latest[1]), display.period_note(latest[0])) if latest else display.NOT_REPORTED)
        if has_traj:
            t = _trajectory_at(ind, when)
            row.append((_value(ind, t[1]), display.period_note(t[0])) if t else display.DASH)
        target = _current_target(ind, when)
        row.append((_value(ind, target[1]), display.period_note(target[0])) if target else display.DASH)
        rows.append(row)
    headings = [cols["standard"], cols["current"]] + ([cols["trajectory"]] if has_traj else []) + [cols["target"]]
    return TableView(display.CONSTITUTION_TITLE, headings, rows, [False] + [True] * (len(headings) - 1),
                     id="constitution")


def sets_table(indicators: list[Indicator]) -> TableView | None:
    """Which set each grouped indicator belongs to (NHS Constitution, CCG Outcomes, Quality Premium...),
    in the order of the sets' names in opgen.display; None where no indicator says."""
    grouped: dict[str, list[Indicator]] = {}
    for ind in indicators:
        if ind.group:
            grouped.setdefault(ind.group, []).append(ind)
    if not grouped:
        return None
    order = list(display.INDICATOR_GROUP_LABELS)
    rows = [[display.indicator_group(g), display.and_list([f"{i.id} {i.title}" for i in grouped[g]])]
            for g in sorted(grouped, key=order.index)]
    return TableView(display.SETS_TITLE, list(display.SETS_COLUMNS), rows, [False, False], id="sets")


def _plan_figure(ind: Indicator, period: Period | None) -> Value | None:
    """The plan's own figure for a benchmark's period: its actual, else its baseline, for that period."""
    if period is None:
        return None
    if period in ind.actuals:
        return ind.actuals[period]
    if ind.baseline is not None and ind.baseline_period == period:
        return ind.baseline
    return None


def benchmark_table(indicators: list[Indicator]) -> TableView | None:
    """One row per indicator and benchmark period; a column only where some benchmark gives it."""
    pairs = [(ind, b) for ind in indicators for b in ind.benchmarks]
    if not pairs:
        return None
    labels = display.BENCHMARK_COLUMNS
    present = {f for _, b in pairs for f in BENCHMARK_FIELDS if getattr(b, f) is not None}
    keys = ["plan"] if any(_plan_figure(i, b.period) is not None for i, b in pairs) else []
    keys += [k for k in ("national", "regional", "county", "median") if k in present]
    keys += ["percentiles"] if present & {"p25", "p75"} else []
    keys += ["rank"] if any(b.rank for _, b in pairs) else []
    keys += ["peer_group"] if any(b.peer_group for _, b in pairs) else []
    rows, groups, last = [], [], None
    for ind, b in pairs:
        if ind is not last:
            groups.append((len(rows), display.indicator_title(ind.title, ind.code, ind.id)))
            last = ind
        row: list[Any] = [display.period(b.period) if b.period else b.period_text]
        for k in keys:
            if k == "plan":
                v = _plan_figure(ind, b.period)
                row.append(_value(ind, v) if v is not None else display.DASH)
            elif k == "percentiles":
                row.append(display.percentile_range(ind, b.p25, b.p75))
            elif k == "rank":
                row.append(display.rank(*b.rank) if b.rank else display.DASH)
            elif k == "peer_group":
                row.append(b.peer_group or display.DASH)
            else:
                v = getattr(b, k)
                row.append(_value(ind, v) if v is not None else display.DASH)
        rows.append(row)
    headings = ["Period"] + [labels[k] for k in keys]
    numeric = [False] + [k not in ("peer_group",) for k in keys]
    sources = sorted({b.source for _, b in pairs if b.source})
    note = display.BENCHMARKS_NOTE + (f" Source: {'; '.join(sources)}." if sources else "")
    return TableView(display.BENCHMARKS_TITLE, headings, rows, numeric, note=note, groups=groups, id="benchmarks")


def area_table(ind: Indicator) -> TableView | None:
    """An indicator's breakdown by area: kind (where given), baseline, each target period, latest actual."""
    if not ind.areas:
        return None
    periods = sorted({p for a in ind.areas for p in a.targets})
    has_kind = any(a.kind for a in ind.areas)
    has_baseline = any(a.baseline is not None for a in ind.areas)
    has_actual = any(a.actuals for a in ind.areas)
    cols = display.AREA_COLUMNS
    headings = [cols["area"]] + ([cols["kind"]] if has_kind else []) + ([cols["baseline"]] if has_baseline else [])
    headings += [f"Target {display.period(p)}" for p in periods] + ([cols["latest"]] if has_actual else [])
    rows = []
    for a in ind.areas:
        row: list[Any] = [a.title]
        if has_kind:
            row.append(display.area_kind(a.kind) or display.DASH)
        if has_baseline:
            row.append((_value(ind, a.baseline), display.period_note(a.baseline_period)) if a.baseline is not None
                       else display.DASH)
        row += [_value(ind, a.targets[p]) if p in a.targets else display.DASH for p in periods]
        if has_actual:
            if a.actuals:
                p = max(a.actuals, key=lambda x: (x.last_day, x.first_day))
                row.append((_value(ind, a.actuals[p]), display.period_note(p)))
            else:
                row.append(display.DASH)
        rows.append(row)
    numeric = [False] + ([False] if has_kind else []) + [True] * (len(headings) - 1 - has_kind)
    return TableView(display.AREAS_TITLE, headings, rows, numeric,
                     id=f"areas-{ind.id}")


def series_table(ind: Indicator) -> TableView | None:
    """An indicator's actuals and trajectory, period by period (the numbers behind its chart), where
    it has a trajectory or enough actuals to chart."""
    if not ind.trajectory and len(numbered(same_granularity(ind.actuals))) < RUN_CHART_POINTS:
        return None
    periods = sorted(set(ind.actuals) | set(ind.trajectory))
    cols = display.SERIES_COLUMNS
    has_traj = bool(ind.trajectory)
    headings = [cols["period"], cols["actual"]] + ([cols["trajectory"]] if has_traj else [])
    rows = []
    for p in periods:
        row: list[Any] = [display.period(p), _value(ind, ind.actuals[p]) if p in ind.actuals else display.DASH]
        if has_traj:
            row.append(_value(ind, ind.trajectory[p]) if p in ind.trajectory else display.DASH)
        rows.append(row)
    return TableView(display.SERIES_TITLE if has_traj else display.SERIES_ACTUALS_TITLE, headings, rows,
                     [False] + [True] * (len(headings) - 1), id=f"series-{ind.id}")


# --- the chart --------------------------------------------------------------------------------

W, H = 380, 165          # the drawing, in CSS px (viewBox units)
LEFT, RIGHT, TOP, BOTTOM = 44, 74, 10, 22


def _ticks(lo: Decimal, hi: Decimal) -> list[Decimal]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / 4
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal("0.1") if raw >= Decimal("0.1") else Decimal("0.01")
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = (lo / step).to_integral_value(rounding="ROUND_CEILING") * step
    out, t = [], first
    while t <= hi:
        out.append(t.normalize() if t == t.to_integral_value() else t)
        t += step
    return out


def chart(ind: Indicator) -> dict | None:
    """The geometry and text alternative of an indicator's chart, or None with fewer than 6 points
    of one kind of period. Coordinates are in the drawing's units (W x H)."""
    series = same_granularity(ind.actuals)
    points = numbered(series)
    if len(points) < RUN_CHART_POINTS:
        return None
    values = [v for _, v in points]
    limits = xmr_limits(values)
    centre = limits.mean if limits else median(values)
    trajectory = numbered(ind.trajectory)
    first, last = points[0][0], points[-1][0]
    start = min([first.first_day] + [p.first_day for p, _ in trajectory])
    end = max([last.last_day] + [p.last_day for p, _ in trajectory])
    target = _current_target(ind, last)
    target_value = target[1] if target and target[1].is_number and not target[1].change_unit else None
    if target_value is not None and target_value.comparison in ("reduce_by", "increase_by"):
        target_value = None
    span_values = values + [v for _, v in trajectory] + [centre]
    if limits:
        span_values += [limits.upper, limits.lower]
    if target_value is not None:
        span_values.append(target_value.number)
    lo, hi = min(span_values), max(span_values)
    pad = (hi - lo) * Decimal("0.08") or abs(hi) * Decimal("0.05") or Decimal(1)
    lo, hi = lo - pad, hi + pad
    days = max((end - start).days, 1)

    def x(p: Period) -> float:
        mid = p.first_day + (p.last_day - p.first_day) / 2
        return round(LEFT + (W - LEFT - RIGHT) * (mid - start).days / days, 1)

    def y(v: Decimal) -> float:
        return round(float(TOP + (H - TOP - BOTTOM) * (hi - v) / (hi - lo)), 1)

    outside = outside_limits(points, limits) if limits else []
    show = lambda n: display.indicator_value(ind, Value("number", n))
    rnd = lambda n: n.quantize(Decimal("0.1")) if abs(n) < 1000 else n.quantize(Decimal(1))
    x0, x1 = LEFT, W - RIGHT
    lines = []
    if limits:
        lines.append({"kind": "mean", "y": y(limits.mean), "label": f"{display.CHART_LEGEND['mean']} {show(rnd(limits.mean))}"})
        lines.append({"kind": "limit", "y": y(limits.upper), "label": show(rnd(limits.upper))})
        lines.append({"kind": "limit", "y": y(limits.lower), "label": show(rnd(limits.lower))})
    else:
        lines.append({"kind": "median", "y": y(centre), "label": f"{display.CHART_LEGEND['median']} {show(rnd(centre))}"})
    if target_value is not None:
        lines.append({"kind": "target", "y": y(target_value.number),
                      "label": f"{display.CHART_LEGEND['target']} {show(target_value.number)}"})
    # labels at the right edge must not overlap: push apart by at least 9 units
    for a in sorted(lines, key=lambda l: l["y"]):
        a["label_y"] = a["y"]
    placed = sorted(lines, key=lambda l: l["y"])
    for i in range(1, len(placed)):
        if placed[i]["label_y"] - placed[i - 1]["label_y"] < 9:
            placed[i]["label_y"] = round(placed[i - 1]["label_y"] + 9, 1)
    step = max(1, -(-len(points) // 5))  # at most 5 period labels: they must not touch
    xlabels = [{"x": x(p), "text": display.period(p)} for i, (p, _) in enumerate(points) if i % step == 0]
    yticks = [{"y": y(t), "text": display.axis_number(t)} for t in _ticks(lo, hi)]
    centre_words = (display.CHART_LEGEND["mean"] if limits else display.CHART_LEGEND["median"], Value("number", rnd(centre)))
    summary = display.chart_summary(ind, first, last, len(points), series[last], centre_words,
                                    (Value("number", rnd(limits.lower)), Value("number", rnd(limits.upper))) if limits else None,
                                    outside, len(trajectory), target[1] if target else None)
    return {
        "id": f"chart-{ind.id}",
        "title": display.chart_title(ind),
        "summary": summary,
        "width": W, "height": H, "x0": x0, "x1": x1, "top": TOP, "bottom": H - BOTTOM,
        "spc": bool(limits),
        "actual": " ".join(f"{x(p)},{y(v)}" for p, v in points),
        "dots": [{"x": x(p), "y": y(v), "outside": p in outside} for p, v in points],
        "trajectory": " ".join(f"{x(p)},{y(v)}" for p, v in trajectory),
        "trajectory_dots": [{"x": x(p), "y": y(v)} for p, v in trajectory],
        "lines": lines,
        "xlabels": xlabels,
        "yticks": yticks,
        "legend": [display.CHART_LEGEND[k] for k in
                   ["actual"] + (["trajectory"] if trajectory else []) + (["mean", "limits"] if limits else ["median"])
                   + (["target"] if target_value is not None else []) + (["outside"] if outside else [])],
    }


def view(plan: Plan, indicators: list[Indicator] | None = None) -> dict | None:
    """Everything indicators v2 adds to the performance chapter (or, given the Better Care Fund's
    metrics, to its chapter: there every metric is in one set, so no table of sets), or None where
    the plan has none of it."""
    bcf_metrics = indicators is not None and plan.bcf is not None and indicators is plan.bcf.metrics
    indicators = plan.indicators if indicators is None else indicators
    sets = None if bcf_metrics else sets_table(indicators)
    constitution = constitution_table(indicators)
    benchmarks = benchmark_table(indicators)
    details = []
    for ind in indicators:
        c, s, a = chart(ind), series_table(ind), area_table(ind)
        if c or s or a:
            details.append({"id": ind.id, "title": display.indicator_title(ind.title, ind.code, ind.id),
                            "chart": c, "series": s, "areas": a})
    if not (sets or constitution or benchmarks or details):
        return None
    return {"sets": sets, "constitution": constitution, "benchmarks": benchmarks, "details": details,
            "chart_note": display.CHART_NOTE if any(d["chart"] for d in details) else ""}


def text_lines(ind: Indicator) -> list[str]:
    """Indicators v2 as lines of the textconv view (for git diff): one fact a line, each named by id."""
    show = lambda v: display.indicator_value(ind, v)
    lines = []
    if ind.group:
        lines.append(f"  {ind.id} group: {display.indicator_group(ind.group)}")
    for b in ind.benchmarks:
        where = f"  {ind.id} benchmark {display.period(b.period) if b.period else b.period_text}"
        for f in BENCHMARK_FIELDS:
            if getattr(b, f) is not None:
                lines.append(f"{where} {display.BENCHMARK_FIELD_LABELS[f]}: {show(getattr(b, f))}")
        if b.rank:
            lines.append(f"{where} rank: {display.rank(*b.rank)}")
        if b.peer_group:
            lines.append(f"{where} peer group: {b.peer_group}")
        if b.source:
            lines.append(f"{where} source: {b.source}")
    for p, v in ind.trajectory.items():
        lines.append(f"  {ind.id} trajectory {display.period(p)}: {show(v)}")
    for a in ind.areas:
        where = f"  {ind.id} area {a.id}"
        lines.append(f"{where}: {a.title}" + (f" ({display.area_kind(a.kind).lower()})" if a.kind else ""))
        if a.baseline is not None:
            lines.append(f"{where} baseline: {show(a.baseline)}" + (f" ({a.baseline_period.words})" if a.baseline_period else ""))
        lines += [f"{where} target {display.period(p)}: {show(v)}" for p, v in a.targets.items()]
        lines += [f"{where} actual {display.period(p)}: {show(v)}" for p, v in a.actuals.items()]
    return lines
