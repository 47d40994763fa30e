"""The plan JSON Schema (schemas/plan.schema.json), loaded once."""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

from opgen.resources import SCHEMA_PATH

if TYPE_CHECKING:  # jsonschema is imported only to explain an invalid plan (~0.2 s saved per valid run)
    from jsonschema import Draft202012Validator


@lru_cache(maxsize=1)
def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def plan_schema() -> dict:
    return json.loads(schema_text())


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    """A validator over the schema with its local $refs inlined: the same rules, but jsonschema
    no longer resolves a reference at every field, which makes validation about 2.5x faster."""
    from jsonschema import Draft202012Validator

    schema = plan_schema()
    return Draft202012Validator(_inline_refs(schema, schema["$defs"]))


def _inline_refs(node, defs: dict):
    if isinstance(node, dict):
        if str(node.get("$ref", "")).startswith("#/$defs/"):
            merged = dict(_inline_refs(defs[node["$ref"].split("/")[-1]], defs))
            merged.update({k: _inline_refs(v, defs) for k, v in node.items() if k != "$ref"})
            return merged
        return {k: (v if k == "$defs" else _inline_refs(v, defs)) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def resolve(node: dict) -> dict:
    """Follow a local $ref (one level is all the schema uses), merging sibling keywords."""
    ref = node.get("$ref")
    if not ref or not ref.startswith("#/$defs/"):
        return node
    target = plan_schema()["$defs"][ref.split("/")[-1]]
    merged = dict(target)
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return resolve(merged) if "$ref" in target else merged


def _as_draft7(node):
    """The inlined schema in draft-07 terms for fastjsonschema (dependentRequired is draft-07's
    `dependencies` with lists); same rules, checked by a property test."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$defs":
                continue
            if key == "dependentRequired":
                out["dependencies"] = value
            elif key == "$schema":
                out[key] = "http://json-schema.org/draft-07/schema#"
            else:
                out[key] = _as_draft7(value)
        return out
    if isinstance(node, list):
        return [_as_draft7(v) for v in node]
    return node


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "opgen"


@lru_cache(maxsize=1)
def fast_check():
    """A compiled validity check (fastjsonschema), or None if unavailable. It only says valid or not:
    when a plan is invalid, jsonschema is run to explain every error. The generated code is cached on
    disk by schema hash, since compiling it takes longer than validating a large plan."""
    try:
        import fastjsonschema
    except ImportError:  # pragma: no cover - optional speed-up
        return None
    key = hashlib.sha256((schema_text() + fastjsonschema.VERSION).encode()).hexdigest()[:16]
    cached = _cache_dir() / f"plan-schema-{key}.py"
    try:
        code = cached.read_text(encoding="utf-8")
    except OSError:
        schema = plan_schema()
        code = fastjsonschema.compile_to_code(_as_draft7(_inline_refs(schema, schema["$defs"])))
        try:
            from opgen.write import write_atomic

            write_atomic(cached, code.encode("utf-8"))
        except OSError:
            pass  # a read-only home: compile each time
    entry = re.search(r"^def (validate\w*)\(", code, re.M)  # named after the schema's $id
    namespace: dict = {}
    exec(_compiled(code, cached), namespace)  # noqa: S102 - code generated from our own schema
    return namespace[entry.group(1)] if entry else None


def _compiled(code: str, cached: Path):
    """The generated check as a code object, its bytecode cached beside it (marshal, per Python
    version): compiling a megabyte of generated source is most of a small plan's validation time."""
    import marshal
    import sys

    compiled = cached.with_name(f"{cached.stem}.{sys.implementation.cache_tag}.bytecode")
    try:
        return marshal.loads(compiled.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        pass
    code_object = compile(code, str(cached), "exec")
    try:
        from opgen.write import write_atomic

        write_atomic(compiled, marshal.dumps(code_object))
    except OSError:
        pass  # a read-only home: compile each time
    return code_object
