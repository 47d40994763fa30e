"""The records a diff is made of: Change, TotalChange, TbcSummary, Side and the ChangeSet that holds
them, with the sections and kinds a change can have.

How the comparison works and which section a change lives in is described in opgen/diff/__init__.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal
from typing import Any

from opgen import display
from opgen.diff import texts
from opgen.model import MoneyUnit, Plan, Total

SECTIONS: list[tuple[str, str]] = [
    ("metadata", "Plan details"),
    ("vision", "Vision"),
    ("sections", "Chapters"),
    ("domains", "Domains"),
    ("actions", "Actions"),
    ("rag", "RAG ratings"),
    ("milestones", "Milestones"),
    ("schedules", "Delivery schedules"),
    ("qipp", "QIPP"),
    ("risks", "Risks"),
    ("indicators", "Indicators"),
    ("finance", "Finance"),
    ("bcf", "Better Care Fund"),
    ("governance", "Governance and alignment"),
    ("tables", "Tables"),
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
        return texts.total(self.old) if self.old and (self.old.parts or self.old.incomplete) else texts.DASH

    @property
    def new_text(self) -> str:
        return texts.total(self.new) if self.new and (self.new.parts or self.new.incomplete) else texts.DASH

    @property
    def delta_text(self) -> str:
        d = self.delta
        if d == 0:
            return "no change in the confirmed figures" if self.incomplete else "no change"
        text = f"{'up' if d > 0 else 'down'} {texts.money(self.unit, abs(d))}"
        return text + " (TBC values excluded)" if self.incomplete else text

    @property
    def incomplete(self) -> bool:
        return bool((self.old and self.old.incomplete) or (self.new and self.new.incomplete))

    def as_json(self) -> dict:
        def total(t: Total | None):
            return None if t is None else {"value": json_number(t.value), "incomplete": t.incomplete}
        return {"section": self.section, "label": self.label, "year": self.year, "unit": self.unit.key,
                "old": total(self.old), "new": total(self.new), "delta": json_number(self.delta)}


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
        return cls(label or plan.source, plan.organisation.name, plan.meta.title, display.version(plan.meta.version),
                   plan.meta.status, display.as_at(plan.meta) or display.NOT_STATED.lower(), plan.meta.date)

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



def field_label(name: str | None) -> str:
    if not name:
        return ""
    special = {"as_at": "as at", "point_of_delivery": "point of delivery", "due": "due date",
               "start": "start date", "rag as at": "RAG at the as-at quarter", "mission": "mission",
               "stated total": "stated net total", "see": "see also", "parent": "part of",
               "code": "national code"}
    if name in special:
        return special[name]
    if name.startswith("rag "):
        return "RAG " + name[4:]
    if name.startswith("stated total "):
        return "stated net total " + name[len("stated total "):]
    return name.replace("_", " ")



def json_number(number: Decimal | None):
    if number is None:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)

