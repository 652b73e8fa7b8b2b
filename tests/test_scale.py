"""Figures far apart in scale, as a national programme meets them: a share of demand one GPU serves down to a
millionth of a millionth is planned as any other, and what the solver cannot weigh is refused by name rather than
solved into a plan that serves nothing."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import gpu_row, inference_row, scenario_tables, solve_tables, training_row, write_scenario
from conftest import place as where
from conftest import problems_of as problems
from planner.model import build_model
from planner.sizing import size
from planner.solve import HighsBridge, SolveError, solve
from planner.workbook import InputError, read_scenario

SECONDS_PER_DAY = 86_400


def national(tokens_per_s_per_gpu: float, tokens_per_day_b: float = 1e6, gpus: float = 2e6) -> dict:
    """One service of ``tokens_per_day_b`` (peak as mean), measured at ``tokens_per_s_per_gpu`` on ``gpus``
    GPUs, with power for all of them."""
    return scenario_tables(periods=[("P1", 730.0, 5000.0)], gpus=[gpu_row(it_w=1000.0, idle_w=100.0)],
                           fleet=[("G1", "P1", gpus)],
                           inference=[inference_row(params_b=70.0, tokens_per_day_b=tokens_per_day_b)],
                           throughput=[("S1", "G1", tokens_per_s_per_gpu)])


def test_a_share_of_demand_under_a_billionth_per_gpu_is_planned(tmp_path):
    """10^15 tokens a day at 3 tokens/s per GPU: one GPU serves 2.6e-10 of it, which HiGHS used to drop as
    zero (its default threshold is 1e-9), serving none of it with 2 million GPUs idle. Every GPU serves it:
    2e6 x 3 / (1e15 / 86,400) = 0.52%."""
    results = solve_tables(national(3.0), tmp_path).results
    served = 2e6 * 3.0 / (1e15 / SECONDS_PER_DAY)
    assert results.workloads["served_fraction"].iloc[0] == pytest.approx(served, rel=1e-9)
    assert results.periods["gpus_in_use"].iloc[0] == pytest.approx(2e6, rel=1e-9)


def test_a_gpu_worth_a_ten_billionth_of_a_point_is_priced(tmp_path):
    """10^15 tokens a day at 1 token/s per GPU on a million GPUs, all in use: one GPU more serves 8.6e-11 of the
    demand, its price in points. The objective weighed it at 8.6e-8 units, under the noise floor of the duals
    (and HiGHS's dual tolerance, 1e-7): priced at 0, GPUs said never to be the limit. The objective is scaled
    up where a GPU is worth so little."""
    results = solve_tables(national(1.0, gpus=1e6), tmp_path).results
    share_per_gpu = 1.0 / (1e15 / SECONDS_PER_DAY)
    assert results.workloads["served_fraction"].iloc[0] == pytest.approx(1e6 * share_per_gpu, rel=1e-9)
    assert results.fleet["fleet_shadow_price"].iloc[0] == pytest.approx(share_per_gpu, rel=1e-6)


def test_a_power_step_worth_a_millionth_of_a_point_is_worked_out(tmp_path):
    """The same service where power binds: 5 MW more serves 5 / 1.125e-3 MW per GPU x 8.6e-11 = 3.8e-7 points,
    under the old noise floor of a step (1e-6 points of the least priority), so it read as worth nothing."""
    tables = national(1.0, gpus=1e6)
    tables["periods"]["power_mw"] = 200.0  # the idle draw (125 MW) and 66,667 GPUs in use
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    model = build_model(scenario, size(scenario))
    solution = solve(model, power_step_mw=5.0)
    per_gpu_mw = 1.25 * (1000.0 - 100.0) / 1e6
    gain = 5.0 / per_gpu_mw * (1.0 / (1e15 / SECONDS_PER_DAY))
    assert solution.power_steps["power_up_points"][0] == pytest.approx(gain, rel=1e-6)
    assert solution.power_steps["power_down_points"][0] == pytest.approx(gain, rel=1e-6)


@pytest.mark.parametrize("tokens_per_s_per_gpu, tokens_per_day_b, share", [
    (1e-3, 1e6, "8.64e-14"),  # under a millionth of a millionth
    (1e8, 1e-12, "8.64e+15"),  # a thousandth of a token a day
])
def test_a_share_the_solver_cannot_weigh_is_refused_by_name(tmp_path, tokens_per_s_per_gpu, tokens_per_day_b,
                                                            share):
    source = write_scenario(national(tokens_per_s_per_gpu, tokens_per_day_b, gpus=10.0), tmp_path / "s")
    scenario = read_scenario(source)
    with pytest.raises(InputError) as refused:  # bad input (exit 2), not a solver's failure
        solve(build_model(scenario, size(scenario)))
    assert str(refused.value) == (
        f"{source}: S1 on G1 in P1: one GPU serves {share} of its peak demand, beyond what the solver can weigh "
        "beside the other figures (1e-12 to 1e+15); check the units of the inference sheet's params_b and "
        "tokens_per_day_b (billions) and the GPU type's figures")


def test_a_draw_within_rounding_of_idle_is_none(tmp_path):
    """0.55 x 700 W in use against an idle 385 W: the float product, 385.00000000000006, left a power entry of
    7e-20, refused as one the solver cannot weigh. It is no draw above idle, and the plan is made."""
    tables = scenario_tables(gpus=[gpu_row(it_w=700.0, idle_w=385.0)],
                             inference=[inference_row(power_factor=0.55)])
    results = solve_tables(tables, tmp_path).results
    assert results.workloads["served_fraction"].iloc[0] == 1.0
    assert results.periods["power_mw_used"].iloc[0] == pytest.approx(results.periods["power_mw_idle"].iloc[0])


def test_a_power_entry_the_solver_cannot_weigh_is_refused_by_name(tmp_path):
    tables = scenario_tables(gpus=[gpu_row(it_w=1e-7, idle_w=0.0)], inference=[inference_row()])
    source = write_scenario(tables, tmp_path / "s")
    scenario = read_scenario(source)
    with pytest.raises(InputError) as refused:
        solve(build_model(scenario, size(scenario)))
    assert str(refused.value) == (f"{source}: S1 on G1 in P1: a coefficient of 1.25e-13 in the model's power rows, "
                                  "beyond what the solver can weigh beside the other figures (1e-12 to 1e+15); "
                                  "check the units of the gpus sheet's it_w and idle_w (watts) and the workload's "
                                  "power_factor")


def test_a_training_run_the_solver_cannot_weigh_names_the_training_sheets_figures(tmp_path):
    """A run of a thousand parameters on a hundred tokens: one GPU does 1.7e15 times its FLOPs in a period. It was
    refused as a solver failure (exit 3), told to check tokens_per_day_b, a column training runs do not have."""
    tables = scenario_tables(training=[training_row(params_b=1e-6, tokens_b=1e-7)], inference=[])
    source = write_scenario(tables, tmp_path / "s")
    scenario = read_scenario(source)
    with pytest.raises(InputError) as refused:
        solve(build_model(scenario, size(scenario)))
    assert str(refused.value).startswith(f"{source}: T1 on G1 in P1: one GPU serves ")
    assert str(refused.value).endswith(
        "of its required FLOPs, beyond what the solver can weigh beside the other figures (1e-12 to 1e+15); check "
        "the units of the training sheet's params_b and tokens_b (billions) and the GPU type's bf16_tflops")


def test_rows_highs_refuses_are_a_solve_error_not_a_plan(tmp_path):
    """Handed rows holding an entry from 1e15, HiGHS refuses them all and solved the rest: no rows, every
    workload served in full by no GPU. Its refusal is now an error."""
    scenario = read_scenario(write_scenario(scenario_tables(), tmp_path / "s"))
    model = build_model(scenario, size(scenario))
    gpus = next(v for v in model.problem.variables() if v.id == int(model.allocation["column"].iloc[0]))
    model.problem += 1e16 * gpus <= 1e16
    with pytest.raises(SolveError, match=r"^HiGHS refused the model's rows"):
        model.problem.solve(HighsBridge(msg=False))
    with pytest.raises(SolveError, match=r"^T1 on G1 in P1: a coefficient of 1e\+16 in the model's added rows"):
        solve(model)


def test_priorities_the_solver_cannot_weigh_together_are_refused(tmp_path):
    """Priorities 1e-12 and 1e9 (each allowed alone) made costs HiGHS takes as infinite: a solver failure.
    Refused at the highest, naming the least."""
    tables = scenario_tables(training=[training_row(priority=1e9)],
                             inference=[inference_row(priority=1e-12), inference_row("S2", priority=1.0)])
    path = tmp_path / "s.xlsx"
    assert problems(tables, path) == [
        where(path, "training", 2, "priority") + "priority 1e+09 is more than 1e+12 times the least (1e-12, "
        f"{path}, sheet 'inference', row 2): priorities are relative, and the solver cannot weigh them so far apart"]


def test_priorities_a_million_million_apart_are_planned(tmp_path):
    """At the span allowed, the plan serves the first priority first, as it would at any span."""
    tables = scenario_tables(periods=[("P1", 1000.0, 1.0)], fleet=[("G1", "P1", 1000.0)],
                             training=[training_row(priority=1e6)], inference=[inference_row(priority=1e-6)])
    results = solve_tables(tables, tmp_path).results
    served = dict(zip(results.workloads["workload"], results.workloads["served_fraction"]))
    assert 0 < served["T1"] < 1 and served["S1"] == 0.0
    assert np.isfinite(results.objective)
