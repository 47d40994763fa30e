"""Every text the diff and its reports build for a figure, a total, a date, a RAG, a milestone
status or a count, in one place.

Each figure, total, date and label text comes from the shared display layer (opgen/display.py), so
a figure reads the same in the diff as in the PDF and the Word annex; what is the diff's own is only
the word for "nothing there" on one side of a change ("none").
"""

from __future__ import annotations

from decimal import Decimal

from opgen import display
from opgen.model import MoneyUnit, Total, Value
from opgen.richtext import to_plain
from opgen.periods import PeriodError, When

DASH = display.DASH  # an absent value
ABSENT = "none"      # one side of a change had nothing
NO_POLARITY = "polarity not stated, so not judged better or worse"


def plural(n: int, word: str, plural: str | None = None) -> str:
    """'1 change', '3 changes', '1,000 changes'."""
    return display.plural(n, word, plural)


def number(amount: Decimal) -> str:
    """A plain figure (an indicator's difference): '1,234.5'."""
    return display.difference(amount)


def money(unit: MoneyUnit, amount: "Decimal | Total") -> str:
    """An amount of money in the plan's unit, short form: '£412k'; a total that leaves out a TBC
    '£412k + TBC', one of nothing but TBCs 'TBC'."""
    return display.money(amount, unit)


def money_header(unit: MoneyUnit) -> str:
    """A money unit as a column or totals header: '£000'."""
    return unit.header


def value(v: Value | None) -> str:
    """A figure that may be TBC or n/a, or absent (a dash)."""
    return display.value(v)


def total(t: Total) -> str:
    """A derived total (TBC aware): a dash for nothing, 'TBC' for only TBCs, '1,234 + TBC'."""
    return display.total(t)


def parse_date(raw) -> When | None:
    """An action's or milestone's date from its YAML value (a plan date, ongoing, {throughout: ...},
    {from: ..., to: ...}), or None (absent, TBC or not a date)."""
    if raw is None or raw == "" or raw == "tbc":
        return None
    try:
        return When.parse(raw)
    except (PeriodError, TypeError):
        return None


def date_source(raw) -> str | None:
    """A date as the plan writes it, one line ('2015/16 Q4', 'ongoing', '{throughout: "2014/15"}'),
    for the JSON record of a change; None when absent."""
    if raw is None or raw == "":
        return None
    parsed = parse_date(raw) if isinstance(raw, dict) else None
    return parsed.text if parsed else str(raw)


def date(raw) -> str:
    """A date as the other outputs show it ('Mar 2015', 'Ongoing', 'Throughout 2014/15', 'TBC'), or
    'none'."""
    if raw is None or raw == "":
        return ABSENT
    return display.date_text(parse_date(raw), raw)


def rag(colour: str | None) -> str:
    """A RAG colour as its label ('Complete' for blue), or 'none'."""
    return display.rag(colour) if colour in display.RAG_LABELS else ABSENT


def rag_or(colour: str | None, default: str) -> str:
    """A RAG colour as its label, or `default` for an unknown or absent colour."""
    return display.rag(colour) if colour in display.RAG_LABELS else default


def milestone_status(status: str | None, default: str = ABSENT) -> str:
    """A milestone status as its label ('At risk'), or `default`."""
    return display.milestone_status(status) or default


def confidence(value: str | None) -> str:
    """A QIPP confidence as the other outputs show it ('Medium to high', 'TBC'), or 'none'."""
    return display.confidence(value) if value else ABSENT


def see(plan, ids: list[str]) -> str | None:
    """Cross-references with their titles, as the papers show them: 'PC-02 Extended GP access; R-02 ...'."""
    if not ids:
        return None
    items = plan.items_by_id()
    return "; ".join(f"{i} {items.get(i, ('', ''))[1]}".strip() for i in ids)


def action_ref(plan, action_id: str | None) -> str | None:
    """An action by id and title: 'UC-01 Urgent care redesign'."""
    if not action_id:
        return None
    a = plan.action(action_id)
    return f"{action_id} {a.title}" if a else action_id


def contact(c) -> str:
    return display.contact_line(c.name, c.role, c.organisation, c.email, c.phone)


def approval(a) -> str:
    return "; ".join(x for x in (display.month_or_date(a.date), display.decision(a.decision) if a.decision else "",
                                 a.note or "") if x)


def assessments(items: list) -> str | None:
    """An indicator's qualitative assessments in words: 'Above target (2014/15): note; Worsening', or None."""
    if not items:
        return None
    # in period order (then words), so listing the same assessments in another order is no change
    ordered = sorted(items, key=lambda a: ((a.period.first_day, a.period.last_day) if a.period else (), a.status,
                                           a.note or ""))
    return "; ".join(display.assessment(a) + (f": {to_plain(a.note)}" if a.note else "") for a in ordered)


def driver(d) -> str:
    """'Five Year Forward View (national): note'."""
    kind = display.driver_kind(d.kind)
    head = f"{d.title} ({kind.lower()})" if kind else d.title
    return f"{head}: {to_plain(d.note)}" if d.note else head
