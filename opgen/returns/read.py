"""A returned workbook -> checked updates, or located problems: every input cell is read and
checked against what its column accepts, and the workbook against the layout it was exported with
(its sheets, headers, rows and ids). Nothing here writes anything.

A problem reads "Q2 return from J Smith, sheet Actions, D7 (OOH-03): 'Amberish' is not a RAG;
choose red, amber, green, blue or grey". A `guard` is a problem `--force` lets through: a return
exported from another version of the plan, rows naming items no longer in the plan, a value the plan
changed since the export."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opgen import display
from opgen.model import Plan
from opgen.periods import PeriodError, Quarter
from opgen.returns import layout
from opgen.returns.export import rag_words
from opgen.returns.items import comparable, field_path, get, plan_items

MAX_BYTES = 20 * 1024 * 1024          # a return of 3,000 rows is well under 1 MB
MAX_UNPACKED = 40 * 1024 * 1024
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_DATE_LIKE = re.compile(r"^\s*\d{1,4}\s*[-/.]\s*\d{1,2}(\s*[-/.]\s*\d{1,4})?\s*$|^\s*\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}\s*$")
_NUMBER_TEXT = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(slots=True)
class Problem:
    where: str
    what: str
    guard: bool = False   # refused unless --force

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(slots=True)
class Update:
    sheet: str
    cell: str
    item_id: str
    key: str              # the input column's key
    value: Any            # as the plan writes it
    path: tuple           # where in the plan's YAML


@dataclass(slots=True)
class Return:
    file: str
    name: str                       # "Q2 return from J Smith"
    quarter: Quarter | None = None
    meta: dict = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stale: set = field(default_factory=set)   # (sheet, row) of rows naming items no longer in the plan

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.guard]

    @property
    def guards(self) -> list[Problem]:
        return [p for p in self.problems if p.guard]


class _Refused(Exception):
    """The workbook cannot be read at all (one problem says why)."""


def read_return(path: str, plan: Plan, data: dict, *, plan_name: str) -> Return:
    """Read and check one returned workbook against the plan as it is now."""
    shown = Path(path).name
    ret = Return(file=path, name=shown)
    try:
        wb = _open(path, shown)
        _check(wb, ret, plan, data, plan_name)
    except _Refused as e:
        ret.problems.append(Problem(shown, str(e)))
    return ret


# --- the file ---------------------------------------------------------------------------------

def _open(path: str, shown: str):
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise _Refused(f"cannot be read ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise _Refused(f"is over {MAX_BYTES // (1024 * 1024)} MB, far larger than any return; "
                       f"send the workbook opgen return export made")
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if _ENCRYPTED in raw:
            raise _Refused("is protected with a password, so it cannot be read; open it in Excel, remove the "
                           "password (File > Info > Protect Workbook > Encrypt with Password, clear it), save it "
                           "and import it again")
        raise _Refused("is an Excel 97-2003 workbook (.xls); open it in Excel and save it as an Excel Workbook (.xlsx)")
    if not raw.startswith(b"PK"):
        raise _Refused("is not an Excel workbook (.xlsx); import the workbook opgen return export made")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = set(archive.namelist())
        unpacked = sum(i.file_size for i in archive.infolist())
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError, RuntimeError):
        raise _Refused("is not an Excel workbook (.xlsx): it is damaged or another kind of file") from None
    if "xl/workbook.xml" not in names:
        raise _Refused("is not an Excel workbook (.xlsx); import the workbook opgen return export made")
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types or path.lower().endswith((".xlsm", ".xltm")):
        raise _Refused("is a macro-enabled workbook (.xlsm); opgen does not open workbooks with macros: "
                       "save it as an Excel Workbook (.xlsx) and import that")
    if unpacked > MAX_UNPACKED:
        raise _Refused("unpacks to over 40 MB, far larger than any return; send the workbook opgen return export made")
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(raw), data_only=False, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on a broken file; one message for all
        raise _Refused("cannot be read as an Excel workbook: it is damaged; open it in Excel, save it as "
                       "an Excel Workbook (.xlsx) and import it again") from None


def _meta(wb) -> tuple[dict, list[tuple[str, int, str, dict]]]:
    ws = wb[layout.META]
    meta: dict[str, str] = {}
    rows = []
    in_rows = False
    for r in ws.iter_rows(min_row=1, max_row=min(ws.max_row, layout.MAX_ROWS + 50), max_col=4, values_only=True):
        a, b, c, d = (list(r) + [None] * 4)[:4]
        if a is None and b is None:
            in_rows = True
            continue
        if not in_rows:
            meta[str(a)] = "" if b is None else str(b)
        else:
            try:
                rows.append((str(a), int(b), str(c), json.loads(d) if isinstance(d, str) else {}))
            except (TypeError, ValueError):
                raise _Refused(f"its hidden '{layout.META}' sheet was changed; export the return again") from None
    return meta, rows


# --- the workbook against its layout ----------------------------------------------------------

def _check(wb, ret: Return, plan: Plan, data: dict, plan_name: str) -> None:
    names = list(wb.sheetnames)
    if layout.META not in names:
        raise _Refused("was not made by opgen return export (it has no hidden 'opgen' sheet); "
                       "fill in the workbook opgen return export made")
    meta, baselines = _meta(wb)
    if meta.get("format") != layout.FORMAT:
        raise _Refused(f"is a return of another format ({meta.get('format') or 'none'}); export the return again")
    try:
        quarter = Quarter.parse(meta.get("quarter", ""))
    except PeriodError:
        raise _Refused("its hidden 'opgen' sheet was changed (no quarter); export the return again") from None
    ret.quarter, ret.meta = quarter, meta
    by = meta.get("by") or "lead"
    ret.name = display.return_name(quarter, meta.get("who") or None, by)
    extra = [n for n in names if n not in layout.SHEETS and n != layout.META]
    missing = [n for n in layout.SHEETS if n not in names]
    if extra or missing:
        parts = []
        if missing:
            parts.append("it has no sheet " + display.choices([f"'{n}'" for n in missing]).replace(" or ", " and "))
        if extra:
            parts.append("it has " + ("a sheet " if len(extra) == 1 else "sheets ")
                         + display.choices([f"'{n}'" for n in extra]).replace(" or ", " and ")
                         + " the return did not have")
        ret.problems.append(Problem(ret.name, "; ".join(parts) + ": sheets were added, renamed or deleted. "
                                    "Give the sheets their names back and delete any added sheet, or fill in "
                                    "a fresh export"))
        return
    # another version of the plan, another plan
    if meta.get("plan") and meta["plan"] != Path(plan_name).name:
        ret.problems.append(Problem(ret.name, f"was exported from {meta['plan']}, not {Path(plan_name).name}; "
                                    f"import it into that plan, or use --force", guard=True))
    as_at = plan.meta.as_at.label if plan.meta.as_at_stated else ""
    exported_as_at = meta.get("as_at") or ""
    if not exported_as_at and as_at == quarter.label:
        exported_as_at = as_at  # the plan had no as-at; an earlier import of this quarter's RAG set it
    if (meta.get("version"), exported_as_at) != (plan.meta.version, as_at):
        ret.problems.append(Problem(ret.name, (
            f"was exported from version {meta.get('version') or display.NOT_STATED} of the plan "
            f"(as at {meta.get('as_at') or display.NOT_STATED}); the plan is now version "
            f"{plan.meta.version or display.NOT_STATED} (as at {as_at or display.NOT_STATED}): export the "
            f"return again from this version, or import it anyway with --force"), guard=True))
    unit = plan.qipp.unit.header if plan.qipp else ""
    items = {(i.sheet, i.id): i for i in plan_items(plan)}
    expected_rows: dict[str, list[tuple[int, str, dict]]] = {s: [] for s in layout.DATA_SHEETS}
    for sheet, row, item_id, base in baselines:
        if sheet in expected_rows:
            expected_rows[sheet].append((row, item_id, base))
    for sheet in layout.DATA_SHEETS:
        _check_sheet(wb[sheet], sheet, ret, plan, data, quarter, unit, expected_rows[sheet], items)


def _where(ret: Return, sheet: str, cell: str, item_id: str | None = None) -> str:
    return f"{ret.name}, sheet {sheet}, {cell}" + (f" ({item_id})" if item_id else "")


def _check_sheet(ws, sheet: str, ret: Return, plan: Plan, data: dict, quarter: Quarter, unit: str,
                 rows: list[tuple[int, str, dict]], items: dict) -> None:
    columns = layout.COLUMNS[sheet]
    for ci, column in enumerate(columns):
        ref = f"{layout.letter(ci)}{layout.HEADER_ROW}"
        got = ws[ref].value
        want = layout.header(column, quarter, unit)
        if str(got or "").strip() != want:
            ret.problems.append(Problem(_where(ret, sheet, ref), (
                f"the header reads '{_short(got)}' where the return had '{want}': columns were inserted, "
                f"deleted, moved or renamed. Put them back as exported, or fill in a fresh export")))
            return
    merged = [str(r) for r in ws.merged_cells.ranges]
    if merged:
        ret.problems.append(Problem(_where(ret, sheet, merged[0]), (
            f"cells are merged ({', '.join(merged[:5])}{', ...' if len(merged) > 5 else ''}); unmerge them "
            f"(Home > Merge & Center) so that each item keeps its own row")))
        return
    last = layout.FIRST_ROW + len(rows) - 1
    for n, (row, item_id, _) in enumerate(rows):
        if row != layout.FIRST_ROW + n:
            raise _Refused(f"its hidden '{layout.META}' sheet was changed; export the return again")
    for row, item_id, _ in rows:
        got = ws.cell(row=row, column=1).value
        if str(got or "").strip() != item_id:
            ret.problems.append(Problem(_where(ret, sheet, f"A{row}"), (
                f"the row of {item_id} reads '{_short(got)}': rows were inserted, deleted or sorted. Undo that "
                f"(every item must stay on the row it was exported on), or fill in a fresh export")))
            return
    max_row = min(ws.max_row, last + layout.MAX_ROWS)
    for r in range(last + 1, max_row + 1):
        if any(ws.cell(row=r, column=ci + 1).value not in (None, "") for ci in range(len(columns) + 3)):
            ret.problems.append(Problem(_where(ret, sheet, f"A{r}"), (
                f"row {r} was added below the return's rows; opgen reads only the exported items: delete "
                f"the row (to add an item, add it to the plan and export again)")))
            return
    for row, item_id, base in rows:
        for ref, shown in sorted((base.get("_shown") or {}).items()):
            got = ws[f"{ref}{row}"].value
            if str(got if got is not None else "").strip() != shown.strip():
                ret.problems.append(Problem(_where(ret, sheet, f"{ref}{row}", item_id), (
                    f"this locked cell showed {_plain(shown or None)} and now reads {_plain(got)}; grey cells show "
                    f"what the plan says and are not read: put it back, and type this quarter's values in the "
                    f"white cells")))
        item = items.get((sheet, item_id))
        values = []
        for ci, column in layout.inputs(sheet):
            ref = f"{layout.letter(ci)}{row}"
            cell = ws[ref]
            values.append((ref, column, cell))
        filled = [(ref, column, cell) for ref, column, cell in values if not _blank(cell.value)]
        if item is None:
            ret.stale.add((sheet, row))
            ret.problems.append(Problem(_where(ret, sheet, f"A{row}", item_id), (
                f"{item_id} is no longer in the plan; import with --force to leave this row out"), guard=True))
            continue
        accepted = []
        for ref, column, cell in filled:
            where = _where(ret, sheet, ref, item_id)
            value, problem = _value(cell, column, plan, item, quarter)
            if problem:
                ret.problems.append(Problem(where, problem))
                continue
            accepted.append((column.key, ref))
            target = field_path(sheet, column.key, item.path, quarter)
            current = get(data, target)
            if column.key == "actual" and isinstance(current, dict):
                target, current = target + ("value",), current.get("value")
            if comparable(current) != base.get(column.key) and comparable(current) != comparable(value):
                ret.problems.append(Problem(where, (
                    f"the plan's value changed since the return was exported (it was "
                    f"{_plain(base.get(column.key))}, it is now {_plain(comparable(current))}); check with the "
                    f"lead, then export again or import with --force to write {_plain(comparable(value))}"),
                    guard=True))
            if comparable(current) == comparable(value):
                continue  # the plan says so already
            ret.updates.append(Update(sheet, ref, item_id, column.key, value, target))
        if sheet == "Risks":
            _risk_pair(ret, item, row, accepted, {c.key for _, c, _ in filled})
            _risk_record(ret, data, item, item_id, quarter)


RECORD = "record:"   # an Update's key prefix for what the import records besides the returned cells


def _risk_record(ret: Return, data, item, item_id: str, quarter) -> None:
    """A risk scored in a return also keeps that quarter's score in its `updates` (likelihood and
    impact both), so next quarter's highlight report can say whether the risk rose."""
    scored = {u.key: u for u in ret.updates if u.sheet == "Risks" and u.item_id == item_id
              and u.key in ("likelihood", "impact")}
    if not scored:
        return
    current = item.model.current
    score = {key: scored[key].value if key in scored else getattr(current, key, None)
             for key in ("likelihood", "impact")}
    if None in score.values():
        return   # a first score with only one of the two: _risk_pair reports it
    cell = next(iter(scored.values())).cell
    for key, value in score.items():
        target = item.path + ("updates", quarter.label, key)
        if comparable(get(data, target)) != comparable(value):
            ret.updates.append(Update("Risks", cell, item_id, f"{RECORD}{key}", value, target))


def _risk_pair(ret: Return, item, row: int, filled: list[tuple[str, str]], typed: set) -> None:
    """A risk scored for the first time needs both likelihood and impact."""
    keys = {k for k, _ in filled}
    if item.model.current is None and len(keys & {"likelihood", "impact"}) == 1 \
            and len(typed & {"likelihood", "impact"}) == 1:
        ref = next(r for k, r in filled if k in ("likelihood", "impact"))
        other = "impact" if "likelihood" in keys else "likelihood"
        ret.updates[:] = [u for u in ret.updates if not (u.sheet == "Risks" and u.item_id == item.id
                                                       and u.key in ("likelihood", "impact"))]
        ret.problems.append(Problem(_where(ret, "Risks", ref, item.id), (
            f"the plan gives this risk no likelihood and impact yet, so give both: fill in its {other} too")))


# --- one cell ---------------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _short(value: Any, limit: int = 40) -> str:
    text = str(value) if value is not None else ""
    text = _CONTROL.sub("?", text).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _plain(value: Any) -> str:
    if value is None:
        return "blank"
    return f"'{_short(value)}'" if isinstance(value, str) else _short(json.dumps(value, ensure_ascii=False))


def _word(value: str) -> str:
    return re.sub(r"[\s/\-]+", "_", value.strip().lower())


def _value(cell, column: layout.Column, plan: Plan, item, quarter: Quarter) -> tuple[Any, str | None]:
    """(the plan's value, None) or (None, what is wrong and how to fix it)."""
    value = cell.value
    if cell.data_type == "f" or (isinstance(value, str) and value.lstrip().startswith("=")) \
            or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        return None, "is a formula; type the value itself (copy the cell, then Paste Special > Values)"
    shown = f"'{_short(value)}'"
    kind = column.accepts
    if kind in (layout.RAG, layout.CONFIDENCE):
        words = rag_words(plan) if kind == layout.RAG else \
            [w for w in rag_words(plan) if w not in ("blue", "grey")] + ["tbc"]
        if isinstance(value, str) and _word(value) in words:
            return _word(value), None
        what = "a RAG" if kind == layout.RAG else "a confidence"
        return None, f"{shown} is not {what}; choose {display.choices([w.replace('_', '/') for w in words])}"
    if kind == layout.STATUS:
        statuses = display.MILESTONE_STATUS_WORDS
        if isinstance(value, str):
            word = _word(value)
            if word in statuses:
                return word, None
        return None, f"{shown} is not a milestone status; choose {display.choices(list(statuses.values()))}"
    if kind == layout.DATE:
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        if isinstance(value, str):
            text = value.strip()
            try:
                return Quarter.parse(text).label, None
            except PeriodError:
                pass
            if _DATE_LIKE.match(text):
                return None, (f"{shown} is a date typed as text; type it as a date (for example 31/12/2015, "
                              f"which Excel shows right-aligned), or a quarter such as \"{quarter.label}\"")
            return None, f"{shown} is not a date; type a date such as 31/12/2015, or a quarter such as \"{quarter.label}\""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None, f"{shown} is a number, not a date; type a date such as 31/12/2015 (format the cell as a date)"
        return None, f"{shown} is not a date; type a date such as 31/12/2015"
    if kind in (layout.MONEY, layout.NUMBER):
        number = _number(value)
        if number is None and isinstance(value, str) and kind == layout.MONEY and _word(value) == "tbc":
            return "tbc", None
        if number is None:
            return None, f"{shown} is not a number; type a number such as 1250 (no £ sign, commas or words)"
        return number, None
    if kind == layout.SCALE:
        number = _number(value)
        what = "likelihood" if column.key == "likelihood" else "impact"
        if number is None or number != int(number) or not 1 <= number <= 5:
            return None, f"{shown} is not a {what}; type a whole number from 1 to 5"
        return int(number), None
    # text
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.isoformat()[:10] if isinstance(value, dt.datetime) and not value.time() else value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(text):
        return None, "holds control characters (not text); retype the text"
    if len(text) > layout.MAX_TEXT:
        return None, f"is {len(text):,} characters long; shorten it to at most {layout.MAX_TEXT:,}"
    if any(len(word) > 1000 for word in text.split()):
        return None, "has a word over 1,000 characters; put spaces in it"
    return text, None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or abs(value) > 1e12:
            return None
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, str) and _NUMBER_TEXT.match(value):
        return _number(float(value.strip()))
    return None


def check_quarters(returns: list[Return], plan: Plan, expected: Quarter | None) -> None:
    """Each return is for the quarter being collected: --quarter where given; otherwise one within
    the plan period, not before the plan's as-at quarter, and the same for every return imported together."""
    start, end = plan.meta.start, plan.meta.end
    first = next((r.quarter for r in returns if r.quarter is not None), None)
    for ret in returns:
        q = ret.quarter
        if q is None:
            continue
        if expected is not None and q != expected:
            ret.problems.append(Problem(ret.name, (
                f"is a return for {q.label}, not {expected.label}: it is for the wrong quarter; ask the lead for "
                f"their {expected.label} return (export it with opgen return export --quarter \"{expected.label}\")")))
        elif not (start.start_year <= q.year.start_year <= end.start_year):
            ret.problems.append(Problem(ret.name, (
                f"is a return for {q.label}, outside the plan period ({start.label} to {end.label}): it is for "
                f"another plan or the wrong quarter")))
        elif expected is None and plan.meta.as_at_stated and q < plan.meta.as_at:
            ret.problems.append(Problem(ret.name, (
                f"is a return for {q.label}, but the plan is already as at {plan.meta.as_at.label}: it is for the "
                f"wrong quarter (an old return?); to import a late return say so with --quarter \"{q.label}\"")))
        elif expected is None and q != first:
            ret.problems.append(Problem(ret.name, (
                f"is a return for {q.label}, but {returns[0].name} is for {first.label}: import one quarter's "
                f"returns at a time")))
