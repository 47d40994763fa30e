"""The board papers of a built plan as a reader's text: the full plan PDF through pdftotext, the Word
annex as paragraphs then table rows ("cell | cell"). Shared by the tests of the v2 fields."""

from __future__ import annotations

import io
import shutil
import subprocess

import docx
import pytest

from opgen.render.docx import annex_docx
from opgen.render.pdf import operational_plan_pdf


def flat(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def pdf_text_of(result) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    _, pdf = operational_plan_pdf(result.plan, result.report.diagnostics)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          timeout=120, check=True)
    return done.stdout.decode("utf-8")


def word_text_of(result) -> str:
    document = docx.Document(io.BytesIO(annex_docx(result.plan, result.report.diagnostics)))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(" ".join(cell.text.split()) for cell in row.cells))
    return "\n".join(parts)


def checked(result):
    """A plan result that must have built: its errors, if any, are the failure message."""
    assert result.ok, [d.as_text() for d in result.report.errors]
    return result


def diff_text(old_text: str, new_text: str) -> str:
    """`opgen diff` in text between two versions of a plan given as YAML text."""
    from opgen.diff import diff_plans
    from opgen.diff.report import render_text
    from opgen.pipeline import plan_from_bytes

    old, new = (checked(plan_from_bytes(t.encode("utf-8"), name)) for t, name in ((old_text, "old.yaml"),
                                                                                  (new_text, "new.yaml")))
    return render_text(diff_plans(old.plan, new.plan))
