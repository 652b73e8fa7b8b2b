"""The report's charts, from a plan's results to inline SVG (drawn with :mod:`planner.svg`).

Large plans stay readable: stacked charts name their largest series and sum the rest by kind ("other
services (n)"), :data:`CHART_SERIES` series in all; per-workload charts keep the :data:`CHART_ROWS` least
served. Each chart comes with its figures as a table (:class:`Figures`): what it draws, readable without
seeing it, by keyboard and screen reader as well as by eye.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.results import BINDING, TOLERANCE, Results, settled_share
from planner.svg import (INK, LABEL_PX, MUTED, PRINT_HEIGHT, PRINT_PX, SMALL_PX, WIDTH, Chart, clip, nice_ticks,
                         percent_text, room, thousands, tick_text)

ACCENT, ALERT = "#2f5d9e", "#c0392b"
# Cool hues for training runs, warm hues for inference services, so the kind of a
# workload reads from its colour; a separate set tells GPU types apart. Chosen by
# scripts/chart_palettes.py to stay apart with each colour-vision deficiency too: in CAM02-UCS, any
# two of a palette differ by 8.6 or more with normal vision, 7.1 with deuteranomaly, 8.0 with
# protanomaly and 7.3 with tritanomaly, neighbours by 20.8, 20.6, 21.3 and 20.2 (the inference
# colours are the closest). Held apart under tritanomaly too, 7.5 and 22 are out of reach.
TRAINING_COLOURS = ("#24722a", "#4290fc", "#605a7e", "#669c6c", "#36488a", "#7e84c6", "#48486c",
                    "#4278de", "#30543c", "#0ca290", "#5454ae", "#908aae")
INFERENCE_COLOURS = ("#d24e48", "#900c66", "#b46c0c", "#7e360c", "#ae54a2", "#a20048", "#cc7e36",
                     "#964806", "#c07e90", "#8a4860", "#e46c60", "#966684")
GPU_COLOURS = ("#663c6c", "#f06072", "#186ccc", "#8a3c4e", "#2490ea", "#ba7e24", "#8484b4", "#961e1e",
               "#785496", "#24965a")
IDLE_COLOUR, AT_WORK_COLOUR, OTHER_COLOUR, WINDOW_COLOUR = "#c9d1dd", ACCENT, "#c7ccd6", "#e9eef6"
# the workloads not shown by name, summed by kind: a cool and a warm grey, as the kinds' palettes, 3.6:1 against
# the page, 19 or more apart in CAM02-UCS with normal vision and each deficiency, 9 or more from every series colour
OTHER_COLOURS = {"training": "#76869c", "inference": "#a0806e"}
PALE_EDGE = "#7d8799"  # outlines pale shapes: at least 3:1 against white, so they do not fade into the page
CHART_SERIES = 12  # stacked series shown by name; the rest are summed as "other"
CHART_ROWS = 30  # rows of a per-workload chart; the most telling ones are kept
BAR = 0.72  # bar width, in periods
SHARE = "%"  # the unit of a figure that is a share (a fraction, shown as a percentage)


@dataclass(frozen=True)
class Figures:
    """What a chart draws, as a table: a row per ``rows`` label (periods, workloads), a column per
    series, each with its unit (:data:`SHARE` for a fraction); a value is a number, a word, or None
    where the chart draws nothing. ``printed``: figures the chart does not draw (what a unit more is worth along
    a sweep's line), shown open and printed with it; others are hidden in print, as the chart says them."""

    row_heading: str
    columns: list[tuple[str, str]]  # (heading, unit)
    rows: list[tuple[str, list[float | str | None]]]
    printed: bool = False

    @classmethod
    def of(cls, table: pd.DataFrame, row_heading: str, units: str | list[str],
           more: dict[str, tuple[np.ndarray, str]] | None = None, printed: bool = False) -> Figures:
        """From a frame indexed by row label with a column per series, in ``units`` (one for all, or
        one per column), then the columns of ``more`` (heading: (values, unit)); NaN becomes None.
        Headings may repeat: a series may be called "Installed" too."""
        units = [units] * table.shape[1] if isinstance(units, str) else units
        extra = more or {}
        values = np.column_stack([table.to_numpy(dtype=object), *(v for v, _ in extra.values())]) if extra \
            else table.to_numpy(dtype=object)
        rows = [[None if isinstance(v, float) and np.isnan(v) else v for v in row] for row in values.tolist()]
        columns = [(str(c), u) for c, u in zip(table.columns, units)] + [(h, u) for h, (_, u) in extra.items()]
        return cls(row_heading, columns, [(str(label), row) for label, row in zip(table.index, rows)], printed)


@dataclass(frozen=True)
class Drawn:
    """A chart: its title, its inline SVG and the figures it draws."""

    title: str
    svg: str
    figures: Figures

    @classmethod
    def of(cls, chart: Chart, figures: Figures) -> Drawn:
        return cls(chart.title, chart.render(), figures)

    def shown(self, name: str, caption: str) -> dict:
        """The chart as a page shows it (see :func:`charts`): the figure ``chart-<name>``, under ``caption``."""
        return dict(name=name, title=self.title, svg=self.svg, figures=self.figures, caption=caption)


def _top_columns(table: pd.DataFrame, kinds: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The largest columns of workloads by total, in their order, then the rest summed by kind ("other training
    runs (n)", "other services (n)"), :data:`CHART_SERIES` columns in all: at national scale the split between
    training and serving is what the rest still shows. ``kinds`` maps each column to its workload's kind.
    Returns the columns and the colours of those summed."""
    if table.shape[1] <= CHART_SERIES:
        return table, {}
    columns = table.columns.tolist()  # a list: an Index of text yields its names one call each
    totals = table.sum()
    keep = set(totals.nlargest(CHART_SERIES - 1).index)  # a set: an Index looks a name up slower
    if len({kinds[c] for c in columns if c not in keep}) > 1:  # a sum of each kind: one name fewer
        keep = set(totals.nlargest(CHART_SERIES - 2).index)
    top, colours = table[[c for c in columns if c in keep]].copy(), {}
    for kind, colour in OTHER_COLOURS.items():
        rest = [c for c in columns if c not in keep and kinds[c] == kind]
        if rest:
            name = _other(kind, len(rest))
            top[name], colours[name] = table[rest].sum(axis=1), colour
    return top, colours


def _other(kind: str, count: int) -> str:
    """The name of the series that sums ``count`` workloads of ``kind`` not shown by name."""
    return f"other {'training runs' if kind == 'training' else 'services'} ({count})"


def _workload_colours(results: Results) -> dict[str, str]:
    colours = {}
    for kind, palette in (("training", TRAINING_COLOURS), ("inference", INFERENCE_COLOURS)):
        names = results.workloads.loc[results.workloads["kind"] == kind, "workload"].tolist()
        colours.update({name: palette[i % len(palette)] for i, name in enumerate(names)})
    return colours


def _period_chart(name: str, title: str, periods: list[str], top: float, y_label: str,
                  legend: list[dict], height: float = 330.0) -> Chart:
    """A chart with one slot per period, a value axis from 0 to ``top`` and a legend at the right."""
    chart = Chart(name, title, height)
    chart.add_legend(legend)
    ticks = nice_ticks(top)
    left = max(room(thousands(t), LABEL_PX) for t in ticks) + 34.0
    chart.place_over_periods(left, chart.legend_width(), periods, (0.0, top))
    chart.y_axis(ticks, y_label)
    return chart


def _distinct(columns: pd.Index, colours: dict[str, str]) -> dict[str, str]:
    """``colours`` for the series of one chart, none shared: a series whose colour another took
    already (palettes repeat past a dozen workloads) gets the first of its palette still free."""
    used: set[str] = set()
    out = {}
    for column in columns:
        colour = colours.get(column, OTHER_COLOUR)
        palette = next((p for p in (TRAINING_COLOURS, INFERENCE_COLOURS, GPU_COLOURS) if colour in p), ())
        if colour in used:
            colour = next((c for c in palette if c not in used), colour)
        used.add(colour)
        out[column] = colour
    return out


def _stack(chart: Chart, table: pd.DataFrame, colours: dict[str, str], periods: list[str], unit: str) -> np.ndarray:
    """One bar per period and column of ``table``, stacked in column order; returns the stack's top."""
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for column in table.columns:
        values = table[column].to_numpy(dtype=float)
        tips = [f"{p} · {column}: {thousands(v)} {unit}" for p, v in zip(periods, values)]
        chart.bars(x, values, bottom.copy(), BAR, colours.get(column, OTHER_COLOUR), tips=tips, edge="#fff",
                   edge_width=0.5)
        bottom += values
    return bottom


def _boxes(table: pd.DataFrame, colours: dict[str, str]) -> list[dict]:
    """Legend entries for stacked columns, last (topmost) first."""
    return [{"label": clip(c), "tip": str(c), "kind": "box", "colour": colours.get(c, OTHER_COLOUR)}
            for c in table.columns[::-1]]


def _dashes(chart: Chart, x: np.ndarray, y: np.ndarray, tips: list[str]) -> None:
    """A bold dash across each period's slot at ``y`` (a budget or a total), with its value on hover."""
    chart.segments(x - BAR / 2 - 0.04, y, x + BAR / 2 + 0.04, y, INK, 3.0, tips=tips)


def _stacked_gpus(table: pd.DataFrame, installed: pd.Series, colours: dict[str, str], title: str,
                  name: str) -> Drawn:
    """GPUs in use per period, one stacked colour per column of ``table``; installed as a line."""
    periods = [str(p) for p in table.index]
    installed = installed.to_numpy(dtype=float)
    top = max(float(installed.max()), float(table.sum(axis=1).max()), 1.0) * 1.05
    colours = _distinct(table.columns, colours)
    legend = [{"label": "installed", "kind": "line", "colour": INK}, *_boxes(table, colours)]
    chart = _period_chart(name, title, periods, top, "GPUs", legend)
    _stack(chart, table, colours, periods, "GPUs")
    chart.polyline(np.arange(len(periods)), installed, INK, 1.6, marker_px=3.0,
                   tips=[f"{p}: {thousands(v)} GPUs installed" for p, v in zip(periods, installed)])
    return Drawn.of(chart, Figures.of(table, "Period", "GPUs", {"Installed": (installed, "GPUs")}))


def _power_chart(results: Results) -> Drawn:
    periods_table = results.periods
    periods = [str(p) for p in periods_table["period"]]
    x = np.arange(len(periods))
    used = periods_table["power_mw_used"].to_numpy(dtype=float)
    budget = periods_table["power_mw_budget"].to_numpy(dtype=float)
    # GPUs left unused on top, just under the budget: power that switching them off would free
    unused = np.minimum(periods_table["power_mw_idle_unused"].to_numpy(dtype=float), used)
    at_work = used - unused
    top = max(float(budget.max()), float(used.max()), 1e-9) * 1.15
    legend = [{"label": "GPUs at work", "kind": "box", "colour": AT_WORK_COLOUR},
              {"label": "GPUs left unused (idle draw)", "kind": "box", "colour": IDLE_COLOUR, "edge": PALE_EDGE},
              {"label": "budget", "kind": "dash", "colour": INK}]
    chart = _period_chart("power", "Facility power used against the budget", periods, top,
                          "facility MW (PUE included)", legend, height=310.0)
    chart.bars(x, at_work, 0.0, BAR, AT_WORK_COLOUR,
               tips=[f"{p}: {thousands(v)} MW to GPUs at work" for p, v in zip(periods, at_work)])
    chart.bars(x, unused, at_work, BAR, IDLE_COLOUR, edge=PALE_EDGE, edge_width=0.8,
               tips=[f"{p}: {thousands(v)} MW to GPUs left unused, {thousands(u)} MW in all" for p, v, u in
                     zip(periods, unused, used)])
    _dashes(chart, x, budget, [f"{p}: budget {thousands(b)} MW" for p, b in zip(periods, budget)])
    axes = chart.axes
    slot = (axes.right - axes.left) / len(periods)
    mark = "binds" if room("binds", SMALL_PX, bold=True) < slot * 0.95 else "▼"  # narrow slots: a sign
    prices = periods_table["power_shadow_price"].to_numpy(dtype=float)
    for i in np.flatnonzero(prices > BINDING):
        chart.text(float(axes.x(x[i])), float(axes.y(budget[i])) - 10, mark, size=SMALL_PX, colour=ALERT,
                   anchor="middle", bold=True, data=False,
                   tip=f"{periods[i]}: power binds; worth {prices[i]:.4g} score per MW more")
    figures = pd.DataFrame({"At work": at_work, "Unused, idle": unused, "Used": used, "Budget": budget,
                            "Score per MW more": np.where(prices > BINDING, prices, np.nan)}, index=periods)
    return Drawn.of(chart, Figures.of(figures, "Period", ["MW"] * 4 + ["points, where power binds"]))


def _served_chart(results: Results, colours: dict[str, str]) -> Drawn:
    workloads = results.workloads
    title = "Share of demand served, per workload"
    if len(workloads) > CHART_ROWS:
        workloads = results.least_served().head(CHART_ROWS)
        title = (f"Share of demand served: the {CHART_ROWS} least served of {len(results.workloads)} workloads"
                 + _none_served(results.workloads))
    names = [str(w) for w in workloads["workload"]]
    share = workloads["served_fraction"].to_numpy(dtype=float) * 100
    row = len(names) - 1 - np.arange(len(names))  # first workload on top
    chart = Chart("served", title, 26.0 * len(names) + 70.0)
    axes = chart.place(Chart.label_room(names), 50.0, (0.0, 104.0), (-0.6, len(names) - 0.4))
    ticks = np.array([0, 25, 50, 75, 100])
    chart.x_axis(ticks, [f"{t}%" for t in ticks], grid=True)
    chart.bars(row, share, 0.0, 0.66, [colours[w] for w in workloads["workload"]], horizontal=True,
               tips=[f"{n}: {percent_text(s, 1)} of demand served" for n, s in zip(names, share)])
    chart.segments(100, axes.y_range[0], 100, axes.y_range[1], MUTED, 0.9, dash="3 3")
    chart.row_labels(row, names)
    for r, value in zip(row, share):
        chart.text(float(axes.x(value)) + 4, float(axes.y(r)), percent_text(value, 1), size=SMALL_PX, colour=INK,
                   data=False)
    figures = pd.DataFrame({"Kind": workloads["kind"].to_numpy(), "Served": share / 100}, index=names)
    return Drawn.of(chart, Figures.of(figures, "Workload", ["", SHARE]))


def _none_served(workloads: pd.DataFrame) -> str:
    """For the title of a chart of the least served: when more got nothing than the chart has rows,
    which of them it shows (else every row reads 0% and says nothing of the rest)."""
    none = int((workloads["served_fraction"] < TOLERANCE).sum())
    return f" ({none} got nothing: those of highest priority shown)" if none > CHART_ROWS else ""


def _training_chart(results: Results, colours: dict[str, str]) -> Drawn | None:
    """One row per run: its cumulative FLOPs per period as a share of what it needs (row height = 100%),
    over the window it may run in, with its deadline marked and the share reached by then."""
    runs = results.inputs["training"]
    if runs.empty:
        return None
    title = "Training progress: cumulative FLOPs against what each run needs"
    if len(runs) > CHART_ROWS:
        least = results.least_served()
        least = least.loc[least["kind"] == "training", "workload"].head(CHART_ROWS)
        runs = runs.iloc[pd.Index(runs["workload"]).get_indexer(least)]
        title = (f"Training progress: the {CHART_ROWS} least complete of {len(results.inputs['training'])} runs"
                 + _none_served(results.workloads[results.workloads["kind"] == "training"]))
    periods = [str(p) for p in results.periods["period"]]
    progress = results.training.pivot(index="workload", columns="period", values="flops_cumulative").reindex(
        columns=periods
    ).div(results.sizing.training.set_index("workload")["flops"], axis=0).fillna(0.0)
    names = [str(w) for w in runs["workload"]]
    count, x = len(runs), np.arange(len(periods))
    height = 0.78  # of a row: the 100% mark
    base = count - 1 - np.arange(count)  # first run on top
    windows = results.windows
    window = windows[windows["kind"] == "training"].set_index("workload").loc[runs["workload"]]
    start, deadline = window["first"].to_numpy(), window["last"].to_numpy()
    share = settled_share(np.clip(progress.reindex(runs["workload"]).to_numpy(dtype=float), 0.0, 1.0))
    done = share[np.arange(count), deadline]

    left, right = Chart.label_room(names), room("100%", LABEL_PX, bold=True) + 14.0
    # rows 44 px apart, closer where many runs would make the chart too tall to print at the page's width
    # (a printed chart shrinks to fit a page, its labels with it)
    below = Chart.room_below_periods(periods, WIDTH - left - right)
    chart = Chart("training", title, 64.0)  # and the rows' height, once known
    pitch = min(44.0, (PRINT_HEIGHT - chart.top - below) / count)
    chart.height += pitch * count
    axes = chart.place_over_periods(left, right, periods, (-0.25, count))
    chart.bars(base + height / 2, deadline - start + 1, start - 0.5, height + 0.16, WINDOW_COLOUR, horizontal=True,
               edge=PALE_EDGE, edge_width=0.6)
    in_window = (x >= start[:, None]) & (x <= deadline[:, None])  # nothing counts after the deadline
    run, period = np.nonzero(in_window)
    chart.bars(x[period], share[run, period] * height, base[run], BAR, [colours[names[r]] for r in run],
               tips=[f"{names[r]}, end of {periods[p]}: {percent_text(100 * share[r, p], 0)} of the FLOPs it needs"
                     for r, p in zip(run, period)])
    chart.segments(-0.5, base + height, len(periods) - 0.5, base + height, "#9aa3b2", 0.7)
    chart.segments(deadline + 0.5, base - 0.08, deadline + 0.5, base + height + 0.08, ALERT, 1.4, dash="3 2")
    chart.row_labels(base + height / 2, names)
    for b, reached in zip(base, done):
        chart.text(axes.right + 6, float(axes.y(b + height / 2)), percent_text(100 * reached, 0),
                   colour=INK if reached >= 1 - TOLERANCE else ALERT, bold=True, data=False)
    figures = pd.DataFrame(np.where(in_window, share, np.nan), index=names, columns=periods)
    return Drawn.of(chart, Figures.of(figures, "Training run", SHARE, {"By the deadline": (done, SHARE)}))


def _inference_chart(results: Results, colours: dict[str, str]) -> Drawn | None:
    """Serving capacity per period, stacked by service, under the services' total peak demand."""
    table = results.inference
    if table.empty:
        return None
    periods = [str(p) for p in results.periods["period"]]
    x = np.arange(len(periods))
    services = list(results.inputs["inference"]["workload"])
    cell = (pd.Index(periods).get_indexer(table["period"]), pd.Index(services).get_indexer(table["workload"]))

    def grid(column: str) -> pd.DataFrame:  # periods x services, million tokens/s; 0 where a service does not run
        values = np.zeros((len(periods), len(services)))
        values[cell] = table[column].to_numpy(dtype=float)  # a row per service and period it runs
        # not copied: a period's values stay side by side, as in a pivot table, which sums across them in that order
        return pd.DataFrame(np.where(np.isnan(values), 0.0, values) / 1e6, index=periods, columns=services,
                            copy=False)

    demand = grid("demand_tokens_per_s")
    with np.errstate(divide="ignore", invalid="ignore"):  # a service's demand is 0 in periods it does not run
        served_share = np.nan_to_num(np.minimum(grid("capacity_tokens_per_s") / demand, 1.0))
    capacity, others = _top_columns(demand * settled_share(served_share), dict.fromkeys(services, "inference"))
    colours = _distinct(capacity.columns, colours | others)
    demand_total = demand.sum(axis=1).to_numpy(dtype=float)
    top = max(float(demand_total.max()), 1e-9) * 1.08
    legend = [{"label": "total peak demand", "kind": "dash", "colour": INK},
              {"label": "peak demand not served", "kind": "hatch", "edge": ALERT},
              *_boxes(capacity, colours)]
    chart = _period_chart("inference", "Inference capacity against peak demand, by service", periods, top,
                          "million tokens/s at peak", legend)
    served = _stack(chart, capacity, colours, periods, "million tokens/s")
    unserved = np.where(demand_total - served > TOLERANCE * demand_total, demand_total - served, 0.0)
    chart.bars(x, unserved, served, BAR, "none", edge=ALERT, edge_width=0.9, hatch=True,
               tips=[f"{p}: {thousands(v)} million tokens/s of peak demand not served"
                     for p, v in zip(periods, unserved)])
    _dashes(chart, x, demand_total, [f"{p}: total peak demand {thousands(v)} million tokens/s"
                                     for p, v in zip(periods, demand_total)])
    unit = "million tokens/s"
    return Drawn.of(chart, Figures.of(capacity, "Period", unit, {
        "Peak demand not served": (unserved, unit), "Total peak demand": (demand_total, unit)}))


def _gpus_by_workload(results: Results) -> pd.DataFrame:
    """GPUs in use in each period (rows) by each workload given any (columns, in the workloads' order)."""
    allocation, periods, names = results.allocation, results.periods["period"], results.workloads["workload"]
    given, at = np.unique(pd.Index(names).get_indexer(allocation["workload"]), return_inverse=True)
    # grouped by integer keys in the order the (period, name) pairs first come, as a pivot table groups by the
    # names, so that each pair is summed the same way
    sums = allocation["gpus"].groupby(pd.Index(periods).get_indexer(allocation["period"]) * len(given) + at,
                                      sort=False).sum()
    grid = np.zeros((len(periods), len(given)))
    grid[np.divmod(sums.index.to_numpy(), len(given))] = sums.to_numpy()
    # not copied: a period's values stay side by side, as in a pivot table, which sums across them in that order
    return pd.DataFrame(grid, index=periods, columns=names.to_numpy(dtype=object)[given], copy=False)


def charts(results: Results) -> list[dict]:
    """Every chart as ``{"name", "title", "svg", "figures", "caption"}``; a chart with nothing to draw is left out.
    The page shows it as the figure ``chart-<name>``."""
    colours = _workload_colours(results)
    gpu_names = list(results.inputs["gpus"]["gpu"])
    gpu_colours = {g: GPU_COLOURS[i % len(GPU_COLOURS)] for i, g in enumerate(gpu_names)}
    installed = results.periods.set_index("period")["gpus_installed"]
    by_workload, others = _top_columns(_gpus_by_workload(results),
                                       dict(zip(results.workloads["workload"], results.workloads["kind"])))
    # the fleet's GPUs in use, GPU types by periods as the fleet sheet holds them: those of the types given any
    in_use = results.fleet["gpus_in_use"].to_numpy().reshape(len(gpu_names), -1)
    given = in_use.any(axis=1)
    by_gpu = pd.DataFrame(in_use[given].T, index=results.periods["period"],
                          columns=np.asarray(gpu_names, dtype=object)[given])
    drawn = [
        ("gpus-by-workload",
         _stacked_gpus(by_workload, installed, colours | others, "GPUs in use per period, by workload",
                       "gpus-by-workload"),
         "GPUs in use in each period, stacked by workload; the line is the GPUs installed."),
        ("gpus-by-type",
         _stacked_gpus(by_gpu, installed, gpu_colours, "GPUs in use per period, by GPU type", "gpus-by-type"),
         "The same GPUs, stacked by GPU type; the line is the GPUs installed."),
        ("power", _power_chart(results),
         "Facility power drawn (PUE included) by the GPUs at work and, above it, the idle draw of the GPUs left "
         "unused: power that switching them off would free. The dash is the budget; 'binds' (▼ where periods are "
         "narrow) marks periods where power binds: a MW more is priced above zero (see Shadow prices)."),
        ("served", _served_chart(results, colours),
         "Share of each workload's demand served over its window: a run's, of its FLOPs by its deadline; a "
         "service's, of its peak demand, the hours-weighted mean over its periods of the share of its peak tokens/s "
         "covered (capacity for less than the peak may still serve every token off-peak). Cool colours are training "
         "runs, warm colours inference services, in every chart."),
        ("training", _training_chart(results, colours),
         "One row per training run; each bar is the run's cumulative FLOPs at the end of a period, the row's full "
         "height (grey line) being the FLOPs it needs. The shaded band is the window it may use GPUs in, the red "
         "dashed line the end of its deadline period; on the right, the share done by then."),
        ("inference", _inference_chart(results, colours),
         "Serving capacity given in each period, stacked by service, against the services' total peak demand "
         "(dash); hatched red is peak demand left unserved."),
    ]
    return [chart.shown(name, caption) for name, chart, caption in drawn if chart is not None]


APART = 1e-3  # figures closer than this share of the largest are one: no chart of demand served against them


@dataclass(frozen=True)
class Against:
    """A figure a sweep charts the demand served against: the chart's ``name`` (its figure ``chart-<name>``) and
    ``title``, the x axis's ``axis`` label, a value's ``tip`` (a format), the figures' ``heading`` and ``unit``, and
    what the figure is, for the caption (``what``, ``alone``)."""

    name: str
    title: str
    axis: str
    tip: str
    heading: str
    unit: str
    what: str
    alone: str
    each: str  # the figure's unit, one of it ("MW"): a line's worth is given per each


BUDGET = Against("served-by-budget", "Demand served against the power budget",
                 "power budget: the mean over the horizon's hours (facility MW)", "{:,.2f} MW", "Power budget",
                 "MW, mean", "its power budget, the mean over its periods weighted by their hours", "their budgets",
                 "MW")
FLEET = Against("served-by-fleet", "Demand served against the GPUs installed",
                "GPUs installed, of every type: the mean over the horizon's hours", "{:,.0f} GPUs", "GPUs installed",
                "GPUs, mean", "the GPUs installed, of every type, the mean over its periods weighted by their hours",
                "their fleets", "GPU")


def served_against(against: Against, names: list[str], figure: list[float], share: list[float],
                   baseline: int | None, lines_of: tuple[list[float], list[int | None]] | None = None) -> dict | None:
    """A sweep's chart of its solved scenarios (``names``): each one's demand served (``share``, the priority-weighted
    fraction) against ``figure`` (see :class:`Against`), the ``baseline``'s point a ring; with ``lines_of`` (each
    scenario's score, and its family, of :func:`planner.sweep.budget_families`; None: of none), a line through each
    family's points, and in the figures what a unit more is worth along it (points of score per unit, from the point
    before, named); as :func:`charts` gives a chart. None where the figures do not differ: the chart would be one
    column of points."""
    x, served = np.asarray(figure, dtype=float), np.asarray(share, dtype=float) * 100
    if len(x) < 2 or np.ptp(x) <= APART * float(x.max()):
        return None
    # room around the points for their names, past 0% and 100% too; the ticks stay within them
    x_pad, y_pad = np.ptp(x) * 0.08, max(np.ptp(served) * 0.12, 0.5)
    x_range = (max(float(x.min() - x_pad), 0.0), float(x.max() + x_pad))
    y_range = (float(served.min() - y_pad), float(served.max() + y_pad))
    x_ticks = nice_ticks(x_range[1], bottom=x_range[0])
    y_ticks = nice_ticks(min(y_range[1], 100.0), bottom=max(y_range[0], 0.0))
    chart = Chart(against.name, against.title, 400.0)
    left = max(room(tick_text(t, y_ticks) + "%", LABEL_PX) for t in y_ticks) + 34.0
    axes = chart.place(left, 24.0, x_range, y_range, bottom=52.0)
    chart.y_axis(y_ticks, "demand served (priority-weighted)", format=lambda t: tick_text(t, y_ticks) + "%")
    chart.x_axis(x_ticks, [tick_text(t, x_ticks) for t in x_ticks], grid=True)
    chart.text((axes.left + axes.right) / 2, axes.bottom + 38, against.axis, anchor="middle", data=False)
    tips = [f"{n}: {against.tip.format(v)}, {percent_text(s, 1)} of demand served" for n, v, s in zip(names, x, served)]
    worth, before = np.full(len(x), np.nan), [""] * len(x)
    lines = _lines(x, lines_of[1], baseline) if lines_of is not None else []
    for line in lines:
        chart.polyline(x[line], served[line], PALE_EDGE, 1.2)
        worth[line[1:]] = np.diff(np.asarray(lines_of[0], dtype=float)[line]) / np.diff(x[line])
        for i, j in zip(line[1:], line):
            before[i] = names[j]
    others = [i for i in range(len(names)) if i != baseline]
    chart.dots(x[others], served[others], ACCENT, 4.0, [tips[i] for i in others])
    if baseline is not None:
        chart.dots(x[[baseline]], served[[baseline]], ACCENT, 5.5, [tips[baseline]], ring=True)
    _name_points(chart, [clip(n) + (" (baseline)" if i == baseline else "") for i, n in enumerate(names)], names,
                 x, served, ([] if baseline is None else [baseline]) + sorted(others, key=lambda i: x[i]))
    order = np.argsort(x, kind="stable")
    figures = pd.DataFrame({against.heading: x[order], "Demand served": served[order] / 100},
                           index=[names[i] + (" (baseline)" if i == baseline else "") for i in order])
    worth_unit = f"points per {against.each} of the mean {against.heading.lower()}, from the point before"
    along = {f"A {against.each} more is worth": (worth[order], worth_unit),
             "From": (np.array([before[i] for i in order], dtype=object), "")} if lines else {}  # words: no unit
    caption = (f"Each point a solved scenario: {against.what}, and the share of its demand it serves, each workload's "
               f"share weighted by its priority; the ring is the baseline. "
               + (f"A line joins the scenarios that differ in {against.alone} alone, and by a factor (every period's "
                  f"scaled alike): its slope is what a {against.each} more is worth as they grow, which the figures "
                  "give in points of score, from the point before on the line. Where scenarios differ in more, the "
                  "points differ for that too. " if lines else "")
               + "Names that would overlap are left out: hover a point, or see the figures.")
    return Drawn.of(chart, Figures.of(figures, "Scenario", [against.unit, SHARE], along, printed=bool(lines))
                    ).shown(against.name, caption)


def _lines(x: np.ndarray, family: list[int | None], baseline: int | None) -> list[np.ndarray]:
    """The points of each ``family`` at two figures or more, in the order of their figures ``x``; of points at one
    figure (to float noise: the same scenario), the ``baseline`` if it is one of them, else the first."""
    members: dict[int, list[int]] = {}
    for i, n in enumerate(family):
        if n is not None:
            members.setdefault(n, []).append(i)
    lines = []
    for points in members.values():
        points.sort(key=lambda i: (x[i], i != baseline))
        kept = points[:1]
        for i in points[1:]:
            if np.isclose(x[i], x[kept[-1]], rtol=1e-9, atol=0):
                if i == baseline:  # just above the point kept, by float noise: the baseline in its place
                    kept[-1] = i
            else:
                kept.append(i)
        if len(kept) > 1:
            lines.append(np.asarray(kept))
    return lines


def _name_points(chart: Chart, labels: list[str], names: list[str], x: np.ndarray, y: np.ndarray,
                 order: list[int]) -> None:
    """Each point's label beside it, right of it or else left, in ``order``, where it overlaps no point and no label
    already placed and stays inside the plotting box; one that fits nowhere is left to the point's hover text. A
    label's own hover text is the point's whole name."""
    axes = chart.axes
    # as wide and tall as in print, where labels are larger
    height, gap, dot = max(SMALL_PX, PRINT_PX) * 1.3, 10.0, 6.0  # gap: from a point's centre, past the ring
    centres = list(zip(axes.x(x).tolist(), axes.y(y).tolist()))
    placed = [(cx - dot, cy - dot, cx + dot, cy + dot) for cx, cy in centres]
    for i in order:
        text, (px, py) = labels[i], centres[i]
        width = room(text, SMALL_PX)
        for start, anchor in ((px + gap, "start"), (px - gap - width, "end")):
            box = (start, py - height / 2, start + width, py + height / 2)
            inside = axes.left <= box[0] and box[2] <= axes.right and axes.top <= box[1] and box[3] <= axes.bottom
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                placed.append(box)
                chart.text(px + gap if anchor == "start" else px - gap, py, text, size=SMALL_PX, colour=INK,
                           anchor=anchor, data=False, tip=names[i], halo=True)
                break
