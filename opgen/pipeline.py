"""load -> validate -> model, for a file or for bytes (a git revision). Used by build and diff."""

from __future__ import annotations

from dataclasses import dataclass

from opgen.diagnostics import Report
from opgen.load import Document, LoadError, load_bytes, load_file
from opgen.model import Plan
from opgen.validate import validate_and_build


@dataclass(slots=True)
class PlanResult:
    """A plan file's diagnostics and, when it has no errors, its model."""

    report: Report
    document: Document | None
    plan: Plan | None

    @property
    def ok(self) -> bool:
        return self.plan is not None


def _finish(name: str, loader) -> PlanResult:
    report = Report(name)
    try:
        doc = loader()
    except LoadError as e:
        report.diagnostics.append(e.diagnostic)
        return PlanResult(report, None, None)
    diagnostics, plan = validate_and_build(doc)
    report.diagnostics.extend(diagnostics)
    return PlanResult(report, doc, plan)


def plan_from_file(path) -> PlanResult:
    """Load, validate and (if there are no errors) build the model of a plan file."""
    return _finish(str(path), lambda: load_file(path))


def plan_from_bytes(raw: bytes, name: str) -> PlanResult:
    """As plan_from_file, for content read elsewhere (e.g. `git show REV:path`)."""
    return _finish(name, lambda: load_bytes(raw, name))
