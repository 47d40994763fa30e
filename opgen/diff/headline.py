"""Ordering and the headline, and `diff_plans`, the public entry point: compare two plans section by
section, add the TBC and warning changes, order them and write the one-line headline.
"""

from __future__ import annotations

from typing import Iterable

from opgen.diagnostics import Diagnostic
from opgen.diff import sections, texts
from opgen.diff.changes import KIND_ORDER, SECTION_ORDER, Change, ChangeSet, Side
from opgen.diff.compare import Comparer
from opgen.diff.inventory import compare_tbcs, compare_warnings
from opgen.ids import natural_key
from opgen.model import Plan

FIELD_ORDER = ["title", "domain", "action", "lead", "owner", "provider", "point_of_delivery", "status", "start",
               "due", "score", "rating", "gross", "target", "confidence"]


def _field_rank(name: str | None) -> tuple:
    if name is None:
        return (-1, ())
    base = name.split(" ")[0]
    rank = FIELD_ORDER.index(base) if base in FIELD_ORDER else len(FIELD_ORDER)
    return (rank, natural_key(name))


def _sort_key(c: Change) -> tuple:
    if c.section in ("rag", "milestones", "risks", "warnings", "tbcs"):
        return (SECTION_ORDER[c.section], KIND_ORDER.get(c.kind, 99), natural_key(c.id), _field_rank(c.field))
    if c.section == "tables":  # in the order the tables, their columns and rows are compared
        return (SECTION_ORDER[c.section],)
    if c.section == "metadata":
        order = ["organisation", "short_name", "ods_code", "title", "subtitle", "version", "status", "as_at",
                 "period", "date", "signatories", "risk_bands", "history"]
        return (SECTION_ORDER[c.section], order.index(c.field) if c.field in order else 99, natural_key(c.id), 0, ())
    added_removed = 0 if c.kind in ("added", "removed") else 1
    plan_level = 1 if c.id is None and c.section in ("qipp", "finance", "bcf") else 0
    return (SECTION_ORDER[c.section], plan_level, added_removed,
            KIND_ORDER.get(c.kind, 99) if not added_removed else 0, natural_key(c.id), _field_rank(c.field))


def headline(cs: ChangeSet) -> str:
    """One line a board member can read aloud: the moves that matter, then how many changes in all."""
    if not cs.changes:
        return "No changes"
    parts: list[str] = []
    changes = cs.changes

    def n(section: str, *kinds: str, where=lambda c: True) -> int:
        return sum(1 for c in changes if c.section == section and c.kind in kinds and where(c))

    def add(count: int, noun: str, verb: str = "") -> None:
        if count:
            parts.append(texts.plural(count, noun) + (f" {verb}" if verb else ""))

    status = next((c for c in changes if c.section == "metadata" and c.field == "status"), None)
    if status and status.new:
        parts.append(f"status now {status.new}")
    worse, better = n("rag", "worsened"), n("rag", "improved")
    add(worse, "RAG rating", "worsened")
    if better:  # "3 RAG ratings worsened, 1 improved"
        parts.append(f"{better} improved" if worse else f"{texts.plural(better, 'RAG rating')} improved")
    add(n("rag", "completed"), "action", "completed")
    add(n("milestones", "slipped"), "milestone", "slipped")
    add(n("milestones", "brought-forward"), "milestone", "brought forward")
    for t in cs.totals:
        if t.section == "qipp" and t.label == "net" and t.delta != 0:
            parts.append(f"QIPP {t.year} {'up' if t.delta > 0 else 'down'} {texts.money(t.unit, abs(t.delta))}")
    extreme = lambda text: text == "extreme" or text.endswith("(extreme)")
    is_extreme = lambda c: extreme(c.new_text) and not extreme(c.old_text)
    added_extreme = lambda c: c.new == "extreme"
    new_extreme = n("risks", "added", where=added_extreme) + n("risks", "rose", where=is_extreme)
    add(new_extreme, "new extreme risk")
    add(n("risks", "added", where=lambda c: not added_extreme(c)), "other new risk" if new_extreme else "new risk")
    add(n("risks", "rose", where=lambda c: not is_extreme(c)), "risk", "rose")
    add(n("risks", "closed"), "risk", "closed")
    add(n("risks", "removed"), "risk", "removed")
    add(n("actions", "added"), "action", "added")
    add(n("actions", "removed"), "action", "removed")
    add(len(cs.tbcs.resolved), "TBC", "resolved")
    add(len(cs.tbcs.introduced), "new TBC")
    add(n("warnings", "new"), "new warning")
    total = texts.plural(len(changes), "change")
    if not parts:
        sections = [title if title.startswith(("QIPP", "RAG", "TBC")) else title.lower()
                    for _, title, _ in cs.by_section()]
        return f"{total}: " + ", ".join(sections)
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + f" ({total})"


def diff_plans(old: Plan, new: Plan, *, old_warnings: Iterable[Diagnostic] = (),
               new_warnings: Iterable[Diagnostic] = (), old_label: str = "", new_label: str = "") -> ChangeSet:
    """Compare two plans (their models) and return every change, once, grouped by section."""
    c = Comparer(old, new)
    sections.run(c)
    tbcs, tbc_changes = compare_tbcs(old, new, c.covered)
    warning_changes = compare_warnings(old, new, old_warnings, new_warnings)
    changes = sorted(c.out + tbc_changes + warning_changes, key=_sort_key)
    cs = ChangeSet(Side.of(old, old_label), Side.of(new, new_label), changes, c.totals, tbcs)
    cs.headline = headline(cs)
    return cs
