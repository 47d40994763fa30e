"""What a new author saw on the rendered pages of an unseen real plan (Ashford and Canterbury &
Coastal CCGs 2015/16, transcribed by the fidelity check: tests/fixtures/ashford-canterbury-2015-16.yaml),
asserted as a reader meets it in the full plan, the plan on a page and the Word annex:

1. no invented zero on the cover (a QIPP with no amounts is "Not stated");
2. every assessment an indicator states is printed, newest first, not only the latest;
3. a see-reference to a chapter prints its number and title (a link), never its raw id;
4. an action's status is said once; a complete action's missing RAG is not "Not reported";
5. indicators given in words only get a table where the words are the content;
6. the plan on a page picks indicators with something to show, drops an empty QIPP box and says
   once that the plan reports no RAG;
7. a data table's description reads under its caption.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from opgen import display
from opgen.pipeline import plan_from_file
from opgen.render.html import operational_plan_html
from opgen.render.pop import plan_on_a_page_html
from paper_text import checked, word_text_of

ASHFORD = Path(__file__).parent / "fixtures" / "ashford-canterbury-2015-16.yaml"
SKC = Path(__file__).resolve().parent.parent / "plans" / "south-kent-coast-2014-16.yaml"


@pytest.fixture(scope="module")
def ashford():
    return checked(plan_from_file(ASHFORD))


@pytest.fixture(scope="module")
def full(ashford) -> str:
    return operational_plan_html(ashford.plan, ashford.report.diagnostics)


@pytest.fixture(scope="module")
def pop(ashford) -> str:
    return plan_on_a_page_html(ashford.plan, ashford.report.diagnostics)


@pytest.fixture(scope="module")
def word(ashford) -> str:
    return word_text_of(ashford)


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: its words, tags dropped."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def element(page: str, anchor: str, tag: str) -> str:
    """The HTML of the element with id `anchor` (up to its closing tag)."""
    start = page.index(">", page.index(f'id="{anchor}"')) + 1
    return page[start:page.index(f"</{tag}>", start)]


def word_row(word: str, item_id: str) -> str:
    return next(line for line in word.splitlines() if line.startswith(f"{item_id} |"))


# --- 1. no invented zero ------------------------------------------------------------------------------

def test_the_cover_says_not_stated_for_a_qipp_with_no_amounts(full):
    cover = text(full[full.index('class="cover"'):full.index('id="document-control"')])
    assert "QIPP net saving 2015/16: Not stated" in cover
    assert "£0" not in cover and "0k" not in cover


def test_a_qipp_chapter_with_no_amounts_says_so_instead_of_tables_of_dashes(full, word):
    chapter = full[full.index('id="part-qipp"'):]
    chapter = chapter[:chapter.index("</section>")]
    assert display.qipp_no_amounts(2) in text(chapter)
    assert "QIPP totals by year" not in chapter and "Net saving by programme" not in chapter
    assert "Q-ORTHO Orthopaedics referral and triage scheme" in text(chapter)  # the schemes are still listed
    assert display.qipp_no_amounts(2) in word


def test_the_cover_still_prints_a_qipp_figure_the_plan_gives():
    result = plan_from_file(SKC)
    page = operational_plan_html(result.plan, result.report.diagnostics)
    cover = text(page[page.index('class="cover"'):page.index('id="document-control"')])
    assert re.search(r"QIPP net saving \d{4}/\d{2}: −?£[\d,.]+[km]", cover), cover


def test_a_plan_with_no_rag_says_so_once_in_the_glance_table_not_as_a_count_per_programme(full, ashford):
    glance = full[full.index('class="glance-block"'):]
    glance = glance[:glance.index("</table>")]
    assert display.NOT_REPORTED not in text(glance)
    assert text(glance).count(display.no_rag_in_plan("2015/16 Q1", len(ashford.plan.actions))) == 1


# --- 2. every assessment ------------------------------------------------------------------------------

def test_every_assessment_is_printed_newest_first_in_both_papers(full, word):
    cancer, rtt = text(element(full, "ind-7", "tr")), text(element(full, "ind-8", "tr"))
    assert "IND-CANCER" in cancer and "IND-RTT" in rtt
    assert "Below target (2014/15) Underachieved" in cancer and "Worsening (2014/15) Deterioration" in cancer
    assert rtt.index("Below target (2014/15 Q4)") < rtt.index("Below target (2014/15) Underachieved")
    cancer, rtt = word_row(word, "IND-CANCER"), word_row(word, "IND-RTT")
    assert "Below target (2014/15)" in cancer and "Worsening (2014/15)" in cancer
    assert rtt.index("Below target (2014/15 Q4)") < rtt.index("Below target (2014/15) Underachieved")
    assert display.ASSESSMENTS_HEADING in text(full) and display.ASSESSMENTS_HEADING in word


def test_assessments_newest_first_keeps_the_plans_order_within_a_period(ashford):
    cancer = next(i for i in ashford.plan.indicators if i.id == "IND-CANCER")
    assert [a.status for a in display.assessments_newest_first(cancer.assessments)] == ["below_target", "worsening"]


# --- 3. see-references to chapters ---------------------------------------------------------------------

def test_a_see_reference_to_a_chapter_prints_its_number_and_title_as_a_link(full, word):
    link = re.search(r'<a href="#sec-review-uc"><span class="ref">([^<]+)</span> ([^<]+)</a>', full)
    assert link, "the see-reference to the chapter is a link"
    number, title = link.groups()
    heading = text(element(full, "sec-review-uc", "h3"))
    assert heading.startswith(f"{number} {title}") and number[0].isdigit()
    see = [text(m) for m in re.findall(r'<p class="see-also">.*?</p>', full)]
    assert not [s for s in see if re.search(r"\b(review-uc|timelines|fc-winter)\b", s)]
    row = word_row(word, "UC-R1")
    assert "See also: Review of 2014/15 › Commissioning Projects › Urgent Care (chapter)" in row
    assert "review-uc" not in word and "fc-winter" not in word


# --- 4. status once -----------------------------------------------------------------------------------

def test_a_complete_action_says_complete_once_and_never_not_reported(full, pop):
    article = text(element(full, "act-1-5", "article"))
    assert article.startswith("UC-R1 Integrated discharge teams Complete In place (Review of 2014/15).")
    assert article.lower().count("complete") == 1
    assert display.NOT_REPORTED not in article and display.NO_RAG_YET not in article
    summary = full[full.index('class="grid action-summary"'):]
    row = text(summary[summary.index("UC-R1"):summary.index("</tr>", summary.index("UC-R1"))])
    assert row.endswith("Complete") and display.NOT_REPORTED not in row
    assert display.NOT_REPORTED not in text(pop)
    # the plan on a page of a plan with no RAG still says which actions are done, in words
    assert "UC-R1 Integrated discharge teams Complete" in text(pop)
    assert "UC-01 Integrated Urgent Care Centre Complete" not in text(pop)


def test_a_plan_with_no_rag_says_so_for_the_plan_and_each_programme_not_under_every_action(full):
    article = element(full, "act-1-1", "article")
    assert display.NO_RAG_YET not in text(article)  # said above, not 31 times over
    assert text(full).count(display.no_rag_in_plan("2015/16 Q1", 36)) == 1
    assert text(full).count(display.no_rag_as_at("2015/16 Q1")) == 8  # once per programme
    # the plan reports no RAG at all: no "Not reported" badge on top of that line, nor in the summary
    assert display.NOT_REPORTED not in text(article)
    summary = full[full.index('class="grid action-summary"'):]
    assert display.NOT_REPORTED not in text(summary[:summary.index("</table>")])


# --- 5. indicators in words only ---------------------------------------------------------------------

def test_indicators_given_in_words_only_have_a_table_where_the_words_are_the_content(full, word):
    chapter = full[full.index('id="part-performance"'):]
    chapter = chapter[:chapter.index("</section>")]
    figures, words = chapter.split(display.ASSESSED_IN_WORDS, 1)
    assert "IND-BPPC" in figures and "IND-DEM" not in figures
    assert "IND-DEM Dementia diagnosis rate Improving (2014/15) We have increased" in text(words)
    assert display.NOT_STATED not in text(words) and "\u2013" not in text(words)
    assert text(figures).count(display.NOT_STATED) == 1  # BPPC's polarity, once; no unit wraps
    assert "IND-DEM | Dementia diagnosis rate | Improving (2014/15)" in word
    assert display.ASSESSED_IN_WORDS in word


# --- 6. the plan on a page ----------------------------------------------------------------------------

def test_the_plan_on_a_page_shows_indicators_with_something_to_say(pop):
    panel = text(pop[pop.index('class="panel indicators"'):pop.index("</section>", pop.index('class="panel indicators"'))])
    assert "Invoices paid within 30 days" in panel and "95%" in panel  # the one with figures comes first
    assert "Improving (2014/15)" in panel
    assert not re.search("\u2013 \u2192 \u2013", panel)


def test_the_plan_on_a_page_drops_an_empty_qipp_box_and_says_no_rag_once(pop, ashford):
    assert "QIPP savings" not in text(pop)
    assert display.NOT_REPORTED not in text(pop) and 'class="a-rag"' not in pop
    assert text(pop).count(display.no_rag_as_at("2015/16 Q1")) == 1
    # one line per programme ("7 actions, no RAG reported yet") and the one note over them all
    assert text(pop).count("actions, no RAG reported yet") == len(ashford.plan.domains) + 1


# --- 7. a table's description under its caption ------------------------------------------------------

def test_a_data_tables_description_reads_under_its_caption(full):
    page = text(full)
    assert page.index("Table 1: QIPP target 2015/16") < page.index("Reduced through revision")
    block = full[full.index("Table 1: QIPP target 2015/16") - 400:]
    assert block.index("<caption>") < block.index("Reduced through revision") < block.index("</caption>")


# --- a plan that states no vision at all -------------------------------------------------------------

TINY = """\
schema_version: 2
organisation: {name: NHS Tiny CCG}
plan:
  title: Operating Plan
  period: {start: "2015/16", end: "2015/16"}
  status: submitted
domains:
  - {id: uc, title: Urgent care}
actions:
  - {id: UC-01, domain: uc, title: Extend the walk-in centre hours}
"""


def test_a_plan_with_no_vision_validates_and_says_so_without_an_empty_band():
    from opgen.pipeline import plan_from_bytes
    result = checked(plan_from_bytes(TINY.encode(), "tiny.yaml"))
    assert result.report.diagnostics == []
    full_html = operational_plan_html(result.plan, [])
    assert display.NO_VISION in text(full_html)
    assert display.NO_VISION in word_text_of(result) and "Our vision: not stated in the plan" in word_text_of(result)
    pop_html = plan_on_a_page_html(result.plan, [])
    assert 'class="vision' not in pop_html and "Our mission" not in pop_html
    with_mission = checked(plan_from_bytes((TINY + "vision:\n  mission: To keep people well at home.\n").encode(),
                                           "mission.yaml"))
    pop_html = plan_on_a_page_html(with_mission.plan, [])
    assert "Our mission" in pop_html and "To keep people well at home." in text(pop_html)
    assert display.NO_VISION not in text(operational_plan_html(with_mission.plan, []))
