"""Command line: `opgen validate | build | diff | new | init | schema`. Thin: parses arguments, calls a
stage, prints, and turns any unexpected failure into one line and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from opgen import __version__

EXIT_OK, EXIT_INVALID, EXIT_TROUBLE = 0, 1, 2
TROUBLE_CODES = {"not-found", "not-a-file", "io"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with a hint, as argparse does, minus the noise
        self.print_usage(sys.stderr)
        sys.stderr.write(f"opgen: {message}\n  try: {self.prog} --help\n")
        raise SystemExit(EXIT_TROUBLE)


def _color(stream) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def command_validate(args) -> int:
    from opgen.diagnostics import format_json
    from opgen.scaffold import stale_schema_notes
    from opgen.validate import validate_file

    all_diagnostics = []
    status = EXIT_OK
    summaries = []
    for path in args.plans:
        report, _ = validate_file(path)
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


def print_diagnostics(diagnostics, stream=None, strict: bool = False) -> None:
    """Print diagnostics as `file:line:col: severity: message` with a fix line, coloured on a terminal."""
    from opgen.diagnostics import ERROR, sort_key

    stream = stream or sys.stdout
    colour = _color(stream)
    for d in sorted(diagnostics, key=sort_key):
        text = d.as_text()
        if colour:
            code = "31" if d.severity == ERROR or strict else "33"
            text = text.replace(f": {d.severity}: ", f": \033[1;{code}m{d.severity}\033[0m: ", 1)
        print(text, file=stream)


def command_schema(args) -> int:
    from opgen.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def command_new(args) -> int:
    from opgen.scaffold import modeline_reference, starter_plan_text
    from opgen.write import write_atomic

    target = Path(args.file)
    if target.exists() and not args.force:
        print(f"opgen: {target} already exists; choose another name or add --force to overwrite it", file=sys.stderr)
        return EXIT_TROUBLE
    if target.suffix not in (".yaml", ".yml"):
        print(f"opgen: {target}: a plan file should end in .yaml", file=sys.stderr)
        return EXIT_TROUBLE
    schema_ref = modeline_reference(target.resolve().parent)
    try:
        write_atomic(target, starter_plan_text(schema_ref).encode("utf-8"))
    except OSError as e:
        print(f"opgen: cannot write {target}: {e.strerror}", file=sys.stderr)
        return EXIT_TROUBLE
    print(f"wrote {target}: edit it, then run: opgen validate {target}")
    if schema_ref is None:
        print("hint: no schemas/plan.schema.json above it, so no editor modeline; for editor checking run "
              "`opgen init` at the root of your plans repository")
    return EXIT_OK


def command_init(args) -> int:
    from opgen.scaffold import SCHEMA_COPY, ScaffoldError, Source, init_repository, update_schema

    root = Path(args.dir)
    try:
        if args.update_schema:
            changed = update_schema(root)
            print(f"{'updated' if changed else 'already up to date:'} {root / SCHEMA_COPY}")
            return EXIT_OK
        source = Source(args.opgen_source or Source.repository, args.opgen_rev or Source.rev)
        written = init_repository(root, source, force=args.force)
    except ScaffoldError as e:
        print(f"opgen: {e}", file=sys.stderr)
        return EXIT_TROUBLE
    except OSError as e:
        print(f"opgen: cannot write into {root}: {e.strerror or e}", file=sys.stderr)
        return EXIT_TROUBLE
    for relative in written:
        print(f"wrote {root / relative}")
    if source.is_placeholder:
        print(f"note: .pre-commit-config.yaml and .github/workflows/plans.yml install opgen from "
              f"{source.repository}, a placeholder: rerun with --opgen-source URL --force, or edit them")
    go = "" if root.resolve() == Path.cwd().resolve() else f"cd {root} && "
    print(f"next: {go}git init && git add . && git commit -m 'Plans repository', then push; "
          f"`pre-commit install` checks plans on every commit")
    return EXIT_OK


def command_build(args) -> int:
    from opgen.build import run_build

    return run_build(args)


def command_diff(args) -> int:
    from opgen.diff_cli import run_diff

    return run_diff(args)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="opgen", description="NHS operational plans as code: validate plans, build board "
                                               "papers, and show what changed between versions.")
    parser.add_argument("--version", action="version", version=f"opgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("validate", help="check plans and report every problem with file:line:column")
    p.add_argument("plans", nargs="+", metavar="PLAN", help="plan files (.yaml)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (for the board version)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    p.set_defaults(func=command_validate)

    p = sub.add_parser("build", help="build plan on a page, full plan PDF and Word annex")
    p.add_argument("plans", nargs="*", metavar="PLAN|DIR", help="plan files or folders (default plans/)")
    p.add_argument("--out", default="build", help="output folder (default build/)")
    p.add_argument("--format", choices=["pdf", "docx", "html", "all"], default="all",
                   help="what to build (default all: both PDFs and the Word annex)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.set_defaults(func=command_build)

    p = sub.add_parser("diff", help="what changed between two versions of a plan")
    p.add_argument("old", metavar="OLD|PLAN", help="old plan file, or the plan with --from")
    p.add_argument("new", nargs="?", metavar="NEW", help="new plan file")
    p.add_argument("--from", dest="from_rev", metavar="REV", help="git revision of the old version")
    p.add_argument("--to", dest="to_rev", metavar="REV", help="git revision of the new version (default: working tree)")
    p.add_argument("--format", choices=["text", "markdown", "json", "html", "pdf"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (required for pdf)")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--textconv", action="store_true",
                   help="print one plan as normalised text, for git's diff.opgen.textconv (see docs/git-diff.md)")
    p.set_defaults(func=command_diff)

    p = sub.add_parser("new", help="write a commented starter plan")
    p.add_argument("file", metavar="FILE", help="where to write it, e.g. plans/my-plan.yaml")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=command_new)

    p = sub.add_parser("init", help="set up a plans repository: plans/, schema, editor settings, pre-commit, CI")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the repository folder (default .)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.add_argument("--update-schema", action="store_true",
                   help="only refresh schemas/plan.schema.json from the installed opgen")
    p.add_argument("--opgen-source", metavar="URL", help="git repository CI and pre-commit install opgen from")
    p.add_argument("--opgen-rev", metavar="REV", help=f"opgen version (tag or commit) to pin (default v{__version__})")
    p.set_defaults(func=command_init)

    p = sub.add_parser("schema", help="print the plan JSON Schema")
    p.set_defaults(func=command_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_TROUBLE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("opgen: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - the last line of defence: no traceback reaches a user
        print(f"opgen: internal error: {type(e).__name__}: {e}\n  this is a bug in opgen, not in your plan; "
              f"please report it with the plan file (set OPGEN_DEBUG=1 for details)", file=sys.stderr)
        if os.environ.get("OPGEN_DEBUG"):
            import traceback
            traceback.print_exc()
        return EXIT_TROUBLE
