"""The full plan's PDF built in parts (opgen.render.plan_parts): an edit re-lays out only the part it
touches, and the result is the bytes a cold build of the edited plan gives; the contents, "Page X
of Y", links and bookmarks are right after a part grows."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pikepdf
import pytest

from opgen.pipeline import plan_from_bytes
from opgen.render.pdf import operational_plan_parts
from opgen.render.plan_parts import CONTENTS, FRONT, PartCache, split

ROOT = Path(__file__).resolve().parent.parent
SKC = (ROOT / "plans" / "south-kent-coast-2014-16.yaml").read_text(encoding="utf-8")
# one field: a line of action OOH-01's description (in programme 1's chapter only)
LINE = "      - Revised Intermediate Care Pathway\n"
EDITED = SKC.replace(LINE, "      - Revised Intermediate Care Pathway, agreed with Kent Community Health\n", 1)
# the same description made a page and more longer: programme 1's chapter grows
GROWN = SKC.replace(LINE, "".join(f"      - Revised Intermediate Care Pathway, step {i} of the review agreed "
                                  "with Kent Community Health and the acute trust\n" for i in range(60)), 1)


def _plan(text: str):
    result = plan_from_bytes(text.encode("utf-8"), "skc.yaml")
    assert result.ok
    return result


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Cold SKC, then the edited plan (incremental, same cache), then the edited plan cold (fresh
    cache), then the grown plan (incremental)."""
    assert EDITED != SKC and GROWN != SKC
    warm = tmp_path_factory.mktemp("warm")
    fresh = tmp_path_factory.mktemp("fresh")
    out = {}
    for name, text, folder in (("cold", SKC, warm), ("edited", EDITED, warm), ("edited_cold", EDITED, fresh),
                               ("grown", GROWN, warm)):
        r = _plan(text)
        cache = PartCache(folder)
        page, built = operational_plan_parts(r.plan, r.report.diagnostics, cache=cache)
        cache.prune()
        out[name] = (page.html, built, sorted(p.name for p in folder.iterdir()))
    return out


def test_incremental_bytes_equal_a_cold_build_of_the_edited_plan(builds):
    _, cold, _ = builds["cold"]
    _, edited, _ = builds["edited"]
    _, edited_cold, _ = builds["edited_cold"]
    assert edited.pdf != cold.pdf
    assert edited.pdf == edited_cold.pdf


def _owner(html: str, anchor: str) -> str:
    """The part that holds the element with this id (small chapters share a part)."""
    return next(p.name for p in split(html).parts if anchor in p.ids)


def test_only_the_touched_chapter_is_laid_out_again(builds):
    _, cold, _ = builds["cold"]
    html, edited, files = builds["edited"]
    assert len(cold.laid_out) >= len(cold.parts) >= 5       # a cold build lays every part out
    # the edit's chapter's part only; same pages, same contents
    assert edited.laid_out == [_owner(html, "part-domain-1")]
    # the cache holds this build's parts only (the edited chapter's old layout is pruned)
    pdfs = {Path(f).stem for f in files if f.endswith(".pdf")}
    assert len(pdfs) == len(edited.parts) and all(f.endswith((".pdf", ".json")) for f in files)


def _page_texts(pdf: bytes) -> list[str]:
    pages = len(pikepdf.open(io.BytesIO(pdf)).pages)
    out = []
    for i in range(1, pages + 1):
        done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(i), "-l", str(i), "-", "-"],
                              input=pdf, capture_output=True, timeout=60, check=True)
        out.append(done.stdout.decode("utf-8"))
    return out


def _dest_pages(pdf: bytes) -> tuple[dict[str, int], list[list[str]], list]:
    """Named destination -> page number; each page's internal links (their /Dest); the outline."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        index = {p.objgen: i + 1 for i, p in enumerate(doc.pages)}
        names = {}
        tree = doc.Root.Names.Dests
        stack = [tree]
        while stack:
            node = stack.pop()
            if "/Names" in node:
                arr = node.Names
                for i in range(0, len(arr), 2):
                    names[str(arr[i])] = index[arr[i + 1][0].objgen]
            stack.extend(node.get("/Kids", []))
        links = []
        for page in doc.pages:
            links.append([str(a.Dest) for a in page.get("/Annots", []) if "/Dest" in a])
        with doc.open_outline() as outline:
            top = [(item.title, [c.title for c in item.children]) for item in outline.root]
    return names, links, top


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
@pytest.mark.parametrize("name", ["edited", "grown"])
def test_contents_page_numbers_page_labels_links_and_bookmarks(builds, name):
    html, built, _ = builds[name]
    texts = _page_texts(built.pdf)
    total = len(texts)
    assert total == sum(built.pages.values())
    for number, text in enumerate(texts[1:], start=2):               # none on the cover
        assert f"Page {number} of {total}" in text
    assert "Page 1 of" not in texts[0]

    names, links, outline = _dest_pages(built.pdf)
    chapters = [c for p in split(html).parts if p.name not in (FRONT, CONTENTS) for c in p.chapters]
    start = built.pages[FRONT]
    contents = "\n".join(texts[start:start + built.pages[CONTENTS]])
    contents_links = {d for page in links[start:start + built.pages[CONTENTS]] for d in page}
    for anchor, title in chapters:
        entry = title.removeprefix("Appendix ")   # the contents lists "A Better Care Fund Plan"
        line = next(li for li in contents.splitlines() if " ".join(li.split()).startswith(entry))
        printed = int(line.split()[-1].replace("\u2007", ""))
        assert printed == names[anchor], (title, printed, names[anchor])
        assert anchor in contents_links
        # the chapter's page carries its name top right, under the running head
        assert title in " ".join(texts[names[anchor] - 1].split())
    titles = [t for t, _ in outline]
    assert "Document control" in titles and any(t.endswith("Out of Hospital Programme") for t in titles)
    assert any(children for _, children in outline)            # chapters' h2s nest under them as before


def test_a_part_that_grows_moves_every_later_page(builds):
    html, edited, _ = builds["edited"]
    _, grown, _ = builds["grown"]
    part = _owner(html, "part-domain-1")
    assert grown.pages[part] > edited.pages[part]
    assert sum(grown.pages.values()) > sum(edited.pages.values())
    # the grown chapter's part and the contents (its numbers moved) are laid out; nothing else
    assert sorted(grown.laid_out) == sorted([part, CONTENTS])


def test_cross_part_links_resolve_to_their_chapter(builds):
    """A link in one chapter to an anchor in another ("see ..." cross-references, the glance table's
    programmes) is an internal link in the merged PDF, to a destination that exists."""
    html, built, _ = builds["edited"]
    names, links, _ = _dest_pages(built.pdf)
    every = [d for page in links for d in page]
    assert every and all(d in names for d in every)
    parts = split(html).parts
    vision = next(p for p in parts if "part-vision" in p.ids)
    if "part-domain-1" not in vision.ids:   # the glance table links each programme's chapter
        assert 'href="dest:part-domain-1"' in vision.html
    crossing = [p.name for p in parts if "dest:" in p.html]
    assert crossing, "no part links to another: the test no longer exercises the merge's dest: links"
    with pikepdf.open(io.BytesIO(built.pdf)) as doc:
        for page in doc.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A")
                assert action is None or not str(action.get("/URI", "")).startswith("dest:")


def test_split_keeps_every_chapter_once_and_runs_short_programmes_on():
    r = _plan(SKC)
    from opgen.render.html import operational_plan_html

    html = operational_plan_html(r.plan, r.report.diagnostics)
    parts = split(html)
    names = [p.name for p in parts.parts]
    assert names[:1] == [FRONT] and CONTENTS in names and len(set(names)) == len(names)
    body_ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted(body_ids) == sorted(i for p in parts.parts for i in p.ids)
    for p in parts.parts:
        assert "@top-left { content: none }" in p.html      # furniture is stamped by the merge
