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

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from opgen.diagnostics import GROUP_OVER, WARNING, parse_yaml_path
from opgen.model import (MILESTONE_LABELS, RAG_LABELS, Indicator, MoneyUnit, RiskPosition, Total, Value,
                         format_decimal)
from opgen.periods import Period, Quarter
from opgen.schedules import phase_at, phases, quarter_of_month

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
NO_RAG_YET = "No RAG reported yet"
RATED_ONLY = "Rated only"
NOT_SCORED = "Not scored"

BAND_LABELS = {"extreme": "Extreme", "high": "High", "moderate": "Moderate", "low": "Low"}
STATUS_LABELS = {"draft": "Draft", "submitted": "Submitted", "approved": "Approved"}
CONFIDENCE_LABELS = {"red": "Low", "amber_red": "Low to medium", "amber": "Medium", "amber_green": "Medium to high",
                     "green": "High", "tbc": TBC}
LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Catastrophic"}
RAG_MEANINGS = {
    "red": "Off track: delivery at serious risk, action needed",
    "amber_red": "Significant risk: problems not yet under control, likely to slip",
    "amber": "At risk: issues being managed, may slip",
    "amber_green": "Minor issues: broadly on track, being watched",
    "green": "On track",
    "blue": "Complete: delivered",
    "grey": "Not started or not yet due",
}
# The full plan's built-in chapters, as a reader names them (in messages about placing a section).
CHAPTER_NAMES = {"document_control": "document control", "vision": "vision", "domains": "programme",
                 "performance": "performance", "qipp": "QIPP", "risks": "risk register", "finance": "finance",
                 "bcf": "Better Care Fund", "inventory": "inventory"}
ACTION_STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "paused": "Paused",
                        "stopped": "Stopped", "revised": "Revised", "complete": "Complete"}
ASSESSMENT_LABELS = {"above_target": "Above target", "on_target": "On target", "below_target": "Below target",
                     "improving": "Improving", "no_change": "No change", "worsening": "Worsening"}
DRIVER_KIND_LABELS = {"national": "National", "regional": "Regional", "local": "Local", "provider": "Provider",
                      "engagement": "Engagement", "other": "Other"}
DRIVERS = "What the plan responds to"
REFRESHES = "This plan refreshes"
LATEST_ASSESSMENT = "Latest assessment"
ACTION_STATUS = "Status"
POLARITY_LABELS = {"lower_is_better": "Lower is better", "higher_is_better": "Higher is better"}
POLARITY_ARROWS = {"lower_is_better": "\u2193", "higher_is_better": "\u2191"}
DECISION_LABELS = {"approved": "Approved", "endorsed": "Endorsed", "noted": "Noted",
                   "approved_with_changes": "Approved with changes", "deferred": "Deferred", "pending": "Pending"}
SEE_ALSO = "See also"
SUB_ACTIONS = "Sub-actions"
CONTACTS = "Contacts"
APPROVALS = "Approvals"
TOTAL_INCOMPLETE_NOTE = "A total marked \u201c+ TBC\u201d is incomplete: it leaves out values still to be confirmed."
TOTAL_UNSTATED_NOTE = ("A total marked \u201c+ not stated\u201d is incomplete: it leaves out items the plan names "
                       "without a figure.")


def incomplete_note(totals) -> str:
    """The note under a table whose totals leave figures out: '+ TBC', '+ not stated', or both."""
    notes = []
    if any(t.incomplete and not t.unstated_only for t in totals):
        notes.append(TOTAL_INCOMPLETE_NOTE)
    if any(t.incomplete and t.unstated_only for t in totals):
        notes.append(TOTAL_UNSTATED_NOTE)
    return " ".join(notes)

__all__ = [
    "DASH", "TBC", "NOT_REPORTED", "NOT_RATED", "NOT_STATED", "period_note", "NOT_ASSESSED", "NO_DOMAIN", "PLAN_WIDE", "BAND_LABELS",
    "STATUS_LABELS", "CONFIDENCE_LABELS", "LIKELIHOOD_LABELS", "IMPACT_LABELS", "RAG_MEANINGS", "RAG_LABELS",
    "MILESTONE_LABELS", "value", "total", "net", "money", "percent", "difference", "stated_flag",
    "long_date", "date_text", "period", "quarter_span", "rag", "band", "confidence", "status", "milestone_status",
    "CHAPTER_NAMES", "appendix", "section_number", "chapter_subject",
    "position", "band_ranges", "POLARITY_LABELS", "DECISION_LABELS", "SEE_ALSO", "SUB_ACTIONS", "CONTACTS", "APPROVALS",
    "rag_keys", "risk_rating", "polarity", "polarity_arrow", "unit", "month_or_date", "decision", "see_also",
    "part_of", "contact_line", "reviewers", "likelihood_impact", "score", "plural", "version", "domain", "sentence", "indicator_value",
    "TABLES_APPENDIX", "TICK_MARK", "TICK_WORDS", "table_caption", "column_unit", "table_rag", "table_number",
    "table_value", "table_cell", "TABLE_DIFFERS_NOTE", "TABLE_UNCHECKED_NOTE", "TABLES_FOR_ALL_PROGRAMMES",
    "table_source", "table_total_flag",
    "FINANCE_GROUP_TITLES", "PHASE_LABELS", "STATED_TOTAL", "percent_value", "rule_state", "rule_percent",
    "NO_RULE", "RULES_UNASSESSED_NOTE", "rule_required", "rules_unjudged_note",
    "item_in_words", "item_index", "board_warnings", "heat_map_caption", "risks_rated_only_note", "risks_without_scores", "rag_summary", "risks_unrated_note", "NO_RAG_YET", "RATED_ONLY", "NOT_SCORED", "no_rag_yet",
    "BCF_HEADINGS", "BCF_NO_HEADING", "BCF_RECURRENT", "BCF_HOLDS_POOL", "BCF_RANGES_NOTE", "BCF_RISKS_TITLE",
    "BCF_RISK_COLUMNS", "bcf_heading", "bcf_funding", "bcf_funding_total", "bcf_risk_score",
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
        return NOT_STATED if t.unstated_only else TBC
    return t.display()


def net(savings: Value | None, investment: Value | None, computed: Total) -> str:
    """A scheme's net for a year: a dash when the year has neither savings nor investment."""
    if savings is None and investment is None:
        return DASH
    return total(computed)


def money(figure: Total | Decimal, unit: MoneyUnit) -> str:
    """A money figure with its unit, short form: '£9,297k', '−£1.2m'; '+ TBC' when incomplete."""
    if isinstance(figure, Total) and figure.incomplete:
        if figure.unstated_only:
            return NOT_STATED if not figure.parts else unit.short(figure) + " + not stated"
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


COMPARISON_WORDS = {"at_most": "at most", "at_least": "at least", "exactly": "exactly"}


def indicator_value(indicator: Indicator, v: Value | None) -> str:
    """An indicator figure with its unit ('£' before money, '%' or ' days' after) and what the plan
    says about it: its kind in words ('at most 97'), the count behind it ('439 of 500') and the
    figure it revised ('0.8% (revised from 3.5%)')."""
    if v is not None and v.comparison in CHANGE_WORDS or v is not None and v.kind == "relative":
        return relative_target(indicator, v)
    text = indicator.show(v)
    if v is None or not v.is_number:
        return text
    if v.comparison in COMPARISON_WORDS:
        text = f"{COMPARISON_WORDS[v.comparison]} {text}"
    if v.numerator is not None and v.denominator is not None:
        counts = f"{format_decimal(v.numerator)} of {format_decimal(v.denominator)}"
        text = counts if text == format_decimal(v.numerator) else f"{text} ({counts})"
    if v.change is not None and v.change.amount is not None:
        text = f"{text} ({target_change(indicator, v.change)})"
    if v.revised_from is not None:
        text = f"{text} ({revised_from(indicator, v)})"
    return text


CHANGE_NOUNS = {"reduce_by": "reduction", "increase_by": "increase"}


def target_change(indicator: Indicator, change) -> str:
    """The change a target level means, as the source states it: '1% reduction', '2 percentage
    points increase'."""
    amount = (f"{format_decimal(change.amount)}%" if change.unit == "percent" else
              f"{format_decimal(change.amount)} percentage points" if indicator.unit == "percent" else
              indicator.show(Value("number", change.amount)))
    return f"{amount} {CHANGE_NOUNS[change.comparison]}"


CHANGE_WORDS = {"maintain": "Maintain", "reduce_by": "Reduce by", "increase_by": "Increase by"}
MAINTAIN_CURRENT = "Maintain"


def relative_target(indicator: Indicator, v: Value) -> str:
    """A target stated against the present, in words: 'Maintain' (the current level), 'Maintain 95%',
    'Reduce by 5%', 'Increase by 2 percentage points' (an amount in a percent indicator's own unit),
    'As KPI-X' (another indicator's target)."""
    if v.see:
        return f"As {v.see}"
    if v.comparison == "maintain" and not v.is_number:
        return MAINTAIN_CURRENT if v.kind == "relative" else f"Maintain ({indicator.show(v)})"
    if not v.is_number:
        return f"{CHANGE_WORDS[v.comparison]} {indicator.show(v)}"
    if v.comparison == "maintain":
        return f"Maintain {indicator.show(v)}"
    text = f"{CHANGE_WORDS[v.comparison]} {_change_amount(indicator, v, v.number)}"
    if v.revised_from is not None:  # 'Reduce by 0.8% (revised from 3.5%)'
        text += f" ({revised_from(indicator, v)})"
    return text


def _change_amount(indicator: Indicator, v: Value, number: Decimal) -> str:
    """The amount of a reduce_by / increase_by target: '5%', '2 percentage points', '120'."""
    if v.change_unit == "percent":
        return f"{format_decimal(number)}%"
    if indicator.unit == "percent":
        return f"{format_decimal(number)} percentage points"
    return indicator.show(Value("number", number))


def indicator_value_parts(indicator: Indicator, v: Value | None) -> tuple[str, str]:
    """indicator_value in two parts, for a narrow table cell: the figure ('0.8%', 'at most 97') and,
    for a line of its own under it, the revision ('(revised from 3.5%)') or ''."""
    full = indicator_value(indicator, v)
    note = f"({revised_from(indicator, v)})" if v is not None and v.is_number and v.revised_from else ""
    if v is not None and v.is_number and v.change is not None and v.change.amount is not None:
        change = f"({target_change(indicator, v.change)})"  # '104.71' over '(1% reduction)'
        note = f"{change} {note}" if note else change
    return (full[:-len(note)].rstrip(), note) if note and full.endswith(note) else (full, "")


def indicator_figure_lines(indicator: Indicator, v: Value | None) -> tuple[str, str]:
    """indicator_value as a figure and what goes on a line under it in a narrow column: the count
    behind it and the revision ('91.3%', '(42 of 46)'), so a figure never overruns its column."""
    figure, note = indicator_value_parts(indicator, v)
    if v is not None and v.is_number and v.numerator is not None and v.denominator is not None:
        counts = f" ({format_decimal(v.numerator)} of {format_decimal(v.denominator)})"
        if figure.endswith(counts):
            figure, note = figure[:-len(counts)], (counts.strip() + (" " + note if note else ""))
    return figure, note


LATEST_ACTUAL = "Latest actual"
ACTUALS_NEWEST_FIRST = "Actuals (latest first)"


def actuals_heading(indicators) -> str:
    """The actuals column's heading: 'Latest actual' where no indicator has more than one, else
    'Actuals (latest first)' (every stated actual is printed, the year to date with the quarter)."""
    return ACTUALS_NEWEST_FIRST if any(len(i.actuals) > 1 for i in indicators) else LATEST_ACTUAL


def actuals_lede(indicators) -> str:
    """What the performance table's actuals column holds, in its lede."""
    return ("every reported actual (the latest first)" if actuals_heading(indicators) == ACTUALS_NEWEST_FIRST
            else "the latest reported actual")


def actuals_newest_first(indicator) -> list:
    """Every actual the plan states for an indicator, as (period, value), the latest first (of two
    ending together, the shorter first, as the latest actual is chosen)."""
    return sorted(indicator.actuals.items(), key=lambda pv: (pv[0].last_day, pv[0].first_day), reverse=True)


def revised_from(indicator: Indicator, v: Value | None) -> str:
    """'revised from 3.5%': the figure a target had before it was revised, or ''."""
    if v is None or v.revised_from is None:
        return ""
    if v.comparison in ("reduce_by", "increase_by") and v.revised_from.value.is_number:
        return f"revised from {_change_amount(indicator, v, v.revised_from.value.number)}"
    return f"revised from {indicator.show(v.revised_from.value)}"


def revision_note(indicator: Indicator, period_words: str, v: Value | None) -> str:
    """The whole revision in a sentence, for the notes under a table and the diff: 'Target 2015/16
    revised from 3.5% to 0.8% (Mar 2015), by the Kent Health and Wellbeing Board: growth in NEL
    admissions.' '' when the figure was not revised."""
    if v is None or v.revised_from is None:
        return ""
    r = v.revised_from
    text = f"Target {period_words} revised from {indicator.show(r.value)} to {indicator.show(v)}".replace("  ", " ")
    if v.comparison in ("reduce_by", "increase_by") and v.is_number:  # 'Target 2015/16 (reduce by) revised from 3.5% to 0.8%'
        text = (f"Target {period_words} ({CHANGE_WORDS[v.comparison].lower()}) {revised_from(indicator, v)} to "
                f"{_change_amount(indicator, v, v.number)}")
    if r.date:
        text += f" ({month_or_date(r.date)})"
    if r.by:
        text += f", agreed by {r.by}"
    if r.reason:
        text += f": {' '.join(str(r.reason).split())}"
    return sentence(text)


def figure_details(indicator: Indicator, v: Value | None) -> str:
    """The qualifiers of a figure in words, for the diff (a change in a target's kind, count or
    revision where the number stays the same): 'at most; 439 of 500; revised from 3.5%', or ''."""
    if v is None:
        return ""
    parts = []
    if v.comparison in COMPARISON_WORDS:
        parts.append(COMPARISON_WORDS[v.comparison])
    if v.comparison in CHANGE_WORDS or v.see:
        parts.append(relative_target(indicator, dataclasses.replace(v, revised_from=None)))
    if v.numerator is not None and v.denominator is not None:
        parts.append(f"{format_decimal(v.numerator)} of {format_decimal(v.denominator)}")
    if v.change is not None and v.change.amount is not None:
        parts.append(target_change(indicator, v.change))
    if v.revised_from is not None:
        r = v.revised_from
        parts.append(" ".join(x for x in (revised_from(indicator, v), f"({month_or_date(r.date)})" if r.date else "",
                                          f"by {r.by}" if r.by else "") if x))
        if r.reason:
            parts.append(f"reason: {' '.join(str(r.reason).split())}")
    return "; ".join(parts)


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


def month_or_date(text: Any) -> str:
    """A date in words: 2014-02 -> 'Feb 2014', 2014-02-27 -> '27 February 2014'; nothing -> ''."""
    if text is None or text == "":
        return ""
    raw = str(text)
    if len(raw) == 7 and raw[4] == "-":
        try:
            return f"{dt.date(int(raw[:4]), int(raw[5:]), 1):%b %Y}"
        except ValueError:
            return raw
    return long_date(text)


def quarter_span(q: Quarter) -> str:
    """The months a financial quarter covers: 'October to December 2015'."""
    return f"{q.first_day:%B} to {q.last_day:%B %Y}"


# --- ratings and labels -----------------------------------------------------------------------

def no_rag_yet(as_at_label: str) -> str:
    """The one line an action with no quarter rated gets instead of an empty Q1-Q4 grid."""
    if not as_at_label:
        return f"{NO_RAG_YET} for any quarter."
    return f"{NO_RAG_YET} for any quarter (status as at {as_at_label})."


def rag(colour: str | None) -> str:
    return RAG_LABELS.get(colour or "", NOT_REPORTED)


def band(name: str | None) -> str:
    return BAND_LABELS.get(name or "", NOT_RATED)


def rag_keys(five_point: bool) -> tuple[str, ...]:
    """The RAG colours a key or a count lists, worst to best, then complete and not started."""
    return (("red", "amber_red", "amber", "amber_green", "green") if five_point else ("red", "amber", "green")) + \
        ("blue", "grey")


def risk_rating(name: str | None, word: str | None = None) -> str:
    """A risk band, with the plan's own word where it used another: 'Moderate (medium)'."""
    label = band(name)
    return f"{label} ({word})" if name in BAND_LABELS and word and word.lower() != name else label


def polarity(name: str | None) -> str:
    """'Lower is better', 'Higher is better', or 'Not stated' where the plan does not say."""
    return POLARITY_LABELS.get(name or "", NOT_STATED)


def polarity_arrow(name: str | None) -> str:
    """The direction of improvement as an arrow; none where the plan does not say."""
    return POLARITY_ARROWS.get(name or "", "")


def unit(label: str | None) -> str:
    """An indicator's unit in words, or 'Not stated'."""
    return label or NOT_STATED


def decision(name: str | None) -> str:
    return DECISION_LABELS.get(name or "", sentence(str(name or "").replace("_", " ")))


def see_also(items: list[tuple[str, str]]) -> str:
    """Cross-references as one line: 'See also: PC-02 Urgent care review; R-03 Workforce'."""
    return f"{SEE_ALSO}: " + "; ".join(f"{i} {t}".strip() for i, t in items) if items else ""


def part_of(parent_id: str, parent_title: str = "") -> str:
    """Where a sub-action belongs: 'Part of UC-01 Urgent care'."""
    return f"Part of {parent_id}" + (f" {parent_title}" if parent_title else "")


def contact_line(name: str, role: str | None = None, organisation: str | None = None,
                 email: str | None = None, phone: str | None = None) -> str:
    """'Jane Smith, Head of Planning, NHS Kent; jane.smith@nhs.net; 01234 567890'."""
    who = ", ".join(x for x in (name, role, organisation) if x)
    return "; ".join(x for x in (who, email, phone) if x)


def reviewers(names: list[str]) -> str:
    return ", ".join(names)


def confidence(colour: str | None) -> str:
    """A QIPP scheme's confidence: 'High', 'Low to medium', 'TBC' (never a colour)."""
    return CONFIDENCE_LABELS.get(colour or "", (colour or "").title())


def status(name: str) -> str:
    """Plan status: Draft, Submitted, Approved."""
    return STATUS_LABELS.get(name, str(name).title())


def milestone_status(name: str | None) -> str:
    return MILESTONE_LABELS.get(name or "", "")


def heat_map_cell_unit(count: int) -> str:
    """The word after a heat map cell's count, so the cell reads '2 risks' aloud and in print."""
    return "risk" if count == 1 else "risks"


def heat_map_caption(placed: int, rated_only: int, unrated: int) -> str:
    """What the risk heat map shows, every count checked against the register: '8 of 13 open risks
    are placed on the map; 3 have a rating only and 2 have no rating.' With nothing to place, the
    sentence that stands instead of the map."""
    total = placed + rated_only + unrated
    rest = []
    if rated_only:
        rest.append(f"{rated_only:,} {'has' if rated_only == 1 else 'have'} a rating only (no likelihood and impact)")
    if unrated:
        rest.append(f"{unrated:,} {'has' if unrated == 1 else 'have'} no rating")
    if placed:
        head = (f"{'The' if total == 1 else 'All'} {plural(total, 'open risk')} {'is' if total == 1 else 'are'} "
                "placed on the map by likelihood and impact" if placed == total else
                f"{placed:,} of {plural(total, 'open risk')} {'is' if placed == 1 else 'are'} placed on the map "
                "by likelihood and impact")
        return head + ("; " + " and ".join(rest) if rest else "") + "."
    if not total:
        return "There are no open risks to place on a heat map."
    if not unrated:
        return (f"No heat map: the {plural(total, 'open risk')} {'is' if total == 1 else 'are'} rated by band only, "
                "with no likelihood and impact to place on one.")
    if not rated_only:
        return (f"No heat map: none of the {plural(total, 'open risk')} {'is' if total == 1 else 'are'} scored "
                "or rated yet." if total > 1 else "No heat map: the open risk is not scored or rated yet.")
    return (f"No heat map: no open risk has a likelihood and impact. Of the {plural(total, 'open risk')}, "
            + " and ".join(rest) + ".")


def risks_without_scores(rated_only: int, unrated: int) -> str:
    """The register's note when no risk has a likelihood and impact (the Word annex)."""
    if not unrated:
        return "The plan rates these risks by band only."
    if not rated_only:
        return ("The plan does not score or rate this risk yet." if unrated == 1 else
                f"The plan does not score or rate these {unrated:,} risks yet.")
    return (f"The plan rates {rated_only:,} of these {rated_only + unrated:,} risks by band only; "
            f"{unrated:,} {'has' if unrated == 1 else 'have'} no rating yet.")


def risks_rated_only_note(count: int) -> str:
    if not count:
        return ""
    return (f"{'This risk has' if count == 1 else f'These {count:,} risks have'} a stated rating but no "
            "likelihood and impact, so cannot be placed on the heat map. Each is in the register below with its rating.")


def risks_unrated_note(count: int) -> str:
    if not count:
        return ""
    return (f"{'This risk has' if count == 1 else f'These {count:,} risks have'} neither a rating nor a "
            "likelihood and impact yet. Each is in the register below.")


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


# --- where an item is, in words -----------------------------------------------------------------

SECTION_WORDS = {"plan": "Plan details", "organisation": "Organisation", "vision": "Vision",
                 "qipp": "QIPP", "finance": "Finance", "bcf": "Better Care Fund", "risks": "Risk register",
                 "indicators": "Indicators", "domains": "Programmes", "actions": "Actions"}
FIELD_WORDS = {"due": "due date", "start": "start date", "rag": "RAG", "amounts": "", "value": "",
               "targets": "target", "actuals": "actual", "stated_total": "stated net total",
               "stated_savings_total": "stated savings total", "stated_investment_total": "stated investment total",
               "allocation_stated_total": "stated allocation total", "expenditure_stated_total": "stated budget total",
               "non_recurrent": "non-recurrent", "as_at": "RAG reporting quarter", "period": "period"}


def _field_words(parts) -> str:
    words = []
    for part in parts:
        if isinstance(part, int):
            words.append(f"item {part + 1}")
            continue
        text = str(part)
        if len(text) == 2 and text[0] in "qQ" and text[1] in "1234":
            words.append(text.upper())
        elif text in FIELD_WORDS:
            if FIELD_WORDS[text]:
                words.append(FIELD_WORDS[text])
        elif text[:1].isdigit():
            words.append(text)  # a year or period, as written
        else:
            words.append(text.replace("_", " "))
    return " ".join(words)


def item_index(plan) -> dict[tuple, tuple]:
    """Every id'd item of a plan by its data path: path -> (its IdList, the item)."""
    from opgen.ids import ID_LISTS  # ids.py imports nothing of opgen at run time

    return {tuple(item.path): (id_list, item) for id_list in ID_LISTS for item in id_list.items(plan)
            if getattr(item, "path", None)}


def board_warnings(plan, diagnostics) -> list[dict[str, str]]:
    """The warnings a board paper lists (full plan and Word annex alike), in plan order, each as
    {item, message, hint} in words: not the TBC ones (the TBC inventory lists each TBC), each
    message once, and where one cause with one fix recurs more than diagnostics.GROUP_OVER times
    (27 indicators with no baseline), one row naming every item instead of a page of repeats."""
    items = getattr(diagnostics, "diagnostics", diagnostics) or []
    seen: set[tuple[str, str]] = set()
    unique = []
    for d in sorted((d for d in items if d.severity == WARNING and d.code != "tbc"),
                    key=lambda d: (d.line, d.column, d.code)):
        if (d.message, d.hint) not in seen:
            seen.add((d.message, d.hint))
            unique.append(d)
    groups: dict[tuple, list] = {}
    for d in unique:
        if d.cause:
            groups.setdefault((d.code, d.cause, d.hint), []).append(d)
    index = item_index(plan) if unique else {}
    rows, done = [], set()
    for d in unique:
        key = (d.code, d.cause, d.hint)
        members = groups.get(key) if d.cause else None
        if members and len(members) > GROUP_OVER:
            if key in done:
                continue
            done.add(key)
            found = [_item_id(index, parse_yaml_path(m.yaml_path)) for m in members]
            labels = {label for label, _ in found if label}
            kind = sentence(f"{labels.pop()}s") if len(labels) == 1 else "Items"
            ids = [i for _, i in found if i]
            named = ", ".join(ids)
            rows.append({"item": f"{kind}: {named}" if named else kind, "kind": kind, "ids": ids,
                         "message": sentence(f"{len(members)} {d.cause}"), "hint": sentence(d.hint), "count": len(members)})
            continue
        rows.append({"item": item_in_words(plan, parse_yaml_path(d.yaml_path), index), "kind": "", "ids": [],
                     "message": sentence(d.message), "hint": sentence(d.hint), "count": 1})
    return rows


def _item_id(index: dict, path: tuple) -> tuple[str, str]:
    """(what, id) of the item a data path lies in (('indicator', 'E.B.1')), or ('', '')."""
    for cut in range(len(path), 0, -1):
        found = index.get(tuple(path[:cut]))
        if found is not None:
            return str(getattr(found[0], "label", "") or ""), str(getattr(found[1], "id", "") or "")
    return "", ""


def item_in_words(plan, path, index: dict | None = None) -> str:
    """Where something is in a plan, said as a board reader would: "Action UC-03 \u2018Falls service\u2019,
    due date", "QIPP stated net total 2015/16". Never a YAML line, column or path (those are for
    `opgen validate`). `path` is a data path tuple, as the model's items and TBCs carry; pass
    `index` (item_index(plan)) when naming many."""
    path = tuple(path or ())
    if not path:
        return "The plan as a whole"
    index = item_index(plan) if index is None else index
    for cut in range(len(path), 0, -1):
        found = index.get(path[:cut])
        if found is not None:
            id_list, item = found
            if getattr(id_list, "scope", "plan") == "table" and index.get(path[:2]) is not None:
                return _table_item_in_words(index[path[:2]][1], item, path[cut:])
            title = " ".join(str(getattr(item, "title", "") or "").split())
            head = f"{sentence(id_list.label)} {item.id}" + (f" \u2018{title}\u2019" if title else "")
            if getattr(id_list, "scope", "plan") == "indicator" and index.get(path[:cut - 2]) is not None:
                head = f"{item_in_words(plan, path[:cut - 2], index)}, area {item.id}"  # an indicator's area
            rest = _field_words(path[cut:])
            return f"{head}, {rest}" if rest else head
    section = SECTION_WORDS.get(str(path[0]), sentence(str(path[0]).replace("_", " ")))
    rest = _field_words(path[1:])
    return f"{section} {rest}" if rest else section


def _table_item_in_words(table, item, rest: tuple) -> str:
    """A data table's row or column, named by the table: "Table alloc ‘Allocation’, row
    ‘Acute’, 2014/15"."""
    head = f"Table {table.id} ‘{' '.join(str(table.title).split())}’"
    if hasattr(item, "cells"):  # a row; what follows is the column id
        column = next((c for c in table.columns if rest and c.id == str(rest[0])), None)
        where = column.label if column is not None else _field_words(rest)
        return f"{head}, row ‘{item.label}’" + (f", {where}" if where else "")
    return f"{head}, column ‘{getattr(item, 'label', item.id)}’"


# --- counts and text --------------------------------------------------------------------------

def rag_summary(total: int, counts: dict[str, int], noun: str = "action") -> str:
    """A programme's actions counted by RAG, in words: '12 actions: 3 red, 5 amber, 4 green';
    '12 actions, no RAG reported yet' when none is rated."""
    head = plural(total, noun)
    if not total:
        return head
    if not any(n for k, n in counts.items() if k in RAG_LABELS):
        return f"{head}, {NO_RAG_YET[0].lower()}{NO_RAG_YET[1:]}"
    parts = [f"{counts[k]:,} {RAG_LABELS[k].lower()}" for k in RAG_LABELS if counts.get(k)]
    if counts.get("none"):
        parts.append(f"{counts['none']:,} {NOT_REPORTED.lower()}")
    return f"{head}: {', '.join(parts)}"


def plural(count: int, word: str, words: str | None = None) -> str:
    """1 -> '1 action', 1000 -> '1,000 actions'."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def version(text: Any) -> str:
    """'0.4'; 'TBC'; 'Not stated' where the plan gives no version."""
    if text is None or str(text).strip() == "":
        return NOT_STATED
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
    """The unit a column's header carries: '£000' for money in thousands, '%' for a percent, else ''.
    '' where the heading already says it (a percent column titled '%' or 'Uptake (%)' is not
    headed '% %')."""
    if column.type == "money" and column.unit is not None:
        unit = column.unit.header
    else:
        unit = "%" if column.type == "percent" else ""
    label = (getattr(column, "label", "") or "").strip()
    if unit and unit in label:
        return ""
    return unit


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


# --- finance (version 1 and 2 alike) ----------------------------------------------------------

FINANCE_GROUP_TITLES = {"allocation": "Allocation", "expenditure": "Expenditure",
                        "position": "Financial position", "other": "Other finance lines"}
PHASE_LABELS = {"before": "Before the plan", "plan": "Plan years", "after": "After the plan"}
RULE_STATES = {True: "Met", False: "Not met", None: NOT_ASSESSED}
STATED_TOTAL = "Total stated in the plan"
AS_STATED = "as stated"
FINANCE_PERCENT_NOTE = "A percentage under a figure is the line as a percentage of allocation, as the plan states it."


def percent_value(v: Value | None) -> str:
    """A percentage as written: '1.0%', '−0.6%', 'TBC', 'n/a'; a dash where none is given."""
    return DASH if v is None else v.display("%")


NO_RULE = "No rule stated"
RULES_UNASSESSED_NOTE = "“Not assessed”: the plan gives no complete allocation to measure the figure against."


def rule_state(met: bool | None, no_rule: str = "") -> str:
    """A business rule's assessment: 'Met', 'Not met', 'Not assessed' (no allocation to measure it
    by), or 'Not judged' where no rule is known for the period."""
    return "Not judged" if no_rule else RULE_STATES[met]


def rule_required(required: Decimal | None) -> str:
    """What a business rule asks for: 'at least 1.0%', or 'No rule stated'."""
    return NO_RULE if required is None else f"at least {percent(required)}"


def rules_unjudged_note(reasons: list[tuple[str, str, str]]) -> str:
    """Why some business-rule figures are not judged: [(rule name, period, why)] in one sentence."""
    parts = [f"{name}, {period}: {why}" for name, period, why in dict.fromkeys(reasons)]
    return f"“Not judged”: {'; '.join(parts)}, so the figure is shown as planned, not judged." if parts else ""


def rule_percent(computed: Decimal | None, stated: Value | None, from_stated: bool) -> str:
    """The percentage of allocation a business rule reads: computed from the figures, or the
    plan's own percentage (marked 'as stated') where there is no allocation to compute it from."""
    if computed is None:
        return DASH
    return f"{percent(computed)} ({AS_STATED})" if from_stated else percent(computed)


# --- v2: national codes, action status, qualitative assessments, drivers -----------------------------

def indicator_code(code: str | None, id: str | None = None) -> str:
    """An indicator's national code as printed beside its title: '[E.B.1]', or '' (also where the
    plan uses the code as the id, which is printed already)."""
    return f"[{code}]" if code and code != id else ""


def indicator_title(title: str, code: str | None, id: str | None = None) -> str:
    """'Referral to treatment within 18 weeks [E.B.1]': the title with its national code, if any."""
    shown = indicator_code(code, id)
    return f"{title} {shown}" if shown else title


def action_status(status: str | None) -> str:
    """An action's lifecycle status in words ('Paused'), or ''."""
    return ACTION_STATUS_LABELS.get(status or "", "")


def assessment(a) -> str:
    """'Above target (2014/15)', 'Worsening': a qualitative assessment in words, never a colour alone."""
    words = ASSESSMENT_LABELS.get(a.status, a.status)
    when = a.period.words if a.period is not None else (a.period_text or "")
    return f"{words} ({when})" if when else words


def latest_assessment(assessments: list) -> object | None:
    """The assessment for the period that ends last; of undated ones, the last written."""
    if not assessments:
        return None
    dated = [a for a in assessments if a.period is not None]
    if dated:
        return max(dated, key=lambda a: (a.period.last_day, a.period.first_day))
    return assessments[-1]


def driver_kind(kind: str | None) -> str:
    return DRIVER_KIND_LABELS.get(kind or "", "")


def contact_name(name: str | None) -> str:
    """A contact's name, or a dash for one named by role only."""
    return name or "\u2013"


# --- the board pack (opgen pack): the words its PDF and Word editions print around the view's texts ---
PACK_WORDS = {
    "board": "To", "meeting": "Meeting date", "item": "Agenda item", "author": "By",
    "plans": "Plans reviewed", "subject": "Subject",
    "purpose": "Purpose of the report", "recommendations": "Recommendations", "background": "Background",
    "no_recommendations": "The pack file states no recommendations.",
    "contents": "Contents", "summary": "Summary across the plans", "red_amber": "Red and amber actions",
    "high_risks": "Extreme and high risks", "open_items": "Open items: values to be confirmed and warnings",
    "matrix": "Alignment with the shared framework", "indicators": "Common indicators side by side",
    "left_out": "Plans left out of this pack", "glossary": "Glossary",
    "plan_facts": "About the plan", "plan_on_a_page": "Plan on a page", "plans_section": "The plans",
    "none_red_amber": "The plan reports no red or amber action.",
    "none_high_risks": "The plan has no open extreme or high risk.",
    "unrated_actions": "The plan reports no RAG rating for any of its actions yet, so none is shown as red or amber.",
    "unrated_risks": "The plan rates none of its risks, so none is shown as extreme or high.",
    "none_open_items": "The plan has no value to be confirmed and no warning.",
    "none_left_out": "Every plan named in the pack file is included.",
    "no_matrix": "The pack file names no shared framework, so plans are not compared against one.",
    "no_indicators": "The pack file names no common indicators to compare.",
    "no_glossary": "The pack uses no acronym that needs explaining.",
    "no_changes": "What changed is not shown: the pack file does not ask for it.",
    "no_pop": "The plan on a page could not be included.",
    "col_plan": "Plan", "col_ref": "Ref", "col_action": "Action", "col_risk": "Risk", "col_item": "Item",
    "col_rag": "RAG", "col_rating": "Rating", "col_status": "Status", "col_detail": "Path to green or mitigation",
    "col_mitigation": "Mitigation", "col_what": "What to do", "col_path": "Plan file", "col_reason": "Why it is left out",
    "col_term": "Term", "col_meaning": "Meaning", "col_fact": "Fact", "col_value": "Value",
    "key_changes": "Key changes",
}


def pack_footer(board: str | None, meeting: str | None, item: str | None) -> str:
    """The pack's running footer: 'Kent Health and Wellbeing Board, 18 March 2015, item 5' (what is known)."""
    parts = [p for p in (board, meeting) if p]
    if item:
        parts.append(f"item {item}")
    return ", ".join(parts)


def page_of(page: int, pages: int) -> str:
    """'Page 3 of 40'."""
    return f"Page {page:,} of {pages:,}"


def more_changes(count: int) -> str:
    """'and 1 more change' / 'and 12 more changes' under a plan's key changes."""
    return f"and {count:,} more {'change' if count == 1 else 'changes'}"


def agenda_item(item: str | None) -> str:
    """'Item 5'."""
    return f"Item {item}" if item else ""


def plan_header(organisation: str, title: str) -> str:
    """The running header over a plan's pages in the pack: 'NHS Thanet CCG – Plan on a Page'."""
    return f"{organisation} \u2013 {title}"


# --- the web editions of the diff report and the board pack (diff/report.py, render/pack_web.py) -----

WEB_DIFF_WORDS = {
    "skip": "Skip to main content", "report": "Change report", "sections": "Changes by section",
    "worse": "worse", "better": "better", "deleted": "deleted:", "inserted": "inserted:",
    "deleted_end": "(end of deleted text)", "inserted_end": "(end of inserted text)",
    "tbc_caption": "TBC inventory: values to be confirmed, resolved, introduced and still open",
}
WEB_PACK_WORDS = {
    "skip": "Skip to main content", "pop_link": "Plan on a page (web page)",
    "pop_missing": "The plan on a page's web edition has not been built: run opgen build on the plan to make it.",
    "report": "Board pack",
}


def web_diff_status(new_status: str, new_version: str) -> str:
    """What a DRAFT watermark says on paper, as text at the top of the diff's web edition."""
    if new_status == "draft":
        return f"DRAFT: version {new_version}, the newer of the two compared, is a draft, not yet approved."
    return f"Version {new_version}, the newer of the two compared, is {new_status}."


def web_pop_link(organisation: str) -> str:
    """A plan's plan on a page, linked from the pack's web edition: a link text that says where it goes."""
    return f"{organisation}: plan on a page (web page)"


# --- v2: governance bodies and outcome frameworks (opgen.governance) ---------------------------------
GOVERNANCE_TITLE = "Governance and strategic alignment"
GOVERNANCE_BODIES = "Governance bodies"
GOVERNANCE_STRUCTURE = "Governance structure"
GOVERNANCE_TOP = "Top of the structure"
GOVERNANCE_COLUMNS = ("Body", "Chair", "Meets", "Reports to", "Purpose and members")
COVERAGE_COLUMNS = ("Ref", "Outcome or priority", "Addressed by")
NOT_ADDRESSED = "Not addressed: nothing in the plan aligns to it"
MEMBERS = "Members"
FRAMEWORK_KIND_LABELS = {"jhws": "Joint Health and Wellbeing Strategy", "nhs_outcomes": "NHS Outcomes Framework",
                         "ccg_outcomes": "CCG Outcomes Indicator Set", "local": "Local framework", "other": "Framework"}
FRAMEWORK_ITEM_KINDS = {"outcome": "Outcome", "priority": "Priority", "domain": "Domain", "objective": "Objective",
                        "other": "Item"}
ADDRESSER_KINDS = {"domain": "Programme", "action": "Action", "indicator": "Indicator", "bcf_metric": "BCF metric"}


def frequency(text: str | None) -> str:
    """How often a body meets, as the source says, with a capital: 'Monthly', 'Every 6 weeks'."""
    return (text[:1].upper() + text[1:]) if text else ""


def reports_to_body(governance, body) -> str:
    """The title of the body a body reports to; 'Top of the structure' for the one body at the top of a
    structure (others report to it); '' for a body that reports to none and heads nothing, or one of
    several unrelated top bodies (it is just a body: the table prints a dash)."""
    parent = governance.body(body.reports_to) if body.reports_to else None
    if parent is not None:
        return parent.title
    if body.reports_to:
        return body.reports_to
    tops = [b for b, depth in governance.tree() if depth == 0]
    return GOVERNANCE_TOP if len(tops) == 1 and governance.children(body.id) else ""


def members(names: list[str]) -> str:
    return f"{MEMBERS}: {', '.join(names)}" if names else ""


def coverage_caption(framework) -> str:
    """'Alignment with the Kent Joint Health and Wellbeing Strategy'."""
    return f"Alignment with {framework.title}"


def coverage_summary(cov) -> str:
    """'4 of 5 outcomes and priorities are addressed by the plan.'"""
    n, done = len(cov.rows), len(cov.addressed)
    kinds = list(dict.fromkeys(x.kind for x, _ in cov.rows))
    nouns = {"outcome": "outcomes", "priority": "priorities", "domain": "domains", "objective": "objectives"}
    what = and_list([nouns[k] for k in kinds]) if all(k in nouns for k in kinds) else "items"
    return f"{done} of {n} {what} {'is' if done == 1 else 'are'} addressed by the plan."


def addresser(a) -> str:
    """'Action UC-01 Urgent care redesign', 'Programme Urgent Care'."""
    kind = ADDRESSER_KINDS.get(a.kind, a.kind)
    return f"{kind}: {a.title}" if a.kind == "domain" else f"{kind} {a.id}: {a.title}"


def framework_item(framework, item) -> str:
    """A framework item in a board's words: 'Kent Joint Health and Wellbeing Strategy outcome
    jhws-o1 (Every child has the best start in life)'."""
    kind = FRAMEWORK_ITEM_KINDS.get(item.kind or "", "item").lower()
    return f"{framework.title} {kind} {item.id} ({item.title})"


def governance_contents(plan) -> str:
    """The annex's contents line: 'Governance and strategic alignment: 15 governance bodies; coverage of
    2 frameworks'."""
    parts = []
    if plan.governance and plan.governance.bodies:
        parts.append(plural(len(plan.governance.bodies), "governance body", "governance bodies"))
    if plan.frameworks:
        parts.append("coverage of " + and_list([f.title for f in plan.frameworks]))
    return f"{GOVERNANCE_TITLE}: {'; '.join(parts)}"


def governance_alt(governance) -> str:
    """The structure diagram in words, for screen readers: who reports to whom."""
    parts = []
    for body, _ in governance.tree():
        kids = governance.children(body.id)
        if kids:
            parts.append(f"{body.title}: {and_list([k.title for k in kids])} report to it.")
    tops = [b for b, depth in governance.tree() if depth == 0]
    head = f"{tops[0].title} at the top." if len(tops) == 1 else ""
    return " ".join([head] + parts).strip()
# -- vision, sources, Better Care Fund contents (the Word annex and the full plan) ---------------------
VISION_TITLE = "Our vision"
NO_VISION = "The plan states no mission, vision statements or values."


def vision_in_brief(vision) -> str:
    """What the vision chapter holds, for a contents list: 'the mission, 3 statements and 5 values',
    or that the plan states none."""
    parts = (["the mission"] if vision.mission else []) + \
        ([plural(len(vision.statements), "statement")] if vision.statements else []) + \
        ([plural(len(vision.values), "value")] if vision.values else [])
    if not parts:
        return "not stated in the plan"
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
MISSION_LABEL = "Our mission"
VALUES_LABEL = "Our values"
SOURCES_TITLE = "Sources and notes"


def and_list(words: list[str]) -> str:
    """['a'] -> 'a'; ['a', 'b', 'c'] -> 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def source_notes(items) -> list[dict]:
    """Indicators' source notes, one entry per distinct text in order of first use, each with the ids
    of the indicators that share it: a source common to 27 indicators is printed once, not 27 times."""
    groups: dict[str, list[str]] = {}
    for i in items:
        text = " ".join((i.source or "").split())
        if text:
            groups.setdefault(text, []).append(i.id)
    for i in items:  # a revised figure's whole story: from what, when, agreed by whom, why
        for p, v in list(getattr(i, "targets", {}).items()) + list(getattr(i, "actuals", {}).items()):
            note = revision_note(i, p.words, v)
            if note:
                groups.setdefault(note, []).append(i.id)
    for i in items:  # how often it is monitored (version 2), shared like a source
        if text := monitored(getattr(i, "frequency", None)):
            groups.setdefault(text, []).append(i.id)
    return [{"ids": ids, "label": ", ".join(ids), "text": text} for text, ids in groups.items()]


def as_at(meta) -> str:
    """The quarter the plan reports RAG at ('2015/16 Q1'), or '' where the plan states none (it
    reports no RAG): then nothing is said to be 'as at' a quarter."""
    return meta.as_at.label if getattr(meta, "as_at_stated", True) else ""


def monitored(frequency: str | None) -> str:
    """An indicator's monitoring frequency as a note: 'monthly' -> 'Monitored monthly.'"""
    text = " ".join((frequency or "").split()).rstrip(".")
    return f"Monitored {text}." if text else ""


ACTION_CATEGORY = "Category"
ACTION_PROGRAMMES = "Programme"


def action_programmes(plan, ids: list[str]) -> str:
    """The drivers an action is part of, by title ('NHS Right Care programme'); an id the plan does not
    declare (validate reports it) is printed as written."""
    titles = {d.id: d.title for d in getattr(plan.meta, "drivers", [])}
    return "; ".join(titles.get(x, x) for x in ids)


DOMAIN_DUE = "Due"
REPORTS_TO = "Reported to"
PROVIDERS = "Providers named in the plan"
PROVIDER_KIND_LABELS = {"acute": "Acute", "community": "Community", "mental_health": "Mental health",
                        "ambulance": "Ambulance", "primary_care": "Primary care", "social_care": "Social care",
                        "other": "Other"}


def provider_kind(kind: str | None) -> str:
    return PROVIDER_KIND_LABELS.get(kind or "", "")


def bcf_contents(schemes: int, contributions: bool, metrics: int, risks: int = 0, funded: bool = True) -> str:
    """What the Better Care Fund part holds, counted: 'Better Care Fund: 1 metric'. Schemes are 'with
    funding by year' only where some scheme has an amount (`funded`)."""
    parts = []
    if schemes:
        parts.append(plural(schemes, "scheme") + (" with funding by year" if funded else ""))
    if contributions:
        parts.append("pooled budget contributions")
    if metrics:
        parts.append(plural(metrics, "metric"))
    if risks:
        parts.append(plural(risks, "risk"))
    return "Better Care Fund: " + (and_list(parts) if parts else "no schemes, contributions or metrics recorded")


# -- Better Care Fund (version 2): the national scheme headings, funding ranges, contributions ----------
# The national scheme headings (the one list: the schema's examples, opgen validate's check and
# every paper read it), in the order the papers group schemes by.
BCF_HEADINGS = {
    "reablement": "Reablement",
    "intermediate_care": "Intermediate care",
    "integrated_care_teams": "Integrated care teams and joint assessment",
    "care_homes": "Support to care homes",
    "care_at_home": "Personalised support and care at home",
    "assistive_technology": "Assistive technology",
    "carers": "Support for carers",
    "prevention": "Prevention and early intervention",
    "housing": "Housing and Disabled Facilities Grant",
    "seven_day_services": "Seven-day services to support discharge",
    "protection_of_social_care": "Protection of adult social care",
    "care_act": "Care Act implementation",
    "enablers": "Enablers (data sharing, IT, workforce)",
    "other": "Other",
}
BCF_NO_HEADING = "No national heading given"
BCF_RECURRENT = {True: "recurrent", False: "non-recurrent"}
BCF_HOLDS_POOL = "Holds the pooled budget"
BCF_REQUIREMENTS = "Scheme requirements"


def bcf_requirements_md(requirements) -> str:
    """A scheme's requirements as Markdown both papers print under the scheme: a bold label, each
    group's heading in italics, its requirements as a bullet list."""
    if not requirements:
        return ""
    out = [f"**{BCF_REQUIREMENTS}**"]
    loose: list[str] = []
    for r in requirements:
        if r.title is None:
            loose += r.items
            continue
        if loose:
            out.append(_bullets(loose))
            loose = []
        out.append(f"*{r.title}*")
        out.append(_bullets(r.items))
    if loose:
        out.append(_bullets(loose))
    return "\n\n".join(out)


def _bullets(items: list[str]) -> str:
    return "\n".join("- " + " ".join(x.split()) for x in items)
BCF_RANGES_NOTE = ("Where the plan gives a range, a scheme's funding reads \u201cminimum to maximum\u201d and "
                   "the total adds up the minima and the maxima.")
BCF_RISKS_TITLE = "Risks to the Better Care Fund plan"
BCF_RISK_COLUMNS = ("Gross", "Current", "Target")


def bcf_heading(key: str | None) -> str:
    """A scheme's heading as printed: the national heading's words ('Reablement'); a version 1 plan's
    free text as written; '' where none is given."""
    return BCF_HEADINGS.get(key or "", key or "")


def _bcf_money(v: Value | None, unit: MoneyUnit | None) -> str:
    if v is None:
        return DASH
    return unit.short(v.number) if unit is not None and v.is_number else v.display()


def bcf_funding(scheme, year, unit: MoneyUnit | None = None) -> str:
    """One year's funding of a BCF scheme: '1,200 to 1,500', 'at least 1,200', '400, non-recurrent';
    with `unit`, in the plan's money wording ('£1,200k to £1,500k'). A dash where the year has none."""
    top, low = scheme.funding.get(year), scheme.funding_min.get(year)
    if top is None and low is None:
        return DASH
    if year in scheme.open_ranges:
        text = f"at least {_bcf_money(low, unit)}"
    elif low is not None and not (low.is_number and top.is_number and low.number == top.number):
        text = f"{_bcf_money(low, unit)} to {_bcf_money(top, unit)}"
    else:
        text = _bcf_money(top, unit)
    recurrent = scheme.recurrent.get(year)
    return text if recurrent is None else f"{text}, {BCF_RECURRENT[recurrent]}"


def bcf_risk_score(risk, pos: RiskPosition | None) -> str:
    """A BCF risk's gross, current or target score: '4 × 4 = 16, Extreme'; a dash where not given."""
    if pos is None:
        return DASH
    return f"{position(pos)}, {band(risk.band_of(pos.score))}"


def bcf_funding_total(low: Total, high: Total, unit: MoneyUnit | None = None) -> str:
    """The schemes' total for a year: one figure, or 'minimum to maximum' where ranges make them differ."""
    def one(t: Total) -> str:
        return total(t) if unit is None or not t.parts else money(t, unit)
    if low.value == high.value and low.incomplete == high.incomplete:
        return one(high)
    return f"{one(low)} to {one(high)}"


# -- what a board paper says where the plan gives nothing (never an invented 0, said once) -----------
ASSESSMENTS_HEADING = "Assessments (newest first)"
ASSESSED_IN_WORDS = "Indicators assessed in words"
ASSESSED_IN_WORDS_NOTE = ("The plan gives no figures for these indicators (no unit, baseline, target or actual), "
                          "only its assessment in words, newest first.")
NAMED_MEASURES = "Measures named without figures"
NAMED_MEASURES_NOTE = ("The plan names these measures of success without a unit, baseline, target, actual or "
                       "assessment.")


def named_only(indicator) -> bool:
    """A measure the plan only names: no unit, no stated baseline, no target, actual, trajectory,
    benchmark, breakdown or assessment. It reads as a list of words, never a row of 'Not stated'."""
    baseline = indicator.baseline
    return not (indicator.unit or (baseline is not None and baseline.kind != "not_stated") or indicator.targets
                or indicator.actuals or indicator.assessments or getattr(indicator, "trajectory", None)
                or getattr(indicator, "benchmarks", None) or getattr(indicator, "areas", None))


ASSESSMENT = "Assessment"
SETTLED_STATUSES = ("complete", "stopped", "paused", "revised")  # an action whose status says more than a missing RAG


def assessments_newest_first(assessments: list) -> list:
    """Every assessment the plan states, newest period first (two for one period keep the plan's
    order); undated ones after the dated, as written."""
    dated = sorted((a for a in assessments if a.period is not None),
                   key=lambda a: (a.period.last_day, a.period.first_day), reverse=True)
    return dated + [a for a in assessments if a.period is None]


def assessment_heading(indicators) -> str:
    """The assessment column's heading: 'Latest assessment' where each indicator has one at most,
    'Assessments (newest first)' where one has several (all are printed)."""
    return ASSESSMENTS_HEADING if any(len(i.assessments) > 1 for i in indicators) else LATEST_ASSESSMENT


def words_only(indicator) -> bool:
    """An indicator the plan gives in words only: assessments, and no unit, baseline, target or actual."""
    return bool(indicator.assessments) and not (indicator.unit or indicator.baseline is not None
                                                or indicator.targets or indicator.actuals)


def has_figures(indicator) -> bool:
    """An indicator with a baseline, a target or an actual to show."""
    return indicator.baseline is not None or bool(indicator.targets) or bool(indicator.actuals)


def qipp_headline(year_label: str, net: Total, unit: MoneyUnit) -> str:
    """The cover's QIPP fact: 'QIPP net saving 2015/16: £1,200k'; 'Not stated' where no scheme has
    an amount for the year (never an invented £0k)."""
    figure = NOT_STATED if not net.parts and not net.incomplete else money(net, unit)
    return f"QIPP net saving {year_label}: {figure}"


def rag_column_heading(as_at_label: str, no_rag_plan: bool) -> str:
    """The heading of a programme's actions summary's RAG column: 'RAG 2015/16 Q1'; 'Status' where the
    plan reports no RAG (the column then shows complete, paused... actions' status)."""
    if no_rag_plan:
        return "Status"
    return f"RAG {as_at_label}" if as_at_label else "RAG"


def no_rag_in_plan(as_at_label: str, actions: int) -> str:
    """Said once where a plan reports no RAG for any action, instead of a 'Not reported' on each."""
    what = "the action" if actions == 1 else f"any of the {actions:,} actions"
    return f"{NO_RAG_YET} for {what}" + (f" (as at {as_at_label})." if as_at_label else ".")


def settled_status(action) -> str:
    """A complete, stopped, paused or revised action's status in words, where it stands in for a missing RAG
    ('Complete'); '' otherwise."""
    return action_status(action.status) if action.status in SETTLED_STATUSES and not action.rag else ""


def section_ref(label: str, title: str) -> tuple[str, str]:
    """A cross-reference to a chapter as printed: ('3.2', 'Review of urgent care') in the full
    plan; in the Word annex, where chapters are not numbered, ('', 'Review of urgent care (chapter)')."""
    return (label, title) if label else ("", f"{title} (chapter)")


def no_rag_as_at(as_at_label: str) -> str:
    """After a count of actions where the plan reports no RAG: 'no RAG reported yet (as at 2015/16 Q1)'."""
    return f"{NO_RAG_YET[0].lower()}{NO_RAG_YET[1:]}" + (f" (as at {as_at_label})" if as_at_label else "")


POP_NO_FIGURES = "No figure stated"
POP_NO_TARGET = "No target stated"
POP_MEASURES_NOTE = "The plan names these measures without a baseline or target."
POP_QIPP_STATED = "Net saving stated in the plan"


def pop_qipp_note(schemes: int, tbc: bool, unstated: bool) -> str:
    """The note under the plan on a page's QIPP box, saying what its totals leave out: values still to
    be confirmed ('+ TBC'), amounts the plan does not state ('+ not stated'), or nothing."""
    parts = []
    if tbc:
        parts.append("totals marked \u201c+ TBC\u201d include values still to be confirmed")
    if unstated:
        parts.append("totals marked \u201c+ not stated\u201d leave out schemes the plan gives no amount for")
    return plural(schemes, "scheme") + "".join(f"; {p}" for p in parts) + "."


def pop_masthead(version_text: str | None, status_text: str, as_at_label: str, date_text: str) -> list[tuple[str, str]]:
    """The plan on a page's masthead facts as (label, value): only what the plan states (no
    'Version Not stated', no dash for a date it does not give); the status always."""
    facts = []
    if version_text:
        facts.append(("Version", version_text))
    facts.append(("Status", status_text))
    if as_at_label:
        facts.append(("RAG as at", as_at_label))
    if date_text:
        facts.append(("Date", date_text))
    return facts


def qipp_no_amounts(schemes: int) -> str:
    """Where no QIPP scheme has an amount (and no total is stated), instead of tables of dashes."""
    return (f"The plan gives no savings or investment amounts for {'its QIPP scheme' if schemes == 1 else f'its {schemes:,} QIPP schemes'}; "
            f"{'it is' if schemes == 1 else 'they are'} listed below with the plan's notes.")


# --- delivery schedules (issue 9, part 1: opgen.schedules) ----------------------------------------

SCHEDULE_HEADING = "Delivery schedule"
SCHEDULE_KEY = "Key"
SCHEDULE_ACTION = "Action"
SCHEDULE_REF = "Ref"
SCHEDULE_PHASE = "Phase"
SCHEDULE_MILESTONES = "Milestones"
SCHEDULE_ONGOING = "ongoing"
SCHEDULE_AS_AT = "As at"
MILESTONE_TYPE = "Type"


def schedule_phase(scales, code: str | None) -> str:
    """A phase code as a reader sees it: its legend label ('Phased implementation'), or the code."""
    if code is None:
        return ""
    entry = scales.schedule.get(code)
    return entry.label if entry else code


def milestone_type(scales, code: str | None) -> str:
    """A milestone type as a reader sees it: its legend label ('Health Reform Group'), or the code."""
    if not code:
        return ""
    entry = scales.milestone_types.get(code)
    return entry.label if entry else code


def _month_words(index: int) -> str:
    return dt.date(index // 12, index % 12 + 1, 1).strftime("%b %Y")


def schedule_span(first: int, last: int, unit: str) -> str:
    """When a phase runs, in words: '2014/15 Q1 to Q2', '2014/15 Q3 to 2015/16 Q1', 'Feb 2015',
    'Apr to Aug 2015', 'Sep 2015 to Mar 2016'."""
    if unit == "quarter":
        a, b = quarter_of_month(first), quarter_of_month(last)
        if a == b:
            return a.label
        if a.year == b.year:
            return f"{a.label} to Q{b.number}"
        return f"{a.label} to {b.label}"
    if first == last:
        return _month_words(first)
    if first // 12 == last // 12:
        return f"{_month_words(first)[:3]} to {_month_words(last)}"
    return f"{_month_words(first)} to {_month_words(last)}"


def schedule_column_head(first: int, unit: str) -> tuple[str, str]:
    """A schedule column's heading in two parts, the group and the column: ('2014/15', 'Q3') for a
    quarter, ('2015/16', 'Apr') for a month (grouped by financial year)."""
    q = quarter_of_month(first)
    if unit == "quarter":
        return q.year.label, f"Q{q.number}"
    return q.year.label, dt.date(first // 12, first % 12 + 1, 1).strftime("%b")


def schedule_column_words(first: int, unit: str) -> str:
    """A column as a period in words: '2014/15 Q3', 'Jul 2014' (the Word table's heading, the diff)."""
    return schedule_span(first, first, unit)


def schedule_cell(scales, code: str | None, ongoing_end: bool = False) -> str:
    """A schedule table cell: the phase label; the chart's last cell of an ongoing phase says so."""
    if code is None:
        return ""
    label = schedule_phase(scales, code)
    return f"{label} ({SCHEDULE_ONGOING})" if ongoing_end else label


def schedule_legend_entry(entry) -> str:
    """A legend line: 'PL Planning', with its note: 'IM Implement: Service live across the area'."""
    return f"{entry.label}: {entry.note}" if entry.note else entry.label


def schedule_sentence(scales, action, unit: str) -> str:
    """An action's schedule in words, the text alternative of its Gantt row: 'A2.1 One-stop
    outpatient services: Planning 2014/15 Q1 to Q2; Phased implementation 2014/15 Q3 to Q4;
    Implement from 2015/16 Q1, ongoing. Milestones: Business case to HRG (Health Reform Group), Sep 2014.'"""
    parts = []
    for p in phases(action.schedule):
        when = schedule_span(p.first, p.last, unit)
        if p.ongoing:
            parts.append(f"{schedule_phase(scales, p.code)} {when}, then {SCHEDULE_ONGOING}")
        else:
            parts.append(f"{schedule_phase(scales, p.code)} {when}")
    text = f"{action.id} {action.title}: " + "; ".join(parts) + "."
    typed = [m for m in action.milestones if m.due]
    if typed:
        ms = []
        for m in typed:
            kind = milestone_type(scales, m.type)
            ms.append(f"{m.title}{f' ({kind})' if kind else ''}, {m.due.display()}")
        text += f" {SCHEDULE_MILESTONES}: " + "; ".join(ms) + "."
    return text


def schedule_figure_label(domain_title: str, first: int, last: int, unit: str) -> str:
    """The chart's accessible name: 'Delivery schedule, Hospital Programme, 2014/15 Q1 to 2015/16 Q4'."""
    return f"{SCHEDULE_HEADING}, {domain_title}, {schedule_span(first, last, unit)}"


def schedule_phase_now(plan, action) -> str:
    """Where a scheduled action is in the as-at quarter, on the plan on a page,
    decided by the plan's as_at (never the machine clock): 'Phase: Implement'; '' without a stated as_at
    or a phase then."""
    if not action.schedule or not plan.meta.as_at_stated:
        return ""
    code = phase_at(action.schedule, plan.meta.as_at)
    return f"{SCHEDULE_PHASE}: {schedule_phase(plan.scales, code)}" if code else ""


def schedule_as_at(quarter_label: str) -> str:
    """The key's entry for the dashed line at the end of the as-at quarter: 'As at end of 2014/15 Q3'."""
    return f"{SCHEDULE_AS_AT} end of {quarter_label}"


def schedule_ongoing_change(was: str | None, now: str | None) -> str:
    """What a change to an ongoing phase means for the diff: the schedule now ends, or now runs on."""
    if was and not now:
        return "the schedule now ends; it no longer runs on beyond the chart"
    if now and not was:
        return "now runs on beyond the chart"
    return ""
# --- indicators v2: groups, benchmarks, areas, series and charts ---------------------------------

INDICATOR_GROUP_LABELS = {"nhs_constitution": "NHS Constitution standards", "ccg_outcomes": "CCG Outcomes Indicator Set",
                          "quality_premium": "Quality Premium", "bcf": "Better Care Fund", "local": "Local measures",
                          "other": "Other measures"}
SETS_TITLE = "Indicator sets"
SETS_COLUMNS = ("Set", "Indicators")
BENCHMARK_COLUMNS = {"plan": "This plan", "national": "England", "regional": "Region", "county": "County",
                     "median": "Peer median", "percentiles": "Peer 25th\u201375th percentile", "rank": "Rank",
                     "peer_group": "Peer group"}
BENCHMARK_FIELD_LABELS = {"national": "England", "regional": "region", "county": "county", "median": "peer median",
                          "p25": "peer 25th percentile", "p75": "peer 75th percentile"}
BENCHMARKS_TITLE = "Benchmarks"
BENCHMARKS_NOTE = ("How each indicator compares, by the period the comparison is for. \u201cThis plan\u201d is the "
                   "plan's own actual (or baseline) for that period, where it gives one. A rank of 1 is the first.")
CONSTITUTION_TITLE = "NHS Constitution standards: current position and trajectory"
CONSTITUTION_COLUMNS = {"standard": "Standard", "current": "Current position", "trajectory": "Trajectory",
                        "target": "Target"}
AREAS_TITLE = "By area"
AREA_KIND_LABELS = {"area": "Area", "locality": "Locality", "provider": "Provider", "practice": "Practice"}
AREA_COLUMNS = {"area": "Area", "kind": "Kind", "baseline": "Baseline", "latest": "Latest actual"}
SERIES_TITLE = "Actuals against trajectory"
SERIES_ACTUALS_TITLE = "Actuals"
SERIES_COLUMNS = {"period": "Period", "actual": "Actual", "trajectory": "Trajectory", "target": "Target"}
CHART_LEGEND = {"actual": "Actual", "trajectory": "Trajectory", "target": "Target", "mean": "Mean",
                "limits": "Process limits", "median": "Median", "outside": "Outside the limits"}
CHART_NOTE = ("Charts show an indicator's actuals where the plan gives at least 6 of one kind of period: a run chart "
              "with its median; from 12, process limits (mean \u00b1 2.66 \u00d7 the mean moving range, as in NHS "
              "England's \u201cMaking Data Count\u201d): a point outside them is special cause variation.")
CHART_NOTE_ANNEX = ("The full plan charts an indicator's actuals where the plan gives at least 6 of one kind of period; "
                    "here each chart is summarised in words, with the numbers behind it.")


def indicator_group(name: str | None) -> str:
    return INDICATOR_GROUP_LABELS.get(name or "", "")


def rank(value: int, of: int) -> str:
    """'118 of 211'."""
    return f"{value:,} of {of:,}"


def percentile_range(indicator: Indicator, low: Value | None, high: Value | None) -> str:
    """'1,600 to 1,900' (the 25th to 75th percentile); one end alone as given; a dash for neither."""
    if low is None and high is None:
        return DASH
    if low is None or high is None:
        return f"{'25th' if high is None else '75th'}: {indicator_value(indicator, low or high)}"
    return f"{indicator_value(indicator, low)} to {indicator_value(indicator, high)}"


def area_kind(kind: str | None) -> str:
    return AREA_KIND_LABELS.get(kind or "", "")


def chart_title(indicator: Indicator) -> str:
    return f"{indicator.id} {indicator.title}: {SERIES_TITLE.lower()}"


def chart_summary(indicator: Indicator, first: Period, last: Period, count: int, latest: Value,
                  centre: tuple[str, Value] | None, limits: tuple[Value, Value] | None, outside: list[Period],
                  trajectory: int, target: Value | None) -> str:
    """The text alternative of a chart, as a reader would say it: 'Actuals from Apr 2014 to May 2015
    (14 points); latest 95.4% (May 2015). Mean 94.1%; process limits 90.2% to 98.0%; no point outside
    them. Trajectory of 5 points. Target at least 95%.'"""
    show = lambda v: indicator_value(indicator, v)
    parts = [f"Actuals from {first.words} to {last.words} ({plural(count, 'point')}); latest {show(latest)} ({last.words})."]
    if centre:
        label, v = centre
        text = f"{label} {show(v)}"
        if limits:
            low, high = limits
            text += f"; process limits {show(low)} to {show(high)}; "
            text += ("no point outside them" if not outside else
                     f"{plural(len(outside), 'point')} outside them ({and_list([p.words for p in outside])})")
        parts.append(text + ".")
    if trajectory:
        parts.append(f"Trajectory of {plural(trajectory, 'point')}.")
    if target is not None:
        parts.append(f"Target {indicator_value(indicator, target)[0].lower()}{indicator_value(indicator, target)[1:]}.")
    return " ".join(parts)


def axis_number(number: Decimal) -> str:
    """A chart axis tick: '1,750', '94.5'."""
    return format_decimal(number)


# --- papers as printed (issue 9, round 2) -------------------------------------------------------

def point_of_delivery(pod: str | None) -> str:
    """A QIPP scheme's point of delivery under its title, the same in the full plan and the annex:
    'Point of delivery: Accident and Emergency' (so schemes of one programme do not read as repeats)."""
    return f"Point of delivery: {pod}" if pod else ""


BCF_RISK_RATING = "Rating"  # a BCF risks column: the rating the plan states in a word ("High")
SIGN_OFF = "Sign-off"  # the signatories' table, in the full plan's front matter and the annex's document control
FRAMEWORK_UNALIGNED = "The plan does not say which of its work addresses these."  # a framework nothing aligns to


_APPENDIX_PREFIX = re.compile(r"^\s*appendix\s+([A-Za-z]{1,2}|\d{1,2})\s*[:.\u2013\u2014-]\s*(\S.*)$", re.I | re.S)


def appendix_prefix(title: str) -> tuple[str, str] | None:
    """('C', 'Foo') for a title written 'Appendix C: Foo' (or 'Appendix C - Foo'), else None."""
    m = _APPENDIX_PREFIX.match(title or "")
    return (m.group(1).upper(), m.group(2).strip()) if m else None


def appendix_title(letter: str, title: str) -> str:
    """An appendix's title under its 'Appendix A' label: a leading 'Appendix A:' that repeats the
    letter opgen gives it is left out ('Appendix A: Foo' -> 'Foo'), so the heading does not read
    'Appendix A Appendix A: Foo'. Another letter is kept as written (opgen validate warns)."""
    found = appendix_prefix(title)
    return found[1] if found and found[0] == letter.upper() else title


# --- the board pack's comparison (opgen.pack.view): the texts of its tables, lists and labels ----------

PACK_PLAN = "Plan"
PACK_WARNING = "Warning"
PACK_GAP = "No item aligned"
PACK_NOT_LISTED = "Not in the plan's own list of its items."
PACK_NO_QIPP = "The plan gives no QIPP programme."
PACK_NO_FINANCE = "The plan gives no finance section."
PACK_FACTS = {"organisation": "Organisation", "period": "Plan period", "version": "Version", "status": "Status",
              "as_at": "RAG as at", "date": "Date", "open": "Open items"}
PACK_CAPTIONS = {"qipp": "QIPP: savings, investment and net savings as a share of allocation",
                 "rules": "NHS business rules: surplus, contingency and non-recurrent spending",
                 "bcf": "Better Care Fund: non-elective admissions reduction target",
                 "rag": "Actions by RAG rating",
                 "attention": "For the board's attention: red and amber actions, extreme and high risks, open items"}
PACK_ATTENTION_COLUMNS = ("Plan", "Red actions", "Amber actions", "Extreme risks", "High risks",
                          "Values to be confirmed", "Warnings")
PACK_NOT_RATED = "Not rated"
PACK_ATTENTION_NOTE = ("Counts per plan (\u201cNot rated\u201d: the plan rates none of its actions, or none of its "
                       "risks); each plan's section of this pack lists them with their path to green, "
                       "mitigation or what to do. A dash: none.")
PACK_MEASURE_COLUMNS = ("Plan", "Indicator in the plan", "Baseline", "Target", "Latest benchmark")
WORDING_CHANGED = "wording changed"
_PACK_UNITS = {"gbp_millions": ("£m", Decimal("1000000"), Decimal("0.01")),
               "gbp_thousands": ("£000", Decimal("1000"), Decimal("1")),
               "gbp": ("£", Decimal("1"), Decimal("1"))}
_UNIT_WORDS = {"gbp": "£", "gbp_thousands": "£000", "gbp_millions": "£m"}


def pack_money(figure, unit_key: str, with_unit: bool = False) -> str:
    """A total in pounds (model Total) shown in a pack table's one unit: '6.12' (£m, two decimals) or
    '2,783' (£000), '4.30 + not stated', 'TBC'; 'Not stated' where nothing is stated (never 0).
    `with_unit`: '£6.12m', '£2,783k'."""
    if figure is None or (not figure.parts and not figure.incomplete):
        return NOT_STATED
    _, divisor, places = _PACK_UNITS[unit_key]
    shown = Total((figure.value / divisor).quantize(places), figure.incomplete, figure.parts, figure.unstated_only)
    return money(shown, MoneyUnit(unit_key)) if with_unit else total(shown)


def pack_unit(unit_key: str) -> str:
    return _PACK_UNITS[unit_key][0]


def pack_qipp_no_amounts(schemes: int) -> str:
    """A QIPP programme whose schemes carry no amounts, as a note."""
    return f"The plan names {'its QIPP scheme' if schemes == 1 else f'its {schemes:,} QIPP schemes'} without amounts."


def pack_qipp_columns(unit_key: str) -> list[str]:
    u = pack_unit(unit_key)
    return [PACK_PLAN, "Plan year", f"Savings ({u})", f"Investment ({u})", f"Net savings ({u})",
            f"Net savings stated in the plan ({u})", "Net savings as % of allocation"]


def pack_share(net, allocation, from_stated: bool, year_label: str) -> tuple[str, str | None]:
    """Net savings as a share of the allocation: ('1.81%', 'The net savings the plan states, of an
    allocation of £303.1m for 2015/16.'), or ('Not stated', why)."""
    if net is None:
        return NOT_STATED, f"The plan states no complete net savings figure for {year_label}."
    if allocation is None or not allocation.parts or allocation.incomplete or not allocation.value:
        return NOT_STATED, f"The plan states no allocation for {year_label}."
    share = (net.value / allocation.value * 100).quantize(Decimal("0.01"))
    which = "The net savings the plan states" if from_stated else "The net savings of its schemes"
    millions = abs(allocation.value) >= 1000000
    shown = (allocation.value / (1000000 if millions else 1000)).quantize(Decimal("0.1"))
    amount = money(shown, MoneyUnit("gbp_millions" if millions else "gbp_thousands"))
    return percent(share), f"{which}, of an allocation of {amount} for {year_label}."


def pack_qipp_note(unit_key: str, units: list[tuple[str, str]], totals) -> str:
    """Under the QIPP table: the one unit and where each plan's figures were converted from."""
    converted = [f"{short} {_UNIT_WORDS[key]}" for short, key in units if key != unit_key]
    head = (f"All figures in {pack_unit(unit_key)}"
            + (", rounded to two decimal places" if unit_key == "gbp_millions" else ", rounded to the nearest £1,000"))
    head += f"; converted from each plan's own unit ({', '.join(converted)})." if converted else "."
    rest = "Savings, investment and net savings are the sums of each plan's schemes for its plan year; " \
           "\u201cNot stated\u201d means the plan gives no figure (never 0)."
    return " ".join(x for x in (head, rest, incomplete_note([t for t in totals if t is not None])) if x)


def pack_rules_columns(unit_key: str) -> list[str]:
    u = pack_unit(unit_key)
    return [PACK_PLAN, "Plan year", f"Surplus ({u}, % of allocation)", f"Contingency ({u}, % of allocation)",
            f"Non-recurrent ({u}, % of allocation)"]


def pack_rule_verdict(met: bool | None, no_rule: str, year_label: str) -> tuple[str, str]:
    """(the judgement in words, its colour key): 'Met', 'Not met', 'Not judged: no rule stated for
    2015/16', 'Not assessed: no allocation stated'."""
    if no_rule:
        return f"Not judged: no rule stated for {year_label}", "grey"
    if met is None:
        return "Not assessed: no allocation stated", "grey"
    return ("Met", "green") if met else ("Not met", "red")


def pack_rule_cell(figure: str, share: str, rule: str, verdict: str) -> str:
    """'2.70 (1.00%); rule at least 1.0%: Met'; 'TBC; Not assessed: ...'."""
    head = f"{figure} ({share})" if share and share != DASH else figure
    return f"{head}; rule {rule}: {verdict}" if rule and not verdict.startswith("Not judged") else f"{head}; {verdict}"


def pack_own_rating(colour: str | None) -> str | None:
    """The plan's own RAG for a business-rule line, as a note: 'The plan rates it Green.'"""
    return f"The plan rates it {rag(colour)}." if colour else None


def pack_rules_note(unit_key: str) -> str:
    return (f"Figures in {pack_unit(unit_key)}, with the share of each plan's allocation for its plan year. "
            "The rules are 1% surplus and 0.5% contingency; a figure is judged only by a rule a source states "
            "for its year. \u201cNot stated\u201d: the plan gives no figure.")


def pack_band(low: str, high: str) -> str:
    """The BCF band: '0.6% to 1%'."""
    return f"{format_decimal(Decimal(str(low)))}% to {format_decimal(Decimal(str(high)))}%"


def pack_bcf_columns(band_text: str | None) -> list[str]:
    against = f"Against the agreed band ({band_text})" if band_text else "Against the agreed band"
    return [PACK_PLAN, "Non-elective admissions reduction target", against, "BCF pooled fund"]


def pack_nel_target(reduction: Decimal, year_label: str, revised: str = "") -> str:
    """'0.8% reduction (2015/16), revised from 3.5%'."""
    text = f"{format_decimal(reduction)}% reduction ({year_label})"
    return f"{text}, {revised}" if revised else text


def pack_nel_source(ind_id: str, title: str, value_text: str) -> str:
    """Where the target is in the plan: "Indicator KPI-NEL 'Total non-elective admissions...': 104.71 (1% reduction)"."""
    return f"{ind_id} \u2018{' '.join(title.split())}\u2019: {value_text}"


def pack_nel_named(ind_id: str, title: str) -> str:
    return f"The plan names the measure ({ind_id} \u2018{' '.join(title.split())}\u2019) without a target figure."


def pack_band_judgement(position: str | None) -> str:
    """Inside / below / above the band; 'No band set in the pack' where the pack file gives none."""
    return {"inside": "Within the band", "below": "Below the band: less ambitious than agreed",
            "above": "Above the band: more ambitious than agreed", None: "No band set in the pack"}[position]


def pack_bcf_note(band_text: str | None, source: str | None) -> str:
    head = (f"The agreed band for reducing non-elective admissions is {band_text}."
            + (f" {sentence(' '.join(source.split())).rstrip('.')}." if source else "")) if band_text else \
        "The pack file sets no band for the non-elective admissions reduction, so targets are not judged."
    return head + (" A plan's target is read from its BCF metric or indicator for non-elective admissions "
                   "for its plan year; the pooled fund is the total the plan states, else the sum of its schemes. "
                   "\u201cNot stated\u201d: the plan gives no figure.")


def pack_rag_columns(keys: list[str]) -> list[str]:
    return [PACK_PLAN, "As at", "Actions"] + [RAG_LABELS[k] for k in keys] + ["No RAG reported"]


def pack_as_at(as_at_label: str, rated: bool, actions: int) -> str:
    """The quarter a plan's RAG counts are as at, or that it reports none."""
    if rated:
        return as_at_label or NOT_STATED
    return f"{NO_RAG_YET}" + (f" (as at {as_at_label})" if as_at_label else "")


def pack_rag_note(unrated: int) -> str:
    base = "Each plan's actions by their RAG rating as at the plan's own reporting quarter."
    if unrated:
        base += (f" A dash: the plan reports no RAG for any action ({plural(unrated, 'plan')}), "
                 "so its actions are not counted as any colour.")
    return base


def pack_path_to_green(mitigation: str, due: str) -> str:
    parts = [f"Path to green: {mitigation}" if mitigation else "The plan states no path to green."]
    if due:
        parts.append(f"Due {due}.")
    return " ".join(parts)


def pack_risk_status(band_name: str | None, score_value: int | None, word: str | None = None) -> str:
    """'Extreme (score 20)'; 'High' where the plan rates it without a score; 'Moderate (medium)'."""
    if score_value is not None:
        return f"{BAND_LABELS.get(band_name or '', NOT_RATED)} (score {score_value})"
    return risk_rating(band_name, word)


def pack_risk_detail(mitigation: str, owner: str | None) -> str:
    parts = [f"Mitigation: {mitigation}" if mitigation else "The plan states no mitigation."]
    if owner:
        parts.append(f"Owner: {owner}.")
    return " ".join(parts)


TBC_WHAT = {"value": "figure", "period": "period", "date": "date", "version": "version", "lead": "lead",
            "owner": "owner", "name": "name", "title": "title", "code": "code"}


def pack_tbc_detail(what: str) -> str:
    return f"The {TBC_WHAT.get(what, what)} is to be confirmed."


def pack_warning_detail(message: str, hint: str) -> str:
    return f"{sentence(message).rstrip('.')}." + (f" To resolve: {hint.rstrip('.')}." if hint else "")


def pack_open_counts(tbcs: int, warnings: int) -> str:
    return f"{plural(tbcs, 'value')} to be confirmed, {plural(warnings, 'warning')}"


def pack_left_out_unknown() -> str:
    return "The plan could not be read."


def pack_framework_item(item_id: str, title: str | None, label: str | None = None) -> str:
    """A framework item as a column heading: 'Outcome 1: Give Every Child...', its title, 'Outcome 3
    (title not given)', or 'jhws-o2 (title not given)' where the pack gives neither."""
    title = " ".join(title.split()) if title else None
    label = " ".join(label.split()) if label else None
    if label and title:
        return f"{label}: {title}"
    return title or f"{label or item_id} (title not given)"


def pack_not_mapped(framework_title: str, drivers: list[str]) -> str:
    """Said once for a plan with no such framework, naming the driver that mentions it if any."""
    text = f"The plan does not map its work to the {framework_title}"
    if drivers:
        named = and_list([f"\u201c{' '.join(d.split())}\u201d" for d in drivers])
        return f"{text}; it names it among what it responds to ({named})."
    return f"{text}."


_ALIGNED_NOUNS = {"domain": ("programme", "programmes"), "action": ("action", "actions"),
                  "indicator": ("indicator", "indicators"), "bcf_metric": ("BCF metric", "BCF metrics")}


def pack_aligned_counts(kinds: list[str]) -> str:
    """'3 actions, 1 indicator'."""
    out = []
    for kind in _ALIGNED_NOUNS:
        n = kinds.count(kind)
        if n:
            out.append(plural(n, *_ALIGNED_NOUNS[kind]))
    return ", ".join(out)


def pack_aligned_ids(pairs: list[tuple[str, str]]) -> str:
    """'Actions UC-01, UC-03; indicator KPI-X'."""
    out = []
    for kind in _ALIGNED_NOUNS:
        ids = [i for k, i in pairs if k == kind]
        if ids:
            out.append(f"{_ALIGNED_NOUNS[kind][0 if len(ids) == 1 else 1]} {', '.join(ids)}")
    return sentence("; ".join(out))


def pack_matrix_caption(title: str) -> str:
    return f"Alignment with the {title}"


def pack_matrix_note(note: str | None) -> str:
    text = ("Each cell: what the plan aligns to the item (its programmes, actions, indicators and BCF metrics); "
            f"\u201c{PACK_GAP}\u201d is a gap.")
    return f"{text} {' '.join(note.split())}" if note else text


def pack_figure(value_text: str, period_words: str) -> str:
    """A figure with its period: '92.1% (2013/14)'."""
    if not value_text:
        return NOT_STATED
    return f"{value_text} ({period_words})" if period_words else value_text


def pack_benchmark(indicator, bench) -> str:
    """'England 95.1%, county 94.0% (2013/14)'; 'rank 120 of 211'."""
    parts = []
    for name in ("national", "regional", "county", "median"):
        v = getattr(bench, name)
        if v is not None:
            parts.append(f"{BENCHMARK_FIELD_LABELS[name]} {indicator_value(indicator, v)}")
    if bench.rank:
        parts.append(rank(*bench.rank))
    when = bench.period.words if bench.period is not None else bench.period_text
    return sentence(", ".join(parts)) + (f" ({when})" if when and parts else "") if parts else NOT_STATED


def pack_named_indicator(title: str) -> str:
    """An indicator the pack file names for a plan (no national code in the plan)."""
    return f"{title} (named by the pack)"


def pack_no_indicator_id(indicator_id: str) -> str:
    """The pack names an indicator id the plan does not have."""
    return f"No indicator {indicator_id} in the plan"


def pack_no_code(code: str) -> str:
    """Where a plan carries no indicator with a measure's national code."""
    return f"No indicator with code {' '.join(str(code).split())}"


def pack_measure_caption(title: str, code: str) -> str:
    return f"{title} [{code}]"


def pack_measure_note(note: str | None, national: str | None, county: str | None) -> str:
    parts = [" ".join(note.split())] if note else []
    if national:
        parts.append(f"England: {' '.join(national.split())}.")
    if county:
        parts.append(f"County: {' '.join(county.split())}.")
    parts.append("Plans matched by the indicator's national code, or, where a plan's indicators carry no code, by "
                 "the indicator the pack names (marked \u201cnamed by the pack\u201d); \u201cNot stated\u201d: the "
                 "plan has no such indicator, or gives no figure.")
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


def glossary_meaning(text: str) -> str:
    """A meaning as the glossary prints it: one line, starting with a capital."""
    return sentence(" ".join(str(text).split()))


def glossary_meanings(meanings: list[str]) -> str:
    """One term's meanings from several places: 'Integrated discharge team; also: Integrated discharge teams'."""
    return "; also: ".join(dict.fromkeys(meanings))


# --- what changed since (opgen.pack.changes) ---

def changes_not_asked() -> str:
    return "Changes not shown: the pack does not ask what changed since an earlier version."


def changes_unknown(reason: str) -> str:
    return f"Changes not shown: {str(reason).rstrip('.')}."


def no_version_by(relpath: str, day: str) -> str:
    return f"git has no version of {relpath} on or before {day}"


def changes_since_revision(rev: str, short: str, when: str) -> str:
    """'Changes since v1.0 (commit abc1234 of 12 February 2015)'."""
    return f"Changes since {rev} (commit {short} of {when})"


def changes_since_date(day: str, short: str, when: str) -> str:
    """'Changes since 1 February 2015 (the version committed on 28 January 2015, abc1234)'."""
    return f"Changes since {day} (the version committed on {when}, {short})"


def invalid_at(relpath: str, since: str, errors: int) -> str:
    return (f"the version of {relpath} at {since} is not a valid plan ({plural(errors, 'error')}), so it "
            "cannot be compared")


def invalid_now(relpath: str, errors: int) -> str:
    return f"{relpath} is not a valid plan now ({plural(errors, 'error')})"


def change_line(kind_label: str, subject: str, field: str, was: str, now: str, extra: str) -> str:
    """One change in words: "Worsened: Action UC-03 ‘Falls service’: RAG: Amber → Red (note)"."""
    text = sentence(kind_label)
    for part in (subject, field):
        if part:
            text += f": {part}"
    body = f"{was} \u2192 {now}" if was and now else (now or was)
    if body:
        text += f": {body}"
    return text + (f" ({extra})" if extra else "")
# --- a pack's plans left out (opgen pack) -----------------------------------------------------------

LEFT_OUT_SHOWN = 3  # located problems a left-out plan's reason quotes; the rest are counted


def _located(d) -> str:
    where = f"{d.file}:{d.line}:{d.column}" if d.line else d.file
    return f"{where}: {d.message}"


def left_out_reason(diagnostics: list, *, strict: bool = False, problem: str | None = None) -> str:
    """Why a plan is left out of a pack, as the pack and the command print it: the first problems,
    located ("has 3 errors: plans/x.yaml:12:3: unknown key 'titel' in plan; ..."), or what stopped
    it being read or built (`problem`)."""
    if problem:
        return problem
    from opgen.diagnostics import ERROR, grouped

    errors = [d for d in grouped(diagnostics) if d.severity == ERROR]
    if not errors and strict:
        warnings = [d for d in grouped(diagnostics) if d.severity == WARNING]
        count = sum(d.count for d in warnings)
        lead = f"has {count} warning{'s' * (count != 1)} and the pack is built with --strict"
        shown = warnings
    else:
        count = sum(d.count for d in errors)
        if len(errors) == 1 and not errors[0].line:  # the file could not be read at all
            return f"cannot be read: {errors[0].message}"
        lead = f"has {count} error{'s' * (count != 1)}"
        shown = errors
    text = f"{lead}: " + "; ".join(_located(d) for d in shown[:LEFT_OUT_SHOWN])
    rest = sum(d.count for d in shown[LEFT_OUT_SHOWN:])
    return text + (f"; and {rest} more" if rest else "")


def pop_not_built(error: str) -> str:
    """Why a plan is left out of a pack when its plan on a page could not be built."""
    return f"its plan on a page could not be built ({error})"
# --- quarterly returns (opgen return export / import) -----------------------------------------
# The words a programme lead reads in a return workbook, and the start of every problem the import
# reports ("Q2 return from J Smith").

RETURN_SHEET_TITLES = {"Actions": "Actions", "Milestones": "Milestones", "QIPP": "QIPP schemes",
                       "Risks": "Risks", "Indicators": "Indicators"}
RETURN_NO_LEAD = "no named lead"
RETURN_LAST = "last reported"
MILESTONE_STATUS_WORDS = {"not_started": "not started", "in_progress": "in progress", "complete": "complete",
                          "at_risk": "at risk", "missed": "missed"}


def return_name(quarter: Quarter, who: str | None, by: str = "lead") -> str:
    """'Q2 return from J Smith' (by lead) or 'Q2 return for Out of Hospital Care' (by domain)."""
    if by == "domain":
        return f"Q{quarter.number} return for {who or PLAN_WIDE}"
    return f"Q{quarter.number} return from {who or RETURN_NO_LEAD}"


def return_title(quarter: Quarter, who: str | None, by: str, organisation: str) -> str:
    """The first line of every sheet: whose return, for which quarter, of which plan."""
    whom = f"from {who or RETURN_NO_LEAD}" if by == "lead" else f"for {who or PLAN_WIDE}"
    return f"{organisation}: quarterly return {whom}, {quarter.label} ({quarter_span(quarter)})"


def risk_position_text(likelihood: int | None, impact: int | None) -> str:
    """'3 x 4 = 12': a risk's likelihood, impact and score."""
    if likelihood is None or impact is None:
        return ""
    return f"{likelihood} \u00d7 {impact} = {likelihood * impact}"


def choices(words) -> str:
    """'red, amber, green, blue or grey'."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def return_how_to(quarter: Quarter, previous: Quarter | None, plan_title: str, version: str, as_at: str) -> list[str]:
    """The 'How to fill in' sheet, one paragraph a line."""
    last = f"{previous.label}" if previous else "the last quarter"
    return [
        f"This is your quarterly return for {quarter.label} ({quarter_span(quarter)}), from {plan_title} "
        f"(version {version or NOT_STATED}, as at {as_at or NOT_STATED}).",
        "Fill in the white cells only. Grey cells show what the plan says now and what was reported for "
        f"{last}; they are locked.",
        "Leave a cell blank if you have nothing new to report: a blank cell changes nothing in the plan.",
        "RAG: choose red, amber, green, blue (complete) or grey (not started) from the list. "
        "For red or amber, say in 'Path to green' what will bring the action back to green, and by when.",
        "Milestone status: choose not started, in progress, complete, at risk or missed. "
        "Forecast date: type a date (for example 31/12/2015) if the milestone is now expected at another date.",
        "QIPP: the forecast is the savings you now expect for the whole financial year, in the unit the "
        "column header names (a number, no £ sign); confidence is red, amber or green.",
        "Risks: likelihood and impact are whole numbers from 1 to 5 (1 rare or negligible, 5 almost certain "
        "or catastrophic); give both. Say what was done about the risk this quarter in 'Mitigation update'.",
        "Indicators: type the actual for the quarter as a number, in the unit shown.",
        "Do not add, delete, move or merge rows or sheets, and do not type formulas: the return is read "
        "back cell by cell and would be refused.",
        "Save the file as an Excel workbook (.xlsx), without a password, and send it back. "
        "It is imported with: opgen return import PLAN FILE.",
    ]


# --- highlight report and trends (issue 11, points 3 and 4) ----------------------------------------

HIGHLIGHT_TITLE = "Highlight report"
TRENDS_TITLE = "Trends across quarters"
RAG_NOW = "RAG now"
RAG_LAST = "Last quarter"
RAG_MOVE = "Change"
PATH_TO_GREEN = "Path to green"
COMMENTARY = "Commentary"
NO_PATH_TO_GREEN = "No path to green given for this quarter"
MILESTONES_DUE_NEXT = "Milestones due next quarter"
MILESTONES_SLIPPED = "Milestones slipped"
QIPP_FORECAST = "QIPP forecast against plan"
RISKS_ROSE = "Risks"
INDICATORS_TRAJECTORY = "Indicators against trajectory"
NOT_KNOWN = "Not known"
RAG_MOVES = {"worse": "Worse", "better": "Better", "same": "No change", "new": "First rating", "none": DASH}
PLAN_WIDE_PAGE = "Plan-wide items (not assigned to a domain)"
TRAJECTORY_VERDICTS = {"better": "Better than trajectory", "on": "On trajectory", "worse": "Behind trajectory",
                       "no_polarity": "Differs from trajectory (the plan does not say which way is better)",
                       "none": "No trajectory for this period"}


def highlight_subtitle(quarter: Quarter, previous: Quarter) -> str:
    """'As at 2015/16 Q2 (July to September 2015), against 2015/16 Q1'."""
    return f"As at {quarter.label} ({quarter_span(quarter)}), against {previous.label}"


def highlight_not_possible(has_as_at: bool, has_rag: bool, as_at_label: str) -> list[str]:
    """What a highlight report of a plan with no as-at quarter or no RAG says instead of an empty grid."""
    lines = []
    if not has_as_at:
        lines.append("This plan does not say which quarter it reports (plan.as_at), so there is no quarter "
                     "to highlight.")
    if not has_rag:
        lines.append("No action in this plan has a RAG rating"
                     + (f" for any quarter up to {as_at_label}." if has_as_at and as_at_label else "."))
    lines.append("A highlight report needs both: set plan.as_at to the quarter reported, and record each "
                 "action's RAG for it (by hand, or with opgen return import).")
    return lines


def rag_counts_line(counts: dict[str, int], quarter_label: str) -> str:
    """'3 red, 2 amber, 5 green in 2015/16 Q2; 1 not reported'."""
    parts = [f"{n} {RAG_LABELS.get(k, k).lower()}" for k, n in counts.items() if k != "none" and n]
    text = (", ".join(parts) or "None rated") + f" in {quarter_label}"
    return text + (f"; {counts['none']} not reported" if counts.get("none") else "")


def others_line(count: int) -> str:
    """Heads the list of actions rated green, complete or not started, which need no path to green."""
    return f"{plural(count, 'other action')} (no path to green needed)"


def slipped_reason(kind: str, due: str, forecast: str = "", status: str = "") -> str:
    """Why a milestone is listed as slipped: 'Forecast 2015/16 Q4, was due Dec 2015'."""
    if kind == "forecast":
        return f"Forecast {forecast}, was due {due}"
    if kind == "missed":
        return f"Reported missed (due {due})"
    return f"Due {due}; reported {status.lower() if status else 'not complete'}"


def risk_last_quarter_unknown(quarter_label: str) -> str:
    return (f"Whether risks rose since {quarter_label} is not known: the plan keeps no score for "
            f"{quarter_label} (record likelihood and impact in the risk's updates for each quarter).")


def risk_move(now: int | None, before: int | None) -> str:
    if now is None or before is None:
        return NOT_KNOWN
    if now > before:
        return f"Rose by {now - before}"
    if now < before:
        return f"Fell by {before - now}"
    return "No change"


def qipp_variance(shortfall: bool | None) -> str:
    if shortfall is None:
        return NOT_KNOWN
    return "Short of plan" if shortfall else "At or above plan"


def nothing_listed(what: str) -> str:
    """'None this quarter.' style line under an empty heading."""
    return f"No {what} this quarter."


def history_skipped(rev: str, day: str, why: str) -> str:
    return f"{rev} ({day}): skipped, the plan is not valid there: {why}"


def history_versions(count: int, skipped: int) -> str:
    text = f"{plural(count, 'version')} of the plan read from git"
    return text + (f"; {plural(skipped, 'invalid version')} skipped (named below)" if skipped else "")


def earlier_said(colour: str | None, rev: str) -> str:
    """What an earlier version said for a quarter where the latest differs: 'amber in 3f2a1bc'."""
    return f"{rag(colour)} in {rev}"


RAG_STRIP = "Each action's RAG by quarter"
RAG_STRIP_NOTE = ("Each cell is the latest version's RAG for the quarter (R red, A amber, G green, C complete, "
                  "NS not started, \u2013 not reported); * marks a quarter an earlier version rated differently, "
                  "named in the table.")
QIPP_TREND = "QIPP forecast by quarter"
NO_FORECASTS = "No QIPP scheme has reported a forecast yet."
RISK_TREND = "Risk scores over time"
INDICATOR_TREND = "Actuals against trajectory"
NO_TRENDS = "Nothing else to chart: no QIPP forecast, risk score or indicator trajectory is recorded yet."


def schemes_without_forecast(count: int) -> str:
    """Under the QIPP trend: the schemes left out of its table because they never reported a forecast."""
    return f"{plural(count, 'other scheme')} reported no forecast in any quarter." if count else ""


def risks_charted(charted: int, total: int) -> str:
    """Under the risk trend when the chart draws only the highest scored risks; the table has them all."""
    return "" if charted >= total else f"The chart draws the {charted} highest scored of {total} risks; the table lists all."


# --- the web editions (opgen/render/web.py) ----------------------------------------------------

WEB_SKIP_LINK = "Skip to main content"
WEB_TABLE = "Table"


def web_status_line(status: str, is_draft: bool, version: str | None) -> str:
    """The document's status as text at the top of a web edition (a watermark on paper)."""
    if is_draft:
        return f"DRAFT{f' (version {version})' if version else ''}: not yet approved."
    return f"Status: {status}{f', version {version}' if version else ''}."


def web_footer(org: str, title: str, status: str, version: str | None, date: str | None) -> str:
    parts = [org, title] + ([f"Version {version}"] if version else []) + [status] + ([date] if date else [])
    return " | ".join(p for p in parts if p)


def web_table_region(label: str, n: int = 1) -> str:
    """The name of a table's scrolling region; a second table under the same heading is numbered."""
    return f"{label} (table {n})" if n > 1 else f"{label} (table)"


def web_address(url: str) -> str:
    """A web address as a reader reads it (no scheme, no trailing slash): 'www.england.nhs.uk/ourwork'."""
    shown = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.I).rstrip("/")
    return shown


def web_landmark(label: str, context: str, n: int) -> str:
    """A repeated landmark's name told apart by the chapter it is in, else by its number."""
    return f"{label}: {context}" if context else f"{label} {n}"
_NUMBERED_HEADING = re.compile(r"(\d+(?:\.\d+)*)\s+(\S.*)")


def link_description(heading: str, page: int | None) -> str:
    """What a screen reader says for an internal link in a PDF: the heading it goes to, and its
    page ("Section 3: Urgent care, page 12"; "Appendix A: Glossary, page 40"; "Risk register")."""
    heading = " ".join(heading.split())
    numbered = _NUMBERED_HEADING.fullmatch(heading)
    if numbered:
        heading = f"Section {numbered.group(1)}: {numbered.group(2)}"
    return f"{heading}, page {page}" if page is not None else heading


_LINK_PAGE = re.compile(r"(.*), page \d+")


def link_repaged(description: str, page: int) -> str:
    """A link_description with its page put right ("Section 3: Urgent care, page 14")."""
    found = _LINK_PAGE.fullmatch(description)
    return f"{found.group(1)}, page {page}" if found else description
