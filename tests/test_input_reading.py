"""Reading cells as people type them, in every supported container.

Workbooks here are written cell by cell with openpyxl (or by hand, for .ods and for
formula cells with a saved result), so that a number typed as text stays text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from conftest import problems_reading
from conftest import write_grid_csv as write_csv
from conftest import write_grid_xlsx as write_xlsx
import planner.workbook as workbook
from planner.workbook import read_scenario

BASE: dict[str, list[list]] = {
    "site": [["key", "value"], ["name", "test"], ["pue", 1.25]],
    "periods": [["period", "hours", "power_mw"], ["P1", 1000, 100], ["P2", 1000, 100]],
    "gpus": [["gpu", "bf16_tflops", "hbm_gb", "hbm_tbps", "it_w", "idle_w"], ["G1", 1000, 80, 3, 1400, 200]],
    "fleet": [["gpu", "period", "installed"], ["G1", "P1", 1000], ["G1", "P2", 1000]],
    "training": [["workload", "params_b", "tokens_b", "mfu", "start_period", "deadline_period", "priority"],
                 ["T1", 100, 10000, 0.5, "P1", "P2", 1]],
    "inference": [["workload", "params_b", "tokens_per_day_b", "priority"], ["S1", 8, 86.4, 1]],
}


def book(**changes: list[list]) -> dict[str, list[list]]:
    sheets = {name: [list(r) for r in rows] for name, rows in BASE.items()}
    sheets.update(changes)
    return sheets


class OdsError(str):
    """A formula cell showing this error, as LibreOffice saves it (``calc`` false: as other writers do)."""

    def __new__(cls, shown: str, calc: bool = True, repeat: int = 1):
        self = super().__new__(cls, shown)
        self.calc, self.repeat = calc, repeat
        return self


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no library needed)."""
    def cell(value) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, OdsError):
            marks = ' calcext:value-type="error"' if value.calc else ""
            return (f'<table:table-cell table:number-columns-repeated="{value.repeat}" table:formula="of:=1/0" '
                    f'office:value-type="string" office:string-value=""{marks}><text:p>{escape(value)}</text:p>'
                    "</table:table-cell>")
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{name}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def with_saved_results(path: Path, results: dict[tuple[str, str], str]) -> Path:
    """Give formula cells written by openpyxl the result a spreadsheet program saves with them
    (openpyxl cannot compute formulas): ``{(sheet, "B2"): "2160"}``; a value starting with '#'
    is saved as an error cell."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    for (sheet, ref), value in results.items():
        part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
        xml = parts[part].decode()
        pattern = re.compile(rf'<c r="{ref}"([^>]*)>(<f>[^<]*</f>)<v\s*/>(</c>)')
        kind = ' t="e"' if value.startswith("#") else ""
        xml, count = pattern.subn(rf'<c r="{ref}"\1{kind}>\2<v>{escape(value)}</v>\3', xml)
        assert count == 1, f"no formula cell {sheet}!{ref} in {part}"
        parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


# ---------------------------------------------------------------------------
# cells as people type them


MESSY = book(
    periods=[
        [None, None, None],  # a blank row above the header
        ["Period", "Hours (h)", "Power MW"],  # headings in another case, with a unit, with a space
        ["  P1 ", "1,000", " 100 MW "],  # trailing spaces, thousands separator, the column's unit
        ["P2", "1 000", "100"],  # a space as thousands separator, a number stored as text
        [None, "", "  "],  # empty trailing rows
        [None, None, None],
    ],
    gpus=[["gpu", "bf16_tflops", "hbm_gb", "hbm_tbps", "it_w", "idle_w"],
          ["G1\u00a0", "1,000 TFLOPS", "80 GB", "3 TB/s", "1,400 W", "200"]],
    fleet=[["gpu", "period", "installed"], ["G1", "P1 ", "1,000"], ["G1", "P2", "1000 GPUs"]],
    training=[["workload", "params_b", "tokens_b", "mfu", "start_period", "deadline_period", "priority"],
              ["T1", "100B", "10,000", "50%", "P1", " P2", "1"]],
)


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods"])
def test_cells_as_people_type_them(tmp_path, fmt):
    writer = {"xlsx": lambda: write_xlsx(tmp_path / "s.xlsx", MESSY), "csv": lambda: write_csv(tmp_path / "s", MESSY),
              "ods": lambda: write_ods(tmp_path / "s.ods", MESSY)}[fmt]
    messy = read_scenario(writer())
    clean = read_scenario(write_xlsx(tmp_path / "clean.xlsx", book()))
    assert messy.warnings == []
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(messy, name), getattr(clean, name), obj=name)
    assert messy.periods["period"].tolist() == ["P1", "P2"]
    assert messy.training.loc[0, "mfu"] == 0.5


def test_spreadsheet_row_numbers_survive_blank_rows_above_the_header(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", book(periods=[[], [], ["period", "hours", "power_mw"], ["P1", "x", 1],
                                                         ["P2", 1, 1]]))
    assert problems_reading(path) == [f"{path}, sheet 'periods', row 4, column 'hours': expected a number in h, found 'x'"]


@pytest.mark.parametrize(
    "sheet, row, column, typed, expected",
    [
        ("periods", 1, "power_mw", "200 MW", 200.0),
        ("periods", 1, "power_mw", "200mw", 200.0),
        ("periods", 1, "hours", "2,184 hours", 2184.0),
        ("gpus", 1, "it_w", "700 W", 700.0),
        ("gpus", 1, "hbm_gb", "141GB", 141.0),
        ("gpus", 1, "hbm_tbps", "4.8 TB/s", 4.8),
        ("training", 1, "params_b", "70 B", 70.0),
        ("training", 1, "tokens_b", "15,000 billion tokens", 15000.0),
        ("training", 1, "mfu", "0.45", 0.45),
        ("training", 1, "mfu", "45 %", 0.45),
        ("inference", 1, "tokens_per_day_b", "86.4 B/day", 86.4),
    ],
)
def test_a_number_may_carry_its_columns_unit(tmp_path, sheet, row, column, typed, expected):
    sheets = book()
    sheets[sheet][row][sheets[sheet][0].index(column)] = typed
    scenario = read_scenario(write_xlsx(tmp_path / "s.xlsx", sheets))
    assert getattr(scenario, sheet).loc[row - 1, column] == pytest.approx(expected)


@pytest.mark.parametrize(
    "sheet, column, typed, message",
    [
        ("periods", "power_mw", "200 kW",
         "expected a number in MW, found '200 kW' (the unit 'kW' is not MW: convert the value to MW)"),
        ("gpus", "it_w", "0.7 kW", "expected a number in W, found '0.7 kW' (the unit 'kW' is not W: convert the "
                                   "value to W)"),
        ("gpus", "hbm_gb", "80 GiB", "expected a number in GB, found '80 GiB' (the unit 'GiB' is not GB: convert the "
                                     "value to GB)"),
        ("training", "params_b", "7000M", "expected a number in billion parameters, found '7000M' (the unit 'M' is "
                                          "not billion parameters: convert the value to billion parameters)"),
        ("periods", "power_mw", "50%", "expected a number in MW, found '50%' (a percentage fits only a fraction or "
                                       "ratio)"),
        ("training", "priority", "3 points", "expected a number in weight, found '3 points' (a plain number, "
                                             "without a unit)"),
        ("periods", "hours", "2,5", "expected a number in h, found '2,5' (use a point for decimals)"),
        ("periods", "hours", "12,34,567", "expected a number in h, found '12,34,567'"),
        ("gpus", "idle_w", "TRUE", None),
    ],
    ids=["kW-for-MW", "kW-for-W", "GiB", "millions", "percent-of-MW", "unit-on-weight", "decimal-comma",
         "odd-grouping", "boolean"],
)
def test_a_different_unit_is_an_error_not_a_silent_misread(tmp_path, sheet, column, typed, message):
    sheets = book()
    position = sheets[sheet][0].index(column)
    sheets[sheet][1][position] = typed if typed != "TRUE" else True
    path = write_xlsx(tmp_path / "s.xlsx", sheets)
    expected = message or "expected a number in W, found 'TRUE'"
    assert problems_reading(path) == [f"{path}, sheet '{sheet}', row 2, column '{column}': {expected}"]


def test_a_date_where_a_number_is_needed(tmp_path):
    import datetime as dt

    sheets = book()
    sheets["fleet"][1][2] = dt.datetime(2026, 1, 2)  # '1/2' typed into a cell becomes a date
    path = write_xlsx(tmp_path / "s.xlsx", sheets)
    assert problems_reading(path) == [
        f"{path}, sheet 'fleet', row 2, column 'installed': expected a number in GPUs, found the date or time "
        "2026-01-02 (the spreadsheet took the entry for a date; format the cell as a number)"
    ]


def test_dates_as_period_names_match_across_sheets(tmp_path):
    import datetime as dt

    q1, q2 = dt.datetime(2026, 1, 1), dt.datetime(2026, 4, 1)
    sheets = book(
        periods=[["period", "hours", "power_mw"], [q1, 1000, 100], [q2, 1000, 100]],
        fleet=[["gpu", "period", "installed"], ["G1", q1, 1000], ["G1", "2026-04-01", 1000]],
    )
    sheets["training"][1][4:6] = [q1, q2]
    scenario = read_scenario(write_xlsx(tmp_path / "s.xlsx", sheets))
    assert scenario.periods["period"].tolist() == ["2026-01-01", "2026-04-01"]
    assert scenario.fleet.loc["G1"].tolist() == [1000.0, 1000.0]


# ---------------------------------------------------------------------------
# formulas


def formula_book(tmp_path: Path) -> Path:
    sheets = book()
    sheets["periods"][1][1] = "=24*90+120"  # 2,280 h
    sheets["periods"][2][2] = "=B3/10"  # 100 MW
    sheets["fleet"][1][2] = "=2*500"
    sheets["site"][2][1] = "=1+0.25"
    return write_xlsx(tmp_path / "f.xlsx", sheets)


def test_formulas_give_their_saved_results(tmp_path):
    path = with_saved_results(formula_book(tmp_path), {("periods", "B2"): "2280", ("periods", "C3"): "100",
                                                        ("fleet", "C2"): "1000", ("site", "B3"): "1.25"})
    scenario = read_scenario(path)
    assert scenario.periods["hours"].tolist() == [2280.0, 1000.0]
    assert scenario.periods["power_mw"].tolist() == [100.0, 100.0]
    assert scenario.fleet.loc["G1", "P1"] == 1000.0
    assert scenario.pue == 1.25


def test_a_formula_without_a_saved_result_is_named(tmp_path):
    """openpyxl writes formulas without results; such a file was never recalculated."""
    path = with_saved_results(formula_book(tmp_path), {("periods", "B2"): "2280", ("periods", "C3"): "100",
                                                        ("site", "B3"): "1.25"})
    assert problems_reading(path) == [
        f"{path}, sheet 'fleet', row 2, column 'installed': the formula '=2*500' has no saved result (the file was "
        "not saved by a spreadsheet program): open it in one, save, and try again"
    ]


def test_a_formula_error_is_named(tmp_path):
    path = with_saved_results(formula_book(tmp_path), {("periods", "B2"): "#DIV/0!", ("periods", "C3"): "100",
                                                        ("fleet", "C2"): "1000", ("site", "B3"): "1.25"})
    assert problems_reading(path) == [
        f"{path}, sheet 'periods', row 2, column 'hours': the cell shows the spreadsheet error '#DIV/0!'; fix the formula"
    ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_formulas_recalculated_by_libreoffice(tmp_path):
    source = formula_book(tmp_path)
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=120)
    scenario = read_scenario(out / "f.xlsx")
    assert scenario.periods["hours"].tolist() == [2280.0, 1000.0]
    assert scenario.fleet.loc["G1", "P1"] == 1000.0
    assert scenario.pue == 1.25


# ---------------------------------------------------------------------------
# containers and engines


def test_both_xlsx_engines_read_the_same(tmp_path, monkeypatch):
    """calamine (the fast path) and openpyxl (used when a sheet holds formulas) agree cell for cell."""
    path = write_xlsx(tmp_path / "s.xlsx", MESSY)
    fast = read_scenario(path)
    monkeypatch.setattr(workbook, "_has_formula_or_error", lambda xml: True)
    slow = read_scenario(path)
    for name in ("periods", "gpus", "fleet", "training", "inference", "throughput"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), obj=name)
    assert fast.pue == slow.pue and fast.name == slow.name


def test_csv_with_bom_semicolons_and_windows_encoding(tmp_path):
    sheets = book(site=[["key", "value"], ["name", "Zürich Süd"], ["pue", "1.25"]])
    utf8 = read_scenario(write_csv(tmp_path / "a", sheets, encoding="utf-8-sig", sep=";"))
    windows = read_scenario(write_csv(tmp_path / "b", sheets, encoding="cp1252", sep="\t"))
    assert utf8.name == windows.name == "Zürich Süd"
    assert utf8.periods["hours"].tolist() == windows.periods["hours"].tolist() == [1000.0, 1000.0]


def test_csv_folder_with_a_binary_file(tmp_path):
    folder = write_csv(tmp_path / "s", book())
    (folder / "fleet.csv").write_bytes(b"\x00\x01\x02binary")
    assert problems_reading(folder) == [f"{folder / 'fleet.csv'}: cannot read as CSV (a binary file, not text)"]


def test_ods_reads_like_xlsx(tmp_path):
    ods = read_scenario(write_ods(tmp_path / "s.ods", book()))
    xlsx = read_scenario(write_xlsx(tmp_path / "s.xlsx", book()))
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(ods, name), getattr(xlsx, name), obj=name)


def test_ods_problem_names_its_sheet_row_and_column(tmp_path):
    sheets = book()
    sheets["gpus"][1][2] = "lots"
    path = write_ods(tmp_path / "s.ods", sheets)
    assert problems_reading(path) == [f"{path}, sheet 'gpus', row 2, column 'hbm_gb': expected a number in GB, found 'lots'"]


def test_ods_error_cells_are_named_not_read_as_blank(tmp_path):
    """calamine reads an error cell as blank, which would let a default stand in for a broken formula."""
    sheets = book()
    sheets["periods"][1][1:] = [OdsError("#DIV/0!", repeat=2)]  # hours and power_mw, one repeated cell
    sheets["gpus"][1][2] = OdsError("#N/A", calc=False)
    path = write_ods(tmp_path / "s.ods", sheets)
    error = "the cell shows the spreadsheet error '{}'; fix the formula"
    assert sorted(problems_reading(path)) == sorted([
        f"{path}, sheet 'periods', row 2, column 'hours': {error.format('#DIV/0!')}",
        f"{path}, sheet 'periods', row 2, column 'power_mw': {error.format('#DIV/0!')}",
        f"{path}, sheet 'gpus', row 2, column 'hbm_gb': {error.format('#N/A')}",
    ])


def test_two_sheets_with_the_same_name_but_for_case(tmp_path):
    sheets = book()
    sheets["Periods "] = sheets["periods"]
    path = write_xlsx(tmp_path / "s.xlsx", sheets)
    assert problems_reading(path) == [f"{path}: two sheets are named 'periods' (case and spaces aside); keep one"]


def test_a_number_too_large_for_a_float_is_refused(tmp_path):
    sheets = book()
    sheets["periods"][1][2] = "1e309"
    path = write_xlsx(tmp_path / "s.xlsx", sheets)
    assert problems_reading(path) == [f"{path}, sheet 'periods', row 2, column 'power_mw': expected a number in MW, "
                                 "found '1e309'"]
