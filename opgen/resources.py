"""Where opgen's own files live: the schema, templates and assets shipped in the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "plan.schema.json"
TEMPLATES_DIR = ROOT / "templates"
ASSETS_DIR = ROOT / "assets"
