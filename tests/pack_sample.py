"""A PackView of the six Kent plans of 18 March 2015 for the pack's render tests.

With opgen.pack.view.pack_view present (the view's branch merged), the view is made by it from a
PackSpec and PlanEntry list, as `opgen pack` makes it. Until then it is built from the contract's
dataclasses directly, with every text taken from the real plans through opgen.display (the
comparison's own logic is pack_view's; this only has to be real enough to lay out)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from opgen import display, richtext
from opgen.diff.headline import diff_plans
from opgen.diff.report import detail, subject, what
from opgen.pack import view as view_mod
from opgen.pack.spec import Measure, PackSpec, PlanRef
from opgen.pack.view import (Cell, ChangesView, ItemLine, PackView, PlanEntry, PlanPart, Row, Table)
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render.pdf import plan_on_a_page_pdf

ROOT = Path(__file__).resolve().parent.parent
KENT = ["ashford-canterbury-2015-16", "dartford-gravesham-swanley-2015-16", "south-kent-coast-2015-16",
        "swale-2015-16", "thanet-2015-16", "west-kent-2015-16"]
BROKEN = b"schema_version: 2\nplan:\n  title: A plan with no organisation\n"
COVER = dict(
    board="Kent Health and Wellbeing Board",
    meeting=display.long_date("2015-03-18"),
    item="5",
    author="Mark Lemon, Strategic Business Adviser, Kent County Council",
    purpose="The Board is asked to discuss the **operational plans** of the six Kent CCGs for 2015/16.",
    recommendations=["Discuss and endorse the CCGs' commissioning plans.",
                     "Note the alignment of each plan with the *Joint Health and Wellbeing Strategy*."],
    background="Each CCG refreshed its two-year operational plan for 2015/16.\n\n- QIPP\n- BCF",
)


@lru_cache(maxsize=None)
def entry(name: str, with_pop: bool = True) -> PlanEntry:
    path = ROOT / "plans" / f"{name}.yaml"
    result = plan_from_file(path)
    assert result.ok, name
    diagnostics = list(result.report.diagnostics)
    pop = plan_on_a_page_pdf(result.plan, diagnostics)[1] if with_pop else None
    changes, label = _changes(path, result)
    return PlanEntry(name=name, path=path, plan=result.plan, diagnostics=diagnostics, changes=changes,
                     since_label=label, pop_pdf=pop)


def _changes(path: Path, result):
    """What changed against an earlier state of the same plan: the same text with its first two
    titles worded differently (a real diff, as changes_since would give)."""
    text = path.read_text(encoding="utf-8")
    old_text = text.replace("\n  title: ", "\n  title: Draft ", 1).replace("\n    title: ", "\n    title: Draft ", 1)
    old = plan_from_bytes(old_text.encode(), str(path))
    if not old.ok or old_text == text:
        return None, "What changed is not known: no earlier version to compare"
    cs = diff_plans(old.plan, result.plan, old_label="v0", new_label="now")
    return cs, "Changes since v0"


def broken_entry() -> PlanEntry:
    result = plan_from_bytes(BROKEN, "plans/broken-2015-16.yaml")
    first = result.report.errors[0]
    return PlanEntry(name="broken-2015-16", path=Path("plans/broken-2015-16.yaml"), plan=None,
                     diagnostics=list(result.report.diagnostics),
                     problem=f"has {display.plural(len(result.report.errors), 'error')}: {first.as_text().splitlines()[0]}")


def spec(names: list[str]) -> PackSpec:
    return PackSpec(id="kent-hwb-2015-03", title="Review of Commissioning Plans", board=COVER["board"],
                    meeting="2015-03-18", item="5", purpose=COVER["purpose"],
                    recommendations=tuple(COVER["recommendations"]), background=COVER["background"],
                    author=COVER["author"], plans=tuple(PlanRef(ROOT / "plans" / f"{n}.yaml") for n in names),
                    measures=(Measure(code="E.B.3", title="Emergency admissions for acute conditions"),))


def sample_view(names: list[str] = KENT, broken: bool = True) -> PackView:
    entries = [entry(n) for n in names] + ([broken_entry()] if broken else [])
    made = getattr(view_mod, "pack_view", None)
    view = made(spec(names), entries) if made else _by_hand(entries)
    for part in view.plans:   # the plan on a page travels with its PlanPart (see PlanPart.pop_pdf)
        found = next((e for e in entries if e.name == part.name), None)
        if found and not part.pop_pdf:
            part.pop_pdf = found.pop_pdf
    return view


# --- by hand, from the contract's dataclasses ------------------------------------------------------

def _rag(plan, a):
    return a.rag_as_at(plan.meta.as_at) if plan.meta.as_at_stated else None


def _by_hand(entries: list[PlanEntry]) -> PackView:
    good = [e for e in entries if e.plan is not None]
    parts, red_amber, risks, open_items = [], [], [], []
    rag_rows, qipp_rows = [], []
    for e in good:
        plan = e.plan
        short = plan.organisation.display_short
        facts = [("Organisation", plan.organisation.name), ("Plan period", plan.meta.period_label),
                 ("Version", display.version(plan.meta.version)), ("Status", display.status(plan.meta.status)),
                 ("Delivery status as at", plan.meta.as_at.label if plan.meta.as_at_stated else display.NOT_STATED)]
        changes = None
        if e.changes is not None:
            from opgen.diff.report import detail as _d
            lines = [" ".join(x for x in (subject(c), what(c), _d(c)) if x) for c in e.changes.changes]
            changes = ChangesView(plan=short, since_label=e.since_label, headline=e.changes.headline,
                                  key_changes=lines[:12], more=max(0, len(lines) - 12))
        elif e.since_label:
            changes = ChangesView(plan=short, since_label=e.since_label, headline=None)
        parts.append(PlanPart(name=e.name, title=plan.meta.title, organisation=plan.organisation.name,
                              short=short, facts=facts, changes=changes))
        counts: dict[str, int] = {}
        for a in plan.actions:
            colour = _rag(plan, a)
            counts[colour or "none"] = counts.get(colour or "none", 0) + 1
            if colour in ("red", "amber"):
                red_amber.append(ItemLine(plan=short, id=a.id, title=a.title, status=display.rag(colour), tone=colour,
                                          detail=richtext.to_plain(a.mitigation) if a.mitigation else None))
        rag_rows.append(Row(label=short, anchor=f"plan-{e.name}", cells=[
            Cell(f"{counts.get(k, 0):,}", tone=k if counts.get(k) else None) for k in ("red", "amber", "green")]
            + [Cell(f"{counts.get('none', 0):,}"), Cell(display.rag_summary(len(plan.actions), counts))]))
        if plan.qipp and plan.qipp.schemes:
            year = plan.meta.start
            qipp_rows.append(Row(label=short, cells=[Cell(display.money(plan.qipp.savings(year), plan.qipp.unit)),
                                                     Cell(display.money(plan.qipp.investment(year), plan.qipp.unit))]))
        else:
            qipp_rows.append(Row(label=short, cells=[Cell(display.NOT_STATED), Cell(display.NOT_STATED)]))
        for r in plan.risks_in_bands("extreme", "high"):
            risks.append(ItemLine(plan=short, id=r.id, title=r.title, status=display.band(r.band), tone=r.band,
                                  detail=richtext.to_plain(r.mitigation) if r.mitigation else None))
        for w in display.board_warnings(plan, e.diagnostics)[:4]:
            open_items.append(ItemLine(plan=short, id=", ".join(w["ids"][:3]) or "\u2013", title=w["item"],
                                       status="Warning", detail=w["hint"] or w["message"]))
        for t in plan.tbcs[:3]:
            open_items.append(ItemLine(plan=short, id="TBC", title=t.label, status=display.TBC, tone="amber"))
    summary = [
        Table(id="summary-qipp", caption="QIPP savings and investment, first plan year",
              columns=["Plan", "Savings", "Investment"], rows=qipp_rows, numeric=[True, True]),
        Table(id="summary-actions", caption="Actions by RAG as at each plan's as-at quarter",
              columns=["Plan", "Red", "Amber", "Green", "Not reported", "In words"], rows=rag_rows,
              numeric=[True, True, True, True, False], note=display.NO_RAG_YET),
    ]
    matrix = Table(id="matrix", caption="Plans by JHWS outcome",
                   columns=["Plan"] + [f"Outcome {i}" for i in range(1, 8)],
                   rows=[Row(label=p.short, cells=[Cell("No item aligned", tone=None) for _ in range(7)])
                         for p in parts])
    left = [(str(e.path), e.problem) for e in entries if e.plan is None]
    return PackView(id="kent-hwb-2015-03", title="Review of Commissioning Plans", cover=dict(COVER), plans=parts,
                    left_out=left, summary=summary, red_amber=red_amber, high_risks=risks, open_items=open_items,
                    matrix=matrix, indicators=[], glossary=[("BCF", "Better Care Fund"), ("CCG", "Clinical Commissioning Group"),
                                                            ("QIPP", "Quality, Innovation, Productivity and Prevention")],
                    date="2015-03-18")
