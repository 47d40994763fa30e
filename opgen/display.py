"""What a reader sees for a figure, a total, a date, a rating or a label: the one place each text
is decided, so the full plan (PDF), the plan on a page, the Word annex (and the diff reports) print
the same thing the same way.

Pure functions over model values: no rendering imports, no HTML or XML. Wording rules:

- a value is a number with thousands separators (decimals as written), "TBC" or "n/a"; nothing
  recorded is a dash (en dash), never a misleading 0;
- a total counts only known figures; one that leaves out a TBC reads "1,234 + TBC", and a total of
  nothing but TBCs reads "TBC" (never "0 + TBC");
- a stated total that differs from the computed one is flagged only when `opgen validate` warns
  about it (opgen.figures.compare_stated), with the difference in the same words everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from opgen.model import (MILESTONE_LABELS, RAG_LABELS, Indicator, MoneyUnit, RiskPosition, Total, Value,
                         format_decimal)
from opgen.periods import Period, Quarter

DASH = "\u2013"
NBSP = "\u00a0"
TBC = "TBC"
NOT_REPORTED = "Not reported"
NOT_RATED = "Not rated"
NOT_ASSESSED = "Not assessed"
NOT_STATED = "Not stated"
NOTES_LABEL = "Notes"  # heads a Markdown field's footnotes where they cannot be real footnotes (Word annex)
NO_DOMAIN = "Not assigned to a domain"  # the model's word; the annex used to say "a programme"
PLAN_WIDE = "Plan-wide"

BAND_LABELS = {"extreme": "Extreme", "high": "High", "moderate": "Moderate", "low": "Low"}
STATUS_LABELS = {"draft": "Draft", "submitted": "Submitted", "approved": "Approved"}
CONFIDENCE_LABELS = {"red": "Low", "amber": "Medium", "green": "High"}
LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}
RAG_MEANINGS = {
    "red": "Off track: delivery at serious risk, action needed",
    "amber": "At risk: issues being managed, may slip",
    "green": "On track",
    "blue": "Complete: delivered",
    "grey": "Not started or not yet due",
}
# The full plan's built-in chapters, as a reader names them (in messages about placing a section).
CHAPTER_NAMES = {"document_control": "document control", "vision": "vision", "domains": "programme",
                 "performance": "performance", "qipp": "QIPP", "risks": "risk register", "finance": "finance",
                 "bcf": "Better Care Fund", "inventory": "inventory"}
TOTAL_INCOMPLETE_NOTE = "A total marked \u201c+ TBC\u201d is incomplete: it leaves out values still to be confirmed."

__all__ = [
    "DASH", "TBC", "NOT_REPORTED", "NOT_RATED", "NOT_STATED", "period_note", "NOT_ASSESSED", "NO_DOMAIN", "PLAN_WIDE", "BAND_LABELS",
    "STATUS_LABELS", "CONFIDENCE_LABELS", "LIKELIHOOD_LABELS", "IMPACT_LABELS", "RAG_MEANINGS", "RAG_LABELS",
    "MILESTONE_LABELS", "value", "total", "net", "money", "percent", "difference", "stated_flag",
    "long_date", "date_text", "period", "quarter_span", "rag", "band", "confidence", "status", "milestone_status",
    "CHAPTER_NAMES", "appendix", "section_number", "chapter_subject",
    "position", "band_ranges", "likelihood_impact", "score", "plural", "version", "domain", "sentence", "indicator_value",
    "TABLES_APPENDIX", "TICK_MARK", "TICK_WORDS", "table_caption", "column_unit", "table_rag", "table_number",
    "table_value", "table_cell", "TABLE_DIFFERS_NOTE", "TABLE_UNCHECKED_NOTE", "TABLES_FOR_ALL_PROGRAMMES",
    "table_source", "table_total_flag",
]


# --- figures ------------------------------------------------------------------------------------

def value(v: Value | None, suffix: str = "") -> str:
    """One figure: '1,774.9', 'TBC', 'n/a'; a dash where nothing is recorded."""
    return DASH if v is None else v.display(suffix)


def total(t: Total) -> str:
    """A total: a dash when nothing was recorded, 'TBC' when only TBCs were, else the sum of the
    known figures with '+ TBC' when it leaves a TBC out."""
    if not t.parts and not t.incomplete:
        return DASH
    if not t.parts:
        return TBC
    return t.display()


def net(savings: Value | None, investment: Value | None, computed: Total) -> str:
    """A scheme's net for a year: a dash when the year has neither savings nor investment."""
    if savings is None and investment is None:
        return DASH
    return total(computed)


def money(figure: Total | Decimal, unit: MoneyUnit) -> str:
    """A money figure with its unit, short form: '£9,297k', '−£1.2m'; '+ TBC' when incomplete."""
    if isinstance(figure, Total) and figure.incomplete:
        return TBC if not figure.parts else unit.short(figure) + " + TBC"
    return unit.short(figure)


def percent(number: Decimal | None) -> str:
    return DASH if number is None else f"{format_decimal(number)}%"


def difference(number: Decimal) -> str:
    """A signed difference as written in a flag: '0.2', '−1,000'."""
    return format_decimal(number)


def stated_flag(diff: Decimal, what: str = "schemes") -> str:
    """The mark beside a stated total that `opgen validate` warns about."""
    return f"{what} differ by {difference(diff)}"


def indicator_value(indicator: Indicator, v: Value | None) -> str:
    """An indicator figure with its unit: '£' before money, '%' or ' days' after."""
    return indicator.show(v)


# --- dates and periods ------------------------------------------------------------------------

def long_date(text: Any) -> str:
    """2014-03-31 -> '31 March 2014'; anything else as written; nothing -> ''."""
    if text is None or text == "":
        return ""
    if isinstance(text, dt.date):
        day = text
    else:
        try:
            day = dt.date.fromisoformat(str(text)[:10])
        except ValueError:
            return str(text)
    return f"{day.day} {day:%B %Y}"


def date_text(parsed: Any, raw: str | None) -> str:
    """An action or milestone date: as the plan's period type displays it ('March 2015',
    '2015/16 Q3', '31 March 2015'), 'TBC', or as written when it could not be read."""
    if parsed is not None:
        return parsed.display()
    if raw == "tbc":
        return TBC
    return str(raw) if raw else ""


def period(p: Period | None) -> str:
    """A period in words: '2013/14', '2015/16 Q2', 'Dec 2013', '12 months to Jun 2013'; never raw ISO."""
    return p.words if p is not None else ""


_KEEP_TOGETHER = re.compile(r"(?<=\d{4}/\d{2}) (?=Q[1-4])|(?<=\b[A-Z][a-z]{2}) (?=\d{4})|(?<=\b12) (?=months)")


def period_note(label: "Period | str | None") -> str:
    """The period a figure belongs to, shown under it in a narrow column: '(2013/14)', '(Dec 2013)',
    '(12 months to Jun 2013)', '(TBC)'. A quarter, a month and '12 months' never break inside
    (no-break spaces), so the note wraps only between its words."""
    if isinstance(label, Period):
        label = label.words
    return f"({_KEEP_TOGETHER.sub(NBSP, label)})" if label else ""


def quarter_span(q: Quarter) -> str:
    """The months a financial quarter covers: 'October to December 2015'."""
    return f"{q.first_day:%B} to {q.last_day:%B %Y}"


# --- ratings and labels -----------------------------------------------------------------------

def rag(colour: str | None) -> str:
    return RAG_LABELS.get(colour or "", NOT_REPORTED)


def band(name: str | None) -> str:
    return BAND_LABELS.get(name or "", NOT_RATED)


def confidence(colour: str | None) -> str:
    return CONFIDENCE_LABELS.get(colour or "", (colour or "").title())


def status(name: str) -> str:
    """Plan status: Draft, Submitted, Approved."""
    return STATUS_LABELS.get(name, str(name).title())


def milestone_status(name: str | None) -> str:
    return MILESTONE_LABELS.get(name or "", "")


def likelihood_impact(pos: RiskPosition | None) -> str:
    return f"{pos.likelihood} \u00d7 {pos.impact}" if pos else ""


def score(pos: RiskPosition | None) -> str:
    return str(pos.score) if pos else ""


def position(pos: RiskPosition | None, compact: bool = False) -> str:
    """A risk position: '4 × 3 = 12' ('4×3 = 12' on the crowded plan on a page)."""
    if pos is None:
        return ""
    sep = "\u00d7" if compact else " \u00d7 "
    return f"{pos.likelihood}{sep}{pos.impact} = {pos.score}"


def band_ranges(bands: dict[str, int]) -> dict[str, str]:
    """The score range of each risk band from the plan's thresholds: {'low': '1–3', ..., 'extreme': '15–25'}."""
    return {"low": f"1\u2013{bands['moderate'] - 1}",
            "moderate": f"{bands['moderate']}\u2013{bands['high'] - 1}",
            "high": f"{bands['high']}\u2013{bands['extreme'] - 1}",
            "extreme": f"{bands['extreme']}\u201325"}


def domain(title_of, domain_id: str | None, missing: str = NO_DOMAIN) -> str:
    """A domain's title by id (`title_of` is Plan.domain_title), or the label for none."""
    return title_of(domain_id) if domain_id else missing


# --- counts and text --------------------------------------------------------------------------

def plural(count: int, word: str, words: str | None = None) -> str:
    """1 -> '1 action', 1000 -> '1,000 actions'."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def version(text: Any) -> str:
    return TBC if str(text).strip().lower() == "tbc" else str(text)


def appendix(letter: str) -> str:
    """An appendix's label: 'Appendix A'."""
    return f"Appendix {letter}"


def section_number(parent: str, n: int) -> str:
    """A subsection's number under its chapter's: ('3', 1) -> '3.1'; ('A', 2) -> 'A.2'."""
    return f"{parent}.{n}" if parent else ""


def chapter_subject(title: str) -> str:
    """A narrative chapter (or a subsection, titled 'Chapter › Subsection') named in the diff:
    'Chapter ‘Leadership and governance’'."""
    return f"Chapter \u2018{title}\u2019"


def sentence(text: str) -> str:
    text = str(text or "").strip()
    return text[:1].upper() + text[1:] if text else ""


# --- data tables --------------------------------------------------------------------------------

TABLES_APPENDIX = "Tables"
TICK_MARK = "\u2713"
TICK_WORDS = {True: "Yes", False: "No"}
RAG_STEP_LABELS = {"amber_red": "Amber/red", "amber_green": "Amber/green"}  # five-point scale
TABLE_DIFFERS_NOTE = "Where a total stated in the plan differs from the sum of the rows above it, both are shown."
TABLE_UNCHECKED_NOTE = "A total over values still to be confirmed (TBC) cannot be checked; it is shown as stated."
TABLES_FOR_ALL_PROGRAMMES = "Tables for all programmes"


def table_source(text: str) -> str:
    return f"Source: {text}"


def table_caption(number: int, title: str) -> str:
    """'Table 3: Planning assumptions'."""
    return f"Table {number}: {title}"


def column_unit(column) -> str:
    """The unit a column's header carries: '£000' for money in thousands, '%' for a percent, else ''."""
    if column.type == "money" and column.unit is not None:
        return column.unit.header
    return "%" if column.type == "percent" else ""


def table_rag(colour: str | None) -> str:
    return RAG_STEP_LABELS.get(colour or "") or rag(colour)


def table_number(v: Value, decimals: int | None = None) -> str:
    """A table figure: thousands separators, the decimals written (or the column's `decimals`)."""
    if decimals is not None and v.is_number:
        return format_decimal(v.number.quantize(Decimal(1).scaleb(-decimals)))
    return v.display()


def table_value(v: Value | None, column, with_unit: bool = False) -> str:
    """A figure of a number, money or percent column: '1,200' (the unit in the header), or with its
    unit ('£1,200k', '2.3%') where no header is beside it; 'TBC', 'n/a'; a dash for nothing."""
    if v is None:
        return DASH
    if not v.is_number:
        return v.display()
    if with_unit and column.type == "money" and column.unit is not None:
        return column.unit.short(v.number)
    return table_number(v, column.decimals) + ("%" if with_unit and column.type == "percent" else "")


def table_cell(cell, column, with_unit: bool = False) -> str:
    """A data table cell as a reader sees it. In a table the unit is in the column header, so a
    figure is bare ('1,200', '2.3'); `with_unit` gives the unit too ('£1,200k', '2.3%'), for the
    diff, where the header is not beside it."""
    if cell.empty:
        return DASH
    if cell.value is not None and not cell.value.is_number:
        return cell.value.display()
    if not cell.fits:
        return str(cell.raw)
    if cell.value is not None:
        return table_value(cell.value, column, with_unit)
    if column.type == "rag":
        return table_rag(cell.text)
    if column.type == "rating":
        return band(cell.text)
    if column.type == "date":
        return cell.date.display() if cell.date else str(cell.raw)
    if column.type == "tick":
        return TICK_WORDS[bool(cell.tick)]
    return cell.text or ""


def table_total_flag(t) -> str:
    """Beside a stated total of a data table that `opgen validate` warns about: what the rows add
    up to, in words ('rows above sum to 775.4; differs by 0.1')."""
    if t.unchecked:
        return f"not checked: the rows above include TBC ({total(t.computed)})"
    if t.difference is not None:
        return f"rows above sum to {format_decimal(t.computed.value)}; differs by {difference(abs(t.difference))}"
    return ""
