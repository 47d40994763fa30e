"""Work limits (issue 14): a Markdown text or a plan that would make a build take minutes, grow to
gigabytes or overflow the stack is a located `opgen validate` error, so a plan that validates always
builds; and the renderers stay safe (bounded work, no RecursionError) even for a text never validated."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from opgen import limits, richtext
from opgen.cli import main
from opgen.load import load_text
from opgen.model import build
from opgen.pipeline import plan_from_bytes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate import big_plan, example_data  # noqa: E402

SMALL = ROOT / "plans" / "west-kent-2015-16.yaml"

# The cases the attack found (issue 14), each far past a limit.
PATHOLOGICAL = {
    "emphasis in one word": ("*a_" * 3000, "markdown-marks"),
    "code spans in one word": ("`a" * 1500, "markdown-word"),
    "unclosed brackets": ("[" * 3000, "markdown-brackets"),
    "code and brackets": ("`[" * 600, "markdown-brackets"),
    "500-deep quotes": ("> " * 500 + "x", "markdown-nesting"),
    "150-deep list": ("\n".join("  " * i + "- x" for i in range(150)), "markdown-nesting"),
    "100-deep list, 4 spaces": ("\n".join("    " * i + "- x" for i in range(100)), "markdown-nesting"),
    "single-line nested list": ("- " * 500 + "x", "markdown-nesting"),
    "emphasis inside emphasis": ("*a " * 40 + "b" + "*" * 40, "markdown-nesting"),
    "footnote holding deep quotes": ("x[^1]\n\n[^1]: " + "> " * 300 + "y", "markdown-nesting"),
    "a very long text": ("word " * 12_000, "markdown-length"),
}


def _dump(data: dict) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def _position(text: str, needle: str) -> tuple[int, int]:
    """Line and column (1-based) of the first `needle` in the YAML text."""
    before = text[: text.index(needle)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


@pytest.mark.parametrize("case", PATHOLOGICAL, ids=list(PATHOLOGICAL))
def test_pathological_markdown_is_a_located_validate_error(case):
    text, code = PATHOLOGICAL[case]
    data = example_data(SMALL)
    data["actions"][3]["description"] = text
    raw = _dump(data)
    started = time.perf_counter()
    result = plan_from_bytes(raw, "plan.yaml")
    assert time.perf_counter() - started < 10
    assert not result.ok
    [d] = [d for d in result.report.errors]
    assert d.code == code and d.yaml_path == "actions[3].description"
    line, column = _position(raw.decode(), "description: " + yaml.safe_dump(text)[:8].split("\n")[0])
    assert (d.line, d.column - len("description: ")) == (line, column)
    assert "limit" in d.message and d.hint


def test_the_limit_is_reported_in_every_markdown_field_and_not_in_titles():
    data = example_data(SMALL)
    deep = "> " * 40 + "x"
    data["vision"]["mission"] = deep
    data["domains"][0]["description"] = deep
    data["actions"][1]["mitigation"] = deep
    data["actions"][0]["title"] = "*a_ " * 3000  # a title is plain text: no Markdown, no limit of its own
    result = plan_from_bytes(_dump(data), "plan.yaml")
    paths = sorted(d.yaml_path for d in result.report.errors)
    assert paths == ["actions[1].mitigation", "domains[0].description", "vision.mission"]


def test_a_word_too_long_for_any_column_is_a_located_error_in_any_text():
    # 50,000 characters without a space ran off the page and took WeasyPrint 40 s to break
    data = example_data(SMALL)
    data["actions"][0]["title"] = "x" * 50_000
    data["actions"][1]["description"] = "see " + "y" * (limits.MAX_WORD + 1)
    data["actions"][2]["description"] = "a web address https://example.org/" + "z" * 400 + " is fine"
    result = plan_from_bytes(_dump(data), "plan.yaml")
    found = {d.yaml_path: d for d in result.report.errors}
    assert sorted(found) == ["actions[0].title", "actions[1].description"]
    assert all(d.code == "word-too-long" and d.line > 0 for d in found.values())
    assert "50,000 characters" in found["actions[0].title"].message


def test_real_markdown_is_far_inside_every_limit():
    nested = "\n".join("    " * i + f"- level {i + 1} with **bold [a link](https://example.org)**"
                       for i in range(6))
    busy = " ".join(f"**{i}** _x_ `c` [l](https://e.org/a_b_c) [^{i}]" for i in range(40))
    for text in (nested, busy, "> quoted\n> > twice", "snake_case_words_" * 100):
        assert richtext.limit_problem(text) is None, text
    for path in sorted((ROOT / "plans").glob("*.yaml")):
        doc = load_text(path.read_text(encoding="utf-8"), str(path))
        assert limits.check_markdown(doc) == [] and limits.check_size(doc) == []


def test_nesting_just_past_the_limit_is_caught_exactly():
    at_limit = "> " * richtext.MAX_NESTING + "x"
    over = "> " * (richtext.MAX_NESTING + 1) + "x"
    assert richtext.limit_problem(at_limit) is None
    problem = richtext.limit_problem(over)
    assert problem.kind == "nesting" and problem.found == richtext.MAX_NESTING + 1


def test_an_escaped_mark_does_not_count():
    assert richtext.limit_problem(r"\*" * 3000) is None
    assert "*" in richtext.to_plain(r"\*" * 3000)


@pytest.mark.parametrize("case", PATHOLOGICAL, ids=list(PATHOLOGICAL))
def test_the_renderers_never_raise_and_stay_fast_on_a_text_over_a_limit(case):
    text, _ = PATHOLOGICAL[case]
    richtext._limit.cache_clear()
    richtext._parsed.cache_clear()
    started = time.perf_counter()
    html = str(richtext.to_html(text))
    plain = richtext.to_plain(text)
    richtext.to_tree(text)
    assert time.perf_counter() - started < 3
    assert html.startswith("<p>") and "<em>" not in html and "<blockquote>" not in html  # printed as plain text
    assert plain.split()[0] in text


def test_an_unvalidated_plan_with_every_pathological_text_still_renders_quickly():
    """The second line: a plan built into a model without validation (the renderers' own guard)."""
    from opgen.render.docx.annex import annex_docx
    from opgen.render.pdf import operational_plan_pdf

    data = example_data(SMALL)
    texts = [text for text, _ in PATHOLOGICAL.values()]
    for action, text in zip(data["actions"], texts):
        action["description"] = text
    plan = build(data, "plan.yaml")
    started = time.process_time()
    _, pdf = operational_plan_pdf(plan, [])
    annex_docx(plan, [])
    assert pdf.startswith(b"%PDF")
    assert time.process_time() - started < 60  # 53 s for `*a_` x 3,000 alone before; RecursionError for deep quotes


# --- size -------------------------------------------------------------------------------------

def test_a_plan_over_the_item_limit_is_refused_before_anything_is_built(tmp_path, capsys):
    data = big_plan(2500)  # 2,500 actions and their 700 milestones: over 3,000 items
    plan = tmp_path / "huge.yaml"
    plan.write_bytes(_dump(data))
    started = time.perf_counter()
    assert main(["build", str(plan), "--out", str(tmp_path / "out")]) == 1
    assert time.perf_counter() - started < 60
    assert not any((tmp_path / "out").rglob("*.*"))
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert f"opgen builds at most {limits.MAX_ITEMS:,}" in err and "split the plan" in err
    # located at the first item over the limit (items count in document order, an action before its milestones)
    doc = load_text(plan.read_text(encoding="utf-8"), str(plan))
    [d] = limits.check_size(doc)
    def items(value) -> int:
        if isinstance(value, dict):
            return sum(items(v) for v in value.values())
        return sum(isinstance(v, dict) + items(v) for v in value) if isinstance(value, list) else 0

    keys = list(data)
    count = sum(items(data[k]) for k in keys[: keys.index("actions")])
    for i, action in enumerate(data["actions"]):
        count += 1 + len(action.get("milestones") or [])
        if count > limits.MAX_ITEMS:
            break
    assert d.yaml_path.startswith(f"actions[{i}]")
    assert f"huge.yaml:{d.line}:{d.column}: error:" in err


def test_a_plan_over_the_text_limit_is_a_located_error():
    data = example_data(SMALL)
    chunk = "A long paragraph of background. " * 1500  # 48,000 characters: each text is within its own limit
    data["sections"] = [{"id": f"s{i}", "title": f"Background {i}", "body": chunk} for i in range(22)]
    result = plan_from_bytes(_dump(data), "plan.yaml")
    [d] = result.report.errors
    assert d.code == "too-much-text" and d.yaml_path.startswith("sections[")
    assert f"{limits.MAX_PLAN_CHARS:,}" in d.message and "split the plan" in d.hint


def test_the_benchmark_plans_stay_inside_the_size_limits():
    from generate import v2_big_plan

    for data in (big_plan(1000), v2_big_plan(10)):
        doc = load_text(_dump(data).decode(), "big.yaml")
        assert limits.check_size(doc) == []


def test_a_long_markdown_table_cell_lays_out_in_linear_time():
    """A pipe-table cell of 6,000 characters of ordinary words (about 2 minutes under the old
    `overflow-wrap: anywhere`), and a long unbroken word that still wraps inside its cell."""
    from opgen.render.pdf import operational_plan_pdf

    data = example_data(SMALL)
    long_word = "https://www.example.org/" + "very-long-path-segment/" * 8
    data["actions"][0]["description"] = (f"| Scheme | Commentary |\n|---|---|\n| A | {'words ' * 1000} |\n"
                                         f"| B | see {long_word} |\n")
    result = plan_from_bytes(_dump(data), "plan.yaml")
    assert result.ok
    started = time.process_time()
    _, pdf = operational_plan_pdf(result.plan, [])
    assert time.process_time() - started < 40
    if shutil.which("pdftotext"):  # nothing runs off the page: every word's box lies inside it
        bbox = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        for page in bbox.decode().split("<page ")[1:]:
            width = float(re.match(r'width="([\d.]+)"', page).group(1))
            assert all(float(x) <= width - 20 for x in re.findall(r'xMax="([\d.]+)"', page))
