"""`opgen return export|import`: quarterly returns from programme leads, by spreadsheet.

    opgen return export PLAN --quarter "2015/16 Q2" [--by lead|domain] --out DIR
    opgen return import PLAN FILE... [--quarter Q] [--force] [--dry-run]

Exit codes: 0 done (import: the values are written, or there was nothing to write), 1 problems (an
invalid plan, a return refused: nothing written), 2 trouble (a missing file, bad usage, an
unwritable output)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from opgen.cli.output import print_diagnostics, say, use_colour
from opgen.diagnostics import UserError
from opgen.terminal import escape_controls

EXIT_OK, EXIT_PROBLEMS, EXIT_TROUBLE = 0, 1, 2


def register(sub) -> None:
    p = sub.add_parser("return", help="quarterly returns from programme leads, by spreadsheet (export, import)")
    inner = p.add_subparsers(dest="return_command", metavar="export|import", parser_class=type(p))
    e = inner.add_parser("export", help="one .xlsx per lead (or domain) for a quarter")
    e.add_argument("plan", metavar="PLAN", help="plan file (.yaml)")
    e.add_argument("--quarter", required=True, metavar="QUARTER", help='the quarter being reported, e.g. "2015/16 Q2"')
    e.add_argument("--by", choices=("lead", "domain"), default="lead", help="one workbook per lead (default) or per domain")
    e.add_argument("--out", required=True, metavar="DIR", help="folder to write the workbooks to")
    e.set_defaults(func=run_export)
    i = inner.add_parser("import", help="check returned workbooks and write their values into the plan")
    i.add_argument("plan", metavar="PLAN", help="plan file (.yaml)")
    i.add_argument("files", nargs="+", metavar="FILE", help="returned workbooks (.xlsx)")
    i.add_argument("--quarter", metavar="QUARTER", help="the quarter being collected; a return for another is refused")
    i.add_argument("--force", action="store_true",
                   help="import a return exported from another version of the plan, leaving out items no longer in it")
    i.add_argument("--dry-run", action="store_true", help="check and show the changes; write nothing")
    i.set_defaults(func=run_import)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_TROUBLE


def _load(path: str):
    """(PlanResult, raw bytes) of a valid plan; None after saying why."""
    from opgen.pipeline import plan_from_file

    if not os.path.exists(path):
        raise UserError(f"{path}: file not found")
    if os.path.isdir(path):
        raise UserError(f"{path} is a folder; name a plan file (.yaml)")
    result = plan_from_file(path)
    codes = {d.code for d in result.report.errors}
    if codes & {"not-found", "not-a-file", "io"}:
        raise UserError(f"{path}: {result.report.errors[0].message}")
    if result.plan is None:
        print_diagnostics(result.report.errors)
        say(f"{path} is not a valid plan: fix the errors above first (opgen validate {path})")
        return None
    return result, Path(path).read_bytes()


def run_export(args) -> int:
    from opgen import display
    from opgen.render import document_timestamp
    from opgen.returns.export import ExportError, check_quarter, export
    from opgen.write import write_atomic

    loaded = _load(args.plan)
    if loaded is None:
        return EXIT_PROBLEMS
    result, raw = loaded
    plan = result.plan
    try:
        quarter = check_quarter(plan, args.quarter)
        books = export(plan, result.document.data, raw, args.plan, quarter, args.by,
                       timestamp=document_timestamp(plan.meta.date))
    except ExportError as e:
        raise UserError(str(e)) from None
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise UserError(f"--out {args.out} is a file; name a folder")
    for book in books:
        target = os.path.join(args.out, book.filename)
        try:
            write_atomic(target, book.data)
        except OSError as e:
            raise UserError(f"cannot write {target}: {e.strerror or e}") from None
        print(escape_controls(f"{target}: {display.return_name(quarter, book.who, args.by)}, "
                              f"{book.rows} item{'s' * (book.rows != 1)}"))
    return EXIT_OK


def run_import(args) -> int:
    from opgen.diff import diff_plans
    from opgen.diff.report import render_text
    from opgen.periods import PeriodError, Quarter
    from opgen.pipeline import plan_from_bytes
    from opgen.returns.apply import apply
    from opgen.returns.read import RECORD, Problem, check_quarters, read_return
    from opgen.write import write_atomic
    from opgen.yamledit import EditError

    loaded = _load(args.plan)
    if loaded is None:
        return EXIT_PROBLEMS
    result, raw = loaded
    plan, data, text = result.plan, result.document.data, result.document.text
    expected = None
    if args.quarter:
        try:
            expected = Quarter.parse(args.quarter.strip())
        except PeriodError:
            raise UserError(f"--quarter '{args.quarter}' is not a quarter; write it as \"2015/16 Q2\"") from None
    for f in args.files:
        if not os.path.exists(f):
            raise UserError(f"{f}: file not found")
        if os.path.isdir(f):
            raise UserError(f"{f} is a folder; name the returned workbooks (.xlsx)")
    returns = [read_return(f, plan, data, plan_name=args.plan) for f in args.files]
    check_quarters(returns, plan, expected)
    errors = [p for r in returns for p in r.errors]
    guards = [p for r in returns for p in r.guards]
    seen: dict[tuple, tuple] = {}
    for r in returns:
        for u in r.updates:
            other = seen.get(u.path)
            if other and other[2] != u.value:
                errors.append(Problem(
                    f"{r.name}, sheet {u.sheet}, {u.cell} ({u.item_id})",
                    f"{other[0]} ({other[1]}) gives another value for the same thing; keep one of the two"))
            seen.setdefault(u.path, (r.name, u.cell, u.value))
    for p in errors:
        print(escape_controls(str(p)))
    if errors:
        say(f"nothing imported: {len(errors)} problem{'s' * (len(errors) != 1)} in the returns (above); "
            f"{args.plan} is unchanged")
        return EXIT_PROBLEMS
    if guards:
        for p in guards:
            print(escape_controls(str(p)))
        if not args.force:
            say(f"nothing imported: {'these problems need' if len(guards) != 1 else 'this problem needs'} "
                f"--force to import anyway; {args.plan} is unchanged")
            return EXIT_PROBLEMS
        say(f"--force: importing despite the {len(guards)} problem{'s' * (len(guards) != 1)} above")
    changes = list({u.path: (u.path, u.value) for r in returns for u in r.updates}.values())
    # the values the returns gave (not the quarter's risk scores the import keeps besides them)
    returned = len({u.path for r in returns for u in r.updates if not u.key.startswith(RECORD)})
    if not changes:
        print(f"nothing to import: every input cell of {len(returns)} return{'s' * (len(returns) != 1)} is blank "
              f"or already says what {args.plan} says")
        return EXIT_OK
    rag_quarters = sorted({r.quarter for r in returns for u in r.updates if u.key == "rag"})
    if rag_quarters and not plan.meta.as_at_stated:
        # a plan reporting RAG needs an as-at quarter: the returns' is the only one it can be
        changes.append((("plan", "as_at"), rag_quarters[-1].label))
        print(f"note: {args.plan} had no plan.as_at; the returns report RAG, so it is set to "
              f"\"{rag_quarters[-1].label}\" (the quarter the papers show)")
    try:
        new_text = apply(text, changes)
    except EditError as e:
        say(f"cannot write the returns into {args.plan}: {e}; this is a bug in opgen, please report it with "
            f"the plan and the returns; {args.plan} is unchanged")
        return EXIT_TROUBLE
    after = plan_from_bytes(new_text.encode("utf-8"), args.plan)
    if after.plan is None:
        _cells_of(after.report.errors, returns)
        print_diagnostics(after.report.errors)
        say(f"nothing imported: with the returned values {args.plan} would not be a valid plan (above); "
            f"correct the returns and import again; {args.plan} is unchanged")
        return EXIT_PROBLEMS
    changes_report = diff_plans(plan, after.plan, old_warnings=result.report.warnings,
                                new_warnings=after.report.warnings, old_label=args.plan,
                                new_label=f"{args.plan} with {len(returns)} return{'s' * (len(returns) != 1)}")
    sys.stdout.write(render_text(changes_report, color=use_colour(sys.stdout)))
    if args.dry_run:
        print(f"dry run: {returned} value{'s' * (returned != 1)} checked; {args.plan} is unchanged")
        return EXIT_OK
    if Path(args.plan).read_bytes() != raw:
        say(f"{args.plan} changed while the returns were being read; nothing imported, run the import again")
        return EXIT_TROUBLE
    try:
        write_atomic(args.plan, new_text.encode("utf-8"))
    except OSError as e:
        raise UserError(f"cannot write {args.plan}: {e.strerror or e}; the plan is unchanged") from None
    print(f"imported {returned} value{'s' * (returned != 1)} from {len(returns)} "
          f"return{'s' * (len(returns) != 1)} into {args.plan}")
    quarters = {r.quarter for r in returns if r.quarter is not None}
    if plan.meta.as_at_stated and quarters and max(quarters) > plan.meta.as_at:
        latest = max(quarters)
        print(f"note: {args.plan} is as at {plan.meta.as_at.label}; once every {latest.label} return is in, set "
              f"plan.as_at to \"{latest.label}\" so the papers show this quarter")
    return EXIT_OK



def _cells_of(diagnostics, returns) -> None:
    """Print, for each problem the re-validated plan has at a value a return wrote, the return's cell
    with the problem (the plan's own located message follows)."""
    from opgen.diagnostics import parse_yaml_path

    for d in diagnostics:
        where = parse_yaml_path(d.yaml_path)
        if not where:
            continue
        for r in returns:
            for u in r.updates:
                if u.path[:len(where)] == where or where[:len(u.path)] == u.path:
                    print(escape_controls(f"{r.name}, sheet {u.sheet}, {u.cell} ({u.item_id}): {d.message}"
                                          + (f"; {d.hint}" if d.hint else "")))
