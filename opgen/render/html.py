"""The full operational plan: a view of the plan (grouping, sorting, counting) -> HTML for WeasyPrint,
plus the small view helpers the plan on a page shares (status pills, identity, text shortening).

The templates hold layout and the CSS holds style; everything else (grouping, sorting, counting,
truncation, number and date formatting) is done here, in small view-model builders, so templates
stay declarative and every figure printed is computed in one place.

Safety: the Jinja environment autoescapes everything; Markdown fields reach the page only through
`opgen.richtext` (the `md` / `md_inline` filters), and no free plan text is ever put in a URL
attribute: anchors are generated here (`part-vision`, `part-domain-2`, `act-3-2`); a narrative
chapter's anchor is `sec-<its id>`, and ids are letters, digits, '-', '_' and '.' only (the schema
says so) and unique in the plan (the rules say so).
"""

from __future__ import annotations

import math

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from markupsafe import Markup

from opgen import chapters, display, richtext
from opgen.diagnostics import Diagnostic
from opgen.figures import compare_stated
from opgen.model import BAND_ORDER, RAG_LABELS, Action, Indicator, Plan, Risk, Value, nested, target_periods
from opgen.model import Section as PlanSection
from opgen.periods import FinancialYear, Period
from opgen.render import indicators as indicators_view
from opgen.render import bcf as bcf_tables
from opgen.render.finance import finance_tables
from opgen.render import fixed_columns, gantt, theming
from opgen.render.governance import view as governance_view
from opgen.render.jinja import render
from opgen.render.tables import chapters_printed, numbered_tables
from opgen.theme import DEFAULT_FONT

DASH = display.DASH
RAG_KEYS = display.rag_keys(five_point=True)  # counts list only the colours present, worst to best


# --- small formatting helpers -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pill:
    """A status shown as colour and text: `css` picks the colour (from a fixed list), `label` is read."""

    css: str
    label: str


def rag_pill(colour: str | None) -> Pill:
    if colour in RAG_LABELS:
        return Pill(f"rag-{colour}", RAG_LABELS[colour])
    return Pill("rag-none", display.NOT_REPORTED)


def band_pill(band: str | None) -> Pill:
    if band in display.BAND_LABELS:
        return Pill(f"band-{band}", display.BAND_LABELS[band])
    return Pill("band-none", display.NOT_RATED)


def risk_pill(risk: Risk, band: str | None = None) -> Pill:
    """A risk's band, with the plan's own word for it where it used one: 'Moderate (medium)'."""
    band = risk.band if band is None else band
    if band in display.BAND_LABELS:
        word = risk.rating_word if band == risk.rating and risk.current is None else None
        return Pill(f"band-{band}", display.risk_rating(band, word))
    return Pill("band-none", display.NOT_RATED)


def confidence_pill(value: str | None) -> Pill | None:
    """A QIPP scheme's confidence: a RAG colour with its word, or TBC (never a colour)."""
    if value in RAG_LABELS:
        return Pill(f"rag-{value}", display.confidence(value))
    if value == "tbc":
        return Pill("rag-none", display.TBC)
    return None


def see_view(plan: Plan, ids: list[str], anchors: dict[str, str]) -> list[dict[str, str]]:
    """Cross-references as links: each {'id', 'title', 'anchor'} ('' where the item has no anchor)."""
    items = getattr(anchors, "titles", None) or plan.items_by_id()
    out = [{"id": i, "title": items.get(i, ("", ""))[1], "anchor": anchors.get(i, "")} for i in ids]
    pending = getattr(anchors, "numbered_refs", None)  # chapters and tables: numbered once all are placed
    if pending is not None:
        pending += [ref for ref in out if ref["id"] not in items and ref["anchor"][:4] in ("sec-", "tabl")]
    return out


def _number_refs(anchors, sections: list["Section"], tables: list[dict]) -> None:
    """Cross-references to a chapter or a table, printed as the reader finds it: '9.2 Review of
    urgent care', 'Table 1: QIPP target 2015/16' (never the raw id)."""
    pending = getattr(anchors, "numbered_refs", None)
    if not pending:
        return
    names: dict[str, tuple[str, str]] = {}

    def walk(items) -> None:
        for s in items:
            names[s.anchor] = display.section_ref(s.label, s.title)
            walk(s.children)
    walk(sections)
    for t in tables:
        names[t["anchor"]] = ("", t["caption"])
    for ref in pending:
        if ref["anchor"] in names:
            ref["id"], ref["title"] = names[ref["anchor"]]


def milestone_pill(status: str | None, label: str) -> Pill:
    if status in ("complete", "in_progress", "at_risk", "missed", "not_started"):
        return Pill(f"ms-{status}", label)
    return Pill("ms-none", display.NOT_REPORTED)


def plain(text: str | None) -> str:
    return richtext.to_plain(text) if text else ""


def truncate(text: str, limit: int | None) -> str:
    """Shorten plain text to `limit` characters at a word boundary, with an explicit ellipsis; never
    mid-word unless the text is one word longer than the limit."""
    text = " ".join(str(text).split())
    if limit is None or len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 1)]
    if text[len(cut):len(cut) + 1] != " " and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-\u2013") + "\u2026"


_SENTENCE_END = re.compile(r"(?<=[.!?])[\u2019\u201d\")]*\s+(?=[A-Z0-9\u2018\u201c\"(])")


def shorten(text: str, limit: int | None) -> str:
    """Shorten plain text to at most `limit` characters without cutting a sentence: whole sentences
    while they fit, then an explicit ellipsis; only when the first sentence alone is too long is it
    cut, at a word boundary, with an ellipsis."""
    text = " ".join(str(text).split())
    if limit is None or len(text) <= limit:
        return text
    kept = ""
    for match in _SENTENCE_END.finditer(text):
        if match.start() + 2 > limit:
            break
        kept = text[:match.start()]
    if kept:
        return kept + " \u2026"
    return truncate(text, limit)


def short_rich(text: str | None, limit: int | None) -> Markup | str:
    """Markdown shown inline when short enough (or when `limit` is None); otherwise its plain
    text, shortened at a sentence boundary (`shorten`)."""
    if not text:
        return ""
    flat = plain(text)
    if (limit is None or len(flat) <= limit) and richtext.is_inline(text):
        return richtext.to_inline_html(text)
    return shorten(flat, limit)


def last_target(indicator: Indicator) -> tuple[str, Value] | None:
    """The target for the latest year that has a number, else the latest target of any kind."""
    if not indicator.targets:
        return None
    periods = list(indicator.targets)  # sorted by time
    numbered = [p for p in periods if indicator.targets[p].is_number]
    period = numbered[-1] if numbered else periods[-1]
    return display.period(period), indicator.targets[period]


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
        "version": display.version(meta.version),
        "version_stated": bool(meta.version),
        "status": display.status(meta.status),
        "is_draft": meta.is_draft,
        "as_at": display.as_at(meta),
        "date": display.long_date(meta.date),
        **theming.render_context(plan.theme),   # theme_css ('' without a theme) and logo (None)
    }


# --- full operational plan --------------------------------------------------------------------

@dataclass
class Section:
    anchor: str
    number: str
    title: str
    children: list["Section"] = field(default_factory=list)
    label: str = ""   # the number as the heading shows it: "3", "3.1", "Appendix A" ("" unnumbered)
    kind: str = "chapter"   # chapter | front (before the contents, unnumbered) | appendix

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.number


def _narrative_view(s: PlanSection, number: str, label: str, kind: str = "chapter") -> dict[str, Any]:
    """A narrative chapter or subsection: its heading (numbered 3, 3.1, 3.1.1 or A, A.1), its body
    (Markdown) and its subsections."""
    subs = [_narrative_view(child, display.section_number(number, i), display.section_number(number, i), kind)
            for i, child in enumerate(s.sections, 1)]
    section = Section(f"sec-{s.id}", number, s.title, [v["section"] for v in subs], label, kind)
    return {"section": section, "id": s.id, "level": s.level, "body": s.body or "", "subs": subs}


def _money_cells(values: dict[FinancialYear, Value], years: list[FinancialYear]) -> list[str]:
    return [display.value(values.get(y)) for y in years]


def _action_view(plan: Plan, action: Action, anchor: str, anchors: dict[str, str] | None = None,
                 depth: int = 0, plan_rated: bool = True, milestones_rated: bool | None = None) -> dict[str, Any]:
    """One action's page. Where the plan reports no RAG for any action (`plan_rated` False), that
    is said once for the plan and once per programme, not again under every action."""
    anchors = anchors or {}
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

    return {
        "anchor": anchor,
        "id": action.id,
        "title": action.title,
        "lead": action.lead or "",
        "start": display.date_text(action.start, action.start_text),
        "due": display.date_text(action.due, action.due_text),
        "description": action.description or "",
        "mitigation": action.mitigation or "",
        "rag": _action_pill(action),
        "grid": grid if action.rag else [],
        # a complete, stopped or paused action's status says it all: no "No RAG reported yet" line
        "no_rag": ("" if action.rag or not plan_rated or display.settled_status(action)
                   else display.no_rag_yet(display.as_at(plan.meta))),
        "milestones": [{"id": m.id, "title": m.title, "due": display.date_text(m.due, m.due_text) or DASH,
                        "status": milestone_pill(m.status, display.milestone_status(m.status)),
                        "anchor": anchors.get(m.id, ""), "see": see_view(plan, m.see, anchors),
                        "type": display.milestone_type(plan.scales, m.type)}
                       for m in action.milestones],
        # a plan that reports no milestone's status gets no Status column of "Not reported" (as the
        # annex leaves it out, and as an unrated plan gets no RAG lines)
        "milestone_status": (any(m.status for _, m in plan.milestones) if milestones_rated is None
                             else milestones_rated),
        "depth": min(depth, 3),
        "contact": action.contact or "",
        "status": display.action_status(action.status),
        "status_in_badge": bool(display.settled_status(action)),
        "status_class": action.status or "",
        "status_note": action.status_note or "",
        "reports_to": action.reports_to or "",
        "category": action.category or "",
        "programmes": display.action_programmes(plan, action.programmes),
        "parent": ({"id": action.parent, "title": plan.action(action.parent).title if plan.action(action.parent) else "",
                    "anchor": anchors.get(action.parent, ""), "text": display.part_of(action.parent)}
                   if action.parent else None),
        "children": [{"id": a.id, "title": a.title, "anchor": anchors.get(a.id, "")}
                     for a in plan.sub_actions(action.id) if a is not action],
        "see": see_view(plan, action.see, anchors),
    }


SHORT_DOMAIN_LINES = 60  # about a page and a half of a portrait page's body text (about 41 lines a page)
_LINE_CHARS = 95         # characters in a line of body text on a portrait page


def _domain_lines(d: dict[str, Any], plan: Plan) -> float:
    """A rough height of a programme's section, in lines of body text: its facts, description,
    actions summary, schedule and each action's heading, text, RAG grid and milestones, and its
    tables. Only used to let short programmes share pages."""
    def text(t: str) -> float:
        return math.ceil(len(t) / _LINE_CHARS) if t else 0

    lines = 8.0 + text(d["description"]) * 1.1
    if d["actions"]:
        lines += 3 + 1.4 * len(d["actions"])
    if d.get("schedule"):
        lines += 8 + 1.5 * len(d["actions"])
    for a in d["actions"]:
        lines += 3.5 + text(a["description"]) * 1.1 + text(a["status_note"]) * 1.1 + (1 if a["see"] else 0)
        lines += 7 if a["grid"] else 0
        lines += (3 + 1.5 * len(a["milestones"])) if a["milestones"] else 0
    for t in plan.tables:
        if t.chapter == d["id"]:
            lines += 4 + 2 * len(t.rows)
    return lines


def _action_pill(action: Action) -> Pill:
    """An action's badge: its latest RAG; with none, a complete, stopped or paused action's status
    (said once, not 'Not reported'); else 'Not reported'."""
    settled = display.settled_status(action)
    if settled and not action.current_rag:
        return Pill(f"status-{action.status}", settled)
    return rag_pill(action.current_rag)


def rag_counts(actions: Iterable[Action]) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for a in actions:
        key = a.current_rag if a.current_rag in RAG_LABELS else "none"
        counts[key] = counts.get(key, 0) + 1
    return [{"pill": rag_pill(k if k != "none" else None), "count": counts[k]}
            for k in (*RAG_KEYS, "none") if counts.get(k)]


def _indicator_row(ind: Indicator, years: list[Period], plan: Plan | None,
                   anchors: dict[str, str] | None = None) -> dict[str, Any]:
    latest = ind.latest_actual()
    return {
        "id": ind.id,
        "anchor": (anchors or {}).get(ind.id, ""),
        "see": see_view(plan, ind.see, anchors or {}) if plan else [],
        "title": ind.title,
        "code": display.indicator_code(ind.code, ind.id),
        "assessment": (display.assessment(display.latest_assessment(ind.assessments)) if ind.assessments else ""),
        "assessment_note": (display.latest_assessment(ind.assessments).note or "") if ind.assessments else "",
        "assessments": [{"text": display.assessment(a), "note": a.note or ""}
                        for a in display.assessments_newest_first(ind.assessments)],
        "domain": plan.domain_title(ind.domain_id) if plan and ind.domain_id else "",
        "unit": display.unit(ind.unit_label),
        "unit_known": bool(ind.unit),
        "polarity": display.polarity(ind.polarity),
        "polarity_known": bool(ind.polarity),
        "direction": display.polarity_arrow(ind.polarity),
        "baseline": display.indicator_value(ind, ind.baseline),
        "baseline_period": display.period_note(ind.baseline_period_words),
        "targets": [display.indicator_value(ind, ind.targets.get(y)) for y in years],
        "target_parts": [display.indicator_value_parts(ind, ind.targets.get(y)) for y in years],
        # figure and count on lines of their own ('91.3%' over '(42 of 46)'), for the narrow columns
        "target_lines": [display.indicator_figure_lines(ind, ind.targets.get(y)) for y in years],
        "baseline_lines": display.indicator_figure_lines(ind, ind.baseline),
        # every stated actual, the latest first: the year to date is printed with the quarter
        "actuals": [{"figure": f, "note": n, "period": display.period_note(p)}
                    for p, v in display.actuals_newest_first(ind)
                    for f, n in [display.indicator_figure_lines(ind, v)]],
        "latest": display.indicator_value(ind, latest[1] if latest else None),
        "latest_period": display.period_note(latest[0] if latest else None),
        "source": ind.source or "",
    }


def _indicator_years(indicators: list[Indicator], fallback: list[FinancialYear]) -> list[Period]:
    return target_periods(indicators, fallback)


def _qipp_view(plan: Plan, anchors: dict[str, str] | None = None) -> dict[str, Any] | None:
    anchors = anchors or {}
    q = plan.qipp
    if q is None or not (q.schemes or q.stated_total):
        return None
    years = q.years or plan.meta.years

    def group_rows(key: str, name) -> dict[str, Any]:
        rows = []
        for value, schemes in q.grouped(key):
            rows.append({"name": name(value), "count": len(schemes),
                         "nets": [display.total(q.net(y, schemes)) for y in years],
                         "incomplete": [q.net(y, schemes).incomplete for y in years]})
        return {"rows": rows}

    totals = {
        "savings": [display.total(q.savings(y)) for y in years],
        "investment": [display.total(q.investment(y)) for y in years],
        "net": [display.total(q.net(y)) for y in years],
        "incomplete": [q.net(y).incomplete for y in years],
    }
    stated = None
    if q.stated_total:
        stated = []
        for y in years:
            value = q.stated_total.get(y)
            difference = compare_stated(value, q.net(y))
            stated.append({"text": display.value(value), "differs": difference is not None,
                           "flag": display.stated_flag(difference) if difference is not None else ""})
    schemes = []
    for s in q.schemes:
        schemes.append({
            "id": s.id, "title": s.title, "provider": s.provider or "",
            "domain": plan.domain_title(s.domain_id) if s.domain_id else "",
            "pod": display.point_of_delivery(s.point_of_delivery), "lead": s.lead or "",
            "years": [{"savings": display.value(s.savings.get(y)),
                       "investment": display.value(s.investment.get(y)),
                       "net": display.net(s.savings.get(y), s.investment.get(y), s.net(y)),
                       "incomplete": s.net(y).incomplete} for y in years],
            "confidence": confidence_pill(s.confidence),
            "note": s.note or "",
            "anchor": anchors.get(s.id, ""),
            "see": see_view(plan, s.see, anchors),
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
        "by_domain": group_rows("domain_id", lambda v: plan.domain_title(v) if v else display.NO_DOMAIN),
        "by_provider": group_rows("provider", lambda v: v or "No provider named") if has_provider else None,
        "by_pod": group_rows("point_of_delivery", lambda v: v or display.NOT_STATED) if has_pod else None,
        "schemes": schemes,
        # no scheme names a provider: no column of dashes
        "has_provider": has_provider,
        "has_confidence": any(s["confidence"] for s in schemes),
        "has_notes": any(s.note for s in q.schemes),
        "incomplete": any(totals["incomplete"]),
        # no scheme has an amount and no total is stated: a sentence, not tables of dashes
        "no_amounts": "" if q.has_amounts else display.qipp_no_amounts(len(q.schemes)),
    }


def _risk_view(plan: Plan, anchors: dict[str, str] | None = None) -> dict[str, Any] | None:
    anchors = anchors or {}
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
            "owner": r.owner or display.NOT_STATED, "closed": not r.is_open,
            "gross": display.position(r.gross),
            "gross_band": band_pill(r.band_of(r.gross.score)) if r.gross else None,
            "current": display.position(r.current),
            "band": risk_pill(r),
            "anchor": anchors.get(r.id, ""),
            "see": see_view(plan, r.see, anchors),
            "rated_only": r.current is None,
            "score_note": "" if r.current else (display.RATED_ONLY if r.band else display.NOT_SCORED),
            "target": display.position(r.target),
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
                        "unit": display.heat_map_cell_unit(len(ids)),
                        "ids": ids[:4], "more": len(ids) - 4 if len(ids) > 4 else 0})
        grid.append({"likelihood": likelihood, "label": display.LIKELIHOOD_LABELS[likelihood], "cells": row})
    rated_only = [{"id": r.id, "title": r.title, "band": risk_pill(r)}
                  for r in plan.open_risks if r.current is None and r.band]
    unrated = [{"id": r.id, "title": r.title, "band": band_pill(None)}
               for r in plan.open_risks if r.current is None and not r.band]
    bands = plan.risk_bands
    ranges = display.band_ranges(bands)
    band_key = [{"pill": band_pill(b), "range": ranges[b]} for b in ("low", "moderate", "high", "extreme")]
    band_counts = {}
    for r in plan.open_risks:
        band_counts[r.band or "none"] = band_counts.get(r.band or "none", 0) + 1
    summary = [{"pill": band_pill(b if b != "none" else None), "count": band_counts[b]}
               for b in ("extreme", "high", "moderate", "low", "none") if band_counts.get(b)]
    return {
        "rows": rows,
        "grid": grid,
        "impacts": [{"score": i, "label": display.IMPACT_LABELS[i]} for i in range(1, 6)],
        "placed": len(placed),
        "has_map": bool(placed),
        "map_caption": display.heat_map_caption(len(placed), len(rated_only), len(unrated)),
        "rated_only": rated_only,
        "unrated": unrated,
        "rated_only_note": display.risks_rated_only_note(len(rated_only)),
        "unrated_note": display.risks_unrated_note(len(unrated)),
        "open": len(plan.open_risks),
        "closed": len(plan.risks) - len(plan.open_risks),
        "has_scores": any(r.current for r in plan.risks),
        "has_gross": any(r.gross for r in plan.risks),
        "has_target": any(r.target for r in plan.risks),
        "has_owner": any(r.owner for r in plan.risks),
        "band_key": band_key,
        "summary": summary,
    }


def _finance_view(plan: Plan) -> dict[str, Any] | None:
    """The finance chapter (opgen.render.finance, shared with the Word annex) with RAG as pills."""
    view = finance_tables(plan)
    if view is None:
        return None

    def table(t) -> dict[str, Any]:
        rows = [{"id": r.id, "title": r.title, "note": r.note,
                 "cells": [{"text": c.text, "percent": c.percent, "pill": rag_pill(c.rag) if c.rag else None,
                            "phase": col.phase} for c, col in zip(r.cells, t.columns)]}
                for r in t.rows]
        return {"key": t.key, "title": t.title, "unit": t.unit, "columns": t.columns, "phases": t.phases,
                "rows": rows, "totals": t.totals, "stated": t.stated, "incomplete": t.incomplete,
                "incomplete_note": t.incomplete_note, "many": len(t.columns) > 8, "has_percent": any(c.percent for r in t.rows for c in r.cells)}

    rules = [{"year": r.period, "name": r.name, "required": r.required, "value": r.value, "percent": r.percent,
              "rag": rag_pill(r.rag) if r.rag else Pill("rag-none", r.rag_label),
              "state": Pill({True: "state-met", False: "state-notmet"}.get(r.met, "state-unknown"), r.state)}
             for r in view.rules]
    return {
        "unit": view.unit,
        "tables": [table(t) for t in view.tables],
        "rules": rules,
        "rules_rated": view.rules_rated,
        "base_missing": view.rules_unassessed,
        "rules_unjudged": view.rules_unjudged,
        "assumptions": table(view.assumptions) if view.assumptions else None,
        "wide": view.wide,
        "outside": view.outside,
        "plan_years": view.plan_years,
        "incomplete_note": display.TOTAL_INCOMPLETE_NOTE,
        "percent_note": display.FINANCE_PERCENT_NOTE,
        "note": view.note,
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
        "totals": [display.total(b.funding_total(y)) for y in years] if bcf_tables.funded(b) else [],
        "minimum": _money_cells(b.minimum_contribution, years) if b.minimum_contribution else None,
        "actual": _money_cells(b.actual_contribution, years) if b.actual_contribution else None,
        "metric_years": [display.period(y) for y in metric_years],
        "metrics": [_indicator_row(m, metric_years, None) for m in b.metrics],
        "sources": display.source_notes(b.metrics),
        "metrics_v2": indicators_view.view(plan, b.metrics),  # benchmarks, charts, areas of the metrics
        "v2": bcf_tables.v2(b),  # version 2's tables (render/bcf.py; templates/_bcf.html.j2)
        "v2_schemes": bcf_tables.schemes_table(b), "contributions": bcf_tables.contributions_table(b),
        "risks": bcf_tables.risks_table(b), "risk_columns": bcf_tables.risk_columns(b) if b.risks else [],
        "risks_title": display.BCF_RISKS_TITLE,
    }


def full_view(plan: Plan, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    meta = plan.meta
    sections: list[Section] = []   # the contents: every chapter in order
    numbered = [0]
    arrangement = chapters.arrange(plan)
    narrative: dict[str, dict[str, list]] = {"before": {}, "after": {}}

    def add(title: str, anchor: str) -> Section:
        numbered[0] += 1
        section = Section(f"part-{anchor}", str(numbered[0]), title)
        sections.append(section)
        return section

    def place(name: str, relation: str) -> None:
        """Number the narrative chapters that go just before or after built-in chapter `name`."""
        views = []
        for s in getattr(arrangement, relation).get(name, []):
            if name in chapters.FRONT:
                view = _narrative_view(s, "", "", "front")
            else:
                numbered[0] += 1
                view = _narrative_view(s, str(numbered[0]), str(numbered[0]))
            sections.append(view["section"])
            views.append(view)
        narrative[relation][name] = views

    place("document_control", "before")
    place("document_control", "after")
    # vision
    place("vision", "before")
    vision_section = add("Our vision", "vision")
    place("vision", "after")

    anchors = _anchors(plan)
    plan_rated = any(a.rag for a in plan.actions)
    milestones_rated = any(m.status for _, m in plan.milestones)

    # one section per domain
    place("domains", "before")
    domains = []
    for d_index, domain in enumerate(plan.domains):
        section = add(domain.title, f"domain-{d_index + 1}")
        actions = []
        for action, depth in nested(domain.actions):
            view = _action_view(plan, action, anchors[id(action)], anchors, depth, plan_rated, milestones_rated)
            actions.append(view)
        domains.append({
            "section": section,
            "lead": domain.lead or "",
            "due": display.date_text(domain.due, domain.due_text),
            "reports_to": domain.reports_to or "",
            "description": domain.description or "",
            "outcomes": domain.outcomes,
            "counts": rag_counts(domain.actions),
            "actions": actions,
            "milestone_count": sum(len(a.milestones) for a in domain.actions),
            "has_lead": any(a["lead"] for a in actions),
            "has_due": any(a["due"] for a in actions),
            "id": domain.id,
            "schedule": gantt.domain_view(plan, domain),
        })

    if plan.actions and not any(a.rag for a in plan.actions):
        # no RAG anywhere in the plan: said once (the glance table, each programme's facts and each
        # action's own line), not also as a "Not reported" badge on every action
        for d in domains:
            for a in d["actions"]:
                if a["rag"].css == "rag-none":
                    a["rag"] = None
    font = plan.theme.font if plan.theme else DEFAULT_FONT
    no_rag_plan = (display.no_rag_in_plan(display.as_at(meta), len(plan.actions))
                   if plan.actions and not any(a.rag for a in plan.actions) else "")
    rag_heading = display.rag_column_heading(display.as_at(meta), bool(no_rag_plan))
    for d in domains:
        d["rag_column"] = any(a["rag"] for a in d["actions"])
        d["rag_heading"] = rag_heading
        d["columns"] = fixed_columns.summary_columns(d["actions"], font, rag_heading)
        for a in d["actions"]:
            a["milestone_columns"] = fixed_columns.milestone_columns(a["milestones"], font)
    # a short programme runs on after the one before it instead of starting a page of its own: a
    # plan on a page's programmes of six one-line actions each read as a few pages, not one per page
    for i, d in enumerate(domains):
        d["run_on"] = i > 0 and _domain_lines(d, plan) <= SHORT_DOMAIN_LINES
    place("domains", "after")

    # performance
    place("performance", "before")
    indicator_years = _indicator_years(plan.indicators, meta.years)
    performance = None
    if plan.indicators:
        # an indicator given in words only (no unit, no figures) goes in a table of its own, where the
        # words are the content, not in a row of "Not stated" and dashes
        named = [i for i in plan.indicators if display.named_only(i)]  # a list of words, not a table
        figured = [i for i in plan.indicators if not display.words_only(i) and not display.named_only(i)]
        worded = [i for i in plan.indicators if display.words_only(i)]
        named_groups: dict[str, list[dict]] = {}
        for ind in named:
            name = plan.domain_title(ind.domain_id) if ind.domain_id else display.PLAN_WIDE
            named_groups.setdefault(name, []).append(_indicator_row(ind, indicator_years, plan, anchors))
        groups: dict[str, list[dict]] = {}
        for ind in figured:
            name = plan.domain_title(ind.domain_id) if ind.domain_id else display.PLAN_WIDE
            groups.setdefault(name, []).append(_indicator_row(ind, indicator_years, plan, anchors))
        word_groups: dict[str, list[dict]] = {}
        for ind in worded:
            name = plan.domain_title(ind.domain_id) if ind.domain_id else display.PLAN_WIDE
            word_groups.setdefault(name, []).append(_indicator_row(ind, indicator_years, plan, anchors))
        performance = {"section": add("Performance and delivery summary", "performance"),
                       "years": [display.period(y) for y in indicator_years],
                       "groups": [{"name": k, "rows": v} for k, v in groups.items()],
                       "word_groups": [{"name": k, "rows": v} for k, v in word_groups.items()],
                       "named_groups": [{"name": k, "rows": v} for k, v in named_groups.items()],
                       "named_heading": display.NAMED_MEASURES if figured or worded else "",
                       "named_note": display.NAMED_MEASURES_NOTE,
                       "words_heading": display.ASSESSED_IN_WORDS if figured else "",
                       "words_note": display.ASSESSED_IN_WORDS_NOTE,
                       "assessment_heading": display.assessment_heading(figured),
                       "words_assessment_heading": display.assessment_heading(worded),
                       "has_actuals": any(i.actuals for i in plan.indicators),
                       "actuals_heading": display.actuals_heading(figured),
                       "actuals_lede": display.actuals_lede(figured),
                       "has_assessments": any(i.assessments for i in figured),
                       "has_sources": any(i.source for i in plan.indicators),
                       "polarity_unknown": any(not i.polarity for i in figured),
                       "sources": display.source_notes(plan.indicators),
                       "v2": indicators_view.view(plan)}  # benchmarks, standards, charts, areas

    place("performance", "after")
    place("qipp", "before")
    qipp = _qipp_view(plan, anchors)
    if qipp:
        qipp["section"] = add("QIPP savings programme", "qipp")
    place("qipp", "after")
    place("risks", "before")
    risks = _risk_view(plan, anchors)
    if risks:
        risks["section"] = add("Risk register", "risks")
    place("risks", "after")
    place("finance", "before")
    finance = _finance_view(plan)
    if finance:
        finance["section"] = add("Finance", "finance")
    place("finance", "after")
    place("bcf", "before")
    bcf = _bcf_view(plan)
    if bcf:
        bcf["section"] = add("Better Care Fund", "bcf")
    place("bcf", "after")
    governance = _governance_view(plan, anchors, add)

    warnings = display.board_warnings(plan, diagnostics)
    index = display.item_index(plan) if plan.tbcs else {}
    tbcs = [{"label": display.item_in_words(plan, t.path, index)} for t in plan.tbcs]
    inventory_section = None
    place("inventory", "before")
    if tbcs or warnings:
        inventory_section = add("Items to be confirmed and warnings", "inventory")
    tables, appendix = tables_view(plan, chapters_printed(plan, inventory=inventory_section is not None))
    tables_heading = display.TABLES_FOR_ALL_PROGRAMMES
    place("inventory", "after")
    tables_appendix = {"section": add(display.TABLES_APPENDIX, "tables"), "items": appendix} if appendix else None
    appendices = []
    for i, s in enumerate(arrangement.appendices):
        letter = chapters.appendix_letter(i)
        view = _narrative_view(s, letter, display.appendix(letter), "appendix")
        view["section"].title = display.appendix_title(letter, s.title)  # not "Appendix A Appendix A: Foo"
        sections.append(view["section"])
        appendices.append(view)

    _number_refs(anchors, sections, [t for items in tables.values() for t in items] + appendix)
    milestones_total = len(plan.milestones)
    qipp_headline = ""
    if plan.qipp and plan.qipp.schemes:
        year = (plan.qipp.years or meta.years)[0]
        net = plan.qipp.net(year)
        qipp_headline = display.qipp_headline(year.label, net, plan.qipp.unit)
    summary = {
        "qipp": qipp_headline,
        "domains": display.plural(len(plan.domains), "programme"),
        "actions": display.plural(len(plan.actions), "action"),
        "milestones": display.plural(milestones_total, "milestone"),
        "risks": display.plural(len(plan.open_risks), "open risk"),
        "indicators": display.plural(len(plan.indicators), "indicator"),
        "counts": rag_counts(plan.actions),
        "action_count": f"{len(plan.actions):,}",
        "milestone_count": f"{milestones_total:,}",
        "tbcs": len(tbcs),
        "warnings": sum(w["count"] for w in warnings),
    }
    return {
        **identity(plan),
        "not_stated": display.NOT_STATED,
        "org_code": plan.organisation.code or "",
        "years": [y.label for y in meta.years],
        "sign_off_title": display.SIGN_OFF,
        "signatories": [{"name": s.name, "role": s.role, "date": display.long_date(s.date)} for s in meta.signatories],
        "history": [{"version": display.version(h.version), "date": display.month_or_date(h.date),
                     "author": h.author or "", "summary": h.summary or "",
                     "reviewers": display.reviewers(h.reviewers), "status": h.status or ""} for h in meta.history],
        "history_reviewers": any(h.reviewers for h in meta.history),
        "history_status": any(h.status for h in meta.history),
        "contacts": [{"name": display.contact_name(c.name), "role": c.role or "", "organisation": c.organisation or "",
                      "email": c.email or "", "phone": c.phone or ""} for c in meta.contacts],
        "approvals": [{"body": a.body, "date": display.month_or_date(a.date) or display.NOT_STATED,
                       "decision": display.decision(a.decision) if a.decision else display.NOT_STATED,
                       "note": a.note or ""} for a in meta.approvals],
        "see_also": display.SEE_ALSO,
        "sub_actions": display.SUB_ACTIONS,
        "sections": sections,
        "narrative": narrative,
        "appendices": appendices,
        "vision_section": vision_section,
        "mission": plan.vision.mission,
        "statements": [{"label": s.label, "text": s.text} for s in plan.vision.statements],
        "values": plan.vision.values,
        "no_vision": display.NO_VISION,
        "refreshes": meta.refreshes or "",
        "drivers": [{"id": d.id, "title": d.title, "kind": display.driver_kind(d.kind), "note": d.note or ""}
                    for d in meta.drivers],
        "drivers_heading": display.DRIVERS,
        "providers": [{"id": x.id, "title": x.title, "kind": display.provider_kind(x.kind), "note": x.note or ""}
                      for x in meta.providers],
        "providers_heading": display.PROVIDERS,
        "domain_due": display.DOMAIN_DUE,
        "reports_to_label": display.REPORTS_TO,
        "category_label": display.ACTION_CATEGORY, "programmes_label": display.ACTION_PROGRAMMES,
        "refreshes_heading": display.REFRESHES,
        "latest_assessment": display.LATEST_ASSESSMENT,
        "domains": domains,
        "performance": performance,
        "qipp": qipp,
        "risks": risks,
        "finance": finance,
        "bcf": bcf,
        "governance": governance,
        "inventory_section": inventory_section,
        "tables": tables,
        "tables_appendix": tables_appendix,
        "tables_heading": tables_heading,
        "tbcs": tbcs,
        "warnings": warnings,
        "summary": summary,
        "no_rag_plan": no_rag_plan,
        "no_rag_short": display.no_rag_as_at(display.as_at(meta)),
        "description": (f"{plan.organisation.name}: {meta.title}, {meta.period_label}. "
                        f"Version {display.version(meta.version)}, {display.status(meta.status)}."),
    }


def _governance_view(plan: Plan, anchors: dict, add) -> dict[str, Any] | None:
    """The governance and strategic alignment chapter (opgen.render.governance), numbered after the
    Better Care Fund; each "addressed by" entry links to the item where the full plan has it."""
    view = governance_view(plan)
    if view is None:
        return None
    coverage = [{"table": t, "rows": [{"row": r, "links": [{"text": text, "anchor": anchors.get(ref, "")}
                                                            for text, ref in r.addressed_by]} for r in t.rows]}
                for t in view.coverage]
    return {"view": view, "section": add(display.GOVERNANCE_TITLE, "governance"), "coverage": coverage,
            "diagram": Markup(view.diagram), "structure": display.GOVERNANCE_STRUCTURE,
            "bodies_caption": display.GOVERNANCE_BODIES, "coverage_columns": display.COVERAGE_COLUMNS,
            "not_addressed": display.NOT_ADDRESSED}


class Anchors(dict):
    """Anchors by id (and actions' by object), with `titles`: every id'd item's (kind, title), found once."""

    titles: dict
    numbered_refs: list  # see-references to chapters and tables, numbered when the plan is laid out


def _anchors(plan: Plan) -> Anchors:
    """The anchor of every item the full plan gives one, by id (for `see:` links) and, for actions,
    also by object (an action's own anchor, even where two share an id in an invalid plan)."""
    out = Anchors()
    out.titles = plan.items_by_id()
    out.numbered_refs = []
    for d_index, domain in enumerate(plan.domains):
        out.setdefault(domain.id, f"part-domain-{d_index + 1}")
        for a_index, action in enumerate(domain.actions):
            anchor = f"act-{d_index + 1}-{a_index + 1}"
            out[id(action)] = anchor
            out.setdefault(action.id, anchor)
            for m_index, m in enumerate(action.milestones):
                out.setdefault(m.id, f"{anchor}-m{m_index + 1}")
    if plan.qipp:
        for i, s in enumerate(plan.qipp.schemes):
            out.setdefault(s.id, f"qipp-{i + 1}")
    for i, r in enumerate(plan.risks):
        out.setdefault(r.id, f"risk-{i + 1}")
    for i, ind in enumerate(plan.indicators):
        out.setdefault(ind.id, f"ind-{i + 1}")
    for s in plan.all_sections:
        out.setdefault(s.id, f"sec-{s.id}")
    for table in plan.tables:
        out.setdefault(table.id, f"table-{table.id}")
    return out


@dataclass(frozen=True)
class FullPlanPage:
    """The full operational plan's view and its HTML rendered from it: made once a build for the PDF
    and its web edition, which reshapes the same page (opgen.render.web)."""
    view: dict[str, Any]
    html: str


def operational_plan_page(plan: Plan, diagnostics: list[Diagnostic]) -> FullPlanPage:
    view = full_view(plan, list(diagnostics or []))
    return FullPlanPage(view, render("operational-plan.html.j2", **view))


def operational_plan_html(plan: Plan, diagnostics: list[Diagnostic]) -> str:
    """The full operational plan as HTML, for WeasyPrint (A4 portrait with landscape wide tables)."""
    return operational_plan_page(plan, diagnostics).html


# --- data tables ----------------------------------------------------------------------------------

_PILL_COLOURS = {"amber_red", "amber_green"} | set(RAG_LABELS)


def _table_cell(c, numeric: bool) -> dict[str, Any]:
    pill = None
    if c.kind == "rag" and c.colour in _PILL_COLOURS:
        pill = Pill(f"rag-{c.colour}", c.text)
    elif c.kind == "rating" and c.colour in display.BAND_LABELS:
        pill = band_pill(c.colour)
    return {"text": c.text, "kind": c.kind, "pill": pill, "mark": c.mark, "flag": c.flag,
            "unchecked": c.unchecked, "numeric": numeric}


def _table(view) -> dict[str, Any]:
    t = view.table
    notes = [note for note, show in ((display.TABLE_DIFFERS_NOTE, view.differs),
                                     (display.TABLE_UNCHECKED_NOTE, view.incomplete)) if show]
    return {
        "anchor": f"table-{t.id}",
        "caption": view.caption,
        "description": t.description or "",
        "note": t.note or "",
        "source": display.table_source(t.source) if t.source else "",
        "notes": notes,
        "row_notes": [{"label": r.label, "text": r.note} for r in view.rows if r.note],
        "wide": view.wide,
        "row_headers": bool(view.columns) and view.columns[0].kind == "text",
        "columns": [{"heading": c.heading, "unit": c.unit, "kind": c.kind, "numeric": c.numeric}
                    for c in view.columns],
        "rows": [{"total": r.total, "cells": [_table_cell(c, col.numeric) for c, col in zip(r.cells, view.columns)]}
                 for r in view.rows],
    }


def tables_view(plan: Plan, chapters: list[str]) -> tuple[dict[str, list[dict]], list[dict]]:
    """The plan's data tables for the template: by chapter (in `chapters`, the chapters printed),
    and the rest for the "Tables" appendix; numbered in print order."""
    by_chapter: dict[str, list[dict]] = {c: [] for c in chapters}
    appendix: list[dict] = []
    for view in numbered_tables(plan, chapters):
        (appendix if view.chapter is None else by_chapter[view.chapter]).append(_table(view))
    return by_chapter, appendix
