"""`opgen history` (issue 11 point 4): trends across quarters from a real temporary git repository
holding commits of a plan, as a board member reads them (the PDF's text, the text format)."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from opgen.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
Q2 = ROOT / "tests" / "fixtures" / "south-kent-coast-2014-16-q2.yaml"


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2015-01-01T12:00:00",
           "GIT_COMMITTER_DATE": "2015-01-01T12:00:00"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _quarter(data: dict, as_at: str, rag: dict, score: tuple[int, int], forecast: dict, actuals: dict) -> str:
    data = yaml.safe_load(yaml.safe_dump(data))
    data["schema_version"] = 2
    data["plan"]["as_at"] = as_at
    actions = {a["id"]: a for a in data["actions"]}
    actions["OOH-02"]["rag"] = {"2014/15": rag}
    risk = next(r for r in data["risks"] if r["id"] == "R-OOH-01")
    risk.pop("rating", None)
    risk["likelihood"], risk["impact"] = score
    next(s for s in data["qipp"]["schemes"] if s["id"] == "Q-KCHT")["forecast"] = forecast
    dem = next(i for i in data["indicators"] if i["id"] == "KPI-DEM")
    dem["actuals"] = actuals
    dem["trajectory"] = {"2014/15 Q1": 42, "2014/15 Q2": 43, "2014/15 Q3": 44}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """Three valid commits of a plan a quarter apart (OOH-02 amber, then red, then green; its Q1 rating
    revised to green in the third), and one invalid commit between them."""
    repo = tmp_path_factory.mktemp("plans")
    _git(repo, "init", "-q")
    base = yaml.safe_load(Q2.read_text(encoding="utf-8"))
    plan = repo / "skc.yaml"
    steps = [
        ("Q1 returns", _quarter(base, "2014/15 Q1", {"q1": "amber"}, (3, 3), {"2014/15 Q1": 217}, {"2014/15 Q1": 41.2})),
        ("Q2 returns", _quarter(base, "2014/15 Q2", {"q1": "amber", "q2": "red"}, (4, 4), {"2014/15 Q1": 217, "2014/15 Q2": 150},
                                {"2014/15 Q1": 41.2, "2014/15 Q2": 42.0})),
        ("broken edit", "plan: [this is not a plan\n"),
        ("Q3 returns", _quarter(base, "2014/15 Q3", {"q1": "green", "q2": "red", "q3": "green"}, (2, 4),
                                {"2014/15 Q1": 217, "2014/15 Q2": 150, "2014/15 Q3": 180},
                                {"2014/15 Q1": 41.2, "2014/15 Q2": 42.0, "2014/15 Q3": 44.5})),
    ]
    for message, text in steps:
        plan.write_text(text, encoding="utf-8")
        _git(repo, "add", "skc.yaml")
        _git(repo, "commit", "-q", "-m", message)
    return repo


def test_text_shows_the_rag_strip_across_three_commits(repo, capsys):
    assert main(["history", str(repo / "skc.yaml"), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "3 versions of the plan read from git; 1 invalid version skipped" in out
    assert "skipped, the plan is not valid there" in out  # the broken commit, named
    row = next(line for line in out.splitlines() if "OOH-02 Enhanced Neighbourhood" in line)
    # the three states, one per quarter, and what the first two versions said for Q1 before it was revised
    assert row.split("Care Team (NCT)")[1].split() [:1] == ["Green"]
    assert "Green (Amber in" in row and "Red" in row and row.rstrip().endswith("Green")
    assert row.count("Amber in") == 1  # said twice, in two versions: named once


def test_text_has_qipp_risk_and_indicator_tables(repo, capsys):
    assert main(["history", str(repo / "skc.yaml"), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "QIPP forecast by quarter (£000)" in out
    assert [line.split()[-3:] for line in out.splitlines() if line.strip().startswith("Q-KCHT")] == [["217", "150", "180"]]
    risk = next(line for line in out.splitlines() if line.strip().startswith("R-OOH-01"))
    assert risk.split()[-3:] == ["9", "16", "8"]
    assert "Actuals against trajectory: KPI-DEM" in out
    assert any(line.split()[-2:] == ["44.5", "44"] for line in out.splitlines() if "2014/15 Q3" in line)


def test_pdf_has_charts_with_their_tables(repo, tmp_path):
    out = tmp_path / "history.pdf"
    assert main(["history", str(repo / "skc.yaml"), "--out", str(out)]) == 0
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    for heading in ("Trends across quarters", "Each action's RAG by quarter", "QIPP forecast by quarter",
                    "Risk scores over time", "Actuals against trajectory: KPI-DEM"):
        assert heading in text
    assert "Q1 returns" in text and "Q3 returns" in text


def test_since_starts_at_that_revision(repo, capsys):
    assert main(["history", str(repo / "skc.yaml"), "--since", "HEAD~1", "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "1 version of the plan read from git; 1 invalid version skipped" in out


def test_trouble_is_one_clear_line(tmp_path, capsys):
    plan = tmp_path / "x.yaml"
    plan.write_text(Q2.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["history", str(plan), "--format", "text"]) == 2
    assert "is not in a git repository" in capsys.readouterr().err
