"""Markdown in every rich-text field (opgen.richtext): pipe tables, numbered lists and footnotes in
the HTML, the full plan PDF, the plan on a page, the Word annex and plain text; raw HTML always shown
as text; only allow-listed tags and attributes ever emitted; byte-reproducible ids."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as etree
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from opgen import richtext
from opgen.pipeline import plan_from_bytes
from opgen.render.docx import annex_docx
from opgen.render.pdf import operational_plan_pdf, plan_on_a_page_pdf
from opgen.render.textconv import render_textconv
from opgen.richtext import ALLOWED_TAGS, id_scope, to_html, to_plain, to_tree

ROOT = Path(__file__).resolve().parent.parent
SKC = ROOT / "plans" / "south-kent-coast-2014-16.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

ACTIVITY = """Planned activity against last year's outturn[^sus]:
| Point of delivery | 2013/14 outturn | 2014/15 plan | Change | Commentary |
|:--|--:|--:|--:|:--|
| Elective spells | 12,340 | 12,100 | -1.9% | Shift to community **ophthalmology** |
| Non-elective spells | 18,004 | 17,460 | -3.0% | Integrated teams; <b>raw</b> <script>alert(1)</script> |
| Outpatient firsts | 61,220 | 60,900 | -0.5% | Referral management via the new Supercalifragilisticexpialidociouspathwayidentifierthatneverends |

1. Agree the activity plan with providers
2. Sign contracts
   1. Acute by March
   2. Community by April
3. Monitor monthly[^cpn]

[^sus]: SUS data, month 9 forecast outturn.
[^cpn]: Through the contract performance notice process."""

CELLS = ["Point of delivery", "2013/14 outturn", "2014/15 plan", "Change", "Commentary", "Elective spells",
         "12,340", "12,100", "-1.9%", "Non-elective spells", "18,004", "17,460", "-3.0%", "Outpatient firsts",
         "61,220", "60,900", "-0.5%"]
NOTES = ["SUS data, month 9 forecast outturn.", "Through the contract performance notice process."]


def tags(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<([a-z0-9]+)((?:\s[^<>]*)?)/?>", html)


# --- HTML -------------------------------------------------------------------------------------

def test_pipe_table_becomes_a_table_with_header_cells():
    html = str(to_html(ACTIVITY))
    assert '<table class="md-table">' in html
    assert len(re.findall(r'<th[ >]', html)) == html.count('scope="col"') == 5
    assert '<th class="ta-right" scope="col">2013/14 outturn</th>' in html
    assert '<td class="ta-right">12,340</td>' in html and "<td>Elective spells</td>" in html
    assert "|" not in html.split("<table")[1].split("</table>")[0]  # no literal pipes left


def test_table_straight_after_a_line_and_wide_tables():
    assert "<table" in str(to_html("Budget:\n| a | b |\n|---|---|\n| 1 | 2 |\nAfter."))
    assert "<p>After.</p>" in str(to_html("Budget:\n| a | b |\n|---|---|\n| 1 | 2 |\nAfter."))
    wide = "| " + " | ".join("abcdefgh") + " |\n|" + "---|" * 8 + "\n| " + " | ".join("12345678") + " |"
    assert '<table class="md-table md-wide">' in str(to_html(wide))
    assert "<table" not in str(to_html("a | b in a sentence\nand more"))  # no delimiter row: text


def test_numbered_lists():
    html = str(to_html("Steps:\n1. one\n2. two\n   1. two-a\n   2. two-b\n3. three"))
    assert re.sub(r"\s", "", html) == ("<p>Steps:</p><ol><li>one</li><li>two<ol><li>two-a</li><li>two-b</li></ol>"
                                       "</li><li>three</li></ol>")
    assert '<ol start="4">' in str(to_html("4. four\n5. five"))


def test_footnotes_have_per_field_ids_and_no_back_links():
    html = str(to_html(ACTIVITY))
    key = re.search(r'id="fn-([0-9a-f]{8})-1"', html).group(1)
    assert f'<sup class="footnote-ref" id="fnref-{key}-1"><a href="#fn-{key}-1">1</a></sup>' in html
    assert f'<li id="fn-{key}-2">' in html and '<div class="footnote">' in html
    assert "footnote-backref" not in html and "\u21a9" not in html and "&#8617;" not in html and "title=" not in html
    other = str(to_html("Another field[^1].\n\n[^1]: Its own note."))
    ids = lambda h: set(re.findall(r'id="([^"]+)"', h))
    assert ids(html) and ids(other) and not ids(html) & ids(other)  # two fields' footnote 1 do not collide


def test_same_text_twice_on_a_page_gets_distinct_ids_and_same_bytes_every_time():
    def page() -> str:
        with id_scope():
            return str(to_html(ACTIVITY)) + str(to_html(ACTIVITY))
    first = page()
    ids = re.findall(r'id="([^"]+)"', first)
    assert len(ids) == len(set(ids)) == 2 * 4  # 2 notes + 2 references, twice
    hrefs = re.findall(r'href="#([^"]+)"', first)
    assert set(hrefs) <= set(ids)  # every footnote link lands
    richtext._to_html.cache_clear()
    assert page() == first  # deterministic: no counter carried between pages or runs


def test_raw_html_and_unsafe_links_stay_text_in_tables_and_footnotes():
    text = ("| <b>x</b> | [js](javascript:alert(1)) |\n|---|---|\n| <script>y</script> | [ok](https://nhs.uk) |\n\n"
            "Note[^1]\n\n[^1]: <iframe src=x></iframe> [f](file:///etc/passwd) ![img](http://x/i.png)")
    html = str(to_html(text))
    assert "<b>" not in html and "<script" not in html and "<iframe" not in html and "<img" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "&lt;script&gt;y&lt;/script&gt;" in html
    assert re.findall(r'href="([^"]+)"', html) == ["https://nhs.uk", re.search(r'href="(#fn-[^"]+)"', html).group(1)]


# --- plain text (diff, plan on a page) --------------------------------------------------------

def test_plain_text_keeps_every_cell_and_footnote():
    plain = to_plain(ACTIVITY)
    for cell in CELLS + NOTES:
        assert cell in plain
    assert "Point of delivery | 2013/14 outturn | 2014/15 plan" in plain
    assert "Elective spells | 12,340 | 12,100 | -1.9% | Shift to community ophthalmology; Non-elective" in plain
    assert "outturn[1]:" in plain and "Monitor monthly[2]" in plain and "[1] SUS data" in plain
    assert "<b>raw</b> <script>alert(1)</script>" in plain  # shown as typed


def test_diff_sees_a_changed_table_cell_and_footnote():
    from opgen.diff.compare import word_diff

    changed = ACTIVITY.replace("| 12,100 |", "| 12,050 |").replace("month 9", "month 10")
    ops = word_diff(ACTIVITY, changed)
    assert ("-", "12,100") in ops and ("+", "12,050") in ops
    assert ("-", "9") in ops and ("+", "10") in ops


# --- property: never a tag or attribute outside the allow-list --------------------------------

_PIECES = ["a", "b", " ", "\n", "\n\n", "|", "---", ":--", "--:", "| a | b |\n|---|---|\n| 1 | 2 |\n", "1. ", "2. ",
           "- ", "    ", "[^1]", "[^1]: ", "[^x]", "**", "*", "_", "`", "<b>", "</b>", "<script>", "<img src=x>",
           "<div class=footnote>", "<sup id=x>", "&copy;", "&#1;", "&foo;", "&amp;", "[t](javascript:x)",
           "[t](https://e.org)", "[t](#fn-1)", "<a@b.c>", "<https://e.org>", "![i](http://x/y.png)", "#", "> ",
           "\"", "'", "=", "\x00", "\u00e9", "\U0001f600", "  \n"]
_MARKDOWN = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join) | st.text(max_size=60)


@settings(max_examples=300, deadline=None)
@given(_MARKDOWN)
def test_to_html_emits_only_allow_listed_tags_and_attributes(text):
    html = str(to_html(text))
    for tag, attrs in tags(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        names = re.findall(r'\s([a-z-]+)="', attrs)
        assert set(names) <= ALLOWED_TAGS[tag], (tag, attrs)
        for href in re.findall(r'href="([^"]*)"', attrs):
            assert href.startswith(("http://", "https://", "mailto:")) or re.fullmatch(r"#fn-[0-9a-f]{8}-\d+", href)
    tree = to_tree(text)  # our own HTML always parses as XML (no fallback needed)
    assert all(el.tag == "div" or el.tag in ALLOWED_TAGS for el in tree.iter())
    for cell in tree.iter("td"):
        assert " ".join("".join(cell.itertext()).split()) in to_plain(text)


# --- the papers -------------------------------------------------------------------------------

def plan_data() -> dict:
    """A small SKC plan with the activity table in a programme description, an action description,
    a risk mitigation, the finance note and the mission."""
    data = yaml.safe_load(SKC.read_text(encoding="utf-8"))
    data["actions"] = data["actions"][:2] + [a for a in data["actions"] if a["domain"] == "hospital"][:1]
    data["qipp"]["schemes"] = data["qipp"]["schemes"][:2]
    data["risks"] = data["risks"][:2]
    data["domains"][0]["description"] = ACTIVITY
    data["actions"][0]["description"] = ACTIVITY
    data["risks"][0]["mitigation"] = "| Step | When |\n|---|---|\n| Escalate | Monthly |\n\nSee[^1].\n\n[^1]: Board."
    data["plan"]["status"] = "approved"  # no DRAFT watermark, so every word on a page is content
    data["vision"]["mission"] = "Our mission:\n| Aim | By |\n|---|---|\n| Fewer admissions | 2016 |"
    return data


@lru_cache(maxsize=None)
def result():
    data = plan_data()
    res = plan_from_bytes(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8"), "md.yaml")
    assert res.ok, [d.as_text() for d in res.report.errors][:5]
    return res


def pdf_text(pdf: bytes, *args: str) -> str:
    done = subprocess.run(["pdftotext", *args, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          timeout=60, check=True)
    return done.stdout.decode("utf-8")


def struct_counts(pdf: bytes) -> dict[str, int]:
    """How many structure elements of each type the tagged PDF has (TH, TD, Table, ...)."""
    counts: dict[str, int] = {}

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S"):
            counts[node["/S"]] = counts.get(node["/S"], 0) + 1
        if node.get("/K") is not None:
            walk(node["/K"])

    walk(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return counts


@lru_cache(maxsize=None)
def full():
    return operational_plan_pdf(result().plan, [])


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_full_pdf_shows_every_cell_and_note_within_the_page():
    html, pdf = full()
    text = " ".join(pdf_text(pdf).split())
    for cell in CELLS + NOTES:
        assert cell in text, cell
    assert "<b>raw</b> <script>alert(1)</script>" in text and "<script" not in html
    assert "1. Agree the activity plan" in text and "2. Community by April" in text
    # nothing runs off the page: every word's box lies inside the page
    for page in pdf_text(pdf, "-bbox").split("<page ")[1:]:
        width = float(re.match(r'width="([\d.]+)"', page).group(1))
        assert all(float(x) <= width - 20 for x in re.findall(r'xMax="([\d.]+)"', page))
    # the long unbroken word wraps inside its cell rather than widening the table
    assert "Supercalifragilisticexpialidociouspathwayidentifierthatneverends" not in pdf_text(pdf, "-raw")


def test_full_pdf_tags_markdown_header_cells_as_th():
    _, with_tables = full()
    data = plan_data()
    data["domains"][0]["description"] = data["actions"][0]["description"] = "No table."
    data["risks"][0]["mitigation"] = "No table."
    plain = plan_from_bytes(yaml.safe_dump(data, sort_keys=False).encode("utf-8"), "plain.yaml")
    _, without = operational_plan_pdf(plain.plan, [])
    more = struct_counts(with_tables)["/TH"] - struct_counts(without).get("/TH", 0)
    assert more == 5 + 5 + 2  # the activity table twice, the mitigation table once: real TH cells


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_plan_on_a_page_shows_a_table_as_compact_text_on_one_page():
    html, pdf = plan_on_a_page_pdf(result().plan, [])
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "<table class=\"md-table" not in html
    assert "Our mission: Aim | By; Fewer admissions | 2016" in " ".join(pdf_text(pdf).split())


def docx_xml(data: bytes) -> etree.Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))


def text_of(element: etree.Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def test_word_annex_has_real_tables_numbered_lists_and_notes():
    data = annex_docx(result().plan, [])
    root = docx_xml(data)
    nested = [t for t in root.iter(f"{W}tbl") if "Elective spells" in text_of(t) and
              not any(inner is not t for inner in t.iter(f"{W}tbl"))]
    assert len(nested) == 1  # the action's description (the annex shows no programme descriptions)
    table = nested[0]
    rows = table.findall(f"{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None  # header row repeats
    assert table.find(f"{W}tblPr/{W}tblStyle").get(f"{W}val") == "TableGrid"
    cells = [text_of(tc) for tr in rows for tc in tr.findall(f"{W}tc")]
    for cell in CELLS:
        assert cell in cells, cell
    right = [text_of(tc) for tc in rows[1].findall(f"{W}tc") if tc.find(f".//{W}jc[@{W}val='right']") is not None]
    assert right == ["12,340", "12,100", "-1.9%"]
    body = text_of(root)
    for note in NOTES:
        assert note in body
    assert "Notes" in body and "<b>raw</b> <script>alert(1)</script>" in body
    numbered = [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}numPr") is not None and
                text_of(p) in ("Agree the activity plan with providers", "Acute by March")]
    styles = {text_of(p): p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") for p in numbered}
    assert styles == {"Agree the activity plan with providers": "ListNumber", "Acute by March": "ListNumber2"}
    supers = [text_of(r) for r in root.iter(f"{W}r") if r.find(f"{W}rPr/{W}vertAlign") is not None]
    assert supers.count("1") >= 2 and "2" in supers  # footnote references stay superscript numbers
    rels = zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels").decode()
    assert "#fn-" not in rels  # a footnote reference is not a (broken) hyperlink
    for tc in root.iter(f"{W}tc"):  # every cell still ends with a paragraph (Word requires it)
        assert tc[-1].tag == f"{W}p"
    assert annex_docx(result().plan, []) == data  # reproducible to the byte


def test_word_annex_table_at_full_width():
    """A caller with a page-wide place for Markdown (a narrative chapter) gets a page-wide table."""
    from opgen.render.docx.annex import _Builder
    from opgen.render.docx.ooxml import PORTRAIT_WIDTH

    builder = _Builder(result().plan, [])
    blocks = builder.rich(ACTIVITY, style="Normal", width=PORTRAIT_WIDTH)
    table = next(b for b in blocks if b.tag == f"{W}tbl")
    assert int(table.find(f"{W}tblPr/{W}tblW").get(f"{W}w")) == PORTRAIT_WIDTH
    assert sum(int(g.get(f"{W}w")) for g in table.find(f"{W}tblGrid")) == PORTRAIT_WIDTH
    assert [text_of(tc) for tc in table.find(f"{W}tr").findall(f"{W}tc")] == CELLS[:5]


def test_textconv_lists_table_rows_and_footnotes():
    text = render_textconv(result().plan)
    assert "| Elective spells | 12,340 | 12,100 | -1.9% | Shift to community ophthalmology |" in text
    assert "[2] Through the contract performance notice process." in text
    assert "3. Monitor monthly[2]" in text


@settings(max_examples=25, deadline=None)
@given(_MARKDOWN)
def test_any_markdown_gives_a_word_document_with_every_cell_and_note(text):
    import docx

    plan = copy.deepcopy(result().plan)
    plan.actions[0].description = text
    assert any(a is plan.actions[0] for d in plan.domains for a in d.actions)
    data = annex_docx(plan, [])
    docx.Document(io.BytesIO(data))  # well-formed, opens
    body = " ".join(text_of(docx_xml(data)).split())
    tree = to_tree(text)

    def as_in_word(element) -> str:
        # plain text writes a footnote reference "[1]"; Word writes the 1 as superscript, no brackets
        return re.sub(r"\[(\d+)\]", r"\1", richtext.element_plain(element))

    for cell in tree.iter("td"):
        assert as_in_word(cell) in body
    for div in tree.iter("div"):
        for note in richtext.footnotes(div) if richtext.is_footnotes(div) else ():
            assert as_in_word(note).replace("- ", "") in body.replace("- ", "")


def test_a_footnote_that_refers_to_itself_keeps_its_number_in_word():
    # found by the property above: '[^1]: [^1]' is a note whose only text is its own reference
    import docx

    plan = copy.deepcopy(result().plan)
    plan.actions[0].description = "[^1]: [^1]"
    body = " ".join(text_of(docx_xml(annex_docx(plan, []))).split())
    docx.Document(io.BytesIO(annex_docx(plan, [])))
    assert "Notes1. 1See also" in body  # the note, numbered, holding its own number
