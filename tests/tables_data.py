"""A small version 2 plan with data tables of every column type, for the tables tests: a narrow
table in the finance chapter (with a stated total that differs), a wide activity table and a
40-row checklist (in the appendix), and a RAG table in the vision chapter."""

from __future__ import annotations

import copy

BASE = {
    "schema_version": 2,
    "organisation": {"name": "NHS Test Valley CCG", "short_name": "Test Valley"},
    "plan": {"title": "Operational plan", "period": {"start": "2014/15", "end": "2015/16"},
             "as_at": "2014/15 Q2", "version": "1.0", "status": "submitted"},
    "vision": {"mission": "Better care, closer to home."},
    "domains": [{"id": "uc", "title": "Urgent care"}],
    "actions": [{"id": "UC-01", "domain": "uc", "title": "Open an urgent care centre", "due": "2015-03"}],
    "finance": {"unit": "gbp_thousands", "expenditure": [{"id": "acute", "title": "Acute",
                                                           "amounts": {"2014/15": 120000}}]},
}

ASSUMPTIONS = {
    "id": "planning-assumptions", "title": "Planning assumptions", "chapter": "finance",
    "description": "The assumptions behind the financial plan.",
    "source": "Finance strategy, table 4",
    "columns": [
        {"id": "item", "title": "Assumption", "type": "text"},
        {"id": "2013/14", "type": "percent"},
        {"id": "2014/15", "type": "percent"},
        {"id": "2013-12", "type": "money", "unit": "gbp_thousands"},
    ],
    "rows": [
        {"id": "growth", "item": "Allocation growth", "2013/14": 2.3, "2014/15": 2.14, "2013-12": 12345.5},
        {"id": "deflator", "item": "Tariff deflator", "2013/14": -1.3, "2014/15": -1.8, "2013-12": 775.4},
        {"id": "cqc", "item": "CQUIN", "2013/14": 2.5, "2014/15": "tbc", "2013-12": 10000},
        {"id": "total", "total": True, "item": "Total", "2013-12": 23125},
    ],
}

WIDE = {
    "id": "activity", "title": "Activity plan by point of delivery",
    "columns": [{"id": "pod", "title": "Point of delivery", "type": "text"}]
    + [{"id": f"2014-{m:02d}", "type": "number"} for m in range(4, 13)]
    + [{"id": "2012-07/2013-06", "type": "number"}, {"id": "year", "title": "Year", "type": "number"}],
    "rows": [{"id": f"pod-{i}", "pod": name, **{f"2014-{m:02d}": 1000 * i + m for m in range(4, 13)},
              "2012-07/2013-06": 12000 * i, "year": sum(1000 * i + m for m in range(4, 13))}
             for i, name in enumerate(["Elective inpatients", "Day cases", "Outpatient first attendances",
                                       "A&E attendances"], 1)]
    + [{"id": "sum", "total": True, "pod": "All points of delivery",
        **{f"2014-{m:02d}": sum(1000 * i + m for i in range(1, 5)) for m in range(4, 13)}}],
}

CHECKLIST = {
    "id": "checklist", "title": "Assurance checklist",
    "columns": [{"id": "item", "title": "Requirement", "type": "text"},
                {"id": "met", "title": "Met", "type": "tick"},
                {"id": "due", "title": "Due", "type": "date"},
                {"id": "risk", "title": "Risk", "type": "rating"}],
    "rows": [{"id": f"r{i}", "item": f"Requirement {i}: the plan shows how it meets standard {i}",
              "met": i % 3 != 0, "due": "2015-03-31" if i % 2 else "2015/16 Q3",
              "risk": ["low", "moderate", "high", "extreme"][i % 4]} for i in range(1, 41)],
}

PROVIDERS = {
    "id": "providers", "title": "Provider ratings", "chapter": "vision",
    "columns": [{"id": "provider", "title": "Provider", "type": "text"},
                {"id": "rag", "title": "Quality RAG", "type": "rag"},
                {"id": "beds", "title": "Beds", "type": "number"}],
    "rows": [{"id": "ekhuft", "provider": "East Kent Hospitals", "rag": "amber", "beds": 1250},
             {"id": "kcht", "provider": "Kent Community Health", "rag": "green", "beds": "n/a"}],
}


def tables_plan(*tables: dict) -> dict:
    data = copy.deepcopy(BASE)
    data["tables"] = copy.deepcopy(list(tables or (ASSUMPTIONS, WIDE, CHECKLIST, PROVIDERS)))
    return data
