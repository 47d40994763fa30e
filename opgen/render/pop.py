"""The plan on a page: what it shows (PopLimits and the view), a geometry estimate of how much fits,
and the fit search that makes it exactly one page.

The page is fitted, not clipped: it is laid out with a first guess of how many actions each
programme column can hold, then the guess is refined by a short search on the page count (more
actions while they fit, fewer when they spill), and the rest of each list is summarised as
"+ N more". Crowded plans fall back, in order, to tighter type, shorter side panels, an A3 sheet and
fewer programme columns. Typical plans are laid out once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from opgen import display
from opgen.diagnostics import WARNING, Diagnostic
from opgen.figures import compare_stated
from opgen.model import RAG_LABELS, Plan, nested
from opgen.render.html import (RAG_KEYS, _action_pill, band_pill, identity, last_target, plain, rag_pill,
                               short_rich, truncate)
from opgen.render.jinja import render
from opgen.render.weasy import render_with_shared_styles

@dataclass(frozen=True)
class PopLimits:
    """How much of each list the plan on a page shows; the rest is summarised ("+ 7 more")."""

    page: str = "A4"            # A4 or A3 (landscape)
    actions: int = 10_000       # per domain
    domains: int = 40           # programmes shown (many become a grid of cards)
    risks: int = 8
    indicators: int = 8
    qipp_domains: int = 8
    title_chars: int | None = None  # action, risk and indicator titles; None: in full (else cut at a word, with "…")
    statement_chars: int | None = None  # each vision statement; None: in full (shortened only at a sentence)
    mission_chars: int | None = None
    compact: bool = False       # smaller type and spacing, for crowded pages

    def with_(self, **changes: Any) -> "PopLimits":
        return replace(self, **changes)



def default_pop_limits(plan: Plan) -> PopLimits:
    """A first guess that fits most plans in one layout: the page size from the number of
    programmes, the side panels' list lengths and the actions per programme column from an
    estimate of the lines each part of the page can hold."""
    page = "A4" if len(plan.domains) <= 4 else "A3"
    limits = PopLimits(page=page)
    limits = estimate_side_limits(plan, limits)
    return limits.with_(actions=estimate_action_capacity(plan, limits))


CARD_DOMAINS = 6  # more programmes than this are laid out as a grid of cards, not columns


def headline_indicators(plan: Plan) -> list:
    """The indicators the plan on a page shows: those marked headline, then the Better Care Fund
    metrics marked headline (a headline metric is never dropped silently); with none marked, the
    plan's first indicators as before."""
    metrics = [m for m in plan.bcf.metrics if m.headline] if plan.bcf else []
    marked = [i for i in plan.indicators if i.headline]
    if marked or metrics:
        return marked + metrics
    # none marked: the first that have something to show (figures, or the plan's words), never a
    # row of "– → –"
    figured = [i for i in plan.indicators if display.has_figures(i)]
    return (figured + [i for i in plan.indicators if i.assessments and not display.has_figures(i)])[:6]


def qipp_shown(plan: Plan) -> bool:
    """The QIPP box has something to say: a scheme with an amount (or a TBC) for some year."""
    q = plan.qipp
    if not q or not q.schemes:
        return False
    return q.has_amounts


def headline_target(ind, plan: Plan) -> tuple[str, Any] | None:
    """The target the plan on a page shows: the one for the plan's own year (the latest year of the
    plan period that has a figure), not a monthly or quarterly trajectory point; with no year's
    target in the plan period, the latest full year's; else the latest target of any kind."""
    if not ind.targets:
        return None
    numbered = [(p, v) for p, v in ind.targets.items() if v.is_number]
    years = set(plan.meta.years)
    for candidates in ([(p, v) for p, v in numbered if p.financial_year in years],
                       [(p, v) for p, v in numbered if p.kind in ("financial_year", "calendar_year")]):
        if candidates:
            p, v = candidates[-1]
            return display.period(p), v
    return last_target(ind)


def rag_reported(plan: Plan) -> bool:
    return any(a.rag for a in plan.actions)


def uses_cards(plan: Plan) -> bool:
    return len(plan.domains) > CARD_DOMAINS


def vision_grid(statements: int) -> tuple[int, int]:
    """(statements per row, rows) of the vision band: one row of up to four beside the mission,
    more as a grid (eight: two rows of four; twelve: three rows of four), never narrow columns."""
    if statements <= 4:
        return max(statements, 1), 1
    rows = math.ceil(statements / 4)
    return math.ceil(statements / rows), rows


def domain_grid(domains: int, page: str, cards: bool) -> int:
    """Programmes per row: columns for a few, cards (four or five to a row) for many."""
    if not cards:
        return max_columns(domains, page)
    most = (3 if page == "A4" else 4) if domains <= 16 else (4 if page == "A4" else 5)
    return max(1, min(most, domains))


MM_PER_PT = 0.3528
CHAR_EM = 0.55  # average advance of an Inter character, in em


class _Geometry:
    """Rough page geometry of the plan on a page, in millimetres, mirroring plan-on-a-page.css."""

    def __init__(self, plan: Plan, limits: PopLimits):
        a3 = limits.page == "A3"
        # body type as plan-on-a-page.css sets it: never under 7.5 pt, so compact A4 is tighter
        # spacing only
        self.pt = (8.0 if limits.compact else 8.6) if a3 else 7.5
        self.line = self.pt * 1.3 * MM_PER_PT           # one line of body text
        self.row = self.pt * 1.25 * MM_PER_PT + 1.05    # one table row (padding and rule)
        page_w, page_h = (420.0, 297.0) if a3 else (297.0, 210.0)
        self.content_w = page_w - (24.0 if a3 else 18.0)
        self.content_h = page_h - (26.0 if a3 else 20.0)
        has_side = bool(qipp_shown(plan) or plan.risks_in_bands("extreme", "high")
                        or headline_indicators(plan))
        self.side_w = 96.0 if a3 else 78.0
        self.main_w = self.content_w - (self.side_w + 8.0 if has_side else 0.0)
        shown = min(len(plan.domains), limits.domains)
        self.cards = uses_cards(plan)
        self.per_row = domain_grid(shown, limits.page, self.cards)
        self.rows = max(1, math.ceil(shown / self.per_row)) if shown else 1
        self.col_w = self.main_w / max(self.per_row, 1) - 4.4
        masthead = 2.3 * self.pt
        # vision band: the tallest of the mission and the statements' rows
        statements = plan.vision.statements
        per_row, rows = vision_grid(len(statements))
        grid = rows > 1  # the mission is a band above a grid of statements
        statement_w = self.content_w * (1.0 if grid else 0.72) / per_row - 5.2
        rows_h = 0.0
        for start in range(0, len(statements), per_row):
            tallest = max(self.lines(_cap(len(plain(s.text)), limits.statement_chars), statement_w)
                          for s in statements[start:start + per_row])
            rows_h += tallest * self.line + self.line + 4.5
        mission_len = _cap(len(plain((plan.vision.mission or ""))), limits.mission_chars)
        if grid:
            vision = rows_h + self.lines(mission_len + 14, self.content_w - 5.2, em=1.2) * self.line * 1.2 + 4.5
        else:
            mission = self.lines(mission_len, self.content_w * 0.28 - 5.2, em=1.28 * 1.05)
            vision = max(rows_h, mission * self.line * 1.28 + self.line + 4.5)
        self.body_h = self.content_h - masthead - 2.6 - vision - 2.8 - 2.0  # 2mm of slack

    def chars(self, width: float, em: float = 1.0) -> float:
        return max(6.0, width / (self.pt * em * MM_PER_PT * CHAR_EM))

    def lines(self, length: int, width: float, em: float = 1.0) -> int:
        return max(1, math.ceil(length / self.chars(width, em)))


def _cap(length: int, limit: int | None) -> int:
    return length if limit is None else min(length, limit)


def max_columns(domains: int, page: str) -> int:
    most = 4 if page == "A4" else 5
    if domains <= most:
        return max(domains, 1)
    rows = math.ceil(domains / most)
    return math.ceil(domains / rows)


def _side_height(plan: Plan, limits: PopLimits, g: _Geometry) -> float:
    heading = g.line + 3.0
    height = 0.0
    if qipp_shown(plan):
        groups = len(plan.qipp.grouped("domain_id"))
        shown = min(groups, limits.qipp_domains)
        height += heading + 4 * g.row + 1.6 + (1 + shown) * g.row + (g.line if shown < groups else 0)
        height += g.line * 1.8 + 3.2
    risks = plan.risks_in_bands("extreme", "high")
    if risks:
        width = g.side_w - 4 - 16.6
        height += heading + 3.2
        for r in risks[: limits.risks]:
            text = len(r.id) + 1 + _cap(len(r.title), limits.title_chars) + (9 if r.current else 0)
            height += g.row + (g.lines(text, width) - 1) * g.line * 0.96
        if len(risks) > limits.risks:
            height += g.line + 1
    indicators = headline_indicators(plan)
    if indicators:
        width = g.side_w - 4 - 2 * (16.0 if limits.page == "A4" else 21.0) - 3
        height += heading + g.row + g.line * 1.2 + 3.2
        for ind in indicators[: limits.indicators]:
            lines = max(2, g.lines(2 + _cap(len(ind.title), limits.title_chars), width))
            height += g.row + (lines - 1) * g.line * 0.94
        if len(indicators) > limits.indicators:
            height += g.line + 1
    return height


def estimate_side_limits(plan: Plan, limits: PopLimits) -> PopLimits:
    """Shorten the side panels' lists (risks, indicators, QIPP programmes) until they fit beside
    the programme columns, taking one item at a time from the longest list."""
    g = _Geometry(plan, limits)
    while _side_height(plan, limits, g) * 0.95 + 2.0 > g.body_h:
        sizes = {"risks": min(limits.risks, len(plan.risks_in_bands("extreme", "high"))),
                 "indicators": min(limits.indicators, len(headline_indicators(plan))),
                 "qipp_domains": min(limits.qipp_domains, len(plan.qipp.grouped("domain_id")) if plan.qipp else 0)}
        name, size = max(sizes.items(), key=lambda kv: kv[1])
        if size <= 2:
            break
        limits = limits.with_(**{name: size - 1})
    return limits


def estimate_action_capacity(plan: Plan, limits: PopLimits) -> int:
    """How many actions per programme column the page is likely to hold (titles may wrap)."""
    g = _Geometry(plan, limits)
    per_row = (g.body_h - 5.0) / g.rows - 2.2
    # the RAG column (plan-on-a-page.css) only where the plan reports RAG: with none, the title has
    # the column's width, and a settled action's status in words follows it instead
    rated = rag_reported(plan)
    title_width = g.col_w - ((18.5 if limits.page == "A3" else 17.5) if rated else 0.0) - 1.6
    # a RAG pill (7.5 pt, a block with padding) is taller than a line of the title beside it
    row = max(g.row, 7.5 * ((1.25 if limits.compact else 1.3) + 0.34) * MM_PER_PT + 1.05) if rated else g.row
    budget = per_row - (g.line * 1.22 * 2 + 3.6) - g.line * 1.7  # title bar, counts, "+ N more"
    if g.cards:
        budget -= g.line * 1.3 + 3.0  # the card's RAG sentence and bar
    capacity = []
    for domain in plan.domains[: limits.domains]:
        used, count = 0.0, 0
        for action in domain.actions:
            text = len(action.id) + 1 + _cap(len(action.title), limits.title_chars)
            status = "" if rated else display.settled_status(action)
            phase = display.schedule_phase_now(plan, action)
            text += (len(status) + 3 if status else 0) + (len(phase) + 1 if phase else 0)  # the badge's padding
            used += row + (g.lines(text, title_width) - 1) * g.line * 0.96
            if used > budget:
                break
            count += 1
        capacity.append(count if count < len(domain.actions) else len(domain.actions))
    # the same limit applies to every column: the tallest column decides
    full = [c for c, d in zip(capacity, plan.domains) if c < len(d.actions)]
    return max(0, min(full)) if full else max((len(d.actions) for d in plan.domains), default=0)


def pop_view(plan: Plan, diagnostics: list[Diagnostic], limits: PopLimits) -> dict[str, Any]:
    meta = plan.meta
    shown_domains = plan.domains[: limits.domains]
    cards = uses_cards(plan)
    per_row = domain_grid(len(shown_domains), limits.page, cards)

    rated = rag_reported(plan)  # with no RAG in the plan, it is said once, not on every action
    columns = []
    for domain in shown_domains:
        actions = [a for a, _ in nested(domain.actions)]  # sub-actions straight after their parent
        # "+ 1 more action" takes the line the action would: show the action instead
        shown = actions if len(actions) <= limits.actions + 1 else actions[: limits.actions]
        counts = domain.rag_counts()
        total = len(actions)
        columns.append({
            "summary": display.rag_summary(total, counts),
            "bar": [{"css": f"rag-{key}" if key in RAG_LABELS else "rag-none",
                     "width": f"{100 * counts[key] / total:.2f}%"}
                    for key in (*RAG_KEYS, "none") if counts.get(key)]
                   if any(counts.get(key) for key in RAG_KEYS) else [],  # no bar of nothing but "not reported"
            "title": domain.title,
            "lead": domain.lead or "",
            "total": len(actions),
            "counts": [{"pill": rag_pill(key if key != "none" else None), "count": counts[key]}
                       for key in (*RAG_KEYS, "none") if counts.get(key)],
            "actions": [{"id": a.id, "title": truncate(a.title, limits.title_chars),
                         "rag": _action_pill(a) if rated else None,
                         # with no RAG in the plan, a complete, stopped or paused action says so in words
                         "status": "" if rated else display.settled_status(a),
                         "phase": display.schedule_phase_now(plan, a)} for a in shown],
            "more": len(actions) - len(shown),
        })
    rows = [columns[i:i + per_row] for i in range(0, len(columns), per_row)]
    # pad the last row so columns keep the same width
    if rows and len(rows) > 1 and len(rows[-1]) < per_row:
        rows[-1] = rows[-1] + [None] * (per_row - len(rows[-1]))

    # RAG summary over the whole plan, for the header
    overall: dict[str, int] = {}
    for action in plan.actions:
        key = action.current_rag if action.current_rag in RAG_LABELS else "none"
        overall[key] = overall.get(key, 0) + 1
    overall_counts = [{"pill": rag_pill(k if k != "none" else None), "count": overall[k]}
                      for k in (*RAG_KEYS, "none") if overall.get(k)]

    qipp = None
    if qipp_shown(plan):
        q = plan.qipp
        years = q.years or meta.years
        by_domain = []
        for domain_id, schemes in q.grouped("domain_id"):
            by_domain.append({"title": plan.domain_title(domain_id) if domain_id else display.NO_DOMAIN,
                              "nets": [display.total(q.net(y, schemes)) for y in years]})
        shown_qd = by_domain[: limits.qipp_domains]
        values = [v for s in q.schemes for y in years for v in (s.savings.get(y), s.investment.get(y)) if v is not None]
        stated = []
        if q.stated_total:
            for y in years:
                value = q.stated_total.get(y)
                difference = compare_stated(value, q.net(y))
                stated.append({"text": display.value(value) if value is not None else display.DASH,
                               "flag": display.stated_flag(difference) if difference is not None else ""})
        qipp = {
            "unit": q.unit.header,
            "stated": stated,
            "stated_label": display.POP_QIPP_STATED,
            "note": display.pop_qipp_note(len(q.schemes), any(v.kind == "tbc" for v in values),
                                          any(v.kind == "not_stated" for v in values)),
            "years": [{"label": y.label, "net": display.total(q.net(y)), "savings": display.total(q.savings(y)),
                       "investment": display.total(q.investment(y)), "incomplete": q.net(y).incomplete}
                      for y in years],
            "by_domain": shown_qd,
            "more_domains": len(by_domain) - len(shown_qd),
            "schemes": len(q.schemes),
            "incomplete": any(q.net(y).incomplete for y in years),
        }

    risks_all = plan.risks_in_bands("extreme", "high")
    risks_shown = risks_all[: limits.risks]
    risks = [{"id": r.id, "title": truncate(r.title, limits.title_chars), "band": band_pill(r.band),
              "score": display.position(r.current, compact=True),
              "domain": plan.domain_title(r.domain_id) if r.domain_id else ""}
             for r in risks_shown]

    inds_all = headline_indicators(plan)
    inds_shown = inds_all[: limits.indicators]
    indicators = []
    for ind in inds_shown:
        target = headline_target(ind, plan)
        indicators.append({
            # a baseline "not stated" and no target or actual is no figure at all
            "figures": bool(ind.targets or ind.actuals or (ind.baseline is not None and ind.baseline.kind != "not_stated")),
            "no_target": target is None,
            "title": truncate(ind.title, limits.title_chars),
            "baseline": display.indicator_value(ind, ind.baseline),
            "baseline_period": ind.baseline_period_words,
            "target": display.indicator_value(ind, target[1]) if target else display.POP_NO_TARGET,
            "target_year": target[0] if target else "",
            "direction": display.polarity_arrow(ind.polarity),
            "polarity": display.polarity(ind.polarity),
            # no figures: the plan's latest words stand in for "– → –"
            "words": ("" if display.has_figures(ind) or not ind.assessments
                      else display.assessment(display.latest_assessment(ind.assessments))),
        })

    statements = [{"label": s.label, "text": short_rich(s.text, limits.statement_chars)}
                  for s in plan.vision.statements]
    vision_per_row, vision_rows = vision_grid(len(statements))
    statement_rows = [statements[i:i + vision_per_row] for i in range(0, len(statements), vision_per_row)]
    if len(statement_rows) > 1 and len(statement_rows[-1]) < vision_per_row:
        statement_rows[-1] = statement_rows[-1] + [None] * (vision_per_row - len(statement_rows[-1]))
    warnings = [d for d in diagnostics if d.severity == WARNING]
    ident = identity(plan)
    return {
        **ident,
        "masthead": display.pop_masthead(ident["version"] if ident["version_stated"] else "", ident["status"],
                                         ident["as_at"], ident["date"]),
        "has_side": bool(qipp or risks or indicators),
        "limits": limits,
        "page_class": "a3" if limits.page == "A3" else "a4",
        "per_row": per_row,
        "mission": short_rich((plan.vision.mission or ""), limits.mission_chars),
        "mission_long": len(plain((plan.vision.mission or ""))) > 120,
        "statements": statements,
        # the mission alone still has its row; a plan that states no vision has no vision band at all
        "statement_rows": statement_rows or ([[]] if plan.vision.mission else []),
        "vision_grid": vision_rows > 1,
        "vision_per_row": vision_per_row,
        "cards": cards,
        "rows": rows,
        "more_domains": len(plan.domains) - len(shown_domains),
        "more_domain_actions": sum(len(d.actions) for d in plan.domains[limits.domains:]),
        "total_actions": len(plan.actions),
        "overall_counts": overall_counts if rated else [],
        "rated": rated,
        "no_rag": "" if rated or not plan.actions else display.no_rag_as_at(display.as_at(meta)),
        "qipp": qipp,
        "risks": risks,
        "risks_more": len(risks_all) - len(risks_shown),
        "risks_total": len(plan.open_risks),
        "indicators": indicators,
        "indicators_more": len(inds_all) - len(inds_shown),
        "indicators_in_words": bool(indicators) and all(i["words"] for i in indicators),
        # none has a figure or the plan's words: a list of the measures, not rows of "Not stated → –"
        "indicators_named_only": bool(indicators) and not any(i["figures"] or i["words"] for i in indicators),
        "indicators_named_note": display.POP_MEASURES_NOTE,
        "no_figures": display.POP_NO_FIGURES,
        "indicators_arrows": any(i["direction"] for i in indicators),
        "assessment_heading": display.LATEST_ASSESSMENT,
        "tbc_count": len(plan.tbcs),
        "warning_count": len(warnings),
        "description": f"{plan.organisation.name}: {meta.title}, {meta.period_label}. Plan on a page.",
    }


def plan_on_a_page_html(plan: Plan, diagnostics: list[Diagnostic], limits: PopLimits | dict | None = None) -> str:
    """The plan on a page as HTML. `limits` (a PopLimits or a dict of its fields) caps each list;
    by default a first guess from the plan's size (pdf.plan_on_a_page_pdf refines it to fit)."""
    if limits is None:
        limits = default_pop_limits(plan)
    elif isinstance(limits, dict):
        limits = default_pop_limits(plan).with_(**limits)
    return render("plan-on-a-page.html.j2", **pop_view(plan, list(diagnostics or []), limits))


@dataclass
class PopFit:
    """The outcome of fitting the plan on a page: the HTML and layout that fit, and how it was found."""

    html: str
    document: object
    limits: PopLimits
    renders: int


def fit_plan_on_a_page(plan: Plan, diagnostics: list[Diagnostic]) -> PopFit:
    """Find the largest per-programme action count (under the fallbacks below) that keeps the plan
    on a page to one page, and return that layout."""
    most = max((len(d.actions) for d in plan.domains), default=0)
    # Every layout tried is remembered by its page count; only the one-page layouts (one of which is
    # returned) are kept, so a search over a big plan does not hold every overflowing layout.
    pages: dict[PopLimits, int] = {}
    kept: dict[PopLimits, tuple[str, object]] = {}
    renders = 0

    def layout(limits: PopLimits) -> tuple[str, object]:
        nonlocal renders
        if limits not in kept:
            html = plan_on_a_page_html(plan, diagnostics, limits)
            document = render_with_shared_styles(html)   # the stylesheets parsed once for every trial
            renders += 1
            pages[limits] = len(document.pages)
            if pages[limits] != 1:
                return html, document
            kept[limits] = (html, document)
        return kept[limits]

    def fits(limits: PopLimits) -> bool:
        if limits not in pages:
            layout(limits)
        return pages[limits] == 1

    def best_count(base: PopLimits, guess: int) -> int | None:
        """The largest action count that fits with `base`'s other limits, or None if none does.
        (One more action never makes an overflowing page fit, so the count found does not depend on
        the order of the trials; a count of 0 is tried only when the search comes down to it.)"""
        guess = max(0, min(guess, most))
        if fits(base.with_(actions=guess)):
            lo, hi = guess, None
            step = 2  # the estimate is seldom more than a few actions out
            while hi is None:  # grow until something does not fit, or everything is shown
                if lo >= most:
                    return lo
                candidate = min(most, lo + step)
                if fits(base.with_(actions=candidate)):
                    lo, step = candidate, step * 2
                else:
                    hi = candidate
        else:
            lo, hi, step = None, guess, 2
            while lo is None:  # shrink the same way until something fits (an estimate a little high
                if hi == 0:     # costs a layout or two, not a bisection from nothing)
                    return None
                candidate = max(0, hi - step)
                if fits(base.with_(actions=candidate)):
                    lo = candidate
                else:
                    hi, step = candidate, step * 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if fits(base.with_(actions=mid)):
                lo = mid
            else:
                hi = mid
        if lo == 0 and not fits(base.with_(actions=0)):
            return None  # something other than the actions overflows: try the next fallback
        return lo

    def reestimated(limits: PopLimits) -> PopLimits:
        limits = estimate_side_limits(plan, limits)
        return limits.with_(actions=estimate_action_capacity(plan, limits))

    first = default_pop_limits(plan)
    short = dict(risks=min(first.risks, 4), indicators=min(first.indicators, 4),
                 qipp_domains=min(first.qipp_domains, 4), title_chars=100)
    # the vision is shortened only when all else fails, and then at a sentence boundary
    brief = dict(short, statement_chars=260, mission_chars=200)
    fewer = dict(risks=max(2, first.risks - 2), indicators=max(2, first.indicators - 2),
                 qipp_domains=max(2, first.qipp_domains - 2))
    ladder = [first,
              reestimated(first.with_(**fewer)),
              reestimated(first.with_(compact=True)),
              reestimated(first.with_(compact=True, **short))]
    if first.page == "A4":
        ladder.append(reestimated(first.with_(page="A3", compact=True, **short)))
    ladder.append(reestimated(first.with_(page="A3", compact=True, **brief)))
    for shown in (24, 16, 10, 6, 3, 1):
        if shown < min(len(plan.domains), first.domains):
            ladder.append(reestimated(first.with_(page="A3", compact=True, domains=shown, **brief)))
    ladder.append(first.with_(page="A3", compact=True, domains=1, risks=1, indicators=1, qipp_domains=1,
                              title_chars=40, statement_chars=120, mission_chars=100, actions=0))

    for base in ladder:
        count = best_count(base, base.actions)
        if count is not None:
            limits = base.with_(actions=count)
            # the side panels' lengths were estimated: show them in full when the page has room
            full_side = limits.with_(risks=max(limits.risks, len(plan.risks_in_bands("extreme", "high"))),
                                     indicators=max(limits.indicators, len(headline_indicators(plan))),
                                     qipp_domains=max(limits.qipp_domains,
                                                      len(plan.qipp.grouped("domain_id")) if plan.qipp else 0))
            if full_side != limits:
                # the longest of the lists a quarter, half, three quarters and all the way from the
                # estimate to the full lists that still fits (longer lists never make an overflowing
                # page fit); the shortest is tried first, as on a crowded page it is often the last
                def towards(share: float) -> PopLimits:
                    return limits.with_(**{k: getattr(limits, k) + int((getattr(full_side, k) - getattr(limits, k)) * share)
                                           for k in ("risks", "indicators", "qipp_domains")})

                steps = [trial for trial in dict.fromkeys(towards(share) for share in (0.25, 0.5, 0.75))
                         if trial != limits] + [full_side]
                if fits(steps[0]):
                    best = 0
                    if fits(steps[-1]):
                        best = len(steps) - 1
                    else:
                        for i in range(1, len(steps) - 1):
                            if not fits(steps[i]):
                                break
                            best = i
                    limits = steps[best]
            html, document = layout(limits)
            return PopFit(html, document, limits, renders)
    # Unreachable in practice (one programme, no actions and one-line texts overflowed). Keep
    # the first page rather than ever print two.
    limits = ladder[-1]
    html, document = layout(limits)
    return PopFit(html, document.copy(document.pages[:1]), limits, renders)
