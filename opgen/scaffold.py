"""A plans repository that works on first push (`opgen init`), the editor modeline `opgen new` writes,
and the check that a repository's copy of the schema matches the installed opgen.

The scaffold's file texts are package resources under `opgen/resources/scaffold/`. A path component
written `dot-x` there becomes `.x` in the repository (so the wheel and any packaging tool carry them
like ordinary files). `{{OPGEN_SOURCE}}`, `{{OPGEN_REV}}` and `{{OPGEN_PIP}}` in a text are filled in
from the options of `opgen init`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from opgen import __version__
from opgen.diagnostics import UserError
from opgen.resources import RESOURCES_DIR, SCHEMA_PATH, TEMPLATES_DIR

SCAFFOLD_DIR = RESOURCES_DIR / "scaffold"
SCHEMA_COPY = Path("schemas") / "plan.schema.json"
STARTER_PLAN = Path("plans") / "starter-plan.yaml"
# Where plans repositories get opgen from (pre-commit hooks, CI). Until opgen has a public home this is a
# placeholder: `opgen init --opgen-source URL` fills in the real one.
OPGEN_REPOSITORY = "https://github.com/YOUR-ORG/opgen"
UPDATE_SCHEMA_COMMAND = "opgen init --update-schema"


# --- modelines -----------------------------------------------------------------------------------------

def find_schema_copy(folder: Path) -> Path | None:
    """The nearest `schemas/plan.schema.json` walking up from `folder` (the repository's copy)."""
    folder = Path(os.path.abspath(folder))
    for parent in [folder, *folder.parents]:
        candidate = parent / SCHEMA_COPY
        if candidate.is_file():
            return candidate
    return None


def modeline_reference(folder: Path) -> str | None:
    """The schema path for a plan in `folder`, relative so it works for everyone who clones the
    repository; None when there is no schema copy above it (never an absolute path of this machine)."""
    copy = find_schema_copy(folder)
    if copy is None:
        return None
    try:
        return Path(os.path.relpath(copy, os.path.abspath(folder))).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return None


NO_MODELINE = ("# Editor checking: run `opgen init` at the root of your plans repository; it adds "
               "schemas/plan.schema.json and the VS Code settings.")


def starter_plan_text(schema_reference: str | None) -> str:
    """The commented starter plan (`opgen new`, `opgen init`), with its modeline when there is a
    schema to point at, and otherwise a comment saying how to get one."""
    text = (TEMPLATES_DIR / "new-plan.yaml").read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    if schema_reference is None:
        return NO_MODELINE + "\n" + rest
    return first.replace("{{SCHEMA}}", schema_reference) + "\n" + rest


# --- the schema copy -------------------------------------------------------------------------------------

def _same_schema(copy: Path) -> bool:
    """The copy says what the packaged schema says (compared as JSON, so line endings and
    re-indentation by an editor do not count as a difference)."""
    try:
        return json.loads(copy.read_text(encoding="utf-8")) == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False


def stale_schema_copies(plan_paths) -> list[Path]:
    """The distinct schema copies (nearest `schemas/plan.schema.json` above each plan) that differ
    from the installed opgen's schema."""
    stale: dict[Path, None] = {}
    checked: set[Path] = set()
    for plan in plan_paths:
        copy = find_schema_copy(Path(os.path.abspath(plan)).parent)
        if copy is None or copy in checked:
            continue
        checked.add(copy)
        if not _same_schema(copy):
            stale[copy] = None
    return list(stale)


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith(".." + os.sep + "..") else relative


def stale_schema_notes(plan_paths) -> list[str]:
    """One note per out-of-date schema copy, naming the command that refreshes it."""
    notes = []
    for copy in stale_schema_copies(plan_paths):
        repository = _shown(copy.parent.parent)
        notes.append(f"opgen: note: {_shown(copy)} differs from the schema of the installed opgen {__version__}, "
                     f"so editors check plans against other rules than `opgen validate`\n"
                     f"    fix: run: {UPDATE_SCHEMA_COMMAND} {repository}")
    return notes


# --- opgen init ------------------------------------------------------------------------------------------

@dataclass
class Source:
    """Where the plans repository installs opgen from, and which version."""
    repository: str = OPGEN_REPOSITORY
    rev: str = f"v{__version__}"

    @property
    def pip_requirement(self) -> str:
        url = self.repository
        if "://" not in url and not url.startswith("git@"):  # a local checkout
            url = Path(os.path.abspath(url)).as_uri()
        return f"opgen @ git+{url}@{self.rev}"

    @property
    def is_placeholder(self) -> bool:
        return self.repository == OPGEN_REPOSITORY


def _target_name(relative: Path) -> Path:
    return Path(*[("." + part[4:]) if part.startswith("dot-") else part for part in relative.parts])


def scaffold_files(source: Source) -> dict[Path, bytes]:
    """Every file of a new plans repository: relative path -> content."""
    fill = {"{{OPGEN_SOURCE}}": source.repository, "{{OPGEN_REV}}": source.rev,
            "{{OPGEN_PIP}}": source.pip_requirement}
    files: dict[Path, bytes] = {}
    for path in sorted(SCAFFOLD_DIR.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for key, value in fill.items():
            text = text.replace(key, value)
        files[_target_name(path.relative_to(SCAFFOLD_DIR))] = text.encode("utf-8")
    files[SCHEMA_COPY] = SCHEMA_PATH.read_bytes()
    files[STARTER_PLAN] = starter_plan_text("../" + SCHEMA_COPY.as_posix()).encode("utf-8")
    return dict(sorted(files.items(), key=lambda item: item[0].as_posix()))


class ScaffoldError(UserError):
    """A problem `opgen init` reports in one line (exit 2)."""


def existing_files(root: Path, files) -> list[Path]:
    return [relative for relative in files if (root / relative).exists() or (root / relative).is_symlink()]


def init_repository(root: Path, source: Source, force: bool = False) -> list[Path]:
    """Write the scaffold into `root`; refuse (ScaffoldError) when any file exists, unless `force`.
    Returns the relative paths written."""
    from opgen.write import write_atomic

    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} is a file, not a folder")
    files = scaffold_files(source)
    if not force:
        clash = existing_files(root, files)
        if clash:
            listed = "\n".join(f"  {root / path}" for path in clash)
            raise ScaffoldError(f"{root} already has {len(clash)} of the files opgen init writes; nothing was "
                                f"written:\n{listed}\n  add --force to overwrite them, or use --update-schema to "
                                f"refresh only {SCHEMA_COPY.as_posix()}")
    for relative, data in files.items():
        target = root / relative
        if target.is_dir():
            raise ScaffoldError(f"{target} is a folder; opgen init needs to write a file there")
        write_atomic(target, data)
    return list(files)


def update_schema(root: Path) -> bool:
    """Refresh the repository's schema copy from the installed opgen. True when it changed."""
    from opgen.write import write_atomic

    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} is a file, not a folder")
    copy = root / SCHEMA_COPY
    if copy.is_file() and copy.read_bytes() == SCHEMA_PATH.read_bytes():
        return False
    write_atomic(copy, SCHEMA_PATH.read_bytes())
    return True
