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

from dataclasses import dataclass, replace
from pathlib import Path

from opgen.theme import Theme, read_theme


@dataclass(frozen=True)
class FrameworkItem:
    id: str                      # "jhws-o1": matched against a plan framework's item ids
    title: str | None            # as the source words it; None where the pack's source does not say
    kind: str | None = None      # outcome, priority...
    parent: str | None = None    # a priority's outcome id
    label: str | None = None     # how the source refers to it, e.g. "Outcome 3" or "Outcome 1, Priority 1"


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
    indicators: tuple[tuple[str, str], ...] = ()  # (plan, indicator id): the pack names a plan's indicator
                                                  # for a plan whose indicators carry no national code;
                                                  # plan = the plan file's name without .yaml, or its label


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
    theme: Theme | None = None   # the pack's own pages' house style (opgen.theme); plans keep theirs


# --- reading a pack file ---------------------------------------------------------------------------

import datetime as _dt  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402

from opgen.diagnostics import ERROR, Diagnostic, UserError, format_yaml_path  # noqa: E402

PACK_HINT = ("a pack file starts with 'pack_version: 1', then title: and plans: (see docs/packs.md); "
             "to pack plans without one: opgen pack PLAN... --title \"...\"")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# A git revision as `git rev-parse` takes one: a tag, branch or commit, with ~N, ^N, @{...} suffixes
# (no spaces, no '..' range, no glob or backslash, not an option).
_REVISION = re.compile(r"^(?!-)(?!.*\.\.)[^\s?*\[\\]{1,200}$")


def load_pack(path) -> tuple[PackSpec | None, list[Diagnostic]]:
    """Read a pack file: (its PackSpec, []) or (None, located diagnostics). The same loader as plans
    (safe YAML, size/depth/alias limits, duplicate keys refused, lines and columns), the pack schema
    explained in opgen.validate's words, then the checks a schema cannot make: plan paths that exist,
    each plan once, `since` a date or a plausible git revision, framework item ids unique (and a
    `parent` naming one of them), measure codes unique, a BCF band's min not above its max."""
    from opgen.load import LoadError, load_file
    from opgen.schema import pack_validator
    from opgen.validate import explain_schema_errors

    try:
        doc = load_file(path)
    except LoadError as e:
        return None, [e.diagnostic]
    data = doc.data
    if not isinstance(data, dict):
        line, column = doc.position(())
        return None, [Diagnostic(doc.path, line, column, ERROR, "type",
                                 "this is not a pack file: expected 'key: value' lines", PACK_HINT)]
    if "pack_version" not in data and "schema_version" in data and "actions" in data:
        line, column = doc.position(("schema_version",), key=True)
        return None, [Diagnostic(doc.path, line, column, ERROR, "not-a-pack", "this is a plan, not a pack file",
                                 f"to pack plans without a pack file: opgen pack {doc.path} --title \"...\"; "
                                 f"or write a pack file that names it under plans: (see docs/packs.md)")]
    diagnostics = list(explain_schema_errors(doc, pack_validator()))
    if diagnostics:
        return None, diagnostics
    diagnostics = _check(doc, Path(path))
    theme, theme_problems = read_theme(doc, ("theme",), Path(path))
    diagnostics.extend(theme_problems)
    if any(d.severity == ERROR for d in diagnostics):
        return None, diagnostics
    return replace(_spec(data, Path(path)), theme=theme), diagnostics


def _error(doc, where: tuple, message: str, hint: str, code: str, key: bool = False) -> Diagnostic:
    line, column = doc.position(where, key=key)
    return Diagnostic(doc.path, line, column, ERROR, code, message, hint, format_yaml_path(where))


def plan_path(pack_file: Path, written: str) -> Path:
    """A plan path as the pack file writes it, resolved against the pack file's folder (kept
    relative when the pack file's path is, so messages name it as the user would: plans/x.yaml)."""
    written = os.path.expanduser(written)
    if os.path.isabs(written):
        return Path(os.path.normpath(written))
    return Path(os.path.normpath(pack_file.parent / written))


def _check(doc, pack_file: Path) -> list[Diagnostic]:
    from opgen.outputs import output_names

    data = doc.data
    found: list[Diagnostic] = []
    if "meeting" in data and not _real_date(data["meeting"]):
        found.append(_error(doc, ("meeting",), f"'{data['meeting']}' is not a date in the calendar",
                            "write the meeting's date as YYYY-MM-DD, e.g. 2015-03-18", "date"))
    if "since" in data:
        found.extend(_check_since(doc, ("since",), data["since"]))
    first: dict[Path, tuple] = {}    # resolved plan -> where it is first named
    unique: dict[Path, tuple] = {}   # the plan as named -> where
    for i, entry in enumerate(data["plans"]):
        where = ("plans", i) if isinstance(entry, str) else ("plans", i, "path")
        written = entry if isinstance(entry, str) else entry["path"]
        if isinstance(entry, dict) and "since" in entry:
            found.extend(_check_since(doc, ("plans", i, "since"), entry["since"]))
        path = plan_path(pack_file, written)
        if not path.is_file():
            what = "is a folder, not a plan file" if path.is_dir() else "does not exist"
            hint = (f"name the plan files in it, e.g. {written.rstrip('/')}/my-plan.yaml" if path.is_dir() else
                    f"plan paths are relative to the pack file's folder ({pack_file.parent.as_posix()}/); "
                    f"check the path and spelling")
            found.append(_error(doc, where, f"the plan {written} ({path.as_posix()}) {what}", hint, "plan-not-found"))
            continue
        key = path.resolve()
        if key in first:
            found.append(_error(doc, where, f"the plan {written} is named twice (first at line "
                                f"{doc.position(first[key])[0]})", "name each plan once; remove this one",
                                "duplicate-plan"))
            continue
        first[key] = unique[path] = where
    for plan, why in output_names(list(unique))[1].items():
        found.append(_error(doc, unique[plan], f"the plan {plan.as_posix()} cannot be built: {why}",
                            "rename one of the plan files", "output-clash"))
    framework = data.get("framework") or {}
    ids: dict[str, int] = {}
    for i, item in enumerate(framework.get("items") or []):
        if item["id"] in ids:
            found.append(_error(doc, ("framework", "items", i, "id"), f"the framework item id '{item['id']}' is used "
                                f"twice (first at framework.items[{ids[item['id']]}])",
                                "give each item its own id, as the plans name them in aligns:", "duplicate-id"))
        else:
            ids[item["id"]] = i
    for i, item in enumerate(framework.get("items") or []):
        if "parent" in item and item["parent"] not in ids:
            from opgen.diagnostics import did_you_mean

            guess = did_you_mean(item["parent"], list(ids))
            found.append(_error(doc, ("framework", "items", i, "parent"),
                                f"no framework item with the id '{item['parent']}'",
                                f"did you mean '{guess}'?" if guess else "name one of the framework's items",
                                "unknown-reference"))
    codes: dict[str, int] = {}
    for i, measure in enumerate(data.get("measures") or []):
        if measure["code"] in codes:
            found.append(_error(doc, ("measures", i, "code"), f"the measure '{measure['code']}' is named twice "
                                f"(first at measures[{codes[measure['code']]}])", "name each measure once",
                                "duplicate-id"))
        else:
            codes[measure["code"]] = i
    names = {}
    for entry in data.get("plans") or []:
        written = entry if isinstance(entry, str) else entry.get("path")
        if isinstance(written, str):
            names[Path(written).stem] = written
            if isinstance(entry, dict) and entry.get("label"):
                names[str(entry["label"])] = written
    for i, measure in enumerate(data.get("measures") or []):
        for key in (measure.get("indicators") or {}):
            if str(key) not in names:
                from opgen.diagnostics import did_you_mean

                guess = did_you_mean(str(key), list(names))
                found.append(_error(doc, ("measures", i, "indicators", key), f"the measure '{measure['code']}' names "
                                    f"an indicator for '{key}', which is not a plan of this pack",
                                    f"did you mean '{guess}'?" if guess else "name a plan by its file name without "
                                    ".yaml (e.g. west-kent-2015-16) or by its label", "unknown-reference"))
    band = data.get("bcf_band")
    if band and float(band["min"]) > float(band["max"]):
        found.append(_error(doc, ("bcf_band", "min"), f"the BCF band's min ({_number(band['min'])}%) is above its "
                            f"max ({_number(band['max'])}%)", "swap them: min is the smaller reduction, e.g. "
                            "{min: 0.6, max: 1}", "band-order"))
    return found


def _real_date(text: str) -> bool:
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_since(doc, where: tuple, value: str) -> list[Diagnostic]:
    if _DATE.match(value):
        if _real_date(value):
            return []
        return [_error(doc, where, f"'{value}' is not a date in the calendar",
                       "write a date as YYYY-MM-DD, e.g. 2015-02-01, or a git revision such as v1.0", "date")]
    if _REVISION.match(value):
        return []
    return [_error(doc, where, f"'{value}' is neither a date nor a git revision",
                   "write a date as YYYY-MM-DD (e.g. 2015-02-01) or a git tag, branch or commit (e.g. v1.0, "
                   "main~3, 4f1c2ab)", "since")]


def _number(value) -> str:
    return getattr(value, "text", None) or (str(int(value)) if float(value).is_integer() else str(value))


def _text(value) -> str | None:
    if value is None:
        return None
    return getattr(value, "text", None) or str(value)


def pack_id(name: str) -> str:
    """A folder name under build/packs/ from a pack file's stem or a title: letters, digits, '.', '_'
    and '-' ("Review of Commissioning Plans" -> "review-of-commissioning-plans")."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-").lower()[:80].strip(".-") or "pack"


def _spec(data: dict, pack_file: Path) -> PackSpec:
    plans = []
    for entry in data["plans"]:
        if isinstance(entry, str):
            plans.append(PlanRef(plan_path(pack_file, entry)))
        else:
            plans.append(PlanRef(plan_path(pack_file, entry["path"]), entry.get("since"), entry.get("label")))
    framework = None
    if data.get("framework"):
        f = data["framework"]
        framework = SharedFramework(
            id=f["id"], title=f["title"], kind=f.get("kind", "jhws"), note=f.get("note"),
            items=tuple(FrameworkItem(i["id"], i.get("title"), i.get("kind"), i.get("parent"), i.get("label"))
                        for i in f.get("items") or []))
    band = data.get("bcf_band")
    return PackSpec(
        id=pack_id(pack_file.stem), title=data["title"], board=data.get("board"), meeting=data.get("meeting"),
        item=_text(data.get("item")), purpose=data.get("purpose"),
        recommendations=tuple(data.get("recommendations") or ()), background=data.get("background"),
        author=data.get("author"), plans=tuple(plans), framework=framework,
        measures=tuple(Measure(m["code"], m["title"], m.get("note"), m.get("national"), m.get("county"),
                               tuple((str(k), str(v)) for k, v in (m.get("indicators") or {}).items()))
                       for m in data.get("measures") or []),
        since=data.get("since"),
        glossary=tuple((g["term"], g["meaning"]) for g in data.get("glossary") or []),
        bcf_band=(_number(band["min"]), _number(band["max"])) if band else None,
        bcf_band_note=band.get("note") if band else None,
        source=str(pack_file))


def check_since(since: str) -> None:
    """A `--since` from the command line: a UserError unless it is a date or a plausible revision."""
    if not ((_DATE.match(since) and _real_date(since)) or (not _DATE.match(since) and _REVISION.match(since))):
        raise UserError(f"--since '{since}' is neither a date (YYYY-MM-DD, e.g. 2015-02-01) nor a git revision "
                        f"(e.g. v1.0, main~3, 4f1c2ab)")


def spec_from_args(paths: list[str], title: str, since: str | None = None) -> PackSpec:
    """The pack for `opgen pack PLAN|DIR... --title "..." [--since REV]`: the plans named (a folder's
    *.yaml files in name order), no framework or measures; its id from the title. A path that does
    not exist, no plan at all, an empty title or a `since` that is neither a date nor a revision is a
    UserError (bad usage, exit 2)."""
    from opgen.outputs import discover

    if not title or not title.strip():
        raise UserError("--title is empty: give the pack a title, e.g. --title \"Review of Commissioning Plans\"")
    if since is not None:
        check_since(since)
    plans, missing = discover(list(paths))
    if missing:
        raise UserError("; ".join(missing))
    if not plans:
        raise UserError(f"no plan files (*.yaml) in {', '.join(paths)}")
    return PackSpec(id=pack_id(title.strip()), title=title.strip(), plans=tuple(PlanRef(p) for p in plans),
                    since=since, source="the command line")
