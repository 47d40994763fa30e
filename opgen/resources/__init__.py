"""opgen's own files, shipped inside the package so that any install (wheel, non-editable, editable)
finds them: the plan schema, the Jinja templates and CSS, and the fonts.

The repository's `schemas/plan.schema.json` is a copy for editors' modelines; a test keeps it equal
to `SCHEMA_PATH`.
"""

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = RESOURCES_DIR.parent
SCHEMA_PATH = RESOURCES_DIR / "plan.schema.json"
PACK_SCHEMA_PATH = RESOURCES_DIR / "pack.schema.json"  # the pack file (opgen pack); schemas/ holds a copy too
TEMPLATES_DIR = RESOURCES_DIR / "templates"
FONTS_DIR = RESOURCES_DIR / "fonts"
