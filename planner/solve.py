"""Solve a :class:`PlanModel` and return plain arrays: values, duals, status.

HiGHS (through highspy, in memory) is the default; CBC is the fallback.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pulp

from planner.model import PlanModel

SOLVERS = ("highs", "cbc")


class SolveError(Exception):
    """The solver failed, or stopped at its limit without a feasible plan."""


@dataclass
class Solution:
    """What the solver found, as plain numbers in the model's index order.

    ``shadow_prices`` holds, per constraint family, the objective gained per unit
    of the row's right-hand side relaxed (objective units per MW for power, per
    GPU for fleet); 0 where the row has slack.
    """

    status: str  # "optimal", or the limit that stopped a feasible solve ("time limit")
    solver: str
    solve_seconds: float
    allocation_gpus: np.ndarray
    served: np.ndarray
    shadow_prices: dict[str, np.ndarray]
    best_bound: float | None


def _solver(name: str, time_limit: float | None, msg: bool) -> pulp.LpSolver:
    if name == "highs":
        return pulp.HiGHS(msg=msg, timeLimit=time_limit, output_flag=msg)
    if name == "cbc":
        return pulp.COIN_CMD(msg=msg, timeLimit=time_limit)
    raise ValueError(f"unknown solver '{name}'; choose one of {', '.join(SOLVERS)}")


@contextlib.contextmanager
def _quiet_stdout(quiet: bool) -> Iterator[None]:
    """Silence the solver's own prints to file descriptor 1 (HiGHS prints a banner
    whenever a solver instance is created, whatever its options)."""
    if not quiet:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _values(model: PlanModel, columns: np.ndarray) -> np.ndarray:
    variables = model.problem.toRustModel().list_variables_by_ids([int(c) for c in columns])
    return np.fromiter((v.value or 0.0 for v in variables), dtype=float, count=len(columns))


def solve(model: PlanModel, solver: str = "highs", time_limit: float | None = None, msg: bool = False) -> Solution:
    """Solve the model; raise SolveError unless a feasible plan comes back."""
    backend = _solver(solver, time_limit, msg)
    if not backend.available():
        raise SolveError(f"solver '{solver}' is not available on this machine")
    start = time.perf_counter()
    with _quiet_stdout(not msg):
        stats = model.problem.solve(backend)
    elapsed = time.perf_counter() - start
    if not stats.has_solution:
        raise SolveError(f"{solver} stopped without a feasible plan ({stats.status.name})")
    status = "optimal" if stats.status == pulp.LpSolveStatus.Optimal else stats.status.name.lower()
    scale = model.objective_scale
    # maximisation: a <= row's dual is the gain per unit of right-hand side; a >= row
    # (demand met) gains by lowering its right-hand side, so its sign is flipped
    shadow = {}
    for family, table in model.rows.items():
        pi = np.fromiter((row.pi or 0.0 for row in table["row"]), dtype=float, count=len(table))
        shadow[family] = np.abs(pi) / scale
    return Solution(
        status=status,
        solver=solver,
        solve_seconds=elapsed,
        allocation_gpus=np.maximum(_values(model, model.allocation["column"].to_numpy()), 0.0),
        served=np.clip(_values(model, model.served["column"].to_numpy()), 0.0, 1.0),
        shadow_prices=shadow,
        best_bound=None if stats.best_bound is None else stats.best_bound / scale,
    )
