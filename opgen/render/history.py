"""`opgen history` drawn: the RAG strip (one row per action, one cell per quarter, each cell coloured
AND lettered, with what earlier versions said where they differ), and line charts of the QIPP
forecast, risk scores and indicator actuals against trajectory, as inline vector SVG (like
opgen.render.gantt) with the table behind each chart printed under it. The same tables are the text
format."""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from opgen import display
from opgen.history import Chart, Trends
from opgen.model import format_decimal
from opgen.render import document_timestamp
from opgen.render.jinja import render

INK, MUTED, RULE = "#212B32", "#4C6272", "#D8DDE0"
RAG_FILL = {"red": ("#DA291C", "#FFFFFF"), "amber_red": ("#ED8B00", "#212B32"), "amber": ("#FFB81C", "#212B32"),
            "amber_green": ("#78BE20", "#212B32"), "green": ("#009639", "#000000"), "blue": ("#005EB8", "#FFFFFF"),
            "grey": ("#768692", "#000000")}
RAG_LETTER = {"red": "R", "amber_red": "AR", "amber": "A", "amber_green": "AG", "green": "G", "blue": "C", "grey": "NS"}
# line colours (NHS identity, not RAG colours), with a dash pattern each so colour is never the only cue
LINES = [("#005EB8", ""), ("#AE2573", "5 3"), ("#00A499", "2 2"), ("#330072", "8 3 2 3"), ("#ED8B00", "1 3"),
         ("#003087", "6 2"), ("#7C2855", "3 3"), ("#768692", "10 3")]


def _n(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def rag_strip_svg(trends: Trends) -> Markup:
    label_w, cell_w, row_h, head = 200.0, 46.0, 12.0, 15.0  # type at 7.5 pt, the floor for board papers
    quarters = trends.quarters
    width = label_w + cell_w * len(quarters)
    height = head + row_h * len(trends.rag)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}pt" height="{_n(height)}pt" '
           f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{escape(display.RAG_STRIP)}" '
           f'font-family="Inter" font-size="7.5"><title>{escape(display.RAG_STRIP)}</title>']
    for j, q in enumerate(quarters):
        out.append(f'<text x="{_n(label_w + cell_w * j + cell_w / 2)}" y="10" text-anchor="middle" fill="{MUTED}">'
                   f'{escape(q.label)}</text>')
    for i, row in enumerate(trends.rag):
        y = head + row_h * i
        title = f"{row.id} {row.title}"
        title = title if len(title) <= 44 else title[:43] + "\u2026"
        out.append(f'<text x="0" y="{_n(y + 8.6)}" fill="{INK}">{escape(title)}</text>')
        for j, cell in enumerate(row.cells):
            x = label_w + cell_w * j
            fill, ink = RAG_FILL.get(cell.colour or "", ("#FFFFFF", MUTED))
            out.append(f'<rect x="{_n(x + 1)}" y="{_n(y + 1)}" width="{_n(cell_w - 2)}" height="{_n(row_h - 2)}" '
                       f'rx="2" fill="{fill}" stroke="{RULE if not cell.colour else fill}" stroke-width="0.6"/>')
            letter = RAG_LETTER.get(cell.colour or "", "\u2013") + ("*" if cell.earlier else "")
            out.append(f'<text x="{_n(x + cell_w / 2)}" y="{_n(y + 8.6)}" text-anchor="middle" fill="{ink}" '
                       f'font-weight="600">{escape(letter)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def line_chart_svg(chart: Chart, width: float = 520.0, height: float = 150.0) -> Markup:
    left, right, top, bottom = 44.0, 12.0, 10.0, 30.0
    values = [v for s in chart.series for v in s.values if v is not None]
    if not values:
        return Markup("")
    low, high = min(values), max(values)
    if 0 < low < high / 3:
        low = Decimal(0)  # small against the largest: draw from zero
    if low == high:
        low, high = low - 1, high + 1
    step = _nice_step((high - low) / 4)
    low, high = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step, \
        (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    ticks = int((high - low) / step)
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(chart.x)

    def px(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def py(v: Decimal) -> float:
        return top + plot_h * float((high - v) / (high - low))

    name = escape(chart.title)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}pt" height="{_n(height)}pt" '
           f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{name}" font-family="Inter" font-size="7.5"><title>{name}</title>']
    for k in range(ticks + 1):  # gridlines and their values, at round numbers
        v = low + step * k
        y = py(v)
        out.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - right)}" y2="{_n(y)}" stroke="{RULE}" '
                   f'stroke-width="0.5"/><text x="{_n(left - 3)}" y="{_n(y + 2.2)}" text-anchor="end" '
                   f'fill="{MUTED}">{escape(format_decimal(v.normalize()))}</text>')
    step = max(1, n // 10)
    for i, label in enumerate(chart.x):
        if i % step == 0 or i == n - 1:
            out.append(f'<text x="{_n(px(i))}" y="{_n(height - bottom + 10)}" text-anchor="middle" fill="{MUTED}">'
                       f'{escape(label)}</text>')
    for k, s in enumerate(chart.series):
        colour, dash = LINES[k % len(LINES)]
        points = [(px(i), py(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.4" '
                       f'{f"stroke-dasharray={chr(34)}{dash}{chr(34)} " if dash else ""}'
                       f'points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}"/>')
        for x, y in points:
            out.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2" fill="{colour}"/>')
    # legend under the axis
    x = left
    for k, s in enumerate(chart.series[:8]):
        colour, dash = LINES[k % len(LINES)]
        y = height - 8
        label = s.name if len(s.name) <= 34 else s.name[:33] + "\u2026"
        out.append(f'<line x1="{_n(x)}" y1="{_n(y - 2)}" x2="{_n(x + 14)}" y2="{_n(y - 2)}" stroke="{colour}" '
                   f'stroke-width="1.4"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>'
                   f'<text x="{_n(x + 17)}" y="{_n(y)}" fill="{INK}">{escape(label)}</text>')
        x += 17 + len(label) * 3.6 + 10
        if x > width - 80:
            break
    out.append("</svg>")
    return Markup("".join(out))


def _nice_step(rough: Decimal) -> Decimal:
    """A round step (1, 2 or 5 times a power of ten) at least `rough`."""
    power = Decimal(10) ** rough.adjusted()
    for m in (1, 2, 5, 10):
        if power * m >= rough:
            return power * m
    return power * 10


def _top(chart: Chart) -> Chart:
    """The risks a chart can tell apart (one line style each): the highest scored last."""
    if len(chart.series) <= len(LINES):
        return chart
    last = lambda s: next((v for v in reversed(s.values) if v is not None), Decimal(0))  # noqa: E731
    return Chart(chart.title, chart.x, sorted(chart.series, key=last, reverse=True)[:len(LINES)], chart.unit)


def _fmt(v: Decimal | None) -> str:
    return display.DASH if v is None else format_decimal(v)


def tables(trends: Trends) -> list[dict]:
    """Every chart's table: {'title', 'head': [...], 'rows': [[...]], 'chart': Markup, 'note'}."""
    q = [x.label for x in trends.quarters]
    out = []
    rag_rows = []
    for row in trends.rag:
        cells = []
        for cell in row.cells:
            text = display.rag(cell.colour) if cell.colour else display.DASH
            if cell.earlier:
                text += " (" + "; ".join(display.earlier_said(c, rev) for rev, c in cell.earlier) + ")"
            cells.append(text)
        rag_rows.append([f"{row.id} {row.title}"] + cells)
    out.append({"title": display.RAG_STRIP, "head": ["Action"] + q, "rows": rag_rows,
                "chart": rag_strip_svg(trends), "note": display.RAG_STRIP_NOTE})
    if trends.qipp_rows:
        reporting = [s for s in trends.qipp_rows if any(v is not None for v in s.values)]
        rows = [[s.name] + [_fmt(v) for v in s.values] for s in reporting]
        if trends.qipp:
            rows += [[f"Total: {s.name.lower()}"] + [_fmt(v) for v in s.values] for s in trends.qipp.series]
        unit = trends.plan.qipp.unit.header if trends.plan.qipp else ""
        out.append({"title": f"{display.QIPP_TREND} ({unit})", "head": ["Scheme"] + q, "rows": rows,
                    "chart": line_chart_svg(trends.qipp) if trends.qipp else Markup(""),
                    "note": display.schemes_without_forecast(len(trends.qipp_rows) - len(reporting))
                    if trends.qipp else display.NO_FORECASTS})
    if trends.risks:
        out.append({"title": display.RISK_TREND, "head": ["Risk"] + q,
                    "rows": [[s.name] + [_fmt(v) for v in s.values] for s in trends.risks.series],
                    "chart": line_chart_svg(_top(trends.risks)), "note": display.risks_charted(
                        min(len(trends.risks.series), len(LINES)), len(trends.risks.series))})
    for chart in trends.indicators:
        out.append({"title": f"{display.INDICATOR_TREND}: {chart.title}" + (f" ({chart.unit})" if chart.unit else ""),
                    "head": ["Period"] + [s.name for s in chart.series],
                    "rows": [[x] + [_fmt(s.values[i]) for s in chart.series] for i, x in enumerate(chart.x)],
                    "chart": line_chart_svg(chart), "note": ""})
    return out


def _context(trends: Trends) -> dict:
    plan = trends.plan
    return dict(
        lang="en-GB", org=plan.organisation.name, title=plan.meta.title, period=plan.meta.period_label,
        report_title=display.TRENDS_TITLE,
        versions=[{"rev": v.rev, "day": v.day, "subject": v.subject,
                   "as_at": plan_as_at(v.plan)} for v in trends.versions],
        summary=display.history_versions(len(trends.versions), len(trends.skipped)),
        skipped=[display.history_skipped(s.rev, s.day, s.why) for s in trends.skipped],
        tables=tables(trends), is_draft=False,
    )


def plan_as_at(plan) -> str:
    return plan.meta.as_at.label if plan.meta.as_at_stated else display.NOT_STATED


def history_html(trends: Trends) -> str:
    return render("history.html.j2", **_context(trends))


def history_pdf(trends: Trends) -> bytes:
    from opgen.render.weasy import html_to_pdf

    html = history_html(trends)
    plan = trends.plan
    return html_to_pdf(html, timestamp=document_timestamp(plan.meta.date),
                       identifier_seed=f"opgen:history:{plan.organisation.name}:{plan.meta.title}:{len(trends.versions)}")


def history_text(trends: Trends) -> str:
    """The same tables as the PDF, as plain text columns."""
    context = _context(trends)
    lines = [f"{context['report_title']}: {context['org']}, {context['title']} {context['period']}",
             context["summary"]]
    for v in context["versions"]:
        lines.append(f"  {v['rev']} {v['day']}  as at {v['as_at']}  {v['subject']}".rstrip())
    for s in context["skipped"]:
        lines.append(f"  {s}")
    for t in context["tables"]:
        lines += ["", t["title"]]
        rows = [t["head"]] + t["rows"]
        widths = [max(len(str(r[i])) for r in rows) for i in range(len(t["head"]))]
        widths[0] = min(widths[0], 50)
        for k, r in enumerate(rows):
            first = str(r[0]) if len(str(r[0])) <= 50 else str(r[0])[:49] + "\u2026"
            lines.append("  " + "  ".join([first.ljust(widths[0])] + [str(c).ljust(widths[i + 1])
                                                                      for i, c in enumerate(r[1:])]).rstrip())
            if k == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        if t["note"]:
            lines.append(f"  {t['note']}")
    return "\n".join(lines) + "\n"
