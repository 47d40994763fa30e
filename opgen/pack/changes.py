"""What changed in a plan since the version the board saw before: the plan file now against the
same file at a git revision, or as it was on a date (the last commit touching it at or before that
day), compared by opgen.diff like `opgen diff PLAN --from REV`.

    changes, label = changes_since("plans/swale-2015-16.yaml", "v1.0")
    changes, label = changes_since("plans/swale-2015-16.yaml", "2015-02-01")

`changes` is an opgen.diff ChangeSet, or None where it cannot be known; `label` says in words
since what ("Changes since v1.0 (abc1234, 12 February 2015)") or why not ("Changes not shown:
plans/x.yaml is not in a git repository"). Never raises for a user's trouble.

`key_changes(changes)` gives what the pack prints of them (opgen.pack.view.changes_view): the key
changes in a board's words (at most KEY_CHANGES lines) and how many more there are.
"""

from __future__ import annotations

from opgen import display, gitsource
from opgen.diagnostics import UserError

KEY_CHANGES = 12

# Which changes a board reads first (lower first); within a rank, the diff's own order.
_RANK_BY_KIND = {
    ("rag", "worsened"): 0, ("rag", "completed"): 1, ("rag", "improved"): 1,
    ("milestones", "slipped"): 1, ("milestones", "brought-forward"): 3,
    ("risks", "added"): 1, ("risks", "rose"): 1, ("risks", "closed"): 3, ("risks", "fell"): 3,
    ("actions", "added"): 2, ("actions", "removed"): 2,
}
_RANK_BY_SECTION = {"metadata": 4, "qipp": 2, "finance": 2, "bcf": 2, "indicators": 3, "rag": 3,
                    "milestones": 4, "risks": 3, "actions": 4, "domains": 4, "governance": 5,
                    "tbcs": 5, "warnings": 6}


def changes_since(path, since: str | None):
    """(ChangeSet | None, label): the plan at `path` now against its version at `since` (a git
    revision, or a date YYYY-MM-DD: the last commit touching the file at or before that day)."""
    from opgen.diff import diff_plans
    from opgen.pipeline import plan_from_file

    if not since:
        return None, display.changes_not_asked()
    path = str(path)
    try:
        repo, rel = gitsource.repository(path)
        day = gitsource.parse_day(since)
        if day is not None:
            rev = gitsource.last_commit_before(repo, rel, day)
            if rev is None:
                return None, display.changes_unknown(display.no_version_by(rel, display.long_date(day.isoformat())))
            short, when = gitsource.commit_info(repo, rev)
            label = display.changes_since_date(display.long_date(day.isoformat()), short, display.long_date(when))
        else:
            gitsource.check_revision(repo, since)
            rev = since
            short, when = gitsource.commit_info(repo, rev)
            label = display.changes_since_revision(since, short, display.long_date(when))
        old = gitsource.load(gitsource.Source("old", path, rev, repo, rel))
    except UserError as e:
        return None, display.changes_unknown(str(e))
    if old.plan is None:
        return None, display.changes_unknown(display.invalid_at(rel, since, len(old.report.errors)))
    new = plan_from_file(path)
    if new.plan is None:
        return None, display.changes_unknown(display.invalid_now(rel, len(new.report.errors)))
    changes = diff_plans(old.plan, new.plan, old_warnings=old.report.warnings, new_warnings=new.report.warnings,
                         old_label=f"{rel} at {since}", new_label=rel)
    return changes, label


def _rank(c) -> int:
    if c.section == "metadata":  # the plan's status matters; its version, date and quarter less so
        return 0 if c.field == "status" else 5
    return _RANK_BY_KIND.get((c.section, c.kind), _RANK_BY_SECTION.get(c.section, 4))


def change_line(c) -> str:
    """One change in a board's words: "Worsened: Action UC-03 'Falls service': Amber → Red"."""
    from opgen.diff import report

    was, now = report.values(c)
    if c.words:
        was, now = "", display.WORDING_CHANGED
    return display.change_line(c.kind_label, report.subject(c), report.what(c), was, now, report.detail(c))


def key_changes(changes, limit: int = KEY_CHANGES) -> tuple[list[str], int]:
    """The changes a board reads first, in words (at most `limit`), and how many more there are."""
    if changes is None:
        return [], 0
    order = sorted(range(len(changes.changes)), key=lambda i: (_rank(changes.changes[i]), i))
    chosen = sorted(order[:limit])
    return [change_line(changes.changes[i]) for i in chosen], max(0, len(changes.changes) - limit)
