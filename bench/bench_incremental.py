"""Incremental full-plan PDF (issue 13, deliverable 2): the full operational plan built in parts.

Measured in one run, on one plan (default the South Kent Coast 2014-16 example):

1. one WeasyPrint run over the whole HTML (how the full plan was built before parts), for scale;
2. cold: the full plan's PDF in parts, with an empty part cache (one process);
3. cold with -j N: the same, its parts laid out in N worker processes (opgen.render_pool, as
   `opgen build -j N` lays them out);
4. incremental: after a one-field edit (a line of the first action's description), the same cache.

Reports seconds, pages, the ratio incremental / cold (goal <= 0.35) and the parts laid out again,
and checks the incremental bytes equal a cold build of the edited plan.

Run: .venv/bin/python bench/bench_incremental.py [--plan PLAN | --actions 1000] [-j 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import SKC, big_plan  # noqa: E402

from opgen.outputs import toolchain_hash  # noqa: E402
from opgen.pipeline import plan_from_bytes  # noqa: E402
from opgen.render.html import operational_plan_html  # noqa: E402
from opgen.render.pdf import operational_plan_parts  # noqa: E402
from opgen.render.plan_parts import PartCache  # noqa: E402
from opgen.render.weasy import html_to_pdf  # noqa: E402
from opgen.render_pool import RenderPool, start_server  # noqa: E402


def edit(text: str) -> str:
    """One field: the first action's description gains a few words (its first line)."""
    data = yaml.safe_load(text)
    action = data["actions"][0]
    action["description"] = (action.get("description") or "") + "\n\nAgreed with the provider in March."
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load(text: str):
    result = plan_from_bytes(text.encode("utf-8"), "bench.yaml")
    if not result.ok:
        raise SystemExit("the bench plan does not validate")
    return result.plan, result.report.diagnostics


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", type=Path, default=SKC)
    parser.add_argument("--actions", type=int, default=0, help="a generated plan of this many actions instead")
    parser.add_argument("-j", type=int, default=2)
    args = parser.parse_args()
    start_server()   # as `opgen build -j N` does before a plan loads: warm by the time its parts come
    if args.actions:
        text = yaml.safe_dump(big_plan(args.actions), sort_keys=False, allow_unicode=True)
        name = f"generated plan, {args.actions:,} actions"
    else:
        text = args.plan.read_text(encoding="utf-8")
        name = args.plan.name
    # the cold build reads the plan as `edit` writes it back (YAML round trip), so the two differ in
    # the one field only
    text = yaml.safe_dump(yaml.safe_load(text), sort_keys=False, allow_unicode=True)
    plan, diags = load(text)
    edited_plan, edited_diags = load(edit(text))
    operational_plan_html(plan, diags)   # Jinja compiles its templates once per process: not measured

    html = operational_plan_html(plan, diags)
    _, whole = timed(lambda: html_to_pdf(html, timestamp=dt.datetime(2015, 3, 18)))

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cache = PartCache(tmp / "a", toolchain=toolchain_hash())
        (_, cold), t_cold = timed(lambda: operational_plan_parts(plan, diags, cache=cache))
        cache.prune()
        with RenderPool(args.j) as pool:   # the build's own workers: a fresh process a part
            (_, cold_j), t_cold_j = timed(lambda: operational_plan_parts(plan, diags, cache=PartCache(tmp / "b", toolchain=toolchain_hash()),
                                                                         map_fn=pool.map))
        cache = PartCache(tmp / "a", toolchain=toolchain_hash())
        (_, inc), t_inc = timed(lambda: operational_plan_parts(edited_plan, edited_diags, cache=cache))
        cache.prune()
        _, fresh = operational_plan_parts(edited_plan, edited_diags, cache=PartCache(tmp / "c", toolchain=toolchain_hash()))

    pages = sum(cold.pages.values())
    print(f"plan: {name}; full plan {pages} pages in {len(cold.parts)} parts")
    print(f"  one WeasyPrint run (before parts)   {whole:7.2f} s")
    print(f"  cold, in parts, -j 1                {t_cold:7.2f} s  ({t_cold / pages * 1000:.0f} ms a page)")
    print(f"  cold, in parts, -j {args.j}                {t_cold_j:7.2f} s  (ratio to -j 1: {t_cold_j / t_cold:.2f})")
    print(f"  after a one-field edit              {t_inc:7.2f} s  (ratio to cold -j 1: {t_inc / t_cold:.3f}; "
          f"goal <= 0.35)")
    print(f"  parts laid out again: {len(inc.laid_out)} of {len(inc.parts)} ({', '.join(inc.laid_out)})")
    print(f"  incremental bytes == cold build of the edited plan: {inc.pdf == fresh.pdf}; "
          f"-j {args.j} bytes == -j 1 bytes: {cold_j.pdf == cold.pdf}")


if __name__ == "__main__":
    main()
