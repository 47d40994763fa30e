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
NO_RAG_YET = "No RAG reported yet"
RATED_ONLY = "Rated only"
NOT_SCORED = "Not scored"

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
    "MILESTONE_LABELS", "item_in_words", "item_index", "heat_map_caption", "risks_rated_only_note", "risks_without_scores", "rag_summary", "risks_unrated_note", "NO_RAG_YET", "RATED_ONLY", "NOT_SCORED", "no_rag_yet", "value", "total", "net", "money", "percent", "difference", "stated_flag",
    "long_date", "date_text", "quarter_span", "rag", "band", "confidence", "status", "milestone_status",
    "position", "band_ranges", "likelihood_impact", "score", "plural", "version", "domain", "sentence", "indicator_value",
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

def no_rag_yet(as_at_label: str) -> str:
    """The one line an action with no quarter rated gets instead of an empty Q1-Q4 grid."""
    return f"{NO_RAG_YET} for any quarter (status as at {as_at_label})."


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
            title = " ".join(str(getattr(item, "title", "") or "").split())
            head = f"{sentence(id_list.label)} {item.id}" + (f" \u2018{title}\u2019" if title else "")
            rest = _field_words(path[cut:])
            return f"{head}, {rest}" if rest else head
    section = SECTION_WORDS.get(str(path[0]), sentence(str(path[0]).replace("_", " ")))
    rest = _field_words(path[1:])
    return f"{section} {rest}" if rest else section


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
    return TBC if str(text).strip().lower() == "tbc" else str(text)


def sentence(text: str) -> str:
    text = str(text or "").strip()
    return text[:1].upper() + text[1:] if text else ""
