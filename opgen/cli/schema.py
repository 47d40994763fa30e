"""`opgen schema`: print the JSON Schema plans are checked against."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the plan JSON Schema")
    p.set_defaults(func=run)


def run(args) -> int:
    from opgen.schema import schema_text

    sys.stdout.write(schema_text())
    return 0
