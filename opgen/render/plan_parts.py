"""The full operational plan's PDF built in parts, each part a WeasyPrint document cached by content,
then merged (opgen.render.merge), so an edit re-lays out only the chapters it touches.

The parts come from the one full-plan HTML (templates/operational-plan.html.j2, rendered once by
opgen.render.html): its body's top-level elements are the cover and the front matter (`section.cover`,
`section.front`), the contents (`nav.toc-page`) and the chapters (`section.chapter`), each starting a
page. `split` cuts the body there: "front" (cover, front-placed narrative, document control), then
"contents", then the chapters (small ones share a part, MIN_PART_CHARS; a short programme that runs on
after the one before it stays in that one's part, as it shares its page; a programme of hundreds of
actions is cut into pieces, PIECE_CHARS). Each part is the same head and stylesheets with the
CSS margin boxes switched off; its `#anchor` links whose target lives in another part become
`dest:anchor` links, which the merge turns back into internal links.

Cold and incremental builds take the same path: every part but the contents is looked up in the
cache by sha256 of its HTML and opgen.outputs.toolchain_hash() (PartCache.toolchain), and laid out
(through `map_fn`, a process pool's map for -j N) only when missing. The contents is laid out last,
printing the real page of every entry (read from the laid-out parts' anchors); its entries' numbers
are padded to a fixed width with figure spaces, so its own page count never depends on them (a cold
build learns that count from a sketch laid out beside the parts). The running head,
the chapter name top right, the footer and "Page X of Y" are stamped by the merge as pagination
artifacts (none on the cover), where the margin boxes put them in one document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import json
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from opgen import display
from opgen.write import write_atomic

FRONT = "front"
CONTENTS = "contents"
DEST_PREFIX = "dest:"   # opgen.render.merge.DEST_LINK (not imported here: workers need not load pikepdf)

_TOP = re.compile(r'<(section|nav) class="((?:cover|front|chapter)\b[^"]*)"([^>]*)>')
_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'href="#([^"]+)"')
_ENTRY_HREF = re.compile(r'href="(#|' + re.escape(DEST_PREFIX) + r')([^"]+)"')   # in this part or another
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")
# Margin boxes off: the merge stamps the page furniture on the merged pages.
_NO_MARGIN_BOXES = ("<style>@page { @top-left { content: none } @top-right { content: none } "
                    "@bottom-left { content: none } @bottom-right { content: none } }</style>\n")
# Where the margin boxes put the furniture (operational-plan.css: the header's line 4 mm above the
# top margin, the footer's 4 mm below the bottom margin), from the page's edges, in mm.
_PORTRAIT = {"top_mm": 16.9, "bottom_mm": 12.6, "inset_mm": 20.0}
_LANDSCAPE = {"top_mm": 14.9, "bottom_mm": 10.6, "inset_mm": 20.0}
FIGURE_SPACE = "\u2007"


def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(_TAG.sub("", fragment)).split())


# Small chapters share a part until it has this much HTML (about five pages of a plan's tables); a
# chapter this big is a part alone. One part a chapter (27 for SKC, most of a page or two) made a cold
# build cost 1.8 times one document's layout, for little gain in an edit's rebuild.
MIN_PART_CHARS = 12_000
# A programme chapter with more HTML than twice this (about 25 pages of actions; no real plan's
# chapter comes near: SKC's biggest is 39 KB) is laid out in pieces of about this size, so two
# processes can share it and an edit re-lays out one piece. A piece ends before an action whose
# reference hashes to a multiple of a power of two chosen so pieces come out about this size (and not
# before a quarter of it; at the latest at twice it): where the pieces are cut depends on the
# actions there, not on what comes before, so an edit, or a new action, moves no other boundary. Each
# piece after the first starts a page, as a chapter does: the page before it may end short, as before
# an action too tall for the rest of a page.
PIECE_CHARS = 80_000
_ARTICLE = re.compile(r'<article class="action\b[^"]*" id="([^"]+)"')
_REF = re.compile(r'<span class="ref">([^<]+)</span>')


@dataclass
class Part:
    name: str
    html: str
    ids: list[str]
    chapters: list[tuple[str, str]] = field(default_factory=list)   # (anchor, the name its h1 prints)


@dataclass
class Split:
    parts: list[Part]          # front, contents, chapters, in order
    title: str                 # the document's <title>
    lang: str
    header: str                # the running head's text
    footer: str                # the running foot's text
    header_lead: str = ""      # the running head's bold lead (the organisation's short name)
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=author|description|keywords>


def split(full_html: str) -> Split:
    """The full plan's HTML cut into parts (see the module docstring)."""
    body_at = full_html.index('<body class="full">')
    head = full_html[:body_at]
    head_end = head.rindex("</head>")
    head = head[:head_end] + _NO_MARGIN_BOXES + head[head_end:]
    body_open = '<body class="full">'
    body = full_html[body_at + len(body_open):full_html.rindex("</body>")]
    starts = list(_TOP.finditer(body))
    if not starts:
        raise ValueError("the full plan's HTML has no chapters to split it at")
    preamble = body[:starts[0].start()]
    runhead = m.group(1) if (m := re.search(r'<div class="runhead"[^>]*>(.*?)</div>', preamble, re.S)) else ""
    # "<strong>SKC</strong> <span class="sep">|</span> Plan 2014/15": the lead in bold blue, a pale bar
    lead = re.match(r'\s*<strong>(.*?)</strong>\s*<span class="sep">\|</span>(.*)$', runhead, re.S)
    header_lead, header = (_text(lead.group(1)), _text(lead.group(2))) if lead else ("", _text(runhead))
    footer = _text(m.group(1)) if (m := re.search(r'<div class="runfoot"[^>]*>(.*?)</div>', preamble, re.S)) else ""
    title = _text(m.group(1)) if (m := re.search(r"<title>(.*?)</title>", head, re.S)) else ""
    lang = m.group(1) if (m := re.search(r'<html lang="([^"]+)"', head)) else "en-GB"

    groups: list[tuple[str, list[str], list[tuple[str, str]]]] = []
    for i, start in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        element = body[start.start():end]
        tag, classes = start.group(1), start.group(2).split()
        anchor = m.group(1) if (m := _ID.search(start.group(0))) else ""
        h1 = _H1.search(element)
        # the chapter name the page furniture prints (the h1 sets it; an element with no id, the
        # contents, names its part's first page)
        named = [(anchor, _text(h1.group(1)))] if h1 and "cover" not in classes else []
        if tag == "nav":
            name = CONTENTS
        elif "cover" in classes or ("front" in classes and (not groups or groups[-1][0] == FRONT)):
            name = FRONT
        elif "run-on" in classes and groups and groups[-1][0] not in (FRONT, CONTENTS):
            groups[-1][1].append(element)
            groups[-1][2].extend(named)
            continue
        else:
            name = anchor or f"chapter-{i + 1}"
            if len(element) > 2 * PIECE_CHARS and tag == "section":
                pieces = _pieces(element, start.group(0))
                if len(pieces) > 1:
                    groups.append((name, [pieces[0]], named))
                    groups.extend((f"{name}~{k}", [piece], []) for k, piece in enumerate(pieces[1:], 2))
                    continue
        # a small chapter joins the small ones before it until they make a part's worth; a chapter
        # of a part's worth or more is a part of its own, so an edit that grows it moves no boundary
        small = (name not in (FRONT, CONTENTS) and groups and groups[-1][0] not in (FRONT, CONTENTS)
                 and len(element) < MIN_PART_CHARS and sum(map(len, groups[-1][1])) < MIN_PART_CHARS)
        if groups and (groups[-1][0] == name or small):
            # a chapter joins the part before while that part is small: each part costs a document's
            # set-up (stylesheets, fonts, writing, the merge), which a few pages do not repay
            groups[-1][1].append(element)
            groups[-1][2].extend(named)
        else:
            groups.append((name, [element], named))

    ids = {name: _ID.findall("".join(elements)) for name, elements, _ in groups}
    owner = {anchor: name for name, found in ids.items() for anchor in found}
    parts = []
    for name, elements, named in groups:
        inner = "".join(elements)
        mine = set(ids[name])

        def relink(match: re.Match, mine=mine) -> str:
            target = html_lib.unescape(match.group(1))
            if target in mine or target not in owner:
                return match.group(0)
            return f'href="{DEST_PREFIX}{match.group(1)}"'

        inner = _ids_inward(_HREF.sub(relink, inner))
        page = f"{head}{body_open}{preamble}{inner}</body>\n</html>\n"
        parts.append(Part(name, page, ids[name], named))
    meta = {name: html_lib.unescape(content) for name, content in
            re.findall(r'<meta name="(author|description|keywords)" content="([^"]*)">', head)}
    return Split(parts, title, lang, header, footer, header_lead, meta)


# WeasyPrint gives an element with an id a style of its own (the id is an anchor declaration, so no
# two such elements can share one), and so every element inside it too: a chapter's or an action's
# id made each of its thousands of elements compute its styles afresh (a third of a part's layout).
# In a part an id moves inward to the element's first child while that child starts at once and has
# none (a chapter's to its heading, an action's to its reference, a row's to its first cell), where
# the anchor lands on the same page; never into a table's header row, which repeats on every page.
_ID_INWARD = re.compile(
    r'<(?P<outer>section|article|div|nav|table|caption|tbody|tr|td|th|li|ul|ol|dl|dt|dd|p|h[1-6]|span|strong|em)'
    r'(?P<before>\b[^>]*?) id="(?P<id>[^"]*)"(?P<after>[^>]*)>(?P<gap>\s*)'
    r'<(?P<inner>section|article|div|table|caption|tbody|tr|td|th|li|ul|ol|dl|dt|dd|p|h[1-6]|span|strong|em|a)'
    r'(?P<rest>\b(?![^>]*\sid=)[^>]*)>')


def _ids_inward(html: str) -> str:
    """`html` with each id moved as far inward as _ID_INWARD allows (the same anchors, on the same
    pages; only a link's landing point moves, from a box's edge to its first line)."""
    def move(m: re.Match) -> str:
        return (f'<{m["outer"]}{m["before"]}{m["after"]}>{m["gap"]}'
                f'<{m["inner"]}{m["rest"]} id="{m["id"]}">')

    for _ in range(8):    # one level a pass; no chain in opgen's pages is deeper
        moved = _ID_INWARD.sub(move, html)
        if moved == html:
            break
        html = moved
    return html


def _pieces(element: str, opening: str) -> list[str]:
    """A big chapter (its HTML from its opening tag) cut before some of its actions (see PIECE_CHARS):
    each piece a whole section, the ones after the first opened by a copy of the chapter's opening tag
    without its id and with class "continued" (never "run-on": a piece starts a page)."""
    starts = list(_ARTICLE.finditer(element))
    if len(starts) < 2:
        return [element]
    average = (len(element) - starts[0].start()) / len(starts)
    every = 2 ** max(1, round(math.log2(max(2.0, 0.75 * PIECE_CHARS / average))))
    cuts, since = [], 0
    for match in starts[1:]:
        ref = _REF.search(element, match.end(), match.end() + 600)
        key = html_lib.unescape(ref.group(1)) if ref else match.group(1)   # the plan's own id
        size = match.start() - since
        steady = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % every == 0
        if (steady and size >= PIECE_CHARS // 4) or size >= 2 * PIECE_CHARS:
            cuts.append(match.start())
            since = match.start()
    if cuts and len(element) - cuts[-1] < PIECE_CHARS // 4:
        cuts.pop()    # a short last piece stays with the one before
    if not cuts:
        return [element]
    again = _ID.sub("", opening, count=1).replace(" run-on", "")
    again = again.replace('class="chapter', 'class="chapter continued', 1)
    bounds = [0, *cuts, len(element)]
    pieces = []
    for k in range(len(bounds) - 1):
        piece = element[bounds[k]:bounds[k + 1]]
        if k:
            piece = again + "\n" + piece
        if k < len(bounds) - 2:
            piece += "</section>\n"
        pieces.append(piece)
    return pieces


# --- the cache ------------------------------------------------------------------------------------

class PartCache:
    """Laid-out parts by key: `<key>.pdf` and `<key>.json` (page count, anchors by page) in a folder,
    written atomically. `used` collects the keys a build looked up or stored; `prune` removes the rest.
    `toolchain`: what besides the HTML shapes a part (opgen.outputs.toolchain_hash(), given by the
    build engine, so a cache kept on disk is never read by another version of opgen or its libraries)."""

    def __init__(self, folder: str | os.PathLike | None = None, *, toolchain: str = ""):
        self.folder = Path(folder) if folder is not None else None
        self.toolchain = toolchain
        self.memory: dict[str, tuple[bytes, dict]] = {}
        self.used: set[str] = set()

    def get(self, key: str) -> tuple[bytes, dict] | None:
        self.used.add(key)
        if key in self.memory:
            return self.memory[key]
        if self.folder is None:
            return None
        try:
            meta = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pdf = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or hashlib.sha256(pdf).hexdigest() != meta.get("sha256"):
            return None
        self.memory[key] = (pdf, meta)
        return pdf, meta

    def put(self, key: str, pdf: bytes, meta: dict) -> None:
        self.used.add(key)
        meta = dict(meta, sha256=hashlib.sha256(pdf).hexdigest())
        self.memory[key] = (pdf, meta)
        if self.folder is not None:
            try:
                write_atomic(self.folder / f"{key}.pdf", pdf)
                write_atomic(self.folder / f"{key}.json", json.dumps(meta, sort_keys=True).encode())
            except OSError:   # the paper is still built; the next build lays the part out again
                pass

    def hint(self, key: str) -> dict | None:
        """A small record kept without a PDF (the contents' length for its entries)."""
        self.used.add(key)
        if self.folder is None:
            return self.memory.get(key, (b"", None))[1]
        try:
            meta = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None

    def put_hint(self, key: str, meta: dict) -> None:
        self.used.add(key)
        self.memory[key] = (b"", meta)
        if self.folder is not None:
            try:
                write_atomic(self.folder / f"{key}.json", json.dumps(meta, sort_keys=True).encode())
            except OSError:
                pass

    def prune(self) -> None:
        """Remove every entry this build did not use (parts of earlier versions of the plan)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix in (".pdf", ".json") and path.stem not in self.used:
                try:
                    path.unlink()
                except OSError:
                    pass


# --- laying out ------------------------------------------------------------------------------------

def layout(job: tuple[str, str, str]) -> tuple[bytes, dict]:
    """Lay out one part: (html, ISO timestamp, identifier seed) -> (PDF bytes, {"pages", "anchors"}),
    anchors as {name: page index} in the order they are laid out. Module level and picklable, for
    a process pool's map."""
    from opgen.render.weasy import document_to_pdf, render_with_shared_styles

    html, stamp, seed = job
    document = render_with_shared_styles(html)
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    pdf = document_to_pdf(document, html=html, timestamp=dt.datetime.fromisoformat(stamp), identifier_seed=seed)
    return pdf, {"pages": len(document.pages), "anchors": anchors,
                 "landscape": [p.width > p.height for p in document.pages]}


def part_key(html: str, toolchain: str) -> str:
    digest = hashlib.sha256(toolchain.encode())
    digest.update(html.encode("utf-8"))
    return digest.hexdigest()


def _contents_html(part: Part, pages: dict[str, int], digits: int) -> str:
    """The contents part printing each entry's page: the number in the entry's data-page attribute,
    padded to `digits` figures with figure spaces (so its width, and the contents' length, never depend
    on it), printed by one rule after the stylesheets (one rule an entry made the contents of a
    1,000-action plan take seconds to match)."""
    def numbered(match: re.Match) -> str:
        target = html_lib.unescape(match.group(2))
        if target not in pages:
            return match.group(0)
        return f'{match.group(0)} data-page="{f"{pages[target]}".rjust(digits, FIGURE_SPACE)}"'

    at = part.html.index("</head>")
    body = _ENTRY_HREF.sub(numbered, part.html[at:])
    # (the leader as in operational-plan.css's own rule: em spaces, laid out faster than spaces)
    style = '<style>\n.toc a[data-page]::after { content: leader("\\2003") attr(data-page); }\n</style>\n'
    return part.html[:at] + style + body


def _here(fn: Callable, arg):
    return fn(arg)


@dataclass
class Built:
    pdf: bytes
    laid_out: list[str]        # the parts laid out by this build (the others came from the cache)
    parts: list[str]           # every part, in order
    pages: dict[str, int]      # each part's page count


class PlanBuild:
    """One build of the full plan's PDF in parts: `jobs()` are the parts to lay out (not cached),
    `finish(results)` stores them, lays out the contents and merges."""

    def __init__(self, full_html: str, *, timestamp: dt.datetime, seed: str, cache: PartCache | None = None):
        self.split = split(full_html)
        self.timestamp = timestamp
        self.stamp = timestamp.isoformat()
        self.seed = seed
        self.cache = cache if cache is not None else PartCache()
        self.keys = {p.name: part_key(p.html, self.cache.toolchain) for p in self.split.parts if p.name != CONTENTS}
        self.found: dict[str, tuple[bytes, dict]] = {}
        self.todo: list[str] = []
        for part in self.split.parts:
            if part.name == CONTENTS:
                continue
            hit = self.cache.get(self.keys[part.name])
            if hit is None:
                self.todo.append(part.name)
            else:
                self.found[part.name] = hit
        self.laid_out: list[str] = []
        # With no record of the contents' length (a cold build), a sketch of it (every entry's page
        # printed as 0, as wide as the real numbers) is laid out beside the parts, so the contents
        # is laid out once at the end instead of twice.
        self.sketch: str | None = None
        if any(p.name == CONTENTS for p in self.split.parts):
            contents = self._part(CONTENTS)
            if self.cache.hint(self._skeleton_key(contents)) is None:
                self.sketch = _contents_html(contents, dict.fromkeys(_targets(contents.html), 0), 3)

    def _skeleton_key(self, contents: Part) -> str:
        return "entries-" + part_key(contents.html, self.cache.toolchain)

    def _part(self, name: str) -> Part:
        return next(p for p in self.split.parts if p.name == name)

    def _seed(self, name: str) -> str:
        return f"{self.seed}:{name}"

    def jobs(self) -> list[tuple[str, str, str]]:
        """The layouts this build needs, in order: the parts not cached, then the contents' sketch."""
        jobs = [(self._part(name).html, self.stamp, self._seed(name)) for name in self.todo]
        if self.sketch is not None:
            jobs.append((self.sketch, self.stamp, self._seed(CONTENTS)))
        return jobs

    def finish(self, results: Iterable[tuple[bytes, dict]], *, run: Callable[[Callable, object], object] = _here,
               concurrent: bool = False) -> Built:
        """The merged PDF from the results of `jobs()`, in the same order. `run(fn, arg)` returns
        fn(arg) for the layouts still needed (the contents, the page furniture): here by default, in a
        worker process for a build with -j N. `concurrent`: the contents is laid out (through `run`,
        from a thread) while the merge takes in the other parts; otherwise when the merge comes to it.
        Either way the merge takes the contents in last, so the bytes are the same."""
        from opgen.render.merge import Part as MergePart, merge

        results = list(results)
        if self.sketch is not None:
            sketched = results.pop()
            self.cache.put_hint(self._skeleton_key(self._part(CONTENTS)), {"pages": int(sketched[1]["pages"])})
        for name, (pdf, meta) in zip(self.todo, results):
            self.cache.put(self.keys[name], pdf, meta)
            self.found[name] = (pdf, meta)
            self.laid_out.append(name)
        order = [p.name for p in self.split.parts]
        parts = [MergePart(pdf=self._contents_pdf(order, run, concurrent) if name == CONTENTS else self.found[name][0])
                 for name in order]
        merged = merge(parts, title=self.split.title, lang=self.split.lang, timestamp=self.timestamp,
                       identifier_seed=self.seed, furniture=lambda: self._furniture(order),
                       author=self.split.meta.get("author", ""), subject=self.split.meta.get("description", ""),
                       keywords=self.split.meta.get("keywords", ""), run=run)
        return Built(merged, list(self.laid_out), order, self._pages(order))

    def _contents_pdf(self, order: list[str], run: Callable[[Callable, object], object],
                      concurrent: bool) -> Callable[[], bytes]:
        """What the merge calls for the contents' PDF (opgen.render.merge.Part): the contents laid out
        then, or (concurrent) started now in a thread of its own and waited for then."""
        if concurrent:
            threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opgen-contents")
            future = threads.submit(self._contents, order, run)
            threads.shutdown(wait=False)
            laid_out = future.result
        else:
            def laid_out() -> tuple[bytes, dict]:
                return self._contents(order, run)

        def contents() -> bytes:
            self.found[CONTENTS] = laid_out()
            return self.found[CONTENTS][0]
        return contents

    def _pages(self, order: list[str]) -> dict[str, int]:
        return {name: int(self.found[name][1]["pages"]) for name in order}

    def _furniture(self, order: list[str]) -> list:
        """Each page's running head, chapter, footer and "Page X of Y" (none on the cover), once every
        part's length is known (the contents' too)."""
        from opgen.render.merge import Furniture

        pages = self._pages(order)
        starts, page = {}, 1
        for name in order:
            starts[name] = page
            page += pages[name]
        total = page - 1
        furniture = []
        section = ""
        for part in self.split.parts:
            meta = self.found[part.name][1]
            first_on = {}
            for anchor, text in part.chapters:
                first_on.setdefault(int(meta["anchors"].get(anchor, 0)) if anchor else 0, text)
            landscape = meta.get("landscape") or [False] * pages[part.name]
            for index in range(pages[part.name]):
                number = starts[part.name] + index
                section = first_on.get(index, section)
                if part.name == FRONT and index == 0:    # the cover
                    furniture.append(Furniture())
                    continue
                where = _LANDSCAPE if landscape[index] else _PORTRAIT
                furniture.append(Furniture(header=self.split.header or None, header_lead=self.split.header_lead or None,
                                           header_right=section or None,
                                           footer=self.split.footer or None,
                                           page_label=display.page_of(number, total), **where))
        return furniture

    def _contents(self, order: list[str], run: Callable[[Callable, object], object]) -> tuple[bytes, dict]:
        """The contents, laid out last: as long as it was for the same entries (the last build's
        count, else one page), laid out again (at most twice more) if its length differs; each
        layout cached by its HTML like any part."""
        part = self._part(CONTENTS)
        skeleton = self._skeleton_key(part)
        known = self.cache.hint(skeleton)
        targets = _targets(part.html)
        count = int(known["pages"]) if known and isinstance(known.get("pages"), int) else 1
        for attempt in range(3):
            anchor_pages: dict[str, int] = {}
            page = 1
            for name in order:
                if name == CONTENTS:
                    page += count
                    continue
                meta = self.found[name][1]
                for anchor, index in meta["anchors"].items():
                    if anchor in targets:
                        anchor_pages[anchor] = page + int(index)
                page += int(meta["pages"])
            digits = max(3, len(str(page - 1)))
            html = _contents_html(part, anchor_pages, digits)
            key = part_key(html, self.cache.toolchain)
            hit = self.cache.get(key)
            if hit is None:
                hit = run(layout, (html, self.stamp, self._seed(CONTENTS)))
                self.cache.put(key, *hit)
                self.laid_out.append(CONTENTS)
            if int(hit[1]["pages"]) == count or attempt == 2:
                self.cache.put_hint(skeleton, {"pages": int(hit[1]["pages"])})
                return hit
            count = int(hit[1]["pages"])
        raise AssertionError("the contents' loop returns on its third attempt")


def _targets(contents_html: str) -> set[str]:
    """The anchors the contents' entries link to (in this part or another)."""
    return {html_lib.unescape(m.group(2)) for m in _ENTRY_HREF.finditer(contents_html)}


def build(full_html: str, *, timestamp: dt.datetime, seed: str, cache: PartCache | None = None,
          map_fn: Callable[[Callable, Iterable], Iterable] = map) -> Built:
    """The full plan's PDF from its HTML, in parts (see the module docstring)."""
    job = PlanBuild(full_html, timestamp=timestamp, seed=seed, cache=cache)
    return job.finish(list(map_fn(layout, job.jobs())))
