"""What changed in the delivery schedules (issue 9, part 1), matched by action id and period, in a
board's words: a changed cell reads "A2.1 One-stop outpatient services: 2014/15 Q3: Phased
implementation -> Implement" (consecutive periods with the same change are one change, "2014/15 Q3
to Q4"); a schedule added to or removed from an action; a phase now (or no longer) ongoing; the
legends (scales.schedule, scales.milestone_types) and a milestone's type."""

from __future__ import annotations

from opgen import display, schedules
from opgen.diff.compare import Comparer

S = "schedules"


def _cells(spans: list[schedules.Span], unit: str) -> dict[int, str]:
    """First month of each period the schedule fills (a quarter or a month) -> its code."""
    out: dict[int, str] = {}
    for s in spans:
        for m in s.months:
            first = m if unit == "month" else schedules.month_index(schedules.quarter_of_month(m).first_day)
            out.setdefault(first, s.code)
    return out


def _ongoing(spans: list[schedules.Span]) -> str | None:
    return next((s.code for s in reversed(spans) if s.ongoing), None)


def compare(c: Comparer) -> None:
    _legend(c, "schedule", "schedule legend")
    _legend(c, "milestone_types", "milestone types")
    old_actions = {a.id: a for a in c.old.actions}
    for n in c.new.actions:
        o = old_actions.get(n.id)
        if o is None or (not o.schedule and not n.schedule):
            continue  # an added action carries its schedule
        _action(c, o, n)
    old_ms = {m.id: m for _, m in c.old.milestones}
    for _, m in c.new.milestones:
        om = old_ms.get(m.id)
        if om is None or om.type == m.type:
            continue
        old_text = display.milestone_type(c.old.scales, om.type)
        new_text = display.milestone_type(c.new.scales, m.type)
        kind = "changed" if om.type and m.type else ("set" if m.type else "cleared")
        c.add("milestones", kind, m.id, "type", old=om.type, new=m.type, title=m.title, old_text=old_text,
              new_text=new_text, key=(m.id, "type"))


def _legend(c: Comparer, attr: str, name: str) -> None:
    old, new = getattr(c.old.scales, attr), getattr(c.new.scales, attr)
    for code in list(old) + [k for k in new if k not in old]:
        o, n = old.get(code), new.get(code)
        if o is None:
            c.add(S, "added", code, None, new=n.label, title=display.schedule_legend_entry(n), detail=name,
                  key=(name, code))
        elif n is None:
            c.add(S, "removed", code, None, old=o.label, title=display.schedule_legend_entry(o), detail=name,
                  key=(name, code))
        elif (o.label, o.note) != (n.label, n.note):
            c.add(S, "changed", code, name, old=o.label, new=n.label, old_text=display.schedule_legend_entry(o),
                  new_text=display.schedule_legend_entry(n), key=(name, code))


def _action(c: Comparer, o, n) -> None:
    if not n.schedule or not o.schedule:
        kind = "added" if n.schedule else "removed"
        a, plan = (n, c.new) if n.schedule else (o, c.old)
        sentence = display.schedule_sentence(plan.scales, a, schedules.unit_of(a.schedule))
        text = sentence.split(": ", 1)[1] if ": " in sentence else sentence
        c.add(S, kind, n.id, "schedule", old=None if n.schedule else o.id, new=n.id if n.schedule else None,
              title=n.title, old_text="" if n.schedule else text, new_text=text if n.schedule else "",
              key=(n.id, "schedule"))
        return
    unit = "month" if "month" in (schedules.unit_of(o.schedule), schedules.unit_of(n.schedule)) else "quarter"
    step = 1 if unit == "month" else 3
    before, after = _cells(o.schedule, unit), _cells(n.schedule, unit)
    runs: list[list] = []  # [first, last, old code, new code]
    for m in sorted(set(before) | set(after)):
        pair = (before.get(m), after.get(m))
        if pair[0] == pair[1]:
            continue
        if runs and runs[-1][1] + step == m and (runs[-1][2], runs[-1][3]) == pair:
            runs[-1][1] = m
        else:
            runs.append([m, m, *pair])
    for first, last, was, now in runs:
        where = display.schedule_span(first, last + step - 1, unit)
        kind = "changed" if was and now else ("set" if now else "cleared")
        c.add(S, kind, n.id, where, old=was, new=now, title=n.title,
              old_text=display.schedule_phase(c.old.scales, was), new_text=display.schedule_phase(c.new.scales, now),
              key=(n.id, "schedule", where))
    was, now = _ongoing(o.schedule), _ongoing(n.schedule)
    if was != now:
        kind = "changed" if was and now else ("set" if now else "cleared")
        c.add(S, kind, n.id, display.SCHEDULE_ONGOING, old=was, new=now, title=n.title,
              old_text=display.schedule_phase(c.old.scales, was), new_text=display.schedule_phase(c.new.scales, now),
              detail=display.schedule_ongoing_change(was, now), key=(n.id, "schedule", "ongoing"))
