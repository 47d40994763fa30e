"""The diff of governance and strategic alignment (section "governance"): governance bodies matched by
id (added, removed, retitled; chair, meeting frequency, reports to, purpose and members changed),
frameworks and their items matched by id (added, removed, retitled), and alignments: a domain,
action, indicator or BCF metric in both versions that now aligns, or no longer aligns, to a framework
item ("UC-01 Urgent care redesign: aligns to: Kent Joint Health and Wellbeing Strategy outcome
jhws-o2 (...)"), and a framework item that is no longer, or is now, addressed by anything."""

from __future__ import annotations

from opgen import display
from opgen.diff.compare import Comparer
from opgen.governance import Governance, addressers, aligned_to, items_by_id

S = "governance"


def _bodies(g: Governance | None) -> list:
    return g.bodies if g else []


def _reports_to(g: Governance | None, body) -> str | None:
    if not body.reports_to:
        return None
    parent = g.body(body.reports_to) if g else None
    return f"{parent.title} ({parent.id})" if parent else body.reports_to


def _describe_body(b) -> str:
    """'governance body, meets quarterly, chair Dr A Smith'."""
    return ", ".join(x for x in ("governance body", f"meets {b.frequency}" if b.frequency else "",
                                 f"chair {b.chair}" if b.chair else "") if x)


def compare(c: Comparer) -> None:
    old_g, new_g = c.old.governance, c.new.governance

    def body(o, n) -> None:
        c.retitled(S, n.id, o.title, n.title)
        c.field(S, n.id, "chair", o.chair, n.chair, title=n.title)
        c.field(S, n.id, "meets", display.frequency(o.frequency), display.frequency(n.frequency), title=n.title)
        c.field(S, n.id, "reports to", _reports_to(old_g, o) or display.GOVERNANCE_TOP,
                _reports_to(new_g, n) or display.GOVERNANCE_TOP, title=n.title)
        c.text(S, n.id, "purpose", o.purpose, n.purpose, title=n.title)
        if sorted(o.members) != sorted(n.members):  # the same people listed in another order is no change
            c.field(S, n.id, "members", ", ".join(o.members), ", ".join(n.members), title=n.title)
    c.items(S, _bodies(old_g), _bodies(new_g), describe=_describe_body, compare=body)
    if old_g and new_g:
        c.text(S, None, "governance note", old_g.note, new_g.note)

    def framework(o, n) -> None:
        c.retitled(S, n.id, o.title, n.title)
        c.items(S, o.items, n.items, describe=lambda x: f"{n.title}: {display.FRAMEWORK_ITEM_KINDS.get(x.kind or '', 'item').lower()}",
                compare=lambda a, b: c.retitled(S, b.id, a.title, b.title))
    c.items(S, c.old.frameworks, c.new.frameworks, describe=lambda f: display.plural(len(f.items), "item"),
            compare=framework)
    _alignments(c)


def _alignments(c: Comparer) -> None:
    old_items, new_items = items_by_id(c.old), items_by_id(c.new)
    old_by = {(a.kind, a.id): ids for a, ids in addressers(c.old)}
    for who, new_ids in addressers(c.new):
        old_ids = old_by.get((who.kind, who.id))
        if old_ids is None:
            continue  # a new item: reported in its own section, with its alignment in the coverage table
        for item_id in new_ids:
            if item_id not in old_ids and item_id in new_items:
                words = display.framework_item(*new_items[item_id])
                c.add(S, "added", who.id, "aligns to", new=item_id, title=who.title, new_text=words,
                      detail=f"{display.ADDRESSER_KINDS.get(who.kind, who.kind)} {who.id} now aligns to it",
                      key=(who.id, "aligns", item_id))
        for item_id in old_ids:
            if item_id not in new_ids and item_id in old_items:
                words = display.framework_item(*old_items[item_id])
                c.add(S, "removed", who.id, "aligns to", old=item_id, title=who.title, old_text=words,
                      detail=f"{display.ADDRESSER_KINDS.get(who.kind, who.kind)} {who.id} no longer aligns to it",
                      key=(who.id, "aligns", item_id))
    old_aligned, new_aligned = aligned_to(c.old), aligned_to(c.new)
    for item_id, (f, item) in new_items.items():
        if item_id not in old_items:
            continue
        was, now = bool(old_aligned.get(item_id)), bool(new_aligned.get(item_id))
        if was != now:
            c.add(S, "changed", item_id, "coverage", old="addressed" if was else "not addressed",
                  new="addressed" if now else "not addressed", title=item.title,
                  old_text="addressed" if was else "not addressed", new_text="addressed" if now else "not addressed",
                  direction="improved" if now else "worsened", key=(item_id, "coverage"))
