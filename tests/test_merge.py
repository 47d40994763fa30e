"""opgen.render.merge: tagged PDFs from WeasyPrint merged into one that is as good as one WeasyPrint
would have written (structure, links, bookmarks, page furniture, document metadata, same bytes)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pikepdf import Array, Dictionary, Name, String

from opgen.render.merge import FURNITURE_COLOUR, Furniture, Part, merge, page_count
from opgen.render.weasy import html_to_pdf

STAMP = dt.datetime(2015, 3, 18, 9, 30, tzinfo=dt.timezone.utc)
MM = 72 / 25.4
SIZES = {"A4": (595.28, 841.89), "A4 landscape": (841.89, 595.28), "A5": (419.53, 595.28)}


# --- making real parts ----------------------------------------------------------------------------

def html_part(title: str, body: str, size: str = "A4") -> bytes:
    html = f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title><style>
      @font-face {{ font-family: "Inter"; src: url("../fonts/Inter-Regular.otf"); }}
      @font-face {{ font-family: "Inter"; font-weight: 700; src: url("../fonts/Inter-Bold.otf"); }}
      @page {{ size: {size}; margin: 22mm 20mm 20mm; }}
      body {{ font-family: "Inter"; font-size: 10pt; color: #212B32; }}
      h1, h2, h3 {{ color: #003087; }}
      .new-page {{ break-before: page; }}
    </style></head><body>{body}</body></html>"""
    return html_to_pdf(html, timestamp=STAMP, identifier_seed=title)


@functools.lru_cache(maxsize=None)
def report_part(name: str, pages: int = 2, size: str = "A4", link_to: str | None = None) -> bytes:
    """A small report: headings on every page, a table, a list, links inside the part and, when
    asked, a link to another part by its anchor."""
    body = [f'<h1 id="top">{name} summary</h1>',
            f'<p>Read <a href="#details">the details</a> of {name}.'
            + (f' See also <a href="pack-part:{link_to}">the other part</a>.' if link_to else "") + "</p>",
            "<ul><li>First point</li><li>Second point</li></ul>",
            "<table><caption>Savings</caption><thead><tr><th>Scheme</th><th>£000</th></tr></thead>"
            "<tbody><tr><td>Urgent care</td><td>120</td></tr><tr><td>Prescribing</td><td>80</td></tr></tbody></table>"]
    for page in range(2, pages + 1):
        anchor = ' id="details"' if page == 2 else ""
        body.append(f'<h2 class="new-page"{anchor}>{name} page {page}</h2><p>Back to <a href="#top">the top</a>.</p>'
                    f"<h3>{name} detail {page}</h3><p>Text.</p>")
    if pages == 1:
        body.append('<h2 id="details">Details</h2><p>Short.</p>')
    return html_part(name, "".join(body), size)


def furniture_for(n: int, header=lambda i: f"Running header {i + 1}") -> list[Furniture]:
    return [Furniture(header=header(i), footer="Kent HWB, 18 March 2015, item 5", page_label=f"Page {i + 1} of {n}")
            for i in range(n)]


def do_merge(parts, furniture=None, **kw):
    kw.setdefault("title", "Review of commissioning plans")
    return merge(parts, timestamp=STAMP, identifier_seed="test-pack", furniture=furniture, **kw)


@functools.lru_cache(maxsize=None)
def three_parts() -> tuple[bytes, list[int]]:
    """Part a (A4, 2 pages, links to c), part b (A4 landscape, 1 page, no bookmark), part c (A4, 3
    pages, links to a), with furniture."""
    parts = [Part(report_part("Alpha", 2, "A4", link_to="c"), anchor="a", bookmark="Alpha CCG"),
             Part(report_part("Beta", 1, "A4 landscape"), anchor="b"),
             Part(report_part("Gamma", 3, "A4", link_to="a"), anchor="c", bookmark="Gamma CCG")]
    counts = [page_count(p.pdf) for p in parts]
    return do_merge(parts, furniture_for(sum(counts))), counts


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


# --- reading the result back ----------------------------------------------------------------------

def kids(elem) -> list:
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def walk_structure(pdf: pikepdf.Pdf):
    """Every structure element with its parent, depth first, from the StructTreeRoot."""
    root = pdf.Root.StructTreeRoot
    stack = [(k, root) for k in reversed(kids(root))]
    while stack:
        elem, parent = stack.pop()
        if isinstance(elem, Dictionary) and "/S" in elem and elem.get("/Type") not in ("/MCR", "/OBJR"):
            yield elem, parent
            stack.extend((k, elem) for k in reversed(kids(elem)))


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    found: dict[int, object] = {}

    def visit(node):
        nums = node.get("/Nums", Array())
        for i in range(0, len(nums), 2):
            found[int(nums[i])] = nums[i + 1]
        for kid in node.get("/Kids", ()):
            visit(kid)
    visit(pdf.Root.StructTreeRoot.ParentTree)
    return found


def name_tree(node) -> dict[bytes, object]:
    found: dict[bytes, object] = {}
    names = node.get("/Names", Array())
    for i in range(0, len(names), 2):
        found[bytes(names[i])] = names[i + 1]
    for kid in node.get("/Kids", ()):
        found.update(name_tree(kid))
    return found


def page_mcids(pdf: pikepdf.Pdf, page) -> tuple[list[int], list[str], list[str]]:
    """(the MCIDs marked on the page, the operators that paint text or XObjects outside any marked
    content, the artifact types marked)."""
    mcids, untagged, artifacts = [], [], []
    depth = 0
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BDC", "BMC"):
            depth += 1
            if op == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                mcids.append(int(operands[1].MCID))
            if str(operands[0]) == "/Artifact":
                props = operands[1] if op == "BDC" else Dictionary()
                artifacts.append(str(props.get("/Type", "")) if isinstance(props, Dictionary) else "")
        elif op == "EMC":
            depth -= 1
        elif depth == 0 and op in ("Tj", "TJ", "'", '"', "Do", "sh"):
            untagged.append(op)
    return mcids, untagged, artifacts


def page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {p.obj.objgen: i for i, p in enumerate(pdf.pages)}


def resolve_dest(pdf: pikepdf.Pdf, dest) -> int:
    """The page index a destination (explicit array, or a name in /Names /Dests) goes to."""
    if isinstance(dest, (String, Name)):
        key = bytes(dest) if isinstance(dest, String) else str(dest)[1:].encode()
        dest = name_tree(pdf.Root.Names.Dests)[key]
    if isinstance(dest, Dictionary):
        dest = dest.D
    return page_index(pdf)[dest[0].objgen]


def outline(pdf: pikepdf.Pdf):
    def items(node):
        found = []
        item = node.get("/First")
        while item is not None:
            target = item.Dest if "/Dest" in item else item.A.D
            found.append((str(item.Title), resolve_dest(pdf, target), items(item)))
            item = item.get("/Next")
        return found
    return items(pdf.Root.Outlines)


def link_targets(pdf: pikepdf.Pdf) -> list[tuple[int, str, int | str]]:
    """(page, the link's text, target page or URI) for every link annotation."""
    found = []
    for i, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", ()):
            if annot.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annot:
                found.append((i, str(annot.get("/Contents", "")), resolve_dest(pdf, annot.Dest)))
            elif annot.A.S == "/GoTo":
                found.append((i, str(annot.get("/Contents", "")), resolve_dest(pdf, annot.A.D)))
            else:
                found.append((i, str(annot.get("/Contents", "")), str(annot.A.URI)))
    return found


def pdftotext_pages(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "merged.pdf"
    path.write_bytes(data)
    n = page_count(data)
    runs = [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(path), "-"],
                           capture_output=True, text=True, check=True) for i in range(1, n + 1)]
    assert not any(run.stderr for run in runs), runs[0].stderr[:300]   # e.g. a malformed ToUnicode CMap
    return [run.stdout for run in runs]


def word_boxes(data: bytes, tmp_path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) in points from the top left of a page (1-based), by pdftotext."""
    path = tmp_path / "boxes.pdf"
    path.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


def assert_structure_holds(pdf: pikepdf.Pdf) -> None:
    """Every MCID on every page is reached from exactly one struct element, via the ParentTree too,
    and that element's page is the page the content is on; every /P points at the real parent; every
    /Pg is a page of this document; every annotation's /StructParent maps to the element naming it."""
    pages = page_index(pdf)
    tree = parent_tree(pdf)
    reached: dict[tuple[tuple[int, int], int], int] = {}
    doc_elem = pdf.Root.StructTreeRoot.K[0]
    assert doc_elem.S == "/Document" and len(pdf.Root.StructTreeRoot.K) == 1
    for elem, parent in walk_structure(pdf):
        assert elem.P.objgen == parent.objgen, f"{elem.S} has a /P that is not its parent"
        if "/Pg" in elem:
            assert elem.Pg.objgen in pages, f"{elem.S} points at a page not in the document"
        for kid in kids(elem):
            if isinstance(kid, int) or (not isinstance(kid, Dictionary) and int(kid) == kid):
                key = (elem.Pg.objgen, int(kid))
            elif kid.get("/Type") == "/MCR":
                key = ((kid.Pg if "/Pg" in kid else elem.Pg).objgen, int(kid.MCID))
            elif kid.get("/Type") == "/OBJR":
                annot = kid.Obj
                assert tree[int(annot.StructParent)].objgen == elem.objgen
                page = kid.Pg if "/Pg" in kid else elem.Pg
                assert any(a.objgen == annot.objgen for a in page.get("/Annots", ())), "annotation not on its page"
                continue
            else:
                continue
            reached[key] = reached.get(key, 0) + 1
    marked = set()
    keys = set()
    for i, page in enumerate(pdf.pages):
        mcids, untagged, _ = page_mcids(pdf, page)
        assert untagged == [], f"page {i + 1} paints {untagged} outside marked content"
        assert len(mcids) == len(set(mcids))
        if not mcids:
            continue
        key = int(page.obj.StructParents)
        assert key not in keys
        keys.add(key)
        by_mcid = tree[key]
        for mcid in mcids:
            marked.add((page.obj.objgen, mcid))
            elem = by_mcid[mcid]
            assert elem.Pg.objgen == page.obj.objgen, f"MCID {mcid} on page {i + 1} maps to an element on another page"
            assert any(not isinstance(k, Dictionary) and int(k) == mcid for k in kids(elem)) or \
                any(isinstance(k, Dictionary) and k.get("/Type") == "/MCR" and int(k.MCID) == mcid for k in kids(elem))
    assert set(reached) == marked
    assert all(n == 1 for n in reached.values())
    annot_keys = [int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots", ()) if "/StructParent" in a]
    assert len(annot_keys) == len(set(annot_keys))
    assert not (set(annot_keys) & keys)
    assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) > max(set(annot_keys) | keys)


# --- the tests --------------------------------------------------------------------------------------

def test_pages_in_order_with_their_own_sizes():
    data, counts = three_parts()
    pdf = open_pdf(data)
    assert len(pdf.pages) == sum(counts) == 6
    sizes = [tuple(round(float(x)) for x in p.mediabox[2:]) for p in pdf.pages]
    assert sizes == [(595, 842), (595, 842), (842, 595), (595, 842), (595, 842), (595, 842)]


def test_tags_hold_up():
    data, _ = three_parts()
    pdf = open_pdf(data)
    assert pdf.check_pdf_syntax() == []
    assert_structure_holds(pdf)


def test_nothing_is_carried_that_nothing_points_at():
    part = report_part("Alpha", 2)
    merged = do_merge([Part(part)])
    assert len(merged) < len(part) * 1.1       # no copy of the part's old catalogue, tree or outline
    assert sorted(name_tree(open_pdf(merged).Root.Names.Dests)) == [b"details", b"top"]


def test_a_part_in_another_language_says_so_on_its_elements():
    welsh = html_to_pdf('<html lang="cy"><head><title>Cynllun</title></head><body><h1>Cynllun gweithredol</h1>'
                        "<p>Testun.</p></body></html>", timestamp=STAMP, identifier_seed="cy")
    pdf = open_pdf(do_merge([Part(report_part("Alpha", 1)), Part(welsh)]))
    tops = kids(pdf.Root.StructTreeRoot.K[0])
    assert [str(t.get("/Lang", "")) for t in tops if t.S == "/H1"] == ["", "cy"]


def test_a_part_that_is_not_a_pdf_is_a_clear_error():
    with pytest.raises(ValueError, match="part 2 is not a PDF"):
        do_merge([Part(report_part("Alpha", 1)), Part(b"<html>not a pdf</html>")])


def test_one_document_element_holds_each_parts_elements_in_order():
    pdf = open_pdf(three_parts()[0])
    doc_elem = pdf.Root.StructTreeRoot.K[0]
    tops = [str(k.S) for k in kids(doc_elem)]
    assert tops.count("/H1") == 3 and tops.count("/Table") == 3
    headings = [(str(e.S), e) for e, _ in walk_structure(pdf) if re.fullmatch(r"/H\d", str(e.S))]
    index = page_index(pdf)
    assert [(s, index[e.Pg.objgen]) for s, e in headings] == [
        ("/H1", 0), ("/H2", 1), ("/H3", 1),                   # Alpha
        ("/H1", 2), ("/H2", 2),                               # Beta
        ("/H1", 3), ("/H2", 4), ("/H3", 4), ("/H2", 5), ("/H3", 5)]  # Gamma


def test_links_are_tagged_and_go_where_they_went():
    pdf = open_pdf(three_parts()[0])
    links = [e for e, _ in walk_structure(pdf) if e.S == "/Link"]
    annots = [a for p in pdf.pages for a in p.obj.get("/Annots", ())]
    assert len(links) == len(annots) == 8   # Alpha 3, Beta 1, Gamma 4
    for link in links:
        assert [k.get("/Type") for k in kids(link) if isinstance(k, Dictionary)] == ["/OBJR"]
    # each described by the heading it goes to and that heading's page in the merged document
    assert link_targets(pdf) == [
        (0, "Alpha page 2, page 2", 1), (0, "Gamma CCG", 3),   # Alpha: its own details page; pack-part:c
        (1, "Alpha summary, page 1", 0),
        (2, "Details, page 3", 2),                 # Beta's "details" is a clash, renamed, still its own
        (3, "Gamma page 2, page 5", 4), (3, "Alpha CCG", 0),   # Gamma: its own page 2; pack-part:a
        (4, "Gamma summary, page 4", 3), (5, "Gamma summary, page 4", 3)]
    assert sorted(str(e.Alt) for e in links) == sorted(text for _, text, _ in link_targets(pdf))
    dests = name_tree(pdf.Root.Names.Dests)
    assert len(dests) == 6 and b"top" in dests and b"details" in dests   # 3 tops + 3 details, none lost


def test_pack_part_link_becomes_goto_to_first_page():
    pdf = open_pdf(three_parts()[0])
    [annot] = [a for a in pdf.pages[0].obj.Annots if "/A" in a and a.A.get("/S") == "/GoTo"]
    assert annot.A.D[0].objgen == pdf.pages[3].obj.objgen
    assert annot.Contents == "Gamma CCG"      # a screen reader names where it goes
    assert not any("pack-part:" in str(a.get("/A", {}).get("/URI", "")) for p in pdf.pages for a in p.obj.Annots)


def test_unknown_anchor_is_a_clear_error():
    part = Part(report_part("Alpha", 1, link_to="nowhere"), anchor="a")
    with pytest.raises(ValueError, match="pack-part:nowhere.*no part has the anchor 'nowhere'"):
        do_merge([part])


def test_two_parts_with_one_anchor_is_an_error():
    with pytest.raises(ValueError, match="two parts have the anchor 'a'"):
        do_merge([Part(report_part("Alpha", 1), anchor="a"), Part(report_part("Beta", 1), anchor="a")])


def test_furniture_for_the_wrong_number_of_pages_is_an_error():
    with pytest.raises(ValueError, match="furniture is given for 1 pages, but the parts have 2"):
        do_merge([Part(report_part("Alpha", 2))], furniture_for(1))


def test_bookmarks_nest_each_parts_outline_under_its_entry():
    pdf = open_pdf(three_parts()[0])
    assert outline(pdf) == [
        ("Alpha CCG", 0, [("Alpha summary", 0, [("Alpha page 2", 1, [("Alpha detail 2", 1, [])])])]),
        ("Beta summary", 2, [("Details", 2, [])]),       # no bookmark: Beta's outline stays at the top
        ("Gamma CCG", 3, [("Gamma summary", 3, [("Gamma page 2", 4, [("Gamma detail 2", 4, [])]),
                                                ("Gamma page 3", 5, [("Gamma detail 3", 5, [])])])])]
    first = pdf.Root.Outlines.First
    assert int(first.Count) == -3          # a part's entry starts closed (3 entries below): the reader sees the parts
    assert pdf.Root.PageMode == "/UseOutlines"


def test_furniture_is_printed_on_every_page(tmp_path):
    data, counts = three_parts()
    texts = pdftotext_pages(data, tmp_path)
    assert len(texts) == 6
    for i, text in enumerate(texts):
        assert f"Running header {i + 1}" in text
        assert "Kent HWB, 18 March 2015, item 5" in text
        assert f"Page {i + 1} of 6" in text


def test_furniture_sits_in_the_margins_of_each_page_size(tmp_path):
    data, _ = three_parts()
    pdf = open_pdf(data)
    for page in (1, 3):                      # A4 portrait and landscape
        width, height = (float(x) for x in pdf.pages[page - 1].mediabox[2:])
        words = word_boxes(data, tmp_path, page)
        header = [w for w in words if w[0] == "Running"]
        label = [w for w in words if w[0] == "Page"]
        footer = [w for w in words if w[0] == "Kent"]
        assert header and label and footer
        assert 7 * MM <= header[0][2] <= 9.5 * MM                      # header 8 mm from the top edge
        assert height - 9.5 * MM <= footer[0][4] <= height - 7 * MM     # footer 8 mm from the bottom
        assert abs(label[0][4] - footer[0][4]) < 1                      # on one line
        assert header[0][1] == pytest.approx(20 * MM, abs=1) and footer[0][1] == pytest.approx(20 * MM, abs=1)
        last = max(w[3] for w in words if w[4] > height - 12 * MM)
        assert last == pytest.approx(width - 20 * MM, abs=1)            # page label right-aligned
        body = [w for w in words if 12 * MM < w[2] < height - 12 * MM]
        assert body and min(w[2] for w in body) >= 20 * MM              # the parts' text starts below
        furniture = [w for w in words if not 12 * MM < w[2] < height - 12 * MM]
        assert {w[0] for w in furniture} >= {"Running", "Kent", "Page"}


def test_furniture_is_a_pagination_artifact_in_legible_type():
    pdf = open_pdf(three_parts()[0])
    for page in pdf.pages:
        _, untagged, artifacts = page_mcids(pdf, page)
        assert artifacts == ["/Pagination"] * 3 and untagged == []   # header, footer, page label
    # the stamps' own content: Inter at 7.5 pt or more in #4C6272
    sizes, colours = [], set()
    for name in ("/OpgenHeader", "/OpgenFooter", "/OpgenPageLabel"):
        form = pdf.pages[2].obj.Resources.XObject[name]
        fonts = [str(f.BaseFont) for f in form.Resources.Font.values()]
        assert fonts and all("Inter" in f for f in fonts)
        scale, stack = 1.0, []
        for operands, op in pikepdf.parse_content_stream(form):
            op = str(op)
            if op == "q":
                stack.append(scale)
            elif op == "Q":
                scale = stack.pop()
            elif op == "cm":
                scale *= abs(float(operands[0]))
            elif op == "Tf":
                size = float(operands[1]) * scale
            elif op == "Tm":
                tm = abs(float(operands[0]))
            elif op in ("Tj", "TJ"):
                sizes.append(size * tm)
            elif op == "rg":
                colours.add(tuple(round(float(x) * 255) for x in operands))
    assert len(sizes) >= 3 and min(sizes) >= 7.5 - 1e-6
    grey = tuple(int(FURNITURE_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    assert colours == {grey}

    def luminance(rgb):
        def channel(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    assert (1.05) / (luminance(grey) + 0.05) >= 4.5


def test_document_level_metadata():
    data, _ = three_parts()
    pdf = open_pdf(data)
    root = pdf.Root
    assert root.Lang == "en-GB"
    assert root.MarkInfo.Marked is True
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert pdf.docinfo.Title == "Review of commissioning plans"
    assert pdf.docinfo.CreationDate == "D:20150318093000Z" == pdf.docinfo.ModDate
    xmp = root.Metadata.read_bytes().decode()
    assert "Review of commissioning plans" in xmp and 'pdfuaid:part="1"' in xmp
    assert "2015-03-18T09:30:00Z" in xmp
    with pdf.open_metadata() as meta:
        assert meta["dc:title"] == "Review of commissioning plans"
        assert meta["pdfuaid:part"] == "1"
    assert bytes(pdf.trailer.ID[0]) == hashlib.md5(b"test-pack").digest()
    assert root.StructTreeRoot.K[0].Lang == "en-GB"


def test_title_with_markup_characters_is_escaped_in_xmp():
    data = do_merge([Part(report_part("Alpha", 1))], title='Plans <2015> & "more"')
    pdf = open_pdf(data)
    with pdf.open_metadata() as meta:
        assert meta["dc:title"] == 'Plans <2015> & "more"'


def test_same_input_same_bytes_in_one_run_and_another_process():
    parts = [Part(report_part("Alpha", 2, link_to="b"), anchor="a", bookmark="Alpha"),
             Part(report_part("Beta", 1, "A4 landscape"), anchor="b", bookmark="Beta")]
    first = do_merge(parts, furniture_for(3))
    assert do_merge(parts, furniture_for(3)) == first
    code = (
        "import sys, datetime as dt, hashlib\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_merge import do_merge, report_part, furniture_for\n"
        "from opgen.render.merge import Part\n"
        "parts = [Part(report_part('Alpha', 2, link_to='b'), anchor='a', bookmark='Alpha'),\n"
        "         Part(report_part('Beta', 1, 'A4 landscape'), anchor='b', bookmark='Beta')]\n"
        "print(hashlib.sha256(do_merge(parts, furniture_for(3))).hexdigest())\n")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hashlib.sha256(first).hexdigest()
    assert do_merge(parts, furniture_for(3), title="Another title") != first


def test_the_same_part_twice_gets_unique_ids_and_names():
    part = report_part("Alpha", 2)
    data = do_merge([Part(part, bookmark="First"), Part(part, bookmark="Second")])
    pdf = open_pdf(data)
    assert_structure_holds(pdf)
    ids = [bytes(e.ID) for e, _ in walk_structure(pdf) if "/ID" in e]
    assert ids and len(ids) == len(set(ids))
    id_tree = name_tree(pdf.Root.StructTreeRoot.IDTree)
    assert sorted(id_tree) == sorted(ids)
    for elem, _ in walk_structure(pdf):     # each table's header cells are still its own
        if elem.S == "/TD":
            for header in elem.A.Headers:
                th = id_tree[bytes(header)]
                assert th.S == "/TH" and th.Pg.objgen == elem.Pg.objgen
    targets = link_targets(pdf)
    assert targets == [(0, "Alpha page 2, page 2", 1), (1, "Alpha summary, page 1", 0),
                       (2, "Alpha page 2, page 4", 3), (3, "Alpha summary, page 3", 2)]


def test_untagged_furniture_never_needed_no_furniture_no_stamp():
    pdf = open_pdf(do_merge([Part(report_part("Alpha", 1))]))
    assert not any(str(k).startswith("/Opgen") for k in pdf.pages[0].obj.Resources.get("/XObject", {}).keys())
    assert_structure_holds(pdf)


def test_sixty_small_parts_merge_fast():
    parts = [Part(report_part(f"P{i % 3}", i % 3 + 1, "A4 landscape" if i % 2 else "A4"),
                  anchor=f"p{i}", bookmark=f"Part {i}") for i in range(60)]
    n = sum(page_count(p.pdf) for p in parts)
    start = time.perf_counter()
    data = do_merge(parts, furniture_for(n))
    took = time.perf_counter() - start
    pdf = open_pdf(data)
    assert len(pdf.pages) == n == 120
    assert_structure_holds(pdf)
    assert [t for t, _, _ in outline(pdf)] == [f"Part {i}" for i in range(60)]
    assert took < 4, f"merging 60 parts took {took:.2f}s"


PAGE_SIZES = st.sampled_from(sorted(SIZES))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 3), PAGE_SIZES, st.booleans()), min_size=1, max_size=5))
def test_any_parts_merge_into_a_sound_document(specs):
    parts = [Part(report_part(f"Part{pages}{size[:2]}", pages, size,
                              link_to=f"x{(i + 1) % len(specs)}"), anchor=f"x{i}",
                  bookmark=f"Part {i + 1}" if bookmarked else None)
             for i, (pages, size, bookmarked) in enumerate(specs)]
    counts = [page_count(p.pdf) for p in parts]
    data = do_merge(parts, furniture_for(sum(counts)))
    pdf = open_pdf(data)
    assert len(pdf.pages) == sum(counts)
    firsts = [sum(counts[:i]) for i in range(len(counts))]
    for i, (pages, size, _) in enumerate(specs):
        for page in pdf.pages[firsts[i]:firsts[i] + counts[i]]:
            w, h = (float(x) for x in page.mediabox[2:])
            assert (w, h) == pytest.approx(SIZES[size], abs=0.5)
    assert_structure_holds(pdf)
    top = outline(pdf)
    bookmarked = [(f"Part {i + 1}", firsts[i]) for i, (_, _, b) in enumerate(specs) if b]
    assert [(t, p) for t, p, _ in top if t.startswith("Part ")] == bookmarked
    for page, text, target in link_targets(pdf):
        part = max(i for i in range(len(firsts)) if firsts[i] <= page)
        if re.search(r", page \d+$", text):   # described by the heading it goes to: a link inside the part
            assert firsts[part] <= target < firsts[part] + counts[part]
        else:   # the pack-part link: to the next part's first page
            assert target == firsts[(part + 1) % len(specs)]


def test_a_long_header_is_cut_short_with_an_ellipsis_inside_the_margins(tmp_path):
    long = "NHS Dartford, Gravesham and Swanley CCG operational plan refresh 2015/16 " * 3
    part = report_part("Alpha", 1)
    data = do_merge([Part(part)], [Furniture(header=long, footer="Footer\nwith a line break", page_label="Page 1 of 1")])
    [text] = pdftotext_pages(data, tmp_path)
    assert "NHS Dartford, Gravesham and Swanley CCG operationa…" in text   # the cut-off rest is not in the text
    assert text.count("NHS Dartford") == 2
    assert "Footer with a line break" in text
    pdf = open_pdf(data)
    width = float(pdf.pages[0].mediabox[2])
    words = word_boxes(data, tmp_path, 1)
    assert max(w[3] for w in words) <= width - 20 * MM + 0.5


def test_words_beyond_ascii_in_bookmarks_titles_and_furniture(tmp_path):
    title = "Kent Health and Wellbeing Board – 18 March 2015 (£m, Ashford & Canterbury)"
    part = Part(report_part("Alpha", 1), bookmark="Thanet CCG – plan on a page (£)")
    data = do_merge([part], [Furniture(header="Ashford & Canterbury CCGs – “draft”", page_label="Page 1 of 1")],
                    title=title)
    pdf = open_pdf(data)
    assert outline(pdf)[0][0] == "Thanet CCG – plan on a page (£)"
    assert str(pdf.docinfo.Title) == title
    with pdf.open_metadata() as meta:
        assert meta["dc:title"] == title
    [text] = pdftotext_pages(data, tmp_path)
    assert "Ashford & Canterbury CCGs – “draft”" in text


def test_every_page_with_links_orders_tabs_by_structure():
    pdf = open_pdf(three_parts()[0])
    for page in pdf.pages:
        if "/Annots" in page.obj:
            assert page.obj.Tabs == "/S"


def test_furniture_may_sit_closer_to_the_edges_of_a_page_that_uses_its_margins(tmp_path):
    part = report_part("Alpha", 1, "A4 landscape")
    data = do_merge([Part(part)], [Furniture(header="Running", footer="Kent", page_label="Page 1 of 1", edge_mm=4,
                                             inset_mm=9)])
    pdf = open_pdf(data)
    height = float(pdf.pages[0].mediabox[3])
    words = {w[0]: w for w in word_boxes(data, tmp_path, 1)}
    assert 3 * MM <= words["Running"][2] <= 5.5 * MM
    assert height - 5.5 * MM <= words["Kent"][4] <= height - 3 * MM
    width = float(pdf.pages[0].mediabox[2])
    assert words["Running"][1] == pytest.approx(9 * MM, abs=1) and words["1"][3] == pytest.approx(width - 9 * MM, abs=1)


def test_a_part_laid_out_late_is_merged_into_its_place(tmp_path):
    """A part given as a callable (a build's contents, still being laid out) is merged after the others,
    into its place: the same pages, text, bookmarks, links, structure and furniture as in order, and
    the callable is called once the parts before and after it are in."""
    parts = [Part(report_part("Alpha", 2, "A4", link_to="c"), anchor="a", bookmark="Alpha CCG"),
             Part(report_part("Beta", 1, "A4 landscape"), anchor="b"),
             Part(report_part("Gamma", 3, "A4", link_to="a"), anchor="c", bookmark="Gamma CCG")]
    in_order, _ = three_parts()
    calls = []

    def beta_later() -> bytes:
        calls.append("beta")
        return parts[1].pdf

    def furniture_later():
        calls.append("furniture")
        return furniture_for(6)

    late = do_merge([parts[0], Part(beta_later, anchor="b"), parts[2]], furniture_later)
    assert calls == ["beta", "furniture"]
    a, b = open_pdf(in_order), open_pdf(late)
    assert [list(p.mediabox) for p in a.pages] == [list(p.mediabox) for p in b.pages]
    assert pdftotext_pages(late, tmp_path) == pdftotext_pages(in_order, tmp_path)
    assert outline(b) == outline(a)
    assert link_targets(b) == link_targets(a)
    def shape(pdf):
        return [(str(e.S), str(parent.get("/S", "/StructTreeRoot"))) for e, parent in walk_structure(pdf)]
    assert shape(b) == shape(a)
    assert_structure_holds(b)
