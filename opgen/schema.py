"""The plan JSON Schema (schemas/plan.schema.json), loaded once."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from opgen.resources import PACK_SCHEMA_PATH, SCHEMA_PATH

if TYPE_CHECKING:  # jsonschema (with attrs and referencing, ~0.15 s to import) is loaded only when a
    from jsonschema import Draft202012Validator  # plan is invalid: a valid plan passes fast_check


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


@lru_cache(maxsize=1)
def pack_schema() -> dict:
    """The pack file's schema (opgen/resources/pack.schema.json)."""
    return json.loads(PACK_SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def pack_validator() -> Draft202012Validator:
    """A validator for pack files, its $refs inlined like the plan's (so opgen.validate explains its
    errors with the same words)."""
    from jsonschema import Draft202012Validator

    schema = pack_schema()
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


_MAGIC = b"opgen-schema-check 1\n"
_MAX_CACHE_BYTES = 16 * 1024 * 1024


def _private(path: Path, info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (as ssh checks its keys)."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_checked(path: Path, key: bytes) -> bytes | None:
    """The cached bytecode, if it is ours: a regular file (never a FIFO or a link) and its folder
    private to this user, with our header, this schema's key and a matching digest of the payload
    (a truncated or edited file fails the digest and is rebuilt)."""
    try:
        if not _private(path.parent, path.parent.stat()):
            return None
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or not _private(path, info) or info.st_size > _MAX_CACHE_BYTES:
            return None
        with open(path, "rb") as f:
            raw = f.read(_MAX_CACHE_BYTES + 1)
    except OSError:
        return None
    head = _MAGIC + key
    if not raw.startswith(head) or len(raw) < len(head) + 32:
        return None
    digest, payload = raw[len(head):len(head) + 32], raw[len(head) + 32:]
    return payload if hashlib.sha256(head + payload).digest() == digest else None


def _write_checked(path: Path, key: bytes, payload: bytes) -> None:
    from opgen.write import write_atomic

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        head = _MAGIC + key
        write_atomic(path, head + hashlib.sha256(head + payload).digest() + payload)
    except OSError:
        pass  # a read-only home: compile each time


@lru_cache(maxsize=1)
def fast_check():
    """A compiled validity check (fastjsonschema), or None if unavailable. It only says valid or not:
    when a plan is invalid, jsonschema explains every error. Generating and compiling the check takes
    longer than validating a large plan, so its bytecode is cached, keyed by the schema, opgen's
    version and this module's source, fastjsonschema's and Python's versions, and trusted only when
    checked (see _read_checked)."""
    try:
        import fastjsonschema
    except ImportError:  # pragma: no cover - optional speed-up
        return None
    import marshal
    import sys

    from opgen import __version__

    # this module's own source is in the key too: it turns the schema into the compiled check, so a
    # change to it (without a new version number) must not reuse an old compiled check
    own_code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    key = hashlib.sha256("\0".join((schema_text(), __version__, own_code, fastjsonschema.VERSION,
                                     sys.implementation.cache_tag or "")).encode()).hexdigest().encode()
    cached = _cache_dir() / f"plan-schema-{key[:16].decode()}.bytecode"
    payload = _read_checked(cached, key)
    code_object = None
    if payload is not None:
        try:
            code_object = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            code_object = None
    if code_object is None:
        schema = plan_schema()
        code = fastjsonschema.compile_to_code(_as_draft7(_inline_refs(schema, schema["$defs"])))
        code_object = compile(code, "<opgen plan schema check>", "exec")
        _write_checked(cached, key, marshal.dumps(code_object))
    namespace: dict = {}
    exec(code_object, namespace)  # noqa: S102 - generated from our own schema, or checked as ours
    entry = next((name for name in namespace if re.match(r"validate\w*$", name) and callable(namespace[name])
                  and name.startswith("validate_")), None)
    return namespace[entry] if entry else None
