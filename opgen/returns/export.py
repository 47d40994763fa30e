"""Model -> return workbooks: one .xlsx per lead (or domain) for a quarter, laid out as `layout`
says, with the plan version it came from in a hidden sheet. The same plan, quarter and timestamp
give the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass

from opgen import display
from opgen.model import Plan
from opgen.periods import FinancialYear, Quarter
from opgen.returns import layout
from opgen.returns.items import Item, comparable, field_path, get, plan_items

NHS_BLUE, HEADER_TEXT, LOCKED_FILL, INPUT_BORDER = "005EB8", "FFFFFF", "E8EDEE", "AEB7BD"
RAG_FILLS = {"red": "DA291C", "amber": "FFB81C", "green": "009639", "blue": "005EB8", "grey": "768692",
             "amber_red": "ED8B00", "amber_green": "78BE20"}


class ExportError(ValueError):
    """A return that cannot be made (a quarter outside the plan, an unknown --by)."""


@dataclass(slots=True)
class ReturnBook:
    filename: str
    who: str | None
    data: bytes
    rows: int


def check_quarter(plan: Plan, text: str) -> Quarter:
    """The quarter --quarter names, within the plan period."""
    from opgen.periods import PeriodError

    try:
        quarter = Quarter.parse(str(text).strip())
    except PeriodError:
        raise ExportError(f"'{text}' is not a quarter; write it as \"2015/16 Q2\" (Q1 is April to June)") from None
    start, end = plan.meta.start, plan.meta.end
    if not (start.start_year <= quarter.year.start_year <= end.start_year):
        raise ExportError(f"{quarter.label} is outside the plan period ({start.label} to {end.label}); "
                          f"choose a quarter from {start.label} Q1 to {end.label} Q4")
    return quarter


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "return"


def groups(plan: Plan, by: str) -> list[tuple[str | None, list[Item]]]:
    """(who, items) per return, in plan order: by lead (the item's own lead, else its domain's), or
    by domain (None: items in no domain)."""
    if by not in ("lead", "domain"):
        raise ExportError(f"--by {by}: choose lead or domain")
    out: dict[str | None, list[Item]] = {}
    for item in plan_items(plan):
        key = item.lead if by == "lead" else item.domain
        out.setdefault(key, []).append(item)
    return list(out.items())


def _who_label(plan: Plan, key: str | None, by: str) -> str | None:
    if by == "domain":
        return plan.domain_title(key) if key else None
    return key


def plan_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def export(plan: Plan, data: dict, raw: bytes, plan_name: str, quarter: Quarter, by: str = "lead",
           timestamp: dt.datetime | None = None) -> list[ReturnBook]:
    """The return workbooks for `quarter`, one per lead or domain."""
    stamp = timestamp or dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    sha = plan_sha256(raw)
    stem = re.sub(r"\.ya?ml$", "", plan_name.rsplit("/", 1)[-1])
    books: list[ReturnBook] = []
    used: set[str] = set()
    for key, items in groups(plan, by):
        who = _who_label(plan, key, by)
        name = f"{_slug(stem)}-{quarter.year.label.replace('/', '-')}-q{quarter.number}-" \
               f"{_slug(who or (display.RETURN_NO_LEAD if by == 'lead' else display.PLAN_WIDE))}"
        filename, n = f"{name}.xlsx", 2
        while filename in used:
            filename, n = f"{name}-{n}.xlsx", n + 1
        used.add(filename)
        meta = {"format": layout.FORMAT, "plan": plan_name.rsplit("/", 1)[-1], "sha256": sha,
                "version": plan.meta.version, "as_at": plan.meta.as_at.label if plan.meta.as_at_stated else "",
                "quarter": quarter.label, "by": by, "who": who or "", "key": key or "",
                "organisation": plan.organisation.name}
        wb_bytes = _workbook(plan, data, quarter, by, who, items, meta)
        books.append(ReturnBook(filename, who, normalise(wb_bytes, stamp), len(items)))
    return books


# --- cell values ------------------------------------------------------------------------------

def _row(plan: Plan, item: Item, quarter: Quarter) -> dict[str, object]:
    prev = layout.previous(quarter)
    m = item.model
    if item.sheet == "Actions":
        update = m.updates.get(prev) or {}
        return {"id": m.id, "title": m.title, "rag_prev": display.rag(m.rag.get(prev)) if m.rag.get(prev) else "",
                "domain": plan.domain_title(m.domain_id) or "", "lead": m.lead or "",
                "_commentary_prev": update.get("commentary")}
    if item.sheet == "Milestones":
        action, ms = m
        return {"id": ms.id, "title": ms.title, "action": action.id, "due": ms.due_display,
                "status_prev": display.MILESTONE_STATUS_WORDS.get(ms.status or "", ""),
                "forecast_prev": _date_words(ms.forecast_text)}
    if item.sheet == "QIPP":
        year = quarter.year
        planned = m.savings.get(year)
        forecast = m.forecast.get(prev) if prev.year == year else None
        return {"id": m.id, "title": m.title, "planned": display.value(planned) if planned else "",
                "forecast_prev": display.value(forecast) if forecast else "",
                "confidence_prev": (display.TBC if m.confidence == "tbc" else display.rag(m.confidence)) if m.confidence else "", "domain": plan.domain_title(m.domain_id) or ""}
    if item.sheet == "Risks":
        position = (display.risk_position_text(m.current.likelihood, m.current.impact) if m.current
                    else display.risk_rating(m.rating, m.rating_word) if m.rating else "")
        return {"id": m.id, "title": m.title, "position_prev": position,
                "mitigation_prev": m.updates.get(prev) or "", "owner": m.owner or ""}
    # Indicators
    target = next((v for p, v in m.targets.items() if p.text == quarter.year.label), None)
    actual = next((v for p, v in m.actuals.items() if p.text == prev.label), None)
    return {"id": m.id, "title": m.title, "unit": m.unit_label, "target": m.show(target) if target else "",
            "actual_prev": m.show(actual) if actual else "", "domain": plan.domain_title(m.domain_id) or ""}


def _date_words(raw) -> str:
    if not raw:
        return ""
    return display.long_date(raw) if isinstance(raw, dt.date) else display.date_text(None, raw)


def _baseline(data: dict, item: Item, quarter: Quarter) -> dict:
    """The plan's value of each input field when the return was made (checked again at import)."""
    return {c.key: comparable(get(data, field_path(item.sheet, c.key, item.path, quarter)))
            for _, c in layout.inputs(item.sheet)}


# --- the workbook -----------------------------------------------------------------------------

def _workbook(plan: Plan, data: dict, quarter: Quarter, by: str, who: str | None, items: list[Item],
              meta: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.protection import WorkbookProtection

    wb = Workbook()
    title = display.return_title(quarter, who, by, plan.organisation.name)
    bold = Font(name="Arial", bold=True, size=14, color=NHS_BLUE)
    normal = Font(name="Arial", size=10)
    header_font = Font(name="Arial", bold=True, size=10, color=HEADER_TEXT)
    header_fill = PatternFill("solid", fgColor=NHS_BLUE)
    locked_fill = PatternFill("solid", fgColor=LOCKED_FILL)
    thin = Side(style="thin", color=INPUT_BORDER)
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    how = wb.active
    how.title = layout.HOW_TO
    how["A1"] = title
    how["A1"].font = bold
    how.column_dimensions["A"].width = 95
    lines = display.return_how_to(quarter, layout.previous(quarter), plan.meta.title, plan.meta.version,
                                  meta["as_at"])
    for i, line in enumerate(lines, start=3):
        cell = how.cell(row=i, column=1, value=line)
        cell.font, cell.alignment = normal, Alignment(wrap_text=True, vertical="top")
        how.row_dimensions[i].height = 14 * _lines(line, 95) + 4
    how.protection.sheet = True
    how.page_setup.orientation = "landscape"
    how.page_setup.fitToWidth = 1
    how.page_setup.fitToHeight = 0
    how.sheet_properties.pageSetUpPr.fitToPage = True

    unit = plan.qipp.unit.header if plan.qipp else ""
    by_sheet = {s: [i for i in items if i.sheet == s] for s in layout.DATA_SHEETS}
    baselines = []
    for sheet in layout.DATA_SHEETS:
        ws = wb.create_sheet(sheet)
        columns = layout.COLUMNS[sheet]
        ws["A1"] = f"{display.RETURN_SHEET_TITLES[sheet]}: {title}"
        ws["A1"].font = bold
        ws["A2"] = (f"{plan.meta.title}, version {plan.meta.version or display.NOT_STATED}. "
                    f"Fill in the white cells; leave a cell blank for no change.")
        ws["A2"].font = normal
        for ci, column in enumerate(columns):
            cell = ws.cell(row=layout.HEADER_ROW, column=ci + 1, value=layout.header(column, quarter, unit))
            cell.font, cell.fill, cell.border = header_font, header_fill, box
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[layout.letter(ci)].width = column.width
        ws.row_dimensions[layout.HEADER_ROW].height = 30
        rows = by_sheet[sheet]
        for ri, item in enumerate(rows):
            r = layout.FIRST_ROW + ri
            values = _row(plan, item, quarter)
            for ci, column in enumerate(columns):
                cell = ws.cell(row=r, column=ci + 1)
                cell.font, cell.border, cell.alignment = normal, box, wrap
                if column.is_input:
                    cell.protection = Protection(locked=False)
                    if column.accepts == layout.DATE:
                        cell.number_format = "dd/mm/yyyy"
                    elif column.accepts in (layout.MONEY, layout.NUMBER):
                        cell.number_format = "General"
                    elif column.accepts == layout.TEXT:
                        cell.number_format = "@"
                else:
                    cell.value = values.get(column.key) or None
                    cell.fill = locked_fill
                    colour = _rag_word(values.get(column.key))
                    if colour:
                        cell.fill = PatternFill("solid", fgColor=RAG_FILLS[colour])
                        cell.font = Font(name="Arial", size=10, bold=True,
                                         color="000000" if colour in ("amber", "amber_green", "amber_red") else "FFFFFF")
            base = _baseline(data, item, quarter)
            base["_shown"] = {layout.letter(ci): str(values.get(c.key) or "") for ci, c in enumerate(columns)
                              if not c.is_input and c.key != "id"}
            baselines.append((sheet, r, item.id, base))
            tallest = max(_lines(values.get(c.key), c.width) for c in columns)
            if tallest > 1:
                ws.row_dimensions[r].height = 13 * tallest + 2
        if rows:
            _validations(ws, plan, rows, sheet)
        ws.freeze_panes = ws.cell(row=layout.FIRST_ROW, column=3)
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # a lead may widen a column to read it
        ws.protection.formatRows = False
        ws.print_title_rows = f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    hidden = wb.create_sheet(layout.META)
    for i, (k, v) in enumerate(meta.items(), start=1):
        hidden.cell(row=i, column=1, value=k)
        hidden.cell(row=i, column=2, value=str(v))
    start = len(meta) + 2
    for j, (sheet, r, item_id, base) in enumerate(baselines):
        hidden.cell(row=start + j, column=1, value=sheet)
        hidden.cell(row=start + j, column=2, value=r)
        hidden.cell(row=start + j, column=3, value=item_id)
        hidden.cell(row=start + j, column=4, value=json.dumps(base, sort_keys=True, ensure_ascii=False))
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = title
    wb.properties.creator = "opgen"
    wb.properties.keywords = f"{layout.FORMAT} {meta['sha256']}"
    wb.properties.subject = f"{plan.meta.title} {plan.meta.version} {quarter.label}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _lines(text, width: int) -> int:
    """About how many lines `text` wraps to in a column `width` characters wide."""
    if not isinstance(text, str) or not text:
        return 1
    return sum(max(1, -(-len(part) // max(1, int(width * 1.3)))) for part in text.split("\n"))


def _rag_word(text) -> str | None:
    if not isinstance(text, str):
        return None
    for key, label in display_rag_labels().items():
        if text == label:
            return key
    return None


def display_rag_labels() -> dict[str, str]:
    from opgen.model import RAG_LABELS

    return dict(RAG_LABELS)


def rag_words(plan: Plan) -> list[str]:
    """The RAG words a lead may choose, in the plan's scale."""
    five = plan.scales.five_point
    return ["red", "amber_red", "amber", "amber_green", "green", "blue", "grey"] if five else \
        ["red", "amber", "green", "blue", "grey"]


def _validations(ws, plan: Plan, rows: list[Item], sheet: str) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    first, last = layout.FIRST_ROW, layout.FIRST_ROW + len(rows) - 1
    five = "amber_red" in rag_words(plan)
    for ci, column in layout.inputs(sheet):
        col = layout.letter(ci)
        area = f"{col}{first}:{col}{last}"
        if column.accepts in (layout.RAG, layout.CONFIDENCE, layout.STATUS):
            if column.accepts == layout.RAG:
                words = rag_words(plan)
            elif column.accepts == layout.CONFIDENCE:
                words = (["red", "amber_red", "amber", "amber_green", "green"] if five else
                         ["red", "amber", "green"]) + ["tbc"]
            else:
                words = list(display.MILESTONE_STATUS_WORDS.values())
            dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
            dv.error = f"Choose {display.choices(words)}."
        elif column.accepts == layout.DATE:
            dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                                formula2="DATE(2099,12,31)", allow_blank=True)
            dv.error = "Type a date, for example 31/12/2015."
        elif column.accepts == layout.SCALE:
            dv = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
            dv.error = "Type a whole number from 1 to 5."
        elif column.accepts in (layout.MONEY, layout.NUMBER):
            dv = DataValidation(type="decimal", operator="between", formula1="-1000000000000",
                                formula2="1000000000000", allow_blank=True)
            dv.error = "Type a number (no £ sign, no words)."
        else:
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(layout.MAX_TEXT),
                                allow_blank=True)
            dv.error = f"At most {layout.MAX_TEXT:,} characters."
        dv.errorTitle = layout.header(column, Quarter(FinancialYear(2000), 1)).split(" 2000/01")[0]
        dv.showErrorMessage = True
        dv.add(area)
        ws.add_data_validation(dv)
        if column.accepts in (layout.RAG, layout.CONFIDENCE):  # the chosen colour shows as it does in the papers
            for word in words:
                if word in RAG_FILLS:
                    text = "000000" if word in ("amber", "amber_green", "amber_red") else "FFFFFF"
                    ws.conditional_formatting.add(area, CellIsRule(
                        operator="equal", formula=[f'"{word}"'], fill=PatternFill("solid", bgColor=RAG_FILLS[word]),
                        font=Font(bold=True, color=text)))


# --- reproducible bytes -----------------------------------------------------------------------

_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise(data: bytes, stamp: dt.datetime) -> bytes:
    """The workbook with every zip entry and the document properties dated `stamp`, entries in a
    fixed order: the same workbook gives the same bytes whenever it is written."""
    when = stamp.astimezone(dt.timezone.utc)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    zip_time = (max(when.year, 1980),) + tuple(when.timetuple())[1:6]
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(lambda m: m.group(1) + iso + m.group(3), content)
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, content)
    return out.getvalue()
