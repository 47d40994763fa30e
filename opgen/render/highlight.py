"""The highlight report (`opgen build --format highlight`): one page per domain for the plan's as-at
quarter, for a board that reads exceptions: RAG now against last quarter, the path to green of every
red and amber action, milestones due next quarter and those slipped, QIPP forecast against plan, risks
(and whether they rose), indicators against trajectory. A plan with no as-at quarter or no RAG gets one
honest page saying so.

The view is built here (every figure and word through opgen.display); the template only lays it out.
Each domain must fit its page: a domain that runs over is laid out again, tighter, until it does (the
others keep their size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from opgen import display
from opgen.diagnostics import Diagnostic
from opgen.model import Action, Indicator, Plan, Value
from opgen.periods import FinancialYear, Quarter, When
from opgen.render import document_timestamp
from opgen.render.html import Pill, milestone_pill, plain, rag_pill
from opgen.render.jinja import render

# worst to best; blue (complete) ranks above green; grey (not started) is not compared
RAG_RANK = {"red": 0, "amber_red": 1, "amber": 2, "amber_green": 3, "green": 4, "blue": 5}
NEEDS_PATH = ("red", "amber_red", "amber")
# the tighter layouts tried in turn until each domain fits one page: (css class, characters of each
# path to green and commentary kept; the tightest two keep the path to green only)
FITS = (("fit-0", 600), ("fit-1", 320), ("fit-2", 180), ("fit-3", 110), ("fit-4", 70))
PATH_ONLY = ("fit-3", "fit-4")


def previous_quarter(q: Quarter) -> Quarter:
    return Quarter(q.year, q.number - 1) if q.number > 1 else Quarter(FinancialYear(q.year.start_year - 1), 4)


def next_quarter(q: Quarter) -> Quarter:
    return Quarter(q.year, q.number + 1) if q.number < 4 else Quarter(FinancialYear(q.year.start_year + 1), 1)


def rag_move(now: str | None, before: str | None) -> str:
    """worse | better | same | new | none"""
    if now is None:
        return "none"
    if before is None:
        return "new"
    if now == before:
        return "same"
    if now in RAG_RANK and before in RAG_RANK:
        return "worse" if RAG_RANK[now] < RAG_RANK[before] else "better"
    return "none"


def _short(text: str | None, limit: int) -> str:
    text = plain(text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "\u2026"


@dataclass
class ActionRow:
    id: str
    title: str
    lead: str
    now: Pill
    before: Pill
    move: str
    move_css: str
    path_to_green: str
    commentary: str
    needs_path: bool


@dataclass
class DomainPage:
    title: str
    lead: str
    counts: str
    exceptions: list[ActionRow] = field(default_factory=list)
    others: list[ActionRow] = field(default_factory=list)
    due_next: list[dict] = field(default_factory=list)
    slipped: list[dict] = field(default_factory=list)
    qipp: list[dict] = field(default_factory=list)
    qipp_total: dict | None = None
    risks: list[dict] = field(default_factory=list)
    risks_note: str = ""
    indicators: list[dict] = field(default_factory=list)
    has_actions: bool = True
    key: int = 0          # the page's place among the groups (domains, then plan-wide), for fitting
    fit: str = "fit-0"

    @property
    def empty(self) -> bool:
        return not (self.exceptions or self.others or self.due_next or self.slipped or self.qipp or self.risks
                    or self.indicators)


def has_rag(plan: Plan) -> bool:
    """Any action rated for the as-at quarter or before it."""
    return any(q <= plan.meta.as_at for a in plan.actions for q in a.rag)


def _action_row(a: Action, q: Quarter, prev: Quarter, limit: int, commentary: bool = True) -> ActionRow:
    now, before = a.rag_for(q), a.rag_as_at(prev)
    move = rag_move(now, before)
    update = a.updates.get(q, {})
    needs = now in NEEDS_PATH
    path = update.get("path_to_green")
    return ActionRow(
        id=a.id, title=a.title, lead=a.lead or "", now=rag_pill(now), before=rag_pill(before),
        move=display.RAG_MOVES[move], move_css=f"move-{move}",
        path_to_green=_short(path, limit) if path else (display.NO_PATH_TO_GREEN if needs else ""),
        commentary=_short(update.get("commentary"), limit) if commentary else "", needs_path=needs and not path)


def _when_of(raw) -> When | None:
    if raw in (None, "", "tbc"):
        return None
    try:
        return When.parse(raw)
    except Exception:  # noqa: BLE001 - validation reports a bad forecast; here it is simply not used
        return None


def _milestones(plan: Plan, actions: list[Action], q: Quarter) -> tuple[list[dict], list[dict]]:
    nxt = next_quarter(q)
    due_next, slipped = [], []
    for a in actions:
        for m in a.milestones:
            due = m.due
            status = m.status_label or display.NOT_REPORTED
            row = {"id": m.id, "title": m.title, "action": a.id, "due": m.due_display or display.TBC,
                   "status": milestone_pill(m.status, status), "reason": ""}
            if m.status == "complete":
                continue
            forecast = _when_of(m.forecast_text)
            if due and due.end and forecast and forecast.end and forecast.end > due.end:
                row["reason"] = display.slipped_reason("forecast", due.words, forecast.words)
                slipped.append(row)
            elif m.status == "missed":
                row["reason"] = display.slipped_reason("missed", m.due_display or display.TBC)
                slipped.append(row)
            elif due and due.end and due.end <= q.last_day and m.status is not None:
                row["reason"] = display.slipped_reason("overdue", due.words, status=status)
                slipped.append(row)
            elif due and due.end and nxt.first_day <= due.end <= nxt.last_day:
                due_next.append(row)
    return due_next, slipped


def _qipp(plan: Plan, domain_id: str | None, q: Quarter) -> tuple[list[dict], dict | None]:
    if not plan.qipp:
        return [], None
    unit = plan.qipp.unit
    rows = []
    plan_sum, forecast_sum, complete = Decimal(0), Decimal(0), True
    for s in plan.qipp.schemes:
        if s.domain_id != domain_id:
            continue
        planned = s.savings.get(q.year)
        forecasts = [fq for fq in s.forecast if fq.year == q.year and fq <= q]
        forecast = s.forecast[max(forecasts)] if forecasts else None
        short = None
        if planned is not None and planned.is_number and forecast is not None and forecast.is_number:
            short = forecast.number < planned.number
            plan_sum += planned.number
            forecast_sum += forecast.number
        else:
            complete = False
        rows.append({"id": s.id, "title": s.title,
                     "plan": display.value(planned) if planned is not None else display.NOT_STATED,
                     "forecast": display.value(forecast) if forecast is not None else display.NOT_REPORTED,
                     "variance": display.qipp_variance(short) if forecast is not None else "", "short": bool(short)})
    if not rows:
        return [], None
    total = {"plan": unit.short(plan_sum), "forecast": unit.short(forecast_sum),
             "variance": unit.short(forecast_sum - plan_sum), "complete": complete, "unit": unit.header,
             "year": q.year.label}
    return rows, total


def _risks(plan: Plan, domain_id: str | None, q: Quarter, prev: Quarter) -> tuple[list[dict], str]:
    rows, unknown = [], False
    for r in plan.open_risks:
        if r.domain_id != domain_id:
            continue
        now = r.scores.get(q, r.score)
        before = r.scores.get(prev)
        unknown = unknown or before is None
        move = display.risk_move(now, before)
        rows.append({"id": r.id, "title": r.title, "band": r.band, "pill": _band_pill(r),
                     "now": str(now) if now is not None else display.NOT_SCORED,
                     "before": str(before) if before is not None else display.NOT_KNOWN,
                     "move": move, "rose": now is not None and before is not None and now > before})
    rows.sort(key=lambda x: (not x["rose"], -(int(x["now"]) if x["now"].isdigit() else -1)))
    return rows, display.risk_last_quarter_unknown(prev.label) if unknown and rows else ""


def _band_pill(r) -> Pill:
    from opgen.render.html import risk_pill

    return risk_pill(r)


def _verdict(i: Indicator, actual: Value, target: Value | None) -> str:
    if target is None or not (actual.is_number and target.is_number):
        return "none"
    if actual.number == target.number:
        return "on"
    if i.polarity not in ("lower_is_better", "higher_is_better"):
        return "no_polarity"
    better = actual.number < target.number if i.polarity == "lower_is_better" else actual.number > target.number
    return "better" if better else "worse"


def _indicators(plan: Plan, domain_id: str | None, q: Quarter) -> list[dict]:
    rows = []
    for i in plan.indicators:
        if i.domain_id != domain_id or not (i.trajectory or i.actuals):
            continue
        reported = {p: v for p, v in i.actuals.items() if p.last_day <= q.last_day}
        if not reported and not i.trajectory:
            continue
        if reported:
            period = max(reported, key=lambda p: (p.last_day, p.first_day))
            actual = reported[period]
            target = i.trajectory.get(period)
            verdict = _verdict(i, actual, target)
            rows.append({"id": i.id, "title": i.title, "period": display.period(period),
                         "actual": display.indicator_value(i, actual),
                         "trajectory": display.indicator_value(i, target) if target is not None else display.DASH,
                         "verdict": display.TRAJECTORY_VERDICTS[verdict], "css": f"verdict-{verdict}"})
        else:
            rows.append({"id": i.id, "title": i.title, "period": display.DASH, "actual": display.NOT_REPORTED,
                         "trajectory": display.DASH, "verdict": display.TRAJECTORY_VERDICTS["none"],
                         "css": "verdict-none"})
    return rows


def domain_pages(plan: Plan, levels: dict[int, int] | None = None) -> list[DomainPage]:
    """One page per domain (then one for plan-wide items, where there are any); `levels` gives a page's
    layout (an index into FITS) by its key, 0 where not given."""
    levels = levels or {}
    q = plan.meta.as_at
    prev = previous_quarter(q)
    pages = []
    groups = [(d.id, d.title, d.lead or "", d.actions) for d in plan.domains]
    assigned = {d.id for d in plan.domains}
    pages_for = groups + [(None, display.PLAN_WIDE_PAGE, "", [a for a in plan.actions if a.domain_id not in assigned])]
    for key, (domain_id, title, lead, actions) in enumerate(pages_for):
        fit = FITS[levels.get(key, 0)]
        rows = [_action_row(a, q, prev, fit[1], fit[0] not in PATH_ONLY) for a in actions]
        counts: dict[str, int] = {}
        for a in actions:
            colour = a.rag_for(q) or "none"
            counts[colour] = counts.get(colour, 0) + 1
        order = list(display.rag_keys(True)) + ["none"]
        counts = {k: counts[k] for k in order if k in counts}
        exceptions = [r for r, a in zip(rows, actions) if a.rag_for(q) in NEEDS_PATH or r.move_css == "move-worse"]
        others = [r for r in rows if r not in exceptions]
        due_next, slipped = _milestones(plan, actions, q)
        qipp, qipp_total = _qipp(plan, domain_id, q)
        risks, note = _risks(plan, domain_id, q, prev)
        page = DomainPage(title=title, lead=lead, counts=display.rag_counts_line(counts, q.label) if actions else "",
                          exceptions=exceptions, others=others, due_next=due_next, slipped=slipped, qipp=qipp,
                          qipp_total=qipp_total, risks=risks, risks_note=note,
                          indicators=_indicators(plan, domain_id, q), has_actions=bool(actions), key=key,
                          fit=fit[0])
        if domain_id is not None or not page.empty:
            pages.append(page)
    return pages


def highlight_html(plan: Plan, diagnostics: list[Diagnostic] | None = None, levels: dict[int, int] | None = None) -> str:
    org = plan.organisation.name
    q = plan.meta.as_at
    ready = plan.meta.as_at_stated and has_rag(plan)
    context = dict(
        lang="en-GB", org=org, org_short=plan.organisation.display_short, title=plan.meta.title,
        report_title=display.HIGHLIGHT_TITLE, d=display,
        period="" if plan.meta.period_label in plan.meta.title else plan.meta.period_label,
        version=display.version(plan.meta.version), is_draft=plan.meta.is_draft,
        ready=ready,
        subtitle=display.highlight_subtitle(q, previous_quarter(q)) if ready else "",
        not_possible=[] if ready else display.highlight_not_possible(plan.meta.as_at_stated, has_rag(plan),
                                                                      q.label if plan.meta.as_at_stated else ""),
        pages=domain_pages(plan, levels) if ready else [],
        next_label=next_quarter(q).label,
    )
    return render("highlight-report.html.j2", **context)


def highlight_pdf(plan: Plan, diagnostics: list[Diagnostic] | None = None) -> tuple[str, bytes]:
    """(HTML, PDF bytes): one page per domain. Laid out, then each domain that ran over its page is laid
    out again one step tighter (FITS), until every domain fits or is at the tightest."""
    from opgen.render.weasy import document_to_pdf, render_document

    ready = plan.meta.as_at_stated and has_rag(plan)
    levels: dict[int, int] = {}
    while True:
        html = highlight_html(plan, diagnostics, levels)
        document = render_document(html)
        if not ready:
            break
        over = [key for key, pages in _pages_by_key(document).items()
                if pages > 1 and levels.get(key, 0) < len(FITS) - 1]
        if not over:
            break
        for key in over:
            levels[key] = levels.get(key, 0) + 1
    seed = f"opgen:highlight:{plan.organisation.name}:{plan.meta.title}:{plan.meta.period_label}:{plan.meta.version}"
    pdf = document_to_pdf(document, html=html, timestamp=document_timestamp(plan.meta.date), identifier_seed=seed)
    return html, pdf


def _pages_by_key(document) -> dict[int, int]:
    """How many pages each domain's section took (its anchor, hl-dom-<key>, is on every page it spans)."""
    out: dict[int, int] = {}
    for page in document.pages:
        for anchor in page.anchors:
            if anchor.startswith("hl-dom-") and anchor.removeprefix("hl-dom-").isdigit():
                key = int(anchor.removeprefix("hl-dom-"))
                out[key] = out.get(key, 0) + 1
    return out
