"""The highlight report (issue 11 point 3): `opgen build --format highlight` writes
build/<plan>/highlight-report.pdf, one page per domain for the plan's as-at quarter. Asserted as a
board member reads it: the text on each page (pypdf), the page count."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from opgen import outputs
from opgen.cli.main import main
from opgen.pipeline import plan_from_bytes
from opgen.render.highlight import domain_pages, highlight_pdf

ROOT = Path(__file__).resolve().parent.parent
Q2 = ROOT / "tests" / "fixtures" / "south-kent-coast-2014-16-q2.yaml"  # as at 2014/15 Q2, Q1 and Q2 RAG

PATH = "Two care navigators recruited by December; the Integrated Primary Care Team model goes live in January."


def quarter_data() -> dict:
    """The Q2 fixture with what a quarter's returns bring: a path to green for the red action, a
    slipped milestone, a milestone due next quarter, a QIPP forecast, risk scores by quarter and a
    dementia diagnosis trajectory."""
    data = yaml.safe_load(Q2.read_text(encoding="utf-8"))
    data["schema_version"] = 2  # an indicator trajectory is version 2
    actions = {a["id"]: a for a in data["actions"]}
    actions["OOH-03"]["updates"] = {"2014/15 Q2": {"path_to_green": PATH, "commentary": "Recruitment slower than planned."}}
    hosp = actions["HOSP-01"]["milestones"][0]
    hosp["forecast"] = "2015/16 Q1"                                  # due 2014/15 Q4: slipped
    actions["HOSP-02"]["milestones"].append({"id": "HOSP-02-M9", "title": "Urgent care specification agreed",
                                             "due": "2014-11-30"})     # due next quarter
    scheme = next(s for s in data["qipp"]["schemes"] if s["id"] == "Q-KCHT")
    scheme["forecast"] = {"2014/15 Q2": 150}
    risk = next(r for r in data["risks"] if r["id"] == "R-OOH-01")
    risk.pop("rating", None)
    risk.update(likelihood=4, impact=4, updates={"2014/15 Q1": {"likelihood": 3, "impact": 3},
                                                 "2014/15 Q2": {"likelihood": 4, "impact": 4}})
    dem = next(i for i in data["indicators"] if i["id"] == "KPI-DEM")
    dem["trajectory"] = {"2014/15 Q1": 43, "2014/15 Q2": 44}
    return data


def _write(tmp_path: Path, data: dict, name: str = "skc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hl")
    plan = _write(tmp, quarter_data())
    assert main(["build", str(plan), "--out", str(tmp / "build"), "--format", "highlight"]) == 0
    return tmp, (tmp / "build" / "skc" / "highlight-report.pdf").read_bytes()


def _page(pages: list[str], title: str) -> str:
    [page] = [p for p in pages if title in p[:400]]
    return page


def test_one_page_per_domain_and_only_the_highlight_is_built(built):
    tmp, pdf = built
    pages = _pages(pdf)
    # two domains, and the plan-wide QIPP schemes and BCF risks on a page of their own
    assert len(pages) == 3
    assert "Out of Hospital Programme" in pages[0] and "Hospital" in pages[1]
    assert "Plan-wide items (not assigned to a domain)" in pages[2]
    assert sorted(p.name for p in (tmp / "build" / "skc").iterdir() if not p.name.startswith(".")) == \
        ["highlight-report.pdf"]
    assert "As at 2014/15 Q2 (July to September 2014), against 2014/15 Q1" in pages[0]


def test_red_action_path_to_green_is_on_its_domain_page(built):
    pages = _pages(built[1])
    ooh = _page(pages, "Out of Hospital Programme")
    assert "OOH-03 Enhanced Primary Care Primary Care Group Red Amber Worse" in ooh
    assert "Path to green: Two care navigators recruited by December" in ooh
    assert "Commentary: Recruitment slower than planned." in ooh
    # an amber action with no path to green says so, rather than leaving a blank
    assert "OOH-02 Enhanced Neighbourhood Care Team (NCT) Amber Green Worse No path to green given" in ooh
    assert "1 red, 1 amber, 2 green, 1 complete in 2014/15 Q2; 13 not reported" in ooh


def test_slipped_and_next_quarter_milestones_are_listed(built):
    hospital = _pages(built[1])[1]
    slipped = hospital[hospital.index("Milestones slipped"):hospital.index("Milestones due next quarter")]
    assert "HOSP-01-M1 One-stop outpatient services At risk Forecast 2015/16 Q1, was due 2014/15 Q4" in slipped
    due = hospital[hospital.index("Milestones due next quarter (2014/15 Q3)"):]
    assert "HOSP-02-M9 Urgent care specification agreed due 30 Nov 2014" in due


def test_qipp_risks_and_indicators(built):
    pages = _pages(built[1])
    ooh = pages[0]
    assert "QIPP forecast against plan (2014/15, £000)" in ooh
    assert "Q-KCHT Kent Community Health Trust 217 150 Short of plan" in ooh
    assert "R-OOH-01 Workforce Extreme 16 9 Rose by 7" in ooh
    assert "KPI-DEM Dementia Diagnosis (% of expected diagnosed) Behind trajectory 2014/15 Q1 41.2% 43%" in ooh
    # a risk with no score last quarter: not known, said once, never guessed
    assert "R-OOH-02 Communication High Not scored Not known Not known" in ooh
    assert "Whether risks rose since 2014/15 Q1 is not known" in ooh


def test_a_plan_with_no_rag_says_so_on_one_page(tmp_path):
    data = quarter_data()
    for a in data["actions"]:
        a.pop("rag", None)
    del data["plan"]["as_at"]
    result = plan_from_bytes(yaml.safe_dump(data, sort_keys=False).encode(), "x.yaml")
    assert result.ok
    _, pdf = highlight_pdf(result.plan, [])
    [page] = _pages(pdf)
    assert "does not say which quarter it reports (plan.as_at)" in page
    assert "No action in this plan has a RAG rating" in page
    assert "Path to green" not in page and "Milestones slipped" not in page  # never an empty grid


def test_every_domain_fits_one_page_even_when_long(tmp_path):
    data = quarter_data()
    long = " ".join(["The provider's recovery plan is being revised with the commissioners."] * 12)
    for a in data["actions"]:
        if a.get("domain") == "ooh":
            a["rag"] = {"2014/15": {"q1": "green", "q2": "red"}}
            a["updates"] = {"2014/15 Q2": {"path_to_green": long, "commentary": long}}
    result = plan_from_bytes(yaml.safe_dump(data, sort_keys=False).encode(), "x.yaml")
    assert result.ok, result.report.diagnostics
    _, pdf = highlight_pdf(result.plan, [])
    pages = _pages(pdf)
    assert len(pages) == len(domain_pages(result.plan)) == 3
    assert "OOH-19 Looked After Children" in pages[0]  # the last of 19 red actions is still on the page


def test_highlight_is_cached_like_the_other_documents(built):
    tmp, _ = built
    plan = tmp / "skc.yaml"
    job = outputs.prepare(plan, tmp / "build" / "skc", outputs.wanted_outputs("highlight"))
    assert job.pending == []  # up to date: nothing to lay out again
    assert "highlight-report.pdf" not in outputs.wanted_outputs("all")
