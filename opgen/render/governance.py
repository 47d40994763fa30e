"""The governance and strategic alignment chapter as plain texts, for the full plan (html.py) and the
Word annex (docx/governance.py) alike: the governance bodies table, the structure diagram (inline
SVG, with its text alternative) and a coverage table per framework (each item -> the programmes,
actions, indicators and BCF metrics that align to it; an item nothing addresses says so).

Columns no body fills (no body names a chair, say) are left out, never printed as dashes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from opgen import display
from opgen.governance import Governance, coverage


@dataclass(slots=True)
class BodyRow:
    id: str
    title: str
    depth: int
    chair: str
    frequency: str
    reports_to: str
    purpose: str       # Markdown
    members: str


@dataclass(slots=True)
class CoverageRow:
    id: str
    title: str
    kind: str
    addressed_by: list[tuple[str, str]]  # (text, id of the item) per addresser
    addressed: bool


@dataclass(slots=True)
class CoverageTable:
    id: str
    caption: str
    summary: str
    rows: list[CoverageRow] = field(default_factory=list)
    # nothing in the plan aligns to any item: the items are listed, with this one sentence, not a
    # table of "Not addressed"
    unaligned: str = ""


@dataclass(slots=True)
class GovernanceView:
    bodies: list[BodyRow]
    columns: list[str]          # the body table's columns that have something in them, by key
    headings: dict[str, str]
    coverage: list[CoverageTable]
    note: str | None = None     # Markdown
    diagram: str = ""           # inline SVG ('' where no body reports to another: the table says it all)
    diagram_alt: str = ""


def view(plan) -> GovernanceView | None:
    """The chapter's content, or None where the plan has no governance bodies and no frameworks."""
    g: Governance | None = plan.governance
    if (g is None or not g.bodies) and not plan.frameworks:
        return None
    bodies = []
    if g is not None:
        for body, depth in g.tree():
            bodies.append(BodyRow(body.id, body.title, depth, body.chair or "", display.frequency(body.frequency),
                                  display.reports_to_body(g, body), body.purpose or "", display.members(body.members)))
    keys = ("title", "chair", "frequency", "reports_to", "purpose")
    headings = dict(zip(keys, display.GOVERNANCE_COLUMNS))
    columns = [k for k in keys if k == "title" or any(getattr(b, k) for b in bodies)
               or (k == "purpose" and any(b.members for b in bodies))]
    if g is not None and not any(b.reports_to for b in g.bodies):
        columns = [k for k in columns if k != "reports_to"]
    tables = []
    for cov in coverage(plan):
        rows = [CoverageRow(item.id, item.title, display.FRAMEWORK_ITEM_KINDS.get(item.kind or "", ""),
                            [(display.addresser(a), a.id) for a in by], bool(by))
                for item, by in cov.rows]
        unaligned = bool(rows) and not cov.addressed
        tables.append(CoverageTable(cov.framework.id, display.coverage_caption(cov.framework),
                                    "" if unaligned else display.coverage_summary(cov), rows,
                                    display.FRAMEWORK_UNALIGNED if unaligned else ""))
    # a chart only where there is a structure to draw: some body reports to another of the plan's
    diagram = structure_svg(g) if g is not None and any(g.body(b.reports_to) for b in g.bodies
                                                        if b.reports_to and b.reports_to != b.id) else ""
    return GovernanceView(bodies, columns, headings, tables, g.note if g else None, diagram,
                          display.governance_alt(g) if diagram else "")


# --- the structure diagram ---------------------------------------------------------------------------

WIDTH = 480.0          # pt: the A4 portrait text width
MAX_HEIGHT = 640.0     # pt: what is left of an A4 portrait page under the chapter heading
MAX_COLUMNS = 5
GAP = 8.0
TITLE_SIZE = 7.5      # pt: no text under 7.5 pt, so never drawn smaller (below)
SMALL_SIZE = 7.5
CHAR = 0.54            # average Inter glyph width, in em
LINE = 1.25
INDENT = 9.0
NAVY, GREY, LINE_COLOUR, PALE = "#003087", "#425563", "#768692", "#E8EDEE"


def _wrap(text: str, width: float, size: float, lines: int = 3) -> list[str]:
    per_line = max(6, int(width / (size * CHAR)))
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= per_line:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:max(1, per_line - 1)].rstrip() + "\u2026"
    # a word longer than the box ('Monthly/bi-monthly/as-required') is cut, never drawn over the edge
    return [line if len(line) <= per_line else line[:per_line - 1].rstrip() + "\u2026" for line in out]


@dataclass(slots=True)
class _Box:
    title: list[str]
    small: list[str]   # how often it meets, wrapped to the box (two lines at most; the table has it whole)
    x: float = 0
    y: float = 0
    w: float = 0
    top: bool = False

    @property
    def h(self) -> float:
        return 6 + len(self.title) * TITLE_SIZE * LINE + len(self.small) * SMALL_SIZE * LINE + 3


def _box(body, width: float, top: bool = False) -> _Box:
    small = display.frequency(body.frequency)
    return _Box(_wrap(body.title, width - 10, TITLE_SIZE), _wrap(small, width - 10, SMALL_SIZE, lines=2) if small else [],
                w=width, top=top)


def structure_svg(g: Governance) -> str:
    """The bodies as a structure chart: the top body, the bodies reporting to it in columns (at most
    five to a row), and under each column its own sub-groups, indented by level."""
    tree = g.tree()
    tops = [b for b, d in tree if d == 0]
    header = tops[0] if len(tops) == 1 and g.children(tops[0].id) else None
    heads = g.children(header.id) if header else tops
    bands = math.ceil(len(heads) / MAX_COLUMNS)
    per_band = math.ceil(len(heads) / bands)
    shapes: list[str] = []
    lines: list[str] = []
    y = 2.0
    top_box = None
    if header is not None:
        top_box = _box(header, min(220.0, WIDTH), top=True)
        top_box.x, top_box.y = (WIDTH - top_box.w) / 2, y
        y += top_box.h + 14
    trunk_x = WIDTH / 2 if bands == 1 else 1.0
    margin = 0.0 if bands == 1 or header is None else 7.0
    first_bus = None
    boxes: list[_Box] = [top_box] if top_box else []
    for band in range(bands):
        members = heads[band * per_band:(band + 1) * per_band]
        n = len(members)
        col_w = (WIDTH - margin - GAP * (per_band - 1)) / per_band
        offset = margin + (WIDTH - margin - (col_w * n + GAP * (n - 1))) / 2
        bus_y = y - 7
        band_h = 0.0
        centres = []
        for i, head in enumerate(members):
            x = offset + i * (col_w + GAP)
            hb = _box(head, col_w)
            hb.x, hb.y = x, y
            boxes.append(hb)
            centres.append(x + col_w / 2)
            cy = y + hb.h + 5
            stem_x: dict[int, float] = {0: x + 5}
            parents: dict[int, float] = {0: y + hb.h}
            for body, depth in _descendants(g, head):
                indent = INDENT * depth
                b = _box(body, col_w - indent)
                b.x, b.y = x + indent, cy
                boxes.append(b)
                px = x + INDENT * (depth - 1) + 4
                lines.append(f'<path d="M{px:.1f},{parents[depth - 1]:.1f} V{cy + b.h / 2:.1f} H{b.x:.1f}"/>')
                parents[depth] = cy + b.h
                cy += b.h + 4
            band_h = max(band_h, cy - y)
        if header is not None:
            if n > 1 or bands > 1:
                left = min(centres) if bands == 1 else trunk_x
                lines.append(f'<path d="M{left:.1f},{bus_y:.1f} H{max(centres):.1f}"/>')
            for c in centres:
                lines.append(f'<path d="M{c:.1f},{bus_y:.1f} V{y:.1f}"/>')
            first_bus = first_bus if first_bus is not None else bus_y
            last_bus = bus_y
        y += band_h + 14
    if top_box is not None and first_bus is not None:
        if bands == 1:
            lines.append(f'<path d="M{trunk_x:.1f},{top_box.y + top_box.h:.1f} V{first_bus:.1f}"/>')
        else:
            mid = top_box.y + top_box.h / 2
            lines.append(f'<path d="M{top_box.x:.1f},{mid:.1f} H{trunk_x:.1f} V{last_bus:.1f}"/>')
    for b in boxes:
        shapes.append(_draw(b))
    height = y - 12
    if height > MAX_HEIGHT:
        # drawn smaller its text would fall under 7.5 pt, cut it would lose bodies: the table above
        # carries the structure alone
        return ""
    scale = 1.0
    alt = escape(display.governance_alt(g), {'"': "&quot;"})
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="gov-chart" viewBox="0 0 {WIDTH:.0f} {height:.1f}" '
            f'width="{WIDTH * scale:.1f}pt" height="{height * scale:.1f}pt" role="img" aria-label="{alt}">'
            f'<title>{escape(display.GOVERNANCE_STRUCTURE)}</title><desc>{alt}</desc>'
            f'<g fill="none" stroke="{LINE_COLOUR}" stroke-width="0.8">{"".join(lines)}</g>'
            f'{"".join(shapes)}</svg>')


def _descendants(g: Governance, head) -> list[tuple[object, int]]:
    out: list[tuple[object, int]] = []
    seen = {head.id}

    def walk(b, depth: int) -> None:
        for child in g.children(b.id):
            if child.id in seen:
                continue
            seen.add(child.id)
            out.append((child, depth))
            walk(child, depth + 1)
    walk(head, 1)
    return out


def _draw(b: _Box) -> str:
    fill, stroke, colour = (NAVY, NAVY, "#FFFFFF") if b.top else ("#FFFFFF", NAVY, NAVY)
    parts = [f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="2" fill="{fill}" '
             f'stroke="{stroke}" stroke-width="0.8"/>']
    ty = b.y + 4 + TITLE_SIZE
    for line in b.title:
        parts.append(f'<text x="{b.x + 5:.1f}" y="{ty:.1f}" font-size="{TITLE_SIZE}" font-weight="600" '
                     f'fill="{colour}" font-family="Inter">{escape(line)}</text>')
        ty += TITLE_SIZE * LINE
    for line in b.small:
        parts.append(f'<text x="{b.x + 5:.1f}" y="{ty:.1f}" font-size="{SMALL_SIZE}" '
                     f'fill="{"#E8EDEE" if b.top else GREY}" font-family="Inter">{escape(line)}</text>')
        ty += SMALL_SIZE * LINE
    return "".join(parts)


# --- textconv (git diff view) ------------------------------------------------------------------------

def textconv_lines(plan) -> list[str]:
    """The governance bodies (by id) and each framework item with what addresses it, one fact a line."""
    g: Governance | None = plan.governance
    out: list[str] = []
    if g is not None and g.bodies:
        out += ["", "== Governance"]
        for b in sorted(g.bodies, key=lambda b: b.id):
            out.append(f"[{b.id}] {b.title}")
            for name, value in (("chair", b.chair), ("meets", display.frequency(b.frequency)),
                                ("reports to", display.reports_to_body(g, b) if b.reports_to else ""),
                                ("members", ", ".join(b.members))):
                if value:
                    out.append(f"  {b.id} {name}: {value}")
            if b.purpose:
                out.append(f"  {b.id} purpose: {' '.join(b.purpose.split())}")
        if g.note:
            out.append(f"note: {' '.join(g.note.split())}")
    for cov in coverage(plan):
        f = cov.framework
        kind = display.FRAMEWORK_KIND_LABELS.get(f.kind or "", "")
        out += ["", f"== Framework [{f.id}] {f.title}" + (f" ({kind})" if kind and kind != f.title else "")]
        for item, by in cov.rows:
            what = display.FRAMEWORK_ITEM_KINDS.get(item.kind or "", "")
            out.append(f"[{item.id}] {item.title}" + (f" ({what.lower()})" if what else ""))
            out += [f"  {item.id} addressed by: {display.addresser(a)}" for a in by] or \
                   [f"  {item.id}: {display.NOT_ADDRESSED}"]
    return out
