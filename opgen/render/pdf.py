"""PDF board papers: the plan on a page (always exactly one page, fitted by opgen.render.pop) and the
full operational plan (opgen.render.html), each a tagged, reproducible PDF. WeasyPrint is imported
only where a layout is made here (a build with -j N makes its layouts in worker processes)."""

from __future__ import annotations

from opgen.diagnostics import Diagnostic
from opgen.model import Plan
from opgen.render import document_timestamp
from opgen.render.html import operational_plan_page


def _identifier_seed(plan: Plan, kind: str) -> str:
    return f"opgen:{kind}:{plan.organisation.name}:{plan.meta.title}:{plan.meta.period_label}:{plan.meta.version}"


def plan_on_a_page_pdf(plan: Plan, diagnostics: list[Diagnostic]) -> tuple[str, bytes]:
    """The plan on a page: (the HTML rendered, PDF bytes). Always exactly one page."""
    from opgen.render.pop import fit_plan_on_a_page
    from opgen.render.weasy import document_to_pdf

    fit = fit_plan_on_a_page(plan, list(diagnostics or []))
    pdf = document_to_pdf(fit.document, html=fit.html, timestamp=document_timestamp(plan.meta.date),
                          identifier_seed=_identifier_seed(plan, "plan-on-a-page"))
    return fit.html, pdf


def operational_plan_pdf(plan: Plan, diagnostics: list[Diagnostic], *, cache=None,
                         map_fn=map) -> tuple[str, bytes]:
    """The full operational plan: (the HTML rendered, PDF bytes), built in parts
    (opgen.render.plan_parts): `cache` a PartCache (parts already laid out), `map_fn` a process
    pool's map to lay out the rest in parallel."""
    page, built = operational_plan_parts(plan, diagnostics, cache=cache, map_fn=map_fn)
    return page.html, built.pdf


def operational_plan_build(plan: Plan, diagnostics: list[Diagnostic], *, cache=None):
    """(the full plan's page, an opgen.render.html.FullPlanPage: its view and HTML, which its web
    edition reuses; a plan_parts.PlanBuild for it): its parts still to lay out are `.jobs()`, and
    `.finish(results)` makes the PDF; for a caller that schedules the layouts itself."""
    from opgen.render.plan_parts import PlanBuild

    page = operational_plan_page(plan, list(diagnostics or []))
    return page, PlanBuild(page.html, timestamp=document_timestamp(plan.meta.date),
                           seed=_identifier_seed(plan, "operational-plan"), cache=cache)


def operational_plan_parts(plan: Plan, diagnostics: list[Diagnostic], *, cache=None, map_fn=map):
    """(the full plan's page (view and HTML), plan_parts.Built: the PDF and which parts were laid out)."""
    from opgen.render.plan_parts import layout

    page, job = operational_plan_build(plan, diagnostics, cache=cache)
    return page, job.finish(list(map_fn(layout, job.jobs())))
