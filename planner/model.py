"""Build the allocation linear program as a PuLP model.

Sets: workloads w (training runs and inference services), GPU types g, periods p.

Variables
    gpus[w, g, p] >= 0   GPUs of type g given to workload w in period p; created only
                         inside w's window, where g can run w, and where at least w's
                         smallest usable block of g is installed (a run's memory minimum, a
                         service's smallest replica). A service's rate is that of the best
                         replica size no larger than what is installed; with ``integer``, its
                         variable counts whole replicas of that size.
    served[w]     in [0, 1]  share of a training run's FLOPs delivered by its deadline
    served[w, p]  in [0, 1]  share of an inference service's peak demand met in period p

Constraint families, one function each (``define_<family>``):
    fleet                  sum_w gpus[w, g, p] <= installed[g, p]
    power                  PUE x sum_{w,g} (max(power_factor_w x it_w, idle_w) - idle_w) gpus / 1e6
                           <= power_mw[p] - PUE x sum_g idle_w installed[g, p] / 1e6      (MW)
    training_scale         sum_g gpus[w, g, p] <= max_gpus[w]   (runs with a limit)
    training_minimum       with ``integer``: gpus[w, g, p] is 0 or at least the run's minimum
                           (binary on[w, g, p]; "training_on" links it to the GPUs installed)
    training_finish        with ``integer``, for runs that must finish: served[w] whole (0 or 1), and
                           on[w, g, p] <= served[w], so a run left out holds no GPUs
    training_compute       sum_{g, p in window} gpus x hours x 3600 x FLOP/s / required FLOPs >= served[w]
    inference_throughput   sum_g gpus[w, g, p] x tokens/s per GPU / peak demand >= served[w, p]

Objective (maximise)
    sum_training priority x served[w]
    + sum_inference priority x sum_p (hours_p / hours in w's window) x served[w, p]
    - energy_weight x energy (MWh) drawn by GPUs in use above idle: a tie-break, ENERGY_TIE_BREAK
      x min priority, capped so that it never outweighs what the energy serves (energy_weight);
      between two uses of the same GPUs scoring within a hundredth of each other it may take the
      one drawing less. A GPU that draws nothing above idle in use (power_factor x it_w <= idle_w)
      is counted at IDLE_TIE_BREAK_SHARE of the least that any GPU in use draws above idle, so
      that no GPU is given out that serves nothing (see :func:`tie_break_mw_per_gpu`)

x = 0, served = 0 satisfies every row, so the program is always feasible; what
cannot be served shows up as a served share below 1.

Rows are built from numpy coefficient arrays and handed to PuLP's compiled core in
one call per row, so building scales with the number of non-zeros, not with Python
expression arithmetic. The problem keeps those arrays (:class:`PlanProblem`) for the
solver, which need not read them back out of the core.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp
from pulp import _rustcore

from planner.gcpause import paused_gc
from planner.sizing import Sizing
from planner.workbook import Scenario

ENERGY_TIE_BREAK = 1e-7  # score points per MWh, times the smallest priority
# at most this share of the score per MWh of the least efficient variable: binds only at national
# scale (the benchmark scenarios sit above it, and a smaller tie-break made their LPs slower to solve)
TIE_BREAK_CAP = 1e-2
# a GPU in use that draws nothing above idle counts, in the tie-break alone, this share of the least
# draw above idle of any GPU in use (or of its own draw in use, where none draws above idle)
IDLE_TIE_BREAK_SHARE = 0.1
ABOVE_IDLE_ROUNDING = 1e-9  # of it_w: a GPU in use drawing this little above idle draws nothing above it
OBJECTIVE_SCALE = 1e3  # objective units per point of the least priority: lifts the tie-break above solver
# tolerances whatever scale priorities are given in (they are relative); undone in results
# objective units the GPUs of an allocation row in a period are worth at least, each: a thousand times HiGHS's
# dual feasibility tolerance (1e-7), under which a GPU that would serve may be taken for worthless and left idle
LEAST_GPU_WORTH = 1e-4
COST_CEILING = 1e15  # objective units a workload's whole score may reach: HiGHS takes a cost from 1e20 as infinite
SECONDS_PER_HOUR = 3600.0
PERIOD_KEY_SPAN = 1 << 32  # workload x span + period: one integer key per (workload, period)
KINDS = ("training", "inference")  # categories of the allocation table's kind column
SWITCH_COLUMNS = ["workload", "gpu", "period", "gpus", "on", "min_gpus", "installed"]
INTEGER_TOLERANCE = 1e-6  # a relaxed value this close to a whole number counts as it


@dataclass
class PlanModel:
    """The PuLP problem and the index tables that map its columns and rows back to names.

    - ``allocation``: one row per gpus variable: workload, kind, gpu, period, w, g, p
      (integer positions), rate (FLOP/s or tokens/s per GPU), unit (GPUs per unit of the
      variable), gpus_per_replica (a service's, at that rate; NaN for a run), hours, share_per_unit (of the
      workload's demand one unit serves), power_mw_per_gpu (facility MW above idle), tie_break_mw_per_gpu (the
      MW the energy tie-break charges: the same, but for GPUs drawing nothing above idle, see
      :func:`tie_break_mw_per_gpu`), column (variable id)
    - ``served``: one row per served variable: workload, kind, period (None for
      training), weight (objective weight before scaling), column
    - ``rows``: family -> table of that family's rows with their labels and ``row``
      (the constraint handle, read after solving)
    - ``switches``: in a mixed-integer model, one row per training on/off binary: workload,
      gpu, period, gpus (the allocation column it switches), on (its column), min_gpus,
      installed; empty otherwise
    - ``whole_runs``: in a mixed-integer model, the served columns of the runs that must finish (0 or 1); empty
      otherwise
    - ``unlock_by_workload``: workloads x GPU types x periods, how many GPUs more installed would
      let the type carry the workload, which it can run then but has too few of for its smallest
      block, or carry a service on a larger replica that serves more per GPU (infinite where there
      is none): past that the plan uses GPUs as it could not, which no price foresees
    """

    problem: PlanProblem
    allocation: pd.DataFrame
    served: pd.DataFrame
    rows: dict[str, pd.DataFrame]
    energy_weight: float  # tie-break in score points per MWh (before objective_scale)
    integer: bool = False
    switches: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SWITCH_COLUMNS))
    unlock_by_workload: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    objective_scale: float = OBJECTIVE_SCALE
    whole_runs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    source: str = ""  # the input the scenario was read from, as given (bytes not UTF-8 escaped: '\\xff')

    @property
    def gpus_to_unlock(self) -> np.ndarray:
        """GPU types x periods: the fewest GPUs more that would let the type carry some workload as it
        cannot yet (``unlock_by_workload``)."""
        return self.unlock_by_workload.min(axis=0, initial=np.inf)

    @property
    def n_vars(self) -> int:
        """Columns: GPUs (or replicas) per allocation row, served shares, and the training switches."""
        return len(self.allocation) + len(self.served) + len(self.switches)

    @property
    def n_cons(self) -> int:
        return sum(len(t) for t in self.rows.values())

    def integer_columns(self) -> np.ndarray:
        """Ids of the integer columns: the services' replicas, the training switches and the served shares of the
        runs that must finish; none in a linear model."""
        if not self.integer:
            return np.zeros(0, dtype=np.int64)
        alloc = self.allocation
        services = alloc["column"].to_numpy(dtype=np.int64)[alloc["kind"].to_numpy() == "inference"]
        return np.concatenate([services, self.switches["on"].to_numpy(dtype=np.int64), self.whole_runs])

    def integer_starts(self, relaxed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Whole values for every integer column, from a solution of the relaxation (values by
        column id): starting plans for the mixed-integer solve, each (column ids, values), two at
        most and distinct.

        A run keeps a GPU type in a period only where the relaxation gave it at least its
        minimum there (its switch on), else gives it up (off). A service keeps the whole
        replicas it had; then, most nearly whole first, a fractional replica is rounded up
        while its GPU type and period have the GPUs and power for it beside the runs. The runs
        are counted at their minimum in the first plan (rounded-up replicas may take what a run
        holds above it; the LP that completes a plan gives runs what the services leave), at
        their relaxed GPUs in the second. Every fleet, power and scale row stays satisfiable (a
        GPU in use never draws less than idle); the served shares, continuous, are left to that
        LP too, but those of runs that must finish: 1 where the relaxation finished the run, else 0
        (in both plans a run started as finished keeps the GPUs that finished it).
        """
        if not self.integer:
            return []
        alloc = self.allocation
        gpus = relaxed[alloc["column"].to_numpy(dtype=np.int64)]
        switches = self.switches
        held = relaxed[switches["gpus"].to_numpy(dtype=np.int64)]
        least = switches["min_gpus"].to_numpy(dtype=float)
        on = held >= least * (1 - INTEGER_TOLERANCE)
        runs = pd.Index(alloc["column"]).get_indexer(switches["gpus"])
        service = np.flatnonzero(alloc["kind"].to_numpy() == "inference")
        whole = np.floor(gpus[service] + INTEGER_TOLERANCE)
        fraction = gpus[service] - whole
        gpus[service] = whole
        most_whole_first = np.argsort(-fraction, kind="stable")
        candidates = service[most_whole_first[fraction[most_whole_first] > INTEGER_TOLERANCE]]
        columns = np.concatenate([alloc["column"].to_numpy(dtype=np.int64)[service],
                                  switches["on"].to_numpy(dtype=np.int64), self.whole_runs])
        finished = self._finished(relaxed, held, on)
        run_of = self.served.set_index("column")["workload"]
        on &= ~switches["workload"].isin(run_of[self.whole_runs[finished == 0]]).to_numpy()
        finishing = switches["workload"].isin(run_of[self.whole_runs[finished == 1]]).to_numpy()
        round_up = self._rounding_up()
        starts: list[tuple[np.ndarray, np.ndarray]] = []
        for run_gpus in (np.where(finishing, held, least), held):
            units = gpus.copy()
            units[runs] = np.where(on, run_gpus, 0.0)
            round_up(units, candidates)
            values = np.concatenate([units[service], on.astype(float), finished])
            if not any(np.array_equal(values, other) for _, other in starts):
                starts.append((columns, values))
        return starts

    def _finished(self, relaxed: np.ndarray, held: np.ndarray, on: np.ndarray) -> np.ndarray:
        """Per run that must finish (``whole_runs``' order), 1.0 where the relaxation finishes it and keeps every GPU
        it gives it with its switches ``on`` (the GPUs ``held`` at least its minimum wherever it has any), else 0.0:
        a run given up anywhere may not finish on what is left, and one that does not finish gets nothing."""
        runs = self.served.loc[self.served["column"].isin(self.whole_runs)]
        workload = self.switches["workload"].to_numpy()
        dropped = set(workload[(held > INTEGER_TOLERANCE) & ~on])
        whole = relaxed[runs["column"].to_numpy(dtype=np.int64)] >= 1 - INTEGER_TOLERANCE
        kept = ~runs["workload"].isin(dropped).to_numpy()
        return (whole & kept).astype(float)

    def fleet_prices_with_switches(self, shadow: dict[str, np.ndarray], values: np.ndarray) -> np.ndarray:
        """The fleet rows' prices (``shadow``, per family, as :class:`planner.solve.Solution` has
        them) with the part a relaxation's solver put on the "training_on" rows (GPUs <= installed
        x on): one more GPU installed relaxes each by its switch's value (``values``, by column
        id). CBC may price a GPU type there rather than on its fleet row; HiGHS's relaxation
        leaves those rows out (:meth:`switch_rows_and_columns`)."""
        fleet = shadow["fleet"].copy()
        if "training_on" in shadow and len(self.switches):
            rows = self.rows["fleet"]
            pair = pd.MultiIndex.from_frame(rows[["gpu", "period"]]).get_indexer(
                pd.MultiIndex.from_frame(self.switches[["gpu", "period"]]))
            on = values[self.switches["on"].to_numpy(dtype=np.int64)]
            np.add.at(fleet, pair, shadow["training_on"] * on)
        return fleet

    def row_ids(self, *families: str) -> np.ndarray:
        """The core's ids of the rows of ``families`` (those the model has), in order: their indices in the LP
        HiGHS holds."""
        rows = [self.rows[family]["row"] for family in families if family in self.rows]
        return np.fromiter((row.id() for table in rows for row in table), dtype=np.int64,
                           count=sum(len(table) for table in rows))

    def switch_rows_and_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """Row ids of the switches' two families and the switches' column ids. A relaxation needs
        none of them: a run is offered GPUs only where its minimum is installed, so for any GPUs
        it holds some switch setting in [0, 1] satisfies both rows. Leaving them out makes the
        relaxation as quick to solve as the linear plan (their rows double the L benchmark's)."""
        return (self.row_ids("training_minimum", "training_on", "training_finish"),
                self.switches["on"].to_numpy(dtype=np.int64))

    def _rounding_up(self):
        """A function that adds one unit to each allocation row of ``candidates`` in turn
        (positions, in order) while its GPU type and period have the GPUs and the power for it,
        given every row's ``units``, which it updates."""
        room = self._room()

        def round_up(units: np.ndarray, candidates: np.ndarray) -> None:
            spare_gpus, spare_mw = room(units)
            # one at a time: each replica added spends GPUs and power the next must see (0.07 s for
            # the 192,000 service columns of the L benchmark)
            for i, gpus_needed, mw_needed, k, p in zip(
                candidates.tolist(), room.gpus[candidates].tolist(), room.mw[candidates].tolist(),
                room.pair[candidates].tolist(), room.period[candidates].tolist(),
            ):
                if spare_gpus[k] >= gpus_needed and spare_mw[p] >= mw_needed:
                    units[i] += 1.0
                    spare_gpus[k] -= gpus_needed
                    spare_mw[p] -= mw_needed

        return round_up

    def _room(self) -> Room:
        """What one unit of each allocation row takes of its GPU type's fleet and its period's power, and what
        every row's units leave of them (:class:`Room`)."""
        alloc, fleet = self.allocation, self.rows["fleet"]
        unit = alloc["unit"].to_numpy()
        pair = pd.MultiIndex.from_frame(fleet[["gpu", "period"]]).get_indexer(
            pd.MultiIndex.from_frame(alloc[["gpu", "period"]]))
        return Room(unit, alloc["power_mw_per_gpu"].to_numpy() * unit, pair, alloc["p"].to_numpy(),
                    fleet["installed"].to_numpy(dtype=float), self.rows["power"]["headroom_mw"].to_numpy(dtype=float))

    def filled(self, values: np.ndarray) -> np.ndarray | None:
        """A completed mixed-integer plan (every column's ``values``, by column id) with whole replicas added where a
        service is cut short and its GPU type and period still have the GPUs and the power for them, most points
        per MW first, up to what the service is short of: room that no run takes (the LP that completed the plan
        gave runs all they could use), as where a run that must finish but cannot is left out of a relaxation's
        start. The values with the replicas added, or None where none fit. The served shares are left to the LP
        that completes the plan again."""
        alloc, served = self.allocation, self.served
        rows = np.flatnonzero((alloc["kind"] == "inference").to_numpy())
        services = served[(served["kind"] == "inference").to_numpy()]
        n_p = len(self.rows["power"])
        slot = pd.Index(services["w"].to_numpy() * n_p + services["p"].to_numpy()).get_indexer(
            alloc["w"].to_numpy()[rows] * n_p + alloc["p"].to_numpy()[rows])
        short = 1.0 - values[services["column"].to_numpy(dtype=np.int64)]
        share = alloc["share_per_unit"].to_numpy()[rows]
        room = self._room()
        units = values[alloc["column"].to_numpy(dtype=np.int64)]
        spare_gpus, spare_mw = room(units)
        with np.errstate(divide="ignore"):  # a replica drawing nothing above idle is worth most per MW
            worth = services["weight"].to_numpy()[slot] * share / room.mw[rows]
        # spare GPUs and power only shrink as replicas are added: a row short of either now never fits one
        fits = ((np.asarray(spare_gpus)[room.pair[rows]] >= room.gpus[rows])
                & (np.asarray(spare_mw)[room.period[rows]] >= room.mw[rows]) & (short[slot] > INTEGER_TOLERANCE))
        order = np.argsort(-worth, kind="stable")
        order = order[fits[order]]
        short, added = short.tolist(), False
        picked = rows[order]
        for r, s, each, gpus, mw, k, p in zip(picked.tolist(), slot[order].tolist(), share[order].tolist(),
                                              room.gpus[picked].tolist(), room.mw[picked].tolist(),
                                              room.pair[picked].tolist(), room.period[picked].tolist()):
            if short[s] <= INTEGER_TOLERANCE:  # served in full by the replicas added on another GPU type
                continue
            more = min(spare_gpus[k] // gpus, spare_mw[p] // mw if mw > 0 else math.inf,
                       math.ceil(short[s] / each - INTEGER_TOLERANCE))
            if more > 0:
                units[r] += more
                spare_gpus[k] -= more * gpus
                spare_mw[p] -= more * mw
                short[s] -= more * each
                added = True
        if not added:
            return None
        out = values.copy()
        out[alloc["column"].to_numpy(dtype=np.int64)[rows]] = units[rows]
        return out


@dataclass(frozen=True)
class Room:
    """Per allocation row, the GPUs (``gpus``) and facility MW above idle (``mw``) one unit takes, its fleet row
    (``pair``) and period (``period``); per fleet row the GPUs ``installed``, per period the MW ``headroom`` above
    every installed GPU's idle draw. Called with every row's units: the GPUs and MW they leave, as lists (read
    one at a time)."""

    gpus: np.ndarray
    mw: np.ndarray
    pair: np.ndarray
    period: np.ndarray
    installed: np.ndarray
    headroom: np.ndarray

    def __call__(self, units: np.ndarray) -> tuple[list[float], list[float]]:
        return ((self.installed - np.bincount(self.pair, units * self.gpus, minlength=len(self.installed))).tolist(),
                (self.headroom - np.bincount(self.period, units * self.mw, minlength=len(self.headroom))).tolist())


def build_model(scenario: Scenario, sizing: Sizing, integer: bool = False) -> PlanModel:
    """Variables, then one constraint family at a time, then the objective.

    ``integer``: inference services get whole replicas (a mixed-integer program).
    """
    with paused_gc():
        return _build(scenario, sizing, integer)


def _build(scenario: Scenario, sizing: Sizing, integer: bool) -> PlanModel:
    problem = PlanProblem("capacity_plan", pulp.LpMaximize)
    windows = workload_windows(scenario)
    usable = _usable(scenario, sizing, windows)
    allocation = allocation_index(scenario, sizing, integer, windows, usable)
    served = served_index(scenario, windows)
    allocation["column"] = _columns(problem, "gpus", len(allocation), upper=None)
    served["column"] = _columns(problem, "served", len(served), upper=1.0)
    switches = _switches(problem, scenario, sizing, allocation, integer)
    whole_runs = _whole_runs(scenario, served) if integer else np.zeros(0, dtype=np.int64)
    rows = {
        "fleet": define_fleet(problem, scenario, allocation),
        "power": define_power(problem, scenario, allocation),
        "training_scale": define_training_scale(problem, scenario, sizing, allocation),
        "training_compute": define_training_compute(problem, allocation, served),
        **define_training_minimum(problem, switches),
        **define_training_finish(problem, switches, served, whole_runs),
        "inference_throughput": define_inference_throughput(problem, allocation, served),
    }
    energy_weight = tie_break_weight(scenario, sizing, allocation, windows)
    scale = objective_scale(scenario, sizing, allocation, windows)
    define_objective(problem, allocation, served, energy_weight, scale)
    model = PlanModel(problem, allocation, served, rows, energy_weight, integer, switches,
                      usable.more_at - scenario.fleet.to_numpy()[None, :, :], scale, whole_runs,
                      os.fsencode(scenario.source).decode("utf-8", "backslashreplace"))
    _make_integer(problem, model.integer_columns())
    return model


# ---------------------------------------------------------------------------
# index sets


def workload_windows(scenario: Scenario) -> pd.DataFrame:
    """workload, kind, first and last period position (inclusive), priority, hours (in the window)."""
    order = {p: i for i, p in enumerate(scenario.periods["period"])}
    last = len(order) - 1
    training = pd.DataFrame({
        "workload": scenario.training["workload"],
        "kind": "training",
        "first": scenario.training["start_period"].map(order),
        "last": scenario.training["deadline_period"].map(order),
        "priority": scenario.training["priority"],
    })
    inference = pd.DataFrame({
        "workload": scenario.inference["workload"],
        "kind": "inference",
        "first": scenario.inference["start_period"].map(order),
        "last": last,
        "priority": scenario.inference["priority"],
    })
    windows = pd.concat([training, inference], ignore_index=True).astype({"first": int, "last": int})
    cumulative = np.concatenate([[0.0], np.cumsum(scenario.periods["hours"].to_numpy())])
    windows["hours"] = cumulative[windows["last"].to_numpy() + 1] - cumulative[windows["first"].to_numpy()]
    return windows


@dataclass
class Usable:
    """What each GPU type can give each workload in each period, as the fleet installed allows:
    workloads x GPU types x periods arrays.

    - ``rate``: FLOP/s per GPU (a run) or tokens/s per GPU (a service); 0 where the type
      cannot carry the workload with what is installed, or the period is outside its window;
    - ``replica``: a service's GPUs per replica at that rate: of the sizes that serve, the one with
      the most tokens/s per GPU among those no larger than the GPUs installed (1 for a run);
    - ``more_at``: GPUs installed at which the type would carry the workload at a better rate:
      a run's memory minimum while fewer are installed, the next replica size that serves more
      per GPU (or serves at all); infinite where there is none, or outside the window.
    """

    rate: np.ndarray
    replica: np.ndarray
    more_at: np.ndarray


def _usable(scenario: Scenario, sizing: Sizing, windows: pd.DataFrame) -> Usable:
    """:class:`Usable` of a scenario."""
    gpus, installed = scenario.gpus, scenario.fleet.to_numpy()  # GPU types x periods
    period = np.arange(len(scenario.periods))
    in_window = (period >= windows["first"].to_numpy()[:, None]) & (period <= windows["last"].to_numpy()[:, None])

    # runs: one rate per GPU type, given where its memory minimum is installed
    runs = scenario.training["workload"]
    run_rate, minimum = (grid[:, :, None] for grid in sizing.training_grids(runs, gpus["gpu"]))
    short = installed[None, :, :] < minimum
    run_more_at = np.where(short & (run_rate > 0), minimum, np.inf)
    run_rate = np.where(short, 0.0, run_rate)

    # services: tokens/s per GPU for each replica size (services x GPU types x sizes; 0: does not serve)
    replicas = sizing.inference_replicas
    services = scenario.inference["workload"]
    sizes = np.unique(replicas["gpus_per_replica"].to_numpy(dtype=float)) if len(replicas) else np.ones(1)
    by_size = np.zeros((len(services), len(gpus), len(sizes)))
    by_size[pd.Index(services).get_indexer(replicas["workload"]), pd.Index(gpus["gpu"]).get_indexer(replicas["gpu"]),
            np.searchsorted(sizes, replicas["gpus_per_replica"].to_numpy(dtype=float))] = \
        replicas["tokens_per_s_per_gpu"].to_numpy(dtype=float)
    # with the k smallest sizes installable (k = 0..sizes): the best rate, its size, and the
    # smallest size that would serve more per GPU; then each GPU type and period takes its k
    k_sizes = len(sizes) + 1
    best_rate, best_size = np.zeros(by_size.shape[:2] + (k_sizes,)), np.ones(by_size.shape[:2] + (k_sizes,))
    next_size = np.full(by_size.shape[:2] + (k_sizes,), np.inf)
    for k in range(k_sizes):
        if k:
            best = by_size[..., :k].argmax(axis=-1)
            best_rate[..., k] = np.take_along_axis(by_size, best[..., None], axis=-1)[..., 0]
            best_size[..., k] = sizes[best]
        next_size[..., k] = np.where(by_size > best_rate[..., k, None] * (1 + 1e-9), sizes, np.inf).min(axis=-1)
    installable = np.arange(len(gpus))[:, None], np.searchsorted(sizes, installed, side="right")  # per type, period
    service_rate, service_more_at = best_rate[:, *installable], next_size[:, *installable]

    rate = np.concatenate([run_rate, service_rate]) * in_window[:, None, :]
    replica = np.concatenate([np.ones_like(run_rate), best_size[:, *installable]])
    more_at = np.where(in_window[:, None, :], np.concatenate([run_more_at, service_more_at]), np.inf)
    return Usable(rate, replica, more_at)


def allocation_index(
    scenario: Scenario, sizing: Sizing, integer: bool = False, windows: pd.DataFrame | None = None,
    usable: Usable | None = None,
) -> pd.DataFrame:
    """Every (workload, gpu, period) triple that may carry GPUs, with its coefficients: the
    allocation variables' index, which the constraint families build on and which an LP assembled
    apart from them (``planner.bench``'s floor) can share. ``windows`` and ``usable``: what
    :func:`workload_windows` and :func:`_usable` give, when the caller has them already.

    ``unit`` is the GPUs one unit of the variable stands for: 1, or in integer mode
    an inference service's GPUs per replica, so that services get whole replicas. ``share_per_unit`` is the share
    of its workload's demand one unit serves: of a run's FLOPs in the period's hours, of a service's peak tokens/s.
    """
    windows = workload_windows(scenario) if windows is None else windows
    gpus = scenario.gpus
    periods = scenario.periods
    usable = _usable(scenario, sizing, windows) if usable is None else usable
    w, g, p = np.nonzero(usable.rate > 0)

    is_service = windows["kind"].to_numpy() == "inference"
    unit = usable.replica[w, g, p] if integer else np.ones(len(w))
    # a GPU in use draws power_factor x it_w, never less than when idle
    factor = sizing.power_factor.reindex(windows["workload"]).to_numpy()
    it_w, idle_w = gpus["it_w"].to_numpy()[g], gpus["idle_w"].to_numpy()[g]
    above_idle_w = factor[w] * it_w - idle_w
    # a draw within rounding of idle is none: 0.55 x 700 W comes to 385.00000000000006 against an idle 385 W
    above_idle_w = np.where(above_idle_w > ABOVE_IDLE_ROUNDING * it_w, above_idle_w, 0.0)
    power_mw_per_gpu = scenario.pue * above_idle_w / 1e6
    hours, rate = periods["hours"].to_numpy()[p], usable.rate[w, g, p]
    # workload positions: training runs first, then services, in sheet order, as sizing lists them
    demand = np.concatenate([sizing.training["flops"].to_numpy(), sizing.inference["demand_tokens_per_s"].to_numpy()])
    return pd.DataFrame({
        "workload": windows["workload"].to_numpy()[w],
        # categorical: the constraint families select by kind, and comparing codes is ~100x faster than text
        "kind": pd.Categorical.from_codes(is_service[w].astype(np.int8), KINDS),
        "gpu": gpus["gpu"].to_numpy()[g],
        "period": periods["period"].to_numpy()[p],
        "w": w,
        "g": g,
        "p": p,
        "rate": rate,
        "unit": unit,
        "gpus_per_replica": np.where(is_service[w], usable.replica[w, g, p], np.nan),
        "hours": hours,
        "share_per_unit": np.where(is_service[w], rate * unit, hours * SECONDS_PER_HOUR * rate * unit) / demand[w],
        "power_mw_per_gpu": power_mw_per_gpu,
        "tie_break_mw_per_gpu": tie_break_mw_per_gpu(power_mw_per_gpu, scenario.pue * it_w / 1e6),
    })


def tie_break_mw_per_gpu(power_mw_per_gpu: np.ndarray, rated_mw: np.ndarray) -> np.ndarray:
    """Facility MW per GPU the energy tie-break charges each allocation row for: its draw above idle
    (``power_mw_per_gpu``); where that is nothing (``power_factor`` x ``it_w`` at or below ``idle_w``),
    IDLE_TIE_BREAK_SHARE of the least draw above idle of any row, or of the GPU's rated draw in use
    (``rated_mw``, from ``it_w``) where no row draws above idle: not its draw at the workload's power_factor,
    which a factor of 1e-10 with no idle draw makes nothing, and the charge with it.

    Such a GPU serves at no energy cost, so without a charge the plan could give out every GPU of its
    type (a service five times the GPUs its peak needs, a run more than its FLOPs need), and the
    allocation, GPU-hours and GPUs in use would count GPUs that serve nothing. The charge is below
    that of any GPU drawing above idle, so the tie-break still prefers the plan drawing less energy.
    """
    free = power_mw_per_gpu <= 0
    if not free.any():
        return power_mw_per_gpu
    drawing = power_mw_per_gpu[~free]
    floor = IDLE_TIE_BREAK_SHARE * (drawing.min() if len(drawing) else rated_mw)
    return np.where(free, floor, power_mw_per_gpu)


def served_index(scenario: Scenario, windows: pd.DataFrame | None = None) -> pd.DataFrame:
    """One served share per training run, and per inference service and period it runs: the
    served variables' index (``windows``: :func:`workload_windows`'s, when the caller has it).

    ``weight`` is the objective weight: the priority for a run; for a service, the
    priority times the period's share of the hours in the service's window, so the
    service's served fraction is the hours-weighted mean over its periods.
    """
    windows = workload_windows(scenario) if windows is None else windows
    hours = scenario.periods["hours"].to_numpy()
    training = windows[windows["kind"] == "training"]
    services = windows[windows["kind"] == "inference"]
    first, last = services["first"].to_numpy(), services["last"].to_numpy()
    lengths = last - first + 1
    w = np.repeat(services.index.to_numpy(), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    p = np.repeat(first, lengths) + offset
    window_hours = np.repeat(services["hours"].to_numpy(), lengths)
    return pd.concat([
        pd.DataFrame({
            "workload": training["workload"], "kind": "training", "period": None,
            "w": training.index, "p": -1, "weight": training["priority"],
        }),
        pd.DataFrame({
            "workload": windows["workload"].to_numpy()[w], "kind": "inference",
            "period": scenario.periods["period"].to_numpy()[p], "w": w, "p": p,
            "weight": windows["priority"].to_numpy()[w] * hours[p] / window_hours,
        }),
    ], ignore_index=True)


def _make_integer(problem: PlanProblem, columns: np.ndarray) -> None:
    core = problem.toRustModel()
    for variable in core.list_variables_by_ids([int(c) for c in columns]):
        variable.set_category(_rustcore.Category.Integer)


def _columns(problem: PlanProblem, name: str, count: int, upper: float | None) -> np.ndarray:
    """Create ``count`` continuous variables >= 0 in one call to PuLP's compiled core; return
    their ids. (``add_variable_matrix`` would also wrap each one in a Python object we never use.)"""
    names = [f"{name}_{i}" for i in range(count)]
    upper = np.inf if upper is None else upper
    variables = problem.toRustModel().add_variables_batch(names, 0.0, upper, _rustcore.Category.Continuous)
    if not variables:
        return np.zeros(0, dtype=np.uint64)
    # the core hands out ids in order: the first and last settle every one between
    first = variables[0].id()
    if variables[-1].id() != first + count - 1:
        raise RuntimeError("PuLP's core did not number a batch of variables consecutively")
    return np.arange(first, first + count, dtype=np.uint64)


# ---------------------------------------------------------------------------
# rows


_SENSES = {"<=": _rustcore.Sense.LessEqual, ">=": _rustcore.Sense.GreaterEqual}


class PlanProblem(pulp.LpProblem):
    """A PuLP problem that keeps the terms of the rows it was given through :meth:`add_rows` as the
    arrays they came from, so that a solver can be handed the matrix without reading it back term
    by term out of PuLP's core (0.3 s at 400k variables, as long as building it). PuLP's ``copy()``
    of it is a plain ``LpProblem``, which the planner's solver bridge does not take."""

    def __init__(self, name: str, sense: int):
        super().__init__(name, sense)
        self._term_blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row lengths, columns, coefficients)
        self._objective_terms: tuple[np.ndarray, np.ndarray] | None = None  # (columns, coefficients)

    @pulp.LpProblem.objective.setter
    def objective(self, value) -> None:
        """Any objective set but through :meth:`set_objective_terms` is known to the core alone."""
        pulp.LpProblem.objective.fset(self, value)
        self._objective_terms = None

    def set_objective_terms(self, columns: np.ndarray, coefficients: np.ndarray) -> None:
        """The objective sum coefficients x columns, in one call to PuLP's compiled core."""
        expr = _rustcore.AffineExpr()
        expr.add_term_ids_coeffs(self.toRustModel(), columns, coefficients)
        self.objective = pulp.LpAffineExpression(expr)
        self._objective_terms = columns.astype(np.int64), coefficients.astype(float)

    def objective_costs(self) -> np.ndarray:
        """Every column's objective coefficient, by column id: from the arrays :meth:`set_objective_terms`
        was given, or read back out of the core where the objective was set otherwise."""
        n_columns = self.toRustModel().num_variables
        if self._objective_terms is not None:
            columns, coefficients = self._objective_terms
            return np.bincount(columns, coefficients, minlength=n_columns)
        return self.core_objective_costs()

    def core_objective_costs(self) -> np.ndarray:
        """:meth:`objective_costs`, read out of the core."""
        cost = np.zeros(self.toRustModel().num_variables)
        objective = self.toRustModel().get_objective()
        if objective is not None:
            terms = objective.items()
            cost[np.fromiter((v.id() for v, _ in terms), dtype=np.int64, count=len(terms))] = [c for _, c in terms]
        return cost

    def add_rows(
        self, family: str, group: np.ndarray, columns: np.ndarray, coefficients: np.ndarray, sense: str,
        rhs: np.ndarray,
    ) -> list:
        """Add one row per group id 0..len(rhs)-1: sum coefficients x columns (sense) rhs.

        Terms are sorted by group once, and each row's slice goes to PuLP's compiled
        core in a single call; returns the constraint handles in group order.
        """
        if not np.all(np.isfinite(coefficients)) or not np.all(np.isfinite(rhs)):
            raise ValueError(f"non-finite coefficient in the {family} rows")
        order = np.argsort(group, kind="stable")
        columns, coefficients = columns[order], coefficients[order].astype(float)
        bounds = np.searchsorted(group[order], np.arange(len(rhs) + 1))
        model = self.toRustModel()
        # the loop's bounds and constants as Python numbers, its calls looked up once: each row costs little else
        starts, constants = bounds.tolist(), (-np.asarray(rhs, dtype=float)).tolist()
        new_expr, add_constraint, core_sense = _rustcore.AffineExpr, model.add_constraint, _SENSES[sense]
        handles = []
        for i, constant in enumerate(constants):
            expr = new_expr()
            lo, hi = starts[i], starts[i + 1]
            expr.add_term_ids_coeffs(model, columns[lo:hi], coefficients[lo:hi])
            expr.set_constant(constant)
            expr.set_sense(core_sense)
            expr.set_name(f"{family}_{i}")
            handles.append(add_constraint(expr))
        self._term_blocks.append((np.diff(bounds), columns, coefficients))
        return handles

    def row_terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every row's terms in compressed sparse row form (starts, column ids, coefficients), in row id
        order: from the arrays :meth:`add_rows` kept, or read back out of the core once it holds rows that
        :meth:`add_rows` did not add. Rows must not be edited in place once added."""
        if sum(len(lengths) for lengths, _, _ in self._term_blocks) != self.toRustModel().num_constraints:
            return self.core_row_terms()
        if not self._term_blocks:
            return np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0)
        lengths, columns, coefficients = (np.concatenate(parts) for parts in zip(*self._term_blocks))
        return _row_starts(lengths), columns.astype(np.int32), coefficients

    def core_row_terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`row_terms`, read out of the core term by term."""
        rows = [c.items() for c in self.toRustModel().list_constraints()]
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        nnz = int(lengths.sum())
        index = np.fromiter((v.id() for r in rows for v, _ in r), dtype=np.int32, count=nnz)
        value = np.fromiter((c for r in rows for _, c in r), dtype=float, count=nnz)
        return _row_starts(lengths), index, value


def _row_starts(lengths: np.ndarray) -> np.ndarray:
    """Where each row's terms start, and where the last ends, given the rows' numbers of terms."""
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)


def define_fleet(problem: PlanProblem, scenario: Scenario, allocation: pd.DataFrame) -> pd.DataFrame:
    """GPUs given out never exceed GPUs installed, per GPU type and period. Each row carries its
    period's position ``p`` and ``idle_mw_per_gpu``: what one more GPU installed would take from
    that period's power headroom."""
    if allocation.empty:
        return pd.DataFrame(columns=["gpu", "period", "p", "installed", "idle_mw_per_gpu", "row"])
    n_p = len(scenario.periods)
    # the pairs in use, in order, and each row's place among them: counted over the few pairs there are, not sorted
    key = allocation["g"].to_numpy() * n_p + allocation["p"].to_numpy()
    used = np.bincount(key, minlength=len(scenario.gpus) * n_p) > 0
    pairs, group = np.flatnonzero(used), (np.cumsum(used) - 1)[key]
    keys = {"g": pairs // n_p, "p": pairs % n_p}
    installed = scenario.fleet.to_numpy()[keys["g"], keys["p"]]
    handles = problem.add_rows(
        "fleet", group, allocation["column"].to_numpy(), allocation["unit"].to_numpy(), "<=", installed
    )
    return pd.DataFrame({
        "gpu": scenario.gpus["gpu"].to_numpy()[keys["g"]],
        "period": scenario.periods["period"].to_numpy()[keys["p"]],
        "p": keys["p"],
        "installed": installed,
        "idle_mw_per_gpu": idle_mw_per_gpu(scenario).to_numpy()[keys["g"]],
        "row": handles,
    })


def idle_mw_per_gpu(scenario: Scenario) -> pd.Series:
    """Facility MW one installed GPU of each type draws idle (PUE included), by GPU type."""
    return scenario.pue * scenario.gpus.set_index("gpu")["idle_w"] / 1e6


def idle_power_mw(scenario: Scenario) -> np.ndarray:
    """Facility MW drawn per period by the installed fleet if every GPU sat idle."""
    return idle_mw_per_gpu(scenario).to_numpy() @ scenario.fleet.to_numpy()


def define_power(problem: PlanProblem, scenario: Scenario, allocation: pd.DataFrame) -> pd.DataFrame:
    """Facility power (IT power x PUE) stays within each period's budget."""
    headroom = scenario.periods["power_mw"].to_numpy() - idle_power_mw(scenario)
    handles = problem.add_rows(
        "power", allocation["p"].to_numpy(), allocation["column"].to_numpy(),
        (allocation["power_mw_per_gpu"] * allocation["unit"]).to_numpy(), "<=", headroom,
    )
    return pd.DataFrame({"period": scenario.periods["period"], "headroom_mw": headroom, "row": handles})


def define_training_scale(
    problem: PlanProblem, scenario: Scenario, sizing: Sizing, allocation: pd.DataFrame
) -> pd.DataFrame:
    """A run never holds more GPUs at once than its ``max_gpus``."""
    limit = sizing.training.set_index("workload")["max_gpus"].dropna()
    terms = allocation[allocation["workload"].isin(limit.index) & (allocation["kind"] == "training")]
    if terms.empty:
        return pd.DataFrame(columns=["workload", "period", "row"])
    keys = terms[["workload", "p"]].drop_duplicates().reset_index(drop=True)
    group = pd.MultiIndex.from_frame(keys).get_indexer(pd.MultiIndex.from_frame(terms[["workload", "p"]]))
    handles = problem.add_rows(
        "training_scale", group, terms["column"].to_numpy(), terms["unit"].to_numpy(), "<=",
        limit.reindex(keys["workload"]).to_numpy(),
    )
    return pd.DataFrame({
        "workload": keys["workload"],
        "period": scenario.periods["period"].to_numpy()[keys["p"]],
        "row": handles,
    })


def _served_rows(
    problem: PlanProblem,
    family: str,
    allocation: pd.DataFrame,
    served: pd.DataFrame,
    per_period: bool,
    supply_share: np.ndarray,
) -> pd.DataFrame:
    """Rows ``sum supply_share x gpus - served >= 0``, one per served variable (per workload,
    or per workload and period)."""
    def key(table: pd.DataFrame) -> np.ndarray:
        w = table["w"].to_numpy(dtype=np.int64)
        return w * (PERIOD_KEY_SPAN) + table["p"].to_numpy(dtype=np.int64) if per_period else w

    group = pd.Index(key(served)).get_indexer(key(allocation))
    handles = problem.add_rows(
        family,
        np.concatenate([group, np.arange(len(served))]),
        np.concatenate([allocation["column"].to_numpy(), served["column"].to_numpy()]),
        np.concatenate([supply_share, -np.ones(len(served))]),
        ">=", np.zeros(len(served)),
    )
    return served[["workload", "period"]].assign(row=handles).reset_index(drop=True)


def _switches(
    problem: PlanProblem, scenario: Scenario, sizing: Sizing, allocation: pd.DataFrame, integer: bool
) -> pd.DataFrame:
    """With ``integer``: a binary on/off per training (run, GPU type, period) that has GPUs to give,
    as :attr:`PlanModel.switches` describes; without it, an empty table."""
    terms = allocation[allocation["kind"] == "training"]
    if not integer or terms.empty:
        return pd.DataFrame(columns=SWITCH_COLUMNS)
    n_g = len(scenario.gpus)
    on = _columns(problem, "on", len(terms), upper=1.0)  # made integer with the replicas (see _build)
    return terms[["workload", "gpu", "period"]].assign(
        gpus=terms["column"],
        on=on,
        min_gpus=sizing.training_rates["min_gpus"].to_numpy().reshape(-1, n_g)[terms["w"], terms["g"]],
        installed=scenario.fleet.to_numpy()[terms["g"], terms["p"]],
    ).reset_index(drop=True)


def define_training_minimum(problem: PlanProblem, switches: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """With ``integer``: a run given GPUs of a type in a period holds at least its minimum of
    them (its memory minimum or ``min_gpus``), through its switch: gpus >= minimum x on
    ("training_minimum") and gpus <= installed x on ("training_on").
    Without it, GPU counts are period averages and the minimum only decides which GPU types
    can carry the run (see ``allocation_index``)."""
    if switches.empty:
        return {}
    n = np.arange(len(switches))
    columns = np.concatenate([switches["gpus"].to_numpy(), switches["on"].to_numpy()])
    labels = switches[["workload", "gpu", "period"]]
    tables = {}
    for family, scale, sense in (("training_minimum", "min_gpus", ">="), ("training_on", "installed", "<=")):
        handles = problem.add_rows(
            family, np.concatenate([n, n]), columns,
            np.concatenate([np.ones(len(switches)), -switches[scale].to_numpy(dtype=float)]), sense,
            np.zeros(len(switches)),
        )
        tables[family] = labels.assign(row=handles)
    return tables


def _whole_runs(scenario: Scenario, served: pd.DataFrame) -> np.ndarray:
    """The served columns of the runs that must finish (``must_finish`` yes), in the served table's order."""
    finishing = scenario.training.loc[scenario.training["must_finish"] == "yes", "workload"]
    runs = (served["kind"] == "training").to_numpy() & served["workload"].isin(finishing).to_numpy()
    return served.loc[runs, "column"].to_numpy(dtype=np.int64)


def define_training_finish(problem: PlanProblem, switches: pd.DataFrame, served: pd.DataFrame,
                           whole_runs: np.ndarray) -> dict[str, pd.DataFrame]:
    """With ``integer``: a run that must finish switches a GPU type on in a period only if it finishes (on <=
    served, its served share whole: 0 or 1), so that a run left out holds no GPUs and no power."""
    run_column = served.set_index("workload").loc[served["column"].isin(whole_runs).to_numpy(), "column"]
    mine = switches[switches["workload"].isin(run_column.index)]
    if mine.empty:
        return {}
    n = np.arange(len(mine))
    handles = problem.add_rows(
        "training_finish", np.concatenate([n, n]),
        np.concatenate([mine["on"].to_numpy(), run_column.reindex(mine["workload"]).to_numpy()]),
        np.concatenate([np.ones(len(mine)), -np.ones(len(mine))]), "<=", np.zeros(len(mine)),
    )
    return {"training_finish": mine[["workload", "gpu", "period"]].assign(row=handles).reset_index(drop=True)}


def define_training_compute(problem: PlanProblem, allocation: pd.DataFrame, served: pd.DataFrame) -> pd.DataFrame:
    """A run's served share is the share of its required FLOPs delivered within its window."""
    runs = served[served["kind"] == "training"]
    terms = allocation[allocation["kind"] == "training"]
    if runs.empty:
        return pd.DataFrame(columns=["workload", "period", "row"])
    return _served_rows(problem, "training_compute", terms, runs, False, terms["share_per_unit"].to_numpy())


def define_inference_throughput(problem: PlanProblem, allocation: pd.DataFrame, served: pd.DataFrame
                                ) -> pd.DataFrame:
    """A service's served share in a period is the share of its peak tokens/s covered."""
    services = served[served["kind"] == "inference"]
    terms = allocation[allocation["kind"] == "inference"]
    if services.empty:
        return pd.DataFrame(columns=["workload", "period", "row"])
    return _served_rows(problem, "inference_throughput", terms, services, True, terms["share_per_unit"].to_numpy())


def tie_break_weight(scenario: Scenario, sizing: Sizing, allocation: pd.DataFrame,
                     windows: pd.DataFrame | None = None) -> float:
    """The energy tie-break's weight in score points per MWh (before objective_scale):
    ENERGY_TIE_BREAK x the smallest priority, capped at TIE_BREAK_CAP x the score per MWh of the
    variable that serves the least per MWh (a workload's priority x the share of its demand one GPU
    serves, over the MWh the tie-break charges that GPU, ``tie_break_mw_per_gpu``).

    Uncapped, a service drawing hundreds of MW over years earned less per MWh than the tie-break
    charged, and the plan served none of it while power was left over. Capped, every GPU in use
    serves a hundred times what its energy costs in the objective. Being a weight rather than a
    second objective, it can still choose between two uses of the same GPUs whose scores per GPU
    differ by less than their energy costs in it, a hundredth of the score at most.
    """
    windows = workload_windows(scenario) if windows is None else windows
    priority = windows["priority"].to_numpy(dtype=float)
    weight = ENERGY_TIE_BREAK * priority.min() if len(priority) else 0.0
    mw = allocation["tie_break_mw_per_gpu"].to_numpy()
    drawing = mw > 0
    if not drawing.any():
        return float(weight)
    score_per_mwh = _score_per_gpu_hour(sizing, allocation, windows)[drawing] / mw[drawing]
    return float(min(weight, TIE_BREAK_CAP * score_per_mwh.min()))


def _score_per_gpu_hour(sizing: Sizing, allocation: pd.DataFrame, windows: pd.DataFrame) -> np.ndarray:
    """Per allocation row, the score points one GPU-hour there earns: its workload's priority x the share of the
    workload one GPU-hour serves."""
    # rate x GPU-hours that serve a workload in full: a run's FLOPs (per 3600 s), a service's peak
    # tokens/s over its window's hours (training runs first, as in the windows and the sizing)
    n_runs = len(sizing.training)
    full = np.concatenate([
        sizing.training["flops"].to_numpy() / SECONDS_PER_HOUR,
        sizing.inference["demand_tokens_per_s"].to_numpy() * windows["hours"].to_numpy()[n_runs:],
    ])
    w = allocation["w"].to_numpy()
    return windows["priority"].to_numpy(dtype=float)[w] * allocation["rate"].to_numpy() / full[w]


def objective_scale(scenario: Scenario, sizing: Sizing, allocation: pd.DataFrame,
                    windows: pd.DataFrame | None = None) -> float:
    """Objective units per score point: OBJECTIVE_SCALE over the least priority, or more where a GPU in a period
    serves so little of its workload (10^15 tokens a day over millions of GPUs) that it would be worth less than
    LEAST_GPU_WORTH; never so much that a workload's whole score passes COST_CEILING."""
    windows = workload_windows(scenario) if windows is None else windows
    priority = windows["priority"].to_numpy(dtype=float)
    if not len(priority):
        return OBJECTIVE_SCALE
    scale = OBJECTIVE_SCALE / priority.min()
    if len(allocation):
        worth = _score_per_gpu_hour(sizing, allocation, windows) * allocation["hours"].to_numpy() * allocation[
            "unit"].to_numpy()
        scale = max(scale, LEAST_GPU_WORTH / worth.min())
    return float(min(scale, COST_CEILING / priority.max()))


def define_objective(
    problem: PlanProblem, allocation: pd.DataFrame, served: pd.DataFrame, energy_weight: float, scale: float
) -> None:
    """Priority-weighted served shares, less ``energy_weight`` (score per MWh) x the energy drawn
    above idle (``tie_break_mw_per_gpu``): a tie-break (:func:`tie_break_weight`); ``scale`` objective
    units per score point."""
    energy_mwh = (allocation["hours"] * allocation["tie_break_mw_per_gpu"] * allocation["unit"]).to_numpy()
    columns = np.concatenate([served["column"].to_numpy(), allocation["column"].to_numpy()])
    weights = scale * np.concatenate([
        served["weight"].to_numpy(dtype=float),
        -energy_weight * energy_mwh,
    ])
    problem.set_objective_terms(columns, weights)
