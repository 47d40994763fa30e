"""Build speed (issue: `opgen build`).

1. Overhead: `opgen build --format pdf` of the South Kent Coast plan against WeasyPrint alone
   (its own command line, same PDF options) rendering the HTML opgen emits for it. Median of 3.
   Target: ratio <= 1.15.
2. A rebuild with nothing changed, as a share of a cold build (all formats). Target: <= 5%.
3. `-j 2` against `-j 1` on a batch of six plans (the three examples, twice). Target: >= 1.7x.
4. A 1,000-action plan: build time and peak memory.

Run: .venv/bin/python bench/bench_build.py [--only 1,2,3,4] [--plan PLAN]
   (--plan: the plan for parts 1 and 2, default the South Kent Coast example)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import ROOT, SKC, big_plan, write_plan  # noqa: E402
from opgen.resources import TEMPLATES_DIR  # noqa: E402

BIN = Path(sys.executable).parent
OPGEN = [str(BIN / "opgen")] if (BIN / "opgen").exists() else [sys.executable, "-m", "opgen"]
WEASYPRINT = [str(BIN / "weasyprint")] if (BIN / "weasyprint").exists() else [sys.executable, "-m", "weasyprint"]
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1420070400", CI="1")


def run(cmd) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=ENV)
    return time.perf_counter() - started


def median(fn, runs=3) -> float:
    return statistics.median(fn() for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="1,2,3,4", help="which parts to run, e.g. 1,2")
    parser.add_argument("--plan", type=Path, default=SKC, help="the plan for parts 1 and 2")
    args = parser.parse_args()
    parts = {part.strip() for part in args.only.split(",")}
    plan = args.plan.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out = tmp / "out"

        if "1" in parts:
            overhead(plan, tmp, out)
        if "2" in parts:
            noop_rebuild(plan, out)
        if "3" in parts:
            parallel(tmp)
        if "4" in parts:
            thousand(tmp)


def overhead(plan: Path, tmp: Path, out: Path) -> None:
    """1. `opgen build --format pdf` against WeasyPrint alone on the HTML opgen emits."""
    run(OPGEN + ["build", str(plan), "--out", str(out), "--format", "html", "--force"])
    html_dir = out / plan.stem
    pdf_opts = ["--pdf-variant", "pdf/ua-1", "--pdf-tags", "--base-url", str(TEMPLATES_DIR) + "/"]

    def weasy_alone() -> float:
        return sum(run(WEASYPRINT + [str(html_dir / f"{name}.html"), str(tmp / f"{name}.pdf"), *pdf_opts])
                   for name in ("plan-on-a-page", "operational-plan"))

    ours = median(lambda: run(OPGEN + ["build", str(plan), "--out", str(out), "--format", "pdf", "--force"]))
    theirs = median(weasy_alone)
    print(f"1. overhead ({plan.name}): opgen build --format pdf {ours:.2f} s; WeasyPrint alone on opgen's HTML "
          f"{theirs:.2f} s; ratio {ours / theirs:.3f} (target <= 1.15)")


def noop_rebuild(plan: Path, out: Path) -> None:
    """2. A rebuild with nothing changed against a cold build."""
    cold = median(lambda: run(OPGEN + ["build", str(plan), "--out", str(out), "--force"]))
    noop = median(lambda: run(OPGEN + ["build", str(plan), "--out", str(out)]), 5)
    print(f"2. rebuild with nothing changed {noop * 1000:.0f} ms; cold build {cold:.2f} s; "
          f"{100 * noop / cold:.1f}% (target <= 5%)")


def parallel(tmp: Path) -> None:
    """3. -j 2 against -j 1 on six plans."""
    batch = tmp / "six"
    batch.mkdir()
    for i, plan in enumerate(sorted((ROOT / "plans").glob("*.yaml")) * 2):
        shutil.copy(plan, batch / f"{i}-{plan.name}")
    j1 = median(lambda: run(OPGEN + ["build", str(batch), "--out", str(tmp / "j"), "--force", "-j", "1"]))
    j2 = median(lambda: run(OPGEN + ["build", str(batch), "--out", str(tmp / "j"), "--force", "-j", "2"]))
    print(f"3. six plans: -j 1 {j1:.2f} s, -j 2 {j2:.2f} s; speed-up {j1 / j2:.2f}x on {os.cpu_count()} cores "
          f"(target >= 1.7x)")


def thousand(tmp: Path) -> None:
    """4. A 1,000-action plan: build time and peak memory."""
    big = write_plan(big_plan(1000), tmp / "big-1000.yaml")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds = run(OPGEN + ["build", str(big), "--out", str(tmp / "big"), "--force"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sizes = {p.name: p.stat().st_size for p in (tmp / "big" / big.stem).iterdir() if not p.name.startswith(".")}
    print(f"4. 1,000-action plan: build (all formats) {seconds:.1f} s, peak memory {max(peak, before) / 1024:.0f} MiB; "
          + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sorted(sizes.items())))


if __name__ == "__main__":
    main()
