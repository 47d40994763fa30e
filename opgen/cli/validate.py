"""`opgen validate PLAN...`: every problem as file:line:column with a fix line."""

from __future__ import annotations

import sys

from opgen.cli.output import print_diagnostics
from opgen.diagnostics import format_json

EXIT_OK, EXIT_INVALID, EXIT_TROUBLE = 0, 1, 2
TROUBLE_CODES = {"not-found", "not-a-file", "io"}


def register(sub) -> None:
    p = sub.add_parser("validate", help="check plans and report every problem with file:line:column")
    p.add_argument("plans", nargs="+", metavar="PLAN", help="plan files (.yaml)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (for the board version)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    p.set_defaults(func=run)


def run(args) -> int:
    from opgen.pipeline import plan_from_file
    from opgen.scaffold import stale_schema_notes

    all_diagnostics = []
    status = EXIT_OK
    summaries = []
    for path in args.plans:
        report = plan_from_file(path).report
        all_diagnostics.extend(report.diagnostics)
        if any(d.code in TROUBLE_CODES for d in report.errors):
            status = EXIT_TROUBLE
        elif report.failed(args.strict) and status == EXIT_OK:
            status = EXIT_INVALID
        errors, warnings = len(report.errors), len(report.warnings)
        verdict = "invalid" if report.failed(args.strict) else "valid"
        summaries.append(f"{path}: {verdict} ({errors} error{'s' * (errors != 1)}, "
                         f"{warnings} warning{'s' * (warnings != 1)})")
    if args.format == "json":
        print(format_json(all_diagnostics))
    else:
        print_diagnostics(all_diagnostics, strict=args.strict)
        for line in summaries:
            print(line)
    sys.stdout.flush()
    for note in stale_schema_notes(args.plans):  # once per run, on stderr: not a problem of the plan
        print(note, file=sys.stderr)
    return status
