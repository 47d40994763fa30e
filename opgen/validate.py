"""Validate a loaded plan: JSON Schema errors turned into plain-English located diagnostics, then the
semantic rules of plan-model.md (ids, references, periods, totals, TBCs, unmitigated red items).
"""

from __future__ import annotations

import re

from dataclasses import replace
from typing import Any, Iterator

from opgen import limits, periods, rules, theme
from opgen.diagnostics import ERROR, Diagnostic, did_you_mean, format_yaml_path
from opgen.figures import decimal_comma
from opgen.load import Document
from opgen.model import Plan, build
from opgen.schema import fast_check, resolve, validator

_TYPE_WORDS = {
    "object": "a mapping (key: value lines)",
    "array": "a list ('- ' items)",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "nothing",
}


def describe_value(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false; put text in quotes)"
    if isinstance(value, (int, float)):
        return f"the number {getattr(value, 'text', value)}"
    text = str(value)
    return f"'{text[:60]}{'...' if len(text) > 60 else ''}'"


def validate_document(doc: Document) -> list[Diagnostic]:
    """All diagnostics for a loaded plan: schema errors first; semantic rules once the shape is right."""
    return validate_and_build(doc)[0]


def validate_and_build(doc: Document) -> tuple[list[Diagnostic], Plan | None]:
    """Diagnostics for a loaded plan, and its model when it has no errors (built once, shared with
    the rules)."""
    too_big = limits.check_size(doc)
    if too_big:  # nothing more is checked (or built) of a plan over the size limits
        return too_big, None
    diagnostics = list(schema_diagnostics(doc))
    if any(d.severity == ERROR for d in diagnostics):
        return diagnostics, None
    markdown = limits.check_markdown(doc)
    diagnostics.extend(markdown)
    diagnostics.extend(limits.check_words(doc, skip={d.yaml_path for d in markdown}))
    plan = build(doc.data, doc.path)
    diagnostics.extend(rules.check(doc, plan))
    plan.theme, theme_problems = theme.read_theme(doc, ("theme",), theme.source_file(doc.path))
    diagnostics.extend(theme_problems)
    return diagnostics, (None if any(d.severity == ERROR for d in diagnostics) else plan)


def schema_diagnostics(doc: Document) -> Iterator[Diagnostic]:
    check = fast_check()
    if check is not None:
        try:
            check(doc.data)
            return
        except Exception:  # noqa: BLE001 - invalid (or unsure): let jsonschema explain
            pass
    yield from explain_schema_errors(doc, validator())


def explain_schema_errors(doc: Document, checker) -> Iterator[Diagnostic]:
    """Every error a JSON Schema validator (its $refs inlined) finds in a loaded YAML document, as
    located plain-English diagnostics: for plans, and for the other files opgen reads (pack files)."""
    seen: set[tuple] = set()
    for error in checker.iter_errors(doc.data):
        for diag in _explain(doc, error):
            key = (diag.line, diag.column, diag.message)
            if key not in seen:
                seen.add(key)
                yield _with_cause(diag)


# The same mistake made many times is one fix (diagnostics.grouped prints one message for them).
_SCHEMA_CAUSES = {
    "date": "dates are not in a form this plan understands",
    "financial-year": 'financial years are not written as "2014/15"',
    "quarter": 'quarters are not written as "2014/15 Q2"',
    "period": "periods are not in a form this plan understands",
}


def _with_cause(diag: Diagnostic) -> Diagnostic:
    cause = _SCHEMA_CAUSES.get(diag.code, "")
    if diag.code == "type" and diag.hint.startswith("write numbers without commas"):
        cause = "numbers are written with commas (YAML reads 10,009 as text)"
    return replace(diag, cause=cause) if cause else diag


def _diag(doc: Document, path: tuple, message: str, hint: str, code: str, key: bool = False) -> Diagnostic:
    line, column = doc.position(path, key=key)
    return Diagnostic(doc.path, line, column, ERROR, code, message, hint, format_yaml_path(path))


def _explain(doc: Document, error) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    where = format_yaml_path(path) or "the top level"
    in_property_names = "propertyNames" in error.relative_schema_path or "propertyNames" in error.schema_path

    if in_property_names:
        name = error.instance
        key_path = path + (name,)
        yield _diag(doc, key_path, *_explain_value(name, schema, kind, error, is_key=True), key=True)
        return

    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for name in error.instance:
            if name in schema.get("properties", {}):
                continue
            guess = did_you_mean(name, allowed)
            hint = (f"did you mean '{guess}'?" if guess else
                    f"allowed keys here: {', '.join(allowed)}")
            yield _diag(doc, path + (name,), f"unknown key '{name}' in {where}", hint, "unknown-key", key=True)
        return

    if kind == "required":
        missing = error.validator_value
        for name in missing:
            if isinstance(error.instance, dict) and name in error.instance:
                continue
            field_schema = resolve(schema.get("properties", {}).get(name, {}))
            description = field_schema.get("description", "")
            hint = f"add '{name}:'" + (f" ({description})" if description else "")
            yield _diag(doc, path, f"missing required field '{name}' in {where}", hint, "missing-field", key=True)
        return

    if kind == "dependentRequired":
        for trigger, needs in error.validator_value.items():
            if trigger in error.instance:
                for name in needs:
                    if name not in error.instance:
                        yield _diag(doc, path + (trigger,), f"'{trigger}' is given without '{name}' in {where}",
                                    f"add '{name}:' too: the risk score is likelihood x impact", "missing-field",
                                    key=True)
        return

    if kind in ("anyOf", "oneOf") and (inner := _inner_errors(error)):
        for sub in inner:
            yield from _explain(doc, sub)
        return

    message, hint, code = _explain_value(error.instance, schema, kind, error)
    if not path and kind == "type":
        message = f"this is not a plan: expected 'key: value' sections, but found {describe_value(error.instance)}"
        hint = ("a plan starts with 'schema_version: 2', then organisation:, plan:, vision:, domains: and "
                "actions:; to start one: opgen new plans/my-plan.yaml")
    yield _diag(doc, path, message, hint, code)


def _inner_errors(error) -> list:
    """For a value that fits none of several shapes (anyOf), the errors of the one shape it was
    meant to have, when what is wrong lies inside it: {throughout: "2014-15"} is a 'throughout'
    whose year is wrong, so the message is about "2014-15", not "a mapping is not a date". A shape
    is meant when the value has its form (no error at the value itself: its type, required and
    allowed keys fit) and only values inside it are wrong. Otherwise (none, or the value's own form
    is wrong) an empty list: the caller explains the whole value."""
    depth = len(error.absolute_path)
    branches: dict[int, list] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [subs for subs in branches.values() if all(len(s.absolute_path) > depth for s in subs)]
    return fitting[0] if len(fitting) == 1 else []


def _number_hint(value: str) -> str | None:
    """The fix for a number written as text: '10,009' -> 'write numbers without commas: 10009'."""
    decimal = decimal_comma(value)
    if decimal is not None:
        return f"write the decimal point as a full stop: {decimal}"
    cleaned = value.strip().replace(",", "")
    signs = any(ch in cleaned for ch in "£%")
    cleaned = cleaned.replace("£", "").replace("%", "").strip()
    try:
        float(cleaned)
    except ValueError:
        return None
    if signs:
        return (f"write numbers without commas, £ or % signs: {cleaned} "
                "(the unit is set once for the section)")
    return f"write numbers without commas: {cleaned}"


_KEYWORDS = ("tbc", "n/a", "not_stated", "ongoing")


def _keyword_meant(value: Any, schema: dict) -> str | None:
    """'Not stated', 'TBC', 'N/A', 'Ongoing' where the field takes the keyword not_stated, tbc, n/a or
    ongoing: the keyword meant, or None."""
    if not isinstance(value, str) or value in _KEYWORDS:
        return None
    word = "_".join(value.strip().lower().replace("-", " ").split())
    word = {"n_/_a": "n/a", "na": "n/a", "to_be_confirmed": "tbc", "not_known": None}.get(word, word)
    if word not in _KEYWORDS:
        return None
    accepted: set[str] = set()

    def walk(node, depth=0):
        node = resolve(node) if isinstance(node, dict) else node
        if not isinstance(node, dict) or depth > 4:
            return
        accepted.update(str(v) for v in node.get("enum") or [])
        if "const" in node:
            accepted.add(str(node["const"]))
        for key in ("oneOf", "anyOf"):
            for branch in node.get(key) or []:
                walk(branch, depth + 1)

    walk(schema)
    return word if word in accepted else None


_SCHEDULE_TO = re.compile(r"^([0-9]{4}/[0-9]{2}( Q[1-4])?|[0-9]{4}-[0-9]{2}|ongoing)$")


def _explain_value(value: Any, schema: dict, kind: str, error, is_key: bool = False) -> tuple[str, str, str]:
    """Message, hint and code for a value (or mapping key) that does not fit its schema node."""
    what = "key" if is_key else "value"
    x_kind = schema.get("x-kind")
    description = schema.get("description", "")
    word = _keyword_meant(value, schema)
    if word:
        return (f"{describe_value(value)} must be written {word} here",
                f"write {word} (in lowercase{', with an underscore' if '_' in word else ''})", "bad-value")

    if x_kind == "financial_year" or (kind == "pattern" and x_kind is None and "/" in schema.get("pattern", "")
                                      and "Q" not in schema.get("pattern", "")):
        return f"{describe_value(value)} is not a financial year", periods.suggest_financial_year(value), "financial-year"
    if x_kind == "quarter":
        return f"{describe_value(value)} is not a quarter", periods.suggest_quarter(value), "quarter"
    if x_kind == "iso_date":
        return f"{describe_value(value)} is not a date", "write a date as YYYY-MM-DD, e.g. 2015-03-31", "date"
    if x_kind == "plan_date":
        return (f"{describe_value(value)} is not a date this plan understands",
                'write 2015-03-31, 2015-03, "2015/16 Q3", "2015/16", ongoing or tbc', "date")
    if x_kind == "period":
        return f"{describe_value(value)} is not a period", periods.suggest_period(value), "period"
    if x_kind == "day_or_month":
        return (f"{describe_value(value)} is not a date or a month",
                "write a date as YYYY-MM-DD (2014-03-10) or a month as YYYY-MM (2014-03)", "date")
    if x_kind == "when":
        return (f"{describe_value(value)} is not a date this plan understands",
                'write 2015-03-31, 2015-03, "2015/16 Q3", "2015/16", ongoing, tbc, {throughout: "2015/16"} '
                'or {from: "2015/16 Q1", to: "2015/16 Q3"}', "date")
    if x_kind in ("schedule_cell", "schedule_entry"):
        quarters = ", or a year's quarters {q1: PL, q2: PI}" if x_kind == "schedule_entry" else ""
        if isinstance(value, dict) and "code" in value:
            odd = [str(k) for k in value if k not in ("code", "to")]
            if odd:
                guess = did_you_mean(odd[0], ["code", "to"])
                return (f"unknown key '{odd[0]}' in a schedule entry",
                        f"did you mean '{guess}'?" if guess else "a schedule entry has code: and to: only", "unknown-key")
        if isinstance(value, dict) and "code" in value and "to" in value and not isinstance(value["to"], str):
            return (f"{describe_value(value['to'])} is not a period a phase can run to",
                    'write a quarter "2016/17 Q4", a month "2016-03", a financial year "2016/17" (in quotes) or '
                    "ongoing", "schedule")
        if isinstance(value, dict) and "code" in value and "to" in value and not _SCHEDULE_TO.match(value["to"]):
            return (f"{describe_value(value['to'])} is not a period a phase can run to",
                    'write a quarter "2016/17 Q4", a month "2016-03", a financial year "2016/17" or ongoing', "schedule")
        if isinstance(value, dict) and x_kind == "schedule_entry" and "code" not in value:
            odd = [str(k) for k in value if k not in ("q1", "q2", "q3", "q4")]
            if odd:
                return (f"'{odd[0]}' is not a quarter", "quarters are q1 (Apr-Jun), q2 (Jul-Sep), q3 (Oct-Dec) and "
                        "q4 (Jan-Mar); a quarter or month key takes one code", "bad-value")
        return (f"{describe_value(value)} is not a schedule entry",
                f'write a code from scales.schedule (e.g. PL), {{code: PL, to: "2016/17 Q4"}} or {{code: PL, to: ongoing}}'
                f"{quarters}", "schedule")
    if x_kind == "number_or_unknown":
        hint = ("write a plain number, or tbc (to be confirmed), n/a (not applicable) or not_stated (the source "
                "gives no figure)")
        if isinstance(value, str) and _number_hint(value):
            hint = _number_hint(value)
        elif isinstance(value, str) and any(c in value for c in ",£%"):
            hint = "write the number without commas, £ or % signs (the unit is set once for the section), e.g. 1774.9"
        elif isinstance(value, str) and did_you_mean(value, ["tbc", "n/a", "not_stated"]):
            hint = f"did you mean '{did_you_mean(value, ['tbc', 'n/a', 'not_stated'])}'?"
        return f"expected a number, tbc, n/a or not_stated, but found {describe_value(value)}", hint, "type"
    if x_kind == "figure":
        return (f"expected a figure, but found {describe_value(value)}",
                "write a number (or tbc, n/a, not_stated), or {value: 97, comparison: at_most}, "
                "{value: 87.8, numerator: 439, denominator: 500} or {value: 0.8, revised_from: {value: 3.5}}", "type")

    if x_kind == "target":
        return (f"expected a target, but found {describe_value(value)}",
                "write a number (or tbc, n/a, not_stated), or {value: 97, comparison: at_most}, {comparison: maintain}, "
                "{comparison: reduce_by, value: 5, unit: percent} or {see: OTHER-ID}", "type")

    if kind == "enum" or kind == "const":
        allowed = [str(v) for v in (schema.get("enum") or [schema.get("const")])]
        guess = did_you_mean(str(value), allowed)
        if guess and guess.lower() == str(value).lower():
            hint = f"did you mean '{guess}'? (write it in lowercase)"
        elif guess:
            hint = f"did you mean '{guess}'? allowed: {', '.join(allowed)}"
        else:
            hint = f"allowed: {', '.join(allowed)}"
        if kind == "const":
            return f"{describe_value(value)} is not supported here", f"write {allowed[0]}", "bad-value"
        noun = "quarter" if allowed == ["q1", "q2", "q3", "q4"] else what
        if noun == "quarter":
            hint = "quarters are q1 (Apr-Jun), q2 (Jul-Sep), q3 (Oct-Dec) and q4 (Jan-Mar)"
        return f"{describe_value(value)} is not an allowed {noun}", hint, "bad-value"

    if kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        hint = description or f"write {words}"
        if "string" in expected and isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = f"put it in quotes: \"{getattr(value, 'text', value)}\""
        elif "number" in expected and isinstance(value, str):
            hint = _number_hint(value) or "write the number without commas, £ or % signs, e.g. 1774.9"
        elif "array" in expected and isinstance(value, (str, dict)):
            hint = "write each item on its own line starting with '- '" + (f" ({description})" if description else "")
        elif "object" in expected and isinstance(value, list):
            hint = "write 'key: value' lines here, not '- ' items" + (f" ({description})" if description else "")
        return f"expected {words}, but found {describe_value(value)}", hint, "type"

    if kind in ("minimum", "maximum"):
        hint = schema.get("x-hint") or f"use a value from {schema.get('minimum')} to {schema.get('maximum')}"
        return (f"{describe_value(value)} is out of range ({schema.get('minimum')} to {schema.get('maximum')})",
                hint, "out-of-range")
    if kind == "exclusiveMinimum":
        return (f"{describe_value(value)} is out of range (it must be more than {schema.get('exclusiveMinimum')})",
                schema.get("x-hint") or f"use a value more than {schema.get('exclusiveMinimum')}", "out-of-range")
    if kind == "minLength":
        return "this text is empty", "write the text, or remove the line", "empty"
    if kind == "minItems":
        return "this list is empty", "add at least one item" + (f" ({description})" if description else ""), "empty"
    if kind == "pattern":
        hint = schema.get("x-hint") or description or f"it must match {schema.get('pattern')}"
        return f"{describe_value(value)} is not a valid {what} here", hint, "bad-value"
    return error.message, description or "see the schema: opgen schema", "schema"
