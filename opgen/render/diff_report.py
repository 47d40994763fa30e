"""A ChangeSet (opgen.diff) as text, Markdown, JSON, HTML or PDF, and a plan as the normalised text
git's `diff.opgen.textconv` compares (see docs/git-diff.md).

Every format shows the same things in the same order: the two versions, the headline, then each
section's changes, the totals that moved and the TBC inventory. RAG is always colour *and* text.
"""

from __future__ import annotations

import html as _html
import json
import re
from functools import lru_cache

from markupsafe import Markup, escape

from opgen.diff import Change, ChangeSet, natural_key, tbc_inventory, tbc_sort_key
from opgen.model import MILESTONE_LABELS, RAG_LABELS, Plan
from opgen.richtext import to_tree

ARROW = "\u2192"
RAG_EMOJI = {"red": "\U0001F534", "amber": "\U0001F7E0", "green": "\U0001F7E2", "blue": "\U0001F535",
             "grey": "\u26AA"}
BAD_DIRECTIONS = {"worsened", "worse", "later", "less-ambitious"}
GOOD_DIRECTIONS = {"improved", "better", "earlier", "more-ambitious"}
BAD_KINDS = {"new", "introduced", "tbc-introduced", "date-now-tbc", "removed", "closed"}
GOOD_KINDS = {"resolved", "tbc-resolved", "date-set", "completed"}
MARKDOWN_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
TEXT_WORD_CONTEXT = 8


# --- shared pieces --------------------------------------------------------------------------------

def tone(c: Change) -> str:
    """'bad', 'good' or 'neutral', for colour: by direction, else by kind."""
    if c.section == "qipp" and c.direction in ("up", "down") and c.field and not c.field.startswith(
            ("investment", "stated investment")):
        return "good" if c.direction == "up" else "bad"
    if c.section == "metadata":
        return "neutral"
    if c.direction in BAD_DIRECTIONS:
        return "bad"
    if c.direction in GOOD_DIRECTIONS:
        return "good"
    if c.section == "risks":
        if c.kind == "added":
            return "bad" if c.new in ("high", "extreme") else "neutral"
        if c.kind in ("closed", "removed"):
            return "good"
    if c.section == "actions" and c.kind == "removed":
        return "neutral"
    if c.kind in BAD_KINDS and c.section in ("warnings", "tbcs", "milestones", "qipp", "indicators"):
        return "bad"
    if c.kind in GOOD_KINDS:
        return "good"
    return "neutral"


def compact_words(words: tuple, context: int = TEXT_WORD_CONTEXT) -> list[tuple[str, str]]:
    """A word diff with long unchanged runs cut to `context` words either side of a change."""
    out: list[tuple[str, str]] = []
    last = len(words) - 1
    for i, (op, text) in enumerate(words):
        if op != "=":
            out.append((op, text))
            continue
        tokens = text.split()
        if len(tokens) <= 2 * context + 1:
            out.append(("=", text))
        elif i == 0:
            out.append(("=", "\u2026 " + " ".join(tokens[-context:])))
        elif i == last:
            out.append(("=", " ".join(tokens[:context]) + " \u2026"))
        else:
            out.append(("=", " ".join(tokens[:context]) + " \u2026 " + " ".join(tokens[-context:])))
    if len(out) == 1 and out[0][0] == "=":  # formatting-only change: nothing to mark
        return [("=", out[0][1])]
    return out


def _quarter_in(field: str | None, text: str) -> bool:
    return bool(field and field.startswith("rag ") and field[4:] in text)


def what(c: Change) -> str:
    """The field a change is about, for people ('' where the values say it already)."""
    if c.field is None or c.section == "warnings" or c.field == "history" or \
            c.kind in ("added", "removed") and c.section == "vision":
        return ""
    if c.section == "rag" and (_quarter_in(c.field, c.new_text) or _quarter_in(c.field, c.old_text)):
        return ""
    if c.section == "rag" and c.field == "rag as at":
        return ""
    if c.section == "tbcs":
        return ""
    if c.section == "vision" and c.field == "statement":
        return "statement"
    return c.field_label


def subject(c: Change) -> str:
    if c.section == "warnings":
        return c.id or ""
    if c.section == "tbcs":
        return c.field or ""
    if c.section == "vision" and c.field in ("statement", "value"):
        return f"\u201c{c.id}\u201d"
    if c.section == "metadata" and c.field == "history":
        return f"history: version {c.id}"
    return c.subject


def values(c: Change) -> tuple[str, str]:
    """(was, now) display texts, with the RAG's quarter or the warning's message where relevant."""
    if c.section == "warnings":
        return c.old_text, c.new_text
    if c.kind in ("added", "removed") and c.field is None:
        return "", ""
    if c.section == "rag" and c.kind == "newly-reported" and not c.old:
        return "not reported", c.new_text
    return c.old_text, c.new_text


def detail(c: Change) -> str:
    parts = []
    if c.kind in ("added", "removed") and c.detail:
        parts.append(c.detail)
    elif c.detail and c.detail not in ("added", "removed") or (c.detail and c.words):
        parts.append(c.detail)
    if c.section == "warnings" and c.field:
        parts.append(c.field)
    if c.note:
        parts.append(c.note)
    return "; ".join(p for p in parts if p)


def side_line(side) -> str:
    bits = [f"version {side.version}", side.status, f"as at {side.as_at}"]
    if side.date:
        bits.append(f"dated {side.date}")
    return f"{side.label} ({', '.join(bits)})"


def _total_line(t) -> str:
    return f"{t.label} {t.year}: {t.old_text} {ARROW} {t.new_text} ({t.delta_text})"


# --- text ---------------------------------------------------------------------------------------

_ANSI = {"bad": "31", "good": "32", "neutral": "36", "head": "1", "section": "1;34", "del": "31", "ins": "32",
         "dim": "2"}


def render_text(cs: ChangeSet, color: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"\033[{_ANSI[style]}m{text}\033[0m" if color and text else text

    lines = [paint(f"Changes to {cs.new.organisation}: {cs.new.title}", "head"),
             f"  old: {side_line(cs.old)}",
             f"  new: {side_line(cs.new)}",
             "",
             paint(cs.headline, "head")]
    width = max((len(c.kind_label) for c in cs.changes), default=8) + 2
    for key, title, changes in cs.by_section():
        lines += ["", paint(f"{title} ({len(changes)})", "section")]
        for c in changes:
            tag = paint(f"{c.kind_label:<{width}}", tone(c)) if color else f"{c.kind_label:<{width}}"
            lines.append(f"  {tag}{_text_body(c, paint)}")
        totals = cs.totals_for(key)
        if totals:
            unit = totals[0].unit.header
            lines.append(f"  {'totals':<{width}}" + f"({unit}) " + "; ".join(_total_line(t) for t in totals))
    if cs.tbcs.resolved or cs.tbcs.introduced or cs.changes:
        lines += ["", paint("TBC inventory", "section")]
        lines.append(f"  resolved ({len(cs.tbcs.resolved)})" + (": " + "; ".join(cs.tbcs.resolved) if cs.tbcs.resolved else ""))
        lines.append(f"  introduced ({len(cs.tbcs.introduced)})"
                     + (": " + "; ".join(cs.tbcs.introduced) if cs.tbcs.introduced else ""))
        lines.append(f"  still open ({len(cs.tbcs.open)})")
    return "\n".join(lines) + "\n"


def _text_body(c: Change, paint) -> str:
    head = subject(c)
    field = what(c)
    was, now = values(c)
    if c.words:
        body = " ".join(paint(f"[-{t}-]", "del") if op == "-" else paint(f"{{+{t}+}}", "ins") if op == "+" else t
                        for op, t in compact_words(c.words))
    elif was and now:
        body = f"{was} {ARROW} {now}"
    else:
        body = now or was
    text = head
    if field:
        text += (": " if text else "") + field
    if body:
        text += (": " if text else "") + body
    extra = detail(c)
    if extra:
        text += f" ({extra})"
    return text


# --- markdown -------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def md(text: str | None) -> str:
    """Text safe in a Markdown table cell: HTML-escaped, Markdown punctuation backslashed, one line."""
    text = _html.escape(" ".join(str(text or "").split()), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_value(c: Change, text: str, colour: str | None) -> str:
    if not text:
        return ""
    if (c.section == "rag" or c.field == "confidence") and colour in RAG_EMOJI:
        return f"{RAG_EMOJI[colour]} {md(text)}"
    return md(text)


def render_markdown(cs: ChangeSet) -> str:
    out = [f"### Plan changes: {md(cs.new.organisation)}, {md(cs.new.title)}", "",
           f"**{md(cs.headline)}**", "",
           f"- old: {md(side_line(cs.old))}", f"- new: {md(side_line(cs.new))}"]
    sections = cs.by_section()
    truncated = 0
    for key, title, changes in sections:
        block = ["", f"#### {md(title)} ({len(changes)})", ""]
        rows = ["| Item | Change | Was | Now | Notes |", "| --- | --- | --- | --- | --- |"]
        for c in changes:
            item = md(subject(c))
            if c.id and c.section not in ("warnings", "tbcs", "vision", "metadata"):
                item = f"**{md(c.id)}** {md(c.title)}".strip()
            field = what(c)
            if field:
                item = f"{item}<br>{md(field)}" if item else md(field)
            was, now = values(c)
            if c.words:
                cell = " ".join(f"<del>{md(t)}</del>" if op == "-" else f"<ins>{md(t)}</ins>" if op == "+" else md(t)
                                for op, t in compact_words(c.words))
                was, now = cell, ""
                row = f"| {item} | {md(c.kind_label)} | {was} | {now} | {md(detail(c))} |"
            else:
                row = (f"| {item} | {md(c.kind_label)} | {_md_value(c, was, c.old)} | {_md_value(c, now, c.new)} | "
                       f"{md(detail(c))} |")
            rows.append(row)
        if len(changes) > 15:
            block += [f"<details><summary>{len(changes)} changes</summary>", ""] + rows + ["", "</details>"]
        else:
            block += rows
        totals = cs.totals_for(key)
        if totals:
            block += ["", f"Totals ({md(totals[0].unit.header)}):", ""]
            block += [f"- {md(_total_line(t))}" for t in totals]
        if sum(map(len, out)) + sum(map(len, block)) > MARKDOWN_LIMIT:
            truncated += len(changes)
            continue
        out += block
    if cs.tbcs.resolved or cs.tbcs.introduced or cs.changes:
        out += ["", "#### TBC inventory", ""]
        out.append(f"- resolved: {len(cs.tbcs.resolved)}" + (" (" + md("; ".join(cs.tbcs.resolved)) + ")"
                                                             if cs.tbcs.resolved else ""))
        out.append(f"- introduced: {len(cs.tbcs.introduced)}" + (" (" + md("; ".join(cs.tbcs.introduced)) + ")"
                                                                 if cs.tbcs.introduced else ""))
        out.append(f"- still open: {len(cs.tbcs.open)}")
    if truncated:
        out += ["", f"_{truncated} more changes are not shown here (comment size limit): run "
                    f"`opgen diff` locally for the full report._"]
    return "\n".join(out) + "\n"


# --- json ---------------------------------------------------------------------------------------

def render_json(cs: ChangeSet) -> str:
    return json.dumps(cs.as_json(), indent=2, ensure_ascii=False) + "\n"


# --- html and pdf ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from opgen.resources import TEMPLATES_DIR

    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


def _html_value(c: Change, text: str, colour) -> Markup:
    if not text:
        return Markup("")
    if (c.section == "rag" or c.field == "confidence") and colour in RAG_LABELS:
        label = RAG_LABELS[colour]
        rest = text[len(label):] if text.startswith(label) else ""
        rest = rest.strip()
        if rest:
            return Markup('<span class="pill rag-{0}">{1}</span> <span class="when">{2}</span>').format(
                colour, label, rest.strip("()"))
        return Markup('<span class="pill rag-{0}">{1}</span>').format(colour, label)
    if c.section == "milestones" and c.field == "status" and colour in MILESTONE_LABELS:
        return Markup('<span class="pill ms-{0}">{1}</span>').format(colour, MILESTONE_LABELS[colour])
    if c.section == "risks" and c.field in ("score", "rating"):
        band = re.search(r"(low|moderate|high|extreme)\)?$", text)
        if band:
            b = band.group(1)
            head = text[:band.start()].rstrip(" (")
            pill = Markup('<span class="pill band-{0}">{0}</span>').format(b)
            return Markup("{0} {1}").format(head, pill) if head else pill
    return escape(text)


def _html_words(words: tuple) -> Markup:
    parts = []
    for op, text in compact_words(words, context=12):
        if op == "-":
            parts.append(Markup("<del>{0}</del>").format(text))
        elif op == "+":
            parts.append(Markup("<ins>{0}</ins>").format(text))
        else:
            parts.append(escape(text))
    return Markup(" ").join(parts)


def _rows(changes: list[Change]) -> list[dict]:
    rows = []
    for c in changes:
        was, now = values(c)
        plain = c.section in ("warnings", "tbcs", "vision", "metadata") or not c.id
        title, label = (subject(c), what(c)) if plain else (c.title, what(c))
        if not title:
            title, label = label, ""
        rows.append({
            "change": c, "tone": tone(c), "subject": subject(c), "what": label,
            "id": None if plain else c.id,
            "title": title,
            "was": _html_value(c, was, c.old), "now": _html_value(c, now, c.new),
            "words": _html_words(c.words) if c.words else None, "detail": detail(c),
        })
    return rows


def render_html(cs: ChangeSet) -> str:
    sections = [{"key": key, "title": title, "rows": _rows(changes), "totals": cs.totals_for(key)}
                for key, title, changes in cs.by_section()]
    counts = [(title, len(changes)) for _, title, changes in cs.by_section()]
    return _environment().get_template("diff.html.j2").render(
        cs=cs, sections=sections, counts=counts, side_line=side_line, arrow=ARROW,
        draft=cs.new.status == "draft")


def render_pdf(cs: ChangeSet, timestamp) -> bytes:
    from opgen.render.weasy import html_to_pdf

    html = render_html(cs)
    return html_to_pdf(html, timestamp=timestamp, identifier_seed=html)


# --- textconv: one plan as normalised text ------------------------------------------------------------

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
                        "".join(x.itertext()) + (x.tail or "") for x in item if x.tag not in ("ul", "ol", "p"))
                    paragraphs = [p for p in item if p.tag == "p"]
                    own += " ".join("".join(p.itertext()) for p in paragraphs)
                    bullet = "-" if child.tag == "ul" else f"{number}."
                    lines.append(f"{'  ' * depth}{bullet} {' '.join(own.split())}")
                    for sub in item:
                        if sub.tag in ("ul", "ol"):
                            walk([sub], depth + 1)
            else:
                lines.extend(_split_sentences("".join(child.itertext())))

    tree = to_tree(text)
    if tree.text and tree.text.strip():
        lines.extend(_split_sentences(tree.text))
    walk(tree, 0)
    return [indent + line for line in lines if line.strip()]


def _v(value, show=None) -> str:
    if value is None:
        return "\u2013"
    return show(value) if show else value.display()


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
        out.append(f"history {h.version}: " + "; ".join(x for x in (h.date, h.author, h.summary) if x))
    out += ["", "== Vision", "mission:"] + _sentences(plan.vision.mission, "  ")
    for s in sorted(plan.vision.statements, key=lambda s: s.label):
        out += [f"statement {s.label}:"] + _sentences(s.text, "  ")
    for v in sorted(plan.vision.values):
        out.append(f"value: {v}")

    out += ["", "== Domains"]
    for d in by_id(plan.domains):
        out.append(f"[{d.id}] {d.title}")
        if d.lead:
            out.append(f"  {d.id} lead: {d.lead}")
        if d.outcomes:
            out.append(f"  {d.id} outcomes: {', '.join(sorted(d.outcomes))}")
        out += _sentences(d.description, f"  {d.id} | ")

    out += ["", f"== Actions (RAG as at {m.as_at})"]
    for a in by_id(plan.actions):
        current = RAG_LABELS.get(a.current_rag or "", "not reported")
        out.append(f"[{a.id}] {a.title} ({current})")
        out.append(f"  {a.id} domain: {a.domain_id}")
        for name in ("lead", "start_text", "due_text"):
            value = getattr(a, name)
            if value:
                out.append(f"  {a.id} {name.replace('_text', '')}: {value}")
        for q, colour in sorted(a.rag.items()):
            out.append(f"  {a.id} RAG {q}: {RAG_LABELS.get(colour, colour)}")
        for ms in by_id(a.milestones):
            bits = ["due " + (ms.due_text or "\u2013")]
            if ms.status:
                bits.append(MILESTONE_LABELS.get(ms.status, ms.status))
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
                           f"{_v(s.investment.get(year))}, net {s.net(year).display()}")
            out += _sentences(s.note, f"  {s.id} | ")
        for year in q.years:
            out.append(f"total {year}: savings {q.savings(year).display()}, investment {q.investment(year).display()}, "
                       f"net {q.net(year).display()}")
        for name in ("stated_total", "stated_savings_total", "stated_investment_total"):
            for year, value in sorted(getattr(q, name).items()):
                out.append(f"{name.replace('_', ' ')} {year}: {value.display()}")

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
            lines.append(f"[{i.id}] {i.title} ({i.unit_label}, {i.polarity_label.lower()})"
                         + (" headline" if i.headline else ""))
            if i.domain_id:
                lines.append(f"  {i.id} domain: {i.domain_id}")
            if i.baseline is not None:
                lines.append(f"  {i.id} baseline: {i.show(i.baseline)}" + (f" ({i.baseline_period})" if i.baseline_period else ""))
            for year, value in sorted(i.targets.items()):
                lines.append(f"  {i.id} target {year}: {i.show(value)}")
            for quarter, value in sorted(i.actuals.items()):
                lines.append(f"  {i.id} actual {quarter}: {i.show(value)}")
            if i.source:
                lines.append(f"  {i.id} source: {i.source}")
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
                    out.append(f"  {line.id} {year}: {value.display()}")
        for year in f.years:
            out.append(f"total {year}: allocation {f.allocation_total(year).display()}, budget "
                       f"{f.expenditure_total(year).display()}")
        for name in ("allocation_stated_total", "expenditure_stated_total", "surplus", "contingency", "non_recurrent"):
            for year, value in sorted(getattr(f, name).items()):
                out.append(f"{name.replace('_', ' ')} {year}: {value.display()}")
        out += _sentences(f.note, "note | ")

    if plan.bcf:
        b = plan.bcf
        out += ["", f"== Better Care Fund ({b.unit.header})"]
        for s in by_id(b.schemes):
            out.append(f"[{s.id}] {s.title}" + (f" ({s.heading})" if s.heading else ""))
            for year, value in sorted(s.funding.items()):
                out.append(f"  {s.id} {year}: {value.display()}")
            out += _sentences(s.description, f"  {s.id} | ")
        for name in ("minimum_contribution", "actual_contribution"):
            for year, value in sorted(getattr(b, name).items()):
                out.append(f"{name.replace('_', ' ')} {year}: {value.display()}")
        out += indicator_lines(b.metrics)

    tbcs = tbc_inventory(plan)
    out += ["", f"== TBC ({len(tbcs)})"] + [f"TBC: {tbcs[k]}" for k in sorted(tbcs, key=tbc_sort_key)]
    shown = sorted({(d.code, d.message) for d in warnings if d.code != "tbc"})
    out += ["", f"== Warnings ({len(shown)})"] + [f"warning [{code}]: {message}" for code, message in shown]
    return "\n".join(out) + "\n"
