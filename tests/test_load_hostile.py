"""Hostile or unlucky input to the loader (issue 14): each gives one located message, never a
traceback, a hang or minutes of work."""

from __future__ import annotations

import os
import time

import pytest

from opgen.cli import main
from opgen.load import LoadError, load_file, load_text


def _error(text: str):
    with pytest.raises(LoadError) as caught:
        load_text(text, "p.yaml")
    return caught.value.diagnostic


@pytest.mark.parametrize("char, line, column", [("\x7f", 2, 5), ("\x9b", 3, 4), ("\ufffe", 3, 4), ("\x01", 1, 4)])
def test_a_control_character_is_located_by_line_and_column(char, line, column):
    lines = ["a: 1", "b: ok", "c: 1"]
    lines[line - 1] = lines[line - 1][: column - 1] + char + lines[line - 1][column - 1:]
    d = _error("\n".join(lines) + "\n")
    assert (d.line, d.column) == (line, column)
    assert f"U+{ord(char):04X}" in d.message and "position" not in d.message


def test_keys_differing_by_an_invisible_character_are_refused():
    d = _error("a: 1\nb\u200b: 2\nb: 3\n")
    assert (d.line, d.column) == (2, 1) and "U+200B" in d.message and "\u200b" not in d.message + d.hint


@pytest.mark.parametrize("number", ["9" * 5000, "1.0e+300", "-2.5e+16"])
def test_absurd_numbers_are_located_errors(number):
    d = _error(f"a: 1\nb: {number}\n")
    assert (d.line, d.column) == (2, 4) and "too large" in d.message


def test_an_alias_cannot_nest_past_the_depth_limit():
    deep = "[" * 40 + "1" + "]" * 40
    d = _error(f"a: &a {deep}\nb: &b [*a, [*a]]\nc: {'[' * 30}*b{']' * 30}\n")
    assert d.line == 3 and "nested too deeply" in d.message


def test_an_alias_node_bomb_inside_the_size_limits_is_refused_at_once():
    text = ("a: &a [" + ",".join(["x"] * 100) + "]\nb: &b [" + ",".join(["*a"] * 100) + "]\n"
            "c: &c [" + ",".join(["*b"] * 100) + "]\n")
    assert len(text) < 15_000
    started = time.perf_counter()
    d = _error(text)
    assert time.perf_counter() - started < 5
    assert d.line == 3 and "aliases" in d.message


def test_a_quote_in_a_comment_is_not_blamed_for_a_later_error():
    d = _error("a: 1 # it's 'odd\nb: [1, 2\nc: 3\n")
    assert "quoted text that opens on line 1" not in d.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("command", [["validate"], ["diff", "{fifo}", "{fifo}"], ["diff", "--textconv"]])
def test_a_fifo_is_refused_without_hanging(tmp_path, command, capsys):
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    with pytest.raises(LoadError) as caught:
        load_file(fifo)
    assert "not a regular file" in caught.value.diagnostic.message
    args = [a.replace("{fifo}", str(fifo)) for a in command]
    if "{fifo}" not in " ".join(command):
        args.append(str(fifo))
    assert main(args) != 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
ESCAPES = r'"\e]0;pwned\a\e[2J\e[31mRed\u202eevil"'


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_escape_sequences_in_plan_text_never_reach_the_terminal(tmp_path, capsys, fmt):
    old = (ROOT / "plans" / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text(old.replace("\nvision:\n", "\nvision:\n", 1), encoding="utf-8")
    import re
    title = re.search(r"(?m)^    title: (.+)$", old)
    new.write_text(old[:title.start(1)] + ESCAPES + old[title.end(1):], encoding="utf-8")
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    assert main(["diff", str(tmp_path / "old.yaml"), str(new), "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b" in out and "pwned" in out
    assert main(["diff", "--textconv", str(new)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


def test_escape_sequences_in_validate_messages_are_shown_not_run(tmp_path, capsys):
    plan = tmp_path / "p.yaml"
    old = (ROOT / "plans" / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8")
    plan.write_text(old.replace("\norganisation:", f"\n{ESCAPES}: 1\norganisation:", 1), encoding="utf-8")
    assert main(["validate", str(plan)]) == 1
    out = capsys.readouterr().out
    assert "error" in out and "\x1b" not in out and "\\x1b" in out


# --- the compiled schema check's cache: nothing executable is trusted unless checked as ours ----------

@pytest.fixture
def schema_cache(tmp_path, monkeypatch):
    from opgen import schema

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    schema.fast_check.cache_clear()
    yield tmp_path / "opgen"
    schema.fast_check.cache_clear()


def _invalid_plan_reports(tmp_path) -> str:
    plan = tmp_path / "bad.yaml"
    plan.write_text((ROOT / "plans" / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8")
                    .replace("\norganisation:", "\nbogus: 1\norganisation:", 1), encoding="utf-8")
    from opgen.pipeline import plan_from_file
    return "; ".join(d.message for d in plan_from_file(plan).report.errors)


def test_a_planted_or_damaged_schema_cache_is_never_run(schema_cache, tmp_path):
    import marshal

    from opgen import schema

    assert schema.fast_check() is not None
    [cached] = list(schema_cache.glob("plan-schema-*.bytecode"))
    good = cached.read_bytes()
    schema.fast_check.cache_clear()
    assert schema.fast_check() is not None  # read back from the cache
    # a pass-everything validator planted in its place (valid header, wrong digest) is not run
    planted = marshal.dumps(compile("def validate_x(data, **kw):\n    return data\n", "x", "exec"))
    cached.write_bytes(good[:len(schema._MAGIC) + 64 + 32] + planted)  # our header and key, old digest
    schema.fast_check.cache_clear()
    assert "unknown key 'bogus'" in _invalid_plan_reports(tmp_path)
    # a truncated file is rebuilt, not fatal
    cached.write_bytes(good[: len(good) // 2])
    schema.fast_check.cache_clear()
    assert schema.fast_check() is not None and cached.read_bytes() == good
    # a file others may write is not trusted
    cached.chmod(0o666)
    schema.fast_check.cache_clear()
    assert schema.fast_check() is not None and cached.stat().st_mode & 0o022 == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_the_schema_cache_does_not_hang(schema_cache, tmp_path):
    from opgen import schema

    assert schema.fast_check() is not None
    [cached] = list(schema_cache.glob("plan-schema-*.bytecode"))
    cached.unlink()
    os.mkfifo(cached)
    schema.fast_check.cache_clear()
    started = time.perf_counter()
    assert "unknown key 'bogus'" in _invalid_plan_reports(tmp_path)
    assert time.perf_counter() - started < 60


def test_the_schema_cache_key_covers_opgens_own_code(tmp_path):
    # A change to the code that compiles the schema check, with the same version number, must not
    # reuse the check compiled by the old code.
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import opgen

    names = []
    for edit in ("", "\n# a change to how the check is compiled\n"):
        root = tmp_path / f"copy{len(names)}"
        shutil.copytree(Path(opgen.__file__).parent, root / "opgen",
                        ignore=shutil.ignore_patterns("__pycache__"))
        with open(root / "opgen" / "schema.py", "a", encoding="utf-8") as f:
            f.write(edit)
        cache = tmp_path / "cache"
        subprocess.run([sys.executable, "-c", "from opgen.schema import fast_check; assert fast_check()"],
                       cwd=root, env={"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(root)},
                       check=True, timeout=120)
        names.append(sorted(p.name for p in (cache / "opgen").glob("plan-schema-*.bytecode")))
    assert len(names[0]) == 1 and len(names[1]) == 2, names
