"""opgen.render.pdftags: the PDFs WeasyPrint writes, read back as a screen reader reads them, after
opgen mends their structure: page furniture and the DRAFT watermark are artifacts, links are Link
elements described by the heading they go to, a table or list a page break splits is one element,
and every MCID is reached once."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Dictionary

from test_merge import STAMP, assert_structure_holds, html_part, kids, resolve_dest, walk_structure

from opgen.pipeline import plan_from_file
from opgen.render.merge import Part, merge
from opgen.render.pdf import operational_plan_pdf, plan_on_a_page_pdf
from opgen.render.pdftags import _to_unicode, fix_structure
from opgen.render.weasy import html_to_pdf

PLANS = Path(__file__).resolve().parent.parent / "plans"
SKC = PLANS / "south-kent-coast-2014-16.yaml"


# --- reading a PDF back ---------------------------------------------------------------------------

def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def page_runs(page) -> list[tuple[object, str]]:
    """Each piece of text a page draws, with what it is marked as: ("mcid", n), ("artifact",
    subtype) or None (marked as neither), in content order. Text a page draws through a form
    XObject (the merge stamps the running header and footer so) is read as a screen reader reads
    it: in the XObject's place, marked as whatever encloses the `Do` that draws it."""
    runs: list[tuple[object, str]] = []
    decoders: dict = {}

    def read(stream, resources, stack: list) -> None:
        fonts = resources.get("/Font", Dictionary())
        xobjects = resources.get("/XObject", Dictionary())
        font = None
        for operands, op in pikepdf.parse_content_stream(stream):
            op = str(op)
            if op in ("BDC", "BMC"):
                props = operands[1] if op == "BDC" and isinstance(operands[1], Dictionary) else Dictionary()
                if str(operands[0]) == "/Artifact":
                    stack.append(("artifact", str(props.get("/Subtype", props.get("/Type", "")))))
                elif "/MCID" in props:
                    stack.append(("mcid", int(props.MCID)))
                else:
                    stack.append(None)
            elif op == "EMC":
                stack.pop()
            elif op == "Tf":
                name = fonts[str(operands[0])]
                if name.objgen not in decoders or name.objgen == (0, 0):
                    decoders[name.objgen] = _to_unicode(name)
                font = decoders[name.objgen]
            elif op in ("TJ", "Tj"):
                width, table = font
                items = operands[0] if op == "TJ" else [operands[0]]
                text = ""
                for item in items:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        text += "".join(table.get(int.from_bytes(raw[i:i + width], "big"), "")
                                        for i in range(0, len(raw) - width + 1, width))
                mark = next((s for s in reversed(stack) if s is not None), None)
                runs.append((mark, text))
            elif op == "Do":
                xobject = xobjects.get(str(operands[0]))
                if xobject is not None and xobject.get("/Subtype") == "/Form":
                    read(xobject, xobject.get("/Resources", resources), list(stack))

    read(page, page.obj.get("/Resources", Dictionary()), [])
    return runs


def texts(pdf: pikepdf.Pdf):
    """(page index, marked content key -> its text, artifact subtype -> its texts) per page."""
    for i, page in enumerate(pdf.pages):
        by_mcid, artifacts, loose = {}, {}, []
        for mark, text in page_runs(page):
            if mark is None:
                loose.append(text)
            elif mark[0] == "mcid":
                by_mcid[mark[1]] = by_mcid.get(mark[1], "") + text
            else:
                artifacts.setdefault(mark[1], []).append(text)
        yield i, by_mcid, artifacts, loose


def element_text(pdf: pikepdf.Pdf, elem, by_page_mcid: dict) -> str:
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    out = []

    def visit(e):
        for k in kids(e):
            if isinstance(k, Dictionary):
                if k.get("/Type") == "/MCR":
                    out.append(by_page_mcid.get((pages[(k.Pg if "/Pg" in k else e.Pg).objgen], int(k.MCID)), ""))
                elif "/S" in k and k.get("/Type") != "/OBJR":
                    visit(k)
            else:
                out.append(by_page_mcid.get((pages[e.Pg.objgen], int(k)), ""))
    visit(elem)
    return " ".join("".join(out).split())


def all_mcid_texts(pdf: pikepdf.Pdf) -> dict:
    found = {}
    for i, by_mcid, _, _ in texts(pdf):
        for mcid, text in by_mcid.items():
            found[(i, mcid)] = text
    return found


def pages_of(pdf: pikepdf.Pdf, elem) -> set[int]:
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    found = set()

    def visit(e):
        for k in kids(e):
            if isinstance(k, Dictionary):
                if k.get("/Type") == "/MCR":
                    found.add(pages[(k.Pg if "/Pg" in k else e.Pg).objgen])
                elif "/S" in k and k.get("/Type") != "/OBJR":
                    visit(k)
            else:
                found.add(pages[e.Pg.objgen])
    visit(elem)
    return found


@functools.lru_cache(maxsize=None)
def skc_full() -> bytes:
    result = plan_from_file(SKC)
    return operational_plan_pdf(result.plan, list(result.report.diagnostics))[1]


# --- the full plan ---------------------------------------------------------------------------------

def test_every_mcid_is_reached_once_and_the_parent_tree_agrees():
    pdf = open_pdf(skc_full())
    assert pdf.check_pdf_syntax() == []
    assert_structure_holds(pdf)


def test_running_headers_footers_and_page_numbers_are_artifacts_only():
    pdf = open_pdf(skc_full())
    n = len(pdf.pages)
    numbered = 0
    for i, by_mcid, artifacts, loose in texts(pdf):
        assert not any(t.strip() for t in loose), f"page {i + 1} draws text marked as neither content nor artifact"
        content = " ".join(by_mcid.values())
        footer = " ".join(artifacts.get("/Footer", []))
        header = " ".join(artifacts.get("/Header", []))
        if f"Page {i + 1} of {n}" in footer:
            numbered += 1
            assert "Operational Delivery Plan" in header            # the running head
            assert "Draft" in footer                                 # the running foot: status
        assert f"Page {i + 1} of {n}" not in content                # never read out as the page's text
    assert numbered == n - 1                                         # every page but the cover


def test_the_draft_watermark_is_a_watermark_artifact_on_every_page_and_never_content():
    pdf = open_pdf(skc_full())
    for i, by_mcid, artifacts, _ in texts(pdf):
        assert "".join(artifacts.get("/Watermark", [])) == "DRAFT", f"page {i + 1}"
        assert "DRAFT" not in by_mcid.values()


def test_links_are_link_elements_with_their_annotation_never_nested_and_described_by_their_heading():
    pdf = open_pdf(skc_full())
    mcid_text = all_mcid_texts(pdf)
    links = [(e, parent) for e, parent in walk_structure(pdf) if e.S == "/Link"]
    assert len(links) > 40
    toc = []
    for link, parent in links:
        inner = [k for k in kids(link) if isinstance(k, Dictionary) and "/S" in k and k.get("/Type") not in ("/OBJR", "/MCR")]
        assert inner == [], "an element inside a Link"
        up = parent
        while isinstance(up, Dictionary) and "/S" in up:
            assert up.S != "/Link", "a Link inside a Link"
            up = up.get("/P")
        objrs = [k for k in kids(link) if isinstance(k, Dictionary) and k.get("/Type") == "/OBJR"]
        assert objrs, "a Link element without its annotation"
        alt = str(link.Alt)
        assert re.search(r"[A-Za-z]{3}", alt), alt                         # words, not an empty or bare number
        assert not re.search(r"\b(sec|part|risk)-[\w-]+", alt), alt      # never an internal id
        for objr in objrs:
            assert str(objr.Obj.Contents) == alt
        own = element_text(pdf, link, mcid_text)
        if re.fullmatch(r"[\d.]+\D.*\d", own):                           # a contents line: "1 Welcome 6"
            toc.append((alt, own, objrs[0].Obj))
    # Each contents entry reads as the section it goes to and the page that is on: described by the
    # heading ("Section 5: Understanding Local Health Needs, page 10") or, when the chapter is in
    # another part of the merged plan (a `dest:` link), by its own text ("5 Understanding Local Health
    # Needs 10": the number, title and page it prints). Either way the page is the one the link goes to.
    assert len(toc) >= 20
    for alt, own, annot in toc:
        page = re.search(r"(\d+)$", own).group(1)
        heading = re.fullmatch(r"Section ([\d.]+): (.+), page (\d+)", alt)
        if heading:
            number, title, said = heading.groups()
            assert own.replace(" ", "").startswith(number + title.replace(" ", "")), (alt, own)   # "1Welcome6"
            assert said == page, (alt, own)
        else:
            assert alt == own, (alt, own)
        if "/Dest" in annot:
            target = annot.Dest
        else:
            assert annot.A.S == "/GoTo", (alt, annot.A)
            target = annot.A.D
        assert resolve_dest(pdf, target) + 1 == int(page), (alt, own)   # the page printed is the page it goes to


def test_the_risk_register_crossing_pages_is_one_table_with_its_rows_in_order():
    pdf = open_pdf(skc_full())
    mcid_text = all_mcid_texts(pdf)
    tables = [e for e, _ in walk_structure(pdf) if e.S == "/Table"]
    texts_ = [element_text(pdf, t, mcid_text) for t in tables]
    [register] = [t for t, text in zip(tables, texts_) if "R-OOH-01" in text]
    text = element_text(pdf, register, mcid_text)
    assert "R-BCF-08" in text                                      # the last risk is in the same table
    assert len(pages_of(pdf, register)) >= 2                        # and it does cross a page
    ids = re.findall(r"R-(?:OOH|HOSP|BCF)-\d\d", text)
    assert ids == sorted(set(ids), key=ids.index) and len(set(ids)) == 16
    heads = [k for k in kids(register) if isinstance(k, Dictionary) and k.get("/S") == "/THead"]
    assert len(heads) == 1                                           # the repeated header row is an artifact


def test_same_input_same_bytes():
    raw = skc_full()
    assert fix_structure(raw) == fix_structure(raw)


def test_plan_on_a_page_is_mended_too():
    result = plan_from_file(SKC)
    _, data = plan_on_a_page_pdf(result.plan, list(result.report.diagnostics))
    pdf = open_pdf(data)
    assert_structure_holds(pdf)
    [(i, by_mcid, artifacts, loose)] = list(texts(pdf))
    assert "".join(artifacts.get("/Watermark", [])) == "DRAFT"
    assert not any(t.strip() for t in loose)


# --- split tables and lists, from HTML --------------------------------------------------------------

def long_table_and_list() -> bytes:
    rows = "".join(f"<tr><td>Row {i:03d}</td><td>{i * 7}</td></tr>" for i in range(1, 91))
    items = "".join(f"<li>Point {i:03d}</li>" for i in range(1, 91))
    return html_part("Split", '<h1>Split</h1><section><h2>Table</h2><table><thead><tr><th>Row</th><th>£000</th></tr>'
                     f"</thead><tbody>{rows}</tbody></table></section><section><h2>List</h2><ul>{items}</ul>"
                     '<p>See <a href="#end">the end</a>.</p></section><h2 id="end">The end</h2><p>Done.</p>')


def test_a_table_split_by_page_breaks_is_one_table_and_a_list_one_list():
    data = long_table_and_list()
    pdf = open_pdf(data)
    assert len(pdf.pages) >= 3
    assert_structure_holds(pdf)
    mcid_text = all_mcid_texts(pdf)
    [table] = [e for e, _ in walk_structure(pdf) if e.S == "/Table"]
    assert len(pages_of(pdf, table)) >= 2
    rows = re.findall(r"Row (\d\d\d)", element_text(pdf, table, mcid_text))
    assert rows == [f"{i:03d}" for i in range(1, 91)]
    assert sum(1 for k in kids(table) if isinstance(k, Dictionary) and k.get("/S") == "/THead") == 1
    repeated = [t for _, _, artifacts, _ in texts(pdf) for t in artifacts.get("/Pagination", [])]
    assert "Row" in "".join(repeated)                                # the header row drawn again, as an artifact
    [lst] = [e for e, _ in walk_structure(pdf) if e.S == "/L"]
    points = re.findall(r"Point (\d\d\d)", element_text(pdf, lst, mcid_text))
    assert points == [f"{i:03d}" for i in range(1, 91)]
    assert all(parent.S == "/L" for e, parent in walk_structure(pdf) if e.S == "/LI")
    [link] = [e for e, _ in walk_structure(pdf) if e.S == "/Link"]
    assert str(link.Alt) == f"The end, page {len(pdf.pages)}"


def test_merging_fixed_parts_keeps_artifacts_and_link_elements():
    draft = ('<div class="watermark" aria-hidden="true" style="position: fixed; top: 40%; left: 0; right: 0; '
             'text-align: center; font-size: 90pt; color: rgba(0,48,135,0.07)">DRAFT</div>')
    style = '<style>@page { @bottom-right { content: "Page " counter(page) " of " counter(pages); } }</style>'
    part = html_part("Draft part", style + draft + '<h1 id="top">Part</h1><p><a href="#more">More</a></p>'
                     + "<p>Text.</p>" * 60 + '<h2 id="more">More detail</h2><p>Done.</p>')
    parts = [Part(part), Part(long_table_and_list())]
    merged = open_pdf(merge(parts, title="Two parts", timestamp=STAMP, identifier_seed="t"))
    assert_structure_holds(merged)
    n_first = len(open_pdf(part).pages)
    kinds = [set(a) for _, _, a, _ in texts(merged)]
    assert all("/Watermark" in k and "/Footer" in k for k in kinds[:n_first])
    links = [e for e, _ in walk_structure(merged) if e.S == "/Link"]
    assert {str(e.Alt) for e in links} == {f"More detail, page {n_first}", f"The end, page {len(merged.pages)}"}
    for e in links:
        assert any(isinstance(k, Dictionary) and k.get("/Type") == "/OBJR" for k in kids(e))
    assert [e for e, _ in walk_structure(merged) if e.S == "/Table"].__len__() == 1


def test_a_pdf_without_structure_comes_back_as_it_was():
    data = fix_structure(long_table_and_list())
    pdf = open_pdf(data)
    del pdf.Root["/StructTreeRoot"]
    buffer = io.BytesIO()
    pdf.save(buffer)
    assert fix_structure(buffer.getvalue()) == buffer.getvalue()


def test_a_list_item_is_never_outside_a_list():
    data = html_part("Items", "<h1>Items</h1><div><li>One loose item</li><li>Another</li></div><p>After.</p>"
                     "<ul><li>In a list</li></ul>")
    pdf = open_pdf(data)
    assert_structure_holds(pdf)
    items = [(e, parent) for e, parent in walk_structure(pdf) if e.S == "/LI"]
    assert len(items) == 3 and all(parent.S == "/L" for _, parent in items)
    mcid_text = all_mcid_texts(pdf)
    lists = [element_text(pdf, e, mcid_text) for e, _ in walk_structure(pdf) if e.S == "/L"]
    assert lists == ["• One loose item• Another", "• In a list"]


def test_every_stream_but_the_metadata_is_compressed():
    """WeasyPrint writes its streams uncompressed and fix_structure's save compresses them (faster than
    pydyf's level 9): none is left as it was written, in a part or in a paper."""
    data = html_part("Compressed", "<h1>Compressed</h1>" + "<p>A paragraph of some length, repeated.</p>" * 200)
    plan = plan_from_file(Path(__file__).resolve().parent.parent / "plans" / "thanet-2015-16.yaml")
    for pdf in (data, plan_on_a_page_pdf(plan.plan, [])[1]):
        doc = open_pdf(pdf)
        streams = [o for o in doc.objects if isinstance(o, pikepdf.Stream) and o.stream_dict.get("/Type") != "/Metadata"]
        assert len(streams) > 3
        assert all("/Filter" in s.stream_dict for s in streams), [s.stream_dict.get("/Type") for s in streams
                                                                   if "/Filter" not in s.stream_dict]
