"""Solve a :class:`PlanModel` and return plain arrays: values, duals, status.

HiGHS (through highspy, in memory) is the default; CBC is the fallback.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import highspy
import numpy as np
import pulp
from pulp import _rustcore as pulp_core
from pulp.apis.core import clocks

from planner.files import signals_held
from planner.gcpause import paused_gc
from planner.model import OBJECTIVE_SCALE, PlanModel, PlanProblem
from planner.workbook import InputError

SOLVERS = ("highs", "cbc")
# A mixed-integer solve stops once its plan is proven within 2% of the best possible score: well
# inside the sizing's own uncertainty (15-35%). The rounded relaxation lands 0.5-1.2% from the
# bound on the benchmark scenarios, and what remains is the cost of whole replicas, which branch
# and bound did not close in a minute at 500 workloads nor in 45 minutes at 5,000. The gap reached is
# reported with the plan.
DEFAULT_MIP_GAP = 0.02
# a plan in hand is completed even when the relaxation used up the time limit: HiGHS (or CBC) solving
# its LP, with the integers fixed, gets this share of the limit at least (it takes far less than the
# relaxation)
COMPLETION_GRACE = 0.1
# a dual this small (objective units, where the least priority counts model.OBJECTIVE_SCALE or more, and the GPUs
# of an allocation row in a period model.LEAST_GPU_WORTH or more each) is a limit with slack, read through the
# solver's tolerances: priced at exactly 0
DUAL_NOISE = 1e-6
STEP_NOISE = 1e-6  # a change of score this small, in points of the least priority at its least scale, is none
# HiGHS drops matrix entries under its small_matrix_value (1e-9 by default) and refuses the rows holding any from
# its large_matrix_value (1e15). A share of demand one GPU serves falls under 1e-9 at national scale (1e15 tokens a
# day over millions of GPUs: the plan served none of it), so HiGHS is given the least it takes, and a model with
# an entry beyond either is refused by name before it is handed over (see check_coefficients)
SMALLEST_COEFFICIENT, LARGEST_COEFFICIENT = 1e-12, 1e15
HIGHS_OPTIONS: dict[str, object] = {"small_matrix_value": SMALLEST_COEFFICIENT}  # over HiGHS's defaults
FALLBACK_SIMPLEX = 4  # HiGHS's simplex_strategy for an LP its dual simplex fails on: the primal simplex


class SolveError(Exception):
    """The solver failed, or stopped at its limit without a feasible plan."""


@dataclass
class Solution:
    """What the solver found, as plain numbers in the model's index order.

    ``shadow_prices`` holds, per constraint family, the score gained per unit of the row's
    right-hand side relaxed (per MW for power, per GPU for fleet); 0 where the row has slack.
    ``score_prices`` says they are the score's own (read off HiGHS's basis, see
    :func:`_shadow_prices`); else they are the LP's duals, the energy tie-break's included. A
    mixed-integer plan's are those of its relaxation. An LP stopped before its optimum, or a
    mixed-integer plan whose relaxation was, has none (NaN): the duals of an unfinished simplex
    price nothing.
    """

    status: str  # "optimal", or the limit that stopped a feasible solve ("timelimit")
    solver: str
    solve_seconds: float
    objective: float  # the LP's objective (score less the energy tie-break), unscaled
    allocation_units: np.ndarray  # per allocation row: GPUs, or whole replicas where the row's unit is a replica's GPUs
    served: np.ndarray
    shadow_prices: dict[str, np.ndarray]
    best_bound: float | None
    gap_limit: float | None  # the relative gap a mixed-integer solve stopped within; None for an LP
    time_limit_s: float | None  # the seconds the solve was given (--time-limit); None: no limit
    timings: dict[str, float]  # seconds per step: handover, solver, write_back, extraction; relaxation, ranging,
    # power_steps where they ran
    price_ranges: dict[str, np.ndarray] = field(default_factory=dict)  # see :func:`price_ranges`
    score_prices: bool = False
    power_step_mw: float | None = None  # the step asked for; power_steps is empty where none could be worked out
    power_steps: dict[str, np.ndarray] = field(default_factory=dict)  # see :func:`power_steps`
    # a mixed-integer plan's relaxation (fractional replicas, no run minimums) at its optimum: its served shares,
    # as ``served``; None for an LP, or where the relaxation was stopped first
    relaxed_served: np.ndarray | None = None
    warm_started_from: str | None = None  # the input whose plan's optimal basis HiGHS started from (WarmStart)
    notes: list[str] = field(default_factory=list)  # how the solve went where a reader should know (as warnings)


def _accepted(status: highspy.HighsStatus, what: str) -> None:
    """Raise SolveError where HiGHS refused ``what`` it was handed (it holds none of them then, and would go on
    to solve what it has: no rows, every workload served by nothing)."""
    if status == highspy.HighsStatus.kError:
        raise SolveError(f"HiGHS refused the model's {what} (run with --solver-log for its reason)")


# per family of rows built from the inputs, the figures an entry beyond the solver's reach comes from
_COEFFICIENT_SOURCES = {
    "training_compute": "the training sheet's params_b and tokens_b (billions) and the GPU type's bf16_tflops",
    "inference_throughput": "the inference sheet's params_b and tokens_per_day_b (billions) and the GPU type's "
                            "figures",
    "power": "the gpus sheet's it_w and idle_w (watts) and the workload's power_factor",
}


def check_coefficients(model: PlanModel) -> None:
    """Raise InputError (bad input), naming the input, workload, GPU type and period and the figures to check,
    where a row built from the inputs holds an entry HiGHS would drop or refuse (see SMALLEST_COEFFICIENT): a
    share of demand one GPU serves far under a millionth of a millionth, or a billion billion times the whole,
    which figures in the wrong units give; SolveError where a row added to the model does."""
    starts, columns, values = model.problem.row_terms()
    magnitude = np.abs(values)
    beyond = np.flatnonzero((magnitude > 0) & ((magnitude < SMALLEST_COEFFICIENT)
                                               | (magnitude >= LARGEST_COEFFICIENT)))
    if not len(beyond):
        return
    first = beyond[0]
    row = int(np.searchsorted(starts, first, side="right")) - 1
    terms = model.allocation[model.allocation["column"].to_numpy() == columns[first]]
    family = next((f for f in model.rows if row in model.row_ids(f)), "added")
    shares = {"training_compute": "of its required FLOPs", "inference_throughput": "of its peak demand"}
    what = f"a coefficient of {values[first]:.3g} in the model's {family} rows"
    if not terms.empty:
        term = terms.iloc[0]
        what = f"{term['workload']} on {term['gpu']} in {term['period']}: " + (
            f"one GPU serves {values[first] / term['unit']:.3g} {shares[family]}" if family in shares else what)
    beyond_reach = (f"{what}, beyond what the solver can weigh beside the other figures ({SMALLEST_COEFFICIENT:g} "
                    f"to {LARGEST_COEFFICIENT:g})")
    if family not in _COEFFICIENT_SOURCES:
        raise SolveError(beyond_reach)
    where = f"{model.source}: " if model.source else ""
    raise InputError([f"{where}{beyond_reach}; check the units of {_COEFFICIENT_SOURCES[family]}"])


# a basis is started from only where the bounds or the coefficients of a family of rows that limit resources moved by
# at most this share of their size, all told (the sum of the moves over that of the values): at 500 workloads budgets
# 10% apart solved 2.5 times faster from the last basis, budgets 20% and a quarter of them 40% apart as fast as from
# scratch, 30% apart 1.3 times slower (a basis given skips HiGHS's presolve), fleets 40% larger 1.4 times slower; while
# a few rows moved far, as one period's budget 40% down or one GPU type's fleet halved, solved 4-13 times faster
WARM_START_MOST_CHANGE = 0.15
# the rows that limit resources: GPUs installed, power, a run's max_gpus. Demand may move any amount: from the basis
# of a plan with token volumes doubled or halved, training tokens doubled or GPUs' FLOP/s up 50%, HiGHS took 0.25-0.6
# s against 0.45-0.8 s from scratch at 500 workloads, 8.6-19 s against 19-23 s at 2,000. The scores (the objective's
# costs) are held to the share as a whole: at most that share of the objective's weight moved between columns, as
# where a few priorities change; every priority permuted took 46 s against 29 s at 2,000 workloads
WARM_START_COMPARED = ("fleet", "power", "training_scale")


@dataclass
class WarmStart:
    """The optimal basis of the last LP solved with this holder and kept (:meth:`commit`), for the next one:
    HiGHS's simplex starts from it where that LP has the same columns and rows, term for term (a sweep's scenarios
    that differ in figures only: budgets, fleet counts, volumes). A basis is only a place to start: the plan found is
    as optimal as from a cold start, but where several plans tie for the optimum it may be another of them. From
    the basis of an LP far from it the simplex takes longer than from scratch, so the basis is used only where the
    bounds and the coefficients of each family of rows that limit resources (:data:`WARM_START_COMPARED`) moved
    by at most :data:`WARM_START_MOST_CHANGE` of their size (:func:`_limits_moved`), and no more than that share
    of the objective's weight moved between its costs (:func:`_weight_moved`). ``of``: the input whose plan it is
    the optimal basis of, as shown.

    A solve leaves its own basis ``pending``, which :meth:`commit` keeps once its plan's report is written, so that
    a plan never names as its start a scenario that ended without one."""

    of: str | None = None  # bytes of a name that is not UTF-8 escaped ('\\xe9'), as text shows them
    shape: bytes | None = None  # digest of the LP's columns and row terms (see HighsBridge)
    figures: np.ndarray | None = None  # the bounds and coefficients of the LP's rows that limit resources
    costs: np.ndarray | None = None  # the objective's, by column
    basis: highspy.HighsBasis | None = None
    pending: tuple[str, bytes, np.ndarray, np.ndarray, highspy.HighsBasis] | None = None

    def commit(self) -> None:
        """Keep the last solve's basis for the next."""
        if self.pending is not None:
            (self.of, self.shape, self.figures, self.costs, self.basis), self.pending = self.pending, None

    def leave(self, source: str, backend: pulp.LpSolver, at_optimum: highspy.Highs | None) -> str | None:
        """Leave pending the basis of the LP ``backend`` solved for input ``source`` (``at_optimum``: HiGHS at its
        optimum, None where it reached none); the input whose basis that LP started from, if any."""
        started_from = self.of if getattr(backend, "warm_started", False) else None
        self.pending = None if at_optimum is None else (source, backend.shape, backend.figures, backend.cost,
                                                        at_optimum.getBasis())
        return started_from

    def fits(self, shape: bytes, figures: np.ndarray, groups: np.ndarray, costs: np.ndarray) -> bool:
        """Whether the basis kept is one to start an LP of ``shape``, ``figures`` (in ``groups``: see
        :func:`_limits_moved`; the same for the same shape) and ``costs`` from."""
        if self.basis is None or shape != self.shape:
            return False
        if not _weight_moved(self.costs, costs) <= WARM_START_MOST_CHANGE:  # NaN: moved
            return False
        return bool(_limits_moved(self.figures, figures, groups).max(initial=0.0) <= WARM_START_MOST_CHANGE)


def _limits_moved(old: np.ndarray, new: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per group of figures (numbered from 0: a family's lower bounds, its upper bounds or its coefficients), the
    share of its size that moved between two LPs: the sum of the figures' moves over the sum of the larger of each
    one's two values. 1 where an infinite bound became finite, or the reverse. A few rows moved far move little of
    the whole (one period's budget of many), every row moved a little moves as much as each."""
    finite = np.isfinite(old) & np.isfinite(new)
    count, were, are, of = int(groups.max(initial=-1)) + 1, old[finite], new[finite], groups[finite]
    moved = np.bincount(of, np.abs(are - were), minlength=count)
    size = np.bincount(of, np.fmax(np.abs(were), np.abs(are)), minlength=count)
    share = np.divide(moved, size, out=np.zeros(count), where=size > 0)
    share[groups[~finite & (old != new)]] = 1.0  # NaN too: it equals nothing
    return share


def _weight_moved(old: np.ndarray, new: np.ndarray) -> float:
    """The share of the objective's weight that moved from some columns to others between two cost vectors, each
    taken as shares of its own sum: 0 for costs scaled alike (the objective's scale follows the least priority, and
    a scale alone moves no optimum), 1 for costs with no column in common."""
    old_sum, new_sum = np.abs(old).sum(), np.abs(new).sum()
    if old_sum == 0 or new_sum == 0:
        return 0.0 if old_sum == new_sum else 1.0
    return float(np.abs(new / new_sum - old / old_sum).sum() / 2)


class HighsBridge(pulp.HiGHS):
    """PuLP's HiGHS interface, handing the model over as whole arrays.

    PuLP's own ``buildSolverModel`` walks every variable and coefficient through
    Python objects, and ``findSolutionValues`` writes results back one constraint
    at a time; at national scale both cost more than the solve. Here the matrix and
    objective go to HiGHS in one ``addRows`` and one ``addCols`` call, as the arrays the
    :class:`PlanProblem` was built from (see :meth:`PlanProblem.row_terms`). Bounds and integrality
    are always read from the core, where solving with integers fixed changes them. The
    solution (values, and the rows' duals) goes back through the core's bulk setters. Seconds
    spent in each step are kept in ``timings``.

    A time limit (``timeLimit``) is counted from the start of the hand-over: HiGHS is given what
    is left of it once the model is handed over, or ``least`` seconds if that is more.
    """

    def __init__(self, start: tuple[np.ndarray, np.ndarray] | None = None,
                 set_aside: tuple[np.ndarray, np.ndarray] | None = None, least: float = 0.0,
                 warm: WarmStart | None = None, compared_rows: list[np.ndarray] | None = None, **kwargs):
        """``start``: (column ids, values) of a starting plan for a mixed-integer solve; HiGHS
        completes the columns not given. ``set_aside``: (row ids, column ids) left out of this
        solve: the rows made free and the columns held at 0 (HiGHS's presolve removes both).
        ``least``: seconds HiGHS is given at least, whatever the hand-over took of the limit.
        ``warm``: an LP's basis to start from, where it fits this LP (``warm_started`` says whether it did), its
        figures compared on the rows ``compared_rows`` (ids, a family's each, given with ``warm``)."""
        super().__init__(**kwargs)
        self.start = start
        self.warm, self.compared_rows = warm, compared_rows
        # this LP's, as WarmStart keeps them; worked out only with ``warm``
        self.shape: bytes | None = None
        self.figures: np.ndarray | None = None
        self.groups: np.ndarray | None = None  # of the figures: see _limits_moved
        self.warm_started = False
        self.set_aside = set_aside
        self.values: np.ndarray | None = None  # the solution, by column id, as written back
        self.cost: np.ndarray | None = None  # the objective's coefficients, by column id, as handed over
        self.timings: dict[str, float] = {}
        self.least = least
        self.handover_start: float | None = None
        self.fell_back = False  # whether the dual simplex failed and the primal simplex solved (see callSolver)

    def buildSolverModel(self, lp: PlanProblem) -> None:
        start = self.handover_start = time.perf_counter()
        highs = lp.solverModel
        core = lp.toRustModel()
        variables = core.list_variables()
        # ids are handed out in order and never reused, so ids 0..n-1 mean none was removed
        if variables and (variables[0].id() != 0 or variables[-1].id() != len(variables) - 1):
            raise SolveError("variables were removed from the model; cannot hand it over by position")
        lower = np.fromiter((v.lb for v in variables), dtype=float, count=len(variables))
        upper = np.fromiter((v.ub for v in variables), dtype=float, count=len(variables))
        if self.set_aside is not None:
            upper[self.set_aside[1]] = 0.0
        cost = self.cost = lp.objective_costs()
        empty = np.zeros(0, dtype=np.int32)
        for option, value in HIGHS_OPTIONS.items():
            highs.setOptionValue(option, value)
        _accepted(highs.addCols(len(variables), cost, lower, upper, 0, empty, empty, np.zeros(0)), "columns")
        integer = np.flatnonzero([v.is_integer() for v in variables]) if core.is_mip() and self.mip else []
        if len(integer):
            highs.changeColsIntegrality(
                len(integer), integer.astype(np.int32),
                np.full(len(integer), highspy.HighsVarType.kInteger),
            )
        if lp.sense == pulp.LpMaximize:
            highs.changeObjectiveSense(highspy.ObjSense.kMaximize)

        constraints = core.list_constraints()
        if constraints and constraints[-1].id() != len(constraints) - 1:
            raise SolveError("constraints were removed from the model; cannot hand it over by position")
        starts, index, value = lp.row_terms()
        rhs = np.fromiter((c.rhs for c in constraints), dtype=float, count=len(constraints))
        sense = [c.sense for c in constraints]
        le = np.array([s == pulp_core.Sense.LessEqual for s in sense], dtype=bool)
        ge = np.array([s == pulp_core.Sense.GreaterEqual for s in sense], dtype=bool)
        row_lower = np.where(le, -highspy.kHighsInf, rhs)
        row_upper = np.where(ge, highspy.kHighsInf, rhs)
        if self.set_aside is not None:
            row_lower[self.set_aside[0]] = -highspy.kHighsInf
            row_upper[self.set_aside[0]] = highspy.kHighsInf
        _accepted(highs.addRows(len(constraints), row_lower, row_upper, len(index), starts[:-1], index, value),
                     "rows")
        if self.warm is not None:
            family = np.full(len(constraints), -1)  # of the rows compared, by its position
            for i, rows in enumerate(self.compared_rows):
                family[rows] = i
            shape = hashlib.blake2b(np.array([len(variables), len(integer), len(starts), len(index)],
                                             dtype=np.int64).tobytes())
            for part in (starts, index, le, ge, family):
                shape.update(np.ascontiguousarray(part).tobytes())
            self.shape = shape.digest()
            compared, terms = family >= 0, np.repeat(family, np.diff(starts))
            self.figures = np.concatenate([row_lower[compared], row_upper[compared], value[terms >= 0]])
            # each family's lower bounds, upper bounds and coefficients a group of their own
            count = len(self.compared_rows)
            self.groups = np.concatenate([family[compared], count + family[compared], 2 * count + terms[terms >= 0]])
        self.timings["handover"] = time.perf_counter() - start

    def buildStats(self, lp: pulp.LpProblem, status, has_solution: bool, *, start, best_bound=None):
        """PuLP's solve statistics, with the counts taken from the compiled core: PuLP's own
        ``numVariables()`` wraps every variable in a Python object (0.14 s at 170k variables)."""
        wall, cpu = clocks()
        core = lp.toRustModel()
        return pulp.LpSolveStats(
            solver=self.name,
            status=pulp.LpSolveStatus(status),
            has_solution=has_solution,
            time=wall - start[0],
            cpu_time=cpu - start[1],
            objective=lp.objective.value() if has_solution and lp.objective is not None else None,
            best_bound=best_bound,
            num_variables=core.num_variables,
            num_constraints=core.num_constraints,
            is_mip=bool(core.is_mip()),
            solver_options=self.toDict(),
        )

    def callSolver(self, lp: pulp.LpProblem) -> None:
        start = time.perf_counter()
        highs = lp.solverModel
        limit = None
        if self.timeLimit is not None:  # what the hand-over left of it
            limit = max(self.timeLimit - (start - self.handover_start), self.least, 0.0)
            _give_time(highs, limit)
        if self.warm is not None and self.warm.fits(self.shape, self.figures, self.groups, self.cost):
            # a basis that does not fit (HiGHS checks its counts) leaves HiGHS to start cold
            self.warm_started = highs.setBasis(self.warm.basis) == highspy.HighsStatus.kOk
        started = self.start is not None and len(self.start[0]) > 0
        if started:
            columns, values = self.start
            highs.setSolution(len(columns), columns.astype(np.int32), values.astype(float))
        _run_interruptibly(highs)

        def again() -> None:  # from scratch, in what is left of the time limit
            highs.clearSolver()
            if limit is not None:
                _give_time(highs, max(limit - (time.perf_counter() - start), 0.0))
            _run_interruptibly(highs)

        if started and not self._worth_what_is_reported(highs):
            # HiGHS (1.16) can carry a start through its presolve to a better plan, report that
            # plan's objective and hand back the start: solved again without it
            again()
        if highs.getModelStatus() == highspy.HighsModelStatus.kSolveError:
            # HiGHS's dual simplex can fail its ratio test on costs many orders of magnitude apart (priorities
            # 1e6 apart and a service one GPU barely serves): the primal simplex solves those; kept for the
            # power steps and ranging that solve on from here
            highs.setOptionValue("simplex_strategy", FALLBACK_SIMPLEX)
            again()
            self.fell_back = True
        self.timings["solver"] = time.perf_counter() - start

    def _worth_what_is_reported(self, highs: highspy.Highs) -> bool:
        """Whether the plan HiGHS holds (if any) is worth the objective it reports for it."""
        solution = highs.getSolution()
        if not solution.value_valid:
            return True
        reported = highs.getInfo().objective_function_value
        return abs(self.cost @ np.asarray(solution.col_value) - reported) <= 1e-6 * max(1.0, abs(reported))

    def findSolutionValues(self, lp: pulp.LpProblem):
        start = time.perf_counter()
        highs = lp.solverModel
        status = highs.getModelStatus()
        solution = highs.getSolution()
        core = lp.toRustModel()
        values = solution.col_value  # a new list at each read
        self.values = np.asarray(values)
        core.set_variable_values(list(zip(range(core.num_variables), values)))
        # the rows' duals, not the columns' reduced costs: nothing reads those (0.08 s at L)
        core.set_constraint_pis(list(zip(range(core.num_constraints), solution.row_dual)))
        finite = np.isfinite(highs.getObjectiveValue())
        info = highs.getInfo()
        # stopped early, a dual simplex's point need not be primal feasible: ask HiGHS
        primal_feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        # an LP stopped before its first iteration holds only where it starts (no GPUs given to anything),
        # feasible but no plan: as if, with no time left, it had not been started
        began = core.is_mip() or info.simplex_iteration_count > 0 or info.ipm_iteration_count > 0
        has_solution = status == highspy.HighsModelStatus.kOptimal or (
            status == highspy.HighsModelStatus.kTimeLimit and finite and solution.value_valid and primal_feasible
            and began
        )
        self.timings["write_back"] = time.perf_counter() - start
        return _HIGHS_STATUS.get(status, pulp.LpSolveStatus.Undefined), bool(has_solution)


class CbcCommand(pulp.COIN_CMD):
    """CBC through its command line (PuLP's interface), with what the planner found wrong in it
    set right: ``MIP_OPTIONS`` for mixed-integer solves, and no best bound reported."""

    # CBC's MIP preprocessing can declare continuous columns integer and return a wrong "optimum"
    # (here: served shares forced to 0 or 1; see coin-or/Cbc issue 724); its search for symmetry
    # took 17 of 28 s on 500 workloads and found none
    MIP_OPTIONS = ["preprocess off", "Orbit off"]

    def buildStats(self, *args, **kwargs) -> pulp.LpSolveStats:
        """PuLP's statistics without the bound it reads back from CBC, which is the plan's own
        objective (a gap of 0 where CBC's log says 1%)."""
        stats = super().buildStats(*args, **kwargs)
        stats.best_bound = None
        return stats

    def solve_CBC(self, lp: pulp.LpProblem, use_mps: bool = True):
        """PuLP's, with CBC ended and its files removed however the solve ends. PuLP waits on CBC and, stopped
        while it waits (Ctrl-C, SIGTERM), leaves it solving on with no one to read its plan, beside its model and
        solution files (close to 100 MB at 2,000 workloads)."""
        coin = sys.modules[pulp.COIN_CMD.__module__]
        self._started, self._files = _Started(), []
        coin.subprocess = self._started  # the name PuLP starts CBC through
        try:
            return super().solve_CBC(lp, use_mps)
        except BaseException:
            with signals_held():  # a second Ctrl-C waits for CBC to end and its files to go
                for process in self._started.processes:
                    if process.poll() is None:
                        process.kill()
                        process.wait()
                self.delete_tmp_files(*self._files)
            raise
        finally:
            coin.subprocess = subprocess

    def create_tmp_files(self, name: str, *kinds: str) -> list[str]:
        """PuLP's, kept to be removed by :meth:`solve_CBC` if the solve stops."""
        files = list(super().create_tmp_files(name, *kinds))
        self._files += files
        return files


class _Started:
    """The ``subprocess`` module as PuLP's CBC interface uses it, keeping the ``processes`` it starts."""

    def __init__(self):
        self.processes: list[subprocess.Popen] = []

    def __getattr__(self, name: str):
        return getattr(subprocess, name)

    def Popen(self, *args, **kwargs) -> subprocess.Popen:  # noqa: N802 (the name it stands in for)
        process = subprocess.Popen(*args, **kwargs)
        self.processes.append(process)
        return process


def _give_time(highs: highspy.Highs, seconds: float) -> None:
    """Let HiGHS's next run take ``seconds``: its time limit counts the time of all its runs together."""
    highs.setOptionValue("time_limit", highs.getRunTime() + seconds)


STOP_HINT_AFTER_S = 1.0  # a solver still running this long after Ctrl-C: say how to quit at once
ONE_PRESS_S = 0.5  # interrupts this close together are one press of the key


def _run_interruptibly(highs: highspy.Highs) -> None:
    """``highs.run()``, stopped within moments by Ctrl-C rather than when the solve ends (minutes at
    national scale); a second Ctrl-C quits at once.

    Python acts on a signal only between bytecodes, which a solve in C++ never reaches; but its C
    handler also writes the signal's number to the wakeup file descriptor at once. A watcher thread
    blocked on that descriptor then stops HiGHS through its time limit, which HiGHS re-reads as it
    solves, and the interrupt is raised when ``run`` returns. HiGHS itself stays on this thread:
    run on a thread of its own it was 0.5 s slower at L, and highspy's interrupt callback, a call
    into Python per simplex iteration, made it 10% slower at M.

    Some stretches of branch and bound never read the limit (docs/performance.md), so a solver
    still running :data:`STOP_HINT_AFTER_S` after the key says so, and a second Ctrl-C ends the
    process with exit code 130. That is safe: nothing is written while a solve runs.
    """
    if threading.current_thread() is not threading.main_thread():
        highs.run()  # signals reach the main thread only
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    stopped = threading.Event()

    def watch() -> None:
        presses, hinted, last_press = 0, False, -math.inf
        while not stopped.is_set():
            if presses == 1 and not hinted:
                hinted = True
                if not select.select([read_end], [], [], STOP_HINT_AFTER_S)[0] and not stopped.is_set():
                    os.write(2, b"stopping the solver; press Ctrl-C again to quit at once\n")
            received = os.read(read_end, 64)
            if stopped.is_set():
                return
            # SIGTERM stops the solve as Ctrl-C does; Ctrl-C in a sweep reaches a worker twice at once
            # (from the terminal, and from the sweep, see planner.cli._stop_sweep): one press
            now = time.monotonic()
            if (signal.SIGINT in received or signal.SIGTERM in received) and now - last_press >= ONE_PRESS_S:
                presses, last_press = presses + 1, now
            if presses >= 2:
                os.write(2, b"interrupted\n")
                os._exit(128 + signal.SIGINT)  # as shells report Ctrl-C
            if presses:
                highs.setOptionValue("time_limit", 0.0)

    watcher = threading.Thread(target=watch, name="highs-interrupt", daemon=True)
    watcher.start()
    try:
        highs.run()
    finally:
        signal.set_wakeup_fd(previous)
        stopped.set()
        os.write(write_end, b"\0")  # wakes the watcher to end
        watcher.join()
        os.close(read_end)
        os.close(write_end)


_HIGHS_STATUS = {
    highspy.HighsModelStatus.kOptimal: pulp.LpSolveStatus.Optimal,
    highspy.HighsModelStatus.kInfeasible: pulp.LpSolveStatus.Infeasible,
    highspy.HighsModelStatus.kUnbounded: pulp.LpSolveStatus.Unbounded,
    highspy.HighsModelStatus.kTimeLimit: pulp.LpSolveStatus.TimeLimit,
    highspy.HighsModelStatus.kIterationLimit: pulp.LpSolveStatus.IterationLimit,
    highspy.HighsModelStatus.kInterrupt: pulp.LpSolveStatus.Interrupted,
}


def _solver(name: str, time_limit: float | None, msg: bool, gap: float | None = None,
            start: tuple[np.ndarray, np.ndarray] | None = None, least: float = 0.0,
            warm: tuple[WarmStart, PlanModel] | None = None) -> pulp.LpSolver:
    """The PuLP solver ``name``, given ``time_limit`` seconds but ``least`` at least. For a
    mixed-integer solve: ``gap``, the relative gap to stop within, and ``start`` (column ids,
    values, already written into the model's variables), a starting plan. For an LP solved by HiGHS:
    ``warm``, a basis to start from where it fits the model given with it."""
    if name == "highs":
        basis, compared_rows = (None, None) if warm is None else (
            warm[0], [warm[1].row_ids(family) for family in WARM_START_COMPARED])
        return HighsBridge(start=start, least=least, warm=basis, compared_rows=compared_rows, msg=msg,
                           timeLimit=time_limit, gapRel=gap, output_flag=msg)
    if name == "cbc":
        # CBC stops once the gap is within its ratio of the larger of plan and bound: gap / (1 + gap)
        # of the bound is gap of the plan, as HiGHS and the report count it
        return CbcCommand(msg=msg, timeLimit=None if time_limit is None else max(time_limit, least),
                          gapRel=None if gap is None else gap / (1 + gap),
                          warmStart=start is not None,
                          options=CbcCommand.MIP_OPTIONS if gap is not None else [])
    raise ValueError(f"unknown solver '{name}'; choose one of {', '.join(SOLVERS)}")


@contextlib.contextmanager
def solver_output(shown: bool, stage: str = "") -> Iterator[None]:
    """The solver's own prints to file descriptor 1 (HiGHS prints there in this process, a banner
    whenever a solver instance is created whatever its options; CBC's process inherits it): on
    standard error when ``shown``, after a line naming the ``stage`` the log is of, so that standard
    output keeps the planner's own lines; else silenced."""
    sys.stdout.flush()
    if shown and stage:
        print(stage, file=sys.stderr, flush=True)
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(2 if shown else devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _values(model: PlanModel) -> np.ndarray:
    """Every variable's value, indexed by variable id."""
    variables = model.problem.toRustModel().list_variables()
    ids = np.fromiter((v.id() for v in variables), dtype=np.int64, count=len(variables))
    values = np.zeros(int(ids.max()) + 1 if len(ids) else 0)
    values[ids] = np.fromiter((v.value or 0.0 for v in variables), dtype=float, count=len(variables))
    return values


@contextlib.contextmanager
def _integers_continuous(model: PlanModel, fixed: np.ndarray | None = None) -> Iterator[None]:
    """The model's integer columns made continuous for the block, at their ``fixed`` values (by
    column id) if given; restored afterwards."""
    columns = model.integer_columns()
    integers = model.problem.toRustModel().list_variables_by_ids(columns.tolist())
    saved = [(v.lb, v.ub) for v in integers]
    for v in integers:
        v.set_category(pulp_core.Category.Continuous)
    if fixed is not None:
        for v, value in zip(integers, np.round(fixed[columns]).tolist()):
            v.set_lb(value)
            v.set_ub(value)
    try:
        yield
    finally:
        for v, (lb, ub) in zip(integers, saved):
            v.set_lb(lb)
            v.set_ub(ub)
            v.set_category(pulp_core.Category.Integer)


def price_ranges(highs: highspy.Highs, model: PlanModel) -> dict[str, np.ndarray]:
    """How far each shadow price of an optimal LP holds at least: the change of a right-hand side
    over which the final basis stays optimal, so that the score moves by exactly the price per unit.
    Where the optimum is degenerate (two limits reached at once) another basis of the same plan may
    hold further, so the price may too: this is a floor on its reach, not its end.

    - ``power_up_mw`` / ``power_down_mw``, per power row: MW of budget more / less;
    - ``fleet_up_gpus``, per fleet row: GPUs more installed, each also taking its idle draw from the
      period's power headroom (the change the fleet's price is for);
    - ``serves_power``, ``serves_served``, ``serves_per_mw``: what a MW more of a power row's budget serves, as
      long as its price holds: per (power row, served column) that moves, by positions in ``model.rows["power"]``
      and ``model.served``, the served share more (or less) per MW. Its score is the price, the energy
      tie-break left out: it says what the price is made of, where a run moved into the period frees GPUs
      for a service in another.

    This is the ratio test of right-hand-side ranging, for these rows alone: one solve with the
    basis matrix each (HiGHS's own ``getRanging`` ranges every row and column, 0.7 s at L). NaN where
    HiGHS holds no basis to read; infinite where no limit is ever reached.
    """
    n_rows = highs.getNumRow()
    power, fleet = model.rows["power"], model.rows["fleet"]
    unknown = {"power_up_mw": np.full(len(power), np.nan), "power_down_mw": np.full(len(power), np.nan),
               "fleet_up_gpus": np.full(len(fleet), np.nan), "serves_power": np.zeros(0, dtype=np.int64),
               "serves_served": np.zeros(0, dtype=np.int64), "serves_per_mw": np.zeros(0)}
    status, basic = highs.getBasicVariables()
    if status != highspy.HighsStatus.kOk or n_rows == 0:
        return unknown
    basic = np.asarray(basic)
    solution, lp = highs.getSolution(), highs.getLp()
    is_column = basic >= 0
    column, row = np.where(is_column, basic, 0), np.where(is_column, 0, -basic - 1)
    pick = lambda of_columns, of_rows: np.where(is_column, np.asarray(of_columns)[column],  # noqa: E731
                                                np.asarray(of_rows)[row])
    value = pick(solution.col_value, solution.row_value)
    lower, upper = pick(lp.col_lower_, lp.row_lower_), pick(lp.col_upper_, lp.row_upper_)
    position = np.full(n_rows, -1)
    position[row[~is_column]] = np.flatnonzero(~is_column)

    solved: dict[int, np.ndarray | None] = {}

    def moves(r: int) -> np.ndarray | None:
        """How the basic variables move per unit of row ``r``'s activity (None if HiGHS cannot say):
        a basic column by z, a basic row's activity by -z (HiGHS's logicals are +I). Solved once
        per row: a fleet row's change shares its period's power row with the others'."""
        if r not in solved:
            unit = np.zeros(n_rows)
            unit[r] = 1.0
            status, z = highs.getBasisSolve(unit)
            solved[r] = np.where(is_column, z, -z) if status == highspy.HighsStatus.kOk else None
        return solved[r]

    def room(change: dict[int, float]) -> tuple[float, float]:
        """How far the right-hand sides may move by ``change`` (row id: amount per unit), up and down."""
        rate = np.zeros(len(basic))
        for r, amount in change.items():
            if position[r] >= 0:
                rate[position[r]] -= amount  # a basic row keeps its activity: its bound moves away from it
            elif (z := moves(r)) is None:  # a row at its bound: its activity moves with it
                return math.nan, math.nan
            else:
                rate += amount * z
        moving = np.flatnonzero(np.abs(rate) > 1e-12)  # few: a change reaches few basic variables
        rate, headroom, footroom = rate[moving], (upper - value)[moving], (value - lower)[moving]
        up = np.where(rate > 0, headroom, footroom) / np.abs(rate)  # until one reaches a bound, each way
        down = np.where(rate > 0, footroom, headroom) / np.abs(rate)
        return max(float(up.min(initial=np.inf)), 0.0) + 0.0, max(float(down.min(initial=np.inf)), 0.0) + 0.0  # no -0.0

    power_ids = model.row_ids("power").tolist()
    out = unknown
    # the served columns' places among the basic variables (-1: not basic, so not moved by a budget)
    in_basis = np.full(highs.getNumCol(), -1)
    in_basis[column[is_column]] = np.flatnonzero(is_column)
    served_at = in_basis[model.served["column"].to_numpy(dtype=np.int64)]
    basic_served = np.flatnonzero(served_at >= 0)
    serves = []
    for i, r in enumerate(power_ids):
        out["power_up_mw"][i], out["power_down_mw"][i] = room({r: 1.0})
        if position[r] < 0 and (z := moves(r)) is not None:  # at its budget: a MW more moves the plan
            per_mw = z[served_at[basic_served]]
            keep = np.abs(per_mw) > 1e-12
            serves.append((np.full(keep.sum(), i), basic_served[keep], per_mw[keep]))
    if serves:
        for key, part in zip(("serves_power", "serves_served", "serves_per_mw"), zip(*serves)):
            out[key] = np.concatenate(part)
    # one change per GPU type and period in use (dozens, not thousands), each a basis solve at most
    for i, (r, p, idle_mw) in enumerate(zip(model.row_ids("fleet").tolist(), fleet["p"], fleet["idle_mw_per_gpu"])):
        out["fleet_up_gpus"][i] = room({r: 1.0, power_ids[p]: -idle_mw})[0]
    return out


# what a solve of an LP that has a plan ends in, right or not: its optimum, or its time limit
_SETTLED = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit)


def power_steps(highs: highspy.Highs, model: PlanModel, step_mw: float, time_limit: float | None
                ) -> dict[str, np.ndarray]:
    """The score gained with ``step_mw`` more MW of budget, and lost with that many fewer, per period: in that
    period alone, and in it and every later one (a power contract from then on), whose worth is not the sum of
    the periods' own where training runs carry work between them. Exact for the whole step, wherever other
    limits take over, where a price holds only so far: each is the LP solved again with those budgets moved, then
    put back; a period alone from the plan's optimal basis, from a period on from the last period back, each from
    the optimum of the one after it (a budget more moved: a few iterations, not the hundreds from the plan's).

    - ``power_up_points`` / ``power_up_onward_points``: 0 where every budget moved has slack (the plan stays
      optimal with more);
    - ``power_down_points`` / ``power_down_onward_points``: 0 where each budget's slack covers the step (the plan
      stays feasible, so optimal).

    Those are not solved again. NaN where a solve does not reach its optimum: out of ``time_limit`` (seconds,
    for all of them), or with no plan at all (the installed fleet draws more idle than a budget less the step).
    HiGHS is left at the plan's optimum, as found."""
    power = model.row_ids("power").astype(np.int32)
    start = time.perf_counter()
    lp, basis = highs.getLp(), highs.getBasis()
    lower, upper = np.asarray(lp.row_lower_)[power], np.asarray(lp.row_upper_)[power]
    served = model.served["column"].to_numpy(dtype=np.int64)
    weight = model.served["weight"].to_numpy(dtype=float)

    def score(values) -> float:
        return float(weight @ np.clip(np.asarray(values)[served], 0.0, 1.0))

    plan = highs.getSolution()
    base, slack = score(plan.col_value), upper - np.asarray(plan.row_value)[power]
    binds = slack <= DUAL_NOISE * np.maximum(1.0, np.abs(upper))

    def reached(moved: np.ndarray, change: float) -> bool:
        """Whether moving the budgets ``moved`` (a mask) by ``change`` MW reaches one: else the plan stays optimal."""
        return bool(binds[moved].any() if change > 0 else (slack[moved] < -change).any())

    def move(at: np.ndarray, change: float) -> None:
        highs.changeRowsBounds(len(at), power[at], lower[at], upper[at] + change)

    def left() -> float:
        return math.inf if time_limit is None else time_limit - (time.perf_counter() - start)

    def solved_gain(from_plan: bool, feasible: bool) -> float:
        """The score gained over the plan's by solving as the budgets now stand, from the plan's own optimum or from
        the last solve's (NaN: out of time, or no plan). ``feasible``: the budgets only moved up, so the plan is
        still one."""
        if left() <= 0:  # not started, as no stage is with nothing left: HiGHS may finish one at a limit of 0
            return math.nan
        if from_plan:
            highs.setBasis(basis)
        _give_time(highs, left())
        _run_interruptibly(highs)
        if feasible and highs.getModelStatus() not in _SETTLED and left() > 0:
            # HiGHS, started from the last solve's basis, can stop on such an LP without an answer (seen with costs
            # a millionth of the others'): solved again from scratch
            highs.clearSolver()
            _give_time(highs, left())
            _run_interruptibly(highs)
        optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return score(highs.getSolution().col_value) - base if optimal else math.nan

    periods = np.arange(len(power))
    steps = {}
    for name, change, sign in (("up", step_mw, 1.0), ("down", -step_mw, -1.0)):  # a loss is a gain less than 0
        alone = np.zeros(len(power))
        for p in np.flatnonzero([reached(periods == p, change) for p in periods]):
            move(periods[p:p + 1], change)
            alone[p] = sign * solved_gain(from_plan=True, feasible=change > 0)  # a few iterations from the optimum
            move(periods[p:p + 1], 0.0)
        # from the last period back, each a period more than the last, solved from where that one ended
        onward, warm = np.zeros(len(power)), False
        for p in periods[::-1]:
            move(periods[p:p + 1], change)
            if reached(periods >= p, change):
                onward[p] = sign * solved_gain(from_plan=not warm, feasible=change > 0)
                warm = not math.isnan(onward[p])
        move(periods, 0.0)
        steps[f"power_{name}_points"], steps[f"power_{name}_onward_points"] = alone, onward
    highs.setBasis(basis)
    highs.setOptionValue("time_limit", highspy.kHighsInf)
    _run_interruptibly(highs)  # no iteration: its optimal basis, for whoever reads HiGHS next
    # worth less than a thousandth of an objective unit, a step is worth nothing: the solver's noise
    noise = STEP_NOISE * OBJECTIVE_SCALE / model.objective_scale
    return {key: np.where(np.abs(worth) < noise, 0.0, worth) + 0.0 for key, worth in steps.items()}


def _shadow_prices(model: PlanModel, backend: pulp.LpSolver) -> tuple[dict[str, np.ndarray], bool]:
    """Per constraint family, the score gained per unit of each row's right-hand side relaxed, after
    the model's last solve; and whether that is the score's own price (see :class:`Solution`).

    The LP's objective holds the energy tie-break too, so its duals price energy as well: a MW
    could read as worth something where it only lets work move to a GPU drawing less. From HiGHS's
    final basis the score's own duals are solved for instead (Bᵀy = the basic columns' score
    costs): how the plan's score moves with the right-hand side while its basis holds. CBC leaves no
    basis to read: its duals are taken as they are.
    """
    duals = _score_duals(model.problem.solverModel, model) if isinstance(backend, HighsBridge) else None
    # maximisation: a <= row's dual is the gain per unit of right-hand side; a >= row (demand met)
    # gains by lowering its right-hand side. HiGHS signs a maximisation's <= duals +, CBC (read by
    # PuLP) -. Signed, not as magnitudes: the score's duals on a basis the tie-break chose can say
    # that relaxing a row lowers the score (the plan then saves energy for less score)
    shadow = {}
    for family, table in model.rows.items():
        # one sense per family
        less_equal = len(table) > 0 and table["row"].iloc[0].sense == pulp_core.Sense.LessEqual
        if duals is None:
            pi = -np.fromiter((row.pi or 0.0 for row in table["row"]), dtype=float, count=len(table))
        else:
            pi = duals[model.row_ids(family)]
        pi = np.where(np.abs(pi) < DUAL_NOISE, 0.0, pi)
        shadow[family] = (pi if less_equal else -pi) / model.objective_scale + 0.0  # no -0.0
    return shadow, duals is not None


def _score_duals(highs: highspy.Highs, model: PlanModel) -> np.ndarray | None:
    """Every row's dual for the score alone, on HiGHS's final basis (model objective units);
    None where HiGHS holds no basis."""
    status, basic = highs.getBasicVariables()
    if status != highspy.HighsStatus.kOk or highs.getNumRow() == 0:
        return None
    basic = np.asarray(basic)
    score = np.zeros(highs.getNumCol())
    score[model.served["column"].to_numpy()] = model.objective_scale * model.served["weight"].to_numpy(dtype=float)
    status, duals = highs.getBasisTransposeSolve(np.where(basic >= 0, score[np.maximum(basic, 0)], 0.0))
    return np.asarray(duals) if status == highspy.HighsStatus.kOk else None


def _solve_with_integers_fixed(model: PlanModel, values: np.ndarray, solver: str, time_limit: float | None,
                               msg: bool, stage: str, least: float = 0.0) -> tuple[pulp.LpSolveStats, pulp.LpSolver]:
    """The LP left when the integer columns are fixed at their ``values`` (by column id): it
    completes a starting plan's continuous columns. The solver is given ``least`` seconds at least;
    its log, if shown (``msg``), follows the line ``stage``."""
    backend = _solver(solver, time_limit, msg, least=least)
    with _integers_continuous(model, values), solver_output(msg, stage), paused_gc():
        return model.problem.solve(backend), backend


@dataclass
class RelaxedStart:
    """Starting plans for a mixed-integer solve, from its relaxation: ``starts``, each (the integer
    column ids, their whole values), distinct (see :func:`relaxed_start`); the relaxation's optimum
    ``bound`` (model objective units), a bound on the mixed-integer one, its
    ``shadow_prices`` (see :class:`Solution`) and its ``served`` shares (as :attr:`Solution.served`); all
    None when the time limit stopped the relaxation first. ``highs``: HiGHS at the relaxation's optimum,
    where asked for and there is one."""

    starts: list[tuple[np.ndarray, np.ndarray]]
    bound: float | None
    shadow_prices: dict[str, np.ndarray] | None
    served: np.ndarray | None
    score_prices: bool = False  # see :class:`Solution`
    highs: highspy.Highs | None = None
    warm_started_from: str | None = None  # the input whose plan's basis the relaxation started from (WarmStart)
    fell_back: bool = False  # solved by the primal simplex, the dual having failed (see HighsBridge.callSolver)


def relaxed_start(model: PlanModel, solver: str, time_limit: float | None, msg: bool,
                  keep_highs: bool = False, warm: WarmStart | None = None) -> RelaxedStart | None:
    """The relaxation solved, then rounded to plans that keep every limit
    (:meth:`PlanModel.integer_starts`): with runs yielding GPUs above their minimum to rounded-up
    replicas, and without (when that differs). Neither is better everywhere: yielding came
    0.05-0.15 points nearer the bound on the benchmark scenarios, and 0.04 points further on the
    default one. None if the relaxation found no plan. ``keep_highs``: HiGHS is kept at the relaxation's
    optimum, for its power steps once the plan is found (it holds the model as long). ``warm``: the basis the
    relaxation starts from where it fits, and where it leaves its own optimal basis, pending (see :func:`solve`)."""
    backend = _solver(solver, time_limit, msg, warm=None if warm is None else (warm, model))
    if isinstance(backend, HighsBridge):  # the switches, which the relaxation needs not (see the model)
        backend.set_aside = model.switch_rows_and_columns()
    with _integers_continuous(model), solver_output(msg, "solving the relaxation"), paused_gc():
        stats = model.problem.solve(backend)
    if not stats.has_solution:
        return None
    optimal = stats.status == pulp.LpSolveStatus.Optimal
    bound = float(model.problem.objective.value()) if optimal else None
    values = _values(model)
    shadow_prices, score_prices = _shadow_prices(model, backend) if optimal else (None, False)
    if shadow_prices is not None:
        shadow_prices["fleet"] = model.fleet_prices_with_switches(shadow_prices, values)
    at_optimum = model.problem.solverModel if optimal and isinstance(backend, HighsBridge) else None
    warm_started_from = None if warm is None else warm.leave(model.source, backend, at_optimum)
    served = _served(model, values) if optimal else None
    return RelaxedStart(model.integer_starts(values), bound, shadow_prices, served, score_prices,
                        at_optimum if keep_highs else None, warm_started_from, getattr(backend, "fell_back", False))


@dataclass
class CompletedStart:
    """A rounded relaxation with its continuous columns completed by the LP with its integers
    fixed: that LP's ``stats`` and ``backend``, every column's ``values`` (by column id), its
    ``objective`` (model units), and whether the plan is ``proven`` within the gap of the
    relaxation's optimum."""

    stats: pulp.LpSolveStats
    backend: pulp.LpSolver
    values: np.ndarray
    objective: float
    proven: bool


def _completed_start(model: PlanModel, relaxed: RelaxedStart, solver: str, time_limit: float | None, msg: bool,
                     gap: float, least: float = 0.0) -> CompletedStart | None:
    """The best of the relaxation's starting plans, each completed (see :class:`CompletedStart`), then with whole
    replicas added where it leaves room (:meth:`PlanModel.filled`) and completed again, proven if within ``gap`` of
    the relaxation's optimum; its values are left in the model's variables. None if no completing LP found a plan.
    The first plan's solver is given ``least`` seconds at least (see :data:`COMPLETION_GRACE`); the others are not
    started once ``time_limit`` is used up."""
    best = backend = None
    core = model.problem.toRustModel()
    start = time.perf_counter()

    def remaining() -> float | None:
        return None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.0)

    def complete(stage: str, whole: np.ndarray, least_s: float) -> None:  # keeps the better plan in ``best``
        nonlocal best, backend
        stats, backend = _solve_with_integers_fixed(model, whole, solver, remaining(), msg, stage, least_s)
        if stats.has_solution:
            objective = float(model.problem.objective.value())
            if best is None or objective > best.objective:
                best = CompletedStart(stats, backend, _solution_values(model, backend).copy(), objective, False)

    for i, (columns, values) in enumerate(relaxed.starts):
        if i > 0 and remaining() == 0:  # no time left: not even handed over
            break
        whole = np.zeros(core.num_variables)
        whole[columns] = values
        complete(f"completing rounded plan {i + 1} of {len(relaxed.starts)}", whole, least if i == 0 else 0.0)
    if best is not None and remaining() != 0 and (filled := model.filled(best.values)) is not None:
        complete("completing the plan with whole replicas added where it leaves room", filled, 0.0)
    if best is None:
        return None
    if best.backend is not backend:  # another plan was solved last: put the best back
        _write_values(model, np.arange(len(best.values)), best.values)
    best.proven = (relaxed.bound is not None and best.stats.status == pulp.LpSolveStatus.Optimal
                   and relaxed.bound - best.objective <= gap * max(abs(best.objective), 1e-9))
    return best


def _served(model: PlanModel, values: np.ndarray) -> np.ndarray:
    """The served shares among every column's ``values``, in the model's served order."""
    return np.clip(values[model.served["column"].to_numpy(dtype=np.int64)], 0.0, 1.0)


def _write_values(model: PlanModel, columns: np.ndarray, values: np.ndarray) -> None:
    """Set the model's variables ``columns`` (ids) to ``values``."""
    model.problem.toRustModel().set_variable_values(list(zip(columns.tolist(), values.tolist())))


def _solution_values(model: PlanModel, backend: pulp.LpSolver) -> np.ndarray:
    """Every column's value from the last solve: as HiGHS handed it back, rather than read again
    out of PuLP's variables."""
    if isinstance(backend, HighsBridge) and backend.values is not None:
        return backend.values
    return _values(model)


def solve(model: PlanModel, solver: str = "highs", time_limit: float | None = None, msg: bool = False,
          gap: float = DEFAULT_MIP_GAP, power_step_mw: float | None = None, warm: WarmStart | None = None
          ) -> Solution:
    """Solve the model; raise SolveError unless a feasible plan comes back. ``gap``: the relative
    gap a mixed-integer solve stops within (an LP is solved to optimality). ``msg``: the solvers'
    own logs shown on standard error, each after a line naming its stage (see :func:`solver_output`).
    ``power_step_mw``: what that many MW more and fewer are worth in each period (:func:`power_steps`), for an
    LP, or a mixed-integer plan's relaxation, solved to its optimum by HiGHS; else none are worked out.
    ``warm``: for an LP, or a mixed-integer plan's relaxation, solved by HiGHS, the basis it starts from where it
    fits, and where it leaves its own optimal basis, pending (:meth:`WarmStart.commit`); unused otherwise.

    A mixed-integer model is solved from its relaxation, rounded to a plan that keeps every
    limit: HiGHS's own heuristics find poor first plans at scale (40% below the bound after 30 s
    with 500 workloads), the rounded relaxation is within about 1% of it at once. When the plan
    it completes to is already within ``gap`` of the relaxation's optimum, it is the answer and
    no branch and bound runs.
    """
    if not _solver(solver, time_limit, msg).available():
        raise SolveError(f"solver '{solver}' is not available on this machine")
    start = time.perf_counter()
    check_coefficients(model)
    if warm is not None:  # a basis left by a scenario that failed after its solve is not this one's
        warm.pending = None

    def remaining() -> float | None:
        return None if time_limit is None else max(time_limit - (time.perf_counter() - start), 0.0)

    timings: dict[str, float] = {}
    relaxed = completed = None
    if model.integer:
        relaxed = relaxed_start(model, solver, time_limit, msg, bool(power_step_mw), warm)
        timings["relaxation"] = time.perf_counter() - start
        if relaxed is not None:
            least = 0.0 if time_limit is None else COMPLETION_GRACE * time_limit
            completed = _completed_start(model, relaxed, solver, remaining(), msg, gap, least)
    out_of_time = completed is not None and not completed.proven and remaining() == 0
    if completed is not None and (completed.proven or out_of_time):  # no time left to search from it
        stats, backend = completed.stats, completed.backend
        best_bound = relaxed.bound
    else:  # an LP, or branch and bound from the start: the completed one whole, so HiGHS need not
        # complete it again and holds a plan within about 1% from its first node
        plan_start = None if relaxed is None else relaxed.starts[0]
        if completed is not None:
            plan_start = (np.arange(len(completed.values)), completed.values)
        elif plan_start is not None:  # CBC reads its start from the model's variables
            _write_values(model, *plan_start)
        if completed is None and remaining() == 0:  # a solver told to stop at once: not even handed over
            raise SolveError(f"{solver} stopped without a feasible plan ({pulp.LpSolveStatus.TimeLimit.name})")
        backend = _solver(solver, remaining(), msg, gap if model.integer else None, plan_start,
                          warm=None if model.integer or warm is None else (warm, model))
        stage = "searching by branch and bound" if model.integer else "solving the linear program"
        with solver_output(msg, stage), paused_gc():
            stats = model.problem.solve(backend)
        best_bound = stats.best_bound
        if model.integer and best_bound is None and stats.status in (pulp.LpSolveStatus.Optimal,
                                                                     pulp.LpSolveStatus.GapLimit):
            # CBC gives no bound, but its "optimal" is proven within the gap asked (see _solver)
            plan = float(model.problem.objective.value())
            best_bound = plan + gap * abs(plan)
        if relaxed is not None and relaxed.bound is not None:
            # HiGHS's own bound, stopped early, can lag far behind the relaxation's; CBC's is none
            best_bound = relaxed.bound if best_bound is None else min(best_bound, relaxed.bound)
        if completed is not None and not stats.has_solution and stats.status == pulp.LpSolveStatus.TimeLimit:
            # stopped before it held a plan of its own (CBC, given little time): the completed start stands
            _write_values(model, np.arange(len(completed.values)), completed.values)
            stats, backend, out_of_time = completed.stats, completed.backend, True
    elapsed = time.perf_counter() - start
    if not stats.has_solution:
        started = getattr(backend, "warm_started", False)
        raise SolveError(f"{solver} stopped without a feasible plan ({stats.status.name})" + (
            f", started from the optimal basis of {warm.of} (--warm-start)" if started else ""))
    # stopped at the gap limit is optimal within it; the gap reached is reported with the plan
    optimal = stats.status in (pulp.LpSolveStatus.Optimal, pulp.LpSolveStatus.GapLimit)
    status = "timelimit" if out_of_time else "optimal" if optimal else stats.status.name.lower()
    scale = model.objective_scale
    extraction_start = time.perf_counter()
    objective = float(model.problem.objective.value()) / scale
    values = _solution_values(model, backend)
    # a mixed-integer plan's limits are priced by its relaxation: with replicas fixed, a MW or GPU
    # short of a whole replica is worth nothing, and a full power budget would read as no limit. A
    # relaxation, or an LP, stopped before its optimum prices nothing
    if model.integer:
        shadow, score_prices = (relaxed.shadow_prices, relaxed.score_prices) if relaxed is not None \
            else (None, False)
    else:
        shadow, score_prices = _shadow_prices(model, backend) if optimal else (None, False)
    if shadow is None:
        shadow = {family: np.full(len(table), np.nan) for family, table in model.rows.items()}
    # HiGHS at an LP's optimum, for how far its prices hold and its power steps; a mixed-integer plan's steps are
    # its relaxation's, as its prices are
    lp_optimum = model.problem.solverModel if optimal and not model.integer and isinstance(backend, HighsBridge) \
        else None
    ranges = {}
    if lp_optimum is not None:
        ranging_start = time.perf_counter()
        ranges = price_ranges(lp_optimum, model)
        timings["ranging"] = time.perf_counter() - ranging_start
    stepped = relaxed.highs if relaxed is not None else lp_optimum
    steps = {}
    if power_step_mw and stepped is not None:  # after every read of the plan: the steps move HiGHS off it and back
        steps_start = time.perf_counter()
        with solver_output(msg, "working out the power steps"):
            steps = power_steps(stepped, model, power_step_mw, remaining())
        timings["power_steps"] = time.perf_counter() - steps_start
    if model.integer:  # the relaxation's start, and its basis left pending
        warm_started_from = None if relaxed is None else relaxed.warm_started_from
    else:  # after the steps, which leave HiGHS at its optimal basis again
        warm_started_from = None if warm is None else warm.leave(model.source, backend, lp_optimum)
    timings.update(getattr(backend, "timings", {}))
    if "solver" not in timings:  # a solver without a split of its own: all of it counts as solving
        timings["solver"] = elapsed - timings.get("relaxation", 0.0)
    timings["extraction"] = (time.perf_counter() - extraction_start - timings.get("ranging", 0.0)
                             - timings.get("power_steps", 0.0))
    return Solution(
        status=status,
        solver=solver,
        solve_seconds=elapsed,
        objective=objective,
        allocation_units=np.maximum(values[model.allocation["column"].to_numpy(dtype=np.int64)], 0.0),
        served=_served(model, values),
        relaxed_served=relaxed.served if relaxed is not None else None,
        shadow_prices=shadow,
        best_bound=None if best_bound is None else best_bound / scale,
        gap_limit=gap if model.integer else None,
        time_limit_s=time_limit,
        timings=timings,
        price_ranges=ranges,
        score_prices=score_prices,
        power_step_mw=power_step_mw,
        power_steps=steps,
        warm_started_from=warm_started_from,
        notes=["HiGHS's dual simplex failed on this LP, whose costs span many orders of magnitude (priorities far "
               "apart, or a workload that a GPU barely serves); its primal simplex solved it to the optimum"]
        if getattr(backend, "fell_back", False) or (relaxed is not None and relaxed.fell_back) else [],
    )
