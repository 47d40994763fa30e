"""Governance and strategic alignment (version 2): the plan's governance bodies (`governance.bodies`,
a tree by `reports_to`), its outcome frameworks (`frameworks`: the Joint Health and Wellbeing
Strategy's outcomes and priorities, the NHS Outcomes Framework domains, local ones) and what
addresses each framework item (`aligns` on domains, actions, indicators and BCF metrics).

The one answer to "which JHWS outcomes does this plan address" is `coverage(plan, "jhws")` (a
framework named by its id, or by its kind where the plan has one framework of that kind): the board
pack, the full plan's coverage table, the Word annex and the diff all read it.

This module imports nothing of opgen at run time, so opgen.model can build from it; the rules are
`check(data, plan, error, warning)` with the caller's located reporters.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable


@dataclass(slots=True)
class Body:
    """A board, committee or group (`governance.bodies`)."""

    id: str
    title: str
    purpose: str | None          # Markdown
    chair: str | None
    frequency: str | None        # as the source says: monthly, "every 6 weeks"...
    reports_to: str | None       # the id of another body; None at the top
    members: list[str]
    path: tuple


@dataclass(slots=True)
class Governance:
    bodies: list[Body]
    note: str | None = None
    path: tuple = ("governance",)

    def body(self, body_id: str | None) -> Body | None:
        return next((b for b in self.bodies if b.id == body_id), None)

    def children(self, body_id: str) -> list[Body]:
        return [b for b in self.bodies if b.reports_to == body_id and b.id != body_id]

    def tree(self) -> list[tuple[Body, int]]:
        """The bodies in structure order, as (body, depth): each top body (one that reports to no
        body of the plan) followed by the bodies that report to it, depth first. A loop (an error
        `opgen validate` reports) is broken where it is met; every body is listed once."""
        ids = {b.id for b in self.bodies}
        out: list[tuple[Body, int]] = []
        seen: set[int] = set()

        def walk(b: Body, depth: int) -> None:
            if id(b) in seen:
                return
            seen.add(id(b))
            out.append((b, depth))
            for child in self.children(b.id):
                walk(child, depth + 1)
        for b in self.bodies:
            if not b.reports_to or b.reports_to not in ids or b.reports_to == b.id:
                walk(b, 0)
        for b in self.bodies:  # bodies in a loop, with no top: listed where they are
            walk(b, 0)
        return out

    def cycles(self) -> list[list[Body]]:
        """Each loop of `reports_to` once (a body reporting to itself is a loop of one), in file order."""
        by_id = {b.id: b for b in self.bodies}
        out: list[list[Body]] = []
        done: set[str] = set()
        for start in self.bodies:
            chain: list[Body] = []
            b: Body | None = start
            while b is not None and b.id not in done and b not in chain:
                chain.append(b)
                b = by_id.get(b.reports_to) if b.reports_to else None
            if b is not None and b in chain:
                out.append(chain[chain.index(b):])
            done.update(x.id for x in chain)
        return out


@dataclass(slots=True)
class FrameworkItem:
    id: str
    title: str
    kind: str | None   # outcome | priority | domain | objective | other
    note: str | None
    framework: str     # the id of its framework
    path: tuple


@dataclass(slots=True)
class Framework:
    id: str
    title: str
    kind: str | None   # jhws | nhs_outcomes | ccg_outcomes | local | other
    note: str | None
    items: list[FrameworkItem]
    path: tuple


@dataclass(frozen=True, slots=True)
class Addresser:
    """A domain, action, indicator or BCF metric that aligns to a framework item."""

    kind: str    # domain | action | indicator | bcf_metric
    id: str
    title: str
    path: tuple


@dataclass(slots=True)
class Coverage:
    """One framework with, for each item, what addresses it (empty: nothing does)."""

    framework: Framework
    rows: list[tuple[FrameworkItem, list[Addresser]]] = field(default_factory=list)

    @property
    def addressed(self) -> list[FrameworkItem]:
        return [item for item, by in self.rows if by]

    @property
    def unaddressed(self) -> list[FrameworkItem]:
        return [item for item, by in self.rows if not by]


# --- building --------------------------------------------------------------------------------------

def build_governance(data: dict) -> Governance | None:
    g = data.get("governance")
    if not isinstance(g, dict):
        return None
    bodies = [Body(b["id"], b["title"], b.get("purpose"), b.get("chair"), _text(b.get("frequency")),
                   b.get("reports_to") or None, [str(m) for m in b.get("members") or []], ("governance", "bodies", i))
              for i, b in enumerate(g.get("bodies") or [])]
    return Governance(bodies, g.get("note"))


def build_frameworks(data: dict) -> list[Framework]:
    out = []
    for i, f in enumerate(data.get("frameworks") or []):
        items = [FrameworkItem(x["id"], x["title"], x.get("kind"), x.get("note"), f["id"], ("frameworks", i, "items", j))
                 for j, x in enumerate(f.get("items") or [])]
        out.append(Framework(f["id"], f["title"], f.get("kind"), f.get("note"), items, ("frameworks", i)))
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# --- alignment -------------------------------------------------------------------------------------

def addressers(plan) -> list[tuple[Addresser, list[str]]]:
    """Everything that may align to a framework item, in plan order, with the ids it aligns to."""
    out: list[tuple[Addresser, list[str]]] = []
    for kind, items in (("domain", plan.domains), ("action", plan.actions), ("indicator", plan.indicators),
                        ("bcf_metric", plan.bcf.metrics if plan.bcf else [])):
        for x in items:
            out.append((Addresser(kind, x.id, x.title, x.path), list(getattr(x, "aligns", []) or [])))
    return out


def aligned_to(plan) -> dict[str, list[Addresser]]:
    """Framework item id -> what aligns to it, in plan order (each once)."""
    out: dict[str, list[Addresser]] = {}
    for who, ids in addressers(plan):
        for item_id in dict.fromkeys(ids):
            out.setdefault(item_id, []).append(who)
    return out


def framework(plan, key: str) -> Framework | None:
    """A framework by its id, or by its kind where the plan has exactly one of that kind
    (a board pack's `framework: jhws` finds a plan's JHWS under either)."""
    found = next((f for f in plan.frameworks if f.id == key), None)
    if found is None:
        of_kind = [f for f in plan.frameworks if f.kind == key]
        found = of_kind[0] if len(of_kind) == 1 else None
    return found


def coverage(plan, key: str | None = None) -> list[Coverage]:
    """Each framework (or only the one `key` names: see `framework`) with what addresses each item."""
    aligned = aligned_to(plan)
    chosen = plan.frameworks if key is None else [f for f in [framework(plan, key)] if f is not None]
    return [Coverage(f, [(item, aligned.get(item.id, [])) for item in f.items]) for f in chosen]


def items_by_id(plan) -> dict[str, tuple[Framework, FrameworkItem]]:
    return {item.id: (f, item) for f in plan.frameworks for item in f.items}


# --- rules -----------------------------------------------------------------------------------------

Report = Callable[..., None]  # (path, code, message, hint, key=False)


def _guess(word: str, options: list[str]) -> str | None:
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return match[0] if match else None


def _choices(options: list[str], what: str) -> str:
    if len(options) <= 12:
        return f"use one of the {what}: {', '.join(options)}"
    return f"use one of the {len(options)} {what} (e.g. {', '.join(options[:6])}...)"


ALIGN_LISTS = (("domains",), ("actions",), ("indicators",), ("bcf", "metrics"))


def _align_lists(data: dict) -> Iterable[tuple[tuple, Any]]:
    for where in ALIGN_LISTS:
        node: Any = data
        for key in where:
            node = node.get(key) if isinstance(node, dict) else None
        for i, item in enumerate(node if isinstance(node, list) else []):
            if isinstance(item, dict) and "aligns" in item:
                yield where + (i,), item


def check(data: dict, plan, error: Report, warning: Report) -> None:
    """The governance and alignment rules: `reports_to` names a body and makes no loop; `aligns`
    names framework items; a framework item nothing addresses is a warning at the item (grouped by
    cause), and a framework none of whose items anything addresses is one warning at the framework;
    `aligns` is version 2 only."""
    if data.get("schema_version") == 1:
        for path, _ in _align_lists(data):
            error(path + ("aligns",), "needs-version-2", "'aligns' needs a version 2 plan, but this plan says "
                  "schema_version: 1", "set schema_version: 2 (opgen migrate PLAN does it, keeping your comments)",
                  key=True)
        return
    g = plan.governance
    if g is not None:
        ids = [b.id for b in g.bodies]
        for b in g.bodies:
            if b.reports_to and b.reports_to not in ids:
                by_title = {x.title.casefold(): x.id for x in g.bodies if x.id != b.id}
                guess = by_title.get(b.reports_to.casefold()) or _guess(b.reports_to, [x for x in ids if x != b.id])
                error(b.path + ("reports_to",), "unknown-reference",
                      f"body {b.id} reports to '{b.reports_to}', but there is no governance body with that id",
                      f"did you mean '{guess}'?" if guess else
                      _choices([x for x in ids if x != b.id], "body ids") + ", or leave reports_to out for a top body")
        for loop in g.cycles():
            first = loop[0]
            if len(loop) == 1:
                error(first.path + ("reports_to",), "governance-cycle", f"body {first.id} reports to itself",
                      "name the body it reports to, or leave reports_to out if it is at the top")
            else:
                chain = " -> ".join(b.id for b in loop + loop[:1])
                error(first.path + ("reports_to",), "governance-cycle",
                      f"the governance bodies report to each other in a loop ({chain}), so none is at the top",
                      f"one of them reports to a body outside the loop, or to none (leave its reports_to out)")
    known = items_by_id(plan)
    options = list(known)
    for path, item in _align_lists(data):
        for j, ref in enumerate(item.get("aligns") or []):
            if not isinstance(ref, str) or ref in known:
                continue
            if not options:
                error(path + ("aligns", j), "unknown-reference",
                      f"'{ref}' is not a framework item: this plan declares no frameworks",
                      "declare the framework and its items under frameworks: (e.g. [{id: jhws, title: ..., "
                      "items: [{id: jhws-o1, title: ...}]}]), or remove aligns")
                continue
            guess = _guess(ref, options)
            error(path + ("aligns", j), "unknown-reference", f"there is no framework item with the id '{ref}'",
                  f"did you mean '{guess}'?" if guess else _choices(options, "framework item ids"))
    for cov in coverage(plan):
        if cov.rows and not cov.addressed:
            # nothing aligns to any item: one warning for the framework, not one per item (the plan's
            # alignment table is missing, not each item's)
            f = cov.framework
            warning(f.path + ("id",), "unaligned-framework",
                    f"nothing in the plan aligns to any of the {len(f.items)} items of {f.title}, so the papers "
                    f"list them without saying which of the plan's work addresses each",
                    f"add aligns: [<item id>] to the domains, actions or indicators that address its items "
                    f"(e.g. aligns: [{f.items[0].id}]), or remove the framework if the plan does not answer to it")
            continue
        for item in cov.unaddressed:
            warning(item.path + ("id",), "unaddressed-framework-item",
                    f"nothing in the plan aligns to {item.id} ({item.title}) of {cov.framework.title}",
                    # one hint for every such item, so the papers group them (display.board_warnings)
                    "add the item's id to aligns: on the domain, action or indicator that addresses it, or "
                    "remove the item if the plan does not answer to it",
                    cause="framework items have nothing in the plan aligned to them")
