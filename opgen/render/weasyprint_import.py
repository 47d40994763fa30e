"""WeasyPrint imported without running a compiler: imported by opgen.render.weasy before it imports
WeasyPrint itself.

WeasyPrint asks cffi for each native library (GObject, Pango, HarfBuzz, fontconfig, PangoFT2) under
several names, on Linux the soname last ('libgobject-2.0-0', 'gobject-2.0-0', 'gobject-2.0', then
'libgobject-2.0.so.0'). For every name the dynamic loader does not know, cffi calls
ctypes.util.find_library, which on Linux runs ldconfig, then gcc and ld (WeasyPrint issue #1125):
27 programs and 0.17 s (0.15 s of CPU) before a process can lay out anything. Every build pays it in
its render server (opgen.render_pool), on the way to its first part, or in the build process itself
with -j 1.

`import_weasyprint` imports WeasyPrint with that search switched off, so each name is tried with the
loader alone, which knows the sonames. Where that fails (a system on which only the search finds the
libraries), WeasyPrint is imported again the usual way, search and all: the same libraries, found the
same way as without this module."""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import sys


def import_weasyprint() -> None:
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_searched
    try:
        with contextlib.redirect_stdout(io.StringIO()):   # WeasyPrint prints its install advice, then raises
            import weasyprint  # noqa: F401
    except OSError:   # a library only the search finds: forget the half-made import, and import it as usual
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search
    import weasyprint  # noqa: F401,F811


def _not_searched(name: str) -> None:
    return None


import_weasyprint()
