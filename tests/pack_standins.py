"""STAND-INS FOR TESTS AND THE BENCHMARK ONLY: the pack's view, renderer, Word pack and "what changed
since" are written by other people in parallel (opgen/pack/view.py `pack_view`, opgen/pack/changes.py,
opgen/render/pack_pdf.py, opgen/render/docx/pack.py). Until their code is merged, `install()` puts
these small stand-ins in their place, following the agreed API, so that the pack's orchestration
(opgen/pack/build.py, opgen/cli/pack.py) can be tested. Wherever a real module is present it is
used and its stand-in is not installed.

They print no board paper: the "PDF" is the parts' bytes joined with markers (a plan on a page is
included as it is), the "Word pack" a line per plan; both deterministic."""

from __future__ import annotations

import hashlib
import importlib
import sys
import types

CALLS = {"parts_rendered": [], "docx": 0, "changes": []}
STOOD_IN: list[str] = []  # what the last install() stood in for


def _missing(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError:
        return True
    return False


# --- opgen.pack.view.pack_view ---------------------------------------------------------------------

def pack_view(spec, entries):
    from opgen.pack.view import ChangesView, PackView, PlanPart

    plans = [PlanPart(name=f"plan-{e.name}", title=e.plan.plan.title if hasattr(e.plan, "plan") else e.name,
                      organisation=getattr(getattr(e.plan, "organisation", None), "name", e.name), short=e.name,
                      facts=[("model", hashlib.sha256(repr(e.plan).encode()).hexdigest())],
                      changes=ChangesView(e.name, e.since_label or "", None) if e.since_label else None)
             for e in entries if not e.problem]
    view = PackView(id=spec.id, title=spec.title, cover={"board": spec.board}, plans=plans,
                    left_out=[(str(e.path), e.problem) for e in entries if e.problem], summary=[], red_amber=[],
                    high_risks=[], open_items=[], matrix=None, indicators=[], glossary=[], date=spec.meeting)
    view.pops = {e.name: e.pop_pdf for e in entries if not e.problem}  # stand-in only: render reads entries
    return view


# --- opgen.render.pack_pdf ---------------------------------------------------------------------------

def part_ids(view) -> list[str]:
    ids = ["front"]
    for part in view.plans:
        name = part.name.removeprefix("plan-")
        ids += [f"plan-{name}", f"pop-{name}"]
    return ids + ["glossary"]


def _content(view, part_id: str) -> bytes:
    if part_id.startswith("pop-"):
        return view.pops[part_id.removeprefix("pop-")]
    if part_id.startswith("plan-"):
        part = next(p for p in view.plans if p.name == part_id)
        return repr(part).encode()
    if part_id == "glossary":
        return repr(view.glossary).encode()
    return repr((view.title, view.cover, view.left_out, [p.name for p in view.plans])).encode()


def part_key(view, part_id: str) -> str:
    return hashlib.sha256(part_id.encode() + b"\0" + _content(view, part_id)).hexdigest()


def render_part(item: tuple[str, bytes]) -> bytes:  # runs in a worker with -j N
    part_id, content = item
    return b"%%PART " + part_id.encode() + b"\n" + content + b"\n"


def pack_pdf(view, *, cache=None, map_fn=map) -> bytes:
    cache = {} if cache is None else cache
    ids = [i for i in part_ids(view) if i != "front"]
    keys = {i: part_key(view, i) for i in ids}
    todo = [i for i in ids if not i.startswith("pop-") and keys[i] not in cache]
    for part_id, data in zip(todo, map_fn(render_part, [(i, _content(view, i)) for i in todo])):
        cache[keys[part_id]] = data
        CALLS["parts_rendered"].append(part_id)
    parts = [view.pops[i.removeprefix("pop-")] if i.startswith("pop-") else cache[keys[i]] for i in ids]
    front = render_part(("front", _content(view, "front")))
    return b"%PDF-stand-in\n" + front + b"".join(parts) + b"%%EOF\n"


# --- opgen.render.docx.pack ------------------------------------------------------------------------

def pack_docx(view) -> bytes:
    CALLS["docx"] += 1
    lines = [view.title] + [p.short for p in view.plans] + [f"left out: {path}: {why}" for path, why in view.left_out]
    return ("stand-in docx\n" + "\n".join(lines) + "\n").encode()


# --- opgen.pack.changes ------------------------------------------------------------------------------

def changes_since(path, since):
    CALLS["changes"].append((str(path), since))
    return None, f"Changes since {since} (stand-in)"


def install(monkeypatch=None) -> list[str]:
    """Put the stand-ins where the real modules are missing; the names of those stood in for."""
    def put(name: str, module):
        if monkeypatch is not None:
            monkeypatch.setitem(sys.modules, name, module)
            parent, _, attr = name.rpartition(".")
            monkeypatch.setattr(sys.modules[parent], attr, module, raising=False)
        else:
            sys.modules[name] = module
            parent, _, attr = name.rpartition(".")
            setattr(sys.modules[parent], attr, module)

    stood_in = []
    import opgen.pack.view as view_module
    import opgen.render
    import opgen.render.docx

    if not hasattr(view_module, "pack_view"):
        if monkeypatch is not None:
            monkeypatch.setattr(view_module, "pack_view", pack_view, raising=False)
        else:
            view_module.pack_view = pack_view
        stood_in.append("opgen.pack.view.pack_view")
    for name, functions in (("opgen.render.pack_pdf", (part_ids, part_key, pack_pdf)),
                            ("opgen.render.docx.pack", (pack_docx,)),
                            ("opgen.pack.changes", (changes_since,))):
        if _missing(name):
            module = types.ModuleType(name, "STAND-IN (tests/pack_standins.py)")
            for fn in functions:
                setattr(module, fn.__name__, fn)
            put(name, module)
            stood_in.append(name)
    CALLS["parts_rendered"].clear()
    CALLS["docx"] = 0
    CALLS["changes"].clear()
    STOOD_IN[:] = stood_in
    return stood_in
