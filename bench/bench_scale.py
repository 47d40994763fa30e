"""Scale (issue 13, deliverable 3): big plans built with `opgen build --format all -j 2`, cold.

Plans of 25, 250 and 1,000 actions (bench/generate.py: the South Kent Coast example's actions
repeated with new ids) are each built cold (`--force`, a fresh output folder). For each it reports:
the wall time of the whole build, each document's own time (the seconds `opgen build` prints per
document, measured inside its worker), pages, time per page, and peak memory.

Each build is run cold (`--force`, a fresh output folder): once with a poller reading /proc, for its
memory, and `--rounds` times (3) with nothing watching it, for its wall and CPU time, the median
reported (the poller reads every process's page tables on the same two cores: it made one 10.6 s
build take 13.4 s; and on a shared virtual machine one build of the baseline took 24.4 s, another
36.4 s).

Peak memory is the largest SUM of resident set sizes of the build's whole process tree (the `opgen`
process, its render server and worker processes), polled from /proc every 50 ms; it is what the machine must have
free. `getrusage(RUSAGE_CHILDREN).ru_maxrss` (the largest single process) is printed beside it.

Ratios are measured in one run: with `--baseline-ref REF` (default c3d2423, the commit before this
work) the same plans are built by that commit's code too (exported with `git archive` into a
temporary folder and put first on PYTHONPATH), alternately with the current code, so both see the
same machine load. `--baseline-seconds S` instead compares the 1,000-action build against a fixed
time (the issue's 86.6 s). Target: 1,000 actions in <= 35% of the baseline and <= 700 MiB.

Reference, measured at c3d2423 (before this work) on the 2-core machine shared with other builds
(load average 6-7), 1,000 actions, -j 2: 192.5 s wall, peak 816 MiB RSS summed over the tree
(largest process 643 MiB: the full plan's worker); full plan 246 pages in 188.6 s (0.77 s a page),
plan on a page 46.7 s (8 layouts), Word annex 4.9 s. In one process, CPU seconds: load and validate
0.5, full plan HTML 0.7, its WeasyPrint layout 47.7 and PDF writing 21.9, plan on a page fit 6.3,
annex 0.9. Wall figures follow the machine's load; the ratios measured in one run are what count.

Run: .venv/bin/python bench/bench_scale.py [--sizes 25,250,1000] [--baseline-ref REF | --no-baseline]
     [--baseline-seconds 86.6]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import ROOT, big_plan, write_plan  # noqa: E402

ENV = dict(os.environ, SOURCE_DATE_EPOCH="1420070400", CI="1")
BUILT = re.compile(r"^built (.+) \(([\d.]+)s\)$")
DOCUMENTS = {"operational-plan": "full plan (PDF+HTML)", "plan-on-a-page": "plan on a page", "annex": "Word annex"}


def _descendants(root: int) -> set[int]:
    """`root` and every process under it, from one pass over /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(children.get(pid, []))
    return tree


def _rss(tree: set[int]) -> int:
    """The sum of the resident set sizes of the processes in `tree`, in bytes: RSS counts the pages a
    forked worker shares with the process it was forked from once in each (so it overstates)."""
    rss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return rss


def _pss(tree: set[int]) -> int:
    """The sum of the proportional set sizes (shared pages divided among their sharers), in bytes. Reading
    smaps_rollup walks a process's page tables: polled every 50 ms it took seconds of the two cores the
    build runs on, so it is read every PSS_EVERY polls."""
    pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return pss


PSS_EVERY = 10


def _reap_orphans() -> None:
    """Wait for every process left under this one (see _become_subreaper), so their CPU time is counted
    in RUSAGE_CHILDREN."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _become_subreaper() -> None:
    """The build's worker processes are forked by a render server (opgen.render_pool) that outlives the
    build process by a moment; as a subreaper this process inherits and reaps it, so RUSAGE_CHILDREN
    includes the workers' CPU time (Linux; elsewhere the CPU figure leaves them out)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER


def build(plan: Path, out: Path, pythonpath: str | None, *, watch_memory: bool = True) -> dict:
    """One cold build. With `watch_memory`, the process tree's memory is polled from /proc while it runs;
    the poller reads every process's page tables on the two cores the build runs on (seen: 2.8 s added
    to a 10.6 s build), so the times reported are those of a build run without it (see measure)."""
    env = dict(ENV)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = [sys.executable, "-m", "opgen", "build", str(plan), "--out", str(out), "--format", "all", "-j", "2",
           "--force"]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd="/")
    peak = peak_pss = polls = 0
    while watch_memory and process.poll() is None:
        tree = _descendants(process.pid)
        peak = max(peak, _rss(tree))
        if polls % PSS_EVERY == 0:
            peak_pss = max(peak_pss, _pss(tree))
        polls += 1
        time.sleep(0.05)
    process.wait()
    seconds = time.perf_counter() - started
    output = process.stdout.read().decode()
    _reap_orphans()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    if process.returncode not in (0, 1):
        raise SystemExit(f"build failed ({process.returncode}):\n{output[-2000:]}")
    documents = {}
    for line in output.splitlines():
        match = BUILT.match(line.strip())
        if match:
            first = Path(match.group(1).split(", ")[0]).stem
            documents[first] = float(match.group(2))
    folder = out / plan.stem
    pages = {name: _pages(folder / f"{name}.pdf") for name in ("operational-plan", "plan-on-a-page")}
    return {"seconds": seconds, "cpu": cpu, "peak": peak, "pss": peak_pss, "documents": documents, "pages": pages,
            "maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}


def measure(plan: Path, out: Path, base: str | None, rounds: int) -> tuple[dict, dict | None]:
    """The current code's and the baseline's builds of `plan`: each one's peak memory from a run with the
    /proc poller, then its time and CPU from `rounds` runs with nothing watching, the current code and
    the baseline taking turns (so both meet the same spells of load on a shared machine); the median
    of the rounds is reported (each run cold: a fresh output folder)."""
    versions = {"now": None} | ({"base": base} if base else {})
    watched = {name: build(plan, out / name / "watched", path) for name, path in versions.items()}
    timed: dict[str, list[dict]] = {name: [] for name in versions}
    for r in range(rounds):
        for name, path in versions.items():
            timed[name].append(build(plan, out / name / f"timed-{r}", path, watch_memory=False))
    results = {}
    for name in versions:
        runs = sorted(timed[name], key=lambda run: run["seconds"])
        middle = runs[len(runs) // 2]
        results[name] = dict(middle, peak=watched[name]["peak"], pss=watched[name]["pss"],
                             maxrss=watched[name]["maxrss"], watched_seconds=watched[name]["seconds"],
                             rounds=[run["seconds"] for run in timed[name]],
                             cpu=sorted(run["cpu"] for run in runs)[len(runs) // 2])
    return results["now"], results.get("base")


def _pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


def baseline_tree(ref: str, tmp: Path) -> str:
    target = tmp / "baseline"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return str(target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="25,250,1000")
    parser.add_argument("--baseline-ref", default="c3d2423")
    parser.add_argument("--no-baseline", action="store_true", help="build with the current code only")
    parser.add_argument("--baseline-seconds", type=float, help="compare 1,000 actions against this fixed time")
    parser.add_argument("--rounds", type=int, default=3, help="timed builds of each version, taking turns (median)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    _become_subreaper()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = None if args.no_baseline or args.baseline_seconds else baseline_tree(args.baseline_ref, tmp)
        rows = []
        for n in sizes:
            plan = write_plan(big_plan(n), tmp / f"big-{n}.yaml")
            now, before = measure(plan, tmp / f"size-{n}", base, args.rounds)
            rows.append((n, now, before))
            _print_row(n, now, before, args)
        print()
        print("actions | build s (-j 2) | baseline s | ratio | peak MiB (tree) | baseline peak | "
              "full plan s / pages / s per page | plan on a page s | annex s")
        for n, now, before in rows:
            docs, pages = now["documents"], now["pages"]
            full = docs.get("operational-plan", 0.0)
            base_s = before["seconds"] if before else (args.baseline_seconds if n == 1000 else None)
            ratio = f"{now['seconds'] / base_s:.0%}" if base_s else "-"
            print(f"{n} | {now['seconds']:.1f} | {base_s if base_s is None else round(base_s, 1)} | {ratio} | "
                  f"{now['peak'] / 2**20:.0f} | {before['peak'] / 2**20:.0f} | " if before else
                  f"{n} | {now['seconds']:.1f} | {base_s} | {ratio} | {now['peak'] / 2**20:.0f} | - | ", end="")
            print(f"{full:.1f} / {pages['operational-plan']} / {full / pages['operational-plan']:.2f} | "
                  f"{docs.get('plan-on-a-page', 0):.1f} | {docs.get('annex', 0):.1f}")


def _print_row(n: int, now: dict, before: dict | None, args) -> None:
    def line(label, r):
        docs = ", ".join(f"{DOCUMENTS.get(k, k)} {v:.1f} s" for k, v in r["documents"].items())
        return (f"  {label}: {r['seconds']:.1f} s wall, the median of {', '.join(f'{x:.1f}' for x in r['rounds'])} "
                f"({r['watched_seconds']:.1f} s with the memory poller), "
                f"{r['cpu']:.1f} s CPU (all processes), peak {r['peak'] / 2**20:.0f} MiB RSS / {r['pss'] / 2**20:.0f} MiB PSS (tree), largest process "
                f"{r['maxrss'] / 2**20:.0f} MiB; pages {r['pages']}; {docs}")

    print(f"{n} actions")
    print(line("now", now), flush=True)
    if before:
        print(line("baseline", before), f"-> ratio wall {now['seconds'] / before['seconds']:.2f}, "
              f"CPU {now['cpu'] / before['cpu']:.2f}", flush=True)


if __name__ == "__main__":
    main()
