"""Self-contained HTML for every web edition (full plan, plan on a page, diff report, board pack): the
page's stylesheet links replaced by one <style> holding opgen's own stylesheets (each for a medium),
and Inter as WOFF2 data: URIs subset (fontTools) to the characters the page shows. Deterministic: the
same page gives the same bytes. Refuses a page that would run a script or load anything by itself;
links a reader may follow (within the page, to a sibling file, http(s), mailto) are not loads.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache
from typing import Iterable

from lxml import etree, html as lxml_html

from opgen.resources import FONTS_DIR, TEMPLATES_DIR

# The faces of Inter the stylesheets use: (style, weight) -> file in fonts/.
INTER_FACES = {
    ("normal", 400): "Inter-Regular.otf", ("italic", 400): "Inter-Italic.otf",
    ("normal", 600): "Inter-SemiBold.otf", ("italic", 600): "Inter-SemiBoldItalic.otf",
    ("normal", 700): "Inter-Bold.otf", ("italic", 700): "Inter-BoldItalic.otf",
}


class NotSelfContained(ValueError):
    """A web edition would have fetched something (a script, an external or file URL)."""


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
_IMPORT = re.compile(r"@import[^;]*;")
_CSS_URL = re.compile(r"""url\(\s*["']?(?!data:|#)([^"')]*)""", re.I)


def self_contained(html: str, css_files: Iterable[tuple[str, str | None] | str], *, css: str = "",
                   fonts: dict[tuple[str, int], str] | None = None) -> str:
    """One HTML page with nothing to fetch: its <link rel=stylesheet> removed, the named stylesheets
    from opgen's templates (each `(name, media)`, media None for all) and `css` inlined in one
    <style>, and the fonts (`fonts`, default Inter's six faces) as subset WOFF2 data: URIs holding only
    the characters the page uses. Raises NotSelfContained if the page still has a script or points
    at anything outside itself (http, https, file or any other scheme)."""
    doc = parse_page(html) if isinstance(html, str) else html
    head = doc.find("head")
    for link in head.findall("link"):
        if "stylesheet" in (link.get("rel") or ""):
            head.remove(link)
    sheets = []
    for entry in css_files:
        name, media = (entry, None) if isinstance(entry, str) else entry
        text = _IMPORT.sub("", _FONT_FACE.sub("", (TEMPLATES_DIR / name).read_text(encoding="utf-8")))
        sheets.append(f"@media {media} {{\n{text}\n}}" if media else text)
    if css:
        sheets.append(css)
    body_css = "\n".join(sheets)
    text = "".join(doc.itertext()) + "".join(v for el in doc.iter() if isinstance(el.tag, str)
                                              for k, v in el.attrib.items() if k in ("aria-label", "alt", "title"))
    style = etree.SubElement(head, "style")
    style.text = "\n" + font_faces(text + _css_content_text(body_css), fonts or INTER_FACES) + "\n" + body_css + "\n"
    out = serialise_page(doc)
    check_self_contained(out)
    return out


def check_self_contained(html: str) -> None:
    """Refuse a page that would run a script or fetch anything: a <script>, an event handler, an
    attribute holding an address that is not in the page (`#...`), inline data (`data:`) or an email
    address (`mailto:`), or CSS that imports or loads a url()."""
    doc = parse_page(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("script", "iframe", "object", "embed", "base"):
            raise NotSelfContained(f"a web edition must not contain <{el.tag}>")
        for name, value in el.attrib.items():
            name = name.lower().split("}")[-1]
            if name.startswith("on"):
                raise NotSelfContained(f"a web edition must not run a script ({name})")
            if name == "href" and _FOLLOWED_LINK.match(value.strip()):
                continue  # a link a reader may follow is not a load
            if name in _URL_ATTRIBUTES and not value.strip().lower().startswith(("#", "data:")):
                raise NotSelfContained(f"a web edition must not load anything: {name}={value[:120]!r}")
        css = (el.text or "") if el.tag == "style" else el.get("style", "")
        if "@import" in css:
            raise NotSelfContained("a web edition's CSS must not import a stylesheet")
        for url in _CSS_URL.findall(css):
            if url.strip():
                raise NotSelfContained(f"a web edition's CSS must not fetch {url[:120]}")


# A link a reader follows: within the page, http(s), mailto, or a relative file (no scheme).
_FOLLOWED_LINK = re.compile(r"(?i)(#|https?:|mailto:|(?![a-z][a-z0-9+.-]*:)[^\s]+$)")
_URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "background", "cite",
                   "longdesc", "manifest", "ping", "icon"}


def font_faces(text: str, faces: dict[tuple[str, int], str | tuple[str, str]]) -> str:
    """@font-face rules for `faces` ((style, weight) -> file in fonts/, or (family, file) where the
    family is not the file name's first word), each a WOFF2 data: URI subset to the characters of `text`."""
    # A fixed base (Latin-1, punctuation, arrows) so that pages share one subset per process (fontTools
    # takes ~0.4 s a face); a character beyond it joins the subset of the page that uses it.
    chars = "".join(sorted(set(_BASE_CHARS) | {c for c in text if c.isprintable()}))
    rules = []
    for (style, weight), face in sorted(faces.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        family, name = face if isinstance(face, tuple) else (face.split("-")[0], face)
        data = _subset_woff2(name, chars)
        rules.append(f'@font-face {{ font-family: "{family}"; font-style: {style}; font-weight: {weight}; '
                     f'font-display: swap; src: url("data:font/woff2;base64,{data}") format("woff2"); }}')
    return "\n".join(rules)


# Characters every page's fonts hold: Basic Latin, common punctuation, arrows, currency.
_BASE_CHARS = ("".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u00a3\u00a9\u00b0\u00b1\u00b7\u00bd\u00e9"
               + "\u2010\u2011\u2012\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2009\u202f\u2032\u2033"
               + "\u20ac\u2190\u2191\u2192\u2193\u2212\u2264\u2265\u00d7\u2713\u2714\u2717")


_BASE = "".join(sorted(set(_BASE_CHARS)))


def base_subset_file(name: str):
    """Where the package ships `name`'s subset to the base characters (fonts/<stem>.base.woff2), made
    by `python -m opgen.render.inline` (write_base_subsets) and checked by the tests to be the bytes
    fontTools makes now: a page using no other character (every example plan's) needs no subsetting
    at build time (fontTools takes 0.6-1 s a face, for each process that makes a web page)."""
    return FONTS_DIR / f"{name.rsplit('.', 1)[0]}.base.woff2"


@lru_cache(maxsize=64)
def _subset_woff2(name: str, chars: str) -> str:
    if chars == _BASE:
        try:
            return base64.b64encode(base_subset_file(name).read_bytes()).decode("ascii")
        except OSError:
            pass
    return base64.b64encode(subset_woff2(name, chars)).decode("ascii")


def subset_woff2(name: str, chars: str) -> bytes:
    """Font file `name` (in fonts/) as WOFF2 holding only `chars` (fontTools; deterministic)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS_DIR / name), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "tnum"]  # kerning and tabular figures; each more feature costs ~0.4 s a face
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # keep the copyright and licence naming the font
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=False)
    return buffer.getvalue()


def shipped_faces() -> list[str]:
    """Every font file a web page may embed: Inter's faces and each theme font's."""
    from opgen.theme import FONTS

    names = set(INTER_FACES.values())
    for _family, _word, faces in FONTS.values():
        names.update(file for _weight, _style, file in faces)
    return sorted(names)


def write_base_subsets() -> list[str]:
    """Write fonts/<stem>.base.woff2 for every face (run after changing the fonts, _BASE_CHARS or the
    subsetting options; tests/test_web_fonts.py says when)."""
    written = []
    for name in shipped_faces():
        base_subset_file(name).write_bytes(subset_woff2(name, _BASE))
        written.append(base_subset_file(name).name)
    return written


if __name__ == "__main__":
    print("\n".join(write_base_subsets()))


def _css_content_text(css: str) -> str:
    """Text the stylesheets themselves put on the page (`content: "..."`)."""
    return "".join(re.findall(r'content:\s*"([^"]*)"', css))




def parse_page(html: str):
    """An HTML page as an lxml tree (the web editions reshape it before inlining)."""
    return lxml_html.document_fromstring(html)


def serialise_page(doc) -> str:
    """An lxml tree back to HTML with its doctype."""
    return lxml_html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode", method="html") + "\n"
