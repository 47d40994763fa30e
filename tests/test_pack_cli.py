"""`opgen pack` as a user runs it: the pack file's located errors, plans left out (named, with why,
exit 1) while the rest is built, the cache (an unchanged pack rebuilds nothing; one changed plan
lays out only its own parts), atomic writes, and `opgen build --shard K/N` for a CI matrix.

The pack's view and renderer are written in parallel by others: until they are merged, the
orchestration is tested with the stand-ins of tests/pack_standins.py (installed only where the real
module is missing). The plans on a page are real: opgen's own build engine makes them."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import zipfile
from pathlib import Path

import pytest

import pack_standins
from opgen import outputs
from opgen.cli import main
from opgen.pack.spec import load_pack, spec_from_args
from opgen.resources import PACK_SCHEMA_PATH

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

PACK = """\
# yaml-language-server: $schema=../schemas/pack.schema.json
pack_version: 1
title: Review of Commissioning Plans
board: Example Health and Wellbeing Board
meeting: 2015-03-18
item: 5
purpose: To discuss and endorse the plans.
recommendations:
  - The Board is asked to endorse the plans.
plans:
  - ../plans/alpha.yaml
  - {path: ../plans/beta.yaml, label: Beta}
framework:
  id: jhws
  title: Joint Health and Wellbeing Strategy
  items:
    - {id: jhws-o1, title: Best start in life, kind: outcome}
    - {id: jhws-p1, kind: priority, parent: jhws-o1}
measures:
  - {code: E.B.1, title: Non-elective admissions}
bcf_band: {min: 0.6, max: 1, note: agreed in January}
glossary:
  - {term: HWB, meaning: Health and Wellbeing Board}
"""


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """Two small plans, a pack file over them, and their plans on a page built once (copied into each
    test's folder, so each test starts from a built pack without laying out pages again)."""
    base = tmp_path_factory.mktemp("kit")
    (base / "plans").mkdir()
    (base / "packs").mkdir()
    shutil.copy(FIXTURES / "schedules-v2.yaml", base / "plans" / "alpha.yaml")
    shutil.copy(FIXTURES / "sections-v2.yaml", base / "plans" / "beta.yaml")
    (base / "packs" / "review.yaml").write_text(PACK, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        pack_standins.install(mp)
        mp.chdir(base)  # as the tests run it: paths in the pack (and so its cache key) are as the user wrote them
        assert main(["pack", "packs/review.yaml"]) == 0
    return base


@pytest.fixture
def repo(kit, tmp_path, monkeypatch) -> Path:
    shutil.copytree(kit, tmp_path / "repo")
    pack_standins.install(monkeypatch)
    monkeypatch.chdir(tmp_path / "repo")
    return tmp_path / "repo"


def write_pack(repo: Path, text: str, name: str = "review.yaml") -> Path:
    path = repo / "packs" / name
    path.write_text(text, encoding="utf-8")
    return path


def pdf_text(data: bytes) -> str:
    """What a reader finds in the pack's PDF (the stand-in's "PDF" is its parts' text)."""
    if data.startswith(b"%PDF-stand-in"):
        return data.decode("latin-1")
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):  # the stand-in's
        return data.decode("utf-8")
    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def words(text: str) -> set[str]:
    return set(re.findall(r"\w{4,}", text))


def includes_plan_on_a_page(pack: bytes, pop: bytes) -> bool:
    """The pack prints the plan on a page (every word of it), as built: the stand-in joins its bytes."""
    if pack.startswith(b"%PDF-stand-in"):
        return pop in pack
    return words(pdf_text(pop)) <= words(pdf_text(pack))


def parts_laid_out(err: str) -> tuple[int, int]:
    """(laid out, reused) from the progress line 'laid out pack.pdf (3 parts laid out, 5 reused)'."""
    found = re.search(r"laid out pack\.pdf \((\d+) parts? laid out, (\d+) reused\)", err)
    assert found, err
    return int(found[1]), int(found[2])


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- the pack file -----------------------------------------------------------------------------------

def test_repository_pack_schema_copy_equals_the_packaged_one():
    assert (ROOT / "schemas" / "pack.schema.json").read_bytes() == PACK_SCHEMA_PATH.read_bytes(), \
        "schemas/pack.schema.json differs from opgen/resources/pack.schema.json: copy the packaged one over it"


def test_every_field_of_the_pack_schema_says_what_it_is_for():
    schema = json.loads(PACK_SCHEMA_PATH.read_text())
    undescribed = []

    def walk(node, where):
        for name, field in (node.get("properties") or {}).items():
            if "description" not in field:
                undescribed.append(f"{where}.{name}")
            walk(field, f"{where}.{name}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{where}[]")

    walk(schema, "pack")
    assert undescribed == []


def test_the_loader_reads_every_field(repo):
    spec, diagnostics = load_pack("packs/review.yaml")
    assert diagnostics == []
    assert (spec.id, spec.title, spec.board, spec.meeting, spec.item) == (
        "review", "Review of Commissioning Plans", "Example Health and Wellbeing Board", "2015-03-18", "5")
    assert [(ref.path.as_posix(), ref.label) for ref in spec.plans] == [("plans/alpha.yaml", None),
                                                                         ("plans/beta.yaml", "Beta")]
    assert [(i.id, i.title, i.parent) for i in spec.framework.items] == [("jhws-o1", "Best start in life", None),
                                                                        ("jhws-p1", None, "jhws-o1")]
    assert spec.bcf_band == ("0.6", "1") and spec.bcf_band_note == "agreed in January"
    assert spec.glossary == (("HWB", "Health and Wellbeing Board"),)
    assert spec.recommendations == ("The Board is asked to endorse the plans.",)


@pytest.mark.parametrize("change, needle, message, fix", [
    (("title: Review", "titel: Review"), "titel:", "unknown key 'titel' in the top level", "did you mean 'title'?"),
    (("  - ../plans/alpha.yaml", "  - ../plans/alfa.yaml"), "alfa.yaml",
     "the plan ../plans/alfa.yaml (plans/alfa.yaml) does not exist", "relative to the pack file's folder"),
    (("  - {path: ../plans/beta.yaml, label: Beta}", "  - {path: ../plans/alpha.yaml, label: Beta}"),
     "label: Beta", "the plan ../plans/alpha.yaml is named twice (first at line 11)", "name each plan once"),
    (("item: 5", "item: 5\nsince: last week"), "since:", "'last week' is neither a date nor a git revision",
     "YYYY-MM-DD"),
    (("meeting: 2015-03-18", "meeting: 2015-02-30"), "meeting:", "'2015-02-30' is not a date in the calendar",
     "YYYY-MM-DD"),
    (("meeting: 2015-03-18", "meeting: 18/03/2015"), "meeting:", "'18/03/2015' is not a date", "YYYY-MM-DD"),
    (("{id: jhws-p1, kind: priority", "{id: jhws-o1, kind: priority"), "kind: priority",
     "the framework item id 'jhws-o1' is used twice", "give each item its own id"),
    (("min: 0.6, max: 1", "min: 1.5, max: 1"), "bcf_band", "the BCF band's min (1.5%) is above its max (1%)", "swap"),
    (("bcf_band: {min: 0.6", "bcf_band: {min: high"), "bcf_band", "expected a number, but found 'high'", "number"),
    (("pack_version: 1", "pack_version: 3"), "pack_version", "3 is not an allowed value", "allowed: 1"),
    (("{code: E.B.1, title: Non-elective admissions}", "{code: E.B.1, title: Non-elective admissions, "
      "indicators: {gamma: KPI-NEL}}"), "indicators:", "names an indicator for 'gamma', which is not a plan of this pack",
     "by its file name without .yaml"),
])
def test_a_bad_pack_file_is_located_and_says_how_to_fix_it(repo, capsys, change, needle, message, fix):
    text = PACK.replace(*change)
    assert text != PACK
    write_pack(repo, text)
    code, out, err = run(capsys, "pack", "packs/review.yaml")
    assert code == 1
    line = line_of(text, needle)
    located = [row for row in err.splitlines() if row.startswith(f"packs/review.yaml:{line}:")]
    assert any(message in row for row in located), err
    assert fix in err
    assert "nothing was built" in err
    assert (repo / "build" / "packs" / "review" / "pack.pdf").is_file()  # the previous pack is kept


def test_a_missing_pack_file_or_bad_usage_exits_2(repo, capsys):
    code, _, err = run(capsys, "pack", "packs/nope.yaml")
    assert code == 2 and "packs/nope.yaml: error: file not found" in err
    code, _, err = run(capsys, "pack", "plans")
    assert code == 2 and "is a folder" in err and "--title" in err
    code, _, err = run(capsys, "pack", "packs/review.yaml", "--since", "last week")
    assert code == 2 and "neither a date" in err
    code, _, err = run(capsys, "pack", "plans", "--title", "Plans", "--since", "last week")
    assert code == 2 and "neither a date" in err
    code, _, err = run(capsys, "pack", "nowhere", "--title", "Plans")
    assert code == 2 and "nowhere: no such file or folder" in err
    (repo / "a-file").write_text("")
    code, _, err = run(capsys, "pack", "packs/review.yaml", "--out", "a-file/build")
    assert code == 2 and "cannot create the pack's folder a-file/build/packs/review: Not a directory" in err
    with pytest.raises(SystemExit) as exit_:
        main(["pack", "packs/review.yaml", "-j", "0"])
    assert exit_.value.code == 2


def test_several_pack_files_are_each_built(repo, capsys, monkeypatch):
    write_pack(repo, PACK.replace("  - ../plans/alpha.yaml\n", ""), "beta-only.yaml")
    write_pack(repo, PACK.replace("pack_version: 1", "pack_version: 2"), "invalid.yaml")
    code, out, err = run(capsys, "pack", "packs/beta-only.yaml", "packs/invalid.yaml", "packs/review.yaml")
    assert code == 1  # one pack file is invalid: the others are built
    assert "wrote build/packs/beta-only/pack.pdf" in out and "build/packs/review/pack.pdf, pack.docx and pack.html are up to date" in out
    assert "packs/invalid.yaml has 1 error; nothing was built for it" in err
    assert run(capsys, "pack", "packs/beta-only.yaml", "packs/review.yaml", "packs/nope.yaml")[0] == 2


def test_a_plan_given_as_the_pack_file_says_how_to_pack_it(repo, capsys):
    code, _, err = run(capsys, "pack", "plans/alpha.yaml")
    assert code == 1
    assert "plans/alpha.yaml:4:1: error: this is a plan, not a pack file" in err
    assert "opgen pack plans/alpha.yaml --title" in err


# --- building ----------------------------------------------------------------------------------------

def test_a_built_pack_is_up_to_date_and_rebuilds_nothing(repo, capsys, monkeypatch):
    pack = repo / "build" / "packs" / "review"
    before = {p.name: p.stat().st_mtime_ns for p in pack.iterdir() if p.is_file()}
    monkeypatch.setattr(outputs, "render_document", lambda *a: pytest.fail("a plan on a page was laid out again"))
    code, out, _ = run(capsys, "pack", "packs/review.yaml")
    assert code == 0
    assert "build/packs/review/pack.pdf, pack.docx and pack.html are up to date" in out
    assert "2 of 2 plans in the pack; 0 plans on a page built, 2 already up to date" in out
    assert before == {p.name: p.stat().st_mtime_ns for p in pack.iterdir() if p.is_file()}


def test_the_pack_reuses_plans_on_a_page_built_by_opgen_build(kit, tmp_path, monkeypatch, capsys):
    """A CI shard's `opgen build` output is what the pack reuses: same folder, same cache."""
    shutil.copytree(kit / "plans", tmp_path / "plans")
    shutil.copytree(kit / "packs", tmp_path / "packs")
    monkeypatch.chdir(tmp_path)
    pack_standins.install(monkeypatch)
    assert main(["build", "plans", "--format", "pdf"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(outputs, "render_document", lambda *a: pytest.fail("a plan on a page was laid out again"))
    code, out, _ = run(capsys, "pack", "packs/review.yaml")
    assert code == 0 and "wrote build/packs/review/pack.pdf, build/packs/review/pack.docx" in out
    assert includes_plan_on_a_page((tmp_path / "build" / "packs" / "review" / "pack.pdf").read_bytes(),
                                   (tmp_path / "build" / "alpha" / "plan-on-a-page.pdf").read_bytes())


def test_one_changed_plan_lays_out_only_its_own_parts(repo, capsys):
    code, _, err = run(capsys, "pack", "packs/review.yaml", "--force")  # --force lays out every part
    cold, reused = parts_laid_out(err)
    assert code == 0 and reused == 0
    plan = repo / "plans" / "beta.yaml"
    plan.write_text(plan.read_text() + "\n# a comment changes nothing\n")
    code, out, _ = run(capsys, "pack", "packs/review.yaml")
    assert code == 0 and "up to date" in out  # a comment is not in the model
    text = plan.read_text()
    title = next(line for line in text.splitlines() if line.startswith("  title:"))
    plan.write_text(text.replace(title, title + " (revised)", 1))
    parts = repo / "build" / "packs" / "review" / ".parts"
    before = set(p.name for p in parts.iterdir())
    pack_standins.CALLS["parts_rendered"].clear()
    code, out, err = run(capsys, "pack", "packs/review.yaml")
    assert code == 0 and "wrote build/packs/review/pack.pdf" in out
    assert "1 plan on a page built, 1 already up to date" in out
    laid, reused = parts_laid_out(err)
    assert laid < cold and reused >= 1  # alpha's part at least comes from .parts/
    if "opgen.render.pack_pdf" in pack_standins.STOOD_IN:
        assert pack_standins.CALLS["parts_rendered"] == ["plan-beta"]
    after = set(p.name for p in parts.iterdir())
    # the stale part files are pruned; each new one is a part laid out (the front may be laid out twice to settle its contents)
    assert len(after) == len(before) and 0 < len(after - before) <= laid


def test_same_input_same_bytes(repo, capsys):
    pack = repo / "build" / "packs" / "review"
    first = {name: (pack / name).read_bytes() for name in ("pack.pdf", "pack.docx", "pack.html")}
    assert run(capsys, "pack", "packs/review.yaml", "--force")[0] == 0
    assert first == {name: (pack / name).read_bytes() for name in ("pack.pdf", "pack.docx", "pack.html")}


def test_the_web_edition_links_each_plan_on_a_page_that_is_built(repo, capsys):
    """pack.html beside pack.pdf: self-contained, each plan's plan on a page linked where its web
    page is; one that is gone is said, not linked (the pack is made again: its key covers that)."""
    pack = repo / "build" / "packs" / "review"
    html = (pack / "pack.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "data:font/woff2;base64," in html
    for name in ("alpha", "beta"):
        assert f'href="../../{name}/plan-on-a-page.html"' in html
        assert (pack / ".." / ".." / name / "plan-on-a-page.html").is_file()
    (repo / "build" / "alpha" / "plan-on-a-page.html").unlink()
    code, out, _ = run(capsys, "pack", "packs/review.yaml")
    assert code == 0 and "opgen pack: wrote" in out and "build/packs/review/pack.html" in out
    html = (pack / "pack.html").read_text(encoding="utf-8")
    assert 'href="../../alpha/plan-on-a-page.html"' not in html and 'href="../../beta/plan-on-a-page.html"' in html
    assert "has not been built: run opgen build on the plan" in html
    code, out, _ = run(capsys, "pack", "packs/review.yaml")
    assert code == 0 and "pack.html are up to date" in out


def test_a_plan_with_errors_is_left_out_named_and_the_rest_is_built(repo, capsys):
    broken = repo / "plans" / "broken.yaml"
    broken.write_text((repo / "plans" / "alpha.yaml").read_text().replace("status:", "statu:", 1))
    write_pack(repo, PACK.replace("  - ../plans/alpha.yaml\n", "  - ../plans/alpha.yaml\n  - ../plans/broken.yaml\n"))
    code, out, err = run(capsys, "pack", "packs/review.yaml")
    assert code == 1
    line = line_of(broken.read_text(), "statu:")
    assert f"plans/broken.yaml:{line}:" in out + err  # its diagnostics, as opgen build prints them
    assert "2 of 3 plans in the pack" in out
    [left] = [row for row in out.splitlines() if row.startswith("  LEFT OUT")]
    assert left.startswith("  LEFT OUT plans/broken.yaml: has ") and f"plans/broken.yaml:{line}:" in left
    assert "unknown key 'statu'" in left
    pdf = (repo / "build" / "packs" / "review" / "pack.pdf").read_bytes()
    assert includes_plan_on_a_page(pdf, (repo / "build" / "beta" / "plan-on-a-page.pdf").read_bytes())
    for printed in (" ".join(pdf_text(pdf).split()), " ".join(docx_text(
            (repo / "build" / "packs" / "review" / "pack.docx").read_bytes()).split())):
        assert "plans/broken.yaml" in printed and "unknown key 'statu'" in printed  # named, with why
    assert not (repo / "build" / "broken").exists()


def test_strict_leaves_out_a_plan_with_warnings(repo, capsys):
    shutil.copy(FIXTURES / "bcf-v2.yaml", repo / "plans" / "gamma.yaml")
    write_pack(repo, PACK.replace("  - ../plans/alpha.yaml\n", "  - ../plans/alpha.yaml\n  - ../plans/gamma.yaml\n"))
    code, out, _ = run(capsys, "pack", "packs/review.yaml", "--strict")
    assert code == 1
    assert "LEFT OUT plans/gamma.yaml: has 1 warning and the pack is built with --strict: plans/gamma.yaml:" in out
    code, out, _ = run(capsys, "pack", "packs/review.yaml")
    assert code == 0 and "3 of 3 plans in the pack" in out


def test_a_failing_render_leaves_the_old_pack(repo, capsys, monkeypatch):
    pack = repo / "build" / "packs" / "review"
    old = {name: (pack / name).read_bytes() for name in ("pack.pdf", "pack.docx", ".opgen-cache.json")}
    import sys

    def broken(view):
        raise RuntimeError("the Word pack broke")

    monkeypatch.setattr(sys.modules["opgen.render.docx.pack"], "pack_docx", broken)
    code, out, err = run(capsys, "pack", "packs/review.yaml", "--force")
    assert code == 1
    assert "could not build the pack: RuntimeError: the Word pack broke" in err
    assert "previous pack.pdf, pack.docx and pack.html" in err
    assert old == {name: (pack / name).read_bytes() for name in ("pack.pdf", "pack.docx", ".opgen-cache.json")}
    assert not [p for p in pack.iterdir() if p.name.endswith(".tmp")]


def test_since_reaches_what_changed(repo, capsys, monkeypatch):
    write_pack(repo, PACK.replace("item: 5", "item: 5\nsince: v1.0").replace(
        "{path: ../plans/beta.yaml, label: Beta}", "{path: ../plans/beta.yaml, label: Beta, since: 2015-02-01}"))
    import opgen.pack.changes as changes

    calls = []
    since = changes.changes_since  # the real one once merged (these plans are not in git), else the stand-in
    monkeypatch.setattr(changes, "changes_since", lambda path, rev: calls.append((str(path), rev)) or since(path, rev))
    assert run(capsys, "pack", "packs/review.yaml")[0] == 0
    assert calls == [("plans/alpha.yaml", "v1.0"), ("plans/beta.yaml", "2015-02-01")]


def test_plans_without_a_pack_file(repo, capsys):
    code, out, _ = run(capsys, "pack", "plans", "--title", "Plans for the March board", "-j", "2")
    assert code == 0
    assert "wrote build/packs/plans-for-the-march-board/pack.pdf" in out
    spec = spec_from_args(["plans"], "Plans for the March board", "v1.0")
    assert [r.path.as_posix() for r in spec.plans] == ["plans/alpha.yaml", "plans/beta.yaml"] and spec.since == "v1.0"


# --- opgen build --shard -----------------------------------------------------------------------------

def test_shards_cover_every_plan_exactly_once():
    rng = random.Random(10)
    for _ in range(50):
        plans = [Path(f"plans/{rng.choice('abcxyz')}{i:02d}.yaml") for i in rng.sample(range(99), rng.randint(0, 30))]
        n = rng.randint(1, 8)
        slices = [outputs.shard(plans, k, n) for k in range(1, n + 1)]
        assert sorted(p for s in slices for p in s) == sorted(plans)
        assert max(map(len, slices)) - min(map(len, slices)) <= 1
        shuffled = plans[:]
        rng.shuffle(shuffled)  # the order paths are given in never moves a plan to another shard
        assert [set(outputs.shard(shuffled, k, n)) for k in range(1, n + 1)] == [set(s) for s in slices]
    assert outputs.shard([Path("b.yaml"), Path("a.yaml")], 1, 1) == [Path("b.yaml"), Path("a.yaml")]


def test_build_shard_builds_its_slice_only(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("a", "b", "c", "d", "e"):
        shutil.copy(FIXTURES / "schedules-v2.yaml", folder / f"{name}.yaml")
    monkeypatch.chdir(tmp_path)
    built = {}
    for k in (1, 2, 3):
        out = tmp_path / f"out{k}"
        code, _, err = run(capsys, "build", "plans", "--format", "docx", "--shard", f"{k}/3", "--out", out)
        assert code == 0
        built[k] = sorted(p.name for p in out.iterdir())
    assert built == {1: ["a", "d"], 2: ["b", "e"], 3: ["c"]}
    assert "shard 3/3: 1 of 5 plans" in err
    code, _, err = run(capsys, "build", "plans/a.yaml", "--format", "docx", "--shard", "2/2", "--out", "none")
    assert code == 0 and "shard 2/2: 0 of 1 plan" in err and not (tmp_path / "none").exists()


@pytest.mark.parametrize("value", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""])
def test_a_bad_shard_is_a_usage_error(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", f"--shard={value}"])
    assert exit_.value.code == 2
    assert "is not a shard: write K/N with 1 <= K <= N" in capsys.readouterr().err


# --- the scale-out workflow ----------------------------------------------------------------------------

def test_the_workflow_shards_the_build_and_assembles_the_packs():
    import yaml

    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "packs.yml").read_text())["jobs"]
    build, assemble = jobs["build"], jobs["assemble"]
    assert build["strategy"]["matrix"]["shard"] == list(range(1, len(build["strategy"]["matrix"]["shard"]) + 1))
    steps = "\n".join(str(s.get("run", "")) for s in build["steps"])
    assert "opgen build plans/ --out build/ -j 2 --shard ${{ matrix.shard }}/${{ strategy.job-total }}" in steps
    assert "SOURCE_DATE_EPOCH" in steps
    [upload] = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload["with"]["include-hidden-files"] is True and upload["with"]["path"] == "build/"
    assert assemble["needs"] == "build"
    [download] = [s for s in assemble["steps"] if s.get("uses", "").startswith("actions/download-artifact")]
    assert download["with"] == {"pattern": "build-shard-*", "merge-multiple": True, "path": "build/"}
    assert 'opgen pack "${packs[@]}" --out build/ -j 2' in "\n".join(str(s.get("run", "")) for s in assemble["steps"])


def test_shards_built_apart_then_merged_are_reused_by_the_pack(kit, tmp_path, monkeypatch, capsys):
    """What the workflow does, on one machine: two shards into two folders, merged, then the pack."""
    shutil.copytree(kit / "plans", tmp_path / "plans")
    shutil.copytree(kit / "packs", tmp_path / "packs")
    monkeypatch.chdir(tmp_path)
    pack_standins.install(monkeypatch)
    for k in (1, 2):
        assert run(capsys, "build", "plans/", "--out", f"shard{k}", "--format", "pdf", "--shard", f"{k}/2")[0] == 0
        shutil.copytree(tmp_path / f"shard{k}", tmp_path / "build", dirs_exist_ok=True)
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["alpha", "beta"]
    monkeypatch.setattr(outputs, "render_document", lambda *a: pytest.fail("a plan on a page was laid out again"))
    code, out, _ = run(capsys, "pack", "packs/review.yaml", "--out", "build/")
    assert code == 0 and "0 plans on a page built, 2 already up to date" in out


def test_a_pack_file_given_with_title_is_a_usage_error_and_writes_nothing(repo, capsys):
    before = sorted(p.relative_to(repo) for p in (repo / "build").rglob("*")) if (repo / "build").exists() else []
    code, _, err = run(capsys, "pack", "packs/review.yaml", "--title", "X")
    assert code == 2 and "packs/review.yaml is a pack file, and --title packs plan files" in err
    after = sorted(p.relative_to(repo) for p in (repo / "build").rglob("*")) if (repo / "build").exists() else []
    assert after == before and not (repo / "build" / "packs" / "x").exists()
