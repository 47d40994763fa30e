"""Self-contained HTML for the web editions of the diff report and the board pack: the page's
stylesheet links replaced by one <style> holding opgen's own stylesheets (each for a medium), and
Inter as WOFF2 data: URIs subset (fontTools) to the characters the page shows. Deterministic: the
same page gives the same bytes. Refuses a page that would run a script or fetch anything.

(The web editions of the full plan and the plan on a page have the same job done by
opgen/render/web.py's `self_contained`; this module has the same signature so the two can become one.)
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from typing import Iterable

from opgen.resources import FONTS_DIR, TEMPLATES_DIR

# The faces of Inter the stylesheets use: (style, weight) -> file in fonts/.
INTER_FACES = {
    ("normal", 400): "Inter-Regular.otf", ("italic", 400): "Inter-Italic.otf",
    ("normal", 600): "Inter-SemiBold.otf", ("italic", 600): "Inter-SemiBoldItalic.otf",
    ("normal", 700): "Inter-Bold.otf", ("italic", 700): "Inter-BoldItalic.otf",
}
# Characters every subset holds (so pages share subsets within a process): printable ASCII and the
# punctuation, arrows and symbols opgen's texts use.
_BASE_CHARS = ("".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u00a3\u00a9\u00b0\u00b1\u00b7\u00bd\u00e9"
               + "\u2010\u2011\u2012\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2009\u202f"
               + "\u20ac\u2190\u2191\u2192\u2193\u2212\u2264\u2265\u00d7\u25b2\u25bc")

_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
_IMPORT = re.compile(r"@import[^;]*;")
_LINK = re.compile(r"""<link\b[^>]*\brel=["']?stylesheet["']?[^>]*>\s*""", re.I)
# What a browser loads by itself (anything but a data: URI), and link targets that are not web pages.
_LOADS = re.compile(r"""\s(?:src|srcset|poster|data|action|formaction|xlink:href|background)\s*=\s*["']?(?!["'\s]|data:)""",
                    re.I)
_BAD_LINK = re.compile(r"""\shref\s*=\s*["']?(?!https?:|mailto:)[a-z][a-z0-9+.-]*:""", re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?(?!data:|#)([^"')]*)""", re.I)
_TAG = re.compile(r"<[^>]*>")


class NotSelfContained(ValueError):
    """A web edition would have run a script or fetched something."""


def self_contained(html: str, css_files: Iterable[tuple[str, str | None] | str], *, css: str = "") -> str:
    """`html` with its <link rel=stylesheet> removed and, before </head>, one <style>: the fonts, the
    named stylesheets from opgen's templates (each `(name, media)`, media None for all; their own
    @font-face and @import rules dropped) and `css`."""
    sheets = []
    for entry in css_files:
        name, media = (entry, None) if isinstance(entry, str) else entry
        text = _IMPORT.sub("", _FONT_FACE.sub("", (TEMPLATES_DIR / name).read_text(encoding="utf-8")))
        sheets.append(f"@media {media} {{\n{text}\n}}" if media else text)
    if css:
        sheets.append(css)
    body_css = "\n".join(sheets)
    html = _LINK.sub("", html)
    shown = _page_text(html) + "".join(re.findall(r'content:\s*"([^"]*)"', body_css))
    style = f"<style>\n{font_faces(shown)}\n{body_css}\n</style>\n"
    head_end = html.lower().index("</head>")
    out = html[:head_end] + style + html[head_end:]
    check_self_contained(out)
    return out


def check_self_contained(html: str) -> None:
    """Refuse a page that would run a script or load anything by itself (an image, a frame, a form
    target: anything but a data: URI). Links a reader may follow (http, https, mailto, within the page
    or to a sibling file) are not fetches; a link to file:, javascript: and the like is refused."""
    if re.search(r"<script\b", html, re.I):
        raise NotSelfContained("a web edition must not contain a script")
    found = _LOADS.search(html) or _BAD_LINK.search(html)
    if found:
        raise NotSelfContained(f"a web edition must not fetch anything: {html[found.start():found.end() + 80]!r}")
    for url in _CSS_URL.findall(html):
        if url.strip():
            raise NotSelfContained(f"a web edition's CSS must not fetch {url[:120]}")


def _page_text(html: str) -> str:
    import html as _html

    return _html.unescape(_TAG.sub(" ", html))


def font_faces(text: str, faces: dict[tuple[str, int], str] | None = None) -> str:
    """@font-face rules for `faces` (default Inter's six), each a WOFF2 data: URI subset to the
    characters of `text` plus a fixed base."""
    chars = "".join(sorted(set(_BASE_CHARS) | {c for c in text if c.isprintable()}))
    rules = []
    for (style, weight), name in sorted((faces or INTER_FACES).items(), key=lambda kv: (kv[0][1], kv[0][0])):
        family = name.split("-")[0]
        rules.append(f'@font-face {{ font-family: "{family}"; font-style: {style}; font-weight: {weight}; '
                     f'font-display: swap; src: url("data:font/woff2;base64,{_subset_woff2(name, chars)}") '
                     f'format("woff2"); }}')
    return "\n".join(rules)


@lru_cache(maxsize=32)
def _subset_woff2(name: str, chars: str) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS_DIR / name), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "tnum"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and the licence's naming
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
