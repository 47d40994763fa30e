"""Property-based tests: random mutations of the example plans either validate or yield located
diagnostics, never an exception."""

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opgen.diagnostics import ERROR
from opgen.load import LoadError, load_bytes, load_text
from opgen.model import build
from opgen.validate import validate_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "plans").glob("*.yaml"))
TEXTS = [p.read_text(encoding="utf-8") for p in EXAMPLES]


def plain(value):
    """Loader output to plain Python for the YAML dumper (Number -> float)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return float(value)
    return value


DATA = [plain(load_text(t).data) for t in TEXTS]

scalars = st.one_of(
    st.text(max_size=12), st.integers(-10, 30), st.floats(allow_nan=True, allow_infinity=True), st.none(),
    st.booleans(), st.sampled_from(["tbc", "n/a", "Amber", "red", "2014-15", "2014/15", "2015/16 Q5", "q5",
                                    "2014/15 Q2", "2015-03-31", "2015-02-30", "ooh", "OOH-01", ""]),
)
values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.sampled_from(["id", "title", "q1", "2014/15", "x"]),
                                                     children, max_size=3)), max_leaves=6)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


ALL_PATHS = [list(paths(d)) for d in DATA]


def mutate(data, path, operation, value):
    data = copy.deepcopy(data)
    if not path:
        return value if operation == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if operation == "replace":
        parent[last] = value
    elif operation == "delete":
        del parent[last]
    elif operation == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    elif operation == "add-key" and isinstance(parent[last], dict):
        parent[last]["unexpected_key"] = value
    return data


def check_diagnostics(diags, text):
    lines = text.count("\n") + 1
    for d in diags:
        assert d.severity in ("error", "warning")
        assert d.message and d.hint, d
        assert 1 <= d.line <= lines + 1 and d.column >= 1, d


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_plans_validate_or_give_located_diagnostics(data):
    index = data.draw(st.integers(0, len(DATA) - 1))
    path = data.draw(st.sampled_from(ALL_PATHS[index]))
    operation = data.draw(st.sampled_from(["replace", "delete", "duplicate", "add-key"]))
    value = data.draw(values)
    mutated = mutate(DATA[index], path, operation, value)
    text = yaml.safe_dump(mutated, sort_keys=False, allow_unicode=True)
    try:
        doc = load_text(text, "mutated.yaml")
    except LoadError as e:
        check_diagnostics([e.diagnostic], text)
        return
    diags = validate_document(doc)
    check_diagnostics(diags, text)
    if not any(d.severity == ERROR for d in diags):
        build(doc.data)  # a plan that validates always yields a model


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_text_edits_never_raise(data):
    text = TEXTS[data.draw(st.integers(0, len(TEXTS) - 1))]
    raw = bytearray(text.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw)))
        if data.draw(st.booleans()):
            raw[position:position] = data.draw(st.binary(min_size=1, max_size=6) | st.sampled_from(
                [b"\t", b'"', b"'", b": ", b"- ", b"&a ", b"*a", b"{", b"]", b"\n  ", b"---\n", b"\xe9"]))
        else:
            raw[position:position + data.draw(st.integers(1, 40))] = b""
    try:
        doc = load_bytes(bytes(raw), "edited.yaml")
    except LoadError as e:
        assert e.diagnostic.message and e.diagnostic.hint
        return
    diags = validate_document(doc)
    check_diagnostics(diags, doc.text)
