"""Every plan of a pack made into one PackView: what the board compares, already in words.

CONTRACT (shared by the pack helpers; fill in, do not rename): `pack_view(spec, entries) -> PackView`.
Every text here is final reader-facing text made through opgen.display (the PDF and the Word pack
print these strings as they are, so they agree). A figure a plan does not state reads "Not stated",
never 0; a TBC reads as display does. `rag`/`tone` fields carry a colour key for styling only:
the text always carries the meaning too."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PlanEntry:
    """One plan named by the pack, as the build found it."""
    name: str                    # output folder name (opgen.outputs.output_names)
    path: Path
    plan: object | None          # opgen.model.Plan, None when it failed
    diagnostics: list            # opgen.diagnostics.Diagnostic
    problem: str | None = None   # why it is left out ("has 3 errors: plans/x.yaml:12:3: ...", "cannot read")
    changes: object | None = None   # opgen.diff.changes.ChangeSet since spec's `since`, None if not asked
    since_label: str | None = None  # "since v1.0 (12 Feb 2015)", or why not ("not in git: ...")
    pop_pdf: bytes | None = None    # the plan on a page, reused from build/<name>/ or rendered


@dataclass
class Cell:
    text: str                    # what is printed
    tone: str | None = None      # red, amber, green, blue, grey, none: styling only
    note: str | None = None      # a footnote-ish explanation ("rule for 2015/16 not stated")


def _cell(text: str, tone: str | None = None, note: str | None = None) -> "Cell":
    """A cell; "Not stated" is styled as absent (tone "none") unless a tone is given."""
    from opgen.display import NOT_STATED

    return Cell(text, tone if tone is not None or text != NOT_STATED else "none", note)


@dataclass
class Row:
    label: str                   # first column (usually the plan's short name)
    cells: list[Cell]
    anchor: str | None = None    # id of the plan's part, for links
    span: bool = False           # (added) the row's one cell spans every column after the label: a plan
                                 # that has nothing to compare says so once ("does not map its work to ...")


@dataclass
class Table:
    id: str                      # html id, e.g. "summary-qipp"
    caption: str
    columns: list[str]           # header texts (the first is the row label's header)
    rows: list[Row]
    numeric: list[bool] = field(default_factory=list)  # per column after the label: right-align
    note: str | None = None      # under the table (Markdown-free plain text)


@dataclass
class ItemLine:
    """An action, risk or TBC named in a list across plans."""
    plan: str                    # plan short name
    id: str
    title: str
    status: str                  # "Red", "Extreme (score 20)"... as printed
    tone: str | None = None
    detail: str | None = None    # mitigation, path to green, due date...


@dataclass
class ChangesView:
    plan: str
    since_label: str             # "Changes since v1.0", or why not known
    headline: str | None         # the diff's headline, None when not asked or unavailable
    key_changes: list[str] = field(default_factory=list)   # at most ~12 lines in a board's words
    more: int = 0                # how many further changes are not listed


@dataclass
class PlanPart:
    name: str                    # anchor / part id "plan-<name>"
    title: str                   # the plan's title as the running header prints it
    organisation: str
    short: str                   # short name used in tables
    facts: list[tuple[str, str]] # key facts: period, version, status, as at...
    changes: ChangesView | None
    pop_pdf: bytes | None = None # (added) the plan on a page (PlanEntry.pop_pdf), for the "pop-<name>" part
    rates_actions: bool = True   # (added) False: the plan reports no RAG for any action
    rates_risks: bool = True     # (added) False: the plan rates none of its risks
    path: str = ""               # (added) the plan file, as the pack names it


@dataclass
class PackView:
    id: str
    title: str
    cover: dict                  # board, meeting (in words), item, purpose/background (HTML via richtext), recommendations
    plans: list[PlanPart]        # included plans in pack order
    left_out: list[tuple[str, str]]   # (plan path, reason printed in the pack)
    summary: list[Table]         # QIPP (£ and % of allocation), business rules (RAG + text), BCF targets, actions by RAG
    red_amber: list[ItemLine]
    high_risks: list[ItemLine]
    open_items: list[ItemLine]   # open TBCs and warnings
    matrix: Table | None         # plans by framework item: coverage and gaps
    indicators: list[Table]      # one table per comparison measure (plan, baseline, target, benchmark)
    glossary: list[tuple[str, str]]   # (term, meaning), sorted, only terms the pack's text uses
    date: str | None = None      # for the document timestamp (meeting date)
    theme: object | None = None  # the pack's own pages' house style (opgen.theme.Theme)


# --- building the view ----------------------------------------------------------------------------

def pack_view(spec, entries: list[PlanEntry]) -> PackView:
    """Every plan of the pack (in pack order) made into the board's comparison."""
    from opgen import display
    from opgen.glossary import glossary_for

    included = [e for e in entries if e.plan is not None and not e.problem]
    left_out = [(str(e.path), e.problem or display.pack_left_out_unknown()) for e in entries
                if e.plan is None or e.problem]
    shorts = _short_names(spec, included)
    parts = []
    for e in included:
        short = shorts[id(e)]
        changes = changes_view(short, e.changes, e.since_label)
        parts.append(PlanPart(name=e.name, title=e.plan.meta.title, organisation=e.plan.organisation.name,
                              short=short, facts=_facts(e), changes=changes, pop_pdf=e.pop_pdf, path=str(e.path),
                              rates_actions=_rates_actions(e.plan), rates_risks=_rates_risks(e.plan)))
    rows = [(e, shorts[id(e)]) for e in included]
    view = PackView(
        id=spec.id, title=spec.title, cover=_cover(spec), plans=parts, left_out=left_out,
        summary=[_qipp_table(rows), _rules_table(rows), _bcf_table(spec, rows), _rag_table(rows)],
        # filled below from the lists: a row per plan of what needs the board's attention
        red_amber=[line for e, short in rows for line in _red_amber(e.plan, short)],
        high_risks=[line for e, short in rows for line in _high_risks(e.plan, short)],
        open_items=[line for e, short in rows for line in _open_items(e, short)],
        matrix=_matrix(spec, rows), indicators=[_measure_table(m, rows) for m in spec.measures],
        glossary=[], date=spec.meeting, theme=spec.theme)
    view.summary.append(_attention_table(view, rows))
    printed = _printed_texts(view) + [t for e in included for t in _pop_texts(e.plan)]
    view.glossary = glossary_for(printed, [e.plan for e in included], spec.glossary)
    return view


def changes_view(plan: str, changes, label: str | None) -> ChangesView | None:
    """What a plan's part prints of what changed since (opgen.pack.changes): the diff's headline and
    its key changes in words; None where no "since" was asked."""
    from opgen import display
    from opgen.pack.changes import key_changes

    if changes is None and not label:
        return None
    lines, more = key_changes(changes)
    return ChangesView(plan=plan, since_label=label or display.changes_not_asked(),
                       headline=changes.headline if changes is not None else None, key_changes=lines, more=more)


def _short_names(spec, included: list[PlanEntry]) -> dict[int, str]:
    """The pack's label for each plan (its `label`, else the organisation's short name)."""
    labels = {}
    for ref in spec.plans:
        if ref.label:
            labels[_key(ref.path)] = ref.label
    return {id(e): labels.get(_key(e.path)) or e.plan.organisation.display_short for e in included}


def _key(path) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(path)


def _cover(spec) -> dict:
    from opgen import display

    return {"board": spec.board, "meeting": display.long_date(spec.meeting) if spec.meeting else None,
            "item": spec.item, "author": spec.author, "purpose": spec.purpose,
            "recommendations": list(spec.recommendations), "background": spec.background}


def _facts(e: PlanEntry) -> list[tuple[str, str]]:
    from opgen import display

    plan = e.plan
    meta = plan.meta
    warnings = display.board_warnings(plan, e.diagnostics)   # as the plan's list of open items counts them
    facts = [(display.PACK_FACTS["organisation"], plan.organisation.name),
             (display.PACK_FACTS["period"], meta.period_label),
             (display.PACK_FACTS["version"], display.version(meta.version)),
             (display.PACK_FACTS["status"], display.status(meta.status)),
             (display.PACK_FACTS["as_at"], display.as_at(meta) or display.NOT_STATED)]
    if meta.date:
        facts.append((display.PACK_FACTS["date"], display.long_date(meta.date)))
    facts.append((display.PACK_FACTS["open"], display.pack_open_counts(len(plan.tbcs), len(warnings))))
    return facts


# --- the plan year and money in one unit -----------------------------------------------------------

def plan_year(plan):
    """The financial year a plan is compared for: its one year, else the year of its as-at quarter,
    else its first year."""
    meta = plan.meta
    if meta.start == meta.end:
        return meta.start
    if meta.as_at_stated and meta.start <= meta.as_at.year <= meta.end:
        return meta.as_at.year
    return meta.start


_TO_GBP = {"gbp": 1, "gbp_thousands": 1000, "gbp_millions": 1000000}


def _gbp(total, unit_key: str):
    """A Total (or a Value) in pounds."""
    from decimal import Decimal

    from opgen.model import Total, Value

    factor = Decimal(_TO_GBP[unit_key])
    if isinstance(total, Value):
        total = Total.of([total])
    return Total(total.value * factor, total.incomplete, total.parts, total.unstated_only)


def _table_unit(totals) -> str:
    """£m where any figure is a million pounds or more, else £000."""
    from decimal import Decimal

    biggest = max((abs(t.value) for t in totals if t is not None and t.parts), default=Decimal(0))
    return "gbp_millions" if biggest >= 1000000 else "gbp_thousands"


def _period(year):
    from opgen.periods import Period

    return Period.parse(year.label)


# --- summary tables --------------------------------------------------------------------------------

def _qipp_table(rows) -> Table:
    from opgen import display

    figures = []
    for e, short in rows:
        plan, year = e.plan, plan_year(e.plan)
        q, f = plan.qipp, plan.finance
        if q is None:
            figures.append((e, short, year, None, None, None, None, None, None))
            continue
        savings, investment, net = (_gbp(x, q.unit.key) for x in (q.savings(year), q.investment(year), q.net(year)))
        stated = q.stated_total.get(year)
        stated = _gbp(stated, q.unit.key) if stated is not None and not stated.kind == "na" else None
        allocation = f.allocation_base_for(_period(year)) if f is not None else None
        allocation = _gbp(_value(allocation), f.unit.key) if allocation is not None else None
        figures.append((e, short, year, q, savings, investment, net, stated, allocation))
    unit = _table_unit([t for row in figures for t in row[4:8]])
    table_rows, units = [], []
    for e, short, year, q, savings, investment, net, stated, allocation in figures:
        if q is None:
            cells = [_cell(year.label)] + [_cell(display.NOT_STATED, "none") for _ in range(4)] + \
                    [_cell(display.NOT_STATED, "none", display.PACK_NO_QIPP)]
        else:
            units.append((short, q.unit.key))
            base, from_stated = (stated, True) if stated is not None and stated.parts and not stated.incomplete else \
                (net, False) if net.parts and not net.incomplete else (None, False)
            share = display.pack_share(base, allocation, from_stated, year.label)
            if not any(t.parts or t.incomplete for t in (savings, investment)) and stated is None:
                share = (share[0], display.pack_qipp_no_amounts(len(q.schemes)))
            cells = [_cell(year.label), _cell(display.pack_money(savings, unit)), _cell(display.pack_money(investment, unit)),
                     _cell(display.pack_money(net, unit)),
                     _cell(display.pack_money(stated, unit) if stated is not None else display.NOT_STATED),
                     _cell(share[0], None, share[1])]
        table_rows.append(Row(short, cells, anchor=f"plan-{e.name}"))
    note = display.pack_qipp_note(unit, units, [t for row in figures for t in row[4:8]])
    return Table("summary-qipp", display.PACK_CAPTIONS["qipp"], display.pack_qipp_columns(unit), table_rows,
                 numeric=[False, True, True, True, True, True], note=note)


def _value(number):
    from opgen.model import Value

    return Value("number", number)


def _rules_table(rows) -> Table:
    from opgen import display
    from opgen.model import BUSINESS_RULES

    found = []
    for e, short in rows:
        year, f = plan_year(e.plan), e.plan.finance
        rules = {r.role: r for r in (f.business_rules(year) if f is not None else [])}
        found.append((e, short, year, f, rules))
    amounts = [_gbp(r.value, f.unit.key) for _, _, _, f, rules in found for r in rules.values()
               if r.value is not None and r.value.is_number]
    unit = _table_unit(amounts)
    table_rows, unjudged = [], []
    for e, short, year, f, rules in found:
        cells = [_cell(year.label)]
        for role, name, _ in BUSINESS_RULES:
            r = rules.get(role)
            if r is None:
                cells.append(_cell(display.NOT_STATED, "none",
                                  display.PACK_NO_FINANCE if f is None else None))
                continue
            figure = display.pack_money(_gbp(r.value, f.unit.key), unit) if r.value is not None and r.value.is_number \
                else display.value(r.value)
            share = display.rule_percent(r.percent, r.stated_percent, r.percent_stated)
            verdict, tone = display.pack_rule_verdict(r.met, r.no_rule, year.label)
            if r.no_rule:
                unjudged.append((name, year.label, r.no_rule))
            cells.append(_cell(display.pack_rule_cell(figure, share, display.rule_required(r.required_percent)
                                                     if not r.no_rule else "", verdict), tone,
                              display.pack_own_rating(r.rag)))
        table_rows.append(Row(short, cells, anchor=f"plan-{e.name}"))
    note = " ".join(x for x in (display.pack_rules_note(unit), display.rules_unjudged_note(unjudged)) if x)
    return Table("summary-rules", display.PACK_CAPTIONS["rules"], display.pack_rules_columns(unit), table_rows,
                 numeric=[False, False, False, False], note=note)


_NEL = __import__("re").compile(r"non[\s-]?elective|\bNEL\b", __import__("re").I)


def _nel_candidates(plan) -> list:
    metrics = list(plan.bcf.metrics) if plan.bcf else []
    indicators = sorted(plan.indicators, key=lambda i: i.group != "bcf")
    return [i for i in metrics + indicators if _NEL.search(i.title) and "admission" in i.title.lower()]


def nel_reduction(plan):
    """(the indicator, its target Value, the reduction in percent) of a plan's non-elective
    admissions reduction target for its plan year, or (a named indicator without one, None, None),
    or (None, None, None)."""
    year = _period(plan_year(plan))
    named = None
    for ind in _nel_candidates(plan):
        named = named or ind
        target = ind.targets.get(year)
        if target is None:
            continue
        if target.change is not None and target.change.comparison == "reduce_by" and target.change.unit == "percent" \
                and target.change.amount is not None:
            return ind, target, target.change.amount
        if target.comparison == "reduce_by" and target.change_unit == "percent" and target.number is not None:
            return ind, target, target.number
        if ind.unit == "percent" and target.is_number and target.comparison is None and "reduc" in ind.title.lower():
            return ind, target, target.number
    return named, None, None


def _bcf_table(spec, rows) -> Table:
    from decimal import Decimal

    from opgen import display

    try:
        band = tuple(Decimal(str(x)) for x in spec.bcf_band) if spec.bcf_band else None
    except ArithmeticError:  # the pack file's loader reports a band that is not two numbers
        band = None
    pools = []
    for e, short in rows:
        b, year = e.plan.bcf, plan_year(e.plan)
        pool = None
        if b is not None:
            stated = b.stated_totals.get(year)
            funded = b.funding_total(year)
            actual = b.contribution_total(year, "actual")
            pool = (_gbp(stated, b.unit.key) if stated is not None and stated.kind != "na" else
                    _gbp(funded, b.unit.key) if funded.parts or funded.incomplete else
                    _gbp(actual, b.unit.key) if actual.parts or actual.incomplete else None)
        pools.append(pool)
    unit = _table_unit(pools)
    table_rows = []
    for (e, short), pool in zip(rows, pools):
        year = plan_year(e.plan)
        ind, target, reduction = nel_reduction(e.plan)
        if reduction is None:
            target_cell = _cell(display.NOT_STATED, "none", display.pack_nel_named(ind.id, ind.title) if ind else None)
            judged = _cell(display.NOT_STATED, "none")
        else:
            target_cell = _cell(display.pack_nel_target(reduction, year.label, display.revised_from(ind, target)),
                               None, display.pack_nel_source(ind.id, ind.title, display.indicator_value(ind, target)))
            position = None if band is None else "below" if reduction < band[0] else "above" if reduction > band[1] \
                else "inside"
            judged = _cell(display.pack_band_judgement(position), {"inside": "green", None: "none"}.get(position, "amber"))
        pool_cell = _cell(display.pack_money(pool, unit, with_unit=True) if pool is not None else display.NOT_STATED,
                         None if pool is not None else "none")
        table_rows.append(Row(short, [target_cell, judged, pool_cell], anchor=f"plan-{e.name}"))
    band_text = display.pack_band(*band) if band else None
    return Table("summary-bcf", display.PACK_CAPTIONS["bcf"], display.pack_bcf_columns(band_text), table_rows,
                 numeric=[False, False, True], note=display.pack_bcf_note(band_text, spec.bcf_band_note))


def _rag_table(rows) -> Table:
    from opgen import display

    keys = ["red", "amber", "green", "blue", "grey"]
    if any(e.plan.scales.five_point for e, _ in rows):
        keys = ["red", "amber_red", "amber", "amber_green", "green", "blue", "grey"]
    table_rows, unrated = [], 0
    for e, short in rows:
        plan = e.plan
        counts: dict[str, int] = {}
        for a in plan.actions:
            counts[a.current_rag or "none"] = counts.get(a.current_rag or "none", 0) + 1
        rated = any(k != "none" for k in counts)
        as_at = display.as_at(plan.meta)
        cells = [_cell(display.pack_as_at(as_at, rated, len(plan.actions))), _cell(f"{len(plan.actions):,}")]
        if rated:
            cells += [_cell(f"{counts.get(k, 0):,}", k if counts.get(k) else None) for k in keys]
        else:
            unrated += 1
            cells += [_cell(display.DASH, "none") for _ in keys]
        cells.append(_cell(f"{counts.get('none', 0):,}"))
        table_rows.append(Row(short, cells, anchor=f"plan-{e.name}"))
    return Table("summary-rag", display.PACK_CAPTIONS["rag"], display.pack_rag_columns(keys), table_rows,
                 numeric=[False] + [True] * (len(keys) + 2), note=display.pack_rag_note(unrated))


# --- lists across plans ----------------------------------------------------------------------------

def _all_risks(plan) -> list:
    return list(plan.risks) + (list(plan.bcf.risks) if plan.bcf else [])


def _rates_actions(plan) -> bool:
    """Whether "no red or amber action" is a finding: the plan rates an action, or has none to rate."""
    return not plan.actions or any(a.current_rag for a in plan.actions)


def _rates_risks(plan) -> bool:
    risks = _all_risks(plan)
    return not risks or any(r.band for r in risks)


def _attention_table(view, rows) -> Table:
    """A row per plan counting what the lists hold for it (red and amber actions, extreme and high
    risks, values to be confirmed, warnings); the lists themselves are printed in each plan's part."""
    from opgen import display

    table_rows = []
    for e, short in rows:
        counts = [sum(1 for i in view.red_amber if i.plan == short and i.tone in ("red",)),
                  sum(1 for i in view.red_amber if i.plan == short and i.tone in ("amber_red", "amber")),
                  sum(1 for i in view.high_risks if i.plan == short and i.tone == "extreme"),
                  sum(1 for i in view.high_risks if i.plan == short and i.tone == "high"),
                  sum(1 for i in view.open_items if i.plan == short and i.status == display.TBC),
                  sum(1 for i in view.open_items if i.plan == short and i.status != display.TBC)]
        tones = ["red", "amber", "extreme", "high", "amber", "grey"]
        plan = e.plan
        # "Not rated" only where there is something unrated; a plan with no actions (or risks) has none
        rated = [_rates_actions(plan)] * 2 + [_rates_risks(plan)] * 2 + [True] * 2
        table_rows.append(Row(short, [_cell(f"{n:,}" if n else display.DASH, tone if n else None) if ok
                                      else _cell(display.PACK_NOT_RATED, "none")
                                      for n, tone, ok in zip(counts, tones, rated)], anchor=f"plan-{e.name}"))
    return Table("summary-attention", display.PACK_CAPTIONS["attention"], list(display.PACK_ATTENTION_COLUMNS),
                 table_rows, numeric=[True] * 6, note=display.PACK_ATTENTION_NOTE)


RED_AMBER = ("red", "amber_red", "amber")


def _red_amber(plan, short: str) -> list[ItemLine]:
    from opgen import display
    from opgen.model import RAG_ORDER

    chosen = [a for a in plan.actions if a.current_rag in RED_AMBER]
    chosen.sort(key=lambda a: RAG_ORDER[a.current_rag])
    return [ItemLine(short, a.id, a.title, display.rag(a.current_rag), a.current_rag,
                     display.pack_path_to_green(_plain(a.mitigation), a.due.display() if a.due else ""))
            for a in chosen]


def _high_risks(plan, short: str) -> list[ItemLine]:
    from opgen import display

    risks = plan.risks_in_bands("extreme", "high")
    if plan.bcf:
        risks += sorted((r for r in plan.bcf.risks if r.is_open and r.band in ("extreme", "high")),
                        key=lambda r: (r.band != "extreme", -(r.score or 0)))
    return [ItemLine(short, r.id, r.title, display.pack_risk_status(r.band, r.score, r.rating_word), r.band,
                     display.pack_risk_detail(_plain(r.mitigation), r.owner)) for r in risks]


def _open_items(e: PlanEntry, short: str) -> list[ItemLine]:
    from opgen import display

    plan = e.plan
    index = display.item_index(plan)
    lines = [ItemLine(short, "", display.item_in_words(plan, t.path, index), display.TBC, "amber",
                      display.pack_tbc_detail(t.what)) for t in plan.tbcs]
    for w in display.board_warnings(plan, e.diagnostics):
        lines.append(ItemLine(short, "", w["item"], display.PACK_WARNING, "grey",
                              display.pack_warning_detail(w["message"], w["hint"])))
    return lines


def _plain(markdown: str | None) -> str:
    from opgen.richtext import to_plain

    return " ".join(to_plain(markdown).split()) if markdown else ""


# --- the framework matrix --------------------------------------------------------------------------

def _matrix(spec, rows) -> Table | None:
    from opgen import display
    from opgen.governance import aligned_to, framework as plan_framework

    shared = spec.framework
    if shared is None:
        return None
    columns = [display.PACK_PLAN] + [display.pack_framework_item(i.id, i.title, i.label) for i in shared.items]
    table_rows = []
    for e, short in rows:
        plan = e.plan
        found = plan_framework(plan, shared.id) or (plan_framework(plan, shared.kind) if shared.kind else None)
        if found is None:
            drivers = [d.title for d in plan.meta.drivers if _names_strategy(d.title, shared)]
            table_rows.append(Row(short, [_cell(display.pack_not_mapped(shared.title, drivers), "none")],
                                  anchor=f"plan-{e.name}", span=True))
            continue
        aligned = aligned_to(plan)
        own = {i.id for i in found.items}
        cells = []
        for item in shared.items:
            by = aligned.get(item.id, []) if item.id in own else []
            if by:
                cells.append(_cell(display.pack_aligned_counts([a.kind for a in by]), "green",
                                  display.pack_aligned_ids([(a.kind, a.id) for a in by])))
            else:
                cells.append(_cell(display.PACK_GAP, "amber", None if item.id in own else display.PACK_NOT_LISTED))
        table_rows.append(Row(short, cells, anchor=f"plan-{e.name}"))
    return Table("matrix", display.pack_matrix_caption(shared.title), columns, table_rows,
                 numeric=[False] * len(shared.items), note=display.pack_matrix_note(shared.note))


def _norm(text: str) -> str:
    text = text.lower().replace("-", " ").replace("well being", "wellbeing").replace("h&wb", "health and wellbeing")
    return " ".join(text.split())


def _names_strategy(title: str, shared) -> bool:
    """A plan driver that names the shared strategy ("Kent Health and Wellbeing Strategy", "Joint
    Health and Wellbeing Board (H&WB) Priorities" for a JHWS)."""
    t = _norm(title)
    if _norm(shared.title) in t or _norm(shared.id) in t.split():
        return True
    if shared.kind == "jhws":
        return "jhws" in t.split() or ("health and wellbeing" in t and ("strategy" in t or "priorit" in t))
    return False


# --- common indicators ------------------------------------------------------------------------------

def codes(code: str | None) -> set[str]:
    """An indicator's national codes, normalised: 'E.H.2, A2' -> {'E.H.2', 'A2'}; 'e.b.1 ' -> {'E.B.1'}."""
    return {"".join(c.split()).upper() for c in str(code or "").split(",") if c.strip()}


def _measure_table(measure, rows) -> Table:
    from opgen import display

    wanted = codes(measure.code)
    by_plan = dict(measure.indicators)   # the pack's named indicator, by plan file name or label
    table_rows = []
    for e, short in rows:
        plan = e.plan
        everything = list(plan.indicators) + (list(plan.bcf.metrics) if plan.bcf else [])
        ind = next((i for i in everything if codes(i.code) & wanted), None)
        named = None
        if ind is None:
            named = by_plan.get(e.name) or by_plan.get(short)
            ind = next((i for i in everything if i.id == named), None) if named else None
            if named and ind is None:
                table_rows.append(Row(short, [_cell(display.pack_no_indicator_id(named), "none")]
                                      + [_cell(display.NOT_STATED, "none") for _ in range(3)], anchor=f"plan-{e.name}"))
                continue
        if ind is None:
            table_rows.append(Row(short, [_cell(display.pack_no_code(measure.code), "none")]
                                  + [_cell(display.NOT_STATED, "none") for _ in range(3)], anchor=f"plan-{e.name}"))
            continue
        year = _period(plan_year(plan))
        target_period = year if year in ind.targets else (max(ind.targets, key=lambda p: (p.last_day, p.first_day))
                                                          if ind.targets else None)
        baseline = (display.pack_figure(display.indicator_value(ind, ind.baseline), ind.baseline_period_words)
                    if ind.baseline is not None else display.NOT_STATED)
        target = (display.pack_figure(display.indicator_value(ind, ind.targets[target_period]), target_period.words)
                  if target_period is not None else display.NOT_STATED)
        bench = ind.benchmarks[-1] if ind.benchmarks else None
        benchmark = display.pack_benchmark(ind, bench) if bench is not None else display.NOT_STATED
        shown = display.indicator_title(ind.title, ind.code, ind.id)
        table_rows.append(Row(short, [_cell(display.pack_named_indicator(shown) if named else shown),
                                      _cell(baseline, None if ind.baseline is not None else "none"),
                                      _cell(target, None if target_period is not None else "none"),
                                      _cell(benchmark, None if bench is not None else "none")],
                              anchor=f"plan-{e.name}"))
    return Table(f"indicator-{_slug(measure.code)}", display.pack_measure_caption(measure.title, measure.code),
                 list(display.PACK_MEASURE_COLUMNS), table_rows, numeric=[False, True, True, False],
                 note=display.pack_measure_note(measure.note, measure.national, measure.county))


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in str(text).lower()).strip("-") or "measure"


# --- what the pack prints (for the glossary) --------------------------------------------------------

def _printed_texts(view: PackView) -> list[str]:
    from opgen.glossary import strings

    return strings([view.title, view.cover, view.plans, view.left_out, view.summary, view.red_amber,
                    view.high_risks, view.open_items, view.matrix, view.indicators])


def _pop_texts(plan) -> list[str]:
    """What a plan's plan on a page prints, near enough: its titles, vision, programmes and their
    actions, its extreme and high risks and headline indicators."""
    out = [plan.organisation.name, plan.meta.title, plan.meta.subtitle or ""]
    v = plan.vision
    out += [v.mission or ""] + [s.text for s in v.statements] + list(v.values)
    out += [d.title for d in plan.domains] + [a.title for a in plan.actions]
    out += [r.title for r in plan.risks_in_bands("extreme", "high")]
    out += [i.title for i in plan.headline_indicators]
    return out
