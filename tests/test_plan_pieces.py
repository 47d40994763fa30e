"""A programme chapter too long for one layout (hundreds of actions) is laid out in pieces that start
at an action (opgen.render.plan_parts.PIECE_CHARS): two processes share it, an edit re-lays out one
piece, and the paper still reads as one chapter: every action once, in order, the chapter's name at
the top of every page, the contents and links right."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess

import pikepdf
import pytest
import yaml

from opgen.pipeline import plan_from_bytes
from opgen.render import plan_parts
from opgen.render.html import operational_plan_html
from opgen.render.pdf import operational_plan_parts
from opgen.render.plan_parts import CONTENTS, FRONT, PartCache, split

from test_incremental import SKC, _dest_pages, _page_texts

ARTICLE = re.compile(r'<article class="action[^"]*" id="([^"]+)"')
# in a part an action's anchor is on its reference, not its <article> (plan_parts._ids_inward)
ACTION = re.compile(r'\sid="(act-[0-9]+-[0-9]+)"')


def _big(actions: int, edit=None) -> str:
    """SKC's YAML with its actions repeated to `actions` (new ids), optionally changed by `edit`."""
    data = yaml.safe_load(SKC)
    originals = data["actions"]
    data["actions"] = []
    for i in range(actions):
        action = copy.deepcopy(originals[i % len(originals)])
        action["id"] = f"{action['id']}-{i:04d}"
        for j, milestone in enumerate(action.get("milestones") or []):
            milestone["id"] = f"{action['id']}-M{j + 1}"
        data["actions"].append(action)
    if edit:
        edit(data["actions"])
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _html(text: str) -> str:
    result = plan_from_bytes(text.encode("utf-8"), "big.yaml")
    assert result.ok, [d.message for d in result.report.errors]
    return operational_plan_html(result.plan, result.report.diagnostics)


def _starts(parts) -> dict[str, str]:
    """Each piece (a part named "<chapter>~k") -> the anchor of the action it starts with."""
    return {p.name: ACTION.search(p.html[p.html.index("<body"):]).group(1) for p in parts if "~" in p.name}


@pytest.fixture(scope="module")
def big_html():
    return _html(_big(1000))


def test_a_long_programme_is_cut_before_an_action_and_nothing_is_lost(big_html):
    parts = split(big_html).parts
    pieces = [p for p in parts if "~" in p.name]
    assert len(pieces) >= 3, [(p.name, len(p.html)) for p in parts]
    body = big_html[big_html.index("<body"):]
    # every element id (each action, milestone, chapter) in exactly one part, and actions in order
    assert sorted(re.findall(r'\sid="([^"]+)"', body)) == sorted(i for p in parts for i in p.ids)
    in_parts = [a for p in parts for a in ACTION.findall(p.html[p.html.index("<body"):])]
    assert in_parts == ARTICLE.findall(body) and len(in_parts) == 1000
    for piece in pieces:
        inner = piece.html[piece.html.index("<body"):]
        opening = re.search(r'<section class="chapter[^"]*"[^>]*>', inner).group(0)
        # a piece is a whole chapter element that starts a page, with no second copy of the chapter's id
        assert "continued" in opening and "run-on" not in opening and " id=" not in opening
        assert inner.count("<section") == inner.count("</section>")
        assert re.match(r'\s*<article class="action', inner[inner.index(opening) + len(opening):])
        assert len(piece.html) < 5 * plan_parts.PIECE_CHARS
    # a piece does not name its chapter again: the running head keeps the chapter's name
    for piece in pieces:
        assert piece.name.split("~")[0] not in [anchor for anchor, _ in piece.chapters]


def test_real_plans_keep_one_part_a_chapter():
    """No example plan's chapter comes near a piece's size: their papers are laid out as before."""
    assert not [p.name for p in split(_html(SKC)).parts if "~" in p.name]


def test_an_edit_to_an_action_moves_no_other_piece_boundary(big_html):
    """Pieces are cut where the actions say, not by how much came before: an action made much longer
    (or shorter) leaves every piece but its own starting where it did, so an edit re-lays out one
    piece. (A new or removed action renumbers the anchors of those after it, so every later piece's
    HTML changes anyway.)"""
    before = _starts(split(big_html).parts)
    assert len(before) >= 5

    def grow(actions):      # an action early in the first programme gets a much longer description
        actions[3]["description"] = (actions[3].get("description") or "") + " More detail." * 400

    def shrink(actions):    # an action in the middle loses its description
        actions[400]["description"] = "Withdrawn."

    for edit in (grow, shrink):
        after = _starts(split(_html(_big(1000, edit))).parts)
        moved = set(before.values()) ^ set(after.values())
        # at most a boundary next to the change appears or goes: every other piece starts where it did
        assert len(moved) <= 1, (edit.__name__, sorted(moved))


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pieces_merge_into_one_chapter_with_right_pages_contents_and_links(monkeypatch, tmp_path):
    """SKC with pieces made small (so its programme chapters are cut): the merged paper prints the
    chapter's name on every page of every piece, Page X of Y throughout, contents numbers that
    match, links that land; and a rebuild from the cache gives the same bytes."""
    monkeypatch.setattr(plan_parts, "PIECE_CHARS", 4_000)
    result = plan_from_bytes(SKC.encode("utf-8"), "skc.yaml")
    page, built = operational_plan_parts(result.plan, result.report.diagnostics, cache=PartCache(tmp_path))
    parts = split(page.html).parts
    pieces = [p for p in parts if "~" in p.name]
    assert pieces, "the test no longer cuts a chapter"
    texts = _page_texts(built.pdf)
    total = len(texts)
    starts, page = {}, 1
    for name in built.parts:
        starts[name] = page
        page += built.pages[name]
    assert page - 1 == total
    names, links, _ = _dest_pages(built.pdf)
    for piece in pieces:
        chapter = piece.name.split("~")[0]
        title = next(t for p in parts for a, t in p.chapters if a == chapter)
        # (a chapter that runs on after the chapter's last piece names the pages from its own; a long
        # name is cut short in the running head, with an ellipsis: its first 30 characters are there)
        named = [title] + [t for _, t in piece.chapters]
        for number in range(starts[piece.name], starts[piece.name] + built.pages[piece.name]):
            text = " ".join(texts[number - 1].split())
            assert any(t[:30] in text for t in named) and f"Page {number} of {total}" in text, (piece.name, number)
        assert title in " ".join(texts[starts[piece.name] - 1].split())
        # the piece's actions are where the named destinations say
        anchors = ACTION.findall(piece.html)
        assert anchors
        for anchor in anchors:
            assert starts[piece.name] <= names[anchor] < starts[piece.name] + built.pages[piece.name]
    assert all(d in names for page in links for d in page)
    contents = "\n".join(texts[built.pages[FRONT]:built.pages[FRONT] + built.pages[CONTENTS]])
    for anchor, title in (c for p in parts if p.name not in (FRONT, CONTENTS) for c in p.chapters):
        line = next(li for li in contents.splitlines() if " ".join(li.split()).startswith(title.removeprefix("Appendix ")))
        assert int(line.split()[-1].replace("\u2007", "")) == names[anchor]
    _, again = operational_plan_parts(result.plan, result.report.diagnostics, cache=PartCache(tmp_path))
    assert again.pdf == built.pdf and again.laid_out == []
    with pikepdf.open(io.BytesIO(built.pdf)) as doc:
        assert len(doc.pages) == total


def test_an_id_moves_inward_never_into_a_repeated_header():
    page = ('<section class="chapter" id="c1">\n  <h1><span class="num-label">1</span> Title</h1>'
            '<article class="action" id="a1"><div class="action-head"><h2><span class="ref">X-1</span> Do</h2></div>'
            '<table class="grid" id="t1"><thead><tr><th>Ref</th></tr></thead><tbody>'
            '<tr id="m1"><td class="ref">X-1-M1</td></tr></tbody></table>'
            '<p id="p1">Text first <em>then</em></p></article></section>')
    moved = plan_parts._ids_inward(page)
    assert re.sub(r'\sid="[^"]*"', "", moved) == re.sub(r'\sid="[^"]*"', "", page)   # nothing else changes
    assert '<span class="num-label" id="c1">' in moved and '<span class="ref" id="a1">' in moved
    assert '<td class="ref" id="m1">' in moved and '<p id="p1">Text first' in moved
    assert '<table class="grid" id="t1">' in moved   # its first child is the header row, repeated on each page


def test_moving_the_ids_inward_moves_no_page_or_anchor(monkeypatch):
    """The ids move only to cut WeasyPrint's work: every part of a real plan lays out to the same
    pages, with every anchor on the same page and the same text on every page."""
    html = _html(SKC)
    moved = split(html).parts
    monkeypatch.setattr(plan_parts, "_ids_inward", lambda page: page)
    kept = split(html).parts
    assert [p.name for p in moved] == [p.name for p in kept]
    assert any(re.search(r'<article[^>]*\sid=', p.html) for p in kept)
    assert not any(re.search(r'<(article|section|tr)\b[^>]*\sid=', p.html) for p in moved)
    for a, b in zip(moved, kept):
        if a.name == CONTENTS:
            continue
        (pdf_a, meta_a), (pdf_b, meta_b) = (plan_parts.layout((p.html, "2015-01-01T00:00:00", "seed")) for p in (a, b))
        assert meta_a == meta_b, a.name
        assert _page_texts(pdf_a) == _page_texts(pdf_b), a.name
