"""Upgrading a plan to the current format (`opgen migrate`): version 1 -> version 2.

Version 2 is a superset of version 1, so the upgrade is a list of small edits made in place by
opgen.yamledit: the author's comments, key order, quoting and layout stay as they were. Each step
says in words what it changed, for the command's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from opgen import yamledit

CURRENT_VERSION = 2


@dataclass(slots=True)
class Migration:
    """The result of upgrading one plan's text."""

    old_version: Any
    text: str
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.notes)


def _set_version(data: dict) -> tuple[list[tuple[tuple, Any]], list[str]]:
    return [(("schema_version",), 2)], ["schema_version: 1 -> 2"]


# Steps from version 1 to version 2, in order: each reads the plan's data and returns its edits and notes.
STEPS_V1_TO_V2: tuple[Callable[[dict], tuple[list, list[str]]], ...] = (_set_version,)


def migrate_text(text: str, data: dict) -> Migration:
    """The plan text upgraded to the current version (unchanged if it already is)."""
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version == CURRENT_VERSION:
        return Migration(version, text)
    changes: list = []
    notes: list[str] = []
    for step in STEPS_V1_TO_V2:
        step_changes, step_notes = step(data)
        changes.extend(step_changes)
        notes.extend(step_notes)
    return Migration(version, yamledit.apply(text, changes), notes)
