"""`opgen migrate PLAN...`: upgrade plans to the current format in place, keeping comments and layout."""

from __future__ import annotations

import difflib
import sys

from opgen.cli.output import print_diagnostics, say

EXIT_OK, EXIT_NEEDED, EXIT_TROUBLE = 0, 1, 2


def register(sub) -> None:
    p = sub.add_parser("migrate", help="upgrade plans to the current format (schema_version 2), in place")
    p.add_argument("plans", nargs="+", metavar="PLAN", help="plan files (.yaml)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--check", action="store_true", help="write nothing; exit 1 if a plan needs upgrading")
    how.add_argument("--diff", action="store_true", help="write nothing; print the changes as a unified diff")
    p.set_defaults(func=run)


def _one(path: str, args) -> int:
    from opgen.load import LoadError, load_file
    from opgen.migrate import CURRENT_VERSION, migrate_text
    from opgen.pipeline import plan_from_bytes
    from opgen.write import write_atomic

    try:
        doc = load_file(path)
    except LoadError as e:
        print_diagnostics([e.diagnostic])
        return EXIT_TROUBLE
    before = plan_from_bytes(doc.text.encode("utf-8"), path).report
    if before.errors:
        print_diagnostics(before.errors)
        say(f"{path}: not migrated: fix the errors above first (opgen validate {path})")
        return EXIT_TROUBLE
    result = migrate_text(doc.text, doc.data)
    if not result.changed:
        print(f"{path}: already version {CURRENT_VERSION}")
        return EXIT_OK
    after = plan_from_bytes(result.text.encode("utf-8"), path).report
    if after.errors:  # a bug in a step, never the author's doing: keep their file as it is
        print_diagnostics(after.errors)
        say(f"{path}: not migrated: the upgraded plan would not validate; this is a bug in opgen, "
            f"please report it with the plan file")
        return EXIT_TROUBLE
    if args.diff:
        sys.stdout.writelines(difflib.unified_diff(doc.text.splitlines(keepends=True),
                                                   result.text.splitlines(keepends=True),
                                                   fromfile=f"{path} (version {result.old_version})",
                                                   tofile=f"{path} (version {CURRENT_VERSION})"))
        return EXIT_NEEDED
    if args.check:
        print(f"{path}: version {result.old_version}: needs `opgen migrate {path}`")
        return EXIT_NEEDED
    try:
        write_atomic(path, result.text.encode("utf-8"))
    except OSError as e:
        say(f"cannot write {path}: {e.strerror}; the plan is unchanged")
        return EXIT_TROUBLE
    print(f"{path}: upgraded to version {CURRENT_VERSION} ({'; '.join(result.notes)})")
    return EXIT_OK


def run(args) -> int:
    status = EXIT_OK
    for path in args.plans:  # one broken plan does not stop the others
        status = max(status, _one(path, args))
    return status
