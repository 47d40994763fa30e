"""The documents opgen builds from a plan, and building them: which are out of date, rendering them
(serially or in worker processes), writing them atomically and remembering what made them.

Prints nothing: `opgen build` (opgen/cli/build.py) reports through the callbacks it passes in.

One pass per plan: a plan is read, loaded and validated once, in the calling process; workers receive
the model itself (pickled), never a file name to load again.

Incremental: each output records in build/<stem>/.opgen-cache.json a key made from what is actually
rendered (the model and the diagnostics the board paper lists), the toolchain (opgen's package files:
code, templates, fonts, schema; its version and the versions of the libraries that lay pages out) and
SOURCE_DATE_EPOCH, plus the output file's own sha256, so a hand-edited output is rebuilt and a plan
edit that changes nothing rendered (a comment, a re-indent) rebuilds nothing. A rebuild of an
unchanged plan file trusts the model key it recorded and never loads the plan nor imports a renderer.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from opgen import __version__
from opgen.diagnostics import WARNING, Diagnostic
from opgen.resources import PACKAGE_DIR
from opgen.theme import files_read as theme_files
from opgen.write import write_atomic

CACHE_NAME = ".opgen-cache.json"
# The full plan's PDF is built in parts (opgen.render.plan_parts), each laid-out part kept here, under
# the plan's output folder, so the next build lays out only the parts whose HTML changed.
PARTS_DIR = Path(".parts") / "operational-plan"
# One task per document: it renders the document once and yields whichever of its outputs are wanted
# (the plan on a page's HTML is the one its one-page fit settled on). Cost orders the slowest first.
DOCUMENTS = {
    # the .html files are the web editions (opgen/render/web.py): self-contained, accessible pages
    "operational-plan": ({"pdf": "operational-plan.pdf", "web": "operational-plan.html"}, 10),
    "plan-on-a-page": ({"pdf": "plan-on-a-page.pdf", "web": "plan-on-a-page.html"}, 4),
    "annex": ({"docx": "annex.docx"}, 2),
    # only when asked (`--format highlight`), so `all` keeps building what it always built
    "highlight-report": ({"highlight": "highlight-report.pdf"}, 3),
}
FORMATS = {"pdf": {"pdf"}, "docx": {"docx"}, "web": {"web"}, "html": {"web"},  # html: an alias of web
           "all": {"pdf", "docx", "web"},
           "highlight": {"highlight"}}
# Libraries whose version can change an output's bytes.
RENDERING_LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "fonttools", "python-docx", "lxml", "jinja2", "markdown")


@lru_cache(maxsize=1)
def toolchain_hash() -> str:
    """Hash of everything besides the plan that shapes an output: opgen's own files (code, templates,
    fonts, schema), its version and the versions of the rendering libraries."""
    digest = hashlib.sha256(__version__.encode())
    for installed in library_versions():
        digest.update(installed.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def library_versions() -> list[str]:
    """The installed rendering libraries as their metadata folders' names ('weasyprint-66.0.dist-info'),
    read from the folders Python imports from: a listing per folder, so a no-op build stays fast
    (importlib.metadata alone costs ~65 ms to import)."""
    wanted = {_distribution_key(name) for name in RENDERING_LIBRARIES}
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.extend(name for name in names if name.endswith((".dist-info", ".egg-info"))
                     and _distribution_key(name.split("-", 1)[0]) in wanted)
    return sorted(found)


def _distribution_key(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def model_key(plan, diagnostics: list[Diagnostic]) -> str:
    """Hash of what a board paper is made from: the model (its repr is deterministic: dataclasses of
    text, Decimals and periods) and the diagnostics it lists."""
    digest = hashlib.sha256(repr(plan).encode())
    digest.update(json.dumps([d.as_dict() for d in diagnostics], sort_keys=True).encode())
    return digest.hexdigest()


def output_key(model: str, output: str) -> str:
    digest = hashlib.sha256(model.encode())
    digest.update(toolchain_hash().encode())
    digest.update(output.encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    return digest.hexdigest()


def discover(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Plan files named or found in the folders named; and the paths that do not exist or cannot be
    read, each with the reason."""
    plans, missing = [], []
    for name in paths or ["plans"]:
        path = Path(name)
        if path.is_dir():
            try:
                plans.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
            except OSError as e:
                missing.append(f"{name}: cannot read the folder: {e.strerror}")
        elif path.is_file():
            plans.append(path)
        else:
            missing.append(f"{name}: no such file or folder")
    return list(dict.fromkeys(plans)), missing


def shard(plans: list[Path], k: int, n: int) -> list[Path]:
    """The K-th of N slices of a batch (`opgen build --shard K/N`), for a CI matrix: the plans are
    sorted by path (as written, with '/' separators) and dealt out in turn, the 1st, (N+1)th, (2N+1)th...
    to shard 1, the 2nd, (N+2)th... to shard 2, and so on. So a plan's shard depends only on its place
    in that sorted list (never on the order paths were given or the machine), every plan is in exactly
    one shard, and shards differ in size by at most one plan. The slice keeps the batch's own order."""
    ordered = sorted(dict.fromkeys(plans), key=lambda p: p.as_posix())
    chosen = {p for i, p in enumerate(ordered) if i % n == k - 1}
    return [p for p in dict.fromkeys(plans) if p in chosen]


def output_names(plans: list[Path]) -> tuple[dict[Path, str], dict[Path, str]]:
    """Each plan's folder name under the output folder, made safe (letters, digits, '.', '_', '-'; never
    '.' or '..', so a file named `...yaml` cannot write outside it), and the plans refused because
    two would share a folder (`plans/x.yaml` and `other/x.yaml`, `x.yaml` and `x.yml`, `X.yaml` on a
    case-blind disk): {plan: name}, {plan: why}. Decided before anything is written."""
    names: dict[Path, str] = {}
    refused: dict[Path, str] = {}
    for path in plans:
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip(".-")
        if not name:
            refused[path] = (f"its name gives no usable output folder name; rename the file to letters, digits "
                             f"and '-', e.g. my-plan{path.suffix}")
        else:
            names[path] = name
    by_folder: dict[str, list[Path]] = {}
    for path, name in names.items():
        by_folder.setdefault(name.lower(), []).append(path)
    for clash in (paths for paths in by_folder.values() if len(paths) > 1):
        for path in clash:
            others = " and ".join(str(p) for p in clash if p != path)
            refused[path] = (f"it and {others} would both build into the folder '{names[path]}'; "
                             f"rename one of them (nothing was built for either)")
            del names[path]
    return names, refused


def wanted_outputs(fmt: str) -> list[str]:
    kinds = FORMATS[fmt]
    return [o for outputs, _ in DOCUMENTS.values() for kind, o in outputs.items() if kind in kinds]


@dataclass
class PlanJob:
    """One plan's build: its model (loaded once), diagnostics, and the outputs still to write."""

    path: Path
    out_dir: Path
    plan_bytes: bytes = b""
    cache: dict = field(default_factory=dict)
    plan: object | None = None
    model_key: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problem: str = ""             # why the plan could not even be loaded (unreadable, name clash)
    failed: bool = False          # errors (or warnings under --strict), or an output failed
    pending: list[str] = field(default_factory=list)
    built: dict[str, str] = field(default_factory=dict)    # output -> sha256 written this run
    not_built: list[str] = field(default_factory=list)     # outputs whose rendering failed


def _read_cache(out_dir: Path) -> dict:
    try:
        cache = json.loads((out_dir / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _up_to_date(job: PlanJob, output: str) -> bool:
    entry = job.cache.get("outputs", {}).get(output)
    return isinstance(entry, dict) and entry.get("key") == output_key(job.model_key, output) and \
        entry.get("sha256") == _file_hash(job.out_dir / output)


def prepare(path: Path, out_dir: Path, wanted: list[str], *, force: bool = False, strict: bool = False,
            plan_bytes: bytes | None = None, before_load: Callable[[], None] | None = None) -> PlanJob:
    """Read a plan, load and validate it (at most once; not at all when neither the file nor the
    toolchain changed since its outputs were made), and decide which of `wanted` are out of date.
    `plan_bytes`: the file's content already read (opgen watch builds the version it previewed, not
    whatever the file holds by the time the build starts). `before_load`: called before a plan is
    loaded, that is when something may need building (opgen build starts its render server there)."""
    job = PlanJob(path, out_dir)
    if plan_bytes is not None:
        job.plan_bytes = plan_bytes
    else:
        try:
            job.plan_bytes = path.read_bytes()
        except OSError as e:
            job.problem, job.failed = f"cannot read the file: {e.strerror}", True
            return job
    job.cache = {} if force else _read_cache(job.out_dir)
    plan_sha = hashlib.sha256(job.plan_bytes).hexdigest()
    unchanged = (job.cache.get("plan_sha256") == plan_sha and job.cache.get("toolchain") == toolchain_hash()
                 and isinstance(job.cache.get("model_key"), str) and _files_unchanged(job.cache.get("files_read")))
    if unchanged:
        job.model_key = job.cache["model_key"]
        job.diagnostics = [Diagnostic(**d) for d in job.cache.get("diagnostics", [])]
        job.pending = [o for o in wanted if not _up_to_date(job, o)]
        if not job.pending:
            job.failed = strict and any(d.severity == WARNING for d in job.diagnostics)
            return job
    if before_load is not None:
        before_load()
    _load(job, strict)
    if not job.failed:
        job.pending = [o for o in wanted if force or not _up_to_date(job, o)]
    return job


def _files_unchanged(recorded) -> bool:
    """Whether the files besides the plan its model was made from (a theme's logo) still hold what they did."""
    return recorded is None or (isinstance(recorded, dict) and all(_file_hash(Path(p)) == sha for p, sha in recorded.items()))


def _load(job: PlanJob, strict: bool) -> None:
    from opgen.pipeline import plan_from_bytes

    result = plan_from_bytes(job.plan_bytes, str(job.path))
    job.diagnostics = result.report.diagnostics
    job.plan = result.plan
    job.failed = not result.ok or (strict and bool(result.report.warnings))
    if result.ok:
        job.model_key = model_key(result.plan, job.diagnostics)


def render_document(plan, diagnostics: list[Diagnostic], document: str,
                    outputs: list[str], *, parts_dir: Path | None = None) -> tuple[dict[str, bytes], float]:
    """Render one document of a plan's model; returns ({output: bytes}, seconds). Runs in a worker,
    or (the full plan's PDF, laid out in parts cached in `parts_dir`) in the build process."""
    started = time.perf_counter()
    wants_pdf = any(o.endswith(".pdf") for o in outputs)
    if document == "annex":
        from opgen.render.docx import annex_docx

        rendered = {"annex.docx": annex_docx(plan, diagnostics)}
    elif document == "highlight-report":
        from opgen.render.highlight import highlight_pdf

        rendered = {"highlight-report.pdf": highlight_pdf(plan, diagnostics)[1]}
    else:  # the full plan or the plan on a page: its PDF and (or) its web edition
        from opgen.render import web

        rendered = {}
        full_page = None   # the full plan's view and HTML, made for its PDF and reused by its web edition
        if wants_pdf and document == "plan-on-a-page":
            from opgen.render.pdf import plan_on_a_page_pdf

            rendered["plan-on-a-page.pdf"] = plan_on_a_page_pdf(plan, diagnostics)[1]
        elif wants_pdf:
            from opgen.render.pdf import operational_plan_parts
            from opgen.render.plan_parts import PartCache

            cache = PartCache(parts_dir, toolchain=toolchain_hash())
            full_page, built = operational_plan_parts(plan, diagnostics, cache=cache)
            rendered["operational-plan.pdf"] = built.pdf
            cache.prune()
        if f"{document}.html" in outputs:
            page = (web.plan_on_a_page_web(plan, diagnostics) if document == "plan-on-a-page"
                    else web.operational_plan_web(plan, diagnostics, full_page))
            rendered[f"{document}.html"] = page.encode("utf-8")
    return {o: rendered[o] for o in outputs}, time.perf_counter() - started


def tasks_for(jobs: list[PlanJob]) -> list[tuple[PlanJob, str, list[str]]]:
    """(job, document, its outputs to write), slowest documents first."""
    tasks = []
    for job in jobs:
        if job.failed:
            continue
        for document, (outputs, _) in DOCUMENTS.items():
            pending = [o for o in outputs.values() if o in job.pending]
            if pending:
                tasks.append((job, document, pending))
    tasks.sort(key=lambda t: -DOCUMENTS[t[1]][1])
    return tasks


def run_tasks(tasks, workers: int, on_built: Callable[[PlanJob, list[Path], float], None],
              on_failed: Callable[[PlanJob, list[str], BaseException], None]) -> None:
    """Render every task (in `workers` processes when more than one) and write its outputs atomically.
    One document's failure never stops the others."""

    def finish(job: PlanJob, rendered: dict[str, bytes], seconds: float) -> None:
        for output, data in rendered.items():
            write_atomic(job.out_dir / output, data)
            job.built[output] = hashlib.sha256(data).hexdigest()
        on_built(job, [job.out_dir / o for o in rendered], seconds)

    def fail(job: PlanJob, outputs: list[str], error: BaseException) -> None:
        job.failed = True
        job.not_built.extend(outputs)
        on_failed(job, outputs, error)

    def in_parts(document: str, outputs: list[str]) -> bool:
        return document == "operational-plan" and "operational-plan.pdf" in outputs

    if tasks and workers > 1:
        from opgen.render.pdf import operational_plan_build
        from opgen.render.plan_parts import PartCache, layout
        from opgen.render_pool import RenderPool

        pool = RenderPool(workers)
        try:
            # The full plan's HTML is made here, then its parts go to the pool (opgen.render_pool: each
            # task a fresh process), longest first (a long part started last would keep one worker busy
            # while the other waits), then the other documents: the workers render them while this
            # process merges, which it can do only once every part is laid out. Its web edition is made
            # here while the workers lay out. Every WeasyPrint layout runs in a worker (the contents and
            # the page furniture the merge needs too): this process never imports WeasyPrint.
            futures: dict = {}
            done_plans: list[dict] = []
            states: list[dict] = []
            work: list[tuple[tuple, tuple]] = []   # (a part's layout job, what it is for)
            for job, document, outputs in tasks:
                if not in_parts(document, outputs):
                    continue
                state = {"job": job, "outputs": outputs, "started": time.perf_counter(), "results": {},
                         "error": None, "web": None}
                try:
                    cache = PartCache(job.out_dir / PARTS_DIR, toolchain=toolchain_hash())
                    state["page"], state["build"] = operational_plan_build(job.plan, job.diagnostics, cache=cache)
                    state["cache"] = cache
                    layouts = state["build"].jobs()
                except Exception as e:  # noqa: BLE001 - one document's failure must not stop the others
                    fail(job, outputs, e)
                    continue
                states.append(state)
                state["waiting"] = len(layouts)
                if not layouts:
                    done_plans.append(state)
                for i, part in enumerate(layouts):
                    work.append((part, ("part", state, i)))
            for part, what in sorted(work, key=lambda w: -len(w[0][0])):   # by length of HTML; stable
                futures[pool.submit(layout, part)] = what
            for job, document, outputs in tasks:   # the other documents after the parts: they keep the
                if not in_parts(document, outputs):   # workers busy while this process merges
                    futures[pool.submit(render_document, job.plan, job.diagnostics, document, outputs)] = \
                        ("document", job, outputs)

            def finish_plan(state: dict) -> None:
                job, outputs = state["job"], state["outputs"]
                if state["error"] is not None:
                    fail(job, outputs, state["error"])
                    return
                try:
                    results = [state["results"][i] for i in range(len(state["results"]))]
                    pdf = state["build"].finish(results, run=in_worker, concurrent=True).pdf
                    state["cache"].prune()
                    rendered = {"operational-plan.pdf": pdf}
                    if "operational-plan.html" in outputs:
                        rendered["operational-plan.html"] = state["web"] or _web_edition(state)
                    finish(job, {o: rendered[o] for o in outputs}, time.perf_counter() - state["started"])
                except Exception as e:  # noqa: BLE001
                    fail(job, outputs, e)

            def in_worker(fn: Callable, arg):   # the layouts the merge waits for (the contents, the
                return pool.call(fn, arg)          # furniture): at once, not behind the documents

            for state in states:   # while the workers lay out: the web edition
                if "operational-plan.html" in state["outputs"]:
                    try:
                        _web_edition(state)
                    except Exception as e:  # noqa: BLE001 - reported with the plan's PDF
                        state["error"] = state["error"] or e
            for state in done_plans:
                finish_plan(state)
            for future in as_completed(futures):
                kind, *rest = futures[future]
                if kind == "part":
                    state, i = rest
                    try:
                        state["results"][i] = future.result()
                    except Exception as e:  # noqa: BLE001
                        state["error"] = state["error"] or e
                    state["waiting"] -= 1
                    if state["waiting"] == 0:
                        finish_plan(state)
                    continue
                job, outputs = rest
                try:
                    finish(job, *future.result())
                except Exception as e:  # noqa: BLE001 - one document's failure must not stop the others
                    fail(job, outputs, e)
        except BaseException:  # interrupted or terminated: no worker outlives the build
            pool.shutdown(kill=True)
            raise
        pool.shutdown()
    else:
        for job, document, outputs in tasks:
            try:
                if in_parts(document, outputs):
                    rendered = render_document(job.plan, job.diagnostics, document, outputs,
                                               parts_dir=job.out_dir / PARTS_DIR)
                else:
                    rendered = render_document(job.plan, job.diagnostics, document, outputs)
                finish(job, *rendered)
            except Exception as e:  # noqa: BLE001
                fail(job, outputs, e)


def _web_edition(state: dict) -> bytes:
    from opgen.render.web import operational_plan_web

    job = state["job"]
    state["web"] = operational_plan_web(job.plan, job.diagnostics, state["page"]).encode("utf-8")
    return state["web"]


def write_cache(job: PlanJob) -> None:
    """Remember what made each output (only for a plan that built, or was already up to date)."""
    if job.problem or not job.model_key or (job.failed and not job.built):
        return
    entries = dict(job.cache.get("outputs", {}))
    for output, sha in job.built.items():
        entries[output] = {"key": output_key(job.model_key, output), "sha256": sha}
    cache = {"opgen": __version__, "plan_sha256": hashlib.sha256(job.plan_bytes).hexdigest(),
             "toolchain": toolchain_hash(), "model_key": job.model_key,
             "diagnostics": [d.as_dict() for d in job.diagnostics], "outputs": entries}
    files_read = theme_files(job.plan.theme) if job.plan is not None else job.cache.get("files_read")
    if files_read:  # a theme's logo: a new logo under an unchanged plan file is noticed
        cache["files_read"] = files_read
    try:
        write_atomic(job.out_dir / CACHE_NAME, json.dumps(cache, indent=1, sort_keys=True).encode())
    except OSError:  # the papers are written; without the record the next build just redoes them
        pass
