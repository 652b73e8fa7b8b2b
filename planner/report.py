"""Write results: ``summary.json``, ``results.xlsx`` and a self-contained ``index.html``.

All three are written into a temporary folder beside the destination and moved
into place only when complete, so a failed run never leaves a partial report and
an earlier report stays intact.

The HTML report is one file that opens offline: the CSS and the small table
sorting script are inlined, and the charts (:mod:`planner.charts`) are inline SVG
written through an autoescaped template, their labels text. The page
is laid out by ``templates/base.html``; each section is one partial in
``templates/sections/`` (see :data:`SECTIONS`).
"""

from __future__ import annotations

import base64
import contextlib
import errno
import gc
import hashlib
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from markupsafe import Markup, escape

import planner
from planner import sizing as sizing_rules
from planner.charts import charts
from planner.files import (file_in_path, locked, remove, remove_abandoned, set_aside_name, signals_held,
                           staging_prefix, umask)
from planner.gcpause import paused_gc
from planner.results import (BINDING, NAMES_SHOWN, POWER_SERVES_COLUMNS, TOLERANCE, Results, holds_nothing, in_full,
                              listed)
from planner.schema import SHEETS_BY_NAME, SITE_KEYS
from planner.spelling import periods_in_runs, precision_apart
from planner.svg import decimals_apart, percent_text
from planner.templating import TEMPLATES

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------
# machine-readable


def _present(values: pd.Series) -> np.ndarray:
    """Which cells hold a value to write: in a numeric column the finite numbers, in any other the
    values not missing. NaN (not known) and infinities (no limit) are written as blanks and nulls,
    never as errors; the results keep numbers in numeric columns."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return np.isfinite(values.to_numpy(dtype=float))
    return values.notna().to_numpy()


def known(value: float) -> float | None:
    """A figure as JSON and a sheet take it: None (null, a blank) where it is not known (NaN)."""
    return None if math.isnan(value) else float(value)


def json_records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows of ``frame`` as JSON-ready dicts, numbers at full precision, null where :func:`_present`
    finds nothing to write."""
    table = frame[columns]
    present = pd.DataFrame({column: _present(table[column]) for column in columns}, index=table.index)
    return table.astype(object).where(present, None).to_dict("records")


STEP_DOWN_BLOCKED_COLUMNS = ["power_step_down_blocked_by", "power_step_down_onward_blocked_by"]


def _periods_sheet(results: Results) -> pd.DataFrame:
    """The periods table as ``summary.json`` and ``results.xlsx`` give it: with ``--power-step``, why a step down
    has no plan (its points are null for that), in the period alone and from it on: ``"budget"``, the step is more
    than the budget; ``"idle_draw"``, what is left is under the installed fleet's idle draw; null where a plan
    keeps to it (its points null only where ``power_steps_missing`` says why), or no step was asked."""
    def blocked_by(onward: bool) -> pd.Series | None:
        return None if results.power_step_mw is None else results.no_plan_with_less_power(onward).replace("", None)

    return results.periods.assign(**{column: blocked_by(onward)
                                     for column, onward in zip(STEP_DOWN_BLOCKED_COLUMNS, (False, True))})


def _provenance(results: Results) -> dict[str, str]:
    """Where a plan came from, for outputs read away from their folder: its input, when and by what it was made."""
    return {"input": results.source, "made_utc": results.made_utc, "planner_version": planner.__version__}


def summary(results: Results) -> dict:
    """The ``summary.json`` document: stable keys for automation."""
    return {
        "scenario": results.scenario,
        "status": results.status,
        "objective": results.objective,
        "objective_possible": results.score_possible(),
        "solver": results.solver,
        "solve_seconds": results.solve_seconds,
        "gap": known(results.gap),
        "gap_limit": results.gap_limit,
        "prices_from_relaxation": results.prices_from_relaxation(),
        "time_limit_s": results.time_limit_s,
        "warm_started_from": results.warm_started_from,
        **_provenance(results),
        "periods": json_records(
            _periods_sheet(results),
            ["period", "hours", "power_mw_budget", "power_mw_used", "power_mw_idle", "power_mw_idle_unused",
             "power_shadow_price", "power_price_holds_mw", "gpus_installed", "gpus_in_use", "energy_mwh",
             "power_step_up_points", "power_step_down_points", "power_step_up_onward_points",
             "power_step_down_onward_points", *STEP_DOWN_BLOCKED_COLUMNS],
        ),
        "power_step_mw": results.power_step_mw,
        "power_steps_missing": results.power_steps_missing(),
        "workloads": json_records(results.workloads, ["workload", "kind", "first_period", "last_period", "priority",
                                                      "served_fraction", "gpu_hours", "energy_mwh"]),
        "allocation": json_records(results.allocation, ["workload", "gpu", "period", "gpus", "gpus_per_replica",
                                                          "min_gpus", "power_mw", "energy_mwh"]),
        "fleet": json_records(results.fleet, ["gpu", "period", "installed", "gpus_in_use", "fleet_shadow_price",
                                          "fleet_price_holds_gpus"]),
        "training_progress": json_records(results.training, ["workload", "period", "flops_delivered",
                                                             "flops_cumulative", "flops_required", "points_per_mw",
                                                             "points_per_mw_gpu"]),
        "inference_coverage": json_records(results.inference, ["workload", "period", "demand_tokens_per_s",
                                                               "capacity_tokens_per_s", "served_fraction",
                                                               "points_per_mw", "points_per_mw_gpu"]),
        "power_serves": json_records(results.power_serves, POWER_SERVES_COLUMNS),
        "warnings": results.warnings,
    }


def _formula_like(frame: pd.DataFrame) -> list[tuple[int, int, str]]:
    """(row, column, text) of each text cell a spreadsheet would run as a formula if it were edited
    and entered again ('=...', '+...', '@...'), row 0 being the headings.

    Every column that is not numeric or a date is checked, whatever its dtype (object, string,
    categorical), so user text cannot reach the workbook as a formula.
    """
    cells = [(0, j, c) for j, c in enumerate(map(str, frame.columns)) if c.startswith(FORMULA_PREFIXES)]
    for j in range(frame.shape[1]):
        values = frame.iloc[:, j]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        text = values.astype(object)
        risky = text.str.startswith(FORMULA_PREFIXES, na=False).to_numpy(dtype=bool)
        cells += [(int(i) + 1, j, text.iloc[i]) for i in np.flatnonzero(risky)]
    return cells


def _write_xlsx(results: Results, path: Path) -> None:
    """One sheet per results table, header row frozen and filterable; blank where a value is missing.

    Written with XlsxWriter column by column (three times faster than pandas through openpyxl at
    national scale). Text is never read as a formula, URL or number: it is written as text, and
    text that looks like a formula carries the quote prefix, so that editing the cell keeps it
    text (shown as typed, without an apostrophe).
    """
    sheets = {
        "plan": _plan_sheet(results),
        "periods": _periods_sheet(results),
        "workloads": results.workloads,
        "allocation": results.allocation,
        "gpus_by_period": _gpus_by_period(results),
        "fleet": results.fleet,
        "training_progress": results.training,
        "inference_coverage": results.inference,
        "power_serves": results.power_serves,
        "training_sizing": _training_sizing(results),
        "inference_sizing": results.sizing.inference_rates,
    }
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "nan_inf_to_errors": True}
    with _saving_errors_as_os_errors(), xlsxwriter.Workbook(path, options) as book:
        header = book.add_format({"bold": True, "bottom": 1})
        quoted, quoted_header = book.add_format({"quote_prefix": True}), book.add_format(
            {"bold": True, "bottom": 1, "quote_prefix": True})
        for name, whole in sheets.items():
            for part, frame in enumerate(_sheet_parts(whole), start=1):
                sheet = book.add_worksheet(name if part == 1 else f"{name} ({part})")
                sheet.write_row(0, 0, [str(c) for c in frame.columns], header)
                for j in range(frame.shape[1]):
                    values = frame.iloc[:, j]  # by place: two headings may read alike
                    sheet.write_column(1, j, values.astype(object).where(_present(values), None).tolist())
                for i, j, text in _formula_like(frame):
                    sheet.write_string(i, j, text, quoted_header if i == 0 else quoted)
                for j, width in enumerate(_column_widths(frame)):
                    sheet.set_column(j, j, width)
                sheet.freeze_panes(1, 2 if name == "gpus_by_period" else 0)  # its names stay as periods scroll by
                sheet.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))


@contextlib.contextmanager
def _saving_errors_as_os_errors() -> Iterator[None]:
    """XlsxWriter raises the OSError it meets saving a workbook (a full disk, a file too large) as its own
    FileCreateError: given back as that OSError, which a report's writer tells as a failure to write."""
    try:
        yield
    except xlsxwriter.exceptions.FileCreateError as error:
        cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else OSError(str(error))
        # the zip file it was saving is left open in the failed calls' frames: closed as they go, it fails again
        # for the same reason, which Python would print as an "Exception ignored" traceback
        hook, sys.unraisablehook = sys.unraisablehook, lambda unraisable: None
        try:
            error.__traceback__ = cause.__traceback__ = None
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise cause from None


XLSX_ROWS = 1_048_575  # a sheet's rows below its headings: Excel's limit of 1,048,576 less one


def _sheet_parts(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """A table in parts that each fit a sheet: a longer one continues on sheets named 'name (2)' and on,
    each with the headings, rather than losing the rows past Excel's last."""
    return [frame.iloc[start:start + XLSX_ROWS] for start in range(0, max(len(frame), 1), XLSX_ROWS)]


XLSX_WIDTH = (10, 48)  # characters: the least a column is given (Excel's default is 8.43), and the most


def _column_widths(frame: pd.DataFrame) -> list[float]:
    """Each column's width in characters, within :data:`XLSX_WIDTH`: room for its heading beside the filter
    button and, in a column of text, for its longest text. A column of figures is as wide as its heading: Excel
    shows a General number to the width it is given."""
    least, most = XLSX_WIDTH
    widths = []
    for j, column in enumerate(frame.columns):
        width = len(str(column)) + 3  # the heading, beside the filter's drop-down arrow
        values = frame.iloc[:, j]  # by place: two headings may read alike
        if not pd.api.types.is_numeric_dtype(values):  # names: one length per distinct one, not per row
            distinct = pd.Series(pd.unique(values)).dropna()
            width = max(width, int(distinct.astype(str).str.len().max()) + 1 if len(distinct) else 0)
        widths.append(float(min(max(width, least), most)))
    return widths


def _plan_sheet(results: Results) -> pd.DataFrame:
    """What the other sheets are the plan of: scenario, solver status, score and warnings, a row each."""
    rows = [
        ("scenario", results.scenario, ""), ("status", results.status, ""), ("solver", results.solver, ""),
        ("solve_seconds", results.solve_seconds, "s"), ("score", results.objective, "points"),
        ("score_possible", results.score_possible(), "points"),
        ("gap", known(results.gap), "fraction of the score"),
        ("gap_limit", results.gap_limit, "fraction of the score"),
        ("prices_from_relaxation", results.prices_from_relaxation(), ""),
        ("time_limit_s", results.time_limit_s, "s"),
        ("warm_started_from", results.warm_started_from, ""),  # the input whose plan's optimal basis the solve began at
        ("power_step_mw", results.power_step_mw, "MW"),  # what the periods sheet's power_step_* columns are for
        ("power_steps_missing", results.power_steps_missing(), ""),
        *((key, value, "") for key, value in _provenance(results).items()),
        *(("warning", warning, "") for warning in results.warnings),
    ]
    return pd.DataFrame(rows, columns=["key", "value", "unit"])


def _gpus_by_period(results: Results) -> pd.DataFrame:
    """The allocation as a spreadsheet's reader lays it out: a row per workload and GPU type it is given, GPUs in a
    column per period (0 where none), workloads and GPU types in the scenario's order."""
    alloc, periods = results.allocation, results.periods["period"]
    given = pd.MultiIndex.from_arrays([alloc["workload"], alloc["gpu"]])
    rows = pd.MultiIndex.from_product([results.workloads["workload"], results.inputs["gpus"]["gpu"]],
                                      names=["workload", "gpu"])
    rows = rows[rows.isin(given)]
    grid = np.zeros((len(rows), len(periods)))
    np.add.at(grid, (rows.get_indexer(given), pd.Index(periods).get_indexer(alloc["period"])),
              alloc["gpus"].to_numpy(dtype=float))
    # side by side, not a pivot table's columns: a period may be named 'workload' or 'gpu' too
    return pd.concat([rows.to_frame(index=False), pd.DataFrame(grid, columns=periods.tolist())], axis=1)


def _training_sizing(results: Results) -> pd.DataFrame:
    """Sizing's per (run, GPU type) table with each run's required FLOPs beside it."""
    required = results.sizing.training.set_index("workload")["flops"]
    return results.sizing.training_rates.assign(flops_required=lambda t: t["workload"].map(required))


# ---------------------------------------------------------------------------
# HTML

TABLE_ROWS = 300  # rows of a long table shown in the HTML; results.xlsx holds every row
PRINT_PERIODS = 12  # columns of periods a grid prints side by side on an A4 page; more print as blocks
# characters of figures a printed grid's row holds beside its names on an A4 page: 12 periods of '/ 9,348', 11 of
# '/ 93,480' (a national site's fleet), 9 of '/ 170,760'
PRINT_GRID_CHARS = 88
PRINT_GPUS = 6  # columns of GPU-hours the training sizing table prints side by side on an A4 page; more: blocks
SHORT_NAMES = 10  # workloads named where a sentence lists those cut short; the rest are counted
# binding limits given a finding each (power by period, GPU type by period): those where one more unit is worth
# most; the rest are named in one line, priced in the tables
FINDINGS_SHOWN = 8


def _number(value: float, digits: int = 3) -> str:
    """Readable number: thousands separators, ``digits`` significant figures."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    if math.isinf(value):
        return "no limit"
    magnitude = abs(value)
    if magnitude >= 1e15 or magnitude < 1e-3:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(magnitude))))
    return f"{value:,.{decimals}f}"


def _digits_apart(part: float, whole: float) -> int:
    """Significant figures (3 to 7) at which :func:`_number` writes ``part`` and ``whole`` apart, where ``part`` is
    short of ``whole`` by more than the solver's noise; 3 where it is not."""
    if not part < whole * (1 - TOLERANCE):
        return 3
    return precision_apart(part, whole, _number, range(3, 8))


def _percent(value: float, decimals: int = 1) -> str:
    """A share (0.6841) as a percentage (68.4%), by :func:`planner.svg.percent_text`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return percent_text(100 * value, decimals)


def _plain(value: float) -> str:
    """A value as typed: up to six significant figures, no trailing zeros (2,160 / 0.25 / 1.2)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


def _sort_key(value: object) -> str:
    """A cell's machine value for the sorting script: plain float text, '' for missing."""
    if value is None:
        return ""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return "" if math.isnan(float(value)) else repr(float(value))
    return str(value)


# the mark of an input value filled in for a blank cell, by where it came from (workbook.Scenario.origins)
CHIPS = {"default": ' <span class="src default">default</span>',
         "catalogue": ' <span class="src catalogue">catalogue</span>',
         "estimate": ' <span class="src catalogue">catalogue estimate</span>',
         "name": ' <span class="src default">from its name</span>'}


def _input_cell(value: object, origin: str, name: bool = False, transposed: bool = False) -> Markup:
    """One input value's cell: text as typed, a number as read, "blank" where the cell was empty,
    and a chip where the value came from a default or the catalogue. A row's name is its header
    cell; the cells of a sortable table carry their machine value.

    Written here rather than as a template macro: the inputs section has a cell per workbook value,
    and a macro call per cell was half the section's rendering time.
    """
    text = isinstance(value, str)
    empty = not text and (value is None or value != value)
    tag, attributes = ("th", ' scope="row"') if name else ("td", "")
    classes = (["n"] if transposed or not (empty or text) else []) + (["blank"] if empty else [])
    if classes:
        attributes += f' class="{" ".join(classes)}"'
    # a number's text (all but the typed text) is digits and signs: nothing to escape
    if not (transposed or text):
        attributes += f' data-v="{"" if empty else _sort_key(value)}"'
    content = escape(value) if text else "blank" if empty else _plain(value)
    chip = CHIPS.get(origin, "")
    return Markup(f"<{tag}{attributes}>{content}{chip}</{tag}>")


def _input_row(cells: list[tuple[object, str]]) -> Markup:
    """An input table's row read across, from its (value, origin) ``cells``: the first names the row (see
    :func:`_input_cell`). One call per row, not per cell: the template's call of a function costs more than the
    function."""
    return Markup("".join(_input_cell(value, origin, name=i == 0) for i, (value, origin) in enumerate(cells)))


# The cells of tables that print as blocks of their columns (see _print_blocks) are written once here, not by the
# template, which would format each twice: for the screen and for print; the template joins those of a block
# (filter "joined"). Numbers' text (but a percentage's, which may read "<0.1%") needs no escaping: it is digits
# and signs.


def _gpu_hours_cell(hours: float, note: str, min_gpus: float) -> Markup:
    """A run's cell of the training sizing table: its GPU-hours on a GPU type, with the fewest GPUs of the type
    that carry it, or why the type cannot run it."""
    title = f' title="{escape(note)}"' if note else ""
    content = (f'{_number(hours)}<span class="unit">min {_plain(min_gpus)}</span>' if hours == hours
               else f'<span class="flag">{escape(note or "cannot run")}</span>')
    return Markup(f'<td class="n" data-v="{_sort_key(hours)}"{title}>{content}</td>')


def _cells(values: np.ndarray, cell: Callable[[float], Markup]) -> list[list[Markup]]:
    """``cell`` of each of the floats in the rows of ``values``, each distinct float (to the bit) formatted once:
    a grid holds a few numbers many times (no GPUs given, all demand served)."""
    _, first, where = np.unique(values.view(np.int64), return_index=True, return_inverse=True)
    shown = np.array([cell(value) for value in values.ravel()[first].tolist()], dtype=object)
    return shown[where].reshape(values.shape).tolist()


def _allocation_cell(gpus: float) -> Markup:
    """A cell of the allocation grid: the GPUs given, '–' for none."""
    return Markup(f'      <td class="n{" none" if gpus == 0 else ""}" data-v="{_sort_key(gpus)}">'
                  f'{_number(gpus) if gpus else "–"}</td>')


def _part_cell(gpus: float, minimum: float) -> Markup:
    """A cell of the allocation grid where a run has fewer GPUs than the fewest that hold it: the average, its
    minimum beside it, and the share of the period that minimum runs for."""
    share = escape(_percent(gpus / minimum))
    return Markup(f'      <td class="n part" data-v="{_sort_key(gpus)}" title="{_plain(minimum)} GPUs for {share} of '
                  f'the period">{_number(gpus)}<span class="unit">min {_plain(minimum)}</span></td>')


def _served_cell(share: float) -> Markup:
    """A cell of the inference served grid: the share of peak demand served, marked where it falls short, on a line
    of its own; a blank outside the service's window (NaN)."""
    if share != share:
        return Markup('<td class="n none">–</td>')
    return Markup(f'        <td class="n{" binds" if share < 1 - TOLERANCE else ""}">{escape(_percent(share))}</td>\n')


def _joined(cells: list[Markup | str]) -> Markup:
    """``cells`` as one piece of the page, any that is not Markup yet escaped. Jinja's join would make each cell
    Markup anew, which in a grid of thousands costs more than the rest of its rendering."""
    if set(map(type, cells)) <= {Markup}:  # the common case, told apart at C speed
        return Markup("".join(cells))
    return Markup("".join(map(escape, cells)))


TEMPLATES.filters["joined"] = _joined
TEMPLATES.filters["num"] = _number
TEMPLATES.filters["pct"] = _percent
TEMPLATES.filters["key"] = _sort_key
TEMPLATES.filters["plain"] = _plain
TEMPLATES.globals["input_cell"] = _input_cell
TEMPLATES.globals["input_row"] = _input_row
TEMPLATES.globals["decimals_apart"] = decimals_apart
TEMPLATES.filters["breakable"] = lambda name: str(name).replace("_", "_\u200b")  # may wrap after an underscore

# Sections in page order: one partial each in templates/sections/<name>.html. A partial
# added there without being listed here is shown after these, in name order.
SECTIONS: dict[str, str] = {
    "key_figures": "Key figures",
    "charts": "Charts",
    "shadow_prices": "Shadow prices",
    "periods": "Periods",
    "workloads": "Workloads",
    "sizing": "Sizing",
    "inputs": "Inputs",
}


def _sections() -> list[dict[str, str]]:
    found = sorted(
        name[len("sections/"):-len(".html")]
        for name in TEMPLATES.list_templates(filter_func=lambda n: n.startswith("sections/") and n.endswith(".html"))
    )
    order = [s for s in SECTIONS if s in found] + [s for s in found if s not in SECTIONS]
    return [dict(name=s, id=s.replace("_", "-"), title=SECTIONS.get(s, s.replace("_", " ").capitalize()))
            for s in order]


def _allocation_grid(results: Results) -> dict:
    """GPUs given, one row per workload and GPU type (in input order), one column per period; where there are
    more than ``TABLE_ROWS`` rows, those given the most GPU-hours, most first; and how many there are."""
    allocation, workloads = results.allocation, results.workloads
    periods, gpus = list(results.periods["period"]), results.inputs["gpus"]["gpu"].to_numpy()
    # filled by position, not pivoted by name: a workload has one allocation row per GPU type and period at most
    pairs, row = np.unique(pd.Index(workloads["workload"]).get_indexer(allocation["workload"]) * len(gpus)
                           + pd.Index(gpus).get_indexer(allocation["gpu"]), return_inverse=True)
    grid = np.zeros((len(pairs), len(periods)))
    grid[row, pd.Index(periods).get_indexer(allocation["period"])] = allocation["gpus"].to_numpy()
    minimum = np.full(len(pairs), np.nan)  # a run's fewest GPUs of the type at once; NaN for a service
    minimum[row] = allocation["min_gpus"].to_numpy()
    shown = np.argsort(-(grid @ results.periods["hours"].to_numpy()), kind="stable")[:TABLE_ROWS] \
        if len(pairs) > TABLE_ROWS else slice(None)
    grid, minimum = grid[shown], minimum[shown]
    cells = _cells(grid, _allocation_cell)
    # period averages below a run's minimum: that minimum for part of the period (NaN compares False)
    part = (grid > 0) & (grid < minimum[:, None] * (1 - TOLERANCE))
    for r, c in zip(*np.nonzero(part)):
        cells[r][c] = _part_cell(grid[r, c], minimum[r])
    example = next((dict(gpus=grid[r, c], minimum=minimum[r]) for r, c in np.argwhere(part)), None)
    workload, gpu = np.divmod(pairs[shown], len(gpus))
    return dict(periods=periods, total=len(pairs), part=example, rows=[
        dict(workload=w, kind=k, gpu=g, cells=row_cells) for w, k, g, row_cells in zip(
            workloads["workload"].to_numpy()[workload], workloads["kind"].to_numpy()[workload], gpus[gpu], cells)
    ])


def _print_blocks(count: int, most: int) -> list[dict]:
    """How a table with a column per period (or per GPU type) is laid out: one table of every column on
    screen, where it scrolls sideways; on paper, which cannot scroll, when there are more than ``most``
    columns, as few tables as hold ``most`` or fewer each, in turn and as even as they come (13 periods
    print as 7 and 6, not 12 and 1). Each block: its columns' slice (start, stop) and whether it is for
    the screen or for print only ('' when it is for both)."""
    if count <= most:
        return [dict(start=0, stop=count, only="")]
    blocks = math.ceil(count / most)
    bounds = [math.ceil(i * count / blocks) for i in range(blocks + 1)]  # the larger blocks first
    return [dict(start=0, stop=count, only="screen")] + [
        dict(start=start, stop=stop, only="print") for start, stop in zip(bounds, bounds[1:])]


def script_hash() -> str:
    """CSP source of the inline sorting script: only this exact script may run in the page."""
    text = TEMPLATES.get_template("sortable.js").render()
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"sha256-{digest}"


def _inference_view(results: Results) -> pd.DataFrame:
    """Per-service, per-period coverage with the weights an objective share uses."""
    table = results.inference.merge(results.periods[["period", "hours"]], on="period", how="left")
    table["served_tokens_per_s"] = table["served_fraction"] * table["demand_tokens_per_s"]
    return table


def _short_runs_by_period(results: Results) -> pd.DataFrame:
    """Training runs cut short, a row for each period of their window (start to deadline): workload,
    period, served_fraction (of the run's FLOPs, by its deadline)."""
    short = results.short_workloads()
    windows = results.windows
    runs = windows[(windows["kind"] == "training") & windows["workload"].isin(short["workload"])]
    period = np.arange(len(results.periods))
    run, position = np.nonzero((period >= runs["first"].to_numpy()[:, None])
                               & (period <= runs["last"].to_numpy()[:, None]))
    workload = runs["workload"].to_numpy()[run]
    served = short.set_index("workload")["served_fraction"].reindex(workload).to_numpy()
    return pd.DataFrame({"workload": workload, "period": results.periods["period"].to_numpy()[position],
                         "served_fraction": served})


def _most_points_lost(short: pd.DataFrame, priority: pd.Series) -> pd.DataFrame:
    """Rows of workloads cut short (in a period each), those losing the most score first: priority x share
    unserved."""
    lost = priority.reindex(short["workload"]).to_numpy() * (1.0 - short["served_fraction"].to_numpy())
    return short.assign(lost=lost).sort_values(["lost", "served_fraction"], ascending=[False, True], kind="stable")


def _most_valuable(periods: list[dict]) -> dict:
    """Of the periods where power binds, those given a finding each (``shown``: the :data:`FINDINGS_SHOWN` where a
    MW more is worth most, in period order) and the rest named for a sentence (``rest``, ``rest_count`` of them).
    Periods whose findings would read alike but for the period are one finding, ``named`` after them all (as
    ``alike`` of them): thirty months at one budget and price are one, not eight and 22 more out of sight."""
    names = [p["period"] for p in periods]
    groups: dict[tuple, list[dict]] = {}
    for p in periods:
        if p["binds"]:
            groups.setdefault(_finding_alike(p, last=p["period"] == names[-1]), []).append(p)
    binding = [dict(members[0], named=periods_in_runs(names, [n in {m["period"] for m in members} for n in names]),
                    alike=len(members)) for members in groups.values()]
    kept = set(sorted(range(len(binding)), key=lambda i: -binding[i]["price"])[:FINDINGS_SHOWN])
    rest = {m["period"] for i, members in enumerate(groups.values()) if i not in kept for m in members}
    return dict(shown=[p for i, p in enumerate(binding) if i in kept], rest_count=len(rest),
                rest=periods_in_runs(names, [n in rest for n in names]))


def _finding_alike(period: dict, last: bool) -> tuple:
    """What a finding of a period where power binds says, but for the period's name: a service's share said to move
    in the period itself is told from one in another period, and where power steps were worked out, the ``last``
    period (which has no 'from then on') from others."""
    serves, count = period["serves"]
    onward = period["steps"][1][0]
    return (period["used"], period["budget"], period["price"], period["holds"], period["holds_nothing"],
            period["at_limit"], period["power_digits"], period["unused_idle"], period["idle_held"], period["serves_mw"],
            repr(period["steps"]), last and onward == onward, count, period["short_count"],
            tuple((s["workload"], s["share_per_mw"], s["served_in"] == period["period"] or s["served_in"])
                  for s in serves),
            tuple(tuple(sorted(s.items())) for s in period["short"]))


def _period_view(results: Results, coverage: pd.DataFrame) -> list[dict]:
    """A row per period for the templates; ``coverage`` is :func:`_inference_view`'s."""
    periods = results.periods
    by_period = coverage.groupby("period")[["served_tokens_per_s", "demand_tokens_per_s"]].sum()
    services = coverage.loc[coverage["served_fraction"] < 1 - TOLERANCE, ["workload", "period", "served_fraction"]]
    cut = pd.concat([services.assign(kind="inference"), _short_runs_by_period(results).assign(kind="training")],
                    ignore_index=True)
    cut = cut[~cut["workload"].isin(results.cannot_run)]  # no budget cuts these: the warnings say why
    # ranked once, not period by period: a stable sort keeps each period's rows in the order of its own
    named = _most_points_lost(cut, results.workloads.set_index("workload")["priority"]).groupby(
        "period", sort=False).head(SHORT_NAMES)
    # what a MW earns on each there, on its best GPU type, and whether that type has no GPU to spare
    w = pd.Index(results.windows["workload"]).get_indexer(named["workload"])
    p = pd.Index(periods["period"]).get_indexer(named["period"])
    gpu = results.points_per_mw_gpu[w, p]
    g = pd.Index(results.inputs["gpus"]["gpu"]).get_indexer(gpu)  # -1 where none
    in_use, installed = (results.fleet[c].to_numpy().reshape(-1, len(periods)) for c in ("gpus_in_use", "installed"))
    full = (g >= 0) & in_full(in_use[g, p], installed[g, p])
    short_by_period: dict[str, list[dict]] = {}
    for (period, workload, kind, served), per_mw, best, gpus_full in zip(
            named[["period", "workload", "kind", "served_fraction"]].itertuples(index=False, name=None),
            results.points_per_mw[w, p].tolist(), gpu.tolist(), full.tolist()):
        short_by_period.setdefault(period, []).append(dict(workload=workload, kind=kind, served=served, per_mw=per_mw,
                                                           gpu=best, gpus_full=gpus_full))
    short_count = cut["period"].value_counts()
    serves = {period: (table.head(SHORT_NAMES).to_dict("records"), len(table))
              for period, table in results.power_serves.groupby("period", sort=False)}
    rows = []
    for row, idle_held, no_plan, no_plan_onward in zip(  # one row per period
            periods.itertuples(), results.idle_holds_power(), results.no_plan_with_less_power(),
            results.no_plan_with_less_power(onward=True)):
        demand = by_period["demand_tokens_per_s"].get(row.period, 0.0)
        at_limit = bool(in_full(row.power_mw_used, row.power_mw_budget))
        rows.append(dict(
            period=row.period, hours=row.hours,
            budget=row.power_mw_budget, used=row.power_mw_used, idle=row.power_mw_idle,
            unused_idle=row.power_mw_idle_unused, idle_held=idle_held,
            slack=0.0 if at_limit else row.power_mw_budget - row.power_mw_used,
            power_share=row.power_mw_used / row.power_mw_budget if row.power_mw_budget > 0 else float("nan"),
            price=row.power_shadow_price, binds=row.power_shadow_price > BINDING, holds=row.power_price_holds_mw,
            holds_nothing=bool(holds_nothing(row.power_price_holds_mw, row.power_mw_budget)),
            at_limit=at_limit,
            # a budget or fleet not all used never reads as used in full: "116 / 116" with 0.19 MW spare
            power_digits=3 if at_limit else _digits_apart(row.power_mw_used, row.power_mw_budget),
            gpu_digits=_digits_apart(row.gpus_in_use, row.gpus_installed),
            installed=row.gpus_installed, in_use=row.gpus_in_use,
            gpu_share=row.gpus_in_use / row.gpus_installed if row.gpus_installed > 0 else float("nan"),
            inference_served=(by_period["served_tokens_per_s"].get(row.period, 0.0) / demand) if demand > 0 else None,
            energy=row.energy_mwh,
            steps=[(row.power_step_up_points, row.power_step_down_points, no_plan),
                   (row.power_step_up_onward_points, row.power_step_down_onward_points, no_plan_onward)],
            short=short_by_period.get(row.period, []),
            short_count=int(short_count.get(row.period, 0)),
            serves=serves.get(row.period, ([], 0)),
            # what it serves is said of a MW, or of as much as the price holds for where that is less
            serves_mw=min(1.0, row.power_price_holds_mw) if row.power_price_holds_mw > 0 else 1.0,
        ))
    return rows


def _fleet_view(results: Results) -> dict:
    fleet = results.fleet.copy()
    fleet["binds"] = fleet["fleet_shadow_price"] > BINDING
    fleet["holds_nothing"] = holds_nothing(fleet["fleet_price_holds_gpus"], fleet["installed"])
    costly = fleet["fleet_shadow_price"] < -BINDING  # power binds: a GPU's idle draw costs more than it serves
    fleet["full"] = in_full(fleet["gpus_in_use"], fleet["installed"])
    zero = (fleet["installed"] > 0) & ~fleet["binds"] & ~costly
    # too few for a workload cut short: a block more would serve, whatever one more GPU is priced at
    fleet["to_carry"] = results.gpus_to_carry_short
    too_few = (fleet["installed"] > 0) & ~fleet["binds"] & fleet["to_carry"].notna()
    periods = list(results.periods["period"])
    gpus = list(results.inputs["gpus"]["gpu"])
    grid = {(r.gpu, r.period): r for r in fleet.itertuples()}
    # a cell prints the GPUs in use over '/ installed' (in use behind a mark where it binds): the widest, the
    # largest fleet with the '/ ', sets how many periods print side by side
    widest = len(_number(float(fleet["installed"].to_numpy().max(initial=0.0)))) + 2
    return dict(
        periods=periods, gpus=gpus, grid=grid, binding=fleet.loc[results.binding_fleet().index],
        blocks=_print_blocks(len(periods), max(1, min(PRINT_PERIODS, PRINT_GRID_CHARS // widest))),
        costly=fleet[costly],
        # put to work if bought, so that its whole draw costs, not its idle draw alone; unknown where the prices are
        # a relaxation's, whose GPUs in use this plan does not hold
        costly_full=None if results.prices_from_relaxation() else int((costly & fleet["full"]).sum()),
        priced=fleet[fleet["binds"] | costly].sort_values("fleet_shadow_price", ascending=False, kind="stable"),
        full_zero=fleet[zero & fleet["full"]],
        slack_count=int((zero & ~fleet["full"]).sum()),
        zero_count=int(zero.sum()),
        pairs=int((fleet["installed"] > 0).sum()),
        absent=int((fleet["installed"] <= 0).sum()),  # pairs with none installed: unpriced, not worthless
        too_few=fleet[too_few].sort_values("to_carry", kind="stable"),
    )


def _headline(results: Results, coverage: pd.DataFrame) -> dict:
    workloads = results.workloads
    training = workloads[workloads["kind"] == "training"]
    weights = coverage["demand_tokens_per_s"] * coverage["hours"]
    return dict(
        possible=results.score_possible(),
        score_share=results.score_share(),
        fully_served=results.fully_served(),
        training_total=len(training),
        training_done=int((training["served_fraction"] >= 1 - TOLERANCE).sum()),
        inference_served=float((coverage["served_fraction"] * weights).sum() / weights.sum())
        if len(coverage) and weights.sum() > 0 else None,
        energy_gwh=float(results.periods["energy_mwh"].sum()) / 1e3,
        idle_gwh=float((results.periods["power_mw_idle_unused"] * results.periods["hours"]).sum()) / 1e3,
        budget_gwh=float((results.periods["power_mw_budget"] * results.periods["hours"]).sum()) / 1e3,
    )


def _trains_late(results: Results) -> list[dict]:
    """The training runs the plan starts in a later period of their window, though in an earlier one a GPU type that
    can carry them had idle GPUs enough for the run's minimum, and power to spare to run them there: the plan gives
    no weight to training early (where nothing else decides it, the least energy does), so a slip late in the window
    would cut them. Each with when it starts, when its window opens, and the first period and GPU type it could have
    started on; in the runs' order."""
    runs = results.windows[results.windows["kind"] == "training"].reset_index(drop=True)
    if runs.empty:
        return []
    periods, gpus = results.periods["period"], results.inputs["gpus"]
    given = results.allocation[results.allocation["gpus"] > 0]
    starts = pd.Index(periods).get_indexer(given["period"])
    start = pd.Series(starts).groupby(given["workload"].to_numpy()).min().reindex(runs["workload"]).to_numpy()
    rate, need = results.sizing.training_grids(runs["workload"], gpus["gpu"])
    capable = rate > 0
    factor = results.sizing.power_factor.reindex(runs["workload"]).to_numpy()[:, None]
    it_w, idle_w = gpus["it_w"].to_numpy(), gpus["idle_w"].to_numpy()
    draw_mw = results.pue * need * (np.maximum(factor * it_w, idle_w) - idle_w) / 1e6  # above idle, runs x types
    fleet = results.fleet
    idle = (fleet["installed"] - fleet["gpus_in_use"]).to_numpy().reshape(len(gpus), len(periods))
    spare = (results.periods["power_mw_budget"] - results.periods["power_mw_used"]).to_numpy()
    free = ~(results.periods["power_shadow_price"].to_numpy() > BINDING)
    p = np.arange(len(periods))
    earlier = (p >= runs["first"].to_numpy()[:, None]) & (p < np.nan_to_num(start, nan=-1)[:, None])
    could = (capable[:, :, None] & (idle[None, :, :] >= need[:, :, None]) & (spare >= draw_mw[:, :, None])
             & (free & earlier)[:, None, :])  # runs x types x periods
    found = []
    for w in np.flatnonzero(could.any(axis=(1, 2))):  # the runs so, a few: each one's earliest such period
        first = int(np.flatnonzero(could[w].any(axis=0))[0])
        g = int(np.argmax(np.where(could[w][:, first], idle[:, first], -np.inf)))  # the type most left idle
        found.append(dict(workload=runs["workload"].iloc[w], starts=periods.iloc[int(start[w])],
                          opens=periods.iloc[int(runs["first"].iloc[w])], could=periods.iloc[first],
                          gpu=gpus["gpu"].iloc[g]))
    return found


def _short_view(results: Results, coverage: pd.DataFrame) -> dict:
    """The :data:`SHORT_NAMES` least served workloads, each with its worst period (services) and the periods it is
    given nothing in (a service served for years may be left out for months on end), or why it gets nothing at all,
    and how many are cut short in all."""
    worst = coverage.sort_values("served_fraction").drop_duplicates("workload").set_index("workload")
    every = results.short_workloads()
    short = every.head(SHORT_NAMES)
    names = results.periods["period"].tolist()
    unserved = coverage[coverage["workload"].isin(short["workload"]) & (coverage["served_fraction"] <= TOLERANCE)]
    nothing = unserved.groupby("workload")["period"].agg(set)
    return dict(total=len(every), rows=[
        dict(
            workload=row.workload, kind=row.kind, priority=row.priority, served=row.served_fraction,
            lost=row.priority * (1 - row.served_fraction),
            worst_period=worst["period"].get(row.workload),
            worst_served=None if row.workload not in worst.index else float(worst.at[row.workload, "served_fraction"]),
            nothing_in=periods_in_runs(names, [n in nothing[row.workload] for n in names])
            if row.workload in nothing.index else "",
            why=results.why_nothing.get(row.workload),
        )
        for row in short.itertuples()
    ])


def _workload_rows(results: Results) -> dict:
    """The workloads table: every workload, or when there are more than :data:`TABLE_ROWS`, the
    least served of them (the ones a reader looks for)."""
    workloads = results.workloads
    capped = len(workloads) > TABLE_ROWS
    if capped:
        workloads = results.least_served().head(TABLE_ROWS)
    # the most a MW earns on each over its periods: where power binds, what earns least is cut first, whatever its
    # priority (a small model's tokens cost less power than a large one's)
    most = np.fmax.reduce(results.points_per_mw, axis=1, initial=-np.inf) if results.points_per_mw.size \
        else np.full(len(results.workloads), -np.inf)
    per_mw = dict(zip(results.workloads["workload"], np.where(np.isfinite(most), most, np.nan)))
    rows = [dict(workload=w.workload, kind=w.kind, priority=w.priority, served=w.served_fraction,
                 lost=w.priority * (1 - w.served_fraction), per_mw=per_mw[w.workload], gpu_hours=w.gpu_hours,
                 energy_mwh=w.energy_mwh)
            for w in workloads.itertuples()]
    return dict(rows=rows, total=len(results.workloads), capped=capped)


def _inference_served_grid(results: Results) -> dict:
    """Services on rows, periods on columns: each cell the share of peak demand served (a dash outside the
    service's window), written (see :func:`_served_cell`); where there are more than ``TABLE_ROWS`` services,
    the least served, as the workloads table shows them."""
    inference, periods = results.inference, results.periods["period"]
    # filled by position, not pivoted by name: a service has one row per period it runs
    row, services = pd.factorize(inference["workload"])
    grid = np.full((len(services), len(periods)), np.nan)
    grid[row, pd.Index(periods).get_indexer(inference["period"])] = inference["served_fraction"].to_numpy()
    shown = slice(None)
    if len(services) > TABLE_ROWS:
        least = results.least_served()
        shown = services.get_indexer(least.loc[least["kind"] == "inference", "workload"])[:TABLE_ROWS]
    rows = [dict(service=name, cells=cells) for name, cells in zip(services[shown], _cells(grid[shown], _served_cell))]
    return dict(rows=rows, total=len(services))


def _inference_sizing(results: Results) -> pd.DataFrame:
    """Sizing's per (service, GPU type) rates with the demand beside them, and ``smaller_replicas``:
    where fewer GPUs of the type are installed than its best replica, the smaller replica the plan
    serves with there and in which periods ('' if none), e.g. '8 GPUs in 2026Q1, 2026Q2'."""
    table = results.sizing.inference_rates.merge(results.sizing.inference, on="workload")
    used = results.allocation[results.allocation["kind"] == "inference"].merge(
        table[["workload", "gpu", "gpus_per_replica"]], on=["workload", "gpu"], suffixes=("", "_best"))
    smaller = used[used["gpus_per_replica"] < used["gpus_per_replica_best"]]
    periods = smaller.groupby(["workload", "gpu", "gpus_per_replica"], sort=False)["period"].agg(
        lambda names: ", ".join(names) if len(names) <= NAMES_SHOWN else f"{len(names)} periods")
    sizes = periods.index.get_level_values("gpus_per_replica").astype(int).astype(str)
    notes = (sizes + " GPUs in " + periods).groupby(level=["workload", "gpu"], sort=False).agg("; ".join)
    notes = notes.rename("smaller_replicas").reset_index()
    return table.merge(notes, on=["workload", "gpu"], how="left").fillna({"smaller_replicas": ""})


def _training_sizing_grid(results: Results) -> dict:
    """Runs on rows: precision, MFU and where it came from, required FLOPs, GPU-hours and the fewest GPUs
    that can carry the run (its min_gpus, raised to its memory minimum) on each GPU type."""
    rates = results.sizing.training_rates
    runs = results.inputs["training"].set_index("workload")
    gpus = list(results.inputs["gpus"]["gpu"])
    # runs x GPU types, filled by position, not pivoted by name: a run has one rate per GPU type
    cell = (runs.index.get_indexer(rates["workload"]), pd.Index(gpus).get_indexer(rates["gpu"]))
    hours, notes, least = (np.full((len(runs), len(gpus)), np.nan, dtype=dtype) for dtype in (float, object, float))
    hours[cell], notes[cell] = rates["gpu_hours"].to_numpy(dtype=float), rates["note"].to_numpy()
    least[cell] = rates["min_gpus"].to_numpy(dtype=float)
    per_run = pd.DataFrame({
        "precision": runs["precision"], "typed_mfu": runs["mfu"], "goodput": runs["goodput"],
        "mfu_low": rates.groupby("workload")["mfu"].min(), "mfu_high": rates.groupby("workload")["mfu"].max(),
        "rated": (rates["note"] == "").groupby(rates["workload"]).sum().reindex(runs.index, fill_value=0),
        "flops": results.sizing.training.set_index("workload")["flops"],
    }, index=runs.index).head(TABLE_ROWS)
    # per run with any, the GPU types a measured rate replaces the estimate on (few: grouped among those alone)
    measured = rates[rates["source"] == "measured"].groupby("workload")["gpu"].agg(list).to_dict()
    cells = zip(hours[:TABLE_ROWS].tolist(), notes[:TABLE_ROWS].tolist(), least[:TABLE_ROWS].tolist())
    rows = [
        dict(
            workload=run.Index, precision=run.precision, goodput=run.goodput, flops=run.flops,
            mfu_low=None if np.isnan(run.mfu_low) else run.mfu_low,
            mfu_high=None if np.isnan(run.mfu_high) else run.mfu_high,
            mfu_source="workbook" if not np.isnan(run.typed_mfu) else
            ("default by GPU type" if not np.isnan(run.mfu_low) else ""),
            hours=[_gpu_hours_cell(h, str(n), m) for h, n, m in zip(*row_cells)],
            source=_training_source(measured.get(run.Index, []), run.rated),
        )
        for run, row_cells in zip(per_run.itertuples(), cells)
    ]
    return dict(gpus=gpus, rows=rows, total=len(runs), blocks=_print_blocks(len(gpus), PRINT_GPUS))


def _training_source(measured: list[str], rated: int) -> str:
    """Where a run's rates come from, given the GPU types a measured rate replaces the estimate on, of the ``rated``
    that can carry it."""
    if not measured:
        return "estimated"
    if len(measured) == rated:
        return "measured"
    return f"measured on {listed(measured)}, estimated on the others"


def _assumptions() -> list[dict]:
    """The sizing rules built into the planner, as stated by planner/sizing.py."""
    return sizing_rules.assumptions()


TRANSPOSE_COLUMNS, TRANSPOSE_ROWS = 9, 8


def _input_tables(results: Results) -> list[dict]:
    """Workbook sheets as parsed, each column with its unit, meaning and default."""
    tables = []
    site = pd.DataFrame({"name": [results.scenario], "pue": [results.pue]})
    sources = [("site", site, [dict(name=k, unit=c.unit, description=c.description, default=None, kind=c.kind)
                               for k, c in SITE_KEYS.items()])]
    # by position (the fleet's rows run GPU type by GPU type, each over the periods), its columns numbered: named
    # after the periods, one named 'gpu' would clash with the GPU types' column
    gpus = results.inputs["gpus"]["gpu"].tolist()
    installed = results.fleet["installed"].to_numpy().reshape(len(gpus), -1).tolist()
    fleet = pd.DataFrame([[gpu, *row] for gpu, row in zip(gpus, installed)], columns=range(1 + len(results.periods)))
    for name in ("periods", "gpus", "training", "inference", "throughput"):
        frame = results.inputs[name]
        sheet = SHEETS_BY_NAME[name]
        columns = [c for c in sheet.columns if c.name in frame.columns]
        sources.append((name, frame[[c.name for c in columns]], [
            dict(name=c.name, unit=c.unit, description=c.description, default=c.default, kind=c.kind)
            for c in columns
        ]))
        if name == "gpus":
            fleet_columns = [dict(name="gpu", unit="", description="GPU type.", default=None, kind="text")] + [
                dict(name=str(p), unit="", description=f"GPUs installed in {p}; blank: 0.", default=None, kind="number")
                for p in results.periods["period"]
            ]
            sources.append(("fleet", fleet, fleet_columns))
    for name, frame, columns in sources:
        sheet = SHEETS_BY_NAME[name]
        origin = results.origins.get(name)
        shown = frame.head(TABLE_ROWS)
        known = origin is not None and set(frame.columns) <= set(origin.columns)
        origin = (origin.loc[shown.index, frame.columns] if known
                  else pd.DataFrame("workbook", index=shown.index, columns=frame.columns))
        # each cell: (value, where it came from), read as Python objects a frame at once (itertuples reads text
        # columns cell by cell)
        rows = [list(zip(values, sources)) for values, sources in
                zip(shown.to_numpy(dtype=object).tolist(), origin.to_numpy(dtype=object).tolist())]
        tables.append(dict(name=name, description=sheet.description, columns=columns, rows=rows, total=len(frame),
                           # many columns, few rows: one row per column reads (and prints) better
                           transposed=len(columns) > TRANSPOSE_COLUMNS and 1 < len(frame) <= TRANSPOSE_ROWS))
    return tables


def _context(results: Results) -> dict:
    coverage = _inference_view(results)
    periods = _period_view(results, coverage)
    inference_sizing = _inference_sizing(results)
    return dict(
        r=results,
        sections=_sections(),
        script_hash=script_hash(),
        provenance=_provenance(results),
        charts=charts(results),
        head=_headline(results, coverage),
        period_rows=periods,
        binding_power=[p for p in periods if p["binds"]],
        power_findings=_most_valuable(periods),
        findings_shown=FINDINGS_SHOWN,
        binding_named=periods_in_runs([p["period"] for p in periods], [p["binds"] for p in periods]),
        slack_power=[p for p in periods if not p["binds"]],
        fleet=_fleet_view(results),
        short=_short_view(results, coverage),
        late=_trains_late(results),
        training_sizing=_training_sizing_grid(results),
        allocation=_allocation_grid(results),
        inference_sizing=inference_sizing,
        workloads=_workload_rows(results),
        inference_served=_inference_served_grid(results),
        table_rows=TABLE_ROWS,
        period_blocks=_print_blocks(len(results.periods), PRINT_PERIODS),
        measured_pairs=int((inference_sizing["source"] == "measured").sum()),
        assumptions=_assumptions(),
        input_tables=_input_tables(results),
    )


def render_html(results: Results) -> str:
    """The report as one self-contained HTML document."""
    with paused_gc():
        return TEMPLATES.get_template("report.html").render(**_context(results))


def _write_html(results: Results, path: Path) -> None:
    path.write_text(render_html(results), encoding="utf-8")


def _write_summary(results: Results, path: Path) -> None:
    path.write_text(json.dumps(summary(results), indent=2, ensure_ascii=False, allow_nan=False) + "\n",
                    encoding="utf-8")


OUTPUTS: dict[str, str] = {"html": "index.html", "json": "summary.json", "xlsx": "results.xlsx"}
"""The outputs a report may hold (``planner solve --outputs``), each with its file, main one first."""
_WRITERS = {"html": _write_html, "json": _write_summary, "xlsx": _write_xlsx}
REPORT_FILES = frozenset(OUTPUTS.values())


def chosen_outputs(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` (keys of :data:`OUTPUTS`, any order, repeats allowed) in the order of :data:`OUTPUTS`;
    raises ValueError naming the choices if any is unknown or none is given."""
    names = {names} if isinstance(names, str) else set(names)
    if not names or names - set(OUTPUTS):
        raise ValueError(f"expected one or more of {', '.join(OUTPUTS)}")
    return tuple(output for output in OUTPUTS if output in names)


def write_data(results: Results, folder: Path, outputs: Iterable[str] = ("json", "xlsx")) -> None:
    """The files of ``outputs`` (keys of :data:`OUTPUTS`) into ``folder``; by default the machine-readable
    ones. Not atomic: see :func:`write_outputs`."""
    for output in outputs:
        _WRITERS[output](results, folder / OUTPUTS[output])


DESKTOP_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # left by file browsers: no loss


class ReportFolderError(Exception):
    """A report cannot be written where it was asked for; the message names the folder and why."""


def report_folder_problem(folder: Path) -> str | None:
    """Why a report cannot go into ``folder`` (None if it can).

    A report replaces its folder whole, so a folder that exists must hold nothing but an earlier
    report's files: anything else in it (the scenario's own CSV files, other reports, a user's
    documents) would be deleted with it. Looked at while no other run swaps a report in beside it.
    """
    with locked(folder.parent):
        return _folder_problem(folder)


def _folder_problem(folder: Path) -> str | None:
    """:func:`report_folder_problem`, looked at as the folder is."""
    if folder.is_dir() and folder.samefile("."):  # even empty: the shell would be left in a deleted folder
        return (f"{folder}: cannot write the report there: it is the current folder, which the report would "
                f"replace whole; give --out a new folder, such as {folder / 'report'}")
    blocking = file_in_path(folder)
    if blocking is not None:
        return f"{folder}: cannot write the report there: {blocking} is a file, not a folder"
    if folder.is_symlink():
        try:
            os.stat(folder)
        except OSError as error:
            if error.errno == errno.ELOOP:
                return f"{folder}: cannot write the report there: it is a link that leads back to itself"
    if folder.is_dir() and os.path.ismount(os.path.realpath(folder)):  # a volume given to a container, say
        return (f"{folder}: cannot write the report there: it is a mount point, which the report cannot replace "
                f"(it replaces its folder whole); give --out a folder inside it, such as {folder / 'report'}")
    kept = REPORT_FILES | DESKTOP_FILES
    # the name the earlier report is moved to while the new one takes its place: what a crash mid-swap leaves
    # there is an earlier report (or a link), and is removed; anything else is a user's, and would go with it
    previous = folder.with_name(set_aside_name(folder.name)) if folder.name else None  # the root has no name
    if previous is not None and not previous.is_symlink() and previous.exists():
        try:
            held = sorted(p.name for p in previous.iterdir() if p.name not in kept) if previous.is_dir() else [""]
        except OSError as error:  # another user's, say
            held, what = [""], f"cannot be looked in ({error.strerror})"
        else:
            what = f"holds {listed(held)}" if previous.is_dir() else "is a file"
        if held:
            return (f"{folder}: cannot write the report there: {previous} {what}, which the report would delete (it "
                    "moves the earlier report to that name while it writes the new one); move it away")
    try:
        others = sorted(p.name for p in folder.iterdir() if p.name not in kept) if folder.is_dir() else []
    except OSError as error:
        return f"{folder}: cannot write the report there: the folder cannot be looked in ({error.strerror})"
    if not others:
        return None
    # the lock file that LibreOffice (.~lock.NAME#) or Excel (~$NAME) keeps beside a file it has open
    open_files = [name for name in sorted(REPORT_FILES) if {f".~lock.{name}#", f"~${name}"} & set(others)]
    if open_files:
        return (f"{folder}: cannot write the report there: {listed(open_files)} "
                f"{'is' if len(open_files) == 1 else 'are'} open in another program (its lock file is in the "
                "folder); close it there and try again")
    return (f"{folder}: cannot write the report there: the folder holds {listed(others)}, which the report would "
            "replace; give --out a new folder, or one that holds only an earlier report")


def main_file(out_dir: Path, outputs: Iterable[str] = tuple(OUTPUTS)) -> Path:
    """The path of the main file of a report of ``outputs`` in ``out_dir``: the HTML if written."""
    return Path(out_dir) / OUTPUTS[chosen_outputs(outputs)[0]]


def write_outputs(results: Results, out_dir: Path, outputs: Iterable[str] = tuple(OUTPUTS),
                  landed: Callable[[], None] = lambda: None) -> Path:
    """Write ``outputs`` (by default all three) into ``out_dir`` atomically, replacing the folder whole;
    return the path of the main one (see :func:`main_file`). Raises :class:`ReportFolderError` if
    ``out_dir`` holds anything but an earlier report, or if writing fails.

    ``landed`` is called once the report is in place, with Ctrl-C and SIGTERM held from the first move
    until it returns: a caller that records there that the report is written is never stopped between
    the two, nor the swap half-way."""
    chosen = chosen_outputs(outputs)
    out_dir = Path(out_dir)
    problem = report_folder_problem(out_dir)
    if problem is not None:
        raise ReportFolderError(problem)
    # a link to a folder (reports/latest, say) stays: the report replaces the folder it links to
    # (a link in a loop is refused by report_folder_problem)
    folder = Path(os.path.realpath(out_dir)) if out_dir.is_symlink() else out_dir
    made = [parent for parent in folder.parents if not parent.exists()]  # nearest first
    with contextlib.ExitStack() as held:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            with locked(folder.parent):  # no other run takes this one's staging for abandoned before it is held
                remove_abandoned(folder)
                # mkdtemp makes it private; a report is meant to be read as the folder it replaces is, or as others are
                mode = folder.stat().st_mode & 0o7777 if folder.is_dir() else 0o777 & ~umask()
                staging = Path(tempfile.mkdtemp(prefix=staging_prefix(folder), dir=folder.parent))
                held.enter_context(locked(staging, shared=True))
        except OSError as error:
            _remove_empty(made)
            raise ReportFolderError(f"{out_dir}: cannot write the report there ({error.strerror or error})") from None
        _write_and_swap(results, out_dir, folder, (staging, mode), chosen, made, landed)
    return main_file(out_dir, chosen)


def _write_and_swap(results: Results, out_dir: Path, folder: Path, staged: tuple[Path, int], chosen: list[str],
                    made: list[Path], landed: Callable[[], None]) -> None:
    """Write the report into the staging folder of ``staged``, then move it into ``folder``'s place and give it that
    mode, one run at a time (see :func:`write_outputs`); on any failure the earlier report stays, and the folders
    ``made`` for it go."""
    staging, mode = staged
    previous = folder.with_name(set_aside_name(folder.name))
    moved = False
    try:
        write_data(results, staging, chosen)
        with locked(folder.parent), signals_held():
            if (problem := _folder_problem(out_dir)) is not None:  # another run may have changed it meanwhile
                raise ReportFolderError(problem)
            remove(previous)  # one a crash mid-swap may have left (or, as a link, an earlier version)
            if previous.exists() or previous.is_symlink():
                raise ReportFolderError(f"{out_dir}: cannot write the report: {previous}, where the earlier report "
                                        "waits while the new one takes its place, is left from an earlier run and "
                                        "cannot be removed (another user's files?); remove it")
            if folder.exists():
                folder.rename(previous)
                moved = True
            staging.rename(folder)
            with contextlib.suppress(OSError):  # once in place: the earlier folder's mode may let no one write in it
                folder.chmod(mode)
            remove(previous)
            landed()
    except BaseException as error:
        # a second Ctrl-C (a sweep's worker has one from the terminal and one from the sweep) waits for the earlier
        # report to be put back and the staging taken away
        with signals_held():
            remove(staging)
            if moved and not folder.exists():  # the swap failed half-way: the earlier report goes back
                previous.rename(folder)
            _remove_empty(made)
        if isinstance(error, OSError):  # a full disk, say
            raise ReportFolderError(f"{out_dir}: cannot write the report ({error.strerror or error})") from None
        raise


def _remove_empty(folders: list[Path]) -> None:
    """Remove those of ``folders`` (nearest first) that a report which failed made and left empty."""
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty: something else was put there meanwhile
            folder.rmdir()
