"""The pack file (packs/<pack>.yaml) as a PackSpec: the board, its meeting, the agenda item, purpose,
recommendations and background, the plans, the shared framework and the comparison measures.

The pack file's YAML (keys as the fields below; plan paths relative to the pack file's folder):

    # yaml-language-server: $schema=../schemas/pack.schema.json
    pack_version: 1
    title: Review of Commissioning Plans
    board: Kent Health and Wellbeing Board
    meeting: 2015-03-18
    item: "5"
    author: ...
    purpose: ...                  # Markdown
    recommendations: [...]        # Markdown each
    background: ...               # Markdown
    since: v1.0                   # optional default "what changed since": git revision or YYYY-MM-DD
    plans:
      - ../plans/ashford-canterbury-2015-16.yaml
      - {path: ../plans/west-kent-2015-16.yaml, since: 2015-02-01, label: West Kent}
    framework:
      id: jhws
      title: Kent Joint Health and Wellbeing Strategy
      kind: jhws
      note: ...
      items:
        - {id: jhws-o1, title: Give Every Child the Best Start in Life, kind: outcome}
        - {id: jhws-o2, kind: outcome}           # no title: the source does not give it
    measures:
      - {code: E.B.1, title: ..., note: ..., national: ..., county: ...}
    bcf_band: {min: 0.6, max: 1, note: ...}
    glossary:
      - {term: HWB, meaning: Health and Wellbeing Board}

CONTRACT (shared by the pack helpers; fill in, do not rename): `load_pack(path) -> (PackSpec | None,
diagnostics)` reads a pack file with opgen.load (located errors, same limits) and checks it against
opgen/resources/pack.schema.json; `spec_from_args(paths, title)` makes a PackSpec for
`opgen pack PLAN|DIR... --title ...` without a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FrameworkItem:
    id: str                      # "jhws-o1": matched against a plan framework's item ids
    title: str | None            # as the source words it; None where the pack's source does not say
    kind: str | None = None      # outcome, priority...
    parent: str | None = None    # a priority's outcome id


@dataclass(frozen=True)
class SharedFramework:
    id: str                      # "jhws": a plan's framework with this id, or its one framework of this kind
    title: str                   # "Kent Joint Health and Wellbeing Strategy"
    kind: str = "jhws"
    items: tuple[FrameworkItem, ...] = ()
    note: str | None = None      # Markdown


@dataclass(frozen=True)
class Measure:
    """A comparison measure: one indicator compared across plans, matched by national code."""
    code: str                    # national code, e.g. "E.B.1" (matches Indicator.code, or one of a list)
    title: str                   # the pack's name for it
    note: str | None = None
    national: str | None = None  # a national/county figure the pack quotes for context, as text
    county: str | None = None


@dataclass(frozen=True)
class PlanRef:
    path: Path                   # the plan file (relative paths resolve against the pack file's folder)
    since: str | None = None     # a git revision or a date (YYYY-MM-DD) "what changed since"
    label: str | None = None     # the pack's short name for the plan, else the organisation's short name


@dataclass(frozen=True)
class PackSpec:
    id: str                      # folder name under build/packs/ (the pack file's stem, or from --title)
    title: str                   # "Review of Commissioning Plans"
    board: str | None = None     # "Kent Health and Wellbeing Board"
    meeting: str | None = None   # ISO date "2015-03-18"
    item: str | None = None      # agenda item, "5"
    purpose: str | None = None   # Markdown
    recommendations: tuple[str, ...] = ()   # Markdown each
    background: str | None = None           # Markdown
    author: str | None = None    # "By:" / "From:" line(s)
    plans: tuple[PlanRef, ...] = ()
    framework: SharedFramework | None = None
    measures: tuple[Measure, ...] = ()
    since: str | None = None     # default "what changed since" for every plan (a plan's own wins)
    glossary: tuple[tuple[str, str], ...] = ()  # terms the pack itself defines (term, meaning)
    bcf_band: tuple[str, str] | None = None     # the agreed BCF non-elective admissions reduction band in
                                                # percent, as decimal strings ("0.6", "1"); None: not set
    bcf_band_note: str | None = None            # where the band comes from ("agreed by the board on 28 Jan 2015")
    source: str = "<pack>"       # the pack file, for messages
