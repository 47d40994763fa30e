"""A plan as the normalised text git's `diff.opgen.textconv` compares (see docs/git-diff.md): items
sorted by id, one fact a line, every line of an item under its id, rich text one sentence a line.
"""

from __future__ import annotations

import re

from opgen.render import indicators as indicators_v2
from opgen.ids import natural_key, section_money, tbc_inventory, tbc_sort_key
from opgen import display, schedules
from opgen.model import Plan
from opgen.render.governance import textconv_lines as governance_lines
from opgen.richtext import element_plain, footnotes, is_footnotes, table_rows, to_tree

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\u2018\u201c'\"(])")


def _split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]


def _sentences(text: str | None, indent: str) -> list[str]:
    """Rich text as plain lines: one sentence a line, one list item a line (with its bullet), so a
    changed sentence or item is a changed line and re-wrapping the YAML changes nothing."""
    if not text:
        return []
    lines: list[str] = []

    def walk(element, depth: int) -> None:
        for child in element:
            if child.tag in ("ul", "ol"):
                for number, item in enumerate(child.findall("li"), 1):
                    own = (item.text or "") + "".join(
                        element_plain(x) + (x.tail or "") for x in item if x.tag not in ("ul", "ol", "p"))
                    paragraphs = [p for p in item if p.tag == "p"]
                    own += " ".join(element_plain(p) for p in paragraphs)
                    bullet = "-" if child.tag == "ul" else f"{number}."
                    lines.append(f"{'  ' * depth}{bullet} {' '.join(own.split())}")
                    for sub in item:
                        if sub.tag in ("ul", "ol"):
                            walk([sub], depth + 1)
            elif child.tag == "table":  # one row a line, so a changed cell is a changed line
                for row in table_rows(child):
                    lines.append(f"{'  ' * depth}| " + " | ".join(element_plain(c) for c in row) + " |")
            elif is_footnotes(child):
                for n, note in enumerate(footnotes(child), 1):
                    lines.append(f"{'  ' * depth}[{n}] {element_plain(note)}")
            else:
                lines.extend(_split_sentences(element_plain(child)))

    tree = to_tree(text)
    if tree.text and tree.text.strip():
        lines.extend(_split_sentences(tree.text))
    walk(tree, 0)
    return [indent + line for line in lines if line.strip()]


def _v(value, show=None) -> str:
    if value is None:
        return display.DASH
    return show(value) if show else display.value(value)


def render_textconv(plan: Plan, warnings=()) -> str:
    """A stable, human-readable rendering of one plan whose line diff is the semantic diff: items sorted
    by id, one fact a line, every line of an item under its id."""
    by_id = lambda items: sorted(items, key=lambda x: natural_key(x.id))
    m = plan.meta
    out = [f"# opgen textconv: {plan.organisation.name}, {m.title}",
           f"organisation: {plan.organisation.name}" + (f" ({plan.organisation.short_name})" if plan.organisation.short_name else "")
           + (f" [{plan.organisation.code}]" if plan.organisation.code else ""),
           f"title: {m.title}"]
    if m.subtitle:
        out.append(f"subtitle: {m.subtitle}")
    out += [f"period: {m.period_label}", f"as at: {m.as_at}", f"version: {m.version}", f"status: {m.status}"]
    if m.date:
        out.append(f"date: {m.date}")
    for s in sorted(m.signatories, key=lambda s: (s.role, s.name)):
        out.append(f"signatory: {s.name}, {s.role}" + (f", signed {s.date}" if s.date else ""))
    for h in sorted(m.history, key=lambda h: natural_key(h.version)):
        out.append(f"history {h.version}: " + "; ".join(x for x in (h.date, h.author, h.summary) if x)
                   + (f"; reviewed by {display.reviewers(h.reviewers)}" if h.reviewers else "")
                   + (f"; status {h.status}" if h.status else ""))
    for c in sorted(m.contacts, key=lambda c: (c.name or "", c.role or "")):
        out.append(f"contact: {display.contact_line(c.name, c.role, c.organisation, c.email, c.phone)}")
    for a in sorted(m.approvals, key=lambda a: (a.body, a.date or "")):
        out.append(f"approval: {a.body}: " + "; ".join(x for x in (a.date, a.decision, a.note) if x))
    if m.refreshes:
        out += ["refreshes:"] + _sentences(m.refreshes, "  ")
    for d in by_id(m.drivers):
        kind = display.driver_kind(d.kind)
        out.append(f"driver [{d.id}] {d.title}" + (f" ({kind.lower()})" if kind else ""))
        out += _sentences(d.note, f"  {d.id} | ")
    for x in by_id(m.providers):
        kind = display.provider_kind(x.kind)
        out.append(f"provider [{x.id}] {x.title}" + (f" ({kind.lower()})" if kind else ""))
        out += _sentences(x.note, f"  {x.id} | ")
    out += ["", "== Vision", "mission:"] + _sentences(plan.vision.mission or "", "  ")
    for s in sorted(plan.vision.statements, key=lambda s: s.label):
        out += [f"statement {s.label}:"] + _sentences(s.text, "  ")
    for v in sorted(plan.vision.values):
        out.append(f"value: {v}")

    if plan.sections:  # narrative chapters, in the plan's order (their order is part of the plan)
        out += ["", "== Chapters"]
        for x in plan.all_sections:
            out.append(f"{'  ' * (x.level - 1)}[{x.id}] {x.title}")
            if x.place:
                out.append(f"  {x.id} place: " + ("appendix" if x.place.relation == "appendix"
                                                   else f"{x.place.relation} {x.place.target}"))
            out += _sentences(x.body, f"  {x.id} | ")

    out += ["", "== Domains"]
    for d in by_id(plan.domains):
        out.append(f"[{d.id}] {d.title}")
        if d.lead:
            out.append(f"  {d.id} lead: {d.lead}")
        if d.outcomes:
            out.append(f"  {d.id} outcomes: {', '.join(sorted(d.outcomes))}")
        if d.due_text:
            out.append(f"  {d.id} due: {display.date_text(d.due, d.due_text)}")
        if d.reports_to:
            out.append(f"  {d.id} reports to: {d.reports_to}")
        out += _sentences(d.description, f"  {d.id} | ")

    out += ["", f"== Actions (RAG as at {m.as_at})"]
    for a in by_id(plan.actions):
        current = display.rag(a.current_rag)
        out.append(f"[{a.id}] {a.title} ({current})")
        out.append(f"  {a.id} domain: {a.domain_id}")
        for name in ("lead", "parent", "contact", "reports_to"):
            value = getattr(a, name)
            if value:
                out.append(f"  {a.id} {name}: {value}")
        if a.category:
            out.append(f"  {a.id} category: {a.category}")
        if a.programmes:
            out.append(f"  {a.id} programmes: {display.action_programmes(plan, a.programmes)}")
        if a.status:
            out.append(f"  {a.id} status: {display.action_status(a.status)}")
        out += _sentences(a.status_note, f"  {a.id} status note | ")
        for name in ("start", "due"):
            raw = getattr(a, f"{name}_text")
            if raw:
                out.append(f"  {a.id} {name}: {display.date_text(getattr(a, name), raw)}")
        if a.see:
            out.append(f"  {a.id} see: {', '.join(a.see)}")
        for q, colour in sorted(a.rag.items()):
            out.append(f"  {a.id} RAG {q}: {display.rag(colour)}")
        out += _schedule_lines(plan, a)
        for ms in by_id(a.milestones):
            bits = ["due " + (display.date_text(ms.due, ms.due_text) or "\u2013")]
            if ms.status:
                bits.append(display.milestone_status(ms.status) or ms.status)
            if ms.type:
                bits.append(display.milestone_type(plan.scales, ms.type))
            out.append(f"  {a.id} milestone [{ms.id}] {ms.title}: {', '.join(bits)}")
        out += _sentences(a.description, f"  {a.id} | ")
        out += _sentences(a.mitigation, f"  {a.id} mitigation | ")

    if plan.qipp:
        q = plan.qipp
        out += ["", f"== QIPP ({q.unit.header})"]
        for s in by_id(q.schemes):
            out.append(f"[{s.id}] {s.title}")
            for name in ("domain_id", "provider", "point_of_delivery", "lead", "confidence"):
                value = getattr(s, name)
                if value:
                    out.append(f"  {s.id} {name.replace('_id', '')}: {value}")
            for year in sorted(set(s.savings) | set(s.investment)):
                out.append(f"  {s.id} {year}: savings {_v(s.savings.get(year))}, investment "
                           f"{_v(s.investment.get(year))}, net {display.total(s.net(year))}")
            out += _sentences(s.note, f"  {s.id} | ")
        for year in q.years:
            out.append(f"total {year}: savings {display.total(q.savings(year))}, investment {display.total(q.investment(year))}, "
                       f"net {display.total(q.net(year))}")
        for name in (f.name for f in section_money("qipp")):
            for year, value in sorted(getattr(q, name).items()):
                out.append(f"{name.replace('_', ' ')} {year}: {display.value(value)}")

    if plan.risks:
        out += ["", "== Risks"]
        for r in by_id(plan.risks):
            score = (f"{r.current.likelihood} x {r.current.impact} = {r.score} ({r.band})" if r.current
                     else (r.band or "unrated"))
            out.append(f"[{r.id}] {r.title}: {score}" + (" CLOSED" if not r.is_open else ""))
            for name in ("domain_id", "owner"):
                if getattr(r, name):
                    out.append(f"  {r.id} {name.replace('_id', '')}: {getattr(r, name)}")
            for name in ("gross", "target"):
                p = getattr(r, name)
                if p:
                    out.append(f"  {r.id} {name}: {p.likelihood} x {p.impact} = {p.score} ({r.band_of(p.score)})")
            out += _sentences(r.description, f"  {r.id} | ")
            out += _sentences(r.mitigation, f"  {r.id} mitigation | ")

    def indicator_lines(items) -> list[str]:
        lines = []
        for i in by_id(items):
            scale = ", ".join(x for x in (i.unit_label, i.polarity_label.lower()) if x)
            lines.append(f"[{i.id}] {i.title}" + (f" ({scale})" if scale else "") + (" headline" if i.headline else ""))
            if i.domain_id:
                lines.append(f"  {i.id} domain: {i.domain_id}")
            if i.code:
                lines.append(f"  {i.id} code: {i.code}")
            if i.baseline is not None:
                lines.append(f"  {i.id} baseline: {display.indicator_value(i, i.baseline)}"
                             + (f" ({i.baseline_period_words})" if i.baseline_period_words else ""))
            for period, value in i.targets.items():  # sorted by time
                lines.append(f"  {i.id} target {display.period(period)}: {display.indicator_value(i, value)}")
                if display.revision_note(i, display.period(period), value):
                    lines.append(f"  {i.id} | {display.revision_note(i, display.period(period), value)}")
            for period, value in i.actuals.items():
                lines.append(f"  {i.id} actual {display.period(period)}: {display.indicator_value(i, value)}")
            for a in i.assessments:
                lines.append(f"  {i.id} assessment: {display.assessment(a)}")
                lines += _sentences(a.note, f"  {i.id} assessment | ")
            lines += indicators_v2.text_lines(i)  # group, benchmarks, trajectory, areas
            if i.source:
                lines.append(f"  {i.id} source: {i.source}")
            if i.frequency:
                lines.append(f"  {i.id} frequency: {i.frequency}")
        return lines

    if plan.indicators:
        out += ["", "== Indicators"] + indicator_lines(plan.indicators)

    if plan.finance:
        f = plan.finance
        out += ["", f"== Finance ({f.unit.header})"]
        for group, label in ((f.allocation, "allocation"), (f.expenditure, "budget")):
            for line in by_id(group):
                out.append(f"[{line.id}] {label}: {line.title}")
                for year, value in sorted(line.amounts.items()):
                    out.append(f"  {line.id} {year}: {display.value(value)}")
        for year in f.years:
            out.append(f"total {year}: allocation {display.total(f.allocation_total(year))}, budget "
                       f"{display.total(f.expenditure_total(year))}")
        for name in (f.name for f in section_money("finance")):
            for year, value in sorted(getattr(f, name).items()):
                out.append(f"{name.replace('_', ' ')} {year}: {display.value(value)}")
        out += _finance_v2(f)
        out += _sentences(f.note, "note | ")

    if plan.bcf:
        b = plan.bcf
        out += ["", f"== Better Care Fund ({b.unit.header})"]
        for s in by_id(b.schemes):
            out.append(f"[{s.id}] {s.title}" + (f" ({display.bcf_heading(s.heading)})" if s.heading else ""))
            for year in sorted(s.funding):
                ranged = year in s.funding_min or year in s.recurrent
                out.append(f"  {s.id} {year}: " + (display.bcf_funding(s, year, b.unit) if ranged
                                                    else display.value(s.funding[year])))
            out += _sentences(s.description, f"  {s.id} | ")
            for r in s.requirements:
                for item in r.items:
                    out.append(f"  {s.id} requirement: " + (f"{r.title}: " if r.title else "") + " ".join(item.split()))
        for x in by_id(b.contributions):
            out.append(f"[{x.id}] {x.organisation}" + (f" ({display.BCF_HOLDS_POOL.lower()})" if x.holds_pool else ""))
            for name in ("minimum", "actual"):
                for year, value in sorted(getattr(x, name).items()):
                    out.append(f"  {x.id} {name} {year}: {display.value(value)}")
            out += _sentences(x.note, f"  {x.id} | ")
        for name in (f.name for f in section_money("bcf")):
            for year, value in sorted(getattr(b, name).items()):
                out.append(f"{name.replace('_', ' ')} {year}: {display.value(value)}")
        out += indicator_lines(b.metrics)
        for r in by_id(b.risks):
            out.append(f"[{r.id}] {r.title}" + (" (closed)" if not r.is_open else ""))
            for label, pos in zip(display.BCF_RISK_COLUMNS, (r.gross, r.current, r.target)):
                if pos:
                    out.append(f"  {r.id} {label.lower()}: {display.bcf_risk_score(r, pos)}")
            if r.owner:
                out.append(f"  {r.id} owner: {r.owner}")
            out += _sentences(r.description, f"  {r.id} | ")
            out += _sentences(r.mitigation, f"  {r.id} mitigation | ")
    out += governance_lines(plan)

    if plan.tables:
        out += ["", "== Tables"]
        for t in by_id(plan.tables):
            out.append(f"[{t.id}] {t.title}" + (f" (in {t.chapter})" if t.chapter else " (appendix)"))
            if t.source:
                out.append(f"  {t.id} source: {t.source}")
            out += _sentences(t.description, f"  {t.id} | ")
            for col in t.columns:  # columns and rows in table order: a total adds up the rows above it
                unit = display.column_unit(col)
                out.append(f"  {t.id} column {col.id}: {col.label} ({col.type}{', ' + unit if unit else ''})")
            for row in t.rows:
                out.append(f"  {t.id} {'total row' if row.total else 'row'} [{row.id}] {row.label}")
                for col in t.columns:
                    cell = row.cell(col.id)
                    if not cell.empty:
                        out.append(f"  {t.id} {row.id} {col.label}: {display.table_cell(cell, col, with_unit=True)}")
                out += _sentences(row.note, f"  {t.id} {row.id} note | ")
            out += _sentences(t.note, f"  {t.id} note | ")

    tbcs = tbc_inventory(plan)
    out += ["", f"== TBC ({len(tbcs)})"] + [f"TBC: {tbcs[k]}" for k in sorted(tbcs, key=tbc_sort_key)]
    shown = sorted({(d.code, d.message) for d in warnings if d.code != "tbc"})
    out += ["", f"== Warnings ({len(shown)})"] + [f"warning [{code}]: {message}" for code, message in shown]
    return "\n".join(out) + "\n"


def _finance_v2(f) -> list[str]:
    """Version 2 finance lines, stated totals and planning assumptions: one figure a line, periods in words."""
    out = []
    for line in sorted(f.lines, key=lambda x: natural_key(x.id)):
        role = f", {line.role.replace('_', '-')}" if line.role else ""
        out.append(f"[{line.id}] {line.group}{role}: {line.title}")
        for period in sorted(set(line.amounts) | set(line.percent) | set(line.rag)):
            parts = [display.value(line.amounts.get(period))]
            if period in line.percent:
                parts.append(display.percent_value(line.percent[period]))
            if period in line.rag:
                parts.append(display.rag(line.rag[period]))
            out.append(f"  {line.id} {display.period(period)}: {', '.join(parts)}")
        out += _sentences(line.note, f"  {line.id} | ")
    for group, mapping in sorted(f.stated_totals.items()):
        for period, value in mapping.items():
            out.append(f"stated {group} total {display.period(period)}: {display.value(value)}")
    if f.lines:
        for group in ("allocation", "expenditure"):
            for period in f.group_periods(group):
                out.append(f"{group} total {display.period(period)}: {display.total(f.group_total(group, period))}")
    for a in sorted(f.assumptions, key=lambda x: natural_key(x.id)):
        out.append(f"[{a.id}] assumption: {a.title}")
        for period, value in a.values.items():
            out.append(f"  {a.id} {display.period(period)}: {display.percent_value(value)}")
        out += _sentences(a.note, f"  {a.id} | ")
    return out


def _schedule_lines(plan: Plan, a) -> list[str]:
    """An action's schedule, one line a period (so a changed cell is one changed line)."""
    if not a.schedule:
        return []
    unit = schedules.unit_of(a.schedule)
    step = 1 if unit == "month" else 3
    out = []
    for s in a.schedule:
        for first in range(s.first, s.last + 1, step):
            out.append(f"  {a.id} schedule {display.schedule_span(first, first, unit)}: "
                       f"{display.schedule_phase(plan.scales, s.code)}")
        if s.ongoing:
            out.append(f"  {a.id} schedule after {display.schedule_span(s.last - step + 1, s.last - step + 1, unit)}: "
                       f"{display.schedule_phase(plan.scales, s.code)} ({display.SCHEDULE_ONGOING})")
    return out
