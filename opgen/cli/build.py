"""`opgen build [PLAN|DIR ...]`: find the plans, print their diagnostics, build what is out of date
(opgen/outputs.py) with progress, and print the summary. `--shard K/N` builds the K-th of N slices of
the plans found (outputs.shard), for a CI matrix. Exit 0 when every plan built, 1 when any plan
failed, 2 for paths that do not exist."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from opgen.cli.output import Progress, build_callbacks, folder_text, print_diagnostics
from opgen.diagnostics import ERROR, UserError


def register(sub) -> None:
    p = sub.add_parser("build", help="build plan on a page, full plan PDF and Word annex")
    p.add_argument("plans", nargs="*", metavar="PLAN|DIR", help="plan files or folders (default plans/)")
    p.add_argument("--out", default="build", help="output folder (default build/)")
    p.add_argument("--format", choices=["pdf", "docx", "web", "html", "all", "highlight"], default="all",
                   help="what to build (default all: both PDFs, the Word annex and the web editions; web (or html): "
                        "operational-plan.html and plan-on-a-page.html, self-contained accessible pages; highlight: the quarter's "
                        "highlight report, highlight-report.pdf, built only when asked)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--shard", type=shard_value, metavar="K/N",
                   help="build only the K-th of N slices of the plans found (for a CI matrix): the plans sorted "
                        "by path, dealt out in turn; --shard 1/1 is all of them")
    p.set_defaults(func=run)


def shard_value(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); anything else (0/4, 5/4, 2, a/b) is a usage error."""
    import argparse
    import re

    match = re.fullmatch(r"\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise argparse.ArgumentTypeError(f"'{text}' is not a shard: write K/N with 1 <= K <= N, e.g. --shard 2/4 "
                                         f"(the 2nd of 4 slices)")
    return int(match[1]), int(match[2])


def run(args) -> int:
    from opgen import outputs
    from opgen.render import source_date_epoch

    source_date_epoch()  # a SOURCE_DATE_EPOCH no document can carry stops the build before it starts
    plans, missing = outputs.discover(args.plans)
    for problem in missing:
        print(f"opgen: {problem}", file=sys.stderr)
    if not plans and not missing:
        raise UserError(f"no plan files (*.yaml) in {', '.join(args.plans or ['plans'])}")
    if args.shard:
        found = len(plans)
        plans = outputs.shard(plans, *args.shard)
        print(f"opgen build: shard {args.shard[0]}/{args.shard[1]}: {len(plans)} of {found} "
              f"plan{'s' * (found != 1)}", file=sys.stderr)
        if not plans:
            return 2 if missing else 0
    wanted = outputs.wanted_outputs(args.format)
    out_root = Path(args.out)
    started = time.perf_counter()

    before_load = None
    if args.jobs > 1:   # the render server warms up while the plans load; not at all when nothing changed
        from opgen.render_pool import start_server as before_load
    names, refused = outputs.output_names(plans)
    jobs = []
    for path in plans:
        if path in refused:
            job = outputs.PlanJob(path, out_root, problem=refused[path], failed=True)
        else:
            job = outputs.prepare(path, out_root / names[path], wanted, force=args.force, strict=args.strict,
                                  before_load=before_load)
        if job.problem:
            print(f"{path}: error: {job.problem}", file=sys.stderr)
        print_diagnostics(job.diagnostics, stream=sys.stdout, strict=args.strict)
        jobs.append(job)

    tasks = outputs.tasks_for(jobs)
    progress = Progress(len(tasks))
    on_built, on_failed = build_callbacks(progress)
    outputs.run_tasks(tasks, args.jobs, on_built=on_built, on_failed=on_failed)
    for job in jobs:
        outputs.write_cache(job)
    return _summary(jobs, missing, time.perf_counter() - started, args)


def _summary(jobs, missing, seconds, args) -> int:
    ok = [j for j in jobs if not j.failed]
    failed = [j for j in jobs if j.failed]
    fresh = sum(len(j.built) for j in jobs)
    skipped = sum(1 for j in ok if not j.pending)
    print(f"opgen build: {len(ok)} of {len(jobs)} plan{'s' * (len(jobs) != 1)} built "
          f"({fresh} output{'s' * (fresh != 1)} written, {skipped} plan{'s' * (skipped != 1)} already up to date) "
          f"in {seconds:.1f}s into {folder_text(args.out)}")
    for job in failed:
        if job.not_built:
            reason = f"could not build {', '.join(job.not_built)}"
        elif job.problem:
            reason = f"{job.problem}; nothing was built for it" if "nothing was built" not in job.problem \
                else job.problem
        elif args.strict and not any(d.severity == ERROR for d in job.diagnostics):
            reason = "has warnings and --strict is on; nothing was built for it"
        else:
            reason = "has errors (see above); nothing was built for it"
        print(f"  FAILED {job.path}: {reason}")
    if missing:
        return 2
    return 1 if failed else 0
