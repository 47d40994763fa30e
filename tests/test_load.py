"""The loader: positions, safe loading, limits and a plain message for each kind of unreadable file."""

import time
from pathlib import Path

import pytest

from opgen.load import MAX_BYTES, LoadError, Number, load_bytes, load_file, load_text


def load_error(text_or_bytes) -> LoadError:
    with pytest.raises(LoadError) as info:
        if isinstance(text_or_bytes, bytes):
            load_bytes(text_or_bytes, "plan.yaml")
        else:
            load_text(text_or_bytes, "plan.yaml")
    return info.value


def test_positions_of_keys_and_values_are_one_based():
    doc = load_text("plan:\n  title: X\nactions:\n  - id: A-1\n    title: Y\n", "p.yaml")
    assert doc.value_positions[("plan", "title")] == (2, 10)
    assert doc.key_positions[("plan", "title")] == (2, 3)
    assert doc.value_positions[("actions", 0, "id")] == (4, 9)
    assert doc.position(("actions", 0, "missing", "deeper")) == (4, 5)


def test_dates_stay_text_and_floats_keep_their_digits():
    doc = load_text("a: 2015-03-31\nb: 88.10\nc: 12\nd: .nan\ne: '007'\n")
    assert doc.data["a"] == "2015-03-31"
    assert isinstance(doc.data["b"], Number) and doc.data["b"].text == "88.10"
    assert doc.data["c"] == 12 and isinstance(doc.data["c"], int)
    assert doc.data["d"] == ".nan"
    assert doc.data["e"] == "007"


def test_python_tags_are_never_constructed():
    doc = load_text("a: !!python/object/apply:os.system ['echo hacked']\nb: !!python/name:os.system x\n")
    assert doc.data["b"] == "x"


def test_duplicate_key_is_an_error_naming_both_lines():
    e = load_error("plan:\n  title: A\n  title: B\n")
    assert (e.diagnostic.line, e.diagnostic.column) == (3, 3)
    assert "appears twice" in e.diagnostic.message and "line 2" in e.diagnostic.message


def test_billion_laughs_is_refused_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    e = load_error("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 0.5
    assert "aliases" in e.diagnostic.message


def test_deep_nesting_is_refused():
    e = load_error("a: " + "[" * 500 + "]" * 500 + "\n")
    assert "nested too deeply" in e.diagnostic.message


def test_tab_indentation_is_located():
    e = load_error("plan:\n\ttitle: X\n")
    assert (e.diagnostic.line, e.diagnostic.column) == (2, 1)
    assert "tab" in e.diagnostic.message


@pytest.mark.parametrize("text", ["", "   \n\n", "# just a comment\n"])
def test_empty_file(text):
    assert "empty" in load_error(text).diagnostic.message


def test_binary_junk():
    assert "binary" in load_error(bytes(range(256)) * 8).diagnostic.message


def test_latin1_file_names_the_byte_and_the_fix():
    e = load_error("name: Caf\xe9 services\n".encode("latin-1"))
    assert (e.diagnostic.line, e.diagnostic.column) == (1, 10)
    assert "UTF-8" in e.diagnostic.message and "Café" in e.diagnostic.hint


def test_utf16_file():
    assert "UTF-16" in load_error("a: 1\n".encode("utf-16")).diagnostic.message


def test_utf8_bom_is_accepted():
    assert load_bytes(b"\xef\xbb\xbfa: 1\n").data == {"a": 1}


def test_unclosed_quote_points_at_the_opening_line():
    e = load_error('plan:\n  title: "Operational plan\n  version: 1\nvision: x\n')
    assert e.diagnostic.line == 2
    assert "never closed" in e.diagnostic.message


def test_unclosed_quote_at_end_of_file():
    e = load_error('plan:\n  title: "Operational plan\n')
    assert "never closed" in e.diagnostic.message


def test_too_large_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    with pytest.raises(LoadError) as info:
        load_file(big)
    assert time.perf_counter() - started < 0.5
    assert "too large" in info.value.diagnostic.message
    assert MAX_BYTES < 50 * 1024 * 1024


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(LoadError) as info:
        load_file(tmp_path)
    assert info.value.diagnostic.code == "not-a-file"
    with pytest.raises(LoadError) as info:
        load_file(tmp_path / "nope.yaml")
    assert info.value.diagnostic.code == "not-found"


def test_second_document_is_an_error():
    e = load_error("a: 1\n---\nb: 2\n")
    assert e.diagnostic.line == 2 and "more than one" in e.diagnostic.message


def test_merge_keys_and_small_aliases_work():
    doc = load_text("base: &b {unit: gbp, x: 1}\nother:\n  <<: *b\n  x: 2\n")
    assert doc.data["other"] == {"unit": "gbp", "x": 2}


def test_repository_schema_copy_equals_the_packaged_schema():
    """Editors read schemas/plan.schema.json through plan modelines; opgen validates against the
    packaged copy. They must never drift apart."""
    from opgen.resources import SCHEMA_PATH

    repo_copy = Path(__file__).resolve().parent.parent / "schemas" / "plan.schema.json"
    assert repo_copy.read_bytes() == SCHEMA_PATH.read_bytes(), \
        "schemas/plan.schema.json differs from opgen/resources/plan.schema.json: copy the packaged one over it"


@pytest.mark.parametrize("written, meant", [("10,009", "10009"), ("1,500.5", "1500.5"), ("-2,300", "-2300"),
                                            ("12,345,678", "12345678")])
def test_a_number_with_commas_inside_braces_is_one_located_message_not_two_wrong_ones(written, meant):
    # Inside {...} YAML takes the comma as a separator: {"2015/16": 10,009} would become 10 and a key '009'.
    text = f'plan:\n  savings: {{"2015/16": {written}, "2016/17": 450}}\n'
    with pytest.raises(LoadError) as e:
        load_text(text, "p.yaml")
    d = e.value.diagnostic
    assert (d.line, d.column) == (2, text.splitlines()[1].index(written) + 1)
    assert written in d.message and d.hint == f"write numbers without commas: {meant}"


def test_commas_that_separate_entries_are_left_alone():
    # a space after the comma, or a key that is not a group of three digits, is YAML as meant
    doc = load_text('a: {"2015/16": 10, 500: x}\nb: {x: 1,y: 2}\nc: [1,500]\n')
    assert doc.data["a"] == {"2015/16": 10, "500": "x"}
    assert doc.data["b"] == {"x": 1, "y": 2}
