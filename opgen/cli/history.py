"""`opgen history PLAN [--since REV] [--out FILE] [--format pdf|text]`: the plan's trends across
quarters from its git history (opgen/history.py): each action's RAG by quarter, QIPP forecast, risk
scores and indicator actuals against trajectory, as charts with their tables (PDF) or as the tables
(text). Invalid versions are skipped and named. Exit 0 done, 2 trouble (not in git, an unknown
revision, no valid version)."""

from __future__ import annotations

import sys
from pathlib import Path

from opgen.diagnostics import UserError


def register(sub) -> None:
    p = sub.add_parser("history", help="trends across quarters from the plan's git history")
    p.add_argument("plan", metavar="PLAN", help="the plan file (in a git repository)")
    p.add_argument("--since", metavar="REV", help="start from this revision (included); default: the first commit")
    p.add_argument("--out", metavar="FILE", help="where to write (default: build/<plan>/history.pdf; text to stdout)")
    p.add_argument("--format", choices=["pdf", "text"], default="pdf", help="pdf (charts and tables) or text (tables)")
    p.set_defaults(func=run)


def run(args) -> int:
    from opgen.history import build_trends, read_versions
    from opgen.render.history import history_text
    from opgen.write import write_atomic

    versions, skipped = read_versions(args.plan, args.since)
    trends = build_trends(versions, skipped)
    if args.format == "text":
        text = history_text(trends)
        if args.out:
            write_atomic(Path(args.out), text.encode("utf-8"))
            print(f"wrote {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    from opgen.render import source_date_epoch
    from opgen.render.history import history_pdf

    source_date_epoch()
    out = Path(args.out) if args.out else Path("build") / Path(args.plan).stem / "history.pdf"
    if out.is_dir():
        raise UserError(f"{out} is a folder; give a file name, e.g. {out / 'history.pdf'}")
    write_atomic(out, history_pdf(trends))
    for s in trends.skipped:
        print(f"opgen history: {s.rev} ({s.day}) skipped: {s.why}", file=sys.stderr)
    print(f"wrote {out} ({len(versions)} versions)", file=sys.stderr)
    return 0
