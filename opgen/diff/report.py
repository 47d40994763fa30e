"""A ChangeSet (opgen.diff) as text, Markdown, JSON, HTML or PDF. (A plan as the normalised text
git's `diff.opgen.textconv` compares is opgen.render.textconv.)

Every format shows the same things in the same order: the two versions, the headline, then each
section's changes, the totals that moved and the TBC inventory. RAG is always colour *and* text.
"""

from __future__ import annotations

from opgen.render.jinja import environment

import html as _html
import json
import re

from markupsafe import Markup, escape

from opgen import display, terminal
from opgen.diff import texts
from opgen.diff.changes import Change, ChangeSet
from opgen.diff.sections import TABLE_PART
from opgen.model import MILESTONE_LABELS, RAG_LABELS

ARROW = "\u2192"
RAG_EMOJI = {"red": "\U0001F534", "amber": "\U0001F7E0", "green": "\U0001F7E2", "blue": "\U0001F535",
             "grey": "\u26AA", "amber_red": "\U0001F7E0", "amber_green": "\U0001F7E1"}  # the label says which
BAD_DIRECTIONS = {"worsened", "worse", "later", "less-ambitious"}
GOOD_DIRECTIONS = {"improved", "better", "earlier", "more-ambitious"}
BAD_KINDS = {"new", "introduced", "tbc-introduced", "date-now-tbc", "removed", "closed"}
GOOD_KINDS = {"resolved", "tbc-resolved", "date-set", "completed"}
MARKDOWN_LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
TEXT_WORD_CONTEXT = 8
# Sections whose changes are named in words (subject()) rather than by id and title.
PLAIN_SECTIONS = ("warnings", "tbcs", "vision", "metadata", "sections")


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
    if c.section == "tbcs" or _table_part(c):
        return ""
    if c.section == "vision" and c.field == "statement":
        return "statement"
    return c.field_label


def _table_part(c: Change) -> bool:
    """A change to a data table's column, row or cell: its title names the table and the row, and
    its id (the table's) is for machines, not repeated to people."""
    return c.section == "tables" and c.title.startswith(TABLE_PART)


def subject(c: Change) -> str:
    if _table_part(c):  # a table's column, row or cell: "Table 'X', row 'Y', 2013/14"
        return f"{c.title}, {c.field}" if c.field else c.title
    if c.section == "warnings":
        return c.id or ""
    if c.section == "tbcs":
        return c.field or ""
    if c.section == "vision" and c.field in ("statement", "value"):
        return f"\u201c{c.id}\u201d"
    if c.section == "metadata" and c.field == "history":
        return f"history: version {c.id}"
    if c.section == "sections":
        return display.chapter_subject(c.title)
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
        return terminal.paint(text, _ANSI[style], color)

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
            unit = texts.money_header(totals[0].unit)
            lines.append(f"  {'totals':<{width}}" + f"({unit}) " + "; ".join(_total_line(t) for t in totals))
    if cs.tbcs.resolved or cs.tbcs.introduced or cs.changes:
        lines += ["", paint("TBC inventory", "section")]
        lines.append(f"  resolved ({len(cs.tbcs.resolved)})" + (": " + "; ".join(cs.tbcs.resolved) if cs.tbcs.resolved else ""))
        lines.append(f"  introduced ({len(cs.tbcs.introduced)})"
                     + (": " + "; ".join(cs.tbcs.introduced) if cs.tbcs.introduced else ""))
        lines.append(f"  still open ({len(cs.tbcs.open)})")
    return terminal.finish("\n".join(lines) + "\n")


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
            if c.id and c.section not in PLAIN_SECTIONS and not _table_part(c):
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
            block += ["", f"Totals ({md(texts.money_header(totals[0].unit))}):", ""]
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

def _html_value(c: Change, text: str, colour) -> Markup:
    if not text:
        return Markup("")
    if (c.section == "rag" or c.field == "confidence") and colour in RAG_LABELS:
        label = texts.confidence(colour) if c.field == "confidence" else texts.rag(colour)
        rest = text[len(label):] if text.startswith(label) else ""
        rest = rest.strip()
        if rest:
            return Markup('<span class="pill rag-{0}">{1}</span> <span class="when">{2}</span>').format(
                colour, label, rest.strip("()"))
        return Markup('<span class="pill rag-{0}">{1}</span>').format(colour, label)
    if c.section == "milestones" and c.field == "status" and colour in MILESTONE_LABELS:
        return Markup('<span class="pill ms-{0}">{1}</span>').format(colour, texts.milestone_status(colour))
    if c.section == "risks" and c.field in ("score", "rating"):
        band = re.search(r"(low|moderate|high|extreme)\)?$", text)
        if band:
            b = band.group(1)
            head = text[:band.start()].rstrip(" (")
            pill = Markup('<span class="pill band-{0}">{0}</span>').format(b)
            return Markup("{0} {1}").format(head, pill) if head else pill
    return escape(text)


def _html_words(words: tuple, web: bool = False) -> Markup:
    """A word diff as <del>/<ins>; on the web each also says so in words a screen reader reads (the
    strike-through and underline are visual)."""
    parts = []
    ww = display.WEB_DIFF_WORDS
    for op, text in compact_words(words, context=12):
        if op in "-+" and web:
            tag, start, end = ("del", ww["deleted"], ww["deleted_end"]) if op == "-" else \
                ("ins", ww["inserted"], ww["inserted_end"])
            parts.append(Markup('<{0}><span class="visually-hidden">{1} </span>{2}'
                                '<span class="visually-hidden"> {3}</span></{0}>').format(tag, start, text, end))
        elif op == "-":
            parts.append(Markup("<del>{0}</del>").format(text))
        elif op == "+":
            parts.append(Markup("<ins>{0}</ins>").format(text))
        else:
            parts.append(escape(text))
    return Markup(" ").join(parts)


def _rows(changes: list[Change], web: bool = False) -> list[dict]:
    rows = []
    for c in changes:
        was, now = values(c)
        plain = c.section in PLAIN_SECTIONS or not c.id or _table_part(c)
        title, label = (subject(c), what(c)) if plain else (c.title, what(c))
        if not title:
            title, label = label, ""
        rows.append({
            "change": c, "tone": tone(c), "subject": subject(c), "what": label,
            "id": None if plain else c.id,
            "title": title,
            "was": _html_value(c, was, c.old), "now": _html_value(c, now, c.new),
            "words": _html_words(c.words, web) if c.words else None, "detail": detail(c),
        })
    return rows


def render_html(cs: ChangeSet, web: bool = False) -> str:
    """The report as HTML: the page the PDF is laid out from, or (`web`) the web edition's page
    before its stylesheets and fonts are inlined (render_web)."""
    sections = [{"key": key, "title": title, "rows": _rows(changes, web), "totals": cs.totals_for(key)}
                for key, title, changes in cs.by_section()]
    counts = [(title, len(changes)) for _, title, changes in cs.by_section()]
    return environment().get_template("diff.html.j2").render(
        cs=cs, sections=sections, counts=counts, side_line=side_line, arrow=ARROW,
        draft=cs.new.status == "draft", web=web, ww=display.WEB_DIFF_WORDS,
        status_line=display.web_diff_status(cs.new.status, cs.new.version), region=display.web_table_region)


# The web edition's stylesheets: the print report's for every medium (its pills and colours; its
# @page rules apply only on paper), then the screen and print rules of the web edition.
WEB_CSS = (("diff.css", None), ("diff-web.css", None))


def render_web(cs: ChangeSet) -> str:
    """The report's web edition (opgen diff --format html): one self-contained accessible HTML page,
    its CSS and fonts inline, no script, nothing fetched."""
    from opgen.render.inline import self_contained

    return self_contained(render_html(cs, web=True), WEB_CSS)


def render_pdf(cs: ChangeSet, timestamp) -> bytes:
    from opgen.render.weasy import html_to_pdf

    html = render_html(cs)
    return html_to_pdf(html, timestamp=timestamp, identifier_seed=html)
