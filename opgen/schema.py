"""The plan JSON Schema (schemas/plan.schema.json), loaded once."""

from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft202012Validator

from opgen.resources import SCHEMA_PATH


@lru_cache(maxsize=1)
def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def plan_schema() -> dict:
    return json.loads(schema_text())


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    return Draft202012Validator(plan_schema())


def resolve(node: dict) -> dict:
    """Follow a local $ref (one level is all the schema uses), merging sibling keywords."""
    ref = node.get("$ref")
    if not ref or not ref.startswith("#/$defs/"):
        return node
    target = plan_schema()["$defs"][ref.split("/")[-1]]
    merged = dict(target)
    merged.update({k: v for k, v in node.items() if k != "$ref"})
    return resolve(merged) if "$ref" in target else merged


def subschema_at(path: tuple) -> dict | None:
    """The schema node describing the data at `path` (used for descriptions in messages)."""
    node = plan_schema()
    for part in path:
        node = resolve(node)
        if isinstance(part, int):
            node = node.get("items")
        elif "properties" in node and part in node["properties"]:
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return None
        if node is None:
            return None
    return resolve(node)
