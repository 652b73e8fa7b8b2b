"""Hand-solvable scenarios with known optima.

Common numbers (unless a test says otherwise), from ``conftest.scenario_tables``:

- PUE 1.25; GPU G1: 1000 TFLOP/s BF16, it_w 1400 W, idle_w 200 W.
  Facility MW per GPU in use, above idle: m = 1.25 x (1400 - 200) / 1e6 = 1.5e-3 MW.
  Idle draw of I installed GPUs: 1.25 x 200 x I / 1e6 MW (10 000 GPUs -> 2.5 MW).
- Rows from conftest set goodput 1 and power_factor 1 (a GPU in use draws all of it_w), so
  neither scales the figures below.
- Training run, mfu 0.5: delivered 1000e12 x 0.5 = 5e14 FLOP/s per GPU, so one GPU over a
  1000 h period delivers 1000 x 3600 x 5e14 = 1.8e21 FLOPs.
  Required FLOPs = 6 x params x tokens: 100 B params x 10 000 B tokens -> 6e24.
- The objective carries an energy tie-break: minus ENERGY_TIE_BREAK (1e-7) x min priority
  x MWh drawn above idle. A GPU in use for H hours costs 1e-7 x minp x H x m, so one more
  MW used in a period of H hours costs 1e-7 x minp x H. The LP's duals include it; the
  reported prices are the score's own duals, so they are score per MW or per GPU, like
  Results.objective.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from conftest import (ROOT, gpu_row, inference_row, run_pipeline, scenario_tables, sheet_frame, training_row,
                      write_scenario)
from planner import report
from planner.model import ENERGY_TIE_BREAK, IDLE_TIE_BREAK_SHARE, build_model, tie_break_mw_per_gpu
from planner.results import _power_serves, collect
from planner.solve import solve
from planner.synthetic import synthetic_tables

REL = 1e-6
M = 1.25 * (1400.0 - 200.0) / 1e6  # MW per GPU in use, above idle
FLOPS_PER_GPU_PERIOD = 1000.0 * 3600.0 * 1000e12 * 0.5  # 1.8e21


def approx(value: float, rel: float = REL, abs: float = 1e-12):
    return pytest.approx(value, rel=rel, abs=abs)


def served(run, workload: str) -> float:
    table = run.results.workloads.set_index("workload")
    return float(table.loc[workload, "served_fraction"])


def gpus(run, workload: str, period: str | None = None) -> float:
    a = run.results.allocation
    a = a[a["workload"] == workload]
    if period is not None:
        a = a[a["period"] == period]
    return float(a["gpus"].sum())


def lp_objective(run) -> float:
    """The LP's own objective in result units: score less the energy tie-break."""
    r = run.results
    minp = r.workloads["priority"].min()
    idle = run.scenario.pue * (run.scenario.gpus["idle_w"].to_numpy() @ run.scenario.fleet.to_numpy()) / 1e6
    active_mwh = ((r.periods["power_mw_used"].to_numpy() - idle) * r.periods["hours"].to_numpy()).sum()
    return r.objective - ENERGY_TIE_BREAK * minp * active_mwh


def one_run_power_limited(budget_mw: float) -> dict:
    """Case (a): 10 000 G1 installed in one 1000 h period, one run T1 (priority 3, 6e24 FLOPs)."""
    return scenario_tables(
        periods=[("P1", 1000.0, budget_mw)],
        fleet=[("G1", "P1", 10_000.0)],
        training=[training_row("T1", params_b=100.0, tokens_b=10_000.0, mfu=0.5, priority=3.0)],
    )


def test_a_power_limited_training_run(solve_case):
    """One GPU type, one period, one run that needs more than the power allows.

    Budget 5.5 MW, idle draw of 10 000 installed GPUs 2.5 MW -> headroom 3.0 MW
    -> 3.0 / 1.5e-3 = 2000 GPUs in use.
    served = 2000 x 1.8e21 / 6e24 = 0.6.
    d(served)/d(MW) = (1 / 1.5e-3 GPUs/MW) x 1.8e21 / 6e24 = 0.2 per MW,
    so priority x d(served)/d(MW) = 3 x 0.2 = 0.6 score per MW.
    The LP's own dual is 0.6 - tie-break 1e-7 x 3 x 1000 h = 0.5997; the reported price is the
    score's own dual, score per MW: 0.6.
    Budget + 1 MW: 6.5 MW -> 4.0 MW headroom -> 2666.67 GPUs (< 10 000: the basis holds)
    -> served 0.8, score 2.4 (from 1.8): the finite difference is 0.6 score per MW, and the
    LP objective (score less tie-break) moves by exactly the LP's own dual, 0.5997.
    """
    base = solve_case(one_run_power_limited(5.5))
    r = base.results
    assert r.status == "optimal"
    assert gpus(base, "T1", "P1") == approx(2000.0)
    assert served(base, "T1") == approx(0.6)
    assert r.objective == approx(3.0 * 0.6)
    assert r.periods.loc[0, "power_mw_used"] == approx(5.5)
    assert r.periods.loc[0, "gpus_in_use"] == approx(2000.0)
    assert r.periods.loc[0, "power_mw_idle_unused"] == approx(8000 * 1.25 * 200.0 / 1e6)  # 2.0 of the 2.5 MW idle
    # the run's 2000 GPUs draw 1.25 x 1400 W each, 3.5 MW (3.0 above idle, 0.5 idle), over 1000 h
    assert r.allocation[["power_mw", "energy_mwh"]].to_numpy().tolist() == [[approx(3.5), approx(3500.0)]]
    assert r.workloads["energy_mwh"].tolist() == [approx(3500.0)]
    expected_price = 3.0 * (1.0 / M) * FLOPS_PER_GPU_PERIOD / 6e24
    assert expected_price == pytest.approx(0.6, rel=1e-12)
    assert r.periods.loc[0, "power_shadow_price"] == approx(expected_price)
    # the fleet has slack, but one more GPU installed draws 1.25 x 200 W idle from the headroom
    idle_mw = 1.25 * 200.0 / 1e6
    assert r.fleet.loc[0, "fleet_shadow_price"] == approx(-idle_mw * expected_price)

    more = solve_case(one_run_power_limited(6.5))
    assert gpus(more, "T1", "P1") == approx(4.0 / M)
    assert served(more, "T1") == approx(0.8)
    # score per MW, by hand and by finite difference
    assert more.results.objective - r.objective == approx(3.0 * 0.2)
    # the LP objective's finite difference is the LP's own dual (exact for an LP within a basis)
    assert lp_objective(more) - lp_objective(base) == approx(expected_price - ENERGY_TIE_BREAK * 3.0 * 1000.0)
    assert more.results.periods.loc[0, "power_shadow_price"] == approx(expected_price)


def test_a2_gpus_switched_off_when_unused_free_their_idle_draw(solve_case):
    """Case (a) with G1's idle_w 0, as the report advises where GPUs left unused hold power: the
    whole 5.5 MW budget goes to GPUs at work, each drawing 1.25 x 1400 W = 1.75e-3 MW, so
    5.5 / 1.75e-3 = 3142.9 GPUs run T1 (from 2000), served 3142.9 x 1.8e21 / 6e24 = 0.943."""
    tables = one_run_power_limited(5.5)
    tables["gpus"] = sheet_frame("gpus", [gpu_row(idle_w=0.0)])
    r = solve_case(tables).results
    assert r.periods.loc[0, "gpus_in_use"] == approx(5.5 / 1.75e-3)
    assert r.workloads.loc[0, "served_fraction"] == approx(5.5 / 1.75e-3 * FLOPS_PER_GPU_PERIOD / 6e24)
    assert r.periods.loc[0, ["power_mw_used", "power_mw_idle", "power_mw_idle_unused"]].tolist() == approx([5.5, 0, 0])
    assert not r.idle_holds_power().any()


def test_power_that_only_saves_energy_is_worth_no_score(solve_case):
    """A run that two GPU types can finish: the 4 MW of P1 run A (1 kW each), B (2 kW) does the rest
    in P2, and the run is served in full. One more MW in P1 would move work from B to A and save
    energy, so the LP's own dual prices it (the tie-break); the score cannot gain, and the price
    reported is the score's: zero, and power is not said to bind."""
    def case(p1_mw: float) -> dict:
        tables = scenario_tables(
            periods=[("P1", 1000.0, p1_mw), ("P2", 1000.0, 100.0)],
            gpus=[gpu_row("A", it_w=1000.0, idle_w=0.0), gpu_row("B", it_w=2000.0, idle_w=0.0)],
            fleet=[("A", "P1", 10_000.0), ("B", "P2", 10_000.0)],
            training=[training_row("T", tokens_b=20_000.0, start="P1", deadline="P2")],
        )
        tables["site"]["pue"] = 1.0
        return tables

    run = solve_case(case(4.0))
    assert served(run, "T") == approx(1.0)
    assert run.results.periods.loc[0, "power_mw_used"] == approx(4.0)  # every MW of P1 in use
    assert run.results.periods["power_shadow_price"].tolist() == [0.0, 0.0]
    assert solve_case(case(5.0)).results.objective == approx(run.results.objective)


def test_a_power_shadow_price_is_score_per_mw(solve_case):
    """Same case as (a): one more MW raises Results.objective by 3 x 0.2 = 0.6; the report says
    one more MW is worth power_shadow_price points of score, so the two should agree."""
    base = solve_case(one_run_power_limited(5.5))
    more = solve_case(one_run_power_limited(6.5))
    assert base.results.periods.loc[0, "power_shadow_price"] == approx(
        more.results.objective - base.results.objective
    )


def test_an_lp_whose_dual_simplex_fails_on_its_costs_is_solved_by_the_primal(solve_case):
    """Priorities 1e6 apart and a service that one GPU barely serves: costs from 1e-10 to 2e13, on which HiGHS's
    dual simplex fails its ratio test ("excessive dual values"), and a plan that always exists (nothing given out)
    ended in exit 3. The primal simplex solves it, to CBC's optimum, and a warning says so."""
    tables = scenario_tables(
        pue=1.2, periods=[("P001", 3400.0, 1.0)],
        gpus=[gpu_row("G1", 10_000.0, 10.0, 0.001, 10_000.0, idle_w=None),
              gpu_row("G2", 1.0, 1.0, 1.0, 1.0, idle_w=None)],
        fleet=[("G1", "P001", 1.0), ("G2", "P001", 1.0)],
        training=[training_row("t0", params_b=0.00528, tokens_b=1e8, mfu=None, start="P001", deadline="P001",
                               priority=1e6, goodput=None, power_factor=None)],
        inference=[inference_row("s0", params_b=0.1, tokens_per_day_b=1e4, peak_factor=5.93, power_factor=None)])
    highs, cbc = solve_case(tables), solve_case(tables, solver="cbc")
    assert highs.solution.status == "optimal"
    assert highs.results.objective == approx(cbc.results.objective, rel=1e-6)
    assert highs.results.objective == approx(12_171.85, rel=1e-6)
    assert [w for w in highs.results.warnings if "primal simplex" in w] == [
        "HiGHS's dual simplex failed on this LP, whose costs span many orders of magnitude (priorities far apart, or "
        "a workload that a GPU barely serves); its primal simplex solved it to the optimum"]
    assert not any("primal simplex" in w for w in cbc.results.warnings)
    # with whole replicas: the relaxation's solve falls back as the plan's did, and says so
    scenario, sizing = highs.scenario, highs.sizing
    model = build_model(scenario, sizing, integer=True)
    mip = collect(scenario, sizing, model, solve(model))
    assert mip.status == "optimal"
    assert sum("primal simplex" in w for w in mip.warnings) == 1


def test_a_run_a_fraction_of_a_millionth_of_a_gpu_does_shows_its_gpus_flops_and_power(solve_case):
    """6e12 FLOPs (a million parameters on a million tokens) take 6e12 / (1000 TFLOP/s x 0.5 MFU) = 0.012
    GPU-seconds: over a period of 8,760 h, 3.8e-10 of a GPU. GPU counts under a millionth were cleared as the
    solver's noise: the run read as served in full by no GPU, no GPU-hours, no power and none of its FLOPs
    delivered."""
    tables = scenario_tables(periods=[("P1", 8760.0, 100.0)],
                             training=[training_row(params_b=1e-3, tokens_b=1e-3)], inference=[])
    run = solve_case(tables)
    results = run.results
    assert results.workloads["served_fraction"].tolist() == [1.0]
    expected = 6e12 / (1000e12 * 0.5) / (8760 * 3600)
    assert results.allocation["gpus"].tolist() == [approx(expected)]
    assert results.workloads["gpu_hours"].tolist() == [approx(expected * 8760)]
    assert results.training["flops_cumulative"].tolist() == [approx(6e12)]
    assert results.periods["power_mw_used"].iloc[0] > results.periods["power_mw_idle"].iloc[0]


def test_b_higher_value_per_mw_served_first(solve_case):
    """Two runs compete for power; value per MW, not priority alone, decides.

    A: priority 1, 100 B x 5000 B tokens -> 3e24 FLOPs: value per GPU = 1 x 1.8e21 / 3e24 = 6e-4.
    B: priority 2, 100 B x 20 000 B tokens -> 1.2e25 FLOPs: value per GPU = 2 x 1.8e21 / 1.2e25 = 3e-4.
    Same GPU, so same MW per GPU: A is worth more per MW despite its lower priority.
    Budget 7.0 MW - idle 2.5 MW = 4.5 MW -> 3000 GPUs.
    A is served in full: 3e24 / 1.8e21 = 1666.67 GPUs; B gets 3000 - 1666.67 = 1333.33 GPUs
    -> served 1333.33 x 1.8e21 / 1.2e25 = 0.2.
    Score = 1 x 1 + 2 x 0.2 = 1.4. The marginal MW goes to B:
    shadow price = 2 x (1 / 1.5e-3) x 1.8e21 / 1.2e25 = 0.2 score per MW.
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 7.0)],
        fleet=[("G1", "P1", 10_000.0)],
        training=[
            training_row("A", params_b=100.0, tokens_b=5_000.0, priority=1.0),
            training_row("B", params_b=100.0, tokens_b=20_000.0, priority=2.0),
        ],
    )
    run = solve_case(tables)
    assert served(run, "A") == approx(1.0)
    assert served(run, "B") == approx(0.2)
    assert gpus(run, "A") == approx(3e24 / FLOPS_PER_GPU_PERIOD)
    assert gpus(run, "B") == approx(3000.0 - 3e24 / FLOPS_PER_GPU_PERIOD)
    assert run.results.objective == approx(1.4)
    assert run.results.periods.loc[0, "power_shadow_price"] == approx(0.2)
    # the A run's compute row: more FLOPs for A are worth nothing once it is complete
    gpu_hours = run.results.workloads.set_index("workload")["gpu_hours"]
    assert gpu_hours["A"] == approx(3e24 / FLOPS_PER_GPU_PERIOD * 1000.0)


def test_b_training_against_inference(solve_case):
    """A training run and an inference service (measured throughput) compete for power.

    Service S: 86.4 B tokens/day, peak factor 1 -> 86.4e9 / 86 400 = 1e6 tokens/s; measured
    1000 tokens/s per G1 -> 1000 GPUs for full service; priority 1 -> value per GPU 1e-3.
    Run T: priority 5, 3e24 FLOPs -> value per GPU 5 x 1.8e21 / 3e24 = 3e-3: served first.
    Budget 5.5 MW - idle 2.5 MW = 3.0 MW -> 2000 GPUs. T takes 1666.67 GPUs (served 1),
    S gets 333.33 GPUs -> served 1/3. Score = 5 + 1/3.
    Shadow price = S's value per MW = 1e-3 / 1.5e-3 = 0.666667 score per MW.
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 5.5)],
        fleet=[("G1", "P1", 10_000.0)],
        training=[training_row("T", params_b=100.0, tokens_b=5_000.0, priority=5.0)],
        inference=[inference_row("S", params_b=8.0, tokens_per_day_b=86.4, peak_factor=1.0, priority=1.0)],
        throughput=[("S", "G1", 1000.0)],
    )
    run = solve_case(tables)
    assert served(run, "T") == approx(1.0)
    assert served(run, "S") == approx(1.0 / 3.0)
    assert gpus(run, "S") == approx(2000.0 - 3e24 / FLOPS_PER_GPU_PERIOD)
    assert run.results.objective == approx(5.0 + 1.0 / 3.0)
    assert run.results.periods.loc[0, "power_shadow_price"] == approx(1e-3 / M)


def test_a_service_drawing_hundreds_of_mw_for_years_is_served(solve_case):
    """The energy tie-break never outweighs what the energy serves.

    Service S: 86 400 B tokens/day = 1e9 tokens/s; 5000 tokens/s per G1 -> 200 000 GPUs,
    x 1.5e-3 MW = 300 MW above idle for five years of 8760 h: 1.314e7 MWh for a priority of 1,
    7.6e-8 points per MWh, below an uncapped tie-break of 1e-7 per MWh, which served none of it.
    250 000 G1 idle draw 62.5 MW; 1000 MW budgets: power is plentiful, so S is served in full,
    and on no more GPUs than it needs (the tie-break still minimises energy).
    """
    periods = [f"Y{i}" for i in range(1, 6)]
    tables = scenario_tables(
        periods=[(p, 8760.0, 1000.0) for p in periods],
        fleet=[("G1", p, 250_000.0) for p in periods],
        inference=[inference_row("S", tokens_per_day_b=86_400.0, priority=1.0)],
        throughput=[("S", "G1", 5000.0)],
    )
    run = solve_case(tables)
    assert served(run, "S") == approx(1.0)
    for period in periods:
        assert gpus(run, "S", period) == approx(200_000.0)
    assert run.results.periods["power_mw_used"].to_numpy() == approx(62.5 + 300.0)
    assert run.results.periods["power_mw_idle"].to_numpy() == approx(62.5)  # 250 000 GPUs' idle draw


@pytest.mark.parametrize("priority_b", [0.99, 0.999])
def test_the_tie_break_costs_at_most_a_hundredth_of_the_score(solve_case, priority_b):
    """Being a weight, the energy tie-break may prefer a use of GPUs that draws less to one that
    scores a little more, but never at the cost of more than a hundredth of the score per GPU.

    200 000 G1, power plentiful (1000 MW). Runs A (priority 1) and B (priority p, power_factor 0.5)
    each need 150 000 GPUs for the 1000 h period (100 B x 450 000 B tokens = 2.7e26 FLOPs): the
    fleet serves one in full and a third of the other. Per GPU A draws m = 1.5e-3 MW above idle,
    B 1.25 x (700 - 200) / 1e6 = 6.25e-4 MW. The weight is capped at TIE_BREAK_CAP (1e-2) x the
    least score per MWh, A's: 1/150 000 over 1000 h x m, so 4.4e-8 per MWh (uncapped it would be
    1e-7 x p). Moving 100 000 GPUs from A to B saves 100 000 x 1000 h x 8.75e-4 MW x 4.4e-8 =
    3.9e-3 in the objective and costs (1 - p) x 2/3 in score:
    - p = 0.99: 6.7e-3 of score, more than the energy saves: A is served in full. (A cap of 2e-2,
      or none at all, would give B the GPUs.)
    - p = 0.999: 6.7e-4 of score, less than the energy saves: B gets them, and the score is within
      a hundredth of the best, 1 + p / 3.
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 1000.0)],
        fleet=[("G1", "P1", 200_000.0)],
        training=[training_row("A", tokens_b=450_000.0, priority=1.0),
                  training_row("B", tokens_b=450_000.0, priority=priority_b, power_factor=0.5)],
    )
    run = solve_case(tables)
    best = 1.0 + priority_b / 3.0
    assert gpus(run, "A") + gpus(run, "B") == approx(200_000.0)
    if priority_b == 0.99:
        assert served(run, "A") == approx(1.0)
        assert run.results.objective == approx(best)
    else:
        assert served(run, "B") == approx(1.0)
        assert best * 0.99 <= run.results.objective < best


def deadline_case(deadline: str) -> dict:
    return scenario_tables(
        periods=[("P1", 1000.0, 4.0), ("P2", 1000.0, 100.0)],
        fleet=[("G1", "P1", 10_000.0), ("G1", "P2", 10_000.0)],
        training=[training_row("T", params_b=100.0, tokens_b=10_000.0, start="P1", deadline=deadline, priority=1.0)],
    )


def test_c_deadline_cuts_off_later_periods(solve_case):
    """A run due by the end of P1 gets nothing in P2, though P2 has 97.5 MW of spare power.

    P1: 4.0 MW - idle 2.5 MW = 1.5 MW -> 1000 GPUs -> 1000 x 1.8e21 = 1.8e24 of 6e24 FLOPs
    -> served 0.3 (what P1 alone allows). P2: no GPUs for T, power used = idle draw 2.5 MW.
    Control: the same run due by P2 is served in full (P2 can add 4.2e24 FLOPs with
    2333 GPUs), so the cut-off, not the run, limits it.
    """
    run = solve_case(deadline_case("P1"))
    r = run.results
    assert served(run, "T") == approx(0.3)
    assert gpus(run, "T", "P1") == approx(1000.0)
    assert gpus(run, "T", "P2") == 0.0
    assert not ((r.allocation["workload"] == "T") & (r.allocation["period"] == "P2")).any()
    periods = r.periods.set_index("period")
    assert periods.loc["P2", "gpus_in_use"] == 0.0
    assert periods.loc["P2", "power_mw_used"] == approx(2.5)
    assert periods.loc["P2", "power_shadow_price"] == 0.0
    progress = r.training.set_index("period")
    assert progress.loc["P2", "flops_delivered"] == 0.0
    assert progress.loc["P1", "flops_cumulative"] == approx(1.8e24)

    control = solve_case(deadline_case("P2"))
    assert served(control, "T") == approx(1.0)
    assert gpus(control, "T", "P2") > 0


def test_c2_a_runs_cumulative_flops_count_only_its_own(solve_case):
    """Two runs over P1 and P2 (10,000 GPUs each, power to spare), both finished: T1 (100B x 10,000B tokens)
    needs 6e24 FLOPs, T2 (50B) 3e24. However each is spread over the periods, its flops_cumulative in P2 is
    what it was given in both, its own 6e24 or 3e24, never T1's carried on into T2's (9e24)."""
    tables = scenario_tables(
        periods=[("P1", 1000.0, 100.0), ("P2", 1000.0, 100.0)],
        fleet=[("G1", "P1", 10_000.0), ("G1", "P2", 10_000.0)],
        training=[training_row("T1", params_b=100.0, start="P1", deadline="P2"),
                  training_row("T2", params_b=50.0, start="P1", deadline="P2")],
    )
    run = solve_case(tables)
    assert served(run, "T1") == approx(1.0) and served(run, "T2") == approx(1.0)
    progress = run.results.training.set_index(["workload", "period"])
    for name, flops in (("T1", 6e24), ("T2", 3e24)):
        given = progress.loc[name, "flops_delivered"]
        assert progress.loc[(name, "P1"), "flops_cumulative"] == approx(given["P1"])
        assert progress.loc[(name, "P2"), "flops_cumulative"] == approx(given.sum())
        assert progress.loc[(name, "P2"), "flops_cumulative"] == approx(flops)


def test_d_inference_with_measured_throughput(solve_case):
    """Allocation = peak demand / measured tokens/s per GPU.

    86.4 B tokens/day x peak factor 2.5 / 86 400 s = 2.5e6 tokens/s at peak; measured
    3125 tokens/s per G1 -> 2.5e6 / 3125 = 800 GPUs (of 1000, with 100 MW: nothing binds,
    and the energy tie-break keeps the allocation at the minimum that serves the peak).
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 100.0)],
        training=[],
        inference=[inference_row("S", params_b=70.0, tokens_per_day_b=86.4, peak_factor=2.5, priority=2.0)],
        throughput=[("S", "G1", 3125.0)],
    )
    run = solve_case(tables)
    rates = run.sizing.inference_rates.set_index(["workload", "gpu"])
    assert rates.loc[("S", "G1"), "source"] == "measured"
    assert rates.loc[("S", "G1"), "tokens_per_s_per_gpu"] == 3125.0
    assert gpus(run, "S", "P1") == approx(800.0)
    assert served(run, "S") == approx(1.0)
    coverage = run.results.inference.iloc[0]
    assert coverage["demand_tokens_per_s"] == approx(2.5e6)
    assert coverage["capacity_tokens_per_s"] == approx(2.5e6)
    assert run.results.periods.loc[0, "power_shadow_price"] == 0.0


def test_d_inference_served_fraction_is_hours_weighted(solve_case):
    """A service's served fraction is the hours-weighted mean of its per-period shares.

    Demand 1e6 tokens/s, measured 1000 tokens/s per GPU -> 1000 GPUs for full service.
    P1: 1000 h, 100 MW -> served 1. P2: 3000 h, 2.5 MW idle + 0.75 MW headroom -> 500 GPUs
    -> served 0.5. Fraction = (1000 x 1 + 3000 x 0.5) / 4000 = 0.625.
    Power shadow price in P2 = priority 1 x (3000 / 4000) x (1 / 1e6 x 1000 tokens/s per GPU)
    / 1.5e-3 MW per GPU = 0.5 score per MW.
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 100.0), ("P2", 3000.0, 3.25)],
        fleet=[("G1", "P1", 10_000.0), ("G1", "P2", 10_000.0)],
        training=[],
        inference=[inference_row("S", tokens_per_day_b=86.4, priority=1.0)],
        throughput=[("S", "G1", 1000.0)],
    )
    run = solve_case(tables)
    per_period = run.results.inference.set_index("period")["served_fraction"]
    assert per_period["P1"] == approx(1.0)
    assert per_period["P2"] == approx(0.5)
    assert served(run, "S") == approx(0.625)
    assert gpus(run, "S", "P2") == approx(500.0)
    prices = run.results.periods.set_index("period")["power_shadow_price"]
    assert prices["P1"] == 0.0
    assert prices["P2"] == approx(0.75 * 1e-3 / M)


def test_e_fleet_binds(solve_case):
    """Plenty of power, few GPUs: all 500 installed are used and a GPU has a positive price.

    500 G1 x 1.8e21 = 9e23 of 6e24 FLOPs -> served 0.15; 100 MW budget is far from binding
    (idle 0.125 MW + 500 x 1.5e-3 = 0.875 MW used).
    Fleet shadow price = priority 2 x 1.8e21 / 6e24 = 6e-4 per GPU, the score's own (the LP's
    dual also holds the tie-break's 1e-7 x 2 x 1000 h x 1.5e-3 MW: 5.997e-4); power's 0.
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 100.0)],
        fleet=[("G1", "P1", 500.0)],
        training=[training_row("T", priority=2.0)],
    )
    run = solve_case(tables)
    fleet = run.results.fleet.iloc[0]
    assert fleet["gpus_in_use"] == approx(fleet["installed"])
    assert fleet["installed"] == 500.0
    assert fleet["fleet_shadow_price"] > 0
    assert fleet["fleet_shadow_price"] == approx(2.0 * FLOPS_PER_GPU_PERIOD / 6e24, rel=1e-9)
    assert served(run, "T") == approx(0.15)
    assert run.results.periods.loc[0, "power_mw_used"] == approx(0.125 + 500.0 * M)
    assert run.results.periods.loc[0, "power_shadow_price"] == 0.0


def two_gpu_types(installed_a: float = 100.0, installed_b: float = 10_000.0) -> dict:
    """Case (e2): A (G1, 1000 TFLOP/s) and B (half the FLOP/s, the same watts), one run."""
    return scenario_tables(
        periods=[("P1", 1000.0, 2.525 + 3.0)],
        gpus=[gpu_row("A"), gpu_row("B", bf16_tflops=500.0)],
        fleet=[("A", "P1", installed_a), ("B", "P1", installed_b)],
        training=[training_row("T", priority=1.0)],
    )


def test_e2_a_gpu_installed_is_priced_with_its_idle_draw(solve_case):
    """Power binds; A is scarce and worth twice B per MW, so every A runs and B takes the rest.

    Idle draw 2.5e-4 MW per GPU installed: 10 100 x 2.5e-4 = 2.525 MW; budget 5.525 MW leaves
    3.0 MW = 2000 GPUs in use: all 100 A, then 1900 B (of 10 000: B has slack).
    Score per GPU in use over 1000 h: A 3e-4, B 1.5e-4. Power's price: B's per MW, 1.5e-4 / m = 0.1.
    A's fleet row: A's value less its MW in use at that price = 1.5e-4.
    One more A installed also takes its idle 2.5e-4 MW: 1.5e-4 - 2.5e-4 x 0.1 = 1.25e-4.
    One more B installed only adds idle draw: -2.5e-4 x 0.1 = -2.5e-5 (buying it lowers the score).
    Both are what re-solving with one more GPU gives, in score (the energy tie-break left out: the
    LP's own duals, 0.0999 per MW, would price its energy too).
    """
    base = solve_case(two_gpu_types())
    assert gpus(base, "T") == approx(2000.0)
    prices = base.results.fleet.set_index("gpu")["fleet_shadow_price"]
    power_price = 1.5e-4 / M
    assert prices["A"] == approx(1.5e-4 - 2.5e-4 * power_price, rel=1e-9)
    assert prices["B"] == approx(-2.5e-4 * power_price, rel=1e-9)
    for gpu, more in (("A", two_gpu_types(installed_a=101.0)), ("B", two_gpu_types(installed_b=10_001.0))):
        assert solve_case(more).results.objective - base.results.objective == approx(prices[gpu], rel=1e-9)
    # CBC leaves no basis: its power price has the tie-break added back, and a GPU's idle draw is
    # priced at that score price (at the LP's own, B's price was -2.4975e-5); here A's fleet dual
    # nets out the tie-break of its energy against the power row's
    cbc = solve_case(two_gpu_types(), solver="cbc").results
    assert cbc.periods["power_shadow_price"].tolist() == approx(base.results.periods["power_shadow_price"].tolist())
    assert cbc.fleet.set_index("gpu")["fleet_shadow_price"].tolist() == approx(prices.tolist(), rel=1e-9)


def test_e2b_the_gpus_installed_in_a_period_count_every_type(solve_case):
    """The periods table counts the whole fleet: 100 A and 10,000 B installed in P1 are 10,100 GPUs, not the
    10,000 of the larger type, as its idle draw (10,100 x 2.5e-4 = 2.525 MW) already counts them."""
    run = solve_case(two_gpu_types())
    [period] = run.results.periods.to_dict("records")
    assert period["gpus_installed"] == 10_100.0
    assert period["power_mw_idle"] == approx(2.525)


def test_e3_each_price_says_how_far_it_holds(solve_case):
    """(e2) again. More power runs more B at 0.1 per MW until T is served in full: (1 - 0.315) / 0.1
    = 6.85 MW. One more A displaces (m + idle) / m B GPUs, until the 1,900 B in use are gone:
    1900 m / (m + 2.5e-4) = 1628.57 A. One more B only takes idle draw, which B in use can give
    until none runs: 1900 m / 2.5e-4 = 11 400 B. Within each range the score moves by the price
    per unit; beyond it, by less (and B's idle draw would exceed the budget)."""
    base = solve_case(two_gpu_types())
    power = base.results.periods.loc[0]
    assert power["power_price_holds_mw"] == approx(6.85)
    holds = base.results.fleet.set_index("gpu")["fleet_price_holds_gpus"]
    assert holds["A"] == approx(1900 * M / (M + 2.5e-4))
    assert holds["B"] == approx(1900 * M / 2.5e-4)

    def gain(tables) -> float:  # in score
        return solve_case(tables).results.objective - base.results.objective

    price = power["power_shadow_price"]
    for share, exact in ((0.5, True), (2.0, False)):
        more = two_gpu_types()
        more["periods"]["power_mw"] += share * 6.85
        assert (gain(more) == approx(price * share * 6.85)) == exact
    prices = base.results.fleet.set_index("gpu")["fleet_shadow_price"]
    for share, exact in ((0.5, True), (2.0, False)):
        assert (gain(two_gpu_types(installed_a=100.0 + share * holds["A"])) == approx(
            prices["A"] * share * holds["A"])) == exact
    # beyond B's range its idle draw would exceed the budget: within it, exact
    assert gain(two_gpu_types(installed_b=10_000.0 + 0.5 * holds["B"])) == approx(prices["B"] * 0.5 * holds["B"])


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("factor", [1e-9, 1e9])
def test_priorities_are_relative(solve_case, solver, factor):
    """(e2) with every priority multiplied by ``factor``: the same plan, the score and its prices
    multiplied by it. With priorities of 1e-9 CBC used to serve nothing, calling that optimal: the
    objective's weights had sunk below its tolerances."""
    base = solve_case(two_gpu_types(), solver=solver).results
    tables = two_gpu_types()
    tables["training"]["priority"] = tables["training"]["priority"] * factor
    scaled = solve_case(tables, solver=solver).results
    assert scaled.allocation["gpus"].tolist() == approx(base.allocation["gpus"].tolist())
    assert scaled.objective == approx(base.objective * factor)
    for table, price in ((scaled.periods, "power_shadow_price"), (scaled.fleet, "fleet_shadow_price")):
        expected = (base.periods if table is scaled.periods else base.fleet)[price] * factor
        assert table[price].tolist() == approx(expected.tolist(), abs=0.0)
    assert scaled.fleet["fleet_shadow_price"].abs().min() > 0  # B's idle draw: -2.5e-5 x factor


def test_e3a_a_gpu_type_no_workload_can_use_is_priced_by_its_idle_draw(solve_case):
    """(e2) with 10 C installed as well: 0.1 GB of HBM each, so T's weights and optimiser state
    need over 22 000 of them, and the plan has no use for C (and no fleet row for it); the budget
    grows by their idle draw, 10 x 2.5e-4 MW. One more C only takes its idle draw from the
    budget: -2.5e-4 x 0.1 = -2.5e-5, for as long as the B in use can give way, 1900 m / 2.5e-4 =
    11 400 C, as for one more B. Re-solving with half that many more moves the score by exactly
    the price per GPU."""
    def with_c(installed_c: float) -> dict:
        tables = two_gpu_types()
        tables["gpus"] = sheet_frame("gpus", [gpu_row("A"), gpu_row("B", bf16_tflops=500.0), gpu_row("C", hbm_gb=0.1)])
        tables["fleet"].loc[len(tables["fleet"])] = ["C", "P1", installed_c]
        tables["periods"]["power_mw"] += 10 * 2.5e-4
        return tables

    base = solve_case(with_c(10.0))
    assert gpus(base, "T") == approx(2000.0)
    c = base.results.fleet.set_index("gpu").loc["C"]
    assert c["gpus_in_use"] == 0.0
    assert c["fleet_shadow_price"] == approx(-2.5e-4 * 1.5e-4 / M, rel=1e-9)
    assert c["fleet_price_holds_gpus"] == approx(1900 * M / 2.5e-4)
    more = 0.5 * c["fleet_price_holds_gpus"]
    gain = solve_case(with_c(10.0 + more)).results.objective - base.results.objective
    assert gain == approx(c["fleet_shadow_price"] * more)


def test_e3b_a_range_with_no_limit_found_is_not_known(solve_case):
    """(e2) with every range read as unlimited: a non-zero price cannot hold without limit (the
    score is bounded), so the plan says it does not know how far, rather than "no limit"."""
    base = solve_case(two_gpu_types())
    unlimited = {name: np.full_like(values, np.inf) for name, values in base.solution.price_ranges.items()
                 if name in ("power_up_mw", "power_down_mw", "fleet_up_gpus")}
    solution = dataclasses.replace(base.solution, price_ranges=base.solution.price_ranges | unlimited)
    results = collect(base.scenario, base.sizing, base.model, solution)
    assert results.periods["power_price_holds_mw"].isna().all()
    assert results.fleet["fleet_price_holds_gpus"].isna().all()


def test_e4_a_price_that_holds_for_no_more_says_so(solve_case):
    """Budget 0.25 MW idle + 1,000 GPUs at work x 1.5e-3 MW: power and fleet bind at once. The
    fleet's price counts a GPU's work, but one more GPU's idle draw takes power the 1,000 use: the
    price is sure to hold for 0 GPUs more, and re-solving with one more indeed loses score. The
    report says the price may not hold past its own point."""
    tables = scenario_tables(periods=[("P1", 1000.0, 0.25 + 1000 * M)], fleet=[("G1", "P1", 1000.0)],
                             training=[training_row("T1", priority=3.0)])
    base = solve_case(tables)
    fleet = base.results.fleet.iloc[0]
    # the duals are not unique here; HiGHS prices the fleet, with a range that says how little it means
    assert fleet["fleet_shadow_price"] > 0 and fleet["fleet_price_holds_gpus"] == approx(0.0, abs=1e-9)
    html = " ".join(report.render_html(base.results).split())
    assert ("points of score at this point only: the price holds for no more GPUs, another limit (power, say) being "
            "reached at the same point, so one more alone may be worth less.") in html
    more = dict(tables, fleet=tables["fleet"].assign(installed=1001.0))
    assert solve_case(more).results.objective < base.results.objective


def test_e5_where_two_limits_meet_the_range_is_a_floor(solve_case):
    """Two GPU types alike, A used up exactly as power runs out: the optimum is degenerate, and the
    final basis says the power price holds for 0.75 MW, while re-solving shows it holds for a whole
    MW and more (B takes over from A). The report calls the figure a floor, never an end."""
    idle = 2e-4 * 1.25
    tables = scenario_tables(periods=[("P1", 1000.0, idle * 8500 + 4000 * M)], gpus=[gpu_row("A"), gpu_row("B")],
                             fleet=[("A", "P1", 4000.0), ("B", "P1", 4500.0)],
                             training=[training_row("T1", tokens_b=1e6, priority=3.0)])
    base = solve_case(tables)
    power = base.results.periods.loc[0]
    assert 0 < power["power_price_holds_mw"] < 1
    more = dict(tables, periods=tables["periods"].assign(power_mw=tables["periods"]["power_mw"] + 1.0))
    assert solve_case(more).results.objective - base.results.objective == approx(power["power_shadow_price"])
    html = report.render_html(base.results)
    holds = report._number(power["power_price_holds_mw"])
    assert f"for at least the next {holds} MW: that much more gains" in " ".join(html.split())
    assert "; past that it may be worth less." in " ".join(html.split())


@pytest.mark.parametrize(
    "idle_w, budget_mw",
    [
        (0.0, 0.0),  # no idle draw, no budget
        (200.0, 1.25 * 200.0 * 1000.0 / 1e6),  # budget exactly the idle draw: 0.25 MW
    ],
    ids=["zero-budget", "budget-equals-idle-draw"],
)
def test_f_zero_headroom_allocates_nothing(solve_case, idle_w, budget_mw):
    """No headroom above the idle draw: no GPU can be switched on; the plan is still feasible.

    x = 0, served = 0 satisfies every row, so status is optimal with every share 0 and the
    power used equal to the idle draw (= the budget).
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, budget_mw), ("P2", 1000.0, budget_mw)],
        gpus=[gpu_row(idle_w=idle_w)],
        fleet=[("G1", "P1", 1000.0), ("G1", "P2", 1000.0)],
        training=[training_row("T", start="P1", deadline="P2")],
        inference=[inference_row("S", tokens_per_day_b=86.4)],
        throughput=[("S", "G1", 1000.0)],
    )
    run = solve_case(tables)
    r = run.results
    assert r.status == "optimal"
    assert r.allocation.empty
    assert (r.workloads["served_fraction"] == 0.0).all()
    assert (r.workloads["gpu_hours"] == 0.0).all()
    assert r.objective == approx(0.0)
    assert (r.periods["gpus_in_use"] == 0.0).all()
    assert r.periods["power_mw_used"].to_numpy() == pytest.approx([budget_mw, budget_mw], rel=REL, abs=1e-12)
    # the model did offer GPUs: it is the power row that keeps them off
    assert len(run.model.allocation) > 0


def test_f_budget_typed_equal_to_idle_draw_is_accepted(solve_case):
    """Budget 0.055 MW = 1.1 x 50 W x 1000 / 1e6 exactly (in decimal): zero headroom, a valid input.
    In floating point 1.1 x 50 x 1000 / 1e6 = 0.055000000000000005 > 0.055; an earlier reader
    rejected this budget as 'below the idle draw (0.055 MW)'."""
    tables = scenario_tables(
        pue=1.1,
        periods=[("P1", 1000.0, 0.055)],
        gpus=[gpu_row(idle_w=50.0)],
        fleet=[("G1", "P1", 1000.0)],
    )
    run = solve_case(tables)
    assert run.results.allocation.empty


def test_f2_a_gpu_drawing_nothing_above_idle_is_charged_below_every_gpu_that_draws():
    """Beside GPUs drawing 2 and 0.5 MW above idle, one drawing nothing is charged a tenth of the least of
    them, 0.05 MW, so the tie-break still prefers it; with none drawing, a tenth of its rated draw in use."""
    charged = tie_break_mw_per_gpu(np.array([0.0, 2.0, 0.5]), np.array([1.0, 3.0, 1.0]))
    assert charged.tolist() == approx([IDLE_TIE_BREAK_SHARE * 0.5, 2.0, 0.5])
    assert tie_break_mw_per_gpu(np.zeros(2), np.array([1.0, 2.0])).tolist() == approx([0.1, 0.2])


def test_f2_a_service_drawing_a_ten_billionth_of_its_gpus_rated_power_is_given_only_the_gpus_it_needs(solve_case):
    """power_factor 1e-10 (valid, if odd) on GPUs drawing nothing idle: the draw above idle rounds to nothing, and
    the tie-break's charge for such GPUs, a tenth of their draw at that factor, was nothing too: the service was
    given all 4,000 GPUs installed. Charged a tenth of the GPUs' rated draw, it is given the GPUs it needs."""
    tables = scenario_tables(gpus=[gpu_row(idle_w=0.0)], fleet=[("G1", "P1", 4000.0)], training=[],
                             inference=[inference_row("S", tokens_per_day_b=86.4, power_factor=1e-10)],
                             throughput=[("S", "G1", 1000.0)])
    run = solve_case(tables)
    assert served(run, "S") == approx(1.0)
    assert gpus(run, "S") == approx(1e6 / 1000.0)  # 86.4e9 tokens a day = 1e6 tokens/s at 1000 per GPU


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_f2_gpus_drawing_nothing_above_idle_are_given_out_only_as_needed(solve_case, solver):
    """A GPU type whose draw in use is its idle draw (it_w = idle_w = 1000 W): running a GPU costs no
    energy the installed fleet does not draw anyway, yet a GPU given to a workload that needs no more
    serves nothing, and must not be reported as in use.

    5000 installed in each of two 1000 h periods; idle draw 5000 x 1.25 x 1000 W = 6.25 MW of a
    10 MW budget, so power never binds and every workload is served in full (score 2):
    S: 86.4 B tokens/day, peak 1 -> 1e6 tokens/s at 1000 tokens/s per GPU = 1000 GPUs each period,
    2e6 GPU-hours; T: 100 B x 1000 B tokens -> 6e23 FLOPs at 1.8e21 per GPU-period = 333.33 GPUs
    for one period, 3.33e5 GPU-hours. GPUs in use: 1000 + 333.33 over the two periods, capacity
    equal to demand, FLOPs delivered equal to FLOPs required. With nothing charged for such a GPU,
    the plan gave S all 5000 GPUs of P1 (five times its demand) and 4667 of P2.
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 10.0), ("P2", 1000.0, 10.0)],
        gpus=[gpu_row(it_w=1000.0, idle_w=1000.0)],
        fleet=[("G1", "P1", 5000.0), ("G1", "P2", 5000.0)],
        training=[training_row("T", tokens_b=1000.0, start="P1", deadline="P2")],
        inference=[inference_row("S", tokens_per_day_b=86.4)],
        throughput=[("S", "G1", 1000.0)],
    )
    run = solve_case(tables, solver=solver)
    r = run.results
    assert r.objective == approx(2.0)
    assert gpus(run, "S", "P1") == approx(1000.0)
    assert gpus(run, "S", "P2") == approx(1000.0)
    assert gpus(run, "T") == approx(6e23 / FLOPS_PER_GPU_PERIOD)
    gpu_hours = r.workloads.set_index("workload")["gpu_hours"]
    assert gpu_hours["S"] == approx(2 * 1000.0 * 1000.0)
    assert gpu_hours["T"] == approx(6e23 / FLOPS_PER_GPU_PERIOD * 1000.0)
    assert r.periods["gpus_in_use"].sum() == approx(2000.0 + 6e23 / FLOPS_PER_GPU_PERIOD)
    assert r.inference["capacity_tokens_per_s"].tolist() == approx([1e6, 1e6])
    assert r.training["flops_delivered"].sum() == approx(6e23)


def test_highs_and_cbc_agree(solve_case):
    """HiGHS and CBC reach the same optimum on a small case mixing cases (b), (c) and (d).

    Hand value: P1 (1000 h, 7.0 MW -> 3000 GPUs): A needs 1666.67 GPUs for 3e24 FLOPs
    (value/GPU 6e-4), S (measured 1000 tokens/s per GPU, demand 1e6 tokens/s, weight 1/2 per
    period over 2 equal periods: value/GPU 5e-4) and B (value/GPU 3e-4, due P2).
    P1: A full (1666.67), S 1000 GPUs (served 1 in P1), B 333.33.
    P2 (100 MW, 10 000 GPUs): S 1000, B gets all it still needs -> B served 1.
    Score = 1 + 1 + 2 = 4.
    """
    tables = scenario_tables(
        periods=[("P1", 1000.0, 7.0), ("P2", 1000.0, 100.0)],
        fleet=[("G1", "P1", 10_000.0), ("G1", "P2", 10_000.0)],
        training=[
            training_row("A", tokens_b=5_000.0, start="P1", deadline="P1", priority=1.0),
            training_row("B", tokens_b=20_000.0, start="P1", deadline="P2", priority=2.0),
        ],
        inference=[inference_row("S", tokens_per_day_b=86.4, priority=1.0)],
        throughput=[("S", "G1", 1000.0)],
    )
    highs = solve_case(tables, solver="highs")
    cbc = solve_case(tables, solver="cbc")
    assert highs.results.solver == "highs" and cbc.results.solver == "cbc"
    assert highs.results.status == cbc.results.status == "optimal"
    assert highs.results.objective == approx(4.0)
    assert cbc.results.objective == approx(highs.results.objective)
    for name in ("A", "B", "S"):
        assert served(cbc, name) == approx(served(highs, name))


def test_a_mw_where_power_binds_serves_a_service_in_another_period(solve_case):
    """G1 draws 1 kW, nothing idle, PUE 1; two periods of 1000 h. P1: 0.06 MW for its 100 G1 (60 at work); P2: 60 G1,
    power to spare. Run T (priority 5, P1-P2) needs 100,000 G1-hours; service S (priority 1, from P2) 40 G1 there.
    120 G1 for 160 needed: T takes P1's 60 and 40 of P2's, S the other 20 (50%). A MW more in P1 runs 1,000 G1 more
    of T there, which frees 1,000 in P2 for S: 25 times its demand per MW, 25 points; it holds until S is served in
    full, 0.02 MW. What a MW buys is named where it is spent, in P2, though nothing is cut short in P1."""
    tables = scenario_tables(
        pue=1.0, periods=[("P1", 1000.0, 0.06), ("P2", 1000.0, 1.0)], gpus=[gpu_row(it_w=1000.0, idle_w=0.0)],
        fleet=[("G1", "P1", 100.0), ("G1", "P2", 60.0)],
        training=[training_row("T", params_b=1.0, tokens_b=30_000.0, priority=5.0, start="P1", deadline="P2")],
        inference=[inference_row("S", params_b=1.0, tokens_per_day_b=4.32, priority=1.0, start="P2")],
        throughput=[("S", "G1", 1250.0)])
    run = solve_case(tables)
    results = run.results
    assert results.workloads["served_fraction"].tolist() == [approx(1.0), approx(0.5)]
    assert results.periods["power_shadow_price"].tolist() == [approx(25.0), 0.0]
    assert results.periods["power_price_holds_mw"].iat[0] == approx(0.02)
    serves = results.power_serves
    assert serves[["period", "workload", "served_in"]].values.tolist() == [["P1", "S", "P2"]]
    assert serves["share_per_mw"].tolist() == [approx(25.0)] and serves["points_per_mw"].tolist() == [approx(25.0)]
    assert "The next 0.0200 MW there serve S 50.0% more of its peak demand in P2." in " ".join(
        report.render_html(results).split())
    # where a price holds for no more MW (a budget at the fleet's full draw, say), a MW more may serve nothing
    assert _power_serves(run.model, run.solution, results.periods.assign(power_price_holds_mw=0.0)).empty


@pytest.mark.parametrize("case", ["default", "synthetic"])
def test_what_a_mw_serves_adds_up_to_its_price(case, tmp_path):
    """In every period where power binds, the points of what a MW more serves are the period's price: they are what
    the price is made of (the energy tie-break left out of both)."""
    source = (ROOT / "inputs" / "sovereign-200mw.xlsx" if case == "default"
              else write_scenario(synthetic_tables(60, 3, 14, seed=3), tmp_path / "synthetic"))
    results = run_pipeline(source).results
    price = results.periods.set_index("period")["power_shadow_price"]
    binding = price[price > 1e-9]
    assert len(binding) >= 3
    points = results.power_serves.groupby("period")["points_per_mw"].sum()
    assert sorted(points.index) == sorted(binding.index)
    assert points[binding.index].to_numpy() == approx(binding.to_numpy(), rel=1e-6)
