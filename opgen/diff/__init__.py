"""What changed between two versions of a plan: a ChangeSet of typed Change records, grouped by
section, each change reported once, plus a one-line headline a board member can read aloud.

The comparison works on the model (opgen.model), never on YAML text or positions: every list item is
matched by its `id` (vision statements by their label, values and outcomes as sets), so reordering
lists, reformatting, reordering keys or editing comments yields no changes. Rich text is compared
with its whitespace normalised (re-wrapping a paragraph is not a change) and shown as a word-level
diff of its plain text.

Each change lives in exactly one section:

- a value that goes from or to TBC is reported where the value lives (a milestone's "date set", a
  QIPP saving's "TBC resolved"); the TBC inventory (ChangeSet.tbcs) lists which TBCs were resolved,
  introduced or are still open, and the `tbcs` section holds only TBC changes no other section shows;
- totals (QIPP, finance, BCF) are derived from the lines, so they are a summary (ChangeSet.totals),
  not changes of their own; a *stated* total the author edited is a change;
- an item added or removed carries what it contains (an added action's milestones and RAG are part
  of the addition, not separate changes);
- validation warnings are compared by code and message; TBC warnings are left to the TBC inventory.

The package, one job a module:

- changes.py: the records (Change, TotalChange, TbcSummary, Side, ChangeSet), sections and kinds;
- compare.py: generic comparers (items matched by id, field, text, date, value, money by year,
  unit change, moved domain) filling a Comparer;
- sections.py: one comparer per plan section, built from compare.py;
- inventory.py: TBC and warning matching;
- headline.py: ordering, the headline and `diff_plans`, the entry point;
- report.py: a ChangeSet as text, Markdown, JSON, HTML or PDF;
- texts.py: every figure, date, RAG and count text the diff builds, in one place.

Which lists carry ids and which fields hold money by year come from opgen.ids.
"""

from __future__ import annotations


from opgen.diff.changes import (KIND_ORDER, KINDS, SECTION_ORDER, SECTION_TITLES, SECTIONS, Change, ChangeSet, Side,
                                TbcSummary, TotalChange, field_label)
from opgen.diff.compare import Comparer, rag_movement, word_diff
from opgen.diff.headline import diff_plans, headline
from opgen.ids import item_paths, natural_key, semantic_key, tbc_inventory, tbc_sort_key

__all__ = [
    "diff_plans", "headline", "Change", "ChangeSet", "Side", "TbcSummary", "TotalChange", "Comparer",
    "SECTIONS", "SECTION_TITLES", "SECTION_ORDER", "KINDS", "KIND_ORDER", "field_label", "rag_movement", "word_diff",
    "natural_key", "item_paths", "semantic_key", "tbc_inventory", "tbc_sort_key",
]
