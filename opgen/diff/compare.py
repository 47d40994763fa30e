"""Generic comparers: two versions of a value, a text, a date, a figure, a money map or a list of
items matched by id, turned into Change records on a Comparer (the changes, totals and covered keys
of one diff being filled). The per-section rules in sections.py are built from these.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Any, Callable

from opgen.diff import texts
from opgen.diff.changes import Change, TotalChange, json_number
from opgen.ids import MoneyField
from opgen.model import RAG_ORDER, MoneyUnit, Plan, Total, Value
from opgen.richtext import to_plain

MONEY_SCALE = {"gbp": Decimal(1), "gbp_thousands": Decimal(1000), "gbp_millions": Decimal(1_000_000)}


def norm(text: Any) -> str:
    return " ".join(str(text).split()) if text is not None else ""



def value_json(value: Value | None):
    if value is None:
        return None
    if value.kind == "tbc":
        return "tbc"
    if value.kind == "na":
        return "n/a"
    if value.kind == "not_stated":
        return "not_stated"
    if value.kind == "relative":  # maintain, or as another indicator's target
        return value.as_json()
    return json_number(value.number)


def same_value(a: Value | None, b: Value | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.kind == b.kind and a.number == b.number



def word_diff(old: str | None, new: str | None) -> tuple:
    """Word-level diff of the plain text of two Markdown strings: ((op, text), ...)."""
    a, b = to_plain(old).split(), to_plain(new).split()
    ops: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", " ".join(b[j1:j2])))
    return tuple(ops)


def rag_movement(old: str | None, new: str | None) -> tuple[str, str | None] | None:
    """(kind, direction) for a RAG that went from `old` to `new` (None = not reported)."""
    if old == new:
        return None
    if new is None:
        return "removed", None
    if old is None or old == "grey":
        return "newly-reported", None
    if new == "grey":
        return "changed", None
    if new == "blue":
        return "completed", "improved"
    if RAG_ORDER[new] < RAG_ORDER[old]:
        return "worsened", "worsened"
    return "improved", "improved"



def rescale(value: Value | None, factor: Decimal) -> Value | None:
    if value is None or factor == 1 or not value.is_number:
        return value
    return Value("number", (value.number * factor).normalize())


def scale_total(total: Total, factor: Decimal) -> Total:
    return total if factor == 1 else Total(total.value * factor, total.incomplete, total.parts, total.unstated_only)


def same_total(a: Total | None, b: Total | None) -> bool:
    if a is None or b is None:
        return (a is None or (not a.parts and not a.incomplete)) and (b is None or (not b.parts and not b.incomplete))
    return a.value == b.value and a.incomplete == b.incomplete



class Comparer:
    """The diff being filled: its changes, the derived totals that moved, and the keys the changes
    cover (so the TBC inventory does not report a TBC a change already shows)."""

    def __init__(self, old: Plan, new: Plan):
        self.old, self.new = old, new
        self.out: list[Change] = []
        self.covered: set[tuple] = set()
        self.totals: list[TotalChange] = []

    # recording

    def add(self, section: str, kind: str, id: str | None = None, field: str | None = None, *,
            key: tuple = (), **values) -> Change:
        change = Change(section, kind, id, field, key=key, **values)
        self.out.append(change)
        if key:
            self.covered.add(key)
        return change

    def cover(self, key: tuple) -> None:
        self.covered.add(key)

    # generic comparers

    def items(self, section: str, old_items: list, new_items: list, *, describe: Callable[[Any], str],
              compare: Callable[[Any, Any], None], id_of=lambda x: x.id, title_of=lambda x: x.title,
              value_of=lambda x: None) -> None:
        """Match two lists by id: report removed and added items (with an id-change hint when a
        removed and an added item share a title), then compare the items in both."""
        old_by = {id_of(x): x for x in old_items}
        new_by = {id_of(x): x for x in new_items}
        removed = [x for k, x in old_by.items() if k not in new_by]
        added = [x for k, x in new_by.items() if k not in old_by]
        renamed_to, renamed_from = self.id_changes(removed, added, id_of, title_of)
        for x in removed:
            note = f"id changed from {id_of(x)} to {renamed_to[id_of(x)]}?" if id_of(x) in renamed_to else ""
            self.add(section, "removed", id_of(x), None, old=value_of(x), title=title_of(x), detail=describe(x),
                     note=note, key=(id_of(x),))
        for x in added:
            note = f"id changed from {renamed_from[id_of(x)]} to {id_of(x)}?" if id_of(x) in renamed_from else ""
            self.add(section, "added", id_of(x), None, new=value_of(x), title=title_of(x), detail=describe(x),
                     note=note, key=(id_of(x),))
        for k, x in new_by.items():
            if k in old_by:
                compare(old_by[k], x)

    @staticmethod
    def id_changes(removed, added, id_of, title_of) -> tuple[dict, dict]:
        def titles(items):
            out: dict[str, list] = {}
            for x in items:
                out.setdefault(norm(title_of(x)).casefold(), []).append(x)
            return out
        gone, came = titles(removed), titles(added)
        to, frm = {}, {}
        for title, olds in gone.items():
            news = came.get(title, [])
            if title and len(olds) == 1 and len(news) == 1:
                to[id_of(olds[0])] = id_of(news[0])
                frm[id_of(news[0])] = id_of(olds[0])
        return to, frm

    def retitled(self, section: str, id: str, old: str, new: str) -> None:
        if norm(old) != norm(new):
            self.add(section, "retitled", id, "title", old=old, new=new, title=new, old_text=old, new_text=new,
                     key=(id, "title"))

    def field(self, section: str, id: str | None, name: str, old: Any, new: Any, *, title: str = "",
              show: Callable[[Any], str] = lambda v: str(v), kind: str = "changed", direction: str | None = None,
              detail: str = "", key: tuple = ()) -> None:
        """A short field (lead, owner, provider, status): reported with both values."""
        if norm(old) == norm(new) and (old is None) == (new is None):
            return
        if old in (None, "") and new in (None, ""):
            return
        self.add(section, kind, id, name, old=old, new=new, direction=direction, title=title,
                 old_text=show(old) if old not in (None, "") else "none",
                 new_text=show(new) if new not in (None, "") else "none", detail=detail,
                 key=key or ((id, name) if id else (section, name)))

    def text(self, section: str, id: str | None, name: str, old: str | None, new: str | None, *,
             title: str = "") -> None:
        """Rich text: whitespace-insensitive; shown as a word-level diff."""
        if norm(old) == norm(new):
            return
        words = word_diff(old, new)
        if not old:
            detail = "added"
        elif not new:
            detail = "removed"
        elif to_plain(old) == to_plain(new):
            detail = "formatting only"
        else:
            detail = ""
        self.add(section, "changed", id, name, old=old, new=new, title=title, detail=detail, words=words,
                 key=(id, name) if id else (section, name))

    def date(self, section: str, id: str, name: str, old_raw, new_raw, *, title: str = "") -> None:
        """A start or due date in any form (a plan date, ongoing, throughout a year, a span, tbc):
        slippage is measured on the last day each covers; to or from ongoing is a change in words."""
        old_text, new_text = texts.date_source(old_raw), texts.date_source(new_raw)
        if old_text == new_text:
            return
        od, nd = texts.parse_date(old_raw), texts.parse_date(new_raw)
        direction, detail = None, ""
        if new_text == "tbc":
            kind = "date-now-tbc"
        elif nd is not None and od is None:
            kind = "date-set"
        elif nd is None:
            kind = "date-cleared"
        elif od.end is None or nd.end is None:
            kind = "changed"  # to or from ongoing: no days to count; the two dates in words say it
        else:
            days = (nd.end - od.end).days
            if days == 0:
                kind, detail = "date-restated", "same end date"
            else:
                kind = "slipped" if days > 0 else "brought-forward"
                direction = "later" if days > 0 else "earlier"
                detail = f"{'slipped' if days > 0 else 'brought forward'} {texts.plural(abs(days), 'day')}"
                if od.precision in ("quarter", "year") and nd.precision in ("quarter", "year"):
                    quarters = abs(nd.quarter.index - od.quarter.index)
                    detail += f", {texts.plural(quarters, 'quarter')}"
                elif od.precision == "month" and nd.precision == "month":
                    months = abs((nd.end.year * 12 + nd.end.month) - (od.end.year * 12 + od.end.month))
                    detail += f", {texts.plural(months, 'month')}"
        self.add(section, kind, id, name, old=old_text, new=new_text, direction=direction, title=title,
                 old_text=texts.date(old_raw), new_text=texts.date(new_raw), detail=detail,
                 key=(id, name))

    def value(self, section: str, id: str | None, name: str, old: Value | None, new: Value | None, *,
              key: tuple, title: str = "", show: Callable[[Value | None], str] | None = None,
              money: MoneyUnit | None = None, polarity: str | None = None, target: bool = False,
              first_kind: str = "set", compare_to: tuple[str, Value] | None = None,
              unjudged: str = "") -> Change | None:
        """A figure that may be TBC or n/a. Money says up/down with the amount in the plan's unit;
        an indicator (polarity) says better/worse, or for a target more/less ambitious. `unjudged`
        (an indicator whose polarity the plan does not state) makes a move in a figure plainly
        "changed", with that reason, never better, worse, more or less ambitious."""
        if same_value(old, new):
            return None
        show = show or texts.value
        direction, detail = None, ""
        if old is None:
            kind = "tbc-introduced" if new.is_tbc else first_kind
        elif new is None:
            kind = "cleared"
        elif new.is_tbc:
            kind = "tbc-introduced"
        elif old.is_tbc:
            kind = "tbc-resolved"
        elif old.is_number and new.is_number:
            up = new.number > old.number
            kind = "increased" if up else "decreased"
            direction = "up" if up else "down"
            diff = abs(new.number - old.number)
            if money:
                detail = f"{'up' if up else 'down'} {texts.money(money, diff)}"
            else:
                detail = f"{'up' if up else 'down'} {texts.number(diff)}"
        else:
            kind = "changed"
        if unjudged and kind in ("increased", "decreased"):
            kind, direction, detail = "changed", None, f"{detail}; {unjudged}"
        if polarity and old is not None and old.is_number and new is not None and new.is_number:
            better = (new.number > old.number) == (polarity == "higher_is_better")
            if target:
                direction = "more-ambitious" if better else "less-ambitious"
                detail += f", {'more' if better else 'less'} ambitious"
            else:
                direction = "better" if better else "worse"
                detail += f", {'better' if better else 'worse'}"
        elif polarity and compare_to and new is not None and new.is_number and compare_to[1].is_number:
            label, reference = compare_to
            if new.number != reference.number:
                better = (new.number > reference.number) == (polarity == "higher_is_better")
                direction = "better" if better else "worse"
                detail = f"{'better' if better else 'worse'} than {label}, {show(reference)}"
            else:
                detail = f"the same as {label}"
        return self.add(section, kind, id, name, old=value_json(old), new=value_json(new), direction=direction,
                        title=title, old_text=show(old), new_text=show(new), detail=detail, key=key)

    def rag_like(self, section: str, id: str, name: str, old: str | None, new: str | None, *, title: str) -> None:
        """A confidence rating (RAG scale, no 'completed')."""
        if old == new:
            return
        if old is None:
            kind, direction = ("tbc-introduced" if new == "tbc" else "set"), None
        elif new is None:
            kind, direction = "cleared", None
        elif new == "tbc":
            kind, direction = "tbc-introduced", None
        elif old == "tbc":
            kind, direction = "tbc-resolved", None
        elif "grey" in (old, new) or old not in RAG_ORDER or new not in RAG_ORDER:
            kind, direction = "changed", None
        elif RAG_ORDER[new] < RAG_ORDER[old]:
            kind, direction = "worsened", "worsened"
        else:
            kind, direction = "improved", "improved"
        self.add(section, kind, id, name, old=old, new=new, direction=direction, title=title,
                 old_text=texts.confidence(old), new_text=texts.confidence(new), key=(id, name))

    def money_map(self, section: str, id: str | None, name: str, old: dict, new: dict, *, key_prefix: tuple,
                  unit: MoneyUnit, factor: Decimal = Decimal(1), title: str = "") -> None:
        years = sorted(set(old) | set(new))
        for year in years:
            o, n = rescale(old.get(year), factor), new.get(year)
            self.value(section, id, f"{name} {year.label}", o, n, key=key_prefix + (year.label,), title=title,
                       money=unit, show=texts.value)

    def year_totals(self, section: str, old, new, totals: tuple, unit, factor: Decimal) -> None:
        """Each (label, method) total per year, old (in the new unit) against new, where it moved."""
        years = sorted(set(old.years if old else []) | set(new.years if new else []))
        for year in years:
            for label, method in totals:
                before = scale_total(getattr(old, method)(year), factor) if old else None
                after = getattr(new, method)(year) if new else None
                if not same_total(before, after):
                    self.totals.append(TotalChange(section, label, year.label, before, after, unit))

    def unit_change(self, section: str, old, new) -> tuple:
        """The section's money unit and the factor that converts old figures into it (reporting a
        change of unit once)."""
        unit = (new or old).unit
        if old and new and old.unit.key != new.unit.key:
            self.field(section, None, "unit", texts.money_header(old.unit), texts.money_header(new.unit),
                       detail="old figures converted to the new unit")
            return unit, MONEY_SCALE[old.unit.key] / MONEY_SCALE[new.unit.key]
        return unit, Decimal(1)

    def moved_domain(self, section: str, o, n) -> None:
        """An item (action, QIPP scheme, risk, indicator) now in another domain."""
        if o.domain_id != n.domain_id:
            self.add(section, "moved", n.id, "domain", old=o.domain_id, new=n.domain_id, title=n.title,
                     old_text=self.old.domain_title(o.domain_id) or "none",
                     new_text=self.new.domain_title(n.domain_id) or "none", key=(n.id, "domain"))

    def item_money(self, section: str, fields: tuple[MoneyField, ...], o, n, *, unit: MoneyUnit,
                   factor: Decimal) -> None:
        """An item's year-keyed money fields (opgen.ids.MONEY_FIELDS), each year a figure."""
        for f in fields:
            self.money_map(section, n.id, f.label, getattr(o, f.name), getattr(n, f.name),
                           key_prefix=(n.id, f.name), unit=unit, factor=factor, title=n.title)

    def section_money(self, section: str, fields: tuple[MoneyField, ...], old, new, *, unit: MoneyUnit,
                      factor: Decimal) -> None:
        """A section's own year-keyed money fields (stated totals, surplus...), each year a figure."""
        for f in fields:
            self.money_map(section, None, f.label, getattr(old, f.name) if old else {},
                           getattr(new, f.name) if new else {}, key_prefix=(section, f.name), unit=unit,
                           factor=factor)
