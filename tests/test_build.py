"""`opgen build` as a batch tool: incremental, atomic, one broken plan does not stop the others."""

import os
import shutil
from pathlib import Path

import pytest

from opgen import outputs as build_module
from opgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"
REDDITCH = ROOT / "plans" / "redditch-bromsgrove-2012-13.yaml"


@pytest.fixture
def plans(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(SKC, folder / "skc.yaml")
    shutil.copy(REDDITCH, folder / "rb.yaml")
    return folder


def test_builds_every_plan_in_a_folder(plans, tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["build", str(plans), "--out", str(out), "--format", "html"]) == 0
    for stem in ("skc", "rb"):
        for page in ("plan-on-a-page.html", "operational-plan.html"):  # the web editions
            text = (out / stem / page).read_text()
            assert text.startswith("<!DOCTYPE html>") and '<main id="main"' in text and "<script" not in text
    assert "2 of 2 plans built" in capsys.readouterr().out


def test_the_summary_names_the_output_folder_as_typed_with_one_slash(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REDDITCH, tmp_path / "rb.yaml")
    for typed in ("papers", "papers/"):
        assert main(["build", "rb.yaml", "--out", typed, "--format", "docx", "--force"]) == 0
        assert capsys.readouterr().out.rstrip().endswith("into papers/")


def test_rebuild_with_nothing_changed_renders_nothing(plans, tmp_path, monkeypatch, capsys):
    out = tmp_path / "build"
    assert main(["build", str(plans), "--out", str(out), "--format", "docx"]) == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("annex.docx")}
    calls = []
    monkeypatch.setattr(build_module, "render_document", lambda *a: calls.append(a))
    assert main(["build", str(plans), "--out", str(out), "--format", "docx"]) == 0
    assert calls == []
    assert before == {p: p.stat().st_mtime_ns for p in out.rglob("annex.docx")}
    assert "2 plans already up to date" in capsys.readouterr().out


def test_changed_plan_is_rebuilt_and_force_rebuilds_all(plans, tmp_path, monkeypatch):
    out = tmp_path / "build"
    assert main(["build", str(plans), "--out", str(out), "--format", "html"]) == 0
    (plans / "rb.yaml").write_text((plans / "rb.yaml").read_text().replace("title: Integrated Plan 2012/13",
                                                                          "title: Integrated Plan 2012/13 (revised)"))
    rendered = []
    real = build_module.render_document
    monkeypatch.setattr(build_module, "render_document",
                        lambda plan, diags, d, o: rendered.append((Path(plan.source).name, d)) or real(plan, diags, d, o))
    assert main(["build", str(plans), "--out", str(out), "--format", "html"]) == 0
    assert {name for name, _ in rendered} == {"rb.yaml"}
    rendered.clear()
    assert main(["build", str(plans), "--out", str(out), "--format", "html", "--force"]) == 0
    assert {name for name, _ in rendered} == {"rb.yaml", "skc.yaml"}


def test_output_edited_by_hand_is_rebuilt(plans, tmp_path):
    out = tmp_path / "build"
    assert main(["build", str(plans / "rb.yaml"), "--out", str(out), "--format", "html"]) == 0
    page = out / "rb" / "plan-on-a-page.html"
    good = page.read_bytes()
    page.write_text("truncated")
    assert main(["build", str(plans / "rb.yaml"), "--out", str(out), "--format", "html"]) == 0
    assert page.read_bytes() == good


def test_broken_plan_fails_alone_and_is_named(plans, tmp_path, capsys):
    (plans / "broken.yaml").write_text((plans / "rb.yaml").read_text().replace("\norganisation:", "\nbogus: 1\norganisation:", 1))
    out = tmp_path / "build"
    assert main(["build", str(plans), "--out", str(out), "--format", "html"]) == 1
    captured = capsys.readouterr().out
    assert "unknown key 'bogus'" in captured and "FAILED" in captured and "broken.yaml" in captured
    assert (out / "skc" / "plan-on-a-page.html").exists() and (out / "rb" / "plan-on-a-page.html").exists()
    assert not (out / "broken").exists()


def test_failed_render_keeps_the_previous_good_file(plans, tmp_path, monkeypatch):
    out = tmp_path / "build"
    target = plans / "rb.yaml"
    assert main(["build", str(target), "--out", str(out), "--format", "html"]) == 0
    good = (out / "rb" / "operational-plan.html").read_bytes()
    target.write_text(target.read_text().replace('version: "tbc"', 'version: "2.1"'))

    def explode(plan, diagnostics):
        raise RuntimeError("renderer crashed half way")

    from opgen.render import web
    monkeypatch.setattr(web, "operational_plan_web", explode)
    assert main(["build", str(target), "--out", str(out), "--format", "html"]) == 1
    assert (out / "rb" / "operational-plan.html").read_bytes() == good
    assert not [p for p in (out / "rb").iterdir() if p.name.endswith(".tmp")]


def test_write_atomic_leaves_no_partial_file(tmp_path, monkeypatch):
    from opgen.write import write_atomic

    target = tmp_path / "a.pdf"
    write_atomic(target, b"good")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"bad and half written")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_missing_path_and_empty_folder(tmp_path, capsys):
    assert main(["build", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "b")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["build", str(tmp_path / "empty"), "--out", str(tmp_path / "b")]) == 2
    assert "no plan files" in capsys.readouterr().err


def test_strict_refuses_plans_with_warnings(plans, tmp_path, capsys):
    assert main(["build", str(plans / "rb.yaml"), "--out", str(tmp_path / "b"), "--format", "html", "--strict"]) == 1
    assert "--strict" in capsys.readouterr().out


def test_edit_that_changes_nothing_rendered_rebuilds_nothing(plans, tmp_path, monkeypatch, capsys):
    """The cache key is made from what is rendered: a comment or a re-indent is not a new board paper."""
    out = tmp_path / "build"
    assert main(["build", str(plans), "--out", str(out), "--format", "docx"]) == 0
    (plans / "rb.yaml").write_text((plans / "rb.yaml").read_text().replace(
        "title: Integrated Plan 2012/13             # line 1", "title:   'Integrated Plan 2012/13'  # reviewed; line 1"))
    calls = []
    monkeypatch.setattr(build_module, "render_document", lambda *a: calls.append(a))
    capsys.readouterr()
    assert main(["build", str(plans), "--out", str(out), "--format", "docx"]) == 0
    assert calls == []
    assert "2 plans already up to date" in capsys.readouterr().out


def test_each_plan_is_loaded_and_validated_once(plans, tmp_path, monkeypatch):
    """`opgen build --format all` reads, loads and validates a plan once and hands the model to the
    renderers (it used to load each plan four times: once to check it and once per document)."""
    from opgen import pipeline

    loads = []
    real = pipeline._finish
    monkeypatch.setattr(pipeline, "_finish", lambda name, loader: loads.append(name) or real(name, loader))
    out = tmp_path / "build"
    assert main(["build", str(plans), "--out", str(out), "--format", "all"]) == 0
    assert sorted(Path(name).name for name in loads) == ["rb.yaml", "skc.yaml"]
    assert len(list(out.glob("*/*.pdf"))) == 4 and len(list(out.glob("*/annex.docx"))) == 2


def test_rebuild_when_a_rendering_library_changes_version(plans, tmp_path, monkeypatch, capsys):
    out = tmp_path / "build"
    assert main(["build", str(plans / "rb.yaml"), "--out", str(out), "--format", "docx"]) == 0
    upgraded = tmp_path / "site"          # as pip leaves it after upgrading python-docx
    (upgraded / "python_docx-999.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(upgraded))
    build_module.toolchain_hash.cache_clear()
    try:
        capsys.readouterr()
        assert main(["build", str(plans / "rb.yaml"), "--out", str(out), "--format", "docx"]) == 0
        assert "1 output written" in capsys.readouterr().out
    finally:
        build_module.toolchain_hash.cache_clear()


def test_parallel_workers_get_the_model_not_the_file(plans, tmp_path):
    """With -j 2 the plan files may change or vanish once loaded: workers render the model they were
    handed, and the papers match a serial build byte for byte."""
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert main(["build", str(plans), "--out", str(serial), "--format", "docx"]) == 0
    assert main(["build", str(plans), "--out", str(parallel), "--format", "docx", "-j", "2"]) == 0
    for stem in ("rb", "skc"):
        assert (serial / stem / "annex.docx").read_bytes() == (parallel / stem / "annex.docx").read_bytes()


def test_plans_that_would_share_an_output_folder_are_refused_before_anything_is_written(tmp_path, capsys):
    a, b = tmp_path / "plans", tmp_path / "other"
    a.mkdir(), b.mkdir()
    shutil.copy(REDDITCH, a / "x.yaml")
    shutil.copy(REDDITCH, b / "x.yaml")
    shutil.copy(REDDITCH, a / "x.yml")
    shutil.copy(SKC, a / "skc.yaml")
    out = tmp_path / "build"
    assert main(["build", str(a), str(b), "--out", str(out), "--format", "docx"]) == 1
    captured = capsys.readouterr()
    assert "would both build into the folder 'x'" in captured.err
    assert captured.out.count("FAILED") == 3 and "1 of 4 plans built" in captured.out
    assert sorted(p.name for p in out.iterdir()) == ["skc"]


def test_a_plan_name_cannot_write_outside_the_output_folder(tmp_path, capsys):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(REDDITCH, plans / "...yaml")   # its stem is '..'
    shutil.copy(REDDITCH, plans / "..yml")     # its stem is '.'
    out = tmp_path / "deep" / "build"
    assert main(["build", str(plans), "--out", str(out), "--format", "docx"]) == 1
    assert "no usable output folder name" in capsys.readouterr().err
    assert not (tmp_path / "deep" / "annex.docx").exists() and not (out / "annex.docx").exists()
    assert not out.exists() or not any(out.iterdir())


def _descendants(pid: int) -> list[int]:
    """Every process under `pid`: the build's render server and the workers it forks are its
    children and grandchildren."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], []))
    return found


def _is_renderer(pid: int) -> bool:
    try:
        return b"opgen" in Path(f"/proc/{pid}/cmdline").read_bytes() or \
            b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to see worker processes")
@pytest.mark.parametrize("how", ["TERM", "KILL"])
def test_cancelled_parallel_build_leaves_no_worker_running(plans, tmp_path, how):
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "opgen", "build", str(plans), "--out", str(tmp_path / "b"),
                             "--format", "pdf", "-j", "2", "--force"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers = []
    while time.monotonic() < deadline and len(workers) < 3:   # the render server and two workers
        time.sleep(0.1)
        workers = [p for p in _descendants(proc.pid) if _is_renderer(p)]
    assert len(workers) >= 3, "the build never started its workers"
    proc.send_signal(getattr(signal, f"SIG{how}"))
    code = proc.wait(timeout=30)
    assert code == (143 if how == "TERM" else -9)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() and
                                               "Z" not in Path(f"/proc/{w}/stat").read_text().split(")")[1][:3]
                                               for w in workers):
        time.sleep(0.2)
    alive = [w for w in workers if Path(f"/proc/{w}").exists()
             and Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")]
    assert alive == []
    assert not list((tmp_path / "b").rglob("*.tmp"))


def test_source_date_epoch_out_of_range_is_one_clear_line(plans, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    assert main(["build", str(plans), "--out", str(tmp_path / "b"), "--format", "docx"]) == 2
    err = capsys.readouterr().err
    assert "SOURCE_DATE_EPOCH='99999999999999' is not a time" in err and "Traceback" not in err
    assert not (tmp_path / "b").exists()


def test_unreadable_folder_is_named_and_the_others_still_build(plans, tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"   # (chmod 0 would not stop root, who runs CI: refuse it the way the OS would)
    locked.mkdir()
    real = Path.iterdir

    def iterdir(self):
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    assert main(["build", str(locked), str(plans / "rb.yaml"), "--out", str(tmp_path / "b"), "--format", "docx"]) == 2
    assert f"{locked}: cannot read the folder: Permission denied" in capsys.readouterr().err
    assert (tmp_path / "b" / "rb" / "annex.docx").exists()


def test_an_up_to_date_parallel_build_starts_no_render_server(plans, tmp_path, monkeypatch):
    """`opgen build -j 2` in a pre-commit hook with nothing changed stays a no-op: no process importing
    WeasyPrint behind it (holding the hook's output open while it does)."""
    import opgen.render_pool as render_pool

    out = str(tmp_path / "b")
    assert main(["build", str(plans), "--out", out, "--format", "docx"]) == 0
    started = []
    monkeypatch.setattr(render_pool, "start_server", lambda: started.append(1))
    assert main(["build", str(plans), "--out", out, "--format", "docx", "-j", "2"]) == 0
    assert started == []
    assert main(["build", str(plans), "--out", out, "--format", "docx", "-j", "2", "--force"]) == 0
    assert started   # a plan to build: the server warms up while it loads
