"""Write results: ``summary.json``, ``results.xlsx`` and a self-contained ``index.html``.

All three are written into a temporary folder beside the destination and moved
into place only when complete, so a failed run never leaves a partial report and
an earlier report stays intact.

The HTML report is one file that opens offline: the CSS and the small table
sorting script are inlined, and the charts are matplotlib figures inlined as SVG
(``svg.fonttype`` ``none``, so text stays text; matplotlib escapes it). The page
is laid out by ``templates/base.html``; each section is one partial in
``templates/sections/`` (see :data:`SECTIONS`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import jinja2
import matplotlib
import numpy as np
import pandas as pd
import xlsxwriter

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the non-interactive backend)
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from planner import sizing as sizing_rules  # noqa: E402
from planner.gcpause import paused_gc  # noqa: E402
from planner.results import BINDING, TOLERANCE, Results  # noqa: E402
from planner.schema import SHEETS_BY_NAME, SITE_KEYS  # noqa: E402

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------
# machine-readable


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return json.loads(frame[columns].to_json(orient="records", double_precision=15))


def summary(results: Results) -> dict:
    """The ``summary.json`` document: stable keys for automation."""
    return {
        "scenario": results.scenario,
        "status": results.status,
        "objective": results.objective,
        "solver": results.solver,
        "solve_seconds": results.solve_seconds,
        "gap": None if math.isnan(results.gap) else results.gap,
        "periods": _records(
            results.periods,
            ["period", "power_mw_budget", "power_mw_used", "power_shadow_price", "gpus_installed", "gpus_in_use"],
        ),
        "workloads": _records(results.workloads, ["workload", "kind", "priority", "served_fraction", "gpu_hours"]),
        "allocation": _records(results.allocation, ["workload", "gpu", "period", "gpus"]),
        "fleet": _records(results.fleet, ["gpu", "period", "installed", "gpus_in_use", "fleet_shadow_price"]),
        "warnings": results.warnings,
    }


def _neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells (and headings) that a spreadsheet would run as a formula get a leading apostrophe.

    Every column that is not numeric or a date is checked, whatever its dtype (object, string,
    categorical), so user text cannot reach the workbook as a formula.
    """

    def safe(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value

    out = frame.copy()
    for i in range(out.shape[1]):
        values = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)):
            out.isetitem(i, values.astype(object).map(safe))
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = [safe(c) for c in out.columns]
    return out


def _write_xlsx(results: Results, path: Path) -> None:
    """One sheet per results table, header row frozen and filterable; blank where a value is missing.

    Written with XlsxWriter column by column (three times faster than pandas through openpyxl at
    national scale). Text is never read as a formula, URL or number.
    """
    sheets = {
        "periods": results.periods,
        "workloads": results.workloads,
        "allocation": results.allocation,
        "fleet": results.fleet,
        "training_progress": results.training,
        "inference_coverage": results.inference,
        "training_sizing": _training_sizing(results),
        "inference_sizing": results.sizing.inference_rates,
    }
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "nan_inf_to_errors": True}
    with xlsxwriter.Workbook(path, options) as book:
        header = book.add_format({"bold": True, "bottom": 1})
        for name, frame in sheets.items():
            frame = _neutralise(frame)
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, [str(c) for c in frame.columns], header)
            for j, column in enumerate(frame.columns):
                values = frame[column]
                sheet.write_column(1, j, values.astype(object).where(values.notna(), None).tolist())
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))


def _training_sizing(results: Results) -> pd.DataFrame:
    """Sizing's per (run, GPU type) table with each run's required FLOPs beside it."""
    required = results.sizing.training.set_index("workload")["flops"]
    return results.sizing.training_rates.assign(flops_required=lambda t: t["workload"].map(required))


# ---------------------------------------------------------------------------
# charts (matplotlib, inline SVG)

INK, MUTED, GRID, ACCENT, ALERT = "#1d2330", "#5b6475", "#e3e7ee", "#2f5d9e", "#c0392b"
# Cool hues for training runs, warm hues for inference services, so the kind of a
# workload reads from its colour; a separate set tells GPU types apart.
TRAINING_COLOURS = ("#1f4e79", "#2e75b6", "#6fa8dc", "#2f7d5b", "#5fb58a", "#6a51a3", "#9e8fd0",
                    "#17807e", "#4fb3bf", "#3b5b92", "#8fb8de", "#1b9e77")
INFERENCE_COLOURS = ("#d9534f", "#e8833a", "#f2b134", "#b5651d", "#e377c2", "#a0522d", "#f08080",
                     "#c9a227", "#d95f02", "#e7298a", "#ff9f80", "#8c564b")
GPU_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#e15759",
               "#9c755f", "#bab0ac", "#ff9da7")
IDLE_COLOUR, AT_WORK_COLOUR = "#c9d1dd", ACCENT

CHART_STYLE = {
    "svg.fonttype": "none",  # text stays text in the SVG (smaller, selectable, escaped by matplotlib)
    "text.parse_math": False,  # a "$" in a workload name is a dollar sign, not TeX
    "font.size": 9,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "text.color": INK,
    "axes.labelcolor": MUTED,
    "axes.edgecolor": "#9aa3b2",
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "figure.dpi": 72,
}
CHART_WIDTH = 9.0  # inches; the page scales the SVG to its column
_ID = re.compile(r'(\bid="|url\(#|xlink:href="#|href="#)')


def _svg(figure: plt.Figure, name: str) -> str:
    """The figure as an inline ``<svg>`` element, its ids prefixed with ``name`` (unique in the page)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    return _ID.sub(lambda m: f"{m.group(1)}{name}-", text)


TABLE_ROWS = 300  # rows of a long table shown in the HTML; results.xlsx holds every row
SHORT_NAMES = 10  # workloads named where a sentence lists those cut short; the rest are counted
CHART_SERIES = 12  # stacked series shown by name; the rest are summed as "other"
CHART_ROWS = 30  # rows of a per-workload chart; the most telling ones are kept
OTHER_COLOUR = "#c7ccd6"


def _top_columns(table: pd.DataFrame, limit: int = CHART_SERIES) -> pd.DataFrame:
    """The ``limit`` largest columns by total, in their order, plus one "other (n)" column."""
    if table.shape[1] <= limit:
        return table
    keep = table.sum().nlargest(limit - 1).index
    rest = [c for c in table.columns if c not in keep]
    top = table[[c for c in table.columns if c in keep]].copy()
    top[f"other ({len(rest)})"] = table[rest].sum(axis=1)
    return top


def _workload_colours(results: Results) -> dict[str, str]:
    colours = {}
    for kind, palette in (("training", TRAINING_COLOURS), ("inference", INFERENCE_COLOURS)):
        names = results.workloads.loc[results.workloads["kind"] == kind, "workload"]
        colours.update({name: palette[i % len(palette)] for i, name in enumerate(names)})
    return colours


def _thousands(value: float, _position: object = None) -> str:
    """Axis numbers: 120,000 / 2.5 / 0.25 (thousands grouped, no needless decimals)."""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _title(figure: plt.Figure, text: str) -> None:
    """Chart title at the figure's left edge, clear of long tick labels."""
    figure.suptitle(text, x=0.005, y=1 - 0.06 / figure.get_figheight(), ha="left", va="top", fontsize=10,
                    fontweight="bold")


def _text_width(figure: plt.Figure, texts: list[str], size: float) -> float:
    """Widest of ``texts`` in inches, by matplotlib's own font metrics."""
    renderer = figure.canvas.get_renderer()
    font = FontProperties(size=size)
    widths = [renderer.get_text_width_height_descent(str(t), font, ismath=False)[0] for t in texts]
    return max(widths, default=0.0) / figure.dpi


def _place(figure: plt.Figure, left: float, right: float, top: float = 0.42, bottom: float = 0.36) -> None:
    """Fixed margins in inches. A layout engine would find them too, but its passes cost more
    than drawing the chart; the margins here come from the measured width of the labels."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)


def _legend_width(figure: plt.Figure, labels: list[str]) -> float:
    """Room a right-hand legend needs: its handles, padding and longest label (legend.fontsize 8)."""
    return _text_width(figure, labels, 8) + 0.62


def _y_label_room(figure: plt.Figure, ticks: list[str]) -> float:
    """Room left of the axes for tick labels and the axis label (font.size 9)."""
    return _text_width(figure, ticks, 9) + 0.42


def _bars(axes: plt.Axes, x: np.ndarray, length: np.ndarray, base: np.ndarray | float, width: float,
          horizontal: bool = False, label: str | None = None, **style) -> Patch:
    """Bars as one collection (``axes.bar`` makes one artist per bar, several times slower to
    build and draw); returns a legend handle. Axis limits are set by the caller."""
    x = np.asarray(x, dtype=float)
    low = np.broadcast_to(np.asarray(base, dtype=float), x.shape)
    high = low + np.asarray(length, dtype=float)
    left, right = x - width / 2, x + width / 2
    corners = [(left, low), (left, high), (right, high), (right, low)]
    verts = np.stack([np.stack((b, a) if horizontal else (a, b), axis=1) for a, b in corners], axis=1)
    axes.add_collection(PolyCollection(verts, **style), autolim=False)
    colour = style.get("facecolors", "none")
    return Patch(facecolor=colour if isinstance(colour, str) else "none", edgecolor=style.get("edgecolors", "none"),
                 hatch=style.get("hatch"), linewidth=style.get("linewidths", 0), label=label)


def _period_axis(axes: plt.Axes, periods: list[str], rotate: bool = False) -> None:
    x = np.arange(len(periods))
    axes.set_xticks(x, periods, rotation=90 if rotate else 0)
    axes.set_xlim(-0.6, len(periods) - 0.4)
    axes.tick_params(axis="x", length=0)


def _stacked_gpus(table: pd.DataFrame, installed: pd.Series, colours: dict[str, str], title: str,
                  name: str) -> str:
    """GPUs in use per period, one stacked colour per column of ``table``; installed as a line."""
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, 3.3))
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    handles = []
    for column in table.columns:
        values = table[column].to_numpy(dtype=float)
        handles.append(_bars(axes, x, values, bottom.copy(), 0.72, label=str(column),
                             facecolors=colours.get(column, OTHER_COLOUR), edgecolors="white", linewidths=0.4))
        bottom += values
    handles += axes.plot(x, installed.to_numpy(dtype=float), color=INK, linewidth=1.4, marker="o", markersize=3.5,
                         label="installed")
    _period_axis(axes, [str(p) for p in table.index])
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.set_ylabel("GPUs")
    top = max(float(installed.max()), float(bottom.max()), 1.0) * 1.05
    axes.set_ylim(0, top)
    _title(figure, title)
    _side_legend(figure, axes, handles, top)
    return _svg(figure, name)


def _side_legend(figure: plt.Figure, axes: plt.Axes, handles: list, top: float) -> None:
    """Legend right of the axes, last series first (as they stack), in two columns when long."""
    labels = [h.get_label() for h in handles]
    columns = 1 if len(labels) <= 16 else 2
    axes.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), ncols=columns)
    _place(figure, _y_label_room(figure, [_thousands(top)]), _legend_width(figure, labels) * columns)


def _power_chart(results: Results, idle_mw: np.ndarray) -> str:
    periods = results.periods
    x = np.arange(len(periods))
    used = periods["power_mw_used"].to_numpy(dtype=float)
    budget = periods["power_mw_budget"].to_numpy(dtype=float)
    idle = np.minimum(idle_mw, used)
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, 3.1))
    handles = [
        _bars(axes, x, idle, 0.0, 0.72, label="idle draw of all installed GPUs", facecolors=IDLE_COLOUR),
        _bars(axes, x, used - idle, idle, 0.72, label="extra draw of GPUs at work", facecolors=AT_WORK_COLOUR),
        *axes.plot(x, budget, color=INK, linewidth=0, marker="_", markersize=26, markeredgewidth=2.2, label="budget"),
    ]
    binds = periods["power_shadow_price"].to_numpy(dtype=float) > BINDING
    for i in np.flatnonzero(binds):
        axes.annotate("binds", (x[i], budget[i]), xytext=(0, 5), textcoords="offset points", ha="center",
                      va="bottom", color=ALERT, fontsize=8, fontweight="bold")
    _period_axis(axes, [str(p) for p in periods["period"]])
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.set_ylabel("facility MW (PUE included)")
    top = max(float(budget.max()), float(used.max()), 1e-9) * 1.15
    axes.set_ylim(0, top)
    _title(figure, "Facility power used against the budget")
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _place(figure, _y_label_room(figure, [_thousands(top)]), _legend_width(figure, [h.get_label() for h in handles]))
    return _svg(figure, "power")


def _served_chart(results: Results, colours: dict[str, str]) -> str:
    workloads = results.workloads
    title = "Share of demand served, per workload"
    if len(workloads) > CHART_ROWS:
        workloads = workloads.sort_values(["served_fraction", "priority"], ascending=[True, False]).head(CHART_ROWS)
        title = f"Share of demand served: the {CHART_ROWS} least served of {len(results.workloads)} workloads"
    workloads = workloads.iloc[::-1]
    names = [str(w) for w in workloads["workload"]]
    share = workloads["served_fraction"].to_numpy(dtype=float) * 100
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, 0.26 * len(workloads) + 0.9))
    y = np.arange(len(names))
    _bars(axes, y, share, 0.0, 0.66, horizontal=True, facecolors=[colours[w] for w in workloads["workload"]])
    for row, value in zip(y, share):
        axes.annotate(f"{value:.1f}%", (value, row), xytext=(3, 0), textcoords="offset points", va="center",
                      fontsize=8, color=INK)
    axes.set_yticks(y, names)
    axes.tick_params(axis="y", length=0)
    axes.set_ylim(-0.6, len(names) - 0.4)
    axes.set_xlim(0, 112)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.xaxis.set_major_formatter(PercentFormatter())
    axes.grid(axis="x", visible=True)
    axes.grid(axis="y", visible=False)
    axes.axvline(100, color=MUTED, linewidth=0.8, linestyle=(0, (3, 3)))
    _title(figure, title)
    _place(figure, _text_width(figure, names, 9) + 0.2, 0.2)
    return _svg(figure, "served")


def _training_chart(results: Results, colours: dict[str, str]) -> str | None:
    """One row per run: its cumulative FLOPs per period as a share of what it needs (row height = 100%),
    over the window it may run in, with its deadline marked and the share reached by then."""
    runs = results.inputs["training"]
    if runs.empty:
        return None
    title = "Training progress: cumulative FLOPs against what each run needs"
    if len(runs) > CHART_ROWS:
        served = results.workloads.set_index("workload")["served_fraction"]
        order = runs.assign(served=runs["workload"].map(served)).sort_values(
            ["served", "priority"], ascending=[True, False])
        runs = runs.loc[order.index[:CHART_ROWS]]
        title = f"Training progress: the {CHART_ROWS} least complete of {len(results.inputs['training'])} runs"
    periods = [str(p) for p in results.periods["period"]]
    position = {p: i for i, p in enumerate(periods)}
    progress = results.training.pivot(index="workload", columns="period", values="flops_cumulative").reindex(
        columns=periods
    ).div(results.sizing.training.set_index("workload")["flops"], axis=0).fillna(0.0)
    count, x = len(runs), np.arange(len(periods))
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, 0.44 * count + 1.0))
    height = 0.78  # of a row: the 100% mark
    base = count - 1 - np.arange(count)  # first run on top
    start = np.array([position[str(p)] for p in runs["start_period"]])
    deadline = np.array([position[str(p)] for p in runs["deadline_period"]])
    share = np.clip(progress.reindex(runs["workload"]).to_numpy(dtype=float), 0.0, 1.0)
    _bars(axes, base + height / 2, deadline - start + 1, start - 0.5, height + 0.16, horizontal=True,
          facecolors="#e9eef6", linewidths=0)
    run, period = np.nonzero((x >= start[:, None]) & (x <= deadline[:, None]))  # nothing counts after the deadline
    _bars(axes, x[period], share[run, period] * height, base[run], 0.72,
          facecolors=[colours[w] for w in runs["workload"].to_numpy()[run]])
    axes.add_collection(LineCollection(
        [[(-0.5, b + height), (len(periods) - 0.5, b + height)] for b in base], colors="#9aa3b2", linewidths=0.6))
    axes.add_collection(LineCollection(
        [[(d + 0.5, b - 0.08), (d + 0.5, b + height + 0.08)] for b, d in zip(base, deadline)], colors=ALERT,
        linewidths=1.3, linestyles=[(0, (2.5, 1.5))]))
    for b, done in zip(base, share[np.arange(count), deadline]):
        axes.text(len(periods) - 0.25, b + height / 2, f"{done:.0%}", va="center", ha="left", fontsize=8.5,
                  color=INK if done >= 1 - TOLERANCE else ALERT, fontweight="bold")
    axes.set_yticks(np.arange(count) + height / 2, [str(w) for w in runs["workload"]][::-1])
    axes.tick_params(axis="y", length=0)
    axes.set_ylim(-0.25, count)
    _period_axis(axes, periods)
    axes.set_xlim(-0.6, len(periods) + 0.35)
    axes.grid(False)
    axes.spines[["left"]].set_visible(False)
    _title(figure, title)
    _place(figure, _text_width(figure, list(runs["workload"]), 9) + 0.2, 0.1)
    return _svg(figure, "training")


def _inference_chart(results: Results, colours: dict[str, str]) -> str | None:
    """Serving capacity per period, stacked by service, under the services' total peak demand."""
    table = results.inference
    if table.empty:
        return None
    periods = [str(p) for p in results.periods["period"]]
    x = np.arange(len(periods))
    figure, axes = plt.subplots(figsize=(CHART_WIDTH, 3.3))
    grid = lambda column: table.pivot_table(  # noqa: E731  (periods x services, million tokens/s)
        index="period", columns="workload", values=column, aggfunc="sum", sort=False
    ).reindex(index=periods, columns=list(results.inputs["inference"]["workload"])).fillna(0.0) / 1e6
    demand = grid("demand_tokens_per_s")
    capacity = _top_columns(np.minimum(grid("capacity_tokens_per_s"), demand))
    bottom = np.zeros(len(periods))
    handles = []
    for name in capacity.columns:
        values = capacity[name].to_numpy(dtype=float)
        handles.append(_bars(axes, x, values, bottom.copy(), 0.72, label=str(name),
                             facecolors=colours.get(name, OTHER_COLOUR), edgecolors="white", linewidths=0.4))
        bottom += values
    demand_total = demand.sum(axis=1).to_numpy(dtype=float)
    handles.append(_bars(axes, x, demand_total - bottom, bottom, 0.72, label="peak demand not served",
                         facecolors="white", edgecolors=ALERT, hatch="////", linewidths=0.8))
    handles += axes.plot(x, demand_total, color=INK, linewidth=0, marker="_", markersize=26, markeredgewidth=2.0,
                         label="total peak demand")
    _period_axis(axes, periods)
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.set_ylabel("million tokens/s at peak")
    top = max(float(demand_total.max()), 1e-9) * 1.08
    axes.set_ylim(0, top)
    _title(figure, "Inference capacity against peak demand, by service")
    _side_legend(figure, axes, handles, top)
    return _svg(figure, "inference")


def _pivot(results: Results, column: str) -> pd.DataFrame:
    periods = results.periods["period"]
    table = results.allocation.pivot_table(index="period", columns=column, values="gpus", aggfunc="sum",
                                           fill_value=0.0, sort=False)
    return table.reindex(periods, fill_value=0.0)


def _charts(results: Results, idle_mw: np.ndarray) -> list[dict[str, str]]:
    """Every chart as ``{"id", "svg", "caption"}``; a chart with nothing to draw is left out."""
    colours = _workload_colours(results)
    gpu_names = list(results.inputs["gpus"]["gpu"])
    gpu_colours = {g: GPU_COLOURS[i % len(GPU_COLOURS)] for i, g in enumerate(gpu_names)}
    periods = results.periods.set_index("period")
    by_workload = _pivot(results, "workload")
    by_workload = _top_columns(by_workload[[w for w in results.workloads["workload"] if w in by_workload.columns]])
    by_gpu = _pivot(results, "gpu")
    by_gpu = by_gpu[[g for g in gpu_names if g in by_gpu.columns]]
    charts = []
    with warnings.catch_warnings(), plt.rc_context(CHART_STYLE):
        # text goes into the SVG as text and the browser draws it with its own fonts,
        # so a glyph matplotlib's font lacks (CJK, emoji) is no problem
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")
        charts.append(dict(id="chart-gpus-by-workload", svg=_stacked_gpus(
            by_workload, periods["gpus_installed"], colours, "GPUs in use per period, by workload", "by-workload"),
            caption="GPUs in use in each period, stacked by workload; the line is the GPUs installed."))
        charts.append(dict(id="chart-gpus-by-type", svg=_stacked_gpus(
            by_gpu, periods["gpus_installed"], gpu_colours, "GPUs in use per period, by GPU type", "by-type"),
            caption="The same GPUs, stacked by GPU type; the line is the GPUs installed."))
        charts.append(dict(id="chart-power", svg=_power_chart(results, idle_mw),
                           caption="Facility power drawn (PUE included): the idle draw of every installed GPU, "
                                   "plus the extra of the GPUs at work. The dash is the budget; "
                                   "'binds' marks periods where more power would raise the score."))
        charts.append(dict(id="chart-served", svg=_served_chart(results, colours),
                           caption="Share of each workload's demand served over its window (a service's share "
                                   "is the hours-weighted mean over its periods). Cool colours are training runs, "
                                   "warm colours inference services, in every chart."))
        training = _training_chart(results, colours)
        if training:
            charts.append(dict(id="chart-training", svg=training,
                               caption="One row per training run; each bar is the run's cumulative FLOPs at the "
                                       "end of a period, the row's full height (grey line) being the FLOPs it "
                                       "needs. The shaded band is the window it may use GPUs in, the red dashed "
                                       "line the end of its deadline period; on the right, the share done by "
                                       "then."))
        inference = _inference_chart(results, colours)
        if inference:
            charts.append(dict(id="chart-inference", svg=inference,
                               caption="Serving capacity given in each period, stacked by service, against the "
                                       "services' total peak demand (dash); hatched red is peak demand left "
                                       "unserved. Per service and period, see the table under Workloads."))
    return charts


# ---------------------------------------------------------------------------
# HTML


def _number(value: float, digits: int = 3) -> str:
    """Readable number: thousands separators, ``digits`` significant figures."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e15 or magnitude < 1e-3:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(magnitude))))
    return f"{value:,.{decimals}f}"


def _percent(value: float, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.{decimals}f}%"


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


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("planner", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["num"] = _number
_ENV.filters["pct"] = _percent
_ENV.filters["key"] = _sort_key
_ENV.filters["plain"] = _plain
_ENV.filters["breakable"] = lambda name: str(name).replace("_", "_\u200b")  # may wrap after an underscore

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
        for name in _ENV.list_templates(filter_func=lambda n: n.startswith("sections/") and n.endswith(".html"))
    )
    order = [s for s in SECTIONS if s in found] + [s for s in found if s not in SECTIONS]
    return [dict(name=s, id=s.replace("_", "-"), title=SECTIONS.get(s, s.replace("_", " ").capitalize()))
            for s in order]


def _allocation_grid(results: Results) -> dict:
    """GPUs given, one row per workload and GPU type (in input order), one column per period;
    the first ``TABLE_ROWS`` rows and how many there are."""
    periods = list(results.periods["period"])
    table = results.allocation.pivot_table(index=["workload", "kind", "gpu"], columns="period", values="gpus",
                                           aggfunc="sum", fill_value=0.0, sort=False)
    table = table.reindex(columns=periods, fill_value=0.0)
    workload_order = pd.Index(results.workloads["workload"]).get_indexer(table.index.get_level_values("workload"))
    gpu_order = pd.Index(results.inputs["gpus"]["gpu"]).get_indexer(table.index.get_level_values("gpu"))
    first = table.iloc[np.lexsort((gpu_order, workload_order))[:TABLE_ROWS]]
    return dict(periods=periods, total=len(table), rows=[
        dict(workload=w, kind=k, gpu=g, gpus=values) for (w, k, g), values in zip(first.index, first.to_numpy().tolist())
    ])


def _script_hash() -> str:
    """CSP source of the inline sorting script: only this exact script may run in the page."""
    text = _ENV.get_template("sortable.js").render()
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"sha256-{digest}"


def _idle_mw(results: Results) -> np.ndarray:
    """Facility MW per period if every installed GPU sat idle (the floor the budget must carry)."""
    idle_w = results.inputs["gpus"].set_index("gpu")["idle_w"].astype(float)
    installed = results.fleet.pivot_table(index="gpu", columns="period", values="installed", aggfunc="sum",
                                          sort=False)
    installed = installed.reindex(index=idle_w.index, columns=results.periods["period"], fill_value=0.0)
    return results.pue * idle_w.to_numpy() @ installed.fillna(0.0).to_numpy() / 1e6


def _inference_view(results: Results) -> pd.DataFrame:
    """Per-service, per-period coverage with the weights an objective share uses."""
    table = results.inference.merge(results.periods[["period", "hours"]], on="period", how="left")
    table["served_tokens_per_s"] = table["served_fraction"] * table["demand_tokens_per_s"]
    return table


def _period_view(results: Results, idle_mw: np.ndarray) -> list[dict]:
    periods = results.periods
    coverage = _inference_view(results)
    by_period = coverage.groupby("period")[["served_tokens_per_s", "demand_tokens_per_s"]].sum()
    cut = coverage[coverage["served_fraction"] < 1 - TOLERANCE]
    short_by_period = {period: group for period, group in cut.groupby("period", sort=False)}
    rows = []
    for i, row in enumerate(periods.itertuples()):  # one row per period
        here = short_by_period.get(row.period, cut.iloc[:0])
        demand = by_period["demand_tokens_per_s"].get(row.period, 0.0)
        rows.append(dict(
            period=row.period, hours=row.hours,
            budget=row.power_mw_budget, used=row.power_mw_used, idle=float(idle_mw[i]),
            slack=max(0.0, row.power_mw_budget - row.power_mw_used),
            power_share=row.power_mw_used / row.power_mw_budget if row.power_mw_budget > 0 else float("nan"),
            price=row.power_shadow_price, binds=row.power_shadow_price > BINDING,
            at_limit=row.power_mw_used >= row.power_mw_budget * (1 - 1e-6),
            installed=row.gpus_installed, in_use=row.gpus_in_use,
            gpu_share=row.gpus_in_use / row.gpus_installed if row.gpus_installed > 0 else float("nan"),
            inference_served=(by_period["served_tokens_per_s"].get(row.period, 0.0) / demand) if demand > 0 else None,
            energy=row.energy_mwh,
            short=[dict(workload=s.workload, served=s.served_fraction)
                   for s in here.nsmallest(SHORT_NAMES, "served_fraction").itertuples()],
            short_count=len(here),
        ))
    return rows


def _fleet_view(results: Results) -> dict:
    fleet = results.fleet.copy()
    fleet["binds"] = fleet["fleet_shadow_price"] > BINDING
    fleet["full"] = (fleet["installed"] > 0) & (fleet["gpus_in_use"] >= fleet["installed"] * (1 - 1e-6))
    periods = list(results.periods["period"])
    gpus = list(results.inputs["gpus"]["gpu"])
    grid = {(r.gpu, r.period): r for r in fleet.itertuples()}
    binding = fleet[fleet["binds"]].sort_values("fleet_shadow_price", ascending=False)
    return dict(
        periods=periods, gpus=gpus, grid=grid, binding=binding,
        full_zero=fleet[fleet["full"] & ~fleet["binds"]],
        slack_count=int(((~fleet["full"]) & (fleet["installed"] > 0)).sum()),
        pairs=int((fleet["installed"] > 0).sum()),
        by_gpu=[dict(gpu=g, binds=int(fleet.loc[fleet["gpu"] == g, "binds"].sum()),
                     top=float(fleet.loc[fleet["gpu"] == g, "fleet_shadow_price"].max() or 0.0)) for g in gpus],
    )


def _headline(results: Results, coverage: pd.DataFrame) -> dict:
    workloads = results.workloads
    training = workloads[workloads["kind"] == "training"]
    weights = coverage["demand_tokens_per_s"] * coverage["hours"]
    possible = float(workloads["priority"].sum())
    return dict(
        possible=possible,
        score_share=results.objective / possible if possible > 0 else float("nan"),
        fully_served=int((workloads["served_fraction"] >= 1 - TOLERANCE).sum()),
        training_total=len(training),
        training_done=int((training["served_fraction"] >= 1 - TOLERANCE).sum()),
        inference_served=float((coverage["served_fraction"] * weights).sum() / weights.sum())
        if len(coverage) and weights.sum() > 0 else None,
        energy_gwh=float(results.periods["energy_mwh"].sum()) / 1e3,
        budget_gwh=float((results.periods["power_mw_budget"] * results.periods["hours"]).sum()) / 1e3,
    )


def _short_view(results: Results, coverage: pd.DataFrame) -> list[dict]:
    """Workloads cut short, least served first, each with its worst period (services)."""
    worst = coverage.sort_values("served_fraction").drop_duplicates("workload").set_index("workload")
    short = results.short_workloads()
    return [
        dict(
            workload=row.workload, kind=row.kind, priority=row.priority, served=row.served_fraction,
            lost=row.priority * (1 - row.served_fraction),
            worst_period=worst["period"].get(row.workload),
            worst_served=None if row.workload not in worst.index else float(worst.at[row.workload, "served_fraction"]),
        )
        for row in short.itertuples()
    ]


def _training_sizing_grid(results: Results) -> dict:
    """Runs on rows: precision, MFU and where it came from, required FLOPs, GPU-hours on each GPU type."""
    rates = _training_sizing(results)
    runs = results.inputs["training"].set_index("workload")
    gpus = list(results.inputs["gpus"]["gpu"])
    hours = rates.pivot(index="workload", columns="gpu", values="gpu_hours").reindex(index=runs.index, columns=gpus)
    notes = rates.pivot(index="workload", columns="gpu", values="note").reindex(index=runs.index, columns=gpus)
    mfu = rates.groupby("workload")["mfu"].agg(["min", "max"]).reindex(runs.index)
    measured = (rates["source"] == "measured").groupby(rates["workload"]).any().reindex(runs.index)
    flops = results.sizing.training.set_index("workload")["flops"].reindex(runs.index)
    rows = [
        dict(
            workload=name,
            precision=runs.at[name, "precision"],
            mfu_low=None if np.isnan(mfu.at[name, "min"]) else float(mfu.at[name, "min"]),
            mfu_high=None if np.isnan(mfu.at[name, "max"]) else float(mfu.at[name, "max"]),
            mfu_source="workbook" if not np.isnan(runs.at[name, "mfu"]) else
            ("default by GPU type" if not np.isnan(mfu.at[name, "min"]) else ""),
            goodput=runs.at[name, "goodput"],
            flops=float(flops[name]),
            hours=[dict(value=float(h), note=str(n)) for h, n in zip(hours.loc[name], notes.loc[name])],
            source="measured" if measured[name] else "estimated",
        )
        for name in runs.index[:TABLE_ROWS]
    ]
    return dict(gpus=gpus, rows=rows, total=len(runs), has_precision=True, has_goodput=True)


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
    fleet = results.fleet.pivot_table(index="gpu", columns="period", values="installed", aggfunc="sum", sort=False)
    fleet = fleet.reindex(index=results.inputs["gpus"]["gpu"], columns=results.periods["period"]).reset_index()
    for name in ("periods", "gpus", "training", "inference", "throughput"):
        frame = results.inputs.get(name)
        if frame is None:
            continue
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
        origin = (origin[frame.columns] if origin is not None and set(frame.columns) <= set(origin.columns)
                  else pd.DataFrame("workbook", index=frame.index, columns=frame.columns))
        # each cell: (value, where it came from)
        rows = [list(zip(values, sources)) for values, sources in
                zip(frame.itertuples(index=False), origin.itertuples(index=False))]
        tables.append(dict(name=name, description=sheet.description, columns=columns, rows=rows,
                           # many columns, few rows: one row per column reads (and prints) better
                           transposed=len(columns) > TRANSPOSE_COLUMNS and 1 < len(rows) <= TRANSPOSE_ROWS))
    return tables


def _context(results: Results) -> dict:
    idle_mw = _idle_mw(results)
    coverage = _inference_view(results)
    periods = _period_view(results, idle_mw)
    inference_sizing = results.sizing.inference_rates.merge(results.sizing.inference, on="workload")
    return dict(
        r=results,
        sections=_sections(),
        script_hash=_script_hash(),
        charts=_charts(results, idle_mw),
        head=_headline(results, coverage),
        period_rows=periods,
        binding_power=[p for p in periods if p["binds"]],
        slack_power=[p for p in periods if not p["binds"]],
        fleet=_fleet_view(results),
        short=_short_view(results, coverage),
        training_sizing=_training_sizing_grid(results),
        allocation=_allocation_grid(results),
        inference_sizing=inference_sizing,
        inference_served=results.inference.pivot_table(
            index="workload", columns="period", values="served_fraction", sort=False
        ).reindex(columns=list(results.periods["period"])),
        table_rows=TABLE_ROWS,
        short_names=SHORT_NAMES,
        measured_pairs=int((inference_sizing["source"] == "measured").sum()),
        assumptions=_assumptions(),
        input_tables=_input_tables(results),
    )


def render_html(results: Results) -> str:
    """The report as one self-contained HTML document."""
    with paused_gc():
        return _ENV.get_template("report.html").render(**_context(results))


def write_data(results: Results, folder: Path) -> None:
    """``summary.json`` and ``results.xlsx`` into ``folder`` (not atomic: see :func:`write_outputs`)."""
    (folder / "summary.json").write_text(
        json.dumps(summary(results), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _write_xlsx(results, folder / "results.xlsx")


def write_outputs(results: Results, out_dir: Path) -> Path:
    """Write the three outputs into ``out_dir`` atomically; return the HTML path."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o755)
    try:
        write_data(results, staging)
        (staging / "index.html").write_text(render_html(results), encoding="utf-8")
        previous = None
        if out_dir.exists():
            previous = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(previous, ignore_errors=True)
            out_dir.rename(previous)
        staging.rename(out_dir)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir / "index.html"
