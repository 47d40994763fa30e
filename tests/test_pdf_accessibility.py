"""Every PDF opgen makes from every example, read back with the PDF/UA checker (tests/pdfua.py): the
plan on a page, the full plan and the highlight report of each example plan, its history, the diff
report and the board pack, built through the command line as a user builds them.

Each output is built once per session, when a test first asks for it, so `-k south-kent` builds
only what it checks. Run `python tests/pdfua.py FILE.pdf ...` to see the same problems for any PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

import pdfua
from opgen.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "plans").glob("*.yaml"))
PACKS = sorted((ROOT / "packs").glob("*.yaml"))
FIXTURES = ROOT / "tests" / "fixtures"
Q1 = FIXTURES / "south-kent-coast-2014-16-q1.yaml"
Q2 = FIXTURES / "south-kent-coast-2014-16-q2.yaml"
HAS_GIT = shutil.which("git") is not None

_WORK: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def work(tmp_path_factory):
    _WORK.append(tmp_path_factory.mktemp("pdfua"))
    yield
    _WORK.clear()
    _built.cache_clear()


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2015-01-01T12:00:00",
           "GIT_COMMITTER_DATE": "2015-01-01T12:00:00"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@lru_cache(maxsize=None)
def _built(kind: str, name: str) -> Path:
    """Build one output as a user would and return its path."""
    work = _WORK[0]
    out = work / "build"
    if kind in ("plan-on-a-page", "operational-plan"):
        plan = ROOT / "plans" / f"{name}.yaml"
        assert main(["build", str(plan), "--out", str(out), "--format", "pdf"]) == 0
        return out / name / f"{kind}.pdf"
    if kind == "highlight-report":
        plan = ROOT / "plans" / f"{name}.yaml"
        assert main(["build", str(plan), "--out", str(out), "--format", "highlight"]) == 0
        return out / name / "highlight-report.pdf"
    if kind == "history":
        if not HAS_GIT:
            pytest.skip("git is not installed")
        repo = work / f"history-{name}"
        repo.mkdir()
        _git(repo, "init", "-q")
        source = Q1 if name == "quarters" else ROOT / "plans" / f"{name}.yaml"
        commits = [Q1, Q2] if name == "quarters" else [source]
        for i, version in enumerate(commits):
            shutil.copyfile(version, repo / "plan.yaml")
            _git(repo, "add", "plan.yaml")
            _git(repo, "commit", "-q", "-m", f"version {i + 1}")
        target = work / f"history-{name}.pdf"
        assert main(["history", str(repo / "plan.yaml"), "--out", str(target)]) == 0
        return target
    if kind == "diff":
        old, new = {"quarters": (Q1, Q2), "plan-to-q2": (ROOT / "plans" / "south-kent-coast-2014-16.yaml", Q2)}[name]
        target = work / f"diff-{name}.pdf"
        assert main(["diff", str(old), str(new), "--format", "pdf", "-o", str(target)]) == 1
        return target
    if kind == "pack":
        assert main(["pack", str(ROOT / "packs" / f"{name}.yaml"), "--out", str(out), "-j", "2"]) == 0
        return out / "packs" / name / "pack.pdf"
    raise AssertionError(kind)


OUTPUTS = (
    [("plan-on-a-page", p.stem) for p in PLANS]
    + [("operational-plan", p.stem) for p in PLANS]
    + [("highlight-report", p.stem) for p in PLANS]
    + [("history", "quarters")]
    + [("history", p.stem) for p in PLANS]
    + [("diff", "quarters"), ("diff", "plan-to-q2")]
    + [("pack", p.stem) for p in PACKS]
)


def describe(problems: list[pdfua.Problem]) -> str:
    counts = ", ".join(f"{rule} {n}" for rule, n in sorted(pdfua.summary(problems).items()))
    first = "\n".join(f"  {p}" for p in problems[:15])
    return f"{len(problems)} PDF/UA problems ({counts}); the first:\n{first}"


@pytest.mark.parametrize(("kind", "name"), OUTPUTS, ids=[f"{k}-{n}" for k, n in OUTPUTS])
def test_every_output_passes_the_pdfua_checks(kind, name):
    path = _built(kind, name)
    assert path.exists(), path
    # a pack binds many papers, each with its own title as a heading of the first level; the full
    # plan's chapters are its first level, as a Word paper's Heading 1 (PDF/UA-1 asks that headings
    # nest, which the checker still holds them to, not for one H1)
    problems = pdfua.check(path, allow_many_h1=kind in ("pack", "operational-plan"))
    assert problems == [], describe(problems)
