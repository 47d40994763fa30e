"""The web editions' fonts: the package ships each face subset to the base characters, so a page that
uses no other character embeds it without running fontTools; the shipped files must be exactly what
fontTools makes now (else a web page's bytes would depend on whether the shipped file was used)."""

from __future__ import annotations

import base64
import re

import pytest

from opgen.render import inline


@pytest.mark.parametrize("name", inline.shipped_faces())
def test_shipped_base_subset_is_what_fonttools_makes(name):
    shipped = inline.base_subset_file(name)
    assert shipped.is_file(), f"{shipped.name} missing: run python -m opgen.render.inline"
    assert shipped.read_bytes() == inline.subset_woff2(name, inline._BASE), (
        f"{shipped.name} is stale (fonts, base characters, subsetting options or fontTools changed): "
        "run python -m opgen.render.inline and commit the files")


def test_a_page_beyond_the_base_characters_gets_its_own_subset():
    """A character outside the base (a Welsh ŵ) is in the page's font; a page within it embeds the
    shipped file."""
    plain = inline.font_faces("Plan on a page", inline.INTER_FACES)
    welsh = inline.font_faces("Cynllun gweithredu: ŵ ŷ", inline.INTER_FACES)
    regular = inline.base_subset_file(inline.INTER_FACES[("normal", 400)]).read_bytes()
    assert base64.b64encode(regular).decode() in plain
    assert base64.b64encode(regular).decode() not in welsh

    from fontTools.ttLib import TTFont
    import io

    data = re.search(r'font-style: normal; font-weight: 400; font-display: swap; src: url\("data:font/woff2;base64,([^"]+)"', welsh)
    font = TTFont(io.BytesIO(base64.b64decode(data.group(1))))
    assert ord("ŵ") in font.getBestCmap() and ord("ŵ") not in TTFont(io.BytesIO(regular)).getBestCmap()
