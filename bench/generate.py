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
