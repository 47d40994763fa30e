"""Generate large plans for benchmarks from the real example plans (nothing bulky is committed)."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from opgen.load import load_text

ROOT = Path(__file__).resolve().parent.parent
SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return float(value)
    return value


def example_data(path: Path = SKC) -> dict:
    return _plain(load_text(path.read_text(encoding="utf-8"), str(path)).data)


def big_plan(actions: int = 1000, source: Path = SKC) -> dict:
    """The example plan with its actions (and their milestones) repeated to `actions` items, new ids."""
    data = example_data(source)
    originals = data["actions"]
    data["actions"] = []
    for i in range(actions):
        action = copy.deepcopy(originals[i % len(originals)])
        action["id"] = f"{action['id']}-{i:04d}"
        action["title"] = f"{action['title']} ({i + 1})"
        for j, milestone in enumerate(action.get("milestones") or []):
            milestone["id"] = f"{action['id']}-M{j + 1}"
        data["actions"].append(action)
    return data


def write_plan(data: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


SWALE = ROOT / "plans" / "swale-2015-16.yaml"

_LISTS = (("domains",), ("actions",), ("indicators",), ("risks",), ("qipp", "schemes"), ("finance", "allocation"),
          ("finance", "expenditure"))


def v2_big_plan(factor: int = 10, source: Path = SWALE) -> dict:
    """A version 2 plan `factor` times the example (every list repeated with new ids), using the
    version 2 forms: actions and milestones due ongoing, throughout a year or over a span;
    indicators with targets and actuals for periods outside the plan period (a month, a calendar
    year, a rolling 12 months), a baseline period in words; a version history."""
    data = example_data(source)
    data["schema_version"] = 2
    start = data["plan"]["period"]["start"]
    for path in _LISTS:
        owner = data
        for key in path[:-1]:
            owner = owner.get(key) or {}
        items = owner.get(path[-1])
        if not items:
            continue
        copies = []
        for n in range(factor):
            for item in items:
                item = copy.deepcopy(item)
                suffix = f"-x{n}" if n else ""
                item["id"] = f"{item['id']}{suffix}"
                if "domain" in item:
                    item["domain"] = f"{item['domain']}{suffix}"
                for j, milestone in enumerate(item.get("milestones") or []):
                    milestone["id"] = f"{item['id']}-M{j + 1}"
                copies.append(item)
        owner[path[-1]] = copies
    for i, action in enumerate(data["actions"]):
        if i % 3 == 0:
            action["due"] = "ongoing"
        elif i % 5 == 0:
            action["due"] = {"throughout": start}
        elif i % 7 == 0:
            action["start"] = f"{start} Q2"
            action["due"] = {"from": f"{start} Q2", "to": f"{start} Q4"}
        for milestone in action.get("milestones") or []:
            if i % 4 == 0:
                milestone["due"] = "ongoing"
    for indicator in data.get("indicators") or []:
        indicator.setdefault("targets", {}).update({"2013-12": 90, "2012": 88, "2018/19": 95})
        indicator.setdefault("actuals", {}).update({"2014-07/2015-06": 91, "2015/16 Q1": 92})
        indicator["baseline"] = {"value": 85, "period": "2013-07/2014-06"}
    data["plan"]["history"] = [{"version": f"0.{n}", "date": f"2014-{n % 12 + 1:02d}", "author": "Planning team",
                                "summary": f"Draft {n}"} for n in range(12)]
    return data
