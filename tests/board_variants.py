"""Plans of awkward sizes for the board-quality tests (tests/test_board_quality.py) and for looking at
the pages they give: many vision statements, many programmes, many actions with no RAG reported,
risks with and without likelihood and impact. Built from the example plans; nothing bulky committed."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
SKC = PLANS / "south-kent-coast-2014-16.yaml"
SWALE = PLANS / "swale-2015-16.yaml"

# Vision statements of the lengths real plans use (60 to 330 characters), each ending in words that
# appear nowhere else, so a test can tell whether the end of a statement reached the page.
STATEMENTS = [
    ("Care closer to home", "More care delivered in the community by integrated teams, so that people are "
     "treated in hospital only when they need to be and return home sooner, supported by the services "
     "around their GP practice and the wider neighbourhood network of carers and volunteers."),
    ("Urgent care", "A simple urgent care system that people understand, with one number to call and a "
     "clinician who can see their record."),
    ("Planned care", "Shorter waits for planned treatment, with referral pathways agreed between GPs and "
     "consultants and outpatient follow-ups reduced where they add no value to the patient."),
    ("Mental health", "Parity of esteem: mental and physical health valued equally, with crisis support "
     "available around the clock and psychological therapies for everyone who needs them."),
    ("Children and young people", "Every child has the best start in life, with emotional wellbeing "
     "services in schools and a single assessment for families with complex needs."),
    ("Prevention", "Help people to stay well: fewer people smoking, more people active, and long-term "
     "conditions found early and managed well in primary care, so that avoidable admissions fall year on year."),
    ("Quality and safety", "Services that are safe, effective and caring, with learning from every serious "
     "incident shared across the local health economy."),
    ("Sustainability", "A health and care system that lives within its means: every pound spent where it "
     "does most good for patients, the estate used well and the workforce planned for the next ten years, "
     "so that the services the people of the district rely on are still there for their grandchildren."),
    ("Engagement", "Patients and the public shape what we commission, through the patient participation "
     "groups and the health network meetings held in every locality of the district."),
    ("Digital care", "Records shared safely between the professionals caring for a patient, and online "
     "booking, prescriptions and advice for everyone who wants them."),
    ("Workforce", "Enough skilled staff in the right places, with new roles such as physician associates "
     "and clinical pharmacists working alongside general practitioners."),
    ("Partnership", "Working with the borough council, the county council and the voluntary sector as one "
     "system with shared goals and pooled budgets wherever that helps the people we serve."),
]

DOMAIN_NAMES = [
    "Urgent and emergency care", "Planned care", "Mental health", "Children and maternity",
    "Primary care", "Long-term conditions", "Cancer", "End of life care", "Learning disabilities",
    "Medicines optimisation", "Community services", "Dementia", "Prevention and public health",
    "Estates and digital",
]

RAGS = ["green", "amber", "red", "green", "blue", "amber", "green", "grey"]


def raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(data: dict) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def with_statements(data: dict, count: int) -> dict:
    data = copy.deepcopy(data)
    data["vision"]["statements"] = [{"label": label, "text": text} for label, text in STATEMENTS[:count]]
    return data


def with_domains(data: dict, count: int, rag: bool = True) -> dict:
    """The plan's actions dealt out over `count` programmes, with quarterly RAG reported (a mix of
    colours) unless `rag` is False."""
    data = copy.deepcopy(data)
    data["domains"] = [{"id": f"D{i + 1:02d}", "title": DOMAIN_NAMES[i]} for i in range(count)]
    for key in ("qipp", "risks", "indicators", "bcf"):
        for item in (data.get(key) or {}).get("schemes", []) if key in ("qipp", "bcf") else (data.get(key) or []):
            item.pop("domain", None)
    year = data["plan"]["as_at"].split()[0]
    for n, action in enumerate(data["actions"]):
        action["domain"] = f"D{n % count + 1:02d}"
        action.pop("rag", None)
        if rag:
            action["rag"] = {year: {"q1": RAGS[n % len(RAGS)]}}
    return data


def many_actions_no_rag(count: int = 101) -> dict:
    """The South Kent Coast plan (as written for version 1: its RAG grids, not its v2 chapters, are the
    point) with its actions repeated to `count`, none with any RAG reported."""
    data = raw(PLANS.parent / "tests" / "fixtures" / "v1" / "south-kent-coast-2014-16.yaml")
    base = data["actions"]
    out = []
    for n in range(count):
        action = copy.deepcopy(base[n % len(base)])
        action["id"] = f"GEN-{n + 1:03d}"
        action["title"] = f"{action['title']} ({n + 1})"
        action.pop("rag", None)
        for k, milestone in enumerate(action.get("milestones") or []):
            milestone["id"] = f"GEN-{n + 1:03d}-M{k + 1}"
        out.append(action)
    data["actions"] = out
    return data


def scored_risks(data: dict, scored: int, rated_only: int, unrated: int) -> dict:
    """The plan's risk register rebuilt as `scored` risks with likelihood and impact, `rated_only`
    with a rating and nothing else, and `unrated` with neither."""
    data = copy.deepcopy(data)
    base = data.get("risks") or raw(SKC)["risks"]
    risks = []
    for n in range(scored + rated_only + unrated):
        risk = {k: v for k, v in copy.deepcopy(base[n % len(base)]).items()
                if k not in ("rating", "likelihood", "impact", "gross", "target")}
        risk["id"] = f"RK-{n + 1:02d}"
        if n < scored:
            risk["likelihood"], risk["impact"] = [(4, 4), (3, 5), (2, 3), (5, 2), (3, 3), (1, 4), (4, 2), (2, 2)][n % 8]
        elif n < scored + rated_only:
            risk["rating"] = ["high", "moderate", "extreme", "low"][n % 4]
        risks.append(risk)
    data["risks"] = risks
    return data
