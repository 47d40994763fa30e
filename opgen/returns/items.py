"""Which plan items a return holds, whose return each goes in, and where in the plan's YAML each
input column writes: shared by export (the rows, the values at export) and import (the writes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opgen.model import Plan
from opgen.periods import Quarter


@dataclass(slots=True)
class Item:
    sheet: str
    id: str
    title: str
    path: tuple          # where the item is in the plan's YAML, e.g. ("actions", 3, "milestones", 0)
    model: Any           # the model object (Action, (Action, Milestone), QippScheme, Risk, Indicator)
    lead: str | None     # whose return it goes in, by lead
    domain: str | None   # domain id, by domain


def plan_items(plan: Plan) -> list[Item]:
    """Every item a return can update, in plan order, sheet by sheet."""
    domain_lead = {d.id: d.lead for d in plan.domains}
    out: list[Item] = []
    for a in plan.actions:
        out.append(Item("Actions", a.id, a.title, a.path, a, a.lead or domain_lead.get(a.domain_id), a.domain_id))
    for a in plan.actions:
        for m in a.milestones:
            out.append(Item("Milestones", m.id, m.title, m.path, (a, m), a.lead or domain_lead.get(a.domain_id),
                            a.domain_id))
    if plan.qipp:
        for s in plan.qipp.schemes:
            out.append(Item("QIPP", s.id, s.title, s.path, s, s.lead or domain_lead.get(s.domain_id or ""),
                            s.domain_id))
    for r in plan.risks:
        if r.is_open:
            out.append(Item("Risks", r.id, r.title, r.path, r, r.owner or domain_lead.get(r.domain_id or ""),
                            r.domain_id))
    for i in plan.indicators:
        out.append(Item("Indicators", i.id, i.title, i.path, i, domain_lead.get(i.domain_id or ""), i.domain_id))
    return out


def field_path(sheet: str, key: str, item_path: tuple, quarter: Quarter) -> tuple:
    """Where the input column `key` of `sheet` is written in the plan's YAML."""
    q = quarter.label
    paths = {
        ("Actions", "rag"): ("rag", quarter.year.label, quarter.key),
        ("Actions", "commentary"): ("updates", q, "commentary"),
        ("Actions", "path_to_green"): ("updates", q, "path_to_green"),
        ("Milestones", "status"): ("status",),
        ("Milestones", "forecast"): ("forecast",),
        ("QIPP", "forecast"): ("forecast", q),
        ("QIPP", "confidence"): ("confidence",),
        ("Risks", "likelihood"): ("likelihood",),
        ("Risks", "impact"): ("impact",),
        ("Risks", "mitigation"): ("updates", q, "mitigation"),
        ("Indicators", "actual"): ("actuals", q),
    }
    return item_path + paths[(sheet, key)]


def get(data: Any, path: tuple) -> Any:
    """The value at `path` in the plan's data, or None."""
    node = data
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def comparable(value: Any) -> Any:
    """A plan value as recorded in a workbook (JSON): dates as ISO text, mappings as they are."""
    import datetime as dt

    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value
