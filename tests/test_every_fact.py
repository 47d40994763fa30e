"""Every structured fact of a plan appears in both board papers (issue 8: "every structured fact
appears in the full PDF and in the Word annex").

For each example plan (West Kent 2015-16 is the fidelity plan), three version 2 fixtures
and a plan with data tables of every column type, the full plan PDF is read back with
`pdftotext -raw` (content order, so a wrapped table cell stays together and a line-final hyphen is kept,
not taken for a word break) and the Word annex with its paragraphs in body order (table cells included,
nested tables too). A fact is a domain's title; an id or a title of an action, milestone, QIPP scheme,
risk, indicator, BCF scheme or metric; a data table's title and every cell text; a section title; a
finance line title; the vision's mission, statement labels and values; a contact's name, role, email
and telephone; an approval's body, date and decision.

Texts are compared whitespace-normalised: runs of spaces and line breaks become one space, and a line
break after a hyphen is dropped ("BCF-\\nNEL" reads "BCF-NEL"); the same normalisation applies to the
fact. Nothing else is loosened: a fact must appear whole, its words in order and adjacent."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from opgen import display, richtext
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render.docx import annex_docx
from opgen.render.pdf import operational_plan_pdf

ROOT = Path(__file__).resolve().parent.parent
# The West Kent fidelity transcription, promoted to plans/ with its part-2 facts added (a superset of
# it was fidelity/west-kent-2015-16.yaml), so it is checked once, as an example plan.
FIDELITY = ROOT / "plans" / "west-kent-2015-16.yaml"
# The example plans are version 1: the version 2 fixtures add data tables, contacts, finance lines.
FIXTURES = [ROOT / "tests" / "fixtures" / n for n in ("finance-v2.yaml", "sections-v2.yaml", "v2-scales-structure.yaml")]
# and tests/tables_data.py a plan with data tables of every column type, in several chapters.
TABLES = "tables-v2"
PLANS = sorted((ROOT / "plans").glob("*.yaml")) + FIXTURES + [TABLES]
assert FIDELITY in PLANS

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")

SPACES = re.compile(r"\s+")
HYPHEN_BREAK = re.compile(r"-\s+")
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ad": None})


def norm(text: str) -> str:
    return HYPHEN_BREAK.sub("-", SPACES.sub(" ", (text or "").translate(QUOTES))).strip()


def plain(markdown: str | None) -> str:
    """What a reader sees of a Markdown field: its text without the markup (links as their words)."""
    tree = richtext.to_tree(markdown or "")
    return " ".join(" ".join(el.itertext()) for el in tree)


@lru_cache(maxsize=None)
def outputs(path: Path | str):
    if path == TABLES:
        from tables_data import tables_plan
        result = plan_from_bytes(yaml.safe_dump(tables_plan(), sort_keys=False).encode(), "tables.yaml")
        assert result.ok, [d.as_text() for d in result.report.errors]
        pdf = operational_plan_pdf(result.plan, result.report.diagnostics)[1]
    else:  # the full plan PDF each example is built once per test session, shared with the PDF tests
        from test_render_pdf import _result, full_pdf
        result = _result(str(path))
        pdf = full_pdf(str(path))[1]
    plan, diagnostics = result.plan, result.report.diagnostics
    done = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          timeout=120, check=True)
    pdf_text = norm(done.stdout.decode("utf-8"))
    document = docx.Document(io.BytesIO(annex_docx(plan, diagnostics)))
    paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in document.element.body.iter(qn("w:p"))]
    return plan, pdf_text, norm("\n".join(paragraphs))


def facts(plan) -> list[tuple[str, str]]:
    """(what, text) for every structured fact of the model that a board paper prints."""
    out: list[tuple[str, str]] = []

    def add(what: str, text) -> None:
        if text is not None and str(text).strip():
            out.append((what, str(text)))

    meta = plan.meta
    add("vision mission", plain(plan.vision.mission))
    for s in plan.vision.statements:
        add("vision statement label", s.label)
    for v in plan.vision.values:
        add("vision value", plain(v))
    for c in meta.contacts:
        add("contact name", c.name)
        add("contact role", c.role)
        add("contact email", c.email)
        add("contact telephone", c.phone)
    for a in meta.approvals:
        add("approval body", a.body)
        add("approval date", display.month_or_date(a.date) if a.date else None)
        add("approval decision", display.decision(a.decision) if a.decision else None)
    for d in plan.domains:
        # A domain's id is a key that other items name it by (`domain: urgent-care`), never printed:
        # the reader knows the programme by its title and number, so the title is the fact.
        add("domain title", d.title)
        add("domain due date", display.date_text(d.due, d.due_text) if d.due_text else None)
        add("domain reported to", d.reports_to)
    for x in meta.providers:
        add("provider title", x.title)
        add("provider note", plain(x.note))
    for a in plan.actions:
        add("action id", a.id)
        add("action title", a.title)
        add("action reported to", a.reports_to)
        for m in a.milestones:
            add("milestone id", m.id)
            add("milestone title", m.title)
    if plan.qipp:
        for s in plan.qipp.schemes:
            add("QIPP scheme id", s.id)
            add("QIPP scheme title", s.title)
    for r in plan.risks:
        add("risk id", r.id)
        add("risk title", r.title)
    for i in plan.indicators:
        add("indicator id", i.id)
        add("indicator title", i.title)
        add("indicator code", getattr(i, "code", None))
    for i in plan.indicators + (plan.bcf.metrics if plan.bcf else []):
        for period, value in i.targets.items():
            add("indicator target revision", display.revision_note(i, period.words, value))
    if plan.bcf:
        for s in plan.bcf.schemes:
            add("BCF scheme id", s.id)
            add("BCF scheme title", s.title)
        for m in plan.bcf.metrics:
            add("BCF metric id", m.id)
            add("BCF metric title", m.title)
    for top in plan.sections:
        for s in top.walk():
            add("section title", s.title)
    if plan.finance:
        for line in plan.finance.all_lines():
            add("finance line title", line.title)
    for t in plan.tables:
        add("table title", t.title)
        for row in t.rows:
            for column in t.columns:
                text = display.table_cell(row.cell(column.id), column)
                if text != display.DASH:
                    add(f"table {t.id} cell ({row.id}, {column.id})", text)
    return out


@pytest.mark.parametrize("path", PLANS, ids=lambda p: getattr(p, "stem", p))
def test_every_structured_fact_is_in_the_pdf_and_the_word_annex(path):
    plan, pdf_text, word_text = outputs(path)
    checked = facts(plan)
    assert len(checked) > 10, "the plan should have facts to check"
    missing_pdf = [(what, text) for what, text in checked if norm(text) not in pdf_text]
    missing_word = [(what, text) for what, text in checked if norm(text) not in word_text]
    assert not missing_pdf, f"{len(missing_pdf)} of {len(checked)} facts not in the full PDF: {missing_pdf[:20]}"
    assert not missing_word, f"{len(missing_word)} of {len(checked)} facts not in the Word annex: {missing_word[:20]}"


def test_the_fidelity_plan_has_its_vision_and_sources_in_word():
    """The gaps the West Kent fidelity check found: the vision chapter and the indicators' sources
    missing from Word, and one source repeated once per indicator in the PDF."""
    plan, pdf_text, word_text = outputs(FIDELITY)
    assert norm(display.VISION_TITLE + " " + display.MISSION_LABEL) in word_text
    for s in plan.vision.statements:
        assert norm(s.label + " " + plain(s.text)) in word_text
    sources = display.source_notes(plan.indicators)
    assert sources and len(sources) < sum(1 for i in plan.indicators if i.source)
    for note in sources:
        assert norm(f"{note['label']}: {note['text']}") in word_text
        assert norm(note["text"]) in pdf_text
    # the source most indicators share is printed once per distinct note containing it, not once per indicator
    common = max(sources, key=lambda n: len(n["ids"]))
    assert len(common["ids"]) > 1
    containing = sum(1 for n in sources if common["text"] in n["text"])
    assert pdf_text.count(norm(common["text"])) <= containing + 2  # + the plan's own chapters quoting it
    assert pdf_text.count(norm(common["text"])) < len(common["ids"])
    bcf_sources = display.source_notes(plan.bcf.metrics)
    assert bcf_sources
    for note in bcf_sources:
        assert norm(note["text"]) in word_text and norm(note["text"]) in pdf_text
    assert "0 schemes" not in word_text
    assert norm(display.bcf_contents(0, False, 1)) in word_text  # "Better Care Fund: 1 metric"
