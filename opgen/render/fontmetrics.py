"""How wide a short run of text (a reference, a status pill) prints in one of the fonts opgen ships,
from the font's own advance widths, so a table of a thousand rows can be laid out with fixed column
widths instead of WeasyPrint measuring every cell (its automatic table layout is a sixth of a long
programme's layout time).

An upper bound, never an estimate from below: a character takes the widest of its glyph and the
glyphs the font's single substitutions may put in its place (tabular figures, case forms); kerning,
which only narrows these texts, is left out; a character the font lacks takes its widest glyph."""

from __future__ import annotations

from functools import lru_cache

from fontTools.ttLib import TTFont

from opgen.render.inline import INTER_FACES
from opgen.resources import FONTS_DIR
from opgen.theme import DEFAULT_FONT, FONTS

PT_PER_MM = 72 / 25.4
SLACK = 1.02          # on top of the upper bound: rounding in the renderer's own units


def face_file(font: str, weight: int, style: str = "normal") -> str:
    """The file of the shipped face that prints `font` (a theme's key) at `weight` and `style`."""
    if font == DEFAULT_FONT:
        return INTER_FACES[(style, weight)]
    for face_weight, face_style, file in FONTS[font][2]:
        if (face_weight, face_style) == (weight, style):
            return file
    raise KeyError(f"no {style} {weight} face of {font}")


@lru_cache(maxsize=8)
def _advances(file: str) -> tuple[dict[int, int], int, int]:
    """({code point: widest advance}, units per em, widest advance of the font)."""
    font = TTFont(FONTS_DIR / file, lazy=True)
    hmtx = font["hmtx"]
    widest: dict[str, int] = {}
    if "GSUB" in font:
        gsub = font["GSUB"].table
        for lookup in gsub.LookupList.Lookup if gsub.LookupList else []:
            for table in lookup.SubTable:
                table = getattr(table, "ExtSubTable", table)     # an extension lookup wraps its table
                for source, target in (getattr(table, "mapping", None) or {}).items():
                    widest[source] = max(widest.get(source, 0), hmtx[target][0])
    advances = {code: max(hmtx[glyph][0], widest.get(glyph, 0)) for code, glyph in font.getBestCmap().items()}
    return advances, font["head"].unitsPerEm, max(width for width, _ in hmtx.metrics.values())


def text_width_mm(text: str, size_pt: float, *, font: str = DEFAULT_FONT, weight: int = 400,
                  style: str = "normal", letter_spacing_em: float = 0.0) -> float:
    """The width of `text` on one line at `size_pt`, in millimetres, at most this much."""
    advances, units, fallback = _advances(face_file(font, weight, style))
    em = sum(advances.get(ord(c), fallback) for c in text) / units + letter_spacing_em * len(text)
    return em * size_pt * SLACK / PT_PER_MM
