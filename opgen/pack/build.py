"""Building a pack: its plans' plans on a page (the `opgen build` engine, opgen/outputs.py, so a plan
built earlier, e.g. by a CI shard, is reused), each plan's model and what changed since, the view,
the PDF (its parts cached on disk) and the Word pack, written atomically under build/packs/<id>/.

Prints nothing: `opgen pack` (opgen/cli/pack.py) reports through callbacks. Three steps, so the
command line can show progress between them: `prepare` (read each plan, decide which plans on a
page are out of date), `build_plans` (build those, in worker processes with -j N), `assemble`
(everything else). `build_pack` runs all three.

Incremental, like `opgen build`: build/packs/<id>/.opgen-cache.json records a key made from the pack
file's content, each plan's model key (which covers its diagnostics), what changed since, its plan on
a page's bytes, the toolchain and SOURCE_DATE_EPOCH, with the sha256 of pack.pdf and pack.docx. An
unchanged pack rebuilds nothing and loads no plan a previous build already knows. When something
changed, only the PDF parts whose content changed are laid out again: each part's PDF is kept in
build/packs/<id>/.parts/ under a name made from the renderer's part key, the toolchain and
SOURCE_DATE_EPOCH; parts no longer used are deleted after a successful build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from opgen import __version__, outputs
from opgen.diagnostics import ERROR, WARNING
from opgen.pack.spec import PackSpec
from opgen.pack.view import PlanEntry
from opgen.write import write_atomic

POP_OUTPUTS = ["plan-on-a-page.pdf", "plan-on-a-page.html"]  # the PDF is what the pack needs
PACK_OUTPUTS = ("pack.pdf", "pack.docx", "pack.html")
PARTS_DIR = ".parts"
_PART_FILE = re.compile(r"^[0-9a-f]{64}\.pdf$")


@dataclass
class PackBuild:
    """One pack's build: its plans (a PlanJob each, for their plans on a page, and a PlanEntry each,
    for the view) and what was written."""

    spec: PackSpec
    out_root: Path
    strict: bool = False
    force: bool = False
    jobs: list[outputs.PlanJob] = field(default_factory=list)
    entries: list[PlanEntry] = field(default_factory=list)
    tasks: list = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    up_to_date: bool = False
    error: str | None = None          # the pack itself could not be built (the previous files are kept)
    error_details: str | None = None  # its traceback, for OPGEN_DEBUG=1
    error_is_bug: bool = True         # False: the trouble is outside opgen (a folder it cannot write)
    parts_rendered: int = 0            # PDF parts laid out this run (the rest came from .parts/)
    parts_reused: int = 0

    @property
    def out_dir(self) -> Path:
        return self.out_root / "packs" / self.spec.id

    @property
    def left_out(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.problem]

    @property
    def ok(self) -> bool:
        return self.error is None and not self.left_out


class PartCache(MutableMapping):
    """The PDF parts of a pack on disk (build/packs/<id>/.parts/<hash>.pdf), keyed by the renderer's
    part key; the file name also covers the toolchain and SOURCE_DATE_EPOCH, so a new opgen or a new
    timestamp never reuses an old part. Remembers which parts this build used, so `prune` can delete
    the rest."""

    def __init__(self, folder: Path, reuse: bool = True):
        self.folder = folder
        self.reuse = reuse  # False (--force): lay out every part again, still storing each
        self.used: set[str] = set()
        self.fresh: dict[str, bytes] = {}  # the parts laid out this build (kept even if the disk refuses them)
        self.hits = 0
        self.stored = 0

    def _file(self, key: str) -> Path:
        digest = hashlib.sha256(str(key).encode())
        digest.update(outputs.toolchain_hash().encode())
        digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
        return self.folder / f"{digest.hexdigest()}.pdf"

    def __getitem__(self, key: str) -> bytes:
        if self._file(key).name in self.fresh:
            return self.fresh[self._file(key).name]
        if not self.reuse:
            raise KeyError(key)
        try:
            data = self._file(key).read_bytes()
        except OSError:
            raise KeyError(key) from None
        name = self._file(key).name
        if name not in self.used:  # a part laid out earlier, not one stored by this build
            self.hits += 1
        self.used.add(name)
        return data

    def __contains__(self, key) -> bool:
        return self._file(key).name in self.fresh or (self.reuse and self._file(key).is_file())

    def __setitem__(self, key: str, data: bytes) -> None:
        self.stored += 1
        self.fresh[self._file(key).name] = data
        try:
            write_atomic(self._file(key), data)
        except OSError:  # a cache that cannot be written only means laying the part out again next time
            return
        self.used.add(self._file(key).name)

    def __delitem__(self, key: str) -> None:
        try:
            self._file(key).unlink()
        except FileNotFoundError:
            raise KeyError(key) from None

    def __iter__(self):  # the keys are hashed into file names: only this build's are known
        return iter(())

    def __len__(self) -> int:
        return len(self.used)

    def prune(self) -> int:
        """Delete the part files this build did not use; how many."""
        removed = 0
        try:
            names = os.listdir(self.folder)
        except OSError:
            return 0
        for name in names:
            if _PART_FILE.match(name) and name not in self.used:
                try:
                    (self.folder / name).unlink()
                    removed += 1
                except OSError:
                    pass
        return removed


def prepare(spec: PackSpec, out_root: Path, *, force: bool = False, strict: bool = False) -> PackBuild:
    """Read every plan of the pack and decide which plans on a page are out of date (the same
    decision, cache and folder, <out>/<plan name>/, as `opgen build`). Loads a plan only when its
    plan on a page must be built; plans named twice or clashing on a folder are left out."""
    build = PackBuild(spec, Path(out_root), strict=strict, force=force)
    paths = [ref.path for ref in spec.plans]
    names, refused = outputs.output_names(paths)
    for ref in spec.plans:
        if ref.path in refused:
            job = outputs.PlanJob(ref.path, build.out_root, problem=refused[ref.path], failed=True)
            name = re.sub(r"[^A-Za-z0-9._-]+", "-", ref.path.stem).strip(".-") or "plan"
        else:
            name = names[ref.path]
            job = outputs.prepare(ref.path, build.out_root / name, POP_OUTPUTS[:1], force=force, strict=strict)
            if POP_OUTPUTS[0] in job.pending:  # laid out anyway: its HTML comes with it, as `opgen build` writes
                job.pending.extend(POP_OUTPUTS[1:])
        build.jobs.append(job)
        build.entries.append(PlanEntry(name=name, path=ref.path, plan=job.plan, diagnostics=job.diagnostics))
    build.tasks = outputs.tasks_for(build.jobs)
    return build


def build_plans(build: PackBuild, workers: int = 1,
                on_built: Callable[[outputs.PlanJob, list[Path], float], None] = lambda *a: None,
                on_failed: Callable[[outputs.PlanJob, list[str], BaseException], None] = lambda *a: None) -> None:
    """Build the plans on a page that are out of date (in `workers` processes), and record them."""
    failures: dict[int, str] = {}

    def failed(job, names, error):
        failures[id(job)] = f"{type(error).__name__}: {error}"
        on_failed(job, names, error)

    outputs.run_tasks(build.tasks, workers, on_built=on_built, on_failed=failed)
    for job in build.jobs:
        outputs.write_cache(job)
    for job, entry in zip(build.jobs, build.entries):
        _settle(build, job, entry, failures.get(id(job)))


def _settle(build: PackBuild, job: outputs.PlanJob, entry: PlanEntry, pop_error: str | None) -> None:
    """Whether the plan is in the pack, and if not, why (in the words the pack prints)."""
    from opgen import display

    entry.diagnostics = job.diagnostics
    errors = any(d.severity == ERROR for d in job.diagnostics)
    warned = build.strict and any(d.severity == WARNING for d in job.diagnostics)
    if job.problem:
        entry.problem = display.left_out_reason([], problem=job.problem)
    elif errors or warned:
        entry.problem = display.left_out_reason(job.diagnostics, strict=build.strict)
    elif job.not_built:
        entry.problem = display.pop_not_built(pop_error or "see the messages above")
    else:
        try:
            entry.pop_pdf = (job.out_dir / "plan-on-a-page.pdf").read_bytes()
        except OSError as e:
            entry.problem = display.pop_not_built(f"cannot read it: {e.strerror}")
    if entry.problem:
        entry.plan = None


def _changes(build: PackBuild) -> None:
    """What changed since each plan's (or the pack's) `since`."""
    refs = {ref.path: ref for ref in build.spec.plans}
    for entry in build.entries:
        since = refs[entry.path].since or build.spec.since
        if entry.problem or not since:
            continue
        from opgen.pack.changes import changes_since

        entry.changes, entry.since_label = changes_since(entry.path, since)


def pack_key(build: PackBuild) -> str:
    """Hash of everything the pack is made from (see the module docstring)."""
    plans = []
    pops = _pop_pages(build)
    for job, entry in zip(build.jobs, build.entries):
        plans.append([entry.name, entry.path.as_posix(), job.model_key, entry.problem, entry.since_label,
                      repr(entry.changes), hashlib.sha256(entry.pop_pdf or b"").hexdigest(),
                      pops.get(entry.name, False)])
    digest = hashlib.sha256(repr(build.spec).encode())
    digest.update(json.dumps([plans, bool(build.strict)], sort_keys=True).encode())
    digest.update(outputs.toolchain_hash().encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def _pop_pages(build: PackBuild) -> dict[str, bool]:
    """Per plan in the pack, whether its plan on a page's web edition is beside the pack
    (<out>/<plan>/plan-on-a-page.html), for pack.html to link to."""
    from opgen.render.pack_web import POP_FILE

    return {e.name: (build.out_root / e.name / POP_FILE).is_file() for e in build.entries if not e.problem}


def _up_to_date(build: PackBuild, key: str) -> bool:
    cache = outputs._read_cache(build.out_dir)
    recorded = cache.get("outputs") if cache.get("key") == key else None
    return isinstance(recorded, dict) and all(
        recorded.get(name) and recorded.get(name) == outputs._file_hash(build.out_dir / name) for name in PACK_OUTPUTS)


def _load_models(build: PackBuild) -> None:
    """The model of each plan in the pack that `prepare` did not need to load (its plan on a page
    was up to date)."""
    from opgen import display
    from opgen.pipeline import plan_from_bytes

    for job, entry in zip(build.jobs, build.entries):
        if entry.problem or entry.plan is not None:
            continue
        result = plan_from_bytes(job.plan_bytes, str(job.path))
        entry.diagnostics = job.diagnostics = result.report.diagnostics
        if result.ok and not (build.strict and result.report.warnings):
            entry.plan = job.plan = result.plan
        else:
            entry.problem = display.left_out_reason(result.report.diagnostics, strict=build.strict)


def assemble(build: PackBuild, workers: int = 1, on_step: Callable[[str], None] = lambda message: None) -> None:
    """What changed since, the view, the PDF (parts from .parts/ where unchanged) and the Word pack;
    written atomically, both or neither. A failure sets `build.error` and keeps the previous files."""
    _changes(build)
    key = pack_key(build)
    if not build.force and _up_to_date(build, key):
        build.up_to_date = True
        return
    _load_models(build)
    from opgen.pack import view as pack_view_module

    try:
        view = pack_view_module.pack_view(build.spec, build.entries)
        on_step("made the pack's summary across plans")
        parts = PartCache(build.out_dir / PARTS_DIR, reuse=not build.force)
        pdf = _pack_pdf(view, parts, workers)
        build.parts_rendered, build.parts_reused = parts.stored, parts.hits
        on_step(f"laid out pack.pdf ({parts.stored} part{'s' * (parts.stored != 1)} laid out, "
                f"{parts.hits} reused)")
        from opgen.render.docx.pack import pack_docx

        docx = pack_docx(view)
        on_step("made pack.docx")
        from opgen.render.pack_web import pack_web

        web = pack_web(view, _pop_pages(build)).encode("utf-8")
        on_step("made pack.html")
    except Exception as e:  # noqa: BLE001 - reported as the pack's failure; the previous pack stays
        import traceback

        build.error = f"{type(e).__name__}: {e}"
        build.error_details = traceback.format_exc()
        return
    build.written = []
    made = (("pack.pdf", pdf), ("pack.docx", docx), ("pack.html", web))
    for name, data in made:
        try:
            write_atomic(build.out_dir / name, data)
        except OSError as e:
            build.error = f"cannot write {(build.out_dir / name).as_posix()}: {e.strerror}"
            build.error_is_bug = False
            return
        build.written.append(build.out_dir / name)
    record = {"opgen": __version__, "key": key,
              "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in made}}
    try:
        write_atomic(build.out_dir / outputs.CACHE_NAME, json.dumps(record, indent=1, sort_keys=True).encode())
    except OSError:  # the pack is written; without the record the next build just redoes it
        pass
    parts.prune()


def _pack_pdf(view, parts: PartCache, workers: int) -> bytes:
    """The pack's PDF, its parts laid out in `workers` processes when more than one."""
    from opgen.render.pack_pdf import pack_pdf

    if workers <= 1:
        return pack_pdf(view, cache=parts, map_fn=map)
    from opgen.render_pool import RenderPool

    with RenderPool(workers) as pool:
        return pack_pdf(view, cache=parts, map_fn=pool.map)


def build_pack(spec: PackSpec, out_root: Path, *, workers: int = 1, force: bool = False, strict: bool = False,
               on_built=lambda *a: None, on_failed=lambda *a: None, on_step=lambda message: None) -> PackBuild:
    """prepare, build_plans and assemble, for callers that need no progress between them."""
    build = prepare(spec, out_root, force=force, strict=strict)
    build_plans(build, workers, on_built=on_built, on_failed=on_failed)
    assemble(build, workers, on_step=on_step)
    return build
