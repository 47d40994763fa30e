"""Board quality at any size (issue 8, item 10): what a board member would notice on the page.

- an action with no RAG reported gets one line, not an empty Q1-Q4 grid, so a plan with 101 such
  actions is not dozens of pages of empty grids;
- no heat map when no risk has a likelihood and impact, and captions whose counts match the register;
- the board papers' inventory names items in words, never by YAML line, column or path;
- the plan on a page never cuts a vision statement mid-sentence, lays many statements out as a grid
  and many programmes as cards with counts by RAG, and stays one page.
"""

from __future__ import annotations

import io
import re
from html import unescape

import docx
from docx.oxml.ns import qn
import pytest

from board_variants import (SKC, SWALE, STATEMENTS, dump, many_actions_no_rag, raw, scored_risks,
                            with_domains, with_statements)
from opgen import display
from opgen.diagnostics import parse_yaml_path
from opgen.model import RAG_LABELS
from opgen.pipeline import plan_from_bytes, plan_from_file
from opgen.render.docx import annex_docx
from opgen.render.html import operational_plan_html, shorten, truncate
from opgen.render.pdf import operational_plan_pdf, plan_on_a_page_pdf
from test_render_pdf import PLANS, flat, full_pdf, full_text, page_count, pdf_text, squash


def result_of(data: dict, name: str):
    result = plan_from_bytes(dump(data), name)
    assert result.ok, [d.as_text() for d in result.report.errors][:5]
    return result


# --- 1. no empty RAG grids ---------------------------------------------------------------------

def test_a_hundred_actions_with_no_rag_are_said_to_have_none_once_not_in_dozens_of_pages_of_grids():
    result = result_of(many_actions_no_rag(101), "no-rag.yaml")
    plan = result.plan
    html, pdf = operational_plan_pdf(plan, result.report.diagnostics)
    assert 'class="rag-grid"' not in html
    # said once for the plan (and once per programme), not under each of the 101 actions
    assert html.count(display.no_rag_yet(plan.meta.as_at.label)) == 0
    assert html.count(display.no_rag_in_plan(plan.meta.as_at.label, 101)) == 1
    # 47 pages when each action had an empty Q1-Q4 grid; the grids alone were a quarter of them
    assert page_count(pdf) <= 36
    text = flat(pdf_text(pdf))
    assert "Q1 Apr" not in text and display.NO_RAG_YET in text


def test_an_action_with_some_quarters_reported_keeps_its_grid():
    data = many_actions_no_rag(6)
    year = data["plan"]["as_at"].split()[0]
    data["actions"][2]["rag"] = {year: {"q1": "amber"}}
    plan = result_of(data, "one-rag.yaml").plan
    html = operational_plan_html(plan, [])
    assert html.count('class="rag-grid"') == 1
    assert html.count(display.no_rag_yet(plan.meta.as_at.label)) == 5
    grid = html[html.index('class="rag-grid"'):]
    assert "Amber" in grid[:grid.index("</table>")]


# --- 2. heat map and its captions ----------------------------------------------------------------

def test_no_heat_map_when_no_risk_is_scored():
    for path, words in ((SKC, "the 16 open risks are rated by band only"),
                        (next(p for p in PLANS if p.stem.startswith("redditch")), "none of the 4 open risks are scored or rated yet")):
        result = plan_from_file(path)
        assert not any(r.current for r in result.plan.risks)
        html = operational_plan_html(result.plan, result.report.diagnostics)
        assert 'class="heatmap"' not in html and "Likelihood \\ Impact" not in html
        assert words in flat(full_text(str(path)))
        assert "L &times; I = score" not in html  # no column of nothing but "Rated only"


def test_heat_map_caption_counts_match_the_register():
    result = result_of(scored_risks(raw(SKC), scored=8, rated_only=3, unrated=2), "mixed-risks.yaml")
    plan = result.plan
    placed = [r for r in plan.open_risks if r.current]
    rated = [r for r in plan.open_risks if not r.current and r.band]
    unrated = [r for r in plan.open_risks if not r.current and not r.band]
    assert (len(placed), len(rated), len(unrated)) == (8, 3, 2)
    html, pdf = operational_plan_pdf(plan, result.report.diagnostics)
    text = flat(pdf_text(pdf))
    assert ("8 of 13 open risks are placed on the map by likelihood and impact; 3 have a rating only "
            "(no likelihood and impact) and 2 have no rating.") in text
    assert sum(int(n) for n in re.findall(r'<span class="hm-count">(\d+)</span>', html)) == 8
    assert "Rated only, not on the heat map (3)" in text and "Not rated, not on the heat map (2)" in text
    # the register says which is which: a risk with no rating is not "rated only"
    register = html[html.index('<table class="grid register">'):]
    for r in unrated:
        row = register[register.index(f'<td class="c-ref ref">{r.id}</td>'):]
        row = row[:row.index("</tr>")]
        assert display.NOT_SCORED in row and display.RATED_ONLY not in row


def test_heat_map_caption_wording():
    assert display.heat_map_caption(13, 0, 0) == "All 13 open risks are placed on the map by likelihood and impact."
    assert display.heat_map_caption(1, 0, 1) == ("1 of 2 open risks is placed on the map by likelihood and impact; "
                                                 "1 has no rating.")
    assert display.heat_map_caption(0, 5, 8).startswith("No heat map")
    assert "5 have a rating only" in display.heat_map_caption(0, 5, 8)
    assert "8 have no rating" in display.heat_map_caption(0, 5, 8)


# --- 3. the inventory names items in words -------------------------------------------------------

POSITION = re.compile(r"\bline \d+|\bcolumn \d+|\bL\d+:|\.yaml:\d+|\b[a-z_]+\[\d+\]|\[\"\d{4}/\d{2}\"\]")


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_board_papers_name_open_items_in_words_without_yaml_positions(path):
    result = plan_from_file(path)
    plan = result.plan
    html = full_pdf(str(path))[0]
    pdf_words = flat(full_text(str(path)))
    annex = docx.Document(io.BytesIO(annex_docx(plan, result.report)))
    annex_words = flat(" ".join("".join(t.text or "" for t in p.iter(qn("w:t")))
                                for p in annex.element.body.iter(qn("w:p"))))
    if not plan.tbcs and not result.report.warnings:  # nothing open: neither paper has an empty inventory
        assert "Items to be confirmed and warnings" not in pdf_words and "Open points" not in annex_words
        assert "Items to be confirmed and warnings" not in html
        return
    # the inventory's heading, then its TBC list or (a plan with nothing to be confirmed) its warnings
    start = re.search(r"Items to be confirmed and warnings (Values to be confirmed|Warnings \(\d+\))", pdf_words)
    assert start, "the full plan has no inventory of open items"
    inventory = pdf_words[start.start():]
    inventory = inventory.split(" Appendix A ", 1)[0]  # the plan's own appendices follow the inventory
    assert not POSITION.search(inventory), POSITION.search(inventory)
    open_points = annex_words[annex_words.rindex("Open points"):].split("Appendix A:", 1)[0]  # then the appendices
    assert not POSITION.search(open_points), POSITION.search(open_points)
    html_inventory = flat(unescape(html[html.rindex("Items to be confirmed and warnings"):]))
    # each TBC is named by its item's id and title, then the field (a plan-wide fact, `version: tbc`,
    # by its section: "Plan details version")
    for t in plan.tbcs:
        words = display.item_in_words(plan, t.path)
        if t.path[0] in ("plan", "organisation"):
            assert words.startswith(display.SECTION_WORDS[t.path[0]]) and words.endswith(t.label.split()[-1])
        elif t.path[0] == "tables":  # a table's cell: by the table's id and title, then row and column
            assert words.startswith(f"Table {plan.tables[t.path[1]].id} \u2018{plan.tables[t.path[1]].title}\u2019, row")
        else:
            assert "\u2018" in words and words.split(" ", 2)[1] in t.label
        assert words in html_inventory and words in open_points
    # warnings are named in words too: an item by id and title, a section's own figure by section;
    # one cause with one fix met more than GROUP_OVER times is one row naming every item by id
    rows = display.board_warnings(plan, result.report)
    for row in rows:
        assert row["item"] in open_points, row["item"]
        assert flat(row["item"]) in flat(re.sub(r"<[^>]+>", "", html_inventory)), row["item"]
    singles = {row["item"] for row in rows if not row["ids"]}
    grouped_ids = {i for row in rows for i in row["ids"]}
    for d in result.report.warnings:
        if d.code != "tbc":  # TBC warnings are the TBC list above
            path = parse_yaml_path(d.yaml_path)
            words = display.item_in_words(plan, path)
            assert words in singles or any(i and i in grouped_ids for i in _ids_on(plan, path)), words
    assert sum(row["count"] for row in rows) == len({(d.message, d.hint) for d in result.report.warnings
                                                     if d.code != "tbc"})


def _ids_on(plan, path) -> list[str]:
    index = display.item_index(plan)
    return [str(getattr(index[tuple(path[:cut])][1], "id", "")) for cut in range(len(path), 0, -1)
            if tuple(path[:cut]) in index]


def test_a_cause_met_many_times_is_one_row_of_the_board_paper_naming_every_item(tmp_path):
    from test_validate_v2 import with_indicators
    from test_validate import dump as dump_plan
    path = tmp_path / "six-without-baseline.yaml"
    path.write_text(dump_plan(with_indicators(6, targets={"2025/26": 5})))
    result = plan_from_file(path)
    rows = display.board_warnings(result.plan, result.report)
    [row] = [r for r in rows if "have no baseline" in r["message"]]
    assert row["count"] == 6 and row["message"] == "6 indicators have no baseline"
    assert row["ids"] == [f"KPI-{i}" for i in range(1, 7)] and row["item"].startswith("Indicators: KPI-1, KPI-2")
    pdf = flat(full_text(str(path)))
    assert pdf.count("have no baseline") == 1 and "Indicators: KPI-1, KPI-2, KPI-3, KPI-4, KPI-5, KPI-6" in pdf
    annex = docx.Document(io.BytesIO(annex_docx(result.plan, result.report)))
    cells = [c.text for t in annex.tables for r in t.rows for c in r.cells]
    assert cells.count("6 indicators have no baseline") == 1


def test_item_in_words():
    plan = plan_from_file(SKC).plan
    action = plan.actions[0]
    assert display.item_in_words(plan, action.path + ("due",)) == f"Action {action.id} \u2018{action.title}\u2019, due date"
    assert display.item_in_words(plan, ("qipp", "stated_total", "2014/15")) == "QIPP stated net total 2014/15"
    assert display.item_in_words(plan, ()) == "The plan as a whole"


# --- 4. the plan on a page -----------------------------------------------------------------------

def test_shortening_ends_at_a_sentence_or_a_word_with_an_ellipsis():
    text = "One number to call. A clinician who can see the record. Care closer to home for everyone."
    assert shorten(text, None) == text and shorten(text, 200) == text
    assert shorten(text, 60) == "One number to call. A clinician who can see the record. \u2026"
    assert shorten(text, 12) == "One number\u2026"
    assert truncate("Alpha beta gammadeltaepsilon zeta", 25) == "Alpha beta\u2026"  # never mid-word


def pop(data: dict, name: str):
    result = result_of(data, name)
    html, pdf = plan_on_a_page_pdf(result.plan, result.report.diagnostics)
    assert page_count(pdf) == 1
    return result.plan, html, flat(pdf_text(pdf))


@pytest.mark.parametrize("count", [1, 8, 12])
def test_plan_on_a_page_shows_every_vision_statement_whole(count):
    plan, html, text = pop(with_statements(raw(SKC), count), f"statements-{count}.yaml")
    for label, statement in STATEMENTS[:count]:
        assert squash(statement) in squash(text), label  # whole, to its final words
    assert "\u2026" not in text[:text.index("DELIVERY PROGRAMMES") if "DELIVERY PROGRAMMES" in text else 0]
    vision = html[html.index('<section class="vision'):html.index("</section>")]
    rows = [r.count('statement"') for r in vision.split('class="vg-row"')[1:]]
    rows = [r for r in rows if r]
    if count <= 4:
        assert rows == [count]
    else:
        assert rows == [4] * (count // 4)  # eight: two rows of four; twelve: three rows of four


@pytest.mark.parametrize("count", [3, 8, 14])
def test_plan_on_a_page_with_many_programmes_uses_cards_with_counts_by_rag(count):
    plan, html, text = pop(with_domains(raw(SWALE), count), f"domains-{count}.yaml")
    cards = 'domain-cards' in html
    assert cards == (count > 6)
    for domain in plan.domains:
        assert squash(domain.title) in squash(text)
        if cards:
            counts = domain.rag_counts()
            summary = display.rag_summary(len(domain.actions), counts)
            assert squash(summary) in squash(text)
            assert summary.startswith(f"{len(domain.actions)} action")
            for key, n in counts.items():
                if key in RAG_LABELS:
                    assert f"{n} {RAG_LABELS[key].lower()}" in summary


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_example_plans_on_a_page_keep_their_vision_whole(path):
    result = plan_from_file(path)
    html, pdf = plan_on_a_page_pdf(result.plan, result.report.diagnostics)
    assert page_count(pdf) == 1
    text = squash(flat(pdf_text(pdf)))
    for s in result.plan.vision.statements:
        last = " ".join(display.sentence(s.text).split()[-6:])
        assert squash(last.replace("**", "").replace("*", "")) in text, s.label
