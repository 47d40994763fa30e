"""`opgen build`: validate each plan, then render its outputs into build/<plan-stem>/.

Incremental: every output records a content hash of what made it (the plan file, templates, assets,
opgen's own code and version, SOURCE_DATE_EPOCH) in build/<stem>/.opgen-cache.json, and is rebuilt
only when that changes (or with --force). A rebuild with nothing changed re-reads the plan and the
cache and never imports a renderer. Work is split into one task per document (plan on a page, full
plan, annex), so `-j N` worker processes keep busy even with few plans. Writes are atomic; a broken plan fails only its own outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from opgen import __version__
from opgen.diagnostics import Diagnostic
from opgen.resources import PACKAGE_DIR
from opgen.write import write_atomic

CACHE_NAME = ".opgen-cache.json"
# One task per document: it renders the document once and yields whichever of its outputs are wanted
# (the plan on a page's HTML is the one its one-page fit settled on). Cost orders the slowest first.
DOCUMENTS = {
    "operational-plan": ({"pdf": "operational-plan.pdf", "html": "operational-plan.html"}, 10),
    "plan-on-a-page": ({"pdf": "plan-on-a-page.pdf", "html": "plan-on-a-page.html"}, 4),
    "annex": ({"docx": "annex.docx"}, 2),
}
FORMATS = {"pdf": {"pdf"}, "docx": {"docx"}, "html": {"html"}, "all": {"pdf", "docx", "html"}}


@lru_cache(maxsize=1)
def toolchain_hash() -> str:
    """Hash of everything besides the plan that shapes an output: templates, assets, opgen's code."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def output_key(plan_bytes: bytes, output: str) -> str:
    digest = hashlib.sha256(plan_bytes)
    digest.update(toolchain_hash().encode())
    digest.update(output.encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def discover(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Plan files named or found in the folders named; and the paths that do not exist."""
    plans, missing = [], []
    for name in paths or ["plans"]:
        path = Path(name)
        if path.is_dir():
            plans.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.is_file():
            plans.append(path)
        else:
            missing.append(name)
    return list(dict.fromkeys(plans)), missing


@dataclass
class PlanJob:
    path: Path
    out_dir: Path
    plan_bytes: bytes
    cache: dict
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False
    pending: list[str] = field(default_factory=list)


def _read_cache(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _up_to_date(job: PlanJob, output: str) -> bool:
    entry = job.cache.get("outputs", {}).get(output)
    return bool(entry) and entry.get("key") == output_key(job.plan_bytes, output) and \
        entry.get("sha256") == _file_hash(job.out_dir / output)


def render_document(plan_path: str, document: str, outputs: list[str]) -> tuple[dict[str, bytes], float]:
    """Worker task: build the model and render one document; returns ({output: bytes}, seconds)."""
    started = time.perf_counter()
    from opgen.pipeline import plan_from_file

    result = plan_from_file(plan_path)
    if not result.ok:
        raise RuntimeError("the plan has errors")
    plan, diagnostics = result.plan, result.report.diagnostics
    wants_pdf = any(o.endswith(".pdf") for o in outputs)
    if document == "annex":
        from opgen.render.docx import annex_docx

        rendered = {"annex.docx": annex_docx(plan, diagnostics)}
    elif document == "plan-on-a-page":
        from opgen.render.pdf import plan_on_a_page_pdf

        html, pdf = plan_on_a_page_pdf(plan, diagnostics)  # the HTML is only known once it fits
        rendered = {"plan-on-a-page.html": html.encode("utf-8"), "plan-on-a-page.pdf": pdf}
    elif wants_pdf:
        from opgen.render.pdf import operational_plan_pdf

        html, pdf = operational_plan_pdf(plan, diagnostics)
        rendered = {"operational-plan.html": html.encode("utf-8"), "operational-plan.pdf": pdf}
    else:
        from opgen.render.html import operational_plan_html

        rendered = {"operational-plan.html": operational_plan_html(plan, diagnostics).encode("utf-8")}
    return {o: rendered[o] for o in outputs}, time.perf_counter() - started


class Progress:
    """A progress bar on a terminal; plain lines elsewhere (CI logs)."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.bar = stream.isatty() and not os.environ.get("CI") and total > 0

    def step(self, message: str) -> None:
        self.done += 1
        if self.bar:
            width = 24
            filled = width * self.done // self.total
            line = f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {message}"
            self.stream.write(line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\r" + " " * 120 + "\r")
            self.stream.flush()
        else:
            print(message, file=self.stream, flush=True)

    def note(self, message: str) -> None:
        if self.bar:
            self.stream.write("\r" + " " * 120 + "\r")
        print(message, file=self.stream, flush=True)


def run_build(args) -> int:
    """The build command. Exit 0 when every plan built, 1 when any plan failed, 2 for missing paths."""
    from opgen.cli import print_diagnostics

    plans, missing = discover(args.plans)
    for name in missing:
        print(f"opgen: {name}: no such file or folder", file=sys.stderr)
    if not plans and not missing:
        print(f"opgen: no plan files (*.yaml) in {', '.join(args.plans or ['plans'])}", file=sys.stderr)
        return 2
    kinds = FORMATS[args.format]
    wanted = [o for outputs, _ in DOCUMENTS.values() for kind, o in outputs.items() if kind in kinds]
    out_root = Path(args.out)
    started = time.perf_counter()

    jobs: list[PlanJob] = []
    for path in plans:
        out_dir = out_root / path.stem
        job = PlanJob(path, out_dir, b"", {})
        try:
            job.plan_bytes = path.read_bytes()
        except OSError as e:
            print(f"{path}: error: cannot read the file: {e.strerror}", file=sys.stderr)
            job.failed = True
            jobs.append(job)
            continue
        job.cache = {} if args.force else _read_cache(out_dir)
        job.pending = [o for o in wanted if args.force or not _up_to_date(job, o)]
        plan_hash = hashlib.sha256(job.plan_bytes).hexdigest()
        if not job.pending and job.cache.get("plan_sha256") == plan_hash:
            job.diagnostics = [Diagnostic(**d) for d in job.cache.get("diagnostics", [])]
        else:
            from opgen.pipeline import plan_from_bytes

            result = plan_from_bytes(job.plan_bytes, str(path))
            job.diagnostics = result.report.diagnostics
            job.failed = not result.ok or (args.strict and bool(result.report.warnings))
        print_diagnostics(job.diagnostics, stream=sys.stdout, strict=args.strict)
        jobs.append(job)

    tasks = []  # (job, document, outputs of it to write)
    for job in jobs:
        if job.failed:
            continue
        for document, (outputs, _) in DOCUMENTS.items():
            pending = [o for o in outputs.values() if o in job.pending]
            if pending:
                tasks.append((job, document, pending))
    tasks.sort(key=lambda t: -DOCUMENTS[t[1]][1])
    progress = Progress(len(tasks))
    built: dict[Path, dict[str, str]] = {}
    errors: dict[Path, list[str]] = {}

    def finish(job: PlanJob, rendered: dict[str, bytes], seconds: float) -> None:
        for output, data in rendered.items():
            write_atomic(job.out_dir / output, data)
            built.setdefault(job.path, {})[output] = hashlib.sha256(data).hexdigest()
        progress.step(f"built {', '.join(str(job.out_dir / o) for o in rendered)} ({seconds:.1f}s)")

    def fail(job: PlanJob, outputs: list[str], error: BaseException) -> None:
        job.failed = True
        errors.setdefault(job.path, []).extend(outputs)
        progress.note(f"{job.path}: error: could not build {', '.join(outputs)}: {type(error).__name__}: {error}")

    if tasks and args.jobs > 1:
        import multiprocessing

        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(tasks)), mp_context=context) as pool:
            futures = {pool.submit(render_document, str(job.path), document, outputs): (job, outputs)
                       for job, document, outputs in tasks}
            for future in as_completed(futures):
                job, outputs = futures[future]
                try:
                    finish(job, *future.result())
                except Exception as e:  # noqa: BLE001 - one document's failure must not stop the others
                    fail(job, outputs, e)
    else:
        for job, document, outputs in tasks:
            try:
                finish(job, *render_document(str(job.path), document, outputs))
            except Exception as e:  # noqa: BLE001
                fail(job, outputs, e)

    for job in jobs:
        if job.path in built or (not job.failed and not job.pending):
            _write_cache(job, built.get(job.path, {}))

    return _summary(jobs, built, errors, missing, time.perf_counter() - started, args)


def _write_cache(job: PlanJob, outputs: dict[str, str]) -> None:
    entries = dict(job.cache.get("outputs", {}))
    for output, sha in outputs.items():
        entries[output] = {"key": output_key(job.plan_bytes, output), "sha256": sha}
    cache = {"opgen": __version__, "plan_sha256": hashlib.sha256(job.plan_bytes).hexdigest(),
             "diagnostics": [d.as_dict() for d in job.diagnostics], "outputs": entries}
    write_atomic(job.out_dir / CACHE_NAME, json.dumps(cache, indent=1, sort_keys=True).encode())


def _summary(jobs, built, errors, missing, seconds, args) -> int:
    ok = [j for j in jobs if not j.failed]
    failed = [j for j in jobs if j.failed]
    fresh = sum(len(v) for v in built.values())
    skipped = sum(1 for j in ok if not j.pending)
    print(f"opgen build: {len(ok)} of {len(jobs)} plan{'s' * (len(jobs) != 1)} built "
          f"({fresh} output{'s' * (fresh != 1)} written, {skipped} plan{'s' * (skipped != 1)} already up to date) "
          f"in {seconds:.1f}s into {args.out}/")
    for job in failed:
        reason = (f"could not build {', '.join(errors[job.path])}" if job.path in errors
                  else "has errors (see above); nothing was built for it")
        if args.strict and not any(d.severity == "error" for d in job.diagnostics) and job.path not in errors:
            reason = "has warnings and --strict is on; nothing was built for it"
        print(f"  FAILED {job.path}: {reason}")
    if missing:
        return 2
    return 1 if failed else 0
