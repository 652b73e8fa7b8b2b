"""Reading a valid scenario, and cells as people type them, in every supported container.

What a valid scenario reads to (defaults, optional columns and sheets) is checked on
workbooks written by the project's own writer. For cells as people type them, workbooks
are written cell by cell with openpyxl (or by hand, for .ods and for formula cells with a
saved result), so that a number typed as text stays text.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, problems_reading
from conftest import gpu_row, inference_row, place, problems_of, scenario_tables, training_row, write_scenario
from conftest import write_grid_csv as write_csv
from conftest import write_grid_xlsx as write_xlsx
import planner.workbook as workbook
from planner.schema import SHEETS_BY_NAME
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


class OdsSpan(str):
    """Text in a cell merged with the ``rows - 1`` cells below it, as LibreOffice saves it; the cells it covers
    are given as :data:`COVERED`."""

    def __new__(cls, text: str, rows: int):
        self = super().__new__(cls, text)
        self.rows = rows
        return self


COVERED = object()  # an .ods cell covered by a merged cell above it


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand (no library needed)."""
    def cell(value) -> str:
        if value is None:
            return "<table:table-cell/>"
        if value is COVERED:
            return "<table:covered-table-cell/>"
        if isinstance(value, OdsSpan):
            return (f'<table:table-cell table:number-rows-spanned="{value.rows}" table:number-columns-spanned="1" '
                    f'office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>')
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


def _xlsb_record(kind: int, body: bytes = b"") -> bytes:
    """One .xlsb record: its type and size, seven bits a byte, then its body."""
    head = bytes([kind]) if kind < 0x80 else bytes([0x80 | (kind & 0x7F), kind >> 7])
    size, length = len(body), b""
    while True:
        length += bytes([(size & 0x7F) | (0x80 if size > 0x7F else 0)])
        size >>= 7
        if not size:
            return head + length + body


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def write_xlsb(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal binary workbook (MS-XLSB), written by hand (no library writes one): numbers as
    BrtCellReal, text as BrtCellSt, blanks left out."""
    def sheet(rows: list[list]) -> bytes:
        cells = b""
        for r, row in enumerate(rows):
            if not any(value is not None for value in row):
                continue
            cells += _xlsb_record(0x00, struct.pack("<IIHBBB", r, 0, 300, 0, 0, 0))  # BrtRowHdr
            for c, value in enumerate(row):
                if isinstance(value, (int, float)):
                    cells += _xlsb_record(0x05, struct.pack("<IId", c, 0, value))
                elif value is not None:
                    cells += _xlsb_record(0x06, struct.pack("<II", c, 0) + _wide(str(value)))
        return (_xlsb_record(0x81) + _xlsb_record(0x94, bytes(16)) + _xlsb_record(0x91) + cells
                + _xlsb_record(0x92) + _xlsb_record(0x82))

    bundles = b"".join(_xlsb_record(0x9C, struct.pack("<II", 0, i + 1) + _wide(f"rId{i + 1}") + _wide(name))
                       for i, name in enumerate(sheets))
    relations = "".join(f'<Relationship Id="rId{i + 1}" Target="worksheets/sheet{i + 1}.bin"/>'
                        for i in range(len(sheets)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.bin", _xlsb_record(0x8F) + bundles + _xlsb_record(0x90) + _xlsb_record(0x9D))
        archive.writestr("xl/_rels/workbook.bin.rels",
                         f'<?xml version="1.0"?><Relationships>{relations}</Relationships>')
        for i, rows in enumerate(sheets.values()):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.bin", sheet(rows))
    return path


def with_parts(path: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """``path`` (a zip-based workbook) rewritten with its parts (name: bytes) as ``change`` leaves them, each
    part kept as it was compressed, new ones deflated."""
    with zipfile.ZipFile(path) as archive:
        compression = {info.filename: info.compress_type for info in archive.infolist()}
        parts = {name: archive.read(name) for name in compression}
    change(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data, compress_type=compression.get(name, zipfile.ZIP_DEFLATED))
    return path


def with_saved_results(path: Path, results: dict[tuple[str, str], str]) -> Path:
    """Give formula cells written by openpyxl the result a spreadsheet program saves with them
    (openpyxl cannot compute formulas): ``{(sheet, "B2"): "2160"}``; a value starting with '#'
    is saved as an error cell, and "" as the empty text, as Excel and LibreOffice save =IF(A2="","",...)."""
    names = openpyxl.load_workbook(path, read_only=True).sheetnames

    def save(parts: dict[str, bytes]) -> None:
        for (sheet, ref), value in results.items():
            part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
            xml = parts[part].decode()
            pattern = re.compile(rf'<c r="{ref}"([^>]*)>(<f>[^<]*</f>)<v\s*/>(</c>)')
            kind = ' t="e"' if value.startswith("#") else ' t="str"' if value == "" else ""
            xml, count = pattern.subn(rf'<c r="{ref}"\1{kind}>\2<v>{escape(value)}</v>\3', xml)
            assert count == 1, f"no formula cell {sheet}!{ref} in {part}"
            parts[part] = xml.encode()

    return with_parts(path, save)


# ---------------------------------------------------------------------------
# a valid scenario, written with the project's own writer


def test_valid_scenario_reads(target):
    tables = scenario_tables(
        name="Site A", pue=1.3,
        periods=[("2026Q1", 2160.0, 50.0), ("2026Q2", 2184.0, 80.0)],
        fleet=[("G1", "2026Q1", 100.0), ("G1", "2026Q2", 300.0)],
        training=[training_row("T", start="2026Q1", deadline="2026Q2")],
        inference=[inference_row("S", start="2026Q2")],
    )
    scenario = read_scenario(write_scenario(tables, target))
    assert scenario.name == "Site A"
    assert scenario.pue == 1.3
    assert scenario.periods["period"].tolist() == ["2026Q1", "2026Q2"]
    assert scenario.periods["hours"].tolist() == [2160.0, 2184.0]
    assert scenario.fleet.loc["G1"].tolist() == [100.0, 300.0]
    assert scenario.training.loc[0, "active_params_b"] == 100.0  # defaults to params_b
    assert scenario.training.loc[0, "mfu"] == 0.5
    assert scenario.inference.loc[0, "start_period"] == "2026Q2"
    assert scenario.warnings == []


def test_optional_columns_take_their_defaults(tmp_path):
    """Every optional column left blank takes the default the schema states (idle_w -> 0,
    peak_factor -> 1, ...); a blank inference start_period means the first period."""
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
        gpus=[{"gpu": "G1", "bf16_tflops": 1000.0, "hbm_gb": 80.0, "hbm_tbps": 3.0, "it_w": 1400.0}],
        training=[{"workload": "T", "params_b": 70.0, "tokens_b": 100.0, "start_period": "P1",
                   "deadline_period": "P2", "priority": 1.0}],
        inference=[{"workload": "S", "params_b": 8.0, "tokens_per_day_b": 1.0, "priority": 1.0}],
    )
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    checked = 0
    for sheet, frame in (("gpus", scenario.gpus), ("training", scenario.training), ("inference", scenario.inference)):
        for column in SHEETS_BY_NAME[sheet].columns:
            if column.required or column.default is None or column.name not in frame:
                continue
            assert frame.loc[0, column.name] == column.default, (sheet, column.name)
            checked += 1
    assert checked >= 3  # at least idle_w, peak_factor and a training default
    assert scenario.gpus.loc[0, "idle_w"] == 0.0
    assert scenario.inference.loc[0, "peak_factor"] == 1.0
    assert scenario.inference.loc[0, "start_period"] == "P1"
    assert scenario.training.loc[0, "active_params_b"] == 70.0  # defaults to params_b
    assert scenario.inference.loc[0, "active_params_b"] == 8.0


def test_optional_columns_may_be_left_out(tmp_path):
    """A sheet without its optional columns reads like one with them blank."""
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
                             training=[training_row("T", deadline="P2")], inference=[inference_row("S")])
    for sheet in ("gpus", "training", "inference"):
        optional = [c.name for c in SHEETS_BY_NAME[sheet].columns if not c.required]
        blank = [c for c in optional if tables[sheet][c].isna().all()]
        tables[sheet] = tables[sheet].drop(columns=blank)
    with_blanks = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
                                  training=[training_row("T", deadline="P2")], inference=[inference_row("S")])
    short = read_scenario(write_scenario(tables, tmp_path / "short.xlsx"))
    full = read_scenario(write_scenario(with_blanks, tmp_path / "full.xlsx"))
    for attribute in ("gpus", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(short, attribute), getattr(full, attribute), check_dtype=False,
                                      check_like=True, obj=attribute)


def test_optional_start_period_blank_in_some_rows(target):
    """Under pandas 3 a blank among strings reads as NaN, not None; an earlier reader crashed
    on it with a TypeError from difflib."""
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)],
        training=[],
        inference=[inference_row("early"), inference_row("late", start="P2")],
    )
    scenario = read_scenario(write_scenario(tables, target))
    assert scenario.inference.set_index("workload")["start_period"].to_dict() == {"early": "P1", "late": "P2"}


def test_missing_optional_sheet_is_fine(tmp_path):
    tables = scenario_tables()
    assert "throughput" not in tables
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.throughput.empty
    assert list(scenario.throughput.columns) == [c.name for c in SHEETS_BY_NAME["throughput"].columns]


def test_fleet_not_listed_is_zero(tmp_path):
    tables = scenario_tables(periods=[("P1", 100.0, 10.0), ("P2", 100.0, 10.0)], fleet=[("G1", "P2", 7.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.fleet.loc["G1", "P1"] == 0.0
    assert scenario.fleet.loc["G1", "P2"] == 7.0


def test_headers_are_case_and_space_insensitive(tmp_path):
    tables = scenario_tables()
    tables["periods"] = tables["periods"].rename(columns={"hours": " Hours ", "power_mw": "POWER_MW"})
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.periods.loc[0, "hours"] == 1000.0
    assert scenario.periods.loc[0, "power_mw"] == 100.0


def test_percent_and_thousands_separators_parse(tmp_path):
    """'40%' -> 0.4, '1,200' -> 1200, ' 2,184.5 ' -> 2184.5, '1e3' -> 1000."""
    tables = scenario_tables(fleet=[("G1", "P1", "1,200")], training=[training_row(mfu="40%")])
    tables["periods"] = pd.DataFrame({"period": ["P1"], "hours": [" 2,184.5 "], "power_mw": ["1e3"]})
    scenario = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    assert scenario.training.loc[0, "mfu"] == pytest.approx(0.4)
    assert scenario.fleet.loc["G1", "P1"] == 1200.0
    assert scenario.periods.loc[0, "hours"] == 2184.5
    assert scenario.periods.loc[0, "power_mw"] == 1000.0
    assert scenario.periods["hours"].dtype == float


def test_swiss_thousands_read(tmp_path):
    """Swiss German groups thousands with an apostrophe, typeset as a right single quote: '2’160' was refused."""
    tables = scenario_tables(fleet=[("G1", "P1", "2’160")])
    tables["periods"] = pd.DataFrame({"period": ["P1"], "hours": ["2'184.5"], "power_mw": ["1’000 MW"]})
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    assert scenario.fleet.loc["G1", "P1"] == 2160.0
    assert scenario.periods.loc[0, ["hours", "power_mw"]].tolist() == [2184.5, 1000.0]


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


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods", "xlsb"])
def test_cells_as_people_type_them(tmp_path, fmt):
    writer = {"xlsx": lambda: write_xlsx(tmp_path / "s.xlsx", MESSY), "csv": lambda: write_csv(tmp_path / "s", MESSY),
              "ods": lambda: write_ods(tmp_path / "s.ods", MESSY),
              "xlsb": lambda: write_xlsb(tmp_path / "s.xlsb", MESSY)}[fmt]
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
    assert problems_reading(path) == [
        f"{path}, sheet 'periods', row 4, column 'hours': expected a number in h, found 'x'"
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_title_rows_above_the_header_are_left_out(tmp_path, fmt):
    """A title, a note and a date above the headings, as planning workbooks carry them, were taken for
    the header: every required column was reported missing. The header is the row holding the sheet's
    headings; rows keep their spreadsheet numbers."""
    titled = {name: [[f"{name.title()}: Sovereign plan v3"], ["Prepared by the capacity team", None, "2025-11-01"],
                     [], *rows] for name, rows in book().items()}
    titled["periods"][4][1] = "x"
    path = write_xlsx(tmp_path / "s.xlsx", titled) if fmt == "xlsx" else write_csv(tmp_path / "s", titled)
    assert problems_reading(path) == [place(path, "periods", 5, "hours") + "expected a number in h, found 'x'"]
    titled["periods"][4][1] = 1000
    clean = read_scenario(write_xlsx(tmp_path / "clean.xlsx", book()))
    path = write_xlsx(tmp_path / "t.xlsx", titled) if fmt == "xlsx" else write_csv(tmp_path / "t", titled)
    scenario = read_scenario(path)
    assert scenario.warnings == []
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(scenario, name), getattr(clean, name), obj=name)


def test_blank_rows_are_skipped_and_rows_keep_spreadsheet_numbers(tmp_path):
    """A blank row 3 is skipped; the bad value on row 4 is reported as row 4."""
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), (None, None, None), ("P2", "lots", 10.0)],
        fleet=[("G1", "P1", 5.0)],
    )
    path = tmp_path / "s.xlsx"
    assert problems_of(tables, path) == [place(path, "periods", 4, "hours") + "expected a number in h, found 'lots'"]


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
        ("training", 1, "tokens_b", "15,000 billions", 15000.0),
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
         "expected a number in MW, found '200 kW' (the unit 'kW' is not MW: 200 kW is 0.2 MW)"),
        ("gpus", "it_w", "1.8 kW", "expected a number in W, found '1.8 kW' (the unit 'kW' is not W: 1.8 kW is 1800 W)"),
        ("periods", "power_mw", "1,234,567 W", "expected a number in MW, found '1,234,567 W' (the unit 'W' is not MW: "
                                               "1,234,567 W is 1.234567 MW)"),
        ("gpus", "bf16_tflops", "8.05 PFLOPS", "expected a number in TFLOP/s, found '8.05 PFLOPS' (the unit 'PFLOPS' is "
                                               "not TFLOP/s: 8.05 PFLOPS is 8050 TFLOP/s)"),  # not 8050.000000000001
        ("gpus", "hbm_gb", "80 GiB", "expected a number in GB, found '80 GiB' (the unit 'GiB' is not GB: convert the "
                                     "value to GB)"),
        ("training", "params_b", "7000M", "expected a number in billion parameters, found '7000M' (the unit 'M' is "
                                          "not billion parameters: 7000 M is 7 billion parameters)"),
        ("training", "params_b", "1.23456789 T params", "expected a number in billion parameters, found '1.23456789 T "
                                                        "params' (the unit 'T params' is not billion parameters: "
                                                        "1.23456789 T params is 1234.56789 billion parameters)"),
        ("training", "tokens_b", "40T tokens", "expected a number in billion tokens, found '40T tokens' (the unit "
                                               "'T tokens' is not billion tokens: 40 T tokens is 40000 billion tokens)"),
        ("inference", "tokens_per_day_b", "500M", "expected a number in billion tokens/day, found '500M' (the unit 'M' "
                                                  "is not billion tokens/day: 500 M is 0.5 billion tokens/day)"),
        ("periods", "power_mw", "50%", "expected a number in MW, found '50%' (a percentage fits only a fraction or "
                                       "ratio)"),
        ("training", "priority", "3 points", "expected a number in weight, found '3 points' (a plain number, "
                                             "without a unit)"),
        ("periods", "hours", "2,5", "expected a number in h, found '2,5' (use a point for decimals)"),
        ("periods", "hours", "12,34,567", "expected a number in h, found '12,34,567'"),
        ("gpus", "hbm_tbps", "0,864", "expected a number in TB/s, found '0,864' (use a point for decimals)"),
        ("gpus", "idle_w", "TRUE", None),
    ],
    ids=["kW-for-MW", "kW-for-W", "W-for-MW", "PFLOPS", "GiB", "millions", "trillions-of-parameters", "trillions-of-tokens",
         "millions-a-day", "percent-of-MW", "unit-on-weight", "decimal-comma",
         "odd-grouping", "decimal-comma-of-three-digits", "boolean"],
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


def test_a_date_given_as_its_serial_number_is_named_as_that_date(tmp_path):
    """A fleet cell formatted as a number shows 2026-04-01 as 46113, which was refused as "unknown period '46113'"
    with no word of the date it is."""
    import datetime as dt

    q1, q2 = dt.datetime(2026, 1, 1), dt.datetime(2026, 4, 1)
    sheets = book(periods=[["period", "hours", "power_mw"], [q1, 1000, 100], [q2, 1000, 100]],
                  fleet=[["gpu", "period", "installed"], ["G1", q1, 1000], ["G1", 46113, 1000]])
    sheets["training"][1][4:6] = [q1, q2]
    path = write_xlsx(tmp_path / "s.xlsx", sheets)
    assert problems_reading(path) == [
        f"{path}, sheet 'fleet', row 3, column 'period': unknown period '46113' (it is 2026-04-01 as a spreadsheet "
        "counts days: format the cell as a date, as the periods sheet's are)"]


# ---------------------------------------------------------------------------
# formulas


def formula_book(tmp_path: Path) -> Path:
    sheets = book()
    sheets["periods"][1][1] = "=24*90+120"  # 2,280 h
    sheets["periods"][2][2] = "=B3/10"  # 100 MW
    sheets["fleet"][1][2] = "=2*500"
    sheets["site"][2][1] = "=1+0.25"
    return write_xlsx(tmp_path / "f.xlsx", sheets)


@pytest.mark.parametrize("stored", ["NaN", "nan"])
def test_a_number_stored_as_nan_is_refused_not_read_as_a_blank(tmp_path, stored):
    """No spreadsheet program writes NaN, but a file may store it: read as a blank cell, an idle_w of NaN took the
    default 0 in silence, and the plan changed; where a name belongs, it is no name 'nan' either."""
    sheets = book(gpus=[BASE["gpus"][0], ["G1", 1000, 80, 3, 1400, 123456]])
    path = rewrite_parts(write_xlsx(tmp_path / "s.xlsx", sheets), "xl/worksheets/sheet3.xml",
                         lambda xml: xml.replace(b"<v>123456</v>", f"<v>{stored}</v>".encode()))
    assert problems_reading(path) == [f"{place(path, 'gpus', 2, 'idle_w')}expected a number in W, found 'nan'"]
    path = rewrite_parts(write_xlsx(tmp_path / "name.xlsx", sheets), "xl/worksheets/sheet3.xml",
                         lambda xml: xml.replace(b'<c r="A2" t="inlineStr"><is><t>G1</t></is></c>',
                                                 f'<c r="A2" t="n"><v>{stored}</v></c>'.encode()))
    assert problems_reading(path)[0] == f"{place(path, 'gpus', 2, 'gpu')}expected text, found the number nan"


def test_formulas_give_their_saved_results(tmp_path):
    path = with_saved_results(formula_book(tmp_path), {("periods", "B2"): "2280", ("periods", "C3"): "100",
                                                        ("fleet", "C2"): "1000", ("site", "B3"): "1.25"})
    scenario = read_scenario(path)
    assert scenario.periods["hours"].tolist() == [2280.0, 1000.0]
    assert scenario.periods["power_mw"].tolist() == [100.0, 100.0]
    assert scenario.fleet.loc["G1", "P1"] == 1000.0
    assert scenario.pue == 1.25


def test_a_stale_declared_extent_does_not_hide_rows(tmp_path):
    """A sheet's <dimension> is a writer's claim; read-only openpyxl (the path for workbooks with
    formulas) would stop at it, silently dropping the rows below."""
    saved = {("periods", "B2"): "2280", ("periods", "C3"): "100", ("fleet", "C2"): "1000", ("site", "B3"): "1.25"}
    whole = read_scenario(with_saved_results(formula_book(tmp_path), saved))
    path = rewrite_parts(tmp_path / "f.xlsx", "xl/worksheets/",
                         lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:B1"/>', xml))
    assert b'<dimension ref="A1:B1"/>' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    stale = read_scenario(path)
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(stale, name), getattr(whole, name), obj=name)
    assert len(stale.training) > 0 and stale.pue == 1.25


def test_a_formula_without_a_saved_result_is_named(tmp_path):
    """openpyxl writes formulas without results; such a file was never recalculated."""
    path = with_saved_results(formula_book(tmp_path), {("periods", "B2"): "2280", ("periods", "C3"): "100",
                                                        ("site", "B3"): "1.25"})
    assert problems_reading(path) == [
        f"{path}, sheet 'fleet', row 2, column 'installed': the formula '=2*500' has no saved result (the file was "
        "not saved by a spreadsheet program): open it in one, save, and try again"
    ]


def test_a_formula_whose_saved_result_is_empty_text_reads_as_a_blank(tmp_path):
    """=IF(A3="","",...) beside a blank cell saves the empty text as its result, which openpyxl reads as it reads
    no result at all: such cells were refused as formulas never calculated, and a row blank but for them named
    every required blank in it. They are blanks: an optional cell takes its default, and the row is no row."""
    sheets = book()
    sheets["training"][0].append("check")  # a helper column, which the planner ignores
    sheets["training"][1].append('=IF(A2="","",B2*2)')
    sheets["training"].append([None] * 7 + ['=IF(A3="","",B3*2)'])
    sheets["training"][1][3] = '=IF(TRUE,"",0.5)'  # mfu
    path = with_saved_results(write_xlsx(tmp_path / "f.xlsx", sheets),
                              {("training", "H2"): "200", ("training", "H3"): "", ("training", "D2"): ""})
    plain = book()
    plain["training"][1][3] = None
    expected = read_scenario(write_xlsx(tmp_path / "plain.xlsx", plain))
    pd.testing.assert_frame_equal(read_scenario(path).training, expected.training)


def test_a_formula_saved_as_0_by_a_writer_that_leaves_it_to_be_calculated_is_warned_of(tmp_path):
    """xlsxwriter saves 0 as the result of a formula it is given none for, and asks the spreadsheet to
    recalculate every formula on opening; the planner read that 0 in silence (8,000 GPUs installed
    through a formula planned as none). A saved 0 is still read, but with a warning naming the cells,
    and only where the workbook asks to be recalculated."""
    saved = {("periods", "B2"): "2280", ("periods", "C3"): "100", ("fleet", "C2"): "0", ("site", "B3"): "1.25"}
    path = with_saved_results(formula_book(tmp_path), saved)
    assert b'fullCalcOnLoad="1"' in zipfile.ZipFile(path).read("xl/workbook.xml")
    scenario = read_scenario(path)
    assert scenario.fleet.loc["G1", "P1"] == 0.0
    assert scenario.warnings[0] == (
        f"{path}, sheet 'fleet', column 'installed': the formula in row 2 (first '=2*500') read as 0, the result the "
        "program that wrote the file saved without calculating it (the workbook asks to be recalculated when "
        "opened); if 0 is not the value, open the file in a spreadsheet program, save it, and try again")
    calculated = rewrite_parts(path, "xl/workbook.xml", lambda xml: xml.replace(b' fullCalcOnLoad="1"', b""))
    assert not any("read as 0" in warning for warning in read_scenario(calculated).warnings)


def test_a_formula_saved_as_0_that_breaks_a_bound_is_explained_with_the_refusal(tmp_path):
    """hours written '=90*24' by such a writer: refused as 'must be > 0, found 0' alone, the warning of why it is 0
    (the user sees 2,160 in a spreadsheet) dropped with the other warnings."""
    saved = {("periods", "B2"): "0", ("periods", "C3"): "100", ("fleet", "C2"): "1000", ("site", "B3"): "1.25"}
    path = with_saved_results(formula_book(tmp_path), saved)
    assert problems_reading(path) == [
        f"{path}, sheet 'periods', row 2, column 'hours': must be > 0, found 0",
        f"{path}, sheet 'periods', column 'hours': the formula in row 2 (first '=24*90+120') read as 0, the result "
        "the program that wrote the file saved without calculating it (the workbook asks to be recalculated when "
        "opened); if 0 is not the value, open the file in a spreadsheet program, save it, and try again"]


def test_a_formula_error_is_named(tmp_path):
    path = with_saved_results(formula_book(tmp_path), {("periods", "B2"): "#DIV/0!", ("periods", "C3"): "100",
                                                        ("fleet", "C2"): "1000", ("site", "B3"): "1.25"})
    assert problems_reading(path) == [
        f"{path}, sheet 'periods', row 2, column 'hours': the cell shows the spreadsheet error '#DIV/0!'; "
        "fix the formula"
    ]


def test_formula_and_error_cells_without_references_are_named_at_their_cells(tmp_path):
    """The format lets a writer leave out a row's number and a cell's reference where they follow the row or cell
    before: a formula without a saved result and an error are named at their cells all the same."""
    saved = {("periods", "B2"): "2280", ("periods", "C3"): "#N/A", ("site", "B3"): "1.25"}
    path = copy_without_references(with_saved_results(formula_book(tmp_path), saved))
    assert b' r="' not in zipfile.ZipFile(path).read(f"xl/worksheets/sheet{list(BASE).index('periods') + 1}.xml")
    assert problems_reading(path) == [
        f"{path}, sheet 'periods', row 3, column 'power_mw': the cell shows the spreadsheet error '#N/A'; "
        "fix the formula",
        f"{path}, sheet 'fleet', row 2, column 'installed': the formula '=2*500' has no saved result (the file was "
        "not saved by a spreadsheet program): open it in one, save, and try again"]


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


def test_csv_folder_reads_the_same_scenario_as_xlsx(tmp_path):
    tables = scenario_tables(
        name="same", pue=1.2,
        periods=[("2026Q1", 2160.0, 50.0), ("2026Q2", 2184.0, 80.5)],
        gpus=[gpu_row("H100", 989.0, 80.0, 3.35, 1400.0, 250.0), gpu_row("B200", 2250.0, 192.0, 8.0, 1900.0, 300.0)],
        fleet=[("H100", "2026Q1", 1000.0), ("B200", "2026Q2", 512.0)],
        training=[training_row("llm", params_b=70.0, tokens_b=15000.0, mfu=0.35, start="2026Q1", deadline="2026Q2")],
        inference=[inference_row("chat", params_b=70.0, start="2026Q2", peak_factor=2.0),
                   inference_row("moe", params_b=671.0, active_params_b=37.0, start="2026Q1")],
        throughput=[("chat", "H100", 1500.0)],
    )
    xlsx = read_scenario(write_scenario(tables, tmp_path / "s.xlsx"))
    csv = read_scenario(write_scenario(tables, tmp_path / "s_csv"))
    assert (xlsx.name, xlsx.pue) == (csv.name, csv.pue)
    for attribute in ("periods", "gpus", "fleet", "training", "inference", "throughput"):
        pd.testing.assert_frame_equal(getattr(xlsx, attribute), getattr(csv, attribute), check_dtype=False,
                                      obj=attribute)
    assert xlsx.warnings == csv.warnings == []


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


def test_a_semicolon_separated_csv_reads_the_comma_as_the_decimal_separator(tmp_path):
    """As spreadsheets write CSV where the comma is the decimal separator (semicolons between
    fields, a BOM, CRLF): decimal commas, points grouping thousands, units and percentages read
    as the same numbers; in a comma-separated file a comma before three digits groups thousands."""
    european = book(
        site=[["key", "value"], ["name", "test"], ["pue", "1,25"]],
        periods=[["period", "hours", "power_mw"], ["P1", "1.000,0", "100 MW"], ["P2", "1000", "1,0e2"]],
        training=[["workload", "params_b", "tokens_b", "mfu", "start_period", "deadline_period", "priority"],
                  ["T1", "100", "10.000,00", "50,0%", "P1", "P2", "1"]],
        inference=[["workload", "params_b", "tokens_per_day_b", "priority"], ["S1", "8", "86,4", "1"]],
    )
    folder = write_csv(tmp_path / "eu", european, encoding="utf-8-sig", sep=";")
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    read, clean = read_scenario(folder), read_scenario(write_xlsx(tmp_path / "clean.xlsx", book()))
    assert read.warnings == [] and read.pue == clean.pue == 1.25
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(clean, name), obj=name)

    def pue_folder(cell: str, sheets: dict) -> Path:
        sheets = {**sheets, "site": [["key", "value"], ["name", "test"], ["pue", cell]]}
        return write_csv(tmp_path / f"pue{len(list(tmp_path.iterdir()))}", sheets, sep=";")

    assert read_scenario(pue_folder("1,375", european)).pue == 1.375
    # a semicolon chosen where the point marks decimals, as its other numbers show ('0.5', '86.4'): '1,375' may be
    # a thousand and more, and is refused as either, not read as 1.375
    points = pue_folder("1,375", book())
    assert problems_reading(points) == [
        f"{points / 'site.csv'}, row 3, column 'value': expected a number in ratio, found '1,375' (the file does not "
        "make clear whether its comma groups thousands or marks decimals: write 1375 for thousands, or 1.375 for a "
        "decimal)"]
    grouped = book(periods=[["period", "hours", "power_mw"], ["P1", "1,000", 100], ["P2", 1000, 100]])
    assert read_scenario(write_csv(tmp_path / "us", grouped, sep=",")).periods["hours"].tolist() == [1000.0] * 2


def test_a_point_before_three_digits_is_refused_where_the_comma_is_the_decimal_separator(tmp_path):
    """'1.200' in a semicolon-separated file whose other numbers are written '1,5' could be 1200 or 1.2: refused,
    saying both."""
    sheets = book(periods=[["period", "hours", "power_mw"], ["P1", "1.200", 100], ["P2", "1,5", 100]])
    folder = write_csv(tmp_path / "eu", sheets, sep=";")
    assert problems_reading(folder) == [
        f"{folder / 'periods.csv'}, row 2, column 'hours': expected a number in h, found '1.200' (in a file whose "
        "decimal separator is the comma, a point could group thousands or mark decimals: write 1200 for thousands, "
        "or 1,2 for a decimal)"]


@pytest.mark.parametrize("other, hours", [("2,5", 4.431), ("2.5", 4431.0), (None, None)],
                         ids=["decimal-comma-elsewhere", "decimal-point-elsewhere", "nothing-shows"])
def test_a_tab_separated_csv_reads_its_comma_as_its_other_numbers_show(tmp_path, other, hours):
    """A tab-separated export may come from either convention: '4,431' is 4.431 where another number
    is written '2,5', 4431 where one is written '2.5', and refused where nothing shows which."""
    inference = [["workload", "params_b", "tokens_per_day_b", "priority"], ["S1", "8", other or "86", "1"]]
    sheets = book(periods=[["period", "hours", "power_mw"], ["P1", "4,431", 100], ["P2", 1000, 100]],
                  inference=inference)
    folder = write_csv(tmp_path / "tab", sheets, sep=",")
    as_tab_separated(folder, "periods", "inference")  # these two exported tab-separated, the convention unknown
    if hours is None:
        assert problems_reading(folder) == [
            f"{folder / 'periods.csv'}, row 2, column 'hours': expected a number in h, found '4,431' (the file "
            "does not make clear whether its comma groups thousands or marks decimals: write 4431 for thousands, or "
            "4.431 for a decimal)"]
    else:
        assert read_scenario(folder).periods["hours"].tolist() == [hours, 1000.0]


def as_tab_separated(folder: Path, *names: str) -> None:
    """Write sheets of a comma-separated folder again with tabs between fields, as pasted from a spreadsheet."""
    for name in names:
        path = folder / f"{name}.csv"
        path.write_text("".join("\t".join(row) + "\n" for row in csv.reader(io.StringIO(path.read_text()))))


def test_a_point_before_three_digits_is_refused_where_a_tab_separated_file_shows_no_convention(tmp_path):
    """'8.000' in a tab-separated file whose numbers show neither convention could be 8,000 GPUs or 8: it was read
    as 8. Refused as '4,431' is; where another number ('86.4') shows the decimal point, it is 1.2."""
    sheets = book(periods=[["period", "hours", "power_mw"], ["P1", "1.200", 100], ["P2", 1000, 100]],
                  inference=[["workload", "params_b", "tokens_per_day_b", "priority"], ["S1", "8", "86", "1"]])
    folder = write_csv(tmp_path / "tab", sheets)
    as_tab_separated(folder, "periods", "inference")  # these two exported tab-separated, the convention unknown
    assert problems_reading(folder) == [
        f"{folder / 'periods.csv'}, row 2, column 'hours': expected a number in h, found '1.200' (the file does not "
        "make clear whether its point groups thousands or marks decimals: write 1200 for thousands, or 1.2 for a "
        "decimal)"]
    sheets["inference"][1][2] = "86.4"
    folder = write_csv(tmp_path / "shown", sheets)
    as_tab_separated(folder, "periods", "inference")
    assert read_scenario(folder).periods["hours"].tolist() == [1.2, 1000.0]


def test_names_and_notes_do_not_tell_a_files_decimal_separator(tmp_path):
    """A note '1.5x last year' in a column the planner ignores, or a name '2.5-turbo', voted for the decimal point:
    a tab-separated folder's '4,431' was then read as 4431, where only numbers can tell the convention."""
    sheets = book(periods=[["period", "hours", "power_mw"], ["P1", "4,431", 100], ["P2", 1000, 100]],
                  training=[BASE["training"][0] + ["notes"], ["T1", 100, 10000, 1, "P1", "P2", 1, "1.5x last year"]],
                  inference=[["workload", "params_b", "tokens_per_day_b", "priority"], ["2.5-turbo", "8", "86", "1"]])
    folder = write_csv(tmp_path / "tab", sheets)
    as_tab_separated(folder, "periods", "training", "inference")
    assert [p for p in problems_reading(folder) if "4,431" in p] == [
        f"{folder / 'periods.csv'}, row 2, column 'hours': expected a number in h, found '4,431' (the file does not "
        "make clear whether its comma groups thousands or marks decimals: write 4431 for thousands, or 4.431 for a "
        "decimal)"]
    sheets["inference"][1][2] = "86,4 billion tokens/day"  # a number with its unit does tell
    folder = write_csv(tmp_path / "shown", sheets)
    as_tab_separated(folder, "periods", "training", "inference")
    assert read_scenario(folder).periods["hours"].tolist() == [4.431, 1000.0]


def test_a_comma_separated_file_showing_the_decimal_comma_refuses_a_point_before_three_digits(tmp_path):
    """Quoted decimal commas ('"0,5"') in a comma-separated file, as a spreadsheet in such a locale exports it: its
    '8.000' may be 8,000, but was read as 8 in silence beside the refused '0,5' (and then after the user wrote
    0.5 as told)."""
    sheets = book(fleet=[["gpu", "period", "installed"], ["G1", "P1", "8.000"], ["G1", "P2", 1000]],
                  training=[BASE["training"][0], ["T1", 100, 10000, "0,5", "P1", "P2", 1]])
    folder = write_csv(tmp_path / "s", sheets)
    assert [p.split(": ", 1)[0] for p in problems_reading(folder)] == [
        f"{folder / 'fleet.csv'}, row 2, column 'installed'", f"{folder / 'training.csv'}, row 2, column 'mfu'"]


@pytest.mark.parametrize("title", ["Sovereign plan", "Plan A, v2, draft;;"])
def test_a_title_above_the_headings_does_not_decide_the_delimiter(tmp_path, title):
    """The delimiter was the one the first non-blank line held most of: a title above the headings (allowed) made a
    semicolon file one column, every sheet refused as missing its columns."""
    folder = write_csv(tmp_path / "eu", book(), sep=";")
    expected = read_scenario(folder)
    for path in folder.iterdir():
        path.write_text(f"{title}\n" + path.read_text())
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(read_scenario(folder), name), getattr(expected, name), obj=name)


def test_a_quote_never_closed_is_refused_naming_its_row(tmp_path):
    """A note opening a quote it never closes took the rest of the file into one cell: of three runs, one was read,
    and only "unknown column 'notes' ignored" was said."""
    training = [BASE["training"][0] + ["notes"], ["T1", 100, 10000, 0.5, "P1", "P2", 1, ""],
                ["T2", 100, 10000, 0.5, "P1", "P2", 1, "QUOTE"], ["T3", 100, 10000, 0.5, "P1", "P2", 1, ""]]
    folder = write_csv(tmp_path / "s", book(training=training))
    path = folder / "training.csv"
    path.write_text(path.read_text().replace("QUOTE", '"Phase 2 - start only if approved'))
    assert problems_reading(folder) == [
        f"{path}, row 3: a quote opens a field there that is never closed, so the rest of the file would be one "
        "cell: close the quote, or remove it"]


def test_a_stray_quote_inside_a_field_is_read_as_spreadsheets_read_it(tmp_path):
    """'"Phase 2" only' opens with a quote that closes before the field ends: a spreadsheet reads the field as
    'Phase 2 only', and so does the planner, where a strict reader refused it; a field past the CSV reader's limit
    is refused naming the file."""
    training = [BASE["training"][0] + ["notes"], ["T1", 100, 10000, 0.5, "P1", "P2", 1, "QUOTE"],
                ["T2", 100, 10000, 0.5, "P1", "P2", 2, ""]]
    folder = write_csv(tmp_path / "s", book(training=training))
    path = folder / "training.csv"
    path.write_text(path.read_text().replace("QUOTE", '"Phase 2" only'))
    scenario = read_scenario(folder)
    assert scenario.training["workload"].tolist() == ["T1", "T2"]
    assert scenario.training["priority"].tolist() == [1.0, 2.0]
    path.write_text(path.read_text().replace('"Phase 2" only', '"a"' + "b" * 200_000))
    assert problems_reading(folder) == [f"{path}: cannot read as CSV (field larger than field limit (131072))"]


def test_a_date_with_a_time_of_day_names_a_period_by_both(tmp_path):
    """A period typed as a date and time reads as both ('2026-01-01 12:00:00'), not as its date alone, which
    another period of that day would share; the sheets that name it match it the same way."""
    import datetime as dt

    noon = dt.datetime(2026, 1, 1, 12)
    sheets = book(periods=[["period", "hours", "power_mw"], [noon, 1000, 100], ["P2", 1000, 100]],
                  fleet=[["gpu", "period", "installed"], ["G1", noon, 1000], ["G1", "P2", 1000]])
    sheets["training"][1][4] = noon
    scenario = read_scenario(write_xlsx(tmp_path / "s.xlsx", sheets))
    assert scenario.periods["period"].tolist() == ["2026-01-01 12:00:00", "P2"]
    assert scenario.fleet.loc["G1"].tolist() == [1000.0, 1000.0]
    assert scenario.training["start_period"].tolist() == ["2026-01-01 12:00:00"]


def test_utf16_csv_files_are_read_and_every_unreadable_file_is_told(tmp_path):
    """Excel's "Unicode text" is UTF-16 with a BOM, tab separated: it was refused as a binary file, and the first
    unreadable file stopped the reading before the others were looked at."""
    folder = write_csv(tmp_path / "s", book(site=[["key", "value"], ["name", "Zürich Süd"], ["pue", 1.25]]))
    expected = read_scenario(folder)
    for path in folder.iterdir():
        text = "".join("\t".join(row) + "\r\n" for row in csv.reader(io.StringIO(path.read_text())))
        path.write_bytes(text.encode("utf-16"))
    scenario = read_scenario(folder)
    assert scenario.name == "Zürich Süd"
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(scenario, name), getattr(expected, name), obj=name)
    (folder / "fleet.csv").write_bytes(b"\x00\x01\x02binary")
    (folder / "gpus.csv").write_bytes(b"")
    assert problems_reading(folder) == [f"{folder / 'fleet.csv'}: cannot read as CSV (a binary file, not text)",
                                        f"{folder / 'gpus.csv'}: the file is empty"]


@pytest.mark.parametrize("cell, number", [("1 307,4", 1307.4), ("1\u00a0307,4", 1307.4), ("1\u202f307,4", 1307.4),
                                          ("0.450", 0.45), ("1 307", 1307.0)])
def test_decimal_comma_numbers_as_french_and_nordic_spreadsheets_write_them(tmp_path, cell, number):
    """'1 307,4' (thousands by spaces, a decimal comma) was refused, though '1 307' and '3,35' were read; '0.450'
    was refused with the advice to write 0450 for thousands, though a leading 0 groups nothing."""
    sheets = book(periods=[["period", "hours", "power_mw"], ["P1", cell, "1,5"], ["P2", 1000, 100]])
    folder = write_csv(tmp_path / "eu", sheets, sep=";")
    assert read_scenario(folder).periods["hours"].tolist() == [number, 1000.0]


def test_two_points_group_thousands_where_the_comma_is_the_decimal_separator(tmp_path):
    """'1.234.567' failed as an internal error (read as one number with two decimal points): only thousands take
    two points."""
    sheets = book(gpus=[BASE["gpus"][0], ["G1", "1.234.567", 80, "3,5", 1400, 200]])
    gpus = read_scenario(write_csv(tmp_path / "eu", sheets, sep=";")).gpus
    assert gpus[["bf16_tflops", "hbm_tbps"]].to_numpy().tolist() == [[1234567.0, 3.5]]


def test_space_grouped_thousands_with_a_decimal_comma_show_the_files_convention(tmp_path):
    """A tab-separated folder whose one decimal is '1 307,4' (as French and Nordic spreadsheets write it): the
    space-grouped form did not count as showing the decimal comma, and the number was refused."""
    sheets = book(periods=[["period", "hours", "power_mw"], ["P1", "1 307,4", 100], ["P2", 1000, 100]],
                  inference=[["workload", "params_b", "tokens_per_day_b", "priority"], ["S1", "8", "86", "1"]])
    folder = write_csv(tmp_path / "tab", sheets)
    as_tab_separated(folder, "periods", "inference")
    assert read_scenario(folder).periods["hours"].tolist() == [1307.4, 1000.0]


def test_a_pipe_is_refused_rather_than_waited_on(tmp_path):
    """A named pipe with no writer made the planner wait for ever; with one (`planner solve <(cat s.xlsx)`), it was
    "the file is empty". A pipe named as a sheet in a CSV folder read as a missing sheet."""
    pipe = tmp_path / "s.xlsx"
    os.mkfifo(pipe)
    assert problems_reading(pipe) == [f"{pipe}: not a file but a pipe or a device; save it to a file and give its path"]
    folder = write_csv(tmp_path / "s", book())
    (folder / "periods.csv").unlink()
    os.mkfifo(folder / "periods.csv")
    assert problems_reading(folder) == [
        f"{folder / 'periods.csv'}: not a file but a pipe or a device; save it to a file and give its path"]


def test_a_sheet_saved_as_tab_separated_text_is_named_where_its_csv_is_missing(tmp_path):
    """A spreadsheet saves tab-separated text as 'periods.txt' or 'periods.tsv': only .csv files are read, and the
    folder was refused as "missing file 'periods.csv'" with no word of the file beside it."""
    folder = write_csv(tmp_path / "s", book())
    (folder / "periods.csv").rename(folder / "periods.tsv")
    assert problems_reading(folder) == [
        f"{folder}: missing file 'periods.csv' (periods.tsv is there: only .csv files are read; rename it "
        "periods.csv)"]


def test_csv_files_with_old_mac_line_endings_are_read(tmp_path):
    """Excel for Mac's "CSV (Macintosh)" ends lines with a carriage return alone: finding the delimiter split the
    text on line feeds only, and the csv module failed on the one long line (an internal error)."""
    folder = write_csv(tmp_path / "s", book())
    expected = read_scenario(folder)
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\r").replace(b"\n", b"\r"))
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(read_scenario(folder), name), getattr(expected, name), obj=name)


@pytest.mark.parametrize("ending, cut_short", [("", True), ("\r\n", False), (",", False)],
                         ids=["ends-inside-the-row", "short-row-ended", "every-field-there"])
def test_a_csv_file_that_ends_inside_a_short_last_row_is_warned_of(tmp_path, ending, cut_short):
    """A copy or download stopped part way leaves a last row short of its fields, with no line break after it: its
    missing values read as blanks (here must_finish, whose blank is 'no'), so it is warned of. A short row that ends
    in a line break is a row written short, and a file without a final line break is warned of only where its
    last row is short."""
    folder = write_scenario(scenario_tables(training=[training_row("T1"), training_row("T2")]), tmp_path / "s")
    path = folder / "training.csv"
    text = path.read_text()
    assert text.endswith(",1.0,\n")  # priority 1.0, must_finish blank: 14 fields
    path.write_text(text[:-len(",\n")] + ending)
    warnings = read_scenario(folder).warnings
    expected = (f"{path}, row 3: the file ends inside this row, after 13 of its 14 columns and with no line break: "
                "if the file was cut short (a copy or download stopped part way), the row's last values are missing")
    assert warnings == ([expected] if cut_short else [])


def test_a_row_cut_short_is_told_with_the_problems_it_makes(tmp_path):
    """Cut inside its priority, the last row's priority is blank, which is refused: the refusal says why it is."""
    folder = write_scenario(scenario_tables(training=[training_row("T1"), training_row("T2")]), tmp_path / "s")
    path = folder / "training.csv"
    path.write_text(path.read_text()[:-len("1.0,\n")])
    assert problems_reading(folder) == [
        f"{path}, row 3, column 'priority': required value is blank",
        f"{path}, row 3: the file ends inside this row, after 13 of its 14 columns and with no line break: if the "
        "file was cut short (a copy or download stopped part way), the row's last values are missing"]


@pytest.mark.parametrize("sep, notes", [(";", None), (",", "2,4")], ids=["semicolon-points", "a-note-votes-not"])
def test_a_point_before_three_digits_is_a_decimal_point_where_the_files_numbers_show_it(tmp_path, sep, notes):
    """'1.250' in a semicolon file whose numbers are written '3.35', or in a comma file beside a note '2,4' in a
    column the planner ignores: the point is a decimal point there, and 1.25 is read (it was refused as
    ambiguous)."""
    sheets = book(site=[["key", "value"], ["name", "test"], ["pue", "1.250"]],
                  gpus=[BASE["gpus"][0] + ["notes"], ["G1", 1000, 80, "3.35", 1400, 200, notes or ""]])
    assert read_scenario(write_csv(tmp_path / "s", sheets, sep=sep)).pue == 1.25


def test_a_period_like_a_superscript_digit_is_unknown_not_an_error(tmp_path):
    """'²' passes str.isdigit but not int(): the note on dates given as day numbers failed on it."""
    sheets = book(fleet=[["gpu", "period", "installed"], ["G1", "P1", 1000], ["G1", "²", 1000]])
    folder = write_csv(tmp_path / "s", sheets)
    assert "row 3, column 'period': unknown period '²'" in problems_reading(folder)[0]


def test_csv_folder_with_a_binary_file(tmp_path):
    folder = write_csv(tmp_path / "s", book())
    (folder / "fleet.csv").write_bytes(b"\x00\x01\x02binary")
    assert problems_reading(folder) == [f"{folder / 'fleet.csv'}: cannot read as CSV (a binary file, not text)"]


def test_csv_files_not_named_as_sheets_are_not_read(tmp_path, monkeypatch):
    """Notes or exports kept beside a scenario's CSV files (an Excel 'Unicode text' file is UTF-16, a
    dump may take gigabytes) stopped it with "cannot read as CSV"; like a workbook's other sheets,
    they are now left unread, and count against no limit."""
    folder = write_csv(tmp_path / "s", book())
    expected = read_scenario(folder)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", sum(p.stat().st_size for p in folder.glob("*.csv")))
    (folder / "notes.csv").write_bytes("a,b\n1,2\n".encode("utf-16"))
    (folder / "dump.csv").write_bytes(b"\x00\x01" * 1000)
    scenario = read_scenario(folder)
    pd.testing.assert_frame_equal(scenario.periods, expected.periods)
    pd.testing.assert_frame_equal(scenario.training, expected.training)


def test_csv_sheets_past_the_byte_limit_are_refused_unread(tmp_path, monkeypatch):
    """Each CSV file is read whole and held several times over: sheets' files larger than a
    workbook's sheets may be in all are refused before any is read, naming the file that passes it."""
    folder = write_csv(tmp_path / "s", book())
    files = sorted(folder.glob("*.csv"))
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", sum(p.stat().st_size for p in files) - 1)
    monkeypatch.setattr(workbook, "_read_csv", lambda path, known: pytest.fail(f"{path} was read"))
    assert problems_reading(folder) == [
        f"{files[-1]}: with the sheets' files before it, holds more than the {workbook.MAX_WORKBOOK_BYTES:,} "
        "bytes a scenario's sheets may hold in all; keep only the scenario's rows in it"]


@pytest.mark.parametrize("write", [
    lambda path, sheets: write_xlsx(path.with_suffix(".xlsx"), sheets),
    lambda path, sheets: write_xlsb(path.with_suffix(".xlsb"), sheets),
    lambda path, sheets: with_saved_results(write_xlsx(path.with_suffix(".xlsx"), {
        **sheets, "fleet": [row[:2] + ["=2*500"] if r == 1 else row for r, row in enumerate(sheets["fleet"])]}),
        {("fleet", "C2"): "1000"}),
], ids=["xlsx", "xlsb", "xlsx with formulas"])
def test_sheets_that_are_not_the_planners_are_not_read(tmp_path, monkeypatch, write):
    """A planner's workbook often keeps its own data beside the scenario's sheets: a sheet the planner
    does not read counted against the workbook's limits and was read whole, in every format. Here the
    other sheet alone takes the workbook past a lowered limit on cells, and the scenario reads as without it."""
    expected = read_scenario(write_xlsx(tmp_path / "plain.xlsx", book()))
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_CELLS", 20_000)
    path = write(tmp_path / "s", {**book(), "raw data": [[f"x{c}" for c in range(30)]] * 1000})
    scenario = read_scenario(path)
    pd.testing.assert_frame_equal(scenario.fleet, expected.fleet)
    pd.testing.assert_frame_equal(scenario.gpus, expected.gpus)


def test_an_ods_sheet_that_is_not_the_planners_still_counts_against_the_limits(tmp_path, monkeypatch):
    """The .ods reader holds every sheet of the file as it opens it, read by the planner or not: a sheet of
    notes escaped the limits, and a file of a kilobyte repeating a cell over 30 million cells there took
    a gigabyte of memory. Here the other sheet alone takes the workbook past a lowered limit on cells."""
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_CELLS", 20_000)
    path = write_ods(tmp_path / "s.ods", {**book(), "raw data": [[f"x{c}" for c in range(30)]] * 1000})
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'raw data': spans 1,000 rows by 30 columns")


def test_ods_reads_like_xlsx(tmp_path):
    ods = read_scenario(write_ods(tmp_path / "s.ods", book()))
    xlsx = read_scenario(write_xlsx(tmp_path / "s.xlsx", book()))
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(ods, name), getattr(xlsx, name), obj=name)


def test_ods_problem_names_its_sheet_row_and_column(tmp_path):
    sheets = book()
    sheets["gpus"][1][2] = "lots"
    path = write_ods(tmp_path / "s.ods", sheets)
    assert problems_reading(path) == [
        f"{path}, sheet 'gpus', row 2, column 'hbm_gb': expected a number in GB, found 'lots'"
    ]


def test_ods_error_cells_are_named_not_read_as_blank(tmp_path):
    """calamine reads an error cell as blank, which would let a default stand in for a broken formula."""
    sheets = book()
    sheets["periods"][1][1:] = [OdsError("#DIV/0!", repeat=2)]  # hours and power_mw, one repeated cell
    sheets["gpus"][1][2] = OdsError("#N/A", calc=False)
    path = write_ods(tmp_path / "s.ods", sheets)
    error = "the cell shows the spreadsheet error '{}'; fix the formula"
    assert sorted(problems_reading(path)) == sorted([
        f"{path}, sheet 'periods', row 2, columns 'hours' and 'power_mw': {error.format('#DIV/0!')}",
        f"{path}, sheet 'gpus', row 2, column 'hbm_gb': {error.format('#N/A')}",
    ])


def test_xls_error_cells_are_named_not_read_as_blank():
    """tests/data/scenario-with-errors.xls is the scenario of book() with hours '=1/0' and hbm_gb '=NA()',
    saved as .xls by LibreOffice (no library here writes .xls)."""
    path = ROOT / "tests" / "data" / "scenario-with-errors.xls"
    error = "the cell shows the spreadsheet error '{}'; fix the formula"
    assert problems_reading(path) == [
        f"{path}, sheet 'periods', row 2, column 'hours': {error.format('#DIV/0!')}",
        f"{path}, sheet 'gpus', row 2, column 'hbm_gb': {error.format('#N/A')}",
    ]


def test_an_xls_sheet_that_is_not_the_planners_is_not_read(tmp_path, monkeypatch):
    """As in the other formats: the inference sheet of tests/data/scenario-with-errors.xls renamed
    'infxrence' (in its BOUNDSHEET record) is named in the hint, and xlrd never loads it."""
    import xlrd

    data = (ROOT / "tests" / "data" / "scenario-with-errors.xls").read_bytes()
    assert data.count(b"inference") == 1
    path = tmp_path / "s.xls"
    path.write_bytes(data.replace(b"inference", b"infxrence"))
    loaded = []
    load = xlrd.book.Book.sheet_by_index
    monkeypatch.setattr(xlrd.book.Book, "sheet_by_index", lambda book, i: loaded.append(i) or load(book, i))
    assert problems_reading(path)[-1] == f"{path}: missing sheet 'inference' (is it the sheet 'infxrence'?)"
    assert loaded == [0, 1, 2, 3, 4]


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


def test_ods_repeated_error_cells_count_once_per_repeat_within_a_bound():
    def content(rows: int, columns: int) -> io.BytesIO:
        return io.BytesIO(
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            '<table:table table:name="s"><table:table-row><table:table-cell/></table:table-row>'
            f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell/>'
            f'<table:table-cell table:number-columns-repeated="{columns}" table:formula="of:=NA()">'
            "<text:p>#N/A</text:p></table:table-cell></table:table-row>"
            "</table:table></office:spreadsheet></office:body></office:document-content>".encode())

    assert workbook._ods_scan(content(2, 3)) == ({"s": {(r, c): "#N/A" for r in (1, 2) for c in (1, 2, 3)}},
                                                 {"s": (3, 4)}, {"s": 2 * 3 * len("#N/A")})
    huge, extents, _ = workbook._ods_scan(content(10**6, 10**6))
    assert len(huge["s"]) <= workbook._ODS_MAX_ERRORS and (1, 1) in huge["s"]
    assert extents == {"s": (10**6 + 1, 10**6 + 1)}


def rewrite_parts(path: Path, prefix: str, change) -> Path:
    """``path`` (a zip-based workbook) with each part whose name starts with ``prefix`` passed
    through ``change`` (bytes to bytes), each part kept as it was compressed."""
    def each(parts: dict[str, bytes]) -> None:
        for name, data in parts.items():
            if name.startswith(prefix):
                parts[name] = change(data)

    return with_parts(path, each)


def without_references(xml: bytes) -> bytes:
    """A worksheet's XML without the references a writer may leave out (ECMA-376 Part 1, 18.3.1.73 and 18.3.1.4):
    a row's number where it follows the row before (the first is row 1), a cell's where it follows the cell
    before in its row (the first is in column A)."""
    last = {"row": 0, "column": 0}

    def drop(match: re.Match) -> bytes:
        tag, letters, number = match.group(1), match.group(2).decode(), int(match.group(3))
        if tag == b"row":
            implied, last["row"], last["column"] = number == last["row"] + 1, number, 0
        else:
            column = workbook._column_number(letters)
            implied, last["column"] = column == last["column"] + 1, column
        return b"<" + tag if implied else match.group(0)

    return re.sub(rb'<(row|c) r="([A-Z]*)([0-9]+)"', drop, xml)


def copy_without_references(path: Path) -> Path:
    """A copy of the .xlsx ``path`` beside it, its sheets without the references a writer may leave out."""
    return rewrite_parts(Path(shutil.copy(path, path.with_stem(f"{path.stem}-bare"))), "xl/worksheets/",
                         without_references)


def test_ods_extent_is_the_extent_the_reader_holds(tmp_path):
    """Trailing empty cells and rows repeated to the sheet's edge, as LibreOffice writes them,
    do not count; the extent ends at the last cell holding anything, as calamine's does."""
    from python_calamine import CalamineWorkbook

    edge = (b'<table:table-row table:number-rows-repeated="1048570">'
            b'<table:table-cell table:style-name="ce1" table:number-columns-repeated="16384"/></table:table-row>')
    path = rewrite_parts(write_ods(tmp_path / "s.ods", {"s": [["a", None, 3], [None], [1]], "t": [[None]]}),
                         "content.xml", lambda xml: xml.replace(b"</table:table>", edge + b"</table:table>"))
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        _, extents, _ = workbook._ods_scan(content)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python(skip_empty_area=False)
    assert extents == {"s": (3, 3)} == {"s": (len(sheet), max(map(len, sheet)))}


def test_a_tiny_ods_repeating_a_cell_over_millions_of_cells_is_refused_before_it_is_read(tmp_path):
    """A few hundred bytes can repeat a value over 99 million cells, which the reader would hold
    in memory (10 GB); the sheet is refused by name instead."""
    repeated = (b'<table:table-row table:number-rows-repeated="99000"><table:table-cell '
                b'table:number-columns-repeated="1000" office:value-type="float" office:value="1">'
                b"<text:p>1</text:p></table:table-cell></table:table-row>")
    path = rewrite_parts(write_ods(tmp_path / "s.ods", book()), "content.xml",
                         lambda xml: xml.replace(b"</table:table>", repeated + b"</table:table>", 1))
    assert path.stat().st_size < 10_000
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'site': spans 99,00") and "by 1,000 columns" in problem


CELLS = st.one_of(
    st.sampled_from(["", " ", "abc", "-1", "0", "1e309", "nan", "inf", "-inf", "40%", "1,200", "1 200", "2,5",
                     "1.200", "1.200,5", "4,5 MW", "40,5%", "1.5", "1.2.3", "1.5,3", "-3,5e3",
                     "3 MW", "700 W", "#REF!", " #n/a ", "TRUE", "\u22123", "\u00a012\u00a0", "1e-300", "+.5",
                     "5.", "0x10", "1_000", "١٢"]),
    st.integers(-10**6, 10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet="0123456789.eE+- ,%\u2212", max_size=8),
    st.booleans(),
    st.none(),
    st.just(np.float64(2.5)),
    st.just(np.int64(7)),
)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(CELLS, max_size=12), sheet_column=st.sampled_from(
    [(sheet.name, column.name) for sheet in SHEETS_BY_NAME.values() for column in sheet.columns]),
    decimals=st.sampled_from([workbook.POINT, workbook.COMMA, workbook.UNKNOWN, workbook.COMMA_UNSURE]))
def test_columns_parsed_in_bulk_read_as_cell_by_cell(cells, sheet_column, decimals):
    """Plain cells are settled in bulk; every value and every message is what reading each cell
    on its own gives (also where the comma is the decimal separator, or a separator is unsure)."""
    column = next(c for c in SHEETS_BY_NAME[sheet_column[0]].columns if c.name == sheet_column[1])
    raw = workbook._RawSheet(pd.DataFrame({column.name: pd.Series(cells, dtype=object)}),
                             list(range(2, 2 + len(cells))), "w.xlsx, sheet 's'", decimals=decimals)
    values = np.array(cells + [None], dtype=object)[:-1]  # keeps numpy scalars as they are
    blank = np.array([workbook._blank(v) for v in values], dtype=bool)
    bulk = workbook._Checker({}, Path("w.xlsx"))
    one_by_one = workbook._Checker({}, Path("w.xlsx"))
    parsed = bulk._column(raw, column, values, blank, workbook._plain_numbers(values, decimals))
    expected = [one_by_one.cell(raw, column, row, value) for row, value in zip(raw.rows, values)]
    assert [(type(v), v) for v in parsed] == [(type(v), v) for v in expected]
    assert bulk.problems == one_by_one.problems


def test_a_legacy_sheet_claiming_millions_of_rows_is_refused_before_it_is_read(tmp_path):
    """An .xls whose DIMENSIONS records claim 16.7 million rows (a damaged file): the reader would
    hold that whole extent in memory, so the sheet is refused by name instead."""
    import struct

    data = bytearray((ROOT / "tests" / "data" / "scenario-with-errors.xls").read_bytes())
    records = [i for i in range(len(data) - 4) if data[i:i + 4] == b"\x00\x02\x0e\x00"]  # DIMENSIONS, 14 bytes
    assert records
    for at in records:
        struct.pack_into("<I", data, at + 8, 0x00FFFFFF)  # the row after the last
    path = tmp_path / "damaged.xls"
    path.write_bytes(bytes(data))
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'site': spans 16,777,215 rows by 2 columns")


def test_an_entry_far_from_the_table_is_refused_before_the_sheet_is_read(tmp_path):
    """A value left in XFD1048576 makes a sheet span every row and column of the spreadsheet."""
    path = write_xlsx(tmp_path / "s.xlsx", book())
    workbook_ = openpyxl.load_workbook(path)
    workbook_["periods"]["XFD1048576"] = "stray"
    workbook_.save(path)
    [problem] = problems_reading(path)
    # named as the user knows the sheet, not by the file inside the workbook that holds it
    assert problem.startswith(f"{path}, sheet 'periods': spans 1,048,576 rows by 16,384 columns")
    assert f"more than the {workbook.MAX_WORKBOOK_CELLS:,} cells" in problem


def _sheet_bytes(path: Path, *folders: str) -> int:
    """Bytes the parts under ``folders`` of the zip file ``path`` hold uncompressed."""
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist() if info.filename.startswith(folders))


@pytest.mark.parametrize("formulas", [False, True], ids=["values", "formulas"])
@pytest.mark.parametrize("target", ["elsewhere/site.xml", "/xl/elsewhere/site.xml", "worksheets/../elsewhere/site.xml"])
def test_a_sheet_kept_outside_the_worksheets_folder_counts_against_the_limits(tmp_path, monkeypatch, formulas, target):
    """Both readers take a sheet from wherever the workbook's relationships lead; a sheet elsewhere than
    xl/worksheets/ escaped every limit, with or without formulas (two different readers). Here it takes
    the sheets past a lowered byte limit."""
    def move(parts: dict[str, bytes]) -> None:
        parts["xl/elsewhere/site.xml"] = parts.pop("xl/worksheets/sheet1.xml")  # the first sheet, 'site'
        rels, types = "xl/_rels/workbook.xml.rels", "[Content_Types].xml"
        parts[rels] = parts[rels].replace(b'Target="/xl/worksheets/sheet1.xml"', f'Target="{target}"'.encode())
        parts[types] = parts[types].replace(b"/xl/worksheets/sheet1.xml", b"/xl/elsewhere/site.xml")

    path = with_parts(formula_book(tmp_path) if formulas else write_xlsx(tmp_path / "s.xlsx", book()), move)
    with zipfile.ZipFile(path) as archive:
        assert f'Target="{target}"'.encode() in archive.read("xl/_rels/workbook.xml.rels")
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", _sheet_bytes(path, "xl/worksheets/", "xl/elsewhere/") - 1)
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'inference': with the sheets before it, holds more than the "
                              f"{workbook.MAX_WORKBOOK_BYTES:,} bytes")


@pytest.mark.parametrize("formulas", [False, True], ids=["values", "formulas"])
def test_a_sheet_sharing_its_part_with_one_not_read_counts_against_the_limits(tmp_path, monkeypatch, formulas):
    """A second sheet entry in the workbook, named as none of the planner's, that leads to the part of the
    sheet 'site': the part was taken for the other sheet's and passed over, while the reader read 'site' from it
    unchecked. Here the sheets take the workbook past a lowered byte limit."""
    def alias(parts: dict[str, bytes]) -> None:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"</sheets>", b'<sheet name="notes" sheetId="99" r:id="rId1"/></sheets>')

    path = with_parts(formula_book(tmp_path) if formulas else write_xlsx(tmp_path / "s.xlsx", book()), alias)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", _sheet_bytes(path, "xl/worksheets/") - 1)
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'inference': with the sheets before it, holds more than the "
                              f"{workbook.MAX_WORKBOOK_BYTES:,} bytes")


def test_a_relationship_nested_in_another_element_counts_against_the_limits(tmp_path, monkeypatch):
    """The reader finds a relationship at any depth of the workbook's relationships: one wrapped in another
    element, leading to a sheet outside xl/worksheets/, was not looked for, and that sheet escaped every limit."""
    def move(parts: dict[str, bytes]) -> None:
        parts["xl/elsewhere/site.xml"] = parts.pop("xl/worksheets/sheet1.xml")  # the first sheet, 'site'
        rels = "xl/_rels/workbook.xml.rels"
        parts[rels] = re.sub(rb'(<Relationship [^>]*Target=")/xl/worksheets/sheet1.xml("[^>]*/>)',
                             rb"<wrapped>\1/xl/elsewhere/site.xml\2</wrapped>", parts[rels])

    path = with_parts(write_xlsx(tmp_path / "s.xlsx", book()), move)
    with zipfile.ZipFile(path) as archive:
        assert b"<wrapped>" in archive.read("xl/_rels/workbook.xml.rels")
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", _sheet_bytes(path, "xl/worksheets/", "xl/elsewhere/") - 1)
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'inference': with the sheets before it, holds more than the "
                              f"{workbook.MAX_WORKBOOK_BYTES:,} bytes")


def test_a_sheet_related_as_external_counts_against_the_limits(tmp_path, monkeypatch):
    """openpyxl, the reader of workbooks with formulas, takes a sheet whose relationship is marked
    TargetMode="External" from the part its target names as written ('data/site.xml', not under xl/): that
    sheet escaped every limit."""
    def move(parts: dict[str, bytes]) -> None:
        parts["data/site.xml"] = parts.pop("xl/worksheets/sheet1.xml")  # the first sheet, 'site'
        rels = "xl/_rels/workbook.xml.rels"
        parts[rels] = parts[rels].replace(b'Target="/xl/worksheets/sheet1.xml"',
                                          b'Target="data/site.xml" TargetMode="External"')

    path = with_parts(formula_book(tmp_path), move)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", _sheet_bytes(path, "xl/worksheets/", "data/") - 1)
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'inference': with the sheets before it, holds more than the "
                              f"{workbook.MAX_WORKBOOK_BYTES:,} bytes")


def test_a_workbook_whose_list_of_sheets_is_damaged_is_refused(tmp_path):
    """A prefix never declared makes the relationships malformed XML, which the planner's parser
    rejects and the reader's tolerates: the sheet they lead to, outside xl/worksheets/, was read
    unchecked against the limits. Such a workbook is now refused as damaged."""
    def damage(parts: dict[str, bytes]) -> None:
        parts["xl/elsewhere/site.xml"] = parts.pop("xl/worksheets/sheet1.xml")
        rels = parts["xl/_rels/workbook.xml.rels"].replace(b'"worksheets/sheet1.xml"', b'"elsewhere/site.xml"')
        parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"<Relationship ", b"<q:Relationship ", 1)

    path = with_parts(write_xlsx(tmp_path / "s.xlsx", book()), damage)
    assert problems_reading(path) == [
        f"{path}: not a readable xlsx file: its list of sheets (xl/workbook.xml and xl/_rels/workbook.xml.rels) is "
        "damaged; save it again from a spreadsheet program"]


def _with_content_type(path: Path, part: str, content_type: str, data: bytes) -> Path:
    """``path`` (an .xlsx) with ``data`` added as ``part``, which [Content_Types].xml gives ``content_type``."""
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'.encode()
    path = rewrite_parts(path, "[Content_Types].xml", lambda types: types.replace(b"</Types>", override + b"</Types>"))
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(part, data)
    return path


def test_shared_strings_openpyxl_finds_elsewhere_count_against_the_limits(tmp_path, monkeypatch):
    """openpyxl, the reader of workbooks with formulas, takes the shared strings from whichever part
    [Content_Types].xml names, not from xl/sharedStrings.xml: there they escaped the limits."""
    strings = _SST.format("<si><t>x</t></si>" * 100).encode()
    path = _with_content_type(formula_book(tmp_path), "xl/strings.xml",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml", strings)
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", _sheet_bytes(path, "xl/worksheets/") + len(strings) - 1)
    assert problems_reading(path) == [
        f"{path}, part 'xl/strings.xml': with the sheets before it, holds more than the "
        f"{workbook.MAX_WORKBOOK_BYTES:,} bytes (uncompressed) a workbook's sheets, and the parts read with them, may "
        "hold in all (a small zip file can inflate to gigabytes); keep only the sheets the scenario needs, or save "
        "the file again from a spreadsheet program if it is damaged"]


def test_a_workbook_with_formulas_naming_a_second_workbook_is_refused(tmp_path):
    """openpyxl reads the workbook part [Content_Types].xml names first, the other reader xl/workbook.xml:
    a second workbook elsewhere would have its sheets read unchecked."""
    path = _with_content_type(formula_book(tmp_path), "book/other.xml",
                              "application/vnd.ms-excel.sheet.macroEnabled.main+xml", b"<workbook/>")
    assert problems_reading(path) == [f"{path}: not a readable xlsx file: it holds two workbooks (xl/workbook.xml and "
                                      "book/other.xml); re-save it in a spreadsheet app"]


@pytest.mark.parametrize("cell", [b"<c r='XFD1048576'><v>1</v></c>", b'<c r = "XFD1048576"><v>1</v></c>',
                                  b"<c r='xfd1048576' t='e'><v>#N/A</v></c>"])
def test_xlsx_extent_reads_references_however_quoted_or_cased(cell):
    """Either quote, space around '=' and lower-case letters are all valid to the reader: a stray cell
    written so spans the sheet as much as one written as spreadsheet programs write it."""
    xml = b"<sheetData><row r='1'><c r='A1'><v>1</v></c></row><row r='1048576'>" + cell + b"</row></sheetData>"
    assert workbook._xlsx_extent(xml) == (1_048_576, 16_384)
    assert workbook._has_formula_or_error(xml) == (b"t='e'" in cell)


@pytest.mark.parametrize("rows", [
    b"<row><c><v>1</v></c><c><v>1</v></c></row><row/><row><c><v>1</v></c></row>",
    b'<row r="2"><c r="C2"><v>1</v></c><c><v>1</v></c></row><row><c><v>1</v></c></row>',
    b'<row><c r="D1"><v>1</v></c></row><row r="5"><c><v>1</v></c><c r="B5"><v>1</v></c><c><v>1</v></c></row>',
], ids=["none referenced", "after a referenced row and cell", "among referenced ones"])
def test_xlsx_extent_of_cells_without_references_is_the_extent_the_reader_holds(tmp_path, rows):
    """References are optional: a row without one follows the row before, a cell without one the cell before it in
    its row. The extent places such cells as the reader does, rather than estimating more columns than it holds."""
    from python_calamine import CalamineWorkbook

    path = rewrite_parts(write_xlsx(tmp_path / "s.xlsx", {"s": [[1]]}), "xl/worksheets/",
                         lambda xml: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows + b"</sheetData>",
                                            xml, flags=re.S))
    with zipfile.ZipFile(path) as archive:
        extent = workbook._xlsx_extent(archive.read("xl/worksheets/sheet1.xml"))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python(skip_empty_area=False)
    assert extent == (len(sheet), max(map(len, sheet)))


def test_xlsb_extent_is_the_extent_the_reader_holds(tmp_path):
    from python_calamine import CalamineWorkbook

    path = write_xlsb(tmp_path / "s.xlsb", {"s": [["a", None, 3], [None], [1]], "t": [[None]]})
    with zipfile.ZipFile(path) as archive:
        extents = [workbook._xlsb_extent(archive.read(f"xl/worksheets/sheet{i}.bin")) for i in (1, 2)]
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python(skip_empty_area=False)
    assert extents == [(3, 3), (0, 0)] and (len(sheet), max(map(len, sheet))) == (3, 3)
    assert workbook._xlsb_extent(b"\x91\x01\x00\x00\x11\x05\x00\x00") == (0, 0)  # cut short: no cell


@pytest.mark.parametrize("namespace", ["", ' xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'])
def test_xlsb_sheets_are_named_as_the_workbook_names_them(tmp_path, namespace):
    """Messages about an .xlsb sheet name it as the spreadsheet's tab does, not by the file inside the
    archive; the relationships read with or without their namespace, as the reader reads them."""
    def relate(parts: dict[str, bytes]) -> None:
        rels = "xl/_rels/workbook.bin.rels"
        parts[rels] = parts[rels].replace(b"<Relationships>", f"<Relationships{namespace}>".encode())
        parts["xl/workbook.bin"] = parts["xl/workbook.bin"].replace("rId2".encode("utf-16-le"),
                                                                    "rId9".encode("utf-16-le"))

    path = with_parts(write_xlsb(tmp_path / "s.xlsb", {"périodes ☃": [[1]], "gpus": [[2]]}), relate)
    with zipfile.ZipFile(path) as archive:
        # a sheet whose relationship the workbook does not list stays named by its file
        titles = workbook._sheet_titles(path, archive, archive.read("xl/workbook.bin"), xml=False)
        assert titles == {"xl/worksheets/sheet1.bin": "périodes ☃"}


def test_an_xlsb_entry_far_from_the_table_is_refused_before_the_sheet_is_read(tmp_path):
    """As for .xlsx: a value left in XFD1048576 would make the reader hold every cell of the sheet."""
    sheets = book()
    sheets["periods"] += [[]] * (1_048_575 - len(sheets["periods"])) + [[None] * 16_383 + ["stray"]]
    path = write_xlsb(tmp_path / "s.xlsb", sheets)
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, sheet 'periods': spans 1,048,576 rows by 16,384 columns")


def with_streamed_sheets(path: Path, records: bytes, mib: int, sheets: int = 1) -> Path:
    """``path`` (an .xlsb from :func:`write_xlsb`) with its first ``sheets`` sheets each made of
    ``records`` repeated over ``mib`` MiB, written a MiB at a time so no sheet is ever held whole."""
    streamed = [f"xl/worksheets/sheet{i + 1}.bin" for i in range(sheets)]
    with zipfile.ZipFile(path) as archive:
        kept = {info.filename: archive.read(info) for info in archive.infolist() if info.filename not in streamed}
    chunk = records * ((1 << 20) // len(records))
    # the lowest compression level: deflating a gigabyte of zeros takes 0.8 s, not 2 s
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in kept.items():
            archive.writestr(name, data)
        for name in streamed:
            with archive.open(name, "w", force_zip64=True) as part:
                # BrtBeginSheet, BrtWsDim and BrtBeginSheetData, as write_xlsb begins a sheet
                part.write(_xlsb_record(0x81) + _xlsb_record(0x94, bytes(16)) + _xlsb_record(0x91))
                for _ in range(mib):
                    part.write(chunk)
                part.write(_xlsb_record(0x92) + _xlsb_record(0x82))  # BrtEndSheetData, BrtEndSheet
    return path


def test_an_xlsb_sheet_inflating_to_a_gigabyte_is_refused_unread(tmp_path, monkeypatch):
    """Five megabytes of zip file holding a gigabyte of empty records: walking them took two minutes,
    with the gigabyte in memory; the sheet is refused once it passes the limit, the rest never inflated.
    Here the limit is lowered to 16 MiB and the sheet holds eight times that, as a gigabyte is eight
    times the real limit, so that the test need not deflate a gigabyte."""
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", 16 << 20)
    path = with_streamed_sheets(write_xlsb(tmp_path / "s.xlsb", book()), b"\x00\x00", 128)  # empty BrtRowHdr
    assert path.stat().st_size < 1 << 20
    assert problems_reading(path) == [
        f"{path}, sheet 'site': holds more than the {workbook.MAX_WORKBOOK_BYTES:,} bytes "
        "(uncompressed) a workbook's sheets, and the parts read with them, may hold in all (a small zip file can "
        "inflate to gigabytes); keep only the sheets the scenario needs, or save the file again from a spreadsheet "
        "program if it is damaged"]


_SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x="urn:x">{}</sst>'


def _xlsb_sst(strings: int, *records: bytes) -> bytes:
    """An .xlsb shared strings' part: BrtBeginSst (saying how many ``strings``), ``records``, BrtEndSst."""
    return _xlsb_record(0x9F, struct.pack("<II", strings, strings)) + b"".join(records) + _xlsb_record(0xA0)


def _xlsb_item(text: str) -> bytes:
    return _xlsb_record(0x13, b"\x00" + _wide(text))  # BrtSSTItem: flags, then the text


def with_shared_strings(path: Path, strings: bytes, cells: bytes) -> Path:
    """``path`` (from :func:`write_xlsx` or :func:`write_xlsb`) with ``strings`` as its shared strings'
    part, and ``cells`` (rows holding them) at the end of its periods sheet."""
    xml = path.suffix == ".xlsx"
    end = b"</sheetData>" if xml else _xlsb_record(0x92)  # BrtEndSheetData
    sheet = f"xl/worksheets/sheet{list(BASE).index('periods') + 1}."
    path = rewrite_parts(path, sheet, lambda data: data.replace(end, cells + end, 1))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml" if xml else "xl/sharedStrings.bin", strings)
    return path


def _showing(cells: int, text: str = "x" * 1_000_000):
    """A writer of a workbook whose periods sheet shows the shared string ``text`` in ``cells`` cells."""
    def write(path: Path) -> Path:
        if path.suffix == ".xlsx":
            return with_shared_strings(write_xlsx(path, book()), _SST.format(f"<si><t>{text}</t></si>").encode(),
                                       b"".join(b'<row r="%d"><c r="H%d" t="s"><v>0</v></c></row>' % (r, r)
                                                for r in range(10, 10 + cells)))
        return with_shared_strings(write_xlsb(path, book()), _xlsb_sst(1, _xlsb_item(text)), b"".join(
            _xlsb_record(0x00, struct.pack("<IIHBBB", r, 0, 300, 0, 0, 0))  # BrtRowHdr
            + _xlsb_record(0x07, struct.pack("<III", 7, 0, 0)) for r in range(9, 9 + cells)))  # BrtCellIsst
    return write


@pytest.mark.parametrize("suffix, write, claim", [
    (".xlsx", _showing(101), "sheet 'periods': holds 101,000,000"),
    (".xlsb", _showing(101), "sheet 'periods': holds 101,000,000"),
    # no cell shows them: a hundred items of seven bytes each claiming a million characters, which the
    # reader takes from the buffer the item before them left
    (".xlsb", lambda path: with_shared_strings(write_xlsb(path, book()), _xlsb_sst(
        101, _xlsb_item("x" * 1_000_000), *[_xlsb_record(0x13, b"\x00" + struct.pack("<I", 1_000_000))] * 100), b""),
     "part 'xl/sharedStrings.bin': holds 101,000,000"),
], ids=["xlsx cells", "xlsb cells", "xlsb items"])
def test_a_shared_string_shown_in_many_cells_is_refused_before_it_is_read(tmp_path, suffix, write, claim):
    """The reader copies a shared string into every cell that shows it: a few kilobytes of file showing
    a million characters in a few thousand cells made it hold gigabytes, or abort the process."""
    path = write(tmp_path / f"s{suffix}")
    assert path.stat().st_size < 50_000
    assert problems_reading(path) == [
        f"{path}, {claim} characters of text as the file records it, more than the 100,000,000 a workbook's sheets "
        "may hold in all; delete long or repeated texts, or save the file again from a spreadsheet program if it is "
        "damaged"]


def test_a_long_shared_string_in_a_few_cells_is_read(tmp_path):
    """Long enough that the cells of the sheets could take the workbook past the limit if all showed it,
    it is counted cell by cell, and read."""
    path = _showing(3, "x" * 2_000_000)(tmp_path / "s.xlsx")
    assert read_scenario(path).periods["period"].tolist() == ["P1", "P2"]


_DECLARES = ("not a readable {} file: it declares an XML document type, which no spreadsheet program writes and whose "
             "entities could expand to gigabytes as it is read; save the file again from a spreadsheet program")
_ENTITY = '<!DOCTYPE x [<!ENTITY e "x">]>'


def test_shared_strings_declaring_an_entity_are_refused_unexpanded(tmp_path):
    """Entities let a few bytes stand for gigabytes of text (ten nested, each ten of the one before: ten
    billion characters), which counting the strings would expand."""
    strings = _ENTITY + _SST.format("<si><t>&e;</t></si>")
    path = with_shared_strings(write_xlsx(tmp_path / "s.xlsx", book()), strings.encode(), b"")
    assert problems_reading(path) == [f"{path}, part 'xl/sharedStrings.xml': {_DECLARES.format('xlsx')}"]


@pytest.mark.parametrize("part, encoding", [
    ("xl/_rels/workbook.xml.rels", "utf-8"), ("xl/workbook.xml", "utf-8"), ("xl/workbook.xml", "utf-16"),
    ("[Content_Types].xml", "utf-8"), ("xl/styles.xml", "utf-8"), ("docProps/core.xml", "utf-8"),
])
def test_any_xml_part_declaring_an_entity_is_refused_before_it_is_parsed(tmp_path, part, encoding):
    """The planner parsed the workbook's relationships and list of sheets, and (with formulas) openpyxl the
    manifest, styles and properties, expanding declared entities: 27 KB of .xlsx took 2.2 GB to read, 44 KB
    more memory than there was. A document type is refused in any part, before it is parsed, in UTF-16 too."""
    def declare(parts: dict[str, bytes]) -> None:
        text = parts[part].decode()
        head = text.index("?>") + 2 if text.startswith("<?xml") else 0
        xml = text[:head] + _ENTITY + text[head:]
        parts[part] = xml.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)

    path = with_parts(formula_book(tmp_path), declare)
    assert problems_reading(path) == [f"{path}, part {part!r}: {_DECLARES.format('xlsx')}"]


def test_an_ods_declaring_an_entity_is_refused_before_it_is_parsed(tmp_path):
    """10 KB of .ods whose one cell held three million references to an entity of 290 characters took 2 GB to
    read; twice that, more memory than there was (an internal error)."""
    def declare(parts: dict[str, bytes]) -> None:
        parts["content.xml"] = parts["content.xml"].replace(b"?>", b"?>" + _ENTITY.encode(), 1).replace(
            b"<text:p>P1</text:p>", b"<text:p>P&e;</text:p>", 1)

    path = with_parts(write_ods(tmp_path / "s.ods", book()), declare)
    assert problems_reading(path) == [f"{path}, part 'content.xml': {_DECLARES.format('ods')}"]


def test_styles_that_openpyxl_would_hold_as_millions_of_objects_are_refused(tmp_path, monkeypatch):
    """openpyxl reads a workbook with formulas, holding each element of its styles as Python objects: a million
    cell formats in 55 KB of .xlsx took 33 s and 1.2 GB to read. Past MAX_STYLE_ELEMENTS (lowered here, so that
    the test need not build a million) the styles are refused before openpyxl sees them; without formulas the
    other reader, which holds them compactly, reads the same file."""
    monkeypatch.setattr(workbook, "MAX_STYLE_ELEMENTS", 1_000)

    def bloat(parts: dict[str, bytes]) -> None:
        start, end = parts["xl/styles.xml"].index(b"<cellXfs"), parts["xl/styles.xml"].index(b"</cellXfs>")
        parts["xl/styles.xml"] = (parts["xl/styles.xml"][:start] + b'<cellXfs count="2000">'
                                  + b'<xf numFmtId="0"/>' * 2000 + parts["xl/styles.xml"][end:])

    path = with_parts(formula_book(tmp_path), bloat)
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, part 'xl/styles.xml': holds 2,0")
    assert problem.endswith("elements of cell styles and formats, more than the 1,000 a workbook's may, or save the "
                            "file again from a spreadsheet program if it is damaged")
    assert read_scenario(with_parts(write_xlsx(tmp_path / "plain.xlsx", book()), bloat)).periods["period"].tolist() \
        == ["P1", "P2"]


def test_the_parts_openpyxl_reads_count_with_the_sheets_bytes(tmp_path, monkeypatch):
    """With formulas, openpyxl inflates the workbook's parts beside its sheets (its styles, say), which were
    bounded by nothing: they now count with the sheets' bytes (the limit lowered here). What it does not parse
    in read-only mode (a sheet not the planner's, a chart) counts no more than without formulas."""
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", 1 << 20)

    def pad(part: str) -> Callable[[dict[str, bytes]], None]:
        def padded(parts: dict[str, bytes]) -> None:
            parts[part] = parts.get(part, b"<c/>") + b" " * (1 << 20)  # white space may follow the root element
        return padded

    for part in ("docProps/core.xml", "xl/theme/theme1.xml", "xl/chartsheets/sheet1.xml", "xl/drawings/drawing1.xml"):
        # a chart sheet's drawing counts where the workbook has chart sheets (openpyxl parses them even so)
        chart_sheet = {"xl/chartsheets/sheet1.xml": b"<chartsheet/>"} if part.startswith("xl/drawings/") else {}
        path = with_parts(with_parts(formula_book(tmp_path), lambda parts: parts.update(chart_sheet)), pad(part))
        [problem] = problems_reading(path)
        assert problem.startswith(f"{path}, part '{part}': with the sheets before it, holds more than the "
                                  "1,048,576 bytes (uncompressed)"), part
    sheets = book(notes=[["a note"]])
    sheets["periods"][1][1] = "=24*90+120"
    saved = with_saved_results(write_xlsx(tmp_path / "notes.xlsx", sheets), {("periods", "B2"): "2280"})
    for part in (f"xl/worksheets/sheet{len(sheets)}.xml", "xl/charts/chart1.xml"):
        padded = with_parts(shutil.copy(saved, tmp_path / "padded.xlsx"), pad(part))
        assert read_scenario(padded).periods["hours"].tolist() == [2280, 1000], part


def test_a_workbooks_external_links_are_not_read(tmp_path):
    """openpyxl read the cached values of a workbook's links to other workbooks, which no limit bounded (140 MB of
    them took 4 GB) and which the planner never uses: they are left unread (here, a link openpyxl could not parse
    would fail the workbook)."""
    relationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"

    def link(parts: dict[str, bytes]) -> None:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rId99"/></externalReferences>')
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            f'<Relationship Type="{relationship}" Target="externalLinks/externalLink1.xml" Id="rId99"/>'
            "</Relationships>".encode())
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
                         b'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
        parts["xl/externalLinks/externalLink1.xml"] = b"<externalLink><unclosed>"

    sheets = book()
    sheets["periods"][1][1] = "=24*90+120"
    path = with_parts(with_saved_results(write_xlsx(tmp_path / "s.xlsx", sheets), {("periods", "B2"): "2280"}), link)
    assert read_scenario(path).periods["hours"].tolist() == [2280, 1000]


@pytest.mark.parametrize("pattern, xml, found", [
    # a row left unclosed ends where the next opens: the next row is found, and no row takes the rest of the part
    ("_ROW_ELEMENT", b'<row r="1"><c r="A1"/><row r="2"><c r="B2"/></row>', [(b' r="2"', b'<c r="B2"/>')]),
    ("_CELL_XML", b'<c t="str"><c r="A1" t="str"><f>1</f><v></v></c>', [(b' r="A1" t="str"', b"<f>1</f><v></v>")]),
    # a tag left open ends at the next '<'
    ("_CELL", b'<c <c r="B7"/>', [(b"", b""), (b"B", b"7")]),
    ("_HIDDEN_ROW", b'<row <row hidden="1" r="4">', [b"4"]),
    ("_MERGE_CELL", b'<mergeCell <mergeCell ref="A1:B2"/>', [(b"A", b"1", b"B", b"2")]),
])
def test_an_element_or_tag_left_open_stops_at_the_next(pattern, xml, found):
    """The patterns that walk a sheet's XML before any reader sees it took any text up to an element's end, or a
    tag's attributes up to any '>': an element or tag left open made each scan to the end of the part, which
    took 16 s for 9 KB of .xlsx (20,000 unclosed rows) and would take hours for a megabyte. Each now stops where
    the next element of its name, or the next tag, begins."""
    assert getattr(workbook, pattern).findall(xml) == found


@pytest.mark.parametrize("suffix, strings, cells", [
    # an empty <si> is a string too; one inside another is not; index text that is no number is 0
    (".xlsx", _SST.format("<si><t>zero</t></si><si/><si><si><t>a</t></si><t>bb</t></si><si><r><t>cc</t></r>"
                          "<r><t>ddd</t></r></si><x:si><x:t>eeeee</x:t></x:si>").encode(),
     b"".join(b'<row r="%d"><c r="H%d" t="s"><v>%s</v></c></row>' % (r, r, index)
              for r, index in enumerate([b"4", b"03", b"2", b" 1", b"+3", b"x"], start=10))
     + b'<row r="16"><x:c xmlns:x="urn:x" r="H16" t="s"><x:v>4</x:v></x:c></row>'),
    # items before BrtBeginSst or in a future-record block are none; an item of seven bytes claiming six
    # characters shows six read from the reader's buffer
    (".xlsb", _xlsb_record(0x13, b"\x00" + _wide("before")) + _xlsb_sst(
        3, _xlsb_record(0x23), _xlsb_item("future"), _xlsb_record(0x24), _xlsb_item("first" * 3),
        _xlsb_record(0x13, b"\x00" + struct.pack("<I", 6)), _xlsb_item("third")),
     b"".join(_xlsb_record(0x00, struct.pack("<IIHBBB", 9 + i, 0, 300, 0, 0, 0))
              + _xlsb_record(0x07, struct.pack("<III", 7, 0, i)) for i in (0, 1, 2))),
], ids=["xlsx", "xlsb"])
def test_shared_strings_count_the_characters_the_reader_shows(tmp_path, suffix, strings, cells):
    """The check follows the reader where files are written oddly: were a string counted at another index
    than the reader's, a crafted file could show a long one where a short one is counted."""
    from python_calamine import CalamineWorkbook

    write = write_xlsx if suffix == ".xlsx" else write_xlsb
    path = with_shared_strings(write(tmp_path / f"s{suffix}", book()), strings, cells)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("periods").to_python()
    shown = sum(len(row[7]) for row in rows[9:])
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read(f"xl/worksheets/sheet2{'.xml' if suffix == '.xlsx' else '.bin'}")
    count = workbook._xlsx_shared_text if suffix == ".xlsx" else workbook._xlsb_shared_text
    lengths = (workbook._xlsx_shared_lengths if suffix == ".xlsx" else workbook._xlsb_shared_lengths)(strings)
    assert count(sheet, lengths) == shown


def _two_sheets_of_12_million_cells_xlsx(path: Path) -> Path:
    book_ = openpyxl.load_workbook(write_xlsx(path, book()))
    for sheet in ("periods", "gpus"):
        book_[sheet]["L1048576"] = "stray"  # 1,048,576 rows by 12 columns
    book_.save(path)
    return path


def _every_sheet_repeating(block: bytes):
    return lambda path: rewrite_parts(write_ods(path, book()), "content.xml",
                                      lambda xml: xml.replace(b"</table:table>", block + b"</table:table>"))


@pytest.mark.parametrize("suffix, write, claim", [
    (".xlsx", _two_sheets_of_12_million_cells_xlsx,
     "sheet 'gpus': spans 1,048,576 rows by 12 columns as the file records it, 25,165,8"),
    (".ods", _every_sheet_repeating(b'<table:table-row table:number-rows-repeated="12000"><table:table-cell '
                                    b'table:number-columns-repeated="1000" office:value-type="float" office:value="1">'
                                    b"<text:p>1</text:p></table:table-cell></table:table-row>"),
     "sheet 'periods': spans 12,003 rows by 1,000 columns as the file records it, 24,006,000 with the sheets "
     f"before it, more than the {workbook.MAX_WORKBOOK_CELLS:,} cells"),
    (".ods", _every_sheet_repeating(b'<table:table-row table:number-rows-repeated="60"><table:table-cell '
                                    b'table:number-columns-repeated="1000" office:value-type="string"><text:p>'
                                    b'<text:s text:c="1000"/></text:p></table:table-cell></table:table-row>'),
     "sheet 'periods': holds 60,000,0"),
    # two sheets of 20 MiB, in records of 128 bytes (BrtColInfo, which the reader skips)
    (".xlsb", lambda path: with_streamed_sheets(write_xlsb(path, book()), _xlsb_record(0x3C, bytes(126)), 20, 2),
     "sheet 'periods': with the sheets before it, holds more than the 33,554,432 bytes"),
    (".xlsx", lambda path: with_shared_strings(write_xlsx(path, book()), _SST.format(
        f"<si><t>{'x' * (32 << 20)}</t></si>").encode(), b""),
     "part 'xl/sharedStrings.xml': with the sheets before it, holds more than the 33,554,432 bytes"),
], ids=["xlsx cells", "ods cells", "ods text", "xlsb bytes", "xlsx shared strings bytes"])
def test_sheets_each_within_the_limits_are_refused_past_them_together(tmp_path, monkeypatch, suffix, write, claim):
    """The reader holds every sheet of a workbook at once: sheets each under a limit, together over
    it, are refused at the sheet that takes them past it. The limit on bytes is lowered to 32 MiB
    here, so that the .xlsb case need not write hundreds of megabytes."""
    monkeypatch.setattr(workbook, "MAX_WORKBOOK_BYTES", 32 << 20)
    path = write(tmp_path / f"s{suffix}")
    [problem] = problems_reading(path)
    assert problem.startswith(f"{path}, {claim}") and "with the sheets before it" in problem


@settings(max_examples=300, deadline=None)
@given(records=st.binary(max_size=300))
def test_xlsb_extent_of_any_record_stream_is_a_count_never_an_error(records):
    rows, columns = workbook._xlsb_extent(b"\x91\x01\x00" + records)  # BrtBeginSheetData, then anything
    assert 0 <= rows <= workbook._XLSB_MAX_ROW + 1 and columns >= 0


def test_cells_without_references_read_as_written_and_count_towards_the_extent(tmp_path):
    """References are optional in the format (some writers leave them out): such a workbook reads
    as the same workbook with them, and a far-away row of unreferenced cells is still refused."""
    path = write_xlsx(tmp_path / "with.xlsx", book())
    plain, bare = read_scenario(path), copy_without_references(path)
    with zipfile.ZipFile(bare) as archive:
        assert b' r="' not in archive.read("xl/worksheets/sheet2.xml")
    for name in ("periods", "gpus", "fleet", "training", "inference"):
        pd.testing.assert_frame_equal(getattr(read_scenario(bare), name), getattr(plain, name), obj=name)

    far = b'<row r="1000000">' + b'<c t="n"><v>1</v></c>' * 25 + b"</row></sheetData>"
    stray = rewrite_parts(bare, "xl/worksheets/",
                          lambda xml: xml.replace(b"</sheetData>", far, 1) if b"power_mw" in xml else xml)
    [problem] = problems_reading(stray)
    assert "spans 1,000,000 rows by 25 columns" in problem and problem.startswith(str(stray))


@pytest.mark.parametrize("name", ["saved-as.xlsx", "saved-as.ods", "saved-as.xls"])
def test_a_workbook_is_read_by_its_content_whatever_its_name_says(tmp_path, name):
    """An .xls saved under an .xlsx name (or the other way round) is what users send: the bytes say
    which format it is, and the reader, calamine and openpyxl alike, go by them."""
    xls = tmp_path / name
    xls.write_bytes((ROOT / "tests" / "data" / "scenario-with-errors.xls").read_bytes())
    assert "spreadsheet error '#DIV/0!'" in problems_reading(xls)[0]
    sheets = book()
    sheets["periods"][1][1] = "=1000"  # a formula: the reader takes openpyxl's path for this workbook
    xlsx = write_xlsx(tmp_path / "book.xlsx", sheets)
    renamed = xlsx.rename(tmp_path / f"{name}.other{Path(name).suffix}")
    again = write_xlsx(tmp_path / "again.xlsx", sheets)
    read = [m.replace(str(renamed), "X") for m in problems_reading(renamed)]
    assert read and read == [m.replace(str(again), "X") for m in problems_reading(again)]


def test_a_hidden_sheet_the_planner_reads_is_named_in_a_warning(tmp_path):
    """A sheet kept out of sight (an old version, say) is still the one read: the plan says so.
    Both readers tell a hidden sheet: calamine, and openpyxl for workbooks with formulas."""
    path = write_xlsx(tmp_path / "s.xlsx", book())
    edit = openpyxl.load_workbook(path)
    edit["periods"].sheet_state = "hidden"
    edit.save(path)
    assert f"{path}, sheet 'periods': the workbook hides this sheet; it is read all the same" in (
        read_scenario(path).warnings)
    hidden = {grid.name: grid.hidden for grid in workbook._read_openpyxl(path)}
    assert hidden["periods"] and not hidden["site"]


def test_a_hidden_row_the_planner_reads_is_named_in_a_warning(tmp_path):
    """A row hidden by a filter (a cancelled run filtered out, say) was planned in silence, where a
    hidden sheet is warned of: the rows hidden that hold values are named, hidden blank rows are not,
    with and without formulas in the workbook, and with and without the rows' numbers, which the format
    lets a writer leave out where a row follows the row before."""
    sheets = book(training=[*map(list, BASE["training"]), ["cancelled", 100, 10000, 0.5, "P1", "P2", 9]])
    sheets["training"][1][3] = "=0.25*2"
    for saved in (False, True):
        path = write_xlsx(tmp_path / "s.xlsx", sheets)
        edit = openpyxl.load_workbook(path)
        edit["training"].auto_filter.ref = "A1:G3"
        for row in (3, 5):  # the cancelled run, and a blank row under the table
            edit["training"].row_dimensions[row].hidden = True
        if not saved:
            edit["training"]["D2"] = 0.5
        edit.save(path)
        if saved:
            path = with_saved_results(path, {("training", "D2"): "0.5"})
        bare = copy_without_references(path)
        sheet = f"xl/worksheets/sheet{list(BASE).index('training') + 1}.xml"
        assert b'<row hidden="1"' in zipfile.ZipFile(bare).read(sheet)  # the cancelled run's
        for workbook in (path, bare):
            scenario = read_scenario(workbook)
            assert scenario.training["workload"].tolist() == ["T1", "cancelled"]
            assert scenario.warnings == [
                f"{workbook}, sheet 'training': the workbook hides row 3 (a filter, say); it is read all the same"]


def test_a_hidden_row_of_an_xlsb_or_ods_is_named_in_a_warning(tmp_path):
    """Only an .xlsx told its hidden rows: a row filtered out of an .xlsb (its row header's hidden flag) or an
    .ods (table:visibility) was planned in silence. It is warned of too; an .ods's empty rows hidden to the
    sheet's edge in one element are not."""
    sheets = book(training=[*BASE["training"], ["cancelled", 100, 10000, 0.5, "P1", "P2", 9]])
    shown, hidden = (_xlsb_record(0x00, struct.pack("<IIHBBB", 2, 0, 300, 0, flags, 0)) for flags in (0, 0x10))
    path = rewrite_parts(write_xlsb(tmp_path / "s.xlsb", sheets), "xl/worksheets/sheet5.bin",
                         lambda data: data.replace(shown, hidden))

    def hide(content: bytes) -> bytes:
        head, name, rest = content.partition(b'table:name="training">')
        rows = rest.split(b"<table:table-row>", 3)  # before the header, the header, T1, then the cancelled run
        rest = b"<table:table-row>".join(rows[:3]) + b'<table:table-row table:visibility="filter">' + rows[3]
        edge = (b'<table:table-row table:number-rows-repeated="1048570" table:visibility="collapse">'
                b"<table:table-cell/></table:table-row></table:table>")
        return head + name + rest.replace(b"</table:table>", edge, 1)

    for workbook in (path, rewrite_parts(write_ods(tmp_path / "s.ods", sheets), "content.xml", hide)):
        scenario = read_scenario(workbook)
        assert scenario.training["workload"].tolist() == ["T1", "cancelled"]
        assert scenario.warnings == [
            f"{workbook}, sheet 'training': the workbook hides row 3 (a filter, say); it is read all the same"]


def test_a_hidden_row_of_an_xls_is_named_in_a_warning(tmp_path):
    """As in the other formats, a row an .xls hides (its ROW record's fDyZero flag) is warned of: the training
    run of tests/data/scenario-with-errors.xls hidden, and its error cells given the results of the scenario."""
    data = (ROOT / "tests" / "data" / "scenario-with-errors.xls").read_bytes()
    row = struct.pack("<HHHHHHH", 0x0208, 16, 1, 0, 7, 300, 0)  # ROW: row 2 of the sheet of 7 columns, training
    changes = {row + struct.pack("<HHH", 0, 0x0100, 15): row + struct.pack("<HHH", 0, 0x0120, 15),
               bytes.fromhex("020007000000ffff"): struct.pack("<d", 1000),  # the saved #DIV/0! of hours
               bytes.fromhex("02002a000000ffff"): struct.pack("<d", 80)}  # the saved #N/A of hbm_gb
    for old, new in changes.items():
        assert data.count(old) == 1
        data = data.replace(old, new)
    path = tmp_path / "s.xls"
    path.write_bytes(data)
    scenario = read_scenario(path)
    assert scenario.training["workload"].tolist() == ["T1"]
    assert scenario.warnings == [
        f"{path}, sheet 'training': the workbook hides row 2 (a filter, say); it is read all the same"]


def test_a_blank_in_merged_cells_is_named_as_such(tmp_path):
    """A group label merged down its rows (each GPU type's fleet rows under one 'gpu' cell) gives its value to
    the first row only: the others were reported as plain blanks, with nothing to say why. They are named as
    merged, with the first cell and its value, in an .xlsx with and without formulas, an .ods and an .xls."""
    sheets = book(fleet=[["gpu", "period", "installed"], ["G1", "P1", 1000], [None, "P2", 1000]])
    message = ("required value is blank: it lies in cells merged with A2 ('G1'), which give their value to the first "
               "cell only; unmerge them and fill in each cell")
    for formulas in (False, True):
        sheets["training"][1][3] = "=0.25*2" if formulas else 0.5
        path = write_xlsx(tmp_path / "s.xlsx", sheets)
        edit = openpyxl.load_workbook(path)
        edit["fleet"].merge_cells("A2:A3")
        edit.save(path)
        if formulas:
            path = with_saved_results(path, {("training", "D2"): "0.5"})
        assert problems_reading(path) == [f"{place(path, 'fleet', 3, 'gpu')}{message}"]
    sheets["training"][1][3] = 0.5
    sheets["fleet"][1][0], sheets["fleet"][2][0] = OdsSpan("G1", 2), COVERED
    path = write_ods(tmp_path / "s.ods", sheets)
    assert problems_reading(path) == [f"{path}, sheet 'fleet', row 3, column 'gpu': {message}"]
    # the same sheets as .xls, A2:A3 merged by xlwt 1.3's write_merge (no library here writes .xls)
    path = ROOT / "tests" / "data" / "scenario-with-merged-cells.xls"
    assert problems_reading(path) == [f"{path}, sheet 'fleet', row 3, column 'gpu': {message}"]


def test_a_blank_in_merged_cells_is_refused_where_a_default_or_the_catalogue_would_fill_it(tmp_path):
    """Merged down two catalogue GPUs, an it_w and an idle_w show their value on both rows, but the second row's
    cells are blank: they took the built-in catalogue's it_w and the default idle_w of 0 in silence, a plan other
    than the sheet shows. They are refused as a required blank in merged cells is, in an .xlsx and an .ods."""
    gpus = [*BASE["gpus"], ["H100-SXM", None, None, None, 1400, 300], ["H200-SXM", None, None, None, None, None]]
    merged = ("it lies in cells merged with {} ('{}'), which give their value to the first cell only; unmerge them "
              "and fill in each cell")
    xlsx = write_xlsx(tmp_path / "s.xlsx", book(gpus=gpus))
    edit = openpyxl.load_workbook(xlsx)
    edit["gpus"].merge_cells("E3:E4")
    edit["gpus"].merge_cells("F3:F4")
    edit.save(xlsx)
    gpus[2][4:], gpus[3][4:] = [OdsSpan("1400", 2), OdsSpan("300", 2)], [COVERED, COVERED]
    ods = write_ods(tmp_path / "s.ods", book(gpus=gpus))
    for path in (xlsx, ods):
        assert problems_reading(path) == [
            f"{path}, sheet 'gpus', row 4, column 'idle_w': value is blank: {merged.format('F3', '300')}",
            f"{path}, sheet 'gpus', row 4, column 'it_w': value is blank: {merged.format('E3', '1400')}"]


def test_a_csv_folder_names_its_files_in_what_it_says(tmp_path):
    """In a folder of CSV files a sheet is a file: an empty file is called empty (not three missing
    columns), a misspelt optional file is hinted as a file, and two files that are one sheet are both
    named."""
    folder = write_scenario(scenario_tables(), tmp_path / "s")
    (folder / "throughputs.csv").write_text("workload,gpu,tokens_per_s_per_gpu\n")
    scenario = read_scenario(folder)
    assert scenario.warnings == [f"{folder / 'throughputs.csv'}: not read (is it the file 'throughput.csv'?)"]
    (folder / "Periods.csv").write_text("period,hours,power_mw\nP1,1000,100\n")
    assert problems_reading(folder) == [
        f"{folder}: {folder / 'Periods.csv'} and {folder / 'periods.csv'} are both the sheet 'periods' (case aside); "
        "keep one"]
    (folder / "Periods.csv").unlink()
    (folder / "periods.csv").write_text("")
    assert problems_reading(folder) == [f"{folder / 'periods.csv'}: the file is empty"]
