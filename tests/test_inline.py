"""render/inline.py: the web editions' stylesheets and fonts inside the page, and nothing that loads."""

import pytest

from opgen.render.inline import NotSelfContained, check_self_contained, self_contained

PAGE = '<!DOCTYPE html><html lang="en"><head><title>t</title><link rel="stylesheet" href="diff.css"></head><body><p>Caf\u00e9 \u2192 \u0141\u00f3d\u017a</p></body></html>'


def test_stylesheets_and_fonts_inline_and_the_same_bytes_twice():
    html = self_contained(PAGE, [("diff.css", None), ("pack.css", "print")], css=".x { color: red; }")
    assert "<link" not in html and html.count("<style>") == 1
    assert "@media print {" in html and ".x { color: red; }" in html
    assert html.count("@font-face") == 6 and "../fonts/" not in html
    assert self_contained(PAGE, [("diff.css", None), ("pack.css", "print")], css=".x { color: red; }") == html


@pytest.mark.parametrize("fragment", ['<img src="x.png">', '<img src="https://example.com/x.png">',
                                      '<a href="javascript:alert(1)">x</a>', '<a href="file:///etc/passwd">x</a>',
                                      '<iframe src="https://example.com"></iframe>', "<script>1</script>",
                                      '<p style="background: url(https://example.com/x.png)">x</p>'])
def test_anything_that_would_load_is_refused(fragment):
    with pytest.raises(NotSelfContained):
        check_self_contained(f"<html><body>{fragment}</body></html>")


@pytest.mark.parametrize("fragment", ['<a href="https://www.england.nhs.uk/">NHS England</a>',
                                      '<a href="mailto:a@example.org">mail</a>', '<a href="#main">skip</a>',
                                      '<a href="../../thanet-2015-16/plan-on-a-page.html">Thanet</a>',
                                      '<img src="data:image/png;base64,AAAA" alt="">'])
def test_links_a_reader_follows_are_not_fetches(fragment):
    check_self_contained(f"<html><body>{fragment}</body></html>")
