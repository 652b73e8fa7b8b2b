"""Shared helpers: build small scenario tables, write them as a workbook, run the pipeline.

``scenario_tables(...)`` returns a dict of sheet name -> DataFrame (``site`` as a
key/value dict) for a tiny valid scenario that tests tweak; ``write_scenario``
writes such a dict with :func:`planner.workbook.write_workbook` (``.xlsx`` path
or a folder of CSVs); ``run_pipeline`` runs read -> size -> build -> solve ->
collect in-process, as ``planner.cli.run`` does, without writing a report.

Sheets are built with the columns the schema (planner/schema.py) defines, in its
order; a cell a test does not set is left blank, so it takes the schema default.
Two optional columns that would otherwise scale the hand calculations are set
explicitly when the schema has them: a training run's ``goodput`` and every
workload's ``power_factor`` default to 1.0 here (tests that want the schema
defaults pass ``None``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

from planner.model import PlanModel, build_model  # noqa: E402
from planner.results import Results, collect  # noqa: E402
from planner.schema import SHEETS_BY_NAME  # noqa: E402
from planner.sizing import Sizing, size  # noqa: E402
from planner.solve import Solution, solve  # noqa: E402
from planner.workbook import MAX_ERRORS_SHOWN, InputError, Scenario, read_scenario, write_workbook  # noqa: E402

S_PER_H = 3600.0  # seconds per hour, for hand calculations


def schema_columns(sheet: str) -> list[str]:
    return [c.name for c in SHEETS_BY_NAME[sheet].columns]


def has_column(sheet: str, column: str) -> bool:
    return column in schema_columns(sheet)


def _only_known(sheet: str, row: dict, explicit: dict) -> dict:
    """Add ``explicit`` optional values the schema knows; drop those it does not."""
    for key, value in explicit.items():
        if has_column(sheet, key):
            row[key] = value
    return row


def gpu_row(name: str = "G1", bf16_tflops: float = 1000.0, hbm_gb: float = 80.0, hbm_tbps: float = 3.0,
            it_w: float = 1400.0, idle_w: float | None = 200.0, **extra) -> dict:
    return dict(gpu=name, bf16_tflops=bf16_tflops, hbm_gb=hbm_gb, hbm_tbps=hbm_tbps, it_w=it_w, idle_w=idle_w,
                **extra)


def training_row(name: str | None = "T1", params_b: float = 100.0, tokens_b: float = 10_000.0,
                 mfu: float | str | None = 0.5, start: str | None = "P1", deadline: str | None = "P1",
                 priority: float | None = 1.0, active_params_b: float | None = None,
                 goodput: float | None = 1.0, power_factor: float | None = 1.0, **extra) -> dict:
    row = dict(workload=name, params_b=params_b, active_params_b=active_params_b, tokens_b=tokens_b, mfu=mfu,
               start_period=start, deadline_period=deadline, priority=priority, **extra)
    return _only_known("training", row, {"goodput": goodput, "power_factor": power_factor})


def inference_row(name: str | None = "S1", params_b: float = 8.0, tokens_per_day_b: float = 86.4,
                  peak_factor: float | None = 1.0, priority: float | None = 1.0, start: str | None = None,
                  active_params_b: float | None = None, power_factor: float | None = 1.0, **extra) -> dict:
    row = dict(workload=name, params_b=params_b, active_params_b=active_params_b,
               tokens_per_day_b=tokens_per_day_b, peak_factor=peak_factor, priority=priority,
               start_period=start, **extra)
    return _only_known("inference", row, {"power_factor": power_factor})


def sheet_frame(sheet: str, rows: list[dict]) -> pd.DataFrame:
    """A sheet with the schema's columns (plus any extra keys the rows carry); the header
    is kept even when there are no rows. Cells not given are blank."""
    columns = schema_columns(sheet)
    for row in rows:
        columns += [k for k in row if k not in columns]
    return pd.DataFrame(rows, columns=columns).astype(object)


def scenario_tables(
    *,
    name: str = "test",
    pue: float = 1.25,
    periods: list[tuple[str, float, float]] | None = None,
    gpus: list[dict] | None = None,
    fleet: list[tuple[str, str, float]] | None = None,
    training: list[dict] | None = None,
    inference: list[dict] | None = None,
    throughput: list[tuple[str, str, float]] | list[dict] | None = None,
) -> dict:
    """Tables of a small valid scenario. Defaults: one period P1 of 1000 h and 100 MW,
    one GPU type G1 (1000 TFLOP/s, 80 GB, 1400 W in use, 200 W idle), 1000 installed in
    every period, one training run T1 (unless only inference is given). Pass lists to
    replace a sheet. ``throughput`` rows are (service, gpu, tokens/s) or dicts."""
    periods = periods if periods is not None else [("P1", 1000.0, 100.0)]
    gpus = gpus if gpus is not None else [gpu_row()]
    if fleet is None:
        fleet = [(g["gpu"], p[0], 1000.0) for g in gpus for p in periods]
    if training is None:
        training = [training_row()] if inference is None else []
    inference = inference if inference is not None else []
    tables = {
        "site": {"name": name, "pue": pue},
        "periods": pd.DataFrame(periods, columns=["period", "hours", "power_mw"]),
        "gpus": sheet_frame("gpus", gpus),
        "fleet": pd.DataFrame(fleet, columns=["gpu", "period", "installed"]),
        "training": sheet_frame("training", training),
        "inference": sheet_frame("inference", inference),
    }
    if throughput is not None:
        rows = [r if isinstance(r, dict) else dict(workload=r[0], gpu=r[1], tokens_per_s_per_gpu=r[2])
                for r in throughput]
        tables["throughput"] = sheet_frame("throughput", rows)
    return tables


def write_scenario(tables: dict, path: Path) -> Path:
    """Write with the project's own writer: ``*.xlsx`` -> workbook, anything else -> CSV folder."""
    write_workbook(tables, path)
    return path


@dataclass
class Run:
    scenario: Scenario
    sizing: Sizing
    model: PlanModel
    solution: Solution
    results: Results


def run_pipeline(source: Path, solver: str = "highs") -> Run:
    """read_scenario -> size -> build_model -> solve -> collect (planner.cli.run without the report)."""
    scenario = read_scenario(source)
    sizing = size(scenario)
    model = build_model(scenario, sizing)
    solution = solve(model, solver=solver)
    results = collect(scenario, sizing, model, solution)
    return Run(scenario, sizing, model, solution, results)


def solve_tables(tables: dict, directory: Path, solver: str = "highs", fmt: str = "csv") -> Run:
    """Write ``tables`` into ``directory`` (CSV folder by default: fast) and run the pipeline."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / ("scenario.xlsx" if fmt == "xlsx" else "scenario")
    return run_pipeline(write_scenario(tables, target), solver=solver)


@pytest.fixture(params=["xlsx", "csv"])
def target(request, tmp_path) -> Path:
    """Where to write a scenario: an .xlsx workbook, then a folder of CSVs."""
    return tmp_path / ("s.xlsx" if request.param == "xlsx" else "s")


@pytest.fixture
def write_tables(tmp_path):
    """write_tables(tables, name='scenario.xlsx') -> path inside tmp_path (no suffix: CSV folder)."""

    def _write(tables: dict, name: str = "scenario.xlsx") -> Path:
        return write_scenario(tables, tmp_path / name)

    return _write


@pytest.fixture
def solve_case(tmp_path):
    """solve_case(tables, solver='highs', fmt='csv') -> Run, written under a fresh folder of tmp_path."""
    counter = iter(range(1_000_000))

    def _solve(tables: dict, solver: str = "highs", fmt: str = "csv") -> Run:
        return solve_tables(tables, tmp_path / f"case{next(counter)}", solver=solver, fmt=fmt)

    return _solve


@pytest.fixture
def stopped_early(monkeypatch):
    """``planner solve``'s plans as if the solver had stopped at its time limit holding a feasible plan, short
    of its optimum: status timelimit, the duals of an unfinished simplex unknown. (HiGHS's dual simplex seldom
    holds one: its points before the optimum are not feasible, and where it starts no GPUs are used at all,
    which is no plan.)"""
    from planner import cli

    real = cli.solve

    def stopped(*args, **kwargs) -> Solution:
        solution = real(*args, **kwargs)
        unknown = {family: np.full_like(prices, np.nan) for family, prices in solution.shadow_prices.items()}
        return dataclasses.replace(solution, status="timelimit", shadow_prices=unknown, price_ranges={},
                                   score_prices=False, best_bound=None, power_steps={})

    monkeypatch.setattr(cli, "solve", stopped)


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C raises KeyboardInterrupt in the test, as at a terminal, even in a test run that inherited it
    ignored (started in the background by a shell without job control); as it was afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture
def subprocess_env() -> dict:
    """Environment for ``python -m planner`` in a subprocess: the checkout first on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


# ---------------------------------------------------------------------------
# input problems


def place(path: Path, sheet: str, row: int | None = None, column: str | None = None) -> str:
    """The location prefix a problem starts with."""
    text = f"{path}, sheet '{sheet}'" if path.suffix == ".xlsx" else f"{path / (sheet + '.csv')}"
    if row is not None:
        text += f", row {row}"
    if column is not None:
        text += f", column '{column}'"
    return text + ": "


def problems_reading(path: Path) -> list[str]:
    """The problems reading ``path`` reports; fails the test when it reads cleanly."""
    with pytest.raises(InputError) as info:
        read_scenario(path)
    return info.value.problems


def problems_of(tables: dict, path: Path) -> list[str]:
    write_scenario(tables, path)
    with pytest.raises(InputError) as info:
        read_scenario(path)
    problems = info.value.problems
    assert problems, "an InputError must carry at least one problem"
    assert str(info.value).splitlines()[: len(problems)] == problems[:MAX_ERRORS_SHOWN]
    return problems


# ---------------------------------------------------------------------------
# raw grids of cells


def write_grid_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Sheets given as raw rows of cells (header included), exactly as a person typed them."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
    wb.save(path)
    return path


def write_grid_csv(folder: Path, sheets: dict[str, list[list]], encoding: str = "utf-8", sep: str = ",") -> Path:
    folder.mkdir()
    for name, rows in sheets.items():
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=sep).writerows([["" if v is None else v for v in row] for row in rows])
        (folder / f"{name}.csv").write_bytes(buffer.getvalue().encode(encoding))
    return folder
