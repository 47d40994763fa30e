"""opgen as a user gets it: the wheel built from this checkout, installed (not editable) into a fresh
virtual environment with no network, and its `opgen` command run from a folder outside the checkout.

The fresh environment borrows the dependencies (jinja2, weasyprint, ...) from the test environment by a
`.pth` line, so nothing is downloaded; opgen itself must come from the wheel, which the first test checks.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"


def _run(cmd, cwd, env=None, timeout=300):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


class Installed:
    def __init__(self, venv: Path, wheel: Path, work: Path):
        self.venv, self.wheel, self.work = venv, wheel, work
        self.python = venv / BIN / ("python.exe" if os.name == "nt" else "python")
        self.opgen = venv / BIN / ("opgen.exe" if os.name == "nt" else "opgen")
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        self.env["PATH"] = str(venv / BIN) + os.pathsep + self.env.get("PATH", "")
        self.env["NO_COLOR"] = "1"

    def __call__(self, *args, cwd=None):
        return _run([self.opgen, *args], cwd=cwd or self.work, env=self.env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("installed")
    # Build from a copy of what a commit holds (no .venv, no build/ or egg-info of the checkout).
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "opgen", source / "opgen", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = base / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                  "-q", "-w", dist, source], cwd=base)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("opgen-*.whl")

    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=base)
    assert made.returncode == 0, made.stderr
    installed = Installed(venv, wheel, base / "work")
    install = _run([sys.executable, "-m", "pip", "--python", installed.python, "install", "--no-deps", "--no-index",
                    "-q", wheel], cwd=base)
    assert install.returncode == 0, install.stderr
    # The dependencies, from the test environment's site-packages (appended after the venv's own, and
    # .pth files there are not run, so the checkout's editable opgen stays out of reach).
    purelib = _run([installed.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=base)
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib.stdout.strip()) / "_opgen_test_deps.pth").write_text("\n".join(deps) + "\n")
    installed.work.mkdir()
    return installed


def test_the_installed_opgen_is_the_wheel_not_the_checkout(installed):
    out = _run([installed.python, "-c", "import opgen, opgen.resources as r; print(opgen.__file__); "
                                        "print(r.SCHEMA_PATH)"], cwd=installed.work, env=installed.env)
    assert out.returncode == 0, out.stderr
    module, schema = (Path(line) for line in out.stdout.splitlines())
    assert module.resolve().is_relative_to(installed.venv.resolve())
    assert schema.resolve().is_relative_to(installed.venv.resolve()) and schema.is_file()
    assert ROOT not in module.resolve().parents


def test_the_wheel_holds_every_resource_including_the_scaffold_dot_files(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    resources = ROOT / "opgen" / "resources"
    expected = {f"opgen/resources/{p.relative_to(resources).as_posix()}" for p in resources.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert expected - names == set()
    assert "opgen/resources/scaffold/dot-github/workflows/plans.yml" in names
    assert "opgen/resources/scaffold/dot-vscode/settings.json" in names


def test_version_and_schema(installed):
    assert installed("--version").stdout.strip().startswith("opgen ")
    out = installed("schema")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == json.loads((ROOT / "opgen" / "resources" / "plan.schema.json").read_text())


def test_new_validate_build_and_diff_outside_the_checkout(installed):
    work = installed.work / "loose"
    work.mkdir()
    out = installed("new", "plans/mine.yaml", cwd=work)
    assert out.returncode == 0, out.stderr
    plan = work / "plans" / "mine.yaml"
    text = plan.read_text()
    # No schema copy above it: no modeline, so no path of this machine in a file meant to be shared.
    assert "$schema=" not in text and str(installed.venv) not in text and "opgen init" in text
    assert "opgen init" in out.stdout

    out = installed("validate", "--strict", "plans/mine.yaml", cwd=work)
    assert (out.returncode, out.stderr) == (0, ""), out.stdout + out.stderr
    assert "plans/mine.yaml: valid (0 errors, 0 warnings)" in out.stdout

    broken = work / "plans" / "broken.yaml"
    broken.write_text(text.replace("status: draft", "status: drafted", 1))
    assert broken.read_text() != text
    out = installed("validate", "plans/broken.yaml", cwd=work)
    assert out.returncode == 1
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "status: draft" in row)
    assert f"plans/broken.yaml:{line}:" in out.stdout and ": error: " in out.stdout
    assert "Traceback" not in out.stdout + out.stderr
    assert installed("validate", "plans/nowhere.yaml", cwd=work).returncode == 2

    out = installed("build", "plans/mine.yaml", "--out", "papers", cwd=work)
    assert out.returncode == 0, out.stdout + out.stderr
    for name in ("plan-on-a-page.pdf", "operational-plan.pdf"):
        assert (work / "papers" / "mine" / name).read_bytes().startswith(b"%PDF-")
    assert zipfile.is_zipfile(work / "papers" / "mine" / "annex.docx")

    assert installed("diff", "plans/mine.yaml", "plans/mine.yaml", cwd=work).returncode == 0
    changed = work / "plans" / "mine-v2.yaml"
    changed.write_text(text.replace("status: draft", "status: submitted", 1))
    out = installed("diff", "plans/mine.yaml", "plans/mine-v2.yaml", "--format", "markdown", cwd=work)
    assert out.returncode == 1, out.stderr
    assert "draft" in out.stdout and "submitted" in out.stdout


def test_init_scaffolds_a_repository_whose_plans_validate(installed):
    out = installed("init", "repo", "--opgen-source", "https://example.org/opgen.git")
    assert out.returncode == 0, out.stderr
    repo = installed.work / "repo"
    for name in (".gitattributes", ".gitignore", ".pre-commit-config.yaml", ".vscode/settings.json",
                 ".vscode/extensions.json", ".github/workflows/plans.yml", "README.md",
                 "schemas/plan.schema.json", "plans/starter-plan.yaml"):
        assert (repo / name).is_file(), name
    assert not list(repo.rglob("dot-*"))
    assert (repo / "schemas" / "plan.schema.json").read_bytes() == (ROOT / "opgen" / "resources" / "plan.schema.json").read_bytes()
    out = installed("validate", "--strict", "plans/starter-plan.yaml", cwd=repo)
    assert (out.returncode, out.stderr) == (0, ""), out.stdout + out.stderr
    out = installed("new", "plans/second.yaml", cwd=repo)
    assert (repo / "plans" / "second.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../schemas/plan.schema.json\n")
    assert installed("init", "repo").returncode == 2


def test_the_installed_opgen_checks_a_pack_file_with_its_packaged_pack_schema(installed):
    """The pack schema ships in the wheel: a pack file's mistakes are found and located outside the
    checkout (the wheel's opgen/resources/pack.schema.json, not the checkout's schemas/ copy)."""
    assert "opgen/resources/pack.schema.json" in set(zipfile.ZipFile(installed.wheel).namelist())
    work = installed.work / "packs-check"
    (work / "packs").mkdir(parents=True)
    (work / "packs" / "review.yaml").write_text("pack_version: 1\ntitel: Review\nplans:\n  - ../plans/none.yaml\n")
    out = installed("pack", "packs/review.yaml", cwd=work)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "packs/review.yaml:2:1: error: unknown key 'titel' in the top level" in out.stderr
    assert "did you mean 'title'?" in out.stderr and "Traceback" not in out.stdout + out.stderr
