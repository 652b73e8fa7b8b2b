"""``make bench``: time every stage of the planner on synthetic scenarios, against a floor.

For each size the planner runs end to end (read + validate, sizing, model build,
hand-over to the solver, solver, result extraction, report rendering). The floor is
the identical LP assembled directly as scipy sparse matrices and solved by HiGHS
through highspy; both objectives must agree to 1e-6 relative. Writing ``summary.json``
and ``results.xlsx`` is timed too (``write_s``), outside the ratio. Results go to
``reports/bench.json`` and a table on the terminal. With ``--repeat N`` the planner and the
floor each run N times per size and the fastest run of each is kept.

With ``--integer`` it times mixed-integer plans instead (``planner solve --integer``, the default
gap), each against its own linear plan: stages, the gap reached and the score kept, in
``reports/bench-integer.json``.

With ``--sweep`` it times a sweep instead (power budgets, priorities, token volumes, a period's budget, a GPU
type's fleet: :func:`sweep_steps`), each step solved cold and from the last one's optimal basis (``planner solve
--warm-start``), into ``reports/bench-sweep.json``.

With ``--solver-options`` it times HiGHS settings instead (:data:`SOLVER_SETTINGS`) on the
floor LP of each size, checks each reaches the default's objective, and writes
``reports/solver-options.json``: the measurement behind the planner's solver options.

    python -m planner.bench [--sizes S,M,L] [--repeat N] [--out reports/bench.json]
                            [--integer | --sweep | --solver-options]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from planner.cli import positive_int
from planner.model import (
    SECONDS_PER_HOUR,
    allocation_index,
    build_model,
    objective_scale,
    served_index,
    tie_break_weight,
    workload_windows,
)
from planner.report import render_html, write_data
from planner.results import collect
from planner.sizing import Sizing, size
from planner.solve import HIGHS_OPTIONS, WarmStart, solve, solver_output
from planner.synthetic import synthetic_tables
from planner.workbook import Scenario, read_scenario, write_workbook

SIZES = {
    "S": None,  # the default scenario
    "M": (500, 6, 12),
    "L": (2000, 8, 24),
    "XL": (5000, 10, 36),
}
MODEL_STAGES = ("build", "handover", "solver", "write_back", "extraction", "solve_other")
# the targets the planner is held to: end to end over the floor at most this, by size
RATIO_TARGETS = {"M": 1.5, "L": 1.2}
REPORT_TARGET_S = 1.0  # the default scenario's report
MEMORY_TARGET_MB = 4096.0  # peak resident memory at L
# ``--sweep``: each size's power budgets scaled by these in turn: steps of 5%, then one of 40% up (a step down as
# far could leave less than the installed GPUs draw idle)
SWEEP_BUDGETS = (1.0, 0.95, 0.90, 1.30)
DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "inputs" / "sovereign-200mw.xlsx"
# HiGHS settings compared by ``--solver-options``; the first is what the planner uses, and the
# others' times are capped relative to it.
SOLVER_SETTINGS: dict[str, dict[str, object]] = {
    "HiGHS defaults (dual simplex, serial)": {},
    "dual simplex, serial, no presolve": {"presolve": "off"},
    "dual simplex, serial, 2 threads": {"simplex_strategy": 1, "threads": 2},
    "parallel dual simplex, 2 threads": {"simplex_strategy": 2, "threads": 2},
    "primal simplex": {"simplex_strategy": 4},
    "interior point, crossover": {"solver": "ipm"},
    "interior point, no crossover": {"solver": "ipm", "run_crossover": "off"},
}
SETTING_TIME_LIMIT = 20.0  # a setting may take this many times the default's time before it is stopped


def floor_lp(scenario: Scenario, sizing: Sizing, options: dict[str, object] | None = None
             ) -> tuple[highspy.Highs, float]:
    """The planner's LP as sparse matrices, straight into HiGHS (with the planner's HiGHS settings and
    ``options`` over them); returns the solver and build seconds.

    Its coefficients come from the scenario and the sizing tables, written apart from planner.model's
    (which shares only the workloads' order, the served shares' index and the objective's two scalars:
    its scale and the energy tie-break's weight, worked out from the model's index before the floor's
    clock starts, as the floor would not need them), so agreement of the two objectives also checks the
    model's GPU rates and power draws. It covers the LP shape that benchmarks generate: every GPU type
    installed in numbers that hold any replica or run minimum, every GPU drawing above idle in use, no
    ``max_gpus`` limits, no integer replicas.
    """
    windows = workload_windows(scenario)
    alloc = allocation_index(scenario, sizing, windows=windows)
    scale, tie_break = objective_scale(scenario, sizing, alloc), tie_break_weight(scenario, sizing, alloc)
    start = time.perf_counter()
    gpus, n_p = scenario.gpus, len(scenario.periods)
    # delivered FLOP/s per GPU for runs, tokens/s per GPU at the best replica for services (workloads x GPU types),
    # where the GPUs installed hold a run's minimum or a service's replica
    runs, services = scenario.training["workload"], scenario.inference["workload"]
    training_rates = sizing.training_rates.pivot(index="workload", columns="gpu")
    serving_rates = sizing.inference_rates.pivot(index="workload", columns="gpu")
    rate = np.concatenate([
        training_rates["flops_per_s_per_gpu"].reindex(index=runs, columns=gpus["gpu"]).to_numpy(),
        serving_rates["tokens_per_s_per_gpu"].reindex(index=services, columns=gpus["gpu"]).to_numpy()])
    needed = np.concatenate([
        np.fmax(training_rates["min_gpus"].reindex(index=runs, columns=gpus["gpu"]).to_numpy(), 1.0),
        serving_rates["gpus_per_replica"].reindex(index=services, columns=gpus["gpu"]).to_numpy()])
    period = np.arange(n_p)
    in_window = (period >= windows["first"].to_numpy()[:, None]) & (period <= windows["last"].to_numpy()[:, None])
    held = scenario.fleet.to_numpy()[None, :, :] >= needed[:, :, None]
    w, g, p = np.nonzero((rate[:, :, None] > 0) & held & in_window[:, None, :])
    rate = rate[w, g]
    kind = windows["kind"].to_numpy()[w]
    factor = sizing.power_factor.reindex(windows["workload"]).to_numpy()[w]
    power_mw_per_gpu = scenario.pue * (factor * gpus["it_w"].to_numpy()[g] - gpus["idle_w"].to_numpy()[g]) / 1e6
    if not (power_mw_per_gpu > 0).all():
        raise ValueError("the floor covers GPUs that draw above idle in use only")
    served = served_index(scenario)
    n_x, n_s = len(w), len(served)
    x = np.arange(n_x)

    blocks, lower, upper = [], [], []
    # fleet: one row per (gpu, period) pair that has variables
    pairs, fleet_row = np.unique(g * n_p + p, return_inverse=True)
    installed = scenario.fleet.to_numpy().ravel()[pairs]
    blocks.append(sp.csr_matrix((np.ones(n_x), (fleet_row, x)), shape=(len(pairs), n_x + n_s)))
    lower.append(np.full(len(pairs), -np.inf))
    upper.append(installed)
    # power: one row per period, the budget less every installed GPU's idle draw (products and sums in the model's
    # order, as the shares below)
    blocks.append(sp.csr_matrix((power_mw_per_gpu, (p, x)), shape=(n_p, n_x + n_s)))
    lower.append(np.full(n_p, -np.inf))
    idle_mw = (scenario.pue * gpus["idle_w"].to_numpy() / 1e6) @ scenario.fleet.to_numpy()
    upper.append(scenario.periods["power_mw"].to_numpy() - idle_mw)
    # demand: one row per served variable, supply share - served >= 0
    keys = np.where(served["kind"] == "training", served["w"] * (n_p + 1), served["w"] * (n_p + 1) + 1 + served["p"])
    alloc_keys = np.where(kind == "training", w * (n_p + 1), w * (n_p + 1) + 1 + p)
    lookup = pd.Series(np.arange(n_s), index=keys)
    demand_row = lookup.reindex(alloc_keys).to_numpy().astype(int)
    # a run's share of its FLOPs, a service's of its tokens/s (the model's own order of operations,
    # so that the two LPs agree to the last bit and HiGHS takes the same path through both)
    workload = windows["workload"].to_numpy()[w]
    flops = sizing.training.set_index("workload")["flops"].reindex(workload).to_numpy()
    tokens = sizing.inference.set_index("workload")["demand_tokens_per_s"].reindex(workload).to_numpy()
    hours = scenario.periods["hours"].to_numpy()[p]
    share = np.where(kind == "training", hours * SECONDS_PER_HOUR * rate / flops, rate / tokens)
    rows = np.concatenate([demand_row, np.arange(n_s)])
    cols = np.concatenate([x, n_x + np.arange(n_s)])
    vals = np.concatenate([share, -np.ones(n_s)])
    blocks.append(sp.csr_matrix((vals, (rows, cols)), shape=(n_s, n_x + n_s)))
    lower.append(np.zeros(n_s))
    upper.append(np.full(n_s, np.inf))

    matrix = sp.vstack(blocks, format="csr")
    cost = scale * np.concatenate([  # the tie-break's products too in the model's order
        -tie_break * (hours * power_mw_per_gpu),
        served["weight"].to_numpy(dtype=float),
    ])
    with solver_output(shown=False):
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for option, value in (HIGHS_OPTIONS | (options or {})).items():
        highs.setOptionValue(option, value)
    inf = highspy.kHighsInf
    highs.addCols(
        n_x + n_s, cost, np.zeros(n_x + n_s), np.concatenate([np.full(n_x, inf), np.ones(n_s)]),
        0, np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0),
    )
    row_lower = np.nan_to_num(np.concatenate(lower), neginf=-inf)
    row_upper = np.nan_to_num(np.concatenate(upper), posinf=inf)
    highs.addRows(
        matrix.shape[0], row_lower, row_upper, matrix.nnz,
        matrix.indptr[:-1].astype(np.int32), matrix.indices.astype(np.int32), matrix.data,
    )
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return highs, time.perf_counter() - start


def startup_seconds(repeats: int = 3) -> float:
    """Seconds a fresh process spends importing the planner before any work (best of ``repeats``):
    what each ``planner solve`` call pays once, however many scenarios it is given.

    Timed with compiled modules cached, as a user's installation has them, even where the environment
    asks Python to write none (``PYTHONDONTWRITEBYTECODE``): compiling every module again on each start
    would add about 0.1 s that no user pays. The cache goes to a scratch folder, not the source tree."""
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": cache}

        def best(code: str) -> float:
            subprocess.run([sys.executable, "-c", code], check=True, env=env)  # fills the cache
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], check=True, env=env)
                times.append(time.perf_counter() - start)
            return min(times)

        return max(best("import planner.cli") - best("pass"), 0.0)


def _reset_peak_rss() -> None:
    """Start the process's peak resident memory again from what it holds now (Linux), so that each case's peak is
    its own and not that of a larger case run before it."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_mb() -> float:
    """The process's peak resident memory since :func:`_reset_peak_rss`, in MB (since it started, where the
    system keeps no such mark)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    # the system's own mark: in kB, but in bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2.0 ** 20 if sys.platform == "darwin" else 1024.0)


def _planner_run(source: Path) -> dict:
    """The planner once end to end on ``source``: stage seconds, and what the record and the floor need."""
    stages: dict[str, float] = {}

    def timed(stage, fn, *args):
        start = time.perf_counter()
        out = fn(*args)
        stages[stage] = time.perf_counter() - start
        return out

    scenario = timed("read_validate", read_scenario, source)
    sizing = timed("sizing", size, scenario)
    model = timed("build", build_model, scenario, sizing)
    start = time.perf_counter()
    solution = solve(model)
    wall = time.perf_counter() - start
    stages.update(solution.timings)
    stages["solve_other"] = max(wall - sum(solution.timings.values()), 0.0)  # PuLP's own bookkeeping
    results = timed("results", collect, scenario, sizing, model, solution)
    timed("report", render_html, results)
    with tempfile.TemporaryDirectory() as scratch:  # outside the ratio: not a stage the floor is set against
        start = time.perf_counter()
        write_data(results, Path(scratch))
        write_s = time.perf_counter() - start
    return dict(stages=stages, total=sum(stages.values()), write_s=write_s, n_vars=model.n_vars,
                n_cons=model.n_cons, objective=solution.objective, objective_scale=model.objective_scale,
                scenario=scenario, sizing=sizing)


def _floor_run(case: str, run: dict) -> float:
    """Seconds for the floor on the scenario of a planner ``run``; raises if its objective differs."""
    highs, floor_build = floor_lp(run["scenario"], run["sizing"])
    start = time.perf_counter()
    highs.run()
    floor_solve = time.perf_counter() - start
    shape = (highs.getNumCol(), highs.getNumRow())
    if shape != (run["n_vars"], run["n_cons"]):
        raise RuntimeError(f"{case}: the floor has {shape[0]} columns and {shape[1]} rows, the planner's model "
                           f"{run['n_vars']} and {run['n_cons']}")
    floor_objective = highs.getInfo().objective_function_value / run["objective_scale"]
    if not np.isclose(run["objective"], floor_objective, rtol=1e-6, atol=1e-9):
        raise RuntimeError(f"{case}: planner objective {run['objective']} != floor {floor_objective}")
    return floor_build + floor_solve


def bench_case(case: str, source: Path, repeat: int = 1) -> dict:
    """Run the planner and the floor on one scenario; return the bench.json record.

    With ``repeat`` above 1 each runs that many times, alternately, and the fastest run of each
    counts: on a shared machine it is the one least disturbed by other work.
    """
    best, floor_s, peak_mb = None, math.inf, 0.0
    for _ in range(repeat):
        _reset_peak_rss()
        run = _planner_run(source)
        peak_mb = max(peak_mb, _peak_rss_mb())  # the planner's, before the floor runs
        if best is None or run["total"] < best["total"]:
            best = run
        floor_s = min(floor_s, _floor_run(case, best))
    stages, total = best["stages"], best["total"]
    return {
        "case": case,
        "n_vars": best["n_vars"],
        "n_cons": best["n_cons"],
        "stages": {k: round(v, 4) for k, v in stages.items()},
        "total_s": round(total, 4),
        "write_s": round(best["write_s"], 4),
        "floor_s": round(floor_s, 4),
        "ratio": round(total / floor_s, 3),
        # the model's share alone: build, hand-over, solve and extraction against the same floor
        "ratio_model": round(sum(stages[k] for k in MODEL_STAGES if k in stages) / floor_s, 3),
        "repeat": repeat,
        "peak_rss_mb": round(peak_mb, 1),
        "objective": best["objective"],
    }


def bench_integer(case: str, source: Path) -> dict:
    """Time one scenario's mixed-integer plan (default gap) and its linear plan; the record for
    ``bench-integer.json``: stages in seconds, gap reached, and the score (priority-weighted served
    share, without the energy tie-break) against the LP's."""
    _reset_peak_rss()
    scenario = read_scenario(source)
    sizing = size(scenario)
    lp_model = build_model(scenario, sizing)
    lp = solve(lp_model)
    lp_score = collect(scenario, sizing, lp_model, lp).objective
    start = time.perf_counter()
    model = build_model(scenario, sizing, integer=True)
    stages = {"build": time.perf_counter() - start}
    solution = solve(model)
    stages.update(solution.timings)
    results = collect(scenario, sizing, model, solution)
    return {
        "case": case,
        "n_vars": model.n_vars,
        "n_integer": len(model.integer_columns()),
        "stages": {k: round(v, 4) for k, v in stages.items()},
        "total_s": round(sum(stages.values()), 4),
        "lp_s": round(lp.solve_seconds, 4),
        "status": results.status,
        "gap": None if math.isnan(results.gap) else round(results.gap, 6),
        "objective": results.objective,
        "objective_lp": lp_score,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def sweep_steps(scenario: Scenario) -> Iterator[str]:
    """Change ``scenario`` step by step, in place, naming each step once made: its power budgets scaled by each of
    :data:`SWEEP_BUDGETS` in turn, then the priority of every tenth training run and service doubled, then every
    service's token volume doubled, then the middle period's budget cut by 40%, then the fleet of the GPU type with
    the fewest GPUs (of those installed) halved: scores moved a little in all, demand far, and a few limits far,
    from which a warm start is made (:data:`planner.solve.WARM_START_COMPARED`)."""
    budgets = scenario.periods["power_mw"].to_numpy()
    for factor in SWEEP_BUDGETS:
        scenario.periods["power_mw"] = budgets * factor
        yield f"budgets x{factor:.2f}"
    for table in (scenario.training, scenario.inference):
        table.loc[table.index[::10], "priority"] *= 2
    yield "priorities x2 (10%)"
    scenario.inference["tokens_per_day_b"] *= 2
    yield "token volumes x2"
    scenario.periods.loc[len(scenario.periods) // 2, "power_mw"] *= 0.6
    yield "a period's budget x0.60"
    installed = scenario.fleet.sum(axis=1)
    fewest = installed[installed > 0].idxmin()
    scenario.fleet.loc[fewest] = np.round(scenario.fleet.loc[fewest] * 0.5)
    yield "a GPU type's fleet x0.50"


def bench_sweep(case: str, source: Path) -> dict:
    """Solve one scenario's LP at each of :func:`sweep_steps`, each from scratch and then from the optimal basis of
    the one before (``--warm-start``), alternately, so that neither way has the process's first solve (which
    touches fresh memory); the record for ``bench-sweep.json``: HiGHS's seconds for each, both ways. Raises if the
    two ways' scores differ."""
    scenario = read_scenario(source)
    basis = WarmStart()
    steps, cold, warm = [], [], []
    for step in sweep_steps(scenario):
        sizing = size(scenario)
        steps.append(step)
        cold.append(solve(build_model(scenario, sizing)))
        warm.append(solve(build_model(scenario, sizing), warm=basis))
        basis.commit()
    for step, one, other in zip(steps, cold, warm):
        if not np.isclose(one.objective, other.objective, rtol=1e-6, atol=1e-9):
            raise RuntimeError(f"{case}: {step}: objective {other.objective} from the last basis, "
                               f"{one.objective} from scratch")
    return {
        "case": case,
        "steps": steps,
        "cold_s": [round(s.timings["solver"], 4) for s in cold],
        "warm_s": [round(s.timings["solver"], 4) for s in warm],
        "warm_started": [s.warm_started_from is not None for s in warm],
    }


def compare_solver_options(case: str, source: Path) -> list[dict]:
    """Solve the floor LP of ``source`` once per :data:`SOLVER_SETTINGS` entry; seconds and objectives.

    Each setting gets a fresh solver and at most :data:`SETTING_TIME_LIMIT` times the default's
    time; ``matches`` says whether it reached the default's objective to 1e-6 relative.
    """
    scenario = read_scenario(source)
    sizing = size(scenario)
    records, reference, limit = [], None, None
    for name, options in SOLVER_SETTINGS.items():
        highs, _ = floor_lp(scenario, sizing, options)
        if limit is not None:
            highs.setOptionValue("time_limit", limit)
        # HiGHS's thread pool is global and keeps the size of its first run: rebuild it for this one
        highspy.Highs.resetGlobalScheduler(True)
        start = time.perf_counter()
        highs.run()
        seconds = time.perf_counter() - start
        status = highs.modelStatusToString(highs.getModelStatus())
        objective = highs.getInfo().objective_function_value
        if reference is None:
            reference, limit = objective, max(SETTING_TIME_LIMIT * seconds, 1.0)
        records.append({"case": case, "setting": name, "options": options, "seconds": round(seconds, 3),
                        "status": status, "matches": bool(np.isclose(objective, reference, rtol=1e-6))})
    return records


def _scenarios(cases: list[str], scratch: Path, windows: bool = False):
    """(case, workbook path) per size, the synthetic ones written into ``scratch``.

    Every workload may run in every period (one variable per workload, GPU type and period); with
    ``windows``, each size comes a second time as case "<size>-w" with workloads in windows of the
    horizon, as in real plans.
    """
    for case in cases:
        if SIZES[case] is None:
            yield case, DEFAULT_SCENARIO
            continue
        for whole_horizon in (True, False) if windows else (True,):
            name = case if whole_horizon else f"{case}-w"
            source = scratch / name
            write_workbook(synthetic_tables(*SIZES[case], seed=1, whole_horizon=whole_horizon), source)
            yield name, source


def _processor() -> str:
    """The processor's model name (Linux), else what the platform module knows of it."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="planner.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: S, M, L, XL")
    parser.add_argument("--out", type=Path, help="default: reports/bench.json (reports/solver-options.json, "
                                                 "reports/bench-integer.json, reports/bench-sweep.json)")
    parser.add_argument("--repeat", type=positive_int, default=1,
                        help="run the planner and the floor this many times per size and keep the fastest of each")
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--solver-options", action="store_true", help="time HiGHS settings on the floor LP instead")
    modes.add_argument("--integer", action="store_true", help="time mixed-integer plans instead")
    modes.add_argument("--sweep", action="store_true",
                       help="time a sweep instead (power budgets, then priorities, token volumes, a period's "
                            "budget and a GPU type's fleet), each step solved cold and from the last optimal basis")
    args = parser.parse_args(argv)
    if args.repeat > 1 and (args.integer or args.solver_options or args.sweep):
        parser.error("--repeat times the stages of the linear plan; not with --integer, --sweep or --solver-options")
    cases = list(dict.fromkeys(c.strip().upper() for c in args.sizes.split(",") if c.strip()))  # each size once
    unknown = [c for c in cases if c not in SIZES]
    if unknown or not cases:
        said = f"unknown size(s) {', '.join(unknown)}" if unknown else "no size given"
        print(f"error: {said}; choose from {', '.join(SIZES)}", file=sys.stderr)
        return 2
    records = []
    print(f"machine: {_processor()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"highspy {version('highspy')}")
    if args.solver_options:
        print(f"{'case':<5} {'setting':<48} {'seconds':>8}  status")
        with tempfile.TemporaryDirectory() as scratch:
            for case, source in _scenarios(cases, Path(scratch), windows=True):
                for r in compare_solver_options(case, source):
                    records.append(r)
                    print(f"{case:<5} {r['setting']:<48} {r['seconds']:>8.2f}  {r['status']}"
                          f"{'' if r['matches'] else ' (objective differs)'}", flush=True)
        return _write_records(records, args.out or Path("reports/solver-options.json"))
    if args.integer:
        print(f"{'case':<4} {'vars':>8} {'integer':>8} {'relax':>6} {'fixed':>7} {'total':>7} {'LP':>6} "
              f"{'gap':>7} {'score/LP':>8} {'rss MB':>7}")
        with tempfile.TemporaryDirectory() as scratch:
            for case, source in _scenarios(cases, Path(scratch)):
                r = bench_integer(case, source)
                records.append(r)
                gap = "unknown" if r["gap"] is None else f"{r['gap']:.2%}"
                fixed = r["stages"].get("handover", 0) + r["stages"].get("solver", 0)  # the LP that completed the plan
                print(f"{case:<4} {r['n_vars']:>8} {r['n_integer']:>8} {r['stages'].get('relaxation', 0):>6.2f} "
                      f"{fixed:>7.2f} {r['total_s']:>7.2f} {r['lp_s']:>6.2f} {gap:>7} "
                      f"{r['objective'] / r['objective_lp']:>8.4f} {r['peak_rss_mb']:>7.0f}", flush=True)
        return _write_records(records, args.out or Path("reports/bench-integer.json"))
    if args.sweep:
        print(f"{'case':<4} {'step':<24} {'cold s':>7} {'warm s':>7} {'faster':>6}")
        with tempfile.TemporaryDirectory() as scratch:
            for case, source in _scenarios(cases, Path(scratch)):
                r = bench_sweep(case, source)
                records.append(r)
                for step, cold, warm, started in zip(r["steps"], r["cold_s"], r["warm_s"], r["warm_started"]):
                    faster = f"{cold / warm:>5.1f}x" if started and warm > 0 else f"{'-':>6}"
                    print(f"{case:<4} {step:<24} {cold:>7.3f} {warm:>7.3f} {faster}", flush=True)
        return _write_records(records, args.out or Path("reports/bench-sweep.json"))
    print(f"{'case':<4} {'vars':>8} {'cons':>7} {'read':>6} {'sizing':>6} {'build':>6} {'handover':>8} {'solver':>7} "
          f"{'extract':>7} {'ranges':>6} {'results':>7} {'report':>6} {'total':>7} {'floor':>7} {'ratio':>6} "
          f"{'model':>6} {'write':>6} {'rss MB':>7}")
    with tempfile.TemporaryDirectory() as scratch:
        for case, source in _scenarios(cases, Path(scratch)):
            r = bench_case(case, source, args.repeat)
            records.append(r)
            s = r["stages"]
            print(f"{case:<4} {r['n_vars']:>8} {r['n_cons']:>7} {s['read_validate']:>6.2f} {s['sizing']:>6.2f} "
                  f"{s['build']:>6.2f} {s.get('handover', 0):>8.2f} {s.get('solver', 0):>7.2f} "
                  f"{s.get('write_back', 0) + s.get('extraction', 0) + s['solve_other']:>7.2f} "
                  f"{s.get('ranging', 0):>6.2f} "
                  f"{s['results']:>7.2f} {s['report']:>6.2f} {r['total_s']:>7.2f} {r['floor_s']:>7.2f} "
                  f"{r['ratio']:>6.2f} {r['ratio_model']:>6.2f} {r['write_s']:>6.2f} "
                  f"{r['peak_rss_mb']:>7.0f}", flush=True)
    print(f"start-up: {startup_seconds():.2f} s of imports per process, outside the table "
          "(a sweep given to one `planner solve` pays it once)")
    for line in target_lines(records):
        print(line)
    return _write_records(records, args.out or Path("reports/bench.json"))


def target_lines(records: list[dict]) -> list[str]:
    """Each target the sizes run can be checked against, with the figure and whether it is met."""
    def verdict(figure: float, limit: float) -> str:
        return "met" if figure <= limit else "not met"

    lines = []
    for r in records:
        if r["case"] == "S":
            report = r["stages"]["report"]
            lines.append(f"target: report for the default scenario {report:.2f} s, under {REPORT_TARGET_S:g} s: "
                         f"{verdict(report, REPORT_TARGET_S)}")
        if r["case"] in RATIO_TARGETS:
            limit = RATIO_TARGETS[r["case"]]
            lines.append(f"target: {r['case']} end to end {r['ratio']:.2f}x the floor, at most {limit:g}x: "
                         f"{verdict(r['ratio'], limit)} (the model alone {r['ratio_model']:.2f}x)")
        if r["case"] == "L":  # the process's peak so far: L's own, being the largest run before it
            lines.append(f"target: peak memory at L {r['peak_rss_mb']:.0f} MB, under {MEMORY_TARGET_MB:.0f} MB: "
                         f"{verdict(r['peak_rss_mb'], MEMORY_TARGET_MB)}")
    return lines


def _write_records(records: list[dict], out: Path) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(records, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
