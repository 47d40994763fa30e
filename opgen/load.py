"""Load a plan file: YAML text to plain data, with the line and column of every key and value.

Safe by construction: we read libyaml's event stream (no Python objects are ever constructed from
tags), so nothing is expanded before we have counted it. Limits on file size, nesting depth, alias
use and total node count refuse hostile files (a billion-laughs bomb) at once. A duplicate key in a
mapping is an error, not a silent overwrite.

Scalars follow YAML 1.1 as PyYAML resolves them, with three differences chosen for plan authors:
dates stay text (2015-03-31 is a plan date, not a datetime), `.nan`/`.inf` stay text (no plan
wants them), and a float remembers the digits the author wrote (88.10 keeps its trailing zero).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from opgen.diagnostics import ERROR, Diagnostic, format_yaml_path

MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 1000
MAX_NODES = 2_000_000
MAX_ALIAS_NODES = 100_000  # nodes that aliases may repeat in all: real plans repeat a few small values
MAX_NUMBER = 10**15        # larger than any figure a plan states, in any unit

try:  # libyaml's C parser when present; the pure-Python one otherwise (same events, slower).
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Parser = yaml.SafeLoader

_resolver = yaml.resolver.Resolver()
_constructor = SafeConstructor()


class Number(float):
    """A float that keeps the text it was written as, so 88.10 is shown as 88.10."""

    text: str

    def __new__(cls, value: float, text: str):
        obj = super().__new__(cls, value)
        obj.text = text
        return obj

    def __reduce__(self):
        return (Number, (float(self), self.text))


def plain(value):
    """Loaded data as plain Python (each Number a float), e.g. for a YAML dumper or a comparison."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return float(value) if isinstance(value, float) else value


Position = tuple[int, int]  # 1-based line, column


@dataclass(slots=True)
class Document:
    """A loaded plan: its data and where each piece of it was written."""

    path: str
    data: Any
    text: str
    value_positions: dict[tuple, Position] = field(default_factory=dict)
    key_positions: dict[tuple, Position] = field(default_factory=dict)

    def position(self, path: tuple | list, *, key: bool = False) -> Position:
        """Best position for a data path: the key (if asked and known), else the value, else the
        nearest ancestor's."""
        path = tuple(path)
        if key and path in self.key_positions:
            return self.key_positions[path]
        while True:
            if path in self.value_positions:
                return self.value_positions[path]
            if path in self.key_positions:
                return self.key_positions[path]
            if not path:
                return (1, 1)
            path = path[:-1]


class LoadError(Exception):
    """The file could not be read as a plan at all. Carries one located diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _fail(path: str, message: str, hint: str, line: int = 0, column: int = 0, code: str = "load",
          yaml_path: tuple = ()) -> LoadError:
    return LoadError(Diagnostic(path, line, column, ERROR, code, message, hint,
                                format_yaml_path(yaml_path)))


def load_file(path: str | os.PathLike) -> Document:
    """Read and parse a plan file. Raises LoadError with a located, plain-English diagnostic."""
    name = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise _fail(name, "this is a folder, not a plan file",
                        f"name the plan files, e.g. {name.rstrip('/')}/*.yaml",
                        code="not-a-file")
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):
            raise _fail(name, "this is not a regular file (a pipe, device or socket)",
                        "name the plan's .yaml file", code="not-a-file")
        size = info.st_size
    except FileNotFoundError:
        raise _fail(name, "file not found", "check the path and spelling", code="not-found") from None
    except OSError as e:
        raise _fail(name, f"cannot read the file: {e.strerror}", "check the path and its permissions",
                    code="io") from None
    if size > MAX_BYTES:
        raise _fail(name, f"file is too large to be a plan ({size / 1048576:.1f} MB; the limit is "
                    f"{MAX_BYTES // 1048576} MB)", "check this is the right file; a plan is a few hundred KB at most",
                    code="too-large")
    try:
        with open(p, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise _fail(name, f"cannot read the file: {e.strerror}", "check the path and its permissions",
                    code="io") from None
    return load_bytes(raw, name)


def load_bytes(raw: bytes, name: str = "<plan>") -> Document:
    """Parse plan YAML from bytes (see load_file)."""
    if len(raw) > MAX_BYTES:
        raise _fail(name, f"file is too large to be a plan (limit {MAX_BYTES // 1048576} MB)",
                    "check this is the right file", code="too-large")
    text = _decode(raw, name)
    return load_text(text, name)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(name, "the file is saved as UTF-16; opgen reads UTF-8",
                    "save it as UTF-8 (in your editor: Save As > Encoding > UTF-8)", 1, 1, "encoding")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:8192] or _looks_binary(raw[:8192]):
        raise _fail(name, "this is a binary file, not a YAML plan", "open the plan's .yaml file, not a Word, Excel or PDF file",
                    code="binary")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        bad = raw[e.start:e.start + 1]
        try:
            guess = raw[max(0, e.start - 20):e.start + 20].decode("cp1252").strip()
            hint = (f"the text near it reads \"{guess}\" in Windows/Latin-1 encoding: save the file as UTF-8 "
                    "(in your editor: Save As > Encoding > UTF-8)")
        except UnicodeDecodeError:
            hint = "save the file as UTF-8 (in your editor: Save As > Encoding > UTF-8)"
        raise _fail(name, f"the file is not UTF-8 text (byte 0x{bad.hex()} cannot be read)", hint, line, column,
                    "encoding") from None


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return control / len(head) > 0.05


def load_text(text: str, name: str = "<plan>") -> Document:
    """Parse plan YAML from text (see load_file)."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise _fail(name, "the file is empty", "start from a template: opgen new plans/my-plan.yaml",
                    code="empty")
    _check_tabs(text, name)
    _check_characters(text, name)
    builder = _Builder(name, text)
    try:
        for event in yaml.parse(text, Loader=_Parser):
            builder.feed(event)
    except yaml.MarkedYAMLError as e:
        raise _yaml_error(e, name, text) from None
    except yaml.YAMLError as e:
        raise _fail(name, f"not valid YAML: {e}", "check the structure near the start of the file", code="yaml") from None
    except RecursionError:
        raise _fail(name, "the file is nested too deeply", f"a plan needs at most {MAX_DEPTH} levels",
                    code="too-deep") from None
    if builder.documents > 1:
        raise _fail(name, "the file holds more than one YAML document (a second '---')",
                    "keep one plan per file: remove the extra '---' line", *builder.second_document_at, "yaml")
    if builder.result is None:
        raise _fail(name, "the file is empty", "start from a template: opgen new plans/my-plan.yaml",
                    code="empty")
    return Document(name, builder.result, text, builder.value_positions, builder.key_positions)


def _check_tabs(text: str, name: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            column = len(line) - len(stripped) + 1
            raise _fail(name, "a tab is used for indentation; YAML allows only spaces",
                        "replace the tab with spaces (set your editor to 'indent using spaces')",
                        number, column, "tab")


# What YAML 1.1 allows in a file: tab, line breaks and printable characters (no C0/C1 controls
# other than those, no DEL, no surrogates, no U+FFFE/U+FFFF). PyYAML's own message for anything else
# gives only a character offset.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _character_name(char: str) -> str:
    return f"U+{ord(char):04X}" + (f" {unicodedata.name(char)}" if unicodedata.name(char, "") else "")


def _check_characters(text: str, name: str) -> None:
    m = _NOT_PRINTABLE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise _fail(name, f"the file contains an invisible control character ({_character_name(m.group())})",
                    "delete it (it often comes from text copied out of a PDF or a web page)", line, column,
                    "encoding")


def _comment_free(line: str) -> str:
    """The line without its comment: a '#' after a space or at the start, outside quotes."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


_QUOTE_OPEN = re.compile(r"""(?:^|:\s|-\s|[\[{,]\s*)(["'])""")


def _unclosed_quote(text: str, upto_line: int) -> tuple[int, int] | None:
    """The last line (1-based) at or before `upto_line` where a quoted value opens but does not close."""
    found = None
    for number, line in enumerate(text.splitlines()[:upto_line], 1):
        stripped = _comment_free(line)
        for m in _QUOTE_OPEN.finditer(stripped):
            quote = m.group(1)
            rest = stripped[m.end():]
            closed = rest.replace(quote * 2, "") if quote == "'" else rest.replace('\\"', "")
            if quote not in closed:
                found = (number, m.start(1) + 1)
                break
    return found


def _yaml_error(e: yaml.MarkedYAMLError, name: str, text: str = "") -> LoadError:
    mark = e.problem_mark or e.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    opened = _unclosed_quote(text, line) if text else None
    if opened and "quoted scalar" not in (e.context or ""):
        return _fail(name, f"a quoted text that opens on line {opened[0]} is never closed",
                     "add the closing quote mark at the end of that text", *opened, "yaml")
    problem = (e.problem or "").strip()
    context = (e.context or "").strip()
    hint = "check the indentation and punctuation on this line and the one before it"
    message = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
    if "found unexpected end of stream" in problem or ("quoted scalar" in context and "end of stream" in problem):
        message = "a quoted text is never closed"
        hint = "add the closing quote mark"
        if e.context_mark:
            line, column = e.context_mark.line + 1, e.context_mark.column + 1
    elif "could not find expected ':'" in problem:
        hint = "each line inside a mapping needs 'key: value'; a text that runs onto the next line must be quoted or indented"
    elif "mapping values are not allowed here" in problem:
        hint = "a value containing ': ' must be put in quotes"
    elif "found character '\\t'" in problem or "found character '\t'" in problem:
        hint = "replace the tab with spaces"
    elif "found undefined alias" in problem:
        hint = "define the anchor (&name) before using it (*name), or remove the '*'"
    return _fail(name, message, hint, line, column, "yaml")


_THOUSANDS_GROUP = re.compile(r"\d{3}(?:\.\d+)?")
_NUMBER_WITH_COMMAS = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


class _Frame:
    __slots__ = ("container", "path", "pending_key", "start_nodes", "anchor", "merged", "height", "flow",
                 "last_number", "last_text", "key_at")

    def __init__(self, container, path, start_nodes, anchor, flow=False):
        self.flow = flow  # written {a: 1, b: 2}, where a comma separates entries
        self.last_number = None  # (line, start column, end column) of the last plain number value
        self.last_text = None  # (line, start column, end column, key) of the last plain text value
        self.key_at = None  # (line, column) of the pending key, when it was written plain
        self.height = 1  # levels of nesting in this container, aliased values included
        self.merged: set = set()  # keys that came from '<<' and may be overridden
        self.container = container
        self.path = path
        self.pending_key = _NO_KEY
        self.start_nodes = start_nodes
        self.anchor = anchor


_NO_KEY = object()


class _Builder:
    """Builds plain dicts/lists from parser events, recording positions and enforcing limits."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self.stack: list[_Frame] = []
        self.result: Any = None
        self.documents = 0
        self.second_document_at = (0, 0)
        self.value_positions: dict[tuple, Position] = {}
        self.key_positions: dict[tuple, Position] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.aliases = 0
        self.alias_nodes = 0
        self.heights: dict[str, int] = {}  # anchor -> levels of nesting in its value

    def feed(self, event) -> None:
        kind = type(event)
        if kind is events.ScalarEvent:
            self._scalar(event)
        elif kind is events.MappingStartEvent:
            self._start(event, {})
        elif kind is events.SequenceStartEvent:
            self._start(event, [])
        elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            self._end(event)
        elif kind is events.AliasEvent:
            self._alias(event)
        elif kind is events.DocumentStartEvent:
            self.documents += 1
            if self.documents == 2:
                self.second_document_at = (event.start_mark.line + 1, event.start_mark.column + 1)

    def _count(self, n: int, mark) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise _fail(self.name, "the file expands to too much data (aliases repeated inside aliases?)",
                        "remove the '*' aliases and write the values out; a plan never needs this many",
                        mark.line + 1, mark.column + 1, "too-large")

    def _child_path(self, mark) -> tuple | None:
        """The data path the next value will occupy, or None when it is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return top.path + (len(top.container),)
        if top.pending_key is _NO_KEY:
            return None
        return top.path + (top.pending_key,)

    def _place(self, value, mark, anchor: str | None, size: int) -> None:
        if not self.stack:
            if self.documents <= 1:
                self.result = value
            return
        top = self.stack[-1]
        if isinstance(top.container, list):
            top.container.append(value)
            return
        if top.pending_key is _NO_KEY:
            raise _fail(self.name, "a mapping key must be plain text, not a list or mapping",
                        "write the key as a single word followed by ':'", mark.line + 1, mark.column + 1, "yaml")
        key = top.pending_key
        top.pending_key = _NO_KEY
        if key == "<<" and isinstance(value, (dict, list)):
            self._merge(top, value, mark)
            return
        top.container[key] = value

    def _merge(self, frame: _Frame, value, mark) -> None:
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise _fail(self.name, "'<<' must merge a mapping", "point '<<' at an anchored mapping",
                            mark.line + 1, mark.column + 1, "yaml")
            for k, v in source.items():
                if k not in frame.container:
                    frame.container[k] = v
                    frame.merged.add(k)

    def _scalar(self, event: events.ScalarEvent) -> None:
        mark = event.start_mark
        position = (mark.line + 1, mark.column + 1)
        if len(self.stack) >= MAX_DEPTH:
            raise _fail(self.name, "the file is nested too deeply", f"a plan needs at most {MAX_DEPTH} levels",
                        *position, "too-deep")
        self._count(1, mark)
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.pending_key is _NO_KEY:
            key = event.value
            hidden = next((c for c in key if unicodedata.category(c) in ("Cf", "Cc", "Zl", "Zp")
                           or (unicodedata.category(c) == "Zs" and c != " ")), None)
            if hidden is not None:
                raise _fail(self.name, f"the key '{key.encode('ascii', 'backslashreplace').decode()}' contains an "
                            f"invisible character ({_character_name(hidden)})",
                            "retype the key: it may have come from text copied out of a PDF or a web page",
                            *position, "bad-key", top.path)
            if top.flow and not event.style and top.last_number and _THOUSANDS_GROUP.fullmatch(key):
                self._comma_in_number(top, mark)
            if key in top.merged:
                top.merged.discard(key)
            elif key in top.container and key != "<<":
                first = self.key_positions.get(top.path + (key,), (0, 0))
                raise _fail(self.name, f"the key '{key}' appears twice in the same mapping (first at line {first[0]})",
                            "keep one of them: YAML would silently drop the first and its value would be lost",
                            *position, "duplicate-key", top.path + (key,))
            top.pending_key = key
            self.key_positions[top.path + (key,)] = position
            if top.flow:
                top.key_at = None if event.style else (mark.line, mark.column)
            return
        try:
            value = _resolve_scalar(event)
        except ValueError:  # an integer of thousands of digits: Python refuses to read it
            value = None
            too_big = True
        else:
            too_big = isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= MAX_NUMBER
        if too_big:
            raise _fail(self.name, f"the number {event.value[:20]}{'...' if len(event.value) > 20 else ''} is too "
                        f"large for a plan figure", "check the figure: write it in the section's unit "
                        "(e.g. gbp_thousands: 1500 for £1.5m)", *position, "out-of-range")
        path = self._child_path(mark)
        if path is not None:
            self.value_positions[path] = position
        if top is not None and top.flow:
            plain_number = not event.style and isinstance(value, (int, float)) and not isinstance(value, bool)
            top.last_number = (mark.line, mark.column, event.end_mark.column) if plain_number else None
            if isinstance(top.container, dict):
                if value is None and not event.value and event.end_mark.index == mark.index and top.last_text:
                    self._comma_in_text(top)
                plain_text = not event.style and value is not None and event.value != ""
                top.last_text = (mark.line, mark.column, event.end_mark.column, top.pending_key) if plain_text \
                    else None
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self._place(value, mark, event.anchor, 1)

    def _comma_in_number(self, top: _Frame, mark) -> None:
        """`{"2015/16": 10,009}`: inside braces YAML reads the comma as a separator, so the figure
        becomes 10 and a key '009'. Caught here, where the text still shows what was meant."""
        line, start, end = top.last_number
        if mark.line != line or mark.column != end + 1:
            return
        rows = self.text.splitlines()
        written = _NUMBER_WITH_COMMAS.match(rows[line] if line < len(rows) else "", start)
        if not written:
            return
        shown = written.group()
        raise _fail(self.name, f"the number {shown} is written with commas: inside {{...}} YAML reads each comma as "
                    f"a separator, so it would be read as {shown.split(',')[0]} and a stray '{shown.split(',')[1]}'",
                    f"write numbers without commas: {shown.replace(',', '')}", line + 1, start + 1, "number-commas",
                    top.path)

    def _comma_in_text(self, top: _Frame) -> None:
        """`{id: X, note: Does this, and that}`: inside braces YAML reads the comma as a separator, so
        the note becomes 'Does this' and 'and that' a key of its own, with no value (which the schema
        or the table rules would then report as an unknown key or column). Caught here: the key
        follows a plain text value after a comma, on the same line, and has no value at all."""
        line, start, end, key = top.last_text
        if top.key_at is None or top.key_at[0] != line:
            return
        rows = self.text.splitlines()
        row = rows[line] if line < len(rows) else ""
        if not re.fullmatch(r"\s*,\s*", row[end:top.key_at[1]]):
            return
        parts = []  # the text as written: up to the closing brace or the next 'key: value' entry
        for part in row[start:].split(","):
            stop = re.search(r"[}\]]|:(\s|$)", part)
            if stop is None:
                parts.append(part)
                continue
            if stop.group()[0] in "}]":
                parts.append(part[:stop.start()])
            break
        meant = ",".join(parts).strip()
        tail = row[top.key_at[1]:].split(",")[0].split("}")[0].strip()
        quoted = meant.replace("\\", "\\\\").replace('"', '\\"')
        raise _fail(self.name, f"the text of '{key}' is cut at a comma: inside {{...}} YAML reads each comma as a "
                    f"separator, so '{key}' would be '{row[start:end]}' and '{tail}' a key of its own",
                    f'put the text in quotes: {key}: "{quoted}"', line + 1, start + 1, "text-commas",
                    top.path + (key,))

    def _start(self, event, container) -> None:
        mark = event.start_mark
        if len(self.stack) >= MAX_DEPTH:
            raise _fail(self.name, "the file is nested too deeply", f"a plan needs at most {MAX_DEPTH} levels",
                        mark.line + 1, mark.column + 1, "too-deep")
        self._count(1, mark)
        path = self._child_path(mark)
        if path is None:
            raise _fail(self.name, "a mapping key must be plain text, not a list or mapping",
                        "write the key as a single word followed by ':'", mark.line + 1, mark.column + 1, "yaml")
        self.value_positions[path] = (mark.line + 1, mark.column + 1)
        self.stack.append(_Frame(container, path, self.nodes, event.anchor, bool(getattr(event, "flow_style", False))))

    def _end(self, event) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.anchors[frame.anchor] = (frame.container, self.nodes - frame.start_nodes + 1)
            self.heights[frame.anchor] = frame.height
        if self.stack:
            self.stack[-1].height = max(self.stack[-1].height, frame.height + 1)
        self._place(frame.container, event.start_mark, None, 0)

    def _alias(self, event: events.AliasEvent) -> None:
        mark = event.start_mark
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise _fail(self.name, f"the file uses more than {MAX_ALIASES} aliases ('*name')",
                        "write the values out instead of repeating aliases", mark.line + 1, mark.column + 1, "too-large")
        if event.anchor not in self.anchors:
            raise _fail(self.name, f"the alias '*{event.anchor}' refers to an anchor that is not defined above it",
                        "define '&" + str(event.anchor) + "' before using it, or remove the '*'",
                        mark.line + 1, mark.column + 1, "yaml")
        value, size = self.anchors[event.anchor]
        self._count(size, mark)
        self.alias_nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _fail(self.name, "aliases ('*name') repeat too much data in this file",
                        "write the values out instead of repeating aliases inside aliases",
                        mark.line + 1, mark.column + 1, "too-large")
        height = self.heights.get(event.anchor, 0)
        if len(self.stack) + height > MAX_DEPTH:
            raise _fail(self.name, "the file is nested too deeply (through the alias '*" + str(event.anchor) + "')",
                        f"a plan needs at most {MAX_DEPTH} levels", mark.line + 1, mark.column + 1, "too-deep")
        if self.stack:
            self.stack[-1].height = max(self.stack[-1].height, height + 1)
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.pending_key is _NO_KEY:
            raise _fail(self.name, "an alias cannot be used as a mapping key", "write the key out",
                        mark.line + 1, mark.column + 1, "yaml")
        path = self._child_path(mark)
        if path is not None:
            self.value_positions[path] = (mark.line + 1, mark.column + 1)
        self._place(value, mark, None, size)


def _resolve_scalar(event: events.ScalarEvent) -> Any:
    value = event.value
    # Only untagged plain scalars are resolved; quoted text and explicitly tagged values
    # (including !!python/... tags) stay text.
    plain = event.implicit[0] and not event.style and event.tag is None
    if not plain:
        return value
    tag = _resolver.resolve(ScalarNode, value, (True, False))
    node = ScalarNode(tag, value)
    if tag == "tag:yaml.org,2002:int":
        return _constructor.construct_yaml_int(node)
    if tag == "tag:yaml.org,2002:float":
        number = _constructor.construct_yaml_float(node)
        if number != number or number in (float("inf"), float("-inf")):
            return value
        return Number(number, value)
    if tag == "tag:yaml.org,2002:bool":
        return _constructor.construct_yaml_bool(node)
    if tag == "tag:yaml.org,2002:null":
        return None
    return value
