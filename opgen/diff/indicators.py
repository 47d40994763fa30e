"""What changed in indicators version 2, in a board's words: a group, a benchmark (matched by its
period), a trajectory point (by period), an area's baseline, targets and actuals (matched by the
area's id), and a target stated against the present (maintain, reduce by, as another indicator)."""

from __future__ import annotations

from opgen import display
from opgen.diff.compare import Comparer, value_json
from opgen.model import BENCHMARK_FIELDS, Indicator, Value

CHANGES = ("reduce_by", "increase_by", "maintain")


def in_words(v: Value | None) -> bool:
    """A target that is no plain figure (maintain, reduce by, increase by, as another indicator):
    compared in words, never called more or less ambitious by its number."""
    return v is not None and (v.kind == "relative" or v.comparison in CHANGES or v.see is not None)


def target(c: Comparer, s: str, n: Indicator, name: str, old: Value | None, new: Value | None, key: tuple,
           title: str) -> None:
    """A target where either side is stated in words: 'Maintain -> at most 1,699.1'."""
    o_text = display.indicator_value(n, old) if old is not None else None
    n_text = display.indicator_value(n, new) if new is not None else None
    if o_text == n_text:
        return
    kind = "set" if old is None else "cleared" if new is None else "changed"
    c.add(s, kind, n.id, name, old=value_json(old), new=value_json(new),
          title=title, old_text=o_text or "none", new_text=n_text or "none", key=key)


def _target_or_value(c: Comparer, s: str, n: Indicator, name: str, old: Value | None, new: Value | None, *,
                     key: tuple, polarity: str | None, unjudged: str, is_target: bool) -> None:
    if is_target and (in_words(old) or in_words(new)):
        target(c, s, n, name, old, new, key, n.title)
        return
    c.value(s, n.id, name, old, new, key=key, title=n.title, show=lambda v: display.indicator_value(n, v),
            polarity=polarity, target=is_target, unjudged=unjudged,
            first_kind="set" if is_target else "reported")


def compare(c: Comparer, s: str, o: Indicator, n: Indicator, polarity: str | None, unjudged: str) -> None:
    """Everything indicators v2 adds, old against new, for one indicator in both versions."""
    c.field(s, n.id, "group", display.indicator_group(o.group) or None, display.indicator_group(n.group) or None,
            title=n.title)
    # benchmarks, by period
    old_b = {b.period_text: b for b in o.benchmarks}
    new_b = {b.period_text: b for b in n.benchmarks}
    for period in sorted(set(old_b) | set(new_b), key=lambda p: (new_b.get(p) or old_b[p]).period or p):
        ob, nb = old_b.get(period), new_b.get(period)
        words = (nb or ob).period.words if (nb or ob).period else period
        if ob is None or nb is None:
            c.add(s, "added" if ob is None else "removed", n.id, f"benchmark {words}", title=n.title,
                  detail=benchmark_words(n, nb or ob), key=(n.id, "benchmarks", period))
            continue
        for f in BENCHMARK_FIELDS:
            c.value(s, n.id, f"benchmark {words} {display.BENCHMARK_FIELD_LABELS[f]}", getattr(ob, f), getattr(nb, f),
                    key=(n.id, "benchmarks", period, f), title=n.title,
                    show=lambda v: display.indicator_value(n, v))
        c.field(s, n.id, f"benchmark {words} rank", display.rank(*ob.rank) if ob.rank else None,
                display.rank(*nb.rank) if nb.rank else None, title=n.title, key=(n.id, "benchmarks", period, "rank"))
        c.field(s, n.id, f"benchmark {words} peer group", ob.peer_group, nb.peer_group, title=n.title,
                key=(n.id, "benchmarks", period, "peer_group"))
        c.field(s, n.id, f"benchmark {words} source", ob.source, nb.source, title=n.title,
                key=(n.id, "benchmarks", period, "source"))
    # trajectory, by period
    for p in sorted(set(o.trajectory) | set(n.trajectory)):
        _target_or_value(c, s, n, f"trajectory {p.words}", o.trajectory.get(p), n.trajectory.get(p),
                         key=(n.id, "trajectory", p.text), polarity=polarity, unjudged=unjudged, is_target=True)
    # areas, by id
    old_a = {a.id: a for a in o.areas}
    new_a = {a.id: a for a in n.areas}
    for area_id in list(old_a) + [a for a in new_a if a not in old_a]:
        oa, na = old_a.get(area_id), new_a.get(area_id)
        if oa is None or na is None:
            a = na or oa
            c.add(s, "added" if oa is None else "removed", n.id, f"area {area_id}", title=n.title,
                  detail=a.title, key=(n.id, "areas", area_id))
            continue
        where = f"area {na.title}"
        c.field(s, n.id, f"{where} title", oa.title, na.title, title=n.title, key=(n.id, "areas", area_id, "title"))
        c.field(s, n.id, f"{where} kind", display.area_kind(oa.kind) or None, display.area_kind(na.kind) or None,
                title=n.title, key=(n.id, "areas", area_id, "kind"))
        _target_or_value(c, s, n, f"{where} baseline", oa.baseline, na.baseline,
                         key=(n.id, "areas", area_id, "baseline"), polarity=polarity, unjudged=unjudged,
                         is_target=False)
        for p in sorted(set(oa.targets) | set(na.targets)):
            _target_or_value(c, s, n, f"{where} target {p.words}", oa.targets.get(p), na.targets.get(p),
                             key=(n.id, "areas", area_id, "targets", p.text), polarity=polarity,
                             unjudged=unjudged, is_target=True)
        for p in sorted(set(oa.actuals) | set(na.actuals)):
            _target_or_value(c, s, n, f"{where} actual {p.words}", oa.actuals.get(p), na.actuals.get(p),
                             key=(n.id, "areas", area_id, "actuals", p.text), polarity=polarity,
                             unjudged=unjudged, is_target=False)


def benchmark_words(ind: Indicator, b) -> str:
    """A benchmark in a line, for an added or removed one: 'England 1,800.0; peer median 1,750.0; rank 118 of 211'."""
    parts = [f"{display.BENCHMARK_COLUMNS[f]} {display.indicator_value(ind, getattr(b, f))}"
             for f in ("national", "regional", "county", "median") if getattr(b, f) is not None]
    if b.p25 is not None or b.p75 is not None:
        parts.append(f"{display.BENCHMARK_COLUMNS['percentiles']} {display.percentile_range(ind, b.p25, b.p75)}")
    if b.rank:
        parts.append(f"rank {display.rank(*b.rank)}")
    return "; ".join(parts)
