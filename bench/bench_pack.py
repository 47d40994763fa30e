"""Pack speed at scale (issue 10: `opgen pack`).

50 generated plans (20 to 40 actions each, each a different organisation, from the South Kent Coast
example) and a pack file over them, in a temporary folder:

1. cold: `opgen pack packs/bench.yaml -j 2`, building all 50 plans on a page too;
2. after one plan changed (one action's RAG), the same command again.

Reports the seconds of each, the ratio (goal: the second at most 20% of the first) and the peak
memory (ru_maxrss) of this process and of its children (the `opgen pack` process and its workers).

Run: .venv/bin/python bench/bench_pack.py [--plans 50] [-j 2] [--keep DIR]

Until the pack's view and renderer are merged (opgen/pack/view.py `pack_view`,
opgen/render/pack_pdf.py, opgen/render/docx/pack.py, opgen/pack/changes.py), the missing ones are
replaced by the test stand-ins of tests/pack_standins.py, and the report says so: the figures then
measure the orchestration and the plans on a page only, not the pack's own layout.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import ROOT, big_plan, write_plan  # noqa: E402

ENV = dict(os.environ, SOURCE_DATE_EPOCH="1426636800", CI="1", NO_COLOR="1")
RAGS = ["green", "amber", "red", "green", "blue"]


def missing_modules() -> list[str]:
    import opgen.pack.view as view

    missing = [name for name in ("opgen.render.pack_pdf", "opgen.render.docx.pack", "opgen.pack.changes")
               if importlib.util.find_spec(name) is None]
    return (["opgen.pack.view.pack_view"] if not hasattr(view, "pack_view") else []) + missing


def command(args: list[str], stand_ins: bool) -> list[str]:
    if not stand_ins:
        return [sys.executable, "-m", "opgen", *args]
    code = ("import sys; sys.path.insert(0, %r); import pack_standins; pack_standins.install(); "
            "from opgen.cli.main import main; sys.exit(main(sys.argv[1:]))" % str(ROOT / "tests"))
    return [sys.executable, "-c", code, *args]


def generate(folder: Path, count: int, seed: int = 10) -> list[Path]:
    """`count` distinct plans: a different organisation each, 20 to 40 actions, RAGs varied."""
    rng = random.Random(seed)
    (folder / "plans").mkdir(parents=True)
    paths = []
    for i in range(count):
        data = big_plan(rng.randint(20, 40))
        data["organisation"] = {"name": f"NHS Bench Area {i + 1:02d} Clinical Commissioning Group",
                                "short_name": f"Area {i + 1:02d}", "code": f"B{i + 1:02d}"}
        data["plan"]["title"] = f"Operational Plan of Area {i + 1:02d}"
        as_at = data["plan"]["as_at"]  # "2014/15 Q1": each action rated for it
        year, quarter = as_at.split()
        for action in data["actions"]:
            action["rag"] = {year: {quarter.lower(): rng.choice(RAGS)}}
        paths.append(write_plan(data, folder / "plans" / f"area-{i + 1:02d}-2015-16.yaml"))
    (folder / "packs").mkdir()
    lines = ["pack_version: 1", "title: Review of Commissioning Plans (benchmark)", "board: Bench Health and Wellbeing Board",
             "meeting: 2015-03-18", "item: \"5\"", "plans:"]
    lines += [f"  - ../plans/{p.name}" for p in paths]
    (folder / "packs" / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def change_one_rag(path: Path) -> str:
    """Flip the first RAG of the plan's first rated action; what changed, in words."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for n, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("q1:", "q2:", "q3:", "q4:")) and stripped.split(":", 1)[1].strip() in RAGS:
            old = stripped.split(":", 1)[1].strip()
            new = "red" if old != "red" else "green"
            lines[n] = line.replace(f": {old}", f": {new}", 1)
            path.write_text("".join(lines), encoding="utf-8")
            return f"{path.name} line {n + 1}: {old} -> {new}"
    raise SystemExit(f"no RAG found in {path}")


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"opgen pack failed (exit {done.returncode})")
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    stand_ins = missing_modules()
    if stand_ins:
        print(f"NOTE: stand-ins for {', '.join(stand_ins)} (not merged on this branch): the pack's own layout is "
              f"not measured", flush=True)
    tmp = None
    if args.keep:
        shutil.rmtree(args.keep, ignore_errors=True)
        folder = args.keep
    else:
        tmp = tempfile.TemporaryDirectory()
        folder = Path(tmp.name)
    try:
        plans = generate(folder, args.plans)
        cmd = command(["pack", "packs/bench.yaml", "-j", str(args.jobs)], bool(stand_ins))
        cold, cold_line = timed(cmd, folder)
        print(f"cold ({len(plans)} plans, -j {args.jobs}): {cold:.1f}s\n  {cold_line}", flush=True)
        what = change_one_rag(plans[len(plans) // 2])
        warm, warm_line = timed(cmd, folder)
        print(f"one plan changed ({what}): {warm:.1f}s\n  {warm_line}")
        ratio = warm / cold
        print(f"ratio: {ratio:.1%} of cold (goal: at most 20%) {'OK' if ratio <= 0.20 else 'OVER'}")
        same, same_line = timed(cmd, folder)
        print(f"nothing changed: {same:.1f}s ({same / cold:.1%} of cold)")
        self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"peak memory (ru_maxrss): this process {self_kb / 1024:.0f} MB, largest child "
              f"(opgen pack or a worker) {children_kb / 1024:.0f} MB")
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
