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
from decimal import Decimal
from typing import Any

from opgen.model import (MILESTONE_LABELS, RAG_LABELS, Indicator, MoneyUnit, RiskPosition, Total, Value,
                         format_decimal)
from opgen.periods import Quarter

DASH = "\u2013"
TBC = "TBC"
NOT_REPORTED = "Not reported"
NOT_RATED = "Not rated"
NOT_ASSESSED = "Not assessed"
NOT_STATED = "Not stated"
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
TOTAL_INCOMPLETE_NOTE = "A total marked \u201c+ TBC\u201d is incomplete: it leaves out values still to be confirmed."

__all__ = [
    "DASH", "TBC", "NOT_REPORTED", "NOT_RATED", "NOT_STATED", "period_note", "NOT_ASSESSED", "NO_DOMAIN", "PLAN_WIDE", "BAND_LABELS",
    "STATUS_LABELS", "CONFIDENCE_LABELS", "LIKELIHOOD_LABELS", "IMPACT_LABELS", "RAG_MEANINGS", "RAG_LABELS",
    "MILESTONE_LABELS", "value", "total", "net", "money", "percent", "difference", "stated_flag",
    "long_date", "date_text", "quarter_span", "rag", "band", "confidence", "status", "milestone_status",
    "position", "band_ranges", "likelihood_impact", "score", "plural", "version", "domain", "sentence", "indicator_value",
    "FINANCE_GROUP_TITLES", "PHASE_LABELS", "STATED_TOTAL", "period", "percent_value", "rule_state", "rule_percent",
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


def period_note(label: str | None) -> str:
    """The period a figure belongs to, shown under it: '(2013/14)', '(2015/16 Q2)'."""
    return f"({label})" if label else ""


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


def sentence(text: str) -> str:
    text = str(text or "").strip()
    return text[:1].upper() + text[1:] if text else ""


# --- finance (version 1 and 2 alike) ----------------------------------------------------------

FINANCE_GROUP_TITLES = {"allocation": "Allocation", "expenditure": "Expenditure",
                        "position": "Financial position", "other": "Other finance lines"}
PHASE_LABELS = {"before": "Before the plan", "plan": "Plan years", "after": "After the plan"}
RULE_STATES = {True: "Met", False: "Not met", None: NOT_ASSESSED}
STATED_TOTAL = "Total stated in the plan"
AS_STATED = "as stated"
FINANCE_PERCENT_NOTE = "A percentage under a figure is the line as a percentage of allocation, as the plan states it."


def period(p) -> str:
    """A period in words: '2014/15', '2014/15 Q2', 'Dec 2013', '12 months to Jun 2013'."""
    return p.words


def percent_value(v: Value | None) -> str:
    """A percentage as written: '1.0%', '−0.6%', 'TBC', 'n/a'; a dash where none is given."""
    return DASH if v is None else v.display("%")


def rule_state(met: bool | None) -> str:
    """A business rule's assessment: 'Met', 'Not met', or 'Not assessed' (no allocation to measure it by)."""
    return RULE_STATES[met]


def rule_percent(computed: Decimal | None, stated: Value | None, from_stated: bool) -> str:
    """The percentage of allocation a business rule reads: computed from the figures, or the
    plan's own percentage (marked 'as stated') where there is no allocation to compute it from."""
    if computed is None:
        return DASH
    return f"{percent(computed)} ({AS_STATED})" if from_stated else percent(computed)
