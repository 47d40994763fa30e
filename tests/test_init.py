"""`opgen init`: a plans repository that works on first push; relative modelines from `opgen new`; the
note when a repository's schema copy is out of date; and opgen's pre-commit hook run the way a plans
repository runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from opgen import __version__
from opgen.cli import main
from opgen.resources import SCHEMA_PATH

ROOT = Path(__file__).resolve().parent.parent
FILES = [".gitattributes", ".github/workflows/plans.yml", ".gitignore", ".pre-commit-config.yaml",
         ".vscode/extensions.json", ".vscode/settings.json", "README.md", "plans/starter-plan.yaml",
         "schemas/plan.schema.json"]


@pytest.fixture
def repo(tmp_path, capsys):
    root = tmp_path / "plans-repo"
    assert main(["init", str(root), "--opgen-source", "https://git.example.org/opgen.git", "--opgen-rev", "v9.9.9"]) == 0
    capsys.readouterr()
    return root


def test_init_writes_every_file_and_says_so(tmp_path, capsys):
    root = tmp_path / "new"
    assert main(["init", str(root)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == FILES
    for name in FILES:
        assert f"wrote {root / name}" in out
    assert "placeholder" in out and "--opgen-source" in out  # the default source must be filled in


def test_starter_plan_is_the_new_plan_and_validates_strictly(repo, tmp_path, capsys):
    starter = (repo / "plans" / "starter-plan.yaml").read_text()
    assert starter.startswith("# yaml-language-server: $schema=../schemas/plan.schema.json\n")
    assert main(["new", str(repo / "plans" / "other.yaml")]) == 0
    assert (repo / "plans" / "other.yaml").read_text() == starter
    capsys.readouterr()
    assert main(["validate", "--strict", str(repo / "plans" / "starter-plan.yaml")]) == 0
    captured = capsys.readouterr()
    assert "valid (0 errors, 0 warnings)" in captured.out and captured.err == ""


def test_schema_copy_and_editor_settings(repo):
    assert (repo / "schemas" / "plan.schema.json").read_bytes() == SCHEMA_PATH.read_bytes()
    settings = json.loads((repo / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"] == {"./schemas/plan.schema.json": ["plans/**/*.yaml", "plans/**/*.yml"]}
    assert json.loads((repo / ".vscode" / "extensions.json").read_text())["recommendations"] == ["redhat.vscode-yaml"]
    attributes = (repo / ".gitattributes").read_text()
    assert "plans/**/*.yaml diff=opgen" in attributes and 'diff.opgen.textconv "opgen diff --textconv"' in attributes


def test_pre_commit_config_uses_opgens_hooks_at_the_pinned_rev(repo, tmp_path, capsys):
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    (entry,) = config["repos"]
    assert entry["repo"] == "https://git.example.org/opgen.git" and entry["rev"] == "v9.9.9"
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert [h["id"] for h in entry["hooks"]] == ["opgen-validate"] and "opgen-validate" in hooks
    assert main(["init", str(tmp_path / "default")]) == 0
    default = yaml.safe_load((tmp_path / "default" / ".pre-commit-config.yaml").read_text())
    assert default["repos"][0]["rev"] == f"v{__version__}"


def test_workflow_installs_opgen_non_editably_and_does_the_jobs(repo):
    text = (repo / ".github" / "workflows" / "plans.yml").read_text()
    workflow = yaml.safe_load(text)
    assert workflow["env"]["OPGEN"] == "opgen @ git+https://git.example.org/opgen.git@v9.9.9"
    assert "pip install -e" not in text and "{{" not in text.replace("${{", "")
    build = "\n".join(step.get("run", "") for step in workflow["jobs"]["build"]["steps"])
    assert 'pip install "$OPGEN"' in build
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in workflow["env"]["SYSTEM_PACKAGES"]
    assert "refs/heads/main" in build and "strict=--strict" in build
    assert "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) opgen build" in build
    assert any(step.get("uses", "").startswith("actions/upload-artifact") for step in workflow["jobs"]["build"]["steps"])
    pr = workflow["jobs"]["pr-diff"]
    pr_runs = "\n".join(step.get("run", "") for step in pr["steps"])
    assert 'pip install "$OPGEN"' in pr_runs and "--format markdown" in pr_runs and "gh pr comment" in pr_runs
    assert pr["permissions"]["pull-requests"] == "write"


def test_repository_example_workflow_is_the_scaffolded_one(repo):
    """The example in opgen's own repository installs opgen the same way (never `pip install -e .`)."""
    ours = (ROOT / ".github" / "workflows" / "plans.yml").read_text()
    assert "pip install -e" not in ours
    assert yaml.safe_load(ours)["jobs"] == yaml.safe_load((repo / ".github" / "workflows" / "plans.yml").read_text())["jobs"]


def test_init_refuses_to_overwrite_and_lists_what_exists(tmp_path, capsys):
    root = tmp_path / "r"
    (root / "plans").mkdir(parents=True)
    (root / "README.md").write_text("ours\n")
    (root / "plans" / "starter-plan.yaml").write_text("mine\n")
    assert main(["init", str(root)]) == 2
    err = capsys.readouterr().err
    assert f"{root / 'README.md'}" in err and f"{root / 'plans' / 'starter-plan.yaml'}" in err
    assert "--force" in err and "nothing was written" in err
    assert (root / "README.md").read_text() == "ours\n" and not (root / "schemas").exists()
    assert main(["init", str(root), "--force"]) == 0
    assert (root / "README.md").read_text() != "ours\n" and (root / "schemas" / "plan.schema.json").is_file()


def test_init_into_a_file_is_a_clear_error(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["init", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_update_schema_refreshes_only_the_schema(repo, capsys):
    (repo / "schemas" / "plan.schema.json").write_text("{}")
    (repo / "README.md").write_text("edited\n")
    assert main(["init", "--update-schema", str(repo)]) == 0
    assert "updated" in capsys.readouterr().out
    assert (repo / "schemas" / "plan.schema.json").read_bytes() == SCHEMA_PATH.read_bytes()
    assert (repo / "README.md").read_text() == "edited\n"
    assert main(["init", "--update-schema", str(repo)]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_validate_notes_a_stale_schema_copy_once_and_keeps_the_exit_code(repo, capsys, monkeypatch):
    plan = repo / "plans" / "starter-plan.yaml"
    shutil.copy(plan, repo / "plans" / "second.yaml")
    stale = json.loads(SCHEMA_PATH.read_text())
    stale["title"] = "an older opgen's schema"
    (repo / "schemas" / "plan.schema.json").write_text(json.dumps(stale))
    monkeypatch.chdir(repo)
    assert main(["validate", "--strict", "plans/starter-plan.yaml", "plans/second.yaml"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("differs from the schema of the installed opgen") == 1
    assert "schemas/plan.schema.json" in captured.err and "opgen init --update-schema ." in captured.err
    assert "differs" not in captured.out
    assert main(["validate", "--format", "json", "plans/starter-plan.yaml"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "--update-schema" in captured.err
    # Re-indented but the same schema is not stale.
    (repo / "schemas" / "plan.schema.json").write_text(json.dumps(json.loads(SCHEMA_PATH.read_text()), indent=4))
    assert main(["validate", "plans/starter-plan.yaml"]) == 0
    assert capsys.readouterr().err == ""


def test_example_plans_see_no_stale_schema(capsys):
    assert main(["validate", *map(str, sorted((ROOT / "plans").glob("*.yaml")))]) == 0
    assert "differs from the schema" not in capsys.readouterr().err


def test_new_writes_a_relative_modeline_from_the_nearest_schema_copy(repo, capsys):
    deep = repo / "plans" / "2025" / "q1" / "plan.yaml"
    assert main(["new", str(deep)]) == 0
    assert deep.read_text().splitlines()[0] == "# yaml-language-server: $schema=../../../schemas/plan.schema.json"
    assert "opgen init" not in capsys.readouterr().out


def test_new_without_a_schema_copy_writes_no_absolute_path_and_hints_at_init(tmp_path, capsys):
    target = tmp_path / "loose" / "plan.yaml"
    assert main(["new", str(target)]) == 0
    text = target.read_text()
    assert "$schema=" not in text and str(SCHEMA_PATH) not in text and str(tmp_path) not in text
    assert text.splitlines()[0].startswith("#") and "opgen init" in text.splitlines()[0]
    assert "opgen init" in capsys.readouterr().out
    assert main(["validate", "--strict", str(target)]) == 0


def test_example_plans_keep_their_relative_modeline():
    for plan in sorted((ROOT / "plans").glob("*.yaml")):
        assert plan.read_text().startswith("# yaml-language-server: $schema=../schemas/plan.schema.json\n"), plan


# --- pre-commit, as a plans repository runs opgen's hook --------------------------------------------------

def _pre_commit_available() -> str | None:
    if shutil.which("git") is None:
        return "git is not installed"
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return "pre-commit is not installed (pip install -e '.[test]')"
    return None


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(_pre_commit_available() is not None, reason=str(_pre_commit_available()))
def test_pre_commit_hook_passes_a_valid_plan_and_locates_a_broken_one(tmp_path, capsys):
    # opgen as a commit holds it (what try-repo installs, non-editably, into the hook's environment).
    source = tmp_path / "opgen"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "opgen", source / "opgen", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _git(source, "init", "-q")
    _git(source, "add", "-A")
    _git(source, "commit", "-q", "-m", "opgen")

    # Two plans repositories, one valid and one with a broken plan, checked at the same time (try-repo
    # installs the hook's environment afresh on every run, which is most of this test's time).
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_COLOR="1")
    runs = {}
    for name in ("valid", "broken"):
        repo = tmp_path / name
        assert main(["init", str(repo), "--opgen-source", str(source)]) == 0
        plan = repo / "plans" / "starter-plan.yaml"
        text = plan.read_text()
        if name == "broken":
            line = next(i for i, row in enumerate(text.splitlines(), 1) if "status: draft" in row)
            plan.write_text(text.replace("status: draft", "status: drafted", 1))
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "plans repository")
        runs[name] = subprocess.Popen(
            [sys.executable, "-m", "pre_commit", "try-repo", str(source), "opgen-validate", "--all-files",
             "--color", "never"], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    for name, process in runs.items():
        try:
            out, err = process.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        results[name] = (process.returncode, out, err)

    code, out, err = results["valid"]
    assert code == 0, out + err
    assert "opgen validate" in out and "Passed" in out

    code, out, err = results["broken"]
    assert code == 1, out + err
    assert "Failed" in out
    assert f"plans/starter-plan.yaml:{line}:" in out and ": error: " in out
    assert "Traceback" not in out + err
