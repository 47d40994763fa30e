"""`opgen init [DIR]`: scaffold a plans repository that works on first push (opgen/scaffold.py)."""

from __future__ import annotations

from pathlib import Path

from opgen import __version__
from opgen.diagnostics import UserError


def register(sub) -> None:
    p = sub.add_parser("init", help="set up a plans repository: plans/, schema, editor settings, pre-commit, CI")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the repository folder (default .)")
    p.add_argument("--force", action="store_true", help="overwrite files that already exist")
    p.add_argument("--update-schema", action="store_true",
                   help="only refresh schemas/plan.schema.json from the installed opgen")
    p.add_argument("--opgen-source", metavar="URL", help="git repository CI and pre-commit install opgen from")
    p.add_argument("--opgen-rev", metavar="REV", help=f"opgen version (tag or commit) to pin (default v{__version__})")
    p.set_defaults(func=run)


def run(args) -> int:
    from opgen.scaffold import SCHEMA_COPY, Source, init_repository, update_schema

    root = Path(args.dir)
    try:
        if args.update_schema:
            changed = update_schema(root)
            print(f"{'updated' if changed else 'already up to date:'} {root / SCHEMA_COPY}")
            return 0
        source = Source(args.opgen_source or Source.repository, args.opgen_rev or Source.rev)
        written = init_repository(root, source, force=args.force)
    except OSError as e:
        raise UserError(f"cannot write into {root}: {e.strerror or e}") from None
    for relative in written:
        print(f"wrote {root / relative}")
    if source.is_placeholder:
        print(f"note: .pre-commit-config.yaml and .github/workflows/plans.yml install opgen from "
              f"{source.repository}, a placeholder: rerun with --opgen-source URL --force, or edit them")
    go = "" if root.resolve() == Path.cwd().resolve() else f"cd {root} && "
    print(f"next: {go}git init && git add . && git commit -m 'Plans repository', then push; "
          f"`pre-commit install` checks plans on every commit")
    return 0
