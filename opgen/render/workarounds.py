"""Workarounds for known problems of the libraries the renderer runs on, each measured and each leaving
the output as it was. Imported by opgen.render.weasy before it imports WeasyPrint.

1. WeasyPrint imported without running a compiler. WeasyPrint asks cffi for each native library
   (GObject, Pango, HarfBuzz, fontconfig, PangoFT2) under several names, on Linux the soname last
   ('libgobject-2.0-0', 'gobject-2.0-0', 'gobject-2.0', then 'libgobject-2.0.so.0'). For every name the
   dynamic loader does not know, cffi calls ctypes.util.find_library, which on Linux runs ldconfig,
   then gcc and ld (WeasyPrint issue #1125): 27 programs and 0.17 s (0.15 s of CPU) before a process
   can lay out anything, paid by every build's render server (opgen.render_pool) on the way to its first
   part, or by the build process with -j 1. `import_weasyprint` imports WeasyPrint with that search
   switched off, so each name is tried with the loader alone, which knows the sonames. Where that fails
   (a system on which only the search finds the libraries), WeasyPrint is imported again the usual
   way, search and all: the same libraries, found the same way as without this module.

2. The HTML parser's cache of regular expressions, mended. tinyhtml5 2.1.0 (WeasyPrint's parser) means
   to compile the pattern for each set of characters its tokenizer scans up to once, but stores it
   under the wrong key (`characters = cache[(characters, opposite)] = regex` binds `characters` to the
   pattern before the key is made), so it builds the pattern again at every call: 11,000 times for a
   42-page part, its parse 0.12 -> 0.07 s mended. `mend_parser_cache` gives the cache a __missing__ that
   builds the pattern as tinyhtml5 does and keeps it under the key it is looked up by."""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import re
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


class _CharactersUntil(dict):
    """tinyhtml5's chars_until cache: (characters, opposite) -> the compiled pattern, built on a miss."""

    def __missing__(self, key):
        characters, opposite = key
        pattern = "".join([f"\\x{ord(character):02x}" for character in characters])   # as tinyhtml5 builds it
        if not opposite:
            pattern = f"^{pattern}"
        compiled = self[key] = re.compile(f"[{pattern}]+")
        return compiled


def mend_parser_cache() -> None:
    try:
        from tinyhtml5 import inputstream
    except ImportError:
        return
    cache = getattr(inputstream, "characters_until_regex", None)
    if type(cache) is dict:   # as in 2.1.0; a later release that changed it is left alone
        inputstream.characters_until_regex = _CharactersUntil(cache)


import_weasyprint()
mend_parser_cache()
