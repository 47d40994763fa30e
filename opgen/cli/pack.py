"""`opgen pack PACK.yaml...` / `opgen pack PLAN|DIR... --title "..."`: a board pack reviewing many plans
side by side, built under build/packs/<pack>/ (opgen/pack/build.py); several pack files are built
one after the other (`opgen pack packs/*.yaml`). Prints the pack file's
problems and each plan's diagnostics like `opgen build`, progress, and a summary naming what was
written and each plan left out with why. Exit 0 every plan in, 1 a plan left out (or the pack file
invalid, or the pack could not be built), 2 bad usage or a missing pack file."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from opgen.cli.output import Progress, build_callbacks, folder_text, print_diagnostics
from opgen.diagnostics import UserError

EXIT_OK, EXIT_FAILED, EXIT_TROUBLE = 0, 1, 2
TROUBLE_CODES = {"not-found", "not-a-file", "io"}


def register(sub) -> None:
    p = sub.add_parser("pack", help="build a board pack reviewing many plans side by side",
                       description="Build a board pack (PDF and Word) from a pack file (packs/*.yaml), or from "
                                   "plans named on the command line with --title. See docs/packs.md.")
    p.add_argument("inputs", nargs="+", metavar="PACK.yaml|PLAN|DIR",
                   help="pack files; or, with --title, plan files and folders of plans")
    p.add_argument("--title", help="the pack's title, when packing plans without a pack file")
    p.add_argument("--since", metavar="REV",
                   help="show what changed since a git revision or a date (YYYY-MM-DD) for every plan "
                        "(overrides the pack file's own `since`)")
    p.add_argument("--out", default="build", help="output folder (default build/; the pack goes in "
                                                  "<out>/packs/<pack>/, each plan on a page in <out>/<plan>/)")
    p.add_argument("-j", "--jobs", type=_jobs, default=1, help="worker processes (default 1)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.add_argument("--strict", action="store_true", help="leave out plans with warnings too")
    p.set_defaults(func=run)


def _jobs(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"-j takes a number of worker processes, 1 or more, not '{text}'")
    return value


def run(args) -> int:
    from opgen.pack.spec import check_since, spec_from_args
    from opgen.render import source_date_epoch

    source_date_epoch()  # a SOURCE_DATE_EPOCH no document can carry stops the build before it starts
    if args.since:
        check_since(args.since)
    if args.title is not None:
        _no_pack_files(args.inputs)
        return _build(spec_from_args(args.inputs, args.title, args.since), args)
    specs, status = _read_pack_files(args)
    for spec in specs:
        status = max(status, _build(replace(spec, since=args.since) if args.since else spec, args))
    return status


def _no_pack_files(inputs: list[str]) -> None:
    """With --title the inputs are plans: a pack file among them is a usage error, not 18 plan errors."""
    import re

    for name in inputs:
        path = Path(name)
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:4000] if path.is_file() else ""
        except OSError:
            continue
        if re.search(r"(?m)^pack_version\s*:", head):
            raise UserError(f"{name} is a pack file, and --title packs plan files: run opgen pack {name} "
                            f"(its title is in the file), or name plans with --title")


def _build(spec, args) -> int:
    from opgen.pack import build as pack_build

    started = time.perf_counter()
    folder = Path(args.out) / "packs" / spec.id
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create the pack's folder {folder.as_posix()}: {e.strerror}; check --out") from None
    build = pack_build.prepare(spec, Path(args.out), force=args.force, strict=args.strict)
    for job in build.jobs:
        if job.problem:
            print(f"{job.path}: error: {job.problem}", file=sys.stderr)
        print_diagnostics(job.diagnostics, stream=sys.stdout, strict=args.strict)
    progress = Progress(len(build.tasks) + 4, stream=sys.stderr)
    on_built, on_failed = build_callbacks(progress)
    pack_build.build_plans(build, args.jobs, on_built=on_built, on_failed=on_failed)
    pack_build.assemble(build, args.jobs, on_step=progress.step)
    if progress.bar and progress.done < progress.total:  # nothing to lay out: clear the bar
        progress.stream.write("\r" + " " * 120 + "\r")
    return _summary(build, args, time.perf_counter() - started)


def _read_pack_files(args):
    """The pack files named (`opgen pack packs/*.yaml` builds each), their problems printed:
    ([PackSpec], exit status so far). A missing file is exit 2, an invalid one exit 1; the others
    are still built."""
    from opgen.pack.spec import load_pack

    folders = [name for name in args.inputs if Path(name).is_dir()]
    if folders:
        raise UserError(f"{folders[0]} is a folder: name pack files (packs/<pack>.yaml), or pack the plans in the "
                        f"folder: opgen pack {folders[0]} --title \"...\"")
    specs, status, ids = [], EXIT_OK, {}
    for name in dict.fromkeys(args.inputs):
        spec, diagnostics = load_pack(name)
        print_diagnostics(diagnostics, stream=sys.stdout if spec is not None else sys.stderr)
        if spec is None and any(d.code in TROUBLE_CODES for d in diagnostics):
            status = EXIT_TROUBLE
        elif spec is None:
            errors = len(diagnostics)
            print(f"opgen pack: {name} has {errors} error{'s' * (errors != 1)}; nothing was built for it",
                  file=sys.stderr)
            status = max(status, EXIT_FAILED)
        elif spec.id in ids:
            into = folder_text(Path(args.out) / "packs" / spec.id)
            print(f"opgen pack: {name} and {ids[spec.id]} would both build into {into}; "
                  f"rename one of them (nothing was built for {name})", file=sys.stderr)
            status = max(status, EXIT_FAILED)
        else:
            ids[spec.id] = name
            specs.append(spec)
    return specs, status


def _summary(build, args, seconds: float) -> int:
    included = len(build.entries) - len(build.left_out)
    total = len(build.entries)
    pops = sum(1 for job in build.jobs if job.built)
    fresh = sum(1 for job in build.jobs if not job.failed and not job.pending)
    plans = (f"{included} of {total} plan{'s' * (total != 1)} in the pack; {pops} plan{'s' * (pops != 1)} on a page "
             f"built, {fresh} already up to date")
    where = build.out_dir.as_posix()
    if build.error and not build.error_is_bug:
        print(f"opgen pack: could not build the pack: {build.error}\n  check the output folder (--out) and its "
              f"permissions", file=sys.stderr)
    elif build.error:
        print(f"opgen pack: could not build the pack: {build.error}\n  nothing was written to {where}/ "
              f"(the previous pack.pdf, pack.docx and pack.html, if any, are kept); this is a bug in opgen, please report it "
              f"with the pack file (set OPGEN_DEBUG=1 for details)", file=sys.stderr)
        if build.error_details and os.environ.get("OPGEN_DEBUG"):
            print(build.error_details, file=sys.stderr)
    elif build.up_to_date:
        print(f"opgen pack: {where}/pack.pdf, pack.docx and pack.html are up to date ({plans}) in {seconds:.1f}s")
    else:
        print(f"opgen pack: wrote {', '.join(p.as_posix() for p in build.written)} ({plans}) in {seconds:.1f}s")
    for entry in build.left_out:
        print(f"  LEFT OUT {entry.path}: {entry.problem}")
    return EXIT_OK if build.ok else EXIT_FAILED
