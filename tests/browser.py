"""A real browser for the web editions: headless Chromium (the Debian package) driven by Playwright for
Python, with axe-core (npm, pinned in tests/browser/package-lock.json) injected to check WCAG 2.2 AA.

    from browser import browser  # noqa: F401  (the session fixture)

    def test_page(browser, tmp_path):
        with browser.open(path) as page:          # a 1280 px wide window; width=320, zoom=2.0 also
            assert page.axe() == []                # axe-core violations (WCAG 2.0-2.2 A/AA + best practice)
            assert page.requests == []             # every request the page tried (all blocked)
            order = page.focus_order()             # what Tab reaches, in order
            assert page.overflow() == []           # what sticks out sideways (nothing = no page scroll)

Nothing is fetched: the file is served to Chromium from an origin that does not exist
(https://opgen.invalid/), and every other request the page makes, whatever its scheme (http, https,
file), is recorded and refused. data: URIs are inline content, not requests, and are not recorded.

Chromium or axe-core missing is a test FAILURE that says to run ./setup.sh (never a skip): CI runs
setup.sh first, so a missing browser there is a broken setup, not a reason to check nothing.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ORIGIN = "https://opgen.invalid"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SETUP_HINT = "run ./setup.sh (it installs the Debian package chromium and runs `npm ci` in tests/browser/)"


def _executable() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    if not found:
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: {SETUP_HINT}", pytrace=False)
    return Path(found)


def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing ({AXE_JS.relative_to(HERE.parent)}): {SETUP_HINT}", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class Focus:
    """One stop of the keyboard: what has focus after a Tab."""
    tag: str
    text: str
    href: str | None
    id: str | None
    role: str | None
    dom_index: int          # position among all elements in document order (reading order)
    outline: bool           # a visible focus indicator (outline or box-shadow) is drawn

    def __str__(self) -> str:
        where = self.href or (f"#{self.id}" if self.id else "")
        return f"<{self.tag}{' role=' + self.role if self.role else ''}> {self.text!r} {where}".rstrip()


@dataclass
class Page:
    """An open page. `requests` lists every request it made beyond its own document (all refused)."""
    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def axe(self, tags: list[str] | None = None, rules: dict | None = None) -> list[dict]:
        """axe-core's violations: [{id, impact, help, nodes: [{target, html, failureSummary}]}]."""
        self.page.add_script_tag(content=_axe_source())
        options = {"runOnly": {"type": "tag", "values": tags or AXE_TAGS}, "resultTypes": ["violations"]}
        if rules:
            options["rules"] = rules
        result = self.page.evaluate("async (options) => await axe.run(document, options)", options)
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [{"target": n["target"], "html": n["html"][:300],
                            "summary": n.get("failureSummary", "")} for n in v["nodes"]]}
                for v in result["violations"]]

    def focus_order(self, limit: int = 2000) -> list[Focus]:
        """Press Tab from the top of the page until focus leaves the document or comes round again."""
        self.page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
        stops: list[Focus] = []
        seen: set[int] = set()
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            info = self.page.evaluate(_FOCUS_JS)
            if info is None or info["dom_index"] in seen:
                break
            seen.add(info["dom_index"])
            stops.append(Focus(**info))
        return stops

    def focusable_in_dom_order(self) -> list[int]:
        """dom_index of every element that the keyboard should reach, in reading (document) order."""
        return self.page.evaluate(_FOCUSABLE_JS)

    def overflow(self) -> list[str]:
        """Why the page scrolls sideways at the current width: [] when scrollWidth <= clientWidth,
        else the page's widths and the outermost elements that stick out (not inside a scrolling box)."""
        return self.page.evaluate(_OVERFLOW_JS)

    def widths(self) -> tuple[int, int]:
        return tuple(self.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"))

    def evaluate(self, script: str, arg=None):
        return self.page.evaluate(script, arg)


class Browser:
    def __init__(self, playwright):
        self._browser = playwright.chromium.launch(executable_path=str(_executable()), args=CHROMIUM_ARGS)

    def close(self):
        self._browser.close()

    @contextlib.contextmanager
    def open(self, path: Path | str | bytes, width: int = 1280, height: int = 900, zoom: float = 1.0,
             name: str = "page.html"):
        """Open an HTML file (a path, or its bytes) in a fresh context. `zoom=2.0` is the browser at 200%:
        the CSS viewport is width/zoom wide and each CSS pixel is drawn with zoom device pixels, which
        is what Chromium's own zoom does to layout."""
        body = Path(path).read_bytes() if isinstance(path, (str, Path)) else path
        if isinstance(path, (str, Path)):
            name = Path(path).name
        context = self._browser.new_context(
            viewport={"width": round(width / zoom), "height": round(height / zoom)},
            device_scale_factor=zoom, java_script_enabled=True, offline=False)
        url = f"{ORIGIN}/{name}"
        result = Page(page=None, url=url)

        def record(requested: str):
            if requested.split("#")[0] != url and not requested.startswith("data:") and requested not in result.requests:
                result.requests.append(requested)

        def route(r):
            if r.request.url.split("#")[0] == url and r.request.resource_type == "document":
                r.fulfill(status=200, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
            else:
                record(r.request.url)
                r.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        result.page = page
        page.on("request", lambda req: record(req.url))
        page.on("console", lambda m: result.console_errors.append(m.text) if m.type == "error" else None)
        try:
            page.goto(url, wait_until="load")
            page.evaluate("async () => { await document.fonts.ready; }")
            yield result
        finally:
            context.close()


_RUNNING: list[Browser] = []  # one browser per session, however many test modules import the fixture


@pytest.fixture(scope="session")
def browser():
    # Each test module that imports this fixture defines it anew; Playwright's sync API allows one
    # running instance per thread, so the first definition to run starts the browser and the others share it.
    if _RUNNING:
        yield _RUNNING[0]
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"Playwright for Python is not installed: {SETUP_HINT}", pytrace=False)
    _executable()
    _axe_source()
    with sync_playwright() as playwright:
        b = Browser(playwright)
        _RUNNING.append(b)
        try:
            yield b
        finally:
            _RUNNING.clear()
            b.close()


_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const all = Array.from(document.getElementsByTagName('*'));
  const style = getComputedStyle(el);
  const outline = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
                  || (style.boxShadow && style.boxShadow !== 'none');
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 80),
          href: el.getAttribute('href'), id: el.id || null, role: el.getAttribute('role'),
          dom_index: all.indexOf(el), outline: !!outline};
}"""

_FOCUSABLE_JS = """() => {
  const all = Array.from(document.getElementsByTagName('*'));
  const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  return Array.from(document.querySelectorAll(sel))
    .filter(el => !el.disabled && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .map(el => all.indexOf(el));
}"""

_OVERFLOW_JS = r"""() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return [];
  const limit = root.clientWidth;
  const out = [`page is ${root.scrollWidth}px wide in a ${limit}px window`];
  const inScroller = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX; if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') return true; }
    return false; };
  for (const el of document.body.getElementsByTagName('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 0.5 && !inScroller(el)) {
      const parentSticks = el.parentElement && el.parentElement.getBoundingClientRect().right > limit + 0.5;
      if (!parentSticks) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\s+/).join('.') : ''} ends at ${Math.round(r.right)}px`);
    }
    if (out.length > 12) break;
  }
  return out;
}"""
