"""The Word annex: `annex_docx(plan, diagnostics)` -> DOCX bytes.

ooxml.py holds the Word primitives (runs, paragraphs, tables, styles, the reproducible zip);
annex.py holds the annex's sections, built from opgen.display's texts."""

from opgen.render.docx.annex import annex_docx
from opgen.render.docx.ooxml import BAND_FILLS, RAG_FILLS, clean_text, contrast_ratio, text_colour_for

__all__ = ["annex_docx", "RAG_FILLS", "BAND_FILLS", "text_colour_for", "contrast_ratio", "clean_text"]
