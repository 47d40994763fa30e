"""What changed between two versions of a plan: a ChangeSet of typed Change records, grouped by
section, each change reported once, plus a one-line headline a board member can read aloud.

The comparison works on the model (opgen.model), never on YAML text or positions: every list item is
matched by its `id` (vision statements by their label, values and outcomes as sets), so reordering
lists, reformatting, reordering keys or editing comments yields no changes. Rich text is compared
with its whitespace normalised (re-wrapping a paragraph is not a change) and shown as a word-level
diff of its plain text.

Each change lives in exactly one section:

- a value that goes from or to TBC is reported where the value lives (a milestone's "date set", a
  QIPP saving's "TBC resolved"); the TBC inventory (ChangeSet.tbcs) lists which TBCs were resolved,
  introduced or are still open, and the `tbcs` section holds only TBC changes no other section shows;
- totals (QIPP, finance, BCF) are derived from the lines, so they are a summary (ChangeSet.totals),
  not changes of their own; a *stated* total the author edited is a change;
- an item added or removed carries what it contains (an added action's milestones and RAG are part
  of the addition, not separate changes);
- validation warnings are compared by code and message; TBC warnings are left to the TBC inventory.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any, Callable, Iterable

from opgen.diagnostics import Diagnostic, format_yaml_path
from opgen.model import (BAND_ORDER, MILESTONE_LABELS, RAG_LABELS, RAG_ORDER, Indicator, MoneyUnit, Plan,
                         Total, Value, format_decimal)
from opgen.periods import PeriodError, PlanDate, Quarter
from opgen.richtext import to_plain

SECTIONS: list[tuple[str, str]] = [
    ("metadata", "Plan details"),
    ("vision", "Vision"),
    ("domains", "Domains"),
    ("actions", "Actions"),
    ("rag", "RAG ratings"),
    ("milestones", "Milestones"),
    ("qipp", "QIPP"),
    ("risks", "Risks"),
    ("indicators", "Indicators"),
    ("finance", "Finance"),
    ("bcf", "Better Care Fund"),
    ("tbcs", "TBCs"),
    ("warnings", "Validation warnings"),
]
SECTION_TITLES = dict(SECTIONS)
SECTION_ORDER = {key: i for i, (key, _) in enumerate(SECTIONS)}

# Every kind a Change can have, in the order a section lists them, with its label for people.
KINDS: dict[str, str] = {
    "added": "added",
    "removed": "removed",
    "closed": "closed",
    "reopened": "reopened",
    "retitled": "retitled",
    "moved": "moved",
    "worsened": "worsened",
    "rose": "rose",
    "completed": "completed",
    "improved": "improved",
    "fell": "fell",
    "newly-reported": "newly reported",
    "reported": "reported",
    "slipped": "slipped",
    "brought-forward": "brought forward",
    "date-set": "date set",
    "date-now-tbc": "date now TBC",
    "date-cleared": "date removed",
    "date-restated": "date restated",
    "status-changed": "status changed",
    "increased": "increased",
    "decreased": "decreased",
    "tbc-resolved": "TBC resolved",
    "tbc-introduced": "now TBC",
    "set": "set",
    "cleared": "removed",
    "changed": "changed",
    "resolved": "resolved",
    "introduced": "introduced",
    "new": "new",
}
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

# Direction vocabulary (Change.direction): worsened | improved (RAG, confidence, milestone status,
# risks), later | earlier (dates, the as-at quarter), up | down (money and other figures),
# better | worse (indicator actuals and baselines, by polarity), more-ambitious | less-ambitious
# (indicator targets), or None where there is no direction (grey, text, a first report).

MONEY_SCALE = {"gbp": Decimal(1), "gbp_thousands": Decimal(1000), "gbp_millions": Decimal(1_000_000)}
MILESTONE_RANK = {"missed": 0, "at_risk": 1, "not_started": 2, "in_progress": 2, "complete": 3}
FIELD_ORDER = ["title", "domain", "action", "lead", "owner", "provider", "point_of_delivery", "status", "start",
               "due", "score", "rating", "gross", "target", "confidence"]


@dataclass(frozen=True, slots=True)
class Change:
    """One change. `old`/`new` are JSON-ready values (RAG colours, date text, numbers, 'tbc'),
    `old_text`/`new_text` their display form, `detail` a short phrase ("slipped 90 days (1 quarter)",
    "down £412k"), `words` a word-level diff of rich text as ((op, text), ...) with op '=', '-' or '+'."""

    section: str
    kind: str
    id: str | None = None
    field: str | None = None
    old: Any = None
    new: Any = None
    direction: str | None = None
    title: str = ""
    old_text: str = ""
    new_text: str = ""
    detail: str = ""
    note: str = ""
    words: tuple = ()
    key: tuple = dc_field(default=(), compare=False, repr=False)

    @property
    def ident(self) -> tuple:
        return (self.section, self.kind, self.id, self.field)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind.replace("-", " "))

    @property
    def field_label(self) -> str:
        return field_label(self.field)

    @property
    def subject(self) -> str:
        return " ".join(p for p in (self.id or "", self.title) if p)

    def as_json(self) -> dict:
        return {
            "section": self.section, "kind": self.kind, "id": self.id, "field": self.field,
            "old": self.old, "new": self.new, "direction": self.direction, "title": self.title,
            "old_text": self.old_text, "new_text": self.new_text, "detail": self.detail, "note": self.note,
            "words": [list(w) for w in self.words],
        }


@dataclass(frozen=True, slots=True)
class TotalChange:
    """A derived total that moved: QIPP savings/investment/net, finance and BCF totals, per year."""

    section: str
    label: str
    year: str
    old: Total | None
    new: Total | None
    unit: MoneyUnit

    @property
    def delta(self) -> Decimal:
        return (self.new.value if self.new else Decimal(0)) - (self.old.value if self.old else Decimal(0))

    @property
    def old_text(self) -> str:
        return self.old.display() if self.old and (self.old.parts or self.old.incomplete) else "\u2013"

    @property
    def new_text(self) -> str:
        return self.new.display() if self.new and (self.new.parts or self.new.incomplete) else "\u2013"

    @property
    def delta_text(self) -> str:
        d = self.delta
        if d == 0:
            return "no change in the confirmed figures" if self.incomplete else "no change"
        text = f"{'up' if d > 0 else 'down'} {self.unit.short(abs(d))}"
        return text + " (TBC values excluded)" if self.incomplete else text

    @property
    def incomplete(self) -> bool:
        return bool((self.old and self.old.incomplete) or (self.new and self.new.incomplete))

    def as_json(self) -> dict:
        def total(t: Total | None):
            return None if t is None else {"value": _num(t.value), "incomplete": t.incomplete}
        return {"section": self.section, "label": self.label, "year": self.year, "unit": self.unit.key,
                "old": total(self.old), "new": total(self.new), "delta": _num(self.delta)}


@dataclass(slots=True)
class TbcSummary:
    """The TBC inventory compared: labels resolved (in old, not new), introduced, and still open."""

    resolved: list[str] = dc_field(default_factory=list)
    introduced: list[str] = dc_field(default_factory=list)
    open: list[str] = dc_field(default_factory=list)

    def as_json(self) -> dict:
        return {"resolved": self.resolved, "introduced": self.introduced, "open": self.open}


@dataclass(slots=True)
class Side:
    """Which version a plan is, for people: where it came from and its version and as-at quarter."""

    label: str
    organisation: str
    title: str
    version: str
    status: str
    as_at: str
    date: str | None

    @classmethod
    def of(cls, plan: Plan, label: str) -> "Side":
        return cls(label or plan.source, plan.organisation.name, plan.meta.title, plan.meta.version,
                   plan.meta.status, plan.meta.as_at.label, plan.meta.date)

    def as_json(self) -> dict:
        return {"source": self.label, "organisation": self.organisation, "title": self.title,
                "version": self.version, "status": self.status, "as_at": self.as_at, "date": self.date}


@dataclass(slots=True)
class ChangeSet:
    old: Side
    new: Side
    changes: list[Change]
    totals: list[TotalChange]
    tbcs: TbcSummary
    headline: str = ""

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def by_section(self) -> list[tuple[str, str, list[Change]]]:
        groups: dict[str, list[Change]] = {}
        for c in self.changes:
            groups.setdefault(c.section, []).append(c)
        return [(key, title, groups[key]) for key, title in SECTIONS if key in groups]

    def totals_for(self, section: str) -> list[TotalChange]:
        return [t for t in self.totals if t.section == section]

    def count(self, section: str, *kinds: str) -> int:
        return sum(1 for c in self.changes if c.section == section and (not kinds or c.kind in kinds))

    def as_json(self) -> dict:
        return {
            "format": "opgen-diff/1",
            "old": self.old.as_json(),
            "new": self.new.as_json(),
            "headline": self.headline,
            "changed": bool(self.changes),
            "counts": {key: n for key, _, changes in self.by_section() if (n := len(changes))},
            "changes": [c.as_json() for c in self.changes],
            "totals": [t.as_json() for t in self.totals],
            "tbcs": self.tbcs.as_json(),
        }


# --- small helpers -------------------------------------------------------------------------------

def natural_key(text: str | None) -> tuple:
    """'OOH-2' before 'OOH-10'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.split(r"(\d+)", text or "") if p)


def field_label(name: str | None) -> str:
    if not name:
        return ""
    special = {"as_at": "as at", "point_of_delivery": "point of delivery", "due": "due date",
               "start": "start date", "rag as at": "RAG at the as-at quarter", "mission": "mission",
               "stated total": "stated net total"}
    if name in special:
        return special[name]
    if name.startswith("rag "):
        return "RAG " + name[4:]
    if name.startswith("stated total "):
        return "stated net total " + name[len("stated total "):]
    return name.replace("_", " ")


def _norm(text: Any) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _num(number: Decimal | None):
    if number is None:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _vjson(value: Value | None):
    if value is None:
        return None
    if value.kind == "tbc":
        return "tbc"
    if value.kind == "na":
        return "n/a"
    return _num(value.number)


def _same_value(a: Value | None, b: Value | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.kind == b.kind and a.number == b.number


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


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


def _parse_date(text: str | None) -> PlanDate | None:
    if not text or text == "tbc":
        return None
    try:
        return PlanDate.parse(str(text))
    except PeriodError:
        return None


def _date_display(text: str | None) -> str:
    if text is None or text == "":
        return "none"
    if text == "tbc":
        return "TBC"
    parsed = _parse_date(text)
    return parsed.display() if parsed else str(text)


def _rag_label(colour: str | None) -> str:
    return RAG_LABELS.get(colour or "", "none") if colour else "none"


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


# --- the comparison --------------------------------------------------------------------------------

class _Differ:
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
        renamed_to, renamed_from = self._id_changes(removed, added, id_of, title_of)
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
    def _id_changes(removed, added, id_of, title_of) -> tuple[dict, dict]:
        def titles(items):
            out: dict[str, list] = {}
            for x in items:
                out.setdefault(_norm(title_of(x)).casefold(), []).append(x)
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
        if _norm(old) != _norm(new):
            self.add(section, "retitled", id, "title", old=old, new=new, title=new, old_text=old, new_text=new,
                     key=(id, "title"))

    def field(self, section: str, id: str | None, name: str, old: Any, new: Any, *, title: str = "",
              show: Callable[[Any], str] = lambda v: str(v), kind: str = "changed", direction: str | None = None,
              detail: str = "", key: tuple = ()) -> None:
        """A short field (lead, owner, provider, status): reported with both values."""
        if _norm(old) == _norm(new) and (old is None) == (new is None):
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
        if _norm(old) == _norm(new):
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

    def date(self, section: str, id: str, name: str, old_text: str | None, new_text: str | None, *,
             title: str = "") -> None:
        old_text = None if old_text in (None, "") else str(old_text)
        new_text = None if new_text in (None, "") else str(new_text)
        if old_text == new_text:
            return
        od, nd = _parse_date(old_text), _parse_date(new_text)
        direction, detail = None, ""
        if new_text == "tbc":
            kind = "date-now-tbc"
        elif nd is not None and od is None:
            kind = "date-set"
        elif nd is None:
            kind = "date-cleared"
        else:
            days = (nd.end - od.end).days
            if days == 0:
                kind, detail = "date-restated", "same end date"
            else:
                kind = "slipped" if days > 0 else "brought-forward"
                direction = "later" if days > 0 else "earlier"
                detail = f"{'slipped' if days > 0 else 'brought forward'} {_plural(abs(days), 'day')}"
                if od.precision in ("quarter", "year") and nd.precision in ("quarter", "year"):
                    quarters = abs(nd.quarter.index - od.quarter.index)
                    detail += f", {_plural(quarters, 'quarter')}"
                elif od.precision == "month" and nd.precision == "month":
                    months = abs((nd.end.year * 12 + nd.end.month) - (od.end.year * 12 + od.end.month))
                    detail += f", {_plural(months, 'month')}"
        self.add(section, kind, id, name, old=old_text, new=new_text, direction=direction, title=title,
                 old_text=_date_display(old_text), new_text=_date_display(new_text), detail=detail,
                 key=(id, name))

    def value(self, section: str, id: str | None, name: str, old: Value | None, new: Value | None, *,
              key: tuple, title: str = "", show: Callable[[Value | None], str] | None = None,
              money: MoneyUnit | None = None, polarity: str | None = None, target: bool = False,
              first_kind: str = "set", compare_to: tuple[str, Value] | None = None) -> Change | None:
        """A figure that may be TBC or n/a. Money says up/down with the amount in the plan's unit;
        an indicator (polarity) says better/worse, or for a target more/less ambitious."""
        if _same_value(old, new):
            return None
        show = show or (lambda v: "\u2013" if v is None else v.display())
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
                detail = f"{'up' if up else 'down'} {money.short(diff)}"
            else:
                detail = f"{'up' if up else 'down'} {format_decimal(diff)}"
        else:
            kind = "changed"
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
        return self.add(section, kind, id, name, old=_vjson(old), new=_vjson(new), direction=direction,
                        title=title, old_text=show(old), new_text=show(new), detail=detail, key=key)

    def rag_like(self, section: str, id: str, name: str, old: str | None, new: str | None, *, title: str) -> None:
        """A confidence rating (RAG scale, no 'completed')."""
        if old == new:
            return
        if old is None:
            kind, direction = "set", None
        elif new is None:
            kind, direction = "cleared", None
        elif "grey" in (old, new):
            kind, direction = "changed", None
        elif RAG_ORDER[new] < RAG_ORDER[old]:
            kind, direction = "worsened", "worsened"
        else:
            kind, direction = "improved", "improved"
        self.add(section, kind, id, name, old=old, new=new, direction=direction, title=title,
                 old_text=_rag_label(old), new_text=_rag_label(new), key=(id, name))

    def money_map(self, section: str, id: str | None, name: str, old: dict, new: dict, *, key_prefix: tuple,
                  unit: MoneyUnit, factor: Decimal = Decimal(1), title: str = "") -> None:
        years = sorted(set(old) | set(new))
        for year in years:
            o, n = _rescale(old.get(year), factor), new.get(year)
            self.value(section, id, f"{name} {year.label}", o, n, key=key_prefix + (year.label,), title=title,
                       money=unit, show=lambda v: "\u2013" if v is None else v.display())

    # sections

    def run(self) -> None:
        self.metadata()
        self.vision()
        self.domains()
        self.actions()
        self.milestones()
        self.qipp()
        self.risks()
        self.indicators("indicators", self.old.indicators, self.new.indicators)
        self.finance()
        self.bcf()

    def metadata(self) -> None:
        o, n = self.old, self.new
        s = "metadata"
        self.field(s, None, "organisation", o.organisation.name, n.organisation.name)
        self.field(s, None, "short_name", o.organisation.short_name, n.organisation.short_name)
        self.field(s, None, "ods_code", o.organisation.code, n.organisation.code)
        self.field(s, None, "title", o.meta.title, n.meta.title)
        self.field(s, None, "subtitle", o.meta.subtitle, n.meta.subtitle)
        self.field(s, None, "version", o.meta.version, n.meta.version)
        self.field(s, None, "status", o.meta.status, n.meta.status)
        if o.meta.as_at != n.meta.as_at:
            later = n.meta.as_at > o.meta.as_at
            self.add(s, "changed", None, "as_at", old=o.meta.as_at.label, new=n.meta.as_at.label,
                     direction="later" if later else "earlier", old_text=o.meta.as_at.label,
                     new_text=n.meta.as_at.label,
                     detail=f"{'moved on' if later else 'moved back'} "
                            f"{_plural(abs(n.meta.as_at.index - o.meta.as_at.index), 'quarter')}",
                     key=(s, "as_at"))
        self.field(s, None, "period", o.meta.period_label, n.meta.period_label)
        self.field(s, None, "date", o.meta.date, n.meta.date, show=_date_display)
        sign = lambda p: sorted(f"{x.name} ({x.role}{', signed ' + x.date if x.date else ''})" for x in p.meta.signatories)
        if sign(o) != sign(n):
            self.field(s, None, "signatories", "; ".join(sign(o)), "; ".join(sign(n)))
        bands = lambda p: ", ".join(f"{k} from {v}" for k, v in sorted(p.risk_bands.items(), key=lambda kv: kv[1]))
        self.field(s, None, "risk_bands", bands(o), bands(n))
        old_h = {h.version: h for h in o.meta.history}
        new_h = {h.version: h for h in n.meta.history}
        show_h = lambda h: "; ".join(x for x in (h.date, h.author, h.summary) if x)
        for version, h in new_h.items():
            if version not in old_h:
                self.add(s, "added", version, "history", new=show_h(h), title=f"version {version}",
                         new_text=show_h(h), key=(s, "history", version))
            elif show_h(old_h[version]) != show_h(h):
                self.add(s, "changed", version, "history", old=show_h(old_h[version]), new=show_h(h),
                         title=f"version {version}", old_text=show_h(old_h[version]), new_text=show_h(h),
                         key=(s, "history", version))
        for version, h in old_h.items():
            if version not in new_h:
                self.add(s, "removed", version, "history", old=show_h(h), title=f"version {version}",
                         old_text=show_h(h), key=(s, "history", version))

    def vision(self) -> None:
        o, n = self.old.vision, self.new.vision
        self.text("vision", None, "mission", o.mission, n.mission)
        old_s = {_norm(x.label): x for x in o.statements}
        new_s = {_norm(x.label): x for x in n.statements}
        for label, x in new_s.items():
            if label not in old_s:
                self.add("vision", "added", x.label, "statement", new=x.text, title="", detail=to_plain(x.text),
                         key=("vision", "statement", label))
            else:
                self.text("vision", x.label, "statement", old_s[label].text, x.text)
        for label, x in old_s.items():
            if label not in new_s:
                self.add("vision", "removed", x.label, "statement", old=x.text, detail=to_plain(x.text),
                         key=("vision", "statement", label))
        old_v, new_v = {_norm(v): v for v in o.values}, {_norm(v): v for v in n.values}
        for k, v in new_v.items():
            if k not in old_v:
                self.add("vision", "added", v, "value", new=v, key=("vision", "value", k))
        for k, v in old_v.items():
            if k not in new_v:
                self.add("vision", "removed", v, "value", old=v, key=("vision", "value", k))

    def domains(self) -> None:
        def describe(d) -> str:
            return _plural(len(d.actions), "action") + (f"; lead {d.lead}" if d.lead else "")

        def compare(o, n) -> None:
            self.retitled("domains", n.id, o.title, n.title)
            self.field("domains", n.id, "lead", o.lead, n.lead, title=n.title)
            self.text("domains", n.id, "description", o.description, n.description, title=n.title)
            if sorted(o.outcomes) != sorted(n.outcomes):
                self.field("domains", n.id, "outcomes", ", ".join(sorted(o.outcomes)) or None,
                           ", ".join(sorted(n.outcomes)) or None, title=n.title)
        self.items("domains", self.old.domains, self.new.domains, describe=describe, compare=compare)

    def actions(self) -> None:
        old, new = self.old, self.new

        old_ids = {a.id for a in old.actions}

        def describe(a) -> str:
            plan = old if a.id in old_ids else new
            parts = [f"in {plan.domain_title(a.domain_id)}"]
            if a.current_rag:
                parts.append(f"{_rag_label(a.current_rag)} at {plan.meta.as_at}")
            if a.due_text:
                parts.append(f"due {_date_display(a.due_text)}")
            if a.milestones:
                parts.append(_plural(len(a.milestones), "milestone"))
            if a.lead:
                parts.append(f"lead {a.lead}")
            return "; ".join(parts)

        def compare(o, n) -> None:
            s = "actions"
            self.retitled(s, n.id, o.title, n.title)
            if o.domain_id != n.domain_id:
                self.add(s, "moved", n.id, "domain", old=o.domain_id, new=n.domain_id, title=n.title,
                         old_text=old.domain_title(o.domain_id), new_text=new.domain_title(n.domain_id),
                         key=(n.id, "domain"))
            self.field(s, n.id, "lead", o.lead, n.lead, title=n.title)
            self.date(s, n.id, "start", o.start_text, n.start_text, title=n.title)
            self.date(s, n.id, "due", o.due_text, n.due_text, title=n.title)
            self.text(s, n.id, "description", o.description, n.description, title=n.title)
            self.text(s, n.id, "mitigation", o.mitigation, n.mitigation, title=n.title)
            self.rag(o, n)

        self.items("actions", old.actions, new.actions, describe=describe, compare=compare)

    def rag(self, o, n) -> None:
        """RAG per quarter, and the move in the RAG at the as-at quarter (what the plan on a page
        shows). A new quarter's rating is reported once, against the rating the old version showed."""
        old_as_at, new_as_at = self.old.meta.as_at, self.new.meta.as_at
        if o.rag == n.rag and (old_as_at == new_as_at or o.rag_as_at(old_as_at) == n.rag_as_at(new_as_at)):
            return
        quarters = sorted(set(o.rag) | set(n.rag))
        moved = {q: (o.rag.get(q), n.rag.get(q)) for q in quarters if o.rag.get(q) != n.rag.get(q)}
        cur_old, cur_new = o.rag_as_at(old_as_at), n.rag_as_at(new_as_at)
        earlier_new = [q for q in n.rag if q <= new_as_at]
        q_new = max(earlier_new) if earlier_new else None
        earlier_old = [q for q in o.rag if q <= old_as_at]
        q_old = max(earlier_old) if earlier_old else None

        def where(colour: str | None, quarter: Quarter | None) -> str:
            return _rag_label(colour) + (f" ({quarter})" if colour and quarter else "")

        if cur_old != cur_new:
            movement = rag_movement(cur_old, cur_new)
            if movement:
                kind, direction = movement
                if q_new is not None and q_new in moved:
                    moved.pop(q_new)
                    name = f"rag {q_new.label}"
                else:
                    name = "rag as at"
                if q_old is not None and q_old != q_new and q_old in moved and moved[q_old][1] is None:
                    moved.pop(q_old)  # the old as-at rating was withdrawn: part of the same move
                self.add("rag", kind, n.id, name, old=cur_old, new=cur_new, direction=direction, title=n.title,
                         old_text=where(cur_old, q_old), new_text=where(cur_new, q_new),
                         detail="at the as-at quarter" if name == "rag as at" else "",
                         key=(n.id, "rag", name))
        for q, (before, after) in moved.items():
            movement = rag_movement(before, after)
            if not movement:
                continue
            kind, direction = movement
            detail = ""
            if before is not None and after is not None:
                detail = "revised"
            elif before is None and q == q_new and cur_old == cur_new and cur_new is not None:
                detail = f"unchanged from {q_old}" if q_old else ""
            self.add("rag", kind, n.id, f"rag {q.label}", old=before, new=after, direction=direction,
                     title=n.title, old_text=_rag_label(before), new_text=_rag_label(after), detail=detail,
                     key=(n.id, "rag", q.label))

    def milestones(self) -> None:
        s = "milestones"
        old, new = self.old, self.new
        old_m = {m.id: (a, m) for a, m in old.milestones}
        new_m = {m.id: (a, m) for a, m in new.milestones}
        old_actions = {a.id for a in old.actions}
        new_actions = {a.id for a in new.actions}

        def describe(pair) -> str:
            a, m = pair
            parts = [f"action {a.id}"]
            if m.due_text:
                parts.append(f"due {_date_display(m.due_text)}")
            if m.status:
                parts.append(m.status_label.lower())
            return "; ".join(parts)

        removed = [p for k, p in old_m.items() if k not in new_m]
        added = [p for k, p in new_m.items() if k not in old_m]
        for a, m in removed:
            if a.id not in new_actions:
                self.cover((m.id,))  # removed with its action
        for a, m in added:
            if a.id not in old_actions:
                self.cover((m.id,))  # added with its action
        removed = [p for p in removed if p[0].id in new_actions]
        added = [p for p in added if p[0].id in old_actions]
        id_of = lambda p: p[1].id
        title_of = lambda p: p[1].title
        renamed_to, renamed_from = self._id_changes(removed, added, id_of, title_of)
        for p in removed:
            note = f"id changed from {p[1].id} to {renamed_to[p[1].id]}?" if p[1].id in renamed_to else ""
            self.add(s, "removed", p[1].id, None, title=p[1].title, detail=describe(p), note=note, key=(p[1].id,))
        for p in added:
            note = f"id changed from {renamed_from[p[1].id]} to {p[1].id}?" if p[1].id in renamed_from else ""
            self.add(s, "added", p[1].id, None, title=p[1].title, detail=describe(p), note=note, key=(p[1].id,))
        for mid, (na, nm) in new_m.items():
            if mid not in old_m:
                continue
            oa, om = old_m[mid]
            self.retitled(s, mid, om.title, nm.title)
            if oa.id != na.id:
                self.add(s, "moved", mid, "action", old=oa.id, new=na.id, title=nm.title,
                         old_text=f"{oa.id} {oa.title}", new_text=f"{na.id} {na.title}", key=(mid, "action"))
            self.date(s, mid, "due", om.due_text, nm.due_text, title=nm.title)
            if om.status != nm.status:
                ro, rn = MILESTONE_RANK.get(om.status or ""), MILESTONE_RANK.get(nm.status or "")
                direction = None
                if ro is not None and rn is not None and ro != rn:
                    direction = "improved" if rn > ro else "worsened"
                self.add(s, "status-changed", mid, "status", old=om.status, new=nm.status, direction=direction,
                         title=nm.title, old_text=MILESTONE_LABELS.get(om.status or "", "none"),
                         new_text=MILESTONE_LABELS.get(nm.status or "", "none"), key=(mid, "status"))

    def qipp(self) -> None:
        s = "qipp"
        oq, nq = self.old.qipp, self.new.qipp
        if oq is None and nq is None:
            return
        unit = (nq or oq).unit
        factor = Decimal(1)
        if oq and nq and oq.unit.key != nq.unit.key:
            factor = MONEY_SCALE[oq.unit.key] / MONEY_SCALE[nq.unit.key]
            self.field(s, None, "unit", oq.unit.header, nq.unit.header,
                       detail="old figures converted to the new unit")

        old_ids = {x.id for x in oq.schemes} if oq else set()

        def describe(x) -> str:
            plan_q = oq if x.id in old_ids else nq
            parts = []
            for year in sorted(set(x.savings) | set(x.investment)):
                net = x.net(year)
                parts.append(f"{year}: net {plan_q.unit.short(net) + (' + TBC' if net.incomplete else '')}")
            if x.confidence:
                parts.append(f"confidence {_rag_label(x.confidence)}")
            return "; ".join(parts)

        def compare(o, n) -> None:
            self.retitled(s, n.id, o.title, n.title)
            if o.domain_id != n.domain_id:
                self.add(s, "moved", n.id, "domain", old=o.domain_id, new=n.domain_id, title=n.title,
                         old_text=self.old.domain_title(o.domain_id) or "none",
                         new_text=self.new.domain_title(n.domain_id) or "none", key=(n.id, "domain"))
            for name in ("provider", "point_of_delivery", "lead"):
                self.field(s, n.id, name, getattr(o, name), getattr(n, name), title=n.title)
            self.money_map(s, n.id, "savings", o.savings, n.savings, key_prefix=(n.id, "savings"), unit=unit,
                           factor=factor, title=n.title)
            self.money_map(s, n.id, "investment", o.investment, n.investment, key_prefix=(n.id, "investment"),
                           unit=unit, factor=factor, title=n.title)
            self.rag_like(s, n.id, "confidence", o.confidence, n.confidence, title=n.title)
            self.text(s, n.id, "note", o.note, n.note, title=n.title)

        self.items(s, oq.schemes if oq else [], nq.schemes if nq else [], describe=describe, compare=compare)
        for name, label in (("stated_total", "stated total"), ("stated_savings_total", "stated savings total"),
                            ("stated_investment_total", "stated investment total")):
            self.money_map(s, None, label, getattr(oq, name) if oq else {}, getattr(nq, name) if nq else {},
                           key_prefix=("qipp", name), unit=unit, factor=factor)
        self.year_totals(s, oq, nq, (("savings", "savings"), ("investment", "investment"), ("net", "net")),
                         unit, factor)

    def risks(self) -> None:
        s = "risks"
        old, new = self.old, self.new

        def score_text(r) -> str:
            if r.current:
                return f"{r.current.likelihood} \u00d7 {r.current.impact} = {r.score} ({r.band})"
            return r.band or "unrated"

        def position(p, r) -> str | None:
            return f"{p.likelihood} \u00d7 {p.impact} = {p.score} ({r.band_of(p.score)})" if p else None

        def describe(r) -> str:
            parts = [score_text(r)]
            if r.status == "closed":
                parts.append("closed")
            if r.owner:
                parts.append(f"owner {r.owner}")
            if not r.mitigation:
                parts.append("no mitigation")
            return "; ".join(parts)

        def compare(o, n) -> None:
            self.retitled(s, n.id, o.title, n.title)
            if o.status != n.status:
                kind = "closed" if n.status == "closed" else "reopened"
                self.add(s, kind, n.id, "status", old=o.status, new=n.status, title=n.title, old_text=o.status,
                         new_text=n.status, key=(n.id, "status"))
            if o.domain_id != n.domain_id:
                self.add(s, "moved", n.id, "domain", old=o.domain_id, new=n.domain_id, title=n.title,
                         old_text=old.domain_title(o.domain_id) or "none",
                         new_text=new.domain_title(n.domain_id) or "none", key=(n.id, "domain"))
            self.field(s, n.id, "owner", o.owner, n.owner, title=n.title)
            ob, nb, os_, ns = o.band, n.band, o.score, n.score
            if ob != nb or os_ != ns:
                name = "score" if os_ is not None or ns is not None else "rating"
                kind, direction = "changed", None
                if ob and nb and ob != nb:
                    up = BAND_ORDER[nb] > BAND_ORDER[ob]
                elif os_ is not None and ns is not None:
                    up = ns > os_
                else:
                    up = None
                if up is not None:
                    kind, direction = ("rose", "worsened") if up else ("fell", "improved")
                detail = f"{ob} \u2192 {nb}" if name == "score" and ob and nb and ob != nb else ""
                self.add(s, kind, n.id, name, old=os_ if name == "score" else ob, new=ns if name == "score" else nb,
                         direction=direction, title=n.title, old_text=score_text(o), new_text=score_text(n),
                         detail=detail, key=(n.id, name))
            for name in ("target", "gross"):
                self.field(s, n.id, name, position(getattr(o, name), o), position(getattr(n, name), n),
                           title=n.title)
            self.text(s, n.id, "description", o.description, n.description, title=n.title)
            self.text(s, n.id, "mitigation", o.mitigation, n.mitigation, title=n.title)

        self.items(s, old.risks, new.risks, describe=describe, compare=compare, value_of=lambda r: r.band)

    def indicators(self, s: str, old_items: list[Indicator], new_items: list[Indicator]) -> None:
        def describe(i: Indicator) -> str:
            parts = [i.unit_label, i.polarity_label.lower()]
            if i.baseline is not None:
                parts.append(f"baseline {i.show(i.baseline)}")
            for year, value in sorted(i.targets.items()):
                parts.append(f"target {year} {i.show(value)}")
            return "; ".join(parts)

        def compare(o: Indicator, n: Indicator) -> None:
            self.retitled(s, n.id, o.title, n.title)
            if o.domain_id != n.domain_id:
                self.add(s, "moved", n.id, "domain", old=o.domain_id, new=n.domain_id, title=n.title,
                         old_text=self.old.domain_title(o.domain_id) or "none",
                         new_text=self.new.domain_title(n.domain_id) or "none", key=(n.id, "domain"))
            self.field(s, n.id, "unit", o.unit_label, n.unit_label, title=n.title)
            self.field(s, n.id, "polarity", o.polarity_label, n.polarity_label, title=n.title)
            self.field(s, n.id, "headline", "yes" if o.headline else "no", "yes" if n.headline else "no",
                       title=n.title)
            self.field(s, n.id, "source", o.source, n.source, title=n.title)
            same_scale = o.unit == n.unit and o.polarity == n.polarity
            polarity = n.polarity if same_scale else None
            self.value(s, n.id, "baseline", o.baseline, n.baseline, key=(n.id, "baseline", "value"), title=n.title,
                       show=n.show, polarity=polarity)
            self.field(s, n.id, "baseline_period", o.baseline_period, n.baseline_period, title=n.title)
            for year in sorted(set(o.targets) | set(n.targets)):
                self.value(s, n.id, f"target {year.label}", o.targets.get(year), n.targets.get(year),
                           key=(n.id, "targets", year.label), title=n.title, show=n.show, polarity=polarity,
                           target=True)
            for quarter in sorted(set(o.actuals) | set(n.actuals)):
                previous = [q for q in n.actuals if q < quarter and n.actuals[q].is_number]
                if previous:
                    compare_to = (f"{max(previous)}", n.actuals[max(previous)])
                elif n.baseline is not None and n.baseline.is_number:
                    compare_to = ("the baseline", n.baseline)
                else:
                    compare_to = None
                self.value(s, n.id, f"actual {quarter.label}", o.actuals.get(quarter), n.actuals.get(quarter),
                           key=(n.id, "actuals", quarter.label), title=n.title, show=n.show, polarity=polarity,
                           first_kind="reported", compare_to=compare_to if polarity else None)

        self.items(s, old_items, new_items, describe=describe, compare=compare)

    def year_totals(self, section: str, old, new, totals: tuple, unit, factor: Decimal) -> None:
        """Each (label, method) total per year, old (in the new unit) against new, where it moved."""
        years = sorted(set(old.years if old else []) | set(new.years if new else []))
        for year in years:
            for label, method in totals:
                before = _scale_total(getattr(old, method)(year), factor) if old else None
                after = getattr(new, method)(year) if new else None
                if not _same_total(before, after):
                    self.totals.append(TotalChange(section, label, year.label, before, after, unit))

    def unit_change(self, section: str, old, new) -> tuple:
        """The section's money unit and the factor that converts old figures into it (reporting a
        change of unit once)."""
        unit = (new or old).unit
        if old and new and old.unit.key != new.unit.key:
            self.field(section, None, "unit", old.unit.header, new.unit.header,
                       detail="old figures converted to the new unit")
            return unit, MONEY_SCALE[old.unit.key] / MONEY_SCALE[new.unit.key]
        return unit, Decimal(1)

    def finance(self) -> None:
        s = "finance"
        of, nf = self.old.finance, self.new.finance
        if of is None and nf is None:
            return
        unit, factor = self.unit_change(s, of, nf)
        for group, label in (("allocation", "allocation"), ("expenditure", "budget")):
            def describe(line, group=group) -> str:
                return "; ".join(f"{y}: {v.display()}" for y, v in sorted(line.amounts.items()))

            def compare(o, n, label=label) -> None:
                self.retitled(s, n.id, o.title, n.title)
                self.money_map(s, n.id, "amount", o.amounts, n.amounts, key_prefix=(n.id, "amounts"), unit=unit,
                               factor=factor, title=n.title)
            self.items(s, getattr(of, group) if of else [], getattr(nf, group) if nf else [], describe=describe,
                       compare=compare)
        for name, label in (("allocation_stated_total", "stated allocation total"),
                            ("expenditure_stated_total", "stated budget total"), ("surplus", "surplus"),
                            ("contingency", "contingency"), ("non_recurrent", "non-recurrent")):
            self.money_map(s, None, label, getattr(of, name) if of else {}, getattr(nf, name) if nf else {},
                           key_prefix=("finance", name), unit=unit, factor=factor)
        self.text(s, None, "note", of.note if of else None, nf.note if nf else None)
        self.year_totals(s, of, nf, (("allocation", "allocation_total"), ("budget", "expenditure_total")),
                         unit, factor)

    def bcf(self) -> None:
        s = "bcf"
        ob, nb = self.old.bcf, self.new.bcf
        if ob is None and nb is None:
            return
        unit, factor = self.unit_change(s, ob, nb)

        def describe(x) -> str:
            return "; ".join(f"{y}: {v.display()}" for y, v in sorted(x.funding.items()))

        def compare(o, n) -> None:
            self.retitled(s, n.id, o.title, n.title)
            self.field(s, n.id, "heading", o.heading, n.heading, title=n.title)
            self.text(s, n.id, "description", o.description, n.description, title=n.title)
            self.money_map(s, n.id, "funding", o.funding, n.funding, key_prefix=(n.id, "funding"), unit=unit,
                           factor=factor, title=n.title)

        self.items(s, ob.schemes if ob else [], nb.schemes if nb else [], describe=describe, compare=compare)
        for name, label in (("minimum_contribution", "minimum contribution"),
                            ("actual_contribution", "actual contribution")):
            self.money_map(s, None, label, getattr(ob, name) if ob else {}, getattr(nb, name) if nb else {},
                           key_prefix=("bcf", name), unit=unit, factor=factor)
        self.indicators(s, ob.metrics if ob else [], nb.metrics if nb else [])
        self.year_totals(s, ob, nb, (("scheme funding", "funding_total"),), unit, factor)


def _rescale(value: Value | None, factor: Decimal) -> Value | None:
    if value is None or factor == 1 or not value.is_number:
        return value
    return Value("number", (value.number * factor).normalize())


def _scale_total(total: Total, factor: Decimal) -> Total:
    return total if factor == 1 else Total(total.value * factor, total.incomplete, total.parts)


def _same_total(a: Total | None, b: Total | None) -> bool:
    if a is None or b is None:
        return (a is None or (not a.parts and not a.incomplete)) and (b is None or (not b.parts and not b.incomplete))
    return a.value == b.value and a.incomplete == b.incomplete


# --- TBCs and warnings ----------------------------------------------------------------------------

def item_paths(plan: Plan) -> dict[tuple, str]:
    """Every id'd item's place in the YAML (its model `path`) -> its id."""
    out: dict[tuple, str] = {}
    for d in plan.domains:
        out[d.path] = d.id
    for a in plan.actions:
        out[a.path] = a.id
        for m in a.milestones:
            out[m.path] = m.id
    for group in ([plan.qipp.schemes] if plan.qipp else []) + [plan.risks, plan.indicators]:
        for x in group:
            out[x.path] = x.id
    if plan.finance:
        for x in plan.finance.allocation + plan.finance.expenditure:
            out[x.path] = x.id
    if plan.bcf:
        for x in plan.bcf.schemes + plan.bcf.metrics:
            out[x.path] = x.id
    return out


def semantic_key(path: tuple, paths: dict[tuple, str]) -> tuple:
    """A YAML path made position-free: ('actions', 19, 'milestones', 0, 'due') -> ('HOSP-01-M1', 'due')."""
    for cut in range(len(path), 0, -1):
        item = paths.get(tuple(path[:cut]))
        if item is not None:
            return (item,) + tuple(str(p) for p in path[cut:])
    return tuple(str(p) for p in path)


def tbc_inventory(plan: Plan) -> dict[tuple, str]:
    paths = item_paths(plan)
    return {semantic_key(t.path, paths): t.label for t in plan.tbcs}


def _is_covered(key: tuple, covered: set[tuple]) -> bool:
    return any(key[:n] in covered for n in range(1, len(key) + 1))


def _warning_subject(d: Diagnostic, paths: dict[str, str]) -> str | None:
    """The id of the item a warning is about, from its yaml_path (e.g. 'actions[3].rag...' -> 'OOH-04')."""
    text = d.yaml_path
    cuts = [i for i, ch in enumerate(text) if ch in ".["] + [len(text)]
    for cut in reversed(cuts):
        item = paths.get(text[:cut])
        if item is not None:
            return item
    return None


def _warning_paths(plan: Plan) -> dict[str, str]:
    return {format_yaml_path(path): item for path, item in item_paths(plan).items()}


def _compare_warnings(differ: _Differ, old_warnings: Iterable[Diagnostic], new_warnings: Iterable[Diagnostic]) -> None:
    def keyed(warnings, plan):
        shown = [d for d in warnings if d.code != "tbc"]  # the TBC inventory reports TBC warnings
        paths = _warning_paths(plan) if shown else {}
        out: dict[tuple, tuple[Diagnostic, str | None]] = {}
        for d in shown:
            out.setdefault((d.code, d.message), (d, _warning_subject(d, paths)))
        return out

    old_w, new_w = keyed(old_warnings, differ.old), keyed(new_warnings, differ.new)
    gone = {k: v for k, v in old_w.items() if k not in new_w}
    came = {k: v for k, v in new_w.items() if k not in old_w}
    mask = lambda text: re.sub(r"[\d.,+\u2212-]+", "#", text)
    for key in sorted(came, key=lambda k: (k[0], natural_key(came[k][1]), k[1])):
        d, subject = came[key]
        partner = next((k for k, (od, osub) in gone.items() if k[0] == d.code and
                        ((subject and osub == subject) or mask(k[1]) == mask(d.message))), None)
        if partner:
            od, _ = gone.pop(partner)
            differ.add("warnings", "changed", subject, d.code, old=od.message, new=d.message, old_text=od.message,
                       new_text=d.message, key=("warnings", d.code, subject or d.message))
        else:
            differ.add("warnings", "new", subject, d.code, new=d.message, new_text=d.message,
                       key=("warnings", d.code, subject or d.message))
    for key in sorted(gone, key=lambda k: (k[0], natural_key(gone[k][1]), k[1])):
        d, subject = gone[key]
        differ.add("warnings", "resolved", subject, d.code, old=d.message, old_text=d.message,
                   key=("warnings", d.code, subject or d.message))


def _compare_tbcs(differ: _Differ) -> TbcSummary:
    old_t, new_t = tbc_inventory(differ.old), tbc_inventory(differ.new)
    summary = TbcSummary(
        resolved=[old_t[k] for k in sorted(old_t, key=tbc_sort_key) if k not in new_t],
        introduced=[new_t[k] for k in sorted(new_t, key=tbc_sort_key) if k not in old_t],
        open=[new_t[k] for k in sorted(new_t, key=tbc_sort_key)],
    )
    for key in sorted(set(old_t) ^ set(new_t), key=tbc_sort_key):
        if _is_covered(key, differ.covered):
            continue
        resolved = key in old_t
        label = old_t[key] if resolved else new_t[key]
        item = key[0] if len(key) > 1 else None
        differ.add("tbcs", "resolved" if resolved else "introduced", item, label, old="tbc" if resolved else None,
                   new=None if resolved else "tbc", key=key)
    return summary


def tbc_sort_key(key: tuple) -> tuple:
    return tuple(natural_key(p) for p in key)


# --- ordering and headline ------------------------------------------------------------------------

def _field_rank(name: str | None) -> tuple:
    if name is None:
        return (-1, ())
    base = name.split(" ")[0]
    rank = FIELD_ORDER.index(base) if base in FIELD_ORDER else len(FIELD_ORDER)
    return (rank, natural_key(name))


def _sort_key(c: Change) -> tuple:
    if c.section in ("rag", "milestones", "risks", "warnings", "tbcs"):
        return (SECTION_ORDER[c.section], KIND_ORDER.get(c.kind, 99), natural_key(c.id), _field_rank(c.field))
    if c.section == "metadata":
        order = ["organisation", "short_name", "ods_code", "title", "subtitle", "version", "status", "as_at",
                 "period", "date", "signatories", "risk_bands", "history"]
        return (SECTION_ORDER[c.section], order.index(c.field) if c.field in order else 99, natural_key(c.id), 0, ())
    added_removed = 0 if c.kind in ("added", "removed") else 1
    plan_level = 1 if c.id is None and c.section in ("qipp", "finance", "bcf") else 0
    return (SECTION_ORDER[c.section], plan_level, added_removed,
            KIND_ORDER.get(c.kind, 99) if not added_removed else 0, natural_key(c.id), _field_rank(c.field))


def headline(cs: ChangeSet) -> str:
    """One line a board member can read aloud: the moves that matter, then how many changes in all."""
    if not cs.changes:
        return "No changes"
    parts: list[str] = []
    changes = cs.changes

    def n(section: str, *kinds: str, where=lambda c: True) -> int:
        return sum(1 for c in changes if c.section == section and c.kind in kinds and where(c))

    def add(count: int, noun: str, verb: str = "") -> None:
        if count:
            parts.append(_plural(count, noun) + (f" {verb}" if verb else ""))

    status = next((c for c in changes if c.section == "metadata" and c.field == "status"), None)
    if status and status.new:
        parts.append(f"status now {status.new}")
    worse, better = n("rag", "worsened"), n("rag", "improved")
    add(worse, "RAG rating", "worsened")
    if better:  # "3 RAG ratings worsened, 1 improved"
        parts.append(f"{better} improved" if worse else f"{_plural(better, 'RAG rating')} improved")
    add(n("rag", "completed"), "action", "completed")
    add(n("milestones", "slipped"), "milestone", "slipped")
    add(n("milestones", "brought-forward"), "milestone", "brought forward")
    for t in cs.totals:
        if t.section == "qipp" and t.label == "net" and t.delta != 0:
            parts.append(f"QIPP {t.year} {'up' if t.delta > 0 else 'down'} {t.unit.short(abs(t.delta))}")
    extreme = lambda text: text == "extreme" or text.endswith("(extreme)")
    is_extreme = lambda c: extreme(c.new_text) and not extreme(c.old_text)
    added_extreme = lambda c: c.new == "extreme"
    new_extreme = n("risks", "added", where=added_extreme) + n("risks", "rose", where=is_extreme)
    add(new_extreme, "new extreme risk")
    add(n("risks", "added", where=lambda c: not added_extreme(c)), "other new risk" if new_extreme else "new risk")
    add(n("risks", "rose", where=lambda c: not is_extreme(c)), "risk", "rose")
    add(n("risks", "closed"), "risk", "closed")
    add(n("risks", "removed"), "risk", "removed")
    add(n("actions", "added"), "action", "added")
    add(n("actions", "removed"), "action", "removed")
    add(len(cs.tbcs.resolved), "TBC", "resolved")
    add(len(cs.tbcs.introduced), "new TBC")
    add(n("warnings", "new"), "new warning")
    total = _plural(len(changes), "change")
    if not parts:
        sections = [title if title.startswith(("QIPP", "RAG", "TBC")) else title.lower()
                    for _, title, _ in cs.by_section()]
        return f"{total}: " + ", ".join(sections)
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + f" ({total})"


def diff_plans(old: Plan, new: Plan, *, old_warnings: Iterable[Diagnostic] = (),
               new_warnings: Iterable[Diagnostic] = (), old_label: str = "", new_label: str = "") -> ChangeSet:
    """Compare two plans (their models) and return every change, once, grouped by section."""
    differ = _Differ(old, new)
    differ.run()
    tbcs = _compare_tbcs(differ)
    _compare_warnings(differ, old_warnings, new_warnings)
    changes = sorted(differ.out, key=_sort_key)
    cs = ChangeSet(Side.of(old, old_label), Side.of(new, new_label), changes, differ.totals, tbcs)
    cs.headline = headline(cs)
    return cs
