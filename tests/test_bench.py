"""The benchmark's floor (the same LP as sparse matrices, straight into HiGHS) agrees with the planner;
HiGHS settings are compared on it."""

import json
import re

import numpy as np
import pytest

import planner.bench as bench
from planner.bench import SOLVER_SETTINGS, bench_case, main, target_lines
from planner.synthetic import synthetic_tables
from planner.workbook import read_scenario, write_workbook


@pytest.mark.parametrize("seed", [1, 2])
def test_planner_and_floor_reach_the_same_objective(tmp_path, seed):
    source = tmp_path / "case"
    write_workbook(synthetic_tables(40, 3, 6, seed=seed), source)
    record = bench_case("T", source)  # raises if the two objectives differ by more than 1e-6
    assert record["n_vars"] > 0 and record["n_cons"] > 0
    assert set(record["stages"]) >= {"read_validate", "sizing", "build", "handover", "solver", "results", "report"}
    assert record["ratio"] == pytest.approx(record["total_s"] / record["floor_s"], rel=1e-2)
    assert record["write_s"] > 0


@pytest.mark.parametrize("whole_horizon", [True, False])
def test_the_floor_hands_highs_the_planners_lp_to_the_last_bit(tmp_path, whole_horizon):
    """Costs and budgets once differed in their last bits (products taken in another order): at L HiGHS then took
    another path through the floor (38,754 iterations against the planner's 38,848), so the ratio compared two
    solves as well as the planner's own work."""
    source = tmp_path / "case"
    write_workbook(synthetic_tables(60, 4, 8, seed=3, whole_horizon=whole_horizon), source)
    scenario = read_scenario(source)
    sizing = bench.size(scenario)
    model = bench.build_model(scenario, sizing)
    bench.solve(model)
    planner_lp = model.problem.solverModel.getLp()
    floor = bench.floor_lp(scenario, sizing)[0]
    floor.run()  # both matrices then held by column
    floor_lp = floor.getLp()
    for part in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(getattr(planner_lp, part), getattr(floor_lp, part)), part
    for part in ("start_", "index_", "value_"):
        assert np.array_equal(getattr(planner_lp.a_matrix_, part), getattr(floor_lp.a_matrix_, part)), part


@pytest.mark.parametrize("column", ["power_mw_per_gpu", "share_per_unit"])
def test_the_floor_catches_a_model_whose_coefficients_are_wrong(tmp_path, monkeypatch, column):
    """The floor took the model's own GPU rates and power draws, so a model drawing 25% more power per GPU than
    its GPUs do passed the objective check. It works them out from the scenario and the sizing itself now, the
    share of a workload's demand a GPU serves among them."""
    import planner.model as model

    source = tmp_path / "case"
    write_workbook(synthetic_tables(40, 3, 6, seed=1), source)
    index = model.allocation_index

    def wrong(*args, **kwargs):
        table = index(*args, **kwargs)
        return table.assign(**{column: table[column] * 1.25})

    monkeypatch.setattr(model, "allocation_index", wrong)
    monkeypatch.setattr(bench, "allocation_index", wrong)  # wrong wherever it is used
    with pytest.raises(RuntimeError, match="planner objective .* != floor"):
        bench_case("T", source)


def test_each_case_reports_its_own_peak_memory():
    """The peak was the process's since it started: S run after M reported M's."""
    before = bench._peak_rss_mb()
    held = bytearray(300 * 2**20)
    held[:: 4096] = b"x" * len(held[:: 4096])  # touched, so resident
    assert bench._peak_rss_mb() > before + 250
    del held
    bench._reset_peak_rss()
    assert bench._peak_rss_mb() < before + 50


@pytest.mark.parametrize("platform, maxrss", [("linux", 300 * 1024), ("darwin", 300 * 2 ** 20)])
def test_peak_memory_is_read_in_mb_where_the_system_keeps_no_proc_status(tmp_path, monkeypatch, platform, maxrss):
    """Without /proc (macOS), the peak is the system's own mark, which macOS gives in bytes, Linux in kB: read as kB
    on macOS it was 1,024 times too large."""
    import resource
    import types

    monkeypatch.setattr(bench, "Path", lambda path: tmp_path / "no-proc" / path.lstrip("/"))  # nothing there
    monkeypatch.setattr(bench.sys, "platform", platform)
    monkeypatch.setattr(resource, "getrusage", lambda who: types.SimpleNamespace(ru_maxrss=maxrss))
    assert bench._peak_rss_mb() == pytest.approx(300.0)


def test_bench_writes_json_records(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--sizes", "S,s", "--out", str(out)]) == 0  # a size named twice is run once
    startup = re.search(r"^start-up: ([0-9.]+) s of imports", capsys.readouterr().out, re.MULTILINE)
    assert startup and float(startup.group(1)) > 0
    records = json.loads(out.read_text())
    assert [r["case"] for r in records] == ["S"]
    assert {"case", "n_vars", "n_cons", "stages", "total_s", "floor_s", "ratio", "peak_rss_mb"} <= set(records[0])


def test_repeated_runs_keep_the_fastest(tmp_path, monkeypatch):
    source = tmp_path / "case"
    write_workbook(synthetic_tables(20, 2, 4, seed=3), source)
    totals = iter([3.0, 1.0, 2.0])
    planner_run = bench._planner_run

    def run(path):  # the planner's real run, its stages scaled to a known total
        out = planner_run(path)
        scale = next(totals) / out["total"]
        out["stages"] = {k: v * scale for k, v in out["stages"].items()}
        out["total"] = sum(out["stages"].values())
        return out

    floors = iter([0.5, 0.25, 0.75])
    peaks, resets = iter([300.0, 500.0, 400.0]), []
    monkeypatch.setattr(bench, "_planner_run", run)
    monkeypatch.setattr(bench, "_floor_run", lambda case, r: next(floors))
    monkeypatch.setattr(bench, "_reset_peak_rss", lambda: resets.append(True))
    monkeypatch.setattr(bench, "_peak_rss_mb", lambda: next(peaks))
    record = bench_case("T", source, repeat=3)
    assert record["repeat"] == 3
    assert len(resets) == 3 and record["peak_rss_mb"] == 500.0  # the planner's own peak, each run's counted
    assert record["total_s"] == pytest.approx(1.0, rel=1e-3) and record["floor_s"] == 0.25
    assert record["ratio"] == pytest.approx(4.0, rel=1e-3)


@pytest.mark.parametrize("args", [["--repeat", "0"], ["--repeat", "x"], ["--repeat", "2", "--integer"],
                                  ["--repeat", "2", "--sweep"], ["--sweep", "--integer"]])
def test_bad_repeat_is_refused(tmp_path, args):
    with pytest.raises(SystemExit) as exit_:
        main(["--sizes", "S", "--out", str(tmp_path / "b.json"), *args])
    assert exit_.value.code == 2


@pytest.mark.parametrize("sizes", ["Q", ",", ""])
def test_unknown_or_no_size_is_refused(tmp_path, sizes):
    assert main(["--sizes", sizes, "--out", str(tmp_path / "b.json")]) == 2
    assert not (tmp_path / "b.json").exists()


def test_solver_options_are_compared_on_the_same_lp(tmp_path):
    out = tmp_path / "options.json"
    assert main(["--sizes", "S", "--solver-options", "--out", str(out)]) == 0
    records = json.loads(out.read_text())
    assert [r["setting"] for r in records] == list(SOLVER_SETTINGS)
    for record in records:
        assert record["status"] == "Optimal" and record["matches"], record


def test_integer_plans_are_timed_against_their_linear_plans(tmp_path):
    out = tmp_path / "integer.json"
    assert main(["--sizes", "S", "--integer", "--out", str(out)]) == 0
    [record] = json.loads(out.read_text())
    assert record["case"] == "S" and 0 < record["n_integer"] < record["n_vars"]
    assert record["n_vars"] == 337  # the default scenario's 242 columns, and 95 training switches
    assert {"build", "relaxation", "handover", "solver"} <= set(record["stages"])
    assert record["status"] == "optimal" and 0 <= record["gap"] <= 0.01
    assert record["objective"] <= record["objective_lp"] * (1 + 1e-9)
    assert record["objective"] >= 0.9 * record["objective_lp"]


def test_a_sweep_is_timed_cold_and_from_the_last_basis(tmp_path, capsys, monkeypatch):
    """Budgets in steps of 5% start from the last basis, the step of 40% from scratch (a small synthetic site as S);
    a tenth's priorities doubled, token volumes doubled, a period's budget cut by 40% and a GPU type's fleet halved
    from the last basis."""
    monkeypatch.setitem(bench.SIZES, "S", (40, 3, 12))
    out = tmp_path / "sweep.json"
    assert main(["--sizes", "S", "--sweep", "--out", str(out)]) == 0
    [record] = json.loads(out.read_text())
    steps = ["budgets x1.00", "budgets x0.95", "budgets x0.90", "budgets x1.30", "priorities x2 (10%)",
             "token volumes x2", "a period's budget x0.60", "a GPU type's fleet x0.50"]
    assert record["case"] == "S" and record["steps"] == steps
    assert record["warm_started"] == [False, True, True, False, True, True, True, True]  # 40% up: from scratch
    assert len(record["cold_s"]) == len(record["warm_s"]) == 8
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("S ")]
    assert [row[5:29].strip() for row in rows] == steps and rows[0].endswith("-")


def test_a_sweep_changes_the_scenario_as_its_steps_say():
    scenario = read_scenario(bench.DEFAULT_SCENARIO)
    budgets, volumes = scenario.periods["power_mw"].to_numpy(), scenario.inference["tokens_per_day_b"].to_numpy()
    priorities = {t: getattr(scenario, t)["priority"].to_numpy() for t in ("training", "inference")}
    fleet = scenario.fleet.to_numpy().copy()  # a view of the frame otherwise
    seen = {step: scenario.periods["power_mw"].to_numpy() for step in bench.sweep_steps(scenario)}
    assert list(seen) == ["budgets x1.00", "budgets x0.95", "budgets x0.90", "budgets x1.30", "priorities x2 (10%)",
                          "token volumes x2", "a period's budget x0.60", "a GPU type's fleet x0.50"]
    assert seen["budgets x0.95"] == pytest.approx(budgets * 0.95)
    middle = np.arange(len(budgets)) == len(budgets) // 2
    assert scenario.periods["power_mw"].to_numpy() == pytest.approx(budgets * np.where(middle, 1.30 * 0.6, 1.30))
    fewest = np.where(fleet.sum(axis=1) > 0, fleet.sum(axis=1), np.inf).argmin()
    assert scenario.fleet.to_numpy() == pytest.approx(np.round(fleet * np.where(
        np.arange(len(fleet)) == fewest, 0.5, 1.0)[:, None]))
    assert scenario.inference["tokens_per_day_b"].to_numpy() == pytest.approx(volumes * 2)
    for table, before in priorities.items():
        doubled = np.arange(len(before)) % 10 == 0
        assert getattr(scenario, table)["priority"].to_numpy() == pytest.approx(np.where(doubled, 2, 1) * before)


def test_each_target_is_stated_with_its_figure_and_verdict():
    records = [
        {"case": "S", "stages": {"report": 0.04}, "ratio": 7.6, "ratio_model": 1.0, "peak_rss_mb": 110.0},
        {"case": "M", "stages": {"report": 0.09}, "ratio": 2.16, "ratio_model": 1.23, "peak_rss_mb": 190.0},
        {"case": "L", "stages": {"report": 0.15}, "ratio": 1.12, "ratio_model": 1.05, "peak_rss_mb": 5000.0},
    ]
    assert target_lines(records) == [
        "target: report for the default scenario 0.04 s, under 1 s: met",
        "target: M end to end 2.16x the floor, at most 1.5x: not met (the model alone 1.23x)",
        "target: L end to end 1.12x the floor, at most 1.2x: met (the model alone 1.05x)",
        "target: peak memory at L 5000 MB, under 4096 MB: not met",
    ]
