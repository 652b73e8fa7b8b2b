"""A sweep's summary: ``sweep.json`` and ``sweep.html``, one row per scenario of a ``planner solve``
call given several inputs, beside the scenarios' own report folders.

Rows are plain values (they are built in worker processes with ``--jobs``); a scenario that
failed keeps its row, with its error, so the summary accounts for every input.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import urllib.parse
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from planner.charts import BUDGET, FLEET, served_against
from planner.files import replace_together
from planner.report import TABLE_ROWS, ReportFolderError, json_records, known, script_hash
from planner.results import TOLERANCE, Results, in_full
from planner.spelling import periods_in_runs
from planner.templating import TEMPLATES


@dataclass
class SweepRow:
    """One scenario's line in a sweep's summary; a scenario without a plan has only ``input``,
    ``status`` and ``error`` (whole: every line of it), and ``baseline`` False. Units: score points (``objective``,
    power steps), score per MW (prices), MW, MWh. ``power_shadow_price_max_holds_mw``: the MW more the highest price
    holds for at least (None where power binds nowhere or the reach is unknown). ``prices_from_relaxation``: an
    ``--integer`` plan, whose binding limits and prices are those of its plan with fractional replicas.
    ``power_step_up_all_periods_points`` / ``power_step_down_all_periods_points``: with ``--power-step``, the score
    gained with ``power_step_mw`` MW more in every period at once, and lost with that many fewer (None where not
    worked out); summary.json's ``power_step_*_points`` are a period's alone. ``power_step_down_blocked_in``: the
    periods with less than ``power_step_mw`` MW of budget above the fleet's idle draw, where no plan keeps to that
    many fewer. ``periods``: per period, its ``power_mw_budget``, ``power_mw_used``, ``power_mw_idle_unused``,
    ``power_shadow_price`` and ``power_price_holds_mw``."""

    input: str
    status: str
    scenario: str | None = None
    objective: float | None = None
    objective_possible: float | None = None
    score_share: float | None = None
    workloads: int | None = None
    fully_served: int | None = None
    power_binding_periods: int | None = None
    power_shadow_price_max: float | None = None
    power_shadow_price_max_period: str | None = None
    power_shadow_price_max_holds_mw: float | None = None
    prices_from_relaxation: bool | None = None
    energy_mwh: float | None = None
    power_mw_budget_mean: float | None = None  # over the horizon, each period's budget weighted by its hours
    gpus_installed_mean: float | None = None  # of every type, over the horizon, each period's weighted by its hours
    # a digest of the scenario as read, its name aside, but for its power budgets: rows that share it differ in their
    # budgets alone (the sweep's chart joins those whose budgets differ by a factor with a line)
    alike_but_budget: str | None = None
    power_step_mw: float | None = None
    power_step_up_all_periods_points: float | None = None
    power_step_down_all_periods_points: float | None = None
    power_step_down_blocked_in: list[str] | None = None
    solve_seconds: float | None = None
    warm_started_from: str | None = None  # with --warm-start: the input whose plan's optimal basis the solve began at
    gap: float | None = None
    report: str | None = None  # the scenario's main report file (see write_outputs), relative to the sweep's folder;
    # None where it has none: no plan, or --outputs none
    baseline: bool = False  # the scenario what changed is told against (see write_sweep)
    input_sha256: str | None = None  # the input as read (planner.files.digest): --resume keeps a row of it unchanged
    solve_options: dict | None = None  # what of the options the plan depends on (cli.SolveOptions.recorded)
    report_sha256: str | None = None  # the report's files as written (planner.files.digest), by which --resume knows it
    error: str | None = None
    served: dict[str, float] | None = None  # per workload, its served share (``served_fraction``), in sheet order
    periods: list[dict] | None = None


# the idle draw of GPUs left unused too: a GPU delivered late can score higher where it would draw it where power binds
PERIOD_POWER_COLUMNS = ["period", "power_mw_budget", "power_mw_used", "power_mw_idle_unused", "power_shadow_price",
                        "power_price_holds_mw"]


def solved_row(source: Path, results: Results, report: Path | None, input_sha256: str | None = None,
               solve_options: dict | None = None) -> dict:
    """A solved scenario's key figures: score, what is cut, where power binds and what a MW is worth; ``report``: its
    main report file, None where none was written; and what a resumed sweep keeps it by (see :class:`SweepRow`)."""
    binding = results.binding_power()
    top = binding.iloc[0] if len(binding) else None
    share = results.score_share()
    up, down = results.horizon_power_steps()
    return asdict(SweepRow(
        input=str(source),
        status=results.status,
        scenario=results.scenario,
        objective=results.objective,
        objective_possible=results.score_possible(),
        score_share=known(share),
        workloads=len(results.workloads),
        fully_served=results.fully_served(),
        power_binding_periods=len(binding) if results.priced() else None,
        power_shadow_price_max=(None if not results.priced() else 0.0 if top is None
                                else float(top["power_shadow_price"])),
        power_shadow_price_max_period=None if top is None else str(top["period"]),
        power_shadow_price_max_holds_mw=None if top is None else known(top["power_price_holds_mw"]),
        prices_from_relaxation=results.prices_from_relaxation(),
        energy_mwh=float(results.periods["energy_mwh"].sum()),
        power_mw_budget_mean=float(np.average(results.periods["power_mw_budget"], weights=results.periods["hours"])),
        gpus_installed_mean=float(np.average(results.periods["gpus_installed"], weights=results.periods["hours"])),
        alike_but_budget=_alike_but_budget(results),
        power_step_mw=results.power_step_mw,
        power_step_up_all_periods_points=known(up),
        power_step_down_all_periods_points=known(down),
        power_step_down_blocked_in=None if results.power_step_mw is None else
        results.periods["period"][results.no_plan_with_less_power() != ""].tolist(),
        solve_seconds=results.solve_seconds,
        warm_started_from=results.warm_started_from,
        gap=known(results.gap),
        report=None if report is None else str(report),
        input_sha256=input_sha256,
        solve_options=solve_options,
        served=dict(zip(results.workloads["workload"].tolist(), results.workloads["served_fraction"].tolist())),
        periods=json_records(results.periods, PERIOD_POWER_COLUMNS),
    ))


def _alike_but_budget(results: Results) -> str:
    """A digest of the scenario of ``results`` as read, its name aside, but for its power budgets."""
    tables = {**results.inputs, "periods": results.inputs["periods"].drop(columns="power_mw"),
              "fleet": results.fleet[["gpu", "period", "installed"]], "site": pd.DataFrame({"pue": [results.pue]})}
    digest = hashlib.sha256()
    for name, table in tables.items():
        digest.update(json.dumps([name, [str(column) for column in table.columns]]).encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()


SAME_SHAPE = 1e-9  # budgets this close, each relative to itself, are scaled alike (planner vary writes 12 digits)


def budget_families(solved: list[dict]) -> list[int | None]:
    """For each of the ``solved`` rows, its budget family (None: of none): the rows of one family differ in their
    budgets alone, and by a factor (every period's budget scaled alike, as ``planner vary --power`` writes them), so
    that the sweep's chart can draw a line through each family at two budgets or more, whose slope is what a MW more
    is worth as the budget grows. Budgets cut in one period alone are each of a family of their own: on the chart's
    mean budget such cuts are not told apart from others."""
    shapes: dict[str, list[tuple[np.ndarray, int]]] = {}  # by digest: each family's budgets over their mean
    found, count = [], 0
    for row in solved:
        budgets = np.array([period["power_mw_budget"] for period in row["periods"]], dtype=float)
        family = None
        if row["alike_but_budget"] is not None and budgets.size and budgets.mean() > 0:
            shape, alike = budgets / budgets.mean(), shapes.setdefault(row["alike_but_budget"], [])
            family = next((f for seen, f in alike if seen.shape == shape.shape
                           and np.allclose(seen, shape, rtol=SAME_SHAPE, atol=0)), None)
            if family is None:
                family, count = count, count + 1
                alike.append((shape, family))
        found.append(family)
    return found


def failed_row(source: Path, status: str, error: str) -> dict:
    """A scenario that produced no plan: its input, why (``status``) and the error, every line of it."""
    return asdict(SweepRow(input=str(source), status=status, error=error))


SWEEP_FILES = ("sweep.json", "sweep.html")
# what every solved row has: the page reads them
SOLVED_FIELDS = ("scenario", "objective", "objective_possible", "workloads", "fully_served", "energy_mwh",
                 "power_mw_budget_mean", "gpus_installed_mean", "served", "periods")
_KINDS = {"str": str, "float": (int, float), "int": int, "bool": bool, "dict": dict, "list": list}


ROW_FIELDS = frozenset(f.name for f in fields(SweepRow))


def readable(row: object) -> bool:
    """Whether ``row``, read back from a sweep.json, is a row as :class:`SweepRow` has it, every field of its kind
    (its periods' too), so that a summary made anew with it (``--resume``) cannot fail on a hand-edited one."""
    if not isinstance(row, dict) or set(row) != ROW_FIELDS:
        return False
    periods = row["periods"] or []
    solved = row["error"] is None
    return (all(_fits(row[f.name], f.type) for f in fields(SweepRow))
            and not (solved and any(row[name] is None for name in SOLVED_FIELDS))
            and all(_fits(key, "str") and _fits(value, "float") for key, value in (row["served"] or {}).items())
            and all(_fits(name, "str") for name in row["power_step_down_blocked_in"] or [])
            and all(isinstance(period, dict) and set(period) == set(PERIOD_POWER_COLUMNS)
                    and _fits(period["period"], "str")
                    and all(_fits(period[column], "float | None") for column in PERIOD_POWER_COLUMNS[1:])
                    for period in periods))


def _fits(value: object, annotation: str) -> bool:
    """Whether a JSON ``value`` is of a kind the field ``annotation`` ('float | None', 'list[str]') allows: a number
    that is finite, not a bool, for 'float' and 'int'."""
    kinds = [part.strip().partition("[")[0] for part in annotation.split("|")]
    if value is None:
        return "None" in kinds
    if isinstance(value, bool):
        return "bool" in kinds
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return any(isinstance(value, _KINDS[kind]) for kind in kinds if kind in _KINDS)

# a link to a file by its name's bytes: a name that is not UTF-8 (a Latin-1 'é' from an old archive) too
TEMPLATES.filters["path_url"] = lambda path: urllib.parse.quote(os.fsencode(path))


def changed_workloads(solved: list[dict], baseline: int = 0) -> dict:
    """What changed between a sweep's ``solved`` scenarios (their rows), workload by workload: ``rows`` for the
    workloads served differently somewhere, most differently first, :data:`TABLE_ROWS` at most: (workload, cells), a
    cell per scenario (its served share, None where the scenario does not have the workload; and "less", "more" or
    "" against the share in ``solved[baseline]``), ``ranges`` for the same workloads: (workload, its range over the
    scenarios, see :func:`_ranges`), for a sweep of more scenarios than a grid shows, and how many workloads are
    ``changed`` and ``same`` (served alike in every scenario)."""
    if not solved:
        return dict(changed=0, same=0, rows=[], ranges=[])
    grid = pd.DataFrame([row["served"] for row in solved], dtype=float).T  # workloads x scenarios, first-seen order
    # a workload some scenario lacks counts as served none there: a new service served in full ranks high, one served
    # a little low, rather than every such workload ahead of every change
    served = grid.fillna(0.0)
    spread = served.max(axis=1) - served.min(axis=1)
    differs = spread[(spread > TOLERANCE) | grid.isna().any(axis=1)].sort_values(ascending=False, kind="stable")
    shown = grid.loc[differs.index[:TABLE_ROWS]]
    base = shown.iloc[:, baseline:baseline + 1].to_numpy()
    against = np.where(shown < base - TOLERANCE, "less", np.where(shown > base + TOLERANCE, "more", ""))
    cells = [[(None if np.isnan(v) else v, mark) for v, mark in zip(values, marks)]
             for values, marks in zip(shown.to_numpy().tolist(), against.tolist())]
    return dict(changed=len(differs), same=len(grid) - len(differs), rows=list(zip(shown.index.tolist(), cells)),
                ranges=list(zip(shown.index.tolist(), _ranges(shown.to_numpy(), baseline, against))))


def _ranges(shares: np.ndarray, baseline: int, against: np.ndarray) -> list[dict]:
    """Per row of ``shares`` (workloads x scenarios, NaN where a scenario lacks the workload): its share in the
    ``baseline`` scenario (None where it lacks it), the ``least`` and ``most`` it is served and where (``least_in``,
    ``most_in``: the baseline where it is served so within the solver's noise, else the first scenario that is), in
    how many scenarios it is served ``less`` and ``more`` than in the baseline (None where the baseline lacks it;
    ``against`` marks each), and in how many it is ``missing``."""
    missing = np.isnan(shares)
    least, most = np.nanmin(shares, axis=1), np.nanmax(shares, axis=1)

    def where(at_extreme: np.ndarray) -> list[int]:
        return np.where(at_extreme[:, baseline], baseline, at_extreme.argmax(axis=1)).tolist()

    least_in = where(~missing & (shares <= least[:, None] + TOLERANCE))
    most_in = where(~missing & (shares >= most[:, None] - TOLERANCE))
    in_base = (~missing[:, baseline]).tolist()
    base, less, more = (shares[:, baseline].tolist(), (against == "less").sum(axis=1).tolist(),
                        (against == "more").sum(axis=1).tolist())
    return [dict(base=base[i] if in_base[i] else None, least=lo, least_in=lo_in, most=hi, most_in=hi_in,
                 missing=gone, less=less[i] if in_base[i] else None, more=more[i] if in_base[i] else None)
            for i, (lo, lo_in, hi, hi_in, gone) in enumerate(zip(least.tolist(), least_in, most.tolist(), most_in,
                                                                  missing.sum(axis=1).tolist()))]


def input_names(rows: list[dict]) -> list[str]:
    """The rows' inputs by file name (a folder given as '.' by its own name), or each as given where two share a
    name (a/s.xlsx, b/s.xlsx)."""
    names = [_file_name(Path(row["input"])) for row in rows]
    return names if len(set(names)) == len(names) else [row["input"] for row in rows]


def _file_name(path: Path) -> str:
    return path.name if path.name not in ("", "..") else (path.resolve().name or str(path))


def power_by_period(solved: list[dict]) -> list[tuple[str, list[dict | None]]]:
    """What a MW is worth in each period of each of the ``solved`` scenarios (their rows): a (period, cells) per
    period in the order first met, a cell per scenario, None where it lacks the period: its ``price`` (points per
    MW more; None where the plan has no prices) and ``holds_mw`` (SweepRow.periods' power_shadow_price and
    power_price_holds_mw), and, where power does not bind, its ``spare_mw``, or whether it has ``no_budget`` or
    uses it in ``full`` (:func:`planner.results.in_full`)."""
    def cell(period: dict) -> dict:
        budget, used = period["power_mw_budget"], period["power_mw_used"]
        return dict(price=period["power_shadow_price"], holds_mw=period["power_price_holds_mw"],
                    spare_mw=budget - used, no_budget=budget == 0, full=bool(in_full(used, budget)))

    by_name = [{p["period"]: cell(p) for p in row["periods"]} for row in solved]
    periods = list(dict.fromkeys(name for row in by_name for name in row))
    return [(p, [row.get(p) for row in by_name]) for p in periods]


SCENARIO_COLUMNS = 8  # scenarios side by side that a laptop's screen shows whole


def lay_out(rows: list[tuple[str, list]], scenarios: list[str]) -> dict:
    """A grid of ``rows`` (a name, and a cell per scenario) as the page lays it out: scenarios across, or down where
    there are more than a screen shows side by side and than ``rows``, so that a sweep of a hundred scenarios over
    eight periods reads down, not across a hundred columns. ``columns``: the names across; ``rows``: (name, cells);
    ``by_scenario``: whether the scenarios are the rows."""
    if rows and len(scenarios) > max(SCENARIO_COLUMNS, len(rows)):
        return dict(by_scenario=True, columns=[name for name, _ in rows],
                    rows=list(zip(scenarios, map(list, zip(*(cells for _, cells in rows))))))
    return dict(by_scenario=False, columns=scenarios, rows=rows)


def blocked_periods(row: dict) -> str:
    """A solved row's ``power_step_down_blocked_in`` for a sentence, three or more periods in a row as a span."""
    blocked = set(row["power_step_down_blocked_in"])
    names = [p["period"] for p in row["periods"]]
    return periods_in_runs(names, [name in blocked for name in names])


def budget_peak(row: dict) -> float | None:
    """A solved row's highest period budget (MW), None where every period has the same (its mean says it)."""
    budgets = [period["power_mw_budget"] for period in row["periods"]]
    return max(budgets) if len(set(budgets)) > 1 else None


TEMPLATES.globals.update(blocked_periods=blocked_periods, budget_peak=budget_peak)


def _score_gains(rows: list[dict], compared: int) -> list[float | None]:
    """Each row's score less that of ``rows[compared]`` (None where it has no plan), 0 within the solver's noise
    (:data:`planner.results.TOLERANCE` of the baseline's score, or of 1)."""
    base = rows[compared]["objective"]
    gains = [None if row["error"] is not None else row["objective"] - base for row in rows]
    return [gain if gain is None or abs(gain) > TOLERANCE * max(1.0, abs(base)) else 0.0 for gain in gains]


def _compared(rows: list[dict], baseline: int | None) -> int | None:
    """The row a sweep tells what changed against: ``baseline`` where it has a plan, else the first that has one."""
    solved_at = [i for i, row in enumerate(rows) if row["error"] is None]
    return baseline if baseline in solved_at else next(iter(solved_at), None)


SCORES_SHOWN = 30  # of a sweep's scores on the terminal; sweep.html has them all


def score_lines(rows: list[dict], baseline: int | None = None) -> list[str]:
    """A sweep's scores for the terminal, each against the row :func:`_compared` picks (the baseline, as sweep.html
    calls it too: the first solved where ``baseline`` has no plan, which the caller says first), a line a solved
    scenario in the inputs' order (the first :data:`SCORES_SHOWN`): the sweep at a glance, at the end of what each
    printed."""
    compared = _compared(rows, baseline)
    if sum(row["error"] is None for row in rows) < 2:
        return []
    names, gains = input_names(rows), _score_gains(rows, compared)
    lines = [f"    {row['objective']:>12.4f}  {'baseline' if i == compared else f'{gains[i]:+.4f}':>10}  {names[i]}"
             for i, row in enumerate(rows) if row["error"] is None]
    more = [f"    ... and {len(lines) - SCORES_SHOWN} more (see the sweep summary)"] * (len(lines) > SCORES_SHOWN)
    return [f"  scores, and against the baseline ({names[compared]}):", *lines[:SCORES_SHOWN], *more]


def write_sweep(rows: list[dict], folder: Path, baseline: int | None = None) -> Path:
    """``sweep.json`` and ``sweep.html`` into ``folder``, both written whole or neither; returns
    the HTML path. Report links are relative to ``folder``, so the folder can be moved. Raises
    :class:`ReportFolderError` if writing fails (a full disk, say).

    What changed is told against ``rows[baseline]`` (``--baseline``), or the first solved row where none is given
    or that one has no plan; that row is marked ``baseline`` in both files.

    A file name that is not UTF-8 is held, as Python reads it, with a lone surrogate for each byte
    that is not; written as its escape (``\\udce9``), which JSON reads back to the same name."""
    solved_at = [i for i, row in enumerate(rows) if row["error"] is None]
    compared = _compared(rows, baseline)
    rows = [{**row, "report": row["report"] and Path(os.path.relpath(row["report"], folder)).as_posix(),
             "baseline": i == compared} for i, row in enumerate(rows)]
    document = json.dumps(rows, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    names = input_names(rows)
    solved, solved_names = [rows[i] for i in solved_at], [names[i] for i in solved_at]
    changed = changed_workloads(solved, solved_at.index(compared) if solved else 0)
    plotted = [i for i, row in enumerate(solved) if row["score_share"] is not None]  # a scenario without demand: none
    ring = next((k for k, i in enumerate(plotted) if solved_at[i] == compared), None)  # the baseline, if plotted
    plotted_names, shares = [solved_names[i] for i in plotted], [solved[i]["score_share"] for i in plotted]
    family = budget_families(solved)
    drawn = [served_against(BUDGET, plotted_names, [solved[i]["power_mw_budget_mean"] for i in plotted], shares, ring,
                            ([solved[i]["objective"] for i in plotted], [family[i] for i in plotted])),
             served_against(FLEET, plotted_names, [solved[i]["gpus_installed_mean"] for i in plotted], shares, ring)]
    # a grid of scenarios by workloads where one side fits a screen; else each workload's range over the scenarios
    grid = changed["rows"] if min(len(solved), len(changed["rows"])) <= SCENARIO_COLUMNS else None
    html = TEMPLATES.get_template("sweep.html").render(
        rows=rows, names=names, solved_names=solved_names, sections=[], script_hash=script_hash(),
        charts=[chart for chart in drawn if chart],
        changed={**changed, "grid": grid and lay_out(grid, solved_names)},
        power=lay_out(power_by_period(solved), solved_names) if solved else None,
        baseline_name=None if compared is None else names[compared],
        gains=_score_gains(rows, compared) if len(solved) > 1 else None,
        baseline_failed=None if baseline is None or baseline == compared else names[baseline])
    try:  # replace_together makes the folder
        replace_together({folder / name: lambda path, text=text: path.write_text(text, encoding="utf-8",
                                                                                  errors="backslashreplace")
                          for name, text in zip(SWEEP_FILES, (document, html))})
    except OSError as error:
        raise ReportFolderError(f"{folder}: cannot write the sweep's summary ({error.strerror or error})") from None
    return folder / SWEEP_FILES[1]

