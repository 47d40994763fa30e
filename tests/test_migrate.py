"""`opgen migrate` and the in-place YAML editor under it: an upgraded plan keeps every comment, key
order and layout, validates as version 2, and a failed or refused migration leaves the file as it was."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from opgen import yamledit
from opgen.cli import main
from opgen.pipeline import plan_from_file

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "tests" / "fixtures" / "v1"  # the example plans as they were written for version 1
V1_PLANS = sorted(V1.glob("*.yaml"))


@pytest.fixture(params=[p.name for p in V1_PLANS])
def v1_plan(request, tmp_path) -> Path:
    target = tmp_path / request.param
    target.write_text((V1 / request.param).read_text(encoding="utf-8"), encoding="utf-8")
    return target


def _changed_lines(a: str, b: str) -> list[str]:
    return [l for l in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def test_migrate_changes_only_the_version_line_and_keeps_every_comment(v1_plan, capsys):
    before = v1_plan.read_text(encoding="utf-8")
    assert "schema_version: 1" in before and plan_from_file(v1_plan).ok  # version 1 plans still validate
    assert main(["migrate", str(v1_plan)]) == 0
    after = v1_plan.read_text(encoding="utf-8")
    assert _changed_lines(before, after) == ["-schema_version: 1", "+schema_version: 2"]
    assert "upgraded to version 2" in capsys.readouterr().out
    result = plan_from_file(v1_plan)
    assert result.ok and yaml.safe_load(after)["schema_version"] == 2
    # and a second run has nothing to do
    assert main(["migrate", str(v1_plan)]) == 0
    assert "already version 2" in capsys.readouterr().out
    assert v1_plan.read_text(encoding="utf-8") == after


def test_check_and_diff_write_nothing(tmp_path, capsys):
    plan = tmp_path / "p.yaml"
    plan.write_text((V1 / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8"))
    before = plan.read_bytes()
    assert main(["migrate", "--check", str(plan)]) == 1
    assert "needs `opgen migrate" in capsys.readouterr().out
    assert main(["migrate", "--diff", str(plan)]) == 1
    out = capsys.readouterr().out
    assert "-schema_version: 1" in out and "+schema_version: 2" in out
    assert plan.read_bytes() == before


def test_an_invalid_plan_is_refused_untouched_and_does_not_stop_the_batch(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text((V1 / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("\norganisation:", "\nbogus: 1\norganisation:", 1))
    bad_before = bad.read_bytes()
    assert main(["migrate", str(bad), str(good)]) == 2
    out = capsys.readouterr()
    assert "unknown key 'bogus'" in out.out and "bad.yaml" in out.err and "fix the errors" in out.err
    assert bad.read_bytes() == bad_before
    assert "schema_version: 2" in good.read_text()


def test_not_yaml_and_missing_files_are_clear(tmp_path, capsys):
    assert main(["migrate", str(tmp_path / "nope.yaml")]) == 2
    (tmp_path / "x.yaml").write_text("a: [1\n")
    assert main(["migrate", str(tmp_path / "x.yaml")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_structural_edit_keeps_other_blocks_byte_for_byte():
    """A new key inside one top-level section is made by the round-trip editor; multi-line flow
    mappings elsewhere (Swale's QIPP schemes), comments and quoting stay exactly as written."""
    text = (ROOT / "plans" / "swale-2015-16.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    first = data["actions"][0]["id"]
    edited = yamledit.apply(text, [(("actions", 0, "rag"), {"2015/16": {"q1": "amber"}})])
    new = yaml.safe_load(edited)
    assert new["actions"][0]["rag"] == {"2015/16": {"q1": "amber"}} and new["actions"][0]["id"] == first
    new["actions"][0].pop("rag")
    data["actions"][0].pop("rag", None)
    assert new == data
    def block(t, key):
        return re.search(rf"(?ms)^{key}:.*?(?=^\S)", t).group(0)
    for key in ("qipp", "organisation", "plan", "domains"):
        if re.search(rf"(?m)^{key}:", text):
            assert block(edited, key) == block(text, key), key
    comments = [l.strip() for l in text.splitlines() if l.strip().startswith("#")]
    assert all(c in edited for c in comments)


scalars = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(), st.none())


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=scalars, where=st.sampled_from([("plan", "version"), ("organisation", "name"),
                                             ("actions", 0, "title"), ("plan", "status")]))
def test_a_scalar_edit_changes_that_value_and_nothing_else(value, where):
    text = (ROOT / "plans" / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    edited = yamledit.apply(text, [(where, value)])
    new = yaml.safe_load(edited)
    target = data
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    assert new == data
    assert len(_changed_lines(text, edited)) <= 2
