"""Diagnostics: one problem in a plan, where it is, what is wrong and how to fix it."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Iterable

ERROR = "error"
WARNING = "warning"


class OpgenError(Exception):
    """Base of the errors opgen raises on purpose. Anything else that escapes is a bug in opgen."""


class UserError(OpgenError):
    """Something the user can fix (a missing file, a bad revision, an unwritable output), said in one
    line. The command line's one error boundary prints it as `opgen: <message>` and exits 2."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A located problem. `line` and `column` are 1-based; 0 means the whole file."""

    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str
    hint: str = ""
    yaml_path: str = ""

    def as_text(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.severity}: {self.message}"
        if self.yaml_path:
            text += f" (at {self.yaml_path})"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Report:
    """All diagnostics for one plan file."""

    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.severity != ERROR, d.code)


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.as_text() for d in sorted(diagnostics, key=sort_key))


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in sorted(diagnostics, key=sort_key)], indent=2, ensure_ascii=False)


def format_yaml_path(path: Iterable) -> str:
    """Render a data path like ('actions', 3, 'rag', '2014/15') as actions[3].rag["2014/15"]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part)[:1].isalpha() and str(part).replace("_", "").replace("-", "").isalnum():
            out += ("." if out else "") + str(part)
        else:
            out += f'["{part}"]'
    return out


_PATH_PART = re.compile(r'\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_yaml_path(text: str) -> tuple:
    """The inverse of format_yaml_path: 'actions[3].rag["2014/15"]' -> ('actions', 3, 'rag', '2014/15').
    Stops at anything it cannot read (a path is only ever a hint for a reader)."""
    parts: list = []
    pos = 0
    while pos < len(text or ""):
        match = _PATH_PART.match(text, pos)
        if not match or match.end() == pos:
            break
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (name if name is not None else quoted))
        pos = match.end()
    return tuple(parts)


def did_you_mean(word: str, options: list[str]) -> str | None:
    """The allowed option closest to a near miss ('Amber' -> 'amber', 'milstones' -> 'milestones')."""
    lowered = {o.lower(): o for o in options}
    if str(word).lower() in lowered:
        return lowered[str(word).lower()]
    match = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not match:
        match = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
        match = [lowered[m] for m in match]
    return match[0] if match else None
