"""--warm-start: a sweep's linear plans started from the optimal basis of the one solved before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import highspy
import numpy as np
import pytest

from conftest import write_scenario
from planner import cli
from planner.model import build_model
from planner.sizing import size
from planner.solve import SolveError, WarmStart, _limits_moved, solve
from planner.synthetic import synthetic_tables
from planner.workbook import read_scenario


def _variants(folder: Path, powers: list[float], workloads: int = 40) -> list[str]:
    """One scenario per power factor: the same synthetic site with its budgets scaled, as a budget sweep has it."""
    tables = [synthetic_tables(workloads, 3, 4, seed=3, whole_horizon=True) for _ in powers]
    for scenario, factor in zip(tables, powers):
        scenario["periods"]["power_mw"] *= factor
    return _written(tables, folder)


def _summaries(folder: Path, sources: list[str]) -> list[dict]:
    return [json.loads((folder / Path(source).stem / "summary.json").read_text()) for source in sources]


def _written(tables: list[dict], folder: Path) -> list[str]:
    """Each scenario's tables as a workbook of its own, named in order: a sweep's inputs."""
    return [str(write_scenario(t, folder / f"s{i}.xlsx")) for i, t in enumerate(tables)]


def _cold_and_warm(folder: Path, sources: list[str], *options: str) -> tuple[list[dict], list[dict]]:
    """The sweep of ``sources`` solved from scratch, then with --warm-start: each scenario's summary.json, both ways."""
    common = [*sources, "--outputs", "json", *options]
    assert cli.main(["solve", *common, "--out", str(folder / "cold")]) == 0
    assert cli.main(["solve", *common, "--out", str(folder / "warm"), "--warm-start"]) == 0
    return _summaries(folder / "cold", sources), _summaries(folder / "warm", sources)


def test_each_plan_starts_from_the_last_optimal_basis_that_fits_and_finds_the_same_optimum(tmp_path):
    """The second scenario starts from the first's basis; the third, another LP (a workload more), starts cold.
    Scores and what a MW more or less is worth (worked out again from each optimum) are as solved cold."""
    sources = _variants(tmp_path, [1.0, 0.95])
    sources.append(str(write_scenario(synthetic_tables(41, 3, 4, seed=3, whole_horizon=True), tmp_path / "s2.xlsx")))
    cold, warm = _cold_and_warm(tmp_path, sources, "--power-step", "0.5")
    assert [doc["warm_started_from"] for doc in warm] == [None, sources[0], None]
    assert [doc["warm_started_from"] for doc in cold] == [None, None, None]
    for one, other in zip(cold, warm):
        assert other["objective"] == pytest.approx(one["objective"], rel=1e-9)
        for key in ("power_step_up_points", "power_step_down_points"):
            assert [p[key] for p in other["periods"]] == pytest.approx([p[key] for p in one["periods"]], rel=1e-6,
                                                                       abs=1e-9)
    sweep = json.loads((tmp_path / "warm" / "sweep.json").read_text())
    assert [row["warm_started_from"] for row in sweep] == [None, sources[0], None]


def test_the_report_and_the_terminal_say_where_a_plan_started(tmp_path, capsys):
    sources = _variants(tmp_path, [1.0, 0.97])
    assert cli.main(["solve", *sources, "--out", str(tmp_path / "out"), "--warm-start", "--outputs", "html"]) == 0
    out = capsys.readouterr().out
    assert f"from the optimal basis of {sources[0]})" in out
    assert out.count("from the optimal basis of") == 1
    html = (tmp_path / "out" / "s1" / "index.html").read_text()
    assert f"from the optimal basis of {sources[0]}" in html
    assert "from the optimal basis of" not in (tmp_path / "out" / "s0" / "index.html").read_text()


def test_warm_start_is_refused_with_cbc(tmp_path, capsys):
    sources = _variants(tmp_path, [1.0, 0.97], workloads=6)
    assert cli.main(["solve", *sources, "--warm-start", "--solver", "cbc", "--out", str(tmp_path / "out")]) == \
        cli.EXIT_INPUT
    error = capsys.readouterr().err
    assert error.startswith("error: --warm-start") and "--solver cbc" in error
    assert not (tmp_path / "out").exists()


def test_mixed_integer_plans_start_their_relaxations_from_the_last_basis(tmp_path):
    """With --integer the relaxation (an LP) starts from the last relaxation's basis; each plan is within the gap
    allowed, and so within it of the plan solved from scratch."""
    sources = _variants(tmp_path, [1.0, 0.95])
    cold, warm = _cold_and_warm(tmp_path, sources, "--integer")
    assert [doc["warm_started_from"] for doc in warm] == [None, sources[0]]
    for one, other in zip(cold, warm):
        assert other["status"] == "optimal" and other["gap"] <= other["gap_limit"]
        assert other["objective"] == pytest.approx(one["objective"], rel=other["gap_limit"])


def test_with_jobs_each_worker_takes_a_run_of_neighbours_and_each_plan_starts_from_the_one_before(
        tmp_path, subprocess_env):
    """Two workers and four scenarios: the first worker solves the first two, the second the last two, each plan after
    a worker's first from the basis of the scenario before it in input order, the same in every run."""
    sources = _variants(tmp_path, [1.0, 0.98, 0.96, 0.94])
    done = subprocess.run([sys.executable, "-m", "planner", "solve", *sources, "--warm-start", "--jobs", "2",
                           "--outputs", "json", "--out", "out"], cwd=tmp_path, env=subprocess_env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    started = [doc["warm_started_from"] for doc in _summaries(tmp_path / "out", sources)]
    assert started == [None, sources[0], None, sources[2]]


def test_a_sweep_is_dealt_to_workers_in_runs_of_neighbours_only_with_warm_start():
    assert cli._lanes(5, 2, warm_start=True) == [([0, 1], 1), ([2, 3, 4], 1)]
    assert cli._lanes(2, 4, warm_start=True) == [([0], 1), ([1], 1)]
    assert cli._lanes(5, 2, warm_start=False) == [([0, 1, 2, 3, 4], 2)]
    assert cli._lanes(2, 4, warm_start=False) == [([0, 1], 2)]


def test_a_scenario_far_from_the_last_starts_from_scratch(tmp_path):
    """Budgets 40% up: from the last basis the simplex would take longer than from scratch (see
    WARM_START_MOST_CHANGE)."""
    sources = _variants(tmp_path, [1.0, 0.95, 1.4])
    assert cli.main(["solve", *sources, "--out", str(tmp_path / "out"), "--warm-start", "--outputs", "json"]) == 0
    assert [doc["warm_started_from"] for doc in _summaries(tmp_path / "out", sources)] == [None, sources[0], None]


def test_a_few_limits_moved_far_start_from_the_last_basis(tmp_path):
    """One period's budget 40% down, then the smallest GPU type's fleet halved in every period: each moves a few rows
    far and the rest not at all, little of each family as a whole, so each starts from the one before (4-13 times
    faster at 500 workloads), at the optimum found from scratch. Every budget 40% down, after: from scratch."""
    tables = [synthetic_tables(40, 3, 12, seed=3, whole_horizon=True) for _ in range(4)]
    for changed in tables[1:3]:
        changed["periods"].loc[6, "power_mw"] *= 0.6
    fleet = tables[2]["fleet"]
    least = fleet["gpu"] == fleet.groupby("gpu")["installed"].sum().idxmin()  # 14% of the GPUs
    fleet.loc[least, "installed"] = np.round(fleet.loc[least, "installed"] * 0.5)
    tables[3]["periods"]["power_mw"] *= 0.6
    sources = _written(tables, tmp_path)
    cold, warm = _cold_and_warm(tmp_path, sources)
    assert [doc["warm_started_from"] for doc in warm] == [None, sources[0], sources[1], None]
    assert [doc["objective"] for doc in warm] == pytest.approx([doc["objective"] for doc in cold], rel=1e-9)


def _no_idle_draw(tables: dict) -> dict:
    """GPUs that draw nothing idle: a fleet's change then moves no budget above idle draw, only the fleet rows."""
    tables["gpus"]["idle_w"] = 0.0
    return tables


@pytest.mark.parametrize("change, started", [
    # the fleet rows alone: every GPU type's fleet 40% larger (29% all told), then one type's in one period
    ("fleet", False), ("one fleet", True),
    # runs' max_gpus: every one halved (50% all told), then a tenth of them
    ("max_gpus", False), ("a few max_gpus", True),
    # what a GPU draws in use 25% less: the power rows' coefficients alone (their bounds, the budgets above idle
    # draw, stay)
    ("draw", False),
])
def test_each_family_of_limits_is_held_to_the_share_on_its_own(tmp_path, change, started):
    """A change that moves one family of limits and no other: from scratch past 15% of it all told, from the last
    basis within."""
    base = _no_idle_draw(synthetic_tables(40, 3, 12, seed=3, whole_horizon=True))
    base["training"]["max_gpus"] = 4096.0
    tables = [base, _no_idle_draw(synthetic_tables(40, 3, 12, seed=3, whole_horizon=True))]
    changed = tables[1]
    changed["training"]["max_gpus"] = 4096.0
    if change == "fleet":
        changed["fleet"]["installed"] = np.round(changed["fleet"]["installed"] * 1.4)
    elif change == "one fleet":
        changed["fleet"].loc[6, "installed"] = np.round(changed["fleet"].loc[6, "installed"] * 0.5)
    elif change == "max_gpus":
        changed["training"]["max_gpus"] = 2048.0
    elif change == "a few max_gpus":
        changed["training"].loc[changed["training"].index[::10], "max_gpus"] = 2048.0
    else:
        changed["gpus"]["it_w"] *= 0.75
    sources = _written(tables, tmp_path)
    assert cli.main(["solve", *sources, "--out", str(tmp_path / "out"), "--warm-start", "--outputs", "json"]) == 0
    assert [doc["warm_started_from"] for doc in _summaries(tmp_path / "out", sources)] == [
        None, sources[0] if started else None]


def test_a_share_of_15_percent_is_within_the_rule_and_more_is_not():
    basis = WarmStart(shape=b"lp", figures=np.full(4, 100.0), costs=np.ones(3), basis=highspy.HighsBasis())
    groups = np.zeros(4, dtype=int)
    assert basis.fits(b"lp", np.array([40.0, 100.0, 100.0, 100.0]), groups, np.ones(3))  # 60 of 400 moved
    assert not basis.fits(b"lp", np.array([39.0, 100.0, 100.0, 100.0]), groups, np.ones(3))
    assert not basis.fits(b"other", np.full(4, 100.0), groups, np.ones(3))


def test_limits_are_compared_as_the_share_of_each_group_that_moved():
    """Group 0: one of four budgets of 100 MW 60 MW down, 60 of 400 all told. Group 1: bounds at no limit on both
    sides (no size), then one made finite. Group 2: 2 to 3, 1 of 5."""
    old = np.array([100.0, 100.0, 100.0, 100.0, -np.inf, 2.0, 2.0])
    new = np.array([40.0, 100.0, 100.0, 100.0, -np.inf, 2.0, 3.0])
    groups = np.array([0, 0, 0, 0, 1, 2, 2], dtype=np.int8)
    assert _limits_moved(old, new, groups) == pytest.approx([0.15, 0.0, 0.2])
    new[4] = 5.0
    assert _limits_moved(old, new, groups) == pytest.approx([0.15, 1.0, 0.2])
    assert _limits_moved(old, old, groups) == pytest.approx([0.0, 0.0, 0.0])


def test_demand_may_move_any_amount_scores_a_little_in_all_and_limits_on_resources_a_little_each(tmp_path):
    """Two priorities swapped and one set below the least (which rescales every score), then token volumes doubled:
    each from the last basis, at the optimum found from scratch. A fleet 40% larger, then every priority permuted:
    each from scratch (from that basis the simplex takes longer: WARM_START_COMPARED)."""
    rng = np.random.default_rng(0)
    tables = [synthetic_tables(40, 3, 4, seed=3, whole_horizon=True) for _ in range(5)]
    for table in ("training", "inference"):
        priorities = tables[1][table]["priority"].to_numpy()
        tables[1][table]["priority"] = np.concatenate([priorities[1::-1], priorities[2:]])
        tables[4][table]["priority"] = rng.permutation(tables[4][table]["priority"].to_numpy())
    tables[1]["training"].loc[2, "priority"] = 0.8 * tables[1]["training"]["priority"].min()
    tables[2]["inference"]["tokens_per_day_b"] *= 2
    for grown in tables[3:]:
        grown["fleet"]["installed"] = np.round(grown["fleet"]["installed"] * 1.4)
    sources = _written(tables, tmp_path)
    cold, warm = _cold_and_warm(tmp_path, sources)
    assert [doc["warm_started_from"] for doc in warm] == [None, sources[0], sources[1], None, None]
    assert [doc["objective"] for doc in warm] == pytest.approx([doc["objective"] for doc in cold], rel=1e-9)


def test_a_plan_never_starts_from_a_scenario_that_ended_without_its_report(tmp_path, monkeypatch):
    """The second scenario is solved but fails after (here in collecting its results): the third starts from the
    first's basis, and says so."""
    sources = _variants(tmp_path, [1.0, 0.97, 0.94])
    collect = cli.collect

    def failing(scenario, *args):
        if scenario.source == Path(sources[1]):
            raise RuntimeError("collect failed")
        return collect(scenario, *args)

    monkeypatch.setattr(cli, "collect", failing)
    assert cli.main(["solve", *sources, "--out", str(tmp_path / "out"), "--warm-start", "--outputs", "json"]) == 1
    first, third = _summaries(tmp_path / "out", [sources[0], sources[2]])
    assert (first["warm_started_from"], third["warm_started_from"]) == (None, sources[0])


def test_a_start_from_an_input_whose_name_is_not_utf_8_is_named_with_the_bytes_escaped(tmp_path):
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    sources = _variants(folder, [1.0, 0.97])
    assert cli.main(["solve", *sources, "--out", str(tmp_path / "out"), "--warm-start"]) == 0
    [second] = _summaries(tmp_path / "out", sources[1:])
    assert second["warm_started_from"] == f"{tmp_path}/caf\\xe9/s0.xlsx"
    assert "caf\\xe9/s0.xlsx" in (tmp_path / "out" / "s1" / "index.html").read_text()


def test_a_solve_that_finds_no_plan_leaves_no_basis_pending(tmp_path):
    """A basis a scenario left pending before failing is not kept by the next, even where that one finds none."""
    scenario = read_scenario(_variants(tmp_path, [1.0], workloads=6)[0])
    model = build_model(scenario, size(scenario))
    warm = WarmStart(pending=("failed.xlsx", b"", np.zeros(0), np.zeros(0), None))
    with pytest.raises(SolveError):
        solve(model, time_limit=0.0, warm=warm)
    warm.commit()
    assert warm.pending is None and warm.of is None
