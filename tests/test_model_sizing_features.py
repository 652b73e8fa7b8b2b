"""Hand-solvable cases for the sizing features the LP must honour: scale limits, memory
minimums, power by workload class, whole replicas, precision support, measured figures.

Common numbers (conftest defaults): GPU G1 1000 TFLOP/s BF16, 80 GB, 3 TB/s, 1400 W in use,
200 W idle; PUE 1.25; period P1 of 1000 h. A run of 100B parameters on 10,000B tokens needs
6e24 FLOPs; at MFU 0.5 and goodput 1 one GPU delivers 5e14 FLOP/s, 1.8e21 FLOPs per period.
"""

from __future__ import annotations

import dataclasses
import re
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pytest import approx

from conftest import gpu_row, inference_row, run_pipeline, scenario_tables, training_row, write_scenario
from planner import report
from planner.model import build_model
from planner.results import _gap, _under_one_replica, collect
from planner.sizing import size
from planner.solve import DEFAULT_MIP_GAP, HighsBridge, _completed_start, relaxed_start, solve
from planner.workbook import read_scenario


def allocated(run, workload: str) -> float:
    table = run.results.allocation
    return float(table.loc[table["workload"] == workload, "gpus"].sum())


def served(run, workload: str) -> float:
    table = run.results.workloads.set_index("workload")
    return float(table.loc[workload, "served_fraction"])


def test_max_gpus_caps_a_run(solve_case):
    """10,000 GPUs installed and power to spare; the run would take 3,333 but may hold 1,000:
    served = 1000 x 1.8e21 / 6e24 = 0.3."""
    tables = scenario_tables(
        fleet=[("G1", "P1", 10_000.0)],
        training=[training_row(max_gpus=1000.0)],
    )
    run = solve_case(tables)
    assert allocated(run, "T1") == approx(1000.0)
    assert served(run, "T1") == approx(0.3)


def test_max_gpus_caps_a_run_in_each_period_not_over_its_window(solve_case):
    """max_gpus is the most a run holds at once, so it applies period by period: T1 may run in P1 and P2 (1000 h
    each, 10,000 GPUs installed, power to spare) and holds 1,000 in each, 2 x 1000 x 1.8e21 = 3.6e24 of its 6e24
    FLOPs: served 0.6, not the 0.3 of 1,000 GPUs shared out over the whole window."""
    tables = scenario_tables(
        periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 100.0)],
        fleet=[("G1", "P1", 10_000.0), ("G1", "P2", 10_000.0)],
        training=[training_row(start="P1", deadline="P2", max_gpus=1000.0)],
    )
    run = solve_case(tables)
    per_period = run.results.allocation.groupby("period")["gpus"].sum()
    assert per_period.to_dict() == {"P1": approx(1000.0), "P2": approx(1000.0)}
    assert served(run, "T1") == approx(0.6)


def test_memory_minimum_excludes_a_gpu_type_with_too_few_gpus(solve_case):
    """100B parameters x 16 bytes x 1.25 / (80 GB x 0.9) = 27.8: at least 28 GPUs. With 20
    installed the run cannot start; a user minimum of 500 against 400 installed likewise."""
    run = solve_case(scenario_tables(fleet=[("G1", "P1", 20.0)]))
    rates = run.sizing.training_rates.set_index(["workload", "gpu"])
    assert rates.loc[("T1", "G1"), "min_gpus"] == 28
    assert allocated(run, "T1") == 0.0 and served(run, "T1") == 0.0

    run = solve_case(scenario_tables(fleet=[("G1", "P1", 400.0)], training=[training_row(min_gpus=500.0)]))
    assert allocated(run, "T1") == 0.0

    run = solve_case(scenario_tables(fleet=[("G1", "P1", 600.0)], training=[training_row(min_gpus=500.0)]))
    assert allocated(run, "T1") == approx(600.0)


def test_a_service_needs_a_whole_replica_installed_even_in_a_linear_plan(solve_case):
    """A 405B BF16 model takes 810 GB: 16 of these 80 GB GPUs (72 GB usable) at least, though 32
    serve more tokens per GPU. With 4 installed the type cannot carry it at all (it used to be given
    a fraction of a replica and 16% served); with the 16 of its smallest replica it is served."""
    def run_with(installed: float):
        return solve_case(scenario_tables(
            fleet=[("G1", "P1", installed)], training=[],
            inference=[inference_row("big", params_b=405.0, tokens_per_day_b=1.0)]))

    run = run_with(4.0)
    rates = run.sizing.inference_rates.set_index(["workload", "gpu"]).loc[("big", "G1")]
    assert rates["min_gpus"] == 16 and rates["gpus_per_replica"] > 16
    assert allocated(run, "big") == 0.0 and served(run, "big") == 0.0
    assert run.results.warnings and "big (inference)" in run.results.warnings[0]
    assert served(run_with(16.0), "big") > 0


@pytest.mark.parametrize("integer", [False, True])
def test_a_service_is_served_on_the_best_replica_that_fits_what_is_installed(tmp_path, integer):
    """The 405B model's best replica is 32 of these GPUs, its smallest 16. With 24 installed no
    replica of 32 exists: the type serves at the rate of replicas of 16 (the linear plan used to
    take the 32-GPU rate for all 24), and with --integer gets one whole replica of 16 (it used to
    get none, under a warning that its smallest replica was not installed). With 32 installed, the
    best replica's rate. The price of one more GPU holds for the 8 that make a replica of 32."""
    def plan(installed: float):
        tables = scenario_tables(fleet=[("G1", "P1", installed)], training=[],
                                 inference=[inference_row("big", params_b=405.0, tokens_per_day_b=1.0)])
        scenario = read_scenario(write_scenario(tables, tmp_path / f"s{installed:g}"))
        sizing = size(scenario)
        model = build_model(scenario, sizing, integer=integer)
        return sizing, model, collect(scenario, sizing, model, solve(model))

    sizing, model, results = plan(24.0)
    replicas = sizing.inference_replicas.set_index("gpus_per_replica")["tokens_per_s_per_gpu"]
    assert replicas.index.tolist() == [16, 32, 64] and replicas[32] > replicas[16]
    assert model.allocation["rate"].tolist() == approx([replicas[16]])
    assert results.allocation["gpus_per_replica"].tolist() == [16.0]
    gpus = results.allocation["gpus"].sum()
    assert gpus == approx(16.0 if integer else 24.0)
    demand = sizing.inference.loc[0, "demand_tokens_per_s"]
    served_share = results.workloads.set_index("workload").loc["big", "served_fraction"]
    assert served_share == approx(min(gpus * replicas[16] / demand, 1.0))
    assert not results.warnings
    assert model.gpus_to_unlock[0, 0] == 8.0
    assert plan(32.0)[1].allocation["rate"].tolist() == approx([replicas[32]])


def test_a_gpu_price_holds_no_further_than_the_gpus_that_unlock_a_workload(solve_case):
    """Power binds; type A (half B's power) has 15 GPUs, one fewer than the service's smallest
    replica, B has plenty. One more A is priced by its idle draw, as one more B; but the 16th A lets
    the plan use A, which the price cannot foresee (the score rises where the price says it falls):
    it is said to hold for at least 1 GPU, where B's holds for 65."""
    def run_with(installed_a: float):
        return solve_case(scenario_tables(
            periods=[("P1", 1000.0, 0.27)], gpus=[gpu_row("A", it_w=700.0), gpu_row("B")],
            fleet=[("A", "P1", installed_a), ("B", "P1", 1000.0)], training=[],
            inference=[inference_row("big", params_b=405.0, tokens_per_day_b=1.0)]))

    run = run_with(15.0)
    fleet = run.results.fleet.set_index("gpu")
    assert fleet.loc["A", "fleet_shadow_price"] == approx(fleet.loc["B", "fleet_shadow_price"])
    assert fleet.loc["A", "fleet_shadow_price"] < 0
    assert fleet.loc["A", "fleet_price_holds_gpus"] == 1.0
    assert fleet.loc["B", "fleet_price_holds_gpus"] == approx(65.0)
    assert run_with(16.0).results.objective > run.results.objective


def test_power_factor_sets_the_draw_of_a_service(solve_case):
    """A service needing 1,000 GPUs (1e6 tokens/s at a measured 1,000 per GPU), 2,000 installed
    (idle draw 2000 x 200 W x 1.25 = 0.5 MW). At power_factor 0.5 a GPU in use draws
    max(0.5 x 1400, 200) = 700 W: 1.25 x 500 W = 6.25e-4 MW above idle. Budget 0.8125 MW leaves
    0.3125 MW: 500 GPUs, served 0.5 (at power_factor 1 it would be 208 GPUs)."""
    tables = scenario_tables(
        periods=[("P1", 1000.0, 0.8125)],
        fleet=[("G1", "P1", 2000.0)],
        inference=[inference_row(power_factor=0.5)],
        throughput=[("S1", "G1", 1000.0)],
    )
    run = solve_case(tables)
    assert allocated(run, "S1") == approx(500.0)
    assert served(run, "S1") == approx(0.5)
    assert run.results.periods.loc[0, "power_mw_used"] == approx(0.8125)


def test_integer_mode_gives_whole_replicas(tmp_path):
    """A 70B BF16 model needs several 80 GB GPUs per replica; with --integer every service gets
    a whole number of replicas, and its share is at most the LP's."""
    tables = scenario_tables(
        periods=[("P1", 1000.0, 1.0)],
        inference=[inference_row(params_b=70.0, tokens_per_day_b=500.0, layers=80, kv_heads=8, head_dim=128)],
    )
    path = write_scenario(tables, tmp_path / "s")
    scenario = read_scenario(path)
    sizing = size(scenario)
    replica = int(sizing.inference_rates.loc[0, "gpus_per_replica"])
    assert replica >= 2
    lp = collect(scenario, sizing, (m := build_model(scenario, sizing)), solve(m))
    mip = collect(scenario, sizing, (m := build_model(scenario, sizing, integer=True)), solve(m))
    gpus = mip.allocation["gpus"].to_numpy()
    assert len(gpus) and np.allclose(gpus / replica, np.round(gpus / replica))
    assert mip.objective <= lp.objective + 1e-9
    assert (mip.periods["power_mw_used"] <= mip.periods["power_mw_budget"] + 1e-9).all()


@pytest.mark.parametrize("integer", [False, True])
def test_a_service_given_less_than_one_replica_is_warned_of(tmp_path, integer):
    """A service asking for 1 token/s gets a sliver of a GPU from a linear plan and reads 100% served: a warning
    says it has less than one whole replica, and how little. With --integer it gets a whole replica and none."""
    tables = scenario_tables(training=[], inference=[inference_row("tiny", tokens_per_day_b=0.0000864),
                                                     inference_row("big")])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=integer)
    results = collect(scenario, sizing, model, solve(model))
    gpus = results.allocation.set_index("workload").loc["tiny"]
    assert results.workloads.set_index("workload").loc["tiny", "served_fraction"] == approx(1.0)
    share = gpus["gpus"] / gpus["gpus_per_replica"]
    if integer:
        assert share == approx(1.0) and results.warnings == []
    else:
        assert share < 1e-3 and gpus["gpus"] > 0
        assert results.warnings == [
            f"1 service gets GPUs in some period but less than one whole replica on any GPU type, which a linear plan "
            f"allows (its GPU counts are fractions) but a real fleet cannot run: tiny (at most {share:.2g} of a replica "
            f"in P1). --integer gives whole replicas."]
        # the report's first paragraph leads to the warnings, at the foot of the page
        html = report.render_html(results)
        lead = html[html.index('<p class="lead">'):]
        assert re.search(r'\. <a href="#warnings">1 warning</a>\s+says what to check', lead[:lead.index("</p>")])
        assert '<h3 id="warnings">Warnings</h3>' in html


def test_a_service_on_gpus_too_few_to_show_is_warned_of_as_under_one_replica(tmp_path):
    """100 tokens a day takes 4e-7 GPUs: the plan showed 0 GPUs (counts under 1e-6 were cleared as noise) and the
    service 100% served, and the warning of less than one whole replica was left out with the GPUs. GPUs that do
    the work are kept, however few."""
    tables = scenario_tables(training=[], inference=[inference_row("tiny", tokens_per_day_b=1e-7),
                                                     inference_row("big")])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    [gpus] = results.allocation.loc[results.allocation["workload"] == "tiny", "gpus"]
    assert 1e-7 < gpus < 1e-6
    assert results.workloads.set_index("workload").loc["tiny", "served_fraction"] == 1.0
    [warning] = results.warnings
    assert re.search(r": tiny \(at most [1-9]\.?\d*e-0[67] of a replica in P1\)\. --integer", warning), warning


def test_a_service_split_into_fractions_of_replicas_on_two_types_is_warned_of():
    """A replica runs on one GPU type: 0.6 of one on each of two types is 1.2 replicas added up, but none runs.
    One whole replica on a type and a fraction on another serve; as do runs, which have no replicas."""
    def warned(rows: list[tuple[int, int, float, float]]) -> list[str]:  # (w, p, gpus, gpus per replica)
        alloc = pd.DataFrame(rows, columns=["w", "p", "gpus", "gpus_per_replica"])
        return _under_one_replica(alloc, np.array(["run", "split", "whole"]), np.array(["P1", "P2"]))

    [warning] = warned([(1, 0, 1.2, 2.0), (1, 0, 0.6, 1.0), (2, 1, 2.0, 2.0), (2, 1, 0.2, 1.0), (0, 0, 0.5, np.nan)])
    assert ": split (at most 0.6 of a replica in P1). --integer" in warning
    assert warned([(2, 1, 2.0, 2.0), (2, 1, 0.2, 1.0), (0, 0, 0.5, np.nan)]) == []


@pytest.mark.parametrize("integer", [False, True])
def test_a_run_given_fewer_gpus_than_its_minimum_is_shown_running_on_it_for_part_of_the_period(tmp_path, integer):
    """A 100B run of 1B tokens needs 333 GPU-hours but 28 GPUs at once to hold it: a linear plan gives it 0.333
    GPUs on average, which the outputs show beside its minimum (28 GPUs for 1.2% of the period). A service has no
    run minimum. With --integer the run gets its minimum or none, and nothing is marked."""
    tables = scenario_tables(training=[training_row("small", tokens_b=1.0), training_row("big")],
                             inference=[inference_row("chat")])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=integer)
    results = collect(scenario, sizing, model, solve(model))
    allocation = results.allocation.set_index("workload")
    assert allocation.loc[["small", "big"], "min_gpus"].tolist() == [28.0, 28.0]
    assert np.isnan(allocation.loc["chat", "min_gpus"])
    records = {r["workload"]: r for r in report.summary(results)["allocation"]}
    assert records["small"]["min_gpus"] == 28.0 and records["chat"]["min_gpus"] is None
    html = report.render_html(results)
    if integer:
        assert allocation.loc["small", "gpus"] >= 28.0 - 1e-9
        assert 'class="n part"' not in html and "GPUs are averages" not in html
    else:
        assert allocation.loc["small", "gpus"] == approx(1 / 3)
        assert html.count('<td class="n part" data-v="0.3333333333333333" title="28 GPUs for 1.2% of the period">'
                          '0.333<span class="unit">min 28</span></td>') == 1
        assert re.search(r"\(0\.333 with min 28: 28 GPUs for\s+1\.2% of it\)", html)


def test_unsupported_precision_excludes_the_gpu_with_its_reason(solve_case):
    """An FP8 service cannot run on a GPU without FP8; it runs on the one that has it."""
    tables = scenario_tables(
        gpus=[gpu_row("G1"), gpu_row("G2", fp8_tflops=2000.0)],
        inference=[inference_row(precision="fp8")],
    )
    run = solve_case(tables)
    rates = run.sizing.inference_rates.set_index("gpu")
    assert rates.loc["G1", "tokens_per_s_per_gpu"] == 0
    assert "no fp8" in rates.loc["G1", "bound"]
    assert rates.loc["G2", "tokens_per_s_per_gpu"] > 0
    assert set(run.results.allocation["gpu"]) == {"G2"}


def test_measured_training_throughput_wins(solve_case):
    """Measured 250 TFLOP/s per GPU (goodput 1): 9e20 FLOPs per GPU-period; 1,000 GPUs
    installed deliver 9e23 of 6e24: served 0.15, marked measured."""
    tables = scenario_tables(
        training=[training_row()],
        throughput=[dict(workload="T1", gpu="G1", train_tflops_per_gpu=250.0)],
    )
    run = solve_case(tables)
    rates = run.sizing.training_rates.set_index(["workload", "gpu"])
    assert rates.loc[("T1", "G1"), "flops_per_s_per_gpu"] == approx(250e12)
    assert rates.loc[("T1", "G1"), "source"] == "measured"
    assert served(run, "T1") == approx(0.15)
    shown = report._training_sizing_grid(run.results)["rows"]
    assert [(r["workload"], r["source"]) for r in shown] == [("T1", "measured")]  # as the report's sizing says


def test_a_rate_measured_on_one_gpu_type_is_not_said_of_the_others(solve_case):
    """T1 measured on G1 only: the report's sizing said 'measured' for the whole row, G2's estimate included,
    where `planner size` and results.xlsx say it per GPU type."""
    tables = scenario_tables(
        gpus=[gpu_row("G1"), gpu_row("G2")],
        fleet=[("G1", "P1", 1000.0), ("G2", "P1", 1000.0)],
        training=[training_row(), training_row("T2")],
        throughput=[dict(workload="T1", gpu="G1", train_tflops_per_gpu=250.0)],
    )
    shown = report._training_sizing_grid(solve_case(tables).results)["rows"]
    assert [(r["workload"], r["source"]) for r in shown] == [
        ("T1", "measured on G1, estimated on the others"), ("T2", "estimated")]


def test_goodput_scales_a_measured_training_throughput_too(solve_case):
    """A measured 250 TFLOP/s per GPU is the rate while the run runs; goodput 0.5 (restarts, checkpoints) still
    halves what it delivers: 125e12 FLOP/s per GPU, 1,000 GPUs x 3.6e6 s x 1.25e14 = 4.5e23 of 6e24 FLOPs,
    served 0.075 (0.15 at goodput 1, as above)."""
    tables = scenario_tables(
        training=[training_row(goodput=0.5)],
        throughput=[dict(workload="T1", gpu="G1", train_tflops_per_gpu=250.0)],
    )
    run = solve_case(tables)
    rates = run.sizing.training_rates.set_index(["workload", "gpu"])
    assert rates.loc[("T1", "G1"), "source"] == "measured"
    assert rates.loc[("T1", "G1"), "flops_per_s_per_gpu"] == approx(125e12)
    assert served(run, "T1") == approx(0.075)


@pytest.mark.parametrize("goodput, expected", [(1.0, 1000 * 1.8e21 / 6e24), (0.5, 1000 * 0.9e21 / 6e24)])
def test_goodput_scales_delivered_compute(solve_case, goodput, expected):
    run = solve_case(scenario_tables(training=[training_row(goodput=goodput)]))
    assert served(run, "T1") == approx(expected)


def test_integer_mode_holds_a_run_to_its_minimum(tmp_path):
    """Power for 10 GPUs above idle (idle 1000 x 200 W x 1.25 = 0.25 MW; 10 x 1.5e-3 MW more),
    a run whose memory minimum is 28 GPUs. As period averages the LP gives it 10 GPUs (28 for
    a third of the period); with --integer it holds 0 or at least 28, so it gets none."""
    tables = scenario_tables(periods=[("P1", 1000.0, 0.265)])
    path = write_scenario(tables, tmp_path / "s")
    scenario = read_scenario(path)
    sizing = size(scenario)
    lp = collect(scenario, sizing, (m := build_model(scenario, sizing)), solve(m))
    mip = collect(scenario, sizing, (m := build_model(scenario, sizing, integer=True)), solve(m))
    assert lp.allocation["gpus"].sum() == approx(10.0)
    assert mip.allocation["gpus"].sum() == 0.0
    assert "training_minimum" in m.rows and len(m.rows["training_minimum"]) == 1


def _two_services_on_five_gpus(tmp_path, priority_2: float = 1.0, limit: str = "fleet"):
    """S1 needs 2.6 GPUs at peak, S2 2.4 (1,000 tokens/s per GPU measured, one-GPU replicas).
    ``limit`` "fleet": 5 GPUs installed, power to spare; "power": 1,000 installed, power for 5 in
    use (idle 1000 x 200 W x 1.25 = 0.25 MW, then 1.5 kW per GPU in use)."""
    tables = scenario_tables(
        periods=[("P1", 1000.0, 100.0 if limit == "fleet" else 0.25 + 5 * 1.5e-3)],
        fleet=[("G1", "P1", 5.0 if limit == "fleet" else 1000.0)],
        inference=[inference_row("S1", tokens_per_day_b=2600 * 86_400 / 1e9),
                   inference_row("S2", tokens_per_day_b=2400 * 86_400 / 1e9, priority=priority_2)],
        throughput=[("S1", "G1", 1000.0), ("S2", "G1", 1000.0)],
    )
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    assert (sizing.inference_rates["gpus_per_replica"] == 1).all()
    return scenario, sizing


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_integer_start_rounds_the_most_nearly_whole_replica_up(tmp_path, solver):
    """The relaxation serves both in full (2.6 + 2.4 = 5 GPUs). Rounded down, 2 + 2 leave one GPU
    spare; it goes to S1 (0.6 of a replica) rather than S2 (0.4): 3 + 2, within the 5 installed.
    That is also the optimum: 1 + 2/2.4 = 1.833 against 2/2.6 + 1 = 1.769."""
    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    relaxed = relaxed_start(model, solver, None, False)
    assert relaxed.bound == approx(model.objective_scale * 2.0, rel=1e-4)  # both served in full, less a tie-break
    [(columns, values)] = relaxed.starts  # without runs, yielding or not makes no difference
    start = dict(zip(columns.tolist(), values.tolist()))
    alloc = model.allocation.set_index("workload")
    assert start == {alloc.at["S1", "column"]: 3.0, alloc.at["S2", "column"]: 2.0}
    results = collect(scenario, sizing, model, solve(model, solver=solver, gap=0.0))
    assert results.objective == approx(1 + 2 / 2.4, rel=1e-6)
    assert results.gap_limit == 0.0
    assert results.gap < 1e-6
    # the rounded start is 9% under the relaxation's bound, so branch and bound runs. CBC reports
    # no bound of its own: its "optimal" is known to be within the gap asked, and no more
    results = collect(scenario, sizing, model, solve(model, solver=solver, gap=0.02))
    assert results.objective == approx(1 + 2 / 2.4, rel=1e-6)
    assert results.gap == (approx(0.02) if solver == "cbc" else approx(0.0, abs=1e-6))


def test_a_gap_is_measured_against_the_tighter_of_the_two_bounds(tmp_path, monkeypatch):
    """Stopped early, HiGHS's own bound can lag far behind the relaxation's optimum (33% against 0.5%
    on 1,000 workloads): both bound the plan, so the gap reported is against the tighter. Here
    branch and bound's bound is made ten times too loose; the relaxation's (2 points) stands."""
    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    build_stats = HighsBridge.buildStats

    def loose(self, *args, **kwargs):
        stats = build_stats(self, *args, **kwargs)
        if stats.best_bound is not None:
            stats.best_bound *= 10
        return stats

    monkeypatch.setattr(HighsBridge, "buildStats", loose)
    results = collect(scenario, sizing, model, solve(model, gap=0.0))
    best = 1 + 2 / 2.4
    assert results.objective == approx(best, rel=1e-6)
    assert results.gap == approx((2.0 - best) / best, rel=1e-4)


def test_branch_and_bound_starts_from_the_completed_plan(tmp_path, monkeypatch):
    """Not proven within a gap of 0, the rounded start (3 + 2 GPUs) goes to branch and bound whole:
    every column, the served shares as the LP with the replicas fixed completed them (S1 in full,
    S2 2 of its 2.4 GPUs), so HiGHS holds that plan from its first node."""
    import planner.solve as solve_module

    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    starts = []
    make_solver = solve_module._solver

    def solver(*args, **kwargs):
        starts.append(args[4] if len(args) > 4 else None)
        return make_solver(*args, **kwargs)

    monkeypatch.setattr(solve_module, "_solver", solver)
    solution = solve(model, gap=0.0)
    columns, values = starts[-1]
    assert len(values) == model.n_vars and columns.tolist() == list(range(model.n_vars))
    served = dict(zip(model.served["workload"], values[model.served["column"].to_numpy()]))
    assert served == approx({"S1": 1.0, "S2": 2 / 2.4})
    alloc = model.allocation.set_index("workload")["column"]
    assert (values[alloc["S1"]], values[alloc["S2"]]) == (3.0, 2.0)
    assert solution.objective == approx(1 + 2 / 2.4, rel=1e-6)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_branch_and_bound_hands_back_the_plan_it_reports(tmp_path, solver):
    """G1: 400 TFLOP/s at MFU 0.4 = 1.6e14 FLOP/s, 700 W in use, none idle: 8.75e-4 MW per GPU.
    T1 (priority 6, 6e19 FLOPs, at least 8 GPUs, P1-P2): one GPU delivers 5.76e19 in P1's 100 h,
    so the relaxation gives it 1.04 GPUs on average, below its minimum, and the rounded start
    switches it off. T2 (priority 1, 6e21 FLOPs, P2 only): 10.4 GPUs over P2's 1000 h, but P2's
    0.00875 MW powers 10: 0.96 served. The optimum holds 8 GPUs for T1 in P1: 6 + 0.96 = 6.96.
    From that start HiGHS 1.16 found 6.96 and reported it, but handed back the start's columns,
    worth 0.96 (T1 unserved)."""
    tables = scenario_tables(
        periods=[("P1", 100.0, 1.0), ("P2", 1000.0, 0.00875)],
        gpus=[gpu_row(bf16_tflops=400.0, hbm_gb=48.0, hbm_tbps=5.0, it_w=700.0, idle_w=0.0)],
        fleet=[("G1", "P1", 9.0), ("G1", "P2", 16.0)],
        training=[training_row("T1", params_b=1.0, tokens_b=10.0, mfu=0.4, min_gpus=8.0, deadline="P2", priority=6.0),
                  training_row("T2", params_b=1.0, tokens_b=1000.0, mfu=0.4, start="P2", deadline="P2")],
    )
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    mip = collect(scenario, sizing, (m := build_model(scenario, sizing, integer=True)), solve(m, solver=solver))
    served = mip.workloads.set_index("workload")["served_fraction"]
    assert served["T1"] == approx(1.0) and served["T2"] == approx(0.96)
    assert mip.objective == approx(6.96, rel=1e-6) and mip.status == "optimal"


def _service_beside_a_run(tmp_path, installed: float, run_min_gpus: float):
    """S1 (priority 10) needs 2.6 one-GPU replicas at peak; T1 (priority 1, minimum
    ``run_min_gpus``) has far more tokens than the fleet can train, so it takes every GPU left."""
    tables = scenario_tables(
        fleet=[("G1", "P1", installed)],
        training=[training_row("T1", params_b=1.0, tokens_b=1e9, min_gpus=run_min_gpus)],
        inference=[inference_row("S1", tokens_per_day_b=2600 * 86_400 / 1e9, priority=10.0)],
        throughput=[("S1", "G1", 1000.0)],
    )
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    relaxed = relaxed_start(model, "highs", None, False)
    columns = model.allocation.set_index("workload")["column"]
    starts = [dict(zip(c.tolist(), v.tolist())) for c, v in relaxed.starts]
    solution = solve(model)
    return ([(start[columns["S1"]], start[model.switches.at[0, "on"]]) for start in starts],
            collect(scenario, sizing, model, solution), solution)


def test_integer_start_takes_a_replica_from_a_run_above_its_minimum(tmp_path):
    """5 GPUs: the relaxation gives S1 2.6 and T1 2.4. Rounded down, S1 has 2; T1 needs only its
    minimum of 1, so S1's third replica is taken from T1's share (the LP completing the plan gives
    T1 the 2 left), not refused for the 0.6 GPU left beside T1's relaxed 2.4."""
    starts, results, solution = _service_beside_a_run(tmp_path, installed=5.0, run_min_gpus=1.0)
    assert starts == [(3.0, 1.0), (2.0, 1.0)]  # T1 yielding, and at its relaxed 2.4 GPUs
    gpus = results.allocation.set_index("workload")["gpus"]
    assert gpus["S1"] == approx(3.0) and gpus["T1"] == approx(2.0)
    # the objective read back is the plan's (its score, less a tie-break), not the other start's,
    # completed last
    assert solution.objective == approx(results.objective, rel=1e-4)


def test_integer_start_never_rounds_into_a_runs_minimum(tmp_path):
    """5.8 GPUs, T1's minimum 3: the relaxation gives S1 2.6 and T1 3.2 (on). S1's third replica
    would leave T1 2.8, below its minimum, so the start keeps S1 at 2 (T1 would get 3.8). Branch
    and bound then finds the optimum: T1 off, S1 served in full on 3."""
    starts, results, _ = _service_beside_a_run(tmp_path, installed=5.8, run_min_gpus=3.0)
    assert starts == [(2.0, 1.0)]  # yielding or not, the same
    gpus = results.allocation.set_index("workload")["gpus"].reindex(["S1", "T1"], fill_value=0.0)
    assert gpus["S1"] == approx(3.0) and gpus["T1"] == approx(0.0)


@pytest.mark.parametrize("limit", ["fleet", "power"])
def test_integer_start_never_rounds_past_a_limit(tmp_path, limit):
    """With S2 worth more, the relaxation still uses all 5 GPUs it has room for; rounding up one
    replica takes the one GPU left after rounding down, and never a sixth."""
    scenario, sizing = _two_services_on_five_gpus(tmp_path, priority_2=3.0, limit=limit)
    model = build_model(scenario, sizing, integer=True)
    assert sorted(relaxed_start(model, "highs", None, False).starts[0][1].tolist()) == [2.0, 3.0]
    results = collect(scenario, sizing, model, solve(model, gap=0.0))
    assert results.allocation["gpus"].sum() == approx(5.0)
    assert results.objective == approx(2 / 2.6 + 3.0, rel=1e-6)  # S2 whole: 3 GPUs, S1 the other 2


@pytest.mark.parametrize("case", ["default", "synthetic"])
def test_relaxation_without_the_switches_has_the_same_optimum(tmp_path, case):
    """The mixed-integer model's relaxation, solved with its switch rows and columns set aside (as
    the planner solves it), reaches the optimum of the full relaxation."""
    from conftest import ROOT
    from planner.solve import HighsBridge, _integers_continuous
    from planner.synthetic import synthetic_tables

    if case == "default":
        source = ROOT / "inputs" / "sovereign-200mw.xlsx"
    else:
        source = write_scenario(synthetic_tables(40, 3, 6, seed=3), tmp_path / "s")
    scenario = read_scenario(source)
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    rows, columns = model.switch_rows_and_columns()
    assert len(rows) == 2 * len(model.switches) > 0 and len(columns) == len(model.switches)
    objectives = []
    for set_aside in (None, (rows, columns)):
        with _integers_continuous(model):
            stats = model.problem.solve(HighsBridge(set_aside=set_aside, msg=False, output_flag=False))
        assert stats.status == 1  # optimal
        objectives.append(model.problem.objective.value())
    assert objectives[1] == approx(objectives[0], rel=1e-7)


def test_a_start_within_the_gap_is_the_plan(tmp_path):
    """With a 50% gap the rounded relaxation is proven good enough and no branch and bound runs:
    the plan keeps whole replicas and its gap (against the relaxation's optimum) is within the limit."""
    from planner.synthetic import synthetic_tables

    scenario = read_scenario(write_scenario(synthetic_tables(40, 3, 6, seed=5), tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    solution = solve(model, gap=0.5)
    results = collect(scenario, sizing, model, solution)
    assert results.status == "optimal" and 0 <= results.gap <= 0.5 and solution.best_bound >= solution.objective
    services = results.allocation[results.allocation["kind"] == "inference"]
    replicas = services["gpus"] / services["gpus_per_replica"]
    assert len(services) and np.allclose(replicas, np.round(replicas))


def test_an_integer_plan_is_priced_by_its_relaxation():
    """The default scenario's --integer plan uses the whole power budget where the linear plan does;
    its shadow prices are its relaxation's, the linear plan's here (every GPU type holds whole
    replicas), not the zeros of an LP with the replicas fixed, which would say power never binds."""
    from conftest import ROOT

    scenario = read_scenario(ROOT / "inputs" / "sovereign-200mw.xlsx")
    sizing = size(scenario)
    plans = [collect(scenario, sizing, (m := build_model(scenario, sizing, integer)), solve(m))
             for integer in (False, True)]
    lp, mip = (plan.periods.set_index("period") for plan in plans)
    assert (lp["power_shadow_price"] > 0).sum() >= 2
    np.testing.assert_allclose(mip["power_shadow_price"], lp["power_shadow_price"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(plans[1].fleet["fleet_shadow_price"], plans[0].fleet["fleet_shadow_price"],
                               rtol=1e-6, atol=1e-9)


def _nothing_warnings(tables: dict, tmp_path) -> list[str]:
    """The warnings of a plan that say why a workload gets nothing (the scenario's own left out)."""
    return [w for w in run_pipeline(write_scenario(tables, tmp_path / "s")).results.warnings if " gets nothing: " in w]


def test_a_workload_no_gpu_type_can_run_is_named_in_a_warning(tmp_path):
    """A service asking for more tokens/s per user than any GPU gives gets 0% whatever the budget:
    the plan says why rather than leave it to read as a choice; the service it can run is not named."""
    tables = scenario_tables(inference=[inference_row("fast", min_tokens_per_s_per_user=1e6), inference_row("S1")])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing)
    results = collect(scenario, sizing, model, solve(model))
    assert results.workloads.set_index("workload").loc["fast", "served_fraction"] == 0.0
    assert results.warnings == [
        "fast (inference) gets nothing: no GPU type of the gpus sheet can run it (G1: latency target out of reach)."]


def test_a_precision_no_gpu_type_supports_is_named(tmp_path):
    """G1 has no FP8 peak, so an FP8 run can use none of it, however many are installed."""
    tables = scenario_tables(training=[training_row(precision="fp8")])
    assert _nothing_warnings(tables, tmp_path) == [
        "T1 (training) gets nothing: no GPU type of the gpus sheet supports its precision (FP8)."]


def test_the_types_with_the_precision_and_none_installed_are_named(tmp_path):
    """G2 alone has an FP8 peak, and none of it is installed: the warning names G2, not the 1000 G1."""
    tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("G2", fp8_tflops=2000.0)],
                             fleet=[("G1", "P1", 1000.0), ("G2", "P1", 0.0)], training=[training_row(precision="fp8")])
    assert _nothing_warnings(tables, tmp_path) == [
        "T1 (training) gets nothing: only G2 supports its precision (FP8), but none is installed in its window (P1)."]


def test_the_type_with_the_most_installed_is_named_with_what_it_needs(tmp_path):
    """T1 (100B) holds its training state on 100e9 x 16 x 1.25 / (80 GB x 0.9) = 27.8, so 28 GPUs of G1, or
    on 2e12 / (141 GB x 0.9) = 15.8, so 16 of G2. 20 of G1 and 10 of G2 are installed: G1 has the most."""
    tables = scenario_tables(gpus=[gpu_row("G1"), gpu_row("G2", hbm_gb=141.0)],
                             fleet=[("G1", "P1", 20.0), ("G2", "P1", 10.0)])
    assert _nothing_warnings(tables, tmp_path) == [
        "T1 (training) gets nothing: G1, G2 can run it, but G1, the one with the most, has at most 20 installed in "
        "its window (P1) where it needs 28 (its memory minimum)."]


def test_a_minimum_the_workbook_sets_is_named_as_such(tmp_path):
    """T1's min_gpus of 64 is above its memory minimum of 28: 40 installed are too few for it."""
    tables = scenario_tables(training=[training_row(min_gpus=64)], fleet=[("G1", "P1", 40.0)])
    assert _nothing_warnings(tables, tmp_path) == [
        "T1 (training) gets nothing: G1 can run it, but has at most 40 installed in its window (P1) where it "
        "needs 64 (its min_gpus)."]


def test_a_workload_no_gpu_type_in_its_window_can_run_is_named_in_a_warning(tmp_path):
    """S1 runs on G1, but G1 is installed only in P1, outside S1's window (P2 on): installing G1 there
    would serve it, and the warning says so."""
    tables = scenario_tables(periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 100.0)],
                             fleet=[("G1", "P1", 10.0), ("G1", "P2", 0.0)],
                             inference=[inference_row("S1", start="P2")])
    assert _nothing_warnings(tables, tmp_path) == [
        "S1 (inference) gets nothing: G1 can run it, but it is installed only outside its window (P2)."]


def test_a_long_list_of_types_is_cut_short(tmp_path):
    """Five GPU types can run T1 and none is installed in its window P2 (all of them are in P1): three
    are named and the rest counted."""
    names = [f"G{i}" for i in range(1, 6)]
    tables = scenario_tables(periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 100.0)],
                             gpus=[gpu_row(name) for name in names],
                             fleet=[(name, period, 1000.0 if period == "P1" else 0.0)
                                    for name in names for period in ("P1", "P2")],
                             training=[training_row(start="P2", deadline="P2")])
    assert _nothing_warnings(tables, tmp_path) == [
        "T1 (training) gets nothing: G1, G2, G3 and 2 more can run it, but they are installed only outside its "
        "window (P2)."]


def test_a_workload_outranked_for_power_is_named_with_the_limit(tmp_path):
    """1 MW less the idle floor of 1000 x 200 W x 1.25 = 0.25 MW runs 0.75 / (1.25 x 1200 W) = 500 GPUs, 15%
    of T1 (priority 10): T2 (priority 1, the same run) could use them, but scores a tenth as much per MW, and
    gets nothing. Power binds; GPUs do not. The report's findings say so; it is the plan's choice, not a
    warning (at national scale hundreds of workloads are left out so)."""
    tables = scenario_tables(periods=[("P1", 1000.0, 1.0)],
                             training=[training_row("T1", priority=10.0), training_row("T2", priority=1.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    why = "it can run but is outranked: work scoring more takes the power budget in P1"
    assert results.why_nothing == {"T2": why}
    assert results.warnings == report.summary(results)["warnings"] == []
    assert f"served at\n      0.0% of its FLOPs by its deadline, as {why}" in report.render_html(results)


def test_a_workload_left_out_of_a_plan_stopped_early_is_not_said_to_be_outranked(tmp_path):
    """T2 gets nothing as above, but with the plan's prices unknown (as when the solver stops at its time
    limit) no limit can be said to bind, and the reason the findings give does not name one."""
    tables = scenario_tables(periods=[("P1", 1000.0, 1.0)],
                             training=[training_row("T1", priority=10.0), training_row("T2", priority=1.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing)
    solution = solve(model)
    unknown = {family: np.full_like(prices, np.nan) for family, prices in solution.shadow_prices.items()}
    unpriced = dataclasses.replace(solution, status="timelimit", price_ranges={}, shadow_prices=unknown)
    assert collect(scenario, sizing, model, unpriced).why_nothing == {
        "T2": "it can run, but the solver stopped before the optimum, so what keeps it out is not known"}


def test_a_run_an_integer_plan_leaves_out_for_its_minimum_is_not_said_to_be_outranked(tmp_path):
    """test_headlines' whole-replica case: the relaxation gives run T the 133.3 G1 that service S leaves (4% of
    its FLOPs), with power binding and priced at T's 0.2 points per MW; the integer plan cannot give T its 300,
    and gives it nothing. T is then kept out by its minimum, not outranked (nothing scores more per MW than S,
    which is served in full), and the report says that whole replicas and run minimums cost the plan 0.04
    points, where the relaxation's prices would say power is what keeps T out."""
    tables = scenario_tables(periods=[("P1", 1000.0, 1.5)], fleet=[("G1", "P1", 4000.0)],
                             training=[training_row("T", min_gpus=300.0)],
                             inference=[inference_row("S", tokens_per_day_b=0.2e6 * 86_400 / 1e9)],
                             throughput=[("S", "G1", 1000.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    results = collect(scenario, sizing, model, solve(model))
    assert results.objective == approx(1.0, rel=1e-9)
    assert results.relaxed_served_fraction == approx([0.04, 1.0], rel=1e-6)
    assert results.relaxation_score() == approx(1.04, rel=1e-6) and results.relaxation_apart()
    assert results.why_nothing == {"T": "it can run, but its smallest block of GPUs does not fit in the power and "
                                        "GPUs this plan has left (with fractional replicas and no run minimums it "
                                        "would be served 4.0%)"}
    findings = re.sub(r"\s+", " ", report.render_html(results))
    assert "That plan scores 1.040, 0.0400 points more than this one</strong>: whole replicas and run minimums" \
        in findings

    # a plan its time limit stopped may be held below its relaxation by the search too
    stopped = re.sub(r"\s+", " ", report.render_html(dataclasses.replace(results, status="timelimit")))
    assert ("</strong>: whole replicas and run minimums, or a search stopped at its time limit, cost this plan that "
            "much") in stopped

    linear = build_model(scenario, sizing)
    assert collect(scenario, sizing, linear, solve(linear)).relaxed_served_fraction is None  # an LP has none
    # within the gap of its relaxation, a plan is described by the relaxation's prices well enough
    assert not dataclasses.replace(results, objective=1.04 * (1 - 0.5 * results.gap_limit)).relaxation_apart()


def test_a_plan_proven_within_its_gap_never_states_more_than_it():
    """CBC reports no bound: its proven plan's bound is put at the gap allowed above it, and the gap worked out again
    from that bound read "gap 2.000000000%, stops within 2.000000000%" (the rounding's 2.0000000000000018%, and as
    many figures as tell it from the limit). A plan proven within its limit states at most the limit; one stopped
    by its time limit keeps the gap it reached."""
    plan = 1.1
    assert (plan + 0.02 * plan - plan) / plan > 0.02  # the rounding this is about
    proven = SimpleNamespace(status="optimal", gap_limit=0.02, objective=plan, best_bound=plan + 0.02 * plan)
    assert _gap(proven) == 0.02
    assert _gap(SimpleNamespace(**{**vars(proven), "best_bound": plan * 1.01})) == approx(0.01)
    stopped = SimpleNamespace(**{**vars(proven), "status": "timelimit", "best_bound": plan * 1.05})
    assert _gap(stopped) == approx(0.05)


def test_a_gpu_type_binding_in_the_relaxation_of_an_integer_plan_says_how_many_the_plan_uses(tmp_path):
    """Service S (100B parameters: replicas of 4 G1) wants 100 G1 of the 10 installed. The relaxation gives it all
    10 (2.5 replicas, G1 binding there), the integer plan 2 replicas: 8 of the 10, which the report says, with
    the plan in which all 10 are in use."""
    tables = scenario_tables(fleet=[("G1", "P1", 10.0)], training=[],
                             inference=[inference_row("S", params_b=100.0, tokens_per_day_b=1e5 * 86_400 / 1e9)],
                             throughput=[("S", "G1", 1000.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    results = collect(scenario, sizing, model, solve(model))
    assert results.objective == approx(0.08, rel=1e-9) and results.relaxed_served_fraction == approx([0.1])
    findings = re.sub(r"\s+", " ", report.render_html(results))
    assert ("<strong>G1 binds in P1</strong>: 8.00 of 10.0 in use (all 10.0 in the plan with fractional replicas "
            "and no run minimums); one more is worth") in findings


def test_a_workload_an_integer_plan_leaves_out_with_room_for_it_is_said_to_be_within_the_gap(tmp_path):
    """Run "tiny" (priority 0.001, one GPU-hour's worth of work on one GPU in P2) fits in what the mixed-integer plan
    leaves in P2 (0.025 MW and 925 GPUs): the plan leaves it out as the solver stops within its 2% gap (the plan's
    3.0 points less its 0.001 lie within it), not as its block does not fit, which the reason said; solved to a gap
    of 0, it is served."""
    tables = scenario_tables(
        pue=1.0, periods=[("P1", 2160.0, 0.04), ("P2", 2184.0, 0.1)],
        gpus=[gpu_row(hbm_gb=100.0, hbm_tbps=2.0, it_w=1000.0, idle_w=0.0)],
        fleet=[("G1", "P1", 1000.0), ("G1", "P2", 1000.0)],
        training=[training_row("tiny", params_b=1.0, tokens_b=1.0, mfu=None, goodput=None, start="P2", deadline="P2",
                               priority=0.001)],
        inference=[inference_row("svcHi", params_b=1.0, tokens_per_day_b=4.32, priority=2.0),
                   inference_row("svcLo", params_b=1.0, tokens_per_day_b=2.16, priority=1.5)],
        throughput=[("svcHi", "G1", 1000.0), ("svcLo", "G1", 1000.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    results = collect(scenario, sizing, model, solve(model))
    assert results.workloads.set_index("workload")["served_fraction"]["tiny"] == 0.0
    assert results.why_nothing == {"tiny": "it can run, and its smallest block of GPUs fits in the power and GPUs this "
                                           "plan leaves in P2, but the solver stops once its plan is within 2% of the "
                                           "best possible, and serving it would add no more than that (a smaller "
                                           "--gap may serve it)"}
    # stopped at its time limit instead, the plan is not said to be within its gap
    solution = solve(model)
    timed_out = collect(scenario, sizing, model, dataclasses.replace(solution, status="timelimit"))
    assert timed_out.why_nothing == {"tiny": "it can run, and its smallest block of GPUs fits in the power and GPUs "
                                             "this plan leaves in P2, but the solver stopped at its time limit first "
                                             "(more time may serve it)"}
    exact = collect(scenario, sizing, model, solve(model, gap=0.0))
    assert exact.workloads.set_index("workload")["served_fraction"]["tiny"] == approx(1.0)


def test_a_workload_outranked_for_gpus_is_named_with_the_limit(tmp_path):
    """30 G1 are installed and power is ample: T1 (priority 10) takes all 30 (30 x 3.6e6 s x 5e14 FLOP/s =
    0.9% of its 6e24 FLOPs), and T2 (priority 1), which could hold its 28, gets nothing."""
    tables = scenario_tables(fleet=[("G1", "P1", 30.0)],
                             training=[training_row("T1", priority=10.0), training_row("T2", priority=1.0)])
    assert run_pipeline(write_scenario(tables, tmp_path / "s")).results.why_nothing == {
        "T2": "it can run but is outranked: work scoring more takes every GPU of G1 in P1"}


def test_an_integer_plan_whose_relaxation_was_stopped_has_no_prices(tmp_path, monkeypatch):
    """The relaxation prices a mixed-integer plan. Stopped by the time limit, it prices nothing, and
    the plan with its replicas fixed would price every limit at zero (a MW short of a whole replica
    serves nothing): the plan has no prices, as an LP stopped early has none."""
    import planner.solve as solve_module

    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    relaxed_start = solve_module.relaxed_start
    monkeypatch.setattr(solve_module, "relaxed_start", lambda *args: dataclasses.replace(
        relaxed_start(*args), bound=None, shadow_prices=None))  # as if the time limit had stopped it
    solution = solve(model, time_limit=60.0)
    assert all(np.isnan(prices).all() for prices in solution.shadow_prices.values())
    assert solution.served.sum() > 0  # a plan all the same


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_relaxation_that_used_up_the_time_limit_still_gives_its_plan(tmp_path, monkeypatch, solver):
    """The relaxation is made to end as the time limit does. Its rounded plan (3 + 2 GPUs, the
    optimum) is still completed, within a tenth of the limit more, and written as stopped by the
    time limit (not proven: asked for a gap of 0), rather than the run ending without a plan."""
    import planner.solve as solve_module

    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    relax = solve_module.relaxed_start

    def slow(*args):
        relaxed = relax(*args)
        time.sleep(2.0)
        return relaxed

    monkeypatch.setattr(solve_module, "relaxed_start", slow)
    solution = solve(model, solver=solver, time_limit=2.0, gap=0.0)
    assert solution.status == "timelimit"
    assert solution.objective == approx(1 + 2 / 2.4, rel=1e-6)
    assert solution.best_bound == approx(2.0, rel=1e-4)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_branch_and_bound_runs_from_scratch_where_the_relaxation_gave_no_plan(tmp_path, monkeypatch, solver):
    """The relaxation is made to end with no plan (as a time limit reached before its first one ends it): branch and
    bound runs without a start and still finds the optimum, 3 + 2 GPUs, with its own bound."""
    import planner.solve as solve_module

    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    monkeypatch.setattr(solve_module, "relaxed_start", lambda *args: None)
    solution = solve(model, solver=solver, gap=0.0)
    assert solution.status == "optimal"
    assert solution.objective == approx(1 + 2 / 2.4, rel=1e-6)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_branch_and_bound_stopped_without_a_plan_keeps_the_completed_one(tmp_path, monkeypatch, solver):
    """CBC given a start can stop at the time limit holding no plan of its own (500 workloads,
    --gap 0, --time-limit 1: exit 3, 'stopped without a feasible plan'), though the rounded start,
    completed before branch and bound began, is a plan. That plan is the answer, stopped by the
    time limit, rather than the run ending without one."""
    import pulp

    import planner.solve as solve_module

    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    make_solver = solve_module._solver

    def solver_stopped_early(*args, **kwargs):
        backend = make_solver(*args, **kwargs)
        if len(args) > 4 and args[4] is not None:  # branch and bound, from the completed start
            solve_it = backend.solve

            def stopped(lp):
                for variable in lp.variables():  # nothing to read back
                    variable.varValue = None
                return dataclasses.replace(solve_it(lp), has_solution=False, status=pulp.LpSolveStatus.TimeLimit,
                                           best_bound=None)

            backend.solve = stopped
        return backend

    monkeypatch.setattr(solve_module, "_solver", solver_stopped_early)
    solution = solve(model, solver=solver, time_limit=60.0, gap=0.0)
    assert solution.status == "timelimit"
    assert solution.objective == approx(1 + 2 / 2.4, rel=1e-6)  # the rounded start, 3 + 2 GPUs
    assert solution.best_bound == approx(2.0, rel=1e-4)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_an_integer_plan_prices_its_gpus_as_its_relaxation_does(solve_case, solver):
    """In P3 power binds (0.010372 MW) and both GPU types carry the run T1, whose switch rows
    (GPUs <= installed x on) bind in the relaxation beside the fleet rows. CBC put most of a GPU's
    value on the switch row, where "installed" is a coefficient, and priced G2 at 0.0036 rather
    than 0.192; one more GPU installed relaxes both rows, so both parts count, as in the linear plan."""
    tables = scenario_tables(
        periods=[("P1", 100.0, 10.0), ("P2", 1000.0, 10.0), ("P3", 100.0, 0.010372)],
        gpus=[gpu_row("G1", bf16_tflops=400.0, hbm_gb=141.0, hbm_tbps=3.0, it_w=1400.0, idle_w=0.0),
              gpu_row("G2", bf16_tflops=400.0, hbm_gb=141.0, hbm_tbps=1.0, it_w=700.0, idle_w=0.0)],
        fleet=[(g, p, n) for g, counts in (("G1", (0.0, 0.0, 5.0)), ("G2", (0.0, 0.0, 1.0)))
               for p, n in zip(("P1", "P2", "P3"), counts)],
        training=[training_row("T1", params_b=3.0, tokens_b=100.0, mfu=0.4, deadline="P3", priority=6.0)],
        inference=[inference_row("S2", tokens_per_day_b=13.771, priority=2.0, start="P1")],
    )
    run = solve_case(tables)
    mip = collect(run.scenario, run.sizing, (m := build_model(run.scenario, run.sizing, integer=True)),
                  solve(m, solver=solver))
    expected = run.results.fleet["fleet_shadow_price"].to_numpy()
    assert np.nanmax(expected) == approx(0.192, rel=1e-3)
    assert mip.fleet["fleet_shadow_price"].to_numpy() == approx(expected, rel=1e-6, nan_ok=True)


def test_a_measured_rate_serves_on_the_smallest_replica_that_holds_the_model(tmp_path):
    """528B parameters in BF16 on 40 GB GPUs: the smallest replica holding them is 32 GPUs, the
    estimate's best 64. A measured rate (50 tokens/s per GPU, replica size not given) is taken at 32,
    so the 32 installed serve; it was taken at 64, and the 32 served nothing."""
    tables = scenario_tables(gpus=[gpu_row(hbm_gb=40.0)], fleet=[("G1", "P1", 32.0)], training=[],
                             inference=[inference_row("S", params_b=528.0)], throughput=[("S", "G1", 50.0)])
    results = run_pipeline(write_scenario(tables, tmp_path / "s")).results
    rates = results.sizing.inference_rates.iloc[0]
    assert (rates["source"], rates["min_gpus"], rates["gpus_per_replica"]) == ("measured", 32, 32)
    assert results.allocation[["gpus", "gpus_per_replica"]].to_numpy().tolist() == [[32.0, 32.0]]


def test_a_time_limit_counts_the_hand_over_to_highs(tmp_path, monkeypatch):
    """The limit is counted from the start of the solve: a hand-over that took 0.3 s of a 1 s
    limit leaves HiGHS 0.7 s, not the whole second again."""
    import planner.solve as solve_module

    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=False)
    hand_over, run = HighsBridge.buildSolverModel, solve_module._run_interruptibly
    given = []

    def slow_hand_over(self, lp):
        hand_over(self, lp)
        time.sleep(0.3)

    def recorded(highs):
        given.append(highs.getOptionValue("time_limit")[1])
        run(highs)

    monkeypatch.setattr(HighsBridge, "buildSolverModel", slow_hand_over)
    monkeypatch.setattr(solve_module, "_run_interruptibly", recorded)
    solution = solve(model, time_limit=1.0)
    assert solution.status == "optimal"
    assert len(given) == 1 and 0 < given[0] <= 0.7 + 1e-9


@pytest.mark.parametrize("relaxation", ["no plan", "a plan"])
def test_a_stage_with_no_time_left_is_not_started(tmp_path, monkeypatch, relaxation):
    """The relaxation is made to end after the limit. Without a plan, branch and bound is not
    handed a model it must stop solving at once: the solve fails as stopped by its limit, HiGHS
    never run again. With one, the first rounded plan is completed (in the grace the README
    states) and the second, with no time left, is not started."""
    import planner.solve as solve_module

    scenario, sizing = _two_services_on_five_gpus(tmp_path)
    model = build_model(scenario, sizing, integer=True)
    relax, hand_over, run = solve_module.relaxed_start, HighsBridge.buildSolverModel, solve_module._run_interruptibly
    handed_over, given = [], []

    def slow(*args):
        relaxed = relax(*args)
        handed_over.clear()
        given.clear()
        time.sleep(0.25)
        # two plans to complete (this scenario rounds to one)
        return dataclasses.replace(relaxed, starts=relaxed.starts * 2) if relaxation == "a plan" else None

    def counted(self, lp):
        handed_over.append(self)
        hand_over(self, lp)

    def recorded(highs):
        given.append(highs.getOptionValue("time_limit")[1])
        run(highs)

    monkeypatch.setattr(solve_module, "relaxed_start", slow)
    monkeypatch.setattr(HighsBridge, "buildSolverModel", counted)
    monkeypatch.setattr(solve_module, "_run_interruptibly", recorded)
    if relaxation == "no plan":
        with pytest.raises(solve_module.SolveError, match="TimeLimit"):
            solve(model, time_limit=0.2, gap=0.0)
        assert handed_over == []
    else:
        solution = solve(model, time_limit=0.2, gap=0.0)
        assert solution.status == "timelimit"
        assert len(handed_over) == 1
        assert given and given[0] >= solve_module.COMPLETION_GRACE * 0.2 - 1e-9  # the grace, none of the limit left


def _finish_or_serve(tmp_path, budget_mw: float, must_finish: str, service_priority: float = 3.0):
    """Run T (priority 5) needs 100 GPUs of 1 kW for its 1,000 h to finish (1.8e23 FLOPs at 5e14 FLOP/s a GPU): 0.1
    MW; service S (priority 3) 40 GPUs (50,000 tokens/s at 1,250 a GPU): 0.04 MW. S earns 75 points per MW, T 50."""
    tables = scenario_tables(
        pue=1.0, periods=[("P1", 1000.0, budget_mw)], gpus=[gpu_row(it_w=1000.0, idle_w=0.0)],
        training=[training_row("T", params_b=1.0, tokens_b=30_000.0, priority=5.0, must_finish=must_finish)],
        inference=[inference_row("S", params_b=1.0, tokens_per_day_b=4.32, priority=service_priority)],
        throughput=[("S", "G1", 1250.0)])
    return read_scenario(write_scenario(tables, tmp_path / f"s{budget_mw}{must_finish}{service_priority}"))


def test_a_run_that_must_finish_is_given_all_its_flops_or_none_in_a_mixed_integer_plan(tmp_path):
    """With 0.1 MW the linear plan serves S and 60% of T (3 + 3 points), and warns where T must finish; held to all or
    nothing (--integer), T finishes and S gets nothing (5 points: more than S with no T, 3), and holds no GPU. With
    0.12 MW and S at priority 100, S takes 0.04 MW and T, which 0.1 MW would finish, cannot finish on the rest; with
    0.09 MW T could never finish (90% at most). Each reason says which."""
    scenario = _finish_or_serve(tmp_path, 0.1, "yes")
    sizing = size(scenario)
    linear = collect(scenario, sizing, model := build_model(scenario, sizing), solve(model))
    assert linear.workloads["served_fraction"].tolist() == [pytest.approx(0.6), pytest.approx(1.0)]
    assert linear.warnings == ["T (training) must finish, but this linear plan does 60.0% of its FLOPs by its "
                               "deadline: plan with --integer to give it all of them or none"]
    whole = collect(scenario, sizing, model := build_model(scenario, sizing, integer=True), solve(model))
    assert whole.workloads["served_fraction"].tolist() == [pytest.approx(1.0), 0.0]
    assert whole.objective == pytest.approx(5.0) and whole.must_finish
    assert whole.relaxation_score() == pytest.approx(6.0)
    assert whole.why_nothing["S"].endswith("(with fractional replicas, no run minimums and runs that must finish "
                                           "done in part it would be served 100.0%)")
    # not held to finish: the mixed-integer plan does T in part, as the linear one
    free = _finish_or_serve(tmp_path, 0.1, "no")
    sizing = size(free)
    partial = collect(free, sizing, model := build_model(free, sizing, integer=True), solve(model))
    assert partial.workloads["served_fraction"].tolist() == [pytest.approx(0.6), pytest.approx(1.0)]
    assert not partial.must_finish and partial.warnings == []

    outranked = _finish_or_serve(tmp_path, 0.12, "yes", service_priority=100.0)
    sizing = size(outranked)
    left = collect(outranked, sizing, model := build_model(outranked, sizing, integer=True), solve(model))
    assert left.workloads["served_fraction"].tolist() == [0.0, pytest.approx(1.0)]
    assert left.allocation["workload"].tolist() == ["S"]  # none of T's GPUs held for nothing
    assert left.why_nothing == {"T": "it must finish, and finishing it by its deadline takes more power and GPUs than "
                                     "this plan leaves it (with fractional replicas, no run minimums and runs that "
                                     "must finish done in part it would be served 80.0%)"}
    short = _finish_or_serve(tmp_path, 0.09, "yes")
    sizing = size(short)
    none = collect(short, sizing, model := build_model(short, sizing, integer=True), solve(model))
    assert none.workloads["served_fraction"].tolist() == [0.0, pytest.approx(1.0)]
    assert none.why_nothing == {"T": "it must finish, but cannot by its deadline even with every GPU and MW of its "
                                     "window to itself: at most 90.0% of its FLOPs"}
    # as a linear plan warns of it: no budget cut leaves it out, so summary.json's warnings say it too
    assert none.warnings == ["T (training) must finish, but cannot by its deadline even with every GPU and MW of its "
                             "window to itself (at most 90.0% of its FLOPs); this mixed-integer plan gives it nothing"]
    linear = collect(short, sizing, model := build_model(short, sizing), solve(model))
    assert linear.warnings == ["T (training) must finish, but cannot by its deadline even with every GPU and MW of its "
                               "window to itself (at most 90.0% of its FLOPs); this linear plan does 50.0%"]


def test_a_run_that_must_finish_and_is_given_up_by_the_rounded_relaxation_starts_at_nothing(tmp_path):
    """The relaxation finishes T (min_gpus 100) on 90 GPUs in P1 and 60 in P2: rounding gives up both, below its
    minimum, and started as finished T had no plan to complete, so a solve stopped at once found none (exit 3, where
    an all-zero plan always exists). It starts at nothing: a plan comes back however little time there is."""
    tables = scenario_tables(
        pue=1.0, periods=[("P1", 1000.0, 0.1), ("P2", 1000.0, 0.06)], gpus=[gpu_row(it_w=1000.0, idle_w=0.0)],
        training=[training_row("T", params_b=1.0, tokens_b=45_000.0, priority=5.0, must_finish="yes", min_gpus=100,
                               start="P1", deadline="P2")],
        inference=[inference_row("S", params_b=1.0, tokens_per_day_b=4.32, priority=1.0)],
        throughput=[("S", "G1", 1250.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    relaxed = relaxed_start(model, "highs", None, False)
    finished = [values[np.isin(columns, model.whole_runs)].tolist() for columns, values in relaxed.starts]
    assert finished == [[0.0]] * len(relaxed.starts)
    assert _completed_start(model, relaxed, "highs", None, False, DEFAULT_MIP_GAP) is not None


def test_a_run_started_as_finished_keeps_its_gpus_in_every_rounded_start(tmp_path):
    """The relaxation finishes T (min_gpus 10) on 500 of 1,002 G1 and gives S the 502 left: 125.5 replicas of 4.
    Counted at its minimum, T left S room to round up to 126, which took 2 of the GPUs T needs to finish: that start,
    T fixed as finished, had no plan to complete, and a solve whose time limit let it complete only the first start
    found none. Every start completes now."""
    tables = scenario_tables(
        fleet=[("G1", "P1", 1002.0)],
        training=[training_row("T", params_b=1.0, tokens_b=150_000.0, priority=5.0, must_finish="yes", min_gpus=10)],
        inference=[inference_row("S", params_b=100.0, tokens_per_day_b=172.8)],
        throughput=[("S", "G1", 1000.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    model = build_model(scenario, sizing, integer=True)
    relaxed = relaxed_start(model, "highs", None, False)
    assert relaxed.starts
    for start in relaxed.starts:
        completed = _completed_start(model, dataclasses.replace(relaxed, starts=[start]), "highs", None, False,
                                     DEFAULT_MIP_GAP)
        assert completed is not None and completed.objective == pytest.approx(relaxed.bound, rel=1e-3)


def _integer_plan_on_kilowatt_gpus(tmp_path, budget_mw: float, run: dict, service: dict,
                                   tokens_per_s: float):
    """The mixed-integer plan's results for ``run`` and ``service`` (``tokens_per_s`` per G1) in one 1000 h period
    of ``budget_mw``, on G1s drawing 1 kW in use and nothing idle, at a PUE of 1."""
    tables = scenario_tables(pue=1.0, periods=[("P1", 1000.0, budget_mw)], gpus=[gpu_row(it_w=1000.0, idle_w=0.0)],
                             training=[run], inference=[service], throughput=[("S", "G1", tokens_per_s)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    return collect(scenario, sizing, model := build_model(scenario, sizing, integer=True), solve(model))


def test_a_run_whose_minimum_the_power_cannot_hold_is_said_never_to_finish(tmp_path):
    """T (min_gpus 50) needs 30 G1 for the period to finish; the 0.04 MW budget runs 40 (1 kW each, PUE 1). The
    integer plan cannot give T its 50, and leaves it out. Its reason was that finishing it fits in what the plan
    leaves but for the 2% gap, as if on 30 GPUs below its minimum; no smaller gap serves it."""
    results = _integer_plan_on_kilowatt_gpus(
        tmp_path, 0.04, training_row("T", params_b=1.0, tokens_b=9000.0, must_finish="yes", min_gpus=50),
        inference_row("S", params_b=1.0, tokens_per_day_b=0.0864, priority=0.01), 1000.0)
    assert results.workloads["served_fraction"].tolist() == [0.0, pytest.approx(1.0)]
    assert results.why_nothing == {"T": "it must finish, but cannot by its deadline even with every GPU and MW of its "
                                        "window to itself: at most 0.0% of its FLOPs"}


def test_a_linear_plan_bounds_a_run_that_must_finish_without_its_minimum(tmp_path):
    """As above, with T needing 60 G1 for the period: the linear plan gives it the 40 the power runs, below its
    minimum of 50 (GPUs are period averages there), and does 66.7%. Its warning said "at most 0.0%" beside that, the
    bound of a plan that holds minimums; a linear plan's is 66.7%."""
    tables = scenario_tables(pue=1.0, periods=[("P1", 1000.0, 0.04)], gpus=[gpu_row(it_w=1000.0, idle_w=0.0)],
                             training=[training_row("T", params_b=1.0, tokens_b=18_000.0, must_finish="yes",
                                                    min_gpus=50)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    results = collect(scenario, sizing, model := build_model(scenario, sizing), solve(model))
    assert results.workloads["served_fraction"].tolist() == [pytest.approx(2 / 3)]
    assert results.warnings == ["T (training) must finish, but cannot by its deadline even with every GPU and MW of "
                                "its window to itself (at most 66.7% of its FLOPs); this linear plan does 66.7%"]


def test_power_freed_by_a_run_that_must_finish_and_cannot_goes_to_whole_replicas(tmp_path):
    """S1 (priority 100) takes 0.04 of 0.09 MW; the relaxation gives T (priority 1, 10 points per MW) the 0.05 MW left,
    half of what finishing it takes, rather than S2 (priority 0.1, 2.5 points per MW): 100.5 points. Held to all or
    nothing, T gets none, and the rounded start (S1 alone, 100 points) was within the 2% gap, so it was the plan:
    0.05 MW and 50 GPUs left idle beside S2 served not at all. Whole replicas are added where a plan leaves room:
    S2's 40 GPUs (0.04 MW) serve it in full."""
    tables = scenario_tables(
        pue=1.0, periods=[("P1", 1000.0, 0.09)], gpus=[gpu_row(it_w=1000.0, idle_w=0.0)],
        training=[training_row("T", params_b=1.0, tokens_b=30_000.0, priority=1.0, must_finish="yes")],
        inference=[inference_row("S1", params_b=1.0, tokens_per_day_b=4.32, priority=100.0),
                   inference_row("S2", params_b=1.0, tokens_per_day_b=4.32, priority=0.1)],
        throughput=[("S1", "G1", 1250.0), ("S2", "G1", 1250.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    sizing = size(scenario)
    results = collect(scenario, sizing, model := build_model(scenario, sizing, integer=True), solve(model))
    assert results.relaxation_score() == pytest.approx(100.5)
    assert results.status == "optimal" and results.objective == pytest.approx(100.1)
    assert results.workloads["served_fraction"].tolist() == [0.0, pytest.approx(1.0), pytest.approx(1.0)]
    assert results.periods["power_mw_used"].tolist() == [pytest.approx(0.08)]
    # power binds in the relaxation, which the findings and the periods' marks describe, not in this plan: they say so
    page = " ".join(report.render_html(results).split())
    relaxed = "in the plan with fractional replicas, no run minimums and runs that must finish done in part"
    assert f"<strong>Power binds in P1</strong>: 0.0800 of 0.0900 MW used (all 0.0900 {relaxed})." in page
    assert f"raises the score for as far as the price holds (see Shadow prices), {relaxed}. Idle floor" in page


def test_a_run_that_must_finish_left_out_holds_no_gpus(tmp_path):
    """S (priority 100) takes 0.04 of 0.09 MW; T (priority 1, min_gpus 50) cannot finish on the 0.05 MW left (it
    needs 0.1). The plan scored T 0% yet gave it 50 GPUs and 0.05 MW: its rounded start kept T's switch on, and
    nothing tied a switch to finishing. A run left out now holds nothing: 0.04 MW used."""
    results = _integer_plan_on_kilowatt_gpus(
        tmp_path, 0.09, training_row("T", params_b=1.0, tokens_b=30_000.0, priority=1.0, must_finish="yes",
                                     min_gpus=50),
        inference_row("S", params_b=1.0, tokens_per_day_b=4.32, priority=100.0), 1250.0)
    assert results.workloads["served_fraction"].tolist() == [0.0, pytest.approx(1.0)]
    assert results.allocation["workload"].tolist() == ["S"]
    assert results.periods["power_mw_used"].tolist() == [pytest.approx(0.04)]
