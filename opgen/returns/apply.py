"""Checked updates -> the plan's YAML text, edited as its author would: a value already in the file
is replaced where it stands (opgen.yamledit's exact-span edit); a new key (a quarter's RAG, a
forecast, an actual) is added as one line at the end of its mapping, in the mapping's own style
(`{q1: green, q2: amber}` stays a flow mapping). Nothing else in the file moves: comments, key order,
quoting and layout are kept. The result is read back and must hold exactly the intended values, or
nothing is written."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import yaml

from opgen.yamledit import EditError, scalar_text

_SIMPLE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .\-]*$")


def value_text(value: Any) -> str:
    """A scalar as one line of YAML that reads back the same inside a flow mapping too."""
    if isinstance(value, str):
        plain = scalar_text(value)
        if plain == value and _SIMPLE.match(value) and not value.endswith(" "):
            return plain
        return json.dumps(value, ensure_ascii=False)
    return scalar_text(value)


def key_text(key: Any) -> str:
    return value_text(key)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    return value_text(value)


def _block(key: Any, value: Any, indent: int) -> str:
    flow = _flow(value)
    pad = " " * indent
    if isinstance(value, dict) and (any(isinstance(v, dict) for v in value.values()) or len(flow) + indent > 100):
        return f"{pad}{key_text(key)}:\n" + "".join(_block(k, v, indent + 2) for k, v in value.items())
    return f"{pad}{key_text(key)}: {flow}\n"


def _child(node: yaml.Node, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                return v
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def _last_node(node: yaml.Node) -> yaml.Node:
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _set(data: Any, path: tuple, value: Any) -> None:
    node = data
    for part in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            node = node[part]
    node[path[-1]] = value


def edit(text: str, changes: list[tuple[tuple, Any]]) -> str:
    """`text` with each (path, scalar value) set; raises EditError where a change has no place."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the plan is not a mapping")
    spans: list[tuple[int, int, str]] = []
    inserts: dict[int, tuple[yaml.MappingNode, dict]] = {}
    for path, value in changes:
        node, depth = root, 0
        while depth < len(path):
            nxt = _child(node, path[depth])
            if nxt is None:
                break
            node, depth = nxt, depth + 1
        if depth == len(path):
            if not isinstance(node, yaml.ScalarNode) or node.style in ("|", ">") \
                    or node.start_mark.line != node.end_mark.line:
                raise EditError(f"{'.'.join(map(str, path))} is not a one-line value")
            if node.tag.endswith(":null") and node.start_mark.index == node.end_mark.index:
                spans.append((node.start_mark.index, node.end_mark.index, " " + value_text(value)))
            else:
                spans.append((node.start_mark.index, node.end_mark.index, value_text(value)))
            continue
        if not isinstance(node, yaml.MappingNode) or any(not isinstance(p, str) for p in path[depth:]):
            raise EditError(f"no place for {'.'.join(map(str, path))}")
        tree = inserts.setdefault(id(node), (node, {}))[1]
        for part in path[depth:-1]:
            tree = tree.setdefault(part, {})
        tree[path[-1]] = value
    for node, tree in inserts.values():
        spans.append(_insertion(text, node, tree))
    for start, end, new in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _insertion(text: str, node: yaml.MappingNode, tree: dict) -> tuple[int, int, str]:
    if node.flow_style or not node.value:
        if not node.value:  # {} : fill it
            close = node.end_mark.index - 1
            if node.flow_style and text[close:close + 1] == "}":
                return close, close, ", ".join(f"{key_text(k)}: {_flow(v)}" for k, v in tree.items())
            raise EditError("an empty mapping written without braces")
        at = node.value[-1][1].end_mark.index
        return at, at, "".join(f", {key_text(k)}: {_flow(v)}" for k, v in tree.items())
    indent = node.value[0][0].start_mark.column
    last = _last_node(node)
    end = last.end_mark.index
    p = end - 1
    while p > 0 and text[p] in " \t\r\n":
        p -= 1
    newline = text.find("\n", p)
    body = "".join(_block(k, v, indent) for k, v in tree.items())
    if newline < 0:
        return len(text), len(text), "\n" + body
    return newline + 1, newline + 1, body


def apply(text: str, changes: list[tuple[tuple, Any]]) -> str:
    """The edited plan text, checked: read back, it holds exactly the old data with the changes."""
    new_text = edit(text, changes)
    expected = copy.deepcopy(yaml.safe_load(text))
    for path, value in changes:
        _set(expected, path, value)
    try:
        got = yaml.safe_load(new_text)
    except yaml.YAMLError as e:
        raise EditError(f"the edited plan would not read back as YAML ({e.__class__.__name__})") from None
    if got != expected:
        raise EditError("the edited plan would not read back with exactly the returned values")
    return new_text
