"""`opgen new FILE`: a commented starter plan that validates."""

from __future__ import annotations

import os
from pathlib import Path

from opgen.diagnostics import UserError


def register(sub) -> None:
    p = sub.add_parser("new", help="write a commented starter plan")
    p.add_argument("file", metavar="FILE", help="where to write it, e.g. plans/my-plan.yaml")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=run)


def run(args) -> int:
    from opgen.resources import SCHEMA_PATH, TEMPLATES_DIR
    from opgen.write import write_atomic

    target = Path(args.file)
    if target.exists() and not args.force:
        raise UserError(f"{target} already exists; choose another name or add --force to overwrite it")
    if target.suffix not in (".yaml", ".yml"):
        raise UserError(f"{target}: a plan file should end in .yaml")
    schema_ref = _schema_reference(target.resolve().parent, SCHEMA_PATH)
    text = (TEMPLATES_DIR / "new-plan.yaml").read_text(encoding="utf-8").replace("{{SCHEMA}}", schema_ref)
    try:
        write_atomic(target, text.encode("utf-8"))
    except OSError as e:
        raise UserError(f"cannot write {target}: {e.strerror}") from None
    print(f"wrote {target}: edit it, then run: opgen validate {target}")
    return 0


def _schema_reference(folder: Path, installed: Path) -> str:
    """The schema path for the editor modeline: a schemas/plan.schema.json in the plan's repository
    (relative, so it works for everyone who clones it), else opgen's own copy (absolute)."""
    for parent in [folder, *folder.parents]:
        candidate = parent / "schemas" / "plan.schema.json"
        if candidate.is_file():
            return os.path.relpath(candidate, folder)
    return str(installed)
