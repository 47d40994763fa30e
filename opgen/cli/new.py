"""`opgen new FILE`: a commented starter plan that validates."""

from __future__ import annotations

from pathlib import Path

from opgen.diagnostics import UserError


def register(sub) -> None:
    p = sub.add_parser("new", help="write a commented starter plan")
    p.add_argument("file", metavar="FILE", help="where to write it, e.g. plans/my-plan.yaml")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=run)


def run(args) -> int:
    from opgen.scaffold import modeline_reference, starter_plan_text
    from opgen.write import write_atomic

    target = Path(args.file)
    if target.exists() and not args.force:
        raise UserError(f"{target} already exists; choose another name or add --force to overwrite it")
    if target.suffix not in (".yaml", ".yml"):
        raise UserError(f"{target}: a plan file should end in .yaml")
    schema_ref = modeline_reference(target.resolve().parent)
    try:
        write_atomic(target, starter_plan_text(schema_ref).encode("utf-8"))
    except OSError as e:
        raise UserError(f"cannot write {target}: {e.strerror}") from None
    print(f"wrote {target}: edit it, then run: opgen validate {target}")
    if schema_ref is None:
        print("hint: no schemas/plan.schema.json above it, so no editor modeline; for editor checking run "
              "`opgen init` at the root of your plans repository")
    return 0

