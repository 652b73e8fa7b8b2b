"""``--power-step MW``: what that many MW more and fewer of budget are worth in each period, exactly.

Case (e2) of test_model_known_optima: A (1000 TFLOP/s) and B (half), both 1400 W in use and 200 W idle
at PUE 1.25 (m = 1.5e-3 MW per GPU in use above idle, 2.5e-4 MW idle). 100 A and 10,000 B installed
draw 2.525 MW idle; the budget of 5.525 MW runs 2000 GPUs: all 100 A and 1900 B, serving run T
0.315 of its FLOPs. Power is worth B's 0.1 points per MW, for the 6.85 MW that serve T in full.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from pytest import approx

from conftest import gpu_row, inference_row, run_pipeline, scenario_tables, training_row, write_scenario
import planner.solve
from planner import cli, report
from planner.model import build_model
from planner.results import collect
from planner.sizing import size
from planner.synthetic import synthetic_tables
from planner.solve import power_steps, solve
from planner.workbook import read_scenario
from test_cli import DEFAULT_SCENARIO
from test_model_known_optima import two_gpu_types


def plan_with_steps(tmp_path, tables: dict, step_mw: float, name: str = "s"):
    scenario = read_scenario(write_scenario(tables, tmp_path / name))
    sizing = size(scenario)
    model = build_model(scenario, sizing)
    solution = solve(model, power_step_mw=step_mw)
    return model, solution, collect(scenario, sizing, model, solution)


def with_second_period(tables: dict, power_mw: float, installed_b: float = 10_000.0) -> dict:
    """``tables`` with a period P2 after P1, of ``power_mw``, with the same A and ``installed_b`` B."""
    periods, fleet = tables["periods"], tables["fleet"]
    p2 = fleet.assign(period="P2", installed=np.where(fleet["gpu"] == "B", installed_b, fleet["installed"]))
    return {**tables, "fleet": pd.concat([fleet, p2], ignore_index=True),
            "periods": pd.concat([periods, periods.assign(period="P2", power_mw=power_mw)], ignore_index=True)}


def score_with_budget(tmp_path, tables: dict, more_mw: float) -> float:
    """The score re-planned from scratch with the budget ``more_mw`` higher: the check the steps must match."""
    tables = {**tables, "periods": tables["periods"].assign(power_mw=tables["periods"]["power_mw"] + more_mw)}
    return run_pipeline(write_scenario(tables, tmp_path / f"budget{more_mw:+g}")).results.objective


@pytest.mark.parametrize(("step", "gain", "loss"), [
    (3.0, 0.3, 0.315),  # within the price's reach: 0.1 per MW; 3 MW less stops every GPU, A's too
    (10.0, 1 - 0.315, math.nan),  # T served in full after 6.85 MW; 10 MW less is more than the 5.525 MW budget
])
def test_a_step_is_worth_what_replanning_with_it_gives(tmp_path, step, gain, loss):
    _, _, results = plan_with_steps(tmp_path, two_gpu_types(), step)
    row = results.periods.loc[0]
    assert row["power_shadow_price"] == approx(0.1) and row["power_price_holds_mw"] == approx(6.85)
    assert results.power_step_mw == step and results.power_steps_worked_out()
    assert row["power_step_up_points"] == approx(gain, rel=1e-9)
    for kind in ("up", "down"):  # one period: from then on is that period alone
        assert row[f"power_step_{kind}_onward_points"] == approx(row[f"power_step_{kind}_points"], rel=1e-9,
                                                                 nan_ok=True)
    assert row["power_step_up_points"] == approx(score_with_budget(tmp_path, two_gpu_types(), step)
                                                 - results.objective, rel=1e-9)
    if math.isnan(loss):
        assert math.isnan(row["power_step_down_points"]) and results.no_plan_with_less_power().tolist() == ["budget"]
    else:
        assert row["power_step_down_points"] == approx(loss, rel=1e-9)
        assert row["power_step_down_points"] == approx(results.objective
                                                       - score_with_budget(tmp_path, two_gpu_types(), -step), rel=1e-9)
        assert results.no_plan_with_less_power().tolist() == [""]


def test_a_step_down_to_the_idle_draw_itself_has_a_plan(tmp_path):
    """3 GPUs idle at 75 W (PUE 1) draw 225 W; a 1.000225 MW budget less 1 MW leaves that, 6e-17 MW short in
    floating point. The solver plans there (nothing runs), so the step is worth a number, not "no plan"."""
    tables = scenario_tables(pue=1.0, periods=[("P1", 100.0, 1.000225)], gpus=[gpu_row("G1", it_w=300.0, idle_w=75.0)],
                             fleet=[("G1", "P1", 3.0)], inference=[inference_row("S1", tokens_per_day_b=0.001)])
    _, _, results = plan_with_steps(tmp_path, tables, 1.0)
    assert results.periods["power_mw_budget"].iloc[0] - 1.0 < results.periods["power_mw_idle"].iloc[0]  # in floats
    assert results.no_plan_with_less_power().tolist() == [""]
    assert results.periods["power_step_down_points"].iloc[0] >= 0


def test_a_period_with_slack_gains_nothing_and_loses_only_past_its_slack(tmp_path):
    """P2 has only the 2000 GPUs that run in P1 (0.5 MW idle, 3 MW in use) and 2 MW more budget than they
    draw: 1 MW more or less changes nothing there. 3 MW less stops 1 MW of B, 0.1 points per MW of P1's
    worth, halved as T now needs twice the tokens, P1's FLOPs and P2's alike."""
    tables = with_second_period(two_gpu_types(), 0.5 + 3.0 + 2.0, installed_b=1900.0)
    tables["training"] = tables["training"].assign(deadline_period="P2", tokens_b=2 * tables["training"]["tokens_b"])
    for step, loss in ((1.0, 0.0), (3.0, 0.05)):
        _, _, results = plan_with_steps(tmp_path, tables, step, name=f"s{step:g}")
        p1, p2 = results.periods.set_index("period").loc[["P1", "P2"]].to_dict("records")
        assert p2["power_shadow_price"] == 0.0
        assert p2["power_step_up_points"] == 0.0
        assert p2["power_step_down_points"] == approx(loss, abs=1e-12)
        # from P1 on, both budgets move: what re-planning with both gives
        assert p1["power_step_up_onward_points"] == approx(score_with_budget(tmp_path, tables, step)
                                                           - results.objective, rel=1e-9)
        assert p1["power_step_down_onward_points"] == approx(results.objective
                                                             - score_with_budget(tmp_path, tables, -step), rel=1e-9)


def test_steps_leave_the_plan_and_highs_as_they_were(tmp_path):
    """The steps move HiGHS off the plan's optimum and back: the plan, its prices and what HiGHS holds after
    are those of the plan solved without them."""
    model, solution, results = plan_with_steps(tmp_path, two_gpu_types(), 3.0)
    _, plain, without = plan_with_steps(tmp_path, two_gpu_types(), None, name="plain")
    assert solution.allocation_units.tolist() == plain.allocation_units.tolist()
    assert results.periods["power_shadow_price"].tolist() == without.periods["power_shadow_price"].tolist()
    assert without.power_step_mw is None and not without.power_steps_worked_out()
    highs = model.problem.solverModel
    assert np.asarray(highs.getSolution().col_value)[model.allocation["column"]].tolist() == approx(
        solution.allocation_units.tolist())
    assert highs.getInfo().simplex_iteration_count == 0  # put back at the optimum: not a single iteration


def test_steps_out_of_time_are_not_worked_out(tmp_path):
    """With no time left every step that needs a solve is NaN; those that need none stand."""
    model, _, _ = plan_with_steps(tmp_path, with_second_period(two_gpu_types(), 100.0), None)
    steps = power_steps(model.problem.solverModel, model, 1.0, time_limit=0.0)
    assert np.isnan(steps["power_up_points"][0]) and np.isnan(steps["power_down_points"][0])
    assert steps["power_up_points"][1] == 0.0 and steps["power_down_points"][1] == 0.0


def test_steps_given_time_to_spare_are_worked_out(tmp_path):
    """HiGHS's time limit counts all its runs together: steps given less time than the plan's own runs took
    were stopped unsolved (here 3 of 12, on 40 workloads over 6 periods). HiGHS has run for 0.3 s before the
    steps are given 0.2 s, some ten times what they take: they come out as without a limit."""
    scenario = read_scenario(write_scenario(synthetic_tables(40, 3, 6, seed=1), tmp_path / "s"))
    model = build_model(scenario, size(scenario))
    solve(model)
    highs = model.problem.solverModel
    unlimited = power_steps(highs, model, 1.0, time_limit=None)
    basis = highs.getBasis()
    while highs.getRunTime() < 0.3:
        highs.setBasis(basis)
        highs.run()
    limited = power_steps(highs, model, 1.0, time_limit=0.2)
    assert {key: values.tolist() for key, values in limited.items()} == {
        key: approx(values.tolist()) for key, values in unlimited.items()}
    assert not np.isnan(limited["power_up_points"]).any()


def test_steps_given_no_time_say_so(tmp_path, monkeypatch):
    """The plan solved, with no time left for its steps (its one period binds, so each needs a solve): the
    terminal and the report say the time limit is why, not that the plan is no optimum."""
    real = planner.solve.power_steps
    monkeypatch.setattr(planner.solve, "power_steps", lambda highs, model, step, limit: real(highs, model, step, 0.0))
    _, _, results = plan_with_steps(tmp_path, two_gpu_types(), 3.0)
    assert results.priced() and not results.power_steps_worked_out()
    why = "the time limit left no time to solve again"
    report.write_data(results, tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["power_steps_missing"] == why
    plan = pd.read_excel(tmp_path / "results.xlsx", sheet_name="plan", engine="openpyxl").set_index("key")["value"]
    assert plan["power_steps_missing"] == why
    assert cli._power_steps(results) == ["what 3 MW more or fewer is worth is not worked out: the time limit left no "
                                         "time to solve again"]
    assert "Not worked out: the time limit left no time to solve again." in report.render_html(results)


def test_summary_json_says_why_each_step_is_missing(tmp_path, monkeypatch):
    """P1 binds and P2 (1.5 MW, no B installed: 0.025 MW idle) has nothing to run, with no time left for a solve:
    P2's step up is worth 0 with none, so some steps are worked out, but P1's are not, for want of time. 2 MW less is
    more than P2's budget: no plan in P2, nor from P1 on, though P1 alone has one."""
    real = planner.solve.power_steps
    monkeypatch.setattr(planner.solve, "power_steps", lambda highs, model, step, limit: real(highs, model, step, 0.0))
    _, _, results = plan_with_steps(tmp_path, with_second_period(two_gpu_types(), 1.5, installed_b=0.0), 2.0)
    doc = report.summary(results)
    steps = [(p["power_step_up_points"], p["power_step_down_points"]) for p in doc["periods"]]
    assert steps == [(None, None), (0, None)]
    assert [(p["power_step_down_blocked_by"], p["power_step_down_onward_blocked_by"]) for p in doc["periods"]] == [
        (None, "budget"), ("budget", "budget")]
    assert doc["power_steps_missing"] == "some of them were not solved again to their optimum"
    limited = dataclasses.replace(results, time_limit_s=1.0)  # as a plan given --time-limit says it
    assert limited.power_steps_missing() == "the time limit left no time to solve some of them again"
    monkeypatch.setattr(planner.solve, "power_steps", real)
    _, _, results = plan_with_steps(tmp_path, with_second_period(two_gpu_types(), 1.5, installed_b=0.0), 2.0, "timed")
    assert report.summary(results)["power_steps_missing"] is None


def test_the_terminal_summary_json_and_report_give_the_steps(tmp_path, capsys):
    """The default scenario with 5 MW steps: in 2026Q2 the price of 0.169 per MW holds for 0.24 MW, so 5 MW
    more gain about 0.04, not 0.84; 5 MW less would leave less than its 5.04 MW of idle draw."""
    out = tmp_path / "out"
    assert cli.main(["solve", str(DEFAULT_SCENARIO), "--power-step", "5", "--out", str(out)]) == cli.EXIT_OK
    terminal = capsys.readouterr().out
    assert ("5 MW more power in 2026Q2 gains 0.04113 score; 5 MW less would leave 3 MW, under what the installed "
            "fleet draws idle (5.04 MW)") in terminal
    assert "5 MW more power in 2026Q1 gains 0.4691 score; 5 MW less is more than the whole budget (4 MW)" in terminal
    # 11 of 11.04 MW: the decimals it takes for the two not to read the same
    assert "5 MW less would leave 11.00 MW, under what the installed fleet draws idle (11.04 MW)" in terminal
    assert "5 MW more power in 2027Q1 gains 0.2621 score; 5 MW less loses 0.2621" in terminal
    # the whole horizon first, less than its periods' own gains (0.469 + 0.041 + 0.262): 2026Q1's extra
    # training is work that 2027Q1's would have done
    assert terminal.index("5 MW more power in every period gains 0.7329 score; 5 MW less is more than some period's "
                          "whole budget") < terminal.index("in 2026Q1 gains")
    doc = json.loads((out / "summary.json").read_text())
    assert doc["power_step_mw"] == 5.0
    q2 = next(p for p in doc["periods"] if p["period"] == "2026Q2")
    assert q2["power_step_up_points"] == approx(0.0411, abs=1e-4) and q2["power_step_down_points"] is None
    assert q2["power_step_up_onward_points"] == approx(0.0411 + 0.2621, abs=1e-4)
    # why each step down that has no plan has none, in the period alone and from it on; 2026Q4 and later have one
    assert [(p["power_step_down_blocked_by"], p["power_step_down_onward_blocked_by"]) for p in doc["periods"]] == [
        ("budget", "budget"), ("idle_draw", "idle_draw"), ("idle_draw", "idle_draw")] + [(None, None)] * 5
    assert doc["power_steps_missing"] is None
    book = pd.read_excel(out / "results.xlsx", sheet_name=["plan", "periods"], engine="openpyxl")
    assert book["plan"].set_index("key").loc["power_step_mw", "value"] == 5
    assert book["periods"].set_index("period")["power_step_down_blocked_by"].fillna("").to_dict() == {
        p["period"]: p["power_step_down_blocked_by"] or "" for p in doc["periods"]}
    assert book["periods"].set_index("period").loc["2026Q2", "power_step_up_onward_points"] == approx(
        q2["power_step_up_onward_points"])
    html = (out / "index.html").read_text()
    assert "what 5 MW more or less of budget is worth" in html
    for text in ("under the idle draw", "under a period&#39;s idle draw", "more than the budget",
                 "more than a period&#39;s budget"):
        assert f"no plan: {text}" in html
    assert re.search(r"5\s+MW more from then on gain 0\.733\.", html)  # 2026Q1's finding
    assert re.search(r"Solved again with 5 MW more, the plan gains\s+<strong>0\.262</strong> points, and with\s+5\s+MW"
                     r"\s+less it\s+loses 0\.262;\s+5\s+MW more from then on gain 0\.262\.", html)  # 2027Q1's finding


def test_without_steps_there_are_none(tmp_path):
    results = run_pipeline(write_scenario(two_gpu_types(), tmp_path / "s")).results
    assert results.power_step_mw is None and results.periods["power_step_up_points"].isna().all()
    doc = report.summary(results)
    assert doc["power_step_mw"] is None and doc["power_steps_missing"] is None
    assert all(p["power_step_down_blocked_by"] is None and p["power_step_down_onward_blocked_by"] is None
               for p in doc["periods"])
    assert "more or less of budget is worth" not in report.render_html(results)


@pytest.mark.parametrize("integer", [[], ["--integer"]])
def test_steps_need_highs(tmp_path, capsys, integer):
    code = cli.main(["solve", str(DEFAULT_SCENARIO), "--power-step", "5", "--solver", "cbc", *integer,
                     "--out", str(tmp_path / "o")])
    assert code == cli.EXIT_INPUT
    assert ("--power-step solves the plan again from HiGHS's optimal basis: not with --solver cbc"
            in capsys.readouterr().err)
    assert not (tmp_path / "o").exists()


def test_a_whole_replica_plans_steps_are_its_relaxations(tmp_path, capsys):
    """With --integer the steps are those of the plan with fractional replicas, as its prices are: the linear
    plan's, here, and the terminal and the report say so."""
    periods = {}
    for mode in ([], ["--integer"]):
        out = tmp_path / ("mip" if mode else "lp")
        assert cli.main(["solve", str(DEFAULT_SCENARIO), "--power-step", "5", *mode, "--out", str(out)]) == 0
        periods[bool(mode)] = json.loads((out / "summary.json").read_text())["periods"]
    keys = [f"power_step_{kind}_points" for kind in ("up", "down", "up_onward", "down_onward")]
    assert [[row[key] for key in keys] for row in periods[True]] == [
        [None if row[key] is None else approx(row[key], rel=1e-6, abs=1e-9) for key in keys] for row in periods[False]]
    assert "what binds, and its prices and power steps, are those of the plan with fractional replicas" in (
        capsys.readouterr().out)
    html = (tmp_path / "mip" / "index.html").read_text()
    assert re.search(r"For this whole-replica plan they are, as its prices\s+are, those of the plan with fractional "
                     r"replicas and no run minimums\.", html)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "five"])
def test_a_step_must_be_a_number_of_mw_above_zero(capsys, value):
    with pytest.raises(SystemExit) as stop:
        cli.main(["solve", str(DEFAULT_SCENARIO), "--power-step", value])
    assert stop.value.code == 2
    assert f"expected a number of MW above 0, got '{value}'" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["1e20", "2e6", "1e-300", "1e-7"])
def test_a_step_must_be_from_a_watt_to_a_budget_a_workbook_may_give(capsys, value):
    """A step from 1e20 MW was taken by HiGHS as no limit, its loss as nothing; one of 1e-300 MW as worth
    nothing where power binds."""
    with pytest.raises(SystemExit) as stop:
        cli.main(["solve", str(DEFAULT_SCENARIO), "--power-step", value])
    assert stop.value.code == 2
    assert f"expected 1e-06 to 1e+06 MW, got '{value}'" in capsys.readouterr().err


@pytest.mark.parametrize("factor", [1e-9, 1e9])
def test_steps_are_relative_to_the_priorities(tmp_path, factor):
    """Every priority multiplied by ``factor``: the steps' worth is multiplied by it, not lost as noise."""
    tables = two_gpu_types()
    tables["training"] = tables["training"].assign(priority=tables["training"]["priority"] * factor)
    row = plan_with_steps(tmp_path, tables, 3.0)[2].periods.loc[0]
    assert row["power_step_up_points"] == approx(0.3 * factor, rel=1e-6)
    assert row["power_step_down_points"] == approx(0.315 * factor, rel=1e-6)


def test_a_sweep_gives_each_scenarios_step_over_the_whole_horizon(tmp_path):
    """A sweep with --power-step: each row says what the step is worth in every period at once, the first
    period's step from then on (0.3 for case e2's one period), and the page shows it in two columns."""
    sources = [write_scenario(two_gpu_types(), tmp_path / name) for name in ("a", "b")]
    out = tmp_path / "out"
    assert cli.main(["solve", *map(str, sources), "--power-step", "3", "--outputs", "json", "--out", str(out)]) == 0
    rows = json.loads((out / "sweep.json").read_text())
    assert [(row["power_step_mw"], row["power_step_up_all_periods_points"], row["power_step_down_all_periods_points"])
            for row in rows] == [
        (3.0, approx(0.3), approx(0.315))] * 2
    assert re.search(r"3 MW more in every period<span class=\"unit\">points gained", (out / "sweep.html").read_text())
    assert cli.main(["solve", *map(str, sources), "--outputs", "json", "--out", str(out)]) == 0
    assert "in every period" not in (out / "sweep.html").read_text()
    assert json.loads((out / "sweep.json").read_text())[0]["power_step_up_all_periods_points"] is None


def test_the_steps_log_goes_to_stderr_alone(tmp_path, subprocess_env):
    """--solver-log: the steps' solves log on standard error after a line naming them, as every solve does;
    standard output is as without the log. Their log went to standard output."""
    runs = [subprocess.run([sys.executable, "-m", "planner", "solve", str(DEFAULT_SCENARIO), "--power-step", "5",
                            "--outputs", "json", "--out", str(tmp_path / out), *flag], capture_output=True, text=True,
                           env=subprocess_env, timeout=120) for out, flag in (("plain", []), ("logged", ["--solver-log"]))]
    assert [run.returncode for run in runs] == [0, 0], runs[1].stderr
    plain, logged = (re.sub(r"highs, [0-9.]+ s", "highs", run.stdout).replace("logged", "plain") for run in runs)
    assert logged == plain
    log = runs[1].stderr.split("working out the power steps\n")
    assert len(log) == 2 and "Solving LP with useful basis" in log[1], runs[1].stderr  # each from an optimum


def test_steps_worth_nothing_anywhere_say_so_once(tmp_path):
    """Budgets with more than the step to spare in every period: one line says the step is worth nothing."""
    tables = two_gpu_types()
    tables["periods"] = tables["periods"].assign(power_mw=100.0)
    _, _, results = plan_with_steps(tmp_path, tables, 3.0)
    assert cli._power_steps(results) == [
        "3 MW more or fewer power is worth nothing in any period: each budget has that much spare"]


def test_a_step_up_that_highs_stops_on_from_a_warm_start_is_solved_again(tmp_path):
    """Four periods with no budget above the idle draw, a run in the first and a service in each: a MW more from
    the first period on came back without a status from HiGHS, started from the solve of the second period on
    (its costs ten orders of magnitude apart), and was reported as not worked out. Budgets moved up leave the plan feasible: it
    is solved again from scratch, and worth the first period's step and the rest's."""
    gpu = dict(bf16_tflops=100.0, hbm_gb=40.0, hbm_tbps=1.0, it_w=300.0, idle_w=0.0)
    tables = scenario_tables(
        pue=1.0, periods=[(p, 100.0, 0.0) for p in ("p0", "p1", "p2", "p3")],
        gpus=[gpu_row("gpu0", **gpu), gpu_row("gpu1", **gpu)],
        fleet=[("gpu0", "p0", 1.0), ("gpu0", "p2", 1.0), ("gpu0", "p3", 1.0), ("gpu1", "p3", 0.0)],
        training=[training_row("train0", params_b=1.0, tokens_b=10.0, start="p0", deadline="p0", priority=0.11,
                               goodput=0.5, power_factor=0.5)],
        inference=[inference_row("serve0", params_b=1.0, tokens_per_day_b=0.11, priority=4.06, power_factor=0.5)],
        throughput=[dict(workload="train0", gpu="gpu0", train_tflops_per_gpu=2.0)])
    scenario = read_scenario(write_scenario(tables, tmp_path / "s"))
    steps = solve(build_model(scenario, size(scenario)), power_step_mw=1.0).power_steps
    onward, alone = steps["power_up_onward_points"], steps["power_up_points"]
    assert not np.isnan(onward).any()
    assert onward[0] == approx(alone[0] + onward[1], rel=1e-9)  # p1 has no GPUs: the first period's and the rest's
