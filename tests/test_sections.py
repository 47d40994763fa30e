"""Narrative chapters (`sections`, plan model version 2): placed among the built-in chapters of the
full plan, numbered, in the contents with page numbers and in the PDF bookmarks; Word headings in
the annex; matched by id in the diff; and every place that cannot be honoured reported where it is
written."""

from __future__ import annotations

import io
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from opgen import chapters
from opgen.diff import diff_plans
from opgen.diff.report import render_markdown, render_text
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render.docx.annex import annex_docx
from opgen.render.html import full_view
from opgen.render.pdf import operational_plan_pdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sections-v2.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
SWALE = ROOT / "plans" / "swale-2015-16.yaml"
SWALE_V1 = ROOT / "tests" / "fixtures" / "v1" / "swale-2015-16.yaml"  # no sections


def _result(text: str, name: str = "plan.yaml"):
    return plan_from_bytes(text.encode("utf-8"), name)


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth occurrence of `needle`."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[nth - 1]


@lru_cache(maxsize=1)
def _pdf() -> tuple[str, bytes]:
    result = plan_from_file(FIXTURE)
    assert result.ok, [d.as_text() for d in result.report.diagnostics]
    return operational_plan_pdf(result.plan, result.report.diagnostics)


def _pages(pdf: bytes) -> list[str]:
    """Each page's text (pdftotext, layout kept so a contents line stays one line)."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                         check=True, timeout=60).stdout.decode("utf-8")
    return out.split("\f")


def _outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """The PDF bookmarks as (depth, title, page number)."""
    reader = PdfReader(io.BytesIO(pdf))
    out: list[tuple[int, str, int]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item) + 1))
    walk(reader.outline, 0)
    return out


# --- the model -----------------------------------------------------------------------------------

def test_sections_are_typed_with_their_place_levels_and_yaml_paths():
    plan = plan_from_file(FIXTURE).plan
    assert [s.id for s in plan.sections] == ["foreword", "summary", "governance", "glossary", "sources"]
    assert [(s.id, s.level) for s in plan.all_sections] == [
        ("foreword", 1), ("summary", 1), ("governance", 1), ("gov-board", 2), ("gov-committees", 3),
        ("gov-engagement", 2), ("glossary", 1), ("glossary-nhs", 2), ("sources", 1)]
    governance = plan.sections[2]
    assert (governance.place.relation, governance.place.target) == ("after", "qipp")
    assert plan.sections[0].place is None and plan.sections[3].place.relation == "appendix"
    assert governance.sections[0].sections[0].path == ("sections", 2, "sections", 0, "sections", 0)
    assert "1. Audit Committee" in governance.sections[0].sections[0].body


def test_arrangement_puts_each_section_where_it_says_and_the_rest_after_the_one_before():
    plan = plan_from_file(FIXTURE).plan
    order = [name if kind == "builtin" else name.id for kind, name in chapters.arrange(plan).order()]
    assert order == ["document_control", "foreword", "summary", "vision", "domains", "performance", "qipp",
                     "governance", "risks", "finance", "bcf", "inventory", "glossary", "sources"]


# --- validation ----------------------------------------------------------------------------------

def test_a_clean_v2_plan_with_sections_is_valid_without_warnings():
    result = plan_from_file(FIXTURE)
    assert result.ok and result.report.diagnostics == []


def test_an_unknown_chapter_is_an_error_at_the_place_with_did_you_mean():
    text = TEXT.replace("place: {after: qipp}", "place: {after: qip}")
    (error,) = _result(text).report.errors
    assert error.code == "unknown-chapter"
    assert (error.line, error.column) == (_line_of(text, "{after: qip}"), 20)
    assert "no chapter with that id" in error.message and "'qip'" in error.message
    assert error.hint == "did you mean 'qipp'?"
    # another section's id is a chapter too; a near miss of one is suggested
    text = TEXT.replace("place: {after: qipp}", "place: {after: sumary}")
    (error,) = _result(text).report.errors
    assert error.hint == "did you mean 'summary'?"


def test_a_subsection_is_not_a_place_to_put_a_chapter():
    text = TEXT.replace("place: {after: qipp}", "place: {before: gov-engagement}")
    (error,) = _result(text).report.errors
    assert error.code == "unknown-chapter" and "is a subsection" in error.message
    assert error.yaml_path == "sections[2].place.before"


def test_a_built_in_chapter_the_plan_lacks_warns_and_the_section_goes_where_it_would_by_default():
    text = TEXT.replace("place: {after: qipp}", "place: {before: finance}")
    result = _result(text)
    assert result.ok
    (warning,) = result.report.warnings
    assert warning.code == "missing-chapter"
    assert warning.line == _line_of(text, "{before: finance}")
    assert "the finance chapter, but this plan has none, so it goes after section summary" in warning.message
    order = [n if k == "builtin" else n.id for k, n in chapters.arrange(result.plan).order()]
    assert order[:5] == ["document_control", "foreword", "summary", "governance", "vision"]


def test_sections_placed_relative_to_each_other_in_a_circle_are_an_error():
    text = TEXT.replace("    title: Foreword\n", "    title: Foreword\n    place: {after: governance}\n")
    text = text.replace("place: {after: qipp}", "place: {before: summary}")
    errors = _result(text).report.errors
    assert {e.code for e in errors} == {"chapter-cycle"}
    assert {e.line for e in errors} == {_line_of(text, "{after: governance}"), _line_of(text, "{before: summary}")}
    assert "in a circle (foreword -> governance -> summary -> foreword)" in errors[0].message
    # a section placed against itself is the smallest circle
    (error,) = _result(TEXT.replace("place: {after: qipp}", "place: {after: governance}")).report.errors
    assert error.code == "chapter-cycle"


def test_v2_keys_in_a_version_1_plan_are_an_error_on_the_key():
    text = TEXT.replace("schema_version: 2", "schema_version: 1")
    (error,) = _result(text).report.errors
    assert error.code == "needs-version-2"
    assert (error.line, error.column) == (_line_of(text, "sections:"), 1)
    assert error.hint == "set schema_version: 2 (opgen migrate PLAN does it, keeping your comments)"


def test_a_duplicate_section_id_is_caught_at_any_level():
    text = TEXT.replace("id: gov-committees", "id: summary")
    (error,) = _result(text).report.errors
    assert error.code == "duplicate-id" and error.yaml_path == "sections[2].sections[0].sections[0].id"


# --- the full plan PDF ---------------------------------------------------------------------------

def test_chapters_print_in_place_numbered_with_appendices_lettered_last():
    _, pdf = _pdf()
    text = " ".join(" ".join(p.split()) for p in _pages(pdf))
    body = text[text.index("1 Foreword", text.index("Contents") + 200):]
    headings = ["1 Foreword", "2 Executive summary", "3 Our vision", "4 Out of Hospital Care", "5 Acute Care",
                "6 QIPP savings programme", "7 Leadership and governance", "7.1 The Governing Body",
                "7.1.1 Committees of the Governing Body", "7.2 Clinical engagement", "8 Risk register",
                "Appendix A Glossary", "A.1 NHS terms", "Appendix B Data sources"]
    positions = [body.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "1. Audit Committee 2. Remuneration Committee" in body   # the body's Markdown list


def test_contents_lists_every_chapter_with_the_page_it_starts_on():
    _, pdf = _pdf()
    pages = _pages(pdf)
    contents = next(p for p in pages if re.search(r"^\s*Contents\s*$", p, re.M))
    entries = {m.group(2).strip(): (m.group(1), int(m.group(3)))
               for m in re.finditer(r"^\s*([0-9A-Z][0-9.]*)\s+(\S.*?\S)\s{2,}(\d+)\s*$", contents, re.M)}
    for title in ("Foreword", "Executive summary", "Our vision", "Leadership and governance", "The Governing Body",
                  "Clinical engagement", "Risk register", "Glossary", "NHS terms", "Data sources"):
        assert title in entries, (title, entries)
    assert entries["Leadership and governance"][0] == "7" and entries["The Governing Body"][0] == "7.1"
    assert entries["Glossary"][0] == "A" and entries["Data sources"][0] == "B"
    assert "APPENDICES" in contents
    for title, (number, page) in entries.items():
        heading = f"Appendix {number} {title}" if number.isalpha() else f"{number} {title}"
        assert heading in " ".join(pages[page - 1].split()), (title, page)


def test_bookmarks_hold_chapters_subsections_and_appendices_at_their_levels():
    _, pdf = _pdf()
    outline = _outline(pdf)
    titles = [(depth, title) for depth, title, _ in outline]
    for entry in [(0, "1 Foreword"), (0, "2 Executive summary"), (0, "7 Leadership and governance"),
                  (1, "7.1 The Governing Body"), (2, "7.1.1 Committees of the Governing Body"),
                  (1, "7.2 Clinical engagement"), (0, "Appendix A Glossary"), (1, "A.1 NHS terms"),
                  (0, "Appendix B Data sources")]:
        assert entry in titles
    top = [t for d, t in titles if d == 0]
    assert top.index("6 QIPP savings programme") < top.index("7 Leadership and governance") < top.index("8 Risk register")
    assert top[-2:] == ["Appendix A Glossary", "Appendix B Data sources"]


def test_anchors_come_from_the_ids_and_are_unique():
    html, _ = _pdf()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for section_id in ("foreword", "governance", "gov-board", "gov-committees", "glossary-nhs", "sources"):
        assert f'id="sec-{section_id}"' in html
        assert f'href="#sec-{section_id}"' in html or section_id == "gov-committees"  # contents: two levels


def test_a_plan_without_sections_keeps_its_chapters():
    result = plan_from_file(SWALE_V1)
    view = full_view(result.plan, result.report.diagnostics)
    assert [s.number for s in view["sections"]] == [str(i) for i in range(1, len(view["sections"]) + 1)]
    assert view["sections"][0].title == "Our vision" and view["appendices"] == []


# --- the Word annex ------------------------------------------------------------------------------

def test_word_annex_has_each_section_as_a_heading_in_the_same_relative_order():
    result = plan_from_file(FIXTURE)
    document = docx.Document(io.BytesIO(annex_docx(result.plan, result.report)))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    order = [t for _, t in headings]
    assert ("Heading 1", "Leadership and governance") in headings
    assert ("Heading 2", "The Governing Body") in headings
    assert ("Heading 3", "Committees of the Governing Body") in headings
    assert ("Heading 1", "Appendix A: Glossary") in headings and ("Heading 2", "NHS terms") in headings
    assert order.index("About this annex") < order.index("Foreword") < order.index("Executive summary") \
        < order.index("Actions and delivery status")
    assert order.index("QIPP savings") < order.index("Leadership and governance") < order.index("Risks")
    assert order[-3:] == ["Appendix A: Glossary", "NHS terms", "Appendix B: Data sources"]
    texts = [p.text for p in document.paragraphs]
    assert "The Governing Body meets monthly in public." in texts
    numbered = [p for p in document.paragraphs if p.text == "Audit Committee"]
    assert numbered and numbered[0].style.name == "List Number"
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "improve care" in bold


# --- the diff ------------------------------------------------------------------------------------

def _changed() -> str:
    text = TEXT.replace("The Governing Body is accountable for the delivery of this plan.",
                        "The Governing Body is accountable for the delivery of this plan and reports quarterly.")
    text = text.replace("title: Clinical engagement", "title: Clinical leadership")
    text = text.replace("place: {after: qipp}", "place: {after: vision}")
    return text.replace("    place: {appendix: true}\n    body: Figures", "    place: {after: inventory}\n    body: Figures")


def test_diff_reports_chapters_added_removed_retitled_moved_and_text_changed_in_words():
    old = plan_from_file(FIXTURE).plan
    new_text = _changed().replace("  - id: sources\n    title: Data sources\n", "  - id: data\n    title: Data\n")
    new = _result(new_text).plan
    changes = diff_plans(old, new)
    got = {(c.kind, c.id, c.field) for c in changes.changes if c.section == "sections"}
    assert got == {("changed", "governance", "text"), ("retitled", "gov-engagement", "title"),
                   ("moved", "governance", "place"), ("added", "data", None), ("removed", "sources", None)}
    report = render_text(changes)
    assert "Chapters (5)" in report
    assert ("Chapter \u2018Leadership and governance\u2019: text: The Governing Body is accountable for the "
            "delivery of this [-plan.-] {+plan and reports quarterly.+}") in report
    assert ("Chapter \u2018Leadership and governance \u203a Clinical leadership\u2019: title: Clinical engagement "
            "\u2192 Clinical leadership") in report
    assert "place: after the QIPP chapter \u2192 after the vision chapter" in report
    assert "Chapter \u2018Data sources\u2019 (an appendix; 6 words)" in report
    assert "| Chapter \u2018Leadership and governance\u2019<br>text | changed |" in render_markdown(changes)


def test_diff_of_an_appendix_becoming_a_chapter_is_a_move():
    old = plan_from_file(FIXTURE).plan
    new = _result(_changed()).plan
    moves = {c.id: (c.old_text, c.new_text) for c in diff_plans(old, new).changes if c.kind == "moved"}
    assert moves["sources"] == ("an appendix", "after the inventory chapter")


def test_textconv_lists_chapters_with_their_place_and_text_a_sentence_a_line():
    from opgen.render.textconv import render_textconv
    text = render_textconv(plan_from_file(FIXTURE).plan)
    assert "== Chapters\n[foreword] Foreword\n" in text
    assert "  governance place: after qipp\n  governance | The Governing Body is accountable" in text
    assert "    [gov-committees] Committees of the Governing Body\n  gov-committees | 1. Audit Committee" in text
    assert "== Chapters" not in render_textconv(plan_from_file(SWALE_V1).plan)
