"""opgen diff: a realistic quarter's history of the South Kent Coast plan, reported change by change.

Fixtures (tests/fixtures/):
  south-kent-coast-2014-16-q1.yaml             the example as endorsed at Q1 (version 1.0, Q1 RAG)
  south-kent-coast-2014-16-q2.yaml             the same plan a quarter on (version 1.1, as at Q2)
  south-kent-coast-2014-16-q2-reformatted.yaml q2 with lists and keys reversed (not the version history,
                                               listed oldest first), styles and comments changed
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opgen.cli import main
from opgen.diff import KINDS, SECTIONS, diff_plans, rag_movement
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.diff import report as diff_report

from git_repo import git, new_repo

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
Q1 = FIXTURES / "south-kent-coast-2014-16-q1.yaml"
Q2 = FIXTURES / "south-kent-coast-2014-16-q2.yaml"
Q2_REFORMATTED = FIXTURES / "south-kent-coast-2014-16-q2-reformatted.yaml"
SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"
EXAMPLES = sorted((ROOT / "plans").glob("*.yaml"))
HAS_GIT = shutil.which("git") is not None

# Every change the quarter brings, exactly once: (section, kind, id, field).
EXPECTED_Q1_Q2 = {
    ("metadata", "changed", None, "version"),
    ("metadata", "changed", None, "as_at"),
    ("metadata", "changed", None, "date"),
    ("metadata", "added", "1.1", "history"),
    ("vision", "changed", "Out-of-Hospital Care", "statement"),
    ("actions", "removed", "OOH-14", None),
    ("actions", "changed", "OOH-03", "lead"),
    ("rag", "worsened", "OOH-02", "rag 2014/15 Q2"),
    ("rag", "worsened", "OOH-03", "rag 2014/15 Q2"),
    ("rag", "worsened", "HOSP-02", "rag 2014/15 Q2"),
    ("rag", "improved", "OOH-05", "rag 2014/15 Q2"),
    ("rag", "completed", "OOH-07", "rag 2014/15 Q2"),
    ("rag", "newly-reported", "OOH-01", "rag 2014/15 Q2"),
    ("milestones", "slipped", "HOSP-01-M1", "due"),
    ("milestones", "status-changed", "HOSP-01-M1", "status"),
    ("milestones", "date-set", "HOSP-02-M1", "due"),
    ("qipp", "decreased", "Q-EKHUFT", "savings 2014/15"),
    ("qipp", "decreased", None, "stated total 2014/15"),
    ("qipp", "worsened", "Q-PRESCRIBING", "confidence"),
    ("risks", "added", "R-HOSP-04", None),
    ("risks", "fell", "R-BCF-07", "rating"),
    ("indicators", "reported", "KPI-DEM", "actual 2014/15 Q1"),
    ("warnings", "new", "OOH-03", "red-unmitigated"),
}


def changeset(old_path: Path, new_path: Path):
    old, new = plan_from_file(old_path), plan_from_file(new_path)
    assert old.ok and new.ok
    return diff_plans(old.plan, new.plan, old_warnings=old.report.warnings, new_warnings=new.report.warnings,
                      old_label=str(old_path), new_label=str(new_path))


def changeset_from_texts(old_text: str, new_text: str):
    old, new = plan_from_bytes(old_text.encode(), "old.yaml"), plan_from_bytes(new_text.encode(), "new.yaml")
    assert old.ok, [d.as_text() for d in old.report.errors]
    assert new.ok, [d.as_text() for d in new.report.errors]
    return diff_plans(old.plan, new.plan, old_warnings=old.report.warnings, new_warnings=new.report.warnings)


@pytest.fixture(scope="module")
def q1_q2():
    return changeset(Q1, Q2)


def run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    return code, out, err


# --- the quarter's changes --------------------------------------------------------------------------

def test_fixtures_are_valid_plans():
    for path in (Q1, Q2, Q2_REFORMATTED):
        result = plan_from_file(path)
        assert result.ok, [d.as_text() for d in result.report.errors]


def test_each_change_reported_exactly_once_and_nothing_else(q1_q2):
    idents = [c.ident for c in q1_q2.changes]
    assert len(idents) == len(set(idents)), "a change is reported twice"
    assert set(idents) == EXPECTED_Q1_Q2


def test_every_change_has_a_known_section_and_kind(q1_q2):
    sections = {key for key, _ in SECTIONS}
    for c in q1_q2.changes:
        assert c.section in sections and c.kind in KINDS


def test_headline(q1_q2):
    assert q1_q2.headline == (
        "3 RAG ratings worsened, 1 improved, 1 action completed, 1 milestone slipped, QIPP 2014/15 down £412k, "
        "1 new extreme risk, 1 action removed, 1 TBC resolved, 1 new warning (23 changes)")


def test_rag_moves_are_against_the_rating_the_board_last_saw(q1_q2):
    by = {(c.section, c.id): c for c in q1_q2.changes}
    rag = by[("rag", "OOH-02")]
    assert (rag.old, rag.new, rag.direction) == ("green", "amber", "worsened")
    assert rag.old_text == "Green (2014/15 Q1)" and rag.new_text == "Amber (2014/15 Q2)"
    assert by[("rag", "OOH-07")].new == "blue" and by[("rag", "OOH-07")].direction == "improved"
    steady = by[("rag", "OOH-01")]
    assert steady.direction is None and "unchanged" in steady.detail


def test_milestone_slip_in_days_and_quarters(q1_q2):
    slipped = next(c for c in q1_q2.changes if c.kind == "slipped")
    assert (slipped.old, slipped.new, slipped.direction) == ("2014/15 Q3", "2014/15 Q4", "later")
    assert slipped.detail == "slipped 90 days, 1 quarter"
    date_set = next(c for c in q1_q2.changes if c.kind == "date-set")
    assert (date_set.old, date_set.new) == ("tbc", "2015/16 Q2")


def test_qipp_totals_and_tbc_inventory(q1_q2):
    net = next(t for t in q1_q2.totals if t.section == "qipp" and t.label == "net")
    assert (net.old.value, net.new.value, net.delta) == (9297, 8885, -412)
    assert net.delta_text == "down £412k"
    assert q1_q2.tbcs.resolved == ["Milestone HOSP-02-M1 due date"]
    assert q1_q2.tbcs.introduced == []
    assert len(q1_q2.tbcs.open) == 8


def test_new_risk_is_extreme(q1_q2):
    risk = next(c for c in q1_q2.changes if c.section == "risks" and c.kind == "added")
    assert risk.new == "extreme" and "16 (extreme)" in risk.detail


def test_indicator_actual_is_polarity_aware(q1_q2):
    actual = next(c for c in q1_q2.changes if c.section == "indicators")
    assert actual.new == 41.2 and actual.direction == "better"


def test_reversed_diff_mirrors(q1_q2):
    back = changeset(Q2, Q1)
    kinds = {(c.section, c.id): c.kind for c in back.changes}
    assert kinds[("actions", "OOH-14")] == "added"
    assert kinds[("risks", "R-HOSP-04")] == "removed"
    assert kinds[("milestones", "HOSP-02-M1")] == "date-now-tbc"
    assert next(c for c in back.changes if c.kind == "brought-forward").detail == "brought forward 90 days, 1 quarter"
    assert back.tbcs.introduced == ["Milestone HOSP-02-M1 due date"]


# --- no changes -------------------------------------------------------------------------------------

def test_diff_with_itself_is_empty():
    cs = changeset(Q2, Q2)
    assert not cs and cs.headline == "No changes" and not cs.totals


def test_reformatted_copy_has_no_changes(capsys):
    assert not changeset(Q2, Q2_REFORMATTED)
    code, out, _ = run(["diff", Q2, Q2_REFORMATTED], capsys)
    assert code == 0 and "No changes" in out


def _reformat(data, rng: random.Random, flow: bool | None, width: int) -> str:
    # Every list is matched by id, so its order is no change, except where order is meaning: the
    # version history and approvals (a record in date order; one body may approve twice), narrative
    # chapters (a chapter without `place` follows the one before it), a table's rows (a total
    # row adds up the rows above it) and columns (printed in the plan's order; the first text column
    # names each row) and an indicator's codes (printed in the plan's order, "[E.H.2, A2]":
    # West Kent gives two).
    def walk(node, key=None):
        if isinstance(node, dict):
            items = list(node.items())
            rng.shuffle(items)
            return {k: walk(v, k) for k, v in items}
        if isinstance(node, list):
            items = [walk(x) for x in node]
            if key not in ("history", "approvals", "sections", "rows", "columns", "code"):
                rng.shuffle(items)
            return items
        return node
    body = yaml.safe_dump(walk(copy.deepcopy(data)), sort_keys=False, allow_unicode=True,
                          default_flow_style=flow, width=width)
    return f"# reformatted (seed comment {rng.random()})\n" + body


def test_generated_reformat_has_no_changes():
    data = yaml.safe_load(Q2.read_text())
    text = _reformat(data, random.Random(7), True, 60)
    assert not changeset_from_texts(Q2.read_text(), text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), flow=st.sampled_from([None, True, False]),
       width=st.integers(40, 200), which=st.sampled_from([SKC, Q1, Q2] + EXAMPLES))
def test_random_reorderings_are_not_changes(rng, flow, width, which):
    original = which.read_text()
    shuffled = _reformat(yaml.safe_load(original), rng, flow, width)
    cs = changeset_from_texts(original, shuffled)
    assert not cs, [c.ident for c in cs.changes]


# --- ids --------------------------------------------------------------------------------------------

def test_changed_title_is_a_change_and_changed_id_is_removal_plus_addition():
    text = Q2.read_text()
    retitled = text.replace("title: Winterbourne\n", "title: Winterbourne (transforming care)\n")
    cs = changeset_from_texts(text, retitled)
    assert [c.ident for c in cs.changes] == [("actions", "retitled", "OOH-07", "title")]

    renamed = text.replace("  - id: OOH-07\n", "  - id: OOH-07A\n")
    cs = changeset_from_texts(text, renamed)
    assert {c.ident for c in cs.changes} == {("actions", "removed", "OOH-07", None),
                                               ("actions", "added", "OOH-07A", None)}
    assert all(c.note == "id changed from OOH-07 to OOH-07A?" for c in cs.changes)
    assert "Winterbourne" in diff_report.render_text(cs)


# --- the other kinds of change ------------------------------------------------------------------------

def in_item(text: str, item_id: str, old: str, new: str) -> str:
    """Replace the first `old` after the item `item_id` starts."""
    start = text.index(f"- id: {item_id}\n")
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old):]


def test_past_quarter_revision_and_grey():
    base = Q2.read_text()
    revised = in_item(base, "OOH-02", "{q1: green, q2: amber}", "{q1: red, q2: amber}")
    revised = in_item(revised, "OOH-05", "{q1: amber, q2: green}", "{q1: amber, q2: grey}")
    cs = changeset_from_texts(base, revised)
    idents = {c.ident: c for c in cs.changes}
    assert set(idents) == {("rag", "worsened", "OOH-02", "rag 2014/15 Q1"), ("rag", "changed", "OOH-05", "rag 2014/15 Q2")}
    assert idents[("rag", "worsened", "OOH-02", "rag 2014/15 Q1")].detail == "revised"
    assert idents[("rag", "changed", "OOH-05", "rag 2014/15 Q2")].direction is None


def test_rag_at_the_as_at_quarter_without_a_new_entry():
    """A rating entered early (after as_at) becomes the current one when as_at moves on: one change."""
    base = in_item(Q1.read_text(), "OOH-04", "    title: Enhanced Support to Care Homes\n",
                   '    title: Enhanced Support to Care Homes\n    rag:\n      "2014/15": {q1: green, q2: red}\n')
    later = base.replace('  as_at: "2014/15 Q1"', '  as_at: "2014/15 Q2"')
    cs = changeset_from_texts(base, later)
    rag = [c for c in cs.changes if c.section == "rag"]
    assert [(c.kind, c.id, c.field) for c in rag] == [("worsened", "OOH-04", "rag as at")]
    assert {(c.section, c.kind, c.field) for c in cs.changes if c.section == "warnings"} == {
        ("warnings", "resolved", "rag-after-as-at"), ("warnings", "new", "red-unmitigated")}


def test_rag_movement_order():
    assert rag_movement("green", "amber") == ("worsened", "worsened")
    assert rag_movement("red", "green") == ("improved", "improved")
    assert rag_movement("amber", "blue") == ("completed", "improved")
    assert rag_movement("blue", "green") == ("worsened", "worsened")
    assert rag_movement(None, "red") == ("newly-reported", None)
    assert rag_movement("grey", "amber") == ("newly-reported", None)
    assert rag_movement("green", "grey") == ("changed", None)
    assert rag_movement("green", None) == ("removed", None)
    assert rag_movement("green", "green") is None


def test_risk_rises_to_extreme_and_closes():
    base = Q2.read_text()
    text = base.replace("    likelihood: 4\n    impact: 4\n    target: {likelihood: 2, impact: 4}",
                        "    likelihood: 3\n    impact: 4\n    target: {likelihood: 2, impact: 4}")
    later = base.replace("    title: Cultural change\n", "    title: Cultural change\n    status: closed\n")
    later = later.replace("    owner: Director of Commissioning\n", "    owner: Chief Operating Officer\n")
    cs = changeset_from_texts(text, later)
    idents = {c.ident: c for c in cs.changes}
    rose = idents[("risks", "rose", "R-HOSP-04", "score")]
    assert (rose.old, rose.new, rose.detail) == (12, 16, "high \u2192 extreme")
    assert ("risks", "closed", "R-BCF-08", "status") in idents
    assert ("risks", "changed", "R-HOSP-04", "owner") in idents
    assert cs.headline.startswith("1 new extreme risk, 1 risk closed")


def test_indicator_target_and_tbc_resolution():
    base = Q2.read_text()
    later = (base.replace('    baseline: {value: tbc}\n    targets: {"2014/15": tbc, "2015/16": tbc}',
                          '    baseline: {value: 28.1}\n    targets: {"2014/15": tbc, "2015/16": tbc}')
             .replace('targets: {"2014/15": 47, "2015/16": 55}', 'targets: {"2014/15": 45, "2015/16": 55}'))
    cs = changeset_from_texts(base, later)
    idents = {c.ident: c for c in cs.changes}
    assert ("indicators", "tbc-resolved", "KPI-RESP75", "baseline") in idents
    target = idents[("indicators", "decreased", "KPI-DEM", "target 2014/15")]
    assert target.direction == "less-ambitious"
    assert cs.tbcs.resolved == ["Indicator KPI-RESP75 baseline"]
    assert not [c for c in cs.changes if c.section == "tbcs"], "a TBC reported twice"


def test_qipp_scheme_added_and_savings_become_tbc():
    base = Q2.read_text()
    later = base.replace('      savings: {"2014/15": 72}\n', '      savings: {"2014/15": tbc}\n').replace(
        "  stated_total:", "    - {id: Q-NEW, title: Medicines waste, savings: {\"2014/15\": 50, \"2015/16\": 80}}\n"
        "  stated_total:")
    cs = changeset_from_texts(base, later)
    idents = {c.ident for c in cs.changes}
    assert ("qipp", "tbc-introduced", "Q-SECAMB", "savings 2014/15") in idents
    assert ("qipp", "added", "Q-NEW", None) in idents
    net = {t.year: t for t in cs.totals if t.label == "net"}
    assert net["2014/15"].new.incomplete and net["2015/16"].delta == 80
    assert cs.tbcs.introduced == ["QIPP Q-SECAMB savings 2014/15"]


def test_vision_word_level():
    base = Q2.read_text()
    later = base.replace("To ensure the best health and care for our community",
                         "To secure the best health and care for everyone in our community")
    cs = changeset_from_texts(base, later)
    (change,) = cs.changes
    assert change.field == "mission"
    text = diff_report.render_text(cs)
    assert "[-ensure-] {+secure+}" in text and "{+everyone in+}" in text
    assert "<del>ensure</del> <ins>secure</ins>" in diff_report.render_html(cs)


def test_warning_resolved_when_mitigated():
    base = Q2.read_text()
    later = base.replace("    lead: Primary Care Group\n",
                         "    lead: Primary Care Group\n    mitigation: Recovery plan agreed with practices.\n")
    cs = changeset_from_texts(base, later)
    assert {c.ident for c in cs.changes} == {("actions", "changed", "OOH-03", "mitigation"),
                                             ("warnings", "resolved", "OOH-03", "red-unmitigated")}


# --- formats --------------------------------------------------------------------------------------------

def test_text_format_and_exit_code(capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run(["diff", Q1, Q2], capsys)
    assert code == 1
    assert out.splitlines()[4] == EXPECTED_HEADLINE
    assert "\033[" not in out  # not a terminal: no colour
    assert "HOSP-01-M1 One-stop outpatient services: due date: 2014/15 Q3 \u2192 2014/15 Q4 (slipped 90 days, 1 quarter)" in out
    code, out, _ = run(["diff", Q1, Q2, "--color", "always"], capsys)
    assert "\033[31m" in out


def test_no_color_is_respected(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    code, out, _ = run(["diff", Q1, Q2], capsys)
    assert "\033[" not in out


EXPECTED_HEADLINE = ("3 RAG ratings worsened, 1 improved, 1 action completed, 1 milestone slipped, "
                     "QIPP 2014/15 down £412k, 1 new extreme risk, 1 action removed, 1 TBC resolved, "
                     "1 new warning (23 changes)")


def test_markdown_format(capsys):
    code, out, _ = run(["diff", Q1, Q2, "--format", "markdown"], capsys)
    assert code == 1
    assert f"**{EXPECTED_HEADLINE}**" in out
    assert "#### RAG ratings (6)" in out
    assert "| **OOH-02** Enhanced Neighbourhood Care Team (NCT) | worsened | \U0001F7E2 Green (2014/15 Q1) | " \
           "\U0001F7E0 Amber (2014/15 Q2) |  |" in out


def test_json_format(capsys):
    code, out, _ = run(["diff", Q1, Q2, "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["headline"] == EXPECTED_HEADLINE and data["changed"] is True
    keys = {"section", "kind", "id", "field", "old", "new", "direction", "title", "old_text", "new_text",
            "detail", "note", "words"}
    assert all(set(c) == keys for c in data["changes"])
    assert {(c["section"], c["kind"], c["id"], c["field"]) for c in data["changes"]} == EXPECTED_Q1_Q2
    assert data["tbcs"]["resolved"] == ["Milestone HOSP-02-M1 due date"]
    same = json.loads(diff_report.render_json(changeset(Q1, Q2)))
    assert same == data


def test_html_format(tmp_path, capsys):
    target = tmp_path / "changes.html"
    code, out, err = run(["diff", Q1, Q2, "--format", "html", "-o", target], capsys)
    html = target.read_text()
    assert code == 1 and out == ""
    assert EXPECTED_HEADLINE in html
    assert '<span class="pill rag-amber">Amber</span>' in html
    # the web edition: its stylesheets inline (nothing to fetch), the word diff said in words too
    assert 'href="diff.css"' not in html and "<style>" in html and "data:font/woff2;base64," in html
    assert '<del><span class="visually-hidden">deleted: </span>focussed<span class="visually-hidden">' in html


def test_pdf_format_is_reproducible(tmp_path, capsys):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert run(["diff", Q1, Q2, "--format", "pdf", "-o", first], capsys)[0] == 1
    assert run(["diff", Q1, Q2, "--format", "pdf", "--output", second], capsys)[0] == 1
    data = first.read_bytes()
    assert data.startswith(b"%PDF") and data == second.read_bytes()
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(first).pages)
    assert "QIPP 2014/15 down £412k" in " ".join(text.split())


def test_pdf_refuses_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    code, out, err = run(["diff", Q1, Q2, "--format", "pdf"], capsys)
    assert code == 2 and "--output" in err


def test_no_changes_in_every_format(capsys, tmp_path):
    for fmt in ("text", "markdown", "json", "html"):
        code, out, _ = run(["diff", Q2, Q2_REFORMATTED, "--format", fmt], capsys)
        assert code == 0 and "No changes" in out


# --- trouble ----------------------------------------------------------------------------------------------

def test_missing_side_is_named(capsys, tmp_path):
    code, out, err = run(["diff", Q1, tmp_path / "nowhere.yaml"], capsys)
    assert code == 2 and "new version" in err and "nowhere.yaml" in err and "file not found" in err
    code, out, err = run(["diff", tmp_path / "gone.yaml", Q2], capsys)
    assert code == 2 and err.startswith("opgen: old version")


def test_invalid_side_is_named_with_located_diagnostics(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Q2.read_text().replace('  as_at: "2014/15 Q2"', '  as_at: "2014-15 Q2"'))
    code, out, err = run(["diff", Q1, bad], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"opgen: new version ({bad}) is not a valid plan")
    assert f"{bad}:19:" in err  # file:line:column of the problem


def test_usage_errors(capsys):
    assert run(["diff", Q1], capsys)[0] == 2
    code, _, err = run(["diff", Q1, Q2, "--from", "HEAD"], capsys)
    assert code == 2 and "one plan" in err
    code, _, err = run(["diff", Q1, "--to", "HEAD"], capsys)
    assert code == 2 and "--from" in err


# --- git ----------------------------------------------------------------------------------------------------

@pytest.fixture
def repo(tmp_path) -> Path:
    repo = new_repo(tmp_path / "plans-repo")
    shutil.copy(Q1, repo / "plans" / "skc.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "Q1 position")
    shutil.copy(Q2, repo / "plans" / "skc.yaml")
    git(repo, "commit", "-qam", "Q2 position")
    return repo


def test_git_revisions(repo, capsys, monkeypatch):
    plan = repo / "plans" / "skc.yaml"
    code, out, _ = run(["diff", plan, "--from", "HEAD~1", "--to", "HEAD", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["headline"] == EXPECTED_HEADLINE
    assert data["old"]["source"] == "plans/skc.yaml at HEAD~1" and data["new"]["source"] == "plans/skc.yaml at HEAD"
    code, out, _ = run(["diff", plan, "--from", "HEAD~1"], capsys)
    assert code == 1 and "plans/skc.yaml, working tree" in out and EXPECTED_HEADLINE in out
    assert run(["diff", plan, "--from", "HEAD"], capsys)[0] == 0
    monkeypatch.chdir(repo / "plans")  # a relative path from inside the repository
    assert run(["diff", "skc.yaml", "--from", "HEAD~1", "--to", "HEAD"], capsys)[0] == 1


def test_git_trouble(repo, capsys, tmp_path):
    plan = repo / "plans" / "skc.yaml"
    code, _, err = run(["diff", plan, "--from", "no-such-branch"], capsys)
    assert code == 2 and "unknown git revision 'no-such-branch'" in err and len(err.splitlines()) == 1
    code, _, err = run(["diff", repo / "plans" / "new.yaml", "--from", "HEAD"], capsys)
    assert code == 2 and "old version (plans/new.yaml at HEAD): the file does not exist in that revision" in err
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(Q1, outside / "skc.yaml")
    code, _, err = run(["diff", outside / "skc.yaml", "--from", "HEAD"], capsys)
    assert code == 2 and "not in a git repository" in err and len(err.splitlines()) == 1
    plan.write_text("plan: [\n")
    code, _, err = run(["diff", plan, "--from", "HEAD~1"], capsys)
    assert code == 2 and f"new version ({plan}, working tree) is not a valid plan" in err


def test_invalid_revision_names_the_old_side(repo, capsys):
    plan = repo / "plans" / "skc.yaml"
    plan.write_text("schema_version: 1\n")
    git(repo, "commit", "-qam", "broken")
    shutil.copy(Q2, plan)
    code, _, err = run(["diff", plan, "--from", "HEAD"], capsys)
    assert code == 2 and err.startswith("opgen: old version (plans/skc.yaml at HEAD) is not a valid plan")
    assert "HEAD:plans/skc.yaml" in err  # diagnostics name the revision


# --- textconv -----------------------------------------------------------------------------------------------

def test_textconv_is_stable_and_semantic(capsys):
    code, q2, _ = run(["diff", "--textconv", Q2], capsys)
    assert code == 0
    _, reformatted, _ = run(["diff", "--textconv", Q2_REFORMATTED], capsys)
    assert q2 == reformatted
    _, q1, _ = run(["diff", "--textconv", Q1], capsys)
    import difflib

    changed = {line for line in difflib.unified_diff(q1.splitlines(), q2.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))}
    assert "+  OOH-02 RAG 2014/15 Q2: Amber" in changed
    assert "-  HOSP-01 milestone [HOSP-01-M1] One-stop outpatient services: due 2014/15 Q3, In progress" in changed
    assert "+  Q-EKHUFT 2014/15: savings 5,405, investment \u2013, net 5,405" in changed
    assert "+[R-HOSP-04] Urgent care workforce recruitment: 4 x 4 = 16 (extreme)" in changed


def test_textconv_shows_an_invalid_plan_as_written(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: [\n")
    code, out, _ = run(["diff", "--textconv", bad], capsys)
    assert code == 0 and out.startswith("# opgen textconv: this version is not a valid plan") and "plan: [" in out


def test_git_diff_uses_textconv(repo):
    (repo / ".gitattributes").write_text("plans/*.yaml diff=opgen\n")
    command = f"'{sys.executable}' -m opgen diff --textconv"
    git(repo, "config", "diff.opgen.textconv", command)
    git(repo, "config", "diff.opgen.xfuncname", r"^(\[[^]]+\] .*|== .*)$")
    env_path = str(ROOT)
    result = subprocess.run(["git", "-C", str(repo), "diff", "HEAD~1", "HEAD", "--", "plans/skc.yaml"],
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": env_path})
    assert "+  OOH-03 RAG 2014/15 Q2: Red" in result.stdout
    assert "-as at: 2014/15 Q1" in result.stdout and "+as at: 2014/15 Q2" in result.stdout
    assert any(line.startswith("@@") and line.endswith("[Q-RUNNING] Running Costs")
               for line in result.stdout.splitlines())


def test_finance_lines_and_totals():
    base = Q2.read_text()
    later = base.replace('      amounts: {"2014/15": 261.7}', '      amounts: {"2014/15": 262.4}').replace(
        '  surplus: {"2014/15": 2.63}', '  surplus: {"2014/15": 2.7}')
    cs = changeset_from_texts(base, later)
    idents = {c.ident: c for c in cs.changes}
    assert set(idents) == {("finance", "increased", "FIN-BUDGET", "amount 2014/15"),
                           ("finance", "increased", None, "surplus 2014/15"),
                           ("warnings", "changed", None, "total-mismatch")}
    assert idents[("finance", "increased", "FIN-BUDGET", "amount 2014/15")].detail == "up £0.7m"
    (budget,) = [t for t in cs.totals if t.section == "finance"]
    assert (budget.label, budget.old_text, budget.new_text) == ("budget", "261.7", "262.4")


def test_vision_statements_sharing_a_label_are_each_compared_and_a_reorder_is_no_change():
    """Thanet's five statements are all labelled 'Strategic goal': a change to the first is reported
    (it used to be hidden behind the last of that label) and reordering them changes nothing."""
    text = (ROOT / "plans" / "thanet-2015-16.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    goals = data["vision"]["statements"]
    assert len({g["label"] for g in goals}) == 1 and len(goals) == 5
    edited = copy.deepcopy(data)
    edited["vision"]["statements"][0]["text"] = "Reduce health inequalities across Thanet"
    changes = [c for c in changeset_from_texts(text, yaml.safe_dump(edited, sort_keys=False)).changes
               if c.section == "vision"]
    assert len(changes) == 1 and changes[0].kind == "changed" and changes[0].id == "Strategic goal"
    shuffled = copy.deepcopy(data)
    shuffled["vision"]["statements"] = list(reversed(goals))
    assert not [c for c in changeset_from_texts(text, yaml.safe_dump(shuffled, sort_keys=False)).changes
                if c.section == "vision"]
    fewer = copy.deepcopy(data)
    del fewer["vision"]["statements"][2]
    removed = [c for c in changeset_from_texts(text, yaml.safe_dump(fewer, sort_keys=False)).changes
               if c.section == "vision"]
    assert [(c.kind, c.old) for c in removed] == [("removed", goals[2]["text"])]
