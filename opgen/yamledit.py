"""Editing a plan's YAML the way its author would: in place, keeping comments, key order, quoting
and layout. Used by `opgen migrate` (and by anything else that writes values back into a plan).

Two kinds of edit, chosen per change:

- a scalar that is already in the file (`schema_version: 1`, a RAG, a figure) is replaced in the
  text itself, at the exact span PyYAML's composer reports for it: nothing else in the file moves;
- anything structural (a new key, a list rewritten) is made on ruamel.yaml's round-trip tree, which
  keeps the comments and key order, and only the top-level block that changed is taken from its
  output: every other block keeps its original bytes (ruamel would re-wrap multi-line flow mappings).
"""

from __future__ import annotations

import io
from typing import Any

import yaml

_MISSING = object()


class EditError(ValueError):
    """A change that cannot be made (its path does not lead through mappings and lists)."""


def _ruamel():
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    return y


def _indent_of(text: str) -> tuple[int, int]:
    """(sequence indent, dash offset) as the file writes its top-level lists: '  - id: x' is (4, 2),
    '- id: x' under its key is (2, 0)."""
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") and not line.startswith("-"):
            offset = len(line) - len(stripped)
            return offset + 2, offset
    return 2, 0


def scalar_text(value: Any) -> str:
    """A scalar as YAML writes it on one line (quoted where plain text would read as something else)."""
    if isinstance(value, str):
        dumped = yaml.safe_dump(value, default_flow_style=True, width=1 << 30, allow_unicode=True)
    else:
        dumped = yaml.safe_dump(value, default_flow_style=True, width=1 << 30)
    dumped = dumped.rstrip("\n")
    if dumped.endswith("\n..."):
        dumped = dumped[: -len("\n...")]
    return dumped.rstrip("\n")


def _node_at(root: yaml.Node, path: tuple) -> yaml.Node | None:
    node = root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                    node = v
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def apply(text: str, changes: list[tuple[tuple, Any]]) -> str:
    """The plan text with each (path, value) change made; a value of `DELETE` removes the key."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    spans: list[tuple[int, int, str]] = []
    structural: list[tuple[tuple, Any]] = []
    for path, value in changes:
        node = _node_at(root, path) if root is not None else None
        if (node is not None and isinstance(node, yaml.ScalarNode) and _is_scalar(value) and value is not DELETE
                and node.start_mark.line == node.end_mark.line and not node.style in ("|", ">")):
            spans.append((node.start_mark.index, node.end_mark.index, scalar_text(value)))
        else:
            structural.append((path, value))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    if structural:
        text = _structural(text, structural)
    return text


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def _structural(text: str, changes: list[tuple[tuple, Any]]) -> str:
    y = _ruamel()
    sequence, offset = _indent_of(text)
    y.indent(mapping=2, sequence=sequence, offset=offset)
    data = y.load(text)
    if not hasattr(data, "lc"):
        raise EditError("the plan is not a mapping")
    before = {k: data.lc.key(k)[0] for k in data}
    touched: set = set()
    for path, value in changes:
        if not path:
            raise EditError("an empty path")
        parent = data
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                if isinstance(parent, dict) and isinstance(part, str):
                    from ruamel.yaml.comments import CommentedMap

                    parent[part] = CommentedMap()
                    parent = parent[part]
                else:
                    raise EditError(f"no place for {'.'.join(map(str, path))}") from None
        key = path[-1]
        if value is DELETE:
            if isinstance(parent, dict):
                parent.pop(key, None)
            elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
                del parent[key]
        else:
            parent[key] = value
        touched.add(path[0])
    out = io.StringIO()
    y.dump(data, out)
    dumped = out.getvalue()
    redone = y.load(dumped)
    after = {k: redone.lc.key(k)[0] for k in redone}
    return _splice(text, dumped, before, after, touched)


def _blocks(lines: list[str], starts: dict) -> dict:
    """Top-level key -> (first line, end line) of its block in `lines`."""
    order = sorted(starts.items(), key=lambda kv: kv[1])
    spans = {}
    for i, (key, line) in enumerate(order):
        end = order[i + 1][1] if i + 1 < len(order) else len(lines)
        spans[key] = (line, end)
    return spans


def _splice(original: str, dumped: str, before: dict, after: dict, touched: set) -> str:
    """The original text with the blocks of the touched top-level keys taken from ruamel's output."""
    old_lines = original.splitlines(keepends=True)
    new_lines = dumped.splitlines(keepends=True)
    old_blocks, new_blocks = _blocks(old_lines, before), _blocks(new_lines, after)
    head = old_lines[: min(before.values())] if before else []
    out = list(head)
    for key in sorted(after, key=lambda k: after[k]):
        if key in old_blocks and key not in touched:
            a, b = old_blocks[key]
            out.extend(old_lines[a:b])
        else:
            a, b = new_blocks[key]
            block = new_lines[a:b]
            if key not in old_blocks and out and not out[-1].endswith("\n"):
                out[-1] += "\n"
            out.extend(block)
    result = "".join(out)
    if original.endswith("\n") and not result.endswith("\n"):
        result += "\n"
    return result
