"""`opgen diff`: read the two versions (files or git revisions), compare, format, write.

    opgen diff OLD.yaml NEW.yaml
    opgen diff plans/x.yaml --from HEAD~1            # old from git, new from the working tree
    opgen diff plans/x.yaml --from v1.0 --to v1.1     # both from git
    opgen diff --textconv plans/x.yaml                # normalised text, for git's diff.opgen.textconv

Exit codes as diff(1): 0 no changes, 1 changes, 2 trouble (a side missing or invalid, a bad revision,
a file outside git, an unwritable output). Trouble is one clear line on stderr naming which side (a
UserError, printed by the command line's one error boundary),
followed by that side's located diagnostics; never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

from opgen import gitsource
from opgen.cli.output import print_diagnostics, say, use_colour
from opgen.gitsource import GIT_TIMEOUT, Source  # noqa: F401 - Source and GIT_TIMEOUT are part of this module's API
from opgen.terminal import escape_controls
from opgen.diagnostics import UserError

EXIT_SAME, EXIT_CHANGED, EXIT_TROUBLE = 0, 1, 2
FORMATS = ("text", "markdown", "json", "html", "pdf")


def register(sub) -> None:
    p = sub.add_parser("diff", help="what changed between two versions of a plan")
    p.add_argument("old", metavar="OLD|PLAN", help="old plan file, or the plan with --from")
    p.add_argument("new", nargs="?", metavar="NEW", help="new plan file")
    p.add_argument("--from", dest="from_rev", metavar="REV", help="git revision of the old version")
    p.add_argument("--to", dest="to_rev", metavar="REV", help="git revision of the new version (default: working tree)")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE (required for pdf)")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--textconv", action="store_true",
                   help="print one plan as normalised text, for git's diff.opgen.textconv (see docs/git-diff.md)")
    p.set_defaults(func=run_diff)


def sources(args) -> tuple[Source, Source]:
    """The two sides the arguments name."""
    from_rev, to_rev = getattr(args, "from_rev", None), getattr(args, "to_rev", None)
    if from_rev is None and to_rev is None:
        if not args.new:
            raise UserError("name two plan files (opgen diff OLD.yaml NEW.yaml), or one plan and a git revision "
                          "(opgen diff PLAN.yaml --from HEAD~1)")
        return Source("old", args.old), Source("new", args.new)
    if args.new:
        raise UserError("with --from/--to name one plan, e.g. opgen diff plans/x.yaml --from HEAD~1")
    if from_rev is None:
        raise UserError("--to needs --from: opgen diff PLAN.yaml --from REV --to REV")
    repo, rel = gitsource.repository(args.old)
    gitsource.check_revision(repo, from_rev)
    if to_rev is not None:
        gitsource.check_revision(repo, to_rev)
    old = Source("old", args.old, from_rev, repo, rel)
    new = Source("new", args.old, to_rev, repo, rel) if to_rev is not None else Source("new", args.old, None, repo, rel)
    return old, new


def load(source: Source):
    """The side's PlanResult (opgen.gitsource.load). Missing-at-revision becomes a UserError naming the side."""
    return gitsource.load(source)


def _report_invalid(source: Source, result) -> None:
    errors = result.report.errors
    codes = {d.code for d in errors}
    if codes & {"not-found"}:
        say(f"{source.label}: file not found")
    elif codes & {"not-a-file", "io"}:
        say(f"{source.label}: cannot be read")
    else:
        say(f"{source.label} is not a valid plan ({len(errors)} error{'s' * (len(errors) != 1)}); "
             f"fix it, or check with: opgen validate")
    print_diagnostics(errors, stream=sys.stderr)


def _use_colour(args) -> bool:
    if getattr(args, "output", None) and args.color != "always":
        return False
    return use_colour(sys.stdout, getattr(args, "color", "auto") or "auto")


def render(changes, fmt: str, *, colour: bool = False, timestamp=None) -> bytes:
    from opgen.diff import report as diff_report

    if fmt == "text":
        return diff_report.render_text(changes, color=colour).encode("utf-8")
    if fmt == "markdown":
        return escape_controls(diff_report.render_markdown(changes)).encode("utf-8")
    if fmt == "json":
        return diff_report.render_json(changes).encode("utf-8")
    if fmt == "html":
        return diff_report.render_web(changes).encode("utf-8")
    if fmt == "pdf":
        return diff_report.render_pdf(changes, timestamp)
    raise UserError(f"unknown format '{fmt}' (choose from {', '.join(FORMATS)})")


def _emit(data: bytes, args, fmt: str) -> None:
    from opgen.write import write_atomic

    output = getattr(args, "output", None)
    if output and output != "-":
        try:
            write_atomic(output, data)
        except OSError as e:
            raise UserError(f"cannot write {output}: {e.strerror or e}") from None
        return
    if fmt == "pdf" and sys.stdout.isatty():
        raise UserError("a PDF is binary: write it with --output FILE (or redirect stdout to a file)")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def run_textconv(args) -> int:
    """Print one plan as normalised text (for git's textconv). An invalid plan is shown as written,
    after a note, so `git diff` and `git log -p` never fail on a broken revision."""
    from opgen.pipeline import plan_from_file
    from opgen.render.textconv import render_textconv

    if args.new or getattr(args, "from_rev", None) or getattr(args, "to_rev", None):
        raise UserError("--textconv takes one plan file and no --from/--to")
    result = plan_from_file(args.old)
    text = None
    if result.plan is not None:
        try:
            text = render_textconv(result.plan, result.report.warnings)
        except Exception:  # noqa: BLE001 - git must never fail on a revision: show it as written
            text = None
    if text is None:
        codes = {d.code for d in result.report.errors}
        if codes & {"not-found", "not-a-file", "io"}:
            say(f"{args.old}: {result.report.errors[0].message}")
            return EXIT_TROUBLE
        try:
            raw = Path(args.old).read_bytes().decode("utf-8", "replace")
        except OSError as e:
            raise UserError(f"cannot read {args.old}: {e.strerror}") from None
        errors = result.report.errors
        if errors:
            text = (f"# opgen textconv: this version is not a valid plan ({len(errors)} error"
                    f"{'s' * (len(errors) != 1)}); shown as written\n"
                    + "".join(f"# {d.message}\n" for d in errors[:5]) + raw)
        else:
            text = "# opgen textconv: this version could not be laid out as text; shown as written\n" + raw
    _emit(escape_controls(text).encode("utf-8"), args, "text")
    return EXIT_SAME


def run_diff(args) -> int:
    from opgen.diff import diff_plans
    from opgen.render import document_timestamp

    if getattr(args, "textconv", False):
        return run_textconv(args)
    fmt = getattr(args, "format", "text") or "text"
    if fmt == "pdf" and not getattr(args, "output", None) and sys.stdout.isatty():
        raise UserError("a PDF is binary: write it with --output FILE (or redirect stdout to a file)")
    old_src, new_src = sources(args)
    results = []
    for source in (old_src, new_src):
        result = load(source)
        if result.plan is None:
            _report_invalid(source, result)
            return EXIT_TROUBLE
        results.append(result)
    old, new = results
    changes = diff_plans(old.plan, new.plan, old_warnings=old.report.warnings,
                         new_warnings=new.report.warnings, old_label=old_src.where, new_label=new_src.where)
    data = render(changes, fmt, colour=_use_colour(args) if fmt == "text" else False,
                  timestamp=document_timestamp(new.plan.meta.date))
    _emit(data, args, fmt)
    return EXIT_CHANGED if changes else EXIT_SAME
