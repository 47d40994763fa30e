"""The Better Care Fund's version 2 tables, as data both papers print: schemes grouped by national
heading with funding ranges, contributions by organisation, and risks with gross, current and target
scores. Every text comes from opgen.display; the full plan's HTML (render/html.py) and the Word annex
(render/docx/annex.py) lay the same rows out."""

from __future__ import annotations

from dataclasses import dataclass, field

from opgen import display
from opgen.figures import compare_stated
from opgen.model import Bcf, BcfScheme, Total


@dataclass(slots=True)
class SchemeRow:
    id: str
    title: str
    description: str
    cells: list[str]
    requirements: str = ""   # Markdown (display.bcf_requirements_md): what the scheme must deliver


@dataclass(slots=True)
class SchemeGroup:
    heading: str          # '' for the one group of an ungrouped table
    rows: list[SchemeRow] = field(default_factory=list)


@dataclass(slots=True)
class SchemesTable:
    years: list[str]
    unit: str             # the unit in the year headers; '' where cells carry the money wording
    grouped: bool         # by national heading; a table of schemes without headings has one group
    groups: list[SchemeGroup]
    totals: list[str]
    stated: list[str] | None      # the stated totals row, where the plan states any
    flags: list[str]              # per year: the mark beside a stated total validate warns about
    notes: list[str]


def _ranged(b: Bcf) -> bool:
    """Funding given as ranges or with its recurrence: cells then carry the plan's money wording."""
    return any(s.funding_min or s.recurrent for s in b.schemes)


def _grouped(b: Bcf) -> bool:
    return any(s.heading for s in b.schemes)


def _order(b: Bcf) -> list[tuple[str, list[BcfScheme]]]:
    """Schemes by heading: the national headings in their fixed order, then free-text headings in
    first-seen order, then schemes with none."""
    keys = list(display.BCF_HEADINGS)
    groups: dict[str, list[BcfScheme]] = {}
    for s in b.schemes:
        groups.setdefault(s.heading or "", []).append(s)
    def rank(key: str) -> tuple:
        if key in keys:
            return (0, keys.index(key))
        return (2, 0) if key == "" else (1, list(groups).index(key))
    return sorted(groups.items(), key=lambda kv: rank(kv[0]))


def _money(v, unit) -> str:
    return unit.short(v.number) if unit is not None and v is not None and v.is_number else display.value(v)


def v2(b: Bcf) -> bool:
    """The BCF uses what version 2 adds (headings to group by, ranges, stated totals, contributions,
    risks): its schemes table is then laid out by heading; a version 1 BCF keeps its one table."""
    return bool(_ranged(b) or b.stated_totals or b.contributions or b.risks
                or any(s.heading in display.BCF_HEADINGS or s.requirements for s in b.schemes))


def schemes_table(b: Bcf) -> SchemesTable | None:
    if not b.schemes:
        return None
    years = b.years
    ranged = _ranged(b)
    unit = b.unit if ranged else None
    grouped = _grouped(b)

    def row(s: BcfScheme) -> SchemeRow:
        return SchemeRow(s.id, s.title, s.description or "", [display.bcf_funding(s, y, unit) for y in years],
                         display.bcf_requirements_md(s.requirements))

    if grouped:
        groups = [SchemeGroup(display.bcf_heading(key) or display.BCF_NO_HEADING, [row(s) for s in schemes])
                  for key, schemes in _order(b)]
    else:
        groups = [SchemeGroup("", [row(s) for s in b.schemes])]
    # no scheme has any funding: no Total row of dashes
    totals = ([display.bcf_funding_total(b.funding_min_total(y), b.funding_total(y), unit) for y in years]
              if funded(b) else [])
    stated = flags = None
    if b.stated_totals:
        stated = [_money(b.stated_totals.get(y), unit) for y in years]
        flags = []
        for y in years:
            against = b.stated_sum(y) if y in b.stated_totals else None
            diff = compare_stated(b.stated_totals.get(y), against) if against is not None else None
            flags.append(display.stated_flag(diff) if diff is not None else "")
    notes = []
    if ranged and b.has_ranges:
        notes.append(display.BCF_RANGES_NOTE)
    sums: list[Total] = [b.funding_total(y) for y in years] + [b.funding_min_total(y) for y in years]
    if note := display.incomplete_note(sums):
        notes.append(note)
    return SchemesTable([y.label for y in years], "" if ranged else b.unit.header, grouped, groups, totals,
                        stated, flags or [], notes)


@dataclass(slots=True)
class ContributionsTable:
    years: list[str]
    unit: str
    columns: list[tuple[str, str]]     # (year, 'Minimum' | 'Actual')
    rows: list[dict]                   # id, organisation, pool ('' or the words), note, cells
    totals: list[str]
    notes: list[str]


def contributions_table(b: Bcf) -> ContributionsTable | None:
    if not b.contributions:
        return None
    years = [y for y in b.years if any(y in c.minimum or y in c.actual for c in b.contributions)]
    columns = [(y, name) for y in years for name in ("minimum", "actual")
               if any(y in getattr(c, name) for c in b.contributions)]
    rows = [{"id": c.id, "organisation": c.organisation, "pool": display.BCF_HOLDS_POOL if c.holds_pool else "",
             "note": c.note or "", "cells": [display.value(getattr(c, name).get(y)) for y, name in columns]}
            for c in b.contributions]
    sums = [b.contribution_total(y, name) for y, name in columns]
    return ContributionsTable([y.label for y in years], b.unit.header,
                              [(y.label, "Minimum" if name == "minimum" else "Actual") for y, name in columns],
                              rows, [display.total(t) for t in sums], [n for n in [display.incomplete_note(sums)] if n])


def funded(b: Bcf) -> bool:
    """Some scheme has an amount (or a range) for some year."""
    return any(s.funding or s.funding_min for s in b.schemes)


def _positions(b: Bcf) -> list[tuple[str, str]]:
    """(column, attribute) of the scores some risk has: gross, current, target."""
    return [(label, name) for label, name in zip(display.BCF_RISK_COLUMNS, ("gross", "current", "target"))
            if any(getattr(r, name) is not None for r in b.risks)]


def _rated(b: Bcf) -> bool:
    """Some risk is rated in a word (`rating: high`) without a current score to give its band."""
    return any(r.rating and r.current is None for r in b.risks)


def risk_columns(b: Bcf) -> list[str]:
    """The risks table's rating columns, in the order of each row's `scores`: the scores the plan gives
    (no column of dashes), then the stated rating where a risk has one without a current score."""
    columns = [label for label, _ in _positions(b)]
    if _rated(b) or not columns:
        columns.append(display.BCF_RISK_RATING)
    return columns


def risks_table(b: Bcf) -> list[dict] | None:
    if not b.risks:
        return None
    positions = _positions(b)
    rating = _rated(b) or not positions

    def scores(r) -> list[str]:
        out = [display.bcf_risk_score(r, getattr(r, name)) for _, name in positions]
        if rating:
            out.append(display.risk_rating(r.rating, r.rating_word) if r.rating else display.DASH)
        return out

    return [{"id": r.id, "title": r.title, "description": r.description or "", "owner": r.owner or "",
             "mitigation": r.mitigation or "", "closed": not r.is_open, "scores": scores(r)}
            for r in b.risks]
