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


def _bcf_headings(data: dict) -> tuple[list[tuple[tuple, Any]], list[str]]:
    """Version 2 names a BCF scheme's heading from the national list: a version 1 free-text heading
    that is one of them in words ('Reablement', 'Support for carers') becomes its value; one close to
    one of them becomes the nearest, and one close to none becomes `other`, each with a note naming
    the old words so the author can check it (the report of `opgen migrate`, and `--diff`)."""
    from opgen.diagnostics import did_you_mean
    from opgen.display import BCF_HEADINGS
    by_words = {label.casefold(): key for key, label in BCF_HEADINGS.items()}
    by_words.update({key.replace("_", " "): key for key in BCF_HEADINGS})
    changes, notes = [], []
    bcf = data.get("bcf") if isinstance(data, dict) else None
    for i, scheme in enumerate((bcf or {}).get("schemes") or [] if isinstance(bcf, dict) else []):
        heading = scheme.get("heading") if isinstance(scheme, dict) else None
        if not isinstance(heading, str) or heading in BCF_HEADINGS:
            continue
        key = by_words.get(" ".join(heading.replace("_", " ").split()).casefold())
        if key:
            notes.append(f"bcf.schemes[{i}].heading: {heading!r} -> {key} (the national scheme heading)")
        elif near := did_you_mean(heading.casefold(), list(by_words)) or did_you_mean(heading, list(BCF_HEADINGS)):
            key = by_words.get(near, near)
            notes.append(f"bcf.schemes[{i}].heading: {heading!r} -> {key}, the nearest national scheme heading: "
                         "check it")
        else:
            key = "other"
            notes.append(f"bcf.schemes[{i}].heading: {heading!r} -> other (no national scheme heading is close): "
                         "choose one, or keep other")
        changes.append((("bcf", "schemes", i, "heading"), key))
    return changes, notes


# Steps from version 1 to version 2, in order: each reads the plan's data and returns its edits and notes.
STEPS_V1_TO_V2: tuple[Callable[[dict], tuple[list, list[str]]], ...] = (_set_version, _bcf_headings)


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
