"""Delivery schedules drawn as Gantt charts for the full plan (issue 9, part 1): one chart per domain
(or one per financial year where the schedule is wider than the page), as inline SVG that WeasyPrint
draws as vectors.

Periods run across the top (financial years, then quarters or months); one row per scheduled
action; each phase is a bar carrying its code (colour never carries meaning alone: the key maps each
code to its label); a phase that runs on beyond the chart ends in an arrow; milestones are diamonds
labelled with their type. The same schedule in words (opgen.display.schedule_sentence) goes with
each chart for screen readers, and the SVG is role="img" with the chart's name.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from opgen import display, schedules
from opgen.model import Action, Domain, Plan, nested

WIDTH = 480.0          # pt: the full plan's text width (A4 less its margins), drawn at 100%
RIGHT = 10.0           # room for an ongoing arrow
HEAD = 26.0            # two heading rows
ROW = 20.0
ROW_WITH_MILESTONES = 28.0
MAX_ROWS = 22          # rows in one chart: a chart of 22 rows with milestones fits an A4 page
BAR = 11.0
FONT = 7.5            # pt: no text under 7.5 pt (issue 12)
SMALL = 7.5
CHAR = 0.53            # average Inter glyph width, in em, to wrap titles
INK = "#212B32"
MUTED = "#4C6272"
RULE = "#D8DDE0"
YEAR_RULE = "#768692"
# Phase fills, in legend order: NHS identity colours that are not RAG colours, each with the text
# colour that reads on it (contrast at least 4.5:1).
PALETTE = [("#005EB8", "#FFFFFF"), ("#41B6E6", "#212B32"), ("#330072", "#FFFFFF"), ("#00A499", "#212B32"),
           ("#AE2573", "#FFFFFF"), ("#003087", "#FFFFFF"), ("#AEB7BD", "#212B32"), ("#7C2855", "#FFFFFF")]


def colours(plan: Plan) -> dict[str, tuple[str, str]]:
    """Each phase code's (fill, text) by its place in the legend; codes outside it share grey."""
    out = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(plan.scales.schedule)}
    return out


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _wrap(text: str, width_pt: float, size: float, lines: int) -> list[str]:
    per_line = max(4, int(width_pt / (size * CHAR)))
    words, out, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if len(trial) <= per_line:
            line = trial
            continue
        if line:
            out.append(line)
        line = word
        if len(out) == lines:
            break
    if line and len(out) < lines:
        out.append(line)
    if len(out) == lines and " ".join(out) != " ".join(words):
        last = out[-1]
        out[-1] = (last[: per_line - 1].rstrip() if len(last) >= per_line else last) + "\u2026"
    return [x[:per_line + 1] for x in out]


def _text(x: float, y: float, text: str, size: float = FONT, anchor: str = "start", weight: int = 400,
          fill: str = INK) -> str:
    return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" font-weight="{weight}" '
            f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>')


def _chart(plan: Plan, actions: list[Action], cols: list[schedules.Column], label: str) -> str:
    palette = colours(plan)
    scales = plan.scales
    id_width = max(len(a.id) for a in actions) * FONT * 0.6 + 6
    label_width = min(170.0, max(120.0, WIDTH * 0.3))
    cw = (WIDTH - label_width - RIGHT) / len(cols)
    x0 = label_width
    first, last = cols[0].first, cols[-1].last

    def x_of(month: int) -> float:
        return x0 + (month - first) / (last - first + 1) * (cw * len(cols))

    rows = []
    for a in actions:
        ms = []
        for m in a.milestones:
            at = schedules.milestone_month(m.due)
            if at and first <= at[0] and at[1] <= last:
                ms.append((m, at))
        rows.append((a, ms))
    heights = [ROW_WITH_MILESTONES if ms else ROW for _, ms in rows]
    height = HEAD + sum(heights) + 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" role="img" aria-label="{escape(label)}" '
           f'width="100%" viewBox="0 0 {_num(WIDTH)} {_num(height)}" font-family="Inter">',
           f"<title>{escape(label)}</title>"]
    # headings: financial years, then quarters or months
    groups: list[tuple[str, int, int]] = []
    for i, col in enumerate(cols):
        group, head = display.schedule_column_head(col.first, col.unit)
        if groups and groups[-1][0] == group:
            groups[-1] = (group, groups[-1][1], i)
        else:
            groups.append((group, i, i))
        out.append(_text(x0 + cw * (i + 0.5), HEAD - 4, head, SMALL if col.unit == "month" else FONT,
                         "middle", fill=MUTED))
    for group, a_, b_ in groups:
        out.append(f'<rect x="{_num(x0 + cw * a_ + 0.5)}" y="0.5" width="{_num(cw * (b_ - a_ + 1) - 1)}" '
                   f'height="11" fill="#E8EDEE"/>')
        out.append(_text(x0 + cw * (a_ + b_ + 1) / 2, 8.2, group, FONT, "middle", 600))
    out.append(_text(0, HEAD - 4, display.SCHEDULE_ACTION, FONT, "start", 600, MUTED))
    # grid
    body_top, body_bottom = HEAD, height - 1
    for i, col in enumerate(cols + [None]):
        month = col.first if col else last + 1
        year_start = month % 12 == 3
        colour = YEAR_RULE if year_start or i in (0, len(cols)) else RULE
        out.append(f'<line x1="{_num(x0 + cw * i)}" y1="{_num(12 if year_start or col is None or i == 0 else body_top - 10)}" '
                   f'x2="{_num(x0 + cw * i)}" y2="{_num(body_bottom)}" stroke="{colour}" stroke-width="0.5"/>')
    out.append(f'<line x1="0" y1="{_num(body_top)}" x2="{_num(WIDTH - RIGHT)}" y2="{_num(body_top)}" '
               f'stroke="{YEAR_RULE}" stroke-width="0.6"/>')
    y = body_top
    for (a, ms), h in zip(rows, heights):
        # the action: its id, and its title in up to two lines
        lines = _wrap(a.title, label_width - id_width - 4, FONT, 2)
        ty = y + (h - (len(lines) - 1) * (FONT + 1.5)) / 2 + FONT * 0.35 - (3 if ms else 0)
        out.append(_text(0, ty, a.id, FONT, "start", 600))
        for k, line in enumerate(lines):
            out.append(_text(id_width, ty + k * (FONT + 1.5), line, FONT))
        bar_y = y + (h - BAR) / 2 - (4 if ms else 0)
        for p in schedules.phases(a.schedule):
            if p.last < first and not p.ongoing or p.first > last:
                continue
            start = max(p.first, first)
            end = last if p.ongoing else min(p.last, last)
            bx, bw = x_of(start) + 0.8, x_of(end + 1) - x_of(start) - 1.6
            fill, ink = palette.get(p.code, ("#AEB7BD", INK))
            name = display.schedule_phase(scales, p.code)
            out.append(f'<rect x="{_num(bx)}" y="{_num(bar_y)}" width="{_num(bw)}" height="{_num(BAR)}" rx="1.6" '
                       f'fill="{fill}"><title>{escape(name)}</title></rect>')
            if p.ongoing:
                tip = x_of(last + 1) + RIGHT - 1.5
                mid = bar_y + BAR / 2
                out.append(f'<polygon points="{_num(bx + bw - 0.5)},{_num(bar_y - 1.5)} {_num(tip)},{_num(mid)} '
                           f'{_num(bx + bw - 0.5)},{_num(bar_y + BAR + 1.5)}" fill="{fill}"/>')
            code_size = FONT if len(p.code) * FONT * 0.62 + 2 <= bw else SMALL
            if len(p.code) * code_size * 0.62 <= bw:
                out.append(_text(bx + bw / 2, bar_y + BAR / 2 + code_size * 0.36, p.code, code_size, "middle", 600,
                                 ink))
        for m, (m_first, m_last) in ms:
            mx = (x_of(m_first) + x_of(m_last + 1)) / 2
            my = bar_y + BAR + 6.5
            r = 3.2
            out.append(f'<polygon points="{_num(mx)},{_num(my - r)} {_num(mx + r)},{_num(my)} {_num(mx)},'
                       f'{_num(my + r)} {_num(mx - r)},{_num(my)}" fill="{INK}" stroke="#FFFFFF" stroke-width="0.5">'
                       f'<title>{escape(m.title)}</title></polygon>')
            if m.type:
                out.append(_text(mx + r + 1.2, my + SMALL * 0.36, m.type, SMALL, "start", 600))
        y += h
        out.append(f'<line x1="0" y1="{_num(y)}" x2="{_num(WIDTH - RIGHT)}" y2="{_num(y)}" stroke="{RULE}" '
                   f'stroke-width="0.4"/>')
    as_at = as_at_month(plan)
    if as_at is not None and first <= as_at <= last + 1:  # on top of the bars: where the plan stands
        ax = x_of(as_at)
        out.append(f'<line x1="{_num(ax)}" y1="{_num(body_top - 2)}" x2="{_num(ax)}" y2="{_num(body_bottom)}" '
                   f'stroke="#DA291C" stroke-width="0.9" stroke-dasharray="2.2 1.4"/>')
    out.append("</svg>")
    return "".join(out)


def as_at_month(plan: Plan) -> int | None:
    """Where the plan stands: the end of its as-at quarter (the month after it), drawn as a dashed
    line; None where the plan states no as_at (never the machine clock)."""
    if not plan.meta.as_at_stated:
        return None
    return schedules.month_index(plan.meta.as_at.last_day) + 1


def domain_view(plan: Plan, domain: Domain) -> dict[str, Any] | None:
    """The domain's Gantt charts, key and text alternative; None where no action has a schedule."""
    actions = [a for a, _ in nested(domain.actions) if a.schedule]
    if not actions:
        return None
    spans = [s for a in actions for s in a.schedule]
    unit = schedules.unit_of(spans)
    charts = []
    for cols in schedules.chunks(schedules.columns(spans, unit)):
        first, last = cols[0].first, cols[-1].last
        shown = [a for a in actions
                 if any((s.first <= last and (s.last >= first or s.ongoing)) for s in a.schedule)]
        if not shown:
            continue
        label = display.schedule_figure_label(domain.title, first, last, unit)
        # a chart is one picture, never split across pages: a long list of actions is drawn in parts
        parts = -(-len(shown) // MAX_ROWS)
        size = -(-len(shown) // parts)
        for i in range(0, len(shown), size):
            charts.append({"svg": Markup(_chart(plan, shown[i:i + size], cols, label)), "label": label,
                           "first": first, "last": last})
    used = {s.code for s in spans}
    palette = colours(plan)
    legend = [{"code": e.code, "label": display.schedule_legend_entry(e), "fill": palette[e.code][0],
               "ink": palette[e.code][1]} for e in plan.scales.schedule.values() if e.code in used]
    types_used = {m.type for a in actions for m in a.milestones if m.type and schedules.milestone_month(m.due)}
    types = [{"code": e.code, "label": display.schedule_legend_entry(e)}
             for e in plan.scales.milestone_types.values() if e.code in types_used]
    untyped = any(not m.type and schedules.milestone_month(m.due) for a in actions for m in a.milestones)
    at = as_at_month(plan)
    drawn = at is not None and any(c["first"] <= at <= c["last"] + 1 for c in charts)
    return {
        "as_at": display.schedule_as_at(plan.meta.as_at.label) if drawn else "",
        "heading": display.SCHEDULE_HEADING,
        "key": display.SCHEDULE_KEY,
        "charts": charts,
        "legend": legend,
        "milestone_types": types,
        "milestone_untyped": display.SCHEDULE_MILESTONES if untyped else "",
        "alt": [display.schedule_sentence(plan.scales, a, unit) for a in actions],
    }
