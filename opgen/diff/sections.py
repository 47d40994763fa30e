"""One comparer per plan section (metadata, vision, domains, actions and their RAG, milestones, QIPP,
risks, indicators, finance, BCF), each built from the generic comparers in compare.py.

Which lists carry ids and which fields hold money by year come from opgen.ids.
"""

from __future__ import annotations

from opgen import chapters, display

from decimal import Decimal

from opgen.diff import governance, texts
from opgen.diff import indicators as indicators_v2
from opgen.diff import schedules as schedule_changes
from opgen.diff.changes import TotalChange
from opgen.diff.compare import MONEY_SCALE, Comparer, norm, rag_movement, rescale, same_total, scale_total, value_json
from opgen.ids import item_money, section_money
from opgen.model import BAND_ORDER, RAG_ORDER, TOTALLED_GROUPS, Indicator
from opgen.periods import Quarter
from opgen.richtext import to_plain

MILESTONE_RANK = {"missed": 0, "at_risk": 1, "not_started": 2, "in_progress": 2, "complete": 3}


def run(c: Comparer) -> None:
    metadata(c)
    vision(c)
    narrative(c)
    domains(c)
    actions(c)
    milestones(c)
    schedule_changes.compare(c)
    qipp(c)
    risks(c)
    indicators(c, "indicators", c.old.indicators, c.new.indicators)
    finance(c)
    bcf(c)
    governance.compare(c)
    tables(c)


def metadata(c: Comparer) -> None:
    o, n = c.old, c.new
    s = "metadata"
    c.field(s, None, "organisation", o.organisation.name, n.organisation.name)
    c.field(s, None, "short_name", o.organisation.short_name, n.organisation.short_name)
    c.field(s, None, "ods_code", o.organisation.code, n.organisation.code)
    c.field(s, None, "title", o.meta.title, n.meta.title)
    c.field(s, None, "subtitle", o.meta.subtitle, n.meta.subtitle)
    c.field(s, None, "version", o.meta.version, n.meta.version)
    c.field(s, None, "status", o.meta.status, n.meta.status)
    if o.meta.as_at != n.meta.as_at and display.as_at(o.meta) and display.as_at(n.meta):
        later = n.meta.as_at > o.meta.as_at
        c.add(s, "changed", None, "as_at", old=o.meta.as_at.label, new=n.meta.as_at.label,
              direction="later" if later else "earlier", old_text=o.meta.as_at.label,
              new_text=n.meta.as_at.label,
              detail=f"{'moved on' if later else 'moved back'} "
                     f"{texts.plural(abs(n.meta.as_at.index - o.meta.as_at.index), 'quarter')}",
              key=(s, "as_at"))
    c.field(s, None, "period", o.meta.period_label, n.meta.period_label)
    c.field(s, None, "date", o.meta.date, n.meta.date, show=texts.date)
    sign = lambda p: sorted(f"{x.name} ({x.role}{', signed ' + x.date if x.date else ''})" for x in p.meta.signatories)
    if sign(o) != sign(n):
        c.field(s, None, "signatories", "; ".join(sign(o)), "; ".join(sign(n)))
    bands = lambda p: ", ".join(f"{k} from {v}" for k, v in sorted(p.risk_bands.items(), key=lambda kv: kv[1]))
    c.field(s, None, "risk_bands", bands(o), bands(n))
    old_h = {h.version: h for h in o.meta.history}
    new_h = {h.version: h for h in n.meta.history}
    show_h = lambda h: "; ".join(x for x in (display.month_or_date(h.date), h.author,
                                             f"reviewed by {display.reviewers(h.reviewers)}" if h.reviewers else "",
                                             h.status, h.summary) if x)
    for version, h in new_h.items():
        if version not in old_h:
            c.add(s, "added", version, "history", new=show_h(h), title=f"version {version}",
                  new_text=show_h(h), key=(s, "history", version))
        elif show_h(old_h[version]) != show_h(h):
            c.add(s, "changed", version, "history", old=show_h(old_h[version]), new=show_h(h),
                  title=f"version {version}", old_text=show_h(old_h[version]), new_text=show_h(h),
                  key=(s, "history", version))
    for version, h in old_h.items():
        if version not in new_h:
            c.add(s, "removed", version, "history", old=show_h(h), title=f"version {version}",
                  old_text=show_h(h), key=(s, "history", version))
    _people(c, s)
    c.text(s, None, "refreshes", o.meta.refreshes, n.meta.refreshes)
    _drivers(c, s)
    _providers(c, s)


def _provider_text(x) -> str:
    return "; ".join(t for t in (x.title, display.provider_kind(x.kind), " ".join((x.note or "").split())) if t)


def _providers(c: Comparer, s: str) -> None:
    """The providers the plan names (`plan.providers`), matched by id: added, removed or changed."""
    old_p = {x.id: x for x in c.old.meta.providers}
    new_p = {x.id: x for x in c.new.meta.providers}
    for k, x in new_p.items():
        if k not in old_p:
            c.add(s, "added", k, "provider", new=_provider_text(x), title=x.title, new_text=_provider_text(x),
                  key=(s, "provider", k))
        elif _provider_text(old_p[k]) != _provider_text(x):
            c.add(s, "changed", k, "provider", old=_provider_text(old_p[k]), new=_provider_text(x), title=x.title,
                  old_text=_provider_text(old_p[k]), new_text=_provider_text(x), key=(s, "provider", k))
    for k, x in old_p.items():
        if k not in new_p:
            c.add(s, "removed", k, "provider", old=_provider_text(x), title=x.title, old_text=_provider_text(x),
                  key=(s, "provider", k))


def _drivers(c: Comparer, s: str) -> None:
    """The plan's drivers (`plan.drivers`), matched by id: added, removed, retitled or changed."""
    old_d = {d.id: d for d in c.old.meta.drivers}
    new_d = {d.id: d for d in c.new.meta.drivers}
    for k, d in new_d.items():
        if k not in old_d:
            c.add(s, "added", k, "driver", new=texts.driver(d), title=d.title, new_text=texts.driver(d),
                  key=(s, "driver", k))
        elif texts.driver(old_d[k]) != texts.driver(d):
            c.add(s, "changed", k, "driver", old=texts.driver(old_d[k]), new=texts.driver(d), title=d.title,
                  old_text=texts.driver(old_d[k]), new_text=texts.driver(d), key=(s, "driver", k))
    for k, d in old_d.items():
        if k not in new_d:
            c.add(s, "removed", k, "driver", old=texts.driver(d), title=d.title, old_text=texts.driver(d),
                  key=(s, "driver", k))


def _people(c: Comparer, s: str) -> None:
    """Contacts (by name) and approvals (by body): added, removed or changed."""
    for name, items, show in (("contact", lambda p: {x.name or x.role: x for x in p.meta.contacts}, texts.contact),
                              ("approval", lambda p: {x.body: x for x in p.meta.approvals}, texts.approval)):
        old_x, new_x = items(c.old), items(c.new)
        for k, x in new_x.items():
            if k not in old_x:
                c.add(s, "added", k, name, new=show(x), new_text=show(x), key=(s, name, k))
            elif show(old_x[k]) != show(x):
                c.add(s, "changed", k, name, old=show(old_x[k]), new=show(x), old_text=show(old_x[k]),
                      new_text=show(x), key=(s, name, k))
        for k, x in old_x.items():
            if k not in new_x:
                c.add(s, "removed", k, name, old=show(x), old_text=show(x), key=(s, name, k))


def _statement_pairs(old: list, new: list):
    """Vision statements matched by label. Where a label repeats (Thanet's five statements are each
    a 'Strategic goal'), those of that label are matched by text first, then in order, so a reorder
    is no change and no statement is lost behind another of the same label."""
    old_by, new_by = {}, {}
    for x in old:
        old_by.setdefault(norm(x.label), []).append(x)
    for x in new:
        new_by.setdefault(norm(x.label), []).append(x)
    for label in list(new_by) + [k for k in old_by if k not in new_by]:
        olds, news = list(old_by.get(label, [])), list(new_by.get(label, []))
        pairs = []
        for x in list(news):
            same = next((y for y in olds if norm(y.text) == norm(x.text)), None)
            if same is not None:
                olds.remove(same)
                news.remove(x)
                pairs.append((same, x))
        pairs += list(zip(olds, news))
        yield label, pairs, news[len(olds):], olds[len(news):]


def vision(c: Comparer) -> None:
    o, n = c.old.vision, c.new.vision
    c.text("vision", None, "mission", o.mission, n.mission)
    for label, pairs, added, removed in _statement_pairs(o.statements, n.statements):
        for before, after in pairs:
            c.text("vision", after.label, "statement", before.text, after.text)
        for i, x in enumerate(added):
            c.add("vision", "added", x.label, "statement", new=x.text, title="", detail=to_plain(x.text),
                  key=("vision", "statement", label) + ((i,) if i else ()))
        for i, x in enumerate(removed):
            c.add("vision", "removed", x.label, "statement", old=x.text, detail=to_plain(x.text),
                  key=("vision", "statement", label) + ((i,) if i else ()))
    old_v, new_v = {norm(v): v for v in o.values}, {norm(v): v for v in n.values}
    for k, v in new_v.items():
        if k not in old_v:
            c.add("vision", "added", v, "value", new=v, key=("vision", "value", k))
    for k, v in old_v.items():
        if k not in new_v:
            c.add("vision", "removed", v, "value", old=v, key=("vision", "value", k))


def _locations(plan) -> dict[str, tuple[str, str]]:
    """Each narrative section's id -> (its title for people, with its chapter's for a subsection;
    where it is, in words: 'before the vision', 'after the QIPP chapter', 'an appendix',
    'in chapter ‘Leadership and governance’')."""
    out: dict[str, tuple[str, str]] = {}
    arrangement = chapters.arrange(plan)
    appendices = {id(s) for s in arrangement.appendices}
    previous = None
    for kind, item in arrangement.order():
        if kind == "builtin":
            previous = item
            continue
        if id(item) in appendices:
            where = "an appendix"
        elif previous == "document_control" or previous is None:
            where = "before the contents" if item in arrangement.after.get("document_control", []) + \
                arrangement.before.get("document_control", []) else "before the vision"
        else:
            where = f"after the {display.CHAPTER_NAMES[previous]} chapter"
        out[item.id] = (item.title, where)
        stack = [(child, (item.title,)) for child in item.sections]
        while stack:
            sub, parents = stack.pop()
            out[sub.id] = (" \u203a ".join(parents + (sub.title,)), f"in chapter \u2018{parents[0]}\u2019")
            stack += [(child, parents + (sub.title,)) for child in sub.sections]
    return out


def narrative(c: Comparer) -> None:
    """Narrative chapters and their subsections, matched by id: added, removed, retitled, moved
    (to another place among the chapters or under another chapter) and text changed, word by word."""
    s = "sections"
    old_at, new_at = _locations(c.old), _locations(c.new)
    old_ids = {x.id for x in c.old.all_sections}

    def label(x) -> str:
        return (old_at if x.id in old_ids and x.id not in new_at else new_at).get(x.id, (x.title, ""))[0]

    def describe(x) -> str:
        where = (new_at.get(x.id) or old_at.get(x.id) or ("", ""))[1]
        words = len(to_plain(x.body).split())
        return "; ".join(p for p in (where, texts.plural(words, "word")) if p)

    def compare(o, n) -> None:
        title = new_at[n.id][0]
        if norm(o.title) != norm(n.title):
            c.add(s, "retitled", n.id, "title", old=o.title, new=n.title, title=title, old_text=o.title,
                  new_text=n.title, key=(n.id, "title"))
        if old_at[o.id][1] != new_at[n.id][1]:
            c.add(s, "moved", n.id, "place", old=old_at[o.id][1], new=new_at[n.id][1], title=title,
                  old_text=old_at[o.id][1], new_text=new_at[n.id][1], key=(n.id, "place"))
        c.text(s, n.id, "text", o.body, n.body, title=title)

    c.items(s, c.old.all_sections, c.new.all_sections, describe=describe, compare=compare, title_of=label)


def domains(c: Comparer) -> None:
    def describe(d) -> str:
        return texts.plural(len(d.actions), "action") + (f"; lead {d.lead}" if d.lead else "")

    def compare(o, n) -> None:
        c.retitled("domains", n.id, o.title, n.title)
        c.field("domains", n.id, "lead", o.lead, n.lead, title=n.title)
        c.date("domains", n.id, "due", o.due_text, n.due_text, title=n.title)
        c.field("domains", n.id, "reports_to", o.reports_to, n.reports_to, title=n.title)
        c.text("domains", n.id, "description", o.description, n.description, title=n.title)
        if sorted(o.outcomes) != sorted(n.outcomes):
            c.field("domains", n.id, "outcomes", ", ".join(sorted(o.outcomes)) or None,
                    ", ".join(sorted(n.outcomes)) or None, title=n.title)
    c.items("domains", c.old.domains, c.new.domains, describe=describe, compare=compare)


def actions(c: Comparer) -> None:
    old, new = c.old, c.new

    old_ids = {a.id for a in old.actions}

    def describe(a) -> str:
        plan = old if a.id in old_ids else new
        parts = [f"in {plan.domain_title(a.domain_id)}"]
        if a.parent:
            parts.append(f"part of {texts.action_ref(plan, a.parent)}")
        if a.current_rag:
            parts.append(f"{texts.rag(a.current_rag)} at {plan.meta.as_at}")
        if a.due_text:
            parts.append(f"due {texts.date(a.due_text)}")
        if a.milestones:
            parts.append(texts.plural(len(a.milestones), "milestone"))
        if a.lead:
            parts.append(f"lead {a.lead}")
        return "; ".join(parts)

    def compare(o, n) -> None:
        s = "actions"
        c.retitled(s, n.id, o.title, n.title)
        c.moved_domain(s, o, n)
        c.field(s, n.id, "lead", o.lead, n.lead, title=n.title)
        c.date(s, n.id, "start", o.start_text, n.start_text, title=n.title)
        c.date(s, n.id, "due", o.due_text, n.due_text, title=n.title)
        c.text(s, n.id, "description", o.description, n.description, title=n.title)
        c.text(s, n.id, "mitigation", o.mitigation, n.mitigation, title=n.title)
        c.field(s, n.id, "parent", texts.action_ref(old, o.parent), texts.action_ref(new, n.parent), title=n.title)
        c.field(s, n.id, "contact", o.contact, n.contact, title=n.title)
        c.field(s, n.id, "status", display.action_status(o.status) or None, display.action_status(n.status) or None,
                title=n.title)
        c.text(s, n.id, "status_note", o.status_note, n.status_note, title=n.title)
        c.field(s, n.id, "reports_to", o.reports_to, n.reports_to, title=n.title)
        c.field(s, n.id, "category", o.category, n.category, title=n.title)
        if sorted(o.programmes) != sorted(n.programmes):  # the same programmes in another order is no change
            c.field(s, n.id, "programmes", display.action_programmes(old, o.programmes) or None,
                    display.action_programmes(new, n.programmes) or None, title=n.title)
        _see(c, s, o, n)
        rag(c, o, n)
        _quarterly_updates(c, s, n, o.updates, n.updates, (("commentary", "commentary"),
                                                           ("path_to_green", "path to green")))

    c.items("actions", old.actions, new.actions, describe=describe, compare=compare)


def _quarterly_updates(c: Comparer, s: str, n, old: dict, new: dict, names: tuple) -> None:
    """What a lead reported for each quarter (quarterly returns): each text as it changed."""
    for quarter in sorted(set(old) | set(new)):
        before, after = old.get(quarter) or {}, new.get(quarter) or {}
        for key, label in names:
            c.text(s, n.id, f"{label} {quarter.label}", before.get(key), after.get(key), title=n.title)


def _see(c: Comparer, s: str, o, n) -> None:
    """An item's cross-references, with their titles, where the set of ids changed."""
    if sorted(o.see) != sorted(n.see):
        c.field(s, n.id, "see", texts.see(c.old, o.see), texts.see(c.new, n.see), title=n.title)


def rag(c: Comparer, o, n) -> None:
    """RAG per quarter, and the move in the RAG at the as-at quarter (what the plan on a page
    shows). A new quarter's rating is reported once, against the rating the old version showed."""
    old_as_at, new_as_at = c.old.meta.as_at, c.new.meta.as_at
    if o.rag == n.rag and (old_as_at == new_as_at or o.rag_as_at(old_as_at) == n.rag_as_at(new_as_at)):
        return
    quarters = sorted(set(o.rag) | set(n.rag))
    moved = {q: (o.rag.get(q), n.rag.get(q)) for q in quarters if o.rag.get(q) != n.rag.get(q)}
    cur_old, cur_new = o.rag_as_at(old_as_at), n.rag_as_at(new_as_at)
    earlier_new = [q for q in n.rag if q <= new_as_at]
    q_new = max(earlier_new) if earlier_new else None
    earlier_old = [q for q in o.rag if q <= old_as_at]
    q_old = max(earlier_old) if earlier_old else None

    def where(colour: str | None, quarter: Quarter | None) -> str:
        return texts.rag(colour) + (f" ({quarter})" if colour and quarter else "")

    if cur_old != cur_new:
        movement = rag_movement(cur_old, cur_new)
        if movement:
            kind, direction = movement
            if q_new is not None and q_new in moved:
                moved.pop(q_new)
                name = f"rag {q_new.label}"
            else:
                name = "rag as at"
            if q_old is not None and q_old != q_new and q_old in moved and moved[q_old][1] is None:
                moved.pop(q_old)  # the old as-at rating was withdrawn: part of the same move
            c.add("rag", kind, n.id, name, old=cur_old, new=cur_new, direction=direction, title=n.title,
                  old_text=where(cur_old, q_old), new_text=where(cur_new, q_new),
                  detail="at the as-at quarter" if name == "rag as at" else "",
                  key=(n.id, "rag", name))
    for q, (before, after) in moved.items():
        movement = rag_movement(before, after)
        if not movement:
            continue
        kind, direction = movement
        detail = ""
        if before is not None and after is not None:
            detail = "revised"
        elif before is None and q == q_new and cur_old == cur_new and cur_new is not None:
            detail = f"unchanged from {q_old}" if q_old else ""
        c.add("rag", kind, n.id, f"rag {q.label}", old=before, new=after, direction=direction,
              title=n.title, old_text=texts.rag(before), new_text=texts.rag(after), detail=detail,
              key=(n.id, "rag", q.label))


def milestones(c: Comparer) -> None:
    s = "milestones"
    old, new = c.old, c.new
    old_m = {m.id: (a, m) for a, m in old.milestones}
    new_m = {m.id: (a, m) for a, m in new.milestones}
    old_actions = {a.id for a in old.actions}
    new_actions = {a.id for a in new.actions}

    def describe(pair) -> str:
        a, m = pair
        parts = [f"action {a.id}"]
        if m.due_text:
            parts.append(f"due {texts.date(m.due_text)}")
        if m.status:
            parts.append(m.status_label.lower())
        return "; ".join(parts)

    removed = [p for k, p in old_m.items() if k not in new_m]
    added = [p for k, p in new_m.items() if k not in old_m]
    for a, m in removed:
        if a.id not in new_actions:
            c.cover((m.id,))  # removed with its action
    for a, m in added:
        if a.id not in old_actions:
            c.cover((m.id,))  # added with its action
    removed = [p for p in removed if p[0].id in new_actions]
    added = [p for p in added if p[0].id in old_actions]
    id_of = lambda p: p[1].id
    title_of = lambda p: p[1].title
    renamed_to, renamed_from = c.id_changes(removed, added, id_of, title_of)
    for p in removed:
        note = f"id changed from {p[1].id} to {renamed_to[p[1].id]}?" if p[1].id in renamed_to else ""
        c.add(s, "removed", p[1].id, None, title=p[1].title, detail=describe(p), note=note, key=(p[1].id,))
    for p in added:
        note = f"id changed from {renamed_from[p[1].id]} to {p[1].id}?" if p[1].id in renamed_from else ""
        c.add(s, "added", p[1].id, None, title=p[1].title, detail=describe(p), note=note, key=(p[1].id,))
    for mid, (na, nm) in new_m.items():
        if mid not in old_m:
            continue
        oa, om = old_m[mid]
        c.retitled(s, mid, om.title, nm.title)
        if oa.id != na.id:
            c.add(s, "moved", mid, "action", old=oa.id, new=na.id, title=nm.title,
                  old_text=f"{oa.id} {oa.title}", new_text=f"{na.id} {na.title}", key=(mid, "action"))
        c.date(s, mid, "due", om.due_text, nm.due_text, title=nm.title)
        c.date(s, mid, "forecast", om.forecast_text, nm.forecast_text, title=nm.title)
        if om.status != nm.status:
            ro, rn = MILESTONE_RANK.get(om.status or ""), MILESTONE_RANK.get(nm.status or "")
            direction = None
            if ro is not None and rn is not None and ro != rn:
                direction = "improved" if rn > ro else "worsened"
            c.add(s, "status-changed", mid, "status", old=om.status, new=nm.status, direction=direction,
                  title=nm.title, old_text=texts.milestone_status(om.status),
                  new_text=texts.milestone_status(nm.status), key=(mid, "status"))
        _see(c, s, om, nm)


def qipp(c: Comparer) -> None:
    s = "qipp"
    oq, nq = c.old.qipp, c.new.qipp
    if oq is None and nq is None:
        return
    unit, factor = c.unit_change(s, oq, nq)

    old_ids = {x.id for x in oq.schemes} if oq else set()

    def describe(x) -> str:
        plan_q = oq if x.id in old_ids else nq
        parts = []
        for year in sorted(set(x.savings) | set(x.investment)):
            net = x.net(year)
            parts.append(f"{year}: net {texts.money(plan_q.unit, net)}")
        if x.confidence:
            parts.append(f"confidence {texts.confidence(x.confidence)}")
        return "; ".join(parts)

    def compare(o, n) -> None:
        c.retitled(s, n.id, o.title, n.title)
        c.moved_domain(s, o, n)
        for name in ("provider", "point_of_delivery", "lead"):
            c.field(s, n.id, name, getattr(o, name), getattr(n, name), title=n.title)
        c.item_money(s, item_money(("qipp", "schemes")), o, n, unit=unit, factor=factor)
        c.rag_like(s, n.id, "confidence", o.confidence, n.confidence, title=n.title)
        for quarter in sorted(set(o.forecast) | set(n.forecast)):
            before = o.forecast.get(quarter)
            c.value(s, n.id, f"forecast {quarter.year.label} at {quarter.label}",
                    rescale(before, factor) if before is not None and factor is not None else before,
                    n.forecast.get(quarter), key=(n.id, "forecast", quarter.label), title=n.title,
                    money=unit, first_kind="reported")
        c.text(s, n.id, "note", o.note, n.note, title=n.title)
        _see(c, s, o, n)

    c.items(s, oq.schemes if oq else [], nq.schemes if nq else [], describe=describe, compare=compare)
    c.section_money(s, section_money(s), oq, nq, unit=unit, factor=factor)
    c.year_totals(s, oq, nq, (("savings", "savings"), ("investment", "investment"), ("net", "net")),
                  unit, factor)


def risks(c: Comparer, s: str = "risks", old_items: list | None = None, new_items: list | None = None) -> None:
    """The risk register (or, with `s` and the lists, the Better Care Fund's risks)."""
    old_items = c.old.risks if old_items is None else old_items
    new_items = c.new.risks if new_items is None else new_items

    def score_text(r) -> str:
        if r.current:
            return f"{display.position(r.current)} ({r.band})"
        if r.band and r.rating_word:
            return f"{r.band} ({r.rating_word})"  # the band, with the plan's own word for it
        return r.band or "unrated"

    def position(p, r) -> str | None:
        return f"{display.position(p)} ({r.band_of(p.score)})" if p else None

    def describe(r) -> str:
        parts = [score_text(r)]
        if r.status == "closed":
            parts.append("closed")
        if r.owner:
            parts.append(f"owner {r.owner}")
        if not r.mitigation:
            parts.append("no mitigation")
        return "; ".join(parts)

    def compare(o, n) -> None:
        c.retitled(s, n.id, o.title, n.title)
        if o.status != n.status:
            kind = "closed" if n.status == "closed" else "reopened"
            c.add(s, kind, n.id, "status", old=o.status, new=n.status, title=n.title, old_text=o.status,
                  new_text=n.status, key=(n.id, "status"))
        c.moved_domain(s, o, n)
        c.field(s, n.id, "owner", o.owner, n.owner, title=n.title)
        ob, nb, os_, ns = o.band, n.band, o.score, n.score
        if ob != nb or os_ != ns:
            name = "score" if os_ is not None or ns is not None else "rating"
            kind, direction = "changed", None
            if ob and nb and ob != nb:
                up = BAND_ORDER[nb] > BAND_ORDER[ob]
            elif os_ is not None and ns is not None:
                up = ns > os_
            else:
                up = None
            if up is not None:
                kind, direction = ("rose", "worsened") if up else ("fell", "improved")
            detail = f"{ob} \u2192 {nb}" if name == "score" and ob and nb and ob != nb else ""
            c.add(s, kind, n.id, name, old=os_ if name == "score" else ob, new=ns if name == "score" else nb,
                  direction=direction, title=n.title, old_text=score_text(o), new_text=score_text(n),
                  detail=detail, key=(n.id, name))
        for name in ("target", "gross"):
            c.field(s, n.id, name, position(getattr(o, name), o), position(getattr(n, name), n),
                    title=n.title)
        c.text(s, n.id, "description", o.description, n.description, title=n.title)
        c.text(s, n.id, "mitigation", o.mitigation, n.mitigation, title=n.title)
        _quarterly_updates(c, s, n, {q: {"mitigation": m} for q, m in o.updates.items()},
                           {q: {"mitigation": m} for q, m in n.updates.items()}, (("mitigation", "mitigation update"),))
        _see(c, s, o, n)

    c.items(s, old_items, new_items, describe=describe, compare=compare, value_of=lambda r: r.band)


def indicators(c: Comparer, s: str, old_items: list[Indicator], new_items: list[Indicator]) -> None:
    def describe(i: Indicator) -> str:
        parts = [x for x in (i.unit_label, i.polarity_label.lower()) if x]
        if i.baseline is not None:
            parts.append(f"baseline {i.show(i.baseline)}")
        for period, value in i.targets.items():  # sorted by time
            parts.append(f"target {period.words} {display.indicator_value(i, value)}")
        return "; ".join(parts)

    def compare(o: Indicator, n: Indicator) -> None:
        c.retitled(s, n.id, o.title, n.title)
        c.moved_domain(s, o, n)
        c.field(s, n.id, "unit", o.unit_label or None, n.unit_label or None, title=n.title)
        c.field(s, n.id, "polarity", o.polarity_label or None, n.polarity_label or None, title=n.title)
        _see(c, s, o, n)
        c.field(s, n.id, "headline", "yes" if o.headline else "no", "yes" if n.headline else "no",
                title=n.title)
        c.field(s, n.id, "source", o.source, n.source, title=n.title)
        c.field(s, n.id, "frequency", o.frequency, n.frequency, title=n.title)
        c.field(s, n.id, "code", o.code, n.code, title=n.title)
        c.field(s, n.id, "assessments", texts.assessments(o.assessments), texts.assessments(n.assessments),
                title=n.title)
        same_scale = o.unit == n.unit and o.polarity == n.polarity
        polarity = n.polarity if same_scale else None
        unjudged = texts.NO_POLARITY if n.polarity is None else ""
        c.value(s, n.id, "baseline", o.baseline, n.baseline, key=(n.id, "baseline", "value"), title=n.title,
                show=n.show, polarity=polarity, unjudged=unjudged)
        c.field(s, n.id, "baseline_period", o.baseline_period_words or None, n.baseline_period_words or None,
                title=n.title)
        for period in sorted(set(o.targets) | set(n.targets)):
            if indicators_v2.in_words(o.targets.get(period)) or indicators_v2.in_words(n.targets.get(period)):
                indicators_v2.target(c, s, n, f"target {period.words}", o.targets.get(period),
                                     n.targets.get(period), (n.id, "targets", period.text), n.title)
                continue  # maintain, reduce by, as another indicator: compared in words, not by number
            c.value(s, n.id, f"target {period.words}", o.targets.get(period), n.targets.get(period),
                    key=(n.id, "targets", period.text), title=n.title, show=n.show, polarity=polarity,
                    target=True, unjudged=unjudged)
            # a target's kind, count or revision may change while its figure stays the same
            c.field(s, n.id, f"target {period.words} details", display.figure_details(o, o.targets.get(period)) or None,
                    display.figure_details(n, n.targets.get(period)) or None, title=n.title)
        for period in sorted(set(o.actuals) | set(n.actuals)):
            c.field(s, n.id, f"actual {period.words} details", display.figure_details(o, o.actuals.get(period)) or None,
                    display.figure_details(n, n.actuals.get(period)) or None, title=n.title)
        c.field(s, n.id, "baseline details", display.figure_details(o, o.baseline) or None,
                display.figure_details(n, n.baseline) or None, title=n.title)
        for quarter in sorted(set(o.actuals) | set(n.actuals)):
            previous = [q for q in n.actuals if q < quarter and n.actuals[q].is_number]
            if previous:
                compare_to = (max(previous).words, n.actuals[max(previous)])
            elif n.baseline is not None and n.baseline.is_number:
                compare_to = ("the baseline", n.baseline)
            else:
                compare_to = None
            c.value(s, n.id, f"actual {quarter.words}", o.actuals.get(quarter), n.actuals.get(quarter),
                    key=(n.id, "actuals", quarter.text), title=n.title, show=n.show, polarity=polarity,
                    first_kind="reported", compare_to=compare_to if polarity else None, unjudged=unjudged)
        indicators_v2.compare(c, s, o, n, polarity, unjudged)  # group, benchmarks, trajectory, areas

    c.items(s, old_items, new_items, describe=describe, compare=compare)


def finance(c: Comparer) -> None:
    s = "finance"
    of, nf = c.old.finance, c.new.finance
    if of is None and nf is None:
        return
    unit, factor = c.unit_change(s, of, nf)

    def describe(line) -> str:
        return "; ".join(f"{y}: {texts.value(v)}" for y, v in sorted(line.amounts.items()))

    for group in ("allocation", "expenditure"):
        money = item_money((s, group))

        def compare(o, n, money=money) -> None:
            c.retitled(s, n.id, o.title, n.title)
            c.item_money(s, money, o, n, unit=unit, factor=factor)
        c.items(s, getattr(of, group) if of else [], getattr(nf, group) if nf else [], describe=describe,
             compare=compare)
    c.section_money(s, section_money(s), of, nf, unit=unit, factor=factor)
    c.text(s, None, "note", of.note if of else None, nf.note if nf else None)
    if (of and (of.lines or of.stated_totals)) or (nf and (nf.lines or nf.stated_totals)):
        finance_v2(c, of, nf, unit, factor)
    else:
        c.year_totals(s, of, nf, (("allocation", "allocation_total"), ("budget", "expenditure_total")),
                      unit, factor)
    finance_assumptions(c, of.assumptions if of else [], nf.assumptions if nf else [])


def _period_values(c: Comparer, id: str | None, name: str, old: dict, new: dict, *, key: tuple, title: str = "",
                   money=None, factor=None, show=None) -> None:
    """A map of figures by period (any period, printed in words): each period one figure."""
    for period in sorted(set(old) | set(new)):
        before = old.get(period)
        if money is not None and factor is not None:
            before = rescale(before, factor)
        c.value("finance", id, f"{name} {display.period(period)}".strip(), before, new.get(period),
                key=key + (period.text,), title=title, money=money, show=show)


def _period_rag(c: Comparer, id: str, old: dict, new: dict, *, title: str) -> None:
    """A line's RAG by period: improved, worsened, newly reported, removed."""
    for period in sorted(set(old) | set(new)):
        before, after = old.get(period), new.get(period)
        if before == after:
            continue
        known = all(x in RAG_ORDER or x in (None, "grey") for x in (before, after))
        kind, direction = rag_movement(before, after) if known else ("changed", None)
        c.add("finance", kind, id, f"RAG {display.period(period)}", old=before, new=after, direction=direction,
              title=title, old_text=texts.rag(before), new_text=texts.rag(after), key=(id, "rag", period.text))


def finance_v2(c: Comparer, of, nf, unit, factor) -> None:
    """Version 2 finance: lines matched by id (amounts, percent of allocation and RAG by period, in
    words), the stated totals of each group, and each group's total by period."""
    s = "finance"

    def describe(line) -> str:
        return "; ".join(f"{display.period(p)}: {texts.value(v)}" for p, v in line.amounts.items())

    def compare(o, n) -> None:
        c.retitled(s, n.id, o.title, n.title)
        groups = display.FINANCE_GROUP_TITLES
        c.field(s, n.id, "group", groups.get(o.group, o.group), groups.get(n.group, n.group), title=n.title)
        c.field(s, n.id, "role", o.role, n.role, title=n.title)
        _period_values(c, n.id, "amount", o.amounts, n.amounts, key=(n.id, "amounts"), title=n.title,
                       money=unit, factor=factor)
        _period_values(c, n.id, "percent of allocation", o.percent, n.percent, key=(n.id, "percent"),
                       title=n.title, show=display.percent_value)
        _period_rag(c, n.id, o.rag, n.rag, title=n.title)
        c.text(s, n.id, "note", o.note, n.note, title=n.title)

    c.items(s, of.lines if of else [], nf.lines if nf else [], describe=describe, compare=compare)
    for group in TOTALLED_GROUPS:
        _period_values(c, None, f"stated {group} total", of.stated_totals.get(group, {}) if of else {},
                       nf.stated_totals.get(group, {}) if nf else {}, key=(s, "stated_totals", group),
                       money=unit, factor=factor)
        periods = sorted(set(of.group_periods(group) if of else []) | set(nf.group_periods(group) if nf else []))
        for period in periods:
            before = scale_total(of.group_total(group, period), factor) if of else None
            after = nf.group_total(group, period) if nf else None
            if not same_total(before, after):
                c.totals.append(TotalChange(s, group, display.period(period), before, after, unit))


def finance_assumptions(c: Comparer, old: list, new: list) -> None:
    s = "finance"

    def describe(a) -> str:
        return "; ".join(f"{display.period(p)}: {display.percent_value(v)}" for p, v in a.values.items())

    def compare(o, n) -> None:
        c.retitled(s, n.id, o.title, n.title)
        _period_values(c, n.id, "", o.values, n.values, key=(n.id, "values"), title=n.title,
                       show=display.percent_value)
        c.text(s, n.id, "note", o.note, n.note, title=n.title)

    c.items(s, old, new, describe=describe, compare=compare)


def requirements(c: Comparer, s: str, o, n) -> None:
    """A BCF scheme's requirements, matched by their words: each one added or removed (under its
    group's heading, where it has one) is a change of its own; a reworded one is one removed and
    one added."""
    def flat(x) -> list[str]:
        return [f"{r.title}: {item}" if r.title else item for r in x.requirements for item in r.items]
    before, after = flat(o), flat(n)
    for text in before:
        if text not in after:
            c.field(s, n.id, "requirement", text, None, title=n.title, detail="removed",
                    key=(n.id, "requirements", text))
    for text in after:
        if text not in before:
            c.field(s, n.id, "requirement", None, text, title=n.title, detail="added",
                    key=(n.id, "requirements", text))


def bcf(c: Comparer) -> None:
    s = "bcf"
    ob, nb = c.old.bcf, c.new.bcf
    if ob is None and nb is None:
        return
    unit, factor = c.unit_change(s, ob, nb)

    def describe(x) -> str:
        return "; ".join(f"{y}: {display.bcf_funding(x, y, unit)}" for y in sorted(x.funding))

    def funding_json(x, year) -> dict | None:
        if year not in x.funding:
            return None
        low = x.funding_min.get(year)
        return {"min": value_json(low) if low is not None else None,
                "max": None if year in x.open_ranges else value_json(x.funding[year]),
                "recurrent": x.recurrent.get(year)}

    def ranged(x, year) -> bool:
        return year in x.funding_min or year in x.recurrent

    def compare(o, n) -> None:
        c.retitled(s, n.id, o.title, n.title)
        c.field(s, n.id, "heading", o.heading, n.heading, title=n.title, show=display.bcf_heading)
        c.text(s, n.id, "description", o.description, n.description, title=n.title)
        requirements(c, s, o, n)
        plain = [y for y in set(o.funding) | set(n.funding) if not (ranged(o, y) or ranged(n, y))]
        c.money_map(s, n.id, "funding", {y: v for y, v in o.funding.items() if y in plain},
                    {y: v for y, v in n.funding.items() if y in plain}, key_prefix=(n.id, "funding"),
                    unit=unit, factor=factor, title=n.title)
        for y in sorted((set(o.funding) | set(n.funding)) - set(plain)):  # a range or its recurrence
            before, after = display.bcf_funding(o, y, o_unit), display.bcf_funding(n, y, unit)
            if before != after:
                c.add(s, "changed", n.id, f"funding {y.label}", old=funding_json(o, y), new=funding_json(n, y),
                      title=n.title,
                      old_text=before, new_text=after, key=(n.id, "funding", y.label))

    def describe_contribution(x) -> str:
        parts = [f"{name} {y}: {texts.value(v)}" for name, m in (("minimum", x.minimum), ("actual", x.actual))
                 for y, v in sorted(m.items())]
        return "; ".join(([display.BCF_HOLDS_POOL.lower()] if x.holds_pool else []) + parts)

    def compare_contribution(o, n) -> None:
        c.retitled(s, n.id, o.organisation, n.organisation)
        if o.holds_pool != n.holds_pool:
            c.add(s, "changed", n.id, "holds_pool", old=o.holds_pool, new=n.holds_pool, title=n.organisation,
                  old_text="yes" if o.holds_pool else "no", new_text="yes" if n.holds_pool else "no",
                  key=(n.id, "holds_pool"))
        c.item_money(s, item_money((s, "contributions")), o, n, unit=unit, factor=factor)
        c.text(s, n.id, "note", o.note, n.note, title=n.organisation)

    o_unit = ob.unit if ob else unit
    c.items(s, ob.schemes if ob else [], nb.schemes if nb else [], describe=describe, compare=compare)
    c.items(s, ob.contributions if ob else [], nb.contributions if nb else [], describe=describe_contribution,
            compare=compare_contribution, title_of=lambda x: x.organisation)
    c.section_money(s, section_money(s), ob, nb, unit=unit, factor=factor)
    indicators(c, s, ob.metrics if ob else [], nb.metrics if nb else [])
    risks(c, s, ob.risks if ob else [], nb.risks if nb else [])
    c.year_totals(s, ob, nb, (("scheme funding", "funding_total"),), unit, factor)


def tables(c: Comparer) -> None:
    """Data tables matched by id; their columns and rows matched by id within the table. A changed cell
    reads "Table 'Planning assumptions', row 'Allocation growth', 2013/14: 2.3% → 2.5%"."""
    s = "tables"

    def describe(t) -> str:
        parts = [texts.plural(len([r for r in t.rows if not r.total]), "row"), texts.plural(len(t.columns), "column")]
        if t.chapter:
            parts.append(f"in {t.chapter}")
        return ", ".join(parts)

    def compare(o, n) -> None:
        c.retitled(s, n.id, o.title, n.title)
        c.field(s, n.id, "chapter", o.chapter, n.chapter, title=n.title)
        c.field(s, n.id, "source", o.source, n.source, title=n.title)
        c.text(s, n.id, "description", o.description, n.description, title=n.title)
        c.text(s, n.id, "note", o.note, n.note, title=n.title)
        table_columns(c, s, o, n)
        table_rows(c, s, o, n)

    c.items(s, c.old.tables, c.new.tables, describe=describe, compare=compare)


TABLE_PART = "Table '"  # how the title of a change to a table's column, row or cell starts


def _table_name(t) -> str:
    return f"{TABLE_PART}{t.title}'"


def table_columns(c: Comparer, s: str, o, n) -> None:
    old_cols, new_cols = {x.id: x for x in o.columns}, {x.id: x for x in n.columns}
    name = _table_name(n)
    for col in n.columns:
        if col.id not in old_cols:
            c.add(s, "added", n.id, None, new=col.id, title=f"{name}, column '{col.label}'",
                  detail=_column_kind(col), key=(n.id, "column", col.id))
    for col in o.columns:
        if col.id not in new_cols:
            c.add(s, "removed", n.id, None, old=col.id, title=f"{name}, column '{col.label}'",
                  detail=_column_kind(col), key=(n.id, "column", col.id))
    for col in n.columns:
        before = old_cols.get(col.id)
        if before is None:
            continue
        where = f"{name}, column '{col.id}'"
        c.field(s, n.id, "title", before.label, col.label, title=where, key=(n.id, "column", col.id, "title"))
        c.field(s, n.id, "type", _column_words(before), _column_words(col), title=where,
                key=(n.id, "column", col.id, "type"))


def _row_words(row) -> str:
    return f"{'total row' if row.total else 'row'} '{row.label}'"


def _column_kind(col) -> str:
    unit = display.column_unit(col)
    return f"{col.type}{', ' + unit if unit else ''}"


def _column_words(col) -> str:
    return f"{col.label} ({_column_kind(col)})"


def table_rows(c: Comparer, s: str, o, n) -> None:
    old_rows, new_rows = {r.id: r for r in o.rows}, {r.id: r for r in n.rows}
    name = _table_name(n)

    def cells_text(t, row) -> str:
        return "; ".join(f"{col.label} {display.table_cell(row.cell(col.id), col, with_unit=True)}"
                         for col in t.columns if not row.cell(col.id).empty and row.cell(col.id).text != row.label)

    for row in n.rows:
        if row.id not in old_rows:
            c.add(s, "added", n.id, None, new=row.id, title=f"{name}, {_row_words(row)}",
                  detail=cells_text(n, row), key=(n.id, row.id))
    for row in o.rows:
        if row.id not in new_rows:
            c.add(s, "removed", n.id, None, old=row.id, title=f"{name}, {_row_words(row)}",
                  detail=cells_text(o, row), key=(n.id, row.id))
    old_cols = {x.id: x for x in o.columns}
    for row in n.rows:
        before = old_rows.get(row.id)
        if before is None:
            continue
        where = f"{name}, {_row_words(row)}"
        for col in n.columns:
            old_col = old_cols.get(col.id)
            if old_col is None:
                continue  # a new column: reported once, as added
            oc, nc = before.cell(col.id), row.cell(col.id)
            key = (n.id, row.id, col.id)
            if col.summed and old_col.summed and (oc.value is not None or oc.empty) and \
                    (nc.value is not None or nc.empty):
                factor = Decimal(1)
                if col.type == old_col.type == "money" and col.unit and old_col.unit:
                    factor = MONEY_SCALE[old_col.unit.key] / MONEY_SCALE[col.unit.key]
                c.value(s, n.id, col.label, rescale(oc.value, factor), nc.value, key=key, title=where,
                        show=lambda v, col=col: display.table_value(v, col, with_unit=True),
                        money=col.unit if col.type == "money" else None)
                continue
            was = display.table_cell(oc, old_col, with_unit=True)
            now = display.table_cell(nc, col, with_unit=True)
            if was == now:
                continue
            kind, direction = ("set" if oc.empty else "cleared" if nc.empty else "changed"), None
            if col.type == "rag" and old_col.type == "rag" and not oc.empty and not nc.empty:
                moved = rag_movement(oc.text, nc.text) if {oc.text, nc.text} <= set(RAG_ORDER) else None
                if moved:
                    kind, direction = moved
            if nc.is_tbc:
                kind = "tbc-introduced"
            elif oc.is_tbc:
                kind = "tbc-resolved"
            c.add(s, kind, n.id, col.label, old=_json(oc.raw), new=_json(nc.raw), direction=direction, title=where,
                  old_text=was, new_text=now, key=key)


def _json(raw):
    if raw is None or isinstance(raw, (bool, int, str)):
        return raw
    return str(getattr(raw, "text", raw))
