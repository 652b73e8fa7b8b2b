"""Turn a solution into plain result tables (pandas) that reports and tests read.

Nothing here touches the solver: the inputs are the scenario, its sizing, the
model's index tables and the solution's arrays.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from planner.model import SECONDS_PER_HOUR, PlanModel, idle_mw_per_gpu, idle_power_mw, workload_windows
from planner.sizing import Sizing, pair_table, peak_tflops
from planner.solve import Solution
from planner.svg import percent_text
from planner.workbook import Scenario, over_budget

TOLERANCE = 1e-6  # shares below this are reported as zero, and GPU counts below it that serve no such share
BINDING = 0.0  # a shadow price above this means the limit binds: prices of limits with slack are exact
# zeros (solve.DUAL_NOISE), so that no threshold in points hides the prices of small priorities


POWER_SERVES_COLUMNS = ["period", "workload", "kind", "served_in", "share_per_mw", "points_per_mw"]


@dataclass
class Results:
    """Everything a report shows. Units are in column names.

    - ``periods``: period, hours, power_mw_budget, power_mw_used, power_mw_idle (what the
      installed fleet draws idle, part of the used), power_mw_idle_unused (the idle draw of the
      GPUs left unused, part of power_mw_idle), power_shadow_price (score points per MW more),
      power_price_holds_mw (MW of budget more the price holds for at least; NaN where it is zero or unknown),
      gpus_installed, gpus_in_use, energy_mwh (facility MWh drawn in the period, idle draw included),
      power_step_up_points / power_step_down_points (score points gained with ``power_step_mw`` MW more of
      budget in the period alone / lost with that many fewer, exactly; NaN where not worked out),
      power_step_up_onward_points / power_step_down_onward_points (the same, with the budget moved in the
      period and every later one)
    - ``workloads``: workload, kind, first_period and last_period (its window: a run's start and deadline, a
      service's start and the horizon's end), priority, served_fraction, gpu_hours, energy_mwh (its GPUs' facility
      MWh over the horizon, as in ``allocation``)
    - ``allocation``: workload, kind, gpu, period, gpus, gpus_per_replica (a service's; NaN for a run),
      min_gpus (a run's fewest GPUs of the type that hold it at once; NaN for a service: a run given fewer, as
      period averages allow, runs on that many for part of the period), power_mw (the facility MW those GPUs draw,
      PUE and their idle draw included: with the idle draw of the GPUs left unused, a period's rows add up to its
      power_mw_used), energy_mwh (power_mw x the period's hours), non-zero rows only
    - ``fleet``: gpu, period, installed, gpus_in_use, fleet_shadow_price (score points per GPU more
      installed, its idle draw included: negative where power binds and that draw costs more than
      the GPU serves; NaN where none is installed, which the plan cannot price),
      fleet_price_holds_gpus (GPUs more the price holds for at least; NaN where it is zero or unknown)
    - ``training``: workload, period, flops_delivered, flops_cumulative, flops_required, points_per_mw,
      points_per_mw_gpu (see below)
    - ``inference``: workload, period, demand_tokens_per_s, capacity_tokens_per_s, served_fraction, points_per_mw,
      points_per_mw_gpu
    - ``points_per_mw`` (with ``points_per_mw_gpu``, the GPU type): the most score points a MW of facility power
      earns on the workload in the period, on its best GPU type installed there: priority x the share of its demand
      a GPU serves / the MW the GPU draws above idle, to set beside the period's power price (NaN where no type
      installed can carry it, or every such type draws nothing above idle)
    - ``windows``: workload, kind, first and last (positions of the periods a workload may run in, inclusive),
      priority, hours: training runs, then services, in sheet order (:func:`planner.model.workload_windows`)
    - ``power_serves``: what a MW more of budget serves where power binds, for as far as its price holds (none where
      it holds for no more MW): period (the budget's), workload, kind, served_in (the period a service's share
      moves in; None for a run), share_per_mw (of the run's FLOPs, or the service's peak tokens/s in served_in;
      negative where it is served less), points_per_mw (its score: together, the period's price); empty where
      prices do not say how far they hold (see ``ranged``)
    """

    scenario: str
    status: str
    objective: float
    solver: str
    solve_seconds: float
    gap: float  # relative gap between the plan and the best bound known; 0 for a proven LP optimum
    gap_limit: float | None  # the gap a mixed-integer solve stops within; None for an LP
    time_limit_s: float | None  # seconds the solve was given; None: no limit
    pue: float
    periods: pd.DataFrame
    workloads: pd.DataFrame
    allocation: pd.DataFrame
    fleet: pd.DataFrame
    training: pd.DataFrame
    inference: pd.DataFrame
    windows: pd.DataFrame
    sizing: Sizing
    inputs: dict[str, pd.DataFrame]
    origins: dict[str, pd.DataFrame]  # per input sheet: workbook, default, catalogue or blank, cell by cell
    warnings: list[str] = field(default_factory=list)
    ranged: bool = False  # whether the solve said how far its prices hold (an LP optimum read by HiGHS)
    power_step_mw: float | None = None  # the step of budget the periods' power_step_* columns are for, if asked
    score_prices: bool = False  # prices are the score's own, the energy tie-break left out (HiGHS's basis)
    # per row of fleet: GPUs more installed that would let the type carry a workload cut short that it has too
    # few of for its smallest block, or on a larger replica that serves more per GPU, which no price foresees
    # (NaN where there is none)
    gpus_to_carry_short: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # workload -> why the plan gives it nothing, for each it gives nothing (the report's findings say it; a warning says
    # it too of one that cannot run, not of one outranked by work scoring more)
    why_nothing: dict[str, str] = field(default_factory=dict)
    cannot_run: frozenset[str] = frozenset()  # of those, the workloads no GPU installed in their window can carry
    # per workload (workloads' order), the share its mixed-integer plan's relaxation serves (see relaxed_as): where
    # its prices and what binds come from; None for an LP, or a relaxation stopped first
    relaxed_served_fraction: np.ndarray | None = None
    # per workload (windows' order) and period, the most points a MW earns on it there and on which GPU type (the
    # training and inference tables' points_per_mw and points_per_mw_gpu, as grids)
    points_per_mw: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    points_per_mw_gpu: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=object))
    must_finish: bool = False  # a mixed-integer plan holding some run to all of its FLOPs or none
    power_serves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=POWER_SERVES_COLUMNS))
    warm_started_from: str | None = None  # the input whose plan's optimal basis the solve started from (--warm-start)
    # where the plan came from, for a report read away from its folder: the input as given (bytes not UTF-8
    # escaped: '\\xff'), and when it was made, to the minute, in UTC
    source: str = ""
    made_utc: str = ""

    def relaxed_as(self) -> str:
        """What a mixed-integer plan's relaxation allows that the plan does not, for a sentence."""
        return relaxation_allows(self.must_finish)

    def held_by(self) -> str:
        """What holds a mixed-integer plan below its relaxation, for a sentence: what the relaxation allows and the
        plan does not, and a search its time limit stopped (which may have found a better plan)."""
        held = ("whole replicas, run minimums and runs that must finish" if self.must_finish
                else "whole replicas and run minimums")
        return held + (", or a search stopped at its time limit," if self.status == "timelimit" else "")

    def relaxation_score(self) -> float:
        """The score of a mixed-integer plan's relaxation (NaN where not known): a bound on this plan's."""
        if self.relaxed_served_fraction is None:
            return float("nan")
        return float(self.workloads["priority"].to_numpy() @ self.relaxed_served_fraction)

    def relaxation_apart(self) -> bool:
        """Whether a mixed-integer plan scores less than its relaxation by more than the gap it stops within:
        what the relaxation allows (:meth:`relaxed_as`) costs it score, so what binds there, and its prices, need
        not hold for the plan (more power may serve more where the relaxation has power to spare)."""
        if self.gap_limit is None or self.relaxed_served_fraction is None:
            return False
        return self.relaxation_score() - self.objective > max(self.gap_limit * abs(self.objective), TOLERANCE)

    def prices_from_relaxation(self) -> bool:
        """Whether what binds and the prices are those of the plan's relaxation (:meth:`relaxed_as`): a mixed-integer
        plan's."""
        return self.gap_limit is not None

    def priced(self) -> bool:
        """Whether the plan has shadow prices: not when the solver stopped before an LP's optimum."""
        return bool(self.periods["power_shadow_price"].notna().all())

    def binding_power(self) -> pd.DataFrame:
        """Periods where the power budget binds, most valuable megawatt first (at one price, in time order)."""
        binding = self.periods[self.periods["power_shadow_price"] > BINDING]
        return binding.sort_values("power_shadow_price", ascending=False, kind="stable")

    def full_power(self) -> pd.DataFrame:
        """Periods whose power budget the plan uses in full (within the solver's noise) where a MW more is worth
        nothing: GPUs or demand stop it serving more there, though a MW less may still cost score."""
        periods = self.periods
        return periods[(periods["power_shadow_price"] <= BINDING)
                       & in_full(periods["power_mw_used"], periods["power_mw_budget"])]

    def binding_fleet(self) -> pd.DataFrame:
        """GPU types and periods where the GPUs installed bind (one more is worth more than its idle draw
        costs), most valuable GPU first (at one price, in the gpus sheet's order, then in time order)."""
        binding = self.fleet[self.fleet["fleet_shadow_price"] > BINDING]
        return binding.sort_values("fleet_shadow_price", ascending=False, kind="stable")

    def idle_holds_power(self) -> pd.Series:
        """Per period, whether power binds while GPUs left unused draw part of it idle (more than noise):
        power that switching them off would free."""
        periods = self.periods
        return ((periods["power_shadow_price"] > BINDING)
                & (periods["power_mw_idle_unused"] > TOLERANCE * periods["power_mw_budget"]))

    def power_steps_worked_out(self) -> bool:
        """Whether what ``power_step_mw`` MW more and less are worth was worked out in some period: not where none
        was asked, nor where :meth:`why_no_power_steps` says (a step up always has a plan: NaN there is no solve)."""
        return bool(self.periods["power_step_up_points"].notna().any())

    def why_no_power_steps(self) -> str:
        """Why power steps asked for were not worked out, for a sentence: the plan (or a mixed-integer plan's
        relaxation) is no optimum with a basis to solve again from, or there was no time left to."""
        if not self.priced():
            return "the solver stopped before the optimum, so there is no plan to solve again from"
        if self.solver != "highs":
            return "only HiGHS leaves a basis to solve again from"
        return "the time limit left no time to solve again"

    def power_steps_missing(self) -> str | None:
        """Why steps asked for are not known (NaN) though a plan keeps to them: the plan has no optimum to solve again
        from, or some were not solved again to their optimum (the time limit left no time, say); None where every
        such step is known, or none was asked."""
        if self.power_step_mw is None:
            return None
        if not self.power_steps_worked_out():
            return self.why_no_power_steps()
        periods = self.periods
        unknown = (periods[["power_step_up_points", "power_step_up_onward_points"]].isna().any(axis=1)
                   | (periods["power_step_down_points"].isna() & (self.no_plan_with_less_power() == ""))
                   | (periods["power_step_down_onward_points"].isna() & (self.no_plan_with_less_power(True) == "")))
        if not unknown.any():
            return None
        return ("the time limit left no time to solve some of them again" if self.time_limit_s is not None
                else "some of them were not solved again to their optimum")

    def horizon_power_steps(self) -> tuple[float, float]:
        """The score gained with ``power_step_mw`` MW more in every period, and lost with that many fewer (NaN where
        not worked out): the first period's steps from then on."""
        first = self.periods.iloc[0]
        return float(first["power_step_up_onward_points"]), float(first["power_step_down_onward_points"])

    def no_plan_with_less_power(self, onward: bool = False) -> pd.Series:
        """Per period, why no plan keeps to ``power_step_mw`` MW less budget (its ``power_step_down_points`` is
        NaN for that): ``"budget"`` where the step is more than the whole budget, ``"idle_draw"`` where what is left is
        under the installed fleet's idle draw, ``""`` where a plan does. ``onward``: in that period or a later one
        (``power_step_down_onward_points``), ``"budget"`` if so in any of them."""
        periods = self.periods
        budget = periods["power_mw_budget"].to_numpy()
        left = budget - (self.power_step_mw or 0.0)
        # short by no more than rounding is no shortfall, as when the workbook's budgets are checked: the solver
        # finds a plan there (3 GPUs' 225 W idle draw, and 1.000225 MW less 1 MW: 6e-17 MW short in floats)
        why = pd.Series(np.select([over_budget(0.0, left, budget),
                                   over_budget(periods["power_mw_idle"].to_numpy(), left, budget)], [2, 1], 0),
                        index=periods.index)
        if onward:
            why = why[::-1].cummax()[::-1]
        return why.map({0: "", 1: "idle_draw", 2: "budget"})

    def least_served(self) -> pd.DataFrame:
        """Every workload, least served first; among equals, the highest priority first."""
        return self.workloads.sort_values(["served_fraction", "priority"], ascending=[True, False], kind="stable")

    def short_workloads(self) -> pd.DataFrame:
        """Workloads served below their full demand, least served first."""
        least = self.least_served()
        return least[least["served_fraction"] < 1 - TOLERANCE]

    def fully_served(self) -> int:
        """How many workloads are served in full."""
        return int((self.workloads["served_fraction"] >= 1 - TOLERANCE).sum())

    def score_possible(self) -> float:
        """The score with every workload served in full: the sum of their priorities."""
        return float(self.workloads["priority"].sum())

    def score_share(self) -> float:
        """The score over the score possible; NaN when nothing could score."""
        possible = self.score_possible()
        return self.objective / possible if possible > 0 else float("nan")


def in_full(used, limit):
    """Whether ``used`` (figures or arrays) takes all of ``limit``, within the solver's noise; a limit of 0 is none to
    take."""
    return (limit > 0) & (used >= limit * (1 - TOLERANCE))


def holds_nothing(reach, amount) -> np.ndarray:
    """Where a price holds for no more MW or GPUs at all: its ``reach`` within the solver's noise of 0 against
    the ``amount`` it adds to (a budget, the GPUs installed). The optimum is then degenerate: another limit is
    reached at the same point, and one more alone may gain nothing. False where the reach is unknown."""
    return np.asarray(reach, dtype=float) <= TOLERANCE * np.maximum(np.asarray(amount, dtype=float), 1.0)


def _clean(values: np.ndarray) -> np.ndarray:
    return np.where(np.abs(values) < TOLERANCE, 0.0, values)


def settled_share(values: np.ndarray) -> np.ndarray:
    """A served share as the solver's noise leaves it (1 + 7e-16, say, or CBC's 1 - 2e-8), put back on 0 or 1
    where it is within TOLERANCE of either, so that no reader sees -7e-16 points lost."""
    return np.where(np.abs(values - 1.0) < TOLERANCE, 1.0, _clean(values))


def _score_per_mw(dual: np.ndarray, hours: np.ndarray, model: PlanModel, solution: Solution) -> np.ndarray:
    """Score gained per extra MW in a period where power binds.

    Where the solver's duals count the energy tie-break too (``solution.score_prices`` false:
    CBC), the extra MW, fully drawn for the period's hours, is taken to cost energy_weight x
    hours in the LP's objective but nothing in the score, and that is added back.
    """
    tie_break = 0.0 if solution.score_prices else model.energy_weight * hours
    return np.where(dual > BINDING, dual + tie_break, np.where(np.isnan(dual), np.nan, 0.0))


def _on_pairs(fleet: pd.DataFrame, model: PlanModel, values: np.ndarray) -> np.ndarray:
    """``values`` given per fleet row of the model, on every (gpu, period) row of ``fleet``; NaN
    where the model has no row (no workload can use the type then)."""
    rows = pd.MultiIndex.from_frame(model.rows["fleet"][["gpu", "period"]])
    return pd.Series(values, index=rows).reindex(pd.MultiIndex.from_frame(fleet[["gpu", "period"]])).to_numpy()


def _on_periods(fleet: pd.DataFrame, model: PlanModel, values: np.ndarray) -> np.ndarray:
    """``values`` given per power row of the model, on every row of ``fleet`` by its period."""
    return pd.Series(values, index=model.rows["power"]["period"].to_numpy()).reindex(fleet["period"]).to_numpy()


def _score_per_gpu(model: PlanModel, solution: Solution, fleet: pd.DataFrame, idle_mw: np.ndarray,
                   per_mw: np.ndarray) -> np.ndarray:
    """Score gained per GPU more installed, for each (gpu, period) row of ``fleet`` (whose GPUs
    draw ``idle_mw`` each, facility MW), with a MW priced ``per_mw`` in each period.

    A GPU installed is one more that may be given out (the fleet row's dual) and one more that
    draws its idle power whether in use or not, which the power row takes from the headroom (at
    the period's price per MW); the second part alone prices a GPU type no workload can use. Where
    none is installed the plan has no variables for the type (nothing to give out), so what a
    first GPU would serve is unknown: NaN.
    """
    given_out = np.nan_to_num(_on_pairs(fleet, model, solution.shadow_prices["fleet"]), nan=0.0)
    idle = idle_mw * _on_periods(fleet, model, per_mw)
    price = given_out - idle
    price = np.where(np.abs(price) <= 1e-9 * (np.abs(given_out) + np.abs(idle)), 0.0, price)  # cancelled out
    return np.where(fleet["installed"].to_numpy() > 0, price, np.nan)


def _price_holds(model: PlanModel, solution: Solution, periods: pd.DataFrame, fleet: pd.DataFrame,
                 idle_mw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far each non-zero price holds at least (see :func:`planner.solve.price_ranges`): MW of
    budget more per period, GPUs more per GPU type and period; NaN where a price is zero or its
    range unknown (a mixed-integer plan, CBC, or no limit found: a non-zero price cannot hold
    without one, the score being bounded). A GPU type no workload can use in a period has no
    fleet row: its price is its idle draw at the power price, which holds while the budget may fall
    by that draw."""
    ranges = solution.price_ranges
    if not ranges:
        return np.full(len(periods), np.nan), np.full(len(fleet), np.nan)
    power = np.where(periods["power_shadow_price"].to_numpy() > BINDING, ranges["power_up_mw"], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):  # no idle draw: its price is zero, not shown
        idle_only = _on_periods(fleet, model, ranges["power_down_mw"]) / idle_mw
    with_row = _on_pairs(fleet, model, ranges["fleet_up_gpus"])
    gpus = np.where(np.isnan(with_row), idle_only, with_row)
    priced = np.abs(fleet["fleet_shadow_price"].to_numpy()) > BINDING
    gpus = np.where(priced, gpus, np.nan)
    return np.where(np.isfinite(power), power, np.nan), np.where(np.isfinite(gpus), gpus, np.nan)


def _power_serves(model: PlanModel, solution: Solution, periods: pd.DataFrame) -> pd.DataFrame:
    """What a MW more serves in each period where power binds (see :attr:`Results.power_serves`), from
    :func:`planner.solve.price_ranges`' ``serves_*``; most points first within a period."""
    ranges = solution.price_ranges
    if "serves_power" not in ranges:
        return pd.DataFrame(columns=POWER_SERVES_COLUMNS)
    p, s, per_mw = ranges["serves_power"], ranges["serves_served"], ranges["serves_per_mw"]
    # where the price holds for no more MW (another limit reached at the same point), a MW more may serve nothing
    reaches = ~holds_nothing(periods["power_price_holds_mw"], periods["power_mw_budget"])
    binds = ((periods["power_shadow_price"].to_numpy() > BINDING) & reaches)[p]
    served = model.served.iloc[s[binds]]
    table = pd.DataFrame({
        "period": periods["period"].to_numpy()[p[binds]],
        "workload": served["workload"].to_numpy(),
        "kind": served["kind"].to_numpy(),
        "served_in": served["period"].to_numpy(),
        "share_per_mw": per_mw[binds],
        "points_per_mw": served["weight"].to_numpy() * per_mw[binds],
    })
    order = np.lexsort((-np.abs(table["points_per_mw"].to_numpy()), p[binds]))
    return table.iloc[order].reset_index(drop=True)


def _gap(solution: Solution) -> float:
    if solution.best_bound is None:  # unknown, unless an LP was solved to optimality
        return 0.0 if solution.status == "optimal" and solution.gap_limit is None else float("nan")
    gap = abs(solution.best_bound - solution.objective) / max(abs(solution.objective), 1e-9)
    # proven within its limit, a plan over it by rounding alone is within it (a bound that CBC's gap sets, worked out
    # again, read 2.0000000000000018%)
    proven = solution.status == "optimal" and solution.gap_limit is not None
    return solution.gap_limit if proven and solution.gap_limit < gap <= solution.gap_limit * (1 + 1e-9) + 1e-15 \
        else gap


class _Places(NamedTuple):
    """Each workload's (in the model's order), GPU type's and period's place among the names of its kind sorted:
    integer keys that group as the names do (see :func:`_sum_by`)."""

    workload: np.ndarray
    gpu: np.ndarray
    period: np.ndarray

    def workload_period(self, w: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Keys of (workload, period) pairs, given by their positions."""
        return self.workload[w] * len(self.period) + self.period[p]

    def gpu_period(self, g: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Keys of (GPU type, period) pairs, given by their positions."""
        return self.gpu[g] * len(self.period) + self.period[p]


def _sorted_places(names) -> np.ndarray:
    """Each of the distinct ``names``' place among them sorted."""
    places = np.empty(len(names), dtype=np.int64)
    places[np.argsort(np.asarray(names, dtype=object), kind="stable")] = np.arange(len(names))
    return places


def _sum_by(values, keys: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Sums of ``values`` grouped by integer ``keys``, at the keys ``at`` (0 where one has no rows).

    Pandas adds a group up in the order its rows come: by np.add.reduceat where every row comes in the order of
    the keys, compensated otherwise. Keys that sort as the names they stand for (:class:`_Places`) thus keep each
    sum to the bit of grouping by the names, which hash some twenty times slower."""
    return pd.Series(values).groupby(keys).sum().reindex(at, fill_value=0.0).to_numpy()


def collect(scenario: Scenario, sizing: Sizing, model: PlanModel, solution: Solution) -> Results:
    """Result tables of a solved model."""
    windows = workload_windows(scenario)  # the workloads in the model's order, which its w columns count in
    share_per_gpu = _share_per_gpu(model.allocation)
    alloc = model.allocation.assign(gpus=_gpus_given(model.allocation, solution, share_per_gpu))
    alloc["gpu_hours"] = alloc["gpus"] * alloc["hours"]
    # the idle draw of the GPUs a workload holds is its own too: with the idle draw of the GPUs left unused, the
    # workloads' draws then make up the power used, as charging energy to workloads wants
    alloc["power_mw"] = alloc["gpus"] * (alloc["power_mw_per_gpu"] + idle_mw_per_gpu(scenario).to_numpy()[alloc["g"]])
    alloc["energy_mwh"] = alloc["power_mw"] * alloc["hours"]
    periods = scenario.periods
    n_p = len(periods)
    places = _Places(_sorted_places(windows["workload"]), _sorted_places(scenario.gpus["gpu"]),
                     _sorted_places(periods["period"]))

    # GPUs, as floats even where nothing is given out (numpy counts an empty input in integers)
    in_use = np.bincount(alloc["p"], weights=alloc["gpus"], minlength=n_p).astype(float)
    active_mw = np.bincount(alloc["p"], weights=alloc["gpus"] * alloc["power_mw_per_gpu"], minlength=n_p)
    idle_mw = idle_power_mw(scenario)
    used_mw = idle_mw + active_mw
    period_table = pd.DataFrame({
        "period": periods["period"],
        "hours": periods["hours"],
        "power_mw_budget": periods["power_mw"],
        "power_mw_used": used_mw,
        "power_mw_idle": idle_mw,
        "power_shadow_price": _score_per_mw(solution.shadow_prices["power"], periods["hours"].to_numpy(), model,
                                            solution),
        "power_price_holds_mw": np.nan,
        "gpus_installed": scenario.fleet.sum(axis=0).to_numpy(),
        "gpus_in_use": in_use,
        "energy_mwh": used_mw * periods["hours"].to_numpy(),
        **{f"power_step_{key}_points": solution.power_steps.get(f"power_{key}_points", np.nan)
           for key in ("up", "down", "up_onward", "down_onward")},
    })

    served = model.served.assign(value=settled_share(solution.served))
    served["weighted"] = served["weight"] * served["value"]
    period_names = periods["period"].to_numpy()
    workloads = pd.DataFrame({
        "workload": windows["workload"],
        "kind": windows["kind"],
        "first_period": period_names[windows["first"].to_numpy()],
        "last_period": period_names[windows["last"].to_numpy()],
        "priority": windows["priority"],
        "served_fraction": _served_fraction(model, windows, served["value"].to_numpy()),
        **{column: _sum_by(alloc[column], places.workload[alloc["w"].to_numpy()], places.workload)
           for column in ("gpu_hours", "energy_mwh")},
    })

    alloc["min_gpus"] = _run_minimums(sizing, alloc, len(scenario.gpus))
    allocation = alloc.loc[alloc["gpus"] > 0, ["workload", "kind", "gpu", "period", "gpus", "gpus_per_replica",
                                               "min_gpus", "power_mw", "energy_mwh"]].reset_index(drop=True)

    # GPU type by GPU type: an array of the fleet sheet's shape lines up with its rows by ravel(), and back by
    # reshape(scenario.fleet.shape)
    fleet = scenario.fleet.stack().rename("installed").reset_index()
    fleet.columns = ["gpu", "period", "installed"]
    fleet["gpus_in_use"] = _sum_by(alloc["gpus"], places.gpu_period(alloc["g"].to_numpy(), alloc["p"].to_numpy()),
                                   places.gpu_period(*np.indices(scenario.fleet.shape).reshape(2, -1)))
    idle_mw_each = idle_mw_per_gpu(scenario).reindex(fleet["gpu"]).to_numpy()
    # a fleet in use in full, up to the solver's noise, leaves none unused: not 1e-15 MW of idle draw
    unused = (fleet["installed"] - fleet["gpus_in_use"]).to_numpy(copy=True)
    unused[unused <= TOLERANCE * fleet["installed"].to_numpy()] = 0.0
    unused_idle_mw = np.bincount(pd.Index(periods["period"]).get_indexer(fleet["period"]), minlength=n_p,
                                 weights=unused * idle_mw_each)
    period_table.insert(period_table.columns.get_loc("power_mw_idle") + 1, "power_mw_idle_unused", unused_idle_mw)
    fleet["fleet_shadow_price"] = _score_per_gpu(model, solution, fleet, idle_mw_each,
                                                 period_table["power_shadow_price"].to_numpy())
    period_table["power_price_holds_mw"], holds = _price_holds(model, solution, period_table, fleet, idle_mw_each)
    # a GPU price holds no further than the GPUs that would let the type carry a workload it cannot yet
    fleet["fleet_price_holds_gpus"] = np.minimum(holds, model.gpus_to_unlock.ravel())
    short = workloads["served_fraction"].to_numpy() < 1 - TOLERANCE  # workloads' rows are the windows', in order
    to_carry = model.unlock_by_workload[short].min(axis=0, initial=np.inf).ravel()
    relaxed = None if solution.relaxed_served is None else _served_fraction(model, windows, solution.relaxed_served)
    cannot_run, left_out = _why_nothing(scenario, sizing, model, windows, workloads, period_table, fleet, relaxed,
                                        solution.gap_limit, solution.status == "timelimit")
    kinds = dict(zip(workloads["workload"].to_numpy(), workloads["kind"].to_numpy()))  # faster than text columns
    worth = _points_per_mw(model, share_per_gpu, len(windows), n_p, scenario.gpus["gpu"].to_numpy())

    return Results(
        scenario=scenario.name or scenario.source.stem,
        status=solution.status,
        objective=float((served["weighted"]).sum()),
        solver=solution.solver,
        solve_seconds=solution.solve_seconds,
        gap=_gap(solution),
        gap_limit=solution.gap_limit,
        time_limit_s=solution.time_limit_s,
        pue=scenario.pue,
        periods=period_table,
        workloads=workloads,
        allocation=allocation,
        fleet=fleet,
        training=_training_progress(scenario, sizing, alloc, places, worth),
        inference=_inference_coverage(windows, sizing, alloc, served, places, worth),
        windows=windows,
        sizing=sizing,
        inputs={
            "periods": scenario.periods, "gpus": scenario.gpus, "training": scenario.training,
            "inference": scenario.inference, "throughput": scenario.throughput,
        },
        origins=scenario.origins,
        # a plan's choice to leave work out shows in its findings; what no budget would change is warned of
        warnings=list(scenario.warnings) + solution.notes
        + [f"{name} ({kinds[name]}) gets nothing: {why}." for name, why in cannot_run.items()]
        + _under_one_replica(alloc, windows["workload"].to_numpy(), periods["period"].to_numpy())
        + _unfinished(scenario, sizing, model, workloads),
        ranged=bool(solution.price_ranges),
        power_step_mw=solution.power_step_mw,
        score_prices=solution.score_prices,
        gpus_to_carry_short=np.where(np.isfinite(to_carry), to_carry, np.nan),
        why_nothing=cannot_run | left_out,
        cannot_run=frozenset(cannot_run),
        relaxed_served_fraction=relaxed,
        points_per_mw=worth.points_per_mw,
        points_per_mw_gpu=worth.gpu,
        warm_started_from=solution.warm_started_from,
        must_finish=bool(len(model.whole_runs)),
        power_serves=_power_serves(model, solution, period_table),
        source=model.source,
        made_utc=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def relaxation_allows(must_finish: bool) -> str:
    """What the relaxation of a mixed-integer plan allows that the plan does not (``must_finish``: some run is held
    to all of its FLOPs or none), for a sentence."""
    return ("fractional replicas, no run minimums and runs that must finish done in part" if must_finish
            else "fractional replicas and no run minimums")


def _unfinished(scenario: Scenario, sizing: Sizing, model: PlanModel, workloads: pd.DataFrame) -> list[str]:
    """The warning of runs that must finish and do not: in any plan, those that never could (:func:`_most_done`),
    which no budget cut leaves out; in a linear plan, those it does in part, which only a mixed-integer plan holds
    to all of their FLOPs or none."""
    must = workloads["workload"].isin(scenario.training.loc[scenario.training["must_finish"] == "yes", "workload"])
    served = workloads["served_fraction"]
    plan = "this mixed-integer plan" if model.integer else "this linear plan"
    warnings = []
    for w in np.flatnonzero(must & (served < 1 - TOLERANCE)):
        name, done = workloads["workload"].iat[w], served.iat[w]
        most = _most_done(model, sizing, scenario, w, scenario.fleet.to_numpy(dtype=float),
                          model.rows["power"]["headroom_mw"].to_numpy(dtype=float))
        if most < 1 - TOLERANCE:
            warnings.append(
                f"{name} (training) must finish, but cannot by its deadline even with every GPU and MW of its window "
                f"to itself (at most {percent_text(100 * most, 1)} of its FLOPs); {plan} "
                + (f"does {percent_text(100 * done, 1)}" if done > TOLERANCE else "gives it nothing"))
        elif not model.integer and done > TOLERANCE:
            warnings.append(f"{name} (training) must finish, but this linear plan does {percent_text(100 * done, 1)} "
                            "of its FLOPs by its deadline: plan with --integer to give it all of them or none")
    return warnings


def _run_minimums(sizing: Sizing, alloc: pd.DataFrame, n_gpus: int) -> np.ndarray:
    """Per row of the model's ``alloc``: for a run, the fewest GPUs of its type that hold it at once (its memory
    minimum or ``min_gpus``, at least one whole GPU), as the model counts them; NaN for a service."""
    minimum = np.full(len(alloc), np.nan)
    runs = np.flatnonzero((alloc["kind"] == "training").to_numpy())
    if len(runs):  # the sizing table lists runs in the model's order, a row per GPU type in sheet order
        grid = np.fmax(sizing.training_rates["min_gpus"].to_numpy(dtype=float).reshape(-1, n_gpus), 1.0)
        minimum[runs] = grid[alloc["w"].to_numpy()[runs], alloc["g"].to_numpy()[runs]]
    return minimum


def _served_fraction(model: PlanModel, windows: pd.DataFrame, shares: np.ndarray) -> np.ndarray:
    """Per workload (in ``windows``' order), the share of its demand served, given the model's ``shares`` (per
    served row): a run's own, a service's hours-weighted mean over its periods."""
    # a workload's served rows come together, in the model's order: the order its names first come in
    weighted = _sum_by(model.served["weight"].to_numpy() * settled_share(shares), model.served["w"].to_numpy(),
                       np.arange(len(windows)))
    return settled_share(weighted / windows["priority"].to_numpy())


NAMES_SHOWN = 3  # names a sentence gives (GPU types, periods, files) before counting the rest


def listed(names) -> str:
    """Names joined for a sentence, the first :data:`NAMES_SHOWN` of them and a count of the rest."""
    names = list(dict.fromkeys(names))
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def _why_nothing(scenario: Scenario, sizing: Sizing, model: PlanModel, windows: pd.DataFrame, workloads: pd.DataFrame,
                 periods: pd.DataFrame, fleet: pd.DataFrame, relaxed: np.ndarray | None = None,
                 gap_limit: float | None = None, timed_out: bool = False) -> tuple[dict[str, str], dict[str, str]]:
    """Why the plan gives each workload it gives nothing nothing, which its 0% alone would not say, by name: those
    that cannot run in their window (:func:`_blocked`), and those that can, but that work scoring more keeps out
    by taking the power or GPUs that bind where they could have GPUs (named: a limit that binds elsewhere does
    not keep them out), unless the solver stopped before the optimum, when nothing can be said to bind.
    ``windows`` is :func:`planner.model.workload_windows`. ``relaxed``: per workload, the share a mixed-integer
    plan's relaxation serves: one it serves is kept out by its whole replicas or run minimum, not outranked, which
    the relaxation's prices would say; or, where such a block fits in the power and GPUs the plan leaves, by the
    ``gap_limit`` its solve stops within, or by the time limit that stopped it first (``timed_out``). A run that must
    finish is said to be kept out by what finishing it takes: more than its window ever has, more than the plan
    leaves it, or, where it fits in that, the gap or the time limit."""
    at = np.flatnonzero(workloads["served_fraction"].to_numpy() <= 0.0)  # workloads' rows are the windows', in order
    if not len(at):  # the common case: nothing to look up
        return {}, {}
    nothing = workloads.iloc[at]
    slot = np.full(len(windows), -1)  # per workload, its row among those that get nothing
    slot[at] = np.arange(len(nothing))
    row = slot[model.allocation["w"].to_numpy()]
    mine = row >= 0
    row, g, p = row[mine], model.allocation["g"].to_numpy()[mine], model.allocation["p"].to_numpy()[mine]
    gpus, period_names = scenario.gpus["gpu"].to_numpy(), periods["period"].to_numpy()
    power = np.zeros((len(nothing), len(period_names)), dtype=bool)  # binds where it could have GPUs
    binds = (periods["power_shadow_price"].to_numpy() > BINDING)[p]
    power[row[binds], p[binds]] = True
    taken = np.zeros((len(nothing), len(gpus), len(period_names)), dtype=bool)  # every GPU of the type given out
    binds = (fleet["fleet_shadow_price"].to_numpy().reshape(scenario.fleet.shape) > BINDING)[g, p]
    taken[row[binds], g[binds], p[binds]] = True
    could_run = np.bincount(row, minlength=len(nothing)) > 0
    blocked = _blocked(scenario, sizing, windows.iloc[at[~could_run]], period_names)
    priced = periods["power_shadow_price"].notna().all()  # else nothing can be said to bind
    names = nothing["workload"].to_numpy()
    if not priced:
        unknown = "it can run, but the solver stopped before the optimum, so what keeps it out is not known"
        return blocked, dict.fromkeys(names[could_run], unknown)
    taken_gpus, taken_periods = taken.any(axis=2), taken.any(axis=1)
    said = {}  # the sentence for each pattern of limits: workloads outranked alike share it
    left_out = {}
    whole = np.zeros(len(nothing), dtype=bool) if relaxed is None else could_run & (relaxed[at] > TOLERANCE)
    fits = _block_fits(model.allocation.loc[mine], sizing, scenario, periods, fleet) if whole.any() else None
    finishing = set(model.served.loc[model.served["column"].isin(model.whole_runs), "workload"])
    relaxed_as = relaxation_allows(bool(finishing))
    # the plan had room for it, yet the search stopped first: at its time limit, or within its gap
    stopped = ("the solver stopped at its time limit first (more time may serve it)" if timed_out else
               f"the solver stops once its plan is within {100 * gap_limit:g}% of the best possible, and serving "
               "it would add no more than that (a smaller --gap may serve it)" if gap_limit is not None else None)
    for i in np.flatnonzero(whole):
        share = percent_text(100 * relaxed[at[i]], 1)
        if names[i] in finishing:  # a block that fits need not finish it
            left_out[names[i]] = _why_not_finished(model, sizing, scenario, periods, fleet, at[i], stopped,
                                                   f"(with {relaxed_as} it would be served {share})")
            continue
        what = ("its smallest block of GPUs" if nothing["kind"].iat[i] == "training" else "a whole replica")
        where = period_names[np.unique(p[(row == i) & fits])] if stopped is not None else []
        if len(where):
            left_out[names[i]] = (f"it can run, and {what} fits in the power and GPUs this plan leaves in "
                                  f"{listed(where)}, but {stopped}")
            continue
        left_out[names[i]] = (f"it can run, but {what} does not fit in the power and GPUs this plan has left (with "
                              f"{relaxed_as} it would be served {share})")
    for i in np.flatnonzero(could_run & ~whole):
        pattern = (power[i].tobytes(), taken_gpus[i].tobytes(), taken_periods[i].tobytes())
        if pattern not in said:
            limits = ([f"the power budget in {listed(period_names[power[i]])}"] if power[i].any() else []) + (
                [f"every GPU of {listed(gpus[taken_gpus[i]])} in {listed(period_names[taken_periods[i]])}"]
                if taken_gpus[i].any() else [])
            said[pattern] = ("it can run but is outranked: work scoring more takes "
                             + (" and ".join(limits) if limits else "the power or GPUs it could use"))
        left_out[names[i]] = said[pattern]
    return blocked, left_out


def _why_not_finished(model: PlanModel, sizing: Sizing, scenario: Scenario, periods: pd.DataFrame,
                      fleet: pd.DataFrame, w: int, stopped: str | None, relaxed: str) -> str:
    """Why a plan leaves out run ``w`` (the model's order), which must finish: what finishing it takes, against
    what its window has and what the plan leaves (:func:`_most_done`); ``stopped``: what stopped the search, for a
    plan that had room for it (None where that is not known); ``relaxed``: what the relaxation serves of it."""
    n_p = len(periods)
    headroom = model.rows["power"]["headroom_mw"].to_numpy(dtype=float)
    most = _most_done(model, sizing, scenario, w, scenario.fleet.to_numpy(dtype=float), headroom)
    if most < 1 - TOLERANCE:
        return (f"it must finish, but cannot by its deadline even with every GPU and MW of its window to itself: at "
                f"most {percent_text(100 * most, 1)} of its FLOPs")
    spare_gpus = (fleet["installed"] - fleet["gpus_in_use"]).to_numpy().reshape(-1, n_p)
    spare_mw = (periods["power_mw_budget"] - periods["power_mw_used"]).to_numpy()
    if stopped is not None and _most_done(model, sizing, scenario, w, spare_gpus, spare_mw) >= 1 - TOLERANCE:
        return f"it must finish, and finishing it fits in the power and GPUs this plan leaves, but {stopped}"
    return ("it must finish, and finishing it by its deadline takes more power and GPUs than this plan leaves it "
            + relaxed)


def _most_done(model: PlanModel, sizing: Sizing, scenario: Scenario, w: int, gpus_free: np.ndarray,
               mw_free: np.ndarray) -> float:
    """The largest share of its FLOPs run ``w`` (the model's order; runs lead it, as the sizing table's) can be
    given in its window from ``gpus_free`` (GPU types x periods) and ``mw_free`` (MW above idle, per period), within
    its ``max_gpus`` and, in a mixed-integer model, with each GPU type either unused or given at least the run's
    minimum of it (a linear one gives a run fewer on average): a small program per period (HiGHS through scipy), in
    shares, solved to optimality. Other work is not counted."""
    # imported here: scipy.optimize takes 0.3 s to import, and this runs only for a run that must finish left out
    from scipy.optimize import Bounds, LinearConstraint, milp

    required = float(sizing.training["flops"].iat[w])
    rows = model.allocation.loc[model.allocation["w"].to_numpy() == w]
    least = _run_minimums(sizing, rows, len(scenario.gpus))
    limit = scenario.training["max_gpus"].iat[w]
    total = 0.0
    for p in np.unique(rows["p"].to_numpy()):
        here = (rows["p"].to_numpy() == p)
        free = gpus_free[rows["g"].to_numpy()[here], p]
        usable = free >= least[here] * (1 - TOLERANCE)
        if not usable.any():
            continue
        n, at_least, most = int(usable.sum()), least[here][usable], free[usable]
        share = (rows["rate"].to_numpy() * rows["hours"].to_numpy() * SECONDS_PER_HOUR)[here][usable] / required
        # columns: the GPUs of each usable type, then whether the run uses it (0 or 1)
        limits = [LinearConstraint(np.hstack([np.eye(n), -np.diag(most)]), ub=0.0),
                  LinearConstraint(np.concatenate([rows["power_mw_per_gpu"].to_numpy()[here][usable], np.zeros(n)]),
                                   ub=max(float(mw_free[p]), 0.0))]
        if model.integer:
            limits.append(LinearConstraint(np.hstack([np.eye(n), -np.diag(at_least)]), lb=0.0))
        if limit == limit:  # a max_gpus given
            limits.append(LinearConstraint(np.concatenate([np.ones(n), np.zeros(n)]), ub=float(limit)))
        found = milp(-np.concatenate([share, np.zeros(n)]), constraints=limits,
                     integrality=np.concatenate([np.zeros(n), np.full(n, int(model.integer))]),
                     bounds=Bounds(0.0, np.concatenate([most, np.ones(n)])), options={"mip_rel_gap": 0.0})
        total += -found.fun if found.status == 0 else 0.0
    return total


def _block_fits(alloc: pd.DataFrame, sizing: Sizing, scenario: Scenario, periods: pd.DataFrame, fleet: pd.DataFrame
                ) -> np.ndarray:
    """Per row of the model's ``alloc``: whether the fewest GPUs the workload can be given there at once (a run's
    minimum, a service's replica) fit in the GPUs of the type the plan leaves unused and in the power it leaves."""
    block = np.fmin(_run_minimums(sizing, alloc, len(scenario.gpus)), alloc["gpus_per_replica"].to_numpy())
    g, p = alloc["g"].to_numpy(), alloc["p"].to_numpy()
    spare_gpus = (fleet["installed"] - fleet["gpus_in_use"]).to_numpy().reshape(scenario.fleet.shape)[g, p]
    budget = periods["power_mw_budget"].to_numpy()[p]
    spare_mw = budget - periods["power_mw_used"].to_numpy()[p]
    return ((block <= spare_gpus + TOLERANCE * block)
            & (block * alloc["power_mw_per_gpu"].to_numpy() <= spare_mw + TOLERANCE * budget))


def _share_per_gpu(alloc: pd.DataFrame) -> np.ndarray:
    """Per row of the model's ``alloc``: the share of its workload's demand one GPU serves there (of a run's FLOPs
    in the period's hours, of a service's peak tokens/s)."""
    return alloc["share_per_unit"].to_numpy() / alloc["unit"].to_numpy()


def _gpus_given(alloc: pd.DataFrame, solution: Solution, share_per_gpu: np.ndarray) -> np.ndarray:
    """GPUs per row of the model's ``alloc``, the solver's noise (under TOLERANCE of a GPU) cleared, unless they do
    work a reader sees (TOLERANCE of the workload's demand or more): a run of 6e12 FLOPs is done by 4e-10 of a GPU
    over a year, and shown with none it read as served in full by nothing."""
    given = solution.allocation_units * alloc["unit"].to_numpy()
    return np.where((np.abs(given) >= TOLERANCE) | (given * share_per_gpu >= TOLERANCE), given, 0.0)


def _under_one_replica(alloc: pd.DataFrame, names: np.ndarray, period_names: np.ndarray) -> list[str]:
    """The warning of services given GPUs in a period but less than one whole replica on each GPU type (a replica
    runs on one), which only a linear plan does (its GPU counts are fractions): on paper served, they could not
    serve a token. ``alloc`` has the model's allocation columns with ``gpus``; ``names`` are the workloads in the
    order its ``w`` counts."""
    services = alloc[(alloc["gpus"].to_numpy() > 0) & alloc["gpus_per_replica"].notna().to_numpy()]
    n_p = len(period_names)
    replicas = np.zeros(len(names) * n_p)  # the most on any one GPU type, per workload and period
    np.maximum.at(replicas, services["w"].to_numpy() * n_p + services["p"].to_numpy(),
                  services["gpus"].to_numpy() / services["gpus_per_replica"].to_numpy())
    under = np.flatnonzero((replicas > 0) & (replicas < 1 - TOLERANCE))
    if not len(under):
        return []
    table = pd.DataFrame({"w": under // n_p, "p": under % n_p, "replicas": replicas[under]})
    fewest = table.sort_values(["w", "replicas"], kind="stable").groupby("w", sort=False)
    parts = [f"{names[w]} (at most {share:.2g} of a replica in {period_names[p]}"
             + (f", under one in {periods} periods)" if periods > 1 else ")")
             for w, p, share, periods in zip(fewest["w"].first(), fewest["p"].first(), fewest["replicas"].first(),
                                             fewest.size())]
    one = len(parts) == 1
    return [f"{len(parts)} service{'' if one else 's'} {'gets' if one else 'get'} GPUs in some period but less than "
            f"one whole replica on any GPU type, which a linear plan allows (its GPU counts are fractions) but a real "
            f"fleet cannot run: {listed(parts)}. --integer gives whole replicas."]


def _blocked(scenario: Scenario, sizing: Sizing, windows: pd.DataFrame, period_names: np.ndarray) -> dict[str, str]:
    """Why each workload of ``windows`` (rows of :func:`planner.model.workload_windows`) cannot run in its window,
    by name: no GPU type of the gpus sheet can run it (its precision, say: more GPUs would not help); or those
    that can never have its smallest block (a run's memory minimum, a service's smallest replica) installed in its
    window (the one with the most is named, with what it needs), or are installed only outside it."""
    if windows.empty:
        return {}
    names, gpus = windows["workload"].to_numpy(), scenario.gpus["gpu"].to_numpy()
    formats = pd.concat([scenario.training[["workload", "precision"]], scenario.inference[["workload", "precision"]]]
                        ).set_index("workload")["precision"]
    user_min = scenario.training.set_index("workload")["min_gpus"].reindex(names).to_numpy()
    pairs = pair_table(sizing)
    pairs = pairs[pairs["workload"].isin(names)]
    pairs = pairs.assign(runs=pairs["gpu_hours"].notna() | (pairs["tokens_per_s_per_gpu"] > 0))

    def grid(column: str) -> np.ndarray:  # workloads x GPU types
        return pairs.pivot(index="workload", columns="gpu", values=column).reindex(index=names, columns=gpus).to_numpy()

    runs, need, bound = grid("runs").astype(bool), grid("min_gpus"), grid("bound")
    lacks = np.isnan(peak_tflops(scenario.gpus, formats.reindex(names)))  # no peak at the workload's precision
    position = np.arange(len(period_names))
    in_window = (position >= windows["first"].to_numpy()[:, None]) & (position <= windows["last"].to_numpy()[:, None])
    installed = scenario.fleet.to_numpy()[None, :, :]  # GPU types x periods
    most_in = np.where(in_window[:, None, :], installed, 0.0).max(axis=2)  # per workload and GPU type
    most_out = np.where(in_window[:, None, :], 0.0, installed).max(axis=2)

    precision = formats.reindex(names).str.upper().to_numpy()
    why = {}
    for i, (name, kind) in enumerate(zip(names, windows["kind"])):
        first, last = period_names[windows["first"].iat[i]], period_names[windows["last"].iat[i]]
        window = f"its window ({first})" if first == last else f"its window ({first} to {last})"
        able, others = gpus[runs[i]].tolist(), ~runs[i]
        if not able and lacks[i].all():
            why[name] = f"no GPU type of the gpus sheet supports its precision ({precision[i]})"
            continue
        if not able:
            why[name] = "no GPU type of the gpus sheet can run it (" + listed(
                b if b.startswith(f"{g} ") else f"{g}: {b}" for g, b in zip(gpus, pd.Series(bound[i]).fillna("no rate"))
            ) + ")"
            continue
        one = len(able) == 1
        lead = (f"{listed(able)} can run it" if not others.any() else
                f"only {listed(able)} {'supports' if one else 'support'} its precision ({precision[i]})"
                if lacks[i][others].all() else f"only {listed(able)} can run it")
        best = int(np.argmax(np.where(runs[i], most_in[i], -1.0)))
        outside = gpus[runs[i] & (most_out[i] > 0)].tolist()
        if most_in[i, best] > 0:
            block = ("its smallest replica" if kind == "inference" else
                     "its min_gpus" if user_min[i] == need[i, best] else "its memory minimum")
            who = "" if one else f" {gpus[best]}, the one with the most,"
            why[name] = (f"{lead}, but{who} has at most {most_in[i, best]:g} installed in {window} where it needs "
                         f"{need[i, best]:g} ({block})")
        elif outside == able:
            why[name] = f"{lead}, but {'it is' if one else 'they are'} installed only outside {window}"
        elif outside:
            why[name] = f"{lead}, but none is installed in {window}, {listed(outside)} only outside it"
        else:
            why[name] = f"{lead}, but none is installed in {window}"
    return why


class _Worth(NamedTuple):
    """Per workload (the model's order) and period: the most points a MW earns on it, and on which GPU type."""

    points_per_mw: np.ndarray
    gpu: np.ndarray


def _points_per_mw(model: PlanModel, share: np.ndarray, n_w: int, n_p: int, gpu_names: np.ndarray) -> _Worth:
    """What a MW of facility power earns on each of the ``n_w`` workloads in each period, on its best GPU type there:
    the objective's weight x the ``share`` of the workload's demand a GPU serves (:func:`_share_per_gpu`) / the MW
    it draws above idle, the ratio the LP weighs against the period's power price (see :class:`Results`)."""
    alloc, served = model.allocation, model.served
    w, g, p = (alloc[c].to_numpy() for c in ("w", "g", "p"))
    weight = np.zeros((n_w, n_p))  # a run's weight is the same in every period, a service's its period's
    runs = (served["kind"] == "training").to_numpy()
    weight[served["w"].to_numpy()[runs]] = served["weight"].to_numpy()[runs][:, None]
    weight[served["w"].to_numpy()[~runs], served["p"].to_numpy()[~runs]] = served["weight"].to_numpy()[~runs]
    mw = alloc["power_mw_per_gpu"].to_numpy()
    per_mw = np.divide(weight[w, p] * share, mw, out=np.full(len(mw), np.nan), where=mw > 0)
    valued = np.isfinite(per_mw)
    key, value, gpu = (w * n_p + p)[valued], per_mw[valued], g[valued]
    order = np.lexsort((-value, key))  # by workload and period, the most per MW first
    _, first = np.unique(key[order], return_index=True)
    best = order[first]
    points, types = np.full(n_w * n_p, np.nan), np.full(n_w * n_p, None, dtype=object)
    points[key[best]], types[key[best]] = value[best], gpu_names[gpu[best]]
    return _Worth(points.reshape(-1, n_p), types.reshape(-1, n_p))


def _training_progress(scenario: Scenario, sizing: Sizing, alloc: pd.DataFrame, places: _Places, worth: _Worth
                       ) -> pd.DataFrame:
    """FLOPs delivered to each run per period, cumulative, against what it needs; what a MW earns on it there."""
    runs = alloc.loc[alloc["kind"] == "training", ["gpus", "hours", "rate", "w", "p"]]  # no names: copying them is slow
    delivered = runs["gpus"] * runs["hours"] * SECONDS_PER_HOUR * runs["rate"]
    n_runs, n_p = len(scenario.training), len(scenario.periods)
    run, period = np.repeat(np.arange(n_runs), n_p), np.tile(np.arange(n_p), n_runs)  # runs lead the model's order
    table = pd.DataFrame({
        "workload": scenario.training["workload"].take(run).to_numpy(),
        "period": scenario.periods["period"].take(period).to_numpy(),
        "flops_delivered": _sum_by(delivered, places.workload_period(runs["w"].to_numpy(), runs["p"].to_numpy()),
                                   places.workload_period(run, period)),
    })
    table["flops_cumulative"] = table["flops_delivered"].groupby(run).cumsum()
    required = sizing.training.set_index("workload")["flops"].reindex(scenario.training["workload"]).to_numpy()
    table["flops_required"] = required[run]
    table["points_per_mw"], table["points_per_mw_gpu"] = worth.points_per_mw[run, period], worth.gpu[run, period]
    return table


def _inference_coverage(
    windows: pd.DataFrame, sizing: Sizing, alloc: pd.DataFrame, served: pd.DataFrame, places: _Places, worth: _Worth
) -> pd.DataFrame:
    """Peak demand against capacity given, per service and period it runs (``windows``: the model's workloads); what
    a MW earns on it there."""
    services = alloc.loc[alloc["kind"] == "inference", ["gpus", "rate", "w", "p"]]
    capacity = services["gpus"] * services["rate"]
    table = served.loc[served["kind"] == "inference", ["workload", "period", "value", "w", "p"]].rename(
        columns={"value": "served_fraction"}
    )
    w, p = table["w"].to_numpy(), table["p"].to_numpy()
    demand = sizing.inference.set_index("workload")["demand_tokens_per_s"].reindex(windows["workload"]).to_numpy()
    table["demand_tokens_per_s"] = demand[w]
    table["capacity_tokens_per_s"] = _sum_by(
        capacity, places.workload_period(services["w"].to_numpy(), services["p"].to_numpy()),
        places.workload_period(w, p))
    table["points_per_mw"], table["points_per_mw_gpu"] = worth.points_per_mw[w, p], worth.gpu[w, p]
    columns = ["workload", "period", "demand_tokens_per_s", "capacity_tokens_per_s", "served_fraction",
               "points_per_mw", "points_per_mw_gpu"]
    return table[columns].reset_index(drop=True)
