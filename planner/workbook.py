"""Read and validate a scenario workbook (xlsx, or a folder with one CSV per sheet).

``read_scenario(path)`` returns a :class:`Scenario` of typed pandas tables, or
raises :class:`InputError` carrying every problem found, each naming the file,
sheet, row (as the spreadsheet numbers it) and column.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import errno
import io
import itertools
import math
import os
import posixpath
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np
import pandas as pd

from planner import catalogue
from planner.files import file_in_path, replace_atomically
from planner.schema import (SHEETS, SHEETS_BY_NAME, SITE_KEYS, UNIT_SPELLINGS, UNITLESS, Column, Sheet, ceiling, floor,
                            range_text)
from planner.sizing import BYTES_PER_PARAM, HBM_USABLE, MAX_REPLICA_GPUS, PEAK_COLUMN
from planner.spelling import (BIDI_CONTROLS, CONTROLS, INVISIBLE, closest, folded, meant, periods_in_runs,
                              precision_apart, printable, run_spans, significant, spoken)

MAX_ERRORS_SHOWN = 25


class InputError(Exception):
    """Bad input: one message per problem, each naming where it is."""

    def __init__(self, problems: list[str]):
        self.problems = [printable(problem) for problem in problems]  # one line each, as a terminal shows it
        shown = self.problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more problems" if more > 0 else "")
        super().__init__(text)


@dataclass
class Scenario:
    """A validated scenario. All tables carry their units in column names.

    The sheets' tables hold the columns :data:`planner.schema.SHEETS` lists (docs/workbook.md), blanks filled
    with their defaults:

    - ``periods``: period, hours, power_mw (in time order; index 0..T-1)
    - ``gpus``: gpu, bf16_tflops, hbm_gb, hbm_tbps, it_w, idle_w, fp8_tflops, fp4_tflops, mfu
    - ``fleet``: installed GPUs as a gpu x period table (0 where not listed)
    - ``training``: workload, params_b, active_params_b, tokens_b, precision, mfu, goodput, min_gpus,
      max_gpus, power_factor, start_period, deadline_period, priority
    - ``inference``: workload, params_b, active_params_b, tokens_per_day_b, input_tokens_per_day_b,
      precision, layers, kv_heads, head_dim, context_tokens, min_tokens_per_s_per_user, power_factor,
      peak_factor, priority, start_period
    - ``throughput``: workload, gpu, tokens_per_s_per_gpu, train_tflops_per_gpu (measured)
    - ``origins``: per sheet, a table shaped like the sheet's table saying where each cell
      came from: "workbook", "default" (blank, the column's default applied), "catalogue"
      (blank, filled from the built-in GPU catalogue), "estimate" (so filled, with the catalogue's own estimate
      of an all-in draw no system power is published for), "name" (a period's hours, worked out from its name) or
      "blank" (no value)
    """

    name: str
    source: Path
    pue: float
    periods: pd.DataFrame
    gpus: pd.DataFrame
    fleet: pd.DataFrame
    training: pd.DataFrame
    inference: pd.DataFrame
    throughput: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    origins: dict[str, pd.DataFrame] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# raw tables
#
# Engines: python-calamine reads .xlsx/.xlsm/.xlsb/.xls/.ods about ten times faster than
# openpyxl (measured: 2,000 workloads 19 ms against 220 ms; 20,000: 0.11 s against 2.1 s), but it shows a
# cell holding a spreadsheet error (#DIV/0!, #N/A) as blank and cannot tell a formula
# without a saved result from an empty cell. An .xlsx whose sheets hold any formula or
# error cell is therefore read with openpyxl (cached values, data_only), which keeps
# both visible; a legacy .xls is read with xlrd, which keeps them too; everything else goes
# through calamine. The error cells of an .ods (found in its content.xml) are written over
# calamine's blanks.


@dataclass
class _RawSheet:
    """A sheet as read: cells as typed by the user, plus where each row came from."""

    frame: pd.DataFrame  # object dtype, one column per header
    rows: list[int]  # spreadsheet row number of each frame row
    where: str  # "file, sheet 'x'" or "file.csv"
    header_row: int = 1  # spreadsheet row number of the header
    positions: dict[str, int] = field(default_factory=dict)  # column name -> 0-based column index
    # formula text of formula cells that carry no saved result, by (row, 0-based column index)
    unsaved: dict[tuple[int, int], str] = field(default_factory=dict)
    repeated: dict[str, list[int]] = field(default_factory=dict)  # header given twice -> column indexes
    decimals: Decimals = field(default_factory=lambda: POINT)  # how the file writes its numbers' text
    header_units: dict[str, str] = field(default_factory=dict)  # column name -> text in brackets after it
    unnamed: list[int] = field(default_factory=list)  # 0-based indexes of columns with values but no heading
    hidden: bool = False  # the workbook hides the sheet
    # formula text of formula cells saved as 0 in a workbook that asks to be recalculated on opening
    recalculated: Mapping[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: frozenset[int] = frozenset()  # spreadsheet numbers of the rows the workbook hides
    # cells merged into one whose first cell holds a value: (first row, first column, last row, last column, value),
    # rows as the spreadsheet numbers them, columns from 0 (see _Grid.merged)
    merged: Sequence[tuple[int, int, int, int, object]] = ()
    # a CSV file's last row where the file ends inside it, short of the heading's fields: (row, fields, headings)
    cut_short: tuple[int, int, int] | None = None
    _merged_by_column: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int, object]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def formula(self, row: int, column: str) -> str | None:
        """The formula of a cell that has no saved result, if the cell is one."""
        position = self.positions.get(column)
        return None if position is None else self.unsaved.get((row, position))

    def merged_with(self, row: int, column: str) -> tuple[str, object] | None:
        """The first cell (as 'A2') and its value, of the merged cells that a cell lies in but does not start;
        None for a cell in no such merge. Merges do not overlap: where a damaged file overlaps them, some may be
        missed."""
        position = self.positions.get(column)
        if position is None or not self.merged:
            return None
        [i] = self._merge_holding(np.array([row]), position)
        if i < 0:
            return None
        first, c1, value = self._merges_across(position)[3][i]
        return f"{_column_letter(c1)}{first}", value

    def in_merges(self, column: str) -> np.ndarray:
        """For each of :attr:`rows`, whether its cell of ``column`` lies in merged cells it does not start, as
        :meth:`merged_with` tells, for every row at once."""
        rows = np.asarray(self.rows, dtype=np.int64)
        position = self.positions.get(column)
        if position is None or not self.merged:
            return np.zeros(len(rows), dtype=bool)
        return self._merge_holding(rows, position) >= 0

    def _merge_holding(self, rows: np.ndarray, position: int) -> np.ndarray:
        """For each of ``rows``, the merge across the column at ``position`` (its place in
        :meth:`_merges_across`) that its cell lies in but does not start; -1 for none."""
        first, last, c1, _ = self._merges_across(position)
        i = np.searchsorted(first, rows, side="right") - 1
        j = np.maximum(i, 0)
        inside = (i >= 0) & (rows <= last[j]) & ~((rows == first[j]) & (c1[j] == position)) if len(first) else False
        return np.where(inside, i, -1)

    def _merges_across(self, position: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int, object]]]:
        """The merges across the column at ``position``, by their first row: their first rows, last rows and first
        columns, and (first row, first column, value) of each."""
        if position not in self._merged_by_column:
            spans = sorted((r1, r2, c1, value) for r1, c1, r2, c2, value in self.merged if c1 <= position <= c2)
            first, last, c1 = (np.array([span[k] for span in spans], dtype=np.int64) for k in range(3))
            self._merged_by_column[position] = first, last, c1, [(r1, c1, value) for r1, _, c1, value in spans]
        return self._merged_by_column[position]


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and the wrapper of every encrypted Office file
_ZIP = b"PK\x03\x04"
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_NOT_A_WORKBOOK = "not a workbook (expected .xlsx or a folder of CSV files)"


def _unreadable(path: Path, why: str = " (password protected or damaged?)") -> str:
    """Why ``path`` cannot be read, named by its own format (an .ods is no xlsx file)."""
    return f"not a readable {path.suffix.lstrip('.').lower()} file{why}"


_PROTECTED = ": it is password protected (encrypted); save a copy without a password and use that"


def _unreachable(path: Path) -> str | None:
    """Why nothing can be read at ``path``, if so: a folder on the way to it that may not be entered, a
    symbolic link whose target was moved or deleted, links that lead back to one another (or through more
    than the system follows), or nothing there (with the file that stands where the path has a folder, if
    one does); else None. A link is named as one, with where it leads:
    the link itself is there, so calling the file missing would mislead."""
    try:
        os.stat(path)
        return None
    except OSError as exc:
        error = exc
    # reaching a file takes leave to enter every folder on the way, not to read the file itself
    denied = "not readable (permission denied on a folder on the way to it)"
    if not os.path.islink(path):
        if isinstance(error, PermissionError):
            return denied
        if error.errno == errno.ENOTDIR and (blocking := file_in_path(path.parent)) is not None:
            return f"no such file or folder: {blocking} is a file, not a folder"
        return "no such file or folder"
    if error.errno == errno.ELOOP:
        return "a link that leads back to itself, or through too many links to follow; point it at the file"
    target = os.path.realpath(path)  # through every link on the way, to the name that cannot be reached
    if isinstance(error, PermissionError):
        return f"a link to {target}, which is {denied}"
    return f"a link to {target}, which does not exist"


def _load_raw(path: Path) -> dict[str, _RawSheet]:
    if (why := _unreachable(path)) is not None:
        raise InputError([f"{path}: {why}"])
    if path.is_dir():
        return _load_csv_folder(path)
    if (why := _not_a_file(path)) is not None:
        raise InputError([why])
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputError([f"{path}: cannot open the file ({exc.strerror or exc})"]) from None
    if size == 0:
        raise InputError([f"{path}: the file is empty"])
    suffix = path.suffix.lower()
    if head.startswith(_ZIP) and zipfile.is_zipfile(path):
        grids = _read_zip_workbook(path)
    elif head == _OLE2:
        grids = _read_ole2_workbook(path)
    elif suffix == ".csv":
        raise InputError([f"{path}: a single CSV file; give the folder that holds one CSV file per sheet"])
    elif suffix in (".xlsx", ".xlsm"):
        raise InputError([f"{path}: {_unreadable(path)}"])
    elif suffix in _SPREADSHEET_SUFFIXES:
        raise InputError([f"{path}: {_unreadable(path, ' (damaged?)')}"])
    else:
        raise InputError([f"{path}: {_NOT_A_WORKBOOK}"])
    return _sheets_by_name(path, [
        (grid.name, replace(_from_rows(grid.rows, f"{path}, sheet '{grid.name}'", grid.unsaved,
                                       known=_headings(grid.name)),
                            hidden=grid.hidden, recalculated=grid.recalculated, hidden_rows=grid.hidden_rows,
                            merged=_merged_values(grid)))
        for grid in grids])


def _merged_values(grid: _Grid) -> list[tuple[int, int, int, int, object]]:
    """The merges of ``grid`` whose first cell holds a value, each with that value."""
    out = []
    for r1, c1, r2, c2 in grid.merged:
        value = grid.rows[r1 - 1][c1] if r1 <= len(grid.rows) and c1 < len(grid.rows[r1 - 1]) else None
        if not _blank(value) and (r1, c1) != (r2, c2):
            out.append((r1, c1, r2, c2, value))
    return out


def _sheet_key(name: object) -> str:
    """A sheet's name as the schema spells it, if it is one: case and surrounding spaces do not matter."""
    return str(name).strip().lower()


def _headings(name: object) -> frozenset[str]:
    """The column names of the planner's sheet ``name``; none for another sheet."""
    sheet = SHEETS_BY_NAME.get(_sheet_key(name))
    return frozenset(column.name for column in sheet.columns) if sheet is not None else frozenset()


def _is_read(name: object) -> bool:
    """Whether the planner reads the sheet ``name``: the sheets of a workbook that are none of its own
    (data, notes, calculations) are listed for hints and warnings but not read, and count against no limit,
    but in an .ods, whose reader holds every sheet as it opens the file."""
    return _sheet_key(name) in SHEETS_BY_NAME


def _sheets_by_name(source: Path, sheets: list[tuple[str, _RawSheet]]) -> dict[str, _RawSheet]:
    """Sheets by their name as the schema spells it (case and surrounding spaces do not matter)."""
    out: dict[str, _RawSheet] = {}
    for name, raw in sheets:
        key = _sheet_key(name)
        if key in out:
            if source.is_dir():  # a folder of CSV files: a sheet is a file
                raise InputError([f"{source}: {out[key].where} and {raw.where} are both the sheet '{key}' (case "
                                  "aside); keep one"])
            raise InputError([f"{source}: two sheets are named '{key}' (case and spaces aside); keep one"])
        out[key] = raw
    return out


_NONE: Mapping = MappingProxyType({})


class _Grid(NamedTuple):
    """A sheet as a reader gives it; cells by (spreadsheet row, 0-based column)."""

    name: str
    rows: list[list]  # the cells, row by row
    unsaved: Mapping[tuple[int, int], str] = _NONE  # formula text of formula cells with no saved result
    hidden: bool = False  # the workbook hides the sheet
    # formula text of formulas saved as 0 by a writer that leaves their results to the spreadsheet (_read_openpyxl)
    recalculated: Mapping[tuple[int, int], str] = _NONE
    hidden_rows: frozenset[int] = frozenset()  # spreadsheet numbers of the rows the workbook hides
    # cells merged into one, as (first row, first column, last row, last column): rows as the spreadsheet numbers
    # them, columns from 0 (.xlsx, .ods, .xls). The readers give the value to the first cell only, the others are
    # blank.
    merged: Sequence[tuple[int, int, int, int]] = ()


# cells merged into one (<mergeCells><mergeCell ref="A2:A5"/>), their first and last cell
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s[^<>]*?\bref\s*=\s*[\"']"
                         rb"([A-Za-z]{1,3})([0-9]{1,7}):([A-Za-z]{1,3})([0-9]{1,7})[\"']")


def _xlsx_merged(xml: bytes) -> list[tuple[int, int, int, int]]:
    """The merged cells of a worksheet's XML, as :attr:`_Grid.merged` gives them."""
    if b"mergeCell" not in xml:  # most sheets have none: a plain search is several times faster than the pattern's
        return []
    out = []
    for first, top, last, bottom in _MERGE_CELL.findall(xml):
        left, right = _column_number(first.decode().upper()) - 1, _column_number(last.decode().upper()) - 1
        out.append((min(int(top), int(bottom)), min(left, right), max(int(top), int(bottom)), max(left, right)))
    return out


def _read_zip_workbook(path: Path) -> list[_Grid]:
    claims = _Claims(path)
    hidden_rows: dict[str, list[range]] = {}  # by sheet: the rows it hides (a filter, say), as spreadsheet numbers
    merged: dict[str, list[tuple[int, int, int, int]]] = {}  # by sheet: its merged cells (.xlsx, .ods)
    sheet_xml: dict[str, bytes] = {}  # by sheet: its XML, for the formulas openpyxl reads without a result
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:  # .xlsx/.xlsm, or .xlsb
                xml = "xl/workbook.xml" in names
                workbook = _read_part(path, archive, "xl/workbook.xml" if xml else "xl/workbook.bin")
                titles = _sheet_titles(path, archive, workbook, xml)
                # every part there, whatever its name ends with, and any part elsewhere the workbook names as
                # a sheet: the readers take a sheet from wherever its relationship leads (a sheet1.dat, say)
                sheets = []
                for part in sorted(n for n in names if n.startswith("xl/worksheets/") and not n.endswith("/")
                                   or n in titles):
                    if part in titles and not _is_read(titles[part]):
                        continue
                    where = f"sheet '{titles[part]}'" if part in titles else f"sheet file '{part}'"
                    data = claims.part(archive, part, where)
                    sheets.append((where, data))
                    if xml and part in titles:
                        sheet_xml[titles[part]] = data
                    hidden: set[int] = set()  # the rows the sheet hides, found with its extent
                    claims.span(where, *(_xlsx_extent if xml else _xlsb_extent)(data, hidden))
                    if part in titles:
                        if xml:
                            merged[titles[part]] = _xlsx_merged(data)
                        hidden_rows[titles[part]] = [range(r, r + 1) for r in sorted(hidden)]
                # with formulas, openpyxl reads the workbook (to tell those saved without a result), taking its
                # parts from [Content_Types].xml: only then are they looked up, and openpyxl imported
                formulas = xml and any(_has_formula_or_error(data) for _, data in sheets)
                book, strings = _openpyxl_parts(path, archive) if formulas else ("xl/workbook.xml", None)
                claims.shared_strings(archive, sheets, xml, strings)
                if formulas:
                    claims.openpyxl_parts(archive, book)
                    if book != "xl/workbook.xml":  # openpyxl would read other sheets than those claimed
                        why = f": it holds two workbooks (xl/workbook.xml and {book}); re-save it in a spreadsheet app"
                        raise InputError([f"{path}: {_unreadable(path, why)}"])
                    recalculate = _RECALCULATE.search(workbook) is not None
                    return _with_layout(_read_openpyxl(path, recalculate, sheet_xml), hidden_rows, merged)
            elif b"opendocument.spreadsheet" in (_read_part(path, archive, "mimetype") if "mimetype" in names else b""):
                if "content.xml" in names:
                    errors, extents, texts = _ods_scan(io.BytesIO(claims.part(archive, "content.xml")), merged,
                                                       hidden_rows)
                    # every sheet, the planner's or not: calamine holds each whole as it opens the file
                    for sheet, extent in extents.items():
                        claims.span(f"sheet '{sheet}'", *extent)
                    for sheet, characters in texts.items():
                        claims.text(f"sheet '{sheet}'", characters)
                    return _with_layout(_with_errors(_read_calamine(path), errors), hidden_rows, merged)
            else:
                raise InputError([f"{path}: not a spreadsheet (a zip archive without a workbook inside)"])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, RuntimeError, ValueError, EOFError,
            NotImplementedError, ElementTree.ParseError, expat.ExpatError):
        raise InputError([f"{path}: {_unreadable(path)}"]) from None
    return _with_layout(_read_calamine(path), hidden_rows, merged)


def _with_layout(grids: list[_Grid], hidden_rows: dict[str, list[range]],
                 merged: dict[str, list[tuple[int, int, int, int]]]) -> list[_Grid]:
    """``grids`` with the rows each sheet hides, those past its cells left out (an .ods may hide a million empty
    rows in one element), and its merged cells."""
    return [grid._replace(hidden_rows=frozenset(r for rows in hidden_rows.get(grid.name, ())
                                                for r in range(rows.start, min(rows.stop, len(grid.rows) + 1))),
                          merged=merged.get(grid.name, ()))
            for grid in grids]


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_CELLS = (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell")
_ODS_MAX_REPEAT, _ODS_MAX_ERRORS = 1024, 100_000
_ODS_VALUE_TYPE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
_ODS_STRING_VALUE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}string-value"
_ODS_SPACES = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}s"
_ODS_SPACE_COUNT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}c"
_ODS_SPANS = ("rows", "columns")  # a merged cell's number-rows-spanned and number-columns-spanned

_Extents = dict[str, tuple[int, int]]  # sheet name -> rows and columns spanned by filled cells
_Errors = dict[str, dict[tuple[int, int], str]]  # sheet name -> (row, column), both from 0 -> error shown
_Texts = dict[str, int]  # sheet name -> characters of text in its cells


def _ods_scan(content, merged: dict[str, list[tuple[int, int, int, int]]] | None = None,
              hidden: dict[str, list[range]] | None = None) -> tuple[_Errors, _Extents, _Texts]:
    """What an .ods ``content.xml`` holds beyond what calamine shows: the cells that show a
    spreadsheet error, and the extent of each sheet; and, into ``merged`` if given, each sheet's
    merged cells (a cell spanning rows or columns, ``table:number-rows-spanned``, as :attr:`_Grid.merged`
    gives them); into ``hidden`` if given, the rows each sheet hides (``table:visibility`` collapse or
    filter), as ranges of spreadsheet row numbers.

    Errors: (row, column), both from 0, -> the error as shown (#DIV/0!, Err:502, ...). LibreOffice
    marks them ``calcext:value-type="error"``; from other writers, a formula cell whose text is a
    known error counts too. Repeated cells and rows count once per repeat, up to
    :data:`_ODS_MAX_REPEAT` each and :data:`_ODS_MAX_ERRORS` in all: enough to report them, and
    bounded however the file repeats them.

    Extents: rows and columns up to the last cell that holds anything (a value, a formula or
    text), repeats counted in full; empty cells repeated to the sheet's edge, as LibreOffice
    writes them, do not count. The reader holds that extent whole (see :data:`MAX_WORKBOOK_CELLS`).

    Texts: characters in each sheet's cells, each space run (``<text:s text:c="n"/>``) as its n
    spaces and each repeated cell and row once per repeat, as the reader holds them (see
    :data:`MAX_WORKBOOK_TEXT`).
    """
    errors: _Errors = {}
    extents: _Extents = {}
    texts: _Texts = {}
    sheet, row, column, in_row, found, row_columns, row_text = "", 0, 0, [], 0, 0, 0
    for event, element in ElementTree.iterparse(content, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_ODS_TABLE}table":
                sheet, row = element.get(f"{_ODS_TABLE}name", ""), 0
            elif tag == f"{_ODS_TABLE}table-row":
                column, in_row, row_columns, row_text = 0, [], 0, 0
            continue
        if tag in _ODS_CELLS:
            repeat = int(element.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
            formula = element.get(f"{_ODS_TABLE}formula")
            if len(element) or formula or element.get(_ODS_VALUE_TYPE):
                row_columns = column + repeat
            marked = element.get(f"{_ODS_CALCEXT}value-type") == "error"
            shown = "".join(element.itertext()).strip() if marked or formula else ""  # only these can show one
            if marked or (formula and _spreadsheet_error(shown)):
                in_row += [(column + k, shown or "#VALUE!") for k in range(min(repeat, _ODS_MAX_REPEAT))]
            # a few bytes can stand for a billion spaces, and the reader copies a cell's text per repeat
            text = (len(element.get(_ODS_STRING_VALUE, "")) + sum(map(len, element.itertext()))
                    + sum(max(int(s.get(_ODS_SPACE_COUNT, "1")), 0) for s in element.iter(_ODS_SPACES)))
            row_text += max(repeat, 1) * text
            if merged is not None:  # a merge repeated would overlap itself: its first is kept
                rows, columns = (_ods_span(element.get(f"{_ODS_TABLE}number-{what}-spanned")) for what in _ODS_SPANS)
                if rows > 1 or columns > 1:
                    merged.setdefault(sheet, []).append((row + 1, column, row + rows, column + columns - 1))
            column += repeat
            element.clear()
        elif tag == f"{_ODS_TABLE}table-row":
            repeat = int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
            if row_columns:
                extents[sheet] = (row + repeat, max(row_columns, extents.get(sheet, (0, 0))[1]))
            if row_text:
                texts[sheet] = texts.get(sheet, 0) + max(repeat, 1) * row_text
            for k in range(min(repeat, _ODS_MAX_REPEAT, (_ODS_MAX_ERRORS - found) // max(len(in_row), 1))
                           if in_row else 0):
                errors.setdefault(sheet, {}).update({(row + k, c): shown for c, shown in in_row})
                found += len(in_row)
            if hidden is not None and element.get(f"{_ODS_TABLE}visibility") in ("collapse", "filter"):
                hidden.setdefault(sheet, []).append(range(row + 1, row + repeat + 1))
            row += repeat
            element.clear()
    return errors, extents, texts


def _ods_span(text: str | None) -> int:
    """Rows or columns an .ods cell spans, from its attribute: 1 where it has none, or one that is no count."""
    return int(text) if text and text.isascii() and text.isdigit() else 1


def _with_errors(grids: list[_Grid], errors: _Errors) -> list[_Grid]:
    """``grids`` with each error cell's text where calamine left it blank."""
    for name, rows, *_ in grids:
        for (r, c), shown in errors.get(name, {}).items():
            if r < len(rows) and c < len(rows[r]) and rows[r][c] in ("", None):
                rows[r][c] = shown
    return grids


def _content(name: bytes) -> bytes:
    """A pattern for the content of an element ``name`` up to the first tag that opens another of its name: a
    pattern looking for the element's end stops there, where one taking any text (.*?) would scan to the end of
    the part for each element left unclosed, taking hours over a few kilobytes. Likewise tags' attributes are
    taken up to the next '<' or '>' ([^<>]): no tag holds a '<', so one left open ends at the next tag."""
    return rb"[^<]*(?:<(?!(?:\w+:)?" + name + rb"\b)[^<]*)*?"


# XML lets an attribute take either quote and space around its "=", and the reader takes a reference's
# column letters in either case: a pattern that missed one would let a stray cell's extent go uncounted
_FORMULA_OR_ERROR = re.compile(rb"<(?:\w+:)?f[\s>/]|\bt\s*=\s*[\"']e[\"']")
# a cell, and its reference's column letters and row number if it has one (b"", b"" if not)
_CELL = re.compile(rb"<(?:\w+:)?c(?=[\s>/])(?:[^<>]*?\br\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"'])?")
# a row: its attributes, and its content
_ROW_ELEMENT = re.compile(rb"<(?:\w+:)?row\b([^<>]*?)(?:/>|>(" + _content(b"row") + rb")</(?:\w+:)?row>)")
_ROW_NUMBER = re.compile(rb"\br\s*=\s*[\"']([0-9]{1,7})[\"']")
_HIDDEN = re.compile(rb"\bhidden\s*=\s*[\"'](?:1|true)[\"']")
# a row the workbook hides, and its number if it has one (b"" if not)
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\s(?=[^<>]*?%s)(?:[^<>]*?%s)?" % (_HIDDEN.pattern, _ROW_NUMBER.pattern))
# The reader holds each sheet's whole extent in memory, about 40 bytes a cell, however few are filled,
# and every sheet it reads of a workbook at once: a file whose sheets claim more cells than this in all (damaged,
# or a stray entry far from a table) is refused before it is read, not left to exhaust the machine's memory.
MAX_WORKBOOK_CELLS = 20_000_000
# Likewise for the text in the sheets' cells (about 1 byte a character, held twice: by the reader, then as
# Python strings), which a few bytes can stand for: an .ods cell repeated, or an .xlsx or .xlsb cell showing
# a shared string, which the reader copies into every cell that shows it (measured: a 14 KB .xlsx showing
# one string of a million characters in 2,000 cells took 3.9 GB to read)
MAX_WORKBOOK_TEXT = 100_000_000
# Likewise for the sheets of a zip-based workbook uncompressed (worksheet parts and the shared strings' part,
# an .ods's content.xml), which are read and walked here first: a megabyte of zip file can inflate to a
# gigabyte, which would take minutes to walk. This is about three million cells of .xlsx, which walk in 2 s
# (the slowest .xlsb stream of it, all two-byte records, in 9 s): a hundred times the sheets of the largest
# benchmark scenario (XL: 5,000 workloads, 1.6 MB as .xlsx), with room for sheets of the user's own beside them.
MAX_WORKBOOK_BYTES = 128 << 20
# Where a workbook has formulas, openpyxl reads it, holding each element of its styles as Python objects (measured:
# a million elements, in a 55 KB file, took 33 s and 1.2 GB; 64,000 formats each with its own fill and alignment,
# 320,000 elements, 9 s and 360 MB). This many is 64,000 cell formats (Excel's most), each with its own font,
# fill, border and alignment: a file whose styles hold more is refused.
MAX_STYLE_ELEMENTS = 1_000_000
# the parts openpyxl reads in read-only mode beside the sheets, the shared strings and the workbook and its
# relationships (openpyxl.reader.excel: the manifest, the package's relationships, styles, properties, the theme,
# which it holds as bytes); and, where the workbook has chart sheets, which it parses even so, every part of
# chart sheets, drawings and charts (its external links it is told not to read)
_OPENPYXL_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/styles.xml", "docProps/core.xml", "docProps/custom.xml",
                   "xl/theme/theme1.xml")
_CHART_PARTS = ("xl/chartsheets/", "xl/drawings/", "xl/charts/")


def _xlsx_extent(xml: bytes, hidden: set[int] | None = None) -> tuple[int, int]:
    """Rows and columns a worksheet's XML spans (A1 = 1 row, 1 column), from its cells' references; into
    ``hidden`` if given, the spreadsheet numbers of the rows it hides.

    References are optional (ECMA-376 Part 1, 18.3.1.73 and 18.3.1.4): a row without one follows the row
    before it (the first is row 1), a cell without one the cell before it in its row (the first is in
    column A), as both readers number them. Where some cell or hidden row has none, the rows are walked.
    """
    hidden = set() if hidden is None else hidden
    cells, hidden_rows = _CELL.findall(xml), _HIDDEN_ROW.findall(xml)
    # a referenced cell counts wherever it is: the reader places it by its reference, even outside a row
    rows = max((int(row) for _, row in cells if row), default=0)
    columns = max((_column_number(letters.decode().upper()) for letters in {letters for letters, _ in cells}
                   if letters), default=0)
    if all(letters for letters, _ in cells) and all(hidden_rows):
        hidden.update(map(int, hidden_rows))
        return rows, columns
    row = 0
    for attributes, content in _ROW_ELEMENT.findall(xml):
        number = _ROW_NUMBER.search(attributes)
        row = int(number.group(1)) if number else row + 1
        if _HIDDEN.search(attributes):
            hidden.add(row)
        cells = _CELL.findall(content)
        if cells and cells.count((b"", b"")) == len(cells):  # none referenced, the usual row: counted, not walked
            rows, columns = max(rows, row), max(columns, len(cells))
            continue
        column = 0
        for letters, _ in cells:
            if letters:  # counted above
                column = _column_number(letters.decode().upper())
            else:
                column += 1
                rows, columns = max(rows, row), max(columns, column)
    return rows, columns


# .xlsb records the reader keeps as cells (BrtCellRk to BrtFmlaBool, MS-XLSB 2.4), each starting with
# its column; a row header (BrtRowHdr) starts with its row, which applies to the cells after it
_XLSB_ROW_HEADER, _XLSB_CELLS, _XLSB_BEGIN_DATA, _XLSB_END_DATA = 0x0000, range(0x0002, 0x000B), 0x0091, 0x0092
_XLSB_MAX_ROW = 0x0010_0000  # the reader stops at a row header past this
_XLSB_ROW_HIDDEN = 0x10  # fDyZero, in the 12th byte of a row header (MS-XLSB 2.4.726): the row is hidden
# a cell showing a shared string (BrtCellIsst: column, style, index), and the shared strings' records
# (BrtBeginSst, BrtSSTItem, and the future-record blocks the reader skips)
_XLSB_CELL_ISST, _XLSB_BEGIN_SST, _XLSB_SST_ITEM, _XLSB_BEGIN_FUTURE, _XLSB_END_FUTURE = 0x07, 0x9F, 0x13, 0x23, 0x24


def _xlsb_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """The records of an .xlsb part, as (type, where its body starts, size): each record is a type (one or
    two bytes, seven bits each) and a size (one to four bytes, likewise), then the body. A stream cut
    short ends at the last whole record header."""
    at, end = 0, len(data)
    try:
        while at < end:
            kind = data[at]
            if kind & 0x80:
                at += 1
                kind = kind & 0x7F | (data[at] & 0x7F) << 7
            size = data[at + 1]
            if size & 0x80:  # 128 bytes or more, rare: a loop for every record would halve the walk's speed
                size &= 0x7F
                for shift in (7, 14, 21):
                    at += 1
                    size |= (data[at + 1] & 0x7F) << shift
                    if not data[at + 1] & 0x80:
                        break
            at += 2
            yield kind, at, size
            at += size
    except IndexError:
        pass


def _xlsb_extent(data: bytes, hidden: set[int] | None = None) -> tuple[int, int]:
    """Rows and columns an .xlsb worksheet's cells span (as :func:`_xlsx_extent`), from its record
    stream; a stream cut short gives the extent of what it holds. Into ``hidden`` if given, the
    spreadsheet numbers of the rows it hides (their row header's fDyZero flag)."""
    rows = columns = row = 0
    in_data = False
    for kind, at, size in _xlsb_records(data):
        if kind == _XLSB_BEGIN_DATA:
            in_data = True
        elif kind == _XLSB_END_DATA:
            break
        elif in_data and size >= 4:
            position = int.from_bytes(data[at:at + 4], "little")
            if kind == _XLSB_ROW_HEADER:
                if position > _XLSB_MAX_ROW:
                    break
                row = position
                if hidden is not None and size >= 12 and at + 11 < len(data) and data[at + 11] & _XLSB_ROW_HIDDEN:
                    hidden.add(row + 1)
            elif kind in _XLSB_CELLS:
                rows, columns = max(rows, row + 1), max(columns, position + 1)
    return rows, columns


def _xlsb_shared_lengths(data: bytes) -> list[int]:
    """The length of each shared string of an .xlsb (``xl/sharedStrings.bin``) as the reader indexes them:
    the BrtSSTItem records after BrtBeginSst, those in future-record blocks aside. An item is its flags,
    then its length and characters; the reader takes the length as given, checked only against a buffer
    it keeps as large as the largest record so far, so a record of seven bytes can claim a million
    characters: each claim counts, up to that buffer."""
    lengths, largest, begun, future = [], 0, False, False
    for kind, at, size in _xlsb_records(data):
        largest = max(largest, size)
        if not begun:
            begun = kind == _XLSB_BEGIN_SST
        elif future:
            future = kind != _XLSB_END_FUTURE
        elif kind == _XLSB_BEGIN_FUTURE:
            future = True
        elif kind == _XLSB_SST_ITEM:
            claimed = int.from_bytes(data[at + 1:at + 5], "little") if size >= 5 else largest
            lengths.append(min(claimed, max(largest - 5, 0) // 2))
    return lengths


def _xlsb_shared_text(data: bytes, lengths: list[int]) -> int:
    """Characters of shared strings an .xlsb worksheet's cells show (BrtCellIsst: column, style, index)."""
    shown = (int.from_bytes(data[at + 8:at + 12], "little")
             for kind, at, size in _xlsb_records(data) if kind == _XLSB_CELL_ISST and size >= 12)
    return sum(lengths[index] for index in shown if index < len(lengths))


def _stream_xml(xml: bytes, start: Callable[[str, dict], None], end: Callable[[str], None],
                text: Callable[[str], None]) -> None:
    """Pass ``xml`` (a part :func:`_read_part` gave, which declares no entities) through handlers of elements by
    their name without its prefix, and of text, building no tree: a part may hold millions of elements."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = lambda name, attributes: start(name.rpartition(":")[2], attributes)
    parser.EndElementHandler = lambda name: end(name.rpartition(":")[2])
    parser.CharacterDataHandler = text
    parser.Parse(xml, True)


def _xlsx_shared_lengths(xml: bytes) -> list[int]:
    """The length of each shared string of an .xlsx (``xl/sharedStrings.xml``) as the reader indexes them:
    one for each ``<si>``, which ends at the first ``</si>`` (the reader ignores an ``<si>`` inside
    another); all the text in it counts."""
    lengths: list[int] = []
    item = None  # characters of the open <si>

    def start(tag: str, attributes: dict) -> None:
        nonlocal item
        if item is None and tag == "si":
            item = 0

    def end(tag: str) -> None:
        nonlocal item
        if item is not None and tag == "si":
            lengths.append(item)
            item = None

    def text(data: str) -> None:
        nonlocal item
        if item is not None:
            item += len(data)

    _stream_xml(xml, start, end, text)
    return lengths


def _xlsx_shared_text(xml: bytes, lengths: list[int]) -> int:
    """Characters of shared strings an .xlsx worksheet's cells show: the ``<v>`` of a cell ``t="s"`` is
    the index of its string. A cell ends at the first ``</c>``, as the reader reads it."""
    characters = 0
    cell = value = None  # the open <c>: whether it shows a shared string; the text of a <v> in it

    def start(tag: str, attributes: dict) -> None:
        nonlocal cell, value
        if cell is None:
            cell = attributes.get("t") == "s" if tag == "c" else None
        elif cell and tag == "v":
            value = []

    def end(tag: str) -> None:
        nonlocal cell, value, characters
        if value is not None and tag == "v":
            index = "".join(value)
            # the reader takes text other than digits as 0; past the last string, it refuses the cell
            index = int(index) if index.isascii() and index.isdigit() else 0
            characters += lengths[index] if index < len(lengths) else 0
            value = None
        elif tag == "c":
            cell = value = None

    def text(data: str) -> None:
        if value is not None:
            value.append(data)

    _stream_xml(xml, start, end, text)
    return characters


def _column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


_XLSB_BUNDLE_SHEET = 0x9C  # BrtBundleSh: a sheet's state, tab id, relationship id and name (MS-XLSB 2.4.304)


def _sheet_titles(path: Path, archive: zipfile.ZipFile, data: bytes, xml: bool) -> dict[str, str]:
    """A workbook's sheet names by the part that holds each ('xl/worksheets/sheet5.xml': 'training', wherever
    the part lies), from its workbook (``data``: ``xl/workbook.xml``, or an .xlsb's ``xl/workbook.bin``) and the
    workbook's relationships; empty where the relationships are missing. Either damaged is refused: the reader,
    more lenient, would still take sheets from wherever they lead, unchecked."""
    book = "xl/workbook.xml" if xml else "xl/workbook.bin"
    rels_part = f"xl/_rels/{posixpath.basename(book)}.rels"
    try:
        rels = ElementTree.fromstring(_read_part(path, archive, rels_part))
        sheets = _xlsx_sheet_ids(data) if xml else _xlsb_sheet_ids(data)
    except KeyError:
        return {}
    except (ElementTree.ParseError, UnicodeDecodeError):
        why = f": its list of sheets ({book} and {rels_part}) is damaged; save it again from a spreadsheet program"
        raise InputError([f"{path}: {_unreadable(path, why)}"]) from None
    relations = {rel.get("Id"): rel for rel in rels.iter() if _local(rel.tag) == "Relationship"}  # at any depth
    titles: dict[str, str] = {}
    for key, name in sheets:
        if key in relations:
            target = relations[key].get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            # as written, and with '..' and '.' resolved: one reader looks the part up as given, another resolved;
            # openpyxl takes an external target as the part's name, unchanged
            external = [target] if relations[key].get("TargetMode") == "External" else []
            for each in (part, posixpath.normpath(part), *external):
                # two sheets may share a part: it is read if either is
                if each not in titles or not _is_read(titles[each]):
                    titles[each] = name
    return titles


def _local(tag: str) -> str:
    """An XML element's name without its namespace."""
    return tag.rpartition("}")[2]


def _xlsx_sheet_ids(xml: bytes) -> list[tuple[str, str]]:
    """(relationship id, name) of each sheet an .xlsx's ``xl/workbook.xml`` lists."""
    document = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    return [(sheet.get(document), sheet.get("name", "")) for sheet in ElementTree.fromstring(xml).iter()
            if _local(sheet.tag) == "sheet"]


def _xlsb_sheet_ids(data: bytes) -> list[tuple[str, str]]:
    """(relationship id, name) of each sheet an .xlsb's ``xl/workbook.bin`` lists: BrtBundleSh records,
    each its state and tab id (four bytes each), then two strings, each a count of UTF-16 characters
    (four bytes) and the characters."""
    sheets = []
    for kind, at, size in _xlsb_records(data):
        if kind != _XLSB_BUNDLE_SHEET:
            continue
        texts, start, end = [], at + 8, at + size
        for _ in range(2):
            count = int.from_bytes(data[start:start + 4], "little")
            start += 4
            texts.append(data[start:min(start + 2 * count, end)].decode("utf-16-le"))
            start += 2 * count
        sheets.append((texts[0], texts[1]))
    return sheets


def _openpyxl_parts(path: Path, archive: zipfile.ZipFile) -> tuple[str, str | None]:
    """The workbook part and the shared strings' part (if any) openpyxl reads in an .xlsx: the first part
    [Content_Types].xml gives each type, where the other reader takes them from fixed names."""
    from openpyxl.xml.constants import SHARED_STRINGS, XLSM, XLSX, XLTM, XLTX

    try:
        manifest = ElementTree.fromstring(_read_part(path, archive, "[Content_Types].xml"))
    except (KeyError, ElementTree.ParseError):
        return "xl/workbook.xml", None
    types: dict[str, str] = {}
    for override in manifest:
        if _local(override.tag) == "Override":
            types.setdefault(override.get("ContentType", ""), override.get("PartName", "")[1:])
    book = next((types[kind] for kind in (XLTM, XLTX, XLSM, XLSX) if kind in types), "xl/workbook.xml")
    return book, types.get(SHARED_STRINGS)


_IF_DAMAGED = "or save the file again from a spreadsheet program if it is damaged"


def _read_part(path: Path, archive: zipfile.ZipFile, name: str, where: str = "", before: int = 0) -> bytes:
    """The part ``name`` of a zip-based workbook uncompressed, refused past :data:`MAX_WORKBOOK_BYTES`
    less ``before`` (what the sheets before it hold) without inflating the rest, or where it declares a
    document type (see :data:`_DOCTYPES`)."""
    with archive.open(name) as part:
        data = part.read(MAX_WORKBOOK_BYTES - before + 1)
    if before + len(data) > MAX_WORKBOOK_BYTES:
        raise InputError([f"{path}, {where or f'part {name!r}'}: {'with the sheets before it, ' if before else ''}"
                          f"holds more than the {MAX_WORKBOOK_BYTES:,} bytes (uncompressed) a workbook's sheets, and "
                          "the parts read with them, may hold in all (a small zip file can inflate to gigabytes); keep "
                          f"only the sheets the scenario needs, {_IF_DAMAGED}"])
    if data.lstrip(_XML_LEAD)[:1] == b"<" and any(doctype in data for doctype in _DOCTYPES):  # XML, not .xlsb
        raise InputError([f"{path}, {where or f'part {name!r}'}: {_unreadable(path, _DECLARES_ENTITIES)}"])
    return data


# A document type declares entities, which expand as the XML is read: a few kilobytes can stand for gigabytes. The
# formats forbid it (Open Packaging Conventions, ECMA-376 Part 2, 8.1.4; no OpenDocument writer declares one), so
# a part that holds one is refused before any parser sees it, in each encoding an XML parser takes by itself
_DOCTYPES = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
_XML_LEAD = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"  # what may come before an XML part's first '<': space, BOMs, UTF-16
_DECLARES_ENTITIES = (": it declares an XML document type, which no spreadsheet program writes and whose entities "
                      "could expand to gigabytes as it is read; save the file again from a spreadsheet program")


class _Claims:
    """What the sheets the reader holds of one workbook (those the planner reads, see :func:`_is_read`, or an
    .ods's every sheet) claim as the file records them, added up sheet by sheet before the reader sees any:
    it holds them all at once, so the limits bound them in all."""

    def __init__(self, path: Path):
        self.path = path
        self.bytes = self.cells = self.characters = 0
        self.read: set[str] = set()  # the parts claimed

    def part(self, archive: zipfile.ZipFile, name: str, where: str = "") -> bytes:
        """A part holding sheets, uncompressed (see :func:`_read_part`)."""
        data = _read_part(self.path, archive, name, where, self.bytes)
        self.bytes += len(data)
        self.read.add(name)
        return data

    def openpyxl_parts(self, archive: zipfile.ZipFile, book: str) -> None:
        """The parts of an .xlsx beside its sheets and shared strings that openpyxl reads in read-only mode (its
        manifest, the workbook ``book`` and relationships, styles, properties and theme, and any chart sheets with
        their drawings and charts: see :data:`_OPENPYXL_PARTS`), counted with the sheets' bytes; the styles'
        elements, which openpyxl holds as Python objects of a kilobyte or so each, bounded by
        :data:`MAX_STYLE_ELEMENTS`. Other sheets, and the charts drawn on sheets, it does not parse there."""
        names = set(archive.namelist())
        rels = posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
        charts = {n for n in names if n.startswith(_CHART_PARTS)} if any(n.startswith(_CHART_PARTS[0]) for n in names) \
            else set()
        for name in sorted(({book, rels, *_OPENPYXL_PARTS} & names | charts) - self.read):
            data = self.part(archive, name)
            elements = data.count(b"<") - data.count(b"</") - data.count(b"<?") - data.count(b"<!")
            if name == "xl/styles.xml" and elements > MAX_STYLE_ELEMENTS:
                raise InputError([f"{self.path}, part {name!r}: holds {elements:,} elements of cell styles and "
                                  f"formats, more than the {MAX_STYLE_ELEMENTS:,} a workbook's may, {_IF_DAMAGED}"])

    def span(self, where: str, rows: int, columns: int) -> None:
        self.cells += rows * columns
        if self.cells > MAX_WORKBOOK_CELLS:
            raise InputError([f"{self.path}, {where}: spans {rows:,} rows by {columns:,} columns as the file records "
                              f"it{self._in_all(self.cells, rows * columns)}, more than the {MAX_WORKBOOK_CELLS:,} "
                              f"cells a workbook's sheets may span in all; delete entries far from the table, "
                              f"{_IF_DAMAGED}"])

    def text(self, where: str, characters: int) -> None:
        self.characters += characters
        if self.characters > MAX_WORKBOOK_TEXT:
            raise InputError([f"{self.path}, {where}: holds {characters:,} characters of text as the file records "
                              f"it{self._in_all(self.characters, characters)}, more than the {MAX_WORKBOOK_TEXT:,} "
                              f"a workbook's sheets may hold in all; delete long or repeated texts, {_IF_DAMAGED}"])

    def shared_strings(self, archive: zipfile.ZipFile, sheets: list[tuple[str, bytes]], xml: bool,
                       elsewhere: str | None = None) -> None:
        """The shared strings of an .xlsx (``xml``) or .xlsb, which the reader holds once, then copies into
        every cell of ``sheets`` (where, data) that shows one: their characters count as text, and their
        part as the sheets' bytes. ``elsewhere``: the part another reader takes them from, if it differs."""
        name = "xl/sharedstrings.xml" if xml else "xl/sharedstrings.bin"
        # a cell showing a shared string takes 14 bytes or more (<c t="s"><v>0</v></c>, or a BrtCellIsst
        # record): counting each cell's string, slower, is needed only where the longest one shown by so
        # many cells could take the workbook past the limit
        cells = sum(len(data) for _, data in sheets) // 14
        # the .xlsx reader finds the part in any case of its name; openpyxl may take another (elsewhere)
        for part in sorted({n for n in archive.namelist() if n.lower() == name or n == elsewhere}):
            lengths = (_xlsx_shared_lengths if xml else _xlsb_shared_lengths)(self.part(archive, part))
            if lengths and self.characters + sum(lengths) + max(lengths) * cells > MAX_WORKBOOK_TEXT:
                for where, data in sheets:
                    self.text(where, (_xlsx_shared_text if xml else _xlsb_shared_text)(data, lengths))
            self.text(f"part {part!r}", sum(lengths))

    @staticmethod
    def _in_all(total: int, own: int) -> str:
        return f", {total:,} with the sheets before it" if total > own else ""


def _has_formula_or_error(xml: bytes) -> bool:
    return _FORMULA_OR_ERROR.search(xml) is not None


_CELL_XML = re.compile(rb"<(?:\w+:)?c\b([^<>]*?)(?<!/)>(" + _content(b"c") + rb")</(?:\w+:)?c>")
_CELL_REF = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]+)([0-9]+)[\"']")
_TEXT_RESULT = re.compile(rb"\bt\s*=\s*[\"']str[\"']")  # a formula's result saved as text
_FORMULA_XML = re.compile(rb"<(?:\w+:)?f\b")
_EMPTY_VALUE_XML = re.compile(rb"<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>")


def _formulas_saved_empty(xml: bytes) -> set[tuple[int, int]]:
    """The formula cells of a sheet's XML whose saved result is the empty text, as (row, column from 0): what
    Excel and LibreOffice save for =IF(A2="","",A2*2) beside a blank A2. openpyxl reads them as None, as it
    does a formula saved with no result at all (an empty value, but not of text: openpyxl's own), and they are
    blanks, not formulas to recalculate."""
    empty = set()
    for attributes, inner in _CELL_XML.findall(xml):
        ref = _CELL_REF.search(attributes)
        if ref and _TEXT_RESULT.search(attributes) and _FORMULA_XML.search(inner) and _EMPTY_VALUE_XML.search(inner):
            empty.add((int(ref.group(2)), _column_number(ref.group(1).decode().upper()) - 1))
    return empty


def _read_ole2_workbook(path: Path) -> list[_Grid]:
    """An OLE2 file is a legacy .xls, or an encrypted (password-protected) xlsx."""
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
        raise InputError([f"{path}: {_unreadable(path, _PROTECTED)}"])
    return _read_xls(path, data)


def _read_xls(path: Path, data: bytes) -> list[_Grid]:
    """A legacy .xls, read with xlrd: it keeps the error codes calamine drops, and a damaged file
    is an exception it raises, where calamine could be made to claim hundreds of gigabytes and
    abort the process. Sheets whose DIMENSIONS records claim too many cells in all are refused (see
    :data:`MAX_WORKBOOK_CELLS`), as is a file or sheet xlrd cannot parse; sheets other than the
    planner's are listed but not read. The rows a sheet hides are those its ROW records mark hidden, its merged
    cells those of its MERGEDCELLS records."""
    import xlrd

    try:
        # formatting_info gives the rows each sheet hides, at little cost (measured on a 5,000-row sheet: 44 against
        # 40 ms, 5.3 against 4.5 MB)
        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO(), formatting_info=True)
    except Exception:  # xlrd's own errors and whatever a damaged stream raises in it
        raise InputError([f"{path}: not a readable xls file (damaged?)"]) from None
    claims = _Claims(path)
    try:
        grids = []
        for index, name in enumerate(book.sheet_names()):
            if not _is_read(name):
                grids.append(_Grid(name, []))
                continue
            sheet = book.sheet_by_index(index)
            # xlrd keeps the DIMENSIONS record's claim without acting on it
            claims.span(f"sheet '{sheet.name}'", max(sheet._dimnrows, sheet.nrows), max(sheet._dimncols, sheet.ncols))
            rows = [[_xls_value(kind, value, book.datemode)
                     for kind, value in zip(sheet.row_types(r), sheet.row_values(r))] for r in range(sheet.nrows)]
            hidden_rows = frozenset(r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden)
            # xlrd's merges count rows and columns from 0, each last one past the end
            merged = [(first_row + 1, first_column, end_row, end_column - 1)
                      for first_row, end_row, first_column, end_column in sheet.merged_cells]
            grids.append(_Grid(sheet.name, rows, hidden=sheet.visibility != 0, hidden_rows=hidden_rows,
                               merged=merged))
    except InputError:
        raise
    except Exception:  # xlrd's own errors and whatever a damaged sheet raises in it
        raise InputError([f"{path}: not a readable xls file (damaged?)"]) from None
    finally:
        book.release_resources()
    return grids


def _xls_value(kind: int, value: object, datemode: int) -> object:
    """One .xls cell as the other readers give it: '' for empty, a whole number as int, a date or
    time as such, TRUE/FALSE as bool, an error as the text the spreadsheet shows."""
    import xlrd

    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_NUMBER:
        return int(value) if value.is_integer() else value
    if kind == xlrd.XL_CELL_DATE:
        stamp = xlrd.xldate.xldate_as_datetime(value, datemode)
        return stamp.time() if value < 1 else stamp.date() if value.is_integer() else stamp
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#VALUE!")
    return value


@contextlib.contextmanager
def _rust_panics_silenced():
    """Keep a Rust panic message of the reader (a damaged file) off the terminal: the panic
    still arrives as an exception and becomes one line of InputError."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr descriptor
        yield
        return
    try:
        with open(os.devnull, "wb") as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _read_calamine(path: Path) -> list[_Grid]:
    with _rust_panics_silenced():
        return _read_calamine_grids(path)


def _read_calamine_grids(path: Path) -> list[_Grid]:
    import python_calamine

    try:  # as a file: calamine then tells the format from the content, not from the name's extension
        with path.open("rb") as handle:
            book = python_calamine.CalamineWorkbook.from_filelike(handle)
    except python_calamine.PasswordError:
        raise InputError([f"{path}: {_unreadable(path, _PROTECTED)}"]) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's own types, ValueError, and a Rust panic (a BaseException)
        raise InputError([f"{path}: cannot read the workbook ({_reason(exc)})"]) from None
    try:
        grids = []
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False) if _is_read(meta.name) else []
            grids.append(_Grid(meta.name, rows, hidden=meta.visible != python_calamine.SheetVisibleEnum.Visible))
        return grids
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise InputError([f"{path}: cannot read the workbook ({_reason(exc)})"]) from None
    finally:
        book.close()


# a workbook asking the spreadsheet to recalculate every formula on opening: its writer (xlsxwriter, say) left
# the results to the spreadsheet, and saves 0 for a formula it was given no result for
_RECALCULATE = re.compile(rb"<(?:\w+:)?calcPr\b[^<>]*\bfullCalcOnLoad\s*=\s*[\"'](?:1|true)[\"']")


def _read_openpyxl(path: Path, recalculate: bool = False, sheet_xml: Mapping[str, bytes] = _NONE) -> list[_Grid]:
    """Saved values of every cell of the planner's sheets (``data_only``; other sheets are listed, empty),
    and the formulas that have none saved, but for those whose saved result is the empty text, found in the
    sheet's XML (by sheet, ``sheet_xml``): blanks; with ``recalculate`` (the workbook asks for it on opening),
    the formulas saved as 0 too."""
    import openpyxl
    from openpyxl.worksheet.formula import ArrayFormula

    try:  # opened as files: openpyxl goes by the name's extension, the planner by the content
        with contextlib.ExitStack() as files:
            # without the external links' cached values, which the planner never reads (unbounded, they took 4 GB)
            values = openpyxl.load_workbook(files.enter_context(path.open("rb")), read_only=True, data_only=True,
                                            keep_links=False)
            files.callback(values.close)
            formulas = openpyxl.load_workbook(files.enter_context(path.open("rb")), read_only=True, data_only=False,
                                              keep_links=False)
            files.callback(formulas.close)
            grids = []
            for sheet in values.worksheets:
                if not _is_read(sheet.title):
                    grids.append(_Grid(sheet.title, [], hidden=sheet.sheet_state != "visible"))
                    continue
                # read-only mode stops at the extent the file declares, which writers may leave stale
                sheet.reset_dimensions()
                formulas[sheet.title].reset_dimensions()
                rows = [list(r) for r in sheet.iter_rows(values_only=True)]
                unsaved, zeros = {}, {}
                for r, row in enumerate(formulas[sheet.title].iter_rows(values_only=True)):
                    for c, cell in enumerate(row):
                        text = cell.text if isinstance(cell, ArrayFormula) else cell
                        if not (isinstance(text, str) and text.startswith("=")):
                            continue
                        saved = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
                        if _blank(saved):
                            unsaved[(r + 1, c)] = text
                        elif recalculate and type(saved) in (int, float) and saved == 0:
                            zeros[(r + 1, c)] = text
                if unsaved and sheet.title in sheet_xml:  # rare: only then is the sheet's XML searched again
                    for cell in _formulas_saved_empty(sheet_xml[sheet.title]).intersection(unsaved):
                        del unsaved[cell]
                grids.append(_Grid(sheet.title, rows, unsaved, sheet.sheet_state != "visible", zeros))
            return grids
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError([f"{path}: cannot read the workbook ({_reason(exc)})"]) from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _load_csv_folder(folder: Path) -> dict[str, _RawSheet]:
    try:
        # links that lead nowhere too: reading names them, where leaving them out would call their sheets missing
        # (os.path's tests, which take a target that cannot be reached as none, where Path's raise on Python 3.12)
        found = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv"
                       and (os.path.exists(p) and not os.path.isdir(p) or p.is_symlink() and not os.path.exists(p)))
    except OSError as exc:
        raise InputError([f"{folder}: cannot list the folder ({exc.strerror or exc})"]) from None
    if not found:
        raise InputError([f"{folder}: no CSV files in the folder"])
    # only files named as the planner's sheets are read: notes, exports or other tools' data kept beside
    # them (in UTF-16, say, or of gigabytes) cannot stop the scenario, as a workbook's other sheets cannot
    sheets = [path for path in found if _is_read(path.stem)]
    _check_csv_sizes(sheets)
    read, problems = [], []
    for csv_path in sheets:  # every file's problem told in one pass
        try:
            read.append((csv_path, *_read_csv(csv_path, _headings(csv_path.stem))))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    # spreadsheets separate a CSV's fields by semicolons where the comma is the decimal separator, but the
    # semicolon may be chosen anywhere: where a semicolon file's numbers show the decimal point ('1.2'), its
    # '1,000' may be a thousand, and is refused as either, not read as 1.0. A tab-separated export may come
    # from either convention, which its numbers tell (all sheets alike); a comma-separated one whose quoted
    # numbers show the decimal comma ('"3,35"') may write a thousand '1.000'
    def shown(delimiter: str) -> tuple[bool, bool]:
        return _decimal_conventions([cell for path, rows, used, _ in read if used == delimiter
                                     for cell in _number_cells(rows, path.stem)])

    (comma, _), (semicolon_comma, semicolon_point), (tab_comma, tab_point) = map(shown, _DELIMITERS)
    conventions = {",": UNKNOWN if comma else POINT, ";": COMMA_UNSURE if semicolon_point and not semicolon_comma
                   else COMMA, "\t": UNKNOWN if tab_comma == tab_point else COMMA if tab_comma else POINT}
    out = _sheets_by_name(folder, [(path.stem, _csv_sheet(path, rows, conventions[delimiter], ends_in_row))
                                   for path, rows, delimiter, ends_in_row in read])
    for path in found:  # listed unread, for the hints a misnamed sheet's file gets
        out.setdefault(_sheet_key(path.stem), _RawSheet(pd.DataFrame(), [], str(path)))
    return out


def _csv_sheet(path: Path, rows: list[list], decimals: Decimals, ends_in_row: bool) -> _RawSheet:
    """The sheet of a CSV file's ``rows``; where the file ends inside its last row (``ends_in_row``), short of
    the heading's fields, it says so (:attr:`_RawSheet.cut_short`): a copy or download stopped part way reads as
    a row with its last values blank."""
    raw = _from_rows(rows, str(path), {}, decimals=decimals, known=_headings(path.stem))
    if ends_in_row and raw.rows and raw.rows[-1] == len(rows) and len(rows[-1]) < len(rows[raw.header_row - 1]):
        raw.cut_short = (len(rows), len(rows[-1]), len(rows[raw.header_row - 1]))
    return raw


def _check_csv_sizes(paths: list[Path]) -> None:
    """Refuse sheets' CSV files past :data:`MAX_WORKBOOK_BYTES` in all before reading any: each is read
    whole, and held several times over as text and cells."""
    total = 0
    for path in paths:
        try:
            size = path.stat().st_size
        except OSError:  # a broken link: reading it names it
            continue
        total += size
        if total > MAX_WORKBOOK_BYTES:
            before = "with the sheets' files before it, " if total > size else ""
            raise InputError([f"{path}: {before}holds more than the {MAX_WORKBOOK_BYTES:,} bytes a scenario's "
                              "sheets may hold in all; keep only the scenario's rows in it"])


# numbers that only one convention writes: '2,5' '0,864' '1.234,5' (comma) or '2.5' '0.864' '1,234.5' (point)
_COMMA_ONLY = re.compile(r"[+-]?(?:\d+,(?:\d{1,2}|\d{4,})|0,\d+|\d{1,3}(?:[. ]\d{3})+,\d+)(?:[eE][+-]?\d+)?")
_POINT_ONLY = re.compile(r"[+-]?(?:\d+\.(?:\d{1,2}|\d{4,})|0\.\d+|\d{1,3}(?:[, ]\d{3})+\.\d+)(?:[eE][+-]?\d+)?")
# '4,431' and '4.431': either, where a file does not show its convention
_COMMA_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?![\d.,])")
_POINT_GROUPED_ONCE = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}(?![\d.,eE])")


def _number_cells(grid: list[list], name: str) -> list:
    """The cells below the header of the planner's sheet ``name`` that hold numbers: its number columns', and the
    site sheet's values of number settings. Names and notes (a column the planner ignores) are left out."""
    sheet = SHEETS_BY_NAME.get(_sheet_key(name))
    top = None if sheet is None else _header_row(grid, _headings(name))
    if top is None:
        return []
    heading = {_header_name(v)[0]: c for c, v in enumerate(grid[top]) if not _blank(v)}
    rows = grid[top + 1:]
    if sheet.name == "site" and {"key", "value"} <= heading.keys():
        key, value = heading["key"], heading["value"]
        return [row[value] for row in rows if len(row) > max(key, value)
                and (setting := SITE_KEYS.get(_header_name(row[key])[0])) is not None and setting.kind == "number"]
    at = [heading[c.name] for c in sheet.columns if c.kind == "number" and c.name in heading]
    return [row[c] for row in rows for c in at if c < len(row)]


class Decimals(NamedTuple):
    """How a file writes numbers as text: ``comma`` marks decimals (see :func:`_from_decimal_comma`), and
    ``unsure`` holds the separators that, before three digits, may group thousands or mark decimals, which the
    file does not make clear ('4,431', '4.431': refused, naming both readings)."""

    comma: bool
    unsure: str


POINT, COMMA = Decimals(False, ""), Decimals(True, "")
UNKNOWN = Decimals(False, ",.")  # numbers show neither convention, or both
COMMA_UNSURE = Decimals(False, ",")  # a semicolon file whose numbers show the point: its comma may be either


def _decimal_conventions(cells: list) -> tuple[bool, bool]:
    """Whether numbers among ``cells`` show the decimal comma, and whether they show the decimal point. A cell
    counts where it is a number, perhaps with a unit or '%' after it: names and notes ('1.5x last year') do not."""
    texts = {cell for cell in cells if isinstance(cell, str)}  # each once
    # each convention's numbers hold its mark: a file's many numbers without it need not be looked at for it
    return (any(_shows(cell, _COMMA_ONLY) for cell in texts if "," in cell),
            any(_shows(cell, _POINT_ONLY) for cell in texts if "." in cell))


def _shows(cell: str, convention: re.Pattern) -> bool:
    """Whether ``cell`` is a number (perhaps with a unit or '%' after it) written as only ``convention`` writes."""
    match = _NUMBER_AND_UNIT.fullmatch(cell.translate(_TYPESET).strip())
    return (match is not None and (not match["unit"] or match["unit"].lower() in _UNIT_WORDS)
            and convention.fullmatch(match["number"]) is not None)


_NUMBER_AND_UNIT = re.compile(r"(?P<number>[+-]?\d(?:[\d.,]| (?=\d))*(?:[eE][+-]?\d+)?)\s*"
                              r"(?P<unit>%|[^\d\s.,+\-][^\d]*)?")


def _not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file where it is a pipe or a device (a pipe would wait for a writer, or give
    what it holds once; a device has no size); None for a file, or where it cannot be looked at (opening says why)."""
    with contextlib.suppress(OSError):
        if not stat.S_ISREG(path.stat().st_mode):
            return f"{path}: not a file but a pipe or a device; save it to a file and give its path"
    return None


def _read_csv(path: Path, known: frozenset[str]) -> tuple[list[list], str, bool]:
    """Rows of a CSV file, the delimiter found, and whether the file ends inside its last row (no line break
    after it): UTF-8 (with or without the BOM Excel writes), UTF-16 with its BOM (Excel's "Unicode text") or
    Windows-1252; comma, semicolon or tab separated, as splits the sheet's ``known`` headings out of its first
    rows (a title may sit above them)."""
    if (why := _not_a_file(path)) is not None:
        raise InputError([why])
    try:
        data = path.read_bytes()
    except OSError as exc:
        why = _unreachable(path) or f"cannot open the file ({exc.strerror or exc})"
        raise InputError([f"{path}: {why}"]) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputError([f"{path}: cannot read as CSV (it begins as UTF-16 text but is not)"]) from None
    if not data.strip():
        raise InputError([f"{path}: the file is empty"])
    if b"\x00" in data:
        raise InputError([f"{path}: cannot read as CSV (a binary file, not text)"])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError([f"{path}: cannot read as CSV (the text is neither UTF-8 nor Windows-1252)"])
    delimiter = _delimiter(text, known)
    return _csv_rows(path, text, delimiter), delimiter, not text.endswith(("\n", "\r"))


def _delimiter(text: str, known: frozenset[str]) -> str:
    """The delimiter that splits the most of the ``known`` headings out of one of the first rows; where none
    does (a sheet not the planner's, headings misspelt), the one the first row holds most of."""
    lines = list(itertools.islice((line for line in text.splitlines() if line.strip()), _TITLE_ROWS + 1))
    if not lines:
        return ","

    def headings(delimiter: str) -> int:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:  # a field past the csv module's limit: reading the file tells it
            return 0
        return max(sum(_header_name(v)[0] in known for v in row) for row in rows)

    return max(_DELIMITERS, key=lambda d: (headings(d), lines[0].count(d)))


_DELIMITERS = (",", ";", "\t")


def _csv_rows(path: Path, text: str, delimiter: str) -> list[list]:
    """The rows of ``text``; a quote that opens a field and is never closed is refused, as it would take the rest
    of the file into one cell. Other stray quotes ('"a"b') are read as spreadsheets read them."""
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            rows.append(row)
        return rows
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise InputError([f"{path}, row {len(rows) + 1}: a quote opens a field there that is never closed, so "
                              "the rest of the file would be one cell: close the quote, or remove it"]) from None
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError([f"{path}: cannot read as CSV ({exc})"]) from None


HEADINGS_SHOWN, HEADING_SHOWN_CHARACTERS = 12, 40


def _headings_found(names: list[str]) -> str:
    """A sheet's headings for a message: the first :data:`HEADINGS_SHOWN`, each cut to
    :data:`HEADING_SHOWN_CHARACTERS`, and a count of the rest. A file that is no sheet (a log, a key file linked in
    its place) shows no more of itself than that."""
    shown = [f"'{name[:HEADING_SHOWN_CHARACTERS]}{'…' if len(name) > HEADING_SHOWN_CHARACTERS else ''}'"
             for name in names[:HEADINGS_SHOWN]]
    more = f" and {len(names) - HEADINGS_SHOWN} more" if len(names) > HEADINGS_SHOWN else ""
    return ", ".join(shown) + more if shown else "none"


def _blank(value: object) -> bool:
    """Whether a cell as read is empty: None, or text of white space. A number stored as NaN (which no spreadsheet
    program writes, and no reader gives for an empty cell) is not: read as a blank, it would take the default."""
    return value is None or isinstance(value, str) and value.strip() == ""


_BRACKETED = re.compile(r"\s*[(\[]([^)\]]*)[)\]]\s*$")  # a unit in brackets after a heading


def _header_name(value: object) -> tuple[str, str | None]:
    """A column heading as the schema spells it, and the text in brackets after it:
    ' Power MW ' -> ('power_mw', None); 'hours (h)' -> ('hours', 'h')."""
    text = str(value).strip()
    match = _BRACKETED.search(text)
    unit = " ".join(match[1].split()) if match else None
    if match:
        text = text[:match.start()]
    return re.sub(r"[\s\-]+", "_", text.strip().lower()), unit


_TITLE_ROWS = 10  # non-blank rows above the header that may hold a title, notes or a date


def _header_row(grid: list[list], known: frozenset[str]) -> int | None:
    """Index of the header row: of the first non-blank rows, the first with the most of the ``known``
    headings (a title, a note or a date may sit above the headings, in a merged cell or not); the first
    non-blank row where none has any (its headings are then reported as found)."""
    filled = list(itertools.islice((i for i, row in enumerate(grid) if not all(_blank(v) for v in row)),
                                   _TITLE_ROWS + 1))
    if not filled:
        return None
    counts = [sum(not _blank(v) and _header_name(v)[0] in known for v in grid[i]) for i in filled]
    return filled[counts.index(max(counts))]


def _from_rows(grid: list[list], where: str, unsaved: dict[tuple[int, int], str],
               decimals: Decimals = POINT, known: frozenset[str] = frozenset()) -> _RawSheet:
    """Header on the row :func:`_header_row` finds, rows above it left out; fully blank rows and unnamed
    columns are dropped."""
    grid = [list(row) for row in grid]
    top = _header_row(grid, known)
    if top is None:
        return _RawSheet(pd.DataFrame(), [], where, decimals=decimals)
    positions: dict[str, int] = {}
    repeated: dict[str, list[int]] = {}
    units: dict[str, str] = {}
    headed = set()  # columns with a heading, even one that is only a note in brackets
    for c, heading in enumerate(grid[top]):
        if _blank(heading):
            continue
        headed.add(c)
        name, unit = _header_name(heading)
        if not name:
            continue
        if name in positions:
            repeated.setdefault(name, [positions[name]]).append(c)
        else:
            positions[name] = c
            if unit is not None:
                units[name] = unit
    rows, body = [], []
    for i in range(top + 1, len(grid)):
        cells = [grid[i][c] if c < len(grid[i]) else None for c in positions.values()]
        if all(_blank(v) for v in cells) and not any((i + 1, c) in unsaved for c in positions.values()):
            continue
        rows.append(i + 1)  # grid row 0 is spreadsheet row 1
        body.append(cells)
    frame = pd.DataFrame(body, columns=list(positions), dtype=object) if positions else pd.DataFrame()
    if positions and not body:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in positions})
    return _RawSheet(frame, rows, where, top + 1, positions, unsaved, repeated, decimals, units,
                     _unheaded_values(grid[top + 1:], headed))


def _unheaded_values(body: list[list], headed: set[int]) -> list[int]:
    """Columns (0-based) holding a value under no heading. A row is looked at cell by cell only when
    it holds more filled cells than its headed columns and the columns found so far account for
    (counting is done in C: a sheet padded to thousands of columns reads as fast as a narrow one)."""
    found: set[int] = set()
    for row in body:
        filled = len(row) - row.count(None) - row.count("")
        if filled and filled > sum(1 for c in headed | found if c < len(row) and row[c] is not None and row[c] != ""):
            found.update(c for c, value in enumerate(row) if c not in headed and not _blank(value))
    return sorted(found)


# ---------------------------------------------------------------------------
# cell parsing

_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# thousands grouped by one separator used throughout: 1,200  1 200  1'200  1_200 (then a decimal point)
# (a leading 0 groups nothing: '0,864' is a decimal comma)
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?P<sep>[, '_])\d{3}(?:(?P=sep)\d{3})*(?:\.\d+)?")
_WITH_UNIT = re.compile(r"(?P<number>.*?\d\.?)\s*(?P<unit>[^\d\s.,+\-][^\d]*)")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
# where the comma is the decimal separator: whole part (points group thousands), fraction, the rest
_COMMA_DECIMAL = re.compile(r"(?P<sign>[+-]?)(?P<whole>\d(?:[\d.]| (?=\d))*)(?:,(?P<fraction>\d+))?"
                            r"(?P<rest>(?:[^\d.,].*)?)")
_POINT_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")  # '0.450' groups nothing: a decimal point
_SPACE_GROUPED = re.compile(r"[1-9]\d{0,2}(?: \d{3})+")
# typeset characters in numbers, as their plain ones: no-break and thin spaces, the minus sign, and the right single
# quote Swiss German sets thousands apart with (2’160), which word processors put for a typed apostrophe
_TYPESET = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2212": "-",
                          "\u2019": "'"})
SPREADSHEET_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                      "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                      "Err:502", "Err:504", "Err:508", "Err:511", "Err:522")
_SPREADSHEET_ERRORS_UPPER = frozenset(e.upper() for e in SPREADSHEET_ERRORS)


def _plain_number(text: str) -> float | None:
    """'1,200.5', '1e3', '-3' -> float; anything else (and a number too large for a float) None."""
    if _PLAIN.fullmatch(text):
        number = float(text)
    elif _GROUPED.fullmatch(text):
        number = float(re.sub(r"[, '_]", "", text))
    else:
        return None
    return number if math.isfinite(number) else None


def _plain_numbers(cells: np.ndarray, decimals: Decimals = POINT) -> np.ndarray:
    """Each cell as a float where :func:`_number_cell` reads it without a word: a number (not a
    boolean) or text that spells one plainly ('12', ' 1e3', '−4'; where ``decimals`` reads a point as anything
    but a decimal point, text without one); NaN elsewhere."""
    kinds = list(map(type, cells))
    numbers = np.full(len(cells), np.nan)
    numeric = np.fromiter(map(_NUMERIC_TYPES.__contains__, kinds), dtype=bool, count=len(cells))
    numbers[numeric] = cells[numeric].astype(float)
    text = [i for i, kind in enumerate(kinds) if kind is str]
    if text:
        point = decimals.comma or "." in decimals.unsure  # a point there groups thousands, or may: cell by cell
        texts = cells[text]
        read: dict[str, float] = {}  # by text: a column repeats its values (names of periods, sizes, priorities)
        for cell in texts:
            if cell not in read:
                stripped = (cell if cell.isascii() else cell.translate(_TYPESET)).strip()  # _TYPESET maps no ASCII
                plain = _PLAIN.fullmatch(stripped) and not (point and "." in stripped)
                read[cell] = float(stripped) if plain else np.nan
        numbers[text] = [read[cell] for cell in texts]
    return numbers


_NUMERIC_TYPES = frozenset((float, int, np.float64, np.int64))


def _number_cell(value: object, column: Column | None, decimals: Decimals = POINT
                 ) -> tuple[float | None, str | None]:
    """Parse a number cell: (number, None) or (None, problem). A trailing unit is accepted when it is
    the column's unit; a percentage where the column takes a plain number (fraction, ratio, weight).
    Text is read as ``decimals`` says: with the decimal comma as :func:`_from_decimal_comma` spells it; a
    separator it is unsure of, before three digits, is refused as ambiguous."""
    unit = column.unit if column is not None else ""
    expected = f"expected a number{_unit(column) if column is not None else ''}"
    if isinstance(value, bool):
        return None, f"{expected}, found '{str(value).upper()}'"
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not np.isfinite(number):
            return None, f"{expected}, found '{value}'"
        return number, None
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        shown = value.date().isoformat() if isinstance(value, dt.datetime) and value.time() == dt.time() else value
        return None, (f"{expected}, found the date or time {shown} (the spreadsheet took the entry for a date; "
                      "format the cell as a number)")
    raw = str(value)
    text = raw.translate(_TYPESET).strip()
    if decimals.comma:
        text, ambiguous = _from_decimal_comma(text)
        if ambiguous is not None:
            return None, f"{expected}, found '{raw}' ({ambiguous})"
    elif grouped := ("," in decimals.unsure and _COMMA_GROUPED.match(text)
                     or "." in decimals.unsure and _POINT_GROUPED_ONCE.match(text)):
        whole = grouped[0]
        mark, decimal = (("comma", whole.replace(",", ".", 1).replace(",", "")) if "," in whole
                         else ("point", whole.rstrip("0").rstrip(".")))
        return None, (f"{expected}, found '{raw}' (the file does not make clear whether its {mark} groups "
                      f"thousands or marks decimals: write {re.sub('[,.]', '', whole)} for thousands, or "
                      f"{decimal} for a decimal)")
    number = _plain_number(text)
    if number is not None:
        return number, None
    if text.endswith("%") and (number := _plain_number(text[:-1].strip())) is not None:
        if column is None or unit in UNITLESS:
            return number / 100.0, None
        return None, f"{expected}, found '{raw}' (a percentage fits only a fraction or ratio)"
    match = _WITH_UNIT.fullmatch(text)
    if match and (number := _plain_number(match["number"].strip())) is not None:
        token = " ".join(match["unit"].split())
        if column is not None and unit and unit not in UNITLESS and _same_unit(token, unit):
            return number, None
        if column is None or not unit or unit in UNITLESS:
            return None, f"{expected}, found '{raw}' (a plain number, without a unit)"
        factor = _CONVERSIONS.get(unit, {}).get(token.lower())
        if factor is None:
            return None, f"{expected}, found '{raw}' (the unit '{token}' is not {unit}: convert the value to {unit})"
        # the figure as typed, and the one meant in full, with no exponent and no separator a file could read
        # otherwise ('1,8 kW' in a file of decimal commas is 1800 W, not 1,800)
        meant_figure = np.format_float_positional(float(f"{number * factor:.15g}"), trim="-")
        return None, (f"{expected}, found '{raw}' (the unit '{token}' is not {unit}: {match['number'].strip()} {token} "
                      f"is {meant_figure} {unit})")
    hint = " (use a point for decimals)" if _DECIMAL_COMMA.fullmatch(text) else ""
    return None, f"{expected}, found '{raw}'{hint}"


def _from_decimal_comma(text: str) -> tuple[str, str | None]:
    """A number written where the comma is the decimal separator, spelled with a decimal point:
    '4,5' -> '4.5', '1.200,5' -> '1200.5', '1 307,4' -> '1307.4', '40,5%' -> '40.5%', '4,5 MW' -> '4.5 MW';
    '1.5' and '0.450' stay (a decimal point). A point before groups of three digits and no comma ('1.200') could be
    either separator: returned with a problem saying so. Text that is no such number is returned
    as it is."""
    match = _COMMA_DECIMAL.fullmatch(text)
    if match is None:
        return text, None
    whole, fraction = match["whole"], match["fraction"]
    if _SPACE_GROUPED.fullmatch(whole):
        whole = whole.replace(" ", "")
    elif " " in whole:
        return text, None
    if _POINT_GROUPED.fullmatch(whole):
        if fraction is None and whole.count(".") == 1:  # '1.234.567' groups thousands: a decimal has one point
            decimal = f"{float(whole):g}".replace(".", ",")
            return text, (f"in a file whose decimal separator is the comma, a point could group thousands or mark "
                          f"decimals: write {whole.replace('.', '')} for thousands, or {decimal} for a decimal")
        whole = whole.replace(".", "")
    elif "." in whole:
        return text, None
    number = whole if fraction is None else f"{whole}.{fraction}"
    return f"{match['sign']}{number}{match['rest']}", None


def _unit_words(spellings) -> set[str]:
    """The words by which a heading's brackets may name a unit, from its spellings: each spelling,
    its first word and the part before a '/' ('billion tokens/day': also 'billion', 'billion tokens')."""
    return {w.lower() for spelling in spellings for w in (spelling, spelling.split()[0], spelling.split("/")[0])}


# Units a heading's brackets may name: the workbook's own, and others values are written in (scales,
# prefixed units); any other text there is a note.
_UNIT_WORDS = frozenset(_unit_words(
    [u for c in (*(c for sheet in SHEETS for c in sheet.columns), *SITE_KEYS.values()) if (u := c.unit)]
    + [s for spellings in UNIT_SPELLINGS.values() for s in spellings]
    + """kW GW TW kilowatt kilowatts megawatt megawatts gigawatt gigawatts s sec second seconds min minute
    minutes d day days week weeks month months year years yr KB MB TB PB KiB MiB GiB TiB byte bytes GB/s MB/s
    GiB/s TiB/s Gbps FLOP/s GFLOP/s PFLOP/s EFLOP/s GFLOPS PFLOPS EFLOPS k thousand thousands M mn million
    millions billions T tn trillion trillions % percent""".split()
))


PERCENT_WORDS = ("%", "percent")  # how a heading's brackets say a fraction is given in percent


def _first_word(unit: str) -> str:
    """The word of a heading's brackets that names a unit: '%, of peak' -> '%'; '' if none."""
    words = unit.replace(",", " ").split()
    return words[0].lower() if words else ""


def _heading_unit_fits(unit: str, column: Column) -> bool:
    """Whether the text in brackets after a heading agrees with the column's unit. Brackets may hold
    a note ('dense', 'per GPU', 'count'), but a unit other than the column's (a heading in kW over a
    column in MW would make every value a thousand times too large) does not fit. A fraction may be
    headed in %; a plain number (ratio, weight) or a text column may carry any note."""
    if column.kind == "text" or column.unit in UNITLESS and column.unit != "fraction":
        return True
    words = _unit_words([column.unit, *UNIT_SPELLINGS.get(column.unit, ()),
                         *(PERCENT_WORDS if column.unit == "fraction" else ())])
    first = _first_word(unit)
    for word in (first, first.split("/")[0]):  # 'GB/GPU': the unit is GB, per GPU
        if word in words:
            return True
        if word in _UNIT_WORDS:
            return False
    return True


def _in_percent(heading_unit: str | None, column: Column, numbers: np.ndarray) -> bool:
    """Whether a fraction column headed in % holds percentages ('mfu (%)' over 40, 35): some plain
    number above 1 and none between 0 and 1. Numbers from 0 to 1 under such a heading are taken as
    fractions, as a spreadsheet stores cells it shows as percentages; a mix is left to be refused."""
    if column.unit != "fraction" or heading_unit is None or _first_word(heading_unit) not in PERCENT_WORDS:
        return False
    given = numbers[np.isfinite(numbers)]
    return bool((given > 1).any() and not ((given > 0) & (given < 1)).any())


def _scaled(factors: dict[tuple[str, ...], float], *after: str) -> dict[str, float]:
    """Each spelling of each scale, bare and with each of the words ``after`` it, by its factor."""
    return {f"{spelling}{word}".lower(): factor for spellings, factor in factors.items() for spelling in spellings
            for word in ("", *after)}


_COUNTS = {("T", "tn", "trillion", "trillions"): 1e3, ("M", "mn", "million", "millions"): 1e-3,
           ("k", "thousand", "thousands"): 1e-6}
# units a value may be typed in that a column's own converts from (by the factor), for the message that refuses it
_CONVERSIONS: dict[str, dict[str, float]] = {
    "billion parameters": _scaled(_COUNTS, " parameters", " params"),
    "billion tokens": _scaled(_COUNTS, " tokens"),
    "billion tokens/day": _scaled(_COUNTS, "/day", " tokens/day", " tokens"),
    "MW": _scaled({("W", "watt", "watts"): 1e-6, ("kW",): 1e-3, ("GW",): 1e3}),
    "W": _scaled({("kW",): 1e3, ("MW",): 1e6}),
    "TFLOP/s": _scaled({("PFLOP/s", "PFLOPS", "PFLOP"): 1e3, ("GFLOP/s", "GFLOPS", "GFLOP"): 1e-3}),
    "TB/s": _scaled({("GB/s", "GBps"): 1e-3}), "GB": _scaled({("TB",): 1e3, ("MB",): 1e-3}),
}


def _same_unit(token: str, unit: str) -> bool:
    spellings = {unit, *UNIT_SPELLINGS.get(unit, ())}
    return token.lower() in {" ".join(s.split()).lower() for s in spellings}


def _spreadsheet_error(value: object) -> str | None:
    """The error a formula cell shows (#DIV/0!, #N/A, ...), if the value is one."""
    if isinstance(value, str) and value.strip().upper() in _SPREADSHEET_ERRORS_UPPER:
        return value.strip()
    return None


def _beside(number: float, bound: float) -> str:
    """``number`` as :g writes it, with the significant figures it takes not to read as ``bound``, which it misses
    (1.0000001 against a limit of 1; a formula's float noise, =0.3+0.7, can land there)."""
    return significant(number, precision_apart(number, bound, significant, range(6, 18)))


CELL_TEXT_MOST = 32_767  # characters: the most an Excel cell holds (a CSV cell may hold more)


# in a name, what would not show as text: controls, which a terminal obeys (see planner.spelling.UNSHOWN), and
# invisible characters, which would make two names that look the same differ
_UNSEEN_KINDS = ({chr(code): "a control character" for code in CONTROLS}
                 | {chr(code): "a bidirectional control, which reorders the text around it" for code in BIDI_CONTROLS}
                 | {chr(code): "an invisible character" for code in INVISIBLE})
_UNSEEN = re.compile("[" + re.escape("".join(_UNSEEN_KINDS)) + "]")


def _parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    # surrounding and repeated spaces, non-breaking ones too; one encoding of each accented letter
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


# columns a planner's own sheets often have, whose figure the planner takes in another form: what to give instead
_LATENCY = ("a latency target is given as min_tokens_per_s_per_user, the tokens/s each user sees: 1,000 / the ms "
            "between tokens")
KNOWN_OTHERWISE = {
    # headings as read: lower case, spaces as underscores, a bracket's unit apart ('TPOT (ms)' is 'tpot')
    **{("inference", name): _LATENCY for name in ("latency", "latency_ms", "tpot", "tpot_ms", "itl", "itl_ms",
                                                  "ms_per_token")},
    **{("gpus", name): "the power budget needs it_w, the all-in IT draw of a GPU in use with its share of the "
                       "server's, not the GPU's TDP" for name in ("tdp", "tdp_w", "tdp_watts")},
}


class _Problem(NamedTuple):
    """A problem found in a sheet: where (the file and sheet), the row and column if it is of one, and what."""

    where: str
    row: int | None
    column: str | None
    message: str


ROW_SPANS_SHOWN = 10


def _columns_text(columns: list[str]) -> str:
    """Columns for a message: "column 'a'", "columns 'a' and 'b'"."""
    return ("columns " if len(columns) > 1 else "column ") + spoken([f"'{column}'" for column in columns])


def _rows_text(rows: list[int]) -> str:
    """Rows for a message: 'row 4', 'rows 4 and 9', 'rows 3, 5 and 74 to 109'; past :data:`ROW_SPANS_SHOWN` rows or
    spans of them, how many more rows ('rows 2, 242, ... and 40 more'): a line, not a page."""
    found = sorted(set(rows))
    in_a_row = [[str(row) for _, row in group]  # rows one after another: the same row less its place
                for _, group in itertools.groupby(enumerate(found), key=lambda placed: placed[1] - placed[0])]
    parts = run_spans(in_a_row)
    named = [text for text, _ in parts[:ROW_SPANS_SHOWN]]
    if len(parts) > ROW_SPANS_SHOWN:
        named.append(f"{sum(count for _, count in parts[ROW_SPANS_SHOWN:]):,} more")
    return ("rows " if len(found) > 1 else "row ") + spoken(named)


class _Checker:
    """Collects problems while turning raw sheets into typed tables."""

    def __init__(self, sheets: dict[str, _RawSheet], source: Path):
        self.sheets = sheets
        self.source = source
        self.problems: list[str | _Problem] = []  # text: a problem of the whole file
        self.warnings: list[str] = []
        self.flagged: set[tuple[str, int | None, str | None]] = set()  # places that have a problem
        # warnings that tell why a cell has a problem (a formula read as 0, a row cut short), with their cells
        self.explanations: list[tuple[set[tuple[str, int, str]], str]] = []
        self.origins: dict[str, pd.DataFrame] = {}  # sheet -> where each cell's value came from

    def problem(self, raw: _RawSheet, message: str, row: int | None = None, column: str | None = None):
        self.problems.append(_Problem(raw.where, row, column, message))
        self.flagged.add((raw.where, row, column))

    def said(self) -> list[str]:
        """The problems, a line each, in the order found; one found in many rows of a column is one line naming
        them all ('rows 74 to 109'): a name misspelt in a fleet of monthly periods, one line a row, would fill the
        lines shown and hide every other problem. Then one found in the same rows of several columns is one line
        naming them (a GPU the catalogue lacks, each of its figures left blank)."""
        rows: dict[tuple[str, str | None, str], list[int]] = {}  # a problem of cells: (where, column, what) -> rows
        order: list[str | tuple[str, str | None, str]] = []
        for problem in self.problems:
            if isinstance(problem, str):
                order.append(problem)
            elif problem.row is None:  # of a whole column (a heading missing) or sheet
                column = f", column '{problem.column}'" if problem.column is not None else ""
                order.append(f"{problem.where}{column}: {problem.message}")
            else:
                key = (problem.where, problem.column, problem.message)
                if key not in rows:
                    rows[key] = []
                    order.append(key)
                rows[key].append(problem.row)

        def place(key: tuple[str, str | None, str]) -> tuple:  # the rows, not their text: it counts past ten
            return key[0], tuple(sorted(set(rows[key]))), key[1] is None, key[2]

        columns: dict[tuple, list[str]] = {}  # then: (where, rows, no column, what) -> columns
        for key in rows:
            columns.setdefault(place(key), []).extend([] if key[1] is None else [key[1]])
        lines = []
        for item in order:
            if isinstance(item, str):
                lines.append(item)
                continue
            named = columns[place(item)]
            lines.append(f"{item[0]}, {_rows_text(rows[item])}" + (f", {_columns_text(named)}" if named else "")
                         + f": {item[2]}")
        return list(dict.fromkeys(lines))  # a line of several columns is written once, where the first was found

    def has_problem(self, raw: _RawSheet, row: int | None, column: str | None) -> bool:
        return (raw.where, row, column) in self.flagged

    def table(self, sheet: Sheet) -> tuple[pd.DataFrame, _RawSheet] | None:
        """Typed table of a sheet (with a ``_row`` column), or None if it is missing."""
        raw = self.sheets.get(sheet.name)
        if raw is None:
            if sheet.required:
                others = [n for n in self.sheets if n not in SHEETS_BY_NAME]
                hint = closest(sheet.name, others)
                if self.source.is_dir():  # a folder of CSV files: a sheet is a file
                    tip = f" (is it '{hint}.csv'?)" if hint else _other_text_file(self.source, sheet.name)
                    self.problems.append(f"{self.source}: missing file '{sheet.name}.csv'{tip}")
                else:
                    tip = f" (is it the sheet '{hint}'?)" if hint else ""
                    self.problems.append(f"{self.source}: missing sheet '{sheet.name}'{tip}")
            return None
        known = [c.name for c in sheet.columns]
        for name, positions in raw.repeated.items():
            letters = " and ".join(_column_letter(p) for p in positions)
            self.problem(raw, f"the heading appears in more than one column ({letters}); keep one", raw.header_row,
                         name)
        for c in raw.unnamed:
            self.warnings.append(f"{raw.where}: column {_column_letter(c)} has values but no heading in row "
                                 f"{raw.header_row}: ignored")
        unknown = [name for name in raw.frame.columns if name not in known]
        missing = [c.name for c in sheet.columns
                   if c.required and not c.catalogue and c.name not in raw.frame.columns]
        for name in unknown:
            hint, meaning = closest(name, known), KNOWN_OTHERWISE.get((sheet.name, name))
            tip = f" ({meaning})" if meaning else f" (did you mean '{hint}'?)" if hint else ""
            if not missing:  # else the missing column's problem names it
                self.warnings.append(f"{raw.where}: unknown column '{name}' ignored{tip}")
        for name in missing:
            hint = closest(name, unknown, cutoff=0.5)
            found = _headings_found(list(raw.frame.columns))
            tip = f"is it the column '{hint}'? " if hint else ""
            self.problem(raw, f"missing required column ({tip}headings found in row {raw.header_row}: {found})",
                         column=name)
        for column in sheet.columns:
            unit = raw.header_units.get(column.name)
            if unit is not None and not _heading_unit_fits(unit, column):
                self.problem(raw, f"the heading gives the unit '{unit}', but the column takes {column.unit}: convert "
                             f"the values to {column.unit} and head the column '{column.name}' or "
                             f"'{column.name} ({column.unit})'", raw.header_row, column.name)
        if missing:
            return None
        names = [column.name for column in sheet.columns]
        cells = np.full((len(raw.rows), len(names)), None, dtype=object)  # a column not given: all blank
        for j, name in enumerate(names):
            if name in raw.frame.columns:
                cells[:, j] = raw.frame[name].to_numpy(dtype=object)
        # what is plain about each cell, found for the whole sheet at once
        blank = np.fromiter(map(_blank, cells.ravel()), dtype=bool, count=cells.size).reshape(cells.shape)
        numbers = _plain_numbers(cells.ravel(), raw.decimals).reshape(cells.shape)
        parsed = np.empty(cells.shape, dtype=object)
        for j, column in enumerate(sheet.columns):
            if _in_percent(raw.header_units.get(column.name), column, numbers[:, j]):
                numbers[:, j] /= 100.0
                cells[:, j] = np.where(np.isfinite(numbers[:, j]), numbers[:, j], cells[:, j])
            parsed[:, j] = self._column(raw, column, cells[:, j], blank[:, j], numbers[:, j])
        # the frames built whole: set a column at a time, they cost a pandas call per column
        out = pd.DataFrame(parsed, columns=names, dtype=object)
        out.insert(0, "_row", np.asarray(raw.rows, dtype=int))
        unset = np.array(["default" if column.default is not None else "blank" for column in sheet.columns])
        self.origins[sheet.name] = pd.DataFrame(np.where(blank, unset, "workbook"), columns=names, index=out.index)
        self._recalculated(raw, sheet)
        if hidden := sorted(raw.hidden_rows.intersection(raw.rows)):  # filtered out, say: still the plan's rows
            listed = ", ".join(map(str, hidden[:10])) + (", ..." if len(hidden) > 10 else "")
            self.warnings.append(f"{raw.where}: the workbook hides row{'s' if len(hidden) > 1 else ''} {listed} "
                                 f"(a filter, say); {'they are' if len(hidden) > 1 else 'it is'} read all the same")
        if raw.cut_short is not None:
            row, fields, headings = raw.cut_short
            warning = (f"{raw.where}, row {row}: the file ends inside this row, after {fields} of its {headings} "
                       "columns and with no line break: if the file was cut short (a copy or download stopped part "
                       "way), the row's last values are missing")
            self.warnings.append(warning)
            self.explanations.append(({(raw.where, row, name) for name, c in raw.positions.items() if c >= fields - 1},
                                      warning))
        if sheet.unique:
            first: dict[str, int] = {}  # each name given, at its first row
            for row, name in zip(raw.rows, parsed[:, names.index(sheet.unique)]):
                if name is None:  # blank, or a problem of its own
                    continue
                if name in first:
                    self.problem(raw, f"duplicate name '{name}'", row, sheet.unique)
                else:
                    first[name] = row
            self._names_alike(raw, first)
        return out, raw

    def _names_alike(self, raw: _RawSheet, first: dict[str, int]) -> None:
        """Warn of names (``first``: name -> row) that differ only in case, or in the form of their characters
        (full-width letters typed with an East Asian input method, ligatures, superscripts: Unicode's compatibility
        forms): read as two, where a spreadsheet's lookups take names apart by case for one, and a reader takes
        either for one."""
        by_folded: dict[str, list[tuple[str, int]]] = {}
        for name, row in first.items():
            by_folded.setdefault(folded(str(name)), []).append((str(name), row))
        for alike in by_folded.values():
            if len(alike) > 1:
                listed = [f"'{name}' (row {row})" for name, row in alike]
                names = [name for name, _ in alike]
                forms = {unicodedata.normalize("NFKC", name) for name in names}
                if len({name.lower() for name in names}) == 1 or forms == set(names):  # no name in another form
                    how, who = "in case", "a spreadsheet's lookups"
                else:
                    how, who = "in the form of their characters (full-width, ligatures, superscripts)", "a reader"
                    if len(forms) > 1:
                        how += " and in case"
                self.warnings.append(f"{raw.where}: {spoken(listed)} differ only {how}: "
                                     "they are read as two, each named in the other sheets by its exact spelling "
                                     f"({who} would take them for one)")

    def _column(self, raw: _RawSheet, column: Column, cells: np.ndarray, blank: np.ndarray,
                numbers: np.ndarray) -> np.ndarray:
        """Every cell of a column parsed as :meth:`cell` does, given which cells are blank and the
        :func:`_plain_numbers` of them. The plain ones, which need no message, are settled in bulk:
        a blank where the column may be blank, and in a number column a plain number within the
        column's bounds. The rest go one by one."""
        parsed = np.full(len(cells), None, dtype=object)
        settled = np.zeros(len(cells), dtype=bool)
        if not (column.required and not (column.catalogue or column.from_name)) and not raw.unsaved:
            if raw.merged:  # a blank in merged cells is not the default: see cell
                blank = blank & ~raw.in_merges(column.name)
            parsed[blank] = column.default
            settled |= blank
        if column.kind != "text":
            fits = np.isfinite(numbers) & (numbers <= min(column.maximum if column.maximum is not None else np.inf,
                                                          ceiling(column)))
            if column.minimum is not None:
                fits &= numbers > column.minimum if column.exclusive_minimum else numbers >= column.minimum
            if floor(column) is not None:
                fits &= numbers >= floor(column)
            parsed[fits] = numbers[fits]
            settled |= fits
        for i in np.flatnonzero(~settled):
            parsed[i] = self.cell(raw, column, raw.rows[i], cells[i])
        return parsed

    def _recalculated(self, raw: _RawSheet, sheet: Sheet) -> None:
        """Warn of formulas read as the 0 their writer saved in place of a result (xlsxwriter does so for a
        formula given none): the workbook asks to be recalculated on opening, so 0 may not be their value."""
        read = {raw.positions[c.name]: c.name for c in sheet.columns if c.name in raw.positions}
        listed = set(raw.rows)
        by_column: dict[str, list[tuple[int, str]]] = {}
        for (row, c), formula in sorted(raw.recalculated.items()):
            if c in read and row in listed:
                by_column.setdefault(read[c], []).append((row, formula))
        for name, cells in by_column.items():
            rows = ", ".join(str(row) for row, _ in cells[:10]) + (", ..." if len(cells) > 10 else "")
            warning = (f"{raw.where}, column '{name}': the formula{'s' if len(cells) > 1 else ''} in row"
                       f"{'s' if len(cells) > 1 else ''} {rows} (first '{cells[0][1]}') read as 0, the result the "
                       "program that wrote the file saved without calculating it (the workbook asks to be "
                       "recalculated when opened); if 0 is not the value, open the file in a spreadsheet program, "
                       "save it, and try again")
            self.warnings.append(warning)
            self.explanations.append(({(raw.where, row, name) for row, _ in cells}, warning))

    def explaining(self) -> list[str]:
        """The warnings of formulas read as 0 (:meth:`_recalculated`) and of a CSV row cut short where such a cell
        has a problem: they tell why a value the user sees or meant differs from the one found."""
        return [warning for cells, warning in self.explanations if cells & self.flagged]

    def cell(self, raw: _RawSheet, column: Column, row: int, value: object):
        if _blank(value):
            formula = raw.formula(row, column.name)
            if formula is not None:
                self.problem(raw, f"the formula '{formula}' has no saved result (the file was not saved by a "
                             "spreadsheet program): open it in one, save, and try again", row, column.name)
                return None
            note = _merged_note(raw, row, column.name)
            # catalogue and from_name columns: see _fill_from_catalogue and _hours_from_names
            if column.required and not (column.catalogue or column.from_name):
                self.problem(raw, "required value is blank" + note, row, column.name)
            elif note and not column.catalogue:  # the sheet shows the merged value here, the default would differ
                self.problem(raw, "value is blank" + note, row, column.name)
            return column.default
        error = _spreadsheet_error(value)
        if error is not None:
            self.problem(raw, f"the cell shows the spreadsheet error '{error}'; fix the formula", row, column.name)
            return None
        if column.kind == "text":
            if isinstance(value, float) and not math.isfinite(value):  # stored so, where a name belongs
                self.problem(raw, f"expected text, found the number {value}", row, column.name)
                return None
            text = _parse_text(value)
            if unseen := _UNSEEN.search(text):
                self.problem(raw, f"the text holds {_UNSEEN_KINDS[unseen[0]]} (U+{ord(unseen[0]):04X}): remove it",
                             row, column.name)
                return None
            if len(text) > CELL_TEXT_MOST:
                self.problem(raw, f"the text is {len(text):,} characters long, more than a spreadsheet's cell holds "
                             f"({CELL_TEXT_MOST:,}), so results.xlsx could not hold it: shorten it", row, column.name)
                return None
            if column.choices is None:
                return text
            if text.lower() not in column.choices:
                self.problem(raw, f"expected one of {', '.join(column.choices)}, found '{text}'", row, column.name)
                return None
            return text.lower()
        number, trouble = _number_cell(value, column, raw.decimals)
        if trouble is not None:
            self.problem(raw, trouble, row, column.name)
            return None
        if column.minimum is not None:
            too_low = number <= column.minimum if column.exclusive_minimum else number < column.minimum
            if too_low:
                bound = ">" if column.exclusive_minimum else ">="
                self.problem(raw, f"must be {bound} {column.minimum:g}, found {_beside(number, column.minimum)}",
                             row, column.name)
                return None
        if floor(column) is not None and number < floor(column):
            self.problem(raw, f"must be >= {floor(column):g}, found {_beside(number, floor(column))}: implausibly "
                         "small", row, column.name)
            return None
        if column.maximum is not None and number > column.maximum:
            # a share typed as a percentage without its sign: 40 for 40%
            percent = column.unit == "fraction" and 2 <= number <= 100
            self.problem(raw, f"must be <= {column.maximum:g}, found {_beside(number, column.maximum)}"
                         + (f" (a share: for {number:g}%, type {number:g}% or {number / 100:g})" if percent else ""),
                         row, column.name)
            return None
        if number > ceiling(column):
            self.problem(raw, f"must be <= {ceiling(column):g}, found {_beside(number, ceiling(column))}: "
                         "implausibly large", row, column.name)
            return None
        return number

    def reference(self, raw: _RawSheet, table: pd.DataFrame, column: str, known: list[str] | None, what: str,
                  spans: dict[str, _Span | None] | None = None):
        """Names in ``column`` must be among ``known``; None: the names are unknowable (their sheet is
        missing or unreadable, which is reported already), so nothing is checked. With the ``spans`` of the names
        (periods), an unknown one is told by the time it names where it names one."""
        if known is None:
            return
        by_folded = {folded(k): k for k in known}
        when = None if spans is None else [spans[name] for name in known]
        tips: dict[str, str] = {}  # by name: a fleet of months repeats each name misspelt once per GPU type
        for row, name in zip(table["_row"], table[column]):
            if isinstance(name, str) and name not in known:
                if name not in tips:
                    tip = None if when is None else _when_note(name, known, when)
                    if tip is None:
                        hint = meant(folded(name), by_folded)
                        tip = f" (did you mean '{hint}'?)" if hint else _date_serial_note(name, known)
                    tips[name] = tip
                self.problem(raw, f"unknown {what} '{name}'{tips[name]}", row, column)


def _when_note(name: str, periods: list[str], spans: list[_Span | None]) -> str | None:
    """Where period ``name`` says when it starts, what it is as time among the ``periods`` (the periods sheet's
    names, of these ``spans``) whose names say theirs: a quarter, half or year that spans several of them; the one
    that starts then (a date in one sheet, text in another: '2027-01' beside '2027-01-01'); between two of them, the
    one name there that says no time (a name mistyped there: 'Spet 2027'), or the earlier of the two, which it
    falls in; before the first; after or later than the last. None where no time is said (the caller's spelling
    hint then), and '' where times say nothing more: a near spelling is then another time."""
    span = _period_span(name)
    read = [i for i, known in enumerate(spans) if known is not None]
    if span is None or not read:
        return None
    if span.end is not None:
        within = [periods[i] for i in read if span.start <= spans[i].start < span.end]
        if len(within) > 1:
            return f" ('{name}' spans {within[0]} to {within[-1]}: name one of them)"
    same = [i for i in read if spans[i].start == span.start]
    if same:
        return f" (did you mean '{periods[same[0]]}', which starts then?)"
    before = [i for i in read if spans[i].start < span.start]
    after = [i for i in read if spans[i].start > span.start]
    low, high = (before[-1] if before else -1), (after[0] if after else len(periods))
    ended = before and spans[low].end is not None  # the period before names its end: a quarter, half or year
    if ended and span.start < spans[low].end:
        return f" (did you mean '{periods[low]}', which it falls in?)"
    unread = [periods[i] for i in range(low + 1, high) if spans[i] is None]
    if unread:  # named between two periods by names that say no time; at either end, no telling
        hint = (unread[0] if len(unread) == 1 else closest(name, unread, cutoff=0.5)) if before and after else None
        return "" if hint is None else f" (did you mean '{hint}'? Its name in the periods sheet says no time)"
    if not before:
        return f" (before the first period, '{periods[read[0]]}')"
    if ended:
        return (f" (between '{periods[low]}' and '{periods[high]}': in no period)" if after else
                f" (after the last period, '{periods[low]}')")
    if after:
        return f" (did you mean '{periods[low]}', which it falls in?)"
    return f" (later than the last period, '{periods[low]}', starts)"


def _date_serial_note(name: str, known: list[str]) -> str:
    """Where ``name`` is a day as spreadsheets count them ('46023') and that date is among the ``known`` names
    ('2026-01-01'), a note saying so: a cell formatted as a number in one sheet and as a date in another."""
    if not (name.isascii() and name.isdigit() and len(name) <= 6):
        return ""
    day = (dt.date(1899, 12, 30) + dt.timedelta(days=int(name))).isoformat()
    return (f" (it is {day} as a spreadsheet counts days: format the cell as a date, as the periods sheet's are)"
            if day in known else "")


def _other_text_file(folder: Path, sheet: str) -> str:
    """A hint naming the text file of another suffix that holds ``sheet`` in ``folder`` ('periods.tsv', as a
    spreadsheet saves tab-separated text), if one does: '' if none."""
    with contextlib.suppress(OSError):
        for path in sorted(folder.iterdir()):
            if path.stem.strip().lower() == sheet and path.suffix.lower() in (".tsv", ".txt", ".tab"):
                return f" ({path.name} is there: only .csv files are read; rename it {sheet}.csv)"
    return ""


def _merged_note(raw: _RawSheet, row: int, column: str) -> str:
    """Why a cell is blank, if it is one of merged cells other than the first: '' if not."""
    merged = raw.merged_with(row, column)
    if merged is None:
        return ""
    first, value = merged
    return (f": it lies in cells merged with {first} ('{_parse_text(value)}'), which give their value to the first "
            "cell only; unmerge them and fill in each cell")


def _unit(column: Column) -> str:
    return f" in {column.unit}" if column.unit else ""


def _column_letter(index: int) -> str:
    """0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------------------
# the scenario


def read_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario; raise InputError listing every problem."""
    path = Path(path)
    sheets = _load_raw(path)
    check = _Checker(sheets, path)
    tables = {}
    for sheet in SHEETS:
        tables[sheet.name] = check.table(sheet)
        if sheet.name == "gpus" and tables["gpus"] is not None:
            _fill_from_catalogue(check, tables["gpus"])

    for key, raw in sheets.items():
        # a copy or an old version of a sheet the planner reads: 'training (2)', 'Copy of gpus'
        copied = [name for name in SHEETS_BY_NAME if key != name and re.search(rf"(?<![a-z]){name}(?![a-z])", key)]
        if raw.hidden and key in SHEETS_BY_NAME:  # a hidden sheet may be an old version, kept out of sight
            check.warnings.append(f"{raw.where}: the workbook hides this sheet; it is read all the same")
        if copied:
            check.warnings.append(f"{raw.where}: not read (the planner reads the sheet '{copied[0]}')")
        elif key not in SHEETS_BY_NAME:  # a misspelt optional sheet would otherwise go unread in silence
            absent = [sheet.name for sheet in SHEETS if not sheet.required and sheet.name not in sheets]
            if hint := closest(key, absent):
                what = f"the file '{hint}.csv'" if path.is_dir() else f"the sheet '{hint}'"
                check.warnings.append(f"{raw.where}: not read (is it {what}?)")
    name, pue = _site(check, tables["site"])
    periods = tables["periods"]
    period_names = [] if periods is None else [p for p in periods[0]["period"] if p is not None]
    gpus = tables["gpus"]
    gpu_names = [] if gpus is None else [g for g in gpus[0]["gpu"] if g is not None]
    # names other sheets may refer to; None when their sheet is missing or unreadable (reported already)
    period_refs = None if periods is None else period_names
    gpu_refs = None if gpus is None else gpu_names

    if periods is not None and periods[0].empty:
        check.problem(periods[1], "no periods listed")
    # what each period's name says of its time, read once for every check of it
    period_spans = {} if periods is None else {label: _period_span(label) for label in periods[0]["period"]}
    if periods is not None:
        _hours_from_names(check, *periods, period_spans)
    # positions in the list stand for time only where the periods are listed in time order
    ordered = periods is not None and _check_period_order(check, *periods, period_spans)
    if gpus is not None and gpus[0].empty:
        check.problem(gpus[1], "no GPU types listed")

    fleet = tables["fleet"]
    if fleet is not None:
        check.reference(fleet[1], fleet[0], "gpu", gpu_refs, "GPU")
        check.reference(fleet[1], fleet[0], "period", period_refs, "period", period_spans)
        dup = fleet[0].duplicated(["gpu", "period"]) & fleet[0]["gpu"].notna() & fleet[0]["period"].notna()
        for row, g, p in zip(fleet[0].loc[dup, "_row"], fleet[0].loc[dup, "gpu"], fleet[0].loc[dup, "period"]):
            check.problem(fleet[1], f"GPU '{g}' in period '{p}' is listed twice", row, "period")
        if fleet[0].empty:
            check.problem(fleet[1], "no GPUs listed: give how many of each type are installed in each period")
        if periods is not None:
            _check_totals_row(check, *periods, fleet[0])

    training, inference = tables["training"], tables["inference"]
    order = {p: i for i, p in enumerate(period_names)}
    if training is not None:
        frame, raw = training
        check.reference(raw, frame, "start_period", period_refs, "period", period_spans)
        check.reference(raw, frame, "deadline_period", period_refs, "period", period_spans)
        for row, start, end in zip(frame["_row"], frame["start_period"], frame["deadline_period"]):
            if ordered and start in order and end in order and order[end] < order[start]:
                check.problem(raw, f"deadline '{end}' is before the start '{start}'", row, "deadline_period")
    if inference is not None:
        check.reference(inference[1], inference[0], "start_period", period_refs, "period", period_spans)
    if training is not None and inference is not None:
        clash = set(training[0]["workload"]) & set(inference[0]["workload"]) - {None}
        for row, w in zip(inference[0]["_row"], inference[0]["workload"]):
            if w in clash:
                check.problem(inference[1], f"workload '{w}' is also a training run; names must differ", row,
                              "workload")
        if training[0].empty and inference[0].empty:
            check.problems.append(f"{path}: no workloads: the training and inference sheets are both empty")

    for table in (training, inference):
        if table is not None:
            _check_workload_figures(check, *table)
    _check_priority_span(check, [table for table in (training, inference) if table is not None])

    throughput = tables["throughput"]
    if throughput is not None and inference is not None and training is not None:
        _check_throughput(check, throughput, training[0], inference[0], None if gpus is None else gpus[0])
    if throughput is not None:
        frame, raw = throughput
        dup = frame.duplicated(["workload", "gpu"]) & frame["workload"].notna() & frame["gpu"].notna()
        for row, w, g in zip(frame.loc[dup, "_row"], frame.loc[dup, "workload"], frame.loc[dup, "gpu"]):
            check.problem(raw, f"workload '{w}' on GPU '{g}' is listed twice", int(row), "gpu")
    if gpus is not None and inference is not None:
        _check_fits(check, gpus[0], inference, throughput)
    if periods is not None and gpus is not None and fleet is not None:
        _check_idle_power(check, pue, periods, gpus[0], fleet[0])

    if check.problems:
        raise InputError(check.said() + check.explaining())

    scenario = Scenario(
        name=name,
        source=path,
        pue=pue,
        periods=_clean(periods[0]),
        gpus=_clean(gpus[0]),
        fleet=_fleet_grid(fleet[0], gpu_names, period_names),
        training=_with_active(_clean(training[0])),
        inference=_with_active(_clean(inference[0])),
        throughput=_clean(throughput[0]) if throughput is not None else
        pd.DataFrame({c.name: pd.Series(dtype=float if c.kind == "number" else object)
                      for c in SHEETS_BY_NAME["throughput"].columns}),
        warnings=check.warnings,
        origins={name: check.origins[name].reset_index(drop=True)
                 for name in ("periods", "gpus", "training", "inference", "throughput") if name in check.origins},
    )
    scenario.inference["start_period"] = scenario.inference["start_period"].fillna(period_names[0])
    for period in scenario.fleet.columns[scenario.fleet.sum(axis=0).to_numpy() == 0]:
        scenario.warnings.append(f"{path}: period '{period}' has no GPUs installed (sheet 'fleet'): no workload "
                                 "runs in it")
    scenario.warnings += _budget_in_kw(scenario, periods[1])
    scenario.warnings += _fleet_gaps(*fleet, period_names)
    # blanks whose value the planner derives: the first period, and active = total parameters
    for sheet, column in (("inference", "start_period"), ("training", "active_params_b"),
                          ("inference", "active_params_b")):
        origin = scenario.origins[sheet][column]
        scenario.origins[sheet][column] = origin.where(origin != "blank", "default")
    return scenario


ARCHITECTURE = ("layers", "kv_heads", "head_dim")  # sized together: the KV cache per token


def _check_workload_figures(check: _Checker, frame: pd.DataFrame, raw: _RawSheet) -> None:
    """Figures of one workload that contradict each other: more active parameters than parameters,
    a minimum of GPUs above the maximum, part of the attention architecture without the rest.
    ``frame`` holds every column of its sheet (None where blank, or where a problem is reported)."""
    def above(low: str, high: str) -> pd.Index:  # a blank (NaN) compares False
        return frame.index[frame[low].to_numpy(dtype=float, na_value=np.nan)
                           > frame[high].to_numpy(dtype=float, na_value=np.nan)]

    for i in above("active_params_b", "params_b"):
        check.problem(raw, f"active parameters ({frame.at[i, 'active_params_b']:g} B) exceed the parameters "
                      f"({frame.at[i, 'params_b']:g} B): active_params_b is the part of params_b used per token",
                      int(frame.at[i, "_row"]), "active_params_b")
    if "min_gpus" in frame:
        for i in above("min_gpus", "max_gpus"):
            check.problem(raw, f"min_gpus ({frame.at[i, 'min_gpus']:g}) is above max_gpus "
                          f"({frame.at[i, 'max_gpus']:g})", int(frame.at[i, "_row"]), "min_gpus")
    if "layers" in frame:
        given = frame[list(ARCHITECTURE)].notna()
        for i in frame.index[given.any(axis=1) & ~given.all(axis=1)]:
            row = int(frame.at[i, "_row"])
            missing = [c for c in ARCHITECTURE if not given.at[i, c] and not check.has_problem(raw, row, c)]
            if missing:
                check.problem(raw, f"give {', '.join(ARCHITECTURE)} together or none (the KV cache is sized from "
                              f"all three, else from a rule of thumb); blank here: {', '.join(missing)}",
                              row, missing[0])


# how far apart priorities may be: the objective weighs the least at 1,000 units (model.OBJECTIVE_SCALE), and HiGHS
# takes a cost from 1e20 as infinite (priorities 1e-12 and 1e9 gave a solver failure)
PRIORITY_SPAN = 1e12


def _check_priority_span(check: _Checker, tables: list[tuple[pd.DataFrame, _RawSheet]]) -> None:
    """The highest priority may be at most :data:`PRIORITY_SPAN` times the least: told at the highest's row."""
    given = [(float(p), raw, int(row)) for frame, raw in tables
             for p, row in zip(frame["priority"], frame["_row"]) if isinstance(p, float)]
    if not given:
        return
    least, most = min(given, key=lambda g: g[0]), max(given, key=lambda g: g[0])
    if most[0] > PRIORITY_SPAN * least[0]:
        check.problem(most[1], f"priority {most[0]:g} is more than {PRIORITY_SPAN:g} times the least "
                      f"({least[0]:g}, {least[1].where}, row {least[2]}): priorities are relative, and the solver "
                      "cannot weigh them so far apart", most[2], "priority")


def _fill_from_catalogue(check: _Checker, gpus: tuple[pd.DataFrame, _RawSheet]) -> None:
    """Blank figures of a GPU named in the built-in catalogue come from it; a blank figure the
    catalogue cannot give (the GPU is not in it) is a problem when the column is required."""
    frame, raw = gpus
    fields = {f.name for f in dataclasses.fields(catalogue.CatalogueGPU)}
    columns = [c for c in SHEETS_BY_NAME["gpus"].columns if c.name in fields and c.name in frame.columns]
    absent: dict[str, list[str]] = {}
    spellings: dict[str, list[tuple[str, int]]] = {}  # by catalogue entry: the names (and rows) standing for it
    for i in frame.index:
        name, row = frame.at[i, "gpu"], int(frame.at[i, "_row"])
        if not isinstance(name, str):
            continue  # a blank name is reported already
        entry = catalogue.lookup(name)
        if entry is not None:
            spellings.setdefault(entry.name, []).append((name, row))
        for column in columns:
            if frame.at[i, column.name] is not None or check.has_problem(raw, row, column.name):
                continue
            if note := _merged_note(raw, row, column.name):  # the sheet shows the merged value, not the catalogue's
                check.problem(raw, f"{'value' if entry is not None else 'required value'} is blank{note}", row,
                              column.name)
            elif entry is not None:
                frame.at[i, column.name] = getattr(entry, column.name)
                if frame.at[i, column.name] is not None:  # an all-in draw no system power publishes: an estimate
                    estimate = column.name == "it_w" and entry.it_w_basis.startswith("estimate")
                    check.origins["gpus"].at[i, column.name] = "estimate" if estimate else "catalogue"
            elif column.catalogue and column.name not in raw.frame.columns:
                absent.setdefault(column.name, []).append(name)
            elif column.catalogue:
                hint = catalogue.suggest(name)
                tip = f"; did you mean the catalogue's '{hint}'?" if hint else ""
                check.problem(raw, f"required value is blank ('{name}' is not in the built-in GPU catalogue{tip})",
                              row, column.name)
    for entry, named in spellings.items():
        if len({folded(name) for name, _ in named}) > 1:  # names apart by case or form alone are warned of already
            names = [f"'{name}' (row {row})" for name, row in named]
            check.warnings.append(f"{raw.where}: {spoken(names)} are both the catalogue's "
                                  f"'{entry}': they are read as two GPU types, each named in the other sheets by "
                                  "its exact spelling")
    for column, names in absent.items():  # a near miss of a catalogue name is answered with it, as a blank cell is
        listed = ", ".join(f"'{n}'" + (f" (did you mean the catalogue's '{hint}'?)" if (hint := catalogue.suggest(n))
                                       else "") for n in names)
        check.problem(raw, f"missing required column (needed for GPU types not in the built-in catalogue: {listed})",
                      column=column)
    for row, gpu, idle, busy in zip(frame["_row"], frame["gpu"], frame["idle_w"], frame["it_w"]):
        if isinstance(idle, float) and isinstance(busy, float) and idle > busy:
            check.problem(raw, f"idle draw {idle:g} W is above the draw in use (it_w {busy:g} W)", int(row), "idle_w")


def _check_fits(check: _Checker, gpus: pd.DataFrame, inference: tuple[pd.DataFrame, _RawSheet],
                throughput: tuple[pd.DataFrame, _RawSheet] | None) -> None:
    """An inference service whose weights fit no GPU type at any replica size cannot be served."""
    hbm = [(h, g) for g, h in zip(gpus["gpu"], gpus["hbm_gb"]) if isinstance(h, float) and isinstance(g, str)]
    if not hbm:
        return
    largest, gpu = max(hbm)
    measured = set()
    if throughput is not None and "tokens_per_s_per_gpu" in throughput[0].columns:
        measured = {w for w, t in zip(throughput[0]["workload"], throughput[0]["tokens_per_s_per_gpu"])
                    if isinstance(t, float)}
    frame, raw = inference
    precisions = frame["precision"] if "precision" in frame.columns else [None] * len(frame)
    for row, workload, params_b, precision in zip(frame["_row"], frame["workload"], frame["params_b"], precisions):
        if not isinstance(params_b, float) or workload in measured:
            continue
        precision = precision if precision in BYTES_PER_PARAM else "bf16"
        weights_gb = params_b * BYTES_PER_PARAM[precision]
        capacity_gb = MAX_REPLICA_GPUS * largest * HBM_USABLE
        if weights_gb > capacity_gb:
            check.problem(
                raw, f"a {params_b:g}B-parameter model fits no GPU type: its {precision} weights "
                f"({weights_gb:,.0f} GB) "
                f"exceed {MAX_REPLICA_GPUS} GPUs x {largest:g} GB x {HBM_USABLE:.0%} usable on the largest, '{gpu}' "
                f"({capacity_gb:,.0f} GB)", int(row), "params_b",
            )


def _check_throughput(
    check: _Checker,
    throughput: tuple[pd.DataFrame, _RawSheet],
    training: pd.DataFrame,
    inference: pd.DataFrame,
    gpus: pd.DataFrame | None,
) -> None:
    """Each measured row names a known workload and GPU, and gives the figure its kind uses (the other one, if
    given too, is not used: warned of); a training rate is at most the GPU's peak at the run's precision."""
    frame, raw = throughput
    runs = {w: p for w, p in zip(training["workload"], training["precision"]) if w is not None}
    services = {w for w in inference["workload"] if w is not None}
    check.reference(raw, frame, "workload", sorted(runs.keys() | services), "workload")
    check.reference(raw, frame, "gpu", None if gpus is None else [g for g in gpus["gpu"] if g is not None], "GPU")
    peaks = {} if gpus is None else {g: row for g, row in zip(gpus["gpu"], gpus.to_dict("records"))}
    for row, workload, gpu, tokens, tflops in zip(frame["_row"], frame["workload"], frame["gpu"],
                                                  frame["tokens_per_s_per_gpu"], frame["train_tflops_per_gpu"]):
        if workload not in services and workload not in runs:
            continue  # an unknown name, reported
        figures = {"tokens_per_s_per_gpu": tokens, "train_tflops_per_gpu": tflops}
        kind, needed, unused = (("an inference service", "tokens_per_s_per_gpu", "train_tflops_per_gpu")
                                if workload in services else
                                ("a training run", "train_tflops_per_gpu", "tokens_per_s_per_gpu"))
        if figures[needed] is None:
            if not check.has_problem(raw, row, needed):  # a figure given but refused is told once
                check.problem(raw, f"'{workload}' is {kind}: give {needed}", row, needed)
        elif figures[unused] is not None:
            check.warnings.append(f"{raw.where}, row {row}, column '{unused}': not used: '{workload}' is {kind}")
        if workload in runs and isinstance(tflops, float) and gpu in peaks:
            precision = runs[workload] if runs[workload] in PEAK_COLUMN else "bf16"
            peak = peaks[gpu].get(PEAK_COLUMN[precision])
            if isinstance(peak, float) and tflops > peak:
                check.problem(raw, f"{tflops:g} TFLOP/s is above {gpu}'s {precision} peak ({peak:g}): give the "
                              "TFLOP/s one GPU delivers to the run (model FLOPs: 6 x active parameters per token "
                              "trained), at most its peak", row, "train_tflops_per_gpu")


def _site(check: _Checker, site: tuple[pd.DataFrame, _RawSheet] | None) -> tuple[str, float]:
    if site is None:
        return "", 1.0
    frame, raw = site
    values: dict[str, object] = {}
    for row, key, value in zip(frame["_row"], frame["key"], frame["value"]):
        if key is None:
            continue
        key = key.lower()
        if key not in SITE_KEYS:
            hint = closest(key, list(SITE_KEYS))
            tip = f" (did you mean '{hint}'?)" if hint else ""
            check.warnings.append(f"{raw.where}, row {row}, column 'key': unknown key '{key}' ignored{tip}")
            continue
        if key in values:
            check.problem(raw, f"key '{key}' is given twice", row, "key")
        # a blank value was reported by the sheet check already
        values[key] = None if value is None else check.cell(raw, replace(SITE_KEYS[key], name="value"), row, value)
    for key in SITE_KEYS:
        if key not in values:
            check.problem(raw, f"missing key '{key}'", column="key")
    pue = values.get("pue")
    return str(values.get("name") or ""), float(pue) if isinstance(pue, float) else 1.0


_TEXT_COLUMNS = {c.name for sheet in SHEETS for c in sheet.columns if c.kind == "text"}


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the row bookkeeping, give numeric columns a float dtype and text columns pandas' own."""
    # text parsed as object (None for blank): pandas infers its text dtype as it does for a list (a Series of one, where
    # a frame takes an empty list for floats); the frame is built whole, not a pandas call per column set
    return pd.DataFrame({column: pd.Series(frame[column].tolist()) if column in _TEXT_COLUMNS
                         else frame[column].to_numpy(float) for column in frame.columns if column != "_row"})


def _with_active(frame: pd.DataFrame) -> pd.DataFrame:
    frame["active_params_b"] = frame["active_params_b"].fillna(frame["params_b"]).astype(float)
    return frame


# Budgets that read as kW typed under power_mw: this many times what the GPUs draw at full use in every
# period, and one of this many MW (1 GW) or more, which small fleets with budgets to spare do not reach.
KW_SUSPECTED, KW_SUSPECTED_MW = 100.0, 1000.0


def _budget_in_kw(scenario: Scenario, raw: _RawSheet) -> list[str]:
    """A warning where the budgets look like kW (see KW_SUSPECTED): typed as plain numbers, they read as
    MW without a unit to refuse."""
    full_mw = (scenario.gpus.set_index("gpu")["it_w"].reindex(scenario.fleet.index).to_numpy()
               @ scenario.fleet.to_numpy()) * scenario.pue / 1e6
    budget = scenario.periods["power_mw"].to_numpy()
    equipped = full_mw > 0
    if (not equipped.any() or budget.max() < KW_SUSPECTED_MW
            or (budget[equipped] < KW_SUSPECTED * full_mw[equipped]).any()):
        return []
    first = int(np.flatnonzero(equipped)[0])
    return [f"{raw.where}, column 'power_mw': every period's budget is {KW_SUSPECTED:g} times or more what its "
            f"GPUs draw at full use ({scenario.periods['period'].iloc[first]}: {budget[first]:,.4g} MW against "
            f"{full_mw[first]:,.4g} MW); power_mw is in MW: was it typed in kW?"]


TOTALS_LABELS = frozenset({"total", "totals", "grand total", "sum", "summe", "gesamt", "insgesamt", "totaal",
                           "somme", "totale", "suma", "all"})


def _starts_later(label: str, before: object) -> bool:
    """Whether period ``label`` says it starts after period ``before`` does."""
    span, earlier = _period_span(label), _period_span(before)
    return span is not None and earlier is not None and span.start > earlier.start


def _check_totals_row(check: _Checker, frame: pd.DataFrame, raw: _RawSheet, fleet: pd.DataFrame) -> None:
    """A totals row typed under the periods would be read as one more period, which every service
    counts as a period unserved: refused where it is named as one, or where it is the last row, has no
    GPUs and its hours are those of all the rows above."""
    equipped = {p for p, n in zip(fleet["period"], fleet["installed"]) if isinstance(n, float) and n > 0}
    hours = [h if isinstance(h, float) else np.nan for h in frame["hours"]]
    for i, (row, label) in enumerate(zip(frame["_row"], frame["period"])):
        if not isinstance(label, str):
            continue
        named = label.casefold().strip(" :*") in TOTALS_LABELS
        summed = (i == len(frame) - 1 >= 2 and label not in equipped  # of two rows or more above
                  and math.isclose(hours[i], np.nansum(hours[:i]), rel_tol=1e-9)
                  and not _starts_later(label, frame["period"].iloc[i - 1]))  # 2027 after 2026's quarters
        if named or summed:
            why = "its name" if named else "its hours are those of all the periods above, and it has no GPUs"
            check.problem(raw, f"'{label}' looks like a totals row, not a period ({why}): delete the row", int(row),
                          "period")


# how period labels name their start, as (year, month, day), and the months they span where they name a quarter,
# a half or a year (a month's label, 2026-07, may stand for a quarter starting then: its span is not taken from it)
_PERIOD_PATTERNS = (
    (re.compile(r"(\d{4})\s*[-/ ]?\s*q([1-4])", re.I), lambda y, n: ((int(y), 3 * int(n) - 2, 1), 3)),
    (re.compile(r"q([1-4])\s*[-/ ]?\s*(\d{4})", re.I), lambda n, y: ((int(y), 3 * int(n) - 2, 1), 3)),
    (re.compile(r"(\d{4})\s*[-/ ]?\s*h([12])", re.I), lambda y, n: ((int(y), 6 * int(n) - 5, 1), 6)),
    (re.compile(r"h([12])\s*[-/ ]?\s*(\d{4})", re.I), lambda n, y: ((int(y), 6 * int(n) - 5, 1), 6)),
    (re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"), lambda y, m, d: ((int(y), int(m), int(d or 1)), None)),
    # year first with slashes, two digits a month and day (2026/07, 2026/07/15); not points: a number cell 2026.10
    # reads as 2026.1, and 2026.1 may be a quarter
    (re.compile(r"(\d{4})/(\d{2})(?:/(\d{2}))?"), lambda y, m, d: ((int(y), int(m), int(d or 1)), None)),
    (re.compile(r"(\d{1,2})[-/](\d{4})"), lambda m, y: ((int(y), int(m), 1), None)),  # month first: 01/2027
    # a month by its English name or abbreviation (Jan 2027, 2027-January); a name that is none is month 0: no date
    (re.compile(r"([a-z]{3,9})\.?\s*[-/ ]?\s*(\d{4})", re.I),
     lambda m, y: ((int(y), _MONTHS.get(m.lower(), 0), 1), None)),
    (re.compile(r"(\d{4})\s*[-/ ]?\s*([a-z]{3,9})\.?", re.I),
     lambda y, m: ((int(y), _MONTHS.get(m.lower(), 0), 1), None)),
    (re.compile(r"(\d{4})"), lambda y: ((int(y), 1, 1), 12)),
)
_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_A_YEAR = re.compile(r"(?<!\d)(19|20|21)\d\d(?!\d)")  # in a label that may be a date the planner does not read


class _Span(NamedTuple):
    """When a period starts, as its label says, and where the label names a quarter, half or year, when it ends."""

    start: dt.datetime
    end: dt.datetime | None


def _period_span(label: object) -> _Span | None:
    """The :class:`_Span` a period label names; None if it names no start (or no date there is)."""
    if not isinstance(label, str):
        return None
    for pattern, span in _PERIOD_PATTERNS:
        if match := pattern.fullmatch(label.strip()):
            (year, month, day), months = span(*match.groups())
            if not 1900 <= year < 2200:  # four digits that are not a year: a count, hours (1-8760)
                return None
            later = month - 1 + months if months is not None else None
            try:
                return _Span(dt.datetime(year, month, day),
                             None if later is None else dt.datetime(year + later // 12, later % 12 + 1, 1))
            except ValueError:  # 2026-13, or a period ending past the year 9999
                return None
    return None


def _hours_from_names(check: _Checker, frame: pd.DataFrame, raw: _RawSheet, spans_of: dict[str, _Span | None]
                      ) -> None:
    """Blank hours of a period whose name says how long it is (see the ``hours`` column; ``spans_of`` its name):
    filled, their origin 'name'; other blank hours are a problem saying why."""
    names = frame["period"].tolist()
    spans = [spans_of.get(name) for name in names]
    to_next = []  # the periods filled up to the next one's start
    for i, (index, row, hours) in enumerate(zip(frame.index, frame["_row"], frame["hours"])):
        if hours is not None or check.has_problem(raw, int(row), "hours"):
            continue
        end, why = _period_end(spans, i, names)
        if end is None:
            check.problem(raw, f"required value is blank ({why}: give its hours)", int(row), "hours")
        else:
            frame.at[index, "hours"] = (end - spans[i].start).total_seconds() / 3600
            check.origins["periods"].at[index, "hours"] = "name"
            if spans[i].end is None and i + 1 < len(spans):
                to_next.append(index)
    # a month deleted from a list of months: the one before it runs on over it, longer than the periods beside it
    lengths = pd.to_numeric(frame["hours"], errors="coerce").to_numpy()
    for i in (frame.index.get_loc(index) for index in to_next):
        beside = lengths[[j for j in (i - 1, i + 1) if 0 <= j < len(lengths)]]
        beside = beside[~np.isnan(beside)]
        if beside.size and lengths[i] > beside.max() * (1 + HOURS_PAST_LABEL):
            check.warnings.append(f"{raw.where}, row {frame['_row'].iloc[i]}, column 'hours': period "
                                  f"'{frame['period'].iloc[i]}' is {lengths[i]:,g} hours long, to the next period's "
                                  f"start, where the periods beside it are {beside.max():,g} hours long at most (is "
                                  "one missing?)")


def _period_end(spans: list[_Span | None], i: int, names: list[str]) -> tuple[dt.datetime | None, str]:
    """When period ``i`` of these ``spans`` (of the periods ``names``) ends, where its name says: the end of the
    quarter, half or year it names, else the next period's start, or for the last, as many whole months after its
    start as the period before it spans, where that is no longer than the step before it (a gap there would make the
    last as long). Where the names do not say, None and why, for a sentence."""
    unsaid = "the names of the periods do not say how long it is"
    span = spans[i]
    if span is None:
        return None, "its name does not say when it starts"
    if span.end is not None:
        return span.end, ""
    if span.start.day != 1:  # a date past a month's first day may be the day a period closes (2026-01-31)
        return None, unsaid
    if i + 1 < len(spans):
        after = spans[i + 1]
        if after is None:
            return None, f"the next period's name, '{names[i + 1]}', does not say when it starts"
        return (after.start, "") if after.start.day == 1 and after.start > span.start else (None, unsaid)
    steps = [_months_between(spans[j - 1], spans[j]) for j in range(max(i - 1, 1), i + 1)]
    if not steps or steps[-1] is None:
        return None, unsaid
    if steps[0] is not None and steps[-1] > steps[0]:  # longer than the step before: a gap?
        return None, (f"the last, it is taken to be as long as the step to it from the period before ({steps[-1]} "
                      f"months), but that is longer than the step before it ({steps[0]}), as a gap would make it")
    later = span.start.month - 1 + steps[-1]
    return dt.datetime(span.start.year + later // 12, later % 12 + 1, 1), ""


def _months_between(first: _Span | None, then: _Span | None) -> int | None:
    """Whole months from the start of a period named by its start on a month's first day (2027-01, not 2027Q1: a
    quarter says nothing of the month after it) to ``then``'s; None where the names do not say."""
    if first is None or then is None or first.end is not None or first.start.day != 1 or then.start.day != 1:
        return None
    months = (then.start.year - first.start.year) * 12 + then.start.month - first.start.month
    return months if months > 0 else None


# of a period's hours: how far they may run past the time its label leaves it, for lengths of average or longest
# conventions given to shorter months and quarters (730 or 744 h to February's 672, 2,190 to a quarter's 2,160)
HOURS_PAST_LABEL = 0.15


def _check_period_order(check: _Checker, frame: pd.DataFrame, raw: _RawSheet,
                        spans_of: dict[str, _Span | None]) -> bool:
    """Runs' and services' windows follow the rows' order, so periods must be listed in time order; where every
    label says when it starts (2026Q1, 2026-07, a date), that order is checked. Where labels say when periods
    start, their hours must not run into the next period's (the same time counted twice), nor past the end of a
    quarter, half or year their label names, beyond :data:`HOURS_PAST_LABEL` (``spans_of``: what each label says).
    Whether the order holds."""
    spans = [spans_of.get(label) for label in frame["period"]]
    unread = [label for label, span in zip(frame["period"], spans) if span is None and isinstance(label, str)]
    if len(spans) >= 2 and unread and (len(unread) < len(spans) or any(_A_YEAR.search(label) for label in unread)):
        named = [repr(label) for label in unread[:3]] + ([f"{len(unread) - 3} more"] if len(unread) > 3 else [])
        check.warnings.append(
            f"{raw.where}, column 'period': {spoken(named)} "
            + ("does not say when it starts" if len(unread) == 1 else "do not say when they start")
            + " as the planner reads names of periods (2027-01, 2027/01, 01/2027, 2027-01-15, Jan 2027, 2027Q1, "
            "2027H1, 2027): the periods' time order and their hours are not checked")
    ordered = True
    if len(spans) >= 2 and None not in spans:
        for row, label, before, span, earlier in zip(frame["_row"].iloc[1:], frame["period"].iloc[1:],
                                                     frame["period"], spans[1:], spans):
            if span.start <= earlier.start and not check.has_problem(raw, int(row), "period"):  # a repeat is told
                check.problem(raw, f"period '{label}' is listed after '{before}' but does not start later: list "
                              "the periods in time order", int(row), "period")
            ordered = ordered and span.start > earlier.start
    if not ordered:
        return False
    # a date past a month's first day may be the day a period closes (2026-01-31, 2026-02-28), which says nothing
    # of how long the period before it is: such labels are not taken as starts here
    starts = [span if span is not None and span.start.day == 1 else None for span in spans]
    for i, (row, label, hours, span) in enumerate(zip(frame["_row"], frame["period"], frame["hours"], starts)):
        if span is None or not isinstance(hours, float):
            continue
        if i + 1 < len(starts):  # up to the next period's start, where its label says it (and later: in order)
            follower = starts[i + 1]
            if follower is None or follower.start <= span.start:
                continue
            room = (follower.start - span.start).total_seconds() / 3600
            after = f"'{frame['period'].iloc[i + 1]}', listed next, starts {room:,g} hours after it"
            why = f"but {after}: the periods overlap, counting the same time twice"
            if hours < room * (1 - HOURS_PAST_LABEL):  # a month deleted from a list of months, say
                check.warnings.append(f"{raw.where}, row {row}, column 'hours': period '{label}' has {hours:,g} hours, "
                                      f"but {after}: {room - hours:,g} hours fall in no period (is one missing?)")
        elif span.end is not None:  # the last: up to the end of the quarter, half or year its label names
            room = (span.end - span.start).total_seconds() / 3600
            why = f"more than the {room:,g} its name spans"
        else:
            continue
        if hours > room * (1 + HOURS_PAST_LABEL):
            check.problem(raw, f"period '{label}' has {hours:,g} hours, {why}", int(row), "hours")
    return True


def _fleet_grid(fleet: pd.DataFrame, gpus: list[str], periods: list[str]) -> pd.DataFrame:
    """GPUs installed by type and period (a sum, blanks and rows of other names left out; 0 where none is listed),
    added up by position, in the rows' order: a pivot table costs milliseconds of pandas calls."""
    g = pd.Index(gpus).get_indexer(fleet["gpu"])
    p = pd.Index(periods).get_indexer(fleet["period"])
    installed = fleet["installed"].to_numpy(dtype=float, na_value=np.nan)
    listed = (g >= 0) & (p >= 0) & ~np.isnan(installed)
    grid = np.zeros((len(gpus), len(periods)))
    np.add.at(grid, (g[listed], p[listed]), installed[listed])
    # not copied, so kept in C order as the pivot table's was: a product with it (the idle draw) rounds as before
    return pd.DataFrame(grid, index=pd.Index(gpus, name="gpu"), columns=pd.Index(periods, name="period"), copy=False)


def _fleet_gaps(fleet: pd.DataFrame, raw: _RawSheet, periods: list[str]) -> list[str]:
    """A warning per GPU type with no row for periods between two it has rows for: read as none installed, as a
    period with no row is, but more likely a row deleted or missed in a long list of months than a fleet gone and
    back."""
    listed = pd.DataFrame({"gpu": fleet["gpu"], "p": pd.Index(periods).get_indexer(fleet["period"])})
    warnings = []
    for gpu, found in listed[listed["p"] >= 0].groupby("gpu", sort=False)["p"]:
        at = np.zeros(len(periods), dtype=bool)
        at[found.to_numpy()] = True
        gap = ~at & (np.arange(len(periods)) > found.min()) & (np.arange(len(periods)) < found.max())
        if gap.any():
            warnings.append(f"{raw.where}: no row for '{gpu}' in {periods_in_runs(periods, gap.tolist())}, between "
                            "periods it has rows for: read as none installed there (give a row of 0 if none is meant)")
    return warnings


BUDGET_ROUNDING = 1e-9  # of a budget (or of 1 MW, if less): a draw over its budget by this little fits it


def over_budget(draw_mw, budget_mw, of_mw=None):
    """Whether ``draw_mw`` exceeds ``budget_mw`` by more than rounding: :data:`BUDGET_ROUNDING` of ``of_mw`` (the
    budget the figures were worked out from; ``budget_mw`` itself if not given). Numbers or arrays alike."""
    return draw_mw > budget_mw + BUDGET_ROUNDING * np.maximum(1.0, budget_mw if of_mw is None else of_mw)


def _check_idle_power(check: _Checker, pue: float, periods: tuple[pd.DataFrame, _RawSheet],
                      gpus: pd.DataFrame, fleet: pd.DataFrame) -> None:
    """The idle draw of the installed fleet cannot be switched off: it must fit the budget.
    Rows with a problem of their own are left out; equality (to rounding) is accepted."""
    idle_w = {}
    for gpu, idle in zip(gpus["gpu"], gpus["idle_w"]):
        if isinstance(gpu, str) and isinstance(idle, float):
            idle_w.setdefault(gpu, idle)
    idle_mw: dict[str, float] = {}
    repeated = fleet.duplicated(["gpu", "period"])  # a row listed twice is an error of its own: counted once
    for gpu, period, installed, again in zip(fleet["gpu"], fleet["period"], fleet["installed"], repeated):
        if gpu in idle_w and isinstance(period, str) and isinstance(installed, float) and not again:
            idle_mw[period] = idle_mw.get(period, 0.0) + pue * installed * idle_w[gpu] / 1e6
    frame, raw = periods
    for row, period, budget in zip(frame["_row"], frame["period"], frame["power_mw"]):
        draw = idle_mw.get(period, 0.0)
        if isinstance(budget, float) and over_budget(draw, budget):
            check.problem(raw, f"budget {budget:g} MW is below the idle draw of the installed fleet "
                          f"({draw:.3f} MW with PUE); if GPUs left unused are switched off, give their type an idle_w "
                          "of 0 (or its standby draw) in the gpus sheet", int(row), "power_mw")


def write_workbook(tables: dict[str, pd.DataFrame], path: str | Path) -> None:
    """Write sheets as an xlsx workbook, or as a folder of CSVs when ``path`` has no .xlsx suffix.

    ``tables["site"]`` may be a dict of key -> value.
    """
    path = Path(path)
    frames = {
        name: pd.DataFrame({"key": list(t), "value": list(t.values())}) if isinstance(t, dict) else t
        for name, t in tables.items()
    }
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)
        return
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(path / f"{name}.csv", index=False)


# ---------------------------------------------------------------------------
# the template: a workbook to start from

# number formats by unit, for the template's columns
_NUMBER_FORMATS = {
    "h": "#,##0", "MW": "#,##0.0##", "TFLOP/s": "#,##0.##", "GB": "#,##0", "TB/s": "0.00#", "W": "#,##0",
    "GPUs": "#,##0", "billion parameters": "#,##0.0#", "billion tokens": "#,##0", "billion tokens/day": "#,##0.0#",
    "tokens/s": "#,##0", "fraction": "0%", "ratio": "0.0#", "weight": "0.0#",
}
_TEMPLATE_ROWS = 500  # rows the drop-down lists cover
_PERIODS = ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
# Example rows: a small site with three GPU types; two taken from the built-in catalogue (blank
# figures), one typed in full. Columns not named here are left blank (their defaults).
TEMPLATE_EXAMPLES: dict[str, list[dict[str, object]]] = {
    "site": [{"key": "name", "value": "Example site (replace with yours)"}, {"key": "pue", "value": 1.25}],
    "periods": [{"period": p, "hours": h, "power_mw": mw}
                for p, h, mw in zip(_PERIODS, [2160, 2184, 2208, 2208], [1.2, 2, 2.8, 3.6])],
    "gpus": [
        {"gpu": "H200-SXM", "idle_w": 300},
        {"gpu": "B200", "it_w": 1800, "idle_w": 400},
        {"gpu": "H100-PCIe", "bf16_tflops": 756, "fp8_tflops": 1513, "hbm_gb": 80, "hbm_tbps": 2.0, "it_w": 750,
         "idle_w": 150},
    ],
    "fleet": [{"gpu": g, "period": p, "installed": n}
              for g, ramp in (("H200-SXM", [1000] * 4), ("B200", [0, 1000, 2000, 4000]), ("H100-PCIe", [500] * 4))
              for p, n in zip(_PERIODS, ramp) if n],
    "training": [
        {"workload": "pretrain-70b", "params_b": 70, "tokens_b": 18000, "mfu": 0.4, "start_period": "2026Q1",
         "deadline_period": "2026Q4", "priority": 5},
        {"workload": "moe-finetune", "params_b": 236, "active_params_b": 21, "tokens_b": 500,
         "start_period": "2026Q2", "deadline_period": "2026Q3", "priority": 2},
    ],
    "inference": [
        {"workload": "chat-70b", "params_b": 70, "tokens_per_day_b": 50, "peak_factor": 2, "priority": 4,
         "start_period": "2026Q2"},
        {"workload": "assistant-8b", "params_b": 8, "tokens_per_day_b": 20, "peak_factor": 2, "priority": 3},
    ],
    "throughput": [{"workload": "assistant-8b", "gpu": "H100-PCIe", "tokens_per_s_per_gpu": 2500}],
}
_README = [
    "Capacity planner scenario workbook",
    "",
    "One sheet per table: site, periods, gpus, fleet, training, inference and the optional throughput.",
    "Hover over a column heading for its meaning, unit and default; blue headings are required, grey ones",
    "optional. The example rows make a valid scenario: replace them with yours.",
    "A gpus row named as in the gpu_catalogue sheet may leave its figures blank: the built-in catalogue",
    "fills them; a figure typed in the row wins.",
    "GPU and period cells offer drop-down lists of the names in the gpus and periods sheets.",
    "This sheet and gpu_catalogue are for reference; the planner does not read them.",
    "",
    "Run:  planner solve THIS_FILE.xlsx",
    "Column reference: docs/workbook.md",
]


def _header_note(column: Column) -> str:
    lines = [column.description]
    if column.unit:
        lines.append(f"Unit: {column.unit}.")
    if accepted := range_text(column):
        lines.append(f"Accepted: {accepted}.")
    if column.catalogue:
        lines.append("Required, unless the GPU is in the built-in catalogue (sheet gpu_catalogue).")
    elif column.from_name:
        lines.append("Required, unless the row's name says it (see above).")
    elif column.required:
        lines.append("Required.")
    elif column.default is None:  # a blank means what the description says (the first period, params_b, ...)
        lines.append("Optional.")
    else:
        default = column.default
        lines.append(f"Optional; default: {f'{default:g}' if isinstance(default, float) else default}.")
    choices = getattr(column, "choices", None)
    if choices:
        lines.append("One of: " + ", ".join(choices) + ".")
    return "\n".join(lines)


def write_template(path: str | Path) -> None:
    """Write a workbook to start from: every sheet and column, a note on each heading (meaning,
    unit, default), example rows that solve as they are, drop-down lists on the cells naming a
    GPU type, a period or a site key, number formats, and the built-in GPU catalogue for reference.
    Written to a temporary file beside ``path`` and moved into place when complete."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    book = Workbook()
    readme = book.active
    readme.title = "readme"
    for i, line in enumerate(_README, start=1):
        readme.cell(i, 1, line).font = Font(bold=i == 1, size=14 if i == 1 else 11)
    readme.column_dimensions["A"].width = 110

    bold = Font(bold=True)
    fills = {True: PatternFill("solid", fgColor="DCE6F1"), False: PatternFill("solid", fgColor="EDEDED")}
    letters = {s.name: {c.name: get_column_letter(i) for i, c in enumerate(s.columns, start=1)} for s in SHEETS}
    last = _TEMPLATE_ROWS + 1

    def name_list(sheet: str, column: str) -> str:
        col = letters[sheet][column]
        return f"'{sheet}'!${col}$2:${col}${last}"

    lists = {  # (sheet, column) -> (list formula, strict)
        ("fleet", "gpu"): (name_list("gpus", "gpu"), True),
        ("throughput", "gpu"): (name_list("gpus", "gpu"), True),
        ("fleet", "period"): (name_list("periods", "period"), True),
        ("training", "start_period"): (name_list("periods", "period"), True),
        ("training", "deadline_period"): (name_list("periods", "period"), True),
        ("inference", "start_period"): (name_list("periods", "period"), True),
        ("gpus", "gpu"): (f"'gpu_catalogue'!$A$2:$A${len(catalogue.GPUS) + 1}", False),
        ("site", "key"): ('"' + ",".join(SITE_KEYS) + '"', True),
    }
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        for i, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(1, i, column.name)
            cell.font = bold
            cell.fill = fills[column.required]
            note = Comment(_header_note(column), "planner")
            note.width, note.height = 320, 140
            cell.comment = note
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(12, len(column.name) + 3)
            if column.kind == "number":
                ws.column_dimensions[letter].number_format = _NUMBER_FORMATS.get(column.unit, "General")
        for r, example in enumerate(TEMPLATE_EXAMPLES.get(sheet.name, []), start=2):
            for i, column in enumerate(sheet.columns, start=1):
                value = example.get(column.name)
                if value is None:
                    continue
                cell = ws.cell(r, i, value)
                if column.kind == "number" and isinstance(value, (int, float)):
                    cell.number_format = _NUMBER_FORMATS.get(column.unit, "General")
        if sheet.name == "site":
            for r, example in enumerate(TEMPLATE_EXAMPLES["site"], start=2):
                key = SITE_KEYS.get(str(example["key"]))
                if key is not None:
                    note = Comment(_header_note(key), "planner")
                    note.width, note.height = 320, 100
                    ws.cell(r, 1).comment = note
            ws.cell(3, 2).number_format = "0.00"
        for i, column in enumerate(sheet.columns, start=1):
            choices = getattr(column, "choices", None)
            source = lists.get((sheet.name, column.name))
            if source is None and choices:
                source = ('"' + ",".join(choices) + '"', True)
            if source is None:
                continue
            formula, strict = source
            check = DataValidation(type="list", formula1=formula, allow_blank=True)
            check.errorStyle = "stop" if strict else "information"
            check.showErrorMessage = True
            check.errorTitle = "Not in the list"
            check.error = ("Pick a name from the list." if strict else
                           "Not a built-in catalogue GPU: type its figures in this row.")
            letter = get_column_letter(i)
            check.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(check)
        ws.freeze_panes = "A2"

    ref = book.create_sheet("gpu_catalogue")
    headings = ["gpu", "vendor", "bf16_tflops", "fp8_tflops", "fp4_tflops", "hbm_gb", "hbm_tbps", "tdp_w", "it_w",
                "it_w_basis", "source"]
    for i, heading in enumerate(headings, start=1):
        ref.cell(1, i, heading).font = bold
        ref.column_dimensions[get_column_letter(i)].width = 60 if heading in ("it_w_basis", "source") else 12
    for r, gpu in enumerate(catalogue.GPUS, start=2):
        for i, heading in enumerate(headings, start=1):
            value = getattr(gpu, heading if heading != "gpu" else "name")
            if value is not None:
                ref.cell(r, i, value).alignment = Alignment(vertical="top")
    ref.cell(1, 1).comment = Comment("Built-in GPU catalogue (planner/catalogue.py), for reference: dense peaks "
                                     "without sparsity; it_w is the all-in IT draw per GPU in use.", "planner")
    ref.freeze_panes = "B2"

    # saved in memory first (a template is small): a full disk then fails the one write below, not openpyxl's zip
    # file half-way, whose clean-up would raise again as it is collected
    buffer = io.BytesIO()
    book.save(buffer)
    replace_atomically(path, lambda staging: staging.write_bytes(buffer.getvalue()))
