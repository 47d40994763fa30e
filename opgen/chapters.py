"""Where each narrative chapter (`sections`) goes among the full plan's built-in chapters.

The full plan's built-in chapters, in order: document control (front matter), the vision, one
chapter per domain, performance, QIPP, risks, finance, the Better Care Fund and the inventory of
items to be confirmed. A section is placed `{before: X}` or `{after: X}` (X a built-in chapter or
another section's id) or `{appendix: true}`. Without `place` it follows the section before it; the
first goes before the vision. Appendices come last, after the inventory, lettered A, B, C.

`arrange(plan)` is the one answer, used by the rules (which report its problems), the full plan PDF
and the Word annex. It never fails: a place that cannot be honoured (an unknown chapter, a built-in
chapter the plan does not have, a cycle) is reported as a problem and the section goes where it
would go without `place`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opgen.model import Plan, Section

# The built-in chapters, in the order the full plan prints them.
BUILTIN = ("document_control", "vision", "domains", "performance", "qipp", "risks", "finance", "bcf",
           "inventory")
# Chapters before the contents page: sections placed against them are front matter, unnumbered.
FRONT = ("document_control",)


def present(plan: Plan) -> set[str]:
    """The built-in chapters this plan's full PDF has (the inventory always counts: a section placed
    against it goes at the end of the numbered chapters either way)."""
    have = {"document_control", "vision", "inventory"}
    if plan.domains:
        have.add("domains")
    if plan.indicators:
        have.add("performance")
    if plan.qipp and (plan.qipp.schemes or plan.qipp.stated_total):
        have.add("qipp")
    if plan.risks:
        have.add("risks")
    f = plan.finance  # as opgen.render.finance.finance_tables decides: any line, stated total, assumption or note
    if f and (f.years or f.all_lines() or any(f.stated_totals.values()) or f.assumptions or f.note):
        have.add("finance")
    if plan.bcf is not None:
        have.add("bcf")
    return have


@dataclass(frozen=True, slots=True)
class Problem:
    """A place that cannot be honoured. `kind`: unknown (no such chapter), subsection (the target is a
    subsection, not a chapter), missing (a built-in chapter this plan does not have), cycle."""

    kind: str
    section: Section
    target: str | None
    cycle: tuple[str, ...] = ()


@dataclass(slots=True)
class Arrangement:
    """Sections by where they go: `before[X]` / `after[X]` the flattened sections printed just before
    or after built-in chapter X (in order), and `appendices` after everything."""

    before: dict[str, list[Section]] = field(default_factory=dict)
    after: dict[str, list[Section]] = field(default_factory=dict)
    appendices: list[Section] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def order(self) -> list[tuple[str, object]]:
        """The full plan's chapters in order: ("builtin", name) or ("section", Section)."""
        out: list[tuple[str, object]] = []
        for name in BUILTIN:
            out += [("section", s) for s in self.before.get(name, [])]
            out.append(("builtin", name))
            out += [("section", s) for s in self.after.get(name, [])]
        out += [("section", s) for s in self.appendices]
        return out


def arrange(plan: Plan) -> Arrangement:
    sections = plan.sections
    result = Arrangement()
    if not sections:
        return result
    have = present(plan)
    by_id = {s.id: s for s in sections}
    nested = {x.id for s in sections for x in s.walk() if x.level > 1}
    # each section's anchor: ("builtin", name, relation), ("section", id, relation) or ("appendix",)
    anchor: dict[int, tuple] = {}
    for i, s in enumerate(sections):
        default = ("section", sections[i - 1].id, "after") if i else ("builtin", "vision", "before")
        p = s.place
        if p is None:
            anchor[i] = default
        elif p.relation == "appendix":
            anchor[i] = ("appendix",)
        elif p.target in BUILTIN:
            if p.target in have:
                anchor[i] = ("builtin", p.target, p.relation)
            else:
                result.problems.append(Problem("missing", s, p.target))
                anchor[i] = default
        elif p.target in by_id:
            anchor[i] = ("section", p.target, p.relation)
        else:
            result.problems.append(Problem("subsection" if p.target in nested else "unknown", s, p.target))
            anchor[i] = default

    index = {s.id: i for i, s in enumerate(sections)}
    # Follow each section's chain of anchors to a root; a chain that comes back on itself is a cycle.
    # A default anchor can only point back (to the section before), so a cycle always involves an
    # explicit place: its sections are reported and go where they would without it.
    broken: set[int] = set()
    for i in range(len(sections)):
        seen: list[int] = []
        j = i
        while anchor[j][0] == "section":
            if j in seen:
                loop = seen[seen.index(j):]
                for k in loop:
                    if k not in broken and sections[k].place is not None:
                        broken.add(k)
                        result.problems.append(Problem("cycle", sections[k], sections[k].place.target,
                                                       tuple(sections[m].id for m in loop)))
                break
            seen.append(j)
            j = index[anchor[j][1]]
    for k in sorted(broken):
        anchor[k] = ("builtin", "vision", "before") if k == 0 else ("section", sections[k - 1].id, "after")
    # a default anchor (the section before) may itself be in a cycle still: re-check and cut to vision
    for i in range(len(sections)):
        seen = set()
        j = i
        while anchor[j][0] == "section" and j not in seen:
            seen.add(j)
            j = index[anchor[j][1]]
        if anchor[j][0] == "section":
            anchor[i] = ("builtin", "vision", "before")

    children_before: dict[str, list[int]] = {}
    children_after: dict[str, list[int]] = {}
    roots: dict[tuple, list[int]] = {}
    for i in range(len(sections)):
        a = anchor[i]
        if a[0] == "section":
            (children_before if a[2] == "before" else children_after).setdefault(a[1], []).append(i)
        else:
            roots.setdefault(a, []).append(i)

    def flat(i: int) -> list[Section]:
        s = sections[i]
        out: list[Section] = []
        for k in children_before.get(s.id, []):
            out += flat(k)
        out.append(s)
        for k in children_after.get(s.id, []):
            out += flat(k)
        return out

    for name in BUILTIN:
        for relation, target in (("before", result.before), ("after", result.after)):
            items = [x for k in roots.get(("builtin", name, relation), []) for x in flat(k)]
            if items:
                target[name] = items
    result.appendices = [x for k in roots.get(("appendix",), []) for x in flat(k)]
    return result


def appendix_letter(n: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("A") + rest) + text
    return text
