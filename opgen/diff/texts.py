"""Every text the diff and its reports build for a figure, a total, a date, a RAG, a milestone
status or a count, in one place.

These are thin wrappers over the model's own display methods, so switching the diff to the shared
display layer (opgen/display.py) is a change to this module alone.
"""

from __future__ import annotations

from decimal import Decimal

from opgen.model import MILESTONE_LABELS, RAG_LABELS, MoneyUnit, Total, Value, format_decimal
from opgen.periods import PeriodError, PlanDate

DASH = "\u2013"  # an absent value


def plural(n: int, word: str, plural: str | None = None) -> str:
    """'1 change', '3 changes'."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def number(amount: Decimal) -> str:
    """A plain figure (an indicator's difference): '1,234.5'."""
    return format_decimal(amount)


def money(unit: MoneyUnit, amount: "Decimal | Total") -> str:
    """An amount of money (or a total's confirmed value) in the plan's unit, short form: '£412k'."""
    return unit.short(amount)


def money_header(unit: MoneyUnit) -> str:
    """A money unit as a column or totals header: '£000'."""
    return unit.header


def value(v: Value | None) -> str:
    """A figure that may be TBC or n/a, or absent (a dash)."""
    return DASH if v is None else v.display()


def total(t: Total) -> str:
    """A derived total (TBC aware)."""
    return t.display()


def parse_date(text: str | None) -> PlanDate | None:
    """A plan date from its YAML text, or None (absent, TBC or not a date)."""
    if not text or text == "tbc":
        return None
    try:
        return PlanDate.parse(str(text))
    except PeriodError:
        return None


def date(text: str | None) -> str:
    """A date as the YAML wrote it, for people: 'none', 'TBC', or the date's display form."""
    if text is None or text == "":
        return "none"
    if text == "tbc":
        return "TBC"
    parsed = parse_date(text)
    return parsed.display() if parsed else str(text)


def rag(colour: str | None) -> str:
    """A RAG colour as its label ('Complete' for blue), or 'none'."""
    return RAG_LABELS.get(colour or "", "none") if colour else "none"


def rag_or(colour: str | None, default: str) -> str:
    """A RAG colour as its label, or `default` for an unknown or absent colour."""
    return RAG_LABELS.get(colour or "", default)


def milestone_status(status: str | None, default: str = "none") -> str:
    """A milestone status as its label ('At risk'), or `default`."""
    return MILESTONE_LABELS.get(status or "", default)
