"""HiGHS is handed the matrix and objective the model was built from, as arrays: they must be what
PuLP's core holds, and a model changed through PuLP after building must reach HiGHS as changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pulp
import pytest

from planner.model import build_model
from planner.sizing import size
from planner.solve import solve
from planner.synthetic import synthetic_tables
from planner.workbook import read_scenario, write_workbook

DEFAULT = Path(__file__).resolve().parents[1] / "inputs" / "sovereign-200mw.xlsx"


def _scenario(tmp_path, case: str):
    if case == "default":
        return read_scenario(DEFAULT)
    write_workbook(synthetic_tables(30, 3, 5, seed=4), tmp_path / "synthetic")
    return read_scenario(tmp_path / "synthetic")


@pytest.mark.parametrize("integer", [False, True])
@pytest.mark.parametrize("case", ["default", "synthetic"])
def test_the_arrays_handed_over_are_what_pulps_core_holds(tmp_path, case, integer):
    scenario = _scenario(tmp_path, case)
    model = build_model(scenario, size(scenario), integer=integer)
    problem = model.problem
    built, read = problem.row_terms(), problem.core_row_terms()
    assert len(built[0]) == problem.toRustModel().num_constraints + 1 and len(built[1]) > 0
    for kept, held in zip(built, read):
        np.testing.assert_array_equal(kept, held)
    np.testing.assert_array_equal(problem.objective_costs(), problem.core_objective_costs())


def _busiest_column(model, solution) -> tuple[pulp.LpVariable, float]:
    i = int(np.argmax(solution.allocation_units))
    column = int(model.allocation["column"].iloc[i])
    variable = next(v for v in model.problem.variables() if v.id == column)
    return variable, float(solution.allocation_units[i])


def test_a_row_added_through_pulp_after_building_reaches_highs():
    scenario = read_scenario(DEFAULT)
    model = build_model(scenario, size(scenario))
    before = solve(model)
    variable, gpus = _busiest_column(model, before)
    assert gpus > 1
    model.problem += variable <= 1.0
    for handed, held in zip(model.problem.row_terms(), model.problem.core_row_terms()):
        np.testing.assert_array_equal(handed, held)
    after = solve(model)
    assert variable.value() == pytest.approx(1.0, abs=1e-6)
    assert after.objective < before.objective


def test_an_objective_set_through_pulp_after_building_reaches_highs():
    scenario = read_scenario(DEFAULT)
    model = build_model(scenario, size(scenario))
    before = solve(model)
    variable, _ = _busiest_column(model, before)
    model.problem.objective = -1.0 * variable
    np.testing.assert_array_equal(model.problem.objective_costs(), model.problem.core_objective_costs())
    after = solve(model)
    assert before.objective > 0
    assert after.objective == pytest.approx(0.0, abs=1e-9) and variable.value() == pytest.approx(0.0, abs=1e-9)


def test_a_model_as_built_is_handed_over_without_reading_it_back(monkeypatch):
    """The point of keeping the arrays: solving the model as built never reads its terms out of PuLP's core."""
    scenario = read_scenario(DEFAULT)
    model = build_model(scenario, size(scenario))

    def read_back(self):
        raise AssertionError("read back out of PuLP's core")

    monkeypatch.setattr(type(model.problem), "core_row_terms", read_back)
    monkeypatch.setattr(type(model.problem), "core_objective_costs", read_back)
    assert solve(model).objective > 0
