"""The PDF board papers: plan on a page (always one page) and the full operational plan.

Layout is slow-ish (WeasyPrint), so each example plan is rendered once per test session and the
PDFs are shared between tests through module-level caches.
"""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from opgen import display
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render.html import operational_plan_html
from opgen.render.pop import plan_on_a_page_html
from opgen.render import pop as pop_module
from opgen.render.pdf import operational_plan_pdf, plan_on_a_page_pdf
from opgen.render.weasy import AssetFetcher, is_allowed
from opgen.resources import TEMPLATES_DIR

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "plans").glob("*.yaml"))
SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"


# --- helpers ----------------------------------------------------------------------------------

def pdf_text(pdf: bytes) -> str:
    """The PDF's text: poppler's pdftotext where installed (fast), else pypdf (slow on long PDFs)."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, timeout=60)
        if done.returncode == 0:
            return done.stdout.decode("utf-8")
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    """Whitespace-collapsed text, with soft hyphens and line-break hyphenation artefacts removed."""
    text = text.replace("\u00ad", "").replace("\u2011", "-")
    return " ".join(text.split())


def squash(text: str) -> str:
    """Text with all whitespace and hyphens removed: a title that wraps in a narrow cell still
    matches, even where the text extractor joined a line that ended in a hyphen."""
    return re.sub(r"[\s\-\u2010\u2011\u00ad]+", "", text)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@lru_cache(maxsize=None)
def _result(path: str):
    result = plan_from_file(path)
    assert result.ok, [d.as_text() for d in result.report.errors]
    return result


@lru_cache(maxsize=None)
def full_pdf(path: str) -> tuple[str, bytes]:
    result = _result(path)
    return operational_plan_pdf(result.plan, result.report.diagnostics)


@lru_cache(maxsize=None)
def full_text(path: str) -> str:
    return pdf_text(full_pdf(path)[1])


@lru_cache(maxsize=None)
def pop_pdf(path: str) -> tuple[str, bytes]:
    result = _result(path)
    return plan_on_a_page_pdf(result.plan, result.report.diagnostics)


def raw_data(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def plan_from_data(data: dict, name: str):
    result = plan_from_bytes(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8"), name)
    assert result.ok, [d.as_text() for d in result.report.errors][:5]
    return result


RAG_CYCLE = ["green", "amber", "red", "green", "blue", "grey", "amber", "green"]


def rich_data() -> dict:
    """The SKC plan with what its source lost put back (illustrative values): quarterly RAG, scored
    risks with targets, milestone statuses and dates, QIPP confidence and a second year with a TBC."""
    data = copy.deepcopy(raw_data(SKC))
    data["plan"]["as_at"] = "2015/16 Q2"
    data["plan"]["version"] = "0.4"
    data["plan"]["date"] = "2015-10-15"
    data["plan"]["history"] = [{"version": "0.3", "date": "2015-07-01", "author": "Programme office",
                                "summary": "Q1 2015/16 RAG"}]
    quarters = [("2014/15", "q1"), ("2014/15", "q2"), ("2014/15", "q3"), ("2014/15", "q4"),
                ("2015/16", "q1"), ("2015/16", "q2")]
    for i, action in enumerate(data["actions"]):
        action["lead"] = ["Head of Integrated Care", "Director of Commissioning", "GP Clinical Lead"][i % 3]
        action["due"] = "2015/16 Q4"
        rag: dict = {}
        for j, (year, q) in enumerate(quarters[: 2 + i % 5]):
            rag.setdefault(year, {})[q] = RAG_CYCLE[(i + j) % len(RAG_CYCLE)]
        action["rag"] = rag
        for k, milestone in enumerate(action.get("milestones") or []):
            milestone["due"] = ["2014-09", "2015/16 Q1", "2015-12-31"][k % 3]
            milestone["status"] = ["complete", "in_progress", "at_risk", "missed", "not_started"][(i + k) % 5]
    positions = [(5, 4), (4, 4), (4, 3), (3, 3), (2, 4), (5, 5), (3, 2), (2, 2), (1, 3), (4, 5)]
    for i, risk in enumerate(data["risks"]):
        if i % 4 == 3:
            continue  # keep some rated-only risks
        risk.pop("rating", None)
        risk["likelihood"], risk["impact"] = positions[i % len(positions)]
        risk["target"] = {"likelihood": 2, "impact": 2}
        risk["owner"] = "Chief Operating Officer"
    for i, scheme in enumerate(data["qipp"]["schemes"]):
        scheme["confidence"] = ["green", "amber", "red"][i % 3]
        if "savings" in scheme:
            scheme["savings"]["2015/16"] = "tbc" if i == 2 else round(scheme["savings"]["2014/15"] * 0.8)
    data["finance"]["allocation"] = [
        {"id": "ALLOC-PROG", "title": "Programme allocation", "amounts": {"2014/15": 250.1, "2015/16": 256.4}},
        {"id": "ALLOC-RUN", "title": "Running cost allowance", "amounts": {"2014/15": 5.2, "2015/16": "tbc"}},
    ]
    data["finance"]["contingency"] = {"2014/15": 0.9}
    data["bcf"] = {
        "unit": "gbp_thousands",
        "schemes": [
            {"id": "BCF-01", "title": "Integrated neighbourhood teams", "heading": "integrated_care_teams",
             "funding": {"2015/16": 4200}},
            {"id": "BCF-02", "title": "Reablement and rapid response", "heading": "reablement",
             "description": "Seven-day **reablement**.", "funding": {"2015/16": "tbc"}},
        ],
        "minimum_contribution": {"2015/16": 9800},
        "actual_contribution": {"2015/16": 10150},
        "metrics": [
            {"id": "BCF-NEL", "title": "Non-elective admissions (general and acute)", "unit": "count",
             "polarity": "lower_is_better", "baseline": {"value": 16004, "period": "2013/14"},
             "targets": {"2015/16": 15524}},
        ],
    }
    return data


def big_data(actions: int = 1000) -> dict:
    """A plan with `actions` actions: the SKC actions copied with new ids, spread over its domains."""
    data = raw_data(SKC)
    base = data["actions"]
    domains = [d["id"] for d in data["domains"]]
    out = []
    for n in range(actions):
        action = copy.deepcopy(base[n % len(base)])
        action["id"] = f"GEN-{n + 1:04d}"
        action["domain"] = domains[n % len(domains)]
        action["title"] = f"{action['title']} (copy {n + 1})"
        for k, milestone in enumerate(action.get("milestones") or []):
            milestone["id"] = f"GEN-{n + 1:04d}-M{k + 1}"
        out.append(action)
    data["actions"] = out
    return data


# --- every example plan -----------------------------------------------------------------------

def test_plan_on_a_page_is_exactly_one_page(example_plan_path, example_result):
    html, pdf = pop_pdf(str(example_plan_path))
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    assert '<html lang="en-GB">' in html


def test_plan_on_a_page_shows_identity_and_programmes(example_plan_path, example_result):
    plan = example_result.plan
    text = flat(pdf_text(pop_pdf(str(example_plan_path))[1]))
    assert plan.organisation.name in text
    if plan.meta.as_at_stated:
        assert plan.meta.as_at.label in text
    else:  # a plan that states no reporting quarter is never said to be "as at" one
        assert f"as at {plan.meta.as_at.label}" not in text
    for domain in plan.domains:
        assert squash(domain.title) in squash(text)


def test_full_plan_contains_every_item_title(example_plan_path, example_result):
    path = example_plan_path
    plan = example_result.plan
    text = squash(full_text(str(path)))
    titles = [d.title for d in plan.domains] + [a.title for a in plan.actions]
    titles += [m.title for _, m in plan.milestones]
    titles += [s.title for s in plan.qipp.schemes] if plan.qipp else []
    titles += [r.title for r in plan.risks] + [i.title for i in plan.indicators]
    missing = [t for t in titles if squash(t) not in text]
    assert not missing


def test_full_plan_prints_the_models_qipp_totals_and_tbc(example_plan_path, example_result):
    path = example_plan_path
    plan = example_result.plan
    text = flat(full_text(str(path)))
    if plan.qipp:
        for year in plan.qipp.years:
            assert plan.qipp.net(year).display() in text
            assert year.label in text
    if plan.tbcs:
        assert "TBC" in text
        assert f"Values to be confirmed ({len(plan.tbcs)})" in text


def test_full_plan_metadata_structure_and_draft(example_plan_path, example_result):
    path = example_plan_path
    plan = example_result.plan
    html, pdf = full_pdf(str(path))
    reader = PdfReader(io.BytesIO(pdf))
    assert plan.organisation.name in reader.metadata.title
    assert reader.metadata.author == plan.organisation.name
    assert reader.trailer["/Root"].get("/Lang") == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Contents" in outline and any(d.title in title for d in plan.domains for title in outline)
    text = flat(full_text(str(path)))
    assert f"Page 2 of {len(reader.pages)}" in text  # the cover carries no running header or footer
    assert ('<div class="watermark" aria-hidden="true">DRAFT</div>' in html) == plan.meta.is_draft
    assert '<html lang="en-GB">' in html and "<title>" in html


def test_renders_are_byte_identical_and_dates_follow_source_date_epoch(monkeypatch, skc_result):
    result = skc_result
    # same input, same environment: the same bytes as the render cached by the tests above
    assert operational_plan_pdf(result.plan, result.report.diagnostics)[1] == full_pdf(str(SKC))[1]
    assert plan_on_a_page_pdf(result.plan, result.report.diagnostics)[1] == pop_pdf(str(SKC))[1]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1400000000")
    _, first = plan_on_a_page_pdf(result.plan, result.report.diagnostics)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1500000000")
    _, later = plan_on_a_page_pdf(result.plan, result.report.diagnostics)
    assert later != first
    dates = [PdfReader(io.BytesIO(pdf)).metadata.creation_date for pdf in (first, later)]
    assert dates[0].year == 2014 and dates[1].year == 2017


# --- a plan with everything the sources lost ---------------------------------------------------

@lru_cache(maxsize=None)
def rich_pdfs():
    result = plan_from_data(rich_data(), "rich.yaml")
    return result, operational_plan_pdf(result.plan, result.report.diagnostics), \
        plan_on_a_page_pdf(result.plan, result.report.diagnostics)


def test_rich_plan_shows_rag_labels_heat_map_and_incomplete_totals():
    result, (html, pdf), (pop_html, pop) = rich_pdfs()
    plan = result.plan
    text = flat(pdf_text(pdf))
    for label in ("Red", "Amber", "Green", "Complete", "Not started", "Not yet due"):
        assert label in text
    # every year of the period has a RAG row for every action
    assert html.count('<th scope="row" class="c-year">2015/16</th>') == len(plan.actions)
    # TBC in 2015/16 savings: the total is shown as incomplete, never summed as 0
    net = plan.qipp.net(plan.qipp.years[-1])
    assert net.incomplete and net.display().endswith("+ TBC") and net.display() in text
    # heat map counts
    placed = [r for r in plan.open_risks if r.current]
    counts = [int(n) for n in re.findall(r'<span class="hm-count">(\d+)</span>', html)]
    assert sum(counts) == len(placed) and len(placed) < len(plan.risks)
    assert "Rated only, not on the heat map" in text
    assert page_count(pop) == 1
    assert "Extreme" in flat(pdf_text(pop))
    # finance business rules and the Better Care Fund
    assert "Better Care Fund" in text and "Integrated neighbourhood teams" in text and "4,200 + TBC" in text
    assert re.search(r"Surplus .*?(Met|Not met)", text) and "Contingency" in text


def test_sections_without_data_are_omitted():
    data = rich_data()
    for key in ("risks", "qipp", "indicators", "finance", "sections", "tables"):  # chapters of its own may say "Finance"
        data.pop(key, None)
    for action in data["actions"]:  # their cross-references named chapters and tables removed above
        action.pop("see", None)
    result = plan_from_data(data, "lean.yaml")
    html = operational_plan_html(result.plan, [])
    for heading in ("Risk register", "QIPP savings programme", "Performance and delivery summary", "Finance"):
        assert heading not in html
    pop = plan_on_a_page_html(result.plan, [])
    assert "Extreme and high risks" not in pop and "QIPP savings" not in pop


# --- a very large plan -------------------------------------------------------------------------

def test_thousand_action_plan_on_a_page_is_one_page_with_overflow_summary(monkeypatch):
    result = plan_from_data(big_data(1000), "big.yaml")
    layouts = []
    real = pop_module.render_with_shared_styles
    monkeypatch.setattr(pop_module, "render_with_shared_styles", lambda html: layouts.append(1) or real(html))
    html, pdf = plan_on_a_page_pdf(result.plan, result.report.diagnostics)
    assert len(layouts) <= 8  # a good first guess and a short search, not one layout per action
    assert page_count(pdf) == 1
    text = flat(pdf_text(pdf))
    assert "more actions" in text
    assert re.search(r"\+ [\d,]+ more actions", text)


# --- safety ------------------------------------------------------------------------------------

HOSTILE = ('Look: <img src="http://x/y.png"> <link rel=stylesheet href="file:///etc/passwd"> '
           '[x](javascript:alert(1)) <iframe src="http://x/"></iframe> <script>alert(2)</script>')


def test_hostile_text_is_shown_as_text_and_nothing_is_fetched(monkeypatch):
    data = rich_data()
    data["actions"] = data["actions"][:2] + [a for a in data["actions"] if a["domain"] == "hospital"][:1]
    data["qipp"]["schemes"] = data["qipp"]["schemes"][:2]
    data["risks"] = data["risks"][:2]
    data["domains"][0]["description"] = HOSTILE
    data["actions"][0]["description"] = HOSTILE
    data["actions"][1]["title"] = '<img src="http://x/y.png"> title'
    data["vision"]["mission"] = HOSTILE
    result = plan_from_data(data, "hostile.yaml")
    fetched: list[str] = []
    original = AssetFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(AssetFetcher, "fetch", spy)
    for html, pdf in (operational_plan_pdf(result.plan, []), plan_on_a_page_pdf(result.plan, [])):
        assert "<img" not in html and "<iframe" not in html and "<script" not in html and "<link rel=stylesheet" not in html
        assert "javascript:" not in html  # the link is dropped, its text kept
        assert "&lt;img" in html and "&lt;iframe" in html
        tags = re.findall(r"<[a-z][^<>]*>", html)
        urls = [u for tag in tags for u in re.findall(r'\b(?:href|src)="([^"]*)"', tag)]
        assert all(u.startswith("#") or u.endswith(".css") and "/" not in u for u in urls), urls
        text = flat(pdf_text(pdf))
        assert '<img src="http://x/y.png">' in text or "<img" in text
    assert fetched and all(is_allowed(url) for url in fetched)
    assert all(url.startswith("file:") for url in fetched)
    assert not [u for u in fetched if "etc/passwd" in u or u.startswith(("http", "data"))]


def test_asset_fetcher_refuses_everything_outside_templates_and_assets():
    for url in ("http://x/y.png", "https://example.org/a.css", "file:///etc/passwd",
                "data:text/css;base64,Ym9keXt9", "ftp://x/y", "file://host/share/x.css",
                (TEMPLATES_DIR / ".." / ".." / "etc" / "passwd").resolve().as_uri()):
        assert not is_allowed(url), url
        fetcher = AssetFetcher()
        with pytest.raises(Exception):
            fetcher.fetch(url)
        assert fetcher.refused == [url]
    assert is_allowed((TEMPLATES_DIR / "base.css").as_uri())


def test_no_plan_value_lands_in_a_url_attribute():
    result, (html, _), (pop_html, _) = rich_pdfs()
    for page in (html, pop_html):
        tags = re.findall(r"<[a-z][^<>]*>", page)
        urls = [u for tag in tags for u in re.findall(r'\b(?:href|src)="([^"]*)"', tag)]
        assert urls
        assert all(u.startswith("#") or u in ("base.css", "operational-plan.css", "plan-on-a-page.css")
                   for u in urls), urls


def test_rag_text_colours_meet_wcag_aa():
    css = (TEMPLATES_DIR / "base.css").read_text()

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    rules = re.findall(r"\.(?:rag|band|state|ms)-[a-z_]+\s*\{\s*background:\s*#([0-9A-Fa-f]{6});\s*color:\s*#([0-9A-Fa-f]{6})", css)
    assert len(rules) >= 10
    for background, text in rules:
        high, low = sorted((luminance(background), luminance(text)), reverse=True)
        assert (high + 0.05) / (low + 0.05) >= 4.5, (background, text)
    for colour in ("DA291C", "FFB81C", "009639", "005EB8", "768692"):
        assert colour in css
