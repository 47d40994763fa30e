"""The browser fixture itself (tests/browser.py) catches what the web-edition tests rely on it to catch:
a request of any scheme, an axe-core violation, sideways scrolling, and the keyboard's order."""

from browser import browser  # noqa: F401  (the session fixture)

GOOD = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A plan</title>
<style>a:focus{outline:3px solid #000}</style></head><body>
<a href="#main">Skip to content</a><header><p>NHS Example CCG</p></header>
<nav aria-label="Contents"><a href="#s1">Section one</a></nav>
<main id="main"><h1>Plan</h1><h2 id="s1">Section one</h2><p>Text</p></main><footer><p>Footer</p></footer>
</body></html>"""

BAD = b"""<html><body><img src="https://example.com/x.png"><link rel="stylesheet" href="file:///etc/x.css">
<div style="width:900px">wide</div><p style="color:#aaa">low contrast</p></body></html>"""


def test_a_clean_page_passes_every_check(browser):
    with browser.open(GOOD, name="good.html") as page:
        assert page.axe() == []
        assert page.requests == []
        order = page.focus_order()
        assert [(f.tag, f.text) for f in order] == [("a", "Skip to content"), ("a", "Section one")]
        assert [f.dom_index for f in order] == page.focusable_in_dom_order()
        assert all(f.outline for f in order)
    with browser.open(GOOD, name="good.html", width=320) as page:
        assert page.overflow() == []


def test_fetches_violations_and_sideways_scroll_are_caught(browser):
    with browser.open(BAD, name="bad.html", width=320) as page:
        assert sorted(page.requests) == ["file:///etc/x.css", "https://example.com/x.png"]
        found = {v["id"] for v in page.axe()}
        assert {"html-has-lang", "image-alt", "color-contrast", "landmark-one-main", "page-has-heading-one"} <= found
        overflow = page.overflow()
        assert overflow[0] == "page is 908px wide in a 320px window"
        assert any(line.startswith("div ends at") for line in overflow[1:])


def test_200_percent_zoom_halves_the_css_viewport(browser):
    with browser.open(GOOD, name="good.html", width=1280, zoom=2.0) as page:
        assert page.evaluate("() => [innerWidth, devicePixelRatio]") == [640, 2]
