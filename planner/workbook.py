"""Read and validate a scenario workbook (xlsx, or a folder with one CSV per sheet).

``read_scenario(path)`` returns a :class:`Scenario` of typed pandas tables, or
raises :class:`InputError` carrying every problem found, each naming the file,
sheet, row (as the spreadsheet numbers it) and column.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from planner.schema import SHEETS, SHEETS_BY_NAME, SITE_KEYS, Column, Sheet

MAX_ERRORS_SHOWN = 25


class InputError(Exception):
    """Bad input: one message per problem, each naming where it is."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more problems" if more > 0 else "")
        super().__init__(text)


@dataclass
class Scenario:
    """A validated scenario. All tables carry their units in column names.

    - ``periods``: period, hours, power_mw (in time order; index 0..T-1)
    - ``gpus``: gpu, bf16_tflops, hbm_gb, hbm_tbps, it_w, idle_w
    - ``fleet``: installed GPUs as a gpu x period table (0 where not listed)
    - ``training``: workload, params_b, active_params_b, tokens_b, mfu,
      start_period, deadline_period, priority
    - ``inference``: workload, params_b, active_params_b, tokens_per_day_b,
      peak_factor, priority, start_period
    - ``throughput``: workload, gpu, tokens_per_s_per_gpu (measured)
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


# ---------------------------------------------------------------------------
# raw tables


@dataclass
class _RawSheet:
    """A sheet as read: cells as typed by the user, plus where each row came from."""

    frame: pd.DataFrame  # object dtype, one column per header
    rows: list[int]  # spreadsheet row number of each frame row
    where: str  # "file, sheet 'x'" or "file.csv"


def _load_raw(path: Path) -> dict[str, _RawSheet]:
    if path.is_dir():
        return _load_csv_folder(path)
    if not path.exists():
        raise InputError([f"{path}: no such file or folder"])
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError([f"{path}: not a workbook (expected .xlsx or a folder of CSV files)"])
    if path.stat().st_size == 0:
        raise InputError([f"{path}: the file is empty"])
    if not zipfile.is_zipfile(path):
        raise InputError([f"{path}: not a readable xlsx file (password protected or damaged?)"])
    try:
        book = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError([f"{path}: cannot read the workbook ({exc})"]) from None
    sheets = {}
    for name, grid in book.items():
        sheets[str(name).strip().lower()] = _from_grid(grid, f"{path}, sheet '{name}'")
    return sheets


def _load_csv_folder(folder: Path) -> dict[str, _RawSheet]:
    sheets = {}
    for csv in sorted(folder.glob("*.csv")):
        try:
            grid = pd.read_csv(csv, header=None, dtype=object, keep_default_na=False, skip_blank_lines=False)
        except pd.errors.EmptyDataError:
            grid = pd.DataFrame()
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise InputError([f"{csv}: cannot read as CSV ({exc})"]) from None
        sheets[csv.stem.strip().lower()] = _from_grid(grid, str(csv))
    if not sheets:
        raise InputError([f"{folder}: no CSV files in the folder"])
    return sheets


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _from_grid(grid: pd.DataFrame, where: str) -> _RawSheet:
    """Header on the first row; fully blank rows and columns are dropped."""
    if grid.empty:
        return _RawSheet(pd.DataFrame(), [], where)
    header = [("" if _blank(h) else str(h).strip().lower()) for h in grid.iloc[0]]
    body = grid.iloc[1:].copy()
    body.columns = header
    body = body.loc[:, [h != "" for h in header]]
    keep = ~body.map(_blank).all(axis=1) if len(body.columns) else pd.Series(False, index=body.index)
    body = body[keep]
    rows = [int(i) + 1 for i in body.index]  # grid row 0 is spreadsheet row 1
    return _RawSheet(body.reset_index(drop=True), rows, where)


# ---------------------------------------------------------------------------
# cell parsing

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _parse_number(value: object) -> float | None:
    """A number as people type it: 1,200 / 40% / ' 3.5 '. None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().replace(",", "").replace("_", "").replace("\u00a0", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    if not _NUMBER.match(text):
        return None
    number = float(text)
    return number / 100.0 if percent else number


def _parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Checker:
    """Collects problems while turning raw sheets into typed tables."""

    def __init__(self, sheets: dict[str, _RawSheet], source: Path):
        self.sheets = sheets
        self.source = source
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def problem(self, raw: _RawSheet, message: str, row: int | None = None, column: str | None = None):
        place = raw.where
        if row is not None:
            place += f", row {row}"
        if column is not None:
            place += f", column '{column}'"
        self.problems.append(f"{place}: {message}")

    def table(self, sheet: Sheet) -> tuple[pd.DataFrame, _RawSheet] | None:
        """Typed table of a sheet (with a ``_row`` column), or None if it is missing."""
        raw = self.sheets.get(sheet.name)
        if raw is None:
            if sheet.required:
                self.problems.append(f"{self.source}: missing sheet '{sheet.name}'")
            return None
        known = [c.name for c in sheet.columns]
        for name in raw.frame.columns:
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                tip = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.warnings.append(f"{raw.where}: unknown column '{name}' ignored{tip}")
        missing = [c.name for c in sheet.columns if c.required and c.name not in raw.frame.columns]
        for name in missing:
            self.problem(raw, "missing required column", column=name)
        if missing:
            return None
        out = pd.DataFrame({"_row": raw.rows}, dtype=int)
        for column in sheet.columns:
            values = raw.frame[column.name] if column.name in raw.frame.columns else None
            out[column.name] = self._column(raw, column, values)
        if sheet.unique:
            dup = out[sheet.unique].duplicated(keep="first") & out[sheet.unique].notna()
            for row, name in zip(out.loc[dup, "_row"], out.loc[dup, sheet.unique]):
                self.problem(raw, f"duplicate name '{name}'", row, sheet.unique)
        return out, raw

    def _column(self, raw: _RawSheet, column: Column, values: pd.Series | None) -> list:
        parsed: list = []
        for i, row in enumerate(raw.rows):
            value = None if values is None else values.iloc[i]
            parsed.append(self.cell(raw, column, row, value))
        return parsed

    def cell(self, raw: _RawSheet, column: Column, row: int, value: object):
        if _blank(value):
            if column.required:
                self.problem(raw, "required value is blank", row, column.name)
            return column.default
        if column.kind == "text":
            return _parse_text(value)
        number = _parse_number(value)
        if number is None or not np.isfinite(number):
            self.problem(raw, f"expected a number{_unit(column)}, found '{value}'", row, column.name)
            return None
        if column.minimum is not None:
            too_low = number <= column.minimum if column.exclusive_minimum else number < column.minimum
            if too_low:
                bound = ">" if column.exclusive_minimum else ">="
                self.problem(raw, f"must be {bound} {column.minimum:g}, found {number:g}", row, column.name)
        if column.maximum is not None and number > column.maximum:
            self.problem(raw, f"must be <= {column.maximum:g}, found {number:g}", row, column.name)
        return number

    def reference(self, raw: _RawSheet, table: pd.DataFrame, column: str, known: list[str], what: str):
        for row, name in zip(table["_row"], table[column]):
            if name is not None and name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                tip = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(raw, f"unknown {what} '{name}'{tip}", row, column)


def _unit(column: Column) -> str:
    return f" in {column.unit}" if column.unit else ""


# ---------------------------------------------------------------------------
# the scenario


def read_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario; raise InputError listing every problem."""
    path = Path(path)
    sheets = _load_raw(path)
    check = _Checker(sheets, path)
    tables = {sheet.name: check.table(sheet) for sheet in SHEETS}

    name, pue = _site(check, tables["site"])
    periods = tables["periods"]
    period_names = [] if periods is None else [p for p in periods[0]["period"] if p is not None]
    gpus = tables["gpus"]
    gpu_names = [] if gpus is None else [g for g in gpus[0]["gpu"] if g is not None]

    if periods is not None and periods[0].empty:
        check.problem(periods[1], "no periods listed")
    if gpus is not None and gpus[0].empty:
        check.problem(gpus[1], "no GPU types listed")

    fleet = tables["fleet"]
    if fleet is not None:
        check.reference(fleet[1], fleet[0], "gpu", gpu_names, "GPU")
        check.reference(fleet[1], fleet[0], "period", period_names, "period")
        dup = fleet[0].duplicated(["gpu", "period"])
        for row, g, p in zip(fleet[0].loc[dup, "_row"], fleet[0].loc[dup, "gpu"], fleet[0].loc[dup, "period"]):
            check.problem(fleet[1], f"GPU '{g}' in period '{p}' is listed twice", row, "period")

    training, inference = tables["training"], tables["inference"]
    order = {p: i for i, p in enumerate(period_names)}
    if training is not None:
        frame, raw = training
        check.reference(raw, frame, "start_period", period_names, "period")
        check.reference(raw, frame, "deadline_period", period_names, "period")
        for row, start, end in zip(frame["_row"], frame["start_period"], frame["deadline_period"]):
            if start in order and end in order and order[end] < order[start]:
                check.problem(raw, f"deadline '{end}' is before the start '{start}'", row, "deadline_period")
    if inference is not None:
        check.reference(inference[1], inference[0], "start_period", period_names, "period")
    if training is not None and inference is not None:
        clash = set(training[0]["workload"]) & set(inference[0]["workload"]) - {None}
        for row, w in zip(inference[0]["_row"], inference[0]["workload"]):
            if w in clash:
                check.problem(inference[1], f"workload '{w}' is also a training run; names must differ", row, "workload")
        if training[0].empty and inference[0].empty:
            check.problems.append(f"{path}: no workloads: the training and inference sheets are both empty")

    throughput = tables["throughput"]
    if throughput is not None and inference is not None:
        services = [w for w in inference[0]["workload"] if w is not None]
        check.reference(throughput[1], throughput[0], "workload", services, "inference service")
        check.reference(throughput[1], throughput[0], "gpu", gpu_names, "GPU")

    if check.problems:
        raise InputError(check.problems)

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
    )
    scenario.inference["start_period"] = scenario.inference["start_period"].fillna(period_names[0])
    _check_idle_power(scenario, periods[1], periods[0]["_row"].tolist())
    return scenario


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
            hint = difflib.get_close_matches(key, list(SITE_KEYS), n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else ""
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


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the row bookkeeping and give numeric columns a float dtype."""
    out = frame.drop(columns="_row").reset_index(drop=True)
    for column in out.columns:
        if column not in ("workload", "gpu", "period", "start_period", "deadline_period"):
            out[column] = pd.to_numeric(out[column])
    return out


def _with_active(frame: pd.DataFrame) -> pd.DataFrame:
    frame["active_params_b"] = frame["active_params_b"].fillna(frame["params_b"]).astype(float)
    return frame


def _fleet_grid(fleet: pd.DataFrame, gpus: list[str], periods: list[str]) -> pd.DataFrame:
    grid = fleet.pivot_table(index="gpu", columns="period", values="installed", aggfunc="sum", fill_value=0.0)
    return grid.reindex(index=gpus, columns=periods, fill_value=0.0).astype(float)


def _check_idle_power(scenario: Scenario, raw: _RawSheet, rows: list[int]) -> None:
    """The idle draw of the installed fleet cannot be switched off: it must fit the budget."""
    idle_mw = scenario.pue * scenario.gpus.set_index("gpu")["idle_w"].reindex(scenario.fleet.index).to_numpy() @ \
        scenario.fleet.to_numpy() / 1e6
    budget = scenario.periods["power_mw"].to_numpy()
    problems = [
        f"{raw.where}, row {row}, column 'power_mw': budget {b:g} MW is below the idle draw "
        f"of the installed fleet ({i:.3f} MW with PUE)"
        for row, b, i in zip(rows, budget, idle_mw) if i > b
    ]
    if problems:
        raise InputError(problems)


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
