"""What mending the tags costs (issue 12: opgen.render.pdftags), against WeasyPrint's own time.

For SKC's full plan and the 1,000-action plan's (bench/generate.py): WeasyPrint's layout and
write_pdf, then layout_hints and fix_structure on the PDF it wrote, in one run; reported as the
fixer's share of the WeasyPrint time (a ratio, so a busy machine slows both alike), with the
artifacts, links and joined elements it made. Median of --repeat fixes.

Run: .venv/bin/python bench/bench_pdftags.py [--repeat 3] [--skip-big]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import SKC, big_plan, write_plan  # noqa: E402

from opgen.pipeline import plan_from_file  # noqa: E402
from opgen.render.html import operational_plan_html  # noqa: E402
from opgen.render.pdftags import fix_structure, layout_hints  # noqa: E402
from opgen.render.weasy import render_document  # noqa: E402


def measure(path: Path, repeat: int) -> dict:
    result = plan_from_file(path)
    html = operational_plan_html(result.plan, list(result.report.diagnostics))
    t0 = time.perf_counter()
    document = render_document(html)
    t1 = time.perf_counter()
    raw = document.write_pdf(pdf_identifier=b"0" * 32, pdf_tags=True, pdf_variant="pdf/ua-1")
    t2 = time.perf_counter()
    fixes = []
    for _ in range(repeat):
        s = time.perf_counter()
        watermark, continued = layout_hints(document)
        fixed = fix_structure(raw, watermark=watermark, continued=continued)
        fixes.append(time.perf_counter() - s)
    fix = statistics.median(fixes)
    return {"pages": len(document.pages), "layout": t1 - t0, "write": t2 - t1, "fix": fix,
            "share": fix / (t2 - t0), "joined": sum(1 for d in continued if d), "bytes": (len(raw), len(fixed))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args()
    plans = [("SKC full plan", SKC)]
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_big:
            plans.append(("1,000-action plan", write_plan(big_plan(1000), Path(tmp) / "big.yaml")))
        for label, path in plans:
            r = measure(path, args.repeat)
            print(f"{label}: {r['pages']} pages; WeasyPrint layout {r['layout']:.2f} s + write_pdf {r['write']:.2f} s; "
                  f"fix_structure {r['fix']:.2f} s = {r['share']:.1%} of WeasyPrint's time; "
                  f"{r['joined']} page breaks joined; {r['bytes'][0]:,} -> {r['bytes'][1]:,} bytes")


if __name__ == "__main__":
    main()
