"""WeasyPrint is imported without running ldconfig, gcc or ld (opgen.render.weasyprint_import), and
where only that search finds its libraries it is still imported, silently, the usual way. Each case
runs in a fresh interpreter: the import happens once a process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the search is skipped on Linux only")

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


def test_the_renderer_starts_no_program_to_find_its_libraries():
    result, printed = _probe()
    assert result["pdf"] == "%PDF-"
    assert result["started"] == []
    assert printed == ""


def test_where_only_the_search_finds_them_weasyprint_still_loads_without_a_word():
    result, printed = _probe(ONLY_THE_SEARCH_FINDS_THEM)
    assert result["pdf"] == "%PDF-"
    assert any("ldconfig" in program or "gcc" in program for program in result["started"])   # the usual search ran
    assert printed == ""   # WeasyPrint's install advice from the first try is not shown
