"""The Word annex: content, Word structure (styles, repeating header rows, landscape sections,
RAG shading with labels), Markdown as formatting, safety, reproducibility and speed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import time
import zipfile

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from opgen import display
from opgen.display import CONFIDENCE_LABELS
from opgen.model import RAG_LABELS, RiskPosition, Value
from opgen.periods import FinancialYear
from opgen.render import document_timestamp
from opgen.render.docx import BAND_FILLS, RAG_FILLS, annex_docx, contrast_ratio, text_colour_for
from opgen.richtext import normalise_markdown

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- helpers -----------------------------------------------------------------------------------

def render(result) -> bytes:
    return annex_docx(result.plan, result.report.diagnostics)


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def all_text(document) -> str:
    """Every paragraph's and every table cell's text, one per line."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def body(document):
    return document.element.body


def para_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def enrich(result):
    """The plan with what the example plans lack (their sources lost the colours): RAG for every
    action, scored risks with targets, QIPP confidence and a TBC saving, Markdown with formatting."""
    plan = result.plan
    years = plan.meta.years
    colours = list(RAG_FILLS)
    for i, action in enumerate(plan.actions):
        action.rag = {q: colours[(i + j) % len(colours)] for j, q in enumerate(plan.quarters) if q <= plan.meta.as_at}
        action.current_rag = action.rag_as_at(plan.meta.as_at)
    for i, risk in enumerate(plan.risks):
        risk.current = RiskPosition(1 + i % 5, 5 - i % 4)
        risk.target = RiskPosition(1, 2)
        risk.owner = "Chief Finance Officer"
    if plan.qipp:
        plan.qipp.schemes[0].savings[years[0]] = Value("tbc")
        for i, scheme in enumerate(plan.qipp.schemes):
            scheme.confidence = ("green", "amber", "red")[i % 3]
    return plan


# --- content -----------------------------------------------------------------------------------

def test_every_title_appears(example_result):
    plan = example_result.plan
    text = all_text(open_docx(render(example_result)))
    titles = [a.title for a in plan.actions] + [m.title for _, m in plan.milestones] + \
        [r.title for r in plan.risks] + [i.title for i in plan.indicators] + \
        ([s.title for s in plan.qipp.schemes] if plan.qipp else [])
    missing = [t for t in titles if t not in text]
    assert not missing
    for item in plan.actions + plan.risks + plan.indicators:
        assert item.id in text


def test_headings_use_word_heading_styles(example_result):
    document = open_docx(render(example_result))
    headings = {(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")}
    level1 = {text for style, text in headings if style == "Heading 1"}
    plan = example_result.plan
    # a part the plan has is a Heading 1; a part it lacks (an executive summary has no risks) is left out
    parts = {"Actions and delivery status": bool(plan.actions), "Milestones": bool(plan.milestones),
             "QIPP savings": bool(plan.qipp and plan.qipp.schemes), "Risks": bool(plan.risks),
             "Performance indicators": bool(plan.indicators)}
    assert {title for title, present in parts.items() if present} <= level1
    assert not {title for title, present in parts.items() if not present} & level1
    domains = {d.title for d in example_result.plan.domains if d.actions}
    assert domains <= {text for style, text in headings if style == "Heading 2"}
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == example_result.plan.meta.title


def test_styles_are_arial_without_theme_fonts(skc_result):
    document = open_docx(render(skc_result))
    styles = document.styles.element
    for rfonts in styles.iter(qn("w:rFonts")):
        assert rfonts.get(qn("w:asciiTheme")) is None
        assert rfonts.get(qn("w:ascii")) in ("Arial", "Symbol", "Wingdings", "Courier New")
    defaults = styles.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert defaults.get(qn("w:ascii")) == "Arial"


def test_sections_without_data_are_omitted(skc_result):
    plan = skc_result.plan
    plan.risks = []
    plan.indicators = []
    plan.qipp = None
    for action in plan.actions:
        action.milestones = []
    text = [p.text for p in open_docx(annex_docx(plan, [])).paragraphs]
    for heading in ("Risks", "Performance indicators", "QIPP savings", "Milestones"):
        assert heading not in text
    assert "Actions and delivery status" in text


def test_qipp_totals_match_the_model(example_result):
    plan = example_result.plan
    document = open_docx(render(example_result))
    if not (plan.qipp and plan.qipp.schemes):  # no QIPP in the plan: no QIPP section
        assert "QIPP savings" not in [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        return
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Scheme")  # the first: QIPP's
    if not plan.qipp.years:  # schemes without amounts (Ashford and Canterbury): listed, no empty total row
        assert display.qipp_no_amounts(len(plan.qipp.schemes)) in all_text(document)
        assert [r.cells[0].text for r in table.rows[1:]] == [s.id for s in plan.qipp.schemes]
        return
    total_row = next(r for r in table.rows if r.cells[0].text == "Total")
    printed = [c.text for c in total_row.cells]
    has_investment = any(s.investment for s in plan.qipp.schemes)
    for year in plan.qipp.years:
        expected = plan.qipp.net(year) if has_investment else plan.qipp.savings(year)
        assert expected.display() in printed
    assert f"({plan.qipp.unit.header})" in " ".join(c.text for c in table.rows[1].cells)


def test_skc_qipp_net_total_is_9297(skc_result):
    document = open_docx(render(skc_result))
    text = all_text(document)
    assert skc_result.plan.qipp.net(FinancialYear(2014)).display() == "9,297"
    assert "9,297" in text and "5,817" in text  # thousands separators


def test_tbc_is_shown_and_totals_are_incomplete(skc_result):
    plan = enrich(skc_result)
    year = plan.meta.years[0]
    document = open_docx(annex_docx(plan, []))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Scheme")
    first = next(r for r in table.rows if r.cells[0].text == plan.qipp.schemes[0].id)
    assert "TBC" in [c.text for c in first.cells]
    total = plan.qipp.net(year)
    assert total.incomplete and total.display().endswith("+ TBC")
    total_row = next(r for r in table.rows if r.cells[0].text == "Total")
    assert total.display() in [c.text for c in total_row.cells]


# --- Word structure ----------------------------------------------------------------------------

def test_tables_repeat_header_rows_and_rows_do_not_split(example_result):
    document = open_docx(render(example_result))
    assert document.tables
    for table in body(document).iter(qn("w:tbl")):
        rows = table.findall(qn("w:tr"))
        assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        for row in rows:
            assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
        for cell in table.iter(qn("w:tc")):
            assert cell.find(qn("w:p")) is not None, "a table cell without a paragraph makes Word repair the file"
        grid = [int(c.get(qn("w:w"))) for c in table.find(qn("w:tblGrid"))]
        assert int(table.find(f"{qn('w:tblPr')}/{qn('w:tblW')}").get(qn("w:w"))) == sum(grid)


def test_rag_cells_are_shaded_and_labelled(skc_result):
    plan = enrich(skc_result)
    document = open_docx(annex_docx(plan, []))
    fills = {fill: colour for colour, fill in RAG_FILLS.items()}
    seen = 0
    for tc in body(document).iter(qn("w:tc")):
        shd = tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
        if shd is None or shd.get(qn("w:fill")) not in fills:
            continue
        fill = shd.get(qn("w:fill"))
        text = "".join(para_text(p) for p in tc.iter(qn("w:p")))
        if fill in BAND_FILLS.values() and text in ("Extreme", "High", "Moderate", "Low"):
            continue  # a risk band sharing a colour
        if text == CONFIDENCE_LABELS.get(fills[fill]):
            continue  # a QIPP scheme's confidence, worded as in the PDF (High / Medium / Low)
        assert text == RAG_LABELS[fills[fill]]
        colour = tc.find(f".//{qn('w:color')}").get(qn("w:val"))
        assert contrast_ratio(fill, colour) >= 4.5, (fill, colour)
        seen += 1
    reported = sum(len(a.rag) for a in plan.actions)
    assert seen >= reported + 5  # every reported quarter, plus the key on the first page


def test_rag_grid_has_two_repeating_header_rows(skc_result):
    plan = enrich(skc_result)
    document = open_docx(annex_docx(plan, []))
    grid = next(t for t in body(document).iter(qn("w:tbl"))
                if "Actions" in t.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}").get(qn("w:val")))
    rows = grid.findall(qn("w:tr"))
    assert all(r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for r in rows[:2])
    assert rows[2].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None
    top = [para_text(p) for p in rows[0].iter(qn("w:p"))]
    assert "2014/15" in top and "2015/16" in top
    assert [para_text(p) for p in rows[1].iter(qn("w:p"))][-4:] == ["Q1", "Q2", "Q3", "Q4"]


def test_wide_tables_get_landscape_sections(skc_result):
    plan = enrich(skc_result)
    document = open_docx(annex_docx(plan, []))
    sections = list(document.sections)
    assert len(sections) >= 5
    assert sections[0].orientation == WD_ORIENT.PORTRAIT and sections[0].page_width < sections[0].page_height
    landscape = [s for s in sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert landscape, "the RAG grid and the risk register do not fit in portrait"
    for s in landscape:
        assert s.page_width > s.page_height
        assert s._sectPr.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape"


def test_schema_order_of_properties(example_result):
    """Children of pPr, rPr, tcPr and tblPr in the order the OOXML schema requires (Word reports
    anything else as unreadable content)."""
    orders = {
        "pPr": ["pStyle", "keepNext", "keepLines", "numPr", "spacing", "ind", "jc", "rPr", "sectPr"],
        "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "color", "sz", "szCs", "u", "lang"],
        "tcPr": ["tcW", "gridSpan", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "vAlign"],
        "tblPr": ["tblStyle", "tblW", "jc", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                  "tblCaption", "tblDescription"],
        "sectPr": ["headerReference", "type", "pgSz", "pgMar", "cols", "docGrid"],  # header/footer: a choice
    }
    data = render(example_result)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")]
        for name in parts:
            root = etree.fromstring(z.read(name))
            for tag, order in orders.items():
                for element in root.iter(W + tag):
                    names = [c.tag.replace(W, "").replace("footerReference", "headerReference") for c in element]
                    known = [n for n in names if n in order]
                    assert known == sorted(known, key=order.index), (name, tag, names)


def test_relationship_and_numbering_ids_are_unique(skc_result):
    plan = skc_result.plan
    plan.actions[0].description = "1. one\n2. two\n\nand\n\n1. again\n2. more [x](https://a.example/)"
    plan.actions[1].description = "[y](https://b.example/) and [x](https://a.example/)"
    data = annex_docx(plan, [])
    document = open_docx(data)
    rids = list(document.part.rels)
    assert len(rids) == len(set(rids))
    numbering = document.part.numbering_part.element
    num_ids = [n.get(qn("w:numId")) for n in numbering.iter(qn("w:num"))]
    assert len(num_ids) == len(set(num_ids))
    # each ordered list restarts at 1 with its own w:num
    used = {"".join(x.text or "" for x in p.iter(qn("w:t"))): p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}").get(qn("w:val"))
            for p in body(document).iter(qn("w:p"))
            if p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None}
    assert used["one"] == used["two"] and used["again"] == used["more x"] and used["one"] != used["again"]


# --- Markdown ----------------------------------------------------------------------------------

def test_markdown_becomes_word_formatting(skc_result):
    plan = skc_result.plan
    plan.actions[0].description = ("Has **strong words**, *soft words* and a [link](https://example.org/a b?x=1&y=2).\n"
                                   "- first point\n- second point\n    - nested point")
    document = open_docx(annex_docx(plan, []))
    runs = list(body(document).iter(qn("w:r")))
    bold = [para_text(r) for r in runs if r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None]
    italic = [para_text(r) for r in runs if r.find(f"{qn('w:rPr')}/{qn('w:i')}") is not None]
    assert "strong words" in bold and "soft words" in italic
    text = all_text(document)
    assert "**" not in text and "*soft" not in text and "](" not in text
    cell = next(c for t in document.tables for row in t.rows for c in row.cells if "strong words" in c.text)
    styles = [(p.style.name, p.text) for p in cell.paragraphs]
    assert ("List Bullet", "first point") in styles and ("List Bullet", "second point") in styles
    assert ("List Bullet 2", "nested point") in styles
    links = list(body(document).iter(qn("w:hyperlink")))
    assert len(links) == 1 and para_text(links[0]) == "link"
    rel = document.part.rels[links[0].get(qn("r:id"))]
    assert rel.is_external and rel.target_ref == "https://example.org/a%20b?x=1&y=2"


def test_list_after_a_paragraph_line_is_a_list():
    assert normalise_markdown("System change:\n- one\n- two") == "System change:\n\n- one\n- two"
    assert normalise_markdown("In 2014. we began\n2015. we ended") == "In 2014. we began\n2015. we ended"
    assert normalise_markdown("- a\n  - b") == "- a\n    - b"


def test_unsafe_links_are_not_links(skc_result):
    plan = skc_result.plan
    plan.actions[0].description = "[click](javascript:alert(1)) and [file](file:///etc/passwd)"
    document = open_docx(annex_docx(plan, []))
    assert not list(body(document).iter(qn("w:hyperlink")))
    assert all(not r.is_external for r in document.part.rels.values())


# --- safety ------------------------------------------------------------------------------------

def test_control_characters_and_markup_are_text(skc_result):
    plan = skc_result.plan
    plan.actions[0].title = "Bell\x07 and NUL\x00 title"
    plan.actions[0].description = "Bad\x01\x0b\x0c\x1f chars <w:p>injected</w:p> & <script>x</script> \ufffe end"
    plan.actions[0].lead = "Lead\x08 name"
    plan.risks[0].mitigation = "</w:t></w:r></w:p><w:p><w:r><w:t>escaped"
    data = annex_docx(plan, [])
    document = open_docx(data)
    text = all_text(document)
    assert "Bell and NUL title" in text
    assert "<w:p>injected</w:p>" in text and "<script>x</script>" in text
    assert "</w:t></w:r></w:p><w:p><w:r><w:t>escaped" in text
    assert not any(ch in text for ch in "\x00\x01\x07\x08\x0b\x0c\x1f\ufffe")


_PIECES = list("ab <>&*_-#[]()!`\\\n\t\"'1.") + ["\x00", "\x0b", "\x1f", "\ufffe", "\u00e9", "\U0001f600", "**", "- ",
                                                 "<w:p>", "](javascript:x)"]
_NASTY = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_NASTY, description=_NASTY)
def test_any_text_renders_as_text(skc_result, title, description):
    plan = skc_result.plan
    plan.actions[0].title = title
    plan.actions[0].description = description
    plan.risks[0].mitigation = description
    document = open_docx(annex_docx(plan, []))  # python-docx parses it: well-formed XML
    cleaned = "".join(ch for ch in title if ch not in "\x00\x0b\x1f\ufffe")
    assert " ".join(cleaned.split()) in " ".join(all_text(document).split())


# --- reproducibility ---------------------------------------------------------------------------

def test_same_plan_same_bytes(example_result, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = render(example_result)
    with monkeypatch.context() as m:  # another day on the clock: zip entries must not carry it
        m.setattr(time, "time", lambda: 1_900_000_000.0)
        second = render(example_result)
    assert first == second
    stamp = document_timestamp(example_result.plan.meta.date)
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        names = z.namelist()
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
        assert {i.date_time for i in z.infolist()} == {
            (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)}
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
        assert {i.external_attr >> 16 for i in z.infolist()} == {0o100644}
        assert not any(n.endswith((".jpeg", "stylesWithEffects.xml")) for n in names)


def test_source_date_epoch_sets_the_timestamps(skc_result, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1420070400")  # 2015-01-01T00:00:00Z
    first = render(skc_result)
    props = open_docx(first).core_properties
    stamp = dt.datetime(2015, 1, 1, 0, 0, 0)
    assert props.created.replace(tzinfo=None) == stamp
    assert props.modified.replace(tzinfo=None) == stamp
    assert props.last_printed.replace(tzinfo=None) == stamp
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2015, 1, 1, 0, 0, 0)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1435708800")  # 2015-07-01
    second = render(skc_result)
    assert second != first
    assert open_docx(second).core_properties.modified.replace(tzinfo=None) == dt.datetime(2015, 7, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # before the zip epoch: clamped, not a crash
    with zipfile.ZipFile(io.BytesIO(render(skc_result))) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_core_properties(skc_result, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = render(skc_result)
    props = open_docx(data).core_properties
    assert props.author == "NHS South Kent Coast CCG"
    assert props.title == "Operational Delivery Plan"
    assert props.revision == 1
    assert props.last_modified_by == "NHS South Kent Coast CCG"
    assert "python-docx" not in (props.comments or "")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"python-docx" not in z.read("docProps/core.xml")
        assert b"Macintosh" not in z.read("docProps/app.xml")


def test_draft_is_marked_and_footer_numbers_pages(skc_result):
    document = open_docx(render(skc_result))
    section = document.sections[0]
    assert "DRAFT" in section.header.paragraphs[0].text
    footer = section.footer._element
    instructions = [f.get(qn("w:instr")).strip() for f in footer.iter(qn("w:fldSimple"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_open_points_list_tbcs_and_warnings(skc_result):
    document = open_docx(render(skc_result))
    text = all_text(document)
    assert "Milestone HOSP-01-M1 \u2018" in text and "\u2019, due date" in text
    assert "Budget total 2014/15" in text  # the total-mismatch warning, as a sentence
    assert "is still TBC" not in text  # TBC warnings are the inventory, not listed twice


# --- speed -------------------------------------------------------------------------------------

def test_a_thousand_actions_in_a_few_seconds(skc_result):
    plan = enrich(skc_result)
    base = list(plan.actions)
    for domain in plan.domains:
        domain.actions = []
    plan.actions = []
    for i in range(1000):
        a = base[i % len(base)]
        copy = dataclasses.replace(a, id=f"{a.id}-{i:04d}", description=f"{a.description or ''} ({i})",
                                   milestones=[dataclasses.replace(m, id=f"{m.id}-{i}") for m in a.milestones])
        plan.actions.append(copy)
        plan.domain(copy.domain_id).actions.append(copy)
    # CPU time, not wall time: on a shared CI machine wall time measures the neighbours (3.5 s of CPU
    # took 21 s of wall time at a load of 7 on 2 cores)
    start = time.process_time()
    data = annex_docx(plan, [])
    elapsed = time.process_time() - start
    assert elapsed < 8, f"annex for 1,000 actions took {elapsed:.1f}s of CPU"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("word/document.xml").count(b"<w:tblHeader/>") >= 2


def test_rag_colours_meet_wcag_aa():
    for fill in list(RAG_FILLS.values()) + list(BAND_FILLS.values()):
        assert contrast_ratio(fill, text_colour_for(fill)) >= 4.5
    assert RAG_FILLS == {"red": "DA291C", "amber": "FFB81C", "green": "009639", "blue": "005EB8", "grey": "768692",
                         "amber_red": "ED8B00", "amber_green": "78BE20"}  # NHS orange and light green: five-point


def test_long_period_shows_the_reporting_year_quarters(skc_result):
    plan = enrich(skc_result)
    for action in plan.actions:
        action.lead = "Programme Lead, Urgent Care"
    plan.meta.end = FinancialYear(2018)  # five years: 20 quarters do not fit across the page
    document = open_docx(annex_docx(plan, []))
    grid = next(t for t in body(document).iter(qn("w:tbl"))
                if "Actions" in t.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}").get(qn("w:val")))
    rows = grid.findall(qn("w:tr"))
    assert [para_text(p) for p in rows[0].iter(qn("w:p"))][-1] == plan.meta.as_at.year.label
    assert [para_text(p) for p in rows[1].iter(qn("w:p"))][-4:] == ["Q1", "Q2", "Q3", "Q4"]
    assert len(grid.find(qn("w:tblGrid"))) == 4 + 4  # ID, action, lead, start + four quarters


def test_every_row_spans_the_whole_grid(skc_result):
    document = open_docx(annex_docx(enrich(skc_result), []))
    for table in body(document).iter(qn("w:tbl")):
        columns = len(table.find(qn("w:tblGrid")))
        for row in table.findall(qn("w:tr")):
            spans = [int(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}").get(qn("w:val")))
                     if tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}") is not None else 1
                     for tc in row.findall(qn("w:tc"))]
            assert sum(spans) == columns
