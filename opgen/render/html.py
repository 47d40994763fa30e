"""HTML for the two WeasyPrint outputs: the plan on a page and the full operational plan.

The templates hold layout and the CSS holds style; everything else (grouping, sorting, counting,
truncation, number and date formatting) is done here, in small view-model builders, so templates
stay declarative and every figure printed is computed in one place.

Safety: the Jinja environment autoescapes everything; Markdown fields reach the page only through
`opgen.richtext` (the `md` / `md_inline` filters), and no plan value is ever put in a URL
attribute: anchors are generated here (`sec-3`, `act-3-2`), never taken from plan ids.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Iterable

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from opgen import richtext
from opgen.diagnostics import WARNING, Diagnostic, format_yaml_path
from opgen.model import BAND_ORDER, RAG_LABELS, Action, Indicator, Plan, Total, Value, format_decimal
from opgen.periods import FinancialYear
from opgen.resources import TEMPLATES_DIR

NOT_REPORTED = "Not reported"
RAG_KEYS = ("red", "amber", "green", "blue", "grey")
BAND_LABELS = {"extreme": "Extreme", "high": "High", "moderate": "Moderate", "low": "Low"}
STATUS_LABELS = {"draft": "Draft", "submitted": "Submitted", "approved": "Approved"}
CONFIDENCE_LABELS = {"red": "Low", "amber": "Medium", "green": "High"}
LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}
DASH = "\u2013"


# --- environment ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = richtext.to_html
    env.filters["md_inline"] = richtext.to_inline_html
    env.filters["plural"] = plural      # {{ 1000|plural("action") }} -> "1,000 actions"
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def _render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


# --- small formatting helpers -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pill:
    """A status shown as colour and text: `css` picks the colour (from a fixed list), `label` is read."""

    css: str
    label: str


def rag_pill(colour: str | None) -> Pill:
    if colour in RAG_LABELS:
        return Pill(f"rag-{colour}", RAG_LABELS[colour])
    return Pill("rag-none", NOT_REPORTED)


def band_pill(band: str | None) -> Pill:
    if band in BAND_LABELS:
        return Pill(f"band-{band}", BAND_LABELS[band])
    return Pill("band-none", "Not rated")


def milestone_pill(status: str | None, label: str) -> Pill:
    if status in ("complete", "in_progress", "at_risk", "missed", "not_started"):
        return Pill(f"ms-{status}", label)
    return Pill("ms-none", "Not reported")


def display_version(version: str) -> str:
    return "TBC" if str(version).strip().lower() == "tbc" else str(version)


def long_date(value: Any) -> str:
    """2014-03-31 -> '31 March 2014'; anything else as written."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return f"{day.day} {day.strftime('%B %Y')}"


def show_value(value: Value | None) -> str:
    return DASH if value is None else value.display()


def show_total(total: Total) -> str:
    """A money total: the figure with separators, '+ TBC' when it covers a TBC, a dash when empty."""
    if not total.parts and not total.incomplete:
        return DASH
    if not total.parts:
        return "TBC"
    return total.display()


def plain(text: str | None) -> str:
    return richtext.to_plain(text) if text else ""


def truncate(text: str, limit: int) -> str:
    """Shorten plain text to `limit` characters at a word boundary, with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-\u2013") + "\u2026"


def short_rich(text: str | None, limit: int) -> Markup | str:
    """Markdown shown inline when short enough; otherwise its plain text, shortened."""
    if not text:
        return ""
    flat = plain(text)
    if len(flat) <= limit and "\n\n" not in str(text).strip() and "\n-" not in str(text):
        return richtext.to_inline_html(text)
    return truncate(flat, limit)


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def _last_target(indicator: Indicator) -> tuple[str, Value] | None:
    """The target for the latest year that has a number, else the latest target of any kind."""
    if not indicator.targets:
        return None
    years = sorted(indicator.targets)
    numbered = [y for y in years if indicator.targets[y].is_number]
    year = numbered[-1] if numbered else years[-1]
    return year.label, indicator.targets[year]


# --- plan on a page ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PopLimits:
    """How much of each list the plan on a page shows; the rest is summarised ("+ 7 more")."""

    page: str = "A4"            # A4 or A3 (landscape)
    actions: int = 10_000       # per domain
    domains: int = 12
    risks: int = 8
    indicators: int = 8
    qipp_domains: int = 8
    title_chars: int = 120      # action, risk and indicator titles
    statement_chars: int = 420  # each vision statement
    mission_chars: int = 260
    compact: bool = False       # smaller type and spacing, for crowded pages

    def with_(self, **changes: Any) -> "PopLimits":
        return replace(self, **changes)


def identity(plan: Plan) -> dict[str, Any]:
    """What both PDFs say about the document itself: organisation, title, period, version, status."""
    meta = plan.meta
    return {
        "lang": "en-GB",
        "org": plan.organisation.name,
        "org_short": plan.organisation.display_short,
        "title": meta.title,
        "title_period": "" if meta.period_label in meta.title else meta.period_label,
        "subtitle": meta.subtitle or "",
        "period": meta.period_label,
        "version": display_version(meta.version),
        "status": STATUS_LABELS.get(meta.status, meta.status.title()),
        "is_draft": meta.is_draft,
        "as_at": meta.as_at.label,
        "date": long_date(meta.date),
    }


def default_pop_limits(plan: Plan) -> PopLimits:
    """A first guess that fits most plans in one layout: the page size from the number of
    programmes, the side panels' list lengths and the actions per programme column from an
    estimate of the lines each part of the page can hold."""
    page = "A4" if len(plan.domains) <= 4 else "A3"
    limits = PopLimits(page=page)
    limits = estimate_side_limits(plan, limits)
    return limits.with_(actions=estimate_action_capacity(plan, limits))


MM_PER_PT = 0.3528
CHAR_EM = 0.55  # average advance of an Inter character, in em


class _Geometry:
    """Rough page geometry of the plan on a page, in millimetres, mirroring plan-on-a-page.css."""

    def __init__(self, plan: Plan, limits: PopLimits):
        a3 = limits.page == "A3"
        self.pt = (8.6 if a3 else 7.0) - ((0.8 if a3 else 0.6) if limits.compact else 0.0)
        self.line = self.pt * 1.3 * MM_PER_PT           # one line of body text
        self.row = self.pt * 1.25 * MM_PER_PT + 1.05    # one table row (padding and rule)
        page_w, page_h = (420.0, 297.0) if a3 else (297.0, 210.0)
        self.content_w = page_w - (24.0 if a3 else 18.0)
        self.content_h = page_h - (26.0 if a3 else 20.0)
        has_side = bool((plan.qipp and plan.qipp.schemes) or plan.risks_in_bands("extreme", "high")
                        or plan.headline_indicators)
        self.side_w = 96.0 if a3 else 78.0
        self.main_w = self.content_w - (self.side_w + 8.0 if has_side else 0.0)
        shown = min(len(plan.domains), limits.domains)
        self.per_row = max_columns(shown, limits.page)
        self.rows = max(1, math.ceil(shown / self.per_row)) if shown else 1
        self.col_w = self.main_w / max(self.per_row, 1) - 4.4
        masthead = 2.3 * self.pt
        # vision band: the tallest of the mission and the statements
        cells = max(1, len(plan.vision.statements))
        statement_w = (self.content_w * 0.72) / cells - 5.2
        tallest = 0
        for s in plan.vision.statements:
            tallest = max(tallest, self.lines(min(len(plain(s.text)), limits.statement_chars), statement_w))
        mission = self.lines(min(len(plain(plan.vision.mission)), limits.mission_chars),
                             self.content_w * 0.28 - 5.2, em=1.28 * 1.05)
        vision = max(tallest * self.line, mission * self.line * 1.28) + self.line + 4.5
        self.body_h = self.content_h - masthead - 2.6 - vision - 2.8 - 2.0  # 2mm of slack

    def chars(self, width: float, em: float = 1.0) -> float:
        return max(6.0, width / (self.pt * em * MM_PER_PT * CHAR_EM))

    def lines(self, length: int, width: float, em: float = 1.0) -> int:
        return max(1, math.ceil(length / self.chars(width, em)))


def max_columns(domains: int, page: str) -> int:
    most = 4 if page == "A4" else 5
    if domains <= most:
        return max(domains, 1)
    rows = math.ceil(domains / most)
    return math.ceil(domains / rows)


def _side_height(plan: Plan, limits: PopLimits, g: _Geometry) -> float:
    heading = g.line + 3.0
    height = 0.0
    if plan.qipp and plan.qipp.schemes:
        groups = len(plan.qipp.grouped("domain_id"))
        shown = min(groups, limits.qipp_domains)
        height += heading + 4 * g.row + 1.6 + (1 + shown) * g.row + (g.line if shown < groups else 0)
        height += g.line * 1.8 + 3.2
    risks = plan.risks_in_bands("extreme", "high")
    if risks:
        width = g.side_w - 4 - 16.6
        height += heading + 3.2
        for r in risks[: limits.risks]:
            text = len(r.id) + 1 + min(len(r.title), limits.title_chars) + (9 if r.current else 0)
            height += g.row + (g.lines(text, width) - 1) * g.line * 0.96
        if len(risks) > limits.risks:
            height += g.line + 1
    indicators = plan.headline_indicators
    if indicators:
        width = g.side_w - 4 - 2 * (16.0 if limits.page == "A4" else 21.0) - 3
        height += heading + g.row + g.line * 1.2 + 3.2
        for ind in indicators[: limits.indicators]:
            lines = max(2, g.lines(2 + min(len(ind.title), limits.title_chars), width))
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
                 "indicators": min(limits.indicators, len(plan.headline_indicators)),
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
    title_width = g.col_w - (18.5 if limits.page == "A3" else 15.0) - 1.6
    budget = per_row - (g.line * 1.22 * 2 + 3.6) - g.line * 1.7  # title bar, counts, "+ N more"
    capacity = []
    for domain in plan.domains[: limits.domains]:
        used, count = 0.0, 0
        for action in domain.actions:
            text = len(action.id) + 1 + min(len(action.title), limits.title_chars)
            used += g.row + (g.lines(text, title_width) - 1) * g.line * 0.96
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
    per_row = max_columns(len(shown_domains), limits.page)

    columns = []
    for domain in shown_domains:
        actions = domain.actions
        # "+ 1 more action" takes the line the action would: show the action instead
        shown = actions if len(actions) <= limits.actions + 1 else actions[: limits.actions]
        counts = domain.rag_counts()
        columns.append({
            "title": domain.title,
            "lead": domain.lead or "",
            "total": len(actions),
            "counts": [{"pill": rag_pill(key if key != "none" else None), "count": counts[key]}
                       for key in (*RAG_KEYS, "none") if counts.get(key)],
            "actions": [{"id": a.id, "title": truncate(a.title, limits.title_chars),
                         "rag": rag_pill(a.current_rag)} for a in shown],
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
    if plan.qipp and plan.qipp.schemes:
        q = plan.qipp
        years = q.years or meta.years
        by_domain = []
        for domain_id, schemes in q.grouped("domain_id"):
            by_domain.append({"title": plan.domain_title(domain_id) if domain_id else "Not assigned to a domain",
                              "nets": [show_total(q.net(y, schemes)) for y in years]})
        shown_qd = by_domain[: limits.qipp_domains]
        qipp = {
            "unit": q.unit.header,
            "years": [{"label": y.label, "net": show_total(q.net(y)), "savings": show_total(q.savings(y)),
                       "investment": show_total(q.investment(y)), "incomplete": q.net(y).incomplete}
                      for y in years],
            "by_domain": shown_qd,
            "more_domains": len(by_domain) - len(shown_qd),
            "schemes": len(q.schemes),
            "incomplete": any(q.net(y).incomplete for y in years),
        }

    risks_all = plan.risks_in_bands("extreme", "high")
    risks_shown = risks_all[: limits.risks]
    risks = [{"id": r.id, "title": truncate(r.title, limits.title_chars), "band": band_pill(r.band),
              "score": (f"{r.current.likelihood}\u00d7{r.current.impact} = {r.score}" if r.current else ""),
              "domain": plan.domain_title(r.domain_id) if r.domain_id else ""}
             for r in risks_shown]

    inds_all = plan.headline_indicators
    inds_shown = inds_all[: limits.indicators]
    indicators = []
    for ind in inds_shown:
        target = _last_target(ind)
        indicators.append({
            "title": truncate(ind.title, limits.title_chars),
            "baseline": ind.show(ind.baseline) if ind.baseline else DASH,
            "baseline_period": ind.baseline_period or "",
            "target": ind.show(target[1]) if target else DASH,
            "target_year": target[0] if target else "",
            "direction": "\u2193" if ind.polarity == "lower_is_better" else "\u2191",
            "polarity": ind.polarity_label,
        })

    statements = [{"label": s.label, "text": short_rich(s.text, limits.statement_chars)}
                  for s in plan.vision.statements]
    warnings = [d for d in diagnostics if d.severity == WARNING]
    return {
        **identity(plan),
        "has_side": bool(qipp or risks or indicators),
        "limits": limits,
        "page_class": "a3" if limits.page == "A3" else "a4",
        "per_row": per_row,
        "mission": short_rich(plan.vision.mission, limits.mission_chars),
        "mission_long": len(plain(plan.vision.mission)) > 120,
        "statements": statements,
        "rows": rows,
        "more_domains": len(plan.domains) - len(shown_domains),
        "more_domain_actions": sum(len(d.actions) for d in plan.domains[limits.domains:]),
        "total_actions": len(plan.actions),
        "overall_counts": overall_counts,
        "qipp": qipp,
        "risks": risks,
        "risks_more": len(risks_all) - len(risks_shown),
        "risks_total": len(plan.open_risks),
        "indicators": indicators,
        "indicators_more": len(inds_all) - len(inds_shown),
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
    return _render("plan-on-a-page.html.j2", **pop_view(plan, list(diagnostics or []), limits))


# --- full operational plan --------------------------------------------------------------------

@dataclass
class Section:
    anchor: str
    number: str
    title: str
    children: list["Section"] = field(default_factory=list)


def _money_cells(values: dict[FinancialYear, Value], years: list[FinancialYear]) -> list[str]:
    return [show_value(values.get(y)) if values.get(y) is not None else DASH for y in years]


def _action_view(plan: Plan, action: Action, anchor: str) -> dict[str, Any]:
    as_at = plan.meta.as_at
    grid = []
    for year in plan.meta.years:
        cells = []
        for quarter in year.quarters():
            colour = action.rag_for(quarter)
            if colour:
                cells.append({"pill": rag_pill(colour), "future": False, "label": quarter.label})
            else:
                cells.append({"pill": None, "future": quarter > as_at, "label": quarter.label})
        grid.append({"year": year.label, "cells": cells})
    # RAG reported outside the plan period is still shown, not lost
    outside = [q for q in action.rag if q.year not in plan.meta.years]
    for year in sorted({q.year for q in outside}):
        grid.append({"year": year.label, "cells": [
            {"pill": rag_pill(action.rag_for(q)) if action.rag_for(q) else None, "future": False,
             "label": q.label} for q in year.quarters()]})

    def when(date, text):
        if date:
            return date.display()
        return "TBC" if text == "tbc" else ""

    return {
        "anchor": anchor,
        "id": action.id,
        "title": action.title,
        "lead": action.lead or "",
        "start": when(action.start, action.start_text),
        "due": when(action.due, action.due_text),
        "description": action.description or "",
        "mitigation": action.mitigation or "",
        "rag": rag_pill(action.current_rag),
        "grid": grid,
        "milestones": [{"id": m.id, "title": m.title, "due": m.due_display or DASH,
                        "status": milestone_pill(m.status, m.status_label)} for m in action.milestones],
    }


def _rag_counts(actions: Iterable[Action]) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for a in actions:
        key = a.current_rag if a.current_rag in RAG_LABELS else "none"
        counts[key] = counts.get(key, 0) + 1
    return [{"pill": rag_pill(k if k != "none" else None), "count": counts[k]}
            for k in (*RAG_KEYS, "none") if counts.get(k)]


def _indicator_row(ind: Indicator, years: list[FinancialYear], plan: Plan | None) -> dict[str, Any]:
    latest = ind.latest_actual()
    return {
        "id": ind.id,
        "title": ind.title,
        "domain": plan.domain_title(ind.domain_id) if plan and ind.domain_id else "",
        "unit": ind.unit_label,
        "polarity": ind.polarity_label,
        "direction": "\u2193" if ind.polarity == "lower_is_better" else "\u2191",
        "baseline": ind.show(ind.baseline) if ind.baseline else DASH,
        "baseline_period": ind.baseline_period or "",
        "targets": [ind.show(ind.targets.get(y)) if y in ind.targets else DASH for y in years],
        "latest": ind.show(latest[1]) if latest else DASH,
        "latest_period": latest[0].label if latest else "",
        "source": ind.source or "",
    }


def _indicator_years(indicators: list[Indicator], fallback: list[FinancialYear]) -> list[FinancialYear]:
    years = set(fallback)
    for ind in indicators:
        years.update(ind.targets)
    return sorted(years)


def _qipp_view(plan: Plan) -> dict[str, Any] | None:
    q = plan.qipp
    if q is None or not (q.schemes or q.stated_total):
        return None
    years = q.years or plan.meta.years

    def group_rows(key: str, name) -> dict[str, Any]:
        rows = []
        for value, schemes in q.grouped(key):
            rows.append({"name": name(value), "count": len(schemes),
                         "nets": [show_total(q.net(y, schemes)) for y in years],
                         "incomplete": [q.net(y, schemes).incomplete for y in years]})
        return {"rows": rows}

    totals = {
        "savings": [show_total(q.savings(y)) for y in years],
        "investment": [show_total(q.investment(y)) for y in years],
        "net": [show_total(q.net(y)) for y in years],
        "incomplete": [q.net(y).incomplete for y in years],
    }
    stated = None
    if q.stated_total:
        stated = []
        for y in years:
            value = q.stated_total.get(y)
            if value is None:
                stated.append({"text": DASH, "differs": False})
                continue
            net = q.net(y)
            differs = value.is_number and not net.incomplete and net.value != value.number
            stated.append({"text": value.display(), "differs": differs,
                           "difference": format_decimal(net.value - value.number) if differs else ""})
    schemes = []
    for s in q.schemes:
        schemes.append({
            "id": s.id, "title": s.title, "provider": s.provider or "",
            "domain": plan.domain_title(s.domain_id) if s.domain_id else "",
            "pod": s.point_of_delivery or "", "lead": s.lead or "",
            "years": [{"savings": show_value(s.savings.get(y)) if y in s.savings else DASH,
                       "investment": show_value(s.investment.get(y)) if y in s.investment else DASH,
                       "net": show_total(s.net(y)), "incomplete": s.net(y).incomplete} for y in years],
            "confidence": (Pill(f"rag-{s.confidence}", CONFIDENCE_LABELS.get(s.confidence, s.confidence.title()))
                           if s.confidence in RAG_LABELS else None),
            "note": s.note or "",
        })
    has_provider = any(s.provider for s in q.schemes)
    has_pod = any(s.point_of_delivery for s in q.schemes)
    return {
        "unit": q.unit.header,
        "years": [y.label for y in years],
        "wide": len(years) >= 2,
        "narrow": len(years) <= 2,
        "totals": totals,
        "stated": stated,
        "by_domain": group_rows("domain_id", lambda v: plan.domain_title(v) if v else "Not assigned to a domain"),
        "by_provider": group_rows("provider", lambda v: v or "No provider named") if has_provider else None,
        "by_pod": group_rows("point_of_delivery", lambda v: v or "Not stated") if has_pod else None,
        "schemes": schemes,
        "has_confidence": any(s["confidence"] for s in schemes),
        "has_notes": any(s.note for s in q.schemes),
        "incomplete": any(totals["incomplete"]),
    }


def _position_text(position) -> str:
    if position is None:
        return ""
    return f"{position.likelihood} \u00d7 {position.impact} = {position.score}"


def _risk_view(plan: Plan) -> dict[str, Any] | None:
    if not plan.risks:
        return None
    order = {id(r): i for i, r in enumerate(plan.risks)}
    ranked = sorted(plan.risks, key=lambda r: (not r.is_open, -BAND_ORDER.get(r.band or "", -1),
                                               -(r.score or 0), order[id(r)]))
    rows = []
    for r in ranked:
        rows.append({
            "id": r.id, "title": r.title, "description": r.description or "",
            "domain": plan.domain_title(r.domain_id) if r.domain_id else "",
            "owner": r.owner or "", "closed": not r.is_open,
            "gross": _position_text(r.gross),
            "gross_band": band_pill(r.band_of(r.gross.score)) if r.gross else None,
            "current": _position_text(r.current),
            "band": band_pill(r.band),
            "rated_only": r.current is None,
            "target": _position_text(r.target),
            "target_band": band_pill(r.target_band) if r.target else None,
            "mitigation": r.mitigation or "",
        })
    cells: dict[tuple[int, int], list[str]] = {}
    placed = [r for r in plan.open_risks if r.current]
    for r in placed:
        cells.setdefault((r.current.likelihood, r.current.impact), []).append(r.id)
    probe = plan.risks[0]
    grid = []
    for likelihood in range(5, 0, -1):
        row = []
        for impact in range(1, 6):
            ids = cells.get((likelihood, impact), [])
            band = probe.band_of(likelihood * impact)
            row.append({"score": likelihood * impact, "band": band, "count": len(ids),
                        "ids": ids[:4], "more": len(ids) - 4 if len(ids) > 4 else 0})
        grid.append({"likelihood": likelihood, "label": LIKELIHOOD_LABELS[likelihood], "cells": row})
    unplaced = [{"id": r.id, "title": r.title, "band": band_pill(r.band)}
                for r in plan.open_risks if r.current is None]
    bands = plan.risk_bands
    band_key = [
        {"pill": band_pill("low"), "range": f"1\u2013{bands['moderate'] - 1}"},
        {"pill": band_pill("moderate"), "range": f"{bands['moderate']}\u2013{bands['high'] - 1}"},
        {"pill": band_pill("high"), "range": f"{bands['high']}\u2013{bands['extreme'] - 1}"},
        {"pill": band_pill("extreme"), "range": f"{bands['extreme']}\u201325"},
    ]
    band_counts = {}
    for r in plan.open_risks:
        band_counts[r.band or "none"] = band_counts.get(r.band or "none", 0) + 1
    summary = [{"pill": band_pill(b if b != "none" else None), "count": band_counts[b]}
               for b in ("extreme", "high", "moderate", "low", "none") if band_counts.get(b)]
    return {
        "rows": rows,
        "grid": grid,
        "impacts": [{"score": i, "label": IMPACT_LABELS[i]} for i in range(1, 6)],
        "placed": len(placed),
        "unplaced": unplaced,
        "open": len(plan.open_risks),
        "closed": len(plan.risks) - len(plan.open_risks),
        "has_gross": any(r.gross for r in plan.risks),
        "has_target": any(r.target for r in plan.risks),
        "has_owner": any(r.owner for r in plan.risks),
        "band_key": band_key,
        "summary": summary,
    }


def _money_table(lines, stated: dict, years: list[FinancialYear], total_of) -> dict[str, Any]:
    rows = [{"title": line.title, "id": line.id, "cells": _money_cells(line.amounts, years)} for line in lines]
    totals = [total_of(y) for y in years]
    stated_cells = None
    if stated:
        stated_cells = []
        for y, total in zip(years, totals):
            value = stated.get(y)
            differs = bool(value is not None and value.is_number and total.parts and not total.incomplete
                           and total.value != value.number)
            stated_cells.append({"text": show_value(value) if value is not None else DASH, "differs": differs})
    return {"rows": rows, "totals": [show_total(t) for t in totals], "stated": stated_cells,
            "show_total": len(lines) > 1 or not lines}


def _finance_view(plan: Plan) -> dict[str, Any] | None:
    f = plan.finance
    if f is None:
        return None
    years = f.years
    if not years and not f.note:
        return None
    rules = []
    for y in years:
        for rule in f.business_rules(y):
            if rule.met is None:
                state = Pill("state-unknown", "Not assessed")
            elif rule.met:
                state = Pill("state-met", "Met")
            else:
                state = Pill("state-notmet", "Not met")
            rules.append({"year": y.label, "name": rule.name,
                          "required": f"{format_decimal(rule.required_percent)}%",
                          "value": show_value(rule.value),
                          "percent": f"{format_decimal(rule.percent)}%" if rule.percent is not None else DASH,
                          "state": state})
    base_missing = any(r["state"].label == "Not assessed" for r in rules)
    return {
        "unit": f.unit.header,
        "years": [y.label for y in years],
        "narrow": len(years) <= 3,
        "allocation": (_money_table(f.allocation, f.allocation_stated_total, years, f.allocation_total)
                       if f.allocation or f.allocation_stated_total else None),
        "expenditure": (_money_table(f.expenditure, f.expenditure_stated_total, years, f.expenditure_total)
                        if f.expenditure or f.expenditure_stated_total else None),
        "rules": rules,
        "base_missing": base_missing,
        "note": f.note or "",
    }


def _bcf_view(plan: Plan) -> dict[str, Any] | None:
    b = plan.bcf
    if b is None:
        return None
    years = b.years
    schemes = [{"id": s.id, "title": s.title, "heading": s.heading or "", "description": s.description or "",
                "cells": _money_cells(s.funding, years)} for s in b.schemes]
    metric_years = _indicator_years(b.metrics, [])
    return {
        "unit": b.unit.header,
        "years": [y.label for y in years],
        "schemes": schemes,
        "totals": [show_total(b.funding_total(y)) for y in years],
        "minimum": _money_cells(b.minimum_contribution, years) if b.minimum_contribution else None,
        "actual": _money_cells(b.actual_contribution, years) if b.actual_contribution else None,
        "metric_years": [y.label for y in metric_years],
        "metrics": [_indicator_row(m, metric_years, None) for m in b.metrics],
    }


def full_view(plan: Plan, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    meta = plan.meta
    sections: list[Section] = []

    def add(title: str) -> Section:
        section = Section(f"sec-{len(sections) + 1}", str(len(sections) + 1), title)
        sections.append(section)
        return section

    # 1 vision
    vision_section = add("Our vision")

    # one section per domain
    domains = []
    for d_index, domain in enumerate(plan.domains):
        section = add(domain.title)
        actions = []
        for a_index, action in enumerate(domain.actions):
            view = _action_view(plan, action, f"act-{d_index + 1}-{a_index + 1}")
            actions.append(view)
        domains.append({
            "section": section,
            "lead": domain.lead or "",
            "description": domain.description or "",
            "outcomes": domain.outcomes,
            "counts": _rag_counts(domain.actions),
            "actions": actions,
            "milestone_count": sum(len(a.milestones) for a in domain.actions),
            "has_lead": any(a["lead"] for a in actions),
            "has_due": any(a["due"] for a in actions),
            "id": domain.id,
        })

    # performance
    indicator_years = _indicator_years(plan.indicators, meta.years)
    performance = None
    if plan.indicators:
        groups: dict[str, list[dict]] = {}
        for ind in plan.indicators:
            name = plan.domain_title(ind.domain_id) if ind.domain_id else "Plan-wide"
            groups.setdefault(name, []).append(_indicator_row(ind, indicator_years, plan))
        performance = {"section": add("Performance and delivery summary"),
                       "years": [y.label for y in indicator_years],
                       "groups": [{"name": k, "rows": v} for k, v in groups.items()],
                       "has_actuals": any(i.actuals for i in plan.indicators),
                       "has_sources": any(i.source for i in plan.indicators),
                       "sources": [{"id": i.id, "text": i.source} for i in plan.indicators if i.source]}

    qipp = _qipp_view(plan)
    if qipp:
        qipp["section"] = add("QIPP savings programme")
    risks = _risk_view(plan)
    if risks:
        risks["section"] = add("Risk register")
    finance = _finance_view(plan)
    if finance:
        finance["section"] = add("Finance")
    bcf = _bcf_view(plan)
    if bcf:
        bcf["section"] = add("Better Care Fund")

    warnings = sorted((d for d in diagnostics if d.severity == WARNING), key=lambda d: (d.line, d.column, d.code))
    tbcs = [{"label": t.label, "where": format_yaml_path(t.path)} for t in plan.tbcs]
    inventory_section = None
    if tbcs or warnings:
        inventory_section = add("Items to be confirmed and warnings")

    milestones_total = len(plan.milestones)
    qipp_headline = ""
    if plan.qipp and plan.qipp.schemes:
        year = (plan.qipp.years or meta.years)[0]
        net = plan.qipp.net(year)
        qipp_headline = f"QIPP net saving {year.label}: {plan.qipp.unit.short(net)}" + (" + TBC" if net.incomplete else "")
    summary = {
        "qipp": qipp_headline,
        "domains": plural(len(plan.domains), "programme"),
        "actions": plural(len(plan.actions), "action"),
        "milestones": plural(milestones_total, "milestone"),
        "risks": plural(len(plan.open_risks), "open risk"),
        "indicators": plural(len(plan.indicators), "indicator"),
        "counts": _rag_counts(plan.actions),
        "action_count": f"{len(plan.actions):,}",
        "milestone_count": f"{milestones_total:,}",
        "tbcs": len(tbcs),
        "warnings": len(warnings),
    }
    return {
        **identity(plan),
        "org_code": plan.organisation.code or "",
        "years": [y.label for y in meta.years],
        "signatories": [{"name": s.name, "role": s.role, "date": long_date(s.date)} for s in meta.signatories],
        "history": [{"version": display_version(h.version), "date": long_date(h.date), "author": h.author or "",
                     "summary": h.summary or ""} for h in meta.history],
        "sections": sections,
        "vision_section": vision_section,
        "mission": plan.vision.mission,
        "statements": [{"label": s.label, "text": s.text} for s in plan.vision.statements],
        "values": plan.vision.values,
        "domains": domains,
        "performance": performance,
        "qipp": qipp,
        "risks": risks,
        "finance": finance,
        "bcf": bcf,
        "inventory_section": inventory_section,
        "tbcs": tbcs,
        "warnings": [{"where": f"line {d.line}, column {d.column}" if d.line else "whole file",
                      "yaml_path": d.yaml_path, "message": d.message, "hint": d.hint} for d in warnings],
        "summary": summary,
        "description": (f"{plan.organisation.name}: {meta.title}, {meta.period_label}. "
                        f"Version {display_version(meta.version)}, {STATUS_LABELS.get(meta.status, meta.status)}."),
    }


def operational_plan_html(plan: Plan, diagnostics: list[Diagnostic]) -> str:
    """The full operational plan as HTML, for WeasyPrint (A4 portrait with landscape wide tables)."""
    return _render("operational-plan.html.j2", **full_view(plan, list(diagnostics or [])))
