"""The board pack's comparison (opgen.pack.view.pack_view), what changed since (opgen.pack.changes)
and the glossary (opgen.glossary), tested as a board member would read them: the six Kent plans of
the Kent Health and Wellbeing Board's 18 March 2015 meeting, real fixtures, and a real git repository
for "what changed since"."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from opgen import display
from opgen.glossary import builtin, definitions_in, glossary_for
from opgen.pack.changes import changes_since
from opgen.pack.spec import FrameworkItem, Measure, PackSpec, PlanRef, SharedFramework
from opgen.pack.view import PackView, PlanEntry, changes_view, codes, pack_view
from opgen.pipeline import plan_from_file

from git_repo import git, new_repo

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
FIXTURES = ROOT / "tests" / "fixtures"
KENT = ["ashford-canterbury-2015-16", "dartford-gravesham-swanley-2015-16", "south-kent-coast-2015-16",
        "thanet-2015-16", "swale-2015-16", "west-kent-2015-16"]
LABELS = {"ashford-canterbury-2015-16": "Ashford and Canterbury", "dartford-gravesham-swanley-2015-16": "DGS",
          "south-kent-coast-2015-16": "South Kent Coast", "thanet-2015-16": "Thanet", "swale-2015-16": "Swale",
          "west-kent-2015-16": "West Kent"}
JHWS = SharedFramework(
    id="jhws", title="Kent Joint Health and Wellbeing Strategy", kind="jhws",
    items=(FrameworkItem("jhws-o1", "Give Every Child the Best Start in Life", "outcome"),
           FrameworkItem("jhws-o2", None, "outcome"),
           FrameworkItem("jhws-o3", None, "outcome"),
           FrameworkItem("jhws-o4", None, "outcome")))


def spec_for(paths, **kw) -> PackSpec:
    fields = dict(id="kent", title="Review of Commissioning Plans", board="Kent Health and Wellbeing Board",
                  meeting="2015-03-18", item="5", purpose="To discuss and endorse the commissioning plans",
                  recommendations=("Discuss and endorse the plans.",),
                  plans=tuple(PlanRef(Path(p), label=LABELS.get(Path(p).stem)) for p in paths),
                  framework=JHWS, measures=(Measure("E.B.1", "Referral to treatment: admitted"),
                                            Measure("A2", "Emergency admissions (second code)")),
                  bcf_band=("0.6", "1"), bcf_band_note="agreed by the board on 28 January 2015")
    fields.update(kw)
    return PackSpec(**fields)


def entry(path, name: str | None = None) -> PlanEntry:
    result = plan_from_file(path)
    return PlanEntry(name=name or Path(path).stem, path=Path(path), plan=result.plan,
                     diagnostics=result.report.diagnostics)


def view_of(paths, **kw) -> PackView:
    return pack_view(spec_for(paths, **kw), [entry(p) for p in paths])


@pytest.fixture(scope="module")
def kent() -> PackView:
    return view_of([PLANS / f"{k}.yaml" for k in KENT])


def table(view: PackView, table_id: str):
    return next(t for t in view.summary if t.id == table_id)


def row(t, label: str) -> dict[str, str]:
    r = next(r for r in t.rows if r.label == label)
    return dict(zip(t.columns[1:], (c.text for c in r.cells)))


def write_variant(tmp_path: Path, source: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    out = tmp_path / source.name
    out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


# --- the plans and the cover -------------------------------------------------------------------------

def test_every_kent_plan_is_in_the_pack_in_pack_order_with_its_label(kent):
    assert [p.short for p in kent.plans] == [LABELS[k] for k in KENT]
    assert [p.name for p in kent.plans] == KENT
    assert kent.left_out == []
    assert kent.cover["meeting"] == "18 March 2015" and kent.cover["board"] == "Kent Health and Wellbeing Board"
    swale = next(p for p in kent.plans if p.short == "Swale")
    assert ("Organisation", "NHS Swale CCG") in swale.facts and ("RAG as at", "2015/16 Q1") in swale.facts
    thanet = next(p for p in kent.plans if p.short == "Thanet")
    assert ("RAG as at", "Not stated") in thanet.facts  # Thanet states no quarter: never an invented one


def test_a_plan_that_fails_is_named_and_left_out_with_its_reason(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("schema_version: 2\norganisation: {name: X}\n", encoding="utf-8")
    good = PLANS / "thanet-2015-16.yaml"
    broken = PlanEntry(name="broken", path=bad, plan=None, diagnostics=[],
                       problem="has 3 errors: broken.yaml:2:1: 'plan' is missing")
    view = pack_view(spec_for([good, bad]), [entry(good), broken])
    assert [p.short for p in view.plans] == ["Thanet"]
    assert view.left_out == [(str(bad), "has 3 errors: broken.yaml:2:1: 'plan' is missing")]
    assert all(r.label != "broken" for t in view.summary for r in t.rows)


# --- QIPP: one unit, % of allocation, never 0 for nothing --------------------------------------------

def test_qipp_without_figures_says_not_stated_never_zero(kent):
    qipp = table(kent, "summary-qipp")
    for label in ("Thanet", "West Kent", "Ashford and Canterbury"):  # no QIPP, or schemes without amounts
        cells = row(qipp, label)
        assert all(text == "Not stated" for column, text in cells.items() if column != "Plan year"), cells
    texts = [c.text for r in qipp.rows for c in r.cells]
    assert not any(re.fullmatch(r"[£]?0(\.0+)?[km]?", t) for t in texts)


def test_qipp_units_are_converted_to_one_unit_named_in_the_header(kent):
    qipp = table(kent, "summary-qipp")
    assert "Savings (£m)" in qipp.columns and "Net savings as % of allocation" in qipp.columns
    # DGS states pounds (6,118,894 saved, 618,858 invested), Swale £000 (2,783 and 484), SKC £m (6.3 stated)
    dgs, swale, skc = row(qipp, "DGS"), row(qipp, "Swale"), row(qipp, "South Kent Coast")
    assert (dgs["Savings (£m)"], dgs["Investment (£m)"], dgs["Net savings (£m)"]) == ("6.12", "0.62", "5.50")
    assert (swale["Savings (£m)"], swale["Investment (£m)"]) == ("2.78", "0.48")
    assert skc["Net savings stated in the plan (£m)"] == "6.30"
    # net as a share of the allocation for the plan year: 5,500,036 of £303.1m; 2,300 of £135,547k
    assert dgs["Net savings as % of allocation"] == "1.81%"
    assert swale["Net savings as % of allocation"] == "1.70%"
    assert "£" in qipp.note and "converted from each plan's own unit" in qipp.note
    assert "DGS £" in qipp.note and "Swale £000" in qipp.note


def test_qipp_figures_in_thousands_stay_in_thousands(tmp_path):
    def edit(d):  # three schemes (together under £1m) and no stated totals
        d["qipp"] = {k: v for k, v in d["qipp"].items() if not k.startswith("stated")}
        d["qipp"]["schemes"] = d["qipp"]["schemes"][:3]
    path = write_variant(tmp_path, PLANS / "swale-2015-16.yaml", edit)
    view = view_of([path])
    qipp = table(view, "summary-qipp")
    assert "Savings (£000)" in qipp.columns


def test_a_tbc_saving_is_never_counted_as_zero(tmp_path):
    def edit(d):
        d["qipp"]["schemes"][0]["savings"] = {"2015/16": "tbc"}
    plain = table(view_of([PLANS / "swale-2015-16.yaml"]), "summary-qipp")
    with_tbc = table(view_of([write_variant(tmp_path, PLANS / "swale-2015-16.yaml", edit)]), "summary-qipp")
    assert not row(plain, "Swale")["Savings (£m)"].endswith("+ TBC")
    savings = row(with_tbc, "Swale")["Savings (£m)"]
    assert savings.endswith("+ TBC"), savings
    assert "incomplete" in with_tbc.note


# --- business rules ------------------------------------------------------------------------------------

def test_business_rules_are_judged_only_by_a_stated_rule(kent):
    rules = table(kent, "summary-rules")
    skc = row(rules, "South Kent Coast")
    surplus = next(c for c in rules.columns if c.startswith("Surplus"))
    non_recurrent = next(c for c in rules.columns if c.startswith("Non-recurrent"))
    contingency = next(c for c in rules.columns if c.startswith("Contingency"))
    assert skc[surplus].startswith("2.70 (1.00%)") and skc[surplus].endswith("Met")
    assert skc[non_recurrent].endswith("Not judged: no rule stated for 2015/16")
    assert skc[contingency] == "Not stated"
    assert row(rules, "Thanet")[surplus] == "Not stated"
    tones = {c.text: c.tone for r in rules.rows for c in r.cells}
    assert tones[skc[surplus]] == "green" and tones[skc[non_recurrent]] == "grey"
    assert "Not judged" in rules.note


def test_business_rules_met_and_not_met_with_rag():
    view = view_of([FIXTURES / "finance-v2.yaml"])
    rules = table(view, "summary-rules")
    r = rules.rows[0]
    assert r.cells[0].text == "2014/15"  # the as-at quarter's year of a two-year plan
    assert all(c.text.endswith(": Met") and c.tone == "green" for c in r.cells[1:])
    assert all("rule at least" in c.text for c in r.cells[1:])


# --- BCF ---------------------------------------------------------------------------------------------

def test_bcf_targets_against_the_band(kent):
    bcf = table(kent, "summary-bcf")
    target, against = bcf.columns[1], bcf.columns[2]
    assert against == "Against the agreed band (0.6% to 1%)"
    assert row(bcf, "DGS")[target] == "0.8% reduction (2015/16), revised from 3.5%"
    assert row(bcf, "Swale")[target] == "0.8% reduction (2015/16)"
    assert row(bcf, "South Kent Coast")[target] == "1% reduction (2015/16)"  # "104.71 (Reduction of 1%)"
    for label in ("DGS", "Swale", "West Kent", "South Kent Coast"):
        assert row(bcf, label)[against] == "Within the band"
    assert row(bcf, "Thanet")[target] == "Not stated" and row(bcf, "Thanet")[against] == "Not stated"
    assert row(bcf, "DGS")["BCF pooled fund"] == "Not stated"
    assert "28 January 2015" in bcf.note


def test_bcf_band_judgement_below_above_and_unset():
    paths = [PLANS / "swale-2015-16.yaml"]
    below = table(view_of(paths, bcf_band=("1", "2")), "summary-bcf")
    above = table(view_of(paths, bcf_band=("0.1", "0.5")), "summary-bcf")
    unset = table(view_of(paths, bcf_band=None), "summary-bcf")
    assert below.rows[0].cells[1].text.startswith("Below the band") and below.rows[0].cells[1].tone == "amber"
    assert above.rows[0].cells[1].text.startswith("Above the band")
    assert unset.rows[0].cells[1].text == "No band set in the pack"


# --- actions, risks, open items -----------------------------------------------------------------------

def test_actions_by_rag_as_at_each_plans_quarter_and_plans_without_rag_say_so(kent):
    path = FIXTURES / "south-kent-coast-2014-16-q2.yaml"
    view = pack_view(spec_for([path, PLANS / "thanet-2015-16.yaml"]),
                     [entry(path, "skc"), entry(PLANS / "thanet-2015-16.yaml")])
    rag = table(view, "summary-rag")
    skc = row(rag, "NHS South Kent Coast CCG" if False else view.plans[0].short)
    assert skc["As at"] == "2014/15 Q2"
    assert (skc["Red"], skc["Amber"], skc["Green"], skc["Complete"], skc["No RAG reported"]) == ("1", "3", "2", "1", "17")
    thanet = row(rag, "Thanet")
    assert thanet["As at"].startswith("No RAG reported yet") and thanet["Red"] == display.DASH
    assert "reports no RAG" in rag.note
    # red and amber actions, worst first, with the path to green where the plan has one
    assert [line.status for line in view.red_amber] == ["Red", "Amber", "Amber", "Amber"]
    assert all(line.detail for line in view.red_amber)
    # extreme first, then high
    assert view.high_risks[0].status == "Extreme (score 16)" and view.high_risks[0].id == "R-HOSP-04"
    assert all(line.status.startswith(("Extreme", "High")) for line in view.high_risks)


def test_open_items_list_tbcs_and_warnings(kent):
    swale = [line for line in kent.open_items if line.plan == "Swale"]
    assert sum(1 for line in swale if line.status == "TBC") == 7  # Swale's seven open TBCs
    assert any(line.status == "Warning" for line in swale)
    assert not any(line.plan == "West Kent" for line in kent.open_items)  # no TBC, no warning


# --- the framework matrix ------------------------------------------------------------------------------

def test_matrix_is_honest_about_plans_that_do_not_map_to_the_strategy(kent):
    m = kent.matrix
    assert m.columns[1] == "Give Every Child the Best Start in Life"
    assert m.columns[2] == "jhws-o2 (title not given)"
    thanet = next(r for r in m.rows if r.label == "Thanet")
    assert thanet.span and len(thanet.cells) == 1
    assert thanet.cells[0].text == "The plan does not map its work to the Kent Joint Health and Wellbeing Strategy."
    dgs = next(r for r in m.rows if r.label == "DGS")
    assert dgs.span and "\u201cKent Health and Wellbeing Strategy\u201d" in dgs.cells[0].text


def test_matrix_counts_what_aligns_and_shows_gaps():
    view = view_of([FIXTURES / "governance-v2.yaml"])
    r = view.matrix.rows[0]
    cells = dict(zip(view.matrix.columns[1:], r.cells))
    assert not r.span
    assert cells["Give Every Child the Best Start in Life"].text == "1 indicator"  # jhws-o1 by one indicator
    assert cells["jhws-o3 (title not given)"].text == "1 programme, 1 action"
    assert cells["jhws-o3 (title not given)"].note == "Programme ltc; action LTC-01"
    assert cells["jhws-o2 (title not given)"].text == "1 action"
    assert all(c.text in ("No item aligned",) or c.tone == "green" for c in r.cells)


def test_no_shared_framework_means_no_matrix():
    assert view_of([PLANS / "thanet-2015-16.yaml"], framework=None).matrix is None


# --- common indicators ---------------------------------------------------------------------------------

def test_indicators_matched_by_national_code_any_of_a_list(kent):
    assert codes("E.H.2, A2") == {"E.H.2", "A2"} and codes(" e.b. 1") == {"E.B.1"}
    rtt, second = kent.indicators
    assert rtt.caption == "Referral to treatment: admitted [E.B.1]"
    west = next(r for r in rtt.rows if r.label == "West Kent")
    assert west.cells[0].text.startswith("RTT - Admitted")
    assert west.cells[2].text == "90% (2015/16)"  # the target, its period labelled
    for r in rtt.rows:
        if r.label != "West Kent":
            assert [c.text for c in r.cells] == ["No indicator with code E.B.1"] + ["Not stated"] * 3
    west2 = next(r for r in second.rows if r.label == "West Kent")
    assert "[E.H.2, A2]" in west2.cells[0].text  # the plan's code is a list: matched by its second code


# --- what changed since (real git) ----------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path) -> Path:
    repo = new_repo(tmp_path / "plans-repo")
    shutil.copy(FIXTURES / "south-kent-coast-2014-16-q1.yaml", repo / "plans" / "skc.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "Q1 position", date="2014-07-10T12:00:00")
    git(repo, "tag", "v1.0")
    shutil.copy(FIXTURES / "south-kent-coast-2014-16-q2.yaml", repo / "plans" / "skc.yaml")
    git(repo, "commit", "-qam", "Q2 position", date="2014-10-10T12:00:00")
    return repo


def test_changes_since_a_git_revision(repo):
    changes, label = changes_since(repo / "plans" / "skc.yaml", "v1.0")
    assert changes is not None and changes.changes
    assert label.startswith("Changes since v1.0 (commit ") and "10 July 2014" in label
    view = changes_view("SKC", changes, label)
    assert view.headline == changes.headline and "RAG rating" in view.headline
    assert 0 < len(view.key_changes) <= 12 and view.more == len(changes.changes) - len(view.key_changes)
    assert any("\u2192" in line for line in view.key_changes)  # was -> now, in words
    assert not any(line.startswith(("[", "{")) for line in view.key_changes)


def test_changes_since_a_date_uses_the_last_commit_on_or_before_it(repo):
    changes, label = changes_since(repo / "plans" / "skc.yaml", "2014-08-01")
    assert changes is not None and changes.changes
    assert label.startswith("Changes since 1 August 2014 (the version committed on 10 July 2014")
    same, _ = changes_since(repo / "plans" / "skc.yaml", "2014-12-01")  # the current version: nothing changed
    assert same is not None and same.changes == []
    none, why = changes_since(repo / "plans" / "skc.yaml", "2014-01-01")
    assert none is None and why.startswith("Changes not shown: git has no version of plans/skc.yaml")


def test_changes_since_says_why_not(repo, tmp_path):
    plan = repo / "plans" / "skc.yaml"
    changes, label = changes_since(plan, "no-such-tag")
    assert changes is None and "unknown git revision 'no-such-tag'" in label
    outside = tmp_path / "outside" / "x.yaml"
    outside.parent.mkdir()
    shutil.copy(FIXTURES / "south-kent-coast-2014-16-q1.yaml", outside)
    changes, label = changes_since(outside, "HEAD~1")
    assert changes is None and "is not in a git repository" in label
    (repo / "plans" / "skc.yaml").write_text("schema_version: 2\n", encoding="utf-8")
    git(repo, "commit", "-qam", "broken")
    shutil.copy(FIXTURES / "south-kent-coast-2014-16-q2.yaml", plan)
    changes, label = changes_since(plan, "HEAD")
    assert changes is None and "at HEAD is not a valid plan" in label
    assert changes_view("SKC", None, None) is None


# --- the glossary -----------------------------------------------------------------------------------------

def test_glossary_lists_only_terms_the_pack_prints(kent):
    terms = dict(kent.glossary)
    assert "QIPP" in terms and "BCF" in terms and terms["BCF"].startswith("Better Care Fund")
    assert "TIA" in builtin() and "TIA" not in terms  # a built-in term nothing in the pack uses
    assert [t for t, _ in kent.glossary] == sorted((t for t, _ in kent.glossary), key=lambda t: (t.casefold(), t))


def test_glossary_word_matching_and_precedence():
    assert glossary_for(["QIPP savings"]) == [("QIPP", builtin()["QIPP"])]
    assert glossary_for(["Equipping staff"]) == []  # not inside a word
    assert dict(glossary_for(["three CCGs"]))["CCG"] == builtin()["CCG"]  # plural
    assert glossary_for(["Nothing here"]) == []
    pack_terms = [("QIPP", "The pack's own meaning")]
    assert glossary_for(["QIPP"], [], pack_terms) == [("QIPP", "The pack's own meaning")]


def test_definitions_written_in_the_text_are_found():
    text = ("Kent County Council's Joint Strategic Needs Assessment (JSNA) and Payment by Results (PbR), "
            "with East Kent Hospitals University NHS Foundation Trust (EKHUFT); CQUIN (Commissioning for "
            "Quality and Innovation). Reduction in non-elective (NEL) admissions.")
    found = definitions_in(text)
    assert found["JSNA"] == "Joint Strategic Needs Assessment"
    assert found["PbR"] == "Payment by Results"
    assert found["EKHUFT"] == "East Kent Hospitals University NHS Foundation Trust"
    assert found["CQUIN"] == "Commissioning for Quality and Innovation"
    assert "NEL" not in found  # "non-elective" does not spell NEL


def test_a_plans_own_glossary_validates_and_wins(tmp_path):
    def edit(d):
        d["glossary"] = [{"term": "IDT", "meaning": "Integrated discharge team"},
                         {"term": "QIPP", "meaning": "Our own meaning of QIPP"}]
    path = write_variant(tmp_path, PLANS / "swale-2015-16.yaml", edit)
    result = plan_from_file(path)
    assert result.plan is not None and not result.report.errors
    assert result.plan.glossary[0] == ("IDT", "Integrated discharge team")
    view = view_of([path])
    terms = dict(view.glossary)
    assert terms["QIPP"] == "Our own meaning of QIPP"  # the plan's meaning wins over the built-in one
    assert "IDT" not in terms  # defined, but the pack does not print it
    bad = write_variant(tmp_path / "bad" if (tmp_path / "bad").mkdir() is None else tmp_path, PLANS / "swale-2015-16.yaml",
                        lambda d: d.update(glossary=[{"term": "IDT"}]))
    errors = plan_from_file(bad).report.errors
    assert errors and "meaning" in errors[0].message


def test_indicator_baseline_target_and_latest_benchmark_with_periods():
    view = view_of([FIXTURES / "indicators-v2.yaml"],
                   measures=(Measure("e.b.5", "A&E within 4 hours", national="95.7% (2013/14)"),))
    t = view.indicators[0]
    cells = [c.text for c in t.rows[0].cells]
    assert cells == ["A&E patients seen within 4 hours [E.B.5]", "94.1% (2013/14)", "at least 95% (2014/15)",
                     "England 95.7%, region 95.1%, county 94.8%, 150 of 211 (2013/14)"]
    assert t.note.startswith("England: 95.7% (2013/14).")


def test_each_plan_part_carries_what_changed_since(repo):
    plan = repo / "plans" / "skc.yaml"
    changes, label = changes_since(plan, "v1.0")
    e = entry(plan, "skc")
    e.changes, e.since_label = changes, label
    view = pack_view(spec_for([plan]), [e])
    part = view.plans[0]
    assert part.changes.since_label == label and part.changes.headline == changes.headline
    assert part.changes.key_changes and part.changes.plan == part.short
    assert view_of([PLANS / "thanet-2015-16.yaml"]).plans[0].changes is None  # not asked: nothing printed


def test_a_measure_names_the_indicator_of_a_plan_whose_paper_prints_no_code():
    """The Kent plans other than West Kent print no national codes: the pack names their indicator,
    and the table says so; a plan it does not name still reads 'No indicator with code'."""
    measure = Measure("E.B.5", "A&E 4 hour waits",
                      indicators=(("dartford-gravesham-swanley-2015-16", "KPI-AE4"), ("Swale", "KPI-AE4"),
                                  ("thanet-2015-16", "NO-SUCH-ID")))
    view = view_of([PLANS / f"{k}.yaml" for k in KENT], measures=(measure,))
    [table] = view.indicators
    rows = {r.label: r.cells for r in table.rows}
    assert rows["DGS"][0].text.endswith("(named by the pack)") and "4 hour" in rows["DGS"][0].text
    assert rows["DGS"][1].text.startswith("94.5%")              # its baseline, from the plan
    assert rows["Swale"][0].text.endswith("(named by the pack)")   # named by the plan's label
    assert rows["Thanet"][0].text == display.pack_no_indicator_id("NO-SUCH-ID")
    assert rows["South Kent Coast"][0].text == display.pack_no_code("E.B.5")
    assert "(named by the pack)" not in rows["West Kent"][0].text   # matched by its printed code
    assert "named by the pack" in table.note


def test_framework_items_print_the_sources_label_before_or_instead_of_a_title():
    framework = SharedFramework(id="jhws", title="Kent JHWS", items=(
        FrameworkItem("jhws-o1", "Give Every Child the Best Start in Life", "outcome", label="Outcome 1"),
        FrameworkItem("jhws-o3", None, "outcome", label="Outcome 3"),
        FrameworkItem("jhws-o4", None, "outcome")))
    view = view_of([PLANS / f"{k}.yaml" for k in KENT], framework=framework)
    assert view.matrix.columns[1:] == ["Outcome 1: Give Every Child the Best Start in Life",
                                       "Outcome 3 (title not given)", "jhws-o4 (title not given)"]


def test_the_summary_counts_what_needs_attention_and_not_rated_is_never_a_dash(kent):
    view = kent
    table = next(t for t in view.summary if t.id == "summary-attention")
    rows = {r.label: [c.text for c in r.cells] for r in table.rows}
    # none of the six rates an action: "Not rated", never a dash that reads as "none red"
    assert all(cells[0] == cells[1] == display.PACK_NOT_RATED for cells in rows.values())
    skc = rows["South Kent Coast"]
    assert skc[3] == str(sum(1 for i in view.high_risks if i.plan == "South Kent Coast" and i.tone == "high"))
    assert skc[5] == str(sum(1 for i in view.open_items if i.plan == "South Kent Coast" and i.status != display.TBC))
    part = next(p for p in view.plans if p.short == "South Kent Coast")
    assert not part.rates_actions and part.rates_risks
    facts = dict(part.facts)   # the part's own count agrees with the list it prints
    assert facts[display.PACK_FACTS["open"]] == display.pack_open_counts(0, int(skc[5]))


def test_a_plan_with_no_risks_has_none_to_rate(kent):
    """Thanet's plan on a page lists no risks: its extreme and high risks are none (a dash), not
    'Not rated', and its part says it has no open extreme or high risk."""
    rows = {r.label: [c.text for c in r.cells] for r in table(kent, "summary-attention").rows}
    thanet = next(p for p in kent.plans if p.short == "Thanet")
    plan = plan_from_file(PLANS / "thanet-2015-16.yaml").plan
    assert not plan.risks and not (plan.bcf and plan.bcf.risks)
    assert rows["Thanet"][2:4] == [display.DASH, display.DASH] and thanet.rates_risks
    dgs = next(p for p in kent.plans if p.short == "DGS")   # 31 risks, none rated
    assert rows["DGS"][2:4] == [display.PACK_NOT_RATED] * 2 and not dgs.rates_risks
