"""Quarterly returns (issue 11, points 1 and 2): `opgen return export` writes one workbook per lead
or domain, and `opgen return import` checks what the leads typed and writes it into the plan.

Everything is checked as a user would notice it: the workbook's sheets, headers, locked and unlocked
cells and dropdowns (read back with openpyxl); the plan's text after an import (a line diff: only
the returned values changed, comments kept); the message for each kind of bad return, with the plan
left byte for byte as it was; a workbook saved by LibreOffice; and arbitrary typing into the input
cells (hypothesis), which never crashes the import and never changes the plan unless it is valid."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from opgen.cli.main import main
from opgen.pipeline import plan_from_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "plans" / "south-kent-coast-2014-16.yaml"           # the example plan (no RAG yet)
Q1 = ROOT / "tests" / "fixtures" / "south-kent-coast-2014-16-q1.yaml"  # the same plan with Q1 RAG
Q2 = ROOT / "tests" / "fixtures" / "south-kent-coast-2014-16-q2.yaml"  # a quarter on: as at Q2
QUARTER = "2014/15 Q2"


def _plan(tmp_path: Path, source: Path = Q1, lead: str | None = "J Smith") -> Path:
    """A copy of the plan, its Out of Hospital Programme led by `lead`."""
    text = source.read_text(encoding="utf-8")
    if lead:
        text = text.replace("  - id: ooh\n", f"  - id: ooh\n    lead: {lead}\n", 1)
    plan = tmp_path / "skc.yaml"
    plan.write_text(text, encoding="utf-8")
    return plan


def _export(plan: Path, out: Path, *extra: str, quarter: str = QUARTER) -> dict[str, Path]:
    assert main(["return", "export", str(plan), "--quarter", quarter, "--out", str(out), *extra]) == 0
    return {p.name: p for p in sorted(out.glob("*.xlsx"))}


def _import(plan: Path, *files: Path, extra: tuple = ()) -> int:
    return main(["return", "import", str(plan), *map(str, files), *extra])


def _smith(tmp_path: Path, plan: Path) -> Path:
    books = _export(plan, tmp_path / "out")
    return books["skc-2014-15-q2-j-smith.xlsx"]


def _fill(book: Path, cells: dict[tuple[str, str], object], to: Path | None = None) -> Path:
    wb = load_workbook(book)
    for (sheet, ref), value in cells.items():
        wb[sheet][ref] = value
    target = to or book
    wb.save(target)
    return target


# --- export -----------------------------------------------------------------------------------

def test_export_one_workbook_per_lead_with_ids_first_and_quarter_headers(tmp_path):
    plan = _plan(tmp_path)
    books = _export(plan, tmp_path / "out")
    assert sorted(books) == ["skc-2014-15-q2-j-smith.xlsx", "skc-2014-15-q2-no-named-lead.xlsx"]
    wb = load_workbook(books["skc-2014-15-q2-j-smith.xlsx"])
    assert wb.sheetnames == ["How to fill in", "Actions", "Milestones", "QIPP", "Risks", "Indicators", "opgen"]
    actions = wb["Actions"]
    headers = [c.value for c in actions[4]]
    assert headers[:6] == ["Id", "Action", "RAG 2014/15 Q1", "RAG 2014/15 Q2", "Commentary 2014/15 Q2",
                           "Path to green 2014/15 Q2"]
    ids = [actions.cell(row=r, column=1).value for r in range(5, actions.max_row + 1)]
    assert ids[:3] == ["OOH-01", "OOH-02", "OOH-03"] and all(i.startswith("OOH-") for i in ids)
    assert actions["C5"].value == "Green" and actions["C7"].value == "Amber"  # last quarter's RAG, read-only
    assert "J Smith" in actions["A1"].value and "2014/15 Q2" in actions["A1"].value
    assert [c.value for c in wb["Risks"][4]][3:5] == ["Likelihood 2014/15 Q2 (1-5)", "Impact 2014/15 Q2 (1-5)"]
    assert [c.value for c in wb["Indicators"][4]][4:6] == ["Actual 2014/15 Q1", "Actual 2014/15 Q2"]
    assert "Forecast savings 2014/15 at 2014/15 Q2 (£000)" in [c.value for c in wb["QIPP"][4]]
    # the other book holds what has no lead: the Hospital Programme and the plan-wide items
    other = load_workbook(books["skc-2014-15-q2-no-named-lead.xlsx"])
    assert other["Actions"]["A5"].value == "HOSP-01"


def test_export_by_domain(tmp_path):
    books = _export(_plan(tmp_path, lead=None), tmp_path / "out", "--by", "domain")
    assert sorted(books) == ["skc-2014-15-q2-hospital-programme.xlsx", "skc-2014-15-q2-out-of-hospital-programme.xlsx",
                             "skc-2014-15-q2-plan-wide.xlsx"]
    wb = load_workbook(books["skc-2014-15-q2-plan-wide.xlsx"])
    assert wb["Risks"]["A5"].value == "R-BCF-01" and wb["Actions"]["A5"].value is None


def test_export_protects_structure_and_unlocks_only_input_cells(tmp_path):
    book = _smith(tmp_path, _plan(tmp_path))
    wb = load_workbook(book)
    assert wb.security.lockStructure and not wb.security.workbookPassword
    for name in ("How to fill in", "Actions", "Milestones", "QIPP", "Risks", "Indicators"):
        assert wb[name].protection.sheet and not wb[name].protection.password
    ws = wb["Actions"]
    assert ws["A5"].protection.locked and ws["B5"].protection.locked and ws["C5"].protection.locked
    assert not ws["D5"].protection.locked and not ws["E5"].protection.locked and not ws["F5"].protection.locked
    assert wb["opgen"].sheet_state == "veryHidden"


def test_export_input_cells_carry_data_validation(tmp_path):
    books = _export(_plan(tmp_path), tmp_path / "out")
    wb = load_workbook(books["skc-2014-15-q2-j-smith.xlsx"])
    hospital = load_workbook(books["skc-2014-15-q2-no-named-lead.xlsx"])  # the milestones are the Hospital's

    def rules(sheet):
        book = hospital if sheet == "Milestones" else wb
        return {str(dv.sqref).split(":")[0][0]: dv for dv in book[sheet].data_validations.dataValidation}

    rag = rules("Actions")["D"]
    assert rag.type == "list" and rag.formula1 == '"red,amber,green,blue,grey"' and rag.showErrorMessage
    milestones = rules("Milestones")
    assert milestones["F"].type == "list" and "at risk" in milestones["F"].formula1
    assert milestones["H"].type == "date"
    assert hospital["Milestones"]["H5"].number_format == "dd/mm/yyyy"
    risks = rules("Risks")
    assert risks["D"].type == "whole" and (risks["D"].formula1, risks["D"].formula2) == ("1", "5")
    assert rules("QIPP")["E"].type == "decimal" and rules("Indicators")["F"].type == "decimal"
    assert rules("QIPP")["G"].type == "list"


def test_export_records_the_plan_version(tmp_path):
    plan = _plan(tmp_path)
    wb = load_workbook(_smith(tmp_path, plan))
    meta = {r[0]: r[1] for r in wb["opgen"].iter_rows(min_row=1, max_row=10, values_only=True) if r[0]}
    import hashlib

    assert meta["sha256"] == hashlib.sha256(plan.read_bytes()).hexdigest()
    assert (meta["version"], meta["as_at"], meta["quarter"], meta["who"]) == ("1.0", "2014/15 Q1", QUARTER, "J Smith")
    assert meta["sha256"] in wb.properties.keywords


def test_export_is_reproducible_and_honours_source_date_epoch(tmp_path, monkeypatch):
    plan = _plan(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = _export(plan, tmp_path / "a")
    second = _export(plan, tmp_path / "b")
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1420070400")  # 2015-01-01
    third = _export(plan, tmp_path / "c")
    name = "skc-2014-15-q2-j-smith.xlsx"
    assert third[name].read_bytes() != first[name].read_bytes()
    with zipfile.ZipFile(third[name]) as z:
        core = z.read("docProps/core.xml").decode()
        assert "2015-01-01T00:00:00Z" in core and all(i.date_time[:3] == (2015, 1, 1) for i in z.infolist())


def test_export_refuses_a_quarter_outside_the_plan(tmp_path, capsys):
    plan = _plan(tmp_path)
    assert main(["return", "export", str(plan), "--quarter", "2016/17 Q1", "--out", str(tmp_path)]) == 2
    assert "2016/17 Q1 is outside the plan period (2014/15 to 2015/16)" in capsys.readouterr().err
    assert main(["return", "export", str(plan), "--quarter", "Q2 2015", "--out", str(tmp_path)]) == 2
    assert "'Q2 2015' is not a quarter" in capsys.readouterr().err
    assert main(["return", "export", str(tmp_path / "nope.yaml"), "--quarter", QUARTER, "--out", str(tmp_path)]) == 2


# --- import: the plan changes only where the return says --------------------------------------

def test_import_writes_only_the_returned_values_keeping_comments(tmp_path, capsys):
    plan = _plan(tmp_path)
    before = plan.read_text(encoding="utf-8")
    book = _fill(_smith(tmp_path, plan), {
        ("Actions", "D5"): "Amber", ("Actions", "E5"): "Teams in place in 3 of 4 towns, see notes: on track",
        ("Actions", "D7"): "red", ("Actions", "F7"): "Recruit two GPs by December",
        ("Indicators", "F5"): 5.5,
        ("Risks", "D5"): 3, ("Risks", "E5"): 4, ("Risks", "G5"): "Workforce plans in from 3 of 4 providers",
        ("Actions", "D6"): "  ",   # blank: no update
    })
    capsys.readouterr()
    assert _import(plan, book) == 0
    out = capsys.readouterr().out
    after = plan.read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [
        '-      "2014/15": {q1: green}',
        '+      "2014/15": {q1: green, q2: amber}',
        '+    updates:',
        '+      "2014/15 Q2": {commentary: "Teams in place in 3 of 4 towns, see notes: on track"}',
        '-      "2014/15": {q1: amber}',
        '+      "2014/15": {q1: amber, q2: red}',
        '+    updates:',
        '+      "2014/15 Q2": {path_to_green: Recruit two GPs by December}',
        '+    actuals: {"2014/15 Q2": 5.5}',
        '+    likelihood: 3',
        '+    impact: 4',
        '+    updates:',
        '+      "2014/15 Q2": {mitigation: Workforce plans in from 3 of 4 providers, likelihood: 3, impact: 4}',
    ]
    assert [l for l in before.splitlines() if l.lstrip().startswith("#")] == \
        [l for l in after.splitlines() if l.lstrip().startswith("#")]
    assert plan_from_file(plan).ok
    # the change report is opgen diff's
    assert "RAG 2014/15 Q2: not reported \u2192 Amber" in out
    assert "RAG 2014/15 Q2: not reported \u2192 Red" in out
    assert "actual 2014/15 Q2: \u2013 \u2192 5.5%" in out and "imported 8 values from 1 return" in out
    assert "mitigation update 2014/15 Q2" in out
    assert 'set plan.as_at to "2014/15 Q2"' in out


def test_import_of_milestones_and_qipp(tmp_path, capsys):
    plan = _plan(tmp_path, lead=None)
    books = _export(plan, tmp_path / "out")
    book = _fill(books["skc-2014-15-q2-no-named-lead.xlsx"], {
        ("Milestones", "F5"): "At risk", ("Milestones", "H5"): dt.datetime(2015, 1, 31),
        ("Milestones", "H6"): "2014/15 Q4",
        ("QIPP", "E5"): 5400, ("QIPP", "G5"): "amber",
    })
    assert _import(plan, book) == 0
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    hosp1 = next(a for a in data["actions"] if a["id"] == "HOSP-01")
    hosp2 = next(a for a in data["actions"] if a["id"] == "HOSP-02")
    assert hosp1["milestones"][0]["status"] == "at_risk"
    assert hosp1["milestones"][0]["forecast"] == dt.date(2015, 1, 31)
    assert hosp2["milestones"][0]["forecast"] == "2014/15 Q4"
    scheme = data["qipp"]["schemes"][0]
    assert scheme["forecast"] == {QUARTER: 5400} and scheme["confidence"] == "amber"
    out = capsys.readouterr().out
    assert "HOSP-01-M1" in out and "forecast" in out


def test_import_of_blank_return_changes_nothing(tmp_path, capsys):
    plan = _plan(tmp_path)
    before = plan.read_bytes()
    assert _import(plan, _smith(tmp_path, plan)) == 0
    assert plan.read_bytes() == before
    assert "nothing to import" in capsys.readouterr().out


def test_import_of_several_returns_at_once_and_one_after_another(tmp_path):
    plan = _plan(tmp_path)
    books = _export(plan, tmp_path / "out")
    smith = _fill(books["skc-2014-15-q2-j-smith.xlsx"], {("Actions", "D5"): "green"})
    other = _fill(books["skc-2014-15-q2-no-named-lead.xlsx"], {("Actions", "D5"): "amber"})
    assert _import(plan, smith) == 0
    assert _import(plan, other) == 0  # the plan changed since the export, but not these items
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    assert data["actions"][0]["rag"]["2014/15"]["q2"] == "green"
    assert next(a for a in data["actions"] if a["id"] == "HOSP-01")["rag"]["2014/15"]["q2"] == "amber"


def test_import_refuses_a_value_the_plan_changed_since_the_export_unless_forced(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _smith(tmp_path, plan)
    first = _fill(book, {("Actions", "D5"): "green"}, tmp_path / "first.xlsx")
    second = _fill(book, {("Actions", "D5"): "red"}, tmp_path / "second.xlsx")
    assert _import(plan, first) == 0
    before = plan.read_bytes()
    capsys.readouterr()
    assert _import(plan, second) == 1
    out = capsys.readouterr().out
    assert "sheet Actions, D5 (OOH-01): the plan's value changed since the return was exported" in out
    assert plan.read_bytes() == before
    assert _import(plan, second, extra=("--force",)) == 0
    assert yaml.safe_load(plan.read_text())["actions"][0]["rag"]["2014/15"]["q2"] == "red"


# --- import: each bad return is refused with a located message, the plan untouched -------------

def _refused(plan: Path, book: Path, capsys, *expected: str, extra: tuple = ()) -> str:
    before = plan.read_bytes()
    capsys.readouterr()
    assert _import(plan, book, extra=extra) == 1
    captured = capsys.readouterr()
    text = captured.out + captured.err
    for e in expected:
        assert e in text, text
    assert "Traceback" not in text and "internal error" not in text
    assert plan.read_bytes() == before
    return text


def test_bad_cell_values_are_located_with_how_to_fix(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {
        ("Actions", "D7"): "Amberish", ("Actions", "D5"): "green",
        ("Risks", "D6"): 7, ("Risks", "D5"): 2,
        ("Indicators", "F5"): "about 5", ("QIPP", "E5"): "£5k",
    })
    _refused(plan, book, capsys,
             "Q2 return from J Smith, sheet Actions, D7 (OOH-03): 'Amberish' is not a RAG; "
             "choose red, amber, green, blue or grey",
             "Q2 return from J Smith, sheet Risks, D6 (R-OOH-02): '7' is not a likelihood; type a whole number from 1 to 5",
             "sheet Risks, D5 (R-OOH-01): the plan gives this risk no likelihood and impact yet, so give both",
             "sheet Indicators, F5 (KPI-PEX-GP): 'about 5' is not a number",
             "nothing imported: 5 problems in the returns (above)")


def test_not_a_workbook(tmp_path, capsys):
    plan = _plan(tmp_path)
    fake = tmp_path / "return.xlsx"
    fake.write_text("Id,RAG\nOOH-01,green\n")
    _refused(plan, fake, capsys, "return.xlsx: is not an Excel workbook (.xlsx)")
    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    _refused(plan, docx, capsys, "letter.xlsx: is not an Excel workbook (.xlsx)")


def test_password_protected_workbook(tmp_path, capsys):
    """Excel saves a workbook with a password as an OLE compound file holding an EncryptedPackage
    stream (MS-OFFCRYPTO); an old .xls is an OLE file without one."""
    plan = _plan(tmp_path)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000)
    _refused(plan, locked, capsys, "locked.xlsx: is protected with a password", "remove the password")
    old = tmp_path / "old.xlsx"
    old.write_bytes(ole + "Workbook".encode("utf-16-le") + b"\0" * 1000)
    _refused(plan, old, capsys, "old.xlsx: is an Excel 97-2003 workbook (.xls)")


def test_macro_workbook(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _smith(tmp_path, plan)
    xlsm = tmp_path / "return.xlsm"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(xlsm, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("xl/vbaProject.bin", b"\0" * 64)
    _refused(plan, xlsm, capsys, "return.xlsm: is a macro-enabled workbook (.xlsm)", "save it as an Excel Workbook (.xlsx)")


def test_formula_in_an_input_cell(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Indicators", "F5"): "=5+0.5"})
    _refused(plan, book, capsys, "sheet Indicators, F5 (KPI-PEX-GP): is a formula; type the value itself")


def test_date_typed_as_text(tmp_path, capsys):
    plan = _plan(tmp_path, lead=None)
    book = _fill(_export(plan, tmp_path / "out")["skc-2014-15-q2-no-named-lead.xlsx"],
                 {("Milestones", "H5"): "31/01/2015"})
    _refused(plan, book, capsys, "sheet Milestones, H5 (HOSP-01-M1): '31/01/2015' is a date typed as text; "
                                 "type it as a date")


def test_merged_cells(tmp_path, capsys):
    plan = _plan(tmp_path)
    wb = load_workbook(_smith(tmp_path, plan))
    wb["Actions"].merge_cells("E5:E6")
    wb.save(tmp_path / "merged.xlsx")
    _refused(plan, tmp_path / "merged.xlsx", capsys, "sheet Actions, E5:E6: cells are merged (E5:E6); unmerge them")


def test_inserted_and_deleted_rows(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _smith(tmp_path, plan)
    wb = load_workbook(book)
    wb["Actions"].insert_rows(6)
    wb["Actions"]["A6"] = "NEW-1"
    wb.save(tmp_path / "inserted.xlsx")
    _refused(plan, tmp_path / "inserted.xlsx", capsys,
             "sheet Actions, A6: the row of OOH-02 reads 'NEW-1': rows were inserted, deleted or sorted")
    wb = load_workbook(book)
    wb["Risks"].delete_rows(5)
    wb.save(tmp_path / "deleted.xlsx")
    _refused(plan, tmp_path / "deleted.xlsx", capsys, "sheet Risks, A5: the row of R-OOH-01 reads 'R-OOH-02'")
    wb = load_workbook(book)
    last = wb["Actions"].max_row
    wb["Actions"].cell(row=last + 1, column=1, value="OOH-99")
    wb.save(tmp_path / "added.xlsx")
    _refused(plan, tmp_path / "added.xlsx", capsys, f"sheet Actions, A{last + 1}: row {last + 1} was added below")


def test_extra_and_renamed_sheets(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _smith(tmp_path, plan)
    wb = load_workbook(book)
    wb.create_sheet("My notes")
    wb.save(tmp_path / "extra.xlsx")
    _refused(plan, tmp_path / "extra.xlsx", capsys,
             "Q2 return from J Smith: it has a sheet 'My notes' the return did not have")
    wb = load_workbook(book)
    wb["Risks"].title = "Risk register"
    wb.save(tmp_path / "renamed.xlsx")
    _refused(plan, tmp_path / "renamed.xlsx", capsys,
             "it has no sheet 'Risks'; it has a sheet 'Risk register' the return did not have: sheets were "
             "added, renamed or deleted")
    wb = load_workbook(book)
    del wb["opgen"]
    wb.save(tmp_path / "nometa.xlsx")
    _refused(plan, tmp_path / "nometa.xlsx", capsys, "nometa.xlsx: was not made by opgen return export")


def test_renamed_column(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Actions", "D4"): "RAG 2014/15 Q3"})
    _refused(plan, book, capsys, "sheet Actions, D4: the header reads 'RAG 2014/15 Q3' where the return had "
                                 "'RAG 2014/15 Q2'")


def test_return_for_the_wrong_quarter(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Actions", "D5"): "green"})
    _refused(plan, book, capsys, "Q2 return from J Smith: is a return for 2014/15 Q2, not 2014/15 Q3: it is for "
                                 "the wrong quarter", extra=("--quarter", "2014/15 Q3"))
    # a plan already as at Q2 is sent a Q1 return
    later = tmp_path / "later"
    later.mkdir()
    plan2 = _plan(later, source=Q2, lead=None)
    books = _export(plan2, later / "out", quarter="2014/15 Q1")
    old = _fill(next(iter(books.values())), {("Actions", "D5"): "green"})
    _refused(plan2, old, capsys, "is a return for 2014/15 Q1, but the plan is already as at 2014/15 Q2: it is "
                                 "for the wrong quarter")


def test_return_from_another_plan_version_needs_force(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Actions", "D5"): "green"})
    plan.write_text(plan.read_text().replace('version: "1.0"', 'version: "1.1"', 1))
    _refused(plan, book, capsys, "Q2 return from J Smith: was exported from version 1.0 of the plan (as at "
                                 "2014/15 Q1); the plan is now version 1.1", "--force")
    assert _import(plan, book, extra=("--force",)) == 0
    assert yaml.safe_load(plan.read_text())["actions"][0]["rag"]["2014/15"]["q2"] == "green"


def test_ids_no_longer_in_the_plan_need_force(tmp_path, capsys):
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Actions", "D5"): "green", ("Actions", "D6"): "red"})
    plan.write_text(plan.read_text().replace("id: OOH-02\n", "id: OOH-02B\n", 1))
    _refused(plan, book, capsys, "sheet Actions, A6 (OOH-02): OOH-02 is no longer in the plan; import with "
                                 "--force to leave this row out")
    assert _import(plan, book, extra=("--force",)) == 0
    data = yaml.safe_load(plan.read_text())
    assert data["actions"][0]["rag"]["2014/15"]["q2"] == "green"
    assert "q2" not in data["actions"][1]["rag"]["2014/15"]


def test_values_that_would_not_validate_write_nothing(tmp_path, capsys):
    """A commentary over the plan's Markdown limits: the re-validated plan says what is wrong, nothing
    is written."""
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Actions", "E5"): "*a* " * 1100, ("Actions", "D5"): "green"})
    text = _refused(plan, book, capsys, "nothing imported: with the returned values",
                    "Q2 return from J Smith, sheet Actions, E5 (OOH-01): this text has 2,200 Markdown marks")
    assert "skc.yaml:" in text


def test_missing_files_are_usage_errors(tmp_path, capsys):
    plan = _plan(tmp_path)
    assert _import(plan, tmp_path / "nope.xlsx") == 2
    assert "nope.xlsx: file not found" in capsys.readouterr().err
    assert _import(tmp_path / "nope.yaml", tmp_path / "x.xlsx") == 2


# --- LibreOffice ------------------------------------------------------------------------------

def test_a_workbook_saved_by_libreoffice_still_imports(tmp_path, capsys):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Actions", "D5"): "amber", ("Indicators", "F5"): 5.5,
                                          ("Actions", "E5"): "Saved by LibreOffice"})
    out = tmp_path / "lo"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                             "--convert-to", "xlsx", "--outdir", str(out), str(book)],
                            capture_output=True, timeout=180)
    saved = out / book.name
    if not saved.exists():
        pytest.skip(f"LibreOffice could not convert a workbook (is Calc installed?): {result.stderr[-200:]!r}")
    assert saved.read_bytes() != book.read_bytes()
    assert _import(plan, saved) == 0
    data = yaml.safe_load(plan.read_text())
    assert data["actions"][0]["rag"]["2014/15"]["q2"] == "amber"
    assert data["actions"][0]["updates"][QUARTER]["commentary"] == "Saved by LibreOffice"
    assert data["indicators"][0]["actuals"][QUARTER] == 5.5


# --- whatever is typed ------------------------------------------------------------------------

INPUTS = [("Actions", "D5"), ("Actions", "E6"), ("Actions", "F7"), ("Milestones", "F5"), ("Milestones", "H5"),
          ("QIPP", "E5"), ("QIPP", "G5"), ("Risks", "D5"), ("Risks", "E5"), ("Risks", "G6"), ("Indicators", "F5")]
TYPED = st.one_of(
    st.none(), st.sampled_from(["red", "Amber", "GREEN", "blue", "grey", "amber_red", "at risk", "tbc", "n/a", "=1+1",
                                "31/12/2014", "2014/15 Q4", "2099/00 Q1", "", "  ", "1", "5", "0", "-3"]),
    st.text(max_size=60), st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 12, 31)))


@pytest.fixture(scope="module")
def typed_base(tmp_path_factory):
    base = tmp_path_factory.mktemp("typed")
    plan = _plan(base)
    return plan, _smith(base, plan)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.tuples(st.sampled_from(INPUTS), TYPED), min_size=1, max_size=5))
def test_whatever_is_typed_the_import_never_crashes_nor_writes_an_invalid_plan(values, typed_base, tmp_path_factory,
                                                                              capsys):
    base_plan, base_book = typed_base
    work = tmp_path_factory.mktemp("typed-run")
    plan = work / "skc.yaml"
    plan.write_bytes(base_plan.read_bytes())
    wb = load_workbook(base_book)
    for (sheet, ref), value in values:
        try:
            wb[sheet][ref] = value
        except (ValueError, TypeError, IllegalCharacterError):  # a spreadsheet cannot hold it: nothing typed
            continue
    book = work / "return.xlsx"
    try:
        wb.save(book)
    except (ValueError, TypeError):
        return
    before = plan.read_bytes()
    capsys.readouterr()
    code = _import(plan, book)
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    assert "internal error" not in captured.err and "Traceback" not in captured.err
    if code == 1:
        assert plan.read_bytes() == before
    else:
        assert plan_from_file(plan).ok


# --- other plans ------------------------------------------------------------------------------

def test_a_plan_without_as_at_gets_the_returns_quarter_with_its_first_rag(tmp_path, capsys):
    """Thanet's plan on a page reports no RAG and states no as-at quarter: the first RAG returned
    sets it (a plan reporting RAG needs one), and the next lead's return still imports."""
    plan = tmp_path / "thanet-2015-16.yaml"
    plan.write_bytes((ROOT / "plans" / "thanet-2015-16.yaml").read_bytes())
    before = plan.read_text()
    book = next(iter(_export(plan, tmp_path / "out", quarter="2015/16 Q2").values()))
    first = _fill(book, {("Actions", "D5"): "green"}, tmp_path / "first.xlsx")
    second = _fill(book, {("Actions", "D6"): "amber"}, tmp_path / "second.xlsx")
    capsys.readouterr()
    assert _import(plan, first) == 0
    assert 'had no plan.as_at; the returns report RAG, so it is set to "2015/16 Q2"' in capsys.readouterr().out
    assert _import(plan, second) == 0
    added = [l for l in difflib.unified_diff(before.splitlines(), plan.read_text().splitlines(), n=0, lineterm="")
             if l.startswith("+") and not l.startswith("+++")]
    assert added == ['+  as_at: "2015/16 Q2"', '+    rag:', '+      "2015/16": {q2: green}',
                     '+    rag:', '+      "2015/16": {q2: amber}']
    assert plan_from_file(plan).ok


def test_a_five_point_plan_offers_and_accepts_its_own_ratings(tmp_path, capsys):
    plan = tmp_path / "scales.yaml"
    plan.write_bytes((ROOT / "tests" / "fixtures" / "v2-scales-structure.yaml").read_bytes())
    result = plan_from_file(plan)
    quarter = f"{result.plan.meta.as_at.label}"
    books = _export(plan, tmp_path / "out", quarter=quarter)
    name, book = next((n, b) for n, b in books.items() if load_workbook(b)["Actions"]["A5"].value)
    wb = load_workbook(book)
    rag = next(dv for dv in wb["Actions"].data_validations.dataValidation if str(dv.sqref).startswith("D"))
    assert rag.formula1 == '"red,amber_red,amber,amber_green,green,blue,grey"'
    _fill(book, {("Actions", "D5"): "Amber/green"})
    assert _import(plan, book) == 0
    action = wb["Actions"]["A5"].value
    data = yaml.safe_load(plan.read_text())
    q = result.plan.meta.as_at
    rated = next(a for a in data["actions"] if a["id"] == action)["rag"][q.year.label][q.key]
    assert rated == "amber_green"


def test_a_changed_locked_cell_is_reported_not_ignored(tmp_path, capsys):
    """A lead who unprotects a sheet and types over last quarter's RAG is told, not silently ignored."""
    plan = _plan(tmp_path)
    book = _fill(_smith(tmp_path, plan), {("Actions", "C5"): "Red", ("Actions", "B6"): "Renamed"})
    _refused(plan, book, capsys,
             "sheet Actions, C5 (OOH-01): this locked cell showed 'Green' and now reads 'Red'; grey cells show what "
             "the plan says and are not read",
             "sheet Actions, B6 (OOH-02): this locked cell showed 'Enhanced Neighbourhood Care Team (NCT)'")


def test_a_forecast_beyond_the_plan_imports_with_a_warning(tmp_path, capsys):
    """A milestone now forecast after the plan ends is news for the board, not an error."""
    plan = _plan(tmp_path, lead=None)
    book = _fill(_export(plan, tmp_path / "out")["skc-2014-15-q2-no-named-lead.xlsx"],
                 {("Milestones", "H5"): "2016/17 Q2"})
    capsys.readouterr()
    assert _import(plan, book) == 0
    out = capsys.readouterr().out
    assert "HOSP-01-M1 One-stop outpatient services: forecast: none \u2192 2016/17 Q2" in out
    assert "milestone HOSP-01-M1 is forecast for 2016/17 Q2, outside the plan period 2014/15 to 2015/16" in out
