"""The board pack's PDF and Word editions (opgen.render.pack_pdf, opgen.render.docx.pack), checked as
a board member would: every plan named, "Not stated" where the view says so, the contents' page
numbers where the parts really start, a bookmark per plan with its parts under it, the Word pack's
headings and tables saying what the view says, the same bytes every time, and a part that did not
change reused rather than laid out again."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from pack_sample import KENT, sample_view

from opgen import display
from opgen.render.docx.pack import pack_docx
from opgen.render.pack_pdf import part_ids, part_key, pack_pdf

ONE = ["thanet-2015-16"]


@pytest.fixture(scope="module")
def view6():
    return sample_view(KENT)


@pytest.fixture(scope="module")
def pdf6(view6):
    return pack_pdf(view6)


@pytest.fixture(scope="module")
def view1():
    return sample_view(ONE, broken=False)


@pytest.fixture(scope="module")
def pdf1(view1):
    return pack_pdf(view1)


def pages_text(pdf: bytes) -> list[str]:
    """pdftotext -layout, one string per page."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


def heads(page: str, heading: str) -> bool:
    """The page opens with `heading` (after the running header the merge stamps above it)."""
    lines = [flat(x) for x in page.splitlines() if x.strip()][:3]
    return any(x.startswith(heading) for x in lines)


def counting_map(calls: list):
    def fn(f, jobs):
        jobs = list(jobs)
        calls.extend(jobs)
        return map(f, jobs)
    return fn


# --- what the PDF prints -------------------------------------------------------------------------------

def test_pdf_names_every_included_plan_and_the_one_left_out(view6, pdf6):
    text = flat(" ".join(pages_text(pdf6)))
    assert len(view6.plans) == 6
    for p in view6.plans:
        assert flat(p.organisation) in text
        assert flat(p.title) in text
    [(path, reason)] = view6.left_out
    assert path in text and flat(reason) in text


def test_pdf_says_not_stated_where_the_view_does(view6, pdf6):
    pages = pages_text(pdf6)
    unstated = [(t, r.label) for t in view6.summary for r in t.rows for c in r.cells if c.text == display.NOT_STATED]
    unstated += [(p, label) for p in view6.plans for label, value in p.facts if value == display.NOT_STATED]
    assert unstated, "the sample has a figure the plans do not state"
    for owner, label in unstated:
        assert any(display.NOT_STATED in page and flat(label) in flat(page) for page in pages), label
    assert "£0 " not in " ".join(pages).replace("£0k", "")  # an absent figure is never printed as £0


def _contents_numbers(page: str) -> list[tuple[str, int]]:
    """Each contents line's text and the page number at its end, in order."""
    out = []
    for line in page.splitlines():
        m = re.match(r"\s*(.*?\S)\s{2,}(\d+)\s*$", line)
        if m:
            out.append((flat(m.group(1)), int(m.group(2))))
    return out


@pytest.mark.parametrize("which", ["six", "one"])
def test_contents_page_numbers_are_where_the_parts_start(which, view6, pdf6, view1, pdf1):
    view, pdf = (view6, pdf6) if which == "six" else (view1, pdf1)
    pages = pages_text(pdf)
    contents = next(i for i, p in enumerate(pages) if heads(p, display.PACK_WORDS["contents"]))
    lines = _contents_numbers(pages[contents])
    numbers = dict(lines)
    words = display.PACK_WORDS
    for p in view.plans:
        [k] = [k for k, (text, n) in enumerate(lines) if text.startswith(flat(p.organisation))]
        start = lines[k][1]
        divider = pages[start - 1]
        assert flat(p.organisation) in flat(divider) and words["plan_facts"] in divider, (p.name, start)
        label, pop = lines[k + 1]
        assert label == words["plan_on_a_page"] and pop > start   # the plan on a page follows its part
        assert flat(p.title).split()[0] in pages[pop - 1]   # the plan on a page's masthead names the plan
        assert words["plan_facts"] not in pages[pop - 1]
    glossary = numbers[words["glossary"]]
    assert heads(pages[glossary - 1], words["glossary"])
    assert glossary == len(pages)
    # the front's own headings, numbered by WeasyPrint, agree too
    assert heads(pages[numbers[words["summary"]] - 1], words["summary"])


def test_contents_links_go_to_the_pages_they_print(view6, pdf6):
    """Every link on the contents page (to a part, "pack-part:", or to a heading of the front) goes to
    the page number printed beside it."""
    reader = PdfReader(io.BytesIO(pdf6))
    pages = pages_text(pdf6)
    contents = next(i for i, p in enumerate(pages) if heads(p, display.PACK_WORDS["contents"]))
    printed = sorted(n for _, n in _contents_numbers(pages[contents]))
    page_numbers = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(reader.pages)}
    targets = []
    for annot in reader.pages[contents].get("/Annots", []):
        annot = annot.get_object()
        action = annot.get("/A")
        dest = action.get("/D") if action is not None else annot.get("/Dest")
        if action is not None and action.get("/S") == "/URI":
            raise AssertionError(f"a contents link was left unresolved: {action.get('/URI')}")
        if isinstance(dest, (str, bytes)) or hasattr(dest, "original_bytes"):
            dest = reader.named_destinations[str(dest)]
            targets.append(reader.get_destination_page_number(dest) + 1)
        else:
            targets.append(page_numbers[dest[0].idnum])
    assert sorted(set(targets)) == sorted(set(printed))


def test_furniture_page_label_counts_every_page(view6, pdf6):
    """Every page says "Page X of Y", a plan on a page too (in the strip below its own footer); the
    pages the pack lays out also carry the running header naming their plan."""
    pages = pages_text(pdf6)
    total = len(pages)
    assert [i for i, page in enumerate(pages, 1) if display.page_of(i, total) not in page] == []
    for p in view6.plans:
        [divider] = [page for page in pages if display.PACK_WORDS["plan_facts"] in page and flat(p.organisation) in flat(page)]
        assert flat(display.plan_header(p.organisation, p.title)) in flat(divider)   # the running header names the plan
    assert view6.title in pages[0] and display.pack_footer(view6.cover["board"], view6.cover["meeting"],
                                                           view6.cover["item"]) in pages[0]


def test_one_bookmark_per_plan_with_its_parts_under_it(view6, pdf6):
    reader = PdfReader(io.BytesIO(pdf6))
    outline = reader.outline
    tops = [item for item in outline if not isinstance(item, list)]
    assert [t.title for t in tops] == [view6.title] + [p.organisation for p in view6.plans] + \
        [display.PACK_WORDS["glossary"]]
    pages = pages_text(pdf6)
    for i, p in enumerate(view6.plans, 1):
        children = outline[outline.index(tops[i]) + 1]
        assert isinstance(children, list)
        titles = [c.title for c in children if not isinstance(c, list)]
        assert titles[-1] == display.PACK_WORDS["plan_on_a_page"]
        start = reader.get_destination_page_number(tops[i])
        assert flat(p.organisation) in flat(pages[start])
        pop = [c for c in children if not isinstance(c, list)][-1]
        at = reader.get_destination_page_number(pop)
        assert at > start and flat(p.title).split()[0] in pages[at]


def test_pdf_document_title_and_language(view1, pdf1):
    reader = PdfReader(io.BytesIO(pdf1))
    assert reader.metadata.title == view1.title
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"


# --- parts, keys and the cache --------------------------------------------------------------------------

def test_part_ids_in_pack_order(view6):
    ids = part_ids(view6)
    assert ids[0] == "front" and ids[-1] == "glossary"
    assert ids[1:-1] == [x for p in view6.plans for x in (f"plan-{p.name}", f"pop-{p.name}")]


def test_part_key_follows_what_the_part_prints(view1):
    pid = f"plan-{view1.plans[0].name}"
    key = part_key(view1, pid)
    assert key == part_key(view1, pid) and len(key) == 64
    changed = dataclasses.replace(view1, plans=[dataclasses.replace(view1.plans[0], title="Another title")])
    assert part_key(changed, pid) != key
    assert part_key(changed, "glossary") == part_key(view1, "glossary")


def test_same_view_same_bytes_and_a_warm_cache_lays_out_nothing_again(view1, pdf1):
    cache: dict = {}
    calls: list = []
    first = pack_pdf(view1, cache=cache, map_fn=counting_map(calls))
    assert first == pdf1                        # same view, same bytes
    assert len(calls) == 2                      # the divider and the glossary (the pop is reused as it is)
    calls.clear()
    again = pack_pdf(view1, cache=cache, map_fn=counting_map(calls))
    assert again == first and calls == []


def test_one_changed_plan_lays_out_only_its_divider(view6, pdf6):
    cache: dict = {}
    pack_pdf(view6, cache=cache)
    part = view6.plans[2]
    changed = dataclasses.replace(view6, plans=[dataclasses.replace(p, facts=p.facts + [("Note", "Changed")])
                                                if p is part else p for p in view6.plans])
    calls: list = []
    pdf = pack_pdf(changed, cache=cache, map_fn=counting_map(calls))
    assert len(calls) == 1 and "Changed" in calls[0][0]
    assert pdf != pdf6


# --- the Word pack ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docx6(view6):
    return pack_docx(view6)


def test_docx_headings_are_the_view_s(view6, docx6):
    d = docx.Document(io.BytesIO(docx6))
    h1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in d.paragraphs if p.style.name == "Heading 2"]
    words = display.PACK_WORDS
    for p in view6.plans:
        assert p.organisation in h1
    assert [x for x in h1 if x in {p.organisation for p in view6.plans}] == [p.organisation for p in view6.plans]
    for key in ("summary", "matrix", "indicators", "glossary"):
        assert words[key] in h1
    for key in ("red_amber", "high_risks", "open_items"):   # each plan lists its own, under its heading
        assert h2.count(words[key]) == len(view6.plans)
    lists = {words[k] for k in ("plan_facts", "red_amber", "high_risks", "open_items")}
    assert [p.changes.since_label for p in view6.plans if p.changes] == [x for x in h2 if x not in lists]
    assert [p.text for p in d.paragraphs if p.style.name == "Title"] == [view6.title]


def _table_texts(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_docx_tables_hold_the_view_s_texts_with_repeating_headers(view6, docx6):
    d = docx.Document(io.BytesIO(docx6))
    tables = [_table_texts(t) for t in d.tables]
    for t in view6.summary + ([view6.matrix] if view6.matrix else []) + view6.indicators:
        want = [t.columns] + [[r.label] + [c.text + (f"\n{c.note}" if c.note else "") for c in r.cells] for r in t.rows]
        assert want in tables, t.caption
    glossary = [[term, meaning] for term, meaning in view6.glossary]
    assert any(tb[1:] == glossary for tb in tables)
    for p in view6.plans:
        assert any(tb[1:] == [list(f) for f in p.facts] for tb in tables)
    for t in d.tables:   # every table's first row repeats on each page it crosses
        assert t.rows[0]._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None


def test_docx_changes_and_red_amber_lines_are_printed(view6, docx6):
    d = docx.Document(io.BytesIO(docx6))
    paras = [p.text for p in d.paragraphs]
    cells = " ".join(c.text for t in d.tables for row in t.rows for c in row.cells)
    for p in view6.plans:
        if p.changes and p.changes.key_changes:
            assert p.changes.key_changes[0] in paras
            if p.changes.headline:
                assert p.changes.headline in paras
    for item in view6.high_risks + view6.red_amber:
        assert item.title in cells and item.status in cells


def test_docx_same_view_same_bytes(view6, docx6):
    assert pack_docx(view6) == docx6
