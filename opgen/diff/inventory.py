"""The TBC inventory and the validation warnings, compared between two versions.

Both return Change records (and the TBC summary) for the caller to add; neither reaches back into
the comparers: the TBC comparison is only told which keys the section changes already cover.
"""

from __future__ import annotations

import re
from typing import Iterable

from opgen.diagnostics import Diagnostic, format_yaml_path
from opgen.diff.changes import Change, TbcSummary
from opgen.ids import item_paths, natural_key, tbc_inventory, tbc_sort_key
from opgen.model import Plan


def _is_covered(key: tuple, covered: set[tuple]) -> bool:
    return any(key[:n] in covered for n in range(1, len(key) + 1))


def compare_tbcs(old: Plan, new: Plan, covered: set[tuple]) -> tuple[TbcSummary, list[Change]]:
    """The TBCs resolved, introduced and still open, and a `tbcs` change for each TBC that came or
    went where no section change (a key in `covered`) already shows it."""
    old_t, new_t = tbc_inventory(old), tbc_inventory(new)
    summary = TbcSummary(
        resolved=[old_t[k] for k in sorted(old_t, key=tbc_sort_key) if k not in new_t],
        introduced=[new_t[k] for k in sorted(new_t, key=tbc_sort_key) if k not in old_t],
        open=[new_t[k] for k in sorted(new_t, key=tbc_sort_key)],
    )
    changes: list[Change] = []
    covered = set(covered)  # a TBC change covers the TBCs under it, as a section change does
    for key in sorted(set(old_t) ^ set(new_t), key=tbc_sort_key):
        if _is_covered(key, covered):
            continue
        resolved = key in old_t
        label = old_t[key] if resolved else new_t[key]
        item = key[0] if len(key) > 1 else None
        changes.append(Change("tbcs", "resolved" if resolved else "introduced", item, label,
                              old="tbc" if resolved else None, new=None if resolved else "tbc", key=key))
        covered.add(key)
    return summary, changes


def _warning_subject(d: Diagnostic, paths: dict[str, str]) -> str | None:
    """The id of the item a warning is about, from its yaml_path (e.g. 'actions[3].rag...' -> 'OOH-04')."""
    text = d.yaml_path
    cuts = [i for i, ch in enumerate(text) if ch in ".["] + [len(text)]
    for cut in reversed(cuts):
        item = paths.get(text[:cut])
        if item is not None:
            return item
    return None


def _warning_paths(plan: Plan) -> dict[str, str]:
    return {format_yaml_path(path): item for path, item in item_paths(plan).items()}



def compare_warnings(old: Plan, new: Plan, old_warnings: Iterable[Diagnostic],
                     new_warnings: Iterable[Diagnostic]) -> list[Change]:
    """Warnings compared by code and message (a changed figure in the same warning is a change of
    it, not a resolved and a new one); TBC warnings are left to the TBC inventory."""
    def keyed(warnings, plan):
        shown = [d for d in warnings if d.code != "tbc"]  # the TBC inventory reports TBC warnings
        paths = _warning_paths(plan) if shown else {}
        out: dict[tuple, tuple[Diagnostic, str | None]] = {}
        for d in shown:
            out.setdefault((d.code, d.message), (d, _warning_subject(d, paths)))
        return out

    changes: list[Change] = []
    old_w, new_w = keyed(old_warnings, old), keyed(new_warnings, new)
    gone = {k: v for k, v in old_w.items() if k not in new_w}
    came = {k: v for k, v in new_w.items() if k not in old_w}
    mask = lambda text: re.sub(r"[\d.,+\u2212-]+", "#", text)
    for key in sorted(came, key=lambda k: (k[0], natural_key(came[k][1]), k[1])):
        d, subject = came[key]
        partner = next((k for k, (od, osub) in gone.items() if k[0] == d.code and
                        ((subject and osub == subject) or mask(k[1]) == mask(d.message))), None)
        if partner:
            od, _ = gone.pop(partner)
            changes.append(Change("warnings", "changed", subject, d.code, old=od.message, new=d.message,
                                  old_text=od.message, new_text=d.message,
                                  key=("warnings", d.code, subject or d.message)))
        else:
            changes.append(Change("warnings", "new", subject, d.code, new=d.message, new_text=d.message,
                                  key=("warnings", d.code, subject or d.message)))
    for key in sorted(gone, key=lambda k: (k[0], natural_key(gone[k][1]), k[1])):
        d, subject = gone[key]
        changes.append(Change("warnings", "resolved", subject, d.code, old=d.message, old_text=d.message,
                              key=("warnings", d.code, subject or d.message)))
    return changes
