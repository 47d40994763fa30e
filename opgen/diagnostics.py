"""Diagnostics: one problem in a plan, where it is, what is wrong and how to fix it."""

from __future__ import annotations

from opgen.terminal import escape_controls

import difflib
import json
from dataclasses import asdict, dataclass, field, replace
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
    # The shared cause, in plural words ("figures are for years outside the plan period 2014/15"):
    # diagnostics with the same file, severity, code and cause are one fix, and are printed as
    # one message when there are many of them (see `grouped`).
    cause: str = ""
    count: int = 1          # how many problems this one message stands for
    lines: tuple = ()       # their lines, when it stands for more than one

    def as_text(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.severity}: {self.message}"
        if self.yaml_path:
            text += f" (at {self.yaml_path})"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return escape_controls(text)

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


GROUP_OVER = 3  # more problems than this with one cause and one fix are printed as one message


def grouped(diagnostics: Iterable[Diagnostic], over: int = GROUP_OVER) -> list[Diagnostic]:
    """Where one fix resolves many problems (56 figures for years outside the plan period, 30 dates
    written the same wrong way), one message with the count and the lines instead of one per cell:
    diagnostics with the same file, severity, code and cause are merged when there are more
    than `over` of them. The first (by position) keeps its place as the location; the message says
    how many and lists every line. Diagnostics without a cause are never merged."""
    ordered = sorted(diagnostics, key=sort_key)
    groups: dict[tuple, list[Diagnostic]] = {}
    for d in ordered:
        if d.cause:
            groups.setdefault((d.file, d.severity, d.code, d.cause), []).append(d)
    out: list[Diagnostic] = []
    done: set[tuple] = set()
    for d in ordered:
        key = (d.file, d.severity, d.code, d.cause)
        members = groups.get(key) if d.cause else None
        if not members or len(members) <= over:
            out.append(d)
            continue
        if key in done:
            continue
        done.add(key)
        lines = tuple(sorted({m.line for m in members if m.line}))
        listed = ", ".join(str(n) for n in lines)
        message = f"{len(members):,} {d.cause}: line{'s' * (len(lines) != 1)} {listed}"
        hint = d.hint if all(m.hint == d.hint for m in members) else f"{d.hint} (line {d.line}; likewise on each line)"
        out.append(replace(d, message=message, hint=hint, yaml_path="", count=len(members), lines=lines))
    return out


def format_text(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.as_text() for d in grouped(diagnostics))


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in grouped(diagnostics)], indent=2, ensure_ascii=False)


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
