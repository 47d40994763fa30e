"""A plan's versions from its git history, and the trends across them (`opgen history`, issue 11
point 4): each action's RAG by quarter (the latest version's, with what earlier versions said where
they differ), QIPP forecast by quarter, risk scores over time and indicator actuals against
trajectory. Versions that are not valid plans are skipped and named. Prints nothing.

    versions, skipped = read_versions("plans/x.yaml", since="v1.0")
    trends = build_trends(versions)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from opgen import gitsource
from opgen.diagnostics import ERROR, UserError
from opgen.model import Plan, Value
from opgen.periods import Period, Quarter

WORKING_TREE = "working tree"


@dataclass(slots=True)
class Version:
    rev: str        # short hash, or "working tree"
    day: str        # commit date YYYY-MM-DD ('' for the working tree)
    subject: str
    plan: Plan

    @property
    def name(self) -> str:
        return f"{self.rev} ({self.day})" if self.day else self.rev


@dataclass(slots=True)
class Skipped:
    rev: str
    day: str
    why: str


@dataclass
class RagCell:
    colour: str | None
    earlier: list[tuple[str, str | None]] = field(default_factory=list)  # (rev, colour) where earlier versions differ


@dataclass
class RagRow:
    id: str
    title: str
    domain: str
    cells: list[RagCell]


@dataclass
class Series:
    """One line of a chart: a name and a value (or None) per x."""

    name: str
    values: list[Decimal | None]


@dataclass
class Chart:
    title: str
    x: list[str]
    series: list[Series]
    unit: str = ""


@dataclass
class Trends:
    plan: Plan                     # the latest version
    versions: list[Version]
    skipped: list[Skipped]
    quarters: list[Quarter]        # the quarters the RAG strip and the QIPP forecast run over
    rag: list[RagRow]
    qipp: Chart | None
    qipp_rows: list[Series]        # per scheme, forecast by quarter
    risks: Chart | None
    indicators: list[Chart]


def _log(repo: str, rel: str, since: str | None) -> list[tuple[str, str, str, str]]:
    """(full hash, short hash, date, subject) of the commits touching the file, oldest first."""
    span = [f"{since}..HEAD"] if since else ["HEAD"]
    result = gitsource.git(repo, "log", "--reverse", "--format=%H%x09%h%x09%cs%x09%s", *span, "--", rel)
    if result.returncode != 0:
        return []  # a repository with no commit yet
    rows = [line.split("\t", 3) for line in result.stdout.decode("utf-8", "replace").splitlines() if line]
    found = [tuple(r + [""] * (4 - len(r))) for r in rows]
    if since:
        info = gitsource.git(repo, "log", "-1", "--format=%H%x09%h%x09%cs%x09%s", "--end-of-options",
                             f"{since}^{{commit}}", "--")
        first = info.stdout.decode("utf-8", "replace").strip().split("\t", 3)
        if len(first) == 4:
            found.insert(0, tuple(first))
    return found  # type: ignore[return-value]


def _first_error(result) -> str:
    errors = [d for d in result.report.diagnostics if d.severity == ERROR]
    if not errors:
        return "it could not be read"
    d = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"line {d.line}: {d.message}{more}"


def read_versions(path: str, since: str | None = None) -> tuple[list[Version], list[Skipped]]:
    """Every committed version of the plan at `path` (from `since` on, that revision included), oldest
    first, plus the working tree where it differs from the last commit; invalid ones skipped."""
    if not Path(path).is_file():
        raise UserError(f"{path}: no such file")
    repo, rel = gitsource.repository(path)
    if since:
        gitsource.check_revision(repo, since)
    versions: list[Version] = []
    skipped: list[Skipped] = []
    last_bytes = None
    for full, short, day, subject in _log(repo, rel, since):
        shown = gitsource.git(repo, "show", f"{full}:{rel}")
        if shown.returncode != 0:
            continue  # the commit deleted the file
        last_bytes = shown.stdout
        _add(versions, skipped, shown.stdout, f"{short}:{rel}", short, day, subject)
    try:
        current = Path(path).read_bytes()
    except OSError as e:
        raise UserError(f"{path}: cannot read the file: {e.strerror}") from None
    if current != last_bytes:
        _add(versions, skipped, current, path, WORKING_TREE, "", "not committed")
    if not versions:
        raise UserError(f"{path}: no valid version of the plan in its git history"
                        + (f" since {since}" if since else "") + (" (all were skipped: see above)" if skipped else
                                                                    " (commit the plan first)"))
    return versions, skipped


def _add(versions, skipped, data: bytes, name: str, rev: str, day: str, subject: str) -> None:
    from opgen.pipeline import plan_from_bytes

    result = plan_from_bytes(data, name)
    if result.ok:
        versions.append(Version(rev, day, subject, result.plan))
    else:
        skipped.append(Skipped(rev, day, _first_error(result)))


# --- trends ---------------------------------------------------------------------------------------

def _quarters(versions: list[Version]) -> list[Quarter]:
    """The plan period's quarters up to the last one anything was reported for (RAG, forecast, score)."""
    latest = versions[-1].plan
    reported: set[Quarter] = set()
    for v in versions:
        reported.add(v.plan.meta.as_at) if v.plan.meta.as_at_stated else None
        for a in v.plan.actions:
            reported.update(a.rag)
        for s in (v.plan.qipp.schemes if v.plan.qipp else []):
            reported.update(s.forecast)
        for r in v.plan.risks:
            reported.update(r.scores)
    period = latest.quarters
    if not reported:
        return period[:1]
    last = max(reported)
    return [q for q in period if q <= last] or period[:1]


def rag_strip(versions: list[Version], quarters: list[Quarter]) -> list[RagRow]:
    latest = versions[-1].plan
    rows = []
    for a in latest.actions:
        cells = []
        for q in quarters:
            now = a.rag_for(q)
            earlier: list[tuple[str, str | None]] = []
            for v in versions[:-1]:
                old = v.plan.action(a.id)
                said = old.rag_for(q) if old else None
                if said is None or said == now:
                    continue
                if earlier and earlier[-1][1] == said:  # the same word in successive versions: named together
                    earlier[-1] = (f"{earlier[-1][0]}, {v.rev}", said)
                else:
                    earlier.append((v.rev, said))
            cells.append(RagCell(now, earlier))
        rows.append(RagRow(a.id, a.title, latest.domain_title(a.domain_id), cells))
    return rows


def _number(v: Value | None) -> Decimal | None:
    return v.number if v is not None and v.is_number else None


def qipp_trend(versions: list[Version], quarters: list[Quarter]) -> tuple[Chart | None, list[Series]]:
    latest = versions[-1].plan
    if not latest.qipp or not latest.qipp.schemes:
        return None, []
    rows = []
    for s in latest.qipp.schemes:
        values = []
        for q in quarters:
            value = s.forecast.get(q)
            if value is None:  # a quarter the latest version no longer holds: the last version that did
                for v in reversed(versions[:-1]):
                    old = next((o for o in (v.plan.qipp.schemes if v.plan.qipp else []) if o.id == s.id), None)
                    if old and q in old.forecast:
                        value = old.forecast[q]
                        break
            values.append(_number(value))
        rows.append(Series(f"{s.id} {s.title}", values))
    if not any(x is not None for r in rows for x in r.values):
        return None, rows
    forecast, planned = [], []
    for i, q in enumerate(quarters):  # the schemes that forecast for the quarter, against their own plan
        known = [(r.values[i], _number(s.savings.get(q.year))) for r, s in zip(rows, latest.qipp.schemes)
                 if r.values[i] is not None]
        forecast.append(sum((f for f, _ in known), Decimal(0)) if known else None)
        planned.append(sum((p for _, p in known), Decimal(0)) if known and all(p is not None for _, p in known)
                       else None)
    chart = Chart("QIPP savings: forecast for the year against plan (schemes that forecast)",
                  [q.label for q in quarters], [Series("Forecast", forecast), Series("Plan", planned)],
                  latest.qipp.unit.header)
    return chart, rows


def risk_trend(versions: list[Version], quarters: list[Quarter]) -> Chart | None:
    """Each open risk's score by quarter: what each version scored it at its as-at quarter, and the
    scores a risk's updates record by quarter (the later version wins)."""
    latest = versions[-1].plan
    by_risk: dict[str, dict[Quarter, int]] = {r.id: {} for r in latest.open_risks}
    for v in versions:
        for r in v.plan.risks:
            if r.id not in by_risk:
                continue
            by_risk[r.id].update(r.scores)
            if r.score is not None and v.plan.meta.as_at_stated:
                by_risk[r.id][v.plan.meta.as_at] = r.score
    series = [Series(f"{r.id} {r.title}", [Decimal(by_risk[r.id][q]) if q in by_risk[r.id] else None for q in quarters])
              for r in latest.open_risks if by_risk[r.id]]
    if not series:
        return None
    return Chart("Risk scores (likelihood \u00d7 impact) by quarter", [q.label for q in quarters], series, "score")


def indicator_trends(versions: list[Version]) -> list[Chart]:
    latest = versions[-1].plan
    charts = []
    for i in latest.indicators:
        actuals: dict[Period, Value] = {}
        for v in versions:  # actuals a later version dropped are still history
            old = next((o for o in v.plan.indicators if o.id == i.id), None)
            if old:
                actuals.update(old.actuals)
        actuals.update(i.actuals)
        if not actuals or not i.trajectory:
            continue
        periods = sorted(set(actuals) | set(i.trajectory), key=lambda p: (p.last_day, p.first_day))
        from opgen import display

        charts.append(Chart(f"{i.id} {i.title}", [display.period(p) for p in periods],
                            [Series("Actual", [_number(actuals.get(p)) for p in periods]),
                             Series("Trajectory", [_number(i.trajectory.get(p)) for p in periods])],
                            i.unit_label))
    return charts


def build_trends(versions: list[Version], skipped: list[Skipped]) -> Trends:
    quarters = _quarters(versions)
    qipp, qipp_rows = qipp_trend(versions, quarters)
    return Trends(versions[-1].plan, versions, skipped, quarters, rag_strip(versions, quarters), qipp, qipp_rows,
                  risk_trend(versions, quarters), indicator_trends(versions))
