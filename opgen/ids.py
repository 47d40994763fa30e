"""The plan's id-bearing lists, money fields (by financial year or by any period) and percent fields,
named once.

Everything that needs to know "which lists have items with an `id`" or "which fields hold money by
financial year" reads these two tables: the validator's duplicate-id and year checks, the model
builder, the diff and the textconv view. tests/test_ids.py checks both tables against
opgen/resources/plan.schema.json, so a schema change that adds a list or a money field fails until the
table is updated.

Data paths are tuples of YAML keys with "*" meaning each item of a list:
("actions", "*", "milestones") is every action's milestones.

Also here, because they are defined by the id lists: `natural_key` (how ids sort), `item_paths` and
`semantic_key` (a YAML path made position-free, by the id of the item it is in) and `tbc_inventory`
(every TBC of a plan under its semantic key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:  # ids.py imports nothing of opgen at run time, so the model builder can read it too
    from opgen.model import Plan


@dataclass(frozen=True, slots=True)
class IdList:
    """A list in the plan whose items carry an `id`."""

    path: tuple                              # data path of the list, e.g. ("qipp", "schemes")
    label: str                               # what a reader calls one item: "QIPP scheme"
    items: Callable[["Plan"], Iterable]        # the model's items of this list, in plan order
    domain_reference: bool = False           # its items may name a domain (`domain: <id>`)
    scope: str = "plan"                      # where an id must be unique: "plan", "table" (a data
                                             # table's rows and columns: unique within their table) or
                                             # "indicator" (an indicator's areas)


@dataclass(frozen=True, slots=True)
class MoneyField:
    """A field holding money by financial year ({"2014/15": 4442, "2015/16": tbc}), or, where
    `by_period`, by any period ({"2012/13": 2100, "2013-12": 180}): a period-keyed field is not
    bounded by the plan period (only delivery is)."""

    path: tuple      # data path of the field, e.g. ("qipp", "schemes", "*", "savings")
    unit: tuple      # data path of the money unit its figures are in, e.g. ("qipp", "unit")
    label: str       # what a reader calls it (the diff's field name): "savings", "stated budget total"
    by_period: bool = False

    def read(self, owner) -> dict:
        """The field's map on the model: `owner` is the section (or, per item, the item)."""
        node = owner
        for part in self.path[self.path.index("*") + 1:] if self.per_item else self.path[1:]:
            node = node.get(part, {}) if isinstance(node, dict) else getattr(node, part)
        return node

    @property
    def section(self) -> str:
        return self.path[0]

    @property
    def name(self) -> str:
        """The key in the YAML, which is also the model's attribute name."""
        return self.path[-1]

    @property
    def per_item(self) -> bool:
        """True for a field of each item of a list (a scheme's savings), False for the section's own."""
        return "*" in self.path


def _qipp(plan: "Plan") -> list:
    return plan.qipp.schemes if plan.qipp else []


ID_LISTS: tuple[IdList, ...] = (
    IdList(("plan", "drivers"), "driver", lambda p: p.meta.drivers),
    IdList(("plan", "providers"), "provider", lambda p: p.meta.providers),
    IdList(("frameworks",), "framework", lambda p: p.frameworks),
    IdList(("frameworks", "*", "items"), "framework item", lambda p: [x for f in p.frameworks for x in f.items]),
    IdList(("governance", "bodies"), "governance body", lambda p: p.governance.bodies if p.governance else []),
    IdList(("domains",), "domain", lambda p: p.domains),
    IdList(("actions",), "action", lambda p: p.actions, domain_reference=True),
    IdList(("actions", "*", "milestones"), "milestone", lambda p: [m for a in p.actions for m in a.milestones]),
    IdList(("qipp", "schemes"), "QIPP scheme", _qipp, domain_reference=True),
    IdList(("risks",), "risk", lambda p: p.risks, domain_reference=True),
    IdList(("indicators",), "indicator", lambda p: p.indicators, domain_reference=True),
    IdList(("indicators", "*", "areas"), "area", lambda p: [a for i in p.indicators for a in i.areas],
           scope="indicator"),  # an indicator's breakdown: ids unique within the indicator
    IdList(("finance", "allocation"), "allocation line", lambda p: p.finance.allocation if p.finance else []),
    IdList(("finance", "expenditure"), "budget line", lambda p: p.finance.expenditure if p.finance else []),
    IdList(("finance", "lines"), "finance line", lambda p: p.finance.lines if p.finance else []),
    IdList(("finance", "assumptions"), "planning assumption", lambda p: p.finance.assumptions if p.finance else []),
    IdList(("bcf", "schemes"), "BCF scheme", lambda p: p.bcf.schemes if p.bcf else []),
    IdList(("bcf", "metrics"), "BCF metric", lambda p: p.bcf.metrics if p.bcf else [], domain_reference=True),
    IdList(("bcf", "metrics", "*", "areas"), "area", lambda p: [a for m in (p.bcf.metrics if p.bcf else []) for a in m.areas],
           scope="indicator"),
    IdList(("bcf", "contributions"), "BCF contribution", lambda p: p.bcf.contributions if p.bcf else []),
    IdList(("bcf", "risks"), "BCF risk", lambda p: p.bcf.risks if p.bcf else [], domain_reference=True),
    IdList(("sections",), "section", lambda p: p.sections),
    IdList(("sections", "*", "sections"), "section", lambda p: [x for x in p.all_sections if x.level == 2]),
    IdList(("sections", "*", "sections", "*", "sections"), "section",
           lambda p: [x for x in p.all_sections if x.level == 3]),
    IdList(("tables",), "table", lambda p: p.tables),
    IdList(("tables", "*", "columns"), "column", lambda p: [c for t in p.tables for c in t.columns], scope="table"),
    IdList(("tables", "*", "rows"), "row", lambda p: [r for t in p.tables for r in t.rows], scope="table"),
)

# The lists whose ids are unique only within the item they are in (a table's rows and columns).
SCOPED: tuple[tuple, ...] = tuple(x.path for x in ID_LISTS if x.scope != "plan")

# The lists whose items may name a domain, by data path.
DOMAIN_REFERENCES: tuple[tuple, ...] = tuple(x.path for x in ID_LISTS if x.domain_reference)

# The lists whose items may name other items (`see: [id, ...]`), by data path.
SEE_REFERENCES: tuple[tuple, ...] = (("actions",), ("actions", "*", "milestones"), ("qipp", "schemes"), ("risks",),
                                     ("indicators",), ("bcf", "metrics"), ("bcf", "risks"))

_QIPP, _FINANCE, _BCF = ("qipp", "unit"), ("finance", "unit"), ("bcf", "unit")

# In the order the plan lists them (the diff and textconv show them in this order).
MONEY_FIELDS: tuple[MoneyField, ...] = (
    MoneyField(("qipp", "schemes", "*", "savings"), _QIPP, "savings"),
    MoneyField(("qipp", "schemes", "*", "investment"), _QIPP, "investment"),
    MoneyField(("qipp", "stated_total"), _QIPP, "stated total"),
    MoneyField(("qipp", "stated_savings_total"), _QIPP, "stated savings total"),
    MoneyField(("qipp", "stated_investment_total"), _QIPP, "stated investment total"),
    MoneyField(("finance", "allocation", "*", "amounts"), _FINANCE, "amount"),
    MoneyField(("finance", "expenditure", "*", "amounts"), _FINANCE, "amount"),
    MoneyField(("finance", "allocation_stated_total"), _FINANCE, "stated allocation total"),
    MoneyField(("finance", "expenditure_stated_total"), _FINANCE, "stated budget total"),
    MoneyField(("finance", "surplus"), _FINANCE, "surplus"),
    MoneyField(("finance", "contingency"), _FINANCE, "contingency"),
    MoneyField(("finance", "non_recurrent"), _FINANCE, "non-recurrent"),
    MoneyField(("finance", "lines", "*", "amounts"), _FINANCE, "amount", by_period=True),
    MoneyField(("finance", "stated_totals", "allocation"), _FINANCE, "stated allocation total", by_period=True),
    MoneyField(("finance", "stated_totals", "expenditure"), _FINANCE, "stated expenditure total", by_period=True),
    MoneyField(("bcf", "schemes", "*", "funding"), _BCF, "funding"),
    MoneyField(("bcf", "minimum_contribution"), _BCF, "minimum contribution"),
    MoneyField(("bcf", "actual_contribution"), _BCF, "actual contribution"),
    MoneyField(("bcf", "contributions", "*", "minimum"), _BCF, "minimum contribution"),
    MoneyField(("bcf", "contributions", "*", "actual"), _BCF, "actual contribution"),
    MoneyField(("bcf", "stated_totals"), _BCF, "stated total"),
)


# Percentages by period (not money: no unit, each checked to lie from 0 to 100). Data path -> what a
# reader calls one figure. A finance line's percent of allocation may be negative on a position line
# (a deficit); opgen.rules says so.
PERCENT_FIELDS: dict[tuple, str] = {
    ("finance", "lines", "*", "percent"): "percent of allocation",
    ("finance", "assumptions", "*", "values"): "value",
}


def id_list(path: tuple) -> IdList:
    """The ID_LISTS entry at a data path."""
    return next(x for x in ID_LISTS if x.path == tuple(path))


def section_money(section: str, periods: bool = False) -> tuple[MoneyField, ...]:
    """A section's own year-keyed money fields (QIPP stated totals, finance surplus...), in order;
    with `periods`, its period-keyed ones as well."""
    return tuple(f for f in MONEY_FIELDS if f.section == section and not f.per_item and (periods or not f.by_period))


def item_money(list_path: tuple, periods: bool = False) -> tuple[MoneyField, ...]:
    """The year-keyed money fields of each item of an id list (a QIPP scheme's savings, investment);
    with `periods`, its period-keyed ones as well (a finance line's amounts)."""
    n = len(list_path)
    return tuple(f for f in MONEY_FIELDS if f.path[:n] == tuple(list_path) and f.path[n:n + 1] == ("*",)
                 and len(f.path) == n + 2 and (periods or not f.by_period))


def natural_key(text: str | None) -> tuple:
    """'OOH-2' before 'OOH-10'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in re.split(r"(\d+)", text or "") if p)


def item_paths(plan: Plan) -> dict[tuple, str]:
    """Every id'd item's place in the YAML (its model `path`) -> its id."""
    return {x.path: x.id for lst in ID_LISTS for x in lst.items(plan)}


def _scoped(path: tuple) -> bool:
    return any(len(p) + 1 == len(path) and all(a == "*" or a == b for a, b in zip(p, path)) for p in SCOPED)


def semantic_key(path: tuple, paths: dict[tuple, str]) -> tuple:
    """A YAML path made position-free: ('actions', 19, 'milestones', 0, 'due') -> ('HOSP-01-M1', 'due').
    An item whose id is unique only within its table is keyed under the table's id:
    ('tables', 0, 'rows', 2, '2013/14') -> ('planning-assumptions', 'growth', '2013/14')."""
    for cut in range(len(path), 0, -1):
        item = paths.get(tuple(path[:cut]))
        if item is not None:
            rest = (item,) + tuple(str(p) for p in path[cut:])
            if _scoped(tuple(path[:cut])):
                return semantic_key(tuple(path[:cut - 2]), paths) + rest
            return rest
    return tuple(str(p) for p in path)


def tbc_inventory(plan: Plan) -> dict[tuple, str]:
    """Every TBC of the plan: its semantic key -> its label for people."""
    paths = item_paths(plan)
    return {semantic_key(t.path, paths): t.label for t in plan.tbcs}


def tbc_sort_key(key: tuple) -> tuple:
    """How TBC inventory keys sort: part by part, naturally."""
    return tuple(natural_key(p) for p in key)
