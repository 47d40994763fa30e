"""Work limits a plan must keep to, checked by `opgen validate` (and so before `opgen build` renders
anything): the size of the plan (items and characters of text) and, for every Markdown field, the
limits of opgen.richtext (length, nesting, brackets and marks). Each limit is far above any real plan
and far below what makes a build slow or fail, so a plan that validates always builds.

Measured (bench/fuzz-report.md): the 1,000-action plan bench/generate.py makes (1,487 items, 270,000
characters) builds in 72 s of CPU with a peak of 770 MB; 10,000 actions (13,007 items) grew to 6.7 GB
and was killed at 600 s having written nothing. The largest real plans have 437 items and 172,000
characters of text.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from opgen import richtext
from opgen.diagnostics import ERROR, Diagnostic, format_yaml_path
from opgen.load import Document
from opgen.schema import plan_schema

MAX_ITEMS = 3_000            # entries of lists of mappings: actions, milestones, risks, table rows...
MAX_PLAN_CHARS = 1_000_000   # characters of text in the whole plan
MAX_WORD = 1_000             # characters in one word (a run without spaces): long URLs are a few hundred

_MARKDOWN_REF = "#/$defs/markdown"
_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD + 1))


def _diag(doc: Document, path: tuple, code: str, message: str, hint: str, key: bool = False) -> Diagnostic:
    line, column = doc.position(path, key=key)
    return Diagnostic(doc.path, line, column, ERROR, code, message, hint, format_yaml_path(path))


def _walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every value in the document with its path, parents first, in document order (iterative:
    the loader already bounds depth, but nothing here should depend on it)."""
    stack = [(path, node)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend(reversed([(path + (k,), v) for k, v in node.items()]))
        elif isinstance(node, list):
            stack.extend(reversed([(path + (i,), v) for i, v in enumerate(node)]))


def check_size(doc: Document) -> list[Diagnostic]:
    """The plan's size against MAX_ITEMS and MAX_PLAN_CHARS, pointing at the first item (or text)
    over the limit."""
    items = chars = 0
    first_item = first_text = None
    for path, value in _walk(doc.data):
        if isinstance(value, dict) and path and isinstance(path[-1], int):
            items += 1
            if items == MAX_ITEMS + 1:
                first_item = path
        elif isinstance(value, str):
            chars += len(value)
            if first_text is None and chars > MAX_PLAN_CHARS:
                first_text = path
    out = []
    if first_item is not None:
        out.append(_diag(
            doc, first_item, "too-many-items",
            f"this plan has {items:,} items (actions, milestones, risks, indicators, schemes, table rows and "
            f"the like); opgen builds at most {MAX_ITEMS:,}, and this is item {MAX_ITEMS + 1:,}",
            f"split the plan into several plans (for example one per programme or domain) of at most "
            f"{MAX_ITEMS:,} items each; the largest real plans have a few hundred", key=True))
    if first_text is not None:
        out.append(_diag(
            doc, first_text, "too-much-text",
            f"this plan has {chars:,} characters of text; opgen builds at most {MAX_PLAN_CHARS:,}, and this "
            f"text takes it over",
            "split the plan into several plans, or move long background material into a separate paper "
            "and refer to it; the largest real plans have under 200,000 characters"))
    return out


def check_words(doc: Document, skip: set[str] = frozenset()) -> list[Diagnostic]:
    """Every text with a word (a run without spaces) over MAX_WORD characters, which no column can
    hold and which makes layout slow; texts at `skip` (YAML paths already reported) are left out."""
    out = []
    for path, value in _walk(doc.data):
        if isinstance(value, str) and len(value) > MAX_WORD and format_yaml_path(path) not in skip:
            word = _LONG_WORD.search(value)
            if word:
                out.append(_diag(
                    doc, path, "word-too-long",
                    f"this text has a word of {len(word.group()):,} characters with no space in it (starting "
                    f"'{word.group()[:30]}...'); opgen lays out words of at most {MAX_WORD:,}",
                    "put spaces in it, or shorten it (a long web address can be a link: [words](https://...))"))
    return out


def markdown_fields(data: Any) -> Iterator[tuple[tuple, str]]:
    """(path, text) for every Markdown field of the document, as the schema marks them
    ("$ref": "#/$defs/markdown"). Works on any shape: where the data does not fit the schema, the
    parts that do are still found."""
    schema = plan_schema()
    defs = schema.get("$defs", {})
    seen: set[tuple] = set()
    stack: list[tuple[tuple, Any, dict]] = [((), data, schema)]
    while stack:
        path, value, node = stack.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref", "")
        if ref == _MARKDOWN_REF:
            if isinstance(value, str) and path not in seen:
                seen.add(path)
                yield path, value
            continue
        if ref.startswith("#/$defs/"):
            stack.append((path, value, defs.get(ref.split("/")[-1], {})))
        for keyword in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(keyword) or ():
                stack.append((path, value, branch))
        if isinstance(value, dict):
            properties = node.get("properties") or {}
            extra = node.get("additionalProperties")
            for key, item in value.items():
                if key in properties:
                    stack.append((path + (key,), item, properties[key]))
                elif isinstance(extra, dict):
                    stack.append((path + (key,), item, extra))
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for i, item in enumerate(value):
                stack.append((path + (i,), item, node["items"]))


def _limit_words(problem: richtext.Limit) -> tuple[str, str]:
    """Message and fix for a Markdown text over a work limit."""
    where = f" near '{problem.excerpt}'" if problem.excerpt else ""
    if problem.kind == "length":
        return (f"this text is {problem.found:,} characters long; the limit for one text is {problem.limit:,}",
                "shorten it, or split it over several sections (sections: with their own sections:); "
                "the longest texts in real plans are under 10,000 characters")
    if problem.kind == "nesting":
        return (f"quotes, lists or emphasis nest {problem.found} deep in this text{where}; the limit is "
                f"{problem.limit}",
                "flatten it: use at most a few levels of lists or '>' quotes, and do not open * or _ "
                "emphasis inside emphasis")
    if problem.kind == "brackets":
        return (f"this text has {problem.found:,} '[' brackets{where}; the limit is {problem.limit:,}",
                "write links as [words](https://...) and footnotes as [^1]; a '[' that is not a link can be "
                "written as \\[ or left out")
    if problem.kind == "marks":
        return (f"this text has {problem.found:,} Markdown marks (* _ ` ~ [ ]){where}; the limit is "
                f"{problem.limit:,}",
                "use * and _ only for emphasis and ` for code, or write a literal one as \\*, \\_ or \\`; "
                "a table of data belongs in tables:")
    return (f"one word of this text carries {problem.found:,} Markdown marks (* _ ` ~ [ ]){where}; the "
            f"limit in one word is {problem.limit}",
            "put spaces between emphasised words, or write a literal mark as \\*, \\_ or \\`")


def check_markdown(doc: Document) -> list[Diagnostic]:
    """Every Markdown field over one of opgen.richtext's work limits."""
    out = []
    for path, text in markdown_fields(doc.data):
        problem = richtext.limit_problem(text)
        if problem is not None:
            message, hint = _limit_words(problem)
            out.append(_diag(doc, path, f"markdown-{problem.kind}", message, hint))
    return out
