"""Validation speed.

1. A 1,000-action plan: load + schema + semantic rules, in process and as a CLI call.
1b. A version 2 plan ten times the largest example (Swale: every list x10, dates ongoing, throughout
   a year and over spans, indicator figures for any period): `opgen validate` end to end, target < 1 s.
2. 200 example-size plans in one call: `opgen validate` against `check-jsonschema` with the same
   schema on the same files (schema only, no semantic checks), same run. Reports the ratio.

Run: .venv/bin/python bench/bench_validate.py   (needs: pip install -e ".[bench]")
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import ROOT, big_plan, v2_big_plan, write_plan  # noqa: E402

from opgen.pipeline import plan_from_file  # noqa: E402

RUNS = 5


def timed(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    bin_dir = Path(sys.executable).parent
    opgen = [str(bin_dir / "opgen")] if (bin_dir / "opgen").exists() else [sys.executable, "-m", "opgen"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = write_plan(big_plan(1000), tmp / "big-1000.yaml")
        report = plan_from_file(str(big)).report
        assert not report.errors, report.errors[:3]
        in_process = timed(lambda: plan_from_file(str(big)))
        cli = timed(lambda: subprocess.run(opgen + ["validate", str(big)], capture_output=True, check=False))
        print(f"1,000-action plan ({big.stat().st_size / 1024:.0f} KiB): validate in process {in_process * 1000:.0f} ms, "
              f"CLI end to end {cli * 1000:.0f} ms (median of {RUNS})")

        v2 = write_plan(v2_big_plan(10), tmp / "v2-x10.yaml")
        report = plan_from_file(str(v2)).report
        assert not report.errors, [d.as_text() for d in report.errors[:3]]
        in_process = timed(lambda: plan_from_file(str(v2)))
        cli = timed(lambda: subprocess.run(opgen + ["validate", str(v2)], capture_output=True, check=False), 10)
        print(f"v2 plan, 10x the largest example ({v2.stat().st_size / 1024:.0f} KiB, {len(report.warnings)} warnings): "
              f"validate in process {in_process * 1000:.0f} ms, CLI end to end {cli * 1000:.0f} ms "
              f"(median of 10; target < 1,000 ms)")

        batch = tmp / "batch"
        batch.mkdir()
        examples = sorted((ROOT / "plans").glob("*.yaml"))
        for i in range(200):
            shutil.copy(examples[i % len(examples)], batch / f"plan-{i:03d}.yaml")
        files = sorted(str(p) for p in batch.glob("*.yaml"))
        ours = timed(lambda: subprocess.run(opgen + ["validate", *files], capture_output=True, check=False), 3)
        theirs_cmd = [sys.executable, "-m", "check_jsonschema", "--schemafile", str(ROOT / "schemas" / "plan.schema.json"),
                      *files]
        probe = subprocess.run(theirs_cmd, capture_output=True, text=True)
        if "No module named" in probe.stderr:
            print("check-jsonschema is not installed: pip install -e '.[bench]'")
            return
        theirs = timed(lambda: subprocess.run(theirs_cmd, capture_output=True, check=False), 3)
        print(f"200 example plans in one call: opgen validate {ours:.2f} s (schema + semantic rules), "
              f"check-jsonschema {theirs:.2f} s (schema only) -> opgen is {theirs / ours:.1f}x faster "
              f"(median of 3; check-jsonschema exit {probe.returncode})")


if __name__ == "__main__":
    main()
