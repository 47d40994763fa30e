"""PDF board papers: the plan on a page (always exactly one page) and the full operational plan.

The plan on a page is fitted, not clipped: it is laid out with a first guess of how many actions
each programme column can hold, then the guess is refined by a short search on the page count
(more actions while they fit, fewer when they spill), and the rest of each list is summarised as
"+ N more". Crowded plans fall back, in order, to tighter type, shorter side panels, an A3 sheet and
fewer programme columns. Typical plans are laid out once.
"""

from __future__ import annotations

from dataclasses import dataclass

from opgen.diagnostics import Diagnostic
from opgen.model import Plan
from opgen.render import document_timestamp
from opgen.render.html import (PopLimits, default_pop_limits, estimate_action_capacity, estimate_side_limits,
                               operational_plan_html, plan_on_a_page_html)
from opgen.render.weasy import document_to_pdf, html_to_pdf, render_document


@dataclass
class PopFit:
    """The outcome of fitting the plan on a page: the HTML and layout that fit, and how it was found."""

    html: str
    document: object
    limits: PopLimits
    renders: int


def _identifier_seed(plan: Plan, kind: str) -> str:
    return f"opgen:{kind}:{plan.organisation.name}:{plan.meta.title}:{plan.meta.period_label}:{plan.meta.version}"


def fit_plan_on_a_page(plan: Plan, diagnostics: list[Diagnostic]) -> PopFit:
    """Find the largest per-programme action count (under the fallbacks below) that keeps the plan
    on a page to one page, and return that layout."""
    most = max((len(d.actions) for d in plan.domains), default=0)
    cache: dict[PopLimits, tuple[str, object]] = {}
    renders = 0

    def layout(limits: PopLimits) -> tuple[str, object]:
        nonlocal renders
        if limits not in cache:
            html = plan_on_a_page_html(plan, diagnostics, limits)
            cache[limits] = (html, render_document(html))
            renders += 1
        return cache[limits]

    def fits(limits: PopLimits) -> bool:
        return len(layout(limits)[1].pages) == 1

    def best_count(base: PopLimits, guess: int) -> int | None:
        """The largest action count that fits with `base`'s other limits, or None if none does."""
        guess = max(0, min(guess, most))
        if fits(base.with_(actions=guess)):
            lo, hi = guess, None
            step = max(2, guess // 4)
            while hi is None:  # grow until something does not fit, or everything is shown
                if lo >= most:
                    return lo
                candidate = min(most, lo + step)
                if fits(base.with_(actions=candidate)):
                    lo, step = candidate, step * 2
                else:
                    hi = candidate
        else:
            if guess == 0 or not fits(base.with_(actions=0)):
                return None  # something other than the actions overflows: try the next fallback
            lo, hi = 0, guess
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if fits(base.with_(actions=mid)):
                lo = mid
            else:
                hi = mid
        return lo

    def reestimated(limits: PopLimits) -> PopLimits:
        limits = estimate_side_limits(plan, limits)
        return limits.with_(actions=estimate_action_capacity(plan, limits))

    first = default_pop_limits(plan)
    short = dict(risks=min(first.risks, 4), indicators=min(first.indicators, 4),
                 qipp_domains=min(first.qipp_domains, 4), title_chars=70, statement_chars=200, mission_chars=150)
    fewer = dict(risks=max(2, first.risks - 2), indicators=max(2, first.indicators - 2),
                 qipp_domains=max(2, first.qipp_domains - 2))
    ladder = [first,
              reestimated(first.with_(**fewer)),
              reestimated(first.with_(compact=True)),
              reestimated(first.with_(compact=True, **short))]
    if first.page == "A4":
        ladder.append(reestimated(first.with_(page="A3", compact=True, **short)))
    for shown in (10, 6, 3, 1):
        if shown < len(plan.domains):
            ladder.append(reestimated(first.with_(page="A3", compact=True, domains=shown, **short)))
    ladder.append(first.with_(page="A3", compact=True, domains=1, risks=1, indicators=1, qipp_domains=1,
                              title_chars=40, statement_chars=80, mission_chars=80, actions=0))

    for base in ladder:
        count = best_count(base, base.actions)
        if count is not None:
            limits = base.with_(actions=count)
            html, document = layout(limits)
            return PopFit(html, document, limits, renders)
    # Unreachable in practice (one programme, no actions and one-line texts overflowed). Keep
    # the first page rather than ever print two.
    limits = ladder[-1]
    html, document = layout(limits)
    return PopFit(html, document.copy(document.pages[:1]), limits, renders)


def plan_on_a_page_pdf(plan: Plan, diagnostics: list[Diagnostic]) -> tuple[str, bytes]:
    """The plan on a page: (the HTML rendered, PDF bytes). Always exactly one page."""
    fit = fit_plan_on_a_page(plan, list(diagnostics or []))
    pdf = document_to_pdf(fit.document, html=fit.html, timestamp=document_timestamp(plan.meta.date),
                          identifier_seed=_identifier_seed(plan, "plan-on-a-page"))
    return fit.html, pdf


def operational_plan_pdf(plan: Plan, diagnostics: list[Diagnostic]) -> tuple[str, bytes]:
    """The full operational plan: (the HTML rendered, PDF bytes)."""
    html = operational_plan_html(plan, list(diagnostics or []))
    pdf = html_to_pdf(html, timestamp=document_timestamp(plan.meta.date),
                      identifier_seed=_identifier_seed(plan, "operational-plan"))
    return html, pdf
