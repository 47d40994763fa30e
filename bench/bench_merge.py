"""Merge speed (issue 10: opgen.render.merge).

1. 60 small parts (1 to 3 pages, A4 portrait and landscape, 120 pages): merge without furniture,
   and with a running header, footer and "Page X of Y" on every page. Median of 3, wall and CPU.
   Target: well under 1-2 s.
2. With --plans: the full operational plan and the plan on a page of three example plans (about
   190 pages, 27,000 marked contents), built first (slow), then merged. Median of 3.

Run: .venv/bin/python bench/bench_merge.py [--plans]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opgen.render.merge import Furniture, Part, merge, page_count  # noqa: E402
from opgen.render.weasy import html_to_pdf  # noqa: E402

STAMP = dt.datetime(2015, 3, 18, tzinfo=dt.timezone.utc)


def small_part(i: int) -> bytes:
    pages = i % 3 + 1
    size = "A4 landscape" if i % 2 else "A4"
    body = [f"<h1>Part {i}</h1><p>Text with <a href='#d'>a link</a>.</p>"
            "<table><tr><th>Scheme</th><th>£000</th></tr><tr><td>Urgent care</td><td>120</td></tr></table>"]
    body += [f"<h2 id='d' style='break-before: page'>Page {p}</h2><p>More text.</p>" for p in range(2, pages + 1)]
    html = (f"<html lang='en-GB'><head><title>Part {i}</title><style>@page {{ size: {size}; margin: 22mm 20mm }}"
            "</style></head><body>" + "".join(body) + "</body></html>")
    return html_to_pdf(html, timestamp=STAMP, identifier_seed=str(i))


def timed(parts: list[Part], furniture) -> tuple[float, float, int]:
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        data = merge(parts, title="Bench", timestamp=STAMP, identifier_seed="bench", furniture=furniture)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), len(data)


def report(label: str, parts: list[Part]) -> None:
    n = sum(page_count(p.pdf) for p in parts)
    furniture = [Furniture(header=f"Header {i}", footer="Board, date, item", page_label=f"Page {i + 1} of {n}")
                 for i in range(n)]
    for name, f in (("no furniture", None), ("furniture", furniture)):
        wall, cpu, size = timed(parts, f)
        print(f"{label}, {n} pages, {name}: {wall:.2f} s wall, {cpu:.2f} s CPU, {size / 1e6:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", action="store_true", help="also merge three example plans' papers")
    args = parser.parse_args()
    distinct = {i: small_part(i) for i in range(6)}    # 6 shapes, reused: the merge is what is timed
    report("60 small parts", [Part(distinct[i % 6], anchor=f"p{i}", bookmark=f"Part {i}") for i in range(60)])
    if args.plans:
        from opgen.pipeline import plan_from_file
        from opgen.render.pdf import operational_plan_pdf, plan_on_a_page_pdf
        parts = []
        for name in ("dartford-gravesham-swanley-2015-16", "thanet-2015-16", "redditch-bromsgrove-2012-13"):
            result = plan_from_file(ROOT / "plans" / f"{name}.yaml")
            parts.append(Part(operational_plan_pdf(result.plan, [])[1], bookmark=name))
            parts.append(Part(plan_on_a_page_pdf(result.plan, [])[1]))
        report("3 plans' papers", parts)


if __name__ == "__main__":
    main()
