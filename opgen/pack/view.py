"""Every plan of a pack made into one PackView: what the board compares, already in words.

CONTRACT (shared by the pack helpers; fill in, do not rename): `pack_view(spec, entries) -> PackView`.
Every text here is final reader-facing text made through opgen.display (the PDF and the Word pack
print these strings as they are, so they agree). A figure a plan does not state reads "Not stated",
never 0; a TBC reads as display does. `rag`/`tone` fields carry a colour key for styling only:
the text always carries the meaning too."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class PlanEntry:
    """One plan named by the pack, as the build found it."""
    name: str                    # output folder name (opgen.outputs.output_names)
    path: Path
    plan: object | None          # opgen.model.Plan, None when it failed
    diagnostics: list            # opgen.diagnostics.Diagnostic
    problem: str | None = None   # why it is left out ("has 3 errors: plans/x.yaml:12:3: ...", "cannot read")
    changes: object | None = None   # opgen.diff.changes.ChangeSet since spec's `since`, None if not asked
    since_label: str | None = None  # "since v1.0 (12 Feb 2015)", or why not ("not in git: ...")
    pop_pdf: bytes | None = None    # the plan on a page, reused from build/<name>/ or rendered


@dataclass
class Cell:
    text: str                    # what is printed
    tone: str | None = None      # red, amber, green, blue, grey, none: styling only
    note: str | None = None      # a footnote-ish explanation ("rule for 2015/16 not stated")


@dataclass
class Row:
    label: str                   # first column (usually the plan's short name)
    cells: list[Cell]
    anchor: str | None = None    # id of the plan's part, for links


@dataclass
class Table:
    id: str                      # html id, e.g. "summary-qipp"
    caption: str
    columns: list[str]           # header texts (the first is the row label's header)
    rows: list[Row]
    numeric: list[bool] = field(default_factory=list)  # per column after the label: right-align
    note: str | None = None      # under the table (Markdown-free plain text)


@dataclass
class ItemLine:
    """An action, risk or TBC named in a list across plans."""
    plan: str                    # plan short name
    id: str
    title: str
    status: str                  # "Red", "Extreme (score 20)"... as printed
    tone: str | None = None
    detail: str | None = None    # mitigation, path to green, due date...


@dataclass
class ChangesView:
    plan: str
    since_label: str             # "Changes since v1.0", or why not known
    headline: str | None         # the diff's headline, None when not asked or unavailable
    key_changes: list[str] = field(default_factory=list)   # at most ~12 lines in a board's words
    more: int = 0                # how many further changes are not listed


@dataclass
class PlanPart:
    name: str                    # anchor / part id "plan-<name>"
    title: str                   # the plan's title as the running header prints it
    organisation: str
    short: str                   # short name used in tables
    facts: list[tuple[str, str]] # key facts: period, version, status, as at...
    changes: ChangesView | None
    pop_pdf: bytes | None = None # the built plan on a page (PlanEntry.pop_pdf), printed as it is; None: left out


@dataclass
class PackView:
    id: str
    title: str
    cover: dict                  # board, meeting (in words), item, purpose/background (HTML via richtext), recommendations
    plans: list[PlanPart]        # included plans in pack order
    left_out: list[tuple[str, str]]   # (plan path, reason printed in the pack)
    summary: list[Table]         # QIPP (£ and % of allocation), business rules (RAG + text), BCF targets, actions by RAG
    red_amber: list[ItemLine]
    high_risks: list[ItemLine]
    open_items: list[ItemLine]   # open TBCs and warnings
    matrix: Table | None         # plans by framework item: coverage and gaps
    indicators: list[Table]      # one table per comparison measure (plan, baseline, target, benchmark)
    glossary: list[tuple[str, str]]   # (term, meaning), sorted, only terms the pack's text uses
    date: str | None = None      # for the document timestamp (meeting date)
