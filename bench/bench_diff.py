"""Benchmark `opgen diff` on two 1,000-action versions of a plan.

The plans are generated from the South Kent Coast example in a temporary folder (no bulk data is
committed): its 25 actions cloned to N actions with quarterly RAG and milestones, QIPP schemes,
risks and indicators scaled with them. The second version moves as_at a quarter on and edits about
one item in ten (RAG ratings, slipped milestones, QIPP savings, risk scores, new and removed items,
indicator actuals), and lists its items in a different order.

Reports the median of several runs of
  - end to end: load + validate + model for both files, then diff (what `opgen diff` does), and
  - the diff alone (diff_plans on two built models), and
  - rendering the text, Markdown and JSON reports.

    python bench/bench_diff.py [--actions 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opgen.diff import diff_plans  # noqa: E402
from opgen.pipeline import plan_from_file  # noqa: E402
from opgen.diff import report as diff_report  # noqa: E402

SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"
RAG = ["red", "amber", "green", "blue"]


def big_versions(actions: int, seed: int = 2014) -> tuple[dict, dict]:
    """(old, new) plan data with `actions` actions each."""
    rng = random.Random(seed)
    base = yaml.safe_load(SKC.read_text(encoding="utf-8"))
    base["plan"]["version"] = "1.0"
    base["plan"]["as_at"] = "2014/15 Q2"
    templates = base["actions"]
    out = []
    for i in range(actions):
        t = copy.deepcopy(templates[i % len(templates)])
        t["id"] = f"ACT-{i:04d}"
        t["title"] = f"{t['title']} ({i})"
        t["lead"] = f"Programme lead {i % 37}"
        t["due"] = "2015/16 Q4"
        t["rag"] = {"2014/15": {"q1": rng.choice(RAG[:3]), "q2": rng.choice(RAG[:3])}}
        t["milestones"] = [{"id": f"ACT-{i:04d}-M{j}", "title": f"Milestone {j} of action {i}",
                            "due": f"2015/16 Q{1 + (i + j) % 4}", "status": "in_progress"} for j in (1, 2)]
        t.pop("mitigation", None)
        t["mitigation"] = "Recovery plan agreed with the provider."
        out.append(t)
    base["actions"] = out
    schemes = base["qipp"]["schemes"]
    base["qipp"]["schemes"] = [
        {**copy.deepcopy(schemes[i % len(schemes)]), "id": f"Q-{i:04d}",
         "savings": {"2014/15": 100 + i, "2015/16": 120 + i}, "confidence": rng.choice(RAG[:3])}
        for i in range(actions // 5)]
    base["qipp"].pop("stated_total", None)
    for scheme in base["qipp"]["schemes"]:
        scheme.pop("investment", None)
    risks = base["risks"]
    base["risks"] = [{**copy.deepcopy(risks[i % len(risks)]), "id": f"R-{i:04d}", "owner": "Director",
                      "likelihood": 1 + i % 4, "impact": 1 + (i // 4) % 4} for i in range(actions // 10)]
    for risk in base["risks"]:
        risk.pop("rating", None)
    indicators = base["indicators"]
    base["indicators"] = [{**copy.deepcopy(indicators[i % len(indicators)]), "id": f"KPI-{i:04d}",
                           "baseline": {"value": 50 + i % 10}, "targets": {"2014/15": 55, "2015/16": 60}}
                          for i in range(actions // 20)]

    new = copy.deepcopy(base)
    new["plan"]["version"] = "1.1"
    new["plan"]["as_at"] = "2014/15 Q3"
    for i, a in enumerate(new["actions"]):
        if i % 10 == 0:
            a["rag"]["2014/15"]["q3"] = rng.choice(RAG)
        if i % 10 == 3:
            a["milestones"][0]["due"] = "2015/16 Q4"
        if i % 25 == 7:
            a["title"] += " (revised)"
    del new["actions"][5::97]
    new["actions"] += [{"id": f"NEW-{i:03d}", "domain": "ooh", "title": f"New scheme {i}"} for i in range(10)]
    for i, s in enumerate(new["qipp"]["schemes"]):
        if i % 10 == 0:
            s["savings"]["2015/16"] -= 7
    for i, r in enumerate(new["risks"]):
        if i % 10 == 0:
            r["likelihood"] = min(5, r["likelihood"] + 1)
    for i, k in enumerate(new["indicators"]):
        k["actuals"] = {"2014/15 Q1": 52 + i % 7}
    rng.shuffle(new["actions"])
    rng.shuffle(new["risks"])
    return base, new


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    old_data, new_data = big_versions(args.actions)
    with tempfile.TemporaryDirectory() as folder:
        old_path, new_path = Path(folder) / "old.yaml", Path(folder) / "new.yaml"
        old_path.write_text(yaml.safe_dump(old_data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        new_path.write_text(yaml.safe_dump(new_data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        size = old_path.stat().st_size

        def end_to_end():
            old, new = plan_from_file(old_path), plan_from_file(new_path)
            assert old.ok and new.ok, [d.as_text() for d in (old.report.errors + new.report.errors)[:3]]
            return diff_plans(old.plan, new.plan, old_warnings=old.report.warnings,
                              new_warnings=new.report.warnings)

        changes = end_to_end()
        old, new = plan_from_file(old_path), plan_from_file(new_path)
        load_time = median_time(lambda: (plan_from_file(old_path), plan_from_file(new_path)), args.runs)
        total = median_time(end_to_end, args.runs)
        alone = median_time(lambda: diff_plans(old.plan, new.plan, old_warnings=old.report.warnings,
                                               new_warnings=new.report.warnings), args.runs)
        render = median_time(lambda: (diff_report.render_text(changes), diff_report.render_markdown(changes),
                                      diff_report.render_json(changes)), args.runs)

    print(f"opgen diff benchmark: two plans of {len(old.plan.actions)} and {len(new.plan.actions)} actions "
          f"({size / 1024:.0f} KB of YAML each), {len(changes)} changes; median of {args.runs} runs")
    print(f"  headline: {changes.headline}")
    print(f"  load + validate + model, both files: {load_time * 1000:8.1f} ms")
    print(f"  end to end (load + validate + model + diff): {total * 1000:8.1f} ms")
    print(f"  diff alone (diff_plans): {alone * 1000:8.1f} ms")
    print(f"  render text + markdown + json: {render * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
