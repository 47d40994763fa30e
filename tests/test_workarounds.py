"""opgen.render.workarounds: WeasyPrint is imported without running ldconfig, gcc or ld, and where only
that search finds its libraries it is still imported, silently, the usual way; and its HTML parser
builds each pattern once, parsing a page to the very same tree. Each case runs in a fresh interpreter:
the workarounds are put in place once a process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ON_LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the search is skipped on Linux only")

# Counts the programs a process starts, imports opgen's renderer and lays out a page with it.
PROBE = r"""
import json, subprocess
started = []
real_popen = subprocess.Popen.__init__
def popen(self, args, *a, **k):
    started.append(str(args[0] if isinstance(args, (list, tuple)) else args))
    return real_popen(self, args, *a, **k)
subprocess.Popen.__init__ = popen
{setup}
import datetime as dt
from opgen.render.weasy import html_to_pdf
pdf = html_to_pdf("<html lang='en-GB'><head><title>t</title></head><body><p>Hello</p></body></html>",
                  timestamp=dt.datetime(2015, 3, 18))
print(json.dumps({{"started": started, "pdf": pdf[:5].decode()}}))
"""

# A system on which the dynamic loader knows none of WeasyPrint's names by itself: a bare name loads
# only once ctypes.util.find_library (ldconfig, gcc, ld) has found it.
ONLY_THE_SEARCH_FINDS_THEM = r"""
import cffi, ctypes.util
real_dlopen = cffi.FFI.dlopen
def dlopen(self, name, flags=0):
    if isinstance(name, str) and "/" not in name:
        found = ctypes.util.find_library(name)
        if found is None:
            raise OSError(f"cannot load library {name!r}")
        return real_dlopen(self, found, flags)
    return real_dlopen(self, name, flags)
cffi.FFI.dlopen = dlopen
"""


def _probe(setup: str = "") -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    *before, last = done.stdout.strip().splitlines() or [""]
    return json.loads(last), "\n".join(before)


@ON_LINUX
def test_the_renderer_starts_no_program_to_find_its_libraries():
    result, printed = _probe()
    assert result["pdf"] == "%PDF-"
    assert result["started"] == []
    assert printed == ""


@ON_LINUX
def test_where_only_the_search_finds_them_weasyprint_still_loads_without_a_word():
    result, printed = _probe(ONLY_THE_SEARCH_FINDS_THEM)
    assert result["pdf"] == "%PDF-"
    assert any("ldconfig" in program or "gcc" in program for program in result["started"])   # the usual search ran
    assert printed == ""   # WeasyPrint's install advice from the first try is not shown


# Parses a page with tinyhtml5 (WeasyPrint's parser), counting the patterns compiled while it does.
PARSE = r"""
import hashlib, json, re, sys
{setup}
import tinyhtml5
from xml.etree import ElementTree
compiled = [0]
real_compile = re.compile
def counting(*a, **k):
    compiled[0] += 1
    return real_compile(*a, **k)
re.compile = counting
tree = tinyhtml5.parse(open(sys.argv[1], encoding="utf-8").read())
re.compile = real_compile
print(json.dumps({{"compiled": compiled[0], "tree": hashlib.sha256(ElementTree.tostring(tree)).hexdigest()}}))
"""


def _parse(page, setup: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", PARSE.format(setup=setup), str(page)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_parser_builds_each_pattern_once_and_parses_to_the_same_tree(tmp_path):
    from opgen.pipeline import plan_from_file
    from opgen.render.html import operational_plan_html

    from conftest import PLANS_DIR

    result = plan_from_file(PLANS_DIR / "south-kent-coast-2014-16.yaml")
    page = tmp_path / "full-plan.html"
    page.write_text(operational_plan_html(result.plan, result.report.diagnostics), encoding="utf-8")
    as_shipped = _parse(page)
    mended = _parse(page, "import opgen.render.workarounds")
    assert mended["tree"] == as_shipped["tree"]
    assert mended["compiled"] <= 10         # one for each set of characters it scans up to (2.1.0 as
    assert mended["compiled"] <= as_shipped["compiled"]   # shipped: one at every scan, 7,110 for this page)
