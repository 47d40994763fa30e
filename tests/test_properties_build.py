"""Property-based tests over build and diff (issue 14): a generated plan that validates builds every
output (plan on a page, full plan, Word annex), or fails with a located message, never a traceback;
diff between two valid generated plans never crashes, and a plan against itself has no changes.

The texts are Markdown soup: delimiters, nesting, tables, footnotes, raw HTML, control and invisible
characters, long words. Few examples each (PDFs are slow); bench/fuzz.py runs the same checks for as
long as you like."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from opgen.diff import diff_plans
from opgen.diff import report as diff_report
from opgen.limits import markdown_fields
from opgen.load import load_text, plain
from opgen.outputs import render_document
from opgen.pipeline import plan_from_bytes
from opgen.scaffold import starter_plan_text

ROOT = Path(__file__).resolve().parent.parent


STARTER = plain(load_text(starter_plan_text(None), "starter.yaml").data)
MARKDOWN_PATHS = [path for path, _ in markdown_fields(STARTER)]
TITLE_PATHS = [("actions", 0, "title"), ("domains", 0, "title"), ("risks", 0, "title"), ("plan", "title")]

TOKENS = ["*", "**", "_", "__", "`", "``", "~~", "[", "]", "(", ")", "](https://e.org)", "[a](javascript:x)",
          "> ", "- ", "* ", "1. ", "    ", "  - ", "\n", "\n\n", "|", " | ", "\n|---|---|\n", "---", "#", "## ",
          "[^1]", "\n\n[^1]: ", "<b>", "</b>", "<script>", "&amp;", "&#0;", "&nbsp;", "\\", "\\*", "!", "<https://e.org>",
          "word", "two words", "Ünïcödé", "\u0301", "\u200b", "\u202e", "\u00a0", "\U0001f600", "\ufeff", "\x01",
          "\x7f", "\x9b", "\t", "\r\n", "x" * 300, "https://example.org/" + "segment/" * 30, "2014/15", "tbc", "£1,000"]
markdown_soup = st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=40).map("".join)
deep = st.integers(1, 40).flatmap(lambda n: st.sampled_from(["> " * n + "x", "- " * n + "x", "*a " * n + "b" + "*" * n,
                                                              "\n".join("  " * i + "- x" for i in range(n))]))
texts = markdown_soup | deep | st.text(max_size=60)


def _dump(data: dict) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def _set(data: dict, path: tuple, value) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


@st.composite
def plans(draw) -> bytes:
    data = copy.deepcopy(STARTER)
    for path in draw(st.lists(st.sampled_from(MARKDOWN_PATHS), min_size=1, max_size=4)):
        _set(data, path, draw(texts))
    if draw(st.booleans()):
        _set(data, draw(st.sampled_from(TITLE_PATHS)), draw(texts) or "x")
    return _dump(data)


def check_located(result, raw: bytes) -> None:
    lines = raw.count(b"\n") + 1
    for d in result.report.errors:
        assert d.message and d.hint, d
        assert 1 <= d.line <= lines + 1 and d.column >= 1, d


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plans())
def test_a_plan_that_validates_builds_every_output(raw):
    result = plan_from_bytes(raw, "generated.yaml")
    if not result.ok:
        check_located(result, raw)
        return
    for document, outputs in (("annex", ["annex.docx"]), ("plan-on-a-page", ["plan-on-a-page.pdf"]),
                              ("operational-plan", ["operational-plan.pdf"])):
        rendered, _ = render_document(result.plan, result.report.diagnostics, document, outputs)
        for name, data in rendered.items():
            assert data.startswith(b"%PDF" if name.endswith(".pdf") else b"PK"), name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plans(), plans())
def test_diff_between_valid_plans_never_crashes_and_a_plan_equals_itself(old_raw, new_raw):
    old = plan_from_bytes(old_raw, "old.yaml")
    new = plan_from_bytes(new_raw, "new.yaml")
    for result, raw in ((old, old_raw), (new, new_raw)):
        if not result.ok:
            check_located(result, raw)
    assume(old.ok and new.ok)
    changes = diff_plans(old.plan, new.plan, old_warnings=old.report.warnings, new_warnings=new.report.warnings,
                         old_label="old", new_label="new")
    for render in (diff_report.render_text, diff_report.render_markdown, diff_report.render_json,
                   diff_report.render_html):
        assert isinstance(render(changes), str)
    again = plan_from_bytes(old_raw, "old.yaml")  # the same file read twice: nothing changed
    assert not diff_plans(old.plan, again.plan, old_warnings=old.report.warnings,
                          new_warnings=again.report.warnings, old_label="a", new_label="b")
    assert not diff_plans(new.plan, new.plan)
