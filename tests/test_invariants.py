"""Property tests on random valid small scenarios (hypothesis).

Each example is written as a CSV folder, read, sized, built, solved and collected, then
checked against the *input tables the test generated*, with pandas arithmetic that does
not use the model code: power per period, GPUs per (type, period), no run over its
max_gpus in any period, served shares in [0, 1], allocations inside each workload's window,
FLOPs and tokens/s delivered against what each served share claims, the score, and that no
workload is left short while both the power and the GPUs it could use sit idle. The --integer
plans are held to the same limits, shares, windows and delivered capacity (the checks are shared),
and each run holds none or at least its minimum of a GPU type in a period.

The tables are built with the optional ``goodput`` and ``power_factor`` columns filled in
(when the schema has them), so the checks need no knowledge of their defaults; ``mfu`` is
always given. An inference ``start_period`` and a run's ``max_gpus`` may be blank (the first
period; no limit); a max_gpus given is drawn from the run's memory minimum (or its min_gpus, when
given) up, where it binds. A GPU type may have FP8 and FP4 peaks, a run may train at a precision some
type has (blank: BF16), and a (run, GPU type) pair may have a measured train_tflops_per_gpu.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Run, has_column, sheet_frame, solve_tables, write_scenario
from planner.model import ENERGY_TIE_BREAK, OBJECTIVE_SCALE, build_model
from planner.results import collect
from planner.sizing import size, training_min_gpus
from planner.solve import STEP_NOISE, relaxed_start, solve
from planner.workbook import read_scenario

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REL = 1e-6  # relative tolerance on budgets and counts
SHARE_TOL = 1e-6  # absolute tolerance on served shares
# GPUs installed of a type in a period: up to 4000, or no more than the largest replica (64), where a
# service's best replica may not fit and a smaller one serves it
FLEET_SIZES = st.one_of(st.integers(0, 4000), st.integers(0, 64))


def num(lo: float, hi: float, places: int = 3):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda x: round(x, places))


@dataclass
class Case:
    tables: dict
    pue: float
    periods: pd.DataFrame
    gpus: pd.DataFrame
    fleet: pd.DataFrame  # long: gpu, period, installed
    training: pd.DataFrame
    inference: pd.DataFrame
    throughput: pd.DataFrame


def optional(sheet: str, **values) -> dict:
    """Values for optional columns the schema has (goodput, power_factor), so the checks below
    need no knowledge of their defaults."""
    return {k: v for k, v in values.items() if has_column(sheet, k)}


@st.composite
def scenarios(draw, least_runs: int = 0) -> Case:
    """A random valid scenario; ``least_runs``: the fewest training runs it has."""
    n_g = draw(st.integers(1, 3))
    n_p = draw(st.integers(1, 4))
    n_t = draw(st.integers(least_runs, 3))
    n_i = draw(st.integers(0 if n_t else 1, 3))  # at least one workload
    pue = draw(num(1.0, 1.6, 2))
    gpu_names = [f"gpu{i}" for i in range(n_g)]
    period_names = [f"p{i}" for i in range(n_p)]

    gpus = []
    for name in gpu_names:
        it_w = draw(num(300.0, 2000.0, 1))
        bf16 = draw(num(100.0, 2500.0, 1))
        # FP8 and FP4 peaks: blank (no support) or up to twice the next wider format's
        fp8 = draw(st.one_of(st.none(), num(1.0, 2.0, 2).map(lambda x: round(x * bf16, 1))))
        fp4 = None if fp8 is None else draw(st.one_of(st.none(), num(1.0, 2.0, 2).map(lambda x: round(x * fp8, 1))))
        gpus.append(dict(gpu=name, bf16_tflops=bf16, hbm_gb=draw(num(40.0, 192.0, 1)),
                         hbm_tbps=draw(num(1.0, 8.0, 2)), it_w=it_w, idle_w=round(draw(num(0.0, 0.4)) * it_w, 1),
                         fp8_tflops=fp8, fp4_tflops=fp4))
    gpus = pd.DataFrame(gpus)
    # precisions some GPU type has (blank: BF16)
    precisions = [None, "bf16"] + [p for p in ("fp8", "fp4") if gpus[f"{p}_tflops"].notna().any()]

    fleet = []
    for g in gpu_names:
        for p in period_names:
            if draw(st.booleans()) or n_g == 1 or not fleet:  # a fleet sheet lists at least one row
                fleet.append(dict(gpu=g, period=p, installed=float(draw(FLEET_SIZES))))
    fleet = pd.DataFrame(fleet, columns=["gpu", "period", "installed"])

    periods = []
    for p in period_names:
        rows = fleet[fleet["period"] == p].merge(gpus, on="gpu")
        idle_mw = pue * float((rows["idle_w"] * rows["installed"]).sum()) / 1e6
        # zero headroom (budget = idle draw, as computed here) or some; never below the idle draw
        headroom = draw(st.one_of(st.just(0.0), num(0.0, 12.0)))
        hours = draw(num(100.0, 2200.0, 1))
        if periods and math.isclose(hours, sum(q["hours"] for q in periods), rel_tol=1e-9):  # a totals row: refused
            hours += 1.0
        periods.append(dict(period=p, hours=hours, power_mw=idle_mw + headroom))
    periods = pd.DataFrame(periods)

    training = []
    for i in range(n_t):
        params = draw(st.one_of(num(1.0, 400.0, 1), num(1.0, 40.0, 1)))  # often small enough to fit the fleet
        least = float(training_min_gpus([params], gpus["hbm_gb"]).min())  # on the type with the most memory
        min_gpus = draw(st.one_of(st.none(), st.integers(1, 32)))  # raised to the memory minimum on each type
        least = max(least, min_gpus or 0)
        start = draw(st.integers(0, n_p - 1))
        end = draw(st.integers(start, n_p - 1))
        training.append(dict(
            workload=f"train{i}", params_b=params,
            active_params_b=draw(st.one_of(st.none(), num(0.5, params, 1).filter(lambda a: a > 0))),
            tokens_b=draw(num(10.0, 20_000.0, 1)), mfu=draw(num(0.2, 0.6, 2)),
            precision=draw(st.sampled_from(precisions)), min_gpus=min_gpus,
            # blank (no limit), or from the fewest GPUs that hold the run's state (and its min_gpus) up: a
            # limit that binds
            max_gpus=draw(st.one_of(st.none(), st.integers(0, 64).map(lambda more: least + more))),
            start_period=period_names[start], deadline_period=period_names[end],
            priority=draw(num(0.1, 10.0, 2)),
            **optional("training", goodput=draw(num(0.5, 1.0, 2)), power_factor=draw(num(0.5, 1.0, 2))),
        ))
    training = sheet_frame("training", training)

    inference = []
    # weights (2 bytes a parameter) must fit 64 of the largest GPUs at 90% (else an input error)
    largest_params_b = 64 * float(gpus["hbm_gb"].max()) * 0.9 / 2.0
    for i in range(n_i):
        params = draw(num(1.0, min(2000.0, 0.95 * largest_params_b), 1))
        inference.append(dict(
            workload=f"serve{i}", params_b=params,
            active_params_b=draw(st.one_of(st.none(), num(0.5, params, 1).filter(lambda a: a > 0))),
            tokens_per_day_b=draw(num(0.1, 200.0, 2)), peak_factor=draw(num(1.0, 3.0, 2)),
            input_tokens_per_day_b=draw(st.one_of(st.none(), num(0.0, 2000.0, 1))),
            precision=draw(st.sampled_from(precisions)),
            # the KV cache from the architecture (all three or none), over a context from short to very long
            **dict(zip(("layers", "kv_heads", "head_dim"), draw(st.one_of(st.just((None,) * 3), st.tuples(
                st.integers(8, 128), st.integers(1, 64), st.sampled_from([64, 128, 256])))))),
            context_tokens=draw(st.one_of(st.none(), st.integers(128, 131_072))),
            min_tokens_per_s_per_user=draw(st.one_of(st.none(), num(5.0, 200.0, 1))),  # may cap the batch
            priority=draw(num(0.1, 10.0, 2)),
            start_period=draw(st.one_of(st.none(), st.sampled_from(period_names))),  # blank: first period
            **optional("inference", power_factor=draw(num(0.5, 1.0, 2))),
        ))
    inference = sheet_frame("inference", inference)

    throughput = []
    for s in inference["workload"]:
        for g in gpu_names:
            if draw(st.integers(0, 3)) == 0:
                throughput.append(dict(workload=s, gpu=g, tokens_per_s_per_gpu=draw(num(50.0, 5000.0, 1))))
    for t, precision in zip(training["workload"], training["precision"]) if n_t else []:
        for g in gpu_names:
            if draw(st.integers(0, 4)) == 0:  # measured: replaces peak x mfu, at any precision, up to its peak
                peaks = gpus.set_index("gpu").loc[g]
                peak = peaks[f"{precision if isinstance(precision, str) else 'bf16'}_tflops"]
                peak = peaks["bf16_tflops"] if peak is None or np.isnan(peak) else peak
                throughput.append(dict(workload=t, gpu=g, train_tflops_per_gpu=draw(num(0.02, 1.0).map(
                    lambda share, peak=peak: max(round(share * peak, 1), 0.1)))))
    throughput = sheet_frame("throughput", throughput)

    tables = {"site": {"name": "random", "pue": pue}, "periods": periods, "gpus": gpus, "fleet": fleet,
              "training": training, "inference": inference, "throughput": throughput}
    return Case(tables, pue, *(typed(f) for f in (periods, gpus, fleet, training, inference, throughput)))


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """A float dtype for every column whose cells are all numbers or blank (for the checks)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column].dropna()
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[column] = pd.to_numeric(out[column], errors="raise").astype(float)
    return out


def solve_case(case: Case):
    with tempfile.TemporaryDirectory() as tmp:
        run = solve_tables(case.tables, Path(tmp))
    assert run.results.status == "optimal"
    return run


def position(case: Case) -> dict[str, int]:
    return {p: i for i, p in enumerate(case.periods["period"])}


def installed_grid(case: Case) -> pd.Series:
    """Installed per (gpu, period) from the generated fleet, 0 where not listed."""
    full = pd.MultiIndex.from_product([case.gpus["gpu"], case.periods["period"]], names=["gpu", "period"])
    return case.fleet.set_index(["gpu", "period"])["installed"].reindex(full, fill_value=0.0).astype(float)


def windows(case: Case) -> pd.DataFrame:
    order = position(case)
    last = len(order) - 1
    return pd.concat([
        pd.DataFrame({"workload": case.training["workload"], "kind": "training",
                      "first": case.training["start_period"].map(order),
                      "last": case.training["deadline_period"].map(order), "priority": case.training["priority"]}),
        pd.DataFrame({"workload": case.inference["workload"], "kind": "inference",
                      "first": case.inference["start_period"].map(order).fillna(0).astype(int), "last": last,
                      "priority": case.inference["priority"]}),
    ], ignore_index=True).set_index("workload")


def training_rate(case: Case) -> pd.Series:
    """FLOP/s per GPU for each (run, gpu): (measured TFLOP/s, else peak at the run's precision x mfu) x 1e12
    x goodput (1 if the schema has none); 0 where the type lacks the precision and nothing is measured."""
    t = case.training.assign(key=1).merge(case.gpus.assign(key=1), on="key")
    goodput = t["goodput"].astype(float) if "goodput" in t else 1.0
    precision = (t["precision"].astype(object).where(t["precision"].notna(), "bf16") if "precision" in t
                 else pd.Series("bf16", index=t.index))
    peak = np.array([t.at[i, f"{p}_tflops"] for i, p in zip(t.index, precision)], dtype=float)
    measured = (case.throughput.set_index(["workload", "gpu"])["train_tflops_per_gpu"].astype(float)
                if "train_tflops_per_gpu" in case.throughput else pd.Series(dtype=float))
    pairs = pd.MultiIndex.from_frame(t[["workload", "gpu"]])
    measured = measured.reindex(pairs).to_numpy(dtype=float)
    tflops = np.where(np.isnan(measured), peak * t["mfu"].to_numpy(dtype=float), measured)
    rate = np.nan_to_num(tflops * 1e12 * np.asarray(goodput, dtype=float), nan=0.0)
    return pd.Series(rate, index=pairs)


def training_minimum(case: Case) -> pd.Series:
    """GPUs a run needs at least on each type, per (run, gpu): its memory minimum there (16 bytes a
    parameter + 25% over 90% of HBM) or its min_gpus (1 if blank), the larger."""
    memory = training_min_gpus(case.training["params_b"].astype(float), case.gpus["hbm_gb"].astype(float))
    user = (case.training["min_gpus"] if "min_gpus" in case.training else pd.Series(np.nan, index=case.training.index))
    least = np.maximum(memory, user.astype(float).fillna(1.0).to_numpy()[:, None])
    pairs = pd.MultiIndex.from_product([case.training["workload"], case.gpus["gpu"]], names=["workload", "gpu"])
    return pd.Series(least.ravel(), index=pairs)


def power_factor(case: Case) -> pd.Series:
    """Share of it_w a GPU in use draws, per workload (1 where the schema has no such column)."""
    parts = [frame.set_index("workload")["power_factor"] if "power_factor" in frame
             else pd.Series(1.0, index=frame["workload"]) for frame in (case.training, case.inference)]
    return pd.concat(parts).astype(float)


def mw_per_gpu(case: Case, workload: str, gpu: str) -> float:
    """Facility MW one GPU in use adds above its idle draw: PUE x (max(factor x it_w, idle_w) - idle_w) / 1e6."""
    g = case.gpus.set_index("gpu").loc[gpu]
    in_use = max(power_factor(case)[workload] * float(g["it_w"]), float(g["idle_w"]))
    return case.pue * (in_use - float(g["idle_w"])) / 1e6


def required_flops(case: Case) -> pd.Series:
    active = case.training["active_params_b"].astype(float).fillna(case.training["params_b"])
    return pd.Series((6 * active * 1e9 * case.training["tokens_b"] * 1e9).to_numpy(), index=case.training["workload"])


def demand(case: Case) -> pd.Series:
    return pd.Series((case.inference["tokens_per_day_b"] * 1e9 * case.inference["peak_factor"] / 86_400).to_numpy(),
                     index=case.inference["workload"])


def inference_rate(case: Case, run) -> pd.Series:
    """tokens/s per GPU: the measured figure where given, else the sizing estimate."""
    estimate = run.sizing.inference_rates.set_index(["workload", "gpu"])["tokens_per_s_per_gpu"]
    measured = case.throughput.set_index(["workload", "gpu"])["tokens_per_s_per_gpu"]
    return measured.reindex(estimate.index).fillna(estimate).astype(float)


def offered_inference_rate(case: Case, run) -> pd.Series:
    """tokens/s per GPU a service is offered on each (GPU type, period): the best of the sizing's rates
    per replica size (a measured rate at its one size) among the sizes no larger than the GPUs installed
    there; absent where none fits."""
    installed = installed_grid(case).rename("installed").reset_index()
    offers = run.sizing.inference_replicas.merge(installed, on="gpu")
    offers = offers[offers["gpus_per_replica"] <= offers["installed"]]
    return offers.groupby(["workload", "gpu", "period"])["tokens_per_s_per_gpu"].max()


def allocation_with_inputs(case: Case, run) -> pd.DataFrame:
    alloc = run.results.allocation.merge(case.gpus, on="gpu").merge(case.periods, on="period")
    per_gpu = [mw_per_gpu(case, w, g) for w, g in zip(alloc["workload"], alloc["gpu"])]
    alloc["active_mw"] = alloc["gpus"].astype(float) * np.asarray(per_gpu, dtype=float)
    return alloc


def max_gpus(case: Case) -> pd.Series:
    """The most GPUs each run may hold at once (NaN: no limit)."""
    return case.training.set_index("workload")["max_gpus"].astype(float)


def idle_mw(case: Case) -> pd.Series:
    f = case.fleet.merge(case.gpus, on="gpu")
    per = (case.pue * f["idle_w"].astype(float) * f["installed"].astype(float) / 1e6).groupby(f["period"]).sum()
    return per.reindex(case.periods["period"], fill_value=0.0).astype(float)


def check_max_gpus(case: Case, allocation: pd.DataFrame) -> None:
    """max_gpus: the most a run holds at once, so in each period of its window, all GPU types together."""
    held = allocation[allocation["kind"] == "training"].groupby(["workload", "period"])["gpus"].sum()
    cap = max_gpus(case).reindex(held.index.get_level_values("workload")).to_numpy() if len(case.training) else 0.0
    over = held[held.to_numpy() > cap * (1 + REL) + 1e-6]  # NaN cap: no limit, never over
    assert over.empty, over


def check_run_blocks(case: Case, allocation: pd.DataFrame) -> None:
    """An integer plan's run holds none of a GPU type in a period or at least its minimum there
    (:func:`training_minimum`), and never more than its max_gpus."""
    t = allocation[allocation["kind"] == "training"]
    least = training_minimum(case).reindex(pd.MultiIndex.from_frame(t[["workload", "gpu"]])).to_numpy() \
        if len(case.training) else np.zeros(0)
    gpus = t["gpus"].to_numpy(dtype=float)
    short = (gpus > 0) & (gpus < least * (1 - REL) - 1e-6)
    assert not short.any(), t[short].assign(least=least[short])
    check_max_gpus(case, allocation)


def check_shares_and_windows(case: Case, run: Run) -> None:
    """Served fractions in [0, 1]; every workload reported; no GPUs outside a workload's window
    or on a GPU type that cannot run it; the score is the priority-weighted sum (a linear or an
    integer plan)."""
    r = run.results
    w = windows(case)
    workloads = r.workloads.set_index("workload")
    assert sorted(workloads.index) == sorted(w.index)
    # within [0, 1] up to rounding: a service's fraction is a sum of hours-weighted shares
    assert workloads["served_fraction"].between(0.0, 1.0 + 1e-12).all(), workloads["served_fraction"]
    assert r.inference["served_fraction"].between(0.0, 1.0 + 1e-12).all()
    assert (workloads["kind"] == w["kind"].reindex(workloads.index)).all()

    order = position(case)
    p = r.allocation["period"].map(order)
    first = r.allocation["workload"].map(w["first"])
    last = r.allocation["workload"].map(w["last"])
    outside = r.allocation[(p < first) | (p > last)]
    assert outside.empty, outside

    rate = pd.concat([training_rate(case), inference_rate(case, run)])
    pair_rate = rate.reindex(pd.MultiIndex.from_frame(r.allocation[["workload", "gpu"]])).to_numpy()
    assert (pair_rate > 0).all(), r.allocation[~(pair_rate > 0)]

    score = (workloads["priority"] * workloads["served_fraction"]).sum()
    assert r.objective == np.float64(r.objective)
    assert abs(r.objective - score) <= 1e-6 * max(1.0, workloads["priority"].sum())

    # gpu_hours per workload = sum of GPUs x hours of its allocation
    alloc = r.allocation.merge(case.periods, on="period")
    hours = (alloc["gpus"] * alloc["hours"]).groupby(alloc["workload"]).sum().reindex(workloads.index, fill_value=0)
    np.testing.assert_allclose(workloads["gpu_hours"].to_numpy(), hours.to_numpy(), rtol=1e-9, atol=1e-6)


def check_delivered(case: Case, run: Run, optimal: bool) -> None:
    """Re-check the training_compute and inference_throughput rows from the result tables.

    training: served <= delivered FLOPs / required FLOPs, delivered = sum GPUs x hours x 3600 x
    FLOP/s per GPU within the window; with ``optimal``, served = min(1, that) (the score rises with
    served and the tie-break penalises idle excess; an integer plan within its gap need not).
    inference: each period's share <= sum GPUs x tokens/s per GPU / peak demand, and the
    workload's fraction is the hours-weighted mean of its per-period shares over its window.
    """
    r = run.results
    workloads = r.workloads.set_index("workload")
    alloc = r.allocation.merge(case.periods, on="period")

    if len(case.training):
        t = alloc[alloc["kind"] == "training"]
        rate = training_rate(case).reindex(pd.MultiIndex.from_frame(t[["workload", "gpu"]])).to_numpy()
        delivered = (t["gpus"] * t["hours"] * 3600.0 * rate).groupby(t["workload"]).sum()
        ratio = (delivered.reindex(case.training["workload"], fill_value=0.0) / required_flops(case))
        served = workloads["served_fraction"].reindex(ratio.index)
        assert (served <= ratio + SHARE_TOL).all(), pd.DataFrame({"served": served, "ratio": ratio})
        if optimal:
            np.testing.assert_allclose(served.to_numpy(), np.minimum(1.0, ratio.to_numpy()), atol=SHARE_TOL)

    if len(case.inference):
        s = alloc[alloc["kind"] == "inference"]
        # each row's rate is that of the replica size it is served with there (fewer installed than the
        # best replica: a smaller one), as the sizing gives it per size (a measured rate at its one size)
        replicas = run.sizing.inference_replicas.astype({"gpus_per_replica": int}).set_index(
            ["workload", "gpu", "gpus_per_replica"])["tokens_per_s_per_gpu"]
        rate = replicas.reindex(pd.MultiIndex.from_arrays(
            [s["workload"], s["gpu"], s["gpus_per_replica"].astype(int)])).to_numpy()
        assert not np.isnan(rate).any()
        capacity = (s["gpus"] * rate).groupby([s["workload"], s["period"]]).sum()
        per = r.inference.set_index(["workload", "period"])
        cap = capacity.reindex(per.index, fill_value=0.0)
        need = per.index.get_level_values("workload").map(demand(case))
        assert (per["served_fraction"] <= cap / need + SHARE_TOL).all()
        np.testing.assert_allclose(per["capacity_tokens_per_s"].to_numpy(), cap.to_numpy(), rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(per["demand_tokens_per_s"].to_numpy(), np.asarray(need, dtype=float), rtol=1e-12)

        # one row per period of each service's window, and the hours-weighted mean
        w = windows(case)
        hours = case.periods.set_index("period")["hours"]
        order = position(case)
        for name, share in per["served_fraction"].groupby(level="workload"):
            periods = share.index.get_level_values("period")
            expected = [p for p in case.periods["period"] if w.loc[name, "first"] <= order[p] <= w.loc[name, "last"]]
            assert list(periods) == expected
            mean = (share.to_numpy() * hours[periods].to_numpy()).sum() / hours[periods].sum()
            assert workloads.loc[name, "served_fraction"] == np.float64(workloads.loc[name, "served_fraction"])
            assert abs(workloads.loc[name, "served_fraction"] - mean) <= SHARE_TOL


# ---------------------------------------------------------------------------


@SETTINGS
@given(scenarios())
def test_power_and_fleet_limits(case: Case):
    """Never over the power budget, never more GPUs in use than installed, nor a run holding more than its max_gpus
    in any period, recomputed from inputs; the GPUs installed in a period are those of every type."""
    run = solve_case(case)
    r = run.results
    alloc = allocation_with_inputs(case, run)

    # power, recomputed: idle draw of the installed fleet + PUE x (it_w - idle_w) x GPUs in use
    active = alloc.groupby("period")["active_mw"].sum().reindex(case.periods["period"], fill_value=0.0)
    used = (idle_mw(case) + active).astype(float)
    budget = case.periods.set_index("period")["power_mw"]
    reported = r.periods.set_index("period")
    np.testing.assert_allclose(reported["power_mw_used"].to_numpy(), used.to_numpy(), rtol=1e-9, atol=1e-12)
    assert (reported["power_mw_budget"] == budget).all()
    assert (used <= budget * (1 + REL) + 1e-9).all(), pd.DataFrame({"used": used, "budget": budget})
    assert (reported["power_mw_used"] <= reported["power_mw_budget"] * (1 + REL) + 1e-9).all()

    # fleet, recomputed from the generated fleet table
    installed = installed_grid(case)
    in_use = alloc.groupby(["gpu", "period"])["gpus"].sum().reindex(installed.index, fill_value=0.0).astype(float)
    assert (in_use <= installed * (1 + REL) + 1e-6).all(), pd.DataFrame({"in_use": in_use, "installed": installed})
    fleet = r.fleet.set_index(["gpu", "period"])
    assert (fleet["gpus_in_use"] <= fleet["installed"] * (1 + REL) + 1e-6).all()
    np.testing.assert_allclose(fleet["installed"].reindex(installed.index).to_numpy(), installed.to_numpy())
    np.testing.assert_allclose(fleet["gpus_in_use"].reindex(installed.index).to_numpy(), in_use.to_numpy(),
                               rtol=1e-9, atol=1e-9)
    total = installed.groupby(level="period").sum().reindex(case.periods["period"])
    np.testing.assert_allclose(reported["gpus_installed"].to_numpy(), total.to_numpy())
    check_max_gpus(case, r.allocation)
    # the idle draw of the GPUs left unused, recomputed: part of the fleet's idle draw, itself part of the used
    idle_each_mw = case.pue * case.gpus.set_index("gpu")["idle_w"].astype(float) / 1e6
    unused = ((installed - in_use).clip(lower=0.0) * idle_each_mw.reindex(installed.index.get_level_values("gpu"))
              .to_numpy()).groupby(level="period").sum().reindex(case.periods["period"], fill_value=0.0)
    np.testing.assert_allclose(reported["power_mw_idle_unused"].to_numpy(), unused.to_numpy(), rtol=1e-9, atol=1e-9)
    assert (reported["power_mw_idle_unused"] <= reported["power_mw_idle"] * (1 + REL) + 1e-12).all()
    assert (reported["power_mw_idle"] <= reported["power_mw_used"] * (1 + REL) + 1e-12).all()
    # each workload's draw, recomputed: its GPUs' draw above idle and their idle draw; with the idle draw of the GPUs
    # left unused, a period's draws make its power used, and the workloads' energy its energy less theirs
    drawn = alloc["active_mw"] + alloc["gpus"] * idle_each_mw.reindex(alloc["gpu"]).to_numpy()
    mine = r.allocation.merge(alloc[["workload", "gpu", "period"]].assign(drawn=drawn, hours=alloc["hours"]))
    np.testing.assert_allclose(mine["power_mw"], mine["drawn"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(mine["energy_mwh"], mine["drawn"] * mine["hours"], rtol=1e-9, atol=1e-9)
    by_period = r.allocation.groupby("period")["power_mw"].sum().reindex(case.periods["period"], fill_value=0.0)
    np.testing.assert_allclose(by_period + reported["power_mw_idle_unused"], reported["power_mw_used"], rtol=1e-9,
                               atol=1e-9)
    np.testing.assert_allclose(r.workloads["energy_mwh"].sum() + (reported["power_mw_idle_unused"]
                                                                  * reported["hours"]).sum(),
                               r.periods["energy_mwh"].sum(), rtol=1e-9, atol=1e-6)
    # nothing negative; a GPU more installed costs at most its idle draw at the price of power
    assert (r.allocation["gpus"] > 0).all()
    assert (r.periods["power_shadow_price"] >= 0).all()
    idle_w = case.gpus.set_index("gpu")["idle_w"].astype(float)
    idle_mw_per_gpu = case.pue * idle_w.reindex(r.fleet["gpu"]).to_numpy() / 1e6
    power_price = reported["power_shadow_price"].reindex(r.fleet["period"]).to_numpy()
    price, some = r.fleet["fleet_shadow_price"].to_numpy(), r.fleet["installed"].to_numpy() > 0
    assert (price[some] >= (-idle_mw_per_gpu * power_price - 1e-12)[some]).all()
    assert np.isnan(price[~some]).all()  # none installed: nothing the plan could price


@SETTINGS
@given(scenarios())
def test_served_shares_and_windows(case: Case):
    """Served fractions in [0, 1]; every workload reported; no GPUs outside a workload's window
    or on a GPU type that cannot run it; the score is the priority-weighted sum."""
    check_shares_and_windows(case, solve_case(case))


@SETTINGS
@given(scenarios())
def test_served_shares_match_delivered_capacity(case: Case):
    """Re-check the training_compute and inference_throughput rows from the result tables
    (:func:`check_delivered`); at the LP's optimum a run's share is all its FLOPs deliver."""
    check_delivered(case, solve_case(case), optimal=True)


@SETTINGS
@given(scenarios())
def test_nothing_left_idle_while_a_workload_is_short(case: Case):
    """Optimality, checked from the tables: if a workload is short in a period of its window,
    then for every GPU type that could run it there, power binds in that period or that GPU
    type is all in use (else one more GPU would raise the score by more than its energy
    tie-break costs). A service's gain per GPU is at the rate of the replica size it is offered
    with the GPUs installed there. Only pairs whose gain per GPU clearly beats the tie-break are
    checked."""
    run = solve_case(case)
    r = run.results
    w = windows(case)
    order = position(case)
    periods = case.periods.set_index("period")
    used = r.periods.set_index("period")["power_mw_used"]
    power_slack = periods["power_mw"] - used
    installed = installed_grid(case)
    in_use = r.fleet.set_index(["gpu", "period"])["gpus_in_use"].reindex(installed.index)
    fleet_slack = installed - in_use
    # a training run's memory minimum: fewer installed cannot hold it
    smallest = run.sizing.training_rates.set_index(["workload", "gpu"])["min_gpus"].to_dict()
    minp = w["priority"].min()
    served = r.workloads.set_index("workload")["served_fraction"]
    per_period = r.inference.set_index(["workload", "period"])["served_fraction"] if len(r.inference) else None
    flops = required_flops(case) if len(case.training) else None
    training_rates = training_rate(case)
    limit = max_gpus(case) if len(case.training) else None
    held = r.allocation.groupby(["workload", "period"])["gpus"].sum()
    offered = offered_inference_rate(case, run)
    need = demand(case) if len(case.inference) else None

    for name, row in w.iterrows():
        window = [p for p in case.periods["period"] if row["first"] <= order[p] <= row["last"]]
        window_hours = periods.loc[window, "hours"].sum()
        for p in window:
            share = served[name] if row["kind"] == "training" else per_period[(name, p)]
            if share >= 1 - 1e-6:
                continue
            hours = periods.loc[p, "hours"]
            if row["kind"] == "training" and held.get((name, p), 0.0) >= limit[name] * (1 - 1e-6) - 1e-6:
                continue  # the run holds its max_gpus there: no more GPUs would serve it
            for g in case.gpus["gpu"]:
                if row["kind"] == "training":
                    # its memory minimum on the type: fewer installed cannot hold it, nor a max_gpus below it
                    least = max(1.0, smallest.get((name, g), 1.0))
                    holds = installed[(g, p)] >= least and not limit[name] < least
                    rate = training_rates.get((name, g), 0.0) if holds else 0.0
                    gain = row["priority"] * hours * 3600.0 * rate / flops[name]
                else:
                    rate = offered.get((name, g, p), 0.0)
                    gain = row["priority"] * hours / window_hours * rate / need[name]
                if rate <= 0:
                    continue  # the model offers no GPUs of this type here
                mw = mw_per_gpu(case, name, g)
                cost = ENERGY_TIE_BREAK * minp * hours * mw
                if gain - cost < 1e-6:
                    continue
                power_binds = mw > 0 and power_slack[p] <= 1e-6 * max(1.0, periods.loc[p, "power_mw"])
                fleet_binds = fleet_slack[(g, p)] <= 1e-6 * max(1.0, installed[(g, p)])
                assert power_binds or fleet_binds, (
                    f"{name} at {share:.6f} in {p} while {power_slack[p]:.6g} MW and "
                    f"{fleet_slack[(g, p)]:.6g} {g} GPUs are free"
                )


@SETTINGS
@given(scenarios(least_runs=1))  # a run at least, for its blocks of GPUs
def test_integer_start_and_plan_keep_every_limit(case: Case):
    """--integer: the starting plans rounded from the relaxation and the plan solved from them all
    give whole replicas (switches 0 or 1 in a start) and, recomputed from the inputs, stay within
    the GPUs installed and the power budget in every period; the plan scores no more than the LP.
    The plan also passes the LP plans' checks of shares, windows and delivered capacity (its
    shares at most what its GPUs deliver), and each run holds none or at least its minimum of a
    GPU type in a period, and no more than its max_gpus."""
    with tempfile.TemporaryDirectory() as tmp:
        scenario = read_scenario(write_scenario(case.tables, Path(tmp) / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    relaxed_plan = relaxed_start(model, "highs", None, False)
    assert relaxed_plan is not None and 1 <= len(relaxed_plan.starts) <= 2
    # the relaxation's own values, still in the model's variables
    relaxed = pd.Series({int(v.id()): v.value or 0.0 for v in model.problem.toRustModel().list_variables()})
    alloc = model.allocation.assign(mw=[mw_per_gpu(case, w, g) for w, g in zip(model.allocation["workload"],
                                                                             model.allocation["gpu"])])
    services = alloc[alloc["kind"] == "inference"]
    switches = model.switches
    trained = alloc.index[alloc["kind"] == "training"]
    assert switches["gpus"].tolist() == alloc.loc[trained, "column"].tolist()
    starts = {}
    for k, (columns, values) in enumerate(relaxed_plan.starts):
        given_values = pd.Series(values, index=columns)
        assert sorted(given_values.index) == sorted([*services["column"], *switches["on"]])
        replicas = given_values.reindex(services["column"]).to_numpy()
        assert (replicas >= 0).all() and np.array_equal(replicas, np.round(replicas))
        on = given_values.reindex(switches["on"]).to_numpy()
        assert np.isin(on, [0.0, 1.0]).all()
        # the start's GPUs: whole replicas, and a run's GPUs where its switch is on: its minimum
        # in the first start (runs yield the rest to rounded-up replicas), its relaxed GPUs in the other
        gpus = pd.Series(0.0, index=alloc.index)
        gpus[services.index] = replicas * services["unit"].to_numpy()
        runs = (switches["min_gpus"].to_numpy(dtype=float) if k == 0
                else relaxed.reindex(switches["gpus"]).to_numpy())
        gpus[trained] = runs * on
        starts[f"start {k}"] = gpus
    solution = solve(model)
    mip = collect(scenario, sizing, model, solution)
    # the plan, as the LP plans are checked, and its runs' blocks of GPUs
    run = Run(scenario, sizing, model, solution, mip)
    check_shares_and_windows(case, run)
    check_delivered(case, run, optimal=False)
    check_run_blocks(case, mip.allocation)
    lp_model = build_model(scenario, sizing)
    lp = collect(scenario, sizing, lp_model, solve(lp_model))
    plan = mip.allocation.merge(alloc[["workload", "gpu", "period", "mw", "unit"]], how="left",
                                on=["workload", "gpu", "period"])
    served_gpus = plan.loc[plan["kind"] == "inference"]
    assert np.allclose(served_gpus["gpus"] / served_gpus["unit"], np.round(served_gpus["gpus"] / served_gpus["unit"]))
    assert mip.objective <= lp.objective * (1 + REL) + 1e-9

    installed = installed_grid(case)
    budget = case.periods.set_index("period")["power_mw"]
    for name, gpus_in_use, active_mw in (
        *((name, gpus, gpus * alloc["mw"]) for name, gpus in starts.items()),
        ("plan", plan["gpus"], plan["gpus"] * plan["mw"]),
    ):
        frame = plan if name == "plan" else alloc
        in_use = gpus_in_use.groupby([frame["gpu"], frame["period"]]).sum().reindex(installed.index, fill_value=0.0)
        assert (in_use <= installed * (1 + REL) + 1e-6).all(), (name, pd.DataFrame({"in_use": in_use,
                                                                                     "installed": installed}))
        power = idle_mw(case) + active_mw.groupby(frame["period"]).sum().reindex(budget.index, fill_value=0.0)
        assert (power <= budget * (1 + REL) + 1e-9).all(), (name, pd.DataFrame({"power": power, "budget": budget}))


@SETTINGS
@given(scenarios(), num(0.001, 50.0))
def test_a_power_step_is_worth_its_price_as_far_as_it_holds(case: Case, step_mw: float):
    """``--power-step``: a step of budget more never loses score, gains the price per MW for as far as the price
    holds (exactly, where the step ends within its reach), and at least that where it ends beyond; a step less
    never gains, and has no plan exactly where the budget less the step is below the fleet's idle draw. From a
    period on, the budgets of more periods move, which is worth at least as much each way."""
    with tempfile.TemporaryDirectory() as tmp:
        scenario = read_scenario(write_scenario(case.tables, Path(tmp) / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing)
    results = collect(scenario, sizing, model, solve(model, power_step_mw=step_mw))
    r = results.periods
    up, down, price, holds = (r[c].to_numpy() for c in ("power_step_up_points", "power_step_down_points",
                                                            "power_shadow_price", "power_price_holds_mw"))
    assert (up >= 0).all()
    rounding = 1e-9 * np.maximum(1.0, r["power_mw_budget"])  # a budget at the idle draw to rounding has a plan
    below_idle = (r["power_mw_budget"] - step_mw < r["power_mw_idle"] - rounding).to_numpy()
    assert (np.isnan(down) == below_idle).all()
    no_plan = results.no_plan_with_less_power()
    assert ((no_plan == "budget") == (r["power_mw_budget"] - step_mw < -rounding)).all()
    assert ((no_plan != "") == below_idle).all()
    assert (down[~below_idle] >= 0).all()
    reach = np.where(np.isnan(holds), 0.0, np.minimum(holds, step_mw))  # NaN: a zero price, whose reach is unknown
    noise = STEP_NOISE * OBJECTIVE_SCALE / model.objective_scale  # a step worth less is told as worth nothing
    assert (up >= price * reach - noise - 1e-9 - 1e-6 * up).all(), pd.DataFrame({"up": up, "price": price,
                                                                                  "reach": reach})
    within = ~np.isnan(holds) & (step_mw <= holds)
    np.testing.assert_allclose(up[within], (price * step_mw)[within], rtol=1e-6, atol=1e-9 + noise)
    # from a period on, more budgets move: worth at least the period's alone, and at least from any later period
    onward_up, onward_down = r["power_step_up_onward_points"].to_numpy(), r["power_step_down_onward_points"].to_numpy()
    tol = 1e-9 + 1e-6 * np.abs(onward_up)
    assert (onward_up >= up - tol).all() and (onward_up[:-1] >= onward_up[1:] - tol[:-1]).all()
    # from the last period on is that period alone
    np.testing.assert_allclose([onward_up[-1], onward_down[-1]], [up[-1], down[-1]], rtol=1e-9, atol=1e-12)
    feasible = ~np.isnan(onward_down)
    assert (onward_down[feasible] >= down[feasible] - 1e-9 - 1e-6 * onward_down[feasible]).all()
    assert (np.isnan(onward_down) == np.maximum.accumulate(below_idle[::-1])[::-1]).all()
    assert (np.isnan(onward_down) == (results.no_plan_with_less_power(onward=True) != "")).all()
